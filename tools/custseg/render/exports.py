"""CRM exports: Klaviyo, HubSpot and Mailchimp import files plus a generic segments file.

The email-tool files are the only outputs besides the workbook that carry email
addresses. :class:`ExportSummary`, the value returned for printing, holds counts and
file names only, never an address.

Rules applied to every file:

* Nothing is dropped silently: for each email-tool file, rows written + customers left
  out (no usable email, opted out, bought only through a sales channel the user left out)
  = customers, and the left-out counts are kept per segment in the summary.
* Consent ``False`` leaves a customer out of the email-tool files unless
  ``include_unconsented``; unknown consent (<NA>) is not an opt-out, so the customer
  stays in and is counted in ``consent_unknown``.
* CSV injection (OWASP): a text cell starting with ``= + - @``, tab, CR or LF gets a
  leading ``'``; numeric columns are written as plain numbers.
* UTF-8 with BOM so Excel reads accents right; comma-separated, minimal quoting.

Only the standard library, numpy, pandas and pyarrow are used (the module ships in the skill).
The work is columnar: a value is turned into its cell once per distinct value (or with
pyarrow compute for free text such as ids and emails), never once per customer, so
millions of customers take seconds.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custseg.compute.holdout import HOLDOUT_LABEL, HOLDOUT_SHARE, holdout_marks
from custseg.ingest.text import normalize_phone
from custseg.render.csvcells import (
    CHUNK,
    EMPTY,
    LARGE,
    Coded,
    arrow_codes,
    coded,
    combined_codes,
    first_positions,
    int_column,
    is_int,
    joined_runs,
    many_distinct,
    object_array,
    per_value,
    string_arrow,
    take_cells,
    value_codes,
)

EXPORTS_DIR = "exports"
KLAVIYO = "klaviyo"
HUBSPOT = "hubspot"
MAILCHIMP = "mailchimp"
# the email tools' date of the last purchase (segments_generic.csv's last_purchase); Mailchimp's file, tags only, has none
KLAVIYO_LAST_PURCHASE, HUBSPOT_LAST_PURCHASE = "Last Purchase", "last_purchase_date"
OWED_TAG = "Payment outstanding"  # Mailchimp's tag for a customer who still owes a failed payment
PROBLEM_TAG = "Payment problem"  # Mailchimp's tag for an event log's user who hit a payment error
GENERIC_FILE = "segments_generic.csv"
NO_SEGMENT = "unsegmented"  # key used for customers without an RFM segment (e.g. event-log users who never bought)
# A customers export's contacts who never bought, listed in the files as one segment (toolkit/run.py).
PROSPECT_KEY, PROSPECT_NAME = "prospects", "Prospects (never bought)"
# People whose every payment failed or was never completed (ingest/payments.py): one segment, no scores.
# A short plain label, as Mailchimp shows it as a tag: the report and README say what it means
# (no successful payment in the export), the label does not.
NEVER_PAID_KEY, NEVER_PAID_NAME = "payment_failed", "Failed payments only"
# A customers export's contacts it counts orders for, none of them kept in the orders export:
# they ordered, so a first-order welcome (the prospects') is wrong for them. No comma in the
# label: Mailchimp's tags split on commas, and the files should all carry the same label.
NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME = "no_kept_order", "Ordered but none kept (cancelled or refunded)"
# A customers export's contacts whose every kept order came through a channel the user left out
# (--exclude-channel: a marketplace's buyers, wholesale accounts): not the user's to email, so
# segments_generic.csv alone lists them, under a label naming the channels (excluded_channel_only_name).
EXCLUDED_CHANNEL_ONLY_KEY = "excluded_channel_only"
# Their marketing_consent and sms_consent cells in segments_generic.csv: not the export's yes or
# no, which an import keyed on consent would act on, but why they are not to be contacted.
EXCLUDED_CHANNEL_CONSENT = "excluded_channel"
# the files' own groups of people in no segment: none is held out, and none is a customer of a segment
GROUP_KEYS = (PROSPECT_KEY, NO_KEPT_ORDER_KEY, NEVER_PAID_KEY, EXCLUDED_CHANNEL_ONLY_KEY)
ENCODING = "utf-8-sig"


def excluded_channel_only_name(channels: list[str]) -> str:
    """'Bought only through a left-out channel (Honeycomb)': the channels joined with 'or', as
    a label carries no comma (the other groups' labels are Mailchimp tags, which split on one)."""
    listed = " or ".join(c.replace(",", " ").strip() for c in channels)
    return f"Bought only through {'a left-out channel' if len(channels) == 1 else 'left-out channels'} ({listed})"

# OWASP CSV injection: cells starting with these are read as formulas by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

# label columns of customers.csv and the segmentation whose names label them
LABEL_SEGMENTATIONS = {"lifecycle": "lifecycle", "value_tier": "value", "health_band": "health", "behavior": "behavioral"}
# Every column each email tool's file can carry, in the order it is written; a file carries those
# its data holds. check.py's rules are held to them (strategy/automation.py FILE_COLUMNS; a test keeps the two the same).
KLAVIYO_COLUMNS = ("Email", "Phone Number", "Segment", "RFM Score", "Lifecycle", "Value Tier", "Usage Group", KLAVIYO_LAST_PURCHASE, "Outstanding Payment", "Payment Problems", HOLDOUT_LABEL, "Pseudonymous ID")
HUBSPOT_COLUMNS = ("Email", "customer_segment", "lifecyclestage", "usage_group", HUBSPOT_LAST_PURCHASE, "outstanding_payment", "payment_problems", "holdout", "pseudonymous_id")
MAILCHIMP_COLUMNS = ("Email Address", "Tags", "Pseudonymous ID")
GENERIC_COLUMNS = ("customer_id", "source_id", "email", "marketing_consent", "phone", "sms_consent", "segment", "segment_name", "holdout", "r_score", "f_score", "m_score", "reason", "first_purchase", "last_purchase", "purchase_days", "monetary_total", "lifecycle", "value_tier", "health_band", "health_score", "behavior", "active_days_30", "days_since_active", "subscription", "billing_cycle", "outstanding_payments", "outstanding_value", "outstanding_since", "payment_problems", "last_payment_problem")

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
    left_out_channel: dict[str, int]  # segment key (excluded_channel_only) -> people who bought only through a channel the user left out: segments_generic.csv alone lists them
    reachable: int  # customers the email-tool files list: a usable email, and no opt-out (unless include_unconsented)
    reachable_by_segment: dict[str, int]  # segment key -> of those; every segment with customers, zeros included
    reachable_customers: int  # of reachable, the customers (not the files' groups: GROUP_KEYS)
    consent_unknown: int  # written to the email-tool files although the export did not say whether they consented
    consent_unknown_by_segment: dict[str, int]
    included_unconsented: int  # opted-out customers written because include_unconsented was set
    duplicate_emails: int  # written rows whose email an earlier row already had (the email tools merge them)
    include_unconsented: bool
    split: bool
    notes: list[str] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)  # key -> label of the files' own groups (prospects, no_kept_order, payment_failed), not segments of any segmentation
    columns: dict[str, list[str]] = field(default_factory=dict)  # whole file name -> its header (split files share their tool's): what a CRM rule can filter on
    # the holdout (compute/holdout.py) the files mark: everyone held out, those of them in the
    # email-tool files, and those per segment (every segment with customers, zeros included)
    held_out: int = 0
    holdout_share: float | None = None  # the share aimed at (compute/holdout.HOLDOUT_SHARE): a target, not what chance gave; None when nobody is marked
    held_out_reachable: int = 0
    held_out_by_segment: dict[str, int] = field(default_factory=dict)
    # what chance gave: the share of the customers in segments held out, overall and per segment
    # (a small segment's strays far from the target: 7 of 35 is 20%); None / {} when nobody is marked
    held_out_share: float | None = None
    held_out_share_by_segment: dict[str, float] = field(default_factory=dict)
    # phones (segments_generic.csv's phone column): who has one, and of them who accepted SMS
    # marketing, the only people a text may go to; by segment (every segment with customers,
    # zeros included) when anyone has a phone
    with_phone: int = 0
    with_phone_by_segment: dict[str, int] = field(default_factory=dict)
    sms_consent_recorded: bool = False  # whether the export says for anyone whether they accept SMS marketing
    sms_consent_yes: int = 0  # with a phone and SMS consent yes
    sms_consent_yes_by_segment: dict[str, int] = field(default_factory=dict)

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
    return _segment_order(facts, _segments(customers)[1])


def _segment_order(facts: dict, keys: list[str]) -> list[str]:
    rfm = segmentation(facts, "rfm") or {}
    order = [str(k) for k in (rfm.get("order") or list((rfm.get("segments") or {}).keys()))]
    for key in keys:  # keys in order of first appearance
        if key not in order:
            order.append(key)
    return order


def segment_keys(customers: pd.DataFrame) -> np.ndarray:
    """Each customer's RFM segment key, NO_SEGMENT where there is none."""
    codes, keys = _segments(customers)
    return object_array(keys)[codes]


def display_names(customers: pd.DataFrame, facts: dict) -> np.ndarray:
    """Each customer's RFM segment name (from the table, else facts, else the key); '' when unsegmented."""
    seg_codes, keys = _segments(customers)
    codes, names = _display(customers, facts, seg_codes, keys)
    return object_array(names)[codes]


def label_names(customers: pd.DataFrame, facts: dict, column: str) -> list[str | None]:
    """Display names of a label column (lifecycle 'established' -> 'Established')."""
    if column not in customers:
        return [None] * len(customers)
    codes, names = _labels(customers, facts, column)
    return object_array(names)[codes].tolist()


def rfm_scores(customers: pd.DataFrame) -> list[str | None]:
    """'545'-style RFM codes; None where a score is missing."""
    if not all(c in customers for c in ("r_score", "f_score", "m_score")):
        return [None] * len(customers)
    codes, scores = _scores(customers)
    return object_array(scores)[codes].tolist()


def _consent_value(v: Any) -> bool | None:
    if is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer, float, np.floating)):
        return bool(v)
    text = str(v).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


_TRUE = {"yes", "y", "true", "t", "1", "subscribed", "opted_in", "opt-in", "optin", "granted", "confirmed"}
_FALSE = {"no", "n", "false", "f", "0", "unsubscribed", "not_subscribed", "opted_out", "opt-out", "optout", "pending", "never_subscribed", "cleaned", "revoked", "denied"}


def contact_columns(customers: pd.DataFrame, contacts: pd.DataFrame | None) -> tuple[list[str | None], list[bool | None]]:
    """Email (None when missing or unusable) and consent per customer row, joined on customer_id."""
    emails, consent = _contacts(customers, contacts)
    return emails.to_pylist(), _CONSENT[consent + 1].tolist()


_CONSENT = np.array([None, False, True], dtype=object)  # indexed by consent code + 1 (-1 unknown, 0 no, 1 yes)


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


# -- CRM cells ------------------------------------------------------------------------------
#
# The per-value helpers above run once per distinct value (csvcells), then the cells are
# made spreadsheet-safe and quoted as csv.writer would.

_FORMULA_RE = "^[-=+@\t\r\n]"  # FORMULA_PREFIXES as a pattern
_QUOTE_RE = '[,"\r\n]'  # what csv.QUOTE_MINIMAL quotes with a comma delimiter and CRLF lines
_QUOTE_CHARS = re.compile(_QUOTE_RE)
_PY_SPACE = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())  # what str.strip() strips
_SPACE_CLASS = "".join(f"\\x{{{ord(ch):x}}}" for ch in _PY_SPACE)
_PADDED_RE = f"^[{_SPACE_CLASS}]|[{_SPACE_CLASS}]$"


def _text_column(values: pd.Series) -> pa.Array | Coded:
    """CSV cell of ``text_value`` of every row: escaped, quoted when needed, '' when missing."""
    if many_distinct(values):
        arr = string_arrow(values)
        if arr is None and is_int(values):
            arr = pa.array(values.to_numpy()).cast(LARGE)
        if arr is not None:
            return _cells(arr)
    codes, outs = per_value(values, lambda v: _cell(text_value(v)))
    return coded(outs, codes)


def _text_cells(values: pd.Series) -> pa.Array:
    column = _text_column(values)
    return column.array() if isinstance(column, Coded) else column


def _number_column(values: pd.Series) -> pa.Array | Coded:
    """CSV cells of a numeric column: ``number_value`` written as a number, '' when missing."""
    if is_int(values):
        return int_column(values.to_numpy())
    codes, outs = per_value(values, lambda v: "" if (x := number_value(v)) is None else _format_number(x))
    return coded(outs, codes)


def _str_keys(values: pd.Series, as_object: bool = False) -> pa.Array:
    """``str(v)`` of every value (of ``values.astype(object)`` when as_object): join keys."""
    arr = string_arrow(values)
    if arr is None:
        if is_int(values):
            return pa.array(values.to_numpy()).cast(LARGE)
        codes, first = value_codes(values)
        reps = values.iloc[first]
        return take_cells([str(v) for v in (reps.astype(object) if as_object else reps).tolist()], codes)
    null = arr.is_null()
    if arr.null_count:
        rows = values.iloc[np.flatnonzero(null.to_numpy(zero_copy_only=False))]
        arr = pc.replace_with_mask(arr, null, pa.array([str(v) for v in (rows.astype(object) if as_object else rows).tolist()], type=LARGE))
    return arr


def _cell(value: str | None) -> str:
    """One text cell as csv.writer writes it: escaped (OWASP), quoted when needed."""
    if value is None:
        return ""
    text = escape_text(str(value))
    return '"' + text.replace('"', '""') + '"' if _QUOTE_CHARS.search(text) else text


_QUOTE_BYTES = np.zeros(256, dtype=bool)
_QUOTE_BYTES[[ord(c) for c in ',"\r\n']] = True
_FORMULA_BYTES = np.zeros(256, dtype=bool)
_FORMULA_BYTES[[ord(c) for c in FORMULA_PREFIXES]] = True


def _needs_no_quoting(arr: pa.Array) -> bool:
    """Whether no cell of a large_string array (no nulls) needs escaping or quoting: one look
    at its bytes instead of two regular expressions over every cell (ids, most emails)."""
    if len(arr) == 0:
        return True
    _, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    if data_buf is None or offsets[-1] == offsets[0]:
        return True
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    if _QUOTE_BYTES[data].any():  # ASCII bytes: never part of a multi-byte character
        return False
    starts = offsets[:-1][offsets[1:] > offsets[:-1]] - offsets[0]
    return not _FORMULA_BYTES[data[starts]].any()


def _cells(arr: pa.Array) -> pa.Array:
    """``_cell`` of every value of a text array (nulls -> '')."""
    arr = pc.fill_null(arr.cast(LARGE), EMPTY)
    if _needs_no_quoting(arr):
        return arr
    formula = pc.match_substring_regex(arr, _FORMULA_RE)
    if pc.any(formula).as_py():
        arr = pc.if_else(formula, pc.binary_join_element_wise(pa.scalar("'", LARGE), arr, EMPTY), arr)
    quote = pc.match_substring_regex(arr, _QUOTE_RE)
    if pc.any(quote).as_py():
        mark = pa.scalar('"', LARGE)
        arr = pc.if_else(quote, pc.binary_join_element_wise(mark, pc.replace_substring(arr, '"', '""'), mark, EMPTY), arr)
    return arr


def _segment_key(v: Any) -> str:
    return NO_SEGMENT if is_missing(v) or str(v).strip() == "" else str(v)


def _segments(customers: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Segment-key code per customer and the distinct keys, in order of first appearance."""
    n = len(customers)
    if "segment" not in customers:
        return np.zeros(n, dtype=np.int64), ([NO_SEGMENT] if n else [])
    codes, outs = per_value(customers["segment"], _segment_key)
    index: dict[str, int] = {}
    remap = np.array([index.setdefault(k, len(index)) for k in outs], dtype=np.int64)
    return remap[codes], list(index)


def _display(customers: pd.DataFrame, facts: dict, seg_codes: np.ndarray, keys: list[str]) -> tuple[np.ndarray, list[str]]:
    """Codes and values of display_names."""
    names = segment_names(facts, "rfm")
    if "segment_name" in customers:
        own_codes, own_first = value_codes(customers["segment_name"])
        own = customers["segment_name"].iloc[own_first].tolist()
    else:
        own_codes, own = np.zeros(len(customers), dtype=np.int64), [None]
    codes, first = combined_codes(seg_codes, own_codes)
    out = []
    for p in first:
        key, name = keys[seg_codes[p]], own[own_codes[p]]
        if key == NO_SEGMENT:
            out.append("")
        elif not is_missing(name) and str(name).strip():
            out.append(str(name))
        else:
            out.append(names.get(key, key.replace("_", " ").title()))
    return codes, out


def _labels(customers: pd.DataFrame, facts: dict, column: str) -> tuple[np.ndarray, list[str | None]]:
    """Codes and values of label_names (the column must exist)."""
    names = segment_names(facts, LABEL_SEGMENTATIONS.get(column, column))

    def label(v: Any) -> str | None:
        text = text_value(v)
        return None if text is None or not text.strip() else names.get(text, text.replace("_", " ").title() if re.fullmatch(r"[a-z0-9_]+", text) else text)

    return per_value(customers[column], label)


def _scores(customers: pd.DataFrame) -> tuple[np.ndarray, list[str | None]]:
    """Codes and values of rfm_scores (the three columns must exist)."""
    parts = [per_value(customers[c], number_value) for c in ("r_score", "f_score", "m_score")]
    codes, first = combined_codes(*(c for c, _ in parts))
    out: list[str | None] = []
    for p in first:
        nums = [values[c[p]] for c, values in parts]
        out.append(None if any(x is None for x in nums) else "".join(str(int(x)) for x in nums))
    return codes, out


def _has_score(customers: pd.DataFrame) -> bool:
    """Whether any customer has all three of r_score, f_score and m_score (finite numbers)."""
    complete = np.ones(len(customers), dtype=bool)
    for column in ("r_score", "f_score", "m_score"):
        values = pd.to_numeric(customers[column], errors="coerce")
        complete &= np.isfinite(pd.Series(values).to_numpy(dtype=float, na_value=np.nan))
    return bool(complete.any())


def _clean_emails(values: pd.Series) -> pa.Array:
    """``_clean_email`` of every value, nulls where it gives None."""
    arr = string_arrow(values)
    if arr is None:
        codes, outs = per_value(values, _clean_email)
        return take_cells(outs, codes)
    padded = pc.fill_null(pc.match_substring_regex(arr, _PADDED_RE), False)
    if pc.any(padded).as_py():
        arr = pc.replace_with_mask(arr, padded, pa.array([s.strip() for s in pc.filter(arr, padded).to_pylist()], type=LARGE))
    return pc.if_else(pc.match_substring(arr, "@"), arr, pa.scalar(None, LARGE))


def _consent_codes(values: pd.Series) -> np.ndarray:
    codes, outs = per_value(values, _consent_value)
    return np.array([-1 if v is None else int(v) for v in outs], dtype=np.int8)[codes]


def _contacts(customers: pd.DataFrame, contacts: pd.DataFrame | None, joined: tuple[pd.DataFrame, np.ndarray] | None = None) -> tuple[pa.Array, np.ndarray]:
    """Usable email (null when none) and consent code (1 yes, 0 no, -1 unknown) per customer row
    (``joined``: :func:`_contact_rows` of the two, when the caller has it already)."""
    frame, row = joined or _contact_rows(customers, contacts)
    emails = _clean_emails(frame["email"]) if "email" in frame else pa.nulls(len(frame), LARGE)
    consent = _consent_codes(frame["consent"]) if "consent" in frame else np.full(len(frame), -1, dtype=np.int8)
    return _take_rows(emails, row), _take_codes(consent, row)


def _phones(joined: tuple[pd.DataFrame, np.ndarray]) -> tuple[pa.Array, np.ndarray]:
    """Phone (digits, a leading + where the export gave a country code; null when none) and
    SMS consent code (1 yes, 0 no, -1 unknown) per customer row, from :func:`_contact_rows`."""
    frame, row = joined
    phones = _clean_phones(frame["phone"]) if "phone" in frame else pa.nulls(len(frame), LARGE)
    sms = _consent_codes(frame["sms_consent"]) if "sms_consent" in frame else np.full(len(frame), -1, dtype=np.int8)
    return _take_rows(phones, row), _take_codes(sms, row)


def _take_rows(values: pa.Array, row: np.ndarray) -> pa.Array:
    """The contact row's value per customer; null where a customer has no contact row (-1)."""
    if not len(values):
        return pa.nulls(len(row), LARGE)
    return pc.take(values, pa.array(np.maximum(row, 0), mask=row < 0))


def _take_codes(codes: np.ndarray, row: np.ndarray) -> np.ndarray:
    """The contact row's consent code per customer; -1 (unknown) where there is none."""
    if not len(codes):
        return np.full(len(row), -1, dtype=np.int8)
    return np.where(row >= 0, codes[np.maximum(row, 0)], -1).astype(np.int8)


def _contact_rows(customers: pd.DataFrame, contacts: pd.DataFrame | None) -> tuple[pd.DataFrame, np.ndarray]:
    """The contact table and, per customer row, the position of its contact in it (-1: none):
    a customer's first contact row, the one drop_duplicates(keep="first") + a lookup give."""
    n = len(customers)
    if contacts is None or len(contacts) == 0 or "customer_id" not in contacts or "customer_id" not in customers:
        return pd.DataFrame(), np.full(n, -1, dtype=np.int64)
    theirs = string_arrow(contacts["customer_id"])
    if theirs is not None and not theirs.null_count:
        # Text ids are their own str(): one hash pass over both sides finds each customer's
        # first contact row.
        m = len(contacts)
        codes = arrow_codes(pa.concat_arrays([theirs, _str_keys(customers["customer_id"])]))
        known = int(codes[:m].max()) + 1  # contact ids come first, so they hold codes 0..known-1
        first = first_positions(codes[:m].astype(np.int64))
        mine = codes[m:]
        return contacts, np.where(mine < known, first[np.minimum(mine, known - 1)], -1).astype(np.int64)
    frame = contacts.drop_duplicates("customer_id", keep="first")
    m = len(frame)
    theirs = _str_keys(frame["customer_id"], as_object=True)
    backwards = np.arange(m - 1, -1, -1, dtype=np.int64)  # a later contact with the same key wins, as in a dict
    found = pc.index_in(_str_keys(customers["customer_id"]), value_set=pc.take(theirs, pa.array(backwards)))
    found = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return frame, np.where(found >= 0, m - 1 - found, -1)


def _clean_phones(values: pd.Series) -> pa.Array:
    """Phones as the identity normalizes them (ingest already did; a caller's table may not):
    digits, a leading + kept, fewer than six digits no phone."""
    return pa.array(normalize_phone(pd.Series(values, dtype=object)).to_numpy(dtype=object, na_value=None), type=LARGE)


def _source_cells(customers: pd.DataFrame, source_ids: pd.DataFrame | None) -> pa.Array | None:
    """The CSV cell of each customer's identifier in the export ('' when unknown), row for row."""
    if source_ids is None or "customer_id" not in customers or len(source_ids) == 0:
        return None
    mine = _str_keys(customers["customer_id"])
    theirs = _str_keys(source_ids["customer_id"])
    values = string_arrow(source_ids["source_id"])
    if values is None:
        values = _str_keys(source_ids["source_id"])
    if len(mine) == len(theirs) and pc.all(pc.equal(mine, theirs)).as_py():  # same customers, same order
        return _cells(values)
    found = pc.index_in(mine, value_set=theirs)  # the first row of a repeated id wins
    return _cells(pc.take(values, found))


def _distinct_lower(emails: pa.Array) -> int:
    """How many distinct ``str.lower()`` values."""
    ascii_ = pc.string_is_ascii(emails)
    lower = pc.ascii_lower(emails)
    if not pc.all(ascii_).as_py() and len(emails):
        other = pc.invert(ascii_)
        lower = pc.replace_with_mask(lower, other, pa.array([s.lower() for s in pc.filter(emails, other).to_pylist()], type=LARGE))
    return len(pc.unique(lower))


# -- writing ----------------------------------------------------------------------------


def _present(order: tuple[str, ...], cells: dict[str, Any]) -> tuple[list[str], list]:
    """(header, columns) of a tool's file: the columns of ``order`` that have cells, in that order."""
    header = [name for name in order if cells.get(name) is not None]
    return header, [cells[name] for name in header]


def _lines(columns: list[pa.Array]) -> pa.Array:
    """Cells joined into CSV lines, each ending in CRLF (columns must not be empty)."""
    if len(columns) == 1:  # csv.writer quotes a row that is one empty field
        line = pc.if_else(pc.equal(columns[0], EMPTY), pa.scalar('""', LARGE), columns[0])
    else:
        line = pc.binary_join_element_wise(*columns, pa.scalar(",", LARGE))
    return pc.binary_join_element_wise(line, EMPTY, pa.scalar("\r\n", LARGE))


def _write_lines(path: str, header: list[str], chunks: Iterable[pa.Array]) -> int:
    """Write the header and the lines of each chunk, byte for byte what write_csv writes; returns the row count."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow([escape_text(h) for h in header])
    rows = 0
    with open(path, "wb") as fh:
        fh.write(buf.getvalue().encode(ENCODING))  # utf-8-sig: the BOM, then the header
        for line in chunks:
            if len(line):
                offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)[line.offset : line.offset + len(line) + 1]
                fh.write(memoryview(line.buffers()[2])[offsets[0] : offsets[-1]])
            rows += len(line)
    return rows


def _write_columns(path: str, header: list[str], columns: list[pa.Array | Coded], rows: int) -> int:
    """Write columns of ready CSV cells as lines; returns the row count."""
    if not columns:
        with open(path, "wb") as fh:
            fh.write(("\r\n" * (rows + 1)).encode(ENCODING))
        return rows
    return _write_lines(path, header, (_lines([c.chunk(start, CHUNK) if isinstance(c, Coded) else c.slice(start, CHUNK) for c in columns]) for start in range(0, rows, CHUNK)))


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
    source_ids: pd.DataFrame | None = None,
) -> ExportSummary:
    """Write klaviyo.csv, hubspot.csv, mailchimp.csv and segments_generic.csv into out_dir/exports/.

    With ``split`` also one file per segment for each email tool (``klaviyo_champions.csv``).
    ``source_ids`` (customer_id, source_id: the identifier the export knew each customer by)
    gives segments_generic.csv a ``source_id`` column, so customers without an email can be
    found in the user's own systems. Returns counts only; emails never leave the files.
    """
    facts = as_facts(facts)
    customers = customers.reset_index(drop=True)
    n = len(customers)
    folder = os.path.join(os.path.abspath(out_dir), EXPORTS_DIR)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):  # stale files of an earlier export (e.g. split files of other segments)
        if _OWN_FILE.match(name) and os.path.isfile(os.path.join(folder, name)):
            os.remove(os.path.join(folder, name))

    seg, keys = _segments(customers)  # segment-key code per customer, keys by first appearance
    key_index = {k: j for j, k in enumerate(keys)}
    order = _segment_order(facts, keys)
    name_codes, names = _display(customers, facts, seg, keys)
    name_cells = [_cell(v or None) for v in names]
    id_cells = _text_cells(customers["customer_id"]) if "customer_id" in customers else _cells(pa.nulls(n, LARGE))

    joined = _contact_rows(customers, contacts)  # one join for emails and phones alike
    emails, consent = _contacts(customers, contacts, joined)
    phones, sms = _phones(joined)
    has_phone = phones.is_valid().to_numpy(zero_copy_only=False)
    sms_recorded = bool((sms >= 0).any())
    texting = has_phone & (sms == 1)  # a text may go to these only
    sources = _source_cells(customers, source_ids)
    # Everyone is in the generic file, opted-out customers too: where the export recorded
    # consent, a column says whose it is, before anyone emails the list.
    consent_known = bool((consent >= 0).any())
    # the holdout (compute/holdout.py): campaigns leave them out, so what the plan adds can be measured
    marks = holdout_marks(customers["customer_id"]) if "customer_id" in customers else None
    has_holdout = marks is not None
    held = marks if marks is not None else np.zeros(n, dtype=bool)
    # the files' own groups (prospects, no kept order, failed payments only) are no customers of a segment: none held out
    held &= ~np.isin(seg, [j for j, k in enumerate(keys) if k in GROUP_KEYS])
    # who bought only through a channel the user left out is not theirs to email or text: the generic file alone lists them
    channel_only = seg == key_index[EXCLUDED_CHANNEL_ONLY_KEY] if EXCLUDED_CHANNEL_ONLY_KEY in key_index else np.zeros(n, dtype=bool)
    texting &= ~channel_only
    # ...and an import keyed on consent must not pick them up: their consent cells say excluded_channel
    # (the export's yes would read as leave to email them), in a column written whenever they are listed
    has_channel_only = bool(channel_only.any())
    extra = {"source_id": sources is not None, "email": emails.null_count < len(emails), "marketing_consent": consent_known or has_channel_only, "holdout": has_holdout,
             "phone": bool(has_phone.any()), "sms_consent": sms_recorded}
    generic_cols = [c for c in GENERIC_COLUMNS if c in customers or extra.get(c)]
    # the day of each customer's last purchase (YYYY-MM-DD), one cell per distinct day: the
    # generic file's last_purchase, and a date Klaviyo and HubSpot filter on relatively ("is
    # more than 90 days ago"), so a trigger on days since the last purchase stays true between imports
    last_purchase = _text_column(customers["last_purchase"]) if "last_purchase" in customers else None
    has_last_purchase = last_purchase is not None and bool(customers["last_purchase"].notna().any())
    generic: list[pa.Array | Coded] = []
    for c in generic_cols:
        if c == "source_id":
            generic.append(sources)
        elif c == "email":
            generic.append(_cells(emails))
        elif c == "marketing_consent":
            generic.append(coded(["unknown", "no", "yes", EXCLUDED_CHANNEL_CONSENT], np.where(channel_only, 3, consent.astype(np.int64) + 1)))
        elif c == "phone":
            generic.append(_phone_cells(phones))
        elif c == "sms_consent":
            generic.append(coded(["unknown", "no", "yes", EXCLUDED_CHANNEL_CONSENT], np.where(channel_only, 3, sms.astype(np.int64) + 1)))
        elif c == "holdout":
            generic.append(coded(["false", "true"], held.astype(np.int64)))
        elif c == "segment_name":
            generic.append(coded(name_cells, name_codes))
        elif c == "last_purchase":
            generic.append(last_purchase)
        elif is_numeric_column(customers[c]):
            generic.append(_number_column(customers[c]))
        elif c == "customer_id":
            generic.append(id_cells)
        else:
            generic.append(_text_column(customers[c]))
    generic = joined_runs(generic, n)

    # Joining cells into lines and writing them is pyarrow and file work that releases the GIL:
    # the generic file is written on a second thread while the email-tool files are built.
    with ThreadPoolExecutor(max_workers=1) as pool:
        generic_job = pool.submit(_write_columns, os.path.join(folder, GENERIC_FILE), generic_cols, generic, n)
        del generic

        has_email = emails.is_valid().to_numpy(zero_copy_only=False) & ~channel_only
        opted_out = has_email & (consent == 0)
        keep = has_email if include_unconsented else has_email & ~opted_out
        included_unconsented = int((keep & opted_out).sum())

        def counts(mask: np.ndarray) -> dict[str, int]:
            c = np.bincount(seg[mask], minlength=len(keys))
            return {k: int(c[j]) for j, k in enumerate(keys) if c[j]}

        no_email = counts(~has_email & ~channel_only)
        left_channel = counts(channel_only)
        no_consent = counts(opted_out) if not include_unconsented else {}
        unknown = counts(keep & (consent == -1))
        rows = np.flatnonzero(keep)
        kept = pa.array(rows, type=pa.int64())
        kept_emails = pc.take(emails, kept)
        distinct_job = pool.submit(_distinct_lower, kept_emails)

        email_cells = _cells(kept_emails)
        seg_names = take_cells(name_cells, name_codes[rows])
        ids = pc.take(id_cells, kept)
        # The email tools' own columns, worked out for the customers they list only.
        listed = customers.iloc[rows].reset_index(drop=True)
        listed_count = len(rows)
        listed_names = name_codes[rows]
        bought = _bought(listed, seg[rows], keys)
        if all(c in customers for c in ("r_score", "f_score", "m_score")):
            score_codes, scores = _scores(listed)
        else:
            score_codes, scores = np.zeros(listed_count, dtype=np.int64), [None]
        has_scores = all(c in customers for c in ("r_score", "f_score", "m_score")) and _has_score(customers)
        labels = {}
        # an event log's usage group rides beside lifecycle and value tier: a plan on the usage
        # groups keys its rules on it in the email tools (the RFM Segment is the buyers' only)
        for column in ("lifecycle", "value_tier", "behavior"):
            labels[column] = _labels(listed, facts, column) if column in customers else (np.zeros(listed_count, dtype=np.int64), [None])
        has_lifecycle = "lifecycle" in customers
        has_value = "value_tier" in customers
        has_usage = "behavior" in customers

        def label_cells(column: str) -> pa.Array:
            codes, values = labels[column]
            return take_cells([_cell(v) for v in values], codes)

        # who still owes a failed payment (a payments export), or hit a payment error (an event
        # log): Klaviyo and HubSpot get the amount or count, Mailchimp (tags only) a tag
        owes = _positive(listed, "outstanding_value", listed_count)
        troubled = _positive(listed, "payment_problems", listed_count)
        listed_held = held[rows]
        flags = owes + 2 * troubled + 4 * listed_held
        tag_codes, tag_first = combined_codes(listed_names, labels["lifecycle"][0], labels["value_tier"][0], labels["behavior"][0], flags)
        tags = [_cell(_tags(names[listed_names[p]], *(labels[c][1][labels[c][0][p]] for c in ("lifecycle", "value_tier", "behavior")), OWED_TAG if owes[p] else None, PROBLEM_TAG if troubled[p] else None, HOLDOUT_LABEL if listed_held[p] else None)) for p in tag_first]
        holdout_cells = [take_cells([_cell("false"), _cell("true")], listed_held.astype(np.int64))] if has_holdout else []
        customer_stage, ended_stage = _hubspot_stage(listed, seg[rows], keys, bought)
        stage = pc.if_else(pa.array(customer_stage, type=pa.bool_()), pa.scalar("customer", LARGE), EMPTY)

        # failed payments still owed (a payments export), payment errors (an event log): a
        # property a recovery flow can filter on
        owed = [_number_column(listed["outstanding_value"])] if "outstanding_value" in customers else []
        # Klaviyo applies SMS consent to every phone of an import or to none: its file carries
        # the phones of those who accepted SMS marketing only, so no choice at import can
        # subscribe anyone else (segments_generic.csv has every phone, for calls)
        listed_texting = texting[rows]
        sms_phones = [_phone_cells(pc.if_else(pa.array(listed_texting), pc.take(phones, kept), pa.scalar(None, LARGE)))] if listed_texting.any() else []
        problems = [_number_column(listed["payment_problems"])] if "payment_problems" in customers else []
        last_bought = [_rows_of(last_purchase, rows)] if has_last_purchase else []  # empty for those who never bought
        def one(cells: list) -> Any:  # the one column of a list of none or one, or None
            return cells[0] if cells else None

        tools = {  # each tool's columns its data holds, in the order of its full list
            KLAVIYO: _present(KLAVIYO_COLUMNS, {
                "Email": email_cells, "Phone Number": one(sms_phones), "Segment": seg_names,
                "RFM Score": take_cells([_cell(s) for s in scores], score_codes) if has_scores else None,
                "Lifecycle": label_cells("lifecycle") if has_lifecycle else None, "Value Tier": label_cells("value_tier") if has_value else None,
                "Usage Group": label_cells("behavior") if has_usage else None, KLAVIYO_LAST_PURCHASE: one(last_bought), "Outstanding Payment": one(owed),
                "Payment Problems": one(problems), HOLDOUT_LABEL: one(holdout_cells), "Pseudonymous ID": ids,
            }),
            HUBSPOT: _present(HUBSPOT_COLUMNS, {
                "Email": email_cells, "customer_segment": seg_names, "lifecyclestage": stage, "usage_group": label_cells("behavior") if has_usage else None,
                HUBSPOT_LAST_PURCHASE: one(last_bought), "outstanding_payment": one(owed), "payment_problems": one(problems), "holdout": one(holdout_cells), "pseudonymous_id": ids,
            }),
            MAILCHIMP: _present(MAILCHIMP_COLUMNS, {"Email Address": email_cells, "Tags": take_cells(tags, tag_codes), "Pseudonymous ID": ids}),
        }

        files: list[str] = []
        rows_written: dict[str, int] = {}
        if not split:
            for tool, (header, columns) in tools.items():
                name = f"{tool}.csv"
                rows_written[name] = _write_columns(os.path.join(folder, name), header, columns, len(rows))
                files.append(name)
        else:  # each tool's lines are joined once, then cut per segment
            present = [k for k in order if k in key_index]
            kept_seg = seg[rows]
            parts = {key: pa.array(np.flatnonzero(kept_seg == key_index[key]), type=pa.int64()) for key in present}
            split_files = []
            for tool, (header, columns) in tools.items():
                name = f"{tool}.csv"
                lines = _lines([c.array() if isinstance(c, Coded) else c for c in columns])  # coded columns (amounts, dates) spread out once
                rows_written[name] = _write_lines(os.path.join(folder, name), header, [lines])
                files.append(name)
                for key in present:
                    split_files.append((f"{tool}_{safe_slug(key)}.csv", _write_lines(os.path.join(folder, f"{tool}_{safe_slug(key)}.csv"), header, [pc.take(lines, parts[key])])))
                del lines
            for name, count in split_files:  # listed after all three whole files, as before
                rows_written[name] = count
                files.append(name)
        duplicates = len(rows) - distinct_job.result()
        rows_written[GENERIC_FILE] = generic_job.result()
        files.append(GENERIC_FILE)

    def ordered(counts: dict[str, int]) -> dict[str, int]:
        return {k: int(counts[k]) for k in order if counts.get(k)}

    # Zeros kept: "nobody in this segment can be emailed" is what a plan must know.
    listed_by_segment = np.bincount(seg[rows], minlength=len(keys))
    reachable_by_segment = {k: int(listed_by_segment[key_index[k]]) for k in order if k in key_index}

    notes = []
    if no_email:
        where = f"{GENERIC_FILE}, where source_id is the id your export gave them" if sources is not None else GENERIC_FILE
        notes.append(f"{who_counted(no_email)} have no usable email and are only in {where}")
    if no_consent:
        notes.append(f"{who_counted(no_consent)} opted out of marketing and were left out of the email-tool files; {GENERIC_FILE} lists them with marketing_consent = no (as it does customers without an email who opted out; to email from it, keep the rows with an email and marketing_consent = yes, or unknown where the user may email those)")
    if left_channel:
        label = names[name_codes[np.flatnonzero(channel_only)[0]]]
        apart = sum(left_channel.values())
        notes.append(f"{apart:,} {'person' if apart == 1 else 'people'} bought only through a sales channel you left out and {'is' if apart == 1 else 'are'} only in {GENERIC_FILE}, as '{label}': "
                     "the email-tool files leave them out, as that channel's buyers are not yours to email; "
                     f"{GENERIC_FILE} gives them marketing_consent = {EXCLUDED_CHANNEL_CONSENT}{' (and sms_consent the same)' if sms_recorded else ''} in place of the consent the export recorded, "
                     "so an import that keeps marketing_consent = yes leaves them out; leave their rows out when emailing or texting from the generic file by any other rule too")
    if included_unconsented:
        notes.append(f"{included_unconsented:,} customers who opted out of marketing were written to the email-tool files because --include-unconsented was given")
    if unknown:
        notes.append(f"{sum(unknown.values()):,} people in the email-tool files have unknown consent (the export did not say); check before emailing them")
    notes.extend(_phone_notes(counts(has_phone), counts(texting), sms_recorded, int(listed_texting.sum())))
    if duplicates:
        notes.append(f"{duplicates:,} rows share an email with an earlier row; the email tools merge them into one profile")
    if NO_SEGMENT in key_index:
        notes.append(f"{int((seg == key_index[NO_SEGMENT]).sum()):,} customers have no RFM segment (no purchases); their Segment cell is empty")
    if bool(bought.any()):
        notes.append("hubspot.csv: create the contact property 'customer_segment' (single-line text) in HubSpot before importing, or map it during the import"
                     + (f", and '{HUBSPOT_LAST_PURCHASE}' (date picker) for the day of the last purchase" if has_last_purchase else "")
                     + (", and 'outstanding_payment' (number) for what a customer still owes" if "outstanding_value" in customers else "")
                     + (", and 'payment_problems' (number) for how many payment errors a user hit" if "payment_problems" in customers else "")
                     + (", and 'usage_group' (single-line text) for the user's usage group" if has_usage else "")
                     + (", and 'holdout' (single checkbox) for the customers campaigns leave out" if has_holdout else ""))
    if has_last_purchase:
        notes.append(f"klaviyo.csv: map '{KLAVIYO_LAST_PURCHASE}' to the date data type when importing, not text, so a segment can filter on it relatively ('is more than 90 days ago')")
    if ended_stage:
        notes.append(
            f"hubspot.csv: {ended_stage:,} accounts whose status says they ended (lifecycle Churned) have an empty lifecyclestage: HubSpot does not move a contact's "
            "stage backwards on import and leaves a property alone when its cell is empty, so they keep the stage they have; 'other' would relabel former customers. "
            "Their customer_segment and the generic file's lifecycle column say they churned"
        )

    held_counts = _counts_in_order(seg[held], keys, order)
    everyone = _counts_in_order(seg, keys, order)  # the shares' bases: each segment's customers
    in_segments = ~np.isin(seg, [j for j, k in enumerate(keys) if k in GROUP_KEYS])
    return ExportSummary(
        folder=folder,
        files=files,
        customers=n,
        rows_written=rows_written,
        left_out_no_email=ordered(no_email),
        left_out_no_consent=ordered(no_consent),
        left_out_channel=ordered(left_channel),
        reachable=len(rows),
        reachable_by_segment=reachable_by_segment,
        reachable_customers=len(rows) - sum(reachable_by_segment.get(k, 0) for k in GROUP_KEYS),
        consent_unknown=int(sum(unknown.values())),
        consent_unknown_by_segment=ordered(unknown),
        included_unconsented=included_unconsented,
        duplicate_emails=int(duplicates),
        include_unconsented=include_unconsented,
        split=split,
        notes=notes,
        columns={**{f"{tool}.csv": header for tool, (header, _) in tools.items()}, GENERIC_FILE: generic_cols},
        held_out=int(held.sum()),
        holdout_share=HOLDOUT_SHARE if has_holdout else None,
        held_out_reachable=int(held[rows].sum()),
        held_out_by_segment={k: c for k, c in held_counts.items() if k not in GROUP_KEYS} if has_holdout else {},
        held_out_share=round(int(held.sum()) / int(in_segments.sum()), 6) if has_holdout and in_segments.any() else None,
        held_out_share_by_segment={k: round(c / everyone[k], 6) for k, c in held_counts.items() if k not in GROUP_KEYS and everyone.get(k)} if has_holdout else {},
        with_phone=int(has_phone.sum()),
        with_phone_by_segment=_counts_in_order(seg[has_phone], keys, order) if has_phone.any() else {},
        sms_consent_recorded=sms_recorded,
        sms_consent_yes=int(texting.sum()),
        sms_consent_yes_by_segment=_counts_in_order(seg[texting], keys, order) if has_phone.any() and sms_recorded else {},
    )


def _rows_of(column: pa.Array | Coded, rows: np.ndarray) -> pa.Array | Coded:
    """A column's cells of some rows (the customers an email-tool file lists), still coded when it was."""
    if isinstance(column, Coded):
        return Coded(column.codes[rows], column.cells)
    return pc.take(column, pa.array(rows, type=pa.int64()))


def _phone_cells(phones: pa.Array) -> pa.Array:
    """CSV cells of normalized phones ('' when none). Not prefixed with ' as text starting with
    + otherwise is: a cell of digits and a leading + cannot run as a formula, and an import
    needs +1... as it is (Klaviyo reads the country from it)."""
    return pc.fill_null(phones.cast(LARGE), EMPTY)


def _phone_notes(with_phone: dict[str, int], texting: dict[str, int], sms_recorded: bool, in_klaviyo: int) -> list[str]:
    """Who has a phone, and who of them may be texted (counts only)."""
    if not with_phone:
        return []
    note = f"{who_counted(with_phone)} have a phone number ({GENERIC_FILE}'s phone column)"
    # what the files add is no one to text; a trial's plan texted Klaviyo's own SMS subscribers, and
    # 'text nobody' read as no SMS at all
    own = ("; klaviyo.csv carries no phone numbers, so importing it subscribes no one to SMS,"
           " and people already subscribed to SMS in Klaviyo (its own SMS consent) can be texted there")
    if not sms_recorded:
        return [note + "; the export does not record SMS consent, so text none of these numbers until the user confirms who agreed" + own]
    if not texting:
        return [note + "; none of them accepted SMS marketing (sms_consent), so text none of these numbers" + own]
    return [note + f"; {who_counted(texting)} of them accepted SMS marketing (sms_consent = yes): texts go to them only. "
            f"klaviyo.csv's Phone Number holds the phones of the {in_klaviyo:,} of them it lists (an email, no opt-out) and no one else's"]


def _counts_in_order(seg: np.ndarray, keys: list[str], order: list[str]) -> dict[str, int]:
    """Customers per segment (codes into ``keys``), in the segments' order, zeros kept."""
    counts = np.bincount(seg, minlength=len(keys))
    index = {k: j for j, k in enumerate(keys)}
    return {k: int(counts[index[k]]) for k in order if k in index}


def _bought(customers: pd.DataFrame, seg: np.ndarray, keys: list[str]) -> np.ndarray:
    """Whether each customer has bought: orders > 0, else purchase days > 0, else an RFM segment."""
    for column in ("orders", "purchase_days"):
        if column in customers:
            codes, outs = per_value(customers[column], lambda v: (number_value(v) or 0) > 0)
            return np.array(outs, dtype=bool)[codes]
    return np.array([k != NO_SEGMENT for k in keys], dtype=bool)[seg]


def _hubspot_stage(customers: pd.DataFrame, seg: np.ndarray, keys: list[str], bought: np.ndarray) -> tuple[np.ndarray, int]:
    """Who gets HubSpot's lifecyclestage 'customer': those who bought, or who hold a segment (a
    CRM's live subscription with no order on record), unless a CRM's status says the account
    ended (lifecycle Churned): their cell stays empty. Also how many ended accounts that leaves
    empty."""
    segmented = np.array([k != NO_SEGMENT and k not in GROUP_KEYS for k in keys], dtype=bool)[seg] if len(keys) else np.zeros(len(seg), dtype=bool)
    customer = bought | segmented
    if "lifecycle" not in customers:
        return customer, 0
    ended = customers["lifecycle"].eq("churned").to_numpy(dtype=bool, na_value=False)  # categorical: compared on its codes, no per-row copy
    return customer & ~ended, int((customer & ended).sum())


def _positive(listed: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """1 where ``column`` (a count or an amount) is above 0, else 0; all 0 without the column."""
    if column not in listed:
        return np.zeros(n, dtype=np.int64)
    return (pd.to_numeric(listed[column], errors="coerce").fillna(0).to_numpy() > 0).astype(np.int64)


# The CRM files' own groups of people in no segment: contacts, not customers
_NOT_CUSTOMERS = {PROSPECT_KEY: ("contact who never bought", "contacts who never bought"), NO_KEPT_ORDER_KEY: ("contact whose orders were not kept", "contacts whose orders were not kept"),
                  NEVER_PAID_KEY: ("person whose every payment failed", "people whose every payment failed"),
                  EXCLUDED_CHANNEL_ONLY_KEY: ("contact who bought only through a channel left out", "contacts who bought only through a channel left out")}


def who_counted(by_segment: dict[str, int]) -> str:
    """'416 people (67 customers, 349 contacts who never bought)' from counts by segment key, or
    '67 customers' when all of them bought: a note must not call contacts customers."""
    total = sum(by_segment.values())
    apart = {words: by_segment[k] for k, words in _NOT_CUSTOMERS.items() if by_segment.get(k)}
    if not apart:
        return f"{total:,} {'customer' if total == 1 else 'customers'}"
    buyers = total - sum(apart.values())
    if not buyers and len(apart) == 1:
        return f"{total:,} {next(iter(apart))[total != 1]}"
    parts = ([f"{buyers:,} {'customer' if buyers == 1 else 'customers'}"] if buyers else []) + [f"{n:,} {words[n != 1]}" for words, n in apart.items()]
    return f"{total:,} {'person' if total == 1 else 'people'} ({', '.join(parts)})"


def _tags(*labels: str | None) -> str | None:
    tags = []
    for label in labels:
        if label:
            tag = label.replace(",", " ").strip()  # a comma would split one tag into two
            if tag and tag not in tags:
                tags.append(tag)
    return ",".join(tags) or None
