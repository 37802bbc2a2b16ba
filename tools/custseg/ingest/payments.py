"""Payments that did not go through, followed per customer.

A processor export lists every attempt: a card declined four times and then paid is four
failed rows and one paid row. Counting rows says four payments were lost; this module says
one payment failed and was paid later. Attempts of the same amount by the same customer
within ``RETRY_WINDOW_DAYS`` of each other are one payment (the processor's retries, or the
customer trying again); the payment was *paid later* when the same customer paid the same
amount on or after its first attempt and within the window after its last. What is left is
*outstanding*: money a dunning or checkout-recovery message could still bring in. Customers
with no paid order at all are in no segment; the CRM files list them on their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RECENT_DAYS = 90  # outstanding payments whose last attempt falls in the data's last 90 days: a reminder can still land
RETRY_WINDOW_DAYS = 30  # processors retry a declined renewal for one to four weeks (Stripe's Smart Retries)
# Drop reasons that mean "the customer tried to pay and the money did not arrive". Stripe's
# canceled PaymentIntents are abandoned checkouts; a shop's cancelled order is the merchant's
# decision, not a failed payment, so 'cancelled' counts for Stripe only.
ATTEMPT_REASONS = ("failed", "incomplete")
STRIPE_ATTEMPT_REASONS = ("failed", "incomplete", "cancelled")


@dataclass
class FollowUp:
    """The attempts of one export, folded into payments (see the module docstring)."""

    summary: dict  # facts' data.failed_payments
    failed_per_row: np.ndarray  # bool per order: the first row of each payment that had a declined ('failed') attempt
    never_paid: np.ndarray  # bool per order: attempts by customers with no kept order
    outstanding_rows: np.ndarray  # the first order (row) of each outstanding payment
    outstanding_values: np.ndarray  # its amount (NaN when unreadable)
    outstanding_last: np.ndarray  # the day number of its last attempt


def follow_up(identity: pd.Series, day: np.ndarray, amount: np.ndarray, reason_names: list[str], reason_code: np.ndarray, source: str) -> FollowUp | None:
    """``reason_code`` indexes ``reason_names`` per order (0: kept). None when no order was a
    failed or unfinished payment."""
    wanted = STRIPE_ATTEMPT_REASONS if source == "stripe_payments" else ATTEMPT_REASONS
    attempt = np.isin(reason_code, [i for i, name in enumerate(reason_names) if name in wanted])
    if not attempt.any():
        return None
    # Identities as integer codes (-1: none): a long export is followed without a string per row.
    who = np.asarray(identity.cat.codes) if isinstance(identity.dtype, pd.CategoricalDtype) else pd.factorize(identity, use_na_sentinel=True)[0]
    dates = np.asarray(day, dtype="datetime64[D]")
    days = (dates - np.datetime64("1970-01-01", "D")).astype(np.int64)
    cents = np.where(np.isnan(amount), -1, np.round(np.nan_to_num(amount) * 100)).astype(np.int64)
    known = (who >= 0) & ~np.isnat(dates)

    tries = _tries(np.flatnonzero(attempt & known), who, cents, days)
    declined = pd.Series(reason_code[tries["row"].to_numpy()] == (reason_names.index("failed") if "failed" in reason_names else -1)).groupby(tries["payment"].to_numpy()).any()
    payments = tries.groupby("payment", sort=True).agg(who=("who", "first"), cents=("cents", "first"), first=("day", "min"), last=("day", "max"), row=("row", "first"))
    kept = (reason_code == 0) & known & np.isin(who, tries["who"].to_numpy())  # the paid orders of people who had an attempt
    paid = pd.DataFrame({"who": who[kept], "cents": cents[kept], "day_paid": days[kept]})
    payments["paid_later"] = _paid_later(payments, paid)
    buyers = np.unique(paid["who"].to_numpy())
    payments["never_paid"] = ~payments["who"].isin(buyers)
    payments["value"] = np.where(payments["cents"] >= 0, payments["cents"] / 100, np.nan)
    # what each payment was: declined when any attempt was, else its first attempt's reason
    first_reason = pd.Series(reason_code[payments["row"].to_numpy()], index=payments.index).map(dict(enumerate(reason_names)))
    payments["reason"] = first_reason.where(~declined.reindex(payments.index, fill_value=False), "failed")

    outstanding = payments[~payments["paid_later"]]
    summary = _summary(payments, outstanding, wanted, reason_names, int(attempt.sum()), int((attempt & ~known).sum()))
    # an old failure is rarely recovered; with no dated, identified row nothing is followed
    data_end = int(days[known].max()) if known.any() else None
    recent = outstanding[outstanding["last"] > data_end - RECENT_DAYS] if data_end is not None else outstanding.iloc[:0]
    summary["outstanding_recent"] = {"days": RECENT_DAYS, "payments": int(len(recent)), "value": _money(recent["value"])}
    first_of_declined = np.zeros(len(reason_code), dtype=bool)
    first_of_declined[payments.loc[declined[declined].index, "row"].to_numpy()] = True
    never_rows = attempt & known & ~np.isin(who, buyers)
    return FollowUp(summary, first_of_declined, never_rows, outstanding["row"].to_numpy(dtype=np.int64), outstanding["value"].to_numpy(dtype=float), outstanding["last"].to_numpy(dtype=np.int64))


def _tries(rows: np.ndarray, who: np.ndarray, cents: np.ndarray, days: np.ndarray) -> pd.DataFrame:
    """The followed attempts, each with the payment it belongs to: attempts of the same amount by
    the same customer within RETRY_WINDOW_DAYS of the one before are one payment."""
    tries = pd.DataFrame({"row": rows, "who": who[rows], "cents": cents[rows], "day": days[rows]})
    tries = tries.sort_values(["who", "cents", "day", "row"], kind="stable").reset_index(drop=True)
    same = (tries["who"].eq(tries["who"].shift()) & tries["cents"].eq(tries["cents"].shift())).to_numpy()
    tries["payment"] = np.cumsum(~(same & (tries["day"].diff().to_numpy() <= RETRY_WINDOW_DAYS)))
    return tries


def _paid_later(payments: pd.DataFrame, paid: pd.DataFrame) -> np.ndarray:
    """Per payment: the customer paid its amount on or after its first attempt and within the
    window after its last."""
    later = payments.reset_index().merge(paid, on=["who", "cents"], how="inner")
    later = later[(later["day_paid"] >= later["first"]) & (later["day_paid"] <= later["last"] + RETRY_WINDOW_DAYS)]
    return payments.index.isin(later["payment"])


def _summary(payments: pd.DataFrame, outstanding: pd.DataFrame, wanted: tuple[str, ...], reason_names: list[str], attempts: int, not_followed: int) -> dict:
    """facts' data.failed_payments."""
    never = outstanding[outstanding["never_paid"]]
    return {
        "reasons": [r for r in wanted if r in reason_names],
        "retry_window_days": RETRY_WINDOW_DAYS,
        "attempts": attempts,
        "attempts_not_followed": not_followed,
        "payments": int(len(payments)),
        "value": _money(payments["value"]),
        "paid_later": int(payments["paid_later"].sum()),
        "paid_later_value": _money(payments.loc[payments["paid_later"], "value"]),
        "outstanding": int(len(outstanding)),
        "outstanding_value": _money(outstanding["value"]),
        "outstanding_customers": int(outstanding["who"].nunique()),
        "never_paid_customers": int(never["who"].nunique()),
        "never_paid_value": _money(never["value"]),
        # an abandoned checkout is not a declined card: the outstanding ones by what they were
        "outstanding_by_reason": {r: {"payments": int((outstanding["reason"] == r).sum()), "value": _money(outstanding.loc[outstanding["reason"] == r, "value"])} for r in wanted if (outstanding["reason"] == r).any()},
    }


def outstanding_per_identity(identity: pd.Series, follow: FollowUp) -> pd.DataFrame | None:
    """identity, outstanding_payments, outstanding_value: what each customer still owes (a CRM
    file column, so a recovery message reaches them and not their whole segment)."""
    if not len(follow.outstanding_rows):
        return None
    frame = pd.DataFrame({"identity": identity.iloc[follow.outstanding_rows].to_numpy(dtype=object), "value": follow.outstanding_values, "last": follow.outstanding_last})
    out = frame.groupby("identity", sort=True).agg(outstanding_payments=("value", "size"), outstanding_value=("value", "sum"), last=("last", "max")).reset_index()
    out["outstanding_value"] = out["outstanding_value"].round(2)
    # when the latest of them was last tried: a failure from last week is worth a reminder, one from last year rarely
    out["outstanding_since"] = (np.datetime64("1970-01-01", "D") + out.pop("last").to_numpy().astype("timedelta64[D]")).astype(str)
    return out


def _money(values: pd.Series) -> float | None:
    """Sum to cents; None when no amount could be read."""
    present = values.dropna()
    return round(float(present.sum()), 2) if len(present) else None
