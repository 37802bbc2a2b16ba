"""Render facts.json as report.md and report.html with the jinja2 templates in prompts/.

Every number in the report is a value of facts.json, only formatted here (the filters
below); nothing is computed from it. The number formats are documented in
docs/report-format.md and kept exact so that a test can parse each number of report.md
back and find it in facts.json:

* counts ``12,345``; percentages of fractions ``12.3%`` (signed for changes, ``+12.3%``);
* money ``1,234.56 USD`` (no code when the currency is unknown); decimals ``5.67``;
* days ``45 days`` or ``45.5 days``; dates ``2025-12-31``; scores ``1``-``5``;
* a missing value is ``n/a``.

Text written by a model (``strategy``) is data: it is passed to the templates as values
and never compiled as a template, so ``{{ ... }}`` inside it stays literal, and the HTML
template escapes it.
"""

from __future__ import annotations

import base64
import math
import os
import re
import typing
from collections import Counter
from typing import Any, Callable

import jinja2
import numpy as np

from custseg.compute.analysis import TREND_CLEAR_CUSTOMERS, TREND_MIN_CUSTOMERS
from custseg.compute.metrics import to_days
from custseg.compute.products import TOP_PER_SEGMENT, tie_cut
from custseg.facts import build
from custseg.facts.build import DEFAULT_PERIOD_DAYS, LAPSED_FROM, UNATTRIBUTED_WARN, unattributed_share
from custseg.ingest.channels import APP_LABEL, channel_words
from custseg.ingest.clean import CONVERTED_NOTE, TEST_CHARGE_SHARE
from custseg.render import playbook
from custseg.render.exports import EXCLUDED_CHANNEL_CONSENT, EXCLUDED_CHANNEL_ONLY_KEY, GENERIC_FILE, NEVER_PAID_KEY, NEVER_PAID_NAME, NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME, PROSPECT_KEY, PROSPECT_NAME
from custseg.strategy.budget import budget_unit
from custseg.strategy.channel_names import channel_names, shown as shown_channel
from custseg.strategy.groups import FIRST_ORDER_RATE, first_order_kpi
from custseg.strategy.intake import part_of_base
from custseg.strategy.resolve import MEANS, value_kind
from custseg.strategy.schema import Verdict
from custseg.strategy.validate import ANSWERABLE, LOWER_IS_BETTER, answered_warnings, importing_tools, is_quiet

MD_TEMPLATE = "report.md.j2"
HTML_TEMPLATE = "report.html.j2"
MD_FILE = "report.md"
HTML_FILE = "report.html"
CHARTS_DIR = "charts"
NA = "n/a"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# tools/custseg/render/report.py -> ../../../prompts
DEFAULT_TEMPLATES_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "prompts"))

__all__ = ["render_report", "make_environment", "fmt_count", "fmt_pct", "fmt_money", "fmt_days", "fmt_dec", "fmt_date", "DEFAULT_TEMPLATES_DIR"]


# -- number formats ------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type(value).__name__}: {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def fmt_count(value: Any) -> str:
    """``12,345``; a non-integral value keeps two decimals (``12,345.50``)."""
    v = _number(value)
    if v is None:
        return NA
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}"


def fmt_pct(value: Any, signed: bool = False) -> str:
    """A fraction as a percentage with one decimal: 0.1234 -> ``12.3%`` (``+12.3%`` when signed)."""
    v = _number(value)
    if v is None:
        return NA
    text = format(v, "+,.1%" if signed else ",.1%")
    if text.lstrip("+-").strip("0.,%") == "":  # no "-0.0%"
        text = "+0.0%" if signed else "0.0%"
    return text


def fmt_money(value: Any, currency: str | None = None) -> str:
    """``1,234.56 USD``, or ``1,234.56`` when the currency is unknown."""
    v = _number(value)
    if v is None:
        return NA
    text = f"{v + 0.0:,.2f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return f"{text} {currency}" if currency else text


def fmt_days(value: Any) -> str:
    """Whole days ``45 days``, rounded half up: a median between two days, 113.5, reads
    ``114 days``. A mean under half a day that is not zero keeps one decimal (``0.3 days``),
    so that some activity never reads as none."""
    v = _number(value)
    if v is None:
        return NA
    v = float(v)
    whole = math.floor(v + 0.5)
    text = f"{v:,.1f}" if whole == 0 and v != 0 else f"{whole:,}"
    return f"{text} day" if text == "1" else f"{text} days"


def customers_words(n: Any) -> str:
    """'1 customer', '2,746 customers'."""
    return f"{fmt_count(n)} {'customer' if _number(n) == 1 else 'customers'}"


def fmt_dec(value: Any) -> str:
    """A plain decimal with two places: ``5.67`` (ratios such as a lift)."""
    v = _number(value)
    if v is None:
        return NA
    return f"{v + 0.0:,.2f}"


def fmt_mean(value: Any) -> str:
    """An average of whole counts (purchase days) with one decimal, ``12.3``; ``3`` when whole."""
    v = _number(value)
    if v is None:
        return NA
    rounded = round(float(v), 1)
    return f"{rounded:,.0f}" if rounded.is_integer() else f"{rounded:,.1f}"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def fmt_date(value: Any) -> str:
    """ISO dates pass through unchanged; anything else is refused."""
    if value is None:
        return NA
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"not an ISO date: {value!r}")
    return value


@jinja2.pass_context
def _money_filter(ctx, value: Any) -> str:
    return fmt_money(value, ctx.get("currency"))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs in a private temporary folder (jinja2's own,
    checked against each template's source): compiling the two report templates took a
    tenth of a second of every run. A cache that cannot be read or written is skipped."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            pass

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no safe temporary folder
        return None


def trend_counts(s: dict, noun: str = "customers") -> str:
    """A trend's counts one period ago and now, "862 → 940 customers, of a larger base": a trend is
    the change of a segment's share, and a marketer read Dormant's falling share as fewer
    customers while its count rose (every customer who ever bought stays in the base)."""
    prev, now, change = s.get("count_prev"), s.get("count"), s.get("trend_change")
    if prev is None or now is None:
        return ""
    text = f"{fmt_count(prev)} → {fmt_count(now)} {noun}"
    if change is not None and change < 0 <= now - prev:  # the share fell while the count did not
        text += ", of a larger base"
    elif change is not None and change > 0 >= now - prev:  # the share rose while the count did not
        text += ", of a smaller base"
    return text


def make_environment(templates_dir: str | None = None) -> jinja2.Environment:
    """The jinja2 environment: StrictUndefined, autoescape for ``*.html.j2`` only, the format filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir or DEFAULT_TEMPLATES_DIR),
        bytecode_cache=_bytecode_cache(),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), disabled_extensions=(), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({
        "count": fmt_count,
        "customers": customers_words,
        "pct": fmt_pct,
        "money": _money_filter,
        "days": fmt_days,
        "dec": fmt_dec,
        "mean": fmt_mean,
        "date": fmt_date,
        "cell": _md_cell,
        "trend_counts": trend_counts,
        "listing": lambda words, last="and": _join(list(words), last),  # 'a', 'a and b', 'a, b and c'
    })
    return env


def _channel_row(row: dict, names: dict[str, str]) -> dict:
    """A row of data.by_channel as the report's table shows it: ``shown``, the channel with the
    name the user gave it ('Instagram Shop (app 24986320897)', which says it is an app, so
    the label is left out), else as the export writes it."""
    named = row.get("channel") in names
    return {**row, "shown": shown_channel(row.get("channel"), names), "label": None if named and row.get("label") == APP_LABEL else row.get("label")}


def _md_cell(value: Any) -> str:
    """Text safe inside a markdown table cell: no pipe or line break can end the cell."""
    return " ".join(str(value).split()).replace("|", "\\|")


# -- labels (words only: no figures) ----------------------------------------------------------

SOURCE_LABELS = {
    "shopify_orders": "Shopify orders export",
    "shopify_customers": "Shopify customers export",
    "stripe_payments": "Stripe payments export",
    "woocommerce_orders": "WooCommerce orders export",
    "square_transactions": "Square transactions export",
    "customers": "customer table",
    "events": "event log",
    "transactions": "order log",
}
DROP_REASONS = {
    "test": "test orders",
    "cancelled": "cancelled",
    "refunded": "fully refunded",
    "voided": "voided",
    "unpaid": "not fully paid (pending, authorized, on hold or partly paid)",
    "zero_value": "zero value",
    "no_identity": "no customer email or id",
    "returned": "returns (negative amounts)",
    "excluded_channel": "sales channel left out (--exclude-channel)",  # the channels named, where the facts name them (drop_reason)
    "test_charge": f"possible test customers' payments (--exclude-test-charges): spend under {TEST_CHARGE_SHARE:.0%} of the median customer's",
    "test_charge_unpaid": "possible test customers' failed or unfinished checkouts (--exclude-test-charges): never paid",
    "return_without_sale": "returns with no earlier purchase in the data",
    "failed": "failed payments",
    "requires_payment_method": "payment never completed",
    "incomplete": "payment never completed (Stripe's requires_payment_method, requires_confirmation or requires_action)",
    "duplicate": "duplicates",
    "non_product_line": "non-product lines (postage, fees, manual adjustments, discounts)",
    "bad_date": "unreadable date",
    "bad_amount": "unreadable amount",
}


def left_out_channels(data: dict, whose: str = "your", names: dict[str, str] | None = None) -> str | None:
    """'orders through Honeycomb, left out at your request': the channels --exclude-channel left
    out, in words (a trial's report named only the option); None when the run left none out.
    ``names``: what the user calls the channels (answers.json), shown beside them."""
    channels = (data.get("excluded_channels") or {}).get("channels") if isinstance(data.get("excluded_channels"), dict) else None
    return f"orders through {channel_words([shown_channel(c, names or {}) for c in channels])}, left out at {whose} request" if channels else None


def drop_reason(key: str, data: dict, names: dict[str, str] | None = None) -> str:
    """What a drop reason of data.dropped means, for the report."""
    if key == "excluded_channel":
        return left_out_channels(data, names=names) or DROP_REASONS[key]
    return DROP_REASONS.get(key, _label(key).lower())


SEGMENTATION_TITLES = {
    "rfm": "RFM segments",
    "lifecycle": "Lifecycle stages",
    "value": "Value tiers",
    "health": "Health bands",
    "behavioral": "Behavioral segments",
    "migration": "Segment migration",
    "validation": "Next-period validation",
    "history": "Segment history, period by period",
    "seasonality": "Seasonality by segment",
    "products": "Products by segment",
    "countries": "Customers by country",
    "refunds": "Refunds by segment",
}
OTHER_ORDER = ("lifecycle", "value", "health", "behavioral")
METHOD_LABELS = {
    "fixed": "fixed bands",
    "quantile": "fifths of this data (quintiles)",
    "none": "not scored",
    "tenure_bands": "tenure bands",
    "spend_quantiles": "spend quantiles",
    "arr_tiers": "ARR tiers",
    "weighted_score": "weighted health score",
    "active_days_30": "active days",
}
DIMENSIONS = (("recency", "Recency"), ("frequency", "Frequency"), ("monetary", "Monetary"))
DIMENSION_METHOD_LABELS = {("recency", "fixed"): "calendar bands", ("frequency", "fixed"): "fixed purchase-count bands"}
TREND_LABELS = {"growing": "Growing share", "stable": "Stable share", "declining": "Declining share"}
SEGMENT_FIELDS = (
    "name", "description", "rule", "count", "pct_customers", "revenue", "revenue_share", "avg_value", "aov",
    "median_recency_days", "avg_purchase_days", "repeat_rate", "median_gap_days", "spend_last_period_per_customer", "count_prev",
    "pct_customers_prev", "trend", "trend_change", "next_repeat_rate", "active_days_30", "days_since_active", "seasonality",
    "mrr", "mrr_share", "last_purchase_days", "value_tiers", "products", "countries", "recent_revenue", "recent_revenue_share", "refunds",
)
# A plan on the behavioral segmentation (an event log's usage groups) leads the report with them,
# and their chart (charts.py draws it under this name) sits beside their table.
USAGE_KIND = "behavioral"
USAGE_CHART = "usage.png"
USAGE_WORDS = {"short": "of all", "long": "of all users", "header": "% of users", "chip": "of users"}


ACRONYMS = {"mrr": "MRR", "arr": "ARR", "id": "id", "rfm": "RFM", "aov": "AOV", "sms": "SMS"}


def _label(key: str) -> str:
    words = key.replace("_", " ").replace(".", " ").split()
    text = " ".join(ACRONYMS.get(w.lower(), w) for w in words)
    return text[:1].upper() + text[1:]


def _title(key: str) -> str:
    return key.replace("_", " ").strip().title()


def base(seg: dict | None, data: dict | None) -> dict:
    """What a segmentation's shares (pct_customers) are a share of.

    An event log's RFM and value segments count only the customers who bought
    (``segmentations.<kind>.customers``) while ``data.customers`` counts every user: their
    shares are then said to be of the buyers, never 'of all'. Otherwise (everyone is in the
    segmentation) the words are the report's usual ones. Words and facts only.
    """
    seg, data = seg or {}, data or {}
    n, everyone = seg.get("customers"), data.get("customers")
    if not isinstance(n, int) or not isinstance(everyone, int) or n >= everyone:
        return {"partial": False, "customers": n, "everyone": everyone, "short": "of all", "long": "of all customers", "header": "% of Total", "chip": "of customers"}
    if (seg.get("basis") or "purchases") == "purchases":
        return {"partial": True, "customers": n, "everyone": everyone, "short": "of buyers", "long": f"of the {fmt_count(n)} customers who bought", "header": "% of buyers", "chip": "of buyers"}
    return {"partial": True, "customers": n, "everyone": everyone, "short": "of those segmented", "long": f"of the {fmt_count(n)} customers segmented", "header": "% of those segmented", "chip": "of those segmented"}


def has_mrr(data: dict | None) -> bool:
    """A CRM table with an MRR column: its segment tables show each segment's MRR."""
    return (data or {}).get("mrr_total") is not None


def activity_basis(seg: dict | None) -> bool:
    """An event log's lifecycle, health and behavioral segments: their figures count active
    days (days with any event) and days since the last event, not purchases."""
    return (seg or {}).get("basis") == "activity"


def day_bands(defn: dict | None) -> dict[str, str]:
    """Bands of active days (the behavioral segmentation's ``definition.bands``: key, min_days,
    meaning; highest first) in plain words, by key: '12 or more active days: active most days'.
    Each band runs up to the next higher one's minimum; every figure is a band's own."""
    bands = [b for b in ((defn or {}).get("bands") or []) if isinstance(b, dict) and isinstance(b.get("min_days"), (int, float)) and b.get("key")]
    if not bands or len(bands) != len((defn or {}).get("bands") or []):
        return {}
    ordered = sorted(bands, key=lambda b: b["min_days"], reverse=True)
    out = {}
    for i, b in enumerate(ordered):
        low = b["min_days"]
        high = ordered[i - 1]["min_days"] if i else None
        if high is None:
            text = f"{fmt_count(low)} or more active days"
        elif low <= 0:
            text = "no active day"
        else:
            text = f"at least {fmt_count(low)} and fewer than {fmt_count(high)} active days"
        meaning = b.get("meaning")
        out[b["key"]] = f"{text}: {meaning}" if isinstance(meaning, str) and meaning else text
    return out


# -- the view the templates read -----------------------------------------------------------------


def _segment_rows(seg: dict) -> list[dict]:
    rows = []
    stats = seg.get("segments") or {}
    at_cutoff = {r.get("segment"): r.get("customers") for r in ((seg.get("validation") or {}).get("segments") or []) if isinstance(r, dict)}
    order = [k for k in seg.get("order") or [] if k in stats] + [k for k in stats if k not in (seg.get("order") or [])]
    for key in order:
        s = stats[key] or {}
        row = {f: s.get(f) for f in SEGMENT_FIELDS}
        row["key"] = key
        row["name"] = s.get("name") or _title(key)
        row["trend_label"] = TREND_LABELS.get(s.get("trend") or "", s.get("trend") or NA)
        row["rate_of_few"] = rate_of_few(at_cutoff.get(key))
        row["merged_in"] = [
            {"name": (stats.get(m.get("from")) or {}).get("name") or _title(str(m.get("from"))), "customers": m.get("customers")}
            for m in seg.get("merged") or [] if m.get("into") == key
        ]
        into = next((m.get("into") for m in seg.get("merged") or [] if m.get("from") == key), None)
        row["merged_into"] = ((stats.get(into) or {}).get("name") or _title(str(into))) if into else None  # its 0 is a merge, not an empty segment
        rows.append(row)
    return rows


ABROAD_GAP = 0.10  # a segment whose share abroad is this far from everyone's says so in its profile


def _with_abroad(rows: list[dict], everyone: Any) -> list[dict]:
    """Each segment row's ``abroad``: its share of customers abroad beside everyone's, when the
    two are ABROAD_GAP or more apart (data.countries and the segment's countries); else None."""
    abroad = (everyone or {}).get("abroad") if isinstance(everyone, dict) else None
    base = (abroad or {}).get("customers_share")
    for row in rows:
        mine = row["countries"].get("abroad_share") if isinstance(row.get("countries"), dict) else None
        apart = isinstance(mine, (int, float)) and isinstance(base, (int, float)) and abs(mine - base) >= ABROAD_GAP - 1e-9
        row["abroad"] = {"share": mine, "everyone": base, "home": (everyone.get("home") or {}).get("name"), "more": mine > base} if apart else None
    return rows


def rate_of_few(customers: Any) -> int | None:
    """How many customers a segment's next-period rate is of, when too few to read as a rate: a
    trial's profile said '66.7% bought again' of Loyal, 2 of the 3 in it at the check's cutoff."""
    few = isinstance(customers, int) and not isinstance(customers, bool) and 0 < customers < MIN_CUSTOMERS_FOR_LIFT
    return customers if few else None


def _definition(defn: dict | None, stats: dict | None = None) -> list[dict]:
    """A definition's entries as text.

    Strings and string maps are shown as they are. A list of bands is shown only when the
    segments' own rules do not already state its thresholds (their rule text has no figure).
    Weights are left out: the formula states them.
    """
    stats = stats or {}
    out = []
    for key, value in (defn or {}).items():
        if key in ("rule_table", "rule_table_reason", "weights"):
            continue
        if isinstance(value, str) and value:
            out.append({"label": _label(key), "text": value, "sub": []})
        elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
            out.append({"label": _label(key), "text": "", "sub": [{"label": _label(k), "text": v} for k, v in value.items()]})
        elif key == "billing_cycles" and isinstance(value, dict) and value:  # subscribers by the cycle their payments show
            lapsed = (defn or {}).get("lapsed_subscribers")
            text = ", ".join(f"{k} {fmt_count(n)}" for k, n in value.items())
            by_cycle = (defn or {}).get("lapsed_by_cycle") or {}
            text += f"; {fmt_count(lapsed)} of them Lapsed (a renewal missed by 30 days or more: churned)" if isinstance(lapsed, int) else ""
            text += " (" + ", ".join(f"{k} {fmt_count(n)}" for k, n in by_cycle.items()) + ")" if len(by_cycle) > 1 else ""
            out.append({"label": "Subscribers by billing cycle", "text": text, "sub": []})
        elif key in ("lapsed_subscribers", "lapsed_by_cycle"):
            continue
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            keys = [v.get("key") for v in value]
            if all(k in stats and re.search(r"\d", str((stats[k] or {}).get("rule") or "")) for k in keys):
                continue
            sub = []
            for v in value:
                parts = []
                for k, x in v.items():
                    if k == "key" or x is None:
                        continue
                    parts.append(x if isinstance(x, str) else f"{_label(k).lower()} {fmt_count(x)}")
                name = (stats.get(v.get("key")) or {}).get("name") or _title(str(v.get("key") or ""))
                sub.append({"label": name, "text": "; ".join(str(p) for p in parts)})
            out.append({"label": _label(key), "text": "", "sub": sub})
    return out


def _band_text(band: dict, unit: str, currency: str | None) -> str:
    def f(v: Any) -> str:
        if unit == "days":
            return fmt_days(v)
        if unit == "money":
            return fmt_money(v, currency)
        return fmt_count(v)

    if "min" in band or "max" in band:  # fixed bands, inclusive
        low, high = band.get("min"), band.get("max")
        if high is None:
            return f"{f(low)} or more"
        if low == high:
            return f(low)
        return f"{f(low)} to {f(high)}" if unit != "days" else f"{fmt_count(low)} to {f(high)}"
    if "above" in band or "at_most" in band:  # quantiles, higher is better
        low, high = band.get("above"), band.get("at_most")
        if low is not None and high is not None and low >= high:
            return "none (equal cut points)"
        if low is None:
            return f"at most {f(high)}"
        if high is None:
            return f"above {f(low)}"
        return f"above {f(low)}, at most {f(high)}"
    if "below" in band or "at_least" in band:  # quantiles of days, fewer is better
        below, at_least = band.get("below"), band.get("at_least")
        if below is not None and at_least is not None and at_least >= below:
            return "none (equal cut points)"
        if below is None:
            return f"{f(at_least)} or more"
        if at_least is None:
            if below <= 0:  # every customer bought on the as-of date: nobody is under the 0-day cut
                return "none (0 days is the most recent possible)"
            return f"fewer than {f(below)}"
        return f"at least {f(at_least)}, fewer than {f(below)}"
    return NA


def _scores(scores: dict | None, currency: str | None) -> dict | None:
    if not scores:
        return None
    units = {"recency": "days", "frequency": "count", "monetary": "money"}
    dims = []
    by_score: dict[int, dict[str, str]] = {}
    for dim, label in DIMENSIONS:
        sc = scores.get(dim)
        if not sc:
            continue
        unit = units[dim]
        method = sc.get("method") or "none"
        cuts = sc.get("cuts") or []
        if unit == "money":
            cut_text = [fmt_money(c, currency) for c in cuts]
        elif unit == "days":
            cut_text = [fmt_days(c) for c in cuts]
        else:
            cut_text = [fmt_count(c) for c in cuts]
        shown = DIMENSION_METHOD_LABELS.get((dim, method)) or METHOD_LABELS.get(method, method.replace("_", " "))
        dims.append({"key": dim, "label": label, "method": method, "method_label": shown, "cuts": cut_text, "scored": bool(sc.get("bands"))})
        for band in sc.get("bands") or []:
            by_score.setdefault(band.get("score"), {})[dim] = _band_text(band, unit, currency)
    table = []
    for score in sorted((s for s in by_score if s is not None), reverse=True):
        table.append({"score": score, "cells": [by_score[score].get(d["key"], NA if d["scored"] else "not scored") for d in dims]})
    return {"dims": dims, "table": table}


def _names(seg: dict) -> dict[str, str]:
    names = {}
    for r in ((seg.get("rules") or {}).get("segments") or []):
        if r.get("key"):
            names[r["key"]] = r.get("name") or _title(r["key"])
    for key, s in (seg.get("segments") or {}).items():
        names[key] = (s or {}).get("name") or names.get(key) or _title(key)
    return names


def _name_of(names: dict[str, str]) -> Callable[[str], str]:
    return lambda key: names.get(key) or _title(str(key))


def _migration(mig: dict | None, order: list[str], name: Callable[[str], str]) -> dict | None:
    if not mig:
        return None
    matrix = mig.get("matrix") or {}
    keys = [k for k in order if k in matrix or any(k in row for row in matrix.values())]
    keys += [k for k in matrix if k not in keys]
    rank = {k: i for i, k in enumerate(order)}
    rows = [{"name": name(k), "cells": [(matrix.get(k) or {}).get(t) for t in keys], "stay": [k == t for t in keys]} for k in keys if k in matrix]
    entered = mig.get("entered") or None
    watch = []
    for w in mig.get("watch") or []:
        a, b = w.get("from_segment"), w.get("to_segment")
        if a in rank and b in rank and rank[a] != rank[b]:
            direction = "up" if rank[b] < rank[a] else "down"
        else:
            direction = "other"
        watch.append({"from_name": name(a), "to_name": name(b), "customers": w.get("customers"), "revenue": w.get("revenue"), "direction": direction})
    return {
        "from_date": mig.get("from_date"),
        "to_date": mig.get("to_date"),
        "customers_in_both": mig.get("customers_in_both"),
        "columns": [name(k) for k in keys],
        "rows": rows,
        "entered": [entered.get(k) for k in keys] if entered else None,
        "watch": watch,
        "note": mig.get("note") or "",
    }


# Below this many customers at the cutoff, one customer's purchase moves a segment's repeat rate
# by more than five points, so its lift is a few people's luck: a trial store's report led with
# "17.79 times as often" from a single Champion. The same count the trend rule takes as enough
# people to call a change (TREND_CLEAR_CUSTOMERS), so the report has one idea of "enough".
MIN_CUSTOMERS_FOR_LIFT = TREND_CLEAR_CUSTOMERS


def _measured_rows(rows: list[dict]) -> tuple[dict | None, list[dict]]:
    """The best-ranked segment that held enough customers at the cutoff for its next-period rate
    to mean something (none if no segment did), and the better-ranked ones that held too few."""
    rated = [r for r in rows if r["repeat_rate"] is not None]
    first = next((i for i, r in enumerate(rated) if (r["customers"] or 0) >= MIN_CUSTOMERS_FOR_LIFT), len(rated))
    return (rated[first] if first < len(rated) else None), rated[:first]


def _validation(val: dict | None, name: Callable[[str], str], who: str = "customer") -> dict | None:
    """The next-period check for the templates (``who``: what the rows count, customers or users)."""
    if not val:
        return None
    rows = [{"key": r.get("segment"), "name": name(r.get("segment")), "customers": r.get("customers"), "repeat_rate": r.get("repeat_rate"), "revenue_per_customer": r.get("revenue_per_customer"), "revenue_share": r.get("revenue_share")} for r in val.get("segments") or []]
    upsets = _upsets(val, rows, "were active again" if who == "user" else "bought again")
    measured, too_few = _measured_rows(rows)
    out = {
        "cutoff": val.get("cutoff"),
        "window_end": val.get("window_end"),
        "window_days": val.get("window_days"),
        "rows": rows,
        "base_repeat_rate": val.get("base_repeat_rate"),
        "top_segment": name(val["top_segment"]) if val.get("top_segment") else None,
        "top_lift": val.get("top_lift"),
        # the lift is the top segment's (facts hold no other): told only when it held enough customers
        "top_measured": bool(measured) and not too_few and val.get("top_lift") is not None,
        "measured": measured,
        "too_few": too_few,
        "too_few_words": _too_few_words(too_few, who),
        "monotone": val.get("monotone"),
        "upsets": upsets,
        # every upset within the gap chance alone keeps groups of those sizes: no finding
        "in_order_within_chance": bool(upsets) and all(u["within_chance"] for u in upsets),
        "real_upsets": [u for u in upsets if not u["within_chance"]],
        "chance_upsets": [u for u in upsets if u["within_chance"]],
        "new_customer_revenue_share": val.get("new_customer_revenue_share"),
        "note": val.get("note") or "",
        "holdout": _holdout_check(val.get("holdout"), who),
    }
    out["lift_words"] = _lift_words(out) if out["top_segment"] and rows else ""
    return out


def _upsets(val: dict, rows: list[dict], verb: str) -> list[dict]:
    """The facts' inversions, by name: a segment that bought again more often than the one above
    it, each with the gap chance alone keeps groups of their sizes within (facts without
    inversions, of an earlier run: read off the rows, none called within chance)."""
    by_key = {r["key"]: r for r in rows}
    if "inversions" in val:
        found = [(by_key[i["lower"]], by_key[i["higher"]], i) for i in val["inversions"] if i["lower"] in by_key and i["higher"] in by_key]
    else:
        rated = [r for r in rows if r["repeat_rate"] is not None]
        found = [(b, a, {}) for a, b in zip(rated, rated[1:]) if b["repeat_rate"] > a["repeat_rate"]]
    out = []
    for lower, higher, inv in found:
        within = bool(inv.get("within_chance"))
        words = f"{lower['name']} ({fmt_pct(lower['repeat_rate'])}) {verb} more often than {higher['name']} ({fmt_pct(higher['repeat_rate'])})"
        if inv.get("chance_gap") is not None:
            words += (f", {fmt_pct(inv['gap'])} apart where chance alone keeps groups of these sizes up to {fmt_pct(inv['chance_gap'])} apart nineteen times in twenty"
                      if within else f", {fmt_pct(inv['gap'])} apart: beyond the {fmt_pct(inv['chance_gap'])} chance alone allows groups of these sizes")
        out.append({"lower": lower, "higher": higher, "gap": inv.get("gap"), "chance_gap": inv.get("chance_gap"), "within_chance": within, "words": words})
    return out


def _history(seg: dict, name: Callable[[str], str]) -> dict | None:
    """The segment history for the templates: one row per segment, one column per cutoff, oldest
    first (time runs left to right), each cell the next-period repeat rate; where the segment held
    fewer customers than a rate needs to mean much, the cell says how many."""
    history = seg.get("history")
    if not isinstance(history, dict) or not history:
        return None
    cutoffs = list(history)[::-1]
    rows = []
    for key in seg.get("order") or []:
        cells = [history[c].get(key) for c in cutoffs]
        if any(cells):
            rows.append({"name": name(key), "cells": [{"rate": c.get("next_repeat_rate"), "customers": c.get("customers"),
                                                       "few": (c.get("customers") or 0) < MIN_CUSTOMERS_FOR_LIFT} if c else None for c in cells]})
    # every customer scored at each cutoff: a segment's change that everyone shares is the season or the shop
    everyone = seg.get("history_everyone")
    if isinstance(everyone, dict) and everyone:
        rows.append({"name": "All customers", "everyone": True, "cells": [{"rate": everyone[c].get("next_repeat_rate"), "customers": everyone[c].get("customers"), "few": False} if everyone.get(c) else None for c in cutoffs]})
    return {"cutoffs": cutoffs, "rows": rows}


def _holdout_check(holdout: dict | None, who: str = "customer") -> dict | None:
    """The held-out customers at the cutoff against the rest, for the next-period check: their
    rate is told only when enough were held out for it to mean something."""
    if not holdout or not holdout.get("held_out_customers"):
        return None
    n = holdout["held_out_customers"]
    held = (f"Held out (those the CRM files mark Holdout): {fmt_count(n)} of these {who if n == 1 else who + 's'}, the ones segmented at the cutoff "
            f"(the CRM files mark today's segments, those who joined since included, so they can hold more)")
    if n < MIN_CUSTOMERS_FOR_LIFT or holdout.get("others_repeat_rate") is None:
        return {**holdout, "words": f"{held}, too few to compare their rate with the rest's."}
    return {**holdout, "words": (
        f"{held}, of whom {fmt_pct(holdout['held_out_repeat_rate'])} bought again, against {fmt_pct(holdout['others_repeat_rate'])} of the rest. "
        f"Until campaigns leave the holdout out, the gap is chance: two groups of these sizes drawn at random differ by up to {fmt_pct(holdout['chance_gap'])} in the share who bought again nineteen times in twenty. "
        "Once campaigns leave them out, a gap beyond that is what the campaigns added."
    )}


def _too_few_words(rows: list[dict], who: str = "customer") -> str:
    """'Champions (1 customer) and Loyal (3 customers)'."""
    if not rows:
        return ""
    return _join([f"{r['name']} ({fmt_count(r['customers'])} {who if r['customers'] == 1 else who + 's'})" for r in rows])


def _opportunities(items: list | None, name: Callable[[str], str]) -> list[dict]:
    out = []
    for o in items or []:
        out.append({
            "from_name": name(o.get("from_segment")),
            "to_name": name(o.get("to_segment")),
            **{k: o.get(k) for k in ("customers_now", "historical_rate", "revenue_gap_per_customer", "next_gap_per_customer", "expected_customers", "expected_revenue", "value_per_10pct", "moved", "movers_spend_per_customer", "above_period_revenue")},
            "by_movers": o.get("value_basis") == "movers",
        })
    return out


# The rule tables' names (facts keep the keys) as a reader of the report would say them.
RULE_TABLE_LABELS = {
    "default": "the standard six segments", "small_base": "three groups for a small base", "recency_monetary": "recency and spend only", "user": "your own",
    # the tables for data without amounts (compute/rules.py WITHOUT_AMOUNTS)
    "recency_frequency": "the standard six segments, by recency and frequency", "small_base_no_amounts": "three groups for a small base, by recency and frequency",
    "recency_only": "recency only",
}


def _rfm_method_label(seg: dict) -> str:
    """The RFM method as scored: --method sets recency and frequency; spend is always by quintile."""
    method = seg.get("method") or ""
    label = {"fixed": "fixed bands for recency and frequency", "quantile": "fifths of this data (quintiles) for recency and frequency"}.get(method)
    if label is None:
        return METHOD_LABELS.get(method, method.replace("_", " "))
    monetary = ((seg.get("scores") or {}).get("monetary") or {}).get("method")
    if monetary != "quantile":
        return label
    return "fifths of this data (quintiles) for recency, frequency and spend" if method == "quantile" else label + "; spend by fifths of this data (quintiles)"


def _rfm(seg: dict | None, currency: str | None, data: dict | None = None) -> dict | None:
    if not seg:
        return None
    names = _names(seg)
    name = _name_of(names)
    order = [k for k in seg.get("order") or []] or list((seg.get("segments") or {}).keys())
    defn = seg.get("definition") or {}
    rules = seg.get("rules") or {}
    return {
        "method": seg.get("method") or "",
        "method_label": _rfm_method_label(seg),
        "method_reason": seg.get("method_reason") or "",
        "frequency_basis": defn.get("frequency") or "",
        "definition": _definition(defn),
        "rule_table": RULE_TABLE_LABELS.get(defn.get("rule_table") or rules.get("name") or "", defn.get("rule_table") or rules.get("name") or ""),
        # a table of the user's own needs no reason beyond its file, which the description names
        "rule_table_reason": "" if (defn.get("rule_table") or rules.get("name")) == "user" else defn.get("rule_table_reason") or "",
        "scores": _scores(seg.get("scores"), currency),
        # spend scored (quintile bands), or every customer given the middle score (no amounts)
        "monetary_scored": bool((((seg.get("scores") or {}).get("monetary") or {}).get("bands"))) or not seg.get("scores"),
        "rules_description": rules.get("description") or "",
        "rules": [{"name": r.get("name") or _title(r.get("key", "")), "plain": r.get("plain") or "", "description": r.get("description") or ""} for r in rules.get("segments") or []],
        "segments": _with_abroad(_segment_rows(seg), (data or {}).get("countries")),
        "trend_threshold": seg.get("trend_threshold"),
        "trend_min": TREND_MIN_CUSTOMERS,
        "trend_clear": TREND_CLEAR_CUSTOMERS,
        "merged": [{"from_name": name(m.get("from")), "into_name": name(m.get("into")), "customers": m.get("customers"), "reason": m.get("reason") or ""} for m in seg.get("merged") or []],
        "similar": [p.get("suggestion") or "" for p in seg.get("similar_pairs") or []],
        "notes": list(seg.get("notes") or []),
        "migration": _migration(seg.get("migration"), order, name),
        "validation": _validation(seg.get("validation"), name),
        "history": _history(seg, name),
        "opportunities": _opportunities(seg.get("opportunities"), name),
        "opportunity_basis": seg.get("opportunity_basis") or "",
        "opportunities_note": seg.get("opportunities_note") or "",
        "period_revenue": seg.get("period_revenue"),
        "segment_keys": [r["key"] for r in _segment_rows(seg)],
        "active_keys": [r["key"] for r in _segment_rows(seg) if r.get("count")],
        "empty_names": [r["name"] for r in _segment_rows(seg) if r.get("count") == 0],
        "names": names,
        "base": base(seg, data),
        "seasons": _seasons(seg, data),
        "products": _products(seg, data),
        "has_mrr": has_mrr(data),
        "recent": _recent_window(seg.get("recent_revenue_window")),
        "refunds": (data or {}).get("refunds") if isinstance((data or {}).get("refunds"), dict) else None,
    }


def _recent_window(window: Any) -> dict | None:
    """The 'at a glance' table's column of each segment's share of the last 365 days' revenue
    (facts' recent_revenue_window): its header, and whether it is the data's whole span."""
    if not isinstance(window, dict) or not isinstance(window.get("window_days"), int):
        return None
    whole = bool(window.get("whole_span"))
    header = f"Revenue Share, All {fmt_count(window['window_days'])} Days" if whole else f"Revenue Share, Last {fmt_count(window['window_days'])} Days"
    return {**window, "whole_span": whole, "header": header}


def _seasons(seg: dict, data: dict | None) -> dict | None:
    """When each segment bought in the 365 days up to the as-of date, by calendar quarter:
    each row's share of spend in each quarter (of buyers who bought in it, without amounts)
    and the share of its buyers who bought in one quarter only; the last row is everyone's."""
    year = (data or {}).get("seasonality")
    stats = seg.get("segments") or {}
    if not isinstance(year, dict) or not any(isinstance((v or {}).get("seasonality"), dict) for v in stats.values()):
        return None
    spend = (data or {}).get("revenue_total") is not None
    figure = "revenue_share" if spend else "buyers_share"

    def row(name: str, z: dict) -> dict:
        quarters = z.get(figure) or {}
        return {"name": name, "buyers": z.get("buyers"), "quarters": [quarters.get(q) for q in ("q1", "q2", "q3", "q4")], "one_quarter_only": z.get("one_quarter_only")}

    rows = [row(r["name"], r["seasonality"]) for r in _segment_rows(seg) if r.get("count") and isinstance(r.get("seasonality"), dict)]
    return {
        "window_start": year.get("window_start"),
        "window_end": year.get("window_end"),
        "window_days": year.get("window_days"),
        "spend": spend,
        "rows": rows,
        "all": row("All buyers" if base(seg, data)["partial"] else "All customers", year),
    }


def _products(seg: dict, data: dict | None) -> dict | None:
    """What each segment bought (its most bought products: buyers and share of the segment),
    everyone's, and the first purchases with their come-back rates (data.products)."""
    prod = (data or {}).get("products")
    if not isinstance(prod, dict):
        return None
    segments = [r for r in _segment_rows(seg) if r.get("count") and r.get("products") is not None]
    rows = [{"name": r["name"], "items": most_bought(r.get("products") or [])} for r in segments]
    if not rows:
        return None
    families = [{**f, "cells": [next((q for q in (seg["segments"][r["key"]].get("product_families") or []) if q.get("key") == f["key"]), None) for r in segments]}
                for f in prod.get("families") or []]
    return {**prod, "rows": rows, "all_name": "All buyers" if base(seg, data)["partial"] else "All customers", "top5": (prod.get("top") or [])[:5],
            "family_rows": families, "segment_names": [r["name"] for r in segments]}


def most_bought(items: list[dict]) -> list[dict]:
    """A segment's five most bought (facts list them most buyers first, best sellers of all
    customers beside them) and any tied with the fifth: the run's own cut (products.tie_cut)."""
    bought = [p for p in items if (p.get("buyers") or 0) > 0]
    return bought[: tie_cut([p["buyers"] for p in bought], TOP_PER_SEGMENT)]


def _other(kind: str, seg: dict, data: dict | None = None) -> dict:
    method = seg.get("method") or ""
    defn = dict(seg.get("definition") or {})
    rows = _segment_rows(seg)
    bands = day_bands(defn)
    if bands:  # bands of active days: each row's rule says its band in words, figures included
        defn.pop("bands", None)
        for row in rows:
            if row["key"] in bands:
                row["rule"] = bands[row["key"]]
    return {
        "kind": kind,
        "title": SEGMENTATION_TITLES.get(kind, _title(kind)),
        "method": method,
        "method_label": METHOD_LABELS.get(method, method.replace("_", " ")),
        "method_reason": seg.get("method_reason") or "",
        "definition": _definition(defn, seg.get("segments")),
        "segments": rows,
        "notes": list(seg.get("notes") or []),
        "base": base(seg, data),
        # figures of activity (any event), not of purchases: no spend, recency since the last event
        "activity": activity_basis(seg),
        "has_mrr": has_mrr(data),
        "trend_note": _trend_note(seg),
        # usage groups: how users moved between them, and who was active again in the next period
        "migration": _migration(seg.get("migration"), list(seg.get("order") or []), _name_of(_names(seg))) if kind == USAGE_KIND else None,
        "validation": _validation(seg.get("validation"), _name_of(_names(seg)), "user") if kind == USAGE_KIND else None,
    }


def _revenue_basis(mapping: dict, notes: list[str]) -> str:
    """Which columns the revenue nets, where the export records refunds: the converted ones when
    the run used the account's currency (its note says so)."""
    converted = CONVERTED_NOTE in notes
    amount, refunded = ("converted_amount", "converted_refunded") if converted else ("amount", "refunded")
    if mapping.get(amount) and mapping.get(refunded):
        return f"net of refunds: {mapping[amount]} minus {mapping[refunded]}"
    return ""


def _trend_note(seg: dict) -> str:
    """What the Trend column of a segmentation other than RFM compares, or why it is n/a throughout."""
    if seg.get("trend_basis"):
        return f"Trend: the relative change in the {seg['trend_basis']} (a part of the earlier share, not percentage points)."
    if seg.get("method") == "spend_quantiles":
        return "Trend: none, since spend tiers are cut afresh from the quantiles at each date, so their shares stay the same by construction."
    return "Trend: not measured, since these segments cannot be scored one period earlier from this data."


def _usage(segs: dict, plan: dict, data: dict | None) -> dict | None:
    """The usage groups (the behavioral segmentation of activity) when the tailored plan is
    written on them: the report then leads with them. Their shares are of every user."""
    seg = segs.get(USAGE_KIND)
    if not (plan.get("tailored") and plan.get("segmentation") == USAGE_KIND and activity_basis(seg)):
        return None
    view = _other(USAGE_KIND, seg, data)
    view["base"] = {**view["base"], **USAGE_WORDS}
    view["empty_names"] = [r["name"] for r in view["segments"] if r.get("count") == 0]
    return view


def _subscriptions(subs: dict | None, facts: dict) -> dict | None:
    if not isinstance(subs, dict):
        return None
    names = {k: s.get("name", k) for k, s in (((facts.get("segmentations") or {}).get("behavioral") or {}).get("segments") or {}).items()}
    by_group = [{"name": names.get(k, k), "count": n} for k, n in (subs.get("active_by_behavior") or {}).items()]
    return {**subs, "by_group": by_group}


def no_emails(facts: dict) -> bool:
    """The rule check.py's reach check follows (strategy/validate.py): no customer in the
    email-tool files and none left out for opting out means the export held no emails."""
    exports = facts.get("exports") or {}
    return "reachable" in exports and not exports.get("reachable") and not exports.get("left_out_no_consent")


def _data(facts: dict, names: dict[str, str] | None = None) -> dict:
    """The data block as the report shows it. ``names``: what the user calls the sales
    channels (answers.json's Channel names), shown beside them."""
    d = facts.get("data") or {}
    names = names or {}
    dropped_orders = d.get("dropped_orders") or {}
    dropped_value = d.get("dropped_value") or {}
    dropped_gross = d.get("dropped_gross") or {}
    dropped_collected = d.get("dropped_collected") or {}
    dropped = [
        {"reason": drop_reason(k, d, names), "rows": v, "orders": dropped_orders.get(k), "value": dropped_value.get(k), "gross": dropped_gross.get(k), "collected": dropped_collected.get(k)}
        for k, v in (d.get("dropped") or {}).items()
    ]
    source = d.get("source") or ""
    mapping = d.get("mapping") or {}
    return {
        # what the revenue figure is, where the export's own sales total would differ from it
        "revenue_basis": _revenue_basis(mapping, facts.get("notes") or []),
        "source": source,
        "source_label": SOURCE_LABELS.get(source, source.replace("_", " ")),
        "kind": d.get("kind") or "",
        "files": list(d.get("files") or []),
        # several files: how many rows each gave (an orders and a customers export add up to no one thing)
        "rows_by_file": [{"file": f, "rows": n} for f, n in (d.get("rows_by_file") or {}).items()] if len(d.get("rows_by_file") or {}) > 1 else [],
        # --exclude-channel: the channels left out, in words ('Honeycomb and Faire')
        "excluded_channel_words": channel_words([shown_channel(c, names) for c in d["excluded_channels"]["channels"]]) if isinstance(d.get("excluded_channels"), dict) and d["excluded_channels"].get("channels") else None,
        **{k: d.get(k) for k in ("rows", "customers", "prospects", "no_kept_order", "excluded_channel_only", "orders", "revenue_total", "currency", "date_min", "date_max", "days_covered", "one_time_share")},
        # a CRM table: the live accounts' MRR, and the prospects (not segmented) by their status
        "mrr_total": d.get("mrr_total"),
        # an as-of date before the data's end: the purchases after it, which no figure counts
        "after_as_of": after_as_of_text(d),
        "prospects_by_status": [{"status": k, "count": v} for k, v in (d.get("prospects_by_status") or {}).items()],
        "dropped": dropped,
        # failed and unfinished payments followed per customer: retries folded, paid later or outstanding
        "failed_payments": failed_payments_text(d.get("failed_payments"), d.get("currency"), NEVER_PAID_NAME, unreachable_owers(facts), d.get("test_charges")),
        "has_dropped_orders": bool(dropped_orders),
        # what the orders each reason left out came to after refunds: orders the segments do not see
        "has_dropped_value": any(v for v in dropped_value.values()),
        "dropped_value_label": "After refunds" if "refunded" in mapping else "Amount",
        "dropped_value_note": _dropped_value_note(d, "refunded" in mapping),
        # their order totals before refunds, where they differ from the amount after refunds somewhere
        "has_dropped_gross": any(dropped_gross.get(k) != dropped_value.get(k) for k in dropped_gross),
        # exports with an outstanding balance (Shopify): the money those orders actually collected
        "has_dropped_collected": bool(dropped_collected) and any(v for v in dropped_value.values()),
        # sales by calendar month; a month the data only partly holds says how many days it has
        "by_month": [m for m in d.get("by_month") or [] if isinstance(m, dict)],
        # order exports with a sales channel (Shopify's Source): kept orders per channel, each
        # with the name the user gave it beside it ('Instagram Shop (app 24986320897)')
        "by_channel": [_channel_row(c, names) for c in d.get("by_channel") or [] if isinstance(c, dict)],
        # a channel the export names by an app's number: where the user finds the app's name,
        # unless they named it (named_apps)
        "app_channels": [c["channel"] for c in d.get("by_channel") or [] if isinstance(c, dict) and c.get("label") == APP_LABEL and c["channel"] not in names],
        "named_apps": [shown_channel(c["channel"], names) for c in d.get("by_channel") or [] if isinstance(c, dict) and c.get("label") == APP_LABEL and c["channel"] in names],
        # exports naming each order's country: customers per country, home and abroad
        "countries": d.get("countries") if isinstance(d.get("countries"), dict) else None,
        # an event log: which events were counted as purchases ("purchase (470)")
        "purchase_events": [{"name": k, "count": v} for k, v in (d.get("purchase_events") or {}).items()] if d.get("purchase_events") is not None else None,
        # an event log: events that are not use of the product (a cancellation, an email delivered)
        "not_activity_events": [{"name": k, "count": v} for k, v in (d.get("not_activity_events") or {}).items()],
        "payment_problems": d.get("payment_problems"),
        # the email-tool files hold nobody (no emails in the export): lists are the generic file's
        "no_emails": no_emails(facts),
        # an event log whose events end accounts: active and ended at the as-of date, the active by usage group
        "subscriptions": _subscriptions(d.get("subscriptions"), facts),
        "mapping": [{"field": _label(k), "column": v} for k, v in (d.get("mapping") or {}).items()],
        # no amounts at all (an event log without a revenue property): no currency to speak of
        "no_amounts": d.get("revenue_total") is None,
        **buyers(facts),
    }


def _dropped_value_note(d: dict, refunds: bool) -> str:
    """What each money column of the left-out orders table measures: the order total, what is
    left of it after refunds (which still counts money never collected: a voided order's total)
    and, where the export says what each order still owes, the money actually collected. Fully
    refunded orders that still come to something are said so, with the figure."""
    value = d.get("dropped_value") or {}
    gross = d.get("dropped_gross") or {}
    collected = d.get("dropped_collected") or {}
    currency = d.get("currency")
    shown_gross = any(gross.get(k) != value.get(k) for k in gross)
    parts = []
    if refunds and shown_gross:
        parts.append("Order total: what the left-out orders were placed for, before any refund.")
    if refunds and collected:
        parts.append("After refunds: the order total less what was refunded; it still counts money never collected "
                     "(the unpaid total of a cancelled, voided, test or pending order), so it is not sales lost.")
        parts.append("Collected: what customers actually paid and were not paid back (the order total less refunds and less the export's outstanding balance)"
                     + ("; a negative amount is more paid back than was collected" if any(isinstance(v, (int, float)) and v < 0 for v in collected.values()) else "")
                     + ". None of these orders is in any segment's revenue.")
    elif refunds:
        parts.append("After refunds: the order total less what was refunded; an order never paid (cancelled, voided or pending) counts its whole total, "
                     "as the export does not say what was collected. None of these orders is in any segment's revenue.")
    else:
        parts.append("Amount: the left-out orders' totals as the export records them, paid or not; none of these orders is in any segment's revenue.")
    left = _number(value.get("refunded"))
    if refunds and left:  # 'refunded' in full by status, yet refunds that differ from the total leave an amount
        got = _number(collected.get("refunded"))
        parts.append(f"Fully refunded orders still come to {fmt_money(left, currency)} after refunds, not nothing: some refunds differ from the order's total"
                     + (f"; {fmt_money(got, currency)} of it was collected and the rest is still outstanding." if got is not None and got >= 0
                        else f"; collected: {fmt_money(got, currency)} (more paid back than collected), and the difference is still outstanding." if got is not None else "."))
    if any(isinstance(v, (int, float)) and v < 0 for k, v in value.items() if k != "refunded"):
        parts.append("A negative amount is money paid back (returns left out), so revenue here is before those refunds.")
    return " ".join(parts)


def unreachable_owers(facts: dict) -> int:
    """How many people owe and cannot be sent a reminder: when everyone outstanding made no
    successful payment and none of them left an email (a payments export's abandoned
    sign-ups, identified by the payment tool's customer id), all of them; else 0."""
    fp = (facts.get("data") or {}).get("failed_payments") or {}
    never = fp.get("never_paid_customers") or 0
    exports = facts.get("exports") or {}
    if not never or fp.get("outstanding_customers") != never:
        return 0
    reached = (exports.get("reachable_by_segment") or {}).get(NEVER_PAID_KEY)
    no_email = (exports.get("left_out_no_email") or {}).get(NEVER_PAID_KEY)
    return never if reached == 0 and no_email == never else 0


def failed_payments_text(fp: dict | None, currency: str | None, listed_as: str, unreachable: int = 0, tests: dict | None = None) -> str | None:
    """data.failed_payments in one paragraph: the attempts as payments, what was paid later,
    what is still outstanding, and who made no successful payment at all. ``unreachable``:
    :func:`unreachable_owers`, said when they cannot be reminded. ``tests``: data.test_charges,
    whose outstanding payments these totals leave out, said so (with no totals, the run's note
    on the test customers says it)."""
    if not isinstance(fp, dict) or not fp.get("attempts"):
        return None
    left_out = tests_owed_text(tests, currency)

    def worth(value: Any) -> str:
        return f" ({fmt_money(value, currency)})" if _number(value) is not None else ""

    def many(n: int, one: str, more: str) -> str:
        return f"{n:,} {one if n == 1 else more}"

    short = {"failed": "declined", "incomplete": "never completed", "cancelled": "cancelled"}
    reasons = ", ".join(short.get(r, r) for r in fp.get("reasons") or [])
    text = f"Payments that did not go through ({reasons}): {many(fp['attempts'], 'attempt', 'attempts')}"
    lost = fp.get("attempts_not_followed") or 0
    if lost:
        text += f", {lost:,} of them with no customer or date to follow. The others are"
    else:
        text += ", which are"
    text += (
        f" {many(fp['payments'], 'payment', 'payments')}{worth(fp.get('value'))} once retries of the same amount by the same customer within "
        f"{fp['retry_window_days']} days count once: {fp['paid_later']:,} paid later{worth(fp.get('paid_later_value'))}, "
        f"{fp['outstanding']:,} outstanding{worth(fp.get('outstanding_value'))} from {many(fp['outstanding_customers'], 'customer', 'customers')}."
    )
    recent = fp.get("outstanding_recent") or {}
    if fp.get("outstanding") and isinstance(recent.get("payments"), int):
        text += f" Of the outstanding, {fmt_count(recent['payments'])}{worth(recent.get('value'))} {'was' if recent['payments'] == 1 else 'were'} last tried in the data's last {fmt_days(recent['days'])}; older failures are rarely recovered."
    parts = fp.get("outstanding_by_reason") or {}
    if len(parts) > 1:  # a declined card and an abandoned checkout call for different messages
        text += " Outstanding by kind: " + ", ".join(f"{short.get(r, r)} {fmt_count(p.get('payments'))}{worth(p.get('value'))}" for r, p in parts.items() if isinstance(p, dict)) + "."
    never = fp.get("never_paid_customers") or 0
    if never and unreachable:
        renewals = ", or subscribers whose renewal failed" if "failed" in (fp.get("reasons") or []) else ""
        text += (f" Of those customers, {many(never, 'customer id', 'customer ids')} made no successful payment in the export{worth(fp.get('never_paid_value'))}: sign-ups that stopped at payment{renewals}. "
                 "None of them left an email, so no reminder can reach them, and without an email one person who tried twice shows as two ids: "
                 f"what they tell is where sign-ups stop, not whom to contact. They are in no segment; segments_generic.csv lists them as '{listed_as}'.")
    elif never:
        text += (f" Of those customers, {many(never, 'person', 'people')} made no successful payment in the export{worth(fp.get('never_paid_value'))}: failed sign-ups, or subscribers whose renewal failed. "
                 f"They are in no segment, and the CRM files list them as the segment '{listed_as}' where the export gives an email.")
    return f"{text} {left_out}" if left_out else text


def tests_owed_text(tests: dict | None, currency: str | None) -> str:
    """data.test_charges' outstanding payments, left out of the outstanding totals with the
    possible test customers: 'The 3 possible test customers left out (...) had 1 outstanding
    payment (3,000.00 USD) ...'; '' when they owed nothing."""
    if not isinstance(tests, dict) or not tests.get("outstanding_payments"):
        return ""
    n, owed = tests.get("customers") or 0, tests["outstanding_payments"]
    worth = f" ({fmt_money(tests['outstanding_value'], currency)})" if _number(tests.get("outstanding_value")) is not None else ""
    return (f"The {fmt_count(n)} possible test {'customer' if n == 1 else 'customers'} left out (spend under {TEST_CHARGE_SHARE:.0%} of the median customer's) had "
            f"{fmt_count(owed)} outstanding {'payment' if owed == 1 else 'payments'}{worth}, not counted in any outstanding total: a test customer owes nothing.")


def buyers(facts: dict) -> dict:
    """An event log counts every user in ``data.customers`` and those with a purchase event in
    ``data.buyers`` (the RFM segmentation's ``customers`` in facts written before that field):
    how many bought and how many never did, the difference of the two facts (the export notes
    state it too). Both None when everyone in the data bought."""
    d = facts.get("data") or {}
    everyone = d.get("customers")
    bought = d.get("buyers")
    if bought is None:
        bought = ((facts.get("segmentations") or {}).get("rfm") or {}).get("customers")
    if isinstance(everyone, int) and isinstance(bought, int) and bought < everyone:
        return {"buyers": bought, "never_bought": everyone - bought}
    return {"buyers": None, "never_bought": None}


def _charts(charts: list[dict] | None, out_dir: str, inline: bool) -> list[dict]:
    out = []
    for c in charts or []:
        file = str(c.get("file") or "")
        if not file or os.path.basename(file) != file or file.startswith("."):
            raise ValueError(f"chart file must be a plain file name inside {CHARTS_DIR}/: {file!r}")
        item = {"file": file, "title": str(c.get("title") or ""), "path": f"{CHARTS_DIR}/{file}", "src": ""}
        if inline:
            path = os.path.join(out_dir, CHARTS_DIR, file)
            with open(path, "rb") as fh:
                blob = fh.read()
            if not blob.startswith(PNG_MAGIC):
                raise ValueError(f"{path} is not a PNG file")
            item["src"] = "data:image/png;base64," + base64.b64encode(blob).decode("ascii")
        out.append(item)
    return out


# Order and labels of a strategy segment's fields (others follow in the order given).
STRATEGY_FIELDS = (
    ("persona", "Persona"), ("goal", "Goal"), ("tone", "Tone"), ("channels", "Channels"),
    ("communication_frequency", "Communication frequency"), ("offers", "Offers"), ("offer_terms", "Offer terms"), ("service_level", "Service level"),
    ("messaging", "Messaging"), ("product_priority", "Product priority"), ("pricing", "Pricing"),
)
METRIC_LABELS = {
    "recency_days": "time since last purchase", "purchase_days": "distinct purchase days", "orders": "orders",
    "monetary_total": "total spend", "aov": "average order value", "r_score": "recency score", "f_score": "frequency score",
    "m_score": "monetary score", "health_score": "health score", "tenure_days": "time since first purchase",
    "count": "customers", "pct_customers": "share of customers", "revenue": "revenue", "revenue_share": "share of revenue",
    "avg_value": "revenue per customer", "median_recency_days": "median time since last purchase",
    "avg_purchase_days": "average purchase days", "repeat_rate": "repeat rate", "next_repeat_rate": "share buying again in the next period (of those in the segment at its start)",
    "spend_last_period_per_customer": "spend per customer last period", "trend_change": "change in share of customers", "pct_customers_prev": "share of customers one period earlier",
    "active_days_30": "active days in the last 30", "days_since_active": "time since last active",
    FIRST_ORDER_RATE: "share placing a first order (of the contacts who never bought)",
}
# The baseline of the prospects' first-order KPI: no fact measures it (strategy/groups.py).
NOT_MEASURED_YET = "none yet (first read at the next run)"
OPERATOR_WORDS = {">": "above", ">=": "at least", "<": "below", "<=": "at most", "==": "equal to"}
PER_WORDS = {"week": "a week", "month": "a month", "quarter": "a quarter"}


def _text_items(fields: dict, currency: str | None = None) -> list[dict]:
    """A strategy segment's fields as (label, text or list of texts), kept as plain data."""
    known = [f for f, _ in STRATEGY_FIELDS]
    labels = dict(STRATEGY_FIELDS)
    ordered = [k for k in known if k in fields] + [k for k in fields if k not in known]
    items = []
    for key in ordered:
        value = fields[key]
        if value is None or value == "" or value == []:
            continue
        label = labels.get(key) or _label(str(key))
        if key == "communication_frequency" and isinstance(value, dict):
            items.append({"label": label, "text": _frequency(value), "list": []})
        elif key == "offer_terms" and isinstance(value, list):
            items.append({"label": "Offer terms", "text": "", "list": [_term(t, currency) for t in value if isinstance(t, dict)]})
        elif isinstance(value, (list, tuple)):
            items.append({"label": label, "text": "", "list": [str(v) for v in value]})
        else:
            items.append({"label": label, "text": str(value), "list": []})
    return items


TERM_UNITS = {"percent": "%", "minutes": " minutes", "hours": " hours", "days": " days", "weeks": " weeks", "months": " months", "items": " items"}


def _term(term: dict, currency: str | None = None) -> str:
    """'win-back discount: 15%' from a typed offer term (a plan number, not data); money as
    the report shows all money (15.00 USD)."""
    value = term.get("value")
    number = f"{value:g}" if isinstance(value, (int, float)) else str(value)
    unit = term.get("unit")
    if unit == "money":
        shown = fmt_money(value, currency) if isinstance(value, (int, float)) and not isinstance(value, bool) else number
    else:
        suffix = TERM_UNITS.get(str(unit), "")
        if value == 1 and suffix.endswith("s") and suffix != "%":  # 1 day, 1 item
            suffix = suffix[:-1]
        shown = number + suffix
    return f"{term.get('label', 'term')}: {shown}"


def _frequency(freq: dict) -> str:
    times, per = freq.get("times"), PER_WORDS.get(str(freq.get("per")), str(freq.get("per") or ""))
    if times == 1:
        return f"once {per}"
    if times == 2:
        return f"twice {per}"
    return f"{fmt_count(times)} times {per}"


def _metric_value(metric: str, value: Any, currency: str | None) -> str:
    """A plan number (threshold, target) in its metric's unit, as facts are shown."""
    kind = value_kind(str(metric))
    if kind in ("pct", "pct_signed"):
        return fmt_pct(value, signed=kind == "pct_signed")
    if kind == "money":
        return fmt_money(value, currency)
    if kind == "days":
        return fmt_days(value)
    if kind == "dec":
        return fmt_mean(value) if str(metric).rsplit(".", 1)[-1] in MEANS else fmt_dec(value)
    return fmt_count(value)


# A segmentation of activity (an event log's lifecycle, health, behavioral): its segment
# figures count days with any event, not purchases.
ACTIVITY_METRIC_LABELS = {
    "median_recency_days": "median time since last active", "avg_purchase_days": "average active days",
    "repeat_rate": "share active on more than one day", "count": "users", "pct_customers": "share of users",
    "trend_change": "change in share of users", "pct_customers_prev": "share of users one period earlier",
}


def _metric_label(metric: Any, activity: bool = False) -> str:
    if activity and str(metric) in ACTIVITY_METRIC_LABELS:
        return ACTIVITY_METRIC_LABELS[str(metric)]
    return METRIC_LABELS.get(str(metric), str(metric).replace("_", " "))


def _condition(item: dict | None, value_field: str, currency: str | None, activity: bool = False) -> str:
    item = item or {}
    metric = item.get("metric") or ""
    op = OPERATOR_WORDS.get(item.get("operator") or "", item.get("operator") or "")
    value = item.get(value_field)
    text = _metric_label(metric, activity)
    if value_field == "target":  # days since a purchase or an event: success is coming down to it
        op = "down to" if metric in LOWER_IS_BETTER else "reaches"
    return f"{text} {op} {_metric_value(metric, value, currency)}".strip() if value is not None else text


def _investment(inv: dict | None, currency: str | None) -> str:
    """A pathway's cost in words: '250.00 USD a month and 2 staff hours a week'; hours may recur
    on their own period (``hours_per``), a cost without a period is one-off."""
    inv = inv or {}
    money, hours = inv.get("budget"), inv.get("hours")
    if money is None and hours is None:
        return NA
    per = PER_WORDS.get(str(inv.get("per")), "(one-off)")
    hours_per = PER_WORDS.get(str(inv.get("hours_per")), per)
    staff = _staff_hours(hours) if hours is not None else ""
    if money is None:
        return f"{staff} {hours_per}"
    cost = fmt_budget(money, currency)
    if hours is None:
        return f"{cost} {per}"
    return f"{cost} and {staff} {per}" if hours_per == per else f"{cost} {per} and {staff} {hours_per}"


def fmt_budget(value: Any, currency: str | None) -> str:
    """A budget or a pathway's cost: '2,000.00 USD', or '2,000.00 (in the export's currency)'
    when the export names none (the user's own money, not a figure from the data)."""
    text = fmt_money(value, None)
    return text if text == NA else text + budget_unit(currency)


def _staff_hours(hours: float) -> str:
    return f"{fmt_count(hours)} staff hour" + ("" if hours == 1 else "s")


def _budget(budget: dict, currency: str | None) -> str:
    """The user's budget in words: '2,000 USD a month and 5 staff hours a week'. Hours may have
    their own period (``hours_per``); a zero amount is said as no money rather than '0.00 USD'."""
    per = PER_WORDS.get(str(budget.get("per")), "")
    hours_per = PER_WORDS.get(str(budget.get("hours_per")), per)
    amount, hours = _number(budget.get("amount")), _number(budget.get("hours"))
    money = f"{fmt_budget(amount, currency)} {per}".strip() if amount else ""
    money += _conversion(budget.get("conversion"), currency) if money else ""
    if not hours:
        return money
    staff = f"{_staff_hours(hours)} {hours_per}".strip()
    return f"{money} and {staff}" if money else f"{staff} (no money budget)"


def _unassigned_share(cells: list[dict]) -> float | None:
    """The share of the budget no targeting cell took (a trial's shares added up to 75% and the
    report never said where the rest went), or None when the shares take it all."""
    rest = 1.0 - sum(_number(c.get("budget_share")) or 0.0 for c in cells)
    return rest if rest > 0.005 else None


def _cell_hours(cell: dict, budget: dict) -> str:
    """'3 staff hours a month' for a channel run by people; its period defaults to the budget's hours'."""
    hours = _number(cell.get("hours"))
    if not hours:
        return ""
    per = cell.get("hours_per") if cell.get("hours_per") in PER_WORDS else budget.get("hours_per") if budget.get("hours_per") in PER_WORDS else budget.get("per")
    return f"{_staff_hours(hours)} {PER_WORDS.get(str(per), '')}".strip()


def _conversion(conversion: Any, currency: str | None) -> str:
    """' (your 300.00 GBP at 1.27 USD per GBP, the rate you confirmed)': a budget given in
    another currency than the data's, traced to the user's own figure."""
    if not isinstance(conversion, dict):
        return ""
    amount, rate, theirs = _number(conversion.get("amount")), _number(conversion.get("rate")), conversion.get("currency")
    if amount is None or rate is None or not isinstance(theirs, str) or not theirs.strip():
        return ""
    per_unit = f"{rate:g} {currency} per {theirs}" if currency else f"{rate:g} per {theirs}"
    return f" (your {fmt_money(amount, theirs)} at {per_unit}, the rate you confirmed)"


def _plan(strategy: dict, name: Callable[[str], str], currency: str | None, activity: bool = False) -> dict:
    """The plan parts of a full strategy document, as rows of text and typed numbers
    (``activity``: the plan covers a segmentation of activity, whose figures are not purchases)."""
    def rows(key: str) -> list[dict]:
        items = strategy.get(key) or []
        return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []

    budget = strategy.get("budget") if isinstance(strategy.get("budget"), dict) else {}
    targeting = [{"segment": name(c.get("segment")), "channel": str(c.get("channel") or ""), "priority": str(c.get("priority") or ""), "budget_share": c.get("budget_share"), "staff_time": _cell_hours(c, budget)} for c in rows("targeting_matrix")]
    return {
        # the user's budget, as the plan typed it: the shares below divide it
        "budget": _budget(budget, currency),
        "money_budget": bool(_number(budget.get("amount"))),
        "targeting": targeting,
        "staff_channels": any(c["staff_time"] for c in targeting),
        # the part of the budget no cell took: the pathways may be paid from it (check.py's rule)
        "unassigned_share": _unassigned_share(rows("targeting_matrix")),
        "pathways": [{
            "from_name": name(p.get("from_segment")),
            "to_name": name(p.get("to_segment")),
            "trigger": _condition(p.get("trigger"), "value", currency, activity),
            "intervention": str(p.get("intervention") or ""),
            "success": _condition(p.get("success_metric"), "target", currency, activity),
            "investment": _investment(p.get("investment"), currency),
            "expected_outcome": str(p.get("expected_outcome") or ""),
        } for p in rows("pathways")],
        "roadmap": [{"phase": str(r.get("phase") or ""), "weeks": r.get("weeks"), "actions": [str(a) for a in r.get("actions") or []]} for r in rows("roadmap")],
        "kpis": [{
            "segment": name(k.get("segment")),
            "metric": _metric_label(k.get("metric"), activity),
            "baseline": str(k.get("baseline") or (NOT_MEASURED_YET if first_order_kpi(k) else NA)),
            "target": _metric_value(k.get("metric") or "", k.get("target"), currency),
            "review": str(k.get("review") or ""),
        } for k in rows("kpis")],
        "review_schedule": str(strategy.get("review_schedule") or ""),
        "automation": [{"segment": name(a.get("segment")), "crm": str(a.get("crm") or ""), "rule": str(a.get("rule") or "")} for a in rows("automation_rules")],
        # the user's hunches from the intake, each with the plan's verdict and its evidence
        "hypotheses": [{"hunch": str(h.get("hunch") or ""), "verdict": str(h.get("verdict") or ""), "evidence": str(h.get("evidence") or "")} for h in rows("hypotheses")],
    }


def _strategy(strategy: dict | None, rfm: dict | None, facts: dict | None = None, currency: str | None = None, exports: dict | None = None) -> dict:
    names = rfm["names"] if rfm else {}
    keys = rfm["segment_keys"] if rfm else []
    if strategy is not None:
        if not isinstance(strategy, dict):
            raise TypeError("strategy must be a dict like {'segments': {key: {field: text}}}")
        segs = strategy.get("segments") or {}
        if not isinstance(segs, dict):
            raise TypeError("strategy['segments'] must map segment keys to their fields")
        kind = strategy.get("segmentation") or "rfm"
        other = ((facts or {}).get("segmentations") or {}).get(kind) or {}
        if kind != "rfm":  # a strategy for another segmentation: its names and order
            names = _names(other)
            keys = [r["key"] for r in _segment_rows(other)]
        ordered = [k for k in keys if k in segs] + [k for k in segs if k not in keys]
        segments = []
        display: dict[str, str] = {}
        for key in ordered:
            fields = segs[key]
            if not isinstance(fields, dict):
                fields = {"text": fields}
            fields = dict(fields)
            computed = names.get(key) or _title(str(key))
            shown = str(fields.pop("display_name", None) or "").strip() or computed
            display[key] = shown
            segments.append({"key": str(key), "name": shown, "computed_name": computed if shown != computed else "", "fields": _text_items(fields, currency)})
        listed = {PROSPECT_KEY: PROSPECT_NAME, NO_KEPT_ORDER_KEY: NO_KEPT_ORDER_NAME, NEVER_PAID_KEY: NEVER_PAID_NAME, **(((facts or {}).get("exports") or {}).get("groups") or {})}  # the CRM files' own groups, by the label the files carry
        name = lambda k: display.get(k) or names.get(k) or listed.get(k) or _title(str(k))  # noqa: E731
        return {
            "tailored": True,
            "segmentation": kind,
            "segmentation_title": SEGMENTATION_TITLES.get(kind, _title(kind)),
            "segments": segments,
            "plan": _plan(strategy, name, currency, activity_basis(other)),
            "maintenance": _maintenance(bool(strategy.get("review_schedule")), exports, kind == USAGE_KIND, _rfm_of(facts)),
        }
    segments = []
    for key in (rfm["active_keys"] if rfm else keys):  # an empty segment needs no playbook
        entry, generic = playbook.playbook_for(key)
        segments.append({
            "key": key,
            "name": names.get(key) or _title(key),
            "generic": generic,
            "fields": [{"label": label, "text": entry[f], "list": []} for f, label in playbook.FIELDS if entry.get(f)],
        })
    return {"tailored": False, "segments": segments, "maintenance": _maintenance(False, exports, False, _rfm_of(facts))}


def _rfm_of(facts: dict | None) -> dict | None:
    return ((facts or {}).get("segmentations") or {}).get("rfm")


def went_quiet(key: str, seg: dict) -> bool:
    """A segment of customers who went quiet: by its key or name (at risk, dormant, lapsed), or
    by a rule that asks for a low recency score (at most 2) whatever it is called, as the
    small base's Needs Attention does ('have not bought in a while')."""
    if is_quiet(key, str(((seg.get("segments") or {}).get(key) or {}).get("name") or "")):
        return True
    rule = next((r for r in (seg.get("rules") or {}).get("segments") or [] if isinstance(r, dict) and r.get("key") == key), {})
    recency = (rule.get("when") or {}).get("r")
    return isinstance(recency, list) and len(recency) == 2 and recency[1] <= 2


def quiet_segments(seg: dict | None) -> list[str]:
    """The segments of customers who went quiet that hold anyone, in the segmentation's order."""
    segments = (seg or {}).get("segments") or {}
    return [k for k in (seg or {}).get("order") or [] if (segments.get(k) or {}).get("count") and went_quiet(k, seg)]


def stale_label_words(rfm: dict | None) -> str:
    """What an old export's labels get wrong, told with this run's own segments: 'a customer
    tagged Recent Big Spenders or Recent Buyers may have lapsed since' (a trial's Stripe run had
    no New or Loyal to name). The segments named are those with customers who have not gone quiet."""
    segments = (rfm or {}).get("segments") or {}
    quiet = set(quiet_segments(rfm))
    names = [segments[k]["name"] for k in (rfm or {}).get("order") or [] if (segments.get(k) or {}).get("count") and k not in quiet]
    return f"a customer tagged {_join(names, 'or')} may have lapsed since" if names else "a customer's segment may have changed since"


def _maintenance(own_schedule: bool, exports: dict | None, usage: bool, rfm: dict | None = None) -> list[str]:
    """Keeping segments current: the playbook's advice, without its schedule when the plan sets
    its own, and with its line on the CRM files (playbook.py points at all of exports/) told
    from the files this run filled. ``rfm``: the facts' RFM segmentation; without a segment of
    customers who went quiet that holds anyone (a tiny or new base), no advice to watch one."""
    at_risk = usage or bool(quiet_segments(rfm))
    advice = [m for m in playbook.MAINTENANCE if not (own_schedule and m in playbook.SCHEDULE)]
    return [_routine(exports, usage, at_risk) if "exports/" in m else m if at_risk or m != playbook.MANUAL_EFFORT else playbook.MANUAL_EFFORT_BEST for m in advice]


ALERT = "alert the owner when a top customer slips into a risk segment"
USAGE_ALERT = "flag an active user who goes quiet to whoever follows up (an account manager, or the team that runs re-engagement)"


# Below this share of customers in the email-tool files, email automation is a side line.
FEW_REACHED = 0.2


def _routine(exports: dict | None, usage: bool, at_risk: bool = True) -> str:
    """What to automate with the files that have anyone in them; says so when no email-tool
    file does, and when they hold few of the customers. ``usage``: the plan is on the usage
    groups, which only the generic file carries. ``at_risk``: a segment of customers who went
    quiet holds anyone, so the owner's alert has something to watch."""
    text = _automate(exports, usage, at_risk)
    market = (exports or {}).get("marketplace") or {}
    customers = (exports or {}).get("customers")
    if market.get("customers") and customers and market["customers"] * 2 >= customers:
        text += (f" Most of your customers ({market['customers']:,} of {customers:,}) bought through {_join(market['channels'])}, which owns the relationship with them:"
                 " act on their segments with its own tools (its vouchers, messages to followers, live sessions), since its terms may not let you email them.")
    reached = (exports or {}).get("reachable")
    if reached and customers and reached < FEW_REACHED * customers:  # none reached: _automate says so
        why = f" ({exports['left_out']})" if exports.get("left_out") else ""
        text += (f" The email-tool files hold only {reached:,} of the {customers:,} people the CRM files list{why}:"
                 " act on the segments mainly where they buy, and grow the list with an opt-in where you reach them yourself (your own site, a card in the parcel).")
    return text


def _and_alert(steps: str, alert: str) -> str:
    """The routine's steps, with the owner's alert last when there is one to give."""
    return f"{steps}, and {alert}" if alert else steps


def _automate(exports: dict | None, usage: bool, at_risk: bool = True) -> str:
    alert = (USAGE_ALERT if usage else ALERT) if at_risk else ""
    if not exports:
        return f"Automate the routine: tag customers in your CRM by segment{',' if alert else ' and'} {_and_alert('start an email sequence when a customer enters a segment', alert)}."
    filled = [f["name"] for f in exports["files"] if f["rows"]]
    emailed = [f for f in filled if f != GENERIC_FILE]
    usage_note = f" Each user's usage group is in the behavior column of {GENERIC_FILE}." if usage and GENERIC_FILE in filled else ""
    tools = [t for t in exports.get("tools") or [] if t["file"] in filled]
    if tools and emailed:  # the plan says which tools it uses: only their files (without emails, the advice below on ids)
        column = "behavior (the usage group)" if usage else "segment_name"
        generic = f" {GENERIC_FILE} is matched on email (rows without one are skipped); map its {column} column to an attribute." if any(t["file"] == GENERIC_FILE for t in tools) else ""
        return f"Automate the routine: import {_imports(tools)} (in exports/) to tag customers by {'their RFM segment' if usage else 'segment'}{',' if alert else ' and'} {_and_alert('start a sequence when a customer enters a segment', alert)}.{generic}"
    if emailed:
        tag = "their RFM segment" if usage else "segment"
        return f"Automate the routine: import the file for your email tool ({_join(emailed, 'or')}, in exports/) to tag customers by {tag}{',' if alert else ' and'} {_and_alert('start an email sequence when a customer enters a segment', alert)}.{usage_note}"
    if exports.get("unreachable"):  # no one to email, some by their own choice: no advice on importing for email
        return (f"Nobody in this export can be emailed ({exports['unreachable']}), so the Klaviyo, HubSpot and Mailchimp files have no one in them."
                f" Tag customers by segment in your store or CRM from {GENERIC_FILE} (its source_id column) for service, on-site offers and what goes in the parcel,"
                f" never for email or ad audiences; after each rerun (with the same segment.key) {_and_alert('tag them again', alert)}.")
    text = "This export has no usable emails, so the Klaviyo, HubSpot and Mailchimp files have no one in them."
    if GENERIC_FILE in filled:
        text += (f" Bring the segments in from {GENERIC_FILE} in exports/, which lists everyone by the id your export gave them (its source_id column):"
                 f" a CRM that stores that id as a unique property imports the file matched on source_id, with {'behavior (the usage group)' if usage else 'segment_name'} as the segment property"
                 f"{' and holdout as a checkbox property for the customers campaigns leave out' if exports.get('holdout') else ''};"
                 " an email tool that stores the number but matches on email only needs your audience exported with it, each number looked up in the file's source_id, and the result imported back as an update that sets the segment tag."
                 f"{usage_note}")
        return f"{text} After each rerun (with the same segment.key, so the file's rows stay the same customers) {_and_alert('import it again', alert)}."
    return f"{text} After each rerun (with the same segment.key, so ids stay the same) {alert}." if alert else f"{text} Rerun with the same segment.key, so ids stay the same."


def build_context(facts: dict, out_dir: str, charts: list[dict] | None, strategy: dict | None, *, inline_charts: bool, answers: dict | None = None) -> dict:
    """``answers``: the user's intake answers (answers.json), whose Warnings answer settles the
    warnings that offered an option, and whose Channel names are shown beside the channels."""
    names = channel_names(answers, facts)
    data = _data(facts, names)
    segs = facts.get("segmentations") or {}
    rfm = _rfm(segs.get("rfm"), data["currency"], facts.get("data"))
    unavailable = [{"key": k, "title": SEGMENTATION_TITLES.get(k, _title(k)), "why": why} for k, why in (facts.get("unavailable") or {}).items()]
    market = (facts.get("data") or {}).get("marketplace")
    market = {**market, "channels": [shown_channel(c, names) for c in market.get("channels") or []]} if isinstance(market, dict) else market
    exports = _exports(facts.get("exports"), strategy, market, facts["data"]["date_max"] if data_age(facts) else None,
                       (facts.get("segmentations") or {}).get("rfm"), lifecycle="lifecycle" in (facts.get("segmentations") or {}))
    plan = _strategy(strategy, rfm, facts, data["currency"], exports)
    usage = _usage(segs, plan, facts.get("data"))
    if exports and plan.get("tailored") and plan.get("segmentation") == "rfm":
        # The files were written by the run, before the plan named the segments its own way.
        exports["renamed"] = [{"computed": s["computed_name"], "shown": s["name"]} for s in plan["segments"] if s["computed_name"]]
    shown = _charts(charts, out_dir, inline_charts)
    said = answered_warnings(facts.get("warnings") or [], _confirmed(strategy), answers)
    part = part_of_base(strategy)
    part = (part or "no more than that") if part is not None else None  # the user's words, or that they said no more
    return {
        "title": "Customer segmentation report",
        "as_of": facts.get("as_of"),
        "period_days": facts.get("period_days"),
        "currency": data["currency"],
        "data": data,
        "rfm": rfm,
        # the usage groups, when the plan is written on them: shown first, RFM after as the buyers' view
        "usage": usage,
        # a customer table is one snapshot: it has no per-period spend to speak of
        "snapshot": data["kind"] == "customers",
        "rfm_missing": (facts.get("unavailable") or {}).get("rfm") or "",
        "unavailable_map": dict(facts.get("unavailable") or {}),
        "others": _others(segs, facts.get("data"), USAGE_KIND if usage else None),
        "unavailable": unavailable,
        # warnings the user answered at intake (the plan's `confirmed`) are shown with the answer, not as open
        "warnings": [for_owner(w) for w, answer in said if answer is None],
        # the data's age, once answered, is said with the answer in the summary's first point, not here again
        "answered": _by_answer([(for_owner(w), answer) for w, answer in said if answer is not None and not (data_age(facts) and ANSWERABLE["data_age"].search(w))]),
        "notes": list(facts.get("notes") or []),
        # the usage chart sits beside the usage groups' table, the others in the RFM part
        "charts": [c for c in shown if c["file"] != USAGE_CHART],
        "usage_charts": [c for c in shown if c["file"] == USAGE_CHART],
        "strategy": plan,
        "exports": exports,
        # when the user said the export is not their whole customer base (data_scope): their words
        "part_of_base": {"answer": part, "note": PART_OF_BASE_NOTE} if part is not None else None,
        "summary": _part_of_base_point(part) + _summary(facts, rfm, exports, plan, usage, _confirmed(strategy).get("data_age"), quoted=part),
    }


def _by_answer(answered: list[tuple[str, str]]) -> list[dict]:
    """The answered warnings, those one answer settles together ('Leave the unpaid orders out.
    Keep the segments as they are', of two warnings) told once with it."""
    grouped: dict[str, list[str]] = {}
    for warning, answer in answered:
        grouped.setdefault(answer, []).append(warning)
    return [{"warning": "; ".join(warnings), "answer": answer} for answer, warnings in grouped.items()]


# What a sample's figures can and cannot say, in "In short" and "The data we used" alike.
PART_OF_BASE_NOTE = "Counts, revenue and per-customer values are this export's, not the business's; shares and rates hold only if the export is a fair sample of whole customers (a sample of rows lowers every customer's orders and spend)."


def _part_of_base_point(answer: str | None) -> list[dict]:
    """First in "In short": every count and amount after it is the export's, not the business's."""
    if answer is None:
        return []
    return [{"lead": "Not the whole base", "text": f'you said "{answer}". {PART_OF_BASE_NOTE}'}]


def _others(segs: dict, data: dict | None, shown_first: str | None) -> list[dict]:
    """The segmentations besides RFM (and besides the one the report leads with)."""
    keys = [k for k in OTHER_ORDER if segs.get(k)] + [k for k, v in segs.items() if k != "rfm" and k not in OTHER_ORDER and v]
    return [_other(k, segs[k], data) for k in keys if k != shown_first]


def _summary(facts: dict, rfm: dict | None, exports: dict | None, plan: dict, usage: dict | None, age_answer: Any = None, quoted: str | None = None) -> list[dict]:
    """The report's opening points: who brings the revenue, the largest group, the move most
    worth making, whether the segments held up, who email reaches and where the plan is.
    A plan on the usage groups opens with them and then gives the buyers' (RFM) view.
    Each is a sentence of facts (formatted as the tables show them); ``lead`` is set in bold.
    ``quoted``: the user's answer the point before these already quotes (one Data answer often
    says both whether the export is the whole base and whether there is a newer one)."""
    currency = (facts.get("data") or {}).get("currency")
    points = _data_age_point(facts, age_answer, quoted)
    points += _usage_points(usage) + (_buyers_point(facts, rfm) if usage else [])
    points += _rfm_points(rfm, currency, _named_sales_only(facts), value_tier_names(facts), facts.get("period_days"))
    if not usage:
        points += _never_bought_point(facts, rfm)
    points += _opportunity_point(rfm, currency) + _validation_point(rfm)
    points += _too_early_point(facts) + _outstanding_point(facts) + _undone_point(facts)
    missing = facts.get("unavailable") or {}
    if rfm and missing.get("migration"):  # the one place up front that says what short data cannot show
        points.append({"lead": "Not measured", "text": f"moves between segments, their sizes and the next-period check: {missing['migration']}."})
    points += _email_point(facts.get("exports") or {}, exports)
    if rfm or usage:
        points.append({"lead": "Plan", "text": _plan_words(plan, usage)})
    return points


def value_tier_names(facts: dict) -> dict[str, str] | None:
    """The value tiers' keys -> names, best first; None without value tiers."""
    value = (facts.get("segmentations") or {}).get("value") or {}
    segs = value.get("segments") or {}
    return {k: (segs.get(k) or {}).get("name") or _title(k) for k in value.get("order") or segs} or None


def data_age(facts: dict) -> int | None:
    """Days from the data's last date to today, when over a period: a report or brief is read
    today, so its age is taken now, not when the run wrote facts.json (build's warning did that)."""
    last = (facts.get("data") or {}).get("date_max")
    if not last:
        return None
    age = build.today() - int(to_days(np.datetime64(last, "D")))
    return age if age > (facts.get("period_days") or DEFAULT_PERIOD_DAYS) else None


def after_as_of_text(data: dict) -> str | None:
    """The purchases after an as-of date earlier than the data's end, which no figure counts:
    "1,959 orders after it, up to 1998-06-30 (70,976.39 of revenue)"."""
    after = data.get("after_as_of")
    if not after:
        return None
    parts = [f"{fmt_money(after['revenue'], data.get('currency'))} of revenue"] if after.get("revenue") is not None else []
    if after.get("new_customers"):
        parts.append(f"the first purchases of {fmt_count(after['new_customers'])} customers, who are in no segment")
    orders = f"{fmt_count(after['orders'])} {'order' if after['orders'] == 1 else 'orders'} after it, up to {fmt_date(after['date_max'])}"
    return orders + (f" ({'; '.join(parts)})" if parts else "")


def _data_age_point(facts: dict, answer: Any = None, quoted: str | None = None) -> list[dict]:
    """Old data, first: every point after it describes customers as they were when it ended
    (a trial's plan read as today's on data that ended in 1998). An as-of date before the data's
    end says so, and what was left out after it (a trial's report said the data ended in 1998
    above figures that stopped in 1997)."""
    data = facts.get("data") or {}
    after = after_as_of_text(data)
    points = []
    if data_age(facts):
        ends = f"the figures stop at the as-of date, {fmt_date(data['date_max'])}" if after else f"the data ends on {fmt_date(data['date_max'])}"
        then = f"{ends}, so every figure below shows customers as they were then: who is recent, at risk or lapsed has moved on since."
        told = " Export the data again for today's picture."
        if isinstance(answer, str) and answer.strip():
            told = " Asked at intake, you answered it in the words quoted above." if answer.strip() == (quoted or "").strip() else f" Asked at intake, you said: {answer.strip()}"
        points.append({"lead": "Old data", "text": then + told})
    if after:
        points.append({"lead": "After the as-of date", "text": f"the segments and every figure below count purchases up to {fmt_date(facts.get('as_of'))}; the {after} are left out, the next-period check included."})
    return points


def _outstanding_point(facts: dict) -> list[dict]:
    """Failed or unfinished payments not paid later: money a reminder could still bring in."""
    data = facts.get("data") or {}
    fp = data.get("failed_payments") or {}
    if not fp.get("outstanding"):
        return []
    n, people = fp["outstanding"], fp.get("outstanding_customers") or 0
    worth = f" ({fmt_money(fp['outstanding_value'], data.get('currency'))})" if _number(fp.get("outstanding_value")) is not None else ""
    tests = tests_owed_text(data.get("test_charges"), data.get("currency"))  # what these totals leave out, said beside them
    if unreachable_owers(facts):
        return [{"lead": "Payments outstanding", "text": (
            f"{fmt_count(n)} {'payment' if n == 1 else 'payments'}{worth} from {fmt_count(people)} customer {'id' if people == 1 else 'ids'} {'were never completed' if set(fp.get('reasons') or []) <= {'incomplete', 'cancelled'} else 'failed or were never completed'}, and none of them paid in the export; "
            "none left an email, so no reminder can reach them (and one person who tried twice shows as two ids): look at where sign-ups stop at payment instead." + (f" {tests}" if tests else ""))}]
    return [{"lead": "Payments outstanding", "text": (
        f"{fmt_count(n)} {'payment' if n == 1 else 'payments'}{worth} from {fmt_count(people)} {'customer' if people == 1 else 'customers'} failed or were never completed and were not paid later; "
        "customers.csv and segments_generic.csv mark who owes (outstanding_value; outstanding_since: the last attempt), as do klaviyo.csv (Outstanding Payment), hubspot.csv (outstanding_payment) and mailchimp.csv (the tag Payment outstanding), so a reminder reaches them, not their whole segment."
        + (f" {tests}" if tests else ""))}]


UNDONE_REASONS = ("cancelled", "refunded", "voided")  # orders placed and then taken back
UNDONE_SHARE = 0.10  # a tenth of orders undone is a fact about the business, not only a row count


def _undone_point(facts: dict) -> list[dict]:
    """Orders cancelled, fully refunded or voided, when they are a tenth of the orders or more: a
    shop losing that many orders wants to know it before planning (a dress label's 8 of 60 sat only
    in the dropped-rows table). A payments export's cancelled attempts are unfinished checkouts, told apart."""
    data = facts.get("data") or {}
    if data.get("source") == "stripe_payments" or data.get("kind") == "events":
        return []
    undone = {k: int(n) for k, n in (data.get("dropped_orders") or {}).items() if k in UNDONE_REASONS and n}
    total = sum(undone.values()) + int(data.get("orders") or 0)
    if not undone or sum(undone.values()) < UNDONE_SHARE * total:
        return []
    gross = data.get("dropped_gross") or {}
    collected = data.get("dropped_collected") or {}
    words = {"cancelled": "cancelled", "refunded": "fully refunded", "voided": "voided"}

    def worth(k: str) -> str:
        """The orders' total as placed, and where the export says what each still owes, the money
        they actually collected (a cancelled order's total was mostly never paid)."""
        if not _number(gross.get(k)):
            return ""
        got = _number(collected.get(k))
        return f" ({fmt_money(gross[k], data.get('currency'))} ordered" + (f", {fmt_money(got, data.get('currency'))} of it collected" if got is not None else "") + ")"

    # each figure as facts.json holds it (the report adds up nothing of its own)
    parts = [f"{fmt_count(n)} {'were ' if i == 0 else ''}{words[k]}{worth(k)}" for i, (k, n) in enumerate(undone.items())]
    return [{"lead": "Orders taken back", "text": (
        f"of the orders, {_join(parts)}, beside the {fmt_count(data.get('orders'))} kept; "
        "they are in no segment's figures (The data we used lists them by reason). Worth a look at why before planning.")}]


def _too_early_point(facts: dict) -> list[dict]:
    """Data shorter than the lapsed threshold: the segments of customers who went quiet are
    empty because nobody could have been quiet that long yet, which is not 'nobody stopped'."""
    data = facts.get("data") or {}
    days = data.get("days_covered")
    segs = facts.get("segmentations") or {}
    life = segs.get("lifecycle")
    if life is None:  # no lifecycle (data under a month): the lapse it would have used
        lapse_days = LAPSED_FROM["activity" if data.get("kind") == "events" else "purchase"]
    else:
        lapse = re.search(r"(\d+)\+ days", str((life.get("definition") or {}).get("lapsed") or ""))
        lapse_days = int(lapse.group(1)) if lapse else None
    if not isinstance(days, int) or lapse_days is None or days >= lapse_days:
        return []
    rfm = segs.get("rfm") or {}
    merged = {m.get("from") for m in rfm.get("merged") or [] if isinstance(m, dict)}
    quiet = [s.get("name") or k for k, s in (rfm.get("segments") or {}).items()
             if not s.get("count") and k not in merged and is_quiet(k, s.get("name", ""))]
    if life is not None and not (life.get("segments") or {}).get("lapsed", {}).get("count"):
        quiet.append("the Lapsed lifecycle stage")
    if not quiet:
        return []
    names = ", ".join(quiet[:-1]) + (" and " if len(quiet) > 1 else "") + quiet[-1]
    return [{"lead": "Too early to see who stopped", "text": (
        f"the data covers {fmt_days(days)}, so nobody in it has gone long without {'activity' if data.get('kind') == 'events' else 'buying'}: "
        f"{names} {'is' if len(quiet) == 1 else 'are'} empty because the export is short, not because every customer stayed. A longer export shows who stopped.")}]


def _users(n: Any) -> str:
    return f"{fmt_count(n)} {'user' if n == 1 else 'users'}"


def _activity_words(row: dict) -> str:
    """'active on 5.8 days of the last 30 on average; last active a median 3 days ago'."""
    parts = []
    if row.get("active_days_30") == 0:
        parts.append("none of them active in the last 30 days")
    elif row.get("active_days_30") is not None:
        parts.append(f"active on {fmt_days(row['active_days_30'])} of the last 30 on average")
    since = row.get("days_since_active")
    if since == 0:
        parts.append("at least half of them on the last day of the data")
    elif since is not None:
        parts.append(f"last active a median {fmt_days(since)} ago")
    return "; ".join(parts)


def _usage_points(usage: dict | None) -> list[dict]:
    """The most active usage group with anyone in it, and the largest one."""
    active = [r for r in (usage or {}).get("segments") or [] if r.get("count")]
    if not active:
        return []
    top, largest = active[0], max(active, key=lambda r: r["count"])
    points = [{"lead": top["name"], "text": f"{_users(top['count'])} ({fmt_pct(top['pct_customers'])} of all) were {_activity_words(top)}."}]
    if largest is not top:
        points.append({"lead": largest["name"], "text": f"is the largest usage group: {_users(largest['count'])} ({fmt_pct(largest['pct_customers'])} of all), {_activity_words(largest)}."})
    return points


def _buyers_point(facts: dict, rfm: dict | None) -> list[dict]:
    """After the usage groups: who the RFM segments that follow are about."""
    if not rfm:
        return []
    bought = buyers(facts)
    if not bought["never_bought"]:
        return [{"lead": "Buyers", "text": "the RFM segments, after the usage groups, rank the same people by their purchases."}]
    everyone = (facts.get("data") or {}).get("customers")
    return [{"lead": "Buyers", "text": f"{fmt_count(bought['buyers'])} of the {_users(everyone)} bought. The RFM segments, after the usage groups, rank them by their purchases; the {fmt_count(bought['never_bought'])} who never bought are in none of them."}]


def _named_sales_only(facts: dict) -> bool:
    """Whether guest orders hold a good part of the sales, so the segments' revenue shares
    must say they are of the orders that name a customer (a trial's 'brings 51% of revenue'
    was 12% of the sales)."""
    d = facts.get("data") or {}
    share = unattributed_share(d.get("dropped_value"), d.get("revenue_total"))
    return share is not None and share >= UNATTRIBUTED_WARN


def _rfm_points(rfm: dict | None, currency: str | None, named_only: bool = False, tiers: dict[str, str] | None = None, period_days: int | None = None) -> list[dict]:
    """The best RFM segment, the largest, and the one that brings the most revenue
    (``named_only``: :func:`_named_sales_only`; ``tiers``: the value tiers' names, best first;
    ``period_days``: the period whose spend says whether they still buy)."""
    revenue = "of the revenue from orders that name a customer" if named_only else "of revenue"
    active = [r for r in (rfm or {}).get("segments") or [] if r.get("count")]
    if not active:
        return []
    of = rfm.get("base") or base(None, None)
    # a share of the buyers says so (an event log's users who never bought are in no RFM segment)
    of_short = f" {of['short']}" if of["partial"] else ""
    best = active[0]
    money = best["revenue_share"] is not None  # an event log without amounts has no revenue to speak of
    points = [{"lead": best["name"], "text": f"{customers_words(best['count'])} ({fmt_pct(best['pct_customers'])} {of['long'] if of['partial'] else of['short']})" + (f" {'brings' if best['count'] == 1 else 'bring'} {fmt_pct(best['revenue_share'])} {revenue}, {fmt_money(best['avg_value'], currency)} each over all the data." if money else ".")}]
    largest = max(active, key=lambda r: r["count"])
    if largest is not best:
        # a segment that bought nothing in the period holds revenue of the past: said so, not read as today's
        past = f" over the data, none of it in the last {fmt_count(period_days)} days" if _bought_nothing(largest, period_days) else ""
        # its share of the last year's revenue beside it: a fashion brand's Dormant held 79.8% of all revenue and 42.7% of the last 365 days'
        window = rfm.get("recent") or {}
        recent = f" ({fmt_pct(largest['recent_revenue_share'])} of the last {fmt_count(window['window_days'])} days' revenue)" if window and not window.get("whole_span") and largest.get("recent_revenue_share") is not None else ""
        points.append({"lead": largest["name"], "text": f"is the largest segment: {customers_words(largest['count'])} ({fmt_pct(largest['pct_customers'])}{of_short})" + (f" with {fmt_pct(largest['revenue_share'])} {revenue}{past}{recent}." if money else ".") + _inside(largest, tiers)})
    earning = max(active, key=lambda r: r["revenue_share"] if r["revenue_share"] is not None else -1.0)
    if earning is not best and earning is not largest and earning["revenue_share"] is not None:
        if _bought_nothing(earning, period_days):  # lifetime revenue of people who stopped: not today's
            points.append({"lead": earning["name"], "text": f"brought the most revenue over the data: {fmt_pct(earning['revenue_share'])}{' ' + revenue if named_only else ''}, from {customers_words(earning['count'])} ({fmt_pct(earning['pct_customers'])}{of_short}), though none of them bought in the last {fmt_count(period_days)} days."})
        else:
            points.append({"lead": earning["name"], "text": f"brings the most revenue: {fmt_pct(earning['revenue_share'])}{' ' + revenue if named_only else ''}, from {customers_words(earning['count'])} ({fmt_pct(earning['pct_customers'])}{of_short})."})
    return points


def _bought_nothing(row: dict, period_days: int | None) -> bool:
    """Whether a segment's customers spent nothing in the last period: its revenue share is then of the past."""
    return bool(period_days) and row.get("spend_last_period_per_customer") == 0


DOMINANT_SHARE = 0.5  # a segment holding this share of customers is too broad to act on as one
LAST_PURCHASE_WORDS = {"within_90_days": "in the last 90 days", "days_91_to_180": "between 91 and 180 days ago", "days_181_to_364": "between 181 and 364 days ago", "days_365_to_729": "one to two years ago", "days_730_or_more": "two years ago or more"}


def _inside(row: dict, tiers: dict[str, str] | None) -> str:
    """Who is inside a segment holding most customers: when they last bought, and how many are
    the top value tier, so a plan can pick a part of it (a trial's Dormant held 89.5%)."""
    bands = row.get("last_purchase_days") or {}
    if (row.get("pct_customers") or 0) < DOMINANT_SHARE or not bands:
        return ""
    held = [(k, n) for k, n in bands.items() if n]
    # all of them in one band splits nothing (a trial's 22-day export: "69 in the last 90 days")
    when = f"by when they last bought: {', '.join(f'{fmt_count(n)} {LAST_PURCHASE_WORDS.get(k, k)}' for k, n in held)}" if len(held) > 1 else ""
    top = next(iter(tiers or {}), None)
    value = row.get("value_tiers") or {}
    spend = f"{fmt_count(value[top])} of them are {tiers[top]}, a part the CRM files pick out by their value tier" if top and value.get(top) else ""
    parts = "; ".join(p for p in (when, spend) if p)
    return f" Inside it, {parts}." if parts else ""


def _never_bought_point(facts: dict, rfm: dict | None) -> list[dict]:
    bought = buyers(facts)
    if not (rfm and bought["never_bought"]):
        return []
    everyone = [SEGMENTATION_TITLES.get(k, _title(k)).lower() for k in OTHER_ORDER if ((facts.get("segmentations") or {}).get(k) or {}).get("customers") == (facts.get("data") or {}).get("customers")]
    rest = f"; the {_join(everyone)} below count them" if everyone else ""
    return [{"lead": "Never bought", "text": f"{fmt_count(bought['never_bought'])} of the {fmt_count((facts.get('data') or {}).get('customers'))} customers in the data have no purchase, so they are in no RFM segment{rest}."}]


def _opportunity_point(rfm: dict | None, currency: str | None) -> list[dict]:
    """The move most worth making, by the measured figures. Its amounts value a move at what a
    customer spends in the period that earned the better segment; when customers in it spent
    less than that in the period after, that soberer figure leads and the amounts stay under
    Sized opportunities (a trial's In short told '202,924.64 USD a period' for a further tenth
    of Dormant, valued at 330.55 USD a customer where the period after measured 69.03 USD,
    beside a budget of 4,000 USD a month). The further tenth is a what-if: it stays there too."""
    top = ((rfm or {}).get("opportunities") or [None])[0]
    if not (top and top.get("expected_revenue") is not None):
        return []
    moves = f"from {top['from_name']} to {top['to_name']}. At last period's rate {customers_words(top['expected_customers'])} make it"
    return [{"lead": "Largest sized move", "text": moves + _after_move(top, currency)}]


def _after_move(move: dict, currency: str | None) -> str:
    """What the move is worth, measured: in the period after, when that is less than the spend
    that earned the better segment (the amounts under Sized opportunities, which then overstate
    it); else the period's amount, with the period after beside it when known."""
    later, gap = move.get("next_gap_per_customer"), move.get("revenue_gap_per_customer")
    to, since = move["to_name"], move["from_name"]
    if move.get("by_movers"):  # valued at what those who made the move spent: measured, not the segment's
        after = f" In the period after, customers in {to} spent {fmt_money(later, currency)} more each than those in {since}." if later is not None else ""
        return (f", worth {fmt_money(move['expected_revenue'], currency)} a period, valued at the {fmt_money(gap, currency)} more each that the {fmt_count(move['moved'])} who made the move "
                f"last period spent than those who stayed.{after}{_above_words(move)}")
    if later is None or gap is None or later >= gap:
        after = f" In the period after, customers in {to} spent {fmt_money(later, currency)} more each than those in {since}." if later is not None else ""
        return f", worth {fmt_money(move['expected_revenue'], currency)} a period.{after}{_above_words(move)}"
    kept = f"spent {fmt_money(later, currency)} more each than those in {since}" if later > 0 else f"spent no more than those in {since}"
    return (f" in a period. In the period after, customers in {to} {kept}, the soberer guide to what a moved customer is worth."
            f" The amounts under Sized opportunities value a move at {fmt_money(gap, currency)}, what a customer in {to} spends in the period that puts them there, so they overstate it.")


def _above_words(move: dict) -> str:
    return " That is more than all customers spent in the period: a what-if beyond the period's whole sales." if move.get("above_period_revenue") else ""


def _validation_point(rfm: dict | None) -> list[dict]:
    """The next-period check: how much more often the top segment bought again (or, when it
    held too few customers to tell, the best-ranked segment that held enough) and every break
    in the ordering."""
    val = (rfm or {}).get("validation")
    if not (val and val["lift_words"]):
        return []
    text = f"scored at {fmt_date(val['cutoff'])}, {val['lift_words']} in the next {fmt_days(val['window_days'])}."
    if val.get("monotone"):
        text += " Each segment bought again at least as often as the next one down."
    elif val["in_order_within_chance"]:
        text += f" In order, within chance: {'; '.join(u['words'] for u in val['upsets'])}; so no finding."
    elif val["upsets"]:
        text += f" Not all in order: {'; '.join(u['words'] for u in val['real_upsets'])}."
        if val["chance_upsets"]:
            text += f" Within chance, so no finding: {'; '.join(u['words'] for u in val['chance_upsets'])}."
    return [{"lead": "Checked against what happened next", "text": text}]


def _lift_words(val: dict) -> str:
    """The top segment's lift, or what stands in for it when the top held too few customers:
    the best-ranked segment that held enough, told by its rate against everyone's (facts hold
    the top segment's lift only), or that none did."""
    if val["top_measured"]:
        top = val["rows"][0]["customers"]
        return f"{val['top_segment']} ({fmt_count(top)} {'customer' if top == 1 else 'customers'} then) bought again {fmt_dec(val['top_lift'])} times as often as the average customer"
    few = f"{val['too_few_words']} were too few then to measure"
    stand_in = val["measured"]
    if not stand_in:
        return few
    rate = fmt_pct(stand_in["repeat_rate"])
    base_rate = fmt_pct(val["base_repeat_rate"])
    return f"{few}; the best-ranked segment with enough, {stand_in['name']} ({customers_words(stand_in['customers'])} then), bought again {rate} of the time against {base_rate} for all customers"


def _email_point(block: dict, exports: dict | None) -> list[dict]:
    if not (exports and block.get("reachable") is not None and block.get("customers")):
        return []
    if not exports["emailed"] and _opted_out(block):
        text = f"nobody can be emailed: {_unreachable_words(block)}, so the email-tool files hold no one. segments_generic.csv lists everyone, with their consent."
    elif not exports["emailed"]:
        text = "no customer has a usable email in this export: segments_generic.csv lists everyone by the id your export gave them."
    elif block["reachable"] < block["customers"]:
        listed = block.get("reachable_by_segment") or {}
        apart = [who for key, who in _APART if key in listed]
        people = f"people in segments_generic.csv (customers, {'and ' * (len(apart) == 1)}{_join(apart)})" if apart else "customers"
        no_email, opted_out, channel_only = (sum((block.get(k) or {}).values()) for k in ("left_out_no_email", "left_out_no_consent", "left_out_channel"))
        why = [f"{fmt_count(no_email)} have no usable email"] * bool(no_email) + [f"{fmt_count(opted_out)} opted out of marketing"] * bool(opted_out) + [f"{fmt_count(channel_only)} bought only through a channel you left out"] * bool(channel_only)
        text = f"{_reach_words(exports, block)} {fmt_count(block['reachable'])} of {fmt_count(block['customers'])} {people}{_buyers_reached(block)}" + (f"; of the others, {_join(why)}." if why else ".")
    else:
        return []
    return [{"lead": "Email", "text": text}]


def _buyers_reached(block: dict) -> str:
    """': 201 of the 284 customers who bought' when the files also list contacts who never
    bought: a trial read 1,067 of 1,511 reached where 866 of them had never bought."""
    keys = [key for key, _ in _APART]
    listed = block.get("reachable_by_segment") or {}
    if not any(k in listed for k in keys):
        return ""
    def total(key: str) -> int:
        return sum(int((block.get(part) or {}).get(key) or 0) for part in ("reachable_by_segment", "left_out_no_email", "left_out_no_consent", "left_out_channel"))
    buyers = block["customers"] - sum(total(k) for k in keys)
    reached = block.get("reachable_customers")
    return f": {fmt_count(reached)} of the {fmt_count(buyers)} customers who bought" if buyers > 0 and reached is not None else ""


# The CRM files' own groups besides the customers, as the Email point names them.
_APART = ((PROSPECT_KEY, "contacts who never bought"), (NO_KEPT_ORDER_KEY, "contacts whose orders were not kept"), (NEVER_PAID_KEY, "people with failed payments only"),
          (EXCLUDED_CHANNEL_ONLY_KEY, "contacts who bought only through a channel you left out"))


def _reach_words(exports: dict, block: dict) -> str:
    """Who is counted as reached, told for the plan's tools: their own files, or for a tool
    that imports the generic file, its rows the email-tool files would list."""
    tools = exports.get("tools") or []
    if not tools:
        return "the Klaviyo, HubSpot and Mailchimp files reach"
    consent = "marketing_consent" in ((block.get("columns") or {}).get(GENERIC_FILE) or []) and not block.get("include_unconsented")
    # who bought only through a channel left out has marketing_consent = excluded_channel: not reached
    apart = bool(sum((block.get("left_out_channel") or {}).values()))
    rows = f"the rows of {GENERIC_FILE} with an email" + (
        (" and marketing_consent yes or unknown" if apart else " and marketing_consent other than no") if consent else f" and marketing_consent other than {EXCLUDED_CHANNEL_CONSENT}" if apart else "")
    parts = [f"the {t['name']} file" if t["file"] != GENERIC_FILE else f"{t['name']} ({rows})" for t in tools]
    return f"{_join(parts)} {'reaches' if len(parts) == 1 else 'reach'}"


PLAN_FIRST_ACTIONS = 3  # the first roadmap phase's actions In short names; the rest are under the roadmap
HUNCH_VERDICTS = typing.get_args(Verdict)  # the plan's verdicts, in the order In short counts them
PLURAL_VERDICTS = {"holds": "hold", "partly holds": "partly hold", "does not hold": "do not hold"}  # '2 hold'


def _plan_words(plan: dict, usage: dict | None) -> str:
    """Where the plan is and what it says first: whom it puts first, how it starts and what
    became of the user's hunches (a trial's reader met the plan only after 500 lines of figures)."""
    if not plan.get("tailored"):
        return "no tailored plan yet: the default playbook under Strategy per segment is a starting point, not advice for this data."
    written = ", written for the usage groups" if usage else ""
    parts = []
    first = list(dict.fromkeys(c["segment"] for c in plan["plan"]["targeting"] if c["priority"].strip().lower() == "high"))
    every = [s["name"] for s in plan["segments"]]
    phase = next(iter(plan["plan"]["roadmap"]), None)
    if first and len(every) > 1 and set(every) <= set(first):
        # a trial's 'puts Regulars, First-timers, Still Warm and Gone Quiet first': every segment
        parts.append("it ranks every segment high priority in the targeting matrix" + (", so where it starts is the roadmap's first phase" if phase and phase["phase"] else ""))
    elif first:
        parts.append(f"it puts {_join(first)} first (high priority in the targeting matrix)")
    if phase and phase["phase"]:
        weeks = _number(phase["weeks"])
        span = f" ({fmt_count(weeks)} {'week' if weeks == 1 else 'weeks'})" if weeks else ""
        steps = [a.rstrip(". ") for a in phase["actions"][:PLAN_FIRST_ACTIONS]]
        more = f" and {len(phase['actions']) - len(steps)} more" if len(phase["actions"]) > len(steps) else ""
        parts.append(f"it starts with {phase['phase']}{span}" + (f": {'; '.join(steps)}{more}" if steps else ""))
    verdicts = Counter(h["verdict"] for h in plan["plan"]["hypotheses"] if h["verdict"])
    if verdicts:
        told = [f"{n} {PLURAL_VERDICTS.get(verdict, verdict) if n > 1 else verdict}" for verdict, n in sorted(verdicts.items(), key=lambda kv: HUNCH_VERDICTS.index(kv[0]) if kv[0] in HUNCH_VERDICTS else len(HUNCH_VERDICTS))]
        parts.append(f"of your {fmt_count(sum(verdicts.values()))} {'hunch' if sum(verdicts.values()) == 1 else 'hunches'}, {_join(told)} (under Your hunches, checked)")
    said = f". {'. '.join(p[0].upper() + p[1:] for p in parts)}" if parts else ""
    return f"the tailored plan is under Strategy per segment{written}{said}."


def _join(words: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or 'a, b or c')."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


_OPTION_ASIDE = re.compile(r"\s*\([^()]*--[a-z][^()]*\)")
_OPTION_CLAUSE = re.compile(r";[^;]*--[a-z][^;]*$")
# '(data.installments counts them)': where facts.json keeps a figure, for the model, not the owner
_FIELD_ASIDE = re.compile(r"\s*\([^()]*\b(?:data|segmentations|exports)\.[a-z_]+[^()]*\)")


def for_owner(warning: str) -> str:
    """A run warning without its command-line advice (a bracketed aside or a last clause after
    ';' naming an option) or an aside naming a facts.json field: the report's reader does not
    type commands or read facts.json, and the skill offers those choices in words."""
    return _OPTION_CLAUSE.sub("", _FIELD_ASIDE.sub("", _OPTION_ASIDE.sub("", warning)))


def _exports(block: dict | None, strategy: dict | None = None, marketplace: dict | None = None, old_since: str | None = None, rfm: dict | None = None, lifecycle: bool = True) -> dict | None:
    """The CRM files run wrote: each file's customers and what the exporter noted (left out,
    consent), and the tools the plan's rules run in with the file each imports (``tools``,
    empty without a plan that names one). ``marketplace``: data.marketplace, whose buyers
    are reached through the marketplace. ``old_since``: the data's last date when it is older
    than a period, so the files' labels are of then, not of the day they are imported.
    ``rfm``: the facts' RFM segmentation, whose segments the files' labels name; ``lifecycle``:
    whether the files carry lifecycle stages (data too short for them has none)."""
    if not block or not block.get("files"):
        return None
    rows = block.get("rows_written") or {}
    emailed = any(rows.get(f) for f in block["files"] if f != GENERIC_FILE)
    tools = [{"name": n, "file": f} for n, f in importing_tools(strategy) if f in block["files"]]
    notes = _notes_for_imported_files(block.get("notes") or [], block["files"], {t["file"] for t in tools})
    if _confirmed(strategy).get("consent_unknown"):
        notes = [n.replace("; check before emailing them", "; you answered this at intake (Warnings and notes)") for n in notes]
    # a tool whose file lists nobody (no emails in the export) is reached through the generic file's ids
    filled = [t for t in tools if rows.get(t["file"])]
    unreached = [t["name"] for t in tools if not rows.get(t["file"]) and t["file"] != GENERIC_FILE]
    return {"files": [{"name": f, "rows": rows.get(f)} for f in block["files"]], "emailed": emailed, "notes": notes, "renamed": [], "tools": tools,
            "imports": _imports(filled) if filled else "", "by_source_id": _by_source_id(unreached, _plan_column(strategy), _marks_holdout(block)) if unreached and rows.get(GENERIC_FILE) else "",
            "reachable": block.get("reachable"), "customers": block.get("customers"), "left_out": _left_out_words(block), "marketplace": marketplace,
            "unreachable": _unreachable_words(block) if not emailed and _opted_out(block) else "", "old": _old_labels(old_since, rfm, lifecycle) if emailed and old_since else "",
            "holdout": _holdout_files(block, rfm)}


def _holdout_files(block: dict, rfm: dict | None = None) -> dict | None:
    """Who the files mark as held out (compute/holdout.py), how many of them the email-tool
    files list, and what to do with them; none when the files mark nobody."""
    if not block.get("held_out"):
        return None
    emailed = any((block.get("rows_written") or {}).get(f) for f in block["files"] if f != GENERIC_FILE)
    by_segment = block.get("held_out_by_segment") or {}
    shares = block.get("held_out_share_by_segment") or {}
    # what chance gave, per segment: it strays from the target in a small segment (a trial's 1 of
    # 30 best clients, an audit's 7 of 35 Champions, 20%)
    names = {k: (v or {}).get("name") or k for k, v in ((rfm or {}).get("segments") or {}).items()}
    each = [f"{names.get(key, key)} {fmt_count(n)}" + (f" ({fmt_pct(shares[key])})" if _number(shares.get(key)) is not None else "") for key, n in by_segment.items()]
    overall = f" ({fmt_pct(block['held_out_share'])} of the customers in segments)" if _number(block.get("held_out_share")) is not None else ""
    return (
        f"{fmt_count(block['held_out'])} customers{overall} are marked Holdout in every file "
        "(Klaviyo's Holdout and HubSpot's holdout columns say true, Mailchimp tags them Holdout, segments_generic.csv's holdout column says true)"
        + (f"; {fmt_count(block.get('held_out_reachable') or 0)} of them are in the email-tool files" if emailed else "")
        + f". They were chosen at random from their pseudonymous ids, aiming at {_target_words(block.get('holdout_share'))} in each segment (the target, not the count)"
        + (f"; chance gives each segment a little more or less than that, a small one the most: {_join(each)}" if each else "")
        + (". " + _holdout_use(block["held_out"]))
    )


def _target_words(share: Any) -> str:
    """The holdout's target share in words ('one in ten'), as a target, never as what was held out."""
    value = _number(share)
    words = {2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 20: "twenty"}
    if value and abs(1 / value - round(1 / value)) < 1e-9 and round(1 / value) in words:
        return f"one in {words[round(1 / value)]}"
    return fmt_pct(value) if value is not None else "a fixed share"


def _marks_holdout(block: dict | None) -> bool:
    """Whether the generic file has a holdout column for an import to map."""
    return "holdout" in (((block or {}).get("columns") or {}).get(GENERIC_FILE) or [])


def _holdout_use(held_out: int) -> str:
    """What the holdout is for: the yardstick of what campaigns add, when enough are held out
    for the next-period check to tell their rate from the rest's (its own rule, _holdout_check);
    with fewer, a promise of that comparison is empty (a Stripe trial held out 8 of 100)."""
    if held_out < MIN_CUSTOMERS_FOR_LIFT:
        return (f"With {fmt_count(held_out)} held out, the next-period check's comparison of their repeat rate with everyone else's is too small to tell a campaign's effect from chance. "
                "The holdout is worth keeping only as your customer list grows (rerun with --key segment.key and the same customers stay held out); "
                "until then you may choose to contact them like everyone else.")
    return ("Leave them out of every campaign: what they buy without one is the yardstick for what the campaigns add. Rerun on next month's export with "
            "--key segment.key and the same customers stay held out; the next-period check then compares their repeat rate with everyone else's.")


def _old_labels(since: str, rfm: dict | None, lifecycle: bool = True) -> str:
    labels = "segments, lifecycle stages, tags" if lifecycle else "segments, tags"
    return (f"Their labels ({labels}) describe customers as they were on {fmt_date(since)}, when the data ends, not as they are today: "
            f"rerun on a fresh export before importing them, or {stale_label_words(rfm)}.")


def _opted_out(block: dict | None) -> int:
    """How many people the email-tool files left out because they opted out of marketing."""
    return sum(((block or {}).get("left_out_no_consent") or {}).values())


def _unreachable_words(block: dict) -> str:
    """Why nobody is in the email-tool files, when some opted out: '3 opted out of marketing'
    or '2 opted out of marketing and 1 has no usable email'."""
    no_email = sum((block.get("left_out_no_email") or {}).values())
    words = [f"{fmt_count(_opted_out(block))} opted out of marketing"]
    if no_email:
        words.append(f"{fmt_count(no_email)} {'has' if no_email == 1 else 'have'} no usable email")
    return " and ".join(words)


def _left_out_words(block: dict) -> str:
    """Why customers are not in the email-tool files, counted: '50 opted out', '3 have no email'."""
    parts = []
    for key, words in (("left_out_no_consent", "opted out"), ("left_out_no_email", "have no email"), ("left_out_channel", "bought only through a channel you left out")):
        n = sum((block.get(key) or {}).values())
        if n:
            parts.append(f"{n:,} {words}")
    return _join(parts) if parts else ""


# How each tool's import sets a segment: the same words as the routine's advice on ids
_SEGMENT_FIELD = {"Klaviyo": "the Segment property", "Mailchimp": "the segment tag"}


def _plan_column(strategy: dict | None) -> str:
    """The generic file's column that holds the plan's segments: a usage plan's is behavior."""
    return "behavior" if isinstance(strategy, dict) and strategy.get("segmentation") == USAGE_KIND else "segment_name"


def _by_source_id(tools: list[str], column: str = "segment_name", holdout: bool = False) -> str:
    """How to label people in a tool whose import file is empty because the export held no
    emails: HubSpot matches an import on a unique property (the id, stored once), the email
    tools on email only (the audience exported with the id, looked up, imported back).
    ``holdout``: the generic file marks a holdout, which HubSpot's rules need to leave out."""
    parts = []
    if "HubSpot" in tools:
        held = ", and holdout to a holdout property (a single checkbox) for the customers campaigns leave out" if holdout else ""
        parts.append(f"HubSpot can match an import on a unique property: store the id your store or billing system gave each person in one, then import {GENERIC_FILE} matched on its source_id column, mapping {column} to {'a behavior property (customer_segment holds the RFM segment)' if column == 'behavior' else 'customer_segment'}{held}")
    by_email = [t for t in tools if t != "HubSpot"]
    if by_email:
        fields = _join(sorted({_SEGMENT_FIELD.get(t, "the segment field") for t in by_email}), "or")
        parts.append(f"{_join(by_email)} {'matches' if len(by_email) == 1 else 'match'} contacts on email, which this export does not hold:"
                     f" export your audience there with the id your store or billing system gave each person, look each id up in {GENERIC_FILE}'s source_id column,"
                     f" and import the result as an update that sets {fields}")
    return "; ".join(parts)


# An exporter note about one file opens with its name ("hubspot.csv: create the contact property ...").
_FILE_NOTE = re.compile(r"^([\w.-]+\.csv): ")


def _notes_for_imported_files(notes: list[str], files: list[str], imported: set[str]) -> list[str]:
    """The exporter's notes, less those about a file none of the plan's tools imports (a
    Klaviyo-only plan has no use for HubSpot's import steps). Without tools, every note."""
    if not imported:
        return list(notes)
    kept = []
    for note in notes:
        about = _FILE_NOTE.match(note)
        if about and about.group(1) in files and about.group(1) not in imported:
            continue
        kept.append(note)
    return kept


def _confirmed(strategy: Any) -> dict:
    """The plan's answers to run warnings (``confirmed``), or none."""
    confirmed = strategy.get("confirmed") if isinstance(strategy, dict) else None
    return confirmed if isinstance(confirmed, dict) else {}


def _imports(tools: list[dict]) -> str:
    """'segments_generic.csv into Customer.io and klaviyo.csv into Klaviyo'."""
    by_file: dict[str, list[str]] = {}
    for t in tools:
        by_file.setdefault(t["file"], []).append(t["name"])
    return _join([f"{file} into {_join(names)}" for file, names in by_file.items()])


def render_report(
    facts: dict,
    out_dir: str,
    *,
    charts: list[dict] | None = None,
    strategy: dict | None = None,
    templates_dir: str | None = None,
    answers: dict | None = None,
) -> list[str]:
    """Write ``out_dir/report.md`` and ``out_dir/report.html`` from facts; returns the file names written.

    ``charts``: ``[{"file": "segments.png", "title": "..."}]``, PNGs already in
    ``out_dir/charts/`` (linked from the markdown, inlined as data URIs in the HTML).
    ``strategy``: a strategy document (custseg.strategy.schema) with its fact references
    already resolved, or at least ``{"segments": {key: {"persona": ..., ...}}}``; its text
    is printed as data. Without it each RFM segment gets the default playbook, marked as such.
    ``templates_dir``: where report.md.j2 and report.html.j2 live (default: the
    repository's prompts/ folder). ``answers``: the user's intake answers (answers.json): the
    warnings their Warnings answer settles are shown answered, with it, not as open.
    """
    env = make_environment(templates_dir)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for template, file, inline in ((MD_TEMPLATE, MD_FILE, False), (HTML_TEMPLATE, HTML_FILE, True)):
        ctx = build_context(facts, out_dir, charts, strategy, inline_charts=inline, answers=answers)
        text = env.get_template(template).render(**ctx)
        path = os.path.join(out_dir, file)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
        written.append(file)
    return written
