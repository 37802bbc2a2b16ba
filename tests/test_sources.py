"""Source detection and each source's cleaning rules, on small hand-written exports."""

from __future__ import annotations

import json
import re

import pytest

from custseg.ingest import IngestOptions, load
from custseg.ingest.privacy import pseudonymize
from tests.conftest import EXAMPLES


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


SHOPIFY = (
    "Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Total,Created at,Lineitem quantity,Lineitem name,Refunded Amount,Cancelled at,Payment Method,Source,Phone,Billing Phone\n"
    "#1001,Ann@Shop.Example ,paid,2025-05-11 09:55:16 -0400,yes,USD,100.00,2025-05-11 09:55:16 -0400,1,Shirt,0.00,,Shopify Payments,web,,\n"
    "#1001,Ann@Shop.Example ,,,,,,2025-05-11 09:55:16 -0400,2,Socks,,,,,,\n"
    "#1002,ann@shop.example,partially_refunded,2025-06-01 23:30:00 -0400,yes,USD,80.00,2025-06-01 23:30:00 -0400,1,Hat,30.00,,Shopify Payments,web,,\n"
    "#1003,,paid,2025-06-02 10:00:00 -0400,no,USD,20.00,2025-06-02 10:00:00 -0400,1,Hat,0.00,,manual,shopify_draft_order,,'+1 (555) 010-2233\n"
    "#1004,,paid,2025-06-03 10:00:00 -0400,no,USD,20.00,2025-06-03 10:00:00 -0400,1,Hat,0.00,,Shopify Payments,web,,\n"
    "#1005,bo@shop.example,refunded,2025-06-04 10:00:00 -0400,no,USD,50.00,2025-06-04 10:00:00 -0400,1,Hat,50.00,2025-06-05 10:00:00 -0400,Shopify Payments,web,,\n"
    "#1006,bo@shop.example,pending,,no,USD,70.00,2025-06-06 10:00:00 -0400,1,Hat,0.00,,Shopify Payments,web,,\n"
    "#1007,cy@shop.example,paid,2025-06-07 10:00:00 -0400,no,USD,0.00,2025-06-07 10:00:00 -0400,1,Exchange,0.00,,Shopify Payments,3426665,,\n"
    "#1008,cy@shop.example,paid,2025-06-08 10:00:00 -0400,no,USD,15.00,2025-06-08 10:00:00 -0400,1,Hat,0.00,,(for testing) Bogus Gateway,web,,\n"
    "#1009,dee@shop.example,voided,,no,USD,15.00,2025-06-09 10:00:00 -0400,1,Hat,0.00,,Shopify Payments,web,,\n"
)


def test_shopify_rules(tmp_path):
    ds = load([write(tmp_path, "orders_export.csv", SHOPIFY)])
    assert ds.source == "shopify_orders" and ds.currency == "USD"
    assert ds.rows == 10
    # Cancelled comes before refunded for #1005; the pending #1006 is unpaid; #1004 has no identity.
    assert ds.dropped == {"test": 1, "cancelled": 1, "unpaid": 1, "zero_value": 1, "voided": 1, "no_identity": 1}
    assert ds.dropped_orders == ds.dropped
    tx = ds.transactions.sort_values("date")
    # Line items collapse to one order; a partial refund is netted; the draft order is a sale.
    assert tx["amount"].tolist() == [100.0, 50.0, 20.0]
    assert [str(d)[:10] for d in tx["date"]] == ["2025-05-11", "2025-06-01", "2025-06-02"]  # local days, not UTC
    # Case variants of one email are one customer; the guest with a phone is another.
    assert tx["customer_id"].nunique() == 2


def test_dropped_orders_say_what_they_were_worth(tmp_path, cli):
    """An analyst sees the money each drop reason took out (net of refunds), and a marketer is
    told when sales that name no customer are a real share of the store's: segment revenue
    shares leave them out."""
    ds = load([write(tmp_path, "orders_export.csv", SHOPIFY)])
    # #1008 test 15; #1005 cancelled, refunded in full (net 0); #1006 pending 70; #1007 a $0
    # exchange; #1009 voided 15; #1004 a guest without email or phone, 20.
    assert ds.dropped_value == {"test": 15.0, "cancelled": 0.0, "unpaid": 70.0, "zero_value": 0.0, "voided": 15.0, "no_identity": 20.0}
    out = cli("profile", str(tmp_path / "orders_export.csv"), "--json").json()
    assert out["dropped_value"] == ds.dropped_value
    # before refunds: the cancelled #1005 sold for its total, though it nets to nothing
    assert ds.dropped_gross == {**ds.dropped_value, "cancelled": 50.0}
    assert out["dropped_gross"] == ds.dropped_gross
    # 20 of 170 kept + 20 = 11% of sales name no customer.
    assert "1 order worth 20.00 USD (11% of the sales in the export) names no customer" in " ".join(out["warnings"])
    text = cli("profile", str(tmp_path / "orders_export.csv")).out
    assert "unpaid 1 (worth 70.00 USD)" in text and "zero_value 1," in text


# Shopify's Outstanding Balance: what each order still owes. A cancelled order paid in part, a
# voided one never taken, a partly paid one, a fully refunded one whose refund fell short of its
# total (the rest still owed) and one refunded beyond it.
SHOPIFY_OWED = (
    "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity,Lineitem name,Refunded Amount,Outstanding Balance,Cancelled at,Payment Method\n"
    "#2001,ann@shop.example,paid,USD,100.00,2025-05-11 09:55:16 -0400,1,Shirt,0.00,0.00,,Shopify Payments\n"
    "#2002,bo@shop.example,paid,USD,90.00,2025-05-12 09:55:16 -0400,1,Shirt,0.00,60.00,2025-05-13 09:55:16 -0400,Shopify Payments\n"
    "#2002,bo@shop.example,,,,2025-05-12 09:55:16 -0400,1,Socks,,,,\n"
    "#2003,cy@shop.example,voided,USD,40.00,2025-05-14 09:55:16 -0400,1,Hat,0.00,40.00,2025-05-14 10:55:16 -0400,Shopify Payments\n"
    "#2004,dee@shop.example,partially_paid,USD,200.00,2025-05-15 09:55:16 -0400,1,Coat,0.00,150.00,,Shopify Payments\n"
    "#2005,eve@shop.example,refunded,USD,120.00,2025-05-16 09:55:16 -0400,1,Coat,100.00,20.00,,Shopify Payments\n"
    "#2006,fay@shop.example,refunded,USD,50.00,2025-05-17 09:55:16 -0400,1,Hat,60.00,0.00,,Shopify Payments\n"
    "#2007,gus@shop.example,paid,USD,30.00,2025-05-18 09:55:16 -0400,1,Hat,0.00,30.00,,(for testing) Bogus Gateway\n"
)


def test_left_out_orders_say_what_they_collected_where_the_export_says_what_is_owed(tmp_path, cli):
    """An order's total less its refunds counts money never collected (a voided order's whole
    total): where Shopify's Outstanding Balance says what each order still owes, the money the
    left-out orders actually brought in is counted per reason apart (total - refunded - owed)."""
    path = write(tmp_path, "orders_export.csv", SHOPIFY_OWED)
    ds = load([path])
    assert ds.mapping["outstanding_balance"] == "Outstanding Balance"
    assert ds.dropped_orders == {"test": 1, "cancelled": 2, "refunded": 2, "unpaid": 1}
    # after refunds: #2002 90 + #2003 40; #2005 20 + #2006 -10; #2004 200; #2007 30
    assert ds.dropped_value == {"test": 30.0, "cancelled": 130.0, "refunded": 10.0, "unpaid": 200.0}
    # collected: #2002 paid 30 of 90, #2003 nothing; #2005 nothing kept, #2006 10 more paid back
    # than taken; #2004 paid 50 of 200; the test order nothing
    assert ds.dropped_collected == {"test": 0.0, "cancelled": 30.0, "refunded": -10.0, "unpaid": 50.0}
    out = cli("profile", path, "--json").json()
    assert out["dropped_collected"] == ds.dropped_collected
    text = cli("profile", path).out
    assert "cancelled 3 (130.00 USD after refunds, 30.00 USD collected)" in text
    assert "refunded 2 (order total 170.00 USD, 10.00 USD after refunds, -10.00 USD collected)" in text
    # an export without the column says nothing of what was collected
    assert load([write(tmp_path, "plain.csv", SHOPIFY)]).dropped_collected is None


def test_profile_counts_who_the_email_tools_can_reach(tmp_path, cli):
    """Before any plan leans on email, the profile says how many customers have an address and
    what their consent says (counts only, never an address)."""
    path = write(tmp_path, "orders_export.csv", SHOPIFY)
    # Kept customers: Ann (two spellings of one address, accepts marketing) and a guest known by phone only.
    assert cli("profile", path, "--json").json()["contacts"] == {"with_email": 1, "opted_in": 1, "opted_out": 0, "consent_unknown": 0}
    text = cli("profile", path).out
    assert "Contacts   1 with an email: 1 opted in to marketing, 0 opted out\n" in text and "@" not in text
    lines = ["customer_id,email,order_date,amount"] + [f"c{i},c{i}@example.com,2024-0{1 + i % 9}-10,{10 + i}" for i in range(20)]
    text = cli("profile", write(tmp_path, "log.csv", "\n".join(lines) + "\n")).out
    assert "Contacts   20 with an email: the export does not record marketing consent (confirm they may be emailed)" in text
    lines = ["customer_id,order_date,amount"] + [f"c{i},2024-0{1 + i % 9}-10,{10 + i}" for i in range(20)]
    assert "Contacts   no email addresses in the export (the email-tool files will be empty)" in cli("profile", write(tmp_path, "plain.csv", "\n".join(lines) + "\n")).out



def test_profile_counts_the_customers_contacts_apart_from_the_groups_listed_beside_them(tmp_path, cli):
    """The profile's contacts counted buyers only while the intake brief counts everyone the CRM
    files list (a trial: 67 opted out against 416): each group is counted on its own line and
    field, and with the customers they add up to the run's opt-outs and reach."""
    orders = tmp_path / "orders_export.csv"
    orders.write_bytes((EXAMPLES / "shopify_orders_export.csv").read_bytes())
    people = tmp_path / "customers_export.csv"
    rows = [("ann.signup@example.com", "yes", 0), ("bo.signup@example.com", "no", 0), ("cy.refunded@example.com", "no", 2)]
    people.write_text("First Name,Last Name,Email,Accepts Email Marketing,Total Spent,Total Orders\n" + "".join(f"A,B,{e},{c},0.00,{n}\n" for e, c, n in rows), encoding="utf-8")
    alone = cli("profile", orders, "--json").json()
    out = cli("profile", orders, people, "--json").json()
    assert out["contacts"] == alone["contacts"]  # the customers' own, as without the customers export
    assert out["contacts_apart"] == {
        "prospects": {"with_email": 2, "opted_in": 1, "opted_out": 1, "consent_unknown": 0},
        "no_kept_order": {"with_email": 1, "opted_in": 0, "opted_out": 1, "consent_unknown": 0},
    }
    c = out["contacts"]
    text = cli("profile", orders, people).out
    assert f"Contacts   customers: {c['with_email']:,} with an email: {c['opted_in']:,} opted in to marketing, {c['opted_out']:,} opted out" in text
    assert "\n           prospects who never bought: 2 with an email: 1 opted in to marketing, 1 opted out\n" in text
    assert "\n           ordered but none kept (cancelled or refunded): 1 with an email: 0 opted in to marketing, 1 opted out\n" in text
    # the run's files count the same people: opted out, and reachable (opted in)
    run = tmp_path / "out"
    assert cli("run", orders, people, "--out", run, "--no-charts").code == 0
    exports = json.loads((run / "facts.json").read_text(encoding="utf-8"))["exports"]
    groups = [c, *out["contacts_apart"].values()]
    assert sum(exports["left_out_no_consent"].values()) == sum(g["opted_out"] for g in groups)
    assert exports["reachable_by_segment"]["prospects"] == 1 and exports["reachable_by_segment"].get("no_kept_order", 0) == 0

def test_shopify_include_unpaid(tmp_path):
    ds = load([write(tmp_path, "orders_export.csv", SHOPIFY)], _opts(include_unpaid=True))
    assert "unpaid" not in ds.dropped and len(ds.transactions) == 4


def _opts(**kw):
    from custseg.ingest import IngestOptions

    return IngestOptions(**kw)


STRIPE_OLD = (
    "id,Created (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email,Description\n"
    "ch_1,2019-05-01 13:45,49.00,0.00,usd,true,Paid,cus_A,a@x.example,sub\n"
    "ch_2,2019-06-01 13:45,49.00,49.00,usd,true,Refunded,cus_A,a@x.example,sub\n"
    "ch_3,2019-06-02 13:45,49.00,0.00,usd,false,Failed,cus_B,,sub\n"
    "ch_4,2019-06-03 13:45,49.00,9.00,usd,true,Paid,cus_B,,sub\n"
    "ch_5,2019-06-04 13:45,49.00,0.00,usd,true,succeeded,cus_C,A@X.example,sub\n"
    ",2019-06-05 13:45,49.00,0.00,usd,false,requires_payment_method,,,sub\n"
    "ch_4,2019-06-03 13:45,49.00,9.00,usd,true,Paid,cus_B,,sub\n"
)


def test_stripe_old_layout(tmp_path):
    ds = load([write(tmp_path, "payments.csv", STRIPE_OLD)])
    assert ds.source == "stripe_payments" and ds.mapping["date"] == "Created (UTC)"
    assert ds.dropped == {"duplicate": 1, "refunded": 1, "failed": 1, "incomplete": 1}
    # Email first (two Stripe customers with one email are one person), else the Customer ID.
    assert sorted(ds.transactions["amount"]) == [40.0, 49.0, 49.0]
    assert ds.transactions["customer_id"].nunique() == 2


def test_stripe_two_currencies_without_conversion_needs_a_choice(tmp_path):
    from custseg.errors import InputError

    text = STRIPE_OLD.replace("ch_5,2019-06-04 13:45,49.00,0.00,usd", "ch_5,2019-06-04 13:45,49.00,0.00,eur")
    path = write(tmp_path, "payments.csv", text)
    with pytest.raises(InputError, match="--currency"):
        load([path])
    ds = load([path], _opts(currency="eur"))
    assert ds.currency == "EUR" and len(ds.transactions) == 1 and ds.dropped["other_currency"] == 2


WOO = (
    "Order ID,Order Number,Order Date,Order Status,Customer User ID,Billing First Name,Billing Email,Order Total Amount,Order Refund Amount,Order Currency,Payment Method Title\n"
    "101,101,2024-03-01 10:00:00,wc-completed,5,Ann,ann@w.example,\"1,250.00\",0,EUR,Card\n"
    "102,102,2024-03-02 10:00:00,processing,0,Guest,guest@w.example,30.00,0,EUR,Card\n"
    "103,103,2024-03-03 10:00:00,cancelled,5,Ann,ann@w.example,30.00,0,EUR,Card\n"
    "104,104,2024-03-04 10:00:00,on-hold,6,Bo,bo@w.example,30.00,0,EUR,Bank\n"
    "105,105,2024-03-05 10:00:00,completed,6,Bo,bo@w.example,40.00,10.00,EUR,Card\n"
    "106,106,2024-03-06 10:00:00,failed,6,Bo,bo@w.example,40.00,0,EUR,Card\n"
)


def test_woocommerce(tmp_path):
    ds = load([write(tmp_path, "woo.csv", WOO)])
    assert ds.source == "woocommerce_orders" and ds.currency == "EUR"
    assert ds.dropped == {"cancelled": 1, "failed": 1, "unpaid": 1}
    assert sorted(ds.transactions["amount"]) == [30.0, 30.0, 1250.0]


SQUARE = (
    "Date,Time,Time Zone,Gross Sales,Discounts,Net Sales,Tax,Tip,Total Collected,Source,Transaction ID,Payment ID,Event Type,Customer ID,Customer Name\n"
    "2024-04-01,09:15:00,Pacific Time (US & Canada),$22.50,$0.00,$22.50,$2.00,$0.00,$24.50,Point of Sale,T1,P1,Payment,SQ_A,Ann\n"
    "2024-04-02,10:00:00,Pacific Time (US & Canada),\"$1,000.00\",$0.00,\"$1,000.00\",$0.00,$0.00,\"$1,000.00\",Point of Sale,T2,P2,Payment,SQ_B,Bo\n"
    "2024-04-03,11:00:00,Pacific Time (US & Canada),-$3.00,$0.00,-$3.00,$0.00,$0.00,-$3.00,Point of Sale,T2,P2,Refund,SQ_B,Bo\n"
    "2024-04-04,12:00:00,Pacific Time (US & Canada),$8.00,$0.00,$8.00,$0.00,$0.00,$8.00,Point of Sale,T3,P3,Payment,,Walk-in\n"
    "2024-04-05,12:00:00,Pacific Time (US & Canada),$8.00,$0.00,$8.00,$0.00,$0.00,$8.00,Point of Sale,T4,P4,Payment,SQ_A,Ann\n"
    "2024-04-06,12:00:00,Pacific Time (US & Canada),-$8.00,$0.00,-$8.00,$0.00,$0.00,-$8.00,Point of Sale,T4,P4,Refund,SQ_A,Ann\n"
)


def test_square_refund_rows_net_against_their_payment(tmp_path):
    ds = load([write(tmp_path, "square.csv", SQUARE)])
    assert ds.source == "square_transactions"
    assert ds.rows == 6
    assert ds.dropped == {"refunded": 2, "no_identity": 1}
    assert sorted(ds.transactions["amount"]) == [24.5, 997.0]


def test_customers_table_and_events_detection(tmp_path):
    crm = write(tmp_path, "crm.csv", "customer_id,email,plan,mrr,signup_date,orders_count,total_spent,email_opt_in\n1,a@c.example,Pro,99,2024-01-01,3,297.00,true\n2,b@c.example,Free,0,2024-02-01,0,0,false\n")
    ds = load([crm])
    assert ds.source == "customers" and ds.prospects == 1  # a Free plan with no orders is a prospect
    ev = write(tmp_path, "ev.jsonl", '{"userId":"u1","event":"Logged In","timestamp":1700000000000}\n{"userId":"u1","event":"Order Completed","timestamp":1700000100000,"properties":{"revenue":12.5}}\n')
    ds = load([ev])
    assert ds.source == "events" and len(ds.transactions) == 1 and ds.transactions["amount"].tolist() == [12.5]


def test_pseudonyms_are_keyed_stable_and_pinned():
    ids = pseudonymize(["e:ann@shop.example", "e:bo@shop.example", "e:ann@shop.example"], "0123456789abcdef")
    assert ids[0] == ids[2] != ids[1]
    assert all(len(i) == 18 and i.startswith("c_") for i in ids)
    # Pinned: if the hash ever changes, next month's ids would not match this month's.
    assert ids[0] == "c_" + format(int(_siphash_reference()), "016x")
    assert pseudonymize(["e:ann@shop.example"], "fedcba9876543210")[0] != ids[0]


def _siphash_reference() -> int:
    import numpy as np
    import pandas as pd

    return int(pd.util.hash_array(np.array(["e:ann@shop.example"], dtype=object), hash_key="0123456789abcdef", categorize=False)[0])


def test_pseudonym_literal_value():
    assert pseudonymize(["e:ann@shop.example"], "0123456789abcdef")[0] == PINNED


# Computed once with pandas 3.1 and written down: pandas 2.2 must give the same ids.
PINNED = "c_1137d286ea9de38e"


def test_key_file_round_trip(tmp_path):
    from custseg.ingest.privacy import new_key, read_key, write_key

    key = new_key()
    write_key(str(tmp_path / "segment.key"), key)
    assert read_key(str(tmp_path / "segment.key")) == key
    ds1 = load([write(tmp_path, "a.csv", SHOPIFY)], _opts(key=str(tmp_path / "segment.key")))
    ds2 = load([write(tmp_path, "b.csv", SHOPIFY)], _opts(key=str(tmp_path / "segment.key")))
    ds3 = load([write(tmp_path, "c.csv", SHOPIFY)])
    assert set(ds1.transactions["customer_id"]) == set(ds2.transactions["customer_id"])
    assert not set(ds1.transactions["customer_id"]) & set(ds3.transactions["customer_id"])


def test_plain_log_ids_are_hashed_once_while_other_columns_parse(tmp_path, monkeypatch):
    """A plain log's ids are prepared on ingest's second thread and not hashed again, also
    when some rows are dropped (their customers get no id)."""
    from custseg.ingest import privacy

    lines = ["customer_id,date,amount"] + [f"{i % 7},2024-01-{1 + i % 28:02d},{i}.50" for i in range(60)] + ["99,not a date,5"]
    path = write(tmp_path, "log.csv", "\n".join(lines) + "\n")
    sizes = []
    real = privacy._hash
    monkeypatch.setattr(privacy, "_hash", lambda v, k: sizes.append(len(v)) or real(v, k))
    ds = load([path])
    assert sizes == [8]  # customers 0-6 and 99, once
    assert ds.dropped == {"unparseable_date": 1} and ds.transactions["customer_id"].nunique() == 7
    assert ds.transactions["customer_id"].cat.categories.tolist() == sorted(pseudonymize([f"i:{i}" for i in range(7)], ds.key).tolist())


def test_a_log_valued_by_its_amount_ignores_its_quantity_column(tmp_path):
    """Quantity and unit price only stand in for a missing amount: a quantity column of text
    (CDNOW's number of CDs, or 'box') is neither read nor a reason to refuse the file."""
    lines = ["customer_id,date,quantity,amount"] + [f"{i % 9},2024-01-{1 + i % 28:02d},box,{i}.50" for i in range(40)]
    ds = load([write(tmp_path, "log.csv", "\n".join(lines) + "\n")])
    assert "quantity" not in ds.mapping and "quantity" in ds.files[0].ignored  # one place: not read, so listed as ignored (a trial saw it in both)
    assert ds.kept_rows == 40 and ds.dropped == {}
    assert ds.transactions["amount"].sum() == sum(i + 0.5 for i in range(40))


def test_a_log_without_amount_is_valued_by_quantity_times_unit_price(tmp_path):
    lines = ["customer_id,date,quantity,unit_price"] + [f"{i % 9},2024-01-{1 + i % 28:02d},{1 + i % 3},2.50" for i in range(40)]
    ds = load([write(tmp_path, "log.csv", "\n".join(lines) + "\n")])
    assert ds.transactions["amount"].sum() == sum((1 + i % 3) * 2.5 for i in range(40))


def _event_log(tmp_path, rows: list[tuple], header: str = "user_id,event,timestamp") -> str:
    lines = [header] + [",".join(str(c) for c in r) for r in rows]
    return write(tmp_path, "events.csv", "\n".join(lines) + "\n")


def test_event_log_purchases_leave_out_failed_and_unfinished_ones(tmp_path):
    """purchase_failed and purchase_started are named like purchases but are not: only the
    completed ones count, and the profile lists which names it counted."""
    from custseg.toolkit.profile import ProfileParams, profile

    rows = [(f"u{i}", "purchase", f"2024-03-{1 + i % 28:02d}") for i in range(40)]
    rows += [(f"u{i}", "purchase_failed", f"2024-03-{1 + i % 28:02d}") for i in range(80)]
    rows += [(f"u{i}", "purchase_started", f"2024-02-{1 + i % 28:02d}") for i in range(80)]
    out = profile(ProfileParams(files=[_event_log(tmp_path, rows)]))
    assert out.orders == 40 and out.purchase_events == {"purchase": 40}
    assert out.customers == 80 and out.buyers == 40


def test_event_log_revenue_on_other_events_is_not_a_purchase(tmp_path):
    """A price on product views is what was looked at, not bought: when purchase events exist,
    only they count, with their own revenue."""
    rows = [(f"u{i % 30}", "product_view", f"2024-03-{1 + i % 28:02d}", "19.99") for i in range(300)]
    rows += [(f"u{i}", "order_completed", f"2024-04-{1 + i % 28:02d}", f"{10 + i}.00") for i in range(20)]
    ds = load([_event_log(tmp_path, rows, "user_id,event,timestamp,price")])
    assert ds.mapping.get("revenue") == "price"
    assert len(ds.transactions) == 20 and ds.transactions["amount"].sum() == sum(10 + i for i in range(20))
    assert ds.purchase_events == {"order_completed": 20}


def test_purchase_event_option_chooses_the_purchases(tmp_path):
    from custseg.errors import InputError
    from custseg.ingest import IngestOptions

    rows = [(f"u{i}", "Checkout Success", f"2024-03-{1 + i % 28:02d}") for i in range(30)] + [(f"u{i}", "purchase", "2024-03-02") for i in range(5)]
    path = _event_log(tmp_path, rows)
    assert len(load([path]).transactions) == 5  # detected by name
    ds = load([path], IngestOptions(purchase_events=["checkout success"]))  # any case
    assert len(ds.transactions) == 30 and ds.purchase_events == {"Checkout Success": 30}
    with pytest.raises(InputError, match=r"--purchase-event 'paid': no event has that name; the most frequent events are Checkout Success \(30\)"):
        load([path], IngestOptions(purchase_events=["paid"]))


def test_payment_problem_events_lower_the_health_score(tmp_path, cli):
    """payment_error and checkout_bug events count as failed payments per user (the health
    score's payment_issues component); other error events do not."""
    rows = []
    for i in range(12):
        rows += [(f"u{i}", "purchase", f"2024-0{1 + d}-1{i % 9}") for d in range(3)]
        rows += [(f"u{i}", "home", f"2024-0{1 + d}-0{1 + i % 9}") for d in range(6)]
    rows += [("u0", "payment_error", "2024-06-01"), ("u0", "payment_error", "2024-06-02"), ("u1", "checkout_bug", "2024-06-01"), ("u2", "error_page", "2024-06-01")]
    ds = load([_event_log(tmp_path, rows)])
    assert sorted(ds.issues["failed"].tolist()) == [1, 2]
    assert "payment problems counted from events for the health score: payment_error 2, checkout_bug 1" in ds.notes
    out = tmp_path / "out"
    assert cli("run", _event_log(tmp_path, rows), "--out", out, "--no-charts").code == 0
    import json

    health = json.loads((out / "facts.json").read_text(encoding="utf-8"))["segmentations"]["health"]
    assert "payment_issues" in health["definition"]["weights"]
    assert health["definition"]["components"]["frequency"] == "percentile of distinct active days"


def test_a_log_with_returns_says_so_and_can_leave_them_out(tmp_path):
    """Negative rows (UCI's 'C' invoices) are orders in a plain log, as the contract says; the
    profile counts them and whom they leave at zero, and --exclude-returns drops them."""
    from custseg.ingest import IngestOptions

    lines = ["InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice"]
    lines += [f"5{i:04d},{100 + i % 20},2011-0{1 + i % 9}-1{i % 9},2,5.00" for i in range(100)]
    lines += [f"C6{i:03d},{100 + i},2011-10-0{1 + i % 9},-2,5.00" for i in range(6)]  # 6 returns; customers 100-105
    lines += ["C7000,999,2011-10-01,-1,9.00"]  # a customer with a return only
    path = write(tmp_path, "retail.csv", "\n".join(lines) + "\n")
    ds = load([path])
    assert ds.kept_rows == 107 and len(ds.transactions) == 107
    assert "7 of 107 orders have a negative amount (returns or cancellations the log records as rows): they count as orders on their day and net against spend, so 1 customer's net spend is zero or below; add --net-returns to take them off spend without counting them as purchases, or --exclude-returns to leave them out" in ds.warnings
    ds = load([path], IngestOptions(exclude_returns=True))
    assert ds.dropped == {"returned": 7} and ds.kept_rows + 7 == ds.rows == 107
    assert (ds.transactions["amount"] > 0).all() and ds.transactions["customer_id"].nunique() == 20
    assert not any("negative amount" in w for w in ds.warnings)


def test_net_returns_come_off_the_latest_earlier_purchase_and_are_not_purchases(tmp_path, cli):
    """--net-returns: spend is net of returns while orders and purchase days count sales only. A
    return goes on the customer's latest purchase on or before its day; one with no earlier
    purchase in the data (its sale fell before the data starts) is dropped, counted by reason."""
    from custseg.ingest import IngestOptions

    lines = ["InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice"]
    lines += ["1,A,2024-01-05,10,10.00", "C2,A,2024-01-20,-3,10.00", "3,A,2024-02-01,5,10.00"]  # 100, -30, 50
    lines += ["C4,B,2024-01-03,-2,10.00", "5,B,2024-01-10,4,10.00"]  # a return before B's first sale
    lines += ["6,C,2024-03-01,1,10.00", "C7,C,2024-03-01,-1,10.00"]  # bought and returned the same day
    lines += ["8,D,2024-02-10,2,10.00", "9,D,2024-03-10,2,10.00"]
    lines += ["C10,E,2024-02-01,-1,10.00"]  # E only returned: in no segment
    path = write(tmp_path, "retail.csv", "\n".join(lines) + "\n")
    ds = load([path], IngestOptions(net_returns=True))
    assert ds.dropped == {"return_without_sale": 2} and ds.kept_rows + 2 == ds.rows == 10
    assert len(ds.transactions) == 6  # two returns folded into purchases, two dropped
    spend = ds.transactions.groupby("customer_id", observed=True)["amount"].sum()
    assert sorted(spend.round(2).tolist()) == [0.0, 40.0, 40.0, 120.0]
    # each purchase as kept: A's return went on its 100 of 2024-01-05 (70), not on the later 50
    assert sorted(ds.transactions["amount"].round(2).tolist()) == [0.0, 20.0, 20.0, 40.0, 50.0, 70.0]
    assert ds.dropped_value == {"return_without_sale": -30.0}
    # the totals the user saw in the export move: said in numbers, with who is left with nothing
    assert "2 returns worth 30.00 had no earlier purchase in the data to come off (the sale was before the export began) and are left out, so revenue is that much above the export's own net total; 1 customer had nothing but such returns and is in no segment" in ds.notes
    assert any("2 returns (orders with a negative amount) came off the same customer's latest purchase" in n for n in ds.notes)
    assert not any("negative amount" in w for w in ds.warnings)
    # through the CLI: A has 2 purchase days and 120 of spend; both flags at once is refused
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts", "--net-returns").code == 0
    import pandas as pd

    customers = pd.read_csv(out / "customers.csv")
    assert sorted(customers["purchase_days"].tolist()) == [1, 1, 2, 2] and customers["monetary_total"].max() == 120.0
    import json

    monetary = json.loads((out / "facts.json").read_text(encoding="utf-8"))["segmentations"]["rfm"]["definition"]["monetary"]
    assert monetary == "net revenue per customer up to the as-of date, each return taken off the customer's latest earlier purchase (what it exceeds that by, off the ones before it), never below zero"
    assert cli("run", path, "--out", tmp_path / "plain", "--no-charts").code == 0  # without the flag: the plain definition
    assert json.loads((tmp_path / "plain" / "facts.json").read_text(encoding="utf-8"))["segmentations"]["rfm"]["definition"]["monetary"] == "net revenue per customer up to the as-of date"
    res = cli("run", path, "--out", tmp_path / "both", "--no-charts", "--net-returns", "--exclude-returns")
    assert res.code == 2 and "choose one" in res.err and "Traceback" not in res.err and not (tmp_path / "both").exists()


def test_net_returns_never_leave_a_purchase_or_a_customer_below_zero(tmp_path, cli):
    """--net-returns: a return larger than the purchase it comes off (a return of something
    bought earlier) takes that purchase to 0.00 and the rest off the customer's earlier
    purchases, latest first; what is left past them was bought before the data began and is left
    out of spend, as a return with no earlier purchase is. No customer's spend is below zero (a
    trial's UCI run kept 12 customers at a negative spend, under every buyer's in the spend
    quintiles), and a warning says how many purchases and customers, and how much, in facts
    and in the report."""
    import json

    import pandas as pd

    lines = ["InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice"]
    lines += ["1,F,2024-01-05,10,10.00", "2,F,2024-02-01,1,10.00", "C3,F,2024-02-10,-5,10.00"]  # 100, 10, -50: the 10 goes to 0, the 100 to 60
    lines += ["4,G,2024-01-05,1,5.00", "C5,G,2024-01-06,-2,10.00"]  # 5, -20: 15 more than G ever bought here
    lines += ["6,H,2024-01-05,1,10.00", "C7,H,2024-01-06,-3,10.00", "8,H,2024-03-01,5,10.00"]  # 10, -30, then 50: a later purchase takes none of it
    lines += [f"{10 + i},K{i},2024-0{1 + i % 3}-1{i},{1 + i},10.00" for i in range(6)]
    path = write(tmp_path, "retail.csv", "\n".join(lines) + "\n")
    ds = load([path], IngestOptions(net_returns=True))
    spend = ds.transactions.groupby("customer_id", observed=True)["amount"].sum().round(2)
    assert (ds.transactions["amount"] >= 0).all() and (spend >= 0).all()
    ids = dict(zip(ds.source_ids["source_id"], ds.source_ids["customer_id"]))
    assert (spend[ids["F"]], spend[ids["G"]], spend[ids["H"]]) == (60.0, 0.0, 50.0)
    assert "return_without_sale" not in ds.dropped and ds.kept_rows == ds.rows == 14  # nothing dropped: the returns are in their purchases
    said = ("3 purchases came to below zero once their returns came off (--net-returns: a return larger than the purchase it came off): each counts 0.00 and "
            "the rest came off the same customer's earlier purchases, latest first, so no purchase and no customer's spend is below zero; "
            "for 2 customers the rest was more than all they bought before the return, 35.00 in all (returns of purchases from before the data began): "
            "it is left out of revenue, as returns with no earlier purchase are, so revenue is that much above the export's own net total")
    assert said in ds.warnings
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "--no-charts", "--net-returns").code == 0
    customers = pd.read_csv(out / "customers.csv")
    assert customers["monetary_total"].min() == 0.0 and len(customers) == 9  # G is segmented, at 0.00
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert said in facts["warnings"] and facts["data"]["revenue_total"] == pytest.approx(customers["monetary_total"].sum())
    report = (out / "report.md").read_text(encoding="utf-8")  # the report leaves the option's name out of a warning
    assert "3 purchases came to below zero once their returns came off: each counts 0.00" in report and "for 2 customers the rest was more than all they bought before the return, 35.00 in all" in report


def test_returns_with_no_earlier_purchase_are_told_when_no_return_found_one(tmp_path):
    """--net-returns on a log whose every return came before any purchase of its customer: none
    is netted, and the note on those left out is still given (it hung on a return being netted)."""
    lines = ["InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice", "C1,A,2024-01-02,-1,10.00", "C2,Z,2024-01-03,-2,10.00"]
    lines += [f"{10 + i},{'A' if i == 0 else f'K{i}'},2024-0{1 + i % 3}-1{i},{1 + i},10.00" for i in range(6)]
    ds = load([write(tmp_path, "retail.csv", "\n".join(lines) + "\n")], IngestOptions(net_returns=True))
    assert ds.dropped == {"return_without_sale": 2} and ds.returns_netted == 0
    assert ("2 returns worth 30.00 had no earlier purchase in the data to come off (the sale was before the export began) and are left out, "
            "so revenue is that much above the export's own net total; 1 customer had nothing but such returns and is in no segment") in ds.notes


def test_profile_names_the_columns_it_left_aside(tmp_path, cli):
    """An analyst sees which columns were not read (a salesperson), never their values; the
    product code is read (to tell postage and fees from products), the description as the
    product's name (what each segment buys) and the country for customers by country."""
    lines = ["InvoiceNo,StockCode,Description,CustomerID,InvoiceDate,Amount,Country,Salesperson"] + [f"{i},X{i},Mug {i},{i % 9},2011-01-1{i % 9},5.00,EIRE,Ann" for i in range(30)]
    res = cli("profile", write(tmp_path, "retail.csv", "\n".join(lines) + "\n"))
    assert "Ignored    Salesperson (not needed to segment)" in res.out and "product=StockCode, product_name=Description, country=Country" in res.out
    assert "Mug" not in res.out and "EIRE" not in res.out and "Ann" not in res.out


def test_customer_table_currency_status_and_undated_rows(tmp_path, cli):
    """A CRM table (found by a skill trial): --currency labels its amounts, accounts whose
    status says they ended are counted in a warning, and a row without a last order date says
    so in its reason instead of a made-up 'last ordered N days ago'."""
    import pandas as pd

    lines = ["customer_id,email,plan,mrr,signup_date,last_order_date,orders_count,total_spent,status"]
    for i in range(60):
        last = f"2024-{1 + i % 12:02d}-15" if i % 10 else ""
        lines.append(f"C{i},u{i}@example.com,Growth,{50 + i},2022-01-0{1 + i % 9},{last},{0 if not last else 1 + i % 4},{100 + i},{'churned' if i % 6 == 0 else 'active'}")
    path = write(tmp_path, "crm.csv", "\n".join(lines) + "\n")
    out = cli("profile", path, "--currency", "usd", "--json").json()
    assert out["currency"] == "USD"
    assert (
        "10 customers have a status that says they ended (churned 10): the lifecycle puts them in its Churned stage and the health score gives them 0, "
        "but the RFM segments place them by their orders like everyone else (mostly the lapsed segments); a plan should treat them as win-back or leave them out"
    ) in out["warnings"]
    run = tmp_path / "out"
    assert cli("run", path, "--out", run, "--no-charts").code == 0
    customers = pd.read_csv(run / "customers.csv")
    undated = customers["last_purchase"].isna()
    assert undated.sum() == 6
    # Of the six, the two churned accounts are scored as the least recent; the four live ones
    # pay MRR with no order on record, which RFM cannot score (see the next test).
    churned = undated & (customers["lifecycle"] == "churned")
    assert churned.sum() == 2
    assert (customers.loc[churned, "reason"] == "no last order date in the export: scored as the least recent").all()
    assert customers.loc[undated & ~churned, "reason"].str.startswith("a live subscription (").all()
    assert not customers.loc[~undated, "reason"].str.startswith(("no last order date", "a live subscription")).any()


def test_a_crm_status_decides_churned_and_keeps_live_accounts_out_of_lapsed(tmp_path, cli):
    """A SaaS CRM (found by a skill trial): an account the status column says ended is the
    lifecycle's Churned stage with health 0; one it says is live (active, trialing) is never
    Lapsed however old its last order (a yearly subscriber, or orders that count add-ons);
    a status it does not know ('paused') follows the days since the last order."""
    import json

    import pandas as pd

    statuses = ("churned", "active", "trialing", "paused")
    rows = [(f"C{i}", f"2024-{1 + i % 12:02d}-10", 1 + i % 3, 100 + i, statuses[i % 4]) for i in range(48)]
    lines = ["customer_id,email,signup_date,last_order_date,orders_count,total_spent,status"]
    lines += [f"{c},{c.lower()}@example.com,2022-01-05,{last},{n},{spent},{status}" for c, last, n, spent, status in rows]
    run = tmp_path / "out"
    res = cli("run", write(tmp_path, "crm.csv", "\n".join(lines) + "\n"), "--out", run, "--no-charts", "--json")
    assert res.code == 0, res.err
    facts = json.loads((run / "facts.json").read_text(encoding="utf-8"))
    frame = pd.DataFrame(rows, columns=["id", "last", "orders", "spent", "status"])
    old = (pd.Timestamp("2024-12-10") - pd.to_datetime(frame["last"])).dt.days >= 181
    stages = {k: s["count"] for k, s in facts["segmentations"]["lifecycle"]["segments"].items()}
    assert stages["churned"] == int((frame["status"] == "churned").sum()) == 12
    assert stages["lapsed"] == int((old & (frame["status"] == "paused")).sum()) == 4
    assert facts["segmentations"]["lifecycle"]["definition"]["churned"] == "the status column says the account ended (churned) (checked first)"
    customers = pd.read_csv(run / "customers.csv")
    assert sorted(customers.loc[customers["lifecycle"] == "churned", "health_score"].unique().tolist()) == [0]
    assert (customers.loc[customers["lifecycle"] != "churned", "health_score"] > 0).all()
    live_quiet = int((old & frame["status"].isin(["active", "trialing"])).sum())
    assert f"{live_quiet:,} of the 24 accounts whose status says they are live have no order in 181+ days" in " ".join(facts["warnings"])


# -- CRM tables: live subscriptions with no order on record, MRR, prospects by status --------------


def _crm_rows():
    """80 accounts, built so every count below is known: 60 with orders (dated, spread over a
    year, 1-4 orders; every eighth churned); 12 live subscriptions paying MRR with no order on record (8 active, 4
    trialing; 3 of them with one failed payment); 4 churned accounts with spend but no date; 4
    contacts with nothing (2 active, 1 churned, 1 trialing: prospects). MRR 100 on every live
    account that pays, 0 on the churned ones."""
    rows = []
    for i in range(60):
        status = "churned" if i % 8 == 0 else "active"
        rows.append((f"C{i}", 0 if status == "churned" else 100, f"2024-{1 + i % 12:02d}-15", 1 + i % 4, 100 + 10 * i, status, 0))
    for i in range(12):
        rows.append((f"S{i}", 100, "", 0, 0, "active" if i < 8 else "trialing", 1 if i < 3 else 0))
    for i in range(4):
        rows.append((f"E{i}", 0, "", 2, 300, "churned", 0))
    for i, status in enumerate(("active", "active", "churned", "trialing")):
        rows.append((f"P{i}", 0, "", 0, 0, status, 0))
    return rows


def _crm_csv(tmp_path, mrr: bool = True, status: bool = True) -> str:
    head = ["customer_id", "email", "signup_date", "last_order_date", "orders_count", "total_spent"] + (["mrr"] if mrr else []) + (["status"] if status else []) + ["failed_payments"]
    lines = [",".join(head)]
    for cid, fee, last, n, spent, st, failed in _crm_rows():
        cells = [cid, f"{cid.lower()}@example.com", "2023-06-01", last, str(n), str(spent)] + ([str(fee)] if mrr else []) + ([st] if status else []) + [str(failed)]
        lines.append(",".join(cells))
    return write(tmp_path, "crm.csv", "\n".join(lines) + "\n")


def _crm_run(tmp_path, cli, **kw):
    import json

    import pandas as pd

    run = tmp_path / "out"
    res = cli("run", _crm_csv(tmp_path, **kw), "--out", run, "--no-charts")
    assert res.code == 0, res.err
    return json.loads((run / "facts.json").read_text(encoding="utf-8")), pd.read_csv(run / "customers.csv", dtype={"customer_id": str}), run


def test_a_live_subscription_with_no_order_on_record_is_not_dormant(tmp_path, cli):
    """A user trial (Head of Customer Success): live accounts paying MRR with no order on record
    were scored as the least recent and called Dormant. RFM cannot score them: they sit in the
    catch-all with empty scores and a reason in words; every customer is still in one segment."""
    facts, customers, _ = _crm_run(tmp_path, cli)
    rfm = facts["segmentations"]["rfm"]
    assert facts["data"]["customers"] == 76 and facts["data"]["prospects"] == 4
    unscored = customers["reason"].str.startswith("a live subscription")
    assert unscored.sum() == 12 and (customers.loc[unscored, "orders"] == 0).all() and (customers.loc[~unscored, "orders"] > 0).all()
    catch_all = rfm["rules"]["segments"][-1]["key"]
    assert catch_all == "needs_attention" and rfm["rules"]["name"] == "default"
    assert set(customers.loc[unscored, "segment"]) == {catch_all}
    assert "dormant" not in set(customers.loc[unscored, "segment"])
    assert (customers.loc[unscored, "reason"] == "a live subscription (100.00 MRR) with no order on record: RFM cannot score its recency").all()
    assert customers.loc[unscored, ["r_score", "f_score", "m_score", "recency_days"]].isna().all().all()
    assert customers.loc[~unscored, ["r_score", "f_score", "m_score"]].notna().all().all()
    # the churned accounts with spend but no date are still scored as the least recent
    undated_churned = customers["last_purchase"].isna() & ~unscored
    assert undated_churned.sum() == 4 and (customers.loc[undated_churned, "r_score"] == 1).all()
    assert rfm["definition"]["no_order_on_record"].startswith("12 live subscriptions (MRR above 0, status not ended) with no last order date are not scored")
    assert f"sit in {rfm['segments'][catch_all]['name']}, the rule table's catch-all" in rfm["definition"]["no_order_on_record"]
    assert any(n.endswith(f"12 of its {rfm['segments'][catch_all]['count']} customers") for n in rfm["notes"])
    # MECE: counts add up to every customer, customers.csv agrees
    assert sum(s["count"] for s in rfm["segments"].values()) == rfm["customers"] == len(customers) == 76
    assert customers["segment"].value_counts().to_dict() == {k: s["count"] for k, s in rfm["segments"].items() if s["count"]}
    # the scores' cut points and mean scores leave the unscored out: no segment's mean R is dragged to 1 by them
    scored = customers[~unscored]
    means = scored.groupby("segment")["r_score"].mean().round(2).to_dict()
    assert {k: s["mean_scores"]["r"] for k, s in rfm["segments"].items() if s["count"] and k in means} == means
    # medians of days since the last order count dated accounts only
    dated = customers[customers["recency_days"].notna()]
    assert rfm["segments"][catch_all]["median_recency_days"] == float(dated.loc[dated["segment"] == catch_all, "recency_days"].median())


def test_purchase_days_are_zero_with_no_order_on_record(tmp_path, cli):
    """orders 0 with purchase_days 1 contradicted itself: an account with no order on record
    has 0 purchase days; one with a date or a spend has at least 1."""
    _, customers, _ = _crm_run(tmp_path, cli)
    no_orders = customers["orders"] == 0
    assert no_orders.sum() == 12 and (customers.loc[no_orders, "purchase_days"] == 0).all()
    undated_with_orders = customers["last_purchase"].isna() & ~no_orders
    assert undated_with_orders.sum() == 4 and customers.loc[undated_with_orders, "purchase_days"].tolist() == [2] * 4
    dated = customers[customers["last_purchase"].notna()]
    assert (dated["purchase_days"] == dated["orders"]).all() and (dated["purchase_days"] >= 1).all()
    assert not ((customers["orders"] == 0) & (customers["purchase_days"] > 0)).any()


def test_health_leaves_out_what_an_account_has_no_data_for(tmp_path, cli):
    """No order on record: recency and frequency are left out for the account and the other
    weights rescaled, not scored as the worst; with payment issues alone an account scores at
    most neutral (clean payments: 50, not 100; one failed payment: 50 from 75), since clean
    payments are no sign of momentum; churned accounts stay at 0; the formula says so."""
    facts, customers, _ = _crm_run(tmp_path, cli)
    health = facts["segmentations"]["health"]
    no_orders = customers["orders"] == 0
    assert sorted(customers.loc[no_orders, "health_score"].tolist()) == [50] * 12
    assert customers.loc[no_orders, "health_band"].value_counts().to_dict() == {"neutral": 12}
    assert "12 with only their payment record score at most 50" in health["definition"]["missing_inputs"]
    assert sorted(customers.loc[customers["lifecycle"] == "churned", "health_score"].unique().tolist()) == [0]
    assert (customers["lifecycle"] == "churned").sum() == 12  # 8 dated + 4 undated churned accounts
    assert health["definition"]["formula"].endswith("; a component whose input an account lacks is left out for that account and its other weights are rescaled to add up to 1")
    assert health["definition"]["missing_inputs"].startswith("left out where the input is missing (recency for 12, frequency for 12 accounts)")
    assert sum(s["count"] for s in health["segments"].values()) == 76


def test_health_rescales_weights_over_the_components_an_account_has():
    import numpy as np

    from custseg.compute.segmentations import NO_COMPONENT_SCORE, health

    comps = {"recency": np.array([80.0, np.nan, np.nan]), "frequency": np.array([40.0, np.nan, 20.0]), "payment_issues": np.array([100.0, 50.0, np.nan])}
    desc = {k: k for k in comps}
    lab = health(comps, desc)
    # 0.35/0.25/0.10 over 0.70; account 2: payment issues alone; account 3: frequency alone
    assert lab.extra["health_score"].tolist() == [round((0.35 * 80 + 0.25 * 40 + 0.1 * 100) / 0.7), 50, 20]
    # payment issues alone: bad news counts, good news is capped at neutral
    lab = health({"recency": np.array([np.nan, np.nan, 70.0]), "payment_issues": np.array([100.0, 10.0, 100.0])}, {"recency": "r", "payment_issues": "p"})
    assert lab.extra["health_score"].tolist() == [NO_COMPONENT_SCORE, 10, round((0.35 * 70 + 0.1 * 100) / 0.45)]
    lab = health({"recency": np.array([np.nan, 10.0])}, {"recency": "r"})
    assert lab.extra["health_score"].tolist() == [NO_COMPONENT_SCORE, 10]
    assert "1 with none of the components score 50" in lab.definition["missing_inputs"]
    full = health({"recency": np.array([10.0, 90.0])}, {"recency": "r"})
    assert "missing_inputs" not in full.definition and "left out" not in full.definition["formula"]


def test_mrr_is_reported_in_all_and_per_segment(tmp_path, cli):
    """The MRR column is read: data.mrr_total sums the live accounts' MRR, and every
    segmentation's segments carry their MRR and its share, adding up to the total."""
    import numpy as np

    facts, customers, _ = _crm_run(tmp_path, cli)
    rows = _crm_rows()
    assert facts["data"]["mrr_total"] == sum(fee for _, fee, _, _, _, st, _ in rows if st != "churned") == 52 * 100 + 12 * 100
    for kind, seg in facts["segmentations"].items():
        assert sum(s["mrr"] for s in seg["segments"].values()) == pytest.approx(facts["data"]["mrr_total"]), kind
        assert sum(s["mrr_share"] for s in seg["segments"].values()) == pytest.approx(1, abs=0.001), kind
    rfm = facts["segmentations"]["rfm"]["segments"]
    # every live account pays 100 and every churned one 0: a segment's MRR is 100 per live account in it
    per_segment = customers.assign(mrr=np.where(customers["lifecycle"] == "churned", 0.0, 100.0)).groupby("segment")["mrr"].sum().to_dict()
    assert {k: s["mrr"] for k, s in rfm.items() if s["count"]} == per_segment
    assert {k: s["mrr_share"] for k, s in rfm.items() if s["count"]} == {k: round(v / 6400, 6) for k, v in per_segment.items()}
    assert facts["segmentations"]["lifecycle"]["segments"]["churned"]["mrr"] == 0


def test_without_an_mrr_or_status_column_no_mrr_or_status_facts(tmp_path, cli):
    facts, _, _ = _crm_run(tmp_path, cli, mrr=False, status=False)
    assert facts["data"]["mrr_total"] is None and facts["data"]["prospects_by_status"] is None
    for seg in facts["segmentations"].values():
        assert all(s["mrr"] is None and s["mrr_share"] is None for s in seg["segments"].values())
    # without MRR nothing says a subscription is live: the undated accounts with no order, spend or MRR are prospects
    assert facts["data"]["prospects"] == 4 + 12


def test_prospects_are_counted_by_status(tmp_path, cli):
    facts, _, _ = _crm_run(tmp_path, cli)
    assert facts["data"]["prospects_by_status"] == {"active": 2, "churned": 1, "trialing": 1}
    assert sum(facts["data"]["prospects_by_status"].values()) == facts["data"]["prospects"]


def test_crm_example_counts(tmp_path, cli):
    """examples/crm_customers.csv, the trial's file: 219 churned and 981 live accounts; 78 rows
    with no spend, orders or MRR are prospects (28 churned, 50 live), the rest are segmented;
    76 live subscriptions with no order on record leave Dormant for Needs Attention."""
    import json

    import pandas as pd

    from tests.conftest import EXAMPLES

    run = tmp_path / "out"
    assert cli("run", EXAMPLES / "crm_customers.csv", "--out", run, "--no-charts", "--currency", "USD").code == 0
    facts = json.loads((run / "facts.json").read_text(encoding="utf-8"))
    customers = pd.read_csv(run / "customers.csv", dtype={"customer_id": str})
    raw = pd.read_csv(EXAMPLES / "crm_customers.csv")
    data = facts["data"]
    assert data["prospects_by_status"] == {"active": 45, "churned": 28, "trialing": 5}
    churned = int((customers["lifecycle"] == "churned").sum())
    assert churned + data["prospects_by_status"]["churned"] == int((raw["status"] == "churned").sum()) == 219
    live = len(customers) - churned + data["prospects_by_status"]["active"] + data["prospects_by_status"]["trialing"]
    assert live == int(raw["status"].isin(["active", "trialing"]).sum()) == 981
    assert data["mrr_total"] == round(float(raw.loc[raw["status"] != "churned", "mrr"].sum()), 2) == 631621.0
    rfm = {k: s["count"] for k, s in facts["segmentations"]["rfm"]["segments"].items()}
    assert rfm == {"champions": 19, "loyal": 83, "new": 138, "needs_attention": 281, "at_risk": 59, "dormant": 542}
    unscored = customers["reason"].str.startswith("a live subscription")
    assert unscored.sum() == 76 and set(customers.loc[unscored, "segment"]) == {"needs_attention"}
    assert (customers.loc[unscored, "purchase_days"] == 0).all()
    health = {k: s["count"] for k, s in facts["segmentations"]["health"]["segments"].items()}
    assert health == {"thriving": 116, "healthy": 329, "neutral": 312, "struggling": 171, "critical": 194}
    assert customers.loc[unscored, "health_band"].value_counts().to_dict() == {"neutral": 74, "struggling": 1, "critical": 1}
    for seg in facts["segmentations"].values():
        assert sum(s["count"] for s in seg["segments"].values()) == len(customers) == 1122
        assert sum(s["mrr"] for s in seg["segments"].values()) == pytest.approx(631621.0)


def test_briefs_list_mrr_facts_and_the_unscored_accounts_only_for_a_crm_with_them(tmp_path, cli):
    """The segments and strategy briefs give the segments' MRR (the health bands' MRR at risk)
    as fact references and say which accounts RFM could not score; without an MRR column,
    neither (and the briefs still render)."""
    from custseg.render.briefs import render_brief

    facts, _, _ = _crm_run(tmp_path, cli)
    segments, strategy, operationalize = (render_brief(p, facts) for p in ("segments", "strategy", "operationalize"))
    assert "| MRR | MRR share |" in segments and "`{data.mrr_total}`" in segments
    assert "(`{segmentations.health.segments.thriving.mrr}`)" in segments
    assert "Accounts RFM cannot score: 12 live subscriptions (MRR above 0, status not ended) with no last order date are not scored" in segments
    assert "## MRR by segment" in strategy and "`{segmentations.health.segments.thriving.mrr}` (Thriving)" in strategy
    assert "- `{segmentations.rfm.segments.needs_attention.mrr}`" in strategy and "- `{segmentations.rfm.segments.needs_attention.mrr_share}`" in strategy
    assert "`{segmentations.rfm.segments.needs_attention.mrr}` (MRR of its live accounts)" in operationalize
    (tmp_path / "plain").mkdir()
    plain, _, _ = _crm_run(tmp_path / "plain", cli, mrr=False)
    for phase in ("segments", "strategy", "operationalize"):
        text = render_brief(phase, plain)
        assert "mrr" not in text.lower() and "Accounts RFM cannot score" not in text


def test_orders_by_sales_channel(tmp_path, cli):
    """Shopify's Source: the kept orders per channel, and --exclude-channel to leave one out
    (a marketplace whose buyers are not the store's to email), counted as a drop reason."""
    path = write(tmp_path, "orders_export.csv", SHOPIFY)
    ds = load([path])
    # kept: #1001 web 100, #1002 web 80 - 30 refunded, #1003 a draft order of 20 (one guest by phone)
    assert ds.by_channel == [
        {"channel": "web", "orders": 2, "customers": 1, "revenue": 150.0, "label": "online store"},
        {"channel": "shopify_draft_order", "orders": 1, "customers": 1, "revenue": 20.0, "label": "draft orders"},
    ]
    left = load([path], IngestOptions(exclude_channels=["Shopify_Draft_Order"]))
    assert left.dropped["excluded_channel"] == 1 and left.kept_rows == ds.kept_rows - 1
    assert [c["channel"] for c in left.by_channel] == ["web"]
    r = cli("profile", path, "--exclude-channel", "nordstrom")
    assert r.code == 2 and r.out == "" and "--exclude-channel nordstrom: no order came through it; the export's channels are: 3426665, shopify_draft_order, web" in r.err
    stripe = write(tmp_path, "payments.csv", "id,Created date (UTC),Amount,Amount Refunded,Currency,Status,Customer ID,Customer Email,Captured\nch_1,2024-01-02 10:00:00,10.00,0.00,usd,Paid,cus_1,a@x.example,true\n")
    r = cli("profile", stripe, "--exclude-channel", "web")
    assert r.code == 2 and "no sales channel column" in r.err


def test_a_numbered_channel_is_named_an_app_in_the_report_and_the_intake(tmp_path, cli):
    """Shopify writes a sales-channel app's orders under the app's id: the report and the
    intake say so, and the intake asks which app it is (real-store trial: four bare numbers)."""
    from custseg.ingest.channels import channel_label
    from custseg.render.briefs import render_brief

    assert channel_label("24986320897") == "a sales-channel app" and channel_label("Nordstrom") is None and channel_label("pos") == "point of sale"
    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0  # its Source has three app ids
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    apps = [c for c in facts["data"]["by_channel"] if c["channel"].isdigit()]
    app = apps[0]
    assert app["label"] == "a sales-channel app"
    md = (out / "report.md").read_text(encoding="utf-8")
    assert f"| {app['channel']} (a sales-channel app) | {app['orders']:,} |" in md
    # the report says where the user finds the app's name, not only that it is an app
    assert f"Shopify's export names a sales-channel app by its number ({', '.join(c['channel'] for c in apps[:-1])} and {apps[-1]['channel']}); Shopify's admin shows which app each is under Settings, Apps and sales channels." in md
    intake = render_brief("intake", facts)
    assert f"{app['channel']} (a sales-channel app) {app['orders']:,}" in intake
    # asked among the numbered questions, its answer keyed by its bold label (SKILL.md rule 5)
    (asked,) = re.findall(r"^(\d+)\. \*\*Sales channels\*\*: (.*)$", intake, re.M)
    assert "Which apps are they?" in asked[1] and asked[1].count(app["channel"]) >= 1 and "- Sales channels" not in intake
    numbers = [int(n) for n in re.findall(r"^(\d+)\. \*\*", intake, re.M)]
    assert numbers == list(range(1, len(numbers) + 1))  # one numbering, no gap or repeat
    # the example's TikTok orders are a few among many: leaving them out is offered, with who remains
    mk = facts["data"]["marketplace"]
    assert mk["channels"] == ["tiktok"] and mk["own_customers"] > 3
    assert f"cover only the {mk['own_customers']:,} customers who bought through the user's own channels" in intake and "`--exclude-channel tiktok`" in intake
    assert f"{mk['orders']:,} of the orders came through the marketplace tiktok: the buyer paid" in intake
    facts["data"]["by_channel"] = [c for c in facts["data"]["by_channel"] if not c["channel"].isdigit()]
    assert "**Sales channels**" not in render_brief("intake", facts)
    facts["data"]["marketplace"] = {**mk, "channels": ["Nordstrom", "tiktok"]}  # trial: 'came through Nordstrom, tiktok, a marketplace'
    assert f"{mk['orders']:,} of the orders came through the marketplaces Nordstrom and tiktok: the buyer paid" in render_brief("intake", facts)


def test_the_name_the_user_gave_an_app_is_shown_beside_its_number(tmp_path, cli):
    """The intake asks which app a number of Shopify's Source is, and the report kept naming it
    by the number alone: the user's answer was lost. answers.json's "Channel names" records it;
    the report (md and html) and the briefs show it beside the number, which stays the facts';
    without the answer nothing changes."""
    from custseg.render.briefs import render_brief
    from custseg.render.report import render_report
    from tests.test_report import html_text, unmatched_numbers

    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    first, second = [c for c in facts["data"]["by_channel"] if c["label"] == "a sales-channel app"][:2]
    market = next(c for c in facts["data"]["by_channel"] if c["channel"] == "tiktok")
    plain_md = (out / "report.md").read_text(encoding="utf-8")
    plain_intake = render_brief("intake", facts)
    answers = {"Sales channels": "the first one is our Instagram Shop", "Channel names": {first["channel"]: "Instagram Shop", "tiktok": "TikTok Shop"}}
    render_report(facts, str(out), answers=answers)
    md, page = (out / "report.md").read_text(encoding="utf-8"), html_text((out / "report.html").read_text(encoding="utf-8"))
    for text in (md, page):
        assert "Instagram Shop (app " + first["channel"] + ")" in text and "TikTok Shop (tiktok)" in text
        # the other app is still asked about by its number, and the one named is told as the user's
        assert f"Shopify's export names a sales-channel app by its number ({second['channel']}); Shopify's admin shows which app each is under Settings, Apps and sales channels. The names beside the numbers are the ones you gave: Instagram Shop (app {first['channel']})." in text
    assert f"| Instagram Shop (app {first['channel']}) | {first['orders']:,} | {first['customers']:,} |" in md  # no '(a sales-channel app)' beside it
    assert f"| {second['channel']} (a sales-channel app) | {second['orders']:,} |" in md and f"| TikTok Shop (tiktok) | {market['orders']:,} |" in md
    for text in (re.sub(r"\]\([^)]*\)", "]", md), page):
        assert unmatched_numbers(text, facts)[0] == []  # every number shown is still a fact
    intake = render_brief("intake", facts, answers)
    assert f"Instagram Shop (app {first['channel']}) {first['orders']:,}" in intake and f"TikTok Shop (tiktok) {market['orders']:,}" in intake
    assert "came through the marketplace TikTok Shop (tiktok): the buyer paid" in intake and "`--exclude-channel tiktok`" in intake  # the command takes the export's word
    (asked,) = re.findall(r"^\d+\. \*\*Sales channels\*\*: (.*)$", intake, re.M)
    assert f"{second['channel']} is an app the export does not name" in asked and "Which app is it?" in asked
    assert f"The user named Instagram Shop (app {first['channel']})" in asked and f"{first['channel']} is an app" not in asked
    assert 'Channel names: "' + first["channel"] + ': Instagram Shop; tiktok: TikTok Shop"' in render_brief("segments", facts, answers)
    # a name check.py refuses is not shown (brief.py and render.py refuse the file before that)
    refused = {"Channel names": {first["channel"]: "insta@shop.example", "24986320897": "Instagram Shop"}}
    assert render_brief("intake", facts, refused) == plain_intake and "insta@shop.example" not in render_brief("segments", facts, refused)
    # without the answer, nothing changes
    render_report(facts, str(out))
    assert (out / "report.md").read_text(encoding="utf-8") == plain_md and "Instagram Shop" not in plain_md
    assert render_brief("intake", facts, {"Sales channels": "keep them"}) == plain_intake and "The user named" not in plain_intake
    # an app the user left out (--exclude-channel): named where the rows left out are counted
    left = tmp_path / "left"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", left, "--no-charts", "--exclude-channel", first["channel"]).code == 0
    facts = json.loads((left / "facts.json").read_text(encoding="utf-8"))
    render_report(facts, str(left), answers=answers)
    md = (left / "report.md").read_text(encoding="utf-8")
    assert f"| orders through Instagram Shop (app {first['channel']}), left out at your request | {facts['data']['dropped']['excluded_channel']:,} |" in md
    assert f"excluded channel (orders through Instagram Shop (app {first['channel']}), left out at the user's request)" in render_brief("intake", facts, answers)


def test_wholesale_channels_are_named_and_asked_about(tmp_path, cli):
    """Trial B: Honeycomb (a wholesale app) and Faire were left unlabelled, and the intake asked
    only about a numeric app id. Their buyers are shops buying to resell: the label says so,
    and the intake asks about them in those words; Faire, a marketplace too, is asked about in
    the marketplace question, not twice."""
    from custseg.ingest.channels import WHOLESALE_LABEL, WHOLESALE_MARKETPLACE_LABEL, channel_label
    from custseg.render.briefs import _sales_channels, render_brief

    assert channel_label("Honeycomb") == WHOLESALE_LABEL and channel_label("Faire") == WHOLESALE_MARKETPLACE_LABEL and channel_label("web") == "online store"
    assert channel_label("Honeycombs") is None and channel_label("tiktok") is None  # whole words; a consumer marketplace is no wholesale channel
    rows = SHOPIFY.replace(",web,,\n#1003", ",Honeycomb,,\n#1003", 1)  # #1002 came through Honeycomb
    ds = load([write(tmp_path, "orders_export.csv", rows)])
    assert [(c["channel"], c["label"]) for c in ds.by_channel] == [("web", "online store"), ("Honeycomb", WHOLESALE_LABEL), ("shopify_draft_order", "draft orders")]
    assert _sales_channels({"by_channel": ds.by_channel}) == {"apps": [], "wholesale": ["Honeycomb"], "wholesale_marketplaces": []}
    out = tmp_path / "out"
    assert cli("run", EXAMPLES / "shopify_orders_export.csv", "--out", out, "--no-charts").code == 0
    full = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    full["data"]["by_channel"] += [{"channel": "Honeycomb", "orders": 12, "customers": 12, "revenue": 2478.0, "label": WHOLESALE_LABEL}, {"channel": "Faire", "orders": 3, "customers": 2, "revenue": 300.0, "label": WHOLESALE_MARKETPLACE_LABEL}]
    full["data"]["marketplace"]["channels"] = ["Faire", "tiktok"]
    intake = render_brief("intake", full)
    (asked,) = re.findall(r"^\d+\. \*\*Sales channels\*\*: (.*)$", intake, re.M)
    assert "Honeycomb is a wholesale channel: its buyers are shops buying to resell (wholesale accounts), not consumers" in asked and "Faire" not in asked
    assert "`--exclude-channel Honeycomb`" in asked
    (market,) = re.findall(r"^\d+\. \*\*Marketplace orders\*\*: (.*)$", intake, re.M)
    assert "came through the marketplaces Faire and tiktok (Faire sells wholesale: its buyers are shops buying to resell, wholesale accounts rather than consumers)" in market


def test_marketplace_orders_are_warned_about(tmp_path):
    rows = SHOPIFY.replace(",web,,\n#1003", ",Nordstrom,,\n#1003", 1)  # #1002 came through Nordstrom
    ds = load([write(tmp_path, "orders_export.csv", rows)])
    assert [c["channel"] for c in ds.by_channel] == ["web", "Nordstrom", "shopify_draft_order"]
    (warning,) = [w for w in ds.warnings if "marketplace" in w]
    assert warning.startswith("1 of 3 orders came through marketplaces (Nordstrom)")
    # the same customer bought on the web too: leaving Nordstrom out keeps 2 customers, too few to segment
    assert ds.marketplace == {"channels": ["Nordstrom"], "orders": 1, "customers": 1, "own_customers": 2, "relay_emails": 0}
    assert warning.endswith("only 2 customers bought outside them, too few to segment without them, so keep them in") and "--exclude-channel" not in warning
    plain = load([write(tmp_path, "orders_export.csv", SHOPIFY)])
    assert not any("marketplace" in w for w in plain.warnings) and plain.marketplace is None



def test_profile_says_when_too_few_customers_are_left_to_segment(tmp_path, cli):
    """profile.py ran on what run.py then refused (a trial left TikTok out and 1 customer
    remained): it says the run will need more, instead of promising three broad groups."""
    rows = SHOPIFY.replace(",web,,\n#1003", ",Nordstrom,,\n#1003", 1)
    path = write(tmp_path, "orders_export.csv", rows)
    res = cli("profile", path, "--exclude-channel", "shopify_draft_order", "--json")
    assert res.code == 0
    warnings = res.json()["warnings"]
    assert "only 1 customer: too few to segment (at least 3 are needed); drop the options that left rows out, or use a longer export" in warnings
    assert not any("three broad groups" in w for w in warnings)
    assert cli("run", path, "--exclude-channel", "shopify_draft_order", "--out", tmp_path / "out").code == 2


def test_marketplace_buyers_relay_emails_and_the_customers_left_without_them():
    """A TikTok Shop store: the buyers behind TikTok's relay addresses are counted, and
    leaving the marketplace out is offered only when enough customers bought elsewhere
    (a trial store had 1 customer outside TikTok, and run.py refused the run it suggested)."""
    import numpy as np
    import pandas as pd

    from custseg.ingest.channels import marketplace_summary, marketplace_warning

    channel = np.array(["tiktok", "tiktok", "web", "web", "web", "TikTok", "pos"], dtype=object)
    who = pd.Series(["a", "b", "c", "d", "a", "e", "f"])
    email = pd.Series(["x1@scs3.tiktok.com", "b@mail.example", "c@mail.example", None, "a@mail.example", "Y2@SCS1.TikTok.com ", "f@tiktok.com.example"])
    summary = marketplace_summary(channel, who, email)
    assert summary == {"channels": ["TikTok", "tiktok"], "orders": 3, "customers": 3, "own_customers": 4, "relay_emails": 2}
    (warning,) = marketplace_warning(summary, 7, 3)
    assert warning == ("3 of 7 orders came through marketplaces (TikTok, tiktok): their buyers are the marketplace's customers, and its terms may not let you email them;"
                       " 2 customers have a relay address from the marketplace instead of their own email; to segment only the 4 customers who bought outside them, add --exclude-channel TikTok")
    # a trial's store sold through Nordstrom and TikTok: the count needs both left out
    two = marketplace_warning({**summary, "channels": ["Nordstrom", "TikTok Shop", "tiktok shop"]}, 7, 3)[0]
    assert two.endswith("add --exclude-channel Nordstrom --exclude-channel \"TikTok Shop\"")
    assert "only 4 customers bought outside them, too few to segment" in marketplace_warning(summary, 7, 5)[0]
    assert marketplace_summary(np.array(["web", "pos"], dtype=object), pd.Series(["a", "b"]), None) is None


def test_postage_fees_and_adjustments_are_not_purchases(tmp_path):
    """Lines of postage (POST), bank charges and the like are not what a customer bought: out
    of spend, and an invoice of nothing else is no order (a customer with only such invoices
    is no customer). Every line is still counted, by reason."""
    rows = [
        ("c1", "A1", "2024-01-05", "85123A", 2, "10.00"),
        ("c1", "A1", "2024-01-05", "POST", 1, "18.00"),
        ("c2", "A2", "2024-01-06", "22423", 1, "12.50"),
        ("c2", "A3", "2024-02-06", "post ", 1, "18.00"),
        ("c3", "A4", "2024-01-07", "BANK CHARGES", 1, "15.00"),
        ("c4", "A5", "2024-01-08", "22423", 1, "5.00"),
        ("c4", "A6", "2024-03-08", "22423", 1, "5.00"),
    ]
    lines = ["CustomerID,InvoiceNo,InvoiceDate,StockCode,Quantity,UnitPrice"] + [",".join(str(c) for c in r) for r in rows]
    ds = load([write(tmp_path, "log.csv", "\n".join(lines) + "\n")])
    assert ds.mapping["product"] == "StockCode"
    assert ds.dropped == {"non_product_line": 3} and ds.dropped_orders == {"non_product_line": 2}
    assert ds.kept_rows + sum(ds.dropped.values()) == len(rows)
    assert ds.dropped_value["non_product_line"] == pytest.approx(51.0)
    tx = ds.transactions
    assert tx["amount"].sum() == pytest.approx(20 + 12.5 + 5 + 5)
    assert tx["customer_id"].nunique() == 3 and len(tx) == 4  # c3 bought nothing; c2 bought once
    assert any("POST 2" in n and "BANK CHARGES 1" in n and "2 invoices held nothing else" in n for n in ds.notes)


def test_a_logs_zero_amount_rows_are_kept_and_said(tmp_path):
    """A transaction log keeps 0.00 rows as purchases (the contract); a trial on CDNOW found
    eight of them counted under 'No rows were left out' with nothing saying so."""
    lines = ["customer_id,date,amount"] + [f"{i % 9},2024-01-{1 + i % 28:02d},{0 if i in (3, 11) else i + 1}.00" for i in range(40)]
    ds = load([write(tmp_path, "log.csv", "\n".join(lines) + "\n")])
    assert ds.kept_rows == 40 and ds.dropped == {}
    assert [n for n in ds.notes if "0.00" in n] == ["2 rows have an amount of 0.00 (a free item, a replacement or a sample?): kept as purchases on their day, adding nothing to spend"]


def test_shopify_revenue_note_names_the_shipping_and_taxes_it_includes(cli):
    """Revenue is each order's Total, shipping and taxes included; Shopify's Net sales leaves
    them out. The note gives both sums over the kept orders, as a reading by hand adds them."""
    from tests import reference

    path = EXAMPLES / "shopify_orders_export.csv"
    out = cli("profile", path, "--json").json()
    exp = reference.shopify_orders(str(path))
    assert out["mapping"]["shipping"] == "Shipping" and out["mapping"]["taxes"] == "Taxes"
    (note,) = [n for n in out["notes"] if n.startswith("revenue counts each order's Total")]
    assert note == (f"revenue counts each order's Total, which includes Shipping ({exp.shipping:,.2f} USD) and Taxes ({exp.taxes:,.2f} USD) on the kept orders: "
                    "a net-sales report that leaves them out (Shopify's Net sales) shows less than this revenue")
    assert exp.shipping > 0 and exp.taxes > 0


_SAME_DAY_HEADER = "Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Total,Created at,Lineitem quantity,Lineitem name,Refunded Amount,Cancelled at,Payment Method,Source\n"


def _same_day_row(name: str, email: str, when: str, consent: str) -> str:
    return f"{name},{email},paid,{when},{consent},USD,40.00,{when},1,Hat,0.00,,Shopify Payments,web\n"


@pytest.mark.parametrize("newest_first", [True, False])
def test_consent_comes_from_the_latest_order_of_the_last_day(tmp_path, newest_first):
    """A customer who ordered twice on their last purchase day gave the later order's answer
    to Accepts Marketing: an audit found 5 buyers whose later order that day said "no" in the
    CRM files as consenting (#5073 at 10:22 after #5071 at 09:46), and 2 the other way,
    because the last row of the day was taken and Shopify lists newest first. The later time
    wins whatever the rows' order; orders of one second go by the order number; a time given
    with another offset is compared in UTC."""
    orders = [
        _same_day_row("#5070", "ann@shop.example", "2023-01-10 08:00:00 -0800", "yes"),
        _same_day_row("#5071", "ann@shop.example", "2023-01-13 09:46:57 -0800", "yes"),
        _same_day_row("#5073", "ann@shop.example", "2023-01-13 10:22:17 -0800", "no"),
        _same_day_row("#6459", "bo@shop.example", "2023-06-18 16:42:48 -0700", "no"),
        _same_day_row("#6460", "bo@shop.example", "2023-06-18 16:48:29 -0700", "yes"),
        _same_day_row("#7001", "cy@shop.example", "2023-07-01 11:00:00 -0400", "no"),
        _same_day_row("#7002", "cy@shop.example", "2023-07-01 11:00:00 -0400", "yes"),  # the same second: the later number
        _same_day_row("#7100", "dee@shop.example", "2023-07-02 09:30:00 -0400", "yes"),  # 13:30 UTC
        _same_day_row("#7101", "dee@shop.example", "2023-07-02 07:00:00 -0700", "no"),  # 14:00 UTC: later, though its clock says 07:00
        _same_day_row("#7200", "eve@shop.example", "2023-07-03 11:05:00 -0400", "no"),
        _same_day_row("#7201", "eve@shop.example", "2023-07-03 10:59:00 -0400", "yes"),  # a later number, an earlier time: the time wins
    ]
    if newest_first:  # as Shopify writes them
        orders = orders[::-1]
    ds = load([write(tmp_path, "orders_export.csv", _SAME_DAY_HEADER + "".join(orders))])
    consent = dict(zip(ds.contacts["email"], ds.contacts["consent"].astype(object)))
    assert consent == {"ann@shop.example": False, "bo@shop.example": True, "cy@shop.example": True, "dee@shop.example": False, "eve@shop.example": False}


def test_consent_of_same_day_orders_without_a_time_goes_by_the_order_number(tmp_path):
    """Dates without a time of day: the later order number of the day is the later order,
    whichever row comes first; keys with no number fall back to the later row."""
    rows = [
        "#12,ann@shop.example,paid,2023-01-13,no,USD,40.00,2023-01-13,1,Hat,0.00,,Shopify Payments,web\n",
        "#9,ann@shop.example,paid,2023-01-13,yes,USD,40.00,2023-01-13,1,Hat,0.00,,Shopify Payments,web\n",
        "#8,ann@shop.example,paid,2023-01-12,yes,USD,40.00,2023-01-12,1,Hat,0.00,,Shopify Payments,web\n",
    ]
    ds = load([write(tmp_path, "orders_export.csv", _SAME_DAY_HEADER + "".join(rows))])
    assert dict(zip(ds.contacts["email"], ds.contacts["consent"].astype(object))) == {"ann@shop.example": False}
    ds = load([write(tmp_path, "orders_export.csv", _SAME_DAY_HEADER + "".join(rows[1::-1] + rows[2:]))])
    assert dict(zip(ds.contacts["email"], ds.contacts["consent"].astype(object))) == {"ann@shop.example": False}
