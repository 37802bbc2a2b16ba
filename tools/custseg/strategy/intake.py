"""What the plan records of the user's intake answers besides the budget: their hunches with a
verdict on each (``hypotheses``), and whether the export is their whole customer base
(``data_scope``).

The intake asks for hunches ("dearer plans stay longer") and the briefs have the model say
which the segments can speak to; the plan's ``hypotheses`` carry those verdicts into the
report, so the user's own questions are answered. A verdict the data settles rests on facts,
so its evidence cites at least one; a whole plan for a user who gave hunches answers them.
On a sample of the business (a trial's wholesaler: "I think the export is a sample of our
order lines"), the export's counts and revenue are not the business's: a text that calls them
"our total revenue" or "all our customers" is refused. Standard library only.
"""

from __future__ import annotations

import itertools
import re
import typing
from typing import Any

from custseg.strategy.answers import labelled
from custseg.strategy.comparisons import _kind, _shown, said_order, thin_history
from custseg.strategy.document import _items
from custseg.strategy.kpis import _NEXT_RATE, _at_cutoff, _cited_too_few, partial_period
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER, value_kind
from custseg.strategy.schema import UNTESTABLE, Verdict

HUNCH_LABEL = re.compile(r"hypothes|hunch", re.IGNORECASE)
# Words of an answer that gives no hunch: the intake's default ('none') and its like ('no
# hunches yet', 'n/a', 'none (default)'). An answer made only of these holds none.
_NO_HUNCH_WORDS = {
    "none", "no", "nope", "nothing", "n/a", "na", "not", "really", "default", "the", "hunch", "hunches", "hypothesis", "hypotheses",
    "yet", "so", "far", "for", "now", "in", "particular", "any", "i", "have", "don't", "dont", "do", "we", "of", "course", "thanks",
}
SETTLED = [v for v in typing.get_args(Verdict) if v != UNTESTABLE]


def hunch_answer(answers: Any) -> tuple[str, str] | None:
    """(label, the user's words) of the intake's Hypotheses answer when it holds a hunch; None
    when there is no such answer or it gives none ('none', 'no', 'n/a')."""
    for label, value in labelled(answers, HUNCH_LABEL):
        words = "; ".join(str(v) for v in value) if isinstance(value, list) else value
        if isinstance(words, str) and not set(re.findall(r"[a-z/']+", words.lower())) <= _NO_HUNCH_WORDS:
            return label, words.strip()
    return None


def _quoted(words: str) -> str:
    return words if len(words) <= 80 else words[:77] + "..."


def unanswered_hunches(doc: dict, answers: Any, final: bool = True) -> list[Problem]:
    """The whole plan has no hypotheses where the user gave hunches at intake (a phase-3 draft
    may still lack them)."""
    answer = hunch_answer(answers)
    if not final or answer is None or doc.get("hypotheses"):
        return []
    label, words = answer
    return [Problem("hypotheses", "hunch_unanswered", (
        f"the user gave hunches at intake ('{label}': \"{_quoted(words)}\") and the plan checks none; add one item to hypotheses per hunch: "
        f"the hunch in their words, a verdict ({', '.join(SETTLED)} or {UNTESTABLE}) and evidence citing the facts that settle it "
        "(for one this data cannot test, what data would), so that the report answers them"))]


def verdicts_without_facts(doc: dict, example: str) -> list[Problem]:
    """A verdict the data settles ('holds', 'does not hold', 'partly holds') whose evidence
    cites no fact: the report would give the user a verdict nothing in it backs."""
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, evidence = item.get("verdict"), item.get("evidence")
        if verdict in SETTLED and isinstance(evidence, str) and evidence.strip() and not PLACEHOLDER.search(evidence):
            out.append(Problem(f"hypotheses[{i}].evidence", "verdict_without_fact", (
                f"'{verdict}' rests on no fact: cite the facts that show it as fact references (such as {{{example}}}), "
                f"or, if this data cannot answer the hunch, make the verdict '{UNTESTABLE}' and say what data would")))
    return out


# The verdicts that say the data settles a hunch one way; 'partly holds' hedges already.
FIRM = ("holds", "does not hold")
# The count a next-period rate is of ({...validation.segments.loyal.customers}): cited beside the rate, part of it.
_RATE_BASE = re.compile(r"segmentations\.[^.]+\.validation\.segments\.[^.]+\.customers")


def verdicts_on_too_few(doc: dict, segmentation: str, seg_facts: dict) -> list[Problem]:
    """'Holds' on the evidence of a next-period rate of a handful: a trial's 'customers who buy
    twice keep buying' rested on Loyal's 75.0%, which was 3 of 4 customers. Evidence that cites
    only next-period rates, one of them of fewer than MIN_RATE_CUSTOMERS at the check's cutoff,
    cannot settle a hunch either way; the data is too thin to tell."""
    at_cutoff = _at_cutoff(seg_facts)
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, evidence = item.get("verdict"), item.get("evidence")
        cited = list(dict.fromkeys(PLACEHOLDER.findall(evidence))) if verdict in FIRM and isinstance(evidence, str) else []
        thin = [why for key in cited if (why := _cited_too_few(key, segmentation, at_cutoff))]
        if thin and all(_NEXT_RATE.fullmatch(key) or _RATE_BASE.fullmatch(key) for key in cited):
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_on_too_few", (
                f"{thin[0]}, nor a verdict: '{verdict}' rests on next-period rates alone, and one of so few customers cannot settle the hunch either way; "
                f"make the verdict '{UNTESTABLE}' and say the data is too thin to tell (a rerun on more customers would), or cite facts of more customers that settle it")))
    return out


def verdicts_on_thin_history(doc: dict, keys: dict[str, Any]) -> list[Problem]:
    """'Holds' on a figure of the segment history of a handful: a trial's 'our VIPs have drifted'
    rested on Champions at an early cutoff, 3 customers of whom one came back. Evidence citing a
    history figure (a segment's, or everyone's) of fewer than MIN_RATE_CUSTOMERS customers at its
    cutoff cannot settle a hunch either way, whatever else it cites beside it: the change it
    speaks of is read off that figure."""
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, evidence = item.get("verdict"), item.get("evidence")
        cited = list(dict.fromkeys(PLACEHOLDER.findall(evidence))) if verdict in FIRM and isinstance(evidence, str) else []
        thin = [why for key in cited if (why := thin_history(key, keys))]
        if thin:
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_on_too_few", (
                f"'{verdict}' rests on the segment history, and {thin[0]}, so it cannot settle the hunch either way; "
                f"make the verdict '{UNTESTABLE}' and say the data is too thin to tell at that cutoff, or cite cutoffs where the segment held more customers")))
    return out


# A segment's repeat rate, and what it is of (the segment's count, the data's span and customers)
_REPEAT_RATE = re.compile(r"segmentations\.[^.]+\.segments\.[^.]+\.repeat_rate")
_REPEAT_RATE_BASE = re.compile(r"segmentations\.[^.]+\.segments\.[^.]+\.count|data\.(?:days_covered|customers)")


def verdicts_on_partial_period(doc: dict, days_covered: Any, period_days: Any) -> list[Problem]:
    """'Holds' on 22 days of a coaching business's payments, resting on Premium's repeat rate
    (one client of 30) against Core's (none): on data shorter than a period, who paid twice in
    those weeks says nothing yet of who renews, so repeat rates alone settle no hunch."""
    if not partial_period(days_covered, period_days):
        return []
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, evidence = item.get("verdict"), item.get("evidence")
        cited = set(PLACEHOLDER.findall(evidence)) if verdict in FIRM and isinstance(evidence, str) else set()
        if any(_REPEAT_RATE.fullmatch(k) for k in cited) and all(_REPEAT_RATE.fullmatch(k) or _REPEAT_RATE_BASE.fullmatch(k) for k in cited):
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_on_too_few", (
                f"'{verdict}' rests on repeat rates alone, and the data covers {days_covered:g} days ({{data.days_covered}}), less than one period of {period_days:g} ({{period_days}}): "
                f"who bought twice in those weeks is too short a span to tell who comes back or renews; make the verdict '{UNTESTABLE}' and say the data is too short to tell "
                "(an export of at least one period would), or cite facts that settle it")))
    return out


# Where customers are (data.countries, a segment's countries): the facts a hunch about home and abroad rests on
_COUNTRY_FACT = re.compile(r"data\.countries\.[\w.-]+|segmentations\.[^.]+\.segments\.[^.]+\.countries\.[\w.-]+")
_SIDE_RATE = re.compile(r"data\.countries\.(?:home|abroad)\.repeat_rate")


def home_abroad_within_chance(countries: Any) -> bool:
    """Whether the repeat rates abroad and at home (data.countries) lie within the gap chance
    alone keeps groups of their sizes apart; False where a rate or the gap is missing."""
    if not isinstance(countries, dict):
        return False
    home, abroad = (countries.get("home") or {}), (countries.get("abroad") or {})
    values = (home.get("repeat_rate"), abroad.get("repeat_rate"), abroad.get("chance_gap"))
    return all(isinstance(v, (int, float)) for v in values) and abs(values[1] - values[0]) <= values[2]


def cites_rates_within_chance(item: Any, countries: Any) -> bool:
    """Whether a hunch's evidence cites the repeat rate abroad or at home, and the two lie within
    chance of each other: then 'cannot be tested with this data' is the data's own answer."""
    evidence = item.get("evidence") if isinstance(item, dict) else None
    return isinstance(evidence, str) and any(_SIDE_RATE.fullmatch(k) for k in PLACEHOLDER.findall(evidence)) and home_abroad_within_chance(countries)


def verdicts_within_chance(doc: dict, facts: dict) -> list[Problem]:
    """'Holds' on a trial's 3 repeaters of 35 abroad (8.6%) against 13.1% at home: evidence that
    rests on the repeat rates at home and abroad, with country facts alone beside them, cannot
    settle a hunch either way when the two rates lie closer than chance alone keeps groups of
    these sizes (data.countries.abroad.chance_gap, as the holdout's), as a next-period rate of a
    handful cannot (verdicts_on_too_few)."""
    countries = (facts.get("data") or {}).get("countries") or {}
    if not home_abroad_within_chance(countries):
        return []
    rates, chance = (countries["home"]["repeat_rate"], countries["abroad"]["repeat_rate"]), countries["abroad"]["chance_gap"]
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, evidence = item.get("verdict"), item.get("evidence")
        cited = set(PLACEHOLDER.findall(evidence)) if verdict in FIRM and isinstance(evidence, str) else set()
        if any(_SIDE_RATE.fullmatch(k) for k in cited) and all(_COUNTRY_FACT.fullmatch(k) for k in cited):
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_on_too_few", (
                f"'{verdict}' rests on the repeat rates abroad ({rates[1]:.1%}, {{data.countries.abroad.repeat_rate}}) and at home ({rates[0]:.1%}, {{data.countries.home.repeat_rate}}), "
                f"{abs(rates[1] - rates[0]) * 100:.1f} points apart: within the {chance * 100:.1f} points that chance alone keeps groups of these sizes apart ({{data.countries.abroad.chance_gap}}), "
                f"so the data cannot tell them apart; make the verdict 'partly holds' or '{UNTESTABLE}' and say the gap is within chance, or cite facts that settle it")))
    return out


# Two rates whose gap chance alone keeps within a fact the run gives: home's and abroad's
# repeat rates (data.countries.abroad.chance_gap), the held-out customers' and the others'
# (validation's chance_gap beside them)
_HELD_OUT_PAIR = re.compile(r"(.+)\.(?:held_out|others)_repeat_rate")


def _chance_gap_of(pair: tuple[str, str], keys: dict[str, Any]) -> str | None:
    """The fact key of the gap chance alone keeps the two rates of ``pair`` within, if the facts give one."""
    a, b = sorted(pair)
    if (a, b) == ("data.countries.abroad.repeat_rate", "data.countries.home.repeat_rate"):
        gap = "data.countries.abroad.chance_gap"
    elif (m := _HELD_OUT_PAIR.fullmatch(a)) and (a, b) == (f"{m.group(1)}.held_out_repeat_rate", f"{m.group(1)}.others_repeat_rate"):
        gap = f"{m.group(1)}.chance_gap"
    else:
        return None
    return gap if isinstance(keys.get(gap), (int, float)) and not isinstance(keys.get(gap), bool) else None


def verdicts_against_figures(doc: dict, keys: dict[str, Any], aliases: list[tuple[str, str]], segmentation: str,
                             products: dict[str, tuple[str, str]] | None = None) -> list[Problem]:
    """'Bag starters come back more than jacket starters', answered 'does not hold' on evidence
    whose two come-back rates put the bags first (and 'holds' on figures the other way round): a
    hunch that compares two sides whose figures its evidence cites (comparisons.py reads the sides
    and the words) is held to their order. 'Holds' needs the figures in the hunch's order, 'does
    not hold' the other order or a tie; where the facts give the gap chance alone keeps the two
    within (data.countries.abroad.chance_gap), a difference inside it shows nothing, so 'holds' is
    refused and 'does not hold' stands. Sides the hunch does not name, words that order nothing,
    'partly holds' and 'cannot be tested' are left alone, and so is evidence whose pairs disagree."""
    out = []
    for i, item in _items(doc, "hypotheses"):
        verdict, hunch, evidence = item.get("verdict"), item.get("hunch"), item.get("evidence")
        if verdict not in FIRM or not isinstance(hunch, str) or not isinstance(evidence, str):
            continue
        by_kind: dict[str, list[str]] = {}
        for key in dict.fromkeys(PLACEHOLDER.findall(evidence)):
            if isinstance(keys.get(key), (int, float)) and not isinstance(keys.get(key), bool):
                by_kind.setdefault(_kind(key), []).append(key)
        read = []
        # two figures of a kind: the one side the hunch names sets the other apart; more: each pair whose two sides it names
        pairs = [(pair, len(ks) > 2) for ks in by_kind.values() if len(ks) > 1 for pair in itertools.combinations(ks, 2)]
        for pair, both in pairs:
            order = said_order(hunch, pair, keys, aliases, segmentation, products, both_named=both)
            if order is None or order.higher is None:
                continue
            first, second = order.first, order.second
            shown = first.value > second.value if order.higher else first.value < second.value
            gap = _chance_gap_of(pair, keys)
            read.append((order, shown, gap if gap and abs(first.value - second.value) <= keys[gap] else None))
        if not read or len({shown for _, shown, _ in read}) != 1:
            continue
        order, shown, within = read[0]
        said = f"the hunch says {{{order.first.key}}} is {'higher' if order.higher else 'lower'} than {{{order.second.key}}}"
        figures = f"the evidence gives {_shown(order.first.key, order.first.value)} against {_shown(order.second.key, order.second.value)}"
        if verdict == "holds" and not shown:
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_against_figures", (
                f"'holds' but {said}, and {figures}: the figures its evidence cites show it does not hold; "
                "make the verdict 'does not hold' (or 'partly holds' where other facts bear part of it out), or cite the facts that show it holds")))
        elif verdict == "holds" and within:
            gap = _chance_gap_of((order.first.key, order.second.key), keys)
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_against_figures", (
                f"'holds' but {said}, and {figures}, {abs(order.first.value - order.second.value) * 100:.1f} points apart: within the {keys[gap] * 100:.1f} points "
                f"that chance alone keeps groups of these sizes apart ({{{gap}}}), so the data does not show it; make the verdict 'does not hold' "
                "(the data does not bear it out) or 'cannot be tested with this data', and say the gap is within chance")))
        elif verdict == "does not hold" and shown and not within:
            out.append(Problem(f"hypotheses[{i}].verdict", "verdict_against_figures", (
                f"'does not hold' but {said}, and {figures}: the figures its evidence cites bear it out; "
                "make the verdict 'holds' (or 'partly holds' where other facts go against part of it), or cite the facts that show it does not hold")))
    return out


def part_of_base(doc: Any) -> str | None:
    """The user's words ('' when the plan gives none) when the plan records that the export is
    not their whole customer base (data_scope.whole_base false: a sample, one shop of several);
    None otherwise."""
    scope = doc.get("data_scope") if isinstance(doc, dict) else None
    if not isinstance(scope, dict) or scope.get("whole_base") is not False:
        return None
    return str(scope.get("answer") or "").strip()


def whole_base_with_channel_left_out(doc: Any, data: dict) -> list[Problem]:
    """data_scope.whole_base true on a run that left a sales channel out (--exclude-channel, trial
    B's Honeycomb): the export's counts and revenue leave that channel's buyers out, so the report
    must not read them as the whole customer base."""
    scope = doc.get("data_scope") if isinstance(doc, dict) else None
    left = data.get("excluded_channels") if isinstance(data.get("excluded_channels"), dict) else {}
    channels = [str(c) for c in left.get("channels") or []]
    if not isinstance(scope, dict) or scope.get("whole_base") is not True or not (channels or (data.get("dropped") or {}).get("excluded_channel")):
        return []
    named = (channels[0] if len(channels) == 1 else ", ".join(channels[:-1]) + " and " + channels[-1]) if channels else "a sales channel"
    return [Problem("data_scope.whole_base", "whole_base_channel_left_out", (
        f"whole_base is true, but this run left out the orders through {named} at the user's request (data.excluded_channels): the export's counts and revenue "
        f"leave that channel's buyers out, so they are not the whole customer base; set whole_base to false and say in the answer that {named}'s buyers were left out"))]


# 'our total revenue', 'all our customers', 'the business's whole customer base': the export's
# figure told as the business's, before or after a count or an amount ('all {count} of our customers').
_WHOLE = r"(?:all\s+(?:of\s+)?(?:our|your|the\s+business'?s?|the\s+company'?s)|(?:our|your|the\s+business'?s?|the\s+company'?s)\s+(?:total|whole|entire|overall|full))"
_WHOLE_NOUN = r"(?:customer\s+base|base|customers|buyers|clients|shoppers|accounts|revenue|sales|turnover|income|orders|business)\b"
_FIGURE = "\u00a7F\u00a7"  # a count or an amount cited as a fact reference
SAMPLE_AS_WHOLE = re.compile(
    rf"\b{_WHOLE}\s+{_WHOLE_NOUN}[\s,:]*(?:(?:of|is|was|are|were|at|to|reached|came|comes|stands|totals?|totalled|totaled|makes?|made|up|about|around|roughly|some)\s+){{0,3}}{_FIGURE}"
    rf"|\ball\s+{_FIGURE}\s+(?:of\s+)?(?:our|your)\s+{_WHOLE_NOUN}"
    rf"|{_FIGURE}\s+(?:\w+\s+)?(?:in\s+)?(?:\(|,|:|-|\u2013|\u2014)\s*(?:that\s+is\s+|i\.e\.\s+|or\s+)?{_WHOLE}\s+{_WHOLE_NOUN}",
    re.IGNORECASE,
)
_WHOLE_KINDS = ("count", "money")


def sample_told_as_whole(path: str, text: str) -> list[Problem]:
    """On a part of the business (data_scope.whole_base false), a count or an amount of the
    export told as the business's ('our total revenue of {data.revenue_total}')."""
    marked = PLACEHOLDER.sub(lambda m: _FIGURE if value_kind(m.group(1)) in _WHOLE_KINDS else "fact", text)
    m = SAMPLE_AS_WHOLE.search(marked)
    if not m:
        return []
    said = m.group(0).replace(_FIGURE, "{...}")
    return [Problem(path, "sample_as_whole", (
        f"'{said}' tells a figure of this export as the business's, and the user said the export is not their whole customer base (data_scope): "
        "its counts and revenue are the export's; say so ('in this export'), or give a share or a rate, which holds if the export is a fair sample"))]
