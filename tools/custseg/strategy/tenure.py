"""Claims about when a segment's customers joined: 'they joined this month', 'signed up
recently', 'new this month'. A customer's first purchase comes no later than their last, so a
segment whose median customer last bought months ago did not mostly join this month; the
lifecycle's tenure bands and the migration's count of newcomers say more. A first purchase in
the data is a customer's first only where the data reaches well back before it: on a short
export of subscription renewals no fact says who joined when. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _NEGATED_BEFORE, RECENT_MAX_DAYS, _is_number, _sentence_at
from custseg.strategy.hunches import _TOLD_BY_USER, _about_another
from custseg.strategy.problems import Problem

# A customer becoming one, in the past tense ('to sign up', 'will join' are aims, not claims)
_JOINED = (
    r"(?:joined|signed\s+up|subscribed|registered|enrolled|onboarded|came\s+on\s+board"
    r"|became\s+(?:a\s+)?(?:customers?|subscribers?|members?|clients?|users?)"
    r"|started\s+(?:buying|paying|subscribing|ordering|shopping)"
    r"|(?:made|placed)\s+their\s+first\s+(?:purchase|order|payment)|first\s+(?:bought|ordered|purchased|paid|subscribed|shopped))"
)
_FEW = r"(?:\d+|(?:a\s+)?few|(?:a\s+)?couple\s+of|two|three|four|six)"
_UNIT = r"(?:day|week|fortnight|month|quarter|year)"
# When: 'this month', 'in the last few weeks', 'two weeks ago', 'recently'
_WHEN = rf"(?:(?:in|within|over|during)\s+the\s+(?:last|past)\s+(?:{_FEW}\s+)?{_UNIT}s?|(?:this|last)\s+{_UNIT}|{_FEW}\s+(?:day|week)s?\s+ago|recently|lately|today|yesterday)"
JOIN_CLAIM = re.compile(
    rf"\b(?:just|recently|newly)\s+{_JOINED}\b"
    # not 'started buying again this month' (a return) nor 'joined before this month'
    rf"|\b{_JOINED}\s+(?:(?!(?:before|after|since|until|by|when|again|back)\b)[\w'-]+\s+){{0,3}}?{_WHEN}\b"
    # 'they are new this month', 'mostly new customers this quarter' (of people: not a newsletter's 'what is new this month')
    rf"|(?:\b(?:are|were)|'re)\s+(?:(?:all|mostly|mainly|largely|brand|still|fairly)\s+)*new\s+(?:(?:customers|subscribers|members|clients|buyers|sign-?ups|users|accounts)\s+)?{_WHEN}\b",
    re.IGNORECASE,
)
# 'those who joined this month': a part of the segment a plan picks, outside the persona
_SUBSET_BEFORE = re.compile(r"\b(?:anyone|anybody|everyone|everybody|those|people|customers|contacts|subscribers|members|users|accounts|buyers|clients|ones)\s+(?:who|that)\s+(?:have\s+|has\s+)?$", re.IGNORECASE)
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 31, "quarter": 92, "year": 366}
_COUNT = {"few": 3, "couple of": 2, "two": 2, "three": 3, "four": 4, "six": 6}


def _count(word: str | None) -> int:
    if not word:
        return 1
    word = re.sub(r"^a\s+", "", re.sub(r"\s+", " ", word.lower()))
    return int(word) if word.isdigit() else _COUNT.get(word, 1)


def claimed_window(said: str) -> int:
    """The days back a join claim reaches: 'this month' 31, 'last month' 62, 'in the last few
    weeks' 21, 'just joined' 31, 'recently' as elsewhere in the checks (RECENT_MAX_DAYS)."""
    if re.search(r"\b(?:today|yesterday)\b", said, re.IGNORECASE):
        return 2
    within = re.search(rf"\b(?:last|past)\s+(?:({_FEW})\s+)?({_UNIT})s?\b", said, re.IGNORECASE)
    if within and re.search(r"\bthe\s+(?:last|past)\b", said, re.IGNORECASE):
        return _count(within.group(1)) * _UNIT_DAYS[within.group(2).lower()]
    this = re.search(rf"\b(this|last)\s+({_UNIT})\b", said, re.IGNORECASE)
    if this:
        return _UNIT_DAYS[this.group(2).lower()] * (2 if this.group(1).lower() == "last" else 1)
    ago = re.search(rf"\b({_FEW})\s+(day|week)s?\s+ago\b", said, re.IGNORECASE)
    if ago:
        return _count(ago.group(1)) * _UNIT_DAYS[ago.group(2).lower()]
    return _UNIT_DAYS["month"] if re.match(r"just\b", said, re.IGNORECASE) else RECENT_MAX_DAYS


def join_claims(path: str, bare: str, key: str, segmentation: str, facts: dict, aliases: list[tuple[str, str]], activity: bool = False) -> list[Problem]:
    """'They joined this month' in a segment's own text: refused when its facts say most of
    them joined earlier, passed when they say most joined then, and otherwise not in the data.
    A sentence about another segment, negated, or given as the user's word is not judged."""
    for m in JOIN_CLAIM.finditer(bare):
        sentence = _sentence_at(bare, m.start())
        if _NEGATED_BEFORE.search(bare[: m.start()]) or _TOLD_BY_USER.search(sentence) or _about_another(sentence, key, aliases):
            continue
        if _SUBSET_BEFORE.search(bare[: m.start()]) and not path.endswith(".persona"):
            continue
        said, window = m.group(0), claimed_window(m.group(0))
        seg = (facts.get("segmentations") or {}).get(segmentation) or {}
        found = _joined_earlier(said, window, key, segmentation, seg, _period(seg, facts), activity)
        if found:
            return [Problem(path, "claim_contradicts_fact", found)]
        if not _joined_then(window, key, seg, facts, activity):
            return [Problem(path, "claim_not_in_data", _unknown(said, window, key, seg, facts, activity))]
    return []


def _band(seg: dict, key: str) -> dict | None:
    """A lifecycle stage's tenure band (days since the first purchase), if the segmentation has one."""
    bands = (seg.get("definition") or {}).get("tenure_bands_days") if seg.get("kind") == "lifecycle" else None
    return next((b for b in bands or [] if isinstance(b, dict) and b.get("key") == key), None)


def _joined_earlier(said: str, window: int, key: str, segmentation: str, seg: dict, period: int | None, activity: bool) -> str | None:
    """Why the facts say most of the segment joined before the window, if they do."""
    stats = (seg.get("segments") or {}).get(key) or {}
    name = stats.get("name") or key
    stat = "days_since_active" if activity and _is_number(stats.get("days_since_active")) else "median_recency_days"
    days = stats.get(stat)
    bought = "were last active" if activity else "last bought"
    first = "first activity" if activity else "first purchase"
    if _is_number(days) and days > window:
        return f"'{said}' but {name}'s customers {bought} a median {days:g} days ago, and nobody's {first} comes after their last: most of them joined before that; cite {{segmentations.{segmentation}.segments.{key}.{stat}}} instead, or leave out when they joined"
    band = _band(seg, key)
    if band and _is_number(band.get("min")) and band["min"] > window:
        return f"'{said}' but {name} holds the customers whose {first} was {band['min']:g} days or more ago (its tenure band: {stats.get('rule') or 'the lifecycle definition'}); say how long they have been customers by their stage, or leave out when they joined"
    entered, count = ((seg.get("migration") or {}).get("entered") or {}).get(key), stats.get("count")
    if _is_number(entered) and _is_number(count) and count and period and window <= period and entered < count / 2:
        return f"'{said}' but only {entered:,} of the {count:,} customers in {name} first bought in the last {period:g} days: cite {{segmentations.{segmentation}.migration.entered.{key}}} beside {{segmentations.{segmentation}.segments.{key}.count}} instead"
    return None


def _period(seg: dict, facts: dict) -> int | None:
    """The days of the migration's period, whose newcomers first bought after it began (none
    without a migration: it needs two periods of data)."""
    return facts.get("period_days") if seg.get("migration") and _is_number(facts.get("period_days")) else None


def _reaches_back(window: int, facts: dict) -> bool:
    """Whether the data covers a whole period before the window: else a customer's first
    purchase in it may be a renewal of a subscription taken out before the data begins."""
    days, period = (facts.get("data") or {}).get("days_covered"), facts.get("period_days")
    return _is_number(days) and _is_number(period) and days >= window + period


def _joined_then(window: int, key: str, seg: dict, facts: dict, activity: bool) -> bool:
    """Whether the facts say most of the segment joined within the window: a lifecycle stage
    inside it, most of them newcomers of a period no longer than it, or customers who each
    bought on one day, a median inside it, on data that reaches back before it."""
    stats = (seg.get("segments") or {}).get(key) or {}
    band = _band(seg, key)
    if band and _is_number(band.get("max")) and band["max"] <= window:
        return _reaches_back(window, facts)
    entered, count, period = ((seg.get("migration") or {}).get("entered") or {}).get(key), stats.get("count"), _period(seg, facts)
    if _is_number(entered) and _is_number(count) and count and period and window >= period and entered >= count / 2:
        return True
    days = stats.get("days_since_active" if activity else "median_recency_days")
    return stats.get("repeat_rate") == 0 and _is_number(days) and days <= window and _reaches_back(window, facts)


def _unknown(said: str, window: int, key: str, seg: dict, facts: dict, activity: bool) -> str:
    """Why no fact says when most of the segment joined, and what to say instead."""
    stats = (seg.get("segments") or {}).get(key) or {}
    name = stats.get("name") or key
    data = facts.get("data") or {}
    first = "first activity" if activity else "first purchase"
    if not _reaches_back(window, facts) and _is_number(data.get("days_covered")):
        why = f"the data covers {data['days_covered']:g} days, so a customer's {first} in it need not be their first"
        share = (data.get("recurring") or {}).get("customers_share")
        if _is_number(share) and share > 0:
            why += f", and {share:.0%} of customers pay by subscription (a renewal is no sign-up)"
    elif stats.get("repeat_rate"):
        why = f"some of {name} bought on more than one day, so when they last bought says nothing of when they first did"
    else:
        why = f"no fact counts when {name}'s customers first bought"
    return f"'{said}': {why}; leave out when they joined, or give it as the user's own observation ('you told us ...')"
