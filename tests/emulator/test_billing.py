"""What the emulator bills for subscriptions, to the minor unit, on a clock set by the test.

The amounts are worked by hand from Stripe's documented rules (the arithmetic is in each
comment): a period is billed in advance, a change inside it credits the unused time of the
old price and charges the remaining time of the new one, to the second and rounded per line
(https://docs.stripe.com/billing/subscriptions/prorations,
https://docs.stripe.com/billing/subscriptions/decimal-amounts#rounding). Emulator-only:
real Stripe cannot set its clock to these dates without a test clock.
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.emulator.resources.test_subscriptions_update_contract import (
    monthly,
    only_item,
    pending,
    subscriber,
)

DAY = 86_400
JAN_1_2027 = 1_798_761_600  # 2027-01-01T00:00:00Z; January has 31 days
JAN_16_2027 = JAN_1_2027 + 15 * DAY
FEB_1_2027 = JAN_1_2027 + 31 * DAY


@pytest.fixture
def client(jan_1_2027: stripe.StripeClient) -> stripe.StripeClient:
    return jan_1_2027


def swap(client: stripe.StripeClient, sub: stripe.Subscription, price: str, **extra: Any) -> None:
    item = only_item(sub)
    client.v1.subscriptions.update(
        sub.id,
        {"items": [{"id": item.id, "price": price, "quantity": item.quantity}], **extra},  # type: ignore[arg-type]
    )


def swapped_on_jan_16(
    emulator: Emulator, client: stripe.StripeClient, old: int, new: int
) -> tuple[stripe.Subscription, stripe.SubscriptionItem]:
    """A subscriber to a monthly ``old`` price swapped to a ``new`` one on Jan 16."""
    sub = subscriber(client, monthly(client, old))
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, monthly(client, new))
    return sub, only_item(client.v1.subscriptions.retrieve(sub.id))


def latest_amounts(client: stripe.StripeClient, sub: stripe.Subscription) -> list[int]:
    """The line amounts of the subscription's latest invoice, smallest first."""
    latest = client.v1.invoices.list({"subscription": sub.id}).data[0]
    return sorted(line.amount for line in latest.lines.data)


def test_the_first_invoice_bills_the_first_period(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900), quantity=3)
    (invoice,) = client.v1.invoices.list({"subscription": sub.id}).data
    assert (invoice.billing_reason, invoice.status, invoice.total) == (
        "subscription_create",
        "paid",
        29700,
    )
    (line,) = invoice.lines.data
    assert (line.period.start, line.period.end) == (JAN_1_2027, FEB_1_2027)
    assert sub.latest_invoice == invoice.id


def test_a_trial_is_a_first_period_billed_nothing(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 9900), trial_period_days=14)
    item = only_item(sub)
    assert (item.current_period_start, item.current_period_end) == (
        JAN_1_2027,
        JAN_1_2027 + 14 * DAY,
    )
    assert sub.billing_cycle_anchor == JAN_1_2027 + 14 * DAY
    (invoice,) = client.v1.invoices.list({"subscription": sub.id}).data
    assert invoice.total == 0
    # A trial bills nothing, so changing the price during it prorates nothing.
    emulator.clock.set(JAN_1_2027 + 3 * DAY)
    swap(client, sub, monthly(client, 12900))
    assert pending(client, str(sub.customer)) == []


def test_a_swap_on_day_sixteen(emulator: Emulator, client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900), quantity=2)
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, monthly(client, 12900))
    credit, charge = pending(client, str(sub.customer))
    # 16 of January's 31 days remain: 2 x 9,900 x 16/31 = 10,219.35 → 10,219;
    # 2 x 12,900 x 16/31 = 13,316.13 → 13,316.
    assert (credit.amount, charge.amount) == (-10219, 13316)
    assert (charge.period.start, charge.period.end) == (JAN_16_2027, FEB_1_2027)
    times = "\N{MULTIPLICATION SIGN}"
    assert credit.description == f"Unused time on 2 {times} Advanced after 16 Jan 2027"
    assert charge.description == f"Remaining time on 2 {times} Advanced after 16 Jan 2027"


def test_zero_decimal_yen(emulator: Emulator, client: stripe.StripeClient) -> None:
    old = monthly(client, 1000, currency="jpy")
    new = monthly(client, 1500, currency="jpy")
    sub = subscriber(client, old)
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, new, proration_behavior="always_invoice")
    # ¥1,000 x 16/31 = 516.13 → ¥516; ¥1,500 x 16/31 = 774.19 → ¥774; ¥258 due now.
    assert latest_amounts(client, sub) == [-516, 774]
    latest = client.v1.invoices.list({"subscription": sub.id}).data[0]
    assert (latest.currency, latest.total, latest.amount_due) == ("jpy", 258, 258)


def test_a_currency_option_is_billed_in_the_subscription_currency(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    old = monthly(client, 9900, currency_options={"eur": {"unit_amount": 9500}})
    new = monthly(client, 12900, currency_options={"eur": {"unit_amount": 12000}})
    sub = subscriber(client, old, currency="eur")
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, new)
    credit, charge = pending(client, str(sub.customer))
    # €95.00 x 16/31 = 4,903.23 → 4,903; €120.00 x 16/31 = 6,193.55 → 6,194.
    assert (credit.amount, charge.amount) == (-4903, 6194)
    assert credit.currency == "eur"


def test_a_downgrade_invoiced_now_owes_nothing(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 12900))
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, monthly(client, 9900), proration_behavior="always_invoice")
    latest = client.v1.invoices.list({"subscription": sub.id}).data[0]
    # 12,900 x 16/31 = 6,658.06 → 6,658 credited; 9,900 x 16/31 = 5,109.68 → 5,110 charged.
    assert latest.total == 5110 - 6658
    assert latest.amount_due == 0


def test_billing_cycle_anchor_now_restarts_the_period(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 9900))
    emulator.clock.set(JAN_16_2027)
    updated = client.v1.subscriptions.update(sub.id, {"billing_cycle_anchor": {"type": "now"}})
    item = only_item(updated)
    assert updated.billing_cycle_anchor == JAN_16_2027
    assert (item.current_period_start, item.current_period_end) == (
        JAN_16_2027,
        JAN_16_2027 + 31 * DAY,  # Jan 16 → Feb 16
    )
    # The unused 16/31 of January is credited (-5,110) and the new period billed whole.
    assert latest_amounts(client, sub) == [-5110, 9900]


def test_changing_the_interval_restarts_the_period(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 9900))
    yearly = monthly(client, 99000, recurring={"interval": "year"})
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, yearly, proration_behavior="none")
    updated = client.v1.subscriptions.retrieve(sub.id)
    item = only_item(updated)
    assert (item.current_period_start, item.current_period_end) == (
        JAN_16_2027,
        JAN_16_2027 + 365 * DAY,
    )
    assert latest_amounts(client, sub) == [99000]


def test_prices_on_different_intervals_are_refused(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    yearly = monthly(client, 99000, recurring={"interval": "year"})
    with pytest.raises(stripe.InvalidRequestError, match="billing interval"):
        client.v1.subscriptions.update(sub.id, {"items": [{"price": yearly}]})


def test_pending_prorations_join_the_next_invoice_made(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub, item = swapped_on_jan_16(emulator, client, 9900, 12900)
    client.v1.subscriptions.update(
        sub.id, {"items": [{"id": item.id, "quantity": 2}], "proration_behavior": "always_invoice"}
    )
    latest = client.v1.invoices.list({"subscription": sub.id}).data[0]
    # The swap's two pending lines and the quantity change's two lines, all on this invoice.
    assert len(latest.lines.data) == 4
    assert pending(client, str(sub.customer)) == []
    invoiced = client.v1.invoice_items.list({"invoice": latest.id}).data
    assert len(invoiced) == 4


def test_unemulated_update_parameters_are_refused(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    assert info.value.param == "cancel_at_period_end"


def test_a_canceled_subscription_cannot_change_items(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    client.raw_request("post", f"/_emulator/subscriptions/{sub.id}/status", status="canceled")
    with pytest.raises(stripe.InvalidRequestError, match="canceled"):
        client.v1.subscriptions.update(sub.id, {"items": [{"price": monthly(client, 100)}]})


def test_preview_refuses_proration_date_with_none(client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.invoices.create_preview(
            {
                "subscription": sub.id,
                "subscription_details": {
                    "items": [{"id": only_item(sub).id, "quantity": 2}],
                    "proration_behavior": "none",
                    "proration_date": JAN_1_2027 + DAY,
                },
            }
        )
    assert info.value.param == "subscription_details[proration_date]"


def test_preview_of_always_invoice_is_the_invoice_made_now(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 9900))
    emulator.clock.set(JAN_16_2027)
    new = monthly(client, 12900)
    preview = client.v1.invoices.create_preview(
        {
            "subscription": sub.id,
            "subscription_details": {
                "items": [{"id": only_item(sub).id, "price": new}],
                "proration_behavior": "always_invoice",
            },
        }
    )
    # 9,900 x 16/31 = 5,109.68 → -5,110; 12,900 x 16/31 = 6,658.06 → 6,658.
    assert sorted(line.amount for line in preview.lines.data) == [-5110, 6658]
    assert preview.total == 1548


def test_a_tiered_price_is_prorated_on_its_tiered_amount(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    graduated = monthly(
        client,
        0,
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=[{"up_to": 5, "unit_amount": 1000}, {"up_to": "inf", "unit_amount": 800}],
        unit_amount=None,
    )
    sub = subscriber(client, graduated, quantity=8)
    (first,) = client.v1.invoices.list({"subscription": sub.id}).data
    assert first.total == 7400  # 5 x 1,000 + 3 x 800
    emulator.clock.set(JAN_16_2027)
    swap(client, sub, monthly(client, 1000))
    credit, charge = pending(client, str(sub.customer))
    # 7,400 x 16/31 = 3,819.35 -> -3,819; 8 x 1,000 x 16/31 = 4,129.03 -> 4,129.
    assert (credit.amount, charge.amount) == (-3819, 4129)
    assert credit.pricing is not None
    assert credit.pricing.unit_amount_decimal is None  # a tiered price has no unit amount


def test_anchor_now_is_now_even_with_a_past_proration_date(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    # billing_cycle_anchor[type]=now resets the anchor "to the current time" (stripe-python
    # params/_subscription_update_params.py); proration_date only times the prorations.
    sub = subscriber(client, monthly(client, 9900))
    emulator.clock.set(JAN_16_2027)
    updated = client.v1.subscriptions.update(
        sub.id,
        {"billing_cycle_anchor": {"type": "now"}, "proration_date": JAN_1_2027 + 9 * DAY},
    )
    assert updated.billing_cycle_anchor == JAN_16_2027
    # Unused from Jan 10: 9,900 x 22/31 = 7,025.81 -> -7,026; a new month from Jan 16.
    assert latest_amounts(client, sub) == [-7026, 9900]


def test_a_swap_from_free_to_paid_restarts_the_period(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    # "The billing date stays unless … a price goes free <-> paid"
    # (https://docs.stripe.com/billing/subscriptions/change-price).
    sub, item = swapped_on_jan_16(emulator, client, 0, 9900)
    assert (item.current_period_start, item.current_period_end) == (
        JAN_16_2027,
        JAN_16_2027 + 31 * DAY,
    )
    assert latest_amounts(client, sub) == [9900]
