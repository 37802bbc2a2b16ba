"""The segment history (segmentations.rfm.history): each RFM segment's next-period behaviour at
successive cutoffs, scored as validation scores the newest one."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custseg.compute.metrics import Ledger, customer_metrics, metrics_at, to_days
from custseg.facts import build as facts_build
from custseg.strategy.resolve import fact_keys
from tests.conftest import EXAMPLES

PRICE_RISE = dt.date(2024, 1, 1)  # the generated log's regulars buy every 14 days up to it, every 150 after
SETTLED = PRICE_RISE + dt.timedelta(days=14)  # by then each regular has made the last purchase of the old pace


def run_facts(cli, path, out, *args) -> dict:
    res = cli("run", path, "--out", out, "--no-charts", *args)
    assert res.code == 0, res.err
    return json.loads((out / "facts.json").read_text())


def drifting_log(tmp_path: Path) -> Path:
    """Three years of a shop: 200 regulars who bought every 14 days until PRICE_RISE and every
    150 days after it, and 800 occasional buyers (one to three purchases at random days)."""
    rng = np.random.default_rng(7)
    start, end = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
    rows = []
    for i in range(200):
        day = start + dt.timedelta(days=int(rng.integers(0, 14)))
        while day <= end:
            rows.append((f"r{i}", day.isoformat(), 80))
            day += dt.timedelta(days=14 if day < PRICE_RISE else 150)
    span = (end - start).days
    for i in range(800):
        for d in rng.choice(span, size=int(rng.integers(1, 4)), replace=False):
            rows.append((f"o{i}", (start + dt.timedelta(days=int(d))).isoformat(), int(rng.integers(20, 40))))
    path = tmp_path / "drifting.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "order_date", "amount"])
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def shopify(tmp_path_factory):
    from custseg.cli.main import main

    out = tmp_path_factory.mktemp("history") / "out"
    assert main(["run", str(EXAMPLES / "shopify_orders_export.csv"), "--out", str(out), "--no-charts"]) == 0
    return json.loads((out / "facts.json").read_text()), pd.read_csv(out / "customers.csv", dtype={"customer_id": str}), out


def test_newest_cutoff_is_validation(shopify):
    facts, _, _ = shopify
    rfm = facts["segmentations"]["rfm"]
    val = rfm["validation"]
    history = rfm["history"]
    assert list(history)[0] == val["cutoff"]
    newest = history[val["cutoff"]]
    assert list(newest) == [r["segment"] for r in val["segments"]]
    for r in val["segments"]:
        assert newest[r["segment"]] == {"customers": r["customers"], "next_repeat_rate": r["repeat_rate"], "revenue_per_customer": r["revenue_per_customer"]}


def test_cutoffs_a_period_apart_newest_first_with_a_period_of_data_before(shopify):
    facts, _, _ = shopify
    cutoffs = [dt.date.fromisoformat(c) for c in facts["segmentations"]["rfm"]["history"]]
    as_of, first = dt.date.fromisoformat(facts["as_of"]), dt.date.fromisoformat(facts["data"]["date_min"])
    period = facts["period_days"]
    expected = [as_of - dt.timedelta(days=k * period) for k in range(1, 9)]
    expected = [c for c in expected if (c - first).days + 1 >= period]
    assert cutoffs == expected and 2 <= len(cutoffs) <= 8
    assert "history" not in facts["unavailable"]
    assert "same method (fixed)" in facts["segmentations"]["rfm"]["history_definition"]


def test_customers_at_each_cutoff_add_up_to_everyone_who_had_bought(shopify):
    facts, customers, _ = shopify
    first = pd.to_datetime(customers["first_purchase"])
    for cutoff, rows in facts["segmentations"]["rfm"]["history"].items():
        bought_by = int((first <= pd.Timestamp(cutoff)).sum())
        assert sum(r["customers"] for r in rows.values()) == bought_by, cutoff
        assert all(0 <= r["next_repeat_rate"] <= 1 for r in rows.values())


def test_everyone_at_each_cutoff_is_the_segments_together(shopify):
    """history_everyone: every customer who had bought by each cutoff, whatever their segment; at
    the newest cutoff its rate is validation's base rate, and at each it is the segments' rates
    weighted by their customers (up to the rounding of each stored figure)."""
    facts, customers, _ = shopify
    rfm = facts["segmentations"]["rfm"]
    everyone = rfm["history_everyone"]
    assert list(everyone) == list(rfm["history"])
    assert everyone[rfm["validation"]["cutoff"]]["next_repeat_rate"] == rfm["validation"]["base_repeat_rate"]
    first = pd.to_datetime(customers["first_purchase"])
    rates = set()
    for cutoff, rows in rfm["history"].items():
        n = sum(r["customers"] for r in rows.values())
        assert everyone[cutoff]["customers"] == n == int((first <= pd.Timestamp(cutoff)).sum())
        assert everyone[cutoff]["next_repeat_rate"] == pytest.approx(sum(r["customers"] * r["next_repeat_rate"] for r in rows.values()) / n, abs=1e-5)
        assert everyone[cutoff]["revenue_per_customer"] == pytest.approx(sum(r["customers"] * r["revenue_per_customer"] for r in rows.values()) / n, abs=0.01)
        rates.add(everyone[cutoff]["next_repeat_rate"])
    assert len(rates) > 1  # not one figure copied to every cutoff
    assert f"segmentations.rfm.history_everyone.{cutoff}.next_repeat_rate" in fact_keys(facts)


def test_a_history_figure_is_a_fact_key(shopify):
    facts, _, _ = shopify
    cutoff = list(facts["segmentations"]["rfm"]["history"])[1]
    keys = fact_keys(facts)
    key = f"segmentations.rfm.history.{cutoff}.champions.next_repeat_rate"
    assert keys[key] == facts["segmentations"]["rfm"]["history"][cutoff]["champions"]["next_repeat_rate"]


def test_an_older_cutoff_matches_validation_run_there_by_hand(shopify, tmp_path):
    """The second cutoff's figures are what customer_metrics, the same scorer and next_period
    give there: metrics_at and the count differences are no second way of measuring."""
    from custseg.compute import analysis, rfm
    from custseg.compute.metrics import next_period
    from custseg.ingest import load
    from custseg.toolkit.profile import IngestParams

    facts, _, _ = shopify
    params = IngestParams(files=[str(EXAMPLES / "shopify_orders_export.csv")])
    ledger = Ledger.from_frame(load(params.files, params.ingest_options()).transactions)
    seg = facts["segmentations"]["rfm"]
    period = facts["period_days"]
    as_of = int(to_days(np.array([facts["as_of"]], dtype="datetime64[D]"))[0])
    now = customer_metrics(ledger, as_of, period)
    method = seg["method"]
    scored = rfm.score(now, method, "", True)
    table, reason = rfm.choose_table(len(now), scored, None, True)
    merged = rfm.merge_small(rfm.assign(table, reason, scored), scored).merged
    keys = rfm.ordered_keys(table)
    assert keys == seg["order"]
    cutoff = list(seg["history"])[1]
    c = int(to_days(np.array([cutoff], dtype="datetime64[D]"))[0])
    then = customer_metrics(ledger, c, period)
    at = rfm.apply_merges(rfm.assign(table, reason, rfm.score(then, method, "", True)), merged)
    perm = np.array([keys.index(r.key) for r in table.rules])
    orders, spend = next_period(ledger, c, c + period)
    v = analysis.validation(then.code, perm[at.segment], keys, orders, spend, True)
    assert {r["segment"]: [r["customers"], r["repeat_rate"], r["revenue_per_customer"]] for r in v["segments"]} == {k: list(r.values()) for k, r in seg["history"][cutoff].items()}


def test_metrics_at_equals_customer_metrics_to_the_bit():
    rng = np.random.default_rng(3)
    n = 4000
    code = np.sort(rng.integers(0, 300, n))  # some customers with many orders (pairwise sums), gaps in the codes
    day = rng.integers(19000, 19700, n)
    amount = np.round(rng.random(n) * 100, 2)
    amount[rng.random(n) < 0.02] = np.nan
    order = np.lexsort((day, code))
    ids = pd.Index([f"c{i:04d}" for i in range(300)])
    ledger = Ledger(ids, code[order], day[order], amount[order])
    cutoffs = [19690, 19600, 19510, 19420, 19001, 18990]  # the last before anyone bought
    for full, c in ((True, cutoffs), (False, cutoffs[:3])):
        for got, c1 in zip(metrics_at(ledger, c, 90, spends=full), c):
            want = customer_metrics(ledger, c1, 90)
            for f in dataclasses.fields(want):
                a, b = getattr(got, f.name), getattr(want, f.name)
                if f.name in ("spend_recent", "spend_before") and not full:
                    assert a is None
                elif isinstance(b, np.ndarray):
                    assert a.dtype == b.dtype and np.array_equal(a, b), (c1, f.name)
                else:
                    assert a == b, (c1, f.name)


def test_a_segment_that_changed_at_a_known_date_shows_it(cli, tmp_path):
    facts = run_facts(cli, drifting_log(tmp_path), tmp_path / "out")
    history = facts["segmentations"]["rfm"]["history"]
    period = facts["period_days"]
    before = [c for c in history if dt.date.fromisoformat(c) + dt.timedelta(days=period) < PRICE_RISE]
    after = [c for c in history if dt.date.fromisoformat(c) >= SETTLED]
    assert before and after
    # Champions bought again within the next period before the change, and no longer after it
    assert all(history[c]["champions"]["next_repeat_rate"] >= 0.9 for c in before if "champions" in history[c])
    assert "champions" in history[before[0]]
    assert all(history[c]["champions"]["next_repeat_rate"] <= 0.2 for c in after if "champions" in history[c])
    assert any("champions" in history[c] for c in after)


def test_short_data_has_no_history_and_says_why(cli, tmp_path):
    rng = np.random.default_rng(1)
    start = dt.date(2024, 1, 1)
    rows = [(f"c{i}", (start + dt.timedelta(days=int(d))).isoformat(), 30) for i in range(120) for d in rng.choice(250, size=int(rng.integers(1, 4)), replace=False)]
    path = tmp_path / "short.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "order_date", "amount"])
        w.writerows(rows)
    facts = run_facts(cli, path, tmp_path / "out")
    assert facts["segmentations"]["rfm"]["validation"] is not None  # two periods: validation, and no history
    assert facts["segmentations"]["rfm"]["history"] is None
    assert "less than three 90-day periods" in facts["unavailable"]["history"]


def test_no_history_with_no_validate_or_above_the_customer_limit(cli, tmp_path, monkeypatch):
    path = EXAMPLES / "shopify_orders_export.csv"
    facts = run_facts(cli, path, tmp_path / "a", "--no-validate")
    assert facts["segmentations"]["rfm"]["history"] is None and "--no-validate" in facts["unavailable"]["history"]
    monkeypatch.setattr(facts_build, "HISTORY_MAX_CUSTOMERS", 100)
    facts = run_facts(cli, path, tmp_path / "b")
    assert facts["segmentations"]["rfm"]["history"] is None
    assert f"{facts['segmentations']['rfm']['customers']:,} customers, over the 100" in facts["unavailable"]["history"]
    assert facts["segmentations"]["rfm"]["validation"] is not None


def history_table(md: str) -> list[list[str]]:
    part = md.split("### How each segment came back, period by period", 1)[1].split("\n## ", 1)[0]
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in part.splitlines() if line.startswith("|") and not line.startswith("|---")]


def test_the_report_shows_each_segments_rate_at_each_cutoff_oldest_first(shopify):
    from custseg.render.report import fmt_count, fmt_pct

    facts, _, out = shopify
    seg = facts["segmentations"]["rfm"]
    history = seg["history"]
    table = history_table((out / "report.md").read_text())
    assert table[0] == ["Segment", *reversed(list(history))]
    names = {k: s["name"] for k, s in seg["segments"].items()}
    rows = {r[0]: r[1:] for r in table[1:]}
    assert list(rows) == [*(names[k] for k in seg["order"] if any(k in h for h in history.values())), "All customers"]
    everyone = seg["history_everyone"]
    assert rows["All customers"] == [fmt_pct(everyone[c]["next_repeat_rate"]) for c in reversed(list(history))]
    few = 0
    for key in seg["order"]:
        for cell, cutoff in zip(rows[names[key]], reversed(list(history))):
            row = history[cutoff].get(key)
            if row is None:
                assert cell == "–"
            elif row["customers"] < 20:
                few += 1
                assert cell == f"{fmt_pct(row['next_repeat_rate'])} (of {fmt_count(row['customers'])})"
            else:
                assert cell == fmt_pct(row["next_repeat_rate"])
    assert few  # the example's oldest cutoffs hold few Champions
    html = (out / "report.html").read_text()
    assert "How each segment came back, period by period" in html and fmt_pct(history[list(history)[-1]]["champions"]["next_repeat_rate"]) in html


def test_the_report_says_why_there_is_no_history(cli, tmp_path):
    facts = run_facts(cli, EXAMPLES / "shopify_orders_export.csv", tmp_path / "out", "--period", "1y")
    assert facts["segmentations"]["rfm"]["history"] is None and facts["segmentations"]["rfm"]["validation"] is not None
    md = (tmp_path / "out" / "report.md").read_text()
    part = md.split("### How each segment came back, period by period", 1)[1].split("\n## ", 1)[0]
    assert f"Not computed: {facts['unavailable']['history']}." in part


# -- check.py: a change over time read in time order ------------------------------------------------


def _checked(facts: dict, path: str, text: str) -> list:
    from custseg.strategy import validate

    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    key = path.split(".")[1]
    doc["segments"][key]["persona"] += " " + text
    return [p for p in validate(doc, facts) if p.path == path]


def _two_cutoffs(facts: dict, segment: str) -> tuple[str, str, bool]:
    """The facts keys of a segment's next-period rate at an older and a newer cutoff whose rates
    differ, and whether it rose from the one to the other."""
    history = facts["segmentations"]["rfm"]["history"]
    newest = list(history)[0]
    older = next(c for c in list(history)[1:] if segment in history[c] and history[c][segment]["next_repeat_rate"] != history[newest][segment]["next_repeat_rate"])
    key = "segmentations.rfm.history.{}." + segment + ".next_repeat_rate"
    return "{" + key.format(older) + "}", "{" + key.format(newest) + "}", history[newest][segment]["next_repeat_rate"] > history[older][segment]["next_repeat_rate"]


@pytest.mark.parametrize("wrong", [False, True])
def test_check_holds_a_change_over_time_to_the_order_of_the_cutoffs(shopify, wrong):
    facts, _, _ = shopify
    old, new, rose = _two_cutoffs(facts, "champions")
    said_rose = rose != wrong
    up, down = ("rose", "more often") if said_rose else ("fell", "less often")
    texts = [
        f"Their rate of buying again {up} from {old} to {new}.",
        f"They came back {down} than before: {new} in the latest period against {old} earlier.",
        f"Since the price rise they come back {down} ({old} then, {new} now).",  # the earlier figure cited first
    ]
    for text in texts:
        found = [p for p in _checked(facts, "segments.champions.persona", text) if p.code == "claim_contradicts_fact"]
        if wrong:
            assert len(found) == 1, (text, found)
            assert "at the earlier cutoff" in found[0].message and old in found[0].message and new in found[0].message
        else:
            assert not found, (text, found)


def test_check_refuses_a_change_told_from_the_later_cutoff_to_the_earlier(shopify):
    facts, _, _ = shopify
    old, new, rose = _two_cutoffs(facts, "champions")
    found = _checked(facts, "segments.champions.persona", f"Their rate {'fell' if rose else 'rose'} from {new} to {old}.")
    assert [p.code for p in found] == ["claim_contradicts_fact"] and "from the earlier cutoff to the later" in found[0].message


def test_a_since_claim_citing_the_history_is_not_refused_as_unrecorded(shopify):
    facts, _, _ = shopify
    old, new, rose = _two_cutoffs(facts, "champions")
    claim = f"Since last year these customers have bought {'more' if rose else 'less'} often"
    assert [p.code for p in _checked(facts, "segments.champions.persona", claim + ".")] == ["claim_not_in_data"]
    assert _checked(facts, "segments.champions.persona", f"{claim}: {old} came back in the period after the earlier cutoff, {new} after the latest.") == []


def test_the_briefs_tell_how_to_test_a_change_since_a_date(shopify, cli, tmp_path):
    facts, _, out = shopify
    cutoffs = list(facts["segmentations"]["rfm"]["history"])
    intake = cli("brief", "intake", "--facts", out / "facts.json").out
    assert f"next-period repeat rate at {len(cutoffs)} cutoffs a period apart, from {cutoffs[-1]} to {cutoffs[0]}" in intake
    strategy = cli("brief", "strategy", "--facts", out / "facts.json").out
    assert "{segmentations.rfm.history.<cutoff>.<segment key>.next_repeat_rate}" in strategy
    assert ", ".join(reversed(cutoffs)) in strategy and "a cutoff before the date with its rate at one after" in strategy
    keys = fact_keys(facts)
    assert f"segmentations.rfm.history.{cutoffs[0]}.champions.next_repeat_rate" in keys and f"{{segmentations.rfm.history.{cutoffs[0]}.champions.next_repeat_rate}}" in strategy
    short = run_facts(cli, EXAMPLES / "shopify_orders_export.csv", tmp_path / "short", "--period", "1y")
    strategy = cli("brief", "strategy", "--facts", tmp_path / "short" / "facts.json").out
    assert f"a hunch that a segment changed since a date cannot be tested here: {short['unavailable']['history']}" in strategy
    intake = cli("brief", "intake", "--facts", tmp_path / "short" / "facts.json").out
    assert f"whether a segment changed since a date ({short['unavailable']['history']})" in intake


def _h(cutoff: str, owner: str, field: str = "next_repeat_rate") -> str:
    """A history figure's reference: a segment's, or everyone's (owner 'everyone')."""
    if owner == "everyone":
        return "{segmentations.rfm.history_everyone." + cutoff + "." + field + "}"
    return "{segmentations.rfm.history." + cutoff + "." + owner + "." + field + "}"


def _moving_pair(facts: dict, segment: str, rose: bool) -> tuple[str, str]:
    """An older and a newer cutoff where the segment held 20 or more customers at both and its
    rate moved the given way, everyone's the other way or the same (the four-fact sentence)."""
    history, everyone = facts["segmentations"]["rfm"]["history"], facts["segmentations"]["rfm"]["history_everyone"]
    cutoffs = sorted(history)
    for old, new in itertools.combinations(cutoffs, 2):
        a, b = history[old].get(segment), history[new].get(segment)
        if a and b and min(a["customers"], b["customers"]) >= 20 and a["next_repeat_rate"] != b["next_repeat_rate"] and (b["next_repeat_rate"] > a["next_repeat_rate"]) == rose:
            if everyone[old]["next_repeat_rate"] != everyone[new]["next_repeat_rate"]:
                return old, new
    raise AssertionError(f"no pair of cutoffs where {segment} {'rose' if rose else 'fell'}")


def test_a_segments_change_beside_everyones_is_still_read_in_time_order(shopify):
    """A trial passed 'Champions rose from {...} to {...}, while everyone went from {...} to {...}'
    where the Champions figures fell: a sentence citing four history figures read none of them. Each
    owner's two cutoffs are read in time order whatever else the sentence cites."""
    facts, _, _ = shopify
    history_everyone = facts["segmentations"]["rfm"]["history_everyone"]
    old, new = _moving_pair(facts, "champions", rose=False)  # the example's Champions fell from 2025-04-05 to 2025-07-04
    everyone = f"everyone went from {_h(old, 'everyone')} to {_h(new, 'everyone')}"
    wrong = [
        f"Champions rose from {_h(old, 'champions')} to {_h(new, 'champions')}, while {everyone}.",
        f"Champions fell from {_h(new, 'champions')} to {_h(old, 'champions')}, while {everyone}.",  # from the later cutoff to the earlier
        f"Champions came back more often than before ({_h(old, 'champions')} then, {_h(new, 'champions')} now), while {everyone}.",
    ]
    for text in wrong:
        found = [p for p in _checked(facts, "segments.champions.persona", text) if p.code == "claim_contradicts_fact"]
        assert len(found) == 1, (text, found)
        assert f"segmentations.rfm.history.{old}.champions.next_repeat_rate" in found[0].message, found[0].message
    right = f"Champions fell from {_h(old, 'champions')} to {_h(new, 'champions')}, while {everyone}."
    assert _checked(facts, "segments.champions.persona", right) == []
    # everyone's pair is held to the words said of everyone, in its own clause
    everyone_rose = history_everyone[new]["next_repeat_rate"] > history_everyone[old]["next_repeat_rate"]
    said = "fell" if everyone_rose else "rose"
    text = f"Champions fell from {_h(old, 'champions')} to {_h(new, 'champions')}, while everyone {said} from {_h(old, 'everyone')} to {_h(new, 'everyone')}."
    found = [p for p in _checked(facts, "segments.champions.persona", text) if p.code == "claim_contradicts_fact"]
    assert len(found) == 1 and f"history_everyone.{old}.next_repeat_rate" in found[0].message, found
    said = "rose" if everyone_rose else "fell"
    assert _checked(facts, "segments.champions.persona", text.replace(f"everyone {'fell' if everyone_rose else 'rose'} from", f"everyone {said} from")) == []


def test_a_change_told_on_a_figure_of_too_few_customers_is_refused(shopify):
    """A history figure of fewer than 20 customers at its cutoff tells no change: the example's
    Champions were 16 at 2025-01-05, where one customer moves the rate by six points."""
    facts, _, _ = shopify
    history = facts["segmentations"]["rfm"]["history"]
    thin = next(c for c in history if 0 < history[c].get("champions", {}).get("customers", 0) < 20)
    newest = list(history)[0]
    assert history[newest]["champions"]["customers"] >= 20
    rose = history[newest]["champions"]["next_repeat_rate"] > history[thin]["champions"]["next_repeat_rate"]
    text = f"Champions {'rose' if rose else 'fell'} from {_h(thin, 'champions')} to {_h(newest, 'champions')}."
    found = _checked(facts, "segments.champions.persona", text)
    assert [p.code for p in found] == ["verdict_on_too_few"], found
    n = history[thin]["champions"]["customers"]
    assert f"of only {n} customers at the cutoff {thin}" in found[0].message and f"history.{thin}.champions.customers" in found[0].message
    # the same words on two cutoffs of 20 or more pass
    old, new = _moving_pair(facts, "champions", rose=False)
    assert _checked(facts, "segments.champions.persona", f"Champions fell from {_h(old, 'champions')} to {_h(new, 'champions')}.") == []


@pytest.mark.parametrize("verdict", ["holds", "does not hold", "partly holds"])
def test_a_hunch_settled_on_a_history_figure_of_too_few_is_refused(shopify, verdict):
    from custseg.strategy import validate

    facts, _, _ = shopify
    history = facts["segmentations"]["rfm"]["history"]
    thin = next(c for c in history if 0 < history[c].get("champions", {}).get("customers", 0) < 20)
    newest = list(history)[0]
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    evidence = f"The Insiders came back at {_h(thin, 'champions')} then and {_h(newest, 'champions')} at the latest cutoff, against everyone's {_h(thin, 'everyone')} and {_h(newest, 'everyone')}."
    doc["hypotheses"].append({"hunch": "Our VIPs have drifted", "verdict": verdict, "evidence": evidence})
    path = f"hypotheses[{len(doc['hypotheses']) - 1}].verdict"
    found = [p for p in validate(doc, facts) if p.path == path]
    if verdict == "partly holds":
        assert found == []
    else:
        assert [p.code for p in found] == ["verdict_on_too_few"] and f"history.{thin}.champions.customers" in found[0].message, found
    old, new = _moving_pair(facts, "champions", rose=False)
    doc["hypotheses"][-1]["evidence"] = evidence.replace(thin, old).replace(newest, new)
    assert [p for p in validate(doc, facts) if p.path == path] == []


def _month_between(facts: dict) -> tuple[list[str], str, dt.date]:
    """The history's cutoffs oldest first, and a month (its words, its 15th) wholly between the
    third and the fourth of them."""
    cutoffs = sorted(facts["segmentations"]["rfm"]["history"])
    a, b = dt.date.fromisoformat(cutoffs[2]), dt.date.fromisoformat(cutoffs[3])
    mid = a + (b - a) / 2
    first, nxt = mid.replace(day=1), (mid.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    assert a < first and nxt <= b
    return cutoffs, mid.strftime("%B %Y"), mid.replace(day=15)


def test_a_history_figure_put_before_or_after_a_date_its_cutoff_is_not_on_is_refused(shopify):
    """A trial passed 'Before the price rise in March 2024 ...' citing a cutoff after that date."""
    facts, _, _ = shopify
    cutoffs, month, day = _month_between(facts)
    old, new = cutoffs[2], cutoffs[3]  # the month lies between them
    refused = [
        (f"Before the price rise in {month} they came back at {_h(new, 'champions')}.", new),
        (f"Before {month} everyone came back at {_h(new, 'everyone')}.", new),
        (f"After {month} everyone came back at {_h(old, 'everyone')}.", old),
        (f"Before {day.day} {month}, everyone came back at {_h(new, 'everyone')}.", new),
        (f"Until {day.isoformat()} everyone came back at {_h(new, 'everyone')}.", new),
        (f"Before the price rise in {month} they came back at {_h(new, 'champions')}, against {_h(old, 'champions')} after it.", new),  # the two swapped
    ]
    for text, cutoff in refused:
        found = [p for p in _checked(facts, "segments.champions.persona", text) if p.code == "claim_contradicts_fact"]
        assert len(found) == 1 and f"the figure at the cutoff {cutoff}" in found[0].message, (text, found)
    right = ", ".join(c for c in cutoffs if c < new)
    found = [p for p in _checked(facts, "segments.champions.persona", refused[0][0]) if p.code == "claim_contradicts_fact"]
    assert f"cite a cutoff before it ({right})" in found[0].message
    everyone = facts["segmentations"]["rfm"]["history_everyone"]
    moved = "rose" if everyone[new]["next_repeat_rate"] > everyone[old]["next_repeat_rate"] else "fell"
    passed = [
        f"Before the price rise in {month} they came back at {_h(old, 'champions')}.",
        f"After {month} everyone came back at {_h(new, 'everyone')}.",
        f"Before the price rise in {month} they came back at {_h(old, 'champions')}, against {_h(new, 'champions')} after it.",
        f"Everyone's rate {moved} after the price rise in {month}, from {_h(old, 'everyone')} to {_h(new, 'everyone')}.",  # the change's date, not a figure's
        f"Since the price rise in {month} everyone's rate {moved}: {_h(old, 'everyone')} then, {_h(new, 'everyone')} now.",
    ]
    for text in passed:
        assert _checked(facts, "segments.champions.persona", text) == [], text


def test_the_strategy_brief_says_how_far_back_the_history_can_see_a_change(shopify, cli, tmp_path):
    """The brief lists the cutoffs; it also says the oldest, that a change since a date before it
    plus a period cannot be seen, and what --period 180d would reach on this data, which a run at
    180d bears out."""
    facts, _, out = shopify
    history = sorted(facts["segmentations"]["rfm"]["history"])
    period = facts["period_days"]
    seen_from = (dt.date.fromisoformat(history[0]) + dt.timedelta(days=period)).isoformat()
    strategy = cli("brief", "strategy", "--facts", out / "facts.json").out
    assert f"the oldest cutoff is {history[0]}" in strategy and f"a change since a date before {seen_from} cannot be seen at this period" in strategy
    longer = run_facts(cli, EXAMPLES / "shopify_orders_export.csv", tmp_path / "long", "--period", "180d")
    cutoffs = sorted(longer["segmentations"]["rfm"]["history"])
    reach = (dt.date.fromisoformat(cutoffs[0]) + dt.timedelta(days=180)).isoformat()
    assert f"at `--period 180d` the {(dt.date.fromisoformat(facts['as_of']) - dt.date.fromisoformat(facts['data']['date_min'])).days + 1} days up to the as-of date would give an oldest cutoff of {cutoffs[0]}, a change since {reach} or later" in strategy
    assert (", no further back than at 90 days" in strategy) == (reach >= seen_from)
