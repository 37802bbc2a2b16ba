"""The fields a run's warnings name (snake_case words and dotted paths such as
``definition.billing_cycles``), checked against what the run wrote: a warning that sends the
reader to a field the facts do not hold is a dead end (a trial found one)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

SNAKE = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?:\.[a-z0-9_]+)*(?![\w-])")
FILE_NAME = re.compile(r"\.(?:csv|json|md|html|key|png|xlsx)$")


def _key_paths(node, prefix: tuple = ()) -> set[tuple]:
    paths = set()
    if isinstance(node, dict):
        for key, value in node.items():
            paths.add(prefix + (str(key),))
            paths |= _key_paths(value, prefix + (str(key),))
    elif isinstance(node, list):
        for value in node:
            paths |= _key_paths(value, prefix)
    return paths


def _csv_columns(out: Path) -> set[str]:
    columns = set()
    for path in [out / "customers.csv", *sorted((out / "exports").glob("*.csv"))]:
        if path.is_file():
            with open(path, encoding="utf-8-sig", newline="") as fh:
                columns |= set(next(csv.reader(fh), []))
    return columns


def missing_fields(facts: dict, out: Path) -> list[tuple[str, str]]:
    """(field, warning) for each field a warning names that neither facts.json (as a key, or a
    dotted path ending a key path) nor a CSV the run wrote (as a column) holds."""
    paths = _key_paths(facts)
    tails = {p[i:] for p in paths for i in range(len(p))}
    columns = _csv_columns(out)
    missing = []
    for warning in facts["warnings"]:
        for name in SNAKE.findall(warning):
            if FILE_NAME.search(name):
                continue
            parts = tuple(name.split("."))
            if parts not in tails and not (len(parts) == 1 and name in columns):
                missing.append((name, warning))
    return missing
