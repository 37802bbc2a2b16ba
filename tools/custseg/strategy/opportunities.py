"""The sized moves (segmentations.<s>.opportunities.<from>_to_<to>): whose move an amount is, and
the period it is worth. A move's amount cited in another move's pathway or another segment's
text reads as theirs; its amounts are per period (facts' period_days), so a month, a year or
no period at all, or a lasting gain, misreads them. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _COMPARING, _sentence_span, named_segments
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

_OPPORTUNITY = re.compile(r"segmentations\.([^.]+)\.opportunities\.([^.]+)\.([^.]+)$")
# A move's amounts, each per period: what it is worth at last period's rate, a further tenth, a customer's gap.
PER_PERIOD = ("value_per_10pct", "expected_revenue", "revenue_gap_per_customer", "next_gap_per_customer")
_UNIT_DAYS = {"day": (1, 1), "daily": (1, 1), "week": (7, 7), "weekly": (7, 7), "fortnight": (14, 14), "fortnightly": (14, 14),
              "month": (28, 31), "monthly": (28, 31), "quarter": (89, 92), "quarterly": (89, 92), "year": (364, 366), "yearly": (364, 366), "annually": (364, 366), "annual": (364, 366)}
# '{...} a month', '{...} more every month', '{...} in extra sales each year', '{...} monthly'
_PERIOD_AFTER = re.compile(
    r"\s*(?:[\w'-]+\s+){0,4}?(?:(?:a|an|per|every|each|this|next|in\s+a|over\s+a|within\s+a)\s+(?:single\s+|whole\s+|full\s+)?(day|week|fortnight|month|quarter|year)\b"
    r"|(daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b)",
    re.IGNORECASE,
)
_UNIT_NAME = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month", "quarterly": "quarter", "yearly": "year", "annually": "year"}
# A lasting gain: 'from now on', 'for good', 'year after year'
_LASTING = re.compile(r"\bfrom\s+now\s+on\b|\bfor\s+good\b|\bforever\b|\bpermanently\b|\bfor\s+(?:years|life)\b|\b(?:month|year|period)\s+after\s+(?:month|year|period)\b|\bfor\s+every\s+(?:month|year|period)\s+to\s+come\b|\bin\s+perpetuity\b", re.IGNORECASE)
# The sentence says which period: 'a period', 'per period', 'every {period_days}', 'last period's'
_PERIOD_SAID = re.compile(r"\bperiods?\b|\{period_days\}", re.IGNORECASE)


def _moves(facts: dict, segmentation: str) -> dict[str, tuple[str, str]]:
    """Opportunity id -> (from_segment, to_segment) for the segmentation's sized moves."""
    items = ((facts.get("segmentations") or {}).get(segmentation) or {}).get("opportunities") or []
    return {f"{o['from_segment']}_to_{o['to_segment']}": (o["from_segment"], o["to_segment"]) for o in items if isinstance(o, dict) and o.get("from_segment") and o.get("to_segment")}


def _unit_fits(unit: str, period_days: float) -> bool:
    low, high = _UNIT_DAYS[unit.lower()]
    return low <= period_days <= high


def other_move_figures(path: str, text: str, doc: dict, facts: dict, segmentation: str, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'If a tenth more of them moved, that could be {...dormant_to_loyal.value_per_10pct} a
    period' in the At Risk -> Loyal pathway, or in At Risk's own goal: the amount sizes another
    move, so it reads as this one's. Naming the other move's segment in the sentence (or
    comparing) says whose it is."""
    own = re.match(r"segments\.([^.]+)\.", path)
    pathway = re.match(r"pathways\[(\d+)\]\.", path)
    if own:
        start, end = own.group(1), None
    elif pathway:
        items = doc.get("pathways") if isinstance(doc.get("pathways"), list) else []
        p = items[int(pathway.group(1))] if int(pathway.group(1)) < len(items) and isinstance(items[int(pathway.group(1))], dict) else {}
        start, end = p.get("from_segment"), p.get("to_segment")
    else:
        return []
    moves = _moves(facts, segmentation)
    if not isinstance(start, str) or not moves:
        return []
    out = []
    for m in PLACEHOLDER.finditer(text):
        cited = _OPPORTUNITY.match(m.group(1))
        if not cited or cited.group(1) != segmentation or cited.group(2) not in moves:
            continue
        a, b = moves[cited.group(2)]
        others = [k for k, mine in ((a, start), (b, end)) if mine is not None and k != mine]
        if not others:
            continue
        s, e = _sentence_span(text, m.start())
        sentence = PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), text[s:e])
        named = {k for _, _, k in named_segments(sentence, aliases, capitalized=True)}
        if _COMPARING.search(sentence) or all(k in named for k in others):
            continue
        stat = cited.group(3)
        this = f"{start}_to_{end}" if end else None
        segments = ((facts.get("segmentations") or {}).get(segmentation) or {}).get("segments") or {}
        names = {k: (v or {}).get("name") or k for k, v in segments.items()}
        whose = f"the move from {names.get(a, a)} to {names.get(b, b)}"
        if this:
            mine = f"this pathway moves {names.get(start, start)} to {names.get(end, end)}"
            instead = f"cite {{segmentations.{segmentation}.opportunities.{this}.{stat}}} for its own move" if this in moves else "this move is not sized, so give no amount for it"
        else:
            mine = f"the text is about {names.get(start, start)}"
            own_moves = [k for k, (x, _) in moves.items() if x == start]
            instead = f"cite a move of {start}'s own ({', '.join(f'{{segmentations.{segmentation}.opportunities.{k}.{stat}}}' for k in own_moves)})" if own_moves else f"no move from {start} is sized, so give no amount for it"
        out.append(Problem(path, "fact_of_other_segment", f"{{{m.group(1)}}} sizes {whose}, but {mine}, so it reads as theirs: {instead}, or name {' and '.join(names.get(k, k) for k in others)} in the sentence as whose move it is"))
    return out


def period_misread(path: str, text: str, facts: dict) -> list[Problem]:
    """A move's amount is worth one period of period_days days: '{...value_per_10pct} a month'
    (on 90-day periods), 'adds {...revenue_gap_per_customer} every month from now on' (a
    lasting gain) and 'The upside is {...value_per_10pct}.' (no period) misread it."""
    days = facts.get("period_days")
    if not isinstance(days, (int, float)) or isinstance(days, bool):
        return []
    out = []
    for m in PLACEHOLDER.finditer(text):
        cited = _OPPORTUNITY.match(m.group(1))
        if not cited or cited.group(3) not in PER_PERIOD:
            continue
        s, e = _sentence_span(text, m.start())
        after = text[m.end():e]
        rest = PLACEHOLDER.sub(lambda x: "{period_days}" if x.group(1) == "period_days" else " fact ", after)
        unit = _PERIOD_AFTER.match(rest)
        word = (unit.group(1) or unit.group(2)) if unit and not _PERIOD_SAID.search(unit.group(0)) else None
        said = f"a period of {days:g} days ({{period_days}})"
        if word and not _unit_fits(word, days):
            out.append(Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is worth {said}, but '{unit.group(0).strip()}' gives it per {_UNIT_NAME.get(word.lower(), word.lower())}: write 'a period' or 'every {{period_days}}' after it"))
            continue
        lasting = _LASTING.search(PLACEHOLDER.sub(" ", after))
        if lasting:
            out.append(Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is worth {said}, not a lasting gain ('{lasting.group(0)}'): say it is what the move is worth in a period; for what a moved customer is worth afterwards, cite {{{m.group(1).rsplit('.', 1)[0]}.next_gap_per_customer}} a period"))
            continue
        whole = text[slice(*_sentence_span(text, m.start(), clauses=False))]
        # the period may be said once for the sentence ('were worth {...} every {period_days}; a further tenth would add {...}')
        if not word and not _PERIOD_SAID.search(PLACEHOLDER.sub(lambda x: "{period_days}" if x.group(1) == "period_days" else " ", whole)):
            out.append(Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is worth {said}, and the sentence gives no period, so it reads as a one-off or lasting sum: write 'a period' or 'every {{period_days}}' after it"))
    return out
