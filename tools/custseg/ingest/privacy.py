"""Pseudonymous customer ids: a keyed hash of the identity, stable across uploads.

The key is a file the user keeps beside the outputs and passes back with ``--key``, so
next month's export maps the same customer to the same id. Without the key the ids
cannot be reversed or re-derived. The hash is SipHash-2-4 (pandas' vectorized
``hash_array``), a keyed pseudo-random function, so millions of ids cost well under
a second.
"""

from __future__ import annotations

import secrets
import string

import numpy as np
import pandas as pd

from custseg.errors import InputError

KEY_FILE = "segment.key"
_ALPHABET = string.ascii_letters + string.digits
_HEADER = (
    "# customer-segmentation pseudonymisation key. Keep it private and keep it: pass it\n"
    "# back with --key next time so the same customers get the same ids.\n"
)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def new_key() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def read_key(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")]
    except OSError as exc:
        raise InputError(path, f"key file cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        lines = []
    if len(lines) != 1 or not lines[0].startswith("k1:") or len(lines[0]) != 19 or not all(c in _ALPHABET for c in lines[0][3:]):
        raise InputError(path, "is not a key file written by this tool (expected one line 'k1:' + 16 letters or digits)")
    return lines[0][3:]


def write_key(path: str, key: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(_HEADER + "k1:" + key + "\n")


def pseudonymize_column(identity: pd.Series, key: str) -> pd.Categorical:
    """Ids for a long column (one per order or event): each distinct identity is hashed once.

    The categories come out sorted (by hash, which is the ids' text order), so the codes
    are a stable customer numbering whatever the input's row order.
    """
    codes, originals = _factorize(identity)
    if len(originals) == 0:
        return pd.Categorical.from_codes(codes, categories=pd.Index([], dtype=object))
    hashed = _hash(originals, key)
    order, inverse = np.unique(hashed, return_inverse=True)
    remapped = np.where(codes >= 0, inverse.reshape(-1)[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(remapped, categories=pd.Index(_hex_arrow(order)))


def _factorize(identity: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, -1 when missing; the distinct identities as Python strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(identity, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # Numeric customer ids ("i:12345", as in most transaction logs) factorize far faster as
    # integers; the original text of each distinct id is what gets hashed, so ids match the
    # string path exactly. Zero-padded ids of varying width keep the string path.
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        digits = pc.utf8_slice_codeunits(arr, 2)
        lengths = pc.min_max(pc.utf8_length(digits))
        if (
            len(arr)
            and arr.null_count == 0
            and pc.all(pc.starts_with(arr, "i:")).as_py()
            and pc.all(pc.utf8_is_digit(digits)).as_py()
            and lengths["max"].as_py() <= 18
            and (lengths["min"] == lengths["max"] or not pc.any(pc.starts_with(digits, "0")).as_py())
        ):
            numbers = pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)
            codes, _ = pd.factorize(numbers)
            first = pd.Series(codes).drop_duplicates().index.to_numpy()
            originals = np.asarray(arr.take(pa.array(first)).to_pylist(), dtype=object)
            return codes, originals
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _hash(values: np.ndarray, key: str) -> np.ndarray:
    return pd.util.hash_array(values, hash_key=key, categorize=False)


def _hex_bytes(hashed: np.ndarray) -> np.ndarray:
    octets = hashed.astype(">u8").view(np.uint8).reshape(-1, 8)
    out = np.empty((len(hashed), 18), dtype=np.uint8)
    out[:, 0] = ord("c")
    out[:, 1] = ord("_")
    out[:, 2::2] = _HEX[octets >> 4]
    out[:, 3::2] = _HEX[octets & 15]
    return out.view("S18").ravel()


def _hex(hashed: np.ndarray) -> np.ndarray:
    return _hex_bytes(hashed).astype("<U18")


def _hex_arrow(hashed: np.ndarray):
    """Ids as an Arrow-backed string array: millions of ids without millions of Python objects."""
    import pyarrow as pa

    return pd.arrays.ArrowStringArray(pa.array(_hex_bytes(hashed), type=pa.binary(18)).cast(pa.string()))


def pseudonymize(identities, key: str) -> np.ndarray:
    """'c_' + 16 hex digits per identity; equal identities get equal ids."""
    values = np.asarray(pd.Series(identities, dtype=object).to_numpy(), dtype=object)
    if len(values) == 0:
        return np.array([], dtype="<U18")
    return _hex(pd.util.hash_array(values, hash_key=key, categorize=True))
