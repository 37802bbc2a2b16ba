"""Reference docs generated from the code, so they cannot drift (a test compares them)."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

from custseg.strategy import schema as strategy_schema
from custseg.strategy.validate import CODES


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, __import__("types").UnionType):
        return " or ".join(_type_name(a) for a in args if a is not type(None)) + " (optional)"
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"{_type_name(args[0])} -> {_type_name(args[1])}"
    return getattr(tp, "__name__", str(tp))


def _table(cls) -> list[str]:
    hints = typing.get_type_hints(cls)
    lines = ["| field | type | what it holds |", "|---|---|---|"]
    for f in dataclasses.fields(cls):
        kind = _type_name(hints[f.name])
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # required, though it may be null
            kind = kind.replace(" (optional)", " or null")
        kind = kind.replace("|", "\\|")  # a bar inside a cell would split it
        lines.append(f"| `{f.name}` | {kind} | {f.metadata.get('description', '')} |")
    return lines


def _nested(cls) -> list[type]:
    """``cls`` and every dataclass its fields hold (in lists, dicts or optionals), depth first,
    each once: a type added to the schema is documented without anyone listing it."""
    seen: list[type] = []

    def visit(tp) -> None:
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if tp in seen:
                return
            seen.append(tp)
            hints = typing.get_type_hints(tp)
            for f in dataclasses.fields(tp):
                visit(hints[f.name])
        for arg in typing.get_args(tp):
            visit(arg)

    visit(cls)
    return seen


def strategy_reference(example_path: Path) -> str:
    classes = _nested(strategy_schema.StrategyDocument)
    out = [
        "# The strategy document (strategy.json)",
        "",
        "Contents: " + " · ".join(f"[{c.__name__}](#{c.__name__.lower()})" for c in classes) + " · [Example](#example) · [Rules check.py enforces](#rules-checkpy-enforces)",
        "",
        "You write this JSON file in phase 3 and complete it in phase 4. `check.py strategy.json` validates it",
        "against facts.json; `render.py --strategy strategy.json` puts it into the report with every",
        "fact reference filled in. The JSON Schema is `reference/strategy.schema.json`.",
        "",
        "Two rules shape every field: numbers that describe the plan go in typed fields (frequency,",
        "budget share, trigger threshold, target, weeks, hours); figures about the data appear in text",
        "only as fact references such as `{segmentations.rfm.segments.champions.repeat_rate}`.",
        "",
    ]
    for cls in classes:
        out += [f"## {cls.__name__}", "", (cls.__doc__ or "").strip().splitlines()[0], "", *_table(cls), ""]
    example = json.loads(example_path.read_text(encoding="utf-8"))
    key, seg = next(iter(example["segments"].items()))
    trimmed = {
        "segmentation": example.get("segmentation", "rfm"),
        "segments": {key: seg},
        "targeting_matrix": example["targeting_matrix"][:2],
        "pathways": example["pathways"][:1],
        "roadmap": example["roadmap"][:1],
        "kpis": example["kpis"][:1],
        "review_schedule": example["review_schedule"],
        "automation_rules": example.get("automation_rules", [])[:1],
        # the intake answers the plan records, shown whole: each hypothesis shows a verdict of its own
        **{part: example[part] for part in ("data_scope", "hypotheses") if part in example},
    }
    out += [
        "## Example",
        "",
        "One segment of a complete document (every segment with customers needs its own entry):",
        "",
        "```json",
        json.dumps(trimmed, indent=2, ensure_ascii=False),
        "```",
        "",
        "## Rules check.py enforces",
        "",
        "Each problem check.py lists ends with its code in brackets:",
        "",
        *(f"- `{code}`: {meaning}" for code, meaning in CODES.items()),
        "",
        "check.py exits 0 when valid, 1 with every problem listed (path, what is wrong, what to do), 2 when a file cannot be read.",
        "",
    ]
    return "\n".join(out)
