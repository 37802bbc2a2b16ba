"""``segment``: subcommands built from the tool descriptions, errors handled in one place."""

from __future__ import annotations

import argparse
import os
import sys

from custseg import __version__
from custseg.errors import EXIT_BAD_INPUT, InputError
from custseg.toolkit import TOOLS, Tool, add_arguments, dumps, params_from_namespace

PROG = "segment"
EXIT_INTERNAL = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Customer segmentation that computes every number from your export.",
        epilog=f"Run '{PROG} COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for tool in TOOLS.values():
        cmd = sub.add_parser(tool.name, help=tool.summary, description=tool.description or tool.summary)
        add_arguments(cmd, tool.params)
        cmd.add_argument("--json", action="store_true", help="print the result as one JSON object")
        cmd.set_defaults(tool=tool)
    build = sub.add_parser("build-skill", help="Zip the skill for upload to claude.ai (dist/customer-segmentation.zip), after checking its rules.", description="Checks SKILL.md and the skill layout against the upload rules, then writes the zip: SKILL.md, reference/, scripts/, prompts/, the runtime code and jinja2 + markupsafe vendored.")
    build.add_argument("--out", default="dist", metavar="DIR", help="folder for the zip (default: dist)")
    build.set_defaults(tool=None, command_fn=_build_skill)
    return parser


def _build_skill(args: argparse.Namespace) -> int:
    from custseg.build.skill import build_skill

    result = build_skill(args.out)
    print(f"Wrote {result.path} ({result.files} files, {result.bytes / 1024:,.0f} KB). Upload it in claude.ai: Customize > Skills > Upload a skill.")
    return 0


def run_tool(tool: Tool, args: argparse.Namespace) -> int:
    params = params_from_namespace(tool.params, args)
    result = tool.run(params)
    print(dumps(result) if args.json else tool.render_text(result))
    # A result may carry its own status (check: 1 when the document has problems).
    return int(getattr(result, "exit_code", 0))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.tool is None:
            return args.command_fn(args)
        return run_tool(args.tool, args)
    except InputError as exc:
        print(f"{PROG}: error: {exc.line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except argparse.ArgumentTypeError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("SEGMENT_DEBUG"):
            raise
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (set SEGMENT_DEBUG=1 for details and please report it)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
