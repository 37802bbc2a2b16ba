"""Comparisons held to the two facts they cite, in any text of a plan.

Two skill trials passed 'Regulars came back more often than the VIP Circle:
{...loyal.next_repeat_rate} against {...champions.next_repeat_rate}' (23.0% against 47.4%),
'worth more than a Regular' (187 against 1,217 USD), 'bought more recently than the
First-timers' (51 days against 17), 'Customers abroad come back less often than at home' (37.5%
against 32.7%), and 'Canadian customers buy again more than Americans' citing two shares of
customers, which say how many there are, not how many came back.

A sentence with a comparative ('more often', 'higher', 'worth more', 'more likely to buy again',
'bought more recently', 'below') and a word that sets two sides against each other ('than',
'against', 'vs', 'compared with', or the comparative itself: 'above', 'behind') that cites two
facts of one kind (the same field: two next_repeat_rate, a first purchase's come-back rate and
everyone's, home's repeat_rate and abroad's) must give the order they have. Fewer days since the
last purchase is the more recent, fewer days between purchases the more often. Of two shares of
buyers (a product's or a family's buyers_share), 'buy the Tee more often' or 'more likely to buy
it' says the first side's share is the higher (a trial passed 'At Risk buy the Tee more often than
Champions' at 44.2% against 82.7%). Which fact is
which side: the one whose owner (a segment, product, country, 'abroad', 'everyone') the sentence
names before 'than' is the first, after it the second; unnamed, the one before 'than' is the
first, and with both after it ('... than the VIP Circle: {a} against {b}') the one cited first; a
sentence opening with 'compared with ...' puts the figure of that phrase on the second side.
Where the sides cannot be told apart, nothing is said. A comparison of two segments named by name
that cites the figure of only one is asked for both. A segment compared with another named but
citing no figure ('bigger orders than the Champions', 'more customers than Loyal') is held to the
two segments' ranks in the facts by the sibling module comparisons_ranked, which the segment's own
claims (claims.segment_claims) call. A user's hunch, which cites nothing, is read the same way
against the figures its evidence cites (:func:`said_order`). Words of keeping customers ('lower
churn', 'churn less', 'stay longer') say the first side's come-back rate is the higher; between
two segments, cited or not, they are held to the next-period rates (next_repeat_rate) where
validation ran.

Two figures of one segment at two cutoffs of the segment history
(``segmentations.rfm.history.<cutoff>.<segment>.next_repeat_rate``) are read in time order: a
sentence that says the figure fell, dropped, rose or grew, or compares it with before ('lower than
before', 'less often since the price rise', 'higher than a year ago'), speaks of the later cutoff's
figure against the earlier one's, whichever it cites first, and must give the order they have;
'from {a} to {b}' must go from the earlier cutoff to the later. Standard library only.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from custseg.compute.analysis import MIN_RATE_CUSTOMERS
from custseg.strategy.cited_claims import _CLAUSE_BREAK, _told_in, bare_text
from custseg.strategy.claims import _SEGMENT_FACT, _is_number, named_segments
from custseg.strategy.metrics import LOWER_IS_BETTER
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import _mentions
from custseg.strategy.resolve import PLACEHOLDER, value_kind

MASK = "\u00a7"  # a fact reference, masked to the same length: offsets kept, its key unread as words
SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")  # on the masked text: a reference's dots are masked

# The comparative, by which way it says the first side lies: 'value' words speak of the number
# (more, higher, longer), 'good' words of which is better (more often, more recently, ahead of),
# which for days since the last purchase or between purchases is the lower number.
_UP_GOOD = r"better|ahead\s+of|outperform(?:s|ed|ing)?|beat(?:s|ing)?|sooner|faster|more\s+(?:often|frequently|recently|likely|loyal)"
_DOWN_GOOD = r"worse|behind|trail(?:s|ed|ing)?|slower|less\s+(?:often|frequently|recently|likely|loyal)"
_UP = r"more|higher|greater|bigger|larger|longer|above|exceed(?:s|ed|ing)?|outnumber(?:s|ed|ing)?"
_DOWN = r"less|fewer|lower|smaller|shorter|below"
DIRECTION = re.compile(rf"\b(?:(?P<up_good>{_UP_GOOD})|(?P<down_good>{_DOWN_GOOD})|(?P<up>{_UP})|(?P<down>{_DOWN}))\b(?!-)", re.IGNORECASE)
# Words of keeping or losing customers a comparative may speak of: 'lower churn', 'churn less',
# 'less likely to lapse' (of leaving: the first side keeps more of its customers the lower it
# says), 'stay longer', 'better retention', 'more likely to renew' (of staying)
_LEAVE_WORDS = r"churn(?:s|ed|ing)?|attrition|cancell?(?:s|ed|ing|ations?)?|lapse[sd]?|lapsing|leav(?:e|es|ing)|quit(?:s|ting)?|drop(?:s|ped|ping)?\s+off"
_STAY_WORDS = r"stay(?:s|ed|ing)?|remain(?:s|ed|ing)?|stick(?:s|ing)?\s+around|stuck\s+around|renew(?:s|ed|ing|als?)?|retain(?:s|ed|ing)?|retention|last(?:s|ed)?"
_RETENTION_AFTER = re.compile(rf"\s+(?:to\s+)?(?:(?P<leave>{_LEAVE_WORDS})|(?P<stay>{_STAY_WORDS}))\b", re.IGNORECASE)
_RETENTION_BEFORE = re.compile(
    rf"\b(?:(?P<leave>{_LEAVE_WORDS})|(?P<stay>{_STAY_WORDS}))\s+(?:(?:them|us|customers|with\s+us|rates?|is|are|was|were|much|far|a\s+lot|way|even|still)\s+){{0,2}}$",
    re.IGNORECASE,
)
# The fields a retention comparative is settled by: who came back (in the next period, or at all)
RETAINED_KINDS = ("next_repeat_rate", "back_within_period_rate", "held_out_repeat_rate", "others_repeat_rate", "repeat_rate")
# Not a comparison of the two sides: a quantity ('more than once', 'more than half of them'),
# 'no longer', 'the more they buy', 'as above', or a negation ('no more likely than': not an order)
_QUANTITY_AFTER = re.compile(
    r"\s+than\s+(?:once|twice|half|(?:a|one)\s+(?:third|quarter|fifth|tenth|few|handful|couple|dozen|year|month|week|day|period|single)|one|two|three|four|five|six|seven|eight|nine|ten|several|a\s+few|\d)\b"
    r"|\s+or\s+less\b|\s+and\s+more\b",
    re.IGNORECASE,
)
_NOT_COMPARING_BEFORE = re.compile(r"(?:\b(?:no|any|the|as|see)|\b(?:not|never|hardly|barely|no)\s+(?:[\w'-]+\s+)?|n't\s+(?:[\w'-]+\s+)?)\s*$", re.IGNORECASE)
# What the plan wants or might happen, not what the data shows: 'to come back more often than', 'will be higher'
_AIM_BEFORE = re.compile(r"\b(?:to|will|would|could|should|might|may|must|can|aim|aims|goal|target|want|wants|hope|hopes|expect|expects|until|unless|if|once|so\s+that)\s+(?:[\w'-]+\s+){0,3}$", re.IGNORECASE)
# What sets the two sides against each other; the comparatives above, below, ahead of, behind and
# their kin do it themselves ('well above everyone's {b}'), unless no side follows ('fell behind at')
CONNECTOR = re.compile(
    r"(?<!\brather\s)(?<!\bother\s)\bthan\b|\bagainst\b|\bbeside\b|\bvs\b\.?|\bversus\b|\b(?:compared|in\s+comparison|set)\s+(?:with|to|against)\b|\b(?:next|relative)\s+to\b|\bunlike\b"
    r"|\b(?:above|below|ahead\s+of|behind|outperform(?:s|ed|ing)?|beat(?:s|ing)?|trail(?:s|ed|ing)?|exceed(?:s|ed|ing)?|outnumber(?:s|ed|ing)?)\b(?![-\s]*(?:at|in|on|by|for|with|[,.;:]|$))",
    re.IGNORECASE,
)
# A sentence (or clause) that opens with the second side: 'Compared with the Champions ({b}), they ...'
PREFIX = re.compile(r"\W*(?:(?:and|but|so|yet)\s+)?(?:(?:compared|set)\s+(?:with|to|against)|in\s+comparison\s+(?:with|to)|against|beside|next\s+to|relative\s+to|unlike)\b", re.IGNORECASE)

# Words that name the owner of a fact without a name in the facts
_EVERYONE = re.compile(r"\b(?:every(?:one|body)|average|overall|all\s+(?:(?:our|the|other|first-time|new)\s+)*(?:customers|buyers|shoppers|starters|first\s+purchases|products)|the\s+(?:whole\s+)?(?:base|rest|shop|store)|as\s+a\s+whole)\b", re.IGNORECASE)
_ABROAD = re.compile(r"\b(?:abroad|overseas|international(?:ly)?|foreign|cross-border|outside\s+(?:the\s+)?[\w.]+)\b", re.IGNORECASE)
_HOME = re.compile(r"\b(?:(?:at\s+)?home|domestic(?:ally)?|local(?:ly)?)\b", re.IGNORECASE)
EVERYONE_FACT = "data.products.back_within_period_rate"  # a first purchase's come-back rate compares with it

# Fewer days is the better side: since the last purchase (more recently), between purchases (more often)
LOWER_BETTER = {*LOWER_IS_BETTER, "median_gap_days"}
_LOWER_BETTER_SAID = {"median_recency_days": "fewer days since the last purchase is the more recent", "days_since_active": "fewer days since last active is the more recent", "median_gap_days": "fewer days between purchases is the more often"}
# A field whose better side the words 'more often', 'better' or 'ahead of' can speak of: rates, money, days
_HAS_BETTER = re.compile(r"(?:_rate|avg_value|aov|revenue|spend\w*|_days|outstanding\w*)$")
# A share of a group that bought something (a product's or a family's buyers_share): 'At Risk buy
# the Tee more often than Champions', 'more likely to buy it' say the first side's share is the
# higher. Only words of how often or how likely, said of buying (not of coming back, which a share
# of buyers does not measure), read so; 'better', 'ahead of' or 'more recently' say nothing of it.
SHARE_OF_BUYERS = ("buyers_share",)
_HOW_OFTEN = re.compile(r"(?:more|less)\s+(?:often|frequently|likely)", re.IGNORECASE)
_BUYING = re.compile(
    r"\b(?:buy|buys|bought|buying|order|orders|ordered|ordering|purchase|purchases|purchased|purchasing|pick|picks|picked|picking"
    r"|choose|chooses|chose|choosing|go\s+for|goes\s+for|went\s+for|reach\s+for|reaches\s+for|reached\s+for|add|adds|added)\b",
    re.IGNORECASE,
)

# A segment's refund shares (refunds.orders_refunded_share, refunds.refunded_value_share): 'Loyal
# return more often than Champions', 'send back more' say the first side's share is the higher,
# as 'more refunds than' does (a trial passed the first with the two shares the other way round)
REFUND_SHARES = ("orders_refunded_share", "refunded_value_share")
_RETURNING = re.compile(r"\b(?:return(?:s|ed|ing)?|send(?:s|ing)?\s+back|sent\s+back|refund\w*)\b", re.IGNORECASE)

# A comparison of how often customers come back, and shares of customers, which say how many there are
BUY_AGAIN = re.compile(
    r"\b(?:(?:buy|buys|bought|buying|order|orders|ordered|ordering|shop|shops|shopped|purchase|purchases|purchased)\s+(?:from\s+us\s+)?again"
    r"|(?:come|comes|came|coming)\s+back|re-?order(?:s|ed|ing)?|re-?purchas\w*|repeat(?:s|ed)?|return(?:s|ed)?\s+to\s+(?:buy|shop|order|us)|stick\s+around)\b",
    re.IGNORECASE,
)
CUSTOMER_SHARES = ("customers_share", "share", "pct_customers", "home_share", "abroad_share")


# A segment's figure at one cutoff of the segment history: segmentation, cutoff date, segment, field
HISTORY_FACT = re.compile(r"^segmentations\.([^.]+)\.history\.(\d{4}-\d{2}-\d{2})\.([^.]+)\.([^.]+)$")
# Words that say a figure moved over time, by which way
_ROSE = r"rose|risen|rises?|rising|grew|grown|grows?|growing|increas(?:ed|es|e|ing)|climb(?:ed|s|ing)?|(?:went|gone|going|goes)\s+up|improv(?:ed|es|e|ing)|jump(?:ed|s)?|recover(?:ed|s)?|picked\s+up|up\s+from"
_FELL = (r"fell|fallen|falls?|falling|dropp(?:ed|ing)|drops?|declin(?:ed|es|e|ing)|decreas(?:ed|es|e|ing)|slipp(?:ed|ing)|slips?|sank|sunk|sinks?|shr[au]nk|shrinks?"
         r"|(?:went|gone|going|goes)\s+down|slid|slides?|slump(?:ed|s)?|eroded|weakened|worsened|halved|down\s+from")
CHANGE = re.compile(rf"\b(?:(?P<rose>{_ROSE})|(?P<fell>{_FELL}))\b", re.IGNORECASE)
# What sets a comparative in time: the figure now against before ('than before', 'since', 'a year ago')
IN_TIME = re.compile(r"\b(?:since|before|earlier|ago|then|previously|used\s+to|last\s+(?:year|period|quarter|season)|than\s+(?:in|at|on|by|during)|these\s+days|nowadays|any\s?more|now)\b", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\W*$", re.IGNORECASE)
# A change of something else: 'since the price rise', 'after the shipping increase'
_OF_OTHER = re.compile(r"\b(?:price|prices|pricing|cost|costs|tax|taxes|fee|fees|shipping|postage|delivery|tariff|tariffs|rent|wage|wages|interest)\s+$", re.IGNORECASE)


# Everyone's figure at one cutoff (every customer who had bought by then): segmentation, cutoff, field
HISTORY_EVERYONE = re.compile(r"^segmentations\.([^.]+)\.history_everyone\.(\d{4}-\d{2}-\d{2})\.([^.]+)$")
EVERYONE_OWNER = "(everyone)"  # no segment key: keys are identifiers


# A month's sales (data.by_month.<YYYY-MM>.<field>): two months of one field read in time order too
MONTH_FACT = re.compile(r"^data\.by_month\.(\d{4}-\d{2})\.([^.]+)$")
MONTHS_OWNER = "(months)"


def history_of(key: str) -> tuple[str, str, str, str] | None:
    """(segmentation, owner, field, cutoff) of a figure of the segment history: the owner a
    segment's key, or EVERYONE_OWNER for everyone's (history_everyone); None for any other key."""
    if m := HISTORY_FACT.match(key):
        return m.group(1), m.group(3), m.group(4), m.group(2)
    if m := HISTORY_EVERYONE.match(key):
        return m.group(1), EVERYONE_OWNER, m.group(3), m.group(2)
    return None


def series_of(key: str) -> tuple[str, str, str, str] | None:
    """(segmentation, owner, field, time) of a point of a series read in time order: a figure of
    the segment history (history_of: the time its cutoff), or one field of a month's sales
    (segmentation 'data', owner MONTHS_OWNER, the time its month); None for any other key."""
    if m := MONTH_FACT.match(key):
        return "data", MONTHS_OWNER, m.group(2), m.group(1)
    return history_of(key)


def _point(key: str) -> str:
    """What a point of a time series is called in a message: a month of sales, else a cutoff."""
    return "month" if MONTH_FACT.match(key) else "cutoff"


def _time_pair(pair: list["Cited"]) -> tuple["Cited", "Cited"] | None:
    """(the earlier fact, the later one) when two facts are one owner's figure (a segment's, or
    everyone's) at two cutoffs of the history, or one field of two months' sales; else None."""
    a, b = (series_of(c.key) for c in pair)
    if not a or not b or a[:3] != b[:3] or a[3] == b[3]:
        return None
    return (pair[0], pair[1]) if a[3] < b[3] else (pair[1], pair[0])


def _partial_month(path: str, s: "Sentence", keys: dict) -> list[Problem]:
    """'July fell: {data.by_month.2026-07.revenue} against {data.by_month.2025-07.revenue}' where
    the data holds only part of July 2026 (days_covered under days_in_month): a part of a month
    set against a whole one says nothing of how the months compare."""
    months = [(c, m.group(1)) for c in s.cited if (m := MONTH_FACT.match(c.key))]
    if len({_kind(c.key) for c, _ in months}) == len(months) or not (_directions(s) or CHANGE.search(s.plain, s.start, s.end)):
        return []  # no two months of one field, or no word that compares them
    for c, month in months:
        held, whole = keys.get(f"data.by_month.{month}.days_covered"), keys.get(f"data.by_month.{month}.days_in_month")
        if _is_number(held) and _is_number(whole) and held < whole:
            return [Problem(path, "fact_unit_mismatch", (
                f"'{s.quoted()}' compares {{{c.key}}}, but the data holds only {held:g} of the {whole:g} days of {month} ({{data.by_month.{month}.days_covered}}): "
                "a part of a month against a whole one says nothing of how they compare; compare whole months"))]
    return []


def _kind(key: str) -> str:
    """What a fact measures, whoever it is of: the same field of two items compares."""
    parts = key.split(".")
    if len(parts) > 3 and parts[-4] == "migration" and parts[-3] in ("matrix", "revenue"):  # customers or money that moved: any two cells compare
        return f"migration.{parts[-3]}"
    return "share" if parts[-1] in ("home_share", "abroad_share") else parts[-1]


@dataclass
class Cited:
    """A fact reference in a text: where it stands, its key and its value."""

    start: int
    end: int
    key: str
    value: float


@dataclass
class Sentence:
    """A sentence of a text, as written and as the checks read it."""

    text: str  # the whole text as written
    masked: str  # the whole text, its fact references masked: owners' names are read here
    plain: str  # masked, and the names of segments and products blanked: comparatives are read here ('Less Waste Bottle')
    start: int
    end: int
    cited: list[Cited]

    def quoted(self) -> str:
        """The sentence as written, fact references and all, for a message to quote."""
        return self.text[self.start:self.end].strip().rstrip(".;!?")


def cited_comparisons(path: str, text: str, keys: dict[str, Any], aliases: list[tuple[str, str]], segmentation: str = "rfm",
                      products: dict[str, tuple[str, str]] | None = None, told: list[str] = (), own: str | None = None, thin: frozenset[str] = frozenset()) -> list[Problem]:
    """Every comparison of the text that its cited facts contradict or cannot settle: one problem
    a sentence. ``products``: the products the facts name (their names are no comparatives);
    ``told``: messages of claims already refused in this text (a sentence with one gets no second).
    A comparison of keeping customers between two segments ('Loyal have lower churn than At
    Risk'), cited or not, is held to their next-period rates (:func:`_retention_order`; ``own``:
    the segment whose text it is, for 'they'; ``thin``: segments whose rate is of too few)."""
    if not isinstance(text, str) or not RETENTION_HINT.search(text) and "{" not in text:
        return []
    bare = bare_text(text)
    out = []
    for sentence in _sentences(text, keys, aliases, products):
        if _told_in(bare, len(bare_text(text[:sentence.start])), told):
            continue
        kept = _retention_order(path, sentence, keys, aliases, segmentation, own, thin)
        if kept is not None:  # settled by the next-period rates, whatever the sentence cites
            out += kept[:1]
            continue
        if not sentence.cited:
            continue
        found = (_share_for_rate(path, sentence, keys)  # the wrong kind of figure first: its order says nothing
                 or _partial_month(path, sentence, keys)
                 or _time_order(path, sentence, keys)
                 or _against_order(path, sentence, keys, aliases, segmentation)
                 or _one_side_cited(path, sentence, keys, aliases, segmentation))
        out += found[:1]
    return out


# A text that may compare how well two segments keep their customers
RETENTION_HINT = re.compile(rf"\b(?:{_LEAVE_WORDS}|{_STAY_WORDS})\b", re.IGNORECASE)
_THEY = re.compile(r"\b(?:they|their|these\s+customers|this\s+(?:group|segment))\b", re.IGNORECASE)


def _retention_order(path: str, s: Sentence, keys: dict, aliases: list, segmentation: str, own: str | None, thin: frozenset[str]) -> list[Problem] | None:
    """'Loyal have lower churn than At Risk', 'they churn less than the Champions' (in a
    segment's own text): a comparison of keeping customers between two segments, held to what
    the facts measure of it, who bought again in the next period (next_repeat_rate), whatever
    the sentence cites (a whole-period repeat_rate, or nothing). [] where the rates bear it out,
    a problem where they do not; None where it is no such comparison, a side is no segment, or
    a rate is missing (validation did not run) or of too few customers at the cutoff."""
    words = [w for w in _directions(s) if _retention(w) is not None]
    at = _connector_after(s, words)
    said = {_retention(w) for w in words}
    if at is None or len(said) != 1:
        return None
    better = said.pop()
    named = list(dict.fromkeys(k for _, _, k in named_segments(s.masked[s.start:s.end], aliases, capitalized=True)))
    if len(named) >= 2:
        pairs = [(pair, True) for pair in itertools.combinations(named, 2)]
    elif named and own and own != named[0] and _THEY.search(s.plain, s.start, at.start()):  # 'they ... than At Risk': their own is the first side
        pairs = [((own, named[0]), False)]
    else:
        return None
    rate = f"segmentations.{segmentation}.segments.{{}}.next_repeat_rate"
    read = []
    for (a, b), both in pairs:
        if a in thin or b in thin or not all(_is_number(keys.get(rate.format(k))) for k in (a, b)):
            continue
        f1, f2 = (Cited(s.end, s.end, rate.format(k), keys[rate.format(k)]) for k in (a, b))
        order = _named_order(s, f1, f2, at, keys, aliases, segmentation, both)
        if order:
            read.append(order)
    if not read:
        return None
    for first, second in read:
        if (first.value > second.value) if better else (first.value < second.value):
            continue
        name = [str(keys.get(f.key.rsplit(".", 1)[0] + ".name") or _SEGMENT_FACT.match(f.key).group(2)) for f in (first, second)]
        return [Problem(path, "claim_contradicts_fact", (
            f"'{s.quoted()}' says {name[0]} {'keep more' if better else 'lose more'} of their customers than {name[1]}, but {_shown(first.key, first.value)} of {name[0]} "
            f"bought again in the next period ({{{first.key}}}) against {_shown(second.key, second.value)} of {name[1]} ({{{second.key}}}): "
            "say how the two compare as those figures are, citing them"))]
    return []


def _sentences(text: str, keys: dict[str, Any], aliases: list[tuple[str, str]], products: dict[str, tuple[str, str]] | None = None) -> list[Sentence]:
    """The sentences of a text as the checks read them, each with the numeric facts it cites."""
    masked = PLACEHOLDER.sub(lambda m: MASK * len(m.group(0)), text)
    plain = masked
    names = [(a, b) for a, b, _ in named_segments(masked, aliases, capitalized=True)]
    names += [(at, at + len(name)) for at, _, name in _mentions(text, products or {})]
    for a, b in names:
        plain = plain[:a] + "#" * (b - a) + plain[b:]
    cited = [Cited(m.start(), m.end(), m.group(1), keys[m.group(1)]) for m in PLACEHOLDER.finditer(text) if _is_number(keys.get(m.group(1)))]
    return [Sentence(text, masked, plain, m.start(), m.end(), [c for c in cited if m.start() <= c.start < m.end()]) for m in SENTENCE.finditer(masked) if m.group(0).strip()]


@dataclass
class SaidOrder:
    """How a text orders two facts it names the owners of: the first side's, the second's, and
    whether the words say the first's number is the higher (None: they say which is better of a
    field that has no better side)."""

    first: Cited
    second: Cited
    higher: bool | None
    sentence: Sentence


def said_order(text: str, pair: tuple[str, str], keys: dict[str, Any], aliases: list[tuple[str, str]], segmentation: str = "rfm",
               products: dict[str, tuple[str, str]] | None = None, both_named: bool = False) -> SaidOrder | None:
    """How ``text`` (a user's hunch: 'bag starters come back more than jacket starters'), which
    cites no facts, orders the two facts of ``pair`` (one kind, cited elsewhere: in the hunch's
    evidence), where it names the owner of one or both (``both_named``: of both) on a side of
    its comparison, as a sentence citing them would be read; None where no sentence compares
    them, or its sides or its words cannot be told apart."""
    if not isinstance(text, str) or len(pair) != 2 or pair[0] == pair[1] or _kind(pair[0]) != _kind(pair[1]):
        return None
    if not all(_is_number(keys.get(k)) for k in pair):
        return None
    for s in _sentences(text, keys, aliases, products):
        words = _directions(s)
        at = _connector_after(s, words)
        if at is None:
            continue
        f1, f2 = (Cited(s.end, s.end, k, keys[k]) for k in pair)  # cited nowhere in the text: placed after it
        order = _named_order(s, f1, f2, at, keys, aliases, segmentation, both_named)
        if not order:
            continue
        said = {_higher(w, _kind(pair[0]), s) for w in words}
        if len(said) == 1:
            return SaidOrder(order[0], order[1], said.pop(), s)
    return None


def _directions(s: Sentence, end: int | None = None) -> list[re.Match]:
    """The comparatives of a sentence (up to ``end``): not quantities ('more than half'), negations or aims."""
    out = []
    for m in DIRECTION.finditer(s.plain, s.start, s.end if end is None else end):
        before = s.plain[s.start:m.start()]
        if _QUANTITY_AFTER.match(s.plain, m.end()) or _NOT_COMPARING_BEFORE.search(before) or _AIM_BEFORE.search(before):
            continue
        out.append(m)
    return out


def _retention(m: re.Match) -> bool | None:
    """Whether a comparative of keeping customers says the first side keeps more of them ('lower
    churn', 'stay longer': True; 'more likely to lapse': False); None where it speaks of no
    keeping or losing."""
    around = _RETENTION_AFTER.match(m.string, m.end()) or _RETENTION_BEFORE.search(m.string, 0, m.start())
    if not around:
        return None
    up = bool(m.group("up_good") or m.group("up"))
    return up if around.group("stay") else not up


def _higher(m: re.Match, kind: str, s: Sentence | None = None) -> bool | None:
    """Whether the comparative says the first side's number is the higher; None where the word
    says which is better and the field has no better side (a count, a share of customers), unless
    it says how often or how likely they buy of a share of buyers (:func:`_of_buying`). Of keeping
    customers ('lower churn than'), it says the first side's come-back rate is the higher, and
    orders no other field."""
    retained = _retention(m)
    if retained is not None:
        return retained if kind in RETAINED_KINDS else None
    up = bool(m.group("up_good") or m.group("up"))
    if m.group("up") or m.group("down"):
        return up
    if kind in SHARE_OF_BUYERS:
        return up if s is not None and _of_buying(s, m) else None
    if kind in REFUND_SHARES:  # 'Loyal return more often than Champions': the first side's refund share is the higher
        return up if s is not None and _of_refunds(s, m) else None
    if not _HAS_BETTER.search(kind):
        return None
    return up != (kind in LOWER_BETTER)


def _of_buying(s: Sentence, m: re.Match) -> bool:
    """'buy the Tee more often', 'more likely to buy it', 'more frequently ordered': a word of how
    often or how likely, a verb of buying within four words of it, and no word of coming back."""
    if not _HOW_OFTEN.fullmatch(m.group(0)) or BUY_AGAIN.search(s.plain, s.start, s.end):
        return False
    return any(_words_between(s.plain, m, b) <= 4 for b in _BUYING.finditer(s.plain, s.start, s.end))


def _of_refunds(s: Sentence, m: re.Match) -> bool:
    """'return more often', 'more likely to ask for a refund': a word of how often or how likely
    within four words of a word of returning or refunds."""
    return bool(_HOW_OFTEN.fullmatch(m.group(0))) and any(_words_between(s.plain, m, b) <= 4 for b in _RETURNING.finditer(s.plain, s.start, s.end))


def _shown(key: str, value: float) -> str:
    kind = value_kind(key)
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "pct_signed":
        return f"{value:+.1%}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "days":
        return f"{value:g} days"
    return f"{value:,.2f}" if kind == "dec" else f"{value:,.0f}"


def _against_order(path: str, s: Sentence, keys: dict, aliases: list, segmentation: str) -> list[Problem]:
    """Two facts of one kind in a comparison whose words give the other order."""
    by_kind: dict[str, list[Cited]] = {}
    for c in s.cited:
        by_kind.setdefault(_kind(c.key), []).append(c)
    for kind, pair in by_kind.items():
        if len(pair) != 2 or pair[0].key == pair[1].key or _time_pair(pair):  # one segment then and later: _time_order reads it
            continue
        sides = _sides(s, pair, keys, aliases, segmentation)
        if sides is None:
            continue
        (first, second), words = sides
        said = {_higher(w, kind, s) for w in words} - {None}
        if len(said) != 1:
            continue  # no word that orders them, or words that disagree: which is meant is a guess
        higher = said.pop()
        if first.value != second.value and (first.value > second.value) == higher:
            continue
        note = f" ({_LOWER_BETTER_SAID[kind]})" if kind in _LOWER_BETTER_SAID and any(w.group("up_good") or w.group("down_good") for w in words) else ""
        return [Problem(path, "claim_contradicts_fact", (
            f"'{s.quoted()}' says {{{first.key}}} is {'higher' if higher else 'lower'} than {{{second.key}}}{note}, "
            f"but it is {_shown(first.key, first.value)} against {_shown(second.key, second.value)}: say how the two compare as the figures are"))]
    return []


def _time_order(path: str, s: Sentence, keys: dict | None = None) -> list[Problem]:
    """Each owner's history figure at two cutoffs (a segment's, or everyone's), said to have fallen
    or risen (a change word, or a comparative set in time: 'lower than before', 'less often
    since'), read as the later cutoff's against the earlier's; and 'from {a} to {b}' held to time
    order; two months of one field of sales (data.by_month) are read the same way. A sentence that cites two owners' pairs ('Champions rose from {a} to {b}, while everyone
    went from {c} to {d}') reads each pair by the words of its own part of the sentence: from the
    last other history figure or clause break ('while', ', but') before it to the first after it.
    A claim of change (a change word, a comparative set in time, 'from ... to') citing a figure of
    fewer than MIN_RATE_CUSTOMERS customers at its cutoff (its .customers) is refused: too thin to tell."""
    groups: dict[tuple, list[Cited]] = {}
    for c in s.cited:
        if (h := series_of(c.key)) is not None:
            groups.setdefault(h[:3], []).append(c)
    pairs = [times for g in groups.values() if len({c.key for c in g}) == 2 and len(g) == 2 and (times := _time_pair(g))]
    history = [c for g in groups.values() for c in g]
    for earlier, later in pairs:
        first, second = sorted((earlier, later), key=lambda c: c.start)
        lo, hi = s.start, s.end
        if len(pairs) > 1:
            others = [c for c in history if c is not earlier and c is not later]
            if any(first.start < c.start < second.start for c in others):
                continue  # two owners' figures interleaved: whose words are whose is a guess
            breaks = list(_CLAUSE_BREAK.finditer(s.plain, s.start, s.end))
            lo = max([c.end for c in others if c.end <= first.start] + [m.end() for m in breaks if m.end() <= first.start], default=s.start)
            hi = min([c.start for c in others if c.start >= second.end] + [m.start() for m in breaks if m.start() >= second.end], default=s.end)
        when = {c.key: series_of(c.key)[3] for c in (earlier, later)}
        point = _point(earlier.key)
        from_to = bool(_FROM_TO.search(s.plain, lo, first.start) and re.search(r"\bto\b", s.plain[first.end:second.start]))
        if from_to and first is later:
            return [Problem(path, "claim_contradicts_fact", (
                f"'{s.quoted()}' goes from {{{first.key}}} to {{{second.key}}}, but the first is the later {point}'s ({when[first.key]}) and the second the earlier's ({when[second.key]}): "
                f"a change runs from the earlier {point} to the later, from {_shown(earlier.key, earlier.value)} to {_shown(later.key, later.value)}"))]
        said = set()
        for m in CHANGE.finditer(s.plain, lo, hi):
            before = s.plain[s.start:m.start()]
            if not (_NOT_COMPARING_BEFORE.search(before) or _AIM_BEFORE.search(before) or _OF_OTHER.search(before)):
                said.add(bool(m.group("rose")))
        if IN_TIME.search(s.plain, lo, hi):
            said |= {_higher(w, _kind(earlier.key)) for w in _directions(s) if lo <= w.start() < hi} - {None}
        if len(said) == 1:
            higher = next(iter(said))
            if later.value == earlier.value or (later.value > earlier.value) != higher:
                moved = "did not move" if later.value == earlier.value else "rose" if later.value > earlier.value else "fell"
                return [Problem(path, "claim_contradicts_fact", (
                    f"'{s.quoted()}' says the figure {'rose' if higher else 'fell'}, but it {moved}: {_shown(earlier.key, earlier.value)} at the earlier {point} ({when[earlier.key]}, {{{earlier.key}}}) "
                    f"against {_shown(later.key, later.value)} at the later one ({when[later.key]}, {{{later.key}}}): say how it moved from the earlier {point} to the later as the figures are"))]
        if (said or from_to) and keys is not None:
            thin = thin_history(earlier.key, keys) or thin_history(later.key, keys)
            if thin:
                return [Problem(path, "verdict_on_too_few", (
                    f"'{s.quoted()}' tells a change over time, but {thin}: make no claim of change on it; say the data is too thin to tell, or cite a segment of more customers"))]
    return []


def thin_history(key: str, keys: dict) -> str | None:
    """Why a figure of the segment history is too thin to tell a change or settle a hunch: fewer
    than MIN_RATE_CUSTOMERS customers at its cutoff (its .customers); None otherwise, or where
    ``key`` is no history figure (or its count)."""
    h = history_of(key)
    if h is None or h[2] == "customers":
        return None
    count = key.rsplit(".", 1)[0] + ".customers"
    n = keys.get(count)
    if not _is_number(n) or not 0 < n < MIN_RATE_CUSTOMERS:
        return None
    return (f"{{{key}}} is of only {n:g} {'customer' if n == 1 else 'customers'} at the cutoff {h[3]} ({{{count}}}): one customer moves it by "
            f"{100 / n:.0f} points, too thin to tell")


def _sides(s: Sentence, pair: list[Cited], keys: dict, aliases: list, segmentation: str) -> tuple[tuple[Cited, Cited], list[re.Match]] | None:
    """(the first side's fact, the second's) of a comparison, and its comparatives; None where
    the sentence holds no comparison of the two or its sides cannot be told apart."""
    f1, f2 = pair
    prefix = PREFIX.match(s.plain, s.start)
    if prefix:  # 'Compared with the Champions ({b}), they came back more often ({a})'
        comma = next((m.start() for m in re.finditer(r"[,:]", s.plain[prefix.end():s.end])), None)
        words = _directions(s)
        if comma is not None and words and prefix.end() <= f1.start < prefix.end() + comma <= f2.start:
            return (f2, f1), words
    words = _directions(s, f2.end)
    at = _connector_after(s, words, (f1, f2))
    if at is None:
        return None
    order = _named_order(s, f1, f2, at, keys, aliases, segmentation)
    if order is not None:
        return (order, words) if order else None
    if f1.end <= at.start() and at.end() <= f2.start:  # '{a} of them, more than the {b} of all'
        if _CLAUSE_BREAK.search(s.plain, f1.end, words[-1].start()):
            return None  # the comparative is another clause's: its subject may not be the first figure's
        return (f1, f2), words
    if f1.start >= at.end():  # '... than the VIP Circle: {a} against {b}', in the order of the sides
        return (f1, f2), words
    return None


def _connector_after(s: Sentence, words: list[re.Match], pair: tuple[Cited, Cited] | None = None) -> re.Match | None:
    """The word that sets the two sides apart: the first at or after the first comparative, else
    (``pair``) one between the two figures ('{a} of them, more than the {b} of all')."""
    connectors = list(CONNECTOR.finditer(s.plain, s.start, s.end))
    if not words or not connectors:
        return None
    at = next((c for c in connectors if c.start() >= words[0].start()), None)
    if at is None and pair is not None:
        at = next((c for c in connectors if pair[0].end <= c.start() and c.end() <= pair[1].start), None)
    return at


def _named_order(s: Sentence, f1: Cited, f2: Cited, at: re.Match, keys: dict, aliases: list, segmentation: str, both: bool = False) -> tuple[Cited, Cited] | bool | None:
    """(the first side's fact, the second's) where the sentence names the owner of one or both
    (``both``: of both) on a side of ``at``; False where it names both on one side; None where
    it names neither."""
    named = [_side_by_name(s, fact, other, at, keys, aliases, segmentation) for fact, other in ((f1, f2), (f2, f1))]
    if named[0] and named[1]:
        return ((f1, f2) if named[0] == "first" else (f2, f1)) if named[0] != named[1] else False
    if (named[0] or named[1]) and not both:  # one side named: the other fact is the other side
        return (f1, f2) if "first" in (named[0], {"second": "first"}.get(named[1])) else (f2, f1)
    return None


def _side_by_name(s: Sentence, fact: Cited, other: Cited, at: re.Match, keys: dict, aliases: list, segmentation: str) -> str | None:
    """'first' or 'second': where the sentence names the owner of a fact, before or after the
    word that sets the sides apart; None where it names it nowhere, or on both sides."""
    spans = _owner_spans(s, fact.key, other.key, keys, aliases, segmentation)
    sides = {"first" if b <= at.start() else "second" if a >= at.end() else "?" for a, b in spans}
    return sides.pop() if len(sides) == 1 and "?" not in sides else None


def _owner_spans(s: Sentence, key: str, other: str, keys: dict, aliases: list, segmentation: str) -> list[tuple[int, int]]:
    """Where a sentence names whose fact ``key`` is: the parts of its key the other fact's lacks
    (a segment, product, family, country; 'abroad', 'home'), by their names in the facts and the
    plan's display names; everyone's come-back rate by 'everyone', 'average'."""
    words = s.masked[s.start:s.end]

    def found(pattern: re.Pattern) -> list[tuple[int, int]]:
        return [(s.start + m.start(), s.start + m.end()) for m in pattern.finditer(words)]

    if key == EVERYONE_FACT or ((h := history_of(key)) is not None and h[1] == EVERYONE_OWNER):
        return found(_EVERYONE)
    spans: list[tuple[int, int]] = []
    parts, theirs = key.split("."), set(other.split("."))
    segment = _SEGMENT_FACT.match(key)
    history = HISTORY_FACT.match(key)
    for i, part in enumerate(parts[:-1]):
        if part in theirs:
            continue
        if (segment and segment.group(1) == segmentation and part == segment.group(2)) or (history and history.group(1) == segmentation and part == history.group(3)):
            spans += [(s.start + a, s.start + b) for a, b, k in named_segments(words, aliases, capitalized=True) if k == part]
            continue
        if parts[1] == "countries" and (part == "abroad" or part == "home" or keys.get("data.countries.home.key") == part):
            spans += found(_ABROAD if part == "abroad" else _HOME)
        name = keys.get(".".join(parts[: i + 1] + ["name"]))
        if isinstance(name, str) and name.strip():
            said = r"\s+".join(map(re.escape, name.split()))
            case = 0 if len(name) <= 3 and name.isupper() else re.IGNORECASE  # a country code ('AT', 'IT', 'DE') only in capitals: 'at' is a word; a family 'Bag' in any case
            spans += found(re.compile(rf"(?<!\w){said}(?:e?s)?(?!\w)", case))
    return spans


def _share_for_rate(path: str, s: Sentence, keys: dict) -> list[Problem]:
    """'Canadian customers buy again more than Americans ({...top.ca.customers_share} against
    {...home.customers_share})': a comparison of coming back that cites shares of customers and
    no rate."""
    shares = [c for c in s.cited if c.key.rsplit(".", 1)[-1] in CUSTOMER_SHARES]
    if not shares or any(c.key.endswith("_rate") for c in s.cited):
        return []
    words = _directions(s)
    for again in BUY_AGAIN.finditer(s.plain, s.start, s.end):
        if not any(_words_between(s.plain, w, again) <= 4 for w in words):
            continue
        rates = [r for r in dict.fromkeys(_rate_of(c.key, keys) for c in shares) if r]
        cite = " and ".join(f"{{{r}}}" for r in rates) if rates else "a repeat rate (repeat_rate, next_repeat_rate)"
        whose = ", ".join(f"{{{c.key}}}" for c in shares)
        return [Problem(path, "fact_unit_mismatch", (
            f"'{s.quoted()}' compares how often customers buy again, but {whose} {'is a share' if len(shares) == 1 else 'are shares'} of customers (how many there are), "
            f"not of those who came back: cite {cite}, the share who bought on more than one day, instead"))]
    return []


def _words_between(text: str, a: re.Match, b: re.Match) -> int:
    left, right = (a, b) if a.start() <= b.start() else (b, a)
    return len(re.findall(r"[\w'-]+", text[left.end():right.start()]))


def _rate_of(share: str, keys: dict) -> str | None:
    """The repeat rate of the customers a share counts: the country's, the segment's next-period one."""
    country = re.search(r"countries\.(?:(home|abroad)\.|top\.([\w-]+)\.|(home|abroad)_share$)", share)
    if country:
        where = country.group(1) or country.group(3)
        rate = f"data.countries.{where}.repeat_rate" if where else f"data.countries.top.{country.group(2)}.repeat_rate"
        return rate if rate in keys else None
    owner = share.rpartition(".")[0]
    return next((f"{owner}.{f}" for f in ("next_repeat_rate", "repeat_rate") if _is_number(keys.get(f"{owner}.{f}"))), None)


# A segment's figures per customer that a comparison between two segments is settled by
_PER_CUSTOMER = ("next_repeat_rate", "repeat_rate", "avg_value", "aov", "median_recency_days", "median_gap_days", "avg_purchase_days", "spend_last_period_per_customer")
_THAN = re.compile(r"(?<!\brather\s)(?<!\bother\s)\bthan\b", re.IGNORECASE)
_SECOND_SIDE = re.compile(r"\s+(?:(?:the|our|your|those|that|of|in|among|for|with|do|did|does)\s+)*", re.IGNORECASE)


def _one_side_cited(path: str, s: Sentence, keys: dict, aliases: list, segmentation: str) -> list[Problem]:
    """'The Steady Regulars came back more often than the Northwind Insiders
    ({...loyal.next_repeat_rate})': two segments named on the two sides of 'than', one's figure
    cited: the other side's is needed to hold the words to."""
    own = [(c, m) for c in s.cited if (m := _SEGMENT_FACT.match(c.key)) and m.group(1) == segmentation and c.key.rsplit(".", 1)[-1] in _PER_CUSTOMER]
    if len(own) != 1 or len({_kind(c.key) for c in s.cited}) != len(s.cited):
        return []
    (fact, owner), words = own[0], _directions(s)
    than = next((m for m in _THAN.finditer(s.plain, s.start, s.end) if words and m.start() > words[0].start()), None)
    if than is None:
        return []
    clause = max([b.end() for b in _CLAUSE_BREAK.finditer(s.masked, s.start, than.start())], default=s.start)
    names = named_segments(s.masked[clause:s.end], aliases, capitalized=True)
    before = [k for _, b, k in names if clause + b <= than.start()]
    # the second side right after 'than' ('than the Northwind Insiders'), not a name further on
    # ('than the {...} last time, and more reach the VIP Circle'): a figure there is the other side
    after = [k for a, _, k in names if clause + a >= than.end() and _SECOND_SIDE.fullmatch(s.masked, than.end(), clause + a)]
    if not before or not after or before[-1] == after[0] or owner.group(2) not in (before[-1], after[0]):
        return []
    other = after[0] if owner.group(2) == before[-1] else before[-1]
    theirs = f"segmentations.{segmentation}.segments.{other}.{fact.key.rsplit('.', 1)[-1]}"
    if not _is_number(keys.get(theirs)):
        return []
    return [Problem(path, "comparison_half_cited", (
        f"'{s.quoted()}' compares two segments but cites the figure of one, {{{fact.key}}}: cite {{{theirs}}} beside it, "
        "so the words can be held to both figures"))]
