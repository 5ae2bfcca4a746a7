"""Contract: a subscription's items, their periods, price swaps, prorations and discounts.

Sources, cited per test: stripe-python 16 typed params `params/_subscription_update_params.py`
(`items[][id]`: "If you omit `id`, the API adds a new subscription item rather than updating
the existing one"; `items[][price]`: "When changing a subscription item's price, `quantity` is
set to 1 unless a `quantity` parameter is provided"; `proration_behavior`, `proration_date`,
`billing_cycle_anchor[type]`; `discounts`: "A populated array overwrites the existing
discounts on the subscription. If not specified or empty array, it leaves the subscription's
discounts unchanged. If empty string, it clears the subscription's discounts"),
https://docs.stripe.com/billing/subscriptions/prorations (credit for the unused time on the
old price, charge for the remaining time on the new one; `always_invoice` invoices at once,
`create_prorations` leaves the items pending), https://docs.stripe.com/billing/scripts/prorations
(proration "down to the second"), and the basil changelog (periods on the items).

Tests taking `client` run against the emulator and, when STRIPE_TEST_API_KEY is set, against
real Stripe test mode (a `pm_card_visa` customer pays the first invoice there); their
expected amounts come from the item's own period, read back, so they hold on either backend.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import stripe

from tests.emulator.test_contract import make_client, uniq

pytestmark = pytest.mark.stripe_live

DAY = 86_400


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def monthly(client: stripe.StripeClient, amount: int, **extra: Any) -> str:
    """A monthly seat price of ``amount`` cents (USD) on a new product."""
    product = client.v1.products.create({"name": "Advanced", "id": uniq("prod_mig")}).id
    params: dict[str, Any] = {
        "product": product,
        "currency": "usd",
        "unit_amount": amount,
        "recurring": {"interval": "month"},
        **extra,
    }
    return client.v1.prices.create(params).id  # type: ignore[arg-type]


def subscriber(
    client: stripe.StripeClient, price: str, quantity: int = 1, **extra: Any
) -> stripe.Subscription:
    """A paying customer subscribed to ``quantity`` x ``price``."""
    customer = client.v1.customers.create(
        {
            "email": f"{uniq('sub')}@example.com",
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    ).id
    params: dict[str, Any] = {
        "customer": customer,
        "items": [{"price": price, "quantity": quantity}],
        **extra,
    }
    return client.v1.subscriptions.create(params)  # type: ignore[arg-type]


def on_two_prices(
    client: stripe.StripeClient, quantity: int
) -> tuple[str, str, stripe.Subscription, stripe.SubscriptionItem]:
    """A $99.00 and a $129.00 monthly price, and a subscriber to ``quantity`` of the first."""
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old, quantity=quantity)
    return old, new, sub, only_item(sub)


def only_item(sub: stripe.Subscription) -> stripe.SubscriptionItem:
    item: stripe.SubscriptionItem
    (item,) = sub["items"].data
    return item


def expected_proration(unit: int, quantity: int, item: stripe.SubscriptionItem, at: int) -> int:
    """Stripe's documented formula: the time left of the period, to the second, per line."""
    start, end = item.current_period_start, item.current_period_end
    exact = Decimal(unit * quantity) * (end - at) / Decimal(end - start)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pending(client: stripe.StripeClient, customer: str) -> list[stripe.InvoiceItem]:
    items = client.v1.invoice_items.list({"customer": customer, "pending": True}).data
    return sorted(items, key=lambda i: i.amount)


def customer_of(sub: stripe.Subscription) -> str:
    return str(sub.customer)


# --- items and periods ----------------------------------------------------------------------


def test_items_have_ids_and_a_monthly_period(client: stripe.StripeClient) -> None:
    # basil: `current_period_start`/`current_period_end` moved to the items.
    sub = subscriber(client, monthly(client, 9900), quantity=2)
    item = only_item(sub)
    assert item.id.startswith("si_")
    assert item.current_period_start == sub.billing_cycle_anchor == sub.start_date
    # One calendar month on, on the anchor's day (clamped to the month's last day).
    start = datetime.fromtimestamp(item.current_period_start, UTC)
    year, month = start.year + start.month // 12, start.month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    month_on = start.replace(year=year, month=month, day=day)
    assert item.current_period_end == int(month_on.timestamp())
    assert item.quantity == 2


def test_swapping_the_price_keeps_the_item_and_resets_quantity(
    client: stripe.StripeClient,
) -> None:
    _old, new, sub, item = on_two_prices(client, 3)
    updated = client.v1.subscriptions.update(
        sub.id, {"items": [{"id": item.id, "price": new}], "proration_behavior": "none"}
    )
    swapped = only_item(updated)
    assert (swapped.id, swapped.price.id, swapped.quantity) == (item.id, new, 1)
    assert swapped.current_period_end == item.current_period_end  # the billing date stays


def test_swapping_with_a_quantity_keeps_it(client: stripe.StripeClient) -> None:
    _old, new, sub, item = on_two_prices(client, 3)
    updated = client.v1.subscriptions.update(
        sub.id,
        {"items": [{"id": item.id, "price": new, "quantity": 3}], "proration_behavior": "none"},
    )
    assert (only_item(updated).price.id, only_item(updated).quantity) == (new, 3)


def test_an_item_without_id_is_added(client: stripe.StripeClient) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old)
    updated = client.v1.subscriptions.update(
        sub.id, {"items": [{"price": new}], "proration_behavior": "none"}
    )
    prices = sorted((i.price.id, i.quantity) for i in updated["items"].data)
    assert prices == sorted([(old, 1), (new, 1)])
    assert len({i.id for i in updated["items"].data}) == 2


def test_a_deleted_item_is_removed(client: stripe.StripeClient) -> None:
    old, extra = monthly(client, 9900), monthly(client, 1000)
    sub = subscriber(client, old)
    two = client.v1.subscriptions.update(
        sub.id, {"items": [{"price": extra}], "proration_behavior": "none"}
    )
    added = next(i for i in two["items"].data if i.price.id == extra)
    one = client.v1.subscriptions.update(
        sub.id, {"items": [{"id": added.id, "deleted": True}], "proration_behavior": "none"}
    )
    assert [i.price.id for i in one["items"].data] == [old]


# --- prorations ------------------------------------------------------------------------------


def test_create_prorations_leaves_a_credit_and_a_charge_pending(
    client: stripe.StripeClient,
) -> None:
    old, new, sub, item = on_two_prices(client, 2)
    at = item.current_period_start + 10 * DAY + 3_600
    client.v1.subscriptions.update(
        sub.id,
        {
            "items": [{"id": item.id, "price": new, "quantity": 2}],
            "proration_behavior": "create_prorations",
            "proration_date": at,
        },
    )
    credit, charge = pending(client, customer_of(sub))
    assert credit.amount == -expected_proration(9900, 2, item, at)
    assert charge.amount == expected_proration(12900, 2, item, at)
    for line in (credit, charge):
        assert line.proration is True
        assert (line.period.start, line.period.end) == (at, item.current_period_end)
        assert line.quantity == 2
        assert line.parent is not None
        assert line.parent.subscription_details is not None
        assert line.parent.subscription_details.subscription == sub.id
    assert credit.pricing is not None
    assert credit.pricing.price_details is not None
    assert credit.pricing.price_details.price == old
    # Nothing is invoiced yet: the subscription's only invoice is its first.
    invoices = client.v1.invoices.list({"subscription": sub.id}).data
    assert [i.billing_reason for i in invoices] == ["subscription_create"]


def test_proration_none_bills_nothing_now(client: stripe.StripeClient) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old)
    client.v1.subscriptions.update(
        sub.id,
        {"items": [{"id": only_item(sub).id, "price": new}], "proration_behavior": "none"},
    )
    assert pending(client, customer_of(sub)) == []
    assert len(client.v1.invoices.list({"subscription": sub.id}).data) == 1


def test_always_invoice_invoices_the_prorations_at_once(client: stripe.StripeClient) -> None:
    _old, new, sub, item = on_two_prices(client, 4)
    at = item.current_period_start + 7 * DAY
    client.v1.subscriptions.update(
        sub.id,
        {
            "items": [{"id": item.id, "price": new, "quantity": 4}],
            "proration_behavior": "always_invoice",
            "proration_date": at,
        },
    )
    assert pending(client, customer_of(sub)) == []
    latest = client.v1.invoices.list({"subscription": sub.id}).data[0]
    assert latest.billing_reason == "subscription_update"
    lines = sorted(latest.lines.data, key=lambda line: line.amount)
    assert [line.amount for line in lines] == [
        -expected_proration(9900, 4, item, at),
        expected_proration(12900, 4, item, at),
    ]
    for line in lines:
        assert line.parent is not None
        assert line.parent.subscription_item_details is not None
        assert line.parent.subscription_item_details.proration is True
    assert latest.total == sum(line.amount for line in lines)


def test_a_quantity_change_is_prorated(client: stripe.StripeClient) -> None:
    price = monthly(client, 5000)
    sub = subscriber(client, price, quantity=1)
    item = only_item(sub)
    at = item.current_period_start + 3 * DAY
    client.v1.subscriptions.update(
        sub.id,
        {"items": [{"id": item.id, "quantity": 3}], "proration_date": at},
    )
    credit, charge = pending(client, customer_of(sub))
    assert credit.amount == -expected_proration(5000, 1, item, at)
    assert charge.amount == expected_proration(5000, 3, item, at)


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_the_prorations_the_update_then_makes(client: stripe.StripeClient) -> None:
    # create_preview: "pass the `subscription_details.proration_date` parameter when doing
    # the actual subscription update" to get exactly the previewed prorations.
    _old, new, sub, item = on_two_prices(client, 5)
    at = item.current_period_start + 12 * DAY + 17
    details: dict[str, Any] = {
        "items": [{"id": item.id, "price": new, "quantity": 5}],
        "proration_behavior": "create_prorations",
        "proration_date": at,
    }
    preview = client.v1.invoices.create_preview(
        {"subscription": sub.id, "subscription_details": details}  # type: ignore[arg-type]
    )
    previewed = sorted(
        line.amount
        for line in preview.lines.data
        if line.parent is not None
        and line.parent.subscription_item_details is not None
        and line.parent.subscription_item_details.proration
    )
    assert preview.parent is not None
    assert preview.parent.subscription_details is not None
    assert preview.parent.subscription_details.subscription_proration_date == at
    client.v1.subscriptions.update(sub.id, details)  # type: ignore[arg-type]
    assert previewed == [i.amount for i in pending(client, customer_of(sub))]
    assert previewed == [
        -expected_proration(9900, 5, item, at),
        expected_proration(12900, 5, item, at),
    ]


def test_preview_without_a_change_shows_the_next_renewal(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900), quantity=2)
    item = only_item(sub)
    preview = client.v1.invoices.create_preview({"subscription": sub.id})
    (line,) = preview.lines.data
    assert (line.amount, line.quantity) == (19800, 2)
    assert line.period.start == item.current_period_end
    assert preview.total == 19800


def test_preview_of_a_swap_bills_the_new_price_next_period(client: stripe.StripeClient) -> None:
    old, new, sub, item = on_two_prices(client, 2)
    preview = client.v1.invoices.create_preview(
        {
            "subscription": sub.id,
            "subscription_details": {
                "items": [{"id": item.id, "price": new, "quantity": 2}],
                "proration_behavior": "none",
            },
        }
    )
    (line,) = preview.lines.data
    assert line.pricing is not None
    assert line.pricing.price_details is not None
    assert (line.pricing.price_details.price, line.amount) == (new, 25800)
    assert line.period.start == item.current_period_end
    # A preview changes nothing.
    assert only_item(client.v1.subscriptions.retrieve(sub.id)).price.id == old


# --- discounts -------------------------------------------------------------------------------


def test_discounts_overwrite_keep_and_clear(client: stripe.StripeClient) -> None:
    ten = client.v1.coupons.create({"percent_off": 10, "duration": "forever"}).id
    twenty = client.v1.coupons.create({"percent_off": 20, "duration": "forever"}).id
    price = monthly(client, 9900)
    sub = subscriber(client, price, discounts=[{"coupon": ten}])
    (first,) = sub.discounts
    assert str(first).startswith("di_")
    kept = client.v1.subscriptions.update(sub.id, {"metadata": {"k": "v"}})
    assert kept.discounts == [first]
    kept = client.v1.subscriptions.update(sub.id, {"discounts": []})
    assert kept.discounts == [first]
    overwritten = client.v1.subscriptions.update(sub.id, {"discounts": [{"coupon": twenty}]})
    (second,) = overwritten.discounts
    assert second != first
    expanded = client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]})
    (discount,) = expanded.discounts
    assert isinstance(discount, stripe.Discount)
    assert discount.source.coupon is not None
    coupon = discount.source.coupon
    assert (coupon if isinstance(coupon, str) else coupon.id) == twenty
    reused = client.v1.subscriptions.update(sub.id, {"discounts": [{"discount": str(second)}]})
    assert reused.discounts == [second]
    cleared = client.v1.subscriptions.update(sub.id, {"discounts": ""})
    assert cleared.discounts == []


def test_a_swap_keeps_the_discounts(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 15, "duration": "forever"}).id
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old, discounts=[{"coupon": coupon}])
    updated = client.v1.subscriptions.update(
        sub.id,
        {"items": [{"id": only_item(sub).id, "price": new}], "proration_behavior": "none"},
    )
    assert updated.discounts == sub.discounts


# --- list filters ----------------------------------------------------------------------------


def test_list_filters_price_status_and_customer(client: stripe.StripeClient) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    first = subscriber(client, old)
    second = subscriber(client, old)
    client.v1.subscriptions.update(
        second.id,
        {"items": [{"id": only_item(second).id, "price": new}], "proration_behavior": "none"},
    )
    on_old = client.v1.subscriptions.list({"price": old, "status": "all"}).data
    assert [s.id for s in on_old] == [first.id]
    on_new = client.v1.subscriptions.list({"price": new}).data
    assert [s.id for s in on_new] == [second.id]
    mine = client.v1.subscriptions.list({"customer": customer_of(first), "status": "active"})
    assert [s.id for s in mine.data] == [first.id]


# --- refusals --------------------------------------------------------------------------------


def test_an_unknown_item_id_is_refused(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.update(
            sub.id, {"items": [{"id": "si_doesnotexist", "quantity": 2}]}
        )
    assert info.value.http_status == 400
    assert info.value.param == "items[0][id]"


def test_a_proration_date_outside_the_period_is_refused(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    item = only_item(sub)
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.invoices.create_preview(
            {
                "subscription": sub.id,
                "subscription_details": {
                    "items": [{"id": item.id, "quantity": 2}],
                    "proration_date": item.current_period_end + 40 * DAY,
                },
            }
        )
    assert info.value.http_status == 400
