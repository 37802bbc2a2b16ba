"""Claims about customers that the data's own span or a segment's facts rule out, or that it
cannot back at all: 'currently active' of a segment quiet for a year, 'renewed for months' on
a day of data, 'bought again and again' of a segment where nobody bought twice, and hunches
on what the data does not record ('evening sign-ups', 'most of them paid in instalments').
Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy import unrecorded
from custseg.strategy.cited_claims import citations
from custseg.strategy.claims import _COMPARING, CADENCE_CLAIM, CADENCE_TOLERANCE, RECENT_MAX_DAYS, _NEGATED_BEFORE, _claimed_gap, _is_number, _sentence_at, _sentence_span, named_segments
from custseg.strategy.kpis import partial_period
from custseg.strategy.problems import Problem

# 'currently active', 'still browse the site', 'still buying': the segment is active today
STILL_ACTIVE = re.compile(
    r"\b(?:currently|still)\s+(?:very\s+|highly\s+)?(?:active|engaged|buying|shopping|ordering|browsing|visiting|paying|renewing)\b"
    r"|\b(?:currently|still)\s+(?:browse|browses|visit|visits|shop|shops|buy|buys|order|orders|come\s+back|comes\s+back)\b",
    re.IGNORECASE,
)
# 'our most loyal, active fans', 'active buyers', 'our best customers': the segment buys today
ACTIVE_NOW = re.compile(
    r"(?:\b(?:our|your)|\b(?:are|is|remain|remains)\s+(?:still\s+)?the)\s+most\s+(?:[\w-]+,?\s+(?:and\s+)?)?(?:active|engaged)\b(?!\s+(?:of|among|in|within)\b)"
    r"|(?<![\w-])(?:active|engaged)\s+(?:fans|buyers|customers|shoppers|clients|members|regulars|subscribers|purchasers)\b"
    r"|\b(?:are|is|remain|remains)\s+(?:still\s+)?(?:our|the|your)\s+(?:very\s+)?(?:best|most\s+valuable|most\s+important|top)\s+(?:customers|buyers|clients|shoppers|accounts|fans)\b(?!\s+(?:of|among|in|from|within)\b)",
    re.IGNORECASE,
)
# 'keep ordering every season', 'still order regularly' (a trial), 'shop with us year-round':
# they buy today, again and again
KEEPS_BUYING = re.compile(
    r"\b(?:keep|keeps)\s+(?:on\s+)?(?:buying|ordering|shopping|coming\s+back|returning|reordering|purchasing|spending|renewing)\b"
    r"|\b(?:buy|buys|order|orders|shop|shops|reorder|reorders|purchase|purchases|come\s+back|comes\s+back|return|returns)\s+(?:from\s+us\s+|with\s+us\s+|again\s+)?"
    r"(?:regularly|often|frequently|routinely|every\s+season|each\s+season|season\s+after\s+season|all\s+year(?:\s+round)?|year-?round|like\s+clockwork)\b"
    r"|\b(?:regularly|often|frequently|routinely)\s+(?:buy|order|shop|reorder|purchase|come\s+back|return)\b",
    re.IGNORECASE,
)
# What they did, or what the plan wants: 'used to order regularly', 'to keep them ordering', 'help them keep buying'
_DONE_OR_WANTED = re.compile(
    r"\b(?:to|will|would|could|should|can|may|might|must|used\s+to|get\s+them|help\s+them|make\s+them|so\s+(?:that\s+)?they|if\s+they|once\s+they|until\s+they|when\s+they|unless\s+they)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
# Said of the past: 'were once our most active', 'formerly active buyers'
# or as where the plan takes them: 'back into active buyers', 'become active customers again'
_ONCE_BEFORE = re.compile(
    r"(?:\b(?:were|was|once|formerly|previously|used\s+to\s+be|had\s+been|former|lapsed|ex|one-?time)\s+(?:\w+[\s,]+){0,3}$|-$"
    r"|\b(?:back\s+(?:in)?to|into|become|becoming|became|turn\w*\s+(?:them\s+)?into|make\s+them|rejoin\w*|join\w*)\s+(?:(?:the|our|your|an?)\s+)?(?:\w+\s+)?$"
    # or others set beside them: 'kept apart from active customers', 'unlike our best customers'
    r"|\b(?:from|than|like|unlike|with|alongside|among|versus|vs)\s+(?:(?:the|our|your)\s+)?$)",
    re.IGNORECASE,
)
# A cadence told in the present ('they shop with us every month'), not the past ('bought'), nor as
# what they did ('used to buy'), nor as the plan's aim ('get them to buy')
_PAST_OR_AIM = re.compile(
    r"\b(?:bought|shopped|ordered|reordered|purchased|came\s+back|returned|renewed|restocked|stocked\s+up|topped\s+up|replenished|used\s+to|would"
    r"|to\s+(?:buy|shop|order|reorder|purchase|come\s+back|return|renew|restock|stock\s+up|top\s+up|replenish))\b",
    re.IGNORECASE,
)
# 'gone for good', 'lost forever', 'they will never come back': nobody of the segment returns
_BACK = r"(?:come\s+back|return|buy\s+again|order\s+again|reorder|shop\s+again|purchase\s+again)"
GONE_FOR_GOOD = re.compile(
    r"\b(?:gone|lost|left|lapsed|churned)\s+(?:us\s+)?(?:for\s+good|for\s*ever|permanently|for\s+keeps)\b"
    rf"|\b(?:will|'ll|would)\s+never\s+(?:ever\s+)?{_BACK}\b|\b(?:won't|will\s+not)\s+(?:ever\s+)?{_BACK}\b|\bnever\s+coming\s+back\b"
    r"|\b(?:a\s+)?lost\s+causes?\b|\bbeyond\s+(?:saving|rescue|recovery)\b",
    re.IGNORECASE,
)
# A risk or an aim, not a claim: 'before they are gone for good', 'they may be lost forever', 'if we wait they will never come back'
_RISK_BEFORE = re.compile(r"\b(?:before|if|unless|until|otherwise|else|lest|or|could|might|may|risk\w*|danger|prevent\w*|avoid\w*|stop\w*|so\s+that|let)\b", re.IGNORECASE)
GONE_MAX_RATE = 0.05  # more than one in twenty back in the next period: not gone for good


# 'comes back within a week', 'most reorder within a month': how soon customers buy again
_WITHIN_UNITS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "quarter": 91}
WITHIN_CLAIM = re.compile(
    r"\b(?:comes?\s+back|came\s+back|buys?\s+again|bought\s+again|orders?\s+again|ordered\s+again|reorders?|reordered|returns?|returned|shops?\s+again|repurchases?)\s+"
    r"(?:\w+\s+){0,2}?within\s+(?:a|an|one|a\s+single|(two|three|four|a\s+few))\s+(day|week|fortnight|month|quarter)s?\b",
    re.IGNORECASE,
)
_FEW = {"two": 2, "three": 3, "four": 4, "a few": 3}
# A span of time the customers were with the business: 'renewed for months', 'long-term
# subscribers', 'year after year'; each with the days the data must cover to show it.
_FOR_SPAN = r"for\s+(?:many\s+|several\s+|some\s+|over\s+|more\s+than\s+)?(months|years|a\s+year)\b(?!\s+(?:ahead|to\s+come|from\s+now|after))"
LONG_SPAN = re.compile(
    rf"\b(?:have|has|had|'ve|'s)\s+(?:\w+\s+){{0,3}}?{_FOR_SPAN}"
    rf"|\b(?:renewed|bought|paid|subscribed|stayed|shopped|ordered|listened|been\s+(?:with\s+us|loyal|customers|subscribers|members|active|around))\s+{_FOR_SPAN}"
    r"|\b(month|year)\s+after\s+(?:month|year)\b"
    r"|\blong[-\s]?(?:term|standing|time)\s+(?:loyal\s+)?(?:customers|subscribers|members|clients|buyers|users|fans|listeners|regulars|supporters|patrons|shoppers|accounts|customer|subscriber|member|client|buyer)\b",
    re.IGNORECASE,
)
_SPAN_DAYS = {"month": 60, "months": 60, "year": 730, "years": 730, "a year": 365}
LONG_TERM_DAYS = 180  # 'long-term customers' on data shorter than half a year: nobody can be shown to be one
# 'bought again and again', 'our most loyal customer', 'keeps coming back': someone bought twice
REPEATED = re.compile(
    r"\b(?:bought|ordered|purchased|shopped|paid)\s+(?:from\s+us\s+)?(?:again(?:\s+and\s+again)?|more\s+than\s+once|several\s+times|many\s+times|repeatedly|time\s+(?:and|after)\s+time|over\s+and\s+over|twice)\b"
    r"|\b(?:have|has|had)\s+(?:\w+\s+)?(?:come|came)\s+back\b|\b(?:keeps?|kept)\s+coming\s+back\b"
    r"|\bre-?(?:ordered|purchased|bought)\b|\brenewed\b"
    r"|\b(?:our|the|their|your)\s+most\s+loyal\b|\b(?:are|is|were|was)\s+(?:(?:our|the|a)\s+)?repeat\s+(?:buyers?|customers?|purchasers?|shoppers?)\b",
    re.IGNORECASE,
)
# What the data does not record: when in the day or week people buy or sign up.
_WHEN = r"(?:morning|evening|night(?:-?time)?|afternoon|late-night|lunchtime|overnight|weekend|weekday|early-morning)"
UNRECORDED = re.compile(
    rf"\b{_WHEN}\s+(?:sign-?ups?|subscribers?|buyers?|shoppers?|customers?|users?|members?|listeners?|visitors?|purchasers?|cohorts?|crowd)\b|\bnight\s+owls\b|\bearly\s+birds\b"
    # a few words between: 'order on their phones late at night' (a trial)
    r"|\b(?:sign(?:ed|s|ing)?\s+up|bought|buy|buys|buying|shop|shops|shopped|shopping|order|orders|ordered|ordering|visit|visits|visited|visiting|browse|browses|browsing)\s+(?:[\w']+\s+){0,3}?(?:mostly\s+|mainly\s+|usually\s+|only\s+)?"
    r"(?:in\s+the\s+(?:morning|evening|afternoon)s?|(?:late\s+)?at\s+night|(?:at|on)\s+(?:the\s+)?weekends?|late\s+in\s+the\s+evenings?|after\s+work|during\s+(?:lunch|the\s+night)|after\s+midnight|before\s+work|on\s+their\s+(?:lunch\s+breaks?|commutes?))\b",
    re.IGNORECASE,
)
# 'Most of our referrals come from them', 'they already refer friends': the data holds no referrals
# (plan mechanics such as 'ask them to refer a friend' or 'reward clients who refer' are not claims)
REFERRAL_CLAIM = re.compile(
    r"\b(?:(?:most|many|all|the\s+bulk|half)\s+of\s+(?:our|the|your)\s+referrals|referrals\s+(?:mostly\s+|mainly\s+|usually\s+)?(?:come|came)\s+from"
    r"|they\s+(?:already\s+|often\s+|regularly\s+|mostly\s+)?(?:refer(?:red)?|recommend(?:ed)?)\s+(?:us|friends|others|people|new\s+(?:clients|customers)))\b",
    re.IGNORECASE,
)
# How customers pay and where they came from: the facts hold neither per customer. 'Who mostly pay
# with Klarna and found us through Instagram' (a trial); offering a way to pay ('let them pay with
# Klarna') or a channel to reach them ('help more people find us on Instagram') is no claim.
_METHOD = (
    r"(?:klarna|afterpay|clearpay|affirm|sezzle|paypal|apple\s+pay|google\s+pay|shop\s+pay|amazon\s+pay|venmo|cash\s+app"
    r"|(?:credit|debit)\s+cards?|cards?|cash|bank\s+transfers?|crypto(?:currency)?|bitcoin|ideal|sofort|bancontact|gift\s+cards?|store\s+credit|bnpl)"
)
PAYMENT_METHOD_CLAIM = re.compile(
    rf"\b(?:pay|pays|paid|paying|check(?:s|ed)?\s+out|checking\s+out)\s+(?:mostly\s+|mainly\s+|usually\s+|often\s+|always\s+|largely\s+|typically\s+)?(?:with|by|via|through|using)\s+(?:an?\s+|the\s+|their\s+)?{_METHOD}\b"
    r"|\b(?:klarna|afterpay|paypal|apple\s+pay|shop\s+pay|bnpl)\s+(?:users|buyers|shoppers|customers|payers|fans)\b",
    re.IGNORECASE,
)
_SOURCE = (
    r"(?:instagram|insta|tiktok|facebook|meta|google|search|seo|pinterest|youtube|twitter|linkedin|snapchat|reddit|influencers?|podcasts?"
    r"|word\s+of\s+mouth|referrals?|friends|(?:paid\s+)?(?:ads|adverts?|social(?:\s+media)?)|newsletters?|affiliates?|marketplaces?|amazon|etsy|ebay|the\s+press|blogs?|pop-?ups?|markets?|fairs?"
    # 'Most found us at the spring trade fair' (a trial)
    r"|(?:trade\s+)?(?:shows?|exhibitions?|expos?|conferences?|events?))"
)
# up to two words naming which: 'the spring trade fair', 'our Christmas market'
_WHICH = r"(?:an?\s+|the\s+|our\s+|your\s+|a\s+local\s+)?(?:[\w-]+\s+){0,2}?"
ACQUISITION_CLAIM = re.compile(
    r"\b(?:found|find|finds|discovered|discover|discovers|reached|heard\s+(?:about|of)|first\s+(?:saw|heard\s+of|found|met))\s+us\s+(?:\w+\s+){0,2}?"
    rf"(?:through|via|from|on|at|thanks\s+to|by\s+way\s+of)\s+{_WHICH}{_SOURCE}\b"
    rf"|\b(?:came|come|comes|were\s+(?:acquired|referred|brought\s+in|signed)|was\s+(?:acquired|referred)|signed\s+up|joined|arrived)\s+(?:to\s+us\s+)?(?:mostly\s+|mainly\s+|largely\s+|first\s+)?(?:from|through|via|at)\s+{_WHICH}{_SOURCE}\b",
    re.IGNORECASE,
)
# What customers are: the facts hold no business type or size. 'They are almost all UK high-street
# shops' (a trial). Naming whom the plan targets is no claim. Where they are ('based in London',
# 'German shops') is country_claims' part: the facts may hold countries, never regions or cities.
_PLACE = (
    r"(?:uk|u\.k\.|british|english|scottish|welsh|irish|us|u\.s\.|american|canadian|australian|european|eu|german|french|dutch|spanish|italian|nordic"
    r"|local|overseas|international|foreign|domestic|rural|urban|city|city-centre|town|town-centre|high-street|high\s+street|main-street|main\s+street|village|coastal|regional|northern|southern)"
)
_KIND = (
    r"(?:independent|indie|chain|online|online-only|bricks-and-mortar|brick-and-mortar|corner|gift|garden|department|farm|museum|concept|family-run|family"
    r"|small|smaller|large|larger|big|bigger|tiny|boutique|specialist|luxury|discount|premium)"
)
_BUSINESS = r"(?:shops|stores|boutiques|retailers|stockists|businesses|companies|firms|salons|cafes|cafés|restaurants|bars|pubs|hotels|galleries|garden\s+centres|outlets|resellers|wholesalers|chains|studios|practices|clinics|schools|charities)"
_AS_MOST = r"(?:(?:almost|nearly)\s+all|mostly|mainly|largely|predominantly|primarily|chiefly|all|typically|usually|often|overwhelmingly)"
WHO_THEY_ARE_CLAIM = re.compile(
    rf"(?:\b(?:are|were)|'re)\s+(?:{_AS_MOST}\s+)?(?:(?:of\s+them\s+)?{_AS_MOST}\s+)?(?:(?:{_PLACE}|{_KIND})(?:[\s-]+|\s+and\s+|,\s+)){{1,3}}{_BUSINESS}\b"
    rf"|\b(?:(?:almost|nearly)\s+all|mostly|mainly|largely|predominantly|primarily|chiefly|overwhelmingly)\s+(?:(?:{_PLACE}|{_KIND})(?:[\s-]+|\s+and\s+|,\s+)){{1,3}}{_BUSINESS}\b",
    re.IGNORECASE,
)
# 'let them pay with Klarna', 'help more people find us on Instagram': a plan's step, not a claim
_PLAN_STEP_BEFORE = re.compile(r"\b(?:to|help(?:s|ing)?|let(?:s|ting)?|make|making|get(?:ting)?|so(?:\s+that)?|can|could|will|would|may|might|should|option\s+to|allow\w*)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# Proof the facts do not hold: they count and rate this data's customers, and test nothing.
PROVEN = re.compile(
    r"\b(?:statistically|scientifically|mathematically)\s+(?:proven|significant|confirmed|validated|certain|reliable|robust)\b"
    r"|\bproven\s+(?:repeat\s+|loyal\s+|high-value\s+|big\s+)?(?:buyers|customers|clients|shoppers|spenders|subscribers|regulars|fans|purchasers)\b"
    r"|\b(?:the\s+)?data\s+(?:proves|has\s+proven|shows\s+beyond\s+doubt)\b"
    # '... of their spend came in the holiday quarter, which proves they only buy at Black Friday' (a trial)
    r"|\b(?:which|this|it)\s+(?:clearly\s+|surely\s+|definitely\s+)?proves\b|\bproves\s+(?:that\s+)?(?:they|these|this\s+group|most|our)\b|\bis\s+(?:clear\s+)?proof\s+(?:that|they)\b",
    re.IGNORECASE,
)
# What customers buy: the facts hold no products, so 'they mostly buy gift cards' has nothing behind
# it (not 'mostly buy once', 'buy mostly at Christmas' or 'buy mostly on sale': how and when, not what)
_BUY = r"(?:buy|buys|bought|order|orders|ordered|purchase|purchases|purchased|shop\s+for|shops\s+for|shopped\s+for|pick\s+up|picks\s+up|go\s+for|goes\s+for|choose|chooses|stick\s+to|sticks\s+to)"
_MOSTLY = r"(?:mostly|mainly|primarily|largely|chiefly|predominantly|usually|almost\s+only|almost\s+always|nearly\s+always|only\s+ever)"
_NOT_A_PRODUCT = (
    r"(?!(?:once|twice|again|more|less|often|rarely|online|offline|in|at|on|during|around|before|after|from|with|through|via|when|while|for|by|"
    r"what|whatever|whenever|direct|directly|one|a\s+single|the\s+same|something|anything|more|less|together|alone|again|full[-\s]price|discounted|cheap|early|late|small|big|large|low|high|here|there|us|it|them)\b)"
)
# 'Most Lapsed Big Spenders bought leggings' (a trial): most of them, and a thing (a plural noun)
_MOST_BOUGHT = r"\b(?:most|nearly\s+all|almost\s+all|(?:the\s+)?majority)\b(?:\s+of\s+them)?(?:\s+[\w'-]+){0,4}?\s+(?:bought|ordered|purchased)\s+(?:our\s+|the\s+)?"
_NOT_A_THING = r"(?!(?:several|various|times|days|weeks|months|years|items|things|products|orders|purchases|goods|us|its|this|these|those|his|hers)\b)"
PRODUCT_CLAIM = re.compile(
    rf"\b{_MOSTLY}\s+{_BUY}\s+{_NOT_A_PRODUCT}[\w-]+|\b{_BUY}\s+{_MOSTLY}\s+{_NOT_A_PRODUCT}[\w-]+"
    rf"|{_MOST_BOUGHT}{_NOT_A_PRODUCT}{_NOT_A_THING}[a-z][\w-]*s\b(?!\s+ago)",
    re.IGNORECASE,
)
# 'All of them are on the 1:1 Lifestyle Fitness Coaching plan', 'most bought the Winter Bundle' (a
# Stripe trial, whose facts hold no products): a product named with a capital or a figure, said of
# them. 'The clients on your dearer plans', 'move them onto the Gold plan' or 'you told us ...' name none as theirs.
_THEY_ALL = (
    r"(?:they|all\s+of\s+them|most\s+of\s+them|many\s+of\s+them|each\s+of\s+them|every\s+one\s+of\s+them|most|many|all|everyone|both|half(?:\s+of\s+them)?"
    r"|(?:almost|nearly)\s+all(?:\s+of\s+them)?|(?:the\s+)?majority(?:\s+of\s+them)?|clients|customers|members|subscribers|buyers|students)"
)
_SO_MOSTLY = r"(?:(?:all|mostly|mainly|largely|still|currently|already|each|both|now)\s+)?"
_NAME_WORD = r"(?-i:[A-Z0-9][\w:'&+./-]*)"
_PLAN_WORD = r"(?:plan|package|tier|membership|subscription|programme|program|course|bundle|option|level)s?"
NAMED_PRODUCT_CLAIM = re.compile(
    rf"\b{_THEY_ALL}(?:\s+{_SO_MOSTLY}(?:are|were|stay|stayed|remain|remained)|'re)\s+{_SO_MOSTLY}on\s+(?:the|our|your|an?)\s+(?:{_NAME_WORD}\s+){{1,5}}{_PLAN_WORD}\b"
    rf"|\b{_THEY_ALL}\s+{_SO_MOSTLY}(?:bought|buy|ordered|purchased|chose|picked|signed\s+up\s+for|subscribed\s+to)\s+(?:the|our|your)\s+{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}",
    re.IGNORECASE,
)
# '{...next_repeat_rate} of first-time buyers paid again': a fact says how many, of another period
_COUNTED_BEFORE = re.compile(r"\bfact\s+(?:\S+\s+){0,8}$")
_NEGATION = re.compile(r"\bnot\b|n't\b|\bnever\b|\bno\b", re.IGNORECASE)
# How customers paid: 'most of them paid in instalments', 'they pay in full up front', 'instalment
# buyers'. The facts count later instalments across the whole export only (data.installments), so
# nothing says how a segment paid; offering a way to pay ('let them pay in instalments') is no claim.
_PAID_HOW = (
    r"(?:in\s+(?:\w+\s+)?(?:instal{1,2}ments|parts|monthly\s+payments)|in\s+full\b(?:\s+(?:up\s*front|upfront|at\s+once|in\s+advance))?|up\s*front|upfront"
    r"|(?:on|by|through|via|with)\s+(?:an?\s+|the\s+)?(?:instal{1,2}ment|payment|split-?pay(?:ment)?|pay-?later)\s+plans?|in\s+(?:one|a\s+single)\s+(?:go|payment|lump\s+sum)"
    r"|with\s+(?:klarna|afterpay|affirm|sezzle|shop\s+pay\s+instal{1,2}ments))"
)
PAYMENT_PLAN_CLAIM = re.compile(
    rf"\b(?:paid|bought|purchased|ordered|(?:chose|opted|preferred)\s+to\s+pay)\s+(?:[\w']+\s+){{0,3}}?{_PAID_HOW}"
    rf"|\b(?:they|most|many|all|some|half|(?:the\s+)?majority|nearly\s+all|almost\s+all|these\s+customers)\b(?:\s+of\s+(?:them|these|those))?(?:\s+\w+){{0,2}}?\s+(?:pay|pays|buy|buys|(?:prefer|choose|tend)\s+to\s+pay)\s+(?:[\w']+\s+){{0,2}}?{_PAID_HOW}"
    r"|\b(?:are|were)\s+(?:(?:all|mostly|mainly|still)\s+)?on\s+(?:an?\s+|the\s+)?(?:instal{1,2}ment|payment|split-?pay)\s+plans?"
    r"|\b(?:instal{1,2}ment|payment-plan|split-?pay|pay-?later|pay-in-full|paid-in-full|up-?front)\s+(?:buyers|customers|payers|clients|subscribers|members|shoppers|purchasers)\b",
    re.IGNORECASE,
)
_INSTALMENT_FACT = re.compile(r"\{data\.installments\.")
# 'until the balance is paid in full', 'once paid up front': a payment a plan follows, not how they paid
_PAYMENT_FOLLOWED = re.compile(r"\b(?:is|are|be|been|being|was|were|gets?|got|until|once|when|after|unless)\s+$", re.IGNORECASE)
_PAID_WORD = re.compile(r"(?:paid|bought|purchased|ordered)\b", re.IGNORECASE)
# A claim the user made, said as theirs: the plan may pass it on.
_TOLD_BY_USER = re.compile(r"\byou\s+(?:told|said|mentioned|noticed|see|saw|find|found|think|believe)\b|\baccording\s+to\s+you\b|\bin\s+your\s+(?:words|experience)\b", re.IGNORECASE)


def _about_another(sentence: str, key: str, aliases: list[tuple[str, str]]) -> bool:
    """Whether a sentence compares the segment with another or names another by its name
    ('the Loyal', not 'our most loyal')."""
    return bool(_COMPARING.search(sentence)) or any(k != key for _, _, k in named_segments(sentence, aliases, capitalized=True))


def standing_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]], activity: bool = False) -> list[Problem]:
    """'Currently active listeners' of a segment whose median customer last bought 487 days ago;
    'our most loyal customer, who has bought again and again' of one where nobody bought twice.
    A sentence that compares with another segment or names one may be about the other."""
    name = stats.get("name") or key
    out = []
    stat = "days_since_active" if activity and _is_number(stats.get("days_since_active")) else "median_recency_days"
    days = stats.get(stat)
    if _is_number(days) and days > RECENT_MAX_DAYS:
        last = f"the users in {name} were last active" if activity else f"{name}'s customers last bought"
        out += [
            Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {last} a median {days:g} days ago: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} and say they have gone quiet")
            for m in STILL_ACTIVE.finditer(bare)
            if not _NEGATED_BEFORE.search(bare[: m.start()]) and not _about_another(_sentence_at(bare, m.start()), key, aliases)
        ][:1]
    if _is_number(days) and days > RECENT_MAX_DAYS and not activity and not out:  # one claim of being active, one problem
        last = f"{name}'s customers last bought a median {days:g} days ago"
        found = [m for m in ACTIVE_NOW.finditer(bare) if not _NEGATED_BEFORE.search(bare[: m.start()]) and not _ONCE_BEFORE.search(bare[: m.start()])]
        found += [m for m in CADENCE_CLAIM.finditer(bare) if not _PAST_OR_AIM.search(m.group(0) + " " + bare[max(0, m.start() - 25): m.start()]) and days > max(RECENT_MAX_DAYS, CADENCE_TOLERANCE * _claimed_gap(m))]
        found += [m for m in KEEPS_BUYING.finditer(bare) if not _NEGATED_BEFORE.search(bare[: m.start()]) and not _DONE_OR_WANTED.search(bare[: m.start()])]
        if stats.get("spend_last_period_per_customer") == 0:
            last += f", and spent nothing in the last period ({{segmentations.{segmentation}.segments.{key}.spend_last_period_per_customer}})"
        out += [
            Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {last}: cite {{segmentations.{segmentation}.segments.{key}.median_recency_days}} and say they have gone quiet (what they did before, in the past tense)")
            for m in sorted(found, key=lambda m: m.start())
            if not _about_another(_sentence_at(bare, m.start()), key, aliases)
        ][:1]
    out += _within_claims(path, bare, key, stats, segmentation, aliases, activity)
    out += _gone_claims(path, bare, key, stats, segmentation, aliases)
    repeat = stats.get("repeat_rate")
    if repeat == 0 and stats.get("count") and not activity:
        out += [
            Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but no customer of {name} bought on more than one day: cite {{segmentations.{segmentation}.segments.{key}.repeat_rate}} and speak of their one purchase")
            for m in REPEATED.finditer(bare)
            if not _NEGATION.search(m.group(0)) and not _NEGATED_BEFORE.search(bare[: m.start()]) and not _COUNTED_BEFORE.search(bare[: m.start()]) and not _about_another(_sentence_at(bare, m.start()), key, aliases)
        ][:1]
    return out


def _gone_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]]) -> list[Problem]:
    """'Gone for good' of a Dormant segment a third of which bought again in the next period (a
    UCI trial): the next-period check says they came back. Said as a risk ('before they are
    gone for good'), denied or the user's, it stands; so it does at one in twenty back or fewer."""
    rate = stats.get("next_repeat_rate")
    if not _is_number(rate) or rate <= GONE_MAX_RATE:
        return []
    name = stats.get("name") or key
    fact = f"{{segmentations.{segmentation}.segments.{key}.next_repeat_rate}}"
    for m in GONE_FOR_GOOD.finditer(bare):
        start, _ = _sentence_span(bare, m.start())
        if _NEGATED_BEFORE.search(bare[: m.start()]) or _RISK_BEFORE.search(bare, start, m.start()) or _TOLD_BY_USER.search(_sentence_at(bare, m.start())) or _about_another(_sentence_at(bare, m.start()), key, aliases):
            continue
        return [Problem(path, "claim_contradicts_fact", (
            f"'{m.group(0)}' but {rate:.1%} of {name} bought again in the next period ({fact}): they are not gone; "
            f"say how many came back ('{fact} of them bought again in the next period'), or that they are quiet now, not lost"))]
    return []


def _within_claims(path: str, bare: str, key: str, stats: dict, segmentation: str, aliases: list[tuple[str, str]], activity: bool) -> list[Problem]:
    """'Which mostly comes back within a week' of a segment whose repeat buyers' median gap is 53
    days, or (told in the present) whose median customer last bought months ago."""
    gap, days = stats.get("median_gap_days"), stats.get("days_since_active" if activity else "median_recency_days")
    name = stats.get("name") or key
    for m in WITHIN_CLAIM.finditer(bare):
        if _NEGATED_BEFORE.search(bare[: m.start()]) or _about_another(_sentence_at(bare, m.start()), key, aliases):
            continue
        claimed = _WITHIN_UNITS[m.group(2).lower()] * (_FEW.get(m.group(1).lower(), 1) if m.group(1) else 1)
        if _is_number(gap) and gap > CADENCE_TOLERANCE * claimed:
            return [Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name}'s customers who bought more than once typically came back after {gap:g} days: cite {{segmentations.{segmentation}.segments.{key}.median_gap_days}} instead")]
        if _is_number(days) and days > max(RECENT_MAX_DAYS, CADENCE_TOLERANCE * claimed) and not _PAST_OR_AIM.search(m.group(0)):
            stat = "days_since_active" if activity else "median_recency_days"
            return [Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but {name}'s customers last {'were active' if activity else 'bought'} a median {days:g} days ago: cite {{segmentations.{segmentation}.segments.{key}.{stat}}} instead")]
    return []


def span_claims(path: str, bare: str, days_covered: int | None) -> list[Problem]:
    """'Loyal long-term subscribers who have renewed for months' on data that covers one day:
    no customer can be shown to have stayed longer than the data runs."""
    if not _is_number(days_covered):
        return []
    for m in LONG_SPAN.finditer(bare):
        if _NEGATION.search(m.group(0)) or _NEGATED_BEFORE.search(bare[: m.start()]) or _TOLD_BY_USER.search(_sentence_at(bare, m.start())):
            continue
        span = next((g for g in m.groups() if g), None)
        needed = _SPAN_DAYS.get(re.sub(r"\s+", " ", span.lower())) if span else LONG_TERM_DAYS
        if needed and days_covered < needed:
            return [Problem(path, "claim_contradicts_fact", f"'{m.group(0)}' but the data covers {days_covered:g} day{'' if days_covered == 1 else 's'}, too few to show anyone buying or staying that long: cite {{data.days_covered}} and say what the data does show, or that the user told you ('you told us ...')")]
    return []


# 'They stick around longer', 'stay with us for months', 'keep coming back every quarter': customers
# who stay or return over periods ('month after month' and 'for years' are LONG_SPAN's).
_RETAINED_OVER = r"(?:(?:for\s+)?longer|(?:for\s+)?more\s+months|for\s+(?:many\s+|several\s+|some\s+)?(?:months|quarters|seasons|years|a\s+year)|over\s+(?:the\s+)?(?:months|years|long\s+(?:run|term|haul)))"
_THEM = r"(?:them|clients|customers|members|subscribers|buyers|users|people|students|patients|shoppers)"
# 'Are about to cancel', 'most will cancel', 'likely to churn': who leaves next, which weeks of data cannot tell
_LEAVE = r"(?:cancel|churn|leave|lapse|quit|unsubscribe|drop\s+off|stop\s+paying)"
RETENTION_CLAIM = re.compile(
    r"\b(?:stick|sticks|stuck|sticking|stay|stays|stayed|staying|hang|hangs|hung|hanging)\s+(?:around|with\s+(?:us|you|the\s+(?:shop|store|brand|business)))\b"
    rf"|\b(?:stay|stays|stayed|staying|remain|remains|remained|last|lasts|lasted)\s+(?:(?:loyal|subscribed|active|customers|members|on)\s+)?{_RETAINED_OVER}\b"
    # 'the bigger packages keep clients longer', 'retain them better' (a Stripe trial's evidence)
    rf"|\b(?:keep|keeps|kept|keeping|retain|retains|retained|retaining|hold|holds|held)\s+(?:on\s+to\s+)?{_THEM}\s+(?:(?:subscribed|around|on|paying|active|loyal)\s+)?(?:{_RETAINED_OVER}|better)\b"
    r"|\b(?:retain|retains|retained)\s+better\b|\bbetter[-\s]retained\b"
    r"|\b(?:keep|keeps|kept|keeping)\s+(?:on\s+)?(?:coming\s+back|returning|renewing|reordering)\b"
    r"|\b(?:come|comes|came|return|returns|returned|buy|buys|order|orders|reorder|reorders|renew|renews)\s+(?:back\s+)?(?:again\s+)?(?:every|each)\s+(?:quarter|season|year)\b"
    r"|\b(?:quarter|season)\s+after\s+(?:quarter|season)\b"
    r"|\b(?:churn|churns|lapse|lapses|cancel|cancels)\s+less\b|\b(?:high|higher|strong|stronger|better)\s+retention\b"
    # 'they show lower churn', 'their churn is lower', 'a low churn rate', 'they rarely churn' (a UCI trial's words)
    r"|\b(?:low|lower|little|less|reduced)\s+(?:churn|attrition|cancell?ations?)\b"
    r"|\b(?:churn|attrition)(?:\s+rates?)?\s+(?:is|are|was|stays?|remains?)\s+(?:(?:much|far|a\s+lot|very)\s+)?(?:low|lower)\b"
    r"|\b(?:rarely|seldom|hardly(?:\s+ever)?)\s+(?:churn|cancel|lapse|leave)\b"
    rf"|\b(?:(?:less|more|most|least)\s+)?(?:un)?likely\s+to\s+(?:{_LEAVE}|renew|stay)\b|\b(?:about|going|set|bound|ready)\s+to\s+{_LEAVE}\b"
    rf"|\b(?:they|most|many|all|half|some|who|{_THEM})\s+will\s+(?:probably\s+|likely\s+|soon\s+|all\s+|mostly\s+)?{_LEAVE}\b",
    re.IGNORECASE,
)
# Asked, not claimed: 'whether they stick around longer', 'if they keep coming back'; or said
# to be unknown: 'three weeks cannot show that they stay longer', 'too early to say'
_ASKED_BEFORE = re.compile(
    r"\b(?:whether|if|how\s+long)\b|\b(?:cannot|can\s+not|can't|could\s*n[o']t|(?:nobody|no\s+one)\s+can|too\s+(?:soon|early|short)\s+to|no\s+way\s+to)\s+(?:yet\s+)?(?:tell|show|say|know|judge|see|prove)\b",
    re.IGNORECASE,
)
# An instruction that opens a sentence or clause: 'Keep them subscribed longer.', 'Goal: retain them better'
_INSTRUCTION_AT = re.compile(r"(?:^|[:\u2013\u2014]\s*|\s-\s*)$")
_INSTRUCTED = re.compile(r"(?:keep|retain|hold|stay|stick|last|lower|reduce|cut)\b", re.IGNORECASE)
# Whom a step is for, not what they are: 'call anyone who is about to cancel', 'those most likely to churn first'
_WHOEVER_BEFORE = re.compile(
    r"\b(?:anyone|anybody|whoever|someone|those|the\s+ones|(?:any|a|each)\s+(?:client|customer|member|subscriber)|(?:clients|customers|members|subscribers)\s+who)"
    r"(?:\s+who)?(?:\s+(?:is|are|'s|seems?|looks?|might\s+be|may\s+be))?(?:\s+(?:most|more))?\s+$",
    re.IGNORECASE,
)
# Where the plan says who its customers are (personas, strategies, a hunch's evidence); a
# pathway's outcome or the roadmap may aim at keeping them.
SAID_OF_CUSTOMERS = ("segments.", "hypotheses[")


def retention_claims(path: str, bare: str, days_covered: Any, period_days: Any) -> list[Problem]:
    """'They stick around longer' or 'keep coming back every quarter' on 22 days of data with a
    90-day period: data shorter than a period holds who happened to buy in those weeks, and
    nothing of who stays or returns over months. What the plan wants ('to keep them coming
    back'), asks ('whether they stay longer') or the user told may stand, and so may an aim in
    a pathway or the roadmap."""
    if not path.startswith(SAID_OF_CUSTOMERS) or not partial_period(days_covered, period_days):
        return []
    for m in RETENTION_CLAIM.finditer(bare):
        if _retention_not_claimed(bare, m):
            continue
        return [Problem(path, "claim_contradicts_fact", (
            f"'{m.group(0)}' but the data covers {days_covered:g} days ({{data.days_covered}}), less than one period of {period_days:g} ({{period_days}}): "
            "it holds who happened to buy in those weeks, not who stays, cancels or comes back over months; say what the data does show, or that the user told you ('you told us ...')"))]
    return []


def _retention_not_claimed(bare: str, m: re.Match) -> bool:
    """Whether the words of ``m`` are no claim: denied ('they do not stay longer'), wanted ('to
    keep them coming back'), asked ('whether ...', '... longer?'), said to be unknown ('cannot
    tell'), the user's, an instruction ('Keep them subscribed longer.') or whom a step is for
    ('call anyone who is about to cancel', 'clients who will cancel get a call')."""
    before = bare[: m.start()]
    start, end = _sentence_span(bare, m.start())
    if _NEGATED_BEFORE.search(before) or _DONE_OR_WANTED.search(before) or _ASKED_BEFORE.search(bare, start, m.start()) or _TOLD_BY_USER.search(bare[start:end]):
        return True
    if bare[start:end].rstrip().endswith("?") or _WHOEVER_BEFORE.search(before):
        return True
    restrictive = m.group(0).lower().startswith("who") and not before.rstrip().endswith(",")
    return restrictive or bool(_INSTRUCTED.match(m.group(0)) and _INSTRUCTION_AT.search(bare[start: m.start()].lstrip()))


PRODUCTS_CITED = re.compile(r"\{[\w.-]*\.products\.[\w.-]+\}")


def unrecorded_claims(path: str, bare: str, text: str = "", products: bool = False, countries: bool = False, keys: dict[str, Any] | None = None) -> list[Problem]:
    """'Our evening sign-ups, who stick around longer': the data records no time of day or week
    for a plan to compare, so the claim is a hunch; said as the user's own, it may stand. So are
    'they mostly buy gift cards' (the facts hold no products), 'statistically proven repeat
    buyers' (the facts test nothing), 'who mostly pay with Klarna' (no payment methods),
    'found us through Instagram' or 'at the spring trade fair' (no acquisition channels) and
    'almost all UK high-street shops' (no business type or location). Where the facts hold
    what customers bought (``products``: data.products), a claim about it stands in a sentence
    that cites a products fact, and is asked to cite one otherwise; where they hold where customers
    are (``countries``: data.countries), the business-type message points at those facts. Where
    the plan says who its customers are (a persona, a strategy, a hunch's evidence), so are the
    claims :mod:`unrecorded` knows ('they mostly buy on mobile', 'mostly women in their thirties',
    'slipped because prices went up'); ``keys``: the fact keys, for what the facts hold instead."""
    why = (
        (UNRECORDED, "the facts hold nothing on when in the day or week customers buy or sign up, so nothing backs what is said of them"),
        (PRODUCT_CLAIM, "the facts hold no products, so nothing says what most of them buy"),
        (REFERRAL_CLAIM, "the facts hold no referrals, so nothing says who refers whom"),
        (PROVEN, "the facts count and rate this data's customers and test nothing, so nothing is proven; say what the figure counts ('{...repeat_rate} of them bought again') without 'proven'"),
        (PAYMENT_METHOD_CLAIM, "the facts hold no payment methods, so nothing says how these customers pay; offer a way to pay as a step of the plan ('let them pay with ...') if you like"),
        (ACQUISITION_CLAIM, "the facts hold no acquisition channels, so nothing says where these customers came from; name a channel as where the plan will reach them, not where they came from"),
        (WHO_THEY_ARE_CLAIM, "the facts hold no business type, size or location of the customers, so nothing says what kind of business they are or where; say what they bought, how often and when"),
    )
    if countries:  # the facts say where customers are (data.countries): only the kind of business is missing
        why = tuple((p, "the facts hold no business type or size of the customers, so nothing says what kind of business they are; where they are is in the country facts "
                        "({data.countries.abroad.customers_share}, each segment's countries.abroad_share): cite one for that part") if p is WHO_THEY_ARE_CLAIM else (p, r) for p, r in why)
    if not products:  # with products, product_claims holds a named product to them
        why = (why[0], why[1], (NAMED_PRODUCT_CLAIM, "the facts hold no products (this export names none), so nothing says which plan or product they are on or bought"), *why[2:])
    if path.startswith(SAID_OF_CUSTOMERS):
        why += unrecorded.kinds(keys or {})
    out = []  # one problem for each kind of hunch in the text
    for pattern, reason in why:
        if pattern is NAMED_PRODUCT_CLAIM and _told_products(out):
            continue  # one problem for what they buy
        for m in pattern.finditer(bare):
            sentence = _sentence_at(bare, m.start())
            if _TOLD_BY_USER.search(sentence) or _NEGATED_BEFORE.search(bare[: m.start()]):
                continue
            if pattern in (PAYMENT_METHOD_CLAIM, ACQUISITION_CLAIM) and _PLAN_STEP_BEFORE.search(bare[: m.start()]):
                continue
            if pattern in UNRECORDED_KINDS and _not_claimed(pattern, bare, m, text, keys or {}):
                continue
            if pattern is PAYMENT_METHOD_CLAIM and PAYMENT_PLAN_CLAIM.search(sentence):  # 'paid with Klarna': payment_plan_claims tells it
                continue
            if pattern is NAMED_PRODUCT_CLAIM and (_ASKED_BEFORE.search(sentence, 0, sentence.find(m.group(0))) or sentence.rstrip().endswith("?")):
                continue  # 'whether they are on the Gold plan, the export does not say'
            if pattern is PRODUCT_CLAIM and products:
                if " fact " in f" {sentence} " and PRODUCTS_CITED.search(text):  # said with the share who bought it
                    continue
                out.append(Problem(path, "claim_not_in_data", f"'{m.group(0)}': say how many bought it with the facts' figure instead, e.g. "
                                   "'{segmentations.rfm.segments.<key>.products.<product key>.buyers_share} of them bought ...' beside {data.products.top.<product key>.buyers_share} of all customers (the segments brief lists the keys)"))
                break
            said = unrecorded.quoted(m) if pattern in UNRECORDED_KINDS else m.group(0)
            out.append(Problem(path, "claim_not_in_data", f"'{said}': {reason}; leave it out, or give it as the user's own observation ('you told us ...')"))
            break
    return out


UNRECORDED_KINDS = {pattern for pattern, _ in unrecorded.kinds({})}


def _not_claimed(pattern: re.Pattern, bare: str, m: re.Match, text: str, keys: dict[str, Any]) -> bool:
    """Whether the words of ``m`` claim nothing of the customers: a step of the plan or whom it
    is for ('make it easy to buy on mobile', 'target mums with a gift guide', 'customers who
    return their first order get a call'), a guess said as one ('they may have left because
    prices went up', 'whether the price rise caused it, the data cannot tell'), a denial
    ('they are not students'), or a change over time beside the by-period fact that shows it."""
    before = bare[: m.start()]
    start, end = _sentence_span(bare, m.start())
    if _PLAN_STEP_BEFORE.search(before) or unrecorded.PLAN_WHOM_BEFORE.search(before) or _WHOEVER_BEFORE.search(before) or _NEGATION.search(m.group(0)):
        return True
    if _ASKED_BEFORE.search(bare, start, m.start()) or bare[start:end].rstrip().endswith("?"):
        return True
    cited = [key for at, key in citations(text) if start <= at < end] if pattern in (unrecorded.PERIOD_CLAIM, unrecorded.RETURN_CLAIM) else []
    if pattern is unrecorded.RETURN_CLAIM:  # returns said with the segment's refund figure: the majority checks hold it to the share
        return any(unrecorded.REFUND_FACT.search(key) and key in keys for key in cited)
    return any(unrecorded.BY_PERIOD_FACT.search(key) and key in keys for key in cited)


def _told_products(problems: list[Problem]) -> bool:
    """Whether 'they mostly buy ...' (PRODUCT_CLAIM, told first) is among ``problems`` already."""
    return any("the facts hold no products" in p.message for p in problems)


def payment_plan_claims(path: str, text: str, installments: dict | None) -> list[Problem]:
    """'Most of them paid in instalments' and 'most paid in full up front', said of one segment,
    both passed (a Stripe trial): the facts hold no way of paying per segment, only the export's
    later instalments (``installments``: data.installments), so each is a claim not in the data.
    A sentence that cites data.installments speaks of the export, and may stand."""
    for m in PAYMENT_PLAN_CLAIM.finditer(text):  # fact references hold no spaces: no claim runs through one
        sentence = _sentence_at(text, m.start())
        if _NEGATED_BEFORE.search(text[: m.start()]) or (_PAID_WORD.match(m.group(0)) and _PAYMENT_FOLLOWED.search(text[: m.start()])) or _TOLD_BY_USER.search(sentence) or _INSTALMENT_FACT.search(sentence):
            continue
        if isinstance(installments, dict):
            why = "the facts count later instalments only across the whole export ({data.installments.customers} customers paid one), not per segment, so nothing says how these customers paid: leave it out, say it of the export with that fact"
        else:
            why = "the facts hold nothing on how customers paid (this export named no instalments), so nothing says whether they paid in parts or in full: leave it out"
        return [Problem(path, "claim_not_in_data", f"'{m.group(0)}': {why}, or give it as the user's own observation ('you told us ...')")]
    return []

