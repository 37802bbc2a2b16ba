"""Claims about where customers are, held to the country facts (data.countries).

A UK gift wholesaler's trial refused "UK high-street gift shops" but passed "most of them are
abroad" on an export whose Country column the tools then ignored, and answered the hunch "overseas
shops reorder less" with "cannot be tested". Said of a segment or in a hunch's evidence, a claim
about customers at home, abroad, overseas or in a named country stands only in a sentence that
cites a country fact; without country facts it is a claim the data does not hold. "Most", "nearly
all" or "none" of them abroad (at home, in a country) is held to the share the sentence cites, as
product_claims holds a product's buyers.
"""

from __future__ import annotations

import functools
import re

from custseg.strategy.claims import _NEGATED_BEFORE
from custseg.strategy.hunches import _PLAN_STEP_BEFORE, _TOLD_BY_USER, WHO_THEY_ARE_CLAIM
from custseg.strategy.intake import cites_rates_within_chance
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import AT_LEAST, COMES_BACK, NONE, SENTENCE_END
from custseg.strategy.resolve import PLACEHOLDER
from custseg.strategy.schema import UNTESTABLE

# Countries a plan names in words, and the words for their people (the facts' own names are added
# per run). Codes and 'US' only in capitals: 'us' is a pronoun.
_NAMES = (
    r"united\s+kingdom|great\s+britain|britain|england|scotland|wales|northern\s+ireland|ireland|eire|united\s+states|america|canada|australia|new\s+zealand"
    r"|germany|france|spain|portugal|italy|netherlands|holland|belgium|luxembourg|switzerland|austria|denmark|sweden|norway|finland|iceland|poland"
    r"|czechia|czech\s+republic|greece|cyprus|malta|japan|china|hong\s+kong|singapore|india|israel|brazil|mexico|south\s+africa|the\s+channel\s+islands|channel\s+islands"
    r"|europe|the\s+eu|the\s+continent|scandinavia|asia|the\s+middle\s+east|latin\s+america"
)
_PEOPLE = (
    r"british|english|scottish|welsh|irish|american|canadian|australian|german|french|spanish|portuguese|italian|dutch|belgian|swiss|austrian"
    r"|danish|swedish|norwegian|finnish|polish|greek|japanese|chinese|european|continental|scandinavian|nordic"
)
_CODES = r"UK|U\.K\.|US|U\.S\.|USA|EU"
# Where, in words: away from the home country, or in it
_AWAY = r"abroad|overseas|international(?:ly)?|foreign|cross-border|non-uk"
_HOME = r"domestic|home-market|at\s+home|in\s+(?:our|the|their)\s+home\s+(?:country|market)"
_WHO = r"(?:customers?|buyers?|shoppers?|clients?|accounts?|shops|stores|stockists|retailers|wholesalers|resellers|businesses|boutiques|trade\s+customers|members|subscribers)"
# how many of them, between the verb and the place: 'are mostly abroad', 'are almost all based in'
_HOW_MANY = r"(?:(?:almost|nearly)\s+all|all|mostly|mainly|largely|chiefly|predominantly|primarily|overwhelmingly|typically|usually|often|also|still)"
_QUANTITY = r"(?P<q>most|the\s+majority|nearly\s+all|almost\s+all|mostly|mainly|largely|chiefly|predominantly|primarily|none|no\s+one|nobody|not\s+one)"
# 'most', 'mostly' or 'none' before the place in the same clause; not 'our most loyal' (a superlative)
QUANTIFIER = re.compile(rf"(?<!\bthe\s)(?<!\btheir\s)(?<!\bour\s)(?<!\bits\s)\b{_QUANTITY}\b", re.IGNORECASE)
_CLAUSE_START = re.compile(r"[,;:()\u2014]|\b(?:but|while|whereas)\b", re.IGNORECASE)
# {data.countries.abroad.customers_share}, {segmentations.rfm.segments.loyal.countries.top.germany.share}
COUNTRY_FACT = re.compile(r"^(?:data\.countries|segmentations\.[\w-]+\.segments\.[\w-]+\.countries)\.(?:(home|abroad)\.|top\.([\w-]+)\.)?(\w+)$")
SHARES = {"customers_share", "share", "home_share", "abroad_share"}
# A hunch that speaks of where customers are
PLACE_WORD = re.compile(rf"\b(?:{_AWAY}|{_HOME}|countr(?:y|ies)|{_NAMES}|{_PEOPLE})\b|\b(?-i:{_CODES})(?!\w)", re.IGNORECASE)


@functools.lru_cache(maxsize=8)
def location_claim(names: tuple[str, ...]) -> re.Pattern:
    """Where customers are, in three shapes: 'they are mostly abroad', 'based in Germany'; 'overseas
    shops', 'German stockists', 'UK customers'; 'customers abroad', 'shops in France'. ``names``:
    the countries the facts name (their codes, such as DE, only in capitals)."""
    words = [re.escape(n).replace(r"\ ", r"\s+") for n in names if len(n) > 3]
    codes = [re.escape(n) for n in names if len(n) <= 3]
    place = rf"(?:{'|'.join([_NAMES, *words])}|(?-i:{'|'.join([_CODES, *codes])}))"
    away = rf"{_AWAY}|outside\s+(?:the\s+)?{place}"
    return re.compile(
        rf"\b(?:are|were|'re|is|was|sit|sits|live|lives|trade|trades)\s+(?:{_HOW_MANY}\s+)?(?:based\s+|located\s+|situated\s+)?"
        rf"(?:(?P<away>{away})|(?P<home>{_HOME})|(?:in|from|across)\s+(?:the\s+)?(?P<named>{place}))(?![\w-])"
        rf"|\b(?:(?P<away2>{_AWAY})(?:\s+[\w-]+)?|(?P<home2>domestic|home-market)|(?P<named2>{_PEOPLE}|{place})(?:-based)?)\s+{_WHO}\b"
        rf"|\b{_WHO}\s+(?:(?P<away3>abroad|overseas|outside\s+(?:the\s+)?{place})|(?P<home3>at\s+home)|(?:based\s+|located\s+)?(?:in|from)\s+(?:the\s+)?(?P<named3>{place}))(?![\w-])",
        re.IGNORECASE,
    )


def _kind(m: re.Match) -> str:
    """Which share a claim is about: abroad, home, or a named country."""
    for kind in ("away", "home", "named"):
        if any(m.group(g) for g in (kind, f"{kind}2", f"{kind}3")):
            return kind
    return "named"


# The words for a few countries' codes: a run whose customers are all in one country says so by
# its code ('every customer placed is in GB'), and a plan may say it in words ('all in the UK').
CODE_WORDS = {
    "GB": r"UK|U\.K\.|united\s+kingdom|great\s+britain|britain|england|scotland|wales|northern\s+ireland|british|english|scottish|welsh",
    "US": r"US|U\.S\.|USA|united\s+states|america|american",
    "CA": r"canada|canadian", "AU": r"australia|australian", "IE": r"ireland|eire|irish", "NZ": r"new\s+zealand",
    "DE": r"germany|german", "FR": r"france|french", "NL": r"netherlands|holland|dutch", "ES": r"spain|spanish", "IT": r"italy|italian",
}
SOLE_COUNTRY = re.compile(r"^every customer placed is in (\S+) ")


def _sole_country(facts: dict) -> re.Pattern | None:
    """Where the facts hold no country figures because every customer is in one country: the
    words for that country (its code too), which a true 'they are all in the UK' may use."""
    m = SOLE_COUNTRY.match(str((facts.get("unavailable") or {}).get("countries") or ""))
    if not m:
        return None
    code = m.group(1)
    return re.compile(rf"^(?:{CODE_WORDS.get(code.upper(), re.escape(code))}|{re.escape(code)})$", re.IGNORECASE)


def country_names(facts: dict) -> list[str]:
    """The countries data.countries names (not the 'other countries' row)."""
    data = (facts.get("data") or {}).get("countries")
    rows = list((data or {}).get("top") or []) if isinstance(data, dict) else []
    return [str(r["name"]) for r in rows if isinstance(r, dict) and r.get("name") and r.get("key") != "other-countries"]


def _cited(sentence: str) -> list[tuple[str, str]]:
    """The country facts a sentence cites: (kind: abroad, home or named, full key), shares only."""
    out = []
    for key in PLACEHOLDER.findall(sentence):
        m = COUNTRY_FACT.match(key)
        if m and m.group(3) in SHARES:
            where = m.group(1) or ("named" if m.group(2) else m.group(3).split("_")[0])
            out.append(("away" if where == "abroad" else where, key))
    return out


def country_claims(path: str, text: str, facts: dict, keys: dict) -> list[Problem]:
    """A claim about where customers are in a segment's text or a hunch's evidence: without country
    facts a claim the data does not hold; with them, one that cites no country fact in its sentence,
    or whose 'most', 'mostly' or 'none' the share it cites does not bear out."""
    if not (path.startswith("segments.") or re.match(r"hypotheses\[\d+\]\.evidence$", path)) or not isinstance(text, str):
        return []
    data = (facts.get("data") or {}).get("countries")
    claim = location_claim(tuple(country_names(facts)))
    for sentence in SENTENCE_END.split(text):
        bare = PLACEHOLDER.sub(lambda x: "\u00a7" * len(x.group(0)), sentence)
        refused = [w.span() for w in WHO_THEY_ARE_CLAIM.finditer(bare)]  # 'UK high-street shops': refused as a business type already
        for m in claim.finditer(bare):
            if any(a < m.end() and m.start() < b for a, b in refused) or _TOLD_BY_USER.search(bare) or _NEGATED_BEFORE.search(bare[: m.start()]) or _PLAN_STEP_BEFORE.search(bare[: m.start()]):
                continue
            start = max([c.end() for c in _CLAUSE_START.finditer(bare, 0, m.start())], default=0)
            said = sentence[start:m.end()].strip()  # the claim from its clause's start, as written: 'Most of them are abroad'
            if not isinstance(data, dict):
                sole = _sole_country(facts)
                named = next((m.group(g) for g in ("named", "named2", "named3") if m.group(g)), None)
                if sole is not None and (_kind(m) == "home" or (named is not None and sole.match(" ".join(named.split())))):
                    continue  # 'every customer is in the UK' where every customer placed is: true, and the reason there are no figures
                why = ((facts.get("unavailable") or {}).get("countries") or "the export names no country").rstrip(".")
                return [Problem(path, "claim_not_in_data", f"'{said}': the facts hold no customers by country ({why}), so nothing says where these customers are; leave it out, or give it as the user's own observation ('you told us ...')")]
            return _held(path, sentence, bare, m, start, said, keys)
    return []


def _held(path: str, sentence: str, bare: str, m: re.Match, start: int, said: str, keys: dict) -> list[Problem]:
    """A claim where country facts exist: it cites one, and a quantifier before it in its clause
    (from ``start``) stands against the share it cites of the same place."""
    cited = _cited(sentence)
    if not [k for k in PLACEHOLDER.findall(sentence) if COUNTRY_FACT.match(k)]:
        return [Problem(path, "claim_not_in_data", (
            f"'{said}': say it with the facts' figure in the same sentence, e.g. {{data.countries.abroad.customers_share}} of customers are abroad "
            "or {segmentations.rfm.segments.<key>.countries.abroad_share} of the segment's (the strategy brief lists the country keys)"))]
    q = next(QUANTIFIER.finditer(bare, start, m.end()), None)
    if q is None:
        return []
    word = " ".join(q.group("q").lower().split())
    kind = _kind(m)
    shares = [(keys.get(full), full) for where, full in cited if where == kind or {kind, where} == {"named", "home"}]
    shares = [(v, full) for v, full in shares if isinstance(v, (int, float))]
    if not shares:
        place = {"away": "abroad", "home": "home"}.get(kind, "top.<country key>")
        return [Problem(path, "claim_not_in_data", f"'{said}': say how many with the facts' share, such as {{data.countries.{place}.{'share' if kind == 'named' else 'customers_share'}}} or a segment's countries share, rather than '{word}'")]
    value, full = shares[0]
    if (word in NONE and value > 0) or (word in AT_LEAST and value <= AT_LEAST[word]):
        return [Problem(path, "claim_contradicts_fact", (
            f"'{said}' but {{{full}}} is {value:.1%}: " + ("some of them are; say how many" if word in NONE else f"'{word}' needs more than {AT_LEAST[word]:.0%}; say the share instead")))]
    return []


def untestable_country_hunches(doc: dict, facts: dict) -> list[Problem]:
    """A hunch about where customers are ('overseas shops reorder less') answered 'cannot be tested
    with this data' where the facts hold customers by country; unless it asks who comes back and
    the repeat rates at home or abroad are null (fewer than 20 customers), as a product's hunch."""
    data = (facts.get("data") or {}).get("countries")
    if not isinstance(data, dict):
        return []
    rates_missing = any((data.get(side) or {}).get("repeat_rate") is None for side in ("home", "abroad"))
    out = []
    for i, item in enumerate(doc.get("hypotheses") if isinstance(doc.get("hypotheses"), list) else []):
        hunch = str(item.get("hunch") or "") if isinstance(item, dict) else ""
        if (rates_missing or cites_rates_within_chance(item, data)) and COMES_BACK.search(hunch):
            continue
        if isinstance(item, dict) and item.get("verdict") == UNTESTABLE and PLACE_WORD.search(hunch):
            out.append(Problem(f"hypotheses[{i}].verdict", "claim_contradicts_fact", (
                "the hunch speaks of where customers are, which the facts hold (data.countries): answer it from {data.countries.abroad.repeat_rate} beside "
                "{data.countries.home.repeat_rate}, {data.countries.abroad.customers_share} and each segment's countries.abroad_share, or say which part they cannot settle")))
    return out
