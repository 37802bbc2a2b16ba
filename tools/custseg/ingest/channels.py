"""Sales channels of an order export (Shopify's Source: web, pos, shopify_draft_order, an app's
id, a marketplace such as Nordstrom or tiktok, a wholesale app such as Honeycomb): orders per
channel, leaving one out on request, and a warning for marketplace buyers who may not be the
store's to email."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from custseg.errors import InputError
from custseg.ingest.text import text

MARKETPLACES = r"(?i)\b(?:nordstrom|amazon|ebay|etsy|walmart|tiktok|faire|zalando|wayfair|mirakl|target plus|bol\.com)\b"
# Wholesale channels (apps and marketplaces through which shops buy to resell): their buyers are
# retailers' accounts, not consumers, so the intake asks whether they belong in the segments.
WHOLESALE = r"(?i)\b(?:wholesale|b2b|honeycomb|faire|handshake|ankorstore|orderchamp|creoate)\b"
MAX_CHANNELS = 10  # more are summed as one 'other channels' row
# Addresses a marketplace gives its buyers in place of their own (TikTok Shop's ...@scs3.tiktok.com):
# mail to them goes through the marketplace, if it is delivered at all.
RELAY_EMAIL = r"(?i)@(?:[\w-]+\.)*(?:tiktok\.com|marketplace\.amazon\.[a-z.]+|members\.ebay\.[a-z.]+|relay\.walmart\.com)$"


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
WHOLESALE_LABEL = "wholesale: retailers' accounts, not consumers"
WHOLESALE_MARKETPLACE_LABEL = "a wholesale marketplace: retailers' accounts, not consumers"


def channel_label(name: str) -> str | None:
    """What a Source value means, where the export's word does not say it: Shopify writes a
    sales-channel app's orders under the app's numeric id, and a wholesale app's buyers are shops."""
    if name in KNOWN_SOURCES:
        return KNOWN_SOURCES[name]
    if re.fullmatch(r"\d{4,}", name):
        return APP_LABEL
    if re.search(WHOLESALE, name):
        return WHOLESALE_MARKETPLACE_LABEL if re.search(MARKETPLACES, name) else WHOLESALE_LABEL
    return None


def channel_words(names: list[str], last: str = "and") -> str:
    """'Honeycomb', 'Honeycomb and Faire', 'Honeycomb, Faire and Ankorstore'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def excluded_channel_summary(channel: np.ndarray, left_out: np.ndarray, excluded: np.ndarray, identity: pd.Series, kept_identity: pd.Series) -> tuple[dict, pd.Series]:
    """--exclude-channel: the channels left out, as the export spells them (``left_out``: their
    orders), the orders dropped for it (``excluded``: not already cancelled, refunded...) and
    their buyers; ``only_there``: those of them with no kept order elsewhere, in no segment.
    Also those buyers' identities, so a customers export's contacts among them are told apart
    from the contacts whose orders were cancelled or refunded."""
    who = pd.Series(identity.to_numpy(dtype=object, na_value=None))[excluded].dropna()
    buyers = pd.Index(who.unique())
    only = buyers.difference(pd.Index(kept_identity.dropna().unique()), sort=False)
    names = sorted({str(c) for c in channel[left_out]}, key=lambda c: (c.lower(), c))
    summary = {"channels": names, "orders": int(excluded.sum()), "customers": len(buyers), "only_there": len(only)}
    return summary, pd.Series(only.to_numpy(dtype=object), dtype=object)


def excluded_channel_note(summary: dict) -> str:
    """'12 orders through Honeycomb were left out at your request, from 12
    buyers: none of them bought through another channel, so they are in no segment'."""
    n, buyers, only = summary["orders"], summary["customers"], summary["only_there"]
    text = f"{n:,} {'order' if n == 1 else 'orders'} through {channel_words(summary['channels'])} {'was' if n == 1 else 'were'} left out at your request"
    if not buyers:  # none of those orders named a customer
        return text
    if buyers == 1:
        return text + (", from 1 buyer, who bought through no other channel and is in no segment" if only else ", from 1 buyer, who bought through other channels too and is segmented on those orders")
    text += f", from {buyers:,} buyers"
    if only == buyers:
        return text + ": none of them bought through another channel, so they are in no segment"
    if only:
        return text + f": {only:,} of them bought through no other channel and {'is' if only == 1 else 'are'} in no segment; the other {buyers - only:,} are segmented on their other orders"
    return text + ": all of them bought through other channels too and are segmented on those orders"


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


def marketplace_summary(channel: np.ndarray, identity: pd.Series, email: pd.Series | None) -> dict | None:
    """The kept orders through marketplaces, per kept order's ``channel``, ``identity`` and
    ``email``: how many, their buyers, the customers who bought outside them (all that leaving
    the marketplaces out would keep) and the customers whose email is a marketplace's relay
    address. None without a marketplace order."""
    codes, names = pd.factorize(pd.Series(channel, dtype=object))  # a few channel names over many orders: each tested once
    places = np.asarray(pd.Index(names).str.contains(MARKETPLACES, regex=True), dtype=bool)
    market = places[codes] if len(names) else np.zeros(len(codes), dtype=bool)
    if not market.any():
        return None
    who = pd.Series(identity.to_numpy(dtype=object, na_value=None))
    buyers = who[market]
    relay = text(email[market]).fillna("").str.strip().str.contains(RELAY_EMAIL, regex=True).to_numpy(dtype=bool) if email is not None else np.zeros(len(buyers), dtype=bool)
    return {
        "channels": sorted((str(c) for c in np.asarray(names, dtype=object)[places]), key=lambda c: (c.lower(), c)),
        "orders": int(market.sum()),
        "customers": int(buyers.nunique()),
        "own_customers": int(who[~market].nunique()),
        "relay_emails": int(buyers[relay].nunique()),
    }


def marketplace_warning(summary: dict | None, total_orders: int, min_customers: int) -> list[str]:
    """Orders through a marketplace (Nordstrom, TikTok Shop, Amazon): their buyers are the
    marketplace's customers, often with relay emails, and may not be marketed to directly.
    Leaving them out is offered only when enough customers bought elsewhere to segment."""
    if not summary:
        return []
    names = ", ".join(summary["channels"])
    relay = summary["relay_emails"]
    relayed = f"; {relay:,} {'customer has' if relay == 1 else 'customers have'} a relay address from the marketplace instead of their own email" if relay else ""
    own = summary["own_customers"]
    if own < min_customers:
        choice = f"only {own:,} {'customer' if own == 1 else 'customers'} bought outside them, too few to segment without them, so keep them in"
    else:
        # every channel, once in any case (the option ignores case): the count assumes all are left out
        once = list({c.lower(): c for c in reversed(summary["channels"])}.values())[::-1]
        options = " ".join(f"--exclude-channel {_quoted(c)}" for c in once)
        choice = f"to segment only the {own:,} customers who bought outside them, add {options}"
    return [f"{summary['orders']:,} of {total_orders:,} orders came through marketplaces ({names}): their buyers are the marketplace's customers, and its terms may not let you email them{relayed}; {choice}"]


def _quoted(name: str) -> str:
    """A channel name as a command line takes it ("TikTok Shop" in quotes)."""
    return f'"{name}"' if any(ch.isspace() for ch in name) else name
