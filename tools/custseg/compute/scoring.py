"""R, F and M scores on a 1-5 scale, by fixed calendar bands or by quantiles.

Both methods give equal values equal scores and never depend on row order: a score is
a function of the value and of cut points, and cut points are quantiles of the
multiset of values (taken at actual data values, so ties never produce a cut between
equal customers). A score of 5 is always "best": for recency that is the fewest days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Fixed bands (the seeds' 1-5 scale; the in-between bands are ours, written down here).
# Recency in days since the last purchase: 5 = this week ... 1 = six months or more.
RECENCY_BANDS = (  # (score, lowest days, highest days or None)
    (5, 0, 7),
    (4, 8, 30),
    (3, 31, 90),
    (2, 91, 180),
    (1, 181, None),
)
# Frequency in distinct purchase days: 1 = once ... 5 = ten times or more.
FREQUENCY_BANDS = (
    (1, 1, 1),
    (2, 2, 2),
    (3, 3, 4),
    (4, 5, 9),
    (5, 10, None),
)
QUINTILES = (0.2, 0.4, 0.6, 0.8)


@dataclass
class Score:
    """How one dimension was scored, as the facts state it."""

    dimension: str  # recency | frequency | monetary
    method: str  # fixed | quantile
    cuts: list[float]  # the four cut points actually used (values, not ranks)
    bands: list[dict]  # per score: {"score", "min", "max"} in the dimension's unit
    higher_is_better: bool


def fixed_score(values: np.ndarray, bands, dimension: str, higher_is_better: bool) -> tuple[np.ndarray, Score]:
    scores = np.zeros(len(values), dtype=np.int8)
    for score, low, high in bands:
        hit = values >= low if high is None else (values >= low) & (values <= high)
        scores[hit] = score
    cuts = sorted(float(low) for _, low, _ in bands)[1:]
    return scores, Score(dimension, "fixed", cuts, [{"score": s, "min": lo, "max": hi} for s, lo, hi in bands], higher_is_better)


def quantile_score(values: np.ndarray, dimension: str, higher_is_better: bool) -> tuple[np.ndarray, Score]:
    """Score = 1 + number of quintile cut points the value beats.

    Cuts are the 20/40/60/80th percentiles taken at data values ('lower'), so a value
    equal to a cut never beats it: with 90% of customers buying once, every one-time
    buyer scores 1 and every repeat buyer scores higher. Ties cannot split.

    One exception at the top: when the best value in the data ties with the top cut (a
    fifth or more of customers share it, or a base of three), nobody would beat it and
    score 5 would be empty while the best customers sit in the middle. The cuts equal to
    the best value are lowered to the next-best value, so the best customers score 5 and
    everyone else keeps their score (see _lift_top_tie). When every value is the same,
    nothing separates anyone and all score 1.
    """
    v = values.astype(float) if higher_is_better else -values.astype(float)
    if len(v) == 0:
        return np.zeros(0, dtype=np.int8), Score(dimension, "quantile", [], [], higher_is_better)
    counted = _counted(v)
    if counted is not None:  # days and counts: no sort, no search per customer
        cuts, scores = counted
    else:
        cuts = np.quantile(v, QUINTILES, method="lower")
        # searchsorted(side="left") counts the cuts strictly below each value.
        scores = (1 + np.searchsorted(cuts, v, side="left")).astype(np.int8)
    cuts, scores = _lift_top_tie(v, np.asarray(cuts, dtype=float), scores)
    shown = [float(c) if higher_is_better else float(-c) for c in cuts]
    return scores, Score(dimension, "quantile", shown, _bands(shown, higher_is_better), higher_is_better)


def _lift_top_tie(v: np.ndarray, cuts: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cuts equal to the best value lowered to the next-best value, the best customers given 5.

    With 'lower' quantiles a tie at the top cut empties score 5: on three customers spending
    50, 100 and 100 the two best score 3 and no one is a top spender. A value below the best
    beats a lowered cut only if it was above it, so no other score moves; equal values keep
    equal scores, and cuts stay data values."""
    best = v.max()
    if cuts[-1] < best:
        return cuts, scores
    below = v[v < best]
    if not len(below):  # every value the same: nothing to separate
        return cuts, scores
    cuts = np.where(cuts >= best, below.max(), cuts)
    scores = scores.copy()
    scores[v == best] = 5
    return cuts, scores


def _counted(v: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Quintile cuts and scores of whole numbers in a modest range, by counting: what
    np.quantile(method="lower") and searchsorted give, from one bincount."""
    low, high = v.min(), v.max()
    if not (np.isfinite(low) and np.isfinite(high)) or high - low > 1_000_000 or not np.all(v == np.floor(v)):
        return None
    offset = (v - low).astype(np.int64)
    running = np.cumsum(np.bincount(offset))
    # The sorted position np.quantile's "lower" method reads, computed the way numpy does.
    positions = np.floor(np.asarray(QUINTILES) * (len(v) - 1)).astype(np.int64)
    cuts = low + np.searchsorted(running, positions, side="right").astype(float)
    table = (1 + np.searchsorted(cuts, low + np.arange(len(running), dtype=float), side="left")).astype(np.int8)
    return cuts, table[offset]


def _bands(cuts: list[float], higher_is_better: bool) -> list[dict]:
    """Human-readable ranges per score for quantile cuts (equal cuts make empty scores)."""
    out = []
    for score in range(1, 6):
        if higher_is_better:
            low = None if score == 1 else cuts[score - 2]
            high = None if score == 5 else cuts[score - 1]
            out.append({"score": score, "above": low, "at_most": high})
        else:
            low = None if score == 1 else cuts[score - 2]  # recency: fewer days is better
            high = None if score == 5 else cuts[score - 1]
            out.append({"score": score, "below": low, "at_least": high})
    return out
