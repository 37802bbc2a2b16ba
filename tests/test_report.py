"""The report renderer: report.md and report.html from facts.json.

The key test parses every number out of report.md (and out of the text of report.html),
undoes its format and finds it in facts.json: the report may format numbers, never make
them up. The formats are those of docs/report-format.md.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import shutil
import struct
import subprocess
import zlib
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import numpy as np
import pytest

from custseg.cli.main import main
from custseg.render import playbook
from custseg.render.briefs import render_brief
from custseg.render.report import (
    DEFAULT_TEMPLATES_DIR,
    for_owner,
    fmt_count,
    fmt_date,
    fmt_days,
    fmt_dec,
    fmt_mean,
    fmt_money,
    fmt_pct,
    make_environment,
    render_report,
)
from tests.conftest import EXAMPLES, ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Shopify, Stripe, a CRM customer table (one snapshot) and an event log.
REPORT_EXAMPLES = ["shopify_orders_export.csv", "stripe_unified_payments.csv", "crm_customers.csv", "product_events.jsonl"]
TITLE = "Customer segmentation report"
PLAYBOOK_MARK = "Default playbook (not tailored to your data)"
MAJOR_SECTIONS = [
    "## In short",
    "## The data we used",
    "## How customers were scored",
    "## RFM segments at a glance",
    "## Segment profiles",
    "## Segment migration",
    "## Next-period validation",
    "## Sized opportunities",
    "## Other segmentations",
    "## Files for your CRM",
    "## Not computed",
    "## Warnings and notes",
    "## Strategy per segment",
]
# Numbers that are structure, not data: the RFM score scale (1 to 5). Consulted only for a
# bare integer that matches no fact (every score also sits in facts under scores.bands).
STRUCTURAL = {1.0, 2.0, 3.0, 4.0, 5.0}


# -- facts from the real CLI, rendered once per example ------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, dict]:
    out = {}
    for name in REPORT_EXAMPLES:
        run_dir = tmp_path_factory.mktemp("run")
        target = run_dir / "out"
        assert main(["run", str(EXAMPLES / name), "--out", str(target)]) == 0
        facts = json.loads((target / "facts.json").read_text(encoding="utf-8"))
        files = render_report(facts, str(target))
        out[name] = {
            "facts": facts,
            "dir": target,
            "files": files,
            "md": (target / "report.md").read_text(encoding="utf-8"),
            "html": (target / "report.html").read_text(encoding="utf-8"),
        }
    return out


@pytest.fixture(scope="module")
def shopify(rendered) -> dict:
    return rendered["shopify_orders_export.csv"]


# -- parsing numbers back ------------------------------------------------------------------------

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
# One numeric token: optional sign, integer part with or without thousands separators,
# optional decimals, then an optional percent sign or unit (days, a currency code).
NUMBER_RE = re.compile(
    r"(?P<sign>[+-])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<pct>%)?(?P<unit> days?\b| [A-Z]{3}\b)?"
)


def tokens(text: str):
    """(kind, raw, value, decimals, unit) for every date and number in text."""
    out = []
    for m in DATE_RE.finditer(text):
        out.append(("date", m.group(0), m.group(0), 0, ""))
    text = DATE_RE.sub(" ", text)
    for m in NUMBER_RE.finditer(text):
        sign = m.group("sign")
        start = m.start()
        # A sign counts only at the start of a word or after "(": "4-5" is two numbers, not 4 and -5.
        if sign and start > 0 and not (text[start - 1].isspace() or text[start - 1] == "("):
            sign = None
        value = float(m.group("int").replace(",", "") + (m.group("frac") or ""))
        if sign == "-":
            value = -value
        decimals = len(m.group("frac")) - 1 if m.group("frac") else 0
        kind = "pct" if m.group("pct") else "days" if (m.group("unit") or "").strip().startswith("day") else "number"
        out.append((kind, m.group(0).strip(), value, decimals, (m.group("unit") or "").strip()))
    return out


class FactSet:
    """Every value in facts.json: numbers, ISO dates, and the numbers written inside its texts."""

    def __init__(self, facts: dict):
        self.numbers: list[float] = []
        self.dates: set[str] = set()
        self.raw_in_text: set[str] = set()  # number tokens as written inside fact strings
        self._walk(facts)
        self.sorted = sorted(set(self.numbers))

    def _walk(self, node) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                self._walk(k)
                self._walk(v)
        elif isinstance(node, list):
            for v in node:
                self._walk(v)
        elif isinstance(node, bool) or node is None:
            return
        elif isinstance(node, (int, float)):
            if math.isfinite(node):
                self.numbers.append(float(node))
        elif isinstance(node, str):
            for kind, raw, value, _, _ in tokens(node):
                if kind == "date":
                    self.dates.add(value)
                    continue
                self.raw_in_text.add(raw)
                self.numbers += [value, abs(value)]
                if kind == "pct":
                    self.numbers += [value / 100, abs(value) / 100]

    def has(self, value: float, tol: float) -> bool:
        import bisect

        i = bisect.bisect_left(self.sorted, value - tol)
        return i < len(self.sorted) and self.sorted[i] <= value + tol


def unmatched_numbers(text: str, facts: dict) -> tuple[list[str], int]:
    """Numbers in text that are not facts (or break the formats); and how many were checked."""
    fs = FactSet(facts)
    bad = []
    checked = 0
    for kind, raw, value, decimals, unit in tokens(text):
        checked += 1
        if kind == "date":
            if value not in fs.dates:
                bad.append(f"date {raw} is not in facts")
            continue
        verbatim = raw in fs.raw_in_text or raw.rstrip("%").lstrip("+-") in fs.raw_in_text
        # Format rules (docs/report-format.md); text quoted from facts keeps its own writing.
        int_part = raw.lstrip("+-").split(".")[0].rstrip("%").split(" ")[0]
        if abs(value) >= 1000 and "," not in int_part and not verbatim:
            bad.append(f"{raw}: no thousands separator")
        if kind == "pct" and decimals != 1 and not verbatim:
            bad.append(f"{raw}: a percentage has one decimal")
        if kind == "days" and decimals > 1:
            bad.append(f"{raw}: days have at most one decimal")
        if unit and unit not in ("day", "days") and decimals != 2:
            bad.append(f"{raw}: money has two decimals")
        # The value, within the rounding of its format.
        # whole days are rounded half up (a median of 113.5 days reads 114 days)
        half = 0.5 * 10 ** (-decimals) if decimals else 0.5 if kind == "days" else 0.05
        if kind == "pct":
            ok = fs.has(value / 100, half / 100 + 1e-9)
        else:
            ok = fs.has(value, half + 1e-9) or (decimals == 0 and not unit and abs(value) in STRUCTURAL)
        if not ok:
            bad.append(f"{raw} ({kind}) matches no value in facts")
    return bad, checked


def context(text: str, needle: str, width: int = 60) -> str:
    i = text.find(needle)
    return text[max(0, i - width) : i + width].replace("\n", " ")


class _Text(HTMLParser):
    """The visible text of an HTML page (style and script left out)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    p = _Text()
    p.feed(page)
    return html.unescape(" ".join(p.parts))


def section(md: str, heading: str) -> str:
    """From a heading to the next heading of the same or a higher level (or the end)."""
    start = md.index(heading)
    level = len(heading) - len(heading.lstrip("#"))
    rest = md[start + len(heading) :]
    m = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return md[start : start + len(heading) + (m.start() if m else len(rest))]


def tiny_png() -> bytes:
    """A valid 2x2 RGB PNG made with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# -- the key test --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORT_EXAMPLES)
def test_every_number_in_report_md_is_a_fact(rendered, name):
    r = rendered[name]
    md = re.sub(r"\]\([^)]*\)", "]", r["md"])  # link targets (chart file names) are not figures
    bad, checked = unmatched_numbers(md, r["facts"])
    assert checked > 100, f"only {checked} numbers parsed: is the parser still reading the report?"
    assert not bad, "\n".join(f"{b}   ...{context(md, b.split()[0])}..." for b in bad[:20])


@pytest.mark.parametrize("name", REPORT_EXAMPLES)
def test_every_number_in_report_html_is_a_fact(rendered, name):
    r = rendered[name]
    bad, checked = unmatched_numbers(html_text(r["html"]), r["facts"])
    assert checked > 100
    assert not bad, "\n".join(bad[:20])


def test_the_number_check_catches_invented_figures(shopify):
    facts = shopify["facts"]
    clean, _ = unmatched_numbers(shopify["md"], facts)
    assert clean == []
    for planted in ("12,347 customers", "99.9%", "123,456.78 USD", "777.5 days", "2031-02-03", "1234 orders", "12.34%"):
        bad, _ = unmatched_numbers(shopify["md"] + "\n" + planted + "\n", facts)
        assert bad, f"{planted!r} slipped through"


# -- content -------------------------------------------------------------------------------------


def _edge_run(tmp_path, case: str) -> dict:
    """Facts for the shapes the examples do not cover: quantile scores, no dates, a small base."""
    out = tmp_path / "out"
    if case == "quantile":
        args = [str(EXAMPLES / "shopify_orders_export.csv"), "--method", "quantile"]
    elif case == "early_as_of":  # an as-of date well before the data's end
        args = [str(EXAMPLES / "shopify_orders_export.csv"), "--as-of", "2025-03-31"]
    elif case == "no_dates":  # a customer table without any date column: no as-of date, no RFM
        import csv

        with open(EXAMPLES / "crm_customers.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        keep = [i for i, col in enumerate(rows[0]) if col not in ("last_order_date", "signup_date")]
        path = tmp_path / "crm_no_dates.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([[r[i] for i in keep] for r in rows])
        args = [str(path)]
    else:  # small_base: fewer than fifty customers get the three-group table
        lines = (EXAMPLES / "european_orders.csv").read_text(encoding="utf-8-sig").splitlines()
        path = tmp_path / "small.csv"
        path.write_text("\n".join(lines[:45]) + "\n", encoding="utf-8")
        args = [str(path)]
    assert main(["run", *args, "--out", str(out)]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    render_report(facts, str(out))
    return {"facts": facts, "md": (out / "report.md").read_text(encoding="utf-8"), "html": (out / "report.html").read_text(encoding="utf-8")}


@pytest.mark.parametrize("case", ["quantile", "no_dates", "small_base", "early_as_of"])
def test_other_data_shapes_render_only_facts(tmp_path, case):
    r = _edge_run(tmp_path, case)
    facts, md = r["facts"], r["md"]
    bad, _ = unmatched_numbers(md, facts)
    assert not bad, "\n".join(bad[:20])
    bad, _ = unmatched_numbers(html_text(r["html"]), facts)
    assert not bad, "\n".join(bad[:20])
    assert not re.search(r"\d", section(md, "### " + PLAYBOOK_MARK))
    if case == "quantile":
        assert "**Method: fifths of this data (quintiles) for recency, frequency and spend.**" in md and "fewer than" in section(md, "## How customers were scored")
    elif case == "early_as_of":  # the data's figures count what the segments count, and say what they leave out
        data, segs = facts["data"], facts["segmentations"]["rfm"]["segments"].values()
        assert data["date_max"] == "2025-03-31" and data["after_as_of"]["date_max"] == "2025-12-31"
        assert data["revenue_total"] == pytest.approx(sum(s["revenue"] for s in segs), abs=0.01)
        assert data["customers"] == sum(s["count"] for s in segs)
        assert data["orders"] == sum(m["orders"] for m in data["by_month"])
        assert data["after_as_of"]["orders"] > 0 and data["after_as_of"]["revenue"] > 0
        left_out = f"{fmt_count(data['after_as_of']['orders'])} orders after it, up to 2025-12-31 ({fmt_money(data['after_as_of']['revenue'], data['currency'])} of revenue"
        assert left_out in section(md, "## In short") and left_out in section(md, "## The data we used")
        assert "the data ends on 2025-12-31" not in md and "| Dates | 2023-07-01 to 2025-03-31 (" in md
        briefs = {phase: render_brief(phase, facts) for phase in ("segments", "strategy", "operationalize")}
        assert left_out in briefs["segments"] and "The segments stop at the as-of date, 2025-03-31; the file runs on, and the " + left_out in briefs["strategy"]
        assert "It ends on" not in briefs["strategy"] and "the data ends on" not in briefs["operationalize"]
        assert "- Before any import: the segments stop at the as-of date, 2025-03-31, " in briefs["operationalize"]
    elif case == "no_dates":
        assert facts["as_of"] is None and "rfm" not in facts["segmentations"]
        assert "No as-of date" in md and f"RFM segments were not computed: {facts['unavailable']['rfm']}." in md
        assert "## Segment profiles" not in md and "No RFM segments to build a playbook on." in md
    else:
        assert facts["segmentations"]["rfm"]["rules"]["name"] == "small_base"
        assert "#### Best Customers" in md and "#### Core Customers" in md and "#### Medium Value" not in md




@pytest.mark.parametrize("name", REPORT_EXAMPLES)
def test_report_has_every_section(rendered, name):
    r = rendered[name]
    md, facts = r["md"], r["facts"]
    assert r["files"] == ["report.md", "report.html"]
    assert md.startswith(f"# {TITLE}\n")
    assert f"As of **{facts['as_of']}**" in md
    positions = [md.index(h + "\n") for h in MAJOR_SECTIONS]
    assert positions == sorted(positions), "sections out of order"
    rfm = facts["segmentations"]["rfm"]
    for key in rfm["order"]:
        seg = rfm["segments"][key]
        assert f"\n### {seg['name']}\n" in section(md, "## Segment profiles")
        assert f"| {seg['name']} | {fmt_count(seg['count'])} | {fmt_pct(seg['pct_customers'])} |" in section(md, "## RFM segments at a glance")
    for rule in rfm["rules"]["segments"]:
        assert rule["plain"] in md and rule["description"] in md
    for kind in ("lifecycle", "value", "health", "behavioral"):
        if kind in facts["segmentations"]:
            assert facts["segmentations"][kind]["method_reason"] in md
    for kind, why in facts["unavailable"].items():
        assert why in section(md, "## Not computed")
    crm = section(md, "## Files for your CRM")
    for file, rows in facts["exports"]["rows_written"].items():
        assert f"| {file} | {fmt_count(rows)} |" in crm
    for note in facts["exports"]["notes"]:
        assert note in crm
    caveats = section(md, "## Warnings and notes")
    for w in facts["warnings"]:  # as the run said them, less the command-line advice
        assert for_owner(w) in caveats and (w == for_owner(w)) == ("--" not in w and "(data." not in w)
    assert not re.search(r"--[a-z]", caveats)
    assert PLAYBOOK_MARK in md
    assert TITLE in r["html"] and PLAYBOOK_MARK in r["html"]


def test_data_section_states_coverage_and_drops(shopify):
    facts, md = shopify["facts"], shopify["md"]
    d = facts["data"]
    part = section(md, "## The data we used")
    currency = d["currency"]
    for text in (d["source"], *d["files"], fmt_count(d["rows"]), fmt_count(d["customers"]), fmt_count(d["orders"]),
                 fmt_money(d["revenue_total"], currency), f"{d['date_min']} to {d['date_max']}", fmt_days(d["days_covered"])):
        assert text in part, text
    assert "| test orders | 28 | 15 |" in part or "test orders" in part
    for reason, rows in d["dropped"].items():
        assert re.search(rf"\| [^|]+ \| {re.escape(fmt_count(rows))} \|", part), reason


def test_scoring_section_shows_the_cut_points_and_bands(shopify):
    rfm = shopify["facts"]["segmentations"]["rfm"]
    part = section(shopify["md"], "## How customers were scored")
    assert rfm["method_reason"] in part
    currency = shopify["facts"]["data"]["currency"]
    for cut in rfm["scores"]["monetary"]["cuts"]:
        assert fmt_money(cut, currency) in part
    assert "0 to 7 days" in part and "181 days or more" in part  # the fixed recency bands
    assert "10 or more" in part


def test_migration_validation_and_opportunities(shopify):
    rfm = shopify["facts"]["segmentations"]["rfm"]
    md = shopify["md"]
    mig = section(md, "## Segment migration")
    names = {k: s["name"] for k, s in rfm["segments"].items()}
    row = rfm["migration"]["matrix"]["dormant"]
    assert "| Dormant | " + " | ".join(fmt_count(row[k]) for k in rfm["order"]) + " |" in mig
    for w in rfm["migration"]["watch"]:
        assert f"| {names[w['from_segment']]} | {names[w['to_segment']]} |" in mig
    val = section(md, "## Next-period validation")
    v = rfm["validation"]
    assert fmt_dec(v["top_lift"]) in val and fmt_pct(v["base_repeat_rate"]) in val
    assert ("Ranking held: yes" in val) == v["monotone"] and "Monotone" not in md
    assert v["violations"], "the Shopify example's ordering breaks once; the test needs that"
    for violation in v["violations"]:  # by key in the facts, by name in the report
        lower, lower_rate, higher, higher_rate = re.fullmatch(r"(\w+) \((\S+)\) bought again more often than (\w+) \((\S+)\)", violation).groups()
        assert f"{names[lower]} ({lower_rate}) bought again more often than {names[higher]} ({higher_rate})" in val
    opp = section(md, "## Sized opportunities")
    assert any(rfm["segments"][o["from_segment"]]["spend_last_period_per_customer"] == 0 for o in rfm["opportunities"])
    assert {o["value_basis"] for o in rfm["opportunities"]} == {"movers", "to_segment"}, "the example values some moves by their movers, some by the to-segment"
    for o in rfm["opportunities"]:
        assert fmt_money(o["value_per_10pct"], "USD") in opp if o["value_per_10pct"] is not None else f"not sized: as many again, {fmt_money(o['expected_revenue'], 'USD')}" in opp
        if o["value_basis"] == "movers":  # what the customers who made the move spent in the period, less those who stayed
            assert o["moved"] >= 20 and f"({o['moved']:,} customers) moved to {names[o['to_segment']]} and spent {o['movers_spend_per_customer']:,.2f} USD each in it, {o['revenue_gap_per_customer']:,.2f} USD more than those who stayed" in o["explanation"]
            assert f"| {fmt_money(o['revenue_gap_per_customer'], 'USD')} (the {fmt_count(o['moved'])} who moved) | {fmt_money(o['next_gap_per_customer'], 'USD')} |" in opp
        else:
            assert f"| {fmt_money(o['revenue_gap_per_customer'], 'USD')} | {fmt_money(o['next_gap_per_customer'], 'USD')} |" in opp
        # a segment that bought nothing in the period is said to have (a trial saw one gap for two moves)
        quiet = f" ({names[o['from_segment']]} spent nothing in it)" if rfm["segments"][o["from_segment"]]["spend_last_period_per_customer"] == 0 else ""
        assert o["value_basis"] == "movers" or o["moved"] < 20 and f"too few to value the move by their own spend, so it is valued at what a customer in {names[o['to_segment']]} spent: {o['revenue_gap_per_customer']:,.2f} USD more per period{quiet};" in o["explanation"]  # quoted in the strategy brief: its currency too
        # the period after: the same window the next-period check measures, from its own rows
        after = {r["segment"]: r["revenue_per_customer"] for r in v["segments"]}
        assert o["next_gap_per_customer"] == round(after[o["to_segment"]] - after[o["from_segment"]], 2)
        assert f"spent {o['next_gap_per_customer']:,.2f} USD more in it than those in {names[o['from_segment']]}; a further tenth of {names[o['from_segment']]}" in o["explanation"]
        assert f"are in {names[o['from_segment']]} now" in o["explanation"] and o["to_segment"] not in o["explanation"]  # names, not keys
    # why the list is short: every upward move is either sized or counted by the reason it was not
    skipped = rfm["opportunities_skipped"]
    assert sum(skipped.values()) + len(rfm["opportunities"]) == len(rfm["order"]) * (len(rfm["order"]) - 1) // 2
    assert f"Of all moves up: {rfm['opportunities_note']}." in opp
    assert f"the other {sum(skipped.values())}:" in opp


def test_revenue_says_it_is_net_of_refunds_where_the_export_has_them(shopify, rendered):
    """The export's own sales figure is before refunds: the report says which columns its revenue nets."""
    m = shopify["facts"]["data"]["mapping"]
    assert f"| Revenue | {fmt_money(shopify['facts']['data']['revenue_total'], 'USD')} (net of refunds: {m['amount']} minus {m['refunded']}) |" in shopify["md"]
    assert f"(net of refunds: {m['amount']} minus {m['refunded']})</span>" in shopify["html"]
    d = shopify["facts"]["data"]  # and the span a segment's average value covers
    assert f"Spend per customer: the segment's revenue per customer over all the data ({d['date_min']} to {d['date_max']}): not per order (that is the average order value) and not per year." in shopify["md"]
    for name, run in rendered.items():
        if "refunded" not in run["facts"]["data"].get("mapping", {}):
            assert "net of refunds" not in run["md"], name
    # a Stripe export whose run used the account's currency nets the converted columns
    from custseg.render.report import _revenue_basis

    stripe = {"amount": "Amount", "refunded": "Amount Refunded", "converted_amount": "Converted Amount", "converted_refunded": "Converted Amount Refunded"}
    assert _revenue_basis(stripe, ["amounts converted to the account's currency (Converted Amount)"]) == "net of refunds: Converted Amount minus Converted Amount Refunded"
    assert _revenue_basis(stripe, []) == "net of refunds: Amount minus Amount Refunded"
    assert _revenue_basis({"amount": "Total"}, []) == ""


def test_other_segmentations_say_what_their_trend_compares(shopify):
    """Spend tiers are cut afresh at each date, so their Trend column is n/a throughout: the
    report says why, and for the others what the trend compares."""
    facts, md = shopify["facts"], shopify["md"]
    value = section(md, "### Value tiers")
    assert facts["segmentations"]["value"]["method"] == "spend_quantiles" and "| n/a |" in value
    assert "Trend: none, since spend tiers are cut afresh from the quantiles at each date" in value
    assert f"Trend: the relative change in the {facts['segmentations']['lifecycle']['trend_basis']} (a part of the earlier share, not percentage points)." in section(md, "### Lifecycle stages")
    assert "Trend: none, since spend tiers" in shopify["html"]


def test_in_short_opens_with_the_facts_to_act_on(shopify, tmp_path):
    facts, md = shopify["facts"], shopify["md"]
    rfm, exports = facts["segmentations"]["rfm"], facts["exports"]
    short = section(md, "## In short")
    assert md.index("## In short") < md.index("## The data we used")
    best = rfm["segments"][rfm["order"][0]]
    assert f"**{best['name']}**: {fmt_count(best['count'])} customers ({fmt_pct(best['pct_customers'])} of all) bring {fmt_pct(best['revenue_share'])} of revenue" in short
    largest = max(rfm["segments"].values(), key=lambda s: s["count"])
    assert f"**{largest['name']}** is the largest segment: {fmt_count(largest['count'])} customers" in short
    # its revenue is of the past when it bought nothing in the period (a trial read 79.8% as today's)
    assert largest["spend_last_period_per_customer"] == 0
    # and its share of the last 365 days' revenue beside it (a fashion brand's Dormant: 79.8% of all, 42.7% of the last year's)
    assert largest["recent_revenue_share"] < largest["revenue_share"]
    assert f"with {fmt_pct(largest['revenue_share'])} of revenue over the data, none of it in the last {facts['period_days']} days ({fmt_pct(largest['recent_revenue_share'])} of the last 365 days' revenue)." in short
    top = rfm["opportunities"][0]
    assert top["expected_revenue"] == max(o["expected_revenue"] for o in rfm["opportunities"])
    names = {k: s["name"] for k, s in rfm["segments"].items()}
    # the top move was made by at least 20 last period: valued at what they spent beyond those who
    # stayed, said so with how many (an audit's In short valued 62 movers at Loyal's spend)
    assert top["value_basis"] == "movers"
    move = next(line for line in short.splitlines() if line.startswith("- **Largest sized move**"))
    assert move == (f"- **Largest sized move**: from {names[top['from_segment']]} to {names[top['to_segment']]}. At last period's rate {fmt_count(top['expected_customers'])} customers make it, "
                    f"worth {fmt_money(top['expected_revenue'], 'USD')} a period, valued at the {fmt_money(top['revenue_gap_per_customer'], 'USD')} more each that the {fmt_count(top['moved'])} who made the move last period spent than those who stayed. "
                    f"In the period after, customers in {names[top['to_segment']]} spent {fmt_money(top['next_gap_per_customer'], 'USD')} more each than those in {names[top['from_segment']]}.")
    assert "further tenth" not in short
    assert fmt_money(top["value_per_10pct"], "USD") in section(md, "## Sized opportunities")  # the what-if stays there, explained
    # valued at the to-segment's spend (too few moved) when customers in it spent less in the period
    # after: the measured figure leads, and no amount valued at the period that earned the move
    # (a trial's In short led with 202,924.64 USD for a further tenth, beside a 4,000 USD budget)
    import copy

    from custseg.render.report import build_context

    changed = copy.deepcopy(facts)
    first = changed["segmentations"]["rfm"]["opportunities"][0]
    first.update(value_basis="to_segment", movers_spend_per_customer=None, revenue_gap_per_customer=round(first["next_gap_per_customer"] + 50, 2))
    points = {p["lead"]: p["text"] for p in build_context(changed, str(tmp_path), None, None, inline_charts=False)["summary"]}
    assert points["Largest sized move"] == (f"from {names[top['from_segment']]} to {names[top['to_segment']]}. At last period's rate {fmt_count(top['expected_customers'])} customers make it in a period. "
                                            f"In the period after, customers in {names[top['to_segment']]} spent {fmt_money(first['next_gap_per_customer'], 'USD')} more each than those in {names[top['from_segment']]}, the soberer guide to what a moved customer is worth. "
                                            f"The amounts under Sized opportunities value a move at {fmt_money(first['revenue_gap_per_customer'], 'USD')}, what a customer in {names[top['to_segment']]} spends in the period that puts them there, so they overstate it.")
    first["above_period_revenue"] = True  # an amount above the whole period's sales is said to be
    first["value_basis"] = "movers"
    points = {p["lead"]: p["text"] for p in build_context(changed, str(tmp_path), None, None, inline_charts=False)["summary"]}
    assert points["Largest sized move"].endswith("That is more than all customers spent in the period: a what-if beyond the period's whole sales.")
    top = rfm["validation"]["segments"][0]
    assert f"{names[top['segment']]} ({fmt_count(top['customers'])} customers then) bought again {fmt_dec(rfm['validation']['top_lift'])} times as often as the average customer" in short
    assert "Not all in order:" in short and "say little" not in short  # enough customers to go on
    no_email, opted_out = sum(exports["left_out_no_email"].values()), sum(exports["left_out_no_consent"].values())
    assert no_email and opted_out
    assert f"reach {fmt_count(exports['reachable'])} of {fmt_count(exports['customers'])} customers; of the others, {fmt_count(no_email)} have no usable email and {fmt_count(opted_out)} opted out of marketing." in short
    # a reason nobody had is not given
    from custseg.render.report import _email_point

    (point,) = _email_point(exports | {"left_out_no_consent": {}}, {"emailed": 1})
    assert point["text"].endswith(f"of the others, {fmt_count(no_email)} have no usable email.") and "opted out" not in point["text"]
    assert "no tailored plan yet" in short
    assert '<section id="in-short">' in shopify["html"] and "no tailored plan yet" in shopify["html"]
    # with a plan, the last point says where it is
    render_report(facts, str(tmp_path), strategy={"segments": {"champions": {"persona": "Regulars who buy every month."}}})
    assert "- **Plan**: the tailored plan is under Strategy per segment.\n" in section((tmp_path / "report.md").read_text(encoding="utf-8"), "## In short") + "\n"
    # and what it says first: whom it puts first, how it starts, what became of the hunches
    plan = {
        "segments": {"champions": {"display_name": "Insiders", "persona": "Our best."}, "at_risk": {"persona": "Slipping."}},
        "targeting_matrix": [{"segment": "champions", "channel": "Email", "priority": "high"}, {"segment": "at_risk", "channel": "Email", "priority": "medium"},
                             {"segment": "champions", "channel": "Card", "priority": "high"}],
        "roadmap": [{"phase": "Foundation", "weeks": 2, "actions": ["Import the tags.", "Set up suppression", "Agree the baselines", "Brief the team"]}, {"phase": "Launch", "weeks": 4, "actions": ["Send"]}],
        "hypotheses": [{"hunch": "a", "verdict": "cannot be tested with this data"}, {"hunch": "b", "verdict": "holds"}, {"hunch": "c", "verdict": "holds"}],
    }
    render_report(facts, str(tmp_path), strategy=plan)
    point = next(p for p in section((tmp_path / "report.md").read_text(encoding="utf-8"), "## In short").splitlines() if p.startswith("- **Plan**"))
    assert point == ("- **Plan**: the tailored plan is under Strategy per segment. It puts Insiders first (high priority in the targeting matrix). "
                     "It starts with Foundation (2 weeks): Import the tags; Set up suppression; Agree the baselines and 1 more. "
                     "Of your 3 hunches, 2 hold and 1 cannot be tested with this data (under Your hunches, checked).")


def test_in_short_values_a_move_by_the_period_after_when_that_is_less(shopify):
    """The move's amounts value a move at the spend that earned the better segment. Where the
    period after measured as much or more, they do not overstate it and In short gives them;
    where it measured less, In short gives the period after's figure and no amount; a what-if
    for a further tenth is never in In short."""
    from custseg.render.report import _opportunity_point

    move = {"from_name": "Dormant", "to_name": "Loyal", "expected_customers": 64, "expected_revenue": 21155.2, "revenue_gap_per_customer": 330.55, "value_per_10pct": 202924.64, "customers_now": 6139}
    (lower,) = _opportunity_point({"opportunities": [move | {"next_gap_per_customer": 69.03}]}, "USD")
    assert "69.03 USD more each" in lower["text"] and "330.55 USD" in lower["text"] and "so they overstate it" in lower["text"]
    assert "21,155.20" not in lower["text"] and "202,924.64" not in lower["text"]
    (none,) = _opportunity_point({"opportunities": [move | {"next_gap_per_customer": -5.0}]}, "USD")
    assert "spent no more than those in Dormant" in none["text"] and "-5" not in none["text"]
    (higher,) = _opportunity_point({"opportunities": [move | {"next_gap_per_customer": 400.0}]}, "USD")
    assert higher["text"] == ("from Dormant to Loyal. At last period's rate 64 customers make it, worth 21,155.20 USD a period. "
                              "In the period after, customers in Loyal spent 400.00 USD more each than those in Dormant.")
    (unknown,) = _opportunity_point({"opportunities": [move | {"next_gap_per_customer": None}]}, "USD")
    assert unknown["text"] == "from Dormant to Loyal. At last period's rate 64 customers make it, worth 21,155.20 USD a period."


def test_in_short_says_every_segment_is_high_priority_rather_than_listing_them_first(shopify, tmp_path):
    """A trial's plan gave every segment a high-priority cell and In short read 'It puts
    Regulars, First-timers, Still Warm and Gone Quiet first': where all are high, it says so and
    points at the roadmap's first phase; where some are not, it names the high ones."""
    facts = shopify["facts"]
    segments = {k: {"persona": f"{k} persona."} for k in ("champions", "loyal", "at_risk")}
    roadmap = [{"phase": "Foundation", "weeks": 2, "actions": ["Import the tags"]}]

    def plan_point(priorities: dict) -> str:
        render_report(facts, str(tmp_path), strategy={"segments": segments, "roadmap": roadmap,
                                                      "targeting_matrix": [{"segment": k, "channel": "Email", "priority": p} for k, p in priorities.items()]})
        return next(p for p in section((tmp_path / "report.md").read_text(encoding="utf-8"), "## In short").splitlines() if p.startswith("- **Plan**"))

    every = plan_point({"champions": "high", "loyal": "high", "at_risk": "High"})
    assert "It ranks every segment high priority in the targeting matrix, so where it starts is the roadmap's first phase. It starts with Foundation (2 weeks)" in every
    assert " first (high priority" not in every
    some = plan_point({"champions": "high", "loyal": "high", "at_risk": "medium"})
    names = facts["segmentations"]["rfm"]["segments"]
    assert f"It puts {names['champions']['name']} and {names['loyal']['name']} first (high priority in the targeting matrix)" in some and "every segment" not in some


def test_in_short_says_when_a_tenth_of_orders_were_taken_back(shopify):
    """A dress label's 8 of 60 orders cancelled sat only in the dropped-rows table: a tenth or more
    of the orders cancelled, fully refunded or voided is said in In short, with their order total
    and, where the export says what each order owes, how much of it was collected."""
    import copy

    from custseg.render.report import _undone_point

    facts = copy.deepcopy(shopify["facts"])
    data = facts["data"]
    undone = sum(data["dropped_orders"].get(k, 0) for k in ("cancelled", "refunded", "voided"))
    assert undone < 0.10 * (undone + data["orders"]) and _undone_point(facts) == []  # the example's 5.5%: not told
    data["dropped_orders"]["cancelled"] += data["orders"]  # now half the orders
    (point,) = _undone_point(facts)
    gross, got, n = data["dropped_gross"], data["dropped_collected"], data["dropped_orders"]
    assert point["text"].startswith(  # each figure is one facts.json holds
        f"of the orders, {fmt_count(n['cancelled'])} were cancelled ({fmt_money(gross['cancelled'], 'USD')} ordered, {fmt_money(got['cancelled'], 'USD')} of it collected), "
        f"{fmt_count(n['refunded'])} fully refunded ({fmt_money(gross['refunded'], 'USD')} ordered, {fmt_money(got['refunded'], 'USD')} of it collected) "
        f"and {fmt_count(n['voided'])} voided ({fmt_money(gross['voided'], 'USD')} ordered, {fmt_money(got['voided'], 'USD')} of it collected), beside the {fmt_count(data['orders'])} kept;")
    del data["dropped_collected"]  # an export that does not say what each order owes: the totals alone
    assert _undone_point(facts)[0]["text"].startswith(f"of the orders, {fmt_count(n['cancelled'])} were cancelled ({fmt_money(gross['cancelled'], 'USD')} ordered), ")
    facts["data"]["source"] = "stripe_payments"  # a payments export's cancelled attempts are unfinished checkouts
    assert _undone_point(facts) == []


def test_in_short_leaves_out_what_the_data_cannot_say(tmp_path):
    r = _edge_run(tmp_path, "no_dates")  # no RFM: nothing to rank, move or check
    assert "## In short" not in r["md"] or not re.search(r"Largest sized move|Checked against", section(r["md"], "## In short"))


def test_customer_table_says_what_it_cannot_show(rendered):
    r = rendered["crm_customers.csv"]
    why = r["facts"]["unavailable"]["migration"]
    assert f"Not computed: {why}." in section(r["md"], "## Segment migration")
    assert "Currency | not stated in the data" in r["md"]
    assert " USD" not in r["md"]  # no currency code is invented


# -- strategy ------------------------------------------------------------------------------------


def test_default_playbook_has_no_digits(rendered):
    for name, r in rendered.items():
        part = section(r["md"], "### " + PLAYBOOK_MARK)
        assert "Goal:" in part and "Messaging:" in part
        assert not re.search(r"\d", part), f"{name}: a digit in the default playbook"


def test_playbook_data_is_figure_free_and_covers_every_built_in_segment():
    from custseg.compute.rules import BUILT_IN

    texts = [t for entry in playbook.PLAYBOOK.values() for t in entry.values()]
    texts += list(playbook.GENERIC.values()) + list(playbook.MAINTENANCE)
    assert not [t for t in texts if re.search(r"\d", t)]
    fields = [f for f, _ in playbook.FIELDS]
    for entry in [*playbook.PLAYBOOK.values(), playbook.GENERIC]:
        assert list(entry) == fields
    built_in_keys = {r.key for table in BUILT_IN.values() for r in table.rules}
    assert built_in_keys <= set(playbook.PLAYBOOK)
    assert playbook.playbook_for("vip_whales") == (playbook.GENERIC, True)


def test_strategy_text_is_rendered_as_data(shopify, tmp_path):
    hostile = "{{ 7*7 }} <script>alert('x')</script> {% if true %}yes{% endif %} & more"
    strategy = {"segments": {
        "champions": {"persona": hostile, "goal": "Keep them", "offers": ["Early access", "<b>bold</b>"]},
        "made_up_key": {"goal": "Generic text"},
    }}
    render_report(shopify["facts"], str(tmp_path), strategy=strategy)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    part = section(md, "## Strategy per segment")
    assert hostile in part  # literal: not evaluated, not escaped in markdown
    assert "49" not in part and "{% if true %}yes{% endif %}" in part
    assert "**Persona:**" in part and "- <b>bold</b>" in part and "### Made Up Key" in part
    assert PLAYBOOK_MARK not in md and PLAYBOOK_MARK not in page
    assert "{{ 7*7 }}" in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<script" not in page and "<b>bold" not in page
    strat_html = page[page.index('id="strategy"') :]
    assert "49" not in html_text(strat_html)


def test_strategy_must_be_a_mapping(shopify, tmp_path):
    with pytest.raises(TypeError):
        render_report(shopify["facts"], str(tmp_path), strategy=["not", "a", "dict"])


# -- HTML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORT_EXAMPLES)
def test_html_is_self_contained(rendered, name):
    page = rendered[name]["html"]
    assert page.startswith("<!DOCTYPE html>")
    assert "http" not in page.lower()  # no external request of any kind
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", page)
    assert "@media print" in page and "break-before: page" in page


def test_charts_are_linked_in_markdown_and_inlined_in_html(shopify, tmp_path):
    png = tiny_png()
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "segments.png").write_bytes(png)
    render_report(shopify["facts"], str(tmp_path), charts=[{"file": "segments.png", "title": "Customers by segment"}])
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "![Customers by segment](charts/segments.png)" in md
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in page
    assert "charts/segments.png" not in page and "http" not in page


def test_charts_are_checked(shopify, tmp_path):
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "fake.png").write_text("not a png")
    with pytest.raises(ValueError, match="not a PNG"):
        render_report(shopify["facts"], str(tmp_path), charts=[{"file": "fake.png", "title": "x"}])
    with pytest.raises(ValueError, match="plain file name"):
        render_report(shopify["facts"], str(tmp_path), charts=[{"file": "../facts.json", "title": "x"}])
    with pytest.raises(FileNotFoundError):
        render_report(shopify["facts"], str(tmp_path), charts=[{"file": "missing.png", "title": "x"}])


def _chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    import tempfile

    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        return subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
            capture_output=True, text=True, timeout=timeout,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed (/usr/bin/chromium; apt-get install -y chromium)")
def test_html_renders_in_headless_chromium(shopify, tmp_path):
    # Calibrate first: a page that does log to the console must be caught by the same check.
    probe = tmp_path / "probe.html"
    probe.write_text("<!DOCTYPE html><title>probe</title><script>console.error('probe-error')</script>")
    assert _console_lines(_chromium("--dump-dom", probe.as_uri()).stderr), "console messages are no longer logged: the check below would see nothing"

    page = shopify["dir"] / "report.html"
    result = _chromium("--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"<title>{TITLE}" in result.stdout and f"<h1>{TITLE}</h1>" in result.stdout
    assert 'id="strategy"' in result.stdout
    assert _console_lines(result.stderr) == []

    pdf = tmp_path / "report.pdf"
    result = _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), result.stderr[-2000:]


# -- environment and formats ---------------------------------------------------------------------


def test_templates_dir_can_be_given(shopify, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES_DIR, templates)
    md_template = templates / "report.md.j2"
    md_template.write_text(md_template.read_text(encoding="utf-8").replace("# {{ title }}", "# {{ title }} (copy)"), encoding="utf-8")
    out = tmp_path / "out"
    render_report(shopify["facts"], str(out), templates_dir=str(templates))
    assert (out / "report.md").read_text(encoding="utf-8").startswith(f"# {TITLE} (copy)")
    assert Path(DEFAULT_TEMPLATES_DIR) == ROOT / "prompts"


def test_environment_is_strict_and_escapes_html_only(tmp_path):
    (tmp_path / "x.md.j2").write_text("{{ text }}")
    (tmp_path / "x.html.j2").write_text("{{ text }}")
    (tmp_path / "y.md.j2").write_text("{{ missing }}")
    env = make_environment(str(tmp_path))
    assert env.get_template("x.md.j2").render(text="<b>") == "<b>"
    assert env.get_template("x.html.j2").render(text="<b>") == "&lt;b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("y.md.j2").render()


def test_number_formats():
    assert fmt_count(12345) == "12,345" and fmt_count(8.0) == "8" and fmt_count(None) == "n/a"
    assert fmt_pct(0.1234) == "12.3%" and fmt_pct(1.0) == "100.0%" and fmt_pct(24.0) == "2,400.0%"
    assert fmt_pct(1.6786, signed=True) == "+167.9%" and fmt_pct(-0.1837, signed=True) == "-18.4%"
    assert fmt_pct(-0.00001, signed=True) == "+0.0%" and fmt_pct(None) == "n/a"
    assert fmt_money(1234.5, "USD") == "1,234.50 USD" and fmt_money(1234.5, None) == "1,234.50" and fmt_money(-0.001, "EUR") == "0.00 EUR"
    assert fmt_days(45) == "45 days" and fmt_days(1) == "1 day" and fmt_days(1455) == "1,455 days"
    # days are whole, rounded half up: a median between two days (113.5) reads 114 days, not
    # 113.5; a mean under half a day keeps its decimal, so some activity never reads as none
    assert fmt_days(113.5) == "114 days" and fmt_days(2.5) == "3 days" and fmt_days(0.5) == "1 day" and fmt_days(0.3) == "0.3 days" and fmt_days(0) == "0 days"
    # a mean of purchase days with one decimal: 'bought on 12.3 separate days', not 12.30
    assert fmt_mean(12.3) == "12.3" and fmt_mean(2.5) == "2.5" and fmt_mean(3.0) == "3" and fmt_dec(1.234) == "1.23"
    facts = {"data": {}, "segmentations": {"rfm": {"segments": {"loyal": {"avg_purchase_days": 12.3}}}}}
    from custseg.strategy.resolve import resolve

    assert resolve("have bought on {segmentations.rfm.segments.loyal.avg_purchase_days} separate days", facts) == "have bought on 12.3 separate days"
    assert fmt_dec(5.67) == "5.67" and fmt_date("2025-12-31") == "2025-12-31"
    with pytest.raises(ValueError):
        fmt_date("31/12/2025")
    with pytest.raises(TypeError):
        fmt_count("12")


def test_pathway_investment_says_whether_it_recurs(shopify, tmp_path):
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["pathways"][0]["investment"] = {"budget": 250, "hours": 6, "per": "month"}
    doc["pathways"][1]["investment"] = {"budget": 900}
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Migration pathways")
    assert "250.00 USD and 6 staff hours a month" in part and "900.00 USD (one-off)" in part


def test_a_pathway_success_on_days_since_reads_as_coming_down(shopify, tmp_path):
    """Success on days since the last purchase is a fall ('down to 30 days'), not 'reaches 30
    days', which reads as customers drifting further away; other targets still 'reach'."""
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["pathways"][0]["success_metric"] = {"metric": "recency_days", "target": 30}
    doc["pathways"][1]["success_metric"] = {"metric": "purchase_days", "target": 3}
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Migration pathways")
    assert "time since last purchase down to 30 days" in part and "reaches 30 days" not in part
    assert "reaches 3" in part


def test_a_budget_without_a_currency_says_its_unit(shopify, tmp_path):
    """An export that names no currency showed the plan's budget as a bare 'budget 3,000': the
    budget and the pathways' costs say they are in the export's currency, the same way."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    facts["data"]["currency"] = None
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["budget"] = {"amount": 3000, "per": "month", "hours": 5, "hours_per": "week"}
    doc["pathways"][0]["investment"] = {"budget": 250, "hours": 6, "per": "month"}
    render_report(facts, str(tmp_path), strategy=doc)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Budget: 3,000.00 (in the export's currency) a month and 5 staff hours a week;" in md
    assert "250.00 (in the export's currency) and 6 staff hours a month" in section(md, "## Migration pathways")
    assert "Budget: <strong>3,000.00 (in the export&#39;s currency) a month" in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("budget, words, shares", [
    ({"amount": 2000, "per": "month", "hours": 5, "hours_per": "week"}, "2,000.00 USD a month and 5 staff hours a week", True),
    ({"amount": 0, "per": "month", "hours": 6}, "6 staff hours a month (no money budget)", False),
    ({"amount": 1500, "per": "quarter"}, "1,500.00 USD a quarter", True),
    # given in pounds, at the rate the user confirmed
    ({"amount": 381, "per": "month", "conversion": {"amount": 300, "currency": "GBP", "rate": 1.27}},
     "381.00 USD a month (your 300.00 GBP at 1.27 USD per GBP, the rate you confirmed)", True),
])
def test_the_budget_is_said_with_each_part_in_its_own_period(budget, words, shares, shopify, tmp_path):
    """Hours a week next to money a month keep their own periods, and a budget of staff time only
    is not shown as '0.00 USD' divided into shares."""
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    doc["budget"] = budget
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    md, page = (tmp_path / "report.md").read_text(encoding="utf-8"), (tmp_path / "report.html").read_text(encoding="utf-8")
    rest = "the budget shares below divide it, and the pathways'" if shares else "the pathways'"
    assert f"Budget: {words}; {rest}" in md
    assert f"<p>Budget: <strong>{words.replace(chr(39), '&#39;')}</strong>; {rest}" in page
    assert ("budget shares below divide it" in md) == shares and ("budget shares below divide it" in page) == shares


def test_a_channel_run_by_people_shows_its_staff_time(shopify, tmp_path):
    """The reference's handwritten cards take 3 staff hours a month, which the budget's hours hold;
    a plan whose channels take no staff time has no such column."""
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    md, page = (tmp_path / "report.md").read_text(encoding="utf-8"), (tmp_path / "report.html").read_text(encoding="utf-8")
    part = section(md, "## Targeting matrix")
    assert "| Segment | Channel | Priority | Budget share | Staff time |" in part and "| Handwritten card in the parcel | medium | 3.0% | 3 staff hours a month |" in part
    assert "the pathways' costs and the channels' staff time over the roadmap fit in it" in part
    assert "<th>Staff time</th>" in page and "<td>3 staff hours a month</td>" in page
    for cell in doc["targeting_matrix"]:
        cell.pop("hours", None)
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Staff time" not in md and "| Segment | Channel | Priority | Budget share |\n" in md


def test_the_budget_no_channel_took_is_said(shopify, tmp_path):
    """A trial's shares added up to 75% and the report never said where the rest of the budget went."""
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    assert "to no channel" not in (tmp_path / "report.md").read_text(encoding="utf-8")
    for cell in doc["targeting_matrix"]:
        cell["budget_share"] *= 0.75
    render_report(shopify["facts"], str(tmp_path), strategy=doc)
    for page in ("report.md", "report.html"):
        assert "The shares leave 25.0% of it to no channel: the pathways' costs beyond their segment's shares are paid from that part" in (tmp_path / page).read_text(encoding="utf-8")


def test_a_plan_with_its_own_review_schedule_replaces_the_default_one(tmp_path):
    """The built-in 'every month / quarter / twice a year' advice would contradict the plan's
    own schedule; the practical advice stays."""
    from custseg.render import playbook
    from custseg.render.report import _strategy

    plan = {"segments": {"champions": {"persona": "x"}}, "review_schedule": "Review monthly."}
    tailored = _strategy(plan, None)
    assert not set(playbook.SCHEDULE) & set(tailored["maintenance"]) and tailored["maintenance"]
    assert set(playbook.SCHEDULE) <= set(_strategy({"segments": {"champions": {"persona": "x"}}}, None)["maintenance"])


def test_compiled_templates_are_reused_and_a_broken_cache_is_skipped(shopify, tmp_path):
    from custseg.render.report import _CompiledTemplates, build_context, make_environment

    cache = _CompiledTemplates(str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    env = make_environment()
    env.bytecode_cache = cache
    first = env.get_template("report.md.j2").render(**build_context(shopify["facts"], str(tmp_path), None, None, inline_charts=False))
    assert list((tmp_path / "cache").iterdir()), "the compiled template was not kept"
    again = make_environment()
    again.bytecode_cache = cache
    assert again.get_template("report.md.j2").render(**build_context(shopify["facts"], str(tmp_path), None, None, inline_charts=False)) == first
    # a cache folder that vanished (or cannot be written) costs a compile, never the report
    broken = make_environment()
    broken.bytecode_cache = _CompiledTemplates(str(tmp_path / "missing"))
    assert broken.get_template("report.md.j2").render(**build_context(shopify["facts"], str(tmp_path), None, None, inline_charts=False)) == first


@pytest.mark.parametrize(
    "warning, plain",
    [
        ("99 orders not fully paid (pending, authorized, on hold or partly paid) are not counted; add --include-unpaid to count them", "99 orders not fully paid (pending, authorized, on hold or partly paid) are not counted"),
        ("the export names no currency: amounts are shown without one (use --currency to label them)", "the export names no currency: amounts are shown without one"),
        ("most of this base is lapsed (--method quantile would rank customers against each other instead, calling the least lapsed recent)", "most of this base is lapsed"),
        ("lists every customer by the id your export gave them (source_id); if a column does hold emails, name it with --map email=COLUMN", "lists every customer by the id your export gave them (source_id)"),
        ("they must not be emailed or uploaded to ad audiences; --include-unconsented writes them only for another lawful basis", "they must not be emailed or uploaded to ad audiences"),
        ("71% of customers bought once: frequency separates few customers", "71% of customers bought once: frequency separates few customers"),
        ("2 buyers would otherwise have looked like repeat buyers (data.installments counts them)", "2 buyers would otherwise have looked like repeat buyers"),
    ],
)
def test_warnings_lose_their_command_line_advice_in_the_report(warning, plain):
    assert for_owner(warning) == plain


def test_value_tier_rules_name_what_they_measure_and_the_currency(shopify):
    value = shopify["facts"]["segmentations"]["value"]
    high = next(t for t in value["definition"]["tiers"] if t["key"] == "high")
    assert value["segments"]["high"]["rule"] == f"spend above {high['above']:,.2f} USD"
    assert f"| High Value | spend above {high['above']:,.2f} USD |" in section(shopify["md"], "### Value tiers")


def _validation_points(facts: dict) -> tuple[str, str]:
    """The In short point on the next-period check, and the report's validation section."""
    import tempfile

    from custseg.render.report import build_context

    points = {p["lead"]: p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]}
    with tempfile.TemporaryDirectory() as out:
        render_report(facts, out)
        md = Path(out, "report.md").read_text()
    return points.get("Checked against what happened next", ""), section(md, "## Next-period validation")


def test_the_next_period_check_leads_with_no_lift_from_a_handful(shopify):
    """A trial store's top segment held one customer at the cutoff and In short said it 'bought
    again 17.79 times as often': a lift from so few is noise. The best-ranked segment with
    enough customers is told instead, by its rate against everyone's (both facts)."""
    import copy

    from custseg.render.report import MIN_CUSTOMERS_FOR_LIFT

    facts = copy.deepcopy(shopify["facts"])
    val = facts["segmentations"]["rfm"]["validation"]
    names = {k: s["name"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    rows = val["segments"]
    sized = [r for r in rows[1:] if r["customers"] >= MIN_CUSTOMERS_FOR_LIFT]
    assert rows[0]["customers"] >= MIN_CUSTOMERS_FOR_LIFT and sized, "the example needs a measurable top and one below it"
    rows[0]["customers"] = 1
    stand_in = sized[0]
    skipped = rows[: rows.index(stand_in)]
    check, part = _validation_points(facts)
    lift = f"{fmt_dec(val['top_lift'])} times"
    assert lift not in check and lift not in part
    first = f"{names[rows[0]['segment']]} (1 customer)"
    assert check.startswith(f"scored at {val['cutoff']}, {first}") and first in part
    for r in skipped[1:]:
        assert f"{names[r['segment']]} ({fmt_count(r['customers'])} customers)" in check
    told = f"were too few then to measure; the best-ranked segment with enough, {names[stand_in['segment']]} ({fmt_count(stand_in['customers'])} customers then), bought again {fmt_pct(stand_in['repeat_rate'])} of the time against {fmt_pct(val['base_repeat_rate'])} for all customers"
    assert told in check and told in part
    # every segment too small: nothing stands in, and the report says so
    for r in rows:
        r["customers"] = MIN_CUSTOMERS_FOR_LIFT - 1
    check, part = _validation_points(facts)
    assert check.startswith(f"scored at {val['cutoff']}, {names[rows[0]['segment']]} ({fmt_count(MIN_CUSTOMERS_FOR_LIFT - 1)} customers)")
    assert "were too few then to measure in the next" in check and "best-ranked" not in check and lift not in part
    # enough customers at the top: its lift, as before
    for r in rows:
        r["customers"] = MIN_CUSTOMERS_FOR_LIFT
    check, part = _validation_points(facts)
    assert f"({fmt_count(MIN_CUSTOMERS_FOR_LIFT)} customers then) bought again {lift} as often" in check and f"at {lift} that rate" in part


@pytest.mark.parametrize("customers, sized", [(3, True), (1, True), (20, False)])
def test_a_profile_says_how_many_a_next_period_rate_of_a_few_is_of(shopify, tmp_path, customers, sized):
    """A trial's profile said '66.7% bought again' of Loyal, 2 of the 3 in it at the check's
    cutoff. Under the floor the lift keeps to, the profile says how many the rate is of (a fact:
    the validation row's count); at the floor, the rate as before."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    rfm = facts["segmentations"]["rfm"]
    row = next(r for r in rfm["validation"]["segments"] if r["segment"] == "loyal")
    row["customers"] = customers
    render_report(facts, str(tmp_path))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = html_text((tmp_path / "report.html").read_text(encoding="utf-8"))
    rate = fmt_pct(rfm["segments"]["loyal"]["next_repeat_rate"])
    few = f"Of the customers in this segment at the start of the last period, {rate} of {fmt_count(customers)} bought again during it: too few to read as a rate."
    whole = f"Of the customers in this segment at the start of the last period, {rate} bought again during it."
    profile = section(md, f"### {rfm['segments']['loyal']['name']}")
    for text in (profile, page):
        assert (few in text, whole in text) == ((True, False) if sized else (False, True))
    assert md.count("too few to read as a rate") == (1 if sized else 0)  # the other segments' profiles, as before
    for text in (md, page):
        bad, _ = unmatched_numbers(text, facts)
        assert not bad, bad


def test_rows_read_from_several_files_are_told_apart(tmp_path):
    """An orders export with its customers export: 'Rows read' adds rows of two kinds, so the
    report and the intake brief give each file's rows (a skill trial read the sum as orders)."""
    from custseg.render.briefs import render_brief

    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    customers = tmp_path / "customers_export.csv"
    lines = ["First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders"] + [f"A,B,new{i}@example.com,yes,0.00,0" for i in range(3)]
    customers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", str(orders), str(customers), "--out", str(tmp_path / "out"), "--no-charts"]) == 0
    facts = json.loads((tmp_path / "out" / "facts.json").read_text(encoding="utf-8"))
    by_file = facts["data"]["rows_by_file"]
    assert by_file == {"orders_export.csv": 8835, "customers_export.csv": 3} and sum(by_file.values()) == facts["data"]["rows"]
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| Rows read | 8,838 (orders_export.csv 8,835; customers_export.csv 3) |" in md
    assert "8,838 rows read (8,835 from orders_export.csv, 3 from customers_export.csv; rows of different files, not orders)" in render_brief("intake", facts)


def test_in_short_names_the_segment_that_brings_the_most_revenue(shopify):
    """Best, largest and top-earning can be three segments (a store's own rules put 44% of
    revenue in Lapsed Big Spenders): each gets its line."""
    import copy

    from custseg.render.report import build_context

    facts = copy.deepcopy(shopify["facts"])
    segs = facts["segmentations"]["rfm"]["segments"]
    segs["at_risk"]["revenue_share"] = 0.5  # neither the best (Champions) nor the largest (Dormant)
    # At Risk bought nothing in the last period: its share is of the revenue over the data, not
    # today's (a trial's plan read 'brings the most revenue' as current)
    assert segs["at_risk"]["spend_last_period_per_customer"] == 0
    points = {p["lead"]: p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]}
    who = f"from {fmt_count(segs['at_risk']['count'])} customers ({fmt_pct(segs['at_risk']['pct_customers'])})"
    assert points["At Risk"] == f"brought the most revenue over the data: 50.0%, {who}, though none of them bought in the last {facts['period_days']} days."
    segs["at_risk"]["spend_last_period_per_customer"] = 12.5
    points = {p["lead"]: p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]}
    assert points["At Risk"] == f"brings the most revenue: 50.0%, {who}."
    plain = {p["lead"] for p in build_context(shopify["facts"], "/tmp", None, None, inline_charts=False)["summary"]}
    assert "At Risk" not in plain  # Dormant, the largest, also earns the most there


def test_a_segment_holding_most_customers_is_broken_down_in_short_and_in_the_brief(shopify):
    """A six-year store's Dormant held 89.5% of customers, from last quarter's buyers to 2020's,
    and nothing suggested acting on a part of it. In short and the segments brief say who is
    inside: by when they last bought and by value tier, with references that resolve."""
    from custseg.render.briefs import render_brief
    from custseg.strategy.resolve import resolve

    facts = shopify["facts"]
    dormant = facts["segmentations"]["rfm"]["segments"]["dormant"]
    assert dormant["pct_customers"] > 0.5 and sum(dormant["last_purchase_days"].values()) == dormant["count"] == sum(dormant["value_tiers"].values())
    bands = dormant["last_purchase_days"]
    point = next(p for p in section(shopify["md"], "## In short").splitlines() if p.startswith("- **Dormant**"))
    assert point.endswith(f" Inside it, by when they last bought: {fmt_count(bands['days_91_to_180'])} between 91 and 180 days ago, {fmt_count(bands['days_181_to_364'])} between 181 and 364 days ago, "
                          f"{fmt_count(bands['days_365_to_729'])} one to two years ago, {fmt_count(bands['days_730_or_more'])} two years ago or more; "
                          f"{fmt_count(dormant['value_tiers']['high'])} of them are High Value, a part the CRM files pick out by their value tier.")
    assert "by when they last bought: 0 in the last 90 days" not in point and not point.split("Inside it")[1].count("in the last 90 days")  # a band nobody is in is left out
    brief = render_brief("segments", facts)
    assert f"**Dormant holds {fmt_pct(dormant['pct_customers'])} of customers**: too broad to treat as one group." in brief
    refs = re.findall(r"`(\{segmentations\.rfm\.segments\.dormant\.(?:last_purchase_days|value_tiers)\.\w+\})`", brief)
    assert len(refs) == 4 + 3
    assert [resolve(r, facts) for r in refs] == [fmt_count(n) for n in list(bands.values())[1:] + list(dormant["value_tiers"].values())]
    champions = facts["segmentations"]["rfm"]["segments"]["champions"]
    assert champions["pct_customers"] < 0.5 and "**Champions holds" not in brief


def test_a_broad_segment_all_in_one_band_is_not_split_by_it(shopify):
    """A 22-day export's Recent Buyers: 'Inside it, by when they last bought: 69 in the last 90
    days' split nothing. One band (or one value tier) is left out of In short and the brief."""
    import copy

    from custseg.render.briefs import render_brief
    from custseg.render.report import _inside

    facts = copy.deepcopy(shopify["facts"])
    dormant = facts["segmentations"]["rfm"]["segments"]["dormant"]
    dormant["last_purchase_days"] = {k: (dormant["count"] if k == "days_181_to_364" else 0) for k in dormant["last_purchase_days"]}
    tiers = {"high": "High Value", "medium": "Medium Value", "low": "Low Value"}
    assert _inside(dormant, tiers) == f" Inside it, {fmt_count(dormant['value_tiers']['high'])} of them are High Value, a part the CRM files pick out by their value tier."
    brief = render_brief("segments", facts)
    line = next(x for x in brief.splitlines() if x.startswith("**Dormant holds"))
    assert "by when they last bought" not in line and "Inside it, by value tier: " in line
    dormant["value_tiers"] = {k: (dormant["count"] if k == "low" else 0) for k in dormant["value_tiers"]}
    assert _inside(dormant, tiers) == ""
    line = next(x for x in render_brief("segments", facts).splitlines() if x.startswith("**Dormant holds"))
    assert "Inside it" not in line and "neither when they last bought nor value tier splits it here" in line


def test_every_last_purchase_band_has_its_words():
    """The report's and brief's words for the bands are the bands the facts count, each once."""
    from custseg.compute.analysis import LAST_PURCHASE_BANDS
    from custseg.render.report import LAST_PURCHASE_WORDS

    assert list(LAST_PURCHASE_WORDS) == [name for _, name in LAST_PURCHASE_BANDS]


def test_the_last_purchase_year_is_the_seasonality_year(tmp_path):
    """A customer who last bought 365 days before the as-of date (the same date a year earlier)
    is outside the seasonality window's 365 days, and so outside the band of this year too: the
    band's customers who bought within the year are the quarters' buyers (a trial's 303 against 297)."""
    import pandas as pd

    from custseg.compute.analysis import LAST_PURCHASE_BANDS, last_purchase_bands
    from custseg.compute.seasons import window

    as_of = 20_000
    first, last = window(as_of)
    recency = np.array([as_of - first, as_of - first + 1, 180, 181, 729, 730])
    counts = dict(zip([name for _, name in LAST_PURCHASE_BANDS], last_purchase_bands(np.zeros(len(recency), dtype=np.int64), 1, recency)[0]))
    assert as_of - first == 364 and last == as_of
    assert counts == {"within_90_days": 0, "days_91_to_180": 1, "days_181_to_364": 2, "days_365_to_729": 2, "days_730_or_more": 1}
    # a whole run: every customer in the year's bands bought within the seasonality window
    path = tmp_path / "log.csv"
    days = pd.to_datetime(["2024-01-10", "2024-06-30", "2024-07-01", "2024-12-31", "2025-03-01", "2025-06-30"])
    rows = [(f"c{i}", d.date().isoformat(), "10.00") for i in range(60) for d in days[: i % len(days) + 1]]  # a tenth last bought on each day
    path.write_text("customer_id,date,amount\n" + "".join(f"{c},{d},{a}\n" for c, d, a in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--as-of", "2025-06-30", "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    within_year = sum(sum(v for k, v in s["last_purchase_days"].items() if k in ("within_90_days", "days_91_to_180", "days_181_to_364")) for s in facts["segmentations"]["rfm"]["segments"].values())
    assert facts["data"]["seasonality"]["window_start"] == "2024-07-01"
    assert within_year == facts["data"]["seasonality"]["buyers"] == 40  # not the ten who last bought on 2024-06-30, 365 days before


def test_the_segments_brief_says_how_many_stayed_in_each_segment(shopify):
    """A trial's Loyal had a 'stable' share while 107 of its 139 customers moved to At Risk in
    one period: the brief gives, per segment, how many of the earlier date's are in it still."""
    from custseg.render.briefs import render_brief
    from custseg.strategy.resolve import resolve

    facts = shopify["facts"]
    rfm = facts["segmentations"]["rfm"]
    matrix = rfm["migration"]["matrix"]
    brief = render_brief("segments", facts)
    line = next(x for x in brief.splitlines() if x.startswith("Trend: "))
    for key in rfm["order"]:
        total = sum(matrix[key].values())
        ref = f"{{segmentations.rfm.migration.matrix.{key}.{key}}}"
        if total >= 5:
            assert f"{rfm['segments'][key]['name']} {fmt_count(matrix[key][key])} of {fmt_count(total)} (`{ref}`)" in line
            assert resolve(ref, facts) == fmt_count(matrix[key][key])
        else:
            assert ref not in line
    assert any(matrix[k][k] < sum(matrix[k].values()) / 2 for k in rfm["order"] if sum(matrix[k].values()) >= 5)  # the case the line is for


def test_health_says_it_measures_momentum_not_value(shopify):
    """Healthy customers can spend more than Thriving ones (a skill trial read that as
    inverted): the method's reason says what the score measures."""
    health = shopify["facts"]["segmentations"]["health"]
    assert health["method_reason"].endswith("it measures momentum (how recently and how steadily a customer buys), not what they are worth: value tiers do that")
    assert health["method_reason"] in section(shopify["md"], "### Health bands")


def test_in_short_without_amounts_speaks_of_customers_only(shopify):
    import copy

    from custseg.render.report import build_context

    facts = copy.deepcopy(shopify["facts"])
    for s in facts["segmentations"]["rfm"]["segments"].values():
        s["revenue_share"] = None  # an event log without amounts
    texts = [p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"] if p["lead"] != "Old data"]
    champions = facts["segmentations"]["rfm"]["segments"]["champions"]
    assert texts[0] == f"{fmt_count(champions['count'])} customers ({fmt_pct(champions['pct_customers'])} of all)."
    assert not any("n/a" in t or "of revenue" in t for t in texts)


# -- a plan on the usage groups (an event log's behavioral segments) -----------------------------


def _usage_plan(facts: dict) -> dict:
    seg = facts["segmentations"]["behavioral"]
    return {"segmentation": "behavioral", "segments": {k: {"persona": f"Users of the {k} group."} for k in seg["order"] if seg["segments"][k]["count"]}}


@pytest.fixture(scope="module")
def usage_report(rendered, tmp_path_factory) -> dict:
    """The event log's report with a plan on its usage groups, and a chart of each kind."""
    facts = rendered["product_events.jsonl"]["facts"]
    out = tmp_path_factory.mktemp("usage_plan")
    (out / "charts").mkdir()
    for file in ("segments.png", "usage.png"):
        (out / "charts" / file).write_bytes(tiny_png())
    charts = [{"file": "segments.png", "title": "RFM segments"}, {"file": "usage.png", "title": "Usage groups chart"}]
    render_report(facts, str(out), charts=charts, strategy=_usage_plan(facts))
    return {"facts": facts, "md": (out / "report.md").read_text(encoding="utf-8"), "html": (out / "report.html").read_text(encoding="utf-8")}


def test_a_usage_plan_leads_with_the_usage_groups(usage_report):
    facts, md = usage_report["facts"], usage_report["md"]
    order = ["## In short", "## The data we used", "## Usage groups at a glance", "## Usage group profiles", "## How customers were scored", "## RFM segments at a glance", "## Segment profiles"]
    positions = [md.index(h + "\n") for h in order]
    assert positions == sorted(positions), "the usage groups come first, RFM after as the buyers' view"
    seg = facts["segmentations"]["behavioral"]
    glance, profiles = section(md, "## Usage groups at a glance"), section(md, "## Usage group profiles")
    assert "| Usage group | Rule | Users | % of users | Active days in the last 30 (average) | Time since last active (median) |" in glance
    for key in seg["order"]:
        s = seg["segments"][key]
        assert f"| {s['name']} | " in glance and f"| {fmt_count(s['count'])} | {fmt_pct(s['pct_customers'])} | {fmt_days(s['active_days_30'])} | {fmt_days(s['days_since_active'])} |" in glance
        if s["count"]:
            part = section(profiles, f"### {s['name']}")
            assert f"**{fmt_count(s['count'])} users** ({fmt_pct(s['pct_customers'])} of all users)" in part
            if s["active_days_30"]:
                assert f"active on {fmt_days(s['active_days_30'])} of the last 30 on average" in part
            else:  # not 'active on 0 days'
                assert "None of them was active in the last 30 days." in part and "active on 0 days" not in part
            if s["days_since_active"]:
                assert f"since last active is {fmt_days(s['days_since_active'])}" in part
            else:  # not 'a median 0 days'
                assert "At least half of them were active on the last day of the data." in part and "0 days" not in part
    assert "### Behavioral segments" not in md  # shown once, up front
    assert "buyers' view" in section(md, "## How customers were scored")
    assert "on the usage groups" in section(md, "## Strategy per segment")


def test_a_usage_plan_keeps_its_groups_current_by_the_behavior_column(usage_report):
    """The plan's rules key on usage groups: the import advice maps behavior, not segment_name
    (empty for users who never bought), and the alert speaks of use."""
    part = section(usage_report["md"], "### Keeping segments current")
    assert "with behavior (the usage group) as the segment property" in part and "segment_name" not in part
    assert "flag an active user who goes quiet to whoever follows up" in part and "top customer" not in part


def test_a_usage_plan_opens_in_short_with_the_usage_groups(usage_report):
    facts, md = usage_report["facts"], usage_report["md"]
    seg, rfm = facts["segmentations"]["behavioral"], facts["segmentations"]["rfm"]
    lines = [line for line in section(md, "## In short").splitlines()[1:] if line and not line.startswith("- **Old data**")]
    top = seg["segments"][next(k for k in seg["order"] if seg["segments"][k]["count"])]
    assert lines[0].startswith(f"- **{top['name']}**: {fmt_count(top['count'])} users ({fmt_pct(top['pct_customers'])} of all) were active on {fmt_days(top['active_days_30'])} of the last 30 on average")
    largest = max(seg["segments"].values(), key=lambda s: s["count"])
    assert lines[1].startswith(f"- **{largest['name']}** is the largest usage group: {fmt_count(largest['count'])} users ({fmt_pct(largest['pct_customers'])} of all)")
    assert f"last active a median {fmt_days(largest['days_since_active'])} ago" in lines[1]
    d = facts["data"]
    assert lines[2] == f"- **Buyers**: {fmt_count(d['buyers'])} of the {fmt_count(d['customers'])} users bought. The RFM segments, after the usage groups, rank them by their purchases; the {fmt_count(d['customers'] - d['buyers'])} who never bought are in none of them."
    assert lines[3].startswith(f"- **{rfm['segments'][rfm['order'][0]]['name']}**: ")  # then the buyers' view
    assert "written for the usage groups" in lines[-1]
    assert not any(line.startswith("- **Never bought**") for line in lines)


def test_a_usage_plan_report_holds_only_facts(usage_report):
    facts = usage_report["facts"]
    md = re.sub(r"\]\([^)]*\)", "]", usage_report["md"])
    bad, checked = unmatched_numbers(md, facts)
    assert checked > 100 and not bad, "\n".join(bad[:20])
    bad, _ = unmatched_numbers(html_text(usage_report["html"]), facts)
    assert not bad, "\n".join(bad[:20])


def test_the_usage_chart_sits_with_the_usage_groups(usage_report, rendered, tmp_path):
    md, page = usage_report["md"], usage_report["html"]
    assert "![Usage groups chart](charts/usage.png)" in section(md, "## Usage groups at a glance")
    assert "usage.png" not in section(md, "## Charts") and "![RFM segments](charts/segments.png)" in section(md, "## Charts")
    assert page.index('<section id="usage"') < page.index("Usage groups chart</figcaption>") < page.index('<section id="usage-profiles"')
    assert page.index('<section id="usage"') < page.index('id="scoring"') and 'href="#usage"' in page
    # without a usage plan the chart goes with the behavioral segments, among the other segmentations
    facts = rendered["product_events.jsonl"]["facts"]
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "usage.png").write_bytes(tiny_png())
    render_report(facts, str(tmp_path), charts=[{"file": "usage.png", "title": "Usage groups chart"}])
    plain = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Usage groups at a glance" not in plain and "![Usage groups chart](charts/usage.png)" in section(plain, "### Behavioral segments")


def test_a_plan_on_rfm_keeps_rfm_first_on_an_event_log(rendered, tmp_path):
    facts = rendered["product_events.jsonl"]["facts"]
    render_report(facts, str(tmp_path), strategy={"segmentation": "rfm", "segments": {"champions": {"persona": "Regulars."}}})
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Usage groups at a glance" not in md and "### Behavioral segments" in md
    rfm = facts["segmentations"]["rfm"]
    points = [line for line in section(md, "## In short").splitlines() if line.startswith("- **") and not line.startswith("- **Old data**")]
    assert points[0].startswith(f"- **{rfm['segments'][rfm['order'][0]]['name']}**: ")


# -- keeping segments current: the files that have anyone in them ------------------------------


def _keeping(md: str) -> str:
    return section(md, "### Keeping segments current")


def test_keeping_current_names_only_files_with_rows(rendered, shopify, tmp_path):
    import copy

    events = rendered["product_events.jsonl"]
    assert not any(n for f, n in events["facts"]["exports"]["rows_written"].items() if f != "segments_generic.csv")
    part = _keeping(events["md"])
    assert "This export has no usable emails, so the Klaviyo, HubSpot and Mailchimp files have no one in them" in part
    assert "an email tool that stores the number but matches on email only" in part  # the route the intake asks about
    assert "imports the file matched on source_id, with segment_name as the segment property" in part  # a CRM keyed by their id
    assert "customers.csv" not in part  # its c_ ids match nothing in the user's tools
    assert not re.search(r"klaviyo\.csv|hubspot\.csv|mailchimp\.csv", part) and "segments_generic.csv" in part
    assert "start an email sequence" not in part
    assert "This export has no usable emails" in html_text(events["html"])
    # a store with emails: the files to import, by name
    part = _keeping(shopify["md"])
    assert "import the file for your email tool (klaviyo.csv, hubspot.csv or mailchimp.csv, in exports/)" in part
    # a file the run left empty is not named
    facts = copy.deepcopy(shopify["facts"])
    facts["exports"]["rows_written"]["hubspot.csv"] = 0
    render_report(facts, str(tmp_path))
    part = _keeping((tmp_path / "report.md").read_text(encoding="utf-8"))
    assert "(klaviyo.csv or mailchimp.csv, in exports/)" in part and "hubspot.csv" not in part


def test_keeping_current_says_when_email_reaches_few(shopify, tmp_path):
    """A store whose buyers opted out (a TikTok Shop trial: 1 of 51 in Klaviyo's file) is told
    that email reaches few, not only to start sequences; a store email reaches is not."""
    import copy

    from custseg.render.report import FEW_REACHED

    exports = shopify["facts"]["exports"]
    assert exports["reachable"] >= FEW_REACHED * exports["customers"]
    assert "hold only" not in _keeping(shopify["md"])
    assert "bought through" not in _keeping(shopify["md"])  # its TikTok buyers are a few of many
    facts = copy.deepcopy(shopify["facts"])
    facts["exports"]["reachable"] = 3
    render_report(facts, str(tmp_path))
    part = _keeping((tmp_path / "report.md").read_text(encoding="utf-8"))
    opted = sum(exports["left_out_no_consent"].values())
    assert opted, "the Shopify example has opted-out customers"
    assert f"The email-tool files hold only 3 of the {fmt_count(exports['customers'])} people the CRM files list ({fmt_count(opted)} opted out" in part
    assert "act on the segments mainly where they buy" in part


def test_keeping_current_alerts_on_a_risk_segment_only_when_one_holds_anyone(shopify, tmp_path):
    """'Alert the owner when a top customer slips into a risk segment' was advised to a 3-customer
    store with nobody at risk, dormant or lapsed; a base with such customers keeps it. The small
    base's Needs Attention ('have not bought in a while', recency 1-2) is one of them."""
    import copy

    from custseg.render.report import ALERT, went_quiet

    assert ALERT in _keeping(shopify["md"]) and "the segments at risk of leaving" in _keeping(shopify["md"])
    facts = copy.deepcopy(shopify["facts"])
    rfm = facts["segmentations"]["rfm"]
    for key, seg in rfm["segments"].items():
        if went_quiet(key, rfm):
            seg["count"] = 0
    render_report(facts, str(tmp_path))
    part = _keeping((tmp_path / "report.md").read_text(encoding="utf-8"))
    assert "alert the owner" not in part and "risk" not in part
    assert "to tag customers by segment and start an email sequence when a customer enters a segment." in part
    assert "- Put manual effort where it pays: the best segments." in part
    # nobody can be emailed: the tagging advice ends without the alert
    facts["exports"]["rows_written"] = {f: (n if f == "segments_generic.csv" else 0) for f, n in facts["exports"]["rows_written"].items()}
    facts["exports"]["left_out_no_consent"] = {k: n + facts["exports"]["reachable_by_segment"].get(k, 0) for k, n in facts["exports"]["left_out_no_consent"].items()}
    facts["exports"].update(reachable=0, reachable_by_segment=dict.fromkeys(facts["exports"]["reachable_by_segment"], 0))
    render_report(facts, str(tmp_path))
    part = _keeping((tmp_path / "report.md").read_text(encoding="utf-8"))
    assert "after each rerun (with the same segment.key) tag them again.\n" in part
    small = {"segments": {"needs_attention": {"name": "Needs Attention"}, "core_customers": {"name": "Core Customers"}},
             "rules": {"segments": [{"key": "needs_attention", "when": {"r": [1, 2]}}, {"key": "core_customers", "when": {}}]}}
    assert went_quiet("needs_attention", small) and not went_quiet("core_customers", small)
    assert not went_quiet("needs_attention", {"segments": {"needs_attention": {"name": "Needs Attention"}}, "rules": {"segments": [{"key": "needs_attention", "when": {}}]}})


def test_the_report_speaks_of_the_tools_the_plan_names(shopify, tmp_path):
    """A plan whose rules run in Customer.io gets Customer.io's file, not the Klaviyo, HubSpot and Mailchimp ones."""
    facts = shopify["facts"]
    exports = facts["exports"]
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    for rule in plan["automation_rules"]:
        rule["crm"] = {"Klaviyo": "Customer.io"}.get(rule["crm"], rule["crm"])  # Shopify Flow imports no file: left as it is
    render_report(facts, str(tmp_path), strategy=plan)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    part, short = _keeping(md), section(md, "## In short")
    assert "import segments_generic.csv into Customer.io (in exports/)" in part and "map its segment_name column to an attribute" in part
    assert not re.search(r"klaviyo|hubspot|mailchimp|Shopify Flow", part, re.IGNORECASE)
    assert f"Customer.io (the rows of segments_generic.csv with an email and marketing_consent other than no) reaches {fmt_count(exports['reachable'])} of {fmt_count(exports['customers'])} customers" in short
    own_words = "\n".join(line for line in short.splitlines() if not line.startswith("- **Plan**"))  # the plan's roadmap, in its own words, may name any tool
    assert "Klaviyo" not in own_words
    assert "For this plan's rules, import segments_generic.csv into Customer.io." in section(md, "## Files for your CRM")
    # two tools, one of them with its own file
    plan["automation_rules"][0]["crm"] = "Klaviyo"
    render_report(facts, str(tmp_path), strategy=plan)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "import klaviyo.csv into Klaviyo and segments_generic.csv into Customer.io (in exports/)" in _keeping(md)  # first named first
    assert "the Klaviyo file and Customer.io (the rows of segments_generic.csv" in section(md, "## In short")


def test_a_plan_tool_whose_file_is_empty_is_told_the_source_id_route(rendered, tmp_path):
    """An export with no emails leaves mailchimp.csv empty: a plan whose rules run in Mailchimp is
    not told to import it (a UCI trial read 'import mailchimp.csv into Mailchimp' over a file of
    no rows), but how to reach those people through segments_generic.csv's ids."""
    events = rendered["product_events.jsonl"]
    facts = events["facts"]
    assert facts["exports"]["rows_written"]["mailchimp.csv"] == 0 and facts["exports"]["rows_written"]["segments_generic.csv"] > 0
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    for rule in plan["automation_rules"]:
        rule["crm"] = "Mailchimp"
    render_report(facts, str(tmp_path), strategy=plan)
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Files for your CRM")
    assert "import mailchimp.csv" not in part
    assert "Mailchimp matches contacts on email, which this export does not hold: export your audience there" in part
    assert "look each id up in segments_generic.csv's source_id column" in part and "sets the segment tag" in part
    # HubSpot matches an import on a unique property: no tags, and the same route as the routine's
    for rule in plan["automation_rules"]:
        rule["crm"] = "HubSpot"
    render_report(facts, str(tmp_path), strategy=plan)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    part = section(text, "## Files for your CRM")
    assert "HubSpot can match an import on a unique property" in part and "matched on its source_id column, mapping segment_name to customer_segment" in part
    assert "tag" not in part.split("HubSpot can match", 1)[1].split("\n")[0]


def test_crm_file_notes_follow_the_plans_tools(shopify, tmp_path):
    """A note about one file (HubSpot's import steps) is left out when no tool of the plan
    imports that file, and kept when one does or when there is no plan (a Klaviyo-only plan
    still read 'hubspot.csv: create the contact property ...' in a trial)."""
    import copy

    facts = shopify["facts"]
    hubspot = [n for n in facts["exports"]["notes"] if n.startswith("hubspot.csv: ")]
    klaviyo = [n for n in facts["exports"]["notes"] if n.startswith("klaviyo.csv: ")]  # mapping Last Purchase as a date
    others = [n for n in facts["exports"]["notes"] if not n.startswith(("hubspot.csv: ", "klaviyo.csv: "))]
    assert hubspot and klaviyo and others, "the Shopify example needs a HubSpot note, a Klaviyo note and others"
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))

    def files_part(crms: list[str] | None) -> str:
        if crms is None:
            render_report(facts, str(tmp_path))
        else:
            doc = copy.deepcopy(plan)
            for rule, crm in zip(doc["automation_rules"], crms * len(doc["automation_rules"])):
                rule["crm"] = crm
            render_report(facts, str(tmp_path), strategy=doc)
        return section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Files for your CRM")

    for crms, shown in ((["Klaviyo"], False), (["Klaviyo", "HubSpot"], True), (["HubSpot"], True), (None, True)):
        part = files_part(crms)
        assert all((f"- {n}" in part) == shown for n in hubspot), crms
        assert all((f"- {n}" in part) == (crms is None or "Klaviyo" in crms) for n in klaviyo), crms
        assert all(f"- {n}" in part for n in others), crms  # notes about every file stay


def test_keeping_current_on_a_usage_plan_says_where_the_usage_group_is(usage_report):
    part = _keeping(usage_report["md"])
    assert "Each user's usage group is in the behavior column of segments_generic.csv." in part
    assert not re.search(r"klaviyo\.csv|hubspot\.csv|mailchimp\.csv", part)


# -- the next-period check names every break -----------------------------------------------------


def test_in_short_names_every_break_in_the_next_period_order(shopify):
    import copy

    from custseg.render.report import build_context

    facts = copy.deepcopy(shopify["facts"])
    rows = facts["segmentations"]["rfm"]["validation"]["segments"]
    names = {k: s["name"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    rows[2]["repeat_rate"] = 0.7  # New above Loyal, as well as At Risk above Needs Attention
    facts["segmentations"]["rfm"]["validation"]["monotone"] = False
    facts["segmentations"]["rfm"]["validation"]["inversions"].insert(0, {"lower": rows[2]["segment"], "higher": rows[1]["segment"], "lower_repeat_rate": 0.7, "higher_repeat_rate": rows[1]["repeat_rate"],
                                                                        "gap": round(0.7 - rows[1]["repeat_rate"], 6), "chance_gap": 0.01, "within_chance": False})
    points = {p["lead"]: p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]}
    check = points["Checked against what happened next"]
    breaks = [(rows[i + 1], rows[i]) for i in range(len(rows) - 1) if rows[i + 1]["repeat_rate"] > rows[i]["repeat_rate"]]
    assert len(breaks) == 2
    for lower, higher in breaks:
        assert f"{names[lower['segment']]} ({fmt_pct(lower['repeat_rate'])}) bought again more often than {names[higher['segment']]} ({fmt_pct(higher['repeat_rate'])})" in check
    assert check.count("bought again more often than") == 2


def test_the_data_section_shows_what_left_out_orders_were_worth_and_sales_by_month(shopify):
    """The analyst sees the orders the segments do not hold, per reason: their order total, what
    is left of it after refunds and, as the export gives each order's outstanding balance, the
    money they actually collected; and the months the scored orders fell in, each figure read
    from facts.data."""
    data = shopify["facts"]["data"]
    part = section(shopify["md"], "## The data we used")
    assert "| Reason | Rows | Orders | Order total | After refunds | Collected |" in part
    # not fully paid: after refunds still the whole total, of which only what was paid is collected
    unpaid = f"| not fully paid (pending, authorized, on hold or partly paid) | {data['dropped']['unpaid']:,} | {data['dropped_orders']['unpaid']:,} | {data['dropped_gross']['unpaid']:,.2f} USD | {data['dropped_value']['unpaid']:,.2f} USD | {data['dropped_collected']['unpaid']:,.2f} USD |"
    assert unpaid in part and 0 < data["dropped_collected"]["unpaid"] < data["dropped_value"]["unpaid"] == data["dropped_gross"]["unpaid"]
    # voided: never taken, so nothing collected though its total is after refunds untouched
    voided = f"| voided | {data['dropped']['voided']:,} | {data['dropped_orders']['voided']:,} | {data['dropped_gross']['voided']:,.2f} USD | {data['dropped_value']['voided']:,.2f} USD | 0.00 USD |"
    assert voided in part and data["dropped_value"]["voided"] > 0
    refunded = f"| fully refunded | {data['dropped']['refunded']:,} | {data['dropped_orders']['refunded']:,} | {data['dropped_gross']['refunded']:,.2f} USD | 0.00 USD | 0.00 USD |"
    assert refunded in part and data["dropped_gross"]["refunded"] > 0
    assert "Order total: what the left-out orders were placed for, before any refund." in part
    assert "After refunds: the order total less what was refunded; it still counts money never collected" in part
    assert "Collected: what customers actually paid and were not paid back (the order total less refunds and less the export's outstanding balance)." in part
    assert "nets to nothing" not in part and "Fully refunded orders still come to" not in part  # the example's refunds match their totals
    months = [line for line in part.splitlines() if re.match(r"\| \d{4}-\d{2}\b", line)]
    assert len(months) == len(data["by_month"]) and sum(m["orders"] for m in data["by_month"]) == data["orders"]
    last = data["by_month"][-1]
    assert months[-1].startswith(f"| {last['month']} | {last['orders']:,} | {last['buyers']:,} |")
    assert "Sales by calendar month" in shopify["html"] and '<th class="num">After refunds</th><th class="num">Collected</th>' in shopify["html"]
    # the intake brief says the same amounts are after refunds, not what the orders sold for
    from custseg.render.briefs import render_brief

    intake = render_brief("intake", shopify["facts"])
    assert f"unpaid {data['dropped']['unpaid']:,} rows ({data['dropped_orders']['unpaid']:,} orders), order total {data['dropped_value']['unpaid']:,.2f} USD, {data['dropped_collected']['unpaid']:,.2f} USD collected;" in intake
    assert f"refunded {data['dropped']['refunded']:,} rows ({data['dropped_orders']['refunded']:,} orders), order total {data['dropped_gross']['refunded']:,.2f} USD, 0.00 USD after refunds, 0.00 USD collected;" in intake
    assert "quote it, not the amount after refunds, as the sales those orders lost.\n- " in intake  # its own line ends, the next bullet starts


def test_left_out_table_says_what_fully_refunded_orders_still_come_to(shopify, tmp_path):
    """'Fully refunded' is Shopify's status: a refund that differs from the total leaves an
    amount (a real export's 818 such orders came to 1,099.18 USD, one refunded 20.96 above its
    total). The footnote says so with the figure instead of claiming they net to nothing, in
    the markdown and the HTML alike."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    facts["data"]["dropped_value"]["refunded"] = 1099.18
    facts["data"]["dropped_collected"]["refunded"] = -20.96
    render_report(facts, str(tmp_path))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    said = "Fully refunded orders still come to 1,099.18 USD after refunds, not nothing: some refunds differ from the order's total; collected: -20.96 USD (more paid back than collected), and the difference is still outstanding."
    assert said in md and said in html.unescape(page)
    assert "a negative amount is more paid back than was collected" in md
    assert "| -20.96 USD |" in md


def test_left_out_table_without_outstanding_balances_keeps_two_amounts_in_accurate_words(shopify, tmp_path):
    """An export with refunds but no outstanding balance (an older Shopify export, WooCommerce)
    cannot say what was collected: no Collected column, and the footnote says an order never
    paid counts its whole total."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    del facts["data"]["dropped_collected"]
    render_report(facts, str(tmp_path))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "| Reason | Rows | Orders | Order total | After refunds |\n" in md and "Collected" not in section(md, "## The data we used")
    note = "After refunds: the order total less what was refunded; an order never paid (cancelled, voided or pending) counts its whole total, as the export does not say what was collected."
    assert note in md and note in html.unescape(page) and '<th class="num">Collected</th>' not in page


def test_left_out_returns_are_called_money_paid_back(shopify, tmp_path):
    """A negative net amount (returns left out with --exclude-returns) is not 'sales': the report
    says revenue is before those refunds, and says nothing of the kind without one."""
    import copy

    assert "money paid back" not in shopify["md"]
    facts = copy.deepcopy(shopify["facts"])
    facts["data"]["dropped"]["returned"] = 3
    facts["data"]["dropped_orders"]["returned"] = 2
    facts["data"]["dropped_value"]["returned"] = -45.5
    render_report(facts, str(tmp_path))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| returns (negative amounts) | 3 | 2 | n/a | -45.50 USD | n/a |" in md
    assert "A negative amount is money paid back (returns left out), so revenue here is before those refunds." in md


def test_the_rfm_section_shows_when_each_segment_buys(rendered, shopify):
    """'When each segment buys': per segment with customers, its buyers in the last 365 days,
    the share of its spend in each calendar quarter and the share who bought in one quarter
    only, then every customer's; each figure read from the facts. Not shown for a customer table."""
    facts = shopify["facts"]
    year = facts["data"]["seasonality"]
    part = section(shopify["md"], "### When each segment buys (last 365 days)")
    assert part.startswith("### When each segment buys") and "## RFM segments at a glance" in shopify["md"][: shopify["md"].index(part)]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("| Segment")]
    segments = facts["segmentations"]["rfm"]["segments"]
    active = [k for k in facts["segmentations"]["rfm"]["order"] if segments[k]["count"]]
    assert len(rows) == len(active) + 1

    def line(name, z):
        quarters = " | ".join(fmt_pct(z["revenue_share"][q]) for q in ("q1", "q2", "q3", "q4"))
        return f"| {name} | {fmt_count(z['buyers'])} | {quarters} | {fmt_pct(z['one_quarter_only'])} |"

    assert rows == [line(segments[k]["name"], segments[k]["seasonality"]) for k in active] + [line("All customers", year)]
    assert sum(year["revenue_share"].values()) == pytest.approx(1.0, abs=1e-9)
    assert f"The 365 days from {year['window_start']} to {year['window_end']}, split by calendar quarter." in part
    # the quarter columns are shares of spend beside a Buyers column, and rounded: a row of a real
    # export added up to 100.1% while the note said 'the four make up the whole'
    assert "| Segment | Buyers | Spend in Q1 Jan-Mar | Spend in Q2 Apr-Jun | Spend in Q3 Jul-Sep | Spend in Q4 Oct-Dec | One quarter only |" in part
    said = "Spend in Q1 to Q4: the share of the segment's spend (not of its buyers) that fell in each quarter; each share is rounded, so a row may add up to a little more or less than the whole."
    assert said in part and said in html_text(shopify["html"]) and "make up the whole" not in shopify["md"]
    assert '<th class="num">Spend in Q1 Jan-Mar</th>' in shopify["html"]
    assert '<h3 id="seasons">When each segment buys (last 365 days)</h3>' in shopify["html"]
    cells = [fmt_count(year["buyers"])] + [fmt_pct(year["revenue_share"][q]) for q in ("q1", "q2", "q3", "q4")] + [fmt_pct(year["one_quarter_only"])]
    assert '<tr class="total"><td class="name">All customers</td>' + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>" in shopify["html"]
    crm = rendered["crm_customers.csv"]
    assert "When each segment buys" not in crm["md"] and "When each segment buys" not in crm["html"]
    assert "- **Seasonality by segment:** needs transactions over time; a customer table is one snapshot." in section(crm["md"], "## Not computed")


def test_when_each_segment_buys_without_amounts_gives_buyer_shares(shopify, tmp_path):
    """Data without amounts has no spend to split: the quarter columns are the shares of each
    segment's buyers who bought in the quarter (facts' buyers_share), and the note says so."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    facts["data"]["revenue_total"] = None
    render_report(facts, str(tmp_path))
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "### When each segment buys (last 365 days)")
    segments = facts["segmentations"]["rfm"]["segments"]
    active = [k for k in facts["segmentations"]["rfm"]["order"] if segments[k]["count"]]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("| Segment")]
    shares = [[fmt_pct(z["buyers_share"][q]) for q in ("q1", "q2", "q3", "q4")] for z in [segments[k]["seasonality"] for k in active] + [facts["data"]["seasonality"]]]
    assert [row.strip("| ").split(" | ")[2:6] for row in rows] == shares
    assert any(z["buyers_share"] != z["revenue_share"] for z in [segments[k]["seasonality"] for k in active])  # the two figures differ here
    assert "Bought in Q1 to Q4: the share of the segment's buyers who bought at least once in each quarter; one who bought in several quarters counts in each" in part
    assert "| Bought in Q1 Jan-Mar |" in part and "Spend in" not in part and "share of the segment's spend" not in part


def test_mrr_and_prospects_by_status_are_shown_only_when_the_data_has_them(rendered, shopify):
    """A CRM table with an MRR column: the data section gives the live accounts' MRR and the
    prospects by status (so the status counts reconcile with the file), and every segment
    table an MRR and MRR Share column; other data has neither."""
    crm = rendered["crm_customers.csv"]
    facts, md = crm["facts"], crm["md"]
    d = facts["data"]
    part = section(md, "## The data we used")
    assert f"| MRR of live accounts | {fmt_money(d['mrr_total'], d['currency'])} |" in part
    assert f"| Contacts who never bought (not segmented) | {fmt_count(d['prospects'])} (by status: active 45, churned 28, trialing 5) |" in part
    glance = section(md, "## RFM segments at a glance")
    assert "| Segment | Count | % of Total | Revenue Share | Spend per customer | MRR | MRR Share | Trend |" in glance
    for key, s in facts["segmentations"]["rfm"]["segments"].items():
        assert f"| {fmt_money(s['avg_value'], d['currency'])} | {fmt_money(s['mrr'], d['currency'])} | {fmt_pct(s['mrr_share'])} |" in glance, key
    health = section(md, "### Health bands")
    critical = facts["segmentations"]["health"]["segments"]["critical"]
    assert "| MRR | MRR Share |" in health and f"| {fmt_money(critical['mrr'], d['currency'])} | {fmt_pct(critical['mrr_share'])} |" in health
    assert md.count("| MRR | MRR Share |") == len(facts["segmentations"])  # the RFM glance table and each other segmentation's
    assert "<th class=\"num\">MRR</th><th class=\"num\">MRR Share</th>" in crm["html"] and "MRR of live accounts" in crm["html"]
    for other in (shopify, rendered["stripe_unified_payments.csv"], rendered["product_events.jsonl"]):
        assert other["facts"]["data"]["mrr_total"] is None
        assert "MRR Share" not in other["md"] and "MRR of live accounts" not in other["md"] and "MRR Share" not in other["html"]
        assert "by status:" not in other["md"]


def test_shares_are_shown_as_the_exact_share_rounds(rendered):
    """A share stored to 4 decimals and shown to 1 rounds twice (0.734470 -> 0.7345 -> 73.5%, where
    the revenue says 73.4%): every RFM share in the report is the exact one, rounded once."""
    import pandas as pd

    checked = 0
    for name, run in rendered.items():
        customers = pd.read_csv(run["dir"] / "customers.csv")
        rfm = run["facts"]["segmentations"].get("rfm")
        if rfm is None or "segment" not in customers:
            continue
        scored = customers[customers["segment"].notna()]
        spend, total = scored.groupby("segment")["monetary_total"].sum(), scored["monetary_total"].sum()
        for key, s in rfm["segments"].items():
            if s["count"]:
                assert fmt_pct(s["pct_customers"]) == fmt_pct(s["count"] / len(scored)), (name, key)
                if s["revenue_share"] is not None and total:
                    assert fmt_pct(s["revenue_share"]) == fmt_pct(spend[key] / total), (name, key)
                checked += 1
    assert checked > 15
    # the skill trial's case through the code that stores shares: 36,722.00 of 49,997.97 is 73.447%
    import numpy as np

    from custseg.compute.analysis import segment_stats
    from custseg.compute.metrics import Ledger, customer_metrics

    tx = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2026-01-02", "2026-01-03"]), "amount": [36722.00, 13275.97]})
    ledger = Ledger.from_frame(tx)
    stats = segment_stats(np.array([0, 1]), ["big", "small"], customer_metrics(ledger, int(ledger.day.max()), 90), True, 49997.97)
    assert fmt_pct(stats["big"]["revenue_share"]) == "73.4%" and fmt_pct(stats["small"]["revenue_share"]) == "26.6%"


def test_last_period_spend_of_a_short_export_is_not_said_twice(tmp_path, shopify):
    """An export shorter than the period: 'each in the last 90 days' would claim days the data
    does not hold, and all of its spend is the last period's: the profile says it once."""
    rows = ["customer_id,date,amount", "a,2025-01-01,10", "b,2025-01-02,20", "c,2025-01-05,30", "d,2025-01-10,15", "a,2025-01-12,12", "e,2025-01-15,40"]
    (tmp_path / "short.csv").write_text("\n".join(rows) + "\n")
    assert main(["run", str(tmp_path / "short.csv"), "--out", str(tmp_path / "out"), "--no-charts"]) == 0
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "each in the last 90 days" not in md and "the 15 days the data covers" not in md
    assert "Each spent " in md  # the average value stays
    assert "each in the last 90 days" in shopify["md"]  # a longer export keeps the period


def test_short_data_says_empty_quiet_segments_are_too_early(cli, tmp_path, shopify):
    """On six weeks of data nobody can have gone half a year without buying: the report says
    the quiet segments are empty because the export is short, not because nobody stopped; on
    three weeks (no lifecycle then) it says so of the quiet RFM segments."""
    rows = ["Customer ID,Date,Amount"] + [f"C{i % 7},{date(2024, 3, 1) + timedelta(days=i % 42)},{20 + i}.00" for i in range(40)]
    path = tmp_path / "log.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    assert facts["segmentations"]["lifecycle"]["segments"]["lapsed"]["count"] == 0
    # no two periods to compare: trends would call everyone 'new', so health leaves them out
    assert set(facts["segmentations"]["health"]["definition"]["weights"]) == {"recency", "frequency"}
    assert "spend_trend" in shopify["facts"]["segmentations"]["health"]["definition"]["weights"]
    md = (out / "report.md").read_text()
    line = next(line for line in md.splitlines() if "Too early to see who stopped" in line)
    assert f"the data covers {facts['data']['days_covered']} days" in line and "the Lapsed lifecycle stage" in line
    assert "Too early to see who stopped" not in shopify["md"]
    # three weeks: no lifecycle at all (everyone would be Onboarding), and still the quiet RFM segments
    rows = ["Customer ID,Date,Amount"] + [f"C{i % 60},2024-03-{1 + i % 21:02d},{20 + i}.00" for i in range(150)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text())
    assert "lifecycle" not in facts["segmentations"] and "health" not in facts["segmentations"]
    line = next(line for line in (out / "report.md").read_text().splitlines() if "Too early to see who stopped" in line)
    assert "the data covers 21 days" in line and "Lapsed lifecycle" not in line and "Dormant" in line


def test_a_warning_the_user_answered_is_shown_with_the_answer(tmp_path):
    """The plan's `confirmed` holds the user's answers to run warnings: the report lists those
    as answered, with the answer, instead of repeating them as open (two skill trials)."""
    out = tmp_path / "out"
    assert main(["run", str(EXAMPLES / "stripe_unified_payments.csv"), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    consent = next(w for w in facts["warnings"] if w.startswith("the export does not record marketing consent"))
    plan = json.loads((EXAMPLES / "strategies" / "stripe_unified_payments.strategy.json").read_text(encoding="utf-8"))
    render_report(facts, str(out), strategy=plan)
    md = section((out / "report.md").read_text(encoding="utf-8"), "## Warnings and notes")
    assert f"- **Warning:** {consent}" in md and "Answered at intake" not in md
    plan["confirmed"] = {"consent_unknown": "Everyone who pays us <b>signed up</b> at checkout."}
    render_report(facts, str(out), strategy=plan)
    text = (out / "report.md").read_text(encoding="utf-8")
    md = section(text, "## Warnings and notes")
    assert f"- **Answered at intake:** {consent}. You said: Everyone who pays us <b>signed up</b> at checkout." in md
    assert "- **Warning:** the export does not record marketing consent" not in md
    assert "you answered this at intake" in section(text, "## Files for your CRM") and "check before emailing them" not in text
    assert "Everyone who pays us &lt;b&gt;signed up&lt;/b&gt;" in (out / "report.html").read_text(encoding="utf-8")  # model text is data
    # check.py: only the kinds it knows, and only for warnings this run gave
    from custseg.strategy.validate import validate

    plan["confirmed"] = {"consent_unknown": "yes", "budget": "fine", "marketplace": "none of ours"}
    codes = {(p.path, p.code) for p in validate(plan, facts)}
    assert ("confirmed.budget", "unknown_confirmation") in codes and ("confirmed.marketplace", "confirmation_without_warning") in codes
    assert not any(path == "confirmed.consent_unknown" for path, _ in codes)


def test_a_warning_answered_by_the_warnings_answer_is_shown_with_it(tmp_path, cli):
    """A warning that offers an option (add --include-unpaid) is settled at intake by the
    Warnings answer, which answers.json keeps and `confirmed` has no kind for: a trial's 'Leave
    the unpaid orders out' still showed as an open warning. render.py reads answers.json beside
    the plan and shows those warnings answered, once with the one answer; the others stay open."""
    out = tmp_path / "out"
    key = tmp_path / "segment.key"
    key.write_text("k1:teststrategykey1\n", encoding="utf-8")
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts", "--key", key).code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    unpaid = next(w for w in facts["warnings"] if "--include-unpaid" in w)
    shown = unpaid.split(";")[0]  # the report's words, without the option
    open_ones = [w for w in facts["warnings"] if "--" not in w]
    assert open_ones, "the example needs a warning that offers no option"
    plan = tmp_path / "plan" / "strategy.json"
    plan.parent.mkdir()
    plan.write_text((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"), encoding="utf-8")

    def warnings_section() -> str:
        assert cli("render", "--facts", out / "facts.json", "--strategy", plan).code == 0
        return section((out / "report.md").read_text(encoding="utf-8"), "## Warnings and notes")

    before = warnings_section()  # no answers.json: open, as before
    assert f"- **Warning:** {shown}\n" in before + "\n" and "Answered at intake" not in before
    said = "Leave the unpaid orders out; I want the honest picture."
    (plan.parent / "answers.json").write_text(json.dumps({"Goal": "better marketing", "Warnings": said}), encoding="utf-8")
    after = warnings_section()
    # one Warnings answer settles every warning that offers an option: here the unpaid orders and
    # the purchase cycle (a rule file, a longer --period), told together once with it
    others = [for_owner(w) for w in facts["warnings"] if "--" in w and w != unpaid and "marketplaces" not in w]
    assert f"- **Answered at intake:** {'; '.join([shown, *others])}. You said: {said}" in after
    assert f"**Warning:** {shown}" not in after and after.count(said) == 1
    assert all(f"- **Warning:** {for_owner(w)}" in after for w in open_ones)  # no option, no answer: still open
    # the marketplace warning names an option too, but the Marketplace orders question answers it (confirmed.marketplace)
    market = next(w for w in facts["warnings"] if "marketplaces" in w)
    assert f"- **Warning:** {for_owner(market)}" in after


def test_usage_groups_give_no_lift_from_a_handful(rendered):
    """The usage groups' next-period check says when its top group held too few users to
    measure, instead of its lift (the event-log example's top group held one user)."""
    from custseg.render.report import MIN_CUSTOMERS_FOR_LIFT

    run = rendered["product_events.jsonl"]
    val = run["facts"]["segmentations"]["behavioral"]["validation"]
    top = val["segments"][0]
    assert top["customers"] < MIN_CUSTOMERS_FOR_LIFT, "the example's top usage group needs to be small"
    name = run["facts"]["segmentations"]["behavioral"]["segments"][top["segment"]]["name"]
    unit = "user" if top["customers"] == 1 else "users"
    told = f"; {name} ({fmt_count(top['customers'])} {unit}) were too few then to measure."
    assert told in run["md"] and told in html_text(run["html"])
    assert f"{fmt_dec(val['top_lift'])} times that rate" not in run["md"]


def test_the_segments_brief_withholds_a_lift_from_a_handful(rendered, shopify):
    """The segments brief gives the model the same threshold as the report: a top group of
    fewer customers than MIN_CUSTOMERS_FOR_LIFT is called too small to measure, not a lift."""
    from custseg.render.briefs import render_brief as render
    from custseg.render.report import MIN_CUSTOMERS_FOR_LIFT

    facts = rendered["product_events.jsonl"]["facts"]
    assert facts["segmentations"]["behavioral"]["validation"]["segments"][0]["customers"] < MIN_CUSTOMERS_FOR_LIFT
    small = render("segments", facts, segmentation="behavioral")
    assert f"under {MIN_CUSTOMERS_FOR_LIFT}, so one customer more or fewer moves the rate by several points" in small
    rfm = shopify["facts"]["segmentations"]["rfm"]["validation"]
    assert rfm["segments"][0]["customers"] >= MIN_CUSTOMERS_FOR_LIFT
    assert "moves the rate by several points" not in render("segments", shopify["facts"])


def test_the_opted_out_warning_can_be_answered_at_intake(tmp_path):
    """A store whose customers mostly opted out gets a warning to plan for other channels; the
    user's answer to it goes in the plan's confirmed.opted_out and the report shows it answered
    (a trial found it listed as unanswered after the user had chosen on-site offers)."""
    from custseg.strategy.validate import answered_warnings, validate

    out = tmp_path / "out"
    assert main(["run", str(EXAMPLES / "stripe_unified_payments.csv"), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    from custseg.toolkit.run import opted_out_warning

    said = opted_out_warning({"dormant": 40, "prospects": 2043}, 0, facts["exports"]["customers"])
    assert said.startswith("2,083 people (40 customers, 2,043 contacts who never bought) opted out of marketing, so the Klaviyo")
    plan = json.loads((EXAMPLES / "strategies" / "stripe_unified_payments.strategy.json").read_text(encoding="utf-8"))
    plan["confirmed"] = {"opted_out": "We will use packaging inserts and the site banner."}
    assert ("confirmed.opted_out", "confirmation_without_warning") in {(p.path, p.code) for p in validate(plan, facts)}
    facts["warnings"].append(said)
    assert not any(p.path == "confirmed.opted_out" for p in validate(plan, facts))
    assert answered_warnings([said], plan["confirmed"]) == [(said, "We will use packaging inserts and the site banner.")]
    render_report(facts, str(out), strategy=plan)
    md = section((out / "report.md").read_text(encoding="utf-8"), "## Warnings and notes")
    (line,) = [ln for ln in md.splitlines() if "opted out of marketing, so" in ln]
    assert line.startswith(f"- **Answered at intake:** {said.split(';')[0]};") and line.endswith(". You said: We will use packaging inserts and the site banner.")


def test_the_marketplace_answer_is_recorded_only_while_the_warning_stands(cli, tmp_path):
    """The intake asks whether to keep a marketplace's buyers; a trial left them out with
    --exclude-channel, recorded confirmed.marketplace as told, and check.py refused it (no
    warning left to answer). The intake now says when to record it, and check.py agrees."""
    from custseg.render.briefs import render_brief
    from custseg.strategy.validate import validate

    facts = {}
    for name, extra in (("kept", []), ("left_out", ["--exclude-channel", "tiktok"])):
        out = tmp_path / name
        assert cli("run", EXAMPLES / "shopify_orders_export.csv", *extra, "--out", out, "--no-charts").code == 0
        facts[name] = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    intake = render_brief("intake", facts["kept"])
    assert "When these buyers stay in the segments, record the answer in strategy.json's `confirmed.marketplace`" in intake
    assert "after a rerun that leaves them out there is no marketplace warning to answer" in intake
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    plan["confirmed"] = {"marketplace": "keep them, we email none"}
    assert not any(p.path == "confirmed.marketplace" for p in validate(plan, facts["kept"]))
    assert any(p.code == "confirmation_without_warning" for p in validate(plan, facts["left_out"]) if p.path == "confirmed.marketplace")
    assert facts["left_out"]["data"]["dropped"]["excluded_channel"] > 0


def test_offer_terms_read_as_words():
    """A plan's typed offer terms as the report prints them: one day, not '1 days' (a trial's
    'early access before launch: 1 days'), money as all money is shown."""
    from custseg.render.report import _term

    assert _term({"label": "early access before launch", "value": 1, "unit": "days"}) == "early access before launch: 1 day"
    assert _term({"label": "early access", "value": 3, "unit": "days"}) == "early access: 3 days"
    assert _term({"label": "win-back discount", "value": 1, "unit": "percent"}) == "win-back discount: 1%"
    assert _term({"label": "free gift", "value": 1.0, "unit": "items"}) == "free gift: 1 item"
    assert _term({"label": "credit", "value": 15, "unit": "money"}, "USD") == "credit: 15.00 USD"


def test_a_store_whose_customers_all_opted_out_is_not_told_it_has_no_emails(tmp_path):
    """Every customer has an email and opted out: the email-tool files are empty by choice.
    A trial was told 'no customer has a usable email ... name it with --map email=COLUMN' three
    times, which sends the user to fix a column that is fine; and the routine advised importing
    segments into an email tool."""
    import csv as csvlib

    from custseg.toolkit.run import NO_EMAILS

    with open(EXAMPLES / "shopify_orders_export.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csvlib.reader(fh))
    column = rows[0].index("Accepts Marketing")
    for row in rows[1:]:
        row[column] = "no" if row[column].strip() else row[column]
    path = tmp_path / "orders_export.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csvlib.writer(fh).writerows(rows)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["exports"]["reachable"] == 0 and sum(facts["exports"]["left_out_no_consent"].values()) > 0
    assert NO_EMAILS not in facts["warnings"]
    (said,) = [w for w in facts["warnings"] if "opted out of marketing, so" in w]
    assert "hold none of the" in said and "only 0 of" not in said
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "no customer has a usable email" not in md and "--map email" not in md
    assert "- **Email**: nobody can be emailed: " in md
    routine = [ln for ln in md.splitlines() if ln.startswith("- Nobody in this export can be emailed")]
    assert len(routine) == 1 and "never for email or ad audiences" in routine[0] and "import it again" not in routine[0]
    assert "holds no emails" not in md and "holds no email" not in (out / "report.html").read_text(encoding="utf-8")
    assert "Nobody in your export can be emailed (" in section(md, "## Files for your CRM")


def test_in_short_opens_with_the_data_age_when_the_data_is_old(shopify, monkeypatch):
    """A trial's plan read as today's on data that ended in 1998: the In short opens by saying
    when the data ends, judged on the day the report is drawn (not when the run wrote facts)."""
    from custseg.facts import build
    from custseg.render.report import build_context

    facts = shopify["facts"]
    last = build.to_days(np.datetime64(facts["data"]["date_max"], "D"))
    monkeypatch.setattr(build, "today", lambda: int(last) + 200)
    points = build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]
    assert points[0]["lead"] == "Old data" and points[0]["text"].startswith(f"the data ends on {fmt_date(facts['data']['date_max'])}, so every figure below")
    # and the CRM files' section says their labels are of then (a trial's Mailchimp tags were of 2022)
    old = build_context(facts, "/tmp", None, None, inline_charts=False)["exports"]["old"]
    assert old.startswith(f"Their labels (segments, lifecycle stages, tags) describe customers as they were on {fmt_date(facts['data']['date_max'])}, when the data ends")
    # data too short for lifecycle stages: the files carry none, so none are named (a Stripe trial)
    short = {**facts, "segmentations": {k: v for k, v in facts["segmentations"].items() if k != "lifecycle"}}
    assert build_context(short, "/tmp", None, None, inline_charts=False)["exports"]["old"].startswith("Their labels (segments, tags) describe")
    from custseg.render.briefs import render_brief

    assert f"- Before any import: the data ends on {fmt_date(facts['data']['date_max'])}, 200 days ago" in render_brief("operationalize", facts)
    monkeypatch.setattr(build, "today", lambda: int(last) + 30)  # within a period: no point
    assert all(p["lead"] != "Old data" for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"])
    assert build_context(facts, "/tmp", None, None, inline_charts=False)["exports"]["old"] == ""
    assert "Before any import" not in render_brief("operationalize", facts)


def test_in_short_says_whose_revenue_when_guest_orders_hold_much_of_it(shopify):
    """Segment revenue shares are of the sales that name a customer: a trial's 'brings 51% of
    revenue' stood beside guest orders holding 77% of the sales. Past the profile's threshold the
    In short says whose revenue; below it, plain 'of revenue'."""
    import copy

    from custseg.render.report import build_context

    facts = copy.deepcopy(shopify["facts"])
    facts["data"]["dropped_value"] = {**(facts["data"].get("dropped_value") or {}), "no_identity": 0.0}
    texts = [p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]]
    assert any(" of revenue, " in t for t in texts) and not any("name a customer" in t for t in texts)
    facts["data"]["dropped_value"]["no_identity"] = facts["data"]["revenue_total"] * 3
    texts = [p["text"] for p in build_context(facts, "/tmp", None, None, inline_charts=False)["summary"]]
    assert any(" of the revenue from orders that name a customer, " in t for t in texts) and not any(" of revenue" in t for t in texts)


def test_a_trend_gives_the_counts_a_period_ago_and_now(shopify):
    """A trend is the change of a segment's share: a marketer read Dormant's 'Declining share'
    as fewer customers while its count rose, so the report and the segments brief give the
    counts beside it."""
    from custseg.render.briefs import render_brief
    from custseg.render.report import trend_counts

    facts, md, page = shopify["facts"], shopify["md"], html_text(shopify["html"])
    brief = render_brief("segments", facts)
    trended = [s for s in facts["segmentations"]["rfm"]["segments"].values() if s.get("trend") and s.get("count_prev") is not None]
    assert trended
    for s in trended:
        counts = f"{fmt_pct(s['trend_change'], True)} relative; {fmt_count(s['count_prev'])} → {fmt_count(s['count'])} customers"
        assert counts in section(md, "## RFM segments at a glance") and counts in page and counts in brief
    assert trend_counts({"count_prev": 862, "count": 940, "trend_change": -0.208}) == "862 → 940 customers, of a larger base"
    assert trend_counts({"count_prev": 50, "count": 45, "trend_change": 0.15}, "users") == "50 → 45 users, of a smaller base"
    assert trend_counts({"count_prev": 50, "count": 80, "trend_change": 0.4}) == "50 → 80 customers"



def test_old_labels_are_told_with_the_runs_own_segments(tmp_path):
    """An old export's file labels go stale: the report and the hand-over brief said 'a customer
    tagged New or Loyal may have lapsed since' on a Stripe run whose segments were Recent Big
    Spenders and Recent Buyers (trial). They name this run's segments that have not gone quiet."""
    from custseg.render.report import stale_label_words

    log = tmp_path / "orders.csv"  # everyone bought once, in 2024: the recency-and-spend table
    log.write_text("customer_id,email,order_date,amount\n" + "".join(f"c{i},c{i}@shop.example,2024-{1 + i % 12:02d}-{1 + i % 28:02d},{10 + i}\n" for i in range(120)), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(log), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    rfm = facts["segmentations"]["rfm"]
    assert rfm["rules"]["name"] == "recency_monetary"
    words = stale_label_words(rfm)
    held = [rfm["segments"][k]["name"] for k in ("recent_high_value", "recent") if rfm["segments"][k]["count"]]
    assert held and words.startswith(f"a customer tagged {held[0]}") and "Dormant" not in words and words.endswith(" may have lapsed since")
    for text in ((out / "report.md").read_text(encoding="utf-8"), render_brief("operationalize", facts)):
        assert words in text and "New or Loyal" not in text
    # every segment gone quiet: nobody to name, so it is said without names
    assert stale_label_words({"order": ["dormant"], "segments": {"dormant": {"name": "Dormant", "count": 5}}}) == "a customer's segment may have changed since"


def test_a_broad_segment_is_split_by_a_year_only_when_the_data_spans_one(tmp_path, shopify):
    """A segment holding most customers: the segments brief offered 'those who bought within a
    year' on 22 days of data, where everyone did, and its 'High Value' customers where it held
    none (a Stripe trial). A part is offered only where the segment splits: by the bands of when
    they last bought it lists, a year only on years of data (the Shopify example), and by the
    first value tier that holds anyone."""

    def segments_brief(days: int, customers: int, skewed: bool = False) -> tuple[str, dict]:
        """Customers' purchase days spread evenly, or (skewed) three in four in the data's first
        half and the rest in its last sixth."""
        log = tmp_path / f"orders_{days}.csv"
        early, late = days // 2, days - days // 6
        offsets = [(i % early if i % 4 else late + i // 4 % (days - late)) if skewed else i % days for i in range(customers)]
        log.write_text("customer_id,order_date,amount\n" + "".join(f"c{i},{date(2025, 1, 1) + timedelta(days=d)},{10 + i % 7}\n" for i, d in enumerate(offsets)), encoding="utf-8")
        out = tmp_path / f"out_{days}"
        assert main(["run", str(log), "--out", str(out), "--no-charts"]) == 0
        facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
        assert facts["data"]["days_covered"] == days
        brief = render_brief("segments", facts)
        (part,) = [ln for ln in brief.splitlines() if "too broad to treat as one group" in ln]
        return part, facts

    part, facts = segments_brief(22, 200)  # everyone bought in the last 90 days: no split by when
    assert "within a year" not in part and "a cut at one year" not in part and "by the bands above" not in part
    dominant = next(s for s in facts["segmentations"]["rfm"]["segments"].values() if s["pct_customers"] >= 0.5)
    tiers = {k: n for k, n in dominant["value_tiers"].items() if n}
    first = next(iter(tiers))
    assert f"by value tier: {facts['segmentations']['value']['segments'][first]['name']} {fmt_count(tiers[first])}" in part and " 0 (`" not in part
    part, _ = segments_brief(300, 400, skewed=True)  # Dormant, who last bought 91 to 180 or 181 to 364 days ago
    assert "those who bought most recently, by the bands above (not by a year: the data covers 300 days), by the last purchase date (segments_generic.csv's last_purchase)" in part  # no emails: no Klaviyo or HubSpot list
    assert "within a year" not in part and "a cut at one year" not in part
    (years,) = [ln for ln in render_brief("segments", shopify["facts"]).splitlines() if "too broad" in ln]
    # each tool's own date column: the split is a filter in the tool the user has
    assert "its High Value customers, whom Klaviyo's Value Tier column, Mailchimp's tags and segments_generic.csv's value_tier pick out beside the segment (hubspot.csv has no value tier), or those who bought within a year, by the last purchase date (Klaviyo's Last Purchase, HubSpot's last_purchase_date, segments_generic.csv's last_purchase; Mailchimp has none)." in years
    assert "so a cut at one year is a filter, not a rule." in years


def test_avg_value_says_it_is_over_all_the_data(shopify):
    """'405.00 GBP each' in In short and the segments brief's 'Avg value' read as a yearly or a
    per-order figure (trial): both say it is revenue per customer over all the data."""
    facts = shopify["facts"]
    best = facts["segmentations"]["rfm"]["segments"][facts["segmentations"]["rfm"]["order"][0]]
    each = f"of revenue, {fmt_money(best['avg_value'], facts['data']['currency'])} each over all the data."
    assert each in section(shopify["md"], "## In short") and each in html_text(shopify["html"])
    span = f"({facts['data']['date_min']} to {facts['data']['date_max']})"
    assert f"Spend per customer (`avg_value`): the segment's revenue per customer over all the data {span}, not per order (that is the average order value, `aov`) and not per year" in render_brief("segments", facts)


def test_a_small_holdout_is_not_promised_a_comparison(tmp_path, shopify):
    """A Stripe trial held out 8 of 100 customers, and the report and the hand-over brief still
    promised that the next check would compare their repeat rate with the rest's. Under 20 held
    out (the report's own bar for a rate), both say the comparison is too small to tell a
    campaign's effect from chance and that the user may contact them."""
    r = _edge_run(tmp_path, "small_base")
    held = r["facts"]["exports"]["held_out"]
    assert 0 < held < 20
    (line,) = [ln for ln in r["md"].splitlines() if ln.startswith("**Holdout:**")]
    assert f"With {held} held out, the next-period check's comparison of their repeat rate with everyone else's is too small to tell a campaign's effect from chance." in line
    assert "you may choose to contact them" in line and "the next-period check then compares" not in line
    # chance strays far from a tenth in a small segment: the counts and shares by segment say how far
    segs = r["facts"]["segmentations"]["rfm"]["segments"]
    exports = r["facts"]["exports"]
    parts = [f"{segs[k]['name']} {n} ({fmt_pct(exports['held_out_share_by_segment'][k])})" for k, n in exports["held_out_by_segment"].items()]
    assert len(parts) >= 2, "the edge run holds out customers of more than one segment"
    assert f"a small one the most: {', '.join(parts[:-1])} and {parts[-1]}." in line
    assert line.startswith(f"**Holdout:** {held} customers ({fmt_pct(exports['held_out_share'])} of the customers in segments) are marked Holdout")
    brief = render_brief("operationalize", r["facts"])
    assert f"The CRM files mark {held} customers Holdout (`{{exports.held_out}}`" in brief
    assert "too small to tell a campaign's effect from chance, so do not promise that comparison" in brief and "they may choose to contact the held-out customers" in brief
    assert "the report's next-period check gives the held-out rate apart" not in brief
    # enough held out: the comparison is promised as before
    assert "the next-period check then compares their repeat rate with everyone else's." in shopify["md"]
    assert "the report's next-period check gives the held-out rate apart" in render_brief("operationalize", shopify["facts"])


def test_the_holdout_target_is_said_as_a_target_beside_what_chance_gave(shopify, tmp_path):
    """An audit read '753 customers, about 10.0% of each segment' while 10.8% were held out and
    Champions had 7 of 35 (20%): the report says the tenth as the aim ('one in ten ... in each
    segment') and shows the shares achieved, overall and per segment, each a facts value."""
    import copy

    facts = shopify["facts"]
    exports = facts["exports"]
    (line,) = [ln for ln in shopify["md"].splitlines() if ln.startswith("**Holdout:**")]
    assert "about 10.0% of each segment" not in line
    assert "They were chosen at random from their pseudonymous ids, aiming at one in ten in each segment (the target, not the count)" in line
    assert f"({fmt_pct(exports['held_out_share'])} of the customers in segments)" in line and exports["held_out_share"] != exports["holdout_share"]
    names = {k: v["name"] for k, v in facts["segmentations"]["rfm"]["segments"].items()}
    for key, n in exports["held_out_by_segment"].items():
        assert f"{names[key]} {fmt_count(n)} ({fmt_pct(exports['held_out_share_by_segment'][key])})" in line
    # the figures come from the facts: changed there, changed in the report (markdown and HTML)
    changed = copy.deepcopy(facts)
    first = next(iter(changed["exports"]["held_out_share_by_segment"]))
    changed["exports"]["held_out_share_by_segment"][first] = 0.2
    changed["exports"]["held_out_share"] = 0.108
    render_report(changed, str(tmp_path))
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = html.unescape((tmp_path / "report.html").read_text(encoding="utf-8"))
    for text in (md, page):
        assert "(10.8% of the customers in segments)" in text and f"{names[first]} {fmt_count(exports['held_out_by_segment'][first])} (20.0%)" in text


def test_an_import_by_source_id_maps_the_holdout_too(rendered, tmp_path):
    """Without emails, HubSpot takes segments_generic.csv matched on source_id: the report and the
    skill told the user to map segment_name to customer_segment but not the holdout, which every
    automation rule must leave out (trial). The report, the hand-over brief and crm-exports.md say
    to map holdout to a checkbox property."""
    facts = rendered["product_events.jsonl"]["facts"]
    assert facts["exports"]["held_out"] and facts["exports"]["rows_written"]["hubspot.csv"] == 0
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    for rule in plan["automation_rules"]:
        rule["crm"] = "HubSpot"
    render_report(facts, str(tmp_path), strategy=plan)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "mapping segment_name to customer_segment, and holdout to a holdout property (a single checkbox) for the customers campaigns leave out" in section(md, "## Files for your CRM")
    assert "with segment_name as the segment property and holdout as a checkbox property for the customers campaigns leave out;" in rendered["product_events.jsonl"]["md"]
    brief = render_brief("operationalize", facts)
    assert "a CRM maps `segment_name` to the segment property (HubSpot: `customer_segment`) and `holdout` to a property of its own (HubSpot: `holdout`, a single checkbox)" in brief
    # the email tools that match on email only take the lookup route, the holdout with it (a wholesaler trial named Mailchimp)
    assert "the lookup sets Klaviyo's `Holdout` property to true, or Mailchimp's tag `Holdout`, for those whose holdout is true" in brief
    reference = (ROOT / "skill" / "reference" / "crm-exports.md").read_text(encoding="utf-8")
    assert "Map `holdout` too, to a property of its own (HubSpot: `holdout`, a single\ncheckbox" in reference


def test_a_warning_the_user_answered_at_intake_is_not_asked_again(rendered):
    """A Stripe trial's later brief still listed 'add --include-unpaid to count them' after the
    user had declined at intake. The intake asks it once (its Warnings question); the segments
    brief shows a warning whose intake answer is in answers.json as settled, with the answer and
    without its option, and lists the rest once."""
    facts = rendered["stripe_unified_payments.csv"]["facts"]
    unpaid = next(w for w in facts["warnings"] if "--include-unpaid" in w)
    plain = unpaid.split(";")[0]
    intake = render_brief("intake", facts)
    assert f". **Warnings**: a warning above offers a choice: {plain}. Ask in plain words whether they want it changed" in intake
    before = render_brief("segments", facts)
    assert "Warnings to mention, once each: " in before and unpaid in before and "answered at intake" not in before
    after = render_brief("segments", facts, {"Goal": "better marketing", "Warnings": "keep unpaid orders out", "Marketing consent": "yes, all may be emailed"})
    assert "--include-unpaid" not in after
    assert f'Warnings the user answered at intake: {plain} (their answer: "keep unpaid orders out") | ' in after
    assert '(their answer: "yes, all may be emailed")' in after and "do not ask about it again or offer its option again" in after
    consent = next(w for w in facts["warnings"] if w.startswith("the export does not record marketing consent"))
    assert consent not in after.split("Warnings the user answered")[0]  # listed once, as answered


def test_the_hand_over_brief_takes_the_consent_answer_from_intake(rendered):
    """The operationalize brief asked again whether people of unknown consent may be emailed
    when the user had answered at intake: with the answer in answers.json it quotes it once."""
    facts = rendered["stripe_unified_payments.csv"]["facts"]
    unknown = fmt_count(facts["exports"]["consent_unknown"])
    asked = render_brief("operationalize", facts)
    assert f"4. Say plainly that the export did not record marketing consent for {unknown} people" in asked
    told = render_brief("operationalize", facts, {"Marketing consent": "yes, they all signed up for news"})
    assert f'did not record marketing consent for {unknown} people in the email files (`exports.consent_unknown`), and the user answered at intake: "yes, they all signed up for news". Say it once and do not ask again' in told
    assert "Say plainly" not in told


def test_the_hand_over_brief_names_the_warnings_confirmed_answers(rendered):
    """SKILL.md listed opted_out among the answers for `confirmed` while check.py refuses one
    for a warning the run did not give (a trial's consent answer, with fewer opted out than the
    files hold): the operationalize brief names this run's answerable kinds, each with the
    intake question that settles it, or says to leave `confirmed` out."""
    from custseg.strategy.validate import ANSWERABLE

    facts = rendered["stripe_unified_payments.csv"]["facts"]
    kinds = [k for k, pattern in ANSWERABLE.items() if any(pattern.search(w) for w in facts["warnings"])]
    assert kinds == ["consent_unknown", "data_age"] and not (facts.get("exports") or {}).get("left_out_no_consent")
    brief = render_brief("operationalize", facts)
    assert ("- **confirmed**: the user's intake answers to this run's warnings, in their words, by kind: "
            '`consent_unknown` (their "Marketing consent" answer), `data_age` (their "Data" answer).') in brief
    assert "`opted_out`" not in brief.split("- **confirmed**")[1].split("\n")[0]
    none = rendered["crm_customers.csv"]["facts"]
    assert not any(p.search(w) for p in ANSWERABLE.values() for w in none["warnings"])
    assert "- **confirmed**: this run gave no warning `confirmed` answers, so leave it out" in render_brief("operationalize", none)


def test_the_old_data_briefs_agree_on_what_the_files_are_for(shopify, monkeypatch):
    """On old data the strategy brief had a plan written as of the data's date (flows for New
    and recent segments too) while the operationalize brief said to use the files for win-back
    only: a trial's plan then led with flows for people months past those labels. Both now say
    that a plan written as of that date starts with the rerun and its flows run on the rerun's
    files, and the hand-over says flows built on these files are rebuilt after that rerun."""
    from custseg.facts import build

    facts = shopify["facts"]
    monkeypatch.setattr(build, "today", lambda: int(np.datetime64(facts["data"]["date_max"], "D").astype(int)) + 200)
    strategy = render_brief("strategy", facts)
    assert "make the roadmap's first phase the rerun on a current export, before anyone is contacted: the plan's flows then run on the rerun's files" in strategy
    assert "(the operationalize brief tells the user the same at hand-over)" in strategy
    hand_over = render_brief("operationalize", facts)
    assert "If the plan was written as of that date at the user's choice (its roadmap's first phase is that rerun), its flows, welcome and post-purchase ones too, run on the rerun's files only, not on these" in hand_over
    assert "every flow, segment or list built on these files' labels must be rebuilt after that rerun, from its files" in hand_over
    monkeypatch.setattr(build, "today", lambda: int(np.datetime64(facts["data"]["date_max"], "D").astype(int)) + 10)  # current data: neither says it
    assert "rebuilt after that rerun" not in render_brief("operationalize", facts) and "first phase the rerun" not in render_brief("strategy", facts)


def test_a_one_purchase_segments_spend_is_not_offered_for_a_second_order(shopify):
    """The operationalize brief offered New's last-period spend per customer as a baseline, and
    a trial's plan measured 'second orders' by it: for a segment whose customers all bought once
    it is their first order's value (one who orders again leaves the segment). The brief says so
    and points at next_repeat_rate, or, where too few were in it at the cutoff, at the rerun."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    segments = facts["segmentations"]["rfm"]["segments"]
    assert segments["new"]["repeat_rate"] == 0 and segments["new"]["spend_last_period_per_customer"] and segments["loyal"]["repeat_rate"] > 0

    def baselines(key: str) -> str:
        return next(line for line in render_brief("operationalize", facts).splitlines() if line.startswith(f"  - {segments[key]['name']}: "))

    new = baselines("new")
    assert ("`{segmentations.rfm.segments.new.spend_last_period_per_customer}` (spend per customer in the last period: every one of them has bought once, so it is their first order's value, "
            "and a customer who orders again leaves the segment, so it cannot measure a second-order goal; `next_repeat_rate` above can, the share who bought again within a period)") in new
    assert "`{segmentations.rfm.segments.new.next_repeat_rate}`" in new
    assert "first order's value" not in baselines("loyal")  # some bought more than once: spend as before
    row = next(r for r in facts["segmentations"]["rfm"]["validation"]["segments"] if r["segment"] == "new")
    row["customers"] = 5  # too few at the cutoff for a next-period baseline
    thin = baselines("new")
    assert "no baseline here can, as too few were in it at the check's cutoff for its next-period rate: a second order shows at the next rerun" in thin
    assert "`{segmentations.rfm.segments.new.next_repeat_rate}`" not in thin


def test_an_answered_data_age_is_said_once_with_the_answer(shopify):
    """A trial's report told the data's age three times after the owner had answered it at
    intake: the In short now carries their answer, and the warnings do not repeat it."""
    from custseg.render.report import build_context
    from custseg.strategy.validate import ANSWERABLE

    facts = shopify["facts"]
    assert any(ANSWERABLE["data_age"].search(w) for w in facts["warnings"])  # the example's data is old
    said = "It is an older export; work with it anyway."
    context = build_context(facts, "/tmp", None, {"confirmed": {"data_age": said}}, inline_charts=False)
    first = context["summary"][0]
    assert first["lead"] == "Old data" and first["text"].endswith(f"Asked at intake, you said: {said}")
    assert not any(ANSWERABLE["data_age"].search(w) for w in context["warnings"])
    assert all(said != a["answer"] for a in context["answered"])
    unanswered = build_context(facts, "/tmp", None, None, inline_charts=False)
    assert unanswered["summary"][0]["text"].endswith("Export the data again for today's picture.")
    # one answer to both halves of the Data question is quoted once, under "Not the whole base"
    both = "A sample of our orders, and there is no newer export."
    context = build_context(facts, "/tmp", None, {"confirmed": {"data_age": both}, "data_scope": {"whole_base": False, "answer": both}}, inline_charts=False)
    leads = [(p["lead"], p["text"]) for p in context["summary"][:2]]
    assert leads[0][0] == "Not the whole base" and both in leads[0][1]
    assert leads[1][0] == "Old data" and both not in leads[1][1] and leads[1][1].endswith("you answered it in the words quoted above.")
    assert any(ANSWERABLE["data_age"].search(w) for w in unanswered["warnings"])


def test_every_table_follows_a_blank_line(rendered, tmp_path):
    """A paragraph running straight into a table renders as text in stricter Markdown readers
    (a trial's CRM files and targeting matrix sections); checked with a plan, whose sections
    hold the most tables, and without."""
    shop = rendered["shopify_orders_export.csv"]
    plan = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text())
    render_report(shop["facts"], str(tmp_path), strategy=plan)
    for md in [r["md"] for r in rendered.values()] + [(tmp_path / "report.md").read_text(encoding="utf-8")]:
        lines = md.splitlines()
        glued = [f"{i}: {lines[i - 1][:60]}" for i in range(1, len(lines)) if lines[i].startswith("|") and lines[i - 1].strip() and not lines[i - 1].startswith("|")]
        assert glued == []


def _within_chance_facts(shopify, within: list[bool]):
    """The Shopify example's facts with its inversions marked within chance (or not) as given."""
    import copy

    facts = copy.deepcopy(shopify["facts"])
    val = facts["segmentations"]["rfm"]["validation"]
    assert len(val["inversions"]) == len(within) == 1, "the example's ordering breaks once; the test needs that"
    for inv, w in zip(val["inversions"], within):
        inv["chance_gap"] = round(inv["gap"] + (0.01 if w else -0.01), 6)
        inv["within_chance"] = w
    val["in_order_within_chance"] = all(within)
    return facts, val


def test_an_inversion_within_chance_is_in_order_within_chance(shopify, tmp_path):
    """An audit's next-period check said 'Not all in order: Needs Attention (11.1%) bought again
    more often than New (8.2%)', 8 of 98 against 25 of 225, where chance alone allows 7.2 points
    between groups of those sizes. An inversion within its chance gap (facts: validation.
    inversions) is told as 'in order, within chance', no finding, in In short, the report's
    validation section and the segments brief; one beyond it stays a break."""
    from custseg.render.report import build_context, render_report

    facts, val = _within_chance_facts(shopify, [True])
    inv = val["inversions"][0]
    names = {k: s["name"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    said = f"{names[inv['lower']]} ({fmt_pct(inv['lower_repeat_rate'])}) bought again more often than {names[inv['higher']]} ({fmt_pct(inv['higher_repeat_rate'])}), {fmt_pct(inv['gap'])} apart where chance alone keeps groups of these sizes up to {fmt_pct(inv['chance_gap'])} apart nineteen times in twenty"
    points = {p["lead"]: p["text"] for p in build_context(facts, str(tmp_path), None, None, inline_charts=False)["summary"]}
    check = points["Checked against what happened next"]
    assert f" In order, within chance: {said}; so no finding." in check and "Not all in order" not in check
    render_report(facts, str(tmp_path))
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Next-period validation")
    assert "- Ranking held: in order, within chance." in part and f"  - {said}" in part and "Ranking held: no" not in part
    brief = render_brief("segments", facts)
    assert "Ordering: in order, within chance." in brief and "an inversion within chance is no finding" in brief and "Ordering does not hold" not in brief
    # the same inversion beyond its chance gap: a break, as before
    facts, val = _within_chance_facts(shopify, [False])
    inv = val["inversions"][0]
    check = {p["lead"]: p["text"] for p in build_context(facts, str(tmp_path), None, None, inline_charts=False)["summary"]}["Checked against what happened next"]
    assert f"Not all in order: {names[inv['lower']]} ({fmt_pct(inv['lower_repeat_rate'])}) bought again more often than" in check and f"beyond the {fmt_pct(inv['chance_gap'])} chance alone allows" in check and "within chance" not in check
    render_report(facts, str(tmp_path))
    part = section((tmp_path / "report.md").read_text(encoding="utf-8"), "## Next-period validation")
    assert "- Ranking held: no." in part and "within chance" not in part
    brief = render_brief("segments", facts)
    assert "Ordering does not hold everywhere:" in brief and "a real inversion, say so" in brief and "within chance" not in brief
