"""When each segment bought in the last year: spend and buyers by calendar quarter.

A hunch like "most of our best customers only buy before Christmas" is about one segment's
calendar, which sales by month (months.py) cannot answer. Here every group (each RFM segment
at the as-of date, and all customers together) gets, for the 365 days up to the as-of date
(as-of minus 364 days to the as-of date, so each day of the calendar year falls in the window
once), the share of its spend in each calendar quarter, the share of its buyers who bought in
each quarter, and the share of its buyers who bought in one quarter only.

One pass over the orders in the window: a lookup of each window day's quarter, each buyer's
quarters as a 4-bit mask, then counts by (group, mask) and sums by (group, quarter). Exact
(integer counts, sums of the orders' amounts) and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custseg.compute.metrics import Ledger
from custseg.compute.months import month_index

YEAR_DAYS = 365  # the window: each calendar day of the year once (a leap year's 29 February displaces one other day)
QUARTERS = ("q1", "q2", "q3", "q4")  # January-March, April-June, July-September, October-December
DIGITS = 6  # shares are stored to 6 decimals, as the segments' other shares


def window(as_of: int) -> tuple[int, int]:
    """The first and last day of the year up to ``as_of``."""
    return as_of - YEAR_DAYS + 1, as_of


@dataclass
class Season:
    """Figures of each group over the window (rows: groups, columns: quarters)."""

    buyers: np.ndarray  # customers of the group with an order in the window
    quarter_buyers: np.ndarray  # (groups, 4): of them, who bought in each quarter
    one_quarter: np.ndarray  # of them, who bought in exactly one quarter
    spend: np.ndarray | None  # (groups, 4): net amount of the group's orders in each quarter; None without amounts


def by_quarter(ledger: Ledger, as_of: int, group_of_code: np.ndarray, groups: int, has_amounts: bool) -> tuple[Season, Season]:
    """Per group (``group_of_code``: each customer code's group, -1 for none) and for every
    customer together: who bought and what they spent in each calendar quarter of the year
    up to ``as_of``."""
    first, last = window(as_of)
    day, code, amount = ledger.day, ledger.code, ledger.amount
    if len(day) and (day.min() < first or day.max() > last):  # else every order is in the window: no copies
        in_window = (day >= first) & (day <= last)
        day, code, amount = day[in_window], code[in_window], amount[in_window]
    # each window day's calendar quarter (0 = January-March .. 3 = October-December), looked up per order
    quarter = (month_index(np.arange(first, last + 1)) % 12 // 3).astype(np.int8)[day - first]
    # Rows are sorted by customer, so each buyer is one run of rows: the quarters a buyer
    # bought in are the bits of one 4-bit mask (a customer's window can hold two pieces of
    # one quarter, a year apart, and both set that quarter's bit). Work is per row in the
    # window and per buyer, never per customer of the whole file.
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]]) if len(code) else np.array([], dtype=np.int64)
    mask = np.bitwise_or.reduceat(np.left_shift(1, quarter, dtype=np.int8), starts) if len(starts) else np.array([], dtype=np.int8)
    group = np.asarray(group_of_code)[code[starts]]
    per_group = _season(mask, group, groups)
    everyone = _season(mask, np.zeros(len(mask), dtype=np.int64), 1)
    if has_amounts:
        spent = np.nan_to_num(amount, nan=0.0) if np.isnan(amount).any() else amount
        row_group = np.repeat(group, np.diff(np.append(starts, len(code))))
        # Cells (group + 1, quarter): the first row of cells holds the orders of no group.
        cells = np.bincount((row_group + 1) * 4 + quarter, weights=spent, minlength=4 * (groups + 1)).reshape(groups + 1, 4)
        per_group.spend = cells[1:]
        everyone.spend = np.bincount(quarter, weights=spent, minlength=4).astype(float)[None, :]
    return per_group, everyone


# Of each 4-bit mask of quarters bought in: which quarters (16 x 4) and whether it is one quarter.
_MASK_QUARTERS = (np.arange(16)[:, None] >> np.arange(4)) & 1
_ONE_QUARTER = _MASK_QUARTERS.sum(axis=1) == 1


def _season(mask: np.ndarray, group: np.ndarray, groups: int) -> Season:
    """Buyer counts per group from each buyer's mask of quarters (buyers of group -1 left out)."""
    member = group >= 0
    by_mask = np.bincount(group[member] * 16 + mask[member], minlength=16 * groups).reshape(groups, 16)
    return Season(
        buyers=by_mask.sum(axis=1),
        quarter_buyers=by_mask @ _MASK_QUARTERS,
        one_quarter=by_mask[:, _ONE_QUARTER].sum(axis=1),
        spend=None,
    )


def shares_summing_to_one(values: np.ndarray, digits: int = DIGITS) -> list[float]:
    """``values`` over their total, rounded to ``digits`` so that they add up to exactly 1:
    each share is its value rounded down, and the units the rounding left over go to the
    largest remainders (ties to the earlier quarter)."""
    unit = 10**digits
    scaled = np.asarray(values, dtype=float) / float(np.sum(values)) * unit
    floor = np.floor(scaled)
    short = int(round(unit - floor.sum()))
    order = np.argsort(-(scaled - floor), kind="stable")
    floor[order[:short]] += 1
    return [round(float(v) / unit, digits) for v in floor]


def figures(season: Season, i: int) -> dict:
    """Group ``i``'s figures as facts: shares are fractions, null where their base is zero
    (no buyer in the window; no spend, or spend that returns cancelled out)."""
    buyers = int(season.buyers[i])
    none = dict.fromkeys(QUARTERS)
    revenue = none
    if season.spend is not None and float(season.spend[i].sum()) > 0:
        revenue = dict(zip(QUARTERS, shares_summing_to_one(season.spend[i])))
    return {
        "buyers": buyers,
        "revenue_share": revenue,
        "buyers_share": {q: round(int(season.quarter_buyers[i, k]) / buyers, DIGITS) for k, q in enumerate(QUARTERS)} if buyers else none,
        "one_quarter_only": round(int(season.one_quarter[i]) / buyers, DIGITS) if buyers else None,
    }
