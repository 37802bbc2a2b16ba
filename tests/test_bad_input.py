"""Bad input: exit status 2, one line on stderr naming the file and the problem, no traceback.

Contract (DESIGN): ``segment: error: <file path>: <problem>``; nothing on stdout.
Unparseable values in an otherwise good file are not fatal: they are dropped and
counted as ``unparseable_<column>``, unless they are the majority of the column.
"""

from __future__ import annotations

import random
from pathlib import Path

PREFIX = "segment: error: "

SHOPIFY_HEADER = (
    "Name,Email,Financial Status,Paid at,Currency,Total,Created at,"
    "Lineitem name,Lineitem quantity,Refunded Amount,Cancelled at,Payment Method"
)
STRIPE_HEADER = "id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Captured"


# -- helpers ---------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assert_bad_input(r, path, *words: str, prefixed: bool = True) -> str:
    """Exit 2, nothing on stdout, exactly one stderr line naming ``path`` and every word."""
    assert "Traceback" not in r.err and "Traceback" not in r.out
    assert r.code == 2, f"exit {r.code}; stderr: {r.err!r}"
    assert r.out == "", f"stdout not empty: {r.out!r}"
    lines = r.err.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}: {r.err!r}"
    line = lines[0]
    if prefixed:
        assert line.startswith(f"{PREFIX}{path}: "), f"not '{PREFIX}{path}: <problem>': {line!r}"
    else:
        assert line.startswith(PREFIX), line
    assert str(path) in line, line
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} not in {line!r}"
    return line


def tx_log(rows: int = 10, dates: list[str] | None = None, amounts: list[str] | None = None) -> str:
    """A generic transaction log, one row per order: Customer ID, Date, Amount."""
    out = ["Customer ID,Date,Amount"]
    for i in range(rows):
        date = dates[i] if dates else f"2024-01-{i + 1:02d}"
        amount = amounts[i] if amounts else f"{10 + i}.50"
        out.append(f"C{i % 4},{date},{amount}")
    return "\n".join(out) + "\n"


def shopify_row(n: int, email: str, status: str, currency: str = "USD", total: str = "50.00", refunded: str = "0.00") -> str:
    ts = f"2024-03-{n % 28 + 1:02d} 10:00:00 -0400"
    paid_at = ts if status else ""
    return f"#{1000 + n},{email},{status},{paid_at},{currency},{total},{ts},Tee - Black / M,1,{refunded},,Shopify Payments"


def shopify_orders(rows: list[str]) -> str:
    return SHOPIFY_HEADER + "\n" + "\n".join(rows) + "\n"


# -- files that cannot be read ------------------------------------------------------------------


def test_empty_file(cli, tmp_path):
    f = tmp_path / "orders.csv"
    f.write_bytes(b"")
    assert_bad_input(cli("profile", f), f, "empty")


def test_header_only(cli, tmp_path):
    f = write(tmp_path / "orders.csv", "Customer ID,Date,Amount\n")
    assert_bad_input(cli("profile", f), f, "header", "no data rows")


def test_binary_garbage(cli, tmp_path):
    f = tmp_path / "orders.csv"
    f.write_bytes(random.Random(0).randbytes(4096))
    assert_bad_input(cli("profile", f), f, "binary")


def test_missing_file(cli, tmp_path):
    f = tmp_path / "nope" / "orders.csv"
    assert_bad_input(cli("profile", f), f, "no such file")


def test_directory(cli, tmp_path):
    d = tmp_path / "exports"
    d.mkdir()
    write(d / "orders.csv", tx_log())
    assert_bad_input(cli("profile", d), d, "folder")


def test_empty_xlsx(cli, tmp_path):
    f = tmp_path / "orders.xlsx"
    f.write_bytes(b"")
    assert_bad_input(cli("profile", f), f, "empty")


def test_corrupt_xlsx(cli, tmp_path):
    f = tmp_path / "orders.xlsx"
    f.write_bytes(b"PK\x03\x04" + random.Random(1).randbytes(2000))
    assert_bad_input(cli("profile", f), f, "xlsx")


# -- readable files with the wrong content ------------------------------------------------------------


def test_required_column_missing(cli, tmp_path):
    f = write(tmp_path / "log.csv", "Customer ID,Amount,Product\nC1,10.00,Tee\nC2,12.00,Mug\nC1,8.00,Cap\n")
    line = assert_bad_input(cli("profile", f), f, "date", "columns seen")
    for col in ("Customer ID", "Amount", "Product"):
        assert col in line


def test_dates_mostly_unparseable(cli, tmp_path):
    dates = ["2024-01-01", "2024-01-02"] + ["next tuesday"] + ["sometime"] * 7
    f = write(tmp_path / "log.csv", tx_log(dates=dates))
    line = assert_bad_input(cli("profile", f), f, "date", "'Date'")
    assert "next tuesday" in line  # the first bad value
    assert "row 3" in line  # and where it is


def test_dates_mostly_unparseable_json(cli, tmp_path):
    dates = ["2024-01-01", "2024-01-02"] + ["next tuesday"] + ["sometime"] * 7
    f = write(tmp_path / "log.csv", tx_log(dates=dates))
    assert_bad_input(cli("profile", f, "--json"), f, "date", "'Date'", "next tuesday")


def test_amounts_are_text(cli, tmp_path):
    f = write(tmp_path / "log.csv", tx_log(amounts=["about ten dollars-ish"] * 10))
    line = assert_bad_input(cli("profile", f), f, "amount", "'Amount'")
    assert "about ten dollars-ish" in line


def test_all_rows_dropped(cli, tmp_path):
    rows = [shopify_row(i, f"buyer{i}@shop.example", "refunded", refunded="50.00") for i in range(6)]
    f = write(tmp_path / "orders_export.csv", shopify_orders(rows))
    assert_bad_input(cli("profile", f), f, "dropped", "refunded")


def test_free_text_one_column(cli, tmp_path):
    text = (
        "Thanks for shopping with us today\n"
        "Our spring sale starts next week, so stay tuned\n"
        "Please call the store if your parcel is late\n"
        "We ship worldwide, except on holidays, weekends and Sundays\n"
        "Returns are free within thirty days\n"
    )
    f = write(tmp_path / "notes.csv", text)
    assert_bad_input(cli("profile", f), f, "columns")


def test_shopify_products_export(cli, tmp_path):
    text = (
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Variant SKU,Variant Price\n"
        "fleece-quarter-zip,Fleece Quarter Zip,<p>Warm</p>,Northwind,Tops,winter,true,FLC-QZ-01,78.00\n"
        "canvas-tote,Canvas Tote,<p>Sturdy</p>,Northwind,Bags,,true,TOTE-01,24.00\n"
    )
    f = write(tmp_path / "products_export.csv", text)
    assert_bad_input(cli("profile", f), f, "products")


def test_shopify_abandoned_checkouts(cli, tmp_path):
    rows = [shopify_row(i, f"buyer{i}@shop.example", "") for i in range(6)]
    f = write(tmp_path / "checkouts_export.csv", shopify_orders(rows))
    assert_bad_input(cli("profile", f), f, "abandoned-checkouts export (checkouts never paid), not orders; export Orders instead")
    orders = write(tmp_path / "orders_export.csv", shopify_orders([shopify_row(i, f"buyer{i}@shop.example", "paid") for i in range(6)]))
    assert_bad_input(cli("profile", orders, f), f, "leave this file out")


def test_two_sources_refused(cli, tmp_path):
    stripe = write(
        tmp_path / "payments.csv",
        STRIPE_HEADER
        + "\n"
        + "\n".join(
            f"ch_{i:04d},2024-02-{i + 1:02d} 12:00:00,20.00,0.00,usd,Paid,cus_{i % 3},p{i % 3}@pay.example,true" for i in range(6)
        )
        + "\n",
    )
    log = write(tmp_path / "log.csv", tx_log())
    r = cli("profile", stripe, log)
    line = assert_bad_input(r, stripe, "combine", prefixed=False)
    assert str(log) in line


def test_two_currencies_needs_currency_option(cli, tmp_path):
    rows = [shopify_row(i, f"buyer{i % 3}@shop.example", "paid", currency="USD") for i in range(4)]
    rows += [shopify_row(10 + i, f"eu{i}@shop.example", "paid", currency="EUR") for i in range(2)]
    f = write(tmp_path / "orders_export.csv", shopify_orders(rows))
    assert_bad_input(cli("profile", f), f, "currenc", "--currency")


def test_two_currencies_with_currency_option(cli, tmp_path):
    rows = [shopify_row(i, f"buyer{i % 3}@shop.example", "paid", currency="USD") for i in range(4)]
    rows += [shopify_row(10 + i, f"eu{i}@shop.example", "paid", currency="EUR") for i in range(2)]
    f = write(tmp_path / "orders_export.csv", shopify_orders(rows))
    r = cli("profile", f, "--currency", "USD", "--json")
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    data = r.json()
    assert data["dropped"].get("other_currency") == 2
    assert data["currency"] == "USD"
    assert data["orders"] == 4
    assert data["rows"] == 6


# -- options that point at nothing ----------------------------------------------------------------------


def test_map_unknown_column(cli, tmp_path):
    f = write(tmp_path / "log.csv", tx_log())
    line = assert_bad_input(cli("profile", f, "--map", "date=NoSuchColumn"), f, "NoSuchColumn", "no such column")
    assert "date" in line


def test_map_unknown_role(cli, tmp_path):
    rows = [shopify_row(i, f"buyer{i % 3}@shop.example", "paid") for i in range(4)]
    f = write(tmp_path / "orders_export.csv", shopify_orders(rows))
    assert_bad_input(cli("profile", f, "--map", "nosuchrole=Total"), f, "nosuchrole", "role")


def test_key_not_a_key_file(cli, tmp_path):
    f = write(tmp_path / "log.csv", tx_log())
    key = write(tmp_path / "notes.txt", "remember to buy milk\nand bread\n")
    assert_bad_input(cli("profile", f, "--key", key), key, "key file")


# -- not fatal: a few bad cells are dropped and counted ------------------------------------------------------


def test_one_bad_date_is_dropped_and_counted(cli, tmp_path):
    dates = [f"2024-01-{i + 1:02d}" for i in range(10)]
    dates[4] = "not a date"
    f = write(tmp_path / "log.csv", tx_log(dates=dates))
    r = cli("profile", f, "--json")
    assert r.code == 0, r.err
    assert "Traceback" not in r.err and "Traceback" not in r.out
    data = r.json()
    assert data["rows"] == 10
    assert data["dropped"] == {"unparseable_Date": 1}
    kept = data["rows"] - sum(data["dropped"].values())
    assert kept == 9
    assert data["orders"] == kept == 9
