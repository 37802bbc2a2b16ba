"""A deliberately plain, row-by-row reading of DESIGN.md's Definitions.

The product reads exports with vectorized pandas/pyarrow code; these functions read
the same files with the csv module and loops, so tests can pin the product's figures
against an independent computation instead of against itself.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Expected:
    rows: int = 0
    customers: int = 0
    orders: int = 0
    revenue: float = 0.0
    dropped: Counter = field(default_factory=Counter)
    identities: set = field(default_factory=set)
    kept: list = field(default_factory=list)  # order exports: (sales channel, identity) per kept order
    shipping: float = 0.0  # Shopify: the kept orders' Shipping and Taxes (inside their Total)
    taxes: float = 0.0
    bought: dict = field(default_factory=dict)  # Shopify: Lineitem name -> identities with a kept order naming it


def _email(v: str) -> str | None:
    v = (v or "").strip().lower()
    return v if "@" in v else None


def _phone(v: str) -> str | None:
    v = (v or "").strip()
    digits = re.sub(r"[^\d+]", "", v)
    digits = digits[:1] + digits[1:].replace("+", "")
    return digits if sum(ch.isdigit() for ch in digits) >= 6 else None


def _num(v: str) -> float:
    return float(v) if v and v.strip() else 0.0


def shopify_orders(*paths: str, include_unpaid: bool = False) -> Expected:
    exp = Expected()
    seen_in_file: dict[str, int] = {}
    orders: dict[str, dict] = {}
    order_rows: Counter = Counter()
    lines: dict[str, list[str]] = {}
    for n, path in enumerate(paths):
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                exp.rows += 1
                name = row["Name"]
                first = seen_in_file.setdefault(name, n)
                if first != n:
                    exp.dropped["duplicate"] += 1
                    continue
                order_rows[name] += 1
                if row.get("Lineitem name", "").strip():
                    lines.setdefault(name, []).append(row["Lineitem name"].strip())
                if name not in orders or (not orders[name].get("Financial Status") and row.get("Financial Status")):
                    merged = dict(orders.get(name, {}))
                    for k, v in row.items():
                        if v and not merged.get(k):
                            merged[k] = v
                    orders[name] = merged
                else:
                    for k, v in row.items():
                        if v and not orders[name].get(k):
                            orders[name][k] = v
    for name, o in orders.items():
        status = (o.get("Financial Status") or "").strip().lower()
        net = _num(o.get("Total")) - _num(o.get("Refunded Amount"))
        ident = _email(o.get("Email"))
        if ident is None:
            for col in ("Phone", "Billing Phone", "Shipping Phone"):
                ident = _phone(o.get(col, ""))
                if ident:
                    ident = "p" + ident
                    break
        gateway = o.get("Payment Method", "") or ""
        if re.search(r"(?i)\bbogus\b|\(for testing\)", gateway):
            reason = "test"
        elif o.get("Cancelled at"):
            reason = "cancelled"
        elif status == "refunded":
            reason = "refunded"
        elif status == "voided":
            reason = "voided"
        elif status in ("pending", "authorized", "partially_paid") and not include_unpaid:
            reason = "unpaid"
        elif status not in ("paid", "partially_refunded", "pending", "authorized", "partially_paid"):
            reason = status or "no_status"
        elif net <= 0:
            reason = "zero_value"
        elif ident is None:
            reason = "no_identity"
        else:
            reason = ""
        if reason:
            exp.dropped[reason] += order_rows[name]
            continue
        exp.orders += 1
        exp.revenue += net
        exp.shipping += _num(o.get("Shipping"))
        exp.taxes += _num(o.get("Taxes"))
        exp.identities.add(ident)
        exp.kept.append(((o.get("Source") or "").strip(), ident))
        for line in lines.get(name, []):
            exp.bought.setdefault(line, set()).add(ident)
    exp.customers = len(exp.identities)
    return exp


def stripe_payments(path: str) -> Expected:
    exp = Expected()
    seen = set()
    kept = []  # (identity, created, a later part of a purchase paid in parts) per kept payment
    names = {"requires_payment_method": "incomplete", "requires_confirmation": "incomplete", "requires_action": "incomplete", "refunded": "refunded", "failed": "failed", "canceled": "cancelled", "pending": "unpaid"}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            exp.rows += 1
            cid = row["id"]
            if cid and cid in seen:
                exp.dropped["duplicate"] += 1
                continue
            seen.add(cid)
            status = row["Status"].strip().lower()
            if row.get("Converted Amount"):
                net = _num(row["Converted Amount"]) - _num(row.get("Converted Amount Refunded"))
            else:
                net = _num(row["Amount"]) - _num(row.get("Amount Refunded"))
            ident = _email(row.get("Customer Email")) or (row.get("Customer ID") or "").strip() or None
            if status not in ("paid", "succeeded"):
                reason = names.get(status, status)
            elif net <= 0:
                reason = "zero_value"
            elif ident is None:
                reason = "no_identity"
            else:
                reason = ""
            if reason:
                exp.dropped[reason] += 1
                continue
            exp.revenue += net
            exp.identities.add(ident)
            kept.append((ident, row.get("Created date (UTC)") or row.get("Created (UTC)") or "", _later_part(row.get("Description") or "")))
    # One purchase paid in parts is one order: a later part joins the customer's earlier payment
    # (their first payment in the export starts a purchase, whatever it says).
    first = {}
    for ident, when, later in sorted(kept, key=lambda k: k[1]):
        exp.orders += 0 if later and ident in first else 1
        first.setdefault(ident, when)
    exp.customers = len(exp.identities)
    return exp


def _later_part(description: str) -> bool:
    """'Payment 2 of 3' (a part after the first) or the 'balance' after a deposit."""
    words = description.lower().replace("/", " of ").split()
    for i, w in enumerate(words[:-3]):
        if w in ("payment", "installment", "instalment") and words[i + 1].lstrip("#").isdigit() and words[i + 2] == "of":
            return int(words[i + 1].lstrip("#")) > 1
    return "balance" in words


def cdnow_log(path: str) -> Expected:
    """Whitespace-aligned CDNOW: customer, [sample id,] YYYYMMDD, quantity, amount; header optional."""
    exp = Expected()
    with open(path, encoding="ascii") as fh:
        for line in fh:
            parts = line.split()
            if not parts or not parts[-1][:1].isdigit():  # blank line or header
                continue
            exp.rows += 1
            exp.orders += 1
            exp.revenue += float(parts[-1])
            exp.identities.add(parts[0])
    exp.customers = len(exp.identities)
    return exp
