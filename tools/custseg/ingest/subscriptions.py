"""Payments a subscription billed, in a Stripe export: Stripe's 'Subscription ...' descriptions
(read for this and dropped) and a plan column whose names state the billing cycle."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.ingest.text import text

# A plan name that states its billing cycle: 'pro_annual', 'Starter Monthly', 'yearly plan'.
PLAN_CYCLES = (
    (r"(?i)(?:^|[^a-z])(?:annual(?:ly)?|yearly|year|12[ _-]?months?)(?:$|[^a-z])", 365),
    (r"(?i)(?:^|[^a-z])(?:semi[ _-]?annual|half[ _-]?year(?:ly)?|6[ _-]?months?)(?:$|[^a-z])", 182),
    (r"(?i)(?:^|[^a-z])(?:quarter(?:ly)?|3[ _-]?months?)(?:$|[^a-z])", 91),
    (r"(?i)(?:^|[^a-z])(?:monthly|month|1[ _-]?month)(?:$|[^a-z])", 30),
    (r"(?i)(?:^|[^a-z])(?:weekly|week)(?:$|[^a-z])", 7),
)


def plan_cycle_days(plan: pd.Series) -> np.ndarray:
    """Per order: the billing cycle in days its plan's name states, 0 where it states none.
    Half-year and quarter come before month, so '6 months' is not read as monthly."""
    names = text(plan)
    out = np.zeros(len(names), dtype=np.int64)
    for pattern, days in PLAN_CYCLES:
        hit = names.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool) & (out == 0)
        out[hit] = days
    return out


SUBSCRIPTION_DESCRIPTION = r"(?i)^\s*subscription\b"  # Stripe's invoice payments: 'Subscription creation', 'Subscription update'


def billed_by_subscription(orders: pd.DataFrame) -> np.ndarray:
    """Per order: its Description is Stripe's 'Subscription ...' (the free text itself is read
    for this and dropped)."""
    return text(orders["description"]).str.contains(SUBSCRIPTION_DESCRIPTION, regex=True, na=False).to_numpy(dtype=bool)


def recurring_summary(orders: pd.DataFrame, identity: pd.Series, kept: np.ndarray, billed: np.ndarray) -> dict | None:
    """How much of a Stripe export a subscription billed (``billed``: kept payments that were
    a subscription's). None when no payment was one."""
    if not billed.any():
        return None
    net = orders["net"].to_numpy(dtype="float64", na_value=np.nan)
    who = np.asarray(identity.cat.codes) if isinstance(identity.dtype, pd.CategoricalDtype) else pd.factorize(identity, use_na_sentinel=True)[0]
    revenue, billed_revenue = float(np.nansum(net[kept])), float(np.nansum(net[billed]))
    buyers = np.unique(who[kept & (who >= 0)])
    subscribers = np.unique(who[billed & (who >= 0)])
    return {
        "basis": "the payment's Description starts with 'Subscription' (Stripe's invoice payments of a subscription)",
        "payments": int(billed.sum()),
        "payments_share": round(float(billed.sum() / kept.sum()), 6),
        "revenue": round(billed_revenue, 2),
        "revenue_share": round(billed_revenue / revenue, 6) if revenue > 0 else None,
        "customers": int(len(subscribers)),
        "customers_share": round(len(subscribers) / len(buyers), 6) if len(buyers) else None,
    }
