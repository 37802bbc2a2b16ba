"""A short plain-words reason per customer, built from the scores with vectorized strings."""

from __future__ import annotations

import numpy as np
import pandas as pd

SPEND_WORDS = {
    5: "spend in the top 20%",
    4: "spend in the top 40%",
    3: "spend in the middle",
    2: "spend in the bottom 40%",
    1: "spend in the bottom 20%",
}


def reasons(recency: np.ndarray, purchase_days: np.ndarray, m_score: np.ndarray | None, verb: str = "bought") -> np.ndarray:
    """e.g. "last bought 3 days ago, bought once, spend in the top 20%"."""
    days = pd.Series(recency.astype(np.int64)).astype(str)
    when = ("last " + verb + " " + days + " days ago").to_numpy(dtype=object)
    when[recency == 0] = f"last {verb} on the as-of date"
    when[recency == 1] = f"last {verb} the day before the as-of date"
    count = pd.Series(purchase_days.astype(np.int64)).astype(str)
    often = (verb + " on " + count + " different days").to_numpy(dtype=object)
    often[purchase_days == 1] = f"{verb} once"
    text = pd.Series(when) + ", " + pd.Series(often)
    if m_score is not None:
        spend = pd.Series(m_score.astype(np.int64)).map(SPEND_WORDS)
        text = text + ", " + spend
    return text.to_numpy(dtype=object)
