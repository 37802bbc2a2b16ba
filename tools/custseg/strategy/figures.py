"""Figures in free text: numbers in digits or words that should be fact references or typed
plan numbers (figure_in_text), the fact a figure most likely quotes, and units that misread a
cited fact (fact_unit_mismatch). Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.claims import _sentence_at
from custseg.strategy.metrics import _KIND_WORDS
from custseg.strategy.problems import Problem
from custseg.strategy.product_claims import PRODUCT_ITEM, items_spoken_of
from custseg.strategy.resolve import PLACEHOLDER, value_kind


CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "INR", "BRL", "MXN", "SGD", "HKD", "CNY", "ZAR")
_NUM = r"\d+(?:[.,]\d+)*"
_UNITS = (
    r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|quarters?|hours?|hrs?|minutes?|mins?|"
    r"orders?|customers?|purchases?|buyers?|clients?|accounts?|users?|people|visits?|sessions?|"
    r"payments?|charges?|subscriptions?|renewals?|invoices?|refunds?|returns?|sign-?ups?|signups?|"
    r"times|transactions?|items?|units?|emails?|messages?|seats?|subscribers?|members?|"
    r"shops?|stores?|businesses|companies|company|retailers?|resellers?|households?|contacts?|"
    r"patients?|students?|guests?|companies|firms?|brands?|shoppers?|bucks|dollars?|euros?|pounds?|quid|"
    r"percent|per ?cent|pct|points?|pts?|x|k|bn|m)"
)


_MONEY_VERB = r"(?:worth|spends?|spent|spending|pays?|paid|paying|valued\s+at|(?:lifetime\s+)?value\s+of|ltv\s+of)"
_HEDGE = r"(?:over|about|around|roughly|nearly|almost|some|under|approximately|just\s+over|just\s+under|more\s+than|less\s+than|at\s+least|up\s+to|an\s+average\s+of|on\s+average)"


def _figure_re(currency: str | None) -> re.Pattern:
    codes = "|".join(sorted(set(CURRENCY_CODES) | ({currency.upper()} if currency else set())))
    return re.compile(
        rf"[$€£¥₹]\s?{_NUM}"
        rf"|\b(?:{codes})\s?{_NUM}"
        rf"|\b{_NUM}\s?(?:%|[$€£¥₹]|(?:{codes})\b)"
        rf"|(?<![:/])\b{_NUM}\s?-?\s?{_UNITS}(?![\w])"  # not '1:1 sessions' or '24/7 members' (names, not figures)
        rf"|\b{_NUM}\s?×"
        # a ratio in digits: 9 in 10, 3 out of 4
        rf"|\b\d+\s+(?:in|out\s+of)\s+(?:every\s+)?\d+\b"
        # a count of them ('217 of them', 'over 3800 of them')
        r"|(?<![\w.,])\d{2,}(?:,\d{3})*\s+of\s+(?:them|these|those|our|your)\b"
        # A bare decimal or a number with thousands separators reads as a computed figure
        # (an average basket of 119.37, 1,178 of them) whatever follows it.
        r"|(?<![\w.,])\d+\.\d+(?![\w.,]*\d)"
        r"|(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d])"
        # a plain number of four digits or more that is not a year (9999, 12000): an amount or a count
        r"|(?<![\w.,/#*-])(?!(?:19|20)\d\d(?!\d))\d{4,}(?![\w.,]*\d)"
        # a count of people doing something ('25 paid in full', '40 of them bought')
        r"|(?<![\w.,/#-])\d+\s+(?:of\s+(?:them|these|those)\s+)?(?:paid|bought|ordered|purchased|spent|renewed|cancell?ed|churned|subscribed|signed\s+up|returned|upgraded|downgraded)\b"
        # a count of a group with one word between ('45 outstanding payments', '120 loyal customers')
        r"|(?<![\w.,/#*-])\d+\s+(?!of\b|to\b|per\b|a\b|an\b|the\b)[a-z]+\s+(?:customers?|buyers?|clients?|accounts?|users?|people|orders?|purchases?|payments?|charges?|subscriptions?|renewals?|subscribers?|members?|invoices?)\b"
        # a multiplier written before the number ('x2 the average')
        r"|(?<![\w.])[x×]\s?\d+(?:\.\d+)?\b"
        # an amount after a word of money ('each is worth over 700', 'they spend about 250'),
        # or before what it is of ('700 in lifetime value'): not a duration or count of the plan
        rf"|\b(?i:{_MONEY_VERB}\s+(?:{_HEDGE}\s+)*)\d+(?:\.\d+)?\b(?![.,]?\d)(?!\s*(?:%|-|percent\b|x\b|times\b|hours?\b|hrs?\b|minutes?\b|mins?\b|days?\b|weeks?\b|months?\b|years?\b|points?\b|pts?\b|instal\w*|payments?\b|items?\b))"
        r"|(?<![\w.,])\d+\s+(?i:in\s+(?:lifetime\s+value|revenue|sales|spend|ltv|value))\b"
    )


_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)"
)
_NUMBER_WORDS = rf"{_NUMBER_WORD}(?:[- ]{_NUMBER_WORD})*"
# A count in words of two or more: 'one' alone ('one of them', 'one customer') is not a figure.
_COUNT_WORDS = rf"(?!one\b(?![- ](?:hundred|thousand))){_NUMBER_WORDS}"
# Who a count of people counts: '70 clients' is a figure in digits, so is 'seventy clients'.
_PEOPLE = r"(?:customers|clients|buyers|shoppers|members|people|users|accounts|subscribers|contacts|households|patients|guests|students|families)"
# Where 'twenty of them' starts a clause or follows a hedge, 'them' are the segment's people;
# 'pick two of them' (as an object) counts the things they pick.
_CLAUSE_START = r"(?:^|(?<=[.;:!?,(]\s)|(?<=\band\s)|(?<=\bbut\s)|\b(?:nearly|about|around|roughly|almost|over|under|some|only|just|at\s+least|(?:more|fewer|less)\s+than)\s+)"
# Figures written in words: a percentage, a ratio, a fraction of a group, a count of a group,
# a multiple ("twice as much as", "three times more", "double what", "tripled") and a count of
# times per period ("nine times a month", as "9 times a month" is a figure in digits).
# Ordinals ("a second order"), cadence adverbs ("once a week", "twice a year": plan cadence
# in review schedules and actions), "the first half of the year", "double opt-in" and
# "double points" are not figures.
# ... nor one part of a pair or a list: "the matching half of what they bought" (a trial), "the top half"
_NOT_FIRST_HALF = r"(?<!first\s)(?<!second\s)(?<!last\s)(?<!matching\s)(?<!missing\s)(?<!top\s)(?<!bottom\s)(?<!upper\s)(?<!lower\s)"
# A share in words: 'half', 'a third', 'one quarter', 'about a fifth' (a UCI trial's, passed), 'two fifths', 'a tenth'
_FRACTION = (
    r"(?:half|(?:a|one)\s+(?:third|quarter|fifth|sixth|tenth)|(?:an|one)\s+eighth"
    r"|(?:two|three|four|five|seven|nine)\s+(?:thirds|quarters|fifths|sixths|eighths|tenths))"
)
# A span of time, not a share: 'within a quarter of their first order', 'after half of the trial'
_NOT_A_SPAN = r"(?<!\bwithin\s)(?<!\bafter\s)(?<!\binside\s)"
WORD_FIGURE = re.compile(
    rf"\b{_NUMBER_WORDS}\s+(?:percent|per\s?cent)\b"
    rf"|\b{_NUMBER_WORDS}\s+(?:in|out\s+of)\s+(?:every\s+)?{_NUMBER_WORDS}\b"
    rf"|{_NOT_FIRST_HALF}{_NOT_A_SPAN}\b{_FRACTION}\s+of\b"
    # a share with a hedge or a group after it ("roughly half never came back", "half the segment")
    rf"|\b(?:roughly|about|around|nearly|almost|over|under|barely|(?:just\s+)?(?:more|less|fewer)\s+than)\s+{_FRACTION}\b"
    rf"|{_NOT_FIRST_HALF}\b{_FRACTION}\s+(?:the|our|your|their|these|those|them|all)\s+(?!price\b|off\b)\w+"
    # how long ago, in words ("ninety days ago", "thirty days since their last order")
    rf"|\b{_NUMBER_WORDS}\s+(?:days?|weeks?|months?|years?)\s+(?:ago|since|without)\b"
    # a duration the data measured ("sixteen months on median", "a median of about sixteen
    # months", "around two months apart"), not one the plan sets ("a flow over two weeks")
    rf"|\b{_NUMBER_WORDS}\s+(?:days?|weeks?|months?|years?)\s+(?:on\s+(?:the\s+)?(?:median|average)|(?:as\s+)?(?:the|a)\s+(?:median|average)|apart|between\s+(?:orders|purchases|visits))\b"
    rf"|\b(?:median|average|typical|typically|usually)\s+(?:(?:gap|recency|wait|tenure|time|lifetime|span)\s+)?(?:of\s+)?(?:(?:about|around|roughly|nearly|almost|over|under|some|approximately|just\s+over|just\s+under|more\s+than|less\s+than)\s+)?{_NUMBER_WORDS}\s+(?:days?|weeks?|months?|years?)\b"
    rf"|{_NOT_FIRST_HALF}\b(?:twice|thrice|half|{_NUMBER_WORDS}\s+times)\s+as\s+(?:much|many|often|likely|(?!well\b)\w+\s+as)\b"
    rf"|\b{_NUMBER_WORDS}\s+times\s+(?:more|less|fewer|higher|lower|larger|bigger|greater|smaller|longer|the|what|that)\b"
    r"|\b(?:twice|double|triple|quadruple)\s+(?:what|that\s+of|those\s+of|their|its|the\s+(?:average|amount|number|rate|spend|revenue|value|share|size|count|orders?|purchases?|visits?))\b"
    r"|\b(?:doubled|tripled|quadrupled|halved)\b"
    rf"|\b(?!one\s){_NUMBER_WORDS}\s+times\s+(?:a|an|per|each|every)\s+(?:day|week|fortnight|month|quarter|year)\b"
    # a count of people in words ('nearly seventy clients', 'twenty of them live in London',
    # 'hundreds of customers'), as '70 clients' is a figure in digits
    rf"|\b{_COUNT_WORDS}\s+(?:(?!of\b|to\b|per\b|an?\b|the\b|times\b|percent\b)[a-z-]+\s+)?{_PEOPLE}\b"
    rf"|\b{_COUNT_WORDS}\s+of\s+(?:our|your|the|their|its|these|those)\s+(?:[a-z-]+\s+)?{_PEOPLE}\b"
    rf"|{_CLAUSE_START}{_COUNT_WORDS}\s+of\s+(?:them|these|those)\b"
    rf"|\b(?:dozens|hundreds|thousands)\s+of\s+(?:them|these|those|(?:(?:our|your|the|their)\s+)?(?:[a-z-]+\s+)?{_PEOPLE})\b"
    # a round count in words ("about a thousand accounts", "a dozen of them", "two thousand
    # dollars") and a fraction of change ("fell by a third")
    rf"|\b(?:an?|{_NUMBER_WORD})[- ](?:hundred|thousand|million)\b"
    # 'another thousand euros', 'a few hundred dollars', 'thousands of pounds'
    r"|\b(?:another|a\s+few|several|some|many)\s+(?:hundred|thousand|million)\b"
    r"|\b(?:hundreds|thousands|millions)\s+of\s+(?:dollars|euros|pounds|bucks|quid)\b"
    r"|\b(?:a|half\s+a|one|two|three)\s+dozen\b"
    rf"|\bby\s+{_FRACTION}\b",
    re.IGNORECASE,
)
_PEOPLE_COUNTED = re.compile(rf"{_PEOPLE}\b|\bof\s+(?:them|these|those)\b|\bdozen\b", re.IGNORECASE)
_WORD_TIMES_PER = re.compile(r"\btimes\s+(?:a|an|per|each|every)\b", re.IGNORECASE)
_WORD_MULTIPLE = re.compile(r"\b(?:as|times|twice|double|triple|quadruple|doubled|tripled|quadrupled|halved)\b", re.IGNORECASE)


def _word_figure_hint(figure: str) -> tuple[str, str, str]:
    """For a figure in words: the segment fact it most likely quotes, how to cite it, and the
    typed field where a plan number of its kind belongs."""
    if _WORD_TIMES_PER.search(figure):
        return "avg_purchase_days", "cite a fact like", "communication_frequency for how often a segment hears from you"
    typed = "offer_terms for discounts and offer windows"
    if re.search(r"\b(?:apart|between|gap)\b", figure, re.IGNORECASE) and re.search(r"\b(?:days?|weeks?|months?|years?)\b", figure, re.IGNORECASE):
        return "median_gap_days", "cite a fact like", typed
    if re.search(r"\b(?:days?|weeks?|months?|years?)\b", figure, re.IGNORECASE) and not _WORD_MULTIPLE.search(figure):
        return "median_recency_days", "cite a fact like", typed
    if _PEOPLE_COUNTED.search(figure):
        return "count", "cite a fact like", typed
    if _WORD_MULTIPLE.search(figure):
        stat = "count" if re.search(r"\b(?:many|fewer)\b", figure, re.IGNORECASE) else "avg_purchase_days" if re.search(r"\boften\b", figure, re.IGNORECASE) else "avg_value"
        return stat, "cite the facts it compares, like", typed + ", KPI target"
    return "pct_customers", "cite a fact like", typed


_OF_THEM_AFTER = re.compile(r"\d\s+of\s+(?:them|these|those|our|your)\b")


def _unit_of(figure: str) -> str:
    """What a figure measures, from its sign or unit: pct, money, days, frequency, count or other."""
    f = figure.lower()
    words = re.findall(r"[a-z]+", f)
    if "%" in f or any(w in ("percent", "per", "pct", "point", "points", "pt", "pts") for w in words):
        return "pct"
    if re.search(r"[$€£¥₹]", f) or any(w.upper() in CURRENCY_CODES for w in words) or re.match(_MONEY_VERB, f) or re.search(r"\bin\s+(?:lifetime\s+value|revenue|sales|spend|ltv|value)$", f):
        return "money"
    if _OF_THEM_AFTER.search(f):  # '3800 of them': a count of people
        return "count"
    if any(w.rstrip("s") in ("day", "week", "wk", "month", "mo", "year", "yr", "quarter", "hour", "hr", "minute", "min") for w in words):
        return "days"
    if any(w.rstrip("s") in ("order", "purchase", "transaction", "visit", "session", "time") for w in words):
        return "frequency"
    if any(w.rstrip("s") in ("customer", "buyer", "client", "account", "user", "people", "member", "subscriber", "seat") for w in words):
        return "count"
    return "other"


_SUGGESTED_STAT = {"pct": "pct_customers", "money": "avg_value", "days": "median_recency_days", "frequency": "avg_purchase_days", "count": "count", "other": "pct_customers"}
_KINDS_FOR_UNIT = {"pct": ("pct", "pct_signed"), "money": ("money",), "days": ("days",), "frequency": ("dec", "count"), "count": ("count",)}


def _figure_value(figure: str) -> tuple[float, int] | None:
    m = re.search(_NUM, figure)
    if not m:
        return None
    raw = m.group(0)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif "," in raw:
        raw = raw.replace(",", ".", 1).replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    return value, decimals


# A figure that counts the plan's own steps: messages, calls, weeks of a flow, a discount.
PLAN_FIGURE = re.compile(
    rf"{_NUM}\s*(?:%\s*(?:off|discount|rebate|cashback|credit|coupon)\b|[- ]?(?:e-?mails?|sms|texts?|messages?|calls?|touch(?:es|points?)?|reminders?|steps?|nudges?|push(?:es)?|weeks?|wks?)\b)",
    re.IGNORECASE,
)


# A product's or offer's name with a number in it ('the 12-week program', 'a 30-day challenge',
# '5-star reviews', '2-for-1'): the user's own words for what they sell, not a figure.
PRODUCT_NAME = re.compile(
    r"\d+-(?:(?:day|week|month|year|minute|hour|second|session|step|star|piece|pack)\s+(?:program(?:me)?s?|courses?|challenges?|plans?|bootcamps?|memberships?|packages?|coaching|subscriptions?|cohorts?|resets?|kits?|bundles?|sets?|reviews?|ratings?|hooks?|class(?:es)?)\b|for-\d+\b)",
    re.IGNORECASE,
)


# A duration the plan sets ('within 24 hours', 'after 7 days', 'the first 30 days', '2 months
# free'), as opposed to one the data measured ('in the last 90 days', '45 days since').
_PLAN_BEFORE = re.compile(r"\b(?:first|within|after|for|over|every|next|another|up\s+to)\s+$", re.IGNORECASE)
_DURATION = re.compile(r"\s?-?\s?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?)$", re.IGNORECASE)
_FREE_AFTER = re.compile(r"\s+(?:free|off|trial)\b", re.IGNORECASE)


# The unit a text puts right after a fact reference: '{...count} days' reads a count as days.
_UNIT_AFTER = re.compile(r"\s*(%|percent\b|per\s?cent\b|(?:days?|weeks?|months?|years?)\b|[$€£¥₹]|(?:USD|EUR|GBP|CAD|AUD|JPY|CHF|SEK|NOK|DKK)\b)", re.IGNORECASE)
_UNIT_KINDS = {"pct": ("pct", "pct_signed"), "days": ("days",), "money": ("money",)}


def _unit_mismatches(path: str, text: str, keys: dict[str, Any]) -> list[Problem]:
    """A fact followed by a unit of another kind ('{...count} days', '{...repeat_rate} USD'):
    the rendered sentence would say something the fact does not."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        key = m.group(1)
        unit = _UNIT_AFTER.match(text, m.end())
        if key not in keys or not unit:
            continue
        word = unit.group(1).lower()
        said = "pct" if word in ("%", "percent") or word.startswith("per") else "days" if word[0].isalpha() and word.rstrip("s") in ("day", "week", "month", "year") else "money"
        kind = value_kind(key)
        in_days = kind == "days" or "days" in key.split(".")[-1]  # purchase_days and active days count days too
        if said == "days" and in_days:
            if word.rstrip("s") != "day":  # '{...median_recency_days} weeks' renders '54 days weeks' (a trial)
                out.append(Problem(path, "fact_unit_mismatch", f"{{{key}}} is a number of days, but the text reads it as {unit.group(1).strip()}: write 'days' after it, or drop the unit (it is shown as days)"))
        elif kind not in _UNIT_KINDS[said] and not (in_days and kind != "days"):
            out.append(Problem(path, "fact_unit_mismatch", f"{{{key}}} is {_KIND_WORDS.get(kind, kind)}, but the text reads it as {unit.group(1).strip()}: cite a fact of that kind, or drop the unit (references are shown with their own unit)"))
    return out


def _plan_duration(text: str, m: re.Match) -> bool:
    if not _DURATION.search(m.group(0).strip()):
        return False
    return bool(_PLAN_BEFORE.search(text[: m.start()]) or _FREE_AFTER.match(text[m.end():]))


MONEY_AFTER = re.compile(r"\s*(?:dollars?|euros?|pounds?|bucks|quid|[$€£¥₹]|(?:" + "|".join(CURRENCY_CODES) + r")\b)", re.IGNORECASE)
REVENUE_AFTER = re.compile(r"\s+(?:of\s+)?(?:(?:the|our|your|all|their|total)\s+)*(?:revenue|sales|spend|spending|income|turnover)\b", re.IGNORECASE)


def _segment_of_path(path: str, doc: dict, fact_segments: dict) -> str | None:
    """The segment a text belongs to: its strategy's, or a pathway's from-segment."""
    own = re.match(r"segments\.([^.]+)\.", path)
    if own and own.group(1) in fact_segments:
        return own.group(1)
    item = re.match(r"(pathways|kpis|targeting_matrix|automation_rules)\[(\d+)\]", path)
    rows = doc.get(item.group(1)) if item and isinstance(doc, dict) else None
    if isinstance(rows, list) and int(item.group(2)) < len(rows) and isinstance(rows[int(item.group(2))], dict):
        row = rows[int(item.group(2))]
        seg = row.get("from_segment") or row.get("segment")
        return seg if seg in fact_segments else None
    return None


def _stat_key(segmentation: str, seg_key: str, order: list[str], fact_segments: dict, keys: dict[str, Any], stat: str) -> str | None:
    """An example fact to cite: the segment's own, else the first segment's that has a value."""
    for key in [seg_key, *order]:
        candidate = f"segmentations.{segmentation}.segments.{key}.{stat}"
        if keys.get(candidate) is not None:
            return candidate
    return None


RANKED_BEFORE = re.compile(r"\b(?:top|bottom|highest|lowest|best|next|upper|lower)\s+$", re.IGNORECASE)


def _matching_fact(figure: str, keys: dict[str, Any], prefer: str, ranked: bool = False, sentence: str = "") -> str | None:
    """A fact key whose value the figure seems to quote, preferring keys under ``prefer``.
    ``ranked``: the figure follows 'top' or 'next' ('the top 20%'), so a tier's cut share in
    another segmentation's definition (value tiers: the top 20% by spend) is what it quotes.
    ``sentence``: the figure's, whose products (or product families) are the only ones whose
    figures it may quote."""
    parsed = _figure_value(figure)
    unit = _unit_of(figure)
    kinds = _KINDS_FOR_UNIT.get(unit)  # a bare number ('other') may quote a fact of any kind
    if parsed is None:
        return None
    value, decimals = parsed
    tol = 0.5 * 10 ** (-decimals) if decimals else 0.5
    hits = []
    for key, v in keys.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (kinds is not None and value_kind(key) not in kinds):
            continue
        shown = v * 100 if unit == "pct" else v
        if abs(abs(shown) - value) <= tol + 1e-9:
            hits.append(key)
    # Only a fact about the same segmentation (or the whole data) is worth suggesting: an equal
    # number elsewhere ("15%" of an offer and a lifecycle stage's 15% repeat rate) is chance.
    segmentation = ".".join(prefer.split(".")[:2]) + "."
    cut = [k for k in hits if ranked and ".definition." in k and k.endswith(".cut_share")]
    if cut:
        return sorted(cut)[0]
    hits = [k for k in hits if k.startswith(segmentation) or k.startswith(("data.", "exports."))]
    hits = [k for k in hits if not (k.startswith("data.by_month.") and k.endswith(".days_covered"))]  # a month's 30 days held is never what '30 days' quotes
    # nor the 30-day retry window of failed payments: a setting of the tools, not something measured
    hits = [k for k in hits if not k.endswith("retry_window_days")]
    # nor is another product's: '31.6% of them bought the Stoneware Mug' quotes the mug's share,
    # not the Canvas family's or the coffee's equal one
    if any(PRODUCT_ITEM.search(k) for k in hits):
        spoken = items_spoken_of(sentence, keys)
        hits = [k for k in hits if not (item := PRODUCT_ITEM.search(k)) or item.group(1) in spoken]
    # nor is one about another segment: a Loyal offer's '2x' is not the catch-all's 2 purchase
    # days, and a Champions goal does not quote the needs_attention -> loyal move's rate
    own = prefer.split(".")[3] if prefer.count(".") >= 4 else None
    if own:
        others = {k.split(".")[3] for k in keys if k.startswith(segmentation + "segments.") and k.count(".") >= 4} - {own}
        named = {k: set(re.split(r"\.|_to_", k)) for k in hits}
        hits = [k for k in hits if own in named[k] or not others & named[k]]
    if not hits:
        return None
    # the segment's own figures, then its segmentation's (a definition's window), then the
    # whole data's, a calendar month's last: "30 days" is far more likely a window than a month
    hits.sort(key=lambda k: (not k.startswith(prefer), not k.startswith(segmentation), ".by_month." in k, k.count("."), k))
    return hits[0]


# The fields of a segment's offer: an amount in them is most likely the offer's own.
OFFER_FIELDS = ("offers", "pricing")


def _figures_in_text(path: str, name: str, bare: str, figure: re.Pattern, doc: dict, keys: dict[str, Any], segmentation: str, order: list[str], fact_segments: dict, first_segment: str) -> list[Problem]:
    """The figures in one string of the document (``bare``: its text with the fact references
    taken out; ``figure``: :func:`_figure_re`), in digits, then in words: a figure about the data
    is a fact reference, a plan number goes in a typed field."""
    out = []
    for m in figure.finditer(bare):
        snippet = m.group(0).strip()
        if not re.search(_UNITS + r"$", snippet):  # '35% of buyers': the words that say what it counts
            after = re.match(r"(?:\s+[A-Za-z]{1,2}\b)?\s+[A-Za-z]+", bare[m.end():])
            snippet += after.group(0) if after else ""
        typed = "offer_terms for discounts and offer windows, pathway trigger or investment, communication_frequency, roadmap weeks, KPI target"
        if PRODUCT_NAME.match(bare[m.start():]):  # '12-week program', '5-star reviews': a name, not a figure
            continue
        if PLAN_FIGURE.match(bare[m.start():]) or _plan_duration(bare, m):  # '3 emails', '2 weeks', '15% off', 'within 24 hours': the plan's steps, not the data's figures
            out.append(Problem(path, "figure_in_text", f"'{snippet}' is a plan number in free text: move it into a typed field ({typed}), or, for the steps of an intervention (how many messages, over how long), write them in words ('a three-email flow over two weeks'); figures about the data are fact references"))
            continue
        seg_key = _segment_of_path(path, doc, fact_segments) or first_segment
        prefer = f"segmentations.{segmentation}.segments.{seg_key}."
        key = _matching_fact(m.group(0), keys, prefer, ranked=bool(RANKED_BEFORE.search(bare[: m.start()])), sentence=_sentence_at(bare, m.start())) or _stat_key(segmentation, seg_key, order, fact_segments, keys, _SUGGESTED_STAT[_unit_of(m.group(0))])
        cite = f"cite a fact like {{{key}}}" if key else "cite the fact it quotes (facts.json)"
        if name in OFFER_FIELDS and _unit_of(m.group(0)) in ("money", "pct"):  # in an offer, an amount is most likely the offer's own
            out.append(Problem(path, "figure_in_text", f"'{snippet}' is a figure in the offer's text: an offer's amount (a discount, a spend threshold) goes in offer_terms with unit {'money' if _unit_of(m.group(0)) == 'money' else 'percent'} and the text says it in words ('a discount on the next order'); if it is a figure about the data, {cite}"))
            continue
        out.append(Problem(path, "figure_in_text", f"'{snippet}' is a figure in free text; {cite} or move plan numbers into a typed field ({typed})"))
    for m in WORD_FIGURE.finditer(bare):
        seg_key = _segment_of_path(path, doc, fact_segments) or first_segment
        stat, cite, typed = _word_figure_hint(m.group(0))
        if REVENUE_AFTER.match(bare[m.end():]):  # 'three quarters of revenue' is a revenue share, not a share of customers
            stat = "revenue_share"
        elif MONEY_AFTER.match(bare[m.end():]) or MONEY_AFTER.search(m.group(0)):  # 'another thousand euros', 'thousands of dollars': money
            stat = "avg_value"
        key = _stat_key(segmentation, seg_key, order, fact_segments, keys, stat) or f"segmentations.{segmentation}.segments.{seg_key}.{stat}"
        out.append(Problem(path, "figure_in_text", f"'{m.group(0)}' is a figure written in words; {cite} {{{key}}} or move plan numbers into a typed field ({typed})"))
    return out
