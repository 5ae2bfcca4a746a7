"""The writes a `MoveSubscription` sends, as the dry-run executor computes them.

What Stripe does with them is proved end to end against the emulator
(`tests/apply/test_migrations_e2e.py`); here: which requests, in which order,
with which parameters and idempotency keys.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from catalogsync.apply.executor import DryRunExecutor
from catalogsync.apply.keys import key_for
from catalogsync.apply.words import category, describe
from catalogsync.gateway.write import scoped_key
from catalogsync.plan.operations import ItemSwap, MoveSubscription, Target

# The run scope apply's writer keys every write by (`apply.replays.key_scope`).
SCOPE = "run_1"
PERIOD_START = 1_800_000_000
PERIOD_END = PERIOD_START + 30 * 86_400


def move(at: str = "now", **changes: object) -> MoveSubscription:
    op = MoveSubscription(
        target=Target("migration", "advanced_2027", "sub_1"),
        customer="cus_1",
        swaps=(ItemSwap("si_1", "price_old", "price_new", "advanced_seat_monthly", 7),),
        at=at,
        moves_at=PERIOD_START + 86_400 if at == "now" else PERIOD_END,
        period_start=PERIOD_START,
        proration_behavior="create_prorations" if at == "now" else None,
        proration=Decimal("2310") if at == "now" else None,
        currency="usd",
        status="active",
        mrr_before=Decimal("69300"),
        mrr_after=Decimal("76300"),
        discounts=(),
    )
    return replace(op, **changes)  # type: ignore[arg-type]


def test_now_swaps_the_item_in_place_keeping_quantity_with_one_write() -> None:
    op = move()
    (write,) = DryRunExecutor(SCOPE).execute(op).writes
    assert (write.method, write.path) == ("POST", "/v1/subscriptions/sub_1")
    assert write.params == {
        "items": [{"id": "si_1", "price": "price_new", "quantity": 7}],
        "proration_behavior": "create_prorations",
        "proration_date": PERIOD_START + 86_400,
        "metadata": {"catalogsync_migration": "advanced_2027"},
    }
    assert write.idempotency_key == scoped_key(key_for(op), SCOPE)
    # Discounts are left out: omitted, Stripe keeps them (a sent [] would keep them too,
    # but a populated array would overwrite them).
    assert "discounts" not in write.params


def test_now_without_proration_behavior_sends_none_and_stripe_applies_its_default() -> None:
    (write,) = DryRunExecutor(SCOPE).execute(move(proration_behavior=None)).writes
    assert "proration_behavior" not in write.params
    assert write.params["proration_date"] == PERIOD_START + 86_400  # the default prorates


def test_now_without_prorations_sends_no_proration_date() -> None:
    (write,) = DryRunExecutor(SCOPE).execute(move(proration_behavior="none")).writes
    assert write.params["proration_behavior"] == "none"
    assert "proration_date" not in write.params


def test_a_price_the_plan_creates_is_resolved_by_its_lookup_key() -> None:
    swap = ItemSwap("si_1", "price_old", None, "advanced_seat_monthly", 2)
    (write,) = DryRunExecutor(SCOPE).execute(move(swaps=(swap,))).writes
    assert write.params["items"] == [
        {"id": "si_1", "price": "<new price advanced_seat_monthly>", "quantity": 2}
    ]


def test_renewal_attaches_a_schedule_then_sets_two_phases_with_the_discounts() -> None:
    op = move(at="renewal", discounts=("di_a", "di_b"))
    attach, phases = DryRunExecutor(SCOPE).execute(op).writes
    assert (attach.method, attach.path, attach.params) == (
        "POST",
        "/v1/subscription_schedules",
        {"from_subscription": "sub_1"},
    )
    assert phases.path == "/v1/subscription_schedules/<new migration sub_1>"
    kept = [{"discount": "di_a"}, {"discount": "di_b"}]
    assert phases.params == {
        "end_behavior": "release",
        "metadata": {"catalogsync_migration": "advanced_2027"},
        "phases": [
            {
                "items": [{"price": "price_old", "quantity": 7}],
                "start_date": PERIOD_START,
                "end_date": PERIOD_END,
                "discounts": kept,
            },
            {
                "items": [{"price": "price_new", "quantity": 7}],
                "metadata": {"catalogsync_migration": "advanced_2027"},
                "discounts": kept,
            },
        ],
    }
    assert (attach.idempotency_key, phases.idempotency_key) == (
        scoped_key(key_for(op, "schedule"), SCOPE),
        scoped_key(key_for(op, "phases"), SCOPE),
    )


def test_renewal_without_discounts_sends_no_discounts() -> None:
    _, phases = DryRunExecutor(SCOPE).execute(move(at="renewal")).writes
    assert all("discounts" not in phase for phase in phases.params["phases"])


def test_a_schedule_left_by_an_interrupted_run_gets_only_its_phases() -> None:
    op = move(at="renewal", schedule="sub_sched_left")
    (phases,) = DryRunExecutor(SCOPE).execute(op).writes
    assert phases.path == "/v1/subscription_schedules/sub_sched_left"
    assert [p["items"] for p in phases.params["phases"]] == [
        [{"price": "price_old", "quantity": 7}],
        [{"price": "price_new", "quantity": 7}],
    ]


def test_moves_count_as_moved_and_say_when() -> None:
    assert category(move()) == "moved"
    assert category(move(at="renewal")) == "scheduled"
    assert describe(move()) == (
        "moved subscription sub_1 (cus_1, migration advanced_2027) to price_new now"
    )
    assert describe(move(at="renewal")) == (
        "scheduled subscription sub_1 (cus_1, migration advanced_2027) to price_new "
        "at 2027-02-14 08:00 UTC"
    )


def test_renewal_keeps_the_items_not_moved_in_both_phases() -> None:
    op = move(at="renewal", kept=(("price_addon", 3),))
    _, phases = DryRunExecutor(SCOPE).execute(op).writes
    assert [p["items"] for p in phases.params["phases"]] == [
        [{"price": "price_old", "quantity": 7}, {"price": "price_addon", "quantity": 3}],
        [{"price": "price_new", "quantity": 7}, {"price": "price_addon", "quantity": 3}],
    ]


def test_a_date_move_sends_the_plans_proration_behavior_on_the_second_phase() -> None:
    op = move(at="2027-02-01", proration_behavior="none")
    _, phases = DryRunExecutor(SCOPE).execute(op).writes
    assert "proration_behavior" not in phases.params["phases"][0]
    assert phases.params["phases"][1]["proration_behavior"] == "none"
