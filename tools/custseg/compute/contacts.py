"""Who the email tools may reach among a set of contacts: how many have an email, and what
their marketing consent says.

Counted as the email-tool files count them (render/exports.py): an email is usable when it
holds an '@', and a contact's first row is theirs. Consent is ingest's reading of the
export's column (yes, no, or nothing on record). Counts only: no email leaves this module.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd


def consent_counts(contacts: pd.DataFrame | None, ids: Iterable | None = None) -> dict[str, int]:
    """``with_email``, ``opted_in``, ``opted_out`` and ``consent_unknown`` of the contacts (of
    those whose customer_id is in ``ids``, when given); the last three count only contacts
    with an email, as nobody without one can be emailed whatever they agreed to."""
    if contacts is None or "email" not in contacts or not len(contacts):
        return {"with_email": 0, "opted_in": 0, "opted_out": 0, "consent_unknown": 0}
    if "customer_id" in contacts:
        contacts = contacts.drop_duplicates("customer_id", keep="first")
        if ids is not None:
            contacts = contacts[contacts["customer_id"].isin(set(ids))]
    emailed = contacts[contacts["email"].notna() & contacts["email"].astype(str).str.contains("@", regex=False)]
    consent = emailed["consent"].astype("boolean") if "consent" in emailed else pd.Series(pd.NA, index=emailed.index, dtype="boolean")
    return {
        "with_email": len(emailed),
        "opted_in": int(consent.eq(True).sum()),
        "opted_out": int(consent.eq(False).sum()),
        "consent_unknown": int(consent.isna().sum()),
    }
