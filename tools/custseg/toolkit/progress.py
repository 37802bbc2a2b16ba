"""Step-by-step progress on a terminal: shown only to a person watching, never in logs or pipes."""

from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, steps: list[str], stream=None):
        self.steps = steps
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)()) and not os.environ.get("CI")
        self.done = 0
        self.started = time.monotonic()

    def step(self, name: str) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * self.done / max(len(self.steps), 1))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {name:<32}")
        self.stream.flush()
        self.done += 1

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 64 + "\r")
            self.stream.flush()
