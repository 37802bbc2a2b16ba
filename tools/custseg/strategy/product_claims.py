"""Claims about what customers bought, held to the products facts (data.products).

A trial's plan passed "Most of them bought the Leila Pullover ({...leila-pullover.buyers_share})"
at 31.9%, "None of them bought the Leila Pullover" of a segment where 3 of 8 had, a Pullover
sentence citing the Palm Legging's come-back rate, and a hunch about products answered "cannot be
tested" on data that holds them. A second trial's passed "most of them bought it", a come-back
rate "well above" everyone's when it was below, and "their most bought product" of one another
product beat. Product names are the facts' own (data.products and each segment's list), found in a
sentence by whole words, case aside.
"""

from __future__ import annotations

import re
from typing import Any

from custseg.compute.products import WORD, family_word
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER
from custseg.strategy.schema import UNTESTABLE

# {segmentations.rfm.segments.loyal.products.palm-legging.buyers_share}, {data.products.top.x.buyers},
# {data.products.first_purchase.x.back_within_period_rate}
PRODUCT_FACT = re.compile(r"^(?:segmentations\.[\w-]+\.segments\.([\w-]+)|data)\.products\.(?:top\.|first_purchase\.)?([\w-]+)\.(\w+)$")
EVERYONE_RATE = "data.products.back_within_period_rate"
# {data.products.families.canvas.back_within_period_rate}, {segmentations.rfm.segments.loyal.product_families.canvas.buyers_share}
FAMILY_FACT = re.compile(r"^(?:segmentations\.([\w-]+)\.segments\.([\w-]+)\.product_families|data\.products\.families)\.([\w-]+)\.(\w+)$")
# a first purchase's figures (data.products.first_purchase); the rest are buyers' (top, each segment's products)
FIRST_PURCHASE_FIELDS = ("starters", "starters_before_cutoff", "back_within_period_rate")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
# 'most of them bought ...', 'nearly all Regulars buy', 'none of them ordered', 'no one bought';
# not a superlative ('their most bought product', 'the most ordered'): 'most' and its kin need
# 'of ...' or a word before the verb, and no 'the', 'their' or 'our' before them
_MANY = r"(?P<q>most|the\s+majority|nearly\s+all|almost\s+all)"
_NONE = r"(?P<q2>none|no\s+one|nobody|not\s+one)"
_VERB = r"(?:buy|buys|bought|purchase|purchases|purchased|order|orders|ordered|picked\s+up|picks\s+up|own|owns|chose|choose|chooses)"
_WHO = r"(?:\s+of\s+(?:them|these|those|the\s+[\w' -]+?))?"
QUANTIFIED_BUYING = re.compile(
    rf"(?<!\bthe\s)(?<!\btheir\s)(?<!\bour\s)(?<!\bits\s)\b{_MANY}\b{_WHO}(?:\s+[\w'-]+){{1,3}}?\s+{_VERB}\b(?P<rest>[^.;!?]*)"
    rf"|\b{_NONE}\b{_WHO}(?:\s+[\w'-]+){{0,3}}?\s+{_VERB}\b(?P<rest2>[^.;!?]*)"
    # 'the Velvet Noir is bought by most of them', 'the Tee, which most of them bought' (the product before)
    rf"|\b(?:bought|purchased|ordered|owned|chosen)\s+by\s+(?P<q3>most|the\s+majority|nearly\s+all|almost\s+all)\b"
    rf"|\bwhich\s+(?P<q4>most|the\s+majority|nearly\s+all|almost\s+all)\b(?:\s+[\w'-]+){{0,3}}?\s+{_VERB}\b"
    # 'they mostly buy the Socks ({...socks.buyers_share})': uncited, hunches.PRODUCT_CLAIM asks for the figure
    rf"|\b(?P<q5>mostly|mainly|largely|chiefly|predominantly|primarily)\s+{_VERB}\b(?P<rest5>[^.;!?]*)",
    re.IGNORECASE,
)
AT_LEAST = {"most": 0.5, "the majority": 0.5, "nearly all": 0.8, "almost all": 0.8, "virtually all": 0.8, "mostly": 0.5, "mainly": 0.5, "largely": 0.5, "chiefly": 0.5, "predominantly": 0.5, "primarily": 0.5}  # above, not at
# 'Their own most bought: Dann Noir ({...}.buyers_share} of them)' (a trial, of a product at 7.8%), 'its
# five most bought', 'the most ordered products': a ranking, which _ranked_first holds to the
# segment's list, not a majority AT_LEAST holds to half ('most of them bought X' is one)
_RANK_BEFORE = re.compile(r"\b(?:the|their|its|our|your|his|her|whose)\s+(?:(?:own|single|very|two|three|four|five|six|seven|eight|nine|ten)\s+)*$", re.IGNORECASE)
_RANKED = re.compile(r"\s+(?:bought|popular|ordered|purchased|sold|loved|chosen|reordered)\b", re.IGNORECASE)
_RANK_AFTER = re.compile(r"\s*[:\u2013\u2014(]|\s+-\s|\s+(?:products?|items?|pieces?|styles?|lines?|picks?|things?|sellers?)\b", re.IGNORECASE)


def names_a_ranking(text: str, start: int, end: int) -> bool:
    """Whether the 'most' at ``text[start:end]`` ranks what they bought ('their most bought',
    'Most bought: the Tee') rather than counting who bought it."""
    ranked = _RANKED.match(text, end)
    return bool(ranked and (_RANK_BEFORE.search(text, 0, start) or _RANK_AFTER.match(text, ranked.end())))


TOLD_ELSEWHERE = {"mostly", "mainly", "largely", "chiefly", "predominantly", "primarily"}  # uncited: hunches.unrecorded_claims asks for the figure
NONE = ("none", "no one", "nobody", "not one")


def known_products(facts: dict) -> dict[str, tuple[str, str]]:
    """Every product the facts name: its name, case folded, -> its key and its name as spelled."""
    data = (facts.get("data") or {}).get("products")
    if not isinstance(data, dict):
        return {}
    items = list(data.get("top") or []) + list(data.get("first_purchase") or [])
    return _by_name(items) | segment_products(((facts.get("segmentations") or {}).get("rfm") or {}).get("segments") or {})


def segment_products(fact_segments: dict) -> dict[str, tuple[str, str]]:
    """The products the segments' lists name (as :func:`known_products`)."""
    return _by_name([p for seg in fact_segments.values() if isinstance(seg, dict) for p in seg.get("products") or []])


def _by_name(items: list) -> dict[str, tuple[str, str]]:
    return {str(p["name"]).casefold(): (p["key"], str(p["name"])) for p in items if isinstance(p, dict) and p.get("name") and p.get("key")}


def products_named(text: str, names: dict[str, tuple[str, str]]) -> list[str]:
    """The keys of the products a text names, in order."""
    return list(_named(text, names))


def _mentions(text: str, names: dict[str, tuple[str, str]]) -> list[tuple[int, str, str]]:
    """Where a text names products: (offset, key, name as spelled), in order; longest names
    first, so 'Leila Pants' is not also read as a shorter 'Leila Pant'."""
    bare = PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), text).casefold()
    found = []
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", bare):
            found.append((m.start(), *names[name]))
            bare = bare[: m.start()] + " " * len(name) + bare[m.end():]
    return sorted(found)


def _named(text: str, names: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The products a text names: key -> name as the facts spell it."""
    return {key: name for _, key, name in _mentions(text, names)}


def _cited(sentence: str) -> list[tuple[str | None, str, str, str]]:
    """The products facts a sentence cites, in order: (segment or None, product key, field, full key)."""
    out = []
    for key in PLACEHOLDER.findall(sentence):
        m = PRODUCT_FACT.match(key)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), key))
        elif key == EVERYONE_RATE:  # everyone's come-back rate: what a first purchase's compares with
            out.append((None, "", "back_within_period_rate", key))
    return out


def product_claims(path: str, text: str, facts: dict, keys: dict[str, Any], names: dict[str, tuple[str, str]] | None = None) -> list[Problem]:
    """A sentence naming a product that cites another product's figure; 'most', 'mostly', 'nearly
    all' or 'none' of a group buying a product against the share cited (or with none cited);
    'their most bought' or 'brings people back most often' of a product another beats. (Two
    products figures compared, 'well above everyone's {...}', are comparisons.py's.)"""
    names = known_products(facts) if names is None else names
    if not names or not isinstance(text, str):
        return []
    out = []
    for sentence in SENTENCE_END.split(text):
        crossed = _family_of_another_kind(path, sentence, facts, names)
        if crossed:
            out += crossed
            continue
        named = _named(sentence, names)
        if not named:
            continue
        cited = _cited(sentence)
        if cited and not any(k in named for _, k, _, _ in cited):
            shown = ", ".join(sorted(named.values()))
            own = _instead_of(cited[0], next(iter(named)), path, sentence, facts, keys)
            out.append(Problem(path, "product_fact_mismatch", (
                f"'{sentence.strip()}' names {shown} but cites the figure of another product ({{{cited[0][3]}}}): "
                + (f"cite the product's own, {{{own}}}" if own else "cite the product's own where the facts list it (data.products.top, first_purchase, each segment's products)"))))
            continue
        family = _family_as_product(path, sentence, named, facts, keys, names)
        if family:
            out += family
            continue
        found = _quantified(path, sentence, named, cited, keys, names) or _ranked_first(path, sentence, cited, facts)  # comparisons: comparisons.py
        out += found
    return out


def _instead_of(cited: tuple, product: str, path: str, sentence: str, facts: dict, keys: dict[str, Any]) -> str | None:
    """The fact to cite for ``product`` in place of another product's: the same field, of the
    segment the sentence speaks of (see :func:`_segment_meant`); None where the facts do not list it."""
    segment, other, field, full = cited
    if not other:  # everyone's come-back rate: the product's is its first purchases'
        return _own_fact(product, field, None, None, keys)
    if segment is None:
        own = re.sub(rf"\.{re.escape(other)}\.(\w+)$", rf".{product}.\1", full)
    else:
        own = re.sub(r"segments\.[\w-]+\.products\.[\w-]+\.", f"segments.{_segment_meant(segment, path, sentence, facts)}.products.{product}.", full)
    return own if own in keys else None


def _segment_meant(cited: str, path: str, sentence: str, facts: dict) -> str:
    """The segment whose product figure a sentence wants: the cited fact's, if the sentence names
    it or is in no segment's own text; else the text's own segment ('Lead with the Wool Beanie
    ({...champions.products.everyday-canvas-tote.buyers_share})' in At Risk's persona: At Risk's)."""
    segments = ((facts.get("segmentations") or {}).get("rfm") or {}).get("segments") or {}
    own = re.match(r"segments\.([^.]+)\.", path)
    if not own or own.group(1) == cited or own.group(1) not in segments:
        return cited
    called = {cited.replace("_", " "), str((segments.get(cited) or {}).get("name") or "")} - {""}
    words = PLACEHOLDER.sub(" ", sentence)  # the keys name segments too
    return cited if any(re.search(rf"(?<!\w){re.escape(c)}(?!\w)", words, re.IGNORECASE) for c in called) else own.group(1)


def _family_as_product(path: str, sentence: str, named: dict[str, str], facts: dict, keys: dict[str, Any], names: dict[str, tuple[str, str]]) -> list[Problem]:
    """'Those who started with the Everyday Canvas Tote came back at
    {data.products.families.canvas.back_within_period_rate}': a family's figure, of all its
    products together, beside one product's name reads as that product's. Naming the family
    apart from the product's own name ('canvas pieces as a whole') says whose it is."""
    words = _without_names(PLACEHOLDER.sub(" ", sentence), names)
    spoken = {f.get("key") for f in _families_named(words, facts)}
    for full in PLACEHOLDER.findall(sentence):
        m = FAMILY_FACT.match(full)
        if not m or m.group(3) in spoken:
            continue
        segmentation, segment, family, field = m.groups()
        product = next(iter(named))
        own = _own_fact(product, field, segmentation, segment, keys)
        cite = f"cite the product's own, {{{own}}}" if own else "cite the product's own figure where the facts list it (data.products.top, first_purchase, each segment's products)"
        called = str(keys.get(f"data.products.families.{family}.name") or family)
        return [Problem(path, "product_fact_mismatch", (
            f"'{sentence.strip()}' names {named[product]} but cites the figure of the {called} family ({{{full}}}), all its products together: "
            f"{cite}, or name the family in the sentence as whose it is ('{called.lower()} pieces as a whole')"))]
    return []


# Whose figure a family's is said to be: 'jacket starters', 'Jacket buyers', 'customers who started
# with a jacket', 'those who bought the Dean jacket'
_WHO_AFTER = re.compile(r"^\s+(?:starters?|buyers?|customers?|shoppers?|purchasers?|owners?|fans|first-timers)\b", re.IGNORECASE)
_WHO_BEFORE = re.compile(
    r"\b(?:start(?:s|ed|ing)?\s+with|bought|buys?|buying|purchased|chose|first\s+(?:orders?|purchases?)\s+(?:of|was|were|held))"
    r"\s+(?:(?:a|an|the|one|their|its)\s+)?(?:(?!(?:across|among|between|in|on|at|from|by|for|of|over|with|both|all|most)\b)[\w'-]+\s+)?$", re.IGNORECASE)


def _family_of_another_kind(path: str, sentence: str, facts: dict, names: dict[str, tuple[str, str]]) -> list[Problem]:
    """'Jacket starters in the Greyson family came back at {data.products.families.greyson.back_within_period_rate}'
    (a trial's, on facts whose Jacket family was cut off): a family's figure said of the buyers of
    another kind of product, a family of its own (listed, or named among those left out), whose
    figure the sentence does not cite. Greyson's rate is of everyone who started with any Greyson
    product; the facts hold none for Greyson jackets."""
    cited = [(m.group(3), full) for full in PLACEHOLDER.findall(sentence) if (m := FAMILY_FACT.match(full))]
    if not cited:
        return []
    data = (facts.get("data") or {}).get("products") or {}
    listed = [f for f in data.get("families") or [] if isinstance(f, dict)]
    families = listed + [{"key": None, "name": str(n)} for n in data.get("families_left_out") or []]
    words = _without_names(PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), sentence), names)
    own_words = {str(f.get("key")): {family_word(w) for w in str(f.get("name") or "").split()} for f in listed}
    for family, start, end in _family_spans(words, families):
        if family.get("key") in {key for key, _ in cited} or not (_WHO_AFTER.match(words[end:]) or _WHO_BEFORE.search(words[:start])):
            continue
        kind = {family_word(w) for w in family["name"].split()}
        key, full = next(((k, f) for k, f in cited if not kind <= own_words.get(k, set())), (None, None))
        if key is None:
            continue
        called = next((str(f.get("name")) for f in listed if f.get("key") == key), key)
        if family.get("key"):
            theirs = re.sub(r"(families|product_families)\.[\w-]+\.", lambda m: f"{m.group(1)}.{family['key']}.", full)
            own = f"cite the {family['name']} family's own figure, {{{theirs}}}"
        else:
            own = f"the facts name the {family['name']} family without figures (data.products.families_left_out): say they give no figure for it"
        return [Problem(path, "product_fact_mismatch", (
            f"'{sentence.strip()}' speaks of {words[start:end].strip()} buyers but cites the {called} family's figure ({{{full}}}), of everyone who bought any {called} product, "
            f"not of {family['name']}: {own}"))]
    return []


def _family_spans(text: str, families: list[dict]) -> list[tuple[dict, int, int]]:
    """Where a text names each family: (family, start, end), plurals aside."""
    tokens = [(family_word(m.group(0)), m.start(), m.end()) for m in WORD.finditer(text)]
    out = []
    for family in families:
        own = [family_word(w) for w in str(family.get("name") or "").split()]
        for j in range(len(tokens) - len(own) + 1):
            if own and [t[0] for t in tokens[j:j + len(own)]] == own:
                out.append((family, tokens[j][1], tokens[j + len(own) - 1][2]))
    return sorted(out, key=lambda x: x[1])


def _own_fact(product: str, field: str, segmentation: str | None, segment: str | None, keys: dict[str, Any]) -> str | None:
    """A product's own fact of the kind a family's is: its first purchases' for a come-back
    rate or starters, its buyers' (the segment's, or everyone's) otherwise; None where the facts
    do not list it."""
    if field in FIRST_PURCHASE_FIELDS:
        own = f"data.products.first_purchase.{product}.{field}"
    elif segment:
        own = f"segmentations.{segmentation}.segments.{segment}.products.{product}.{field}"
    else:
        own = f"data.products.top.{product}.{field}"
    return own if own in keys else None


def _object_of(m: re.Match, sentence: str, named: dict[str, str], names: dict[str, tuple[str, str]]) -> str | None:
    """The product a quantified buying speaks of: the first named after the verb ('most of them
    bought the Tee'), else, for 'bought it' or a passive ('the Tee, which most of them bought'),
    the one product the sentence names."""
    rest = next((m.group(g) for g in ("rest", "rest2", "rest5") if m.group(g) is not None), "")
    after = _mentions(rest, names)
    if after:
        return after[0][1]
    return next(iter(named)) if len(named) == 1 else None


def _quantified(path: str, sentence: str, named: dict[str, str], cited: list, keys: dict[str, Any], names: dict[str, tuple[str, str]]) -> list[Problem]:
    masked = PLACEHOLDER.sub(lambda x: "\u00a7" * len(x.group(0)), sentence)
    for m in QUANTIFIED_BUYING.finditer(masked):
        said = sentence[m.start():m.end()].strip()  # the words as written, fact references and all
        product = _object_of(m, sentence, named, names)
        if product is None:
            continue
        q = " ".join(next(m.group(g) for g in ("q", "q2", "q3", "q4", "q5") if m.group(g)).lower().split())
        shares = [(keys.get(full), full) for _, k, field, full in cited if k == product and field == "buyers_share"]
        shares = [(v, full) for v, full in shares if isinstance(v, (int, float))]
        if not shares and q in TOLD_ELSEWHERE:
            continue
        if not shares:
            return [Problem(path, "claim_not_in_data", (
                f"'{said}': say how many bought it with the facts' figure, "
                f"{{{_share_of_own(product, path, keys)}}}, rather than '{q}'"))]
        value, full = shares[0]
        if (q in NONE and value > 0) or (q in AT_LEAST and value <= AT_LEAST[q]):
            return [Problem(path, "claim_contradicts_fact", (
                f"'{said}' but {{{full}}} is {value:.1%}: "
                + ("some of them did; say how many" if q in NONE else f"'{q}' needs more than {AT_LEAST[q]:.0%}; say the share instead")))]
    return []


def _share_of_own(product: str, path: str, keys: dict[str, Any]) -> str:
    """The share of a segment's customers who bought a product: of the segment whose own text it
    is, where the facts list it there, else with the segment left to fill in."""
    own = re.match(r"segments\.([^.]+)\.", path)
    share = f"segmentations.rfm.segments.{own.group(1)}.products.{product}.buyers_share" if own else None
    return share if share in keys else f"segmentations.rfm.segments.<key>.products.{product}.buyers_share"


def _without_names(text: str, names: dict[str, tuple[str, str]]) -> str:
    """A text with the product names it holds blanked: a name is no comparison ('Trail Mix', 'Less Waste Bottle')."""
    for _, _, name in _mentions(text, names):
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return text


# 'their most bought product', 'the best seller' (by buyers); 'brings people back most often',
# 'the highest come-back rate' (by a first purchase's come-back rate)
SUPERLATIVE = re.compile(r"\b(?:most\s+(?:bought|popular|ordered|purchased)|best[-\s]?sell(?:er|ing)|top\s+(?:product|seller|pick)|bought\s+(?:the\s+)?most|favou?rite)\b", re.IGNORECASE)
# 'the widest gap between Champions and Dormant', 'differs most': of one product's shares in two segments
WIDEST_GAP = re.compile(r"\b(?:widest|biggest|largest|greatest|sharpest|starkest)\s+(?:gap|difference|divide|split|contrast|spread)\b|\bdiffers?\s+(?:the\s+)?most\b", re.IGNORECASE)
MOST_OFTEN = re.compile(r"\b(?:most\s+often|highest|best\s+(?:rate|return)|more\s+often\s+than\s+any)\b", re.IGNORECASE)


def _ranked_first(path: str, sentence: str, cited: list, facts: dict) -> list[Problem]:
    """'The Velvet Noir is their most bought product: {...velvet-noir.buyers_share} of them'
    where another of the segment's products has more buyers, 'the first purchase that brings
    people back most often' of one another first purchase's come-back rate beats (a trial's, at
    9.3%), or 'the Tee shows the widest gap between Champions ({a}) and Dormant ({b})' where
    another product's shares of the two lie further apart: the product the sentence puts first
    must be first in the list its fact is from."""
    bare = PLACEHOLDER.sub(" ", sentence)
    data = (facts.get("data") or {}).get("products") or {}
    segs = ((facts.get("segmentations") or {}).get("rfm") or {}).get("segments") or {}
    by_buyers = [c for c in cited if c[2] in ("buyers_share", "buyers")]
    by_rate = [c for c in cited if c[2] == "back_within_period_rate" and c[1] and c[0] is None and ".first_purchase." in c[3]]
    pair = sorted({c[0] for c in by_buyers if c[2] == "buyers_share" and c[0] in segs})
    if (m := WIDEST_GAP.search(bare)) and len({c[1] for c in by_buyers}) == 1 and len(pair) == 2:
        key, metric, items = by_buyers[0][1], "gap", _gaps(segs[pair[0]], segs[pair[1]])
        what = f"differs more between {' and '.join(str(segs[k].get('name') or k) for k in pair)}"
    elif (m := SUPERLATIVE.search(bare)) and len({c[1] for c in by_buyers}) == 1:
        segment, key, metric = by_buyers[0][0], by_buyers[0][1], "buyers"
        items = data.get("top") if segment is None else (segs.get(segment) or {}).get("products")
        what = "has more buyers there"
    elif (m := MOST_OFTEN.search(bare)) and len({c[1] for c in by_rate}) == 1:
        key, metric, items, what = by_rate[0][1], "back_within_period_rate", data.get("first_purchase"), "brings more back"
    else:
        return []
    listed = [p for p in items or [] if isinstance(p, dict) and isinstance(p.get(metric), (int, float))]
    own = next((p for p in listed if p.get("key") == key), None)
    best = max(listed, key=lambda p: p[metric], default=None)
    if own is None or best is None or own[metric] >= best[metric]:
        return []
    shown = {"buyers": lambda v: f"{v:,}", "gap": lambda v: f"{v * 100:.1f} points"}.get(metric, lambda v: f"{v:.1%}")
    return [Problem(path, "claim_contradicts_fact", (
        f"'{m.group(0)}' of {own['name']}, but {best['name']} {what} ({shown(best[metric])} against {shown(own[metric])}): "
        "name the product the facts put first, or say how this one ranks"))]


def _gaps(one: dict, other: dict) -> list[dict]:
    """Each product both segments list, with how far apart its shares of their buyers lie."""
    theirs = {p.get("key"): p.get("buyers_share") for p in other.get("products") or [] if isinstance(p, dict)}
    return [{"key": p["key"], "name": p.get("name") or p["key"], "gap": abs(p["buyers_share"] - theirs[p["key"]])}
            for p in one.get("products") or []
            if isinstance(p, dict) and isinstance(p.get("buyers_share"), (int, float)) and isinstance(theirs.get(p.get("key")), (int, float))]


# A hunch about who comes back after buying something: the come-back rate settles it, and where
# that rate is null (too few started with it a period before the as-of date) nothing does.
COMES_BACK = re.compile(r"\b(?:come|comes|came|coming)\s+back\b|\breturns?\b|\breturning\b|\bagain\b|\bre-?orders?\b|\brepeat\b|\bloyal\b|\bstick\s+around\b|\bstays?\b", re.IGNORECASE)


def _come_back_rate_missing(hunch: str, facts: dict, product_keys: list[str], family: dict | None) -> bool:
    """Whether the hunch asks who comes back and the facts' come-back rate of what it names is null
    (a four-month shop's 'customers who buy a maxi dress come back': check.py refused the true
    'cannot be tested' and then the null rate it pointed at)."""
    if not COMES_BACK.search(hunch):
        return False
    if family is not None:
        return family.get("back_within_period_rate") is None
    listed = {str(f.get("key")): f for f in (((facts.get("data") or {}).get("products") or {}).get("first_purchase") or []) if isinstance(f, dict)}
    return all((listed.get(k) or {}).get("back_within_period_rate") is None for k in product_keys)


def untestable_product_hunches(doc: dict, facts: dict, names: dict[str, tuple[str, str]] | None = None) -> list[Problem]:
    """A hunch about a product the facts name, answered 'cannot be tested with this data' (unless
    it asks who comes back and that rate is null for this data)."""
    names = known_products(facts) if names is None else names
    if not names:
        return []
    out = []
    for i, item in enumerate(doc.get("hypotheses") if isinstance(doc.get("hypotheses"), list) else []):
        if not isinstance(item, dict) or item.get("verdict") != UNTESTABLE:
            continue
        hunch = str(item.get("hunch") or "")
        named = _named(hunch, names)
        family = None if named else _family_named(hunch, facts)
        if _come_back_rate_missing(hunch, facts, list(named), family):
            continue
        if named:
            key = next(iter(named))
            out.append(Problem(f"hypotheses[{i}].verdict", "claim_contradicts_fact", (
                f"the hunch names {', '.join(sorted(named.values()))}, which the facts hold: answer it from them "
                f"({{data.products.top.{key}.buyers_share}}, each segment's products, {{data.products.first_purchase.{key}.back_within_period_rate}} where listed), "
                f"or say which part they cannot settle")))
        elif family:
            out.append(Problem(f"hypotheses[{i}].verdict", "claim_contradicts_fact", (
                f"the hunch speaks of {family['name']}, a product family the facts hold ({family['products']} products): answer it from "
                f"{{data.products.families.{family['key']}.buyers_share}}, each segment's product_families and {{data.products.families.{family['key']}.back_within_period_rate}}, "
                "or say which part they cannot settle")))
    return out


def _family_named(text: str, facts: dict) -> dict | None:
    """The first product family (data.products.families) whose words a text holds, plurals aside
    ('leggings' for the Legging family)."""
    return next(iter(_families_named(text, facts)), None)


def _families_named(text: str, facts: dict) -> list[dict]:
    """The product families (data.products.families) whose words a text holds, plurals aside."""
    return _families_in(text, ((facts.get("data") or {}).get("products") or {}).get("families") or [])


def _families_in(text: str, families: list[dict]) -> list[dict]:
    words = [family_word(t) for t in WORD.findall(text)]
    out = []
    for family in families:
        own = [family_word(w) for w in str(family.get("name") or "").split()]
        if own and any(words[j:j + len(own)] == own for j in range(len(words))):
            out.append(family)
    return out


# The item a products fact is of: {...products.<key>.buyers_share}, {...product_families.<key>.buyers},
# {data.products.top.<key>.buyers}, {data.products.first_purchase.<key>...}, {data.products.families.<key>...}
PRODUCT_ITEM = re.compile(r"\.(?:products\.(?:top\.|first_purchase\.|families\.)?|product_families\.)([\w-]+)\.(\w+)$")


def items_spoken_of(text: str, keys: dict[str, Any]) -> set[str]:
    """The products a text names, and the product families it names apart from them, by key;
    their names read off the facts (the keys ending in .name)."""
    products: dict[str, tuple[str, str]] = {}
    families = []
    for key, value in keys.items():
        m = PRODUCT_ITEM.search(key)
        if not m or m.group(2) != "name" or not isinstance(value, str):
            continue
        if ".families." in key or ".product_families." in key:
            families.append({"key": m.group(1), "name": value})
        else:
            products[value.casefold()] = (m.group(1), value)
    named = set(_named(text, products))
    return named | {f["key"] for f in _families_in(_without_names(PLACEHOLDER.sub(" ", text), products), families)}

