"""Each RFM segment's share of the last 365 days' revenue, and its refunds, against a pandas
recount of a generated Shopify export; the report's columns; check.py on returns claims.

An audit of a fashion brand's export (2020-2026) found Dormant with 79.8% of all revenue but
42.7% of the last 365 days', and 818 orders refunded in full and 1,054 kept orders refunded in
part with nothing said per segment."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pandas as pd
import pytest

from custseg.cli.main import main
from custseg.strategy.validate import validate

ROOT = Path(__file__).resolve().parents[1]
HEADER = "Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem name,Lineitem quantity,Refunded Amount,Cancelled at,Payment Method"
AS_OF = pd.Timestamp("2025-06-30")


def _orders(seed: int = 7, customers: int = 120) -> list[dict]:
    """Orders over three years: paid, refunded in part or in full, cancelled, guests without an
    email; several customers buy mostly in the last year, others only long ago."""
    r = random.Random(seed)
    out, n = [], 1000
    for c in range(customers):
        email = f"Person{c}@Example.com " if c % 7 == 0 else f"person{c}@example.com"  # case and spaces: one identity
        recent = c % 3 == 0
        for _ in range(r.randint(1, 6)):
            days = r.randint(0, 364) if recent and r.random() < 0.8 else r.randint(0, 3 * 365)
            day = AS_OF - pd.Timedelta(days=days)
            total = r.randint(20, 300)
            roll = r.random()
            status, refunded, cancelled = "paid", 0.0, ""
            if roll < 0.12:
                status, refunded = "refunded", float(total)
            elif roll < 0.27:
                status, refunded = "partially_refunded", float(r.randint(1, total - 1))
            elif roll < 0.30:
                cancelled = f"{day:%Y-%m-%d} 12:00:00 -0400"
            out.append({"name": f"#{n}", "email": email, "status": status, "day": day, "total": float(total), "refunded": refunded, "cancelled": cancelled})
            n += 1
    for g in range(5):  # guest orders: no identity
        out.append({"name": f"#{n + g}", "email": "", "status": "partially_refunded", "day": AS_OF - pd.Timedelta(days=g), "total": 80.0, "refunded": 10.0, "cancelled": ""})
    return out


def _write(path: Path, orders: list[dict]) -> None:
    rows = [HEADER]
    for o in orders:
        ts = f"{o['day']:%Y-%m-%d} 10:00:00 -0400"
        rows.append(f"{o['name']},{o['email']},{o['status']},{ts},USD,{o['total']:.2f},{ts},Tee - Black / M,1,{o['refunded']:.2f},{o['cancelled']},Shopify Payments")
        rows.append(f"{o['name']},,,,,,{ts},Cap - Blue,1,,,")  # a second line item: order fields only on the first row
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("refunds")
    orders = _orders()
    export = folder / "orders_export.csv"
    _write(export, orders)
    out = folder / "run"
    assert main(["run", str(export), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    return {"orders": pd.DataFrame(orders), "out": out, "facts": facts, "export": export, "folder": folder}


def _recount(run) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per order, the customer's segment (by email, from the CRM file) and whether it was kept,
    refunded in full or in part; recounted from the rows, not from the tools' tables."""
    o = run["orders"].copy()
    o["identity"] = o["email"].str.strip().str.lower()
    o = o[(o["identity"] != "") & (o["cancelled"] == "")]
    crm = pd.read_csv(run["out"] / "exports" / "segments_generic.csv", encoding="utf-8-sig")
    segment = dict(zip(crm["email"].str.lower(), crm["segment"]))
    o["segment"] = o["identity"].map(segment)
    return o, crm


def test_refunds_by_segment_match_a_pandas_recount(run):
    o, _ = _recount(run)
    facts = run["facts"]
    segs = facts["segmentations"]["rfm"]["segments"]
    counted = o[o["segment"].notna()]  # people none of whose orders was kept are in no segment
    assert (o[o["segment"].isna()]["status"] == "refunded").all()  # ... and all their orders were refunded in full
    seen = 0
    for key, s in segs.items():
        mine = counted[counted["segment"] == key]
        if not s["count"]:
            assert s["refunds"]["orders"] == 0 and s["refunds"]["orders_refunded_share"] is None
            continue
        full = int((mine["status"] == "refunded").sum())
        part = int((mine["status"] == "partially_refunded").sum())
        r = s["refunds"]
        assert (r["orders"], r["refunded_in_full"], r["refunded_in_part"]) == (len(mine), full, part), key
        assert r["orders_refunded_share"] == pytest.approx((full + part) / len(mine), abs=1e-6)
        assert r["charged_value"] == pytest.approx(mine["total"].sum(), abs=0.01)
        assert r["refunded_value"] == pytest.approx(mine["refunded"].sum(), abs=0.01)
        assert r["refunded_value_share"] == pytest.approx(mine["refunded"].sum() / mine["total"].sum(), abs=1e-6)
        seen += full + part
    everyone = facts["data"]["refunds"]
    assert everyone["refunded_in_full"] + everyone["refunded_in_part"] == seen > 0
    assert everyone["refunded_in_full"] < facts["data"]["dropped_orders"]["refunded"]  # some refunded people bought nothing else
    assert everyone["orders"] == len(counted) and everyone["columns"] == "Total and Refunded Amount"
    assert "refunds" not in facts["unavailable"]


def test_recent_revenue_shares_add_up_and_match_a_recount(run):
    o, _ = _recount(run)
    kept = o[o["status"].isin(["paid", "partially_refunded"]) & o["segment"].notna()].copy()
    kept["net"] = kept["total"] - kept["refunded"]
    as_of = pd.Timestamp(run["facts"]["as_of"])  # the last kept purchase day
    assert as_of == kept["day"].max()
    window = kept[(kept["day"] > as_of - pd.Timedelta(days=365)) & (kept["day"] <= as_of)]
    rfm = run["facts"]["segmentations"]["rfm"]
    start = f"{as_of - pd.Timedelta(days=364):%Y-%m-%d}"
    assert rfm["recent_revenue_window"] == {"window_start": start, "window_end": f"{as_of:%Y-%m-%d}", "window_days": 365, "whole_span": False, "revenue": pytest.approx(window["net"].sum(), abs=0.01)}
    shares = [s["recent_revenue_share"] for s in rfm["segments"].values() if s["recent_revenue_share"] is not None]
    assert sum(shares) == pytest.approx(1.0, abs=1e-5)
    by_segment = window.groupby("segment")["net"].sum()
    lifetime_differs = False
    for key, s in rfm["segments"].items():
        assert s["recent_revenue"] == pytest.approx(by_segment.get(key, 0.0), abs=0.01), key
        if s["count"]:
            assert s["recent_revenue_share"] == pytest.approx(by_segment.get(key, 0.0) / window["net"].sum(), abs=1e-6)
            lifetime_differs |= abs(s["recent_revenue_share"] - s["revenue_share"]) > 0.05
    assert lifetime_differs  # the two shares say different things on this data
    assert rfm["segments"]["dormant"]["recent_revenue_share"] < rfm["segments"]["dormant"]["revenue_share"]


def test_short_data_takes_its_whole_span_and_says_so(tmp_path):
    orders = [o for o in _orders(seed=3) if o["day"] > AS_OF - pd.Timedelta(days=200)]
    export = tmp_path / "orders.csv"
    _write(export, orders)
    assert main(["run", str(export), "--out", str(tmp_path / "run"), "--no-charts"]) == 0
    facts = json.loads((tmp_path / "run" / "facts.json").read_text(encoding="utf-8"))
    window = facts["segmentations"]["rfm"]["recent_revenue_window"]
    assert window["whole_span"] is True and window["window_days"] == facts["data"]["days_covered"] < 365
    for s in facts["segmentations"]["rfm"]["segments"].values():
        assert s["recent_revenue_share"] == s["revenue_share"]
    report = (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
    assert f"Revenue Share, All {window['window_days']} Days" in report and "as it holds less than 365 days: the same as Revenue Share" in report


def test_report_shows_both_shares_and_each_segments_refunds(run):
    facts = run["facts"]
    from custseg.render.report import fmt_money, fmt_pct

    md = (run["out"] / "report.md").read_text(encoding="utf-8")
    html = (run["out"] / "report.html").read_text(encoding="utf-8")
    glance = md[md.index("## RFM segments at a glance"):md.index("## Segment profiles")]
    assert "| Revenue Share | Revenue Share, Last 365 Days | Spend per customer |" in glance
    assert '<th class="num">Revenue Share</th><th class="num">Revenue Share, Last 365 Days</th>' in html
    everyone = fmt_pct(facts["data"]["refunds"]["orders_refunded_share"])
    for key, s in facts["segmentations"]["rfm"]["segments"].items():
        if not s["count"]:
            continue
        assert f"| {s['name']} | " in glance and f"| {fmt_pct(s['revenue_share'])} | {fmt_pct(s['recent_revenue_share'])} |" in glance, key
        assert f"<td class=\"num\">{fmt_pct(s['revenue_share'])}</td><td class=\"num\">{fmt_pct(s['recent_revenue_share'])}</td>" in html
        r = s["refunds"]
        said = (f"Of their {r['orders']:,} orders, {fmt_pct(r['orders_refunded_share'])} were refunded in full or in part ({r['refunded_in_full']:,} in full, {r['refunded_in_part']:,} in part), "
                f"against {everyone} of all segmented customers' orders; {fmt_money(r['refunded_value'], 'USD')} was paid back, {fmt_pct(r['refunded_value_share'])} of the {fmt_money(r['charged_value'], 'USD')} they were charged.")
        assert said in md and said in html, key


def test_segments_brief_lists_refunds_and_the_recent_share(run):
    from custseg.render.briefs import render_brief

    facts = run["facts"]
    brief = render_brief("segments", facts)
    assert "| Revenue share | Revenue share, last 365 days |" in brief
    assert "`{segmentations.rfm.segments.<key>.recent_revenue_share}`" in brief
    assert "**Refunds by segment** (read from Total and Refunded Amount)" in brief and "`{data.refunds.orders_refunded_share}`" in brief
    strategy = render_brief("strategy", facts)
    key = next(k for k, s in facts["segmentations"]["rfm"]["segments"].items() if s["count"])
    assert f"`{{segmentations.rfm.segments.{key}.refunds.orders_refunded_share}}`" in strategy
    assert f"`{{segmentations.rfm.segments.{key}.recent_revenue_share}}`" in strategy


# -- check.py ------------------------------------------------------------------------------------


def _reference() -> dict:
    return json.loads((ROOT / "examples" / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The Shopify example's facts (its export records refunds), and the same without them."""
    out = tmp_path_factory.mktemp("example") / "run"
    assert main(["run", str(ROOT / "examples" / "shopify_orders_export.csv"), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    plain = copy.deepcopy(facts)  # as a run on an export with no refunds column
    plain["data"]["refunds"] = None
    for s in plain["segmentations"]["rfm"]["segments"].values():
        s["refunds"] = None
    plain["unavailable"]["refunds"] = "the export has no refunded-amount column"
    return facts, plain


def _problems(facts: dict, key: str, text: str, codes=("claim_not_in_data", "claim_contradicts_fact", "fact_unit_mismatch")) -> list:
    doc = _reference()
    doc["segments"][key]["persona"] += " " + text
    before = {(p.path, p.message) for p in validate(_reference(), facts)}
    return [p for p in validate(doc, facts) if p.code in codes and (p.path, p.message) not in before]


def _highest_refunds(facts: dict) -> str:
    segs = {k: s for k, s in facts["segmentations"]["rfm"]["segments"].items() if s["count"] and s.get("refunds")}
    return max(segs, key=lambda k: segs[k]["refunds"]["orders_refunded_share"])


def test_a_cited_refund_claim_passes(example):
    facts, _ = example
    key = _highest_refunds(facts)
    assert facts["segmentations"]["rfm"]["segments"][key]["refunds"]["orders_refunded_share"] > facts["data"]["refunds"]["orders_refunded_share"]
    text = (f"They return more of their orders than others: {{segmentations.rfm.segments.{key}.refunds.orders_refunded_share}} of their orders were refunded in full or in part, "
            "against {data.refunds.orders_refunded_share} for everyone.")
    assert _problems(facts, key, text) == []
    assert _problems(facts, key, f"They were refunded {{segmentations.rfm.segments.{key}.refunds.refunded_value_share}} of what they were charged.") == []


def test_returns_claims_without_a_refund_figure_are_asked_for_one(example):
    facts, _ = example
    problems = _problems(facts, "at_risk", "They mostly return their first order.")
    assert len(problems) == 1 and "cites none of the facts' refund figures" in problems[0].message


def test_most_beside_a_small_refund_share_is_refused(example):
    facts, _ = example
    key = _highest_refunds(facts)
    share = facts["segmentations"]["rfm"]["segments"][key]["refunds"]["orders_refunded_share"]
    assert share < 0.5
    problems = _problems(facts, key, f"They return most of their orders: {{segmentations.rfm.segments.{key}.refunds.orders_refunded_share}}.")
    assert len(problems) == 1 and "less than half" in problems[0].message


def test_returns_claims_are_still_refused_on_data_without_refunds(example):
    _, plain = example
    for text in ("They mostly return their first order.", "They return most of their orders: {segmentations.rfm.segments.at_risk.refunds.orders_refunded_share}."):
        problems = _problems(plain, "at_risk", text, codes=("claim_not_in_data",))
        assert len(problems) == 1 and "the facts hold no returns per customer or segment" in problems[0].message, text


def test_recent_revenue_claims_are_held_to_the_recent_share(example):
    facts, _ = example
    segs = facts["segmentations"]["rfm"]["segments"]
    assert segs["dormant"]["recent_revenue_share"] < 0.5 and segs["loyal"]["recent_revenue_share"] < segs["dormant"]["recent_revenue_share"]
    assert _problems(facts, "dormant", "Dormant brings {segmentations.rfm.segments.dormant.recent_revenue_share} of this year's revenue.") == []
    refused = _problems(facts, "dormant", "They still bring most of this year's revenue.")
    assert len(refused) == 1 and "{segmentations.rfm.segments.dormant.recent_revenue_share}" in refused[0].message
    refused = _problems(facts, "loyal", "Loyal bring more of this year's revenue than Dormant.")
    assert len(refused) == 1 and "share of the last 365 days' revenue" in refused[0].message
    refused = _problems(facts, "dormant", "They brought {segmentations.rfm.segments.dormant.recent_revenue_share} of our customers.")
    assert len(refused) == 1 and refused[0].code == "fact_unit_mismatch"


def test_a_log_says_why_it_has_no_refunds(tmp_path):
    log = tmp_path / "log.csv"
    rows = ["customer_id,date,amount"] + [f"c{i % 9},2024-0{1 + i % 8}-1{i % 9},{10 + i}" for i in range(60)]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["run", str(log), "--out", str(tmp_path / "run"), "--no-charts"]) == 0
    facts = json.loads((tmp_path / "run" / "facts.json").read_text(encoding="utf-8"))
    assert "records a return as a row of its own" in facts["unavailable"]["refunds"]
    assert facts["data"]["refunds"] is None and all(s["refunds"] is None for s in facts["segmentations"]["rfm"]["segments"].values())


@pytest.mark.realdata
def test_monfrere_recent_shares_and_refunds(realdata, tmp_path):
    """The audit's figures: Dormant 79.8% of all revenue, 42.7% of the last 365 days; 426 of the
    818 orders refunded in full are segmented customers' (the rest bought nothing kept)."""
    d = realdata / "shopify_monfrere"
    out = tmp_path / "run"
    assert main(["run", str(d / "orders_export_1.csv"), str(d / "Shopify_orders_export_2.csv"), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    segs = facts["segmentations"]["rfm"]["segments"]
    assert (round(segs["dormant"]["revenue_share"], 3), round(segs["dormant"]["recent_revenue_share"], 3)) == (0.798, 0.427)
    assert (round(segs["loyal"]["recent_revenue_share"], 3), round(segs["at_risk"]["recent_revenue_share"], 3)) == (0.168, 0.149)
    assert facts["data"]["dropped_orders"]["refunded"] == 818
    assert (facts["data"]["refunds"]["refunded_in_full"], facts["data"]["refunds"]["refunded_in_part"]) == (426, 1057)  # 1,054 partially_refunded and 3 paid orders with a refund


# -- refund figures misread (a skill trial on a real Shopify export) --------------------------------

_R = "{{segmentations.rfm.segments.{}.refunds.{}}}"


def test_a_refunded_orders_share_read_as_customers_is_refused(example):
    facts, _ = example
    share = _R.format("dormant", "orders_refunded_share")
    for text in (f"{share} of Dormant customers asked for a refund.", f"{share} of them returned an order.", f"{share} of these asked for a refund."):
        problems = _problems(facts, "dormant", text)
        assert len(problems) == 1 and problems[0].code == "fact_unit_mismatch" and "reads it as a share of the customers" in problems[0].message, text
    assert _problems(facts, "dormant", f"{share} of their orders were refunded in full or in part.") == []
    assert _problems(facts, "dormant", f"{share} of the orders of Dormant customers were refunded in full or in part.") == []


def test_a_refunded_value_share_read_as_orders_is_refused(example):
    facts, _ = example
    share = _R.format("dormant", "refunded_value_share")
    problems = _problems(facts, "dormant", f"{share} of their orders were refunded.")
    assert len(problems) == 1 and problems[0].code == "fact_unit_mismatch" and _R.format("dormant", "orders_refunded_share") in problems[0].message
    assert _problems(facts, "dormant", f"{share} of what they were charged was paid back.") == []


def test_returning_more_often_is_held_to_the_two_refund_shares(example):
    facts, _ = example
    segs = facts["segmentations"]["rfm"]["segments"]
    low, high = sorted(("loyal", "champions"), key=lambda k: segs[k]["refunds"]["orders_refunded_share"])
    assert segs[low]["refunds"]["orders_refunded_share"] < segs[high]["refunds"]["orders_refunded_share"]
    name = {k: segs[k]["name"] for k in (low, high)}
    for words in ("return more often than", "send back more than", "are more likely to return orders than"):
        wrong = f"{name[low]} {words} {name[high]}: {_R.format(low, 'orders_refunded_share')} against {_R.format(high, 'orders_refunded_share')} of their orders refunded."
        problems = _problems(facts, "dormant", wrong)
        assert len(problems) == 1 and problems[0].code == "claim_contradicts_fact" and "is higher than" in problems[0].message, words
        right = f"{name[high]} {words} {name[low]}: {_R.format(high, 'orders_refunded_share')} against {_R.format(low, 'orders_refunded_share')} of their orders refunded."
        assert _problems(facts, "dormant", right) == [], words


def test_returned_goods_beside_a_refund_figure_are_refused_unless_said_as_refunds(example):
    facts, _ = example
    share = _R.format("dormant", "orders_refunded_share")
    for text in (f"They returned {share} of their orders.", f"They sent back {share} of what they bought."):
        problems = _problems(facts, "dormant", text)
        assert len(problems) == 1 and problems[0].code == "claim_not_in_data" and "not whether goods were returned" in problems[0].message, text
    assert _problems(facts, "dormant", f"They returned {share} of their orders, refunded in full or in part.") == []


def test_words_of_now_beside_an_all_time_revenue_share_point_at_the_recent_share(example):
    facts, _ = example
    segs = facts["segmentations"]["rfm"]["segments"]
    key = "needs_attention"  # still buying: not the quiet segment's older check
    assert segs[key]["spend_last_period_per_customer"] > 0 and segs[key]["recent_revenue_share"] != segs[key]["revenue_share"]
    share, recent = (f"{{segmentations.rfm.segments.{key}.{s}}}" for s in ("revenue_share", "recent_revenue_share"))
    for text in (f"They still bring {share} of our revenue today.", f"These days they account for {share} of revenue.", f"They currently bring {share} of sales.", f"Now they bring in {share} of our revenue."):
        problems = _problems(facts, key, text)
        assert len(problems) == 1 and problems[0].code == "fact_unit_mismatch" and recent in problems[0].message and "as today's" in problems[0].message, text
    assert _problems(facts, key, f"They currently bring {recent} of our revenue.") == []
    assert _problems(facts, key, f"They brought {share} of all revenue since the data begins.") == []
