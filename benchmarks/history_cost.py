"""Benchmark: what the segment history (segmentations.rfm.history) adds to ``segment run``, timed
in-process around its own step, not the whole run.

Runs ``segment run FILE`` once with the history's customer limit as the code has it, and once
with no limit, and prints the seconds the history step took in each and the whole run's. On the
CDNOW file run_cdnow.py builds (2.36 million customers) the limit skips the history, so the
first figure is the cost of the check alone.

    python benchmarks/history_cost.py                      # /tmp/bench/cdnow_x100.csv
    python benchmarks/history_cost.py --file export.csv
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time

from custseg.cli.main import main as segment
from custseg.facts import build


def timed_run(path: str, limit: int) -> dict:
    step = build._Transactions.segment_history
    took: list[float] = []

    def timed(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return step(self, *args, **kwargs)
        finally:
            took.append(time.perf_counter() - t)

    build._Transactions.segment_history, saved = timed, build.HISTORY_MAX_CUSTOMERS
    build.HISTORY_MAX_CUSTOMERS = limit
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            t = time.perf_counter()
            with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                assert segment(["run", path, "--out", out, "--json", "--no-charts"]) == 0
            total = time.perf_counter() - t
            with open(os.path.join(out, "facts.json"), encoding="utf-8") as fh:
                facts = json.load(fh)
    finally:
        build._Transactions.segment_history, build.HISTORY_MAX_CUSTOMERS = step, saved
    history = facts["segmentations"].get("rfm", {}).get("history")
    return {"limit": limit, "history_step_s": round(sum(took), 3), "run_s": round(total, 2),
            "cutoffs": len(history) if history else 0, "unavailable": facts["unavailable"].get("history")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="/tmp/bench/cdnow_x100.csv")
    args = parser.parse_args()
    report = {"file": args.file, "as_shipped": timed_run(args.file, build.HISTORY_MAX_CUSTOMERS), "no_limit": timed_run(args.file, 10**12), "cpus": os.cpu_count()}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
