"""What a segmentation's definition in facts.json says about the customers of each segment.

:func:`segment_ranges` gives, per segment, the range of each customers.csv metric its
definition allows: the RFM rule table over the score bands, lifecycle tenure bands and the
lapsed threshold, value tiers on spend, health bands, behavioral bands of active days.
:func:`move_blocked` says why customers of one segment can never reach another, if they
cannot. Exclusive bounds (spend above a cut) are widened to inclusive ones, so a check built
on these refuses only what a definition rules out for certain; what a definition does not
state is left open.
Standard library only.
"""

from __future__ import annotations

import itertools
import re
from typing import Optional

Bound = Optional[float]
Range = tuple[Bound, Bound]  # lowest and highest value a customer can have; None: no bound

# Metrics a customer's history never lowers: purchase days and orders only add up, tenure only grows.
NEVER_FALL = ("purchase_days", "orders", "tenure_days")
# The behavioral bands count active days in the 30 days up to the as-of date (active_days_30);
# facts written before the definition carried window_days fall back to it.
ACTIVITY_WINDOW = 30
RFM_DIMENSIONS = (("r", "recency"), ("f", "frequency"), ("m", "monetary"))
# The customers.csv column each RFM dimension scores, by the definition's wording.
RFM_COLUMNS = {
    "recency": {"days from the last purchase to the as-of date": "recency_days", "days from the last order date to the as-of date": "recency_days"},
    "frequency": {"distinct purchase days": "purchase_days"},
    "monetary": {"net revenue per customer up to the as-of date": "monetary_total", "total spent column": "monetary_total"},
}
OPERATORS = (">", ">=", "<", "<=", "==")
EPSILON = 1e-6  # bounds are data values (a spend cut of 81.47999999999999 is 81.48)


def meets(span: Range, op: str, value: float) -> bool:
    """Whether some value within ``span`` satisfies ``x op value`` (values closer than
    EPSILON count as equal)."""
    lo, hi = span
    if op in (">", ">="):
        return hi is None or (hi > value + EPSILON if op == ">" else hi >= value - EPSILON)
    if op in ("<", "<="):
        return lo is None or (lo < value - EPSILON if op == "<" else lo <= value + EPSILON)
    return (lo is None or lo <= value + EPSILON) and (hi is None or hi >= value - EPSILON)


def describe(span: Range) -> str:
    lo, hi = span
    if lo is not None and hi is not None:
        return f"{lo:g}" if lo == hi else f"from {lo:g} to {hi:g}"
    return f"{lo:g} or more" if lo is not None else f"up to {hi:g}" if hi is not None else "any value"


def _band_range(band: dict) -> Range:
    """A score band or tier as stated in the facts: min/max, above/at_most or at_least/below."""
    lo = next((band[k] for k in ("min", "above", "at_least") if k in band), None)
    hi = next((band[k] for k in ("max", "at_most", "below") if k in band), None)
    return lo, hi


def _hull(spans: list[Range]) -> Range:
    los, his = [s[0] for s in spans], [s[1] for s in spans]
    return (None if None in los else min(los)), (None if None in his else max(his))


def _stepped(bands: list[dict], field: str, metric: str, whole: bool) -> dict[str, dict[str, Range]]:
    """Bands given by their lowest value only (health 80+, 60+, ...): each reaches up to the
    next one's lowest (less one for whole numbers such as days or an integer score)."""
    out: dict[str, dict[str, Range]] = {}
    upper = None
    for band in sorted((b for b in bands if isinstance(b.get(field), (int, float))), key=lambda b: -b[field]):
        out[band["key"]] = {metric: (band[field], None if upper is None else upper - (1 if whole else 0))}
        upper = band[field]
    return out


# -- RFM: the rule table over the score grid ---------------------------------------------------


def _score_bands(seg: dict, name: str) -> dict[int, Range] | None:
    bands = ((seg.get("scores") or {}).get(name) or {}).get("bands") or []
    found = {b["score"]: _band_range(b) for b in bands if isinstance(b, dict) and isinstance(b.get("score"), int)}
    return found or None


def rfm_regions(seg: dict) -> dict[str, set[tuple[int, int, int]]] | None:
    """Segment key -> the (r, f, m) scores of its customers: a rule holds the scores it
    matches that no earlier rule took (the catch-all holds the rest), and a segment merged
    into another adds its scores to it. An unscored dimension counts as 0. None when the
    rules name a dimension the facts did not score."""
    rules = [r for r in ((seg.get("rules") or {}).get("segments") or []) if isinstance(r, dict) and r.get("key")]
    axes = [range(1, 6) if _score_bands(seg, name) else (0,) for _, name in RFM_DIMENSIONS]
    dims = [d for (d, _), axis in zip(RFM_DIMENSIONS, axes) if axis != (0,)]
    if not rules or any(d not in dims for r in rules for d in (r.get("when") or {})):
        return None
    regions: dict[str, set[tuple[int, int, int]]] = {r["key"]: set() for r in rules}
    index = {d: i for i, (d, _) in enumerate(RFM_DIMENSIONS)}
    for scores in itertools.product(*axes):
        rule = next((r for r in rules if all(lo <= scores[index[d]] <= hi for d, (lo, hi) in (r.get("when") or {}).items())), None)
        if rule is not None:
            regions[rule["key"]].add(scores)
    for merge in seg.get("merged") or []:
        if merge.get("into") in regions:
            regions[merge["into"]] |= regions.pop(merge.get("from"), set())
    return regions


def _rfm_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    regions = rfm_regions(seg) or {}
    wording = seg.get("definition") or {}
    out: dict[str, dict[str, Range]] = {}
    for key, cells in regions.items():
        ranges: dict[str, Range] = {}
        for i, (dim, name) in enumerate(RFM_DIMENSIONS):
            scores, bands = {c[i] for c in cells}, _score_bands(seg, name)
            if not cells or not bands:
                continue
            ranges[f"{dim}_score"] = (min(scores), max(scores))
            column = RFM_COLUMNS[name].get(str(wording.get(name) or ""))
            if column and scores <= set(bands):
                ranges[column] = _hull([bands[s] for s in scores])
        out[key] = ranges
    return out


def _rfm_blocked(seg: dict, a: str, b: str) -> str | None:
    """Without a purchase the recency score can only fall and the frequency stays; a purchase
    adds a purchase day, which raises the frequency score unless its band has room."""
    regions = rfm_regions(seg)
    if not regions or not regions.get(a) or not regions.get(b) or not _score_bands(seg, "frequency"):
        return None
    bands = _score_bands(seg, "frequency") or {}
    room = {s: lo is None or hi is None or hi > lo for s, (lo, hi) in bands.items()}
    for s, t in itertools.product(regions[a], regions[b]):
        if t[1] > s[1] or (t[1] == s[1] and (t[0] <= s[0] or room.get(s[1], True))):
            return None
    rules = {r.get("key"): r.get("plain") for r in (seg.get("rules") or {}).get("segments") or [] if isinstance(r, dict)}
    return (
        f"the rule of '{b}' ({rules.get(b) or 'its rule'}) asks for a more recent purchase, or fewer purchase days, than any customer of '{a}' "
        f"({rules.get(a) or 'its rule'}) can have: purchase days never fall, and only a purchase, which adds one, makes the last purchase more recent"
    )


# -- the other segmentations ----------------------------------------------------------------------


def _lifecycle_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    """Tenure bands, and the lapsed threshold checked first: the other stages are more recent
    than it, and a lapsed customer's tenure (from the first purchase) is at least the recency.
    On an event log tenure counts from the first activity, which customers.csv's tenure_days
    (from the first purchase) is not: there it only tells which moves tenure rules out.
    With a CRM's status (a churned stage), live accounts are never lapsed, so the other
    stages' recency is not capped."""
    defn = seg.get("definition") or {}
    text = str(defn.get("lapsed") or "")
    lapsed = re.search(r"(\d+)\+ days", text)
    capped = lapsed and "churned" not in defn
    recency = "days_since_active" if seg.get("basis") == "activity" else "recency_days"
    # Subscribers with a billing cycle lapse at their own threshold ('monthly 60, annual 395'):
    # the lapsed stage starts at the lowest threshold, and the others reach up to the highest.
    thresholds = [int(lapsed.group(1))] + [int(n) for n in _CYCLE_THRESHOLD.findall(text)] if lapsed else []
    out: dict[str, dict[str, Range]] = {}
    for band in defn.get("tenure_bands_days") or []:
        if isinstance(band, dict) and band.get("key"):
            out[band["key"]] = {"tenure_days": (band.get("min"), band.get("max"))}
            if capped:
                out[band["key"]][recency] = (0, max(thresholds) - 1)
    if lapsed:
        days = min(thresholds)
        out["lapsed"] = {recency: (days, None), "tenure_days": (days, None)}
    return out


_CYCLE_THRESHOLD = re.compile(r"\b(?:weekly|every two weeks|monthly|quarterly|half-yearly|annual) (\d+)\b")


def _value_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    defn = seg.get("definition") or {}
    if defn.get("basis") != "total spend per customer":  # ARR tiers are not customers.csv spend
        return {}
    return {t["key"]: {"monetary_total": _band_range(t)} for t in defn.get("tiers") or [] if isinstance(t, dict) and t.get("key")}


def _health_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    return _stepped((seg.get("definition") or {}).get("bands") or [], "min", "health_score", whole=True)


def _behavioral_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    """Bands of active days in the window; a band without any has had no activity in it."""
    if seg.get("method") != "active_days_30":
        return {}
    defn = seg.get("definition") or {}
    window = defn.get("window_days") if isinstance(defn.get("window_days"), int) else ACTIVITY_WINDOW
    out = _stepped(defn.get("bands") or [], "min_days", "active_days_30", whole=True)
    for ranges in out.values():
        lo, hi = ranges["active_days_30"]
        if lo >= 1:
            ranges["days_since_active"] = (0, window)
        elif hi == 0:
            ranges["days_since_active"] = (window, None)
    return out


RANGES = {"rfm": _rfm_ranges, "lifecycle": _lifecycle_ranges, "value": _value_ranges, "health": _health_ranges, "behavioral": _behavioral_ranges}


def segment_ranges(seg: dict) -> dict[str, dict[str, Range]]:
    """Segment key -> customers.csv metric -> the range its definition allows."""
    make = RANGES.get(str(seg.get("kind") or ""))
    return make(seg) if make else {}


def move_blocked(seg: dict, a: str, b: str) -> str | None:
    """Why no customer of segment ``a`` can ever be in segment ``b``; None when one can."""
    if seg.get("kind") == "rfm":
        return _rfm_blocked(seg, a, b)
    ranges = segment_ranges(seg)
    for metric in NEVER_FALL:
        lo, hi = ranges.get(a, {}).get(metric, (None, None))[0], ranges.get(b, {}).get(metric, (None, None))[1]
        if lo is not None and hi is not None and hi < lo:
            return f"{metric} never falls, and '{b}' holds {metric} {describe(ranges[b][metric])} where every customer of '{a}' has {lo:g} or more"
    return None
