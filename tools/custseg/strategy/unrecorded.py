"""What an export never records about customers, said of them in a persona, a strategy or a
hunch's evidence: the device they buy on, who they are (gender, age, family role, job), the
discount codes they use, what they send back, why they did what they did, and how their buying
changed since a date. Two trials' plans passed 'they mostly order on their phones late at
night', 'mostly women in their thirties', 'Mostly yoga instructors', 'only buy with a discount
code' (the tools never read the Discount Code column), 'mostly return their first order',
'slipped to At Risk because prices went up' and 'Since 2024 these customers have bought less'; a
change over time stands beside the by-period fact that shows it (each month's sales, a trend, the
moves between periods, the segment history at successive cutoffs). Where the export records
refunds (facts' refunds by segment), a claim of returns stands beside the refund figure it rests
on, and is asked for one otherwise.
hunches.unrecorded_claims refuses each as it does 'who shop at night' and 'found us through
Instagram', and lets the user's own word, a plan's step and a hedged guess stand. Standard
library only."""

from __future__ import annotations

import re
from typing import Any

# How customers buy, in the words a persona uses ('order', 'shop', 'check out', 'browsing')
_BUYING = (
    r"(?:buy|buys|bought|buying|shop|shops|shopped|shopping|order|orders|ordered|ordering|purchase|purchases|purchased|purchasing"
    r"|browse|browses|browsed|browsing|check\s+out|checks\s+out|checked\s+out|checking\s+out|pay|pays|paid|paying)"
)
_HOW_OFTEN = r"(?:mostly|mainly|largely|usually|often|always|typically|predominantly|primarily|chiefly|only|just|almost\s+always|nearly\s+always)"
# 'as most', 'mostly': a claim on the segment as a whole, before a kind of person
_MOSTLY = r"(?:mostly|mainly|largely|predominantly|primarily|chiefly|overwhelmingly|(?:almost|nearly)\s+all|all|typically|usually|often)"

# The device: 'buy on mobile', 'order on their phones', 'mobile shoppers', 'mostly on desktop'
_DEVICE = (
    r"(?:(?:their|a|the|our|your|his|her)\s+)?(?:mobile(?:\s+(?:phones?|devices?|apps?))?|(?:smart|cell|mobile\s+)?phones?|iphones?|androids?|tablets?|ipads?"
    r"|desktops?|laptops?|computers?|pcs?|apps?)"
)
DEVICE_CLAIM = re.compile(
    rf"\b{_BUYING}\s+(?:{_HOW_OFTEN}\s+)?(?:on|from|via|using|through|with)\s+{_DEVICE}\b"
    r"|\b(?:mobile|desktop|tablet|app|smartphone|phone)(?:-first|-only)?\s+(?:shoppers|buyers|customers|users|purchasers|clients)\b"
    r"|\b(?:mostly|mainly|largely|predominantly|primarily|almost\s+always|nearly\s+always)\s+on\s+(?:mobile|desktop|(?:their|a)\s+(?:phones?|laptops?|tablets?))\b",
    re.IGNORECASE,
)

# Who they are: a gender or family role, an age or generation, a job. Said as what they are
# ('they are mostly women', 'Mostly yoga instructors', 'women in their thirties', 'Gen Z
# shoppers'); 'target mums with a gift guide' names whom the plan reaches, and 'women's
# leggings' a product.
_FAMILY = (
    r"(?:women|men|females|males|ladies|gentlemen|girls|boys|mums|moms|mothers|mamas|dads|fathers|parents|grandparents|grandmothers|grandmas|grannies"
    r"|grandfathers|wives|husbands|brides|couples|singles|(?:new|young|first-time|working|busy|stay-at-home)\s+(?:parents|mums|moms|dads|mothers|fathers))"
)
_AGE_GROUP = (
    r"(?:millennials|boomers|baby\s+boomers|zoomers|gen(?:eration)?[-\s]?(?:z|x|y|alpha)(?:ers)?|teens|teenagers|retirees|pensioners|seniors|older\s+(?:people|adults|women|men)"
    r"|young\s+(?:professionals|people|adults|women|men)|(?:twenty|thirty|forty|fifty)-somethings|over-(?:\d0|fifty|sixty|seventy)s|over-(?:fifties|sixties|seventies))"
)
_JOB = (
    r"(?:instructors|teachers|tutors|nurses|midwives|doctors|dentists|vets|lawyers|solicitors|accountants|engineers|developers|programmers|designers|architects|artists"
    r"|photographers|stylists|hairdressers|barbers|chefs|cooks|bakers|farmers|gardeners|builders|tradespeople|tradesmen|electricians|plumbers|carpenters|mechanics"
    r"|soldiers|veterans|firefighters|paramedics|carers|caregivers|therapists|physios|coaches|athletes|cyclists|surfers|skiers"
    r"|swimmers|golfers|yogis|dancers|musicians|writers|journalists|creatives|freelancers|entrepreneurs|founders|executives|managers|professionals|office\s+workers"
    r"|shift\s+workers|key\s+workers|students|academics|researchers|scientists|homemakers|homeowners|landlords|renters|commuters|expats|tourists|gamers|hobbyists)"
)
_PERSON = rf"(?:(?:[\w-]+\s+){{0,2}}?(?:{_JOB}|{_FAMILY})|{_AGE_GROUP})"
# ... and a whole word, not a thing of theirs ('women's leggings') nor a figure of speech ('the main drivers of revenue')
_NOT_OF = r"(?![\w'’])(?!\s+(?:of|for)\b)"
_AGE_BAND = r"(?:in\s+their\s+(?:early\s+|mid[-\s]?|late\s+)?(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|[1-9]0s)\b|aged\s+(?:between\s+)?(?:\d{2}|twenty|thirty|forty|fifty|sixty|seventy)\b)"
WHO_THEY_ARE = re.compile(
    rf"(?:\b(?:are|were)|'re)\s+(?:{_MOSTLY}\s+)?(?:of\s+them\s+)?(?:{_PERSON}{_NOT_OF}|{_AGE_BAND})"
    rf"|\b(?:mostly|mainly|largely|predominantly|primarily|chiefly|overwhelmingly|(?:almost|nearly)\s+all(?:\s+of\s+them)?|most\s+of\s+them\s+are|the\s+majority\s+are)\s+{_PERSON}{_NOT_OF}"
    rf"|\b(?:{_FAMILY}|people|customers|shoppers|buyers|clients|adults)\s+{_AGE_BAND}"
    rf"|(?<![\w-]){_AGE_GROUP}(?:\s+(?:shoppers|buyers|customers|clients|fans|audience))?(?![\w'])"
    r"|\b(?:customers|people|shoppers|buyers|clients|women|men|mostly|are)\s+(?:aged\s+)?(?:over|under)\s+(?:\d{2}|twenty|thirty|forty|fifty|sixty|seventy|eighty)\b"
    r"(?!\s*(?:%|percent|[$€£]|usd|eur|gbp|dollars|euros|pounds|days|weeks|months|orders|purchases|items|times))",
    re.IGNORECASE,
)

# Discount codes: the tools do not read the export's Discount Code column
_CODE = r"(?:(?:discount|promo(?:tional)?|coupon|voucher|offer|sale)\s+codes?|promo\s+codes?|coupons?|vouchers?)"
DISCOUNT_CODE_CLAIM = re.compile(
    rf"\b{_BUYING}\s+(?:{_HOW_OFTEN}\s+)?(?:with|using|via|through|on)\s+(?:an?\s+|the\s+|their\s+|our\s+)?(?:[\w-]+\s+){{0,2}}?{_CODE}\b"
    rf"|\b(?:used|uses|redeemed|redeems|applied|applies|entered|(?:they|who|most|many|all)\s+(?:{_HOW_OFTEN}\s+)?(?:use|redeem|apply))\s+(?:{_HOW_OFTEN}\s+)?(?:an?\s+|the\s+|their\s+|our\s+)?(?:[\w-]+\s+){{0,3}}?(?:{_CODE}|codes?)\b"
    r"|\b(?:discount|coupon|promo|voucher)[-\s]?codes?\s+(?:users|buyers|shoppers|customers|hunters|redeemers)\b|\b(?:code|coupon|voucher)[-\s](?:hunters|clippers|lovers)\b",
    re.IGNORECASE,
)

# Returns: 'mostly return their first order', 'send most of what they buy back', 'serial returners'
_GOODS = r"(?:orders?|items?|products?|purchases?|pieces?|parcels?|deliveries|goods|things|clothes|garments|shoes|sizes?|sets?|boxes)"
RETURN_CLAIM = re.compile(
    r"\b(?:return|returns|returned|returning|send\s+back|sends\s+back|sent\s+back|sending\s+back)\s+"
    rf"(?:{_HOW_OFTEN}\s+)?(?:(?:more\s+than\s+|over\s+|nearly\s+|about\s+|almost\s+)?(?:most|much|half|some|all|a\s+lot|lots|many|part|a\s+third|a\s+quarter)\s+of\s+)?"
    rf"(?:what\s+they\s+(?:buy|bought|order|ordered)|(?:their|the|an?|those|these|every|each)\s+(?:[\w-]+\s+){{0,2}}?{_GOODS})\b"
    r"|\bserial\s+returners\b|\b(?:ask|asks|asked|request|requests|requested)\s+for\s+(?:a\s+)?refunds?\b|\b(?:get|gets|got)\s+(?:a\s+)?refunds?\b",
    re.IGNORECASE,
)

# Why they did what they did: 'slipped to At Risk because prices went up', 'stopped buying
# after the price rise', 'the price rise drove VIPs away'. The data records what they bought
# and when, not why; 'stopped buying after their first order' says when, and passes.
_BEHAVED = (
    r"(?:stopped|stop|stops|quit|quits|left|leave|leaves|lapsed|lapse|lapses|slipped|slip|slips|drifted|drift|drifts|churned|churn|churns|went\s+quiet|gone\s+quiet|go\s+quiet"
    r"|dropped\s+off|drop\s+off|fell\s+away|moved|came\s+back|come\s+back|comes\s+back|returned|switched|cancell?ed|unsubscribed|walked\s+away|disappeared|defected"
    rf"|{_BUYING}\s+(?:less|more|again|elsewhere)|spent\s+(?:less|more)|spend\s+(?:less|more)|fell|dropped|declined|slumped|shrank)"
)
_CHANGE = (
    r"(?:price\s+(?:rises?|increases?|hikes?|changes?|rise)|prices?\s+(?:went|go|going|rose|risen|were\s+raised|increased|changed)|(?:raised|increased|hiked|changed)\s+(?:our\s+|the\s+|its\s+)?prices"
    r"|pricing\s+changes?|redesign|rebrand|relaunch|new\s+website|site\s+(?:redesign|change|migration)|(?:shipping|delivery|postage)\s+(?:changes?|costs?|fees?|rates?|problems?|delays?)"
    r"|stock\s+(?:problems?|issues?|shortages?)|stock-?outs?|pandemic|covid|lockdowns?|recession|inflation|brexit|tariffs?|recall)"
)
CAUSE_CLAIM = re.compile(
    rf"\b{_BEHAVED}\b(?:\s+[\w'-]+){{0,5}}?\s+(?:because(?:\s+of)?|due\s+to|owing\s+to|as\s+a\s+result\s+of|thanks\s+to|on\s+account\s+of)\b"
    rf"|\b{_BEHAVED}\b(?:\s+[\w'-]+){{0,5}}?\s+(?:after|following|since|when|once)\s+(?:(?:the|our|we|a|an|your|their|its)\s+)?(?:[\w-]+\s+){{0,2}}?{_CHANGE}\b"
    rf"|\b{_CHANGE}\s+(?:\w+\s+)?(?:drove|drives|driven|pushed|pushes|put|puts|scared|scares|made|makes|caused|causes|turned|turns|lost|loses|cost|costs)\s+(?:them|customers|buyers|people|[\w-]+)(?:\s+(?:away|off))?",
    re.IGNORECASE,
)

# How their buying changed since a date or over a span: 'Since 2024 these customers have bought
# less', 'they have been ordering less lately'. Only by-period facts show a change over time.
_LESS_MORE = r"(?:(?:much|far|a\s+lot|a\s+little|slightly|even|ever)\s+)?(?:less|more|fewer)(?:\s+(?:often|and\s+less|and\s+more))?"
_CHANGED = (
    rf"(?:{_BUYING}|spent|spend|spends|spending|(?:come|came|coming|comes)\s+back|visited|visit|visits|visiting)\s+(?:from\s+us\s+)?{_LESS_MORE}\b"
    r"|\b(?:sales|spend|spending|orders|revenue|visits|purchases)\s+(?:have\s+|has\s+)?(?:\w+\s+)?(?:fell|fallen|dropped|declined|slumped|shrunk|shrank|grew|grown|rose|risen|increased|decreased|slowed)\b"
)
_SINCE = (
    r"\bsince\s+(?:(?:early|late|mid|the\s+start\s+of|the\s+end\s+of)\s+)?(?:(?:19|20)\d{2}|last\s+(?:year|season|summer|winter|spring|autumn|christmas)|january|february|march|april|may|june"
    r"|july|august|september|october|november|december|spring|summer|autumn|fall|winter|christmas|covid|the\s+pandemic)\b"
    r"|\bover\s+the\s+(?:past|last)\s+(?:few\s+|two\s+|three\s+|couple\s+of\s+)?(?:years?|months|quarters|seasons)\b|\bthan\s+(?:last\s+year|before|they\s+used\s+to|a\s+year\s+ago|in\s+(?:19|20)\d{2})\b"
    r"|\byear[-\s]on[-\s]year\b|\blately\b|\bin\s+recent\s+(?:months|years|quarters)\b|\bthese\s+days\b|\bnowadays\b|\bany\s?more\b"
)
PERIOD_CLAIM = re.compile(rf"(?P<since>{_SINCE})[^.;!?]*?\b(?P<changed>{_CHANGED})|\b(?P<changed2>{_CHANGED})[^.;!?]*?(?P<since2>{_SINCE})", re.IGNORECASE)
# The facts that show a change over time: each month's figures, a segment's count a period
# earlier and its trend, the moves between periods, each segment's next-period behaviour at
# successive cutoffs (the segment history)
BY_PERIOD_FACT = re.compile(r"^data\.by_month\.|\.(?:trend|trend_change|count_prev|pct_customers_prev)$|\.migration\.|^segmentations\.[^.]+\.history\.")

# Whom a step of the plan is for, not what they are: 'target mums with a gift guide', 'for mobile shoppers'
PLAN_WHOM_BEFORE = re.compile(r"\b(?:target\w*|reach\w*|aim\w*\s+at|for|to|serve|serving|invite|inviting|show|showing|address\w*|attract\w*|win|court\w*|appeal\w*\s+to)\s+(?:(?:the|our|your|any|all|more|these|those)\s+)?$", re.IGNORECASE)


def quoted(m: re.Match) -> str:
    """The claim as a problem quotes it: a change over time by its two ends ('Since 2024 ... have
    bought less'), a fact reference read as a word left out."""
    if m.re is PERIOD_CLAIM:
        ends = (m.group("since"), m.group("changed")) if m.group("since") else (m.group("changed2"), m.group("since2"))
        return " ... ".join(e.strip() for e in ends)
    return " ".join(m.group(0).split())


def refunds_held(keys: dict[str, Any]) -> str:
    """What the facts hold of refunds, for the message on a claim of returns: the refunded orders
    the run left out, over the whole export, where it counted them."""
    held = [f"{{{key}}} {what}" for key, what in (("data.dropped_orders.refunded", "refunded orders left out before segmenting"), ("data.no_kept_order", "people none of whose orders was kept"))
            if isinstance(keys.get(key), (int, float))]
    return f" (only {' and '.join(held)}, over the whole export)" if held else ""


# The facts of a segment's refunds (facts.build: exports that record refunds): a claim of returns
# stands in a sentence that cites one of them, and is held to the share it cites
REFUND_FACT = re.compile(r"(?:^data\.refunds\.|\.segments\.[^.]+\.refunds\.)[a-z_]+$")


def refund_facts(keys: dict[str, Any]) -> bool:
    """Whether the run counted refunds by segment (the export records them)."""
    return any(REFUND_FACT.search(k) and isinstance(v, (int, float)) and not isinstance(v, bool) for k, v in keys.items())


def _returns_reason(keys: dict[str, Any]) -> str:
    if refund_facts(keys):
        return ("the sentence cites none of the facts' refund figures, which are all the data says of returns: say it with one, e.g. "
                "'{segmentations.rfm.segments.<key>.refunds.orders_refunded_share} of their orders were refunded in full or in part' beside {data.refunds.orders_refunded_share} for everyone "
                "(a refund is money paid back: the export does not say whether goods came back, or why)")
    return f"the facts hold no returns per customer or segment{refunds_held(keys)}, so nothing says what these customers send back"


def kinds(keys: dict[str, Any]) -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern, why the facts cannot back it) of each kind of claim this module knows."""
    return (
        (DEVICE_CLAIM, "the export holds no device, so nothing says whether these customers buy on a phone, a tablet or a computer"),
        (WHO_THEY_ARE, "the export holds no gender, age, family role or occupation of the customers, so nothing says who they are beyond what they bought, how often and when"),
        (DISCOUNT_CODE_CLAIM, "the tools do not read the export's discount codes, so the facts hold none and nothing says who bought with one"),
        (RETURN_CLAIM, _returns_reason(keys)),
        (CAUSE_CLAIM, "the data records what customers bought and when, never why, so nothing says what made them do it (say what the facts show happened)"),
        (PERIOD_CLAIM, "only by-period facts show a change over time (each month's orders and revenue, {data.by_month.<i>.revenue}; a segment's count a period earlier and its trend; the moves between periods"
                       + ("; each segment's next-period repeat rate at successive cutoffs, {segmentations.rfm.history.<cutoff>.<segment>.next_repeat_rate}: cite its rate at a cutoff before the date and at one after" if any(k.startswith("segmentations.rfm.history.") for k in keys) else "")
                       + "), and the sentence cites none: cite the one that shows it"),
    )
