"""A progress bar for long commands, shown only on a terminal."""
from __future__ import annotations

import sys

import click


class ProgressBar:
    """A click progress bar created on the first report, when the total is known."""

    def __init__(self, label: str):
        self.label, self.bar, self.shown = label, None, 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stdout)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        """Finish the bar (if it was shown)."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
