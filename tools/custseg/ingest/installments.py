"""Later installments of a purchase paid in parts, in a payments export: Stripe descriptions
such as 'Payment 2 of 3' or 'PIF balance' (read for this and dropped), or payment-plan metadata
(an index above 1 of a total above 1). One purchase decision paid in parts is one purchase:
a later installment's money is added to the payment that started it, so it is neither a new
order nor a new purchase day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.ingest.text import text

# 'Payment 2 of 3', 'Installment 2/4', 'instalment #3 of 6': the N-th of M payments.
NTH_OF_DESCRIPTION = r"(?i)\b(?:payment|installment|instalment)\s*#?\s*(\d+)\s*(?:of|/)\s*(\d+)\b"
# The rest of a price after a deposit: 'PIF balance' (paid in full), 'balance of split pay'.
BALANCE_DESCRIPTION = r"(?i)\b(?:(?:pif|split[ -]?pay(?:ment)?|remaining|final|outstanding)\s+balance|balance\s+(?:of|due|payment|owed|remaining))\b"
BASIS = ("the payment's Description says it is a later one of several ('Payment 2 of 3', 'Installment 3/4') or the balance after a deposit "
         "('PIF balance'), or its payment-plan metadata gives an index above 1 of a total above 1")


def later_installments(orders: pd.DataFrame) -> np.ndarray:
    """Per order: a later installment of a purchase paid in parts (the free text itself is read
    for this and dropped)."""
    later = np.zeros(len(orders), dtype=bool)
    if "description" in orders:
        described = text(orders["description"])
        nth = described.str.extract(NTH_OF_DESCRIPTION).apply(pd.to_numeric, errors="coerce")
        later |= ((nth[0] > 1) & (nth[1] > 1)).to_numpy(dtype=bool, na_value=False)
        later |= described.str.contains(BALANCE_DESCRIPTION, regex=True, na=False).to_numpy(dtype=bool)
    if "installment_index" in orders and "installment_total" in orders:
        index = pd.to_numeric(text(orders["installment_index"]), errors="coerce")
        total = pd.to_numeric(text(orders["installment_total"]), errors="coerce")
        later |= ((index > 1) & (total > 1)).to_numpy(dtype=bool, na_value=False)
    return later


def purchase_starts(day: np.ndarray, who: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Per kept payment (``day`` as datetime64, ``who`` a customer code, -1 none): the row of the
    payment that started the purchase it belongs to (its own row when it starts one). A later
    installment belongs to its customer's latest payment on or before it that starts a purchase.
    A customer's earliest payment in the export starts one whatever it says (its first part was
    paid before the export began), so that every buyer keeps a purchase; on that day a payment
    that is no later installment is taken as the start (days carry no time)."""
    rows = np.arange(len(day))
    out = rows.copy()
    if not later.any():
        return out
    # a customer's first payment starts a purchase; on its day, one that says it starts one goes first
    first = pd.DataFrame({"day": day, "later": later, "who": who, "row": rows}).sort_values(["day", "later", "row"], kind="stable").drop_duplicates("who")["row"].to_numpy()
    starts = ~later
    starts[first] = True
    moving = later & ~starts & (who >= 0)
    left = pd.DataFrame({"day": day[moving], "who": who[moving], "row": rows[moving]})
    right = pd.DataFrame({"day": day[starts], "who": who[starts], "start": rows[starts]}).sort_values("day", kind="stable")
    matched = pd.merge_asof(left.sort_values("day", kind="stable"), right, on="day", by="who", direction="backward", allow_exact_matches=True)
    out[matched["row"].to_numpy()] = matched["start"].to_numpy()
    return out


def installment_summary(net: np.ndarray, who: np.ndarray, later: np.ndarray, day: np.ndarray, counted_day: np.ndarray) -> dict | None:
    """How many kept payments were later installments, what they came to, whose they were, and
    how many of those buyers would have looked like repeat buyers had each installment counted
    as a purchase. None when none was."""
    if not later.any():
        return None
    buyers = who >= 0
    before = pd.DataFrame({"who": who[buyers], "day": day[buyers]}).drop_duplicates().groupby("who").size()
    after = pd.DataFrame({"who": who[buyers], "day": counted_day[buyers]}).drop_duplicates().groupby("who").size()
    revenue = float(np.nansum(net[later]))
    return {
        "basis": BASIS,
        "payments": int(later.sum()),
        "revenue": round(revenue, 2),
        "customers": int(len(np.unique(who[later & buyers]))),
        "purchase_days_not_counted": int(before.sum() - after.sum()),
        "repeat_buyers_not_counted": int(((before > 1) & (after == 1)).sum()),
    }


def installment_warning(summary: dict | None, currency: str | None) -> list[str]:
    """The marketer's words for what the summary counts."""
    if not summary:
        return []
    n, worth = summary["payments"], f"{summary['revenue']:,.2f}" + (f" {currency}" if currency else "")
    repeat = summary["repeat_buyers_not_counted"]
    looked = (f"; {repeat:,} {'buyer' if repeat == 1 else 'buyers'} would otherwise have looked like {'a repeat buyer' if repeat == 1 else 'repeat buyers'}" if repeat else "")
    return [
        f"{n:,} {'payment is a later installment' if n == 1 else 'payments are later installments'} of a purchase paid in parts ('Payment 2 of 3', or the balance after a deposit): "
        f"{worth} from {summary['customers']:,} {'customer' if summary['customers'] == 1 else 'customers'}. {'It counts' if n == 1 else 'They count'} in spend on the day of the purchase {'it pays' if n == 1 else 'they pay'} for, "
        f"not as new orders, so frequency, repeat rates and average order value count decisions to buy{looked} (data.installments counts them)"
    ]
