"""Where each order went: the country an order export names per order (Shopify's Shipping
Country, else its Billing Country; a log's Country column). A customer's country is then the
country of their most recent kept order that names one (compute/countries.py): a country is
not personal data at this granularity, but it is kept to aggregates all the same, and never
written per customer where the model reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.ingest.text import first_present, on_distinct, text

# The roles that can name an order's country, the first present wins: where the order was
# shipped says where the customer is; a billing address stands in for an order never shipped
# (a download, a pick-up); a single Country column (a log's, or Stripe's) is the last resort.
COUNTRY_ROLES = ("shipping_country", "billing_country", "country")
# Cells that name no country (UCI Online Retail's 'Unspecified'): an order with one names none.
NO_COUNTRY = r"(?i)^(?:unspecified|unknown|n/?a|none|null|nil|-+|\?+|other|not\s+(?:specified|known|available))$"


def country_roles(mapping: dict[str, str]) -> list[str]:
    """The country roles an export's mapping fills, in the order an order's country is read."""
    return [r for r in COUNTRY_ROLES if r in mapping]


def country_column(mapping: dict[str, str]) -> str | None:
    """The columns a country is read from, in words ('Shipping Country, else Billing Country')."""
    roles = country_roles(mapping)
    return ", else ".join(mapping[r] for r in roles) if roles else None


def order_countries(orders: pd.DataFrame, roles: list[str]) -> np.ndarray:
    """Each order's country as text (None where its columns name none): the first role that
    names one. Each distinct cell is read once: a million lines name a few dozen countries."""
    parts = [on_distinct(orders[r], _country_names) for r in roles]
    return first_present(*parts).to_numpy(dtype=object, na_value=None)


def _country_names(cells: pd.Series) -> pd.Series:
    """Trimmed country cells, a code's case evened out ('gb' and 'GB' are one country) and the
    cells that name no country missing."""
    names = text(cells)
    code = names.str.fullmatch(r"[A-Za-z]{2,3}").fillna(False)
    names = names.where(~code, names.str.upper())
    return names.where(~names.str.fullmatch(NO_COUNTRY).fillna(False))
