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


def pseudonymize(identities, key: str) -> np.ndarray:
    """'c_' + 16 hex digits per identity; equal identities get equal ids."""
    values = np.asarray(pd.Series(identities, dtype=object).to_numpy(), dtype=object)
    if len(values) == 0:
        return np.array([], dtype="<U18")
    hashed = pd.util.hash_array(values, hash_key=key, categorize=True)
    octets = hashed.astype(">u8").view(np.uint8).reshape(-1, 8)
    out = np.empty((len(values), 18), dtype=np.uint8)
    out[:, 0] = ord("c")
    out[:, 1] = ord("_")
    out[:, 2::2] = _HEX[octets >> 4]
    out[:, 3::2] = _HEX[octets & 15]
    return out.view("S18").ravel().astype("<U18")
