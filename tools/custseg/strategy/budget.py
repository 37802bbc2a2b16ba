"""Budget checks: the pathways' costs over the roadmap's weeks against the budget, and each
segment's pathways against its shares of the targeting matrix. Standard library only."""

from __future__ import annotations

import re

from custseg.strategy.document import _items, _number
from custseg.strategy.problems import Problem


WEEKS_PER = {"week": 1.0, "month": 52 / 12, "quarter": 13.0}
# A budget's unit when the export names no currency: the plan's money is in the currency its
# amounts are in, said plainly rather than left as a bare '3,000'.
UNKNOWN_CURRENCY = "(in the export's currency)"


def budget_unit(currency: str | None) -> str:
    """What follows a budget amount: ' USD', or ' (in the export's currency)' without one."""
    return f" {currency}" if currency else f" {UNKNOWN_CURRENCY}"


def _roadmap_weeks(doc: dict, per: str) -> tuple[float, str]:
    """The weeks the pathways' costs run over, and how a message says so: the roadmap's weeks,
    or one period of the budget while the plan has no roadmap yet (a draft at stage strategy)."""
    phases = doc.get("roadmap") if isinstance(doc.get("roadmap"), list) else []
    weeks = sum(w for w in (_number(p.get("weeks")) for p in phases if isinstance(p, dict)) if w)
    if weeks:
        return weeks, f"over the roadmap's {weeks:g} weeks"
    return WEEKS_PER[per], f"over one {per} (the budget's period, as the plan has no roadmap yet)"


def _over_budget(doc: dict, currency: str | None = None) -> list[Problem]:
    """The pathways' costs over the roadmap's weeks against the budget for those weeks: one-off
    costs count once, recurring ones every period (a plan without a roadmap counts one period)."""
    budget = doc.get("budget")
    if not isinstance(budget, dict) or budget.get("per") not in WEEKS_PER:
        return []
    weeks, over = _roadmap_weeks(doc, budget["per"])
    pathways = [p.get("investment") for p in (doc.get("pathways") if isinstance(doc.get("pathways"), list) else []) if isinstance(p, dict)]
    out = []
    for field_name, what in (("amount", "budget"), ("hours", "hours")):
        allowed = _number(budget.get(field_name))
        if allowed is None:
            continue
        cost = 0.0
        for inv in (i for i in pathways if isinstance(i, dict)):
            value = _number(inv.get("budget" if field_name == "amount" else "hours")) or 0.0
            recurs = inv.get("hours_per") if field_name == "hours" and inv.get("hours_per") in WEEKS_PER else inv.get("per")
            cost += value * weeks / WEEKS_PER[recurs] if recurs in WEEKS_PER else value
        per = budget.get("hours_per") if field_name == "hours" and budget.get("hours_per") in WEEKS_PER else budget["per"]
        # channels run by people: their hours recur, by default per the budget's hours period
        cells = [(h, c.get("hours_per")) for _, c in _items(doc, "targeting_matrix") if (h := _number(c.get("hours")))] if field_name == "hours" else []
        cost += sum(h * weeks / WEEKS_PER[p if p in WEEKS_PER else per] for h, p in cells)
        available = allowed * weeks / WEEKS_PER[per]
        if cost > available + 1e-6:
            unit = budget_unit(currency) if field_name == "amount" else " staff hours"
            whose, lower = ("the pathways' and the targeting matrix's channels'", "the pathways' and channels' hours") if cells else ("the pathways'", "the pathways' investment")
            out.append(Problem(f"budget.{field_name}", "plan_over_budget", f"{over} {whose} {what} {'comes' if field_name == 'amount' else 'come'} to {cost:,.0f}{unit}, more than the {available:,.0f}{unit} the budget allows; lower {lower}, spread it over a longer roadmap, or agree a larger budget with the user"))
    return out


def _pathways_beyond_share(doc: dict, currency: str | None = None) -> list[Problem]:
    """The targeting matrix divides the budget among segments; a segment's pathways are paid
    from its part (or from what no cell took), not on top of it: over the roadmap, the money
    of the pathways from a segment must fit its shares plus the unallocated rest."""
    budget = doc.get("budget")
    amount = _number(budget.get("amount")) if isinstance(budget, dict) else None
    if not amount or budget.get("per") not in WEEKS_PER:
        return []
    weeks, over = _roadmap_weeks(doc, budget["per"])
    available = amount * weeks / WEEKS_PER[budget["per"]]
    shares: dict[str, float] = {}
    for _, cell in _items(doc, "targeting_matrix"):
        share = _number(cell.get("budget_share"))
        if isinstance(cell.get("segment"), str) and share:
            shares[cell["segment"]] = shares.get(cell["segment"], 0.0) + share
    rest = max(0.0, 1.0 - sum(shares.values()))
    costs: dict[str, tuple[float, list[int]]] = {}
    for i, p in _items(doc, "pathways"):
        inv, key = p.get("investment"), p.get("from_segment")
        value = _number(inv.get("budget")) if isinstance(inv, dict) else None
        if not value or not isinstance(key, str):
            continue
        cost = value * weeks / WEEKS_PER[inv["per"]] if inv.get("per") in WEEKS_PER else value
        total, paths = costs.get(key, (0.0, []))
        costs[key] = (total + cost, paths + [i])
    out = []
    unit = budget_unit(currency)
    for key, (cost, paths) in costs.items():
        allowed = (shares.get(key, 0.0) + rest) * available
        if cost > allowed + 1e-6:
            part = f"its budget shares ({shares.get(key, 0.0):.0%})" + (f" and the {rest:.0%} no cell took" if rest > 1e-9 else "")
            out.append(Problem(f"pathways[{paths[0]}].investment.budget", "pathway_beyond_share", f"{over} the pathways from '{key}' cost {cost:,.0f}{unit}, more than the {allowed:,.0f}{unit} of {part} in the targeting matrix: the shares and the pathways spend the same budget; raise '{key}''s share or lower the pathways' investment"))
    return out


# Channels that run on someone's time, not on a tool: each contact is a person's minutes.
MANUAL_CHANNEL = re.compile(
    r"\b(?:phone|phoned|phoning|calls?|calling|telephone|visits?|in[\s-]person|face[\s-]to[\s-]face|hand-?written|handwritten|"
    r"personal\s+(?:notes?|emails?|messages?|outreach)|one[\s-]to[\s-]one|1:1|1-on-1|check-?ins?|account\s+managers?|sales\s+reps?|meetings?)\b",
    re.IGNORECASE,
)


def _manual_without_hours(doc: dict, fact_segments: dict) -> list[Problem]:
    """A trial's 'phone calls' channel for 257 stockists, with the owner's 4 hours a week as the
    budget and no hours anywhere: a channel run by people needs its hours on the cell, or in a
    pathway from that segment, to be held to the user's time at all."""
    budget = doc.get("budget")
    if not isinstance(budget, dict) or not _number(budget.get("hours")):
        return []
    timed = {p.get("from_segment") for _, p in _items(doc, "pathways") if isinstance(p.get("investment"), dict) and _number(p["investment"].get("hours"))}
    out = []
    for i, cell in _items(doc, "targeting_matrix"):
        key, channel = cell.get("segment"), cell.get("channel")
        if not isinstance(channel, str) or not MANUAL_CHANNEL.search(channel) or key in timed or _number(cell.get("hours")):
            continue
        stats = fact_segments.get(key) or {}
        count = _number(stats.get("count"))
        who = f"'{key}' ({stats.get('name') or key}, {count:,.0f} customers)" if count else f"'{key}'"
        out.append(Problem(f"targeting_matrix[{i}].channel", "manual_channel_without_hours", (
            f"'{channel}' for {who} takes staff time, but neither the cell nor a pathway from '{key}' gives hours, so none of it counts against the user's "
            f"{budget['hours']:g} hours: give the cell the hours it takes ('hours' and 'hours_per'; check.py holds them to the budget with the pathways'), "
            f"or pick a channel that runs without staff time")))
    return out
