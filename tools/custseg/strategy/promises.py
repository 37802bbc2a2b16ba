"""Money a plan's text promises: an outcome said to be certain ('guaranteed revenue', 'will
definitely bring in'), a what-if told as what the plan will bring (a sized opportunity, or the
money failed payments still owe, as 'the {...value_per_10pct} this campaign will bring in' or
'expect this flow to add {...}'), a segment's past spend told as the gain ('winning them back
adds {...at_risk.revenue}'), a rate measured with no campaign told as the plan's result ('the
flow will bring back {...at_risk.next_repeat_rate} of them'), and what customers will do ('this
flow will win back most of them').
A plan expects; what customers do and pay it cannot promise. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _RATE_WORDS, _sentence_at, _sentence_span
from custseg.strategy.figures import CURRENCY_CODES
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER, value_kind

# Words that promise an outcome as certain, and the money they may promise.
PROMISE = re.compile(r"\bguarantee(?:d|s)\b|\bwill\s+guarantee\b|\bcertain\s+to\b|\b(?:will|would|is|are)\s+(?:definitely|certainly|surely|undoubtedly)\b|\b(?:is|are)\s+sure\s+to\b", re.IGNORECASE)
MONEY_WORDS = re.compile(
    r"\b(?:revenue|sales|income|profits?|roi|returns?\s+on|money|recover\w*|earnings|cash|turnover|mrr|payments?|bring(?:s|ing)?\s+in|brought\s+in|"
    r"dollars?|euros?|pounds?|bucks|quid|cents?|" + "|".join(CURRENCY_CODES) + r")\b|[$€£¥₹]",
    re.IGNORECASE,
)
# What a plan's outcome will bring, said as a fact: 'will bring in', 'will add', 'is going to recover'.
FORECAST = re.compile(
    r"\b(?:will|shall|is\s+going\s+to|are\s+going\s+to)\s+(?:\w+\s+){0,2}?(?:bring(?:\s+in|\s+back)?|add|recover|recoup|generate|earn|deliver|return|make|yield|produce|win\s+back|unlock|secure|capture|net|be\s+worth)\b",
    re.IGNORECASE,
)
# An expectation said of a what-if: 'expect this flow to add', 'is expected to bring in', 'should add'.
_GAIN_VERB = r"(?:bring(?:\s+in|\s+back)?|add|recover|recoup|generate|earn|deliver|return|make|yield|produce|win\s+back|unlock|secure|capture|net)"
EXPECTED = re.compile(rf"\bexpect(?:s|ed|ing)?\s+(?:\w+\s+){{0,3}}?to\s+{_GAIN_VERB}\b|\b(?:is|are)\s+(?:expected|set|projected|forecast)\s+to\s+{_GAIN_VERB}\b|\bshould\s+{_GAIN_VERB}\b", re.IGNORECASE)
# A segment's own money figures: what its customers spent in the past, not what a plan brings.
PAST_MONEY = ("revenue", "avg_value", "aov", "spend_last_period_per_customer")
# 'adds {...at_risk.revenue}', 'would recover {...revenue}', 'brings back the {...revenue}': a gain
# of the whole amount (not 'part of the {...revenue} they spent')
_GAIN_BEFORE = re.compile(
    r"\b(?:adds?|adding|added|bring(?:s|ing)?\s+(?:in|back)|brought\s+(?:in|back)|recover(?:s|ing|ed)?|recoup(?:s|ing)?|win(?:s|ning)?\s+back|unlock(?:s|ing)?|generat(?:e|es|ing)|gain(?:s|ing)?|earn(?:s|ing)?|yield(?:s|ing)?|restor(?:e|es|ing)|reclaim(?:s|ing)?)"
    r"\s+(?:(?:an?|the|their|its|all|whole|entire|full|extra|additional|another|further|up\s+to|as\s+much\s+as|nearly|almost|about|around|roughly|some)\s+)*$",
    re.IGNORECASE,
)
# 'Most of them come back and each spends another {...avg_value}' (a trial's expected outcome):
# what a customer spent before, told as what each will spend again
_SPEND_AGAIN_BEFORE = re.compile(
    r"\b(?:spends?|spending|spent|pays?|paying|puts?\s+in|brings?\s+in)\s+(?:(?:another|again|a\s+further|an?\s+(?:extra|additional|further|second))\s+)+$",
    re.IGNORECASE,
)
# Customers' buying promised: 'this flow will win back most of them', 'they will certainly buy a third time'
_MOST_WILL = r"(?:most|all|nearly\s+all|almost\s+all|(?:the\s+)?majority|the\s+bulk|every\s+one|each|many)(?:\s+of)?(?:\s+(?:them|these|those|the|our|your))?"
_DO_AGAIN = r"(?:come\s+back|be\s+back|return|buy\s+again|order\s+again|purchase\s+again|shop\s+again|spend\s+again|re-?order|re-?purchase|recover|renew|reactivate|respond|convert)\b"
_MOST_OF_THEM = r"(?:most|all|every\s+one|each|nearly\s+all|almost\s+all|the\s+majority|the\s+bulk|the\s+rest)\s+of\s+(?:them|these|those|the\s+\w+)|them\s+all|everyone|every\s+(?:customer|buyer|one\s+of\s+them)"
BEHAVIOR_PROMISE = re.compile(
    rf"\b(?:will|shall|is\s+going\s+to|are\s+going\s+to)\s+(?:\w+\s+){{0,2}}?(?:win\s+back|bring\s+back|reactivate|re-?engage|convert|retain|save)\s+(?:{_MOST_OF_THEM})\b"
    rf"|\b(?:will|shall|is\s+going\s+to|are\s+going\s+to)\s+(?:\w+\s+){{0,2}}?bring\s+(?:{_MOST_OF_THEM})\s+back\b"
    r"|\b(?:will|would|are|is)\s+(?:definitely|certainly|surely|undoubtedly)\s+(?:\w+\s+){0,1}?(?:buy|order|purchase|shop|come\s+back|return|renew|reorder|re-?order|spend|upgrade|stay|convert|bring\s+\w+(?:\s+of\s+them)?\s+back)\b"
    r"|\b(?:are|is)\s+(?:sure|certain|bound|guaranteed)\s+to\s+(?:buy|order|purchase|shop|come\s+back|return|renew|reorder|re-?order|spend|upgrade|stay|convert)\b",
    re.IGNORECASE,
)
# Said of most of them: 'Most Lapsed VIPs will come back after the first email' (a trial), 'nearly
# all of them will buy again', 'they will all return'
MOST_WILL_PROMISE = re.compile(
    rf"\b{_MOST_WILL}(?:\s+[\w'-]+){{0,3}}?\s+will\s+(?:all\s+|soon\s+|then\s+|quickly\s+|gladly\s+)?{_DO_AGAIN}"
    rf"|\bthey\s+will\s+(?:all|each)\s+(?:\w+\s+)?{_DO_AGAIN}",
    re.IGNORECASE,
)
# An expected outcome is what the plan says will happen: there 'most of them come back' needs no 'will'
MOST_DO_AGAIN = re.compile(
    r"\b(?:most|all|nearly\s+all|almost\s+all|(?:the\s+)?majority|the\s+bulk)\b(?:\s+of\s+(?:them|these|those|the\s+\w+))?(?:\s+[\w'-]+){0,3}?\s+"
    r"(?:come\s+back|comes\s+back|return|returns|buy\s+again|buys\s+again|order\s+again|orders\s+again|re-?order|re-?orders|renew|renews|reactivate)\b",
    re.IGNORECASE,
)
# 'if most of them come back', 'we hope most will return': an aim, not a promise
_AIM_BEFORE = re.compile(r"\b(?:if|whether|hope|hoping|aim|aims|aiming|want|wants|goal|so\s+that|unless|until)\b", re.IGNORECASE)
# A what-if said as one: 'if a tenth moved', 'up to', 'could', 'at last period's rate'.
_HEDGED = re.compile(r"\bif\b|\bup\s+to\b|\bas\s+much\s+as\b|\b(?:could|might|may|would)\b|\bat\s+(?:the\s+)?(?:last|past|this|that|the\s+same)\s+(?:\w+(?:'s)?\s+){0,2}?rates?\b", re.IGNORECASE)


# A measured rate told as what the plan will do: 'the win-back flow will bring back
# {...at_risk.next_repeat_rate} of them' (a CDNOW trial). The next-period rate is what the segment
# did last period with no campaign, a move's historical_rate how many moved on their own: the mark
# a plan aims to beat, not its result. 'Will bring back more than the {...}' compares, and passes.
_RATE_VERB = r"(?:bring(?:\s+back|\s+in)?|win\s+back|get\s+back|reactivate|re-?engage|convert|retain|save|recover|return|move)"
# What campaigns do, said in the present: 'Win-back emails typically bring back {...at_risk.next_repeat_rate}
# of them' (a CDNOW trial), the rate they showed with no campaign told as a campaign's usual effect
_CAMPAIGNS_DO = (
    r"\b(?:e-?mails?|flows?|campaigns?|messages?|offers?|reminders?|sequences?|texts?|sms|outreach|nudges?|win-?backs?)\s+(?:\w+\s+){0,2}?"
    r"(?:bring(?:s)?\s+back|win(?:s)?\s+back|get(?:s)?\s+back|reactivates?|re-?engages?|converts?|recovers?|saves?|retains?)"
)
_RATE_AS_RESULT_BEFORE = re.compile(
    rf"(?:\b(?:will|shall|is\s+going\s+to|are\s+going\s+to)\s+(?:\w+\s+){{0,2}}?{_RATE_VERB}"
    rf"|\bexpect(?:s|ed|ing)?\s+(?:\w+\s+){{0,3}}?to\s+{_RATE_VERB}|\b(?:is|are)\s+(?:expected|set|projected|forecast)\s+to\s+{_RATE_VERB}|\bshould\s+{_RATE_VERB}"
    rf"|{_CAMPAIGNS_DO})"
    r"\s+(?:(?:an?|the|about|around|roughly|nearly|almost|some|at\s+least|fully)\s+)*$",
    re.IGNORECASE,
)
# '{...next_repeat_rate} of them will come back after the first email'
_RATE_AS_RESULT_AFTER = re.compile(rf"\s+(?:of\s+(?:them|these|those|(?:the\s+)?[\w-]+(?:\s+[\w-]+)?)\s+)?(?:will|are\s+going\s+to|shall)\s+(?:\w+\s+)?{_DO_AGAIN}", re.IGNORECASE)


def _rate_as_result(path: str, text: str, told: set[str]) -> list[Problem]:
    """'The win-back flow will bring back {...at_risk.next_repeat_rate} of them': a rate measured
    with no campaign told as what the campaign will do."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        key = m.group(1)
        leaf = key.rsplit(".", 1)[-1]
        if value_kind(key) != "pct" or not leaf.endswith("_rate"):
            continue
        start, _ = _sentence_span(text, m.start())
        sentence = _sentence_at(text, m.start())
        said = _RATE_AS_RESULT_BEFORE.search(text, start, m.start()) or _RATE_AS_RESULT_AFTER.match(text, m.end())
        if not said or sentence in told or _HEDGED.search(PLACEHOLDER.sub(" ", sentence)):
            continue
        told.add(sentence)
        what = _RATE_WORDS.get(leaf, "a rate the data measured")
        out.append(Problem(path, "promise_in_text", (
            f"'{said.group(0).strip()}' tells {{{key}}}, {what} before this plan ran, as what the plan will do: that is the mark to beat, "
            f"not the plan's result; say the plan aims to beat it ('aims to bring back more than the {{{key}}} who came back on their own last period')")))
    return out


# What each amount of a sized move is (facts' opportunities, all per period of period_days
# days), and a what-if that says so. A trial was told to write 'if a tenth of them moved, that
# would be {...expected_revenue}', when expected_revenue is the moves at last period's rate.
_MOVE_WHAT_IF = {
    "value_per_10pct": ("what a further tenth of the segment moving would add, beyond the moves at last period's rate", "if a further tenth of them moved, that would add {key} a period"),
    "expected_revenue": ("what the moves at last period's rate (as many as moved last period, with no campaign) would be worth", "if as many moved as last period, that would be {key} a period"),
    "revenue_gap_per_customer": ("how much more a customer of the segment moved to spent in the last period, per customer", "each customer who moved could spend up to {key} more a period"),
    "next_gap_per_customer": ("how much more the customers of the segment moved to spent in the period after than those who stayed, per customer", "each customer who moved could spend up to {key} more the next period"),
}
_MOVE_WHAT_IF_OTHER = ("what the move would be worth if customers moved as it assumes", "if customers moved as it assumes, that would be {key} a period")


def _what_if(key: str) -> bool:
    """A money fact that sizes what could happen, not what did: an opportunity's value (what a
    tenth of a segment moving, or the moves at last period's rate, would be worth), or what
    failed payments still owe (recovered only if every one of them pays)."""
    parts = key.split(".")
    if value_kind(key) != "money":
        return False
    return "opportunities" in parts or ("failed_payments" in parts and parts[-1] != "paid_later_value") or parts[-1] == "outstanding_value"


def promises(path: str, text: str) -> list[Problem]:
    """'Will bring in {...outstanding_value} of guaranteed revenue': no plan can promise what
    customers will pay. A sentence that promises (guaranteed, certain to, will definitely)
    and speaks of money or cites an amount is refused; 'satisfaction guaranteed' is not money.
    So is a what-if told as what the plan will bring ('Recover the {...value_per_10pct} a period
    this campaign will bring in'), unless the sentence says it as one ('if', 'up to', 'could')."""
    out = []
    promised = set()  # sentences that promise money: one problem each
    certain = set()  # sentences with a word of certainty, money or not
    for m in PROMISE.finditer(text):
        sentence = _sentence_at(text, m.start())
        certain.add(sentence)
        amounts = [k for k in PLACEHOLDER.findall(sentence) if value_kind(k) == "money"]
        if amounts or MONEY_WORDS.search(PLACEHOLDER.sub(" ", sentence)):
            promised.add(sentence)
            cite = f"'up to {{{amounts[0]}}}'" if amounts else "'up to' an amount"
            out.append(Problem(path, "promise_in_text", f"'{m.group(0)}' promises money no plan can promise: say {cite}, or cite the figure the plan expects, and word the outcome as an expectation ('could bring back', 'aims to recover')"))
    told = set(certain)  # sentences already told about: one problem each
    for m in PLACEHOLDER.finditer(text):
        sentence = _sentence_at(text, m.start())
        if not _what_if(m.group(1)) or sentence in told:
            continue
        words = PLACEHOLDER.sub(" ", sentence)
        forecast = FORECAST.search(words) or EXPECTED.search(words)
        if forecast and not _HEDGED.search(words):
            told.add(sentence)
            key = m.group(1)
            if "opportunities" in key.split("."):
                what, hedged = _MOVE_WHAT_IF.get(key.rsplit(".", 1)[-1], _MOVE_WHAT_IF_OTHER)
                cited = "{" + key + "}"
                instead = f"{what}, as what the plan will bring: say it as a what-if ('{hedged.format(key=cited)}') or 'up to {cited}'"
            else:
                instead = f"what unfinished or failed payments still owe, as what the plan will bring: say 'up to {{{key}}}' or 'if every one of them paid, that would be {{{key}}}'"
            out.append(Problem(path, "promise_in_text", f"'{forecast.group(0)}' tells {{{key}}}, {instead}"))
    out += _past_money_as_gain(path, text, told)
    out += _rate_as_result(path, text, told)
    promised |= told - certain
    outcome = path.endswith("expected_outcome")
    most = [*MOST_WILL_PROMISE.finditer(text), *(MOST_DO_AGAIN.finditer(text) if outcome else ())]
    found = [*BEHAVIOR_PROMISE.finditer(text), *(m for m in most if not _AIM_BEFORE.search(text, _sentence_span(text, m.start())[0], m.start()) and not (outcome and _HEDGED.search(_sentence_at(text, m.start()))))]
    for m in sorted(found, key=lambda m: m.start()):
        sentence = _sentence_at(text, m.start())
        if sentence in promised:
            continue
        promised.add(sentence)
        spent = [k for k in PLACEHOLDER.findall(sentence) if k.rsplit(".", 1)[-1] in PAST_MONEY]
        past = f"; {{{spent[0]}}} is what they spent before, not what the plan brings back" if spent else ""
        out.append(Problem(path, "promise_in_text", f"'{m.group(0)}' promises what customers will do, which no plan can: say what the plan aims for ('aims to win back', 'could bring some of them back') and cite what they did last period (next_repeat_rate or the move's historical_rate){past}"))
    return out


def _past_money_as_gain(path: str, text: str, told: set[str]) -> list[Problem]:
    """'Winning them back adds {...at_risk.revenue} in revenue': a segment's revenue is all it
    spent in the data, not what a win-back adds; and 'A bundle push will bring in
    {...avg_value} more each': what a customer spent is not what the plan will bring."""
    out = []
    for m in PLACEHOLDER.finditer(text):
        parts = m.group(1).split(".")
        if len(parts) < 5 or parts[0] != "segmentations" or parts[2] != "segments" or parts[-1] not in PAST_MONEY:
            continue
        sentence = _sentence_at(text, m.start())
        if sentence in told:
            continue
        words = PLACEHOLDER.sub(" ", sentence)
        gain = _GAIN_BEFORE.search(text[: m.start()]) if parts[-1] == "revenue" else None
        forecast = None if gain else FORECAST.search(words) or EXPECTED.search(words) or _SPEND_AGAIN_BEFORE.search(text[: m.start()])
        if gain or (forecast and not _HEDGED.search(words)):
            told.add(sentence)
            what = "all its customers spent in the data" if parts[-1] == "revenue" else "what its customers spent in the past"
            opp = f"{{segmentations.{parts[1]}.opportunities.{parts[3]}_to_<segment>.value_per_10pct}}"
            said = (gain or forecast).group(0).strip()
            out.append(Problem(path, "promise_in_text", f"'{said}' tells {{{m.group(1)}}}, {what}, as what the plan will bring: cite it as their past spend ('part of the {{{m.group(1)}}} they have spent'), or size the gain with a move's what-if ({opp}: 'up to ... a period')"))
    return out
