"""What a `MoveSubscription`'s writes do in Stripe, apart from the planner.

Each test reads a subscription, builds the operation the planner would
(`_move`), runs it through apply's `StripeExecutor` against the emulator and
reads the subscription and its billing back. The planner's side (which
subscriptions, which proration) is proved in `test_migrations_e2e.py`.

Stripe sources: in-place swap with ``items[][id]`` and the quantity reset
(stripe-python `params/_subscription_update_params.py`), ``proration_date``
("the proration will be calculated as though the subscription was updated at
the given time", same file; https://docs.stripe.com/billing/subscriptions/prorations),
``discounts`` omitted keeps them (same file).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import stripe

from catalogsync.emulator import Emulator
from catalogsync.model import MIGRATION_KEY
from catalogsync.plan.operations import ItemSwap, MoveSubscription, Target
from catalogsync.plan.plan import Plan
from tests.apply.apply_support import apply_plan

DAY = 86_400
START = 1_925_000_000  # 2030-12-31: subscriptions start here (the clock is frozen)


def _setup(
    emulator: Emulator, quantity: int = 7
) -> tuple[stripe.StripeClient, dict[str, Any], str]:
    """A subscription (``quantity`` seats at 10.00, a 20 % coupon) and a new 12.00 price."""
    client = emulator.stripe_client()
    emulator.clock.set(START)
    product = client.v1.products.create({"name": "Team"}).id
    prices = [
        client.v1.prices.create(
            {
                "product": product,
                "currency": "usd",
                "unit_amount": amount,
                "recurring": {"interval": "month"},
            }
        ).id
        for amount in (1000, 1200)
    ]
    client.v1.coupons.create({"id": "loyal20", "percent_off": 20, "duration": "forever"})
    customer = client.v1.customers.create({"email": "team@example.com"}).id
    sub = client.v1.subscriptions.create(
        {
            "customer": customer,
            "items": [{"price": prices[0], "quantity": quantity}],
            "discounts": [{"coupon": "loyal20"}],
        }
    )
    emulator.clock.set(START + 9 * DAY)
    return client, sub.to_dict(), prices[1]


def _move(sub: dict[str, Any], new_price: str, at: str, moves_at: int) -> MoveSubscription:
    (item,) = sub["items"]["data"]
    return MoveSubscription(
        target=Target("migration", "team_2031", sub["id"]),
        customer=sub["customer"],
        swaps=(ItemSwap(item["id"], item["price"]["id"], new_price, "team", item["quantity"]),),
        at=at,
        moves_at=moves_at,
        period_start=item["current_period_start"],
        proration_behavior=None,
        proration=None,
        currency="usd",
        status=sub["status"],
        mrr_before=Decimal(0),
        mrr_after=Decimal(0),
        discounts=tuple(sub["discounts"]),
    )


def _apply(client: stripe.StripeClient, op: MoveSubscription) -> None:
    apply_plan(client, Plan("digest", "acct", False, "fingerprint", (op,)))


def test_a_move_now_swaps_in_place_and_bills_the_proration_of_the_plans_time(
    emulator: Emulator,
) -> None:
    client, sub, new_price = _setup(emulator)
    planned_at = emulator.clock.now()
    (item,) = sub["items"]["data"]
    preview = client.v1.invoices.create_preview(
        {
            "subscription": sub["id"],
            "subscription_details": {
                "items": [{"id": item["id"], "price": new_price, "quantity": 7}],
                "proration_date": planned_at,
            },
        }
    ).to_dict()
    expected = sorted(
        line["amount"]
        for line in preview["lines"]["data"]
        if line["parent"]["subscription_item_details"]["proration"]
    )
    emulator.clock.set(planned_at + 3 * 3600)  # apply runs three hours after the plan
    _apply(client, _move(sub, new_price, "now", planned_at))
    after = client.v1.subscriptions.retrieve(sub["id"]).to_dict()
    assert [(i["id"], i["price"]["id"], i["quantity"]) for i in after["items"]["data"]] == [
        (item["id"], new_price, 7)
    ]
    assert after["discounts"] == sub["discounts"] != []
    assert after["metadata"] == {MIGRATION_KEY: "team_2031"}
    pending = client.v1.invoice_items.list({"customer": sub["customer"], "pending": True}).data
    # Billed as of the plan's time, not apply's: exactly what the preview showed.
    assert sorted(i.amount for i in pending if i.proration) == expected
    assert len(expected) == 2


def test_a_move_without_prorations_bills_nothing_now(emulator: Emulator) -> None:
    client, sub, new_price = _setup(emulator, quantity=3)
    op = replace(_move(sub, new_price, "now", emulator.clock.now()), proration_behavior="none")
    _apply(client, op)
    items = client.v1.subscriptions.retrieve(sub["id"]).to_dict()["items"]["data"]
    assert [(i["price"]["id"], i["quantity"]) for i in items] == [(new_price, 3)]
    assert client.v1.invoice_items.list({"customer": sub["customer"]}).data == []


def _bills_after(client: stripe.StripeClient, sub_id: str, boundary: int) -> list[tuple[str, int]]:
    """(price, quantity) of the period lines invoiced for periods from ``boundary`` on."""
    invoices = client.v1.invoices.list({"subscription": sub_id, "limit": 100}).data
    return [
        (line["pricing"]["price_details"]["price"], line["quantity"])
        for invoice in invoices
        for line in invoice.to_dict()["lines"]["data"]
        if line["period"]["start"] >= boundary
        and not line["parent"]["subscription_item_details"]["proration"]
    ]


def _assert_moved_at_renewal(
    emulator: Emulator, client: stripe.StripeClient, sub: dict[str, Any], new_price: str
) -> None:
    (item,) = sub["items"]["data"]
    end = item["current_period_end"]
    before = client.v1.subscriptions.retrieve(sub["id"]).to_dict()
    assert [i["price"]["id"] for i in before["items"]["data"]] == [item["price"]["id"]]
    schedule = client.v1.subscription_schedules.retrieve(before["schedule"]).to_dict()
    assert schedule["metadata"] == {MIGRATION_KEY: "team_2031"}
    assert [p["start_date"] for p in schedule["phases"]] == [item["current_period_start"], end]
    emulator.clock.set(end + DAY)
    after = client.v1.subscriptions.retrieve(sub["id"]).to_dict()
    assert [(i["price"]["id"], i["quantity"]) for i in after["items"]["data"]] == [
        (new_price, item["quantity"])
    ]
    assert after["discounts"] == sub["discounts"] != []  # the same discount, not a new one
    assert after["metadata"] == {MIGRATION_KEY: "team_2031"}
    assert _bills_after(client, sub["id"], end) == [(new_price, item["quantity"])]


def test_a_move_at_renewal_bills_the_new_price_from_the_period_end(emulator: Emulator) -> None:
    client, sub, new_price = _setup(emulator)
    (item,) = sub["items"]["data"]
    _apply(client, _move(sub, new_price, "renewal", item["current_period_end"]))
    # The current phase repeats the current items: the update bills nothing now.
    pending = client.v1.invoice_items.list({"customer": sub["customer"], "pending": True})
    assert pending.data == []
    _assert_moved_at_renewal(emulator, client, sub, new_price)


def test_a_schedule_left_between_the_two_writes_is_finished(emulator: Emulator) -> None:
    # What a run killed after `from_subscription` leaves: the plan names the schedule.
    client, sub, new_price = _setup(emulator)
    (item,) = sub["items"]["data"]
    left = client.v1.subscription_schedules.create({"from_subscription": sub["id"]}).id
    op = replace(_move(sub, new_price, "renewal", item["current_period_end"]), schedule=left)
    _apply(client, op)
    assert client.v1.subscriptions.retrieve(sub["id"]).schedule == left
    _assert_moved_at_renewal(emulator, client, sub, new_price)
