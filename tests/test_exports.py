"""CRM exports and the segments workbook: re-imported, counted, consent-aware and injection-safe."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custseg.cli.main import main
from custseg.ingest import IngestOptions, load, pseudonymize, read_key
from custseg.render.exports import ExportSummary, escape_text, write_exports
from custseg.render.workbook import unique_sheet_name, write_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EMAIL_FILES = ("klaviyo.csv", "hubspot.csv", "mailchimp.csv")
ALL_FILES = EMAIL_FILES + ("segments_generic.csv",)
EMAIL_ID_COLUMN = {"klaviyo.csv": ("Email", "Pseudonymous ID", "Segment"), "hubspot.csv": ("Email", "pseudonymous_id", "customer_segment"), "mailchimp.csv": ("Email Address", "Pseudonymous ID", None)}
PAYLOADS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\nx"]


@dataclasses.dataclass
class Run:
    customers: pd.DataFrame
    facts: dict
    contacts: pd.DataFrame
    source_ids: pd.DataFrame | None = None
    out: Path | None = None


_RUNS: dict[str, Run] = {}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    def get(example: str) -> Run:
        if example not in _RUNS:
            out = tmp_path_factory.mktemp("run") / "out"
            assert main(["run", str(EXAMPLES / example), "--out", str(out)]) == 0
            customers = pd.read_csv(out / "customers.csv")
            facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
            ds = load([str(EXAMPLES / example)], IngestOptions(key=str(out / "segment.key")))  # same pseudonyms as the run
            _RUNS[example] = Run(customers, facts, ds.contacts, ds.source_ids, out)
        return _RUNS[example]

    return get


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def raw_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def expected_in_email_files(run: Run, include_unconsented: bool = False) -> pd.DataFrame:
    """customers.csv joined to contacts, cut the way the exports must cut it."""
    merged = run.customers.merge(run.contacts.drop_duplicates("customer_id"), on="customer_id", how="left")
    has_email = merged["email"].notna() & merged["email"].astype(str).str.contains("@")
    opted_out = merged["consent"].astype("boolean").fillna(True).eq(False)
    keep = has_email & (~opted_out if not include_unconsented else True)
    return merged[keep]


def seg_key(frame: pd.DataFrame) -> pd.Series:
    return frame["segment"].fillna("unsegmented") if "segment" in frame else pd.Series("unsegmented", index=frame.index)


# -- the bundled examples ---------------------------------------------------------------


@pytest.mark.parametrize("example", ["shopify_orders_export.csv", "crm_customers.csv", "product_events.jsonl", "european_orders.csv"])
def test_exports_reimport_and_add_up(runs, tmp_path, example):
    run = runs(example)
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path))
    folder = tmp_path / "exports"
    assert sorted(summary.files) == sorted(ALL_FILES)
    assert summary.customers == len(run.customers)
    expected = expected_in_email_files(run)
    left_out = sum(summary.left_out_no_email.values()) + sum(summary.left_out_no_consent.values())

    # left-out counts by segment match an independent count
    merged = run.customers.merge(run.contacts.drop_duplicates("customer_id"), on="customer_id", how="left")
    no_email = merged["email"].isna()
    assert seg_key(merged[no_email]).value_counts().to_dict() == summary.left_out_no_email
    opted_out = merged[~no_email & merged["consent"].astype("boolean").eq(False).fillna(False)]
    assert seg_key(opted_out).value_counts().to_dict() == summary.left_out_no_consent
    assert summary.consent_unknown == int((~no_email & merged["consent"].isna()).sum())
    # who the email files reach, per segment: every segment with customers, zeros included
    reach = seg_key(merged[merged["customer_id"].isin(expected["customer_id"])]).value_counts()
    assert summary.reachable_by_segment == {k: int(reach.get(k, 0)) for k in seg_key(merged).unique()}
    assert summary.reachable == len(expected) == sum(summary.reachable_by_segment.values())
    # the generic file, filtered as its note says (consent not 'no', and an email), is the email files' list
    generic = read(folder / "segments_generic.csv")
    if "marketing_consent" in generic and "email" in generic:
        mailable = generic["email"].fillna("").str.contains("@") & generic["marketing_consent"].ne("no")
        assert int(mailable.sum()) == summary.reachable
        if summary.left_out_no_consent:
            assert any("keep the rows with an email and marketing_consent = yes, or unknown" in n for n in summary.notes)

    names = dict(zip(run.customers["customer_id"], run.customers.get("segment_name", pd.Series(dtype=str)).fillna("")))
    for name in EMAIL_FILES:
        frame = read(folder / name)
        email_col, id_col, seg_col = EMAIL_ID_COLUMN[name]
        assert len(frame) == summary.rows_written[name] == len(expected)
        assert summary.rows_written[name] + left_out == len(run.customers)  # nothing silently dropped
        assert set(frame[id_col]) == set(expected["customer_id"])
        # our pseudonym under a name that an import would map onto the user's own customer-id property
        assert not {"Customer ID", "customer_id", "CustomerID"} & set(frame.columns), name
        assert dict(zip(frame[id_col], frame[email_col])) == dict(zip(expected["customer_id"], expected["email"]))
        if seg_col:
            assert all(frame[seg_col].iloc[i] == names[frame[id_col].iloc[i]] for i in range(len(frame)))
    klaviyo = read(folder / "klaviyo.csv")
    assert list(klaviyo.columns)[0] == "Email"
    usage = ["usage_group"] if "behavior" in run.customers else []  # an event log's usage groups
    bought = ["last_purchase_date"] if "last_purchase" in run.customers and run.customers["last_purchase"].notna().any() else []
    hubspot = read(folder / "hubspot.csv")
    assert list(hubspot.columns)[:3] == ["Email", "customer_segment", "lifecyclestage"] and list(hubspot.columns)[-2:] == ["holdout", "pseudonymous_id"]
    assert list(hubspot.columns)[3:-2] == usage + bought
    # the last purchase day, as customers.csv has it, for a date filter in the tool ('is more than 90 days ago')
    last = dict(zip(run.customers["customer_id"], run.customers.get("last_purchase", pd.Series("", index=run.customers.index)).fillna("")))
    for frame, column, id_col in ((klaviyo, "Last Purchase", "Pseudonymous ID"), (hubspot, "last_purchase_date", "pseudonymous_id")):
        if bought:
            assert list(frame[column]) == [last[c] for c in frame[id_col]]
        else:
            assert column not in frame
    mailchimp = read(folder / "mailchimp.csv")
    assert {"Email Address", "Tags"} <= set(mailchimp.columns)
    for tags, cid in zip(mailchimp["Tags"], mailchimp["Pseudonymous ID"]):
        if names[cid]:
            assert tags.split(",")[0] == names[cid]
    # The holdout: the same customers in every file as in customers.csv, about a tenth of them
    held = dict(zip(run.customers["customer_id"], run.customers["holdout"].astype(bool)))
    assert 0.05 < sum(held.values()) / len(held) < 0.15
    assert all(held[c] == (v == "true") for c, v in zip(klaviyo["Pseudonymous ID"], klaviyo["Holdout"]))
    assert all(held[c] == (v == "true") for c, v in zip(hubspot["pseudonymous_id"], hubspot["holdout"]))
    assert all(held[c] == ("Holdout" in tags.split(",")) for c, tags in zip(mailchimp["Pseudonymous ID"], mailchimp["Tags"].fillna("")))
    assert summary.held_out_reachable == sum(held[c] for c in klaviyo["Pseudonymous ID"])
    assert sum(summary.held_out_by_segment.values()) == summary.held_out >= summary.held_out_reachable
    # the target is a target (a tenth); what chance gave is counted apart, overall and per segment
    assert summary.holdout_share == 0.1
    assert summary.held_out_share == round(sum(held.values()) / len(held), 6) != summary.holdout_share
    rates = run.customers["holdout"].astype(bool).groupby(seg_key(run.customers)).mean()
    shared = [k for k in summary.held_out_share_by_segment if k in rates]
    assert shared and all(summary.held_out_share_by_segment[k] == round(float(rates[k]), 6) for k in shared)

    generic = read(folder / "segments_generic.csv")
    # Emails are in their own column, each customer's from the contacts; no other cell has one.
    known = dict(zip(run.contacts["customer_id"], run.contacts["email"]))
    if any(isinstance(e, str) for e in known.values()):
        assert list(generic["email"]) == [known.get(c) if isinstance(known.get(c), str) else "" for c in generic["customer_id"]]
    else:
        assert "email" not in generic
    assert not generic.drop(columns="email", errors="ignore").apply(lambda col: col.str.contains("@")).any().any()
    assert summary.rows_written["segments_generic.csv"] == len(generic) == len(run.customers)
    assert list(generic["customer_id"]) == list(run.customers["customer_id"])
    for column in ("segment", "segment_name"):
        if column in run.customers:
            assert list(generic[column]) == list(run.customers[column].fillna(""))
    for column in ("r_score", "f_score", "m_score", "health_score"):
        if column in run.customers:
            back = pd.to_numeric(generic[column].replace("", None))
            assert back.fillna(-1).tolist() == run.customers[column].fillna(-1).tolist()

    for name in ALL_FILES:
        assert (folder / name).read_bytes().startswith(b"\xef\xbb\xbf")
    assert "@" not in json.dumps(summary.to_dict())
    json.dumps(dataclasses.asdict(summary))  # JSON-serializable


def test_hubspot_marks_buyers_as_customers(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    write_exports(run.customers, run.contacts, run.facts, str(tmp_path))
    hubspot = read(tmp_path / "exports" / "hubspot.csv")
    assert set(hubspot["lifecyclestage"]) == {"customer"}


def test_split_files_add_up(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path), split=True)
    folder = tmp_path / "exports"
    order = run.facts["segmentations"]["rfm"]["order"]
    sizes = run.customers["segment"].value_counts().to_dict()
    for tool, id_col in (("klaviyo", "Pseudonymous ID"), ("hubspot", "pseudonymous_id"), ("mailchimp", "Pseudonymous ID")):
        parts = [f"{tool}_{key}.csv" for key in order if sizes.get(key)]
        assert all(p in summary.files for p in parts)
        assert sum(summary.rows_written[p] for p in parts) == summary.rows_written[f"{tool}.csv"]
        whole = set(read(folder / f"{tool}.csv")[id_col])
        union = set()
        for key, part in zip([k for k in order if sizes.get(k)], parts):
            frame = read(folder / part)
            assert len(frame) == summary.rows_written[part]
            ids = set(frame[id_col])
            assert set(run.customers.loc[run.customers["segment"] == key, "customer_id"]) >= ids
            # per segment: written + left out = the segment's customers
            assert len(frame) + summary.left_out_no_email.get(key, 0) + summary.left_out_no_consent.get(key, 0) == sizes[key]
            union |= ids
        assert union == whole
        assert (folder / parts[0]).read_bytes().startswith(b"\xef\xbb\xbf")
    # a later export without split leaves no stale per-segment files behind
    again = write_exports(run.customers, run.contacts, run.facts, str(tmp_path))
    assert sorted(os.listdir(folder)) == sorted(again.files) == sorted(ALL_FILES)


def test_split_files_carry_the_coded_columns_as_the_whole_file_does(runs, tmp_path):
    """--split on a payments export stopped with an internal error: the amounts still owed
    (Outstanding Payment) are a coded column, which the per-segment files joined as if it were
    cells. Each split file's lines are the whole file's lines of its segment."""
    run = runs("stripe_unified_payments.csv")
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path), split=True)
    folder = tmp_path / "exports"
    for tool in ("klaviyo", "hubspot"):
        whole = raw_rows(folder / f"{tool}.csv")
        assert "outstanding" in " ".join(whole[0]).lower()
        parts = [raw_rows(folder / name) for name in summary.files if name.startswith(f"{tool}_")]
        assert all(part[0] == whole[0] for part in parts)
        assert sorted(row for part in parts for row in part[1:]) == sorted(whole[1:])


# -- consent ----------------------------------------------------------------------------


def test_consent_false_left_out_unknown_kept_and_counted(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    contacts = run.contacts.copy()
    contacts["consent"] = pd.array([True] * len(contacts), dtype="boolean")
    segment_of = dict(zip(run.customers["customer_id"], run.customers["segment"]))
    with_email = contacts[contacts["email"].notna()].reset_index(drop=True)
    false_ids = list(with_email["customer_id"][:40])
    unknown_ids = list(with_email["customer_id"][40:100])
    contacts.loc[contacts["customer_id"].isin(false_ids), "consent"] = False
    contacts.loc[contacts["customer_id"].isin(unknown_ids), "consent"] = pd.NA
    no_email_ids = set(run.customers["customer_id"]) - set(with_email["customer_id"])

    summary = write_exports(run.customers, contacts, run.facts, str(tmp_path))
    expect_false = pd.Series([segment_of[c] for c in false_ids]).value_counts().to_dict()
    expect_unknown = pd.Series([segment_of[c] for c in unknown_ids]).value_counts().to_dict()
    assert summary.left_out_no_consent == expect_false
    assert summary.consent_unknown == len(unknown_ids)
    assert summary.consent_unknown_by_segment == expect_unknown
    assert sum(summary.left_out_no_email.values()) == len(no_email_ids)
    for name in EMAIL_FILES:
        ids = set(read(tmp_path / "exports" / name)[EMAIL_ID_COLUMN[name][1]])
        assert not ids & set(false_ids)
        assert set(unknown_ids) <= ids
        assert not ids & no_email_ids
        assert len(ids) + len(false_ids) + len(no_email_ids) == len(run.customers)
    assert any("unknown consent" in n for n in summary.notes)

    keep_all = write_exports(run.customers, contacts, run.facts, str(tmp_path / "all"), include_unconsented=True)
    assert keep_all.left_out_no_consent == {}
    assert keep_all.included_unconsented == len(false_ids)
    for name in EMAIL_FILES:
        ids = set(read(tmp_path / "all" / "exports" / name)[EMAIL_ID_COLUMN[name][1]])
        assert set(false_ids) <= ids
        assert keep_all.rows_written[name] + len(no_email_ids) == len(run.customers)
    assert "@" not in json.dumps(summary.to_dict()) + json.dumps(keep_all.to_dict())


def test_workbook_consent_column(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    contacts = run.contacts.copy()
    contacts["consent"] = contacts["consent"].astype("boolean")
    contacts.loc[contacts.index[:25], "consent"] = pd.NA
    path = tmp_path / "segments.xlsx"
    write_workbook(run.customers, contacts, run.facts, str(path))
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    consent = dict(zip(contacts["customer_id"], contacts["consent"]))
    rows = pd.concat([sheets[n] for n in sheets if n not in ("Summary", "Rules", "Migration", "Products")])
    assert len(rows) == len(run.customers)
    for cid, shown in zip(rows["Pseudonymous ID"], rows["Marketing consent"]):
        value = consent[cid]
        assert shown == ("unknown" if pd.isna(value) else "yes" if value else "no")


@pytest.mark.parametrize("example", ["shopify_orders_export.csv", "product_events.jsonl"])
def test_generic_file_names_each_customer_as_the_export_did(runs, example):
    run = runs(example)
    generic = read(run.out / "exports" / "segments_generic.csv")
    key = read_key(str(run.out / "segment.key"))
    assert list(generic.columns[:2]) == ["customer_id", "source_id"] and generic["source_id"].ne("").all()
    # The source id is what was hashed: an email, phone or the export's own id, under its prefix.
    for cid, cell in zip(generic["customer_id"], generic["source_id"]):
        source = cell[1:] if cell[:1] == "'" else cell  # a phone's + is escaped like any formula start
        assert cid in set(pseudonymize([f"e:{source}", f"p:{source}", f"i:{source}"], key))
    assert generic["source_id"].is_unique
    if example == "product_events.jsonl":  # an event log keys users by its own id
        users = {json.loads(line)["userId"] for line in (EXAMPLES / example).read_text().splitlines() if line.strip()}
        assert set(generic["source_id"]) <= users and "marketing_consent" not in generic
    else:  # the export recorded consent: the file says whose it is, opted-out customers included
        opted_out = set(run.contacts.loc[run.contacts["consent"].astype("boolean").eq(False).fillna(False), "customer_id"])
        assert opted_out and set(generic.loc[generic["marketing_consent"] == "no", "customer_id"]) == opted_out
        emailed = set(run.contacts.loc[run.contacts["email"].notna(), "customer_id"])
        assert sum(run.facts["exports"]["left_out_no_consent"].values()) == len(opted_out & emailed)


@pytest.mark.parametrize("example, own, email", [("crm_customers.csv", "customer_id", "email"), ("stripe_unified_payments.csv", "Customer ID", "Customer Email")])
def test_generic_file_names_customers_by_the_exports_own_id_and_email(runs, example, own, email):
    """An export with both a customer id and emails: source_id is the export's own id (what
    a CRM keyed by its record ids matches on), the email has its own column."""
    run = runs(example)
    generic = read(run.out / "exports" / "segments_generic.csv").set_index("customer_id")
    key = read_key(str(run.out / "segment.key"))
    rows = pd.read_csv(EXAMPLES / example, dtype=str, keep_default_na=False)
    rows[email] = rows[email].str.strip().str.lower()
    identity = [f"e:{e}" if e else f"i:{i}" for e, i in zip(rows[email], rows[own])]
    rows["pseudonym"] = pseudonymize(identity, key)
    listed = rows[rows["pseudonym"].isin(generic.index)].groupby("pseudonym")
    assert len(listed) == len(generic)
    # One of the customer's own ids (Stripe may give one email several), never the email.
    own_ids = listed[own].agg(set)
    assert all(generic.at[p, "source_id"] in ids for p, ids in own_ids.items())
    assert generic["source_id"].str.contains("@").sum() == 0
    emails = listed[email].agg(set)
    assert all({generic.at[p, "email"]} == (e - {""} or {""}) for p, e in emails.items())
    assert list(generic.columns[:2]) == ["source_id", "email"]


def test_generic_file_of_a_log_without_emails_carries_the_logs_ids(tmp_path):
    log = tmp_path / "log.csv"
    rows = [(f"{1000 + i % 70}", f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}", 5 + i % 13) for i in range(400)]
    with open(log, "w", newline="") as fh:
        csv.writer(fh).writerows([("customer_id", "date", "amount"), *rows])
    out = tmp_path / "out"
    assert main(["run", str(log), "--out", str(out), "--no-charts"]) == 0
    generic = read(out / "exports" / "segments_generic.csv")
    key = read_key(str(out / "segment.key"))
    assert set(generic["source_id"]) == {r[0] for r in rows}
    assert list(generic["customer_id"]) == list(pseudonymize([f"i:{s}" for s in generic["source_id"]], key))
    facts = json.loads((out / "facts.json").read_text())
    assert any("source_id" in n for n in facts["exports"]["notes"])
    assert "source_id" not in (out / "customers.csv").read_text()
    # Empty email-tool files are said out loud, with the way out.
    assert [w for w in facts["warnings"] if "Klaviyo, HubSpot and Mailchimp files are empty" in w and "--map email=" in w]


def test_a_customer_column_of_emails_is_the_email_too(tmp_path):
    """A plain log keyed by 'Customer Email': the CRM files get the emails, and the ids are the
    email ids any other export of the same customers gives."""
    out = tmp_path / "out"
    assert main(["run", str(EXAMPLES / "european_orders.csv"), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text())
    assert facts["exports"]["rows_written"]["klaviyo.csv"] == facts["data"]["customers"]
    assert not [w for w in facts["warnings"] if "files are empty" in w]
    generic = read(out / "exports" / "segments_generic.csv")
    key = read_key(str(out / "segment.key"))
    assert list(generic["customer_id"]) == list(pseudonymize([f"e:{s}" for s in generic["source_id"]], key))


# -- the workbook -----------------------------------------------------------------------


def test_workbook_names_each_customer_as_the_export_did(runs):
    run = runs("shopify_orders_export.csv")
    sheets = pd.read_excel(run.out / "segments.xlsx", sheet_name=None, dtype=str, keep_default_na=False)
    rows = pd.concat([sheets[n] for n in sheets if n not in ("Summary", "Rules", "Migration", "Products")])
    theirs = dict(zip(run.source_ids["customer_id"], run.source_ids["source_id"]))
    assert len(rows) == len(run.customers) and list(rows.columns[:2]) == ["Pseudonymous ID", "ID in your export"]
    assert [escape_text(theirs[c]) for c in rows["Pseudonymous ID"]] == list(rows["ID in your export"])  # a phone's + escaped


@pytest.mark.parametrize("example", ["shopify_orders_export.csv", "crm_customers.csv", "product_events.jsonl"])
def test_workbook_reimports(runs, tmp_path, example):
    run = runs(example)
    path = tmp_path / "segments.xlsx"
    names = write_workbook(run.customers, run.contacts, run.facts, str(path))
    rfm = run.facts["segmentations"]["rfm"]
    seg_names = [rfm["segments"][k]["name"] for k in rfm["order"]]
    assert names[0] == "Summary" and names[1 : 1 + len(seg_names)] == seg_names
    assert "Rules" in names
    assert ("Migration" in names) == bool(rfm.get("migration"))
    assert len(set(n.lower() for n in names)) == len(names) and all(len(n) <= 31 for n in names)

    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == names
    summary = sheets["Summary"]
    assert list(summary["Segment"][: len(seg_names)]) == seg_names
    assert list(summary["Customers"][: len(seg_names)]) == [rfm["segments"][k]["count"] for k in rfm["order"]]
    share = "% of buyers" if run.facts["data"].get("buyers") is not None else "% of customers"  # an event log's RFM holds its buyers
    assert summary[share][0] == pytest.approx(rfm["segments"][rfm["order"][0]]["pct_customers"])

    seen = []
    for key, name in zip(rfm["order"], seg_names):
        frame = sheets[name]
        ids = set(run.customers.loc[run.customers["segment"] == key, "customer_id"])
        assert set(frame["Pseudonymous ID"]) == ids and len(frame) == len(ids)
        seen += list(frame["Pseudonymous ID"])
    unsegmented = set(run.customers.loc[run.customers["segment"].isna(), "customer_id"])
    if unsegmented:
        assert set(sheets["No segment"]["Pseudonymous ID"]) == unsegmented
        seen += list(sheets["No segment"]["Pseudonymous ID"])
    assert sorted(seen) == sorted(run.customers["customer_id"])
    emails = dict(zip(run.contacts["customer_id"], run.contacts["email"]))
    first = sheets[seg_names[0]]
    for cid, email in zip(first["Pseudonymous ID"], first["Email"]):
        assert (email if isinstance(email, str) else None) == (emails.get(cid) if isinstance(emails.get(cid), str) else None)

    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(c.font.bold for c in ws[1])
    ws = wb["Summary"]
    header = [c.value for c in ws[1]]
    assert ws.cell(2, header.index(share) + 1).number_format == "0.0%"
    assert ws.cell(2, header.index("Customers") + 1).number_format == "#,##0"
    assert ws.column_dimensions["A"].width >= 8
    seg = wb[seg_names[0]]
    header = [c.value for c in seg[1]]
    money = next(i for i, h in enumerate(header) if h.startswith("Total spent"))
    if seg.max_row > 1:
        assert seg.cell(2, money + 1).number_format == "#,##0.00"
        assert seg.cell(2, header.index("Orders") + 1).number_format == "#,##0"
    if "Migration" in names:
        matrix = rfm["migration"]["matrix"]
        mig = sheets["Migration"]
        assert int(mig["Total"].sum()) == sum(sum(row.values()) for row in matrix.values())


def test_workbook_without_rfm(tmp_path):
    customers = pd.DataFrame({"customer_id": ["c_1", "c_2", "c_3"], "monetary_total": [10.0, 30.0, 60.0], "value_tier": ["low", "high", "high"]})
    facts = {"as_of": None, "segmentations": {"value": {"order": ["high", "low"], "segments": {"high": {"name": "High Value", "count": 2, "pct_customers": 2 / 3, "revenue_share": 0.9, "avg_value": 45.0}, "low": {"name": "Low Value", "count": 1, "pct_customers": 1 / 3, "revenue_share": 0.1, "avg_value": 10.0}}}}}
    contacts = pd.DataFrame({"customer_id": ["c_1", "c_2"], "email": ["a@x.example", None], "consent": pd.array([True, pd.NA], dtype="boolean")})
    names = write_workbook(customers, contacts, facts, str(tmp_path / "a.xlsx"))
    assert names == ["Summary", "Customers"]
    sheets = pd.read_excel(tmp_path / "a.xlsx", sheet_name=None)
    assert list(sheets["Summary"].iloc[:, 0]) == ["High Value", "Low Value"]
    assert sorted(sheets["Customers"]["Pseudonymous ID"]) == ["c_1", "c_2", "c_3"]
    assert list(sheets["Customers"]["Marketing consent"]) == ["yes", "unknown", "unknown"]

    names = write_workbook(customers, None, {}, str(tmp_path / "b.xlsx"))  # no facts at all
    summary = pd.read_excel(tmp_path / "b.xlsx", sheet_name="Summary")
    assert summary["Customers"].tolist() == [3]

    summary = write_exports(customers, contacts, facts, str(tmp_path))
    assert summary.rows_written["klaviyo.csv"] == 1 and summary.left_out_no_email == {"unsegmented": 2}
    assert summary.consent_unknown == 0


def test_sheet_names_valid_and_unique():
    taken: list[str] = []
    for title in ["Summary", "summary", "A/B: [test]?", "x" * 40, "x" * 40, "History", "'quoted'", ""]:
        taken.append(unique_sheet_name(title, taken))
    assert len({t.lower() for t in taken}) == len(taken)
    assert all(0 < len(t) <= 31 and not set(t) & set("[]:*?/\\") and not t.startswith("'") for t in taken)
    assert "History" not in taken


# -- CSV injection ----------------------------------------------------------------------


@pytest.fixture
def hostile():
    n = len(PAYLOADS)
    customers = pd.DataFrame(
        {
            "customer_id": [f"c_{i:04d}" for i in range(n)],
            "segment": ["champions"] * 3 + ["at_risk"] * (n - 3),
            "segment_name": PAYLOADS,
            "r_score": [5] * n,
            "f_score": [4] * n,
            "m_score": [3] * n,
            "reason": PAYLOADS[::-1],
            "lifecycle": PAYLOADS,
            "monetary_total": [-3.5] + [10.0] * (n - 1),
            "health_score": [-3.5] + [50.0] * (n - 1),
        }
    )
    contacts = pd.DataFrame({"customer_id": customers["customer_id"], "email": [f"u{i}@x.example" for i in range(n)], "consent": pd.array([True] * n, dtype="boolean")})
    facts = {"segmentations": {"rfm": {"order": ["champions", "at_risk"], "segments": {"champions": {"name": "=cmd|' /C calc'!A0", "count": 3, "pct_customers": 3 / n}, "at_risk": {"name": "At Risk", "count": n - 3, "pct_customers": (n - 3) / n}}}}}
    return customers, contacts, facts


def _escaped(cell: str, payload: str) -> bool:
    return cell == "'" + payload


def test_csv_injection_escaped_numbers_stay_numeric(hostile, tmp_path):
    customers, contacts, facts = hostile
    summary = write_exports(customers, contacts, facts, str(tmp_path), split=True)
    folder = tmp_path / "exports"
    for name in summary.files:
        for row in raw_rows(folder / name):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r", "\n")), (name, cell)
                if cell.startswith("-"):
                    assert cell == "-3.5", (name, cell)
    generic = raw_rows(folder / "segments_generic.csv")
    header, rows = generic[0], generic[1:]
    for i, payload in enumerate(PAYLOADS):
        assert _escaped(rows[i][header.index("segment_name")], payload)
        assert _escaped(rows[i][header.index("reason")], PAYLOADS[::-1][i])
        assert _escaped(rows[i][header.index("lifecycle")], payload)
    assert rows[0][header.index("health_score")] == "-3.5"
    assert pd.read_csv(folder / "segments_generic.csv", encoding="utf-8-sig")["health_score"].iloc[0] == -3.5
    klaviyo = raw_rows(folder / "klaviyo.csv")
    assert [r[1] for r in klaviyo[1:]] == ["'" + p for p in PAYLOADS]
    assert [r[2] for r in klaviyo[1:]] == ["543"] * len(PAYLOADS)
    hubspot = raw_rows(folder / "hubspot.csv")
    assert [r[1] for r in hubspot[1:]] == ["'" + p for p in PAYLOADS]
    mailchimp = raw_rows(folder / "mailchimp.csv")
    for payload, row in zip(PAYLOADS, mailchimp[1:]):  # tags are trimmed of surrounding whitespace; the rest is escaped
        assert row[1] == ("'" + payload if payload.strip() == payload else payload.strip())
    assert "@" not in json.dumps(summary.to_dict())


def test_workbook_injection_stored_as_text(hostile, tmp_path):
    customers, contacts, facts = hostile
    path = tmp_path / "w.xlsx"
    names = write_workbook(customers, contacts, facts, str(path))
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell.value
    for payload in PAYLOADS:
        shown = "'" + payload.replace("\r", "\n")  # XML normalizes a bare CR to LF
        assert shown in texts
    assert "'=cmd|' /C calc'!A0" in texts  # the facts' segment name in Summary
    seg = wb[names[1]]
    header = [c.value for c in seg[1]]
    score = seg.cell(2, header.index("Health score") + 1)
    assert score.value == -3.5 and score.data_type == "n"
    spent = seg.cell(2, next(i for i, h in enumerate(header) if h.startswith("Total spent")) + 1)
    assert spent.value == -3.5 and spent.data_type == "n"
    frame = pd.read_excel(path, sheet_name=names[1])
    assert frame["Health score"].iloc[0] == -3.5


def test_summary_is_a_dataclass_without_contacts(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path))
    assert isinstance(summary, ExportSummary) and dataclasses.is_dataclass(summary)
    text = json.dumps(dataclasses.asdict(summary)) + repr(summary) + str(summary)
    assert "@" not in text
    assert not any(e in text for e in run.contacts["email"].dropna().head(50))


# -- columnar writer: the same bytes whatever the column types ---------------------------


def _typed_customers(text_dtype: str, score_dtype: str) -> pd.DataFrame:
    def text(values):
        return pd.Series(pd.Categorical(values)) if text_dtype == "category" else pd.Series(values, dtype=text_dtype)

    return pd.DataFrame(
        {
            "customer_id": text([f"c_{i:02d}" for i in range(10)]),
            "segment": text(["champions", "at_risk", None, "champions", "", "loyal", "at_risk", "champions", None, "loyal"]),
            "segment_name": text(["Champions", "At Risk", None, None, None, "Loyal", "At Risk", "Champions", None, "Loyal"]),
            "r_score": pd.Series([5, 4, None, 5, 3, 2, 1, 5, None, 3], dtype=score_dtype),
            "f_score": pd.Series([4, 4, None, 5, 3, 2, 1, 5, None, 3], dtype=score_dtype),
            "m_score": pd.Series([3, 4, None, 5, 3, 2, 1, 5, None, 3], dtype=score_dtype),
            "reason": text(["a, b", 'say "hi"', "=1+1", "line\nbreak", None, "-x", "plain", "plain", "a, b", "@me"]),
            "lifecycle": text(["established", "lapsed", None, "established", "new_one", "lapsed", "x,y", "established", None, "lapsed"]),
            "health_score": [55.0, -3.5, None, 12.0, 0.1 + 0.2, 1e20, 7.0, 8.0, float("inf"), 9.0],
            "orders": [3, 1, 0, 2, 1, 1, 4, 2, 0, 1],
        }
    )


def test_exports_same_bytes_whatever_the_dtypes(tmp_path):
    contacts = pd.DataFrame(
        {
            "customer_id": ["c_00", "c_01", "c_03", "c_03", "c_04", "c_05", "c_06", "c_07", "c_09"],
            "email": ["A@x.example", "a@x.example", "first@x.example", "second@x.example", "\u3000pad@x.example ", "=f@x.example", None, "no-at-sign", "q@x.example"],
            "consent": pd.array([True, None, True, False, True, True, True, True, False], dtype="boolean"),
        }
    )
    facts = {"segmentations": {"rfm": {"order": ["champions", "loyal", "at_risk"], "segments": {"champions": {"name": "Champions"}, "loyal": {"name": "Loyal"}, "at_risk": {"name": "At Risk"}}}}}
    outputs = []
    for i, (text_dtype, score_dtype) in enumerate([("object", "float64"), ("str", "Int64"), ("category", "float64"), ("string[pyarrow]", "Int64")]):
        summary = write_exports(_typed_customers(text_dtype, score_dtype), contacts, facts, str(tmp_path / str(i)), split=True)
        folder = tmp_path / str(i) / "exports"
        outputs.append((summary.to_dict() | {"folder": None}, {name: (folder / name).read_bytes() for name in summary.files}))
    assert all(out == outputs[0] for out in outputs[1:])

    summary, files = outputs[0]
    assert summary["duplicate_emails"] == 1  # A@x.example and a@x.example
    assert summary["consent_unknown"] == 1 and summary["left_out_no_consent"] == {"loyal": 1}
    generic = files["segments_generic.csv"]
    assert generic.startswith(b"\xef\xbb\xbfcustomer_id,email,marketing_consent,segment,segment_name,r_score,f_score,m_score,reason,lifecycle,health_score\r\n")
    assert b'\r\nc_00,A@x.example,yes,champions,Champions,5,4,3,"a, b",established,55\r\n' in generic
    assert b'\r\nc_01,a@x.example,unknown,at_risk,At Risk,4,4,4,"say ""hi""",lapsed,-3.5\r\n' in generic
    assert b"\r\nc_02,,unknown,,,,,,'=1+1,,\r\n" in generic
    assert b'\r\nc_03,first@x.example,yes,champions,Champions,5,5,5,"line\nbreak",established,12\r\n' in generic
    assert b"\r\nc_04,pad@x.example,yes,,,3,3,3,,new_one,0.3\r\nc_05,'=f@x.example,yes,loyal,Loyal,2,2,2,'-x,lapsed,100000000000000000000\r\n" in generic
    assert b'\r\nc_06,,yes,at_risk,At Risk,1,1,1,plain,"x,y",7\r\n' in generic
    assert b"\r\nc_07,,yes," in generic  # no usable email: the cell is empty
    assert b"\r\nc_08,,unknown,,,,,,\"a, b\",,\r\n" in generic
    assert b"\r\nc_09,q@x.example,no,loyal," in generic  # opted out: still listed, and marked
    klaviyo = raw_rows(Path(tmp_path / "0" / "exports" / "klaviyo.csv"))
    assert klaviyo[0] == ["Email", "Segment", "RFM Score", "Lifecycle", "Pseudonymous ID"]
    assert klaviyo[1:] == [
        ["A@x.example", "Champions", "543", "Established", "c_00"],
        ["a@x.example", "At Risk", "444", "Lapsed", "c_01"],
        ["first@x.example", "Champions", "555", "Established", "c_03"],  # the first contact row of an id wins
        ["pad@x.example", "", "333", "New One", "c_04"],
        ["'=f@x.example", "Loyal", "222", "Lapsed", "c_05"],
    ]
    mailchimp = raw_rows(Path(tmp_path / "0" / "exports" / "mailchimp.csv"))
    assert [r[1] for r in mailchimp[1:]] == ["Champions,Established", "At Risk,Lapsed", "Champions,Established", "New One", "Loyal,Lapsed"]
    assert sorted(n for n in files if n.startswith("hubspot_")) == ["hubspot_at_risk.csv", "hubspot_champions.csv", "hubspot_loyal.csv", "hubspot_unsegmented.csv"]


def _last_purchases(dtype: str) -> pd.Series:
    """Four customers' last purchase days (the third never bought) as a run or a caller holds them."""
    days = ["2024-03-01", "2023-12-31", None, "2024-03-01"]
    if dtype == "date32[pyarrow]":  # the run's own (facts/build._dates)
        return pd.Series(pd.arrays.ArrowExtensionArray(pa.array([None if d is None else date.fromisoformat(d) for d in days], type=pa.date32())))
    if dtype == "datetime64[ns]":
        return pd.to_datetime(pd.Series(days))
    return pd.Series(days, dtype=object)  # customers.csv read back


@pytest.mark.parametrize("dtype", ["date32[pyarrow]", "datetime64[ns]", "object"])
@pytest.mark.parametrize("split", [False, True])
def test_email_tools_carry_the_last_purchase_day(tmp_path, dtype, split):
    """Klaviyo and HubSpot filter a date property relatively ('is more than 90 days ago'), so a
    pathway on days since the last purchase needs the day in their files: klaviyo.csv's Last
    Purchase and hubspot.csv's last_purchase_date (after the labels, before Holdout), empty for
    whoever never bought; Mailchimp's file stays tags only. The same cells whatever the column's type."""
    ids = [f"c_f{i:015x}" for i in range(4)]  # pseudonymous ids, none held out
    customers = pd.DataFrame({"customer_id": ids, "segment": ["champions", "at_risk", None, "champions"], "last_purchase": _last_purchases(dtype)})
    contacts = pd.DataFrame({"customer_id": customers["customer_id"], "email": [f"u{i}@x.example" for i in range(4)], "consent": pd.array([True, True, True, False], dtype="boolean")})
    facts = {"segmentations": {"rfm": {"order": ["champions", "at_risk"], "segments": {"champions": {"name": "Champions"}, "at_risk": {"name": "At Risk"}}}}}
    summary = write_exports(customers, contacts, facts, str(tmp_path), split=split)
    folder = tmp_path / "exports"
    klaviyo, hubspot = raw_rows(folder / "klaviyo.csv"), raw_rows(folder / "hubspot.csv")
    assert klaviyo[0][-3:] == ["Last Purchase", "Holdout", "Pseudonymous ID"] and hubspot[0][-3:] == ["last_purchase_date", "holdout", "pseudonymous_id"]
    assert [r[-3] for r in klaviyo[1:]] == [r[-3] for r in hubspot[1:]] == ["2024-03-01", "2023-12-31", ""]  # c_4 opted out
    assert raw_rows(folder / "mailchimp.csv")[0] == ["Email Address", "Tags", "Pseudonymous ID"]
    generic = raw_rows(folder / "segments_generic.csv")
    assert [r[generic[0].index("last_purchase")] for r in generic[1:]] == ["2024-03-01", "2023-12-31", "", "2024-03-01"]
    assert summary.columns["klaviyo.csv"] == klaviyo[0] and summary.columns["hubspot.csv"] == hubspot[0]
    assert any("'last_purchase_date' (date picker)" in n for n in summary.notes) and any("map 'Last Purchase' to the date data type" in n for n in summary.notes)
    if split:
        assert raw_rows(folder / "klaviyo_at_risk.csv")[1][-3] == "2023-12-31"


def test_no_last_purchase_column_without_a_purchase(tmp_path):
    """Nobody bought (or the table has no last_purchase): no date column in the email tools' files."""
    customers = pd.DataFrame({"customer_id": ["c_1", "c_2"], "segment": [None, None], "last_purchase": [None, None]})
    contacts = pd.DataFrame({"customer_id": customers["customer_id"], "email": ["a@x.example", "b@x.example"]})
    summary = write_exports(customers, contacts, {}, str(tmp_path))
    assert "Last Purchase" not in summary.columns["klaviyo.csv"] and "last_purchase_date" not in summary.columns["hubspot.csv"]
    assert not any("Last Purchase" in n or "last_purchase_date" in n for n in summary.notes)


@pytest.mark.parametrize("values", [[5, 1, 3, 5], [-3, 0, 7, -3], [0, 2**40, 12], [7], [-100, 100, 0]])
def test_integer_cells_read_as_python_writes_them(values):
    from custseg.render.csvcells import Coded, int_column

    def cells(column):
        return (column.array() if isinstance(column, Coded) else column).to_pylist()

    assert cells(int_column(np.array(values, dtype=np.int64))) == [str(v) for v in values]
    if max(values) < 128 and min(values) > -128:  # no overflow in the small type
        assert cells(int_column(np.array(values, dtype=np.int8))) == [str(v) for v in values]


def test_generic_file_same_bytes_when_shared_stretches_are_joined_once(tmp_path, monkeypatch):
    """Customers sharing segment, scores, reason and labels share that stretch of their line:
    it is joined once per combination. The file equals the one written column by column."""
    from custseg.render import exports

    rng = np.random.default_rng(7)
    n = 400
    tails = [("champions", 5, 4, 3, "a, b", "established", 55), ("at_risk", 1, 1, 2, '=say "hi"', "lapsed", 7), ("loyal", 4, 4, 4, "plain", "new_one", 100)]
    picks = rng.integers(0, len(tails), n)
    customers = pd.DataFrame({"customer_id": [f"c_{i:04d}" for i in range(n)]} | {col: [tails[p][j] for p in picks] for j, col in enumerate(["segment", "r_score", "f_score", "m_score", "reason", "lifecycle", "health_score"])})
    customers["reason"] = customers["reason"].astype("category")
    facts = {"segmentations": {"rfm": {"order": ["champions", "loyal", "at_risk"], "segments": {"champions": {"name": "Champions"}, "loyal": {"name": "Loyal"}, "at_risk": {"name": "At Risk"}}}}}
    joined = []
    real = exports.joined_runs
    monkeypatch.setattr(exports, "joined_runs", lambda columns, rows: joined.append(len(real(columns, rows))) or real(columns, rows))
    write_exports(customers, None, facts, str(tmp_path / "joined"))
    assert joined == [2]  # the id, then one stretch for everything after it
    monkeypatch.setattr(exports, "joined_runs", lambda columns, rows: columns)
    write_exports(customers, None, facts, str(tmp_path / "by_column"))
    a = (tmp_path / "joined" / "exports" / "segments_generic.csv").read_bytes()
    assert a == (tmp_path / "by_column" / "exports" / "segments_generic.csv").read_bytes()
    assert a.count(b"\r\n") == n + 1 and b"'=say \"\"hi\"\"" in a


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet='ab=+-@\t\r\n,"é ', max_size=6)), max_size=12), st.integers(0, 3))
def test_cells_that_need_nothing_are_left_as_they_are(values, start):
    """The one-look check over an array's bytes agrees with escaping and quoting cell by cell."""
    import pyarrow as pa

    from custseg.render.exports import _cell, _cells

    arr = pa.array(["pad"] * start + values, type=pa.large_string()).slice(start)  # an offset into shared buffers
    assert _cells(arr).to_pylist() == [_cell(v) for v in values]


def test_cells_of_small_offset_strings_are_checked_by_pattern():
    import pyarrow as pa

    from custseg.render.exports import _cells

    assert _cells(pa.array(["=1+1", "a,b", "plain", None], type=pa.string())).to_pylist() == ["'=1+1", '"a,b"', "plain", ""]


def test_operationalize_brief_asks_to_flag_unknown_consent(runs):
    """Stripe exports record no marketing consent: the hand-over brief says so with the count;
    a Shopify export records it, and the brief does not raise it."""
    from custseg.render.briefs import render_brief

    stripe = runs("stripe_unified_payments.csv").facts
    unknown = stripe["exports"]["consent_unknown"]
    assert unknown > 0
    assert f"did not record marketing consent for {unknown:,} people" in render_brief("operationalize", stripe)
    shopify = runs("shopify_orders_export.csv").facts
    assert shopify["exports"]["consent_unknown"] == 0
    assert "did not record marketing consent" not in render_brief("operationalize", shopify)


def test_the_briefs_ask_about_consent_once_and_follow_the_answer(runs, cli, tmp_path):
    """The intake asks about the opt-outs (Shopify) or the unknown consent (Stripe) with the
    counts; after a run with --include-unconsented the strategy and hand-over briefs say they
    are in the files, instead of telling the model they must not be emailed (real-store trial)."""
    import copy

    from custseg.render.briefs import render_brief

    shopify = runs("shopify_orders_export.csv").facts
    opted = sum(shopify["exports"]["left_out_no_consent"].values())
    intake = render_brief("intake", shopify)
    assert f"**Marketing consent**: the export marks {opted:,} people with an email as opted out of marketing, so they are left out of the email-tool files. Does that match your records?" in intake
    stripe = runs("stripe_unified_payments.csv").facts
    assert f"it does not say whether {stripe['exports']['consent_unknown']:,} people in the email-tool files agreed to marketing. May those people be emailed?" in render_brief("intake", stripe)
    # where the answer goes: `confirmed` only for a warning this run gave (a trial was told opted_out, and check.py refused it)
    assert "strategy.json's `confirmed` carries it as `consent_unknown`, the warning it answers." in render_brief("intake", stripe)
    assert "no run warning asks this, so it goes in answers.json only" in intake and "`opted_out`" not in intake

    strategy = render_brief("strategy", shopify)
    assert "hold only customers with an email who did not opt out" in strategy and "must not be emailed" in strategy
    assert "--include-unconsented` exists only for customers who did consent elsewhere" in render_brief("operationalize", shopify)
    # the same store, run with --include-unconsented: the counts follow the flag
    included = copy.deepcopy(shopify)
    included["exports"].update(include_unconsented=True, included_unconsented=opted, left_out_no_consent={})
    included["exports"]["reachable_by_segment"] = {k: v + shopify["exports"]["left_out_no_consent"].get(k, 0) for k, v in shopify["exports"]["reachable_by_segment"].items()}
    strategy = render_brief("strategy", included)
    assert f"hold every customer with an email, {opted:,} whom the export marks as opted out among them" in strategy
    assert "did not opt out" not in strategy and "must not be emailed" not in strategy
    hand_over = render_brief("operationalize", included)
    assert f"the {opted:,} customers the export marks as opted out are in the email files because the user said they consented elsewhere" in hand_over
    assert "exists only for customers who did consent elsewhere" not in hand_over
    assert f"the export marks {opted:,} people with an email as opted out of marketing. Does that match" in render_brief("intake", included)


def test_the_briefs_tell_no_opt_outs_as_included_when_nobody_opted_out(runs):
    """--include-unconsented on an export where nobody opted out (Stripe: consent only unknown)
    includes no one: the briefs said '0 customers the export marks as opted out are in the email
    files because the user said they consented elsewhere' (trial). They speak of the unknown
    consent instead."""
    import copy

    from custseg.render.briefs import render_brief

    stripe = copy.deepcopy(runs("stripe_unified_payments.csv").facts)
    stripe["exports"].update(include_unconsented=True, included_unconsented=0, left_out_no_consent={})
    unknown = stripe["exports"]["consent_unknown"]
    strategy, hand_over = render_brief("strategy", stripe), render_brief("operationalize", stripe)
    for brief in (strategy, hand_over):
        assert " 0 customers the export marks as opted out" not in brief and " 0 whom the export marks as opted out" not in brief
        assert "consented elsewhere" not in brief
    assert f"the export marks nobody as opted out, and does not record consent for {unknown:,} of them (`{{exports.consent_unknown}}`), who may be emailed once the user has confirmed it" in strategy
    assert "The export marks nobody as opted out, so `--include-unconsented` added no one to the files: those whose consent it does not record are in them either way (next point)." in hand_over
    assert f"did not record marketing consent for {unknown:,} people" in hand_over


def test_contacts_who_never_bought_are_listed_as_prospects(tmp_path):
    """An orders export with the store's customers export: sign-ups who never ordered are in
    no segment and not in customers.csv, but the CRM files list them as 'Prospects (never
    bought)', consent respected, so a plan can aim at their first order (two skill trials
    missed them)."""
    from custseg.render.briefs import render_brief
    from custseg.strategy import validate

    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    people = tmp_path / "customers_export.csv"
    rows = [("Ann", "ann.signup@example.com", "yes"), ("Bo", "bo.signup@example.com", "yes"), ("Cy", "cy.signup@example.com", "no")]
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + "".join(f"{n},X,{e},{c},0.00,0\n" for n, e, c in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(orders), str(people), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    exports = facts["exports"]
    assert facts["data"]["prospects"] == 3
    assert exports["reachable_by_segment"]["prospects"] == 2 and exports["left_out_no_consent"]["prospects"] == 1
    never = facts["data"]["contacts"]["prospects"]  # the same people by consent, in the facts
    assert (never["people"], never["with_email"], never["opted_in"], never["opted_out"]) == (3, 3, 2, 1)
    # consent comes from the customers export, and the report's 'Columns read' says so (trial)
    assert facts["data"]["mapping"]["consent"] == "Accepts Email Marketing"
    assert "Consent from `Accepts Email Marketing`" in (out / "report.md").read_text(encoding="utf-8")
    klaviyo = read(out / "exports" / "klaviyo.csv")
    listed = klaviyo[klaviyo["Segment"] == "Prospects (never bought)"]
    assert sorted(listed["Email"]) == ["ann.signup@example.com", "bo.signup@example.com"]
    assert (listed[["RFM Score", "Lifecycle", "Value Tier", "Last Purchase"]] == "").all().all()  # nothing computed for them, no purchase
    assert (klaviyo["Last Purchase"] != "").sum() == len(klaviyo) - len(listed)
    hubspot = read(out / "exports" / "hubspot.csv")
    assert set(hubspot.loc[hubspot["Email"].isin(listed["Email"]), "last_purchase_date"]) == {""}
    generic = read(out / "exports" / "segments_generic.csv")
    assert (generic["segment"] == "prospects").sum() == 3 and len(generic) == facts["data"]["customers"] + 3
    customers = pd.read_csv(out / "customers.csv")
    assert len(customers) == facts["data"]["customers"] and not set(generic.loc[generic["segment"] == "prospects", "customer_id"]) & set(customers["customer_id"])
    assert any("3 contacts who never bought" in n for n in exports["notes"])
    assert "## Contacts who never bought" in render_brief("strategy", facts)
    in_short = (out / "report.md").read_text(encoding="utf-8").split("## The data we used")[0]
    assert f"reach {exports['reachable']:,} of {exports['customers']:,} people in segments_generic.csv (customers, and contacts who never bought)" in in_short
    # a rule may act on them (test_strategy: so may a targeting cell, a KPI and a pathway to New)
    doc = json.loads((EXAMPLES / "strategies" / "shopify_orders_export.strategy.json").read_text(encoding="utf-8"))
    doc["automation_rules"].append({"segment": "prospects", "crm": "Klaviyo", "rule": "Send the first-order welcome to sign-ups who never bought."})
    assert not [p for p in validate(doc, facts) if p.code == "unknown_segment"]


def test_contacts_whose_orders_were_not_kept_are_not_prospects(tmp_path):
    """A customers export's contact with Total Orders above 0 and no kept order in the orders
    export (cancelled or refunded) ordered: a trial listed 29 of them as 'Prospects (never
    bought)', where a first-order welcome would reach them. They are their own group in every
    file, in exports.groups, reachable_by_segment and the left-out counts, with a note; the
    prospects keep only those with no orders at all."""
    from custseg.render.briefs import render_brief
    from custseg.render.exports import NO_KEPT_ORDER_KEY, NO_KEPT_ORDER_NAME

    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    people = tmp_path / "customers_export.csv"
    rows = [("Ann", "ann.signup@example.com", "yes", 0), ("Bo", "bo.refunded@example.com", "yes", 2), ("Cy", "cy.cancelled@example.com", "no", 1), ("Di", "di.nomail@example.com", "yes", 1)]
    lines = "".join(f"{n},X,{e if n != 'Di' else ''},{c},0.00,{k}\n" for n, e, c, k in rows)
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders,Phone\n" + lines.replace("\n", ",\n").replace(",yes,0.00,1,\n", ",yes,0.00,1,+15550001111\n"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(orders), str(people), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    exports = facts["exports"]
    assert facts["data"]["prospects"] == 1 and facts["data"]["no_kept_order"] == 3
    assert exports["groups"][NO_KEPT_ORDER_KEY] == NO_KEPT_ORDER_NAME
    assert exports["reachable_by_segment"][NO_KEPT_ORDER_KEY] == 1  # Bo: Cy opted out, Di has no email
    assert exports["left_out_no_consent"][NO_KEPT_ORDER_KEY] == 1 and exports["left_out_no_email"][NO_KEPT_ORDER_KEY] == 1
    assert exports["reachable_by_segment"]["prospects"] == 1
    for tool, column, email in (("klaviyo", "Segment", "Email"), ("hubspot", "customer_segment", "Email"), ("mailchimp", "Tags", "Email Address")):
        listed = read(out / "exports" / f"{tool}.csv")
        assert list(listed.loc[listed[column] == NO_KEPT_ORDER_NAME, email]) == ["bo.refunded@example.com"], tool
        assert list(listed.loc[listed[column] == "Prospects (never bought)", email]) == ["ann.signup@example.com"], tool
    generic = read(out / "exports" / "segments_generic.csv")
    assert (generic["segment"] == NO_KEPT_ORDER_KEY).sum() == 3 and set(generic.loc[generic["segment"] == NO_KEPT_ORDER_KEY, "segment_name"]) == {NO_KEPT_ORDER_NAME}
    assert len(generic) == facts["data"]["customers"] + 4
    assert set(generic.loc[generic["segment"].isin([NO_KEPT_ORDER_KEY, "prospects"]), "holdout"]) == {"false"}  # contacts, not customers: none held out
    assert any(n.startswith(f"3 contacts the customers export counts orders for, with no kept order in the orders export (cancelled or refunded, or not in it) are in the files as the segment '{NO_KEPT_ORDER_NAME}'; 1 of them") for n in exports["notes"])
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| Contacts who ordered, none kept (cancelled or refunded; not segmented) | 3 |" in md and "| Contacts who never bought (not segmented) | 1 |" in md
    assert "(customers, contacts who never bought and contacts whose orders were not kept)" in md
    # the buyers apart: a trial read 1,067 of 1,511 reached where most had never bought
    reached = exports["reachable"] - exports["reachable_by_segment"]["prospects"] - exports["reachable_by_segment"][NO_KEPT_ORDER_KEY]
    assert exports["reachable_customers"] == reached
    assert f"contacts whose orders were not kept): {reached:,} of the {facts['data']['customers']:,} customers who bought" in md
    assert "## Contacts whose orders were not kept" in render_brief("strategy", facts)
    intake = render_brief("intake", facts)
    assert "plus 3 whom the customers export counts orders for, with none kept in the orders export" in intake and NO_KEPT_ORDER_NAME in intake
    assert "(1 of them contacts who never bought)" not in intake and "opted out of marketing (1 contacts whose orders were not kept" not in intake
    assert "opted out of marketing (1 of them is a contact whose orders were not kept)" in intake
    # a customers export without an orders count: every unmatched contact stays a prospect
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent\n" + "".join(f"{n},X,{e},{c},0.00\n" for n, e, c, _ in rows[:3]), encoding="utf-8")
    again = tmp_path / "again"
    assert main(["run", str(orders), str(people), "--out", str(again), "--no-charts"]) == 0
    facts = json.loads((again / "facts.json").read_text(encoding="utf-8"))
    assert facts["data"]["prospects"] == 3 and facts["data"]["no_kept_order"] == 0 and NO_KEPT_ORDER_KEY not in facts["exports"]["groups"]


def test_contacts_who_bought_only_through_a_channel_left_out_are_their_own_group(tmp_path):
    """Trial B: after --exclude-channel Honeycomb, a customers export's 12 Honeycomb buyers were
    labelled 'Ordered but none kept (cancelled or refunded)', and 7 of them reached Mailchimp,
    though the user left the channel out because its buyers are not hers to email. Whoever
    bought only through a channel left out is their own group, in segments_generic.csv alone,
    counted in the facts and the exports' notes; a buyer who also bought elsewhere stays
    segmented on those orders, and the cancelled-or-refunded group keeps only its own."""
    import jsonschema

    from custseg.build.facts_schema import facts_json_schema
    from custseg.render.briefs import render_brief
    from custseg.render.exports import EXCLUDED_CHANNEL_ONLY_KEY, NO_KEPT_ORDER_KEY

    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    people = tmp_path / "customers_export.csv"
    # grace bought only through tiktok (opted in), anthony through tiktok and the web, bo's orders were refunded
    rows = [("Ann", "ann.signup@example.com", "yes", 0), ("Grace", "grace.m38@mail.example", "yes", 1), ("Anthony", "anthony_nelson@mailbox.example", "yes", 2), ("Bo", "bo.refunded@example.com", "yes", 2)]
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + "".join(f"{n},X,{e},{c},0.00,{k}\n" for n, e, c, k in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(orders), str(people), "--out", str(out), "--no-charts", "--exclude-channel", "tiktok"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    data, exports = facts["data"], facts["exports"]
    assert data["excluded_channel_only"] == 1 and data["no_kept_order"] == 1 and data["prospects"] == 1
    left = data["excluded_channels"]
    assert left["channels"] == ["tiktok"] and left["orders"] == data["dropped_orders"]["excluded_channel"] and left["only_there"] < left["customers"]
    jsonschema.Draft202012Validator(facts_json_schema()).validate(facts)  # data.excluded_channels is declared
    name = "Bought only through a left-out channel (tiktok)"
    assert exports["groups"][EXCLUDED_CHANNEL_ONLY_KEY] == name
    assert exports["left_out_channel"] == {EXCLUDED_CHANNEL_ONLY_KEY: 1} and exports["reachable_by_segment"][EXCLUDED_CHANNEL_ONLY_KEY] == 0
    assert EXCLUDED_CHANNEL_ONLY_KEY not in exports["left_out_no_email"] and EXCLUDED_CHANNEL_ONLY_KEY not in exports["left_out_no_consent"]
    left_out = sum(sum(exports[k].values()) for k in ("left_out_no_email", "left_out_no_consent", "left_out_channel"))
    assert exports["rows_written"]["klaviyo.csv"] + left_out == exports["customers"]  # nothing silently dropped
    for tool, email in (("klaviyo", "Email"), ("hubspot", "Email"), ("mailchimp", "Email Address")):
        listed = read(out / "exports" / f"{tool}.csv")
        assert "grace.m38@mail.example" not in set(listed[email]) and "anthony_nelson@mailbox.example" in set(listed[email]), tool
        assert list(listed.loc[listed[{"klaviyo": "Segment", "hubspot": "customer_segment", "mailchimp": "Tags"}[tool]] == "Ordered but none kept (cancelled or refunded)", email]) == ["bo.refunded@example.com"], tool
    generic = read(out / "exports" / "segments_generic.csv").set_index("email")
    assert (generic.loc["grace.m38@mail.example", ["segment", "segment_name", "holdout"]] == [EXCLUDED_CHANNEL_ONLY_KEY, name, "false"]).all()
    assert generic.loc["anthony_nelson@mailbox.example", "segment"] not in (EXCLUDED_CHANNEL_ONLY_KEY, NO_KEPT_ORDER_KEY)  # segmented on the web orders
    assert list(generic.index[generic["segment"] == NO_KEPT_ORDER_KEY]) == ["bo.refunded@example.com"]
    assert len(generic) == data["customers"] + 3
    assert any(n.startswith(f"1 person bought only through a sales channel you left out and is only in segments_generic.csv, as '{name}'") for n in exports["notes"])
    assert not any(n.startswith("1 contacts who bought only") for n in exports["notes"])  # no 'in the email-tool files' note for them
    assert any(n.startswith(f"{left['orders']:,} orders through tiktok were left out at your request, from {left['customers']:,} buyers: {left['only_there']:,} of them") for n in facts["notes"])
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| Contacts who bought only through tiktok, left out at your request (not segmented; in segments_generic.csv only) | 1 |" in md
    assert f"| orders through tiktok, left out at your request | {data['dropped']['excluded_channel']:,} |" in md and "(--exclude-channel)" not in md
    buyers = exports["customers"] - 3
    assert f"{exports['reachable_customers']:,} of the {buyers:,} customers who bought" in md and "1 bought only through a channel you left out" in md
    intake = render_brief("intake", facts)
    assert "plus 1 whom the customers export lists who bought only through tiktok, left out at the user's request: in no segment" in intake and name in intake
    assert "excluded channel (orders through tiktok, left out at the user's request)" in intake
    strategy = render_brief("strategy", facts)
    assert "## Contacts who bought only through a channel left out" in strategy and '"segment": "excluded_channel_only"' in strategy
    assert "this run left out the orders through tiktok at the user's request, so `whole_base` is false whatever the answer" in strategy
    assert "with marketing_consent `excluded_channel` instead of the consent the export recorded" in strategy  # the export records no SMS consent
    assert "where their marketing_consent says `excluded_channel`" in render_brief("operationalize", facts)
    assert generic.loc["grace.m38@mail.example", "marketing_consent"] == "excluded_channel"  # she opted in, through the channel left out
    # the same files without the option: grace is a customer, and nobody is in the group
    plain = tmp_path / "plain"
    assert main(["run", str(orders), str(people), "--out", str(plain), "--no-charts"]) == 0
    facts = json.loads((plain / "facts.json").read_text(encoding="utf-8"))
    assert facts["data"]["excluded_channel_only"] == 0 and facts["data"]["excluded_channels"] is None and EXCLUDED_CHANNEL_ONLY_KEY not in facts["exports"]["groups"]
    assert "grace.m38@mail.example" in set(read(plain / "exports" / "klaviyo.csv")["Email"])
    assert "## Contacts who bought only through a channel left out" not in render_brief("strategy", facts) and "whole_base` is false whatever" not in render_brief("strategy", facts)


def test_buyers_only_through_a_channel_left_out_are_not_marked_as_consenting(tmp_path):
    """segments_generic.csv listed the buyers of a channel the user left out under their own
    group, but with marketing_consent = yes, as the customers export recorded it: an import
    that keeps marketing_consent = yes would have emailed them, though the note said not to.
    Their consent cells (email and SMS) say excluded_channel instead, the note and the report
    say so, and the same files without --exclude-channel keep the consent as recorded."""
    from custseg.render.briefs import render_brief
    from custseg.render.exports import EXCLUDED_CHANNEL_CONSENT, EXCLUDED_CHANNEL_ONLY_KEY

    source = EXAMPLES / "shopify_orders_export.csv"
    orders = pd.read_csv(source, dtype=str, keep_default_na=False)
    firsts = orders[orders["Financial Status"] != ""].assign(email=lambda f: f["Email"].str.strip().str.lower())
    channels = firsts.groupby("email")["Source"].agg(set)
    kept = firsts[firsts["Financial Status"].eq("paid") & firsts["Cancelled at"].eq("") & firsts["Source"].eq("tiktok")]
    only = sorted(e for e in set(kept["email"]) if e and channels[e] == {"tiktok"})[:3]
    web = sorted(e for e, c in channels.items() if e and c == {"web"})[0]
    assert len(only) == 3
    people = tmp_path / "customers_export.csv"
    # two of the tiktok-only buyers accepted email marketing and all of them SMS, as the web buyer did
    rows = [(only[0], "yes", "+13125550170"), (only[1], "yes", "+13125550171"), (only[2], "no", "+13125550172"), (web, "yes", "+13125550173")]
    people.write_text("First Name,Last Name,Email,Phone,Accepts Email Marketing,Accepts SMS Marketing,Total Spent,Total Orders\n"
                      + "".join(f"P,X,{e},{p},{c},yes,10.00,1\n" for e, c, p in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(source), str(people), "--out", str(out), "--no-charts", "--exclude-channel", "tiktok"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["data"]["excluded_channel_only"] == 3 and facts["exports"]["left_out_channel"] == {EXCLUDED_CHANNEL_ONLY_KEY: 3}
    generic = read(out / "exports" / "segments_generic.csv").set_index("email")
    for email in only:
        assert list(generic.loc[email, ["segment", "marketing_consent", "sms_consent"]]) == [EXCLUDED_CHANNEL_ONLY_KEY, EXCLUDED_CHANNEL_CONSENT, EXCLUDED_CHANNEL_CONSENT], email
    assert list(generic.loc[web, ["marketing_consent", "sms_consent"]]) == ["yes", "yes"]  # a customer keeps the consent recorded
    assert set(generic["marketing_consent"]) <= {"yes", "no", "unknown", EXCLUDED_CHANNEL_CONSENT}
    # an import keyed on consent now leaves them out, as the email-tool files do
    consenting = set(generic.index[generic["marketing_consent"].eq("yes")])
    assert not consenting & set(only) and web in consenting
    assert not set(only) & set(read(out / "exports" / "klaviyo.csv")["Email"])
    assert facts["exports"]["sms_consent_yes"] == int((generic["sms_consent"].eq("yes") & generic["phone"].ne("")).sum())  # the texting count agrees with the file
    (note,) = [n for n in facts["exports"]["notes"] if "left out" in n and "sales channel" in n]
    assert f"segments_generic.csv gives them marketing_consent = {EXCLUDED_CHANNEL_CONSENT} (and sms_consent the same) in place of the consent the export recorded, so an import that keeps marketing_consent = yes leaves them out" in note
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "with marketing_consent (and sms_consent) `excluded_channel` instead of the consent the export recorded" in render_brief("strategy", facts)
    assert f"marketing_consent = {EXCLUDED_CHANNEL_CONSENT} (and sms_consent the same)" in section_of(md, "## Files for your CRM")
    # a plan's tool that imports the generic file reaches the rows the email-tool files list, in those words
    from custseg.render.report import _reach_words

    reach = _reach_words({"tools": [{"name": "Customer.io", "file": "segments_generic.csv"}]}, facts["exports"])
    assert reach == "Customer.io (the rows of segments_generic.csv with an email and marketing_consent yes or unknown) reaches"
    # the same files with the channel kept: they are customers, with the consent the export recorded
    plain = tmp_path / "plain"
    assert main(["run", str(source), str(people), "--out", str(plain), "--no-charts"]) == 0
    generic = read(plain / "exports" / "segments_generic.csv").set_index("email")
    assert list(generic.loc[only, "marketing_consent"]) == ["yes", "yes", "no"] and EXCLUDED_CHANNEL_CONSENT not in set(generic["sms_consent"])


def section_of(md: str, heading: str) -> str:
    """From a heading to the next heading of its level."""
    start = md.index(heading)
    end = md.find("\n## ", start + len(heading))
    return md[start:end if end >= 0 else len(md)]


def test_hubspot_leaves_the_stage_of_ended_accounts_empty(runs, tmp_path):
    """A CRM account whose status says it ended (lifecycle Churned) was marked lifecyclestage
    'customer'. HubSpot does not move a contact's stage backwards on import and leaves a
    property alone when its cell is empty, so the cell is empty (not 'other', which would
    relabel a former customer); live accounts, those paying MRR with no order on record too,
    stay 'customer'. --include-unconsented writes every account with an email, so every
    churned one is in the file."""
    run = runs("crm_customers.csv")
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path), include_unconsented=True)
    hubspot = read(tmp_path / "exports" / "hubspot.csv")
    lifecycle = dict(zip(run.customers["customer_id"], run.customers["lifecycle"]))
    churned = hubspot["pseudonymous_id"].map(lifecycle).eq("churned")
    assert churned.sum() == int((run.customers["lifecycle"] == "churned").sum()) == 191
    assert set(hubspot.loc[churned, "lifecyclestage"]) == {""}
    assert set(hubspot.loc[~churned, "lifecyclestage"]) == {"customer"}
    no_orders = hubspot["pseudonymous_id"].map(dict(zip(run.customers["customer_id"], run.customers["orders"]))).eq(0)
    assert no_orders.sum() == 76 and set(hubspot.loc[no_orders, "lifecyclestage"]) == {"customer"}
    assert any(n.startswith("hubspot.csv: 191 accounts whose status says they ended (lifecycle Churned) have an empty lifecyclestage") for n in summary.notes)


def test_hubspot_stage_without_a_status_column_is_unchanged(runs, tmp_path):
    run = runs("shopify_orders_export.csv")
    summary = write_exports(run.customers, run.contacts, run.facts, str(tmp_path))
    assert "lifecycle" in run.customers and not (run.customers["lifecycle"] == "churned").any()
    assert not any("empty lifecyclestage" in n for n in summary.notes)


def test_the_consent_question_counts_prospects_apart(runs):
    """The opt-outs of a store with its customers export include contacts who never bought:
    the intake says how many of them there are instead of calling them all customers."""
    import copy

    from custseg.render.briefs import render_brief

    facts = copy.deepcopy(runs("shopify_orders_export.csv").facts)
    facts["exports"]["left_out_no_consent"]["prospects"] = 349
    opted = sum(facts["exports"]["left_out_no_consent"].values())
    assert f"the export marks {opted:,} people with an email as opted out of marketing (349 of them are contacts who never bought)" in render_brief("intake", facts)


def test_consent_the_two_exports_disagree_on_is_counted_and_told(tmp_path):
    """When the orders export and the customers export give a buyer different marketing consent,
    the customers export's answer is used (the store's current record); a trial had 150-odd
    such buyers settled silently. The note counts them, each way, and says which source won."""
    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    raw = pd.read_csv(orders, dtype=str)
    raw = raw[raw["Email"].notna() & raw["Accepts Marketing"].notna()]
    per_email = raw.groupby(raw["Email"].str.strip().str.lower())["Accepts Marketing"].agg(lambda s: set(s.str.strip().str.lower()))
    one_answer = per_email[per_email.map(len) == 1].map(lambda s: next(iter(s)))
    said_no, said_yes = list(one_answer[one_answer == "no"].index[:2]), list(one_answer[one_answer == "yes"].index[:2])
    assert len(said_no) == len(said_yes) == 2, "the example needs buyers of each answer"
    flipped = {said_no[0]: "yes", said_no[1]: "yes", said_yes[0]: "no"}  # 2 opted in since, 1 opted out
    listed = {**flipped, said_yes[1]: "yes"}  # one agrees
    people = tmp_path / "customers_export.csv"
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + "".join(f"A,B,{e},{c},10.00,1\n" for e, c in listed.items()), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(orders), str(people), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    note = "marketing consent taken from the customers export where it lists the customer: it and the orders export disagree for 3 buyers (1 opted out and 2 opted in by the customers export's record), and the customers export is used"
    assert any(n.startswith(note) for n in facts["notes"]) and note in (out / "report.md").read_text(encoding="utf-8")
    generic = read(out / "exports" / "segments_generic.csv")
    consent = dict(zip(generic["email"].str.lower(), generic["marketing_consent"]))
    assert {e: consent[e] for e in flipped} == flipped  # the customers export's answer is the one written
    # the same answers in both: the plain note, no count
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + f"A,B,{said_yes[1]},yes,10.00,1\n", encoding="utf-8")
    again = tmp_path / "again"
    assert main(["run", str(orders), str(people), "--out", str(again), "--no-charts"]) == 0
    notes = json.loads((again / "facts.json").read_text(encoding="utf-8"))["notes"]
    assert "marketing consent taken from the customers export where it lists the customer" in notes and not any("disagree" in n for n in notes)


def test_payment_problems_reach_every_tool_file(runs, tmp_path):
    """An event log's payment_problems per user: HubSpot and Klaviyo get it as a number, the
    generic file as a column, Mailchimp (tags only) the tag 'Payment problem' on exactly the
    users who had one. (The example orders stand in: event logs carry no emails yet.)"""
    from custseg.render.exports import PROBLEM_TAG

    run = runs("shopify_orders_export.csv")
    customers = run.customers.copy()
    customers["payment_problems"] = np.arange(len(customers)) % 4  # 0 for a quarter of them
    write_exports(customers, run.contacts, run.facts, str(tmp_path))
    problems = dict(zip(customers["customer_id"], customers["payment_problems"]))
    hubspot = read(tmp_path / "exports" / "hubspot.csv")
    assert (hubspot["payment_problems"].astype(int) == hubspot["pseudonymous_id"].map(problems)).all()
    klaviyo = read(tmp_path / "exports" / "klaviyo.csv")
    assert (klaviyo["Payment Problems"].astype(int) == klaviyo["Pseudonymous ID"].map(problems)).all()
    mailchimp = read(tmp_path / "exports" / "mailchimp.csv")
    tagged = mailchimp["Tags"].fillna("").str.split(",").map(lambda tags: PROBLEM_TAG in tags)
    assert (tagged == (mailchimp["Pseudonymous ID"].map(problems) > 0)).all() and tagged.any() and not tagged.all()
    generic = read(tmp_path / "exports" / "segments_generic.csv")
    assert (generic["payment_problems"].astype(int) == generic["customer_id"].map(problems)).all()


def test_notes_do_not_call_contacts_customers():
    """A trial's report read '416 customers opted out of marketing' where 349 of them were
    contacts who never bought: the notes count them apart."""
    from custseg.render.exports import NO_KEPT_ORDER_KEY, PROSPECT_KEY, who_counted

    assert who_counted({"loyal": 40, "dormant": 27}) == "67 customers"
    assert who_counted({"loyal": 1}) == "1 customer"
    assert who_counted({"dormant": 67, PROSPECT_KEY: 340, NO_KEPT_ORDER_KEY: 9}) == "416 people (67 customers, 340 contacts who never bought, 9 contacts whose orders were not kept)"
    assert who_counted({PROSPECT_KEY: 340}) == "340 contacts who never bought"
    # one of a group is one (a trial read '1 contacts whose orders were not kept')
    assert who_counted({"dormant": 3, NO_KEPT_ORDER_KEY: 1}) == "4 people (3 customers, 1 contact whose orders were not kept)"
    assert who_counted({PROSPECT_KEY: 1}) == "1 contact who never bought"


def test_mailchimp_tags_the_failed_payments_group_with_a_short_label(runs):
    """A tag is a label the user filters on: 'Payment failed (no payment in export)' read as a
    sentence in Mailchimp. The group's tag is short and plain (no brackets), the same label in
    every file; the report and README say what it means."""
    from custseg.render.exports import NEVER_PAID_KEY, NEVER_PAID_NAME, OWED_TAG

    run = runs("stripe_unified_payments.csv")
    assert run.facts["exports"]["groups"] == {NEVER_PAID_KEY: NEVER_PAID_NAME}
    tags = read(run.out / "exports" / "mailchimp.csv")["Tags"].str.split(",")
    group = [t for t in tags if t[0] == NEVER_PAID_NAME]
    assert group and len(group) == run.facts["exports"]["reachable_by_segment"][NEVER_PAID_KEY]
    for label in (NEVER_PAID_NAME, OWED_TAG):
        assert "(" not in label and len(label.split()) <= 3, label
    assert set(read(run.out / "exports" / "klaviyo.csv")["Segment"]) >= {NEVER_PAID_NAME}


# -- phones and SMS consent --------------------------------------------------------------

PHASES = ("intake", "segments", "strategy", "operationalize")


def assert_no_phone_reaches_the_model(out: Path, phones: set[str]) -> None:
    """facts.json, customers.csv, the report and every phase's brief hold none of the phones
    (normalized, or their digits alone): only the CRM files and the workbook may."""
    from custseg.render.briefs import render_brief

    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    texts = {name: (out / name).read_text(encoding="utf-8") for name in ("facts.json", "customers.csv", "report.md", "report.html")}
    texts.update({f"{phase} brief": render_brief(phase, facts) for phase in PHASES})
    digits = {p.lstrip("+") for p in phones} | phones
    assert len(digits) > 2
    for name, text in texts.items():
        assert not [p for p in digits if p in text], name


def test_phones_and_sms_consent_reach_the_generic_file_and_klaviyo_only_for_consent(tmp_path):
    """A Shopify trial's owner wanted to phone or text their top customers, and no CRM file
    carried phones. segments_generic.csv has each person's phone (normalized as the identity
    reads it) and sms_consent from the customers export's Accepts SMS Marketing; klaviyo.csv's
    Phone Number holds only the phones of those who accepted SMS (Klaviyo applies SMS consent
    to every phone of an import); facts count them, and no phone reaches the model."""
    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    raw = pd.read_csv(orders, dtype=str)
    with_phone = raw[raw["Billing Phone"].notna() & raw["Email"].notna()]
    buyers = list(dict.fromkeys(with_phone["Email"].str.strip().str.lower()))[:3]
    people = tmp_path / "customers_export.csv"
    rows = [(buyers[0], "'+1 (312) 555-0170", "yes"), (buyers[1], "(415) 555-0171", "no"), (buyers[2], "", "yes"), ("sign.up@example.com", "+44 20 7946 0172", "yes")]
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Phone,Accepts SMS Marketing,Total Spent,Total Orders\n"
                      + "".join(f"A,B,{e},yes,\"{p}\",{s},{'10.00,1' if e in buyers else '0.00,0'}\n" for e, p, s in rows), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(orders), str(people), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    exports = facts["exports"]
    generic = read(out / "exports" / "segments_generic.csv")
    assert list(generic.columns[:6]) == ["customer_id", "source_id", "email", "marketing_consent", "phone", "sms_consent"]
    by_email = generic.set_index(generic["email"].str.lower())
    assert by_email.loc[buyers[0], ["phone", "sms_consent"]].tolist() == ["+13125550170", "yes"]  # Shopify's leading ' and the spacing gone
    assert by_email.loc[buyers[1], ["phone", "sms_consent"]].tolist() == ["4155550171", "no"]  # as written: no country code is guessed
    assert by_email.loc[buyers[2], "sms_consent"] == "yes" and by_email.loc[buyers[2], "phone"].startswith("+1")  # the orders' phone where the customers export has none
    assert by_email.loc["sign.up@example.com", ["phone", "sms_consent", "segment"]].tolist() == ["+442079460172", "yes", "prospects"]
    others = ~generic["email"].str.lower().isin(buyers + ["sign.up@example.com"])
    assert (generic.loc[others, "sms_consent"] == "unknown").all()  # only the customers export records SMS consent
    assert (generic.loc[others, "phone"] != "").any()  # the orders' phones
    texting = (generic["phone"] != "") & (generic["sms_consent"] == "yes")
    assert exports["with_phone"] == int((generic["phone"] != "").sum()) and exports["sms_consent_yes"] == int(texting.sum()) == 3
    assert exports["sms_consent_recorded"] and exports["sms_consent_yes_by_segment"]["prospects"] == 1
    assert sum(exports["with_phone_by_segment"].values()) == exports["with_phone"] and sum(exports["sms_consent_yes_by_segment"].values()) == 3
    assert not [r for r in raw_rows(out / "exports" / "segments_generic.csv")[1:] if r[4].startswith("'")]  # +1... as it is: no formula prefix
    klaviyo = read(out / "exports" / "klaviyo.csv")
    assert list(klaviyo.columns[:2]) == ["Email", "Phone Number"]
    phoned = klaviyo[klaviyo["Phone Number"] != ""]
    assert sorted(phoned["Email"].str.lower()) == sorted([buyers[0], buyers[2], "sign.up@example.com"])
    assert set(phoned["Phone Number"]) <= set(generic.loc[texting, "phone"])
    assert "Phone" not in " ".join(read(out / "exports" / "hubspot.csv").columns) + " ".join(read(out / "exports" / "mailchimp.csv").columns)
    note = next(n for n in exports["notes"] if "SMS" in n)
    assert "(2 customers, 1 contact who never bought) of them accepted SMS marketing (sms_consent = yes): texts go to them only" in note
    assert note.endswith("klaviyo.csv's Phone Number holds the phones of the 3 of them it lists (an email, no opt-out) and no one else's")
    assert "phone" not in pd.read_csv(out / "customers.csv").columns
    assert facts["data"]["mapping"]["sms_consent"] == "Accepts SMS Marketing"
    strategy = render_brief_for(facts, "strategy")
    assert "## Who can be phoned or texted" in strategy and "Texts go only to the 3 whose SMS consent is yes (`{exports.sms_consent_yes}`): segments_generic.csv's sms_consent = yes; in Klaviyo, the profiles with a Phone Number" in strategy
    assert "Texts go only to the 3 whose `sms_consent` is yes (`exports.sms_consent_yes`)" in render_brief_for(facts, "operationalize")
    assert_no_phone_reaches_the_model(out, set(generic.loc[generic["phone"] != "", "phone"]))


def render_brief_for(facts: dict, phase: str) -> str:
    from custseg.render.briefs import render_brief

    return render_brief(phase, facts)


def test_phones_without_sms_consent_on_record_are_for_calls_only(runs):
    """The bundled Shopify orders export has phones and no SMS consent column: the generic file
    has phones and no sms_consent column, klaviyo.csv no Phone Number, and the strategy brief
    says nobody may be texted until the user confirms who agreed."""
    run = runs("shopify_orders_export.csv")
    generic = read(run.out / "exports" / "segments_generic.csv")
    assert "phone" in generic.columns and "sms_consent" not in generic.columns
    assert "Phone Number" not in read(run.out / "exports" / "klaviyo.csv").columns
    exports = run.facts["exports"]
    assert exports["with_phone"] == int((generic["phone"] != "").sum()) > 0 and exports["sms_consent_yes"] == 0 and not exports["sms_consent_recorded"]
    assert exports["sms_consent_yes_by_segment"] == {}
    strategy = render_brief_for(run.facts, "strategy")
    assert "The export does not record SMS consent, so plan no texts until the user confirms who agreed" in strategy
    assert f"segments_generic.csv holds a phone number for {exports['with_phone']:,} of the {exports['customers']:,} people" in strategy
    assert ("The export does not record SMS consent: tell the user to text none of these numbers until they know who agreed; klaviyo.csv carries no phone numbers, "
            "so the files add no one to text, and people already subscribed to SMS in their email tool (Klaviyo's own SMS consent) can be texted there") in render_brief_for(run.facts, "operationalize")
    # the report's CRM note: the files add no one to text, Klaviyo's own SMS subscribers may be (a trial read 'text nobody' as no SMS at all)
    (note,) = [n for n in exports["notes"] if "phone number" in n]
    assert note.endswith("the export does not record SMS consent, so text none of these numbers until the user confirms who agreed; klaviyo.csv carries no phone numbers, "
                         "so importing it subscribes no one to SMS, and people already subscribed to SMS in Klaviyo (its own SMS consent) can be texted there")
    assert_no_phone_reaches_the_model(run.out, set(generic.loc[generic["phone"] != "", "phone"]))


@pytest.mark.parametrize("example", ["european_orders.csv", "stripe_unified_payments.csv", "product_events.jsonl"])
def test_an_export_without_phones_has_no_phone_columns(runs, example):
    """No phone in the export: no phone or sms_consent column at all (as with emails), zero
    counts, and no phone paragraph in the strategy brief."""
    run = runs(example)
    assert not {"phone", "sms_consent"} & set(read(run.out / "exports" / "segments_generic.csv").columns)
    assert "Phone Number" not in read(run.out / "exports" / "klaviyo.csv").columns
    exports = run.facts["exports"]
    assert exports["with_phone"] == 0 and exports["with_phone_by_segment"] == {} and not exports["sms_consent_recorded"]
    assert "phoned or texted" not in render_brief_for(run.facts, "strategy")


def test_a_stripe_metadata_phone_reaches_the_generic_file_for_calls_only(tmp_path):
    """A Stripe payments export keeps a checkout's phone in metadata ('Customer Phone
    (metadata)', as a coaching business's did): it is read as the phone, normalized as
    Shopify's (Excel's leading ' gone, a country code kept), the customer's latest payment's
    that has one. Stripe records no SMS consent, so there is no sms_consent column and
    klaviyo.csv carries no Phone Number; the phone never identifies a customer (two emails
    with one phone stay two customers), and no phone reaches the model."""
    header = "id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Captured,Customer Phone (metadata)"
    rows = [("a@pay.example", "cus_a", "03-01", "100.00", "'+1 (312) 555-0170"), ("a@pay.example", "cus_a", "03-20", "100.00", ""),
            ("b@pay.example", "cus_b", "03-05", "50.00", "(415) 555-0171"), ("c@pay.example", "cus_c", "03-06", "300.00", "(415) 555-0171"),
            ("d@pay.example", "cus_d", "03-07", "80.00", "12"), ("e@pay.example", "cus_e", "03-08", "60.00", "")]
    path = tmp_path / "unified_payments.csv"
    path.write_text("\n".join([header] + [f"ch_{i},2024-{day} 12:00:00,{amount},0.00,usd,Paid,{cus},{email},true,\"{phone}\"" for i, (email, cus, day, amount, phone) in enumerate(rows)]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-charts"]) == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["data"]["mapping"]["phone"] == "Customer Phone (metadata)" and facts["data"]["customers"] == 5
    generic = read(out / "exports" / "segments_generic.csv").set_index("email")
    assert generic["phone"].to_dict() == {"a@pay.example": "+13125550170", "b@pay.example": "4155550171", "c@pay.example": "4155550171", "d@pay.example": "", "e@pay.example": ""}
    assert "sms_consent" not in generic.columns and "Phone Number" not in read(out / "exports" / "klaviyo.csv").columns
    exports = facts["exports"]
    assert exports["with_phone"] == 3 and exports["sms_consent_yes"] == 0 and not exports["sms_consent_recorded"]
    assert any("the export does not record SMS consent, so text none of these numbers" in n for n in exports["notes"])
    assert_no_phone_reaches_the_model(out, {"+13125550170", "4155550171"})


def test_phones_a_caller_passes_are_normalized_and_never_prefixed(tmp_path):
    """write_exports normalizes the phones of a contacts table it is given (as ingest does) and
    writes +1... without the ' that other text starting with + gets: a phone is digits only,
    and Klaviyo reads the country from the +."""
    customers = pd.DataFrame({"customer_id": ["c_1", "c_2", "c_3"], "segment": ["champions"] * 3})
    contacts = pd.DataFrame({"customer_id": ["c_1", "c_2", "c_3"], "email": ["a@example.com", "b@example.com", None], "consent": [True, True, True],
                             "phone": ["'+1 415-555-0100", "12", "0044 20 7946 0000"], "sms_consent": ["yes", "yes", "no"]})
    summary = write_exports(customers, contacts, {}, str(tmp_path))
    generic = raw_rows(tmp_path / "exports" / "segments_generic.csv")
    header = generic[0]
    phones = [r[header.index("phone")] for r in generic[1:]]
    assert phones == ["+14155550100", "", "00442079460000"]  # too short is no phone
    assert [r[header.index("sms_consent")] for r in generic[1:]] == ["yes", "yes", "no"]
    klaviyo = raw_rows(tmp_path / "exports" / "klaviyo.csv")
    assert [r[klaviyo[0].index("Phone Number")] for r in klaviyo[1:]] == ["+14155550100", ""]  # c_2 said yes but has no usable phone
    assert summary.with_phone == 2 and summary.sms_consent_yes == 1
    assert "4155550100" not in json.dumps(summary.to_dict())
