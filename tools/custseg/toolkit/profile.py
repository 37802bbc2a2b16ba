"""The ``profile`` tool: what the tools understood of an export, before any segmenting."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custseg.compute.contacts import consent_counts
from custseg.compute.metrics import Ledger
from custseg.facts.build import DEFAULT_PERIOD_DAYS, UNATTRIBUTED_WARN, billing_cycle_counts, one_time_warning, short_data_warning, subscription_warning, too_short_for, unattributed_share
from custseg.facts.schema import ChannelFigures, ExcludedChannels, ExcludedTestCharges, FailedPayments, Installments, Marketplace, OutstandingPart, OutstandingRecent, RecurringPayments
from custseg.ingest import Dataset, IngestOptions, SourceName, load
from custseg.ingest.clean import MIN_CUSTOMERS_TO_SEGMENT, TEST_CHARGE_SHARE, test_charge_customers
from custseg.render.exports import NEVER_PAID_KEY, NO_KEPT_ORDER_KEY, PROSPECT_KEY
from custseg.toolkit.spec import Tool, param

SMALL_BASE = 50


@dataclass
class IngestParams:
    """How to read the export(s); shared by every tool that reads files."""

    files: list[str] = param("export file(s): CSV, TSV, XLSX, Parquet, JSON or JSON Lines, optionally .gz or .zip; parts of one export are read together", positional=True, metavar="FILE")
    source: SourceName | None = param("force the source instead of detecting it", default=None)
    map: dict[str, str] = param("map a role to a column, e.g. --map customer=\"Client ID\" (repeatable)", default={}, metavar="ROLE=COLUMN")
    sheet: str | None = param("XLSX sheet to read (default: the first)", default=None)
    currency: str | None = param("the currency of the amounts: labels them when the export names none, and keeps only orders in it when the export mixes currencies", default=None, metavar="CODE")
    include_unpaid: bool = param("count unpaid orders (pending, authorized, partially paid) as sales", default=False)
    key: str | None = param("pseudonymisation key file from an earlier run, to keep customer ids stable", default=None, metavar="KEYFILE")
    exclude_returns: bool = param("transaction logs: leave out orders with a negative amount (returns and cancellations recorded as rows), counted as dropped 'returned'", default=False)
    net_returns: bool = param("transaction logs: take each order with a negative amount (a return) off the same customer's latest purchase on or before its day, so spend is net of returns while orders and purchase days count sales only; a return with no earlier purchase in the data is dropped as 'return_without_sale'; one larger than the purchase it comes off takes the rest off the customer's earlier purchases, and what is left past them is left out of spend (a warning counts it), so no spend is below zero", default=False)
    purchase_event: list[str] = param("event logs: an event name that counts as a purchase, instead of the detected ones (repeatable)", default=[], metavar="NAME")
    exclude_test_charges: bool = param("leave out customers whose total spend is under 2 percent of the median customer's, such as card tests of 1.00 (the profile warns when it sees them), with their failed or unfinished checkouts: their payments counted as dropped 'test_charge', their checkouts (never paid, and owed by no one) as 'test_charge_unpaid'", default=False)
    exclude_channel: list[str] = param("order exports with a sales channel (Shopify's Source): leave out the orders of this channel, such as a marketplace or a wholesale app whose buyers are not yours to email (repeatable), counted as dropped 'excluded_channel'; who bought only through it is in no segment and in no email-tool file", default=[], metavar="CHANNEL")

    def ingest_options(self) -> IngestOptions:
        return IngestOptions(
            source=self.source,
            mapping=dict(self.map),
            sheet=self.sheet,
            currency=self.currency,
            include_unpaid=self.include_unpaid,
            key=self.key,
            purchase_events=list(self.purchase_event),
            exclude_returns=self.exclude_returns,
            net_returns=self.net_returns,
            exclude_channels=list(self.exclude_channel),
            exclude_test_charges=self.exclude_test_charges,
        )


@dataclass
class ProfileParams(IngestParams):
    pass


@dataclass
class FileSummary:
    path: str
    name: str
    source: str
    format: str
    rows: int


@dataclass
class ProfileResult:
    source: str
    source_confidence: float
    kind: str
    rows: int
    customers: int
    orders: int | None
    revenue_total: float | None
    currency: str | None
    date_min: str | None
    date_max: str | None
    days_covered: int | None
    mapping: dict[str, str]
    dropped: dict[str, int]
    dropped_orders: dict[str, int] | None
    methods: list[str]
    methods_unavailable: dict[str, str]
    one_time_share: float | None
    prospects: int
    no_kept_order: int = 0  # contacts who ordered per the customers export, with no kept order in the orders export: not in prospects
    excluded_channels: ExcludedChannels | None = None  # --exclude-channel: the channels left out, their orders and buyers, those who bought nowhere else
    excluded_channel_only: int = 0  # the customers export's contacts who bought only through the channels left out: in no segment, no prospects
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)
    joined: dict | None = None
    purchase_events: dict[str, int] | None = None  # event logs: the event names counted as purchases, with counts
    not_activity_events: dict[str, int] | None = None  # event logs: event names not counted as activity (cancellations, emails delivered), with counts
    buyers: int | None = None  # event logs: the customers (users) with a purchase event; the rest never bought
    ignored_columns: list[str] = field(default_factory=list)  # columns no role reads (their names only)
    dropped_value: dict[str, float] | None = None  # reason -> net amount of the orders it dropped (order exports and logs)
    dropped_gross: dict[str, float] | None = None  # exports with a refunds column: reason -> what the orders it dropped sold for, before refunds
    dropped_collected: dict[str, float] | None = None  # exports with an outstanding balance (Shopify): reason -> the money its orders collected (total - refunded - outstanding balance)
    by_channel: list[ChannelFigures] | None = None  # order exports with a sales channel (Shopify's Source): kept orders, customers and revenue per channel
    marketplace: Marketplace | None = None  # kept orders through marketplaces: their buyers, the customers who bought elsewhere, relay emails
    recurring: RecurringPayments | None = None  # Stripe: the kept payments a subscription billed (renewals, not decisions to buy again)
    installments: Installments | None = None  # Stripe: kept payments that are later installments of a purchase paid in parts (in spend, no new order or purchase day)
    failed_payments: FailedPayments | None = None  # failed and unfinished payments followed per customer (retries folded, paid later or outstanding)
    test_charges: ExcludedTestCharges | None = None  # --exclude-test-charges: the customers it left out, their payments and unpaid checkouts apart, their outstanding payments
    contacts: dict[str, int] | None = None  # the customers (those counted in customers) with an email, and their marketing consent (counts only); None when they have no emails
    contacts_apart: dict[str, dict[str, int]] | None = None  # the same for the people the CRM files list besides the customers, by group key (prospects, no_kept_order, payment_failed); None when there are none


def profile(params: ProfileParams) -> ProfileResult:
    return summarize(load(params.files, params.ingest_options()))


def summarize(ds: Dataset, ledger: Ledger | None = None) -> ProfileResult:
    """The contract of ``segment profile`` from a loaded dataset (``ledger``: its sorted orders, if built)."""
    customers, orders, revenue, dates, one_time = _figures(ds, ledger)
    date_min = dates.min() if len(dates) else None
    date_max = dates.max() if len(dates) else None
    days = int((date_max - date_min).days) + 1 if date_min is not None else None
    methods, unavailable = supported_methods(ds, days)
    result = ProfileResult(
        source=ds.source,
        source_confidence=ds.confidence,
        kind=ds.kind,
        rows=ds.rows,
        customers=customers,
        orders=orders,
        revenue_total=round(revenue, 2) if revenue is not None else None,
        currency=ds.currency,
        date_min=date_min.date().isoformat() if date_min is not None else None,
        date_max=date_max.date().isoformat() if date_max is not None else None,
        days_covered=days,
        mapping=ds.mapping,
        dropped=ds.dropped,
        dropped_orders=ds.dropped_orders,
        dropped_value=ds.dropped_value,
        dropped_gross=ds.dropped_gross,
        dropped_collected=ds.dropped_collected,
        failed_payments=_failed_payments(ds.failed_payments),
        test_charges=ExcludedTestCharges(**ds.test_charges) if ds.test_charges else None,
        recurring=RecurringPayments(**ds.recurring) if ds.recurring else None,
        installments=Installments(**ds.installments) if ds.installments else None,
        by_channel=[ChannelFigures(**c) for c in ds.by_channel] if ds.by_channel else None,
        marketplace=Marketplace(**ds.marketplace) if ds.marketplace else None,
        methods=methods,
        methods_unavailable=unavailable,
        one_time_share=round(one_time, 6) if one_time is not None else None,
        prospects=ds.prospects,
        no_kept_order=ds.no_kept_order,
        excluded_channels=ExcludedChannels(**ds.excluded_channels) if ds.excluded_channels else None,
        excluded_channel_only=ds.excluded_channel_only,
        notes=list(ds.notes),
        files=[FileSummary(f.path, f.name, f.source, f.format, f.rows) for f in ds.files],
        joined=ds.joined,
        purchase_events=ds.purchase_events,
        not_activity_events=ds.not_activity_events,
        buyers=_distinct_ids(ds.transactions["customer_id"]) if ds.kind == "events" else None,
        ignored_columns=list(dict.fromkeys(c for f in ds.files for c in f.ignored)),
        **_contact_fields(ds),
    )
    result.warnings = _warnings(ds, result, ledger)
    return result


# The people listed beside the customers, by the CRM files' group key, as the profile names them.
APART_LABELS = {PROSPECT_KEY: "prospects who never bought", NO_KEPT_ORDER_KEY: "ordered but none kept (cancelled or refunded)", NEVER_PAID_KEY: "every payment failed (no payment in the export)"}


def _contact_fields(ds: Dataset) -> dict:
    """``contacts`` for the customers alone and ``contacts_apart`` for each group the CRM files
    list beside them: the intake brief counts everyone the files list, and one total of both
    kinds read as 'customers' in a trial (67 opted-out buyers against the brief's 416 people)."""
    customers, apart = ds.contacts, {}
    if ds.kind == "customers" and ds.customers is not None and "prospect" in ds.customers and "customer_id" in ds.contacts:
        # a customers table's contacts cover every row: its prospects are split off here
        listed = ds.contacts["customer_id"].isin(set(ds.customers.loc[ds.customers["prospect"], "customer_id"]))
        customers, apart[PROSPECT_KEY] = ds.contacts[~listed], ds.contacts[listed]
    for key, frame in ((PROSPECT_KEY, ds.prospect_contacts), (NO_KEPT_ORDER_KEY, ds.no_kept_order_contacts), (NEVER_PAID_KEY, ds.never_paid_contacts)):
        if frame is not None and len(frame):
            apart[key] = frame
    counted = {k: c for k, c in ((k, _contact_counts(v)) for k, v in apart.items()) if c}
    return {"contacts": _contact_counts(customers), "contacts_apart": counted or None}


def _contact_counts(contacts: pd.DataFrame) -> dict[str, int] | None:
    """How many customers the email tools can reach: with an email, and what their consent says."""
    counts = consent_counts(contacts)
    return counts if counts["with_email"] else None


def _figures(ds: Dataset, ledger: Ledger | None):
    if ds.kind == "customers":
        table = ds.customers[~ds.customers["prospect"]]
        orders = int(table["orders"].fillna(0).sum()) if "orders" in table else None
        revenue = float(table["spent"].fillna(0).sum()) if "spent" in table else None
        date_cols = [c for c in ("first_order", "signup", "last_order", "last_active") if c in table]
        dates = pd.concat([table[c].dropna() for c in date_cols]) if date_cols else pd.Series([], dtype="datetime64[s]")
        one_time = float((table["orders"] == 1).mean()) if "orders" in table and len(table) else None
        return len(table), orders, revenue, dates, one_time
    tx = ds.transactions
    if ds.kind == "events":
        dates = ds.events["date"]
        customers = _distinct_ids(ds.events["customer_id"])
    else:
        dates = tx["date"]
        customers = _distinct_ids(tx["customer_id"])
    revenue = float(tx["amount"].sum()) if ds.has_revenue else None
    one_time = None
    if len(tx):
        ledger = ledger if ledger is not None else Ledger.from_frame(tx)
        one_time = float((ledger.purchase_days() == 1).mean())
    return customers, int(len(tx)), revenue, dates, one_time


def _distinct_ids(ids: pd.Series) -> int:
    """How many customers: for ingest's categorical ids, a count of the codes in use."""
    if isinstance(ids.dtype, pd.CategoricalDtype):
        codes = ids.cat.codes.to_numpy()
        return int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=1)))
    return int(ids.nunique())


def supported_methods(ds: Dataset, days: int | None) -> tuple[list[str], dict[str, str]]:
    """Which segmentations this data supports, and why the others are not offered."""
    has: dict[str, bool | str] = {}
    two_periods = days is not None and days >= 2 * DEFAULT_PERIOD_DAYS
    span_reason = f"needs at least {2 * DEFAULT_PERIOD_DAYS} days of history (two {DEFAULT_PERIOD_DAYS}-day periods); the data covers {days}"
    stages = too_short_for("lifecycle", days) or True
    wellbeing = too_short_for("health", days) or True
    if ds.kind == "transactions":
        has["rfm"] = True
        has["behavioral"] = "needs an event log (product usage), not purchases"
        has["lifecycle"] = stages
        has["value"] = True
        has["health"] = wellbeing
        has["migration"] = True if two_periods else span_reason
        has["validation"] = True if two_periods else span_reason
    elif ds.kind == "events":
        purchases = ds.transactions is not None and len(ds.transactions) > 0
        has["rfm"] = True if purchases else "needs purchase events"
        has["behavioral"] = True
        has["lifecycle"] = stages
        has["value"] = True if purchases and ds.has_revenue else "needs purchase events with a revenue amount"
        has["health"] = wellbeing
        has["migration"] = True if two_periods else span_reason
        has["validation"] = True if two_periods else span_reason
    else:
        table = ds.customers
        cols = set(table.columns)
        has["rfm"] = True if {"last_order", "orders", "spent"} <= cols else "needs last order date, orders count and total spent columns"
        has["behavioral"] = "needs an event log (product usage), not a customer table"
        has["lifecycle"] = True if cols & {"signup", "first_order"} else "needs a sign-up or first-order date"
        has["value"] = True if cols & {"spent", "mrr", "arr"} else "needs total spent, MRR or ARR"
        has["health"] = True if cols & {"last_order", "last_active", "failed_payments"} else "needs a last activity date or payment failures"
        has["migration"] = "needs transactions over time; a customer table is one snapshot"
        has["validation"] = "needs transactions over time; a customer table is one snapshot"
    methods = [m for m, ok in has.items() if ok is True]
    return methods, {m: why for m, why in has.items() if why is not True}


# Rows the user's own options left out: no sign of a wrong export when many go
CHOSEN_DROPS = ("test_charge", "test_charge_unpaid", "excluded_channel", "returned")


def _warnings(ds: Dataset, r: ProfileResult, ledger: Ledger | None = None) -> list[str]:
    out = list(ds.warnings)
    buyers = "buyers" if r.buyers is not None else "customers"  # an event log's users did not all buy
    if once := one_time_warning(r.one_time_share, buyers, ds.has_revenue):
        out.append(once)
    if r.days_covered is not None and r.days_covered < 2 * DEFAULT_PERIOD_DAYS and ds.kind != "customers":
        out.append(short_data_warning(r.days_covered))
    base = r.buyers if r.buyers is not None else r.customers
    if base < MIN_CUSTOMERS_TO_SEGMENT:  # run.py refuses these: say so now, not 'groups will be used'
        out.append(f"only {base} {buyers if base != 1 else buyers[:-1]}: too few to segment (at least {MIN_CUSTOMERS_TO_SEGMENT} are needed); drop the options that left rows out, or use a longer export")
    elif base < SMALL_BASE:
        groups = "best customers, core customers, needs attention" if ds.has_revenue else "active repeat buyers, recent buyers, needs attention"
        out.append(f"only {base} {buyers}: results are fragile; three broad groups ({groups}) will be used instead of the full segment table")
    unattributed = unattributed_share(r.dropped_value, r.revenue_total)
    dropped = sum(n for reason, n in r.dropped.items() if reason not in CHOSEN_DROPS)  # not what the user asked to leave out
    if r.rows and dropped > 0.2 * r.rows:
        top = max(r.dropped, key=r.dropped.get)
        if not (top == "no_identity" and unattributed is not None):  # said below, with what those orders were worth
            out.append(f"{dropped / r.rows:.0%} of rows were dropped (most as {top}); check that this is the right export")
    if unattributed is not None and unattributed >= UNATTRIBUTED_WARN:
        orders = (r.dropped_orders or r.dropped)["no_identity"]  # line-item exports count orders apart from rows
        worth = f"{r.dropped_value['no_identity']:,.2f}" + (f" {r.currency}" if r.currency else "")
        out.append(
            f"{orders:,} {'order' if orders == 1 else 'orders'} worth {worth} ({unattributed:.0%} of the sales in the export) {'names' if orders == 1 else 'name'} no customer ({'a blank customer id' if ds.source == 'transactions' else 'guest checkouts or blank ids'}): "
            f"they are in no segment ({dropped / r.rows:.0%} of rows dropped in all), so segment revenue shares are of the sales that name a customer"
        )
    if ds.kind != "customers" and ds.has_revenue and r.currency is None:
        out.append("the export names no currency: amounts are shown without one (use --currency to label them)")
    if ds.source == "stripe_payments":
        out.append("Stripe exports times in UTC: purchase days follow UTC, not your local time")
    out.extend(_subscription_warnings(ds, r.days_covered, ledger))
    out.extend(_test_charge_warning(ds, ledger, r.currency))
    out.extend(_example_domain_warning(ds.contacts))
    if ds.kind == "events" and not ds.has_revenue:
        out.append("no revenue in the event log: spend-based scores and value tiers are not available")
    return out


MONTHLY_CYCLE_DAYS = 31


def _subscription_warnings(ds: Dataset, days_covered: int | None, ledger: Ledger | None) -> list[str]:
    """Most customers paying by subscription: what that means for the segments (facts.build's
    subscription_warning, which a run keeps in step with its lifecycle), and an export shorter
    than one monthly billing cycle."""
    staged = too_short_for("lifecycle", days_covered) is None
    said = subscription_warning(ds.recurring, billing_cycle_counts(ds, ledger) if ds.recurring and staged else None, lifecycle=staged)
    if said is None:
        return []
    out = [said]
    if days_covered is not None and days_covered < MONTHLY_CYCLE_DAYS:
        out.append(
            f"the export covers {days_covered} {'day' if days_covered == 1 else 'days'}, less than one monthly billing cycle: most subscribers show a single payment, "
            "so 'bought once' says nothing yet about who stays, and spend is about one payment each: "
            "it ranks subscribers by what they paid in these days: a dearer plan, or months or a package paid up front (the top spend scores mix both), not by what they have paid you over time"
            f"{_instalment_clause(ds)}; export at least three months of payments"
        )
    return out


def _instalment_clause(ds: Dataset) -> str:
    """Instalment buyers on a short export: their spend holds only the parts paid so far."""
    people = (ds.installments or {}).get("customers") or 0
    if not people:
        return ""
    return f" ({people:,} {'customer pays' if people == 1 else 'customers pay'} in instalments: spend holds only the parts paid in the export)"


def _test_charge_warning(ds: Dataset, ledger: Ledger | None, currency: str | None) -> list[str]:
    """Payments exports: customers whose total spend is a sliver of the median customer's,
    counted (they stay in the segments unless the user leaves them out: the warning asks, it
    does not decide). None after --exclude-test-charges: the dropped counts say it."""
    if ds.source != "stripe_payments" or ds.transactions is None or not len(ds.transactions) or "test_charge" in ds.dropped:
        return []
    ledger = ledger if ledger is not None else Ledger.from_frame(ds.transactions)
    buyers = np.unique(ledger.code)
    spend = np.bincount(ledger.code, weights=np.nan_to_num(ledger.amount), minlength=len(ledger.ids))[buyers]
    flagged, median = test_charge_customers(spend)
    n = int(flagged.sum())
    if not n:
        return []
    unit = f" {currency}" if currency else ""
    it, they = ("it", "It is") if n == 1 else ("them", "They are")
    return [
        f"{n:,} {'customer' if n == 1 else 'customers'} spent under {TEST_CHARGE_SHARE * median:,.2f}{unit} in total, less than {TEST_CHARGE_SHARE:.0%} of the median customer ({median:,.2f}{unit}): test charges? "
        f"{they} kept in the segments and the CRM files{_tests_owing(ds.outstanding, ledger.ids[buyers[flagged]], unit)}; if they are tests, add --exclude-test-charges to leave {it} out (counted as dropped)"
    ]


def _tests_owing(outstanding: pd.DataFrame | None, flagged_ids: pd.Index, unit: str) -> str:
    """', and 1 outstanding payment (3,000.00 USD) is theirs': a test customer's unfinished
    checkout counts as money owed until they are left out (a trial's intake total held one)."""
    if outstanding is None or not len(outstanding):
        return ""
    theirs = outstanding[outstanding["customer_id"].isin(flagged_ids)]
    if not len(theirs):
        return ""
    count, value = int(theirs["outstanding_payments"].sum()), float(theirs["outstanding_value"].sum())
    return f", and {count:,} of the outstanding payments ({value:,.2f}{unit}) {'is' if count == 1 else 'are'} theirs"


# Domains reserved for documentation and testing (RFC 2606): no real customer has one. Shopify's
# development stores fill them with example.com customers. The .example top-level domain is left
# out: the bundled examples' made-up customers use it, and a real export never does.
EXAMPLE_DOMAINS = r"(?:(?:[^@]+\.)?example\.(?:com|net|org)|[^@]+\.(?:test|invalid|localhost))"


def _example_domain_warning(contacts: pd.DataFrame | None) -> list[str]:
    """Customers whose email is at a domain reserved for examples and tests (a development
    store's test customers, a checkout tried with test@example.com): counted, with the share
    they are, so the user can tell test data from real customers. The domain is named; no
    address is."""
    if contacts is None or "email" not in contacts:
        return []
    emails = contacts["email"].dropna().astype(str)
    if emails.empty:
        return []
    # one Arrow regex pass over every address (a pandas split per address cost a second per 500,000)
    hits = pc.match_substring_regex(pa.array(emails, type=pa.string()), r"@\s*" + EXAMPLE_DOMAINS + r"\s*$", ignore_case=True)
    reserved = emails[hits.to_numpy(zero_copy_only=False)].str.rsplit("@", n=1).str[-1].str.strip().str.lower()
    if reserved.empty:
        return []
    n, of = len(reserved), len(emails)
    named = ", ".join(reserved.value_counts().index[:3])
    if n * 2 >= of:
        return [f"{n:,} of the {of:,} customers with an email use a domain reserved for examples and tests ({named}): this looks like a test or development store's data, not real customers; segment a live store's export"]
    return [f"{n:,} {'customer uses' if n == 1 else 'customers use'} an email at a domain reserved for examples and tests ({named}): test orders? They are kept in the segments; delete them from the export and run again to leave them out"]


def _dropped_text(r: ProfileResult) -> str:
    if not r.dropped:
        return "nothing"
    value = r.dropped_value or {}
    unit = f" {r.currency}" if r.currency else ""
    gross = r.dropped_gross or {}
    collected = r.dropped_collected or {}

    def worth(k: str) -> str:  # a negative amount is money paid back (returns), not sales
        v, sold, got = value.get(k), gross.get(k), collected.get(k)
        if got is not None and v is not None and (v or got or sold):  # what was ordered, left after refunds, and actually collected
            total = f"order total {sold:,.2f}{unit}, " if sold is not None and sold != v else ""
            return f" ({total}{v:,.2f}{unit} after refunds, {got:,.2f}{unit} collected)"
        if sold is not None and v is not None and sold != v:  # refunds: the net amount, then the order total
            return f" ({v:,.2f}{unit} after refunds, order total {sold:,.2f}{unit})"
        return "" if not v else f" (refunds of {-v:,.2f}{unit})" if v < 0 else f" (worth {v:,.2f}{unit})"

    return ", ".join(f"{k} {v:,}{worth(k)}" for k, v in r.dropped.items())


def _failed_payments(summary: dict | None) -> FailedPayments | None:
    if not summary:
        return None
    parts = {k: OutstandingPart(**v) for k, v in (summary.get("outstanding_by_reason") or {}).items()}
    recent = OutstandingRecent(**summary["outstanding_recent"]) if summary.get("outstanding_recent") else None
    return FailedPayments(**{**summary, "outstanding_by_reason": parts, "outstanding_recent": recent})


def _failed_text(fp: FailedPayments, currency: str | None) -> str:
    unit = f" {currency}" if currency else ""

    def worth(v: float | None) -> str:
        return f" ({v:,.2f}{unit})" if v is not None else ""

    return (f"{fp.attempts:,} failed or unfinished attempts = {fp.payments:,} payments (retries within {fp.retry_window_days} days counted once): "
            f"{fp.paid_later:,} paid later{worth(fp.paid_later_value)}, {fp.outstanding:,} outstanding{worth(fp.outstanding_value)} "
            f"from {fp.outstanding_customers:,} customers, {fp.never_paid_customers:,} of whom made no successful payment in the export")


def _contacts_text(r: ProfileResult) -> str:
    """One line for the customers; with people listed beside them, one more for each group,
    every line saying whom it counts."""
    if not r.contacts_apart:
        return _consent_text(r.contacts) if r.contacts else "no email addresses in the export (the email-tool files will be empty)"
    lines = [f"customers: {_consent_text(r.contacts) if r.contacts else 'none with an email'}"]
    lines += [f"{APART_LABELS.get(k, k)}: {_consent_text(c)}" for k, c in r.contacts_apart.items()]
    return "\n           ".join(lines)


def _consent_text(c: dict[str, int]) -> str:
    if c["consent_unknown"] == c["with_email"]:
        consent = "the export does not record marketing consent (confirm they may be emailed)"
    else:
        consent = f"{c['opted_in']:,} opted in to marketing, {c['opted_out']:,} opted out" + (f", {c['consent_unknown']:,} not recorded" if c["consent_unknown"] else "")
    return f"{c['with_email']:,} with an email: {consent}"


def render_text(r: ProfileResult) -> str:
    money = f"{r.revenue_total:,.2f} {r.currency or ''}".strip() if r.revenue_total is not None else "n/a"
    lines = [
        f"Source     {r.source} (confidence {r.source_confidence:.0%})",
        "Files      " + ", ".join(f"{f.name} ({f.rows:,} rows)" for f in r.files),
        f"Rows       {r.rows:,}",
        f"Customers  {r.customers:,}" + (f"  (+{r.prospects:,} prospects who never bought)" if r.prospects else ""),
    ]
    if r.buyers is not None:
        lines[-1] += f"  ({r.buyers:,} bought, {r.customers - r.buyers:,} never did)"
    if r.excluded_channel_only:  # the customers export's contacts whose orders all went through a channel left out
        lines[-1] += f"  (+{r.excluded_channel_only:,} who bought only through a channel left out: in segments_generic.csv only)"
    if r.orders is not None:
        lines.append(f"Orders     {r.orders:,}")
    if r.purchase_events is not None:
        counted = ", ".join(f"{name} {n:,}" for name, n in r.purchase_events.items()) or "none"
        lines.append(f"Purchases  events counted as purchases: {counted} (choose others with --purchase-event NAME)")
    if r.not_activity_events:
        listing = ", ".join(f"{name} {n:,}" for name, n in r.not_activity_events.items())
        lines.append(f"Activity   events not counted as use of the product (leaving, or done by a system): {listing}")
    lines += [
        f"Revenue    {money}",
        f"Dates      {r.date_min} to {r.date_max} ({r.days_covered} days)" if r.date_min else "Dates      none",
        "Columns    " + ", ".join(f"{role}={col}" for role, col in r.mapping.items()),
        "Ignored    " + (_listing(r.ignored_columns) + " (not needed to segment)" if r.ignored_columns else "nothing"),
        "Dropped    " + _dropped_text(r),
        "Contacts   " + _contacts_text(r),
        "Methods    " + ", ".join(r.methods),
    ]
    if r.failed_payments:
        lines.insert(-2, "Payments   " + _failed_text(r.failed_payments, r.currency))
    if r.by_channel and len(r.by_channel) > 1:
        lines.insert(-2, "Channels   " + ", ".join(f"{c.channel} {c.orders:,}" for c in r.by_channel) + " orders")
    for note in r.notes:
        lines.append(f"Note       {note}")
    for warning in r.warnings:
        lines.append(f"Warning    {warning}")
    return "\n".join(lines)


def _listing(names: list[str], most: int = 12) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


PROFILE = Tool(
    name="profile",
    summary="Show what the tools understood of an export: source, columns, customers, orders, revenue, dates, dropped rows and the segmentations the data supports.",
    params=ProfileParams,
    result=ProfileResult,
    run=profile,
    render_text=render_text,
    description="Reads the export(s), detects the source and maps its columns, cleans with an audit "
    "(every dropped row counted by reason) and prints a summary. Nothing is written.",
)
