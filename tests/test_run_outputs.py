"""segment run writes everything a marketer takes away, on every bundled example."""

from __future__ import annotations

import json
from unittest import mock

import openpyxl
import pandas as pd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES

EXAMPLE_FILES = ["shopify_orders_export.csv", "stripe_unified_payments.csv", "product_events.jsonl", "crm_customers.csv", "european_orders.csv"]


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_run_writes_every_deliverable(cli, tmp_path, name):
    out = tmp_path / "out"
    res = cli("run", EXAMPLES / name, "--out", out)
    assert res.code == 0, res.err
    for required in ("facts.json", "customers.csv", "report.md", "report.html", "segments.xlsx", "segment.key"):
        assert (out / required).is_file(), required
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert "segments.png" in charts and "distributions.png" in charts
    exports = sorted(p.name for p in (out / "exports").glob("*.csv"))
    assert exports == ["hubspot.csv", "klaviyo.csv", "mailchimp.csv", "segments_generic.csv"]
    facts = json.loads((out / "facts.json").read_text())
    customers = pd.read_csv(out / "customers.csv")
    ex = facts["exports"]
    # Every customer (and each person whose every payment failed, listed on their own) is
    # accounted for in each email file: written or left out with a reason.
    never_paid = (facts["data"].get("failed_payments") or {}).get("never_paid_customers", 0)
    for file in ("klaviyo.csv", "hubspot.csv", "mailchimp.csv"):
        left = sum(ex["left_out_no_email"].values()) + sum(ex["left_out_no_consent"].values())
        assert ex["rows_written"][file] + left == len(customers) + never_paid, file
    assert "@" not in json.dumps(ex)
    generic = pd.read_csv(out / "exports" / "segments_generic.csv", encoding="utf-8-sig")
    listed_apart = generic["segment"] == "payment_failed"
    assert int(listed_apart.sum()) == never_paid
    assert set(generic.loc[~listed_apart, "customer_id"]) == set(customers["customer_id"])
    book = openpyxl.load_workbook(out / "segments.xlsx", read_only=True)
    assert book.sheetnames[0] == "Summary"
    assert "Wrote to" in res.out and not list(tmp_path.glob(".segment-*"))


def test_consent_is_respected_and_counted(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out).code == 0
    facts = json.loads((out / "facts.json").read_text())
    no_consent = sum(facts["exports"]["left_out_no_consent"].values())
    assert no_consent > 0
    klaviyo = pd.read_csv(out / "exports" / "klaviyo.csv", encoding="utf-8-sig")
    everyone = tmp_path / "all"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", everyone, "--include-unconsented").code == 0
    klaviyo_all = pd.read_csv(everyone / "exports" / "klaviyo.csv", encoding="utf-8-sig")
    assert len(klaviyo_all) == len(klaviyo) + no_consent


def test_no_charts_option(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--no-charts").code == 0
    assert not (out / "charts").exists() or not list((out / "charts").glob("*.png"))
    assert (out / "report.md").is_file()


def test_split_writes_one_file_per_segment(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "european_orders.csv", "--out", out, "--split").code == 0
    facts = json.loads((out / "facts.json").read_text())
    per_segment = sorted(p.name for p in (out / "exports").glob("klaviyo_*.csv"))
    occupied = [k for k, s in facts["segmentations"]["rfm"]["segments"].items() if s["count"]]
    assert per_segment == sorted(f"klaviyo_{k}.csv" for k in occupied)
    rows = sum(len(pd.read_csv(out / "exports" / f, encoding="utf-8-sig")) for f in per_segment)
    assert rows == facts["exports"]["rows_written"]["klaviyo.csv"]


def _customer_frames():
    from hypothesis import strategies as st
    from hypothesis.extra.pandas import column, data_frames

    text = st.one_of(st.none(), st.sampled_from(["Champions", 'say "hi"', "a,b", "line\nbreak", "", "é ünïcode", "=SUM(A1)"]))
    return data_frames(
        [
            column("customer_id", elements=st.text(alphabet="abc0123_", min_size=1, max_size=6)),
            column("segment", elements=text),
            column("orders", elements=st.integers(min_value=-5, max_value=10**12)),
            column("score", elements=st.integers(min_value=1, max_value=5), dtype=np.int8),
            column("monetary_total", elements=st.one_of(st.floats(allow_nan=True, allow_infinity=False, width=64), st.sampled_from([0.1, 22.0, -0.0, 1e21]))),
            column("reason", elements=text),
        ]
    )


@settings(max_examples=120, deadline=None)
@given(frame=_customer_frames(), categorical=st.booleans(), coded=st.booleans(), days=st.lists(st.integers(min_value=0, max_value=40_000), min_size=1))
def test_customers_csv_has_the_bytes_arrow_writes(tmp_path_factory, frame, categorical, coded, days):
    """customers.csv is built column by column (a value formatted once, taken per row) and is
    byte for byte what pyarrow's CSV writer makes of the same frame: quoting, missing values,
    floats, dates and categorical labels included."""
    import pyarrow as pa

    from custseg.render import tables

    frame = frame.copy()
    frame["last_purchase"] = pd.array(pa.array([days[i % len(days)] for i in range(len(frame))], type=pa.int32()).cast(pa.date32()), dtype=pd.ArrowDtype(pa.date32()))
    if categorical:
        for name in ("segment", "reason", "score"):
            frame[name] = frame[name].astype("category")
    else:
        frame["customer_id"] = frame["customer_id"].astype(pd.StringDtype("pyarrow"))
    folder = tmp_path_factory.mktemp("csv")
    one_way = lambda values: not coded  # noqa: E731 - both ways for every column, text and amounts
    with mock.patch.object(tables, "many_distinct", one_way), mock.patch.object(tables, "_mostly_unique", one_way), mock.patch.object(tables, "CHUNK", 3):  # lines three at a time
        tables.write_csv(frame, str(folder / "new.csv"))
    tables._write_with_arrow(frame, str(folder / "arrow.csv"))
    assert (folder / "new.csv").read_bytes() == (folder / "arrow.csv").read_bytes()


def test_a_base_mostly_opted_out_is_a_run_warning(cli, tmp_path):
    """When opted-out customers outnumber those the email tools may reach, the run says so up
    front (an email-led plan would reach the few), with how many the files hold."""
    orders = pd.read_csv(EXAMPLES / "shopify_orders_export.csv", dtype=str, keep_default_na=False)
    orders["Accepts Marketing"] = np.where(orders["Name"].str[-1].isin(list("0123")), orders["Accepts Marketing"], "no")
    path = tmp_path / "orders_export.csv"
    orders.to_csv(path, index=False)
    for source, expect in ((EXAMPLES / "shopify_orders_export.csv", False), (path, True)):
        out = tmp_path / f"out_{expect}"
        assert cli("run", source, "--out", out, "--no-charts").code == 0
        facts = json.loads((out / "facts.json").read_text())
        exports = facts["exports"]
        reachable = exports["rows_written"]["klaviyo.csv"]
        warned = [w for w in facts["warnings"] if "opted out of marketing" in w]
        assert bool(warned) == expect
        if expect:
            assert f"hold only {reachable:,} of the {exports['customers']:,} people the CRM files list" in warned[0]
            from custseg.strategy.validate import ANSWERABLE

            assert ANSWERABLE["opted_out"].search(warned[0])  # the user's answer to it can be recorded
            assert "must not be emailed or uploaded to ad audiences" in warned[0]  # no channel that uses their details
            assert sum(exports["left_out_no_consent"].values()) > reachable
            # the strategy brief gives each segment's email reach; they add up to the files' rows
            from custseg.render.briefs import render_brief

            reach = render_brief("strategy", facts).split("## Who email can reach", 1)[1].split("\n\n")[1]
            counts = [int(part.rsplit(" of ", 1)[0].rsplit(" ", 1)[1].replace(",", "")) for part in reach.split(": ", 1)[1].split(". Where")[0].split("; ")]
            assert sum(counts) == reachable
            intake = render_brief("intake", facts)  # its defaults stop assuming email
            who = "customers" if exports["customers"] == facts["data"]["customers"] else "people the CRM files list"
            assert f"email reaches only {reachable:,} of the {exports['customers']:,} {who}" in intake and "Default: an email platform" not in intake
            # rows and orders are told apart (a line-item export drops several rows per order)
            d = facts["data"]
            assert f"unpaid {d['dropped']['unpaid']:,} rows ({d['dropped_orders']['unpaid']:,} orders)" in intake
