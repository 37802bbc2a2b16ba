"""Vectorized text cleaning on pyarrow-backed strings, the same on pandas 2.2 and 3.x.

Export columns hold hundreds of thousands of cells; Python-level ``map`` over them is
the slow path, so every helper here stays in pandas' string methods.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STRING = pd.StringDtype("pyarrow")


def _arrow(s: pd.Series) -> pa.Array:
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        s = s.astype(object).where(s.notna(), None).astype(STRING)
    return pa.array(s)


def _series(arr, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=index)


def text(s: pd.Series) -> pd.Series:
    """Cells as trimmed strings; missing and blank cells are <NA>."""
    return _series(trimmed(_arrow(s)), s.index)


# Bytes that can start or end a cell utf8_trim_whitespace would change: ASCII whitespace,
# and any non-ASCII byte (a Unicode space, or the last byte of one).
_EDGE_BYTES = np.zeros(256, dtype=bool)
_EDGE_BYTES[[9, 10, 11, 12, 13, 32]] = True
_EDGE_BYTES[0x80:] = True


def trimmed(arr):
    """Strings trimmed of whitespace, blank ones null. Most columns need neither: a look at
    each cell's first and last byte decides, so clean columns are returned as they are."""
    if isinstance(arr, pa.ChunkedArray):
        if not any(_needs_trim(c) for c in arr.chunks):
            return arr
    elif not _needs_trim(arr):
        return arr
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def _needs_trim(chunk: pa.Array) -> bool:
    if len(chunk) == 0:
        return False
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return True  # not plain text: let the compute kernels decide
    _, offsets_buf, data_buf = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, ends = offsets[:-1], offsets[1:]
    empty = ends == starts
    if chunk.null_count:
        empty &= chunk.is_valid().to_numpy(zero_copy_only=False)
    if empty.any():  # an empty string to null
        return True
    if data_buf is None or ends[-1] == starts[0]:  # nothing but nulls
        return False
    # A null cell points at its neighbour's bytes: at worst a needless trim, never a missed one.
    data = np.frombuffer(data_buf, dtype=np.uint8)
    last = int(ends[-1]) - 1
    return bool(_EDGE_BYTES[data[np.minimum(starts, last)]].any() or _EDGE_BYTES[data[np.maximum(ends - 1, starts[0])]].any())


def flag(mask: pd.Series) -> np.ndarray:
    """A nullable boolean result as a plain bool array (<NA> is False)."""
    return mask.fillna(False).to_numpy(dtype=bool)


def prefixed(s: pd.Series, prefix: str) -> pd.Series:
    return prefix + s  # <NA> stays <NA>


def first_present(*candidates: pd.Series) -> pd.Series:
    out = candidates[0]
    for cand in candidates[1:]:
        out = out.fillna(cand)
    return out


def normalize_email(s: pd.Series) -> pd.Series:
    """Trimmed and lower-cased; anything without an @ is not an email."""
    return on_distinct(s, _normalize_email)


def _normalize_email(s: pd.Series) -> pd.Series:
    t = text(s).str.lower()
    return t.where(t.str.contains("@", regex=False).fillna(False) & (t.str.len() > 2))


def normalize_phone(s: pd.Series) -> pd.Series:
    """Digits with a leading + only; fewer than six digits is not a phone."""
    return on_distinct(s, _normalize_phone)


def _normalize_phone(s: pd.Series) -> pd.Series:
    t = text(s)
    digits = t.str.replace(r"\D", "", regex=True)
    plus = t.str.replace(r"^[^\d+]*", "", regex=True).str.startswith("+").fillna(False)
    out = digits.where(~plus, "+" + digits)
    return out.where((digits.str.len() >= 6).fillna(False))


def customer_ids(s: pd.Series) -> pd.Series:
    """A mapped customer column: emails lower-cased, Excel's 12346.0 back to 12346."""
    return _series(_customer_ids(_arrow(s))[0], s.index)


def _customer_ids(arr) -> tuple[pa.Array, bool]:
    """customer_ids on Arrow strings, and whether any cell changed (then equal cells may have met)."""
    out = trimmed(arr)
    changed = out is not arr
    if pc.any(pc.match_substring(out, "@")).as_py():
        out, changed = pc.if_else(pc.match_substring(out, "@"), pc.utf8_lower(out), out), True
    if pc.any(pc.ends_with(out, ".0")).as_py():
        out, changed = pc.replace_substring_regex(out, r"^(\d+)\.0$", r"\1"), True
    return out, changed


# -- long columns: work once per distinct cell -----------------------------------------------


def distinct(s: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Dictionary encoding of a text column: (int32 code per row, -1 when missing; each
    distinct cell once, in order of first appearance, or ascending when every cell is a
    whole number: see _digit_codes)."""
    arr = _arrow(s)
    numbered = _digit_codes(arr)
    if numbered is not None:
        return numbered
    encoded = pc.dictionary_encode(arr)
    if isinstance(encoded, pa.ChunkedArray):
        # The chunks of one encoding share one dictionary (Arrow's hash kernel keeps one memo
        # table across chunks): no copy of the column into one chunk is needed.
        chunks = [c for c in encoded.chunks if len(c)]
        if not chunks:
            return np.empty(0, dtype=np.int32), pa.array([], type=arr.type)
        dictionary = chunks[-1].dictionary
        if not all(_same_array(c.dictionary, dictionary) for c in chunks):  # an Arrow that does not share
            encoded = pc.dictionary_encode(arr.combine_chunks())
            chunks, dictionary = [encoded], encoded.dictionary
        indices = pa.chunked_array([c.indices for c in chunks], type=chunks[0].indices.type)
    else:
        indices, dictionary = encoded.indices, encoded.dictionary
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int32, copy=False)
    return codes, dictionary


DIGITS_MIN_ROWS = 100_000  # below this, the hash encoding is already fast
_NOT_DIGIT = np.ones(256, dtype=bool)
_NOT_DIGIT[ord("0") : ord("9") + 1] = False


def _digit_codes(arr) -> tuple[np.ndarray, pa.Array] | None:
    """distinct() for a long column of many whole numbers written plainly (customer numbers):
    hashing millions of distinct strings is the slow part of reading a log, while numbers
    in a range a few times the row count are told apart by a lookup table. None unless a
    sample has many distinct values, every present cell is 1-18 digits without a leading
    zero (so equal numbers are equal text) and the range is dense enough."""
    if len(arr) < DIGITS_MIN_ROWS or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    head = arr.slice(0, 1_000_000)
    head = head.combine_chunks() if isinstance(head, pa.ChunkedArray) else head
    sample = head.take(pa.array(np.arange(0, len(head), max(1, len(head) // 10_000))))
    if pc.count_distinct(sample).as_py() <= len(sample) // 4:  # few values: hashing them is quick
        return None
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    if not all(_plain_digits(c) for c in chunks):
        return None
    numbers = pc.cast(arr, pa.int64())
    if numbers.null_count == len(numbers):
        return None
    bounds = pc.min_max(numbers)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    span = high - low + 1
    if span > 2 * len(arr) or span > 1 << 25:  # a sparse range: the table would not pay (or cost too much memory)
        return None
    chunks = numbers.chunks if isinstance(numbers, pa.ChunkedArray) else [numbers]
    values = np.concatenate([c.fill_null(high + 1).to_numpy() if c.null_count else c.to_numpy() for c in chunks]) if chunks else np.empty(0, np.int64)
    if low:
        values -= low
    seen = np.zeros(span + 1, dtype=bool)  # the last slot stands for missing cells
    seen[values] = True
    has_missing = bool(seen[span])
    seen[span] = False
    rank = np.cumsum(seen, dtype=np.int32)
    rank -= 1
    if has_missing:
        rank[span] = -1
    codes = rank[values]
    cells = pa.array(np.flatnonzero(seen) + low).cast(arr.type)
    return codes, cells


def _plain_digits(chunk: pa.Array) -> bool:
    """Whether every present cell of a string chunk is 1-18 ASCII digits, no leading zero."""
    if len(chunk) == 0:
        return True
    _, offsets_buf, data_buf = chunk.buffers()
    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)[chunk.offset : chunk.offset + len(chunk) + 1]
    starts, lengths = offsets[:-1], np.diff(offsets)
    if chunk.null_count:
        valid = chunk.is_valid().to_numpy(zero_copy_only=False)
        starts, lengths = starts[valid], lengths[valid]
    if len(lengths) == 0:
        return True
    if lengths.min() < 1 or lengths.max() > 18:
        return False
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    if _NOT_DIGIT[data].any():  # a null cell's bytes are empty or a neighbour's: no false pass
        return False
    leading_zero = data[starts - offsets[0]] == ord("0")
    return not (leading_zero & (lengths > 1)).any()


def _same_array(a: pa.Array, b: pa.Array) -> bool:
    if len(a) != len(b) or a.offset != b.offset:
        return False
    return all((x is None and y is None) or (x is not None and y is not None and x.address == y.address) for x, y in zip(a.buffers(), b.buffers()))


ON_DISTINCT_MIN_ROWS = 50_000  # below this, row-by-row string work is already fast


def on_distinct(s: pd.Series, fn) -> pd.Series:
    """``fn`` (cell by cell text work, Series of strings in and out) run once per distinct
    cell of a long column and spread back: order exports repeat each email and phone on
    every line item of every order."""
    if len(s) < ON_DISTINCT_MIN_ROWS:
        return fn(s)
    codes, cells = distinct(s)
    out = pa.array(fn(pd.Series(pd.arrays.ArrowStringArray(cells))).array)
    if isinstance(out, pa.ChunkedArray):
        out = out.combine_chunks()
    taken = pc.take(out, pa.array(codes, mask=codes < 0))
    return _series(taken, s.index)


def categorical(codes: np.ndarray, values: pa.Array, unique: bool, index: pd.Index) -> pd.Series:
    """Rows as a categorical of ``values[codes]``: code -1 and missing values are <NA>, and
    equal values become one category unless the caller knows they are ``unique`` already."""
    if not unique or values.null_count:
        merged, values = pd.factorize(pd.Series(pd.arrays.ArrowStringArray(values)), use_na_sentinel=True)
        codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
        values = pa.array(values)
    return pd.Series(from_codes(codes, pd.Index(pd.arrays.ArrowStringArray(values))), index=index)


def from_codes(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A categorical from codes into categories the caller knows are distinct and not missing.

    pandas checks that by hashing every category, which for millions of customer ids
    costs more than building them; its fast path (private, in pandas 2.2 and 3.x) skips it.
    """
    try:
        dtype = pd.CategoricalDtype._from_fastpath(categories, False)
    except (AttributeError, TypeError):  # a pandas without it: the checked way
        dtype = pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)


def identity_column(s: pd.Series, prefix: str, normalize: bool) -> pd.Series:
    """``prefix`` + each cell (customer_ids-normalized when ``normalize``, else trimmed) as a
    categorical: the text work and the hashing later happen once per distinct customer."""
    codes, cells = distinct(s)
    if normalize:
        ids, changed = _customer_ids(cells)
    else:
        ids = trimmed(cells)
        changed = ids is not cells
    joined = pc.binary_join_element_wise(pa.scalar(prefix, ids.type), ids, pa.scalar("", ids.type))
    return categorical(codes, joined, unique=not changed, index=s.index)


def lower_values(s: pd.Series) -> np.ndarray:
    """Lower-cased values as an object array with None for missing (for small vocabularies)."""
    t = text(s).str.lower()
    values = t.to_numpy(dtype=object, na_value=None)
    return values
