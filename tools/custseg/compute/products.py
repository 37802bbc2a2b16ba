"""What each segment buys, and which first purchases bring customers back.

"Our best customers mostly buy the coffee beans" and "people who start with the sampler come
back" are the hunches a marketer brings; an order export's line items (Shopify's Lineitem name,
a log's Description) answer them. Every figure counts customers, not lines or units: a product's
buyers are the distinct customers with a kept order naming it, up to the as-of date.

A product is named only when at least ``MIN_BUYERS`` customers bought it: a line name bought by
one or two people can carry a personalisation ("Engraved mug - Sarah") and is no pattern anyway.
Add-ons that are no merchandise (shipping or package protection, free returns, tips) and gift cards
(money to spend later: a trial's 'HOLIDAY GIFT CARD' led a segment's list) are counted apart and
never ranked.

Which first purchases bring customers back compares like with like: of the customers whose first
purchase day was at least one period before the as-of date (each had a whole period to return),
the share who bought again within one period of that first day, by product in the first day's
orders, beside the same share of every such customer whose first orders named a product.
Deterministic: ties rank by name, so row order never changes a figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from custseg.compute.analysis import MIN_RATE_CUSTOMERS
from custseg.compute.metrics import Ledger, customer_codes, to_days

MIN_BUYERS = 5  # customers who bought a product before it is named anywhere
TOP_PER_SEGMENT = 5
TOP_OVERALL = 10
# First purchases: the TOP_OVERALL most frequent, and beyond them up to MAX_FIRST_PURCHASES
# whose come-back rate is measured (MIN_RATE_CUSTOMERS started with it a period before the
# as-of date): a hunch about what brings people back names more than the ten best starters
MAX_FIRST_PURCHASES = 30
DIGITS = 6
OTHER_ADD_ONS = f"other add-ons, each bought by fewer than {MIN_BUYERS} customers"

# Lines that sell no merchandise: shipping or package protection (Route, 'Package Protetion' as
# one real export spells it), free or unlimited returns, tips, gift cards.
NOT_MERCHANDISE = re.compile(
    r"(?i)\b(?:package|shipping|parcel|delivery|order)\s+prote\w*ion\b|\broute\s+(?:package\s+)?protection\b"
    r"|\bshipping\s+insurance\b|\bfree\s+(?:unlimited\s+)?returns?\b|\bunlimited\s+returns?\b|^\s*tips?\b"
    r"|\be?-?gift\s*cards?\b|\bgift\s+(?:voucher|certificate)s?\b"  # money to spend later, not a product anyone chose
)


@dataclass
class Lines:
    """Who bought what up to the as-of date: each distinct (customer, product) pair once, with
    the first day the customer's kept orders named the product; add-ons left out."""

    customer: np.ndarray  # the ledger's customer code per pair
    product: np.ndarray  # code into names
    first_day: np.ndarray  # the pair's earliest line
    names: np.ndarray  # distinct product names (object)
    not_merchandise: dict[str, int]  # name -> lines left out of every ranking


def product_of(name: str) -> str:
    """Shopify's Lineitem name without its variant: 'Merino Crew Socks - Oat / M' -> 'Merino Crew
    Socks' (the export joins product and variant titles with ' - ', a default variant adds none)."""
    head, sep, _ = name.rpartition(" - ")
    return head.strip() if sep and head.strip() else name


def one_spelling(distinct: list[str], lines: np.ndarray, fold_variants: bool) -> list[str]:
    """Each distinct line name's product, given each name's ``lines``: its variant cut off
    (``fold_variants``), and names that differ only in case, spacing or a plural's 's' ('AVANT
    LEGGINGS', 'Avant  Legging') one product, shown in the spelling most lines use (ties: one not in
    capitals, then the first in sorted order)."""
    product = [" ".join((product_of(n) if fold_variants else n).split()) for n in distinct]
    norm = [" ".join(family_word(w) for w in p.split()) for p in product]  # 'Leila Pant' and 'Leila Pants' too
    spellings: dict[str, dict[str, int]] = {}
    for prod, key, weight in zip(product, norm, lines):
        by = spellings.setdefault(key, {})
        by[prod] = by.get(prod, 0) + int(weight)
    chosen = {key: min(by, key=lambda p: (-by[p], p.isupper(), p)) for key, by in spellings.items()}
    return [chosen[k] for k in norm]


def prepare(lines: pd.DataFrame, ids: pd.Index, as_of: int, fold_variants: bool = False) -> Lines:
    """Lines as customer codes of the ledger, days and product codes; after the as-of date left
    out; with ``fold_variants``, a product's variants are one product (product_of). Names are
    worked on once each (a million lines hold a few thousand), lines as codes."""
    customer = customer_codes(lines["customer_id"], ids)
    day = to_days(lines["date"].to_numpy())
    keep = (day <= as_of) & (customer >= 0)
    raw_code, raw_names = pd.factorize(lines["product"])
    raw_code = raw_code[keep]
    spelled = one_spelling([str(n) for n in raw_names], np.bincount(raw_code, minlength=len(raw_names)), fold_variants)
    to_product, names = pd.factorize(pd.Series(spelled, dtype=object), sort=True)  # product codes follow name order
    product = to_product[raw_code] if len(raw_code) else np.zeros(0, dtype=np.int64)
    names = np.asarray(names, dtype=object)
    odd = np.fromiter((bool(NOT_MERCHANDISE.search(n)) for n in names), dtype=bool, count=len(names))
    customer, day = customer[keep], day[keep]
    merch = ~odd[product] if len(product) else np.zeros(0, dtype=bool)
    return Lines(*_pairs(customer[merch], product[merch], day[merch], len(names)), names, _add_ons(customer[~merch], product[~merch], names))


def _pairs(customer: np.ndarray, product: np.ndarray, day: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each distinct (customer, product) pair and its earliest day: one sort of the lines."""
    if not len(customer):
        return customer, product, day
    order = np.lexsort((day, customer * n + product))
    key = (customer * n + product)[order]
    first = np.r_[True, key[1:] != key[:-1]]
    return customer[order][first], product[order][first], day[order][first]


def _add_ons(customer: np.ndarray, product: np.ndarray, names: np.ndarray) -> dict[str, int]:
    """Lines of each add-on; one fewer than MIN_BUYERS customers bought ('Tip for Sam') is
    counted under OTHER_ADD_ONS, unnamed, like any rare name."""
    n = len(names)
    lines = np.bincount(product, minlength=n)
    buyers = np.bincount(np.unique(customer * n + product) % n, minlength=n) if len(product) else lines
    out = {str(names[i]): int(lines[i]) for i in np.flatnonzero((lines > 0) & (buyers >= MIN_BUYERS))}
    rare = int(lines[buyers < MIN_BUYERS].sum())
    if rare:
        out[OTHER_ADD_ONS] = rare
    return out


def keys_for(names: np.ndarray) -> list[str]:
    """A fact key per name ('Cold Brew Beans 12oz' -> 'cold-brew-beans-12oz'), unique in order."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")[:60].strip("-") or "product"
        n = seen.get(slug, 0) + 1
        seen[slug] = n
        out.append(slug if n == 1 else f"{slug}-{n}")
    return out


def buyers_by_group(lines: Lines, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct buyers of each product: every customer's (n_products,) and each group's
    (n_groups, n_products); ``group`` is each ledger customer's group, -1 for none."""
    n = len(lines.names)
    customer, product = lines.customer, lines.product
    overall = np.bincount(product, minlength=n)
    g = group[customer]
    inside = g >= 0
    per_group = np.bincount(g[inside] * n + product[inside], minlength=n_groups * n).reshape(n_groups, n)
    return overall, per_group


def ranked(counts: np.ndarray, named: np.ndarray, top: int) -> list[int]:
    """The ``top`` named products with the most buyers, ties by name (product codes follow the
    sorted names)."""
    candidates = np.flatnonzero(named & (counts > 0))
    order = np.lexsort((candidates, -counts[candidates]))  # product codes follow name order
    return [int(i) for i in candidates[order][:top]]


def tie_cut(counts: list[int], top: int) -> int:
    """How many of a list ranked most buyers first to show: the ``top`` first, and every one tied
    with the last of them (a cut inside a tie would hide a product bought as often as one shown)."""
    if len(counts) <= top:
        return len(counts)
    return sum(1 for k, c in enumerate(counts) if k < top or c == counts[top - 1])


def segment_products(counts: np.ndarray, named: np.ndarray, everyone: list[int]) -> list[int]:
    """A segment's products in facts.json: its own most bought (TOP_PER_SEGMENT, with ties) and
    every product of everyone's top list (bought by none of them too), most buyers first: a plan
    can then cite any best seller's share in any segment, beside its share of all customers."""
    own = ranked(counts, named, TOP_OVERALL)
    chosen = set(own[: tie_cut([int(counts[i]) for i in own], TOP_PER_SEGMENT)]) | set(everyone)
    return sorted(chosen, key=lambda i: (-counts[i], i))


def rows(indices: list[int], counts: np.ndarray, base: int, names: np.ndarray, keys: list[str]) -> list[dict]:
    """facts.json's rows (ProductBuyers): key, name, buyers and their share of the group's ``base`` customers."""
    return [{"key": keys[i], "name": str(names[i]), "buyers": int(counts[i]), "buyers_share": round(counts[i] / base, DIGITS) if base else 0.0} for i in indices]


def first_and_second_days(ledger: Ledger) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's first purchase day and second distinct one (-1: none), by ledger code."""
    n = len(ledger.ids)
    first = np.full(n, -1, dtype=np.int64)
    second = np.full(n, -1, dtype=np.int64)
    if not len(ledger.code):
        return first, second
    code, day = ledger.code, ledger.day
    new_customer = np.r_[True, code[1:] != code[:-1]]
    new_day = new_customer | np.r_[True, day[1:] != day[:-1]]
    first[code[new_customer]] = day[new_customer]
    rows_ = np.flatnonzero(new_day)
    owner = code[rows_]
    starts = np.r_[True, owner[1:] != owner[:-1]]
    is_second = np.r_[False, ~starts[1:] & starts[:-1]]
    second[owner[is_second]] = day[rows_[is_second]]
    return first, second


def came_back(customers: np.ndarray, first: np.ndarray, second: np.ndarray, as_of: int, period: int) -> tuple[np.ndarray, np.ndarray]:
    """Of ``customers`` (ledger codes), who first bought at least a period before the as-of date
    (so each had a whole period to return), and of them who bought again within a period."""
    settled = first[customers] <= as_of - period
    back = settled & (second[customers] >= 0) & (second[customers] - first[customers] <= period)
    return settled, back


def rate(back: int, settled: int) -> float | None:
    """A come-back rate, or None from fewer than MIN_RATE_CUSTOMERS customers."""
    return round(back / settled, DIGITS) if settled >= MIN_RATE_CUSTOMERS else None


def starters(lines: Lines, first: np.ndarray, second: np.ndarray, as_of: int, period: int, named: np.ndarray, keys: list[str], top: int) -> tuple[list[dict], int, float | None]:
    """The named products most often in customers' first purchase day (facts.json's
    FirstPurchaseProduct rows: the ``top`` first, then up to MAX_FIRST_PURCHASES whose rate is
    measured), with the share of those who started with each a period or more
    before the as-of date who came back within a period (:func:`rate`); and, for every such
    customer whose first orders named a product, how many they are and that share. ``first``
    and ``second``: :func:`first_and_second_days`."""
    on_first = lines.first_day == first[lines.customer]  # the product was in the customer's first day's orders
    n = len(lines.names)
    customer, product = lines.customer[on_first], lines.product[on_first]
    settled, back = came_back(customer, first, second, as_of, period)
    count = np.bincount(product, minlength=n)
    count_settled = np.bincount(product, weights=settled, minlength=n).astype(np.int64)
    count_back = np.bincount(product, weights=back, minlength=n).astype(np.int64)
    chosen = ranked(count, named, max(top, MAX_FIRST_PURCHASES))
    chosen = chosen[:top] + [i for i in chosen[top:] if count_settled[i] >= MIN_RATE_CUSTOMERS]
    out = [{"key": keys[i], "name": str(lines.names[i]), "starters": int(count[i]), "starters_before_cutoff": int(count_settled[i]), "back_within_period_rate": rate(count_back[i], count_settled[i])}
           for i in chosen]
    everyone = np.unique(customer)
    settled, back = came_back(everyone, first, second, as_of, period)
    return out, int(settled.sum()), rate(int(back.sum()), int(settled.sum()))


# -- families: a word several product names share --------------------------------------------

# Families: the TOP_FAMILIES with the most buyers, and beyond them up to MAX_FAMILIES bought by
# at least MIN_RATE_CUSTOMERS customers (a trial's hunch named jackets, 35th of 181 families, cut
# off at ten); the rest by name only, up to MAX_FAMILY_NAMES, so a plan can say a family exists
# whose figures the facts do not give
TOP_FAMILIES = 10
MAX_FAMILIES = 30
MAX_FAMILY_NAMES = 200
WORD = re.compile(r"[^\W\d_][\w'-]*")  # a word of a product's name: letters first, no digits alone
# Words that name no family: sizes, packs, who it is for, filler
NOT_A_FAMILY = {
    "the", "and", "for", "with", "set", "pack", "size", "men", "mens", "women", "womens", "woman", "man", "kids", "unisex",
    "new", "one", "two", "three", "of", "in", "on", "by", "x", "xs", "xl", "xxl", "small", "medium", "large", "mini", "oz", "ml", "g", "kg",
}


def family_word(token: str) -> str:
    """A word as its family's key: lower case, a plural's 's' off ('Leggings' and 'Legging' are one)."""
    word = token.casefold()
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def families(names: np.ndarray, named: np.ndarray) -> dict[str, list[int]]:
    """Each word at least two named products share (a family: 'Legging' in 'Palm Legging' and
    'Omni Leggings', 'Greyson' in every colourway of the jeans), with every product whose name
    holds it (those fewer than MIN_BUYERS bought too: only the word is shown), named as the named
    products most often spell it. Words that always come together ('Biker' and 'Short' in every
    Biker Short) are one family, named by both in the order the names give them."""
    out: dict[str, set[int]] = {}
    shown: dict[str, int] = {}  # named products holding the word: two make a family
    spelled: dict[str, Counter] = {}
    for i in range(len(names)):
        for token in WORD.findall(str(names[i])):
            word = family_word(token)
            if len(word) >= 3 and word not in NOT_A_FAMILY:
                out.setdefault(word, set()).add(i)
                if named[i]:
                    shown[word] = shown.get(word, 0) + 1
                    spelled.setdefault(word, Counter())[token.title()] += 1
    together: dict[tuple[int, ...], list[str]] = {}
    for word, products in out.items():
        if shown.get(word, 0) >= 2:  # then its products bought by fewer count too: their names are never shown
            together.setdefault(tuple(sorted(products)), []).append(word)
    merged = {}
    for products, words in together.items():
        order = [family_word(t) for t in WORD.findall(str(names[products[0]]))]
        words.sort(key=lambda w: order.index(w) if w in order else len(order))
        merged[" ".join(min(spelled[w], key=lambda t: (-spelled[w][t], t)) for w in words)] = list(products)
    return merged


def family_figures(lines: Lines, members: dict[str, list[int]], group: np.ndarray, n_groups: int, first: np.ndarray, second: np.ndarray, as_of: int, period: int) -> tuple[list[dict], list[str]]:
    """The families kept (:func:`kept_families`), most buyers first: a customer bought the family
    when they bought any of its products. Each with its buyers (overall and by group), and, like
    a first purchase (starters), those whose first day's orders held one of its products and the
    share of them, a period or more before the as-of date, who came back within a period. And the
    words of the families left out, most buyers first."""
    bought = {word: np.unique(lines.customer[np.isin(lines.product, products)]) for word, products in members.items()}
    ranked_words = sorted(bought, key=lambda w: (-len(bought[w]), w))
    keep = kept_families([len(bought[w]) for w in ranked_words])
    on_first = lines.first_day == first[lines.customer]
    rows_ = []
    for word in ranked_words[:keep]:
        buyers = bought[word]
        started = np.unique(lines.customer[np.isin(lines.product, members[word]) & on_first])
        settled, back = came_back(started, first, second, as_of, period)
        g = group[buyers]
        rows_.append({
            "word": word, "products": len(members[word]), "buyers": int(len(buyers)),
            "by_group": np.bincount(g[g >= 0], minlength=n_groups),
            "starters": int(len(started)), "starters_before_cutoff": int(settled.sum()),
            "back_within_period_rate": rate(int(back.sum()), int(settled.sum())),
        })
    return rows_, ranked_words[keep:]


def kept_families(buyers: list[int]) -> int:
    """How many of the families (their buyers, most first) facts give figures for: the
    TOP_FAMILIES first, and after them, up to MAX_FAMILIES, those MIN_RATE_CUSTOMERS bought."""
    enough = sum(1 for b in buyers[:MAX_FAMILIES] if b >= MIN_RATE_CUSTOMERS)
    return min(len(buyers), max(TOP_FAMILIES, enough))
