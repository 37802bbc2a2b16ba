"""Claims held against the fact their own sentence cites, in any text of a plan: a cadence beside
a cited gap between purchases. A skill trial's hunch evidence passed 'The Steady Reorderers
restock roughly every month: {...loyal.median_gap_days} between orders' (79 days). Standard
library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.claims import (
    _COMPARING, _SEGMENT_FACT, CADENCE_TOLERANCE, _claimed_gap, _is_number, _sentence_span, cadence_claims, named_segments,
)
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER

FACT_WORD = " fact "  # what a fact reference reads as in a text's bare form


def bare_text(text: str) -> str:
    """The text with every fact reference read as a word, as the claim checks read it."""
    return PLACEHOLDER.sub(FACT_WORD, text)


def citations(text: str) -> list[tuple[int, str]]:
    """Where each fact reference stands in :func:`bare_text` of ``text``, with its key."""
    out, shift = [], 0
    for m in PLACEHOLDER.finditer(text):
        out.append((m.start() + shift, m.group(1)))
        shift += len(FACT_WORD) - len(m.group(0))
    return out


def _between(bare: str, claim: re.Match, at: int) -> str:
    """The words between a claim and a fact reference at ``at``, on whichever side it stands."""
    return bare[claim.end():at] if at >= claim.end() else bare[at + len(FACT_WORD):claim.start()]


def gap_citing_claims(bare: str, cited: list[tuple[int, str]], aliases: list[tuple[str, str]]) -> list[tuple[re.Match, str]]:
    """(cadence claim, the median_gap_days key it is held to) for every cadence claim whose
    sentence cites a segment's gap between purchases: the nearest such reference with no
    comparison ('than', 'unlike') and no segment's name between them ('they reorder every other
    month, where the Steady Regulars wait {...loyal.median_gap_days}': the gap is the Regulars')."""
    gaps = [(at, key) for at, key in cited if key.endswith(".median_gap_days") and _SEGMENT_FACT.match(key)]
    out = []
    for m in cadence_claims(bare, aliases) if gaps else ():
        start, end = _sentence_span(bare, m.start())
        near = [
            (abs(at - m.start()), key) for at, key in gaps
            if start <= at < end and not _COMPARING.search(between := _between(bare, m, at)) and not named_segments(between, aliases, capitalized=True)
        ]
        if near:
            out.append((m, min(near)[1]))
    return out


def cited_gap_claims(path: str, held: list[tuple[re.Match, str]], keys: dict[str, Any]) -> list[Problem]:
    """A cadence claim its sentence's own gap fact contradicts: more than twice that gap, or under
    half of it (the tolerance the segment's own cadence claims have)."""
    out = []
    for m, key in held:
        gap, claimed = keys.get(key), _claimed_gap(m)
        if not _is_number(gap) or gap <= 0 or gap / CADENCE_TOLERANCE <= claimed <= gap * CADENCE_TOLERANCE:
            continue
        owner = key.rpartition(".")[0]
        name = keys.get(f"{owner}.name") or _SEGMENT_FACT.match(key).group(2)
        out.append(Problem(path, "claim_contradicts_fact", (
            f"'{m.group(0)}' but the {{{key}}} the sentence cites is {gap:g} days: {name}'s customers who bought more than once typically came back every {gap:g} days, "
            f"not every {claimed:g}; let the figure say how often they come back, or say a cadence within half to twice it")))
    return out

