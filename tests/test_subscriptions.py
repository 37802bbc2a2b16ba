"""Stripe payments a subscription billed: counted in data.recurring, warned about when most
customers subscribe, and read for each subscriber's billing cycle so lifecycle calls them
Lapsed a grace period after a missed renewal, not after 181 days."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest

from custseg.compute.segmentations import RENEWAL_GRACE_DAYS, billing_cycles, lifecycle

HEADER = "id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Captured,Description"
END = date(2025, 6, 30)


def test_billing_cycles_from_payment_days():
    code = np.array([0, 0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3, 4, 4, 5, 5])
    day = np.array([0, 2, 32, 62,  # monthly, with a proration two days after the first payment
                    10, 375, 740,  # annual
                    5,  # one payment: no cycle
                    0, 7, 14, 21,  # weekly
                    3, 10,  # one gap of a week: a plan change as often as a cycle
                    40, 400])  # one gap of a year: annual
    assert billing_cycles(code, day, 7).tolist() == [30, 365, 0, 7, 0, 365, 0]


def test_plan_names_state_a_cycle():
    import pandas as pd

    from custseg.ingest.subscriptions import plan_cycle_days

    names = pd.Series(["pro_annual", "Starter Monthly", "business_monthly", "6 month PIF", "Quarterly box", "yearly plan", "1:1 Coaching", None, "weekly_meals"])
    assert plan_cycle_days(names).tolist() == [365, 30, 30, 182, 91, 365, 0, 0, 7]


def test_a_subscriber_lapses_a_grace_period_after_a_missed_renewal():
    tenure = np.array([400, 400, 400, 400, 400])
    recency = np.array([30 + RENEWAL_GRACE_DAYS, 30 + RENEWAL_GRACE_DAYS - 1, 300, 200, 200])
    cycle = np.array([30, 30, 365, 0, 365])
    labels = lifecycle(tenure, recency, 181, "purchase", cycle=cycle)
    got = [labels.keys[i] for i in labels.index]
    # a monthly subscriber two months quiet is gone; an annual one who paid 300 days ago is not;
    # without a cycle the usual 181 days holds
    assert got == ["lapsed", "mature", "mature", "lapsed", "mature"]
    assert labels.definition["billing_cycles"] == {"monthly": 2, "annual": 2}
    assert "missed renewal" in labels.definition["lapsed"]
    plain = lifecycle(tenure, recency, 181, "purchase")
    assert "billing_cycles" not in plain.definition and [plain.keys[i] for i in plain.index] == ["mature", "mature", "lapsed", "lapsed", "lapsed"]


def _row(i: int, who: str, day: date, amount: str, description: str, status: str = "Paid") -> str:
    return f"ch_{i:05d},{day.isoformat()} 09:00:00,{amount},0.00,usd,{status},cus_{who},{who}@sub.example,true,{description}"


def _export(tmp_path, days_back_of_last: dict[str, tuple[int, int, int]]) -> str:
    """who -> (cycle days, payments, days before END of the last payment), plus one-off buyers."""
    rows, i = [HEADER], 0
    for who, (cycle, n, last_back) in days_back_of_last.items():
        for k in range(n):
            i += 1
            rows.append(_row(i, who, END - timedelta(days=last_back + (n - 1 - k) * cycle), "29.00" if cycle < 100 else "290.00", "Subscription creation" if k == 0 else "Subscription update"))
    for k in range(6):
        i += 1
        rows.append(_row(i, f"shop{k}", END - timedelta(days=3 * k), "49.00", "Template Pack"))
    path = tmp_path / "unified_payments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_the_plan_name_gives_the_cycle_of_a_single_payment(cli, tmp_path):
    """An annual subscriber with one payment 250 days ago is not Lapsed when the plan says annual;
    a monthly one with one payment 100 days ago is (two renewals missed)."""
    rows = [HEADER + ",plan (metadata)"]
    for i, (who, back, plan, amount) in enumerate([("ann", 250, "pro_annual", "290.00"), ("mon", 100, "pro_monthly", "29.00"), ("mon2", 5, "pro_monthly", "29.00"), ("x", 3, "", "49.00"), ("y", 9, "", "49.00")]):
        rows.append(_row(i, who, END - timedelta(days=back), amount, "Subscription creation" if plan else "Template Pack") + f",{plan}")
    path = tmp_path / "unified_payments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    import csv

    with open(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", newline="") as fh:
        stage = {row["email"].split("@")[0]: row["lifecycle"] for row in csv.DictReader(fh)}
    assert stage["ann"] != "lapsed" and stage["mon"] == "lapsed" and stage["mon2"] != "lapsed"
    facts = json.loads((out / "facts.json").read_text())
    assert facts["segmentations"]["lifecycle"]["definition"]["billing_cycles"] == {"monthly": 2, "annual": 1}


def test_run_reads_each_subscribers_cycle(cli, tmp_path):
    f = _export(tmp_path, {
        "monthly_gone": (30, 6, 75),  # missed two renewals
        "monthly_live": (30, 8, 10),
        "annual_live": (365, 2, 250),  # paid 250 days ago: more than 181, still within the year
        "single": (30, 1, 200),  # one payment: no cycle to read
    })
    out = tmp_path / "out"
    r = cli("run", f, "--out", out, "--no-charts")
    assert r.code == 0, r.err
    facts = json.loads((out / "facts.json").read_text())
    life = facts["segmentations"]["lifecycle"]
    assert life["definition"]["billing_cycles"] == {"monthly": 2, "annual": 1}
    rec = facts["data"]["recurring"]
    assert (rec["payments"], rec["customers"]) == (6 + 8 + 2 + 1, 4)
    assert rec["revenue"] == pytest.approx(29 * 15 + 290 * 2)
    import csv

    with open(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {row["email"].split("@")[0]: row for row in csv.DictReader(fh)}
    stage = {who: row["lifecycle"] for who, row in rows.items()}
    assert stage["monthly_gone"] == "lapsed" and stage["single"] == "lapsed"
    assert stage["monthly_live"] != "lapsed" and stage["annual_live"] != "lapsed"
    # the cycle is a column a CRM can filter on; one-off buyers and the single payment have none
    assert {who: row["billing_cycle"] for who, row in rows.items() if row["billing_cycle"]} == {"monthly_gone": "monthly", "monthly_live": "monthly", "annual_live": "annual"}
    assert life["definition"]["lapsed_subscribers"] == 1  # monthly_gone: the single payment has no cycle
    # the annual subscriber paid 250 days ago: RFM's recency calls them quiet, though they still pay
    (quiet,) = [w for w in facts["warnings"] if "still within their billing cycle" in w]
    assert quiet.startswith("1 subscriber still within their billing cycle has an R score of 1 or 2")
    brief = cli("brief", "segments", "--facts", out / "facts.json").out
    assert "**Subscribers and churn**: subscribers with a known billing cycle: monthly 2, annual 1. Of them, 1 is Lapsed" in brief
    assert "`{segmentations.lifecycle.definition.lapsed_subscribers}`" in brief
    # 4 subscribers of 10 customers: under half, so no warning that repeat payments are renewals
    assert rec["customers_share"] == 0.4 and not any("pay by subscription" in w for w in facts["warnings"])
    assert "Subscribers by billing cycle:** monthly 2, annual 1; 1 of them Lapsed" in (out / "report.md").read_text()


def test_a_short_export_of_subscriptions_is_warned_about(cli, tmp_path):
    f = _export(tmp_path, {f"s{k}": (30, 1, k) for k in range(10)})
    out = cli("profile", f, "--json").json()
    assert out["recurring"]["customers_share"] == pytest.approx(10 / 16, abs=1e-6)
    assert any("pay by subscription" in w for w in out["warnings"])
    (short,) = [w for w in out["warnings"] if "less than one monthly billing cycle" in w]
    assert "ranks subscribers by what they paid in these days: a dearer plan, or months or a package paid up front" in short and "instalments" not in short
    assert "description" in out["mapping"]


def test_the_description_never_reaches_the_facts(cli, tmp_path):
    f = _export(tmp_path, {"monthly_live": (30, 8, 10), "other": (30, 3, 5)})
    out = tmp_path / "out"
    assert cli("run", f, "--out", out, "--no-charts").code == 0
    facts = (out / "facts.json").read_text()
    assert "Template Pack" not in facts and "Subscription update" not in facts
    assert "Template Pack" not in (out / "customers.csv").read_text()


def test_lifecycle_ranges_hold_every_customer_when_cycles_set_the_threshold(cli, tmp_path):
    """check.py's bands for lifecycle stages (a KPI or pathway target outside them is refused)
    must hold every customer the run put in the stage, subscribers with a cycle included."""
    import csv

    from custseg.strategy.definitions import segment_ranges

    f = _export(tmp_path, {"monthly_gone": (30, 6, 75), "monthly_live": (30, 8, 10), "annual_live": (365, 2, 250), "single": (30, 1, 200)})
    out = tmp_path / "out"
    assert cli("run", f, "--out", out, "--no-charts").code == 0
    ranges = segment_ranges(json.loads((out / "facts.json").read_text())["segmentations"]["lifecycle"])
    assert ranges["lapsed"]["recency_days"] == (30 + RENEWAL_GRACE_DAYS, None)
    with open(out / "customers.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            for metric, (low, high) in ranges[row["lifecycle"]].items():
                value = int(row[metric])
                assert (low is None or value >= low) and (high is None or value <= high), (row["lifecycle"], metric, value)


def test_churned_subscribers_can_be_cited(cli, tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert cli("run", root / "examples" / "stripe_unified_payments.csv", "--out", out, "--no-charts").code == 0
    doc = json.loads((root / "examples" / "strategies" / "stripe_unified_payments.strategy.json").read_text())
    key = next(iter(doc["segments"]))
    doc["segments"][key]["persona"] += " Churned subscribers: {segmentations.lifecycle.definition.lapsed_subscribers}, {segmentations.lifecycle.definition.lapsed_by_cycle.annual} of them annual."
    (out / "strategy.json").write_text(json.dumps(doc))
    r = cli("check", out / "strategy.json", "--facts", out / "facts.json")
    assert r.code == 0, r.out


def _lapse_claims_agree(facts: dict) -> None:
    """A warning says subscribers lapse after a missed renewal only when lifecycle's definition
    applies that rule, and names its billing_cycles only when the definition holds them."""
    definition = facts["segmentations"]["lifecycle"]["definition"]
    (said,) = [w for w in facts["warnings"] if "pay by subscription" in w]
    assert ("after a missed renewal" in said) == ("missed renewal" in definition["lapsed"])
    assert ("billing_cycles" in said) == ("billing_cycles" in definition)


@pytest.mark.parametrize("as_of", [None, (END - timedelta(days=120)).isoformat()])
def test_the_warning_describes_the_lapse_lifecycle_applies(cli, tmp_path, as_of):
    """Two monthly subscribers show a cycle in all the data, but scored 120 days before the end
    only the single-payment subscribers are customers: no cycle is known then, so the run's
    warning must not promise the renewal-based lapse its lifecycle does not apply."""
    from tests.named_fields import missing_fields

    singles = {f"single{k}": (30, 1, 150 + k) for k in range(10)}
    f = _export(tmp_path, {**singles, "monthly_a": (30, 4, 0), "monthly_b": (30, 4, 2)})
    profile = cli("profile", f, "--json").json()
    (said,) = [w for w in profile["warnings"] if "pay by subscription" in w]
    assert "billing cycle of 2 subscribers" in said and f"{RENEWAL_GRACE_DAYS} days after a missed renewal" in said
    out = tmp_path / "out"
    r = cli("run", f, "--out", out, "--no-charts", *(["--as-of", as_of] if as_of else []))
    assert r.code == 0, r.err
    facts = json.loads((out / "facts.json").read_text())
    _lapse_claims_agree(facts)
    assert ("billing_cycles" in facts["segmentations"]["lifecycle"]["definition"]) == (as_of is None)
    assert missing_fields(facts, out) == []


@pytest.mark.parametrize("name", ["stripe_unified_payments.csv", "product_events.jsonl", "shopify_orders_export.csv"])
def test_every_field_a_warning_names_exists(cli, tmp_path, name):
    from pathlib import Path

    from tests.named_fields import missing_fields

    out = tmp_path / "out"
    assert cli("run", Path(__file__).resolve().parent.parent / "examples" / name, "--out", out, "--no-charts").code == 0
    assert missing_fields(json.loads((out / "facts.json").read_text()), out) == []
