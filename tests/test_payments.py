"""Failed and unfinished payments followed per customer (ingest/payments.py): retries count
once, a payment made later is not lost, and people who never paid are listed for recovery."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from custseg.ingest import load
from custseg.ingest.payments import RETRY_WINDOW_DAYS

STRIPE_HEADER = "id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Captured"

# (email, customer id, day in 2024, amount, status)
ATTEMPTS = [
    ("a@pay.example", "cus_a", "03-01", "100.00", "Failed"),  # declined three times, then paid: one payment, paid later
    ("a@pay.example", "cus_a", "03-02", "100.00", "Failed"),
    ("a@pay.example", "cus_a", "03-04", "100.00", "Failed"),
    ("a@pay.example", "cus_a", "03-05", "100.00", "Paid"),
    ("b@pay.example", "cus_b", "03-10", "50.00", "Failed"),  # never paid: outstanding, listed on its own
    ("c@pay.example", "cus_c", "03-01", "20.00", "Paid"),
    ("c@pay.example", "cus_c", "03-15", "80.00", "Failed"),  # a customer's other payment: outstanding
    ("d@pay.example", "cus_d", "02-01", "100.00", "Failed"),  # paid 48 days later: outside the window, outstanding
    ("d@pay.example", "cus_d", "03-20", "100.00", "Paid"),
    ("e@pay.example", "cus_e", "02-01", "30.00", "Failed"),  # two renewals 43 days apart: two payments
    ("e@pay.example", "cus_e", "03-15", "30.00", "Failed"),
    ("f@pay.example", "cus_f", "03-12", "200.00", "canceled"),  # an abandoned checkout, finished the same day
    ("f@pay.example", "cus_f", "03-12", "200.00", "Paid"),
    ("", "", "03-18", "40.00", "Failed"),  # nobody to follow
    ("g@pay.example", "cus_g", "03-03", "60.00", "Paid"),
]


def stripe_file(path: Path, rows=ATTEMPTS) -> Path:
    lines = [STRIPE_HEADER]
    for i, (email, cus, day, amount, status) in enumerate(rows):
        lines.append(f"ch_{i:04d},2024-{day} 12:00:00,{amount},0.00,usd,{status},{cus},{email},{'true' if status == 'Paid' else 'false'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_attempts_fold_into_payments(tmp_path):
    fp = load([str(stripe_file(tmp_path / "payments.csv"))]).failed_payments
    assert fp == {
        "reasons": ["failed", "cancelled"],
        "retry_window_days": RETRY_WINDOW_DAYS,
        "attempts": 10,
        "attempts_not_followed": 1,
        "payments": 7,  # a once, b, c, d, e twice, f
        "value": 590.0,
        "paid_later": 2,  # a and f
        "paid_later_value": 300.0,
        "outstanding": 5,
        "outstanding_value": 290.0,
        "outstanding_customers": 4,  # b, c, d, e
        "never_paid_customers": 2,  # b, e
        "never_paid_value": 110.0,
        "outstanding_recent": {"days": 90, "payments": 5, "value": 290.0},  # the data ends 2024-03-20: every failure is recent
        "outstanding_by_reason": {"failed": {"payments": 5, "value": 290.0}},  # f's cancelled checkout was paid the same day
    }


def test_health_counts_declined_payments_not_retries(tmp_path):
    issues = load([str(stripe_file(tmp_path / "payments.csv"))]).issues
    # a's three declines are one payment; e's two renewals are two (b, e never paid: no health score)
    assert sorted(issues["failed"].tolist()) == [1, 1, 1, 1, 2]


def test_a_shops_cancelled_orders_are_not_failed_payments(tmp_path):
    from tests.test_bad_input import shopify_orders, shopify_row

    rows = [shopify_row(i, f"buyer{i % 3}@shop.example", "paid") for i in range(6)]
    rows.append(shopify_row(7, "buyer1@shop.example", "voided").replace(",,Shopify", ",2024-03-09 10:00:00 -0400,Shopify"))
    f = tmp_path / "orders_export.csv"
    f.write_text(shopify_orders(rows), encoding="utf-8")
    ds = load([str(f)])
    assert ds.dropped.get("cancelled") == 1
    assert ds.failed_payments is None and ds.never_paid_contacts is None


def test_run_lists_never_paid_people_and_reports_the_payments(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("run", stripe_file(tmp_path / "payments.csv"), "--out", out, "--no-charts")
    assert r.code == 0, r.err
    facts = json.loads((out / "facts.json").read_text())
    assert facts["data"]["failed_payments"]["outstanding_value"] == 290.0
    assert facts["exports"]["reachable_by_segment"]["payment_failed"] == 2
    with open(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", newline="") as fh:
        listed = {row["email"]: row for row in csv.DictReader(fh)}
    never = {email for email, row in listed.items() if row["segment"] == "payment_failed"}
    assert never == {"b@pay.example", "e@pay.example"}
    assert listed["e@pay.example"]["source_id"] == "cus_e"
    assert listed["e@pay.example"]["r_score"] == ""  # no scores: they never bought
    customers = (out / "customers.csv").read_text()
    assert "payment_failed" not in customers  # customers.csv and the segments hold buyers only
    # who still owes what: c's 80 and d's 100 are customers; b's 50 and e's two 30s are listed apart
    owed = {email: (row["outstanding_payments"], row["outstanding_value"]) for email, row in listed.items() if row["outstanding_payments"] != "0"}
    assert owed == {"c@pay.example": ("1", "80"), "d@pay.example": ("1", "100"), "b@pay.example": ("1", "50"), "e@pay.example": ("2", "60")}
    rfm = facts["segmentations"]["rfm"]["segments"].values()
    assert sum(s["outstanding_customers"] for s in rfm) == 2 and sum(s["outstanding_value"] for s in rfm) == 180.0
    assert "Outstanding Payment" in (out / "exports" / "klaviyo.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    report = (out / "report.md").read_text()
    assert "10 attempts, 1 of them with no customer or date to follow. The others are 7 payments (590.00 USD)" in report
    assert "2 paid later (300.00 USD), 5 outstanding (290.00 USD) from 4 customers" in report
    assert "- **Payments outstanding**: 5 payments (290.00 USD) from 4 customers" in report
    assert "2 people made no successful payment in the export (110.00 USD)" in report
    brief = cli("brief", "strategy", "--facts", out / "facts.json")
    assert brief.code == 0, brief.err
    assert "`{data.failed_payments.outstanding_value}`" in brief.out and '"segment": "payment_failed"' in brief.out


def test_a_rule_may_name_the_never_paid(cli, tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert cli("run", root / "examples" / "stripe_unified_payments.csv", "--out", out, "--no-charts").code == 0
    doc = json.loads((root / "examples" / "strategies" / "stripe_unified_payments.strategy.json").read_text())
    facts = json.loads((out / "facts.json").read_text())
    assert facts["exports"]["groups"] == {"payment_failed": "Failed payments only"}
    # Klaviyo's file labels the group by name: a rule there on the key matches nobody
    doc["automation_rules"] = [{"segment": "payment_failed", "crm": "Klaviyo", "rule": "When Segment is payment_failed, send the card-update flow."}]
    (out / "strategy.json").write_text(json.dumps(doc))
    r = cli("check", out / "strategy.json", "--facts", out / "facts.json", "--json")
    assert [p["code"] for p in r.json()["problems"]] == ["rule_key_for_email_tool"] and "Failed payments only" in r.out
    for key, passes in (("payment_failed", True), ("payment_fail", False)):
        doc["automation_rules"] = [{"segment": key, "crm": "Stripe Billing", "rule": "Send the finish-your-payment email the day after a checkout fails."}]
        (out / "strategy.json").write_text(json.dumps(doc))
        r = cli("check", out / "strategy.json", "--facts", out / "facts.json")
        assert (r.code == 0) is passes, r.out + r.err
        if passes:  # the report names the group by the label the CRM files carry
            assert cli("render", "--facts", out / "facts.json", "--strategy", out / "strategy.json", "--out", out).code == 0
            rules = (out / "report.md").read_text().split("Send the finish-your-payment email")[0].splitlines()[-1]
            assert "Failed payments only" in rules, rules


def test_the_outstanding_figures_can_be_cited(cli, tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert cli("run", root / "examples" / "stripe_unified_payments.csv", "--out", out, "--no-charts").code == 0
    brief = cli("brief", "strategy", "--facts", out / "facts.json").out
    cited = re.findall(r"`(\{data\.failed_payments\.[a-z_.]+\})`", brief)
    assert "{data.failed_payments.outstanding_by_reason.failed.value}" in cited
    doc = json.loads((root / "examples" / "strategies" / "stripe_unified_payments.strategy.json").read_text())
    key = next(iter(doc["segments"]))
    doc["segments"][key]["messaging"] += " Cards that were declined still owe " + " and ".join(cited) + "."
    (out / "strategy.json").write_text(json.dumps(doc))
    r = cli("check", out / "strategy.json", "--facts", out / "facts.json")
    assert r.code == 0, r.out + r.err


def test_a_kpi_may_track_what_a_segment_still_owes(cli, tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert cli("run", root / "examples" / "stripe_unified_payments.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    key, stats = max(facts["segmentations"]["rfm"]["segments"].items(), key=lambda kv: kv[1]["outstanding_value"])
    assert stats["outstanding_value"] > 0
    doc = json.loads((root / "examples" / "strategies" / "stripe_unified_payments.strategy.json").read_text())
    for target, passes in ((round(stats["outstanding_value"] / 2, 2), True), (round(stats["outstanding_value"] * 2, 2), False)):
        doc["kpis"].append({"segment": key, "metric": "outstanding_value", "baseline": f"{{segmentations.rfm.segments.{key}.outstanding_value}}", "target": target, "review": "monthly"})
        (out / "strategy.json").write_text(json.dumps(doc))
        r = cli("check", out / "strategy.json", "--facts", out / "facts.json", "--json")
        assert (r.code == 0) is passes, r.out
        if not passes:  # owing more is not the goal
            assert [p["code"] for p in r.json()["problems"]] == ["kpi_target_backwards"]
        doc["kpis"].pop()


# -- the real Stripe export --------------------------------------------------------------------


def _reference(path: Path) -> dict:
    """The rule again, written plainly over csv rows: a second implementation to compare with."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    attempt_status = {"failed", "canceled", "requires_payment_method", "requires_confirmation", "requires_action"}

    def who(r):
        return r["Customer Email"].strip().lower() or r["Customer ID"].strip() or None

    def day(r):
        return date.fromisoformat(r["Created date (UTC)"][:10]).toordinal()

    paid = defaultdict(list)
    for r in rows:
        if r["Status"].lower() == "paid" and r["id"] and who(r):
            paid[(who(r), r["Amount"])].append(day(r))
    chains = defaultdict(list)
    for r in sorted((r for r in rows if r["Status"].lower() in attempt_status and who(r)), key=lambda r: (who(r), r["Amount"], day(r))):
        key = (who(r), r["Amount"])
        if chains[key] and day(r) - chains[key][-1][-1] <= RETRY_WINDOW_DAYS:
            chains[key][-1].append(day(r))
        else:
            chains[key].append([day(r)])
    buyers = {k[0] for k in paid}
    out = {"payments": 0, "paid_later": 0, "outstanding_value": 0.0, "never": set()}
    for key, runs in chains.items():
        for run in runs:
            out["payments"] += 1
            if any(run[0] <= d <= run[-1] + RETRY_WINDOW_DAYS for d in paid[key]):
                out["paid_later"] += 1
            else:
                out["outstanding_value"] += float(key[1])
                if key[0] not in buyers:
                    out["never"].add(key[0])
    return out


def test_real_stripe_export(cli, realdata):
    path = realdata / "stripe_mwfitness" / "unified_payments (1).csv"
    fp = cli("profile", path, "--json").json()["failed_payments"]
    # counted by hand from the file: 17 declines, 3 cancelled and 2 unfinished attempts
    assert (fp["attempts"], fp["payments"], fp["paid_later"], fp["outstanding"]) == (22, 14, 8, 6)
    assert (fp["paid_later_value"], fp["outstanding_value"], fp["never_paid_customers"], fp["never_paid_value"]) == (4820.0, 7970.0, 4, 3970.0)
    # the two 3,000 checkouts were abandoned, not declined: a different message
    assert fp["outstanding_by_reason"] == {"failed": {"payments": 4, "value": 1970.0}, "incomplete": {"payments": 1, "value": 3000.0}, "cancelled": {"payments": 1, "value": 3000.0}}
    ref = _reference(path)
    assert (fp["payments"], fp["paid_later"], fp["outstanding_value"], fp["never_paid_customers"]) == (ref["payments"], ref["paid_later"], ref["outstanding_value"], len(ref["never"]))


@pytest.mark.parametrize("status", ["Failed", "canceled"])
def test_a_payment_paid_before_its_failure_is_not_paid_later(tmp_path, status):
    """Only a payment on or after the first attempt settles it: an earlier one of the same amount
    was a different payment (last month's renewal)."""
    rows = [("a@pay.example", "cus_a", "01-05", "30.00", "Paid"), ("a@pay.example", "cus_a", "02-05", "30.00", status)]
    rows += [(f"{x}@pay.example", f"cus_{x}", "02-01", "10.00", "Paid") for x in "xyz"]
    fp = load([str(stripe_file(tmp_path / "p.csv", rows))]).failed_payments
    assert (fp["paid_later"], fp["outstanding"], fp["never_paid_customers"]) == (0, 1, 0)


def test_old_failures_are_told_apart_from_recent_ones(tmp_path):
    """A card declined 200 days before the data ends is outstanding, but not recent: the recent
    figure sizes what a reminder can still bring in, and outstanding_since says when."""
    rows = [("old@pay.example", "cus_o", "01-01", "70.00", "Failed"), ("new@pay.example", "cus_n", "07-10", "30.00", "Failed")]
    rows += [(f"{x}@pay.example", f"cus_{x}", "07-19", "10.00", "Paid") for x in "xyz"]
    ds = load([str(stripe_file(tmp_path / "p.csv", rows))])
    fp = ds.failed_payments
    assert (fp["outstanding"], fp["outstanding_value"]) == (2, 100.0)
    assert fp["outstanding_recent"] == {"days": 90, "payments": 1, "value": 30.0}
    assert sorted(ds.outstanding["outstanding_since"]) == ["2024-01-01", "2024-07-10"]


def test_attempts_without_a_date_are_counted_not_followed():
    """An unfinished payment whose date cannot be read is an attempt nobody can follow; when no
    row at all has a date and a customer, the summary still says so instead of failing
    (found by hypothesis: one 'expired' order with an unparseable date)."""
    import numpy as np
    import pandas as pd

    from custseg.ingest.payments import follow_up

    result = follow_up(pd.Series(["a@shop.example"]), np.array(["NaT"], dtype="datetime64[D]"), np.array([25.0]), ["kept", "incomplete"], np.array([1]), "shopify_orders")
    assert result is not None
    assert (result.summary["attempts"], result.summary["attempts_not_followed"], result.summary["payments"]) == (1, 1, 0)
    assert result.summary["outstanding_recent"]["payments"] == 0


# -- later installments of a purchase paid in parts (ingest/installments.py) ------------------


def test_later_installments_are_told_by_description_or_metadata():
    import pandas as pd

    from custseg.ingest.installments import later_installments

    orders = pd.DataFrame({
        "description": ["Coaching: Payment 1 of 3", "Coaching: Payment 2 of 3", "Installment 3/4", "PIF balance", "balance of split pay",
                        "6 month PIF", "Subscription update", "Payment 2 of 1", None, None, None],
        "installment_index": [None, None, None, None, None, None, None, None, "2", "1", "3"],
        "installment_total": [None, None, None, None, None, None, None, None, "3", "3", "1"],
    })
    assert later_installments(orders).tolist() == [False, True, True, True, True, False, False, False, True, False, False]


def test_a_later_installment_belongs_to_the_purchase_it_pays():
    from custseg.ingest.installments import purchase_starts

    day = np.array(["2024-03-01", "2024-03-05", "2024-02-10", "2024-03-10", "2024-04-10", "2024-01-01", "2024-02-01"], dtype="datetime64[D]")
    who = np.array([0, 0, 1, 1, 1, 2, 2])
    # 0: a deposit, then the balance; 1: parts 2 and 3 of a plan whose first part came before the
    # export; 2: two purchases of their own
    later = np.array([False, True, True, True, True, False, False])
    start = purchase_starts(day, who, later)
    assert start.tolist() == [0, 0, 2, 2, 2, 5, 6]
    assert day[start].astype(str).tolist() == ["2024-03-01", "2024-03-01", "2024-02-10", "2024-02-10", "2024-02-10", "2024-01-01", "2024-02-01"]


INSTALLMENT_HEADER = STRIPE_HEADER + ",Description,paymentIndex (metadata),totalPayments (metadata)"
# (who, day in 2024, amount, description, payment index, of)
INSTALLMENT_ROWS = [
    ("dep", "03-01", "100.00", "Subscription creation", "", ""),  # a deposit ...
    ("dep", "03-05", "1900.00", "PIF balance", "", ""),  # ... and the rest of the price
    ("plan", "01-10", "300.00", "Coaching: Payment 1 of 3", "1", "3"),  # one price in three monthly parts
    ("plan", "02-10", "300.00", "Coaching: Payment 2 of 3", "2", "3"),
    ("plan", "03-10", "300.00", "", "3", "3"),  # told by its metadata alone
    ("meta", "03-12", "50.00", "", "2", "4"),  # its first part was paid before the export
    ("meta", "04-12", "50.00", "", "3", "4"),
    ("again", "01-20", "80.00", "Template Pack", "", ""),  # a real repeat buyer
    ("again", "03-20", "80.00", "Template Pack", "", ""),
    ("once", "02-02", "40.00", "Template Pack", "", ""),
]


def _installment_export(path: Path) -> Path:
    lines = [INSTALLMENT_HEADER]
    for i, (who, day, amount, description, index, total) in enumerate(INSTALLMENT_ROWS):
        lines.append(f"ch_{i:04d},2024-{day} 12:00:00,{amount},0.00,usd,Paid,cus_{who},{who}@pay.example,true,{description},{index},{total}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_installments_add_spend_but_no_order_or_purchase_day(cli, tmp_path):
    """A later installment's money joins the payment that started its purchase: one order, so
    the average order value is the price paid in parts (a trial read 1,112.79 per order when
    each part counted as an order)."""
    path = _installment_export(tmp_path / "payments.csv")
    profile = cli("profile", path, "--json").json()
    assert profile["mapping"]["installment_index"] == "paymentIndex (metadata)" and "totalPayments (metadata)" not in profile["ignored_columns"]
    assert profile["rows"] == len(INSTALLMENT_ROWS) and sum(profile["dropped"].values()) == 0  # every payment kept: nothing reclassified
    assert profile["orders"] == len(INSTALLMENT_ROWS) - 4  # later installments join their purchase; meta's first one in the export starts it
    assert profile["revenue_total"] == pytest.approx(sum(float(r[2]) for r in INSTALLMENT_ROWS))
    assert profile["installments"] | {"basis": ""} == {"basis": "", "payments": 5, "revenue": 2600.0, "customers": 3, "purchase_days_not_counted": 4, "repeat_buyers_not_counted": 3}
    (said,) = [w for w in profile["warnings"] if "installment" in w]
    assert said.startswith("5 payments are later installments of a purchase paid in parts") and "2,600.00 USD from 3 customers" in said
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    rows = {r["email"].split("@")[0]: r for r in csv.DictReader(open(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", newline=""))}
    assert {who: int(r["purchase_days"]) for who, r in rows.items()} == {"dep": 1, "plan": 1, "meta": 1, "again": 2, "once": 1}
    assert {who: float(r["monetary_total"]) for who, r in rows.items()} == {"dep": 2000.0, "plan": 900.0, "meta": 100.0, "again": 160.0, "once": 40.0}
    customers = {r["source_id"] if "source_id" in r else r["customer_id"]: r for r in csv.DictReader(open(out / "customers.csv", encoding="utf-8-sig", newline=""))}
    assert sorted((int(r["orders"]), float(r["aov"])) for r in customers.values()) == [(1, 40.0), (1, 100.0), (1, 900.0), (1, 2000.0), (2, 80.0)]
    facts_text = (out / "facts.json").read_text()
    assert json.loads(facts_text)["data"]["installments"]["payments"] == 5
    for private in ("Coaching", "Template Pack"):  # the free text is read in ingest only
        assert private not in facts_text and private not in (out / "customers.csv").read_text()


def test_customers_who_spent_a_sliver_of_the_median_are_warned_about(cli, tmp_path):
    """A card test (1.00, or a few charges of about a dollar) is kept but named: the median
    customer here spent 100.00, so under 2.00 in all is asked about, 2.00 itself is not."""
    def warned(rows) -> list[str]:
        out = cli("profile", stripe_file(tmp_path / "payments.csv", rows), "--json").json()
        return [w for w in out["warnings"] if "test charges?" in w]

    assert warned(ATTEMPTS) == []
    tests = [("t@pay.example", "cus_t", "03-21", "1.00", "Paid"), ("u@pay.example", "cus_u", "03-22", "0.60", "Paid"), ("u@pay.example", "cus_u", "03-22", "0.70", "Paid")]
    fine = [("v@pay.example", "cus_v", "03-23", "2.00", "Paid")] + [(f"n{k}@pay.example", f"cus_n{k}", "03-24", "100.00", "Paid") for k in range(4)]
    (said,) = warned(ATTEMPTS + tests + fine)
    assert said.startswith("2 customers spent under 2.00 USD in total, less than 2% of the median customer (100.00 USD): test charges?")
    assert said.endswith("add --exclude-test-charges to leave them out (counted as dropped)")
    assert "outstanding" not in said  # the failed payments in ATTEMPTS are other customers'


def test_exclude_test_charges_drops_those_customers_counted(cli, tmp_path):
    """--exclude-test-charges leaves out the customers the warning names, their payments
    counted as dropped 'test_charge' with their value; 2.00 (exactly the cut) stays, and so
    does everyone's spend and the warning goes (the drop says it). A test customer's failed
    checkout is a test too: not owed (a trial's 3,000.00 'outstanding' from a test email)."""
    tests = [("t@pay.example", "cus_t", "03-21", "1.00", "Paid"), ("u@pay.example", "cus_u", "03-22", "0.60", "Paid"), ("u@pay.example", "cus_u", "03-22", "0.70", "Paid"),
             ("t@pay.example", "cus_t", "03-21", "3000.00", "Failed")]
    fine = [("v@pay.example", "cus_v", "03-23", "2.00", "Paid")] + [(f"n{k}@pay.example", f"cus_n{k}", "03-24", "100.00", "Paid") for k in range(4)]
    path = stripe_file(tmp_path / "payments.csv", ATTEMPTS + tests + fine)
    kept = cli("profile", path, "--json").json()
    left = cli("profile", path, "--exclude-test-charges", "--json").json()
    (said,) = [w for w in kept["warnings"] if "test charges?" in w]
    assert "kept in the segments and the CRM files, and 1 of the outstanding payments (3,000.00 USD) is theirs; if they are tests" in said
    # what they paid and what they never paid, apart: a dashboard's succeeded and failed payments
    assert (left["dropped"]["test_charge"], left["dropped"]["test_charge_unpaid"]) == (3, 1)
    assert (left["dropped_value"]["test_charge"], left["dropped_value"]["test_charge_unpaid"]) == (pytest.approx(2.30), 3000.0)
    assert left["test_charges"] == {"customers": 2, "payments": 3, "paid_value": 2.3, "unpaid_checkouts": 1, "unpaid_value": 3000.0, "outstanding_payments": 1, "outstanding_value": 3000.0}
    assert left["customers"] == kept["customers"] - 2
    assert left["revenue_total"] == pytest.approx(kept["revenue_total"] - 2.30)
    assert not [w for w in left["warnings"] if "test charges?" in w]
    owed = kept["failed_payments"]
    assert left["failed_payments"]["outstanding_value"] == pytest.approx(owed["outstanding_value"] - 3000.0) and left["failed_payments"]["outstanding"] == owed["outstanding"] - 1
    assert ("--exclude-test-charges left out 2 customers whose whole spend was under 2% of the median customer's: 4 rows, 3 payments (2.30 USD) and 1 failed or unfinished checkout (3,000.00 USD, never paid); "
            "of those checkouts, 1 payment (3,000.00 USD) was outstanding (not paid later, retries counted once): left out of the outstanding payments with their customers, as a test customer owes nothing") in left["notes"]
    out = tmp_path / "out"
    assert cli("run", path, "--exclude-test-charges", "--out", out, "--no-charts").code == 0
    emails = {r["email"] for r in csv.DictReader(open(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", newline=""))}
    assert "v@pay.example" in emails and not {"t@pay.example", "u@pay.example"} & emails
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| possible test customers' payments (--exclude-test-charges): spend under 2% of the median customer's | 3 | 2.30 USD |" in report
    assert "| possible test customers' failed or unfinished checkouts (--exclude-test-charges): never paid | 1 | 3,000.00 USD |" in report
    # the outstanding totals leave the test customer's checkout out, and the report says so beside them
    owed_said = "The 2 possible test customers left out (spend under 2% of the median customer's) had 1 outstanding payment (3,000.00 USD), not counted in any outstanding total: a test customer owes nothing."
    assert report.count(owed_said) == 2  # the summary's outstanding payments and the failed-payments paragraph
    from custseg.render.briefs import render_brief

    assert owed_said in render_brief("intake", json.loads((out / "facts.json").read_text(encoding="utf-8")))


def test_the_intake_warns_that_old_failures_may_be_settled(cli, tmp_path, monkeypatch):
    """Failed payments are 'the quickest win' only while they are fresh: on an export that
    ended months ago the intake says to check which are still unpaid first (a trial's
    'recent' failures were ten months old)."""
    from custseg.compute.metrics import to_days
    from custseg.facts import build
    from custseg.render.briefs import render_brief

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "out"
    assert cli("run", root / "examples" / "stripe_unified_payments.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    end = int(to_days(np.datetime64(facts["data"]["date_max"], "D")))
    monkeypatch.setattr(build, "today", lambda: end + 10)
    assert "quickest win." in render_brief("intake", facts) and "still unpaid" not in render_brief("intake", facts)
    monkeypatch.setattr(build, "today", lambda: end + 300)
    assert "quickest win; but this data ended 300 days ago, so even its \"recent\" failures are that old: the user should check in their payment tool which are still unpaid" in render_brief("intake", facts)


def test_unfinished_sign_ups_without_emails_are_not_money_to_chase(cli, tmp_path):
    """A new app's export: paying customers with emails, and checkouts that stopped at the card
    form under a fresh customer id each, with no email (Stripe's requires_payment_method). A
    trial read '7 outstanding ... money a reminder could still bring in is often the quickest
    win', an automation rule for them, and 'By segment, who owes: .' with nothing after it."""
    rows = [(f"{x}@pay.example", f"cus_{x}", "03-20", "9.99", "Paid") for x in "abc"]
    rows += [("", f"cus_try{i}", "03-20", "9.99", "requires_payment_method") for i in range(4)]
    path = stripe_file(tmp_path / "payments.csv", rows)
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    fp = facts["data"]["failed_payments"]
    assert (fp["outstanding_customers"], fp["never_paid_customers"], fp["reasons"]) == (4, 4, ["incomplete"])
    md = (out / "report.md").read_text(encoding="utf-8")
    (point,) = [ln for ln in md.splitlines() if ln.startswith("- **Payments outstanding**")]
    assert "from 4 customer ids were never completed" in point and "no reminder can reach them" in point and "so a reminder reaches them" not in point
    intake = cli("brief", "intake", "--facts", out / "facts.json").out
    assert "quickest win" not in intake and "nobody who owes left an email" in intake
    strategy = cli("brief", "strategy", "--facts", out / "facts.json").out
    assert "who owes: ." not in strategy and "By segment, who owes" not in strategy
    assert "no message or automation rule reaches them" in strategy and 'an automation rule with `"segment"' not in strategy
    assert "A payment-recovery message" not in strategy and "there is no one to send a recovery message to" in strategy
    assert "\n\nOf those customers, 4 customer ids" in strategy and "has no entry for them.\n\n## " in strategy
    # with emails, the same unfinished checkouts are people a reminder reaches
    rows = rows[:3] + [(f"try{i}@pay.example", f"cus_try{i}", "03-20", "9.99", "requires_payment_method") for i in range(4)]
    out = tmp_path / "out2"
    assert cli("run", stripe_file(tmp_path / "payments2.csv", rows), "--out", out, "--no-charts").code == 0
    assert "quickest win" in cli("brief", "intake", "--facts", out / "facts.json").out
    assert "A payment-recovery message" in cli("brief", "strategy", "--facts", out / "facts.json").out
    assert "so a reminder reaches them" in (out / "report.md").read_text(encoding="utf-8")


def test_the_strategy_brief_says_only_when_some_failures_are_old(cli, tmp_path):
    """'Only {...outstanding_recent.value} of it was last tried in the last 90 days' read oddly
    when all of it was (a trial on a 22-day export)."""
    out = tmp_path / "out"
    assert cli("run", stripe_file(tmp_path / "payments.csv"), "--out", out, "--no-charts").code == 0
    fp = json.loads((out / "facts.json").read_text(encoding="utf-8"))["data"]["failed_payments"]
    assert fp["outstanding_recent"]["payments"] == fp["outstanding"]  # every failure is recent here
    brief = cli("brief", "strategy", "--facts", out / "facts.json").out
    assert "All of it was last tried in the data's last 90 days." in brief and "Only `{data.failed_payments.outstanding_recent.value}`" not in brief
    rows = [("old@pay.example", "cus_o", "01-01", "70.00", "Failed"), ("new@pay.example", "cus_n", "07-10", "30.00", "Failed")]
    rows += [(f"{x}@pay.example", f"cus_{x}", "07-19", "10.00", "Paid") for x in "xyz"]
    out = tmp_path / "old"
    assert cli("run", stripe_file(tmp_path / "old.csv", rows), "--out", out, "--no-charts").code == 0
    brief = cli("brief", "strategy", "--facts", out / "facts.json").out
    assert "Only `{data.failed_payments.outstanding_recent.value}` of it was last tried" in brief and "All of it was last tried" not in brief
