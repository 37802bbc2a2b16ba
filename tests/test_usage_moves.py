"""Usage groups (an event log's behavioral segments) get what RFM segments have: migration
between the two dates and a check against the next period, recomputed here from the raw log."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

EVENTS = Path(__file__).resolve().parent.parent / "examples" / "product_events.jsonl"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from custseg.cli.main import main

    out = tmp_path_factory.mktemp("usage") / "out"
    assert main(["run", str(EVENTS), "--out", str(out), "--no-charts"]) == 0
    return json.loads((out / "facts.json").read_text()), (out / "report.md").read_text()


def _group(active_days: int) -> str:
    return "power" if active_days >= 12 else "regular" if active_days >= 4 else "occasional" if active_days >= 1 else "inactive"


def test_usage_groups_are_checked_against_the_next_period(run):
    facts, md = run
    seg = facts["segmentations"]["behavioral"]
    val, mig = seg["validation"], seg["migration"]
    cutoff = pd.Timestamp(val["cutoff"])
    end = cutoff + pd.Timedelta(days=val["window_days"])
    log = pd.read_json(EVENTS, lines=True)
    log = log[~log["event"].isin(facts["data"]["not_activity_events"])]
    log["day"] = pd.to_datetime(log["timestamp"]).dt.tz_convert(None).dt.normalize()
    before = log[log["day"] <= cutoff]
    window = before[before["day"] > cutoff - pd.Timedelta(days=30)]
    active = window.groupby("userId")["day"].nunique()
    users = pd.Index(before["userId"].unique())
    group = pd.Series([_group(int(active.get(u, 0))) for u in users], index=users)
    again = set(log[(log["day"] > cutoff) & (log["day"] <= end)]["userId"])
    assert mig["customers_in_both"] == val["segments"][0]["customers"] + sum(r["customers"] for r in val["segments"][1:]) == len(users)
    for row in val["segments"]:
        members = group[group == row["segment"]].index
        assert row["customers"] == len(members)
        assert row["repeat_rate"] == pytest.approx(sum(u in again for u in members) / len(members), abs=1e-6)
        assert seg["segments"][row["segment"]]["next_repeat_rate"] == row["repeat_rate"]
    assert sum(sum(r.values()) for r in mig["matrix"].values()) == mig["customers_in_both"]
    assert {(w["from_segment"], w["to_segment"]) for w in mig["watch"]} >= {("regular", "inactive"), ("regular", "power")}
    assert "How users moved between the groups" in md and "| Group on " in md
