"""Gather `migrations report KEY`: moved, scheduled (Stripe), to move and skipped (the plan).

- moved: subscriptions carrying ``catalogsync_migration: KEY`` (written by the
  swap at ``now``, or by the schedule's second phase when it starts);
- scheduled: open schedules carrying the marker whose subscription has not
  moved yet; ``when`` is the start of their second phase;
- to move: the plan's `MoveSubscription` operations for KEY;
- waiting: over the cohort's ``limit``, for a later apply (the plan says which);
- skipped: the subscriptions the plan leaves alone, with its reasons.

Two paged lists (every subscription, every schedule: Stripe cannot filter
either by metadata outside search, which is eventually consistent), read
through the account's rate limiter.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

import stripe

from catalogsync.catalog import LoadedCatalog
from catalogsync.config import Environment
from catalogsync.gateway.connect import connect
from catalogsync.gateway.fetch import list_all, raw_lister
from catalogsync.migrations import CohortReport, Skipped
from catalogsync.model import MIGRATION_KEY
from catalogsync.periods import utc_minute
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.operations import MoveSubscription
from catalogsync.plan.plan import Plan
from catalogsync.render.migration_report import MigrationReport, ReportRow
from catalogsync.transport.ratelimit import TokenBucket, default_rate

_OPEN = ("not_started", "active")


def report_environment(env: Environment, loaded: LoadedCatalog, key: str) -> MigrationReport:
    """Connect to ``env``, plan ``loaded`` and report where migration ``key`` stands."""
    with closing(connect(env)) as connection:
        client = connection.client
        plan = make_plan(
            client,
            loaded,
            livemode=connection.livemode,
            impact=False,
            concurrency=env.concurrency,
            rate=env.rate_limit,
        )
        limiter = TokenBucket(env.rate_limit or default_rate(connection.livemode))
        return gather_report(client, plan, key, limiter=limiter)


def gather_report(
    client: stripe.StripeClient, plan: Plan, key: str, *, limiter: TokenBucket | None = None
) -> MigrationReport:
    """Where every subscription of migration ``key`` stands (``plan``: a fresh plan)."""
    subscriptions = list_all(
        raw_lister(client, "/v1/subscriptions"), {"status": "all"}, limiter=limiter
    )
    schedules = list_all(raw_lister(client, "/v1/subscription_schedules"), limiter=limiter)
    subscriptions.sort(key=lambda s: (s["created"], s["id"]))  # oldest first, as moved
    moved = [s for s in subscriptions if _marked(s, key)]
    moved_ids = {s["id"] for s in moved}
    by_id = {s["id"]: s for s in subscriptions}
    rows = [_moved(s) for s in moved]
    pending = [
        _scheduled(schedule, by_id.get(schedule["subscription"]))
        for schedule in schedules
        if _marked(schedule, key)
        and schedule["status"] in _OPEN
        and schedule["subscription"] not in moved_ids
    ]
    rows += sorted(pending, key=lambda row: (row.when or 0, row.subscription))
    rows += [
        _to_move(op)
        for op in plan.operations
        if isinstance(op, MoveSubscription) and op.target.key == key
    ]
    cohort = plan.migrations.get(key, CohortReport())
    rows += [_waiting(by_id[sub_id]) for sub_id in cohort.waiting]
    rows += [_skipped(skipped, by_id.get(skipped.subscription)) for skipped in cohort.skipped]
    return MigrationReport(key, plan.account_id, tuple(rows))


def _marked(obj: dict[str, Any], key: str) -> bool:
    return (obj.get("metadata") or {}).get(MIGRATION_KEY) == key


def _moved(sub: dict[str, Any]) -> ReportRow:
    prices = ", ".join(item["price"]["id"] for item in sub["items"]["data"])
    return ReportRow("moved", sub["id"], sub["customer"], sub["status"], f"bills {prices}")


def _scheduled(schedule: dict[str, Any], sub: dict[str, Any] | None) -> ReportRow:
    moves_at = int(schedule["phases"][-1]["start_date"])
    return ReportRow(
        "scheduled",
        schedule["subscription"],
        schedule["customer"],
        sub["status"] if sub else "",
        f"schedule {schedule['id']}",
        moves_at,
    )


def _to_move(op: MoveSubscription) -> ReportRow:
    prices = ", ".join(s.to_price or s.to_lookup_key for s in op.swaps)
    how = "now" if op.at == "now" else f"at {utc_minute(op.moves_at)}"
    detail = f"to {prices} {how}"
    assert op.target.stripe_id is not None
    return ReportRow("to_move", op.target.stripe_id, op.customer, op.status, detail, op.moves_at)


def _waiting(sub: dict[str, Any]) -> ReportRow:
    reason = "over the cohort's limit: a later apply moves it"
    return ReportRow("waiting", sub["id"], sub["customer"], sub["status"], reason)


def _skipped(skipped: Skipped, sub: dict[str, Any] | None) -> ReportRow:
    status = sub["status"] if sub else ""
    return ReportRow("skipped", skipped.subscription, skipped.customer, status, skipped.reason)
