"""KPI checks: a baseline that is the KPI's own segment's value of its metric, targets on the
right side of it (and not at a rate's limit), and rates and shares written as fractions; and,
for KPIs and pathways alike, no next-period rate of a handful of customers taken as the mark.
Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.compute.analysis import MIN_RATE_CUSTOMERS
from custseg.strategy.document import _items, _number
from custseg.strategy.metrics import LAST_PERIOD_METRICS, _activity, _lower_is_better, _worse, measure
from custseg.strategy.problems import Problem
from custseg.strategy.ranking import _losing
from custseg.strategy.resolve import PLACEHOLDER, value_kind


# A segment's size: the top segment should grow, a losing one (dormant, at risk, the bottom) shrink;
# so should the MRR a CRM's segment holds (MRR at risk in a critical health band should fall).
SIZE_METRICS = ("count", "pct_customers", "mrr", "mrr_share")


def _cited(baseline: Any) -> str | None:
    """The fact key a KPI baseline cites, when it is exactly one reference."""
    ref = re.fullmatch(r"\s*" + PLACEHOLDER.pattern + r"\s*", baseline) if isinstance(baseline, str) else None
    return ref.group(1) if ref else None


def _typed_values(doc: dict, kpis: list) -> list[tuple[str, Any, Any]]:
    """(path, metric, value) of every typed value a metric is held to: KPI targets, pathway
    triggers and success targets."""
    checks = [(f"kpis[{i}].target", k.get("metric"), k.get("target")) for i, k in enumerate(kpis) if isinstance(k, dict)]
    for i, p in enumerate(doc.get("pathways") if isinstance(doc.get("pathways"), list) else []):
        if isinstance(p, dict):
            if isinstance(p.get("trigger"), dict):
                checks.append((f"pathways[{i}].trigger.value", p["trigger"].get("metric"), p["trigger"].get("value")))
            if isinstance(p.get("success_metric"), dict):
                checks.append((f"pathways[{i}].success_metric.target", p["success_metric"].get("metric"), p["success_metric"].get("target")))
    return checks


# Metrics that count customers: a whole number of people, never a share of them.
CUSTOMER_COUNTS = ("count", "outstanding_customers", "payment_problem_customers")


def _fraction_problems(doc: dict, kpis: list, metrics: list[str], customers: Any = None) -> list[Problem]:
    """Rates and shares are fractions everywhere (0.15, shown as 15.0%): a 15 is a typo. The
    mirror: a count of customers of 0.05 is a share typed where a number of people is meant (a
    trial's At Risk count KPI, baseline 215, target 0.05). Only for computed metrics: an unknown
    one is already a problem of its own. ``customers``: how many were segmented."""
    out = []
    for path, metric, value in _typed_values(doc, kpis):
        v = _number(value)
        if not isinstance(metric, str) or metric not in metrics or v is None:
            continue
        if value_kind(metric) == "pct" and v > 1:
            out.append(Problem(path, "rate_not_fraction", f"{metric} is a fraction (0.25 is 25%), and {v:g} would be {v:g}00%; write {v / 100:g} for {v:g}%"))
        elif metric in CUSTOMER_COUNTS and 0 < v < 1:
            n = _number(customers)
            of_all = f" ({v:g} of the {n:,.0f} segmented is about {round(v * n):,})" if n else ""
            share = " measure pct_customers, a share of all customers, with this target, or" if metric == "count" else ""
            out.append(Problem(path, "fraction_not_count", f"{metric} is a number of customers, and {v:g} is less than one of them: a share was meant;{share} write the number of customers{of_all}"))
    return out


# The segmentation and segment a fact is about: segmentations.rfm.segments.loyal.count and
# segmentations.rfm.validation.segments.loyal.repeat_rate are loyal's; segmentations.rfm.customers is rfm's.
_FACT_OWNER = re.compile(r"segmentations\.([^.]+)\.(?:(?:validation\.)?segments\.([^.]+)\.)?")


def _other_owner(key: str, segmentation: str, segment: Any) -> str | None:
    """What else a KPI baseline is about, when it is not the KPI's own segment: 'the segment
    'champions'' or 'the lifecycle segmentation'; None for its own facts and the whole data's."""
    owner = _FACT_OWNER.match(key)
    if not owner:
        return None
    if owner.group(1) != segmentation:
        return f"the {owner.group(1)} segmentation"
    return f"the segment '{owner.group(2)}'" if owner.group(2) and owner.group(2) != segment else None


def _baseline_kinds(kpis: list, keys: dict[str, Any], segmentation: str) -> list[Problem]:
    """A baseline is the KPI's own segment's value of its metric: another kind of fact, or
    another segment's, cannot be compared with the target."""
    out = []
    for i, k in enumerate(kpis):
        key = _cited(k.get("baseline")) if isinstance(k, dict) and isinstance(k.get("metric"), str) else None
        if key not in keys:
            continue
        seg = k.get("segment")
        same = f"segmentations.{segmentation}.segments.{seg}.{k['metric']}"
        other = _other_owner(key, segmentation, seg) if f"segmentations.{segmentation}.segments.{seg}.count" in keys else None
        if other:
            hint = f"cite {{{same}}}" if same in keys else f"cite a fact of segments.{seg} that measures {k['metric']}"
            out.append(Problem(f"kpis[{i}].baseline", "baseline_other_segment", f"{{{key}}} is a fact of {other}, but the KPI measures the segment '{seg}' of {segmentation}; {hint} so the target is compared with the segment's own value"))
            continue
        cited, wanted = measure(key), measure(k["metric"])
        if cited != wanted:
            hint = f"cite {{{same}}}" if same in keys else f"cite a fact that measures {k['metric']}"
            out.append(Problem(f"kpis[{i}].baseline", "baseline_other_metric", f"{{{key}}} is {cited}, but the KPI measures {k['metric']} ({wanted}); {hint} so the target can be compared with it"))
    return out


def _backwards_targets(kpis: list, keys: dict[str, Any], segmentation: str, order: list[str], fact_segments: dict) -> list[Problem]:
    """KPI targets on the wrong side of their baseline: a goal of fewer repeat buyers, longer
    gaps since the last purchase or more Dormant customers is a slip of the pen more often
    than a plan. A segment's size has no direction of its own: the top segment should grow
    and the losing ones shrink (those in the middle either way). A rate already at 1.0 leaves
    no target that improves on it."""
    out = []
    for i, k in enumerate(kpis):
        key = _cited(k.get("baseline")) if isinstance(k, dict) and isinstance(k.get("metric"), str) else None
        target, base = (_number(k.get("target")), _number(keys.get(key))) if key else (None, None)
        if target is None or base is None:
            continue
        metric, seg = k["metric"], k.get("segment")
        name = str((fact_segments.get(seg) or {}).get("name") or seg) if isinstance(seg, str) else ""
        if metric in SIZE_METRICS:
            if len(order) < 2 or seg not in order or (seg != order[0] and not _losing(seg, order, fact_segments)):
                continue
            lower = seg != order[0]
            where = "a segment customers should leave (on the losing side of the" if lower else "the best segment (the top of the"
            why = f"'{name}' is {where} {segmentation} ranking), so its {metric} target should be {'at or below' if lower else 'at or above'} it"
        else:
            lower = _lower_is_better(metric)
            if lower is None:
                continue
            why = f"the {metric} target should be {'at or below' if lower else 'at or above'} it (the baseline's own value holds it where it is)"
        if measure(key) != measure(metric):
            continue  # a baseline of another kind: baseline_other_metric says so
        if _other_owner(key, segmentation, seg):
            continue  # another segment's baseline: baseline_other_segment says so
        if not lower and value_kind(metric) == "pct" and base >= 1 - 1e-9:
            alive = metric != "next_repeat_rate" and keys.get(f"segmentations.{segmentation}.segments.{seg}.next_repeat_rate") is not None
            activity = _activity(keys, segmentation)
            moves = "the group's count, its active_days_30 or its days_since_active" if activity else "the segment's count or its spend"
            instead = ("next_repeat_rate (what the segment did in the next period), " if alive else "") + moves
            fixed = f" (everyone in {name} has already {'been active on more than one day' if activity else 'bought more than once'})" if metric == "repeat_rate" else ""
            out.append(Problem(f"kpis[{i}].target", "kpi_at_limit", f"the baseline {base:g} ({key}) is already 100%, the most a {metric} can be, so no target can improve on it{fixed}; measure something that can still move: {instead}"))
            continue
        if _worse(target, base, lower):
            out.append(Problem(f"kpis[{i}].target", "kpi_target_backwards", f"the target {target:g} is {'above' if lower else 'below'} the baseline {base:g} ({key}); {why}"))
    return out


# Rates a KPI may aim at, counted over a known number of people: a segment's repeat rate over its
# customers, its share over all the customers segmented.
STEPPED_RATES = ("repeat_rate", "pct_customers")
STEP_SLACK = 0.01  # a target this close to a reachable value is that value, rounded


def _targets_between_steps(kpis: list, segmentation: str, seg_facts: dict) -> list[Problem]:
    """A repeat rate of 0.5 for a segment of one customer: a rate over n people moves in steps
    of 1/n (one customer: 0 or 1), so a target between two steps cannot be met as written.
    Slack of a point lets a large segment's rounded target stand."""
    segments = seg_facts.get("segments") or {}
    out = []
    for i, k in enumerate(kpis):
        if not isinstance(k, dict) or k.get("metric") not in STEPPED_RATES or not isinstance(k.get("segment"), str):
            continue
        target = _number(k.get("target"))
        metric, seg = k["metric"], k["segment"]
        n = _number((segments.get(seg) or {}).get("count")) if metric == "repeat_rate" else _number(seg_facts.get("customers"))
        if target is None or not n or n != int(n) or not 0 <= target <= 1:
            continue
        n = int(n)
        nearest = round(target * n) / n
        if abs(target - nearest) <= STEP_SLACK + 1e-9:
            continue
        size = f"segmentations.{segmentation}.segments.{seg}.count" if metric == "repeat_rate" else f"segmentations.{segmentation}.customers"
        over = f"the {n:,} customer{'s' if n != 1 else ''} of '{seg}'" if metric == "repeat_rate" else f"all {n:,} customers segmented"
        lower, upper = int(target * n) / n, (int(target * n) + 1) / n
        values = f"it can only be {', '.join(f'{j / n:g}' for j in range(n + 1))}" if n < 10 else f"the nearest values are {lower:.4g} and {upper:.4g}"
        out.append(Problem(f"kpis[{i}].target", "target_between_steps", f"a {metric} over {over} moves in steps of 1/{n} ({{{size}}}), so {target:g} cannot be reached as written: {values}; aim at one of those, or track a measure that does not hinge on so few customers (their spend)"))
    return out


# A next-period rate from fewer customers than compute.analysis.MIN_RATE_CUSTOMERS is not told by
# the report (render/report's MIN_CUSTOMERS_FOR_LIFT; a test keeps them equal).
_NEXT_RATE = re.compile(r"segmentations\.([^.]+)\.(?:validation\.segments\.([^.]+)\.repeat_rate|segments\.([^.]+)\.next_repeat_rate)")


def _at_cutoff(seg_facts: dict) -> dict[str, int]:
    """Customers per segment at the next-period check's cutoff: the people a next-period rate is of."""
    rows = ((seg_facts.get("validation") or {}).get("segments") or [])
    return {r.get("segment"): n for r in rows if isinstance(r, dict) and isinstance(n := r.get("customers"), int) and not isinstance(n, bool)}


def thin_next_rates(seg_facts: dict) -> frozenset[str]:
    """The segments whose next-period rate is of fewer than MIN_RATE_CUSTOMERS customers at the cutoff."""
    return frozenset(seg for seg, n in _at_cutoff(seg_facts).items() if 0 < n < MIN_RATE_CUSTOMERS)


def _too_few(key: str, seg: str, segmentation: str, at_cutoff: dict[str, int]) -> str | None:
    """Why the next-period rate ``key`` of ``seg`` is no mark to aim at, when fewer than
    MIN_RATE_CUSTOMERS were in the segment at the cutoff (None otherwise)."""
    n = at_cutoff.get(seg)
    if n is None or not 0 < n < MIN_RATE_CUSTOMERS:
        return None
    return (
        f"{{{key}}} is the share of only {n} {'customer' if n == 1 else 'customers'} of '{seg}' at the check's cutoff "
        f"({{segmentations.{segmentation}.validation.segments.{seg}.customers}}): one customer moves it by {100 / n:.0f} points, so no target can be read against it"
    )


def _cited_too_few(key: str | None, segmentation: str, at_cutoff: dict[str, int]) -> str | None:
    """:func:`_too_few` of a cited fact key, when it is a next-period rate of this segmentation."""
    found = _NEXT_RATE.fullmatch(key) if key else None
    return _too_few(key, found.group(2) or found.group(3), segmentation, at_cutoff) if found and found.group(1) == segmentation else None


def _baselines_of_too_few(kpis: list, segmentation: str, seg_facts: dict) -> list[Problem]:
    """A KPI baseline that is a next-period rate measured on a handful: a trial's Loyal 'bought
    again' at 75.0%, which was 3 of 4 customers, and targets of 0.8 and 1.0 were taken against it."""
    at_cutoff = _at_cutoff(seg_facts)
    out = []
    for i, k in enumerate(kpis):
        why = _cited_too_few(_cited(k.get("baseline")) if isinstance(k, dict) else None, segmentation, at_cutoff)
        if why:
            out.append(Problem(f"kpis[{i}].baseline", "baseline_too_few", f"{why}; track the segment's count or its spend instead, and this rate once a rerun measures it on more customers"))
    return out


PATHWAY_TEXTS = ("intervention", "expected_outcome")


def _pathway_rates_of_too_few(doc: dict, segmentation: str, seg_facts: dict) -> list[Problem]:
    """A pathway measured by a next-period rate of a handful: a trial aimed Loyal's at 0.8 from
    its 66.7%, which was 2 of 3 customers. The success target on next_repeat_rate is read
    against the from-segment's own rate; a pathway's text that cites such a rate takes it as
    the mark too ('more than the {...loyal.next_repeat_rate} seen last time')."""
    at_cutoff = _at_cutoff(seg_facts)
    instead = "measure the pathway by what its customers do in purchase days, orders or spend instead, and by this rate once a rerun measures it on more customers"
    out = []
    for i, p in _items(doc, "pathways"):
        success, start = p.get("success_metric") if isinstance(p.get("success_metric"), dict) else {}, p.get("from_segment")
        if success.get("metric") == "next_repeat_rate" and isinstance(start, str):
            why = _too_few(f"segmentations.{segmentation}.segments.{start}.next_repeat_rate", start, segmentation, at_cutoff)
            if why:
                out.append(Problem(f"pathways[{i}].success_metric.metric", "baseline_too_few", f"{why}, and the pathway's success target on next_repeat_rate is read against it (where '{start}' starts); {instead}"))
        for field in PATHWAY_TEXTS:
            text = p.get(field) if isinstance(p.get(field), str) else ""
            for key in dict.fromkeys(PLACEHOLDER.findall(text)):
                why = _cited_too_few(key, segmentation, at_cutoff)
                if why:
                    out.append(Problem(f"pathways[{i}].{field}", "baseline_too_few", f"{why}, and the pathway's text takes it as the mark to beat; leave it out, or cite a measure of more customers"))
    return out


def _rates_of(fact_segments: dict, metric: str) -> dict[str, float]:
    """Each segment's value of a rate, where the facts hold one."""
    return {k: v for k, s in fact_segments.items() if isinstance(s, dict) and (v := _number(s.get(metric))) is not None}


def _targets_beyond_data(doc: dict, kpis: list, segmentation: str, fact_segments: dict) -> list[Problem]:
    """A rate target above anything the data shows: a trial's At Risk aimed its next-period rate
    at 0.7 (from 0.19) when Champions, the best segment, reached 0.656, and its At Risk -> Loyal
    pathway at 0.6 when Loyal's own customers reached 0.363. Only for rates of a segment's own
    customers (repeat_rate, next_repeat_rate): their ceiling is what the best segment did. Shares
    of all customers or of revenue, counts and money have no such ceiling (a small segment may
    grow past a big one). The best segment itself may aim higher (kpi_at_limit stops it at 1.0)."""
    out = []
    for i, k in _items({"kpis": kpis}, "kpis"):
        out += _beyond(f"kpis[{i}].target", k.get("metric"), k.get("target"), k.get("segment"), None, segmentation, fact_segments)
    for i, p in _items(doc, "pathways"):
        if isinstance(p.get("success_metric"), dict):
            success = p["success_metric"]
            out += _beyond(f"pathways[{i}].success_metric.target", success.get("metric"), success.get("target"), p.get("from_segment"), p.get("to_segment"), segmentation, fact_segments)
    return out


def _beyond(path: str, metric: Any, target: Any, segment: Any, to: Any, segmentation: str, fact_segments: dict) -> list[Problem]:
    """One target against the highest rate any segment reached; for a pathway, against its
    to-segment's too, when that is above where the pathway starts: customers who move there
    are not expected to outdo those already in it."""
    value = _number(target)
    if not isinstance(metric, str) or value_kind(metric) != "pct" or not metric.endswith("_rate") or value is None or not 0 <= value <= 1:
        return []  # above 1: rate_not_fraction says so
    rates = _rates_of(fact_segments, metric)
    own = rates.get(segment) if isinstance(segment, str) else None
    if not rates or (own is not None and own >= max(rates.values()) - 1e-9):
        return []
    holder = max(rates, key=rates.get)
    leads = isinstance(to, str) and to in rates and (own is None or rates[to] > own) and rates[to] < rates[holder]
    if leads:
        holder = to
    ceiling = rates[holder]
    if value <= ceiling + STEP_SLACK + 1e-9:  # a point above it is the ceiling, rounded
        return []

    def name(key: str) -> str:
        return str((fact_segments.get(key) or {}).get("name") or key)

    ref = f"{{segmentations.{segmentation}.segments.{holder}.{metric}}}"
    if leads:
        why = f"the pathway leads to '{name(holder)}', whose own customers' {metric} is {ceiling:.3g} ({ref}), and customers who move there are not expected to outdo those already in it"
    else:
        why = f"the highest {metric} any segment of {segmentation} reached is {ceiling:.3g}, of '{name(holder)}' ({ref}), so no customers in the data did that"
    if own is None:
        aim = f"aim at or below {ceiling:.3g}"
    elif leads:
        aim = f"aim between where '{name(segment)}' is ({own:.3g}) and {ceiling:.3g}"
    else:
        better = min((k for k, v in rates.items() if v > own), key=rates.get)
        aim = f"aim between where '{name(segment)}' is ({own:.3g}) and {rates[better]:.3g}, what '{name(better)}', the next segment up, reached"
    return [Problem(path, "target_beyond_data", f"the target {value:g} is beyond anything the data shows: {why}; {aim}")]


# The days between two reviews of each cadence (a year's months and quarters, on average).
REVIEW_DAYS = {"weekly": 7.0, "monthly": 365 / 12, "quarterly": 365 / 4}
# Figures of the period after a cutoff (the check's: period_days days before the as-of date).
# A rerun reads the customers a campaign started on over a whole period only once that period
# has passed: a month into a 90-day period, the rate is still of customers segmented two months
# before the campaign, over days mostly before it.
NEXT_PERIOD_METRICS = ("next_repeat_rate",)
REVIEW_SLACK = 0.9  # a review a few days short of a period (a quarter of 91 days, a period of 100) reads nearly all of it


def slow_enough_reviews(period_days: Any) -> list[str]:
    """The review cadences a next-period KPI can have: each reads a whole period after the last."""
    period = _number(period_days)
    return [name for name, days in REVIEW_DAYS.items() if not period or days >= period * REVIEW_SLACK]


def _reviews_too_often(kpis: list, period_days: Any) -> list[Problem]:
    """A trial's next_repeat_rate KPI, a one-period (90-day) measure, reviewed monthly: each review
    but every third reads a rate the campaign has barely reached."""
    period = _number(period_days)
    if not period:
        return []
    slow_enough = slow_enough_reviews(period)
    out = []
    for i, k in _items({"kpis": kpis}, "kpis"):
        review = k.get("review")
        if k.get("metric") not in NEXT_PERIOD_METRICS or review not in REVIEW_DAYS or review in slow_enough:
            continue
        at_once = "a figure a rerun reads at once (the segment's count, median_recency_days)"
        fix = f"review it {slow_enough[0]}, or track {at_once} {review}" if slow_enough else f"no review the plan can set is that slow: track {at_once} instead, or rerun run.py with --period 90d so that a quarter holds a period"
        out.append(Problem(f"kpis[{i}].review", "kpi_review_too_often", (
            f"{k['metric']} counts who bought again in the {period:g} days after the check's cutoff ({{period_days}}): a rerun reads the customers a campaign started on, "
            f"over a whole period, only {period:g} days after it starts, so a {review} review reads a rate mostly of customers and days before the campaign; {fix}")))
    return out


def partial_period(days_covered: Any, period_days: Any) -> bool:
    """Whether the data covers less than one period: its last-period figures count only the days it holds."""
    days, period = _number(days_covered), _number(period_days)
    return days is not None and bool(period) and days < period


# Figures of who bought within the data's span: a segment's size and shares, and its repeat
# rates (not MRR, which is of the subscriptions live at the end). On data shorter than a period
# they describe who happened to buy in those few weeks.
SPAN_FIGURES = {
    "count": "a count of who bought in those days", "pct_customers": "a share of who bought in those days", "revenue_share": "a share of what was spent in those days", "recent_revenue_share": "a share of what was spent in those days",
    "repeat_rate": "the share who bought on more than one of those days", "next_repeat_rate": "the share who bought again in a period after a cutoff, which fewer days of data cannot hold",
}
# Spend summed over all the data (a customer's monetary_total, its mean avg_value, a segment's
# revenue): it grows with the export's length, so a longer export raises it with nothing changed
# (a Stripe trial's monetary_total target of 400 from clients who pay about 190 a month).
SPEND_OVER_SPAN = {
    "monetary_total": "a customer's spend over all the data", "avg_value": "spend per customer over all the data", "revenue": "a segment's spend over all the data",
}


def _span_figure(kpi: dict) -> str | None:
    """The figure of a KPI, its metric or the fact its baseline cites, that counts who bought
    within the data's span (a count, a share, a repeat rate)."""
    cited = _cited(kpi.get("baseline"))
    named = (kpi.get("metric"), cited.rsplit(".", 1)[-1] if cited else None)
    return next((n for n in named if n in SPAN_FIGURES or n in SPEND_OVER_SPAN), None)


def _kpis_on_a_partial_period(kpis: list, days_covered: Any, period_days: Any, usage: bool = False) -> list[Problem]:
    """A trial's KPI on spend_last_period_per_customer, on data of 22 days with a period of 90:
    its baseline is 22 days of spend, and the next export's whole period would look like growth
    with nothing changed. So with a segment's count or share, or a repeat rate: on a few weeks
    of data they describe who happened to buy in those weeks; and with spend over all the data
    (avg_value, monetary_total), which grows with the export's length. ``usage``: a plan on usage groups,
    whose counts are of the last 30 days' activity, not of a period."""
    if not partial_period(days_covered, period_days):
        return []
    days, period = _number(days_covered), _number(period_days)
    instead = f"measure a figure that does not depend on the data's span, such as aov (spend per order), or rerun run.py with --period {days:g}d so that a period is the span the data holds"
    out = []
    for i, k in _items({"kpis": kpis}, "kpis"):
        figure = None if usage else _span_figure(k)
        if k.get("metric") in LAST_PERIOD_METRICS:
            out.append(Problem(f"kpis[{i}].metric", "kpi_on_partial_period", (
                f"{k['metric']} is a figure of the last period of {period:g} days ({{period_days}}), but the data covers {days:g} days ({{data.days_covered}}), "
                f"so the baseline covers only {days:g} of the period's {period:g} days: the next export's full period would look like growth with nothing changed; {instead}")))
        elif figure in SPEND_OVER_SPAN:
            out.append(Problem(f"kpis[{i}].metric", "kpi_on_partial_period", _spend_over_span(figure, days, period, instead)))
        elif figure:
            out.append(Problem(f"kpis[{i}].metric", "kpi_on_partial_period", (
                f"{figure} is {SPAN_FIGURES[figure]}, and the data covers {days:g} days ({{data.days_covered}}), less than a period of {period:g} ({{period_days}}): "
                f"on a few weeks of data a segment's figures describe who happened to buy in those weeks, and the next export's longer span would move them with nothing changed; {instead}")))
    return out


def _spend_over_span(figure: str, days: float, period: float, instead: str) -> str:
    return (f"{figure} is {SPEND_OVER_SPAN[figure]}, and the data covers {days:g} days ({{data.days_covered}}), less than a period of {period:g} ({{period_days}}): "
            f"it grows with the export's length, so the next export's longer span would raise it with nothing changed; {instead}")


def _pathways_on_a_partial_period(doc: dict, days_covered: Any, period_days: Any) -> list[Problem]:
    """A pathway measured by spend over all the data (a Stripe trial: Core clients to reach
    monetary_total 400, on 22 days of payments) or by last-period spend, on data shorter than a
    period: time alone meets the target. Purchase days and orders stay: a second purchase is
    what a pathway from New is for."""
    if not partial_period(days_covered, period_days):
        return []
    days, period = _number(days_covered), _number(period_days)
    instead = f"measure the pathway by a figure that does not depend on the data's span, such as aov (spend per order), or rerun run.py with --period {days:g}d so that a period is the span the data holds"
    out = []
    for i, p in _items(doc, "pathways"):
        metric = (p.get("success_metric") if isinstance(p.get("success_metric"), dict) else {}).get("metric")
        if metric in SPEND_OVER_SPAN:
            out.append(Problem(f"pathways[{i}].success_metric.metric", "kpi_on_partial_period", _spend_over_span(metric, days, period, instead)))
        elif metric in LAST_PERIOD_METRICS:
            out.append(Problem(f"pathways[{i}].success_metric.metric", "kpi_on_partial_period", (
                f"{metric} is a figure of the last period of {period:g} days ({{period_days}}), but the data covers {days:g} days ({{data.days_covered}}): "
                f"the next export's full period would look like growth with nothing changed; {instead}")))
    return out
