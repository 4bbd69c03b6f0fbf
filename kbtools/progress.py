"""The engine's progress line. Display only: not one of the engine files that key the store (kbtools/keys.py), so
changing it re-runs nothing."""

from __future__ import annotations

import threading
import time
from typing import TextIO


class Progress:
    """One line that says how far a run is: redrawn on a terminal, a line every few seconds in a log."""

    def __init__(self, total: int, cached: int, out: TextIO | None):
        self.total, self.cached, self.done, self.running = total, cached, cached, 0
        self.out, self.lock, self.last = out, threading.Lock(), 0.0
        self.tty = bool(out and out.isatty())

    def update(self, started: int = 0, finished: int = 0, force: bool = False) -> None:
        with self.lock:
            self.running += started - finished
            self.done += finished
            waiting = self.total - self.done - self.running
            if finished and waiting and not force:  # a waiting unit starts at once: its start draws the line
                return
            if not self.out or not (force or self.tty or time.monotonic() - self.last > 5):
                return
            self.last = time.monotonic()
            line = f"[kb] {self.done}/{self.total} done · {self.running} running · {self.cached} from the store"
            self.out.write(f"\r{line}\033[K" if self.tty else line + "\n")
            self.out.flush()
