"""check.py on claims a skill trial passed on a real Shopify export: two months of sales said to
have moved the other way ('July fell every year' citing a rising pair), a month the data holds
only in part set against a whole one, and a segment's sales channel, which the facts do not hold
per segment."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from custseg.cli.main import main
from custseg.strategy.validate import validate

ROOT = Path(__file__).resolve().parents[1]
CODES = ("claim_not_in_data", "claim_contradicts_fact", "fact_unit_mismatch")


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "run"
    assert main(["run", str(ROOT / "examples" / "shopify_orders_export.csv"), "--out", str(out), "--no-charts"]) == 0
    return json.loads((out / "facts.json").read_text(encoding="utf-8"))


def _reference() -> dict:
    return json.loads((ROOT / "examples" / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))


def _problems(facts: dict, key: str, text: str) -> list:
    doc = _reference()
    doc["segments"][key]["persona"] += " " + text
    before = {(p.path, p.message) for p in validate(_reference(), facts)}
    return [p for p in validate(doc, facts) if p.code in CODES and (p.path, p.message) not in before]


def _month(facts: dict, month: str) -> dict:
    return next(r for r in facts["data"]["by_month"] if r["month"] == month)


def test_a_month_said_to_fall_is_held_to_the_two_months_in_time_order(facts):
    earlier, later = _month(facts, "2024-07"), _month(facts, "2025-07")
    assert earlier["revenue"] < later["revenue"]  # July rose
    a, b = "{data.by_month.2024-07.revenue}", "{data.by_month.2025-07.revenue}"
    for text in (f"July fell every year: {a} against {b}.", f"July sales dropped: {b} in the later year against {a}.", f"July sales fell from {b} to {a}."):
        problems = _problems(facts, "dormant", text)
        assert len(problems) == 1 and problems[0].code == "claim_contradicts_fact" and "month" in problems[0].message, text
    for text in (f"July sales grew: {a} against {b}.", f"July sales rose from {a} to {b}.", f"July sales grew: {b} in the later year against {a}."):
        assert _problems(facts, "dormant", text) == [], text


def test_a_partial_month_compared_with_a_whole_one_is_refused(facts):
    partial = copy.deepcopy(facts)
    month = _month(partial, "2025-07")
    month["days_covered"] = 12  # as when the export ends on the 12th
    a, b = "{data.by_month.2024-07.revenue}", "{data.by_month.2025-07.revenue}"
    problems = _problems(partial, "dormant", f"July sales grew: {a} against {b}.")
    assert len(problems) == 1 and problems[0].code == "fact_unit_mismatch" and "only 12 of the 31 days of 2025-07" in problems[0].message
    assert _problems(facts, "dormant", f"July sales grew: {a} against {b}.") == []  # both whole: the same words stand
    assert _problems(partial, "dormant", f"In July 2025 the shop sold {b}.") == []  # cited, not compared


def _answered(facts: dict, key: str, text: str, answers: dict) -> list:
    doc = _reference()
    doc["segments"][key]["persona"] += " " + text
    before = {(p.path, p.message) for p in validate(_reference(), facts, answers=answers)}
    return [p for p in validate(doc, facts, answers=answers) if p.code in CODES and (p.path, p.message) not in before]


def test_a_segments_sales_channel_is_a_claim_not_in_data(facts):
    assert facts["data"]["by_channel"] and all("by_channel" not in s for s in facts["segmentations"]["rfm"]["segments"].values())
    for text in ("Loyal mostly buy through Instagram Shop.", "They found us through the Shop app.", "They mostly order on the online store.", "They shop in store.", "Most of them buy online."):
        problems = _problems(facts, "loyal", text)
        assert len(problems) == 1 and problems[0].code == "claim_not_in_data" and "not per segment" in problems[0].message and "{data.by_channel.0.orders}" in problems[0].message, text
    # named in another segment's text: said of the segment named
    problems = _problems(facts, "dormant", "Unlike them, Loyal buy through the point of sale.")
    assert len(problems) == 1 and "how or where Loyal buy" in problems[0].message
    for text in ("Invite them to buy through the Shop app.", "They do not buy through TikTok.", "Buy online, collect in store.", "Do they buy online?", "They buy on impulse.", "They bought at full price.", "Many found the shop through a marketplace comparison.", "Their first order through the online store was small."):
        assert _problems(facts, "loyal", text) == [], text


def test_a_channel_named_by_the_user_is_held_too(facts):
    app = next(c["channel"] for c in facts["data"]["by_channel"] if c["channel"].isdigit())
    answers = {"Channel names": {app: "Lookbook Live"}}
    problems = _answered(facts, "loyal", "Loyal mostly buy via Lookbook Live.", answers)
    assert len(problems) == 1 and problems[0].code == "claim_not_in_data" and "'Lookbook Live'" in problems[0].message
    assert _problems(facts, "loyal", "Loyal mostly buy via Lookbook Live.") == []  # unnamed, the words are no channel
    assert _answered(facts, "loyal", "Show them the Lookbook Live range.", answers) == []
