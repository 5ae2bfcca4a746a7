"""The plan pipeline: read the account, compare, read the subscriber impact."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import stripe

from catalogsync.catalog import LoadedCatalog
from catalogsync.config import DEFAULT_CONCURRENCY, Environment
from catalogsync.gateway.connect import connect
from catalogsync.gateway.read import read_impact, read_state
from catalogsync.gcpause import paused_gc
from catalogsync.pipeline.prorations import check_prorations, discounted
from catalogsync.plan.compare import compare
from catalogsync.plan.compare.migrations import reports as migration_reports
from catalogsync.plan.coupon_deals import check_coupon_deals
from catalogsync.plan.guards import check_catalog_not_empty, check_dated_creates, destructive
from catalogsync.plan.notes import notes
from catalogsync.plan.operations import Archive, MoveSubscription, Operation, Replace
from catalogsync.plan.plan import Plan
from catalogsync.state import RemoteState, fingerprint
from catalogsync.transport.ratelimit import TokenBucket, default_rate


def make_plan(
    client: stripe.StripeClient,
    loaded: LoadedCatalog,
    *,
    livemode: bool,
    impact: bool = True,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = None,
) -> Plan:
    """Read what the catalog needs from the account and compute the plan.

    ``impact`` adds subscriber counts (by billable status) for prices the
    plan replaces or archives. Reads are paced at ``rate`` requests a second (default:
    apply's default for the mode).
    """
    with paused_gc():  # the state and plan values are large and acyclic (gcpause.py)
        state = read_state(
            client, loaded.catalog, livemode=livemode, concurrency=concurrency, rate=rate
        )
        return plan_for_state(
            client, loaded, state, impact=impact, concurrency=concurrency, rate=rate
        )


def plan_for_state(
    client: stripe.StripeClient,
    loaded: LoadedCatalog,
    state: RemoteState,
    *,
    impact: bool = True,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = None,
) -> Plan:
    """The plan for ``loaded`` against a state already read (`drift` reads it once)."""
    operations = compare(loaded.catalog, state)
    check_catalog_not_empty(loaded.catalog, operations)
    check_dated_creates(loaded, operations)
    check_coupon_deals(operations, state)
    limiter = TokenBucket(rate or default_rate(state.livemode))
    operations = discounted(client, operations, limiter)
    moves = [op for op in operations if isinstance(op, MoveSubscription)]
    check_prorations(client, moves, limiter)
    counts = {}
    if impact:
        # A migration listed its `from` prices' subscriptions already: not twice.
        impacted = list(impacted_prices(operations))
        listed = state.migrations.impact(impacted)
        unlisted = [pid for pid in impacted if pid not in listed]
        counts = listed | read_impact(client, unlisted, concurrency=concurrency, rate=rate)
    return Plan(
        catalog_digest=loaded.digest,
        account_id=state.account_id,
        livemode=state.livemode,
        fingerprint=fingerprint(state),
        operations=operations,
        impact=counts,
        destructive=destructive(operations, state),
        notes=notes(loaded.catalog, operations, state),
        deals=deals_using(state, impacted_prices(operations)),
        migrations=migration_reports(loaded.catalog, state, operations),
    )


def plan_environment(env: Environment, loaded: LoadedCatalog, *, impact: bool = True) -> Plan:
    """Connect to ``env`` and compute the plan for ``loaded`` (`apply` re-plans with this)."""
    connection = connect(env)
    try:
        return make_plan(
            connection.client,
            loaded,
            livemode=connection.livemode,
            impact=impact,
            concurrency=env.concurrency,
            rate=env.rate_limit,
        )
    finally:
        connection.close()


def deals_using(state: RemoteState, price_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The live deals whose schedules use each of ``price_ids`` (from the state: no request)."""
    wanted = set(price_ids)
    using: dict[str, list[str]] = {}
    for key, schedule in sorted(state.deals.schedules.items()):
        if schedule.resource.live():
            for price_id in sorted(set(schedule.resource.price_ids.values()) & wanted):
                using.setdefault(price_id, []).append(key)
    return {price_id: tuple(keys) for price_id, keys in using.items()}


def impacted_prices(operations: Sequence[Operation]) -> Iterator[str]:
    """Ids of existing prices a plan replaces or archives."""
    for op in operations:
        price = isinstance(op, Replace | Archive) and op.target.kind == "price"
        if price and op.target.stripe_id:
            yield op.target.stripe_id
