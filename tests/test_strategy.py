"""The strategy document: schema, fact references, validation (segment check) and the report (segment render).

Each reference strategy in examples/strategies/ must pass ``segment check`` against facts
computed fresh from its example; each kind of problem is planted in a copy of a reference
and must be reported with its own code and path (exit status 1); unreadable input exits 2.
``segment render`` fills every ``{fact.key}`` from the facts, never evaluates model text,
and the report still holds no number that is neither a fact nor a typed plan value.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import re
import shutil
from pathlib import Path

import pydantic
import pytest

from custseg.cli.main import main
from custseg.render.report import _investment, _plan, fmt_count, fmt_days, fmt_money, fmt_pct
from custseg.strategy import CODES, StrategyDocument, UnknownFactError, fact_keys, resolve, strategy_json_schema, validate
from custseg.strategy.resolve import PLACEHOLDER, fact_formatter
from custseg.strategy.validate import ANSWERABLE
from custseg.toolkit import TOOLS
from tests.conftest import EXAMPLES
from tests.test_report import html_text, section, unmatched_numbers

STRATEGIES = EXAMPLES / "strategies"
EXAMPLE_FILES = {
    "shopify_orders_export": "shopify_orders_export.csv",
    "stripe_unified_payments": "stripe_unified_payments.csv",
    "product_events": "product_events.jsonl",
    "crm_customers": "crm_customers.csv",
    "european_orders": "european_orders.csv",
}
SHOPIFY = "shopify_orders_export"
PLAN_SECTIONS = ["## Targeting matrix", "## Migration pathways", "## Implementation roadmap", "## Measurement framework", "## Automation rules"]


# -- fixtures: facts computed fresh from each example --------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """example -> its run folder (facts.json, and charts for Shopify). One fixed pseudonymisation
    key: the holdout, chosen from the ids, and its counts are then the same on every run (a fresh
    key once made the holdout's count 217, which a test's '217 of them' then quoted)."""
    out = {}
    key = tmp_path_factory.mktemp("key") / "segment.key"
    key.write_text("k1:" + "teststrategykey1" + "\n", encoding="utf-8")
    for name, file in EXAMPLE_FILES.items():
        target = tmp_path_factory.mktemp(name) / "run"
        extra = [] if name == SHOPIFY else ["--no-charts"]
        assert main(["run", str(EXAMPLES / file), "--out", str(target), "--key", str(key), *extra]) == 0
        out[name] = target
    return out


def reference(name: str = SHOPIFY) -> dict:
    return json.loads((STRATEGIES / f"{name}.strategy.json").read_text(encoding="utf-8"))


def facts_of(runs, name: str = SHOPIFY) -> dict:
    return json.loads((runs[name] / "facts.json").read_text(encoding="utf-8"))


def write(tmp_path: Path, doc, name: str = "strategy.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc, encoding="utf-8")
    return path


def plan_numbers(doc) -> list[float]:
    """The typed numbers of a strategy document (the plan's own figures)."""
    if isinstance(doc, dict):
        return [n for v in doc.values() for n in plan_numbers(v)]
    if isinstance(doc, list):
        return [n for v in doc for n in plan_numbers(v)]
    if isinstance(doc, (int, float)) and not isinstance(doc, bool):
        return [float(doc)]
    return []


# -- the reference strategies ----------------------------------------------------------------------


def test_every_bundled_example_has_a_reference_strategy():
    assert sorted(p.name for p in STRATEGIES.glob("*.strategy.json")) == sorted(f"{n}.strategy.json" for n in EXAMPLE_FILES)


@pytest.mark.parametrize("name", list(EXAMPLE_FILES))
def test_reference_strategy_passes_check(runs, cli, name):
    res = cli("check", STRATEGIES / f"{name}.strategy.json", "--facts", runs[name] / "facts.json")
    assert res.code == 0, res.out
    assert res.out.startswith("OK: ") and res.err == ""
    doc = reference(name)
    facts = facts_of(runs, name)
    seg = facts["segmentations"][doc.get("segmentation", "rfm")]
    with_customers = {k for k, s in seg["segments"].items() if s["count"] > 0}
    assert set(doc["segments"]) == with_customers
    # a thoughtful plan: distinct display names, every pathway complete, every segment measured
    names = [s.get("display_name") for s in doc["segments"].values()]
    assert len(set(names)) == len(names)
    assert len(doc["pathways"]) >= 4 and len(doc["roadmap"]) >= 3
    assert {k["segment"] for k in doc["kpis"]} == set(doc["segments"])
    assert sum(c["budget_share"] for c in doc["targeting_matrix"]) <= 1


@pytest.mark.parametrize("name", list(EXAMPLE_FILES))
def test_reference_free_text_holds_no_digit_outside_fact_references(name):
    """Plan numbers live in typed fields; figures about the data are fact references."""
    from custseg.strategy.validate import IDENTIFIERS, iter_strings

    doc = reference(name)
    for path, field, text in iter_strings(doc):
        if field not in IDENTIFIERS:
            assert not re.search(r"\d", PLACEHOLDER.sub("", text)), f"{name}: {path}: {text!r}"


# -- one broken variant per problem kind ------------------------------------------------------------


def _set(path: str, value):
    """A mutation that sets a dotted path (list items as [i]) in a copy of the document."""

    def mutate(doc):
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        node = doc
        for p in parts[:-1]:
            node = node[int(p[1:-1])] if p.startswith("[") else node[p]
        last = parts[-1]
        if value is _DELETE:
            del node[int(last[1:-1]) if last.startswith("[") else last]
        elif last.startswith("["):
            node[int(last[1:-1])] = value
        else:
            node[last] = value
        return doc

    return mutate


_DELETE = object()


def _rename_segment(old, new):
    def mutate(doc):
        doc["segments"][new] = doc["segments"].pop(old)
        return doc

    return mutate


def _append_persona(key, text):
    def mutate(doc):
        doc["segments"][key]["persona"] += " " + text
        return doc

    return mutate


def _copy_persona(src, dst):
    def mutate(doc):
        doc["segments"][dst]["persona"] = doc["segments"][src]["persona"].replace(src, dst).replace("inner circle", "inner group")
        return doc

    return mutate


def _copy_field(field, src, dst):
    def mutate(doc):
        doc["segments"][dst][field] = doc["segments"][src][field]
        return doc

    return mutate


def _extra_segments(n):
    def mutate(doc):
        for i in range(n):
            entry = copy.deepcopy(doc["segments"]["loyal"])
            for f in ("persona", "goal", "offers", "messaging"):
                entry[f] = f"{f} written only for extra segment {'abcdefg'[i]} " + "xyz" * (i + 1)
            doc["segments"][f"extra_{'abcdefg'[i]}"] = entry
        return doc

    return mutate


def _drop_kpis_of(key):
    def mutate(doc):
        doc["kpis"] = [k for k in doc["kpis"] if k["segment"] != key]
        return doc

    return mutate


P0 = "pathways[0]"
# (id, mutation, expected code, expected path)
BROKEN = [
    ("unknown_segment_key", _rename_segment("champions", "vip_whales"), "unknown_segment", "segments.vip_whales"),
    ("product_figure_of_another", _append_persona("new", "Lead with the Wool Beanie: {data.products.first_purchase.trail-mix-bundle.back_within_period_rate} of those who started with it came back."), "product_fact_mismatch", "segments.new.persona"),
    ("texts_without_consent", _set("automation_rules[1].rule", "When Segment equals Champions and Holdout is not true, text them about every new drop."), "texts_without_consent", "automation_rules[1].rule"),
    ("unknown_segment_in_pathway", _set(f"{P0}.to_segment", "loyalists"), "unknown_segment", f"{P0}.to_segment"),
    ("unknown_segment_in_kpi", _set("kpis[0].segment", "champs"), "unknown_segment", "kpis[0].segment"),
    ("unknown_segmentation", _set("segmentation", "clv"), "unknown_segmentation", "segmentation"),
    ("unknown_fact", _append_persona("champions", "They are {segmentations.rfm.segments.champions.cnt} strong."), "unknown_fact", "segments.champions.persona"),
    ("unknown_fact_other_segmentation", _append_persona("loyal", "See {segmentations.clv.segments.loyal.count}."), "unknown_fact", "segments.loyal.persona"),
    ("unknown_fact_in_baseline", _set("kpis[0].baseline", "{segmentations.rfm.segments.champions.repeat}"), "unknown_fact", "kpis[0].baseline"),
    ("null_fact", _append_persona("new", "Their trend is {segmentations.lifecycle.segments.onboarding.next_repeat_rate}."), "null_fact", "segments.new.persona"),
    ("placeholder_syntax", _append_persona("new", "They are {{segmentations.rfm.segments.new.count}} people."), "placeholder_syntax", "segments.new.persona"),
    ("missing_segment", _set("segments.loyal", _DELETE), "missing_segment", "segments.loyal"),
    ("dormant_unaddressed", _set("segments.dormant", _DELETE), "dormant_unaddressed", "segments.dormant"),
    ("too_many_segments", _extra_segments(1), "too_many_segments", "segments"),
    *[(f"pathway_without_{f}", _set(f"{P0}.{f}", _DELETE), "pathway_incomplete", f"{P0}.{f}") for f in ("trigger", "intervention", "success_metric", "investment", "expected_outcome")],
    ("pathway_empty_intervention", _set(f"{P0}.intervention", "  "), "pathway_incomplete", f"{P0}.intervention"),
    ("pathway_no_budget_nor_hours", _set(f"{P0}.investment", {"budget": None, "hours": None}), "pathway_incomplete", f"{P0}.investment"),
    ("unknown_trigger_metric", _set(f"{P0}.trigger.metric", "churn_probability"), "unknown_metric", f"{P0}.trigger.metric"),
    ("unknown_success_metric", _set(f"{P0}.success_metric.metric", "nps"), "unknown_metric", f"{P0}.success_metric.metric"),
    ("unknown_kpi_metric", _set("kpis[1].metric", "ltv"), "unknown_metric", "kpis[1].metric"),
    ("figure_percent", _append_persona("champions", "About 35% of buyers."), "figure_in_text", "segments.champions.persona"),
    ("figure_currency_symbol", _set("segments.loyal.offers", "Take $40 off the jacket."), "figure_in_text", "segments.loyal.offers"),
    ("figure_currency_code", _set("segments.new.pricing", "A credit of USD 10 on the second order."), "figure_in_text", "segments.new.pricing"),
    ("figure_days", _set(f"{P0}.intervention", "Send a reminder within 30 days of the first order."), "figure_in_text", f"{P0}.intervention"),
    ("figure_customers", _set(f"{P0}.expected_outcome", "About 1,200 customers come back."), "figure_in_text", f"{P0}.expected_outcome"),
    ("figure_multiplier", _set("segments.champions.goal", "Grow their spend 2x this year."), "figure_in_text", "segments.champions.goal"),
    ("figure_in_roadmap", _set("roadmap[0].actions[0]", "Call the top 50 customers."), "figure_in_text", "roadmap[0].actions[0]"),
    ("figure_bare_decimal", _append_persona("champions", "Their average basket is 119.37 and they renew."), "figure_in_text", "segments.champions.persona"),
    ("figure_bare_thousands", _set("segments.loyal.messaging", "Join 1,178 others who came back."), "figure_in_text", "segments.loyal.messaging"),
    ("figure_words_percent", _set("segments.loyal.offers", "Twenty percent off the next order."), "figure_in_text", "segments.loyal.offers"),
    ("figure_words_ratio", _append_persona("new", "Nine in ten bought only once."), "figure_in_text", "segments.new.persona"),
    ("figure_words_fraction", _append_persona("dormant", "Roughly half of them come back in winter."), "figure_in_text", "segments.dormant.persona"),
    ("figure_bare_large_number", _append_persona("loyal", "Together they spent 9999 last year."), "figure_in_text", "segments.loyal.persona"),
    ("figure_count_who_paid", _append_persona("champions", "Of these, 25 paid in full."), "figure_in_text", "segments.champions.persona"),
    ("figure_multiplier_before", _append_persona("champions", "Their lifetime value is x2 the average."), "figure_in_text", "segments.champions.persona"),
    ("figure_payments", _append_persona("at_risk", "They have 12 payments on record."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_count_with_adjective", _append_persona("at_risk", "There are 45 outstanding payments among them."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_words_roughly_half", _append_persona("dormant", "Roughly half never came back."), "figure_in_text", "segments.dormant.persona"),
    ("figure_words_half_the", _append_persona("new", "Half the segment bought in December."), "figure_in_text", "segments.new.persona"),
    ("figure_words_half_of_what", _set("segments.new.product_priority", "The other half of what they bought came in December."), "figure_in_text", "segments.new.product_priority"),
    ("figure_words_days_ago", _append_persona("at_risk", "They last bought about ninety days ago."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_count_of_them", _append_persona("at_risk", "About 217 of them bought a jacket."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_words_twice_as_much", _append_persona("champions", "They spend twice as much as the Regulars."), "figure_in_text", "segments.champions.persona"),
    ("figure_words_times_as_many", _append_persona("dormant", "There are three times as many of them as of Regulars."), "figure_in_text", "segments.dormant.persona"),
    ("figure_words_times_more", _set(f"{P0}.expected_outcome", "A Regular spends five times more than a First-Timer."), "figure_in_text", f"{P0}.expected_outcome"),
    ("figure_words_half_as_much", _append_persona("new", "They spend half as much as the Regulars."), "figure_in_text", "segments.new.persona"),
    ("figure_words_double_what", _append_persona("loyal", "They spend double what a First-Timer spends."), "figure_in_text", "segments.loyal.persona"),
    ("figure_words_tripled", _append_persona("at_risk", "Their orders tripled in the spring, then stopped."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_words_times_a_month", _append_persona("loyal", "They visit nine times a month."), "figure_in_text", "segments.loyal.persona"),
    ("figure_words_a_thousand", _append_persona("dormant", "About a thousand accounts sit here."), "figure_in_text", "segments.dormant.persona"),
    ("figure_words_two_thousand_dollars", _append_persona("champions", "They spend roughly two thousand dollars a year."), "figure_in_text", "segments.champions.persona"),
    ("figure_words_a_dozen", _append_persona("loyal", "A dozen of them are wholesale buyers."), "figure_in_text", "segments.loyal.persona"),
    ("figure_words_by_a_third", _append_persona("at_risk", "Their spend fell by a third last year."), "figure_in_text", "segments.at_risk.persona"),
    ("figure_words_count_of_people", _append_persona("needs_attention", "Nearly seventy clients came through a gift."), "figure_in_text", "segments.needs_attention.persona"),
    ("figure_words_count_of_them", _append_persona("loyal", "Twenty of them live in London."), "figure_in_text", "segments.loyal.persona"),
    ("figure_words_hundreds_of_customers", _set(f"{P0}.expected_outcome", "Hundreds of customers place a second order."), "figure_in_text", f"{P0}.expected_outcome"),
    ("figure_bucks", _append_persona("new", "They spent about 90 bucks each."), "figure_in_text", "segments.new.persona"),
    ("figure_words_months_on_median", _append_persona("dormant", "They last bought around sixteen months on median."), "figure_in_text", "segments.dormant.persona"),  # CDNOW trial
    ("figure_words_median_of_months", _append_persona("dormant", "Their last order was a median of about sixteen months back."), "figure_in_text", "segments.dormant.persona"),
    ("figure_worth_bare_number", _append_persona("champions", "Each is worth over 700 in lifetime value."), "figure_in_text", "segments.champions.persona"),  # CDNOW trial
    ("figure_spend_bare_number", _append_persona("loyal", "They spend about 250 a year with us."), "figure_in_text", "segments.loyal.persona"),
    ("pathway_beyond_share", lambda d: _set("targeting_matrix[7].budget_share", 0.19)(_set("targeting_matrix[6].budget_share", 0.1)(d)), "pathway_beyond_share", "pathways[1].investment.budget"),
    ("unknown_confirmation", _set("confirmed", {"budget": "it is fine"}), "unknown_confirmation", "confirmed.budget"),
    ("confirmation_without_warning", _set("confirmed", {"consent_unknown": "they all agreed"}), "confirmation_without_warning", "confirmed.consent_unknown"),  # Shopify records consent
    ("claim_most_of_the_revenue", _append_persona("loyal", "They bring most of the revenue."), "claim_contradicts_fact", "segments.loyal.persona"),
    ("claim_numbers_growing", _append_persona("at_risk", "Their numbers are growing fast."), "claim_contradicts_fact", "segments.at_risk.persona"),
    ("claim_more_shops_join", _append_persona("at_risk", "More shops slip into this group every quarter."), "claim_contradicts_fact", "segments.at_risk.persona"),
    ("claim_most_bought_again", _append_persona("dormant", "Most of them bought several times."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_most_bought_once", _append_persona("at_risk", "Most of them bought only once."), "claim_contradicts_fact", "segments.at_risk.persona"),
    ("claim_cadence", _append_persona("champions", "They buy every week."), "claim_contradicts_fact", "segments.champions.persona"),
    ("claim_stopped_months_ago", _append_persona("loyal", "They stopped paying months ago."), "claim_contradicts_fact", "segments.loyal.persona"),
    ("claim_stopped_years_ago", _append_persona("at_risk", "They stopped buying years ago."), "claim_contradicts_fact", "segments.at_risk.persona"),
    ("claim_bought_recently", _append_persona("dormant", "They bought recently."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_biggest_spenders", _append_persona("dormant", "They are the biggest spenders per head ({segmentations.rfm.segments.dormant.avg_value})."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_compared_against_the_figures", _append_persona("loyal", "The Steady Regulars came back more often than the Northwind Insiders: {segmentations.rfm.segments.loyal.next_repeat_rate} against {segmentations.rfm.segments.champions.next_repeat_rate}."), "claim_contradicts_fact", "segments.loyal.persona"),  # a trial's
    ("comparison_half_cited", _append_persona("loyal", "The Steady Regulars came back less often than the Northwind Insiders ({segmentations.rfm.segments.loyal.next_repeat_rate})."), "comparison_half_cited", "segments.loyal.persona"),
    ("fact_share_cited_for_coming_back", _append_persona("champions", "The Northwind Insiders come back more often than the Steady Regulars ({segmentations.rfm.segments.champions.pct_customers} against {segmentations.rfm.segments.loyal.pct_customers})."), "fact_unit_mismatch", "segments.champions.persona"),
    ("claim_not_in_data", _append_persona("new", "Our evening sign-ups, who stick around longer than morning sign-ups."), "claim_not_in_data", "segments.new.persona"),
    ("fact_read_as_churn", _append_persona("new", "They are {segmentations.rfm.segments.new.repeat_rate} likely to churn after the first month."), "fact_unit_mismatch", "segments.new.persona"),
    ("fact_of_other_segment", _append_persona("new", "About {segmentations.rfm.segments.loyal.next_repeat_rate} of First-Timers buy again."), "fact_of_other_segment", "segments.new.persona"),
    ("fact_of_other_segment_by_name", _set(f"{P0}.expected_outcome", "Lifts {segmentations.rfm.segments.champions.repeat_rate} of Needs Attention customers."), "fact_of_other_segment", f"{P0}.expected_outcome"),
    ("fact_of_other_segment_said_of_them", _append_persona("loyal", "They spend {segmentations.rfm.segments.champions.avg_value} on average."), "fact_of_other_segment", "segments.loyal.persona"),
    ("fact_of_other_segmentation_of_them", _append_persona("at_risk", "{segmentations.health.segments.struggling.count} of them are struggling."), "fact_of_other_segment", "segments.at_risk.persona"),
    ("count_cited_as_reach", _append_persona("dormant", "Email reaches all {segmentations.rfm.segments.dormant.count} of them."), "count_cited_as_reach", "segments.dormant.persona"),
    ("count_cited_as_reach_all_of_whom", _append_persona("dormant", "{segmentations.rfm.segments.dormant.count} subscribers, all of whom can be reached by email."), "count_cited_as_reach", "segments.dormant.persona"),  # Stripe trial
    ("count_cited_as_reach_on_the_list", _append_persona("dormant", "All {segmentations.rfm.segments.dormant.count} of them are on the email list."), "count_cited_as_reach", "segments.dormant.persona"),
    ("count_cited_as_reach_sent_to", _set("segments.dormant.offers", "A newsletter sent to all {segmentations.rfm.segments.dormant.count} of them."), "count_cited_as_reach", "segments.dormant.offers"),
    ("count_cited_as_reach_after", _set("segments.at_risk.messaging", "All {segmentations.rfm.segments.at_risk.count} of them can be emailed today."), "count_cited_as_reach", "segments.at_risk.messaging"),
    ("promise_in_text", _set(f"{P0}.expected_outcome", "Brings in {segmentations.rfm.segments.new.avg_value} of guaranteed revenue per returning customer."), "promise_in_text", f"{P0}.expected_outcome"),
    ("offer_over_price", _set("segments.dormant.offer_terms", [{"label": "win-back discount", "value": 150, "unit": "percent"}]), "offer_over_price", "segments.dormant.offer_terms[0].value"),
    ("free_shipping_far_above_their_orders", _set("segments.loyal.offer_terms", [{"label": "free shipping threshold", "value": 2500, "unit": "money"}]), "threshold_beyond_orders", "segments.loyal.offer_terms[0].value"),
    ("fact_unit_mismatch", _append_persona("loyal", "They come back every {segmentations.rfm.segments.loyal.count} days."), "fact_unit_mismatch", "segments.loyal.persona"),
    ("fact_share_of_the_other_base", _append_persona("at_risk", "They make up {segmentations.rfm.segments.at_risk.revenue_share} of our customers."), "fact_unit_mismatch", "segments.at_risk.persona"),  # skill trial
    ("rule_segment_name_holds_names", _set("automation_rules[1]", {"segment": "dormant", "crm": "Customer.io", "rule": "When segment_name is dormant, start the win-back campaign."}), "rule_key_for_email_tool", "automation_rules[1].rule"),
    ("rule_names_the_key_for_klaviyo", _set("automation_rules[1].rule", "When Segment becomes at_risk, start the win-back flow."), "rule_key_for_email_tool", "automation_rules[1].rule"),
    ("rule_on_a_metric_klaviyo_lacks", _set("automation_rules[1].rule", "When recency_days passes 60, start the win-back flow."), "rule_column_not_in_file", "automation_rules[1].rule"),
    ("rule_on_another_tools_column", _set("automation_rules[1]", {"segment": "at_risk", "crm": "Mailchimp", "rule": "When Value Tier is High Value, start the win-back flow."}), "rule_column_not_in_file", "automation_rules[1].rule"),
    ("rule_on_a_label_the_file_lacks", _set("automation_rules[1]", {"segment": "at_risk", "crm": "Mailchimp", "rule": "When a contact is tagged Struggling, start the win-back flow."}), "rule_value_not_in_file", "automation_rules[1].rule"),
    ("rule_on_a_segment_figure", _set("automation_rules[1]", {"segment": "dormant", "crm": "Customer.io", "rule": "When repeat_rate drops, start the win-back campaign."}), "rule_column_not_in_file", "automation_rules[1].rule"),
    ("duplicate_persona", _copy_persona("champions", "loyal"), "duplicate_persona", "segments.loyal.persona"),
    ("duplicate_strategy", _copy_field("offers", "champions", "at_risk"), "duplicate_strategy", "segments.at_risk.offers"),
    ("schema_wrong_type", _set("segments.champions.communication_frequency.times", "weekly"), "schema", "segments.champions.communication_frequency.times"),
    ("schema_bad_choice", _set("segments.loyal.communication_frequency.per", "fortnight"), "schema", "segments.loyal.communication_frequency.per"),
    ("schema_share_above_one", _set("targeting_matrix[0].budget_share", 1.5), "schema", "targeting_matrix[0].budget_share"),
    ("schema_float_weeks", _set("roadmap[0].weeks", 2.5), "schema", "roadmap[0].weeks"),
    ("schema_unknown_field", _set("segments.champions.chanels", ["Email"]), "schema", "segments.champions.chanels"),
    ("schema_missing_field", _set("segments.new.persona", _DELETE), "schema", "segments.new.persona"),
    ("schema_channels_not_a_list", _set("segments.new.channels", "Email"), "schema", "segments.new.channels"),
    ("baseline_not_fact", _set("kpis[0].baseline", "about 93%"), "baseline_not_fact", "kpis[0].baseline"),
    ("budget_over", _set("targeting_matrix[0].budget_share", 0.5), "budget_over", "targeting_matrix"),
    ("empty_section", _set("pathways", []), "empty_section", "pathways"),
    ("segment_without_kpi", _drop_kpis_of("loyal"), "segment_without_kpi", "kpis"),
    ("kpi_target_below_rate_baseline", _set("kpis[5].target", 0.2), "kpi_target_backwards", "kpis[5].target"),
    (
        "kpi_target_above_recency_baseline",
        _set("kpis[5]", {"segment": "at_risk", "metric": "median_recency_days", "baseline": "{segmentations.rfm.segments.at_risk.median_recency_days}", "target": 900, "review": "monthly"}),
        "kpi_target_backwards",
        "kpis[5].target",
    ),
    ("kpi_rate_as_percentage", _set("kpis[0].target", 95), "rate_not_fraction", "kpis[0].target"),
    ("success_rate_as_percentage", _set(f"{P0}.success_metric.target", 33), "rate_not_fraction", f"{P0}.success_metric.target"),
    ("baseline_of_another_kind", _set("kpis[0].baseline", "{segmentations.rfm.segments.champions.count}"), "baseline_other_metric", "kpis[0].baseline"),
    ("baseline_of_another_segment", _set("kpis[2].baseline", "{segmentations.rfm.segments.champions.next_repeat_rate}"), "baseline_other_segment", "kpis[2].baseline"),
    ("baseline_of_another_segmentation", _set("kpis[1].baseline", "{segmentations.lifecycle.segments.mature.count}"), "baseline_other_segment", "kpis[1].baseline"),
    (
        "kpi_dormant_size_target_above_baseline",
        _set("kpis[6]", {"segment": "dormant", "metric": "count", "baseline": "{segmentations.rfm.segments.dormant.count}", "target": 2000, "review": "monthly"}),
        "kpi_target_backwards",
        "kpis[6].target",
    ),
    (
        "kpi_at_risk_share_target_above_baseline",
        _set("kpis[5]", {"segment": "at_risk", "metric": "pct_customers", "baseline": "{segmentations.rfm.segments.at_risk.pct_customers}", "target": 0.05, "review": "monthly"}),
        "kpi_target_backwards",
        "kpis[5].target",
    ),
    ("kpi_top_size_target_below_baseline", _set("kpis[1].target", 60), "kpi_target_backwards", "kpis[1].target"),
    (
        "kpi_rate_already_at_its_most",
        _set("kpis[2]", {"segment": "loyal", "metric": "repeat_rate", "baseline": "{segmentations.rfm.segments.loyal.repeat_rate}", "target": 1, "review": "monthly"}),
        "kpi_at_limit",
        "kpis[2].target",
    ),
    ("pathway_down", _set(f"{P0}.to_segment", "dormant"), "pathway_downward", f"{P0}.to_segment"),
    ("pathway_in_place", _set(f"{P0}.to_segment", "new"), "pathway_downward", f"{P0}.to_segment"),
    ("pathways_cost_more_than_the_budget", _set("budget", {"amount": 500, "per": "month"}), "plan_over_budget", "budget.amount"),
    ("pathways_take_more_hours_than_given", _set("budget", {"amount": 3000, "per": "month", "hours": 5}), "plan_over_budget", "budget.hours"),
    ("phone_calls_without_hours", _set("targeting_matrix[1]", {"segment": "champions", "channel": "Phone calls from the owner", "priority": "high", "budget_share": 0.03}), "manual_channel_without_hours", "targeting_matrix[1].channel"),
    ("display_name_of_a_lifecycle_stage", _set("segments.dormant.display_name", "Lapsed"), "display_name_clash", "segments.dormant.display_name"),  # a trial: beside the lifecycle's Lapsed
    ("rule_names_the_display_name", _set("automation_rules[2].rule", "After the reactivation series, move Lapsed One-Timers who never opened it to the suppressed list."), "rule_display_name", "automation_rules[2].rule"),
    ("pathway_target_below_where_its_segment_is", _set(f"{P0}.success_metric.target", 0.1), "pathway_target_backwards", f"{P0}.success_metric.target"),
    ("pathway_target_still_meets_its_trigger", _set(f"{P0}.success_metric", {"metric": "recency_days", "target": 30}), "pathway_target_backwards", f"{P0}.success_metric.target"),
    ("trigger_no_customer_of_the_segment_meets", _set(f"{P0}.trigger.value", 60), "trigger_outside_segment", f"{P0}.trigger.value"),
    ("pathway_into_new_from_an_existing_customer", _set("pathways[1].to_segment", "new"), "pathway_impossible", "pathways[1].to_segment"),
    # a six-year store's trial: false claims check.py let through
    ("claim_lifetime_share_as_today", _append_persona("dormant", "They still bring {segmentations.rfm.segments.dormant.revenue_share} of our revenue today."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_keeps_ordering_when_quiet", _append_persona("dormant", "They keep ordering every season."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_only_buy_in_one_season", _append_persona("needs_attention", "They only buy at Christmas."), "claim_contradicts_fact", "segments.needs_attention.persona"),
    ("claim_more_revenue_than_another", _append_persona("needs_attention", "They bring more revenue than the Steady Regulars."), "claim_contradicts_fact", "segments.needs_attention.persona"),
    ("claim_main_source_of_growth", _append_persona("dormant", "They are the main source of our growth."), "claim_contradicts_fact", "segments.dormant.persona"),
    ("claim_payment_method", _append_persona("loyal", "They mostly pay with Klarna."), "claim_not_in_data", "segments.loyal.persona"),
    ("claim_acquisition_channel", _append_persona("loyal", "They found us through Instagram."), "claim_not_in_data", "segments.loyal.persona"),
    ("claim_business_kind", _append_persona("loyal", "They are almost all UK high-street shops."), "claim_not_in_data", "segments.loyal.persona"),
    ("fact_days_read_as_weeks", _append_persona("loyal", "They came back after a median {segmentations.rfm.segments.loyal.median_recency_days} weeks."), "fact_unit_mismatch", "segments.loyal.persona"),
    ("fact_next_period_read_as_next_month", _append_persona("new", "Each with a {segmentations.rfm.segments.new.next_repeat_rate} chance of ordering next month."), "fact_unit_mismatch", "segments.new.persona"),
    ("fact_lifetime_share_of_monthly_sales", _append_persona("loyal", "They bring {segmentations.rfm.segments.loyal.revenue_share} of our current monthly sales."), "fact_unit_mismatch", "segments.loyal.persona"),
    ("promise_most_will_come_back", _set(f"{P0}.expected_outcome", "Most of them will come back after the first email."), "promise_in_text", f"{P0}.expected_outcome"),
    ("display_name_holds_another_segments_name", _set("segments.dormant.display_name", "VIP Champions"), "display_name_clash", "segments.dormant.display_name"),
    # a CDNOW win-back trial: targets and baselines check.py let through
    ("kpi_rate_target_above_the_best_segment", _set("kpis[5].target", 0.97), "target_beyond_data", "kpis[5].target"),
    ("pathway_rate_target_above_its_to_segment", _set("pathways[3].success_metric.target", 0.7), "target_beyond_data", "pathways[3].success_metric.target"),
    ("kpi_count_target_as_a_fraction", _set("kpis[6]", {"segment": "dormant", "metric": "count", "baseline": "{segmentations.rfm.segments.dormant.count}", "target": 0.05, "review": "monthly"}), "fraction_not_count", "kpis[6].target"),
    ("baseline_share_of_customers_for_a_rate", _set("kpis[5].baseline", "{segmentations.rfm.segments.at_risk.pct_customers}"), "baseline_other_metric", "kpis[5].baseline"),
    ("promise_organic_rate_as_the_flows", _set("pathways[3].expected_outcome", "The win-back flow will bring back {segmentations.rfm.segments.at_risk.next_repeat_rate} of them."), "promise_in_text", "pathways[3].expected_outcome"),
    ("fact_of_other_segment_as_a_campaigns_effect", _set("pathways[3].expected_outcome", "Win-back emails typically bring back {segmentations.rfm.segments.champions.next_repeat_rate} of lapsed regulars."), "fact_of_other_segment", "pathways[3].expected_outcome"),
    # a trial's next_repeat_rate KPI, a 90-day measure, reviewed monthly
    ("kpi_next_period_rate_reviewed_monthly", _set("kpis[0].review", "monthly"), "kpi_review_too_often", "kpis[0].review"),
    ("baseline_spend_per_customer_for_aov", _set("kpis[4]", {"segment": "needs_attention", "metric": "aov", "baseline": "{segmentations.rfm.segments.needs_attention.avg_value}", "target": 200, "review": "monthly"}), "baseline_other_metric", "kpis[4].baseline"),
    # the user's hunches: a verdict the data settles rests on facts the report can show
    ("hunch_verdict_on_no_fact", _set("hypotheses[1].evidence", "It holds: the Steady Regulars came back far more often than the First-Timers."), "verdict_without_fact", "hypotheses[1].evidence"),
    ("hunch_verdict_not_one_of_the_four", _set("hypotheses[1].verdict", "probably"), "schema", "hypotheses[1].verdict"),
    # a trial's 'does not hold' on evidence whose two come-back rates bore the hunch out
    ("hunch_verdict_against_its_figures", _set("hypotheses[1]", {"hunch": "Champions buy again more often than Loyal", "verdict": "does not hold", "evidence": "{segmentations.rfm.segments.champions.next_repeat_rate} of the Champions bought again in the next period, against {segmentations.rfm.segments.loyal.next_repeat_rate} of the Loyal."}), "verdict_against_figures", "hypotheses[1].verdict"),
    # a trial: 'holds' on evidence Loyal's persona could not say (Loyal brought 15.5% of revenue)
    ("hunch_evidence_contradicts_the_segment_it_names", _set("hypotheses[1].evidence", "The Steady Regulars bring most of our revenue: {segmentations.rfm.segments.loyal.revenue_share}."), "claim_contradicts_fact", "hypotheses[1].evidence"),
    ("data_scope_whole_base_in_words", _set("data_scope.whole_base", "no"), "schema", "data_scope.whole_base"),
    # a trial's rules phoned, texted and emailed whole segments, held-out customers with them
    ("rule_reaches_the_holdout", _set("automation_rules[1].rule", "When a customer moves into At Risk (the Slipping Regulars of this plan), start the founder win-back flow."), "holdout_not_excluded", "automation_rules[1].rule"),
]


def _sample_told_as_whole(text):
    """The user said the export is a sample, and the persona tells its figure as the business's."""

    def mutate(doc):
        doc["data_scope"] = {"whole_base": False, "answer": "I think the export is a sample of our order lines"}
        return _append_persona("champions", text)(doc)

    return mutate


BROKEN += [
    ("sample_revenue_as_the_business_s", _sample_told_as_whole("They matter to our total revenue of {data.revenue_total}."), "sample_as_whole", "segments.champions.persona"),
    ("sample_count_as_all_our_customers", _sample_told_as_whole("Few of all {data.customers} of our customers shop like them."), "sample_as_whole", "segments.champions.persona"),
]


def _nobody_emailable(segment):
    """Facts in which every customer of ``segment`` opted out of marketing."""

    def mutate(facts):
        exports = facts["exports"]
        count = facts["segmentations"]["rfm"]["segments"][segment]["count"]
        exports["reachable"] -= exports["reachable_by_segment"][segment]
        exports["reachable_by_segment"][segment] = 0
        exports["left_out_no_email"].pop(segment, None)
        exports["left_out_no_consent"][segment] = count
        return facts

    return mutate


def _merged_away(segment: str, into: str):
    """Facts where ``segment`` was too small and joined ``into``."""

    def mutate(facts: dict) -> dict:
        rfm = facts["segmentations"]["rfm"]
        rfm["merged"] = [{"from": segment, "into": into, "customers": rfm["segments"][segment]["count"], "reason": "too few to stand alone"}]
        rfm["segments"][segment]["count"] = 0
        return facts

    return mutate


# (id, facts mutation, expected code, expected paths): problems that only some data has
BROKEN_FACTS = [
    # the matrix's email cell, the segment's own email and SMS channels, and its Klaviyo rule
    ("email_channel_for_opted_out_segment", _nobody_emailable("at_risk"), "unreachable_segment", ["targeting_matrix[7].channel", "segments.at_risk.channels[0]", "segments.at_risk.channels[1]", "automation_rules[1].segment"]),
    (
        "plan_names_a_merged_segment",
        _merged_away("champions", "loyal"),
        "merged_segment",
        ["segments.champions", "targeting_matrix[0].segment", "targeting_matrix[1].segment", "pathways[2].to_segment", "kpis[0].segment", "kpis[1].segment", "automation_rules[3].segment"],
    ),
]


BROKEN_FACTS.append(("rule_on_a_segment_merged_away", _merged_away("at_risk", "dormant"), "rule_value_not_in_file", ["automation_rules[1].rule"]))  # 'moves into At Risk'


def _one_customer_in(segment: str):
    def mutate(facts: dict) -> dict:
        facts["segmentations"]["rfm"]["segments"][segment]["count"] = 1
        return facts

    return mutate


# a Shopify trial: a repeat rate of 0.5 aimed at a segment of one customer (0 or 1 is all it can be); the
# entry's fifth item changes the plan too
BROKEN_FACTS.append(
    ("rate_target_between_steps", _one_customer_in("new"), "target_between_steps", ["kpis[3].target"],
     _set("kpis[3]", {"segment": "new", "metric": "repeat_rate", "baseline": "{segmentations.rfm.segments.new.repeat_rate}", "target": 0.5, "review": "monthly"}))
)


def _few_at_the_cutoff(segment: str, customers: int):
    """Facts where only ``customers`` of ``segment`` were scored at the next-period check's cutoff."""

    def mutate(facts: dict) -> dict:
        row = next(r for r in facts["segmentations"]["rfm"]["validation"]["segments"] if r["segment"] == segment)
        row["customers"] = customers
        return facts

    return mutate


def _channel_left_out(only_there: int = 12, listed: int = 12):
    """Facts of a run with --exclude-channel Honeycomb (a wholesale app, trial B): its orders and
    buyers counted, and ``listed`` contacts of a customers export who bought only through it, in
    segments_generic.csv alone."""

    def mutate(facts: dict) -> dict:
        data, exports = facts["data"], facts["exports"]
        data["dropped"]["excluded_channel"] = 17
        data["excluded_channels"] = {"channels": ["Honeycomb"], "orders": 12, "customers": 12, "only_there": only_there}
        data["excluded_channel_only"] = listed
        if listed:
            exports["groups"]["excluded_channel_only"] = "Bought only through a left-out channel (Honeycomb)"
            exports["reachable_by_segment"]["excluded_channel_only"] = 0
            exports["left_out_channel"] = {"excluded_channel_only": listed}
        return facts

    return mutate


# trial B: the plan recorded the export as the whole customer base after Honeycomb's orders were left out
BROKEN_FACTS.append(("whole_base_on_a_run_that_left_a_channel_out", _channel_left_out(), "whole_base_channel_left_out", ["data_scope.whole_base"]))
# trial B: a 'sorry your order went wrong' email reached the Honeycomb buyers; their own group may not be contacted in any tool
BROKEN_FACTS.append(
    ("rule_for_buyers_only_through_a_channel_left_out", _channel_left_out(), "unreachable_segment", ["automation_rules[4].segment"],
     lambda doc: {**doc, "data_scope": {"whole_base": False, "answer": "yes, apart from Honeycomb, our wholesale app"},
                  "automation_rules": doc["automation_rules"] + [{"segment": "excluded_channel_only", "crm": "segments_generic.csv", "rule": "Send the wholesale buyers a sorry-your-order-went-wrong note."}]})
)


# an activewear trial: Loyal's next-period rate of 75.0% was 3 of 4 customers, and targets of 0.8 and 1.0 passed
BROKEN_FACTS.append(("baseline_rate_of_four_customers", _few_at_the_cutoff("champions", 4), "baseline_too_few", ["kpis[0].baseline"]))
# a trial's Loyal -> Champions pathway aimed Loyal's next-period rate at 0.8 from its 66.7%, which was 2 of 3 customers
BROKEN_FACTS.append(
    ("pathway_target_on_a_rate_of_three_customers", _few_at_the_cutoff("loyal", 3), "baseline_too_few", ["kpis[2].baseline", "pathways[2].success_metric.metric"],
     _set("pathways[2].success_metric", {"metric": "next_repeat_rate", "target": 0.8}))
)
# and the New -> Steady Regulars pathway's outcome beats New's rate, of 18 at the cutoff (a trial's)
BROKEN_FACTS.append(
    ("pathway_text_beats_a_rate_of_eighteen", _few_at_the_cutoff("new", 18), "baseline_too_few", ["kpis[3].baseline", "pathways[0].success_metric.metric", "pathways[0].expected_outcome"])
)


@pytest.mark.parametrize(
    "crm, text, refused",
    [
        # a trial's: the whole segment, the held-out with it
        ("HubSpot", "When a contact enters At Risk, create a call task for the owner and send the SMS win-back offer.", True),
        ("Klaviyo", "When Segment is At Risk, send the win-back email.", True),
        ("Braze", "Enrol At Risk customers in the win-back journey.", True),
        # the holdout left out, in the files' words and in plain ones
        ("Klaviyo", "When Segment is At Risk and Holdout is not true, send the win-back email.", False),
        ("HubSpot", "When customer_segment is At Risk and holdout = false, create a call task for the owner.", False),
        ("Mailchimp", "Send the win-back email to contacts tagged At Risk that do not have the tag Holdout.", False),
        ("Braze", "Enrol At Risk customers in the win-back journey, excluding the holdout.", False),
        ("Braze", "Enrol At Risk customers in the win-back journey; leave out held-out customers.", False),
        ("HubSpot", "Send the win-back sequence to At Risk contacts, excluding contacts whose holdout is true.", False),
        # reaching nobody: a suppression, a chat routed in; a service message; a tool that imports no file
        ("Klaviyo", "After the win-back flow ends without an open, move the contact to the suppressed list.", False),
        ("Intercom", "Route chats from At Risk customers to the priority inbox.", False),
        ("Klaviyo", "When a payment fails, send the card-update email.", False),
        # a trial's: the holdout named with what happens to it
        ("Klaviyo", "When a profile's Segment changes from Champions to At Risk, alert the owner by internal email so they can write a personal note; if Holdout is true, send no note.", False),
        ("Klaviyo", "When Segment equals Champions, send the early-access email; profiles whose Holdout is true are suppressed from it.", False),
        ("Klaviyo", "When Segment equals Champions and Holdout is true, start the early-access flow.", True),
        ("Shopify Flow", "Tag At Risk customers so their next order gets a handwritten card.", False),
        # reached on purpose, said so (a wholesaler trial's account-manager calls)
        ("HubSpot", "Every contact whose customer_segment is Champions goes on the account manager's monthly call list, including the holdout: these accounts get their call regardless.", False),
        ("HubSpot", "Every contact whose customer_segment is Champions goes on the account manager's monthly call list.", True),
    ],
)
def test_an_automation_rule_leaves_the_holdout_out(runs, crm, text, refused):
    """The CRM files mark a holdout (about one in ten of each segment) that every campaign
    leaves out, so what the campaigns add can be measured: a rule that reaches a segment's
    customers in a tool that imports the files says so."""
    facts = facts_of(runs)
    assert facts["exports"]["held_out"] >= 20
    doc = reference()
    doc["automation_rules"][1].update({"crm": crm, "rule": text})
    found = [p for p in validate(doc, facts) if p.code == "holdout_not_excluded"]
    assert [p.path for p in found] == (["automation_rules[1].rule"] if refused else []), found
    if refused:
        assert f"({facts['exports']['held_out']:,} in all, {{exports.held_out}})" in found[0].message


@pytest.mark.parametrize("held_out, refused", [(302, True), (20, True), (19, False), (0, False), (None, False)])
def test_a_holdout_too_small_to_keep_may_be_contacted(runs, held_out, refused):
    """With fewer than 20 held out the report and the hand-over brief say the holdout is too
    small to tell a campaign's effect from chance, and the user may contact them: the rules may
    include them; with none marked there is nothing to leave out."""
    facts = facts_of(runs)
    facts["exports"]["held_out"] = held_out
    doc = _set("automation_rules[1].rule", "When a customer moves into At Risk, start the founder win-back flow.")(reference())
    found = [p.path for p in validate(doc, facts) if p.code == "holdout_not_excluded"]
    assert found == (["automation_rules[1].rule"] if refused else [])


def _covering(days: int):
    """Facts of data that covers only ``days`` days (the period stays 90)."""

    def mutate(facts: dict) -> dict:
        facts["data"]["days_covered"] = days
        return facts

    return mutate


# a trial's KPI on spend_last_period_per_customer, on data of 22 days with a 90-day period: the baseline
# counts 22 days of spend, so the next export's whole period would read as growth with nothing changed;
# the reference's other KPIs, on counts and next-period rates, describe who happened to buy in those days
# a trial's persona: 'our evening sign-ups, who stick around longer', on a few weeks of data
BROKEN_FACTS.append(("retention_claim_on_weeks_of_data", _covering(22), "claim_contradicts_fact", ["segments.loyal.persona"], _append_persona("loyal", "They stick around longer than anyone.")))
BROKEN_FACTS.append(
    ("kpi_on_a_period_the_data_does_not_cover", _covering(22), "kpi_on_partial_period", [f"kpis[{i}].metric" for i in range(7)],
     _set("kpis[4]", {"segment": "needs_attention", "metric": "spend_last_period_per_customer", "baseline": "{segmentations.rfm.segments.needs_attention.spend_last_period_per_customer}", "target": 95, "review": "monthly"}))
)


@pytest.mark.parametrize(
    "path, text, refused",
    [
        ("segments.loyal.persona", "Like our evening sign-ups, they stick around longer.", True),
        ("segments.loyal.persona", "They stay with us for months.", True),
        ("segments.loyal.goal", "Reward regulars who keep coming back every quarter.", True),
        ("segments.loyal.persona", "They are less likely to churn than the First-Timers.", True),
        ("hypotheses[1].evidence", "It holds: the Steady Regulars stick around longer, as {segmentations.rfm.segments.loyal.repeat_rate} of them bought again.", True),
        # a Stripe trial's ways of saying it, on 22 days of payments
        ("hypotheses[1].evidence", "Steady Regulars spend {segmentations.rfm.segments.loyal.avg_value} against {segmentations.rfm.segments.new.avg_value}, so the bigger packages keep clients longer.", True),
        ("segments.loyal.persona", "Because {segmentations.rfm.segments.loyal.repeat_rate} of them renewed, most are about to cancel.", True),
        ("segments.loyal.persona", "They stay subscribed for more months than the First-Timers.", True),
        ("segments.loyal.persona", "They stay with us longer.", True),
        ("segments.loyal.persona", "Steady Regulars retain better.", True),
        ("segments.loyal.persona", "They churn less.", True),
        ("segments.loyal.persona", "Their subscriptions last longer.", True),
        ("segments.loyal.persona", "Many of them will cancel after the first month.", True),
        ("segments.loyal.persona", "They are likely to churn.", True),
        # churn in other words, passed on 22 days (a UCI trial's 'lower churn'): the same check as 'they stay longer'
        ("segments.loyal.persona", "They show lower churn than the rest.", True),
        ("segments.loyal.persona", "Their churn is lower than the First-Timers'.", True),
        ("segments.loyal.persona", "They have a low churn rate.", True),
        ("segments.loyal.persona", "They rarely churn.", True),
        ("segments.loyal.goal", "Lower churn among them.", False),  # an instruction
        ("segments.loyal.goal", "Aim to lower churn among them.", False),
        ("segments.loyal.persona", "Whether their churn is lower, three weeks of orders cannot tell.", False),
        ("segments.loyal.persona", "We cannot tell yet whether they stay longer.", False),
        ("segments.loyal.persona", "Three weeks of orders cannot show that they stay longer.", False),
        ("segments.loyal.persona", "Do they stay longer?", False),
        ("segments.loyal.persona", "They are not about to cancel.", False),
        ("segments.loyal.goal", "Keep them subscribed longer.", False),
        ("segments.loyal.service_level", "A coach calls anyone who is about to cancel.", False),
        ("segments.loyal.service_level", "Clients who will cancel get a call first.", False),
        # an aim, a question, the user's own words, a denial: no claim
        ("segments.loyal.goal", "Keep them coming back every quarter.", False),
        ("segments.loyal.persona", "Whether they stick around longer, three weeks of orders cannot tell.", False),
        ("segments.loyal.persona", "You told us they stick around longer.", False),
        ("segments.loyal.persona", "They do not stay with us for months.", False),
        # a pathway's outcome may aim at it
        ("pathways[0].expected_outcome", "More First-Timers stick around longer.", False),
    ],
)
def test_a_retention_claim_needs_data_of_a_whole_period(runs, path, text, refused):
    """On 22 days of orders with a 90-day period, 'they stick around longer' or 'keep coming back
    every quarter' describes nothing the data holds: who happened to buy in three weeks. On the
    whole export the same words are not held to the span."""
    doc = _set(path, text)(reference())
    for days, held in ((22, refused), (915, False)):
        facts = _covering(days)(facts_of(runs))
        found = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact" and p.path == path]
        assert bool(found) == held, (days, found)
        if held:
            assert "the data covers 22 days ({data.days_covered}), less than one period of 90 ({period_days})" in found[0].message


def test_a_kpi_on_the_last_period_needs_data_of_a_whole_period(cli, tmp_path):
    """Twenty-two days of orders and the default 90-day period: spend_last_period_per_customer is
    22 days of spend, refused as a KPI; aov, which does not depend on the span, passes, and so
    does the same KPI once the period is the data's span (--period 22d)."""
    import csv

    path = tmp_path / "orders.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "order_date", "amount"])
        w.writerows((f"c{i % 120}", f"2024-03-{1 + (i * 7) % 22:02d}", 20 + i % 50) for i in range(400))

    def kpi_problems(out, metric):
        facts = json.loads((out / "facts.json").read_text())
        key = f"{{segmentations.rfm.segments.champions.{metric}}}"
        doc = {"segments": {}, "kpis": [{"segment": "champions", "metric": metric, "baseline": key, "target": 250, "review": "monthly"}]}
        return facts, [p for p in validate(doc, facts) if p.code == "kpi_on_partial_period"]

    assert cli("run", path, "--out", tmp_path / "out", "--no-charts").code == 0
    facts, (problem,) = kpi_problems(tmp_path / "out", "spend_last_period_per_customer")
    assert (facts["data"]["days_covered"], facts["period_days"]) == (22, 90)
    assert problem.path == "kpis[0].metric" and "the baseline covers only 22 of the period's 90 days" in problem.message
    assert "aov (spend per order)" in problem.message and "--period 22d" in problem.message
    assert kpi_problems(tmp_path / "out", "aov")[1] == []
    # counts, shares and repeat rates on those 22 days describe who happened to buy in them
    for metric in ("count", "pct_customers", "revenue_share", "repeat_rate"):
        (problem,) = kpi_problems(tmp_path / "out", metric)[1]
        assert problem.path == "kpis[0].metric" and "who happened to buy in those weeks" in problem.message and "--period 22d" in problem.message, metric
    # spend over all the data grows with the export's length (a Stripe trial's avg_value and monetary_total)
    for metric in ("avg_value", "revenue"):
        (problem,) = kpi_problems(tmp_path / "out", metric)[1]
        assert problem.path == "kpis[0].metric" and "grows with the export's length" in problem.message and "aov (spend per order)" in problem.message, metric
    monetary = {"segment": "champions", "metric": "monetary_total", "baseline": "{segmentations.rfm.segments.champions.avg_value}", "target": 900, "review": "monthly"}
    facts = json.loads((tmp_path / "out" / "facts.json").read_text())
    assert [p.message.split(" is ")[0] for p in validate({"segments": {}, "kpis": [monetary]}, facts) if p.code == "kpi_on_partial_period"] == ["monetary_total"]
    assert cli("run", path, "--out", tmp_path / "out22", "--period", "22d", "--no-charts").code == 0
    for metric in ("spend_last_period_per_customer", "count", "pct_customers", "revenue_share", "repeat_rate", "avg_value", "revenue"):
        assert kpi_problems(tmp_path / "out22", metric)[1] == [], metric
    # the hand-over brief offers as baselines only what check.py takes
    from custseg.render.briefs import render_brief

    short, whole = (render_brief("operationalize", json.loads((tmp_path / out / "facts.json").read_text())) for out in ("out", "out22"))
    assert "spend_last_period_per_customer}`" not in short and "Last-period spend is not offered: the data covers 22 of the period's 90 days" in short
    assert "spend_last_period_per_customer}`" in whole and "Last-period spend is not offered" not in whole
    assert "champions.count}`" not in short and "champions.pct_customers}`" not in short and "`{segmentations.rfm.segments.champions.aov}` (spend per order)" in short
    assert "champions.count}`" in whole and "champions.pct_customers}`" in whole
    assert "nor spend per customer over the data (`avg_value`)" in short and "spend per customer over the data" not in whole


@pytest.mark.parametrize(
    "days, success, refused",
    [
        (22, {"metric": "monetary_total", "target": 400}, True),  # a Stripe trial: Core clients to reach 400, on 22 days of payments
        (22, {"metric": "avg_value", "target": 400}, True),
        (22, {"metric": "spend_last_period_per_customer", "target": 400}, True),
        (915, {"metric": "monetary_total", "target": 400}, False),  # data of whole periods
        (22, {"metric": "purchase_days", "target": 3}, False),  # a purchase more is what the pathway is for
        (22, {"metric": "aov", "target": 60}, False),
    ],
)
def test_a_pathway_is_not_measured_by_spend_that_grows_with_the_data(runs, days, success, refused):
    """On data shorter than a period, spend over all the data grows with the export's length:
    time alone would meet a pathway's success target on it."""
    facts = _covering(days)(facts_of(runs))
    doc = _set("pathways[1].success_metric", success)(reference())
    found = [p for p in validate(doc, facts) if p.code == "kpi_on_partial_period" and p.path.startswith("pathways")]
    assert [p.path for p in found] == (["pathways[1].success_metric.metric"] if refused else []), found
    if refused:
        assert "the data covers 22 days ({data.days_covered})" in found[0].message and "aov (spend per order)" in found[0].message


def test_a_usage_groups_count_is_not_held_to_the_period():
    """Usage groups are counted on the last 30 days' activity, not on a period: their counts and
    shares stay KPIs on a short log; last-period spend does not."""
    from custseg.strategy.kpis import _kpis_on_a_partial_period

    kpis = [{"segment": "power", "metric": m, "baseline": f"{{segmentations.behavioral.segments.power.{m}}}", "target": 30, "review": "monthly"} for m in ("count", "pct_customers", "spend_last_period_per_customer")]
    assert [p.path for p in _kpis_on_a_partial_period(kpis, 22, 90, usage=True)] == ["kpis[2].metric"]
    assert [p.path for p in _kpis_on_a_partial_period(kpis, 22, 90)] == ["kpis[0].metric", "kpis[1].metric", "kpis[2].metric"]


def test_the_operationalize_brief_says_how_often_a_next_period_kpi_is_reviewed(runs):
    """check.py refuses a next_repeat_rate KPI reviewed monthly on a 90-day period: the brief says quarterly."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    brief = render_brief("operationalize", facts)
    assert facts["period_days"] == 90 and "can be read only a whole period (90 days) after a campaign starts: review it quarterly (" in brief
    facts = {**facts, "period_days": 30}
    assert "review it monthly or less often (" in render_brief("operationalize", facts)


def test_the_operationalize_brief_offers_no_rate_of_too_few_as_a_baseline(runs):
    """check.py refuses a next-period rate of fewer than 20 customers as a KPI baseline, so the
    brief does not offer one (the activewear trial's own plan took Loyal's, of 4 customers)."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs, "product_events")
    rows = {r["segment"]: r["customers"] for r in facts["segmentations"]["rfm"]["validation"]["segments"]}
    brief = render_brief("operationalize", facts)
    few = [k for k, n in rows.items() if n < 20]
    assert few and len(few) < len(rows)
    for key, n in rows.items():
        ref = f"`{{segmentations.rfm.segments.{key}.next_repeat_rate}}`"
        assert (ref in brief) == (n >= 20), key
    assert f"(not its next-period rate: only {rows[few[0]]} were in it at the check's cutoff, too few for a baseline)" in brief


def test_the_strategy_brief_marks_a_rate_of_too_few(runs):
    """The strategy brief offers every segment's next-period rate, and says of one measured on
    fewer than 20 customers what the operationalize brief says: too few for a baseline, so no
    pathway's mark either (a trial's pathway aimed at 0.8 from Loyal's 66.7% of 3)."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs, "product_events")
    rows = {r["segment"]: r["customers"] for r in facts["segmentations"]["rfm"]["validation"]["segments"]}
    brief = render_brief("strategy", facts)
    for key, n in rows.items():
        line = next(x for x in brief.splitlines() if x.startswith(f"- `{{segmentations.rfm.segments.{key}.next_repeat_rate}}`"))
        marked = f"(of only {n} customers at the check's cutoff, `{{segmentations.rfm.validation.segments.{key}.customers}}`: too few for a baseline"
        assert (marked in line) == (n < 20), (key, line)
    assert rows["dormant"] >= 20 and rows["champions"] < 20


def test_the_kpi_advice_says_when_next_period_rates_come_from_a_peak(runs):
    """A wholesaler trial's KPI baselines were next-period rates measured September to December,
    a period that held 1.9 times the sales of the one before: the operationalize brief says the
    baseline is that season's, quoting the run's warning without its options."""
    import copy

    from custseg.render.briefs import render_brief

    facts = copy.deepcopy(facts_of(runs))
    real = next(w for w in facts["warnings"] if "where next-period checks and trends are measured" in w)  # the example's own, as facts.build words it
    assert "measured in a period unlike the one before it (a run warning): " + real.split(": every segment")[0] in render_brief("operationalize", facts)
    facts["warnings"] = [w for w in facts["warnings"] if w != real]
    assert "measured in a period unlike the one before it" not in render_brief("operationalize", facts)
    peak = ("the last period (2011-09-11 to 2011-12-09), where next-period checks and trends are measured, held 1.9 times the sales of the period before it: "
            "every segment's figures in it rise alike (a peak season or growth), so compare segments with each other rather than with other periods")
    facts["warnings"].append(peak)
    brief = render_brief("operationalize", facts)
    assert "The next-period rates were measured in a period unlike the one before it (a run warning): " + peak + ". A baseline from it is that season's" in brief


def test_the_hypotheses_rule_points_at_marks_only_when_a_rate_is_marked(runs):
    """'(marked above: too thin to tell...)' sent the model looking for marks a brief without a
    thin rate does not have: the pointer comes only with a marked rate."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs, "product_events")
    assert "marked above: too thin to tell" in render_brief("strategy", facts, {"Hypotheses": "Champions come back"})
    for row in facts["segmentations"]["rfm"]["validation"]["segments"]:
        row["customers"] = max(row["customers"], 20)
    brief = render_brief("strategy", facts, {"Hypotheses": "Champions come back"})
    assert "too few for a baseline" not in brief
    assert "marked above" not in brief and "customers at the check's cutoff (too thin to tell" in brief


@pytest.mark.parametrize(
    "period, metric, review, refused",
    [
        (90, "next_repeat_rate", "monthly", "review it quarterly"),
        (90, "next_repeat_rate", "weekly", "review it quarterly"),
        (90, "next_repeat_rate", "quarterly", None),
        (90, "count", "monthly", None),  # a segment's size moves at every rerun
        (30, "next_repeat_rate", "monthly", None),  # a period of 30 days: a month holds one
        (30, "next_repeat_rate", "weekly", "review it monthly"),
        (365, "next_repeat_rate", "quarterly", "no review the plan can set is that slow"),
    ],
)
def test_a_next_period_rate_is_reviewed_no_more_often_than_a_period(runs, period, metric, review, refused):
    """A campaign shows in a next-period rate only a whole period after it starts: a monthly review
    of a 90-day rate reads customers and days mostly from before it."""
    facts = facts_of(runs)
    facts["period_days"] = period
    doc = reference()
    doc["kpis"][1] = {"segment": "champions", "metric": metric, "baseline": f"{{segmentations.rfm.segments.champions.{metric}}}", "target": 90 if metric == "count" else 0.95, "review": review}
    problems = [p for p in validate(doc, facts) if p.code == "kpi_review_too_often" and p.path.startswith("kpis[1].")]
    assert [p.path for p in problems] == (["kpis[1].review"] if refused else []), problems
    if refused:
        assert refused in problems[0].message and f"the {period} days after the check's cutoff" in problems[0].message


@pytest.mark.parametrize(
    "at_cutoff, pathway, refused",
    [
        ({"loyal": 3}, ("pathways[2].success_metric", {"metric": "next_repeat_rate", "target": 0.8}), ["pathways[2].success_metric.metric"]),
        ({"loyal": 20}, ("pathways[2].success_metric", {"metric": "next_repeat_rate", "target": 0.8}), []),  # enough to read as a rate
        ({"loyal": 3}, ("pathways[2].success_metric", {"metric": "f_score", "target": 4}), []),  # measured in what its customers do
        # New -> Loyal measured on New's own rate (112 at the cutoff): Loyal's handful is not its mark
        ({"loyal": 3}, None, []),
        # ... unless its text beats Loyal's rate
        ({"loyal": 3}, ("pathways[0].expected_outcome", "More First-Timers come back than the {segmentations.rfm.segments.loyal.next_repeat_rate} of Steady Regulars who did."), ["pathways[0].expected_outcome"]),
        ({"loyal": 3}, ("pathways[0].expected_outcome", "More First-Timers come back than the {segmentations.rfm.segments.new.next_repeat_rate} seen last time."), []),
    ],
)
def test_a_pathway_is_not_measured_by_a_rate_of_a_handful(runs, at_cutoff, pathway, refused):
    """A pathway's next-period rate is held to the floor a KPI baseline is: a rate of fewer than
    20 customers at the check's cutoff is no mark for its success target, nor for its text."""
    facts = facts_of(runs)
    for segment, n in at_cutoff.items():
        facts = _few_at_the_cutoff(segment, n)(facts)
    doc = reference()
    doc["kpis"] = [k for k in doc["kpis"] if k["segment"] != "loyal"] + [{"segment": "loyal", "metric": "count", "baseline": "{segmentations.rfm.segments.loyal.count}", "target": 200, "review": "quarterly"}]
    if pathway:
        doc = _set(*pathway)(doc)
    found = [p for p in validate(doc, facts) if p.code == "baseline_too_few"]
    assert [p.path for p in found] == refused, found
    for p in found:
        assert "is the share of only 3 customers of 'loyal' at the check's cutoff ({segmentations.rfm.validation.segments.loyal.customers}): one customer moves it by 33 points" in p.message


# a trial's 'customers who buy twice keep buying' held on Loyal's next-period rate of 75.0%, 3 of 4 customers
BROKEN_FACTS.append(("hunch_verdict_on_a_rate_of_three", _few_at_the_cutoff("loyal", 3), "verdict_on_too_few", ["hypotheses[1].verdict"]))


@pytest.mark.parametrize(
    "loyal_at_cutoff, change, refused",
    [
        (3, None, True),  # the reference's evidence: Loyal's rate against New's
        (3, ("hypotheses[1].verdict", "does not hold"), True),
        (3, ("hypotheses[1].evidence", "{segmentations.rfm.segments.loyal.next_repeat_rate} of the {segmentations.rfm.validation.segments.loyal.customers} Steady Regulars bought again."), True),
        (20, None, False),  # enough customers to read as a rate
        # the corrected verdict: too thin to tell
        (3, ("hypotheses[1]", {"hunch": "Customers who buy twice keep buying", "verdict": "cannot be tested with this data",
                               "evidence": "Only {segmentations.rfm.validation.segments.loyal.customers} Steady Regulars were in the segment at the check's cutoff, too few to tell; a rerun on more customers would."}), False),
        # evidence of more customers beside the rate
        (3, ("hypotheses[1].evidence", "{segmentations.rfm.segments.loyal.repeat_rate} of the Steady Regulars bought on more than one day, and {segmentations.rfm.segments.loyal.next_repeat_rate} of them again in the last period."), False),
        (3, ("hypotheses[1].verdict", "partly holds"), False),  # hedged already
    ],
)
def test_a_hunch_is_not_settled_by_a_rate_of_a_handful(runs, loyal_at_cutoff, change, refused):
    """A verdict that the data settles a hunch, resting only on a next-period rate of fewer than
    20 customers at the check's cutoff, says more than the data can: it is too thin to tell."""
    facts = _few_at_the_cutoff("loyal", loyal_at_cutoff)(facts_of(runs))
    doc = _set(*change)(reference()) if change else reference()
    found = [p for p in validate(doc, facts) if p.code == "verdict_on_too_few"]
    assert [p.path for p in found] == (["hypotheses[1].verdict"] if refused else []), found
    if refused:
        assert "only 3 customers of 'loyal' at the check's cutoff" in found[0].message and "'cannot be tested with this data'" in found[0].message
    assert not [p for p in validate(doc, facts) if p.path.startswith("hypotheses") and p.code != "verdict_on_too_few"]


_REPEAT_EVIDENCE = "{segmentations.rfm.segments.loyal.repeat_rate} of the Steady Regulars bought on more than one day, against {segmentations.rfm.segments.new.repeat_rate} of the First-Timers."


@pytest.mark.parametrize(
    "days, item, refused",
    [
        # a Stripe trial: 22 days of payments, 'holds' on Premium's repeat rate (1 client of 30) against Core's (none)
        (22, {"verdict": "holds", "evidence": _REPEAT_EVIDENCE}, True),
        (22, {"verdict": "does not hold", "evidence": _REPEAT_EVIDENCE}, True),
        (22, {"verdict": "holds", "evidence": "Over {data.days_covered} days, " + _REPEAT_EVIDENCE + " They are {segmentations.rfm.segments.loyal.count} customers."}, True),
        (915, {"verdict": "holds", "evidence": _REPEAT_EVIDENCE}, False),  # data of whole periods
        (22, {"verdict": "partly holds", "evidence": _REPEAT_EVIDENCE}, False),  # hedged already
        (22, {"verdict": "cannot be tested with this data", "evidence": "The data covers {data.days_covered} days, too short to tell: " + _REPEAT_EVIDENCE}, False),
        (22, {"verdict": "holds", "evidence": "{segmentations.rfm.segments.loyal.revenue_share} of revenue comes from them; " + _REPEAT_EVIDENCE}, False),  # not repeat rates alone
    ],
)
def test_a_hunch_is_not_settled_by_repeat_rates_on_data_shorter_than_a_period(runs, days, item, refused):
    """Who bought twice in three weeks says nothing yet of who comes back or renews: a verdict
    that settles a hunch on repeat rates alone, on data shorter than a period, is refused as too
    short to tell."""
    facts = _covering(days)(facts_of(runs))
    doc = _set("hypotheses[1]", {"hunch": "Customers who buy twice keep buying", **item})(reference())
    found = [p for p in validate(doc, facts) if p.code == "verdict_on_too_few"]
    assert [p.path for p in found] == (["hypotheses[1].verdict"] if refused else []), found
    if refused:
        assert f"the data covers {days} days ({{data.days_covered}}), less than one period of 90 ({{period_days}})" in found[0].message
        assert "'cannot be tested with this data'" in found[0].message and "too short to tell" in found[0].message



_FAMILY_RATE = "data.products.families.{}.back_within_period_rate"
_FAMILY_EVIDENCE = f"Of those whose first order held a canvas piece, {{{_FAMILY_RATE.format('canvas')}}} came back within a period; of the waxed pieces' starters, {{{_FAMILY_RATE.format('waxed')}}}."


def _families_named(canvas: str, waxed: str):
    def mutate(facts: dict) -> dict:
        for family in facts["data"]["products"]["families"]:
            family["name"] = {"canvas": canvas, "waxed": waxed}[family["key"]]
        return facts

    return mutate


@pytest.mark.parametrize(
    "hunch, verdict, names, refused",
    [
        # a trial: 'bag starters come back more than jacket starters' answered 'does not hold' on figures that put the bags first
        ("Bag starters come back more than jacket starters", "does not hold", ("Bag", "Jacket"), True),
        ("Bag starters come back more than jacket starters", "holds", ("Bag", "Jacket"), False),
        ("Jacket starters come back more than bag starters", "holds", ("Bag", "Jacket"), True),
        ("Jacket starters come back more than bag starters", "does not hold", ("Bag", "Jacket"), False),
        ("Those who start with a jacket come back less than those who start with a bag", "does not hold", ("Bag", "Jacket"), True),
        ("Those who start with a jacket come back less often than bag starters", "holds", ("Bag", "Jacket"), False),
        ("Canvas starters come back more than Waxed starters", "does not hold", None, True),
        ("Canvas starters come back more than Waxed starters", "partly holds", None, False),  # hedged: left alone
        # sides the hunch does not name, or words that order nothing: left alone
        ("Some pieces bring people back more than others", "does not hold", None, False),
        ("Canvas and Waxed starters come back alike", "holds", None, False),
    ],
)
def test_a_hunchs_verdict_is_held_to_the_order_of_the_figures_its_evidence_cites(runs, hunch, verdict, names, refused):
    """A verdict on a hunch that compares two sides whose figures its evidence cites agrees with
    their order: Canvas's come-back rate (8.4%) is above Waxed's (8.1%), so 'Canvas starters come
    back more' holds and its reverse does not; the hunch's sides are read as comparisons.py
    reads any comparison, by the names of the figures' owners on either side of 'than'."""
    facts = facts_of(runs)
    rates = {k: facts["data"]["products"]["families"][i]["back_within_period_rate"] for i, k in enumerate(("canvas", "waxed"))}
    assert [f["key"] for f in facts["data"]["products"]["families"]] == ["canvas", "waxed"] and rates["canvas"] > rates["waxed"]
    if names:
        facts = _families_named(*names)(facts)
    doc = _set("hypotheses[1]", {"hunch": hunch, "verdict": verdict, "evidence": _FAMILY_EVIDENCE})(reference())
    found = [p for p in validate(doc, facts) if p.path.startswith("hypotheses[1]")]
    assert [(p.path, p.code) for p in found] == ([("hypotheses[1].verdict", "verdict_against_figures")] if refused else []), found
    if refused:
        assert "8.4%" in found[0].message and "8.1%" in found[0].message
        assert ("make the verdict 'holds'" if verdict == "does not hold" else "make the verdict 'does not hold'") in found[0].message


def test_a_hunchs_verdict_is_held_to_the_pair_its_sides_name_among_more_figures(runs):
    """Evidence citing three come-back rates of one kind: the pair the hunch names both sides of
    settles it (Champions 92.9% against Loyal 63.9%), not New's, cited beside them."""
    evidence = ("{segmentations.rfm.segments.champions.next_repeat_rate} of the Champions bought again in the next period, "
                "{segmentations.rfm.segments.loyal.next_repeat_rate} of the Loyal and {segmentations.rfm.segments.new.next_repeat_rate} of the New.")
    facts = facts_of(runs)
    rates = {k: v["next_repeat_rate"] for k, v in facts["segmentations"]["rfm"]["segments"].items()}
    assert rates["champions"] > rates["loyal"] > rates["new"]
    for hunch, verdict, refused in (("Champions buy again more often than Loyal", "does not hold", True), ("Champions buy again more often than Loyal", "holds", False),
                                    ("Loyal buy again more often than Champions", "holds", True), ("New buy again less often than Loyal", "holds", False)):
        doc = _set("hypotheses[1]", {"hunch": hunch, "verdict": verdict, "evidence": evidence})(reference())
        found = [p.code for p in validate(doc, facts) if p.path.startswith("hypotheses[1]")]
        assert found == (["verdict_against_figures"] if refused else []), (hunch, verdict, found)


_SALES_HUNCH = "Our sales peak at the end of the year"


@pytest.mark.parametrize(
    "evidence, code, hint",
    [
        # by the month's key: what a model writes, and what a trial's check.py refused
        ("December sold {data.by_month.2025-12.revenue} against {data.by_month.2024-12.revenue} a year before.", None, None),
        ("The fourth quarter of 2025 sold {data.by_month.2025-10.revenue}, {data.by_month.2025-11.revenue} and {data.by_month.2025-12.revenue}.", None, None),
        ("From October to December: {data.by_month.2025-11.revenue} in November alone.", None, None),
        # by position: the hint names the month the position is (17 = 2024-12), not a near-spelled key
        ("December sold {data.by_month.17.revenue}.", "unknown_fact", "did you mean {data.by_month.2024-12.revenue}?"),
        ("December sold {data.by_month.2025-8.revenue}.", "unknown_fact", "did you mean {data.by_month.2025-08.revenue}?"),
        ("December sold {data.by_month.2022-12.revenue}.", "unknown_fact", "the data holds 2023-07 to 2025-12"),
        # the words name another month or quarter than the figure's (a trial's 'third quarter' of 2025-06)
        ("Sales in the third quarter fell: {data.by_month.2025-06.revenue} in one month.", "claim_contradicts_fact", "the figure of June 2025"),
        ("In August, sales reached {data.by_month.2025-07.revenue}.", "claim_contradicts_fact", "the figure of July 2025"),
        ("August 2024 sold {data.by_month.2025-08.revenue}.", "claim_contradicts_fact", "the figure of August 2025"),
        ("Q4 sold {data.by_month.2025-09.revenue}.", "claim_contradicts_fact", "the figure of September 2025"),
        # no month or quarter named: nothing to hold the figure to ('may' is no month)
        ("Sales may rise: the last month sold {data.by_month.2025-12.revenue}.", None, None),
    ],
)
def test_sales_by_month_are_cited_by_the_month_and_held_to_the_words(runs, evidence, code, hint):
    """A trial's check.py answered {data.by_month.2025-08.revenue} with 'did you mean
    {data.by_month.58.revenue}?', which is 2025-01, and passed index 63 (2025-06) as 'the third
    quarter': months are keyed YYYY-MM, a position gets its month's key as the hint, and words
    naming a month or quarter hold the months cited."""
    facts = facts_of(runs)
    assert [m["month"] for m in facts["data"]["by_month"]][17] == "2024-12"
    doc = _set("hypotheses[0]", {"hunch": _SALES_HUNCH, "verdict": "holds", "evidence": evidence})(reference())
    found = [p for p in validate(doc, facts) if p.path.startswith("hypotheses[0]")]
    assert [p.code for p in found] == ([code] if code else []), found
    if hint:
        assert hint in found[0].message, found[0].message
    if code is None:
        from custseg.strategy.resolve import resolve

        assert "{" not in resolve(evidence, facts)


def test_the_strategy_brief_shows_months_by_their_key(runs):
    from custseg.render.briefs import render_brief

    brief = render_brief("strategy", facts_of(runs))
    assert "`{data.by_month.<YYYY-MM>.revenue}`" in brief and "for the months 2023-07 to 2025-12 (e.g. `{data.by_month.2025-12.revenue}`" in brief


def test_moves_down_of_customers_who_buy_further_apart_than_a_period_are_not_read_as_drift(runs):
    """A trial's 'transitions to watch' listed Champions to At Risk and Loyal to At Risk, whose
    repeat buyers buy a median 114 and 154 days apart on a 90-day period: mostly ordinary gaps
    between purchases. Both briefs say so beside the moves, with the gaps as fact references;
    not of a segment that buys within a period (Champions here, 53 days) nor of a move up."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    segments = facts["segmentations"]["rfm"]["segments"]
    assert segments["champions"]["median_gap_days"] < facts["period_days"] < segments["loyal"]["median_gap_days"]
    strategy = render_brief("strategy", facts)
    note = next(line for line in strategy.splitlines() if line.startswith("Read the moves down"))
    assert "in Loyal (`{segmentations.rfm.segments.loyal.median_gap_days}`)" in note and "`{period_days}`" in note
    assert "the moves Loyal to At Risk, At Risk to Dormant are largely ordinary gaps between purchases, not drift" in note
    assert "Champions" not in note and "to Champions" not in note
    assert "(Loyal a median 102 days, `{segmentations.rfm.segments.loyal.median_gap_days}`;" in render_brief("segments", facts)
    quick = copy.deepcopy(facts)
    for s in quick["segmentations"]["rfm"]["segments"].values():
        s["median_gap_days"] = 30.0 if s.get("median_gap_days") is not None else None
    assert "Read the moves down" not in render_brief("strategy", quick) and "ordinary gaps" not in render_brief("segments", quick)

def test_the_too_few_floor_is_the_reports():
    from custseg.render.report import MIN_CUSTOMERS_FOR_LIFT
    from custseg.strategy.kpis import MIN_RATE_CUSTOMERS

    assert MIN_RATE_CUSTOMERS == MIN_CUSTOMERS_FOR_LIFT


# (id, mutation of the usage plan of _behavioral, expected code, expected path): problems of plans on usage groups
BROKEN_USAGE = [
    ("usage_trigger_on_purchase_recency", _set(f"{P0}.trigger", {"metric": "recency_days", "operator": ">=", "value": 14}), "purchase_metric_in_usage_plan", f"{P0}.trigger.metric"),
    ("usage_success_on_orders", _set(f"{P0}.success_metric", {"metric": "orders", "target": 2}), "purchase_metric_in_usage_plan", f"{P0}.success_metric.metric"),
    ("usage_kpi_on_spend", _set("kpis[0].metric", "monetary_total"), "purchase_metric_in_usage_plan", "kpis[0].metric"),
    ("usage_trigger_beyond_the_band", _set(f"{P0}.trigger.value", 12), "trigger_outside_segment", f"{P0}.trigger.value"),
    ("usage_target_below_the_trigger", _set(f"{P0}.success_metric.target", 6), "pathway_target_backwards", f"{P0}.success_metric.target"),
    ("usage_target_short_of_the_to_group", _set(f"{P0}.success_metric.target", 10), "target_outside_segment", f"{P0}.success_metric.target"),
    ("usage_persona_in_words_of_buying", _append_persona("power", "They bought on {segmentations.behavioral.segments.power.avg_purchase_days} days on average."), "buying_words_on_activity", "segments.power.persona"),
    ("usage_kpi_count_above_the_base", _set("kpis[1]", {"segment": "regular", "metric": "count", "baseline": "{segmentations.behavioral.segments.regular.count}", "target": 30000, "review": "monthly"}), "target_outside_segment", "kpis[1].target"),
    ("usage_kpi_beyond_the_band", _set("kpis[2]", {"segment": "occasional", "metric": "active_days_30", "baseline": "{segmentations.behavioral.segments.occasional.active_days_30}", "target": 9, "review": "monthly"}), "target_outside_segment", "kpis[2].target"),
    ("usage_rule_on_segment_name", _set("automation_rules[0].rule", "When segment_name is power, route chats to the priority inbox."), "rule_wrong_column", "automation_rules[0].rule"),
]


# (id, the user's budget answer saved in answers.json, expected paths): the reference plan's
# budget is 3,000 USD and 40 staff hours a month. A trial's plan typed 5,000 where the user said 500.
BROKEN_ANSWERS = [
    ("budget_above_the_users", "500 USD a month, 40 hours", ["budget.amount"]),
    ("budget_where_the_user_gave_none", "email only, a few hours a week", ["budget.amount"]),
    ("hours_above_the_users", "$3k a month and 5 hours a week", ["budget.hours"]),
    ("a_weekly_budget_of_the_users_monthly", "3000 a week", []),  # more than the user's is the problem, not less
]


def test_every_problem_code_has_a_broken_variant():
    codes = {code for _, _, code, _ in BROKEN} | {b[2] for b in BROKEN_FACTS} | {code for _, _, code, _ in BROKEN_USAGE}
    # the budget against the user's answers: test_a_budget_the_user_did_not_give_is_reported, and
    # test_a_budget_in_another_currency_records_the_rate_the_user_confirmed for the conversion
    # and test_a_whole_plan_answers_the_users_hunches for the hunches the user gave
    # and test_a_whole_plan_carries_the_users_answer_to_a_run_warning for confirmation_missing
    # and test_channel_names_are_the_facts_channels_with_short_labels for answers.json's Channel names
    assert codes | {"budget_not_users", "budget_not_converted", "hunch_unanswered", "confirmation_missing", "channel_name_unknown", "channel_name_not_label"} == set(CODES)


@pytest.mark.parametrize("case", BROKEN_ANSWERS, ids=[b[0] for b in BROKEN_ANSWERS])
def test_a_budget_the_user_did_not_give_is_reported(runs, cli, tmp_path, case):
    """check.py reads answers.json beside the strategy, as SKILL.md has Claude save both."""
    _, said, paths = case
    strategy = write(tmp_path, reference())
    facts = runs[SHOPIFY] / "facts.json"
    assert cli("check", strategy, "--facts", facts).code == 0  # no answers: nothing to hold it to
    write(tmp_path, {"Goal": "more repeat orders", "Budget and time": said}, "answers.json")
    res = cli("check", strategy, "--facts", facts)
    assert res.code == (1 if paths else 0), res.out
    hits = [line.split(": ")[0] for line in res.out.splitlines()[1:] if line.endswith("[budget_not_users]")]
    assert hits == paths, res.out
    assert not paths or said in res.out  # the user's words are quoted back
    (tmp_path / "elsewhere").mkdir()
    elsewhere = write(tmp_path / "elsewhere", {"Budget": "3,000 USD a month and 40 hours"}, "answers.json")
    assert cli("check", strategy, "--facts", facts, "--answers", elsewhere).code == 0  # given: used instead


@pytest.mark.parametrize("said", [
    "3000 USD a month, 40 hours a month",
    "about $9,000 a quarter and 10 hours a week",  # the same rate in other periods
    "a monthly budget of 3.5k; 40 hrs",
    "up to 4000 a month and 2 people",  # less than the user's cap is the plan's choice; '2 people' is not money
    "2,500 EUR a month",  # another currency: held to the rate the user confirmed (budget_not_converted asks for it)
    "3000",
])
def test_a_budget_within_the_users_is_accepted(runs, said):
    problems = validate(reference(), facts_of(runs), answers={"Budget and time": said})
    assert [p for p in problems if p.code == "budget_not_users"] == []


# (id, the name given to the example's first app, the code check.py gives, words of its message)
BAD_CHANNEL_NAMES = [
    ("an_email", "shop@instagram.example", "channel_name_not_label", "is an email address"),
    ("a_url", "https://instagram.com/ourshop", "channel_name_not_label", "is a web address"),
    ("a_bare_domain", "ourshop.instagram.com", "channel_name_not_label", "is a web address"),
    ("too_long", "Instagram Shop run by our agency in the north", "channel_name_not_label", "more than a label's 40"),
    ("a_digit", "Shop 2", "channel_name_not_label", "holds a digit"),
    ("a_pipe", "Insta | Shop", "channel_name_not_label", "holds '|'"),
    ("empty", "  ", "channel_name_not_label", "is not a name"),
    ("not_text", ["Instagram Shop"], "channel_name_not_label", "is not a name"),
]


def test_channel_names_are_the_facts_channels_with_short_labels(runs, cli, tmp_path):
    """The intake asks which app each number of Shopify's Source is; answers.json records the
    user's answer as "Channel names", channel -> name, and the briefs and the report show the
    name beside the number. check.py holds it: a key the facts know, a name that is a label."""
    facts = facts_of(runs)
    apps = [c["channel"] for c in facts["data"]["by_channel"] if c.get("label") == "a sales-channel app"]
    assert apps and "tiktok" in [c["channel"] for c in facts["data"]["by_channel"]]
    good = {apps[0]: "Instagram Shop", "tiktok": "TikTok Shop", apps[-1]: "Faire & Co's Trade (wholesale)"}
    assert validate(reference(), facts, answers={"Goal": "more repeat orders", "Channel names": good}) == []
    assert validate(reference(), facts, answers={"channel names": good}) == []  # the label in any case
    # a key the facts do not know: an app of another store, the marketplace spelt otherwise, the folded row
    for key, hint in (("24986320897", None), ("TikTok", "did you mean tiktok"), ("other channels (2)", None)):
        (problem,) = validate(reference(), facts, answers={"Channel names": {key: "Instagram Shop"}})
        assert (problem.code, problem.path) == ("channel_name_unknown", f'answers.json["Channel names"]["{key}"]')
        assert f"'{key}' is no sales channel of facts.json" in problem.message and all(c["channel"] in problem.message for c in facts["data"]["by_channel"])
        assert (hint in problem.message) if hint else "did you mean" not in problem.message
    for _, name, code, words in BAD_CHANNEL_NAMES:
        (problem,) = validate(reference(), facts, answers={"Channel names": {apps[0]: name, "tiktok": "TikTok Shop"}})
        assert (problem.code, problem.path) == (code, f'answers.json["Channel names"]["{apps[0]}"]') and words in problem.message, (name, problem)
    (shape,) = validate(reference(), facts, answers={"Channel names": "Instagram Shop"})
    assert (shape.code, shape.path) == ("schema", 'answers.json["Channel names"]')
    # check.py reads answers.json beside the strategy, at the strategy stage too (the names are shown from the intake on)
    strategy = write(tmp_path, reference())
    write(tmp_path, {"Sales channels": "keep them", "Channel names": {"24986320897": "Instagram Shop"}}, "answers.json")
    for stage in ("strategy", "final"):
        res = cli("check", strategy, "--facts", runs[SHOPIFY] / "facts.json", "--stage", stage)
        assert res.code == 1 and res.out.splitlines()[1].startswith('answers.json["Channel names"]["24986320897"]: \'24986320897\' is no sales channel') and res.out.rstrip().endswith("[channel_name_unknown]"), res.out
    # brief.py and render.py without a plan show the names unchecked by check.py: bad input, one line, exit 2
    brief = cli("brief", "segments", "--facts", runs[SHOPIFY] / "facts.json", "--answers", tmp_path / "answers.json")
    assert brief.code == 2 and brief.out == "" and len(brief.err.strip().splitlines()) == 1 and "[channel_name_unknown]" in brief.err and "answers.json" in brief.err
    (tmp_path / "plain").mkdir()
    shutil.copytree(runs[SHOPIFY], tmp_path / "plain" / "run")
    rendered = cli("render", "--facts", tmp_path / "plain" / "run" / "facts.json", "--answers", tmp_path / "answers.json")
    assert rendered.code == 2 and "[channel_name_unknown]" in rendered.err
    write(tmp_path, {"Sales channels": "keep them", "Channel names": {apps[0]: "Instagram Shop"}}, "answers.json")
    assert cli("check", strategy, "--facts", runs[SHOPIFY] / "facts.json").code == 0
    assert cli("brief", "segments", "--facts", runs[SHOPIFY] / "facts.json", "--answers", tmp_path / "answers.json").code == 0


def test_a_budget_in_another_currency_records_the_rate_the_user_confirmed(runs, cli, tmp_path):
    """A trial's user said '£300 a month' of USD data, and check.py said nothing: an answer in
    another currency was skipped. The tools still convert nothing, but the plan records the rate
    the user confirmed (budget.conversion), and its amount is held to theirs at that rate."""
    facts = runs[SHOPIFY] / "facts.json"
    write(tmp_path, {"Goal": "more repeat orders", "Budget and time": "£2,400 a month and 40 hours"}, "answers.json")
    doc = reference()  # 3,000 USD and 40 hours a month
    res = cli("check", write(tmp_path, doc), "--facts", facts)
    assert res.code == 1 and res.out.splitlines()[1:] == [res.out.splitlines()[-1]], res.out
    assert res.out.splitlines()[-1].startswith("budget.conversion: the user gave their budget in GBP ('Budget and time': \"£2,400 a month and 40 hours\")")
    assert res.out.endswith("so that the plan's figure can be traced to theirs [budget_not_converted]\n"), res.out
    doc["budget"]["conversion"] = {"amount": 2400, "currency": "GBP", "rate": 1.25}  # 3,000 USD
    assert cli("check", write(tmp_path, doc), "--facts", facts).code == 0
    out = tmp_path / "out"
    assert cli("render", "--facts", facts, "--strategy", tmp_path / "strategy.json", "--out", out).code == 0 and (out / "report.md").exists()
    # held to the user's amount at the rate they gave: neither more of theirs, nor more than it converts to
    for conversion, path in (({"rate": 1.2}, "budget.amount"), ({"amount": 2500, "rate": 1.2}, "budget.conversion.amount")):
        doc["budget"]["conversion"] = {"amount": 2400, "currency": "GBP", **conversion}
        problems = validate(doc, facts_of(runs), answers={"Budget and time": "£2,400 a month and 40 hours"})
        assert [(p.path, p.code) for p in problems] == [(path, "budget_not_users")], problems
    doc["budget"]["conversion"] = {"amount": 2400, "currency": "EUR", "rate": 1.25}  # not the user's currency
    assert [p.code for p in validate(doc, facts_of(runs), answers={"Budget and time": "£2,400 a month"})] == ["budget_not_converted"]
    del doc["budget"]["conversion"]
    for said in ("3,000 USD a month", "£2,400 or $3,000 a month", "3000"):  # an amount in the data's currency, or in none: compared as it is
        assert validate(doc, facts_of(runs), answers={"Budget and time": said}) == [], said


def test_a_plan_without_the_users_budget_is_reported_once_whole(runs):
    """A trial took the budget out of a valid plan, and it stayed valid: the shares and the
    pathways' costs were then held to nothing. A phase-3 draft may still lack it."""
    doc = reference()
    doc["budget"]["per"] = "week"  # the user's 3,000 a month typed as a week's: over four times as much
    answers = {"Budget and time": "3000 USD a month"}
    assert [p.path for p in validate(doc, facts_of(runs), answers=answers) if p.code == "budget_not_users"] == ["budget.amount"]
    del doc["budget"]
    assert [p.path for p in validate(doc, facts_of(runs), answers=answers) if p.code == "budget_not_users"] == ["budget"]
    assert [p for p in validate(doc, facts_of(runs), stage="strategy", answers=answers) if p.code == "budget_not_users"] == []
    assert [p for p in validate(doc, facts_of(runs), answers={"Budget and time": "whatever it takes"}) if p.code == "budget_not_users"] == []


@pytest.mark.parametrize("said, asked", [
    ("Most of our best shops only buy before Christmas; dearer plans stay longer", True),
    (["Most of our best shops only buy before Christmas"], True),
    ("none", False),
    ("No hunches yet.", False),
    ("n/a", False),
    ("None (default)", False),
    ("", False),
])
def test_a_whole_plan_answers_the_users_hunches(runs, cli, tmp_path, said, asked):
    """A trial's user gave hunches at intake, the briefs said which the segments could speak
    to, and the report never answered them: the plan had no place for the verdicts."""
    doc = reference()
    del doc["hypotheses"]
    answers = {"Goal": "more repeat orders", "Hypotheses": said}
    facts = facts_of(runs)
    found = [p for p in validate(doc, facts, answers=answers) if p.code == "hunch_unanswered"]
    assert [p.path for p in found] == (["hypotheses"] if asked else [])
    assert [p for p in validate(doc, facts, stage="strategy", answers=answers) if p.code == "hunch_unanswered"] == []  # a draft may lack them
    assert validate(reference(), facts, answers=answers) == []  # answered
    if asked:
        write(tmp_path, answers, "answers.json")  # check.py reads answers.json beside the strategy
        res = cli("check", write(tmp_path, doc), "--facts", runs[SHOPIFY] / "facts.json")
        assert res.code == 1 and res.out.splitlines()[-1].startswith("hypotheses: the user gave hunches at intake ('Hypotheses': \"Most of our best shops"), res.out
        assert res.out.endswith("[hunch_unanswered]\n")


def test_a_whole_plan_carries_the_users_answer_to_a_run_warning(runs, cli, tmp_path):
    """SKILL.md and the strategy brief have the plan carry the user's answer on old data in
    confirmed.data_age, and check.py did not hold it to that: it is required exactly when the
    run warned about old data and answers.json holds the Data answer (a phase-3 draft may lack
    it); without the warning it is not asked for, and one given is refused as before."""
    facts = copy.deepcopy(facts_of(runs))
    age = "the data ends on 2025-12-31, 341 days before today (2026-12-07): the segments show customers as they were then"
    others = [w for w in facts["warnings"] if not ANSWERABLE["data_age"].search(w)]
    facts["warnings"] = others + [age]
    said = "No newer export; read it as a picture of the last day."
    answers = {"Goal": "more repeat orders", "Data": said}
    found = [p for p in validate(reference(), facts, answers=answers) if p.code == "confirmation_missing"]
    assert [p.path for p in found] == ["confirmed.data_age"] and said in found[0].message
    assert [p for p in validate(reference(), facts, stage="strategy", answers=answers) if p.code == "confirmation_missing"] == []  # a draft may lack it
    assert [p for p in validate(reference(), facts, answers={"Goal": "more repeat orders"}) if p.code == "confirmation_missing"] == []  # nothing answered to carry
    doc = reference()
    doc["confirmed"] = {"data_age": said}
    assert validate(doc, facts, answers=answers) == []
    # the data is not old: nothing to carry, and an answer to a warning the run did not give is refused
    facts["warnings"] = others
    assert validate(reference(), facts, answers=answers) == []
    assert [(p.path, p.code) for p in validate(doc, facts, answers=answers)] == [("confirmed.data_age", "confirmation_without_warning")]
    # check.py reads answers.json beside the strategy
    facts["warnings"] = others + [age]
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(facts), encoding="utf-8")
    write(tmp_path, answers, "answers.json")
    res = cli("check", write(tmp_path, reference()), "--facts", facts_file)
    assert res.code == 1 and res.out.endswith("[confirmation_missing]\n"), res.out
    assert cli("check", write(tmp_path, doc), "--facts", facts_file).code == 0


def test_hunches_and_the_data_scope_answer_are_the_users_words(runs):
    """The hunch and the answer on the data's scope quote the user: shown as theirs, they are
    not held to the checks of what the plan itself says about the data ('found us on Instagram'
    is not in the data, which is why it cannot be tested)."""
    doc = reference()
    assert doc["hypotheses"][2]["hunch"] == "Shoppers who found us on Instagram spend more"
    assert [p.code for p in validate(_append_persona("loyal", "They found us on Instagram.")(reference()), facts_of(runs))] == ["claim_not_in_data"]
    doc["hypotheses"][0]["hunch"] = "Half our best shops only buy in the last 2 months of the year"
    doc["data_scope"] = {"whole_base": False, "answer": "I think it's a sample, maybe 30% of our order lines"}
    assert validate(doc, facts_of(runs)) == []
    doc["data_scope"]["answer"] = "{data.customers} of them"  # a fact reference is still checked: the report resolves it
    doc["hypotheses"][0]["hunch"] = "{data.customer_count}"
    assert [p.code for p in validate(doc, facts_of(runs))] == ["unknown_fact"]


@pytest.mark.parametrize(
    "evidence, refused",
    [
        ("The Steady Regulars bring most of our revenue: {segmentations.rfm.segments.loyal.revenue_share}.", True),  # by display name
        ("Loyal customers bring most of our revenue: {segmentations.rfm.segments.loyal.revenue_share}.", True),  # by the computed name
        ("Most of our revenue comes from them: {segmentations.rfm.segments.loyal.revenue_share}.", True),  # naming none, citing Loyal's facts only
        ("They only buy at Christmas: {segmentations.rfm.segments.loyal.revenue_share} of revenue.", True),  # a season claim, held to Loyal's quarters
        ("The Steady Regulars bring {segmentations.rfm.segments.loyal.revenue_share} of our revenue.", False),  # the figure, no claim against it
        # two segments named: which one 'most' speaks of is a guess, so neither is held to it
        ("The Steady Regulars and the First-Timers bring most of our revenue: {segmentations.rfm.segments.loyal.revenue_share}.", False),
        # both cited: 20% together is not most, whichever 'most' speaks of
        ("Most of our revenue: {segmentations.rfm.segments.loyal.revenue_share} and {segmentations.rfm.segments.new.revenue_share}.", True),
    ],
)
def test_hunch_evidence_is_held_to_the_facts_of_the_segment_it_speaks_of(runs, evidence, refused):
    """Evidence that a hunch holds makes the claims a segment's own text would: held to the same
    facts, a false one is refused, and the verdict with it."""
    doc = reference()
    assert doc["hypotheses"][1]["verdict"] == "holds"
    doc["hypotheses"][1]["evidence"] = evidence
    found = [p for p in validate(doc, facts_of(runs)) if p.path.startswith("hypotheses")]
    assert [(p.path, p.code) for p in found] == ([("hypotheses[1].evidence", "claim_contradicts_fact")] if refused else []), found


def test_a_sample_s_shares_may_stand_for_the_business(runs):
    """On a sample the plan words the data in shares and rates: those hold if the sample is fair,
    and the export's own figures said as the export's are fine."""
    doc = reference()
    doc["data_scope"] = {"whole_base": False, "answer": "a sample of our order lines"}
    doc["segments"]["champions"]["persona"] += (
        " They bring {segmentations.rfm.segments.champions.revenue_share} of our total revenue, and {data.customers} customers are in this export."
    )
    assert validate(doc, facts_of(runs)) == []
    doc["data_scope"]["whole_base"] = True  # the whole base: its total is the business's
    doc["segments"]["champions"]["persona"] += " Our total revenue of {data.revenue_total} rests on them."
    assert [p for p in validate(doc, facts_of(runs)) if p.code == "sample_as_whole"] == []


def test_the_budget_answer_s_figures_are_read():
    from custseg.strategy.answers import stated_amounts

    assert stated_amounts("£800 a month, and I can only run about 3 campaigns at once") == ([(800.0, "month", "GBP")], [])
    assert stated_amounts("5 hrs/week and €1.5k per quarter") == ([(1500.0, "quarter", "EUR")], [(5.0, "week")])
    assert stated_amounts("a monthly budget of 2,400, 10% on ads") == ([(2400.0, "month", None)], [])


@pytest.mark.parametrize("case", BROKEN_USAGE, ids=[b[0] for b in BROKEN_USAGE])
def test_usage_plan_problems_are_reported(runs, case):
    _, mutate, code, path = case
    doc, facts = _behavioral(runs)
    assert not [p for p in validate(doc, facts) if p.code == code]
    assert (code, path) in [(p.code, p.path) for p in validate(mutate(doc), facts)]


@pytest.mark.parametrize("case", BROKEN_FACTS, ids=[b[0] for b in BROKEN_FACTS])
def test_problems_of_the_data_are_reported(runs, cli, tmp_path, case):
    _, mutate, code, paths = case[:4]
    facts = write(tmp_path, mutate(facts_of(runs)), "facts.json")
    res = cli("check", write(tmp_path, case[4](reference()) if len(case) > 4 else reference()), "--facts", facts)
    assert res.code == 1, res.out
    found = {line.split(": ")[0] for line in res.out.splitlines()[1:] if line.endswith(f"[{code}]")}
    assert found == set(paths), res.out
    assert cli("check", write(tmp_path, reference()), "--facts", runs[SHOPIFY] / "facts.json").code == 0


@pytest.mark.parametrize(
    "channel, emails",
    [
        ("Packaging insert with a QR code to join the email list", False),  # TikTok-shop trial: what the advice recommends
        ("In-store sign-up for the newsletter", False),
        ("TikTok live with a newsletter sign-up", False),
        ("SMS and email", True),
        ("Instagram ads, then a follow-up email", True),
        ("Klaviyo flow", True),
    ],
)
def test_only_a_channel_that_emails_needs_emails(runs, channel, emails):
    """A channel that leads people to the email list does not email the segment."""
    facts = _nobody_emailable("at_risk")(facts_of(runs))
    doc = _set("targeting_matrix[8].channel", channel)(reference())
    refused = [p.path for p in validate(doc, facts) if p.code == "unreachable_segment"]
    assert ("targeting_matrix[8].channel" in refused) is emails


@pytest.mark.parametrize(
    "channel, refused",
    [
        ("Email", True),  # 3-customer Shopify trial: everyone opted out, the segment's own channels
        ("Newsletter with the new arrivals", True),
        ("SMS", True),
        ("Text message on restock", True),
        ("Facebook custom audience (upload customer list)", True),
        ("Google Customer Match audience", True),
        ("Packaging insert with a QR code to join the email list", False),
        ("Retargeting ads for site visitors", False),
        ("On-site banner", False),
    ],
)
def test_a_segment_that_opted_out_is_not_emailed_texted_or_uploaded(runs, channel, refused):
    """Opted-out customers must not be emailed or uploaded to ad audiences (the run's warning),
    nor texted: in a segment's own channels as in the targeting matrix."""
    facts = _nobody_emailable("at_risk")(facts_of(runs))
    doc = reference()
    doc["segments"]["at_risk"]["channels"] = [channel]
    problems = [p for p in validate(doc, facts) if p.path == "segments.at_risk.channels[0]"]
    assert [p.code for p in problems] == (["unreachable_segment"] if refused else []), problems
    doc["targeting_matrix"][7]["channel"] = channel
    assert bool([p for p in validate(doc, facts) if p.path == "targeting_matrix[7].channel"]) == refused


@pytest.mark.parametrize("place, text, refused", [
    ("targeting_matrix[9].channel", "Meta custom audience of all customers incl. opted out", "uploaded to an ad audience"),  # a trial's cell, on Dormant
    ("targeting_matrix[9].channel", "Google Customer Match list of everyone, opted out or not", "uploaded to an ad audience"),
    ("pathways[0].intervention", "Upload every customer to a Facebook custom audience, including those who opted out, and run win-back ads.", "uploaded to an ad audience"),
    ("automation_rules[1].rule", "Text every At Risk profile, unsubscribed ones too, when Holdout is not true and SMS consent is subscribed.", "texted"),
    ("targeting_matrix[9].channel", "Meta custom audience built from klaviyo.csv (opted-out customers are not in it)", None),
    ("targeting_matrix[9].channel", "Meta custom audience, not including anyone who opted out", None),
    ("targeting_matrix[9].channel", "On-site banner for all visitors, opted out or not", None),  # uses no contact details
    ("roadmap[0].actions[1]", "Set up suppression for unconsented contacts", None),
])
def test_no_channel_takes_in_those_who_opted_out(runs, place, text, refused):
    """A trial's targeting cell uploaded 'all customers incl. opted out' to a Meta custom audience:
    the strategy brief says opted-out customers are not uploaded, texted or emailed, and the run
    left them out of the CRM files, unless the user said they consented elsewhere."""
    facts = facts_of(runs)
    assert facts["exports"]["left_out_no_consent"] and not facts["exports"]["include_unconsented"]
    doc = _set(place, text)(reference())
    problems = [p for p in validate(doc, facts) if p.path == place and p.code == "unreachable_segment"]
    assert bool(problems) == bool(refused), problems
    if refused:
        assert f"customers who opted out of marketing must not be {refused}" in problems[0].message
    facts["exports"]["include_unconsented"] = True  # the user said they consented elsewhere: the files hold them
    assert not [p for p in validate(doc, facts) if p.path == place and p.code == "unreachable_segment"]


@pytest.mark.parametrize("crm, refused", [("Mailchimp", True), ("HubSpot", True), ("Stripe Billing", False)])
def test_an_email_tool_rule_for_a_group_its_file_holds_none_of(runs, crm, refused):
    """Stripe trial: the people whose every payment failed left no email, so no email tool holds them."""
    facts = facts_of(runs, "stripe_unified_payments")
    exports = facts["exports"]
    exports["reachable"] -= exports["reachable_by_segment"]["payment_failed"]
    exports["left_out_no_email"]["payment_failed"] += exports["reachable_by_segment"]["payment_failed"]
    exports["reachable_by_segment"]["payment_failed"] = 0
    doc = reference("stripe_unified_payments")
    doc["automation_rules"].append({"segment": "payment_failed", "crm": crm, "rule": "Send the finish-your-sign-up reminder to everyone in the Failed payments only group."})
    path = f"automation_rules[{len(doc['automation_rules']) - 1}].segment"
    assert bool([p for p in validate(doc, facts) if (p.path, p.code) == (path, "unreachable_segment")]) == refused
    assert not [p for p in validate(doc, facts_of(runs, "stripe_unified_payments")) if p.code == "unreachable_segment"]  # 17 of them can be emailed


# -- the CRM files' prospects: contacts who never bought, planned for ---------------------------------


SIGN_UPS, SUBSCRIBED = 40, 25  # the prospects run's customers export: sign-ups who never ordered, and of them who subscribed


@pytest.fixture(scope="module")
def prospects_run(tmp_path_factory) -> Path:
    """The Shopify example with the store's customers export: 40 sign-ups who never ordered, 25 of
    them subscribed to marketing; the CRM files list them as the group 'prospects'."""
    folder = tmp_path_factory.mktemp("prospects")
    people = folder / "customers_export.csv"
    rows = "".join(f"Sign,Up{i},sign.up{i}@example.com,{'yes' if i < SUBSCRIBED else 'no'},0.00,0\n" for i in range(SIGN_UPS))
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + rows, encoding="utf-8")
    key = folder / "segment.key"
    key.write_text("k1:" + "teststrategykey1" + "\n", encoding="utf-8")
    assert main(["run", str(EXAMPLES / "shopify_orders_export.csv"), str(people), "--out", str(folder / "run"), "--key", str(key), "--no-charts"]) == 0
    return folder / "run"


@pytest.fixture(scope="module")
def prospects_facts(prospects_run) -> dict:
    return json.loads((prospects_run / "facts.json").read_text(encoding="utf-8"))


WELCOME_PATHWAY = {
    "from_segment": "prospects",
    "to_segment": "new",
    "trigger": {"metric": "purchase_days", "operator": "==", "value": 0},
    "intervention": "A three-email welcome series to the subscribed sign-ups who never ordered: the brand story, the bestsellers, then a first-order thank-you.",
    "success_metric": {"metric": "first_order_rate", "target": 0.05},
    "investment": {"budget": 300},
    "expected_outcome": "Some of the {data.contacts.prospects.opted_in} subscribed sign-ups place a first order and start as First-Timers.",
}


def _plan_for_prospects(doc: dict) -> dict:
    """The reference plan with a share of the budget, a pathway, a KPI and a rule for the prospects."""
    doc["targeting_matrix"][10]["budget_share"] = 0.05  # the holiday campaign gives the welcome series its share
    doc["targeting_matrix"].append({"segment": "prospects", "channel": "Welcome email series", "priority": "medium", "budget_share": 0.05})
    doc["pathways"].append(copy.deepcopy(WELCOME_PATHWAY))
    doc["kpis"].append({"segment": "prospects", "metric": "first_order_rate", "baseline": None, "target": 0.05, "review": "quarterly"})
    doc["automation_rules"].append({"segment": "prospects", "crm": "Klaviyo", "rule": "When Segment is Prospects (never bought), start the welcome series; exit on the first order."})
    return doc


def test_the_facts_count_buyers_and_never_buyers_by_consent(prospects_facts):
    """A hunch 'most sign-ups never buy' needs the subscribed contacts apart: a trial could cite
    only 1,198 never-buyers beside 272 buyers, opted-out contacts included, where 848 against
    194 could be emailed. The counts are the email-tool files' own."""
    data, exports = prospects_facts["data"], prospects_facts["exports"]
    contacts = data["contacts"]
    never, bought = contacts["prospects"], contacts["buyers"]
    assert (never["people"], never["with_email"], never["opted_in"], never["opted_out"], never["consent_unknown"]) == (SIGN_UPS, SIGN_UPS, SUBSCRIBED, SIGN_UPS - SUBSCRIBED, 0)
    assert never["people"] == data["prospects"] and never["opted_in_share"] == SUBSCRIBED / SIGN_UPS
    assert bought["people"] == data["customers"] and bought["opted_in"] + bought["consent_unknown"] == exports["reachable_customers"]
    assert never["opted_in"] + never["consent_unknown"] == exports["reachable_by_segment"]["prospects"]
    assert contacts["opted_in"] == bought["opted_in"] + SUBSCRIBED
    assert contacts["opted_in_prospects_share"] == round(SUBSCRIBED / contacts["opted_in"], 6)
    assert contacts["prospects_share"] == round(SIGN_UPS / (SIGN_UPS + data["customers"]), 6)


def test_a_plan_may_target_measure_and_move_the_prospects(runs, prospects_facts):
    """A trial's welcome series to sign-ups who never bought was refused as unknown_segment in
    the targeting matrix, a KPI and a pathway: the CRM files list them (key prospects), so a plan
    gives them a share of the budget, a first-order KPI with no baseline yet, and a pathway to New.
    Without a customers export the files list none, and the key is unknown as before."""
    doc = _plan_for_prospects(reference())
    assert validate(doc, prospects_facts) == []
    without = {(p.path, p.code) for p in validate(doc, facts_of(runs))}
    n = len(doc["targeting_matrix"]) - 1
    assert {(f"targeting_matrix[{n}].segment", "unknown_segment"), ("pathways[5].from_segment", "unknown_segment"), ("kpis[7].segment", "unknown_segment")} <= without


def _prospects_kpi(**fields):
    def mutate(doc):
        doc["kpis"][7].update(fields)
        return doc

    return mutate


def _prospects_pathway(**fields):
    def mutate(doc):
        doc["pathways"][5].update(fields)
        return doc

    return mutate


def _all_prospects_opted_out(facts: dict) -> dict:
    exports = facts["exports"]
    exports["left_out_no_consent"]["prospects"] += exports["reachable_by_segment"]["prospects"]
    exports["reachable"] -= exports["reachable_by_segment"]["prospects"]
    exports["reachable_by_segment"]["prospects"] = 0
    return facts


# (id, plan mutation, facts mutation or None, expected code, expected path): a plan for the prospects held to what they are
BROKEN_PROSPECTS = [
    ("a_strategy_entry_for_them", _set("segments.prospects", copy.deepcopy(reference()["segments"]["new"])), None, "unknown_segment", "segments.prospects"),
    ("a_pathway_back_to_them", _set("pathways[0].to_segment", "prospects"), None, "unknown_segment", "pathways[0].to_segment"),
    ("a_pathway_past_new", _prospects_pathway(to_segment="loyal"), None, "pathway_impossible", "pathways[5].to_segment"),
    ("a_trigger_on_days_since_a_purchase", _prospects_pathway(trigger={"metric": "recency_days", "operator": ">=", "value": 30}), None, "trigger_outside_segment", "pathways[5].trigger.metric"),
    ("a_trigger_on_buyers", _prospects_pathway(trigger={"metric": "purchase_days", "operator": ">=", "value": 1}), None, "trigger_outside_segment", "pathways[5].trigger.value"),
    ("a_kpi_on_a_buyers_metric", _prospects_kpi(metric="repeat_rate"), None, "unknown_metric", "kpis[7].metric"),
    ("a_kpi_baseline_of_new", _prospects_kpi(baseline="{segmentations.rfm.segments.new.next_repeat_rate}"), None, "baseline_other_metric", "kpis[7].baseline"),
    ("a_kpi_baseline_of_their_consent", _prospects_kpi(baseline="{data.contacts.prospects.opted_in_share}"), None, "baseline_other_metric", "kpis[7].baseline"),
    ("a_first_order_rate_in_percent", _prospects_kpi(target=5), None, "rate_not_fraction", "kpis[7].target"),
    ("a_first_order_rate_of_new", _set("kpis[3].metric", "first_order_rate"), None, "unknown_metric", "kpis[3].metric"),
    ("a_segment_kpi_without_a_baseline", _set("kpis[3].baseline", None), None, "baseline_not_fact", "kpis[3].baseline"),
    ("email_to_prospects_who_all_opted_out", lambda doc: doc, _all_prospects_opted_out, "unreachable_segment", "targeting_matrix[11].channel"),
]


@pytest.mark.parametrize("case", BROKEN_PROSPECTS, ids=[b[0] for b in BROKEN_PROSPECTS])
def test_a_plan_for_the_prospects_is_held_to_what_they_are(prospects_facts, case):
    _, mutate, facts_mutation, code, path = case
    facts = copy.deepcopy(prospects_facts)
    if facts_mutation:
        facts = facts_mutation(facts)
    problems = validate(mutate(_plan_for_prospects(reference())), facts)
    assert (path, code) in {(p.path, p.code) for p in problems}, [p.line() for p in problems]
    assert len([p for p in problems if p.path == path]) == 1, [p.line() for p in problems]


@pytest.mark.parametrize("share, refused", [(None, True), (0.81382, False)])  # this run's 25 of some 1,500 subscribed; a trial's 848 of 1,042
def test_a_hunch_about_sign_ups_who_never_buy_is_held_to_the_subscribed_share(prospects_facts, share, refused):
    """'Most of our subscribed sign-ups never bought', held to the share of the subscribed contacts
    who never bought, as 'most' is held beside any cited share."""
    facts = copy.deepcopy(prospects_facts)
    if share is not None:
        facts["data"]["contacts"]["opted_in_prospects_share"] = share
    assert facts["data"]["contacts"]["opted_in_prospects_share"] < 0.5 or share
    doc = _plan_for_prospects(reference())
    doc["hypotheses"][0].update(hunch="Most people who sign up never buy", verdict="holds", evidence="Most of our subscribed contacts have yet to place an order: {data.contacts.opted_in_prospects_share} of them.")
    problems = [p for p in validate(doc, facts) if p.path == "hypotheses[0].evidence"]
    assert [p.code for p in problems] == (["claim_contradicts_fact"] if refused else []), problems


def _many_never_bought(facts: dict) -> dict:
    """A trial's shop: 1,198 contacts who never bought beside its buyers (here 5,000 beside 2,746),
    848 of them subscribed (here 3,000 of 4,465 subscribed contacts)."""
    contacts = facts["data"]["contacts"]
    facts["data"]["prospects"] = contacts["prospects"]["people"] = 5000
    contacts["prospects"]["opted_in"], contacts["opted_in"] = 3000, 3000 + contacts["buyers"]["opted_in"]
    contacts["prospects_share"] = round(5000 / (5000 + facts["data"]["customers"]), 6)
    contacts["opted_in_prospects_share"] = round(3000 / contacts["opted_in"], 6)
    return facts


@pytest.mark.parametrize(
    "evidence, refused_here, refused_many",
    [
        # 'most' beside two counts that are the two parts of the contacts: the part said to be most is held to half
        ("Most sign-ups do buy: {data.prospects} beside {data.customers}.", False, True),
        ("Most sign-ups never buy: {data.prospects} beside {data.customers}.", True, False),
        ("Most of our contacts have placed an order: {data.contacts.buyers.people} against {data.contacts.prospects.people}.", False, True),
        # a part beside its whole: the subscribed contacts
        ("Most subscribed contacts have bought: {data.contacts.buyers.opted_in} of {data.contacts.opted_in}.", False, True),
        ("Most subscribed contacts never bought: {data.contacts.prospects.opted_in} of {data.contacts.opted_in}.", True, False),
        # 'never bought' as whom the majority is of, beside a share of never-buyers
        ("Most subscribed contacts never bought: {data.contacts.opted_in_prospects_share}.", True, False),
        ("Most of our contacts are prospects: {data.contacts.prospects_share}.", True, False),
        ("Most of our contacts have never ordered: {data.contacts.prospects_share} of them.", True, False),
        # denials and the others stay unread: 'did not', 'not most', 'never bought again', the buyers beside the never-buyers' share
        ("Most sign-ups did not buy: {data.prospects} beside {data.customers}.", False, False),
        ("Not most of our sign-ups never buy: {data.prospects} beside {data.customers}.", False, False),
        ("Most contacts bought: {data.contacts.prospects_share} never did.", False, False),
        ("Most customers never bought again: {data.one_time_share}.", False, False),
        # two counts that are no parts of one whole: 'most' is not held to them
        ("Most sign-ups do buy: {data.prospects} beside {data.contacts.buyers.opted_in}.", False, False),
    ],
)
def test_most_beside_two_counts_of_contacts_is_held_to_half(prospects_facts, evidence, refused_here, refused_many):
    """'Most sign-ups do buy: {data.prospects} beside {data.customers}' passed unchecked (two
    counts, no share), and 'most subscribed contacts never bought' skipped as a clause of leaving:
    two counts that are part and whole, or the two parts of the contacts (who bought, who never
    did), give the share the majority word is held to, and 'never bought' says whose it is."""
    for facts, refused in ((prospects_facts, refused_here), (_many_never_bought(copy.deepcopy(prospects_facts)), refused_many)):
        doc = _plan_for_prospects(reference())
        doc["hypotheses"][0].update(hunch="Most people who sign up never buy", verdict="partly holds", evidence=evidence)
        problems = [p for p in validate(doc, facts) if p.path == "hypotheses[0].evidence"]
        assert [p.code for p in problems] == (["claim_contradicts_fact"] if refused else []), (evidence, facts["data"]["prospects"], problems)
        if refused:
            assert "not most" in problems[0].message and "%" in problems[0].message


def test_the_briefs_and_the_report_plan_for_the_prospects(prospects_run, prospects_facts, runs, cli, tmp_path):
    """The briefs count the subscribed buyers and never-buyers, say how a plan names the
    prospects (a welcome series, a pathway to New, a first-order KPI whose baseline is null),
    and the report's plan shows their rows under the files' label."""
    from custseg.render.briefs import render_brief

    contacts = prospects_facts["data"]["contacts"]
    intake = render_brief("intake", prospects_facts)
    assert f"- Subscribed to marketing: {fmt_count(contacts['buyers']['opted_in'])} of the {fmt_count(prospects_facts['data']['customers'])} customers who bought" in intake
    assert f"and {SUBSCRIBED} of the {SIGN_UPS} contacts who never bought (`{{data.contacts.prospects.opted_in}}`): of the {fmt_count(contacts['opted_in'])} subscribed contacts, {fmt_pct(contacts['opted_in_prospects_share'])} never bought" in intake
    strategy = render_brief("strategy", prospects_facts)
    assert "the plan may plan for them under the key `prospects`" in strategy and "`{data.contacts.opted_in_prospects_share}`" in strategy
    assert "a pathway from `prospects` to `new`, where a first order puts them: trigger `purchase_days == 0`" in strategy
    assert '{"segment": "prospects", "metric": "first_order_rate", "baseline": null, "target": ...}' in strategy
    assert '`first_order_rate`, the share of them who place a first order, with `"baseline": null`' in render_brief("operationalize", prospects_facts)
    for brief in ("intake", "strategy", "operationalize"):  # a run without a customers export lists no contacts who never bought
        assert "Subscribed to marketing" not in render_brief(brief, facts_of(runs)) and "first_order_rate" not in render_brief(brief, facts_of(runs))
    out = tmp_path / "report"
    assert cli("render", "--facts", prospects_run / "facts.json", "--strategy", write(tmp_path, _plan_for_prospects(reference())), "--out", out).code == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| Prospects (never bought) | Welcome email series | medium | 5.0% |" in md
    assert "| Prospects (never bought) | First-Timers | distinct purchase days equal to 0 |" in md
    assert "| Prospects (never bought) | share placing a first order (of the contacts who never bought) | none yet (first read at the next run) | 5.0% | quarterly |" in md
    assert "| Prospects (never bought) | Klaviyo | When Segment is Prospects (never bought), start the welcome series" in md
    bad, _ = unmatched_numbers(md, {"facts": prospects_facts, "plan": plan_numbers(_plan_for_prospects(reference()))})
    assert not bad, bad[:5]


def test_the_strategy_checks_know_the_prospects_key_the_files_carry():
    from custseg.render.exports import PROSPECT_KEY
    from custseg.strategy.groups import PROSPECTS

    assert PROSPECTS == PROSPECT_KEY


def test_no_email_check_when_the_export_held_no_emails(runs):
    """A log without emails says nothing about who the user's own tools can email (by source_id)."""
    facts = facts_of(runs, "product_events")
    assert facts["exports"]["reachable"] == 0 and not facts["exports"]["left_out_no_consent"]
    doc = reference("product_events")
    assert any("email" in c["channel"].lower() for c in doc["targeting_matrix"])
    assert not [p for p in validate(doc, facts) if p.code == "unreachable_segment"]


def test_rules_name_segments_as_the_crm_files_do(runs):
    """The CRM files label customers with the computed names (Dormant), not the plan's (Lapsed One-Timers)."""
    facts = facts_of(runs)

    def rule_problems(text, **display_names):
        doc = reference()
        for key, name in display_names.items():
            doc["segments"][key]["display_name"] = name
        doc["automation_rules"][2]["rule"] = text
        return [p for p in validate(doc, facts) if p.path == "automation_rules[2].rule"]

    (p,) = rule_problems("Move lapsed one-timers who never opened the series to the suppressed list.")
    assert p.code == "rule_display_name" and "'Lapsed One-Timers'" in p.message and "'Dormant'" in p.message
    (p,) = rule_problems("Alert the founder when one of the Northwind Insiders has not ordered for a while.")  # another segment's name
    assert "'Northwind Insiders'" in p.message and "'Champions'" in p.message
    (p,) = rule_problems("Move Dormant Browsers to the suppressed list.", dormant="Dormant Browsers")  # the files say Dormant
    assert "'Dormant Browsers'" in p.message
    # 'Regulars' (Loyal) inside 'Almost Regulars' (Needs Attention) is the other segment's name, given beside its label
    names = {"loyal": "Regulars", "needs_attention": "Almost Regulars", "at_risk": "Slipping Regulars"}
    assert not rule_problems("When the Segment is 'Needs Attention' (the Almost Regulars of this plan) and Holdout is not true, start the second-order flow.", **names)
    (p,) = rule_problems("When the Segment is 'Needs Attention' (the Almost Regulars of this plan), copy the Regulars' flow.", **names)
    assert "'Regulars' names the segment the CRM files label 'Loyal'" in p.message
    # the computed name, with the plan's name beside it or alone; a name the same but for case; part of a name
    assert rule_problems("Move Dormant contacts (the Lapsed One-Timers of this plan) who never opened it to the suppressed list.") == []
    assert rule_problems("Move dormant contacts who never opened the series to the suppressed list.", dormant="DORMANT") == []
    assert rule_problems("When a contact enters Needs Attention and Holdout is not true, send the occasional-shopper digest.", needs_attention="Attention") == []
    assert rule_problems("Tag Insiders so their orders get the handwritten card.") == []


def test_a_budget_of_hours_only_is_a_budget(runs):
    """An amount of 0 with hours: the user gives staff time, not money (the shares then divide the hours)."""
    facts = facts_of(runs)
    doc = reference()
    doc["budget"] = {"amount": 0, "per": "month", "hours": 40}
    for p in doc["pathways"]:
        p["investment"] = {"hours": p["investment"]["hours"]}
    assert [p for p in validate(doc, facts) if p.path.startswith(("budget", "targeting_matrix", "pathways"))] == []
    doc["pathways"][0]["investment"]["budget"] = 500  # money the user does not have
    (p,) = [p for p in validate(doc, facts) if p.path.startswith("budget")]
    assert (p.path, p.code) == ("budget.amount", "plan_over_budget")
    assert re.search(r"comes to [\d,]+ USD, more than the 0 USD the budget allows", p.message), p.message  # amounts with their currency
    facts["data"]["currency"] = None  # an export that names none: the unit is said, not left out
    (p,) = [p for p in validate(doc, facts) if p.path.startswith("budget")]
    assert re.search(r"comes to [\d,]+ \(in the export's currency\), more than the 0 \(in the export's currency\) the budget allows", p.message), p.message


def test_pathway_hours_may_recur_on_their_own_period(runs):
    """'200 a month and 2 hours a week': the hours count every week of the roadmap, the money
    every month. The roadmap runs 16 weeks; the budget gives 40 hours a month."""
    facts = facts_of(runs)
    doc = reference()
    weeks = sum(p["weeks"] for p in doc["roadmap"])
    doc["budget"] = {"amount": 3000, "per": "month", "hours": 40}
    for p in doc["pathways"]:
        p["investment"] = {"budget": 0, "hours": 0}
    hours_allowed = 40 * weeks / (52 / 12)
    # the same number of hours a month fits where a week would not
    doc["pathways"][0]["investment"] = {"budget": 200, "hours": hours_allowed / weeks * 1.5, "per": "month"}
    assert [p for p in validate(doc, facts) if p.path.startswith("budget")] == []
    doc["pathways"][0]["investment"]["hours_per"] = "week"
    assert [(p.path, p.code) for p in validate(doc, facts) if p.path.startswith("budget")] == [("budget.hours", "plan_over_budget")]
    assert _investment(doc["pathways"][0]["investment"] | {"hours": 2}, "USD") == "200.00 USD a month and 2 staff hours a week"
    assert _investment({"budget": 200, "hours": 2, "per": "month"}, "USD") == "200.00 USD and 2 staff hours a month"
    assert _investment({"hours": 3, "hours_per": "week"}, None) == "3 staff hours a week"
    assert _investment({"budget": 200, "hours": 1, "per": "month", "hours_per": "week"}, "USD") == "200.00 USD a month and 1 staff hour a week"
    assert _investment({"budget": 900}, "USD") == "900.00 USD (one-off)"


@pytest.mark.parametrize("label, times_aov, refused", [
    ("free carriage over", 6.0, True),  # a trial's 250.00 GBP for shops whose orders averaged 41.96
    ("minimum order for the trade price", 2.5, True),
    ("free shipping threshold", 1.2, False),  # a little above the average order: the usual nudge
    ("store credit", 6.0, False),  # money, but no threshold
    # a wholesaler's standing minimum is a condition of trade, not an incentive (the hint offers
    # this way out; a trial's 'explain in the offer' was one the check never read)
    ("wholesale minimum order", 3.6, False),
    ("standing minimum order", 3.6, False),
    ("minimum second order", 3.6, True),
])
def test_an_order_threshold_is_held_to_the_segments_orders(runs, label, times_aov, refused):
    facts = facts_of(runs)
    aov = facts["segmentations"]["rfm"]["segments"]["loyal"]["aov"]
    doc = _set("segments.loyal.offer_terms", [{"label": label, "value": round(aov * times_aov, 2), "unit": "money"}])(reference())
    problems = [p for p in validate(doc, facts) if p.code == "threshold_beyond_orders"]
    assert bool(problems) == refused
    if refused:
        assert f"what an order of 'loyal' averages ({aov:,.2f} USD, its aov)" in problems[0].message
        assert "say so in its label ('wholesale minimum order'" in problems[0].message


def test_a_hint_names_a_fact_of_a_segment_that_holds_anyone(runs):
    """A trial's hint for 'less than half' cited an empty Champions segment's pct_customers."""
    import copy

    facts = copy.deepcopy(facts_of(runs))
    doc = _set("review_schedule", "Review the plan when less than half of the list still opens the emails.")(reference())
    hint = lambda: next(p.message for p in validate(doc, facts) if p.code == "figure_in_text" and p.path == "review_schedule")  # noqa: E731
    assert "{segmentations.rfm.segments.champions." in hint()
    facts["segmentations"]["rfm"]["segments"]["champions"]["count"] = 0
    assert "{segmentations.rfm.segments.loyal." in hint()


def test_texts_go_only_to_segments_someone_in_which_agreed_to_them(runs):
    """An activewear trial planned texts to the top customers; the store's customers export said
    none of them accepted SMS marketing. Where the export records that consent, a text channel for
    a segment with nobody who agreed is refused; without that record, nothing is said."""
    import copy

    facts = copy.deepcopy(facts_of(runs))
    order = facts["segmentations"]["rfm"]["order"]
    facts["exports"] |= {"sms_consent_recorded": True, "sms_consent_yes_by_segment": {k: (0 if k == "champions" else 4) for k in order}}
    doc = reference()
    doc["targeting_matrix"] += [
        {"segment": "champions", "channel": "SMS for limited drops", "priority": "medium", "budget_share": 0.0},
        {"segment": "loyal", "channel": "Text message reminders", "priority": "low", "budget_share": 0.0},
    ]
    problems = [p for p in validate(doc, facts) if p.code == "unreachable_segment"]
    at = len(doc["targeting_matrix"]) - 2
    assert [p.path for p in problems] == [f"targeting_matrix[{at}].channel", "segments.champions.channels[1]"]  # the reference's own 'SMS for limited drops'
    assert "nobody in 'champions' has a phone and agreed to SMS marketing" in problems[0].message
    facts["exports"]["sms_consent_recorded"] = False
    assert not [p for p in validate(doc, facts) if p.code == "unreachable_segment"]


def test_a_channel_run_by_people_counts_its_hours(runs):
    """A trial phoned 257 stockists on the owner's 4 hours a week and check.py passed: only the
    pathways' hours were counted. A channel run by people needs hours on its cell or in a pathway
    from its segment, and the cell's hours count against the budget with the pathways'."""
    facts = facts_of(runs)
    doc = reference()
    doc["targeting_matrix"].append({"segment": "champions", "channel": "Phone calls from the owner", "priority": "high", "budget_share": 0.0})
    (p,) = [p for p in validate(doc, facts) if p.code == "manual_channel_without_hours"]
    assert p.path == f"targeting_matrix[{len(doc['targeting_matrix']) - 1}].channel"
    assert "'Phone calls from the owner' for 'champions' (Champions, 75 customers) takes staff time" in p.message and "40 hours" in p.message
    # the reference's own handwritten cards carry their hours; email needs none
    assert [c for c in reference()["targeting_matrix"] if c["channel"].startswith("Handwritten")][0]["hours"] == 3
    assert not [p for p in validate(reference(), facts) if p.code == "manual_channel_without_hours"]
    # hours given: counted, and too many are over the budget
    doc["targeting_matrix"][-1] |= {"hours": 2, "hours_per": "week"}
    assert not [p for p in validate(doc, facts) if p.code in ("manual_channel_without_hours", "plan_over_budget")]
    doc["targeting_matrix"][-1]["hours"] = 20
    (over,) = [p for p in validate(doc, facts) if p.path.startswith("budget")]
    assert (over.path, over.code) == ("budget.hours", "plan_over_budget")
    assert "the pathways' and the targeting matrix's channels' hours come to" in over.message and "lower the pathways' and channels' hours" in over.message
    # without the user's hours in the budget there is nothing to hold them to
    del doc["budget"]["hours"]
    doc["targeting_matrix"][-1].pop("hours")
    assert not [p for p in validate(doc, facts) if p.code == "manual_channel_without_hours"]


@pytest.mark.parametrize("case", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_variant_is_reported(runs, cli, tmp_path, case):
    _, mutate, code, path = case
    doc = mutate(reference())
    res = cli("check", write(tmp_path, doc), "--facts", runs[SHOPIFY] / "facts.json")
    assert res.code == 1, res.out
    lines = res.out.splitlines()
    assert "problem" in lines[0]
    hits = [line for line in lines[1:] if line.startswith(f"{path}: ") and line.endswith(f"[{code}]")]
    assert hits, f"no '{path}: ... [{code}]' in:\n{res.out}"
    assert res.err == ""


def test_an_unknown_metric_is_one_problem(runs):
    """'open_rate' is not computed: that is the problem, not also '90 would be 9000%'."""
    doc = _set(f"{P0}.trigger", {"metric": "open_rate", "operator": "<", "value": 90})(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.path.startswith(f"{P0}.trigger")]
    assert [p.code for p in problems] == ["unknown_metric"]


def _kpi_and_pathway_problems(runs, *mutations) -> list[tuple[str, str]]:
    doc = reference()
    for mutate in mutations:
        doc = mutate(doc)
    return [(p.code, p.path) for p in validate(doc, facts_of(runs)) if p.path.startswith(("kpis", "pathways[3]"))]


def test_a_rate_target_is_held_to_what_the_best_segment_reached(runs):
    """A CDNOW trial: At Risk's next-period rate aimed at 0.7 (from 0.19) when Champions, the best,
    reached 0.656, and the At Risk -> Loyal pathway at 0.6 when Loyal's own reached 0.363. Here
    Champions reached 0.929 and Loyal 0.639."""
    facts = facts_of(runs)
    rates = {k: s["next_repeat_rate"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    assert max(rates, key=rates.get) == "champions" and rates["loyal"] < 0.66 and 0.3 < rates["at_risk"] < 0.4
    (p,) = [p for p in validate(_set("kpis[5].target", 0.97)(reference()), facts) if p.code == "target_beyond_data"]
    assert f"the highest next_repeat_rate any segment of rfm reached is {rates['champions']:.3g}, of 'Champions' ({{segmentations.rfm.segments.champions.next_repeat_rate}})" in p.message
    assert f"aim between where 'At Risk' is ({rates['at_risk']:.3g}) and {rates['loyal']:.3g}, what 'Loyal', the next segment up, reached" in p.message
    (p,) = [p for p in validate(_set("pathways[3].success_metric.target", 0.7)(reference()), facts) if p.code == "target_beyond_data"]
    assert f"leads to 'Loyal', whose own customers' next_repeat_rate is {rates['loyal']:.3g}" in p.message
    # true counterparts: below the best (a KPI), below where the pathway leads, within a point of it
    # (rounded), the best segment's own KPI above its own value (the reference's 0.95), a share
    # of all customers (a small segment may grow past a big one's share)
    assert _kpi_and_pathway_problems(runs, _set("kpis[5].target", 0.9), _set("pathways[3].success_metric.target", 0.6)) == []
    assert _kpi_and_pathway_problems(runs, _set("pathways[3].success_metric.target", round(rates["loyal"] + 0.005, 3))) == []
    assert reference()["kpis"][0]["target"] > rates["champions"]
    share = {"segment": "new", "metric": "pct_customers", "baseline": "{segmentations.rfm.segments.new.pct_customers}", "target": 0.9, "review": "monthly"}
    assert _kpi_and_pathway_problems(runs, _set("kpis[3]", share)) == []


def test_a_repeat_rate_with_no_segment_below_one_has_no_ceiling_but_one(runs):
    """repeat_rate is 1.0 for every segment of repeat buyers: only a target above 1 (a percentage) is refused."""
    kpi = {"segment": "dormant", "metric": "repeat_rate", "baseline": "{segmentations.rfm.segments.dormant.repeat_rate}", "target": 0.9, "review": "quarterly"}
    assert _kpi_and_pathway_problems(runs, _set("kpis[6]", kpi)) == []


def test_baselines_of_the_same_kind_and_base_stand(runs):
    """The mirrors of the trial's mutations: the KPI's own measure as its baseline."""
    aov = {"segment": "needs_attention", "metric": "aov", "baseline": "{segmentations.rfm.segments.needs_attention.aov}", "target": 200, "review": "monthly"}
    spend = {"segment": "needs_attention", "metric": "monetary_total", "baseline": "{segmentations.rfm.segments.needs_attention.avg_value}", "target": 400, "review": "monthly"}
    share = {"segment": "dormant", "metric": "pct_customers", "baseline": "{segmentations.rfm.segments.dormant.pct_customers}", "target": 0.5, "review": "monthly"}
    count = {"segment": "dormant", "metric": "count", "baseline": "{segmentations.rfm.segments.dormant.count}", "target": 1500, "review": "monthly"}
    for kpi in (aov, spend):
        assert _kpi_and_pathway_problems(runs, _set("kpis[4]", kpi)) == [], kpi
    for kpi in (share, count, count | {"target": 0}):
        assert _kpi_and_pathway_problems(runs, _set("kpis[6]", kpi)) == [], kpi
    (p,) = [p for p in validate(_set("kpis[5].baseline", "{segmentations.rfm.segments.at_risk.pct_customers}")(reference()), facts_of(runs)) if p.path.startswith("kpis[5]")]
    assert "is a share of all customers, but the KPI measures next_repeat_rate (a rate among the segment's own customers)" in p.message


AT_RISK_RATE = "{segmentations.rfm.segments.at_risk.next_repeat_rate}"


@pytest.mark.parametrize("outcome, codes", [
    # the organic next-period rate (no campaign ran) told as what the flow will do: a CDNOW trial
    (f"The win-back flow will bring back {AT_RISK_RATE} of them.", ["promise_in_text"]),
    (f"We expect the flow to win back about {AT_RISK_RATE} of Slipping Regulars.", ["promise_in_text"]),
    (f"{AT_RISK_RATE} of them will come back after the first email.", ["promise_in_text"]),
    ("The pathway will move {segmentations.rfm.opportunities.at_risk_to_loyal.historical_rate} of them into Loyal.", ["promise_in_text"]),
    # told as what campaigns usually do (a CDNOW trial): the rate came with no campaign
    (f"Win-back emails typically bring back {AT_RISK_RATE} of them.", ["promise_in_text"]),
    (f"A reminder sequence usually wins back {AT_RISK_RATE} of lapsed regulars.", ["promise_in_text"]),
    (f"Without any emails, {AT_RISK_RATE} of them came back on their own last period.", []),
    (f"If the emails bring back {AT_RISK_RATE} of them again, revenue holds.", []),
    # the same rate as the mark to beat, as what happened, or as a what-if
    (f"The win-back flow aims to bring back more than the {AT_RISK_RATE} who came back on their own last period.", []),
    (f"Without a campaign, {AT_RISK_RATE} of them bought again in the next period; the flow will try to beat that.", []),
    (f"If the flow brought back {AT_RISK_RATE} of them again, the revenue would hold.", []),
    # Champions' rate told as what a campaign does for At Risk's lapsed regulars: whose it is, is the error
    # (and told as what the emails do: a rate measured with no campaign)
    ("Win-back emails typically bring back {segmentations.rfm.segments.champions.next_repeat_rate} of lapsed regulars.", ["fact_of_other_segment", "promise_in_text"]),
    ("Win-back emails bring back lapsed regulars at {segmentations.rfm.segments.dormant.next_repeat_rate}.", ["fact_of_other_segment"]),
    # named as Champions', or the figure of where the pathway leads: fine
    (f"Champions came back at {{segmentations.rfm.segments.champions.next_repeat_rate}} in the next period; the flow aims to beat the {AT_RISK_RATE} of At Risk.", []),
    ("Slipping Regulars who return become Steady Regulars, who buy again at {segmentations.rfm.segments.loyal.next_repeat_rate}.", []),
    ("Each Regular they become buys again at {segmentations.rfm.segments.loyal.next_repeat_rate}.", []),
])
def test_a_rate_in_a_pathway_is_the_from_segments_measured_one(runs, outcome, codes):
    """pathways[3] leads At Risk to Loyal: its text speaks of At Risk's customers."""
    doc = _set("pathways[3].expected_outcome", outcome)(reference())
    assert [p.code for p in validate(doc, facts_of(runs)) if p.path == "pathways[3].expected_outcome"] == codes


def test_a_pathways_other_figure_is_told_as_the_pathways(runs):
    """The message names the pathway the text is in, not a segment's own text."""
    doc = _set("pathways[3].expected_outcome", "Win-back emails typically bring back {segmentations.rfm.segments.champions.next_repeat_rate} of lapsed regulars.")(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.path == "pathways[3].expected_outcome" and p.code == "fact_of_other_segment"]
    assert "in the pathway from At Risk, speaks of them" in p.message and "own text" not in p.message


def test_a_backwards_check_is_not_made_on_a_baseline_of_another_kind(runs):
    """A count baseline under a rate KPI is one problem (the baseline), not also a 'target
    below the baseline' that would ask for a repeat rate above 75."""
    doc = _set("kpis[5].baseline", "{segmentations.rfm.segments.at_risk.count}")(reference())
    codes = [p.code for p in validate(doc, facts_of(runs)) if p.path.startswith("kpis[5]")]
    assert codes == ["baseline_other_metric"]


def _kpi_problems(doc, facts, kpi) -> list:
    """The problems of one KPI appended to ``doc`` (the rest of the document is not looked at)."""
    doc["kpis"].append(kpi)
    at = f"kpis[{len(doc['kpis']) - 1}]"
    return [p for p in validate(doc, facts) if p.path.startswith(f"{at}.") or p.path == at]


def _behavioral(runs) -> tuple[dict, dict]:
    """The product-events reference moved onto its behavioral segmentation (power, regular, occasional, inactive)."""
    facts = facts_of(runs, "product_events")
    order = facts["segmentations"]["behavioral"]["order"]
    doc = reference("product_events")
    segs = list(doc["segments"].values())
    doc["segmentation"] = "behavioral"
    # the RFM plan's display names, which its rules use beside the RFM names, do not fit these segments
    doc["segments"] = {k: {f: v for f, v in segs[i].items() if f != "display_name"} for i, k in enumerate(order)}
    for item in doc["targeting_matrix"] + doc["kpis"] + doc["automation_rules"]:
        item["segment"] = order[0]
    for p in doc["pathways"]:
        # usage groups move on usage: Regular Users active on 8+ of the last 30 days aim at a Power User's 12
        p["from_segment"], p["to_segment"] = order[1], order[0]
        p["trigger"] = {"metric": "active_days_30", "operator": ">=", "value": 8}
        p["success_metric"] = {"metric": "active_days_30", "target": 12}
    doc["kpis"] = [{"segment": k, "metric": "pct_customers", "baseline": f"{{segmentations.behavioral.segments.{k}.pct_customers}}", "target": 0.2, "review": "monthly"} for k in order]
    return doc, facts


def test_a_usage_window_typed_in_text_points_at_the_window_fact(runs):
    """'the last 30 days' on a usage plan quotes the behavioral definition's window, not a
    calendar month that happens to have 30 days; cited, it reads as written."""
    doc, facts = _behavioral(runs)
    window = facts["segmentations"]["behavioral"]["definition"]["window_days"]
    first = facts["segmentations"]["behavioral"]["order"][0]
    assert any(m.get("days_covered") == window for m in facts["data"]["by_month"]), "a month with as many days as the window"
    doc["segments"][first]["persona"] += f" Active most days of the last {window} days."
    (p,) = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
    assert "{segmentations.behavioral.definition.window_days}" in p.message, p.message
    cited = "Active most days of the last {segmentations.behavioral.definition.window_days}."
    assert resolve(cited, facts) == f"Active most days of the last {window} days."
    doc["segments"][first]["persona"] = doc["segments"][first]["persona"].replace(f"the last {window} days.", cited.split("the last ")[1])
    assert [p for p in validate(doc, facts) if p.code == "figure_in_text"] == []


# (segmentation, segment, size metric, target, backwards?): the best segment should grow, the
# losing ones (lapsed, dormant, at risk, inactive: the bottom of the ranking) shrink; the middle either way
SIZE_TARGETS = [
    ("rfm", "dormant", "count", 2000, True),
    ("rfm", "dormant", "count", 1500, False),
    ("rfm", "at_risk", "pct_customers", 0.05, True),
    ("rfm", "at_risk", "pct_customers", 0.03, False),
    ("rfm", "champions", "count", 60, True),
    ("rfm", "champions", "count", 90, False),
    ("rfm", "needs_attention", "count", 600, False),
    ("rfm", "needs_attention", "count", 300, False),
    ("rfm", "new", "pct_customers", 0.05, False),
    ("behavioral", "inactive", "count", 1200, True),
    ("behavioral", "inactive", "count", 900, False),
    ("behavioral", "power", "pct_customers", 0.01, True),
    ("behavioral", "regular", "count", 50, False),
    ("behavioral", "occasional", "count", 400, False),
]


@pytest.mark.parametrize("segmentation, segment, metric, target, backwards", SIZE_TARGETS, ids=[f"{s[1]}-{s[2]}-{s[3]}" for s in SIZE_TARGETS])
def test_size_targets_follow_the_ranking(runs, segmentation, segment, metric, target, backwards):
    doc, facts = (reference(), facts_of(runs)) if segmentation == "rfm" else _behavioral(runs)
    kpi = {"segment": segment, "metric": metric, "baseline": f"{{segmentations.{segmentation}.segments.{segment}.{metric}}}", "target": target, "review": "monthly"}
    problems = _kpi_problems(doc, facts, kpi)
    assert [p.code for p in problems] == (["kpi_target_backwards"] if backwards else []), problems
    if backwards:
        name = facts["segmentations"][segmentation]["segments"][segment]["name"]
        assert f"'{name}'" in problems[0].message and ("at or below" in problems[0].message) == (segment not in ("champions", "power"))


def test_a_baseline_is_the_kpis_own_segments_fact(runs):
    facts = facts_of(runs)
    kpi = {"segment": "loyal", "metric": "next_repeat_rate", "baseline": "{segmentations.rfm.segments.champions.next_repeat_rate}", "target": 0.7, "review": "quarterly"}
    (p,) = _kpi_problems(reference(), facts, kpi)  # one problem: not also 'the target is below the baseline'
    assert p.code == "baseline_other_segment" and "'champions'" in p.message and "{segmentations.rfm.segments.loyal.next_repeat_rate}" in p.message
    # another segment's fact of another kind: one problem, the segment
    (p,) = _kpi_problems(reference(), facts, kpi | {"baseline": "{segmentations.rfm.segments.champions.count}"})
    assert p.code == "baseline_other_segment"
    (p,) = _kpi_problems(reference(), facts, kpi | {"baseline": "{segmentations.lifecycle.segments.mature.repeat_rate}"})
    assert p.code == "baseline_other_segment" and "lifecycle" in p.message
    # the segment's own next-period rate, where validation keeps it too, is not another segment's
    assert _kpi_problems(reference(), facts, kpi | {"baseline": "{segmentations.rfm.validation.segments.loyal.repeat_rate}"}) == []


def test_a_rate_already_at_its_most_cannot_be_a_target(runs):
    facts = facts_of(runs)
    assert facts["segmentations"]["rfm"]["segments"]["loyal"]["repeat_rate"] == 1  # every Loyal customer bought more than once
    kpi = {"segment": "loyal", "metric": "repeat_rate", "baseline": "{segmentations.rfm.segments.loyal.repeat_rate}", "target": 0.9, "review": "monthly"}
    (p,) = _kpi_problems(reference(), facts, kpi)  # one problem: not also 'the target is below the baseline'
    assert p.code == "kpi_at_limit" and "next_repeat_rate" in p.message and "(everyone in Loyal has already bought more than once)" in p.message
    # a rate below its most may be held where it is or raised, as far as the best segment reached
    kpi = {"segment": "loyal", "metric": "next_repeat_rate", "baseline": "{segmentations.rfm.segments.loyal.next_repeat_rate}", "target": facts["segmentations"]["rfm"]["segments"]["loyal"]["next_repeat_rate"], "review": "quarterly"}
    assert _kpi_problems(reference(), facts, kpi) == []
    assert _kpi_problems(reference(), facts, kpi | {"target": facts["segmentations"]["rfm"]["segments"]["champions"]["next_repeat_rate"]}) == []
    assert [p.code for p in _kpi_problems(reference(), facts, kpi | {"target": 1})] == ["target_beyond_data"]


def test_a_figure_is_matched_only_to_facts_of_the_same_segmentation(runs):
    facts = facts_of(runs)
    lifecycle_rate = next(v["repeat_rate"] for v in facts["segmentations"]["lifecycle"]["segments"].values() if v["repeat_rate"])
    text = f"Say that {lifecycle_rate * 100:.1f}% of them come back."
    rfm_rates = {round(v["repeat_rate"] * 100, 1) for v in facts["segmentations"]["rfm"]["segments"].values() if v["repeat_rate"] is not None}
    assert round(lifecycle_rate * 100, 1) not in rfm_rates, "pick a rate the RFM segments do not share"
    (problem,) = [p for p in validate(_set("segments.at_risk.offers", text)(reference()), facts) if p.code == "figure_in_text"]
    assert "lifecycle" not in problem.message and "{segmentations.rfm.segments.at_risk." in problem.message


def test_figure_message_names_a_fact_to_cite(runs):
    facts = facts_of(runs)
    doc = _append_persona("champions", "About 35% of buyers.")(reference())
    problems = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
    assert len(problems) == 1
    assert "'35% of buyers' is a figure in free text" in problems[0].message
    assert "{segmentations.rfm.segments.champions." in problems[0].message and "typed field" in problems[0].message
    # a figure that quotes a fact exactly: the message names that fact
    share = facts["segmentations"]["rfm"]["segments"]["champions"]["pct_customers"]
    doc = _append_persona("champions", f"They are {share * 100:.1f}% of buyers.")(reference())
    (p,) = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
    assert "{segmentations.rfm.segments.champions.pct_customers}" in p.message


def test_plan_durations_and_discounts_get_the_plan_hint(runs):
    """'within 24 hours', 'the first 30 days', '2 months free' and 'a 30% discount' are numbers the
    plan sets: the message says to type them or write them in words, not to cite a fact that
    happens to be equal (the 30-day retry window, a quarter's seasonality share)."""
    facts = facts_of(runs)
    for text in ("Reply within 24 hours.", "Onboard them in the first 30 days.", "Get 2 months free.", "A 30% discount on the next order."):
        doc = _set("segments.loyal.offers", text)(reference())
        (p,) = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
        assert "is a plan number in free text" in p.message and "retry_window_days" not in p.message and "seasonality" not in p.message, (text, p.message)
    doc = _set("segments.loyal.offers", "They bought in the last 90 days.")(reference())
    (p,) = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
    assert "is a figure in free text; cite a fact like" in p.message


def test_figures_in_words_point_at_the_fact_they_would_quote(runs):
    facts = facts_of(runs)
    for text, fact in (("They last bought about ninety days ago.", "at_risk.median_recency_days"), ("Roughly half never came back.", "at_risk.pct_customers")):
        doc = _append_persona("at_risk", text)(reference())
        (p,) = [p for p in validate(doc, facts) if p.code == "figure_in_text"]
        assert f"{{segmentations.rfm.segments.{fact}}}" in p.message, p.message


@pytest.mark.parametrize(
    "text, figure",
    [
        ("Twenty of them live in London.", "Twenty of them"),  # TikTok-shop trial
        ("Nearly seventy clients pay monthly.", "seventy clients"),  # coaching trial
        ("Around two hundred loyal customers order coffee.", "two hundred loyal customers"),
        ("They are two of our best customers.", "two of our best customers"),
        ("Thousands of them bought once.", "Thousands of them"),
        ("We call twenty-five buyers a week.", "twenty-five buyers"),
    ],
)
def test_counts_of_people_in_words_are_figures_like_digits(runs, text, figure):
    """'seventy clients' is the figure '70 clients' is: a count to cite, not to type."""
    doc = _append_persona("needs_attention", text)(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"]
    assert f"'{figure}' is a figure written in words" in p.message and "{segmentations.rfm.segments.needs_attention.count}" in p.message


@pytest.mark.parametrize(
    "text, figure",
    [
        ("About a fifth of our shops are in this group.", "About a fifth"),  # a UCI trial's, passed
        ("A third of our customers sit here.", "A third of"),
        ("One in five of them reorders.", "One in five"),
        ("Roughly two fifths came back.", "Roughly two fifths"),
        ("A tenth of our customers are here.", "A tenth of"),
        ("One quarter of the shops reorder.", "One quarter of"),
        ("Nearly a quarter of them are abroad.", "Nearly a quarter"),
    ],
)
def test_shares_in_fraction_words_are_figures_like_digits(runs, text, figure):
    """'about a fifth of our shops' is the figure '20% of our shops' is: a share to cite."""
    doc = _append_persona("needs_attention", text)(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"]
    assert f"'{figure}" in p.message and "is a figure written in words" in p.message and "{segmentations.rfm.segments.needs_attention.pct_customers}" in p.message


@pytest.mark.parametrize(
    "text",
    [
        "They buy most in the first half of the year.",
        "Sales dip in the second half of the year.",
        "We review the plan once a quarter.",
        "They come back within a quarter of their first order.",
        "A quarter later, send a reminder.",
        "Check the list every quarter and in the last quarter of the year.",
        "In the fourth quarter of the year they stock up.",
        "Their third order matters most; a fifth order makes them regulars.",
        "Offer half price on the second order.",
    ],
)
def test_calendar_quarters_halves_of_the_year_and_ordinals_are_not_figures(runs, text):
    """The true counterpart: a calendar quarter, a half of the year and an ordinal are no shares."""
    doc = _append_persona("needs_attention", text)(reference())
    assert [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"] == []


def test_words_ordinals_plain_numbers_and_references_are_not_figures(runs):
    doc = reference()
    doc["segments"]["champions"]["persona"] += (
        " They place a second or third order, often a 2nd order within weeks, rank in the top 10,"
        " shop once a week in the first half of the year, take half price on one-time offers, pick two of them,"
        " buy B2B and expect 24/7 replies; {segmentations.rfm.segments.champions.count} customers,"
        " {segmentations.rfm.segments.champions.pct_customers} of buyers. {{ 7*7 }} stays text."
    )
    # cadence adverbs stay text like 'once a week' (a count of times is a figure, as '3 times' is);
    # 'double' that compares nothing is not a figure
    doc["segments"]["champions"]["persona"] += " They bought twice, hear from us twice a month, and give double points a double-check."
    doc["segments"]["loyal"]["offers"] += " A double opt-in reminder and double loyalty points on launch day."
    doc["review_schedule"] += " Audit marketing consent twice a year and thrice before a big launch."
    doc["roadmap"][0]["actions"].append("Drop the weakest offer and double the strongest; double down on what works.")
    # years, order numbers and version names are not figures
    doc["segments"]["champions"]["persona"] += " Most signed up in 2024 and upgraded to the v2 plan after order #12345."
    # plan steps in words, as figure_in_text asks for them; half the price is an offer, not data
    doc["roadmap"][0]["actions"].append("Send a three-email flow over two weeks, then offer half the price on the second order.")
    # one piece of a pair, or part of a list, is no share of customers (a trial's product priority)
    doc["segments"]["new"]["product_priority"] = "The matching half of what they bought, then the top half of the list."
    # 'one' of them, a few, several, and counts of the plan's emails and steps are not counts of people
    doc["segments"]["loyal"]["persona"] += " One of them wrote a review; a few are wholesale buyers and several shop for gifts."
    doc["roadmap"][0]["actions"].append("Send two emails to each of them, in three steps.")
    # a plan's timings in words, and amounts with the units of the plan after a money word
    doc["roadmap"][0]["actions"].append("Wait about two weeks after the first order, then pay 2 instalments of the fee.")
    assert [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"] == []


def test_problems_are_listed_one_per_line(runs, cli, tmp_path):
    doc = reference()
    del doc["segments"]["dormant"]
    doc["pathways"][0]["trigger"]["metric"] = "churn_probability"
    doc["segments"]["loyal"]["persona"] += " About 35% of buyers."
    res = cli("check", write(tmp_path, doc), "--facts", runs[SHOPIFY] / "facts.json")
    assert res.code == 1
    lines = res.out.strip().splitlines()
    assert lines[0].endswith("3 problems (fix each and check again):")
    assert sorted(re.search(r"\[(\w+)\]$", line).group(1) for line in lines[1:]) == ["dormant_unaddressed", "figure_in_text", "unknown_metric"]


def test_check_json_result_carries_exit_code(runs, cli, tmp_path):
    ok = cli("check", STRATEGIES / f"{SHOPIFY}.strategy.json", "--facts", runs[SHOPIFY] / "facts.json", "--json").json()
    assert ok["valid"] is True and ok["exit_code"] == 0 and ok["problems"] == [] and ok["segmentation"] == "rfm"
    doc = reference()
    del doc["segments"]["loyal"]
    res = cli("check", write(tmp_path, doc), "--facts", runs[SHOPIFY] / "facts.json", "--json")
    body = res.json()
    assert res.code == 1 and body["exit_code"] == 1 and body["valid"] is False
    assert body["problems"] == [{"path": "segments.loyal", "code": "missing_segment", "message": body["problems"][0]["message"]}]


def test_a_strategy_may_cover_another_segmentation(runs):
    doc, facts = _behavioral(runs)
    assert validate(doc, facts) == []
    del doc["segments"]["inactive"]
    assert ("dormant_unaddressed", "segments.inactive") in [(p.code, p.path) for p in validate(doc, facts)]


# -- unreadable input: exit 2, one line ---------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing_strategy", "invalid_json", "missing_facts", "not_facts", "strategy_is_folder"])
def test_unreadable_input_exits_2_with_one_line(runs, cli, tmp_path, case):
    facts = runs[SHOPIFY] / "facts.json"
    strategy = STRATEGIES / f"{SHOPIFY}.strategy.json"
    if case == "missing_strategy":
        strategy, named = tmp_path / "nope.json", "nope.json"
    elif case == "invalid_json":
        strategy, named = write(tmp_path, '{"segments": {"champions": }', "bad.json"), "bad.json"
    elif case == "missing_facts":
        facts, named = tmp_path / "missing" / "facts.json", "facts.json"
    elif case == "not_facts":
        facts, named = write(tmp_path, {"hello": "world"}, "facts.json"), "facts.json"
    else:
        strategy, named = tmp_path, tmp_path.name
    for args in (["check", strategy, "--facts", facts], ["render", "--facts", facts, "--strategy", strategy, "--out", tmp_path / "out"]):
        res = cli(*args)
        assert res.code == 2, (args, res.out, res.err)
        assert res.out == "" and len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err
        assert named in res.err and res.err.startswith("segment: error: ")
    if case == "invalid_json":
        assert "not valid JSON (line 1, column" in res.err
    assert not (tmp_path / "out").exists()


def test_top_level_that_is_not_an_object_is_a_problem_not_a_crash(runs, cli, tmp_path):
    res = cli("check", write(tmp_path, [1, 2, 3]), "--facts", runs[SHOPIFY] / "facts.json")
    assert res.code == 1 and "(document): the strategy must be a JSON object, got list [schema]" in res.out


# -- fact keys and the resolver ----------------------------------------------------------------------


def test_fact_keys_are_dotted_scalar_leaves(runs):
    facts = facts_of(runs)
    keys = fact_keys(facts)
    champ = facts["segmentations"]["rfm"]["segments"]["champions"]
    assert keys["segmentations.rfm.segments.champions.count"] == champ["count"]
    assert keys["data.revenue_total"] == facts["data"]["revenue_total"]
    assert keys["as_of"] == facts["as_of"]
    assert "segmentations.rfm.segments.champions" not in keys  # only scalar leaves
    assert all(not isinstance(v, (dict, list)) for v in keys.values())
    # lists of objects are keyed by their natural id, other lists by position
    assert keys["segmentations.rfm.validation.segments.champions.repeat_rate"] == facts["segmentations"]["rfm"]["validation"]["segments"][0]["repeat_rate"]
    opp = facts["segmentations"]["rfm"]["opportunities"][0]
    assert keys[f"segmentations.rfm.opportunities.{opp['from_segment']}_to_{opp['to_segment']}.expected_revenue"] == opp["expected_revenue"]
    assert keys["data.files.0"] == facts["data"]["files"][0]


def test_resolve_formats_like_the_report(runs):
    facts = facts_of(runs)
    champ = facts["segmentations"]["rfm"]["segments"]["champions"]
    cur = facts["data"]["currency"]
    p = "segmentations.rfm.segments.champions."
    text = f"{{{p}count}} | {{{p}pct_customers}} | {{{p}revenue_share}} | {{{p}avg_value}} | {{{p}aov}} | {{{p}median_recency_days}} | {{data.revenue_total}} | {{as_of}}"
    assert resolve(text, facts) == " | ".join([
        fmt_count(champ["count"]), fmt_pct(champ["pct_customers"]), fmt_pct(champ["revenue_share"]), fmt_money(champ["avg_value"], cur),
        fmt_money(champ["aov"], cur), fmt_days(champ["median_recency_days"]), fmt_money(facts["data"]["revenue_total"], cur), facts["as_of"],
    ])
    assert resolve(f"{{{p}trend_change}}", facts) == fmt_pct(champ["trend_change"], signed=True)
    assert resolve("{data.customers}", facts) == fmt_count(facts["data"]["customers"])


def test_a_unit_written_after_a_reference_is_not_shown_twice(runs):
    facts = facts_of(runs)
    champ = facts["segmentations"]["rfm"]["segments"]["champions"]
    cur = facts["data"]["currency"]
    p = "segmentations.rfm.segments.champions."
    days = fmt_days(champ["median_recency_days"])
    number = days.split()[0]
    assert resolve(f"{{{p}median_recency_days}} days ago", facts) == f"{number} days ago"
    assert resolve(f"{{{p}median_recency_days}} ago", facts) == f"{days} ago"
    assert resolve(f"{{{p}median_recency_days}} daylong", facts) == f"{days} daylong"  # another word
    assert resolve(f"{{{p}repeat_rate}}% of them", facts) == fmt_pct(champ["repeat_rate"]) + " of them"
    assert resolve(f"{{{p}repeat_rate}} percent", facts) == fmt_pct(champ["repeat_rate"]).rstrip("%") + " percent"
    assert resolve(f"{{{p}avg_value}} {cur} each", facts) == fmt_money(champ["avg_value"], cur) + " each"
    assert resolve(f"{{{p}avg_value}} each", facts) == fmt_money(champ["avg_value"], cur) + " each"


def test_resolve_is_not_a_template_engine(runs):
    facts = facts_of(runs)
    for literal in ("{{ 7*7 }}", "{% if true %}yes{% endif %}", "{ spaced key }", "{}", "{{data.customers}}", "{7*7}", "{0}", "{ data.customers }"):
        assert resolve(literal, facts) == literal
    with pytest.raises(UnknownFactError, match="unknown fact key"):
        resolve("{data.no_such_key}", facts)
    with pytest.raises(UnknownFactError):
        resolve("{__class__}", facts)
    # the formatter is pluggable
    assert resolve("{data.customers}", facts, lambda key, value: f"<{key}={value}>") == f"<data.customers={facts['data']['customers']}>"
    assert fact_formatter(facts)("data.one_time_share", 0.5) == "50.0%"
    # money facts outside the segment tables keep their currency when cited (a trial saw '7,970')
    currency = facts["data"]["currency"]
    for key in ("data.failed_payments.outstanding_value", "data.failed_payments.never_paid_value", "data.dropped_value.cancelled", "data.dropped_gross.refunded", "data.dropped_collected.cancelled"):
        assert fact_formatter(facts)(key, 7970.0) == f"7,970.00 {currency}", key
    assert fact_formatter(facts)("data.failed_payments.outstanding", 6) == "6"
    # the holdout's achieved shares are shares, overall and per segment
    assert fact_formatter(facts)("exports.held_out_share", 0.108) == "10.8%"
    assert fact_formatter(facts)("exports.held_out_share_by_segment.champions", 0.2) == "20.0%"



def test_seasonality_facts_resolve_and_a_wrong_figure_is_caught(runs):
    """A seasonal hunch is answered by citing the quarter facts: each is a fact key shown as a
    percentage, a plan that cites it passes, and the same figure typed (right or wrong) or a
    misspelt key is reported."""
    facts = facts_of(runs)
    season = facts["segmentations"]["rfm"]["segments"]["champions"]["seasonality"]
    key = "segmentations.rfm.segments.champions.seasonality.revenue_share.q4"
    keys = fact_keys(facts)
    assert keys[key] == season["revenue_share"]["q4"] is not None
    assert keys["segmentations.rfm.segments.champions.seasonality.buyers"] == season["buyers"]
    assert keys["data.seasonality.one_quarter_only"] == facts["data"]["seasonality"]["one_quarter_only"]
    only = "segmentations.rfm.segments.champions.seasonality.one_quarter_only"
    assert resolve(f"{{{key}}} of their spend; {{{only}}} bought in one quarter only; {{{key[: -len('revenue_share.q4')]}buyers}} bought", facts) == (
        f"{fmt_pct(season['revenue_share']['q4'])} of their spend; {fmt_pct(season['one_quarter_only'])} bought in one quarter only; {fmt_count(season['buyers'])} bought"
    )
    baseline = validate(reference(), facts)
    cited = _append_persona("champions", f"{{{key}}} of their spend in the last year fell in October to December, and {{{only}}} bought in one quarter only.")(reference())
    assert validate(cited, facts) == baseline
    typed = _append_persona("champions", f"{season['revenue_share']['q4'] * 100:.1f}% of their spend fell before Christmas.")(reference())
    (right,) = [p for p in validate(typed, facts) if p.code == "figure_in_text"]
    assert f"{{{key}}}" in right.message
    wrong = _append_persona("champions", f"{season['revenue_share']['q4'] * 100 + 23.4:.1f}% of their spend fell before Christmas.")(reference())
    (caught,) = [p for p in validate(wrong, facts) if p.code == "figure_in_text"]
    assert caught.path == "segments.champions.persona" and f"{{{key}}}" not in caught.message
    misspelt = _append_persona("champions", f"{{{key.replace('q4', 'q5')}}} of their spend.")(reference())
    (unknown,) = [p for p in validate(misspelt, facts) if p.code == "unknown_fact"]
    assert "revenue_share.q5" in unknown.message

# -- segment render -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendered(runs, tmp_path_factory) -> dict[str, dict]:
    """Each reference strategy rendered into a fresh folder beside its run."""
    out = {}
    for name in EXAMPLE_FILES:
        target = tmp_path_factory.mktemp(f"render-{name}") / "report"
        code = main(["render", "--facts", str(runs[name] / "facts.json"), "--strategy", str(STRATEGIES / f"{name}.strategy.json"), "--out", str(target)])
        assert code == 0
        out[name] = {
            "dir": target,
            "doc": reference(name),
            "facts": facts_of(runs, name),
            "md": (target / "report.md").read_text(encoding="utf-8"),
            "html": (target / "report.html").read_text(encoding="utf-8"),
        }
    return out


@pytest.mark.parametrize("name", list(EXAMPLE_FILES))
def test_render_fills_every_placeholder(rendered, name):
    r = rendered[name]
    md, page, doc, facts = r["md"], r["html"], r["doc"], r["facts"]
    assert not PLACEHOLDER.search(md) and "{segmentations." not in md and "{data." not in md
    assert not PLACEHOLDER.search(html_text(page))
    keys = fact_keys(facts)
    fmt = fact_formatter(facts)
    part = section(md, "## Strategy per segment")
    for key, seg in doc["segments"].items():
        assert f"### {seg['display_name']} (" in part
        for ref in PLACEHOLDER.findall(seg["persona"]):
            assert fmt(ref, keys[ref]) in part, ref
        assert resolve(seg["persona"], facts) in part and resolve(seg["persona"], facts) in html_text(page)
    for k in doc["kpis"]:
        assert resolve(k["baseline"], facts) in section(md, "## Measurement framework")
    for heading in PLAN_SECTIONS:
        assert heading + "\n" in md
    for heading in ("Targeting matrix", "Migration pathways", "Implementation roadmap", "Measurement framework", "Automation rules"):
        assert f">{heading}</h3>" in page
    assert "Default playbook" not in md


def test_render_shows_the_whole_document(rendered):
    r = rendered[SHOPIFY]
    md, doc, facts = r["md"], r["doc"], r["facts"]
    cur = facts["data"]["currency"]
    champ = section(md, "## Strategy per segment")
    for label in ("Persona", "Goal", "Tone", "Channels", "Communication frequency", "Offers", "Service level", "Messaging", "Product priority", "Pricing"):
        assert f"**{label}:**" in champ
    assert "**Communication frequency:** once a week" in champ and "**Communication frequency:** twice a month" in champ
    paths = section(md, "## Migration pathways")
    assert "| From | To | Trigger | Intervention | Success metric | Investment | Expected outcome |" in paths
    first = doc["pathways"][0]
    assert f"time since last purchase at least {fmt_days(first['trigger']['value'])}" in paths
    assert f"{fmt_money(first['investment']['budget'], cur)} and {fmt_count(first['investment']['hours'])} staff hours" in paths
    targeting = section(md, "## Targeting matrix")
    for c in doc["targeting_matrix"]:
        assert f"| {c['channel']} | {c['priority']} | {fmt_pct(c['budget_share'])} |" in targeting
    roadmap = section(md, "## Implementation roadmap")
    for phase in doc["roadmap"]:
        assert f"### {phase['phase']} ({phase['weeks']} weeks)" in roadmap
        assert all(f"- {a}" in roadmap for a in phase["actions"])
    kpis = section(md, "## Measurement framework")
    assert doc["review_schedule"] in kpis and fmt_pct(doc["kpis"][0]["target"]) in kpis
    assert all(a["rule"] in section(md, "## Automation rules") for a in doc["automation_rules"])
    b = doc["budget"]
    assert f"Budget: {fmt_money(b['amount'], cur)} a {b['per']} and {fmt_count(b['hours'])} staff hours a {b.get('hours_per', b['per'])}; the budget shares below divide it" in targeting
    # the CRM files keep the computed names: the report says what the plan calls each
    names = {k: s["name"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    renamed = [f"{names[k]} is {v['display_name']}" for k, v in doc["segments"].items() if v.get("display_name")]
    assert renamed and "this plan calls them otherwise: " + "; ".join(renamed) + "." in section(md, "## Files for your CRM")


def test_render_answers_the_users_hunches(rendered):
    """The verdicts on the user's hunches close the strategy's segment part, with the facts of
    their evidence filled in as in every other plan text."""
    r = rendered[SHOPIFY]
    md, page, doc, facts = r["md"], r["html"], r["doc"], r["facts"]
    part = section(md, "## Your hunches, checked")
    assert md.index("## Strategy per segment") < md.index("## Your hunches, checked") < md.index("## Targeting matrix")
    for h in doc["hypotheses"]:
        line = f'- **"{h["hunch"]}"**: {h["verdict"]}. {resolve(h["evidence"], facts)}'
        assert line in part, part
        assert resolve(h["evidence"], facts) in html_text(page)
    assert fmt_pct(facts["segmentations"]["rfm"]["segments"]["champions"]["seasonality"]["revenue_share"]["q4"]) in part
    assert '<h3 id="hunches">Your hunches, checked</h3>' in page and '<a href="#hunches">' in page
    verdicts = [h["verdict"] for h in doc["hypotheses"]]
    assert f"Of your {len(verdicts)} hunches, " in section(md, "## In short") and "(under Your hunches, checked)" in section(md, "## In short")
    assert "Not the whole base" not in md  # the user said the export is the whole base


def test_render_says_when_the_export_is_not_the_whole_base(runs, cli, tmp_path):
    """A wholesaler said the export was a sample of their order lines, and the report showed its
    totals as the business's: the report now says so up front and beside the data's figures."""
    doc = reference()
    said = "I think the export is a sample of our order lines"
    doc["data_scope"] = {"whole_base": False, "answer": said}
    out = tmp_path / "out"
    assert cli("render", "--facts", runs[SHOPIFY] / "facts.json", "--strategy", write(tmp_path, doc), "--out", out).code == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    note = "Counts, revenue and per-customer values are this export's, not the business's; shares and rates hold only if the export is a fair sample of whole customers (a sample of rows lowers every customer's orders and spend)."
    first = section(md, "## In short").splitlines()[2]
    assert first == f'- **Not the whole base**: you said "{said}". {note}'
    assert f'| Not the whole base | you said "{said}". {note} |' in section(md, "## The data we used")
    text = html_text((out / "report.html").read_text(encoding="utf-8"))
    assert text.count(f'you said "{said}". {note}') == 2
    bad, _ = unmatched_numbers(md, {"facts": facts_of(runs), "plan": plan_numbers(doc)})
    assert not bad, bad[:5]


@pytest.mark.parametrize("name", list(EXAMPLE_FILES))
def test_every_number_in_the_rendered_report_is_a_fact_or_a_typed_plan_value(rendered, name):
    r = rendered[name]
    values = {"facts": r["facts"], "plan": plan_numbers(r["doc"])}
    md = re.sub(r"\]\([^)]*\)", "]", r["md"])
    bad, checked = unmatched_numbers(md, values)
    assert checked > 100 and not bad, "\n".join(bad[:20])
    bad, _ = unmatched_numbers(html_text(r["html"]), values)
    assert not bad, "\n".join(bad[:20])
    # and the strategy text alone: every number in it is a fact (plan numbers are not text)
    text = "\n".join(resolve(t, r["facts"]) for t in _free_texts(r["doc"]))
    bad, _ = unmatched_numbers(text, r["facts"])
    assert not bad, "\n".join(bad[:20])


def _free_texts(doc):
    from custseg.strategy.validate import IDENTIFIERS, iter_strings

    return [text for _, field, text in iter_strings(doc) if field not in IDENTIFIERS]


def test_render_copies_the_charts_of_the_run(rendered, runs):
    r = rendered[SHOPIFY]
    charts = sorted(p.name for p in (runs[SHOPIFY] / "charts").glob("*.png"))
    assert charts and sorted(p.name for p in (r["dir"] / "charts").glob("*.png")) == charts
    run_md = (runs[SHOPIFY] / "report.md").read_text(encoding="utf-8")
    for link in re.findall(r"!\[[^\]]*\]\(charts/[^)]+\)", run_md):
        assert link in r["md"]
    assert r["html"].count('src="data:image/png;base64,') == len(charts)


def test_render_defaults_to_the_facts_folder(runs, cli, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(runs[SHOPIFY], run)
    res = cli("render", "--facts", run / "facts.json", "--strategy", STRATEGIES / f"{SHOPIFY}.strategy.json")
    assert res.code == 0 and "Wrote report.md and report.html to" in res.out
    md = (run / "report.md").read_text(encoding="utf-8")
    assert "## Migration pathways" in md and "![" in md
    res = cli("render", "--facts", run / "facts.json")  # no strategy: the default playbook again
    assert res.code == 0 and "Default playbook (not tailored to your data)" in (run / "report.md").read_text(encoding="utf-8")


def test_model_text_is_never_compiled(runs, cli, tmp_path):
    hostile = "{{ 7*191 }} <script>alert('x')</script> {% if true %}yes{% endif %} & {{ config }}"
    doc = reference()
    doc["segments"]["champions"]["persona"] = hostile + " {segmentations.rfm.segments.champions.count} of them."
    doc["segments"]["champions"]["display_name"] = "<b>Insiders</b>"
    doc["pathways"][0]["intervention"] = "{{ 6*1111 }} | pipe"
    out = tmp_path / "out"
    res = cli("render", "--facts", runs[SHOPIFY] / "facts.json", "--strategy", write(tmp_path, doc), "--out", out)
    assert res.code == 0, res.out
    md = (out / "report.md").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    count = fmt_count(facts_of(runs)["segmentations"]["rfm"]["segments"]["champions"]["count"])
    assert f"**Persona:** {hostile} {count} of them." in md
    assert "{{ 6*1111 }} \\| pipe" in section(md, "## Migration pathways")
    assert "{{ 7*191 }}" in page and "{{ 6*1111 }}" in page and "{% if true %}yes{% endif %}" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script" not in page
    assert "&lt;b&gt;Insiders&lt;/b&gt;" in page and "<b>Insiders" not in page
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)  # a chart's bytes may hold the digits by chance
    for evaluated in ("1337", "1,337", "6666", "6,666"):  # what the expressions would give
        assert evaluated not in md and evaluated not in text


def test_render_refuses_an_invalid_strategy(runs, cli, tmp_path):
    doc = reference()
    doc["segments"]["champions"]["persona"] = "About 35% of buyers."
    out = tmp_path / "out"
    res = cli("render", "--facts", runs[SHOPIFY] / "facts.json", "--strategy", write(tmp_path, doc), "--out", out)
    assert res.code == 1
    assert res.out.startswith("Not rendered: ") and "segments.champions.persona: '35% of buyers' is a figure in free text" in res.out
    assert not out.exists()


def test_render_refuses_a_budget_above_the_users(runs, cli, tmp_path):
    strategy = write(tmp_path, reference())
    (tmp_path / "intake").mkdir()
    answers = write(tmp_path / "intake", {"Budget and time": "500 USD a month"}, "answers.json")
    out = tmp_path / "out"
    res = cli("render", "--facts", runs[SHOPIFY] / "facts.json", "--strategy", strategy, "--out", out, "--answers", answers)
    assert res.code == 1 and "budget.amount: 3,000 a month is more than the user gave" in res.out, res.out
    assert not out.exists()


# -- the JSON Schema, derived with the standard library, agrees with pydantic -----------------------


def _shape(schema: dict, defs: dict) -> dict:
    """name -> (property names, required) for the top level and every definition."""
    out = {"<top>": (list(schema["properties"]), sorted(schema.get("required", [])))}
    for name, d in defs.items():
        out[name] = (list(d["properties"]), sorted(d.get("required", [])))
    return out


def _types(prop: dict) -> object:
    """The type skeleton of a property: type, enum, items, refs (titles and descriptions ignored)."""
    if "anyOf" in prop:
        return ("anyOf", sorted(json.dumps(_types(p), sort_keys=True) for p in prop["anyOf"]))
    if "allOf" in prop:
        return _types(prop["allOf"][0])
    if "$ref" in prop:
        return ("ref", prop["$ref"].rsplit("/", 1)[-1])
    out = {"type": prop.get("type")}
    if "enum" in prop:
        out["enum"] = sorted(prop["enum"])
    if "items" in prop:
        out["items"] = _types(prop["items"])
    if isinstance(prop.get("additionalProperties"), dict):
        out["values"] = _types(prop["additionalProperties"])
    return out


def test_json_schema_matches_pydantic_field_for_field():
    ours = strategy_json_schema()
    theirs = pydantic.TypeAdapter(StrategyDocument).json_schema()
    assert sorted(ours["$defs"]) == sorted(theirs["$defs"])
    assert _shape(ours, ours["$defs"]) == _shape(theirs, theirs["$defs"])
    for name in ours["$defs"]:
        for prop, spec in ours["$defs"][name]["properties"].items():
            assert _types(spec) == _types(theirs["$defs"][name]["properties"][prop]), f"{name}.{prop}"
    for prop, spec in ours["properties"].items():
        assert _types(spec) == _types(theirs["properties"][prop]), prop
    # every field carries a description the model reads
    for d in [ours, *ours["$defs"].values()]:
        assert all(p.get("description") for p in d["properties"].values())
    json.dumps(ours)  # plain JSON


@pytest.mark.parametrize("name", list(EXAMPLE_FILES))
def test_reference_strategies_are_valid_for_pydantic_too(name):
    doc = pydantic.TypeAdapter(StrategyDocument).validate_python(reference(name))
    assert dataclasses.is_dataclass(doc) and doc.segmentation == "rfm"


def test_schema_is_derived_not_hand_kept():
    schema = strategy_json_schema()
    assert schema["properties"]["segments"]["additionalProperties"] == {"$ref": "#/$defs/SegmentStrategy"}
    assert schema["$defs"]["TargetingCell"]["properties"]["budget_share"]["maximum"] == 1
    assert schema["$defs"]["Frequency"]["properties"]["per"]["enum"] == ["week", "month", "quarter"]
    assert schema["$defs"]["Investment"].get("required") is None
    assert schema["required"] == ["segments", "targeting_matrix", "pathways", "roadmap", "kpis", "review_schedule"]


# -- the tools ---------------------------------------------------------------------------------------


def test_check_and_render_are_registered_tools():
    from custseg.agent.schemas import input_schema

    assert {"check", "render"} <= set(TOOLS)
    check = input_schema(TOOLS["check"])
    assert check["required"] == ["strategy"] and "facts" in check["properties"]
    render = input_schema(TOOLS["render"])
    assert set(render["properties"]) == {"facts", "strategy", "out", "answers"}
    assert {f.name for f in dataclasses.fields(TOOLS["check"].result)} >= {"valid", "problems", "segments", "exit_code"}


def test_phase_three_draft_passes_with_stage_strategy(cli, tmp_path):
    """Roadmap, KPIs, review schedule and automation rules belong to phase 4."""
    out = tmp_path / "run"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--no-charts").code == 0
    doc = json.loads((EXAMPLES / "strategies" / "european_orders.strategy.json").read_text())
    for later in ("roadmap", "kpis", "review_schedule", "automation_rules"):
        doc.pop(later, None)
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(doc))
    final = cli("check", draft, "--facts", out / "facts.json", "--json")
    assert final.code == 1 and {p["path"] for p in final.json()["problems"]} >= {"roadmap", "kpis", "review_schedule"}
    staged = cli("check", draft, "--facts", out / "facts.json", "--stage", "strategy", "--preview", "--json")
    assert staged.code == 0, staged.out
    # Left empty instead of left out: still for later (a trial run was refused for "").
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps(doc | {"review_schedule": "", "roadmap": [], "kpis": []}))
    assert cli("check", empty, "--facts", out / "facts.json", "--stage", "strategy").code == 0
    assert cli("check", empty, "--facts", out / "facts.json").code == 1
    preview = staged.json()["preview"]
    assert set(preview) == {"segments", "targeting_matrix", "pathways"}  # the parts written so far
    assert set(preview["segments"]) == set(doc["segments"]) and len(preview["pathways"]) == len(doc["pathways"])
    for part in preview:
        assert "{segmentations." in json.dumps(doc[part]) or part == "targeting_matrix"
        assert "{segmentations." not in json.dumps(preview[part]), part


def test_offer_terms_hold_plan_numbers_that_text_may_not(cli, tmp_path):
    out = tmp_path / "run"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--no-charts").code == 0
    doc = json.loads((EXAMPLES / "strategies" / "european_orders.strategy.json").read_text())
    key = next(iter(doc["segments"]))
    in_text = json.loads(json.dumps(doc))
    in_text["segments"][key]["offers"] = "a 15% win-back code valid for 14 days"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(in_text))
    res = cli("check", bad, "--facts", out / "facts.json", "--json")
    assert res.code == 1 and any(p["code"] == "figure_in_text" and "offer_terms" in p["message"] for p in res.json()["problems"])
    doc["segments"][key]["offers"] = "a win-back code with a short validity"
    doc["segments"][key]["offer_terms"] = [{"label": "win-back discount", "value": 15, "unit": "percent"}, {"label": "code valid for", "value": 14, "unit": "days"}, {"label": "second-order credit", "value": 5, "unit": "money"}, {"label": "styling call", "value": 30, "unit": "minutes"}]
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc))
    assert cli("check", good, "--facts", out / "facts.json").code == 0
    wrong = json.loads(json.dumps(doc))
    wrong["segments"][key]["offer_terms"] = [{"label": "discount", "value": "fifteen", "unit": "percent"}]
    (tmp_path / "wrong.json").write_text(json.dumps(wrong))
    assert cli("check", tmp_path / "wrong.json", "--facts", out / "facts.json").code == 1
    assert cli("render", "--facts", out / "facts.json", "--strategy", good, "--out", out).code == 0
    report = (out / "report.md").read_text()
    assert "win-back discount: 15%" in report and "code valid for: 14 days" in report
    assert "second-order credit: 5.00 EUR" in report  # money as all money in the report
    assert "styling call: 30 minutes" in report


@pytest.mark.parametrize("weekly, over", [(200, False), (300, True)])
def test_recurring_costs_count_every_period_of_the_roadmap(weekly, over):
    """8 weeks at 1,000 a month allow about 1,846: 200 a week (1,600) fits, 300 a week (2,400) does not."""
    from custseg.strategy.validate import _over_budget

    doc = {
        "budget": {"amount": 1000, "per": "month"},
        "roadmap": [{"phase": "Launch", "weeks": 3}, {"phase": "Run", "weeks": 5}],
        "pathways": [{"investment": {"budget": weekly, "per": "week"}}],
    }
    problems = _over_budget(doc)
    assert bool(problems) == over
    if over:
        assert problems[0].message.startswith("over the roadmap's 8 weeks the pathways' budget comes to 2,400 (in the export's currency), more than the 1,846 (in the export's currency) the budget allows")


@pytest.mark.parametrize("hours_per, over", [("week", False), (None, True)])
def test_hours_can_have_their_own_period(hours_per, over):
    """'2,000 a month and 5 hours a week': over 8 weeks that is 40 hours, which 4 hours a week of
    pathway work (32) fits; read as 5 hours a month (about 9) it would not."""
    from custseg.strategy.validate import _over_budget

    budget = {"amount": 2000, "per": "month", "hours": 5} | ({"hours_per": hours_per} if hours_per else {})
    doc = {"budget": budget, "roadmap": [{"phase": "Run", "weeks": 8}], "pathways": [{"investment": {"hours": 4, "per": "week"}}]}
    assert [p.path for p in _over_budget(doc)] == (["budget.hours"] if over else [])


def test_lifecycle_pathways_move_customers_on_a_stage(runs):
    """Facts list lifecycle stages in time order (onboarding first): moving on a stage is the
    aim, so onboarding -> adopting is upward and anything -> lapsed is downward. The log's
    cancellations add Churned after Lapsed."""
    facts = facts_of(runs, "product_events")
    order = facts["segmentations"]["lifecycle"]["order"]
    assert order[0] == "onboarding" and order[-2:] == ["lapsed", "churned"]
    doc = reference("product_events")
    segs = list(doc["segments"].values())
    doc["segmentation"] = "lifecycle"
    doc["segments"] = {k: {f: v for f, v in segs[i % len(segs)].items() if f != "display_name"} for i, k in enumerate(order[:4])}
    for item in doc["targeting_matrix"] + doc["kpis"] + doc["automation_rules"]:
        item["segment"] = order[0]
    doc["kpis"] = [{"segment": k, "metric": "pct_customers", "baseline": f"{{segmentations.lifecycle.segments.{k}.pct_customers}}", "target": 0.2, "review": "monthly"} for k in order[:4]]

    def moves(start, end):
        for p in doc["pathways"]:
            p["from_segment"], p["to_segment"] = start, end
            p["success_metric"] = {"metric": "pct_customers", "target": 0.3}
        return {p.code for p in validate(doc, facts) if p.code in ("pathway_downward", "pathway_impossible")}

    assert moves("onboarding", "adopting") == set()
    assert moves("lapsed", "established") == set()
    assert moves("mature", "lapsed") == {"pathway_downward"}
    # back in tenure is downward too, but the one problem said is that tenure never falls
    assert moves("adopting", "onboarding") == {"pathway_impossible"}


def test_a_crm_lifecycle_ranks_churned_last_and_leaves_live_accounts_uncapped(runs):
    """A CRM table's status adds a Churned stage after Lapsed: leaving it is upward, entering
    it downward; its live accounts are never lapsed, so an established account can have an
    old last order and a trigger on one is not refused."""
    facts = facts_of(runs, "crm_customers")
    assert facts["segmentations"]["lifecycle"]["order"][-2:] == ["lapsed", "churned"]

    def codes(start, end, trigger=None):
        return {p.code for p in _segment_problems(facts, "lifecycle", start, end, trigger)}

    assert "pathway_downward" not in codes("churned", "mature") | codes("lapsed", "mature") | codes("churned", "lapsed")
    assert "pathway_downward" in codes("mature", "churned") and "pathway_downward" in codes("lapsed", "churned")
    assert "trigger_outside_segment" not in codes("established", "mature", {"metric": "recency_days", "operator": ">", "value": 180})


def test_rules_on_other_segmentations_name_the_key_the_crm_file_carries(runs):
    """segments_generic.csv carries behavioral segments as keys (its behavior column: regular),
    so a rule written against the name 'Regular Users', or a display name, matches nobody."""
    doc, facts = _behavioral(runs)
    doc["automation_rules"] = [{"segment": "regular", "crm": "Braze", "rule": "When a user's behavior is Regular Users, send the weekly digest."}]
    (p,) = [p for p in validate(doc, facts) if p.code == "rule_display_name"]
    assert "'Regular Users' names the segment the CRM files label 'regular'" in p.message
    doc["automation_rules"][0]["rule"] = "When a user's behavior is regular, send the weekly digest."
    assert not [p for p in validate(doc, facts) if p.code == "rule_display_name"]


def test_a_usage_plan_counts_users_not_customers():
    kpis = {"kpis": [{"segment": "power", "metric": "count", "target": 30}, {"segment": "power", "metric": "pct_customers", "target": 0.1}]}
    assert [k["metric"] for k in _plan(kpis, str, None, activity=True)["kpis"]] == ["users", "share of users"]
    assert [k["metric"] for k in _plan(kpis, str, None)["kpis"]] == ["customers", "share of customers"]


def test_a_rate_at_its_limit_on_activity_speaks_of_activity(runs):
    doc, facts = _behavioral(runs)
    seg = facts["segmentations"]["behavioral"]
    key = next(k for k in seg["order"] if seg["segments"][k]["count"] and seg["segments"][k]["repeat_rate"] == 1)
    kpi = {"segment": key, "metric": "repeat_rate", "baseline": f"{{segmentations.behavioral.segments.{key}.repeat_rate}}", "target": 0.9, "review": "monthly"}
    (p,) = _kpi_problems(doc, facts, kpi)
    assert p.code == "kpi_at_limit" and "been active on more than one day" in p.message and "bought" not in p.message
    name = seg["segments"][key]["name"]
    assert f"(everyone in {name} has already been active" in p.message and "its spend" not in p.message and "active_days_30" in p.message


@pytest.mark.parametrize("text, figure", [("Around 209 shops reorder every quarter.", "209 shops"), ("About 9 in 10 top accounts reorder.", "9 in 10"), ("Roughly 3 out of 4 stores come back.", "3 out of 4")])
def test_counts_of_shops_and_ratios_in_digits_are_figures(runs, text, figure):
    """A trial's persona passed with 'Around 209 shops' and 'about 9 in 10 top accounts'."""
    doc = _append_persona("loyal", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"]
    assert len(problems) == 1 and f"'{figure}" in problems[0].message


def test_a_usage_plan_triggers_on_activity(runs):
    """A plan on the behavioral segments moves users by how active they are: days since the
    last event and active days in the last 30, not purchase columns empty for non-buyers."""
    doc, facts = _behavioral(runs)
    for p in doc["pathways"]:
        p["trigger"] = {"metric": "days_since_active", "operator": ">", "value": 14}
        p["success_metric"] = {"metric": "active_days_30", "target": 4}
    codes = [p.code for p in validate(doc, facts)]
    assert "unknown_metric" not in codes
    shop = reference()
    shop["pathways"][0]["trigger"] = {"metric": "active_days_30", "operator": "<", "value": 2}
    assert "unknown_metric" in [p.code for p in validate(shop, facts_of(runs))]  # a store's export has no activity


def test_usage_kpis_compare_with_the_segments_own_usage(runs):
    """facts hold each behavioral segment's mean active days in the last 30 and median days
    since the last event: a usage KPI's baseline; a count of users is not one."""
    doc, facts = _behavioral(runs)
    seg = facts["segmentations"]["behavioral"]["segments"]["regular"]
    assert seg["active_days_30"] is not None and seg["days_since_active"] is not None
    kpi = {"segment": "regular", "metric": "active_days_30", "baseline": "{segmentations.behavioral.segments.regular.active_days_30}", "target": seg["active_days_30"] + 1, "review": "monthly"}
    assert _kpi_problems(doc, facts, dict(kpi)) == []
    assert [p.code for p in _kpi_problems(doc, facts, kpi | {"target": seg["active_days_30"] - 1})] == ["kpi_target_backwards"]
    assert [p.code for p in _kpi_problems(doc, facts, kpi | {"baseline": "{segmentations.behavioral.segments.regular.count}"})] == ["baseline_other_metric"]
    recent = {"segment": "regular", "metric": "days_since_active", "baseline": "{segmentations.behavioral.segments.regular.days_since_active}", "target": seg["days_since_active"] + 5, "review": "monthly"}
    assert [p.code for p in _kpi_problems(doc, facts, recent)] == ["kpi_target_backwards"]


# -- pathways against the segment definitions ---------------------------------------------------------


def _pathway_problems(doc, facts, code, index=0, **fields) -> list:
    """The ``code`` problems of pathways[index] with ``fields`` set (the rest of it kept)."""
    doc["pathways"][index].update(fields)
    return [p for p in validate(doc, facts) if p.code == code and p.path.startswith(f"pathways[{index}].")]


# (pathway of the Shopify reference, its trigger, a success target on the trigger's metric, refused?):
# the target must leave the side of the threshold the trigger takes customers from, or stay on the side it takes them to
TRIGGER_TARGETS = [
    (0, {"metric": "recency_days", "operator": ">=", "value": 21}, 30, True),  # still meets the trigger
    (0, {"metric": "recency_days", "operator": ">=", "value": 21}, 21, True),
    (0, {"metric": "recency_days", "operator": ">=", "value": 21}, 18, False),  # above New's median, but progress for who entered
    (0, {"metric": "recency_days", "operator": "<=", "value": 7}, 10, True),  # falls behind the recent buyers it took in
    (0, {"metric": "recency_days", "operator": "<=", "value": 7}, 5, False),
    (2, {"metric": "purchase_days", "operator": ">=", "value": 4}, 3, True),
    (2, {"metric": "purchase_days", "operator": ">=", "value": 4}, 4, False),
    (2, {"metric": "purchase_days", "operator": ">", "value": 4}, 4, True),
    (1, {"metric": "purchase_days", "operator": "==", "value": 2}, 2, True),  # no move at all
    (1, {"metric": "purchase_days", "operator": "==", "value": 2}, 1, True),
    (1, {"metric": "purchase_days", "operator": "==", "value": 2}, 3, False),  # the reference's own pathway
]


@pytest.mark.parametrize("index, trigger, target, refused", TRIGGER_TARGETS, ids=[f"{t['metric']}{t['operator']}{t['value']:g}-to-{g:g}" for _, t, g, _ in TRIGGER_TARGETS])
def test_a_pathway_target_moves_away_from_its_trigger(runs, index, trigger, target, refused):
    facts = facts_of(runs)
    assert facts["segmentations"]["rfm"]["segments"]["new"]["median_recency_days"] < 18
    success = {"metric": trigger["metric"], "target": target}
    problems = _pathway_problems(reference(), facts, "pathway_target_backwards", index, trigger=trigger, success_metric=success)
    assert [p.path for p in problems] == ([f"pathways[{index}].success_metric.target"] if refused else []), problems
    if refused:
        assert f"the trigger that brought them in ({trigger['metric']} {trigger['operator']} {trigger['value']:g})" in problems[0].message


def test_a_pathway_target_starts_where_its_segment_is(runs):
    """Without a trigger on the same metric, the from-segment's own figure is where the pathway starts."""
    facts = facts_of(runs)
    new = facts["segmentations"]["rfm"]["segments"]["new"]
    (p,) = _pathway_problems(reference(), facts, "pathway_target_backwards", success_metric={"metric": "next_repeat_rate", "target": 0.2})
    assert "{segmentations.rfm.segments.new.next_repeat_rate}" in p.message and f"the target should be at or above {new['next_repeat_rate']:g}" in p.message
    assert _pathway_problems(reference(), facts, "pathway_target_backwards", success_metric={"metric": "next_repeat_rate", "target": new["next_repeat_rate"]}) == []
    # lower is better for days since the last purchase; a segment's size has no direction of its own
    (p,) = _pathway_problems(reference(), facts, "pathway_target_backwards", success_metric={"metric": "median_recency_days", "target": new["median_recency_days"] + 10})
    assert "the target should be at or below" in p.message
    assert _pathway_problems(reference(), facts, "pathway_target_backwards", success_metric={"metric": "count", "target": 1}) == []
    # on usage: days since the last event, against the occasional users' median
    doc, facts = _behavioral(runs)
    occasional = facts["segmentations"]["behavioral"]["segments"]["occasional"]["days_since_active"]
    fields = {"from_segment": "occasional", "to_segment": "regular", "trigger": {"metric": "active_days_30", "operator": ">=", "value": 2}}
    (p,) = _pathway_problems(doc, facts, "pathway_target_backwards", success_metric={"metric": "days_since_active", "target": occasional + 9}, **fields)
    assert "{segmentations.behavioral.segments.occasional.days_since_active}" in p.message
    assert _pathway_problems(doc, facts, "pathway_target_backwards", success_metric={"metric": "days_since_active", "target": occasional - 4}, **fields) == []


# (segmentation, from segment, trigger, refused?): behavioral facts are the event log's, the rest Shopify's
SEGMENT_TRIGGERS = [
    ("behavioral", "occasional", ("active_days_30", ">=", 12), True),  # occasional users are active on 1-3 days
    ("behavioral", "occasional", ("active_days_30", ">=", 3), False),
    ("behavioral", "occasional", ("days_since_active", ">", 30), True),  # they were active within the 30 days
    ("behavioral", "inactive", ("days_since_active", "<", 14), True),
    ("behavioral", "inactive", ("days_since_active", ">=", 60), False),
    ("rfm", "at_risk", ("recency_days", "<", 60), True),  # At Risk is recency score 2: 91-180 days
    ("rfm", "at_risk", ("recency_days", ">=", 120), False),
    ("rfm", "new", ("purchase_days", ">=", 2), True),  # New bought on one day
    ("rfm", "needs_attention", ("r_score", "<=", 2), True),  # the catch-all: recency 1-2 went to At Risk or Dormant first
    ("rfm", "needs_attention", ("purchase_days", "==", 2), False),
    ("rfm", "dormant", ("recency_days", ">=", 365), False),
    ("lifecycle", "onboarding", ("tenure_days", ">=", 60), True),
    ("lifecycle", "lapsed", ("recency_days", "<", 100), True),
    ("lifecycle", "established", ("recency_days", ">", 180), True),  # lapsed is checked first
    ("lifecycle", "mature", ("tenure_days", ">=", 400), False),
    ("value", "low", ("monetary_total", ">", 500), True),
    ("value", "high", ("monetary_total", ">", 500), False),
    ("health", "thriving", ("health_score", "<", 50), True),
    ("health", "neutral", ("health_score", "<", 50), False),
]


def _segment_problems(facts, segmentation, start, end, trigger=None) -> list:
    """The problems of a plan holding one pathway (the other parts of the plan are not looked at)."""
    pathway = {"from_segment": start, "to_segment": end} | ({"trigger": trigger} if trigger else {})
    return [p for p in validate({"segmentation": segmentation, "pathways": [pathway]}, facts) if p.path.startswith("pathways[0].")]


@pytest.mark.parametrize("segmentation, start, trigger, refused", SEGMENT_TRIGGERS, ids=[f"{s[1]}-{''.join(map(str, s[2]))}" for s in SEGMENT_TRIGGERS])
def test_a_trigger_is_one_the_segments_customers_can_meet(runs, segmentation, start, trigger, refused):
    facts = facts_of(runs, "product_events" if segmentation == "behavioral" else SHOPIFY)
    top = facts["segmentations"][segmentation]["order"][0]
    metric, op, value = trigger
    problems = [p for p in _segment_problems(facts, segmentation, start, top, {"metric": metric, "operator": op, "value": value}) if p.code == "trigger_outside_segment"]
    assert [p.path for p in problems] == (["pathways[0].trigger.value"] if refused else []), problems


def test_a_trigger_outside_the_segment_says_where_its_customers_are(runs):
    facts = facts_of(runs, "product_events")
    (p,) = [p for p in _segment_problems(facts, "behavioral", "occasional", "regular", {"metric": "active_days_30", "operator": ">=", "value": 12}) if p.code == "trigger_outside_segment"]
    assert p.message.startswith("no customer of 'occasional' can have active_days_30 >= 12: by its definition ('a few times a month or less') they have active_days_30 from 1 to 3")
    assert p.message.endswith("set a threshold within that range; customers with active_days_30 >= 12 are in power")


# (segmentation, from, to, impossible?): on Shopify's facts (purchases)
MOVES = [
    ("rfm", "needs_attention", "new", True),  # New bought once, recently: a returning customer has two purchase days
    ("rfm", "dormant", "new", True),
    ("rfm", "at_risk", "new", True),
    ("rfm", "new", "loyal", False),
    ("rfm", "dormant", "needs_attention", False),
    ("rfm", "dormant", "at_risk", False),
    ("lifecycle", "lapsed", "onboarding", True),  # a lapsed customer first bought 181+ days ago
    ("lifecycle", "lapsed", "adopting", True),
    ("lifecycle", "lapsed", "established", False),
    ("lifecycle", "adopting", "onboarding", True),  # tenure never falls (downward too: one problem is said)
    ("lifecycle", "onboarding", "adopting", False),
]


@pytest.mark.parametrize("segmentation, start, end, impossible", MOVES, ids=[f"{s[1]}-to-{s[2]}" for s in MOVES])
def test_a_pathway_is_a_move_the_segmentation_can_make(runs, segmentation, start, end, impossible):
    codes = [p.code for p in _segment_problems(facts_of(runs), segmentation, start, end) if p.path == "pathways[0].to_segment"]
    assert codes == (["pathway_impossible"] if impossible else [])  # the possible moves here all lead up


def test_an_impossible_pathway_names_the_segments_it_can_reach(runs):
    (p,) = [p for p in _segment_problems(facts_of(runs), "rfm", "needs_attention", "new") if p.code == "pathway_impossible"]
    assert "purchase days never fall" in p.message
    assert p.message.endswith("aim the pathway at a better segment they can reach: champions, loyal")


def test_a_users_own_rule_table_bounds_its_segments(cli, tmp_path):
    """Keys the tools do not know: the ranges come from the rules in facts.json, and the
    catch-all holds what the rules before it leave (recency 3-5 on 2-4 purchase days here)."""
    rules = write(tmp_path, {"segments": [
        {"key": "vip", "name": "VIP", "when": {"r": [3, 5], "f": [4, 5]}},
        {"key": "first_timers", "name": "First-Timers", "when": {"r": [3, 5], "f": [1, 1]}},
        {"key": "gone", "name": "Gone", "when": {"r": [1, 2]}},
        {"key": "regulars", "name": "Regulars"},
    ]}, "rules.json")
    out = tmp_path / "run"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--rules", rules, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["segmentations"]["rfm"]["order"] == ["vip", "first_timers", "gone", "regulars"]

    def codes(start, end, trigger=None):
        return [p.code for p in _segment_problems(facts, "rfm", start, end, trigger) if p.code in ("pathway_impossible", "trigger_outside_segment")]

    assert codes("regulars", "first_timers") == ["pathway_impossible"]
    assert codes("gone", "first_timers") == ["pathway_impossible"]
    assert codes("first_timers", "regulars") == [] and codes("gone", "regulars") == []
    assert codes("regulars", "vip", {"metric": "purchase_days", "operator": ">=", "value": 5}) == ["trigger_outside_segment"]
    assert codes("regulars", "vip", {"metric": "purchase_days", "operator": ">=", "value": 4}) == []


# -- usage plans --------------------------------------------------------------------------------------


def test_a_usage_plan_measures_usage(runs):
    doc, facts = _behavioral(runs)
    doc["kpis"][0]["metric"] = "monetary_total"
    doc["pathways"][0]["trigger"] = {"metric": "recency_days", "operator": ">=", "value": 14}
    problems = {p.path: p.message for p in validate(doc, facts) if p.code == "purchase_metric_in_usage_plan"}
    assert set(problems) == {"kpis[0].metric", "pathways[0].trigger.metric"}
    assert "use days_since_active (days since the last event)" in problems["pathways[0].trigger.metric"]
    assert "use active_days_30 (active days in the last 30), with the baseline {segmentations.behavioral.segments.power.active_days_30}" in problems["kpis[0].metric"]
    # the log's RFM plan is about its buyers: purchase metrics are its own
    assert not [p for p in validate(reference("product_events"), facts) if p.code == "purchase_metric_in_usage_plan"]


@pytest.mark.parametrize(
    "text, refused",
    [
        ("When segment_name is power, route chats to the priority inbox.", True),
        ("When the Segment field is power, route chats to the priority inbox.", True),
        ("Filter on customer_segment equal to power and route chats to the priority inbox.", True),
        ("When behavior is power, route chats to the priority inbox.", False),
        ("When the behavior segment field is power, route chats to the priority inbox.", False),
    ],
)
def test_rules_for_usage_groups_key_on_the_behavior_column(runs, text, refused):
    doc, facts = _behavioral(runs)
    doc["automation_rules"][0]["rule"] = text
    codes = [p.code for p in validate(doc, facts) if p.path == "automation_rules[0].rule"]
    assert codes == (["rule_wrong_column"] if refused else [])
    shop = reference()  # an RFM plan keys on the segment field: its own segments
    shop["automation_rules"][0]["rule"] = text.replace("power", "New")
    assert not [p for p in validate(shop, facts_of(runs)) if p.code == "rule_wrong_column"]


def test_only_the_behavior_column_carries_usage_groups(runs):
    """What rule_wrong_column rests on: segment and segment_name hold the RFM segment."""
    import csv

    seg = facts_of(runs, "product_events")["segmentations"]["behavioral"]
    usage = set(seg["order"]) | {s["name"] for s in seg["segments"].values()}
    for name in ("customers.csv", "exports/segments_generic.csv"):
        with open(runs["product_events"] / name, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert {r["behavior"] for r in rows} == {k for k in seg["order"] if seg["segments"][k]["count"]}, name
        assert not ({r["segment"] for r in rows} | {r["segment_name"] for r in rows}) & usage, name


def test_a_figure_hint_never_points_at_another_segments_fact():
    """'2x' in the Loyal strategy equal by chance to the catch-all's 2 purchase days, or a
    Champions goal equal to the needs_attention -> loyal move's rate, is not a fact to cite there;
    the segment's own figure, or one about the whole data, is."""
    from custseg.strategy.validate import _matching_fact

    keys = {
        "segmentations.rfm.segments.needs_attention.avg_purchase_days": 2,
        "segmentations.rfm.segments.loyal.count": 40,
        "segmentations.rfm.segments.champions.count": 12,
        "segmentations.rfm.opportunities.needs_attention_to_loyal.historical_rate": 0.05,
        "segmentations.rfm.opportunities.loyal_to_champions.historical_rate": 0.12,
    }
    assert _matching_fact("2", keys, "segmentations.rfm.segments.loyal.") is None
    assert _matching_fact("5%", keys, "segmentations.rfm.segments.champions.") is None
    assert _matching_fact("12%", keys, "segmentations.rfm.segments.champions.") == "segmentations.rfm.opportunities.loyal_to_champions.historical_rate"
    assert _matching_fact("2", keys | {"data.orders": 2}, "segmentations.rfm.segments.loyal.") == "data.orders"
    assert _matching_fact("40", keys, "segmentations.rfm.segments.loyal.") == "segmentations.rfm.segments.loyal.count"


def test_mrr_facts_are_cited_and_checked_like_any_other(runs):
    """A CRM table's MRR per segment (here the health bands': the MRR at risk) resolves as
    money, is a metric a KPI may measure, and a KPI on it is held to the ranking like a
    segment's size: a critical band's MRR should fall, the thriving band's rise. A typed
    copy of the figure in free text is refused like any other."""
    facts = facts_of(runs, "crm_customers")
    critical = facts["segmentations"]["health"]["segments"]["critical"]
    currency = facts["data"]["currency"]
    assert critical["mrr"] > 0 and facts["segmentations"]["health"]["order"][-1] == "critical"
    assert resolve("{segmentations.health.segments.critical.mrr}", facts) == fmt_money(critical["mrr"], currency)
    assert resolve("{segmentations.health.segments.critical.mrr_share}", facts) == fmt_pct(critical["mrr_share"])
    assert resolve("{data.mrr_total}", facts) == fmt_money(facts["data"]["mrr_total"], currency)
    with pytest.raises(UnknownFactError):
        resolve("{segmentations.health.segments.critical.mrrr}", facts)

    def kpi_codes(segment, metric, target, baseline=None):
        kpi = {"segment": segment, "metric": metric, "baseline": baseline or f"{{segmentations.health.segments.{segment}.{metric}}}", "target": target, "review": "monthly"}
        return [p.code for p in validate({"segmentation": "health", "kpis": [kpi]}, facts) if p.path.startswith("kpis[0]")]

    assert kpi_codes("critical", "mrr", critical["mrr"] * 1.5) == ["kpi_target_backwards"]
    assert kpi_codes("critical", "mrr", critical["mrr"] * 0.5) == []
    assert kpi_codes("critical", "mrr_share", critical["mrr_share"] + 0.05) == ["kpi_target_backwards"]
    thriving = facts["segmentations"]["health"]["segments"]["thriving"]
    assert kpi_codes("thriving", "mrr", thriving["mrr"] * 0.5) == ["kpi_target_backwards"]
    assert kpi_codes("thriving", "mrr", thriving["mrr"] * 1.2) == []
    # a count KPI whose baseline cites the MRR: another kind of fact
    assert kpi_codes("critical", "count", 100, "{segmentations.health.segments.critical.mrr}") == ["baseline_other_metric"]
    # the figure typed in a persona instead of cited
    doc = {"segmentation": "health", "segments": {"critical": {"persona": f"These accounts pay {fmt_money(critical['mrr'], currency)} a month."}}}
    assert "figure_in_text" in {p.code for p in validate(doc, facts) if p.path.startswith("segments.critical")}


def test_the_strategy_brief_asks_for_the_verdicts_on_the_users_hunches_and_the_data_scope(runs, cli, tmp_path):
    """Two trials' intake answers went nowhere: the hunches and 'I think the export is a sample'.
    The strategy brief quotes both and says where in strategy.json they go."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    hunch, scope = "most of our best shops only buy before Christmas", "I think the export is a sample of our order lines"
    brief = render_brief("strategy", facts, {"Goal": "more repeat orders", "Data": scope, "Hypotheses": hunch})
    assert f'At intake the user gave these hunches: "{hunch}". Put each into strategy.json\'s `hypotheses`' in brief
    assert "the segments' `seasonality` facts above" in brief and "Your hunches, checked" in brief
    assert f'the user said: "{scope}". Record that as strategy.json\'s `data_scope`' in brief
    assert "word the personas and the plan in shares and rates" in brief
    quiet = render_brief("strategy", facts, {"Hypotheses": "none"})
    assert "If the user gave hunches at intake (their Hypotheses answer), put each" in quiet and "At intake the user gave" not in quiet
    # check.py's preview gives the verdicts with their facts filled in, to present them in words
    res = cli("check", write(tmp_path, reference()), "--facts", runs[SHOPIFY] / "facts.json", "--stage", "strategy", "--preview", "--json")
    preview = res.json()["preview"]["hypotheses"]
    assert [h["verdict"] for h in preview] == [h["verdict"] for h in reference()["hypotheses"]]
    assert preview[1]["evidence"] == resolve(reference()["hypotheses"][1]["evidence"], facts) and "{segmentations." not in json.dumps(preview)


def test_the_period_is_written_as_the_strategy_brief_says(runs):
    """The brief tells Claude to write sized amounts 'every {period_days}': check.py takes that,
    and refuses the period typed out."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    assert "every `{period_days}`" in render_brief("strategy", facts)
    doc = reference()
    move = f"{doc['pathways'][0]['from_segment']}_to_{doc['pathways'][0]['to_segment']}"  # the pathway's own move (another's reads as its own)
    assert move in {f"{o['from_segment']}_to_{o['to_segment']}" for o in facts["segmentations"]["rfm"]["opportunities"]}
    ref = f"{{segmentations.rfm.opportunities.{move}.expected_revenue}}"
    doc["pathways"][0]["expected_outcome"] = f"{ref} every {{period_days}} at last period's rate."
    assert [p for p in validate(doc, facts) if p.path == "pathways[0].expected_outcome"] == []
    doc["pathways"][0]["expected_outcome"] = f"{ref} every {facts['period_days']} days at last period's rate."
    assert [p.code for p in validate(doc, facts) if p.path == "pathways[0].expected_outcome"] == ["figure_in_text"]


def test_a_product_name_with_a_ratio_is_not_a_figure(runs):
    facts = facts_of(runs)
    doc = _append_persona("loyal", "They book 1:1 sessions and use the 24/7 members' chat.")(reference())
    assert [p for p in validate(doc, facts) if p.code == "figure_in_text"] == []
    doc = _append_persona("loyal", "They book 3 sessions a month.")(reference())
    assert [p.code for p in validate(doc, facts) if p.path == "segments.loyal.persona"] == ["figure_in_text"]


def test_plan_numbers_in_an_intervention_get_a_plan_hint_not_a_chance_fact(runs):
    """'A 3-email flow over 2 weeks' counts the plan's steps: the message says where plan numbers
    go instead of naming a fact that happens to equal 3; a data figure in a pathway is matched
    to the pathway's own from-segment, never to a fact with no value."""
    facts = facts_of(runs)
    doc = reference()
    doc["pathways"][0]["intervention"] = "A 3-email flow over 2 weeks, then 15% off."
    problems = [p for p in validate(doc, facts) if p.path == "pathways[0].intervention"]
    assert [p.message.split("'")[1] for p in problems] == ["3-email", "2 weeks", "15% off"]
    assert all("is a plan number in free text" in p.message and "{" not in p.message for p in problems)
    doc["pathways"][0]["intervention"] = "They spent 900 USD each, so call them."
    (p,) = [p for p in validate(doc, facts) if p.path == "pathways[0].intervention"]
    frm = doc["pathways"][0]["from_segment"]
    key = re.search(r"\{([^}]+)\}", p.message).group(1)
    assert key.startswith(f"segmentations.rfm.segments.{frm}.") or facts["segmentations"]["rfm"]["segments"][frm]["avg_value"] is None
    value = facts
    for part in key.split("."):
        value = value[part]
    assert value is not None


def test_a_share_of_revenue_in_words_points_at_the_revenue_share(runs):
    facts = facts_of(runs)
    doc = _append_persona("loyal", "They bring three quarters of revenue.")(reference())
    (p,) = [p for p in validate(doc, facts) if p.path == "segments.loyal.persona"]
    assert "{segmentations.rfm.segments.loyal.revenue_share}" in p.message
    doc = _append_persona("loyal", "Three quarters of them live in cities.")(reference())
    (p,) = [p for p in validate(doc, facts) if p.path == "segments.loyal.persona"]
    assert "{segmentations.rfm.segments.loyal.pct_customers}" in p.message


def test_rules_on_segment_name_use_the_name_and_on_segment_the_key(runs):
    facts = facts_of(runs)
    for text, refused in (("When segment_name is dormant, start the win-back.", True), ("When segment_name is 'Dormant', start the win-back.", False), ("When segment is dormant, start the win-back.", False)):
        doc = _set("automation_rules[1]", {"segment": "dormant", "crm": "Customer.io", "rule": text})(reference())
        codes = [p.code for p in validate(doc, facts)]
        assert ("rule_key_for_email_tool" in codes) is refused, (text, codes)


def test_a_fact_keeps_its_own_unit(runs):
    """A reference followed by a unit of its own kind passes (the renderer drops the doubled
    unit); one of another kind is refused."""
    facts = facts_of(runs)
    base = "segmentations.rfm.segments.loyal"
    for text, refused in (
        (f"Last bought {{{base}.median_recency_days}} days ago.", False),
        (f"They bought on {{{base}.avg_purchase_days}} days.", False),
        (f"They spend {{{base}.avg_value}} USD.", False),
        (f"{{{base}.repeat_rate}} % came back.", False),
        (f"They wait {{{base}.count}} days.", True),
        (f"They spend {{{base}.repeat_rate}} USD.", True),
        (f"{{{base}.avg_value}}% of them came back.", True),
        (f"They came back after a median {{{base}.median_recency_days}} weeks.", True),  # a trial: '54 days weeks'
        (f"They last bought {{{base}.median_gap_days}} months apart.", True),
        (f"They bought on {{{base}.avg_purchase_days}} weeks.", True),
        (f"They are active every {{{base}.median_gap_days}} days.", False),
    ):
        doc = _append_persona("loyal", text)(reference())
        codes = [p.code for p in validate(doc, facts)]
        assert ("fact_unit_mismatch" in codes) is refused, (text, codes)


@pytest.mark.parametrize(
    "crm, text, missing",
    [
        ("Klaviyo", "When recency_days passes 60, start the win-back flow.", "recency_days"),
        ("Klaviyo", "When value_tier is the top tier and the Segment is At Risk, start the flow.", None),  # Klaviyo's Value Tier
        ("Klaviyo", "When health_score falls below 40, alert the owner.", "health_score"),  # in segments_generic.csv only
        ("Customer.io", "When health_score falls below 40, alert the owner.", None),
        ("Customer.io", "When last_email_opened is older than 30 days, pause the campaign.", None),  # the CRM's own attribute
        ("Customer.io", "When last_purchase is older than 90 days, start the win-back campaign.", None),  # a date the CRM counts from
        ("Customer.io", "When recency_days passes 90, start the win-back campaign.", "recency_days"),
        ("Customer.io", "When repeat_rate drops, alert the owner.", "repeat_rate"),
        ("HubSpot", "When customer_segment is At Risk, create a task.", None),
        ("Mailchimp", "When a contact's Value Tier is High Value, send the preview.", "Value Tier"),  # a column of klaviyo.csv only
        ("HubSpot", "When the health band of an At Risk contact turns critical, create a task.", "health band"),  # segments_generic.csv's health_band
        ("Klaviyo", "When the Value Tier of an At Risk contact is High Value, start the flow.", None),
        ("Mailchimp", "When a contact's lead score passes the threshold, send the preview.", None),  # the CRM's own, in no file
        ("Klaviyo", "Send the restock texts only to profiles with SMS consent.", None),  # Klaviyo keeps SMS consent itself
        ("HubSpot", "Text only contacts whose sms_consent is yes.", "sms_consent"),  # segments_generic.csv's
        # the last purchase day: each file's own date column, which the tool counts days from
        ("Klaviyo", "When Last Purchase is more than 60 days ago, start the win-back flow.", None),
        ("Klaviyo", "When a profile's last purchase is more than 60 days ago, start the win-back flow.", None),
        ("HubSpot", "When last_purchase_date is more than 60 days ago, enrol them in the win-back sequence.", None),
        ("HubSpot", "When recency_days passes 60, enrol them in the win-back sequence.", "recency_days"),
        ("HubSpot", "When Last Purchase is more than 60 days ago, enrol them in the win-back sequence.", "Last Purchase"),  # Klaviyo's name
        ("Klaviyo", "When last_purchase_date is more than 60 days ago, start the win-back flow.", "last_purchase_date"),  # HubSpot's
        ("Mailchimp", "When last_purchase is more than 60 days ago, send the win-back email.", "last_purchase"),  # tags only
        ("Mailchimp", "When recency_days passes 60, send the win-back email.", "recency_days"),
        # a one-word field of a condition, named like a segmentation or a column of ours (a trial's Klaviyo rule)
        ("Klaviyo", "When Health equals Critical and Holdout is not true, enter the win-back flow.", "Health"),
        ("Klaviyo", "When Value equals High Value and Holdout is not true, start the preview flow.", "Value"),
        ("HubSpot", "When Segment is At Risk and holdout is not true, create a task.", "Segment"),
        ("Mailchimp", "Saved segment: tagged At Risk and Holdout is not true; send the win-back email.", "Holdout"),
        ("Customer.io", "When Health equals Critical and holdout is false, start the campaign.", "Health"),
        ("Klaviyo", "When Lifecycle equals Lapsed and Holdout is not true, start the flow.", None),  # klaviyo.csv's Lifecycle
        ("Klaviyo", "When Country equals US and Holdout is not true, start the flow.", None),  # Klaviyo's own property
    ],
)
def test_a_rule_filters_on_the_columns_its_tool_imports(runs, crm, text, missing):
    doc = reference()
    doc["automation_rules"][1].update({"crm": crm, "rule": text})
    problems = [p for p in validate(doc, facts_of(runs)) if p.path == "automation_rules[1].rule" and p.code.startswith("rule_")]  # not the figures
    assert [p.code for p in problems] == (["rule_column_not_in_file"] if missing else [])
    if missing:
        assert f"'{missing}' is not a column of" in problems[0].message
        file = {"Klaviyo": "klaviyo.csv", "HubSpot": "hubspot.csv", "Mailchimp": "mailchimp.csv"}.get(crm, "segments_generic.csv")
        assert f"of {file}, the file {crm} imports" in problems[0].message
    if missing in ("health_score", "health band"):
        assert "(it is in segments_generic.csv)" in problems[0].message
    if missing == "Value Tier":
        assert "(it is in klaviyo.csv)" in problems[0].message
    date = {"Klaviyo": "Last Purchase", "HubSpot": "last_purchase_date", "Customer.io": "last_purchase"}.get(crm)
    if missing in ("recency_days", "last_purchase", "Last Purchase", "last_purchase_date"):  # the date the tool's own file has, if any
        if date:
            assert f"filter on {date}, a date the CRM counts days from ('{date} is more than 60 days ago'" in problems[0].message
        else:
            assert "a date the CRM counts days from" not in problems[0].message and "use that file's columns (Email Address, Tags, Pseudonymous ID)" in problems[0].message
    if missing == "repeat_rate":
        assert "it is a figure of a whole segment in facts.json, not of a customer" in problems[0].message
    if missing == "Health":
        assert ("key it on health_band" if crm == "Customer.io" else "it carries no health bands (segments_generic.csv's health_band does)") in problems[0].message
    if missing in ("Value", "Segment"):
        assert {"Value": "key it on Value Tier", "Segment": "key it on customer_segment"}[missing] in problems[0].message
    if missing == "Holdout":
        assert "('does not have the tag Holdout')" in problems[0].message


def test_a_rule_on_customer_id_is_told_the_files_id_is_a_pseudonym(runs):
    """A CDNOW trial keyed a Mailchimp route on 'Customer ID' and was told it 'is in
    segments_generic.csv', whose customer_id is this tool's pseudonymous id, not theirs."""
    doc = reference()
    doc["automation_rules"][1].update({"crm": "Mailchimp", "rule": "Match contacts on Customer ID, then tag them for the win-back flow."})
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.path == "automation_rules[1].rule"]
    assert p.code == "rule_column_not_in_file"
    assert "segments_generic.csv's customer_id is this tool's pseudonymous id, not the user's customer id (the id the export knew them by is its source_id)" in p.message


def test_a_rule_may_not_use_another_tools_payment_column(runs):
    """Klaviyo's Outstanding Payment is no column of mailchimp.csv (coaching trial)."""
    doc = reference("stripe_unified_payments")
    doc["automation_rules"][1].update({"crm": "Mailchimp", "rule": "When a contact's Outstanding Payment is above zero, send the card-update email."})
    (p,) = [p for p in validate(doc, facts_of(runs, "stripe_unified_payments")) if p.path == "automation_rules[1].rule"]
    assert p.code == "rule_column_not_in_file" and "'Outstanding Payment' is not a column of mailchimp.csv, the file Mailchimp imports (it is in klaviyo.csv)" in p.message


@pytest.mark.parametrize(
    "crm, text, refused",
    [
        ("Mailchimp", "When a contact is tagged Struggling, send a check-in email.", "Struggling"),  # coaching trial: a health band
        ("Klaviyo", "When the Segment becomes Critical, alert the owner.", "Critical"),
        ("HubSpot", "When customer_segment is Mature, create a task.", "Mature"),  # HubSpot's file has no lifecycle label
        ("Mailchimp", "When a contact is tagged Mature, send the loyalty note.", None),  # Mailchimp's tags carry the lifecycle
        ("Klaviyo", "When the Segment is At Risk, start the win-back flow.", None),
        ("Mailchimp", "When a contact moves from Loyal to At Risk, alert the founder.", None),
        ("HubSpot", "When a New contact joins, enrol them in the onboarding sequence.", None),  # the plan's own flow
        ("Customer.io", "When health_band is Struggling, alert the owner.", None),  # segments_generic.csv carries it
    ],
)
def test_a_rule_keys_on_a_label_its_tools_file_carries(runs, crm, text, refused):
    doc = reference()
    doc["automation_rules"][1].update({"crm": crm, "rule": text})
    problems = [p for p in validate(doc, facts_of(runs)) if p.path == "automation_rules[1].rule" and p.code.startswith("rule_")]
    assert [p.code for p in problems] == (["rule_value_not_in_file"] if refused else []), problems
    if refused:
        assert f"'{refused}' is a label of the" in problems[0].message and "Champions" in problems[0].message
        # every label the file carries is listed (a trial's list stopped at ten, without Lapsed and the value tiers)
        listed = problems[0].message.split("key it on a label the file has (", 1)[1].split(")")[0]
        if crm == "Mailchimp":
            assert "Lapsed" in listed and "High Value" in listed
        assert "import segments_generic.csv's" in problems[0].message


def test_a_usage_rule_on_the_behavior_column_is_judged_by_that_column(runs):
    """A usage plan's HubSpot rule keyed on the behavior column (imported from segments_generic.csv,
    as crm-exports.md says): 'when the behavior property is inactive' was refused as a label
    hubspot.csv lacks while 'when behavior is inactive' passed (a trial). Both pass now; a
    column HubSpot's file lacks and no usage plan imports is still the column check's."""
    facts = facts_of(runs, "product_events")
    doc = reference("product_events")
    doc["segmentation"] = "behavioral"  # a plan on the usage groups
    usage = facts["segmentations"]["behavioral"]["segments"]
    key = next(k for k, s in usage.items() if s["count"])
    name = usage[key]["name"]
    for text in (f"When the behavior property is {name} and holdout is not true, send the nudge.", f"When behavior is {name}, send the nudge, excluding the holdout."):
        doc["automation_rules"][0].update({"crm": "HubSpot", "segment": key, "rule": text})
        assert not [p for p in validate(doc, facts) if p.path == "automation_rules[0].rule"], text
    doc["automation_rules"][0].update({"rule": "When the health band property is Struggling, create a task."})
    assert [p.code for p in validate(doc, facts) if p.path == "automation_rules[0].rule"] == ["rule_column_not_in_file"]


@pytest.mark.parametrize(
    "to, success, refused",
    [
        ("needs_attention", {"metric": "purchase_days", "target": 2}, False),  # the second order: a New customer's next step
        ("needs_attention", {"metric": "orders", "target": 3}, False),
        ("needs_attention", {"metric": "recency_days", "target": 10}, True),  # not measured by buying again
        ("needs_attention", {"metric": "purchase_days", "target": 1}, True),
        ("at_risk", {"metric": "purchase_days", "target": 2}, True),  # a quiet segment is never the goal
        ("dormant", {"metric": "purchase_days", "target": 2}, True),
    ],
)
def test_a_second_order_pathway_from_new_is_not_downward(runs, to, success, refused):
    """New ranks above Needs Attention, but a second purchase lands a New customer there
    (Loyal needs three purchase days): the pathway the goal 'more repeat purchases' asks for
    was refused as downward (real-store trial)."""
    doc = reference()
    doc["pathways"][0].update(to_segment=to, success_metric=success)
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "pathway_downward"]
    assert bool(problems) == refused
    if refused:
        assert "a second-order pathway into an active segment passes with a success metric of purchase_days or orders of 2 or more" in problems[0].message


def test_a_second_order_aimed_at_loyal_is_pointed_at_the_segment_it_reaches(runs):
    """A trial's 'second order' pathway New -> Loyal was refused as target_outside_segment
    (Loyal needs 3 purchase days) and the model raised its target to 3. The strategy brief now
    says where a second order lands, from the rules, and check.py's message offers the segment
    a customer at the target reaches; aimed there, the same pathway passes."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    segments = facts["segmentations"]["rfm"]["segments"]
    doc = reference()
    assert doc["pathways"][0]["from_segment"] == "new" and doc["pathways"][0]["to_segment"] == "loyal"
    doc["pathways"][0]["success_metric"] = {"metric": "purchase_days", "target": 2}
    (problem,) = [p for p in validate(doc, facts) if p.path == "pathways[0].success_metric.target"]
    assert problem.code == "target_outside_segment"
    assert problem.message.endswith("aim within that range; or, if purchase_days 2 (a second order) is the mark, lead the pathway to needs_attention instead, "
                                    "which a customer at it reaches (needs_attention: purchase_days 1 or more)")
    doc["pathways"][0]["to_segment"] = "needs_attention"  # (its expected outcome still cites Loyal's figures, another problem)
    assert [p for p in validate(doc, facts) if p.path.startswith(("pathways[0].success_metric", "pathways[0].to_segment"))] == []
    # a target no better segment holds either: told to aim within the range, nothing offered
    doc = reference()
    doc["pathways"][2]["success_metric"] = {"metric": "purchase_days", "target": 4}  # Loyal -> Champions (5 or more)
    (problem,) = [p for p in validate(doc, facts) if p.path == "pathways[2].success_metric.target"]
    assert problem.message.endswith("aim within that range")
    brief = render_brief("strategy", facts)
    assert (f"the success target is one a customer of the to-segment can have by its rule, so a customer who reaches it is in that segment (`check.py` refuses a target outside it): "
            f"from {segments['new']['name']}, a second order (purchase_days 2) reaches {segments['needs_attention']['name']}, not {segments['champions']['name']} (purchase_days 5 or more) "
            f"or {segments['loyal']['name']} (purchase_days 3 or more): aim a second-order pathway at it") in brief


def test_a_pathway_trigger_the_users_tool_cannot_filter_on_is_refused(runs):
    """A Mailchimp user's plan started every pathway on recency_days, which mailchimp.csv (tags
    only) cannot filter on, and check.py said nothing (it held only the automation rules to their
    file). A pathway's trigger is held to the tools the plan runs in (its rules' tools, else the
    ones the user named at intake) unless its intervention says how it starts there; Klaviyo's
    file has Last Purchase to count days from, and a tool with its own order data (Shopify) may
    run any trigger."""
    facts = facts_of(runs)
    metric = lambda doc: [(p["trigger"]["metric"], p["from_segment"]) for p in doc["pathways"]]  # noqa: E731

    def refused(doc, answers=None, stage="final"):
        return [p for p in validate(doc, facts, stage=stage, answers=answers) if p.path.endswith(".trigger.metric")]

    assert refused(reference()) == []  # Klaviyo (and Shopify Flow): Last Purchase
    doc = reference()
    for rule in doc["automation_rules"]:
        rule["crm"] = "Mailchimp"
    found = refused(doc)
    assert [p.path for p in found] == [f"pathways[{i}].trigger.metric" for i in range(len(doc["pathways"]))], metric(doc)
    assert {p.code for p in found} == {"rule_column_not_in_file"}
    assert found[0].message.startswith("Mailchimp cannot filter on recency_days: mailchimp.csv carries no such column nor a date to count it from (Email Address, Tags, Pseudonymous ID)")
    assert "which mailchimp.csv carries as a tag in Tags ('tagged New')" in found[0].message
    # said how it starts there: on the tag, or in a tool that imports segments_generic.csv
    doc["pathways"][0]["intervention"] = "When the tag New is added, wait three weeks, then send the two-email flow."
    doc["pathways"][1]["intervention"] = "Run in Brevo from segments_generic.csv: two emails after the second purchase."
    assert [p.path for p in refused(doc)] == [f"pathways[{i}].trigger.metric" for i in range(2, len(doc["pathways"]))]
    # a phase-3 draft without rules: the tools the user named at intake
    draft = reference()
    del draft["automation_rules"]
    assert len(refused(draft, {"Capabilities": "Mailchimp for email. No SMS."}, "strategy")) == len(draft["pathways"])
    assert refused(draft, {"Capabilities": "Klaviyo for email and SMS"}, "strategy") == []
    assert refused(draft, {"Capabilities": "Mailchimp, and Shopify Email for the store's own segments"}, "strategy") == []
    assert refused(draft, None, "strategy") == []


def test_the_rule_example_in_the_operationalize_brief_names_segments_with_customers(runs):
    """The example rule names segments as the CRM files label them (At Risk, not at_risk, which
    check.py refuses for Klaviyo), and a merged-away segment is not its example (real-store trial:
    'when a champion becomes at_risk' on data without Champions)."""
    from custseg.render.briefs import render_brief

    facts = facts_of(runs)
    assert "when a customer's segment becomes At Risk, start a three-email win-back flow; alert the owner when a customer in Champions moves to At Risk" in render_brief("operationalize", facts)
    merged = _merged_away("champions", "loyal")(facts_of(runs))
    text = render_brief("operationalize", merged)
    assert "alert the owner when a customer in Loyal moves to At Risk" in text and "enters at_risk" not in text
    # no segment of customers who went quiet holds anyone (a month of data): no win-back example
    # for recent buyers (a Stripe trial was shown 'when a customer becomes Recent Buyers, start a win-back flow')
    quiet = [k for k in ("at_risk", "dormant") if facts["segmentations"]["rfm"]["segments"][k]["count"]]
    fresh = copy.deepcopy(facts)
    for k in quiet:
        fresh["segmentations"]["rfm"]["segments"][k]["count"] = 0
    text = render_brief("operationalize", fresh)
    assert "win-back flow;" not in text and "No segment here holds customers who went quiet by the data's end; but the data is " in text
    # the reminder counts from the last purchase date each tool's file has (Mailchimp's none)
    assert "send a reminder (the tool counts days from the last purchase date: Klaviyo's Last Purchase, HubSpot's last_purchase_date, segments_generic.csv's last_purchase)" in text
    # on current data there is no one to win back yet; on old data (the example's) everyone may have gone quiet since
    from datetime import date

    current = copy.deepcopy(fresh)
    current["data"]["date_max"] = date.today().isoformat()
    assert "No segment here holds customers who went quiet, so no win-back flow yet." in render_brief("operationalize", current)
    # a segment that went quiet by its rule, whatever its name: the small base's Needs Attention (recency 1-2)
    rules = fresh["segmentations"]["rfm"]["rules"]["segments"]
    next(r for r in rules if r["key"] == "needs_attention")["when"] = {"r": [1, 2]}
    assert "when a customer's segment becomes Needs Attention, start a three-email win-back flow" in render_brief("operationalize", fresh)


def test_the_rule_example_in_the_operationalize_brief_fits_who_can_be_emailed(runs):
    """An example rule reaches its segment the way the CRM files can: no win-back emails or
    thank-you email to a segment nobody in which can be emailed (a tiny all-opted-out store
    was shown 'send a thank-you with early access'), which check.py would refuse; and an export
    without emails says the email runs in a tool that holds them, matched by source_id."""
    from custseg.render.briefs import render_brief

    quiet_unreachable = _nobody_emailable("at_risk")(facts_of(runs))
    text = render_brief("operationalize", quiet_unreachable)
    opted_out = quiet_unreachable["exports"]["left_out_no_consent"]["at_risk"]
    assert "three-email win-back flow" not in text
    assert "when a customer's segment becomes At Risk, flag them in the user's store or CRM (imported from segments_generic.csv by `source_id`)" in text
    assert f"Nobody in At Risk can be emailed ({opted_out:,} opted out of marketing), so no win-back emails." in text

    fresh = _nobody_emailable("champions")(facts_of(runs))
    for k in ("at_risk", "dormant"):
        fresh["segmentations"]["rfm"]["segments"][k]["count"] = 0
    text = render_brief("operationalize", fresh)
    assert "send a thank-you with early access" not in text and "send a reminder" not in text
    assert "when a customer enters Champions, tag them in the user's store or CRM" in text and "Nobody in Champions can be emailed" in text

    no_emails = facts_of(runs)
    exports = no_emails["exports"]
    exports["left_out_no_email"] = {k: n + exports["left_out_no_consent"].get(k, 0) for k, n in exports["reachable_by_segment"].items()}
    exports.update(reachable=0, reachable_by_segment=dict.fromkeys(exports["reachable_by_segment"], 0), left_out_no_consent={})
    text = render_brief("operationalize", no_emails)
    assert "start a three-email win-back flow (this export held no emails: in a tool that holds the customers' emails, with their segment imported from segments_generic.csv by `source_id`)" in text
    assert "start a three-email win-back flow (this export" not in render_brief("operationalize", facts_of(runs))


@pytest.mark.parametrize(
    "key, text, refused",
    [
        ("loyal", "They bring most of the revenue.", True),
        ("dormant", "They are the majority of our customers.", False),  # 64% of customers
        ("dormant", "They bring most of our revenue.", True),  # 44%
        ("champions", "The segment is growing.", False),
        ("at_risk", "The segment keeps shrinking, a good sign.", False),
        ("champions", "This group is shrinking.", True),
        ("new", "Their spend is growing with each order.", False),  # not the segment's size
        ("at_risk", "A growing group of past regulars.", True),
        ("dormant", "A shrinking group, as more come back.", False),
        ("dormant", "Most of them bought several times.", True),  # 11% bought on more than one day
        ("dormant", "The majority never came back, and most did not buy again.", False),
        ("loyal", "Most of them have bought again more than once.", False),  # all of them
        ("dormant", "Most of them came back for a second dress.", True),  # TikTok-shop trial
        ("dormant", "Most bought another candle within the year.", True),
        ("needs_attention", "The majority have reordered since.", True),  # 42% bought on more than one day
        ("loyal", "Most came back for a second bag of beans.", False),
        ("dormant", "Most never reordered.", False),
        ("at_risk", "Most of them bought only once.", True),  # skill trial; all of At Risk bought on more than one day
        ("loyal", "The majority are one-time buyers.", True),
        ("at_risk", "Most never came back.", True),
        ("dormant", "Most of them bought only once.", False),  # 11% bought on more than one day
        ("needs_attention", "Most bought just once.", False),  # 42%
        ("at_risk", "Most of them bought once or twice.", False),
        # reworded, as an Activewear trial wrote them
        ("dormant", "Most came back to buy again.", True),  # 11% bought on more than one day
        ("dormant", "Most of them came back.", True),
        ("dormant", "Most came back to the site to browse.", False),  # not a purchase
        ("dormant", "Most Lapsed One-Timers ordered from us several times.", True),  # Activewear trial
        ("loyal", "Most Steady Regulars ordered from us several times.", False),  # all of Loyal
        ("new", "First-Timers have already placed several orders each.", True),  # Activewear trial: one purchase day each
        ("new", "They have not placed several orders yet.", False),
        ("new", "Thank those who placed several orders.", False),  # a subset, not the segment
        ("loyal", "They have placed several orders each.", False),
        ("loyal", "Most of them placed a single order.", True),  # all of Loyal bought on more than one day
        ("loyal", "Nearly all of them have ordered just one time.", True),
        ("loyal", "Most made only one purchase.", True),
        ("champions", "Most placed one order every two months.", False),  # a cadence, and near their 53 days
        ("dormant", "The majority renewed and kept paying month after month.", True),  # a coaching trial's wording
        ("loyal", "Most kept coming back.", False),
        ("loyal", "Unlike the Dormant, most of whom bought only once, they keep coming back.", False),  # the other segment
        ("dormant", "They are the biggest spenders per head.", True),  # Champions spend most per customer
        ("dormant", "Our highest-value group, gone quiet.", True),
        ("champions", "They are by far the biggest spenders per head.", False),
        ("dormant", "A voucher for the top spenders only.", False),  # picks some of them
        ("at_risk", "They are the top spenders among those who went quiet.", False),
        ("at_risk", "They were once the biggest spenders.", False),
        ("dormant", "They are the biggest baskets of the store.", False),  # Dormant has the highest AOV
        ("needs_attention", "They are the biggest spenders in the shop.", True),  # the whole base, not a qualification
        ("dormant", "They are the biggest spenders of all.", True),
        ("at_risk", "They are the highest-value customers in our customer base.", True),
        ("loyal", "They are the top spenders overall.", True),
        ("champions", "They are the biggest spenders in the store.", False),  # true of Champions
        ("at_risk", "They are the top spenders of all the lapsed.", False),  # qualified: among the lapsed
        ("needs_attention", "They have the largest order values in the store.", True),  # Dormant's AOV is higher
        ("dormant", "They have the highest average order value in the store.", False),  # true of Dormant
        ("at_risk", "They have the highest average order value in the store.", True),  # Activewear trial, of Long Lapsed
        ("at_risk", "They have the highest average order value among the lapsed.", False),  # qualified
        ("new", "They are the highest order value group.", True),  # Dormant's AOV is higher
        ("dormant", "Our biggest spenders, they put in more per head than anyone.", True),  # said of the segment
        ("dormant", "They spend far more per head than everyone else.", True),  # Champions spend more
        ("champions", "They spend far more per head than everyone else.", False),
        ("dormant", "Few would pay more than the list price.", False),  # not a segment
        ("dormant", "Our biggest spenders get a call from the owner.", False),  # some of them
        # cadence, against median_gap_days (Champions: 53 days, Loyal: 102)
        ("champions", "They buy every week.", True),
        ("champions", "Most of them reorder about every month.", False),  # 30 is within half to twice 53
        ("champions", "Customers who shop about every other month.", False),
        ("loyal", "They come back twice a month.", True),
        ("loyal", "They typically buy once a quarter.", False),
        ("loyal", "They buy once a year.", True),
        # a trade buyer's words (a trial: 'They restock roughly every month' of Loyal shops 79 days apart)
        ("loyal", "They restock roughly every month.", True),
        ("loyal", "They restock roughly every quarter.", False),
        ("loyal", "They reorder every few weeks.", True),
        ("champions", "They stock up every few weeks.", True),  # 21 days against 53
        ("champions", "They stock up every couple of months.", False),
        ("champions", "We email them every week.", False),  # how often the plan writes, not how they buy
        ("new", "They buy from us every week.", True),  # no gap to measure: nobody in New bought twice in 2.5 years of data
        ("dormant", "They buy from us every week.", True),  # 137.5 days between purchases
        ("dormant", "Most are on the 12-week program.", False),  # a product's name, not a figure
        ("loyal", "They left 5-star reviews and love the 2-for-1 bundles.", False),
        # recency, against median_recency_days (Loyal: 33 days, Needs Attention: 48, At Risk: 125, Dormant: 407)
        ("loyal", "These are clients who dropped off and stopped paying months ago.", True),  # coaching trial
        ("needs_attention", "They haven't bought in months.", True),
        ("champions", "Long gone, but not forgotten.", True),
        ("dormant", "They stopped buying years ago.", False),
        ("at_risk", "They stopped buying years ago.", True),  # skill trial: 125 days is not years
        ("at_risk", "They haven't ordered in over a year.", True),
        ("at_risk", "They stopped buying months ago.", False),
        ("dormant", "They last ordered over a year ago.", False),  # 407 days
        ("loyal", "They last bought months ago.", True),  # 33 days
        ("at_risk", "They bought recently, around the holidays.", True),
        ("dormant", "Most of them ordered in the last few days.", True),
        ("dormant", "They all bought in the last few weeks.", True),  # Activewear trial: 401 days
        ("new", "They all bought in the last few weeks.", False),  # 16 days
        ("new", "They just bought their first bag of coffee.", False),  # 16 days
        ("at_risk", "They have not bought recently.", False),
        ("loyal", "Unlike the Dormant, who stopped buying years ago, they keep coming.", False),  # the other segment's recency
        # still active, against median_recency_days (CDNOW trial: Dormant a median 487 days quiet)
        ("dormant", "Currently active listeners who still browse the site daily.", True),
        ("dormant", "They are still active and shop with us every week.", True),
        ("loyal", "They are still active and shop with us every few weeks.", False),  # 33 days
        ("dormant", "They are no longer active.", False),
        # bought again, of a segment where nobody bought twice (3-customer Shopify trial; New by its rule)
        ("new", "Our most loyal customer, who has bought again and again.", True),
        ("new", "A regular who keeps coming back for more coffee.", True),
        ("new", "Last period {segmentations.rfm.segments.new.next_repeat_rate} of first-time buyers bought again.", False),
        ("new", "They have not bought again yet.", False),
    ],
)
def test_claims_the_segment_facts_contradict(runs, key, text, refused):
    doc = reference()
    doc["segments"][key]["persona"] += " " + text
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert bool(problems) == refused, problems
    if refused:
        assert problems[0].path == f"segments.{key}.persona" and "{segmentations.rfm.segments." + key in problems[0].message


GAP = "{segmentations.rfm.segments.%s.median_gap_days}"


@pytest.mark.parametrize(
    "path, text, refused",
    [
        # a trial's evidence, of Loyal shops 79 days apart: the sentence cites the gap it misreads
        ("hypotheses[1].evidence", f"The Steady Regulars restock roughly every month: {GAP % 'loyal'} between orders.", True),  # Loyal: 102 days
        ("hypotheses[1].evidence", f"The Steady Regulars restock roughly every quarter: {GAP % 'loyal'} between orders.", False),
        ("hypotheses[1].evidence", f"Our best shops reorder about every month ({GAP % 'champions'}).", False),  # 30 within half to twice 53
        ("hypotheses[1].evidence", f"Repeat buyers order every week, a median gap of {GAP % 'champions'}.", True),
        ("hypotheses[1].evidence", f"The Insiders come back every other month ({GAP % 'champions'}), the Steady Regulars every quarter ({GAP % 'loyal'}).", False),
        ("hypotheses[1].evidence", f"Shops that buy every week are rare: even the Insiders wait {GAP % 'champions'}.", True),
        ("roadmap[0].actions[0]", f"Time the reminders to accounts that reorder every week ({GAP % 'loyal'}).", True),  # any text
        ("roadmap[0].actions[0]", f"Send the reminder every week, before the usual gap of {GAP % 'loyal'}.", False),  # the plan's cadence
        # the same claim of the segment's own persona, whatever its subject
        ("segments.loyal.persona", f"Shops that restock roughly every month, with a median gap of {GAP % 'loyal'}.", True),
        ("segments.loyal.persona", "Shops that restock roughly every month.", True),
        ("segments.loyal.persona", "Steady Regulars restock roughly every month.", True),  # its display name
        ("segments.loyal.persona", "Retailers who stock up every few weeks.", True),
        ("segments.loyal.persona", "Accounts reorder every quarter.", False),
        ("segments.loyal.persona", "Get more shops to reorder every month.", False),  # an aim
        ("segments.loyal.persona", "Shops that will reorder every month once reminded.", False),
        ("segments.loyal.persona", "They do not reorder every week.", False),
        ("segments.champions.persona", f"They reorder every other month, where the Steady Regulars wait {GAP % 'loyal'}.", False),  # the gap is the Regulars'
        ("segments.champions.persona", f"They reorder every other month, far more often than {GAP % 'loyal'}.", False),
        ("segments.champions.persona", f"They reorder every week, against a median gap of {GAP % 'champions'}.", True),
    ],
)
def test_a_cadence_claim_is_held_to_the_gap_its_sentence_cites(runs, path, text, refused):
    """A skill trial's 'The Steady Reorderers restock roughly every month: {...loyal.median_gap_days}
    between orders' (79 days) passed as a hunch's evidence, and 'Shops that restock roughly every
    month' in Loyal's persona where 'they restock roughly every month' was refused: a cadence
    claim is held to the gap its sentence cites, and to its own segment's, whatever its subject."""
    doc = _set(path, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([path] if refused else []), problems
    if refused:
        assert "median_gap_days}" in problems[0].message and "every" in problems[0].message


@pytest.mark.parametrize(
    "path, text, refused",
    [
        # a trial's evidence: 'Most of our trade comes before Christmas: {...q4}' of a quarter with 32.7%
        ("hypotheses[0].evidence", "Most of our trade comes before Christmas: {data.seasonality.revenue_share.q4}.", True),  # 43.5%
        ("hypotheses[0].evidence", "The bulk of our sales come in the last quarter ({data.seasonality.revenue_share.q4}).", True),
        ("hypotheses[0].evidence", "The majority of our customers are First-Timers ({segmentations.rfm.segments.new.pct_customers}).", True),
        ("hypotheses[0].evidence", "Nearly all of the Insiders bought again next period ({segmentations.rfm.segments.champions.next_repeat_rate}).", False),  # 93%
        ("hypotheses[0].evidence", "Most of our customers bought only once ({data.one_time_share}).", False),  # 74%
        ("hypotheses[0].evidence", "Christmas is our biggest quarter, {data.seasonality.revenue_share.q4} of sales, but not most of them.", False),
        ("hypotheses[0].evidence", "It is not the majority: {data.seasonality.revenue_share.q4} of sales.", False),
        ("hypotheses[0].evidence", "Most of the rest comes in autumn: {data.seasonality.revenue_share.q3}.", False),
        ("hypotheses[0].evidence", "Dormant shoppers came back less than most: {segmentations.rfm.segments.dormant.repeat_rate}.", False),
        ("hypotheses[0].evidence", "Our most loyal shoppers bring {segmentations.rfm.segments.champions.revenue_share} of revenue.", False),  # a superlative
        ("hypotheses[0].evidence", "Most of the revenue comes from two groups: {segmentations.rfm.segments.champions.revenue_share} and {segmentations.rfm.segments.dormant.revenue_share}.", False),  # 61% together
        ("hypotheses[0].evidence", "Most of them came back, though only {segmentations.rfm.segments.champions.pct_customers} of customers are Insiders.", False),  # another clause's figure
        ("roadmap[0].actions[0]", "Start with the quarter that brings most of our sales ({data.seasonality.revenue_share.q4}).", True),  # any text
        ("segments.needs_attention.persona", "Most of their spend lands before Christmas: {segmentations.rfm.segments.needs_attention.seasonality.revenue_share.q4}.", False),  # 86%
    ],
)
def test_a_majority_word_is_held_to_the_share_beside_it(runs, path, text, refused):
    """A skill trial's hunch evidence 'Most of our trade comes before Christmas:
    {data.seasonality.revenue_share.q4}' passed on a quarter with 32.7% of the revenue: 'most',
    'the majority', 'the bulk' beside a cited share or rate under half is refused, as 'most of the
    revenue' is of a segment with less."""
    doc = _set(path, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([path] if refused else []), problems
    if refused:
        assert "less than half" in problems[0].message


def test_a_majority_word_needs_more_than_half():
    """'Most' beside a share of exactly half is no majority, as product and country claims hold
    it (one table of thresholds); 'nearly all' needs more than 80%."""
    from custseg.strategy.cited_claims import bare_text, citations, majority_beside_shares

    def refused(text: str, value: float) -> bool:
        keys = {"data.seasonality.revenue_share.q4": value}
        return bool(majority_beside_shares("hypotheses[0].evidence", bare_text(text), citations(text), keys, []))

    said = "Most of our trade comes before Christmas: {data.seasonality.revenue_share.q4}."
    assert refused(said, 0.327) and refused(said, 0.5) and not refused(said, 0.51)
    nearly = "Nearly all of our trade comes before Christmas: {data.seasonality.revenue_share.q4}."
    assert refused(nearly, 0.8) and not refused(nearly, 0.85)


@pytest.mark.parametrize("share, refused", [(0.44, True), (0.5, True), (0.51, False)])
def test_most_of_the_revenue_needs_more_than_half_of_it(runs, share, refused):
    """'They bring most of the revenue' of a segment with exactly half of it passed, where every
    other majority check refuses 'most' at exactly half (product_claims.AT_LEAST: above, not at)."""
    facts = facts_of(runs)
    facts["segmentations"]["rfm"]["segments"]["loyal"]["revenue_share"] = share
    facts["data"]["dropped_value"]["no_identity"] = 0  # every sale names a customer: the share is of all sales
    doc = _append_persona("loyal", "They bring most of the revenue.")(reference())
    found = [p.message for p in validate(doc, facts) if p.code == "claim_contradicts_fact" and p.path == "segments.loyal.persona"]
    assert bool(found) == refused, found
    if refused:
        assert f"Loyal holds {share:.1%} of revenue, {'less than' if share < 0.5 else 'no more than'} half" in found[0]


@pytest.mark.parametrize(
    "key, text, refused",
    [
        ("champions", "The shops most likely to churn.", True),  # a trial's persona of Champions
        ("champions", "They are the customers most at risk.", True),
        ("champions", "Our likeliest to lapse, so we call them first.", True),
        ("champions", "Protect them from becoming the shops most likely to churn.", False),
        ("champions", "They are the least likely to churn.", False),
        ("champions", "Unlike the Slipping Regulars, the shops most likely to lapse, they keep ordering.", False),
        ("dormant", "The shops most likely to churn.", False),  # the lowest next-period repeat rate
        ("dormant", "They are the least likely to come back.", False),
        # neither the top rate nor the top rule, but not the lowest either: Dormant came back less
        ("loyal", "The shops most likely to churn.", True),
        ("at_risk", "They are the most at risk.", True),  # 36.2% bought again next period, Dormant 8.9%
        ("needs_attention", "They are the least likely to come back.", True),  # a UCI trial's words, of a segment a third of which came back
        ("new", "Of all our customers, they are the least likely to buy again.", True),
        ("new", "They are the least likely to come back if we wait.", False),  # what would happen
    ],
)
def test_the_likeliest_to_leave_is_the_segment_that_came_back_least(runs, key, text, refused):
    """'The shops most likely to churn' of Champions, whose next-period repeat rate is the
    highest, and 'the least likely to come back' of a segment a third of which came back next
    period (a UCI trial, where New's rate was lower): only the segment with the lowest
    next-period repeat rate is the likeliest to leave, and its rate is what the message cites."""
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([f"segments.{key}.persona"] if refused else []), problems
    if refused:
        assert f"{{segmentations.rfm.segments.{key}.next_repeat_rate}}" in problems[0].message
        assert "{segmentations.rfm.segments.dormant.next_repeat_rate}" in problems[0].message  # the lowest


@pytest.mark.parametrize(
    "path, text, refused",
    [
        ("segments.at_risk.persona", "They are gone for good.", True),  # 36.2% bought again next period
        ("segments.dormant.persona", "Dormant shoppers are lost for good.", True),  # 8.9%: one in eleven came back
        ("segments.dormant.persona", "They will never come back.", True),
        ("segments.needs_attention.persona", "Most of them are lost forever.", True),
        ("segments.at_risk.persona", "They won't ever return.", True),
        # a UCI trial's hunch evidence, of a Dormant segment a third of which came back next period
        ("hypotheses[0].evidence", "The Slipping Regulars are lost for good: only {segmentations.rfm.segments.at_risk.avg_purchase_days} purchase days each.", True),
        # an aim, a risk, a denial, the user's words: no claim
        ("segments.at_risk.goal", "Win them back before they are gone for good.", False),
        ("segments.at_risk.persona", "Left alone, they may be lost for good.", False),
        ("segments.at_risk.persona", "If we do nothing they will never come back.", False),
        ("segments.at_risk.persona", "They are not gone for good: {segmentations.rfm.segments.at_risk.next_repeat_rate} bought again next period.", False),
        ("segments.at_risk.persona", "You told us they are gone for good.", False),
        ("segments.at_risk.persona", "Unlike the Champions, who are never lost for good, they drift.", False),
    ],
)
def test_gone_for_good_of_a_segment_that_came_back(runs, path, text, refused):
    """'Gone for good' of a Dormant segment of which 33.2% bought again in the next period (a
    UCI trial): the next-period check says a third came back. Above one in twenty, 'gone for
    good', 'lost forever' or 'will never come back' is refused, naming the rate to cite."""
    doc = (_append_persona(path.split(".")[1], text) if path.endswith(".persona") else _set(path, text))(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact" and p.path == path]
    assert bool(problems) == refused, problems
    if refused:
        key = "at_risk" if path.startswith("hypotheses") else path.split(".")[1]
        assert f"{{segmentations.rfm.segments.{key}.next_repeat_rate}}" in problems[0].message and "bought again in the next period" in problems[0].message


def test_gone_for_good_stands_where_hardly_anyone_came_back(runs):
    """The true counterpart: at one in twenty or fewer back next period, 'gone for good' may stand."""
    facts = facts_of(runs)
    doc = _append_persona("dormant", "They are gone for good.")(reference())
    assert [p.path for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == ["segments.dormant.persona"]
    facts["segmentations"]["rfm"]["segments"]["dormant"]["next_repeat_rate"] = 0.04
    assert [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == []
    facts["segmentations"]["rfm"]["segments"]["dormant"]["next_repeat_rate"] = None  # no next-period check: nothing to hold it to
    assert [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == []


def test_a_rate_of_too_few_is_no_rival_for_the_likeliest_to_leave(runs):
    """The lowest next-period rate decides who is likeliest to leave; one of fewer than 20
    customers at the check's cutoff (one customer moves it by five points) does not: the
    lowest rate of enough customers does."""
    facts = facts_of(runs)
    seg = facts["segmentations"]["rfm"]
    lowest = min((k for k, s in seg["segments"].items() if s["count"]), key=lambda k: seg["segments"][k]["next_repeat_rate"])
    assert lowest == "dormant"
    doc = _append_persona("needs_attention", "The shops most likely to churn.")(reference())  # the second lowest
    assert [p.path for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == ["segments.needs_attention.persona"]
    next(r for r in seg["validation"]["segments"] if r["segment"] == "dormant")["customers"] = 19
    assert [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == []


@pytest.mark.parametrize(
    "days, text, refused",
    [
        (1, "Loyal long-term subscribers who have renewed for months.", True),  # Stripe trial: one day of payments
        (1, "They have paid us month after month.", True),
        (200, "They have been with us for years.", True),
        (200, "Long-standing customers who know the range.", False),
        (1, "You told us they have been with you for months.", False),  # the user's word, said as theirs
        (1, "They haven't bought for months.", False),
        (None, "They have renewed for months.", False),  # the reference data covers years
    ],
)
def test_a_claim_spans_no_longer_than_the_data(runs, days, text, refused):
    facts = facts_of(runs)
    if days is not None:
        facts["data"]["days_covered"] = days
    doc = _append_persona("loyal", text)(reference())
    problems = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact" and "{data.days_covered}" in p.message]
    assert bool(problems) == refused, problems


@pytest.mark.parametrize(
    "text, refused",
    [
        ("Our evening sign-ups, who stick around longer than morning sign-ups.", True),  # Stripe trial
        ("Most of them shop late at night.", True),
        ("Weekend shoppers who browse for gifts.", True),
        ("You told us evening sign-ups stick around longer.", False),
        ("Send the email in the evening, when the shop is quiet.", False),  # the plan's timing
        # a six-year store's trial: how they pay and where they came from are in no fact
        ("Customers who mostly pay with Klarna and found us through Instagram.", 2),
        ("They usually check out with PayPal.", True),
        ("Most of them came to us from TikTok.", True),
        ("They discovered us on Pinterest.", True),
        ("Let them pay with Klarna at checkout.", False),  # a step of the plan
        ("Help more people find us on Instagram.", False),
        ("Reach them with Instagram ads and a PayPal-friendly checkout.", False),
        ("You told us they found you through Instagram.", False),
        # a trade store's trial: where they met the business, what kind of business they are, and where
        ("Most found us at the spring trade fair.", True),
        ("Most signed up at our Christmas market.", True),
        ("Meet them at the spring trade fair.", False),  # a step of the plan
        ("Invite them to our stand at the spring trade fair.", False),
        ("You told us most found you at the spring trade fair.", False),
        ("They are almost all UK high-street shops.", True),
        ("Most of them are independent gift shops.", True),
        ("They are mostly based in London.", True),
        ("Target UK high-street shops with a trade offer.", False),  # whom the plan reaches
        ("Send the catalogue to all local shops in the area.", False),
        ("An offer based in part on their spend.", False),
        ("We are a small business based in Leeds.", False),  # the user, not the customers
        ("You told us they are almost all UK high-street shops.", False),
        # proof from a share
        ("Their spend peaked in the holiday quarter, which proves they only shop for gifts.", True),
        ("This proves they love the new range.", True),
        ("A test will show whether the offer works.", False),
    ],
)
def test_a_hunch_on_what_the_data_does_not_record(runs, text, refused):
    doc = _append_persona("new", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_not_in_data"]
    assert len(problems) == int(refused), problems


NEW_COUNT, NEW_BEFORE = "{segmentations.rfm.segments.new.count}", "{segmentations.rfm.segments.new.count_prev}"


@pytest.mark.parametrize(
    "text, refused",
    [
        # two trials' personas: the device, who they are, codes, returns, why and since when
        ("These customers mostly buy on mobile.", "holds no device"),
        ("They mostly order on their phones late at night.", "holds no device"),  # and the time of day: two claims
        ("They shop in the evenings.", "when in the day or week"),
        ("They are mostly women in their thirties.", "no gender, age, family role or occupation"),
        ("Mostly yoga instructors who wear us to teach.", "no gender, age, family role or occupation"),
        ("Most of them are mums buying for their kids.", "no gender, age, family role or occupation"),
        ("Gen Z shoppers who love a drop.", "no gender, age, family role or occupation"),
        ("They are students on a budget.", "no gender, age, family role or occupation"),
        ("They only buy with a discount code.", "do not read the export's discount codes"),
        ("Holiday buyers who mostly used a Black Friday discount code.", "do not read the export's discount codes"),
        ("They mostly return their first order.", "cites none of the facts' refund figures"),  # the example records refunds: asked for one (tests/test_refunds_recent.py)
        ("They stopped buying after the price rise.", "never why"),
        ("They slipped to At Risk because prices went up.", "never why"),
        (f"Since 2024 these {NEW_COUNT} customers have bought less.", "only by-period facts"),
        ("They have been ordering less lately.", "only by-period facts"),
        # a plan's step or whom it is for, the user's word, a guess said as one, a denial, a product
        ("Target mums with a gift guide before Mother's Day.", None),
        ("Send the email in the evening, when the shop is quiet.", None),
        ("Make it easy to check out on mobile.", None),
        ("Customers who return their first order get a call from us.", None),
        ("Give them a discount code to use on the second order.", None),
        ("You told us they mostly buy on mobile, late at night.", None),
        ("You told us most of them are women in their thirties.", None),
        ("They may have stopped buying after the price rise.", None),
        ("Whether the price rise made them leave, the data cannot tell.", None),
        ("They are not students.", None),
        ("They buy women's leggings and men's tees.", None),
        ("They are the main drivers of our growth.", None),
        # what the data does record: when they stopped, a change beside the by-period fact that shows it
        ("They stopped buying after their first order.", None),
        ("They came back for a second order within weeks.", None),
        (f"Since last year they bought more: {NEW_BEFORE} a period earlier, {NEW_COUNT} now.", None),
    ],
)
def test_who_they_are_and_why_they_buy_are_not_in_the_data(runs, text, refused):
    """Two trials' plans passed the device, gender, age, job, discount codes, returns, the cause
    of a change and a change since a date, none of which an export records: each is refused
    with what the facts hold and the way to say it ('you told us ...'), or leave it out."""
    doc = _append_persona("new", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_not_in_data"]
    assert bool(problems) == bool(refused), problems
    if refused:
        assert any(refused in p.message for p in problems) and all("leave it out, or give it as the user's own observation ('you told us ...')" in p.message for p in problems)
    assert len(problems) == (2 if "phones late at night" in text else int(bool(refused)))


@pytest.mark.parametrize("evidence, refused", [
    # a trial's: a cause the data cannot show, given as what the facts say
    ("The price rise drove them away: {segmentations.rfm.migration.matrix.champions.at_risk} slipped to At Risk because prices went up.", True),
    ("They stopped buying after the price increase: {segmentations.rfm.segments.champions.trend}.", True),
    # the same trial's answer: what the facts show, and that they cannot say why
    ("Their share is {segmentations.rfm.segments.champions.trend}: {segmentations.rfm.migration.matrix.champions.at_risk} slipped to At Risk. "
     "The data holds no prices, so it cannot tell whether the price rise caused this.", False),
])
def test_a_hunchs_evidence_gives_no_cause_the_data_cannot_show(runs, evidence, refused):
    doc = reference()
    doc["hypotheses"][0] = {"hunch": "Our best customers are drifting away since we raised prices.", "verdict": "partly holds", "evidence": evidence}
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_not_in_data" and p.path == "hypotheses[0].evidence"]
    assert bool(problems) == refused, problems


@pytest.mark.parametrize(
    "text, refused",
    [
        ("All of them are on the 1:1 Lifestyle Fitness Coaching plan.", True),  # a Stripe trial: its export named no products
        ("They're on the 12-Week Transformation program.", True),
        ("Most of them bought the Winter Bundle.", True),
        ("They mostly buy gift cards, and most bought the Winter Bundle.", True),  # one problem for what they buy
        # no product of theirs named: a price, a step of the plan, a question, a denial, the user's word
        ("The clients on your dearer coaching plans, who pay more.", False),
        ("They are on the free trial.", False),
        ("Move them onto the Premium Coaching plan.", False),
        ("Help them stay on the Gold plan.", False),
        ("Clients who are on the Gold plan get a call first.", False),
        ("They are not on the Gold plan.", False),
        ("Whether they are on the Gold plan, the export does not say.", False),
        ("They bought the most in the first week.", False),
        ("You told us they are all on the 1:1 Lifestyle Fitness Coaching plan.", False),
    ],
)
def test_a_named_plan_or_product_is_not_in_data_without_products(runs, text, refused):
    """'All of them are on the 1:1 Lifestyle Fitness Coaching plan', on an export that names no
    products (data.products absent), has nothing behind it; with products the product checks
    hold the name to their facts instead."""
    from custseg.strategy.hunches import unrecorded_claims

    facts = facts_of(runs)
    facts["data"]["products"] = None
    doc = _append_persona("new", text)(reference())
    problems = [p for p in validate(doc, facts) if p.code == "claim_not_in_data" and p.path == "segments.new.persona"]
    assert len(problems) == int(refused), problems
    if refused and "buy gift cards" not in text:
        assert "the facts hold no products (this export names none)" in problems[0].message
    assert not [p for p in unrecorded_claims("segments.new.persona", text, text, products=True) if "this export names none" in p.message]


def test_pathways_are_paid_from_their_segments_share(runs):
    """The shares and the pathways spend one budget: a segment's pathways fit its shares plus
    the part no cell took, over the roadmap (3,000 a month over 16 weeks: about 11,077)."""
    facts = facts_of(runs)
    doc = reference()
    assert not [p for p in validate(doc, facts) if p.code == "pathway_beyond_share"]
    doc["targeting_matrix"][6]["budget_share"] = 0.1  # needs_attention: 10% and 4% no cell took, 1,551 for a 2,000 pathway
    doc["targeting_matrix"][7]["budget_share"] = 0.15
    (p,) = [p for p in validate(doc, facts) if p.code == "pathway_beyond_share"]
    assert "the pathways from 'needs_attention' cost 2,000 USD, more than the 1,551 USD of its budget shares (10%) and the 4% no cell took" in p.message
    doc["targeting_matrix"][5]["budget_share"] = 0.0  # 0.09 more left to no cell: enough for it
    assert not [p for p in validate(doc, facts) if p.code == "pathway_beyond_share"]


@pytest.mark.parametrize(
    "key, text",
    [
        ("new", "Loyal customers come back at {segmentations.rfm.segments.loyal.next_repeat_rate}; the aim is to bring First-Timers closer."),
        ("new", "About {segmentations.rfm.segments.new.next_repeat_rate} of First-Timers buy again."),
        ("new", "About {segmentations.rfm.segments.new.next_repeat_rate} of New customers buy again."),
        ("loyal", "They repeat at {segmentations.rfm.segments.loyal.repeat_rate} against {segmentations.rfm.segments.new.repeat_rate} of First-Timers."),
        ("dormant", "Email reaches {exports.reachable_by_segment.dormant} of the {segmentations.rfm.segments.dormant.count}."),
        ("dormant", "Of all {segmentations.rfm.segments.dormant.count}, only some can be emailed."),
        ("dormant", "There are {segmentations.rfm.segments.dormant.count} of them, some of whom can be emailed."),
        ("dormant", "{segmentations.rfm.segments.dormant.count} customers, those with an email are on the list."),
    ],
)
def test_figures_of_segments_read_as_whose_they_are(runs, key, text):
    """A comparison names whose figure it is; only 'X's figure of Y' and a count told as the
    people an email reaches are refused."""
    doc = reference()
    doc["segments"][key]["persona"] += " " + text
    assert [p for p in validate(doc, facts_of(runs)) if p.code in ("fact_of_other_segment", "count_cited_as_reach")] == []


@pytest.mark.parametrize(
    "key, text, refused",
    [
        ("loyal", "They spend {segmentations.rfm.segments.champions.avg_value} on average.", True),  # coaching trial
        ("dormant", "Their orders average {segmentations.rfm.segments.new.aov}.", True),
        ("at_risk", "This group last bought {segmentations.rfm.segments.dormant.median_recency_days} ago.", True),
        ("loyal", "They spend {segmentations.rfm.segments.loyal.avg_value} each.", False),  # their own
        ("loyal", "They spend less than the Insiders, who spend {segmentations.rfm.segments.champions.avg_value}.", False),  # compared
        ("loyal", "They spend {segmentations.rfm.segments.loyal.avg_value}, the Northwind Insiders {segmentations.rfm.segments.champions.avg_value}.", False),  # named
        ("new", "Unlike them, Loyal customers repeat at {segmentations.rfm.segments.loyal.repeat_rate}.", False),
        ("new", "Their goal: the {segmentations.rfm.segments.loyal.next_repeat_rate} seen in Loyal.", False),
        ("dormant", "The store's average order is {segmentations.rfm.segments.champions.aov} for Champions.", False),  # no 'they'
    ],
)
def test_a_figure_said_of_them_is_their_own(runs, key, text, refused):
    """In a segment's own text, 'they' are that segment: another segment's figure in a sentence
    about them must say whose it is."""
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_of_other_segment"]
    assert bool(problems) == refused, problems
    if refused:
        assert f"{{segmentations.rfm.segments.{key}." in problems[0].message


@pytest.mark.parametrize(
    "key, text, refused",
    [
        # CDNOW trial, with Loyal named 'Regulars' as there: in Champions' text, and in another's
        ("champions", "Regulars, who bought again at a rate of {segmentations.rfm.segments.champions.next_repeat_rate}, follow every release.", True),
        ("dormant", "Regulars, who bought again at a rate of {segmentations.rfm.segments.champions.next_repeat_rate}, are the ones to copy.", True),
        ("at_risk", "The Regulars come back at {segmentations.rfm.segments.champions.next_repeat_rate} in the next period.", True),
        # 3-customer Shopify trial: another segment's rate in Needs Attention's own persona, no 'they'
        ("needs_attention", "A single buyer with a repeat rate of {segmentations.rfm.segments.loyal.repeat_rate}.", True),
        ("needs_attention", "Repeat rate of {segmentations.rfm.segments.new.repeat_rate}, and no second order yet.", True),
        # whose it is, said: named, compared, or the segment they move into
        ("loyal", "They buy again less often than the Insiders' {segmentations.rfm.segments.champions.next_repeat_rate}.", False),
        ("at_risk", "Regulars repeat at {segmentations.rfm.segments.loyal.repeat_rate}, Insiders at {segmentations.rfm.segments.champions.repeat_rate}.", False),
        ("loyal", "The biggest Regulars move towards the Insider tier, where customers spend {segmentations.rfm.segments.champions.avg_value}.", False),
        ("champions", "Many were Regulars, and they now buy again at {segmentations.rfm.segments.champions.next_repeat_rate}.", False),
        ("champions", "They buy again at {segmentations.rfm.segments.champions.next_repeat_rate}; new releases sell first to them.", False),
    ],
)
def test_a_figure_is_given_to_the_segment_it_is_of(runs, key, text, refused):
    """A sentence about one segment (the text's own, or the one it names) citing another's
    figure gives it as theirs, unless it names whose it is, compares, or says where they go."""
    doc = _append_persona(key, text)(reference())
    doc["segments"]["loyal"]["display_name"] = "Regulars"
    doc["segments"]["champions"]["display_name"] = "Insiders"
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_of_other_segment"]
    assert bool(problems) == refused, problems


def test_a_count_is_the_reach_when_everyone_can_be_emailed(runs):
    facts = facts_of(runs)
    facts["exports"]["reachable_by_segment"]["dormant"] = facts["segmentations"]["rfm"]["segments"]["dormant"]["count"]
    doc = _append_persona("dormant", "Email reaches all {segmentations.rfm.segments.dormant.count} of them.")(reference())
    assert [p for p in validate(doc, facts) if p.code == "count_cited_as_reach"] == []


@pytest.mark.parametrize(
    "text, refused",
    [
        ("The flow will bring in {segmentations.rfm.segments.at_risk.avg_value} of guaranteed revenue each.", True),  # coaching trial
        ("The win-back series will definitely recover lost sales.", True),
        ("They are certain to spend {segmentations.rfm.segments.at_risk.aov} again.", True),
        ("The flow could bring back up to {segmentations.rfm.segments.at_risk.avg_value} each.", False),
        ("A money-back guarantee on the first reorder.", False),  # an offer, not a promise of revenue
        ("Satisfaction guaranteed on every order.", False),
        ("They are certain to notice the new colour.", False),
        # a what-if told as a forecast (CDNOW trial, and a rewording)
        ("Recover the {segmentations.rfm.opportunities.at_risk_to_loyal.value_per_10pct} a period this campaign will bring in.", True),
        ("The win-back flow is going to generate {segmentations.rfm.opportunities.at_risk_to_loyal.expected_revenue} every period.", True),
        ("If a tenth of them moved to Regulars, that would be {segmentations.rfm.opportunities.at_risk_to_loyal.value_per_10pct} a period.", False),
        ("At last period's rate the move alone is worth {segmentations.rfm.opportunities.at_risk_to_loyal.expected_revenue} a period.", False),
        ("The flow will bring back up to {segmentations.rfm.opportunities.at_risk_to_loyal.value_per_10pct} a period.", False),
        # a promise with the amount in words (the words are figure_in_text too)
        ("This flow will definitely bring in another thousand euros.", True),
        ("The reminders will surely bring in a few hundred dollars.", True),
    ],
)
def test_a_plan_does_not_promise_money(runs, text, refused):
    doc = _append_persona("at_risk", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "promise_in_text"]
    assert bool(problems) == refused, problems
    if refused:
        assert "'up to" in problems[0].message


@pytest.mark.parametrize(
    "leaf, hint, not_said",
    [
        ("value_per_10pct", "if a further tenth of them moved, that would add", "as last period"),
        # a trial was told 'if a tenth of them moved, that would be {...expected_revenue}': the moves at last period's rate
        ("expected_revenue", "if as many moved as last period, that would be", "tenth"),
        ("revenue_gap_per_customer", "each customer who moved could spend up to", "tenth"),
        ("next_gap_per_customer", "each customer who moved could spend up to", "tenth"),
    ],
)
def test_a_what_if_told_as_the_plans_result_is_given_a_hint_that_fits_its_amount(runs, leaf, hint, not_said):
    """The hint says what the cited amount of the move is, and its own wording passes."""
    key = f"{{segmentations.rfm.opportunities.at_risk_to_loyal.{leaf}}}"
    facts = facts_of(runs)
    doc = _append_persona("at_risk", f"The win-back flow will bring in {key} a period.")(reference())
    (problem,) = [p for p in validate(doc, facts) if p.code == "promise_in_text"]
    said = re.search(r"say it as a what-if \('([^']+)'\)", problem.message).group(1)
    assert said.startswith(hint) and key in said and not_said not in said, problem.message
    fixed = _append_persona("at_risk", said[0].upper() + said[1:] + ".")(reference())
    assert [p for p in validate(fixed, facts) if p.path == "segments.at_risk.persona"] == []


@pytest.mark.parametrize(
    "text, refused",
    [
        ("Recovering the unfinished sign-ups will add {data.failed_payments.outstanding_value} a month.", True),  # Stripe trial
        ("The card-update reminders will win back {data.failed_payments.outstanding_recent.value}.", True),
        ("The reminders aim to recover part of the {data.failed_payments.outstanding_value} still owed.", False),
        ("Up to {data.failed_payments.outstanding_value} is still owed; the reminders will ask for it.", False),
    ],
)
def test_money_still_owed_is_not_promised_back(runs, text, refused):
    """What failed payments still owe is recovered only if every one of them pays: a what-if."""
    doc = _append_persona("at_risk", text)(reference("stripe_unified_payments"))
    problems = [p for p in validate(doc, facts_of(runs, "stripe_unified_payments")) if p.code == "promise_in_text"]
    assert bool(problems) == refused, problems
    if refused:
        assert "'up to {data.failed_payments." in problems[0].message


@pytest.mark.parametrize("text", ["They spend another thousand euros a year.", "Thousands of dollars sit in this group."])
def test_round_amounts_in_words_are_figures(runs, text):
    doc = _append_persona("champions", text)(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"]
    assert "segments.champions.avg_value}" in p.message, p.message


def test_only_a_discount_is_capped_at_a_hundred_percent(runs):
    doc = _set("segments.champions.offer_terms", [{"label": "points multiplier", "value": 200, "unit": "percent"}, {"label": "loyalty discount", "value": 100, "unit": "percent"}])(reference())
    assert [p for p in validate(doc, facts_of(runs)) if p.code == "offer_over_price"] == []


@pytest.mark.parametrize(
    "key, text, refused",
    [
        ("loyal", "They order smaller baskets than the Northwind Insiders.", True),  # Loyal's AOV is above Champions'
        ("champions", "They order smaller baskets than the Steady Regulars.", False),
        ("dormant", "They place bigger orders than any other group.", False),  # Dormant has the highest AOV
        ("new", "They place bigger orders than any other group.", True),
        ("loyal", "They spend more per head than the Champions.", True),
        ("champions", "They spend more per head than the Loyal customers.", False),
        ("needs_attention", "They spend less than the Steady Regulars.", False),
        ("needs_attention", "They spend less than the First-Timers.", True),  # 109 against 77 per customer
        ("loyal", "Bigger orders than we expected.", False),  # not a segment
        # a six-year store's trial: revenue against a display name ('Inner Circle', Loyal's)
        ("needs_attention", "They bring more revenue than the Steady Regulars.", True),  # 12.7% against 16.1%
        ("champions", "They bring in more revenue than the Steady Regulars.", False),  # 17.1%
        ("at_risk", "They account for a bigger share of sales than any other group.", True),  # Dormant's 43.9%
        ("dormant", "They generate far more sales than any other group.", False),
        ("new", "They bring less revenue than the Northwind Insiders.", False),
        ("champions", "The group holds more customers than the Steady Regulars.", True),  # 75 against 177
        ("needs_attention", "A bigger group than the Northwind Insiders.", False),  # 425 against 75
    ],
)
def test_comparisons_between_segments_follow_the_facts(runs, key, text, refused):
    doc = reference()
    doc["segments"][key]["persona"] += " " + text
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert bool(problems) == refused, problems


_NEXT = "{segmentations.rfm.segments.%s.next_repeat_rate}"
_WHOLE = "{segmentations.rfm.segments.%s.repeat_rate}"


@pytest.mark.parametrize(
    "key, text, refused",
    [
        # a UCI trial's 'lower churn' between two segments, uncited: held to who bought again in the next period
        ("loyal", "Loyal have lower churn than At Risk.", False),  # 63.9% against 36.2%
        ("loyal", "At Risk have lower churn than Loyal.", True),
        ("loyal", "At Risk churn less than Loyal.", True),
        ("loyal", "At Risk are more likely to churn than Loyal.", False),
        ("loyal", "Loyal are more likely to lapse than At Risk.", True),
        ("loyal", "Loyal stay longer than Champions.", True),  # 63.9% against 92.9%
        ("loyal", "Champions stick around longer than Loyal.", False),
        ("loyal", "They churn less than At Risk.", False),  # their own: Loyal's
        ("loyal", "Their churn is lower than the First-Timers'.", False),
        ("loyal", "They are less likely to churn than the First-Timers.", False),
        ("at_risk", "They churn less than Loyal.", True),
        # citing whole-period repeat rates (Loyal and At Risk both 100%): the next-period rates settle it
        ("loyal", "Loyal churn less than At Risk: " + _WHOLE % "loyal" + " against " + _WHOLE % "at_risk" + ".", False),
        ("loyal", "At Risk churn less than Loyal: " + _WHOLE % "at_risk" + " against " + _WHOLE % "loyal" + ".", True),
        # citing the next-period rates: 'lower churn' is a higher come-back rate, no longer read as the lower figure
        ("loyal", "Loyal have lower churn than At Risk: " + _NEXT % "loyal" + " against " + _NEXT % "at_risk" + ".", False),
        ("loyal", "At Risk have lower churn than Loyal: " + _NEXT % "at_risk" + " against " + _NEXT % "loyal" + ".", True),
        # no two segments to compare, or no comparison of keeping them: left alone
        ("loyal", "At Risk spend more than Loyal before they churn.", False),
        ("loyal", "They churn less than most shops.", False),
        ("loyal", "At Risk churn more.", False),
    ],
)
def test_a_comparison_of_keeping_customers_is_held_to_the_next_period_rates(runs, key, text, refused):
    """'Loyal have lower churn than At Risk', cited with whole-period figures or not at all: where
    validation ran, who bought again in the next period (next_repeat_rate) settles it, and a
    wrong direction is refused with both rates named."""
    doc = _append_persona(key, text)(reference())
    found = [p for p in validate(doc, facts_of(runs)) if p.path == f"segments.{key}.persona" and p.code == "claim_contradicts_fact"]
    assert len(found) == (1 if refused else 0), found
    if refused and "churn" in text and "Loyal" in text:
        assert "{segmentations.rfm.segments.loyal.next_repeat_rate}" in found[0].message and "{segmentations.rfm.segments.at_risk.next_repeat_rate}" in found[0].message
        assert "63.9%" in found[0].message and "36.2%" in found[0].message


def test_a_comparison_of_keeping_customers_without_next_period_rates_follows_the_existing_rules(runs):
    """Where validation did not run (no next_repeat_rate), nothing settles an uncited 'lower churn
    than'; cited whole-period repeat rates are read as the rate of those who stay."""
    facts = facts_of(runs)
    for stats in facts["segmentations"]["rfm"]["segments"].values():
        stats["next_repeat_rate"] = None
    facts["segmentations"]["rfm"]["segments"]["at_risk"]["repeat_rate"] = 0.4
    for text, refused in (("At Risk have lower churn than Loyal.", False),
                          ("At Risk churn less than Loyal: " + _WHOLE % "at_risk" + " against " + _WHOLE % "loyal" + ".", True),
                          ("Loyal churn less than At Risk: " + _WHOLE % "loyal" + " against " + _WHOLE % "at_risk" + ".", False)):
        doc = _append_persona("loyal", text)(reference())
        found = [p for p in validate(doc, facts) if p.path == "segments.loyal.persona" and p.code == "claim_contradicts_fact"]
        assert len(found) == (1 if refused else 0), (text, found)


def test_a_hunch_about_churn_is_held_to_the_next_period_rates_its_evidence_cites(runs):
    """'Loyal churn less than At Risk', answered 'does not hold' on next-period rates that bear it
    out: the verdict check reads churn words as comparisons.py does."""
    evidence = _NEXT % "loyal" + " of Loyal bought again in the next period, against " + _NEXT % "at_risk" + " of At Risk."
    for hunch, verdict, refused in (("Loyal churn less than At Risk", "does not hold", True), ("Loyal churn less than At Risk", "holds", False),
                                    ("At Risk have lower churn than Loyal", "holds", True), ("At Risk have lower churn than Loyal", "does not hold", False)):
        doc = _set("hypotheses[1]", {"hunch": hunch, "verdict": verdict, "evidence": evidence})(reference())
        found = [p.code for p in validate(doc, facts_of(runs)) if p.path.startswith("hypotheses[1]")]
        assert found == (["verdict_against_figures"] if refused else []), (hunch, verdict, found)


def test_a_claim_that_most_buy_in_one_season(runs):
    facts = facts_of(runs)
    doc = _append_persona("champions", "Most of them buy only in the run-up to Christmas.")(reference())
    share = facts["segmentations"]["rfm"]["segments"]["champions"]["seasonality"]["one_quarter_only"]
    refused = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert share < 0.5 and refused and "one_quarter_only" in refused[0].message
    # most bought in one quarter, but which? most buy once, so the quarter the season names must hold most
    # of the spend (a trial's 'most buy only at Christmas' passed on a segment with 4.3% of its spend in Q4)
    season = facts["segmentations"]["rfm"]["segments"]["champions"]["seasonality"]
    season["one_quarter_only"] = 0.7
    (p,) = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert season["revenue_share"]["q4"] < 0.5 and f"only {season['revenue_share']['q4']:.1%} of the spend of Champions fell in Q4 (Oct-Dec)" in p.message
    assert "seasonality.revenue_share.q4}" in p.message
    season["revenue_share"]["q4"] = 0.62
    # Champions last bought 0-30 days ago, so their rule puts every one of them in Q4: no habit shows
    (p,) = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert "whose last purchase was 0-30 days ago, so its rule puts their last orders in Q4" in p.message
    facts["segmentations"]["rfm"]["segments"]["champions"]["rule"] = "frequency 4-5, monetary 4-5"
    assert [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == []
    summer = _append_persona("champions", "Most of their spend landed in the summer.")(reference())
    (p,) = [p for p in validate(summer, facts) if p.code == "claim_contradicts_fact"]
    assert "fell in Q3 (Jul-Sep)" in p.message


@pytest.mark.parametrize(
    "key, text, refused",
    [
        # a six-year store's trial: 'they only buy at Black Friday' of a segment with 73% of its spend in Q4
        ("needs_attention", "They only buy at Christmas.", "fell outside Q4"),  # 86% of their spend in Q4
        ("needs_attention", "They buy only in the holiday season.", "fell outside Q4"),
        ("needs_attention", "Most of them buy only at Christmas.", None),  # most, not all: 84% bought in one quarter
        ("needs_attention", "Most of their spend landed at Christmas.", None),
        ("needs_attention", "They buy across the year, not only at Christmas.", None),
        ("at_risk", "They only buy in the summer.", "only 38.9% of At Risk bought in a single quarter"),
        ("at_risk", "Most of their spend landed in the summer.", None),  # what the share says
        # New last bought 0-30 days ago, so its rule puts every one of them in Q4: no habit shows
        ("new", "They mostly buy at Christmas.", "its rule puts their last orders in Q4"),
        ("new", "All of their spend came at Christmas.", None),
        ("dormant", "They only buy in the spring.", "only 39.8% of the spend of Dormant"),
        # an Activewear trial's: 'Inner Circle customers buy almost exclusively in the holiday quarter' (25% in one quarter)
        ("champions", "Northwind Insiders customers buy almost exclusively in the holiday quarter.", "only 2.7% of Champions bought in a single quarter"),
        ("needs_attention", "Occasional Shoppers customers buy almost exclusively in the holiday quarter.", None),  # 86% of their spend in Q4
        # and 'Most Lapsed Big Spenders bought leggings in our Black Friday sale', of a segment with none of its spend in Q4
        ("dormant", "Most Lapsed One-Timers bought leggings in our Black Friday sale.", "of the spend of Dormant fell in Q4"),
        ("needs_attention", "Most Occasional Shoppers bought in our Black Friday sale.", None),
        # a trade buyer's words: 'They mostly stock up before Christmas' (a trial, of a segment with 4.5% of its spend in Q4)
        ("at_risk", "They mostly stock up before Christmas.", "only 38.9% of At Risk bought in a single quarter"),
        ("needs_attention", "They mostly stock up before Christmas.", None),  # 86% of their spend in Q4
        ("dormant", "Most of them restocked in the run-up to Christmas.", "of the spend of Dormant fell in Q4"),
        # a negated claim agrees with spend across the year: a trial's 'They do not only buy for Christmas'
        # was refused as if it said they only buy then (2.7% of Champions bought in a single quarter)
        ("champions", "They do not only buy for Christmas: the last quarter held {segmentations.rfm.segments.champions.seasonality.revenue_share.q4} of their spend.", None),
        ("champions", "They only buy for Christmas: the last quarter held {segmentations.rfm.segments.champions.seasonality.revenue_share.q4} of their spend.", "only 2.7% of Champions bought in a single quarter"),
        ("champions", "They don't just buy for Christmas.", None),
        ("champions", "These customers do not just shop at Christmas.", None),
        ("champions", "Most of them do not only buy at Christmas.", None),
        ("champions", "They buy not only at Christmas.", None),
        ("champions", "They aren't only Christmas buyers.", None),
        ("dormant", "Most of them never bought in our Black Friday sale.", None),
        ("dormant", "They only buy at Christmas, not in the spring.", "only 0.0% of the spend of Dormant fell in Q4"),  # the negation is of another season
    ],
)
def test_a_season_claim_says_no_more_than_the_quarters_show(runs, key, text, refused):
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([f"segments.{key}.persona"] if refused else []), problems
    if refused:
        assert refused in problems[0].message and f"{{segmentations.rfm.segments.{key}.seasonality." in problems[0].message


@pytest.mark.parametrize(
    "key, text, refused",
    [
        # a six-year store's trial: Dormant's share of customers moved -0.7% of itself (stable)
        ("dormant", "Their numbers are rising fast.", "trend is stable"),
        ("dormant", "This group is shrinking quickly as people come back on their own.", "trend is stable"),
        ("dormant", "The group is holding steady.", None),
        ("dormant", "They are the main source of our growth.", "trend is stable"),
        ("champions", "The segment has stayed flat.", "trend is growing"),
        ("at_risk", "Their numbers remain stable.", "trend is declining"),
        ("at_risk", "They are not the main source of our growth.", None),
        # growing, but Needs Attention gained more of the base (+3.9 points against +1.5)
        ("champions", "They are the main source of our growth.", "Needs Attention gained more of the customer base"),
        ("needs_attention", "They drive our growth.", None),
        ("champions", "A nudge could make them the main source of our growth.", None),  # an aim
        ("champions", "Unlike the Dormant, whose numbers are shrinking, they keep coming.", None),  # the other segment
        ("dormant", "Their numbers are rising fast and they are our most loyal fans.", "trend is stable"),  # 'loyal' names no segment
        # whatever the subject: 'they', or a name with its count beside it
        ("at_risk", "They keep growing every quarter.", "trend is declining"),
        ("at_risk", "Slipping Regulars ({segmentations.rfm.segments.at_risk.count} customers) are growing.", "trend is declining"),
        ("champions", "Northwind Insiders ({segmentations.rfm.segments.champions.count} customers) are growing.", None),
        ("at_risk", "They are growing their orders with us.", None),  # not their number
    ],
)
def test_a_trend_claim_follows_the_segments_trend(runs, key, text, refused):
    facts = facts_of(runs)
    facts["segmentations"]["rfm"]["segments"]["dormant"].update(trend="stable", trend_change=-0.007)
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([f"segments.{key}.persona"] if refused else []), problems
    if refused:
        assert refused in problems[0].message and f"{{segmentations.rfm.segments.{key}.trend" in problems[0].message


@pytest.mark.parametrize(
    "key, text, refused",
    [
        # words of size in customers, against the count one period earlier (At Risk: 116 -> 95,
        # Dormant: 1,634 -> 1,770 while its share fell 11.4%, Champions: 28 -> 75)
        ("at_risk", "More shops slip into this group every quarter: the problem is growing.", "held 116 customers one period earlier and 95 now"),  # a trial's
        ("at_risk", "Fewer shops slip into this group than a quarter ago.", None),
        ("at_risk", "This group keeps getting bigger every quarter.", "held 116 customers"),  # a trial's
        ("at_risk", "The group is getting smaller.", None),
        ("dormant", "Fewer shops are going quiet than a quarter ago: this group is shrinking.", "held 1,634 customers one period earlier and 1,770 now"),  # a trial's
        ("dormant", "More shops are going quiet than a quarter ago, though this group is shrinking as a share of the base.", None),
        ("dormant", "This group is getting bigger.", None),
        ("dormant", "This group keeps getting bigger every quarter.", "within the 10% the segmentation calls stable"),  # +8.3%
        ("at_risk", "The aim is to get fewer shops into this group.", None),  # the plan's aim
        ("champions", "They hold more customers than Loyal did a quarter ago.", "number of customers"),  # a comparison of segments: _comparisons tells it
        # 'expanding', and by the segment's own (display) name: 'The Inner Circle has been expanding steadily this year' (a trial)
        ("champions", "The segment is expanding fast as more customers graduate into it.", None),
        ("at_risk", "The segment is expanding fast as more customers graduate into it.", "trend is declining"),  # a trial's, of a declining Champions
        ("at_risk", "Slipping Regulars has been expanding steadily this year.", "trend is declining"),
        ("champions", "Northwind Insiders has been expanding steadily this year.", None),
        # whatever the subject: the trial's 'Champions ({...count} customers) keep getting bigger every quarter'
        # of a declining segment passed where 'The VIP Circle is growing' was refused
        ("at_risk", "Slipping Regulars ({segmentations.rfm.segments.at_risk.count} customers) keep getting bigger every quarter.", "held 116 customers one period earlier and 95 now"),
        ("at_risk", "At Risk ({segmentations.rfm.segments.at_risk.count}) keeps getting bigger every quarter.", "held 116 customers"),
        ("at_risk", "They keep getting bigger every quarter.", "held 116 customers"),
        ("champions", "Northwind Insiders ({segmentations.rfm.segments.champions.count} customers) keep getting bigger every quarter.", None),  # 28 -> 75
        ("at_risk", "They are getting bigger discounts than they should.", None),  # not their number
    ],
)
def test_a_size_claim_in_customers_follows_the_segments_count(runs, key, text, refused):
    """A segment's count can rise while its share of customers falls (the base only grows):
    'more shops', 'fewer shops', 'bigger' are held against the count, 'growing' against the
    share's trend. A move said to go on ('keeps getting bigger every quarter') needs more than
    the segmentation calls stable."""
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact"]
    assert [p.path for p in problems] == ([f"segments.{key}.persona"] if refused else []), problems
    if refused:
        assert refused in problems[0].message, problems[0].message


S_ = "segmentations.rfm.segments"
LOYAL_BACK, CHAMPIONS_BACK = f"{{{S_}.loyal.next_repeat_rate}}", f"{{{S_}.champions.next_repeat_rate}}"  # 63.9%, 92.9%


@pytest.mark.parametrize(
    "path, text, code",
    [
        # a trial's: Regulars 23.0% against the VIP Circle's 47.4%; here 63.9% against 92.9%
        ("segments.loyal.persona", f"The Steady Regulars came back more often than the Northwind Insiders: {LOYAL_BACK} against {CHAMPIONS_BACK}.", "claim_contradicts_fact"),
        ("segments.loyal.persona", f"The Steady Regulars came back less often than the Northwind Insiders: {LOYAL_BACK} against {CHAMPIONS_BACK}.", None),
        ("segments.champions.persona", f"The Northwind Insiders came back more often than the Steady Regulars: {CHAMPIONS_BACK} against {LOYAL_BACK}.", None),
        # the names say which figure is which side, whatever order they are cited in
        ("segments.loyal.persona", f"The Steady Regulars came back less often than the Northwind Insiders: {CHAMPIONS_BACK} against {LOYAL_BACK}.", None),
        ("segments.loyal.persona", f"The Steady Regulars came back more often than the Northwind Insiders: {CHAMPIONS_BACK} against {LOYAL_BACK}.", "claim_contradicts_fact"),
        # each figure beside its side, or 'compared with' opening on the second side
        ("segments.loyal.persona", f"The Steady Regulars ({LOYAL_BACK}) came back less often than the Northwind Insiders ({CHAMPIONS_BACK}).", None),
        ("segments.loyal.persona", f"They ({LOYAL_BACK}) came back more often than the Northwind Insiders ({CHAMPIONS_BACK}).", "claim_contradicts_fact"),
        ("segments.loyal.persona", f"Compared with the Northwind Insiders ({CHAMPIONS_BACK}), they came back more often ({LOYAL_BACK}).", "claim_contradicts_fact"),
        ("segments.loyal.persona", f"Compared with the Northwind Insiders ({CHAMPIONS_BACK}), they came back less often ({LOYAL_BACK}).", None),
        # 'more likely to buy again' (a trial's: Dormant 2.0% against At Risk 11.9%; here 8.9% against 36.2%)
        ("segments.dormant.persona", f"Dormant customers are more likely to buy again than At Risk ones ({{{S_}.dormant.next_repeat_rate}} vs {{{S_}.at_risk.next_repeat_rate}}).", "claim_contradicts_fact"),
        ("segments.dormant.persona", f"At Risk customers are more likely to buy again than Dormant ones ({{{S_}.at_risk.next_repeat_rate}} vs {{{S_}.dormant.next_repeat_rate}}).", None),
        ("segments.dormant.persona", f"Lapsed One-Timers came back at a higher rate than Occasional Shoppers ({{{S_}.dormant.next_repeat_rate}} against {{{S_}.needs_attention.next_repeat_rate}}).", "claim_contradicts_fact"),
        # money: 'worth more' (90.27 against 331.09)
        ("segments.dormant.persona", f"Each Lapsed One-Timer is worth more than a Steady Regular ({{{S_}.dormant.avg_value}} against {{{S_}.loyal.avg_value}}).", "claim_contradicts_fact"),
        ("segments.dormant.persona", f"Each Lapsed One-Timer is worth less than a Steady Regular ({{{S_}.dormant.avg_value}} against {{{S_}.loyal.avg_value}}).", None),
        # recency: fewer days is the more recent (48 days against 16)
        ("segments.needs_attention.persona", f"They bought more recently than the First-Timers ({{{S_}.needs_attention.median_recency_days}} against {{{S_}.new.median_recency_days}}).", "claim_contradicts_fact"),
        ("segments.needs_attention.persona", f"They bought less recently than the First-Timers ({{{S_}.needs_attention.median_recency_days}} against {{{S_}.new.median_recency_days}}).", None),
        ("segments.needs_attention.persona", f"They have been quiet for longer than the First-Timers ({{{S_}.needs_attention.median_recency_days}} against {{{S_}.new.median_recency_days}}).", None),
        # in a hunch's evidence and a pathway's outcome too
        ("hypotheses[1].evidence", f"The Steady Regulars bought again less often than the First-Timers: {LOYAL_BACK} against {{{S_}.new.next_repeat_rate}}.", "claim_contradicts_fact"),
        ("pathways[1].expected_outcome", f"The Steady Regulars came back more often than the Occasional Shoppers: {LOYAL_BACK} against {{{S_}.needs_attention.next_repeat_rate}}.", None),
        # no order said: an aim, a denial, a quantity, no comparative
        ("segments.loyal.persona", f"The aim is for them to come back more often than the Northwind Insiders ({LOYAL_BACK} against {CHAMPIONS_BACK}).", None),
        ("segments.loyal.persona", f"They are no more likely to buy again than the Northwind Insiders ({LOYAL_BACK} against {CHAMPIONS_BACK}).", None),
        ("segments.loyal.persona", f"More than half of them came back ({LOYAL_BACK}), against {CHAMPIONS_BACK} of the Northwind Insiders.", None),
        ("segments.loyal.persona", f"They came back at {LOYAL_BACK}, against {CHAMPIONS_BACK} for the Northwind Insiders.", None),
        # two segments named, one cited: cite both, whichever way the words go
        ("segments.loyal.persona", f"The Steady Regulars came back more often than the Northwind Insiders ({LOYAL_BACK}).", "comparison_half_cited"),
        ("segments.loyal.persona", f"The Steady Regulars came back less often than the Northwind Insiders ({LOYAL_BACK}).", "comparison_half_cited"),
        ("segments.loyal.persona", f"They came back less often than the Northwind Insiders ({LOYAL_BACK}).", None),  # one side named
        # a share of customers says how many there are, not who came back
        ("segments.champions.persona", f"The Northwind Insiders come back more often than the Steady Regulars ({{{S_}.champions.pct_customers}} against {{{S_}.loyal.pct_customers}}).", "fact_unit_mismatch"),
        ("segments.champions.persona", f"There are fewer Northwind Insiders than Steady Regulars ({{{S_}.champions.pct_customers}} against {{{S_}.loyal.pct_customers}}).", None),
        ("segments.champions.persona", f"There are more Northwind Insiders than Steady Regulars ({{{S_}.champions.pct_customers}} against {{{S_}.loyal.pct_customers}}).", "claim_contradicts_fact"),
    ],
)
def test_a_comparison_gives_the_order_of_the_facts_it_cites(runs, path, text, code):
    """A sentence that compares two cited facts of one kind is held to their order (two skill
    trials passed a dozen backwards, among them 'Regulars came back more often than the VIP
    Circle'); comparing two segments by name needs both figures, and coming back a rate."""
    doc = reference()
    if path.endswith("persona"):
        doc = _append_persona(path.split(".")[1], text)(doc)
    else:
        doc = _set(path, text)(doc)
    found = [p for p in validate(doc, facts_of(runs)) if p.path == path and p.code in ("claim_contradicts_fact", "comparison_half_cited", "fact_unit_mismatch")]
    assert [p.code for p in found] == ([code] if code else []), found


def test_a_comparison_message_shows_both_figures_and_what_to_cite(runs):
    doc = _append_persona("needs_attention", f"They bought more recently than the First-Timers ({{{S_}.needs_attention.median_recency_days}} against {{{S_}.new.median_recency_days}}).")(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.path == "segments.needs_attention.persona"]
    assert "is lower than" in p.message and "48 days against 16 days" in p.message and "fewer days since the last purchase is the more recent" in p.message
    doc = _append_persona("loyal", f"The Steady Regulars came back more often than the Northwind Insiders ({LOYAL_BACK}).")(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.path == "segments.loyal.persona"]
    assert f"cite {CHAMPIONS_BACK} beside it" in p.message
    doc = _append_persona("champions", f"The Northwind Insiders come back more often than the Steady Regulars ({{{S_}.champions.pct_customers}} against {{{S_}.loyal.pct_customers}}).")(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.path == "segments.champions.persona"]
    assert f"cite {CHAMPIONS_BACK} and {LOYAL_BACK}" in p.message


@pytest.mark.parametrize(
    "evidence, refused",
    [
        # 'nearly all' beside a count of the migration matrix: a trial's 5 of 38; here Champions 17 of 28 stayed
        ("Nearly all Northwind Insiders stayed Northwind Insiders: {segmentations.rfm.migration.matrix.champions.champions} of them.", "17 of the 28 customers in Champions at the start"),
        ("Most Northwind Insiders stayed Northwind Insiders: {segmentations.rfm.migration.matrix.champions.champions} of them.", None),  # 60.7%
        ("Most Steady Regulars stayed: {segmentations.rfm.migration.matrix.loyal.loyal} of them.", "31 of the 97 customers in Loyal"),
        # one row's counts add up: 32 moved up and 31 stayed, 63 of 97
        ("Most Steady Regulars stayed or moved up: {segmentations.rfm.migration.matrix.loyal.loyal} and {segmentations.rfm.migration.matrix.loyal.champions} of them.", None),
    ],
)
def test_most_beside_a_migration_count_is_held_to_the_segment_it_is_part_of(runs, evidence, refused):
    doc = _set("hypotheses[1].evidence", evidence)(reference())
    found = [p for p in validate(doc, facts_of(runs)) if p.path == "hypotheses[1].evidence" and p.code == "claim_contradicts_fact"]
    assert len(found) == (1 if refused else 0), found
    if refused:
        assert refused in found[0].message, found[0].message


def test_a_size_claim_in_customers_without_counts_follows_the_trend(runs):
    """With no count one period earlier in the facts, the trend of the share decides."""
    facts = facts_of(runs)
    for key in ("at_risk", "champions"):
        facts["segmentations"]["rfm"]["segments"][key].pop("count_prev")
    doc = _append_persona("at_risk", "More shops slip into this group every quarter.")(reference())
    (p,) = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert "At Risk's trend is declining" in p.message and "{segmentations.rfm.segments.at_risk.trend_change}" in p.message
    true = _append_persona("champions", "More shops slip into this group every quarter.")(reference())
    assert not [p for p in validate(true, facts) if p.code == "claim_contradicts_fact"]


S = "segmentations.rfm.segments"


@pytest.mark.parametrize(
    "key, text, code",
    [
        # a six-year store's trial: Lapsed VIPs' lifetime share told as today's (they spent nothing last period)
        ("dormant", f"They still bring {{{S}.dormant.revenue_share}} of our revenue today.", "claim_contradicts_fact"),
        ("at_risk", f"As they bring {{{S}.at_risk.revenue_share}} of our current monthly sales, they matter most.", "claim_contradicts_fact"),
        ("dormant", f"Each of them still spends {{{S}.dormant.avg_value}}.", "claim_contradicts_fact"),
        # a lifetime figure is never this month's, whatever they spent last period
        ("loyal", f"They bring {{{S}.loyal.revenue_share}} of our current monthly sales.", "fact_unit_mismatch"),
        ("loyal", f"Each of them currently spends {{{S}.loyal.avg_value}}.", None),  # the segment they are in today: its figure
        ("champions", f"They spend {{{S}.champions.avg_value}} a month.", "fact_unit_mismatch"),
        ("loyal", f"They still bring {{{S}.loyal.revenue_share}} of revenue.", None),
        ("dormant", f"They brought {{{S}.dormant.revenue_share}} of all revenue since the data begins, but now buy nothing.", None),
        ("dormant", f"Together they brought {{{S}.dormant.revenue_share}} of all revenue; today they are quiet.", None),
        ("dormant", f"They are worth {{{S}.dormant.avg_value}} each on average.", None),
        ("champions", f"They spent {{{S}.champions.avg_value}} each over the years.", None),
        # next_repeat_rate: the share who bought again in the next 90-day period, not a monthly or personal chance
        ("new", f"Each with a {{{S}.new.next_repeat_rate}} chance of ordering next month.", "fact_unit_mismatch"),
        ("new", f"{{{S}.new.next_repeat_rate}} of them will order again this week.", "fact_unit_mismatch"),
        ("new", f"Every customer has a {{{S}.new.next_repeat_rate}} chance of a second order.", "fact_unit_mismatch"),
        ("new", f"Last period {{{S}.new.next_repeat_rate}} of them bought again in the next period.", None),
        ("new", f"{{{S}.new.next_repeat_rate}} of them bought again within the next quarter.", None),
    ],
)
def test_a_fact_is_read_over_its_own_span_of_time(runs, key, text, code):
    doc = _append_persona(key, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code in ("claim_contradicts_fact", "fact_unit_mismatch") and p.path == f"segments.{key}.persona"]
    assert [p.code for p in problems] == ([code] if code else []), problems
    if code == "claim_contradicts_fact":
        assert f"{{{S}.{key}.spend_last_period_per_customer}}" in problems[0].message and "915 days" in problems[0].message
    if code and "next_repeat_rate" in text:
        assert "{period_days}" in problems[0].message


def test_a_holiday_quarter_proves_no_black_friday_habit(runs):
    """A six-year store's trial: At Risk (last purchase 91-180 days ago, every buyer in Q4) had 73%
    of its spend in Q4, 'which proves they only buy at Black Friday' passed."""
    facts = facts_of(runs)
    at_risk = facts["segmentations"]["rfm"]["segments"]["at_risk"]
    at_risk["seasonality"].update(one_quarter_only=0.657, revenue_share={"q1": 0.007, "q2": 0.165, "q3": 0.098, "q4": 0.73}, buyers_share={"q1": 0.03, "q2": 0.24, "q3": 0.137, "q4": 1.0})
    doc = _append_persona("at_risk", "Holiday shoppers: {segmentations.rfm.segments.at_risk.seasonality.revenue_share.q4} of their spend came in the holiday quarter, which proves they only buy at Black Friday.")(reference())
    found = {p.code: p.message for p in validate(doc, facts) if p.path == "segments.at_risk.persona"}
    assert "'which proves'" in found["claim_not_in_data"]
    assert "27.0% of the spend of At Risk fell outside Q4" in found["claim_contradicts_fact"] and "last purchase was 91-180 days ago" in found["claim_contradicts_fact"]


def test_usage_claims_on_activity_figures(runs):
    """An event-log trial's claims that passed: 'our most active users' of Inactive, and a gap
    between active days read as time since the last one ('last seen {...median_gap_days} ago')."""
    facts = facts_of(runs, "product_events")
    usage = facts["segmentations"]["behavioral"]["segments"]
    busiest = max((k for k, s in usage.items() if s["count"]), key=lambda k: usage[k]["active_days_30"])
    quiet = min((k for k, s in usage.items() if s["count"]), key=lambda k: usage[k]["active_days_30"])
    doc = reference("product_events")
    doc["segmentation"] = "behavioral"
    for key, refused in ((quiet, True), (busiest, False)):
        doc["segments"] = {key: {**reference("product_events")["segments"]["new"], "persona": "They are our most active users, and it shows."}}
        found = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact" and "most active" in p.message]
        assert bool(found) == refused, (key, found)
    from custseg.strategy.claims import share_of_wrong_base

    keys = {f"segmentations.behavioral.segments.{quiet}.median_gap_days": 18.0, f"segmentations.behavioral.segments.{quiet}.days_since_active": 43.0}
    (p,) = share_of_wrong_base("p", f"Last seen a median {{segmentations.behavioral.segments.{quiet}.median_gap_days}} ago.", keys)
    assert p.code == "fact_unit_mismatch" and f"cite {{segmentations.behavioral.segments.{quiet}.days_since_active}}" in p.message
    assert share_of_wrong_base("p", f"They come back every {{segmentations.behavioral.segments.{quiet}.median_gap_days}}.", keys) == []


def test_an_amount_in_an_offer_is_pointed_at_offer_terms(runs):
    doc = _set("segments.new.offers", "Free delivery over £150 on the second order.")(reference())
    (problem,) = [p for p in validate(doc, facts_of(runs)) if p.path == "segments.new.offers"]
    assert problem.code == "figure_in_text" and "offer_terms with unit money" in problem.message


def test_a_tier_share_is_pointed_at_the_tier_definition(runs):
    """'the top 20% of lapsed spenders' quotes the value tiers' cut, not a segment's share."""
    facts = facts_of(runs)
    assert facts["segmentations"]["value"]["definition"]["tiers"][0] == {**facts["segmentations"]["value"]["definition"]["tiers"][0], "key": "high", "cut_share": 0.2}
    doc = _append_persona("dormant", "Start with the top 20% of them by spend.")(reference())
    (problem,) = [p for p in validate(doc, facts) if p.path == "segments.dormant.persona"]
    assert "{segmentations.value.definition.tiers.high.cut_share}" in problem.message
    cited = _append_persona("dormant", "Start with the top {segmentations.value.definition.tiers.high.cut_share} of them by spend.")(reference())
    assert [p for p in validate(cited, facts) if p.path == "segments.dormant.persona"] == []


def test_a_cadence_claim_is_not_judged_on_data_too_short_to_show_it(runs):
    """'They renew every month' on a segment with no measurable gap is refused only when the
    data spans two of the claimed gaps: on 22 days of Stripe payments nobody can have renewed
    yet (a trial's monthly subscribers), so the repeat rate says nothing about it."""
    facts = copy.deepcopy(facts_of(runs))
    doc = _append_persona("new", "They renew every month.")(reference())
    assert any(p.code == "claim_contradicts_fact" and "repeat_rate" in p.message for p in validate(doc, facts))
    facts["data"]["days_covered"] = 22
    assert not any(p.code == "claim_contradicts_fact" for p in validate(doc, facts))


@pytest.mark.parametrize(
    "text, refused",
    [
        ("They make up {segmentations.rfm.segments.at_risk.revenue_share} of our customers.", "pct_customers"),  # skill trial
        ("They are {segmentations.rfm.segments.at_risk.revenue_share} of all buyers.", "pct_customers"),
        ("They hold {segmentations.rfm.segments.at_risk.pct_customers} of the revenue.", "revenue_share"),
        ("They bring {segmentations.rfm.segments.at_risk.revenue_share} of revenue.", None),
        ("They brought {segmentations.rfm.segments.at_risk.revenue_share} of our customers' spend.", None),  # the customers' spend: revenue
        ("They are {segmentations.rfm.segments.at_risk.pct_customers} of the base and {segmentations.rfm.segments.at_risk.revenue_share} of sales.", None),
    ],
)
def test_a_share_is_of_its_own_base(runs, text, refused):
    """revenue_share is a share of revenue and pct_customers one of customers: the base named
    right after the reference is the one the fact counts."""
    doc = _append_persona("at_risk", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_unit_mismatch"]
    assert [p.path for p in problems] == (["segments.at_risk.persona"] if refused else []), problems
    if refused:
        assert f"cite {{segmentations.rfm.segments.at_risk.{refused}}}" in problems[0].message


D = "segmentations.rfm.segments.dormant"


@pytest.mark.parametrize(
    "text, refused",
    [
        (f"Their orders average {{{D}.avg_value}}.", "aov"),  # a UCI trial's: spend per customer told as per order
        (f"Their average order is {{{D}.avg_value}}.", "aov"),
        (f"An average basket of {{{D}.avg_value}}.", "aov"),
        (f"They spend {{{D}.avg_value}} per order.", "aov"),
        (f"Orders come to about {{{D}.avg_value}} a basket.", "aov"),
        (f"They spend {{{D}.aov}} per customer.", "avg_value"),  # the other way round
        # the true counterparts
        (f"Their orders average {{{D}.aov}}.", None),
        (f"They spent {{{D}.avg_value}} each over all their orders.", None),
        (f"Each spent {{{D}.avg_value}} in all, in orders of {{{D}.aov}} on average.", None),
        (f"They spend {{{D}.aov}} per order.", None),
    ],
)
def test_spend_per_customer_is_not_an_order_average(runs, text, refused):
    """avg_value is what a customer spent over all their orders, aov what an order averages:
    the words beside the reference say which the text reads it as."""
    doc = _append_persona("dormant", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_unit_mismatch" and p.path == "segments.dormant.persona"]
    assert [p.path for p in problems] == (["segments.dormant.persona"] if refused else []), problems
    if refused:
        assert f"cite {{{D}.{refused}}}" in problems[0].message


def test_claims_on_usage_groups_are_held_against_their_activity(runs):
    """A usage group's recency is days since any event: 'stopped visiting many months ago' of
    users last active a median 43 days ago is refused in words of activity (skill trial), and
    its repeat rate counts active days, so it says nothing of how many bought only once."""
    doc, facts = _behavioral(runs)
    facts["segmentations"]["behavioral"]["segments"]["inactive"]["days_since_active"] = 43

    def claims(key, text):
        changed = _append_persona(key, text)(copy.deepcopy(doc))
        return [p.message for p in validate(changed, facts) if p.code == "claim_contradicts_fact"]

    (message,) = claims("inactive", "They stopped visiting many months ago.")
    assert "the users in Inactive were last active (any event) a median 43 days ago" in message
    assert "{segmentations.behavioral.segments.inactive.days_since_active}" in message and "bought" not in message.split("' but ")[1]
    assert claims("inactive", "They haven't logged in for a long time.")
    assert not claims("regular", "Most of them bought only once.")  # active on several days, which says nothing of purchases
    facts["segmentations"]["behavioral"]["segments"]["occasional"]["repeat_rate"] = 0.3
    (message,) = claims("occasional", "Most of them came back again.")
    assert "only 30.0% of the users in Occasional Users were active on more than one day" in message


@pytest.mark.parametrize(
    "text, refused",
    [
        ("They are {segmentations.rfm.segments.new.repeat_rate} likely to churn after the first month.", True),  # Stripe trial
        ("Their churn risk is {segmentations.rfm.segments.new.next_repeat_rate}.", True),
        ("The chance of them leaving is about {segmentations.rfm.segments.new.pct_customers}.", True),
        ("{segmentations.rfm.segments.new.next_repeat_rate} of them bought again; the rest may churn.", False),
        ("{segmentations.rfm.segments.at_risk.count} customers likely to churn sit in At Risk.", False),  # a count, not a rate
    ],
)
def test_a_rate_is_not_a_chance_of_churning(runs, text, refused):
    doc = _append_persona("new", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_unit_mismatch"]
    assert bool(problems) == refused, problems


def _without_revenue(facts: dict) -> dict:
    """Facts of the event log run without its revenue property: no amounts, so no revenue shares."""
    facts["data"]["revenue_total"] = None
    for seg in facts["segmentations"].values():
        for stats in seg["segments"].values():
            stats["revenue_share"] = None
    return facts


def test_a_revenue_claim_needs_revenue_in_the_data(runs):
    """'They bring in most of the revenue' on an event log without amounts (skill trial)."""
    facts = _without_revenue(facts_of(runs, "product_events"))

    def claims(text, facts=facts):
        doc = _append_persona("dormant", text)(reference("product_events"))
        return [p.message for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]

    (message,) = claims("They bring in most of the revenue.")
    assert "this data holds no revenue" in message and "{segmentations.rfm.segments.dormant.pct_customers}" in message
    assert claims("They are most of our customers.") == []  # 57% of the buyers
    # a usage group has no revenue share even when the data has amounts: nothing to hold the claim against
    doc, with_amounts = _behavioral(runs)
    doc["segments"]["inactive"]["persona"] += " They bring in most of the revenue."
    assert [p for p in validate(doc, with_amounts) if p.code == "claim_contradicts_fact"] == []


@pytest.mark.parametrize(
    "text, refused",
    [
        ("They bought on {segmentations.behavioral.segments.regular.active_days_30} of the last month.", True),  # skill trial
        ("They purchased on {segmentations.behavioral.segments.regular.active_days_30} days.", True),
        ("{segmentations.behavioral.segments.regular.repeat_rate} of them are repeat buyers.", True),
        ("Their last order was a median {segmentations.behavioral.segments.inactive.days_since_active} ago.", True),
        ("They were active on {segmentations.behavioral.segments.regular.active_days_30} of the last thirty days.", False),
        ("Active on {segmentations.behavioral.segments.power.active_days_30} days a month, they are the likeliest to buy the annual plan.", "usage"),  # another clause
    ],
)
@pytest.mark.parametrize("plan", ["usage", "purchases"])
def test_activity_figures_are_not_told_in_words_of_buying(runs, text, refused, plan):
    """An event log's activity figures count any event: told as purchases ('bought on', 'repeat
    buyers', 'last order') they say what the data does not. A plan on purchases may cite one
    beside its buying words; only the figure's own clause is read there."""
    doc, facts = _behavioral(runs) if plan == "usage" else (reference("product_events"), facts_of(runs, "product_events"))
    key = next(iter(doc["segments"]))
    doc["segments"][key]["persona"] += " " + text
    problems = [p for p in validate(doc, facts) if p.code == "buying_words_on_activity"]
    assert bool(problems) == (refused is True or refused == plan), problems
    if problems:
        assert "not purchases; say 'active' instead" in problems[0].message


def _renamed(key: str, name: str):
    """Facts of a run whose rule table names ``key`` ``name``."""

    def mutate(facts: dict) -> dict:
        facts["segmentations"]["rfm"]["segments"][key]["name"] = name
        return facts

    return mutate


def _emptied(key: str):
    """Facts where ``key`` holds nobody (not merged: its rule matched no customer)."""

    def mutate(facts: dict) -> dict:
        facts["segmentations"]["rfm"]["segments"][key]["count"] = 0
        return facts

    return mutate


@pytest.mark.parametrize(
    "change, crm, text, refused",
    [
        (_merged_away("dormant", "at_risk"), "Klaviyo", "When Segment equals Dormant, start the win-back flow.", "joined 'At Risk'"),  # skill trial
        (_renamed("dormant", "Lapsed Buyers"), "Klaviyo", "When Segment equals Dormant, start the win-back flow.", "not a segment of this run"),
        (_renamed("dormant", "Lapsed Buyers"), "Mailchimp", "When a contact is tagged Dormant, send the last-chance note.", "not a segment of this run"),
        (_emptied("dormant"), "HubSpot", "When customer_segment is Dormant, create a task.", "holds no customers"),
        (_merged_away("dormant", "at_risk"), "Customer.io", "When segment_name is Dormant, start the win-back campaign.", "joined 'At Risk'"),  # segments_generic.csv
        (_merged_away("dormant", "at_risk"), "Klaviyo", "When the Segment is At Risk, start the win-back flow.", None),
        (_renamed("dormant", "Lapsed Buyers"), "Klaviyo", "When the Segment becomes Lapsed Buyers, start the win-back flow.", None),
        (lambda facts: facts, "Klaviyo", "When Segment equals Dormant, start the win-back flow.", None),
        (_merged_away("dormant", "at_risk"), "Shopify Flow", "When Segment equals Dormant, tag the customer.", None),  # imports none of the files
    ],
)
def test_a_rule_names_a_segment_the_file_carries(runs, change, crm, text, refused):
    """The CRM files carry the run's segments that hold customers: a segment merged away, renamed
    by the rule table or empty labels nobody there."""
    facts = change(facts_of(runs))
    doc = reference()
    doc["automation_rules"][1].update({"crm": crm, "rule": text})
    problems = [p for p in validate(doc, facts) if p.path == "automation_rules[1].rule" and p.code.startswith("rule_")]  # not the holdout
    assert [p.code for p in problems] == (["rule_value_not_in_file"] if refused else []), problems
    if refused:
        assert refused in problems[0].message and "'Dormant'" in problems[0].message


def test_the_built_in_rfm_names_are_the_rule_tables():
    from custseg.compute.rules import BUILT_IN
    from custseg.strategy.validate import BUILT_IN_RFM_NAMES

    assert set(BUILT_IN_RFM_NAMES) == {rule.name for table in BUILT_IN.values() for rule in table.rules}


def test_the_built_in_labels_are_the_segmentations_names():
    from custseg.compute.segmentations import BEHAVIOR_NAMES, HEALTH_NAMES
    from custseg.strategy.automation import BUILT_IN_LABELS

    assert set(BUILT_IN_LABELS["health"]) <= set(HEALTH_NAMES.values()) and set(BUILT_IN_LABELS["behavioral"]) <= set(BEHAVIOR_NAMES.values())
    assert set(BUILT_IN_LABELS["lifecycle"]) <= {"Onboarding", "Adopting", "Established", "Mature", "Lapsed", "Churned"}


def test_a_rule_on_a_label_of_a_segmentation_this_run_lacks(runs, tmp_path):
    """Three weeks of payments: no lifecycle or health. A Mailchimp rule on 'Lapsed' or
    'Struggling' matched nobody and passed (a trial); the message says why there is none."""
    from datetime import date, timedelta

    rows = ["customer_id,date,amount"] + [f"c{i % 60},{date(2024, 3, 1) + timedelta(days=i % 21)},{20 + i}.00" for i in range(150)]
    path = tmp_path / "short.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    from custseg.cli.main import main

    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--no-charts"]) == 0
    facts = json.loads((tmp_path / "out" / "facts.json").read_text(encoding="utf-8"))
    assert "lifecycle" not in facts["segmentations"] and "health" not in facts["segmentations"]
    doc = {"automation_rules": [{"crm": "Mailchimp", "segment": "dormant", "rule": text} for text in ("When a contact is tagged Lapsed, send the win-back.", "When a contact is tagged Struggling, check in.", "When a contact has been inactive for 30 days, check in.")]}
    from custseg.strategy.automation import _rule_values

    found = {p.path: p.message for p in _rule_values(doc, facts)}
    assert set(found) == {"automation_rules[0].rule", "automation_rules[1].rule"}
    assert "'Lapsed' is a lifecycle label, and this run has no lifecycle segmentation (needs at least 31 days of history" in found["automation_rules[0].rule"]
    # nor does the hand-over brief suggest a reminder on the gap between purchases nobody has here
    from custseg.render.briefs import render_brief

    rfm = facts["segmentations"]["rfm"]
    top = next(k for k in rfm["order"] if rfm["segments"][k]["count"])
    brief = render_brief("operationalize", facts)
    assert ("usually wait between purchases" in brief) == (rfm["segments"][top].get("median_gap_days") is not None)


@pytest.mark.parametrize(
    "example, crm, text, refused",
    [
        ("product_events", "HubSpot", "When outstanding_payment is yes, send a payment reminder.", True),  # skill trial: an event log owes nothing
        (SHOPIFY, "HubSpot", "When outstanding_payment is above zero, send a payment reminder.", True),
        (SHOPIFY, "Mailchimp", "When a contact's Outstanding Payment is above zero, send the card-update email.", True),
        ("stripe_unified_payments", "HubSpot", "When outstanding_payment is above zero, send a payment reminder.", False),  # hubspot.csv has it here
        (SHOPIFY, "HubSpot", "Send the renewal note a week before the next billing cycle.", False),  # words, not the column
        (SHOPIFY, "HubSpot", "When a contact has an outstanding payment, create a task.", False),
    ],
)
def test_a_rule_on_a_column_no_file_of_the_run_has(runs, example, crm, text, refused):
    """The exports write some columns only when the data holds them (what customers still owe):
    a rule on one this run's files lack filters on nothing."""
    doc = reference(example)
    doc["automation_rules"][1].update({"crm": crm, "rule": text})
    problems = [p for p in validate(doc, facts_of(runs, example)) if p.path == "automation_rules[1].rule" and p.code.startswith("rule_")]
    assert [p.code for p in problems] == (["rule_column_not_in_file"] if refused else []), problems
    if refused:
        assert "no file of this run has it: the exports write it only when the data holds it" in problems[0].message


def test_export_columns_are_every_column_the_exports_write(runs):
    from custseg.render.exports import GENERIC_COLUMNS, GENERIC_FILE, HUBSPOT, HUBSPOT_COLUMNS, KLAVIYO, KLAVIYO_COLUMNS, MAILCHIMP, MAILCHIMP_COLUMNS
    from custseg.strategy.automation import FILE_COLUMNS, LABEL_COLUMNS
    from custseg.strategy.validate import EXPORT_COLUMNS

    # check.py's columns of each file are the exports' own lists, in their order
    assert FILE_COLUMNS == {f"{KLAVIYO}.csv": KLAVIYO_COLUMNS, f"{HUBSPOT}.csv": HUBSPOT_COLUMNS, f"{MAILCHIMP}.csv": MAILCHIMP_COLUMNS, GENERIC_FILE: GENERIC_COLUMNS}
    assert all(column in FILE_COLUMNS[file] for file, by_segmentation in LABEL_COLUMNS.items() for column in by_segmentation.values())
    written = [(name, cols) for example in EXAMPLE_FILES for name, cols in facts_of(runs, example)["exports"]["columns"].items()]
    assert all(list(cols) == [c for c in FILE_COLUMNS[name] if c in cols] for name, cols in written)  # each run writes some of them, in that order
    assert {c for _, cols in written for c in cols} <= set(EXPORT_COLUMNS)
    # the last purchase's column per file, as check.py names it, is the one the exports write
    from custseg.render.exports import HUBSPOT_LAST_PURCHASE, KLAVIYO_LAST_PURCHASE
    from custseg.strategy.automation import LAST_PURCHASE_COLUMN

    assert LAST_PURCHASE_COLUMN == {"klaviyo.csv": KLAVIYO_LAST_PURCHASE, "hubspot.csv": HUBSPOT_LAST_PURCHASE, "segments_generic.csv": "last_purchase"}
    columns = facts_of(runs)["exports"]["columns"]
    assert all(column in columns[file] for file, column in LAST_PURCHASE_COLUMN.items())


@pytest.mark.parametrize(
    "plan, key, text, refused",
    [
        ("usage", "inactive", "Email all {segmentations.behavioral.segments.inactive.count} of them.", True),  # skill trial: the log held no email
        ("purchases", "dormant", "Email all {segmentations.rfm.segments.dormant.count} of them.", True),
        ("purchases", "dormant", "The win-back note goes to all {segmentations.rfm.segments.dormant.count} of them.", True),
        ("purchases", "dormant", "There are {segmentations.rfm.segments.dormant.count} of them, most gone quiet.", False),  # not said as reach
    ],
)
def test_a_count_is_no_reach_when_the_export_held_no_email(runs, plan, key, text, refused):
    """The email-tool files of an export without emails hold nobody: a count cited as the people
    an email reaches is refused whatever the segmentation (the channel itself may still be email:
    the user's own tool may hold addresses by source_id)."""
    doc, facts = _behavioral(runs) if plan == "usage" else (reference("product_events"), facts_of(runs, "product_events"))
    assert facts["exports"]["reachable"] == 0
    doc["segments"][key]["persona"] += " " + text
    problems = [p for p in validate(doc, facts) if p.code == "count_cited_as_reach"]
    assert [p.path for p in problems] == ([f"segments.{key}.persona"] if refused else []), problems
    if refused:
        assert "the export held no usable email address, so the email-tool files hold none of them" in problems[0].message
    if plan == "usage" and refused:
        assert "users of 'inactive'" in problems[0].message


def test_a_draft_without_a_roadmap_is_costed_over_one_budget_period(runs):
    """At stage strategy the roadmap may not be written yet: the costs run over one period of
    the budget, and the message says so instead of '4.33333 weeks' (skill trial)."""
    doc = reference()
    del doc["roadmap"]
    doc["budget"] = {"amount": 100, "per": "month"}
    (p,) = [p for p in validate(doc, facts_of(runs), stage="strategy") if p.code == "plan_over_budget"]
    assert p.message.startswith("over one month (the budget's period, as the plan has no roadmap yet) the pathways' budget comes to"), p.message
    assert "4.33" not in p.message


@pytest.mark.parametrize("text, figure", [("Over 3800 of them.", "3800 of them"), ("About 217 of them live in London.", "217 of them")])
def test_a_count_of_them_in_digits_is_told_as_digits(runs, text, figure):
    """'3800 of them' is a figure in digits: one problem, not also 'written in words' (skill trial)."""
    doc = _append_persona("dormant", text)(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.code == "figure_in_text"]
    assert f"'{figure}" in p.message and "is a figure in free text" in p.message and "{segmentations.rfm.segments.dormant.count}" in p.message


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("segmentations.rfm.opportunities.at_risk_to_loyal.rate", "segmentations.rfm.opportunities.at_risk_to_loyal.historical_rate"),  # skill trial: not to_segment
        ("segmentations.rfm.migration.at_risk_to_loyal.rate", "segmentations.rfm.opportunities.at_risk_to_loyal.historical_rate"),
        ("segmentations.rfm.segments.champions.cnt", "segmentations.rfm.segments.champions.count"),
        ("data.revenue", "data.revenue_total"),
    ],
)
def test_an_unknown_fact_points_at_the_number_it_likely_means(runs, typed, meant):
    doc = _append_persona("at_risk", f"They are {{{typed}}}.")(reference())
    (p,) = [p for p in validate(doc, facts_of(runs)) if p.code == "unknown_fact"]
    assert f"did you mean {{{meant}}}?" in p.message, p.message


def test_pathways_may_be_empty_when_one_segment_holds_everyone(runs):
    """Three customers all in one segment: there is no move to plan, and a trial had to invent
    a pathway towards an empty segment to pass. With two segments holding customers, an empty
    pathways list is still refused."""
    import copy

    facts = copy.deepcopy(facts_of(runs))
    doc = reference()
    doc["pathways"] = []
    assert "pathways" in {p.path for p in validate(doc, facts) if p.code == "empty_section"}
    segments = facts["segmentations"]["rfm"]["segments"]
    keep = next(k for k, s in segments.items() if s["count"])
    for key, seg in segments.items():
        if key != keep:
            seg["count"] = 0
    assert "pathways" not in {p.path for p in validate(doc, facts) if p.code == "empty_section"}


OPP = "segmentations.rfm.opportunities"


@pytest.mark.parametrize(
    "field, text, refused",
    [
        # CDNOW trial: the At Risk -> Loyal pathway citing the Dormant -> Loyal move's amount, and a rewording
        ("pathways[3].expected_outcome", f"If a tenth more of them moved, that could be {{{OPP}.dormant_to_loyal.value_per_10pct}} a period.", True),
        ("pathways[3].expected_outcome", f"Moving another tenth of them to Loyal could be worth {{{OPP}.dormant_to_loyal.value_per_10pct}} a period.", True),
        ("pathways[3].expected_outcome", f"If a tenth more of them moved, that could be {{{OPP}.at_risk_to_loyal.value_per_10pct}} a period.", False),
        ("pathways[3].expected_outcome", f"If a tenth of the Lapsed One-Timers moved as well, that could be {{{OPP}.dormant_to_loyal.value_per_10pct}} a period.", False),
        ("pathways[3].expected_outcome", f"If a tenth went on to the Northwind Insiders instead, that could be {{{OPP}.at_risk_to_champions.value_per_10pct}} a period.", False),
        ("pathways[3].expected_outcome", f"If a tenth more moved, that could be {{{OPP}.at_risk_to_champions.value_per_10pct}} a period.", True),
        # the same trial: another segment's move in At Risk's own goal, and a rewording
        ("segments.at_risk.goal", f"Expect this flow to add {{{OPP}.dormant_to_loyal.value_per_10pct}} to sales.", True),
        ("segments.at_risk.goal", f"A tenth more of them moving up could be worth {{{OPP}.dormant_to_loyal.value_per_10pct}} a period.", True),
        ("segments.at_risk.goal", f"If a tenth more of them moved up, that could be {{{OPP}.at_risk_to_loyal.value_per_10pct}} a period.", False),
    ],
)
def test_a_moves_amount_is_cited_for_its_own_move(runs, field, text, refused):
    doc = _set(field, text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "fact_of_other_segment"]
    assert [p.path for p in problems] == ([field] if refused else []), problems
    if refused:
        assert "at_risk_to_loyal.value_per_10pct}" in problems[0].message or "at_risk_to_champions" in problems[0].message


@pytest.mark.parametrize(
    "text, code",
    [
        # CDNOW trial wordings, each with a rewording
        (f"Expect this flow to add {{{OPP}.at_risk_to_loyal.value_per_10pct}} to sales a period.", "promise_in_text"),
        (f"We expect the campaign to bring in {{{OPP}.at_risk_to_loyal.value_per_10pct}} a period.", "promise_in_text"),
        ("This flow will win back most of them.", "promise_in_text"),
        ("The campaign is going to bring most of them back.", "promise_in_text"),
        ("This win-back will certainly bring most of them back.", "promise_in_text"),
        ("Winning them back adds {segmentations.rfm.segments.at_risk.revenue} in revenue.", "promise_in_text"),
        ("Bringing them back would recover {segmentations.rfm.segments.at_risk.revenue}.", "promise_in_text"),
        (f"The upside is {{{OPP}.at_risk_to_loyal.value_per_10pct}}.", "fact_unit_mismatch"),
        (f"A tenth more of them moving could be worth {{{OPP}.at_risk_to_loyal.expected_revenue}} on top.", "fact_unit_mismatch"),
        (f"Could bring in up to {{{OPP}.at_risk_to_loyal.value_per_10pct}} a month.", "fact_unit_mismatch"),
        (f"If a tenth moved, that could be {{{OPP}.at_risk_to_loyal.value_per_10pct}} in extra sales every year.", "fact_unit_mismatch"),
        (f"Each Slipping Regular won back adds {{{OPP}.at_risk_to_loyal.revenue_gap_per_customer}} every month from now on.", "fact_unit_mismatch"),
        (f"Each one won back could add {{{OPP}.at_risk_to_loyal.next_gap_per_customer}} a period for good.", "fact_unit_mismatch"),
        # Shopify trial: a customer's past spend told as what a push will bring, and a rewording
        ("A bundle push to them will bring in {segmentations.rfm.segments.at_risk.avg_value} more each this quarter.", "promise_in_text"),
        ("The bundle offer is going to add {segmentations.rfm.segments.at_risk.avg_value} per customer.", "promise_in_text"),
        ("Statistically proven repeat buyers: {segmentations.rfm.segments.at_risk.repeat_rate} repeat, so they will certainly buy a third time.", "promise_in_text"),
        ("They are sure to order again after the reminder.", "promise_in_text"),
        # a six-year store's trial: most of them promised back, with their old spend
        ("Most Slipping Regulars will come back after the first email, recovering their old spend of {segmentations.rfm.segments.at_risk.avg_value} each.", "promise_in_text"),
        ("Nearly all of them will buy again once the new season lands.", "promise_in_text"),
        ("The majority will return within the period.", "promise_in_text"),
        ("They will all come back for the sale.", "promise_in_text"),
        # an Activewear trial's expected outcome: their past spend told as what each spends again
        ("Most Slipping Regulars come back and each spends another {segmentations.rfm.segments.at_risk.avg_value}.", "promise_in_text"),
        ("Each one won back could spend another {segmentations.rfm.segments.at_risk.avg_value}.", None),  # a what-if
        ("Before they went quiet, each spent {segmentations.rfm.segments.at_risk.avg_value}.", None),
        ("If most of them come back, the flow has paid for itself.", None),
        ("We hope most of them will return for the new season.", None),
        ("Most of the emails will go out on a Tuesday.", None),
        # what stays: a what-if said as one, per period; past spend as past spend; an aim
        (f"If a tenth of them moved, that could be {{{OPP}.at_risk_to_loyal.value_per_10pct}} a period.", None),
        (f"At last period's rate the move is worth {{{OPP}.at_risk_to_loyal.expected_revenue}} every {{period_days}}.", None),
        (f"Each one won back spent {{{OPP}.at_risk_to_loyal.next_gap_per_customer}} more in the next period.", None),
        ("The flow aims to recover part of the {segmentations.rfm.segments.at_risk.revenue} they have spent.", None),
        ("The flow aims to win back some of them.", None),
        ("They will certainly notice the new colours.", None),
    ],
)
def test_what_a_plan_cannot_promise_or_size_otherwise(runs, text, code):
    doc = _append_persona("at_risk", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code in ("promise_in_text", "fact_unit_mismatch") and p.path == "segments.at_risk.persona"]
    assert [p.code for p in problems][:1] == ([code] if code else []), problems


@pytest.mark.parametrize(
    "field, text, refused",
    [
        # CDNOW trial: Dormant (a median 407 days quiet here) told as active buyers, and rewordings
        ("segments.dormant.persona", "These are our most loyal, active fans.", True),
        ("segments.dormant.persona", "They are our most engaged shoppers.", True),
        ("segments.dormant.persona", "They shop with us every month.", True),
        ("segments.dormant.persona", "They order from us about every two months.", True),
        ("segments.dormant.persona", "They are our best customers.", True),
        ("segments.dormant.persona", "They remain our most valuable customers.", True),
        ("automation_rules[2].rule", "When Segment equals Dormant (still active buyers), send the reactivation email.", True),
        ("automation_rules[2].rule", "When Segment equals Dormant, treat them as active customers and send the new catalogue.", True),
        # Shopify trial: 'mostly comes back within a week' of a segment whose repeat buyers wait a median 53 days
        ("segments.champions.persona", "They are typical of our customer base, which mostly comes back within a week.", True),
        ("segments.champions.persona", "Most of them reorder within a few days.", True),
        ("segments.dormant.persona", "Most of them come back within a month.", True),
        # what stays: the past, the aim, a comparison, a segment that is recent
        ("segments.dormant.persona", "They were once our most active fans.", False),
        ("segments.dormant.persona", "They used to shop with us every quarter.", False),
        ("segments.dormant.persona", "The goal is to turn them back into active buyers.", False),
        ("segments.dormant.persona", "Unlike our best customers, they stopped after one order.", False),
        ("segments.champions.persona", "They are our best customers.", False),
        ("segments.champions.persona", "Most of them come back within a quarter.", False),
        # a six-year store's trial: Lapsed VIPs (a median two years quiet, nothing spent last period)
        ("segments.dormant.persona", "Customers who keep ordering every season.", True),
        ("segments.at_risk.persona", "They shop with us year-round.", True),  # 125 days quiet, nothing spent last period
        ("segments.dormant.persona", "They regularly order the new colours.", True),
        ("segments.dormant.persona", "They used to order regularly.", False),
        ("segments.dormant.persona", "The flow aims to get them ordering again; to keep buying they need a reason.", False),
        ("segments.loyal.persona", "They keep ordering every season.", False),  # 33 days
    ],
)
def test_a_quiet_segment_is_not_told_as_active(runs, field, text, refused):
    doc = reference()
    doc = _set(field, (_get(doc, field) + " " + text) if field.startswith("segments") else text)(doc)
    problems = [p for p in validate(doc, facts_of(runs)) if p.code == "claim_contradicts_fact" and p.path == field]
    assert bool(problems) == refused, problems


def _get(doc, path: str):
    node = doc
    for p in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        node = node[int(p[1:-1])] if p.startswith("[") else node[p]
    return node


@pytest.mark.parametrize(
    "text, refused",
    [
        # Shopify trial (everyone opted out): a count told as the email list, and rewordings
        ("All {segmentations.rfm.segments.at_risk.count} of them are on our Shopify Email list.", True),
        ("They are the {segmentations.rfm.segments.at_risk.count} subscribers we can reach on Shopify Email.", True),
        ("All {segmentations.rfm.segments.at_risk.count} of them are in our Klaviyo audience.", True),
        ("There are {segmentations.rfm.segments.at_risk.count} of them; none can be emailed.", False),
    ],
)
def test_a_count_is_no_reach_when_nobody_can_be_emailed(runs, text, refused):
    facts = _nobody_emailable("at_risk")(facts_of(runs))
    doc = _append_persona("at_risk", text)(reference())
    problems = [p for p in validate(doc, facts) if p.code == "count_cited_as_reach"]
    assert bool(problems) == refused, problems
    if refused:
        assert "hold none of them" in problems[0].message


@pytest.mark.parametrize(
    "channel, emails",
    [
        ("Checkout email opt-in", False),  # Shopify trial: collects consent, emails nobody
        ("Email opt-in box at checkout", False),
        ("Email sign-up form on the thank-you page", False),
        ("Newsletter sign-up box in the footer", False),
        ("Email capture pop-up", False),
        ("Packaging insert with a QR code to join the email list", False),
        ("Re-permission email asking them to opt in again", True),
        ("Email opt-in reminder campaign", True),
        ("Email win-back flow", True),
    ],
)
def test_a_channel_that_only_builds_the_list_emails_nobody(runs, channel, emails):
    from custseg.strategy.reach import emails_segment

    assert emails_segment(channel) == emails
    facts = _nobody_emailable("at_risk")(facts_of(runs))
    doc = _set("segments.at_risk.channels", [channel])(reference())
    problems = [p for p in validate(doc, facts) if p.code == "unreachable_segment" and p.path == "segments.at_risk.channels[0]"]
    assert bool(problems) == emails, problems


@pytest.mark.parametrize(
    "text, code",
    [
        ("Churn risk of this customer is {segmentations.rfm.segments.at_risk.repeat_rate}, very low.", "fact_unit_mismatch"),  # Shopify trial
        ("The churn rate for this group sits at {segmentations.rfm.segments.at_risk.next_repeat_rate}.", "fact_unit_mismatch"),
        ("Statistically proven repeat buyers: {segmentations.rfm.segments.at_risk.repeat_rate} repeat.", "claim_not_in_data"),  # Shopify trial
        ("They are proven repeat customers.", "claim_not_in_data"),
        ("They love our snowboards and mostly buy gift cards.", "claim_not_in_data"),  # Shopify trial: the facts hold no products
        ("They buy mainly ski wax.", "claim_not_in_data"),
        ("You told us they mostly buy gift cards.", None),  # the user's word
        ("They mostly buy once, in the sale.", None),
        ("They buy mostly at full price.", None),
        ("Most Slipping Regulars bought leggings in the sale.", "claim_not_in_data"),  # Activewear trial
        ("Most of them bought twice.", None),
        ("Most of them bought several times in past years.", None),
        ("{segmentations.rfm.segments.at_risk.repeat_rate} of them bought again; the rest may churn.", None),
        # a lifetime repeat rate read as a chance of return (Activewear trial)
        ("Their chance of coming back is only {segmentations.rfm.segments.at_risk.repeat_rate}, based on last year.", "fact_unit_mismatch"),
        ("They have a {segmentations.rfm.segments.at_risk.repeat_rate} chance of ordering again.", "fact_unit_mismatch"),
        ("{segmentations.rfm.segments.at_risk.repeat_rate} of them bought more than once.", None),
        ("Last period {segmentations.rfm.segments.at_risk.next_repeat_rate} of them came back.", None),
    ],
)
def test_churn_proof_and_products_are_not_in_the_facts(runs, text, code):
    doc = _append_persona("at_risk", text)(reference())
    problems = [p for p in validate(doc, facts_of(runs)) if p.code in ("fact_unit_mismatch", "claim_not_in_data")]
    assert [p.code for p in problems] == ([code] if code else []), problems


@pytest.mark.parametrize("text", ["This customer brings most of our revenue: {segmentations.rfm.segments.dormant.revenue_share}.", "They bring in the majority of our sales."])
def test_most_of_the_revenue_counts_the_sales_that_named_no_customer(runs, text):
    """A Shopify trial: 51% of the sales that name a customer, when 77% of all sales were guest
    orders in no segment. A revenue share is of the sales that name a customer."""
    facts = copy.deepcopy(facts_of(runs))
    dormant = facts["segmentations"]["rfm"]["segments"]["dormant"]
    dormant["revenue_share"] = 0.51
    doc = _append_persona("dormant", text)(reference())
    assert [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"] == []  # few guest orders: most of it
    facts["data"]["dropped_value"]["no_identity"] = dormant["revenue"] / 0.51 * 3
    (p,) = [p for p in validate(doc, facts) if p.code == "claim_contradicts_fact"]
    assert "is a share of the sales that name a customer" in p.message and "{data.dropped_value.no_identity}" in p.message and "12.8% of all sales" in p.message


@pytest.mark.parametrize(
    "count, metric, target, refused",
    [
        (1, "repeat_rate", 0.5, "it can only be 0, 1"),  # Shopify trial: a one-customer segment
        (3, "repeat_rate", 0.5, "it can only be 0, 0.333333, 0.666667, 1"),
        (3, "repeat_rate", 0.67, None),  # two of three, rounded
        (1, "repeat_rate", 1, None),
        (20, "repeat_rate", 0.33, "the nearest values are 0.3 and 0.35"),
        (40, "repeat_rate", 0.33, None),  # 13 of 40 is 0.325: rounded
        (200, "repeat_rate", 0.33, None),
    ],
)
def test_a_rate_target_is_one_the_segments_size_can_reach(runs, count, metric, target, refused):
    facts = copy.deepcopy(facts_of(runs))
    facts["segmentations"]["rfm"]["segments"]["new"]["count"] = count
    doc = reference()
    doc["kpis"] = [k for k in doc["kpis"] if k["segment"] != "new"] + [{"segment": "new", "metric": metric, "baseline": "{segmentations.rfm.segments.new.repeat_rate}", "target": target, "review": "monthly"}]
    problems = [p for p in validate(doc, facts) if p.code == "target_between_steps"]
    assert [refused in p.message for p in problems] == ([True] if refused else []), problems


def test_the_kpi_brief_asks_for_no_count_target_check_refuses(runs):
    """A trial on three Stripe customers read 'counts rise as every buyer stays in the base' as
    advice to aim a count above the base (6 of 3), which check.py refuses: the brief says so."""
    from custseg.render.briefs import render_brief

    facts = copy.deepcopy(facts_of(runs, "stripe_unified_payments"))
    brief = render_brief("operationalize", facts)
    base = facts["segmentations"]["rfm"]["customers"]
    assert f"A `count` target is at most the {base:,} customers segmented now" in brief and "counts rise" not in brief
    facts["segmentations"]["rfm"]["customers"] = 3
    assert "steps of 1/3" in render_brief("operationalize", facts)


@pytest.mark.parametrize("said, refused", [
    ("Between them they still owe {data.failed_payments.outstanding_value}.", True),  # a trial's: the export's 4,970.00, the segment's 1,000.00
    ("Some of them owe part of the {data.failed_payments.outstanding_value} still outstanding.", True),
    ("Across all customers {data.failed_payments.outstanding_value} is still owed; they owe {segmentations.rfm.segments.champions.outstanding_value} of it.", False),
    ("They owe {segmentations.rfm.segments.champions.outstanding_value}.", False),
    # the sentence runs past the dots inside an earlier reference: 'Across all customers' is in it
    ("Across all customers {data.failed_payments.outstanding_customers} owe {data.failed_payments.outstanding_value}, and they include some of these.", False),
])
def test_the_exports_total_owed_is_not_a_segments(runs, said, refused):
    facts = facts_of(runs, "stripe_unified_payments")
    assert facts["segmentations"]["rfm"]["segments"]["champions"]["outstanding_value"] is not None
    doc = reference("stripe_unified_payments")
    doc["segments"]["champions"]["persona"] += " " + said
    found = [p for p in validate(doc, facts) if p.path == "segments.champions.persona" and p.code == "fact_of_other_segment"]
    assert bool(found) == refused
    if refused:
        assert "{segmentations.rfm.segments.champions.outstanding_value}" in found[0].message


@pytest.mark.parametrize("said, refused", [
    ("Most of our referrals come from them.", True),  # a coach's trial: the data holds no referrals
    ("They already refer friends to us.", True),
    ("Ask them to refer a friend, with a free session for both.", False),  # a plan mechanic
    ("Reward clients who refer a friend.", False),
    ("You told us most of your referrals come from them.", False),
])
def test_referral_claims_are_not_in_the_data(runs, said, refused):
    facts = facts_of(runs)
    doc = reference()
    doc["segments"]["champions"]["persona"] += " " + said
    found = [p for p in validate(doc, facts) if p.path == "segments.champions.persona" and p.code == "claim_not_in_data"]
    assert bool(found) == refused


# -- when a segment's customers joined, how they paid, names that mean something else ----------------


@pytest.mark.parametrize("key, said, code", [
    ("dormant", "They joined this month.", "claim_contradicts_fact"),  # last bought a median 359.5 days ago: joined before that
    ("needs_attention", "Most of them signed up in the last few weeks.", "claim_contradicts_fact"),  # last bought a median 47 days ago
    ("champions", "They signed up recently.", "claim_contradicts_fact"),  # 6 of 196 first bought in the last 90 days (migration.entered)
    ("new", "They joined this month.", None),  # one purchase each, a median 15.5 days ago, on data of 819 days
    ("new", "They just signed up.", None),
    ("new", "Most are new this month.", None),
    ("dormant", "They have not joined this month.", None),
    ("dormant", "You told us they joined this month.", None),  # the user's word
    ("dormant", "Unlike the New, who joined this month, they bought long ago.", None),  # about another segment
    ("dormant", "Send the welcome to those who joined this month.", None),  # a plan's subset, outside the persona
    ("at_risk", "Some started buying again this month.", None),  # a return, not a join
    ("at_risk", "A note on what is new this month.", None),  # the product's news
])
def test_when_a_segment_joined_is_held_against_its_facts(runs, key, said, code):
    """A customer's first purchase comes no later than their last: a segment whose median
    customer last bought a year ago did not join this month. The migration counts who first
    bought in the last period, and a segment whose customers bought once, on data reaching well
    back, first bought when it last did."""
    facts = facts_of(runs, "stripe_unified_payments")
    doc = reference("stripe_unified_payments")
    field = "offers" if said.startswith("Send") else "persona"
    doc["segments"][key][field] += " " + said
    found = [p for p in validate(doc, facts) if p.path == f"segments.{key}.{field}" and p.code in ("claim_contradicts_fact", "claim_not_in_data")]
    assert [p.code for p in found] == ([code] if code else []), found
    if key == "dormant" and code:
        assert "{segmentations.rfm.segments.dormant.median_recency_days}" in found[0].message
    if key == "champions":
        assert "{segmentations.rfm.migration.entered.champions}" in found[0].message


def test_joined_this_month_on_a_short_export_of_renewals_is_not_in_the_data(runs):
    """A Stripe trial: 22 days of payments, nine in ten of them subscription renewals ('Subscription
    update'). Each customer's first payment in the export was recent, but a renewal is no sign-up:
    the data does not reach back far enough to say who joined this month."""
    facts = copy.deepcopy(facts_of(runs, "stripe_unified_payments"))
    facts["data"]["days_covered"] = 22
    facts["data"]["recurring"]["customers_share"] = 0.92
    facts["segmentations"]["rfm"]["migration"] = None  # two periods are needed to count newcomers
    doc = reference("stripe_unified_payments")
    doc["segments"]["new"]["persona"] += " They joined this month."
    (p,) = [p for p in validate(doc, facts) if p.path == "segments.new.persona" and p.code.startswith("claim_")]
    assert p.code == "claim_not_in_data" and "the data covers 22 days" in p.message and "renewal" in p.message


def test_joined_this_month_on_a_lifecycle_plan_reads_the_tenure_bands(runs):
    """On the lifecycle segmentation the tenure bands say it: Onboarding (0-30 days since the
    first purchase) joined this month, Mature (366 days or more) did not, though its customers
    last bought a median few weeks ago."""
    from custseg.strategy.tenure import join_claims

    facts = facts_of(runs, "stripe_unified_payments")
    lifecycle = facts["segmentations"]["lifecycle"]["segments"]

    def codes(key, said):
        return [p.code for p in join_claims(f"segments.{key}.persona", said, key, "lifecycle", facts, [])]

    assert codes("onboarding", "They joined this month.") == []
    assert lifecycle["mature"]["median_recency_days"] < 31  # the band says it, not the recency
    (p,) = join_claims("segments.mature.persona", "They joined this month.", "mature", "lifecycle", facts, [])
    assert p.code == "claim_contradicts_fact" and "366 days or more ago (its tenure band" in p.message
    assert codes("adopting", "They joined this quarter.") == []


@pytest.mark.parametrize("said, refused", [
    ("Most of them paid in instalments.", True),  # a Stripe trial: both said of one segment, both passed
    ("Most paid in full up front.", True),
    ("They pay in full, never on a payment plan.", True),
    ("The majority paid for their programme in three installments.", True),
    ("They are instalment buyers.", True),
    ("Offer them a payment plan for the annual tier.", False),  # a plan mechanic
    ("Let them pay in instalments.", False),
    ("Remind them until the balance is paid in full.", False),  # a payment the plan follows
    ("You told us most of them pay in full.", False),
    ("Across the export {data.installments.customers} customers paid a later instalment in full.", False),  # the export's own fact
])
def test_how_a_segment_paid_is_not_in_the_data(runs, said, refused):
    facts = copy.deepcopy(facts_of(runs, "stripe_unified_payments"))
    facts["data"]["installments"] = {"basis": "the payment's Description says 'Payment 2 of 3'", "payments": 4, "revenue": 2203.23, "customers": 3, "purchase_days_not_counted": 2, "repeat_buyers_not_counted": 2}
    doc = reference("stripe_unified_payments")
    doc["segments"]["champions"]["persona"] += " " + said
    found = [p for p in validate(doc, facts) if p.path == "segments.champions.persona" and p.code == "claim_not_in_data"]
    assert bool(found) == refused, found
    if refused:
        assert "{data.installments.customers}" in found[0].message and "not per segment" in found[0].message


def test_contradictory_payment_claims_are_both_refused(runs):
    """Without any instalments in the export the facts say no more: each claim is refused."""
    facts = facts_of(runs, "stripe_unified_payments")
    assert facts["data"]["installments"] is None
    doc = reference("stripe_unified_payments")
    doc["segments"]["loyal"]["persona"] += " Most of them paid in instalments."
    doc["segments"]["loyal"]["goal"] += " Most paid in full up front, so keep them there."
    found = {p.path for p in validate(doc, facts) if p.code == "claim_not_in_data"}
    assert found == {"segments.loyal.persona", "segments.loyal.goal"}


@pytest.mark.parametrize("key, display, clash", [
    ("dormant", "Lapsed", "lifecycle"),  # a trial: RFM Dormant shown as the lifecycle's Lapsed stage
    ("new", "Onboarding", "lifecycle"),
    ("at_risk", "High Value", "value"),
    ("dormant", "At Risk", "rfm"),  # another segment's name in the same segmentation
    ("dormant", "committed subscribers", "plan"),  # Champions' display name in this plan, in another case
    ("dormant", "Failed payments only", "group"),  # a group of the CRM files
    ("dormant", "Dormant", None),  # its own name
    ("dormant", "Lapsed Payers", None),
    ("dormant", "VIP Champions", "rfm"),  # a trial: another segment's name inside the display name
    ("dormant", "Once-Loyal Payers", "rfm"),
    ("loyal", "Loyal Regulars", None),  # its own name inside
    ("at_risk", "Subscribers At Risk", None),
    ("champions", "Championship Payers", None),  # not the word
])
def test_a_display_name_is_no_label_that_means_something_else(runs, key, display, clash):
    facts = facts_of(runs, "stripe_unified_payments")
    doc = reference("stripe_unified_payments")
    doc["segments"][key]["display_name"] = display
    found = [p for p in validate(doc, facts) if p.code == "display_name_clash"]
    assert [p.path for p in found] == ([f"segments.{key}.display_name"] if clash else []), found
    if clash == "lifecycle":
        assert "lifecycle" in found[0].message
    if clash == "plan":
        assert "segments.champions" in found[0].message


def test_a_klaviyo_rule_on_segment_name_is_told_the_column_klaviyo_carries(runs):
    """An export without emails: crm-exports.md has the segment copied into the email tool from
    segments_generic.csv, and a trial's Klaviyo rule then named segment_name, which klaviyo.csv
    does not have. The refusal names the column to use, and crm-exports.md names each file's."""
    facts = facts_of(runs, "product_events")
    assert facts["exports"]["reachable"] == 0
    doc = reference("product_events")
    doc["automation_rules"].append({"segment": "at_risk", "crm": "Klaviyo", "rule": "When segment_name is At Risk, start the win-back flow."})
    (p,) = [p for p in validate(doc, facts) if p.path == "automation_rules[3].rule"]
    assert p.code == "rule_column_not_in_file" and "klaviyo.csv carries the segment's name in Segment" in p.message and "'Segment is At Risk'" in p.message
    doc["automation_rules"][3]["rule"] = "When Segment is At Risk and Holdout is not true, start the win-back flow."
    assert not [p for p in validate(doc, facts) if p.path == "automation_rules[3].rule"]
    doc["automation_rules"][3].update({"crm": "Mailchimp", "rule": "When customer_segment is At Risk, start the win-back flow."})
    (p,) = [p for p in validate(doc, facts) if p.path == "automation_rules[3].rule"]
    assert "mailchimp.csv carries the segment's name as a tag in Tags" in p.message and "'tagged At Risk'" in p.message
    guide = (EXAMPLES.parent / "skill" / "reference" / "crm-exports.md").read_text(encoding="utf-8")
    for file, column in (("klaviyo.csv", "`Segment`"), ("hubspot.csv", "`customer_segment`"), ("mailchimp.csv", "`Tags`"), ("segments_generic.csv", "`segment_name`")):
        assert re.search(rf"{re.escape(file)}[^.|]*?{re.escape(column)}", guide.split("**The segment's column.**", 1)[1].split("\n\n", 1)[0]), file


@pytest.mark.parametrize("said, days_later, refused", [
    ("As of today they have been gone for {segmentations.rfm.segments.dormant.median_recency_days}.", 1791, True),  # Activewear trial
    ("They are currently {segmentations.rfm.segments.dormant.median_recency_days} since their last order.", 400, True),
    ("As of today they have been gone for {segmentations.rfm.segments.dormant.median_recency_days}.", 10, False),  # fresh data
    ("When the data ends they had been gone for {segmentations.rfm.segments.dormant.median_recency_days}.", 1791, False),
    ("They last bought {segmentations.rfm.segments.dormant.median_recency_days} before the data ends; today they hear from us.", 1791, False),  # another clause
])
def test_a_recency_is_of_the_datas_last_date_not_today(runs, monkeypatch, said, days_later, refused):
    """median_recency_days counts days to the data's last date: on data that ended long ago,
    'as of today they have been gone for ...' understates it by the data's age."""
    from custseg.strategy import timeframes

    facts = facts_of(runs)
    last = datetime.date.fromisoformat(facts["data"]["date_max"])
    monkeypatch.setattr(timeframes, "today", lambda: last + datetime.timedelta(days=days_later))
    doc = _append_persona("dormant", said)(reference())
    found = [p for p in validate(doc, facts) if p.path == "segments.dormant.persona" and p.code == "claim_contradicts_fact"]
    assert bool(found) == refused, found
    if refused:
        assert "{data.date_max}" in found[0].message and f"{days_later:,} days before today" in found[0].message


@pytest.mark.parametrize("said, refused", [
    # an Activewear trial's expected outcome: most come back, each spending their old spend again
    ("Most Slipping Regulars come back and each spends another {segmentations.rfm.segments.at_risk.avg_value}.", True),
    ("Most of them return within the quarter.", True),  # an outcome says what will happen: no 'will' needed
    ("The flow aims to bring most of them back.", False),
    ("If most of them come back, the flow pays for itself.", False),
    ("Some of them could return; more than the {segmentations.rfm.segments.at_risk.next_repeat_rate} who did last period.", False),
])
def test_an_expected_outcome_does_not_promise_what_customers_do(runs, said, refused):
    doc = reference()
    (i,) = [i for i, p in enumerate(doc["pathways"]) if p["from_segment"] == "at_risk"]
    doc["pathways"][i]["expected_outcome"] = said
    found = [p for p in validate(doc, facts_of(runs)) if p.path == f"pathways[{i}].expected_outcome" and p.code == "promise_in_text"]
    assert len(found) == (1 if refused else 0), found


@pytest.mark.parametrize(
    "place, text, refused",
    [
        ("automation_rules[1].rule", "When Segment equals Champions and Holdout is not true, text them about every new drop.", True),
        ("automation_rules[1].rule", "When Segment equals Champions and Holdout is not true, text the win-back code to every phone number in segments_generic.csv.", True),
        ("automation_rules[1].rule", "When Segment equals Champions, Holdout is not true and SMS consent is subscribed, text them about every new drop.", False),
        ("automation_rules[1].rule", "When Segment equals Champions and Holdout is not true, send an SMS to those who agreed to texts.", False),
        ("automation_rules[1].rule", "When Segment equals Champions and Holdout is not true, send the plain-text early-access email.", False),
        ("pathways[0].intervention", "Text every Regular with a phone number in segments_generic.csv a reorder reminder.", True),
        ("pathways[0].intervention", "Text the Regulars whose sms_consent is yes a reorder reminder.", False),
    ],
)
def test_texts_go_only_to_those_who_agreed(runs, place, text, refused):
    """A second trial texted every phone in segments_generic.csv of an export that recorded no
    SMS consent: a rule or a pathway that texts says it goes to those who agreed."""
    doc = _set(place, text)(reference())
    found = [p.path for p in validate(doc, facts_of(runs)) if p.code == "texts_without_consent"]
    assert found == ([place] if refused else [])
