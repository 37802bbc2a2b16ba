"""An event log's report and briefs say what each figure counts (found by a skill trial).

Its RFM and value segments count only the users who bought (``segmentations.<kind>.customers``)
while ``data.customers`` counts every user: their shares are said to be of the buyers, and
how many never bought is stated. Its lifecycle, health and behavioral segments count activity
(``basis: "activity"``): their tables speak of days since last active and of coming back, not
of purchases, repeat buying or spend. The behavioral bands are spelled out, and the segments
brief offers a plan on them instead of RFM. Data without amounts says so in the Currency row.

Each assertion on wording failed on the reports' earlier wording; test_purchase_data_keeps_its_words
is the guard that a store's export keeps its own.
"""

from __future__ import annotations

import json
import re

import pytest

from custseg.cli.main import main
from custseg.render.briefs import render_brief
from custseg.render.report import fmt_count, fmt_pct, trend_counts
from tests.conftest import EXAMPLES
from tests.test_report import html_text, section

ACTIVITY_SECTIONS = ("### Lifecycle stages", "### Health bands", "### Behavioral segments")


def _run(src, out) -> dict:
    assert main(["run", str(src), "--out", str(out)]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    return {
        "facts": facts,
        "md": (out / "report.md").read_text(encoding="utf-8"),
        "html": html_text((out / "report.html").read_text(encoding="utf-8")),
        "briefs": {p: render_brief(p, facts) for p in ("intake", "segments", "strategy", "operationalize")},
    }


@pytest.fixture(scope="module")
def events(tmp_path_factory) -> dict:
    """The bundled product event log: 1,500 users, of whom 393 bought (with amounts)."""
    return _run(EXAMPLES / "product_events.jsonl", tmp_path_factory.mktemp("events") / "out")


@pytest.fixture(scope="module")
def no_amounts(tmp_path_factory) -> dict:
    """The same log with every revenue property removed: purchases without amounts."""
    base = tmp_path_factory.mktemp("events_no_amounts")
    src = base / "events_no_revenue.jsonl"
    with open(EXAMPLES / "product_events.jsonl", encoding="utf-8") as fin, open(src, "w", encoding="utf-8") as fout:
        for line in fin:
            event = json.loads(line)
            for key in ("revenue", "amount", "price", "value", "total", "currency"):
                (event.get("properties") or {}).pop(key, None)
            fout.write(json.dumps(event) + "\n")
    return _run(src, base / "out")


def _counts(facts: dict) -> tuple[int, int, int]:
    everyone = facts["data"]["customers"]
    buyers = facts["segmentations"]["rfm"]["customers"]
    assert buyers < everyone, "the example log needs users who never bought"
    return everyone, buyers, everyone - buyers


# -- 1. shares of the buyers, and how many never bought ---------------------------------------


def test_report_says_rfm_shares_are_of_the_buyers(events):
    facts, md = events["facts"], events["md"]
    everyone, buyers, never = _counts(facts)
    rfm = facts["segmentations"]["rfm"]
    best = rfm["segments"][rfm["order"][0]]
    short = section(md, "## In short")
    assert f"**{best['name']}**: {fmt_count(best['count'])} customers ({fmt_pct(best['pct_customers'])} of the {fmt_count(buyers)} customers who bought)" in short
    assert " of all)" not in short
    assert f"**Never bought**: {fmt_count(never)} of the {fmt_count(everyone)} customers in the data have no purchase, so they are in no RFM segment" in short
    data = section(md, "## The data we used")
    assert f"| Customers who bought (in the RFM segments) | {fmt_count(buyers)} |" in data
    assert f"| Customers who never bought (in no RFM segment) | {fmt_count(never)} |" in data
    assert f"| Customers who bought on one day only | {fmt_pct(facts['data']['one_time_share'])} of the {fmt_count(buyers)} who bought |" in data
    glance = section(md, "## RFM segments at a glance")
    assert "| Segment | Count | % of buyers | Revenue Share |" in glance and "% of Total" not in glance
    profiles = section(md, "## Segment profiles")
    assert "of all customers" not in profiles
    assert f"**{fmt_count(best['count'])} customers** ({fmt_pct(best['pct_customers'])} of the {fmt_count(buyers)} customers who bought)" in profiles
    # value tiers count the buyers too; the lifecycle stages count everyone
    assert "| Segment | Rule | Count | % of buyers | Revenue Share |" in section(md, "### Value tiers")
    assert "| Segment | Rule | Count | % of Total | Median days since last active |" in section(md, "### Lifecycle stages")
    assert "![RFM segments: share of buyers vs share of revenue" in md


def test_report_html_says_the_same(events):
    text = events["html"]
    _, buyers, never = _counts(events["facts"])
    assert f"Customers who never bought (in no RFM segment) {fmt_count(never)}" in text
    assert f"of the {fmt_count(buyers)} customers who bought" in text
    assert "of all customers" not in text and " of buyers " in text


def test_intake_brief_counts_buyers_and_those_who_never_bought(events):
    facts = events["facts"]
    everyone, buyers, never = _counts(facts)
    intake = events["briefs"]["intake"]
    assert f"- Customers: **{fmt_count(everyone)}**: {fmt_count(buyers)} bought (had a purchase event) and {fmt_count(never)} never bought." in intake
    assert f"count only the {fmt_count(buyers)} who bought, and their shares are of them" in intake
    assert f"- Customers who bought on one day only: {fmt_pct(facts['data']['one_time_share'])} of the {fmt_count(buyers)} who bought." in intake


def test_segments_and_strategy_briefs_say_shares_are_of_buyers(events):
    everyone, buyers, never = _counts(events["facts"])
    segments = events["briefs"]["segments"]
    assert "| Segment (key) | Rule | Customers | % of buyers |" in segments
    assert f"Shares are of the {fmt_count(buyers)} customers who bought: the other {fmt_count(never)} of the {fmt_count(everyone)} customers in the data never bought" in segments
    assert f"Shares (`pct_customers`) are of the {fmt_count(buyers)} customers who bought" in events["briefs"]["strategy"]
    assert 'Say "a growing share of your buyers", not "more buyers"' in segments


def test_trends_and_the_workbook_say_whose_shares_they_are(events, tmp_path):
    """The RFM trends compare shares of buyers, the activity segmentations' shares
    of every user; the workbook's summary column says the same."""
    import openpyxl

    segs = events["facts"]["segmentations"]
    assert segs["rfm"]["trend_basis"].startswith("share of buyers at the as-of date")
    assert segs["lifecycle"]["trend_basis"].startswith("share of customers at the as-of date")
    out = tmp_path / "out"
    assert main(["run", str(EXAMPLES / "product_events.jsonl"), "--out", str(out), "--no-charts"]) == 0
    sheet = openpyxl.load_workbook(out / "segments.xlsx", read_only=True).worksheets[0]
    headers = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str) and c.startswith("% of")]
    assert "% of buyers" in headers and "% of customers" not in headers


# -- 2. activity, not purchases ----------------------------------------------------------------


@pytest.mark.parametrize("heading", ACTIVITY_SECTIONS)
def test_activity_segmentations_are_not_labelled_as_purchases(events, heading):
    part = section(events["md"], heading)
    assert "| Median days since last active | Active on more than one day |" in part
    table = part[part.index("| Segment | Rule |") :]  # the method's reason may name what the data lacks (spend_trend)
    for purchase_words in ("since last purchase", "Repeat rate", "Revenue Share", "Spend per customer", "0.00 USD"):
        assert purchase_words not in table, f"{heading}: {purchase_words!r}"
    assert "since the last purchase" not in part and "distinct purchase days" not in part
    assert "active days are days with any event" in part


def test_activity_labels_in_html_and_segments_brief(events):
    assert events["html"].count("Median days since last active") == len(ACTIVITY_SECTIONS)
    segments = events["briefs"]["segments"]
    for kind in ("lifecycle", "health", "behavioral"):
        assert re.search(rf"\*\*{kind}\*\* \([^\n]*; counts activity, not purchases\)", segments), kind


# -- 3. the behavioral bands, and a plan on them ------------------------------------------------


def test_behavioral_bands_in_plain_words(events):
    defn = events["facts"]["segmentations"]["behavioral"]["definition"]
    assert [b["min_days"] for b in defn["bands"]] == [12, 4, 1, 0], "the test reads the bands as they are today"
    part = section(events["md"], "### Behavioral segments")
    assert "| Power Users | 12 or more active days: active most days (several times a week or more) |" in part
    assert "| Regular Users | at least 4 and fewer than 12 active days: about weekly |" in part
    assert "| Inactive | no active day: no activity in 30 days |" in part
    assert "min days" not in part
    segments = events["briefs"]["segments"]
    assert f"by {defn['basis']}:\n- Power Users (`power`): 12 or more active days" in segments
    assert "- Occasional Users (`occasional`): at least 1 and fewer than 4 active days" in segments
    # each group on its own line with its share of users and trend, as the RFM table has them
    beh = events["facts"]["segmentations"]["behavioral"]["segments"]
    lines = [line for line in segments.splitlines() if re.match(r"- .* \(`(power|regular|occasional|inactive)`\): ", line)]
    assert len(lines) == 4
    for line in lines:
        s = beh[re.search(r"\(`(\w+)`\)", line).group(1)]
        assert f"; {fmt_count(s['count'])} users ({fmt_pct(s['pct_customers'])} of users)" in line
        told = f", share {s['trend']} ({fmt_pct(s['trend_change'], True)} relative; {trend_counts(s, 'users')})"
        assert (told in line) == bool(s["trend"]), line


def test_segments_brief_offers_a_plan_on_the_behavioral_segments(events):
    segments = events["briefs"]["segments"]
    assert "the plan can be built on the behavioral segments instead of the RFM ones" in segments
    assert "who are the power users, who is drifting" in segments
    assert '`"segmentation": "behavioral"`' in segments and "reference/strategy-schema.md" in segments
    assert "should the plan rest on the RFM segments (purchases) or the behavioral ones (usage)?" in segments
    assert "`brief.py strategy --segmentation behavioral`" in segments
    strategy = events["briefs"]["strategy"]
    assert "## If the user chose the behavioral segments" in strategy
    assert "`brief.py strategy --segmentation behavioral` lists their facts" in strategy
    assert "run `brief.py operationalize --segmentation behavioral` for their baselines" in events["briefs"]["operationalize"]


def test_briefs_on_the_behavioral_segments_list_them_with_usage_baselines(events, tmp_path):
    """Once the user picks the usage groups, the strategy and operationalize briefs list those
    groups (not the RFM segments) with their bands and activity facts; a strategy.json that
    names the segmentation picks it without the flag."""
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(json.dumps(events["facts"]), encoding="utf-8")
    behavioral = events["facts"]["segmentations"]["behavioral"]
    active = [k for k in behavioral["order"] if behavioral["segments"][k]["count"]]

    def brief(*args: str) -> str:
        from io import StringIO
        from contextlib import redirect_stdout

        out = StringIO()
        with redirect_stdout(out):
            assert main(["brief", *args, "--facts", str(facts_file)]) == 0
        return out.getvalue()

    strategy = brief("strategy", "--segmentation", "behavioral")
    headings = re.findall(r"^### .*\(`(\w+)`\)", strategy, re.MULTILINE)
    assert headings == active
    assert "### Power Users (`power`): 12 or more active days" in strategy
    assert "{segmentations.behavioral.segments.power.active_days_30}" in strategy and "{segmentations.rfm." not in strategy.split("## Rules")[0]
    assert "## These are usage groups" in strategy and "## If the user chose" not in strategy
    assert "`median_recency_days` is the median days since last active, not since a purchase" in strategy
    # usage groups' own words: no migration is measured, the labels are in `behavior`, the
    # live subscriptions are citable, and stale data is far from the last activity, not purchase
    assert "usage groups are scored once, on the last 30 days of activity" in strategy and "large enough to size" not in strategy
    assert "these groups' keys are in segments_generic.csv's `behavior` column" in strategy
    assert "label customers with the computed segment names" not in strategy
    assert "`{data.subscriptions.active_by_behavior.power}`" in strategy
    # email reach is counted by RFM segment only: no reach per usage group to cite, just the no-email route
    assert "exports.reachable_by_segment" not in strategy and "This export holds no emails at all" in strategy
    assert "the group labels (segments_generic.csv's `behavior` column)" in strategy
    assert "\n\n## What each segment's strategy holds" in brief("strategy")  # the RFM brief's reach section ends its paragraph
    if "## The data is" in strategy:
        assert "further from their last activity" in strategy and "from their last purchase" not in strategy
    ops = brief("operationalize", "--segmentation", "behavioral")
    for k in active:
        assert f"`{{segmentations.behavioral.segments.{k}.active_days_30}}` (mean active days in the last 30)" in ops
        assert f"`{{segmentations.behavioral.segments.{k}.days_since_active}}`" in ops
    assert "every Power User was active on at least 12" in ops and "every Loyal customer" not in ops
    # sizes are tracked as shares: counts only rise as sign-ups join
    assert "track the groups' shares of users (`pct_customers`" in ops and "`{segmentations.behavioral.segments.inactive.pct_customers}` (share of users)" in ops
    assert re.findall(r"^  - (.+?): `", ops, re.MULTILINE) == [behavioral["segments"][k]["name"] for k in active]  # one baseline line each
    assert "on the usage groups, whose keys segments_generic.csv carries in its `behavior` column" in ops and "enters at_risk" not in ops  # no emails in this log
    assert "the export held no emails, so the Klaviyo, HubSpot and Mailchimp files are empty" in ops and "left out of the email files" not in ops
    assert "they hold emails" not in ops and "holds emails" not in ops
    # the default is RFM; a strategy.json beside the facts that chose the usage groups picks them
    assert "### Champions (`champions`)" in brief("strategy")
    (tmp_path / "strategy.json").write_text(json.dumps({"segmentation": "behavioral"}), encoding="utf-8")
    assert re.findall(r"^### .*\(`(\w+)`\)", brief("strategy"), re.MULTILINE) == active
    assert main(["brief", "strategy", "--facts", str(facts_file), "--segmentation", "nope"]) == 2


def test_purchase_data_keeps_its_words(tmp_path):
    """A store's export: everyone bought, nothing counts activity, no behavioral offer (a guard:
    these held before and must still hold)."""
    r = _run(EXAMPLES / "european_orders.csv", tmp_path / "out")
    md = r["md"]
    assert "| Segment | Count | % of Total |" in md and "of buyers" not in md and "Never bought" not in md
    assert "| Median days since last purchase | Repeat rate |" in section(md, "### Lifecycle stages") and "since last active" not in md
    assert "| % of customers |" in r["briefs"]["segments"] and "behavioral segments instead" not in r["briefs"]["segments"]
    ops = r["briefs"]["operationalize"]
    assert re.findall(r"^  - (\w[\w ]*): `", ops, re.MULTILINE)[0] == "Champions"  # the first baseline on a line of its own
    assert "when a customer's segment becomes At Risk" in ops and "`behavior` column" not in ops
    assert "they hold emails, so do not open them" in ops and "segments.xlsx (the workbook, holds emails" in ops
    assert "## If the user chose the behavioral segments" not in r["briefs"]["strategy"]


# -- 4. no internal source names --------------------------------------------------------------


def test_no_internal_source_names(events):
    for name, text in [("report.md", events["md"]), ("report.html", events["html"]), *events["briefs"].items()]:
        assert "seeds" not in text.lower(), name


# -- 5 and 6. no amounts --------------------------------------------------------------------------


def test_without_amounts_the_report_says_there_are_none(no_amounts):
    facts, md = no_amounts["facts"], no_amounts["md"]
    assert facts["data"]["revenue_total"] is None
    assert "| Currency | none: the data has no amounts |" in md and "not stated in the data" not in md
    assert "Currency none: the data has no amounts" in no_amounts["html"]
    scoring = section(md, "## How customers were scored")
    assert "Each customer gets a recency and a frequency score" in scoring and "There is no monetary score: the data has no amounts." in scoring
    assert "Rule table: the standard six segments, by recency and frequency." in scoring
    rules = scoring[scoring.index("| Segment | Rule | What it means |") :]
    assert "spend" not in rules


def test_a_plan_on_the_behavioral_segments_names_its_measures_as_activity(events, tmp_path):
    from custseg.render.report import render_report

    facts = events["facts"]
    keys = [k for k in facts["segmentations"]["behavioral"]["order"] if facts["segmentations"]["behavioral"]["segments"][k]["count"]]
    plan = {
        "segmentation": "behavioral",
        "segments": {k: {"persona": f"Users of the {k} band."} for k in keys},
        "kpis": [{"segment": keys[0], "metric": "repeat_rate", "baseline": "as now", "target": 0.5, "review": "monthly"},
                 {"segment": keys[0], "metric": "median_recency_days", "baseline": "as now", "target": 3, "review": "monthly"}],
    }
    render_report(facts, str(tmp_path), strategy=plan)
    kpis = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Measurement framework")
    assert "| share active on more than one day |" in kpis and "| median time since last active |" in kpis
    assert "repeat rate" not in kpis and "since last purchase" not in kpis


def test_the_events_counted_as_purchases_are_named(events):
    """Which events became orders is the first thing an analyst checks on an event log."""
    assert events["facts"]["data"]["purchase_events"] == {"Order Completed": 1171}
    assert "| Events counted as purchases | Order Completed (1,171) |" in events["md"]
    assert "Events counted as purchases Order Completed (1,171)" in events["html"]
    assert "- Events counted as purchases: `Order Completed` (1,171). Name them to the user" in events["briefs"]["intake"]


def test_without_amounts_the_spend_score_is_not_scored_anywhere(no_amounts, tmp_path):
    rfm = no_amounts["facts"]["segmentations"]["rfm"]
    assert rfm["definition"]["monetary"] == "not scored: the data has no amounts"
    assert "none: not scored, the data has no amounts" in no_amounts["md"]
    assert "every customer gets the middle score" not in no_amounts["md"]


def test_every_user_has_the_usage_measures_a_behavioral_plan_triggers_on(events, tmp_path):
    """customers.csv and segments_generic.csv carry active_days_30 and days_since_active for
    every user, buyers or not; they agree with the behavior label; check.py accepts them as
    triggers on an event log and refuses them where there is no activity."""
    import pandas as pd

    from custseg.strategy.validate import allowed_metrics

    out = tmp_path / "out"
    assert main(["run", str(EXAMPLES / "product_events.jsonl"), "--out", str(out), "--no-charts"]) == 0
    customers = pd.read_csv(out / "customers.csv")
    assert customers[["active_days_30", "days_since_active"]].notna().all().all()
    assert len(customers) == events["facts"]["data"]["customers"]
    assert ((customers["behavior"] == "inactive") == (customers["active_days_30"] == 0)).all()
    assert ((customers["behavior"] == "power") == (customers["active_days_30"] >= 12)).all()
    assert (customers["days_since_active"] <= customers["recency_days"].fillna(10**6)).all()  # any event, purchases included
    generic = pd.read_csv(out / "exports" / "segments_generic.csv", encoding="utf-8-sig")
    assert {"active_days_30", "days_since_active"} <= set(generic.columns)
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert {"active_days_30", "days_since_active"} <= set(allowed_metrics(facts, "behavioral"))
    store = dict(facts, segmentations={k: v for k, v in facts["segmentations"].items() if k != "behavioral"})
    assert "active_days_30" not in allowed_metrics(store, "rfm")


def test_an_empty_top_usage_group_is_explained(events):
    """The trial log had no Power Users (12+ active days): the brief asks for one sentence on
    it, like an empty Champions, so 'none' is not read as 'no engaged users'."""
    import copy

    assert "Empty at this date" not in events["briefs"]["segments"]  # the example has power users
    facts = copy.deepcopy(events["facts"])
    facts["segmentations"]["behavioral"]["segments"]["power"]["count"] = 0
    assert "Empty at this date: Power Users. Say so in one sentence with its band" in render_brief("segments", facts)
    strategy = render_brief("strategy", facts)
    assert "and on this event log active_days_30, days_since_active" in strategy
    assert "`segmentations.behavioral.segments.<key>.active_days_30` (mean)" in strategy


def _cancellation_log(path):
    """Twelve steady users, and four who show how cancellations are read (as-of 2024-06-30)."""
    rows = [(f"u{i:02d}", "Logged In", f"2024-{m:02d}-{5 + i:02d} 10:00:00") for i in range(12) for m in (1, 3, 5)]
    rows += [(f"u{i:02d}", "Order Completed", f"2024-0{2 + i % 4}-15 11:00:00") for i in range(12)]
    rows += [("u00", "Feature Used", "2024-06-30 09:00:00")]  # the last day of activity: the as-of date
    rows += [
        ("quitter", "Logged In", "2024-01-10 09:00:00"),
        ("quitter", "Feature Used", "2024-06-01 09:00:00"),
        ("quitter", "Feature Used", "2024-06-10 09:00:00"),
        ("quitter", "Subscription Cancelled", "2024-06-25 09:00:00"),
        ("returner", "Subscription Started", "2024-01-05 09:00:00"),
        ("returner", "Subscription Cancelled", "2024-04-01 09:00:00"),
        ("returner", "Subscription Started", "2024-06-20 09:00:00"),
        ("returner", "Feature Used", "2024-06-20 09:05:00"),
        ("ghost", "Subscription Cancelled", "2024-06-15 09:00:00"),
        ("orders_back", "Logged In", "2024-06-29 09:00:00"),
        ("orders_back", "Order Cancelled", "2024-06-30 08:00:00"),
    ]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("user_id,event,timestamp\n" + "".join(f"{u},{e},{t}\n" for u, e, t in rows))


def test_a_cancellation_is_not_activity_and_ends_the_account(tmp_path):
    """A user's cancellation is not a day of use (it made them "active" and "recent" on the day
    they left) and it ends their account: Churned, health 0. A later restart undoes it; a user
    with only a cancellation stays in the segments; an order cancelled is use, not leaving."""
    from custseg.ingest import pseudonymize, read_key

    src = tmp_path / "events.csv"
    _cancellation_log(src)
    out = tmp_path / "out"
    run = _run(src, out)
    facts = run["facts"]
    assert facts["as_of"] == "2024-06-30"
    assert facts["data"]["not_activity_events"] == {"Subscription Cancelled": 3}
    key = read_key(str(out / "segment.key"))
    customers = __import__("pandas").read_csv(out / "customers.csv").set_index("customer_id")
    row = {u: customers.loc[pseudonymize([f"i:{u}"], key)[0]] for u in ("quitter", "returner", "ghost", "orders_back", "u01")}
    quitter = row["quitter"]
    assert (quitter["days_since_active"], quitter["active_days_30"]) == (20, 2)  # from 10 June; 1 and 10 June, not 25 June
    assert (quitter["lifecycle"], quitter["health_score"], quitter["health_band"]) == ("churned", 0, "critical")
    assert row["returner"]["lifecycle"] != "churned" and row["returner"]["health_score"] > 0
    assert row["ghost"]["lifecycle"] == "churned"  # kept: its one event is all the log says of it
    assert row["orders_back"]["lifecycle"] != "churned" and row["orders_back"]["active_days_30"] == 2
    assert row["u01"]["lifecycle"] != "churned"
    lifecycle = facts["segmentations"]["lifecycle"]
    assert lifecycle["segments"]["churned"]["count"] == 2
    assert lifecycle["definition"]["churned"] == "users whose last event ending or starting an account, by the as-of date, ended it (Subscription Cancelled) (checked first)"
    assert facts["segmentations"]["health"]["definition"]["ended_accounts"].endswith("ended it (Subscription Cancelled) score 0")
    assert "| Events not counted as activity | Subscription Cancelled (3): leaving or done by a system, so not a day of use |" in run["md"]
    assert "- Events not counted as activity (leaving, or done by a system; they do not make a user active or recent): `Subscription Cancelled` (3)." in run["briefs"]["intake"]
    # Who pays and who left, at the as-of date: per user, in all, and by usage group
    assert [row[u]["subscription"] for u in ("quitter", "returner", "ghost")] == ["ended", "active", "ended"]
    assert all(__import__("pandas").isna(row[u]["subscription"]) for u in ("orders_back", "u01"))  # no event starts or ends their account
    assert facts["data"]["subscriptions"] == {"active": 1, "ended": 2, "active_by_behavior": {"power": 0, "regular": 0, "occasional": 1, "inactive": 0}, "started_by": ["Subscription Started"], "ended_by": ["Subscription Cancelled"]}
    generic = __import__("pandas").read_csv(out / "exports" / "segments_generic.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("source_id")
    assert generic.loc[["quitter", "returner", "u01"], "subscription"].tolist() == ["ended", "active", ""]
    assert [w for w in facts["warnings"] if w.startswith("2 users' account had ended by the as-of date (Subscription Cancelled): the lifecycle puts them in Churned and the health score gives them 0, but 2 of them are in a usage group other than Inactive")]  # the quitter's 2 days; the ghost's one event is all it has, so it stays its activity
    assert "| Accounts at the as-of date | 1 active (Power Users 0, Regular Users 0, Occasional Users 1, Inactive 0), 2 ended:" in run["md"]
    # the intake brief shows the user numbers under the groups' names; the references come once, for the strategy
    assert "1 active and 2 ended; of the active, by usage group: Power Users 0, Regular Users 0, Occasional Users 1, Inactive 0." in run["briefs"]["intake"]
    assert "`{data.subscriptions.active_by_behavior.<key>}`" in run["briefs"]["intake"] and "(`{data.subscriptions.active}`)" not in run["briefs"]["intake"]
    from custseg.strategy.resolve import resolve

    assert resolve("{data.subscriptions.active_by_behavior.occasional} paying users use it rarely", facts) == "1 paying users use it rarely"


def test_an_account_ended_after_a_date_is_live_at_that_date():
    """Churned is as of each scoring date: migration and validation score the earlier date too."""
    import numpy as np

    from custseg.compute.metrics import to_days
    from custseg.facts.build import AccountEvents, _ended_by_events

    day = lambda s: int(to_days(np.datetime64(s)))  # noqa: E731
    # customer 0: ends 1 May; customer 1: ends 1 March, restarts 1 April; customer 2: restarts then ends the same day
    subs = AccountEvents(np.array([0, 1, 1, 2, 2]), np.array([day("2024-05-01"), day("2024-03-01"), day("2024-04-01"), day("2024-02-01"), day("2024-02-01")]), np.array([True, True, False, False, True]), ["Subscription Cancelled"], ["Subscription Started"])

    class M:
        code = np.array([0, 1, 2, 3])

    for as_of, ended in [("2024-04-15", [False, False, True, False]), ("2024-05-01", [True, False, True, False]), ("2024-03-15", [False, True, True, False])]:
        M.as_of = day(as_of)
        assert _ended_by_events(subs, M).ended.tolist() == ended, as_of
    assert subs.state(day("2024-04-15"), 5).tolist() == [-1, 0, 1, -1, -1]  # none yet, restarted, ended, no such events


def test_keeping_segments_current_without_emails_reads_as_one_piece_of_advice(events):
    """The export has no emails: the advice on tagging from the generic file is followed by when
    to alert the owner, not by a stray 'Still, ...' after it."""
    part = section(events["md"], "### Keeping segments current")
    assert "no usable emails" in part and "Still," not in part
    assert "After each rerun (with the same segment.key, so the file's rows stay the same customers) import it again, and alert the owner" in part


def test_an_event_logs_emails_reach_the_email_tool_files_and_nothing_else(tmp_path):
    """A product's log that repeats each user's email: before, the column was 'ignored (not
    needed to segment)' and the email-tool files were empty. Each user gets the email of their
    latest event that has one; consent is unknown (a log does not say), and no email reaches
    facts.json or customers.csv."""
    import csv

    src = tmp_path / "events.csv"
    rows = ["user_id,email,event,timestamp"]
    for k in range(12):
        rows += [f"u{k},u{k}@app.example,Logged In,2024-0{1 + k % 6}-10 10:00:00", f"u{k},,Order Completed,2024-0{1 + k % 6}-11 10:00:00"]
    rows += ["u0,new0@app.example,Logged In,2024-06-20 10:00:00", "u0,,Logged In,2024-06-25 10:00:00", "v9,,Logged In,2024-06-01 10:00:00"]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    run = _run(src, out)
    assert run["facts"]["data"]["mapping"]["email"] == "email"
    with open(out / "exports" / "klaviyo.csv", encoding="utf-8-sig", newline="") as f:
        emails = {r["Email"] for r in csv.DictReader(f)}
    assert emails == {"new0@app.example"} | {f"u{k}@app.example" for k in range(1, 12)}  # u0's latest email; v9 has none
    exports = run["facts"]["exports"]
    assert (exports["reachable"], exports["consent_unknown"], exports["left_out_no_email"]) == (12, 12, {"unsegmented": 1})
    for name in ("facts.json", "customers.csv"):
        assert "@" not in (out / name).read_text(encoding="utf-8")
    # the usage group rides in every email tool's file, by name, so a plan on it reaches them
    groups = run["facts"]["segmentations"]["behavioral"]["segments"]
    names = {k: v["name"] for k, v in groups.items()}
    with open(out / "customers.csv", encoding="utf-8") as f:
        usage = {r["customer_id"]: names[r["behavior"]] for r in csv.DictReader(f)}
    for file, column in (("klaviyo.csv", "Usage Group"), ("hubspot.csv", "usage_group")):
        with open(out / "exports" / file, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        ids = "Pseudonymous ID" if file == "klaviyo.csv" else "pseudonymous_id"
        assert rows and all(r[column] == usage[r[ids]] for r in rows), file
    with open(out / "exports" / "mailchimp.csv", encoding="utf-8-sig", newline="") as f:
        assert all(usage[r["Pseudonymous ID"]] in r["Tags"].split(",") for r in csv.DictReader(f))
    assert "'usage_group' (single-line text)" in " ".join(exports["notes"])
    # check.py takes a Klaviyo rule on it, and refuses a group the files do not carry
    from custseg.strategy.validate import _rule_values

    busy = next(v["name"] for v in groups.values() if v["count"])
    rule = lambda text, crm="Klaviyo": {"automation_rules": [{"segment": "x", "crm": crm, "rule": text}]}  # noqa: E731
    assert _rule_values(rule(f"when Usage Group becomes {busy}, send a nudge"), run["facts"]) == []
    assert _rule_values(rule(f"when a user is tagged {busy}, send a nudge", "Mailchimp"), run["facts"]) == []
    assert [p.code for p in _rule_values(rule("when a user is tagged Thriving, send a nudge", "Mailchimp"), run["facts"])] == ["rule_value_not_in_file"]
    ops = render_brief("operationalize", run["facts"], segmentation="behavioral")
    assert "on the usage groups, by name in klaviyo.csv's `Usage Group`, hubspot.csv's `usage_group` and Mailchimp's tags, by key in segments_generic.csv's `behavior` column" in ops
