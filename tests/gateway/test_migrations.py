"""Reading a migration's cohort: one list per `from` price (the pagination floor); Stripe's clock.

Counted with the emulator's request counter (never timed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pytest
import stripe

from catalogsync.catalog import load_catalog
from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.gateway.migrations import schedule_ref, subscription
from catalogsync.migrations import ScheduleRef
from catalogsync.model import MANAGED_KEY, MIGRATION_KEY
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.operations import MoveSubscription, Operation, Replace
from tests.deal_support import apply
from tests.plan.migration_support import (
    NOW,
    TODAY,
    account_at_85,
    plan_for,
    price_id,
    subscribe,
    write_catalog,
)

MIGRATION = """\
kind: Migration
key: raise_2027
at: %(at)s
moves:
  - {from: advanced_seat, to: advanced_seat}
  - {from: {id: %(legacy)s}, to: advanced_seat}
"""


def _legacy(client: stripe.StripeClient) -> str:
    """A price made outside catalogsync, without a lookup key."""
    price = client.v1.prices.create(
        {
            "product": "advanced",
            "currency": "usd",
            "unit_amount": 7000,
            "recurring": {"interval": "month"},
        }
    )
    return price.id


def _moves(operations: Iterable[Operation]) -> list[MoveSubscription]:
    return [op for op in operations if isinstance(op, MoveSubscription)]


def test_the_cohort_costs_one_page_per_hundred_subscriptions_of_each_from_price(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    emulator.clock.set(NOW)
    catalog, old = account_at_85(stripe_client, tmp_path / "catalog")
    legacy = _legacy(stripe_client)
    for n in range(150):
        subscribe(stripe_client, old, quantity=1 + n % 3)
    for _ in range(30):
        subscribe(stripe_client, legacy)
    # The price rises: the plan replaces it and moves every subscriber of both old prices.
    write_catalog(catalog, "99.00", "95.00", MIGRATION % {"at": "renewal", "legacy": legacy})
    emulator.reset_counters()
    plan = plan_for(stripe_client, catalog)
    lists = emulator.counters()[("GET", "/v1/subscriptions")]
    assert lists == math.ceil(150 / 100) + math.ceil(30 / 100)
    moves = _moves(plan.operations)
    assert len(moves) == 180
    assert any(
        isinstance(op, Replace) and op.target.key == "advanced_seat" for op in plan.operations
    )
    # The new price is created by this plan: the moves name it by key.
    assert {s.to_price for op in moves for s in op.swaps} == {None}
    assert {s.from_price for op in moves for s in op.swaps} == {old, legacy}


def test_a_replaced_version_still_stands_for_its_key(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    emulator.clock.set(NOW)
    catalog, old = account_at_85(stripe_client, tmp_path / "catalog")
    sub = subscribe(stripe_client, old, quantity=2)
    write_catalog(catalog, "99.00", "95.00")
    apply(stripe_client, plan_for(stripe_client, catalog))  # replaced: old is archived, keyless
    new = price_id(stripe_client, "advanced_seat")
    legacy = _legacy(stripe_client)
    write_catalog(catalog, "99.00", "95.00", MIGRATION % {"at": "now", "legacy": legacy})
    emulator.clock.set(NOW + 86_400)
    (move,) = _moves(plan_for(stripe_client, catalog).operations)
    assert move.target.stripe_id == sub.id
    (swap,) = move.swaps
    assert (swap.from_price, swap.from_lookup_key, swap.to_price, swap.quantity) == (
        old,
        "advanced_seat",
        new,
        2,
    )
    # The plan's clock is the account's (the Date header), not this machine's.
    assert move.moves_at == NOW + 86_400


def test_customers_are_expanded_only_for_a_metadata_filter(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    emulator.clock.set(NOW)
    catalog, old = account_at_85(stripe_client, tmp_path / "catalog")
    smb = subscribe(stripe_client, old, customer={"metadata": {"segment": "smb"}})
    subscribe(stripe_client, old, customer={"metadata": {"segment": "enterprise"}})
    migration = (
        "kind: Migration\nkey: smb\nat: renewal\n"
        "moves: [{from: advanced_seat, to: advanced_seat}]\n"
        "cohort: {customer_metadata: {segment: smb}}\n"
    )
    write_catalog(catalog, "99.00", "95.00", migration)
    (move,) = _moves(plan_for(stripe_client, catalog).operations)
    assert move.target.stripe_id == smb.id


def _schedule(metadata: dict[str, str], phases: int = 1, created: int = 20) -> dict[str, object]:
    phase = {"items": [{"price": "price_old", "quantity": 1}], "start_date": 0, "end_date": 100}
    return {
        "id": "sched_1",
        "status": "active",
        "created": created,
        "metadata": metadata,
        "phases": [phase] * phases,
    }


SUB = subscription(
    {
        "id": "sub_1",
        "customer": "cus_1",
        "status": "active",
        "currency": "usd",
        "created": 10,
        "schedule": "sched_1",
        "items": {
            "data": [
                {
                    "id": "si_1",
                    "price": {"id": "price_old"},
                    "quantity": 1,
                    "current_period_start": 0,
                    "current_period_end": 100,
                }
            ],
            "has_more": False,
        },
    }
)


def test_a_schedule_is_told_by_its_metadata_or_by_mirroring_its_subscription() -> None:
    assert schedule_ref(_schedule({MIGRATION_KEY: "m"}), SUB) == ScheduleRef(
        "sched_1", "migration", "m"
    )
    deal = {MANAGED_KEY: "true", "catalogsync_key": "acme"}
    assert schedule_ref(_schedule(deal), SUB) == ScheduleRef("sched_1", "deal", "acme")
    # What `from_subscription` made and an interrupted apply left: no metadata, one
    # phase with the subscription's items ending with its period, created after it.
    assert schedule_ref(_schedule({}), SUB).owner == "interrupted"
    assert schedule_ref(_schedule({"owner": "sales"}), SUB).owner == "foreign"
    assert schedule_ref(_schedule({}, phases=2), SUB).owner == "foreign"
    # Made before the subscription existed: not `from_subscription`'s.
    assert schedule_ref(_schedule({}, created=9), SUB).owner == "foreign"
    assert schedule_ref(_schedule({}, created=10), SUB).owner == "interrupted"


def test_subscriber_counts_of_a_from_price_come_from_the_cohort_lists(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    emulator.clock.set(NOW)
    catalog, old = account_at_85(stripe_client, tmp_path / "catalog")
    legacy = _legacy(stripe_client)
    for n in range(120):
        subscribe(stripe_client, old, trial_period_days=14 if n % 4 == 0 else None)
    write_catalog(catalog, "99.00", "95.00", MIGRATION % {"at": "renewal", "legacy": legacy})
    emulator.reset_counters()
    plan = make_plan(stripe_client, load_catalog(catalog, now=TODAY), livemode=False)
    # The replaced price's subscribers were counted from the cohort's own list: one pass.
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 2 + 1
    assert plan.impact == {old: {"active": 90, "trialing": 30}}


def test_a_from_key_the_plan_creates_has_no_subscribers_yet(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    # A fresh account: the catalog's prices and its migration arrive in one plan.
    emulator.clock.set(NOW)
    migration = "kind: Migration\nkey: raise_2027\nat: renewal\n"
    migration += "moves:\n  - {from: advanced_seat, to: advanced_seat}\n"
    catalog = write_catalog(tmp_path / "catalog", "99.00", "95.00", migration)
    plan = plan_for(stripe_client, catalog)
    assert _moves(plan.operations) == []
    assert "advanced_seat" in {op.target.key for op in plan.operations}
    apply(stripe_client, plan)
    assert plan_for(stripe_client, catalog).operations == ()


def test_a_from_key_neither_the_catalog_nor_the_account_has_is_refused(
    emulator: Emulator, stripe_client: stripe.StripeClient, tmp_path: Path
) -> None:
    emulator.clock.set(NOW)
    catalog, _ = account_at_85(stripe_client, tmp_path / "catalog")
    migration = "kind: Migration\nkey: raise_2027\nat: renewal\n"
    migration += "moves:\n  - {from: starter_seat, to: advanced_seat}\n"
    write_catalog(catalog, "85.00", "80.00", migration)
    with pytest.raises(PlanError, match="no price in this account holds or held the lookup key"):
        plan_for(stripe_client, catalog)
