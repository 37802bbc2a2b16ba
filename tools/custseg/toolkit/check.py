"""The ``check`` tool: validate a strategy document against the facts of a run.

Exit status (through the result's ``exit_code``): 0 when the document is valid, 1 when it
has problems (each printed on its own line, with its path and code), 2 when a file
cannot be read (missing, not JSON: an InputError, one line on stderr).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Literal

from custseg.errors import InputError
from custseg.strategy.validate import Problem, covered_segments, validate
from custseg.toolkit.spec import Tool, param

DEFAULT_FACTS = os.path.join("segment-output", "facts.json")
EXIT_OK = 0
EXIT_PROBLEMS = 1


def load_json(path: str, what: str) -> Any:
    """A JSON file, or an InputError naming the file and what is wrong with it."""
    if not os.path.exists(path):
        raise InputError(path, f"{what} not found")
    if os.path.isdir(path):
        raise InputError(path, f"{what} must be a file, and this is a folder")
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"{what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except UnicodeDecodeError:
        raise InputError(path, f"{what} is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None


def load_facts(path: str) -> dict:
    facts = load_json(path, "facts file")
    if not isinstance(facts, dict) or not isinstance(facts.get("segmentations"), dict):
        raise InputError(path, "not a facts.json written by run (run.py, or segment run: it has no segmentations)")
    return facts


@dataclass
class CheckParams:
    strategy: str = param("the strategy document (JSON) a model or a person wrote", positional=True, metavar="STRATEGY")
    facts: str = param("facts.json of the run the strategy is written for", default=DEFAULT_FACTS, metavar="FACTS")
    stage: Literal["strategy", "final"] = param("strategy: a phase-3 draft (roadmap, KPIs, review schedule and automation rules may be missing); final: the whole plan, as render needs it", default="final")
    answers: str | None = param("the user's intake answers (answers.json): the plan's budget may not be more than the one they gave, the whole plan checks the hunches they gave, and its Channel names must name the facts' channels with short labels (default: answers.json beside STRATEGY, when there is one)", default=None, metavar="FILE")
    preview: bool = param("also print the document with every fact reference filled in: segments, targeting matrix, pathways, the verdicts on the user's hunches and, once written, roadmap and KPIs (to present it in words)", default=False)


@dataclass
class CheckResult:
    strategy: str
    facts: str
    valid: bool
    segmentation: str | None
    segments: list[str]  # segment keys the document covers
    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_OK  # 0 valid, 1 problems (the CLI's exit status)
    answers: str | None = None  # the answers file the budget and hunches were held to, when there was one
    preview: dict | None = None  # with --preview: the document's parts (segments, pathways, ...), fact references filled in


# What Claude presents to the user, in that order (schema_version and segmentation are not).
PREVIEW_PARTS = ("segments", "targeting_matrix", "pathways", "hypotheses", "roadmap", "kpis", "review_schedule", "automation_rules")


ANSWERS_FILE = "answers.json"


def answers_path(given: str | None, strategy: str) -> str | None:
    """The answers file to hold the plan to: the one given, else answers.json beside the
    strategy (where SKILL.md has Claude save both), else none."""
    if given:
        return given
    beside = os.path.join(os.path.dirname(os.path.abspath(strategy)), ANSWERS_FILE)
    return beside if os.path.isfile(beside) else None


def load_answers(path: str | None) -> dict | None:
    if path is None:
        return None
    answers = load_json(path, "answers file")
    if not isinstance(answers, dict):
        raise InputError(path, 'answers file must be a JSON object of question -> answer, like {"Budget and time": "500 EUR a month"}')
    return answers


def check(params: CheckParams) -> CheckResult:
    facts = load_facts(params.facts)
    doc = load_json(params.strategy, "strategy file")
    answers = answers_path(params.answers, params.strategy)
    problems = validate(doc, facts, params.stage, answers=load_answers(answers))
    segmentation = doc.get("segmentation", "rfm") if isinstance(doc, dict) else None
    preview = None
    if params.preview and not problems:
        from custseg.strategy.resolve import resolve_document

        resolved = resolve_document(doc, facts)
        preview = {part: resolved[part] for part in PREVIEW_PARTS if resolved.get(part)}
    return CheckResult(
        strategy=params.strategy,
        facts=params.facts,
        valid=not problems,
        segmentation=segmentation if isinstance(segmentation, str) else None,
        segments=covered_segments(doc),
        problems=problems,
        exit_code=EXIT_PROBLEMS if problems else EXIT_OK,
        answers=answers,
        preview=preview,
    )


def problem_lines(problems: list[Problem]) -> list[str]:
    return [p.line() for p in problems]


def render_text(r: CheckResult) -> str:
    if r.valid:
        return f"OK: {r.strategy} is valid against {r.facts}; it covers the {r.segmentation} segments " + ", ".join(r.segments) + "."
    noun = "problem" if len(r.problems) == 1 else "problems"
    return "\n".join([f"{r.strategy}: {len(r.problems)} {noun} (fix each and check again):", *problem_lines(r.problems)])


CHECK = Tool(
    name="check",
    summary="Validate a strategy document against facts.json: segment keys, fact references, figures in text, pathways, personas.",
    params=CheckParams,
    result=CheckResult,
    run=check,
    render_text=render_text,
    description="Checks a strategy document (personas, targeting, migration pathways, roadmap, KPIs) against "
    "the facts of a run: every segment key exists, every segment with customers (dormant ones included) "
    "has a strategy, every {fact.key} reference exists, no figure is typed in free text, every pathway "
    "has a trigger on a computed metric, an intervention, a success metric, an investment and an "
    "expected outcome, and personas differ. Prints one line per problem (path: message [code]); "
    "exit status 0 when valid, 1 with problems, 2 when a file cannot be read.",
)
