"""Which export is this, and which column plays which role.

Sources are data: a signature (header names that identify the export) and, per role,
the header names that can fill it. Header names are compared normalized (lower case,
letters and digits only), so ``Created date (UTC)`` matches ``createddateutc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

import pandas as pd

from custseg.errors import InputError


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str  # transactions | customers | events
    signature: tuple[tuple[str, ...], ...]  # each entry: alternatives, one must be present
    roles: dict[str, tuple[str, ...]]
    required: tuple[str, ...]  # roles; "a|b" means either
    line_items: bool = False  # several rows per order key (collapse, not duplicates)
    description: str = ""


_GENERIC_CUSTOMER = (
    "customerid", "customer", "customerno", "customernumber", "custid", "clientid", "client",
    "memberid", "accountid", "buyerid", "shopperid", "contactid", "userid", "customercode", "kundennummer",
)
_GENERIC_EMAIL = ("email", "customeremail", "emailaddress", "billingemail", "useremail", "mail")
_GENERIC_DATE = (
    "orderdate", "invoicedate", "purchasedate", "transactiondate", "date", "createdat", "datecreated",
    "orderedat", "paidat", "saledate", "datetime", "timestamp", "time", "createddate", "bestelldatum",
)
_GENERIC_AMOUNT = (
    "amount", "total", "ordertotal", "revenue", "sales", "netsales", "value", "dollarvalue", "totalamount",
    "netamount", "grandtotal", "spend", "totalprice", "orderamount", "ordervalue", "betrag", "montant",
    "totalpaid", "price",
)

SPECS: tuple[SourceSpec, ...] = (
    SourceSpec(
        name="shopify_orders",
        kind="transactions",
        description="Shopify orders export (one row per line item)",
        signature=(("name",), ("email",), ("financialstatus",), ("lineitemname",), ("createdat",), ("total",), ("lineitemquantity",)),
        roles={
            "order_id": ("name",),
            "email": ("email",),
            "phone": ("phone",),
            "billing_phone": ("billingphone",),
            "shipping_phone": ("shippingphone",),
            "date": ("createdat",),
            "amount": ("total",),
            "refunded": ("refundedamount",),
            # what each order still owed (never collected): a left-out order's money actually paid, beside its total
            "outstanding_balance": ("outstandingbalance",),
            "status": ("financialstatus",),
            "cancelled": ("cancelledat",),
            "currency": ("currency",),
            "gateway": ("paymentmethod", "paymentgatewaynames", "gateway"),
            "consent": ("acceptsemailmarketing", "acceptsmarketing"),
            "channel": ("source",),
            "shipping": ("shipping",),
            "taxes": ("taxes",),
            "product_name": ("lineitemname",),  # what each line sold: products per segment (names bought by a few customers are never shown)
            # where each order went (ISO codes): customers by country, the shipping address first
            "shipping_country": ("shippingcountry",),
            "billing_country": ("billingcountry",),
        },
        required=("order_id", "date", "amount", "status", "email"),
        line_items=True,
    ),
    SourceSpec(
        name="shopify_customers",
        kind="customers",
        description="Shopify customers export (one row per customer)",
        signature=(("firstname",), ("lastname",), ("email",), ("totalspent", "amountspent"), ("totalorders", "numberoforders"), ("acceptsemailmarketing", "acceptsmarketing"), ("taxexempt",)),
        roles={
            "customer": ("customerid",),
            "email": ("email",),
            "phone": ("phone", "defaultaddressphone"),
            "spent": ("totalspent", "amountspent"),
            "orders": ("totalorders", "numberoforders"),
            "consent": ("acceptsemailmarketing", "acceptsmarketing"),
            "sms_consent": ("acceptssmsmarketing",),  # texts need their own consent: never read from the email one
            "signup": ("createdat",),
        },
        required=("email", "spent|orders"),
    ),
    SourceSpec(
        name="stripe_payments",
        kind="transactions",
        description="Stripe payments export (one row per charge)",
        signature=(("id",), ("createddateutc", "createdutc"), ("amount",), ("amountrefunded",), ("currency",), ("status",), ("customerid",), ("customeremail",), ("captured",)),
        roles={
            "order_id": ("id",),
            "date": ("createddateutc", "createdutc", "created"),
            "amount": ("amount",),
            "refunded": ("amountrefunded",),
            "converted_amount": ("convertedamount",),
            "converted_refunded": ("convertedamountrefunded",),
            "converted_currency": ("convertedcurrency",),
            "currency": ("currency",),
            "status": ("status",),
            "email": ("customeremail",),
            # a checkout's phone kept in the payment's metadata (Stripe has no phone column of
            # its own): for the CRM files only, never the identity; Stripe records no SMS consent
            "phone": ("customerphonemetadata", "phonemetadata", "phonenumbermetadata", "customerphone"),
            "customer": ("customerid",),
            "description": ("description",),  # read only to tell subscription payments apart; never kept
            "plan": ("planmetadata", "plannamemetadata", "planintervalmetadata", "intervalmetadata", "billingintervalmetadata"),  # a plan name that says its billing cycle
            # a payment plan's metadata: the N-th of M payments (a later one is no new purchase)
            "installment_index": ("paymentindexmetadata", "installmentindexmetadata", "installmentnumbermetadata"),
            "installment_total": ("totalpaymentsmetadata", "installmentcountmetadata", "totalinstallmentsmetadata"),
            # customers by country: the customer's address where an export has it, else the card's issuing country
            "country": ("customeraddresscountry", "addresscountry", "customercountry", "countrymetadata", "customercountrymetadata", "cardissuecountry", "cardcountry"),
        },
        required=("date", "amount", "status", "email|customer"),
    ),
    SourceSpec(
        name="woocommerce_orders",
        kind="transactions",
        description="WooCommerce orders export",
        signature=(("orderid", "ordernumber"), ("orderdate", "datecreated"), ("orderstatus",), ("ordertotalamount", "ordertotal"), ("billingemail", "customeremail"), ("billingfirstname", "customeruserid", "paymentmethodtitle")),
        roles={
            "order_id": ("orderid", "ordernumber"),
            "date": ("orderdate", "datecreated", "paiddate"),
            "amount": ("ordertotalamount", "ordertotal", "total"),
            "refunded": ("orderrefundamount", "refundamount", "ordertotalrefunded", "totalrefunded"),
            "status": ("orderstatus", "status"),
            "email": ("billingemail", "customeremail", "email"),
            "customer": ("customeruserid", "customerid", "userid"),
            "currency": ("ordercurrency", "currency"),
            "shipping_country": ("shippingcountry",),
            "billing_country": ("billingcountry",),
        },
        required=("order_id", "date", "amount", "status", "email|customer"),
    ),
    SourceSpec(
        name="square_transactions",
        kind="transactions",
        description="Square transactions export (payments and refunds as rows)",
        signature=(("date",), ("time",), ("timezone",), ("grosssales",), ("netsales",), ("totalcollected",), ("transactionid",), ("eventtype",)),
        roles={
            "order_id": ("paymentid", "transactionid"),
            "date": ("date",),
            "amount": ("totalcollected", "netsales", "grosssales"),
            "event_type": ("eventtype",),
            "customer": ("customerid", "customerreferenceid"),
        },
        required=("order_id", "date", "amount", "customer"),
        line_items=True,  # a refund is a row of its own under its payment's id
    ),
)

GENERIC: dict[str, SourceSpec] = {
    "events": SourceSpec(
        name="events",
        kind="events",
        description="product or web events (user, event name, timestamp)",
        signature=(),
        roles={
            "customer": ("userid", "distinctid", "user", "uid", "personid", "amplitudeid", "customerid", "accountid", "anonymousid", "deviceid"),
            "event": ("event", "eventname", "eventtype", "action", "eventaction"),
            "date": ("timestamp", "time", "eventtime", "eventtimestamp", "datetime", "createdat", "originaltimestamp", "receivedat", "sentat", "date", "clienteventtime"),
            "revenue": ("propertiesrevenue", "revenue", "propertiestotal", "propertiesvalue", "propertiesamount", "propertiesprice", "amount", "value", "price", "eventpropertiesrevenue"),
            "currency": ("propertiescurrency", "currency", "eventpropertiescurrency"),
            "email": _GENERIC_EMAIL,  # a product's log often repeats the user's email: the CRM files need it
        },
        required=("customer", "event", "date"),
    ),
    "transactions": SourceSpec(
        name="transactions",
        kind="transactions",
        description="transaction log (customer, date, amount)",
        signature=(),
        roles={
            "customer": _GENERIC_CUSTOMER + _GENERIC_EMAIL,
            "email": _GENERIC_EMAIL,
            "order_id": ("orderid", "invoiceno", "invoice", "invoicenumber", "invoiceid", "ordernumber", "orderno", "transactionid", "receiptid", "bestellnummer"),
            "date": _GENERIC_DATE,
            "amount": _GENERIC_AMOUNT,
            "quantity": ("quantity", "qty", "units", "numberofcds", "count"),
            "unit_price": ("unitprice", "price", "itemprice"),
            "currency": ("currency", "currencycode", "ordercurrency"),
            "product": ("stockcode", "sku", "productcode", "itemcode", "articlecode", "articlenumber"),
            "product_name": ("productname", "description", "itemname", "itemdescription", "productdescription", "producttitle", "lineitemname", "articlename"),
            # customers by country (UCI Online Retail's Country): the shipping address first, as for Shopify
            "shipping_country": ("shippingcountry", "shipcountry", "shiptocountry", "deliverycountry"),
            "billing_country": ("billingcountry", "billcountry"),
            "country": ("country", "countryname", "customercountry", "countrycode", "countryregion"),
        },
        required=("customer", "date", "amount|quantity+unit_price"),
        line_items=True,
    ),
    "customers": SourceSpec(
        name="customers",
        kind="customers",
        description="customer table (one row per customer with totals)",
        signature=(),
        roles={
            "customer": ("customerid", "id", "accountid", "contactid", "clientid", "recordid", "userid", "memberid"),
            "email": _GENERIC_EMAIL,
            "spent": ("totalspent", "lifetimevalue", "ltv", "totalrevenue", "revenue", "amountspent", "spend", "totalspend", "clv"),
            "orders": ("orderscount", "totalorders", "numberoforders", "orders", "purchases", "ordercount", "purchasecount"),
            "last_order": ("lastorderdate", "lastpurchasedate", "lastorder", "lastpurchase", "lastorderat", "lastpurchaseat"),
            "first_order": ("firstorderdate", "firstpurchasedate", "firstorder", "firstpurchase"),
            "signup": ("signupdate", "signedupat", "createdat", "createddate", "customersince", "joindate", "joined", "startdate"),
            "last_active": ("lastactive", "lastseen", "lastlogin", "lastactivity", "lastseenat", "lastloginat"),
            "plan": ("plan", "tier", "subscriptionplan", "planname"),
            "mrr": ("mrr", "monthlyrevenue", "monthlyrecurringrevenue"),
            "arr": ("arr", "annualrevenue", "annualrecurringrevenue"),
            "consent": ("emailoptin", "acceptsemailmarketing", "acceptsmarketing", "subscribed", "marketingconsent", "optin", "emailsubscribed", "newsletter"),
            "unsubscribed": ("unsubscribed", "emailunsubscribed", "optout", "emailoptout"),
            "phone": ("phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cellphone"),  # for the CRM files only: never the identity
            "sms_consent": ("acceptssmsmarketing", "smsconsent", "smsoptin", "smssubscribed", "smsmarketing"),
            "status": ("status", "accountstatus", "customerstatus", "lifecyclestage"),
            "failed_payments": ("failedpayments", "paymentfailures", "failedcharges"),
        },
        required=("customer|email", "spent|orders|last_order|mrr|arr|plan"),
    ),
}

ALL_SPECS = {s.name: s for s in SPECS} | GENERIC

SourceName = Literal["shopify_orders", "shopify_customers", "stripe_payments", "woocommerce_orders", "square_transactions", "events", "transactions", "customers"]
assert set(get_args(SourceName)) == set(ALL_SPECS), "SourceName must list every source spec"


# Exports that are not about customers' purchases: refuse them with a useful message.
REFUSALS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("handle", "title", "bodyhtml", "variantsku"), "is a Shopify products export, not orders or customers: export Orders (or Customers) instead"),
    (("handle", "title", "variantinventoryqty"), "is a Shopify products export, not orders or customers: export Orders (or Customers) instead"),
    (("abandonedcheckouturl",), "is a Shopify abandoned-checkouts export (checkouts that were never paid): export Orders instead"),
)

NOT_PURCHASES_NEXT = ("run again without this file if the user also gave an orders, payments or customers export, and tell them it was left out; "
                      "otherwise ask them for the Orders export (Shopify admin: Orders, Export)")


@dataclass
class Detection:
    source: str
    kind: str
    confidence: float
    mapping: dict[str, str]  # role -> column
    spec: SourceSpec = field(repr=False)
    notes: list[str] = field(default_factory=list)


def detect(path: str, columns: list[str], sample: pd.DataFrame, source: str | None = None, overrides: dict[str, str] | None = None) -> Detection:
    """Decide the source (or use ``source``) and map roles to columns."""
    overrides = overrides or {}
    normalized = {norm(c): c for c in reversed(columns)}  # first spelling wins
    if source is not None:
        if source not in ALL_SPECS:
            raise InputError(path, f"unknown --source {source!r}; choose one of: {', '.join(ALL_SPECS)}")
        spec = ALL_SPECS[source]
        mapping = _map_roles(spec, normalized, sample)
        return _finish(path, columns, Detection(spec.name, spec.kind, 1.0, mapping, spec), overrides)
    for needed, message in REFUSALS:
        if all(n in normalized for n in needed):
            raise InputError(path, message, next_step=NOT_PURCHASES_NEXT)
    scored = []
    for spec in SPECS:
        hits = sum(1 for alts in spec.signature if any(a in normalized for a in alts))
        scored.append((hits / len(spec.signature), spec))
    score, spec = max(scored, key=lambda t: t[0])
    if score >= 0.7:
        mapping = _map_roles(spec, normalized, sample)
        return _finish(path, columns, Detection(spec.name, spec.kind, round(score, 2), mapping, spec), overrides)
    return _finish(path, columns, _detect_generic(path, columns, normalized, sample), overrides)


def _detect_generic(path: str, columns: list[str], normalized: dict[str, str], sample: pd.DataFrame) -> Detection:
    if all(c.startswith("column_") for c in columns):
        return _detect_headerless(path, columns, sample)
    candidates = {name: _map_roles(spec, normalized, sample) for name, spec in GENERIC.items()}
    events = candidates["events"]
    if all(r in events for r in ("customer", "event", "date")) and _event_like(sample[events["event"]]):
        return Detection("events", "events", 0.8, events, GENERIC["events"])
    tx = candidates["transactions"]
    cust = candidates["customers"]
    aggregate_roles = [r for r in ("spent", "orders", "last_order", "mrr", "arr", "plan") if r in cust]
    tx_ok = "customer" in tx and "date" in tx and ("amount" in tx or ("quantity" in tx and "unit_price" in tx))
    repeats = tx_ok and sample[tx["customer"]].dropna().duplicated().any()
    if tx_ok and (repeats or not aggregate_roles):
        confidence = 0.8 if repeats else 0.6
        return Detection("transactions", "transactions", confidence, tx, GENERIC["transactions"])
    if aggregate_roles and ("customer" in cust or "email" in cust):
        return Detection("customers", "customers", round(min(0.9, 0.5 + 0.1 * len(aggregate_roles)), 2), cust, GENERIC["customers"])
    if tx_ok:
        return Detection("transactions", "transactions", 0.5, tx, GENERIC["transactions"])
    missing = _missing(GENERIC["transactions"], tx)
    raise InputError(
        path,
        f"cannot tell which columns hold the customer, date and amount (missing: {', '.join(missing)}); "
        f"columns seen: {_column_list(columns)}. Name them with --map role=column, e.g. --map customer=\"Client\"",
    )


def _event_like(values: pd.Series) -> bool:
    values = values.dropna().astype(str)
    if values.empty:
        return False
    # Event names repeat a lot and are not numbers.
    return values.nunique() <= max(50, 0.2 * len(values)) and not values.str.match(r"^[\d.,\-]+$").mean() > 0.5


def _detect_headerless(path: str, columns: list[str], sample: pd.DataFrame) -> Detection:
    """No header (like the CDNOW log): infer roles from the values."""
    mapping: dict[str, str] = {}
    for col in columns:
        values = sample[col].dropna().astype(str)
        if values.empty:
            continue
        if "date" not in mapping and values.str.match(r"^(19|20)\d{2}[01]\d[0-3]\d$").mean() > 0.95:
            mapping["date"] = col
        elif "date" not in mapping and values.str.match(r"^\d{4}-\d{2}-\d{2}").mean() > 0.95:
            mapping["date"] = col
    for col in columns:
        if col in mapping.values():
            continue
        values = sample[col].dropna().astype(str)
        if "customer" not in mapping and (values.str.match(r"^[\w@.\-]+$").mean() > 0.95) and values.duplicated().any():
            if not values.str.contains(r"\.\d{1,2}$").any():
                mapping["customer"] = col
                continue
    numeric = [c for c in columns if c not in mapping.values() and sample[c].dropna().astype(str).str.match(r"^-?\d+(\.\d+)?$").mean() > 0.95]
    decimals = [c for c in numeric if sample[c].dropna().astype(str).str.contains(r"\.").any()]
    if decimals:
        mapping["amount"] = decimals[-1]
    ints = [c for c in numeric if c not in decimals]
    date_col = mapping.get("date")
    after_date = [c for c in ints if date_col and columns.index(c) > columns.index(date_col)]
    if after_date:
        mapping["quantity"] = after_date[0]
    if not all(r in mapping for r in ("customer", "date", "amount")):
        raise InputError(
            path,
            "has no header row and its columns could not be recognised as customer, date and amount; "
            "add a header line or name the columns with --map customer=column_1 --map date=column_2 ...",
        )
    return Detection("transactions", "transactions", 0.6, mapping, GENERIC["transactions"], ["no header row: columns recognised from their values"])


def _map_roles(spec: SourceSpec, normalized: dict[str, str], sample: pd.DataFrame) -> dict[str, str]:
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for role, aliases in spec.roles.items():
        for alias in aliases:
            col = normalized.get(alias)
            if col is None or (col in used and role not in ("email",)):
                continue
            if role == "unit_price" and col == mapping.get("amount"):
                continue
            mapping[role] = col
            used.add(col)
            break
    if spec.name == "transactions" and "customer" in mapping and "email" in mapping and mapping["customer"] == mapping["email"]:
        # One column names the customer. When it holds emails it is the email too: the CRM
        # files need it, and an email identifies a customer the same way in every export.
        if not _mostly_emails(sample, mapping["email"]):
            del mapping["email"]
    if spec.name == "transactions" and "amount" in mapping and mapping["amount"] == mapping.get("unit_price"):
        del mapping["unit_price"]
    if spec.name == "transactions" and "quantity" in mapping and "unit_price" in mapping and _amount_is_a_price(mapping):
        del mapping["amount"]
    return mapping


def _mostly_emails(sample: pd.DataFrame, column: str) -> bool:
    if column not in sample:
        return False
    values = sample[column].dropna().astype(str).str.strip()
    values = values[values != ""]
    return len(values) > 0 and values.str.contains("@", regex=False).mean() >= 0.5


def _amount_is_a_price(mapping: dict[str, str]) -> bool:
    """With quantity and unit price both present, an 'amount' that is really a price goes."""
    return norm(mapping.get("amount", "")) in ("price", "unitprice")


def _finish(path: str, columns: list[str], det: Detection, overrides: dict[str, str]) -> Detection:
    by_lower = {c.lower(): c for c in columns}
    for role, col in overrides.items():
        if role not in det.spec.roles:
            raise InputError(path, f"--map {role}=...: {det.source} has no role {role!r}; roles: {', '.join(det.spec.roles)}")
        real = col if col in columns else by_lower.get(col.lower())
        if real is None:
            raise InputError(path, f"--map {role}={col}: no such column; columns seen: {_column_list(columns)}")
        det.mapping[role] = real
    missing = _missing(det.spec, det.mapping)
    if missing:
        raise InputError(
            path,
            f"looks like {det.spec.description or det.source} but lacks {', '.join(missing)}; "
            f"columns seen: {_column_list(columns)}. Name them with --map role=column",
        )
    return det


def _missing(spec: SourceSpec, mapping: dict[str, str]) -> list[str]:
    missing = []
    for req in spec.required:
        options = req.split("|")
        if not any(all(part in mapping for part in opt.split("+")) for opt in options):
            missing.append(" or ".join(o.replace("+", " and ") for o in options))
    return missing


def _column_list(columns: list[str], limit: int = 25) -> str:
    shown = ", ".join(repr(c) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")
