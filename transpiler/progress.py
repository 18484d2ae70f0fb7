"""A one-line progress bar for long runs, on stderr and only when it is a terminal."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int, current: str) -> None:
        if not self.enabled or total == 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.05:
            return  # redraw at most 20 times a second
        self._last = now
        width = shutil.get_terminal_size((80, 20)).columns
        bar_width = max(10, min(30, width // 4))
        filled = bar_width * done // total
        bar = "█" * filled + "░" * (bar_width - filled)
        text = f"{self.label} {bar} {done}/{total} {current}"
        self.stream.write("\r\033[K" + text[: width - 1])
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
