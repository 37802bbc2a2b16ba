"""segments.xlsx: a Summary sheet, one sheet per RFM segment, the Rules and the Migration matrix.

Every table has a bold, frozen header row and an auto-filter; percentages, money and
counts carry number formats. Text cells get the same CSV-injection escaping as the CSV
exports (a leading ``'`` before ``= + - @``, tab, CR or LF) and are stored as strings,
never as formulas. Segment sheets hold emails with a "Marketing consent" column
(yes / no / unknown); the workbook, like the CRM exports, is a private output.

Only the standard library, numpy, pandas and openpyxl are used (the module ships in the skill).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from custseg.render.exports import (
    NO_SEGMENT,
    as_facts,
    contact_columns,
    display_names,
    escape_text,
    is_missing,
    label_names,
    number_value,
    rfm_scores,
    segment_keys,
    segment_order,
    segmentation,
    text_value,
)

PERCENT = "0.0%"
MONEY = "#,##0.00"
INTEGER = "#,##0"
DATE = "yyyy-mm-dd"
SCORE = "0"

MAX_SHEET_NAME = 31
MAX_CELL_TEXT = 32767
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE = 2000  # rows looked at to size a column

RESERVED_SHEETS = {"history"}  # Excel refuses a sheet named History
NO_SEGMENT_SHEET = "No segment"
HEADER_FONT = Font(bold=True)

TEXT, INT, MONEY_KIND, PCT, DATE_KIND, SCORE_KIND = "text", "int", "money", "pct", "date", "score"
FORMATS = {INT: INTEGER, MONEY_KIND: MONEY, PCT: PERCENT, DATE_KIND: DATE, SCORE_KIND: SCORE}


MAX_CUSTOMER_ROWS = 200_000


def write_workbook(customers: pd.DataFrame, contacts: pd.DataFrame | None, facts: Any, path: str, source_ids: pd.DataFrame | None = None) -> list[str]:
    """Write the workbook to ``path``; returns the sheet names in order. ``source_ids``
    (customer_id, source_id) adds each customer's id in the export to the segment sheets."""
    facts = as_facts(facts)
    customers = customers.reset_index(drop=True)
    currency = ((facts.get("data") or {}).get("currency")) or None
    money_suffix = f" ({currency})" if currency else ""

    wb = Workbook(write_only=True)
    names: list[str] = []

    def sheet(title: str):
        name = unique_sheet_name(title, names)
        names.append(name)
        return wb.create_sheet(name)

    write_table(sheet("Summary"), *summary_table(customers, facts, money_suffix))
    if len(customers) > MAX_CUSTOMER_ROWS:
        # Excel stops at about a million rows and is unusable long before: the customer lists
        # live in customers.csv and the CRM files; the workbook keeps the summary and rules.
        note = f"{len(customers):,} customers are too many for a workbook (limit {MAX_CUSTOMER_ROWS:,}); use customers.csv and the files in exports/."
        write_table(sheet("Customers"), ["Note"], [[note]], [TEXT])
        customers = customers.iloc[0:0]
    columns = customer_columns(customers, contacts, facts, money_suffix, source_ids)
    keys = segment_keys(customers)
    rfm = segmentation(facts, "rfm") or {}
    rfm_names = {str(k): str(v.get("name") or k) for k, v in (rfm.get("segments") or {}).items() if isinstance(v, dict)}
    seg_names = display_names(customers, facts)
    if not len(customers):
        pass  # too many customers: see the note sheet
    elif "segment" in customers or rfm:
        for key in segment_order(facts, customers):
            idx = [i for i in range(len(customers)) if keys[i] == key]
            if key == NO_SEGMENT:
                if not idx:
                    continue
                title = NO_SEGMENT_SHEET
            else:
                title = rfm_names.get(key) or next((seg_names[i] for i in idx if seg_names[i]), key)
            write_table(sheet(title), [c[0] for c in columns], [[c[2][i] for c in columns] for i in idx], [c[1] for c in columns])
    else:
        write_table(sheet("Customers"), [c[0] for c in columns], [[c[2][i] for c in columns] for i in range(len(customers))], [c[1] for c in columns])

    rules = rules_table(rfm)
    if rules:
        write_table(sheet("Rules"), *rules)
    migration = migration_table(rfm, rfm_names)
    if migration:
        write_table(sheet("Migration"), *migration)
    bought = products_table(rfm, (facts.get("data") or {}).get("products"), rfm_names)
    if bought:
        write_table(sheet("Products"), *bought)

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".segments-", suffix=".xlsx", dir=folder)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return names


# -- tables -----------------------------------------------------------------------------


def summary_table(customers: pd.DataFrame, facts: dict, money_suffix: str) -> tuple[list[str], list[list[Any]], list[str]]:
    """Segment, customers, % of customers, revenue share, spend per customer (all the data), trend, description."""
    header = ["Segment", "Customers", "% of customers", "Revenue share", "Spend per customer" + money_suffix, "Trend", "Description"]
    kinds = [TEXT, INT, PCT, PCT, MONEY_KIND, TEXT, TEXT]
    seg_name, seg = _main_segmentation(facts)
    rows: list[list[Any]] = []
    if seg:
        segments = seg.get("segments") or {}
        order = [k for k in (seg.get("order") or list(segments)) if k in segments] + [k for k in segments if k not in (seg.get("order") or [])]
        for key in order:
            s = segments[key] or {}
            rows.append([s.get("name") or key, s.get("count"), s.get("pct_customers"), s.get("revenue_share"), s.get("avg_value"), s.get("trend"), s.get("description")])
        if seg_name == "rfm":
            unsegmented = int((segment_keys(customers) == NO_SEGMENT).sum())
            if unsegmented:
                rows.append(["No segment (no purchases)", unsegmented, None, None, None, None, "Customers without purchases get no RFM segment."])
        if seg_name != "rfm":
            header[0] = f"Segment ({seg_name})"
        if seg.get("basis") != "activity" and (facts.get("data") or {}).get("buyers") is not None:  # an event log's purchase segments hold its buyers
            header[2] = "% of buyers"
    else:
        rows = _summary_from_customers(customers, facts)
    return header, rows, kinds


def _main_segmentation(facts: dict) -> tuple[str | None, dict | None]:
    if segmentation(facts, "rfm") and (segmentation(facts, "rfm") or {}).get("segments"):
        return "rfm", segmentation(facts, "rfm")
    for name, seg in (facts.get("segmentations") or {}).items():
        if isinstance(seg, dict) and seg.get("segments"):
            return name, seg
    return None, None


def _summary_from_customers(customers: pd.DataFrame, facts: dict) -> list[list[Any]]:
    """Counts (and revenue when known) per segment of the table itself, or one line for everyone."""
    n = len(customers)
    money = pd.to_numeric(customers["monetary_total"], errors="coerce") if "monetary_total" in customers else None
    total = float(money.sum()) if money is not None else 0.0
    if "segment" not in customers:
        avg = float(money.mean()) if money is not None and n else None
        return [["All customers", n, 1.0 if n else None, 1.0 if money is not None and total else None, avg, None, None]]
    keys = segment_keys(customers)
    names = display_names(customers, facts)
    rows = []
    for key in segment_order(facts, customers):
        mask = keys == key
        count = int(mask.sum())
        if not count:
            continue
        name = "No segment" if key == NO_SEGMENT else next(str(x) for x in names[mask] if x)
        revenue = float(money[mask].sum()) if money is not None else None
        rows.append([name, count, count / n, revenue / total if revenue is not None and total else None, revenue / count if revenue is not None else None, None, None])
    return rows


def customer_columns(customers: pd.DataFrame, contacts: pd.DataFrame | None, facts: dict, money_suffix: str, source_ids: pd.DataFrame | None = None) -> list[tuple[str, str, list[Any]]]:
    """(header, kind, values) for the segment sheets, in order; columns the table lacks are skipped."""
    n = len(customers)
    emails, consents = contact_columns(customers, contacts)
    cols: list[tuple[str, str, list[Any]]] = [
        ("Pseudonymous ID", TEXT, [text_value(v) for v in customers["customer_id"].tolist()] if "customer_id" in customers else [None] * n),
    ]
    if source_ids is not None and len(source_ids) and n and "customer_id" in customers:
        theirs = pd.Series(source_ids["source_id"].to_numpy(dtype=object), index=source_ids["customer_id"].astype(str).to_numpy(dtype=object))
        theirs = theirs[~theirs.index.duplicated()]
        cols.append(("ID in your export", TEXT, [text_value(v) for v in customers["customer_id"].astype(str).map(theirs).tolist()]))
    cols += [
        ("Email", TEXT, emails),
        ("Marketing consent", TEXT, ["unknown" if c is None else "yes" if c else "no" for c in consents]),
    ]
    if "segment" in customers:
        cols.append(("Segment", TEXT, [x or None for x in display_names(customers, facts)]))
    scores = rfm_scores(customers)
    if any(s is not None for s in scores):
        cols.append(("RFM score", TEXT, scores))

    def add(column: str, header: str, kind: str) -> None:
        if column not in customers:
            return
        values = customers[column].tolist()
        if kind == DATE_KIND:
            cols.append((header, kind, [_date(v) for v in values]))
        elif kind == TEXT:
            cols.append((header, kind, [text_value(v) for v in values]))
        else:
            cols.append((header, kind, values))

    add("r_score", "Recency score", SCORE_KIND)
    add("f_score", "Frequency score", SCORE_KIND)
    add("m_score", "Monetary score", SCORE_KIND)
    add("orders", "Orders", INT)
    add("purchase_days", "Purchase days", INT)
    add("first_purchase", "First purchase", DATE_KIND)
    add("last_purchase", "Last purchase", DATE_KIND)
    add("recency_days", "Days since last purchase", INT)
    add("tenure_days", "Days since first purchase", INT)
    add("monetary_total", "Total spent" + money_suffix, MONEY_KIND)
    add("aov", "Average order value" + money_suffix, MONEY_KIND)
    for column, header in (("lifecycle", "Lifecycle"), ("value_tier", "Value tier"), ("health_band", "Health"), ("behavior", "Behavior")):
        if column in customers:
            cols.append((header, TEXT, label_names(customers, facts, column)))
    add("health_score", "Health score", INT)
    add("reason", "Why in this segment", TEXT)
    return cols


def rules_table(rfm: dict) -> tuple[list[str], list[list[Any]], list[str]] | None:
    rules = rfm.get("rules") if isinstance(rfm.get("rules"), dict) else None
    entries = (rules or {}).get("segments") or []
    if not entries:  # older facts: the rule text sits on each segment
        entries = [dict(v, key=k) for k, v in (rfm.get("segments") or {}).items() if isinstance(v, dict) and v.get("rule")]
    if not entries:
        return None
    rows = [[i, e.get("key"), e.get("name"), e.get("plain") or e.get("rule"), e.get("description")] for i, e in enumerate(entries, 1)]
    return ["Priority", "Key", "Name", "Rule", "Description"], rows, [INT, TEXT, TEXT, TEXT, TEXT]


def migration_table(rfm: dict, names: dict[str, str]) -> tuple[list[str], list[list[Any]], list[str]] | None:
    migration = rfm.get("migration") if isinstance(rfm.get("migration"), dict) else None
    matrix = (migration or {}).get("matrix") or {}
    if not matrix:
        return None
    order = [k for k in (rfm.get("order") or []) if k in matrix] + [k for k in matrix if k not in (rfm.get("order") or [])]
    targets = list(order)
    for row in matrix.values():
        targets += [k for k in (row or {}) if k not in targets]
    start, end = migration.get("from_date"), migration.get("to_date")
    corner = f"From {start} \\ to {end}" if start and end else "From \\ to"
    header = [corner] + [names.get(k, k) for k in targets] + ["Total"]
    rows = []
    for key in order:
        counts = [(matrix.get(key) or {}).get(t, 0) for t in targets]
        rows.append([names.get(key, key)] + counts + [sum(number_value(c) or 0 for c in counts)])
    return header, rows, [TEXT] + [INT] * (len(targets) + 1)


def products_table(rfm: dict, products: dict | None, names: dict[str, str]) -> tuple[list[str], list[list[Any]], list[str]] | None:
    """Each segment's most bought products and everyone's (data.products), one row each."""
    if not isinstance(products, dict):
        return None
    rows = []
    for key in rfm.get("order") or []:
        for p in ((rfm.get("segments") or {}).get(key) or {}).get("products") or []:
            rows.append([names.get(key, key), p.get("name"), p.get("buyers"), p.get("buyers_share")])
    rows += [["All customers", p.get("name"), p.get("buyers"), p.get("buyers_share")] for p in products.get("top") or []]
    return ["Segment", "Product", "Customers who bought it", "% of the segment"], rows, [TEXT, TEXT, INT, PCT]


# -- cells ------------------------------------------------------------------------------


def write_table(ws, header: list[str], rows: list[list[Any]], kinds: list[str] | None = None) -> None:
    """Header + rows with formats, a frozen header, an auto-filter and fitted column widths."""
    kinds = kinds or [TEXT] * len(header)
    cells = [[_cell_value(v, k) for v, k in zip(row, kinds)] for row in rows]
    for j, (title, kind) in enumerate(zip(header, kinds), 1):
        sample = [_shown(r[j - 1], kind) for r in cells[:WIDTH_SAMPLE]]
        width = max([len(str(title)) + 3] + [len(s) for s in sample])  # +3 leaves room for the filter button
        ws.column_dimensions[get_column_letter(j)].width = max(MIN_WIDTH, min(MAX_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(1, len(header)))}{len(rows) + 1}"
    head = []
    for title in header:
        cell = WriteOnlyCell(ws, value=_text(str(title)))
        cell.font = HEADER_FONT
        head.append(cell)
    ws.append(head)
    fmts = [FORMATS.get(k) for k in kinds]
    for row in cells:
        out = []
        for value, fmt in zip(row, fmts):
            if fmt and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = MONEY if fmt in (INTEGER, SCORE) and isinstance(value, float) else fmt  # never round a fraction away
                out.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value)
                cell.data_type = "s"  # text, never a formula
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)


def _cell_value(value: Any, kind: str) -> Any:
    if is_missing(value):
        return None
    if kind == TEXT:
        return _text(text_value(value))
    if kind == DATE_KIND:
        return value if isinstance(value, dt.date) else _text(text_value(value))
    number = number_value(value) if not isinstance(value, str) else _to_number(value)
    if number is None:
        return _text(text_value(value))
    return number


def _to_number(text: str) -> int | float | None:
    try:
        return number_value(float(text))
    except ValueError:
        return None


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    return escape_text(value)


def _date(value: Any) -> dt.date | str | None:
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return text
    return text


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if kind == PCT:
        return f"{value:.1%}"
    if kind == MONEY_KIND:
        return f"{value:,.2f}"
    if kind == INT:
        return f"{value:,.0f}"
    if kind == DATE_KIND:
        return "2000-01-01"
    return str(value)


# -- sheet names ------------------------------------------------------------------------


def unique_sheet_name(title: str, taken: list[str]) -> str:
    """A valid Excel sheet name: no []:*?/\\, not quoted, at most 31 characters, unique (case-insensitive)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS_RE.sub("", str(title)))
    base = re.sub(r"\s+", " ", base).strip().strip("'").strip() or "Sheet"
    if base.lower() in RESERVED_SHEETS:
        base += " (segment)"
    base = base[:MAX_SHEET_NAME].rstrip("'").strip() or "Sheet"
    lower = {t.lower() for t in taken}
    name, n = base, 2
    while name.lower() in lower:
        suffix = f" ({n})"
        name = base[: MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        n += 1
    return name
