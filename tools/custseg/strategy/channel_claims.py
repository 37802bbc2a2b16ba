"""A segment's sales channel, which the facts do not hold: 'Regulars mostly buy through Instagram
Shop', 'they found us through the Shop app' (a skill trial on a real Shopify export passed both).
facts.json counts orders, customers and revenue per sales channel across the whole export only
(data.by_channel), never per segment, so a claim on how or where one segment buys is a claim not
in the data, whatever the channel is called: the export's words (web, pos, tiktok), a by_channel
label ('online store', 'point of sale'), a shop's usual names for them, or the name the user gave
an app in answers.json's Channel names ('Instagram Shop'). A step of the plan ('invite them to
buy through the Shop app', an imperative opening the sentence: 'Buy online, collect in store'), a
negation or a question is no claim. Standard library only.
"""

from __future__ import annotations

import functools
import re

from custseg.strategy.cited_claims import _told_in
from custseg.strategy.claims import _sentence_span, named_segments
from custseg.strategy.problems import Problem

# The usual names of sales channels, beside those the facts and the user give
_CHANNELS = (
    r"(?:the\s+)?shop\s+app|shop\s+pay|(?:instagram|insta|tiktok|facebook|pinterest|youtube|snapchat|google|whatsapp|messenger)(?:\s+(?:shop(?:ping)?|store|checkout|dms?))?"
    r"|online\s+stores?|(?:our\s+|the\s+)?(?:web)?site|webshop|web\s+shop|e-?shop|online|in[-\s]store|in[-\s]person|(?:our\s+|the\s+)?(?:physical\s+|bricks?[-\s]and[-\s]mortar\s+|high[-\s]street\s+)?(?:stores?|shops?|boutiques?)"
    r"|point\s+of\s+sale|pos|pop-?ups?|markets?|fairs?|draft\s+orders?|wholesale|faire|amazon|etsy|ebay|marketplaces?|(?:the\s+|our\s+|a\s+)?(?:mobile\s+)?apps?|phone(?:\s+orders?)?|email\s+orders?"
)
_BUY = r"(?:buy|buys|bought|buying|shop|shops|shopped|shopping|order|orders|ordered|ordering|purchase|purchases|purchased|purchasing|check\s+out|checks\s+out|checked\s+out|pay|pays|paid|come\s+in|comes\s+in|came\s+in)"
_MOSTLY = r"(?:(?:mostly|mainly|largely|usually|typically|almost\s+(?:always|only|all)|always|only|exclusively|primarily|nearly\s+all|all|often|still)\s+)?"
_FOUND = r"(?:found|find|finds|discovered|discover|discovers|heard\s+(?:about|of)|first\s+(?:saw|heard\s+of|found)|came\s+to\s+us|come\s+to\s+us|arrived|joined|signed\s+up)"
# Words before the verb that make it a step of the plan or what may be, not what they do
_STEP_BEFORE = re.compile(r"\b(?:to|will|would|could|should|can|may|might|must|let(?:s|ting)?|help(?:s|ing)?|make|making|get(?:ting)?|invite|inviting|encourage|nudge|we|you|i|if|whether|when)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# Before the word, a determiner: 'shop', 'order', 'purchase' are nouns ('found the shop through a marketplace comparison')
_NOUN_BEFORE = re.compile(r"\b(?:the|a|an|our|their|your|its|this|that|each|every|first|last|one)\s+$", re.IGNORECASE)
_NEGATION = re.compile(r"\bnot\b|n't\b|\bnever\b|\bno\b|\brarely\b|\bseldom\b", re.IGNORECASE)


def _said(name: str) -> str:
    return r"\s+".join(re.escape(w) for w in name.split())


@functools.lru_cache(maxsize=16)
def _pattern(names: tuple[str, ...]) -> re.Pattern:
    channels = "|".join([*(_said(n) for n in sorted(names, key=len, reverse=True)), _CHANNELS])
    where = rf"(?:through|via|on|in|at|from|using|with|over)\s+(?:(?:the|our|your|their|an?)\s+)?(?P<channel>{channels})(?!\w)"
    return re.compile(rf"\b(?:{_BUY}\s+(?:from\s+us\s+|with\s+us\s+)?|{_FOUND}\s+(?:us\s+)?){_MOSTLY}(?:{where}|(?P<online>online)\b)", re.IGNORECASE)


def channel_words(facts: dict, names: dict[str, str]) -> tuple[str, ...]:
    """What the run calls its channels (data.by_channel's channels and labels, not an app's
    number) and the names the user gave them (answers.json's Channel names)."""
    rows = [c for c in ((facts.get("data") or {}).get("by_channel") or []) if isinstance(c, dict)]
    words = [str(c.get(f)) for c in rows for f in ("channel", "label") if isinstance(c.get(f), str) and not c[f].isdigit() and not c[f].startswith("other channels")]
    words += [n for n in names.values() if isinstance(n, str)]
    return tuple(dict.fromkeys(w.strip() for w in words if len(w.strip()) >= 2))


def channel_claims(path: str, bare: str, own: str, facts: dict, names: dict[str, str], aliases: list[tuple[str, str]], told: list[str] = ()) -> list[Problem]:
    """'Regulars mostly buy through Instagram Shop', 'they found us through the Shop app', said of
    a segment (the one the sentence names before it, else ``own``: the one the text is of or
    names): the facts hold no channel per segment.
    One problem a text; none in a sentence whose claim was refused already (``told``)."""
    segments = ((facts.get("segmentations") or {}).get("rfm") or {}).get("segments") or {}
    held = "(data.by_channel: orders, customers and revenue per channel, e.g. {data.by_channel.0.orders})" if (facts.get("data") or {}).get("by_channel") else "(this export names no sales channel)"
    for m in _pattern(channel_words(facts, names)).finditer(bare):
        start, end = _sentence_span(bare, m.start())
        before = bare[start:m.start()]
        if not before.strip() or _STEP_BEFORE.search(before) or _NOUN_BEFORE.search(before) or _NEGATION.search(before[-40:]) or bare[start:end].rstrip().endswith("?") or _told_in(bare, m.start(), told):
            continue
        named = [k for a, _, k in named_segments(bare[start:m.start()], aliases, capitalized=True)]
        key = named[-1] if named else own
        who = (segments.get(key) or {}).get("name") or key
        return [Problem(path, "claim_not_in_data", (
            f"'{' '.join(m.group(0).split())}': the facts count sales channels across the whole export only {held}, not per segment, so nothing says how or where {who} buy "
            f"or came from through '{' '.join((m.group('channel') or m.group('online')).split())}'; say it of all customers with a by_channel figure, or make the channel a step of the plan ('invite them to ...')"))]
    return []
