"""Claims on which way a segment's size moves, held against its trend (its share of customers
against one period earlier: growing, declining, or stable within the segmentation's threshold):
'their numbers are rising fast' of a stable or declining segment, 'the group is holding steady'
of one that moves, and 'the main source of our growth' of one that does not lead the growth.
Words of its size in customers ('more shops slip into this group', 'it keeps getting bigger')
are held against its count one period earlier instead: a segment's count can rise while its
share falls (the base only grows). Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _NEGATED_BEFORE, _is_number, _sentence_at
from custseg.strategy.hunches import _about_another  # by a capitalised name: 'our most loyal fans' names no segment
from custseg.strategy.problems import Problem

# 'their numbers are growing', 'this group is shrinking quickly', 'the segment keeps swelling',
# 'the segment is expanding fast' (a trial, of Champions whose share fell 21.6%), and by the
# segment's own name: 'The Inner Circle has been expanding steadily this year' (a trial)
# 'they keep growing' too, and a subject with its count beside it: 'Champions ({...count} customers)
# keep getting bigger every quarter' (a trial, of a declining Champions, passed where 'The VIP
# Circle is growing' was refused)
_SIZE_SUBJECT = r"segment|group|numbers?|ranks|share|size|headcount|they"
_ASIDE = r"(?:\s*\([^()]*\))?"
# Not their size: 'they are growing their orders', 'they keep growing into regulars'
_NOT_SIZE_AFTER = r"(?!\s+(?:their|the|our|your|its|into|in|up|out|behind|apart|older|fond|tired|used|away|a|an|to|with|by|on)\b)"
_SIZE_MOVES = (
    r"\b(?:{subject})" + _ASIDE + r"\s+(?:is\s+|are\s+|has\s+been\s+|have\s+been\s+|keeps?\s+|kept\s+)?"
    r"(growing|rising|swelling|increasing|expanding|ballooning|shrinking|declining|falling|dwindling|decreasing|contracting)\b" + _NOT_SIZE_AFTER
)
SIZE_MOVES = re.compile(_SIZE_MOVES.format(subject=_SIZE_SUBJECT), re.IGNORECASE)
# 'a growing group', 'a shrinking segment'
SIZE_ADJECTIVE = re.compile(r"\b(growing|rising|swelling|shrinking|declining|dwindling)\s+(?:group|segment|cohort|base)\b", re.IGNORECASE)
GROWING_WORDS = {"growing", "rising", "swelling", "increasing", "expanding", "ballooning", "more", "bigger", "larger"}

# Its size in customers, held against the count one period earlier (count_prev):
_PEOPLE = r"(?:shops|stores|customers|clients|buyers|shoppers|people|accounts|members|subscribers|users|businesses|retailers|stockists|salons|boutiques)"
_INTO_SEGMENT = r"(?:this|the|our)\s+(?:group|segment|tier|cohort|bucket)|it\b"
_A_PERIOD_AGO = r"(?:a|one|last|the\s+last|the\s+previous)\s+(?:period|quarter|month|year|season)(?:\s+ago)?|before|last\s+time|(?:a|one)\s+(?:period|quarter|month|year)\s+ago"
# 'More shops slip into this group every quarter' (a trial, of At Risk whose count went 212 ->
# 207), 'Fewer shops are going quiet than a quarter ago' (a trial, of Dormant: 862 -> 940),
# 'as more customers graduate into it'; not 'more customers than Loyal' (a comparison of segments)
MORE_JOIN = re.compile(
    rf"\b(more|fewer|less)\s+(?:and\s+(?:more|fewer)\s+)?(?:of\s+(?:our|the|your)\s+)?(?:[\w-]+\s+)?{_PEOPLE}\s+(?!than\b)(?:[\w']+\s+){{0,3}}?"
    rf"(?:(?:into|join(?:s|ed|ing)?)\s+(?:{_INTO_SEGMENT})|than\s+(?:{_A_PERIOD_AGO}))",
    re.IGNORECASE,
)
# 'This group keeps getting bigger every quarter' (a trial), 'the segment has grown smaller'
_SIZE_GROWS = (
    r"\b(?:{subject})" + _ASIDE + r"\s+(?:is\s+|are\s+|has\s+been\s+|have\s+been\s+|keeps?\s+|kept\s+|has\s+|have\s+)?"
    r"(?:getting|gets|got|grows|grew|grown|growing|becoming|became|turning)\s+(?:(?:ever|much|a\s+lot|far|steadily)\s+)?(bigger|larger|smaller)\b"
    # 'they are getting bigger discounts': the size of something else
    r"(?!\s+(?:orders?|baskets?|carts?|spend\w*|spenders?|discounts?|purchases?|tickets?|budgets?|amounts?|deals?|items?|bundles?|sizes?|accounts?|businesses|companies|shops?|stores?|customers?|clients?|buyers?|fans?|share|slice|part|piece|role|rewards?|perks?)\b)"
)
SIZE_GROWS = re.compile(_SIZE_GROWS.format(subject=_SIZE_SUBJECT + r"|it"), re.IGNORECASE)
_THAN_BEFORE = re.compile(rf"\bthan\s+(?:{_A_PERIOD_AGO})", re.IGNORECASE)
# A move said to go on or to be fast: more than a change the segmentation calls stable backs
SUSTAINED = re.compile(
    r"\b(?:keeps?|kept|keep\s+on|continues?|continuing|every|each|fast|faster|quickly|rapidly|steadily|sharply|fast-growing|more\s+and\s+more|fewer\s+and\s+fewer|ever\s+(?:more|fewer|bigger|larger|smaller))\b",
    re.IGNORECASE,
)
# What the plan wants: 'to get more shops into this group', 'so fewer customers slip into it'
_WANTED_BEFORE = re.compile(r"\b(?:to|get|gets|getting|bring|move|moving|want|wants|help|aim|aims|so|so\s+that|will|would|could|should|can|may|might|if|once|until|stop|prevent|keep)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
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


def trend_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]], threshold: float | None = None) -> list[Problem]:
    """A claim on how the segment's size moves that its trend (or, for its size in customers,
    its count one period earlier) contradicts; one problem a sentence. A sentence that compares
    it with another segment or names another may be about the other one. ``threshold``: the
    segmentation's trend_threshold, the move of itself it calls stable."""
    trend = stats.get("trend")
    if trend not in ("growing", "declining", "stable"):
        return []
    name = stats.get("name") or key
    cite = f"{{segmentations.{segmentation}.segments.{key}.trend}}"
    moved = f" ({_moved(stats)}, {cite})"
    instead = f"cite {{segmentations.{segmentation}.segments.{key}.trend_change}} or leave the trend out"
    found: dict[str, Problem] = {}  # sentence -> its first problem

    def add(m: re.Match, message: str) -> None:
        sentence = _sentence_at(bare, m.start())
        if not _about_another(_THAN_BEFORE.sub(" ", sentence), key, aliases):  # 'than a quarter ago' compares with the past, not another segment
            found.setdefault(sentence, Problem(path, "claim_contradicts_fact", message))

    for m in [*_size_moves(key, aliases).finditer(bare), *SIZE_ADJECTIVE.finditer(bare)]:
        says = "growing" if m.group(1).lower() in GROWING_WORDS else "declining"
        if trend != says:
            add(m, f"'{_said(m)}' but {name}'s trend is {trend}{moved}: {instead}")
    for m in [*MORE_JOIN.finditer(bare), *_size_grows(key, aliases).finditer(bare)]:
        if _NEGATED_BEFORE.search(bare[: m.start()]) or _WANTED_BEFORE.search(bare[: m.start()]):
            continue
        says = "growing" if m.group(1).lower() in GROWING_WORDS else "declining"
        why = _count_against(says, _sentence_at(bare, m.start()), key, stats, segmentation, threshold)
        if why:
            add(m, f"'{_said(m)}' but {why}")
    for m in SIZE_STEADY.finditer(bare):
        if trend != "stable" and not _NEGATED_BEFORE.search(bare[: m.start()]):
            add(m, f"'{m.group(0)}' but {name}'s trend is {trend}{moved}: {instead}")
    return list(found.values()) + _growth_source(path, bare, key, stats, segmentation, fact_segments, aliases)


def _said(m: re.Match) -> str:
    """A claim as a message quotes it: without the aside between subject and verb, which in the
    text the checks read holds fact references as bare words ('Champions ( fact  customers)')."""
    return re.sub(r"\s*\([^()]*\)", "", m.group(0))


def _own_names(key: str, aliases: list[tuple[str, str]]) -> str:
    """The segment's own names (computed and display), as a regex alternation, longest first."""
    return "|".join(r"\s+".join(map(re.escape, alias.split())) for alias, k in aliases if k == key and alias.strip())


def _size_moves(key: str, aliases: list[tuple[str, str]]) -> re.Pattern:
    """SIZE_MOVES, with the segment's own names as subjects too ('The Inner Circle has been expanding')."""
    names = _own_names(key, aliases)
    return re.compile(_SIZE_MOVES.format(subject=f"{_SIZE_SUBJECT}|{names}"), re.IGNORECASE) if names else SIZE_MOVES


def _size_grows(key: str, aliases: list[tuple[str, str]]) -> re.Pattern:
    """SIZE_GROWS, with the segment's own names as subjects too."""
    names = _own_names(key, aliases)
    return re.compile(_SIZE_GROWS.format(subject=f"{_SIZE_SUBJECT}|it|{names}"), re.IGNORECASE) if names else SIZE_GROWS


def _count_against(says: str, sentence: str, key: str, stats: dict, segmentation: str, threshold: float | None) -> str | None:
    """Why the segment's count one period earlier rules out a claim that it holds more (or fewer)
    customers: it moved the other way or not at all, or, for a move said to go on or be fast
    ('keeps getting bigger every quarter'), by no more than the segmentation calls stable. With
    no counts to compare, the trend of its share decides."""
    now, before = stats.get("count"), stats.get("count_prev")
    name = stats.get("name") or key
    fact = f"segmentations.{segmentation}.segments.{key}"
    if not _is_number(now) or not _is_number(before):
        trend = stats.get("trend")
        return None if trend == says else f"{name}'s trend is {trend} ({_moved(stats)}, {{{fact}.trend}}): cite {{{fact}.trend_change}} or leave the trend out"
    went = f"{name} held {before:,} customers one period earlier and {now:,} now ({{{fact}.count_prev}} -> {{{fact}.count}})"
    if (now - before) * (1 if says == "growing" else -1) <= 0:
        return f"{went}: say how its count moved, or leave the size out"
    change = now / before - 1 if before else None
    if _is_number(threshold) and _is_number(change) and abs(change) <= threshold and SUSTAINED.search(sentence):
        return f"{went}, a move of {change:+.1%}, within the {threshold:.0%} the segmentation calls stable: say it moved slightly ({{{fact}.count_prev}} -> {{{fact}.count}}), not that it keeps moving or moves fast"
    return None


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
