#!/usr/bin/env python3
"""Render report.md and report.html with the strategy and every number from the facts. Prints one JSON object."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))  # the runtime code shipped in the skill

from custseg.toolkit.script import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("render"))
