"""Invoices reduced by a subscription's discounts, worked by hand.

Sources: https://docs.stripe.com/api/coupons/object (`percent_off`, `amount_off` with
`currency` or `currency_options`, `applies_to.products`, `duration` once / repeating with
`duration_in_months` / forever), https://docs.stripe.com/api/invoices/object
(`total_discount_amounts`, lines' `discount_amounts`) and
https://docs.stripe.com/billing/subscriptions/prorations (prorations are not discountable).
Emulator-only: the clock is set by the test.
"""

from __future__ import annotations

from typing import Any

import stripe

from catalogsync.emulator import Emulator
from tests.emulator.conftest import JAN_1_2027
from tests.emulator.resources.test_subscriptions_update_contract import (
    monthly,
    only_item,
    subscriber,
)

DAY = 86_400
FEB_1_2027 = JAN_1_2027 + 31 * DAY
MAR_1_2027 = FEB_1_2027 + 28 * DAY


def coupon(client: stripe.StripeClient, **params: Any) -> str:
    return client.v1.coupons.create(params).id  # type: ignore[arg-type]


def totals(client: stripe.StripeClient, sub: str) -> list[tuple[int, int]]:
    """(subtotal, total) of the subscription's invoices, oldest first."""
    made = client.v1.invoices.list({"subscription": sub, "limit": 100}).data
    return [(i.subtotal, i.total) for i in reversed(made)]


def test_a_percentage_off_every_invoice(jan_1_2027: stripe.StripeClient) -> None:
    ten = coupon(jan_1_2027, percent_off=10, duration="forever")
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 9900), quantity=3, discounts=[{"coupon": ten}])
    (invoice,) = jan_1_2027.v1.invoices.list({"subscription": sub.id}).data
    # 10 % of 29,700 = 2,970.
    assert (invoice.subtotal, invoice.total, invoice.amount_due) == (29700, 26730, 26730)
    assert invoice.total_discount_amounts is not None
    assert [(d.amount, d.discount) for d in invoice.total_discount_amounts] == [
        (2970, sub.discounts[0])
    ]
    (line,) = invoice.lines.data
    assert line.discount_amounts is not None
    assert [d.amount for d in line.discount_amounts] == [2970]
    assert invoice.discounts == sub.discounts


def test_once_repeating_and_forever(emulator: Emulator, jan_1_2027: stripe.StripeClient) -> None:
    price = monthly(jan_1_2027, 10000)
    half_once = coupon(jan_1_2027, percent_off=50, duration="once")
    once = subscriber(jan_1_2027, price, discounts=[{"coupon": half_once}])
    two_months = subscriber(
        jan_1_2027,
        price,
        discounts=[
            {
                "coupon": coupon(
                    jan_1_2027, percent_off=50, duration="repeating", duration_in_months=2
                )
            }
        ],
    )
    emulator.clock.set(MAR_1_2027)
    assert totals(jan_1_2027, once.id) == [(10000, 5000), (10000, 10000), (10000, 10000)]
    # Jan 1 and Feb 1 fall before the discount's end (Mar 1); Mar 1 does not.
    assert totals(jan_1_2027, two_months.id) == [(10000, 5000), (10000, 5000), (10000, 10000)]


def test_an_amount_off_in_the_subscription_currency(jan_1_2027: stripe.StripeClient) -> None:
    off = coupon(
        jan_1_2027,
        amount_off=500,
        currency="usd",
        duration="forever",
        currency_options={"eur": {"amount_off": 450}},
    )
    price = monthly(jan_1_2027, 9900, currency_options={"eur": {"unit_amount": 9500}})
    dollars = subscriber(jan_1_2027, price, discounts=[{"coupon": off}])
    euros = subscriber(jan_1_2027, price, currency="eur", discounts=[{"coupon": off}])
    assert totals(jan_1_2027, dollars.id) == [(9900, 9400)]
    assert totals(jan_1_2027, euros.id) == [(9500, 9050)]


def test_an_amount_off_never_exceeds_what_it_discounts(jan_1_2027: stripe.StripeClient) -> None:
    off = coupon(jan_1_2027, amount_off=5000, currency="usd", duration="forever")
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 1000), discounts=[{"coupon": off}])
    assert totals(jan_1_2027, sub.id) == [(1000, 0)]


def test_a_coupon_for_some_products_discounts_their_lines_only(
    jan_1_2027: stripe.StripeClient,
) -> None:
    seat = monthly(jan_1_2027, 9900)
    addon = monthly(jan_1_2027, 1000)
    seat_product = str(jan_1_2027.v1.prices.retrieve(seat).product)
    only_seats = coupon(
        jan_1_2027, percent_off=20, duration="forever", applies_to={"products": [seat_product]}
    )
    sub = subscriber(jan_1_2027, seat, discounts=[{"coupon": only_seats}])
    jan_1_2027.v1.subscriptions.update(
        sub.id, {"items": [{"price": addon}], "proration_behavior": "none"}
    )
    preview = jan_1_2027.v1.invoices.create_preview({"subscription": sub.id})
    # 20 % of the seat's 9,900 = 1,980; the add-on's 1,000 is not discounted.
    assert (preview.subtotal, preview.total) == (10900, 8920)


def test_prorations_are_net_of_percentage_discounts(
    emulator: Emulator, jan_1_2027: stripe.StripeClient
) -> None:
    ten = coupon(jan_1_2027, percent_off=10, duration="forever")
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 9900), discounts=[{"coupon": ten}])
    emulator.clock.set(JAN_1_2027 + 15 * DAY)
    jan_1_2027.v1.subscriptions.update(
        sub.id, {"items": [{"id": only_item(sub).id, "price": monthly(jan_1_2027, 12900)}]}
    )
    # "Any adjustments from discounts are reflected in the proration invoice item's amount"
    # (prorations guide): 8,910 x 16/31 = 4,598.71 -> -4,599; 11,610 x 16/31 = 5,992.26 ->
    # 5,992; February's 12,900 line is discounted on the invoice (1,290 off).
    pending = jan_1_2027.v1.invoice_items.list({"customer": str(sub.customer), "pending": True})
    assert sorted(i.amount for i in pending.data) == [-4599, 5992]
    emulator.clock.set(FEB_1_2027)
    assert totals(jan_1_2027, sub.id)[-1] == (-4599 + 5992 + 12900, -4599 + 5992 + 11610)


def test_discounts_apply_in_order(jan_1_2027: stripe.StripeClient) -> None:
    ten = coupon(jan_1_2027, percent_off=10, duration="forever")
    five = coupon(jan_1_2027, amount_off=500, currency="usd", duration="forever")
    sub = subscriber(
        jan_1_2027,
        monthly(jan_1_2027, 5000),
        quantity=2,
        discounts=[{"coupon": ten}, {"coupon": five}],
    )
    # 10 % of 10,000 = 1,000, then 500 off the 9,000 left.
    assert totals(jan_1_2027, sub.id) == [(10000, 8500)]


def test_nothing_to_discount_is_not_discounted(jan_1_2027: stripe.StripeClient) -> None:
    # A trial bills 0, so its invoice carries no discount; an amount-off coupon without an
    # amount in the subscription's currency takes nothing off.
    ten = coupon(jan_1_2027, percent_off=10, duration="forever")
    dollars_off = coupon(jan_1_2027, amount_off=500, currency="usd", duration="forever")
    price = monthly(jan_1_2027, 9900, currency_options={"eur": {"unit_amount": 9500}})
    trial = subscriber(jan_1_2027, price, trial_period_days=7, discounts=[{"coupon": ten}])
    euros = subscriber(jan_1_2027, price, currency="eur", discounts=[{"coupon": dollars_off}])
    for sub in (trial, euros):
        (invoice,) = jan_1_2027.v1.invoices.list({"subscription": sub.id}).data
        assert invoice.total_discount_amounts == []
    assert totals(jan_1_2027, euros.id) == [(9500, 9500)]
