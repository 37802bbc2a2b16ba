"""Claims on when in the year a segment buys, held against its seasonality facts: the share of
last year's spend (or buyers) in each calendar quarter and the share who bought in one quarter
only. 'Most buy only at Christmas' of a segment that buys across the year, 'they only buy at
Black Friday' of one with a quarter of its spend elsewhere, and a habit read off a quarter its
own recency rule puts every customer in. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _NEGATED_BEFORE, _is_number
from custseg.strategy.problems import Problem

_SEASON = r"(?:christmas|xmas|holidays?|holiday\s+season|q[1-4]|december|november|black\s+friday|summer|spring|winter|autumn|fall)"
_ADVERB = r"(only|just|mainly|mostly|solely|exclusively)"
# Verbs of buying, and of a trade buyer's stocking up ('They mostly stock up before Christmas', a
# trial, of a segment with 4.5% of its spend in Q4)
_BUY = r"(?:buy|shop|order|bought|shopped|ordered|purchased?|stock(?:s|ed)?\s+up|restock(?:s|ed)?|reorder(?:s|ed)?|load(?:s|ed)?\s+up)"
_BOUGHT = r"(?:bought|shopped|ordered|purchased|stocked\s+up|restocked|reordered|loaded\s+up)"
# 'most of them buy only in the run-up to Christmas', 'they only buy at Black Friday': a claim on
# how many buy in one season, or mostly in it
# ('Inner Circle customers buy almost exclusively in the holiday quarter', a trial)
SEASON_CLAIM = re.compile(
    r"\b(they|these\s+customers|customers|most|nearly\s+all|almost\s+all|(?:the\s+)?majority)\b(?:\s+of\s+them)?(?:\s+\w+){0,2}?\s+"
    rf"(?:{_ADVERB}\s+(?:ever\s+)?)?{_BUY}\s+(?:from\s+us\s+)?(?:(?:almost|nearly)\s+)?(?:{_ADVERB}\s+)?"
    rf"(?:in|at|around|before|for|during)\s+(?:the\s+)?(?:run-up\s+to\s+)?({_SEASON})\b",
    re.IGNORECASE,
)
# 'most of their spend landed in the summer', 'the bulk of their orders come at Christmas'
SEASON_SPEND_CLAIM = re.compile(
    r"\b(?:most|the\s+bulk|the\s+majority|nearly\s+all|almost\s+all)\s+of\s+(?:their|its|the\s+segment's)\s+(?:spend|spending|sales|revenue|orders|purchases|buying)\b(?:\s+\w+){0,3}?\s+"
    rf"(?:in|at|around|before|during)\s+(?:the\s+)?(?:run-up\s+to\s+)?({_SEASON})\b",
    re.IGNORECASE,
)
# 'Most Lapsed Big Spenders bought leggings in our Black Friday sale' (a trial, of a segment
# with none of its spend in Q4): most of them bought in the season, whatever else they did
MOST_BOUGHT_IN_SEASON = re.compile(
    r"\b(?:most|nearly\s+all|almost\s+all|(?:the\s+)?majority)\b(?:\s+of\s+them)?(?:\s+[\w'-]+){0,4}?\s+"
    rf"{_BOUGHT}\b(?:\s+[\w'-]+){{0,3}}?\s+"
    rf"(?:in|at|around|during)\s+(?:(?:the|our|your|last|this)\s+)*({_SEASON})\b",
    re.IGNORECASE,
)
# 'only', not 'mainly': every purchase in the season, which a share under 100% rules out
_ONLY_WORDS = {"only", "just", "solely", "exclusively"}
# The calendar quarter a season word names (facts count spend by quarter): winter's Dec-Feb is
# mostly Q1, spring's Mar-May Q2, summer's Jun-Aug Q3, autumn's Sep-Nov and the holidays Q4.
_SEASON_QUARTER = {"winter": "q1", "spring": "q2", "summer": "q3", "autumn": "q4", "fall": "q4", "christmas": "q4", "xmas": "q4", "holiday": "q4", "holidays": "q4", "holiday season": "q4", "december": "q4", "november": "q4", "black friday": "q4"}
_QUARTER_MONTHS = {"q1": "Jan-Mar", "q2": "Apr-Jun", "q3": "Jul-Sep", "q4": "Oct-Dec"}
# A segment defined by a window of its last purchase: 'recency 2 (last purchase 91-180 days ago)'
_RECENCY_WINDOW = re.compile(r"last\s+purchase\s+(\d+)-(\d+)\s+days\s+ago")
QUARTER_DAYS = 92  # a window no wider than a quarter puts every last purchase in one or two quarters
NEARLY_ALL = 0.95  # buyers who bought in the quarter the window fell in: all of them, but for a few at its edge


# A negation inside the claim: 'They do not only buy for Christmas' (a trial, refused as if it said
# they only buy then), 'these customers don't just shop at Christmas'. It agrees with spend spread
# over the year, and says nothing a quarter's share could contradict.
_NEGATION = re.compile(r"\b(?:not|never|no\s+longer)\b|n't\b", re.IGNORECASE)


def _negated(bare: str, m: re.Match) -> bool:
    """Whether a claim is denied, before it ('not that most buy ...') or within it ('they do not only buy ...')."""
    return bool(_NEGATED_BEFORE.search(bare[: m.start()]) or _NEGATION.search(m.group(0)))


def season_claims(path: str, bare: str, key: str, stats: dict, segmentation: str) -> list[Problem]:
    """A claim on the season a segment buys in, in its own text, that its seasonality facts rule out."""
    out = []
    seasonal = (stats.get("seasonality") or {}).get("one_quarter_only")
    name = stats.get("name") or key
    for m in SEASON_CLAIM.finditer(bare):
        if _negated(bare, m):
            continue
        # 'they only buy at Christmas' says all of them, every time; 'most buy only at Christmas' leaves some out
        only = (m.group(1).lower() in ("they", "these customers", "customers") and bool({(m.group(2) or "").lower(), (m.group(3) or "").lower()} & _ONLY_WORDS)
                and not re.search(r"\b(?:almost|nearly)\s", m.group(0), re.IGNORECASE))
        if _is_number(seasonal) and seasonal < 0.5:
            out.append(Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but only {seasonal:.1%} of {name} bought in a single quarter: cite {{segmentations.{segmentation}.segments.{key}.seasonality.one_quarter_only}} or its quarters' revenue shares (seasonality.revenue_share.q4) instead"))
        else:  # one quarter only, but which? most buy once, so a single quarter says nothing of the season named
            out += _season_quarter(path, m.group(0), m.group(4), key, stats, segmentation, only=only, habit=True)
    for m in SEASON_SPEND_CLAIM.finditer(bare):
        if not _negated(bare, m):
            out += _season_quarter(path, m.group(0), m.group(1), key, stats, segmentation)
    claimed = [m.span() for m in SEASON_CLAIM.finditer(bare)]
    for m in MOST_BOUGHT_IN_SEASON.finditer(bare):
        if not any(a < m.end() and m.start() < b for a, b in claimed) and not _negated(bare, m):
            out += _season_quarter(path, m.group(0), m.group(1), key, stats, segmentation)
    return out


def _season_quarter(path: str, said: str, season: str, key: str, stats: dict, segmentation: str, only: bool = False, habit: bool = False) -> list[Problem]:
    """'Most buy only at Christmas' of a segment whose last year's spend (buyers where the data
    has no amounts) fell mostly outside Q4: the quarter the season names holds under half.
    ``only``: the claim is that they buy in no other season, which any spend in another quarter
    rules out; ``habit``: a claim on how they buy, which a quarter the segment's own recency
    rule puts every customer in cannot show."""
    season = re.sub(r"\s+", " ", season.lower())
    quarter = season if season in _QUARTER_MONTHS else _SEASON_QUARTER.get(season)
    figures = stats.get("seasonality") or {}
    basis = "revenue_share" if isinstance((figures.get("revenue_share") or {}).get(quarter), (int, float)) else "buyers_share"
    share = (figures.get(basis) or {}).get(quarter)
    if quarter is None or not _is_number(share):
        return []
    name = stats.get("name") or key
    when = f"{quarter.upper()} ({_QUARTER_MONTHS[quarter]}) of the last year"
    cite = f"{{segmentations.{segmentation}.segments.{key}.seasonality.{basis}.{quarter}}}"
    spend = f"of the spend of {name}" if basis == "revenue_share" else f"of the buyers in {name}"
    by_rule = _set_by_rule(stats, figures, quarter) if habit else None
    if share < 0.5:
        said_of = f"only {share:.1%} {spend} fell in {when}" if basis == "revenue_share" else f"only {share:.1%} of the buyers in {name} bought in {when}"
        return [Problem(path, "claim_contradicts_fact", f"'{said}' but {said_of}: cite {cite} instead")]
    if only and share < 1:
        rest = f"; {by_rule}" if by_rule else ""
        return [Problem(path, "claim_contradicts_fact", f"'{said}' but {1 - share:.1%} {spend} fell outside {when}{rest}: say 'most of their spend ({cite}) came in {quarter.upper()}', not that they buy in no other season")]
    if by_rule:
        return [Problem(path, "claim_contradicts_fact", f"'{said}' but {by_rule}: say when their last orders fell (cite {cite}), not that they buy then by habit")]
    return []


def _set_by_rule(stats: dict, figures: dict, quarter: str) -> str | None:
    """Why the quarter says nothing of a habit, when the segment's rule bounds its last purchase
    to a window no wider than a quarter and every buyer bought in that quarter: the rule put
    them there (At Risk, last purchase 91-180 days ago, all bought in Q4 of a trial's year)."""
    window = _RECENCY_WINDOW.search(str(stats.get("rule") or ""))
    buyers = (figures.get("buyers_share") or {}).get(quarter)
    if not window or int(window.group(2)) - int(window.group(1)) > QUARTER_DAYS or not _is_number(buyers) or buyers < NEARLY_ALL:
        return None
    name = stats.get("name") or stats.get("key") or "the segment"
    return f"{name} holds the customers whose last purchase was {window.group(1)}-{window.group(2)} days ago, so its rule puts their last orders in {quarter.upper()} ({buyers:.1%} of them bought then): the quarter shows where the segment's window fell, not a habit"
