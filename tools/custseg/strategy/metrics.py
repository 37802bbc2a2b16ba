"""The metrics a plan may name: the customers.csv columns and segment figures of a run, which
way each should move, what kind of figure each is, and whether a segmentation counts activity
or purchases. Standard library only."""

from __future__ import annotations

from typing import Any

from custseg.strategy.groups import FIRST_ORDER_RATE, plans_prospects
from custseg.strategy.resolve import value_kind

# Per-customer columns of customers.csv that a trigger can test.
CUSTOMER_METRICS = (
    "recency_days", "purchase_days", "orders", "monetary_total", "aov", "r_score", "f_score", "m_score",
    "tenure_days", "health_score",
)
# An event log's usage measures (customers.csv has them beside the behavioral label): for
# triggers and targets of a plan on usage, which purchase columns cannot express.
ACTIVITY_METRICS = ("active_days_30", "days_since_active")
# Which way a KPI should move. Sizes and shares are left out: Champions should grow and
# Dormant shrink, so their direction depends on the segment.
LOWER_IS_BETTER = ("recency_days", "median_recency_days", "days_since_active", "outstanding_value", "outstanding_customers", "outstanding_payments")
HIGHER_IS_BETTER = (
    "avg_value", "aov", "avg_purchase_days", "spend_last_period_per_customer", "next_revenue_per_customer",
    "monetary_total", "purchase_days", "orders", "health_score", "r_score", "f_score", "m_score", "active_days_30",
)
# Figures of the last period (period_days days up to the as-of date): on data that covers fewer
# days, they count only the days it holds, and the next export's whole period would read as growth.
LAST_PERIOD_METRICS = ("spend_last_period_per_customer",)
# customers.csv columns of purchases: empty for the users of an event log who never bought.
PURCHASE_METRICS = tuple(m for m in CUSTOMER_METRICS if m != "health_score")


def allowed_metrics(facts: dict, segmentation: str) -> list[str]:
    """Metrics a trigger, success metric or KPI may name for these facts."""
    segs = facts.get("segmentations") or {}
    out = [m for m in CUSTOMER_METRICS if m != "health_score" or "health" in segs]
    if "behavioral" in segs:
        out += ACTIVITY_METRICS
    stats = ((segs.get(segmentation) or {}).get("segments") or {}).values()
    if any((s or {}).get("outstanding_customers") is not None for s in stats):  # customers.csv carries what each customer owes
        out += ["outstanding_value", "outstanding_payments"]
    for s in stats:
        for k, v in (s or {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in out:
                out.append(k)
    if plans_prospects(facts):  # the contacts who never bought: the share of them who place a first order
        out.append(FIRST_ORDER_RATE)
    return out


# How a kind of fact reads in a message; counts and averages of counts are alike enough.
_KIND_WORDS = {"pct": "a rate or share", "pct_signed": "a change", "money": "an amount of money", "days": "a number of days", "count": "a count", "dec": "a count"}


# Figures of one kind that still measure different things: a repeat rate is a share of the segment's
# own customers, pct_customers a share of all of them; aov is spend per order, avg_value a customer's
# spend over the whole data (the mean of monetary_total), revenue the segment's total. A trial's
# repeat-rate KPI took {...at_risk.pct_customers} as its baseline, and an aov KPI took avg_value
# (188.93 against an order value of 36.17).
_MEASURES = {
    "pct_customers": "a share of all customers", "pct_customers_prev": "a share of all customers",
    "revenue_share": "a share of revenue", "recent_revenue_share": "a share of the last 365 days' revenue", "mrr_share": "a share of MRR",
    "orders_refunded_share": "a share of orders refunded", "refunded_value_share": "a share of what was charged, paid back",
    "aov": "spend per order", "avg_value": "spend per customer over the data", "monetary_total": "spend per customer over the data",
    "revenue": "a segment's total spend", "recent_revenue": "a segment's spend in the last 365 days",
}


def measure(key: str) -> str:
    """What a fact or metric measures, in words, finely enough that two that differ cannot stand
    for each other as a KPI's baseline and target: its kind (_KIND_WORDS), split where a kind
    holds figures of different bases (shares of all customers against rates of a segment's own)."""
    leaf = key.rsplit(".", 1)[-1]
    kind = value_kind(key)
    if kind == "pct" and (leaf.endswith("_rate") or leaf == "rate"):
        return "a rate among the segment's own customers"
    return _MEASURES.get(leaf) or _KIND_WORDS.get(kind, kind)


def _lower_is_better(metric: str) -> bool | None:
    """Which way a metric should move: True when lower is better (days since the last
    purchase), False when higher is (rates, spend, scores), None when it depends on the segment."""
    if metric in LOWER_IS_BETTER:
        return True
    return False if metric in HIGHER_IS_BETTER or metric.endswith("_rate") else None


def _worse(value: float, than: float, lower: bool) -> bool:
    return value > than + 1e-9 if lower else value < than - 1e-9


def _activity(keys: dict[str, Any], segmentation: str) -> bool:
    """Whether a segmentation's figures count activity (an event log's), not purchases."""
    return keys.get(f"segmentations.{segmentation}.basis") == "activity"
