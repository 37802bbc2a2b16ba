"""Per-customer metrics from one-row-per-order transactions, with columnar numpy.

Days are integers (days since 1970-01-01) throughout: recency, tenure and periods are
differences of calendar days, and sorting by (customer, day) once lets every metric
be a ``reduceat`` over contiguous runs instead of a groupby.

The definitions match lifetimes' ``summary_data_from_transaction_data``:
``frequency = purchase_days - 1``, ``recency = last - first`` (days) and
``T = as_of - first``; the RFM ``recency_days`` here is ``as_of - last`` (``T - recency``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

EPOCH = np.datetime64("1970-01-01", "D")


def to_days(dates) -> np.ndarray:
    """datetime-like values -> int64 day numbers."""
    values = np.asarray(dates).astype("datetime64[D]")
    return (values - EPOCH).astype(np.int64)


def customer_codes(column: pd.Series, ids: pd.Index) -> np.ndarray:
    """Each row's position in ``ids`` (the ledger's customers), -1 for one not among them: a
    column coded on the same ids is read as it is, without a lookup per row."""
    if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.equals(ids):
        return column.cat.codes.to_numpy().astype(np.int64)
    return ids.get_indexer(column.astype(object)).astype(np.int64)


def from_day(day: int) -> str:
    return str(EPOCH + np.timedelta64(int(day), "D"))


def days_words(days: int) -> str:
    """'1 day', '45 days', '1,200 days': a span in the facts' own sentences."""
    return f"{int(days):,} {'day' if int(days) == 1 else 'days'}"


@dataclass
class Ledger:
    """Transactions sorted by (customer, day), with customer codes into ``ids``."""

    ids: pd.Index  # pseudonymous ids, sorted (Arrow-backed strings from ingest)
    code: np.ndarray  # int per order
    day: np.ndarray  # int day per order
    amount: np.ndarray  # float per order (NaN when the source has no amounts)

    @classmethod
    def from_frame(cls, tx: pd.DataFrame) -> "Ledger":
        column = tx["customer_id"]
        if isinstance(column.dtype, pd.CategoricalDtype):  # ingest's ids: codes already sorted by id
            codes = column.cat.codes.to_numpy().astype(np.int64)
            ids = column.cat.categories
        else:
            codes, ids = pd.factorize(column, sort=True)
            codes = codes.astype(np.int64)
            ids = pd.Index(ids)
        day = to_days(tx["date"].to_numpy())
        amount = tx["amount"].to_numpy(dtype=float)
        order = _order_by_customer_day(codes, day)
        if order is not None:
            codes, day, amount = codes[order], day[order], amount[order]
        return cls(ids, codes, day, amount)

    def purchase_days(self) -> np.ndarray:
        """Distinct purchase days per customer who bought (rows sorted by customer, day)."""
        if len(self.code) == 0:
            return np.array([], dtype=np.int64)
        new_customer = np.r_[True, self.code[1:] != self.code[:-1]]
        new_day = new_customer | np.r_[True, self.day[1:] != self.day[:-1]]
        return np.add.reduceat(new_day.astype(np.int64), np.flatnonzero(new_customer))

    def until(self, last_day: int) -> "Ledger":
        """Orders on or before ``last_day``, customer codes kept."""
        if len(self.day) and self.day.max() <= last_day:
            return self
        keep = self.day <= last_day
        return Ledger(self.ids, self.code[keep], self.day[keep], self.amount[keep])


def _order_by_customer_day(codes: np.ndarray, day: np.ndarray) -> np.ndarray | None:
    """The row order that sorts by (customer, day), keeping ties in file order; None when sorted.

    Logs often list each customer's orders together, by date, under ids that do not sort
    the way the pseudonymous codes do: then moving whole runs is a linear pass, not a sort.
    """
    n = len(codes)
    if n < 2:
        return None
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(codes[1:], codes[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)
    run_codes = codes[starts]
    days_in_order = bool(((day[1:] >= day[:-1]) | new_run[1:]).all())
    if days_in_order and np.bincount(run_codes).max() == 1:  # grouped: one run per customer
        if (run_codes[1:] > run_codes[:-1]).all():
            return None
        lengths = np.diff(np.append(starts, n))
        run_of_code = np.full(int(run_codes.max()) + 1, -1, dtype=np.int64)
        run_of_code[run_codes] = np.arange(len(run_codes))
        by_code = run_of_code[run_of_code >= 0]
        moved = lengths[by_code]
        new_starts = np.cumsum(moved) - moved
        return np.arange(n, dtype=np.int64) + np.repeat(starts[by_code] - new_starts, moved)
    offset = day - day.min()
    return np.argsort(codes * (int(offset.max()) + 1) + offset, kind="stable")


@dataclass
class Metrics:
    """One row per customer who bought on or before ``as_of`` (arrays aligned)."""

    code: np.ndarray  # index into Ledger.ids
    first: np.ndarray
    last: np.ndarray
    orders: np.ndarray
    purchase_days: np.ndarray
    monetary: np.ndarray
    recency: np.ndarray  # as_of - last
    tenure: np.ndarray  # as_of - first
    spend_recent: np.ndarray | None  # spend in (as_of - period, as_of] (None from metrics_at without spends)
    spend_before: np.ndarray | None  # spend in (as_of - 2 period, as_of - period]
    orders_recent: np.ndarray
    orders_before: np.ndarray
    as_of: int
    period: int
    dated: np.ndarray | None = None  # customers whose first and last purchase dates are known (None: all of them)

    def __len__(self) -> int:
        return len(self.code)

    @property
    def aov(self) -> np.ndarray:
        return np.divide(self.monetary, self.orders, out=np.full(len(self.orders), np.nan), where=self.orders > 0)

    @functools.cached_property
    def repeat_gaps(self) -> tuple[np.ndarray, np.ndarray]:
        """The customers who bought on two days or more (a mask) and each one's average days
        between purchase days, rounded to whole days. Computed once: every segmentation's
        statistics read it."""
        repeat = (self.purchase_days >= 2) & (self.last >= self.first)
        if self.dated is not None:  # a customer table's undated first or last order is 0 here, not a date
            repeat &= self.dated
        gaps = (self.last - self.first)[repeat] / (self.purchase_days[repeat] - 1)
        return repeat, np.rint(gaps).astype(np.int64)


def customer_metrics(ledger: Ledger, as_of: int, period: int) -> Metrics:
    lg = ledger.until(as_of)
    n = len(lg.code)
    if n == 0:
        empty = np.array([], dtype=np.int64)
        return Metrics(empty, empty, empty, empty, empty, np.array([]), empty, empty, np.array([]), np.array([]), empty, empty, as_of, period)
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    np.not_equal(lg.code[1:], lg.code[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:] - 1
    ends[-1] = n - 1
    new_day = boundary.copy()
    new_day[1:] |= lg.day[1:] != lg.day[:-1]
    amount = lg.amount if not np.isnan(lg.amount).any() else np.nan_to_num(lg.amount, nan=0.0)
    recent = lg.day > as_of - period
    before = (lg.day > as_of - 2 * period) & ~recent
    first = lg.day[starts]
    last = lg.day[ends]
    return Metrics(
        code=lg.code[starts],
        first=first,
        last=last,
        orders=ends - starts + 1,
        purchase_days=_run_counts(new_day, starts),
        monetary=np.add.reduceat(amount, starts),
        recency=as_of - last,
        tenure=as_of - first,
        spend_recent=np.add.reduceat(np.where(recent, amount, 0.0), starts),
        spend_before=np.add.reduceat(np.where(before, amount, 0.0), starts),
        orders_recent=_run_counts(recent, starts),
        orders_before=_run_counts(before, starts),
        as_of=as_of,
        period=period,
    )


def _run_counts(flags: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """How many flags are set in each run from one start to the next: differences of a
    running count at the runs' ends (a 32-bit running count is several times faster than
    a widening reduceat)."""
    n = len(flags)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64)
    running = np.cumsum(flags.view(np.uint8), dtype=np.int32 if n < 2**31 else np.int64)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:] - 1
    ends[-1] = n - 1
    before = running[starts[0] - 1] if starts[0] else 0
    return np.diff(running[ends], prepend=before).astype(np.int64)


def next_period(ledger: Ledger, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Per customer code: orders and spend in (start, end]."""
    size = len(ledger.ids)
    window = (ledger.day > start) & (ledger.day <= end)
    orders = np.bincount(ledger.code[window], minlength=size)
    spend = np.bincount(ledger.code[window], weights=np.nan_to_num(ledger.amount[window]), minlength=size)
    return orders, spend


def metrics_at(ledger: Ledger, cutoffs: list[int], period: int, spends: bool = True) -> list[Metrics]:
    """``customer_metrics(ledger, c, period)`` for each cutoff ``c``, the figures equal to the
    last bit, from one reading of the sorted ledger's runs.

    Rows on or before a date are a prefix of each customer's run (days sorted within it), so a
    run's count of them says where its prefix ends: first and last day, orders and (from one
    running count of new purchase days) purchase days follow without copying the ledger. Counts
    at ``c - period`` and ``c - 2 period`` give orders in the last period and the one before
    (cutoffs a period apart share them). Money is summed over the prefix rows themselves, in the
    order and grouping customer_metrics uses, so equal purchases give equal totals. ``spends``
    False leaves out the spend in the last two periods (spend_recent and spend_before are None):
    scoring does not read them, and they are half the work."""
    n = len(ledger.code)
    if n == 0:
        return [customer_metrics(ledger, c, period) for c in cutoffs]
    boundary = np.empty(n, dtype=bool)
    boundary[0] = True
    np.not_equal(ledger.code[1:], ledger.code[:-1], out=boundary[1:])
    starts = np.flatnonzero(boundary)
    new_day = boundary.copy()
    new_day[1:] |= ledger.day[1:] != ledger.day[:-1]
    new_days = np.cumsum(new_day, dtype=np.int64)
    counts: dict[int, np.ndarray] = {}

    def upto(day: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Per run, its rows on or before ``day`` (``rows``: the mask of them, when at hand)."""
        if day not in counts:
            counts[day] = _run_counts(ledger.day <= day if rows is None else rows, starts)
        return counts[day]

    out = []
    for c in cutoffs:
        keep = ledger.day <= c
        rows = upto(c, keep)
        has = rows > 0
        if not has.any():
            out.append(customer_metrics(ledger, c, period))
            continue
        first_row, k = starts[has], rows[has]
        last_row = first_row + k - 1
        amount = ledger.amount[keep]
        if np.isnan(amount).any():
            amount = np.nan_to_num(amount, nan=0.0)
        at = np.cumsum(k) - k
        spend_recent = spend_before = None
        if spends:
            day = ledger.day[keep]
            recent = day > c - period
            before = (day > c - 2 * period) & ~recent
            spend_recent = np.add.reduceat(np.where(recent, amount, 0.0), at)
            spend_before = np.add.reduceat(np.where(before, amount, 0.0), at)
        first, last = ledger.day[first_row], ledger.day[last_row]
        out.append(Metrics(
            code=ledger.code[first_row],
            first=first,
            last=last,
            orders=k,
            purchase_days=new_days[last_row] - new_days[first_row] + 1,
            monetary=np.add.reduceat(amount, at),
            recency=c - last,
            tenure=c - first,
            spend_recent=spend_recent,
            spend_before=spend_before,
            orders_recent=k - upto(c - period)[has],
            orders_before=upto(c - period)[has] - upto(c - 2 * period)[has],
            as_of=c,
            period=period,
        ))
    return out
