"""Migrations: one `MoveSubscription` for each cohort subscription still on a `from` price.

Desired state is "no subscription of the cohort is left on a `from`
price". The cohort is the subscriptions on the migration's `from` prices
(every version of a lookup key, except the price the subscribers move to)
whose status, currency and customer the migration's ``cohort`` admits,
oldest first. A subscription the plan cannot move is not an operation: it
is reported with its reason (`CohortReport`), as are the ones a schedule of
this migration already moves and the ones over the ``limit``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from catalogsync.errors import PlanError
from catalogsync.migrations import CohortItem, CohortReport, CohortSubscription, Skipped
from catalogsync.model import Catalog, Migration, Price
from catalogsync.periods import utc_day
from catalogsync.plan.operations import (
    Adopt,
    Create,
    ItemSwap,
    MoveSubscription,
    Operation,
    Replace,
    Target,
    Update,
)
from catalogsync.proration import NotBillable, monthly, period_amount, proration_lines
from catalogsync.state import RemoteState


@dataclass(frozen=True)
class CohortPlan:
    """A migration's moves and what it leaves alone."""

    moves: tuple[MoveSubscription, ...]
    report: CohortReport


@dataclass(frozen=True)
class _Target:
    """The price a move moves to: its id (None: created by this plan) and its terms."""

    key: str
    id: str | None
    price: Price


def compare(desired: Catalog, remote: RemoteState, ops: Sequence[Operation]) -> Iterator[Operation]:
    for migration in desired.migrations.values():
        yield from plan_cohort(migration, desired, remote, ops).moves


def reports(
    desired: Catalog, remote: RemoteState, ops: Sequence[Operation]
) -> dict[str, CohortReport]:
    """Per migration, what the plan does not move (only migrations that leave some)."""
    out = {}
    for key, migration in sorted(desired.migrations.items()):
        report = plan_cohort(migration, desired, remote, ops).report
        if report != CohortReport():
            out[key] = report
    return out


def plan_cohort(
    migration: Migration, catalog: Catalog, remote: RemoteState, ops: Sequence[Operation]
) -> CohortPlan:
    """The moves of one migration, and the report of what it does not move."""
    state = remote.migrations
    targets = [_target(move.to, catalog, remote, ops) for move in migration.moves]
    moving: dict[str, _Target] = {}  # from price id -> where it moves
    for target, ids in zip(targets, state.sources.get(migration.key, ()), strict=True):
        moving.update({pid: target for pid in ids if pid != target.id})
    subscriptions = sorted(
        (s for s in state.subscriptions.values() if _in_cohort(s, migration, moving)),
        key=lambda s: (s.created, s.id),
    )
    moves: list[MoveSubscription] = []
    skipped: list[Skipped] = []
    scheduled: list[str] = []
    waiting: list[str] = []
    for sub in subscriptions:
        outcome = _outcome(sub, migration, moving, remote)
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        elif outcome is None:
            scheduled.append(sub.id)
        elif migration.cohort.limit is not None and len(moves) >= migration.cohort.limit:
            waiting.append(sub.id)
        else:
            moves.append(outcome)
    report = CohortReport(tuple(skipped), tuple(scheduled), tuple(waiting))
    return CohortPlan(tuple(moves), report)


def _target(key: str, catalog: Catalog, remote: RemoteState, ops: Sequence[Operation]) -> _Target:
    """The price holding ``key`` after this plan: its id when it exists and keeps it.

    Its terms are the catalog's: a price this plan does not replace bills
    what the catalog says.
    """
    price = catalog.prices[key]
    for op in ops:
        if op.target.kind == "price" and op.target.key == key:
            if isinstance(op, Create | Replace):
                return _Target(key, None, price)
            if isinstance(op, Update | Adopt):
                return _Target(key, op.target.stripe_id, price)
    current = remote.prices.managed.get(key)
    return _Target(key, current.id if current else None, price)


def _in_cohort(
    sub: CohortSubscription, migration: Migration, moving: Mapping[str, _Target]
) -> bool:
    """On a `from` price, with a status, currency and customer the cohort admits."""
    cohort = migration.cohort
    wanted = cohort.customer_metadata
    return (
        any(item.price in moving for item in sub.items)
        and sub.status in cohort.statuses
        and (cohort.currencies is None or sub.currency in cohort.currencies)
        and sub.customer not in cohort.exclude_customers
        and all((sub.customer_metadata or {}).get(k) == v for k, v in wanted.items())
    )


def _outcome(
    sub: CohortSubscription,
    migration: Migration,
    moving: Mapping[str, _Target],
    remote: RemoteState,
) -> MoveSubscription | Skipped | None:
    """The subscription's move; a `Skipped` with its reason; None when already scheduled."""
    schedule = remote.migrations.schedules.get(sub.schedule or "")
    interrupted = None
    if sub.more_items:
        return _skip(sub, "more than one page of items; catalogsync reads the first page only")
    if schedule is not None:
        if schedule.owner == "migration" and schedule.key == migration.key:
            return None
        if schedule.owner == "interrupted" and migration.at != "now":
            interrupted = schedule.id
        else:
            return _skip(sub, _schedule_reason(schedule.owner, schedule.key, schedule.id))
    swaps = [(item, moving[item.price]) for item in sub.items if item.price in moving]
    try:
        return _move(sub, migration, swaps, remote, interrupted)
    except NotBillable as e:
        return _skip(sub, str(e))


def _schedule_reason(owner: str, key: str | None, schedule: str) -> str:
    if owner == "migration":
        return f"scheduled to move by migration {key} ({schedule})"
    if owner == "deal":
        return (
            f"billed by deal {key}'s schedule {schedule} (deals keep the price they were signed at)"
        )
    return f"has a schedule catalogsync does not manage ({schedule}); it is never overwritten"


def _move(
    sub: CohortSubscription,
    migration: Migration,
    swaps: list[tuple[CohortItem, _Target]],
    remote: RemoteState,
    interrupted: str | None,
) -> MoveSubscription | Skipped:
    prices = remote.migrations.prices
    pairs = [(prices[item.price].resource, target.price, item) for item, target in swaps]
    if migration.at == "now":
        for old, new, _ in pairs:
            if _interval(old) != _interval(new):
                return _skip(sub, _interval_reason(old, new))
    first = swaps[0][0]
    moves_at = _moves_at(migration, first, remote.migrations.read_at)
    swapped = {item.id for item, _ in swaps}
    from_keys = [old.lookup_key for old, _, _ in pairs]
    return MoveSubscription(
        target=Target("migration", migration.key, sub.id),
        customer=sub.customer,
        swaps=tuple(
            ItemSwap(item.id, item.price, target.id, target.key, item.quantity, key)
            for (item, target), key in zip(swaps, from_keys, strict=True)
        ),
        at=str(migration.at),
        moves_at=moves_at,
        period_start=first.period_start,
        # A date can fall inside a period: moving then without prorating, the
        # period already invoiced keeps the old price (the plan says so).
        proration_behavior="none"
        if isinstance(migration.at, date)
        else migration.proration_behavior,
        proration=_proration(sub, migration, pairs, moves_at),
        currency=sub.currency,
        status=sub.status,
        mrr_before=_mrr([(old, item.quantity) for old, _, item in pairs], sub.currency),
        mrr_after=_mrr([(new, item.quantity) for _, new, item in pairs], sub.currency),
        discounts=sub.discounts,
        kept=tuple((i.price, i.quantity) for i in sub.items if i.id not in swapped),
        schedule=interrupted,
        source=migration.source,
    )


def _moves_at(migration: Migration, item: CohortItem, read_at: int) -> int:
    """When the subscription moves: the account's clock, its period end, or the date."""
    if migration.at == "now":
        if not item.period_start <= read_at < item.period_end:
            raise PlanError(
                f"migration {migration.key}: the account's clock ({read_at}) is outside the "
                f"current period of item {item.id}; plan again"
            )
        return read_at
    if migration.at == "renewal":
        return item.period_end
    moment = _midnight(migration.at)
    if moment <= read_at:
        raise PlanError(
            f"migration {migration.key}: at {migration.at} has passed (the account's clock "
            f"is {utc_day(read_at)}) and subscriptions are still on a `from` price; a "
            "schedule cannot move them in the past: use at: now or a later date"
        )
    return moment


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _proration(
    sub: CohortSubscription,
    migration: Migration,
    pairs: list[tuple[Price, Price, CohortItem]],
    moment: int,
) -> Decimal | None:
    """The net proration an ``at: now`` move invoices (nothing is billed in a trial).

    None for a discounted subscription: see below.
    """
    if migration.at != "now" or migration.proration_behavior == "none":
        return None
    if sub.status == "trialing":
        return Decimal(0)
    if sub.discounts:
        # Stripe nets the subscription's discounts into its proration lines
        # (docs.stripe.com/billing/subscriptions/prorations, "Prorations and
        # discounts"): the plan takes that amount from Stripe's preview instead
        # (`pipeline.prorations.discounted`), never a guess.
        return None
    total = Decimal(0)
    for old, new, item in pairs:
        credit, charge = proration_lines(
            period_amount(old, sub.currency, item.quantity),
            period_amount(new, sub.currency, item.quantity),
            (item.period_start, item.period_end),
            moment,
        )
        total += credit + charge
    return total


def _mrr(items: list[tuple[Price, int]], currency: str) -> Decimal:
    total = Decimal(0)
    for price, quantity in items:
        if price.recurring is None:
            raise NotBillable(f"price {price.lookup_key or '?'} is not recurring")
        total += monthly(period_amount(price, currency, quantity), price.recurring)
    return total


def _interval(price: Price) -> tuple[str, int] | None:
    return (price.recurring.interval, price.recurring.interval_count) if price.recurring else None


def _interval_reason(old: Price, new: Price) -> str:
    return (
        f"{old.lookup_key or 'its price'} and {new.lookup_key} bill at different intervals: "
        "a price swap now would reset the billing date; move it at renewal or on a date"
    )


def _skip(sub: CohortSubscription, reason: str) -> Skipped:
    return Skipped(sub.id, sub.customer, reason)
