"""The skill's scripts: the same tools, with the container's folders and concise JSON output.

In Claude's code-execution container uploads sit in /mnt/user-data/uploads/ and
deliverables go to /mnt/user-data/outputs/. A script accepts a bare file name and finds
it there; without those folders (a laptop, a test) it works in the current directory.
Each script prints one JSON object on stdout; on bad input it prints one line on stderr
that says what to do next and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from custseg.errors import EXIT_BAD_INPUT, InputError
from custseg.toolkit.spec import add_arguments, params_from_namespace, to_jsonable

UPLOADS = "/mnt/user-data/uploads"
OUTPUTS = "/mnt/user-data/outputs"

NEXT_STEP = {
    "profile": "check the file is a customer export (orders, payments, customers or events); name columns with --map role=column if detection failed",
    "run": "fix the input as the message says, or run profile.py first to see how the file was read",
    "check": "fix the listed problems in the strategy JSON and run check.py again",
    "render": "run check.py on the strategy first; every problem must be fixed before rendering",
    "brief": "run run.py first: the brief is built from its facts.json",
    "rules": "fix the rule file as the message says (its format: reference/frameworks.md), then run again",
    "segmentation": "drop --segmentation, or name one the error lists: this export's data does not support the one asked for",
    "purchase_event": "ask the user which of the events listed is their purchase (a completed order or payment) and run again with --purchase-event and that name",
}


def outputs_dir() -> str:
    """/mnt/user-data/outputs in Claude's container. Elsewhere ./outputs, except when the
    current folder is the skill's own (read-only where skills are installed, and a run's
    files do not belong in it): then ~/segment-outputs."""
    if os.path.isdir(OUTPUTS):
        return OUTPUTS
    here = os.path.realpath(os.getcwd())
    skill = _skill_folder()
    if skill and (here == skill or here.startswith(skill + os.sep)):
        return os.path.join(os.path.expanduser("~"), "segment-outputs")
    return os.path.abspath("outputs")


def _skill_folder() -> str | None:
    """The unzipped skill (the folder holding lib/custseg) when running from it; None otherwise."""
    package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # .../lib/custseg
    lib = os.path.dirname(package)
    if os.path.basename(lib) != "lib" or not os.path.isdir(os.path.join(os.path.dirname(lib), "scripts")):
        return None
    return os.path.dirname(lib)


def deliverables_dir() -> str:
    """Where the run's files go, and where SKILL.md has Claude save answers.json and strategy.json."""
    return os.path.join(outputs_dir(), "segments")


def last_run_file() -> str:
    """Where run.py notes the folder it last wrote, outside the deliverables (the user sees
    those): later scripts find that run's facts and Claude's working files by bare name."""
    return os.environ.get("SEGMENT_LAST_RUN_FILE") or os.path.join(os.path.expanduser("~"), ".cache", "customer-segmentation", "last-run")


REMEMBERED_FOLDERS = 20  # working folders whose last run is kept


def _remembered() -> dict[str, str]:
    """Working folder -> the folder run.py last wrote from it (an older plain path: none)."""
    try:
        with open(last_run_file(), encoding="utf-8") as f:
            runs = json.load(f)
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in runs.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(runs, dict) else {}


def remember_run(out: str) -> None:
    """Note ``out`` as the last run written from the current folder: two sessions working in
    two folders each find their own. A read-only home only loses the convenience."""
    runs = _remembered()
    here = os.path.realpath(os.getcwd())
    runs.pop(here, None)
    runs[here] = os.path.abspath(out)
    try:
        os.makedirs(os.path.dirname(last_run_file()), exist_ok=True)
        with open(last_run_file(), "w", encoding="utf-8") as f:
            json.dump(dict(list(runs.items())[-REMEMBERED_FOLDERS:]), f, indent=1)
    except OSError:
        pass


def last_run() -> str | None:
    """The folder run.py last wrote from the current folder, while it still holds its facts.json."""
    folder = _remembered().get(os.path.realpath(os.getcwd()))
    return folder if folder and os.path.isfile(os.path.join(folder, "facts.json")) else None


def find_file(name: str, folders: list[str]) -> str:
    """A path as given when it exists, else the same name in the first folder that has it."""
    if os.path.exists(name) or os.path.isabs(name):
        return name
    for folder in folders:
        candidate = os.path.join(folder, name)
        if os.path.exists(candidate):
            return candidate
    return name


def find_upload(name: str) -> str:
    """A path as given when it exists, else the same name under the uploads folder."""
    return find_file(name, [UPLOADS])


# Files Claude writes itself (answers, strategy) live with the deliverables; files the user
# brings (rules, last month's key) are uploads, or this run's key among the deliverables.
_SEARCH = {"answers": "deliverables", "strategy": "deliverables", "rules": "uploads", "key": "uploads"}


def _resolve_paths(tool_name: str, params, last_folder: str | None = None) -> None:
    """Bare names to paths: working files in the run's folder (``last_folder``: the one run.py
    last wrote from here) or the deliverables, the user's files among the uploads."""
    if hasattr(params, "files"):
        params.files = [find_upload(f) for f in params.files]
    # A run written elsewhere (--facts DIR/facts.json): Claude saved its working files in DIR.
    facts = getattr(params, "facts", None)
    run_folder = [os.path.dirname(os.path.abspath(facts))] if facts not in (None, "", "segment-output/facts.json") else []
    last = [last_folder] if last_folder and not run_folder else []  # run.py --out DIR, then bare names
    for attr, first in _SEARCH.items():
        value = getattr(params, attr, None)
        if isinstance(value, str) and value:
            folders = [*run_folder, *last, deliverables_dir(), UPLOADS] if first == "deliverables" else [UPLOADS, *last, deliverables_dir()]
            setattr(params, attr, find_file(value, folders))
    # A run's folder defaults to the deliverables; render's (no --out) is the folder of its --facts.
    if hasattr(params, "out") and not hasattr(params, "facts") and params.out in (None, "", "segment-output"):
        params.out = deliverables_dir()
    if hasattr(params, "facts") and params.facts in (None, "", "segment-output/facts.json"):
        params.facts = os.path.join(last_folder or deliverables_dir(), "facts.json")
        # A run written elsewhere (run.py --out DIR): its facts sit beside the strategy or answers saved there.
        if not os.path.exists(params.facts):
            for attr in ("strategy", "answers"):
                beside = os.path.join(os.path.dirname(os.path.abspath(getattr(params, attr, None) or "")), "facts.json")
                if getattr(params, attr, None) and os.path.isfile(beside):
                    params.facts = beside
                    break


def _missing_working_file(params, last_folder: str | None = None) -> str | None:
    """The error line for a file found nowhere, with where it was looked for and what to do."""
    for attr in (a for a, first in _SEARCH.items() if first == "deliverables"):
        value = getattr(params, attr, None)
        if isinstance(value, str) and value and not os.path.exists(value):
            folder, where = (last_folder, "the folder run.py last wrote") if last_folder else (deliverables_dir(), "the deliverables folder")
            return f"error: {value}: no such file here, in {folder} or in {UPLOADS}. Next: save it in {folder} ({where}) or pass its full path"
    brought = list(getattr(params, "files", None) or []) + [getattr(params, a, None) for a, first in _SEARCH.items() if first == "uploads"]
    for value in brought:
        if isinstance(value, str) and value and not os.path.exists(value):
            return f"error: {value}: no such file here or in {UPLOADS}. Next: list {UPLOADS} to find the exact name the user uploaded (or ask them to upload it) and pass that name or the full path"
    facts = getattr(params, "facts", None)
    if isinstance(facts, str) and facts and not os.path.exists(facts):
        return f"error: {facts}: no facts.json there. Next: run run.py first; if it wrote to another folder (--out DIR), pass --facts DIR/facts.json"
    return None


def _another_runs_file(params, given: dict) -> str | None:
    """A working file found by its bare name in another run's folder than the facts': checked
    against these facts it would list every segment and fact as unknown (a trial's strategy.json
    sat with an earlier run while run.py --out had written a new one)."""
    facts = getattr(params, "facts", None)
    if not isinstance(facts, str) or not facts:
        return None
    run_folder = os.path.dirname(os.path.abspath(facts))
    for attr in (a for a, first in _SEARCH.items() if first == "deliverables"):
        value, asked = getattr(params, attr, None), given.get(attr)
        if not isinstance(value, str) or not value or value == asked:  # a path the caller gave, taken as given
            continue
        folder = os.path.dirname(os.path.abspath(value))
        if folder != run_folder and os.path.isfile(os.path.join(folder, "facts.json")):
            return (f"error: {asked}: found in {folder}, which holds another run, not in {run_folder} (the run whose facts.json this reads). "
                    f"Next: save {asked} in {run_folder} for this run, or pass --facts {os.path.join(folder, 'facts.json')} to use that run")
    return None


def main(tool_name: str, argv: list[str] | None = None) -> int:
    from custseg.toolkit import TOOLS

    tool = TOOLS[tool_name]
    parser = argparse.ArgumentParser(prog=f"{tool_name}.py", description=tool.description or tool.summary)
    add_arguments(parser, tool.params)
    parser.add_argument("--text", action="store_true", help="print the human summary instead of JSON")
    params = None
    try:
        args = parser.parse_args(argv)
        params = params_from_namespace(tool.params, args)
        given = {attr: getattr(params, attr, None) for attr in _SEARCH}
        last_folder = last_run()  # the note is read once per script
        _resolve_paths(tool_name, params, last_folder)
        missing = _missing_working_file(params, last_folder) or _another_runs_file(params, given)
        if missing:
            print(missing, file=sys.stderr)
            return EXIT_BAD_INPUT
        result = tool.run(params)
        if tool_name == "run":
            remember_run(params.out)
    except (InputError, argparse.ArgumentTypeError) as exc:
        problem = exc.line() if isinstance(exc, InputError) else str(exc)
        rules = getattr(params, "rules", None)
        about_rules = isinstance(exc, InputError) and rules and exc.path == rules  # the user's rule file, not the export
        step = "rules" if about_rules else "purchase_event" if "--purchase-event" in problem else "segmentation" if "has no segmentation" in problem else tool_name
        advice = getattr(exc, "next_step", None) or NEXT_STEP.get(step, "fix the input and retry")
        print(f"error: {problem}. Next: {advice}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug: one line, never a traceback in the chat
        print(f"error: internal error in {tool_name}.py (a bug in the skill): {type(exc).__name__}: {exc}. Next: tell the user this step failed and go on with the files that exist; never compute its numbers yourself", file=sys.stderr)
        return 1
    if args.text:
        print(tool.render_text(result))
    else:
        print(json.dumps(to_jsonable(result), ensure_ascii=False, separators=(",", ":")))
    return int(getattr(result, "exit_code", 0))
