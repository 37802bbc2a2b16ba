"""Claims about what customers bought, held to the products facts (data.products).

A trial's plan passed "Most of them bought the Leila Pullover ({...leila-pullover.buyers_share})"
at 31.9%, "None of them bought the Leila Pullover" of a segment where 3 of 8 had, a Pullover
sentence citing the Palm Legging's come-back rate, and a hunch about products answered "cannot be
tested" on data that holds them. Product names are the facts' own (data.products and each
segment's list), found in a sentence by whole words, case aside.
"""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER
from custseg.strategy.schema import UNTESTABLE

# {segmentations.rfm.segments.loyal.products.palm-legging.buyers_share}, {data.products.top.x.buyers},
# {data.products.first_purchase.x.back_within_period_rate}
PRODUCT_FACT = re.compile(r"^(?:segmentations\.[\w-]+\.segments\.([\w-]+)|data)\.products\.(?:top\.|first_purchase\.)?([\w-]+)\.(\w+)$")
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
    rf"|\b{_NONE}\b{_WHO}(?:\s+[\w'-]+){{0,3}}?\s+{_VERB}\b(?P<rest2>[^.;!?]*)",
    re.IGNORECASE,
)
AT_LEAST = {"most": 0.5, "the majority": 0.5, "nearly all": 0.8, "almost all": 0.8}  # above, not at
NONE = ("none", "no one", "nobody", "not one")


def known_products(facts: dict) -> dict[str, tuple[str, str]]:
    """Every product the facts name: its name, case folded, -> its key and its name as spelled."""
    data = (facts.get("data") or {}).get("products")
    if not isinstance(data, dict):
        return {}
    items = list(data.get("top") or []) + list(data.get("first_purchase") or [])
    for seg in ((facts.get("segmentations") or {}).get("rfm") or {}).get("segments", {}).values():
        items += (seg or {}).get("products") or []
    return {str(p["name"]).casefold(): (p["key"], str(p["name"])) for p in items if isinstance(p, dict) and p.get("name") and p.get("key")}


def _named(sentence: str, names: dict[str, tuple[str, str]]) -> dict[str, str]:
    """The products a sentence names (key -> name as the facts spell it), longest names first so
    'Leila Pants' is not also read as a shorter 'Leila Pant'."""
    bare = PLACEHOLDER.sub(" ", sentence).casefold()
    found: dict[str, str] = {}
    for name in sorted(names, key=len, reverse=True):
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", bare)
        if m:
            found.setdefault(*names[name])
            bare = bare[: m.start()] + " " * len(name) + bare[m.end():]
    return found


def _cited(sentence: str) -> list[tuple[str | None, str, str, str]]:
    """The products facts a sentence cites: (segment or None, product key, field, full key)."""
    out = []
    for key in PLACEHOLDER.findall(sentence):
        m = PRODUCT_FACT.match(key)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), key))
    return out


def product_claims(path: str, text: str, facts: dict, keys: dict[str, Any], names: dict[str, tuple[str, str]] | None = None) -> list[Problem]:
    """A sentence naming a product that cites another product's figure, and 'most', 'nearly all'
    or 'none' of a group buying a product against the share cited (or with none cited)."""
    names = known_products(facts) if names is None else names
    if not names or not isinstance(text, str):
        return []
    out = []
    for sentence in SENTENCE_END.split(text):
        named = _named(sentence, names)
        if not named:
            continue
        cited = _cited(sentence)
        if cited and not any(k in named for _, k, _, _ in cited):
            shown = ", ".join(sorted(named.values()))
            out.append(Problem(path, "product_fact_mismatch", (
                f"'{sentence.strip()}' names {shown} but cites the figure of another product ({{{cited[0][3]}}}): "
                f"cite the product's own, such as {{{cited[0][3].replace('.' + cited[0][1] + '.', '.' + next(iter(named)) + '.')}}}, where the facts list it")))
            continue
        for m in QUANTIFIED_BUYING.finditer(PLACEHOLDER.sub(lambda x: "\u00a7" * len(x.group(0)), sentence)):
            said = sentence[m.start():m.end()].strip()  # the words as written, fact references and all
            about = _named(m.group("rest") or m.group("rest2") or "", names)
            if not about:
                continue
            q = " ".join((m.group("q") or m.group("q2")).lower().split())
            shares = [(keys.get(full), full) for _, k, field, full in cited if k in about and field == "buyers_share"]
            shares = [(v, full) for v, full in shares if isinstance(v, (int, float))]
            if not shares:
                out.append(Problem(path, "claim_not_in_data", (
                    f"'{said}': say how many bought it with the facts' figure, "
                    f"{{segmentations.rfm.segments.<key>.products.{next(iter(about))}.buyers_share}}, rather than '{q}'")))
                break
            value, full = shares[0]
            wrong = (q in NONE and value > 0) or (q in AT_LEAST and value <= AT_LEAST[q])
            if wrong:
                out.append(Problem(path, "claim_contradicts_fact", (
                    f"'{said}' but {{{full}}} is {value:.1%}: "
                    + ("some of them did; say how many" if q in NONE else f"'{q}' needs more than {AT_LEAST[q]:.0%}; say the share instead"))))
                break
    return out


def untestable_product_hunches(doc: dict, facts: dict, names: dict[str, tuple[str, str]] | None = None) -> list[Problem]:
    """A hunch about a product the facts name, answered 'cannot be tested with this data'."""
    names = known_products(facts) if names is None else names
    if not names:
        return []
    out = []
    for i, item in enumerate(doc.get("hypotheses") if isinstance(doc.get("hypotheses"), list) else []):
        if not isinstance(item, dict) or item.get("verdict") != UNTESTABLE:
            continue
        named = _named(str(item.get("hunch") or ""), names)
        if named:
            key = next(iter(named))
            out.append(Problem(f"hypotheses[{i}].verdict", "claim_contradicts_fact", (
                f"the hunch names {', '.join(sorted(named.values()))}, which the facts hold: answer it from them "
                f"({{data.products.top.{key}.buyers_share}}, each segment's products, {{data.products.first_purchase.{key}.back_within_period_rate}} where listed), "
                f"or say which part they cannot settle")))
    return out
