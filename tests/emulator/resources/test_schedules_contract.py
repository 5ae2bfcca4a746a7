"""Contract: a subscription schedule's invoicing terms, inline prices, line-item discounts,
one-off invoice items and phase proration behaviour, as Deals use them.

Sources: stripe-python's typed params `SubscriptionScheduleCreateParams` /
`SubscriptionScheduleUpdateParams` (`default_settings.collection_method`,
`default_settings.invoice_settings.days_until_due`, `phases[].items[].price_data`
{currency, product, recurring, unit_amount}, `phases[].items[].discounts`,
`phases[].add_invoice_items[]` {price | price_data, quantity, discounts, period},
`phases[].proration_behavior` in always_invoice | create_prorations | none) and the
schedule object, https://docs.stripe.com/api/subscription_schedules/object
(`default_settings.invoice_settings.days_until_due` "will be null for subscription
schedules where collection_method=charge_automatically"; `phases.items.price` is the id
of the price `price_data` generated, https://docs.stripe.com/api/subscription_schedules/create).
Runs against real Stripe test mode too when STRIPE_TEST_API_KEY is set.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.emulator.test_contract import make_client, uniq

pytestmark = pytest.mark.stripe_live

YEAR = 365 * 86400


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _catalog(client: stripe.StripeClient) -> tuple[str, str, str, str]:
    """A product, a yearly seat price, a one-time fee price and a customer."""
    product = client.v1.products.create({"name": "Expert", "id": uniq("prod_t")}).id
    seat = client.v1.prices.create(
        {
            "product": product,
            "currency": "usd",
            "unit_amount": 15000,
            "recurring": {"interval": "year"},
        }
    ).id
    fee = client.v1.prices.create({"product": product, "currency": "usd", "unit_amount": 500000}).id
    customer = client.v1.customers.create({"email": "finance@globex.example"}).id
    return product, seat, fee, customer


def _schedule(
    client: stripe.StripeClient, customer: str, phase: dict[str, Any], **params: Any
) -> stripe.SubscriptionSchedule:
    """A schedule starting in a month with one yearly phase."""
    return client.v1.subscription_schedules.create(
        {  # type: ignore[arg-type]
            "customer": customer,
            "start_date": int(time.time()) + 30 * 86400,
            "phases": [{"duration": {"interval": "year"}, **phase}],
            **params,
        }
    )


def test_send_invoice_with_payment_terms_is_kept(client: stripe.StripeClient) -> None:
    _, seat, _, customer = _catalog(client)
    created = _schedule(
        client,
        customer,
        {"items": [{"price": seat, "quantity": 5}]},
        default_settings={
            "collection_method": "send_invoice",
            "invoice_settings": {"days_until_due": 30},
        },
    )
    read = client.v1.subscription_schedules.retrieve(created.id)
    assert read.default_settings.collection_method == "send_invoice"
    assert read.default_settings.invoice_settings.days_until_due == 30


def test_terms_change_on_update_and_clear_when_charging_automatically(
    client: stripe.StripeClient,
) -> None:
    _, seat, _, customer = _catalog(client)
    created = _schedule(client, customer, {"items": [{"price": seat}]})
    assert created.default_settings.collection_method == "charge_automatically"
    assert created.default_settings.invoice_settings.days_until_due is None
    net45 = client.v1.subscription_schedules.update(
        created.id,
        {
            "default_settings": {
                "collection_method": "send_invoice",
                "invoice_settings": {"days_until_due": 45},
            }
        },
    )
    assert net45.default_settings.invoice_settings.days_until_due == 45
    back = client.v1.subscription_schedules.update(
        created.id, {"default_settings": {"collection_method": "charge_automatically"}}
    )
    assert back.default_settings.collection_method == "charge_automatically"
    assert back.default_settings.invoice_settings.days_until_due is None


def test_payment_terms_need_send_invoice(client: stripe.StripeClient) -> None:
    _, seat, _, customer = _catalog(client)
    with pytest.raises(stripe.InvalidRequestError):
        _schedule(
            client,
            customer,
            {"items": [{"price": seat}]},
            default_settings={
                "collection_method": "charge_automatically",
                "invoice_settings": {"days_until_due": 30},
            },
        )


def _yearly(product: str, unit_amount: int) -> dict[str, Any]:
    """Inline `price_data` for a yearly USD price of ``product``."""
    return {
        "product": product,
        "currency": "usd",
        "unit_amount": unit_amount,
        "recurring": {"interval": "year"},
    }


def test_price_data_makes_a_price_with_the_negotiated_amount(
    client: stripe.StripeClient,
) -> None:
    product, _, _, customer = _catalog(client)
    data = _yearly(product, 12000)
    created = _schedule(client, customer, {"items": [{"price_data": data, "quantity": 60}]})
    item = created.phases[0].items[0]
    assert item.quantity == 60
    price = client.v1.prices.retrieve(str(item.price))
    assert (price.unit_amount, price.currency, price.product) == (12000, "usd", product)
    assert price.recurring is not None
    assert price.recurring.interval == "year"
    assert created.phases[0].currency == "usd"


def test_price_and_price_data_together_are_refused(client: stripe.StripeClient) -> None:
    product, seat, _, customer = _catalog(client)
    data = _yearly(product, 1)
    with pytest.raises(stripe.InvalidRequestError):
        _schedule(client, customer, {"items": [{"price": seat, "price_data": data}]})


def test_item_discounts_and_one_off_invoice_items_are_kept(client: stripe.StripeClient) -> None:
    _, seat, fee, customer = _catalog(client)
    coupon = client.v1.coupons.create({"percent_off": 20, "id": uniq("SEATS20")}).id
    created = _schedule(
        client,
        customer,
        {
            "items": [{"price": seat, "quantity": 10, "discounts": [{"coupon": coupon}]}],
            "add_invoice_items": [{"price": fee, "quantity": 1}],
            "proration_behavior": "none",
        },
    )
    read = client.v1.subscription_schedules.retrieve(created.id)
    phase = read.phases[0]
    assert [d.coupon for d in phase.items[0].discounts] == [coupon]
    assert phase.discounts == []
    assert [(str(i.price), i.quantity) for i in phase.add_invoice_items] == [(fee, 1)]
    assert phase.proration_behavior == "none"


def test_add_invoice_items_take_one_time_prices_only(client: stripe.StripeClient) -> None:
    _, seat, _, customer = _catalog(client)
    with pytest.raises(stripe.InvalidRequestError):
        _schedule(
            client, customer, {"items": [{"price": seat}], "add_invoice_items": [{"price": seat}]}
        )


def test_proration_behavior_defaults_and_is_checked(client: stripe.StripeClient) -> None:
    _, seat, _, customer = _catalog(client)
    phase = {"items": [{"price": seat}]}
    created = _schedule(client, customer, phase)
    assert created.phases[0].proration_behavior == "create_prorations"
    with pytest.raises(stripe.InvalidRequestError):
        _schedule(client, customer, {**phase, "proration_behavior": "sometimes"})
