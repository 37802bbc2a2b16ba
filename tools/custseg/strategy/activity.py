"""Plans on an event log's activity: purchase metrics in a plan on usage groups, and activity
figures told in words of buying. Standard library only."""

from __future__ import annotations

import re
from typing import Any

from custseg.strategy.document import IDENTIFIERS, _items, iter_strings
from custseg.strategy.metrics import PURCHASE_METRICS, _activity
from custseg.strategy.problems import Problem
from custseg.strategy.resolve import PLACEHOLDER


# The usage measure that takes a purchase metric's place in a plan on usage groups.
USAGE_INSTEAD = {"recency_days": "days_since_active", "r_score": "days_since_active", "tenure_days": "days_since_active"}
USAGE_WORDS = {"days_since_active": "days since the last event", "active_days_30": "active days in the last 30"}


def _usage_plan(keys: dict[str, Any], segmentation: str) -> bool:
    """A plan on usage groups: the behavioral segments of an event log."""
    return segmentation == "behavioral" and _activity(keys, segmentation)


def _purchase_metrics_on_usage(doc: dict, kpis: list, segmentation: str) -> list[Problem]:
    """Usage groups are told apart by activity; purchase columns are empty for users who never bought."""
    named = [(f"pathways[{i}].{part}.metric", p[part].get("metric"), None) for i, p in _items(doc, "pathways") for part in ("trigger", "success_metric") if isinstance(p.get(part), dict)]
    named += [(f"kpis[{i}].metric", k.get("metric"), k.get("segment")) for i, k in enumerate(kpis) if isinstance(k, dict)]
    out = []
    for path, metric, segment in named:
        if metric not in PURCHASE_METRICS:
            continue
        instead = USAGE_INSTEAD.get(metric, "active_days_30")
        baseline = f", with the baseline {{segmentations.{segmentation}.segments.{segment}.{instead}}}" if isinstance(segment, str) else ""
        out.append(Problem(path, "purchase_metric_in_usage_plan", f"{metric} counts purchases, but this plan acts on usage groups, and users who never bought have none; use {instead} ({USAGE_WORDS[instead]}){baseline}"))
    return out


# On an event log's activity segmentations (basis "activity": usage groups, and lifecycle and
# health built on events), these facts count any event, not purchases: what each measures.
_ACTIVITY_AS_BUYING = {
    "avg_purchase_days": "active days (days with any event)",
    "active_days_30": "active days (days with any event) in the last 30",
    "repeat_rate": "the share active on more than one day",
    "next_repeat_rate": "the share active again in the next period",
    "median_recency_days": "days since the last event of any kind",
    "days_since_active": "days since the last event of any kind",
    "median_gap_days": "days between active days",
}
_BUYING_WORDS = re.compile(r"\b(?:b(?:uy|ought|uying|uys|uyers?)|purchas\w*|spen[dt]\w*|order(?:s|ed|ing)?|shopp(?:ed|ing|ers?))\b", re.IGNORECASE)
# A plan on activity speaks of it throughout: a buying word anywhere in the sentence of an
# activity figure is said of it. A plan on purchases may cite an activity figure beside its
# buying words ('active on {...active_days_30} days, they are the likeliest to buy'): only
# the clause of the figure is read.
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_CLAUSES = re.compile(r"(?<=[.!?])\s+|[,;:()\u2014\u2013]|\s-\s")


def _buying_words_on_activity(doc: dict, keys: dict[str, Any], activity_plan: bool) -> list[Problem]:
    """A sentence that cites an activity figure in words of buying ("they bought on
    {...active_days_30} of the last month", "{...repeat_rate} of them are repeat buyers", "their
    last order was {...days_since_active} ago") tells the user something the data does not say."""
    counted = [s for s in {k.split(".")[1] for k in keys if k.startswith("segmentations.")} if _activity(keys, s)]
    if not counted:
        return []
    cited = re.compile(rf"\{{segmentations\.(?:{'|'.join(map(re.escape, counted))})\.segments\.\w+\.({'|'.join(_ACTIVITY_AS_BUYING)})\}}")
    parts = _SENTENCES if activity_plan else _CLAUSES
    out = []
    for path, name, text in iter_strings(doc):
        if name in IDENTIFIERS:
            continue
        for part in parts.split(text):
            fact, words = cited.search(part), _BUYING_WORDS.search(PLACEHOLDER.sub(" ", part))
            if fact and words:
                out.append(Problem(path, "buying_words_on_activity", f"'{words.group(0)}' speaks of buying, but {fact.group(0)} measures {_ACTIVITY_AS_BUYING[fact.group(1)]}, not purchases; say 'active' instead ('active on', 'last active', 'active again')"))
                break
    return out
