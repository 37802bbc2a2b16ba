"""Reading exports in every container, delimiter and encoding marketers send.

Each test writes a small file under tmp_path and checks what ``load`` or
``segment profile --json`` made of it: rows, customers, orders and revenue, exactly.
"""

from __future__ import annotations

import gzip
import json
import zipfile

import pandas as pd
import pytest

from custseg.ingest.load import IngestOptions, load
from custseg.ingest.read import open_inputs

HEADER = ["customer_id", "order_date", "amount", "note"]
RECORDS = [
    ["C1", "2024-01-05", "10.50", "Café"],
    ["C1", "2024-02-10", "20.00", "gift"],
    ["C2", "2024-01-07", "5.25", "Crème brûlée"],
    ["C2", "2024-03-01", "7.75", "refill"],
    ["C3", "2024-02-02", "100.00", "bulk"],
    ["C1", "2024-03-15", "1.50", "sample"],
]
EXPECTED = {"rows": 6, "customers": 3, "orders": 6, "revenue_total": 145.0}


def table_text(delimiter: str = ",", newline: str = "\n") -> str:
    return newline.join(delimiter.join(r) for r in [HEADER] + RECORDS) + newline


def records() -> list[dict]:
    return [{"customer_id": c, "order_date": d, "amount": float(a), "note": n} for c, d, a, n in RECORDS]


def profile(cli, *args) -> dict:
    res = cli("profile", *args, "--json")
    assert res.code == 0, res.err
    return res.json()


def assert_figures(result: dict, expected: dict = EXPECTED) -> None:
    assert {k: result[k] for k in expected} == expected


# -- delimiters x encodings ---------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-bom": lambda text: text.encode("utf-8-sig"),
    "utf-16": lambda text: text.encode("utf-16"),  # BOM + UTF-16-LE, like Excel "Unicode text"
    "utf-16-le": lambda text: text.encode("utf-16-le"),  # no BOM
    "cp1252": lambda text: text.encode("cp1252"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimited_text_in_each_encoding(cli, tmp_path, delimiter, encoding):
    newline = "\r\n" if encoding == "utf-16" else "\n"
    path = tmp_path / "orders.txt"
    path.write_bytes(ENCODINGS[encoding](table_text(delimiter, newline)))
    result = profile(cli, path)
    assert_figures(result)
    assert (result["date_min"], result["date_max"]) == ("2024-01-05", "2024-03-15")
    # The text column proves the bytes were decoded with the right codec.
    (inp,) = open_inputs(str(path))
    assert inp.delimiter == delimiter
    assert inp.columns == HEADER
    assert list(inp.read(["note"])["note"])[:3] == ["Café", "gift", "Crème brûlée"]


# -- binary and structured formats -----------------------------------------------------


def test_xlsx_first_sheet_by_default_and_sheet_option(cli, tmp_path):
    path = tmp_path / "orders.xlsx"
    frame = pd.DataFrame(records())
    frame["order_date"] = pd.to_datetime(frame["order_date"])  # real Excel dates
    older = frame.iloc[:2].assign(amount=[1.0, 2.0])
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        older.to_excel(writer, sheet_name="2023", index=False)
        frame.to_excel(writer, sheet_name="Orders 2024", index=False)
    assert_figures(profile(cli, path), {"rows": 2, "customers": 1, "orders": 2, "revenue_total": 3.0})
    second = profile(cli, path, "--sheet", "Orders 2024")
    assert_figures(second)
    assert (second["date_min"], second["date_max"]) == ("2024-01-05", "2024-03-15")


def test_xlsx_unknown_sheet_names_the_sheets(cli, tmp_path):
    path = tmp_path / "orders.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(records()).to_excel(writer, sheet_name="Orders", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Notes", index=False)
    res = cli("profile", path, "--sheet", "Summary", "--json")
    assert res.code == 2
    assert "Summary" in res.err and "Orders, Notes" in res.err
    assert res.out == ""


def test_parquet_with_typed_columns(cli, tmp_path):
    path = tmp_path / "orders.parquet"
    frame = pd.DataFrame(records())
    frame["order_date"] = pd.to_datetime(frame["order_date"]).astype("datetime64[ns]")
    frame["amount"] = frame["amount"].astype("float64")
    frame.to_parquet(path, index=False)
    result = profile(cli, path)
    assert_figures(result)
    assert (result["date_min"], result["date_max"]) == ("2024-01-05", "2024-03-15")
    assert result["files"][0]["format"] == "parquet"


def test_json_list_of_objects(cli, tmp_path):
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(records(), ensure_ascii=False), encoding="utf-8")
    result = profile(cli, path)
    assert_figures(result)
    assert result["files"][0]["format"] == "json"


def test_json_lines(cli, tmp_path):
    path = tmp_path / "orders.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records()), encoding="utf-8")
    result = profile(cli, path)
    assert_figures(result)
    assert result["files"][0]["format"] == "jsonl"


@pytest.mark.parametrize("inner", ["csv", "jsonl"])
@pytest.mark.parametrize("container", ["gz", "zip"])
def test_compressed(cli, tmp_path, inner, container):
    if inner == "csv":
        payload = table_text(",").encode("utf-8")
    else:
        payload = "".join(json.dumps(r) + "\n" for r in records()).encode("utf-8")
    path = tmp_path / f"orders.{inner}.{container}"
    if container == "gz":
        path.write_bytes(gzip.compress(payload))
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"export/orders.{inner}", payload)
    result = profile(cli, path)
    assert_figures(result)
    assert result["files"][0]["format"] == inner


# -- awkward text ------------------------------------------------------------------------


def test_quoted_newline_is_one_record(cli, tmp_path):
    lines = [",".join(HEADER)] + [",".join(r) for r in RECORDS]
    lines[2] = 'C1,2024-02-10,20.00,"wrapped\nonto two lines"'
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_figures(profile(cli, path))
    ds = load([str(path)])
    assert (ds.rows, ds.kept_rows, ds.dropped) == (6, 6, {})


CDNOW = (
    " 00001 19970101  1   11.77\r\n"
    " 00002 19970112  1   12.00\r\n"
    " 00002 19970112  5   77.00\r\n"
    " 00003 19970102  2   20.76\r\n"
    " 00003 19970330  2   20.76\r\n"
    " 00003 19970402  2   19.54\r\n"
    " 00004 19970101  2   29.33\r\n"
)


def test_headerless_whitespace_aligned_cdnow_log(cli, tmp_path):
    path = tmp_path / "CDNOW_master.txt"
    path.write_bytes(CDNOW.encode("ascii"))
    result = profile(cli, path)
    assert result["source"] == "transactions"
    assert_figures(result, {"rows": 7, "customers": 4, "orders": 7, "revenue_total": 191.16})
    assert (result["date_min"], result["date_max"]) == ("1997-01-01", "1997-04-02")
    assert result["mapping"]["customer"] == "column_1"
    assert result["mapping"]["date"] == "column_2"
    assert result["mapping"]["amount"] == "column_4"
    ds = load([str(path)])
    per_customer = ds.transactions.groupby("customer_id")["amount"].sum().round(2).sort_values()
    assert list(per_customer) == [11.77, 29.33, 61.06, 89.0]


def test_the_intake_asks_which_column_of_a_headerless_file_is_the_customer(cli, tmp_path):
    """Without a header the customer column is told by its contents; CDNOW's sample has two id
    columns and a trial found the choice only in the final report. The intake shows what was
    read and what was not, and asks (a file with a header is not asked about)."""
    path = tmp_path / "CDNOW_sample.txt"
    path.write_bytes("".join(f" {i % 5:05d} {1000 + i % 5:04d} 199701{1 + i % 28:02d}  {1 + i % 3}   {10 + i}.50\r\n" for i in range(40)).encode("ascii"))
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["data"]["mapping"]["customer"] == "column_1" and set(facts["data"]["ignored_columns"]) == {"column_2", "column_4"}
    (line,) = [ln for ln in cli("brief", "intake", "--facts", out / "facts.json").out.splitlines() if ln.startswith("- Columns read:")]
    assert "customer from `column_1`" in line and "not read: `column_2`, `column_4`" in line and "--map customer=COLUMN" in line
    log = tmp_path / "log.csv"
    log.write_text("customer_id,date,amount\n" + "".join(f"{i % 5},2024-01-{1 + i % 28:02d},{i}.50\n" for i in range(40)), encoding="utf-8")
    assert cli("run", log, "--out", tmp_path / "out2", "--no-charts").code == 0
    (line,) = [ln for ln in cli("brief", "intake", "--facts", tmp_path / "out2" / "facts.json").out.splitlines() if ln.startswith("- Columns read:")]
    assert "customer from `customer_id`" in line and "no header row" not in line


def test_r_style_na_customer_is_dropped_no_identity(cli, tmp_path):
    # write.csv() in R: quoted strings, a row-name column, and missing values as NA.
    text = (
        '"","customer_id","order_date","amount"\n'
        '"1","C1","2024-01-05",10.5\n'
        '"2",NA,"2024-01-06",4\n'
        '"3","C2","2024-01-07",5.25\n'
        '"4","C1","2024-02-10",20\n'
        '"5",NA,"2024-02-11",8\n'
        '"6","C3",NA,3\n'
        '"7","C3","2024-02-02",100\n'
    )
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    result = profile(cli, path)
    assert_figures(result, {"rows": 7, "customers": 3, "orders": 4, "revenue_total": 135.75})
    assert result["dropped"] == {"no_identity": 2, "unparseable_order_date": 1}
    ds = load([str(path)], IngestOptions())
    assert ds.rows == ds.kept_rows + sum(ds.dropped.values())
