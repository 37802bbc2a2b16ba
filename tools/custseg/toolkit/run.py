"""The ``run`` tool: compute every segmentation and write facts.json and customers.csv.

Outputs are written into a temporary folder beside ``--out`` and moved into place at
the end, so a failure never leaves a partial folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from custseg.compute.metrics import Ledger
from custseg.errors import InputError
from custseg.facts.build import RunOptions, build
from custseg.render.tables import write_csv
from custseg.ingest import KEY_FILE, load, write_key
from custseg.toolkit.memory import reusing_freed_memory
from custseg.toolkit.profile import IngestParams, summarize
from custseg.toolkit.progress import Progress
from custseg.toolkit.spec import Tool, param, to_jsonable

NO_EMAILS = (
    "no customer has a usable email, so the Klaviyo, HubSpot and Mailchimp files are empty: segments_generic.csv "
    "lists every customer by the id your export gave them (source_id); if a column does hold emails, name it with --map email=COLUMN"
)
FACTS_FILE = "facts.json"
CUSTOMERS_FILE = "customers.csv"
WORKBOOK_FILE = "segments.xlsx"


@dataclass
class RunParams(IngestParams):
    out: str = param("folder to write facts.json, customers.csv and the key into; an earlier run there is replaced, and when it was of the same file(s) its key is reused (same customer ids) and files it did not write, such as answers.json, strategy.json or a rule file, are kept (as they are for next month's export run with --key and that folder's segment.key)", default="segment-output", metavar="DIR")
    as_of: str | None = param("score customers as of this date, YYYY-MM-DD (default: the last purchase day)", default=None, metavar="DATE")
    period: str = param("length of a period for trends, migration and validation: 90d, 12w, 3m or 1y", default="90d")
    method: Literal["auto", "fixed", "quantile"] = param("RFM scoring of recency and frequency: fixed bands (days, purchase counts), quantiles of this data, or auto (picks by the data's shape and says why)", default="auto")
    rules: str | None = param("JSON rule table to use instead of the built-in one, in the shape the rules tool prints (segment rules --json; in the skill, rules.py)", default=None, metavar="FILE")
    no_validate: bool = param("skip the check of segments against the following period", default=False)
    include_unconsented: bool = param("also put customers who did not consent to marketing into the email-tool files", default=False)
    split: bool = param("also write one CRM file per segment", default=False)
    no_charts: bool = param("skip the charts (faster on very large exports; the report then has none)", default=False)


@dataclass
class SegmentLine:
    key: str
    name: str
    count: int
    pct_customers: float
    revenue_share: float | None
    trend: str | None
    merged_into: str | None = None  # the segment (key) that took this one's customers: too few to stand alone


@dataclass
class RunResult:
    out: str
    files: list[str]
    source: str
    customers: int
    as_of: str | None
    rfm_method: str | None
    segments: list[SegmentLine]
    segmentations: list[str]
    validation_monotone: bool | None
    validation_within_chance: bool | None  # not monotone, but every inversion within chance
    warnings: list[str] = field(default_factory=list)
    key_reused: bool = False  # the earlier run's segment.key in --out was used: customer ids unchanged
    kept: list[str] = field(default_factory=list)  # files of the folder a run does not write, carried over


def run(params: RunParams) -> RunResult:
    with reusing_freed_memory():
        return _run(params)


def _run(params: RunParams) -> RunResult:
    progress = Progress(["read", "compute", "charts", "exports", "workbook", "report"])
    progress.step("reading the export")
    out = os.path.abspath(params.out)
    _check_target(out)
    # A rerun of the same export into its folder keeps its customer ids and Claude's working
    # files, and so does next month's export run with the folder's own key (the same business,
    # as the review schedule has it); a run of other files starts afresh (their plan belongs elsewhere).
    rerun = _same_files(out, params.files)
    earlier_key = os.path.join(out, KEY_FILE)
    continued = bool(params.key) and _same_key(params.key, earlier_key)
    key_reused = rerun and not params.key and os.path.isfile(earlier_key)
    if key_reused:
        params.key = earlier_key
    ds = load(params.files, params.ingest_options())
    ledger = Ledger.from_frame(ds.transactions) if ds.transactions is not None else None
    profile = summarize(ds, ledger)
    progress.step("computing segments")
    opts = RunOptions(as_of=params.as_of, period=params.period, method=params.method, rules=params.rules, validate=not params.no_validate)
    facts, customers = build(ds, opts, profile, ledger)
    # The order-level tables are done with: freed here, their memory serves the writing.
    del ledger
    ds.transactions = ds.events = None
    os.makedirs(os.path.dirname(out), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".segment-", dir=os.path.dirname(out) or ".")
    try:
        # customers.csv is pyarrow's work (the GIL released): written while the rest renders.
        with ThreadPoolExecutor(max_workers=1) as pool:
            table_job = pool.submit(write_csv, customers, os.path.join(staging, CUSTOMERS_FILE))
            write_key(os.path.join(staging, KEY_FILE), ds.key)
            _render(params, ds, facts, customers, staging, progress)
            table_job.result()
        kept = _publish(staging, out, keep=rerun or continued)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        progress.close()
    rfm = facts.segmentations.get("rfm")
    merged = {m["from"]: m["into"] for m in (rfm.merged or [])} if rfm else {}
    lines = [SegmentLine(k, s.name, s.count, s.pct_customers, s.revenue_share, s.trend, merged.get(k)) for k, s in rfm.segments.items()] if rfm else []
    return RunResult(
        out=out,
        files=[f for f in _listing(out) if f.rstrip("/") not in kept],  # what this run wrote; the files it kept are listed apart
        source=facts.data.source,
        customers=facts.data.customers,
        as_of=facts.as_of,
        rfm_method=rfm.method if rfm else None,
        segments=lines,
        segmentations=list(facts.segmentations),
        validation_monotone=rfm.validation.monotone if rfm and rfm.validation else None,
        validation_within_chance=(not rfm.validation.monotone and rfm.validation.in_order_within_chance) if rfm and rfm.validation else None,
        warnings=facts.warnings,
        key_reused=key_reused,
        kept=kept,
    )


def _render(params: RunParams, ds, facts, customers, staging: str, progress: Progress) -> None:
    """Charts, CRM files, workbook, facts.json and the report, all from the computed facts."""
    from custseg.render.exports import GENERIC_FILE, write_exports
    from custseg.render.report import CHARTS_DIR, render_report
    from custseg.render.workbook import write_workbook

    doc = to_jsonable(facts)
    charts = []
    if not params.no_charts:
        from custseg.render.charts import render_charts  # matplotlib: only imported when drawing

        progress.step("drawing charts")
        charts = [{"file": c.file, "title": c.title} for c in render_charts(doc, customers, os.path.join(staging, CHARTS_DIR))]
    progress.step("writing CRM files")
    listed, contacts = with_prospects(customers, ds)
    summary = write_exports(listed, contacts, doc, staging, include_unconsented=params.include_unconsented, split=params.split, source_ids=ds.source_ids)
    for _, key, name, who in _listed_groups(ds):
        n = int((listed["segment"] == key).sum()) if len(listed) > len(customers) else 0
        if n:
            summary.groups[key] = name
            if key not in summary.left_out_channel:  # (those the exports' own note counts, in no email-tool file)
                summary.notes.append(f"{n:,} {who} are in the files as the segment '{name}'; {summary.reachable_by_segment.get(key, 0):,} of them are in the email-tool files (an email, and no opt-out on record)")
    exports = {k: v for k, v in summary.to_dict().items() if k != "folder"}
    facts.exports = exports
    doc["exports"] = exports
    opted_out = sum(summary.left_out_no_consent.values())
    if summary.customers and not opted_out and not any(n for f, n in summary.rows_written.items() if f != GENERIC_FILE):
        facts.warnings.append(NO_EMAILS)  # (when people opted out, the opted-out warning below says why the files are empty)
    elif summary.consent_unknown:  # known now, not first in the last phase: it shapes the plan
        facts.warnings.append(f"the export does not record marketing consent for {summary.consent_unknown:,} people in the email-tool files: they are included; confirm they may be emailed before importing")
    if opted_out and opted_out >= summary.reachable:  # an email-led plan would reach the few
        facts.warnings.append(opted_out_warning(summary.left_out_no_consent, summary.reachable, summary.customers))
    doc["warnings"] = list(facts.warnings)
    progress.step("writing the workbook")
    write_workbook(customers, ds.contacts, doc, os.path.join(staging, WORKBOOK_FILE), source_ids=ds.source_ids)
    with open(os.path.join(staging, FACTS_FILE), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    progress.step("writing the report")
    render_report(doc, staging, charts=charts)


def opted_out_warning(opted_out: dict[str, int], reachable: int, listed: int) -> str:
    """More people opted out (counted by segment, contacts apart from customers) than the
    email-tool files hold: plan for other channels (the plan's confirmed.opted_out answers it)."""
    from custseg.render.exports import who_counted

    held = f"hold only {reachable:,} of the {listed:,} people the CRM files list" if reachable else f"hold none of the {listed:,} people the CRM files list"
    return (
        f"{who_counted(opted_out)} opted out of marketing, so the Klaviyo, HubSpot and Mailchimp files {held}: "
        "plan for channels that do not use their contact details (on-site, packaging inserts, the sales channel's own offers); "
        "opted-out customers must not be emailed or uploaded to ad audiences; --include-unconsented writes them only for another lawful basis"
    )


def _listed_groups(ds) -> list[tuple[pd.DataFrame | None, str, str, str]]:
    """The CRM files' own groups of people in no segment: their contacts, key, label, and who
    they are in the exports' note."""
    from custseg.render.exports import EXCLUDED_CHANNEL_ONLY_KEY, NEVER_PAID_KEY, NEVER_PAID_NAME, NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME, PROSPECT_KEY, PROSPECT_NAME, excluded_channel_only_name

    left_out = (ds.excluded_channels or {}).get("channels") or []
    return [
        (ds.prospect_contacts, PROSPECT_KEY, PROSPECT_NAME, "contacts who never bought (from the customers export)"),
        (ds.no_kept_order_contacts, NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME, "contacts the customers export counts orders for, with no kept order in the orders export (cancelled or refunded, or not in it)"),
        (ds.never_paid_contacts, NEVER_PAID_KEY, NEVER_PAID_NAME, "people whose every payment failed or was never completed"),
        # in segments_generic.csv only: write_exports leaves them out of the email-tool files, and its note says so
        (ds.excluded_channel_only_contacts, EXCLUDED_CHANNEL_ONLY_KEY, excluded_channel_only_name(left_out) if left_out else "", "contacts who bought only through a channel left out"),
    ]


def with_prospects(customers: pd.DataFrame, ds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The customers the CRM files list, and their contacts: every buyer, then the contacts who
    never bought (a customers export's sign-ups), those whose orders were all cancelled or
    refunded, the people whose every payment failed and those who bought only through a channel
    the user left out, each as one segment with no scores.
    customers.csv and the facts stay with the buyers."""
    listed, contacts = [customers], [ds.contacts]
    for extra, key, name, _ in _listed_groups(ds):
        if extra is not None and len(extra):
            rows = pd.DataFrame({"customer_id": extra["customer_id"].astype(object), "segment": key, "segment_name": name})
            if "outstanding_value" in customers and ds.outstanding is not None:  # what they still owe, as the buyers' rows say it
                owed = ds.outstanding.set_index("customer_id")
                rows["outstanding_payments"] = rows["customer_id"].map(owed["outstanding_payments"]).fillna(0).astype(np.int64)
                rows["outstanding_value"] = rows["customer_id"].map(owed["outstanding_value"]).fillna(0.0)
                rows["outstanding_since"] = rows["customer_id"].map(owed["outstanding_since"])
            listed.append(rows)
            contacts.append(extra)
    if len(listed) == 1:
        return customers, ds.contacts
    return pd.concat(listed, ignore_index=True), pd.concat(contacts, ignore_index=True)


def _listing(out: str) -> list[str]:
    """Files written, with folders shown as folder/ (charts/, exports/)."""
    return sorted(name + ("/" if os.path.isdir(os.path.join(out, name)) else "") for name in os.listdir(out))


def _check_target(out: str) -> None:
    if os.path.isfile(out):
        raise InputError(out, "--out must be a folder, and this is a file")
    if os.path.isdir(out) and os.listdir(out) and not os.path.exists(os.path.join(out, FACTS_FILE)):
        raise InputError(out, "--out folder exists and does not hold an earlier run; choose a new or empty folder")


def _run_outputs() -> set[str]:
    """What a run writes into --out; anything else there (answers.json, strategy.json, a rule
    file: the working files SKILL.md has Claude keep with the deliverables) survives a rerun."""
    from custseg.render.exports import EXPORTS_DIR
    from custseg.render.report import CHARTS_DIR, HTML_FILE, MD_FILE

    return {FACTS_FILE, CUSTOMERS_FILE, WORKBOOK_FILE, KEY_FILE, MD_FILE, HTML_FILE, CHARTS_DIR, EXPORTS_DIR}


def _same_files(out: str, files: list[str]) -> bool:
    """Whether ``out`` holds an earlier run of files with these names."""
    try:
        with open(os.path.join(out, FACTS_FILE), encoding="utf-8") as fh:
            earlier = json.load(fh)["data"]["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return sorted(earlier) == sorted(os.path.basename(f) for f in files)


def _same_key(given: str, earlier: str) -> bool:
    """Whether the key passed with --key is the one the folder's earlier run used."""
    try:
        with open(given, encoding="utf-8") as a, open(earlier, encoding="utf-8") as b:
            return a.read().strip() == b.read().strip()
    except OSError:
        return False


def _publish(staging: str, out: str, keep: bool = True) -> list[str]:
    """Move the finished folder into place, replacing an earlier run only at the very end;
    with ``keep``, the earlier folder's own files are carried over (their names returned)."""
    old = None
    kept = []
    if os.path.isdir(out) and keep:
        outputs = _run_outputs()
        for name in sorted(os.listdir(out)):
            if name not in outputs and not name.startswith(".") and not os.path.exists(os.path.join(staging, name)):
                # Copied, not moved: should anything fail, the earlier folder is still whole.
                source, target = os.path.join(out, name), os.path.join(staging, name)
                if os.path.isdir(source):
                    shutil.copytree(source, target)
                else:
                    shutil.copy2(source, target)
                kept.append(name)
    if os.path.isdir(out):
        old = out + ".previous-" + os.path.basename(staging)
        os.rename(out, old)
    os.rename(staging, out)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    return kept


def render_text(r: RunResult) -> str:
    lines = [f"Segmented {r.customers:,} customers from {r.source}" + (f" as of {r.as_of}" if r.as_of else "") + (f" (RFM by {r.rfm_method} scores)" if r.rfm_method else "")]
    if r.segments:
        width = max(len(s.name) for s in r.segments)
        lines.append(f"  {'segment'.ljust(width)}  customers   share  revenue  share trend")
        names = {s.key: s.name for s in r.segments}
        for s in r.segments:
            rev = f"{s.revenue_share:6.1%}" if s.revenue_share is not None else "   n/a"
            trend = s.trend or "-"
            if not s.count:  # a zero in a table reads as "none of these customers": say why
                trend = f"merged into {names.get(s.merged_into, s.merged_into)}" if s.merged_into else "no customers at this date"
            lines.append(f"  {s.name.ljust(width)}  {s.count:9,}  {s.pct_customers:6.1%}  {rev}  {trend}")
    lines.append("Segmentations: " + ", ".join(r.segmentations))
    if r.validation_monotone is not None:
        lines.append("Next-period check: " + ("better segments did buy more" if r.validation_monotone else "in order, within chance (a lower segment bought again a little more often than the one above it, by less than chance allows)" if r.validation_within_chance else "a lower segment bought again more often than the one above it (see the report)"))
    for w in r.warnings:
        lines.append(f"Warning: {w}")
    if r.key_reused:
        lines.append("Kept the customer ids of the earlier run in this folder (its segment.key)")
    if r.kept:
        lines.append("Kept your files from the earlier run: " + ", ".join(r.kept))
    lines.append(f"Wrote to {r.out}:")
    described = {
        "report.html": "the report to open in a browser (report.md: the same as text)",
        "facts.json": "every number, with the method and rules",
        "customers.csv": "one row per customer: segment, scores and the reason (pseudonymous ids)",
        "segments.xlsx": "workbook for Excel: summary, one sheet per segment, rules (holds emails)",
        "charts/": "the charts as PNG",
        "exports/": "CRM-ready files for Klaviyo, HubSpot, Mailchimp and a generic one (hold emails)",
        KEY_FILE: "your pseudonymisation key: keep it, pass it back with --key so ids stay the same",
    }
    for name in r.files:
        if name in described:
            lines.append(f"  {name:<14} {described[name]}")
    return "\n".join(lines)


RUN = Tool(
    name="run",
    summary="Compute every segmentation the data supports, check it against the next period, and write facts.json, customers.csv, the report, charts, CRM files and a workbook.",
    params=RunParams,
    result=RunResult,
    run=run,
    render_text=render_text,
    description="Reads the export(s) like profile, scores every customer (RFM, lifecycle, value, health, and "
    "behavioral for event logs), assigns segments by an ordered rule table, measures migration and checks "
    "the segments against what happened next. Writes into --out: facts.json (every number, with the "
    "method and rules), customers.csv (one row per customer, pseudonymous ids), report.md and report.html, "
    "charts/*.png, exports/*.csv (Klaviyo, HubSpot, Mailchimp, generic; they hold emails), segments.xlsx "
    "and segment.key (keep it; pass it back with --key).",
)
