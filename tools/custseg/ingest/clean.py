"""Clean each kind of export into canonical tables, counting every dropped row.

Transactions come out one row per kept order: ``identity, date, amount``. Each dropped
row is counted under exactly one reason, the first that applies in ``REASON_ORDER``
(DESIGN.md, Definitions), so ``rows == kept_rows + sum(dropped)`` always holds.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from custseg.errors import InputError
from custseg.ingest.channels import channel_figures, channels, excluded_channel_note, excluded_channel_summary, excluded_channels, marketplace_summary, marketplace_warning
from custseg.ingest.countries import COUNTRY_ROLES, country_roles, order_countries
from custseg.ingest.detect import Detection
from custseg.ingest.installments import installment_summary, installment_warning, later_installments, purchase_starts
from custseg.ingest.parse import Parsed, clock_seconds, parse_dates, parse_flag, parse_money
from custseg.ingest.payments import STRIPE_ATTEMPT_REASONS, follow_up, outstanding_per_identity
from custseg.ingest.privacy import Pseudonyms, prepare
from custseg.ingest.subscriptions import billed_by_subscription, plan_cycle_days, recurring_summary
from custseg.ingest.text import customer_ids, first_present, flag, identity_column, lower_values, normalize_email, normalize_phone, prefixed, text

REASON_ORDER = (
    "duplicate",
    "malformed_row",
    "non_product_line",
    "test",
    "cancelled",
    "refunded",
    "voided",
    "failed",
    "unpaid",
    "other_currency",
    "zero_value",
    "excluded_channel",
    "test_charge",
    "test_charge_unpaid",
    "returned",
    "no_identity",
)

# Fewer customers with a kept order cannot be segmented (facts.build refuses them): an option
# that would leave fewer is not offered.
MIN_CUSTOMERS_TO_SEGMENT = 3

# Line-item logs (UCI Online Retail and the order systems like it) book postage, carriage,
# bank charges, manual adjustments and discounts as lines with these product codes. They are
# not something a customer bought: a line of them is left out of spend, and an invoice of
# nothing else is not a purchase. Gift vouchers are kept: the customer paid for them.
SERVICE_CODES = frozenset({"POST", "DOT", "C2", "CARRIAGE", "M", "MANUAL", "D", "DISCOUNT", "S", "SAMPLES", "B", "BANK CHARGES", "AMAZONFEE", "ADJUST", "ADJUST2", "CRUK"})
SERVICE_WORDS = "postage, carriage, bank and marketplace fees, manual adjustments, discounts and samples"

# Above this share of unparseable cells a column is wrong, not dirty: stop and say so.
MAX_BAD_SHARE = 0.5

_SHOPIFY_KEEP = {"paid", "partially_refunded"}
_SHOPIFY_STATUS = {"refunded": "refunded", "voided": "voided", "pending": "unpaid", "authorized": "unpaid", "partially_paid": "unpaid", "expired": "failed"}
_STRIPE_KEEP = {"paid", "succeeded"}
CONVERTED_NOTE = "amounts converted to the account's currency (Converted Amount)"  # the report's revenue basis reads it
# Stripe's payment-intent states: a payment that never went through is one reason in plain words,
# whichever step it stopped at; one authorized or still processing is unpaid, as elsewhere.
_STRIPE_INCOMPLETE = {"requires_payment_method": "incomplete", "requires_confirmation": "incomplete", "requires_action": "incomplete", "incomplete": "incomplete"}
_STRIPE_STATUS = {"refunded": "refunded", "failed": "failed", "canceled": "cancelled", "cancelled": "cancelled", "pending": "unpaid", "requires_capture": "unpaid", "processing": "unpaid", **_STRIPE_INCOMPLETE}
_WOO_KEEP = {"completed", "processing"}
_WOO_STATUS = {"refunded": "refunded", "cancelled": "cancelled", "trash": "cancelled", "failed": "failed", "pending": "unpaid", "on-hold": "unpaid", "checkout-draft": "unpaid", "draft": "unpaid"}
_PURCHASE_EVENT = r"(?i)(?:purchase|order[ _]?(?:completed|placed)|checkout[ _]?completed|charge[ _]?succeeded|payment[ _]?succeeded)"
# ... unless the name says the purchase did not happen (yet): purchase_failed, purchase_started.
_NOT_A_PURCHASE = r"(?i)(?:fail|error|declin|cancel|refund|abandon|attempt|start|initiat|begin|intent|bug|view|click)"
# Payment problems an event log records: they feed the health score like failed charges do.
_PAYMENT_WORDS = r"(?i)(?:payment|charge|card|checkout|purchase|order|billing|subscription[ _-]?renewal)"
_PROBLEM_WORDS = r"(?i)(?:fail|error|declin|bug)"
_REFUND_EVENT = r"(?i)refund"
# An account or subscription ending (subscription_cancelled, Trial Expired, Account Closed,
# Stripe's customer.subscription.deleted), and one (re)starting: the last of them by a date
# says whether a user had left by then. An order cancelled is not the account ending.
_ACCOUNT_ENDED = (
    r"(?i)(?:(?:subscription|plan|account|membership|trial)s?[ ._-]?(?:cancel\w*|ended|expired|deleted|closed|deactivated|churned)"
    r"|(?:cancel|end|delete|close|deactivate)[ ._-]?(?:subscription|plan|account|membership)|^churn\w*$)"
)
_ACCOUNT_STARTED = (
    r"(?i)(?:(?:subscription|plan|membership|trial)s?[ ._-]?(?:start\w*|created|activated|renewed|resumed|reactivated)"
    r"|(?:start|create|activate|renew|resume|reactivate)[ ._-]?(?:subscription|plan|membership|trial)|resubscribed|reactivated)"
)
# Events that are not the user using the product: leaving (an account ending, an email
# unsubscribe) and what a system did (an email delivered, a renewal charged, a card declined).
# They do not count as activity: a user's cancellation is not a day of use.
_NOT_ACTIVITY = (
    _ACCOUNT_ENDED + r"|(?i:unsubscri|renew|expir"
    r"|(?:email|push|sms|message|notification|reminder)s?[ ._-]?(?:sent|delivered|bounced|dropped)"
    r"|(?:payment|charge|invoice|card)[ ._-]?(?:failed|declined))"
)


PRICE_ROLES = ("quantity", "unit_price")  # an order's value when no amount column gives it
# Parts of an order's total that a store's own net-sales report leaves out (Shopify's Shipping
# and Taxes): summed over the kept orders for a note, so revenue can be reconciled.
INCLUDED_ROLES = ("shipping", "taxes")
# What an order still owes (Shopify's Outstanding Balance): a left-out order's total less its
# refunds and this is the money its customer actually paid and kept paid (data.dropped_collected).
BALANCE_ROLE = "outstanding_balance"


def used_roles(mapping: dict[str, str]) -> list[str]:
    """The mapped roles the cleaner reads: quantity and unit price only stand in for a
    missing amount (a log with both, like CDNOW's number of CDs, is valued by its amount)."""
    return [r for r in mapping if not ("amount" in mapping and r in PRICE_ROLES)]


@dataclass
class Options:
    include_unpaid: bool = False
    currency: str | None = None
    decimal_hint: str | None = None  # "," when the file's convention is European (semicolons)
    key: str | None = None  # the pseudonymization key: a plain log's ids are then prepared early
    purchase_events: list[str] | None = None  # event logs: the names that count as purchases (default: detected)
    exclude_returns: bool = False  # transaction logs: leave out orders with a negative amount (dropped as 'returned')
    net_returns: bool = False  # transaction logs: take a negative order off the customer's latest earlier purchase
    exclude_channels: list[str] | None = None  # sales channels (Shopify's Source) whose orders are left out, counted as 'excluded_channel'
    exclude_test_charges: bool = False  # customers spending under TEST_CHARGE_SHARE of the median customer's are left out, counted as 'test_charge'


@dataclass
class Cleaned:
    """Canonical tables keyed by the raw identity (pseudonymized by the caller)."""

    kind: str
    rows: int
    kept_rows: int
    dropped: Counter
    dropped_orders: Counter | None = None
    dropped_value: dict[str, float] | None = None  # reason -> net amount of the orders it dropped (where their amounts could be read)
    dropped_gross: dict[str, float] | None = None  # exports with refunds: reason -> what the orders it dropped sold for, before refunds
    dropped_collected: dict[str, float] | None = None  # exports with an outstanding balance (Shopify): reason -> what the orders it dropped collected (total - refunded - outstanding)
    orders: pd.DataFrame | None = None  # identity, date, amount (one row per kept order; refunded: what it paid back, where the export records refunds)
    lines: pd.DataFrame | None = None  # order (a row of orders), product: the kept orders' named lines (exports with product names)
    countries: np.ndarray | None = None  # the country each kept order names (None where it names none): exports with a country column
    events: pd.DataFrame | None = None  # identity, date, event
    customers: pd.DataFrame | None = None  # identity + aggregates (customers kind)
    contacts: pd.DataFrame | None = None  # identity, email, consent (phone, sms_consent, own_id: when the export has them): private, never for the model
    issues: pd.DataFrame | None = None  # identity, failed, refunded: payment problems per customer (refunded_charged, refunded_value: the fully refunded orders' amounts, where the export records refunds)
    payment_problem_events: dict[str, int] | None = None  # event logs: event name -> events counted as a failed payment (the health score's payment issues)
    failed_payments: dict | None = None  # failed and unfinished payments followed per customer (ingest/payments.py)
    recurring: dict | None = None  # Stripe: the kept payments a subscription billed (ingest/subscriptions.py)
    installments: dict | None = None  # Stripe: kept payments that are later installments of a purchase paid in parts (ingest/installments.py)
    by_channel: list[dict] | None = None  # orders with a sales channel (Shopify's Source): the kept ones per channel
    marketplace: dict | None = None  # kept orders through marketplaces (channels.marketplace_summary)
    excluded_channels: dict | None = None  # --exclude-channel: the channels, their orders left out and buyers (channels.excluded_channel_summary)
    excluded_only: pd.Series | None = None  # --exclude-channel: the identities of those buyers with no kept order elsewhere
    never_paid_contacts: pd.DataFrame | None = None  # like contacts, for people whose every payment failed: in no segment
    outstanding: pd.DataFrame | None = None  # identity, outstanding_payments, outstanding_value: failed payments not paid later, per person
    pseudonyms: Pseudonyms | None = None  # the ids of orders' identities, when prepared early
    purchase_events: dict[str, int] | None = None  # event logs: the event names counted as purchases, with counts
    not_activity_events: dict[str, int] | None = None  # event logs: the event names not counted as activity, with counts
    subscriptions: pd.DataFrame | None = None  # event logs: identity, date, event, ended (events that end or start an account), in time order
    returns_netted: int = 0  # transaction logs with --net-returns: returns taken off an earlier purchase
    test_charges: dict | None = None  # --exclude-test-charges: the customers left out, their payments and unpaid checkouts apart, and what of those was outstanding
    currency: str | None = None
    has_revenue: bool = True
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def check(self) -> None:
        total = self.kept_rows + sum(self.dropped.values())
        if total != self.rows:  # a bug, never the user's fault
            raise AssertionError(f"audit broken: {self.rows} rows != {self.kept_rows} kept + {sum(self.dropped.values())} dropped")


# -- shared helpers -------------------------------------------------------------------


def _check_bad(path: str, column: str, parsed: Parsed, raw: pd.Series, what: str) -> None:
    present = int(raw.notna().sum())
    n_bad = int(parsed.bad.sum())
    if present and n_bad > MAX_BAD_SHARE * present:
        first = parsed.first_bad(raw)
        where = f" (first at data row {first[0] + 1}: {first[1][:40]!r})" if first else ""
        raise InputError(path, f"column {column!r} does not hold {what}: {n_bad} of {present} values cannot be read{where}")


class Reasons:
    """The first drop reason that applies, per row or order: small codes into ``names`` (0 = kept)."""

    def __init__(self, n: int):
        self.code = np.zeros(n, dtype=np.int16)
        self.names = [""]

    def _index(self, name: str) -> int:
        if name not in self.names:
            self.names.append(name)
        return self.names.index(name)

    def assign(self, mask, name: str) -> None:
        """Give ``name`` to rows that match and have no reason yet."""
        if isinstance(mask, pd.Series):
            mask = flag(mask) if mask.dtype != bool else mask.to_numpy()
        free = (self.code == 0) & np.asarray(mask, dtype=bool)
        if free.any():
            self.code[free] = self._index(name)

    def relabel(self, mask: np.ndarray, name: str) -> None:
        """Give ``name`` to rows that match, whatever reason they had (a test customer's failed
        checkouts are tests, not payments owed)."""
        if mask.any():
            self.code[mask] = self._index(name)

    def assign_each(self, names: np.ndarray) -> None:
        """Like assign, with one candidate reason per row ('' for none)."""
        lookup = {n: self._index(n) if n else 0 for n in set(names.tolist())}
        candidate = pd.Series(names, dtype=object).map(lookup).to_numpy(dtype=np.int16)
        free = self.code == 0
        self.code[free] = candidate[free]

    @property
    def kept(self) -> np.ndarray:
        return self.code == 0

    def having(self, name: str) -> np.ndarray:
        """The rows dropped for ``name`` (none when no row was)."""
        return self.code == self.names.index(name) if name in self.names else np.zeros(len(self.code), dtype=bool)

    def labels(self) -> np.ndarray:
        return np.array(self.names, dtype=object)[self.code]

    def counts(self, weights: np.ndarray | None = None) -> Counter:
        if len(self.names) == 1:  # no reason was ever given: nothing dropped (a plain log's usual case)
            return Counter()
        totals = np.bincount(self.code, weights=weights, minlength=len(self.names))
        return Counter({name: int(totals[i]) for i, name in enumerate(self.names) if i and totals[i]})

    def amounts(self, values: np.ndarray) -> dict[str, float]:
        """Sum of ``values`` per reason, for the reasons that dropped a row with a readable value."""
        if len(self.names) == 1:
            return {}
        used = np.bincount(self.code, weights=~np.isnan(values), minlength=len(self.names))
        totals = np.bincount(self.code, weights=np.nan_to_num(values, nan=0.0), minlength=len(self.names))
        return {name: round(float(totals[i]), 2) for i, name in enumerate(self.names) if i and used[i]}


# -- orders (Shopify, Stripe, WooCommerce, Square, logs) ---------------------------------------


def clean_orders(frame: pd.DataFrame, det: Detection, opts: Options, path: str, malformed: int = 0) -> Cleaned:
    """Rows of one or more files of one export -> one row per kept order."""
    m = det.mapping
    rows = len(frame) + malformed
    dropped: Counter = Counter()
    dropped_orders: Counter = Counter()
    if malformed:
        dropped["malformed_row"] += malformed

    # 1. Order keys; rows without one are orders of their own. (Not NUL-prefixed: pandas 2.2
    # hashes object strings as C strings, so "\0row1" and "\0row2" would be one key.)
    live = frame
    if "order_id" in m:
        key = text(frame["order_id"])
        if key.isna().any():
            key = key.fillna("\x1frow" + pd.Series(np.arange(len(frame)), index=frame.index).astype(str))
        # 2. Duplicates: a later file's copy of an order, or a repeated one-row-per-order key.
        if det.spec.line_items:
            first_file = frame["_file"].groupby(key.to_numpy(), sort=False).transform("first")
            dup = (frame["_file"] != first_file).to_numpy()
        else:
            dup = key.duplicated().to_numpy()
        n_dup = int(dup.sum())
        if n_dup:
            dropped["duplicate"] += n_dup
            dropped_orders["duplicate"] += int(key[dup].nunique())
            live = frame[~dup]
            key = key[~dup]

    # A plain log's identities depend on its customer column alone: they are encoded (and
    # their ids hashed) on a second thread, mostly GIL-free work, while amounts and dates parse.
    early_identity = None
    if "order_id" not in m and _plain_identity(m, det.source):
        pool = ThreadPoolExecutor(max_workers=1)
        early_identity = pool.submit(_early_identity, frame["customer"], opts.key)
        pool.shutdown(wait=False)  # the one task still runs; nothing is left behind on an error

    # 3. Parse money on rows (line items sum), text fields from the order-level row.
    money = {}
    for role in ("amount", "refunded", "converted_amount", "converted_refunded", BALANCE_ROLE, *PRICE_ROLES, *INCLUDED_ROLES):
        if role in m and role in live:
            parsed = parse_money(live[role], opts.decimal_hint)
            if role in ("amount", "quantity", "unit_price"):
                _check_bad(path, m[role], parsed, live[role], "amounts")
            money[role] = parsed
    if "amount" not in money:  # quantity x unit price
        value = money["quantity"].values * money["unit_price"].values
        bad = money["quantity"].bad | money["unit_price"].bad
        amount_col = f"{m['quantity']} x {m['unit_price']}"
    else:
        value = money["amount"].values
        bad = money["amount"].bad
        amount_col = m["amount"]
    service = _service_lines(live["product"]) if "product" in m else None
    service_note, service_value, kept_lines = None, None, None
    if service is not None and service.any():  # out before orders form: an invoice of only these is no order
        service_value = float(np.nansum(value.to_numpy()[service]))
        dropped["non_product_line"] += int(service.sum())
        only_service = int(key[service].nunique() - key[service].isin(key[~service]).groupby(key[service].to_numpy()).any().sum()) if "order_id" in m else int(service.sum())
        if "order_id" in m and only_service:
            dropped_orders["non_product_line"] += only_service
        service_note = _service_note(live["product"][service], service_value, only_service, "order_id" in m)
        kept_lines = ~service
        live, value, bad = live[kept_lines], value[kept_lines], bad[kept_lines]
        if "order_id" in m:
            key = key[kept_lines]
    per_row = {"amount": value.to_numpy(), "amount_bad": bad.to_numpy()}
    for role in ("refunded", "converted_amount", "converted_refunded", BALANCE_ROLE, *INCLUDED_ROLES):
        if role in money:
            per_row[role] = money[role].values.to_numpy()
    text_roles = [r for r in ("date", "email", "phone", "billing_phone", "shipping_phone", "customer", "status", "cancelled", "currency", "converted_currency", "gateway", "consent", "event_type", "description", "channel", "plan", "installment_index", "installment_total", *COUNTRY_ROLES) if r in m]
    for role in text_roles:
        per_row[role] = live[role].reset_index(drop=True)
    codes, order_keys = pd.factorize(key, sort=False) if "order_id" in m else (None, None)  # each row's order: its row in orders (and its key)
    if codes is not None:
        orders = _collapse(pd.DataFrame(per_row), codes, text_roles)
    else:  # a plain log: every row is an order, nothing to collapse (no n_rows: one row each)
        orders = pd.DataFrame(per_row, copy=False)

    # 4. Dates at order level.
    date_parsed = parse_dates(orders["date"])
    _check_bad(path, m["date"], date_parsed, orders["date"], "dates")
    orders["day"] = date_parsed.values
    notes = [f"{m['date']}: {n}" for n in date_parsed.notes] + ([service_note] if service_note else [])

    # 5. Net revenue and currency.
    net = orders["amount"] - orders["refunded"].fillna(0) if "refunded" in orders else orders["amount"].copy()
    currency = None
    use_converted = "converted_amount" in orders and orders["converted_amount"].notna().any()
    if use_converted:
        net = orders["converted_amount"] - orders.get("converted_refunded", pd.Series(0.0, index=orders.index)).fillna(0)
        net = net.where(orders["converted_amount"].notna(), orders["amount"] - orders.get("refunded", 0).fillna(0) if "refunded" in orders else orders["amount"])
        if "converted_currency" in orders:
            currencies = orders["converted_currency"].dropna().astype(str).str.upper().unique()
            currency = currencies[0] if len(currencies) == 1 else None
        notes.append(CONVERTED_NOTE)
    orders["net"] = net

    # 6. Reasons, first that applies.
    reason = Reasons(len(orders))
    source = det.source
    if "gateway" in orders:
        reason.assign(text(orders["gateway"]).str.contains(r"(?i)\bbogus\b|test gateway|\(for testing\)", regex=True), "test")
    if "cancelled" in orders:
        reason.assign(orders["cancelled"].notna(), "cancelled")
    if "status" in orders:
        keep, table = {
            "shopify_orders": (_SHOPIFY_KEEP, _SHOPIFY_STATUS),
            "stripe_payments": (_STRIPE_KEEP, _STRIPE_STATUS),
            "woocommerce_orders": (_WOO_KEEP, _WOO_STATUS),
        }.get(source, (set(), {}))
        st = _status_values(orders["status"])
        reasons = {v: _status_reason(v, keep, table, opts.include_unpaid) for v in set(st)}
        reason.assign_each(pd.Series(st, dtype=object).map(reasons).to_numpy(dtype=object))
    if "has_refund_row" in orders:  # Square: a payment refunded in full
        reason.assign(orders["has_refund_row"].to_numpy() & (orders["net"].fillna(1) <= 0).to_numpy(), "refunded")

    if not use_converted and "currency" in orders:
        cur = text(orders["currency"]).str.upper()
        alive = reason.kept
        counts = cur[alive].value_counts()
        if len(counts) > 1:
            if opts.currency is None:
                listing = ", ".join(f"{c} {n:,} orders" for c, n in counts.items())
                raise InputError(path, f"holds orders in {len(counts)} currencies ({listing}) and no converted amounts: choose one with --currency {counts.index[0]}")
            reason.assign(flag(cur != opts.currency.upper()), "other_currency")
            currency = opts.currency.upper()
        elif len(counts) == 1:
            currency = counts.index[0]
            if opts.currency and opts.currency.upper() != currency:
                raise InputError(path, f"--currency {opts.currency.upper()}: the export's orders are all in {currency}")

    order_export = source != "transactions"
    if order_export:  # a $0 order is an exchange or a replacement, not a sale
        reason.assign((orders["net"].notna() & (orders["net"] <= 0)).to_numpy(), "zero_value")
    channel = channels(orders) if "channel" in orders else None
    left_out = excluded_channels(path, channel, opts.exclude_channels) if opts.exclude_channels else None
    if left_out is not None:
        reason.assign(left_out, "excluded_channel")
    negative = (orders["net"] < 0).to_numpy() if not order_export else None
    if negative is not None and opts.exclude_returns:  # a log's returns, left out when the user asks
        reason.assign(negative, "returned")

    pseudonyms = None
    if early_identity is not None:
        identity, pseudonyms = early_identity.result()
        identity = (identity[kept_lines] if kept_lines is not None else identity).reset_index(drop=True)
    else:
        identity = _order_identity(orders, m, source)
    reason.assign(identity.isna().to_numpy(), "no_identity")
    reason.assign(orders["day"].isna().to_numpy(), f"unparseable_{m['date']}")
    reason.assign((orders["amount_bad"] | orders["net"].isna()).to_numpy(), f"unparseable_{amount_col}")

    folded, overdrawn = None, None
    recorded = orders["net"].to_numpy(dtype="float64", na_value=np.nan)  # the amounts as the rows give them, before returns come off
    if negative is not None and opts.net_returns and negative.any():  # returns come off spend, not counted as purchases
        orders["net"], folded, overdrawn = _net_returns(orders["day"].to_numpy(), orders["net"].to_numpy(dtype="float64"), identity, negative, reason)

    tests = None
    if opts.exclude_test_charges:  # before the follow-up: a test customer's unfinished checkouts are tests too
        attempt_codes = [i for i, n in enumerate(reason.names) if n in STRIPE_ATTEMPT_REASONS]
        net = orders["net"].to_numpy(dtype="float64", na_value=np.nan)
        flagged = test_charges(identity, net, reason.kept, np.isin(reason.code, attempt_codes))
        if flagged.any():
            tests = _test_charge_summary(identity, orders["day"].to_numpy(), net, reason, flagged, source)
            paid = flagged & reason.kept
            reason.relabel(paid, "test_charge")  # what they paid, and apart what they never paid: a dashboard shows the two apart
            reason.relabel(flagged & ~paid, "test_charge_unpaid")

    # 7. Payments that did not go through, followed per customer: retries fold into one
    # payment, and one paid later is not lost (ingest/payments.py).
    attempts = follow_up(identity, orders["day"].to_numpy(), orders["net"].to_numpy(dtype="float64", na_value=np.nan), reason.names, reason.code, source)

    # 8. Count and keep.
    n_rows = orders["n_rows"].to_numpy() if "n_rows" in orders else None
    dropped.update(reason.counts(weights=n_rows))
    dropped_orders.update(reason.counts())
    # What the dropped orders were worth: the revenue the segments do not see (duplicates are
    # copies of kept orders and unreadable amounts have no value, so neither adds to it; other
    # currencies' amounts do not add up with the kept ones).
    dropped_value = reason.amounts(orders["net"].to_numpy(dtype="float64", na_value=np.nan))
    dropped_value.pop("other_currency", None)
    if service_value is not None:
        dropped_value["non_product_line"] = service_value
    dropped_gross, gross_values, refund_values = None, None, None
    if "refunded" in orders or "converted_refunded" in orders:  # what they sold for: a refunded order nets to nothing
        gross = orders["converted_amount"].where(orders["converted_amount"].notna(), orders["amount"]) if use_converted else orders["amount"]
        gross_values = gross.to_numpy(dtype="float64", na_value=np.nan)
        dropped_gross = reason.amounts(gross_values)
        dropped_gross.pop("other_currency", None)
        # what each order had paid back: what it sold for less what it came to
        refund_values = gross_values - orders["net"].to_numpy(dtype="float64", na_value=np.nan)
    dropped_collected = _collected(orders, reason) if BALANCE_ROLE in orders and not use_converted else None
    kept = reason.kept
    kept_rows = int(n_rows[kept].sum()) if n_rows is not None else int(kept.sum())  # a netted return's rows are kept: its money is in its purchase
    returns_netted = int(folded.sum()) if folded is not None else 0
    if returns_netted:
        kept = kept & ~folded
        notes.append(_netted_note(returns_netted))
    if dropped_orders.get("return_without_sale"):  # said even when no return found a purchase to come off
        unmatched = reason.code == reason.names.index("return_without_sale")
        notes.append(_unmatched_returns_note(identity, unmatched, kept, dropped_orders["return_without_sale"], dropped_value.get("return_without_sale"), currency or (opts.currency.upper() if opts.currency else None)))
    installments = None
    if "description" in orders or "installment_index" in orders:  # a later installment is no new order
        installments, kept = _fold_installments(orders, kept, identity)
    if kept.all():  # plain logs usually keep every row: no copies
        out = pd.DataFrame({"identity": identity.reset_index(drop=True), "date": orders["day"].to_numpy(), "amount": orders["net"].to_numpy()}, copy=False)
    else:
        out = pd.DataFrame({"identity": identity[kept].reset_index(drop=True), "date": orders["day"].to_numpy()[kept], "amount": orders["net"].to_numpy()[kept]})
    if refund_values is not None:  # a kept order's refunds: it was refunded in part (facts' refunds by segment)
        out["refunded"] = np.nan_to_num(refund_values[kept], nan=0.0)
    by_channel = channel_figures(channel[kept], out["amount"].to_numpy(dtype="float64", na_value=np.nan), out["identity"]) if channel is not None else None
    marketplace = marketplace_summary(channel[kept], out["identity"], orders["email"][kept].reset_index(drop=True) if "email" in orders else None) if channel is not None else None
    excluded, excluded_only = None, None
    if left_out is not None:
        excluded, excluded_only = excluded_channel_summary(channel, left_out, reason.having("excluded_channel"), identity, out["identity"])
        if excluded["orders"]:
            notes.append(excluded_channel_note(excluded))
    recurring = None
    if "description" in orders:
        billed = billed_by_subscription(orders)
        recurring = recurring_summary(orders, identity, kept, billed & kept)
        if recurring is not None:  # each kept payment says whether a subscription billed it: lifecycle reads the billing cycle
            out["recurring"] = billed[kept]
            if "plan" in orders:  # and the cycle its plan's name states ('pro_annual'), 0 where it states none
                out["plan_cycle"] = plan_cycle_days(orders["plan"])[kept]
    lines = product_lines(live["product_name"], codes, kept, negative) if "product_name" in m else None
    countries = order_countries(orders.loc[kept, roles], roles) if (roles := country_roles(m)) else None
    has_contacts = "email" in orders or "consent" in orders
    contacts = _contacts(orders, identity, kept, m, source, order_keys) if has_contacts else None
    never_paid = _contacts(orders, identity, attempts.never_paid, m, source, order_keys) if has_contacts and attempts is not None and attempts.never_paid.any() else None
    issues = _issue_counts(identity, reason, attempts.failed_per_row if attempts is not None else None, gross_values, refund_values)
    warnings = []
    if negative is not None and not (opts.exclude_returns or opts.net_returns) and negative.any():  # most logs have none: no extra pass
        warnings.extend(_returns_warning(out, negative[kept]))
    if negative is not None:  # a log keeps its 0.00 rows as purchases: said, so 'nothing left out' hides nothing
        notes.extend(_zero_amount_notes(recorded[kept], orders["net"].to_numpy(dtype="float64", na_value=np.nan)[kept]))
    currency = currency or (money["amount"].currency_hint if "amount" in money else None) or _label(opts)
    if overdrawn is not None and overdrawn.purchases:
        warnings.append(_overdrawn_warning(overdrawn, currency))
    notes.extend(_included_note(orders, kept, m, currency))
    if tests is not None:
        notes.append(_test_charge_note(tests, dropped, currency))
    if "unpaid" in dropped and not opts.include_unpaid:
        n = dropped_orders["unpaid"]
        warnings.append(f"{n:,} {'order' if n == 1 else 'orders'} not fully paid (pending, authorized, on hold or partly paid) {'is' if n == 1 else 'are'} not counted; add --include-unpaid to count {'it' if n == 1 else 'them'}")
    if marketplace:
        warnings.extend(marketplace_warning(marketplace, int(kept.sum()), MIN_CUSTOMERS_TO_SEGMENT))
    warnings.extend(installment_warning(installments, currency))
    cleaned = Cleaned(
        kind="transactions",
        rows=rows,
        kept_rows=kept_rows,
        dropped=dropped,
        dropped_orders=dropped_orders if det.spec.line_items and "order_id" in m else None,
        dropped_value=dropped_value,
        dropped_gross=dropped_gross,
        dropped_collected=dropped_collected,
        orders=out,
        lines=lines,
        countries=countries,
        contacts=contacts,
        issues=issues,
        failed_payments=attempts.summary if attempts is not None else None,
        outstanding=outstanding_per_identity(identity.reset_index(drop=True), attempts) if attempts is not None else None,
        recurring=recurring,
        installments=installments,
        by_channel=by_channel,
        marketplace=marketplace,
        excluded_channels=excluded,
        excluded_only=excluded_only,
        never_paid_contacts=never_paid,
        pseudonyms=pseudonyms,
        returns_netted=returns_netted,
        test_charges=tests,
        currency=currency,
        notes=notes,
        warnings=warnings,
    )
    cleaned.check()
    return cleaned


# A customer whose whole spend is under this share of the median customer's looks like a
# card test (a trial's Stripe export: 1.00, four charges of about 1.10, three of about 1.50
# against a median of 300.00). 1% caught only the first; 2% caught all three, not the next (16.00).
TEST_CHARGE_SHARE = 0.02


def test_charge_customers(spend: np.ndarray) -> tuple[np.ndarray, float]:
    """Which customers (their total spend, one each) look like card tests, and the median
    customer's spend the cut is a share of."""
    median = float(np.median(spend)) if len(spend) else 0.0
    if median <= 0:
        return np.zeros(len(spend), dtype=bool), median
    return spend < TEST_CHARGE_SHARE * median, median


def _included_note(orders: pd.DataFrame, kept: np.ndarray, m: dict[str, str], currency: str | None) -> list[str]:
    """'Revenue counts each order's Total, which includes shipping (...) and taxes (...)'."""
    parts = [(m[r], float(np.nansum(orders[r].to_numpy(dtype="float64", na_value=np.nan)[kept]))) for r in INCLUDED_ROLES if r in orders]
    parts = [(col, value) for col, value in parts if value]
    if not parts:
        return []
    unit = f" {currency}" if currency else ""
    listing = " and ".join(f"{col} ({value:,.2f}{unit})" for col, value in parts)
    return [f"revenue counts each order's {m['amount']}, which includes {listing} on the kept orders: a net-sales report that leaves them out (Shopify's Net sales) shows less than this revenue"]


def _test_charge_summary(identity: pd.Series, day: np.ndarray, net: np.ndarray, reason: Reasons, flagged: np.ndarray, source: str) -> dict:
    """facts' data.test_charges: the test customers' payments and their failed or unfinished
    checkouts, counts and amounts apart (a checkout of 3,000 that never went through is not
    3,000 of test spend), and the payments of those checkouts still outstanding once retries
    count once and payments made later come off (ingest/payments.py, on the test customers'
    rows as they were before being left out): the outstanding totals leave them out with them."""
    paid, tried = flagged & reason.kept, flagged & ~reason.kept
    theirs = identity.isin(identity[flagged].unique()).to_numpy()
    follow = follow_up(identity[theirs].reset_index(drop=True), day[theirs], net[theirs], reason.names, reason.code[theirs], source)
    owed = follow.summary if follow is not None else {}
    return {
        "customers": int(identity[flagged].nunique()),
        "payments": int(paid.sum()),
        "paid_value": round(float(np.nansum(net[paid])), 2),
        "unpaid_checkouts": int(tried.sum()),
        "unpaid_value": round(float(np.nansum(net[tried])), 2),
        "outstanding_payments": int(owed.get("outstanding", 0)),
        "outstanding_value": owed.get("outstanding_value") or 0.0,
    }


def _test_charge_note(tests: dict, dropped: Counter, currency: str | None) -> str:
    """'--exclude-test-charges left out 3 customers ...: 10 rows, 8 payments (9.97 USD) and 2
    failed or unfinished checkouts (6,000.00 USD, never paid); of those checkouts, 1 payment
    (3,000.00 USD) was outstanding ...'."""
    unit = f" {currency}" if currency else ""
    n, paid, tried = tests["customers"], tests["payments"], tests["unpaid_checkouts"]
    rows = dropped.get("test_charge", 0) + dropped.get("test_charge_unpaid", 0)
    text = (f"--exclude-test-charges left out {n:,} {'customer' if n == 1 else 'customers'} whose whole spend was under {TEST_CHARGE_SHARE:.0%} of the median customer's: "
            f"{rows:,} rows, {paid:,} {'payment' if paid == 1 else 'payments'} ({tests['paid_value']:,.2f}{unit})")
    if tried:
        text += f" and {tried:,} failed or unfinished {'checkout' if tried == 1 else 'checkouts'} ({tests['unpaid_value']:,.2f}{unit}, never paid)"
    owed = tests["outstanding_payments"]
    if owed:
        text += (f"; of those checkouts, {owed:,} {'payment' if owed == 1 else 'payments'} ({tests['outstanding_value']:,.2f}{unit}) {'was' if owed == 1 else 'were'} outstanding "
                 "(not paid later, retries counted once): left out of the outstanding payments with their customers, as a test customer owes nothing")
    return text


def test_charges(identity: pd.Series, net: np.ndarray, kept: np.ndarray, attempts: np.ndarray) -> np.ndarray:
    """--exclude-test-charges: the kept orders of customers whose kept orders together come to
    less than TEST_CHARGE_SHARE of the median customer's, and their failed or unfinished
    payments (``attempts``): a test customer owes nothing."""
    who = pd.factorize(identity.reset_index(drop=True), use_na_sentinel=True)[0]
    counted = kept & (who >= 0)
    spend = np.bincount(who[counted], weights=np.nan_to_num(net[counted]), minlength=who.max() + 1 if len(who) else 0)
    buyers = np.bincount(who[counted], minlength=len(spend)) > 0
    flagged = np.zeros(len(spend), dtype=bool)
    flagged[buyers] = test_charge_customers(spend[buyers])[0]
    return (who >= 0) & flagged[np.where(who >= 0, who, 0)] & (kept | attempts)


def _fold_installments(orders: pd.DataFrame, kept: np.ndarray, identity: pd.Series) -> tuple[dict | None, np.ndarray]:
    """Later installments of a purchase paid in parts: each one's money is added to the kept
    payment that started its purchase (``orders["net"]``), and it leaves the kept orders, so
    it adds spend but neither an order nor a purchase day (kept_rows still counts it, like a
    netted return). Returns what they were (None when none) and the kept orders without them."""
    later = later_installments(orders)[kept]
    if not later.any():
        return None, kept
    rows = np.flatnonzero(kept)
    who = pd.factorize(identity[kept].reset_index(drop=True), use_na_sentinel=True)[0]
    day = orders["day"].to_numpy()[kept]
    net = orders["net"].to_numpy(dtype="float64", na_value=np.nan)
    start = purchase_starts(day, who, later)
    summary = installment_summary(net[kept], who, later, day, day[start])
    moved = start != np.arange(len(start))
    folded = net.copy()
    np.add.at(folded, rows[start[moved]], net[rows[moved]])
    orders["net"] = folded
    kept = kept.copy()
    kept[rows[moved]] = False
    return summary, kept


SERVICE_CODES_NAMED = 5  # the non-product codes the note names, most lines first; the rest are counted together


def _service_lines(codes: pd.Series) -> np.ndarray:
    """Which lines book a service (postage, a fee, an adjustment), not a product: by code."""
    return text(codes).str.strip().str.upper().isin(SERVICE_CODES).to_numpy()


def _service_note(codes: pd.Series, value: float, only_service: int, invoices: bool) -> str:
    top = text(codes).str.strip().str.upper().value_counts()
    listing = ", ".join(f"{c} {n:,}" for c, n in top.head(SERVICE_CODES_NAMED).items())
    others = top.iloc[SERVICE_CODES_NAMED:]
    if len(others):  # the parts add up to the lines counted (a trial's five codes summed to 101 of 104)
        listing += f", and {int(others.sum()):,} more {'line' if others.sum() == 1 else 'lines'} of {len(others):,} other {'code' if len(others) == 1 else 'codes'}"
    rest = f"; {only_service:,} {'invoices' if invoices else 'rows'} held nothing else and {'are' if only_service != 1 else 'is'} not counted as {'orders' if invoices else 'purchases'}" if only_service else ""
    return f"{len(codes):,} lines of {SERVICE_WORDS} ({listing}) are not products a customer bought: left out of spend (together {value:,.2f}){rest}"


@dataclass
class Overdrawn:
    """--net-returns: purchases a return took below zero, and what came of it."""

    purchases: int = 0  # purchases a return brought below zero (the return was larger than the purchase it came off)
    customers: int = 0  # of their customers, those whose returns came to more than all they bought before them in the data
    value: float = 0.0  # by how much, together: left out of spend (the sale was before the data began)


def _net_returns(day: np.ndarray, net: np.ndarray, identity: pd.Series, negative: np.ndarray, reason: Reasons) -> tuple[np.ndarray, np.ndarray, Overdrawn]:
    """--net-returns: each kept return (an order with a negative amount) is added to the same
    customer's latest kept purchase on or before its day, so spend is net of it while orders and
    purchase days count sales only. A return with no earlier purchase in the data (its sale fell
    before the data starts) is dropped as 'return_without_sale'. A purchase a return takes below
    zero passes the rest on to the customer's earlier purchases (:func:`_carry_back`), so no
    purchase and no customer's spend is below zero. Returns the new net amounts, the mask of
    returns folded into a purchase, and the purchases that went below zero."""
    kept = reason.kept
    ids = identity.to_numpy()
    returns = np.flatnonzero(negative & kept)
    sales = np.flatnonzero(~negative & kept)
    left = pd.DataFrame({"day": day[returns], "who": ids[returns], "row": returns}).sort_values(["day", "row"], kind="stable")
    right = pd.DataFrame({"day": day[sales], "who": ids[sales], "target": sales}).sort_values(["day", "target"], kind="stable")
    matched = pd.merge_asof(left, right, on="day", by="who", direction="backward", allow_exact_matches=True)
    has_sale = matched["target"].notna().to_numpy()
    orphan = np.zeros(len(net), dtype=bool)
    orphan[matched["row"].to_numpy()[~has_sale]] = True
    reason.assign(orphan, "return_without_sale")
    folded = np.zeros(len(net), dtype=bool)
    rows = matched["row"].to_numpy()[has_sale]
    folded[rows] = True
    out = net.copy()
    np.add.at(out, matched["target"].to_numpy()[has_sale].astype(np.int64), net[rows])
    return out, folded, _carry_back(out, day, ids, sales)


def _carry_back(out: np.ndarray, day: np.ndarray, ids: np.ndarray, sales: np.ndarray) -> Overdrawn:
    """A purchase below zero once its returns came off (a return of something bought earlier)
    goes to 0.00 and passes what is left to the same customer's earlier purchases, latest first,
    in place in ``out``. What is left past their first purchase in the data was bought before
    the data began: it is left out of spend, as a return with no earlier purchase is, so no
    customer's spend is below zero (a negative spend would rank under every buyer's)."""
    below = sales[out[sales] < 0]
    if not len(below):
        return Overdrawn()
    theirs = sales[pd.Series(ids[sales]).isin(pd.unique(ids[below])).to_numpy()]
    chain = pd.DataFrame({"who": ids[theirs], "day": day[theirs], "row": theirs, "amount": out[theirs]})
    chain = chain.sort_values(["who", "day", "row"], ascending=[True, False, False], kind="stable")
    # The carry into each purchase, latest first: w[j+1] = max(0, w[j] - amount[j]), w[0] = 0,
    # which is the running sum of -amount before j less its running minimum (its first value, 0, included).
    owed = -chain["amount"]
    before = owed.groupby(chain["who"], sort=False).cumsum() - owed
    carry = (before - before.groupby(chain["who"], sort=False).cummin()).to_numpy()
    amount = chain["amount"].to_numpy()
    out[chain["row"].to_numpy()] = np.round(np.maximum(amount - carry, 0.0), 2)  # to the cent: a purchase returned in full is 0.00, not 1e-14
    past_first = np.maximum(carry - amount, 0.0)[~chain["who"].duplicated(keep="last").to_numpy()]  # left after each customer's earliest purchase
    past_first = past_first[past_first > 0.005]
    return Overdrawn(int(len(below)), int(len(past_first)), round(float(past_first.sum()), 2))


def _zero_amount_notes(recorded: np.ndarray, net: np.ndarray) -> list[str]:
    """The kept purchases at 0.00: those the rows record at 0.00, and apart from them those a
    return (--net-returns) brought to 0.00, which are no free items (a trial's report said
    7 rows had an amount of 0.00 where the file held 1)."""
    zero = int((recorded == 0).sum())
    netted = int(((net == 0) & (recorded != 0)).sum())
    notes = []
    if zero:
        notes.append(f"{zero:,} {'row has' if zero == 1 else 'rows have'} an amount of 0.00 (a free item, a replacement or a sample?): kept as {'a purchase' if zero == 1 else 'purchases'} on {'its' if zero == 1 else 'their'} day, adding nothing to spend")
    if netted:
        notes.append(f"{netted:,} {'purchase comes' if netted == 1 else 'purchases come'} to 0.00 once the returns came off {'it' if netted == 1 else 'them'} (--net-returns): "
                     f"kept as {'a purchase' if netted == 1 else 'purchases'} on {'its' if netted == 1 else 'their'} day, adding nothing to spend")
    return notes


def _overdrawn_warning(over: Overdrawn, currency: str | None) -> str:
    """--net-returns: purchases a return took below zero, said in numbers (a trial's UCI log
    had customers whose spend came out negative, ranked below every buyer)."""
    n = over.purchases
    text = (f"{n:,} {'purchase' if n == 1 else 'purchases'} came to below zero once {'its' if n == 1 else 'their'} returns came off (--net-returns: "
            f"a return larger than the purchase it came off): {'it counts' if n == 1 else 'each counts'} 0.00 and the rest came off the same customer's earlier purchases, latest first, "
            "so no purchase and no customer's spend is below zero")
    if over.customers:
        unit = f" {currency}" if currency else ""
        whom = "1 customer" if over.customers == 1 else f"{over.customers:,} customers"
        text += (f"; for {whom} the rest was more than all they bought before the return, {over.value:,.2f}{unit} in all (returns of purchases from before the data began): "
                 "it is left out of revenue, as returns with no earlier purchase are, so revenue is that much above the export's own net total")
    return text


def _netted_note(n: int) -> str:
    return (f"{n:,} {'return' if n == 1 else 'returns'} (orders with a negative amount) came off the same customer's latest purchase on or before "
            f"{'its' if n == 1 else 'their'} day (--net-returns): spend is net of returns, and orders and purchase days count sales only")


def _unmatched_returns_note(identity: pd.Series, unmatched: np.ndarray, kept: np.ndarray, n: int, value: float | None, currency: str | None) -> str:
    """Returns with no earlier purchase in the data (a sale from before the export) are left
    out: revenue is that much above the export's own net total, and customers who only
    returned are in no segment. Said in numbers, since the user confirmed the totals before."""
    ids = identity.reset_index(drop=True)
    returners = pd.Index(ids[unmatched].dropna().unique())
    only_returned = int((~returners.isin(ids[kept].dropna())).sum())
    worth = f" worth {abs(value):,.2f}{' ' + currency if currency else ''}" if value else ""
    who = f"; {only_returned:,} {'customer' if only_returned == 1 else 'customers'} had nothing but such returns and {'is' if only_returned == 1 else 'are'} in no segment" if only_returned else ""
    return (f"{n:,} {'return' if n == 1 else 'returns'}{worth} had no earlier purchase in the data to come off (the sale was before the export began) and "
            f"{'is' if n == 1 else 'are'} left out, so revenue is that much above the export's own net total{who}")


def _returns_warning(orders: pd.DataFrame, negative: np.ndarray) -> list[str]:
    """A log that records returns and cancellations as negative rows (UCI's 'C' invoices)
    counts them as orders, as the contract says: say how many, and whom they leave with
    nothing spent, so the user can choose --exclude-returns."""
    n = int(negative.sum())
    if not n:
        return []
    codes = pd.factorize(orders["identity"], sort=False)[0]
    net = np.bincount(codes[codes >= 0], weights=orders["amount"].to_numpy()[codes >= 0])
    broke_even = int((net <= 0).sum())
    whose = "customer's" if broke_even == 1 else "customers'"
    return [
        f"{n:,} of {len(orders):,} orders have a negative amount (returns or cancellations the log records as rows): they count as orders "
        f"on their day and net against spend, so {broke_even:,} {whose} net spend is zero or below; add --net-returns to take them off spend without counting them as purchases, or --exclude-returns to leave them out"
    ]


def product_lines(names: pd.Series, codes: np.ndarray | None, kept: np.ndarray, returns: np.ndarray | None = None) -> pd.DataFrame:
    """The kept orders' lines that name a product: ``order`` is the order's row among the kept
    orders (Cleaned.orders), ``product`` its trimmed name. ``codes`` gives each row's order
    (None: every row is an order of its own); a log's ``returns`` (orders with a negative
    amount, kept to come off spend) name what came back, not what anyone bought."""
    order = codes if codes is not None else np.arange(len(names))
    position = np.cumsum(kept) - 1  # an order's row among the kept ones
    product = text(names).reset_index(drop=True)
    bought = kept & ~returns if returns is not None else kept
    named = product.notna().to_numpy() & bought[order]
    return pd.DataFrame({"order": position[order][named], "product": product[named].reset_index(drop=True)})  # Arrow strings: no copy per line


def _collected(orders: pd.DataFrame, reason: Reasons) -> dict[str, float]:
    """Per drop reason, the money its orders actually brought in: the total less what was
    refunded and less what is still outstanding (Shopify's Outstanding Balance: a cancelled,
    voided or pending order's unpaid total, a partly paid order's rest). An order's net amount
    counts money never collected; this does not. A blank balance or refund is nothing owed or
    paid back; an order whose total cannot be read adds nothing. Negative where more was paid
    back than collected (a refund above the total)."""
    owed = orders[BALANCE_ROLE].fillna(0)
    collected = orders["amount"] - orders["refunded"].fillna(0) - owed if "refunded" in orders else orders["amount"] - owed
    values = np.where(orders["amount_bad"].to_numpy(dtype=bool), np.nan, collected.to_numpy(dtype="float64", na_value=np.nan))
    out = reason.amounts(values)
    out.pop("other_currency", None)
    return {k: v + 0.0 for k, v in out.items()}  # no -0.00 from cents that cancel out


def _collapse(per_row: pd.DataFrame, codes: np.ndarray, text_roles: list[str]) -> pd.DataFrame:
    """Rows of one order -> one row: text from the first row that has it, money summed."""
    per_row["code"] = codes
    grouped = per_row.groupby("code", sort=True)
    orders = grouped[text_roles].first() if text_roles else pd.DataFrame(index=np.unique(codes))
    sums = grouped[[c for c in per_row.columns if c in ("amount", "refunded", "converted_amount", "converted_refunded", BALANCE_ROLE, *INCLUDED_ROLES)]].sum(min_count=1)
    orders = orders.join(sums)
    orders["amount_bad"] = grouped["amount_bad"].any()
    orders["n_rows"] = grouped.size()
    if "event_type" in orders:
        orders["has_refund_row"] = grouped["event_type"].agg(lambda s: s.astype(str).str.lower().str.contains("refund").any())
    return orders.reset_index(drop=True)


def _label(opts: Options) -> str | None:
    """--currency names the currency of an export that does not say it."""
    return opts.currency.upper() if opts.currency else None


def _single_currency(frame: pd.DataFrame, kept: np.ndarray) -> str | None:
    if "currency" not in frame:
        return None
    values = {str(v).strip().upper() for v in pd.unique(frame["currency"].to_numpy()[kept]) if isinstance(v, str) and v.strip()}
    return values.pop() if len(values) == 1 else None


def _status_values(column: pd.Series) -> np.ndarray:
    """Statuses lower-cased, WooCommerce's wc- prefix dropped, missing as None."""
    return lower_values(text(column).str.replace(r"^wc-", "", regex=True))


def _status_reason(status: str | None, keep: set, table: dict, include_unpaid: bool) -> str:
    """The drop reason a status gives ('' to keep). Statuses no rule names drop under their own name."""
    if not keep:  # a source without a status vocabulary: the status decides nothing
        return ""
    if not isinstance(status, str):
        return "no_status"
    if status in keep:
        return ""
    mapped = table.get(status)
    if mapped == "unpaid" and include_unpaid:
        return ""
    return mapped or _reason_name(status)


def _reason_name(status: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in status).strip("_") or "unknown_status"


def _order_identity(orders: pd.DataFrame, m: dict[str, str], source: str) -> pd.Series:
    """DESIGN.md identity: email first; then phone (Shopify) or the customer id."""
    parts = []
    if "email" in orders:
        parts.append(prefixed(normalize_email(orders["email"]), "e:"))
    if source == "shopify_orders":
        for role in ("phone", "billing_phone", "shipping_phone"):
            if role in orders:
                parts.append(prefixed(normalize_phone(orders[role]), "p:"))
    if "customer" in orders:
        if _plain_identity(m, source):  # one pass per distinct customer
            return identity_column(orders["customer"], "i:", normalize=True)
        parts.append(prefixed(_own_ids(orders["customer"], source), "i:"))
    if not parts:
        return pd.Series(pd.NA, index=orders.index, dtype="string[pyarrow]")
    return first_present(*parts)


def _early_identity(column: pd.Series, key: str | None) -> tuple[pd.Series, Pseudonyms | None]:
    identity = identity_column(column, "i:", True)
    return identity, prepare(identity.cat.categories, key) if key else None


def _plain_identity(m: dict[str, str], source: str) -> bool:
    """Whether the identity is the mapped customer column alone (no email or phone to prefer:
    only Shopify's phones identify a customer; a Stripe metadata phone is for the CRM files)."""
    phones = source == "shopify_orders" and any(r in m for r in ("phone", "billing_phone", "shipping_phone"))
    return "customer" in m and "email" not in m and not phones and source != "woocommerce_orders"


def _issue_counts(identity: pd.Series, reason: Reasons, failed: np.ndarray | None = None, gross: np.ndarray | None = None, refund: np.ndarray | None = None) -> pd.DataFrame | None:
    """Failed payments and refunded orders per identity: signals for the health score.
    ``failed``: one flag per declined payment (its retries fold into it), from ingest/payments.py.
    ``gross`` and ``refund`` (exports with a refunds column): each order's amount before refunds
    and what it had paid back, summed over each identity's fully refunded orders as
    ``refunded_charged`` and ``refunded_value`` (facts' refunds by segment)."""
    if "failed" not in reason.names and "refunded" not in reason.names:
        return None
    labels = reason.labels()
    refunded = labels == "refunded"
    values = None
    if gross is not None and refund is not None:
        values = {"refunded_charged": np.where(refunded, np.nan_to_num(gross, nan=0.0), 0.0), "refunded_value": np.where(refunded, np.nan_to_num(refund, nan=0.0), 0.0)}
    return _issues_per_identity(identity.to_numpy(dtype=object, na_value=None), labels == "failed" if failed is None else failed, refunded, values)


def _issues_per_identity(identity: np.ndarray, failed: np.ndarray, refunded: np.ndarray, values: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """identity, failed, refunded: how many failed payments and refunds each identity had;
    with ``values``, those amount columns summed per identity too."""
    frame = pd.DataFrame({"identity": identity, "failed": failed, "refunded": refunded, **(values or {})})
    frame = frame[frame["identity"].notna() & (frame["failed"] | frame["refunded"])]
    grouped = frame.groupby("identity", sort=True)
    out = grouped[["failed", "refunded"]].sum().astype(np.int64)
    if values:
        out = out.join(grouped[list(values)].sum().round(2))
    return out.reset_index()


def _contacts(orders: pd.DataFrame, identity: pd.Series, kept: np.ndarray, m: dict[str, str], source: str, order_keys=None) -> pd.DataFrame:
    """Email and consent per identity, from each customer's latest kept order, and the
    export's own customer id there (``own_id``) when it has a customer column.

    Latest by the full timestamp: of two orders on one day, the later one's consent is the
    customer's word (exports list newest first, so the row order says the opposite); orders
    of the same second, or whose cells give no time, go by the order number, else the later row."""
    frame = pd.DataFrame(
        {
            "identity": identity[kept].reset_index(drop=True),
            "day": orders["day"].to_numpy()[kept],
            "email": normalize_email(orders["email"]).to_numpy()[kept] if "email" in orders else None,
            "consent": parse_flag(orders["consent"]).to_numpy()[kept] if "consent" in orders else pd.array([pd.NA] * int(kept.sum()), dtype="boolean"),
        }
    )
    if "customer" in orders:
        frame["own_id"] = _own_ids(orders["customer"], source).to_numpy(dtype=object, na_value=None)[kept]
    phones = _order_phones(orders)
    if phones is not None:
        frame["phone"] = phones.to_numpy(dtype=object, na_value=None)[kept]
    keys = None if order_keys is None else np.asarray(order_keys, dtype=object)[np.flatnonzero(kept)]
    frame = frame.sort_values(["day", *_same_day_order(frame, orders["date"][kept], keys)], kind="stable", na_position="first")
    frame = frame.drop(columns=["clock", "number"], errors="ignore")
    latest = frame.drop_duplicates("identity", keep="last")
    if phones is not None:  # the latest order's phone, else an earlier one's: an order without one does not erase it
        latest = latest.assign(phone=latest["identity"].map(frame.groupby("identity", sort=False, observed=True)["phone"].last()).to_numpy(dtype=object))
    return latest.drop(columns="day").reset_index(drop=True)


_ORDER_NUMBER = re.compile(r"^\D{0,6}(\d{1,15})\D{0,6}$")  # #5073, 5073, MF-5073-A: not a Stripe ch_3Nab... id


def _same_day_order(frame: pd.DataFrame, dates: pd.Series, keys: np.ndarray | None) -> list[str]:
    """Adds ``clock`` and ``number`` to the frame for the orders that share a customer's last
    purchase day with another of theirs (the only ones whose order within the day matters):
    the timestamp's seconds, then the order key's number when every such key is a plain number
    (Shopify's #5073 after #5071). Returns the columns to sort by after the day."""
    last = frame.groupby("identity", sort=False)["day"].transform("max").to_numpy()
    on_last = frame["day"].to_numpy() == last
    same = on_last & pd.DataFrame({"identity": frame["identity"], "on": on_last}).duplicated(keep=False).to_numpy()
    if not same.any():
        return []
    rows = np.flatnonzero(same)
    clock = np.full(len(frame), np.nan)
    clock[rows] = clock_seconds(dates.iloc[rows])
    frame["clock"] = clock
    columns = ["clock"]
    if keys is not None:
        numbers = pd.Series(keys[rows], dtype=object).astype(str).str.extract(_ORDER_NUMBER, expand=False)
        if numbers.notna().all():
            number = np.full(len(frame), np.nan)
            number[rows] = numbers.astype("int64").to_numpy()
            frame["number"] = number
            columns.append("number")
    return columns


def _order_phones(orders: pd.DataFrame) -> pd.Series | None:
    """Each order's phone for the CRM files, normalized as the identity reads it: the order's
    Phone, else its billing phone (the buyer's), else its shipping phone (maybe a gift's
    recipient, so last). None when the export has no phone column."""
    parts = [normalize_phone(orders[role]) for role in ("phone", "billing_phone", "shipping_phone") if role in orders]
    return first_present(*parts) if parts else None


def _own_ids(column: pd.Series, source: str) -> pd.Series:
    """The export's own customer ids as the identity reads them (missing for WooCommerce's guest 0)."""
    cust = customer_ids(column)
    return cust.mask(cust == "0") if source == "woocommerce_orders" else cust


# -- events ------------------------------------------------------------------------------


def clean_events(frame: pd.DataFrame, det: Detection, opts: Options, path: str, malformed: int = 0) -> Cleaned:
    m = det.mapping
    rows = len(frame) + malformed
    dropped: Counter = Counter({"malformed_row": malformed} if malformed else {})
    ident = identity_column(frame["customer"], "i:", normalize=False)
    event = text(frame["event"])
    dates = parse_dates(frame["date"])
    _check_bad(path, m["date"], dates, frame["date"], "timestamps")
    reason = Reasons(len(frame))
    reason.assign(ident.isna(), "no_identity")
    reason.assign(event.isna(), f"unparseable_{m['event']}")
    reason.assign(dates.values.isna(), f"unparseable_{m['date']}")
    revenue = None
    if "revenue" in m:
        revenue = parse_money(frame["revenue"])
        reason.assign(revenue.bad, f"unparseable_{m['revenue']}")
    dropped.update(reason.counts())
    kept = reason.kept
    events = pd.DataFrame({"identity": ident[kept].reset_index(drop=True), "date": dates.values.to_numpy()[kept], "event": event.to_numpy()[kept]})
    names = pd.Series(events["event"].to_numpy(dtype=object))
    counts = names.value_counts()
    named = _purchase_names(counts, opts.purchase_events, path)
    rev = revenue.values.to_numpy()[kept] if revenue is not None else None
    if named or rev is None:  # the purchase events; their revenue, when the log has a column for it
        purchase = names.isin(named).to_numpy()
        amounts = np.nan_to_num(rev[purchase], nan=0.0) if rev is not None else np.full(int(purchase.sum()), np.nan)
    else:  # no event is named a purchase: the events that carry revenue are
        purchase = ~np.isnan(rev) & (rev != 0)
        amounts = rev[purchase]
    orders = pd.DataFrame({"identity": events["identity"][purchase].reset_index(drop=True), "date": events["date"].to_numpy()[purchase], "amount": amounts})
    notes = [f"{m['date']}: {n}" for n in dates.notes]
    if revenue is None:
        notes.append("no revenue column: purchases are counted from purchase events, without amounts")
    issues, failed, refunds = _event_issues(events, names, counts, named)
    if failed or refunds:
        listing = ", ".join(f"{name} {n:,}" for name, n in {**failed, **refunds}.items())
        notes.append(f"payment problems counted from events for the health score: {listing}")
    activity, not_activity = _activity_events(events, names, counts, named)
    subscriptions = _subscription_events(events, names, counts, named)
    if not_activity:
        listing = ", ".join(f"{name} {n:,}" for name, n in not_activity.items())
        notes.append(f"events not counted as activity (leaving, or done by a system): {listing}")
    cleaned = Cleaned(
        kind="events",
        rows=rows,
        kept_rows=int(kept.sum()),
        dropped=dropped,
        orders=orders,
        events=activity,
        contacts=_event_contacts(events, normalize_email(frame["email"]).to_numpy()[kept]) if "email" in m else None,
        currency=_single_currency(frame, kept) or (revenue.currency_hint if revenue is not None else None) or _label(opts),
        has_revenue=revenue is not None,
        notes=notes,
        issues=issues,
        payment_problem_events=failed or None,
        purchase_events={str(k): int(v) for k, v in names[purchase].value_counts().items()},
        not_activity_events=not_activity,
        subscriptions=subscriptions,
    )
    cleaned.check()
    return cleaned


def _event_contacts(events: pd.DataFrame, emails: np.ndarray) -> pd.DataFrame:
    """identity, email, consent per user: the email of their latest event that has one (the
    same user can change it); consent is unknown, as event logs do not carry it."""
    frame = pd.DataFrame({"identity": events["identity"].to_numpy(), "date": events["date"].to_numpy(), "email": emails})
    frame = frame[frame["email"].notna().to_numpy()].sort_values("date", kind="stable").drop_duplicates("identity", keep="last")
    frame["consent"] = pd.array([pd.NA] * len(frame), dtype="boolean")
    return frame.drop(columns="date").reset_index(drop=True)


def _subscription_events(events: pd.DataFrame, names: pd.Series, counts: pd.Series, purchases: list[str]) -> pd.DataFrame | None:
    """identity, date, event, ended: the events that end or (re)start an account, in time
    order; None when no event ends one."""
    index = counts.index.to_series().astype(str)
    ended_names = {n for n, hit in zip(counts.index, index.str.contains(_ACCOUNT_ENDED)) if hit} - set(purchases)
    if not ended_names:
        return None
    started_names = {n for n, hit in zip(counts.index, index.str.contains(_ACCOUNT_STARTED)) if hit} - ended_names
    rows = names.isin(ended_names | started_names).to_numpy()
    table = pd.DataFrame({"identity": events["identity"].to_numpy()[rows], "date": events["date"].to_numpy()[rows], "event": names.to_numpy()[rows]})
    table["ended"] = table["event"].isin(ended_names).to_numpy()
    return table.sort_values("date", kind="stable").reset_index(drop=True)


def _activity_events(events: pd.DataFrame, names: pd.Series, counts: pd.Series, purchases: list[str]) -> tuple[pd.DataFrame, dict[str, int]]:
    """The events that are activity, and how many of each name were not (purchases always are).
    A user whose every event is one that is not activity keeps them: left out, they would
    vanish from the segments (their lifecycle then shows how they left)."""
    index = counts.index.to_series().astype(str)
    quiet_names = {n for n, hit in zip(counts.index, index.str.contains(_NOT_ACTIVITY)) if hit} - set(purchases)
    if not quiet_names:
        return events, {}
    quiet = names.isin(quiet_names).to_numpy()
    active_users = pd.unique(events["identity"].to_numpy()[~quiet])
    kept = ~quiet | ~events["identity"].isin(active_users).to_numpy()
    return events[kept].reset_index(drop=True), {str(n): int(counts[n]) for n in counts.index if n in quiet_names}


def _purchase_names(counts: pd.Series, chosen: list[str] | None, path: str) -> list[str]:
    """The event names that count as purchases: the user's (--purchase-event), else those named
    like one (order completed, purchase) and not like a failed or unfinished one."""
    if chosen:
        wanted = {c.strip().lower() for c in chosen}
        found = [n for n in counts.index if str(n).lower() in wanted]
        missing = sorted(wanted - {str(n).lower() for n in found})
        if missing:
            common = ", ".join(f"{n} ({c:,})" for n, c in counts.head(12).items())
            raise InputError(path, f"--purchase-event {missing[0]!r}: no event has that name; the most frequent events are {common}")
        return found
    index = counts.index.to_series().astype(str)
    return [n for n, ok in zip(counts.index, index.str.contains(_PURCHASE_EVENT) & ~index.str.contains(_NOT_A_PURCHASE)) if ok]


def _event_issues(events: pd.DataFrame, names: pd.Series, counts: pd.Series, purchases: list[str]) -> tuple[pd.DataFrame | None, dict[str, int], dict[str, int]]:
    """Failed payments and refunds per identity from events named like them (payment_error,
    checkout_bug, order_refunded), and how many of each name were counted: the failed ones,
    and the refunds."""
    index = counts.index.to_series().astype(str)
    failed = {n for n, ok in zip(counts.index, index.str.contains(_PAYMENT_WORDS) & index.str.contains(_PROBLEM_WORDS)) if ok}
    refunded = {n for n, ok in zip(counts.index, index.str.contains(_REFUND_EVENT)) if ok} - failed - set(purchases)
    if not failed and not refunded:
        return None, {}, {}
    is_failed = names.isin(failed).to_numpy()
    who = events["identity"].to_numpy(dtype=object)
    per_identity = _issues_per_identity(who, is_failed, names.isin(refunded).to_numpy())
    if is_failed.any():  # when each user last had one: who bought again since can be told
        last = pd.Series(events["date"].to_numpy()[is_failed]).groupby(who[is_failed]).max()
        per_identity["last_failed"] = per_identity["identity"].map(last).to_numpy()
    def counted(group: set) -> dict[str, int]:
        return {str(n): int(counts[n]) for n in counts.index if n in group}

    return per_identity, counted(failed), counted(refunded)


# -- customers tables ----------------------------------------------------------------------


def clean_customers(frame: pd.DataFrame, det: Detection, opts: Options, path: str, malformed: int = 0) -> Cleaned:
    m = det.mapping
    rows = len(frame) + malformed
    dropped: Counter = Counter({"malformed_row": malformed} if malformed else {})
    parts = []
    if "email" in m:
        parts.append(prefixed(normalize_email(frame["email"]), "e:"))
    if "phone" in m and det.source == "shopify_customers":
        parts.append(prefixed(normalize_phone(frame["phone"]), "p:"))
    if "customer" in m:
        parts.append(prefixed(text(frame["customer"]), "i:"))
    identity = first_present(*parts)
    reason = Reasons(len(frame))
    reason.assign(identity.notna() & identity.duplicated(), "duplicate")
    reason.assign(identity.isna(), "no_identity")
    table = pd.DataFrame({"identity": identity.to_numpy()})
    notes: list[str] = []
    for role in ("spent", "orders", "mrr", "arr", "failed_payments"):
        if role in m:
            parsed = parse_money(frame[role], opts.decimal_hint)
            _check_bad(path, m[role], parsed, frame[role], "numbers")
            reason.assign(parsed.bad, f"unparseable_{m[role]}")
            table[role] = parsed.values.to_numpy()
    for role in ("last_order", "first_order", "signup", "last_active"):
        if role in m:
            parsed = parse_dates(frame[role])
            _check_bad(path, m[role], parsed, frame[role], "dates")
            reason.assign(parsed.bad, f"unparseable_{m[role]}")
            table[role] = parsed.values.to_numpy()
            notes.extend(f"{m[role]}: {n}" for n in parsed.notes)
    for role in ("plan", "status"):
        if role in m:
            table[role] = text(frame[role]).to_numpy()
    consent = parse_flag(frame["consent"]) if "consent" in m else pd.Series(pd.array([pd.NA] * len(frame), dtype="boolean"))
    if "unsubscribed" in m:
        unsub = parse_flag(frame["unsubscribed"])
        consent = consent.where(unsub.isna(), ~unsub) if "consent" not in m else consent.where(~unsub.fillna(False), False)
    dropped.update(reason.counts())
    kept = reason.kept
    table = table[kept].reset_index(drop=True)
    if "arr" not in table and "mrr" in table:
        table["arr"] = table["mrr"] * 12
    buying = pd.Series(False, index=table.index)
    for role in ("orders", "spent", "mrr"):
        if role in table:
            buying |= table[role].fillna(0) > 0
    if "last_order" in table:
        buying |= table["last_order"].notna()
    if not any(r in table for r in ("orders", "spent", "mrr", "last_order")):
        buying[:] = True  # nothing says who bought: everyone counts
    table["prospect"] = ~buying.to_numpy()
    contacts = pd.DataFrame(
        {
            "identity": table["identity"],
            "email": normalize_email(frame["email"]).to_numpy()[kept] if "email" in m else None,
            "consent": consent.to_numpy()[kept],
        }
    )
    if "phone" in m:  # for the CRM files, whatever the source; only Shopify's is also an identity
        contacts["phone"] = normalize_phone(frame["phone"]).to_numpy(dtype=object, na_value=None)[kept]
    if "sms_consent" in m:
        contacts["sms_consent"] = parse_flag(frame["sms_consent"]).to_numpy()[kept]
    if "customer" in m:
        contacts["own_id"] = text(frame["customer"]).to_numpy(dtype=object, na_value=None)[kept]
    currency = _single_currency(frame, kept) or _label(opts)
    warnings = _status_warning(table, m)
    cleaned = Cleaned(
        kind="customers",
        rows=rows,
        kept_rows=int(kept.sum()),
        dropped=dropped,
        customers=table,
        contacts=contacts,
        currency=currency,
        has_revenue="spent" in table or "mrr" in table,
        notes=notes,
        warnings=warnings,
    )
    cleaned.check()
    return cleaned


_ENDED_STATUS = r"(?i)^(?:churned|cancell?ed|canceled|closed|lost|ended|terminated|former|inactive)$"
_LIVE_STATUS = r"(?i)^(?:active|trialing|trial|in_trial|paying|subscribed|current|past_due|past due|customer)$"


def status_kinds(values: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """(ended, live) flags per row of a CRM status column, and the values read as each."""
    status = pd.Series(values, dtype=object).astype("string").str.strip()
    ended = status.str.contains(_ENDED_STATUS).fillna(False).to_numpy(dtype=bool)
    live = status.str.contains(_LIVE_STATUS).fillna(False).to_numpy(dtype=bool)
    return ended, live, sorted(set(status[ended].tolist())), sorted(set(status[live].tolist()))


def _status_warning(table: pd.DataFrame, m: dict[str, str]) -> list[str]:
    """A customer table's accounts whose status says they ended: segmented like the others
    (they fill the lapsed segments), which the user should know before planning."""
    if "status" not in table:
        return []
    status = pd.Series(table.loc[~table["prospect"], "status"], dtype=object).dropna().astype(str).str.strip()
    ended = status[status.str.contains(_ENDED_STATUS)]
    if ended.empty:
        return []
    listing = ", ".join(f"{name} {n:,}" for name, n in ended.value_counts().items())
    return [
        f"{len(ended):,} customers have a {m['status']} that says they ended ({listing}): the lifecycle puts them in its Churned stage and the health score gives them 0, "
        "but the RFM segments place them by their orders like everyone else (mostly the lapsed segments); a plan should treat them as win-back or leave them out"
    ]
