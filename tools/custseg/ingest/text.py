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
    arr = pc.utf8_trim_whitespace(_arrow(s))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return _series(arr, s.index)


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
    t = text(s).str.lower()
    return t.where(t.str.contains("@", regex=False).fillna(False) & (t.str.len() > 2))


def normalize_phone(s: pd.Series) -> pd.Series:
    """Digits with a leading + only; fewer than six digits is not a phone."""
    t = text(s)
    digits = t.str.replace(r"\D", "", regex=True)
    plus = t.str.replace(r"^[^\d+]*", "", regex=True).str.startswith("+").fillna(False)
    out = digits.where(~plus, "+" + digits)
    return out.where((digits.str.len() >= 6).fillna(False))


def customer_ids(s: pd.Series) -> pd.Series:
    """A mapped customer column: emails lower-cased, Excel's 12346.0 back to 12346."""
    t = text(s)
    arr = pa.array(t)
    if pc.any(pc.match_substring(arr, "@")).as_py():
        arr = pc.if_else(pc.match_substring(arr, "@"), pc.utf8_lower(arr), arr)
    if pc.any(pc.ends_with(arr, ".0")).as_py():
        arr = pc.replace_substring_regex(arr, r"^(\d+)\.0$", r"\1")
    return _series(arr, s.index)


def lower_values(s: pd.Series) -> np.ndarray:
    """Lower-cased values as an object array with None for missing (for small vocabularies)."""
    t = text(s).str.lower()
    values = t.to_numpy(dtype=object, na_value=None)
    return values
