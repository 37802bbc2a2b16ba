"""A holdout: a stable tenth of the customers that campaigns leave out, so what a plan adds
can be measured.

The data shows what customers did with no campaign (a segment's next-period repeat rate);
what a win-back flow adds is the difference between those it reached and like customers it
did not. The CRM files mark the holdout and the next-period check reports it apart.

Who is held out follows from the pseudonymous id alone: ids are 'c_' + 16 hex digits of a
keyed 64-bit hash, uniform and unrelated to what a customer did, so the customers whose hash
falls in the lowest tenth are a random tenth of every segment. The same key (kept beside the
outputs, passed back with --key) gives the same ids next month, so the same customers stay
held out and their purchases since can be compared with everyone else's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

HOLDOUT_PERCENT = 10
HOLDOUT_SHARE = HOLDOUT_PERCENT / 100
# The first id above the holdout's hashes: ids sort as their hashes do (fixed width, hex digits).
HOLDOUT_BELOW = "c_" + format(2**64 * HOLDOUT_PERCENT // 100, "016x")
HOLDOUT_LABEL = "Holdout"  # the Mailchimp tag, and the Klaviyo column's name


def held_out(ids) -> np.ndarray:
    """Per id, whether that customer is in the holdout (False where there is no id)."""
    values = ids if isinstance(ids, pd.Series) else pd.Series(ids, copy=False)
    if isinstance(values.dtype, pd.CategoricalDtype):  # each distinct id compared once
        inside = held_out(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, inside[np.maximum(codes, 0)], False) if len(inside) else np.zeros(len(codes), dtype=bool)
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    text = pa.array(values, from_pandas=True)
    if not pa.types.is_string(text.type) and not pa.types.is_large_string(text.type):
        text = text.cast(pa.string())
    below = pc.and_(pc.less(text, pa.scalar(HOLDOUT_BELOW, text.type)), pc.equal(pc.utf8_length(text), len(HOLDOUT_BELOW)))  # ids of this tool only
    return pc.fill_null(below, False).to_numpy(zero_copy_only=False)


def holdout_marks(ids) -> np.ndarray | None:
    """Per id, whether it is held out; None when the ids are not all this tool's pseudonymous
    ids (hand-made ones in a test, say), whose hashes say nothing of chance."""
    values = ids if isinstance(ids, pd.Series) else pd.Series(ids, copy=False)
    if len(values) == 0:
        return None
    distinct = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna()
    text = pa.array(pd.Series(distinct, copy=False), from_pandas=True).cast(pa.string())
    if not pc.all(pc.and_(pc.equal(pc.utf8_length(text), len(HOLDOUT_BELOW)), pc.starts_with(text, "c_"))).as_py():
        return None
    return held_out(values)
