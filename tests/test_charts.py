"""Charts: each PNG plots exactly the numbers of facts.json / customers.csv, renders are
byte-identical, and charts whose data is absent are skipped instead of failing."""

from __future__ import annotations

import copy
import json
import struct
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from custseg.cli.main import main
from custseg.render.charts import CHART_FILES, Chart, fmt_money, fmt_pct, render_charts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

ALL = ["segments", "rf_grid", "migration", "validation", "distributions"]
CASES = {
    # name: (export file, charts expected)
    "shopify": ("shopify_orders_export.csv", ALL),
    "stripe": ("stripe_unified_payments.csv", ALL),
    "european": ("european_orders.csv", ALL),
    "events": ("product_events.jsonl", ALL + ["usage"]),  # an event log's usage groups get their own chart
    "crm": ("crm_customers.csv", ["segments", "rf_grid", "distributions"]),  # one snapshot: no migration/validation
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _run(src: Path, out: Path) -> tuple[dict, pd.DataFrame]:
    code = main(["run", str(src), "--out", str(out)])
    assert code == 0, f"segment run {src.name} exited {code}"
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    customers = pd.read_csv(out / "customers.csv")
    return facts, customers


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[dict, pd.DataFrame]]:
    base = tmp_path_factory.mktemp("runs")
    return {name: _run(EXAMPLES / file, base / name) for name, (file, _) in CASES.items()}


@pytest.fixture(scope="module")
def rendered(runs, tmp_path_factory) -> dict[str, tuple[Path, dict[str, Chart]]]:
    out = {}
    for name, (facts, customers) in runs.items():
        d = tmp_path_factory.mktemp(f"charts_{name}")
        charts = render_charts(facts, customers, str(d))
        out[name] = (d, {c.kind: c for c in charts})
    return out


@pytest.fixture(scope="module")
def no_amounts(tmp_path_factory) -> tuple[dict, pd.DataFrame]:
    """The example event log with every revenue property removed: RFM without money."""
    base = tmp_path_factory.mktemp("no_amounts")
    src = base / "events_no_revenue.jsonl"
    with open(EXAMPLES / "product_events.jsonl", encoding="utf-8") as fin, open(src, "w", encoding="utf-8") as fout:
        for line in fin:
            event = json.loads(line)
            props = event.get("properties") or {}
            for key in ("revenue", "amount", "price", "value", "total"):
                props.pop(key, None)
            fout.write(json.dumps(event) + "\n")
    return _run(src, base / "out")


def _rfm(facts: dict) -> dict:
    return facts["segmentations"]["rfm"]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE and head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def _png_chunks(path: Path) -> list[bytes]:
    data, i, kinds = path.read_bytes(), 8, []
    while i < len(data):
        (n,) = struct.unpack(">I", data[i : i + 4])
        kinds.append(data[i + 4 : i + 8])
        i += 12 + n
    return kinds


# ---------------------------------------------------------------- which charts, files, titles


@pytest.mark.parametrize("name", CASES)
def test_expected_charts_written(rendered, name):
    out_dir, charts = rendered[name]
    assert list(charts) == CASES[name][1]
    for kind, chart in charts.items():
        assert chart.file == CHART_FILES[kind]
        path = out_dir / chart.file
        assert path.is_file()
        w, h = _png_size(path)
        assert (w, h) == (1200, 700)
        kinds = _png_chunks(path)
        assert b"tIME" not in kinds and b"tEXt" not in kinds and b"iTXt" not in kinds  # no timestamp, no software tag
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(c.file for c in charts.values())


@pytest.mark.parametrize("name", CASES)
def test_titles_state_as_of_date(runs, rendered, name):
    facts, _ = runs[name]
    assert facts["as_of"]
    for chart in rendered[name][1].values():
        assert f"as of {facts['as_of']}" in chart.title


def test_figures_are_closed(rendered):
    assert plt.get_fignums() == []


# ---------------------------------------------------------------- what each chart plots


@pytest.mark.parametrize("name", CASES)
def test_segments_chart_matches_facts(runs, rendered, name):
    facts, _ = runs[name]
    rfm = _rfm(facts)
    data = rendered[name][1]["segments"].data
    assert data["segments"] == rfm["order"]
    segs = [rfm["segments"][k] for k in rfm["order"]]
    assert data["labels"] == [s["name"] for s in segs]
    assert data["pct_customers"] == [s["pct_customers"] for s in segs]
    assert data["revenue_share"] == [s["revenue_share"] for s in segs]
    assert data["counts"] == [s["count"] for s in segs]
    assert sum(data["counts"]) == rfm["customers"]
    assert data["currency"] == facts["data"]["currency"]


def test_segments_nobody_is_in_are_named_not_drawn(runs, tmp_path):
    """A young store has no Dormant customers yet: no empty bar, a line under the chart."""
    facts, customers = runs["shopify"]
    facts = copy.deepcopy(facts)
    dormant = _rfm(facts)["segments"]["dormant"]
    dormant.update(count=0, pct_customers=0.0, revenue_share=0.0)
    charts = {c.kind: c for c in render_charts(facts, customers, str(tmp_path))}
    data = charts["segments"].data
    assert data["segments"] == [k for k in _rfm(facts)["order"] if k != "dormant"]
    assert data["empty"] == [dormant["name"]] and 0 not in data["counts"]
    full = {c.kind: c for c in render_charts(runs["shopify"][0], customers, str(tmp_path / "full"))}["segments"].data
    assert full["empty"] == [] and full["segments"] == _rfm(runs["shopify"][0])["order"]


@pytest.mark.parametrize("name", CASES)
def test_rf_grid_matches_customers_csv(runs, rendered, name):
    facts, customers = runs[name]
    data = rendered[name][1]["rf_grid"].data
    scored = customers.dropna(subset=["r_score", "f_score"])
    # the CRM table's 76 live subscriptions with no order on record are not scored: no cell holds them
    unscored = 76 if name == "crm" else 0
    assert data["customers"] == len(scored) == _rfm(facts)["customers"] - unscored
    if name == "crm":  # they sit in the catch-all (an event log's users who never bought have no segment at all)
        assert set(customers.loc[customers["r_score"].isna(), "segment"]) == {_rfm(facts)["rules"]["segments"][-1]["key"]}
    assert sum(map(sum, data["counts"])) == len(scored)
    assert data["r_scores"] == [5, 4, 3, 2, 1] and data["f_scores"] == [1, 2, 3, 4, 5]
    tab = pd.crosstab(scored["r_score"].astype(int), scored["f_score"].astype(int))
    tab = tab.reindex(index=data["r_scores"], columns=data["f_scores"], fill_value=0)
    assert data["counts"] == tab.values.tolist()
    spend = scored.groupby([scored["r_score"].astype(int), scored["f_score"].astype(int)])["monetary_total"].mean()
    for i, r in enumerate(data["r_scores"]):
        for j, f in enumerate(data["f_scores"]):
            if (r, f) in spend.index:
                assert data["avg_spend"][i][j] == pytest.approx(spend[(r, f)], rel=1e-12)
            else:
                assert data["avg_spend"][i][j] is None and data["counts"][i][j] == 0


@pytest.mark.parametrize("name", [n for n, (_, kinds) in CASES.items() if "migration" in kinds])
def test_migration_chart_matches_facts(runs, rendered, name):
    facts, _ = runs[name]
    mig = _rfm(facts)["migration"]
    data = rendered[name][1]["migration"].data
    # every segment with anyone in it on a date is shown, with its counts; the others hold nobody
    assert data["matrix"] == {a: {b: mig["matrix"][a][b] for b in data["cols"]} for a in data["rows"]}
    assert (data["from_date"], data["to_date"]) == (mig["from_date"], mig["to_date"])
    assert data["rows"] + data["empty_rows"] == [k for k in _rfm(facts)["order"] if k in mig["matrix"]]
    assert not any(mig["matrix"][a][b] for a in data["empty_rows"] for b in mig["matrix"][a])
    assert not any(to.get(b) for to in mig["matrix"].values() for b in data["empty_cols"])
    assert data["counts"] == [[mig["matrix"][a][b] for b in data["cols"]] for a in data["rows"]]
    assert sum(map(sum, data["counts"])) == mig["customers_in_both"]
    for row in data["row_share"]:
        assert sum(row) == pytest.approx(1.0, abs=1e-3) or sum(row) == 0
    assert f"since {mig['from_date']}" in rendered[name][1]["migration"].title


def test_migration_chart_leaves_out_empty_segments(runs):
    """A segment nobody was in on a date (a cohort export's New, a short one's Champions) is no
    row or column of dashes, and a segment nobody stayed in gets no 'stayed' box round a dash
    (a trial read the box round an empty New row as a segment of its own)."""
    from custseg.render.charts import _migration_chart

    facts, customers = runs["shopify"]
    facts = copy.deepcopy(facts)
    matrix = _rfm(facts)["migration"]["matrix"]
    matrix["new"] = {to: 0 for to in matrix["new"]}  # nobody New on the first date
    for row in matrix.values():
        row["new"] = 0  # nor on the second
    stayed = "needs_attention"
    matrix[stayed][stayed] = 0  # a row with customers, none of whom stayed
    chart, draw = _migration_chart(facts, customers)
    assert "new" not in chart.data["rows"] and "new" not in chart.data["cols"]
    assert chart.data["empty_rows"] == ["new"] and chart.data["empty_cols"] == ["new"]
    assert stayed in chart.data["rows"] and stayed in chart.data["cols"]
    fig = draw()
    try:
        boxes = [p for p in fig.axes[0].patches if isinstance(p, plt.Rectangle) and not p.get_fill()]
        kept = [a for a in chart.data["rows"] if a in chart.data["cols"] and chart.data["matrix"][a][a]]
        assert len(boxes) == len(kept) and stayed not in kept
        assert "Not shown, as nobody was in it: New (both dates)" in fig.get_supxlabel()
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", [n for n, (_, kinds) in CASES.items() if "validation" in kinds])
def test_validation_chart_matches_facts(runs, rendered, name):
    facts, _ = runs[name]
    val = _rfm(facts)["validation"]
    data = rendered[name][1]["validation"].data
    keys = ("customers", "repeat_rate", "revenue_per_customer", "revenue_share")
    rebuilt = [{"segment": s, **{k: data[k][i] for k in keys}} for i, s in enumerate(data["segments"])]
    assert rebuilt == [{k: r[k] for k in ("segment", *keys)} for r in val["segments"]]
    names = {k: v["name"] for k, v in _rfm(facts)["segments"].items()}
    assert data["labels"] == [names[r["segment"]] for r in val["segments"]]
    assert data["base_repeat_rate"] == val["base_repeat_rate"]
    assert (data["cutoff"], data["window_end"]) == (val["cutoff"], val["window_end"])


def test_a_rate_of_too_few_customers_is_greyed_and_said_so(runs):
    """A trial's validation chart showed Champions at 100.0% from 1 customer as the longest bar
    with no caveat: a segment with fewer customers at the cutoff than the report reads a rate
    of (MIN_CUSTOMERS_FOR_LIFT) is drawn grey and hatched, labelled too few to read; the
    others keep their colour and label."""
    from custseg.render.charts import C_TOO_FEW, TOO_FEW_WORDS, _validation_chart
    from custseg.render.report import MIN_CUSTOMERS_FOR_LIFT

    facts, customers = runs["shopify"]
    facts = copy.deepcopy(facts)
    rows = _rfm(facts)["validation"]["segments"]
    assert all(r["customers"] >= MIN_CUSTOMERS_FOR_LIFT for r in rows[1:])  # the rest are read as they are
    rows[0].update(customers=1, repeat_rate=1.0)
    chart, draw = _validation_chart(facts, customers)
    assert chart.data["too_few"] == [True] + [False] * (len(rows) - 1)
    fig = draw()
    try:
        for ax in fig.axes:
            bars = [p for p in ax.patches if isinstance(p, plt.Rectangle)]
            assert bars[0].get_hatch() == "//" and matplotlib.colors.to_hex(bars[0].get_facecolor()) == C_TOO_FEW.lower()
            assert all(not b.get_hatch() and matplotlib.colors.to_hex(b.get_facecolor()) != C_TOO_FEW.lower() for b in bars[1:])
        ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert ticks[0].endswith(f"1 customer\n{TOO_FEW_WORDS}") and not any(TOO_FEW_WORDS in t for t in ticks[1:])
        assert "Grey hatched bars" in fig.get_supxlabel()
    finally:
        plt.close(fig)
    # enough customers everywhere: no bar greyed, no note
    chart, draw = _validation_chart(runs["shopify"][0], customers)
    assert not any(chart.data["too_few"])
    fig = draw()
    try:
        assert "Grey hatched bars" not in fig.get_supxlabel()
    finally:
        plt.close(fig)


@pytest.mark.parametrize("name", CASES)
def test_distribution_bins_cover_every_customer(runs, rendered, name):
    facts, customers = runs[name]
    data = rendered[name][1]["distributions"].data
    n = _rfm(facts)["customers"]
    assert data["customers"] == n
    for col in ("recency_days", "purchase_days"):
        d = data[col]
        values = customers[col].dropna()
        assert len(d["labels"]) == len(d["counts"]) == len(d["edges"]) - 1 + (d["tail_from"] is not None)
        assert sum(d["counts"]) == len(values) == n - d["missing"]
        if d["tail_from"] is not None:
            assert d["labels"][-1] == f"{d['tail_from']:,}+"
            assert d["counts"][-1] == int((values >= d["tail_from"]).sum())
        assert len(d["counts"]) <= 15  # long tail clipped: stays readable
    first = data["purchase_days"]["edges"][0]
    assert first == (0 if name == "crm" else 1)  # a CRM account with no order on record has 0 purchase days
    assert data["purchase_days"]["counts"][0] == int((customers["purchase_days"] == first).sum())
    if name == "crm":
        assert data["purchase_days"]["counts"][0] == 76


def test_crm_distribution_reports_missing_recency(runs, rendered):
    """The CRM table has customers without a last-order date: counted as missing, not dropped silently."""
    _, customers = runs["crm"]
    d = rendered["crm"][1]["distributions"].data["recency_days"]
    assert d["missing"] == int(customers["recency_days"].isna().sum()) > 0


def test_rf_grid_cell_labels_share_one_precision(runs, rendered):
    """The grid once read 'avg 87.84 USD' beside 'avg 182 USD': every cell of one chart now
    follows the charts' one rule for amounts (cents only when every amount is under 100)."""
    from custseg.render.charts import _money_labels

    for name in CASES:
        facts, _ = runs[name]
        data = rendered[name][1]["rf_grid"].data
        flat = [v for row in data["avg_spend"] for v in row]
        labels = [text for row in data["avg_labels"] for text in row]
        assert labels == _money_labels(flat, facts["data"]["currency"]), name
        shown = [text.split()[0] for text, v in zip(labels, flat) if v is not None]
        assert len({"." in text for text in shown}) <= 1, f"{name}: mixed precisions {shown}"
    shopify = [text for row in rendered["shopify"][1]["rf_grid"].data["avg_labels"] for text in row if text != "n/a"]
    assert shopify and not [text for text in shopify if "." in text]  # amounts above 100 there: whole units


# ---------------------------------------------------------------- usage groups (event logs)


def test_usage_chart_plots_the_usage_groups_of_facts(runs, rendered):
    from custseg.render.report import USAGE_CHART

    facts, _ = runs["events"]
    seg = facts["segmentations"]["behavioral"]
    chart = rendered["events"][1]["usage"]
    keys = [k for k in seg["order"] if seg["segments"][k]["count"]]
    assert chart.file == CHART_FILES["usage"] == USAGE_CHART  # the report places it by this name
    assert chart.data["segments"] == keys and chart.data["empty"] == []
    for field in ("count", "pct_customers", "active_days_30"):
        assert chart.data["counts" if field == "count" else field] == [seg["segments"][k][field] for k in keys]
    assert chart.data["labels"] == [seg["segments"][k]["name"] for k in keys]
    assert chart.data["customers"] == seg["customers"] == facts["data"]["customers"]
    assert "Usage groups" in chart.title and f"as of {facts['as_of']}" in chart.title
    for name in ("shopify", "stripe", "european", "crm"):  # no event log, no usage groups, no chart
        assert "behavioral" not in runs[name][0]["segmentations"] and "usage" not in rendered[name][1]


def test_an_empty_usage_group_is_named_not_drawn(runs, tmp_path):
    facts, customers = runs["events"]
    facts = copy.deepcopy(facts)
    power = facts["segmentations"]["behavioral"]["segments"]["power"]
    power.update(count=0, pct_customers=0.0)
    data = {c.kind: c for c in render_charts(facts, customers, str(tmp_path))}["usage"].data
    assert "power" not in data["segments"] and data["empty"] == [power["name"]] and 0 not in data["counts"]


def test_usage_chart_goes_when_the_usage_groups_do(runs, tmp_path):
    facts, customers = runs["events"]
    render_charts(facts, customers, str(tmp_path))
    assert (tmp_path / CHART_FILES["usage"]).exists()
    facts = copy.deepcopy(facts)
    del facts["segmentations"]["behavioral"]
    assert "usage" not in [c.kind for c in render_charts(facts, customers, str(tmp_path))]
    assert not (tmp_path / CHART_FILES["usage"]).exists()


# ---------------------------------------------------------------- determinism


def test_same_input_gives_byte_identical_pngs(runs, rendered, tmp_path):
    facts, customers = runs["shopify"]
    first_dir, first = rendered["shopify"]
    again = render_charts(facts, customers, str(tmp_path / "again"))
    assert [c.file for c in again] == [c.file for c in first.values()]
    for chart in again:
        assert (tmp_path / "again" / chart.file).read_bytes() == (first_dir / chart.file).read_bytes(), chart.file
    assert [c.data for c in again] == [c.data for c in first.values()]


# ---------------------------------------------------------------- absent data is skipped


def test_absent_migration_and_validation_are_skipped(runs, tmp_path):
    facts, customers = runs["shopify"]
    facts = copy.deepcopy(facts)
    _rfm(facts)["migration"] = None
    _rfm(facts)["validation"] = None
    charts = render_charts(facts, customers, str(tmp_path))
    assert [c.kind for c in charts] == ["segments", "rf_grid", "distributions"]
    assert not (tmp_path / "migration.png").exists() and not (tmp_path / "validation.png").exists()


def test_no_rfm_gives_no_charts(tmp_path):
    facts = {"as_of": None, "data": {"currency": None}, "segmentations": {"value": {}}, "unavailable": {"rfm": "x"}}
    customers = pd.DataFrame({"customer_id": ["a", "b"], "value_tier": ["high", "low"]})
    assert render_charts(facts, customers, str(tmp_path / "out")) == []
    assert (tmp_path / "out").is_dir() and list((tmp_path / "out").iterdir()) == []


def test_customer_table_without_rfm_columns(tmp_path):
    """A CRM table without last-order dates: the CLI computes no RFM, so no chart at all."""
    rows = pd.read_csv(EXAMPLES / "crm_customers.csv")
    src = tmp_path / "crm_no_dates.csv"
    rows[["customer_id", "orders_count", "total_spent"]].to_csv(src, index=False)
    facts, customers = _run(src, tmp_path / "run")
    assert facts["as_of"] is None and "rfm" not in facts["segmentations"]
    assert render_charts(facts, customers, str(tmp_path / "charts")) == []


def test_skipped_chart_removes_stale_png(runs, rendered, tmp_path):
    facts, customers = runs["shopify"]
    render_charts(facts, customers, str(tmp_path))
    assert (tmp_path / "migration.png").exists()
    facts = copy.deepcopy(facts)
    _rfm(facts)["migration"] = None
    render_charts(facts, customers, str(tmp_path))
    assert not (tmp_path / "migration.png").exists()


def test_data_without_amounts(no_amounts, tmp_path):
    facts, customers = no_amounts
    assert facts["data"]["revenue_total"] is None
    charts = {c.kind: c for c in render_charts(facts, customers, str(tmp_path))}
    assert list(charts) == ALL + ["usage"]
    assert all(v is None for v in charts["segments"].data["revenue_share"])
    assert "revenue" not in charts["segments"].title
    assert all(v is None for row in charts["rf_grid"].data["avg_spend"] for v in row)
    assert all(v is None for v in charts["validation"].data["revenue_per_customer"])
    assert charts["validation"].data["segments"] == [r["segment"] for r in _rfm(facts)["validation"]["segments"]]
    for c in charts.values():
        assert _png_size(tmp_path / c.file) == (1200, 700)


def test_unknown_as_of_does_not_fail(runs, tmp_path):
    facts, customers = runs["shopify"]
    facts = copy.deepcopy(facts)
    facts["as_of"] = None
    charts = render_charts(facts, customers, str(tmp_path))
    assert len(charts) == 5 and all("as of an unknown date" in c.title for c in charts)


# ---------------------------------------------------------------- formatting


def test_formatting():
    assert fmt_pct(0.1234) == "12.3%"
    assert fmt_pct(1.0) == "100.0%"
    assert fmt_money(1234567.891, "USD") == "1,234,568 USD"
    assert fmt_money(77.05, None) == "77.05"
    assert fmt_money(None, "EUR") == "n/a"
    # one chart's amounts share a precision; counts agree with their noun
    from custseg.render.charts import _money_labels, _who
    from custseg.render.report import customers_words

    assert _money_labels([273.2, 0.0, None, 78.16], "USD") == ["273 USD", "0 USD", "n/a", "78 USD"]
    assert _money_labels([78.16, 0.0], None) == ["78.16", "0.00"]
    assert (customers_words(1), customers_words(2746), customers_words(0)) == ("1 customer", "2,746 customers", "0 customers")
    assert _who(None, {}) == "0 customers"  # a chart's footnote without a count


def test_render_draws_the_charts_again_with_the_plans_names(tmp_path, monkeypatch):
    """A plan that renames segments ('Strategic Accounts' for Champions) gets charts that say
    what its report says (a trial's usage chart still read 'Inactive' beside 'Gone Quiet'),
    drawn from the run's customers.csv; a plan that renames none leaves the run's charts."""
    import custseg.render.charts as charts_module

    out = tmp_path / "run"
    assert main(["run", str(EXAMPLES / "crm_customers.csv"), "--out", str(out)]) == 0
    before = (out / "charts" / "segments.png").read_bytes()
    drawn = []
    real = charts_module.render_charts
    monkeypatch.setattr(charts_module, "render_charts", lambda facts, customers, folder: drawn.append((facts, customers)) or real(facts, customers, folder))
    plan = json.loads((EXAMPLES / "strategies" / "crm_customers.strategy.json").read_text(encoding="utf-8"))
    from custseg.toolkit.render_tool import RenderParams, render

    result = render(RenderParams(facts=str(out / "facts.json"), strategy=str(EXAMPLES / "strategies" / "crm_customers.strategy.json")))
    assert result.files[:2] == ["report.md", "report.html"] and "charts/segments.png" in result.files  # what it wrote, charts included
    ((facts, customers),) = drawn
    wanted = {k: s["display_name"] for k, s in plan["segments"].items() if s.get("display_name")}
    assert wanted and {k: facts["segmentations"]["rfm"]["segments"][k]["name"] for k in wanted} == wanted
    assert len(customers) == len(pd.read_csv(out / "customers.csv"))
    assert (out / "charts" / "segments.png").read_bytes() != before
    assert json.loads((out / "facts.json").read_text(encoding="utf-8"))["segmentations"]["rfm"]["segments"]["champions"]["name"] == "Champions"  # the facts keep the computed names
    for s in plan["segments"].values():
        s.pop("display_name", None)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(plan), encoding="utf-8")
    assert main(["render", "--facts", str(out / "facts.json"), "--strategy", str(plain)]) == 0
    assert len(drawn) == 1


def test_a_few_customers_get_whole_number_ticks_and_no_tail_note(tmp_path):
    """Three customers: the y axis once read 0, 0, 1, 1, 2, 2, 3 and the footnote spoke of a
    'lighter last bar' that was not drawn."""
    from custseg.render.charts import _distributions_chart

    customers = pd.DataFrame({"recency_days": [0, 3, 5], "purchase_days": [1, 2, 3], "r_score": [5, 5, 4]})
    facts = {"as_of": "2025-05-17", "data": {"customers": 3}, "segmentations": {}}
    chart, draw = _distributions_chart(facts, customers)
    assert all(d["tail_from"] is None for d in (chart.data["recency_days"], chart.data["purchase_days"]))
    fig = draw()
    try:
        for ax in fig.axes:
            ticks = [t for t in ax.get_yticks() if 0 <= t <= ax.get_ylim()[1]]
            assert all(float(t).is_integer() for t in ticks)
            labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
            assert len(labels) == len(set(labels))
        assert not any("lighter last bar" in t.get_text() for t in fig.texts)
    finally:
        plt.close(fig)
