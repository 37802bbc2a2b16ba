"""The ``rules`` tool: show the RFM rule table (built-in or a user's file) as data."""

from __future__ import annotations

from dataclasses import dataclass

from custseg.compute.rules import BUILT_IN, load_rules
from custseg.compute.scoring import FREQUENCY_BANDS, RECENCY_BANDS
from custseg.toolkit.spec import Tool, param


@dataclass
class RulesParams:
    rules: str | None = param("a JSON rule table to check and show instead of the built-in ones", default=None, metavar="FILE")


@dataclass
class RulesResult:
    name: str
    description: str
    segments: list[dict]
    recovery_tables: dict[str, dict]
    fixed_bands: dict[str, list[dict]]


def rules(params: RulesParams) -> RulesResult:
    table = load_rules(params.rules) if params.rules else BUILT_IN["default"]
    doc = table.to_dict()
    recovery = {name: t.to_dict() for name, t in BUILT_IN.items() if name != "default"} if not params.rules else {}
    bands = {
        "recency_days": [{"score": s, "min": lo, "max": hi} for s, lo, hi in RECENCY_BANDS],
        "frequency_purchase_days": [{"score": s, "min": lo, "max": hi} for s, lo, hi in FREQUENCY_BANDS],
    }
    return RulesResult(doc["name"], doc["description"], doc["segments"], recovery, bands)


def render_text(r: RulesResult) -> str:
    lines = [r.description, "First rule that fits wins; scores run 1 (worst) to 5 (best).", ""]
    width = max(len(s["name"]) for t in [r.segments, *[t["segments"] for t in r.recovery_tables.values()]] for s in t)
    for i, s in enumerate(r.segments, 1):
        lines.append(f"{i}. {s['name'].ljust(width)}  {s['plain']}")
        if s["description"]:
            lines.append(f"   {' ' * width}  {s['description']}")
    for name, t in r.recovery_tables.items():
        lines.append("")
        lines.append(f"Used instead when {t['description'][0].lower()}{t['description'][1:]}")
        for s in t["segments"]:
            lines.append(f"   {s['name'].ljust(width)}  {s['plain']}")
    lines.append("")
    lines.append("Fixed scoring bands: recency " + ", ".join(f"{b['score']}: {b['min']}" + (f"-{b['max']}" if b["max"] is not None else "+") + " days" for b in r.fixed_bands["recency_days"]))
    lines.append("                     frequency " + ", ".join(f"{b['score']}: {b['min']}{'-' + str(b['max']) if b['max'] != b['min'] and b['max'] is not None else '+' if b['max'] is None else ''}" for b in r.fixed_bands["frequency_purchase_days"]))
    lines.append("Monetary is scored by quintiles of the data in both methods. To use your own, save this table as JSON (what `segment rules --json` prints, or the skill's `rules.py` without --text), edit it, and pass it to run with --rules FILE.")
    return "\n".join(lines)


RULES = Tool(
    name="rules",
    summary="Show the ordered RFM rule table (first match wins, a catch-all last), or check a rule file of your own.",
    params=RulesParams,
    result=RulesResult,
    run=rules,
    render_text=render_text,
)
