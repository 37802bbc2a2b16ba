"""Fact keys and the placeholder resolver: how model-written text cites a computed number.

facts.json is flattened into dotted keys for its scalar leaves, e.g.
``segmentations.rfm.segments.champions.count`` or ``data.revenue_total``. Items of a
list of objects are keyed by their natural id when every item has a distinct one
(``key``, ``segment``, ``<from_segment>_to_<to_segment>``, or a calendar ``month``), so
``segmentations.rfm.opportunities.dormant_to_loyal.expected_revenue``,
``segmentations.rfm.validation.segments.champions.repeat_rate`` and
``data.by_month.2025-08.revenue`` are stable; other list items are keyed by position
(``data.files.0``).

:func:`resolve` replaces ``{dotted.key}`` in a text with the formatted fact. It is a
regular expression over that whitelist, never a template engine: ``{{ 7*7 }}`` and any
other braces stay as written, and an unknown key raises :class:`UnknownFactError`.
Standard library only (the number formats are imported from the report renderer only
when a formatter is built, which needs jinja2 anyway).
"""

from __future__ import annotations

import re
from typing import Any, Callable

# ``{key}`` but not ``{{key}}``: a single brace pair around a dotted identifier.
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}(?!\})")
DOUBLE_BRACED = re.compile(r"\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)+)\s*\}\}")

Formatter = Callable[[str, Any], str]


class UnknownFactError(KeyError):
    def __init__(self, key: str):
        self.key = key
        super().__init__(key)

    def __str__(self) -> str:
        return f"unknown fact key {{{self.key}}}"


def _item_ids(items: list) -> list[str] | None:
    """Natural ids for a list of objects, or None when they are not all present and distinct."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for make in (
        lambda i: i.get("key"),
        lambda i: i.get("segment"),
        lambda i: f"{i['from_segment']}_to_{i['to_segment']}" if i.get("from_segment") and i.get("to_segment") else None,
        # sales by month: a month cited by position (58) was read as another month by the model
        # that wrote it and by check.py's hint alike; YYYY-MM says which month it is
        lambda i: i.get("month"),
    ):
        ids = [make(i) for i in items]
        if all(isinstance(x, str) and x for x in ids) and len(set(ids)) == len(ids):
            return ids
    return None


def fact_keys(facts: dict) -> dict[str, Any]:
    """Every scalar leaf of facts.json (numbers, strings, booleans, nulls) by dotted key."""
    out: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(node, list):
            ids = _item_ids(node) or [str(i) for i in range(len(node))]
            for key, v in zip(ids, node):
                walk(v, f"{prefix}.{key}" if prefix else key)
        elif prefix:
            out[prefix] = node

    walk(facts, "")
    return out


def placeholders(text: str) -> list[str]:
    """The fact keys a text cites, in order."""
    return PLACEHOLDER.findall(text or "")


# -- how a value is shown ----------------------------------------------------------------------

MONEY = {
    "revenue", "revenue_total", "avg_value", "aov", "spend_last_period_per_customer", "revenue_per_customer",
    "revenue_gap_per_customer", "next_gap_per_customer", "expected_revenue", "value_per_10pct", "monetary_total", "budget", "mrr", "arr", "mrr_total",
    "outstanding_value", "recent_revenue", "charged_value", "refunded_value",
}
DAYS = {"median_recency_days", "median_gap_days", "recency_days", "tenure_days", "days_covered", "period_days", "window_days", "days_since_active", "active_days_30"}
DECIMALS = {"avg_purchase_days", "top_lift"}
MEANS = {"avg_purchase_days"}  # decimals shown with one place (fmt_mean); the rest with two
SCORE_UNITS = {"recency": "days", "monetary": "money"}


def value_kind(key: str) -> str:
    """How a fact or metric is shown: ``pct``, ``pct_signed``, ``money``, ``days``, ``dec`` or ``count``.

    ``key`` is a dotted fact key or a bare metric name (``repeat_rate``, ``recency_days``).
    """
    parts = key.split(".")
    leaf = parts[-1]
    if leaf == "trend_change":
        return "pct_signed"
    if "scores" in parts and leaf.isdigit():  # cut points: scores.recency.cuts.0
        i = parts.index("scores")
        return SCORE_UNITS.get(parts[i + 1], "count") if i + 1 < len(parts) else "count"
    if "last_purchase_days" in parts[:-1]:  # customers per band of days (last_purchase_days.days_730_or_more)
        return "count"
    if "seasonality" in parts and leaf not in ("buyers", "window_days", "window_start", "window_end"):
        return "pct"  # seasonality.revenue_share.q4, seasonality.one_quarter_only: shares
    if "mean_scores" in parts or leaf in DECIMALS:
        return "dec"
    if leaf in MONEY or ("migration" in parts and "revenue" in parts) or leaf.startswith("spend"):
        return "money"
    # what dropped orders came to, and failed payments' amounts (data.failed_payments.outstanding_value)
    if "dropped_value" in parts or "dropped_gross" in parts or "dropped_collected" in parts or ("failed_payments" in parts and (leaf == "value" or leaf.endswith("_value"))):
        return "money"
    if "held_out_share_by_segment" in parts:  # exports.held_out_share_by_segment.champions: a share per segment
        return "pct"
    if leaf.endswith(("_share", "_rate", "_pct")) or leaf in ("share", "rate", "pct", "chance_gap") or leaf.startswith("pct_"):
        return "pct"
    if leaf in DAYS or leaf.endswith("_days") and leaf != "purchase_days":
        return "days"
    return "count"


def fact_formatter(facts: dict) -> Formatter:
    """Format a fact as the report does: 12,345 / 12.3% / 1,234.56 USD / 45 days / 5.67."""
    from custseg.render.report import fmt_count, fmt_days, fmt_dec, fmt_mean, fmt_money, fmt_pct

    currency = (facts.get("data") or {}).get("currency")

    def fmt(key: str, value: Any) -> str:
        if value is None:
            return "n/a"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str):
            return value
        kind = value_kind(key)
        if kind == "pct":
            return fmt_pct(value)
        if kind == "pct_signed":
            return fmt_pct(value, signed=True)
        if kind == "money":
            return fmt_money(value, currency)
        if kind == "days":
            return fmt_days(value)
        if kind == "dec":
            if key.rsplit(".", 1)[-1] in MEANS:  # a mean of purchase days: 12.3, not 12.30
                return fmt_mean(value)
            return fmt_dec(value) if not float(value).is_integer() else fmt_count(value)
        return fmt_count(value)

    return fmt


def resolve(text: str, facts: dict, formatter: Formatter | None = None, *, keys: dict[str, Any] | None = None) -> str:
    """``text`` with every ``{fact.key}`` replaced by the formatted fact; unknown keys raise.

    ``keys``: the result of :func:`fact_keys`, when the caller resolves many texts.
    """
    keys = fact_keys(facts) if keys is None else keys
    fmt = formatter or fact_formatter(facts)

    def sub(m: re.Match) -> str:
        key = m.group(1)
        if key not in keys:
            raise UnknownFactError(key)
        return without_repeated_unit(fmt(key, keys[key]), text[m.end() :])

    return PLACEHOLDER.sub(sub, text)


# A formatted value's unit: "45 days", "1,234.56 USD", "12.3%".
_UNIT_AFTER_NUMBER = re.compile(r"^([-+]?[\d,.]+)(?: (days?|[A-Z]{3})|(%))$")


def without_repeated_unit(value: str, after: str) -> str:
    """The value without its unit when the text goes on to write it: a model that wrote
    "{...days_since_active} days" or "{...repeat_rate} percent" means the number once."""
    m = _UNIT_AFTER_NUMBER.match(value)
    if not m:
        return value
    unit = m.group(2) or m.group(3)
    if unit == "%":
        repeated = re.match(r"\s*(%|per ?cent\b)", after, re.IGNORECASE)
    else:
        word = "days?" if unit.startswith("day") else re.escape(unit)
        repeated = re.match(rf"\s+{word}\b", after, re.IGNORECASE)
    return m.group(1) if repeated else value


def resolve_document(doc: Any, facts: dict, formatter: Formatter | None = None) -> Any:
    """A copy of a (validated) strategy document with every string resolved; numbers stay typed."""
    keys = fact_keys(facts)
    fmt = formatter or fact_formatter(facts)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return resolve(node, facts, fmt, keys=keys)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(doc)
