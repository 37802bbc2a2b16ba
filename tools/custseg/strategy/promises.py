"""Money a plan's text promises: an outcome said to be certain ('guaranteed revenue', 'will
definitely bring in'), and a what-if told as what the plan will bring (a sized opportunity, or
the money failed payments still owe, as 'the {...value_per_10pct} this campaign will bring in').
A plan expects; what customers pay it cannot promise. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.claims import _sentence_at
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
# A what-if said as one: 'if a tenth moved', 'up to', 'could', 'at last period's rate'.
_HEDGED = re.compile(r"\bif\b|\bup\s+to\b|\bas\s+much\s+as\b|\b(?:could|might|may|would)\b|\bat\s+(?:the\s+)?(?:last|past|this|that|the\s+same)\s+(?:\w+(?:'s)?\s+){0,2}?rates?\b", re.IGNORECASE)


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
    for m in PROMISE.finditer(text):
        sentence = _sentence_at(text, m.start())
        amounts = [k for k in PLACEHOLDER.findall(sentence) if value_kind(k) == "money"]
        if amounts or MONEY_WORDS.search(PLACEHOLDER.sub(" ", sentence)):
            cite = f"'up to {{{amounts[0]}}}'" if amounts else "'up to' an amount"
            out.append(Problem(path, "promise_in_text", f"'{m.group(0)}' promises money no plan can promise: say {cite}, or cite the figure the plan expects, and word the outcome as an expectation ('could bring back', 'aims to recover')"))
    told = {_sentence_at(text, m.start()) for m in PROMISE.finditer(text)}
    for m in PLACEHOLDER.finditer(text):
        sentence = _sentence_at(text, m.start())
        if not _what_if(m.group(1)) or sentence in told:
            continue
        words = PLACEHOLDER.sub(" ", sentence)
        forecast = FORECAST.search(words)
        if forecast and not _HEDGED.search(words):
            told.add(sentence)
            key = m.group(1)
            if "opportunities" in key.split("."):
                instead = f"what the move would be worth if customers moved as it assumes, as what the plan will bring: say it as a what-if ('if a tenth of them moved, that would be {{{key}}} a period') or 'up to {{{key}}}'"
            else:
                instead = f"what unfinished or failed payments still owe, as what the plan will bring: say 'up to {{{key}}}' or 'if every one of them paid, that would be {{{key}}}'"
            out.append(Problem(path, "promise_in_text", f"'{forecast.group(0)}' tells {{{key}}}, {instead}"))
    return out
