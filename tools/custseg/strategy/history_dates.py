"""A figure of the segment history held to the side of a date its sentence puts it on.

A skill trial passed "Before the price rise in March 2024 the Insiders came back at
{segmentations.rfm.history.2024-07-09.champions.next_repeat_rate}": the cutoff is after the date
the sentence says the figure is before. A sentence that says 'before' (or 'until', 'prior to') or
'after' (or 'following') a date ('2024-03-15', '15 March 2024', 'March 15, 2024') or a month and
year ('March 2024'), the date within six words of the word ('before the price rise in March
2024'), and cites a history figure (a segment's, segmentations.rfm.history.<cutoff>..., or
everyone's, history_everyone.<cutoff>...) whose cutoff lies on the other side, is refused.

A month named right after the word ('before March 2024') starts it ('after March 2024': ends it);
a month further on ('before the price rise in March 2024') holds an event on a day the words do
not give, so only a cutoff past the month's end (before) or ahead of its start (after) is on the
wrong side. The word speaks of the figure nearest it that no other word of time ('then', 'now',
'since', 'from'), clause break or second date word sets apart, or of every history figure the
sentence cites where all are of one cutoff; a word right after a change ('fell after the price
rise ...') speaks of the change, which comparisons._time_order reads, and is left alone. 'Since'
is left alone: 'since the price rise they come back less often ({then}, {now})' cites a cutoff
before the date by design. Standard library only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from custseg.strategy.cited_claims import _CLAUSE_BREAK
from custseg.strategy.comparisons import CHANGE, SENTENCE, history_of
from custseg.strategy.month_claims import _MONTH_WORD, _month_number
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

_YEAR = r"(?:19|20)\d{2}"
_DATE = (rf"(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
         rf"|(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH_WORD})\.?,?\s+(?P<y1>{_YEAR})"
         rf"|(?P<m2>{_MONTH_WORD})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>{_YEAR})"
         rf"|(?P<m3>{_MONTH_WORD})\.?,?\s+(?:of\s+)?(?P<y3>{_YEAR})")
MARKER = re.compile(
    rf"\b(?i:(?P<before>before|until|till|prior\s+to)|(?P<after>after|following))\b(?P<gap>(?:\s+(?!(?i:before|after|since|from|then|now)\b)[\w'\u2019-]+){{0,6}}?)\s+(?i:(?:in|on|of|at)\s+)?(?P<date>{_DATE})\b")
# Words that set a figure apart from a date word: another word of time, 'from' of a change
_APART = re.compile(r"\b(?:before|after|since|until|then|now|earlier|later|previously|today|latest|newest|oldest|from|prior|following|against|versus|vs)\b", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(r"(?:[\w'-]+\s+){0,2}$")


def _span(m: re.Match) -> tuple[dt.date, dt.date, bool]:
    """(first day, last day, whether the date names a whole month) of a marker's date."""
    if m.group("iso"):
        try:
            day = dt.date.fromisoformat(m.group("iso"))
        except ValueError:
            raise LookupError from None
        return day, day, False
    for d, mon, y in (("d1", "m1", "y1"), ("d2", "m2", "y2")):
        if m.group(mon):
            try:
                day = dt.date(int(m.group(y)), _month_number(m.group(mon)), int(m.group(d)))
            except ValueError:
                raise LookupError from None
            return day, day, False
    year, month = int(m.group("y3")), _month_number(m.group("m3"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), True


def _wrong_side(cutoff: dt.date, before: bool, lo: dt.date, hi: dt.date, month: bool, direct: bool) -> bool:
    if before:
        return cutoff >= lo if (direct or not month) else cutoff > hi
    if month:
        return cutoff < hi if direct else cutoff < lo
    return cutoff < lo


def history_date_claims(path: str, text: str, keys: dict[str, Any], period_days: Any = None) -> list[Problem]:
    """Each sentence that puts a cited history figure before or after a date its cutoff is on the
    other side of: one problem a sentence."""
    if not isinstance(text, str) or "history" not in text:
        return []
    masked = PLACEHOLDER.sub(lambda m: "\u00a7" * len(m.group(0)), text)
    cited = [(m.start(), m.end(), m.group(1), h) for m in PLACEHOLDER.finditer(text) if (h := history_of(m.group(1))) is not None]
    if not cited:
        return []
    cutoffs = sorted({h[3] for k in keys if (h := history_of(k)) is not None})
    out = []
    for s in SENTENCE.finditer(masked):
        facts = [c for c in cited if s.start() <= c[0] < s.end()]
        if not facts:
            continue
        for m in MARKER.finditer(masked, s.start(), s.end()):
            if CHANGE.search(_CHANGE_BEFORE.search(masked, s.start(), m.start()).group(0)):
                continue  # 'fell after the price rise in March 2024, from {a} to {b}': the change's date, not a figure's
            try:
                lo, hi, month = _span(m)
            except LookupError:
                continue
            governed = facts if len({c[3][3] for c in facts}) == 1 else _nearest(masked, m, facts)
            before, direct = bool(m.group("before")), not m.group("gap").strip()
            wrong = [c for c in governed if _wrong_side(dt.date.fromisoformat(c[3][3]), before, lo, hi, month, direct)]
            if not wrong:
                continue
            start, end, key, h = wrong[0]
            side = "before" if before else "after"
            right = [c for c in cutoffs if not _wrong_side(dt.date.fromisoformat(c), before, lo, hi, month, direct)]
            after = f" in the {period_days:g} days after it" if isinstance(period_days, (int, float)) else " in the period after it"
            hint = f"cite a cutoff {side} it ({', '.join(right)})" if right else f"the history holds no cutoff {side} it, so say the data cannot show that"
            out.append(Problem(path, "claim_contradicts_fact", (
                f"'{text[s.start():s.end()].strip()}' puts {{{key}}} {side} {m.group('date')}, but it is the figure at the cutoff {h[3]} "
                f"(the customers as they stood that day, and who bought{after}), {'after' if before else 'before'} that date: {hint}")))
            break
    return out


def _nearest(masked: str, m: re.Match, facts: list) -> list:
    """The figure a date word speaks of: the nearest one no word of time or clause break sets apart."""
    best, gap = [], None
    for c in facts:
        between = masked[m.end():c[0]] if c[0] >= m.end() else masked[c[1]:m.start()]
        if _APART.search(between) or _CLAUSE_BREAK.search(between):
            continue
        if gap is None or len(between) < gap:
            best, gap = [c], len(between)
    return best
