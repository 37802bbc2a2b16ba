"""Claims held against the fact their own sentence cites, in any text of a plan: a cadence beside
a cited gap between purchases, and 'most' beside a cited share under half. A skill trial's hunch
evidence passed both: 'The Steady Reorderers restock roughly every month:
{...loyal.median_gap_days} between orders' (79 days) and 'Most of our trade comes before
Christmas: {data.seasonality.revenue_share.q4}' (32.7%). Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.claims import (
    _COMPARING, _NEGATED_BEFORE, _SEGMENT_FACT, CADENCE_TOLERANCE, _claimed_gap, _is_number, _sentence_span, cadence_claims, named_segments,
)
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import AT_LEAST, names_a_ranking
from custseg.strategy.resolve import PLACEHOLDER, value_kind

FACT_WORD = " fact "  # what a fact reference reads as in a text's bare form


def bare_text(text: str) -> str:
    """The text with every fact reference read as a word, as the claim checks read it."""
    return PLACEHOLDER.sub(FACT_WORD, text)


def citations(text: str) -> list[tuple[int, str]]:
    """Where each fact reference stands in :func:`bare_text` of ``text``, with its key."""
    out, shift = [], 0
    for m in PLACEHOLDER.finditer(text):
        out.append((m.start() + shift, m.group(1)))
        shift += len(FACT_WORD) - len(m.group(0))
    return out


def _between(bare: str, claim: re.Match, at: int) -> str:
    """The words between a claim and a fact reference at ``at``, on whichever side it stands."""
    return bare[claim.end():at] if at >= claim.end() else bare[at + len(FACT_WORD):claim.start()]


def gap_citing_claims(bare: str, cited: list[tuple[int, str]], aliases: list[tuple[str, str]]) -> list[tuple[re.Match, str]]:
    """(cadence claim, the median_gap_days key it is held to) for every cadence claim whose
    sentence cites a segment's gap between purchases: the nearest such reference with no
    comparison ('than', 'unlike') and no segment's name between them ('they reorder every other
    month, where the Steady Regulars wait {...loyal.median_gap_days}': the gap is the Regulars')."""
    gaps = [(at, key) for at, key in cited if key.endswith(".median_gap_days") and _SEGMENT_FACT.match(key)]
    out = []
    for m in cadence_claims(bare, aliases) if gaps else ():
        start, end = _sentence_span(bare, m.start())
        near = [
            (abs(at - m.start()), key) for at, key in gaps
            if start <= at < end and not _COMPARING.search(between := _between(bare, m, at)) and not named_segments(between, aliases, capitalized=True)
        ]
        if near:
            out.append((m, min(near)[1]))
    return out


def cited_gap_claims(path: str, held: list[tuple[re.Match, str]], keys: dict[str, Any]) -> list[Problem]:
    """A cadence claim its sentence's own gap fact contradicts: more than twice that gap, or under
    half of it (the tolerance the segment's own cadence claims have)."""
    out = []
    for m, key in held:
        gap, claimed = keys.get(key), _claimed_gap(m)
        if not _is_number(gap) or gap <= 0 or gap / CADENCE_TOLERANCE <= claimed <= gap * CADENCE_TOLERANCE:
            continue
        owner = key.rpartition(".")[0]
        name = keys.get(f"{owner}.name") or _SEGMENT_FACT.match(key).group(2)
        out.append(Problem(path, "claim_contradicts_fact", (
            f"'{m.group(0)}' but the {{{key}}} the sentence cites is {gap:g} days: {name}'s customers who bought more than once typically came back every {gap:g} days, "
            f"not every {claimed:g}; let the figure say how often they come back, or say a cadence within half to twice it")))
    return out


# 'most', 'the majority', 'the bulk of', 'nearly all', 'over half': a claim on more than half
# (nearly all: on 80% or more). Not the superlative 'most likely', 'most loyal', 'most at risk'.
MAJORITY = re.compile(
    r"(?<![\w-])(?:(?:the\s+)?majority|the\s+bulk(?=\s+of\b)|(?:nearly|almost|virtually)\s+all|(?:over|more\s+than)\s+half"
    r"|most(?=\s+of\b|\s+(?!(?:likely|often|at|in|to|and|or|\w+(?:ly|ive|ous|ble|ful|ant|ent|ic|al|ar|est))\b)[a-z]))(?!\w)",
    re.IGNORECASE,
)
# 'the most', 'our most', 'at most': a superlative or a bound; 'than most', 'like most': a comparison
_NOT_A_QUANTIFIER = re.compile(r"(?:\b(?:the|our|their|your|its|his|her|a|at|is|are|was|were|be|been|being|than|like|unlike)|'(?:re|s))\s+$", re.IGNORECASE)
# 'most of the rest', 'most of those who': a share of a part, not of the whole the fact is of
_OF_A_PART = re.compile(r"\s+of\s+(?:the\s+)?(?:rest|remaining|remainder|others?|ones\s+(?:who|that)|those\s+(?:who|that|which))\b", re.IGNORECASE)
# Where a clause ends within a sentence: the figure after ', though only ...' is another claim's
_CLAUSE_BREAK = re.compile(r",\s+(?:and|but|though|although|while|whereas|yet|except|so)\b|\s+(?:but|though|although|whereas|while)\s+", re.IGNORECASE)
# A share or rate a majority word may be of (a product's buyers too, where product_claims did
# not place the product by its name: 'most of them bought the Regency cakestand' of 3.9%)
_SHARE_FACT = re.compile(r"(?:share|_rate|pct_customers|seasonality\.(?:revenue|buyers)_share\.q[1-4])$")
_MONEY_FACT = re.compile(r"(?:revenue_share|mrr_share|seasonality\.revenue_share\.q[1-4])$")
# What the majority is of, in the words after it: money ('most of our trade') or people ('most customers')
_MONEY_WORDS = re.compile(r"(?:\s+of)?(?:\s+(?:our|the|their|its|your|all|this|that))*\s+(?:revenue|sales|trade|spend|spending|income|turnover|money|business|takings)\b", re.IGNORECASE)
_PEOPLE_WORDS = re.compile(r"(?:\s+of)?(?:\s+(?:our|the|their|its|your|all|these|those))*\s+(?:customers|buyers|shoppers|clients|people|shops|stores|accounts|members|users|subscribers|retailers|stockists|them|these|those)\b", re.IGNORECASE)
# A figure said as the few ('only {...repeat_rate} came back'), or a clause of leaving or of one
# purchase: the majority is of the others ('most never came back: {...repeat_rate} did')
_FEW_BEFORE = re.compile(r"\b(?:only|just|merely|mere|barely|under|less\s+than|fewer\s+than)\s+$", re.IGNORECASE)
_THE_OTHERS = re.compile(r"\b(?:not|never|no|none|once|one-?time|single|didn't|did\s+not|stopped|lapsed|left|lost)\b|n't\b", re.IGNORECASE)


# Never having bought, said of the majority's people: 'most subscribed contacts never bought',
# 'most sign-ups have yet to place an order', 'most of our contacts are prospects'; not 'never
# bought again' (a buyer who did not come back: _THE_OTHERS) nor 'did not buy' (a denial)
NEVER_BOUGHT = re.compile(
    r"\b(?:never|not\s+yet|yet\s+to|(?:have|has)\s+not(?:\s+yet)?|(?:haven't|hasn't)(?:\s+yet)?)\s+(?:(?:ever|once|actually|even|yet)\s+)?"
    r"(?:bought|buy|ordered|order|purchased|purchase|paid|pay|converted|convert|(?:placed|place|made|make)\s+(?:an?|their|any|one|a\s+first|their\s+first)\s+(?:order|purchase))\b"
    r"(?!\s+(?:again|twice|a\s+second|another|more|since|anything\s+else)\b|\s+from\s+us\s+again\b)"
    r"|\b(?:never|non)-?(?:buyers|purchasers|customers)\b|\bprospects\b",
    re.IGNORECASE,
)
# Buying, said of the majority's people: 'most sign-ups do buy', 'most of our contacts are customers'
BOUGHT = re.compile(r"\b(?:buy|buys|bought|order|orders|ordered|purchase|purchases|purchased|pay|pays|paid|convert|converts|converted|customers|buyers|purchasers)\b", re.IGNORECASE)
# Shares of the contacts who never bought (of all contacts, of the subscribed), and shares among them
NEVER_SHARES = ("data.contacts.prospects_share", "data.contacts.opted_in_prospects_share")
_AMONG_NEVER = "data.contacts.prospects."
# Counts of contacts that are the two parts of a whole: those who bought and those who never did,
# in all (no fact is their sum) and among the subscribed (data.contacts.opted_in)
CONTACT_PARTS = (
    (None, {"bought": ("data.customers", "data.contacts.buyers.people"), "never": ("data.prospects", "data.contacts.prospects.people")}),
    ("data.contacts.opted_in", {"bought": ("data.contacts.buyers.opted_in",), "never": ("data.contacts.prospects.opted_in",)}),
)


def _blanked(text: str, pattern: re.Pattern, start: int, end: int) -> str:
    """``text[start:end]`` with the words of ``pattern`` blanked."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text[start:end])


def _contacts_parts(bare: str, m: re.Match, start: int, end: int, cited: list[tuple[int, str]], keys: dict[str, Any]) -> tuple[str, float, str, float, str | None] | None:
    """(the part the majority is said of, its count, the other part or the whole, its count, and
    'whole' or None) where the majority word's clause cites two counts of contacts that are part
    and whole or the two parts of one whole (those who bought and those who never did), and says
    which part it is of: 'never bought' (or 'prospects') the never-buyers, buying words with no
    other negation the buyers; None otherwise."""
    here = {key for at, key in cited if start <= at < end and _is_number(keys.get(key))}
    if len(here) < 2:
        return None
    never = bool(NEVER_BOUGHT.search(bare, start, end))
    rest = _blanked(bare, NEVER_BOUGHT, start, end)
    if not never and (_THE_OTHERS.search(rest) or not BOUGHT.search(rest)):
        return None
    if never and _THE_OTHERS.search(rest):  # 'most never-buyers did not open ...': another claim
        return None
    side, other = ("never", "bought") if never else ("bought", "never")
    for whole, parts in CONTACT_PARTS:
        said = next((k for k in parts[side] if k in here), None)
        against = next((k for k in parts[other] if k in here), None)
        if said and against:
            return said, keys[said], against, keys[against], None
        if said and whole in here:
            return said, keys[said], whole, keys[whole], "whole"
    return None


def _clause_span(bare: str, pos: int) -> tuple[int, int]:
    """The clause of the sentence around ``pos``."""
    start, end = _sentence_span(bare, pos)
    breaks = [b for b in _CLAUSE_BREAK.finditer(bare, start, end)]
    start = max([b.end() for b in breaks if b.end() <= pos], default=start)
    end = min([b.start() for b in breaks if b.start() >= pos], default=end)
    return start, end


def _base(key: str) -> str:
    return "money" if _MONEY_FACT.search(key) else "people"


def _kind(key: str) -> str:
    """What a share is of, whoever it is of: shares of one kind may add up ('two groups: {a} and {b}'),
    and so may the counts of one row of the migration matrix (of one segment at the start)."""
    row = _MIGRATION_COUNT.match(key)
    return f"{row.group(1)}.matrix.{row.group(2)}" if row else re.sub(r"\.q[1-4]$", ".q", _SEGMENT_FACT.sub("segments.*.", key))


# {segmentations.rfm.migration.matrix.champions.champions}: how many of those in a segment at the
# start were in a segment at the end. Beside 'nearly all VIPs stayed VIPs' (a trial's, 5 of 38)
# it is held as the part it is of the from-segment's customers at the start (its row's total).
_MIGRATION_COUNT = re.compile(r"^(segmentations\.[\w-]+\.migration)\.matrix\.([\w-]+)\.[\w-]+$")


def _migration_part(key: str, keys: dict[str, Any]) -> tuple[int, int] | None:
    """(the count, the from-segment's customers at the start) of a migration matrix count."""
    row = _MIGRATION_COUNT.match(key)
    if not row or not _is_number(keys.get(key)):
        return None
    prefix = f"{row.group(1)}.matrix.{row.group(2)}."
    total = sum(v for k, v in keys.items() if k.startswith(prefix) and _is_number(v))
    return (keys[key], total) if total > 0 else None


def _share_value(key: str, keys: dict[str, Any]) -> float | None:
    """A cited share or rate, or a migration count as the part it is of its row."""
    if _SHARE_FACT.search(key) and value_kind(key) == "pct" and _is_number(keys.get(key)):
        return keys[key]
    part = _migration_part(key, keys)
    return part[0] / part[1] if part else None


def _cited_shares(bare: str, m: re.Match, cited: list[tuple[int, str]], keys: dict[str, Any], aliases: list[tuple[str, str]]) -> list[tuple[int, str, float]]:
    """The shares and rates cited in the majority word's clause, of the base its words name;
    none when the clause names a segment whose figure it does not cite ('the Steady Regulars and
    the First-Timers bring most of our revenue: {...loyal.revenue_share}': a part of the claim)."""
    start, end = _clause_span(bare, m.start())
    said_of = "money" if _MONEY_WORDS.match(bare, m.end()) else "people" if _PEOPLE_WORDS.match(bare, m.end()) else None
    shares = [
        (at, key, value) for at, key in cited
        if start <= at < end and (value := _share_value(key, keys)) is not None
        and said_of in (None, _base(key)) and not _FEW_BEFORE.search(bare, 0, at)
    ]
    whose = {s.group(2) for s in (_SEGMENT_FACT.match(key) for _, key, _ in shares) if s}
    named = {k for _, _, k in named_segments(bare[start:end], aliases, capitalized=True)}
    return [] if whose and named - whose else shares


def majority_beside_shares(path: str, bare: str, cited: list[tuple[int, str]], keys: dict[str, Any], aliases: list[tuple[str, str]], told: list[str] = ()) -> list[Problem]:
    """'Most of our trade comes before Christmas: {data.seasonality.revenue_share.q4}' of a quarter
    with 32.7%: a majority word beside cited shares that neither alone nor together reach half.
    ``told``: the messages of claims already refused in this text; a sentence with one of them
    gets no second problem."""
    out = []
    for m in MAJORITY.finditer(bare):
        before = bare[: m.start()]
        if (m.group(0).lower() == "most" and (_NOT_A_QUANTIFIER.search(before) or names_a_ranking(bare, m.start(), m.end()))) or _NEGATED_BEFORE.search(before) or _OF_A_PART.match(bare, m.end()):
            continue
        start, end = _clause_span(bare, m.start())
        if _told_in(bare, m.start(), told):
            continue
        least = AT_LEAST.get(" ".join(m.group(0).lower().split()), 0.5)  # more than this: product and country claims' table
        parts = _contacts_parts(bare, m, start, end, cited, keys)
        if parts:
            said, n, against, other, whole = parts
            total = other if whole else n + other
            if total > 0 and n / total <= least:
                of = f"of the {{{against}}} ({other:,})" if whole else f"beside {{{against}}} ({other:,})"
                out.append(Problem(path, "claim_contradicts_fact", (
                    f"'{_claim_words(bare, m, end)}' but {{{said}}} ({n:,}) {of} is {n / total:.1%} of {'them' if whole else 'the two together'}, {_half(n / total, least)}: "
                    f"say what the figures are ('{{{said}}} ... {'of' if whole else 'against'} {{{against}}}'), not most")))
                break
            continue
        shares = _cited_shares(bare, m, cited, keys, aliases)
        never = NEVER_BOUGHT.search(bare, start, end)
        if shares and all(key in NEVER_SHARES or key.startswith(_AMONG_NEVER) for _, key, _ in shares):
            # a share of those who never bought: 'never bought' says whom the majority is of, not the others
            if _THE_OTHERS.search(_blanked(bare, NEVER_BOUGHT, start, end)) or (not never and any(key in NEVER_SHARES for _, key, _ in shares)):
                continue  # another negation, or the majority of the buyers beside a share of the others
        elif _THE_OTHERS.search(bare, start, end):
            continue
        totals: dict[str, float] = {}
        for _, key, value in shares:
            totals[_kind(key)] = totals.get(_kind(key), 0.0) + value
        if not shares or max(totals.values()) > least:
            continue
        at, key, value = min(shares, key=lambda s: abs(s[0] - m.start()))
        out.append(Problem(path, "claim_contradicts_fact", f"'{_claim_words(bare, m, at)}' but the {{{key}}} beside it is {_part_said(key, value, keys)}, {_half(value, least)}: say what the figure is ('{{{key}}} of ...'), not most"))
        break  # one claim of a majority, one problem
    return out


def _half(value: float, least: float) -> str:
    """How a share falls short of a majority word's mark (half, or more for 'nearly all')."""
    half = "less than half" if value < 0.5 else "no more than half" if value <= 0.5 else f"not over {least:.0%}"
    return half + ("" if least == 0.5 or value > 0.5 else f", let alone {least:.0%}")


def _part_said(key: str, value: float, keys: dict[str, Any]) -> str:
    """A share as a message gives it: a migration count with the customers it is a part of."""
    part = _migration_part(key, keys)
    if not part:
        return f"{value:.1%}"
    row = _MIGRATION_COUNT.match(key)
    seg = row.group(1).split(".")[1]
    name = keys.get(f"segmentations.{seg}.segments.{row.group(2)}.name") or row.group(2)
    start = keys.get(f"{row.group(1)}.from_date")
    return f"{part[0]:,} of the {part[1]:,} customers in {name} at the start{f' ({start})' if start else ''}, {value:.1%}"


def _claim_words(bare: str, m: re.Match, at: int) -> str:
    """The claim as written: from the majority word to the figure after it, at most six words on."""
    words = re.match(r"(?:\s+[\w'-]+){0,6}", bare[m.end():at] if at > m.end() else bare[m.end():]).group(0)
    return (m.group(0) + words).strip()


def _told_in(bare: str, pos: int, told: list[str]) -> bool:
    """Whether a claim quoted by a problem already given stands in the sentence around ``pos``."""
    start, end = _sentence_span(bare, pos)
    quotes = (re.match(r"'(.+?)'(?: but |: )", message) for message in told)  # "'most of them ...' but ..." or "'...': say how many"
    return any(q and bare_text(q.group(1)) in bare[start:end] for q in quotes)  # a quote may hold the fact it cites
