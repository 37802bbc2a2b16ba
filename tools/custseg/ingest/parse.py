"""Turn export strings into numbers and calendar days, deciding per column.

A column is read one way throughout: either decimal comma or decimal point, either
day-first or month-first. The decision comes from the values themselves (a ``31/12``
proves day-first; ``1.234,50`` proves a decimal comma) and is reported back so the user
sees how their file was read. Work happens on unique values, then maps back: exports
repeat the same amounts and dates many times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_CURRENCY_SYMBOLS = "$€£¥₹₩₽"
_SYMBOL_CURRENCY = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB"}
_MONEY_SHAPE = re.compile(
    r"^\(?\s*[-−+]?\s*(?:[A-Za-z]{3}\s*)?[" + _CURRENCY_SYMBOLS + r"]?\s*[-−]?\s*"
    r"\d[\d.,'\s\u00a0\u202f]*"
    r"\s*[" + _CURRENCY_SYMBOLS + r"]?\s*(?:[A-Za-z]{3})?\s*[-−]?\s*\)?$"
)


@dataclass
class Parsed:
    """Values plus which input cells could not be read."""

    values: pd.Series
    bad: pd.Series  # True where a non-empty cell did not parse
    notes: list[str] = field(default_factory=list)
    currency_hint: str | None = None

    def first_bad(self, raw: pd.Series) -> tuple[int, str] | None:
        idx = np.flatnonzero(self.bad.to_numpy())
        if not len(idx):
            return None
        return int(idx[0]), str(raw.iloc[idx[0]])


def _present_text(raw: pd.Series) -> pd.Series:
    """Cells as strings, with missing and blank cells as <NA> (JSON keeps "" cells)."""
    from custseg.ingest.text import text

    return text(raw)


def _on_uniques(raw: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` (Series of unique strings -> Series) and broadcast back."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.full(len(raw), np.nan), index=raw.index)
    out = fn(pd.Series(np.asarray(uniques, dtype=object)))
    values = np.asarray(out)
    result = values.take(np.where(codes < 0, 0, codes))
    if np.issubdtype(result.dtype, np.floating):
        result = np.where(codes < 0, np.nan, result)
    elif np.issubdtype(result.dtype, np.datetime64):
        result = np.where(codes < 0, np.datetime64("NaT"), result)
    return pd.Series(result, index=raw.index)


# -- money -----------------------------------------------------------------------


def parse_money(raw: pd.Series, decimal_hint: str | None = None) -> Parsed:
    """Read amounts like ``$1,234.50``, ``1.234,50 EUR``, ``-$3.00`` and ``(3.00)``."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        return Parsed(values, pd.Series(False, index=raw.index))
    text = _present_text(raw)
    if decimal_hint != ",":
        fast = _arrow_floats(text)
        if fast is not None:  # plain numbers, the common case: one C++ cast
            return Parsed(fast, pd.Series(False, index=raw.index))
    present = text.notna()
    uniques = pd.Series(pd.unique(text[present].astype(str)))
    comma_decimal = _decides_decimal_comma(uniques, decimal_hint)
    values = _on_uniques(text.where(present, None), lambda u: _money_values(u, comma_decimal))
    values = values.astype("float64")
    bad = present & values.isna()
    notes = ["decimal comma"] if comma_decimal else []
    return Parsed(values, bad, notes, _currency_from_symbols(uniques))


def _arrow_floats(text: pd.Series) -> pd.Series | None:
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        values = pc.cast(pa.array(text, from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.Series(values.to_numpy(zero_copy_only=False), index=text.index, copy=False)


def _decides_decimal_comma(uniques: pd.Series, hint: str | None) -> bool:
    if uniques.empty:
        return False
    u = uniques.str.replace(r"[^\d.,]", "", regex=True)
    comma = u.str.contains(r",\d{1,2}$") | u.str.contains(r"\.\d{3},\d+$")
    point = u.str.contains(r"\.\d{1,2}$") | u.str.contains(r",\d{3}\.\d+$")
    n_comma, n_point = int(comma.sum()), int(point.sum())
    if n_comma != n_point:
        return n_comma > n_point
    # No decisive value (e.g. only "1.234" or "12"): follow the file's convention.
    return hint == ","


def _money_values(u: pd.Series, comma_decimal: bool) -> pd.Series:
    s = u.astype(str).str.strip()
    shaped = s.str.match(_MONEY_SHAPE)
    negative = s.str.contains(r"^\(.*\)$|[-−]", regex=True)
    core = s.str.replace(r"[^\d.,]", "", regex=True)
    if comma_decimal:
        core = core.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        core = core.str.replace(",", "", regex=False)
    number = pd.to_numeric(core.where(shaped, None), errors="coerce")
    return number.where(~negative, -number)


def _currency_from_symbols(uniques: pd.Series) -> str | None:
    if uniques.empty:
        return None
    found = {cur for sym, cur in _SYMBOL_CURRENCY.items() if uniques.str.contains(sym, regex=False).any()}
    codes = uniques.str.extract(r"\b(EUR|GBP|USD|CHF|SEK|NOK|DKK|PLN|CAD|AUD)\b", expand=False).dropna().unique()
    found.update(codes)
    return found.pop() if len(found) == 1 else None


# -- dates -----------------------------------------------------------------------

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}")
_COMPACT = re.compile(r"^\d{8}$")
_EPOCH = re.compile(r"^\d{9,16}(\.\d+)?$")
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})\b")


def parse_dates(raw: pd.Series) -> Parsed:
    """Calendar days in the export's own local time (the wall clock, not UTC).

    A timestamp with an offset (``2025-05-11 09:55:16 -0400``) keeps its local day;
    epoch numbers and ``Z`` times are UTC because that is all they say.
    """
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        s = raw
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)  # keep the wall clock of the stored zone
        return Parsed(_as_days(s), pd.Series(False, index=raw.index))
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return _parse_epoch(pd.to_numeric(raw, errors="coerce"), raw)
    encoded = _distinct(raw)
    if encoded is None:
        return _parse_date_text(_present_text(raw))
    # Exports repeat each day many times: parse each distinct cell once. Decisions that
    # weigh the values (how many parse, which separator) count every row, as above.
    codes, uniques = encoded
    text = _present_text(uniques)
    sample = text.iloc[codes[_first_present_rows(codes, text.notna().to_numpy(), 5000)]].astype(str)
    parsed = _parse_date_text(text, weights=np.bincount(codes[codes >= 0], minlength=len(uniques)), sample=sample)
    safe = np.maximum(codes, 0)
    missing = codes < 0
    values = parsed.values.to_numpy()[safe]
    values[missing] = np.datetime64("NaT")
    return Parsed(pd.Series(values, index=raw.index, copy=False), pd.Series(parsed.bad.to_numpy()[safe] & ~missing, index=raw.index, copy=False), parsed.notes)


DISTINCT_MIN_ROWS = 100_000  # shorter columns parse fast enough row by row


def _distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """(code per row, -1 when missing; the distinct cells) for a long Arrow text column
    with many repeats, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from custseg.ingest.text import distinct

    if len(raw) < DISTINCT_MIN_ROWS or not (isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow"):
        return None
    head = pa.array(raw.array).slice(0, 1_000_000)  # a sample from the top: a take across chunks costs a copy
    head = head.combine_chunks() if isinstance(head, pa.ChunkedArray) else head
    sample = head.take(pa.array(np.arange(0, len(head), max(1, len(head) // 10_000))))
    if pc.count_distinct(sample, mode="all").as_py() > len(sample) // 4:
        return None
    codes, cells = distinct(raw)
    if len(cells) == 0:  # nothing but missing cells
        return None
    return codes, pd.Series(pd.arrays.ArrowStringArray(cells))


def _first_present_rows(codes: np.ndarray, present: np.ndarray, k: int) -> np.ndarray:
    """The first k rows whose cell is present (code >= 0 and present[code]), looking at a
    prefix of the column first: samples come from the top of the file."""
    size = 8 * k
    while True:
        head = codes[:size]
        ok = head >= 0
        ok[ok] = present[head[ok]]
        rows = np.flatnonzero(ok)[:k]
        if len(rows) == k or size >= len(codes):
            return rows
        size *= 8


def _weighted_mean(mask: pd.Series, present: pd.Series, weights: np.ndarray | None) -> float:
    """Share of present cells where mask holds, each cell counted ``weights`` times."""
    if weights is None:
        return float(mask[present].mean())
    w = weights[present.to_numpy()]
    return float((mask[present].to_numpy(dtype=bool) * w).sum() / w.sum())


def _parse_date_text(text: pd.Series, weights: np.ndarray | None = None, sample: pd.Series | None = None) -> Parsed:
    """Trimmed cells (<NA> when blank) -> days. ``weights``: how many rows each cell stands for."""
    present = text.notna()
    if not present.any():
        return Parsed(pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]"), present)
    if sample is None:
        sample = text[present].astype(str).head(5000)
    kind = _date_kind(sample)
    notes: list[str] = []
    if kind == "epoch":
        return _parse_epoch(pd.to_numeric(text, errors="coerce"), text, weights)
    fast = _arrow_days(text, kind) if kind in ("iso", "compact") else None
    if fast is not None and _weighted_mean(fast.isna(), present, weights) <= 0.01:
        days = fast
    elif kind == "iso":
        days = _on_uniques(text, lambda u: pd.to_datetime(u.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"))
        if _weighted_mean(days.isna(), present, weights) > 0.01:  # e.g. 2024-1-5: let pandas sort it out
            days = _on_uniques(text, lambda u: _fallback(u.str.extract(r"^(\d{4}-\d{1,2}-\d{1,2})", expand=False)))
    elif kind == "ymd_slash":
        days = _on_uniques(text, lambda u: pd.to_datetime(u.str.extract(r"^(\d{4}/\d{1,2}/\d{1,2})", expand=False), format="%Y/%m/%d", errors="coerce"))
    elif kind == "compact":
        days = _on_uniques(text, lambda u: pd.to_datetime(u, format="%Y%m%d", errors="coerce"))
    elif kind == "dmy":
        day_first, note = _decide_day_first(text[present].astype(str), None if weights is None else weights[present.to_numpy()])
        notes.append(note)
        days = _on_uniques(text, lambda u: _parse_numeric_dates(u, day_first))
    else:
        days = _on_uniques(text, _fallback)
    days = _as_days(days)
    bad = present & days.isna()
    return Parsed(days, bad, notes)


def _arrow_days(text: pd.Series, kind: str) -> pd.Series | None:
    """ISO and YYYYMMDD days with one C++ pass (the local day: the first ten characters)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text, from_pandas=True)
    if kind == "iso":
        arr, fmt = pc.utf8_slice_codeunits(arr, 0, 10), "%Y-%m-%d"
    else:
        fmt = "%Y%m%d"
    try:
        stamps = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    values = stamps.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    return pd.Series(values, index=text.index)


def _date_kind(sample: pd.Series) -> str:
    tests = (
        ("compact", _COMPACT),
        ("epoch", _EPOCH),
        ("iso", _ISO),
        ("ymd_slash", _YMD_SLASH),
        ("dmy", _DMY),
    )
    for kind, pattern in tests:
        if sample.str.match(pattern).mean() >= 0.9:
            if kind == "compact" and not sample.str.match(r"^(19|20)\d{2}(0[1-9]|1[0-2])").all():
                continue
            return kind
    return "other"


def _decide_day_first(values: pd.Series, weights: np.ndarray | None = None) -> tuple[bool, str]:
    parts = values.str.extract(_DMY)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[2], errors="coerce")
    has_sep = parts[1].notna().to_numpy()
    dotted = (parts[1] == ".").to_numpy(dtype=bool, na_value=False)
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    if (first > 12).any() and not (second > 12).any():
        return True, "day-first dates (a day above 12 comes first)"
    if (second > 12).any() and not (first > 12).any():
        return False, "month-first dates (a day above 12 comes second)"
    if has_sep.any() and (dotted * w).sum() / (has_sep * w).sum() > 0.5:
        return True, "day-first dates (dotted European style)"
    return False, "dates like 03/04 could be day-first or month-first; read as month-first since no value proves day-first"


def _parse_numeric_dates(u: pd.Series, day_first: bool) -> pd.Series:
    parts = u.str.extract(_DMY)
    a = pd.to_numeric(parts[0], errors="coerce")
    b = pd.to_numeric(parts[2], errors="coerce")
    year = pd.to_numeric(parts[3], errors="coerce")
    year = year.where(year >= 100, year + 2000)
    day, month = (a, b) if day_first else (b, a)
    frame = pd.DataFrame({"year": year, "month": month, "day": day})
    valid = frame.notna().all(axis=1) & month.between(1, 12) & day.between(1, 31)
    out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    if valid.any():
        out[valid] = pd.to_datetime(frame[valid].astype(int), errors="coerce")
    return out


_OFFSET = re.compile(r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def _fallback(u: pd.Series) -> pd.Series:
    """Anything else pandas can read ("Jan 5, 2024", "5 March 2024 14:02"), wall clock kept."""
    cleaned = u.astype(str).str.replace(_OFFSET, "", regex=True).str.replace(r"\s+at\s+", " ", regex=True)
    try:
        return pd.to_datetime(cleaned, format="mixed", errors="coerce")
    except (ValueError, TypeError):
        return pd.Series(pd.NaT, index=u.index)


def _weighted_median(values: pd.Series, weights: np.ndarray) -> float:
    """The median of the values each repeated ``weights`` times (NaN skipped), as pandas gives it."""
    v = values.to_numpy(dtype=float)
    keep = ~np.isnan(v)
    v, w = v[keep], np.asarray(weights)[keep]
    if not len(v) or w.sum() == 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, cum = v[order], np.cumsum(w[order])
    total = int(cum[-1])
    kth = lambda k: v[np.searchsorted(cum, k, side="right")]  # noqa: E731
    return float((kth((total - 1) // 2) + kth(total // 2)) / 2)


def _parse_epoch(numbers: pd.Series, raw: pd.Series, weights: np.ndarray | None = None) -> Parsed:
    magnitude = numbers.abs().median() if weights is None else _weighted_median(numbers.abs(), weights)
    unit = "s"
    if magnitude > 1e14:
        unit = "us"
    elif magnitude > 1e11:
        unit = "ms"
    days = pd.to_datetime(numbers, unit=unit, errors="coerce")
    days = _as_days(days)
    bad = raw.notna() & days.isna()
    return Parsed(days, bad, [f"epoch {'milliseconds' if unit == 'ms' else 'seconds' if unit == 's' else 'microseconds'} read as UTC days"])


_CLOCK = re.compile(
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<z>Z|(?:UTC|GMT)?\s*[+-]\d{2}:?\d{2}|UTC|GMT)?\s*$"
)


def clock_seconds(raw: pd.Series) -> np.ndarray:
    """Seconds of each timestamp, to order events of one calendar day: the wall clock's
    time of day, moved to UTC when the cell states an offset (``09:46:57 -0800``); epoch
    numbers and datetime columns as they are. NaN where a cell gives no time of day
    (``2025-05-11``): such a day's events cannot be told apart by time."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(raw.dt, "tz", None) is not None else raw
        out = values.to_numpy(dtype="datetime64[ns]").astype("int64").astype("float64") / 1e9
        out[values.isna().to_numpy()] = np.nan
        return out
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    parts = raw.astype("string").str.strip().str.extract(_CLOCK)
    hour = pd.to_numeric(parts["h"], errors="coerce")
    ampm = parts["ampm"].fillna("").str.lower().str.replace(".", "", regex=False).to_numpy(dtype=object)
    hour = hour.to_numpy(dtype="float64", na_value=np.nan)
    twelve = (ampm != "") & (hour <= 12)  # 12:30 AM is half past midnight, 1:02 PM is 13:02
    hour = np.where(twelve, hour % 12 + np.where(ampm == "pm", 12, 0), hour)
    number = lambda part: pd.to_numeric(part, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)  # noqa: E731
    seconds = hour * 3600 + number(parts["m"]) * 60 + np.nan_to_num(number(parts["s"])) + np.nan_to_num(number("0." + parts["f"]))
    zone = parts["z"].fillna("").str.upper().str.extract(r"(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2})")
    offset = (number(zone["hh"]) * 3600 + number(zone["mm"]) * 60) * np.where(zone["sign"].fillna("").to_numpy(dtype=object) == "-", -1, 1)
    return seconds - np.nan_to_num(offset)


def _as_days(s: pd.Series) -> pd.Series:
    """Midnight of each day as datetime64[s], the same on pandas 2.2 and 3.x.

    Out-of-range years (typos like 0202) become unparseable, not crashes.
    """
    if s.dtype != "datetime64[s]":
        s = pd.to_datetime(s, errors="coerce")
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
    values = s.to_numpy().astype("datetime64[D]")
    bad = (values < np.datetime64("1970-01-01")) | (values > np.datetime64("2100-12-31"))
    values = values.astype("datetime64[s]")
    values[bad] = np.datetime64("NaT")
    return pd.Series(values, index=s.index)


# -- flags -------------------------------------------------------------------------

_TRUE = {"yes", "y", "true", "t", "1", "subscribed", "opted_in", "opt-in", "optin", "granted", "confirmed"}
_FALSE = {"no", "n", "false", "f", "0", "unsubscribed", "not_subscribed", "opted_out", "opt-out", "optout", "pending", "never_subscribed", "cleaned", "revoked", "denied"}


def parse_flag(raw: pd.Series) -> pd.Series:
    """yes/no style consent flags as a nullable boolean (unknown stays missing)."""
    from custseg.ingest.text import distinct, lower_values

    codes, cells = distinct(raw)  # a handful of distinct spellings, each read once
    words = lower_values(pd.Series(pd.arrays.ArrowStringArray(cells)))
    meaning = np.array([2 if w in _TRUE else 1 if w in _FALSE else 0 for w in words] + [0], dtype=np.int8)[codes]
    return pd.Series(pd.arrays.BooleanArray(meaning == 2, meaning == 0), index=raw.index)
