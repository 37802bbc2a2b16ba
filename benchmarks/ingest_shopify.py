"""Benchmark: reading a 1,000,000-line-item Shopify orders export.

Target (issue: ingest foundation): the product's full ingest (read, detect, collapse
line items, clean with the audit, pseudonymize) takes at most 3x the time of
``pyarrow.csv.read_csv`` on the same file (with ``newlines_in_values=True``, which
real Shopify exports need), and its peak memory stays under 4x the file's size.

Each measurement runs in a fresh Python process so peak memory (ru_maxrss) belongs
to that step alone. Usage:

    python benchmarks/ingest_shopify.py            # generates the file if missing
    python benchmarks/ingest_shopify.py --file big.csv --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYARROW = """
import sys, time, resource
import pyarrow.csv as pacsv
t = time.perf_counter()
table = pacsv.read_csv(sys.argv[1], parse_options=pacsv.ParseOptions(newlines_in_values=True))
elapsed = time.perf_counter() - t
print(elapsed, table.num_rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""

PRODUCT = """
import sys, time, resource
from custseg.ingest import load
t = time.perf_counter()
ds = load([sys.argv[1]])
elapsed = time.perf_counter() - t
print(elapsed, ds.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""

BASELINE = """
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def run(code: str, path: str) -> tuple[float, int, int]:
    out = subprocess.run([sys.executable, "-c", code, path], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default="/tmp/bench/shopify_1m.csv", help="Shopify export to read (generated when missing)")
    parser.add_argument("--line-items", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each reader; the best time counts")
    args = parser.parse_args()
    path = Path(args.file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "examples" / "generate.py"), "shopify", "--line-items", str(args.line_items), "--out", str(path), "--seed", "7"], check=True)
    size = path.stat().st_size
    arrow = [run(PYARROW, str(path)) for _ in range(args.repeat)]
    ours = [run(PRODUCT, str(path)) for _ in range(args.repeat)]
    arrow_time = min(a[0] for a in arrow)
    our_time = min(o[0] for o in ours)
    our_peak = max(o[2] for o in ours)
    result = {
        "file": str(path),
        "file_mb": round(size / 1e6, 1),
        "rows": ours[0][1],
        "pyarrow_read_s": round(arrow_time, 2),
        "segment_ingest_s": round(our_time, 2),
        "time_ratio": round(our_time / arrow_time, 2),
        "time_target": 3.0,
        "peak_memory_mb": round(our_peak / 1e6),
        "memory_ratio": round(our_peak / size, 2),
        "memory_target": 4.0,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
