"""What each segment buys and which first purchases bring customers back (compute/products.py),
checked against a pandas recount of a generated log, and its guards: rare names never shown,
add-ons left out, row order irrelevant, Shopify variants folded."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from custseg.compute.products import NOT_MERCHANDISE, OTHER_ADD_ONS, one_spelling, product_of
from custseg.strategy.validate import validate
from tests.conftest import EXAMPLES

PRODUCTS = ["Sampler", "Beans", "Mug", "Tote", "Socks"]
RARE = "Engraved Mug - For Aunt Zelda"  # a personalised line: two buyers, never to be named (nor the one tip)


def _log(seed: int = 7) -> pd.DataFrame:
    """Orders of 300 customers over 400 days, each order one to three lines."""
    rng = np.random.default_rng(seed)
    rows = []
    order = 0
    for c in range(300):
        first = int(rng.integers(0, 360))
        days = sorted({first, *(first + int(g) for g in rng.integers(1, 200, size=int(rng.integers(0, 4))))})
        for day in [d for d in days if d < 400]:
            order += 1
            for name in rng.choice(PRODUCTS, size=int(rng.integers(1, 4)), replace=False):
                rows.append((f"C{c:04d}", f"O{order:05d}", day, 10.0, str(name)))
            if rng.random() < 0.3:
                rows.append((f"C{c:04d}", f"O{order:05d}", day, 4.0, "Shipping Protection"))
    rows += [("C0000", "O99998", 5, 30.0, RARE), ("C0001", "O99999", 6, 30.0, RARE), ("C0001", "O99999", 6, 2.0, "Tip for Zelda")]
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "day", "amount", "description"])
    frame["date"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("day"), unit="D")).dt.strftime("%Y-%m-%d")
    return frame


def _run(cli, tmp_path, frame: pd.DataFrame, name: str = "log") -> tuple[dict, pd.DataFrame]:
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / f"out_{name}"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    ids = pd.read_csv(out / "exports" / "segments_generic.csv", usecols=["customer_id", "source_id", "segment"])
    return facts, ids


def test_buyers_per_segment_match_a_pandas_recount(cli, tmp_path):
    frame = _log()
    facts, ids = _run(cli, tmp_path, frame)
    merch = frame[~frame["description"].isin(["Shipping Protection", "Tip for Zelda"])].merge(ids, left_on="customer_id", right_on="source_id", suffixes=("_raw", ""))
    buyers = merch.groupby(["segment", "description"])["customer_id"].nunique()
    sizes = ids["segment"].value_counts()
    checked = 0
    for key, seg in facts["segmentations"]["rfm"]["segments"].items():
        for p in seg.get("products") or []:
            assert p["buyers"] == buyers[(key, p["name"])], (key, p["name"])
            assert p["buyers_share"] == pytest.approx(p["buyers"] / sizes[key], abs=1e-6)
            checked += 1
        shown = [(-p["buyers"], p["name"]) for p in seg.get("products") or []]
        assert shown == sorted(shown)  # most buyers first, ties by name
    assert checked >= 10
    data = facts["data"]["products"]
    assert data["column"] == "description" and data["min_buyers"] == 5
    assert data["not_merchandise"] == {"Shipping Protection": int((frame["description"] == "Shipping Protection").sum()), OTHER_ADD_ONS: 1}
    everyone = merch.groupby("description")["customer_id"].nunique()
    assert {p["name"]: p["buyers"] for p in data["top"]} == everyone.drop(RARE).to_dict()


def test_first_purchase_come_back_rate_matches_a_recount(cli, tmp_path):
    frame = _log()
    facts, _ = _run(cli, tmp_path, frame)
    data = facts["data"]["products"]
    as_of = pd.Timestamp(facts["as_of"])
    period = facts["period_days"]
    day = pd.to_datetime(frame["date"])
    days = frame.assign(day=day).groupby("customer_id")["day"].agg(lambda s: sorted(set(s)))
    first = days.map(lambda d: d[0])
    second = days.map(lambda d: d[1] if len(d) > 1 else pd.NaT)
    settled = first <= as_of - pd.Timedelta(days=period)
    back = settled & second.notna() & ((second - first).dt.days <= period)
    lines = frame.assign(day=day)
    lines = lines[(lines["day"] == lines["customer_id"].map(first)) & ~lines["description"].isin(["Shipping Protection", "Tip for Zelda"])]
    for p in data["first_purchase"]:
        starters = lines.loc[lines["description"] == p["name"], "customer_id"].unique()
        assert p["starters"] == len(starters)
        assert p["starters_before_cutoff"] == int(settled[starters].sum())
        assert p["back_within_period_rate"] == pytest.approx(back[starters].sum() / settled[starters].sum(), abs=1e-6)
    everyone = lines["customer_id"].unique()  # a first day of only a rare name counts here too
    assert data["starters_before_cutoff"] == int(settled[everyone].sum())
    assert data["back_within_period_rate"] == pytest.approx(back[everyone].sum() / settled[everyone].sum(), abs=1e-6)


def test_a_name_few_bought_never_reaches_the_facts_or_report(cli, tmp_path):
    facts, _ = _run(cli, tmp_path, _log())
    assert facts["data"]["products"]["named"] == len(PRODUCTS)
    assert facts["data"]["products"]["products"] == len(PRODUCTS) + 1  # counted, not named
    for name in ("facts.json", "report.md", "report.html", "customers.csv"):
        assert "Zelda" not in (tmp_path / "out_log" / name).read_text()


def test_row_order_changes_nothing(cli, tmp_path):
    frame = _log()
    facts, _ = _run(cli, tmp_path, frame)
    shuffled, _ = _run(cli, tmp_path, frame.sample(frac=1.0, random_state=3), "shuffled")
    assert shuffled["data"]["products"] == facts["data"]["products"]
    assert {k: s.get("products") for k, s in shuffled["segmentations"]["rfm"]["segments"].items()} == {k: s.get("products") for k, s in facts["segmentations"]["rfm"]["segments"].items()}


def test_shopify_variants_fold_into_their_product(cli, tmp_path):
    assert product_of("Merino Crew Socks - Oat / M") == "Merino Crew Socks"
    assert product_of("T-Shirt") == "T-Shirt"
    assert NOT_MERCHANDISE.search("Package Protetion  Valid in US. - $4.48") and not NOT_MERCHANDISE.search("Protection Spray")
    assert NOT_MERCHANDISE.search("HOLIDAY GIFT CARD") and NOT_MERCHANDISE.search("E-Gift Card - $50") and not NOT_MERCHANDISE.search("Gift Box Set")
    out = tmp_path / "shop"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    data = facts["data"]["products"]
    assert data["variants_folded"] and data["column"] == "Lineitem name"
    assert "Shipping Protection" in data["not_merchandise"]
    assert all(" - " not in p["name"] for p in data["top"])
    assert "What each segment buys" in (out / "report.md").read_text()
    sheet = openpyxl.load_workbook(out / "segments.xlsx", read_only=True)["Products"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    champions = facts["segmentations"]["rfm"]["segments"]["champions"]["products"]
    assert rows[1:1 + len(champions)] == [["Champions", p["name"], p["buyers"], p["buyers_share"]] for p in champions]


def test_an_export_without_product_names_says_why(cli, tmp_path):
    out = tmp_path / "eu"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    assert facts["data"].get("products") is None
    assert "names no products" in facts["unavailable"]["products"]
    assert "What each segment buys" not in (out / "report.md").read_text()


def test_product_claims_cite_the_products_facts(cli, tmp_path):
    out = tmp_path / "shop"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    persona = doc["segments"]["champions"]["persona"]

    def codes(text: str, f: dict) -> list[str]:
        d = json.loads(json.dumps(doc))
        d["segments"]["champions"]["persona"] = f"{persona} {text}"
        return [(p.code, p.message) for p in validate(d, f) if p.path == "segments.champions.persona"]

    said = codes("They mostly buy socks.", facts)
    assert [c for c, _ in said] == ["claim_not_in_data"] and "products.<product key>.buyers_share" in said[0][1]
    assert codes("{segmentations.rfm.segments.champions.products.merino-crew-socks.buyers_share} of them bought the socks, so they mostly buy socks.", facts) == []
    without = {**facts, "data": {k: v for k, v in facts["data"].items() if k != "products"}}
    without["segmentations"] = json.loads(json.dumps(facts["segmentations"]))
    for seg in without["segmentations"]["rfm"]["segments"].values():
        seg.pop("products", None)
    assert any("the facts hold no products" in m for _, m in codes("They mostly buy socks.", without))


def test_a_return_is_not_a_purchase_of_its_product(cli, tmp_path):
    """A log's return row (a negative amount) names what came back: its customer is no buyer of it."""
    rows = [(f"C{c}", f"O{c}", "2024-01-0%d" % (1 + c % 9), 10.0, "Mug") for c in range(8)]
    rows += [(f"C{c}", f"R{c}", "2024-02-01", -10.0, "Tote") for c in range(6)]  # six return a tote they bought before the data
    rows += [(f"C{c}", f"T{c}", "2024-02-02", 12.0, "Tote") for c in range(2)]
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "date", "amount", "description"])
    facts, _ = _run(cli, tmp_path, frame)
    data = facts["data"]["products"]
    assert {p["name"]: p["buyers"] for p in data["top"]} == {"Mug": 8}  # two tote buyers: too few to name
    assert data["products"] == 2


def test_ties_at_the_fifth_are_kept_and_best_sellers_sit_in_every_segment(cli, tmp_path):
    """A trial's 8 best customers: seven products tied with the fifth were cut, so the best
    seller looked absent from them and its share could not be cited."""
    facts, _ = _run(cli, tmp_path, _log())
    best = [p["key"] for p in facts["data"]["products"]["top"]]
    for seg in facts["segmentations"]["rfm"]["segments"].values():
        if not seg["count"]:
            assert seg.get("products") is None
            continue
        items = seg["products"]
        assert set(best) <= {p["key"] for p in items}  # every best seller, bought by none of them too
        bought = sorted((p["buyers"] for p in items if p["buyers"]), reverse=True)
        if len(bought) > 5:  # every product as bought as the fifth is listed
            assert all(p["key"] in {q["key"] for q in items} for p in items if p["buyers"] >= bought[4])


def test_names_that_differ_in_case_or_spacing_are_one_product(cli, tmp_path):
    frame = _log()
    frame.loc[frame.index[::3], "description"] = frame.loc[frame.index[::3], "description"].str.upper()
    frame.loc[frame.index[1::7], "description"] = frame.loc[frame.index[1::7], "description"].str.lower()
    facts, _ = _run(cli, tmp_path, frame)
    plain, _ = _run(cli, tmp_path, _log(), "plain")
    assert {p["name"]: p["buyers"] for p in facts["data"]["products"]["top"]} == {p["name"]: p["buyers"] for p in plain["data"]["products"]["top"]}
    assert one_spelling(["Avant  Leggings - S", "AVANT LEGGINGS", "Avant Leggings - M"], np.array([1, 1, 1]), True) == ["Avant Leggings"] * 3
    assert one_spelling(["AVANT LEGGINGS", "Avant Leggings"], np.array([3, 1]), False) == ["AVANT LEGGINGS"] * 2  # the spelling of most lines


@pytest.fixture(scope="module")
def shop_facts(tmp_path_factory):
    from custseg.cli.main import main

    out = tmp_path_factory.mktemp("shop") / "run"
    assert main(["run", str(EXAMPLES / "shopify_orders_export.csv"), "--out", str(out), "--no-charts"]) == 0
    return json.loads((out / "facts.json").read_text())


def _persona_problems(facts: dict, segment: str, text: str) -> list[tuple[str, str]]:
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["segments"][segment]["persona"] += " " + text
    return [(p.code, p.message) for p in validate(doc, facts) if p.path == f"segments.{segment}.persona"]


CHAMPIONS_TEE = "{segmentations.rfm.segments.champions.products.organic-cotton-tee.buyers_share}"
DORMANT_TEE = "{segmentations.rfm.segments.dormant.products.organic-cotton-tee.buyers_share}"
AT_RISK_TEE = "{segmentations.rfm.segments.at_risk.products.organic-cotton-tee.buyers_share}"
NA_SOCKS = "{segmentations.rfm.segments.needs_attention.products.merino-crew-socks.buyers_share}"


@pytest.mark.parametrize(("segment", "text", "code"), [
    ("champions", f"Most of them bought the Organic Cotton Tee ({CHAMPIONS_TEE}).", None),  # 82.7%
    ("dormant", f"Most of them bought the Organic Cotton Tee ({DORMANT_TEE}).", "claim_contradicts_fact"),  # 19.7%
    ("dormant", f"Nearly all of these lapsed buyers ordered the organic cotton tee ({DORMANT_TEE}).", "claim_contradicts_fact"),
    ("dormant", f"None of them bought the Organic Cotton Tee ({DORMANT_TEE}).", "claim_contradicts_fact"),
    ("dormant", "Most of them buy the Stoneware Mug.", "claim_not_in_data"),
    ("dormant", f"They mostly buy the Organic Cotton Tee ({DORMANT_TEE}).", "claim_contradicts_fact"),  # 'mostly' of 19.7%
    ("champions", f"They mostly buy the Organic Cotton Tee ({CHAMPIONS_TEE}).", None),  # of 82.7%
    ("dormant", "They mostly buy the Stoneware Mug.", "claim_not_in_data"),  # asked once for the figure, not twice
    ("dormant", "No one here bought the Stoneware Mug.", "claim_not_in_data"),
    ("dormant", "Their most bought product is the Merino Crew Socks ({segmentations.rfm.segments.dormant.products.merino-crew-socks.buyers_share}).", None),  # a superlative, not 'most of them'
    ("dormant", f"Their most bought product is the Organic Cotton Tee ({DORMANT_TEE}).", "claim_contradicts_fact"),  # the socks have more buyers
    # a ranking ('most bought', 'best-selling', 'top product') is held to the segment's list, not to half (a trial's 'Their own most bought: Dann Noir' at 7.8%, its top)
    ("needs_attention", f"Their own most bought: Merino Crew Socks ({NA_SOCKS} of them).", None),  # 31.3%, their first
    ("needs_attention", f"Most bought: Merino Crew Socks ({NA_SOCKS} of them).", None),
    ("needs_attention", f"Best-selling among them: Merino Crew Socks ({NA_SOCKS} of them).", None),
    ("needs_attention", f"Its five most bought lead with the Merino Crew Socks ({NA_SOCKS}).", None),
    ("needs_attention", "Their own most bought: Stoneware Mug ({segmentations.rfm.segments.needs_attention.products.stoneware-mug.buyers_share} of them).", "claim_contradicts_fact"),  # the socks have more buyers
    ("needs_attention", f"Most bought the Merino Crew Socks ({NA_SOCKS}).", "claim_contradicts_fact"),  # a majority, at 31.3%
    ("needs_attention", f"Most of them bought the Merino Crew Socks ({NA_SOCKS}).", "claim_contradicts_fact"),
    # 'New' of what the shop launches is no segment's name (a trial's Dormant text), 'New customers' is
    ("dormant", f"New colours of the Organic Cotton Tee ({DORMANT_TEE} of them bought it).", None),
    ("dormant", f"New arrivals beside the Organic Cotton Tee, which {DORMANT_TEE} of them bought.", None),
    ("dormant", f"New customers bought the Organic Cotton Tee ({DORMANT_TEE} of them).", "fact_of_other_segment"),
    ("dormant", f"Lead with the Organic Cotton Tee: most of them bought it ({DORMANT_TEE}).", "claim_contradicts_fact"),
    ("dormant", f"The Organic Cotton Tee is bought by most of them ({DORMANT_TEE}).", "claim_contradicts_fact"),
    ("champions", f"The Organic Cotton Tee, which most of them bought ({CHAMPIONS_TEE}), leads.", None),
    ("new", "Those who started with the Merino Crew Socks came back at {data.products.first_purchase.merino-crew-socks.back_within_period_rate}, well above everyone's {data.products.back_within_period_rate}.", "claim_contradicts_fact"),  # 11.3% against 11.4%
    ("new", "Those who started with the Trail Mix Bundle came back at {data.products.first_purchase.trail-mix-bundle.back_within_period_rate}, well above everyone's {data.products.back_within_period_rate}.", None),  # 17.1%
    ("new", "Those who started with the Merino Crew Socks came back at {data.products.first_purchase.merino-crew-socks.back_within_period_rate}, a little below everyone's {data.products.back_within_period_rate}.", None),
    ("new", "Lead with the Merino Crew Socks, the first purchase that brings people back most often ({data.products.first_purchase.merino-crew-socks.back_within_period_rate}).", "claim_contradicts_fact"),
    ("new", "Lead with the Trail Mix Bundle, the first purchase that brings people back most often ({data.products.first_purchase.trail-mix-bundle.back_within_period_rate}).", None),
    ("dormant", f"Most of them are lapsed; the Organic Cotton Tee leads ({DORMANT_TEE}).", None),
    ("new", "Lead with the Wool Beanie: {data.products.first_purchase.trail-mix-bundle.back_within_period_rate} of those who started with it came back.", "product_fact_mismatch"),
    ("new", "Lead with the Trail Mix Bundle: {data.products.first_purchase.trail-mix-bundle.back_within_period_rate} of those who started with it came back.", None),
    # the direction said before both figures, 'than' between: At Risk 44.2%, Champions 82.7%
    ("champions", f"Fewer of At Risk ({AT_RISK_TEE}) than of Champions ({CHAMPIONS_TEE}) buy the Organic Cotton Tee.", None),
    ("champions", f"Fewer of Champions ({CHAMPIONS_TEE}) than of At Risk ({AT_RISK_TEE}) buy the Organic Cotton Tee.", "claim_contradicts_fact"),
    ("champions", f"More of At Risk ({AT_RISK_TEE}) than of Champions ({CHAMPIONS_TEE}) buy the Organic Cotton Tee.", "claim_contradicts_fact"),
    ("champions", f"More Champions ({CHAMPIONS_TEE}) than At Risk customers ({AT_RISK_TEE}) bought the Organic Cotton Tee.", None),
    ("at_risk", f"A smaller share of Champions ({CHAMPIONS_TEE}) than of At Risk ({AT_RISK_TEE}) bought the Organic Cotton Tee.", "claim_contradicts_fact"),
    # how often or how likely they buy, said before both figures set side by side (comparisons.py, as a UCI trial's country rates)
    ("at_risk", f"At Risk buy the Organic Cotton Tee more often than Champions ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", "claim_contradicts_fact"),
    ("at_risk", f"At Risk buy the Organic Cotton Tee less often than Champions ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", None),
    ("at_risk", f"Champions buy the Organic Cotton Tee more frequently than At Risk ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", None),
    ("at_risk", f"At Risk are more likely to buy the Organic Cotton Tee than Champions ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", "claim_contradicts_fact"),
    ("at_risk", f"Champions are more likely to buy the Organic Cotton Tee than At Risk ({CHAMPIONS_TEE} against {AT_RISK_TEE}).", None),
    ("at_risk", f"Champions are less likely to pick the Organic Cotton Tee than At Risk ({CHAMPIONS_TEE} against {AT_RISK_TEE}).", "claim_contradicts_fact"),
    ("at_risk", f"More of them buy the Organic Cotton Tee than of Champions ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", "claim_contradicts_fact"),
    ("at_risk", f"A bigger share of Champions buy the Organic Cotton Tee than of At Risk ({CHAMPIONS_TEE} against {AT_RISK_TEE}).", None),
    ("at_risk", "At Risk buy canvas pieces more often than Champions ({segmentations.rfm.segments.at_risk.product_families.canvas.buyers_share} against {segmentations.rfm.segments.champions.product_families.canvas.buyers_share}).", "claim_contradicts_fact"),
    ("at_risk", "At Risk buy canvas pieces less often than Champions ({segmentations.rfm.segments.at_risk.product_families.canvas.buyers_share} against {segmentations.rfm.segments.champions.product_families.canvas.buyers_share}).", None),
    # 'more often' of what a share of buyers does not measure (coming back, opening emails) is not read of it
    ("at_risk", f"At Risk are more likely to open our emails than Champions ({AT_RISK_TEE} against {CHAMPIONS_TEE}).", None),
    # a first purchase's come-back rate against everyone's (a trial's 'brings first-timers back more often than average', 10.9% against 16.9%)
    ("new", "The Trail Mix Bundle brings first-timers back more often than average ({data.products.first_purchase.trail-mix-bundle.back_within_period_rate} against {data.products.back_within_period_rate}).", None),  # 17.1%, 11.4%
    ("new", "The Merino Crew Socks bring first-timers back more often than average ({data.products.first_purchase.merino-crew-socks.back_within_period_rate} against {data.products.back_within_period_rate}).", "claim_contradicts_fact"),  # 11.3%
    ("new", "Everyone comes back less often than those who started with the Trail Mix Bundle ({data.products.back_within_period_rate} against {data.products.first_purchase.trail-mix-bundle.back_within_period_rate}).", None),
    ("new", "Compared with everyone ({data.products.back_within_period_rate}), those who started with the Merino Crew Socks came back more often ({data.products.first_purchase.merino-crew-socks.back_within_period_rate}).", "claim_contradicts_fact"),
    # a family's against everyone's (a trial's 'Velvet starters came back less often than everyone', 21.9% against 16.9%): Canvas 8.4%
    ("new", "Canvas starters came back less often than everyone ({data.products.families.canvas.back_within_period_rate} against {data.products.back_within_period_rate}).", None),
    ("new", "Canvas starters came back more often than everyone ({data.products.families.canvas.back_within_period_rate} against {data.products.back_within_period_rate}).", "claim_contradicts_fact"),
    # a product family's figure (all its products together) beside one product's name
    ("new", "Those who started with the Everyday Canvas Tote came back at {data.products.families.canvas.back_within_period_rate}.", "product_fact_mismatch"),
    ("loyal", "The Everyday Canvas Tote is bought by {segmentations.rfm.segments.loyal.product_families.canvas.buyers_share} of them.", "product_fact_mismatch"),
    ("new", "Lead with the Wool Beanie: {data.products.families.canvas.buyers_share} of customers bought it.", "product_fact_mismatch"),
    ("new", "Those who started with the Everyday Canvas Tote came back at {data.products.first_purchase.everyday-canvas-tote.back_within_period_rate}, against {data.products.families.canvas.back_within_period_rate} for canvas pieces as a whole.", None),
    ("loyal", "Canvas bags reach {segmentations.rfm.segments.loyal.product_families.canvas.buyers_share} of them, the Everyday Canvas Tote first.", None),
    # another segment's product share in a segment's own text reads as theirs, unless it names whose
    ("at_risk", f"They mostly buy the Organic Cotton Tee ({CHAMPIONS_TEE}).", "fact_of_other_segment"),  # Champions' 82.7%, At Risk's 44.2%
    ("at_risk", f"They bought the Organic Cotton Tee ({CHAMPIONS_TEE}).", "fact_of_other_segment"),
    ("at_risk", "Canvas pieces reach {segmentations.rfm.segments.champions.product_families.canvas.buyers_share} of them.", "fact_of_other_segment"),
    ("at_risk", f"Champions bought the Organic Cotton Tee at {CHAMPIONS_TEE}.", None),
    ("at_risk", f"Unlike Champions ({CHAMPIONS_TEE}), they rarely bought the Organic Cotton Tee.", None),
    ("at_risk", f"They bought the Organic Cotton Tee ({AT_RISK_TEE}).", None),
    # 'the widest gap' of a product another beats: Champions against Dormant, the Tee 62.9 points, the socks 53.4
    ("champions", "The Merino Crew Socks show the widest gap between Champions ({segmentations.rfm.segments.champions.products.merino-crew-socks.buyers_share}) and Dormant ({segmentations.rfm.segments.dormant.products.merino-crew-socks.buyers_share}).", "claim_contradicts_fact"),
    ("dormant", "The biggest difference between Champions ({segmentations.rfm.segments.champions.products.merino-crew-socks.buyers_share}) and Dormant ({segmentations.rfm.segments.dormant.products.merino-crew-socks.buyers_share}) is in the Merino Crew Socks.", "claim_contradicts_fact"),
    ("champions", f"The Organic Cotton Tee shows the widest gap between Champions ({CHAMPIONS_TEE}) and Dormant ({DORMANT_TEE}).", None),
    ("at_risk", f"More than a few of them ({AT_RISK_TEE}) chose the Organic Cotton Tee rather than a mug, as Champions did ({CHAMPIONS_TEE}).", None),  # a quantity, no side
    # the product named in part ('the Regency cakestand' of 'REGENCY CAKESTAND 3 TIER'): the cited share still holds 'most' to itself
    ("dormant", f"Most of them bought the cotton tee ({DORMANT_TEE}).", "claim_contradicts_fact"),
    ("champions", f"Most of them bought the cotton tee ({CHAMPIONS_TEE}).", None),
])
def test_claims_about_products_are_held_to_their_facts(shop_facts, segment, text, code):
    found = _persona_problems(shop_facts, segment, text)
    assert [c for c, _ in found] == ([code] if code else []), found


def test_a_family_figure_beside_a_product_points_at_the_products_own(shop_facts):
    found = _persona_problems(shop_facts, "loyal", "The Everyday Canvas Tote is bought by {segmentations.rfm.segments.loyal.product_families.canvas.buyers_share} of them.")
    assert "cite the product's own, {segmentations.rfm.segments.loyal.products.everyday-canvas-tote.buyers_share}" in found[0][1]
    found = _persona_problems(shop_facts, "new", "Those who started with the Everyday Canvas Tote came back at {data.products.families.canvas.back_within_period_rate}.")
    assert "{data.products.first_purchase.everyday-canvas-tote.back_within_period_rate}" in found[0][1] and "Canvas family" in found[0][1]


def test_hints_name_the_product_and_segment_spoken_of(shop_facts):
    """A hint to cite a fact points at the product the sentence names and the segment it speaks
    of: not at the product whose figure was cited, nor at another segment's or another product's
    equal figure."""
    beanie = "{segmentations.rfm.segments.at_risk.products.wool-beanie.buyers_share}"
    found = _persona_problems(shop_facts, "at_risk", "Lead with the Wool Beanie ({segmentations.rfm.segments.champions.products.everyday-canvas-tote.buyers_share}).")
    assert sorted(c for c, _ in found) == ["fact_of_other_segment", "product_fact_mismatch"]
    assert all(beanie in m for _, m in found), found  # At Risk's beanie, in both
    found = _persona_problems(shop_facts, "at_risk", "Champions love the Wool Beanie ({segmentations.rfm.segments.champions.products.everyday-canvas-tote.buyers_share}).")
    assert [c for c, _ in found] == ["product_fact_mismatch"] and "{segmentations.rfm.segments.champions.products.wool-beanie.buyers_share}" in found[0][1]
    found = _persona_problems(shop_facts, "new", "Lead with the Wool Beanie, which {data.products.top.stoneware-mug.buyers_share} of all customers bought.")
    assert [c for c, _ in found] == ["product_fact_mismatch"] and "{data.products.top.wool-beanie.buyers_share}" in found[0][1]
    found = _persona_problems(shop_facts, "at_risk", "Most of them buy the Stoneware Mug.")
    assert "{segmentations.rfm.segments.at_risk.products.stoneware-mug.buyers_share}" in found[0][1]
    # 31.6%: At Risk's share for the mug, the coffee and the Canvas family alike
    found = _persona_problems(shop_facts, "at_risk", "Lead with the Stoneware Mug: 31.6% of them bought it.")
    assert [c for c, _ in found] == ["figure_in_text"] and "{segmentations.rfm.segments.at_risk.products.stoneware-mug.buyers_share}" in found[0][1], found


def test_a_hunch_about_a_product_the_facts_hold_is_not_untestable(shop_facts):
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["hypotheses"] = [{"hunch": "My best customers mostly buy the stoneware mug", "verdict": "cannot be tested with this data", "evidence": "The export does not say which products each segment bought."}]
    found = [p for p in validate(doc, shop_facts) if p.path.startswith("hypotheses[0]")]
    assert [p.code for p in found] == ["claim_contradicts_fact"] and "{data.products.top.stoneware-mug.buyers_share}" in found[0].message
    doc["hypotheses"][0].update(verdict="does not hold", evidence=f"{CHAMPIONS_TEE} of the Champions bought the Organic Cotton Tee, more than any other product.")
    assert [p for p in validate(doc, shop_facts) if p.path.startswith("hypotheses[0]")] == []


FAMILY_NAMES = ["Palm Legging", "Omni Leggings", "Aurora Legging", "Biker Short Black", "Biker Short Grey", "Leila Pullover", "Leila Pants"]


def test_product_families_match_a_recount(cli, tmp_path):
    """A hunch about a kind of product ('leggings first') needs every legging together: a word at
    least two product names share, plurals aside; words that always come together are one."""
    from custseg.compute.products import families

    names = np.array(sorted(FAMILY_NAMES), dtype=object)
    found = families(names, np.ones(len(names), dtype=bool))
    assert {k: sorted(names[i] for i in v) for k, v in found.items()} == {
        "Legging": ["Aurora Legging", "Omni Leggings", "Palm Legging"],  # named as most names spell it
        "Biker Short": ["Biker Short Black", "Biker Short Grey"],
        "Leila": ["Leila Pants", "Leila Pullover"],
    }
    assert list(families(np.array(["Canvas Tote", "Canvas Cap"], dtype=object), np.ones(2, dtype=bool))) == ["Canvas"]  # no plural to fold
    rng = np.random.default_rng(11)
    rows = []
    for c in range(240):
        for k, day in enumerate(sorted(set(rng.integers(0, 400, size=int(rng.integers(1, 4)))))):
            rows += [(f"C{c:03d}", f"O{c:03d}-{k}", int(day), 20.0, str(n)) for n in rng.choice(FAMILY_NAMES, size=int(rng.integers(1, 3)), replace=False)]
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "day", "amount", "description"])
    frame["date"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("day"), unit="D")).dt.strftime("%Y-%m-%d")
    facts, ids = _run(cli, tmp_path, frame)
    got = {f["key"]: f for f in facts["data"]["products"]["families"]}
    legging = frame[frame["description"].str.contains("Legging")]
    assert got["legging"]["buyers"] == legging["customer_id"].nunique() and got["legging"]["products"] == 3
    assert got["biker-short"]["name"] == "Biker Short"
    seg = legging.merge(ids, left_on="customer_id", right_on="source_id", suffixes=("_raw", "")).groupby("segment")["customer_id"].nunique()
    for key, s in facts["segmentations"]["rfm"]["segments"].items():
        if s["count"]:
            cell = next(f for f in s["product_families"] if f["key"] == "legging")
            assert cell["buyers"] == seg.get(key, 0)
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["hypotheses"] = [{"hunch": "People who buy leggings first come back more", "verdict": "cannot be tested with this data", "evidence": "No categories in the export."}]
    found = [p for p in validate(doc, facts) if p.path == "hypotheses[0].verdict"]
    assert found and "{data.products.families.legging.back_within_period_rate}" in found[0].message
    # a come-back hunch whose rate is null for this data cannot be settled: 'cannot be tested' stands
    # (a four-month shop's maxi-dress hunch was pushed to 'partly holds', its rate null)
    assert got["legging"]["back_within_period_rate"] is not None
    got["legging"]["back_within_period_rate"] = None
    assert [p for p in validate(doc, facts) if p.path == "hypotheses[0].verdict"] == []
    doc["hypotheses"][0]["hunch"] = "Most of our best customers buy leggings"  # a share the facts hold: still refused
    assert [p for p in validate(doc, facts) if p.path == "hypotheses[0].verdict"]


def test_a_plural_is_one_product_and_a_family_counts_its_rare_members():
    """A trial's 'Leila Pant' and 'Leila Pants' were two products; its 'Bra' family held 15 of
    the export's 24 bra-top names, leaving out those bought by fewer than five."""
    from custseg.compute.products import families

    assert one_spelling(["Leila Pant - S", "Leila Pants - M", "Leila Pants - L"], np.array([1, 2, 2]), True) == ["Leila Pants"] * 3
    names = np.array(["Lotus Bra Top", "Omni Bra Top", "Varsity Bra"], dtype=object)
    found = families(names, np.array([True, True, False]))  # the third bought by fewer than five
    assert found["Bra"] == [0, 1, 2] and found["Top"] == [0, 1]
    assert "Varsity" not in " ".join(found)  # a word only a rare product holds names no family


def _many_families(n_families: int = 40, top_buyers: int = 50) -> pd.DataFrame:
    """Family i ('Fam<letters> One' and '... Two', one and two being no family words) bought by
    ``top_buyers - i`` customers, each once, on their first day: buyers falling by one per family."""
    rows = []
    customer = 0
    for i in range(n_families):
        word = "Fam" + "abcdefghijklmnopqrstuvwxyz"[i // 26] + "abcdefghijklmnopqrstuvwxyz"[i % 26]
        for k in range(top_buyers - i):
            customer += 1
            rows.append((f"C{customer:05d}", f"O{customer:05d}", customer * 7 % 400, 20.0, f"{word} {'One' if k % 2 else 'Two'}"))
    frame = pd.DataFrame(rows, columns=["customer_id", "invoice_no", "day", "amount", "description"])
    frame["date"] = (pd.Timestamp("2024-01-01") + pd.to_timedelta(frame.pop("day"), unit="D")).dt.strftime("%Y-%m-%d")
    return frame


def test_families_past_the_tenth_are_kept_while_enough_bought_them_and_the_rest_named(cli, tmp_path):
    """A trial's hunch named jackets, the 35th of 181 families, which facts cut at ten: the brief
    then said a kind of product with no family had one product named. Families past the tenth are
    kept up to 30 while 20 or more bought them; the rest are named without figures."""
    import jsonschema

    from custseg.build.facts_schema import facts_json_schema
    from custseg.compute.products import kept_families
    from custseg.render.briefs import render_brief

    assert kept_families([50 - i for i in range(40)]) == 30  # 50 down to 21 buyers: thirty of twenty or more
    assert kept_families([25, 24, 23, 19, 18, 17, 16, 15, 14, 13, 12, 11]) == 10  # the ten first, however few
    assert kept_families([30] * 5) == 5
    facts, _ = _run(cli, tmp_path, _many_families())
    jsonschema.Draft202012Validator(facts_json_schema()).validate(facts)
    data = facts["data"]["products"]
    buyers = [f["buyers"] for f in data["families"]]
    assert len(buyers) == 30 and buyers == sorted(buyers, reverse=True) and min(buyers) >= 20
    assert data["families_found"] == 40 and data["families_left_out"] == [f"Famb{c}" for c in "efghijklmn"]  # 19 buyers down to 10
    assert all(len(s.get("product_families") or []) == 30 for s in facts["segmentations"]["rfm"]["segments"].values() if s["count"])
    brief = render_brief("segments", facts)
    assert "The table holds 30 of the 40 families found" in brief and "Fambe, Fambf" in brief
    assert "only one of its products named" not in brief
    # a small catalogue keeps its ten families however few bought them, and names the rest
    facts, _ = _run(cli, tmp_path, _many_families(12, 25), "small")
    data = facts["data"]["products"]
    assert len(data["families"]) == 10 and data["families_left_out"] == ["Famak", "Famal"] and data["families_found"] == 12


def test_first_purchases_past_the_tenth_are_kept_where_their_rate_is_measured(cli, tmp_path):
    """The ten most frequent first purchases, and after them, up to 30, those whose come-back
    rate is measured (20 or more started with them a period before the as-of date)."""
    facts, _ = _run(cli, tmp_path, _many_families(40, 80))
    first = facts["data"]["products"]["first_purchase"]
    assert len(first) == 30 and all(p["back_within_period_rate"] is not None for p in first)
    assert [p["starters"] for p in first] == sorted((p["starters"] for p in first), reverse=True)
    facts, _ = _run(cli, tmp_path, _many_families(), "fewer")
    first = facts["data"]["products"]["first_purchase"]
    assert 10 < len(first) < 30 and all(p["starters_before_cutoff"] >= 20 for p in first[10:])
    assert any(p["starters_before_cutoff"] < 20 for p in first[:10])  # the ten first, measured or not


CANVAS_RATE = "{data.products.families.canvas.back_within_period_rate}"
WAXED_RATE = "{data.products.families.waxed.back_within_period_rate}"


@pytest.mark.parametrize(("text", "refused", "hint"), [
    # a trial's 'Jacket starters in the Greyson family came back at {...greyson...}': another family's buyers
    (f"Waxed starters in the Canvas family came back at {CANVAS_RATE}.", True, f"cite the Waxed family's own figure, {WAXED_RATE}"),
    (f"Customers who started with a waxed piece came back at {CANVAS_RATE}.", True, WAXED_RATE),
    ("Waxed buyers are {segmentations.rfm.segments.new.product_families.canvas.buyers_share} of them.", True, "{segmentations.rfm.segments.new.product_families.waxed.buyers_share}"),
    # a family the facts name without figures
    (f"Jacket starters in the Canvas family came back at {CANVAS_RATE}.", True, "the facts name the Jacket family without figures"),
    # the family's own buyers, or both families cited
    (f"Canvas starters came back at {CANVAS_RATE}.", False, None),
    (f"Canvas starters came back at {CANVAS_RATE}, waxed starters at {WAXED_RATE}.", False, None),
    (f"Canvas pieces as a whole bring back {CANVAS_RATE} of those who start with one, the waxed range included.", False, None),
    ("Canvas was bought across waxed and plain pieces alike, by {data.products.families.canvas.buyers_share} of customers.", False, None),
])
def test_a_familys_figure_is_not_said_of_another_kind_of_product(shop_facts, text, refused, hint):
    import copy

    facts = copy.deepcopy(shop_facts)
    assert {f["key"] for f in facts["data"]["products"]["families"]} == {"canvas", "waxed"}
    facts["data"]["products"]["families_left_out"] = ["Jacket"]
    found = _persona_problems(facts, "new", text)
    assert [c for c, _ in found] == (["product_fact_mismatch"] if refused else []), found
    if hint:
        assert hint in found[0][1], found[0][1]
