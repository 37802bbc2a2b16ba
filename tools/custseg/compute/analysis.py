"""Per-segment figures, migration between periods, next-period validation and sized moves.

All functions take a segment per customer as its position in ``keys`` (an int array)
plus the aligned metric arrays and return plain dicts; ``facts.build`` turns them into
the schema's dataclasses.
"""

from __future__ import annotations

import math

import numpy as np

from custseg.compute.metrics import Metrics
from custseg.compute.seasons import YEAR_DAYS

# Sized opportunities: only moves at least this share of the from-segment made, and at
# least this many customers.
MIN_MOVE_RATE = 0.01
MIN_MOVED = 5
OPPORTUNITY_LIMIT = 8  # the most valuable moves listed
OPPORTUNITY_BASIS = "upward moves that at least {:.0%} of a segment and at least {} customers made last period; amounts are per period, and rows share customers, so they do not add up"
# A move is valued at what the customers who made it spent in the period (less what those who
# stayed spent) where at least this many made it; fewer, and the to-segment's spend stands in.
# An audit's Dormant -> Loyal was valued at Loyal's 330.55 a customer where the 62 who moved spent 313.73.
MIN_VALUE_MOVERS = MIN_RATE_CUSTOMERS = 20
# 'A further tenth' is sized only where a tenth of the segment is at most this many times the
# share that moved on their own; beyond, the what-if is as many again as moved (an audit's
# further tenth of Dormant was ten times the 1.0% who moved, worth more than the period's revenue).
MAX_FURTHER_MULTIPLE = 3
TREND_THRESHOLD = 0.10  # a segment's share of customers moving by more than 10% of itself between periods
TREND_MIN_CUSTOMERS = 5  # below this at either date a share's change is a handful of people, not a trend
TREND_CLEAR_CUSTOMERS = 20  # ... unless the other date holds this many: 1 -> 25 customers is growing
TREND_BASIS = "share of {} at the as-of date against one period earlier; growing or declining when the share moves by more than {:.0%} of itself; none given for a segment of fewer than {} customers at either date, unless it held {} or more at the other"


# MIN_RATE_CUSTOMERS (above): a rate of fewer customers than this is too thin to tell or compare:
# one customer moves it by five points or more (next-period rates in plans, come-back rates after a first purchase).

# A segment's typical gap between purchases is told from at least this many repeat buyers.
MIN_GAP_BUYERS = TREND_MIN_CUSTOMERS


# How long ago a segment's customers last bought, in bands finer than the recency scores past
# six months: a Dormant segment of a six-year store holds people of last quarter and of 2020.
# The first two follow the recency scores (91 to 180 days is score 2). The years are the
# seasonality window's (seasons.window): the 365 days up to the as-of date are recency 0 to 364,
# so a purchase 365 days before it (the same date a year earlier) falls in the year before,
# not in this year's band; a trial's band counted 303 customers where the quarters' buyers were 297.
LAST_PURCHASE_BANDS = ((0, "within_90_days"), (91, "days_91_to_180"), (181, "days_181_to_364"), (YEAR_DAYS, "days_365_to_729"), (2 * YEAR_DAYS, "days_730_or_more"))


def last_purchase_bands(idx: np.ndarray, k: int, recency: np.ndarray) -> np.ndarray:
    """Customers per (segment, LAST_PURCHASE_BANDS band): a k x 5 table of counts."""
    starts = np.array([start for start, _ in LAST_PURCHASE_BANDS[1:]])
    band = np.searchsorted(starts, recency, side="right")
    width = len(LAST_PURCHASE_BANDS)
    return np.bincount(idx * width + band, minlength=k * width).reshape(k, width)


def segment_stats(idx: np.ndarray, keys: list[str], m: Metrics, has_amounts: bool, revenue_total: float | None, bands: bool = False) -> dict[str, dict]:
    """Each segment's figures; ``bands``: with how long ago its customers last bought
    (``last_purchase_days``, purchase data's RFM)."""
    n = len(idx)
    k = len(keys)
    counts = np.bincount(idx, minlength=k)
    revenue = np.bincount(idx, weights=m.monetary, minlength=k)
    orders = np.bincount(idx, weights=m.orders, minlength=k)
    repeat = np.bincount(idx, weights=(m.purchase_days >= 2).astype(float), minlength=k)
    days = np.bincount(idx, weights=m.purchase_days.astype(float), minlength=k)
    recent_spend = np.bincount(idx, weights=m.spend_recent, minlength=k)
    medians = group_medians(idx, m.recency, k)
    spaced, gaps = m.repeat_gaps
    gap_medians = group_medians(idx[spaced], gaps, k)
    gap_buyers = np.bincount(idx[spaced], minlength=k)
    banded = last_purchase_bands(idx, k, m.recency) if bands else None
    out = {}
    for i, key in enumerate(keys):
        c = int(counts[i])
        money = has_amounts and c > 0
        out[key] = {
            "count": c,
            "pct_customers": _r(c / n, 6) if n else 0.0,
            "revenue": _r(revenue[i], 2) if has_amounts else None,
            "revenue_share": _r(revenue[i] / revenue_total, 6) if has_amounts and revenue_total else None,
            "avg_value": _r(revenue[i] / c, 2) if money else None,
            "aov": _r(revenue[i] / orders[i], 2) if money and orders[i] else None,
            "median_recency_days": float(medians[i]) if c else None,
            "avg_purchase_days": _r(days[i] / c, 2) if c else None,
            "repeat_rate": _r(repeat[i] / c, 6) if c else None,
            "median_gap_days": float(gap_medians[i]) if gap_buyers[i] >= MIN_GAP_BUYERS else None,
            "spend_last_period_per_customer": _r(recent_spend[i] / c, 2) if money and m.period else None,
        }
        if banded is not None:
            out[key]["last_purchase_days"] = {name: int(banded[i, j]) for j, (_, name) in enumerate(LAST_PURCHASE_BANDS)}
    return out


def group_medians(idx: np.ndarray, values: np.ndarray, k: int) -> np.ndarray:
    """The median of integer ``values`` in each of k groups (NaN for an empty one), by counting:
    days span a few thousand values, so this is two bincounts, not a sort per group."""
    out = np.full(k, np.nan)
    if not len(idx):
        return out
    low = int(values.min())
    width = int(values.max()) - low + 1
    if width * k > 50_000_000:  # an unusually wide range: sort instead
        return np.array([np.median(values[idx == g]) if (idx == g).any() else np.nan for g in range(k)])
    # segment indexes come as int16: widen before multiplying, or idx * width wraps past 32,767
    table = np.bincount(idx.astype(np.int64) * width + (values - low), minlength=k * width).reshape(k, width)
    for g in range(k):
        running = np.cumsum(table[g])
        total = int(running[-1])
        if total:
            lower = np.searchsorted(running, (total - 1) // 2, side="right")
            upper = np.searchsorted(running, total // 2, side="right")
            out[g] = (lower + upper) / 2 + low
    return out


def add_trend(stats: dict[str, dict], prev_idx: np.ndarray | None, keys: list[str]) -> None:
    """Share of customers now vs one period earlier; growing / declining when the share moves
    by more than TREND_THRESHOLD of itself.

    Shares, not counts: the customer base only grows (everyone who ever bought is in it), so
    every segment's count tends to rise, the lapsed ones fastest, and "growing" would say
    nothing. A share says whether the segment takes a larger part of the base than before.
    """
    if prev_idx is None:
        return
    prev = np.bincount(prev_idx, minlength=len(keys))
    total_prev = int(prev.sum())
    total_now = sum(stats[key]["count"] for key in keys)
    for i, key in enumerate(keys):
        now, before = stats[key]["count"], int(prev[i])
        stats[key]["count_prev"] = before
        stats[key]["pct_customers_prev"] = _r(before / total_prev, 6) if total_prev else None
        if min(now, before) < TREND_MIN_CUSTOMERS and max(now, before) < TREND_CLEAR_CUSTOMERS:  # 3 -> 8 customers is +133%, and says nothing
            stats[key]["trend"] = None
            stats[key]["trend_change"] = None
            continue
        if before == 0:  # empty one period ago: no share to compare, but plainly growing
            stats[key]["trend_change"] = None
            stats[key]["trend"] = "growing"
            continue
        change = (now / total_now) / (before / total_prev) - 1
        stats[key]["trend_change"] = _r(change, 6)
        stats[key]["trend"] = "growing" if change > TREND_THRESHOLD else "declining" if change < -TREND_THRESHOLD else "stable"


def migration(prev_codes: np.ndarray, prev_idx: np.ndarray, now_codes: np.ndarray, now_idx: np.ndarray, keys: list[str], window_spend: np.ndarray | None, watch_pairs: list[tuple[str, str]]) -> dict:
    """From -> to counts for customers present at both dates (everyone who bought by the earlier one)."""
    k = len(keys)
    fi = prev_idx.astype(np.int64)
    ti = now_idx[np.searchsorted(now_codes, prev_codes)].astype(np.int64)  # both sorted by customer code
    flat = np.bincount(fi * k + ti, minlength=k * k).reshape(k, k)
    matrix = {a: {b: int(flat[i, j]) for j, b in enumerate(keys)} for i, a in enumerate(keys)}
    revenue = None
    if window_spend is not None:
        rflat = np.bincount(fi * k + ti, weights=window_spend[prev_codes], minlength=k * k).reshape(k, k)
        revenue = {a: {b: _r(rflat[i, j], 2) for j, b in enumerate(keys)} for i, a in enumerate(keys)}
    new_mask = ~np.isin(now_codes, prev_codes, assume_unique=True)
    entered = {key: int(c) for key, c in zip(keys, np.bincount(now_idx[new_mask], minlength=k))}
    # A transition from a segment empty at the earlier date, or into one empty at the later
    # (merged away as too small), is zero by construction: listing it would read as "nobody moved".
    had = dict(zip(keys, flat.sum(axis=1).tolist()))
    has = dict(zip(keys, np.bincount(now_idx, minlength=k).tolist()))
    watch = [{"from_segment": a, "to_segment": b, "customers": matrix[a][b], "revenue": revenue[a][b] if revenue else None} for a, b in watch_pairs if a in matrix and b in matrix and had[a] and has[b]]
    return {"customers_in_both": int(len(prev_codes)), "matrix": matrix, "revenue": revenue, "entered": entered, "watch": watch}


def validation(prev_codes: np.ndarray, prev_idx: np.ndarray, keys_ranked: list[str], orders_next: np.ndarray, spend_next: np.ndarray, has_amounts: bool, verb: str = "bought again", held: np.ndarray | None = None) -> dict:
    """What each segment at the cutoff did in the following period (``orders_next``: purchases,
    or any event for usage groups; ``verb`` says which in the violations). ``held``: per
    customer code, whether the customer is in the holdout, whose rate is given apart."""
    bought = orders_next[prev_codes] > 0
    spend = spend_next[prev_codes]
    held = held[prev_codes] if held is not None else None
    total_window = float(spend_next.sum())
    rows = []
    for i, key in enumerate(keys_ranked):
        mask = prev_idx == i
        c = int(mask.sum())
        if c == 0:
            continue
        rows.append({
            "segment": key,
            "customers": c,
            "repeat_rate": _r(bought[mask].mean(), 6),
            "revenue_per_customer": _r(spend[mask].mean(), 2) if has_amounts else None,
            "revenue_share": _r(spend[mask].sum() / total_window, 6) if has_amounts and total_window else None,
            **(holdout_split(bought[mask], held[mask]) if held is not None else {}),
        })
    base = float(bought.mean()) if len(bought) else 0.0
    rates = [r["repeat_rate"] for r in rows]
    violations = [f"{rows[i + 1]['segment']} ({rates[i + 1]:.1%}) {verb} more often than {rows[i]['segment']} ({rates[i]:.1%})" for i in range(len(rates) - 1) if rates[i + 1] > rates[i]]
    repeaters = {key: int(bought[prev_idx == i].sum()) for i, key in enumerate(keys_ranked)}
    inversions = [inversion(rows[i], rows[i + 1], repeaters) for i in range(len(rates) - 1) if rates[i + 1] > rates[i]]
    top = rows[0] if rows else None
    existing_spend = float(spend.sum())
    return {
        "segments": rows,
        "base_repeat_rate": _r(base, 6),
        "top_segment": top["segment"] if top else "",
        "top_lift": _r(top["repeat_rate"] / base, 2) if top and base > 0 else None,
        "monotone": not violations,
        "violations": violations,
        "inversions": inversions,
        "in_order_within_chance": all(inv["within_chance"] for inv in inversions),
        "new_customer_revenue_share": _r(1 - existing_spend / total_window, 6) if has_amounts and total_window else None,
        "holdout": holdout_split(bought, held) if held is not None else None,
    }


def inversion(higher: dict, lower: dict, repeaters: dict[str, int]) -> dict:
    """A segment that bought again more often than the one ranked above it, with the gap chance
    alone keeps two groups of their sizes within 19 times in 20 (as the holdout's and home
    against abroad): a trial's Needs Attention 11.1% (25 of 225) above New 8.2% (8 of 98) is 2.9
    points apart where chance allows 7.2, so no finding; a gap beyond it is a real inversion."""
    n, rest = higher["customers"], lower["customers"]
    pooled = (repeaters[higher["segment"]] + repeaters[lower["segment"]]) / (n + rest)
    margin = chance_gap(pooled, n, rest)
    gap = _r(lower["repeat_rate"] - higher["repeat_rate"], 6)
    return {
        "lower": lower["segment"],
        "higher": higher["segment"],
        "lower_repeat_rate": lower["repeat_rate"],
        "higher_repeat_rate": higher["repeat_rate"],
        "gap": gap,
        "chance_gap": _r(margin, 6) if margin is not None else None,
        "within_chance": margin is not None and gap <= _r(margin, 6),
    }


def chance_gap(pooled: float, n: int, rest: int) -> float | None:
    """How far apart the rates of two groups of ``n`` and ``rest`` customers, drawn by chance
    from one rate ``pooled``, fall 95 times in 100 (normal approximation of the difference of two
    proportions): a gap within it is no difference the data can tell. None where a group is empty."""
    return 1.96 * math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest)) if n and rest else None


def holdout_split(bought: np.ndarray, held: np.ndarray) -> dict:
    """The held-out customers' count and rate of buying again, and everyone else's: equal but
    for chance until campaigns leave the holdout out; after, the gap is what they added."""
    n = int(held.sum())
    rest = len(held) - n
    pooled = float(bought.mean()) if len(bought) else 0.0
    margin = chance_gap(pooled, n, rest)
    return {
        "held_out_customers": n,
        "held_out_repeat_rate": _r(bought[held].mean(), 6) if n else None,
        "others_repeat_rate": _r(bought[~held].mean(), 6) if rest else None,
        "chance_gap": _r(margin, 6) if margin is not None else None,
    }


def opportunities(matrix: dict[str, dict[str, int]], prev_counts: dict[str, int], stats: dict[str, dict], ranked: list[str], limit: int = OPPORTUNITY_LIMIT, currency: str | None = None, names: dict[str, str] | None = None, revenue: dict[str, dict[str, float]] | None = None, period_revenue: float | None = None) -> list[dict]:
    """Upward moves sized from this data: who could move, how often they did, what it is worth
    (``currency`` names the amounts in the explanation; ``names``, the segments, as the tables do).

    A move is valued (``revenue_gap_per_customer``) at what the customers who made it last period
    spent in it, less what those who stayed in the from-segment spent, where at least
    MIN_VALUE_MOVERS made it (``value_basis`` "movers"; ``revenue``, the migration's from -> to
    spend in the last period, gives it); else at the to-segment's spend per customer beyond the
    from-segment's (``value_basis`` "to_segment"): buying is what lifts a customer, so that
    overstates what a moved customer spends. ``next_gap_per_customer``: what customers in the
    better segment at the period's start spent in it beyond those in the worse one.

    'A further tenth' (``value_per_10pct``) is sized only where a tenth of the segment is at most
    MAX_FURTHER_MULTIPLE times the share that moved on their own; else it is None and the what-if
    is as many again as moved (``expected_revenue``). ``above_period_revenue``: an amount is more
    than all customers spent in the period (``period_revenue``), said in the explanation."""
    def name(key: str) -> str:
        return (names or {}).get(key) or key

    after = {k: sum(row.values()) / prev_counts[k] for k, row in (revenue or {}).items() if prev_counts.get(k)}

    out = []
    for a, b in upward_moves(ranked):
        if unsized_reason(a, b, matrix, prev_counts, stats, revenue) is not None:
            continue
        now = stats[a]["count"]
        moved = matrix[a][b]
        gap, movers_spend, stayers_spend = move_value(a, b, matrix, stats, revenue)
        rate = _r(moved / prev_counts[a], 6)  # the stored value, so every mention rounds alike (as other rates: 6 places)
        expected = int(round(now * rate))
        further = 0.1 <= MAX_FURTHER_MULTIPLE * rate
        value_10 = _r(0.1 * now * gap, 2) if further else None
        next_gap = _r(_r(after[b], 2) - _r(after[a], 2), 2) if a in after and b in after else None  # as the next-period check shows them
        unit = f" {currency}" if currency else ""
        later = f"; customers in {name(b)} when the period began spent {next_gap:,.2f}{unit} more in it than those in {name(a)}" if next_gap is not None else ""
        if movers_spend is not None:
            stayed = f"{stayers_spend:,.2f}{unit} each" if stayers_spend else "nothing"
            valued = f"last period {rate:.1%} of {name(a)} ({moved:,} customers) moved to {name(b)} and spent {movers_spend:,.2f}{unit} each in it, {gap:,.2f}{unit} more than those who stayed in {name(a)} ({stayed})"
        else:
            # Segments of quiet customers bought nothing in the period: the gap is then the better
            # segment's whole spend, the same for every quiet segment, and said so.
            spent = f" ({name(a)} spent nothing in it)" if _spend(stats, a) == 0 else ""
            valued = (f"last period {rate:.1%} of {name(a)} moved to {name(b)}, {moved:,} customers, under {MIN_VALUE_MOVERS} and too few to value the move by their own spend, "
                      f"so it is valued at what a customer in {name(b)} spent: {gap:,.2f}{unit} more per period{spent}")
        what_if = (f"; a further tenth of {name(a)} ({int(round(0.1 * now)):,} customers) moving would add {value_10:,.2f}{unit} a period" if further else
                   f"; a further tenth of {name(a)} would be more than {MAX_FURTHER_MULTIPLE} times the share that moved on their own, so the what-if is as many again as moved on their own ({expected:,} customers, {expected * gap:,.2f}{unit} a period)")
        item = {
            "from_segment": a,
            "to_segment": b,
            "customers_now": now,
            "historical_rate": rate,
            "moved": moved,
            "revenue_gap_per_customer": _r(gap, 2),
            "value_basis": "movers" if movers_spend is not None else "to_segment",
            "movers_spend_per_customer": _r(movers_spend, 2) if movers_spend is not None else None,
            "expected_customers": expected,
            "expected_revenue": _r(expected * gap, 2),
            "value_per_10pct": value_10,
            "next_gap_per_customer": next_gap,
        }
        largest = max(item["expected_revenue"], value_10 or 0.0)
        item["above_period_revenue"] = bool(period_revenue is not None and largest > period_revenue)
        beyond = f"; more than all customers spent in the period ({period_revenue:,.2f}{unit}): a what-if beyond the whole period's sales" if item["above_period_revenue"] else ""
        item["explanation"] = f"{now:,} customers are in {name(a)} now; {valued}{later}{what_if}{beyond}"
        out.append(item)
    # Most likely value first: moves that actually happen at a useful rate beat big but rare ones.
    out.sort(key=lambda o: (-o["expected_revenue"], o["from_segment"], o["to_segment"]))
    return out[:limit]


def move_value(a: str, b: str, matrix: dict[str, dict[str, int]], stats: dict[str, dict], revenue: dict[str, dict[str, float]] | None) -> tuple[float, float | None, float | None]:
    """(value per moved customer, the movers' spend each, the stayers' spend each): the movers'
    spend in the period less the stayers' where at least MIN_VALUE_MOVERS moved, else the
    to-segment's spend per customer less the from-segment's (and None, None)."""
    moved = matrix[a][b]
    if revenue is not None and moved >= MIN_VALUE_MOVERS:
        movers = revenue[a][b] / moved
        stayed = matrix[a][a]
        stayers = revenue[a][a] / stayed if stayed else _spend(stats, a)
        return movers - stayers, movers, stayers
    return _spend(stats, b) - _spend(stats, a), None, None


def upward_moves(ranked: list[str]) -> list[tuple[str, str]]:
    """Every (from, to) pair where ``to`` ranks above ``from``: the moves a plan could size."""
    return [(a, b) for i, a in enumerate(ranked) for b in ranked[:i]]


# Why an upward move is not sized, checked in this order (the first that holds is counted);
# each reads after "N moves" in the note facts.json carries.
UNSIZED_REASONS = {
    "from_segment_empty": "from a segment with no customers now or none a period earlier",
    "to_segment_empty": "to a segment with no customers now",
    "no_amounts": "with no amounts in the data to value them",
    "no_spend_gap": "to a segment whose customers spent no more per period than those of the one they start from",
    "no_moves": "made by no customer last period",
    "too_few_moves": f"made by fewer than {MIN_MOVED} customers last period",
    "rate_too_low": f"made by under {MIN_MOVE_RATE:.0%} of their segment last period",
    "movers_spent_no_more": "whose customers who made it last period spent no more in it than those who stayed",
    "beyond_limit": "qualified, but past the {} most valuable listed",
}


def _spend(stats: dict[str, dict], key: str) -> float:
    return stats[key]["spend_last_period_per_customer"] or 0.0


def unsized_reason(a: str, b: str, matrix: dict[str, dict[str, int]], prev_counts: dict[str, int], stats: dict[str, dict], revenue: dict[str, dict[str, float]] | None = None) -> str | None:
    """Why the move from ``a`` up to ``b`` cannot be sized (a key of UNSIZED_REASONS), or None."""
    if stats[a]["count"] == 0 or prev_counts.get(a, 0) == 0:
        return "from_segment_empty"
    if stats[b]["count"] == 0:
        return "to_segment_empty"
    if stats[b]["spend_last_period_per_customer"] is None:
        return "no_amounts"
    if _spend(stats, b) - _spend(stats, a) <= 0:
        return "no_spend_gap"
    moved = matrix[a][b]
    if moved == 0:
        return "no_moves"
    if moved < MIN_MOVED:
        return "too_few_moves"
    if _r(moved / prev_counts[a], 6) < MIN_MOVE_RATE:
        return "rate_too_low"  # a move almost nobody made: its 'each further tenth' would be fiction
    if move_value(a, b, matrix, stats, revenue)[0] <= 0:
        return "movers_spent_no_more"
    return None


def unsized_moves(matrix: dict[str, dict[str, int]], prev_counts: dict[str, int], stats: dict[str, dict], ranked: list[str], limit: int = OPPORTUNITY_LIMIT, revenue: dict[str, dict[str, float]] | None = None) -> dict[str, int]:
    """How many upward moves were not sized, by reason (only reasons that occur, in
    UNSIZED_REASONS order): facts.json says why the list of opportunities is short or empty."""
    reasons = [unsized_reason(a, b, matrix, prev_counts, stats, revenue) for a, b in upward_moves(ranked)]
    counts = {k: reasons.count(k) for k in UNSIZED_REASONS}
    counts["beyond_limit"] = max(0, reasons.count(None) - limit)
    return {k: c for k, c in counts.items() if c}


def opportunities_note(skipped: dict[str, int], sized: int, limit: int = OPPORTUNITY_LIMIT) -> str:
    """In words: how many upward moves were sized and why the others were not."""
    total = sized + sum(skipped.values())
    if not skipped:
        return f"all {total:,} upward {_moves(total)} between segments are sized"
    said = "; ".join(f"{c:,} {_moves(c)} {UNSIZED_REASONS[k].format(limit)}" for k, c in skipped.items())
    if sized == 0:
        return f"none of the {total:,} upward {_moves(total)} between segments could be sized: {said}"
    return f"{sized:,} of the {total:,} upward moves between segments are sized; the other {total - sized:,}: {said}"


def _moves(count: int) -> str:
    return "move" if count == 1 else "moves"


def _r(x: float, digits: int) -> float:
    return round(float(x), digits)


CYCLE_WARNING_START = "the segments' own purchase cycle is longer than"  # how cycle_warning begins: briefs find it by this
# The at-risk segment of the built-in rule tables: where regular buyers land when their own
# gap between purchases outlasts the recency at which it starts.
AT_RISK = "at_risk"


def cycle_warning(order: list[str], stats: dict[str, dict], names: dict[str, str], window: tuple[int, int | None] | None, matrix: dict[str, dict[str, int]] | None, period_days: int, on_recency: set[str] | None = None) -> str | None:
    """A warning when the segments ranked above At Risk buy further apart (their repeat buyers'
    median gap, median_gap_days) than the recency at which At Risk starts: their customers pass
    through At Risk between routine purchases, so moves into it are largely ordinary gaps. An
    audit's export: Champions a median 114 days apart, Loyal 154, At Risk 182, against At Risk's
    91-180 days, and 107 of 139 Loyal and 20 of 38 Champions moved to At Risk in one quarter.
    None when no segment above At Risk buys further apart than its window starts. ``on_recency``:
    the segments whose rules set a recency (a rule file can widen theirs; a catch-all has none)."""
    if AT_RISK not in order or window is None or not stats.get(AT_RISK, {}).get("count"):
        return None
    start, end = window
    above = [k for k in order[: order.index(AT_RISK)] if (stats[k].get("median_gap_days") or 0) > start]
    if not above:
        return None
    gaps = [f"{stats[k]['median_gap_days']:g} days in {names.get(k, k)}" for k in above]
    own = stats[AT_RISK].get("median_gap_days")
    if own is not None:
        gaps.append(f"{own:g} in {names.get(AT_RISK, AT_RISK)} itself")
    span = f"{start}-{end} days" if end is not None else f"{start}+ days"
    moved = []
    for k in above:
        row = (matrix or {}).get(k) or {}
        total = sum(row.values())
        if total and row.get(AT_RISK):
            moved.append(f"{row[AT_RISK]:,} of {total:,} {names.get(k, k)}")
    went = f"; in the last period {_join_words(moved)} moved to {names.get(AT_RISK, AT_RISK)}, mostly between routine purchases" if moved else ""
    widen = [names.get(k, k) for k in above if on_recency is None or k in on_recency]
    rule_file = (f"rerun with a rule file whose {_join_words(widen)} also {'take' if len(widen) > 1 else 'takes'} recency 2 (segment rules --json, edit, then --rules FILE), and "
                 if widen else "rerun ")
    return (f"{CYCLE_WARNING_START} {names.get(AT_RISK, AT_RISK)}'s window: repeat buyers' median gap between purchases is {_join_words(gaps)}, "
            f"against {names.get(AT_RISK, AT_RISK)}'s last purchase {span} ago, so regular customers pass through {names.get(AT_RISK, AT_RISK)} between purchases{went}. "
            f"Read a move into {names.get(AT_RISK, AT_RISK)} as 'due to buy again' before 'slipping away'; to keep regular buyers where they belong, {rule_file}"
            f"with --period {_longer_period(max(stats[k]['median_gap_days'] for k in above), period_days)} so migration and the next-period check span one usual gap between purchases")


def _longer_period(gap: float, period_days: int) -> str:
    """A --period at least as long as the gap, in whole 30-day months (180d for a 154-day gap)."""
    return f"{max(period_days, int(math.ceil(gap / 30.0)) * 30)}d"


def _join_words(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
