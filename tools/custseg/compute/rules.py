"""Segment rule tables: ordered, first match wins, a catch-all last.

A rule table is data: the seeds' overlapping RFM ranges written down as one ordered
list, so every customer lands in exactly one segment by construction. Users can pass
their own table as JSON (``--rules FILE``) in the same shape as ``segment rules --json``.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field

import numpy as np

from custseg.errors import InputError

DIMENSIONS = ("r", "f", "m")
RULE_FIELDS = {"key", "name", "description", "when"}


@dataclass(frozen=True)
class Rule:
    key: str
    name: str
    description: str
    when: dict[str, list[int]] = field(default_factory=dict)  # dimension -> [min, max], inclusive

    @property
    def catch_all(self) -> bool:
        return not self.when

    def matches(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        n = len(next(iter(scores.values())))
        hit = np.ones(n, dtype=bool)
        for dim, (low, high) in self.when.items():
            hit &= (scores[dim] >= low) & (scores[dim] <= high)
        return hit

    def describe(self, recency_days: dict[int, tuple[int, int | None]] | None = None) -> str:
        """The rule in words; ``recency_days`` (per recency score, the days since the last
        purchase it covers: see recency_days) adds the days, so that a segment on recency
        scores can be told apart from the lifecycle's Lapsed, which counts days."""
        if self.catch_all:
            return "everyone no other rule places (this rule is checked last)"
        names = {"r": "recency", "f": "frequency", "m": "monetary"}
        parts = []
        for dim in DIMENSIONS:
            if dim in self.when:
                low, high = self.when[dim]
                part = f"{names[dim]} {low}" if low == high else f"{names[dim]} {low}-{high}"
                if dim == "r" and recency_days:
                    part += _days_ago(recency_days, low, high)
                parts.append(part)
        return ", ".join(parts)


def recency_days(bands: list[dict]) -> dict[int, tuple[int, int | None]]:
    """Per recency score, the fewest and most days since the last purchase it covers (None:
    no upper end), from the scores' bands in facts.json: fixed bands give min and max days,
    quantile bands 'at_least' and 'below' (whole days, so below 42 is at most 41)."""
    out = {}
    for band in bands:
        if "min" in band:
            low, high = band["min"], band["max"]
        else:
            low, high = band.get("at_least"), (None if band.get("below") is None else math.ceil(band["below"]) - 1)
        out[int(band["score"])] = (math.ceil(low or 0), None if high is None else int(high))
    return out


def _days_ago(days: dict[int, tuple[int, int | None]], low: int, high: int) -> str:
    """' (last purchase 91+ days ago)' for recency scores low-high: the highest score has the
    fewest days. Empty when a score is missing or the range holds no day (equal quantile cuts)."""
    if low not in days or high not in days:
        return ""
    fewest, most = days[high][0], days[low][1]
    if most is None:
        return f" (last purchase {fewest:,}+ days ago)"
    if most < fewest:
        return ""
    return f" (last purchase {fewest:,} days ago)" if most == fewest else f" (last purchase {fewest:,}-{most:,} days ago)"


@dataclass(frozen=True)
class RuleTable:
    name: str  # default | small_base | recency_monetary | user
    description: str
    rules: tuple[Rule, ...]

    @property
    def keys(self) -> list[str]:
        return [r.key for r in self.rules]

    def assign(self, scores: dict[str, np.ndarray]) -> np.ndarray:
        """Index of the first matching rule per customer (the catch-all guarantees one)."""
        n = len(next(iter(scores.values())))
        out = np.full(n, -1, dtype=np.int16)
        for i, rule in enumerate(self.rules):
            free = out < 0
            if not free.any():
                break
            out[free & rule.matches(scores)] = i
        assert (out >= 0).all(), "rule table without a catch-all"
        return out

    def to_dict(self, recency_days: dict[int, tuple[int, int | None]] | None = None) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "segments": [{"key": r.key, "name": r.name, "description": r.description, "when": r.when, "plain": r.describe(recency_days)} for r in self.rules],
        }


def _rule(key: str, name: str, description: str, **when: tuple[int, int]) -> Rule:
    return Rule(key, name, description, {d: list(v) for d, v in when.items()})


# The seeds' RFM table (Champions 5-5-5 to 4-4-4, Loyal 3-4-4 to 2-3-3, At Risk 2-3-3 to 1-2-2,
# Dormant 1-1-1 to 1-2-1, New 5-1-1) overlaps at its edges; in order, first match wins.
# One departure: At Risk keeps recency 2 only. Frequency and spend are lifetime totals that
# never fall, so a rule giving recency 1 to At Risk would hold a repeat buyer there for
# good (on the calendar scale, someone gone five years) and At Risk -> Dormant, a move the
# seeds ask to watch, could never happen. Recency 1 is Dormant, as in seed 002 (111-222).
DEFAULT = RuleTable(
    "default",
    "Six RFM segments in priority order; a customer takes the first rule that fits.",
    (
        _rule("champions", "Champions", "Bought recently, buy often and spend the most.", r=(4, 5), f=(4, 5), m=(4, 5)),
        _rule("loyal", "Loyal", "Buy regularly and are still active, with solid spend.", r=(3, 5), f=(3, 5), m=(2, 5)),
        _rule("new", "New", "First purchase was recent; their potential is still unknown.", r=(4, 5), f=(1, 1)),
        _rule("at_risk", "At Risk", "Bought more than once with solid spend, but have started to go quiet: still within reach of a win-back.", r=(2, 2), f=(2, 5), m=(2, 5)),
        _rule("dormant", "Dormant", "The longest since a purchase (recency 1), or quiet for a while (recency 2) after a single purchase or with low spend.", r=(1, 2)),
        _rule("needs_attention", "Needs Attention", "Active but not yet loyal: few purchases or modest spend."),
    ),
)

# Seed recovery path: under ~50 customers, three groups (the seed's high value, medium value
# and needs attention). Named Best Customers and Core Customers, not High/Medium Value: the
# value tiers (segmentations.value_tiers) are High, Medium and Low Value, and a customer read
# 'Medium Value' and 'Low Value' at once in the CRM files.
SMALL_BASE = RuleTable(
    "small_base",
    "Fewer than 50 customers: three broad groups, since finer segments would hold a handful of customers each.",
    (
        _rule("best_customers", "Best Customers", "Top spenders who bought recently.", r=(3, 5), m=(4, 5)),
        _rule("needs_attention", "Needs Attention", "Have not bought in a while.", r=(1, 2)),
        _rule("core_customers", "Core Customers", "Everyone else: recent customers with moderate spend."),
    ),
)

# Seed recovery path: recency + monetary only when frequency carries no signal.
RECENCY_MONETARY = RuleTable(
    "recency_monetary",
    "Segments use recency and spend only: customers bought about equally often.",
    (
        _rule("recent_high_value", "Recent Big Spenders", "Bought recently and spent the most.", r=(4, 5), m=(4, 5)),
        _rule("recent", "Recent Buyers", "Bought recently with moderate spend.", r=(4, 5)),
        _rule("lapsed_high_value", "Lapsed Big Spenders", "Spent a lot but have started to go quiet: still within reach of a win-back.", r=(2, 2), m=(4, 5)),
        _rule("dormant", "Dormant", "The longest since a purchase (recency 1), or modest spenders who have gone quiet.", r=(1, 2)),
        _rule("needs_attention", "Needs Attention", "In between: neither recent nor lapsed."),
    ),
)

# Without amounts (an event log or a log with no revenue column) every monetary score is the
# same: rules that ask for high spend could never match, and 'spend' would describe nothing.
# The same tables on recency and frequency alone.
def without_monetary(table: RuleTable, name: str | None = None, description: str | None = None, descriptions: dict[str, str] | None = None) -> RuleTable:
    """``table`` with its spend conditions left out (for data without amounts); built-in
    tables give a name and descriptions that do not speak of spend."""
    words = descriptions or {}
    rules = tuple(Rule(r.key, r.name, words.get(r.key, r.description), {d: v for d, v in r.when.items() if d != "m"}) for r in table.rules)
    return RuleTable(name or table.name, description or table.description, rules)


# DEFAULT's ranges without M: its bands stay the one place to change.
RECENCY_FREQUENCY = without_monetary(
    DEFAULT,
    "recency_frequency",
    "Six segments by recency and frequency (the data has no amounts); a customer takes the first rule that fits.",
    {
        "champions": "Bought recently and buy the most often.",
        "loyal": "Buy regularly and are still active.",
        "at_risk": "Bought more than once but have started to go quiet: still within reach of a win-back.",
        "dormant": "The longest since a purchase (recency 1), or one-time buyers who have gone quiet.",
        "needs_attention": "Active but not yet loyal: few purchases.",
    },
)

SMALL_BASE_NO_AMOUNTS = RuleTable(
    "small_base_no_amounts",
    "Fewer than 50 customers and no amounts: three broad groups by recency and frequency.",
    (
        _rule("active_repeat", "Active Repeat Buyers", "Bought recently and more than once.", r=(3, 5), f=(2, 5)),
        _rule("needs_attention", "Needs Attention", "Have not bought in a while.", r=(1, 2)),
        _rule("recent", "Recent Buyers", "Everyone else: bought recently, once or rarely."),
    ),
)

RECENCY_ONLY = RuleTable(
    "recency_only",
    "Segments by recency alone: customers bought about equally often and the data has no amounts.",
    (
        _rule("recent", "Recent Buyers", "Bought recently.", r=(4, 5)),
        _rule("dormant", "Dormant", "The longest since a purchase (recency 1 or 2).", r=(1, 2)),
        _rule("needs_attention", "Needs Attention", "In between: neither recent nor lapsed."),
    ),
)

BUILT_IN = {t.name: t for t in (DEFAULT, SMALL_BASE, RECENCY_MONETARY, RECENCY_FREQUENCY, SMALL_BASE_NO_AMOUNTS, RECENCY_ONLY)}
SMALL_TABLES = {SMALL_BASE.name, SMALL_BASE_NO_AMOUNTS.name}  # a few customers in broad groups: nothing merges
# The table for data without amounts, in place of each built-in that scores spend.
WITHOUT_AMOUNTS = {DEFAULT.name: RECENCY_FREQUENCY, SMALL_BASE.name: SMALL_BASE_NO_AMOUNTS, RECENCY_MONETARY.name: RECENCY_ONLY}


# Value order of segment keys, best first: used to check that next-period behaviour
# falls from the best segment to the worst, and to name upward moves.
RANK = [
    "champions", "best_customers", "active_repeat", "recent_high_value", "loyal", "recent", "core_customers", "new",
    "needs_attention", "lapsed_high_value", "at_risk", "dormant",
]


def rank_of(key: str, table: RuleTable) -> int:
    """Position in RANK; a user's own keys rank by their order in the table."""
    if key in RANK:
        return RANK.index(key)
    return len(RANK) + table.keys.index(key)


def load_rules(path: str) -> RuleTable:
    """A user's rule table from JSON, refused with one clear line when malformed."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise InputError(path, f"rule file cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"rule file is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    items = doc.get("segments") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise InputError(path, 'rule file needs a non-empty "segments" list (the shape the rules tool prints: segment rules --json, or rules.py in the skill)')
    problems: list[str] = []  # every mistake at once: a fix-and-rerun loop per mistake is slow
    rules = [r for r in (_rule(item, i, problems) for i, item in enumerate(items, 1)) if r is not None]
    if problems:
        raise InputError(path, "; ".join(problems))
    keys = [r.key for r in rules]
    if len(set(keys)) != len(keys):
        raise InputError(path, "rule file repeats a segment key")
    if not rules[-1].catch_all:
        rules.append(Rule("needs_attention" if "needs_attention" not in keys else "other", "Needs Attention" if "needs_attention" not in keys else "Other", "Added catch-all: everyone the rules did not place."))
    return RuleTable("user", f"From your rule file, {os.path.basename(path)}; a customer takes the first rule that fits.", tuple(rules))


def _rule(item, i: int, problems: list[str]) -> Rule | None:
    """One entry of a rule file as a Rule, or None with what is wrong added to ``problems``."""
    where = f"segment {i}"
    if not isinstance(item, dict):
        problems.append(f"{where} is not an object")
        return None
    unknown = sorted(set(item) - RULE_FIELDS - {"plain"})
    if unknown:
        problems.append(f"{where} has unknown field {unknown[0]!r}; allowed: key, name, description, when")
    key = item.get("key")
    if not isinstance(key, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
        problems.append(f"{where}: key must be lower-case letters, digits and _ (got {key!r})")
        key = str(key)
    when = item.get("when", {}) or {}
    if not isinstance(when, dict):
        problems.append(f"{where} ({key}): when must be an object like {{\"r\": [4, 5]}}")
        return None
    bad = sorted(set(when) - set(DIMENSIONS))
    if bad:
        problems.append(f"{where} ({key}) has unknown field {bad[0]!r} in when; allowed: r, f, m")
    parsed = {}
    for dim, rng in when.items():
        if dim not in DIMENSIONS:
            continue
        if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(x, int) and 1 <= x <= 5 for x in rng) and rng[0] <= rng[1]):
            problems.append(f"{where} ({key}): {dim} must be [min, max] with scores 1-5")
            continue
        parsed[dim] = list(rng)
    return Rule(key, str(item.get("name") or key.replace("_", " ").title()), str(item.get("description") or ""), parsed)
