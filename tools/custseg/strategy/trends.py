"""Claims on which way a segment's size moves, held against its trend (its share of customers
against one period earlier: growing, declining, or stable within the segmentation's threshold):
'their numbers are rising fast' of a stable or declining segment, 'the group is holding steady'
of one that moves, and 'the main source of our growth' of one that does not lead the growth.
Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _NEGATED_BEFORE, _is_number, _sentence_at
from custseg.strategy.hunches import _about_another  # by a capitalised name: 'our most loyal fans' names no segment
from custseg.strategy.problems import Problem

# 'their numbers are growing', 'this group is shrinking quickly', 'the segment keeps swelling'
SIZE_MOVES = re.compile(
    r"\b(?:segment|group|numbers?|ranks|share|size|headcount)\s+(?:is\s+|are\s+|has\s+been\s+|have\s+been\s+|keeps?\s+|kept\s+)?(growing|rising|swelling|increasing|shrinking|declining|falling|dwindling|decreasing)\b",
    re.IGNORECASE,
)
# 'a growing group', 'a shrinking segment'
SIZE_ADJECTIVE = re.compile(r"\b(growing|rising|swelling|shrinking|declining|dwindling)\s+(?:group|segment|cohort|base)\b", re.IGNORECASE)
GROWING_WORDS = {"growing", "rising", "swelling", "increasing"}
# 'the group is holding steady', 'their numbers stay flat'
SIZE_STEADY = re.compile(
    r"\b(?:segment|group|numbers?|share|size|headcount)\s+(?:is|are|has\s+been|have\s+been|stays?|remains?|holds?|(?:has\s+|have\s+)?(?:stayed|remained|held)|is\s+holding|are\s+holding)\s+"
    r"(?:(?:fairly|pretty|quite|very|broadly|roughly|largely)\s+)?(stable|steady|flat|unchanged)\b",
    re.IGNORECASE,
)
# 'the main source of our growth', 'they drive our growth'
GROWTH_SOURCE = re.compile(
    r"\b(?:main|biggest|largest|primary|chief|key|major|leading|greatest)\s+(?:source|driver|engine)\s+of\s+(?:our\s+|the\s+|your\s+)?(?:(?:shop|store|business|brand|company)'s\s+)?growth\b"
    r"|\b(?:driv(?:e|es|ing)|fuel(?:s|ling)?|power(?:s|ing)?)\s+(?:(?:most|all|much)\s+of\s+)?(?:our|the|your)\s+growth\b"
    r"|\b(?:our|the)\s+growth\s+(?:comes|came)\s+(?:mostly\s+|mainly\s+)?from\s+(?:them|this\s+group)\b",
    re.IGNORECASE,
)
# What the plan would make of them: 'could become the main source of growth', 'to make them drive growth'
_AIM_BEFORE = re.compile(r"\b(?:become|becoming|became|could|can|might|may|would|will|should|to|make\s+them|turn\w*\s+(?:them\s+)?into)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def trend_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> list[Problem]:
    """A claim on how the segment's size moves that its trend contradicts. A sentence that
    compares it with another segment or names another may be about the other one."""
    trend = stats.get("trend")
    if trend not in ("growing", "declining", "stable"):
        return []
    name = stats.get("name") or key
    cite = f"{{segmentations.{segmentation}.segments.{key}.trend}}"
    moved = f" ({_moved(stats)}, {cite})"
    out = []
    for m in [*SIZE_MOVES.finditer(bare), *SIZE_ADJECTIVE.finditer(bare)]:
        says = "growing" if m.group(1).lower() in GROWING_WORDS else "declining"
        if trend != says and not _about_another(_sentence_at(bare, m.start()), key, aliases):
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name}'s trend is {trend}{moved}: cite {{segmentations.{segmentation}.segments.{key}.trend_change}} or leave the trend out"))
    for m in SIZE_STEADY.finditer(bare):
        if trend != "stable" and not _NEGATED_BEFORE.search(bare[: m.start()]) and not _about_another(_sentence_at(bare, m.start()), key, aliases):
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name}'s trend is {trend}{moved}: cite {{segmentations.{segmentation}.segments.{key}.trend_change}} or leave the trend out"))
    return out + _growth_source(path, bare, key, stats, segmentation, fact_segments, aliases)


def _growth_source(path: str, bare: str, key: str, stats: dict, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'The main source of our growth': backed only for a growing segment that bought last
    period and gained more of the customer base than any other (its share of customers against
    one period earlier)."""
    for m in GROWTH_SOURCE.finditer(bare):
        if _NEGATED_BEFORE.search(bare[: m.start()]) or _AIM_BEFORE.search(bare[: m.start()]) or _about_another(_sentence_at(bare, m.start()), key, aliases):
            continue
        why = _not_growth_source(key, stats, fact_segments)
        if why:
            return [Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {why}: say what the facts show (cite {{segmentations.{segmentation}.segments.{key}.trend}} and {{segmentations.{segmentation}.segments.{key}.trend_change}}), or leave growth out")]
    return []


def _moved(stats: dict) -> str:
    """How the segment's share of customers moved, in words."""
    change = stats.get("trend_change")
    if not _is_number(change):
        return "its share of customers against one period earlier"
    said = f"its share of customers changed by {change:+.1%} of itself against one period earlier"
    return said + (", too little to call growing or declining" if stats.get("trend") == "stable" else "")


def _gain(stats: dict) -> float | None:
    """The points of the customer base a segment gained against one period earlier."""
    now, before = stats.get("pct_customers"), stats.get("pct_customers_prev")
    return now - before if _is_number(now) and _is_number(before) else None


def _not_growth_source(key: str, stats: dict, fact_segments: dict) -> str | None:
    """Why the facts say the segment is not the main source of growth, if they do."""
    name = stats.get("name") or key
    if stats.get("trend") != "growing":
        return f"{name}'s trend is {stats.get('trend')} ({_moved(stats)})"
    if stats.get("spend_last_period_per_customer") == 0:
        return f"{name}'s customers spent nothing in the last period"
    gains = {k: _gain(s or {}) for k, s in fact_segments.items() if (s or {}).get("count")}
    mine = gains.get(key)
    top = max(((k, g) for k, g in gains.items() if g is not None), key=lambda kg: kg[1], default=None)
    if mine is not None and top and top[0] != key and top[1] > mine:
        other = (fact_segments[top[0]] or {}).get("name") or top[0]
        return f"{other} gained more of the customer base ({top[1] * 100:+.1f} points of it against {mine * 100:+.1f} for {name})"
    return None
