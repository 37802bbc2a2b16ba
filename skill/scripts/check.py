#!/usr/bin/env python3
"""Check a strategy document against the facts. Exit 0 valid, 1 with problems listed, 2 unreadable input."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))  # the runtime code shipped in the skill

from custseg.toolkit.script import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("check"))
