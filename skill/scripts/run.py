#!/usr/bin/env python3
"""Compute every segmentation and write facts, customers, report, charts, CRM files and workbook. Prints one JSON object."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))  # the runtime code shipped in the skill

from custseg.toolkit.script import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("run"))
