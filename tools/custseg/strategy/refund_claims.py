"""Refund figures read as something they are not, in any text of a plan.

A skill trial on a real Shopify export passed '{...sleeping.refunds.orders_refunded_share} of
Sleeping customers asked for a refund' and '... of them returned an order' (a share of the
segment's orders read as a share of its customers), and 'They returned {...orders_refunded_share}
of their orders' (the export records money paid back, a refund, not goods that came back).
orders_refunded_share is the share of a segment's orders refunded in full or in part;
refunded_value_share the share of what they were charged that was paid back (the reading of
either as a share of the other base is claims.share_of_wrong_base's). A sentence that cites a
refund figure and says goods were returned or sent back is refused unless it says refunds
('refunded', 'a refund', 'paid back'). Standard library only.
"""

from __future__ import annotations

import re

from custseg.strategy.cited_claims import _told_in, bare_text
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER
from custseg.strategy.unrecorded import REFUND_FACT

_PEOPLE = r"(?:customers|buyers|users|clients|shoppers|members|subscribers|accounts|payers|people|shops|stores|retailers|stockists)"
# '{...orders_refunded_share} of Sleeping customers', '... of them returned an order', '... of these asked for a refund'
_OF_CUSTOMERS = re.compile(
    rf"\s+of\s+(?:(?:(?:our|the|all|your|its|their|these|those|this\s+segment's)\s+)*(?:(?!(?:orders?|purchases?|what)\b)[\w'-]+\s+){{0,3}}?{_PEOPLE}\b(?!['’])"
    r"|(?:them|these|those)\s+(?:have\s+|has\s+|had\s+)?(?:asked|requested|returned|sent|got|received|wanted|claimed|demanded|sought|came\s+back|complained)\b)",
    re.IGNORECASE,
)
# Goods coming back, which the export does not record: 'returned', 'sent back', 'serial returners'
_GOODS_BACK = re.compile(
    r"\b(?:return|returns|returned|returning|returners?|send(?:s|ing)?\s+(?:\w+\s+)?back|sent\s+(?:\w+\s+)?back|bring(?:s|ing)?\s+(?:\w+\s+)?back|brought\s+(?:\w+\s+)?back)\b",
    re.IGNORECASE,
)
# Said as refunds: money paid back, which is what the figure counts
_AS_REFUNDS = re.compile(r"\b(?:refund\w*|paid\s+back|pay\s+back|money\s+back|reimburs\w*)\b", re.IGNORECASE)


def _sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a text (start, end); a fact reference's dots end none."""
    masked = PLACEHOLDER.sub(lambda m: "#" * len(m.group(0)), text)
    return [m.span() for m in re.finditer(r"[^.!?;]+(?:[.!?;]+|$)", masked) if m.group(0).strip()]


def refund_misreadings(path: str, text: str, keys: dict, told: list[str] = ()) -> list[Problem]:
    """'{...orders_refunded_share} of Sleeping customers asked for a refund' (a share of orders
    read as one of customers), and 'returned' or 'sent back' beside a refund figure not said as
    refunds: one problem a sentence, none in one whose claim was refused already (``told``:
    those problems' messages, 'return most of their orders' held to the share)."""
    if not isinstance(text, str) or "refund" not in text:
        return []
    cited = [(m, m.group(1)) for m in PLACEHOLDER.finditer(text) if REFUND_FACT.search(m.group(1)) and m.group(1) in keys]
    out = []
    for start, end in _sentences(text):
        here = [(m, key) for m, key in cited if start <= m.start() < end]
        if not here or _told_in(bare_text(text), len(bare_text(text[:start])), told):
            continue
        people = next(((m, key, said) for m, key in here if key.endswith(".orders_refunded_share") and (said := _OF_CUSTOMERS.match(text, m.end()))), None)
        if people:
            m, key, said = people
            out.append(Problem(path, "fact_unit_mismatch", (
                f"{{{key}}} is the share of their orders refunded in full or in part, but '{said.group(0).strip()}' reads it as a share of the customers: "
                f"say '{{{key}}} of their orders were refunded in full or in part' (the facts do not count the customers who had a refund)")))
            continue
        words = PLACEHOLDER.sub(lambda x: " " * len(x.group(0)), text[start:end])
        back = _GOODS_BACK.search(words)
        if back and not _AS_REFUNDS.search(words):
            out.append(Problem(path, "claim_not_in_data", (
                f"'{back.group(0)}' beside {{{here[0][1]}}}: the export records money paid back (a refund, in full or in part), not whether goods were returned or sent back: "
                "say it as refunds ('of their orders were refunded in full or in part')")))
    return out
