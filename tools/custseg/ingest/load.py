"""Files in, one audited and pseudonymous :class:`Dataset` out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custseg.errors import InputError
from custseg.ingest.clean import Cleaned, Options, clean_customers, clean_events, clean_orders, used_roles
from custseg.ingest.detect import Detection, detect
from custseg.ingest.privacy import Pseudonyms, new_key, pseudonymize, pseudonymize_column, read_key
from custseg.ingest.read import Input, open_inputs


@dataclass
class IngestOptions:
    source: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    currency: str | None = None
    include_unpaid: bool = False
    key: str | None = None  # path of a key file from an earlier run
    purchase_events: list[str] = field(default_factory=list)  # event logs: names that count as purchases
    exclude_returns: bool = False  # transaction logs: orders with a negative amount are dropped as 'returned'
    net_returns: bool = False  # transaction logs: a negative order comes off the customer's latest earlier purchase
    exclude_channels: list[str] = field(default_factory=list)  # sales channels (Shopify's Source) whose orders are left out
    exclude_test_charges: bool = False  # customers whose whole spend is a sliver of the median's are dropped as 'test_charge'


@dataclass
class FileInfo:
    path: str
    name: str
    source: str
    format: str
    rows: int
    encoding: str | None = None
    delimiter: str | None = None
    ignored: list[str] = field(default_factory=list)  # columns no role reads (product, country, notes...)


@dataclass
class Dataset:
    """What the tools understood. Holds pseudonymous ids only, except ``contacts``."""

    source: str
    kind: str  # transactions | customers | events
    confidence: float
    files: list[FileInfo]
    rows: int
    kept_rows: int
    mapping: dict[str, str]
    dropped: dict[str, int]
    dropped_orders: dict[str, int] | None
    dropped_value: dict[str, float] | None  # reason -> net amount of the orders it dropped (order exports and logs)
    transactions: pd.DataFrame | None  # customer_id, date, amount: one row per order (refunded: what it paid back, exports with a refunds column)
    events: pd.DataFrame | None  # customer_id, date, event
    customers: pd.DataFrame | None  # customer_id + aggregates (customers tables)
    contacts: pd.DataFrame = field(repr=False)  # customer_id, email, consent (phone, sms_consent when the export has them): never for the model
    source_ids: pd.DataFrame | None = field(repr=False)  # customer_id, source_id (the id in the export): never for the model
    issues: pd.DataFrame | None  # customer_id, failed, refunded (payment problems per customer); refunded_charged, refunded_value (exports with a refunds column: what the fully refunded orders sold for and paid back)
    prospects: int
    currency: str | None
    has_revenue: bool
    notes: list[str]
    warnings: list[str]
    key: str = field(repr=False)
    joined: dict | None = None  # how a customers export was joined to orders
    prospect_contacts: pd.DataFrame | None = field(default=None, repr=False)  # customer_id, email, consent of contacts who never bought: never for the model
    no_kept_order: int = 0  # a customers export's contacts it counts orders for, with no kept order in the orders export (all cancelled or refunded): not prospects
    no_kept_order_contacts: pd.DataFrame | None = field(default=None, repr=False)  # their customer_id, email, consent: never for the model
    excluded_channels: dict | None = None  # --exclude-channel: the channels left out, their orders, their buyers and those who bought nowhere else
    excluded_only_ids: np.ndarray | None = field(default=None, repr=False)  # --exclude-channel: the pseudonymous ids of the buyers who bought nowhere else
    excluded_channel_only: int = 0  # a customers export's contacts among those buyers: in no segment, and not the user's to email
    excluded_channel_only_contacts: pd.DataFrame | None = field(default=None, repr=False)  # their customer_id, email, consent: never for the model
    purchase_events: dict[str, int] | None = None  # event logs: the event names counted as purchases, with counts
    not_activity_events: dict[str, int] | None = None  # event logs: the event names not counted as activity, with counts
    products: pd.DataFrame | None = None  # customer_id, date, product: the kept orders' lines that name a product (order exports and logs with product names)
    countries: pd.DataFrame | None = None  # customer_id, date, country: the kept orders that name a country (exports with a country column); aggregated only, never written per customer
    subscriptions: pd.DataFrame | None = None  # event logs: customer_id, date, event, ended (events that end or start an account), in time order
    returns_netted: int = 0  # transaction logs with --net-returns: returns taken off the customer's latest earlier purchase
    failed_payments: dict | None = None  # failed and unfinished payments followed per customer (ingest/payments.py)
    recurring: dict | None = None  # Stripe: the kept payments a subscription billed, counted (facts' data.recurring)
    installments: dict | None = None  # Stripe: kept payments that are later installments of a purchase paid in parts, counted (facts' data.installments)
    by_channel: list[dict] | None = None  # order exports with a sales channel: kept orders, customers and revenue per channel
    marketplace: dict | None = None  # kept orders through marketplaces, their buyers, those who bought elsewhere, relay emails
    dropped_gross: dict[str, float] | None = None  # exports with refunds: reason -> what the orders it dropped sold for, before refunds
    dropped_collected: dict[str, float] | None = None  # exports with an outstanding balance (Shopify): reason -> what the orders it dropped collected, after refunds and less what is still owed
    outstanding: pd.DataFrame | None = None  # customer_id, outstanding_payments, outstanding_value: failed payments not paid later, per person
    never_paid_contacts: pd.DataFrame | None = field(default=None, repr=False)  # customer_id, email, consent of people whose every payment failed: never for the model
    payment_problem_events: dict[str, int] | None = None  # event logs: event name -> events counted as a failed payment (the health score's payment issues)
    test_charges: dict | None = None  # --exclude-test-charges: the customers left out, their payments and unpaid checkouts apart, and what of those was outstanding


def load(paths: list[str], options: IngestOptions | None = None) -> Dataset:
    options = options or IngestOptions()
    if not paths:
        raise InputError(None, "no input file given")
    key = read_key(options.key) if options.key else new_key()
    inputs: list[Input] = []
    for path in paths:
        inputs.extend(open_inputs(path, options.sheet))
    detections = [detect(i.path, i.columns, i.sample, options.source, options.mapping) for i in inputs]
    sources = sorted({d.source for d in detections})
    if len(sources) == 1:
        dataset = _load_one(inputs, detections, options, key)
    elif sources == ["shopify_customers", "shopify_orders"]:
        dataset = _load_orders_with_customers(inputs, detections, options, key)
    else:
        listing = ", ".join(f"{i.path} is {d.source}" for i, d in zip(inputs, detections))
        raise InputError(None, f"cannot combine these exports ({listing}): pass parts of one export together, or a Shopify orders export with its customers export")
    return dataset


def _load_one(inputs: list[Input], detections: list[Detection], options: IngestOptions, key: str) -> Dataset:
    det = detections[0]
    frames = []
    malformed = 0
    for n, (inp, d) in enumerate(zip(inputs, detections)):
        frame = _role_frame(inp, d)
        _refuse_checkouts(inp.path, d, frame, alone=len(inputs) == 1)
        frame["_file"] = n
        frames.append(frame)
        malformed += inp.malformed
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    label = inputs[0].path if len(inputs) == 1 else ", ".join(i.path for i in inputs)
    if options.exclude_returns and options.net_returns:
        raise InputError(label, "--exclude-returns and --net-returns both say what to do with returns: choose one")
    opts = Options(
        include_unpaid=options.include_unpaid,
        currency=options.currency,
        decimal_hint="," if any(i.delimiter == ";" for i in inputs) else None,
        key=key,
        purchase_events=options.purchase_events or None,
        exclude_returns=options.exclude_returns,
        net_returns=options.net_returns,
        exclude_channels=list(options.exclude_channels) or None,
        exclude_test_charges=options.exclude_test_charges,
    )
    cleaner = {"transactions": clean_orders, "events": clean_events, "customers": clean_customers}[det.kind]
    cleaned = cleaner(frame, det, opts, label, malformed)
    if cleaned.rows and malformed > 0.5 * cleaned.rows:
        raise InputError(label, f"{malformed} of {cleaned.rows} records have the wrong number of fields: is the delimiter right?")
    _refuse_if_empty(label, cleaned)
    files = [FileInfo(i.path, i.name, d.source, i.format, len(f) + i.malformed, i.encoding, i.delimiter, _ignored(i.columns, d)) for i, d, f in zip(inputs, detections, frames)]
    return _dataset(det, files, cleaned, key)


def _role_frame(inp: Input, det: Detection) -> pd.DataFrame:
    """Read only the mapped columns the cleaner uses, renamed to their roles."""
    roles = used_roles(det.mapping)
    wanted = list(dict.fromkeys(det.mapping[r] for r in roles))
    raw = inp.read(wanted)
    if inp.format in ("xlsx", "csv", "text") and len(raw) == 0:
        raise InputError(inp.path, "has a header but no data rows")
    return pd.DataFrame({role: raw[det.mapping[role]].reset_index(drop=True) for role in roles})


CHECKOUTS_ALONE = "ask the user for the Orders export (Shopify admin: Orders, Export, all orders as CSV): abandoned checkouts hold carts nobody paid for, so there are no customers' purchases to segment"


def _refuse_checkouts(path: str, det: Detection, frame: pd.DataFrame, alone: bool) -> None:
    """Shopify's abandoned-checkouts export has the orders export's columns but no Financial
    Status: on its own it holds no orders, and uploaded beside the orders it would add carts
    nobody paid for as dropped orders."""
    if det.source == "shopify_orders" and "status" in frame and len(frame) and frame["status"].isna().all():
        what = "export Orders instead" if alone else "leave this file out and pass only the orders export's files"
        then = (CHECKOUTS_ALONE if alone else "run again with only the orders export's files, and tell the user the abandoned-checkouts file was left out: "
                "it holds carts nobody paid for, not customers' purchases")
        raise InputError(path, f"no order has a Financial Status: this is a Shopify abandoned-checkouts export (checkouts never paid), not orders; {what}", next_step=then)


def _ignored(columns: list[str], det: Detection) -> list[str]:
    """The columns of a file that no role reads: named so an analyst can see what was left aside."""
    used = {det.mapping[r] for r in used_roles(det.mapping)}
    return [c for c in columns if c not in used and str(c).strip()]


def _refuse_if_empty(label: str, cleaned: Cleaned) -> None:
    if cleaned.kept_rows:
        return
    reasons = ", ".join(f"{k} {v:,}" for k, v in cleaned.dropped.most_common())
    raise InputError(label, f"no usable rows: all {cleaned.rows:,} rows were dropped ({reasons})")


def _dataset(det: Detection, files: list[FileInfo], cleaned: Cleaned, key: str) -> Dataset:
    def ids(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        """Small tables (one row per customer): ids as plain strings."""
        if frame is None:
            return None
        out = frame.copy()
        identity = out.pop("identity").to_numpy(dtype=object)
        out.insert(0, "customer_id", pseudonymize(identity, key).astype(object))
        return out

    sources: list[pd.DataFrame] = []

    def id_column(frame: pd.DataFrame | None, prepared: Pseudonyms | None = None) -> pd.DataFrame | None:
        """Long tables (one row per order or event): ids as a categorical, each hashed once."""
        if frame is None:
            return None
        out = frame.copy()
        identity = out.pop("identity")
        out.insert(0, "customer_id", pseudonymize_column(identity, key, prepared))
        sources.append(source_ids(identity, out["customer_id"]))
        return out

    transactions = id_column(cleaned.orders, cleaned.pseudonyms)
    products = _product_lines(cleaned.lines, transactions)
    countries = _order_countries(cleaned.countries, transactions)
    events = id_column(cleaned.events)
    contacts = ids(cleaned.contacts)
    if contacts is not None and "own_id" in contacts:
        # The id the export itself gave a customer names them in CRM files, before the email
        # or phone the identity preferred: a CRM keyed by its own record ids matches on it.
        own = contacts.pop("own_id")
        sources.insert(0, pd.DataFrame({"customer_id": contacts["customer_id"], "source_id": own})[own.notna().to_numpy()])
    if contacts is None:  # no emails or consent in this export: nothing is known about anyone
        contacts = pd.DataFrame({"customer_id": pd.Series([], dtype=object), "email": pd.Series([], dtype=object), "consent": pd.array([], dtype="boolean")})
    never_paid = ids(cleaned.never_paid_contacts)
    if never_paid is not None and "own_id" in never_paid:
        own = never_paid.pop("own_id")
        sources.append(pd.DataFrame({"customer_id": never_paid["customer_id"], "source_id": own})[own.notna().to_numpy()])
    customers = ids(cleaned.customers)
    if cleaned.customers is not None:
        sources.append(pd.DataFrame({"customer_id": customers["customer_id"], "source_id": _without_prefix(cleaned.customers["identity"]).to_numpy(dtype=object)}))
    prospects = int(customers["prospect"].sum()) if customers is not None else 0
    return Dataset(
        source=det.source,
        kind=det.kind,
        confidence=det.confidence,
        files=files,
        rows=cleaned.rows,
        kept_rows=cleaned.kept_rows,
        mapping={r: det.mapping[r] for r in used_roles(det.mapping)},  # the columns read: an unread quantity is listed as ignored
        dropped=_ordered(cleaned.dropped),
        dropped_orders=_ordered(cleaned.dropped_orders) if cleaned.dropped_orders is not None else None,
        dropped_value=cleaned.dropped_value,
        transactions=transactions,
        products=products,
        countries=countries,
        events=events,
        customers=customers,
        contacts=contacts,
        source_ids=_one_per_customer(sources),
        issues=ids(cleaned.issues),
        prospects=prospects,
        currency=cleaned.currency,
        has_revenue=cleaned.has_revenue,
        notes=det.notes + cleaned.notes,
        warnings=list(cleaned.warnings),
        key=key,
        purchase_events=cleaned.purchase_events,
        not_activity_events=cleaned.not_activity_events or None,
        subscriptions=ids(cleaned.subscriptions),
        returns_netted=cleaned.returns_netted,
        failed_payments=cleaned.failed_payments,
        recurring=cleaned.recurring,
        installments=cleaned.installments,
        by_channel=cleaned.by_channel,
        marketplace=cleaned.marketplace,
        excluded_channels=cleaned.excluded_channels,
        excluded_only_ids=pseudonymize(cleaned.excluded_only.to_numpy(dtype=object), key) if cleaned.excluded_only is not None else None,
        dropped_gross=cleaned.dropped_gross,
        dropped_collected=cleaned.dropped_collected,
        never_paid_contacts=never_paid,
        outstanding=ids(cleaned.outstanding),
        payment_problem_events=cleaned.payment_problem_events,
        test_charges=cleaned.test_charges,
    )


def _product_lines(lines: pd.DataFrame | None, transactions: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each named line with its order's pseudonymous customer and date."""
    if lines is None or transactions is None:
        return None
    order = lines["order"].to_numpy()
    return pd.DataFrame({
        "customer_id": transactions["customer_id"].iloc[order].reset_index(drop=True),
        "date": transactions["date"].to_numpy()[order],
        "product": lines["product"].reset_index(drop=True),
    })


def _order_countries(countries: np.ndarray | None, transactions: pd.DataFrame | None) -> pd.DataFrame | None:
    """Each kept order that names a country, with its pseudonymous customer and date."""
    if countries is None or transactions is None:
        return None
    named = pd.notna(countries)
    return pd.DataFrame({
        "customer_id": transactions["customer_id"][named].reset_index(drop=True),
        "date": transactions["date"].to_numpy()[named],
        "country": pd.Categorical(countries[named]),
    })


def source_ids(identity: pd.Series, customer: pd.Series) -> pd.DataFrame:
    """Each pseudonymous id with the identifier the export knew the customer by (email, phone
    or the export's own customer id: what was hashed), so CRM files can name the customer.

    ``customer`` is the categorical ``pseudonymize_column`` made from ``identity``, row for
    row; every one of its categories is used. Equal identities get equal ids, so any row of a
    customer gives its identity: one scatter over the rows, then one take per customer.
    """
    cat = customer.array
    codes = np.asarray(cat.codes)
    used = codes >= 0
    if isinstance(identity.dtype, pd.CategoricalDtype):  # ingest's long columns: a code per row
        which = np.full(len(cat.categories), -1, dtype=np.int64)
        which[codes[used]] = np.asarray(identity.cat.codes)[used]
        values = _arrow_text(identity.cat.categories)
    else:
        which = np.full(len(cat.categories), -1, dtype=np.int64)
        which[codes[used]] = np.flatnonzero(used)
        values = _arrow_text(identity)
    assert (which >= 0).all(), "a customer id without a row"
    taken = values.take(pa.array(which))
    return pd.DataFrame({"customer_id": pd.Series(cat.categories), "source_id": _without_prefix(taken)}, copy=False)


def _arrow_text(values) -> pa.Array:
    arr = pa.array(values.array if hasattr(values, "array") else values, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _without_prefix(identity) -> pd.Series:
    """'e:ann@example.com' -> 'ann@example.com' (identities carry a two-letter kind prefix)."""
    arr = identity if isinstance(identity, pa.Array) else _arrow_text(identity)
    return pd.Series(pd.arrays.ArrowStringArray(pc.utf8_slice_codeunits(arr, 2)))


def _one_per_customer(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    if not frames:
        return None
    if len(frames) == 1:
        return frames[0]
    return pd.concat(frames, ignore_index=True).drop_duplicates("customer_id", keep="first").reset_index(drop=True)


def _ordered(counter: Counter) -> dict[str, int]:
    from custseg.ingest.clean import REASON_ORDER

    rank = {r: i for i, r in enumerate(REASON_ORDER)}
    return {k: int(v) for k, v in sorted(counter.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])) if v}


def _ordered_per_customers_export(customers: pd.DataFrame) -> pd.Series:
    """Whether the customers export counts any order for each contact (its Total Orders); all
    False when it has no orders column, so every unmatched contact stays a prospect."""
    if "orders" not in customers:
        return pd.Series(False, index=customers.index)
    return pd.to_numeric(customers["orders"], errors="coerce").fillna(0).gt(0)


def _consent_changes(at_order: pd.Series, now: pd.Series) -> tuple[int, int]:
    """Buyers whose consent in the customers export differs from their orders': how many say
    yes there and no in the orders (opted in since), and the reverse (opted out since). A side
    that does not say is no disagreement."""
    both = at_order.notna().to_numpy() & now.notna().to_numpy()
    before = at_order.to_numpy(dtype=object)[both].astype(bool)
    after = now.to_numpy(dtype=object)[both].astype(bool)
    return int((after & ~before).sum()), int((~after & before).sum())


def _consent_note(opted_in: int, opted_out: int) -> str:
    """Which source's consent the files use, and how many buyers the two exports disagree on."""
    note = "marketing consent taken from the customers export where it lists the customer"
    if not opted_in + opted_out:
        return note
    ways = [f"{opted_out:,} opted out"] * bool(opted_out) + [f"{opted_in:,} opted in"] * bool(opted_in)
    return (
        f"{note}: it and the orders export disagree for {opted_in + opted_out:,} buyers ({' and '.join(ways)} by the customers export's record), "
        "and the customers export is used, since it is the store's current record while an order keeps the answer given at checkout"
    )


def _with_customers_phones(contacts: pd.DataFrame, people: Dataset) -> pd.DataFrame:
    """The buyers' phone and SMS consent from the customers export where it has them (the
    store's current record, as for consent), else the phone of their orders. Only the
    customers export records SMS consent: a buyer it does not list has none on record."""
    theirs = people.contacts.drop_duplicates("customer_id").set_index("customer_id")
    out = contacts.copy()
    if "phone" in theirs:
        current = out["customer_id"].map(theirs["phone"])
        out["phone"] = current.where(current.notna(), out["phone"] if "phone" in out else None).to_numpy(dtype=object)
    if "sms_consent" in theirs:
        out["sms_consent"] = pd.array(out["customer_id"].map(theirs["sms_consent"]).to_numpy(dtype=object), dtype="boolean")
    return out


def _load_orders_with_customers(inputs, detections, options, key) -> Dataset:
    """Orders export(s) plus the same store's customers export, joined by email."""
    order_parts = [(i, d) for i, d in zip(inputs, detections) if d.source == "shopify_orders"]
    customer_parts = [(i, d) for i, d in zip(inputs, detections) if d.source == "shopify_customers"]
    orders = _load_one([i for i, _ in order_parts], [d for _, d in order_parts], options, key)
    people = _load_one([i for i, _ in customer_parts], [d for _, d in customer_parts], options, key)
    buyers = set(orders.transactions["customer_id"])
    listed = people.customers["customer_id"]
    matched = listed.isin(buyers)
    # Consent from the customers export wins: it is the store's current record.
    consent = dict(zip(people.contacts["customer_id"], people.contacts["consent"]))
    contacts = orders.contacts.copy()
    newer = contacts["customer_id"].map(consent)
    opted_in, opted_out = _consent_changes(contacts["consent"], newer)
    contacts["consent"] = newer.where(newer.notna(), contacts["consent"]).astype("boolean")
    if "consent" in people.mapping:  # so 'Columns read' names the column consent came from
        orders.mapping["consent"] = people.mapping["consent"]
    contacts = _with_customers_phones(contacts, people)
    if "sms_consent" in people.mapping:
        orders.mapping["sms_consent"] = people.mapping["sms_consent"]
    # A contact the customers export counts orders for, with none in the orders export, ordered
    # and had every order cancelled or refunded: no prospect, and no first-order welcome for them.
    # One who bought only through a channel the user left out (--exclude-channel) is neither:
    # their orders went through, but they are not the user's to email.
    ordered = _ordered_per_customers_export(people.customers)
    elsewhere = listed.isin(set(orders.excluded_only_ids)).to_numpy() if orders.excluded_only_ids is not None else np.zeros(len(listed), dtype=bool)
    only_left_out = ~matched & elsewhere
    none_kept = ~matched & ordered & ~elsewhere
    prospects = int((~matched & ~ordered & ~elsewhere).sum())
    dropped = Counter(orders.dropped)
    dropped.update(people.dropped)
    orders.files += people.files
    orders.rows += people.rows
    orders.kept_rows += people.kept_rows
    orders.dropped = _ordered(dropped)
    orders.contacts = contacts
    orders.prospects = prospects
    # The contacts who never bought (newsletter sign-ups): in no segment, but the CRM files list
    # them, so a plan can aim at their first order.
    never = set(listed[~matched & ~ordered & ~elsewhere])
    orders.prospect_contacts = people.contacts[people.contacts["customer_id"].isin(never)].reset_index(drop=True)
    not_kept = set(listed[none_kept])
    orders.no_kept_order = len(not_kept)
    if not_kept:
        orders.no_kept_order_contacts = people.contacts[people.contacts["customer_id"].isin(not_kept)].reset_index(drop=True)
    left_out = set(listed[only_left_out])
    orders.excluded_channel_only = len(left_out)
    if left_out:
        orders.excluded_channel_only_contacts = people.contacts[people.contacts["customer_id"].isin(left_out)].reset_index(drop=True)
    if people.source_ids is not None:
        theirs = people.source_ids[people.source_ids["customer_id"].isin(never | not_kept | left_out)]
        orders.source_ids = _one_per_customer([f for f in (orders.source_ids, theirs) if f is not None])
    orders.joined = {
        "customers_file_rows": people.rows,
        "customers_matched": int(matched.sum()),
        "prospects": prospects,
        "no_kept_order": len(not_kept),
        "excluded_channel_only": len(left_out),
        "buyers_not_in_customers_file": int(len(buyers - set(listed))),
    }
    orders.notes.append(_consent_note(opted_in, opted_out))
    return orders
