"""One description per tool, read by every front end.

A tool is a function from a parameters dataclass to a result dataclass. The CLI
(``segment``), the skill's scripts, and later the API tool schemas and an MCP server
are all built from that description: argparse options come from the parameter fields
and their metadata, JSON output from the result fields. Only the standard library is
used here, so this module runs inside the skill's container; the JSON Schema of a
dataclass comes from pydantic's TypeAdapter in the layers that have pydantic.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import math
import types
import typing
from dataclasses import MISSING, dataclass, field
from typing import Any, Callable


def param(help: str, *, default: Any = MISSING, positional: bool = False, flag: str | None = None, metavar: str | None = None) -> Any:
    """A parameter field: its help text and how a command line spells it.

    Allowed values are given by the type (``Literal[...]``), not here, so that the
    JSON Schema and the command line agree.
    """
    meta = {"help": help, "positional": positional, "flag": flag, "metavar": metavar}
    if isinstance(default, (list, dict)):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Tool:
    name: str
    summary: str  # one line, for --help lists and API tool descriptions
    params: type
    result: type
    run: Callable[[Any], Any]
    render_text: Callable[[Any], str]  # the human view of a result
    description: str = ""


# -- parameters from a command line ------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _base(tp: Any) -> tuple[Any, bool]:
    """(inner type, optional?) for ``X | None``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def add_arguments(parser: argparse.ArgumentParser, params: type) -> None:
    hints = _hints(params)
    for f in dataclasses.fields(params):
        meta = f.metadata
        tp, _ = _base(hints[f.name])
        origin = typing.get_origin(tp)
        kwargs: dict[str, Any] = {"help": meta.get("help", "")}
        if origin is typing.Literal:  # choices are part of the type, so schemas carry them too
            kwargs["choices"] = typing.get_args(tp)
            tp, origin = str, None
        if meta.get("metavar"):
            kwargs["metavar"] = meta["metavar"]
        if meta.get("positional"):
            if origin is list:
                kwargs["nargs"] = "+"
            parser.add_argument(f.name, **kwargs)
            continue
        flag = meta.get("flag") or "--" + f.name.replace("_", "-")
        if tp is bool:
            parser.add_argument(flag, dest=f.name, action="store_true", help=kwargs["help"])
        elif origin is dict:
            parser.add_argument(flag, dest=f.name, action="append", default=[], metavar=meta.get("metavar") or "KEY=VALUE", help=kwargs["help"])
        elif origin is list:
            parser.add_argument(flag, dest=f.name, action="append", default=[], **kwargs)
        else:
            if tp in (int, float):
                kwargs["type"] = tp
            parser.add_argument(flag, dest=f.name, default=None if f.default is MISSING else f.default, **kwargs)


def params_from_namespace(params: type, ns: argparse.Namespace) -> Any:
    hints = _hints(params)
    values = {}
    for f in dataclasses.fields(params):
        value = getattr(ns, f.name)
        tp, _ = _base(hints[f.name])
        if typing.get_origin(tp) is dict:
            value = _pairs(f.name, value)
        values[f.name] = value
    return params(**values)


def params_from_dict(params: type, data: dict) -> Any:
    """Build parameters from a JSON object (API tool calls, MCP); unknown keys refused."""
    names = {f.name for f in dataclasses.fields(params)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
    return params(**data)


def _pairs(name: str, items: list[str]) -> dict[str, str]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise argparse.ArgumentTypeError(f"--{name.replace('_', '-')} expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


# -- results to JSON ---------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from dataclasses, numpy and pandas scalars; NaN becomes null."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def dumps(result: Any) -> str:
    return json.dumps(to_jsonable(result), indent=2, ensure_ascii=False)
