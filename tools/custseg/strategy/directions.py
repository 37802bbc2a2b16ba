"""Which way a sentence says two cited figures compare, and whether the figures agree: one reading
for the products' and the countries' checks (product_claims, country_claims).

A trial's plan passed a come-back rate "well above" everyone's when it was below; a UCI trial's
passed "German shops reorder less often than UK shops ({...germany.repeat_rate} against
{...united-kingdom.repeat_rate})" where the German rate was the higher. The first figure is said of
the second: by a word between them ('above', 'below'), by a direction before both and 'than'
between ('Fewer of At Risk ({a}) than of Champions ({b})'), or by a comparison said before both
figures set side by side ('less often than UK shops ({a} against {b})'). Standard library only.
"""

from __future__ import annotations

import re

# 'came back at {a}, well above everyone's {b}', '{a} of them, more than the {b} of all customers'
HIGHER = re.compile(r"\b(?:above|higher|more\s+often|more\s+than|better|beats?|beating|outperform\w*|twice|double|exceed\w*|ahead\s+of)\b", re.IGNORECASE)
LOWER = re.compile(r"\b(?:below|lower|less\s+often|less\s+than|fewer|worse|behind|trails?|trailing)\b", re.IGNORECASE)
# The direction said before both figures, 'than' between them: 'Fewer of At Risk ({a}) than of
# Champions ({b}) buy the Tee', 'More Champions ({a}) than Loyal ({b})'; not a quantity ('more than
# half of them ({a})'), which is no side of the comparison
DIRECTION_FIRST = re.compile(r"\b(?:(?P<up>more|higher|bigger|larger|greater)|(?P<down>fewer|less|lower|smaller))\b(?!\s+than\b)", re.IGNORECASE)
THAN = re.compile(r"\bthan\b", re.IGNORECASE)
# A whole comparison before both figures: 'reorder less often than UK shops', 'a lower repeat rate
# than the rest'; not a quantity ('more than half')
DIRECTION_THAN = re.compile(
    r"\b(?:(?P<up>more|higher|bigger|larger|greater|better)|(?P<down>less|fewer|lower|smaller|worse))\b(?:\s+[\w'-]+){0,3}?\s+than\b(?!\s+(?:half|a\s+third|a\s+quarter|ever)\b)",
    re.IGNORECASE,
)
# Two figures set side by side, after the comparison: '({a} against {b})', '{a} vs {b}', '{a} and {b}'
SIDE_BY_SIDE = re.compile(r"\b(?:against|vs\.?|versus|compared\s+(?:with|to)|beside|next\s+to)(?!\w)|^[\s,;:()/-]*(?:and\s*)?$", re.IGNORECASE)


def said_direction(before: str, between: str) -> tuple[re.Match, bool] | None:
    """The words that say how the first of two figures compares with the second, and whether
    they say it is the higher: ``between`` is the text between the two references, ``before``
    the sentence's text before the first. None where the sentence says no one direction."""
    higher, lower = HIGHER.search(between), LOWER.search(between)
    if higher or lower:
        return None if higher and lower else (higher or lower, bool(higher))
    if THAN.search(between):
        first = list(DIRECTION_FIRST.finditer(before))
        return (first[-1], bool(first[-1].group("up"))) if first else None
    if SIDE_BY_SIDE.search(between):
        whole = list(DIRECTION_THAN.finditer(before))
        return (whole[-1], bool(whole[-1].group("up"))) if whole else None
    return None


def opposite(before: str, between: str, first: float, second: float) -> str | None:
    """The words of the direction a sentence says between two figures, where the figures say the
    opposite (the first no higher than the second for 'above', no lower for 'below')."""
    said = said_direction(before, between)
    if said is None:
        return None
    words, up = said
    return words.group(0) if (first <= second if up else first >= second) else None


def opposite_message(words: str, first_key: str, first: float, second_key: str, second: float) -> str:
    """What check.py says of two rates compared the wrong way round."""
    return (f"'{words}' of {{{first_key}}} ({first:.1%}) against {{{second_key}}} ({second:.1%}), which say the opposite: "
            "say how the two figures compare as they are")
