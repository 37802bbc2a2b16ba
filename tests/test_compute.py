"""segment run: metrics agree with lifetimes, scores are tie-safe, segments are MECE."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas as pd
import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from custseg.compute.metrics import Ledger, customer_metrics
from custseg.compute.rfm import Scored, assign, choose_table, score
from custseg.compute.rules import DEFAULT
from custseg.compute.scoring import quantile_score
from custseg.ingest import pseudonymize, read_key
from tests.conftest import EXAMPLES
from tests.test_cdnow_master import cdnow_master  # noqa: F401  (fixture)

SEGMENTATIONS_WITH_LABEL = {"rfm": "segment", "lifecycle": "lifecycle", "value": "value_tier", "health": "health_band", "behavioral": "behavior"}


def run_ok(cli, *args):
    res = cli("run", *args)

    assert res.code == 0, res.err
    return res


def read_out(out):
    facts = json.loads((out / "facts.json").read_text())
    customers = pd.read_csv(out / "customers.csv", dtype={"customer_id": str})
    return facts, customers


# -- agreement with the reference implementation ------------------------------------------


def test_cdnow_metrics_agree_with_lifetimes(cli, tmp_path, cdnow_master):  # noqa: F811
    from lifetimes.utils import summary_data_from_transaction_data

    out = tmp_path / "cdnow"
    run_ok(cli, cdnow_master, "--out", out, "--as-of", "1997-09-30")
    _, customers = read_out(out)
    tx = pd.read_csv(cdnow_master, sep=r"\s+", dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    ref = summary_data_from_transaction_data(tx, "customer_id", "date", monetary_value_col="dollar_value", observation_period_end="1997-09-30", freq="D")
    key = read_key(str(out / "segment.key"))
    ref.index = pseudonymize(["i:" + c for c in ref.index], key)
    ours = customers.set_index("customer_id")
    assert set(ours.index) == set(ref.index)  # customers who had bought by the observation end
    ours = ours.loc[ref.index]
    first = pd.to_datetime(ours["first_purchase"])
    last = pd.to_datetime(ours["last_purchase"])
    np.testing.assert_array_equal(ours["purchase_days"].to_numpy() - 1, ref["frequency"].to_numpy())
    np.testing.assert_array_equal((last - first).dt.days.to_numpy(), ref["recency"].to_numpy())
    np.testing.assert_array_equal(ours["tenure_days"].to_numpy(), ref["T"].to_numpy())
    np.testing.assert_array_equal(ours["recency_days"].to_numpy(), (ref["T"] - ref["recency"]).to_numpy())
    sums = tx[tx["date"] <= "1997-09-30"].groupby("customer_id")["dollar_value"].sum()
    sums.index = pseudonymize(["i:" + c for c in sums.index], key)
    np.testing.assert_allclose(ours["monetary_total"].to_numpy(), sums.loc[ref.index].round(2).to_numpy(), atol=0.006)


def test_cdnow_validation_runs_and_ranks_champions_first(cli, tmp_path, cdnow_master):  # noqa: F811
    out = tmp_path / "cdnow"
    run_ok(cli, cdnow_master, "--out", out)
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    v = rfm["validation"]
    assert v["cutoff"] == "1998-04-01" and v["window_end"] == "1998-06-30"
    rows = {r["segment"]: r for r in v["segments"]}
    assert v["top_segment"] == "champions" and v["top_lift"] > 2
    assert rows["champions"]["repeat_rate"] > rows["loyal"]["repeat_rate"] > rows["dormant"]["repeat_rate"]
    # Validation recomputed independently: who bought in the 90 days after the cutoff.
    tx = pd.read_csv(cdnow_master, sep=r"\s+", dtype={"customer_id": str, "date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    window = tx[(tx["date"] > "1998-04-01") & (tx["date"] <= "1998-06-30")]
    existing = tx[tx["date"] <= "1998-04-01"]["customer_id"].unique()
    assert sum(r["customers"] for r in v["segments"]) == len(existing)
    assert v["base_repeat_rate"] == pytest.approx(np.isin(existing, window["customer_id"].unique()).mean(), abs=1e-4)
    # CDNOW is one cohort (first purchases Jan-Mar 1997) that has mostly lapsed by mid-1998:
    # auto keeps calendar bands, which say so, instead of quintiles that would call the least
    # lapsed 'recent' (Champions last seen over a year ago); both facts are warnings.
    lapsed = (customers["recency_days"] > 180).mean()
    assert lapsed > 0.7 and rfm["method"] == "fixed" and "six months" in rfm["method_reason"]
    assert customers.loc[customers["segment"] == "champions", "recency_days"].max() <= 30
    assert [w for w in facts["warnings"] if f"{lapsed:.0%} of customers last bought over 180 days" in w]
    assert [w for w in facts["warnings"] if "every first purchase falls between 1997-01-01 and 1997-03-25, so the file follows one group of customers" in w]


# -- MECE and sums ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["shopify_orders_export.csv", "stripe_unified_payments.csv", "european_orders.csv", "product_events.jsonl", "crm_customers.csv"])
def test_every_customer_in_exactly_one_segment_of_each_segmentation(cli, tmp_path, name):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / name, "--out", out)
    facts, customers = read_out(out)
    assert customers["customer_id"].is_unique
    assert facts["segmentations"], "no segmentation computed"
    for kind, seg in facts["segmentations"].items():
        counts = {k: s["count"] for k, s in seg["segments"].items()}
        assert sum(counts.values()) == seg["customers"], kind
        assert sum(s["pct_customers"] for s in seg["segments"].values()) == pytest.approx(1, abs=0.001)
        column = SEGMENTATIONS_WITH_LABEL[kind]
        labels = customers[column].dropna()
        assert len(labels) == seg["customers"], kind
        assert labels.value_counts().to_dict() == {k: c for k, c in counts.items() if c}, kind
        shares = [s["revenue_share"] for s in seg["segments"].values() if s["revenue_share"] is not None]
        if shares:  # where a segmentation reports revenue shares, they cover all its revenue
            assert sum(shares) == pytest.approx(1, abs=0.001), kind
    if facts["data"]["revenue_total"]:
        assert any(s["revenue_share"] for s in facts["segmentations"]["rfm"]["segments"].values())
    assert not facts["segmentations"]["rfm"]["merged"] or all(m["customers"] < 50 for m in facts["segmentations"]["rfm"]["merged"])


def test_migration_counts_sum_to_customers_in_both_periods(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out)
    facts, customers = read_out(out)
    mig = facts["segmentations"]["rfm"]["migration"]
    total = sum(sum(row.values()) for row in mig["matrix"].values())
    existed = (pd.to_datetime(customers["first_purchase"]) <= mig["from_date"]).sum()
    assert total == mig["customers_in_both"] == existed
    assert total + sum(mig["entered"].values()) == len(customers)
    watch = {(w["from_segment"], w["to_segment"]): w["customers"] for w in mig["watch"]}
    assert watch[("loyal", "at_risk")] == mig["matrix"]["loyal"]["at_risk"]
    # Trend compares segment shares with one period earlier, all computed customers included.
    seg = facts["segmentations"]["rfm"]["segments"]
    assert sum(s["count_prev"] for s in seg.values()) == existed
    assert sum(s["pct_customers_prev"] for s in seg.values()) == pytest.approx(1, abs=0.001)
    # Repeat buyers who stay away leave At Risk for Dormant (recency 2 -> 1): the move the seeds watch.
    assert watch[("at_risk", "dormant")] == mig["matrix"]["at_risk"]["dormant"] > 0


def test_default_rules_keep_at_risk_to_recency_two():
    scores = {"r": np.array([2, 1, 1, 2, 2]), "f": np.array([2, 5, 2, 1, 5]), "m": np.array([2, 5, 2, 5, 1])}
    keys = [DEFAULT.keys[i] for i in DEFAULT.assign(scores)]
    # A repeat buyer with solid spend is At Risk at recency 2 only; at recency 1 (the longest
    # since a purchase) everyone is Dormant, however much they once bought.
    assert keys == ["at_risk", "dormant", "dormant", "dormant", "dormant"]


def test_trend_compares_shares_of_a_growing_base():
    from custseg.compute.analysis import add_trend

    keys = ["a", "b", "c"]
    stats = {"a": {"count": 20}, "b": {"count": 60}, "c": {"count": 120}}  # 200 customers now
    prev_idx = np.repeat([0, 1, 2], [10, 40, 50])  # 100 one period earlier
    add_trend(stats, prev_idx, keys)
    # a doubled with the base (10% -> 10%): stable; b grew by half but its share fell from 40% to 30%.
    assert (stats["a"]["trend"], stats["a"]["trend_change"]) == ("stable", 0)
    assert (stats["b"]["trend"], stats["b"]["trend_change"]) == ("declining", -0.25)
    assert (stats["c"]["trend"], stats["c"]["trend_change"], stats["c"]["pct_customers_prev"]) == ("growing", 0.2, 0.5)
    assert [stats[k]["count_prev"] for k in keys] == [10, 40, 50]


def test_no_trend_for_a_handful_of_customers():
    """3 -> 8 customers is '+133%' and says nothing; 1 -> 0 is '-100%' (a skill trial's Loyal
    and Champions). Under five customers at either date a segment gets no trend."""
    from custseg.compute.analysis import add_trend

    keys = ["few", "gone", "many"]
    stats = {"few": {"count": 8}, "gone": {"count": 0}, "many": {"count": 192}}
    add_trend(stats, np.repeat([0, 1, 2], [3, 1, 96]), keys)
    assert [(stats[k]["trend"], stats[k]["trend_change"]) for k in ("few", "gone")] == [(None, None), (None, None)]
    assert stats["many"]["trend"] == "stable" and stats["few"]["count_prev"] == 3


def test_a_small_segment_that_grew_large_has_a_trend():
    """1 -> 25 customers is growing though it started under five (the 5-customer rule hid it);
    a segment empty one period ago that now holds 20 or more is growing, with no percentage."""
    from custseg.compute.analysis import TREND_CLEAR_CUSTOMERS, add_trend

    keys = ["grew", "new_one", "shrank", "small"]
    stats = {"grew": {"count": 25}, "new_one": {"count": TREND_CLEAR_CUSTOMERS}, "shrank": {"count": 2}, "small": {"count": 9}}
    add_trend(stats, np.repeat([0, 2, 3], [1, 30, 4]), keys)  # 35 then: grew 1, new_one 0, shrank 30, small 4
    assert stats["grew"]["trend"] == "growing" and stats["grew"]["trend_change"] > 10
    assert (stats["new_one"]["trend"], stats["new_one"]["trend_change"]) == ("growing", None)
    assert stats["shrank"]["trend"] == "declining"
    assert (stats["small"]["trend"], stats["small"]["trend_change"]) == (None, None)  # 4 -> 9: a handful either way


def test_summary_figures_recompute_from_customers_csv(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "stripe_unified_payments.csv", "--out", out)
    facts, customers = read_out(out)
    seg = facts["segmentations"]["rfm"]["segments"]
    for key, stats in seg.items():
        part = customers[customers["segment"] == key]
        assert stats["count"] == len(part)
        if len(part):
            assert stats["revenue"] == pytest.approx(part["monetary_total"].sum(), abs=0.01 * len(part) + 0.01)
            assert stats["median_recency_days"] == part["recency_days"].median()
            assert stats["repeat_rate"] == pytest.approx((part["purchase_days"] >= 2).mean(), abs=1e-4)
    assert facts["data"]["revenue_total"] == pytest.approx(customers["monetary_total"].sum(), abs=1)


# -- tie safety and order independence -------------------------------------------------------------


def test_quantiles_with_90_percent_one_time_buyers():
    rng = np.random.default_rng(7)
    freq = np.where(rng.random(5000) < 0.9, 1, rng.integers(2, 30, 5000))
    scores, s = quantile_score(freq, "frequency", True)
    assert set(scores[freq == 1]) == {1}  # every one-time buyer gets the same score
    assert scores[freq > 1].min() > 1
    for v in np.unique(freq):
        assert len(set(scores[freq == v])) == 1  # equal values, equal scores
    assert s.cuts == sorted(s.cuts) and len(s.cuts) == 4


def test_top_segment_survives_collapsed_frequency_bins():
    """pd.qcut(duplicates='drop') relabels collapsed bins 1..k and empties the top score."""
    n = 1000
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n) for _ in range(1 if i % 10 else 6)],
    })
    frame["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, len(frame)), unit="D")
    frame["amount"] = rng.gamma(2, 30, len(frame))
    ledger = Ledger.from_frame(frame)
    m = customer_metrics(ledger, int(ledger.day.max()), 90)
    scored = score(m, "quantile", "test", True)
    table, _ = choose_table(len(m), scored, None)
    keys = assign(table, "", scored).keys()
    assert scored.f.max() == 5
    assert (keys == "champions").sum() > 0


def test_identical_customers_get_identical_scores_in_any_row_order():
    rng = np.random.default_rng(3)
    base = pd.DataFrame({
        "customer_id": [f"c{i % 300}" for i in range(2000)],
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, 2000), unit="D"),
        "amount": rng.choice([10.0, 20.0, 50.0], 2000),
    })
    # Clones: two customers with exactly the same history.
    clone = base[base["customer_id"] == "c1"].assign(customer_id="clone_of_c1")
    data = pd.concat([base, clone], ignore_index=True)

    def labels(frame):
        ledger = Ledger.from_frame(frame)
        m = customer_metrics(ledger, int(ledger.day.max()), 90)
        scored = score(m, "quantile", "test", True)
        keys = assign(DEFAULT, "", scored).keys()
        return dict(zip(ledger.ids[m.code], zip(scored.r, scored.f, scored.m, keys)))

    first = labels(data)
    shuffled = labels(data.sample(frac=1, random_state=11))
    assert first == shuffled
    assert first["c1"] == first["clone_of_c1"]


# -- rule tables --------------------------------------------------------------------------------------


def test_rules_command_shows_the_table(cli, tmp_path):
    res = cli("rules", "--json")
    assert res.code == 0
    table = res.json()
    assert [s["key"] for s in table["segments"]] == ["champions", "loyal", "new", "at_risk", "dormant", "needs_attention"]
    assert table["segments"][-1]["when"] == {}
    # the text view tells the user to save this JSON as their own table: it loads as one
    assert "what `segment rules --json` prints" in cli("rules").out
    from custseg.compute.rules import load_rules

    saved = tmp_path / "rules.json"
    saved.write_text(res.out)
    assert load_rules(str(saved)).keys == [s["key"] for s in table["segments"]]


def test_user_rule_table_overrides(cli, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"segments": [
        {"key": "vip", "name": "VIP", "when": {"m": [5, 5]}},
        {"key": "recent", "name": "Recent", "when": {"r": [4, 5]}},
    ]}))
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", out, "--rules", rules)
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["rules"]["name"] == "user"
    assert set(rfm["segments"]) == {"vip", "recent", "needs_attention"}  # a catch-all is added
    assert (customers.loc[customers["segment"] == "vip", "m_score"] == 5).all()
    assert (customers.loc[customers["segment"] == "recent", "r_score"] >= 4).all()
    assert (customers.loc[customers["m_score"] == 5, "segment"] == "vip").all()
    # next month's run needs the rule file again: the hand-over says so (only for own rules)
    from custseg.render.briefs import render_brief

    assert "and their rule file (to pass back with `--rules` next month" in render_brief("operationalize", facts)
    md = (out / "report.md").read_text()
    assert "**Rule table: your own.** From your rule file, rules.json; a customer takes the first rule that fits." in md and "Chosen because" not in md
    default, _ = read_out(_example_run(cli, tmp_path))
    assert "their rule file" not in render_brief("operationalize", default)


def test_rules_state_the_days_their_recency_scores_cover():
    """RFM's Dormant (recency scores 1-2) and the lifecycle's Lapsed (181+ days) read alike to a
    marketer: a rule on recency scores says the days since the last purchase they cover, from
    the run's own bands (calendar or quintile)."""
    from custseg.compute.rules import recency_days
    from custseg.compute.scoring import RECENCY_BANDS

    rules = {r.key: r for r in DEFAULT.rules}
    fixed = recency_days([{"score": sc, "min": lo, "max": hi} for sc, lo, hi in RECENCY_BANDS])
    assert rules["dormant"].describe(fixed) == "recency 1-2 (last purchase 91+ days ago)"
    assert rules["at_risk"].describe(fixed) == "recency 2 (last purchase 91-180 days ago), frequency 2-5, monetary 2-5"
    assert rules["champions"].describe(fixed).startswith("recency 4-5 (last purchase 0-30 days ago), ")
    assert rules["dormant"].describe() == "recency 1-2"  # no bands: scores only
    # quintiles: score 1 is 585 days or more, score 5 fewer than 42 (whole days: at most 41)
    cuts = [585.0, 347.0, 152.0, 42.0]
    quantile = recency_days([{"score": sc, "below": None if sc == 1 else cuts[sc - 2], "at_least": None if sc == 5 else cuts[sc - 1]} for sc in range(1, 6)])
    assert rules["dormant"].describe(quantile) == "recency 1-2 (last purchase 347+ days ago)"
    assert rules["new"].describe(quantile) == "recency 4-5 (last purchase 0-151 days ago), frequency 1"


def test_dormant_and_lapsed_each_state_their_days(cli, tmp_path):
    """In facts (and so the briefs and the report's rule table), Dormant's rule gives the days
    its recency scores mean in this run, and Lapsed its own: 91+ and 181+ on calendar bands."""
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts")
    facts, _ = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    bands = {b["score"]: b for b in rfm["scores"]["recency"]["bands"]}
    assert rfm["segments"]["dormant"]["rule"] == f"recency 1-2 (last purchase {bands[2]['min']}+ days ago)" == "recency 1-2 (last purchase 91+ days ago)"
    assert [r["plain"] for r in rfm["rules"]["segments"] if r["key"] == "dormant"] == [rfm["segments"]["dormant"]["rule"]]
    assert facts["segmentations"]["lifecycle"]["segments"]["lapsed"]["rule"].startswith("181+ days since the last purchase")
    md = (out / "report.md").read_text()
    assert "| Dormant | recency 1-2 (last purchase 91+ days ago) |" in md


def test_unknown_rule_field_is_refused(cli, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"segments": [{"key": "vip", "when": {"m": [5, 5]}, "colour": "gold"}]}))
    res = cli("run", EXAMPLES / "european_orders.csv", "--out", tmp_path / "out", "--rules", rules)
    assert res.code == 2 and "colour" in res.err and res.err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_every_mistake_of_a_rule_file_is_told_at_once(cli, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"segments": [{"key": "vip", "when": {"recencyy": [4, 5]}}, {"key": "Big", "when": {"f": [3, 9]}}, {"key": "rest"}]}))
    res = cli("run", EXAMPLES / "european_orders.csv", "--out", tmp_path / "out", "--rules", rules)
    assert res.code == 2 and res.err.count("\n") == 1
    for mistake in ("segment 1 (vip) has unknown field 'recencyy' in when", "segment 2: key must be lower-case", "segment 2 (Big): f must be [min, max]"):
        assert mistake in res.err


# -- edge cases -------------------------------------------------------------------------------------------


def write_log(tmp_path, rows, name="log.csv"):
    path = tmp_path / name
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "order_date", "amount"])
        w.writerows(rows)
    return path


def test_all_customers_bought_once(cli, tmp_path):
    rows = [(f"c{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 10 + i) for i in range(120)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out)
    facts, _ = read_out(out)
    assert any("bought once" in w for w in facts["warnings"])
    assert facts["segmentations"]["rfm"]["rules"]["name"] == "recency_monetary"


def test_the_one_time_share_reads_the_same_in_the_warning_and_the_briefs(cli, tmp_path):
    """A trial read '67.5%' of one-time buyers in a brief and '67%' in the run's warning for
    the same number: both use the report's percentage format."""
    from custseg.render import briefs
    from custseg.render.report import fmt_pct

    once = [(f"c{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 10 + i) for i in range(27)]
    twice = [(f"r{i}", f"2024-{1 + (i + m) % 12:02d}-{1 + i % 28:02d}", 20 + i) for i in range(13) for m in (0, 5)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, once + twice), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    share = facts["data"]["one_time_share"]
    assert share == pytest.approx(27 / 40) and fmt_pct(share) == "67.5%"
    assert "67.5% of customers bought once: frequency separates few of them" in " ".join(facts["warnings"])
    assert "- Customers who bought on one day only: 67.5%." in briefs.render_brief("intake", facts)
    assert "67.5% of customers bought once" in " ".join(cli("profile", write_log(tmp_path, once + twice), "--json").json()["warnings"])


def test_all_purchases_on_one_day(cli, tmp_path):
    rows = [(f"c{i % 60}", "2024-05-05", 10 + i) for i in range(150)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out)
    facts, customers = read_out(out)
    assert any("covers 1 days" in w or "1 day" in w for w in facts["warnings"])
    assert "migration" in facts["unavailable"] and facts["segmentations"]["rfm"]["migration"] is None
    assert customers["recency_days"].eq(0).all()
    # Everyone bought on the as-of date: quintiles would score them all 1 (the least recent)
    # and call them Dormant; neither method separates them, and the reason says so.
    rfm = facts["segmentations"]["rfm"]
    assert rfm["method"] == "fixed" and "so quintiles of this data separate them better" not in rfm["method_reason"]
    assert "every customer last bought on the as-of date, so no method separates them on recency" in rfm["method_reason"]
    assert customers["r_score"].eq(5).all() and not customers["segment"].isin(["dormant", "needs_attention"]).any()


SMALL_STORE = [  # a Shopify dev store's three customers: as of 2025-05-17
    ("big", "2025-05-12", 1635.55),  # the biggest spender, once, 5 days before
    ("rep", "2025-05-12", 400), ("rep", "2025-05-15", 400), ("rep", "2025-05-17", 384.90),  # 1,184.90 on 3 days
    ("low", "2025-05-13", 200), ("low", "2025-05-17", 189.55),  # 389.55 on 2 days
]


def test_a_three_customer_base_is_grouped_on_the_calendar(cli, tmp_path):
    """Quintiles of three customers called the biggest spender (51% of revenue) 'Needs
    Attention: have not bought in a while' for buying 5 days before the others, and left the
    top group empty. Under 50 customers auto scores recency by calendar bands: nobody who
    bought this week needs attention, and the top spender is in the top group."""
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, SMALL_STORE), "--out", out, "--no-charts")
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["rules"]["name"] == "small_base" and rfm["method"] == "fixed"
    assert rfm["method_reason"].startswith("only 3 customers (under 50): calendar bands")
    seg = dict(zip(customers["monetary_total"].round(2), customers["segment"]))
    assert seg[1635.55] == "best_customers" and rfm["segments"]["best_customers"]["count"] == 1
    assert rfm["segments"]["needs_attention"]["count"] == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "fewer than 0 days" not in md
    # asked for, quintiles of three still rank them; the top score is not emptied by the tie at 0 days
    out = tmp_path / "quantile"
    run_ok(cli, write_log(tmp_path, SMALL_STORE), "--out", out, "--no-charts", "--method", "quantile")
    facts, customers = read_out(out)
    assert customers.loc[customers["recency_days"] == 0, "r_score"].eq(5).all()
    assert "fewer than 0 days" not in (out / "report.md").read_text(encoding="utf-8")


def test_buyers_of_the_as_of_day_are_not_told_they_have_not_bought_in_a_while(cli, tmp_path, realdata):
    """The Stripe export of a launch day: 3 paying customers, all on the as-of date. Auto chose
    quintiles 'that separate them better' (they gave everyone the same score too) and put all
    three in Needs Attention, 'Have not bought in a while'."""
    out = tmp_path / "out"
    run_ok(cli, realdata / "stripe_meedi8" / "unified_payments.csv", "--out", out, "--no-charts")
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert customers["recency_days"].eq(0).all() and len(customers) == 3
    assert rfm["method"] == "fixed" and "separate them better" not in rfm["method_reason"]
    assert rfm["method_reason"].endswith("every customer last bought on the as-of date, so no method separates them on recency")
    assert rfm["segments"]["needs_attention"]["count"] == 0 and customers["segment"].eq("core_customers").all()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "fewer than 0 days" not in md and "spent the same amount, and ties" not in md


def test_the_dev_store_biggest_spender_is_a_best_customer(cli, tmp_path, realdata):
    out = tmp_path / "out"
    run_ok(cli, realdata / "shopify_devstore" / "orders_export.csv", "--out", out, "--no-charts")
    facts, customers = read_out(out)
    top = customers.loc[customers["monetary_total"].idxmax()]
    assert (top["monetary_total"], top["segment"]) == (1635.55, "best_customers")
    assert facts["segmentations"]["rfm"]["segments"]["needs_attention"]["count"] == 0
    assert "fewer than 0 days" not in (out / "report.md").read_text(encoding="utf-8")


def test_rfm_segment_names_never_repeat_a_value_tier_name(cli, tmp_path):
    """The small-base groups were 'High Value' and 'Medium Value' beside the value tiers' High,
    Medium and Low Value: Mailchimp tagged one customer 'Medium Value,Low Value'."""
    from custseg.compute.rules import BUILT_IN
    from custseg.compute.segmentations import value_tiers

    spend = np.arange(1.0, 11.0)
    tiers = set(value_tiers(spend, spend, subscription=False).names.values())
    rfm_names = {rule.name for table in BUILT_IN.values() for rule in table.rules}
    assert not tiers & rfm_names and not {n.lower() for n in tiers} & {r.key.replace("_", " ") for t in BUILT_IN.values() for r in t.rules}
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, SMALL_STORE), "--out", out, "--no-charts")
    generic = pd.read_csv(out / "exports" / "segments_generic.csv")
    assert set(generic["segment_name"]) == {"Best Customers", "Core Customers"}
    assert not set(generic["segment_name"]) & tiers


def test_auto_keeps_calendar_bands_when_quintiles_separate_no_one(cli, tmp_path):
    """Quintiles are chosen because they 'separate customers better' only when they do."""
    from custseg.compute.metrics import Metrics
    from custseg.compute.rfm import choose_method

    def metrics(recency):
        n = len(recency)
        z = np.zeros(n)
        one = np.ones(n, dtype=int)
        return Metrics(code=np.arange(n), first=z, last=z, orders=one, purchase_days=one, monetary=z + 10, recency=np.asarray(recency), tenure=np.asarray(recency),
                       spend_recent=z, spend_before=z, orders_recent=z, orders_before=z, as_of=0, period=90)

    # 60 customers, 59 of them 0 days ago: calendar bands give 100% score 5, quintiles split the one
    method, reason = choose_method(metrics([0] * 59 + [3]), "auto", 30)
    assert method == "quantile" and "separate them better" in reason
    # all on one day: neither separates anyone
    method, reason = choose_method(metrics([2] * 60), "auto", 30)
    assert method == "fixed" and reason.endswith("every customer last bought 2 days before the as-of date, so no method separates them on recency")


def test_as_of_years_after_the_last_purchase_warns(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", out, "--as-of", "2029-01-01")
    facts, customers = read_out(out)
    assert any("after the last purchase" in w for w in facts["warnings"])
    assert (customers["lifecycle"] == "lapsed").all()


def test_period_longer_than_the_data_skips_migration_and_validation(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", out, "--period", "2y")
    facts, _ = read_out(out)
    assert "two 730-day periods" in facts["unavailable"]["migration"]
    assert facts["segmentations"]["rfm"]["validation"] is None


@pytest.mark.parametrize(
    "rows, args, words",
    [
        ([("a", "2024-01-01", 5), ("b", "2024-01-02", 6), ("a", "2024-02-01", 7)], [], "at least 3"),
        ([(f"c{i}", "2024-01-01", 5) for i in range(10)], ["--as-of", "2023-01-01"], "before the first purchase"),
        ([(f"c{i}", "2024-01-01", 5) for i in range(10)], ["--period", "soon"], "--period"),
    ],
)
def test_run_refusals(cli, tmp_path, rows, args, words):
    out = tmp_path / "out"
    res = cli("run", write_log(tmp_path, rows), "--out", out, *args)
    assert res.code == 2 and words in res.err and res.err.count("\n") == 1 and "Traceback" not in res.err
    assert not out.exists() and not list(tmp_path.glob(".segment-*"))


def test_out_folder_is_replaced_only_when_it_holds_a_run(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", out)
    ids = set(pd.read_csv(out / "customers.csv")["customer_id"])
    # Claude keeps its working files with the deliverables: a rerun must not take them away.
    (out / "answers.json").write_text('{"goal": "win back"}')
    (out / "strategy.json").write_text("{}")
    (out / "drafts").mkdir()
    (out / "drafts" / "rules.json").write_text("[]")
    res = run_ok(cli, EXAMPLES / "european_orders.csv", "--out", out, "--method", "quantile", "--json")
    assert json.loads((out / "facts.json").read_text())["segmentations"]["rfm"]["method"] == "quantile"
    assert (out / "answers.json").read_text() == '{"goal": "win back"}' and (out / "strategy.json").read_text() == "{}"
    assert (out / "drafts" / "rules.json").read_text() == "[]"
    assert res.json()["kept"] == ["answers.json", "drafts", "strategy.json"] and res.json()["key_reused"] is True
    assert "facts.json" in res.json()["files"] and not {"answers.json", "drafts/", "strategy.json"} & set(res.json()["files"])  # what the run wrote
    # ... and its key is reused: the same customers keep the same ids without --key.
    assert set(pd.read_csv(out / "customers.csv")["customer_id"]) == ids
    assert not list(tmp_path.glob("out.previous-*")) and not list(tmp_path.glob(".segment-*"))
    # Next month's export with the folder's own key (the review schedule's rerun) keeps them too
    key = tmp_path / "segment.key"
    key.write_bytes((out / "segment.key").read_bytes())
    next_month = tmp_path / "european_orders_next_month.csv"
    next_month.write_bytes((EXAMPLES / "european_orders.csv").read_bytes())
    res = run_ok(cli, next_month, "--out", out, "--key", key, "--json")
    assert res.json()["kept"] == ["answers.json", "drafts", "strategy.json"] and (out / "strategy.json").read_text() == "{}"
    # Another export into the same folder starts afresh: the answers and plan were for the first.
    res = run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--json")
    assert res.json()["kept"] == [] and res.json()["key_reused"] is False
    assert not (out / "answers.json").exists() and not (out / "drafts").exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    res = cli("run", EXAMPLES / "european_orders.csv", "--out", other)
    assert res.code == 2 and (other / "notes.txt").read_text() == "keep me"


def test_key_keeps_ids_stable_between_runs(cli, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", first)
    run_ok(cli, EXAMPLES / "european_orders.csv", "--out", second, "--key", first / "segment.key")
    a = pd.read_csv(first / "customers.csv")["customer_id"]
    b = pd.read_csv(second / "customers.csv")["customer_id"]
    assert set(a) == set(b)


def test_nothing_the_model_reads_holds_an_email(cli, tmp_path):
    out = tmp_path / "out"
    res = run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--json")
    emails = set()
    with open(EXAMPLES / "shopify_orders_export.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Email"].strip():
                emails.add(row["Email"].strip().lower())
    readable = (res.out + (out / "facts.json").read_text() + (out / "customers.csv").read_text()).lower()
    assert emails and not [e for e in emails if e in readable]
    assert "@" not in (out / "customers.csv").read_text()


def test_fixed_bands_and_method_reason(cli, tmp_path):
    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--method", "fixed")
    facts, customers = read_out(out)
    scores = facts["segmentations"]["rfm"]["scores"]
    assert scores["recency"]["bands"][0] == {"score": 5, "min": 0, "max": 7}
    assert (customers.loc[customers["recency_days"] <= 7, "r_score"] == 5).all()
    assert (customers.loc[customers["recency_days"] > 180, "r_score"] == 1).all()
    assert (customers.loc[customers["purchase_days"] >= 10, "f_score"] == 5).all()
    assert facts["segmentations"]["rfm"]["method_reason"] == "fixed scoring was asked for"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), min_size=1, max_size=40), st.booleans())
def test_ledger_orders_rows_as_a_stable_sort_by_customer_and_day(rows, grouped):
    """Whatever shortcut the ledger takes (already sorted, whole runs moved, a sort), the rows
    come out as a stable sort by (customer, day) would put them."""
    if grouped:  # each customer's rows together and by day, customers in any order
        rows = sorted(rows, key=lambda r: (r[0] * 7919 % 11, r[1]))
    codes = np.array([c for c, _ in rows])
    days = np.array([d for _, d in rows])
    tx = pd.DataFrame({
        "customer_id": pd.Categorical.from_codes(codes, categories=[f"c{i}" for i in range(7)]),
        "date": (np.datetime64("2024-01-01") + days.astype("timedelta64[D]")).astype("datetime64[s]"),
        "amount": np.arange(len(rows), dtype=float),  # the row number, to see the order
    })
    ledger = Ledger.from_frame(tx)
    expected = np.lexsort((np.arange(len(rows)), days, codes))
    assert ledger.amount.tolist() == expected.astype(float).tolist()
    assert ledger.code.tolist() == codes[expected].tolist()


def test_reasons_say_recency_frequency_and_spend_in_plain_words():
    from custseg.compute.reasons import reasons

    got = reasons(np.array([0, 1, 3, 503]), np.array([1, 2, 1, 2]), np.array([5, 1, 3, 3])).tolist()
    assert got == [
        "last bought on the as-of date, bought once, spend in the top 20%",
        "last bought the day before the as-of date, bought on 2 different days, spend in the bottom 20%",
        "last bought 3 days ago, bought once, spend in the middle",
        "last bought 503 days ago, bought on 2 different days, spend in the middle",
    ]
    assert reasons(np.array([7]), np.array([1]), None, verb="ordered").tolist() == ["last ordered 7 days ago, ordered once"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 12), st.integers(1, 5)), min_size=1, max_size=60), st.booleans())
def test_reasons_written_once_per_combination_match_row_by_row(rows, with_spend):
    from custseg.compute.reasons import _texts, reasons

    r, f, m = (np.array(col) for col in zip(*rows))
    spend = m if with_spend else None
    assert reasons(r, f, spend).tolist() == _texts(r, f, spend, "bought").tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 900)), min_size=1, max_size=50))
def test_segment_median_recency_matches_pandas(rows):
    from custseg.compute.analysis import group_medians

    idx = np.array([g for g, _ in rows])
    values = np.array([v for _, v in rows])
    expected = pd.Series(values).groupby(idx).median()
    got = group_medians(idx, values, 5)
    for g in range(5):
        assert (np.isnan(got[g]) and g not in expected.index) or got[g] == expected[g]


def test_segment_median_recency_with_int16_segment_indexes_and_decades_of_days():
    """Segment indexes are int16 (rules.py, segmentations.py): with 6 segments and 7,000 days
    of recency, index times width passed 32,767 and the counting table broke."""
    from custseg.compute.analysis import group_medians

    idx = np.array([0, 5, 5, 5], dtype=np.int16)
    values = np.array([0, 7000, 7002, 7010])
    assert group_medians(idx, values, 6)[[0, 5]].tolist() == [0.0, 7002.0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-50, 400), min_size=1, max_size=80), st.booleans())
def test_counted_quantile_scores_match_numpy(values, higher_is_better):
    """Whole-number dimensions are scored by counting; cuts and scores equal np.quantile's."""
    v = np.array(values, dtype=np.int64)
    scores, score = quantile_score(v, "frequency", higher_is_better)
    w = v.astype(float) if higher_is_better else -v.astype(float)
    cuts = np.quantile(w, (0.2, 0.4, 0.6, 0.8), method="lower")
    expected = 1 + np.searchsorted(cuts, w, side="left")
    best = w.max()
    if cuts[-1] >= best and (w < best).any():  # a tie at the top cut: the best customers still score 5
        cuts = np.where(cuts >= best, w[w < best].max(), cuts)
        expected[w == best] = 5
    assert scores.tolist() == expected.tolist()
    assert score.cuts == [float(c) if higher_is_better else float(-c) for c in cuts]
    assert scores[w == best].min() == (1 if (w == best).all() else 5)


def test_a_tie_at_the_top_cut_does_not_empty_the_top_score():
    """Three customers spending 50, 100 and 100: 'lower' quintiles cut at 50, 50, 100, 100, so
    the two best would score 3 and score 5 would hold nobody. They score 5; the cut points say
    so (every cut at 50), and the one below keeps its score."""
    scores, s = quantile_score(np.array([50.0, 100.0, 100.0]), "monetary", True)
    assert scores.tolist() == [1, 5, 5] and s.cuts == [50.0, 50.0, 50.0, 50.0]
    # recency: fewer days is better; two of three bought on the as-of date
    scores, s = quantile_score(np.array([0, 0, 5]), "recency", False)
    assert scores.tolist() == [5, 5, 1] and s.cuts == [5.0, 5.0, 5.0, 5.0]
    assert s.bands[-1] == {"score": 5, "below": 5.0, "at_least": None}
    # everyone the same: nothing to separate, nobody lifted
    scores, _ = quantile_score(np.array([9.99, 9.99, 9.99]), "monetary", True)
    assert scores.tolist() == [1, 1, 1]
    # a long tail keeps the numpy cuts (the best value beats the top cut already)
    v = np.arange(1, 101)
    scores, s = quantile_score(v, "frequency", True)
    assert s.cuts == np.quantile(v.astype(float), (0.2, 0.4, 0.6, 0.8), method="lower").tolist()


@pytest.mark.parametrize("seed", range(12))
def test_counted_quantile_scores_match_numpy_on_long_skewed_columns(seed):
    rng = np.random.default_rng(seed)
    v = rng.geometric(0.6, size=int(rng.integers(2, 200_000)))  # mostly 1s, like purchase days
    scores, score = quantile_score(v, "frequency", True)
    cuts = np.quantile(v.astype(float), (0.2, 0.4, 0.6, 0.8), method="lower")
    assert score.cuts == cuts.tolist()
    assert np.array_equal(scores, 1 + np.searchsorted(cuts, v.astype(float), side="left"))


def test_segment_median_recency_with_a_wide_range_takes_the_sorting_path():
    from custseg.compute.analysis import group_medians

    idx = np.array([0, 0, 1, 1, 1, 3])
    values = np.array([0, 90_000_000, 5, 7, 100_000_000, 2])  # too wide a range to count
    assert group_medians(idx, values, 4)[[0, 1, 3]].tolist() == [45_000_000.0, 7.0, 2.0]
    assert np.isnan(group_medians(idx, values, 4)[2])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=60), st.data())
def test_run_counts_equal_a_reduceat(flags, data):
    """Flags counted per run by a running count give what numpy's reduceat gives."""
    from custseg.compute.metrics import _run_counts

    flags = np.array(flags, dtype=bool)
    starts = np.array(sorted(data.draw(st.sets(st.integers(0, len(flags) - 1), min_size=1))), dtype=np.int64)
    assert _run_counts(flags, starts).tolist() == np.add.reduceat(flags.astype(np.int64), starts).tolist()


def test_opportunities_leave_out_moves_almost_nobody_made():
    from custseg.compute.analysis import opportunities

    ranked = ["champions", "loyal", "dormant"]
    stats = {k: {"count": 1000, "spend_last_period_per_customer": v} for k, v in zip(ranked, (100.0, 40.0, 0.0))}
    prev = {"champions": 1000, "loyal": 1000, "dormant": 1000}
    # dormant -> loyal: 4 of 1,000 (under both floors); dormant -> champions: 9 (0.9%, under the
    # rate floor); loyal -> champions: 120 (12%): the only move worth sizing.
    matrix = {"champions": {"champions": 900, "loyal": 100, "dormant": 0}, "loyal": {"champions": 120, "loyal": 880, "dormant": 0}, "dormant": {"champions": 9, "loyal": 4, "dormant": 987}}
    sized = opportunities(matrix, prev, stats, ranked)
    assert [(o["from_segment"], o["to_segment"]) for o in sized] == [("loyal", "champions")]
    o = sized[0]
    assert (o["historical_rate"], o["expected_customers"], o["expected_revenue"], o["value_per_10pct"]) == (0.12, 120, 7200.0, 6000.0)


def test_unsized_moves_are_counted_by_reason():
    """Every upward move that is not sized is counted once, under the first reason that holds,
    and the note says how many were sized and why the others were not."""
    from custseg.compute.analysis import opportunities, opportunities_note, unsized_moves

    ranked = ["champions", "loyal", "new", "needs_attention", "at_risk", "dormant"]
    now = {"champions": (0, None), "loyal": (100, 80.0), "new": (50, 90.0), "needs_attention": (0, None), "at_risk": (200, 20.0), "dormant": (1000, 0.0)}
    stats = {k: {"count": c, "spend_last_period_per_customer": v} for k, (c, v) in now.items()}
    prev = {"champions": 10, "loyal": 100, "new": 40, "needs_attention": 5, "at_risk": 200, "dormant": 1000}
    matrix = {a: {b: 0 for b in ranked} for a in ranked}
    matrix["at_risk"]["loyal"] = 30  # 15%: sized
    matrix["dormant"]["at_risk"] = 50  # 5%: sized
    matrix["dormant"]["loyal"] = 3  # under 5 customers
    matrix["dormant"]["new"] = 8  # 0.8%: under the 1% floor
    matrix["new"]["loyal"] = 20  # but Loyal spent less than New: nothing to gain
    sized = opportunities(matrix, prev, stats, ranked)
    assert {(o["from_segment"], o["to_segment"]) for o in sized} == {("at_risk", "loyal"), ("dormant", "at_risk")}
    skipped = unsized_moves(matrix, prev, stats, ranked)
    # needs_attention (empty now) -> the three above it; -> champions from four, -> needs_attention from two
    assert skipped == {"from_segment_empty": 3, "to_segment_empty": 6, "no_spend_gap": 1, "no_moves": 1, "too_few_moves": 1, "rate_too_low": 1}
    assert sum(skipped.values()) + len(sized) == len(ranked) * (len(ranked) - 1) // 2
    note = opportunities_note(skipped, len(sized))
    assert note.startswith("2 of the 15 upward moves between segments are sized; the other 13: 3 moves from a segment with no customers now or none a period earlier; 6 moves to a segment with no customers now;")
    assert "1 move made by fewer than 5 customers last period; 1 move made by under 1% of their segment last period" in note
    # a shorter list: the qualified moves past it are counted too
    assert unsized_moves(matrix, prev, stats, ranked, limit=1)["beyond_limit"] == 1 == len(sized) - len(opportunities(matrix, prev, stats, ranked, limit=1))
    # data without amounts: nothing to value a move by
    no_money = {k: {"count": c, "spend_last_period_per_customer": None} for k, (c, _) in now.items()}
    assert unsized_moves(matrix, prev, no_money, ranked) == {"from_segment_empty": 3, "to_segment_empty": 6, "no_amounts": 6}
    assert opportunities_note({"no_moves": 15}, 0) == "none of the 15 upward moves between segments could be sized: 15 moves made by no customer last period"


def _small_store(tmp_path):
    """60 customers over two years, seeded: enough for a migration, too few moves to size."""
    rng = np.random.default_rng(7)
    rows = []
    for i in range(60):
        first = int(rng.integers(0, 700))
        for k in range(1 + int(rng.poisson(0.4))):
            day = min(729, first + int(rng.integers(0, 120)) * k)
            rows.append((f"c{i}", str(np.datetime64("2023-01-01") + day), round(float(rng.uniform(20, 120)), 2)))
    return write_log(tmp_path, rows)


def test_a_small_store_says_why_no_move_is_sized(cli, tmp_path):
    """Migration measured but no move sized (the enavant trial: an empty list and no word why):
    facts.json counts the upward moves by the reason they were not sized, the counts are what
    the migration shows, and the strategy brief gives the note and forbids inventing an amount."""
    from custseg.render.briefs import render_brief

    out = tmp_path / "out"
    run_ok(cli, _small_store(tmp_path), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["migration"] is not None and rfm["opportunities"] == []
    order, segs, matrix, skipped = rfm["order"], rfm["segments"], rfm["migration"]["matrix"], rfm["opportunities_skipped"]
    moves = [(a, b) for i, a in enumerate(order) for b in order[:i]]
    assert sum(skipped.values()) == len(moves)
    # recounted from the facts' own figures
    empty_from = [(a, b) for a, b in moves if not segs[a]["count"] or not segs[a]["count_prev"]]
    empty_to = [(a, b) for a, b in moves if (a, b) not in empty_from and not segs[b]["count"]]
    rest = [(a, b) for a, b in moves if (a, b) not in empty_from + empty_to]
    assert skipped.get("from_segment_empty", 0) == len(empty_from) and skipped.get("to_segment_empty", 0) == len(empty_to)
    assert skipped.get("no_moves", 0) == sum(matrix[a][b] == 0 for a, b in rest if segs[b]["spend_last_period_per_customer"] > segs[a]["spend_last_period_per_customer"])
    note = rfm["opportunities_note"]
    assert note.startswith(f"none of the {len(moves)} upward moves between segments could be sized: ")
    brief = render_brief("strategy", facts)
    assert f"## Moves sized from this data\n\n{note[0].upper()}{note[1:]}. So no move has an amount in the facts: do not invent one" in brief


def test_short_data_says_in_the_facts_that_no_move_was_measured(cli, tmp_path):
    rows = [(f"c{i}", f"2024-{3 + i % 2:02d}-{1 + i % 28:02d}", 20 + i % 50) for i in range(200)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["opportunities_note"] == f"no move between segments is sized: sizing needs the moves of the last period, which were not measured ({facts['unavailable']['migration']})"
    assert rfm["opportunities_skipped"] is None


def test_too_few_repeat_buyers_for_a_frequency_segment_use_recency_and_spend(cli, tmp_path):
    """Two repeat buyers among 120 (under the minimum segment size of 5): Champions, Loyal and
    At Risk could only be empty, so the recency-monetary table is used and says why; with
    eight repeat buyers frequency can fill a segment and the standard table stays."""
    once = [(f"c{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 10 + i) for i in range(120)]
    for repeaters, expected in ((2, "recency_monetary"), (8, "default")):
        again = [(f"c{i}", "2024-12-30", 50) for i in range(repeaters)]
        out = tmp_path / f"out{repeaters}"
        run_ok(cli, write_log(tmp_path, once + again, name=f"log{repeaters}.csv"), "--out", out, "--method", "quantile")
        facts, _ = read_out(out)
        rfm = facts["segmentations"]["rfm"]
        assert rfm["rules"]["name"] == expected
        if expected == "recency_monetary":
            assert f"only {repeaters} of 120 customers score above the lowest frequency" in rfm["definition"]["rule_table_reason"]


def test_auto_keeps_calendar_bands_for_a_young_store(cli, tmp_path):
    """Sixty days of orders: quintiles would make the oldest fifth Dormant though every customer
    bought within two months; auto keeps the calendar bands and says why, and nobody who bought
    in the last 90 days is Dormant."""
    rows = [(f"c{i}", f"2024-{3 + i % 2:02d}-{1 + i % 28:02d}", 20 + i % 50) for i in range(200)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out)
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["method"] == "fixed" and "Dormant" in rfm["method_reason"]
    assert customers["recency_days"].max() < 90 and "dormant" not in set(customers["segment"])
    run_ok(cli, write_log(tmp_path, rows, name="again.csv"), "--out", tmp_path / "q", "--method", "quantile")
    _, by_quintile = read_out(tmp_path / "q")
    assert "dormant" in set(by_quintile["segment"])  # what auto avoids


def test_briefs_say_why_no_move_is_sized_and_what_to_track_on_short_data(cli, tmp_path):
    """Sixty days of data: no migration, so the strategy brief says why no move is sized and
    the operationalize brief does not send Claude to next-period figures that do not exist."""
    from custseg.render.briefs import render_brief

    rows = [(f"c{i}", f"2024-{3 + i % 2:02d}-{1 + i % 28:02d}", 20 + i % 50) for i in range(200)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out)
    facts, _ = read_out(out)
    strategy = render_brief("strategy", facts)
    assert "## Moves sized from this data\n\nNo move between segments is sized: sizing needs the moves of the last period, which were not measured (the data covers" in strategy
    kpis = render_brief("operationalize", facts)
    # sixty days of a 90-day period: counts, shares and repeat rates are of who happened to buy in those weeks
    assert "such as spend per order (`aov`)" in kpis and "track segment shares (`pct_customers`" not in kpis and "track next-period behaviour" not in kpis
    long_run, _ = read_out(_example_run(cli, tmp_path))
    assert "track next-period behaviour" in render_brief("operationalize", long_run) and "## Moves worth acting on" in render_brief("strategy", long_run)
    # a hunch settled on repeat rates alone is too short to tell (check.py's verdict_on_too_few)
    assert "resting only on repeat rates, as the data covers 59 days, less than one period of 90" in strategy
    assert "resting only on repeat rates" not in render_brief("strategy", long_run)
    # short data is said once among the warnings (the profile's own line gives way to the run's)
    assert [w for w in facts["warnings"] if "migration" in w] == [f"migration and next-period validation skipped: {facts['unavailable']['migration']}"]
    md = (out / "report.md").read_text()
    in_short = md[md.index("## In short") : md.index("## The data we used")]
    assert f"- **Not measured**: moves between segments, their sizes and the next-period check: {facts['unavailable']['migration']}." in in_short
    assert "Not measured" not in long_run["warnings"] and "Not measured" not in (tmp_path / "example" / "report.md").read_text()


def _example_run(cli, tmp_path):
    out = tmp_path / "example"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts")
    return out


def test_report_leaves_empty_segments_out_of_profiles_and_playbook(cli, tmp_path):
    """A young store has no At Risk or Dormant customers: the report names those segments once
    instead of profiling nobody and writing them a playbook."""
    rows = [(f"c{i}", f"2024-{3 + i % 2:02d}-{1 + i % 28:02d}", 20 + i % 50) for i in range(200)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    empty = [s["name"] for s in facts["segmentations"]["rfm"]["segments"].values() if s["count"] == 0]
    assert "Dormant" in empty
    md = (out / "report.md").read_text()
    assert "### Dormant" not in md and "#### Dormant" not in md
    assert f"These segments hold no customers at this date, so they have no profile or playbook: {', '.join(empty)}." in md
    assert "These segments hold no customers" in (out / "report.html").read_text()
    assert "Trend: not measured, since the data does not reach a full period" in md and "Trend: the change" not in md


def test_value_tiers_need_a_year_of_payments_for_arr():
    """Revenue of the last 365 days is an annual figure only when the data covers a year: 22
    days of Stripe payments get spend tiers, and the reason says why."""
    from custseg.compute.segmentations import value_tiers

    spend = np.array([60_000.0, 20_000.0, 5_000.0, 500.0] * 10)
    assert value_tiers(spend, spend, subscription=True, days_covered=400).method == "arr_tiers"
    short = value_tiers(spend, spend, subscription=True, days_covered=22)
    assert short.method == "spend_quantiles" and "cover 22 days, less than a year" in short.method_reason


def _health_of(orders: dict[str, list[tuple[int, float]]], as_of: int, period: int = 90):
    """Health components and labels for customers given as {id: [(days before as_of, amount)]}
    (``as_of`` a day number since 1970)."""
    from custseg.compute.segmentations import components_from_metrics, health

    from custseg.compute.metrics import EPOCH

    rows = [(cid, EPOCH + np.timedelta64(as_of - ago, "D"), amount) for cid, buys in orders.items() for ago, amount in buys]
    ledger = Ledger.from_frame(pd.DataFrame(rows, columns=["customer_id", "date", "amount"]))
    m = customer_metrics(ledger, as_of, period)
    comps, desc = components_from_metrics(m)
    position = {cid: i for i, cid in enumerate(ledger.ids[m.code])}
    return position, comps, desc, health(comps, desc)


def test_health_a_first_purchase_is_not_growth():
    """A customer whose first purchase falls in the last period has nothing to compare it with:
    the trend components are neutral (50), not 'doubled' (100), so a one-time recent buyer does
    not reach Thriving, while a steady ten-order buyer does and a customer who came back after a
    quiet period still scores a rising trend."""
    orders = {
        "first_timer": [(5, 100.0)],
        "came_back": [(300, 100.0), (5, 100.0)],
        "steady": [(2 + 30 * k, 50.0) for k in range(10)],
        **{f"old_{i:02d}": [(400 + i, 80.0)] for i in range(20)},
    }
    at, comps, desc, lab = _health_of(orders, as_of=20_000)
    score, band = lab.extra["health_score"], lab.label
    assert comps["spend_trend"][at["first_timer"]] == comps["frequency_trend"][at["first_timer"]] == 50
    assert comps["spend_trend"][at["came_back"]] == comps["frequency_trend"][at["came_back"]] == 100
    assert comps["spend_trend"][at["steady"]] == 50  # three orders of 50 in each period: flat
    assert score[at["steady"]] > score[at["first_timer"]]
    assert band[at["first_timer"]] != "thriving" and band[at["steady"]] == "thriving"
    # the facts say so
    assert "first purchase was in the last 90 days has nothing to compare with and scores 50" in desc["spend_trend"]
    assert "100 = doubled or new" not in desc["spend_trend"]


def test_data_that_ends_long_before_today_is_a_warning(cli, tmp_path, monkeypatch):
    """The default as-of date is the last purchase: months later, 'recent' customers are not.
    The run says how old the data is, unless the user chose the date with --as-of."""
    import custseg.facts.build as build
    from custseg.compute.metrics import to_days

    ends = "2025-12-31"  # the Shopify example's last order
    day = lambda iso: int(to_days(np.datetime64(iso, "D")))  # noqa: E731
    age_warnings = lambda facts: [w for w in facts["warnings"] if "days before today" in w]  # noqa: E731

    monkeypatch.setattr(build, "today", lambda: day("2026-11-23"))
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", tmp_path / "old", "--no-charts")
    facts, _ = read_out(tmp_path / "old")
    assert age_warnings(facts) == [f"the data ends on {ends}, 327 days before today (2026-11-23): the segments show customers as they were then (who is recent, at risk or lapsed has moved on since); export the data again for today's picture"]

    monkeypatch.setattr(build, "today", lambda: day("2026-02-15"))  # within one period
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", tmp_path / "fresh", "--no-charts")
    assert age_warnings(read_out(tmp_path / "fresh")[0]) == []

    monkeypatch.setattr(build, "today", lambda: day("2026-11-23"))
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", tmp_path / "chosen", "--no-charts", "--as-of", ends)
    assert age_warnings(read_out(tmp_path / "chosen")[0]) == []


def test_a_merged_best_segment_is_explained_not_shown_as_zero(cli, tmp_path):
    """Two frequent big buyers are too few for Champions: they join Loyal. The run's table and
    the segments brief say where they went instead of showing 'Champions 0' as if the store
    had no best customers (found by a skill trial)."""
    import datetime
    import random

    from custseg.render.briefs import render_brief

    rng = random.Random(4)
    end = datetime.date(2024, 6, 30)
    ago = lambda days: (end - datetime.timedelta(days=days)).isoformat()  # noqa: E731
    rows = [(f"c{i}", ago(rng.randint(0, 400)), rng.randint(10, 90)) for i in range(150)]
    rows += [(f"c{i}", ago(rng.randint(0, 300)), rng.randint(20, 80)) for i in range(150, 170) for _ in range(rng.randint(2, 3))]
    rows += [(f"c{i}", ago(7 * k), 300) for i in (170, 171) for k in range(12)]
    out = tmp_path / "out"
    res = run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts", "--as-of", end.isoformat())
    facts, _ = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["merged"] == [{"from": "champions", "into": "loyal", "customers": 2, "reason": rfm["merged"][0]["reason"]}]
    assert re.search(r"\n  Champions +0 +0\.0% +0\.0%  merged into Loyal\n", res.out)
    result = json.loads(cli("run", write_log(tmp_path, rows), "--out", out, "--no-charts", "--as-of", end.isoformat(), "--json").out)
    assert {s["key"]: s["merged_into"] for s in result["segments"]}["champions"] == "loyal"
    brief = render_brief("segments", facts)
    table = brief[brief.index("| Segment (key) |") : brief.index("Not in the table")]
    assert "(`champions`)" not in table and "(`loyal`)" in table
    reason = rfm["merged"][0]["reason"]
    assert f"Not in the table: Champions (`champions`), too small for a segment of its own ({reason}), so its customers are counted in Loyal. Say so in one sentence, so an empty best segment" in brief
    # the report's table too: its trend cell says where they went (a trial read 'Champions | 0 | 0.0%')
    report = (out / "report.md").read_text(encoding="utf-8")
    glance = report[report.index("## RFM segments at a glance") :]
    row = next(ln for ln in glance.splitlines() if ln.startswith("| Champions |"))
    assert row.endswith("| merged into Loyal |")
    assert "merged into Loyal" in (out / "report.html").read_text(encoding="utf-8")
    # a plan that names the merged segment reaches nobody: check.py says which segment took them
    from custseg.strategy.validate import validate

    doc = {"segments": {}, "pathways": [{"from_segment": "new", "to_segment": "champions"}], "kpis": [{"segment": "loyal"}]}
    (p,) = [p for p in validate(doc, facts) if p.code == "merged_segment"]
    assert p.path == "pathways[0].to_segment" and "joined 'loyal'" in p.message


def test_no_sized_move_with_a_migration_is_said_as_such(cli, tmp_path):
    """Migration measured, yet no move large enough to size (a small store): the strategy
    brief renders (it crashed on the missing 'unavailable.migration') and the report gives the
    real reason instead of 'sizing needs the segment migration'. Found by a skill trial."""
    from custseg.render.briefs import render_brief
    from custseg.render.report import render_report

    facts, _ = read_out(_example_run(cli, tmp_path))
    facts["segmentations"]["rfm"]["opportunities"] = []
    del facts["segmentations"]["rfm"]["opportunities_note"]  # as a facts.json from before the note (the note's own test: test_a_small_store_says_why_no_move_is_sized)
    assert "migration" not in facts["unavailable"]
    brief = render_brief("strategy", facts)
    assert "## Moves sized from this data\n\nNone: no move between two segments last period was large enough to size." in brief
    render_report(facts, str(tmp_path / "report"))
    md = (tmp_path / "report" / "report.md").read_text()
    assert f"None: no move was large enough to size. Listed would be {facts['segmentations']['rfm']['opportunity_basis']}." in md
    assert "sizing needs the segment migration" not in md


def test_intake_brief_asks_for_a_newer_export_when_the_data_is_old(cli, tmp_path, monkeypatch):
    import custseg.facts.build as build
    from custseg.compute.metrics import to_days
    from custseg.render import briefs

    day = lambda iso: int(to_days(np.datetime64(iso, "D")))  # noqa: E731
    facts, _ = read_out(_example_run(cli, tmp_path))  # ends 2025-12-31
    monkeypatch.setattr(build, "today", lambda: day("2026-11-23"))  # the run's warning and the briefs read one clock
    intake = briefs.render_brief("intake", facts)
    assert "4. **Data**: this data ends on 2025-12-31, 327 days ago, so the segments will show customers as they were then; is there a newer export?" in intake
    assert "- Export: **Shopify orders export** (" in intake  # in words, not the source key
    # ... and the strategy brief plans for it: every customer is 327 days further from their last order
    strategy = briefs.render_brief("strategy", facts)
    assert "## The data is 327 days old" in strategy
    # a user who says the data is current is asked to check it against the clock the age came from
    assert "this computer's clock (2026-11-23): tell them the last date in the file" in strategy
    monkeypatch.setattr(build, "today", lambda: day("2026-01-20"))
    intake = briefs.render_brief("intake", facts)
    assert "is there a newer export" not in intake and "4. **Data**: is this file your whole customer base" in intake
    assert "days old" not in briefs.render_brief("strategy", facts)


def test_a_small_lapsing_segment_joins_the_lapsed_not_loyal():
    """Four lapsing repeat buyers (At Risk, recency 2) are nearer Loyal on frequency and spend
    but belong with the lapsed: a merge stays on its side of recency (a skill trial saw them
    get loyalty emails)."""
    from custseg.compute.rfm import Assignment, merge_small
    from custseg.compute.rules import DEFAULT

    keys = DEFAULT.keys
    # (segment, r, f, m, customers)
    groups = [("loyal", 3, 4, 5, 30), ("new", 5, 1, 3, 30), ("at_risk", 2, 3, 5, 4), ("dormant", 1, 1, 2, 300), ("needs_attention", 3, 1, 3, 60)]
    seg = np.concatenate([np.full(n, keys.index(k)) for k, _, _, _, n in groups])
    column = lambda i: np.concatenate([np.full(g[-1], g[1 + i], dtype=np.int8) for g in groups])  # noqa: E731
    scored = Scored(r=column(0), f=column(1), m=column(2), scores={}, method="fixed", method_reason="")
    merged = merge_small(Assignment(DEFAULT, "", seg, []), scored).merged
    assert [(m["from"], m["into"]) for m in merged] == [("at_risk", "dormant")] and "lapsing" in merged[0]["reason"]


def test_a_few_champions_in_a_large_base_keep_their_segment():
    """35 Champions among 6,900 customers were folded into Loyal (under 1%), and a trial's
    plan lost the group a personal note reaches. The first rule's segment stays from 5
    customers; under 5 it still merges, and the other segments keep the 1% floor."""
    from custseg.compute.rfm import MIN_SEGMENT_COUNT, Assignment, merge_small
    from custseg.compute.rules import DEFAULT

    keys = DEFAULT.keys

    def merges(champions: int) -> list[tuple[str, str]]:
        # (segment, r, f, m, customers): 1% of the base is 10 customers
        groups = [("champions", 5, 5, 5, champions), ("loyal", 4, 4, 4, 200), ("at_risk", 2, 3, 5, 6), ("dormant", 1, 1, 2, 600), ("needs_attention", 3, 1, 3, 194)]
        seg = np.concatenate([np.full(n, keys.index(k)) for k, _, _, _, n in groups])
        column = lambda i: np.concatenate([np.full(g[-1], g[1 + i], dtype=np.int8) for g in groups])  # noqa: E731
        scored = Scored(r=column(0), f=column(1), m=column(2), scores={}, method="fixed", method_reason="")
        return [(m["from"], m["into"]) for m in merge_small(Assignment(DEFAULT, "", seg, []), scored).merged]

    assert merges(MIN_SEGMENT_COUNT) == [("at_risk", "dormant")]
    assert merges(MIN_SEGMENT_COUNT - 1) == [("champions", "loyal"), ("at_risk", "dormant")]


def _events_without_revenue(tmp_path, users: int, seed: int = 3):
    """An event log of ``users`` users with purchase events on random days and no revenue."""
    rng = np.random.default_rng(seed)
    path = tmp_path / f"events_{users}.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["user_id", "event", "timestamp"])
        for u in range(users):
            for day in rng.choice(400, size=int(rng.integers(1, 25)), replace=False):
                w.writerow([f"u{u}", "purchase", (pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(day))).strftime("%Y-%m-%d")])
    return path


@pytest.mark.parametrize("users, table", [(400, "recency_frequency"), (30, "small_base_no_amounts")])
def test_without_amounts_the_rules_score_recency_and_frequency_only(cli, tmp_path, users, table):
    """With no amounts every M score is the same: a rule asking for high spend could never
    match (Champions needed M 4-5 and stayed empty), so the table drops spend altogether."""
    out = tmp_path / "out"
    run_ok(cli, _events_without_revenue(tmp_path, users), "--out", out, "--no-charts")
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["rules"]["name"] == table
    assert all("m" not in seg["when"] for seg in rfm["rules"]["segments"])
    assert not any("spend" in seg["description"] for seg in rfm["rules"]["segments"])
    assert all(set(s["mean_scores"]) == {"r", "f"} for s in rfm["segments"].values())  # no M to average
    assert customers["m_score"].isna().all()  # not scored: empty in customers.csv, not a 0 or a made-up 3
    best = rfm["order"][0]
    assert rfm["segments"][best]["count"] > 0


def test_a_rule_file_on_data_without_amounts_drops_its_spend_conditions(cli, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"segments": [{"key": "vip", "when": {"r": [3, 5], "f": [3, 5], "m": [4, 5]}}, {"key": "rest"}]}))
    out = tmp_path / "out"
    run_ok(cli, _events_without_revenue(tmp_path, 400), "--out", out, "--rules", rules, "--no-charts")
    rfm = json.loads((out / "facts.json").read_text())["segmentations"]["rfm"]
    assert rfm["rules"]["segments"][0]["when"] == {"r": [3, 5], "f": [3, 5]}
    assert "its spend conditions left out: the data has no amounts" in rfm["definition"]["rule_table_reason"]
    assert rfm["segments"]["vip"]["count"] > 0


def test_a_shorter_period_that_fits_the_data_drops_the_short_data_warning(cli, tmp_path):
    """178 days are too few for two 90-day periods but enough for two of 60: with --period 60d
    migration runs, and the profile's 'need at least 180' warning would contradict it."""
    rows = [(f"c{i % 150}", (pd.Timestamp("2024-01-01") + pd.Timedelta(days=(i * 7) % 178)).strftime("%Y-%m-%d"), 10 + i % 40) for i in range(900)]
    path = write_log(tmp_path, rows)
    out = tmp_path / "out"
    run_ok(cli, path, "--out", out, "--period", "60d", "--no-charts")
    facts = json.loads((out / "facts.json").read_text())
    assert facts["segmentations"]["rfm"]["migration"] is not None
    assert not any("need at least 180" in w for w in facts["warnings"])
    run_ok(cli, path, "--out", out, "--no-charts")  # the default period: the data is too short, and it says so
    facts = json.loads((out / "facts.json").read_text())
    assert any("migration and next-period validation skipped" in w for w in facts["warnings"])


def test_an_event_log_speaks_of_buyers_and_recency_without_amounts(cli, tmp_path):
    rows = [(f"u{i}", "purchase", f"2024-0{1 + i % 6}-1{i % 9}") for i in range(80)] + [(f"u{i}", "home", "2024-03-02") for i in range(80, 200)]
    path = tmp_path / "ev.csv"
    path.write_text("user_id,event,timestamp\n" + "\n".join(",".join(r) for r in rows) + "\n")
    out = cli("profile", path, "--json").json()
    assert out["customers"] == 200 and out["buyers"] == 80
    assert "100.0% of buyers bought once: frequency separates few of them, so recency carries the segmentation" in out["warnings"]


def test_lapsed_lifecycle_and_the_lowest_recency_score_are_the_same_customers(cli, tmp_path):
    """A customer 180 days past their last purchase is recency 2 (91-180 days), so not yet
    Lapsed; at 181 days both say gone (a trial found 4 customers Lapsed with recency 2)."""
    end = pd.Timestamp("2024-12-31")
    rows = [(f"c{i}", (end - pd.Timedelta(days=int(d))).strftime("%Y-%m-%d"), 20) for i, d in enumerate([0] + list(range(170, 200)) * 3)]
    rows += [(f"c{i}", "2023-01-05", 30) for i in range(len(rows))]  # everyone two orders, a long tenure
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--method", "fixed", "--no-charts")
    _, customers = read_out(out)
    assert ((customers["lifecycle"] == "lapsed") == (customers["r_score"] == 1)).all()
    assert (customers.loc[customers["recency_days"] == 180, "lifecycle"] != "lapsed").all()
    assert (customers.loc[customers["recency_days"] == 181, "lifecycle"] == "lapsed").all()


@pytest.mark.parametrize("days, caveats", [(300, True), (1000, False)])
def test_a_short_export_says_what_counting_from_its_first_day_does(cli, tmp_path, days, caveats):
    """Tenure and purchase counts start at the export's first day: on 300 days, the earlier
    trend date had a quarter less history (Champions 'grow' by construction) and lifecycle
    stages look younger; on 1,000 days neither caveat is worth a line."""
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2022-01-01")
    rows = [(f"c{rng.integers(0, 300)}", (start + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d"), 25) for d in rng.integers(0, days, 3000)]
    rows += [("c0", start.strftime("%Y-%m-%d"), 25), ("c1", (start + pd.Timedelta(days=days - 1)).strftime("%Y-%m-%d"), 25)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts = json.loads((out / "facts.json").read_text())
    trend = [w for w in facts["warnings"] if w.startswith("trends compare")]
    tenure = [n for n in facts["segmentations"]["lifecycle"]["notes"] if n.startswith("tenure counts from the first purchase in this data, which starts on 2022-01-01")]
    assert bool(trend) == caveats and bool(tenure) == caveats
    if caveats:
        assert f"the data held {days - 90:,} days of purchases at the earlier date against {days:,} now" in trend[0]


def test_intake_asks_the_currency_when_the_export_names_none(cli, tmp_path):
    from custseg.render import briefs

    rows = [(f"c{i % 40}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 10 + i) for i in range(300)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    assert facts["data"]["currency"] is None
    brief = briefs.render_brief("intake", facts)
    # a log of customer numbers without emails: the question of the email route comes first
    assert "10. **Customer number in the email tool**" in brief
    assert "11. **Currency**: the export names no currency; which currency are the amounts in?" in brief
    assert "The export names no currency: the plan's budget is in the currency its amounts are in, which the Currency question below asks" in brief
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts", "--currency", "GBP")
    facts, _ = read_out(out)
    assert "**Currency**" not in briefs.render_brief("intake", facts)


def test_intake_asks_about_the_customer_number_only_when_the_export_has_no_emails(cli, tmp_path):
    from custseg.render import briefs

    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", tmp_path / "out", "--no-charts")
    facts, _ = read_out(tmp_path / "out")
    assert "**Customer number in the email tool**" not in briefs.render_brief("intake", facts)


def _daily_log(tmp_path, days: int, amount_on) -> str:
    """One order a day from 50 rotating customers, its amount a function of the day's index."""
    start = pd.Timestamp("2023-01-01")
    rows = [(f"c{d % 50}", (start + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), amount_on(d)) for d in range(days)]
    return write_log(tmp_path, rows)


def test_sales_by_month_add_up_to_the_export_and_mark_partial_months(cli, tmp_path):
    """facts.data.by_month: a user's hunch about months is checked on counted figures; the
    months add up to the kept orders and revenue, and the partial first and last months say so."""
    rng = np.random.default_rng(11)
    start = pd.Timestamp("2024-01-15")
    rows = [(f"c{rng.integers(0, 80)}", (start + pd.Timedelta(days=int(d))).strftime("%Y-%m-%d"), int(rng.integers(5, 50))) for d in rng.integers(0, 120, 900)]
    rows += [("c0", "2024-01-15", 10), ("c1", "2024-05-13", 10)]  # the span: 15 Jan to 13 May
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    months = facts["data"]["by_month"]
    assert [m["month"] for m in months] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert [(m["days_covered"], m["days_in_month"]) for m in months] == [(17, 31), (29, 29), (31, 31), (30, 30), (13, 31)]
    frame = pd.DataFrame(rows, columns=["customer", "day", "amount"])
    frame["month"] = frame["day"].str[:7]
    expected = frame.groupby("month").agg(orders=("amount", "size"), buyers=("customer", "nunique"), revenue=("amount", "sum"))
    assert [(m["orders"], m["buyers"], m["revenue"]) for m in months] == [(int(r.orders), int(r.buyers), float(r.revenue)) for r in expected.itertuples()]
    assert sum(m["orders"] for m in months) == facts["data"]["orders"]
    assert sum(m["revenue"] for m in months) == pytest.approx(facts["data"]["revenue_total"])
    from custseg.render import briefs

    brief = briefs.render_brief("intake", facts)
    first = expected.iloc[0]
    assert f"| 2024-01 | 17 of 31 | {first.orders:,} | {first.buyers:,} | {first.revenue:,.2f} |" in brief
    assert "and months of the year from the sales-by-month table above" in brief
    assert "which they cannot: products, channels" in brief


def test_a_last_period_far_above_the_one_before_is_said(cli, tmp_path):
    """Next-period checks and trends are measured on the last period: when it sold twice the
    period before (a peak season or growth), every segment's figures rise alike, and the
    facts say so, with the same days a year earlier for comparison."""
    days = 600
    out = tmp_path / "out"
    run_ok(cli, _daily_log(tmp_path, days, lambda d: 20 if d >= days - 90 else 10), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    said = [w for w in facts["warnings"] if w.startswith("the last period")]
    assert said == [
        "the last period (2024-05-25 to 2024-08-22), where next-period checks and trends are measured, held 2.0 times the sales of the period before it; "
        "a year earlier the same days held 1.0 times the sales of the period before them: every segment's figures in it rise alike (a peak season or growth), "
        "so compare segments with each other rather than with other periods"
    ]
    out2 = tmp_path / "out2"
    run_ok(cli, _daily_log(tmp_path, days, lambda d: 12 if d >= days - 90 else 10), "--out", out2, "--no-charts")  # 1.2 times: no warning
    facts, _ = read_out(out2)
    assert not [w for w in facts["warnings"] if w.startswith("the last period")]


# -- seasonality: when each segment bought in the last year --------------------------------------

# A December-only buyer (A), a buyer in every quarter (B), a customer who last bought before
# the window (C) and a buyer in March only (D); the year up to the as-of date is calendar 2023.
SEASON_ROWS = [
    ("A", "2022-12-10", 100), ("A", "2023-12-02", 40), ("A", "2023-12-20", 60),
    ("B", "2022-06-01", 15), ("B", "2023-02-01", 10), ("B", "2023-05-01", 20), ("B", "2023-08-01", 30), ("B", "2023-11-01", 40),
    ("C", "2022-01-15", 70), ("C", "2022-03-01", 20),
    ("D", "2023-03-10", 25), ("D", "2023-03-20", 25),
]


def _season_run(cli, tmp_path, rows, *args):
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts", *args)
    return read_out(out) + (read_key(str(out / "segment.key")),)


def test_seasonality_figures_match_a_hand_count(cli, tmp_path):
    """facts.data.seasonality: over the 365 days up to the as-of date (calendar 2023 here),
    spend 60 / 20 / 30 / 140 of 250 by quarter, buyers A, B and D (C's orders are older), A and
    D in one quarter only. Each segment's figures are those of its own customers."""
    facts, customers, key = _season_run(cli, tmp_path, SEASON_ROWS, "--as-of", "2023-12-31")
    season = facts["data"]["seasonality"]
    assert (season["window_start"], season["window_end"], season["window_days"]) == ("2023-01-01", "2023-12-31", 365)
    assert season["buyers"] == 3
    assert season["revenue_share"] == {"q1": 0.24, "q2": 0.08, "q3": 0.12, "q4": 0.56}
    assert season["buyers_share"] == {"q1": 0.666667, "q2": 0.333333, "q3": 0.333333, "q4": 0.666667}
    assert season["one_quarter_only"] == 0.666667
    assert "seasonality" not in facts["unavailable"]
    # Per segment: what each customer alone would show, added up by the segment it is in.
    alone = {
        "A": ([0, 0, 0, 100], [0, 0, 0, 1]),
        "B": ([10, 20, 30, 40], [1, 1, 1, 1]),
        "C": ([0, 0, 0, 0], [0, 0, 0, 0]),
        "D": ([50, 0, 0, 0], [1, 0, 0, 0]),
    }
    ids = dict(zip(pseudonymize([f"i:{c}" for c in alone], key), alone))
    segment_of = {ids[c]: s for c, s in zip(customers["customer_id"], customers["segment"])}
    segments = facts["segmentations"]["rfm"]["segments"]
    for seg_key, stats in segments.items():
        members = [c for c, s in segment_of.items() if s == seg_key]
        spend = np.sum([alone[c][0] for c in members] or [[0] * 4], axis=0)
        quarters = np.array([alone[c][1] for c in members] or [[0] * 4])
        bought = quarters[quarters.sum(axis=1) > 0]
        got = stats["seasonality"]
        assert got["buyers"] == len(bought), seg_key
        if spend.sum() > 0:
            assert [got["revenue_share"][q] for q in ("q1", "q2", "q3", "q4")] == pytest.approx(spend / spend.sum(), abs=1e-4), seg_key
        else:
            assert set(got["revenue_share"].values()) == {None}, seg_key
        if len(bought):
            assert [got["buyers_share"][q] for q in ("q1", "q2", "q3", "q4")] == pytest.approx(bought.mean(axis=0), abs=1e-4), seg_key
            assert got["one_quarter_only"] == pytest.approx((bought.sum(axis=1) == 1).mean(), abs=1e-4), seg_key
        else:
            assert got["one_quarter_only"] is None and set(got["buyers_share"].values()) == {None}, seg_key
    # The December-only buyer's segment holds Q4 spend; the every-quarter buyer's segment has Q1 spend.
    assert segments[segment_of["B"]]["seasonality"]["revenue_share"]["q1"] > 0
    assert segments[segment_of["A"]]["seasonality"]["revenue_share"]["q4"] > 0
    # The segments brief shows the table with the references to cite; the intake brief says
    # seasonal hunches are checked on it.
    from custseg.render import briefs

    brief = briefs.render_brief("segments", facts)
    table = brief[brief.index("## When each segment bought in the last 12 months") :]
    assert "| All customers | 3 | 24.0% | 8.0% | 12.0% | 56.0% | 66.7% |" in table
    a = segments[segment_of["A"]]
    assert f"| {a['name']} (`{segment_of['A']}`) | {a['seasonality']['buyers']} | " in table
    assert "`{segmentations.rfm.segments.<key>.seasonality.revenue_share.q4}`" in table
    assert "is checked in the next phase, on each segment's share of spend in each calendar quarter" in briefs.render_brief("intake", facts)
    assert f"`{{segmentations.rfm.segments.{segment_of['A']}.seasonality.revenue_share.q1}}` to `.q4`" in briefs.render_brief("strategy", facts)


def test_seasonality_counts_a_quarter_split_by_the_window_once():
    """A window that does not start on 1 January holds two pieces of one quarter a year apart:
    a customer who bought in both bought in one quarter. The window's first day counts, the
    day before it does not."""
    from custseg.compute import seasons
    from custseg.compute.metrics import to_days

    def ledger(rows):
        return Ledger.from_frame(pd.DataFrame(rows, columns=["customer_id", "date", "amount"]).assign(date=lambda f: pd.to_datetime(f["date"])))

    as_of = int(to_days(np.datetime64("2023-11-30")))
    assert seasons.window(as_of) == (int(to_days(np.datetime64("2022-12-01"))), as_of)
    lg = ledger([("x", "2022-12-01", 30.0), ("x", "2023-11-15", 10.0), ("y", "2022-11-30", 99.0), ("y", "2023-05-05", 5.0), ("z", "2023-12-01", 7.0)])
    group = np.array([0, 0, 1])  # x and y in group 0, z in group 1
    per_group, everyone = seasons.by_quarter(lg, as_of, group, 2, True)
    x_and_y = seasons.figures(per_group, 0)
    assert x_and_y == {
        "buyers": 2,
        "revenue_share": {"q1": 0.0, "q2": 0.111111, "q3": 0.0, "q4": 0.888889},  # 5 and 40 of 45: y's 99 fell the day before the window
        "buyers_share": {"q1": 0.0, "q2": 0.5, "q3": 0.0, "q4": 0.5},
        "one_quarter_only": 1.0,  # x's two Q4 pieces are one quarter
    }
    assert seasons.figures(per_group, 1) == {"buyers": 0, "revenue_share": dict.fromkeys(seasons.QUARTERS), "buyers_share": dict.fromkeys(seasons.QUARTERS), "one_quarter_only": None}
    assert seasons.figures(everyone, 0) == x_and_y  # z bought after the as-of date


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(-400, 30), st.floats(min_value=-20, max_value=500, allow_nan=False)), min_size=1, max_size=40),
    st.lists(st.integers(-1, 2), min_size=6, max_size=6),
)
@settings(max_examples=200, deadline=None)
def test_seasonality_matches_a_count_by_customer_and_quarter(rows, group_of_code):
    """by_quarter against the plain definition, one pandas groupby per figure: customers 0-5
    in groups -1 (none), 0, 1 or 2, orders from 400 days before to 30 days after the as-of
    date (a window that starts mid-quarter, so a quarter can come in two pieces)."""
    from custseg.compute import seasons
    from custseg.compute.metrics import to_days

    as_of = int(to_days(np.datetime64("2023-08-20")))
    frame = pd.DataFrame(rows, columns=["code", "offset", "amount"]).assign(day=lambda f: as_of + f["offset"])
    lg = Ledger.from_frame(pd.DataFrame({"customer_id": frame["code"].map("c{}".format), "date": (np.datetime64("1970-01-01") + frame["day"].to_numpy().astype("timedelta64[D]")), "amount": frame["amount"]}))
    codes = {f"c{k}": k for k in range(6)}
    group = np.array([group_of_code[codes[i]] for i in lg.ids])  # the ledger's codes index its sorted ids
    per_group, everyone = seasons.by_quarter(lg, as_of, group, 3, True)

    first, last = seasons.window(as_of)
    held = frame[(frame["day"] >= first) & (frame["day"] <= last)].copy()
    held["quarter"] = (pd.to_datetime(held["day"], unit="D").dt.month - 1) // 3
    held["group"] = [group_of_code[c] for c in held["code"]]
    quarters_of = held.groupby("code")["quarter"].agg(lambda q: set(q))
    for g, season, i in [(k, per_group, k) for k in range(3)] + [(None, everyone, 0)]:
        mine = held if g is None else held[held["group"] == g]
        buyers = quarters_of[quarters_of.index.isin(mine["code"].unique())]
        assert int(season.buyers[i]) == len(buyers)
        assert season.quarter_buyers[i].tolist() == [sum(q in s for s in buyers) for q in range(4)]
        assert int(season.one_quarter[i]) == sum(len(s) == 1 for s in buyers)
        assert season.spend[i] == pytest.approx([mine.loc[mine["quarter"] == q, "amount"].sum() for q in range(4)], abs=1e-6)


@given(st.lists(st.floats(min_value=-50, max_value=1000, allow_nan=False), min_size=4, max_size=4).filter(lambda v: sum(v) > 1))
@settings(max_examples=200, deadline=None)
def test_quarter_revenue_shares_add_up_to_one(values):
    from custseg.compute.seasons import shares_summing_to_one

    shares = shares_summing_to_one(np.array(values))
    assert round(sum(shares) * 10_000) == 10_000
    assert shares == pytest.approx(np.array(values) / sum(values), abs=1e-4 + 1e-12)


def test_seasonality_needs_a_year_of_data(cli, tmp_path):
    """364 days up to the as-of date: no quarter figures, and facts.unavailable says why;
    365 days: there they are. A customer table is one snapshot: none either."""
    rows = [(f"c{i % 7}", (pd.Timestamp("2023-01-01") + pd.Timedelta(days=d)).strftime("%Y-%m-%d"), 10 + i) for i, d in enumerate(range(1, 364, 11))]
    rows += [("c0", "2023-12-31", 10)]
    facts, customers, _ = _season_run(cli, tmp_path, rows)  # 2023-01-02 .. 2023-12-31: 364 days
    assert facts["data"]["seasonality"] is None
    assert all(s["seasonality"] is None for s in facts["segmentations"]["rfm"]["segments"].values())
    assert facts["unavailable"]["seasonality"].startswith("the data covers 364 days up to the as-of date; spend and buyers by calendar quarter need a full year (365 days)")
    from custseg.render import briefs

    assert "## When each segment bought" not in briefs.render_brief("segments", facts)
    intake = briefs.render_brief("intake", facts)
    assert "- Not available: seasonality (the data covers 364 days up to the as-of date;" in intake and "is checked in the next phase" not in intake
    (tmp_path / "a").mkdir()
    facts, _, _ = _season_run(cli, tmp_path / "a", rows + [("c1", "2023-01-01", 10)])  # 365 days
    assert "seasonality" not in facts["unavailable"]
    assert facts["data"]["seasonality"]["buyers"] == 7
    assert all(s["seasonality"] is not None for s in facts["segmentations"]["rfm"]["segments"].values())
    out = tmp_path / "crm"
    run_ok(cli, EXAMPLES / "crm_customers.csv", "--out", out, "--no-charts")
    facts, _ = read_out(out)
    assert facts["data"]["seasonality"] is None
    assert facts["unavailable"]["seasonality"] == "needs transactions over time; a customer table is one snapshot"


def test_transitions_to_watch_leave_out_moves_zero_by_construction():
    """A segment merged away (no customers at one date) cannot send or take anyone: its watch
    rows would read as 'nobody moved', so they are left out; a real zero stays."""
    from custseg.compute.analysis import migration

    keys = ["champions", "loyal", "at_risk", "dormant"]
    codes = np.arange(4)
    prev_idx = np.array([1, 1, 2, 3])  # nobody in champions at the earlier date
    now_idx = np.array([1, 2, 3, 3])  # nor at the later one
    pairs = [("champions", "at_risk"), ("loyal", "champions"), ("loyal", "at_risk"), ("at_risk", "dormant"), ("dormant", "loyal")]
    watch = migration(codes, prev_idx, codes, now_idx, keys, None, pairs)["watch"]
    assert [(w["from_segment"], w["to_segment"], w["customers"]) for w in watch] == [("loyal", "at_risk", 1), ("at_risk", "dormant", 1), ("dormant", "loyal", 0)]


def test_empty_quiet_segments_on_short_data_are_not_read_as_nobody_stopped(cli, tmp_path):
    """Three weeks of orders: nobody can be At Risk or Dormant yet. The segments brief says the
    data is too short for them, so 'bring back people who stopped' is not answered with 'nobody'
    (a skill trial on a 22-day Stripe export); a long export with such customers says nothing of it."""
    import random

    from custseg.render.briefs import render_brief

    rng = random.Random(1)
    rows = [(f"c{i}", f"2025-01-{rng.randint(1, 22):02d}", rng.randint(10, 300)) for i in range(120) for _ in range(rng.randint(1, 3))]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    facts, _ = read_out(out)
    rfm = facts["segmentations"]["rfm"]["segments"]
    assert rfm["at_risk"]["count"] == 0 and rfm["dormant"]["count"] == 0
    brief = render_brief("segments", facts)
    assert f"At Risk and Dormant are empty because nobody in this data has gone without a purchase long enough (it covers {facts['data']['days_covered']} days)" in brief
    long_run = tmp_path / "long"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", long_run, "--no-charts")
    assert "gone without a purchase long enough" not in render_brief("segments", read_out(long_run)[0])


def test_value_tiers_say_the_shares_ties_leave():
    """Ties at a cut stay in one tier: when many customers spent the same (one price, one order
    each), the tiers are far from 20/30/50 and the method reason gives the shares they hold (a
    trial store's 'top 20%' held 9.8%); with spend spread out, it says nothing more."""
    import numpy as np

    from custseg.compute.segmentations import value_tiers

    one_price = np.array([46.11] * 30 + [42.11] * 15 + [100.0] * 5 + [20.0] * 1)
    lab = value_tiers(one_price, one_price, subscription=False)
    shares = [float(np.mean(lab.index == i)) for i in range(3)]
    assert shares[0] != 0.2 and lab.method_reason.endswith(f"so the tiers hold {shares[0]:.1%}, {shares[1]:.1%} and {shares[2]:.1%} of customers")
    spread = np.arange(1, 101, dtype=float)
    assert "ties" not in value_tiers(spread, spread, subscription=False).method_reason


def test_value_tiers_say_ties_only_when_customers_tie():
    """Three different spends (a Shopify dev store): both cuts fall on the middle one, so the
    middle tier is empty; the reason said 'many customers spent the same amount' and the tier's
    rule read 'spend above 1,184.90, at most 1,184.90'. Neither may be said of this data."""
    from custseg.compute.segmentations import value_tiers
    from custseg.facts.build import _rule_text

    spend = np.array([1635.55, 1184.90, 389.55])
    lab = value_tiers(spend, spend, subscription=False)
    assert "spent the same" not in lab.method_reason and "ties" not in lab.method_reason
    assert lab.method_reason.endswith("with only 3 customers the tiers cannot hold 20% and 30% exactly; both cuts fall on one customer's spend, so the tiers hold 33.3%, 0.0% and 66.7% of customers")
    assert _rule_text(lab, "medium", "EUR") == "none: both cut points are 1,184.90 EUR"
    assert _rule_text(lab, "high", "EUR") == "spend above 1,184.90 EUR"
    # everyone paid the same: said so, not 'many customers'
    same = np.array([9.99] * 3)
    assert "every customer spent the same amount, so spend does not separate them" in value_tiers(same, same, subscription=False).method_reason
    # a tie at the top cut does not empty the top tier: 30% spent the most
    tied = np.array([10.0] * 70 + [20.0] * 30)
    lab = value_tiers(tied, tied, subscription=False)
    assert (lab.label[tied == 20.0] == "high").all() and "ties stay in one tier" in lab.method_reason


def test_value_tiers_on_the_dev_store_export(cli, tmp_path, realdata):
    out = tmp_path / "out"
    run_ok(cli, realdata / "shopify_devstore" / "orders_export.csv", "--out", out, "--no-charts")
    facts, _ = read_out(out)
    value = facts["segmentations"]["value"]
    assert "spent the same" not in value["method_reason"]
    md = (out / "report.md").read_text(encoding="utf-8")
    assert not re.search(r"above ([\d,.]+ EUR), at most \1", md)


def test_median_gap_days_is_recomputed_from_customers_csv(cli, tmp_path):
    """Each segment's median_gap_days is the median, over its customers who bought on two days
    or more, of (last - first purchase) / (purchase days - 1), rounded to whole days, as
    customers.csv's own columns give it; none from fewer than MIN_GAP_BUYERS of them."""
    import numpy as np
    import pandas as pd

    from custseg.compute.analysis import MIN_GAP_BUYERS

    out = tmp_path / "out"
    run_ok(cli, EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts")
    facts, _ = read_out(out)
    customers = pd.read_csv(out / "customers.csv", parse_dates=["first_purchase", "last_purchase"])
    repeat = customers[customers["purchase_days"] >= 2]
    gap = np.rint((repeat["last_purchase"] - repeat["first_purchase"]).dt.days / (repeat["purchase_days"] - 1))
    for key, stats in facts["segmentations"]["rfm"]["segments"].items():
        mine = gap[repeat["segment"] == key]
        assert stats["median_gap_days"] == (float(np.median(mine)) if len(mine) >= MIN_GAP_BUYERS else None), key
    assert any(s["median_gap_days"] is None for s in facts["segmentations"]["rfm"]["segments"].values() if s["count"])  # New: one purchase day each


def test_undated_customers_have_no_gap():
    """A customer table's customer without a first-order date has first = 0 in the metrics:
    not a gap of fifty years."""
    import numpy as np

    from custseg.compute.metrics import Metrics

    z = np.zeros(3)
    m = Metrics(np.arange(3), np.array([0, 100, 100]), np.array([200, 130, 160]), np.array([3, 2, 3]), np.array([3, 2, 3]), z + 1, z, z, z, z, z, z, 300, 0, dated=np.array([False, True, True]))
    repeat, gaps = m.repeat_gaps
    assert repeat.tolist() == [False, True, True] and gaps.tolist() == [30, 30]


def test_the_segments_brief_tells_two_spend_cutoffs_apart(cli, tmp_path):
    """Everyone bought once, so RFM names its segments by recency and spend ('Recent Big
    Spenders': spend scores 4-5, the top two fifths) while the value tier High Value is the top
    fifth: the brief gives both cut-offs (a trial read 39% 'Big Spenders' beside 5 High Value)."""
    import datetime
    import random

    from custseg.render.briefs import render_brief

    rng = random.Random(7)
    end = datetime.date(2024, 6, 30)
    rows = [(f"c{i}", (end - datetime.timedelta(days=rng.randint(0, 25))).isoformat(), rng.choice([20, 40, 60, 80, 100, 150, 200, 300])) for i in range(120)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts", "--method", "fixed")
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert rfm["definition"]["rule_table"] == "recency_monetary"
    four = next(b for b in rfm["scores"]["monetary"]["bands"] if b["score"] == 4)
    high = facts["segmentations"]["value"]["segments"]["high"]
    named = [s["name"] for k, s in rfm["segments"].items() if k.endswith("high_value") and s["count"]]
    assert named
    brief = render_brief("segments", facts)
    said = f"**Two spend cut-offs**: {' and '.join(named)} take spend scores 4-5 (spend above {four['above']:,.2f}), not the same customers as the value tier High Value ({high['rule']})."
    assert said in brief
    # nor when both cut at the same spend (a trial's three customers: 'above 1,184.90 ... not the
    # same customers as High Value (spend above 1,184.90)')
    import copy

    same = copy.deepcopy(facts)
    next(t for t in same["segmentations"]["value"]["definition"]["tiers"] if t["key"] == "high")["above"] = four["above"]
    assert "Two spend cut-offs" not in render_brief("segments", same)
    # and not on a store whose RFM table names no segment by its spend alone
    facts["segmentations"]["rfm"]["rules"]["segments"] = [r for r in rfm["rules"]["segments"] if not r["key"].endswith("high_value")]
    assert "Two spend cut-offs" not in render_brief("segments", facts)


def test_reasons_leave_spend_out_when_everyone_spent_the_same(cli, tmp_path):
    """Three subscribers who each paid 9.99 read 'spend in the bottom 20%' in a trial: a spend
    rank where nobody is ranked. Spend that differs still appears."""
    rows = [(f"c{i}", f"2024-03-{1 + i % 20:02d}", "9.99") for i in range(12)]
    out = tmp_path / "same"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts")
    _, customers = read_out(out)
    assert not customers["reason"].str.contains("spend").any()
    rows = [(f"c{i}", f"2024-03-{1 + i % 20:02d}", f"{9.99 + i:.2f}") for i in range(12)]
    out = tmp_path / "differ"
    run_ok(cli, write_log(tmp_path, rows, "log2.csv"), "--out", out, "--no-charts")
    _, customers = read_out(out)
    assert customers["reason"].str.contains("spend in the ").all()


def test_asked_for_quintiles_of_one_recency_score_it_by_the_calendar(cli, tmp_path):
    """--method quantile on buyers who all bought on the as-of day gave them all recency 1 and
    'Needs Attention: have not bought in a while' (a trial on a launch day's Stripe export)."""
    rows = [(f"c{i}", "2024-03-20", f"{10 + i}.00") for i in range(12)]
    out = tmp_path / "out"
    run_ok(cli, write_log(tmp_path, rows), "--out", out, "--no-charts", "--method", "quantile")
    facts, customers = read_out(out)
    rfm = facts["segmentations"]["rfm"]
    assert (customers["r_score"] == 5).all() and "needs_attention" not in set(customers["segment"])
    assert rfm["method_reason"].startswith("quantile scoring was asked for; every customer last bought on the as-of date, so recency is scored by calendar bands")


def test_each_inversion_of_the_next_period_order_carries_its_chance_gap():
    """The audit's next-period check: New 8 of 98 bought again (8.2%), Needs Attention 25 of 225
    (11.1%), At Risk 16 of 137 (11.7%). Both inversions lie within the gap chance alone keeps
    groups of these sizes 19 times in 20 (about 7 points: 1.96 x the pooled rate's standard
    error): in order, within chance. Champions far below Loyal is a real inversion."""
    from custseg.compute.analysis import validation

    sizes = {"new": (98, 8), "needs_attention": (225, 25), "at_risk": (137, 16)}
    keys = list(sizes)
    idx = np.concatenate([np.full(n, i) for i, (n, _) in enumerate(sizes.values())])
    bought = np.concatenate([np.arange(n) < k for n, k in sizes.values()]).astype(int)
    codes = np.arange(len(idx))
    v = validation(codes, idx, keys, bought, bought * 10.0, True)
    assert not v["monotone"] and v["in_order_within_chance"]
    first, second = v["inversions"]
    assert (first["lower"], first["higher"], second["lower"], second["higher"]) == ("needs_attention", "new", "at_risk", "needs_attention")
    pooled = 33 / 323
    assert first["chance_gap"] == pytest.approx(1.96 * (pooled * (1 - pooled) * (1 / 98 + 1 / 225)) ** 0.5, abs=1e-6)
    assert 0.071 < first["chance_gap"] < 0.073 and first["gap"] == pytest.approx(25 / 225 - 8 / 98, abs=1e-6) and first["within_chance"]
    assert 0.06 < second["chance_gap"] < 0.07 and second["within_chance"]
    # a top segment well below the next: beyond chance, so not in order
    sizes = {"champions": (100, 10), "loyal": (100, 40)}
    idx = np.concatenate([np.full(n, i) for i, (n, _) in enumerate(sizes.values())])
    bought = np.concatenate([np.arange(n) < k for n, k in sizes.values()]).astype(int)
    v = validation(np.arange(len(idx)), idx, list(sizes), bought, bought * 1.0, True)
    (inv,) = v["inversions"]
    assert inv["gap"] == pytest.approx(0.3) and inv["chance_gap"] < 0.3 and not inv["within_chance"] and not v["in_order_within_chance"]
    assert v["violations"] == ["loyal (40.0%) bought again more often than champions (10.0%)"]


def test_sized_moves_are_valued_at_what_the_movers_spent_and_a_further_tenth_only_when_credible():
    """An audit's 'Dormant -> Loyal: each further tenth 205,370.72 USD per 90-day period' was
    more than all revenue in the period (157,031.43): a tenth of Dormant is ~621 customers, ten
    times the 1.0% who moved on their own, valued at Loyal's 330.55 a customer where the 62 who
    moved spent 313.73. A move at least 20 made is valued at what they spent less what those
    who stayed spent; fewer, at the to-segment's spend (said so). A further tenth is sized only
    where it is at most three times the share that moved, else the what-if is as many again."""
    from custseg.compute.analysis import opportunities, unsized_moves

    ranked = ["champions", "loyal", "at_risk", "dormant"]
    stats = {k: {"count": c, "spend_last_period_per_customer": v} for k, (c, v) in {"champions": (35, 561.67), "loyal": (135, 330.55), "at_risk": (205, 0.0), "dormant": (6213, 0.0)}.items()}
    prev = {"champions": 38, "loyal": 139, "at_risk": 137, "dormant": 5998}
    matrix = {
        "champions": {"champions": 30, "loyal": 5, "at_risk": 3, "dormant": 0},
        "loyal": {"champions": 11, "loyal": 21, "at_risk": 107, "dormant": 0},
        "at_risk": {"champions": 0, "loyal": 13, "at_risk": 4, "dormant": 120},
        "dormant": {"champions": 0, "loyal": 62, "at_risk": 0, "dormant": 5936},
    }
    revenue = {a: {b: 0.0 for b in ranked} for a in ranked}
    revenue["dormant"]["loyal"] = 62 * 313.73
    revenue["loyal"]["champions"] = 11 * 700.0
    revenue["loyal"]["loyal"] = 21 * 300.0
    revenue["at_risk"]["loyal"] = 13 * 250.0
    sized = {f"{o['from_segment']}_to_{o['to_segment']}": o for o in opportunities(matrix, prev, stats, ranked, currency="USD", revenue=revenue, period_revenue=157031.43)}
    dormant = sized["dormant_to_loyal"]
    assert (dormant["value_basis"], dormant["moved"], dormant["movers_spend_per_customer"], dormant["revenue_gap_per_customer"]) == ("movers", 62, 313.73, 313.73)
    assert dormant["value_per_10pct"] is None and dormant["expected_customers"] == 64 and dormant["expected_revenue"] == round(64 * 313.73, 2)
    assert "as many again as moved on their own (64 customers, 20,078.72 USD a period)" in dormant["explanation"] and not dormant["above_period_revenue"]
    # 11 and 13 moved: under 20, valued at the to-segment's spend, and said so; their tenth is credible
    champions = sized["loyal_to_champions"]
    assert (champions["value_basis"], champions["movers_spend_per_customer"], champions["revenue_gap_per_customer"]) == ("to_segment", None, round(561.67 - 330.55, 2))
    assert "11 customers, under 20 and too few to value the move by their own spend, so it is valued at what a customer in champions spent" in champions["explanation"]
    assert champions["value_per_10pct"] == round(0.1 * 135 * (561.67 - 330.55), 2)
    assert sized["at_risk_to_loyal"]["value_per_10pct"] == round(0.1 * 205 * 330.55, 2)
    # an amount above all the period's revenue is said to be
    over = opportunities(matrix, prev, stats, ranked, currency="USD", revenue=revenue, period_revenue=5000.0)
    assert all(o["above_period_revenue"] == (max(o["expected_revenue"], o["value_per_10pct"] or 0) > 5000.0) for o in over)
    assert any(o["above_period_revenue"] for o in over) and all(("more than all customers spent in the period (5,000.00 USD)" in o["explanation"]) == o["above_period_revenue"] for o in over)
    # movers (at least 20) who spent no more than those who stayed: not sized, counted why
    revenue["dormant"]["loyal"] = 0.0
    assert "dormant_to_loyal" not in {f"{o['from_segment']}_to_{o['to_segment']}" for o in opportunities(matrix, prev, stats, ranked, revenue=revenue)}
    assert unsized_moves(matrix, prev, stats, ranked, revenue=revenue).get("movers_spent_no_more") == 1


def test_a_purchase_cycle_longer_than_at_risks_window_is_warned():
    """An audit's export: Champions bought a median 114 days apart, Loyal 154, At Risk 182,
    against At Risk's 91-180 days, and 107 of 139 Loyal and 20 of 38 Champions moved to At Risk
    in one quarter, mostly between routine purchases. The warning names the figures and the
    rerun that helps (a rule file widening the recency of the segments above, a longer --period)."""
    from custseg.compute.analysis import CYCLE_WARNING_START, cycle_warning

    order = ["champions", "loyal", "needs_attention", "at_risk", "dormant"]
    names = {"champions": "Champions", "loyal": "Loyal", "needs_attention": "Needs Attention", "at_risk": "At Risk", "dormant": "Dormant"}
    stats = {k: {"count": 10, "median_gap_days": g} for k, g in zip(order, (114.0, 154.0, 60.0, 182.0, 121.0))}
    matrix = {"champions": {"champions": 18, "at_risk": 20}, "loyal": {"loyal": 32, "at_risk": 107}, "needs_attention": {"at_risk": 3, "needs_attention": 97}}
    w = cycle_warning(order, stats, names, (91, 180), matrix, 90, {"champions", "loyal", "at_risk", "dormant"})
    assert w.startswith(CYCLE_WARNING_START)
    assert "median gap between purchases is 114 days in Champions, 154 days in Loyal and 182 in At Risk itself, against At Risk's last purchase 91-180 days ago" in w
    assert "in the last period 20 of 38 Champions and 107 of 139 Loyal moved to At Risk" in w and "Needs Attention" not in w  # 60 days apart: within the window
    assert "a rule file whose Champions and Loyal also take recency 2" in w and "--rules FILE" in w and "--period 180d" in w
    # buying within the window, or no At Risk segment: no warning
    quick = {k: {**s, "median_gap_days": 45.0} for k, s in stats.items()}
    assert cycle_warning(order, quick, names, (91, 180), matrix, 90) is None
    assert cycle_warning([k for k in order if k != "at_risk"], stats, names, (91, 180), matrix, 90) is None
