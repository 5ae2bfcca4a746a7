"""Apply a plan with idempotency keys that every run of the plan shares, then check replays.

Keys are scoped by the plan's remote-state fingerprint (`gateway.write`): two
applies of one plan, started together from the same account state (two
machines, two people, a CI re-run), send the same key for each write and
Stripe executes it once — the other run's request waits out a 409 and gets
the first response back, marked ``Idempotent-Replayed``. So no object is
created twice, and each run can say how many operations the other one did.

Stripe keeps a key's response for 24 hours, and a fingerprint can come back:
fix a Dashboard edit, let someone make the same edit again, plan again the
same day — same state, same operation, same key, and Stripe would answer
"done" without doing anything. So when any write was replayed, apply reads
the account again; an operation it replayed that is still needed is applied
again with keys of this run alone (and the summary says so).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from catalogsync.apply.executor import Progress, Report, StripeExecutor, run_plan
from catalogsync.gateway.write import Writer
from catalogsync.plan.plan import Plan, operation_id

SCOPE_LENGTH = 16  # fingerprint characters in a key: ample to tell account states apart


@dataclass(frozen=True)
class Applied:
    """The plan's run, and the run of replayed operations that had to be done again."""

    report: Report
    redone: Report | None = None
    elsewhere: int = 0  # operations another run did, whose results still hold

    @property
    def failed(self) -> Report | None:
        """The run that failed, if one did."""
        runs = (self.report, self.redone)
        return next((r for r in runs if r is not None and r.failures), None)


def key_scope(plan: Plan) -> str:
    """What every key an apply of ``plan`` sends is scoped by (its account state's)."""
    return plan.fingerprint[:SCOPE_LENGTH]


def apply_shared(
    plan: Plan,
    writer: Writer,
    replan: Callable[[], Plan],
    *,
    concurrency: int,
    progress: Progress,
) -> Applied:
    """Run ``plan`` with keys shared by its concurrent runs; redo stale replays.

    ``replan`` reads the account again and plans the same catalog; it is
    called only when Stripe replayed a write, and not after a failure (the
    failed run is `Applied.failed`). Raises `ApplyInterrupted` from either run.
    """
    scope = key_scope(plan)
    report = run_plan(
        plan, StripeExecutor(writer.scoped(scope)), concurrency=concurrency, progress=progress
    )
    replayed = {operation_id(o.op) for o in report.done if o.replayed}
    if report.failures or not replayed:
        return Applied(report)
    stale = tuple(op for op in replan().operations if operation_id(op) in replayed)
    stale_ids = {operation_id(op) for op in stale}
    elsewhere = sum(o.done_elsewhere and operation_id(o.op) not in stale_ids for o in report.done)
    if not stale:
        return Applied(report, elsewhere=elsewhere)
    again = dataclasses.replace(plan, operations=stale)
    fresh = writer.scoped(f"{scope}/{secrets.token_hex(6)}")
    redone = run_plan(again, StripeExecutor(fresh), concurrency=concurrency, progress=progress)
    return Applied(report, redone, elsewhere)
