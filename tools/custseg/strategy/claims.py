"""Claims in a plan's free text that the facts can prove wrong: a segment's share of revenue or
customers, how often and how recently its customers buy, comparisons with other segments (held to their ranks by
comparisons_ranked), another segment's figure told as this one's, a count cited as the people an
email reaches, and money promised. Each check returns check.py problems; standard library only."""

from __future__ import annotations

import functools
import re
from typing import Any

from custseg.strategy.comparisons_ranked import _RECENT_MONEY_AFTER, _RECENT_MONEY_BEFORE, _named_at, ranked_comparisons
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import AT_LEAST, products_named, segment_products
from custseg.strategy.resolve import PLACEHOLDER, value_kind

# Words about a segment that its facts can prove wrong: its share of revenue or of customers.
MOST_OF = re.compile(
    r"\b(?P<q>most|the\s+bulk|(?:the\s+)?majority|over\s+half|more\s+than\s+half)\s+of\s+(?:our\s+|the\s+|your\s+|all\s+|its\s+)?" + _RECENT_MONEY_BEFORE
    + r"(?P<base>revenue|sales|income|spend|customers|buyers|base)\b" + _RECENT_MONEY_AFTER,
    re.IGNORECASE,
)


# 'most of them', 'the majority of our customers', 'over half': a claim on most of the segment
_MOST_OF_THEM = r"\b(?:most|nearly\s+all|almost\s+all|(?:the\s+)?majority|the\s+bulk|over\s+half|more\s+than\s+half)\b(?:\s+of\s+(?:them|these|those|(?:the|this|our|your)\s+\w+))?"
# 'most of them bought several times', 'the majority come back again', 'most came back for a
# second dress', 'most have reordered'
REPEAT_CLAIM = re.compile(
    # up to three words between: 'most Lapsed Big Spenders ordered from us several times' (a trial)
    _MOST_OF_THEM + r"(?:\s+(?!(?:not|never|no|rarely|seldom|hardly|didn|don|haven|hasn)\b)[\w'-]+){0,3}?"
    r"\s+(?:(?:have|has|had|do|did)\s+)?(?:"
    r"(?:bought|buy|ordered|order|purchased|purchase|came\s+back|come\s+back|returned|return|repeat(?:ed)?|shopped|shop)"
    r"\s+(?:(?:from|with)\s+(?:us|you)\s+)?(?:again|more\s+than\s+once|several\s+times|many\s+times|repeatedly|twice|multiple\s+times|often|regularly|(?:for\s+)?(?:a\s+second|another)\b)"
    r"|re-?(?:order(?:s|ed)?|purchas(?:e|es|ed)|bought|buy|buys)"
    # 'came back to buy again', 'came back for more', 'most of them came back.' (not 'came back to the site')
    r"|(?:came|come)\s+back\s+(?:to\s+(?:buy|order|shop|purchase)(?:\s+again)?|for\s+(?:more|another|a\s+second))"
    r"|(?:came|come)\s+back(?=\s*[.;!]|\s*$)"
    # 'the majority renewed and kept paying month after month'
    r"|renew(?:ed|s)?|kept\s+(?:paying|buying|ordering|shopping|coming\s+back|renewing)"
    r")\b",
    re.IGNORECASE,
)
# 'They have already placed several orders each' (a trial, of First-Timers who bought on one
# day): the segment's customers, not a subset ('customers who placed several orders')
SEVERAL_ORDERS = re.compile(r"\b(?:placed|made)\s+(?:several|many|multiple|repeated|repeat|two\s+or\s+more|a\s+few)\s+(?:orders|purchases)\b", re.IGNORECASE)
_SUBSET_OR_AIM_BEFORE = re.compile(r"\b(?:who|that|which|to|if|once|when|after|until)\s+(?:[\w'-]+\s+){0,2}$", re.IGNORECASE)
# The reverse: 'most of them bought only once', 'the majority are one-time buyers', 'most never
# came back'; not 'once a month' (a cadence) nor 'once or twice'.
_ONLY = r"(?:only\s+|just\s+)?"
_HAVE_ONLY = r"(?:(?:have|has|had)\s+)?" + _ONLY
ONCE_CLAIM = re.compile(
    _MOST_OF_THEM + r"(?:\s+\w+){0,2}?\s+(?:"
    + _HAVE_ONLY + r"(?:bought|ordered|purchased|shopped|paid)\s+(?:from\s+us\s+)?" + _ONLY + r"once\b(?!\s+(?:or|a|an|per|every|each|again|in)\b)"
    r"|(?:are|were)\s+" + _ONLY + r"one-?(?:time|off)\s+(?:buyers|customers|shoppers|purchasers|clients)\b"
    r"|never\s+(?:came\s+back|come\s+back|returned|bought\s+again|ordered\s+again|purchased\s+again|re-?ordered)\b"
    # 'placed a single order', 'ordered just one time', 'made only one purchase'
    r"|" + _HAVE_ONLY + r"(?:placed|made)\s+" + _ONLY + r"(?:a\s+single|one|1)\s+(?:order|purchase)\b(?!\s+(?:a|an|per|every|each)\b)"
    r"|" + _HAVE_ONLY + r"(?:bought|ordered|purchased|shopped)\s+(?:from\s+us\s+)?" + _ONLY + r"(?:one|a\s+single)\s+time\b"
    r")",
    re.IGNORECASE,
)
# 'our most active users', 'the most engaged group': held against active_days_30 (usage groups)
MOST_ACTIVE = re.compile(r"\b(?:our|the|their)\s+most\s+(?:active|engaged)\b|\bmost\s+(?:active|engaged)\s+(?:users|customers|members|accounts|group|segment)\b", re.IGNORECASE)
# 'the biggest spenders', 'highest-value', 'top spenders per head': not 'top spenders among the lapsed'
TOP_SPEND = re.compile(r"\b(?:biggest|highest|largest|top|best)[-\s]+(?:spenders?|spending|value|paying|payers|revenue\s+per\s+(?:head|customer))\b", re.IGNORECASE)
TOP_BASKET = re.compile(r"\b(?:biggest|highest|largest|top)[-\s]+(?:average\s+)?(?:baskets?|carts?|order\s+values?|orders?)\b", re.IGNORECASE)
# Said of the segment ('they are our biggest spenders', 'the highest-value group'), not picking
# some of its customers ('a voucher for the top spenders'), ranking within it ('top spenders
# among the lapsed') or its past ('were once the biggest spenders').
_SAID_OF_SEGMENT_BEFORE = re.compile(r"(?:\b(?:are|is|remain|remains|as|have|has)|'re)\s+(?:(?:the|our|your|by\s+far|easily|still|clearly)\s+)*$", re.IGNORECASE)
_SAID_OF_SEGMENT_AFTER = re.compile(r"[\s-]+(?:per\s+(?:head|customer)|group|segment|cohort|tier)\b", re.IGNORECASE)
# 'Our biggest spenders, they ...': the claim opens the sentence and the segment follows as its subject
_SENTENCE_OPENS = re.compile(r"(?:^|[.!?;]\s+)(?:(?:our|the|your)\s+)?$", re.IGNORECASE)
_APPOSITIVE_AFTER = re.compile(r"\s*(?:,|:|—|–|\s-)\s*(?:they|these|this\s+group)\b", re.IGNORECASE)
_QUALIFIED = re.compile(r"\s+(?:among|of|in|within|from)\b", re.IGNORECASE)
# '... in the shop', '... of all', '... overall': the whole customer base, so the bare claim, not a qualified one
_WHOLE_BASE = re.compile(
    r"\s+(?:(?:in|of|across|at|among)\s+(?:(?:the|our|your|this|my|whole|entire|customer|client)\s+)*(?:shop|store|business|brand|company|base|list)\b(?!\s+(?:who|that|which))"
    r"|of\s+(?:them\s+)?all\b(?!\s+(?!(?:our|the|your)\s+(?:customers|clients|buyers|shoppers|segments|groups)\b)\w)|overall\b)",
    re.IGNORECASE,
)
# 'they buy every month', 'most of them reorder about every 3 weeks', 'customers who shop weekly',
# 'they restock roughly every month' (a trial, of Loyal shops with 79 days between orders), 'every
# few weeks': a claim on how often the segment's customers come back, held against median_gap_days
_CADENCE_VERB = (
    r"(?:buy|buys|bought|shop|shops|shopped|order|orders|ordered|reorder|reorders|purchase|purchases|purchased|come\s+back|comes\s+back|came\s+back|return|returns|returned|renew|renews|renewed"
    r"|restock|restocks|restocked|stock\s+up|stocks\s+up|stocked\s+up|top\s+up|tops\s+up|topped\s+up|replenish|replenishes|replenished)"
)
# Who a cadence is said of: the segment's customers in a shop's words or a trade buyer's ('shops
# that restock', a trial's persona of Loyal), or a relative ('who', 'that') after them.
_CADENCE_SUBJECTS = (
    r"they|most|many|customers?|buyers?|shoppers?|clients?|members?|who|(?<!so\s)that|shops?|stores?|accounts?|businesses|business|people"
    r"|users?|subscribers?|retailers?|stockists?|regulars"
)
# Words between the subject and the verb that make it no claim of how they buy: a negation ('do
# not reorder'), an aim or a possibility ('shops to reorder', 'will reorder'), the plan's own doing
_NOT_A_HABIT = r"(?!(?:not|never|no|rarely|seldom|hardly|to|will|would|could|should|can|might|may|must|we|you|i)\b)"
# Before the subject: what the plan wants, or a condition ('get more shops to', 'help them', 'if they')
_AIM_BEFORE = re.compile(r"\b(?:so\s+that|until|unless|if|help|helps|get|gets|make|makes|let|encourage|nudge|want|wants|expect|hope)\s+(?:(?:the|our|your|more|these|those|all|each|every|some)\s+)*$", re.IGNORECASE)


def _cadence_pattern(subjects: str) -> re.Pattern:
    """A cadence claim whose subject is one of ``subjects`` (a regex alternation)."""
    return re.compile(
        rf"(?<!\w)(?:{subjects})(?!\w)(?:\s+of\s+them)?(?:\s+(?:used\s+to|{_NOT_A_HABIT}\w+)){{0,2}}?\s+"
        rf"{_CADENCE_VERB}\s+"
        r"(?:(?:from|with|at|through)\s+(?:us|you|the\s+\w+|our\s+\w+|your\s+\w+)\s+)?(?:(?:again\s+)?(?:about|roughly|around|nearly|almost|approximately|typically|usually)\s+)?"
        r"(?:(daily|weekly|fortnightly|monthly|quarterly|yearly|annually)|(?:once\s+|twice\s+)?(?:a|an|per|every|each)\s+(?:(other)\s+|(\d+|two|three|four|five|six|few|couple\s+of)\s+)?(day|week|fortnight|month|quarter|year)s?)\b",
        re.IGNORECASE,
    )


CADENCE_CLAIM = _cadence_pattern(_CADENCE_SUBJECTS)


@functools.lru_cache(maxsize=32)
def _named_cadence(names: tuple[str, ...]) -> re.Pattern:
    """A cadence claim said of a segment by name ('The Steady Reorderers restock roughly every month')."""
    return _cadence_pattern("|".join(r"\s+".join(re.escape(w) for w in name.split()) for name in names))


def cadence_claims(bare: str, aliases: list[tuple[str, str]] | None = None) -> list[re.Match]:
    """The cadence claims of a text, in order: said of 'they', 'shops that', 'customers who' or a
    segment's name, display name or key; not an aim ('get more shops to reorder every month')."""
    found = list(CADENCE_CLAIM.finditer(bare))
    names = tuple(alias for alias, _ in aliases or [] if alias.split())
    for m in _named_cadence(names).finditer(bare) if names else ():
        if not any(m.start() < f.end() and f.start() < m.end() for f in found):
            found.append(m)
    return [m for m in sorted(found, key=lambda m: m.start()) if not _AIM_BEFORE.search(bare[: m.start()])]


# Going quiet, in words of buying and of usage (an event log's users stop visiting, not buying).
_QUIET_ING = r"buying|paying|ordering|shopping|purchasing|renewing|coming\s+back|visiting|using|logging\s+in|signing\s+in|opening|engaging|showing\s+up"
_QUIET_PAST = r"bought|paid|ordered|shopped|purchased|renewed|been\s+back|come\s+back|visited|used|logged\s+in|signed\s+in|been\s+active|opened|engaged|shown\s+up"
_LONG_AGO = r"(?:months|years|ages|(?:over\s+|more\s+than\s+)?a\s+year|a\s+long\s+time)\s+ago"
# 'they stopped paying months ago', 'haven't bought in a year', 'stopped visiting many months
# ago', 'last ordered over a year ago', 'long gone': a claim that the segment went quiet long
# ago, held against median_recency_days (days_since_active for usage)
LONG_AGO_CLAIM = re.compile(
    rf"\bstopped\s+(?:{_QUIET_ING})\b(?:\s+\w+){{0,4}}?\s+{_LONG_AGO}\b"
    rf"|\b(?:haven't|have\s+not|hasn't|has\s+not|hadn't|had\s+not)\s+(?:{_QUIET_PAST})\s+(?:\w+\s+){{0,2}}?(?:in|for)\s+(?:many\s+|several\s+|over\s+|more\s+than\s+)?(?:months|years|a\s+year|ages|a\s+long\s+time)\b"
    rf"|\blast\s+(?:{_QUIET_PAST}|active)\s+(?:\w+\s+){{0,2}}?{_LONG_AGO}\b"
    r"|\blong\s+gone\b"
    rf"|\b(?:lapsed|left|churned|went\s+quiet|gone\s+quiet|dropped\s+off)\s+(?:long\s+ago|{_LONG_AGO})\b",
    re.IGNORECASE,
)
# A claim in years ('years ago', 'over a year') is false of a segment quiet for less than a year.
_IN_YEARS = re.compile(r"\byears?\b", re.IGNORECASE)
# 'they bought recently', 'ordered in the last few days', 'just bought': the opposite claim
RECENT_CLAIM = re.compile(
    r"\b(?:bought|ordered|purchased|shopped|paid|renewed)\s+(?:\w+\s+){0,3}?(?:recently|(?:in|within|over)\s+the\s+(?:last|past)\s+(?:few\s+|couple\s+of\s+)?(?:days|weeks?|fortnights?)|this\s+week|last\s+week|(?:a\s+)?few\s+days\s+ago|yesterday)\b"
    r"|\bjust\s+(?:bought|ordered|purchased|renewed)\b",
    re.IGNORECASE,
)
_NEGATED_BEFORE = re.compile(r"(?:\bnot|\bnever|n't|\bno\s+longer)\s+(?:\w+\s+)?$", re.IGNORECASE)
LONG_AGO_MIN_DAYS = 60  # 'months ago' of a segment whose median customer bought within two months is false
LONG_AGO_YEAR_MIN_DAYS = 365  # 'years ago' of one whose median customer bought within the year is false
RECENT_MAX_DAYS = 90  # 'recently' of one whose median customer last bought over three months ago is false
# Words that compare the segment with another: a figure or claim about the other side is fine.
_COMPARING = re.compile(r"\b(?:than|unlike|compared|versus|vs|against|as\s+\w+\s+as)\b", re.IGNORECASE)


def _sentence_at(text: str, pos: int) -> str:
    """The sentence of ``text`` around ``pos`` (fact references hold dots, never a dot and a space)."""
    start, end = _sentence_span(text, pos)
    return text[start:end]


def _about_another(sentence: str, key: str, aliases: list[tuple[str, str]]) -> bool:
    """Whether a sentence compares the segment with another or names another segment."""
    return bool(_COMPARING.search(sentence)) or any(k != key and name_spans(alias, sentence) for alias, k in aliases)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _recency_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]], activity: bool = False) -> list[Problem]:
    """'They stopped paying months ago' of a segment that last bought a median 12 days ago,
    'stopped buying years ago' of one quiet for four months, or 'they bought recently' of one a
    median 400 days quiet: median_recency_days says otherwise (days_since_active for a usage
    group). A sentence that compares them with another segment may be about the other one."""
    stat = "days_since_active" if activity and _is_number(stats.get("days_since_active")) else "median_recency_days"
    days = stats.get(stat)
    if not _is_number(days):
        return []
    name = stats.get("name") or key
    found = [m for m in LONG_AGO_CLAIM.finditer(bare) if days < (LONG_AGO_YEAR_MIN_DAYS if _IN_YEARS.search(m.group(0)) else LONG_AGO_MIN_DAYS)]
    found += [m for m in RECENT_CLAIM.finditer(bare) if days > RECENT_MAX_DAYS and not _NEGATED_BEFORE.search(bare[: m.start()])]
    last = f"the users in {name} were last active (any event)" if activity else f"{name}'s customers last bought"
    return [
        Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {last} a median {days:g} days ago: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} instead")
        for m in found
        if not _about_another(_sentence_at(bare, m.start()), key, aliases)
    ]


def _said_of_segment(pattern: re.Pattern, bare: str, key: str, aliases: list[tuple[str, str]]) -> list[re.Match]:
    """The claims ``pattern`` finds, but not in a sentence that compares the segment with
    another or names another (it may be about the other one)."""
    return [m for m in pattern.finditer(bare) if not _about_another(_sentence_at(bare, m.start()), key, aliases)]


def _once_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'Most of them bought only once' of a segment most of whose customers bought on more than
    one day. A sentence that compares them with another segment may be about the other one."""
    repeat = stats.get("repeat_rate")
    if not _is_number(repeat) or repeat < 0.5:
        return []
    name = stats.get("name") or key
    return [
        Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {repeat:.1%} of {name} bought on more than one day: cite {{segmentations.{segmentation}.segments.{key}.repeat_rate}} instead")
        for m in _said_of_segment(ONCE_CLAIM, bare, key, aliases)
    ]


def _most_active_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'They are our most active users' of a usage group another one outdoes in active days."""
    days = stats.get("active_days_30")
    rivals = [(s.get("active_days_30"), s.get("name") or k) for k, s in fact_segments.items() if k != key and s.get("count") and _is_number(s.get("active_days_30"))]
    top = max(rivals, default=None)
    if not _is_number(days) or top is None or days >= top[0]:
        return []
    name = stats.get("name") or key
    return [
        Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but the users in {name} were active on {days:g} of the last 30 days on average, {top[1]} on {top[0]:g}: cite {{segmentations.{segmentation}.segments.{key}.active_days_30}} instead")
        for m in _said_of_segment(MOST_ACTIVE, bare, key, aliases)
    ]


_CADENCE_DAYS = {"day": 1, "daily": 1, "week": 7, "weekly": 7, "fortnight": 14, "fortnightly": 14, "month": 30, "monthly": 30, "quarter": 91, "quarterly": 91, "year": 365, "yearly": 365, "annually": 365}
_SMALL_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "few": 3, "couple of": 2}
CADENCE_TOLERANCE = 2.0  # a claimed gap within half to twice the median gap is taken as the same cadence


def _claimed_gap(m: re.Match) -> float:
    """The days between purchases a cadence claim says: 'every 3 weeks' 21, 'twice a month' 15."""
    adverb, other, count, unit = m.groups()
    days = float(_CADENCE_DAYS[(adverb or unit).lower()])
    if other:
        days *= 2
    elif count:
        days *= int(count) if count.isdigit() else _SMALL_NUMBERS[re.sub(r"\s+", " ", count.lower())]
    return days / 2 if re.search(r"\btwice\s", m.group(0), re.IGNORECASE) else days


def segment_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, fact_segments: dict | None = None, aliases: list[tuple[str, str]] | None = None, days_covered: int | None = None, *, activity: bool = False, revenue: bool = True, unattributed: float = 0.0, held_elsewhere: frozenset[int] = frozenset(), thin: frozenset[str] = frozenset()) -> list[Problem]:
    """A claim the segment's own facts contradict: 'most of the revenue' from a segment that
    brings less than half, 'most of them bought several times' when most bought once (or 'most
    bought only once' when most came back), 'the biggest spenders' from a segment another one
    outspends. ``activity``:
    the segmentation counts activity (an event log's usage), not purchases; ``revenue``: the
    data holds amounts; ``unattributed``: sales that named no customer (in no segment);
    ``held_elsewhere``: where cadence claims start that are held to the gap their sentence
    cites; ``thin``: the segments whose next-period rate is of too few customers to rank them by."""
    out = []
    name = stats.get("name") or key
    repeat = stats.get("repeat_rate")
    mostly_once = isinstance(repeat, (int, float)) and repeat < 0.5

    def bought_once(m: re.Match) -> Problem:
        came_back = f"of the users in {name} were active" if activity else f"of {name} bought"
        return Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but only {repeat:.1%} {came_back} on more than one day: cite {{segmentations.{segmentation}.segments.{key}.repeat_rate}} instead")

    out += [bought_once(m) for m in REPEAT_CLAIM.finditer(bare) if mostly_once]
    out += [bought_once(m) for m in _said_of_segment(SEVERAL_ORDERS, bare, key, aliases or []) if mostly_once and not activity
            and not _NEGATED_BEFORE.search(bare[: m.start()]) and not _SUBSET_OR_AIM_BEFORE.search(bare[: m.start()])]
    out += _once_claims(path, bare, key, stats, segmentation, aliases or []) if not activity else []  # active days say nothing of how often they bought
    out += ranked_comparisons(path, bare, key, segmentation, fact_segments or {}, aliases or [])
    out += _recency_claims(path, bare, key, stats, segmentation, aliases or [], activity)
    out += _most_active_claims(path, bare, key, stats, segmentation, fact_segments or {}, aliases or [])
    gap = stats.get("median_gap_days")
    for m in cadence_claims(bare, aliases):
        if m.start() in held_elsewhere or _of_another(bare, m, key, aliases or []):
            continue
        claimed = _claimed_gap(m)
        if isinstance(gap, (int, float)) and gap > 0 and not gap / CADENCE_TOLERANCE <= claimed <= gap * CADENCE_TOLERANCE:
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name}'s customers who bought more than once typically came back every {gap:g} days: cite {{segmentations.{segmentation}.segments.{key}.median_gap_days}} instead"))
        # too few came back to measure a gap, over data long enough to see two of the claimed gaps: most bought once
        elif gap is None and mostly_once and isinstance(days_covered, int) and days_covered >= 2 * claimed:
            out.append(bought_once(m))
    for pattern, stat, what in ((TOP_SPEND, "avg_value", "spend per customer"), (TOP_BASKET, "aov", "average order value")):
        top = _top_segment(fact_segments or {}, stat)
        own = stats.get(stat)
        for m in pattern.finditer(bare):
            said_of_segment = (_SAID_OF_SEGMENT_BEFORE.search(bare[: m.start()]) or _SAID_OF_SEGMENT_AFTER.match(bare[m.end():])
                               or (_SENTENCE_OPENS.search(bare[: m.start()]) and _APPOSITIVE_AFTER.match(bare[m.end():])))
            if not said_of_segment or (_QUALIFIED.match(bare[m.end():]) and not _WHOLE_BASE.match(bare[m.end():])):
                continue
            if top and top[0] != key and isinstance(own, (int, float)) and own < top[1]:
                top_name = (fact_segments or {})[top[0]].get("name") or top[0]
                out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {top_name} has the highest {what}, not {name}: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} beside {{segmentations.{segmentation}.segments.{top[0]}.{stat}}}, or qualify the claim ('the biggest spenders among ...')"))
    out += _majority_claims(path, bare, key, stats, segmentation, revenue, unattributed)
    out += _likeliest_to_leave(path, bare, key, segmentation, fact_segments or {}, aliases or [], thin)
    return out


def _of_another(bare: str, m: re.Match, key: str, aliases: list[tuple[str, str]]) -> bool:
    """Whether a claim's sentence names a segment other than ``key`` (written as a name is):
    'Unlike the Dormant, who buy once a year' is the Dormant's cadence, not theirs."""
    return any(k != key for _, _, k in named_segments(_sentence_at(bare, m.start()), aliases, capitalized=True))


# 'the shops most likely to churn', 'most at risk', 'our likeliest to lapse', 'the least likely to
# come back': said of the segment
LIKELIEST_TO_LEAVE = re.compile(
    r"\b(?:most\s+likely|likeliest|most\s+prone)\s+to\s+(?:churn|lapse|leave|cancel|quit|drop\s+off|go\s+quiet|walk\s+away|be\s+lost|stop\s+(?:buying|ordering|paying|shopping|renewing))\b"
    r"|\bleast\s+likely\s+to\s+(?:come\s+back|return|buy\s+again|order\s+again|reorder|shop\s+again|purchase\s+again|renew|stay)\b"
    r"|\bmost\s+at\s+risk\b|\b(?:highest|biggest|greatest)\s+(?:churn|lapse|attrition)\s+risk\b|\bat\s+(?:the\s+)?(?:highest|greatest)\s+risk\b",
    re.IGNORECASE,
)
# What they may become, or were: 'protect them from becoming the shops most likely to churn'
_BECOMING_BEFORE = re.compile(
    r"\b(?:becom\w*|became|turn\w*\s+into|end\w*\s+up|from\s+being|slip\w*\s+into|drift\w*\s+into|join\w*|prevent\w*|protect\w*|avoid\w*|keep\s+them\s+from|stop\s+them"
    r"|could|would|might|may|will|if|once|were|was|used\s+to|not|never|no\s+longer)\b",
    re.IGNORECASE,
)
# Or what would happen: 'most at risk if we stop calling', 'at the highest risk when stock runs out'
_CONDITION_AFTER = re.compile(r"[\s,]+(?:when|whenever|if|once|unless|should|during|after)\b", re.IGNORECASE)
_LEAVING_RATES = ("next_repeat_rate", "repeat_rate")  # who bought again next period; else who ever did


def _likeliest_to_leave(path: str, bare: str, key: str, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]], thin: frozenset[str] = frozenset()) -> list[Problem]:
    """'The shops most likely to churn' of Champions (a trial), 'the least likely to come back'
    of a segment a third of which came back (another): only the segment that came back least in
    the next period is the likeliest to leave. A rate of too few customers at the check's cutoff
    (``thin``) ranks no segment below another."""
    counted = {k: v for k, v in fact_segments.items() if isinstance(v, dict) and v.get("count")}
    stat = next((s for s in _LEAVING_RATES if _is_number((counted.get(key) or {}).get(s))), None)
    rates = {k: v[stat] for k, v in counted.items() if stat and _is_number(v.get(stat)) and not (stat == "next_repeat_rate" and k in thin and k != key)}
    if not rates or key not in rates:
        return []
    low = min(rates, key=rates.get)
    if rates[key] <= rates[low]:
        return []
    found = [m for m in LIKELIEST_TO_LEAVE.finditer(bare)
             if not _BECOMING_BEFORE.search(_sentence_at(bare[: m.start()], m.start())) and not _CONDITION_AFTER.match(bare, m.end()) and not _COMPARING.search(_sentence_at(bare, m.start())) and not _of_another(bare, m, key, aliases)]
    name, low_name = (fact_segments[k].get("name") or k for k in (key, low))
    top = "; the highest of any segment" if rates[key] == max(rates.values()) else ""
    what = "bought again in the next period" if stat == "next_repeat_rate" else "bought on more than one day"
    return [
        Problem(path, "claim_contradicts_fact", (
            f"'{m.group(0)}' but {rates[key]:.1%} of {name} {what} ({{segmentations.{segmentation}.segments.{key}.{stat}}}{top}) against {rates[low]:.1%} of {low_name} "
            f"({{segmentations.{segmentation}.segments.{low}.{stat}}}): the facts make {low_name} likelier to lapse; say what could make them leave, not that they are likeliest to"))
        for m in found[:1]
    ]


def _majority_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, revenue: bool, unattributed: float = 0.0) -> list[Problem]:
    """'Most of the revenue' from a segment with half of it or less (or of the customers), or
    on data that holds no revenue at all (an event log without amounts). A revenue share is of
    the sales that name a customer: where sales naming none (guest orders) bring the segment's
    part of all sales to half or less, 'most of our revenue' is not so either."""
    out = []
    name = stats.get("name") or key
    for m in MOST_OF.finditer(bare):
        stat = "pct_customers" if m.group("base").lower() in ("customers", "buyers", "base") else "revenue_share"
        if stat == "revenue_share" and (m.group("recent") or m.group("recent_after")) and _is_number(stats.get("recent_revenue_share")):
            # of the last year's money: its share of the 365 days up to the as-of date (a fashion
            # brand's Dormant held 79.8% of all revenue and 42.7% of the last year's)
            share = stats["recent_revenue_share"]
            least = AT_LEAST.get(" ".join(m.group("q").lower().split()), 0.5)
            if share <= least:
                half = "less than half" if share < 0.5 else "no more than half"
                out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0).strip()}' but {name} holds {share:.1%} of the revenue of the last 365 days, {half}: cite {{segmentations.{segmentation}.segments.{key}.recent_revenue_share}} instead"))
            continue
        least = AT_LEAST.get(" ".join(m.group("q").lower().split()), 0.5)  # more than half, as every majority check (above, not at)
        share = stats.get(stat)
        own = stats.get("revenue")
        total = own / share if _is_number(own) and _is_number(share) and share > 0 else None  # the sales that name a customer
        if stat == "revenue_share" and _is_number(share) and share > least and unattributed > 0 and _is_number(total) and own / (total + unattributed) <= least:
            part = own / (total + unattributed)
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {{segmentations.{segmentation}.segments.{key}.revenue_share}} ({share:.1%}) is a share of the sales that name a customer: {{data.dropped_value.no_identity}} of sales named none (guest orders, in no segment), so {name} brought {part:.1%} of all sales, not most; say '{{segmentations.{segmentation}.segments.{key}.revenue_share}} of the sales that name a customer'"))
        elif _is_number(share) and share <= least:
            what = "customers" if stat == "pct_customers" else "revenue"
            half = "less than half" if share < 0.5 else "no more than half"
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name} holds {share:.1%} of {what}, {half}: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} instead"))
        elif stat == "revenue_share" and not revenue:
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but this data holds no revenue (data.revenue_total is null: the export had no amounts), so no segment's share of it is known: say what the data does count ({{segmentations.{segmentation}.segments.{key}.pct_customers}} of the customers, their activity), or leave revenue out"))
    return out


def _top_segment(fact_segments: dict, stat: str) -> tuple[str, float] | None:
    """The segment with customers that has the highest value of ``stat``."""
    values = [(k, v.get(stat)) for k, v in fact_segments.items() if isinstance(v, dict) and v.get("count") and isinstance(v.get(stat), (int, float))]
    return max(values, key=lambda kv: kv[1]) if values else None


_SEGMENT_FACT = re.compile(r"segmentations\.([^.]+)\.(?:validation\.)?segments\.([^.]+)\.")
_OF_GROUP = re.compile(r"\s+(?:of|among|for|in)\s+(?:(?:the|our|your|all|these|those|today's|current)\s+)*", re.IGNORECASE)


def segment_aliases(fact_segments: dict, strat: dict) -> list[tuple[str, str]]:
    """(alias, segment key) for every way a text may name a segment, longest first: its
    computed name, the plan's display name, its key written as words."""
    aliases = []
    for key, stats in fact_segments.items():
        plan = strat.get(key) if isinstance(strat.get(key), dict) else {}
        for alias in {(stats or {}).get("name"), plan.get("display_name"), key.replace("_", " ")}:
            if isinstance(alias, str) and alias.strip():
                aliases.append((alias.strip(), key))
    return sorted(aliases, key=lambda a: -len(a[0]))


# A segment's figures per customer or of its size: cited in a sentence about another segment,
# they read as that segment's own.
SEGMENT_STATS = ("avg_value", "aov", "repeat_rate", "median_recency_days", "median_gap_days", "next_repeat_rate", "count", "pct_customers", "revenue_share", "recent_revenue_share", "avg_purchase_days",
                 "orders_refunded_share", "refunded_value_share")  # the last two: a segment's refunds (refunds.orders_refunded_share)
# And how many of its customers bought a product or a product family ('they mostly buy the Tee
# ({...champions.products.organic-cotton-tee.buyers_share})' in At Risk's persona).
_PRODUCT_STAT = re.compile(r"(?:products|product_families)\.[\w-]+\.(?:buyers|buyers_share)")
_OF_THEM = re.compile(r"\s+(?:of|among)\s+(?:them|these|those)\b", re.IGNORECASE)


def other_segment_figures(path: str, text: str, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]], ends: tuple[Any, Any] | None = None) -> list[Problem]:
    """'{...loyal.next_repeat_rate} of First-Timers': one segment's figure told as another's.
    Comparing segments is fine ('Loyal repeat at {...loyal.repeat_rate}'); the words right
    after the reference say whose figure it is. In a segment's own text, a sentence about
    'them' that cites another segment's figure gives it as theirs unless it names whose it is.
    ``ends``: a pathway's from- and to-segment, for its own text: the customers it speaks of
    are the from-segment's, and its to-segment's figures say what moving there means. A CDNOW
    trial's At Risk -> Loyal pathway: 'Win-back emails typically bring back
    {...champions.next_repeat_rate} of lapsed regulars' (Champions' own next-period rate, told as
    what a campaign does for At Risk)."""
    own = re.match(r"segments\.([^.]+)\.", path)
    own_key = own.group(1) if own and own.group(1) in fact_segments else None
    leads_to = None
    if ends and not own_key:
        own_key = ends[0] if ends[0] in fact_segments else None
        leads_to = ends[1]
    out = []
    for m in PLACEHOLDER.finditer(text):
        owner = _SEGMENT_FACT.match(m.group(1))
        if not owner:
            continue
        if owner.group(1) != segmentation or owner.group(2) not in fact_segments:
            out += _other_segmentation_of_them(path, text, m, owner, own_key, segmentation)
            continue
        joint = _OF_GROUP.match(text[m.end():])
        if owner.group(2) == leads_to and own_key:
            continue  # where the pathway leads: 'Regulars spend {...loyal.avg_value}'
        if not joint:
            out += _said_of_them(path, text, m, owner.group(2), own_key, segmentation, fact_segments, aliases)
            continue
        named = _named_at(text[m.end() + joint.end():], aliases)
        if named and named != owner.group(2):
            stat = m.group(1)[owner.end():]
            own = f"segmentations.{segmentation}.segments.{named}.{stat}"
            out.append(Problem(path, "fact_of_other_segment", f"{{{m.group(1)}}} is a figure of '{owner.group(2)}', but the text gives it as one of '{named}': cite {{{own}}} for {named}'s own, or name '{owner.group(2)}' as whose it is"))
        elif not named:
            out += _said_of_them(path, text, m, owner.group(2), own_key, segmentation, fact_segments, aliases)
    return out


# Whole-export figures of failed payments; per segment the facts hold outstanding_value and
# outstanding_customers (each segment's own share of them).
_DATA_OWED = re.compile(r"data\.failed_payments\.(outstanding_value|outstanding_customers|outstanding|never_paid_value|never_paid_customers)$")
_WHOLE_EXPORT = re.compile(r"\b(?:in\s+all|all\s+told|overall|in\s+total|across\s+(?:all|every|the\s+whole)|of\s+all\s+(?:customers|clients|buyers)|(?:the\s+)?whole\s+(?:export|file|base|business)|everyone)\b", re.IGNORECASE)


def export_figures_of_them(path: str, text: str, segmentation: str, fact_segments: dict) -> list[Problem]:
    """'Between them they still owe {data.failed_payments.outstanding_value}' in a segment's
    own text: the whole export's figure given as theirs (a trial's 4,970.00 of which the segment
    owed 1,000.00). Said of the whole ('in all'), it passes."""
    own = re.match(r"segments\.([^.]+)\.", path)
    if not own or own.group(1) not in fact_segments:
        return []
    out = []
    for m in PLACEHOLDER.finditer(text):
        field = _DATA_OWED.match(m.group(1))
        if not field:
            continue
        sentence = _sentence_at(text, m.start())
        if not _SELF_PRONOUN.search(sentence) or _WHOLE_EXPORT.search(sentence):
            continue
        stat = "outstanding_customers" if field.group(1).endswith("customers") else "outstanding_value"
        out.append(Problem(path, "fact_of_other_segment", f"{{{m.group(1)}}} is the whole export's figure, but the sentence gives it as theirs: cite {{segmentations.{segmentation}.segments.{own.group(1)}.{stat}}} for what this segment owes, or say it is the export's total ('in all')"))
    return out


# Between a segment's name and a figure: the figure is of where they go ('Core Accounts expand
# towards the Strategic tier, where accounts spend {...champions.avg_value}'), not of them.
_SELF_PRONOUN = re.compile(r"\b(?:they|them|their|these|this\s+(?:group|segment|cohort))\b", re.IGNORECASE)
_TOWARDS = re.compile(r"\b(?:towards?|into|becom\w*|join\w*|reach\w*|where|upgrad\w*|mov\w*\s+up)\b", re.IGNORECASE)


def _said_of_them(path: str, text: str, m: re.Match, other: str, own_key: str | None, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'They spend {...champions.avg_value} on average' in Loyal's persona, 'a repeat rate of
    {...medium_value.repeat_rate}' in Needs Attention's, 'Regulars, who bought again at
    {...champions.next_repeat_rate}' anywhere, 'they mostly buy the Tee
    ({...champions.products.organic-cotton-tee.buyers_share})' in At Risk's: the sentence is
    about one segment (the text's own, or the one it names), the figure another's. Naming the
    figure's segment, or comparing ('than', 'unlike'), says whose it is."""
    stat = m.group(1)[_SEGMENT_FACT.match(m.group(1)).end():]  # 'repeat_rate', 'products.organic-cotton-tee.buyers_share'
    if stat.rsplit(".", 1)[-1] not in SEGMENT_STATS and not _PRODUCT_STAT.fullmatch(stat):
        return []
    start, end = _sentence_span(text, m.start())
    sentence = PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), text[start:end])  # offsets kept, keys unread
    at = m.start() - start
    if _COMPARING.search(sentence) or other in {k for _, _, k in named_segments(sentence, aliases)}:
        return []
    names = [(a, b, k) for a, b, k in named_segments(sentence, aliases, capitalized=True) if k != other]
    before = [n for n in names if n[1] <= at]
    if other == own_key:  # the text's own figure, unless given to a segment named before it ('they' between: their own)
        if not before or _SELF_PRONOUN.search(sentence, before[-1][1], at):
            return []
        subject = before[-1]
    else:
        subject = before[-1] if before else names[0] if names else None
    if subject and subject[1] <= at and _TOWARDS.search(sentence, subject[1], at):
        return []
    key = subject[2] if subject else own_key
    if key is None or key not in fact_segments:
        return []
    mine, theirs = (fact_segments[k].get("name") or k for k in (key, other))
    called = sentence[subject[0]:subject[1]] if subject else mine
    whose_text = f"{mine}'s own text" if path.startswith("segments.") else f"the pathway from {mine}"
    said = f"the sentence speaks of {called}" + (f" ({mine})" if called.lower() != mine.lower() else "") if subject else f"the sentence, in {whose_text}, speaks of them"
    own = _of_product_named(stat, sentence, fact_segments)
    return [Problem(path, "fact_of_other_segment", f"{{{m.group(1)}}} is a figure of '{other}' ({theirs}), but {said}, so it reads as theirs: cite {{segmentations.{segmentation}.segments.{key}.{own}}} for their own figure, or name {theirs} in the sentence as whose it is ('more than the {theirs}')")]


def _of_product_named(stat: str, sentence: str, fact_segments: dict) -> str:
    """A product's figure ('products.organic-cotton-tee.buyers_share') made the figure of the
    product the sentence names, where it names others only: the hint points at the product
    spoken of, not at the one whose figure was cited."""
    m = re.fullmatch(r"products\.([\w-]+)\.(\w+)", stat)
    named = products_named(sentence, segment_products(fact_segments)) if m else []
    return stat if not named or m.group(1) in named else f"products.{named[0]}.{m.group(2)}"


def _sentence_span(text: str, pos: int, clauses: bool = True) -> tuple[int, int]:
    """Where the sentence of :func:`_sentence_at` around ``pos`` starts and ends in ``text``;
    ``clauses``: a semicolon ends it too."""
    stops = (". ", "! ", "? ", "; ") if clauses else (". ", "! ", "? ")
    start = max(text.rfind(s, 0, pos) for s in stops)
    ends = [i for i in (text.find(s, pos) for s in stops) if i >= 0]
    return (start + 1 if start >= 0 else 0), (min(ends) + 1 if ends else len(text))


def named_segments(text: str, aliases: list[tuple[str, str]], capitalized: bool = False) -> list[tuple[int, int, str]]:
    """Where a text names segments (start, end, key), in order; a longer name is one name
    ('Slipping Regulars' is not also 'Regulars'). ``capitalized``: only names written with a
    capital, as a segment's name is when it names one ('New', not 'new releases')."""
    taken: list[tuple[int, int, str]] = []
    for alias, key in aliases:  # longest first
        for a, b in name_spans(alias, text):
            if (not capitalized or text[a].isupper()) and not _OTHER_NAME_AFTER.match(text, b) and not any(a < y and x < b for x, y, _ in taken):
                taken.append((a, b, key))
    return sorted(taken)


# After a segment's name, a word that makes the name a word of something else: another name
# ('New York', 'New Year', 'New Arrivals') or what the shop sells or launches ('New colours of
# the Leila Pullover' in Dormant's text, a trial: at a sentence's start the capital says nothing).
# Words about customers ('New customers', 'At Risk Regulars') or the plan ('the Loyal pathway') keep it a name.
_CUSTOMER_WORD = (
    r"(?:customers?|clients?|buyers?|shoppers?|members?|people|users?|accounts?|subscribers?|contacts?|regulars?|fans?|payers?|browsers?|households?"
    r"|patients?|guests?|students?|families|shops?|stores?|retailers?|stockists?|businesses|ones|segments?|groups?|cohorts?|tiers?)\b"
)
_OTHER_NAME_AFTER = re.compile(
    rf"[ \t]+(?!(?i:{_CUSTOMER_WORD}))(?:[A-Z][\w'-]*"
    r"|(?i:colou?r(?:s|ways?)?|shades?|styles?|designs?|prints?|patterns?|fits?|sizes?|washes|fabrics?|flavou?rs?|scents?|arrivals?|releases?|launch(?:es)?"
    r"|drops?|editions?|versions?|models?|products?|pieces?|items?|lines?|ranges?|collections?|seasons?|stock|restocks?|in)\b)"
)


def _other_segmentation_of_them(path: str, text: str, m: re.Match, owner: re.Match, own_key: str | None, segmentation: str) -> list[Problem]:
    """'{...health.segments.struggling.count} of them' in a segment's own text: the count is of
    every Struggling customer, not of those in this segment."""
    if own_key is None or not _OF_THEM.match(text, m.end()) or owner.group(1) == segmentation:
        return []
    return [Problem(path, "fact_of_other_segment", f"{{{m.group(1)}}} is a figure of all of '{owner.group(2)}' ({owner.group(1)}), not of those in '{own_key}': 'of them' gives it as theirs; say it of {owner.group(2)} as a whole, or leave it out")]


# The base a share is of, named right after it: '{...revenue_share} of our customers' gives a
# share of revenue as one of customers (and '{...pct_customers} of revenue' the reverse).
_OF_PEOPLE = re.compile(r"\s+of\s+(?:(?:our|the|all|your|its|their|total)\s+)*(?:customers|buyers|users|clients|shoppers|members|subscribers|accounts|payers|people|customer\s+base|base)\b(?!['’])", re.IGNORECASE)
_OF_MONEY = re.compile(r"\s+of\s+(?:(?:our|the|all|your|its|their|total)\s+)*(?:revenue|sales|spend|spending|income|turnover)\b", re.IGNORECASE)
# share fact -> (the words of the other base after it, what it is a share of, the fact for that base)
_OF_PEOPLE_OR_MONEY = re.compile(f"{_OF_PEOPLE.pattern}|{_OF_MONEY.pattern}", re.IGNORECASE)
_OF_PEOPLE_OR_ORDERS = re.compile(f"{_OF_PEOPLE.pattern}|" + r"\s+of\s+(?:(?:our|the|all|your|its|their|total|these|those)\s+)*(?:orders|purchases|baskets|checkouts)\b", re.IGNORECASE)
_SHARE_BASES = {
    "revenue_share": (_OF_PEOPLE, "revenue", "pct_customers"), "pct_customers": (_OF_MONEY, "customers", "revenue_share"),
    "recent_revenue_share": (_OF_PEOPLE, "the revenue of the last 365 days", "pct_customers"),
    # a segment's refunds: a share of its orders, and of what they were charged ('{...orders_refunded_share} of them' is fine)
    "orders_refunded_share": (_OF_PEOPLE_OR_MONEY, "their orders", "refunded_value_share"),
    # '{...refunded_value_share} of their orders were refunded': the money paid back, not the orders
    "refunded_value_share": (_OF_PEOPLE_OR_ORDERS, "what they were charged", "orders_refunded_share"),
}


# A gap between purchases read as time since the last one: 'last seen a median {...median_gap_days} ago'
_AGO = re.compile(r"\s+(?:days?\s+)?ago\b", re.IGNORECASE)
_GAPS = ("median_gap_days",)


# Spend per customer (avg_value: all their orders together) read as an order's average, and the
# reverse: 'their orders average {...avg_value}' (a UCI trial), '{...avg_value} per order', '{...aov} per customer'
_ORDER = r"(?:orders?|baskets?|carts?|checkouts?|purchases?|transactions?)"
_HEDGED = r"(?:(?:about|around|roughly|some|nearly|almost|just\s+(?:over|under)|an\s+average\s+of|on\s+average)\s+)*"
_PER_ORDER_BEFORE = re.compile(
    rf"(?:\b{_ORDER}\s+(?:that\s+|which\s+)?(?:average|averages|averaged|averaging|come\s+to|came\s+to|are\s+worth|were\s+worth|worth|of|at|total|totalled|run\s+at)"
    rf"|\baverage\s+{_ORDER}(?:\s+(?:value|size|total|amount|spend))?(?:\s+(?:is|was|of|at|sits\s+at|stands\s+at|comes\s+to|:))?"
    rf"|\b(?:aov|order\s+value|basket\s+(?:size|value))(?:\s+(?:is|was|of|at|:))?)\s+{_HEDGED}$",
    re.IGNORECASE,
)
_PER_ORDER_AFTER = re.compile(rf"\s+(?:per|an?|each|every)\s+{_ORDER}\b", re.IGNORECASE)
_PER_CUSTOMER_AFTER = re.compile(r"\s+(?:per|an?|each|every)\s+(?:customer|head|shop|account|client|buyer|person)\b|\s+(?:in\s+all|all\s+told)\b", re.IGNORECASE)
# fact -> (the words that read it as the other, what it is, what it is read as, the fact for that)
_PER_BASES = {
    "avg_value": ((_PER_ORDER_BEFORE, _PER_ORDER_AFTER), "spend per customer, over all their orders together", "an order's average", "aov"),
    "aov": ((None, _PER_CUSTOMER_AFTER), "what an order averages", "spend per customer", "avg_value"),
}


def _per_order_or_customer(path: str, text: str, m: re.Match, keys: dict) -> list[Problem]:
    """'Their orders average {...avg_value}': spend per customer read as per order (or an order's
    average, aov, read as per customer); the words right before or after the reference say so."""
    owner, _, stat = m.group(1).rpartition(".")
    base = _PER_BASES.get(stat) if m.group(1) in keys else None
    if not base:
        return []
    (before, after), what, read_as, instead = base
    said = (before.search(text[: m.start()]) if before else None) or after.match(text, m.end())
    if not said:
        return []
    cite = f"{{{owner}.{instead}}}" if f"{owner}.{instead}" in keys else instead
    return [Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is {what}, but '{said.group(0).strip()}' reads it as {read_as}: cite {cite} for that")]


# A rate read as the chance of leaving: '{...repeat_rate} likely to churn', 'a churn risk of {...}'
_CHURN_AFTER = re.compile(r"\s+(?:(?:more|less)\s+)?likely\s+to\s+(?:churn|leave|cancel|lapse|quit|drop\s+off|stop\s+(?:buying|paying|renewing)|unsubscribe)\b|\s+(?:churn|attrition)\b", re.IGNORECASE)
_CHURN_BEFORE = re.compile(
    r"\b(?:churn|attrition|cancell?ation|drop-?off)\s+(?:rate|risk|probability|chance|likelihood)\s+(?:(?:of|for|among|in)\s+(?:this|these|that|those|the|our|each|every|a)\s+(?:[\w-]+\s+){0,2}?)?(?:(?:is|of|at|stands\s+at|sits\s+at|around|about|near|remains|stays)\s+)*$"
    r"|\b(?:chance|probability|likelihood|risk)\s+(?:of\s+)?(?:(?:them|these\s+customers|their)\s+)?(?:churning|leaving|cancell?ing|lapsing|dropping\s+off)\s+(?:(?:is|of|at|around|about)\s+)*$",
    re.IGNORECASE,
)
_RATE_WORDS = {"repeat_rate": "the share who bought on more than one day", "next_repeat_rate": "the share who bought again in the next period", "pct_customers": "a share of the customers", "revenue_share": "a share of revenue",
               "recent_revenue_share": "a share of the last 365 days' revenue", "orders_refunded_share": "the share of their orders refunded in full or in part", "refunded_value_share": "the share of what they were charged that was paid back",
               "historical_rate": "the share that moved last period"}


def _churn_readings(path: str, text: str, keys: dict) -> list[Problem]:
    """'They are {...repeat_rate} likely to churn after the first month': no fact is a chance of
    leaving; a repeat rate says how many came back, not who will go."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        key = m.group(1)
        if key not in keys or value_kind(key) not in ("pct", "pct_signed") or re.search(r"churn|lapsed|lost|cancel", key):
            continue
        said = _CHURN_AFTER.match(text, m.end()) or _CHURN_BEFORE.search(text[: m.start()])
        if said:
            what = _RATE_WORDS.get(key.rsplit(".", 1)[-1], "a rate the data measured")
            example = f" ('{{{key}}} of them bought again')" if key.endswith("repeat_rate") else ""
            out.append(Problem(path, "fact_unit_mismatch", f"{{{key}}} is {what}, but '{said.group(0).strip()}' reads it as a chance of leaving, which no fact measures: say what it counts{example}, or leave churn out"))
    return out


def share_of_wrong_base(path: str, text: str, keys: dict) -> list[Problem]:
    """'They make up {...revenue_share} of our customers': revenue_share is a share of revenue,
    pct_customers one of customers; the words after the reference name the other base. And
    'last seen {...median_gap_days} ago': the gap between purchases is not the time since the last;
    'their orders average {...avg_value}': spend per customer is not an order's average (aov)."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        owner, _, stat = m.group(1).rpartition(".")
        base = _SHARE_BASES.get(stat) if m.group(1) in keys else None
        said = base[0].match(text, m.end()) if base else None
        if said:
            _, share_of, instead = base
            out.append(Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is a share of {share_of}, but the text reads it as a share{said.group(0)}: cite {{{owner}.{instead}}} for that, or say '{{{m.group(1)}}} of {share_of}'"))
        elif stat in _GAPS and m.group(1) in keys and _AGO.match(text, m.end()):
            since = f"{owner}.days_since_active" if f"{owner}.days_since_active" in keys else f"{owner}.median_recency_days"
            out.append(Problem(path, "fact_unit_mismatch", f"{{{m.group(1)}}} is the typical gap between one purchase (or active day) and the next, but the text reads it as time since the last one ('ago'): cite {{{since}}} for that"))
        else:
            out += _per_order_or_customer(path, text, m, keys)
    return out + _churn_readings(path, text, keys)


def name_spans(name: str, text: str) -> list[tuple[int, int]]:
    """Where a segment name stands in a text as whole words, in any case."""
    words = r"\s+".join(re.escape(w) for w in name.split())
    return [m.span() for m in re.finditer(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE)] if words else []
