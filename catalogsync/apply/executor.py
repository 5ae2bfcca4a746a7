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
from dataclasses import dataclass, field, replace
from typing import Protocol

from catalogsync.apply.refs import LiveRefs, PlaceholderRefs, Recorded
from catalogsync.apply.steps import steps
from catalogsync.apply.words import CATEGORIES, Category, category, category_verb, describe
from catalogsync.config import DEFAULT_CONCURRENCY
from catalogsync.errors import ApplyFailed, ApplyInterrupted, CatalogsyncError
from catalogsync.gateway.write import Write, Writer, scoped_key
from catalogsync.plan.operations import Operation
from catalogsync.plan.plan import Plan, operation_id
from catalogsync.redact import redact


@dataclass(frozen=True)
class Outcome:
    """What one operation sent (or, in a dry run, would send).

    ``replayed``: how many of its writes Stripe answered with another run's
    result (same idempotency key; `gateway.write.Sent`).
    """

    op: Operation
    writes: tuple[Write, ...]
    replayed: int = 0

    @property
    def done_elsewhere(self) -> bool:
        """Every write was another run's: this run changed nothing for the operation."""
        return bool(self.writes) and self.replayed == len(self.writes)


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
        replayed = 0
        for planned in writes:
            write = _with_id(planned, self.refs.resolve)
            response = self.writer.send(write)
            if write.records is not None and response.data.get("id"):
                self.refs.record(*write.records, str(response.data["id"]))
            sent.append(write)
            replayed += response.replayed
        return Outcome(op, tuple(sent), replayed)


class DryRunExecutor:
    """Computes each operation's writes as apply sends them, without sending anything.

    ``scope`` is what apply's writer scopes keys by (`apply.replays.key_scope`),
    so each write carries the ``Idempotency-Key`` apply sends; an object the
    run would create shows as ``<new kind key>`` where apply sends its id.
    """

    def __init__(self, scope: str) -> None:
        self.refs = PlaceholderRefs()
        self.scope = scope

    def execute(self, op: Operation) -> Outcome:
        writes = [_with_id(w, self.refs.resolve) for w in steps(op, self.refs)]
        sent = (
            replace(w, idempotency_key=scoped_key(w.idempotency_key, self.scope)) for w in writes
        )
        return Outcome(op, tuple(sent))


def _with_id(write: Write, resolve: Callable[..., str]) -> Write:
    if write.path_id is None:
        return write
    path = write.path.replace("{id}", resolve(*write.path_id))
    return Write(write.method, path, write.params, write.idempotency_key, write.records)


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


def apply_failed(report: Report) -> ApplyFailed:
    """The error for a run with failures: the first, what was applied, how to finish."""
    op, message = report.failures[0]
    done, left = len(report.done), report.not_run
    text = (
        f"operation {operation_id(op)} ({category_verb(op)} {op.target.kind} "
        f"{op.target.key!r}) failed: {message}\n"
        f"{done} of {report.total} operations were applied, "
        f"{len(report.failures)} failed, {left} were not started. "
        "An operation of several writes (a replace) may have stopped partway; apply "
        "converges from whatever state it finds: fix the cause, then run "
        "`catalogsync plan` to review what is left and `catalogsync apply` to finish."
    )
    return ApplyFailed(redact(text))


def apply_interrupted(report: Report) -> ApplyInterrupted:
    """The error for a run Ctrl-C stopped: what was applied before it stopped."""
    done, left = len(report.done), report.not_run
    counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
    lines = [
        f"apply interrupted (Ctrl-C): {done} of {report.total} operations were applied "
        f"({counts}), {len(report.failures)} failed, {left} were not started."
    ]
    shown = report.done[:_LISTED]
    lines += [f"  {operation_id(o.op)}: {describe(o.op)}" for o in shown]
    if done > len(shown):
        lines.append(f"  … and {done - len(shown)} more")
    lines.append(
        "The operations in flight were finished before stopping, so none is left half "
        "done: run `catalogsync plan` to review what is left and `catalogsync apply` "
        "to finish."
    )
    return ApplyInterrupted(redact("\n".join(lines)))


_LISTED = 20  # operations named in an interrupted run's summary; the rest are counted


def run_plan(
    plan: Plan,
    executor: Executor,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Report:
    """Execute the plan's levels in order, stopping after the first level with a failure.

    The report lists what was done and what failed (`apply_failed` words it);
    Ctrl-C raises `ApplyInterrupted` once the operations in flight finished.
    """
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

    try:
        for ops in plan.levels():
            with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(ops)))) as pool:
                futures = [pool.submit(one, op) for op in ops]
                try:
                    for future in futures:
                        future.result()
                except KeyboardInterrupt:
                    # Operations not started are skipped; the ones in flight finish
                    # (leaving the pool waits for them), so none is left half done.
                    stop.set()
                    raise
            if report.failures:
                break
    except KeyboardInterrupt:
        report.elapsed = clock() - started
        raise apply_interrupted(report) from None
    report.elapsed = clock() - started
    return report


__all__ = [
    "DryRunExecutor",
    "Executor",
    "Outcome",
    "Progress",
    "Recorded",
    "Report",
    "StripeExecutor",
    "run_plan",
]
