"""Facts read over the wrong span of time. A segment's revenue, its share of revenue and its
customers' average spend are over all the data (data.days_covered days): told as today's ('still
bring {...revenue_share} of our revenue today', '{...revenue_share} of our current monthly
sales') they say what the facts do not, and of a segment that spent nothing in the last period
the facts say the opposite. next_repeat_rate is the share of a segment who bought again in the
period after (period_days days): not a chance for next month, nor each customer's chance.
Standard library only."""

from __future__ import annotations

import datetime
import re

from custseg.strategy.claims import _sentence_span
from custseg.strategy.comparisons_ranked import _RECENT_MONEY_AFTER, _RECENT_MONEY_BEFORE
from custseg.strategy.opportunities import _PERIOD_AFTER, _PERIOD_SAID, _UNIT_NAME, _unit_fits
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

_SEGMENT_STAT = re.compile(r"segmentations\.([^.]+)\.segments\.([^.]+)\.([^.]+)$")
# A segment's figures over all the data: what it brought and what its customers spent, ever.
LIFETIME = {"revenue_share": "a share of all revenue", "revenue": "all its customers spent", "avg_value": "what its customers spent each"}
# Words that make a figure today's: 'today', 'currently', 'these days', 'this month'
_NOW = re.compile(r"\b(?:today|nowadays|currently|current|these\s+days|at\s+present|presently|this\s+(?:month|week|quarter|season))\b", re.IGNORECASE)
# Of a segment that bought nothing last period, 'still' and 'now' say so too
_STILL = re.compile(r"\b(?:still|now)\b", re.IGNORECASE)
# A figure said to come in now: 'bring', 'generates', 'account for', 'is worth', 'spend'
_PRESENT_VERB = re.compile(
    r"\b(?:bring|brings|bringing|generate|generates|drive|drives|account\s+for|accounts\s+for|make\s+up|makes\s+up|contribute|contributes|deliver|delivers|spend|spends|pay|pays|(?:is|are)\s+worth)\b",
    re.IGNORECASE,
)
# ... said of all the data: 'since launch', 'to date', 'in all', 'lifetime'
_OVER_ALL = re.compile(
    r"\b(?:lifetime|all[- ]time|to\s+date|so\s+far|since\s+(?:launch|opening|we\s+(?:started|opened|launched)|the\s+start|day\s+one|they\s+(?:joined|started|first\s+bought)|the\s+data\s+(?:begins|began|starts|started))"
    r"|in\s+all|all\s+told|over\s+(?:the\s+)?(?:years|data|export|whole)|until\s+now|up\s+to\s+now|till\s+now|historically|ever|in\s+the\s+past)\b",
    re.IGNORECASE,
)
# '{...revenue_share} of our current monthly sales': a share of today's sales
_CURRENT_SALES = re.compile(
    r"\s+of\s+(?:(?:our|the|your|all|total)\s+)*(?:(?:current|monthly|weekly|quarterly|today's|this\s+(?:month|week|quarter|year)'s|recent)\s+)+(?:revenue|sales|income|turnover|spend)\b",
    re.IGNORECASE,
)
# Of a segment still buying, words of now beside its share of all revenue ('still bring
# {...revenue_share} of our revenue today', a trial where the data covered six years): the share
# of the last 365 days (recent_revenue_share) is the one of now
_NOW_WORDS = re.compile(r"\b(?:today|now|nowadays|these\s+days|currently|at\s+present|presently)\b", re.IGNORECASE)
_RECENT_SHARE_AFTER = re.compile(r"\s+of\s+(?:(?:our|the|your|all|total|its)\s+)*" + _RECENT_MONEY_BEFORE + r"(?:revenue|sales|income|turnover|spend)\b" + _RECENT_MONEY_AFTER, re.IGNORECASE)
# A clause of a sentence: a figure's words of time belong to its clause ('they brought X, but now buy nothing')
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014\u2013]|\s-\s|\b(?:but|yet|while|though|although|whereas|and\s+now)\b", re.IGNORECASE)
# Each customer's chance: 'each with a {...} chance', 'every customer has a {...} chance'
_EACH = re.compile(r"\b(?:each|every\s+(?:one|customer|buyer|client|member|shopper)|any\s+(?:one|customer)|individual|per\s+(?:customer|person|head))\b", re.IGNORECASE)
_CHANCE_AFTER = re.compile(r"\s+(?:chance|probability|likelihood|odds)\b", re.IGNORECASE)
# The window a rate is given for, a few words on: '{...} of them will order again this week'
_WINDOW_AFTER = re.compile(
    r"\s*(?:[\w'-]+\s+){0,6}?(?:(?:a|an|per|every|each|this|next|in\s+a|over\s+a|within\s+a)\s+(?:single\s+|whole\s+|full\s+)?(day|week|fortnight|month|quarter|year)\b"
    r"|(daily|weekly|fortnightly|monthly|quarterly|yearly|annually)\b)",
    re.IGNORECASE,
)

# A lifetime repeat rate read as a chance of return: 'their chance of coming back is only {...repeat_rate}'
_RETURN = r"(?:coming\s+back|returning|buying\s+again|ordering\s+again|shopping\s+again|purchasing\s+again|re-?ordering|re-?purchasing|a\s+(?:second|repeat)\s+(?:order|purchase))"
_RETURN_CHANCE_BEFORE = re.compile(
    rf"\b(?:chance|probability|likelihood|odds)\s+(?:of|that|for)\s+(?:(?:them|they|these\s+customers|their|each|a\s+customer|one)\s+)?{_RETURN}"
    r"(?:\s+(?:is|of|at|around|about|only|just|roughly|near|stands\s+at|sits\s+at|remains|stays))*\s+$",
    re.IGNORECASE,
)
_RETURN_CHANCE_AFTER = re.compile(rf"\s+(?:chance|probability|likelihood|odds)\s+(?:of|that|for)\s+(?:\w+\s+)?{_RETURN}", re.IGNORECASE)
# Days since the last purchase, counted at the data's last date: 'as of today they have been gone for {...}'
_RECENCY_STATS = ("median_recency_days", "days_since_active")
_TODAY = re.compile(r"\b(?:today|as\s+of\s+now|right\s+now|nowadays|currently|at\s+present|by\s+now|to\s+this\s+day)\b", re.IGNORECASE)


def today() -> datetime.date:
    """Today's date (tests set it): a recency is of the data's last date, read today."""
    return datetime.date.today()


def time_misreadings(path: str, text: str, facts: dict) -> list[Problem]:
    """A lifetime figure told as today's or per month, and next_repeat_rate given for another
    window or as each customer's chance."""
    segmentations = facts.get("segmentations") or {}
    out = []
    for m in PLACEHOLDER.finditer(text):
        cited = _SEGMENT_STAT.match(m.group(1))
        if not cited:
            continue
        stats = (((segmentations.get(cited.group(1)) or {}).get("segments") or {}).get(cited.group(2))) or {}
        if cited.group(3) in LIFETIME:
            out += _lifetime_as_current(path, text, m, stats, facts)
        elif cited.group(3) == "next_repeat_rate":
            out += _next_period_misread(path, text, m, stats, facts)
        elif cited.group(3) == "repeat_rate":
            out += _repeat_rate_as_chance(path, text, m)
        elif cited.group(3) in _RECENCY_STATS:
            out += _recency_as_today(path, text, m, facts)
    return out


def _repeat_rate_as_chance(path: str, text: str, m: re.Match) -> list[Problem]:
    """'Their chance of coming back is only {...repeat_rate}' (a trial): the share who bought on
    more than one day over all the data, not a chance that any of them buys again."""
    said = _RETURN_CHANCE_BEFORE.search(text[: m.start()]) or _RETURN_CHANCE_AFTER.match(text, m.end())
    if not said:
        return []
    key = m.group(1)
    return [Problem(path, "fact_unit_mismatch", f"{{{key}}} is the share who bought on more than one day over all the data, but '{said.group(0).strip()}' reads it as a chance of coming back, which no fact measures: say '{{{key}}} of them bought more than once', or cite {{{key.rsplit('.', 1)[0]}.next_repeat_rate}} (the share who bought again in the period after, last time)")]


def _recency_as_today(path: str, text: str, m: re.Match, facts: dict) -> list[Problem]:
    """'As of today they have been gone for {...median_recency_days}' (a trial, on data that
    ended 1,791 days before): the days are counted to the data's last date, not to today."""
    data = facts.get("data") or {}
    try:
        last = datetime.date.fromisoformat(str(data.get("date_max")))
    except ValueError:
        return []
    age = (today() - last).days
    now = _TODAY.search(_clause(text, m))
    if not now or age <= (facts.get("period_days") or 0):
        return []
    return [Problem(path, "claim_contradicts_fact", f"'{now.group(0)}' reads {{{m.group(1)}}} as the days until today, but they are counted to the data's last date, {last.isoformat()} ({{data.date_max}}), {age:,} days before today: say 'when the data ends' (or 'as of {{data.date_max}}'), and that today it is {age:,} days more")]


def _clause(text: str, m: re.Match) -> str:
    """The clause of the sentence a fact reference stands in, references blanked (offsets kept)."""
    start, end = _sentence_span(text, m.start())
    sentence = PLACEHOLDER.sub(lambda x: "#" * len(x.group(0)) if x.start() == m.start() - start else " " * len(x.group(0)), text[start:end])
    at = m.start() - start
    breaks = [b for b in _CLAUSE_BREAK.finditer(sentence)]
    before = max((b.end() for b in breaks if b.end() <= at), default=0)
    after = min((b.start() for b in breaks if b.start() >= at + len(m.group(0))), default=len(sentence))
    return sentence[before:after]


def _lifetime_as_current(path: str, text: str, m: re.Match, stats: dict, facts: dict) -> list[Problem]:
    """'Lapsed VIPs still bring {...revenue_share} of our revenue today' of a segment that spent
    nothing in the last period (a trial); '{...revenue_share} of our current monthly sales' and
    '{...avg_value} a month' of any segment."""
    key, stat = m.group(1), m.group(1).rsplit(".", 1)[-1]
    name = stats.get("name") or key.split(".")[-2]
    days = (facts.get("data") or {}).get("days_covered")
    span = f"over the {days:,} days the data covers ({{data.days_covered}})" if isinstance(days, int) else "over all the data"
    spend = f"{key.rsplit('.', 1)[0]}.spend_last_period_per_customer"
    clause = _clause(text, m)
    if _OVER_ALL.search(clause):
        return []
    current = _CURRENT_SALES.match(text, m.end())
    quiet = stats.get("spend_last_period_per_customer") == 0
    # of a segment that bought nothing last period, any word of now with a verb of bringing in
    # ('still bring ... today'); of any other, only a share of today's sales: 'where customers
    # spend {...avg_value} against {...} today' compares the segments they are in today
    now = (_NOW.search(clause) or _STILL.search(clause)) if quiet and _PRESENT_VERB.search(clause) else None
    said = current or now
    if not said and stat == "revenue_share" and isinstance(stats.get("recent_revenue_share"), (int, float)):
        said = _RECENT_SHARE_AFTER.match(text, m.end())
        said = said if said and (said.group("recent") or said.group("recent_after")) else _NOW_WORDS.search(clause) if _PRESENT_VERB.search(clause) else None
        if said:
            recent = f"{key.rsplit('.', 1)[0]}.recent_revenue_share"
            return [Problem(path, "fact_unit_mismatch", f"'{said.group(0).strip()}' tells {{{key}}} as today's, but it is {LIFETIME[stat]} {span}: cite {{{recent}}}, {name}'s share of the last 365 days' revenue, for now, or say {{{key}}} of all revenue since the data begins")]
    if said and quiet:
        return [Problem(path, "claim_contradicts_fact", f"'{said.group(0).strip()}' tells {{{key}}} as today's, but it is {LIFETIME[stat]} {span}, and {name}'s customers spent nothing in the last period ({{{spend}}}): say it of the past ('brought {{{key}}} of all revenue since the data begins') and that they have gone quiet{_recent_hint(key, facts)}")]
    if said:
        return [Problem(path, "fact_unit_mismatch", f"'{said.group(0).strip()}' tells {{{key}}} as a share of today's sales, but it is {LIFETIME[stat]} {span}: say it of all that time ('since the data begins'), and for what they spend now cite {{{spend}}}{_recent_hint(key, facts)}")]
    return _per_unit(path, text, m, key, stat, span, days)


def _recent_hint(key: str, facts: dict) -> str:
    """Where the segment has a share of the last 365 days' revenue: cite it for the recent part."""
    owner, _, stat = key.rpartition(".")
    if stat not in ("revenue_share", "revenue"):
        return ""
    seg = re.match(r"segmentations\.([^.]+)\.segments\.([^.]+)$", owner)
    stats = (((facts.get("segmentations") or {}).get(seg.group(1)) or {}).get("segments") or {}).get(seg.group(2)) if seg else None
    if not isinstance(stats, dict) or stats.get("recent_revenue_share") is None:
        return ""
    return f"; for its part of the last year's revenue cite {{{owner}.recent_revenue_share}} (the 365 days up to the as-of date)"


def _per_unit(path: str, text: str, m: re.Match, key: str, stat: str, span: str, days) -> list[Problem]:
    """'{...avg_value} a month', '{...revenue} every year': a figure over all the data given per
    a span it does not cover."""
    start, end = _sentence_span(text, m.start())
    rest = PLACEHOLDER.sub(lambda x: "{period_days}" if x.group(1) == "period_days" else " fact ", text[m.end():end])
    unit = _PERIOD_AFTER.match(rest)
    word = (unit.group(1) or unit.group(2)) if unit and not _PERIOD_SAID.search(unit.group(0)) else None
    if not word or (isinstance(days, (int, float)) and _unit_fits(word, days)):
        return []
    return [Problem(path, "fact_unit_mismatch", f"{{{key}}} is {LIFETIME[stat]} {span}, but '{unit.group(0).strip()}' gives it per {_UNIT_NAME.get(word.lower(), word.lower())}: say it of all that time, or cite what they spent in the last period ({{{key.rsplit('.', 1)[0]}.spend_last_period_per_customer}}, every {{period_days}})")]


def _next_period_misread(path: str, text: str, m: re.Match, stats: dict, facts: dict) -> list[Problem]:
    """'Each with a {...next_repeat_rate} chance of ordering next month' (a trial): the share of
    the segment who bought again in the next period of period_days days, measured last period;
    not a chance per month, nor each customer's."""
    period = facts.get("period_days")
    key = m.group(1)
    name = stats.get("name") or key.split(".")[-2]
    said = f"the share of {name} who bought again in the period after ({period:g} days, {{period_days}}), last time" if isinstance(period, (int, float)) else f"the share of {name} who bought again in the next period, last time"
    instead = f"say '{{{key}}} of them bought again within {{period_days}}' (what last period showed)"
    start, end = _sentence_span(text, m.start())
    rest = PLACEHOLDER.sub(lambda x: "{period_days}" if x.group(1) == "period_days" else " fact ", text[m.end():end])
    unit = _WINDOW_AFTER.match(rest)
    word = (unit.group(1) or unit.group(2)) if unit and not _PERIOD_SAID.search(unit.group(0)) else None
    if word and isinstance(period, (int, float)) and not _unit_fits(word, period):
        return [Problem(path, "fact_unit_mismatch", f"{{{key}}} is {said}, but '{unit.group(0).strip()}' gives it for a {_UNIT_NAME.get(word.lower(), word.lower())}: {instead}")]
    clause = _clause(text, m)
    chance = _CHANCE_AFTER.match(text, m.end())
    if chance and _EACH.search(clause):
        return [Problem(path, "fact_unit_mismatch", f"{{{key}}} is {said}, not a chance each of them has ('{_EACH.search(clause).group(0)} ... {chance.group(0).strip()}'): {instead}")]
    return []
