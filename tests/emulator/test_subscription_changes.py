"""Subscription updates and previews the emulator refuses, and the parameters it checks.

Sources: stripe-python 16 `params/_subscription_update_params.py` (an item needs `price` when
added; `proration_behavior` is one of `always_invoice`, `create_prorations`, `none`;
`billing_cycle_anchor[type]` is `now` or `unchanged`; `payment_behavior` is one of four
values), `params/_invoice_create_preview_params.py` and
https://docs.stripe.com/payments/checkout/multi-currency-prices (a price without an amount in
the subscription's currency cannot bill it). Emulator-only: each also checks the emulator
names the parameter at fault.
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.emulator.conftest import JAN_1_2027
from tests.emulator.resources.test_subscriptions_update_contract import (
    monthly,
    only_item,
    subscriber,
)


def refused(call: Any) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    assert info.value.http_status == 400
    return info.value


@pytest.fixture
def sub(jan_1_2027: stripe.StripeClient) -> stripe.Subscription:
    return subscriber(jan_1_2027, monthly(jan_1_2027, 9900))


@pytest.mark.parametrize(
    ("items", "param"),
    [
        (
            [{"price_data": {"currency": "usd", "product": "p", "recurring": {"interval": "day"}}}],
            "items[0][price_data]",
        ),
        ([{"quantity": 2}], "items[0][price]"),
        ([{"id": "ITEM", "tax_rates": ["txr_1"]}], "items[0][tax_rates]"),
        ([{"id": "ITEM", "quantity": -1}], "items[0][quantity]"),
        ([{"id": "ITEM", "deleted": True}], "items"),
    ],
)
def test_item_changes_are_checked(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription, items: list[Any], param: str
) -> None:
    for spec in items:
        if spec.get("id") == "ITEM":
            spec["id"] = only_item(sub).id
    error = refused(lambda: jan_1_2027.v1.subscriptions.update(sub.id, {"items": items}))
    assert error.param == param


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"proration_behavior": "sometimes"}, "proration_behavior"),
        ({"billing_cycle_anchor": {"type": "later"}}, "billing_cycle_anchor[type]"),
        ({"payment_behavior": "hope"}, "payment_behavior"),
    ],
)
def test_update_settings_are_checked(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription, params: Any, param: str
) -> None:
    error = refused(lambda: jan_1_2027.v1.subscriptions.update(sub.id, params))
    assert error.param == param


def test_a_price_without_the_subscription_currency_is_refused(
    jan_1_2027: stripe.StripeClient,
) -> None:
    euro = monthly(jan_1_2027, 9900, currency_options={"eur": {"unit_amount": 9500}})
    sub = subscriber(jan_1_2027, euro, currency="eur")
    dollars_only = monthly(jan_1_2027, 12900)
    error = refused(
        lambda: jan_1_2027.v1.subscriptions.update(
            sub.id, {"items": [{"id": only_item(sub).id, "price": dollars_only}]}
        )
    )
    assert error.param == "items[0][price]"


def test_a_one_time_price_cannot_be_subscribed(jan_1_2027: stripe.StripeClient) -> None:
    product = jan_1_2027.v1.products.create({"name": "Setup"}).id
    fee = jan_1_2027.v1.prices.create({"product": product, "currency": "usd", "unit_amount": 500})
    error = refused(lambda: subscriber(jan_1_2027, fee.id))
    assert error.param == "items"


def test_a_description_is_set_and_cleared(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription
) -> None:
    described = jan_1_2027.v1.subscriptions.update(sub.id, {"description": "Seats"})
    assert described.description == "Seats"
    assert jan_1_2027.v1.subscriptions.update(sub.id, {"description": ""}).description is None


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({}, "subscription"),
        ({"subscription": "SUB", "customer": "cus_other"}, "customer"),
        ({"subscription": "SUB", "preview_mode": "recurring"}, "preview_mode"),
        (
            {"subscription": "SUB", "subscription_details": {"cancel_now": True}},
            "subscription_details[cancel_now]",
        ),
    ],
)
def test_previews_are_checked(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription, params: Any, param: str
) -> None:
    if params.get("subscription") == "SUB":
        params["subscription"] = sub.id
    error = refused(lambda: jan_1_2027.v1.invoices.create_preview(params))
    assert error.param == param


def test_a_preview_restarting_the_cycle_bills_the_new_period_now(
    emulator: Emulator, jan_1_2027: stripe.StripeClient, sub: stripe.Subscription
) -> None:
    emulator.clock.set(JAN_1_2027 + 15 * 86_400)
    preview = jan_1_2027.v1.invoices.create_preview(
        {"subscription": sub.id, "subscription_details": {"billing_cycle_anchor": {"type": "now"}}}
    )
    # Jan 16: 9,900 x 16/31 = 5,109.68 of January unused (-5,110), and a new month from now.
    assert sorted(line.amount for line in preview.lines.data) == [-5110, 9900]
    assert preview.billing_reason == "subscription_update"


def test_invoices_are_listed_by_customer_and_status(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription
) -> None:
    by_customer = jan_1_2027.v1.invoices.list({"customer": str(sub.customer)}).data
    (invoice,) = by_customer
    assert invoice.parent is not None
    assert invoice.parent.subscription_details is not None
    assert invoice.parent.subscription_details.subscription == sub.id
    assert len(jan_1_2027.v1.invoices.list({"status": "paid"}).data) == 1
    assert jan_1_2027.v1.invoices.list({"status": "open"}).data == []
    error = refused(lambda: jan_1_2027.v1.invoices.list({"status": "lost"}))
    assert error.param == "status"


def test_subscriptions_are_listed_by_status(
    jan_1_2027: stripe.StripeClient, sub: stripe.Subscription
) -> None:
    jan_1_2027.raw_request("post", f"/_emulator/subscriptions/{sub.id}/status", status="canceled")
    assert [s.id for s in jan_1_2027.v1.subscriptions.list({"status": "ended"}).data] == [sub.id]
    assert jan_1_2027.v1.subscriptions.list().data == []
    error = refused(lambda: jan_1_2027.v1.subscriptions.list({"status": "lost"}))
    assert error.param == "status"
