"""The CRM files' own groups of people, which a plan may name beside the segments of its
segmentation: which part of a plan may name which group, kept in one place so the segment-key
checks, the briefs and the report agree; and the checks of a plan for the prospects.

Beside the customers, the files list the contacts who never bought (a customers export's
sign-ups, key ``prospects``), the contacts whose orders were none kept (``no_kept_order``), the
people whose every payment failed (``payment_failed``) and an event log's users who never
bought (``unsegmented``). An automation rule may act on any of them. The prospects may also be
planned for: a share of the budget (the targeting matrix), a KPI on their first orders, and a
pathway that starts from them and ends where a first order puts a customer (New). They are
in no segment, so ``segments`` has no entry for them. Standard library only.
"""

from __future__ import annotations

from typing import Any

from custseg.strategy.definitions import OPERATORS, meets
from custseg.strategy.document import _items, _number
from custseg.strategy.problems import Problem

PROSPECTS = "prospects"  # render.exports.PROSPECT_KEY, which the skill's check.py cannot import (pandas): a test ties them
# The share of the prospects who place a first order: the one thing a plan for them can move.
# No fact measures it yet (a customers export gives no sign-up dates, so who was a contact a
# period ago cannot be told), so a KPI on it has no baseline and is first read at the next run.
FIRST_ORDER_RATE = "first_order_rate"
# The segment a first purchase puts a customer in, by segmentation: where a pathway from the
# prospects ends (RFM's New: one purchase day, bought recently; the lifecycle's first 30 days).
FIRST_ORDER_SEGMENT = {"rfm": "new", "lifecycle": "onboarding"}
# What the prospects have of the per-customer metrics a trigger tests: nothing bought.
NEVER_BOUGHT = {"purchase_days": 0, "orders": 0, "monetary_total": 0}

RULES = ("automation_rules", "segment")
# The parts of a plan, as (section, field), that may name the prospects; the other groups, rules only.
PROSPECT_PLACES = frozenset({("targeting_matrix", "segment"), ("kpis", "segment"), ("pathways", "from_segment"), RULES})


def plan_groups(facts: dict, fact_segments: dict) -> dict[str, frozenset[tuple[str, str]]]:
    """Each group the CRM files list beside the plan's segments (the keys of
    exports.reachable_by_segment that are not its segments), with the places of the plan that
    may name it: the prospects wherever a plan plans for people, when the files hold any
    (exports.groups), every other group in automation rules only."""
    exports = facts.get("exports") or {}
    listed = set(exports.get("reachable_by_segment") or {}) - set(fact_segments)
    return {k: PROSPECT_PLACES if k == PROSPECTS and k in (exports.get("groups") or {}) else frozenset({RULES}) for k in listed}


def plans_prospects(facts: dict) -> bool:
    """Whether a plan may plan for the prospects: the CRM files list some."""
    return PROSPECTS in ((facts.get("exports") or {}).get("groups") or {})


def misplaced_group(key: str, section: str, segmentation: str, fact_segments: dict) -> str:
    """Why a group may not be named in this part of the plan, and where it may."""
    if key != PROSPECTS or section == "segments":
        where = "in the targeting matrix, a KPI, a pathway's from_segment and automation rules" if key == PROSPECTS else "in automation rules only"
        return f"'{key}' is a group the CRM files list beside the segments, not a segment of {segmentation}: it has no strategy entry of its own, and a plan names it {where}"
    end = first_order_segment(segmentation, fact_segments)
    to = f"'{end}', where a first order puts them" if end else f"no segment of {segmentation}: a first order puts a customer in none of them in particular"
    return f"'{key}' are contacts who never bought: a pathway starts from them and leads to {to}; nothing leads back to never having bought"


def first_order_segment(segmentation: str, fact_segments: dict) -> str | None:
    key = FIRST_ORDER_SEGMENT.get(segmentation)
    return key if key in fact_segments else None


def prospect_problems(doc: dict, facts: dict, segmentation: str, fact_segments: dict) -> list[Problem]:
    """A plan for the prospects held to what they are (people who never bought), and their
    first-order rate kept to them: KPIs, then pathways."""
    if not plans_prospects(facts):
        return []
    out = []
    for i, k in _items(doc, "kpis"):
        out += _kpi_problems(i, k)
    for i, p in _items(doc, "pathways"):
        out += _pathway_problems(i, p, segmentation, fact_segments)
    return out


def _kpi_problems(i: int, kpi: dict) -> list[Problem]:
    metric, ours = kpi.get("metric"), kpi.get("segment") == PROSPECTS
    if not ours:
        if metric == FIRST_ORDER_RATE:
            return [Problem(f"kpis[{i}].metric", "unknown_metric", f"{FIRST_ORDER_RATE} is the share of the contacts who never bought ('{PROSPECTS}') who place a first order; every customer of '{kpi.get('segment')}' has bought: measure one of their own metrics")]
        return []
    if isinstance(metric, str) and metric != FIRST_ORDER_RATE:
        return [Problem(f"kpis[{i}].metric", "unknown_metric", f"'{PROSPECTS}' never bought, so {metric} says nothing of them; a KPI for them measures {FIRST_ORDER_RATE}, the share of them who place a first order (a fraction)")]
    if kpi.get("baseline") is not None:
        return [Problem(f"kpis[{i}].baseline", "baseline_other_metric", (
            f"no fact measures the {FIRST_ORDER_RATE} of '{PROSPECTS}': the customers export gives no sign-up dates, so who was a contact a period ago, and bought since, cannot be told; "
            "write null: the rate is first read at the next run (today's prospects who are customers then) or in the email tool's report of orders from the welcome series"))]
    return []


def _pathway_problems(i: int, p: dict, segmentation: str, fact_segments: dict) -> list[Problem]:
    success = p.get("success_metric") if isinstance(p.get("success_metric"), dict) else {}
    if p.get("from_segment") != PROSPECTS:
        if success.get("metric") == FIRST_ORDER_RATE:
            return [Problem(f"pathways[{i}].success_metric.metric", "unknown_metric", f"{FIRST_ORDER_RATE} is the share of the contacts who never bought ('{PROSPECTS}') who place a first order; the customers of '{p.get('from_segment')}' have all bought: measure one of their own metrics")]
        return []
    out = []
    end = first_order_segment(segmentation, fact_segments)
    to = p.get("to_segment")
    if isinstance(to, str) and to in fact_segments and to != end:
        where = f"'{end}'" if end else f"no one segment of {segmentation}"
        out.append(Problem(f"pathways[{i}].to_segment", "pathway_impossible", f"contacts who never bought can never become '{to}' at once: a first order puts them in {where}; aim the pathway there, and a later pathway from it further"))
    trigger = p.get("trigger") if isinstance(p.get("trigger"), dict) else {}
    metric, op, value = trigger.get("metric"), trigger.get("operator"), _number(trigger.get("value"))
    if isinstance(metric, str) and (metric not in NEVER_BOUGHT or (op in OPERATORS and value is not None and not meets((0, 0), op, value))):
        has = f"have no {metric}" if metric not in NEVER_BOUGHT else f"all have {metric} 0"
        out.append(Problem(f"pathways[{i}].trigger.{'metric' if metric not in NEVER_BOUGHT else 'value'}", "trigger_outside_segment", f"the contacts of '{PROSPECTS}' never bought, so they {has}; trigger on what they are: purchase_days == 0"))
    target = _number(success.get("target"))
    if success.get("metric") in NEVER_BOUGHT and target is not None and target <= 0:
        out.append(Problem(f"pathways[{i}].success_metric.target", "pathway_target_backwards", f"{success['metric']} {target:g} is where '{PROSPECTS}' already are (they never bought); a first order makes it 1 or more"))
    return out


def first_order_kpi(kpi: Any) -> bool:
    """A KPI on the prospects' first orders, which has no baseline yet (null)."""
    return isinstance(kpi, dict) and kpi.get("segment") == PROSPECTS and kpi.get("metric") == FIRST_ORDER_RATE
