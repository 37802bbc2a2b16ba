"""The document's shape: wrong types, unknown and missing fields (problems of code schema and
pathway_incomplete), and walking the document's strings, list items and numbers.
Standard library only."""

from __future__ import annotations

import dataclasses
import difflib
import typing
from typing import Any, Iterator, Literal

from custseg.strategy.problems import Problem
from custseg.strategy.schema import Investment, Pathway, StrategyDocument, hints, required_fields, unwrap_optional


# Fields of a strategy that name things rather than say things: not scanned for figures.
IDENTIFIERS = {"segment", "from_segment", "to_segment", "metric", "baseline", "segmentation", "schema_version"}
# Fields that quote the user (a hunch, their answer on the data's scope): their words, shown as
# theirs in the report, so not held to the checks of what the plan itself says about the data.
USERS_WORDS = {"hunch", "answer"}
PATHWAY_FIELDS = ("trigger", "intervention", "success_metric", "investment", "expected_outcome")


# -- types -------------------------------------------------------------------------------------


def _describe(tp: Any) -> str:
    inner, optional = unwrap_optional(tp)
    if optional:
        return f"{_describe(inner)} or null"
    if tp is str:
        return "a string"
    if tp is bool:
        return "true or false"
    if tp is int:
        return "a whole number"
    if tp is float:
        return "a number"
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin is list:
        return "a list"
    if origin is dict or dataclasses.is_dataclass(tp):
        return "an object"
    return str(tp)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_problems(value: Any, tp: Any, path: str, out: list[Problem], meta: dict | None = None) -> None:
    meta = meta or {}
    inner, optional = unwrap_optional(tp)
    if value is None:
        if not optional:
            out.append(Problem(path, "schema", f"is null; expected {_describe(tp)}"))
        return
    tp = inner
    origin = typing.get_origin(tp)
    bad = Problem(path, "schema", f"expected {_describe(tp)}, got {type(value).__name__} {_short(value)}")
    if tp is str:
        if not isinstance(value, str):
            out.append(bad)
        elif not value.strip() and not optional:
            out.append(Problem(path, "schema", "is empty; write the text"))
        return
    if tp is bool:
        if not isinstance(value, bool):
            out.append(bad)
        return
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(bad)
            return
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(bad)
            return
    elif origin is Literal:
        if value not in typing.get_args(tp):
            out.append(bad)
        return
    elif origin is list:
        if not isinstance(value, list):
            out.append(bad)
            return
        if meta.get("minItems") and len(value) < meta["minItems"]:
            out.append(Problem(path, "schema", "is empty; give at least one item"))
        (item,) = typing.get_args(tp)
        for i, v in enumerate(value):
            _type_problems(v, item, f"{path}[{i}]", out)
        return
    elif origin is dict:
        if not isinstance(value, dict):
            out.append(bad)
            return
        _, vt = typing.get_args(tp)
        for k, v in value.items():
            _type_problems(v, vt, _join(path, str(k)), out)
        return
    elif dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            out.append(bad)
            return
        _object_problems(value, tp, path, out)
        return
    # numbers: range constraints
    if "minimum" in meta and value < meta["minimum"]:
        out.append(Problem(path, "schema", f"must be at least {meta['minimum']}, got {value}"))
    if "maximum" in meta and value > meta["maximum"]:
        out.append(Problem(path, "schema", f"must be at most {meta['maximum']} (a fraction: 0.25 is a quarter), got {value}"))


def _object_problems(value: dict, cls: type, path: str, out: list[Problem]) -> None:
    types_ = hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in value:
        if key not in fields:
            close = difflib.get_close_matches(str(key), list(fields), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(fields)}"
            out.append(Problem(_join(path, str(key)), "schema", f"unknown field '{key}'{hint}"))
    for name in required_fields(cls):
        if name not in value:
            code = "pathway_incomplete" if cls is Pathway and name in PATHWAY_FIELDS else "schema"
            out.append(Problem(_join(path, name), code, f"is missing: {fields[name].metadata.get('description', 'required')}"))
    for name, f in fields.items():
        if name in value:
            if cls is Pathway and name in ("intervention", "expected_outcome") and isinstance(value[name], str) and not value[name].strip():
                out.append(Problem(_join(path, name), "pathway_incomplete", f"is empty: {f.metadata.get('description', '')}"))
                continue
            _type_problems(value[name], types_[name], _join(path, name), out, dict(f.metadata))
    if cls is Investment and value.get("budget") is None and value.get("hours") is None:
        out.append(Problem(path, "pathway_incomplete", "gives neither a budget nor hours; say what the pathway costs"))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- walking the document ----------------------------------------------------------------------


def iter_strings(doc: Any, cls: type = StrategyDocument, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, field name, text) for every string of a document, following the schema where it fits."""
    if not isinstance(doc, dict):
        return
    types_ = hints(cls)
    for key, value in doc.items():
        tp = types_.get(key)
        yield from _iter_value(value, tp, _join(path, str(key)), str(key))


def _iter_value(value: Any, tp: Any, path: str, name: str) -> Iterator[tuple[str, str, str]]:
    inner, _ = unwrap_optional(tp) if tp is not None else (None, False)
    if isinstance(value, str):
        yield path, name, value
    elif isinstance(value, list):
        item = typing.get_args(inner)[0] if inner is not None and typing.get_origin(inner) is list else None
        for i, v in enumerate(value):
            yield from _iter_value(v, item, f"{path}[{i}]", name)
    elif isinstance(value, dict):
        if inner is not None and dataclasses.is_dataclass(inner):
            yield from iter_strings(value, inner, path)
        else:
            vt = typing.get_args(inner)[1] if inner is not None and typing.get_origin(inner) is dict else None
            for k, v in value.items():
                if vt is not None and dataclasses.is_dataclass(vt):
                    yield from iter_strings(v, vt, _join(path, str(k)))
                else:
                    yield from _iter_value(v, vt, _join(path, str(k)), str(k))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _items(doc: dict, section: str) -> list[tuple[int, dict]]:
    """(index, item) for the objects of a list section of the document."""
    items = doc.get(section) if isinstance(doc.get(section), list) else []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]
