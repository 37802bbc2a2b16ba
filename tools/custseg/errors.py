"""The one exception type the runtime raises for a user's bad input.

Library code raises :class:`InputError`; the CLI and the skill scripts turn it into
one line on stderr and exit status 2 (see ``custseg.toolspec.run_cli``).
"""

from __future__ import annotations

import os

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """A problem with what the user gave us: a file, a column, a value, an option."""

    def __init__(self, path: str | os.PathLike | None, problem: str, next_step: str | None = None):
        self.path = os.fspath(path) if path is not None else None
        self.problem = problem
        # What the skill's model should do next, when the problem calls for something other
        # than its script's usual advice (an abandoned-checkouts file is left out, not re-mapped).
        self.next_step = next_step
        super().__init__(self.line())

    def line(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem
