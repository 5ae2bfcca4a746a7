"""Executors over a plan: one that writes to Stripe, one that only says what it would send.

Both implement `Executor.execute(op) -> Outcome`; `run_plan` drives either,
level by level (a level starts only when the previous one finished without
failure), with bounded concurrency inside a level.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal, Protocol, assert_never

from catalogsync.apply.refs import LiveRefs, PlaceholderRefs, Recorded
from catalogsync.apply.steps import steps
from catalogsync.errors import CatalogsyncError
from catalogsync.gateway.write import Write, Writer
from catalogsync.plan.operations import (
    Adopt,
    Archive,
    AttachFeature,
    Create,
    Delete,
    DetachFeature,
    MoveDefaultPrice,
    Operation,
    Replace,
    Update,
)
from catalogsync.plan.plan import Plan, operation_id
from catalogsync.redact import redact

Category = Literal["created", "updated", "replaced", "archived", "deleted"]
CATEGORIES: tuple[Category, ...] = ("created", "updated", "replaced", "archived", "deleted")
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class Outcome:
    """What one operation sent (or, in a dry run, would send)."""

    op: Operation
    writes: tuple[Write, ...]


class Executor(Protocol):
    """Performs one operation; must be safe to call from several threads."""

    def execute(self, op: Operation) -> Outcome: ...


class StripeExecutor:
    """Sends each operation's writes through a `Writer`."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.refs = LiveRefs(writer)

    def execute(self, op: Operation) -> Outcome:
        writes = steps(op, self.refs)
        sent = []
        for planned in writes:
            write = _with_id(planned, self.refs.resolve)
            response = self.writer.send(write)
            if write.records is not None and response.get("id"):
                self.refs.record(*write.records, str(response["id"]))
            sent.append(write)
        return Outcome(op, tuple(sent))


class DryRunExecutor:
    """Computes each operation's writes without sending anything."""

    def __init__(self) -> None:
        self.refs = PlaceholderRefs()

    def execute(self, op: Operation) -> Outcome:
        writes = tuple(_with_id(w, self.refs.resolve) for w in steps(op, self.refs))
        return Outcome(op, writes)


def _with_id(write: Write, resolve: Callable[..., str]) -> Write:
    if write.path_id is None:
        return write
    path = write.path.replace("{id}", resolve(*write.path_id))
    return Write(write.method, path, write.params, write.idempotency_key, write.records)


def category(op: Operation) -> Category:
    """How an operation counts in the summary."""
    match op:
        case Create():
            return "created"
        case Update() | Adopt() | MoveDefaultPrice() | AttachFeature() | DetachFeature():
            return "updated"
        case Replace():
            return "replaced"
        case Archive():
            return "archived"
        case Delete():
            return "deleted"
        case _:
            assert_never(op)


class Progress(Protocol):
    """Told about each operation as it finishes (called from worker threads, serialised)."""

    def start(self, total: int) -> None: ...

    def done(self, op: Operation, outcome: Outcome) -> None: ...

    def failed(self, op: Operation, error: Exception) -> None: ...


class NoProgress:
    """Progress that reports nothing."""

    def start(self, total: int) -> None:
        pass

    def done(self, op: Operation, outcome: Outcome) -> None:
        pass

    def failed(self, op: Operation, error: Exception) -> None:
        pass


@dataclass
class Report:
    """What a run did: operations done by category, failures, and how long it took."""

    total: int
    done: list[Outcome] = field(default_factory=list)
    failures: list[tuple[Operation, str]] = field(default_factory=list)
    elapsed: float = 0.0

    def counts(self) -> Mapping[Category, int]:
        out = dict.fromkeys(CATEGORIES, 0)
        for outcome in self.done:
            out[category(outcome.op)] += 1
        return out

    @property
    def not_run(self) -> int:
        return self.total - len(self.done) - len(self.failures)


class ApplyFailed(CatalogsyncError):
    """One or more operations failed; the report says what was done."""

    def __init__(self, report: Report) -> None:
        self.report = report
        op, message = report.failures[0]
        done, left = len(report.done), report.not_run
        text = (
            f"operation {operation_id(op)} ({category_verb(op)} {op.target.kind} "
            f"{op.target.key!r}) failed: {message}\n"
            f"{done} of {report.total} operations were applied, "
            f"{len(report.failures)} failed, {left} were not started. "
            "Every operation is all-or-nothing in Stripe, and apply converges: fix the cause, "
            "then run `catalogsync plan` to review what is left and `catalogsync apply` "
            "to finish."
        )
        super().__init__(redact(text))


def category_verb(op: Operation) -> str:
    """`create`, `update`, … for messages."""
    return {
        "created": "create",
        "updated": "update",
        "replaced": "replace",
        "archived": "archive",
        "deleted": "delete",
    }[category(op)]


def run_plan(
    plan: Plan,
    executor: Executor,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Report:
    """Execute the plan's levels in order; raises `ApplyFailed` after the first failing level."""
    progress = progress or NoProgress()
    report = Report(total=len(plan.operations))
    started = clock()
    lock = threading.Lock()
    stop = threading.Event()
    progress.start(report.total)

    def one(op: Operation) -> None:
        if stop.is_set():
            return
        try:
            outcome = executor.execute(op)
        except CatalogsyncError as e:
            stop.set()
            with lock:
                report.failures.append((op, redact(str(e))))
                progress.failed(op, e)
            return
        with lock:
            report.done.append(outcome)
            progress.done(op, outcome)

    for ops in plan.levels():
        with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(ops)))) as pool:
            for future in [pool.submit(one, op) for op in ops]:
                future.result()
        if report.failures:
            break
    report.elapsed = clock() - started
    if report.failures:
        raise ApplyFailed(report)
    return report


__all__ = [
    "ApplyFailed",
    "DryRunExecutor",
    "Executor",
    "Outcome",
    "Progress",
    "Recorded",
    "Report",
    "StripeExecutor",
    "run_plan",
]
