"""Shared fixtures: the CLI run in-process, the real-export corpus, the bundled examples."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from custseg.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
REALDATA = Path(os.environ.get("SEGMENT_REALDATA", ROOT.parent / "shared" / "realdata"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture(autouse=True)
def _own_last_run_note(tmp_path_factory, monkeypatch):
    """run.py notes the folder it last wrote in the home folder: each test gets its own note,
    so one test's run is never another's 'last run'."""
    monkeypatch.setenv("SEGMENT_LAST_RUN_FILE", str(tmp_path_factory.mktemp("state") / "last-run"))


@pytest.fixture
def cli(capsys):
    """Run ``segment ARGS...`` in-process; returns exit code, stdout, stderr."""

    def run(*args: str) -> CliResult:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real-export corpus not found at {REALDATA}")
    return REALDATA
