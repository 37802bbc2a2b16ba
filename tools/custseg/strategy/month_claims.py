"""Sales by month (data.by_month) cited by the month, and held to the months the words name.

A trial's plan cited ``{data.by_month.63.revenue}`` (by position: 2025-06) as "the third quarter",
and check.py answered a month-named ``{data.by_month.2025-08.revenue}`` with "did you mean
{data.by_month.58.revenue}?", which is 2025-01. The months are now keyed by their YYYY-MM
(resolve.fact_keys); a citation by position or in another spelling of the month ('2025-8',
'2025_08') gets the month's own key as its hint, and a sentence that names a month or a quarter
('in August', 'the third quarter', 'Q4 2024', 'June to August') cites only months inside what it
names. Seasons ('summer', 'Christmas') are left alone: where they begin and end is the writer's.
Standard library only.
"""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

PREFIX = "data.by_month."
MONTH_FACT = re.compile(r"^data\.by_month\.(\d{4}-\d{2})\.\w+$")
# a month as a model may write it: 2025-8, 2025_08, 202508, 2025-08-01
_SPELLED_MONTH = re.compile(r"^(\d{4})[-_/]?(\d{1,2})(?:[-_/]\d{1,2})?$")
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
# Capitalised only: 'may' and 'march' are also words ('sales may fall')
_MONTH_WORD = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_YEAR = r"(?:,?\s+(?:of\s+)?(?P<year>(?:19|20)\d{2}))?"
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
# 'June to August', 'Nov-Feb', 'from March through May 2025'
MONTH_RANGE = re.compile(rf"\b(?P<a>{_MONTH_WORD})\.?\s*(?:to|through|till|until|-|\u2013)\s*(?P<b>{_MONTH_WORD})\b\.?{_YEAR}")
MONTH = re.compile(rf"\b(?P<m>{_MONTH_WORD})\b\.?{_YEAR}")
QUARTER = re.compile(rf"\b(?:(?i:q)(?P<q>[1-4])|(?i:(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter))\b{_YEAR}")


def _month_number(word: str) -> int:
    return next(i + 1 for i, name in enumerate(MONTH_NAMES) if name.lower().startswith(word.lower()[:3]))


def months_held(keys: dict[str, Any]) -> list[str]:
    """The months data.by_month holds (YYYY-MM), in order."""
    return sorted({k[len(PREFIX):].split(".", 1)[0] for k in keys if k.startswith(PREFIX)})


def month_hint(key: str, keys: dict[str, Any]) -> str | None:
    """What to say of an unknown ``data.by_month`` key: the month's own key for a position
    (data.by_month.58.revenue) or another spelling of a month the data holds, else the months
    it holds; None for any other key."""
    if not key.startswith(PREFIX):
        return None
    held = months_held(keys)
    item, _, field = key[len(PREFIX):].partition(".")
    month = None
    if item.isdigit() and len(item) < 4 and int(item) < len(held):
        month = held[int(item)]
    elif m := _SPELLED_MONTH.match(item):
        month = f"{m.group(1)}-{int(m.group(2)):02d}"
    fields = sorted({k.rsplit(".", 1)[1] for k in keys if k.startswith(PREFIX)})
    if month in held:
        close = f"{PREFIX}{month}.{field if field in fields else 'revenue' if 'revenue' in fields else 'orders'}"
        return f"did you mean {{{close}}}? Sales by month are cited by the month (YYYY-MM), not by position"
    if not held:
        return None
    return (f"sales by month are cited by the month, {{data.by_month.<YYYY-MM>.<field>}} (fields: {', '.join(fields)}), "
            f"and the data holds {held[0]} to {held[-1]}")


def _named_periods(sentence: str) -> list[tuple[set[int], int | None, str]]:
    """The months of the year a sentence names, each with its year where one follows it: a month,
    a range of months, a quarter; (months, year or None, the words)."""
    bare = PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), sentence)
    out = []
    for m in MONTH_RANGE.finditer(bare):
        a, b = _month_number(m.group("a")), _month_number(m.group("b"))
        span = {(a - 1 + i) % 12 + 1 for i in range((b - a) % 12 + 1)}
        out.append((span, int(m.group("year")) if m.group("year") else None, m.group(0)))
        bare = bare[: m.start()] + " " * (m.end() - m.start()) + bare[m.end():]
    for m in MONTH.finditer(bare):
        out.append(({_month_number(m.group("m"))}, int(m.group("year")) if m.group("year") else None, m.group(0)))
    for m in QUARTER.finditer(bare):
        q = int(m.group("q")) if m.group("q") else _ORDINAL[m.group("ord").lower()]
        out.append(({3 * q - 2, 3 * q - 1, 3 * q}, int(m.group("year")) if m.group("year") else None, m.group(0)))
    return out


def month_claims(path: str, text: str) -> list[Problem]:
    """A sentence that names months or quarters and cites a month of data.by_month outside all of
    them ('the third quarter: {data.by_month.2025-06.revenue}'): the figure is another month's."""
    out = []
    for sentence in SENTENCE_END.split(text or ""):
        cited = [(k, MONTH_FACT.match(k).group(1)) for k in PLACEHOLDER.findall(sentence) if MONTH_FACT.match(k)]
        named = _named_periods(sentence) if cited else []
        if not named:
            continue
        for key, month in cited:
            year, number = int(month[:4]), int(month[5:])
            if any(number in months and (said_year is None or said_year == year) for months, said_year, _ in named):
                continue
            words = " and ".join(f"'{w.strip()}'" for _, _, w in named)
            out.append(Problem(path, "claim_contradicts_fact", (
                f"'{sentence.strip()}' names {words} but cites {{{key}}}, the figure of {MONTH_NAMES[number - 1]} {year}: "
                "cite the months the words name (data.by_month.<YYYY-MM>), or name the month the figure is of")))
            break
    return out
