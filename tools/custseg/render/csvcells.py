"""Columns of CSV cells, built once per distinct value and taken per row.

Both CSV writers of a run use this: the CRM files (render/exports.py: spreadsheet-safe
cells, minimal quoting) and customers.csv (render/tables.py: the bytes pyarrow's writer
makes). A column is reduced to integer codes (equal codes = equal values of one type), a
cell is made once per code from a representative row, and the cells are spread back with a
take, a chunk of rows at a time as the file is written; neighbouring coded columns are
joined once per combination of their codes first (customers who share segment, scores,
reason and labels share that stretch of their line). Free text (ids, emails) goes through
pyarrow compute instead. numpy, pandas and pyarrow only: the module ships in the skill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

LARGE = pa.large_string()
EMPTY = pa.scalar("", LARGE)
CHUNK = 1 << 15  # rows joined into lines at a time: buffers of a few megabytes, which Arrow's allocator keeps for reuse (larger ones go back to the kernel and come back as fresh pages)


def object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def first_positions(codes: np.ndarray) -> np.ndarray:
    """Row of each code's first appearance; codes must be 0..k-1 in order of first appearance."""
    if not len(codes):
        return np.empty(0, dtype=np.int64)
    top = np.maximum.accumulate(codes)
    return np.concatenate(([0], np.flatnonzero(top[1:] > top[:-1]) + 1)).astype(np.int64)


def dense_codes(raw: np.ndarray) -> np.ndarray:
    """Integer labels (equal = same value) as codes 0..k-1 in order of first appearance."""
    raw = np.asarray(raw)
    if len(raw) and raw.dtype.kind in "iu" and raw[0] == 0 and raw.min() >= 0:
        top = np.maximum.accumulate(raw)
        if not (np.diff(top) > 1).any():  # already so (dictionary encodings usually are)
            return raw.astype(np.int64, copy=False)
    return pd.factorize(raw)[0].astype(np.int64, copy=False)


def arrow_codes(arr: pa.Array) -> np.ndarray:
    """Codes of a string array, nulls included (one code for all of them)."""
    return pc.dictionary_encode(arr, null_encoding="encode").indices.to_numpy(zero_copy_only=False)


def value_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..k-1 (first appearance order; equal codes = equal values of one type) and first rows."""
    n = len(values)
    dtype = values.dtype
    raw = None
    arrow = arrow_strings(values)
    if arrow is not None:
        raw = arrow_codes(arrow)
    elif isinstance(dtype, np.dtype):
        if dtype.kind in "biu":
            raw = values.to_numpy()
        elif dtype.kind == "f" and dtype.itemsize in (2, 4, 8):  # by bit pattern: -0.0 and 0.0 print differently
            raw = values.to_numpy().view(f"i{dtype.itemsize}")
        elif dtype.kind in "mM":
            raw = values.to_numpy().view("i8")
        elif dtype.kind == "O" and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty", "boolean", "integer"):
            raw = pd.factorize(values)[0]
    elif pd.api.types.is_float_dtype(dtype):
        raw = values.to_numpy(dtype="float64", na_value=np.nan).view("i8")
    else:
        try:
            raw = pd.factorize(values)[0]
        except TypeError:  # unhashable values: one code per row
            raw = None
    if raw is None:
        codes = np.arange(n, dtype=np.int64)
        return codes, codes
    codes = dense_codes(raw)
    return codes, first_positions(codes)


def per_value(values: pd.Series, fn: Any) -> tuple[np.ndarray, list]:
    """Codes per row and fn of each code's value (as ``values.tolist()`` would give it)."""
    codes, first = value_codes(values)
    return codes, [fn(v) for v in values.iloc[first].tolist()]


def combined_codes(*parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the combinations of several code arrays, and the first row of each."""
    codes = np.asarray(parts[0], dtype=np.int64)
    span = int(codes.max()) + 1 if len(codes) else 1
    for other in parts[1:]:  # mixed radix, one hash pass at the end (or when it would overflow)
        width = int(other.max()) + 1 if len(other) else 1
        if span * width >= 1 << 62:
            codes = pd.factorize(codes)[0].astype(np.int64, copy=False)
            span = int(codes.max()) + 1 if len(codes) else 1
        codes = codes * width + other
        span *= width
    codes = dense_codes(codes)
    return codes, first_positions(codes)


def take_cells(outs: list, codes: np.ndarray) -> pa.Array:
    return pc.take(pa.array(outs, type=LARGE), pa.array(codes, type=pa.int64()))


def arrow_strings(values: pd.Series) -> pa.Array | None:
    """The pyarrow string array behind an Arrow-backed text column (no copy); None otherwise."""
    array = values.array
    if not isinstance(array, pd.arrays.ArrowExtensionArray):
        return None
    arr = pa.array(array)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(LARGE)


def string_arrow(values: pd.Series) -> pa.Array | None:
    """A text column as a large_string array (nulls where missing); None when it is not all text."""
    arr = arrow_strings(values)
    if arr is not None:
        return arr
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype):
        arr = pa.array(values.array)
    elif isinstance(dtype, np.dtype) and dtype.kind == "O" and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        try:
            arr = pa.array(values.to_numpy(), type=LARGE, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            return None
    else:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(LARGE)


def many_distinct(values: pd.Series) -> bool:
    """Whether most values differ (ids, emails): then per-value work is not worth it."""
    step = max(1, len(values) // 4096)
    sample = values.iloc[::step]
    try:
        return sample.nunique(dropna=False) > len(sample) // 2
    except TypeError:
        return True


def is_int(values: pd.Series) -> bool:
    return isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu"


@dataclass
class Coded:
    """A column of CSV cells kept as a code per row into its distinct cells: the cells are
    taken a chunk at a time when the file is written, never for all rows at once."""

    codes: np.ndarray
    cells: pa.Array  # large_string

    def chunk(self, start: int, length: int) -> pa.Array:
        return pc.take(self.cells, pa.array(self.codes[start : start + length], type=pa.int64()))

    def array(self) -> pa.Array:
        return self.chunk(0, len(self.codes))


def coded(outs: list, codes: np.ndarray) -> Coded:
    return Coded(np.asarray(codes, dtype=np.int64), pa.array(outs, type=LARGE))


def int_column(values: np.ndarray) -> pa.Array | Coded:
    """Integers as text. Scores and day counts span a small range: each number is written
    once and taken per row, several times faster than formatting every row."""
    if len(values) and int(values.max()) - int(values.min()) < 100_000:
        low = int(values.min())
        return coded([str(i) for i in range(low, int(values.max()) + 1)], values.astype(np.int64) - low)
    return pa.array(values).cast(LARGE)


def joined_runs(columns: list[pa.Array | Coded], rows: int) -> list[pa.Array | Coded]:
    """Neighbouring coded columns merged into one: customers who share segment, scores, reason
    and labels share that stretch of their line, so it is joined once per combination."""
    out: list[pa.Array | Coded] = []
    run: list[Coded] = []

    def close() -> None:
        merged = None
        if len(run) > 1:
            codes, first = combined_codes(*(c.codes for c in run))
            if len(first) <= rows // 2:  # otherwise most lines differ anyway: keep the columns
                stretch = pc.binary_join_element_wise(*(pc.take(c.cells, pa.array(c.codes[first])) for c in run), pa.scalar(",", LARGE))
                merged = Coded(codes, stretch)
        out.extend([merged] if merged is not None else run)
        run.clear()

    for column in columns:
        if isinstance(column, Coded):
            run.append(column)
        else:
            close()
            out.append(column)
    close()
    return out
