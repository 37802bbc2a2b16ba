"""The ``brief`` tool: the instructions for one gated phase, rendered from the facts."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Literal

from custseg.errors import InputError
from custseg.toolkit.spec import Tool, param


@dataclass
class BriefParams:
    phase: Literal["intake", "segments", "strategy", "operationalize"] = param("which phase to brief", positional=True)
    facts: str = param("facts.json written by run", default="segment-output/facts.json", metavar="FILE")
    answers: str | None = param("JSON file with the user's answers so far (question -> answer; \"Channel names\": channel -> the name the user gave it, shown beside the channel, a short label for a channel facts.json knows)", default=None, metavar="FILE")
    segmentation: str | None = param(
        "the segmentation the plan rests on (rfm, behavioral, ...): its segments are the ones the strategy and "
        "operationalize briefs list; default: the `segmentation` of a strategy.json beside the facts, else rfm",
        default=None,
        metavar="KEY",
    )


@dataclass
class BriefResult:
    phase: str
    gate: str
    brief: str


def read_json(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise InputError(path, f"no such {what} file") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, f"{what} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(doc, dict):
        raise InputError(path, f"{what} must be a JSON object")
    return doc


def brief(params: BriefParams) -> BriefResult:
    from custseg.render.briefs import GATES, render_brief
    from custseg.strategy.channel_names import refuse_bad_names

    facts = read_json(params.facts, "facts")
    answers = read_json(params.answers, "answers") if params.answers else {}
    refuse_bad_names(answers, facts, params.answers)  # the briefs show what the user calls each channel
    folder = os.path.dirname(os.path.abspath(params.facts))
    segmentation = params.segmentation or _planned_segmentation(folder)
    available = list(facts.get("segmentations") or {})
    if params.segmentation and params.segmentation not in available:
        raise InputError(params.facts, f"has no segmentation '{params.segmentation}'; it has {', '.join(available) or 'none'}")
    if segmentation not in available:
        segmentation = None  # a strategy.json of another run: the default
    return BriefResult(params.phase, GATES[params.phase], render_brief(params.phase, facts, answers, folder=folder, segmentation=segmentation))


def _planned_segmentation(folder: str) -> str | None:
    """The segmentation a strategy.json in the run's folder was written for, once there is one."""
    try:
        with open(os.path.join(folder, "strategy.json"), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return None
    value = doc.get("segmentation") if isinstance(doc, dict) else None
    return value if isinstance(value, str) else None


BRIEF = Tool(
    name="brief",
    summary="Print the brief for one gated phase (intake, segments, strategy, operationalize), built from facts.json.",
    params=BriefParams,
    result=BriefResult,
    run=brief,
    render_text=lambda r: r.brief,
    description="Renders prompts/phase_<PHASE>.md.j2 from facts.json and the user's answers: what to show, what to ask, and the gate to pass before the next phase.",
)
