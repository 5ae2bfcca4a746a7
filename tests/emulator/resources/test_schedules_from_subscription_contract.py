"""Contract: a schedule created `from_subscription`, then given the phases of a move.

Sources: stripe-python 16 `params/_subscription_schedule_create_params.py`
(`from_subscription`: "Migrate an existing subscription to be managed by a subscription
schedule. If this parameter is set, a subscription schedule will be created using the
subscription's item(s), set to auto-renew using the subscription's interval. When using this
parameter, other parameters (such as phase values) cannot be set."),
https://docs.stripe.com/billing/subscriptions/subscription-schedules/use-cases (the current
phase keeps its `start_date`; a second phase changes the price) and the schedule object,
https://docs.stripe.com/api/subscription_schedules/object (`end_behavior`, `phases[].discounts`).
Runs against real Stripe test mode too when STRIPE_TEST_API_KEY is set.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.emulator.resources.test_subscriptions_update_contract import (
    monthly,
    only_item,
    subscriber,
)
from tests.emulator.test_contract import make_client

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def test_the_schedule_holds_the_current_period_items_and_discounts(
    client: stripe.StripeClient,
) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10, "duration": "forever"}).id
    price = monthly(client, 9900)
    sub = subscriber(client, price, quantity=4, discounts=[{"coupon": coupon}])
    item = only_item(sub)
    schedule = client.v1.subscription_schedules.create({"from_subscription": sub.id})
    assert (schedule.status, schedule.subscription, schedule.end_behavior) == (
        "active",
        sub.id,
        "release",
    )
    (phase,) = schedule.phases
    assert (phase.start_date, phase.end_date) == (
        item.current_period_start,
        item.current_period_end,
    )
    assert [(str(i.price), i.quantity) for i in phase.items] == [(price, 4)]
    assert [str(d.discount) for d in phase.discounts] == [str(d) for d in sub.discounts]
    assert client.v1.subscriptions.retrieve(sub.id).schedule == schedule.id


def test_no_other_parameter_is_taken(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscription_schedules.create(
            {"from_subscription": sub.id, "end_behavior": "cancel"}
        )
    assert info.value.http_status == 400


def test_a_scheduled_subscription_cannot_be_attached_again(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    client.v1.subscription_schedules.create({"from_subscription": sub.id})
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscription_schedules.create({"from_subscription": sub.id})
    assert info.value.http_status == 400


def test_a_second_phase_moves_the_price_at_the_period_end(client: stripe.StripeClient) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old, quantity=2)
    item = only_item(sub)
    schedule = client.v1.subscription_schedules.create({"from_subscription": sub.id})
    updated = client.v1.subscription_schedules.update(
        schedule.id,
        {
            "phases": [
                {
                    "start_date": schedule.phases[0].start_date,
                    "end_date": item.current_period_end,
                    "items": [{"price": old, "quantity": 2}],
                },
                {"items": [{"price": new, "quantity": 2}], "duration": {"interval": "month"}},
            ],
        },
    )
    first, second = updated.phases
    assert (first.start_date, first.end_date) == (
        item.current_period_start,
        item.current_period_end,
    )
    assert second.start_date == item.current_period_end
    assert [(str(i.price), i.quantity) for i in second.items] == [(new, 2)]
    # Until the boundary the subscription still bills the old price.
    assert only_item(client.v1.subscriptions.retrieve(sub.id)).price.id == old
