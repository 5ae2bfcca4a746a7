"""The emulator's clock: real time by default, settable so schedules can be tested over time."""

from __future__ import annotations

import threading
import time


class Clock:
    """Unix-seconds clock.

    `set`/`advance` freeze it at a chosen time; `unfreeze` returns to real time.
    """

    def __init__(self, now: int | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: int | None = now

    def now(self) -> int:
        """The current time in unix seconds."""
        with self._lock:
            return self._frozen if self._frozen is not None else int(time.time())

    def set(self, ts: int) -> None:
        """Freeze the clock at `ts`."""
        with self._lock:
            self._frozen = int(ts)

    def advance(self, seconds: int) -> None:
        """Move the clock forward (freezing it if it followed real time)."""
        with self._lock:
            base = self._frozen if self._frozen is not None else int(time.time())
            self._frozen = base + int(seconds)

    def unfreeze(self) -> None:
        """Follow real time again."""
        with self._lock:
            self._frozen = None
