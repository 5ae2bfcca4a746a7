"""Progress while a plan runs: a bar on a terminal, one line per operation in CI logs."""

from __future__ import annotations

from collections.abc import Callable

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichBar

from catalogsync.apply.executor import Outcome
from catalogsync.apply.words import describe, intent
from catalogsync.plan.operations import Operation
from catalogsync.plan.plan import operation_id
from catalogsync.redact import redact


def failure_line(op: Operation, error: Exception) -> str:
    """`failed to create price x (op_…): HTTP 400 …` — never "FAILED created price x"."""
    return redact(f"failed to {intent(op)} ({operation_id(op)}): {error}")


class LineProgress:
    """One line per finished operation, for logs (``emit`` prints a line)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._total = 0
        self._count = 0

    def start(self, total: int) -> None:
        self._total = total

    def done(self, op: Operation, outcome: Outcome) -> None:
        self._count += 1
        self._emit(f"[{self._count}/{self._total}] {describe(op)}")

    def failed(self, op: Operation, error: Exception) -> None:
        self._count += 1
        self._emit(f"[{self._count}/{self._total}] {failure_line(op, error)}")

    def close(self) -> None:
        pass


class RichProgress:
    """A progress bar on the terminal (rich), with the last operation beside it."""

    def __init__(self) -> None:
        self._bar = RichBar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        )
        self._task = self._bar.add_task("applying", total=None)
        self._open = False

    def start(self, total: int) -> None:
        self._bar.update(self._task, total=total)
        self._bar.start()
        self._open = True

    def done(self, op: Operation, outcome: Outcome) -> None:
        self._bar.update(self._task, advance=1, description=describe(op)[:40].ljust(40))

    def failed(self, op: Operation, error: Exception) -> None:
        self._bar.update(self._task, advance=1)
        self._bar.console.print(failure_line(op, error))

    def close(self) -> None:
        if self._open:
            self._bar.stop()
            self._open = False
