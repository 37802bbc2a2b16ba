"""CRM exports: Klaviyo, HubSpot and Mailchimp import files plus a generic segments file.

The email-tool files are the only outputs besides the workbook that carry email
addresses. :class:`ExportSummary`, the value returned for printing, holds counts and
file names only, never an address.

Rules applied to every file:

* Nothing is dropped silently: for each email-tool file, rows written + customers left
  out (no usable email, opted out) = customers, and the left-out counts are kept per
  segment in the summary.
* Consent ``False`` leaves a customer out of the email-tool files unless
  ``include_unconsented``; unknown consent (<NA>) is not an opt-out, so the customer
  stays in and is counted in ``consent_unknown``.
* CSV injection (OWASP): a text cell starting with ``= + - @``, tab, CR or LF gets a
  leading ``'``; numeric columns are written as plain numbers.
* UTF-8 with BOM so Excel reads accents right; comma-separated, minimal quoting.

Only the standard library, numpy and pandas are used (the module ships in the skill).
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

EXPORTS_DIR = "exports"
KLAVIYO = "klaviyo"
HUBSPOT = "hubspot"
MAILCHIMP = "mailchimp"
GENERIC_FILE = "segments_generic.csv"
EMAIL_TOOLS = (KLAVIYO, HUBSPOT, MAILCHIMP)
NO_SEGMENT = "unsegmented"  # key used for customers without an RFM segment (e.g. event-log users who never bought)
ENCODING = "utf-8-sig"

# OWASP CSV injection: cells starting with these are read as formulas by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

# label columns of customers.csv and the segmentation whose names label them
LABEL_SEGMENTATIONS = {"lifecycle": "lifecycle", "value_tier": "value", "health_band": "health", "behavior": "behavioral"}
GENERIC_COLUMNS = ("customer_id", "segment", "segment_name", "r_score", "f_score", "m_score", "reason", "lifecycle", "value_tier", "health_band", "health_score", "behavior")

_OWN_FILE = re.compile(r"^(?:(?:klaviyo|hubspot|mailchimp)(?:_[a-z0-9_-]+)?\.csv|segments_generic\.csv)$")


@dataclass
class ExportSummary:
    """What was written and who was left out, per segment. Counts and file names only: no emails."""

    folder: str
    files: list[str]  # names inside ``folder``
    customers: int
    rows_written: dict[str, int]  # file name -> data rows
    left_out_no_email: dict[str, int]  # segment key -> customers without a usable email
    left_out_no_consent: dict[str, int]  # segment key -> customers who opted out (0 when include_unconsented)
    consent_unknown: int  # written to the email-tool files although the export did not say whether they consented
    consent_unknown_by_segment: dict[str, int]
    included_unconsented: int  # opted-out customers written because include_unconsented was set
    duplicate_emails: int  # written rows whose email an earlier row already had (the email tools merge them)
    include_unconsented: bool
    split: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# -- helpers shared with the workbook ---------------------------------------------------


def escape_text(value: str) -> str:
    """Prefix ``'`` to text a spreadsheet would otherwise read as a formula (OWASP)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    return False


def text_value(value: Any) -> str | None:
    """A cell value as plain text (dates as YYYY-MM-DD); None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def number_value(value: Any) -> int | float | None:
    """A plain Python number (integral floats become ints); None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)
    if math.isinf(number):
        return None
    return int(number) if number.is_integer() else number


def is_numeric_column(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _nested(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type) or isinstance(value, dict) and any(_nested(v) for v in value.values()) or isinstance(value, list) and any(_nested(v) for v in value)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def as_facts(facts: Any) -> dict:
    """facts.json as plain dicts and lists, whichever form the caller holds."""
    if facts is None:
        return {}
    return _plain(facts) if not isinstance(facts, dict) or _nested(facts) else facts


def segmentation(facts: dict, name: str) -> dict | None:
    seg = (facts.get("segmentations") or {}).get(name)
    return seg if isinstance(seg, dict) else None


def segment_names(facts: dict, name: str) -> dict[str, str]:
    """key -> display name of one segmentation's segments."""
    seg = segmentation(facts, name) or {}
    return {str(k): str(v.get("name") or k) for k, v in (seg.get("segments") or {}).items() if isinstance(v, dict)}


def segment_order(facts: dict, customers: pd.DataFrame) -> list[str]:
    """RFM segment keys in facts order, then any other key the customers carry, then NO_SEGMENT if needed."""
    rfm = segmentation(facts, "rfm") or {}
    order = [str(k) for k in (rfm.get("order") or list((rfm.get("segments") or {}).keys()))]
    keys = segment_keys(customers)
    for key in pd.unique(keys):
        if key not in order:
            order.append(key)
    return order


def segment_keys(customers: pd.DataFrame) -> np.ndarray:
    """Each customer's RFM segment key, NO_SEGMENT where there is none."""
    if "segment" not in customers:
        return np.array([NO_SEGMENT] * len(customers), dtype=object)
    return np.array([NO_SEGMENT if is_missing(v) or str(v).strip() == "" else str(v) for v in customers["segment"]], dtype=object)


def display_names(customers: pd.DataFrame, facts: dict) -> np.ndarray:
    """Each customer's RFM segment name (from the table, else facts, else the key); '' when unsegmented."""
    names = segment_names(facts, "rfm")
    keys = segment_keys(customers)
    own = customers["segment_name"].tolist() if "segment_name" in customers else [None] * len(customers)
    out = []
    for key, name in zip(keys, own):
        if key == NO_SEGMENT:
            out.append("")
        elif not is_missing(name) and str(name).strip():
            out.append(str(name))
        else:
            out.append(names.get(key, key.replace("_", " ").title()))
    return np.array(out, dtype=object)


def label_names(customers: pd.DataFrame, facts: dict, column: str) -> list[str | None]:
    """Display names of a label column (lifecycle 'established' -> 'Established')."""
    if column not in customers:
        return [None] * len(customers)
    names = segment_names(facts, LABEL_SEGMENTATIONS.get(column, column))
    out: list[str | None] = []
    for v in customers[column].tolist():
        text = text_value(v)
        out.append(None if text is None or not text.strip() else names.get(text, text.replace("_", " ").title() if re.fullmatch(r"[a-z0-9_]+", text) else text))
    return out


def rfm_scores(customers: pd.DataFrame) -> list[str | None]:
    """'545'-style RFM codes; None where a score is missing."""
    if not all(c in customers for c in ("r_score", "f_score", "m_score")):
        return [None] * len(customers)
    out: list[str | None] = []
    for r, f, m in zip(customers["r_score"].tolist(), customers["f_score"].tolist(), customers["m_score"].tolist()):
        nums = [number_value(v) for v in (r, f, m)]
        out.append(None if any(n is None for n in nums) else "".join(str(int(n)) for n in nums))
    return out


def consent_values(values: pd.Series) -> list[bool | None]:
    """True / False / None (unknown) from a boolean, nullable boolean or yes/no column."""
    out: list[bool | None] = []
    for v in values.tolist():
        if is_missing(v):
            out.append(None)
        elif isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, np.integer, float, np.floating)):
            out.append(bool(v))
        else:
            text = str(v).strip().lower()
            out.append(True if text in _TRUE else False if text in _FALSE else None)
    return out


_TRUE = {"yes", "y", "true", "t", "1", "subscribed", "opted_in", "opt-in", "optin", "granted", "confirmed"}
_FALSE = {"no", "n", "false", "f", "0", "unsubscribed", "not_subscribed", "opted_out", "opt-out", "optout", "pending", "never_subscribed", "cleaned", "revoked", "denied"}


def contact_columns(customers: pd.DataFrame, contacts: pd.DataFrame | None) -> tuple[list[str | None], list[bool | None]]:
    """Email (None when missing or unusable) and consent per customer row, joined on customer_id."""
    n = len(customers)
    if contacts is None or len(contacts) == 0 or "customer_id" not in contacts or "customer_id" not in customers:
        return [None] * n, [None] * n
    frame = contacts.drop_duplicates("customer_id", keep="first")
    ids = frame["customer_id"].astype(object).tolist()
    emails = frame["email"].tolist() if "email" in frame else [None] * len(frame)
    consents = consent_values(frame["consent"]) if "consent" in frame else [None] * len(frame)
    by_id = {str(i): (_clean_email(e), c) for i, e, c in zip(ids, emails, consents)}
    pairs = [by_id.get(str(i), (None, None)) for i in customers["customer_id"].tolist()]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _clean_email(value: Any) -> str | None:
    if is_missing(value):
        return None
    text = str(value).strip()
    if not text or "@" not in text:
        return None
    return text


def safe_slug(key: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "_", str(key).lower()).strip("_")
    return slug or "segment"


# -- writing ----------------------------------------------------------------------------


def write_csv(path: str, header: list[str], rows: Iterable[list[Any]]) -> int:
    """Write rows with text cells escaped and numbers left numeric; returns the data-row count."""
    count = 0
    with open(path, "w", encoding=ENCODING, newline="") as fh:
        writer = csv.writer(fh, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow([escape_text(h) for h in header])
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
            count += 1
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Number):
        return _format_number(value.value)
    return escape_text(str(value))


class Number:
    """Marks a value of a numeric column: written as a number, never escaped."""

    __slots__ = ("value",)

    def __init__(self, value: int | float) -> None:
        self.value = value


def _format_number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    return format(value, ".15g")


def _num(value: Any) -> Number | None:
    n = number_value(value)
    return None if n is None else Number(n)


def write_exports(
    customers: pd.DataFrame,
    contacts: pd.DataFrame | None,
    facts: Any,
    out_dir: str,
    *,
    include_unconsented: bool = False,
    split: bool = False,
) -> ExportSummary:
    """Write klaviyo.csv, hubspot.csv, mailchimp.csv and segments_generic.csv into out_dir/exports/.

    With ``split`` also one file per segment for each email tool (``klaviyo_champions.csv``).
    Returns counts only; emails never leave the files.
    """
    facts = as_facts(facts)
    customers = customers.reset_index(drop=True)
    n = len(customers)
    folder = os.path.join(os.path.abspath(out_dir), EXPORTS_DIR)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):  # stale files of an earlier export (e.g. split files of other segments)
        if _OWN_FILE.match(name) and os.path.isfile(os.path.join(folder, name)):
            os.remove(os.path.join(folder, name))

    order = segment_order(facts, customers)
    keys = segment_keys(customers)
    names = display_names(customers, facts)
    emails, consents = contact_columns(customers, contacts)
    ids = [text_value(v) or "" for v in customers["customer_id"].tolist()] if "customer_id" in customers else [""] * n
    scores = rfm_scores(customers)
    lifecycle = label_names(customers, facts, "lifecycle")
    value_tier = label_names(customers, facts, "value_tier")
    bought = _bought(customers, keys)

    no_email: dict[str, int] = {}
    no_consent: dict[str, int] = {}
    unknown: dict[str, int] = {}
    included_unconsented = 0
    keep: list[int] = []
    for i in range(n):
        key = keys[i]
        if emails[i] is None:
            no_email[key] = no_email.get(key, 0) + 1
        elif consents[i] is False and not include_unconsented:
            no_consent[key] = no_consent.get(key, 0) + 1
        else:
            keep.append(i)
            if consents[i] is None:
                unknown[key] = unknown.get(key, 0) + 1
            elif consents[i] is False:
                included_unconsented += 1
    seen: set[str] = set()
    duplicates = 0
    for i in keep:
        address = emails[i].lower()
        duplicates += address in seen
        seen.add(address)

    has_lifecycle = "lifecycle" in customers
    has_value = "value_tier" in customers
    has_scores = any(s is not None for s in scores)
    tools = {
        KLAVIYO: (
            ["Email", "Segment"] + (["RFM Score"] if has_scores else []) + (["Lifecycle"] if has_lifecycle else []) + (["Value Tier"] if has_value else []) + ["Customer ID"],
            lambda i: [emails[i], names[i]] + ([scores[i]] if has_scores else []) + ([lifecycle[i]] if has_lifecycle else []) + ([value_tier[i]] if has_value else []) + [ids[i]],
        ),
        HUBSPOT: (
            ["Email", "customer_segment", "lifecyclestage", "customer_id"],
            lambda i: [emails[i], names[i], "customer" if bought[i] else None, ids[i]],
        ),
        MAILCHIMP: (
            ["Email Address", "Tags", "Customer ID"],
            lambda i: [emails[i], _tags(names[i], lifecycle[i], value_tier[i]), ids[i]],
        ),
    }

    files: list[str] = []
    rows_written: dict[str, int] = {}
    for tool, (header, row) in tools.items():
        name = f"{tool}.csv"
        rows_written[name] = write_csv(os.path.join(folder, name), header, (row(i) for i in keep))
        files.append(name)
    if split:
        present = [k for k in order if (keys == k).any()]
        for tool, (header, row) in tools.items():
            for key in present:
                name = f"{tool}_{safe_slug(key)}.csv"
                rows_written[name] = write_csv(os.path.join(folder, name), header, (row(i) for i in keep if keys[i] == key))
                files.append(name)

    generic_cols = [c for c in GENERIC_COLUMNS if c in customers]
    numeric = {c for c in generic_cols if is_numeric_column(customers[c])}
    columns = {c: customers[c].tolist() for c in generic_cols}

    def generic_row(i: int) -> list[Any]:
        out = []
        for c in generic_cols:
            v = columns[c][i]
            if c == "segment_name":
                out.append(names[i] or None)
            elif c in numeric:
                out.append(_num(v))
            else:
                out.append(text_value(v))
        return out

    rows_written[GENERIC_FILE] = write_csv(os.path.join(folder, GENERIC_FILE), generic_cols, (generic_row(i) for i in range(n)))
    files.append(GENERIC_FILE)

    def ordered(counts: dict[str, int]) -> dict[str, int]:
        return {k: int(counts[k]) for k in order if counts.get(k)}

    notes = []
    if no_email:
        notes.append(f"{sum(no_email.values()):,} customers have no usable email and are only in {GENERIC_FILE}")
    if no_consent:
        notes.append(f"{sum(no_consent.values()):,} customers opted out of marketing and were left out of the email-tool files (include_unconsented writes them)")
    if included_unconsented:
        notes.append(f"{included_unconsented:,} customers who opted out of marketing were written because include_unconsented was set")
    if unknown:
        notes.append(f"{sum(unknown.values()):,} customers in the email-tool files have unknown consent (the export did not say); check before emailing them")
    if duplicates:
        notes.append(f"{duplicates:,} rows share an email with an earlier row; the email tools merge them into one profile")
    if NO_SEGMENT in set(keys):
        notes.append(f"{int((keys == NO_SEGMENT).sum()):,} customers have no RFM segment (no purchases); their Segment cell is empty")
    if any(bought[i] for i in keep):
        notes.append("hubspot.csv: create the contact property 'customer_segment' (single-line text) in HubSpot before importing, or map it during the import")

    return ExportSummary(
        folder=folder,
        files=files,
        customers=n,
        rows_written=rows_written,
        left_out_no_email=ordered(no_email),
        left_out_no_consent=ordered(no_consent),
        consent_unknown=int(sum(unknown.values())),
        consent_unknown_by_segment=ordered(unknown),
        included_unconsented=included_unconsented,
        duplicate_emails=duplicates,
        include_unconsented=include_unconsented,
        split=split,
        notes=notes,
    )


def _bought(customers: pd.DataFrame, keys: np.ndarray) -> list[bool]:
    """Whether each customer has bought: orders > 0, else purchase days > 0, else an RFM segment."""
    for column in ("orders", "purchase_days"):
        if column in customers:
            return [(number_value(v) or 0) > 0 for v in customers[column].tolist()]
    return [k != NO_SEGMENT for k in keys]


def _tags(*labels: str | None) -> str | None:
    tags = []
    for label in labels:
        if label:
            tag = label.replace(",", " ").strip()  # a comma would split one tag into two
            if tag and tag not in tags:
                tags.append(tag)
    return ",".join(tags) or None
