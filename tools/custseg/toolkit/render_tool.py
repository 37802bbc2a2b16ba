"""The ``render`` tool: the report with a strategy document, its fact references filled in.

The document is validated first and refused with its problems when it has any (exit
status 1, nothing written). Then every ``{fact.key}`` is resolved from facts.json (by a
resolver over the fact keys, never by a template engine) and report.md and report.html
are written with the charts already in the facts' folder.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from dataclasses import dataclass, field

from custseg.errors import InputError
from custseg.strategy.channel_names import refuse_bad_names
from custseg.strategy.resolve import resolve_document
from custseg.strategy.validate import Problem, covered_segments, validate
from custseg.toolkit.check import DEFAULT_FACTS, EXIT_OK, EXIT_PROBLEMS, answers_path, load_answers, load_facts, load_json, problem_lines
from custseg.toolkit.spec import Tool, param

CHARTS_DIR = "charts"
_CHART_LINK = re.compile(r"!\[([^\]\n]*)\]\(" + CHARTS_DIR + r"/([^)\s/]+\.png)\)")


@dataclass
class RenderParams:
    facts: str = param("facts.json written by run", default=DEFAULT_FACTS, metavar="FACTS")
    strategy: str | None = param("strategy document (JSON) to put in the report, checked first; without it the report shows the default playbook", default=None, metavar="STRATEGY")
    out: str | None = param("folder to write report.md and report.html into (default: the folder of --facts)", default=None, metavar="DIR")
    answers: str | None = param("the user's intake answers (answers.json), which the strategy's budget and its verdicts on the user's hunches are checked against, whose Warnings answer the report shows beside the warnings it settles, and whose Channel names (channel -> the name the user gave it) it shows beside the channels (default: answers.json beside STRATEGY, when there is one)", default=None, metavar="FILE")


@dataclass
class RenderResult:
    out: str | None
    files: list[str]
    strategy: str | None
    valid: bool
    segments: list[str]  # segment keys with a tailored strategy
    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_OK  # 1 when the strategy has problems and nothing was written


def existing_charts(folder: str) -> list[dict]:
    """The PNGs in ``folder/charts``, in the order and with the titles of the report already there."""
    charts_dir = os.path.join(folder, CHARTS_DIR)
    if not os.path.isdir(charts_dir):
        return []
    files = sorted(f for f in os.listdir(charts_dir) if f.endswith(".png") and os.path.isfile(os.path.join(charts_dir, f)))
    titles: dict[str, str] = {}
    report = os.path.join(folder, "report.md")
    if os.path.isfile(report):
        with open(report, encoding="utf-8") as fh:
            for title, file in _CHART_LINK.findall(fh.read()):
                titles.setdefault(file, title)
    ordered = [f for f in titles if f in files] + [f for f in files if f not in titles]
    return [{"file": f, "title": titles.get(f) or f[: -len(".png")].replace("_", " ").capitalize()} for f in ordered]


def render(params: RenderParams) -> RenderResult:
    from custseg.render.report import render_report

    facts = load_facts(params.facts)
    doc = None
    answers = load_answers(answers_path(params.answers, params.strategy) if params.strategy else params.answers)
    if params.strategy:
        doc = load_json(params.strategy, "strategy file")
        problems = validate(doc, facts, answers=answers)
        if problems:
            return RenderResult(None, [], params.strategy, False, covered_segments(doc), problems, EXIT_PROBLEMS)
    else:  # no plan to check: the names the report shows beside the channels are checked alone
        refuse_bad_names(answers, facts, params.answers)
    source = os.path.dirname(os.path.abspath(params.facts))
    out = os.path.abspath(params.out) if params.out else source
    if os.path.isfile(out):
        raise InputError(out, "--out must be a folder, and this is a file")
    charts = existing_charts(source)
    if charts and out != source:
        os.makedirs(os.path.join(out, CHARTS_DIR), exist_ok=True)
        for c in charts:
            shutil.copyfile(os.path.join(source, CHARTS_DIR, c["file"]), os.path.join(out, CHARTS_DIR, c["file"]))
    renamed = _with_display_names(facts, doc)
    redrawn = _redrawn(renamed, source, out) if charts and renamed is not None else None
    charts = redrawn or charts
    resolved = resolve_document(doc, facts) if doc is not None else None
    files = render_report(facts, out, charts=charts, strategy=resolved, answers=answers)
    files += [f"{CHARTS_DIR}/{c['file']}" for c in redrawn or []]  # drawn again with the plan's names
    return RenderResult(out, files, params.strategy, True, covered_segments(doc), [], EXIT_OK)


def _with_display_names(facts: dict, doc: dict | None) -> dict | None:
    """The facts with the plan's display names for its segments ('Gone Quiet' for Inactive),
    so the charts say what the report says; None when the plan renames none."""
    if not isinstance(doc, dict) or not isinstance(doc.get("segments"), dict):
        return None
    kind = doc.get("segmentation") or "rfm"
    seg = (facts.get("segmentations") or {}).get(kind)
    names = {k: s["display_name"].strip() for k, s in doc["segments"].items() if isinstance(s, dict) and isinstance(s.get("display_name"), str) and s["display_name"].strip()}
    names = {k: n for k, n in names.items() if seg and k in seg.get("segments", {}) and seg["segments"][k].get("name") != n}
    if not names:
        return None
    renamed = copy.deepcopy(facts)
    for key, name in names.items():
        renamed["segmentations"][kind]["segments"][key]["name"] = name
    return renamed


def _redrawn(facts: dict, source: str, out: str) -> list[dict] | None:
    """The run's charts drawn again from its customers.csv with these facts' names; None
    (the run's charts stay) where matplotlib or customers.csv is missing."""
    path = os.path.join(source, "customers.csv")
    try:
        import pandas as pd

        from custseg.render.charts import render_charts
    except ImportError:
        return None
    if not os.path.isfile(path):
        return None
    customers = pd.read_csv(path, dtype={"customer_id": str, "segment": str})
    return [{"file": c.file, "title": c.title} for c in render_charts(facts, customers, os.path.join(out, CHARTS_DIR))]


def render_text(r: RenderResult) -> str:
    if not r.valid:
        noun = "problem" if len(r.problems) == 1 else "problems"
        return "\n".join([f"Not rendered: {r.strategy} has {len(r.problems)} {noun} (fix each; check shows the same):", *problem_lines(r.problems)])
    what = f"with the strategy from {r.strategy} (segments: {', '.join(r.segments)}; every fact reference filled from facts.json)" if r.strategy else "with the default playbook (no strategy given)"
    reports = [f for f in r.files if not f.startswith(CHARTS_DIR + "/")]
    charts = len(r.files) - len(reports)
    drawn = f", and drew {charts} {'chart' if charts == 1 else 'charts'} again with the plan's segment names" if charts else ""
    return f"Wrote {' and '.join(reports)} to {r.out} {what}{drawn}."


RENDER = Tool(
    name="render",
    summary="Write report.md and report.html from facts.json and a strategy document, after checking it; fact references are filled in from the facts.",
    params=RenderParams,
    result=RenderResult,
    run=render,
    render_text=render_text,
    description="Checks the strategy document as check does and refuses it with its problems if it has any. "
    "Then replaces every {fact.key} in its text with the formatted fact (model text is data: it is never run "
    "as a template) and writes report.md and report.html with the full strategy (personas, targeting matrix, "
    "migration pathways, roadmap, KPIs, automation rules) and the charts of the run.",
)
