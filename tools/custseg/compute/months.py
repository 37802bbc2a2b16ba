"""Sales by calendar month, and how the last period's sales compare with the period before it.

The month table lets a user's hunch about seasons be checked against counted figures
instead of a guess; the pace check says when the period that next-period validation and
trends are measured on was a peak (or a lull), which lifts (or lowers) every segment's
figures alike. Both come from one pass that sums the orders of each day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from custseg.compute.metrics import EPOCH, Ledger

PACE_RATIO = 1.3  # the last period's sales against the period before it: above this (or below its inverse) a warning says so


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 for each day number."""
    return (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(np.int64)


@dataclass
class Daily:
    """Orders and revenue of each day from ``first`` to ``last`` (index 0 = ``first``)."""

    first: int
    orders: np.ndarray
    revenue: np.ndarray | None  # None when the data has no amounts

    @classmethod
    def from_ledger(cls, ledger: Ledger, first: int, last: int, has_amounts: bool) -> "Daily":
        held = ledger.until(last)
        offset = held.day - first
        size = last - first + 1
        revenue = np.bincount(offset, weights=np.nan_to_num(held.amount, nan=0.0), minlength=size) if has_amounts else None
        return cls(first, np.bincount(offset, minlength=size), revenue)

    @property
    def sales(self) -> np.ndarray:
        """Revenue per day, or orders when the data has no amounts."""
        return self.revenue if self.revenue is not None else self.orders.astype(float)

    def pace_change(self, end: int, period: int) -> float | None:
        """Sales of the period ending on ``end`` over those of the period before it (same
        length); None when the data does not cover the period before or it sold nothing."""
        stop = end - self.first + 1
        if stop - 2 * period < 0 or stop > len(self.orders):
            return None
        before = float(self.sales[stop - 2 * period : stop - period].sum())
        return float(self.sales[stop - period : stop].sum()) / before if before > 0 else None


def by_month(ledger: Ledger, daily: Daily) -> list[dict]:
    """One row per calendar month the daily figures span: orders, buyers, revenue, and how many
    of the month's days the data covers (the first and last months are often partial)."""
    size_days = len(daily.orders)
    month_of_day = month_index(np.arange(daily.first, daily.first + size_days))
    lo = int(month_of_day[0])
    month_pos = month_of_day - lo
    size = int(month_pos[-1]) + 1
    held = ledger.until(daily.first + size_days - 1)
    pos = month_pos[held.day - daily.first]
    # Rows are sorted by (customer, day), so a customer's months come in order: a buyer of a
    # month is a row that starts a new customer or a new month.
    starts = np.ones(len(pos), dtype=bool)
    if len(pos) > 1:
        starts[1:] = (held.code[1:] != held.code[:-1]) | (pos[1:] != pos[:-1])
    buyers = np.bincount(pos[starts], minlength=size)
    orders = np.bincount(month_pos, weights=daily.orders, minlength=size)
    revenue = np.bincount(month_pos, weights=daily.revenue, minlength=size) if daily.revenue is not None else None
    covered = np.bincount(month_pos, minlength=size)
    bounds = (np.arange(lo, lo + size + 1).astype("datetime64[M]").astype("datetime64[D]") - EPOCH).astype(np.int64)  # first day of each month, and of the next
    return [
        {
            "month": str(np.datetime64(lo + i, "M")),
            "days_covered": int(covered[i]),
            "days_in_month": int(bounds[i + 1] - bounds[i]),
            "orders": int(orders[i]),
            "buyers": int(buyers[i]),
            "revenue": round(float(revenue[i]), 2) if revenue is not None else None,
        }
        for i in range(size)
    ]
