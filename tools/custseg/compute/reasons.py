"""A short plain-words reason per customer, built from the scores with vectorized strings.

Strings are assembled with pyarrow compute (present in the skill's container too), so a
reason for each of millions of customers costs well under a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from custseg.ingest.text import from_codes

SPEND_WORDS = {
    5: "spend in the top 20%",
    4: "spend in the top 40%",
    3: "spend in the middle",
    2: "spend in the bottom 40%",
    1: "spend in the bottom 20%",
}


def _choose(index: np.ndarray, words: list[str]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(index, type=pa.int32()), pa.array(words)).cast(pa.string())


def reasons(recency: np.ndarray, purchase_days: np.ndarray, m_score: np.ndarray | None, verb: str = "bought") -> pd.Series:
    """e.g. "last bought 3 days ago, bought once, spend in the top 20%", as a categorical:
    millions of customers share a few thousand (recency, purchase days, spend) combinations,
    so each distinct reason is written once."""
    recency = np.asarray(recency, dtype=np.int64)
    purchase_days = np.asarray(purchase_days, dtype=np.int64)
    spend = np.zeros(len(recency), dtype=np.int64) if m_score is None else np.clip(np.asarray(m_score, dtype=np.int64), 1, 5)
    if not len(recency):
        return pd.Series(_texts(recency, purchase_days, None if m_score is None else spend, verb))
    low = min(int(recency.min()), 0)
    key = ((recency - low) * (int(purchase_days.max()) + 1) + purchase_days) * 6 + spend
    codes, distinct = pd.factorize(key)
    first = np.empty(len(distinct), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # a row holding each combination
    texts = _texts(recency[first], purchase_days[first], None if m_score is None else spend[first], verb)
    return pd.Series(from_codes(codes, pd.Index(texts.array)))


def _texts(recency: np.ndarray, purchase_days: np.ndarray, m_score: np.ndarray | None, verb: str) -> pd.Series:
    days = pc.cast(pa.array(recency.astype(np.int64)), pa.string())
    when = pc.binary_join_element_wise(f"last {verb} ", days, " days ago", "")
    special = np.where(recency == 0, 1, np.where(recency == 1, 2, 0))
    when = pc.if_else(pa.array(special == 0), when, _choose(special, ["", f"last {verb} on the as-of date", f"last {verb} the day before the as-of date"]))
    count = pc.cast(pa.array(purchase_days.astype(np.int64)), pa.string())
    often = pc.if_else(pa.array(purchase_days == 1), pa.scalar(f"{verb} once"), pc.binary_join_element_wise(f"{verb} on ", count, " different days", ""))
    parts = [when, often]
    if m_score is not None:
        parts.append(_choose(np.clip(m_score.astype(np.int32), 1, 5), [""] + [SPEND_WORDS[i] for i in range(1, 6)]))
    text = pc.binary_join_element_wise(*parts, ", ")
    return pd.Series(pd.arrays.ArrowStringArray(text))
