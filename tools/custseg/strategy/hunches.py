"""Claims about customers that the data's own span or a segment's facts rule out, or that it
cannot back at all: 'currently active' of a segment quiet for a year, 'renewed for months' on
a day of data, 'bought again and again' of a segment where nobody bought twice, and hunches
on what the data does not record ('evening sign-ups'). Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _COMPARING, RECENT_MAX_DAYS, _NEGATED_BEFORE, _is_number, _sentence_at, named_segments
from custseg.strategy.problems import Problem

# 'currently active', 'still browse the site', 'still buying': the segment is active today
STILL_ACTIVE = re.compile(
    r"\b(?:currently|still)\s+(?:very\s+|highly\s+)?(?:active|engaged|buying|shopping|ordering|browsing|visiting|paying|renewing)\b"
    r"|\b(?:currently|still)\s+(?:browse|browses|visit|visits|shop|shops|buy|buys|order|orders|come\s+back|comes\s+back)\b",
    re.IGNORECASE,
)
# A span of time the customers were with the business: 'renewed for months', 'long-term
# subscribers', 'year after year'; each with the days the data must cover to show it.
_FOR_SPAN = r"for\s+(?:many\s+|several\s+|some\s+|over\s+|more\s+than\s+)?(months|years|a\s+year)\b(?!\s+(?:ahead|to\s+come|from\s+now|after))"
LONG_SPAN = re.compile(
    rf"\b(?:have|has|had|'ve|'s)\s+(?:\w+\s+){{0,3}}?{_FOR_SPAN}"
    rf"|\b(?:renewed|bought|paid|subscribed|stayed|shopped|ordered|listened|been\s+(?:with\s+us|loyal|customers|subscribers|members|active|around))\s+{_FOR_SPAN}"
    r"|\b(month|year)\s+after\s+(?:month|year)\b"
    r"|\blong[-\s]?(?:term|standing|time)\s+(?:loyal\s+)?(?:customers|subscribers|members|clients|buyers|users|fans|listeners|regulars|supporters|patrons|shoppers|accounts|customer|subscriber|member|client|buyer)\b",
    re.IGNORECASE,
)
_SPAN_DAYS = {"month": 60, "months": 60, "year": 730, "years": 730, "a year": 365}
LONG_TERM_DAYS = 180  # 'long-term customers' on data shorter than half a year: nobody can be shown to be one
# 'bought again and again', 'our most loyal customer', 'keeps coming back': someone bought twice
REPEATED = re.compile(
    r"\b(?:bought|ordered|purchased|shopped|paid)\s+(?:from\s+us\s+)?(?:again(?:\s+and\s+again)?|more\s+than\s+once|several\s+times|many\s+times|repeatedly|time\s+(?:and|after)\s+time|over\s+and\s+over|twice)\b"
    r"|\b(?:have|has|had)\s+(?:\w+\s+)?(?:come|came)\s+back\b|\b(?:keeps?|kept)\s+coming\s+back\b"
    r"|\bre-?(?:ordered|purchased|bought)\b|\brenewed\b"
    r"|\b(?:our|the|their|your)\s+most\s+loyal\b|\b(?:are|is|were|was)\s+(?:(?:our|the|a)\s+)?repeat\s+(?:buyers?|customers?|purchasers?|shoppers?)\b",
    re.IGNORECASE,
)
# What the data does not record: when in the day or week people buy or sign up.
_WHEN = r"(?:morning|evening|night(?:-?time)?|afternoon|late-night|lunchtime|overnight|weekend|weekday|early-morning)"
UNRECORDED = re.compile(
    rf"\b{_WHEN}\s+(?:sign-?ups?|subscribers?|buyers?|shoppers?|customers?|users?|members?|listeners?|visitors?|purchasers?|cohorts?|crowd)\b|\bnight\s+owls\b|\bearly\s+birds\b"
    r"|\b(?:sign(?:ed|s)?\s+up|bought|buy|buys|shop|shops|shopped|order|orders|ordered|visit|visits|visited)\s+(?:mostly\s+|mainly\s+|usually\s+|only\s+)?"
    r"(?:in\s+the\s+(?:morning|evening|afternoon)|at\s+night|(?:at|on)\s+(?:the\s+)?weekends?|late\s+at\s+night|after\s+work|during\s+lunch)\b",
    re.IGNORECASE,
)
# '{...next_repeat_rate} of first-time buyers paid again': a fact says how many, of another period
_COUNTED_BEFORE = re.compile(r"\bfact\s+(?:\S+\s+){0,8}$")
_NEGATION = re.compile(r"\bnot\b|n't\b|\bnever\b|\bno\b", re.IGNORECASE)
# A claim the user made, said as theirs: the plan may pass it on.
_TOLD_BY_USER = re.compile(r"\byou\s+(?:told|said|mentioned|noticed|see|saw|find|found|think|believe)\b|\baccording\s+to\s+you\b|\bin\s+your\s+(?:words|experience)\b", re.IGNORECASE)


def _about_another(sentence: str, key: str, aliases: list[tuple[str, str]]) -> bool:
    """Whether a sentence compares the segment with another or names another by its name
    ('the Loyal', not 'our most loyal')."""
    return bool(_COMPARING.search(sentence)) or any(k != key for _, _, k in named_segments(sentence, aliases, capitalized=True))


def standing_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]], activity: bool = False) -> list[Problem]:
    """'Currently active listeners' of a segment whose median customer last bought 487 days ago;
    'our most loyal customer, who has bought again and again' of one where nobody bought twice.
    A sentence that compares with another segment or names one may be about the other."""
    name = stats.get("name") or key
    out = []
    stat = "days_since_active" if activity and _is_number(stats.get("days_since_active")) else "median_recency_days"
    days = stats.get(stat)
    if _is_number(days) and days > RECENT_MAX_DAYS:
        last = f"the users in {name} were last active" if activity else f"{name}'s customers last bought"
        out += [
            Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {last} a median {days:g} days ago: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} and say they have gone quiet")
            for m in STILL_ACTIVE.finditer(bare)
            if not _NEGATED_BEFORE.search(bare[: m.start()]) and not _about_another(_sentence_at(bare, m.start()), key, aliases)
        ][:1]
    repeat = stats.get("repeat_rate")
    if repeat == 0 and stats.get("count") and not activity:
        out += [
            Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but no customer of {name} bought on more than one day: cite {{segmentations.{segmentation}.segments.{key}.repeat_rate}} and speak of their one purchase")
            for m in REPEATED.finditer(bare)
            if not _NEGATION.search(m.group(0)) and not _NEGATED_BEFORE.search(bare[: m.start()]) and not _COUNTED_BEFORE.search(bare[: m.start()]) and not _about_another(_sentence_at(bare, m.start()), key, aliases)
        ][:1]
    return out


def span_claims(path: str, bare: str, days_covered: int | None) -> list[Problem]:
    """'Loyal long-term subscribers who have renewed for months' on data that covers one day:
    no customer can be shown to have stayed longer than the data runs."""
    if not _is_number(days_covered):
        return []
    for m in LONG_SPAN.finditer(bare):
        if _NEGATION.search(m.group(0)) or _NEGATED_BEFORE.search(bare[: m.start()]) or _TOLD_BY_USER.search(_sentence_at(bare, m.start())):
            continue
        span = next((g for g in m.groups() if g), None)
        needed = _SPAN_DAYS.get(re.sub(r"\s+", " ", span.lower())) if span else LONG_TERM_DAYS
        if needed and days_covered < needed:
            return [Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but the data covers {days_covered:g} day{'' if days_covered == 1 else 's'}, too few to show anyone buying or staying that long: cite {{data.days_covered}} and say what the data does show, or that the user told you ('you told us ...')")]
    return []


def unrecorded_claims(path: str, bare: str) -> list[Problem]:
    """'Our evening sign-ups, who stick around longer': the data records no time of day or week
    for a plan to compare, so the claim is a hunch; said as the user's own, it may stand."""
    return [
        Problem(path, "claim_not_in_data", f"'{m.group(0)}': the facts hold nothing on when in the day or week customers buy or sign up, so nothing backs what is said of them; leave it out, or give it as the user's own observation ('you told us ...')")
        for m in UNRECORDED.finditer(bare)
        if not _TOLD_BY_USER.search(_sentence_at(bare, m.start()))
    ][:1]
