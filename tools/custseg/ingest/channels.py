"""Sales channels of an order export (Shopify's Source: web, pos, shopify_draft_order, an app's
id, a marketplace such as Nordstrom or tiktok): orders per channel, leaving one out on request,
and a warning for marketplace buyers who may not be the store's to email."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from custseg.errors import InputError
from custseg.ingest.text import text

MARKETPLACES = r"(?i)\b(?:nordstrom|amazon|ebay|etsy|walmart|tiktok|faire|zalando|wayfair|mirakl|target plus|bol\.com)\b"
MAX_CHANNELS = 10  # more are summed as one 'other channels' row


def channels(orders: pd.DataFrame) -> np.ndarray:
    """The sales channel per order as text ('(none)' where the export gives none)."""
    return text(orders["channel"]).fillna("(none)").to_numpy(dtype=object)


def excluded_channels(path: str, channel: np.ndarray | None, names: list[str]) -> np.ndarray:
    """--exclude-channel: orders whose channel is one of ``names`` (any case). Each name must be
    a channel of the export: a misspelled one would leave the orders in without a word."""
    if channel is None:
        raise InputError(path, "--exclude-channel: this export has no sales channel column (Shopify's Source); leave the option out")
    lowered = pd.Series(channel, dtype=object).str.lower()
    present = set(lowered)
    missing = [n for n in names if n.strip().lower() not in present]
    if missing:
        listing = ", ".join(sorted(set(channel), key=str.lower))
        raise InputError(path, f"--exclude-channel {missing[0]}: no order came through it; the export's channels are: {listing}")
    return lowered.isin([n.strip().lower() for n in names]).to_numpy()


# Shopify's own Source values, in the words its admin uses
KNOWN_SOURCES = {"web": "online store", "pos": "point of sale", "shopify_draft_order": "draft orders", "iphone": "Shopify app (iPhone)", "android": "Shopify app (Android)"}


APP_LABEL = "a sales-channel app"


def channel_label(name: str) -> str | None:
    """What a Source value means, where the export's word does not say it: Shopify writes a
    sales-channel app's orders under the app's numeric id."""
    if name in KNOWN_SOURCES:
        return KNOWN_SOURCES[name]
    if re.fullmatch(r"\d{4,}", name):
        return APP_LABEL
    return None


def channel_figures(channel: np.ndarray, amount: np.ndarray, identity: pd.Series) -> list[dict]:
    """Kept orders per sales channel, most orders first: orders, customers (distinct) and revenue;
    past MAX_CHANNELS the rest are one row, 'other channels (N)'."""
    frame = pd.DataFrame({"channel": channel, "amount": amount, "who": identity.to_numpy(dtype=object, na_value=None)})
    per = frame.groupby("channel", sort=False).agg(orders=("amount", "size"), customers=("who", "nunique"), revenue=("amount", "sum"))
    per = per.sort_values(["orders", "revenue"], ascending=False)
    rows = [{"channel": str(k), "orders": int(r.orders), "customers": int(r.customers), "revenue": round(float(r.revenue), 2), "label": channel_label(str(k))} for k, r in per.head(MAX_CHANNELS).iterrows()]
    rest = per.iloc[MAX_CHANNELS:]
    if len(rest):
        others = frame[frame["channel"].isin(rest.index)]
        rows.append({"channel": f"other channels ({len(rest)})", "orders": int(len(others)), "customers": int(others["who"].nunique()), "revenue": round(float(others["amount"].sum()), 2)})
    return rows


def marketplace_warning(by_channel: list[dict]) -> list[str]:
    """Orders through a marketplace (Nordstrom, TikTok Shop, Amazon): their buyers are the
    marketplace's customers, often with relay emails, and may not be marketed to directly."""
    places = [c for c in by_channel if re.search(MARKETPLACES, c["channel"])]
    if not places:
        return []
    orders = sum(c["orders"] for c in places)
    total = sum(c["orders"] for c in by_channel)
    names = ", ".join(c["channel"] for c in places)
    return [
        f"{orders:,} of {total:,} orders came through marketplaces ({names}): their buyers are the marketplace's customers, often with relay emails, and its terms may not let you email them; "
        f"to segment your own customers only, add --exclude-channel {places[0]['channel']} (repeatable)"
    ]
