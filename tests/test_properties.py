"""Properties over generated exports: the audit identity holds and no email leaks."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custseg.ingest import load
from custseg.toolkit import dumps
from custseg.toolkit.profile import summarize

SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Paid at", "Accepts Marketing", "Currency", "Total", "Created at", "Lineitem quantity", "Lineitem name", "Refunded Amount", "Cancelled at", "Payment Method", "Phone", "Notes"]
STATUSES = ["paid", "paid", "paid", "partially_refunded", "refunded", "voided", "pending", "authorized", "partially_paid", "expired", "weird_status", ""]

emails = st.sampled_from(["ann@shop.example", "BOB@Shop.Example ", "cy@mail.example", "dee+x@mail.example", "", ""])
totals = st.sampled_from(["10.00", "0.00", "249.99", "-5.00", "1,234.50", "abc", "", "99"])
dates = st.sampled_from(["2024-01-05 10:00:00 -0500", "2024-07-01 23:59:59 -0400", "2025-02-28 00:00:01 +0100", "not a date", ""])
order = st.fixed_dictionaries(
    {
        "email": emails,
        "status": st.sampled_from(STATUSES),
        "total": totals,
        "refunded": st.sampled_from(["", "0.00", "5.00", "10.00"]),
        "created": dates,
        "cancelled": st.sampled_from(["", "", "", "2024-02-01 10:00:00 -0500"]),
        "gateway": st.sampled_from(["Shopify Payments", "manual", "(for testing) Bogus Gateway", ""]),
        "phone": st.sampled_from(["", "", "'+1 555 010 2233", "n/a"]),
        "items": st.integers(min_value=1, max_value=3),
        "note": st.sampled_from(["", "gift\nwrap please", "=HYPERLINK(\"x\")"]),
    }
)


def _shopify_csv(orders: list[dict], start: int = 1001) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SHOPIFY_HEADER)
    for n, o in enumerate(orders):
        name = f"#{start + n}"
        for item in range(o["items"]):
            if item == 0:
                w.writerow([name, o["email"], o["status"], "", "yes", "USD", o["total"], o["created"], "1", "Shirt", o["refunded"], o["cancelled"], o["gateway"], o["phone"], o["note"]])
            else:
                w.writerow([name, o["email"], "", "", "", "", "", o["created"], "1", "Socks", "", "", "", "", ""])
    return buf.getvalue()


def _write(text: str, folder: Path, name: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(order, min_size=1, max_size=25), overlap=st.integers(min_value=0, max_value=5), second=st.lists(order, min_size=0, max_size=10))
def test_audit_identity_and_privacy_on_generated_shopify_parts(first, overlap, second):
    """rows == kept + sum(dropped) on any two-part export; no email reaches the model's view."""
    from custseg.errors import InputError

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Part two repeats the last `overlap` orders of part one, like Shopify's split exports.
        repeat = first[len(first) - overlap :] if overlap else []
        start_two = 1001 + len(first) - len(repeat)
        p1 = _write(_shopify_csv(first), folder, "part1.csv")
        parts = [p1]
        if repeat + second:
            parts.append(_write(_shopify_csv(repeat + second, start=start_two), folder, "part2.csv"))
        try:
            ds = load(parts)
        except InputError as exc:
            # Refusals are fine (all rows dropped, a column mostly unreadable); crashes are not.
            assert exc.path and ("no usable rows" in exc.problem or "does not hold" in exc.problem or "Financial Status" in exc.problem)
            return
        kept = ds.rows - sum(ds.dropped.values())
        assert ds.rows == sum(o["items"] for o in first) + sum(o["items"] for o in repeat + second)
        assert kept == ds.kept_rows
        assert ds.dropped.get("duplicate", 0) == sum(o["items"] for o in repeat)
        assert len(ds.transactions) == sum(1 for _ in ds.transactions.itertuples()) and (ds.transactions["amount"] > 0).all()
        model_view = dumps(summarize(ds)) + ds.transactions.to_csv()
        for o in first + second:
            address = o["email"].strip().lower()
            if address:
                assert address not in model_view.lower()
        assert "HYPERLINK" not in model_view and "gift" not in model_view


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "x@y.example", "", "NA", "c 3"]),
            st.sampled_from(["2024-01-01", "2024-03-31", "31/12/2024", "bogus", ""]),
            st.sampled_from(["12.50", "0", "-3.00", "1.5", "", "ten"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_audit_identity_on_generated_logs(rows):
    from custseg.errors import InputError

    with tempfile.TemporaryDirectory() as tmp:
        text = "customer_id,order_date,amount\n" + "".join(f"{c},{d},{a}\n" for c, d, a in rows)
        path = _write(text, Path(tmp), "log.csv")
        try:
            ds = load([path])
        except InputError:
            return
        assert ds.rows == len(rows)
        assert ds.rows == ds.kept_rows + sum(ds.dropped.values())
        # A plain log keeps every row with an identity, a date and an amount: zero and negative too.
        assert len(ds.transactions) == ds.kept_rows
        assert "x@y.example" not in json.dumps(ds.transactions.astype(str).to_dict("list"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orders=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 800), st.floats(-50, 500, allow_nan=False).map(lambda x: round(x, 2))),
        min_size=3,
        max_size=300,
    ),
    method=st.sampled_from(["auto", "fixed", "quantile"]),
    period=st.sampled_from(["30d", "90d", "1y"]),
)
def test_segments_are_mece_on_random_transaction_tables(orders, method, period):
    """Every customer in exactly one segment of every segmentation; counts add up; audit holds."""
    import pandas as pd

    from custseg.errors import InputError
    from custseg.facts.build import RunOptions, build

    with tempfile.TemporaryDirectory() as tmp:
        lines = ["customer_id,date,amount"] + [f"c{c},{(pd.Timestamp('2022-01-01') + pd.Timedelta(days=d)).date()},{a}" for c, d, a in orders]
        path = _write("\n".join(lines) + "\n", Path(tmp), "tx.csv")
        ds = load([path])
        assert ds.rows == len(orders) == ds.kept_rows + sum(ds.dropped.values())
        try:
            facts, customers = build(ds, RunOptions(method=method, period=period), summarize(ds))
        except InputError as exc:
            assert "at least 3" in exc.problem
            assert ds.transactions["customer_id"].nunique() < 3
            return
        n = ds.transactions["customer_id"].nunique()
        assert len(customers) == n and customers["customer_id"].is_unique
        for kind, seg in facts.segmentations.items():
            assert sum(s.count for s in seg.segments.values()) == seg.customers == n, kind
        rfm = facts.segmentations["rfm"]
        assert customers["segment"].isin(list(rfm.segments)).all()
        # each segment's breakdowns by last purchase and by value tier are customers.csv's own
        bands = pd.cut(customers["recency_days"], [-1, 90, 180, 364, 729, float("inf")], labels=["within_90_days", "days_91_to_180", "days_181_to_364", "days_365_to_729", "days_730_or_more"])
        tiers = customers["value_tier"] if "value_tier" in customers else None
        for key, seg in rfm.segments.items():
            mine = (customers["segment"] == key).to_numpy()
            assert seg.last_purchase_days == {b: int((bands[mine] == b).sum()) for b in bands.cat.categories}, key
            if tiers is not None:
                assert seg.value_tiers == {t: int((tiers[mine] == t).sum()) for t in facts.segmentations["value"].order}, key
        if rfm.migration is not None:
            total = sum(sum(row.values()) for row in rfm.migration.matrix.values())
            assert total == rfm.migration.customers_in_both
