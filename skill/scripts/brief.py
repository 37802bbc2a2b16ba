#!/usr/bin/env python3
"""Print the brief for one gated phase, built from facts.json. Prints one JSON object (use --text for the brief alone)."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))  # the runtime code shipped in the skill

from custseg.toolkit.script import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main("brief"))
