"""The holdout: a stable tenth of customers, chosen by chance from their pseudonymous ids,
that the CRM files mark and the next-period check reports apart (compute/holdout.py)."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from custseg.compute.analysis import holdout_split
from custseg.compute.holdout import HOLDOUT_BELOW, HOLDOUT_SHARE, held_out, holdout_marks
from custseg.ingest.privacy import pseudonymize_column

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KEY = "abcdefghijklmnop"


def test_the_holdout_is_a_tenth_of_ids_by_their_hash():
    ids = pd.Series(pseudonymize_column(pd.Series([f"customer{i}@x.example" for i in range(50_000)]), KEY))
    held = held_out(ids)
    assert abs(held.mean() - HOLDOUT_SHARE) < 0.01
    assert int(HOLDOUT_BELOW[2:], 16) == 2**64 // 10
    # the same answer whatever the ids' container or order
    assert (held_out(ids.astype(object)) == held).all()
    shuffled = ids.sample(frac=1, random_state=7)
    assert (held_out(shuffled) == held[shuffled.index.to_numpy()]).all()
    # another key: other customers held out
    other = held_out(pd.Series(pseudonymize_column(pd.Series([f"customer{i}@x.example" for i in range(50_000)]), "ponmlkjihgfedcba")))
    assert (other != held).any()


def test_ids_not_made_by_this_tool_mark_nobody():
    assert holdout_marks(pd.Series(["c_1", "c_2"])) is None  # hand-made: their order says nothing of chance
    assert holdout_marks(pd.Series([], dtype=object)) is None
    marks = holdout_marks(pd.Series(["c_0000000000000000", "c_ffffffffffffffff", None], dtype=object))
    assert marks.tolist() == [True, False, False]


def test_holdout_split_counts_rates_and_the_chance_gap():
    bought = np.array([True] * 3 + [False] * 7 + [True] * 20 + [False] * 70)
    held = np.array([True] * 10 + [False] * 90)
    split = holdout_split(bought, held)
    assert split["held_out_customers"] == 10
    assert split["held_out_repeat_rate"] == 0.3 and split["others_repeat_rate"] == pytest.approx(20 / 90, abs=1e-6)
    pooled = 23 / 100
    assert split["chance_gap"] == pytest.approx(1.96 * math.sqrt(pooled * (1 - pooled) * (1 / 10 + 1 / 90)), abs=1e-6)
    nobody = holdout_split(bought, np.zeros(100, dtype=bool))
    assert nobody["held_out_customers"] == 0 and nobody["held_out_repeat_rate"] is None and nobody["chance_gap"] is None


def _run(cli, out: Path, *extra: str) -> dict:
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts", *extra).code == 0
    return json.loads((out / "facts.json").read_text(encoding="utf-8"))


def test_a_run_marks_the_same_customers_everywhere_and_checks_them_apart(cli, tmp_path):
    facts = _run(cli, tmp_path / "a")
    customers = pd.read_csv(tmp_path / "a" / "customers.csv")
    held = dict(zip(customers["customer_id"], customers["holdout"]))
    assert customers["holdout"].dtype == bool and 0.05 < customers["holdout"].mean() < 0.15
    assert all(held[c] == held_out(pd.Series([c]))[0] for c in customers["customer_id"])
    with open(tmp_path / "a" / "exports" / "segments_generic.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert all(held[r["customer_id"]] == (r["holdout"] == "true") for r in rows)
    assert facts["exports"]["held_out"] == int(customers["holdout"].sum())
    by_segment = facts["exports"]["held_out_by_segment"]
    assert set(by_segment) == set(customers["segment"])
    assert all(n == int((customers["holdout"] & customers["segment"].eq(k)).sum()) for k, n in by_segment.items())
    # the next-period check: the held-out customers at the cutoff and the rest add up to everyone checked
    val = facts["segmentations"]["rfm"]["validation"]
    total = sum(r["customers"] for r in val["segments"])
    held_n = val["holdout"]["held_out_customers"]
    assert held_n == sum(r["held_out_customers"] for r in val["segments"]) and 0 < held_n < total
    mixed = (held_n * val["holdout"]["held_out_repeat_rate"] + (total - held_n) * val["holdout"]["others_repeat_rate"]) / total
    assert mixed == pytest.approx(val["base_repeat_rate"], abs=1e-5)
    # the report says who is held out and compares their rate, with the chance gap
    report = (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
    from custseg.render.report import fmt_pct

    share = facts["exports"]["held_out_share"]
    assert share == pytest.approx(facts["exports"]["held_out"] / len(customers), abs=1e-6)
    assert f"**Holdout:** {facts['exports']['held_out']:,} customers ({fmt_pct(share)} of the customers in segments)" in report
    assert "aiming at one in ten in each segment (the target, not the count)" in report
    assert f"Held out (those the CRM files mark Holdout): {held_n:,} of these customers, the ones segmented at the cutoff (the CRM files mark today's segments" in report
    assert held_n <= facts["exports"]["held_out"], "today's segments hold everyone segmented at the cutoff"
    assert "nineteen times in twenty" in report


def test_the_same_key_holds_out_the_same_customers(cli, tmp_path):
    _run(cli, tmp_path / "a")
    _run(cli, tmp_path / "b", "--key", str(tmp_path / "a" / "segment.key"))
    a = pd.read_csv(tmp_path / "a" / "customers.csv").set_index("customer_id")["holdout"]
    b = pd.read_csv(tmp_path / "b" / "customers.csv").set_index("customer_id")["holdout"]
    assert a.index.equals(b.index) and (a == b).all()


def test_the_operationalize_brief_asks_campaigns_to_leave_the_holdout_out(cli, tmp_path):
    facts = _run(cli, tmp_path / "a")
    res = cli("brief", "operationalize", "--facts", tmp_path / "a" / "facts.json")
    assert res.code == 0
    assert f"The CRM files mark {facts['exports']['held_out']:,} customers Holdout (`{{exports.held_out}}`" in res.out
    assert "never present a baseline rate as what a campaign will achieve" in res.out
