"""Comparisons of a segment with another by their ranks in the facts, where no figure is cited:
'bigger orders than any other group', 'they spend less per head than the Champions', 'bring more
revenue than the Inner Circle', 'more customers than Loyal'. Said in a segment's own text, the
other side named by its name or the plan's display name (or 'any other'), the facts hold both
sides' figures (aov, avg_value, revenue_share, count) and must rank them as the words do.

Comparisons' second home beside comparisons.py, which holds a comparison to the two facts it
cites; this one is called from claims.segment_claims (a segment's own claims) and imports nothing
of claims, so both modules can use it. Standard library only.
"""

from __future__ import annotations

import re

from custseg.strategy.problems import Problem

# Of the last year's money ('most of this year's revenue', 'most of our sales in the last 12
# months', 'more of this year's revenue than Dormant'): held to recent_revenue_share, the share of the 365 days up to the as-of date
_RECENT_MONEY_BEFORE = r"(?P<recent>(?:recent|this\s+year's|(?:the\s+)?(?:last|past)\s+(?:(?:12|twelve)\s+months'|365\s+days'|year's))\s+)?"
_RECENT_MONEY_AFTER = r"(?P<recent_after>\s+(?:(?:in|over|during)\s+the\s+(?:last|past)\s+(?:year|(?:12|twelve)\s+months|365\s+days)|this\s+year|these\s+days|lately|recently|today|now))?"
# 'bigger orders than any other group', 'they spend less per head than the Champions'
COMPARE_BASKET = re.compile(r"\b(bigger|larger|higher|smaller|lower)\s+(?:average\s+)?(?:baskets?|orders?|order\s+values?|carts?)\s+than\s+", re.IGNORECASE)
COMPARE_SPEND = re.compile(r"\b(?:spen(?:d|ds|t|ding)|puts?\s+in|pays?|paid)\s+(?:(?:far|much|a\s+lot|way|slightly|a\s+little)\s+)?(more|less)\s+(?:(per\s+(?:order|basket))|per\s+(?:head|customer|shop|account))?\s*than\s+", re.IGNORECASE)
# 'bring more revenue than the Inner Circle' (a trial), 'a bigger share of sales than the Champions'
COMPARE_REVENUE = re.compile(
    r"\b(?:(?:bring|brings|bringing|brought|generat(?:e|es|ed|ing)|contribut(?:e|es|ed|ing)|account(?:s|ed)?\s+for|driv(?:e|es|ing)|drove|make|makes|made|earn(?:s|ed)?|represent(?:s|ed)?)(?:\s+in|\s+us)?\s+"
    r"(?:(?:far|much|a\s+lot|way|slightly|a\s+little)\s+)?(more|less)\s+(?:of\s+(?:(?:our|the)\s+)?)?" + _RECENT_MONEY_BEFORE.replace("?P<recent>", "?P<recent1>") + r"(?:revenue|sales|income|money|turnover)"
    r"|(?:an?\s+)?(bigger|larger|higher|greater|smaller|lower)\s+share\s+of\s+(?:(?:our|the|all)\s+)?" + _RECENT_MONEY_BEFORE.replace("?P<recent>", "?P<recent2>") + r"(?:revenue|sales|income|turnover))\s+than\s+",
    re.IGNORECASE,
)
# 'more customers than the Champions', 'a bigger group than Loyal'
COMPARE_COUNT = re.compile(r"\b(?:(more|fewer)\s+(?:customers|buyers|people|clients|members)|(?:an?\s+)?(bigger|larger|smaller)\s+(?:group|segment))\s+than\s+", re.IGNORECASE)
_ANY_OTHER = re.compile(r"(?:(?:the|our|your)\s+)?(?:(?:any|all|every)\s+other\b|any(?:one|body)(?:\s+else)?\b|every(?:one|body)\s+else\b|the\s+rest\b)", re.IGNORECASE)
_MORE_WORDS = {"bigger", "larger", "higher", "greater", "more"}


def ranked_comparisons(path: str, bare: str, key: str, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'Bigger orders than any other group', 'spend less per head than the Champions', 'bring
    more revenue than the Inner Circle', 'more customers than Loyal': the facts hold both sides
    of the comparison, the other side named by its name or the plan's display name."""
    out = []
    found = [(m, "aov", "average order value") for m in COMPARE_BASKET.finditer(bare)]
    found += [(m, "aov" if m.group(2) else "avg_value", "average order value" if m.group(2) else "spend per customer") for m in COMPARE_SPEND.finditer(bare)]
    own_stats = fact_segments.get(key) or {}
    # of the last year's money ('more of this year's revenue than Dormant'): the shares of the last 365 days
    found += [(m, "recent_revenue_share", "share of the last 365 days' revenue") if (m.group("recent1") or m.group("recent2")) and isinstance(own_stats.get("recent_revenue_share"), (int, float)) else (m, "revenue_share", "share of revenue")
              for m in COMPARE_REVENUE.finditer(bare)]
    found += [(m, "count", "number of customers") for m in COMPARE_COUNT.finditer(bare)]
    own = (fact_segments.get(key) or {})
    for m, stat, what in found:
        more = next(g for g in m.groups() if g).lower() in _MORE_WORDS
        rest = bare[m.end():]
        if _ANY_OTHER.match(rest):
            others = [k for k, v in fact_segments.items() if k != key and isinstance(v, dict) and v.get("count") and isinstance(v.get(stat), (int, float))]
            pick = max if more else min
            other = pick(others, key=lambda k: fact_segments[k][stat]) if others else None
        else:
            other = _named_at(re.sub(r"^(?:the|our|your|those|these)\s+", "", rest, flags=re.IGNORECASE), aliases)
        mine, theirs = own.get(stat), (fact_segments.get(other) or {}).get(stat) if other else None
        if other in (None, key) or not isinstance(mine, (int, float)) or not isinstance(theirs, (int, float)):
            continue
        if (mine <= theirs) if more else (mine >= theirs):
            name, other_name = own.get("name") or key, fact_segments[other].get("name") or other
            said = (m.group(0) + re.match(r"[\w '-]{0,30}", bare[m.end():]).group(0)).strip()
            shown = "{:.1%}" if stat in ("revenue_share", "recent_revenue_share") else "{:,.0f}" if stat == "count" else "{:,.2f}"
            out.append(Problem(path, "claim_contradicts_fact", f"'{said}' but {name}'s {what} ({shown.format(mine)}) is not {'above' if more else 'below'} that of {other_name} ({shown.format(theirs)}): cite {{segmentations.{segmentation}.segments.{key}.{stat}}} and {{segmentations.{segmentation}.segments.{other}.{stat}}} instead"))
    return out


def _named_at(text: str, aliases: list[tuple[str, str]]) -> str | None:
    """The key of the segment whose name (or display name) opens ``text``, if any."""
    return next((key for alias, key in aliases if re.match(rf"{re.escape(alias)}(?!\w)", text, re.IGNORECASE)), None)
