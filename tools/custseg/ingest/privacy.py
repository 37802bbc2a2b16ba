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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from custseg.errors import InputError
from custseg.ingest.text import from_codes

KEY_FILE = "segment.key"
_ALPHABET = string.ascii_letters + string.digits
_HEADER = (
    "# customer-segmentation pseudonymisation key. Keep it private and keep it: pass it\n"
    "# back with --key next time so the same customers get the same ids.\n"
)
_PAIRS = np.frombuffer("".join(f"{i:02x}" for i in range(256)).encode(), dtype=np.uint16)
_PREFIX = np.frombuffer(b"c_", dtype=np.uint16)[0]


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


@dataclass
class Pseudonyms:
    """The ids of one set of distinct identities, worked out once: ``ids`` sorted (by hash,
    which is their text order) and, per identity, the position of its id in ``ids``.

    Hashing millions of identities is the slow part of pseudonymizing a long column; a plain
    log's identities are known early, so ingest prepares their ids on a second thread while
    the other columns parse, and :func:`pseudonymize_column` only maps the rows.
    """

    identities: pd.Index  # what was hashed (the categories of an identity column)
    rank: np.ndarray  # identity -> position in ids
    ids: pd.Index  # 'c_' + 16 hex digits, sorted and distinct


def prepare(identities: pd.Index, key: str) -> Pseudonyms:
    hashed = _hash(identities.to_numpy(dtype=object), key)
    order = np.argsort(hashed)  # ids are distinct unless two hashes collide (checked next)
    ranked = hashed[order]
    if len(ranked) > 1 and (ranked[1:] == ranked[:-1]).any():  # two identities, one hash: one id
        ranked, rank = np.unique(hashed, return_inverse=True)
        rank = rank.reshape(-1)
    else:
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
    return Pseudonyms(identities, rank, pd.Index(_hex_arrow(ranked)))


def pseudonymize_column(identity: pd.Series, key: str, prepared: Pseudonyms | None = None) -> pd.Categorical:
    """Ids for a long column (one per order or event): each distinct identity is hashed once
    (or not at all when ``prepared`` holds this column's identities).

    The categories come out sorted (by hash, which is the ids' text order), so the codes
    are a stable customer numbering whatever the input's row order.
    """
    codes, identities = _factorize(identity)
    if len(identities) == 0:
        return pd.Categorical.from_codes(codes, categories=pd.Index([], dtype=object))
    if prepared is None or prepared.identities is not identities:
        prepared = prepare(identities, key)
    rank, ids = prepared.rank, prepared.ids
    present = np.zeros(len(ids), dtype=bool)
    present[rank[codes[codes >= 0]]] = True
    if not present.all():  # identities only dropped rows had: their ids are left out
        rank = (np.cumsum(present) - 1)[rank]
        ids = ids[present]
    remapped = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    return from_codes(remapped, ids)


def _factorize(identity: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """(code per row, -1 when missing; the distinct identities)."""
    if isinstance(identity.dtype, pd.CategoricalDtype):  # ingest's long columns: already distinct
        return identity.cat.codes.to_numpy(), identity.cat.categories
    codes, uniques = pd.factorize(identity, use_na_sentinel=True)
    return codes, pd.Index(np.asarray(uniques, dtype=object))


def _hash(values: np.ndarray, key: str) -> np.ndarray:
    return pd.util.hash_array(values, hash_key=key, categorize=False)


def _hex_bytes(hashed: np.ndarray) -> np.ndarray:
    """'c_' + 16 hex digits per hash as 18-byte rows: each byte of the hash becomes two
    digits with one lookup (a table of the 256 two-digit pairs)."""
    octets = hashed.astype(">u8").view(np.uint8).reshape(-1, 8)
    out = np.empty((len(hashed), 9), dtype=np.uint16)
    out[:, 0] = _PREFIX
    out[:, 1:] = _PAIRS[octets]
    return out.view("S18").ravel()


def _hex(hashed: np.ndarray) -> np.ndarray:
    return _hex_bytes(hashed).astype("<U18")


def _hex_arrow(hashed: np.ndarray):
    """Ids as an Arrow-backed string array, its bytes laid out in place: millions of ids
    without millions of Python objects."""
    import pyarrow as pa

    offsets = np.arange(0, 18 * len(hashed) + 1, 18, dtype=np.int32)
    ids = pa.StringArray.from_buffers(len(hashed), pa.py_buffer(offsets), pa.py_buffer(_hex_bytes(hashed)))
    return pd.arrays.ArrowStringArray(ids)


def pseudonymize(identities, key: str) -> np.ndarray:
    """'c_' + 16 hex digits per identity; equal identities get equal ids."""
    values = np.asarray(pd.Series(identities, dtype=object).to_numpy(), dtype=object)
    if len(values) == 0:
        return np.array([], dtype="<U18")
    return _hex(pd.util.hash_array(values, hash_key=key, categorize=True))
