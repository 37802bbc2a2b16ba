"""Claims about where customers are, held to the country facts (data.countries).

A UK gift wholesaler's trial refused "UK high-street gift shops" but passed "most of them are
abroad" on an export whose Country column the tools then ignored, and answered the hunch "overseas
shops reorder less" with "cannot be tested". Said of a segment or in a hunch's evidence, a claim
about customers at home, abroad, overseas or in a named country stands only in a sentence that
cites a country fact; without country facts it is a claim the data does not hold. "Most", "nearly
all" or "none" of them abroad (at home, in a country) is held to the share the sentence cites, as
product_claims holds a product's buyers.

A UCI trial passed "German shops reorder less often than UK shops ({...germany.repeat_rate} against
{...united-kingdom.repeat_rate})" with the German rate the higher, "so German shops reorder less
than UK ones" citing nothing, and "based in London and the South East": two country figures are
held to the direction the sentence says (comparisons.py, for every kind of fact), a comparison by place
cites a country fact, and a region or a city, which no fact holds, is refused in any text.
"""

from __future__ import annotations

import functools
import re

from custseg.compute.country_names import country_label, country_words, place_patterns
from custseg.strategy.claims import _NEGATED_BEFORE
from custseg.strategy.hunches import _PLAN_STEP_BEFORE, _TOLD_BY_USER, WHO_THEY_ARE_CLAIM
from custseg.strategy.intake import cites_rates_within_chance
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import AT_LEAST, COMES_BACK, NONE, SENTENCE_END
from custseg.strategy.resolve import PLACEHOLDER
from custseg.strategy.schema import UNTESTABLE

# Countries a plan names in words, the words for their people, and the words read only in capitals
# ('US': 'us' is a pronoun), from the one table of country words (compute/country_names.COUNTRIES);
# the facts' own names are added per run
_NAMES, _PEOPLE, _CODES = place_patterns()
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


# A run whose customers are all in one country says so by its name and code ('every customer placed
# is in United Kingdom (GB), going by Shipping Country'), and a plan may say it in its own words ('all in the UK').
SOLE_COUNTRY = re.compile(r"^every customer placed is in (.+?)(?: \(([A-Z]{2})\))?, going by ")


def _sole_country(facts: dict) -> re.Pattern | None:
    """Where the facts hold no country figures because every customer is in one country: the
    words for that country (its code too), which a true 'they are all in the UK' may use."""
    m = SOLE_COUNTRY.match(str((facts.get("unavailable") or {}).get("countries") or ""))
    if not m:
        return None
    name, code = country_label(m.group(1)) if m.group(2) is None else (m.group(1), m.group(2))
    return re.compile(rf"^(?:{country_words(name, code)})$", re.IGNORECASE)


def country_names(facts: dict) -> list[str]:
    """The countries data.countries names (not the 'other countries' row), and their codes."""
    data = (facts.get("data") or {}).get("countries")
    rows = list((data or {}).get("top") or []) if isinstance(data, dict) else []
    rows = [r for r in rows if isinstance(r, dict) and r.get("name") and r.get("key") != "other-countries"]
    return [str(r["name"]) for r in rows] + [str(r["code"]) for r in rows if r.get("code")]


def _cited(sentence: str) -> list[tuple[str, str]]:
    """The country facts a sentence cites: (kind: abroad, home or named, full key), shares only."""
    out = []
    for key in PLACEHOLDER.findall(sentence):
        m = COUNTRY_FACT.match(key)
        if m and m.group(3) in SHARES:
            where = m.group(1) or ("named" if m.group(2) else m.group(3).split("_")[0])
            out.append(("away" if where == "abroad" else where, key))
    return out


# Where the plan says who its customers are: a persona, a segment's strategy, a hunch's evidence
_SAID_OF_CUSTOMERS = re.compile(r"^segments\.|^hypotheses\[\d+\]\.evidence$")
# In a persona or a hunch's evidence 'so' draws a conclusion ('It holds, so German shops reorder
# less', a UCI trial's) and 'we can see that' reads the data: neither is a step of the plan
_DESCRIBES = re.compile(r"^segments\.[\w-]+\.persona$|^hypotheses\[\d+\]\.evidence$")
_CONCLUSION_BEFORE = re.compile(r"(?:\bso(?!\s+that\b)|\b(?:can|could)\s+(?:see|tell|say)(?:\s+that)?)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# A comparison of how customers buy: 'reorder less', 'come back more often', 'a lower repeat rate'
_BUYING = (
    r"(?:re-?orders?|re-?ordered|orders?|ordered|buys?|bought|shops?|shopped|spends?|spent|comes?\s+back|came\s+back|returns?|returned|repeats?|repeated"
    r"|purchases?|purchased|restocks?|restocked|churns?|churned|stays?|stayed|renews?|renewed)"
)
COMPARED_BUYING = re.compile(
    rf"\b{_BUYING}\b(?:\s+[\w'-]+){{0,2}}?\s+(?:more|less|fewer)\b"
    r"|\b(?:more|less)\s+(?:often|loyal|likely\s+to\s+(?:re-?order|come\s+back|return|buy\s+again|churn|stay))\b"
    r"|\b(?:higher|lower|bigger|smaller|better|worse|stronger|weaker)\s+(?:repeat|reorder|return|retention|churn|come-back|loyalty)\b"
    rf"|\b(?:more|fewer)\s+(?:of\s+them\s+|{_WHO}\s+)?(?:come\s+back|re-?order|return|buy\s+again)\b",
    re.IGNORECASE,
)


# A country's word as a language, not a place: 'emails in German', 'write to them in French and
# Dutch', 'customers who read us in German reorder less', 'a German-language landing page', 'the
# French version'; not 'in German shops' (a place-word with the people it is of)
_PLACED_NOUN = rf"(?:{_WHO}|ones|markets?|cities|towns|regions?|areas?|households?|homes|companies|firms|brands|outlets|venues|cafes|restaurants|hotels)\b"
LANGUAGE_USE = re.compile(
    rf"\b(?:in|into|speak|speaks|spoke|speaking)\s+(?:{_PEOPLE})(?>(?:\s*,\s*|\s+(?:and|or)\s+)(?:{_PEOPLE}))*(?![\w-])(?!\s+{_PLACED_NOUN})"
    rf"|\b(?:{_PEOPLE})(?=-(?:language|speaking)\b|\s+(?:language|languages|translations?|versions?|copy|subtitles|speakers?)\b)",
    re.IGNORECASE,
)
# What sets the other side of a comparison against its first, right before the place: 'reorder
# less often than German shops', 'more than customers in France', 'less than those at home'
# or where the comparison is said to hold: 'reorder less in German shops than ...'
_OTHER_SIDE_BEFORE = re.compile(
    r"(?:\s+[\w'-]+){0,2}?\s+(?:than|against|versus|vs\.?|unlike|(?:compared|set)\s+(?:with|to|against))\s+(?:[\w'-]+\s+){0,3}?"
    r"|(?:\s+(?:often|frequently))?\s+(?:in|across|from|among|outside)\s+(?:the\s+)?",
    re.IGNORECASE,
)
# A place that opens the sentence and its comma: 'Overseas, shops reorder less', 'In Germany, ...'
_OPENING_PLACE = re.compile(r"\W*(?:(?:so|and|but)\s+)?(?:(?:in|across|from|outside|among)\s+)?(?:the\s+)?", re.IGNORECASE)


def _compared_places(bare: str, places: list[re.Match], m: re.Match) -> list[re.Match]:
    """The places a comparison of buying (``m``) is said of: its subject, before it in its
    clause ('German shops reorder less', 'Overseas, shops reorder less'), or its other side,
    right after 'than' ('... than customers in France') or where it is said to hold ('reorder
    less in German shops'); not a place elsewhere in the sentence
    ('They reorder more often than the Champions, so write to them in French')."""
    out = []
    for p in places:
        if p.end() <= m.start():
            between = bare[p.end():m.start()]
            opens = _OPENING_PLACE.fullmatch(bare, 0, p.start()) and re.match(r"\s*,", between) and not _CLAUSE_START.search(between, between.index(",") + 1)
            if not _CLAUSE_START.search(between) or opens:
                out.append(p)
        elif p.start() >= m.end() and _OTHER_SIDE_BEFORE.fullmatch(bare, m.end(), p.start()):
            out.append(p)
    return out


@functools.lru_cache(maxsize=8)
def place_words(names: tuple[str, ...]) -> re.Pattern:
    """A place in words: away, home, a country or its people, or a country the facts name."""
    words = [re.escape(n).replace(r"\ ", r"\s+") for n in names if len(n) > 3]
    codes = [re.escape(n) for n in names if len(n) <= 3]
    return re.compile(rf"\b(?:{'|'.join([_AWAY, _HOME, _NAMES, *words])}|(?:{_PEOPLE})s?)\b|\b(?-i:{'|'.join([_CODES, *codes])})(?!\w)", re.IGNORECASE)


# Regions and cities: the facts hold countries at most, so 'based in London and the South East' (a
# UCI trial's persona) or 'London shops' is a claim the data does not hold. Regions and the larger
# cities by name (written with a capital), a few words for places within a country, and after
# 'based in' or 'located in' any name with a capital that is no country.
_REGIONS = (
    "North", "South", "East", "West", r"North[-\s]?East", r"North[-\s]?West", r"South[-\s]?East", r"South[-\s]?West", "Midlands", r"East\s+Midlands", r"West\s+Midlands",
    r"Home\s+Counties", r"West\s+Country", r"East\s+Anglia", "Highlands", "Lowlands", "Midwest", r"East\s+Coast", r"West\s+Coast", r"Bay\s+Area", "Ruhr", "Bavaria",
    "Randstad", "Flanders", "Wallonia", "Lombardy", "Tuscany", "Catalonia", "Andalusia", "Provence", "Brittany", "Normandy",
)
_CITIES = (
    "London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Edinburgh", "Bristol", "Liverpool", "Sheffield", "Newcastle", "Nottingham", "Leicester", "Cardiff", "Belfast",
    "Brighton", "Oxford", "Cambridge", "York", "Bath", "Dublin", "Cork", "Paris", "Lyon", "Marseille", "Berlin", "Munich", "Hamburg", "Cologne", "Frankfurt", "Madrid",
    "Barcelona", "Rome", "Milan", "Amsterdam", "Rotterdam", "Brussels", "Antwerp", "Vienna", "Zurich", "Geneva", "Stockholm", "Copenhagen", "Oslo", "Helsinki", "Lisbon",
    "Porto", "Warsaw", "Prague", "Athens", r"New\s+York", r"Los\s+Angeles", "Chicago", r"San\s+Francisco", "Boston", "Seattle", "Toronto", "Vancouver", "Montreal",
    "Sydney", "Melbourne", "Auckland", "Tokyo",
)


def _longest_first(names: tuple[str, ...]) -> str:
    """An alternation that tries a whole name before its first word ('the South East', not 'South')."""
    return "|".join(sorted(names, key=len, reverse=True))


_REGION = (
    rf"(?-i:(?:the\s+)?(?:{_longest_first(_REGIONS)})(?![\w-])|(?:{_longest_first(_CITIES)})(?![\w-]))"
    r"|(?:big|major|large|small)\s+(?:cities|towns)|the\s+(?:capital|countryside|suburbs)|city\s+cent(?:re|er)s"
)
REGION_CLAIM = re.compile(
    rf"\b(?:based|located|situated|headquartered|concentrated|clustered)\s+(?:(?:mostly|mainly|largely|chiefly|all)\s+)?(?:in|around|across|near|outside)\s+(?P<a>{_REGION}|(?-i:(?:the\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*))"
    rf"|\b(?:are|were|'re|is|sit|sits|live|lives|trade|trades|operate|operates)\s+(?:{_HOW_MANY}\s+)?(?:in|around|across|near)\s+(?P<b>{_REGION})"
    rf"|(?P<c>{_REGION})(?:-based)?\s+{_WHO}\b|(?P<d>{_REGION})(?:-based)?\s+(?:boutiques|businesses|gift\s+shops)\b"
    rf"|\b{_WHO}\s+(?:based\s+|located\s+)?(?:in|from|around|across)\s+(?P<e>{_REGION})",
    re.IGNORECASE,
)
# The user's own business, not its customers: 'we are a small business based in Leeds'
_OURS_BEFORE = re.compile(r"\b(?:we|we're|our|us|i|i'm|my)\b[^,;:]*$", re.IGNORECASE)


def _plan_step(path: str, before: str) -> bool:
    """Whether the words before a claim make it a step of the plan ('offer free shipping to
    overseas customers'), not a claim; in a persona or evidence 'so' and 'we can see' conclude."""
    return bool(_PLAN_STEP_BEFORE.search(before)) and not (_DESCRIBES.match(path) and _CONCLUSION_BEFORE.search(before))


def segment_names(facts: dict, aliases: list[tuple[str, str]] | None = None) -> frozenset[str]:
    """Every name a text may give a segment, case folded: each segmentation's segment names and
    keys (as words), and the plan's display names (``aliases``, as claims.segment_aliases)."""
    out = {" ".join(str(alias).split()).casefold() for alias, _ in aliases or []}
    for seg in ((facts.get("segmentations") or {}).values()):
        for key, stats in ((seg or {}).get("segments") or {}).items() if isinstance(seg, dict) else ():
            out |= {" ".join(str(n).split()).casefold() for n in (key.replace("_", " "), (stats or {}).get("name")) if n}
    return frozenset(out - {""})


def country_claims(path: str, text: str, facts: dict, keys: dict, aliases: list[tuple[str, str]] | None = None) -> list[Problem]:
    """A claim about where customers are, or comparing them by where they are, in a segment's
    text or a hunch's evidence: without country facts a claim the data does not hold; with them,
    one that cites no country fact in its sentence, or whose 'most', 'mostly' or 'none' the share
    it cites does not bear out. (Two country figures compared the wrong way round: comparisons.py.)
    ``aliases``: the plan's names for segments, which no region is ('concentrated in Champions')."""
    if not isinstance(text, str):
        return []
    data = (facts.get("data") or {}).get("countries")
    names = tuple(country_names(facts))
    claim = location_claim(names)
    said_of_customers = bool(_SAID_OF_CUSTOMERS.search(path))
    segments = segment_names(facts, aliases)
    for sentence in SENTENCE_END.split(text):
        bare = PLACEHOLDER.sub(lambda x: "\u00a7" * len(x.group(0)), sentence)
        found = _region_claim(path, sentence, bare, facts, data, names, segments)
        found = found or ((_compared_by_place(path, sentence, bare, facts, data, names) or _said_where(path, sentence, bare, facts, data, claim, keys)) if said_of_customers else [])
        if found:  # one claim, one problem
            return found
    return []


def _region_claim(path: str, sentence: str, bare: str, facts: dict, data, names: tuple[str, ...], segments: frozenset[str] = frozenset()) -> list[Problem]:
    """'Based in London and the South East', 'London shops', 'shops in Manchester': a region or a
    city, which no fact holds (data.countries holds countries at most), in any text; not the
    user's own place, their word, or a step of the plan ('run a pop-up in Paris for them'), nor
    a segment named after 'in' ('concentrated in Champions': ``segments``, their names folded)."""
    countries = place_words(names)
    for m in REGION_CLAIM.finditer(bare):
        place = " ".join(next(g for g in m.groups() if g).split())
        unprefixed = re.sub(r"^the\s+", "", place, flags=re.IGNORECASE)
        if countries.fullmatch(unprefixed) or _TOLD_BY_USER.search(bare) or _NEGATED_BEFORE.search(bare[: m.start()]):
            continue  # a country: country_claims' own
        if unprefixed.casefold() in segments:
            continue  # a segment: where the customers or the money are among the segments, no place
        if _plan_step(path, bare[: m.start()]) or _OURS_BEFORE.search(bare[: m.start()]):
            continue
        start = max([c.end() for c in _CLAUSE_START.finditer(bare, 0, m.start())], default=0)
        said = sentence[start:m.end()].strip()
        if isinstance(data, dict):
            where = "say where they are by country with the country facts ({data.countries.top.<country key>.customers_share}, each segment's countries.top), "
            why = f"the facts hold customers by country only (data.countries) and name no region, city or country called {place}"
        else:
            where = ""
            why = f"the facts hold no customers by region or city, nor by country ({((facts.get('unavailable') or {}).get('countries') or 'the export names no country').rstrip('.')})"
        return [Problem(path, "claim_not_in_data", f"'{said}': {why}, so nothing says they are there; {where}leave it out, or give it as the user's own observation ('you told us ...')")]
    return []


def _said_where(path: str, sentence: str, bare: str, facts: dict, data, claim: re.Pattern, keys: dict) -> list[Problem]:
    """The first claim about where customers are in a sentence, held to the country facts."""
    refused = _refused_spans(bare)
    for m in claim.finditer(bare):
        if any(a < m.end() and m.start() < b for a, b in refused) or _TOLD_BY_USER.search(bare) or _NEGATED_BEFORE.search(bare[: m.start()]) or _plan_step(path, bare[: m.start()]):
            continue
        start = max([c.end() for c in _CLAUSE_START.finditer(bare, 0, m.start())], default=0)
        said = sentence[start:m.end()].strip()  # the claim from its clause's start, as written: 'Most of them are abroad'
        if not isinstance(data, dict):
            sole = _sole_country(facts)
            named = next((m.group(g) for g in ("named", "named2", "named3") if m.group(g)), None)
            if sole is not None and (_kind(m) == "home" or (named is not None and sole.match(" ".join(named.split())))):
                continue  # 'every customer is in the UK' where every customer placed is: true, and the reason there are no figures
            return [_no_countries(path, said, facts)]
        return _held(path, sentence, bare, m, start, said, keys)
    return []


def _refused_spans(bare: str) -> list[tuple[int, int]]:
    """Where 'UK high-street shops' stands: refused as a business type already (hunches.unrecorded_claims)."""
    return [w.span() for w in WHO_THEY_ARE_CLAIM.finditer(bare)]


def _no_countries(path: str, said: str, facts: dict) -> Problem:
    why = ((facts.get("unavailable") or {}).get("countries") or "the export names no country").rstrip(".")
    return Problem(path, "claim_not_in_data", f"'{said}': the facts hold no customers by country ({why}), so nothing says where these customers are; leave it out, or give it as the user's own observation ('you told us ...')")


def _compared_by_place(path: str, sentence: str, bare: str, facts: dict, data, names: tuple[str, ...]) -> list[Problem]:
    """'Germany reorders less than the UK', 'So German shops reorder less than UK ones' (a UCI
    trial's evidence, passed as a plan step): a comparison in a sentence that names a place
    stands only where the sentence cites a country fact."""
    if _TOLD_BY_USER.search(bare) or [k for k in PLACEHOLDER.findall(sentence) if COUNTRY_FACT.match(k)]:
        return []
    refused = _refused_spans(bare) + [w.span() for w in LANGUAGE_USE.finditer(bare)]
    places = [p for p in place_words(names).finditer(bare) if not any(a <= p.start() < b for a, b in refused)]
    for m in COMPARED_BUYING.finditer(bare):
        compared = _compared_places(bare, places, m)
        place = compared[0] if compared else None
        if place is None or _NEGATED_BEFORE.search(bare[: m.start()]) or _plan_step(path, bare[: m.start()]):
            continue
        said = sentence[max([c.end() for c in _CLAUSE_START.finditer(bare, 0, min(place.start(), m.start()))], default=0):m.end()].strip()
        if not isinstance(data, dict):
            sole = _sole_country(facts)
            if sole is not None and sole.match(" ".join(place.group(0).split())):
                continue  # every customer placed is in that country: nothing to compare with, nothing claimed of others
            return [_no_countries(path, said, facts)]
        rate = _rate_of([p.group(0) for p in compared], data)
        return [Problem(path, "claim_not_in_data", (
            f"'{said}': say it with the facts' figures in the same sentence, e.g. {{{rate}}} against {{data.countries.home.repeat_rate}} "
            "(each segment's countries.abroad_share for where a segment's customers are; the strategy brief lists the country keys)"))]
    return []


def _rate_of(places: list[str], data: dict) -> str:
    """The repeat-rate fact to set against home's for the places a comparison names: the first
    listed country other than home, the abroad figure for words of abroad, else one to fill in."""
    home = (data.get("home") or {}).get("key")
    for place in (" ".join(p.split()) for p in places):
        if re.fullmatch(_AWAY, place, re.IGNORECASE):
            return "data.countries.abroad.repeat_rate"
        for row in data.get("top") or []:
            name = str((row or {}).get("name") or "")
            said = re.fullmatch(rf"(?:{country_words(name, row.get('code'))})s?", place, re.IGNORECASE)
            if said and row.get("key") not in (home, "other-countries"):
                return f"data.countries.top.{row['key']}.repeat_rate"
    return "data.countries.top.<country key>.repeat_rate"


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
