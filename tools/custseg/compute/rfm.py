"""RFM segmentation: scores, the rule table, small-segment merges and similar pairs."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from custseg.compute.metrics import Metrics, days_words
from custseg.compute.rules import DEFAULT, RECENCY_MONETARY, SMALL_BASE, SMALL_TABLES, WITHOUT_AMOUNTS, RuleTable, rank_of, without_monetary
from custseg.compute.scoring import FREQUENCY_BANDS, RECENCY_BANDS, Score, fixed_score, quantile_score

SMALL_BASE_CUSTOMERS = 50
MIN_SEGMENT_SHARE = 0.01  # a segment under 1% of customers (and under MIN_SEGMENT_COUNT) is merged
MIN_SEGMENT_COUNT = 5
AUTO_FIXED_MIN_DAYS = 365
AUTO_MAX_BAND_SHARE = 0.7


@dataclass
class Scored:
    r: np.ndarray
    f: np.ndarray
    m: np.ndarray
    scores: dict[str, Score]
    method: str
    method_reason: str

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"r": self.r, "f": self.f, "m": self.m}


def choose_method(metrics: Metrics, requested: str, days_covered: int) -> tuple[str, str]:
    if requested in ("fixed", "quantile"):
        return requested, f"{requested} scoring was asked for"
    n = len(metrics.recency)
    same = _same_recency(metrics.recency)
    if n < SMALL_BASE_CUSTOMERS:
        # Quintiles of a handful rank customers against each other: of three who bought 0, 0
        # and 5 days ago, the third would 'not have bought in a while'. The calendar says who has.
        return "fixed", f"only {n} customers (under {SMALL_BASE_CUSTOMERS}): calendar bands say who has not bought in a while, where quintiles of so few would call a customer lapsed for buying a few days before the others" + same
    r, _ = fixed_score(metrics.recency, RECENCY_BANDS, "recency", False)
    shares = np.bincount(r, minlength=6)[1:] / max(len(r), 1)
    band = int(shares.argmax()) + 1
    if shares.max() > AUTO_MAX_BAND_SHARE and band == 1 and days_covered >= AUTO_FIXED_MIN_DAYS:
        # Quintiles would rank the least lapsed of a lapsed base as 'recent' and call
        # customers gone a year Champions: the calendar says what they are.
        return "fixed", f"{shares.max():.0%} of customers last bought over six months before the as-of date; calendar bands say so, where quintiles of this data would call the least lapsed of them recent"
    if shares.max() > AUTO_MAX_BAND_SHARE:
        q, _ = quantile_score(metrics.recency, "recency", False)
        q_largest = float(np.bincount(q, minlength=6)[1:].max()) / max(n, 1)
        if q_largest >= shares.max():  # quintiles would not separate them any better
            why = same or f"; quintiles of this data would give {q_largest:.0%} the same score too"
            return "fixed", f"calendar bands give {shares.max():.0%} of customers the same recency score ({band}), and quintiles would not separate them better{why}"
        return "quantile", f"calendar bands would give {shares.max():.0%} of customers the same recency score ({band}), so quintiles of this data separate them better"
    if days_covered < AUTO_FIXED_MIN_DAYS:
        # Quintiles would make the oldest fifth of a young store 'Dormant' however recent they
        # are (a 4-month-old shop's buyers of 25 days ago); the calendar keeps the names true.
        return "fixed", f"calendar bands spread customers across recency scores (largest band {shares.max():.0%}); quintiles of only {days_covered} days of data would call buyers of a few weeks ago Dormant"
    return "fixed", f"the data covers {days_words(days_covered)} and calendar bands spread customers across recency scores (largest band {shares.max():.0%})"


def _same_recency(recency: np.ndarray, so: str = "no method separates them on recency") -> str:
    """'; every customer last bought N days before..., so ``so``' when all share one recency, else ''."""
    if not len(recency) or recency.min() != recency.max():
        return ""
    days = int(recency[0])
    return f"; every customer last bought {'on the as-of date' if days == 0 else f'{days:,} days before the as-of date'}, so {so}"


def score(metrics: Metrics, method: str, reason: str, has_amounts: bool) -> Scored:
    if method == "fixed":
        r, rs = fixed_score(metrics.recency, RECENCY_BANDS, "recency", False)
        f, fs = fixed_score(metrics.purchase_days, FREQUENCY_BANDS, "frequency", True)
    elif len(metrics.recency) and metrics.recency.min() == metrics.recency.max():
        # Quintiles of one value give everyone the lowest score: buyers of the as-of day would
        # 'not have bought in a while'. The calendar says how recent they are.
        r, rs = fixed_score(metrics.recency, RECENCY_BANDS, "recency", False)
        f, fs = quantile_score(metrics.purchase_days, "frequency", True)
        reason += _same_recency(metrics.recency, so="recency is scored by calendar bands (quintiles of one value would give everyone the lowest score)")
    else:
        r, rs = quantile_score(metrics.recency, "recency", False)
        f, fs = quantile_score(metrics.purchase_days, "frequency", True)
    if has_amounts:
        m, ms = quantile_score(metrics.monetary, "monetary", True)  # monetary is always by quintile
    else:
        m = np.full(len(r), 3, dtype=np.int8)
        ms = Score("monetary", "none", [], [], True)
    return Scored(r, f, m, {"recency": rs, "frequency": fs, "monetary": ms}, method, reason)


def choose_table(n_customers: int, scored: Scored, user: RuleTable | None, has_amounts: bool = True) -> tuple[RuleTable, str]:
    if user is not None:
        if not has_amounts and any("m" in r.when for r in user.rules):
            return without_monetary(user), "the rule file you gave, its spend conditions left out: the data has no amounts"
        return user, "the rule file you gave"
    table, reason = _built_in_table(n_customers, scored)
    if not has_amounts:
        return WITHOUT_AMOUNTS[table.name], reason + "; by recency and frequency alone, as the data has no amounts"
    return table, reason


def _built_in_table(n_customers: int, scored: Scored) -> tuple[RuleTable, str]:
    if n_customers < SMALL_BASE_CUSTOMERS:
        return SMALL_BASE, f"only {n_customers} customers (under {SMALL_BASE_CUSTOMERS}): three broad groups"
    if len(np.unique(scored.f)) == 1:
        return RECENCY_MONETARY, "every customer has the same frequency score, so frequency carries no signal"
    # The frequency-led segments (Champions, Loyal, At Risk) need customers above the lowest
    # frequency score; when fewer of them exist than a segment's minimum size, those segments
    # would be empty or merged away and the table would show its best rows empty.
    above = int((scored.f > scored.f.min()).sum())
    if above < min_segment_size(n_customers):
        return RECENCY_MONETARY, f"only {above} of {n_customers} customers score above the lowest frequency (under the minimum segment size of {min_segment_size(n_customers)}), so frequency carries no signal"
    return DEFAULT, "the standard six-segment RFM table"


def min_segment_size(n_customers: int) -> int:
    """Fewer customers than this make no segment of their own (merge_small folds them in)."""
    return max(MIN_SEGMENT_COUNT, int(np.ceil(MIN_SEGMENT_SHARE * n_customers)))


@dataclass
class Assignment:
    table: RuleTable
    table_reason: str
    segment: np.ndarray  # index into table.rules per customer
    merged: list[dict] = field(default_factory=list)

    def keys(self) -> np.ndarray:
        return np.array(self.table.keys, dtype=object)[self.segment]


def assign(table: RuleTable, table_reason: str, scored: Scored) -> Assignment:
    return Assignment(table, table_reason, table.assign(scored.as_dict()))


# A small segment joins the nearest one on its own side of this mean recency score: whether
# customers still buy decides how they are treated (a few lapsing repeat buyers belong with
# the lapsed, where a win-back reaches them, not with Loyal because they once bought as often).
ACTIVE_RECENCY = 2.5


def merge_small(assignment: Assignment, scored: Scored) -> Assignment:
    """Fold segments too small to act on into the nearest one by mean R/F/M scores, among
    those on the same side of recency (still buying, or lapsing) when there is one."""
    n = len(assignment.segment)
    if assignment.table.name in SMALL_TABLES or n < SMALL_BASE_CUSTOMERS:
        return assignment
    threshold = min_segment_size(n)
    seg = assignment.segment.copy()
    counts = np.bincount(seg, minlength=len(assignment.table.rules))
    vectors = _mean_scores(seg, scored, len(counts))
    merged = []
    # The first rule's segment (Champions) stays from MIN_SEGMENT_COUNT customers: a store's
    # 35 best customers among 6,900 are the few a personal note reaches, not noise to fold away.
    floor = [MIN_SEGMENT_COUNT if i == 0 else threshold for i in range(len(counts))]
    small = [i for i, c in enumerate(counts) if 0 < c < floor[i]]
    big = [i for i, c in enumerate(counts) if c >= floor[i]]
    if not big:
        return assignment
    for i in small:
        active = vectors[i][0] > ACTIVE_RECENCY
        same_side = [j for j in big if (vectors[j][0] > ACTIVE_RECENCY) == active] or big
        target = min(same_side, key=lambda j: (np.linalg.norm(vectors[i] - vectors[j]), j))
        seg[seg == i] = target
        merged.append({
            "from": assignment.table.rules[i].key,
            "into": assignment.table.rules[target].key,
            "customers": int(counts[i]),
            "reason": f"only {_customers(int(counts[i]))}, under the minimum of {threshold} ({MIN_SEGMENT_SHARE:.0%} of customers, at least {MIN_SEGMENT_COUNT}); merged into the segment with the closest average scores among the {'still-buying' if active else 'lapsing'} ones (mean recency score {'above' if active else 'at most'} {ACTIVE_RECENCY:g})",
        })
    return Assignment(assignment.table, assignment.table_reason, seg, merged)


def _customers(n: int) -> str:
    return "1 customer" if n == 1 else f"{n:,} customers"


def apply_merges(assignment: Assignment, merged: list[dict]) -> Assignment:
    """Replay merges decided at the as-of date on another scoring (the earlier period)."""
    seg = assignment.segment.copy()
    keys = assignment.table.keys
    for m in merged:
        seg[seg == keys.index(m["from"])] = keys.index(m["into"])
    return Assignment(assignment.table, assignment.table_reason, seg, merged)


def _mean_scores(seg: np.ndarray, scored: Scored, k: int) -> np.ndarray:
    counts = np.maximum(np.bincount(seg, minlength=k), 1)
    return np.stack([np.bincount(seg, weights=getattr(scored, d).astype(float), minlength=k) / counts for d in ("r", "f", "m")], axis=1)


SIMILARITY_MARGIN = 0.10


def similar_pairs(stats: dict[str, dict], keys: list[str]) -> list[dict]:
    """Pairs whose recency, frequency, spend and next-period repeat rate all sit within 10%."""
    measures = ("median_recency_days", "avg_purchase_days", "avg_value", "next_repeat_rate")
    out = []
    present = [k for k in keys if stats.get(k, {}).get("count")]
    for i, a in enumerate(present):
        for b in present[i + 1 :]:
            close = True
            for measure in measures:
                x, y = stats[a].get(measure), stats[b].get(measure)
                if x is None or y is None:
                    if measure == "next_repeat_rate":
                        continue
                    close = False
                    break
                scale = max(abs(x), abs(y), 1e-9)
                if abs(x - y) / scale > SIMILARITY_MARGIN:
                    close = False
                    break
            if close:
                out.append({"segments": [a, b], "suggestion": f"{a} and {b} differ by less than {SIMILARITY_MARGIN:.0%} on recency, frequency, spend and next-period behaviour: consider merging them into fewer segments"})
    return out


def ordered_keys(table: RuleTable) -> list[str]:
    return sorted(table.keys, key=lambda k: rank_of(k, table))
