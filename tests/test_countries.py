"""Customers by country (ingest/countries.py, compute/countries.py): the facts against pandas
recounts of a generated log, the UCI Online Retail sample and the bundled examples; row order
irrelevant; the report's table and segment lines; and check.py holding claims about where
customers are to them."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from custseg.strategy.validate import validate
from tests.conftest import EXAMPLES
from tests.test_realdata import UCI_SERVICE_CODES

HOME, AWAY = "United Kingdom", ["Germany", "France", "EIRE", "Spain", "Netherlands", "Belgium", "Norway", "Italy", "Portugal", "Austria", "Denmark", "Japan"]


def _log(seed: int = 5) -> pd.DataFrame:
    """Orders of 400 customers over 400 days; the frequent buyers are mostly abroad (so the best
    segments' share abroad stands apart), a few move country, and one orders from two countries
    on one day."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(400):
        days = sorted(set(rng.integers(0, 400, size=int(rng.choice([1, 1, 1, 2, 5, 8])))))
        abroad = rng.random() < (0.8 if len(days) >= 5 else 0.1)
        country = str(rng.choice(AWAY)) if abroad else HOME
        for k, day in enumerate(days):
            moved = HOME if k == 0 and len(days) > 1 and rng.random() < 0.2 else country  # a first order from elsewhere
            rows.append((f"C{c:04d}", f"O{c:04d}-{k}", int(day), float(rng.integers(10, 200)), moved))
    rows += [("C9999", "O9999-0", 399, 50.0, "Spain"), ("C9999", "O9999-1", 399, 50.0, "Austria"), ("C9998", "O9998-0", 399, 20.0, "Unspecified")]
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "day", "amount", "country"])
    frame["date"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("day"), unit="D")).dt.strftime("%Y-%m-%d")
    return frame


def _run(cli, tmp_path, frame: pd.DataFrame, name: str = "log", *args: str) -> tuple[dict, pd.DataFrame, str]:
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / f"out_{name}"
    assert cli("run", path, "--out", out, "--no-charts", *args).code == 0
    facts = json.loads((out / "facts.json").read_text())
    ids = pd.read_csv(out / "exports" / "segments_generic.csv", usecols=["source_id", "segment"], dtype=str)
    return facts, ids, (out / "report.md").read_text()


def placed(frame: pd.DataFrame, customer: str = "customer_id", day: str = "day", country: str = "country") -> pd.Series:
    """Each customer's country by the definition, recounted: the latest day's order that names
    one, and of one day's countries the first by name."""
    named = frame[frame[country].notna() & (frame[country] != "Unspecified")]
    return named.sort_values([customer, day, country], ascending=[True, True, False]).groupby(customer)[country].last()


def test_customers_per_country_match_a_pandas_recount(cli, tmp_path):
    frame = _log()
    facts, ids, _ = _run(cli, tmp_path, frame)
    data = facts["data"]["countries"]
    assert data["column"] == "country" and facts["data"]["mapping"]["country"] == "country"
    where = placed(frame, day="date")
    days = frame.groupby("customer_id")["date"].nunique()
    spend = frame.groupby("customer_id")["amount"].sum()
    assert where["C9999"] == "Austria"  # two countries on one day: the first by name
    assert data["customers"] == len(where) and data["without_country"] == 1  # C9998 named 'Unspecified' only
    per = pd.DataFrame({"country": where, "repeat": days[where.index] > 1, "spend": spend[where.index]}).groupby("country").agg(customers=("repeat", "size"), repeat=("repeat", "mean"), spend=("spend", "sum"))
    ranked = per.reset_index().sort_values(["customers", "country"], ascending=[False, True])
    assert [r["name"] for r in data["top"][:10]] == ranked["country"].head(10).tolist()
    for r in data["top"][:10]:
        want = per.loc[r["name"]]
        assert r["customers"] == want["customers"] and r["customers_share"] == pytest.approx(want["customers"] / len(where), abs=1e-6)
        assert r["revenue"] == pytest.approx(want["spend"], abs=0.01) and r["revenue_share"] == pytest.approx(want["spend"] / per["spend"].sum(), abs=1e-6)
        assert r["repeat_rate"] == (pytest.approx(want["repeat"], abs=1e-6) if want["customers"] >= 20 else None)
    rest = ranked.iloc[10:]
    assert data["top"][-1] == {**data["top"][-1], "key": "other-countries", "name": f"other countries ({len(rest)})", "customers": int(rest["customers"].sum())}
    home = data["home"]
    assert home["name"] == HOME and home["key"] == "united-kingdom" and data["countries"] == len(per)
    away = where[where != HOME]
    assert data["abroad"]["customers"] == len(away) and data["abroad"]["countries"] == len(per) - 1
    assert data["abroad"]["repeat_rate"] == pytest.approx((days[away.index] > 1).mean(), abs=1e-6)
    # each RFM segment: its customers at home and abroad, and its three countries with the most
    seg_of = dict(zip(ids["source_id"], ids["segment"]))
    mine = pd.DataFrame({"country": where, "segment": [seg_of[c] for c in where.index]})
    for key, seg in facts["segmentations"]["rfm"]["segments"].items():
        theirs = mine[mine["segment"] == key]
        if not len(theirs):
            assert seg.get("countries") is None
            continue
        got = seg["countries"]
        assert got["customers"] == len(theirs) and got["abroad_share"] == pytest.approx((theirs["country"] != HOME).mean(), abs=1e-6)
        counts = theirs["country"].value_counts().reset_index().sort_values(["count", "country"], ascending=[False, True]).head(3)
        assert [(c["name"], c["customers"]) for c in got["top"]] == list(zip(counts["country"], counts["count"]))


def test_row_order_changes_nothing(cli, tmp_path):
    frame = _log()
    first, _, _ = _run(cli, tmp_path, frame, "sorted")
    second, _, _ = _run(cli, tmp_path, frame.sample(frac=1, random_state=3), "shuffled")
    assert first["data"]["countries"] == second["data"]["countries"]
    assert {k: s.get("countries") for k, s in first["segmentations"]["rfm"]["segments"].items()} == {k: s.get("countries") for k, s in second["segmentations"]["rfm"]["segments"].items()}


def test_the_report_shows_the_table_and_segments_apart(cli, tmp_path):
    facts, _, md = _run(cli, tmp_path, _log())
    data = facts["data"]["countries"]
    assert "Customers by country:" in md and f"| Abroad: every country but {HOME} ({data['abroad']['countries']} countries) | {data['abroad']['customers']:,} |" in md
    everyone = data["abroad"]["customers_share"]
    for seg in facts["segmentations"]["rfm"]["segments"].values():
        mine = (seg.get("countries") or {}).get("abroad_share")
        line = f"of them are abroad (outside {HOME}),"
        profile = md.split(f"### {seg['name']}\n", 1)[-1].split("\n### ", 1)[0] if seg["count"] else ""
        assert (line in profile) == (mine is not None and abs(mine - everyone) >= 0.1), seg["name"]
    assert any((s.get("countries") or {}).get("abroad_share", 0) - everyone >= 0.1 for s in facts["segmentations"]["rfm"]["segments"].values())


def test_one_country_gives_no_figures_and_says_why(cli, tmp_path):
    frame = _log().assign(country=HOME)
    facts, _, md = _run(cli, tmp_path, frame, "home")
    assert "countries" not in facts["data"] or facts["data"]["countries"] is None
    assert facts["unavailable"]["countries"] == f"every customer placed is in {HOME} (country): there is no abroad to compare with"
    assert "| Country | Customers |" not in md and f"**Customers by country:** every customer placed is in {HOME}" in md  # the report says why


def test_an_export_without_a_country_column_costs_nothing(cli, tmp_path):
    facts, _, _ = _run(cli, tmp_path, _log().drop(columns="country"), "plain")
    assert facts["data"].get("countries") is None and "country" not in facts["data"]["mapping"]
    assert facts["unavailable"]["countries"].startswith("the export names no country per order")


# -- the bundled examples ------------------------------------------------------------------------


def test_the_generated_shopify_export_is_all_in_one_country(cli, tmp_path):
    """examples/generate.py writes every Shopify order's Billing and Shipping Country as US: the
    columns are read, and no figures follow from one country."""
    out = tmp_path / "shop"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    assert facts["data"]["mapping"]["shipping_country"] == "Shipping Country" and facts["data"]["mapping"]["billing_country"] == "Billing Country"
    assert facts["data"].get("countries") is None
    assert facts["unavailable"]["countries"] == "every customer placed is in US (Shipping Country, else Billing Country): there is no abroad to compare with"


def test_the_european_example_counts_its_countries(cli, tmp_path):
    """The generated European log gives each customer one country (its Country column)."""
    out = tmp_path / "eu"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--no-charts").code == 0
    data = json.loads((out / "facts.json").read_text())["data"]["countries"]
    raw = pd.read_csv(EXAMPLES / "european_orders.csv", sep=";", encoding="utf-8-sig", dtype=str)
    raw = raw[raw["Customer Email"].notna()].assign(email=lambda f: f["Customer Email"].str.strip().str.lower())
    where = raw.groupby("email")["Country"].last()
    counts = where.value_counts()
    assert data["customers"] == len(where) and data["home"]["name"] == counts.index[0] == "DE"
    assert {r["name"]: r["customers"] for r in data["top"]} == counts.to_dict()
    assert data["abroad"]["customers"] == len(where) - counts.iloc[0]


# -- the UCI Online Retail sample ------------------------------------------------------------------


def _uci(realdata) -> pd.DataFrame:
    path = realdata / "transactions_online_retail" / "online_retail_sample.csv"
    tx = pd.read_csv(path, dtype={"CustomerID": str}, keep_default_na=False)
    tx = tx[(tx["CustomerID"] != "NA") & ~tx["StockCode"].str.strip().str.upper().isin(UCI_SERVICE_CODES)]
    return tx.assign(day=lambda f: pd.to_datetime(f["InvoiceDate"]).dt.normalize())


@pytest.mark.parametrize("args", [[], ["--net-returns"]])
def test_online_retail_countries_match_a_pandas_recount(cli, realdata, tmp_path, args):
    """The UK gift wholesaler (a trial's hunch: 'overseas shops reorder less'). The trial counted
    298 customers abroad, 53.0% of them buying on one day only against 47.6% at home: that is
    this count under --net-returns (returns are no purchase days) with the 3 customers whose only
    Country is 'Unspecified' taken as abroad; here they are placed nowhere (295 abroad, 52.5%)."""
    tx = _uci(realdata)
    if args:  # --net-returns: a return ('C' invoice) comes off an earlier purchase, no purchase day of its own
        tx = tx[~tx["InvoiceNo"].str.startswith("C")]
    out = tmp_path / "uci"
    assert cli("run", realdata / "transactions_online_retail" / "online_retail_sample.csv", "--out", out, "--no-charts", *args).code == 0
    data = json.loads((out / "facts.json").read_text())["data"]["countries"]
    where = placed(tx, "CustomerID", "day", "Country")
    days = tx.groupby("CustomerID")["day"].nunique()
    counts = where.value_counts()
    assert [(r["name"], r["customers"]) for r in data["top"][:3]] == [(HOME, counts[HOME]), ("Germany", counts["Germany"]), ("France", counts["France"])]
    away = where[where != HOME]
    assert data["home"]["name"] == HOME and data["abroad"]["customers"] == len(away)
    assert data["abroad"]["repeat_rate"] == pytest.approx((days[away.index] > 1).mean(), abs=1e-6)
    assert data["home"]["repeat_rate"] == pytest.approx((days[where[where == HOME].index] > 1).mean(), abs=1e-6)
    assert data["without_country"] == tx["CustomerID"].nunique() - len(where) == 3
    if args:  # the trial's figures, the 3 'Unspecified' customers aside
        assert data["abroad"]["customers"] + 3 == 298
        assert round(1 - data["home"]["repeat_rate"], 3) == 0.476 and round(1 - data["abroad"]["repeat_rate"], 3) == 0.525


# -- check.py ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_facts(tmp_path_factory) -> dict[str, dict]:
    """Facts of the European example (customers in nine countries) and the Shopify one (all US)."""
    from custseg.cli.main import main

    out = {}
    for name in ("european_orders", "shopify_orders_export"):
        target = tmp_path_factory.mktemp(name) / "run"
        assert main(["run", str(EXAMPLES / f"{name}.{'csv'}"), "--out", str(target), "--no-charts"]) == 0
        out[name] = json.loads((target / "facts.json").read_text())
    return out


def _persona_problems(facts: dict, name: str, key: str, text: str) -> list[tuple[str, str]]:
    doc = json.loads((EXAMPLES / "strategies" / f"{name}.strategy.json").read_text())
    doc["segments"][key]["persona"] += " " + text
    return [(p.code, p.message) for p in validate(doc, facts) if p.path == f"segments.{key}.persona" and p.code in ("claim_not_in_data", "claim_contradicts_fact")]


@pytest.mark.parametrize(("text", "code"), [
    ("Most of them are abroad.", "claim_not_in_data"),  # the trial's, passed before
    ("They are almost all UK high-street gift shops.", "claim_not_in_data"),  # refused before, once
    ("Overseas shops reorder less than the rest.", "claim_not_in_data"),
    ("German stockists order in spring.", "claim_not_in_data"),
    ("Customers in France like the tins.", "claim_not_in_data"),
    ("You told us most of them are abroad.", None),  # the user's own observation
    ("Offer free shipping to overseas customers.", None),  # a step of the plan
    ("Orders are shipped from the UK warehouse.", None),
    # every customer is in one country, the reason there are no figures: saying so is true (a dress label's trial)
    ("Like every customer in this export, they are in the United States.", None),
    ("Like every customer here, they are American customers.", None),
    ("They are domestic shoppers.", None),
])
def test_a_claim_about_where_customers_are_without_country_facts(example_facts, text, code):
    found = _persona_problems(example_facts["shopify_orders_export"], "shopify_orders_export", "loyal", text)
    assert [c for c, _ in found] == ([code] if code else []), found
    if code and "high-street" not in text:
        assert "the facts hold no customers by country (every customer placed is in US" in found[0][1]


@pytest.mark.parametrize(("text", "code"), [
    ("Most of them are abroad.", "claim_not_in_data"),  # facts exist: cite one
    ("Most of them are abroad ({segmentations.rfm.segments.loyal.countries.abroad_share}).", None),  # 60% and more
    ("Nearly all of them are abroad ({segmentations.rfm.segments.loyal.countries.abroad_share}).", "claim_contradicts_fact"),  # under 80%
    ("Most of them are in Germany ({segmentations.rfm.segments.loyal.countries.top.de.share}).", "claim_contradicts_fact"),
    ("None of them are in France ({segmentations.rfm.segments.loyal.countries.top.fr.share}).", "claim_contradicts_fact"),
    ("Most of them are abroad, where {data.countries.abroad.repeat_rate} bought again.", "claim_not_in_data"),  # a rate, not how many
    ("{segmentations.rfm.segments.loyal.countries.abroad_share} of them are abroad.", None),
    ("Overseas buyers come back about as often: {data.countries.abroad.repeat_rate} against {data.countries.home.repeat_rate} at home.", None),
])
def test_a_claim_about_where_customers_are_is_held_to_the_country_facts(example_facts, text, code):
    facts = example_facts["european_orders"]
    assert 0.5 < facts["segmentations"]["rfm"]["segments"]["loyal"]["countries"]["abroad_share"] < 0.8
    found = _persona_problems(facts, "european_orders", "loyal", text)
    assert [c for c, _ in found] == ([code] if code else []), found


def test_a_business_type_claim_points_at_the_country_facts_where_they_exist(example_facts):
    """'Mostly overseas shops' was refused, rightly, with 'the facts hold no business type, size or
    location' on an export that held countries (a wholesaler trial): the message names the
    country facts for the where, and keeps refusing the kind of business."""
    text = "They are almost all UK high-street gift shops."
    (with_countries,) = _persona_problems(example_facts["european_orders"], "european_orders", "loyal", text)
    assert with_countries[0] == "claim_not_in_data" and "no business type or size" in with_countries[1] and "{data.countries.abroad.customers_share}" in with_countries[1]
    (without,) = _persona_problems(example_facts["shopify_orders_export"], "shopify_orders_export", "loyal", text)
    assert "no business type, size or location" in without[1]


def test_a_hunch_about_where_customers_are_is_answered_from_the_facts(example_facts):
    facts = example_facts["european_orders"]
    doc = json.loads((EXAMPLES / "strategies" / "european_orders.strategy.json").read_text())
    doc["hypotheses"] = [{"hunch": "Overseas shops reorder less", "verdict": "cannot be tested with this data", "evidence": "The export does not say where customers are."}]
    found = [p for p in validate(doc, facts) if p.path.startswith("hypotheses[0]")]
    assert [p.code for p in found] == ["claim_contradicts_fact"] and "{data.countries.abroad.repeat_rate}" in found[0].message
    # a reorder hunch whose rate abroad is null (too few abroad) cannot be settled: 'cannot be tested' stands, as for a product
    import copy

    thin = copy.deepcopy(facts)
    assert thin["data"]["countries"]["abroad"]["repeat_rate"] is not None
    thin["data"]["countries"]["abroad"]["repeat_rate"] = None
    assert [p for p in validate(doc, thin) if p.path.startswith("hypotheses[0]")] == []
    doc["hypotheses"][0]["hunch"] = "Most of our shops are overseas"  # a share the facts hold: still refused
    assert [p.code for p in validate(doc, thin) if p.path.startswith("hypotheses[0]")] == ["claim_contradicts_fact"]
    doc["hypotheses"][0]["hunch"] = "Overseas shops reorder less"
    doc["hypotheses"][0].update(verdict="partly holds", evidence="Customers abroad bought on more than one day as often: {data.countries.abroad.repeat_rate} against {data.countries.home.repeat_rate} at home.")  # within chance: not 'does not hold'
    assert [p for p in validate(doc, facts) if p.path.startswith("hypotheses[0]")] == []
    doc["hypotheses"][0]["evidence"] = "Most of them are abroad and reorder less: {data.countries.abroad.repeat_rate}."  # a rate, not how many are abroad
    assert [p.code for p in validate(doc, facts) if p.path.startswith("hypotheses[0]")] == ["claim_not_in_data"]


def test_the_chance_gap_between_home_and_abroad_matches_a_recount(cli, tmp_path):
    """data.countries.abroad.chance_gap: how far apart the repeat rates of two groups of these
    sizes, drawn by chance from one rate, fall 95 times in 100, as the holdout's (analysis.chance_gap);
    the report's country table says whether the two rates lie within it."""
    facts, _, report = _run(cli, tmp_path, _log())
    home, abroad = facts["data"]["countries"]["home"], facts["data"]["countries"]["abroad"]
    repeaters = home["repeat_rate"] * home["customers"] + abroad["repeat_rate"] * abroad["customers"]
    pooled = repeaters / (home["customers"] + abroad["customers"])
    assert abroad["chance_gap"] == pytest.approx(1.96 * np.sqrt(pooled * (1 - pooled) * (1 / home["customers"] + 1 / abroad["customers"])), abs=1e-5)
    within = abs(abroad["repeat_rate"] - home["repeat_rate"]) <= abroad["chance_gap"]
    assert not within  # the frequent buyers are mostly abroad
    assert "further apart than chance alone takes them" in report and "nineteen times in twenty" in report


_ABROAD_AGAINST_HOME = "Customers abroad bought on more than one day: {data.countries.abroad.repeat_rate} against {data.countries.home.repeat_rate} at home."


@pytest.mark.parametrize(("verdict", "evidence", "within", "codes"), [
    # a trial's 3 repeaters of 35 abroad (8.6%) against 13.1% at home answered 'holds'; here 31.7% against 30.7%, within 3.7 points
    ("does not hold", _ABROAD_AGAINST_HOME, True, ["verdict_on_too_few"]),
    ("holds", _ABROAD_AGAINST_HOME + " They are {data.countries.abroad.customers_share} of customers.", True, ["verdict_on_too_few"]),
    ("partly holds", _ABROAD_AGAINST_HOME, True, []),
    ("cannot be tested with this data", _ABROAD_AGAINST_HOME + " The gap is within what chance alone gives ({data.countries.abroad.chance_gap}).", True, []),
    # resting on more than the two rates: not held to the band
    ("does not hold", _ABROAD_AGAINST_HOME + " Abroad, {segmentations.rfm.segments.loyal.repeat_rate} of the Loyal bought again.", True, []),
    # the two rates further apart than chance: the verdict stands, and 'cannot be tested' is refused as before
    ("does not hold", _ABROAD_AGAINST_HOME, False, []),
    ("cannot be tested with this data", _ABROAD_AGAINST_HOME, False, ["claim_contradicts_fact"]),
])
def test_a_country_hunch_is_not_settled_by_rates_within_chance(example_facts, verdict, evidence, within, codes):
    import copy

    facts = copy.deepcopy(example_facts["european_orders"])
    abroad, home = facts["data"]["countries"]["abroad"], facts["data"]["countries"]["home"]
    assert abs(abroad["repeat_rate"] - home["repeat_rate"]) < abroad["chance_gap"]
    if not within:
        abroad["repeat_rate"] = home["repeat_rate"] - 2 * abroad["chance_gap"]
    doc = json.loads((EXAMPLES / "strategies" / "european_orders.strategy.json").read_text())
    doc["hypotheses"] = [{"hunch": "Overseas shops reorder less", "verdict": verdict, "evidence": evidence}]
    found = [p for p in validate(doc, facts) if p.path.startswith("hypotheses[0]")]
    assert [p.code for p in found] == codes, found
    if codes == ["verdict_on_too_few"]:
        assert "{data.countries.abroad.chance_gap}" in found[0].message and "'partly holds' or 'cannot be tested with this data'" in found[0].message


def test_the_strategy_brief_gives_the_chance_gap_between_home_and_abroad(example_facts):
    from custseg.render.briefs import render_brief

    brief = render_brief("strategy", example_facts["european_orders"])
    assert "(`{data.countries.abroad.chance_gap}`): the rates abroad (31.7%) and at home (30.7%) are closer than that" in brief
    assert 'refuses "holds" or "does not hold" resting on the repeat rates abroad and at home' in brief
