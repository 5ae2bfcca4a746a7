"""Contract: a subscription's status and currency, as Stripe sets them.

Sources: the `stripe` package's `Subscription.status` docstring ("A subscription
that is currently in a trial period is `trialing` and moves to `active` when the
trial period is over"; "it becomes `past_due` when payment is required but cannot
be paid"), `params/_subscription_create_params.py` (`trial_period_days`,
`trial_end` with the special value `now`, `currency`), and
https://docs.stripe.com/payments/checkout/multi-currency-prices (a price's
`currency_options` give its amount in each currency the subscription may use).
The tests marked `stripe_live` also run against real Stripe test mode when
STRIPE_TEST_API_KEY is set; a trial needs no payment method there either.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.emulator.test_contract import make_client, uniq

DAY = 86_400


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _seat(client: stripe.StripeClient) -> stripe.Price:
    product = client.v1.products.create({"name": "Seat", "id": uniq("prod_sub")})
    return client.v1.prices.create(
        {
            "product": product.id,
            "currency": "usd",
            "unit_amount": 9900,
            "recurring": {"interval": "month"},
            "currency_options": {"eur": {"unit_amount": 9500}},
        }
    )


def _customer(client: stripe.StripeClient) -> str:
    return client.v1.customers.create({"email": f"{uniq('c')}@example.com"}).id


@pytest.mark.stripe_live
def test_trial_period_days_gives_trialing(client: stripe.StripeClient) -> None:
    price = _seat(client)
    sub = client.v1.subscriptions.create(
        {"customer": _customer(client), "items": [{"price": price.id}], "trial_period_days": 14}
    )
    assert sub.status == "trialing"
    assert sub.trial_end is not None
    assert sub.trial_start is not None
    assert sub.trial_end - sub.trial_start == 14 * DAY


@pytest.mark.stripe_live
def test_trial_end_timestamp_gives_trialing(client: stripe.StripeClient) -> None:
    price = _seat(client)
    customer = _customer(client)
    probe = client.v1.subscriptions.create(
        {"customer": customer, "items": [{"price": price.id}], "trial_period_days": 1}
    )
    assert probe.trial_start is not None
    end = probe.trial_start + 30 * DAY
    sub = client.v1.subscriptions.create(
        {"customer": customer, "items": [{"price": price.id}], "trial_end": end}
    )
    assert (sub.status, sub.trial_end) == ("trialing", end)


@pytest.mark.stripe_live
def test_currency_selects_the_currency_option(client: stripe.StripeClient) -> None:
    price = _seat(client)
    sub = client.v1.subscriptions.create(
        {
            "customer": _customer(client),
            "items": [{"price": price.id}],
            "currency": "eur",
            "trial_period_days": 7,  # no payment method needed
        }
    )
    assert sub.currency == "eur"
    assert sub["items"].data[0].price.id == price.id
    listed = client.v1.subscriptions.list({"price": price.id, "status": "trialing"})
    assert [s.id for s in listed.data] == [sub.id]


@pytest.mark.stripe_live
def test_currency_without_an_option_is_refused(client: stripe.StripeClient) -> None:
    price = _seat(client)
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.create(
            {
                "customer": _customer(client),
                "items": [{"price": price.id}],
                "currency": "gbp",
                "trial_period_days": 7,
            }
        )
    assert info.value.http_status == 400


def test_without_currency_the_price_currency_is_used(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    price = _seat(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        {"customer": _customer(stripe_client), "items": [{"price": price.id}]}
    )
    assert (sub.currency, sub.status) == ("usd", "active")


def test_trial_ends_with_the_clock(emulator: Emulator, stripe_client: stripe.StripeClient) -> None:
    emulator.clock.set(1_800_000_000)
    price = _seat(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        {
            "customer": _customer(stripe_client),
            "items": [{"price": price.id}],
            "trial_period_days": 3,
        }
    )
    trialing = stripe_client.v1.subscriptions.list({"status": "trialing"})
    assert [s.id for s in trialing.data] == [sub.id]
    emulator.clock.advance(3 * DAY)
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert stripe_client.v1.subscriptions.list({"status": "trialing"}).data == []
    active = stripe_client.v1.subscriptions.list({"status": "active"})
    assert [s.id for s in active.data] == [sub.id]


def test_trial_end_now_means_no_trial(stripe_client: stripe.StripeClient) -> None:
    price = _seat(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        {"customer": _customer(stripe_client), "items": [{"price": price.id}], "trial_end": "now"}
    )
    assert (sub.status, sub.trial_end) == ("active", None)


def fail_payment(client: stripe.StripeClient, subscription: str) -> None:
    """The subscription's latest payment fails (the emulator's control endpoint)."""
    client.raw_request("post", f"/_emulator/subscriptions/{subscription}/payment_failed")


def test_a_failed_payment_makes_an_active_subscription_past_due(
    stripe_client: stripe.StripeClient,
) -> None:
    # Real Stripe reaches past_due when a renewal invoice's charge fails (a card such
    # as pm_card_chargeCustomerFail on a test clock); the emulator takes no payments,
    # so the failure is its control endpoint.
    price = _seat(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        {"customer": _customer(stripe_client), "items": [{"price": price.id}]}
    )
    fail_payment(stripe_client, sub.id)
    assert stripe_client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    past_due = stripe_client.v1.subscriptions.list({"status": "past_due", "price": price.id})
    assert [s.id for s in past_due.data] == [sub.id]
    # Not canceled, so the default list (which leaves out only canceled ones) has it.
    assert [s.id for s in stripe_client.v1.subscriptions.list().data] == [sub.id]


def test_a_trialing_subscription_has_no_payment_to_fail(
    stripe_client: stripe.StripeClient,
) -> None:
    price = _seat(stripe_client)
    sub = stripe_client.v1.subscriptions.create(
        {
            "customer": _customer(stripe_client),
            "items": [{"price": price.id}],
            "trial_period_days": 3,
        }
    )
    with pytest.raises(stripe.InvalidRequestError):
        fail_payment(stripe_client, sub.id)


def test_a_schedule_trial_phase_gives_a_trialing_subscription(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    start = 1_800_000_000
    emulator.clock.set(start - DAY)
    price = _seat(stripe_client)
    schedule = stripe_client.v1.subscription_schedules.create(
        {
            "customer": _customer(stripe_client),
            "start_date": start,
            "phases": [
                {"items": [{"price": price.id}], "trial": True, "duration": {"interval": "month"}},
                {"items": [{"price": price.id}], "duration": {"interval": "month"}},
            ],
        }
    )
    emulator.clock.set(start + DAY)
    sub_id = stripe_client.v1.subscription_schedules.retrieve(schedule.id).subscription
    assert isinstance(sub_id, str)
    assert stripe_client.v1.subscriptions.retrieve(sub_id).status == "trialing"
    emulator.clock.set(start + 40 * DAY)
    assert stripe_client.v1.subscriptions.retrieve(sub_id).status == "active"
