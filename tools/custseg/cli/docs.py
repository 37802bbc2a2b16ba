"""docs/cli.md: every command's --help, kept in step with the code by a test."""

from __future__ import annotations

import contextlib
import io
import os

from custseg.cli.main import build_parser

WIDTH = "100"


def help_texts() -> dict[str, str]:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH  # argparse wraps to the terminal width
    try:
        parser = build_parser()
        texts = {"segment": parser.format_help()}
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        for name, cmd in sub.choices.items():
            texts[f"segment {name}"] = cmd.format_help()
        return texts
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def markdown() -> str:
    parts = ["# Command reference", "", "Generated from the code (`python -m custseg.cli.docs > docs/cli.md`); a test keeps it current.", ""]
    for title, text in help_texts().items():
        parts += [f"## {title}", "", "```", text.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    with contextlib.redirect_stderr(io.StringIO()):
        print(markdown(), end="")
