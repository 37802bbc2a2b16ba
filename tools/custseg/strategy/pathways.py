"""Pathway checks: moves down the ranking or that the definitions rule out, success targets
that go backwards, and triggers and targets outside their segment's definition (the last for
KPIs too). Standard library only."""

from __future__ import annotations

from typing import Any

from custseg.strategy.definitions import OPERATORS, describe, meets, move_blocked, segment_ranges
from custseg.strategy.document import _items, _number
from custseg.strategy.metrics import PURCHASE_METRICS, _lower_is_better, _worse
from custseg.strategy.problems import Problem
from custseg.strategy.ranking import is_quiet


# The segment fact that gives a per-customer metric for a whole segment: a pathway's starting point.
SEGMENT_LEVEL = {
    "recency_days": "median_recency_days", "purchase_days": "avg_purchase_days", "monetary_total": "avg_value",
    "r_score": "mean_scores.r", "f_score": "mean_scores.f", "m_score": "mean_scores.m",
}
OPERATOR_WORDS = {">": "above", ">=": "at least", "<": "below", "<=": "at most"}
NEGATED = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}


def _downward_pathways(doc: dict, order: list[str], fact_segments: dict | None = None) -> list[Problem]:
    """Pathways move customers up the segments' ranking (facts order: best first). New is a
    stage, not a rank: a second-order pathway from it into an active segment ranked below it
    (New -> Needs Attention, where a second purchase lands a customer the default table does not
    yet call Loyal) is progress when its success is counted in purchases."""
    out = []
    for i, p in enumerate(doc.get("pathways") if isinstance(doc.get("pathways"), list) else []):
        if not isinstance(p, dict) or p.get("from_segment") not in order or p.get("to_segment") not in order:
            continue
        a, b = p["from_segment"], p["to_segment"]
        if order.index(b) >= order.index(a) and not _second_order(p, fact_segments or {}):
            where = "stays in the same segment" if a == b else f"leads down, from {a} to {b} (ranked below it)"
            aside = f" (from {a}, a second-order pathway into an active segment passes with a success metric of purchase_days or orders of 2 or more)" if a == NEW_KEY and a != b else ""
            out.append(Problem(f"pathways[{i}].to_segment", "pathway_downward", f"the pathway {where}; a pathway moves customers to a better segment: one of {', '.join(order[: order.index(a)]) or 'none (nothing ranks above it)'}{aside}"))
    return out


NEW_KEY = "new"


def _second_order(p: dict, fact_segments: dict) -> bool:
    """From New into a segment that is not a quiet one, measured by buying again."""
    a, b, success = p.get("from_segment"), p.get("to_segment"), p.get("success_metric")
    if a != NEW_KEY or a == b or b not in fact_segments or is_quiet(b, str((fact_segments[b] or {}).get("name") or b)):
        return False
    target = _number(success.get("target")) if isinstance(success, dict) else None
    return success.get("metric") in ("purchase_days", "orders") and target is not None and target >= 2


def _impossible_pathways(doc: dict, seg_facts: dict, ranking: list[str]) -> list[Problem]:
    """Moves the segmentation's definition cannot produce: a repeat buyer never becomes New
    again (purchase days never fall), an Adopting customer never Onboarding (tenure grows)."""
    out = []
    for i, p in _items(doc, "pathways"):
        a, b = p.get("from_segment"), p.get("to_segment")
        why = move_blocked(seg_facts, a, b) if a in ranking and b in ranking and a != b else None
        if why:
            reachable = [k for k in ranking[: ranking.index(a)] if not move_blocked(seg_facts, a, k)]
            instead = ", ".join(reachable) or "none ranks above it that they can reach, so start the pathway from another segment"
            out.append(Problem(f"pathways[{i}].to_segment", "pathway_impossible", f"customers of '{a}' can never become '{b}': {why}; aim the pathway at a better segment they can reach: {instead}"))
    return out


def _backwards_pathways(doc: dict, keys: dict[str, Any], segmentation: str, skip: tuple = ()) -> list[Problem]:
    """A pathway's success target, with the direction a KPI target takes: against the
    pathway's own trigger when that is on the same metric (the trigger, not the segment, says
    where its customers start: recency_days >= 21 in New, whose median is lower), else
    against where the from-segment already is. Metrics in ``skip`` are wrong on their own."""
    out = []
    for i, p in _items(doc, "pathways"):
        success = p.get("success_metric") if isinstance(p.get("success_metric"), dict) else {}
        metric, target = success.get("metric"), _number(success.get("target"))
        lower = _lower_is_better(metric) if isinstance(metric, str) and metric not in skip else None
        if target is None or lower is None:
            continue
        trigger = p.get("trigger") if isinstance(p.get("trigger"), dict) else {}
        if trigger.get("metric") == metric:
            why = _against_trigger(trigger, metric, target, lower)
        else:
            why = _below_baseline(keys, segmentation, p.get("from_segment"), metric, target, lower)
        if why:
            out.append(Problem(f"pathways[{i}].success_metric.target", "pathway_target_backwards", why))
    return out


def _against_trigger(trigger: dict, metric: str, target: float, lower: bool) -> str | None:
    """A target that still meets a trigger on the worse side (recency_days >= 21: aim below 21)
    or falls short of one on the better side (purchase_days >= 4: aim at 4 or more)."""
    if trigger.get("operator") not in OPERATORS:
        return None
    op, value = trigger["operator"], _number(trigger.get("value"))
    if value is None:
        return None
    hit = meets((target, target), op, value)
    if op == "==":
        wrong, aim = hit or _worse(target, value, lower), "<" if lower else ">"
    elif op in (("<", "<=") if lower else (">", ">=")):  # the trigger takes customers already doing well
        wrong, aim = not hit, op
    else:
        wrong, aim = hit, NEGATED[op]
    if not wrong:
        return None
    better = "lower" if lower else "higher"
    return f"a customer who reached the target ({metric} {target:g}) would {'still meet' if hit else 'fall short of'} the trigger that brought them in ({metric} {op} {value:g}); {better} {metric} is better, so the target should be {OPERATOR_WORDS[aim]} {value:g}"


def _below_baseline(keys: dict[str, Any], segmentation: str, segment: Any, metric: str, target: float, lower: bool) -> str | None:
    key = f"segmentations.{segmentation}.segments.{segment}.{SEGMENT_LEVEL.get(metric, metric)}"
    base = _number(keys.get(key))
    if base is None or not _worse(target, base, lower):
        return None
    better = "lower" if lower else "higher"
    return f"the target {target:g} is {'above' if lower else 'below'} where '{segment}' already is ({base:g}, {{{key}}}): the pathway would make {metric} worse, where {better} is better; the target should be {'at or below' if lower else 'at or above'} {base:g}"


def _unmeetable_triggers(doc: dict, seg_facts: dict, fact_segments: dict, activity: bool) -> list[Problem]:
    """A trigger the from-segment's definition rules out (active_days_30 >= 12 for users defined
    by fewer active days) never starts the pathway. On activity, the purchase columns are not
    what the definition bounds (purchase_metric_in_usage_plan speaks of them)."""
    ranges = segment_ranges(seg_facts)
    out = []
    for i, p in _items(doc, "pathways"):
        trigger, start = p.get("trigger") if isinstance(p.get("trigger"), dict) else {}, p.get("from_segment")
        metric, op, value = trigger.get("metric"), trigger.get("operator"), _number(trigger.get("value"))
        span = ranges.get(start, {}).get(metric) if isinstance(start, str) and isinstance(metric, str) else None
        if span is None or value is None or op not in OPERATORS or (activity and metric in PURCHASE_METRICS) or meets(span, op, value):
            continue
        able = [k for k in fact_segments if metric in ranges.get(k, {}) and meets(ranges[k][metric], op, value)]
        where = f"; customers with {metric} {op} {value:g} are in {', '.join(able)}" if able else ""
        rule = (fact_segments.get(start) or {}).get("rule")
        defined = f" ('{rule}')" if rule else ""
        out.append(Problem(f"pathways[{i}].trigger.value", "trigger_outside_segment", f"no customer of '{start}' can have {metric} {op} {value:g}: by its definition{defined} they have {metric} {describe(span)}; set a threshold within that range{where}"))
    return out


def reached_instead(p: dict, metric: str, value: float, ranges: dict, seg_facts: dict, ranking: list[str]) -> list[str]:
    """The segments a pathway from its from-segment may lead to (ranked above it, or a
    second-order move out of New) whose definition holds a customer at ``metric`` ``value``
    and that the definitions let its customers reach, best first."""
    start, fact_segments = p.get("from_segment"), seg_facts.get("segments") or {}
    if start not in ranking:
        return []
    out = []
    for key in ranking:
        if key in (start, p.get("to_segment")) or not (fact_segments.get(key) or {}).get("count"):
            continue
        span = ranges.get(key, {}).get(metric)
        above = ranking.index(key) < ranking.index(start) or _second_order({**p, "to_segment": key}, fact_segments)
        if span is not None and meets(span, "==", value) and above and not move_blocked(seg_facts, start, key):
            out.append(key)
    return out


def _targets_outside_segment(doc: dict, seg_facts: dict, activity: bool, ranking: list[str] | None = None) -> list[Problem]:
    """A target its segment's definition rules out: a pathway whose success leaves customers
    outside its to-segment (active_days_30 8 for a group of 12 or more), or a KPI on a segment's
    own defining metric aimed outside the band every member, so its mean or median, lies in.
    For a pathway, the message names the segments a customer at that target does reach that
    the pathway could lead to instead (``ranking``: best first): a trial's 'second order'
    pathway New -> Loyal was only told Loyal needs 3 purchase days, and raised its target to 3."""
    ranges = segment_ranges(seg_facts)
    out = []

    def check(path: str, segment: Any, metric: Any, target: Any, what: str, pathway: dict | None = None) -> None:
        value = _number(target)
        span = ranges.get(segment, {}).get(metric) if isinstance(segment, str) and isinstance(metric, str) else None
        if span is None or value is None or (activity and metric in PURCHASE_METRICS) or meets(span, "==", value):
            return
        instead = reached_instead(pathway, metric, value, ranges, seg_facts, ranking or []) if pathway else []
        second = " (a second order)" if metric in ("purchase_days", "orders") and value == 2 else ""
        held = "; ".join(f"{k}: {metric} {describe(ranges[k][metric])}" for k in instead)
        nearer = f"; or, if {metric} {value:g}{second} is the mark, lead the pathway to {' or '.join(instead)} instead, which a customer at it reaches ({held})" if instead else ""
        out.append(Problem(path, "target_outside_segment", f"{what} ({metric} {value:g}) is outside '{segment}', whose customers have {metric} {describe(span)} by its definition; aim within that range{nearer}"))

    for i, p in _items(doc, "pathways"):
        success = p.get("success_metric") if isinstance(p.get("success_metric"), dict) else {}
        check(f"pathways[{i}].success_metric.target", p.get("to_segment"), success.get("metric"), success.get("target"), "a customer who reached the success target", p)
    base = _number(seg_facts.get("customers"))
    for i, k in _items(doc, "kpis"):
        check(f"kpis[{i}].target", k.get("segment"), k.get("metric"), k.get("target"), "the KPI target")
        target = _number(k.get("target"))
        if k.get("metric") == "count" and base is not None and target is not None and target > base:
            out.append(Problem(f"kpis[{i}].target", "target_outside_segment", f"the KPI target ({target:g} customers) is more than the whole base segmented ({base:g}); a segment's count can only be part of it"))
    return out
