"""Validate a strategy document against the computed facts.

:func:`validate` returns a list of :class:`Problem` (empty when the document is good),
each with the path of the offending field, a stable code and a message a model can act
on. Wrong types are problems too, never exceptions. Standard library only.

The checks of each part of a plan live in modules of their own (document, figures, claims,
kpis, pathways, activity, budget, automation); :func:`_validate` runs them in order, with the
checks of segment keys, fact references, email reach, offers and confirmations kept here.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from custseg.strategy.activity import _buying_words_on_activity, _purchase_metrics_on_usage, _usage_plan
from custseg.strategy.answers import budget_against_answers
from custseg.strategy.channel_claims import channel_claims
from custseg.strategy.channel_names import channel_name_problems, channel_names
from custseg.strategy.automation import (
    BUILT_IN_RFM_NAMES, EXPORT_COLUMNS, _display_names_in_rules, _holdout_left_in, _keys_in_email_tool_rules, _rule_columns, _rule_values,
    _usage_rule_columns, importing_tools, pathway_triggers_in_tool,
)
from custseg.strategy.budget import _manual_without_hours, _over_budget, _pathways_beyond_share
from custseg.strategy.claims import (
    _SEGMENT_FACT, export_figures_of_them, name_spans, named_segments, other_segment_figures, segment_aliases, segment_claims, share_of_wrong_base,
)
from custseg.strategy.cited_claims import bare_text, cited_gap_claims, citations, gap_citing_claims, majority_beside_shares
from custseg.strategy.comparisons import cited_comparisons
from custseg.strategy.document import IDENTIFIERS, USERS_WORDS, _number, _object_problems, iter_strings
from custseg.strategy.figures import _figure_re, _figures_in_text, _matching_fact, _unit_mismatches
from custseg.strategy.groups import first_order_kpi, misplaced_group, plan_groups, prospect_problems
from custseg.strategy.country_claims import country_claims, untestable_country_hunches
from custseg.strategy.hunches import payment_plan_claims, retention_claims, span_claims, standing_claims, unrecorded_claims
from custseg.strategy.product_claims import known_products, product_claims, untestable_product_hunches
from custseg.strategy.intake import (
    part_of_base, sample_told_as_whole, unanswered_hunches, verdicts_against_figures, verdicts_on_partial_period, verdicts_on_thin_history, verdicts_on_too_few, verdicts_within_chance, verdicts_without_facts,
    whole_base_with_channel_left_out,
)
from custseg.strategy.kpis import (
    _backwards_targets, _baseline_kinds, _baselines_of_too_few, _fraction_problems, _kpis_on_a_partial_period, _pathway_rates_of_too_few, _pathways_on_a_partial_period, _reviews_too_often, _targets_between_steps, _targets_beyond_data,
    thin_next_rates,
)
from custseg.strategy.metrics import LOWER_IS_BETTER, PURCHASE_METRICS, _activity, allowed_metrics
from custseg.strategy.history_dates import history_date_claims
from custseg.strategy.month_claims import month_claims, month_hint
from custseg.strategy.opportunities import other_move_figures, period_misread
from custseg.strategy.pathways import _backwards_pathways, _downward_pathways, _impossible_pathways, _targets_outside_segment, _unmeetable_triggers
from custseg.strategy.promises import promises
from custseg.strategy.problems import CODES, Problem  # noqa: F401 (CODES: re-exported, the codes check.py documents)
from custseg.strategy.refund_claims import refund_misreadings
from custseg.strategy.reach import count_as_reach, opted_out_included, reach_problems, texts_without_consent
from custseg.strategy.ranking import _is_dormant, _ranking, is_quiet
from custseg.strategy.resolve import DOUBLE_BRACED, PLACEHOLDER, fact_keys
from custseg.strategy.schema import StrategyDocument
from custseg.strategy.seasons import season_claims
from custseg.strategy.tenure import join_claims
from custseg.strategy.timeframes import time_misreadings
from custseg.strategy.trends import trend_claims

# What other modules and the tests import from here: the entry point, and names whose checks
# live in the modules above, re-exported (the last two are helpers the tests call).
__all__ = [
    "BUILT_IN_RFM_NAMES", "CODES", "EXPORT_COLUMNS", "IDENTIFIERS", "LOWER_IS_BETTER", "Problem", "allowed_metrics",
    "ANSWERED_BY", "NAMES_OPTION", "OPTIONS_LABEL", "answered_warnings", "covered_segments", "importing_tools", "is_quiet", "iter_strings", "option_answer", "validate",
    "_matching_fact", "_over_budget",
]


MAX_SEGMENTS = 6
SIMILAR = 0.9  # difflib ratio above which two texts count as the same text
DISTINCT_FIELDS = ("goal", "offers", "messaging")
SECTIONS = ("targeting_matrix", "pathways", "roadmap", "kpis")
# -- the checks ----------------------------------------------------------------------------------


def _close_fact(key: str, keys: dict[str, Any]) -> str | None:
    """The fact a mistyped key most likely means. Text cites numbers: a numeric field of the same
    item whose name holds the last word (opportunities.at_risk_to_loyal.rate: its historical_rate,
    not its to_segment; under the item's own parent first), then the nearest numeric key, then
    the nearest key of any kind."""
    numeric = [k for k, v in keys.items() if _number(v) is not None]
    parent, _, field = key.rpartition(".")
    for same_item in (lambda k: k.rpartition(".")[0] == parent, lambda k: k.split(".")[-2:-1] == parent.split(".")[-1:]):
        named = [k for k in numeric if same_item(k) and field in k.rpartition(".")[2].split("_")]
        if named:
            return max(named, key=lambda k: difflib.SequenceMatcher(None, field, k.rpartition(".")[2]).ratio())
    close = difflib.get_close_matches(key, numeric, n=1, cutoff=0.75) or difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    return close[0] if close else None


def _normal(text: str) -> str:
    return " ".join(PLACEHOLDER.sub("{fact}", text).lower().split())


def _similar(a: str, b: str) -> float:
    a, b = _normal(a), _normal(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b).ratio()


# Parts of the plan written in phase 4 (operationalize): not required while the strategy is drafted.
LATER_PARTS = ("roadmap", "kpis", "review_schedule", "automation_rules")


def _later(problem: Problem) -> bool:
    root = problem.path.split(".")[0].split("[")[0]
    if problem.code == "segment_without_kpi":
        return True
    return root in LATER_PARTS and (problem.code == "empty_section" or (problem.code == "schema" and ("is missing" in problem.message or "is empty" in problem.message)))


def validate(doc: Any, facts: dict, stage: str = "final", answers: dict | None = None) -> list[Problem]:
    """Every problem of a strategy document against facts.json (an empty list: valid).

    ``stage="strategy"`` checks a phase-3 draft: the roadmap, KPIs, review schedule and
    automation rules may still be missing (what is there is checked in full). ``answers``,
    the user's intake answers, hold the plan's budget to the one they gave, and have the whole
    plan answer the hunches they gave and carry their answers to the run's warnings; their
    Channel names must name the facts' channels with short labels.
    """
    problems = _validate(doc, facts, answers)
    if isinstance(doc, dict):
        problems += pathway_triggers_in_tool(doc, facts, answers)
    if answers and isinstance(doc, dict):
        problems += budget_against_answers(doc, answers, (facts.get("data") or {}).get("currency"), final=stage != "strategy")
        problems += unanswered_hunches(doc, answers, final=stage != "strategy")
        problems += unconfirmed_answers(doc, facts, answers, final=stage != "strategy")
    if answers:
        problems += channel_name_problems(answers, facts)  # what the user calls each channel, shown beside it
    return [p for p in problems if not _later(p)] if stage == "strategy" else problems


def _validate(doc: Any, facts: dict, answers: dict | None = None) -> list[Problem]:
    if not isinstance(doc, dict):
        return [Problem("", "schema", f"the strategy must be a JSON object, got {type(doc).__name__}")]
    problems: list[Problem] = []
    _object_problems(doc, StrategyDocument, "", problems)

    keys = fact_keys(facts)
    currency = (facts.get("data") or {}).get("currency")
    segmentation = doc.get("segmentation", "rfm") if isinstance(doc.get("segmentation", "rfm"), str) else "rfm"
    segs = facts.get("segmentations") or {}
    seg_facts = segs.get(segmentation)
    strat = doc.get("segments") if isinstance(doc.get("segments"), dict) else {}
    fact_segments: dict = (seg_facts or {}).get("segments") or {}
    order = [k for k in (seg_facts or {}).get("order") or [] if k in fact_segments] + [k for k in fact_segments if k not in ((seg_facts or {}).get("order") or [])]

    # segmentation and segment keys
    if seg_facts is None:
        problems.append(Problem("segmentation", "unknown_segmentation", f"'{segmentation}' is not a segmentation in facts.json; use one of: {', '.join(segs) or 'none computed'}"))
    else:
        known = ", ".join(order)

        # Segments merged away as too small hold nobody: a plan naming them reaches no one.
        merged_into = {m.get("from"): m.get("into") for m in seg_facts.get("merged") or [] if isinstance(m, dict)}

        def check_segment(path: str, key: Any) -> None:
            if isinstance(key, str) and key not in fact_segments:
                close = difflib.get_close_matches(key, order, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                problems.append(Problem(path, "unknown_segment", f"'{key}' is not a segment of {segmentation}; {hint}its segments are: {known}"))
            elif isinstance(key, str) and key in merged_into and not (fact_segments[key] or {}).get("count"):
                into = merged_into[key]
                problems.append(Problem(path, "merged_segment", f"'{key}' has no customers: they were too few and joined '{into}', which the CRM files label them with; name '{into}' instead"))

        # The CRM files also list groups of people beside the segments (contacts who never bought
        # as "prospects"): where a plan may name each, groups.py says.
        groups = plan_groups(facts, fact_segments)

        def check_key(path: str, key: Any, section: str, field: str) -> None:
            if key in groups and (section, field) in groups[key]:
                return
            if key in groups and key in ((facts.get("exports") or {}).get("groups") or {}):
                problems.append(Problem(path, "unknown_segment", misplaced_group(key, section, segmentation, fact_segments)))
            else:
                check_segment(path, key)

        for key in strat:
            check_key(f"segments.{key}", key, "segments", "")
        for name, fields in (("targeting_matrix", ("segment",)), ("pathways", ("from_segment", "to_segment")), ("kpis", ("segment",)), ("automation_rules", ("segment",))):
            items = doc.get(name)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    for f in fields:
                        check_key(f"{name}[{i}].{f}", item.get(f), name, f)
        for key in order:
            stats = fact_segments[key] or {}
            if (stats.get("count") or 0) > 0 and key not in strat:
                name = stats.get("name") or key
                if _is_dormant(key, name):
                    problems.append(Problem(f"segments.{key}", "dormant_unaddressed", f"the dormant segment '{key}' ({name}) has customers and no strategy; add segments.{key} (a win-back, or a deliberate low-cost sunset) so they are not ignored"))
                else:
                    problems.append(Problem(f"segments.{key}", "missing_segment", f"segment '{key}' ({name}) has customers and no strategy; add segments.{key}"))
    if len(strat) > MAX_SEGMENTS:
        problems.append(Problem("segments", "too_many_segments", f"{len(strat)} segments have a strategy; at most {MAX_SEGMENTS} can be run differently, so merge the smaller ones into a neighbour"))

    # placeholders and figures in every string
    figure = _figure_re(currency)
    aliases = segment_aliases(fact_segments, strat)
    # the segment a hint's example fact is of, where the text names none: the first holding anyone
    first_segment = next((k for k in order if (fact_segments[k] or {}).get("count")), order[0] if order else "champions")
    sample = part_of_base(doc) is not None
    problems += whole_base_with_channel_left_out(doc, facts.get("data") or {})
    product_names = known_products(facts)
    thin_rates = thin_next_rates(seg_facts or {})  # next-period rates of too few to rank segments by
    named_channels = channel_names(answers, facts)  # what the user calls the channels (answers.json)
    for path, name, text in iter_strings(doc):
        for m in DOUBLE_BRACED.finditer(text):
            problems.append(Problem(path, "placeholder_syntax", f"'{m.group(0)}' uses double braces; cite a fact with single braces: {{{m.group(1)}}}"))
        for key in PLACEHOLDER.findall(text):
            if key not in keys:
                close = _close_fact(key, keys)
                hint = month_hint(key, keys) or (f"did you mean {{{close}}}?" if close else "see facts.json for the keys (dotted paths to numbers)")
                problems.append(Problem(path, "unknown_fact", f"{{{key}}} is not a fact key; {hint}"))
            elif keys[key] is None:
                problems.append(Problem(path, "null_fact", f"{{{key}}} has no value for this data; cite another fact or say it in words"))
        problems += _unit_mismatches(path, text, keys)
        if name in IDENTIFIERS or name in USERS_WORDS:
            continue
        if sample:
            problems += sample_told_as_whole(path, text)
        bare, cited, said_from = bare_text(text), citations(text), len(problems)
        gap_cited = gap_citing_claims(bare, cited, aliases)  # a cadence beside a cited gap: held to that gap
        problems += cited_gap_claims(path, gap_cited, keys)
        own = _segment_spoken_of(path, text, bare, segmentation, fact_segments, aliases)
        if own:
            problems += segment_claims(path, bare, own, fact_segments[own] or {}, segmentation, fact_segments, aliases, (facts.get("data") or {}).get("days_covered"), activity=_activity(keys, segmentation), revenue=keys.get("data.revenue_total") is not None, unattributed=_number(keys.get("data.dropped_value.no_identity")) or 0.0,
                                       held_elsewhere=frozenset(m.start() for m, _ in gap_cited), thin=thin_rates)
            problems += standing_claims(path, bare, own, fact_segments[own] or {}, segmentation, aliases, activity=_activity(keys, segmentation))
            problems += season_claims(path, bare, own, fact_segments[own] or {}, segmentation)
            problems += trend_claims(path, bare, own, fact_segments[own] or {}, segmentation, fact_segments, aliases, threshold=_number(keys.get(f"segmentations.{segmentation}.trend_threshold")))
            problems += join_claims(path, bare, own, segmentation, facts, aliases, activity=_activity(keys, segmentation))
        rule = re.match(r"automation_rules\[(\d+)\]\.rule$", path)
        ruled = (doc.get("automation_rules") or [None] * (int(rule.group(1)) + 1))[int(rule.group(1))] if rule and isinstance(doc.get("automation_rules"), list) else None
        if isinstance(ruled, dict) and ruled.get("segment") in fact_segments:  # 'When Segment equals Dormant (still active buyers)'
            problems += standing_claims(path, bare, ruled["segment"], fact_segments[ruled["segment"]] or {}, segmentation, aliases, activity=_activity(keys, segmentation))
        days = (facts.get("data") or {}).get("days_covered")
        problems += (span_claims(path, bare, days) or retention_claims(path, bare, days, facts.get("period_days"))) + unrecorded_claims(path, bare, text, products=isinstance((facts.get("data") or {}).get("products"), dict), countries=isinstance((facts.get("data") or {}).get("countries"), dict), keys=keys)  # one claim of the span, one problem
        problems += payment_plan_claims(path, text, (facts.get("data") or {}).get("installments"))
        problems += product_claims(path, text, facts, keys, product_names)
        problems += country_claims(path, text, facts, keys, aliases)
        problems += month_claims(path, text) + history_date_claims(path, text, keys, facts.get("period_days"))
        problems += other_segment_figures(path, text, segmentation, fact_segments, aliases, _pathway_ends(doc, path))
        problems += export_figures_of_them(path, text, segmentation, fact_segments)
        problems += other_move_figures(path, text, doc, facts, segmentation, aliases) + period_misread(path, text, facts) + time_misreadings(path, text, facts)
        problems += count_as_reach(path, text, facts)
        problems += promises(path, text)
        problems += share_of_wrong_base(path, text, keys)
        problems += _figures_in_text(path, name, bare, figure, doc, keys, segmentation, order, fact_segments, first_segment)
        # one claim, one problem: the segment's own checks, and the product and country checks, first
        told = [p.message for p in problems[said_from:] if p.code in ("claim_contradicts_fact", "claim_not_in_data", "product_fact_mismatch")]
        problems += cited_comparisons(path, text, keys, aliases, segmentation, product_names, told, own=own, thin=thin_rates)
        told = [p.message for p in problems[said_from:] if p.code in ("claim_contradicts_fact", "claim_not_in_data", "product_fact_mismatch")]
        problems += majority_beside_shares(path, bare, cited, keys, aliases, told)
        told = [p.message for p in problems[said_from:] if p.code in ("claim_contradicts_fact", "claim_not_in_data", "product_fact_mismatch")]
        problems += refund_misreadings(path, text, keys, told)
        if own:  # a segment's sales channel: the facts hold channels across the export only
            told = [p.message for p in problems[said_from:] if p.code in ("claim_contradicts_fact", "claim_not_in_data")]
            problems += channel_claims(path, bare, own, facts, named_channels, aliases, told)

    # pathways, metrics, KPIs
    metrics = allowed_metrics(facts, segmentation)
    metric_list = ", ".join(metrics)

    def check_metric(path: str, metric: Any) -> None:
        if isinstance(metric, str) and metric not in metrics:
            close = difflib.get_close_matches(metric, metrics, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(path, "unknown_metric", f"'{metric}' is not a computed metric; {hint}use one of: {metric_list}"))

    for i, p in enumerate(doc.get("pathways") if isinstance(doc.get("pathways"), list) else []):
        if isinstance(p, dict):
            if isinstance(p.get("trigger"), dict):
                check_metric(f"pathways[{i}].trigger.metric", p["trigger"].get("metric"))
            if isinstance(p.get("success_metric"), dict):
                check_metric(f"pathways[{i}].success_metric.metric", p["success_metric"].get("metric"))
    kpis = doc.get("kpis") if isinstance(doc.get("kpis"), list) else []
    for i, k in enumerate(kpis):
        if not isinstance(k, dict):
            continue
        check_metric(f"kpis[{i}].metric", k.get("metric"))
        base = k.get("baseline")
        if (isinstance(base, str) and not re.fullmatch(r"\s*" + PLACEHOLDER.pattern + r"\s*", base)) or (base is None and "baseline" in k and not first_order_kpi(k)):
            seg = k.get("segment") if k.get("segment") in fact_segments else first_segment
            metric = k.get("metric") if isinstance(k.get("metric"), str) else "repeat_rate"
            said = f"'{base}' must be" if base is not None else "null is the baseline only of the prospects' first_order_rate, which no fact measures yet; a segment's baseline is"
            problems.append(Problem(f"kpis[{i}].baseline", "baseline_not_fact", f"{said} exactly one fact reference, e.g. {{segmentations.{segmentation}.segments.{seg}.{metric}}}"))

    # sections, budget, KPI coverage
    populated = [k for k, v in fact_segments.items() if isinstance(v, dict) and v.get("count")]
    for name in SECTIONS:
        if name == "pathways" and len(populated) < 2:  # one segment holds everyone: nowhere to move to yet
            continue
        if isinstance(doc.get(name), list) and not doc[name]:
            problems.append(Problem(name, "empty_section", f"is empty; the plan needs {name.replace('_', ' ')}"))
    cells = doc.get("targeting_matrix") if isinstance(doc.get("targeting_matrix"), list) else []
    shares = [c.get("budget_share") for c in cells if isinstance(c, dict) and isinstance(c.get("budget_share"), (int, float)) and not isinstance(c.get("budget_share"), bool)]
    if sum(shares) > 1 + 1e-9:
        problems.append(Problem("targeting_matrix", "budget_over", f"budget shares add up to {sum(shares):.2f}, more than the whole budget (1.0); lower them"))
    problems += reach_problems(doc, facts, segmentation, fact_segments) + texts_without_consent(doc) + opted_out_included(doc, facts.get("exports") or {})
    prospects = prospect_problems(doc, facts, segmentation, fact_segments)  # said first: the checks of segments' KPIs do not know them
    problems += prospects + _fraction_problems(doc, kpis, metrics, (seg_facts or {}).get("customers"))
    problems += [p for p in _baseline_kinds(kpis, keys, segmentation) if p.path not in {q.path for q in prospects}]
    ranking = _ranking(segmentation, order)
    problems += _backwards_targets(kpis, keys, segmentation, ranking, fact_segments)
    told = {p.path for p in problems}
    problems += [p for p in _targets_between_steps(kpis, segmentation, seg_facts or {}) if p.path not in told]
    problems += [p for p in _baselines_of_too_few(kpis, segmentation, seg_facts or {}) if p.path not in told]
    problems += _pathway_rates_of_too_few(doc, segmentation, seg_facts or {})
    problems += [p for p in _targets_beyond_data(doc, kpis, segmentation, fact_segments) if p.path not in told]
    problems += _reviews_too_often(kpis, facts.get("period_days"))
    usage = _usage_plan(keys, segmentation)
    problems += _kpis_on_a_partial_period(kpis, (facts.get("data") or {}).get("days_covered"), facts.get("period_days"), usage)
    problems += [] if usage else _pathways_on_a_partial_period(doc, (facts.get("data") or {}).get("days_covered"), facts.get("period_days"))
    impossible = _impossible_pathways(doc, seg_facts or {}, ranking)
    problems += impossible + [p for p in _downward_pathways(doc, ranking, fact_segments) if p.path not in {q.path for q in impossible}]
    problems += _backwards_pathways(doc, keys, segmentation, skip=PURCHASE_METRICS if usage else ())
    problems += _unmeetable_triggers(doc, seg_facts or {}, fact_segments, _activity(keys, segmentation))
    problems += _targets_outside_segment(doc, seg_facts or {}, _activity(keys, segmentation), ranking)
    if usage:
        problems += _purchase_metrics_on_usage(doc, kpis, segmentation) + _usage_rule_columns(doc, fact_segments)
    problems += _buying_words_on_activity(doc, keys, _activity(keys, segmentation))
    problems += _confirmations(doc, facts) + _offers_over_price(strat) + _thresholds_beyond_orders(strat, fact_segments, currency)
    problems += verdicts_without_facts(doc, f"segmentations.{segmentation}.segments.{first_segment}.repeat_rate") + verdicts_on_too_few(doc, segmentation, seg_facts or {}) + verdicts_on_thin_history(doc, keys) + untestable_product_hunches(doc, facts, product_names) + untestable_country_hunches(doc, facts)
    problems += verdicts_on_partial_period(doc, (facts.get("data") or {}).get("days_covered"), facts.get("period_days"))
    problems += verdicts_within_chance(doc, facts)
    told = {p.path for p in problems if p.code.startswith("verdict_")}  # one verdict, one problem: the data too thin or short to settle it first
    problems += [p for p in verdicts_against_figures(doc, keys, aliases, segmentation, product_names) if p.path not in told]
    over = _over_budget(doc, currency)
    problems += over + ([] if over else _pathways_beyond_share(doc, currency))  # the whole first: within it, each segment's part
    problems += _manual_without_hours(doc, fact_segments)
    problems += _display_names_in_rules(doc, strat, fact_segments, segmentation) + _display_name_clashes(strat, facts, segmentation)
    groups = {k: {"name": n} for k, n in ((facts.get("exports") or {}).get("groups") or {}).items()}  # the files' own groups: labelled by name there too
    if segmentation == "rfm":
        problems += _keys_in_email_tool_rules(doc, {**fact_segments, **groups})
    told = {p.path for p in problems if p.code.startswith("rule_")}  # one rule, one problem: the more precise one said first
    problems += [p for p in _rule_values(doc, facts) if p.path not in told]
    told = {p.path for p in problems if p.code.startswith("rule_")}
    names = {k: str((v or {}).get("name") or k) for k, v in {**fact_segments, **groups}.items()}  # segment key -> the name the files carry
    problems += [p for p in _rule_columns(doc, facts.get("exports") or {}, metrics, names) if p.path not in told]
    told = {p.path for p in problems if p.code.startswith("rule_")}  # a rule that matches nobody is mended first
    problems += [p for p in _holdout_left_in(doc, fact_segments, (facts.get("exports") or {}).get("held_out")) if p.path not in told]
    if kpis:
        covered = {k.get("segment") for k in kpis if isinstance(k, dict)}
        for key in strat:
            if key in fact_segments and key not in covered:
                problems.append(Problem("kpis", "segment_without_kpi", f"segment '{key}' has a strategy but no KPI; add one with a baseline fact and a target"))

    # distinct personas and strategies
    items = [(k, v) for k, v in strat.items() if isinstance(v, dict)]
    for field_name, code in (("persona", "duplicate_persona"), *((f, "duplicate_strategy") for f in DISTINCT_FIELDS)):
        for j, (key, fields) in enumerate(items):
            text = fields.get(field_name)
            if not isinstance(text, str) or not text.strip():
                continue
            for other, ofields in items[:j]:
                otext = ofields.get(field_name)
                if isinstance(otext, str) and _similar(text, otext) > SIMILAR:
                    what = "persona" if field_name == "persona" else field_name
                    problems.append(Problem(f"segments.{key}.{field_name}", code, f"repeats the {what} of segments.{other}; describe what is different about these customers and how they are treated"))
                    break
    return problems


HUNCH_EVIDENCE = re.compile(r"hypotheses\[\d+\]\.evidence$")


def _segment_spoken_of(path: str, text: str, bare: str, segmentation: str, fact_segments: dict, aliases: list[tuple[str, str]]) -> str | None:
    """The segment whose facts a text's claims are held to: a segment's own text, or a hunch's
    evidence that names exactly one segment (by name or display name, written as a name is) or,
    naming none, cites facts of exactly one. A trial's 'The Core Fans bring most of our revenue:
    {...loyal.revenue_share}' (15.5%) passed as evidence that a hunch holds, where Loyal's
    persona would have it refused. Evidence naming several segments is left alone: which one a
    claim is of is a guess."""
    own = re.match(r"segments\.([^.]+)\.", path)
    if own:
        return own.group(1) if own.group(1) in fact_segments else None
    if not HUNCH_EVIDENCE.match(path):
        return None
    named = {key for _, _, key in named_segments(bare, aliases, capitalized=True)}
    if not named:
        cited = (_SEGMENT_FACT.match(key) for key in PLACEHOLDER.findall(text))
        named = {m.group(2) for m in cited if m and m.group(1) == segmentation}
    return next(iter(named)) if len(named) == 1 and next(iter(named)) in fact_segments else None


def _labels_elsewhere(facts: dict, segmentation: str) -> list[tuple[str, str, str]]:
    """(label, segment key, what it names) for every name the facts give a group of customers:
    the segments of every segmentation (their keys as words too) and the CRM files' groups."""
    out = []
    for seg, seg_facts in (facts.get("segmentations") or {}).items():
        for key, stats in ((seg_facts or {}).get("segments") or {}).items():
            name = str((stats or {}).get("name") or key)
            rule = re.sub(r"\s*\(checked \w+\)", "", str((stats or {}).get("rule") or ""))  # the order the stages are checked in says nothing here
            what = f"segment '{key}' of {seg}" if seg == segmentation else f"the {seg} segmentation's segment '{key}'" + (f" ({rule})" if rule else "")
            out += [(label, key if seg == segmentation else f"{seg}.{key}", what) for label in dict.fromkeys((name, key.replace("_", " ")))]
    for key, name in ((facts.get("exports") or {}).get("groups") or {}).items():
        out.append((str(name), f"exports.{key}", f"the CRM files' group '{key}'"))
    return out


def _display_name_clashes(strat: dict, facts: dict, segmentation: str) -> list[Problem]:
    """A display name that names another group of customers: RFM Dormant shown as 'Lapsed' beside
    the lifecycle's Lapsed stage (a trial), or as another segment's name or display name. The
    report and the CRM files (Klaviyo's Lifecycle, Mailchimp's tags) show that label for the
    other group, so one name would mean two groups."""
    def normal(text: str) -> str:
        return " ".join(text.lower().split())

    labels = _labels_elsewhere(facts, segmentation)
    out, shown = [], {}  # display name -> the segment that took it first
    for key, fields in strat.items():
        display = fields.get("display_name") if isinstance(fields, dict) else None
        if not isinstance(display, str) or not display.strip():
            continue
        said = normal(display)
        clash = next((what for label, owner, what in labels if owner != key and normal(label) == said), None)
        if clash is None and said in shown:
            clash = f"segments.{shown[said]}, whose display name it is in this plan"
        shown.setdefault(said, key)
        if clash:
            out.append(Problem(f"segments.{key}.display_name", "display_name_clash", f"'{display.strip()}' already names another group of customers, {clash}: in the report and the CRM files one name would mean two groups; choose a name no other segment, stage or group has"))
        else:
            out += _other_name_within(key, display.strip(), labels)
    return out


def _other_name_within(key: str, display: str, labels: list[tuple[str, str, str]]) -> list[Problem]:
    """'VIP Champions' on Dormant (a trial): the display name holds another segment's name of
    the same segmentation as a whole word, so a reader takes them for Champions. The segment's
    own name inside it ('Loyal Regulars' on Loyal, 'High Value' in 'Lapsed High Value') is fine."""
    own = [span for label, owner, _ in labels if owner == key for span in name_spans(label, display)]
    for label, owner, what in labels:
        if owner == key or "." in owner:  # another segmentation's stage ('Lapsed Payers' beside lifecycle's Lapsed) is a word, not its name
            continue
        inside = [(a, b) for a, b in name_spans(label, display) if not any(x <= a and b <= y for x, y in own)]
        if inside:
            return [Problem(f"segments.{key}.display_name", "display_name_clash", f"'{display}' holds '{display[inside[0][0]:inside[0][1]]}', the name of {what}: in the report and the CRM files readers would take these customers for that segment's; choose a name without another segment's name")]
    return []


DISCOUNT_LABEL = re.compile(r"discount|\boff\b|reduction|rebate|coupon|markdown|price\s+cut|savings?", re.IGNORECASE)


def _offers_over_price(strat: dict) -> list[Problem]:
    """A percent discount above 100 pays the customer to take the product: a typo (15 for 1.5?)
    or a misunderstanding of the unit."""
    out = []
    for key, fields in strat.items():
        terms = fields.get("offer_terms") if isinstance(fields, dict) else None
        for i, term in enumerate(terms if isinstance(terms, list) else []):
            if not isinstance(term, dict) or term.get("unit") != "percent" or not isinstance(term.get("label"), str):
                continue
            value = _number(term.get("value"))
            if value is not None and value > 100 and DISCOUNT_LABEL.search(term["label"]):
                out.append(Problem(f"segments.{key}.offer_terms[{i}].value", "offer_over_price", f"a {term['label']} of {value:g} percent is more than the price; a percent discount is at most 100 (write 15 for 15% off)"))
    return out


# An order-value threshold: free shipping over, a minimum order, 'spend 250 and get'.
THRESHOLD_LABEL = re.compile(r"threshold|minimum|\bmin\b|free\s+(?:shipping|delivery|carriage|postage)|(?:orders?|spend|baskets?|carts?)\s+(?:over|above|of\s+at\s+least|from)|spend\s+(?:and|to)\b|unlock", re.IGNORECASE)
THRESHOLD_REACH = 2.0  # a threshold over twice the segment's average order is one few of its orders reach
# A minimum the business sets anyway (a wholesaler's minimum order) is a condition of trade, not
# an incentive meant to move the segment: its label says so, and its size is the business's call.
STANDING_MINIMUM = re.compile(r"\b(?:wholesale|trade|standing|account|existing|usual|regular)\s+(?:order\s+)?minimum|\bminimum\b.*\b(?:we already (?:set|have)|standing|for (?:all|every) (?:wholesale|trade) (?:orders|accounts))\b", re.IGNORECASE)


def _thresholds_beyond_orders(strat: dict, fact_segments: dict, currency: str | None) -> list[Problem]:
    """A trial's free-carriage threshold of 250.00 GBP for shops whose orders averaged 41.96: an
    incentive almost none of the segment's orders come near."""
    out = []
    for key, fields in strat.items():
        aov = _number((fact_segments.get(key) or {}).get("aov"))
        terms = fields.get("offer_terms") if isinstance(fields, dict) else None
        for i, term in enumerate(terms if isinstance(terms, list) and aov else []):
            if not isinstance(term, dict) or term.get("unit") != "money" or not isinstance(term.get("label"), str) or not THRESHOLD_LABEL.search(term["label"]):
                continue
            if STANDING_MINIMUM.search(term["label"]):
                continue
            value = _number(term.get("value"))
            if value is not None and value > THRESHOLD_REACH * aov:
                unit = f" {currency}" if currency else ""
                out.append(Problem(f"segments.{key}.offer_terms[{i}].value", "threshold_beyond_orders", (
                    f"a {term['label']} of {value:,.2f}{unit} is {value / aov:.1f} times what an order of '{key}' averages ({aov:,.2f}{unit}, its aov): "
                    f"few of their orders come near it, so as an incentive it moves nobody; set it a little above their average order, or, when it is a minimum the business already sets rather than an incentive, say so in its label ('wholesale minimum order', 'standing minimum order')")))
    return out


# Run warnings a user can answer at intake (the plan's `confirmed`): how each is recognised in
# facts.warnings. The report shows an answered one with the answer instead of as open.
ANSWERABLE = {
    "consent_unknown": re.compile(r"^the export does not record marketing consent"),
    "data_age": re.compile(r"^the data ends on \S+, [\d,]+ days? before today"),
    "marketplace": re.compile(r"orders came through marketplaces"),
    "opted_out": re.compile(r"^[\d,]+ (?:customers?|people|person|contacts)\b[^:;]*? opted out of marketing, so the Klaviyo, HubSpot and Mailchimp files hold (?:only|none)"),
}


# The intake question (its bold label, answers.json's key) whose answer settles a run warning of
# each ANSWERABLE kind: the briefs show it as the answer, and a whole plan carries it in `confirmed`.
ANSWERED_BY = {"consent_unknown": "Marketing consent", "opted_out": "Marketing consent", "data_age": "Data", "marketplace": "Marketplace orders"}


# A warning that names an option (add --include-unpaid) is answered by the intake's question of
# this label, the user's words on the options they were offered, which answers.json keeps (a
# trial's "Leave the unpaid orders out" still showed as an open warning in the report).
OPTIONS_LABEL = "Warnings"
NAMES_OPTION = re.compile(r"--[a-z]")


def option_answer(answers: Any) -> str | None:
    """The user's words on the options the warnings offered (answers.json's Warnings answer)."""
    given = {str(k).strip().lower(): v for k, v in answers.items()} if isinstance(answers, dict) else {}
    words = given.get(OPTIONS_LABEL.lower())
    return words.strip() if isinstance(words, str) and words.strip() else None


def answered_warnings(warnings: list[str], confirmed: Any, answers: Any = None) -> list[tuple[str, str | None]]:
    """Each warning with the user's answer to it: the plan's ``confirmed`` for the kinds it
    answers, answers.json's Warnings answer for one that names an option; None when neither has one."""
    told = confirmed if isinstance(confirmed, dict) else {}
    options = option_answer(answers)
    out = []
    for w in warnings:
        kind = next((k for k, pattern in ANSWERABLE.items() if pattern.search(w)), None)
        answer = told.get(kind) if kind else options if NAMES_OPTION.search(w) else None
        out.append((w, answer.strip() if isinstance(answer, str) and answer.strip() else None))
    return out


def _confirmations(doc: dict, facts: dict) -> list[Problem]:
    """The plan's ``confirmed`` answers warnings this run gave, by their kinds."""
    confirmed = doc.get("confirmed") if isinstance(doc.get("confirmed"), dict) else {}
    warnings = [w for w in facts.get("warnings") or [] if isinstance(w, str)]
    out = []
    for kind in confirmed:
        if kind not in ANSWERABLE:
            out.append(Problem(f"confirmed.{kind}", "unknown_confirmation", f"'{kind}' is not a warning the user can answer; use one of: {', '.join(ANSWERABLE)}"))
        elif not any(ANSWERABLE[kind].search(w) for w in warnings):
            out.append(Problem(f"confirmed.{kind}", "confirmation_without_warning", f"this run gave no {kind} warning (facts.warnings), so there is nothing to answer; leave it out"))
    return out


def unconfirmed_answers(doc: dict, facts: dict, answers: Any, final: bool = True) -> list[Problem]:
    """The run gave a warning the user answered at intake (answers.json holds the answer to the
    question that settles it) and the whole plan's ``confirmed`` does not carry it: the report
    would show the warning open and the answer nowhere (a trial's plan on data 254 days old left
    out data_age, which SKILL.md and the strategy brief ask for). A phase-3 draft may still lack it."""
    if not final:
        return []
    confirmed = doc.get("confirmed") if isinstance(doc.get("confirmed"), dict) else {}
    given = {str(k).strip().lower(): v for k, v in answers.items()} if isinstance(answers, dict) else {}
    warnings = [w for w in facts.get("warnings") or [] if isinstance(w, str)]
    out = []
    for kind, pattern in ANSWERABLE.items():
        said = given.get(ANSWERED_BY[kind].lower())
        warned = any(pattern.search(w) for w in warnings)
        if warned and isinstance(said, str) and said.strip() and not (isinstance(confirmed.get(kind), str) and confirmed[kind].strip()):
            words = said.strip() if len(said.strip()) <= 80 else said.strip()[:77] + "..."
            out.append(Problem(f"confirmed.{kind}", "confirmation_missing", (
                f"this run gave a {kind} warning (facts.warnings) and the user answered it at intake ('{ANSWERED_BY[kind]}': \"{words}\"); "
                f"put their answer in confirmed.{kind} (their words), so the report shows the warning answered, with it, instead of open")))
    return out


def _pathway_ends(doc: dict, path: str) -> tuple[Any, Any] | None:
    """The from- and to-segment of the pathway a text belongs to (pathways[2].expected_outcome)."""
    at = re.match(r"pathways\[(\d+)\]\.", path)
    items = doc.get("pathways") if isinstance(doc.get("pathways"), list) else []
    p = items[int(at.group(1))] if at and int(at.group(1)) < len(items) else None
    return (p.get("from_segment"), p.get("to_segment")) if isinstance(p, dict) else None


def covered_segments(doc: Any) -> list[str]:
    return list(doc["segments"]) if isinstance(doc, dict) and isinstance(doc.get("segments"), dict) else []
