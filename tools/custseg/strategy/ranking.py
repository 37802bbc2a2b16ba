"""Which segments are better: the ranking pathways climb, and the quiet segments (dormant,
lapsed, at risk) customers should leave. Standard library only."""

from __future__ import annotations


DORMANT_WORDS = ("dormant", "lapsed", "hibernat", "lost", "inactive", "churn", "sleep", "asleep")
# Segments customers should leave, besides the dormant kind and the bottom of the ranking.
AT_RISK_WORDS = ("risk", "lapsing")


def _is_dormant(key: str, name: str = "") -> bool:
    text = f"{key} {name}".lower()
    return any(w in text for w in DORMANT_WORDS)


def is_quiet(key: str, name: str = "") -> bool:
    """A segment of customers who went quiet: dormant, lapsed or at risk, by its key or name."""
    return _is_dormant(key, name) or any(w in f"{key} {name}".lower() for w in AT_RISK_WORDS)


def _ranking(segmentation: str, order: list[str]) -> list[str]:
    """The segments best first. Facts list lifecycle stages in time order (onboarding first,
    then lapsed and, with a CRM's status, churned), where moving on a stage is the aim:
    mature ranks first, then the younger stages, lapsed, and churned last."""
    if segmentation != "lifecycle":
        return order
    ended = ("lapsed", "churned")
    stages = [k for k in order if k not in ended]
    return stages[::-1] + [k for k in ended if k in order]


def _losing(key: str, order: list[str], fact_segments: dict) -> bool:
    """A segment customers should leave: the bottom of the ranking (facts order: best first),
    or a dormant, lapsed or at-risk kind below the top."""
    if key not in order or order.index(key) == 0:
        return False
    name = str((fact_segments.get(key) or {}).get("name") or "")
    return key == order[-1] or is_quiet(key, name)
