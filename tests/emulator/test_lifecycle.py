"""Subscriptions over time: renewals, trials ending, and schedules moving subscribers.

Emulator-only (its clock is set by the test; real Stripe needs a test clock for this):
- a period ending renews the subscription, invoicing the next period in advance with the
  pending invoice items (https://docs.stripe.com/billing/subscriptions/overview: "the
  subscription automatically renews and invoices at the start of each billing period";
  https://docs.stripe.com/billing/subscriptions/prorations: prorations "are added to the
  next invoice");
- a trial ends at the billing cycle anchor, where the first paid period starts
  (https://docs.stripe.com/billing/subscriptions/trials);
- a schedule made `from_subscription` and given two phases moves the subscription to the
  second phase's price at the boundary, and a released schedule leaves the subscription
  billing on (https://docs.stripe.com/billing/subscriptions/subscription-schedules/use-cases);
  phase discounts not given are not kept
  (https://docs.stripe.com/api/subscription_schedules/update#update_subscription_schedule-phases-discounts);
  a phase's metadata is merged into the subscription's when the phase is entered ("adding new
  keys and replacing existing keys": stripe-python
  `params/_subscription_schedule_update_params.py`, phases[].metadata).
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
JAN_1_2027 = 1_798_761_600
JAN_16_2027 = JAN_1_2027 + 15 * DAY
JAN_20_2027 = JAN_1_2027 + 19 * DAY
FEB_1_2027 = JAN_1_2027 + 31 * DAY
MAR_1_2027 = FEB_1_2027 + 28 * DAY
APR_1_2027 = MAR_1_2027 + 31 * DAY


@pytest.fixture
def client(jan_1_2027: stripe.StripeClient) -> stripe.StripeClient:
    return jan_1_2027


def invoices(client: stripe.StripeClient, sub: str) -> list[stripe.Invoice]:
    """The subscription's invoices, oldest first."""
    return list(reversed(client.v1.invoices.list({"subscription": sub, "limit": 100}).data))


def billed(invoice: stripe.Invoice) -> list[tuple[str, int, int]]:
    """(price, quantity, amount) of each line, smallest amount first."""
    out = []
    for line in invoice.lines.data:
        assert line.pricing is not None
        assert line.pricing.price_details is not None
        out.append((str(line.pricing.price_details.price), line.quantity or 0, line.amount))
    return sorted(out, key=lambda row: row[2])


def test_each_period_end_renews_at_its_own_time(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    price = monthly(client, 9900)
    sub = subscriber(client, price, quantity=2)
    emulator.clock.set(APR_1_2027 + 5 * DAY)  # three period ends passed at once
    made = invoices(client, sub.id)
    assert [i.billing_reason for i in made] == ["subscription_create"] + 3 * ["subscription_cycle"]
    assert [i.created for i in made] == [JAN_1_2027, FEB_1_2027, MAR_1_2027, APR_1_2027]
    assert [(i.period_start, i.period_end) for i in made[1:]] == [
        (JAN_1_2027, FEB_1_2027),
        (FEB_1_2027, MAR_1_2027),
        (MAR_1_2027, APR_1_2027),
    ]
    assert all(billed(i) == [(price, 2, 19800)] for i in made)
    item = only_item(client.v1.subscriptions.retrieve(sub.id))
    assert (item.current_period_start, item.current_period_end) == (
        APR_1_2027,
        APR_1_2027 + 30 * DAY,
    )


def on_old_price_at_jan_16(
    emulator: Emulator, client: stripe.StripeClient
) -> tuple[str, str, stripe.Subscription]:
    """A $99 and a $129 price, a subscriber to the first, and the clock on Jan 16."""
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old)
    emulator.clock.set(JAN_16_2027)
    return old, new, sub


def test_pending_prorations_join_the_renewal(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    old, new, sub = on_old_price_at_jan_16(emulator, client)
    client.v1.subscriptions.update(sub.id, {"items": [{"id": only_item(sub).id, "price": new}]})
    emulator.clock.set(FEB_1_2027)
    renewal = invoices(client, sub.id)[-1]
    # 9,900 x 16/31 = 5,109.68 -> -5,110; 12,900 x 16/31 = 6,658.06 -> 6,658; then February.
    assert billed(renewal) == [(old, 1, -5110), (new, 1, 6658), (new, 1, 12900)]
    assert renewal.total == 14448
    assert pending(client, str(sub.customer)) == []


def test_a_trial_ends_into_the_first_paid_period(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    price = monthly(client, 9900)
    sub = subscriber(client, price, trial_period_days=14)
    emulator.clock.set(JAN_1_2027 + 14 * DAY)
    renewed = client.v1.subscriptions.retrieve(sub.id)
    assert renewed.status == "active"
    first_paid = invoices(client, sub.id)[-1]
    assert billed(first_paid) == [(price, 1, 9900)]
    assert first_paid.lines.data[0].period.start == JAN_1_2027 + 14 * DAY


def test_past_due_renewals_stay_open(emulator: Emulator, client: stripe.StripeClient) -> None:
    sub = subscriber(client, monthly(client, 9900))
    client.raw_request("post", f"/_emulator/subscriptions/{sub.id}/payment_failed")
    emulator.clock.set(FEB_1_2027)
    renewal = invoices(client, sub.id)[-1]
    assert (renewal.status, renewal.amount_remaining) == ("open", 9900)


def test_canceled_subscriptions_do_not_renew(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    sub = subscriber(client, monthly(client, 9900))
    client.raw_request("post", f"/_emulator/subscriptions/{sub.id}/status", status="canceled")
    emulator.clock.set(APR_1_2027)
    assert len(invoices(client, sub.id)) == 1


# --- schedules moving a subscriber -----------------------------------------------------------


def attach(client: stripe.StripeClient, sub: stripe.Subscription) -> stripe.SubscriptionSchedule:
    return client.v1.subscription_schedules.create({"from_subscription": sub.id})


def moving(
    client: stripe.StripeClient, *, boundary: int, second: dict[str, Any], **options: Any
) -> tuple[str, str, stripe.Subscription]:
    """A subscriber to a $99 price, scheduled to move to a $129 one at ``boundary``."""
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old)
    two_phases(client, attach(client, sub), new=new, boundary=boundary, second=second, **options)
    return old, new, sub


def two_phases(
    client: stripe.StripeClient,
    schedule: stripe.SubscriptionSchedule,
    *,
    new: str,
    boundary: int,
    second: dict[str, Any],
    first: dict[str, Any] | None = None,
    end_behavior: str = "release",
) -> None:
    """Keep the current items until ``boundary``, then ``new`` for one month."""
    current = schedule.phases[0]
    client.v1.subscription_schedules.update(
        schedule.id,
        {  # type: ignore[arg-type]
            "end_behavior": end_behavior,
            "phases": [
                {
                    "start_date": current.start_date,
                    "end_date": boundary,
                    "items": [
                        {"price": str(i.price), "quantity": i.quantity} for i in current.items
                    ],
                    **(first or {}),
                },
                {
                    "items": [{"price": new, "quantity": current.items[0].quantity}],
                    "duration": {"interval": "month"},
                    **second,
                },
            ],
        },
    )


def test_a_move_at_renewal_bills_the_new_price_from_the_period_end(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old, quantity=3)
    emulator.clock.set(JAN_16_2027)
    schedule = attach(client, sub)
    two_phases(client, schedule, new=new, boundary=FEB_1_2027, second={})
    emulator.clock.set(FEB_1_2027 + DAY)
    moved = client.v1.subscriptions.retrieve(sub.id)
    assert (only_item(moved).price.id, only_item(moved).quantity) == (new, 3)
    assert billed(invoices(client, sub.id)[-1]) == [(new, 3, 38700)]
    assert pending(client, str(sub.customer)) == []  # nothing to prorate at the period end
    # The second phase ends a month later; released, the subscription bills on.
    emulator.clock.set(APR_1_2027 + DAY)
    after = client.v1.subscriptions.retrieve(sub.id)
    assert after.schedule is None
    assert client.v1.subscription_schedules.retrieve(schedule.id).status == "released"
    made = invoices(client, sub.id)
    assert [billed(i) for i in made] == [[(old, 3, 29700)]] + 3 * [[(new, 3, 38700)]]


def test_a_move_on_a_date_without_proration_bills_the_new_price_next_period(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    _, new, sub = moving(client, boundary=JAN_20_2027, second={"proration_behavior": "none"})
    emulator.clock.set(JAN_20_2027)
    assert only_item(client.v1.subscriptions.retrieve(sub.id)).price.id == new
    assert pending(client, str(sub.customer)) == []
    emulator.clock.set(FEB_1_2027)
    assert billed(invoices(client, sub.id)[-1]) == [(new, 1, 12900)]


def test_a_move_on_a_date_with_prorations(emulator: Emulator, client: stripe.StripeClient) -> None:
    old, new, sub = moving(client, boundary=JAN_20_2027, second={})
    emulator.clock.set(FEB_1_2027)
    # From Jan 20, 12 of 31 days remain: 9,900 x 12/31 = 3,832.26 -> -3,832;
    # 12,900 x 12/31 = 4,993.55 -> 4,994.
    assert billed(invoices(client, sub.id)[-1]) == [
        (old, 1, -3832),
        (new, 1, 4994),
        (new, 1, 12900),
    ]


def test_discounts_last_only_where_the_phase_has_them(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10, "duration": "forever"}).id
    old, new = monthly(client, 9900), monthly(client, 12900)
    kept = subscriber(client, old, discounts=[{"coupon": coupon}])
    lost = subscriber(client, old, discounts=[{"coupon": coupon}])
    for sub, second in ((kept, {"discounts": [{"discount": str(kept.discounts[0])}]}), (lost, {})):
        schedule = attach(client, sub)
        phase_discounts = [{"discount": str(d.discount)} for d in schedule.phases[0].discounts]
        assert phase_discounts == [{"discount": str(sub.discounts[0])}]
        two_phases(
            client,
            schedule,
            new=new,
            boundary=FEB_1_2027,
            first={"discounts": phase_discounts},
            second=second,
        )
    emulator.clock.set(FEB_1_2027)
    assert client.v1.subscriptions.retrieve(kept.id).discounts == kept.discounts
    assert client.v1.subscriptions.retrieve(lost.id).discounts == []
    # The renewal bills the new price: 10 % off 12,900 where the discount was kept.
    assert invoices(client, kept.id)[-1].total == 11610
    assert invoices(client, lost.id)[-1].total == 12900


def test_a_cancel_end_behavior_ends_the_subscription(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    _, _, sub = moving(client, boundary=FEB_1_2027, second={}, end_behavior="cancel")
    emulator.clock.set(APR_1_2027)
    ended = client.v1.subscriptions.retrieve(sub.id)
    assert (ended.status, ended.ended_at) == ("canceled", MAR_1_2027)
    assert [i.created for i in invoices(client, sub.id)] == [JAN_1_2027, FEB_1_2027]


def scheduled(
    client: stripe.StripeClient, phases: list[dict[str, Any]]
) -> stripe.SubscriptionSchedule:
    customer = client.v1.customers.create({"email": "ramp@example.com"}).id
    return client.v1.subscription_schedules.create(
        {"customer": customer, "start_date": "now", "phases": phases}  # type: ignore[arg-type]
    )


def test_a_phase_renews_each_period_until_the_next_phase(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    schedule = scheduled(
        client,
        [
            {"items": [{"price": old}], "duration": {"interval": "month", "interval_count": 3}},
            {"items": [{"price": new}], "duration": {"interval": "month"}},
        ],
    )
    emulator.clock.set(APR_1_2027)
    sub = str(client.v1.subscription_schedules.retrieve(schedule.id).subscription)
    assert [billed(i) for i in invoices(client, sub)] == 3 * [[(old, 1, 9900)]] + [
        [(new, 1, 12900)]
    ]


def test_a_trial_phase_bills_nothing_until_it_ends(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    price = monthly(client, 9900)
    month = {"interval": "month"}
    schedule = scheduled(
        client,
        [
            {"items": [{"price": price}], "duration": month},
            {"items": [{"price": price}], "duration": month, "trial": True},
            {"items": [{"price": price}], "duration": month},
        ],
    )
    emulator.clock.set(FEB_1_2027)
    sub = str(client.v1.subscription_schedules.retrieve(schedule.id).subscription)
    assert client.v1.subscriptions.retrieve(sub).status == "trialing"
    emulator.clock.set(MAR_1_2027)
    assert client.v1.subscriptions.retrieve(sub).status == "active"
    assert [billed(i)[0][2] for i in invoices(client, sub)] == [9900, 0, 9900]


def test_metered_prices_are_not_prorated(emulator: Emulator, client: stripe.StripeClient) -> None:
    # "Prorations are created only for licensed (per-seat) subscriptions"
    # (https://docs.stripe.com/billing/subscriptions/prorations); usage is billed as recorded.
    meter = client.v1.billing.meters.create(
        {
            "display_name": "Resolutions",
            "event_name": "resolution",
            "default_aggregation": {"formula": "sum"},
        }
    ).id
    usage = {"interval": "month", "usage_type": "metered", "meter": meter}
    old = monthly(client, 99, recurring=usage)
    new = monthly(client, 89, recurring=usage)
    customer = client.v1.customers.create({"email": "usage@example.com"}).id
    sub = client.v1.subscriptions.create({"customer": customer, "items": [{"price": old}]})
    emulator.clock.set(JAN_16_2027)
    client.v1.subscriptions.update(sub.id, {"items": [{"id": only_item(sub).id, "price": new}]})
    assert pending(client, customer) == []


def test_changing_the_current_phase_changes_the_subscription_now(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    # "If the update changes the billing configuration (item price, quantity, etc.) of the
    # current phase, indicates how prorations from this change should be handled. The default
    # value is create_prorations." (params/_subscription_schedule_update_params.py)
    old, new = monthly(client, 9900), monthly(client, 12900)
    prorated, unprorated = subscriber(client, old), subscriber(client, old)
    emulator.clock.set(JAN_16_2027)
    for sub, behavior in ((prorated, {}), (unprorated, {"proration_behavior": "none"})):
        schedule = attach(client, sub)
        client.v1.subscription_schedules.update(
            schedule.id,
            {  # type: ignore[arg-type]
                "phases": [
                    {"start_date": schedule.phases[0].start_date, "items": [{"price": new}]}
                ],
                **behavior,
            },
        )
        assert only_item(client.v1.subscriptions.retrieve(sub.id)).price.id == new
    # 9,900 x 16/31 = 5,109.68 -> -5,110; 12,900 x 16/31 = 6,658.06 -> 6,658.
    assert [i.amount for i in pending(client, str(prorated.customer))] == [-5110, 6658]
    assert pending(client, str(unprorated.customer)) == []


def test_a_preview_bills_the_phase_starting_at_the_renewal(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    _old, new, sub = on_old_price_at_jan_16(emulator, client)
    two_phases(client, attach(client, sub), new=new, boundary=FEB_1_2027, second={})
    preview = client.v1.invoices.create_preview({"subscription": sub.id})
    assert billed(preview) == [(new, 1, 12900)]


def test_a_phase_s_metadata_goes_onto_the_subscription_when_it_starts(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    old, new = monthly(client, 9900), monthly(client, 12900)
    sub = subscriber(client, old)
    client.v1.subscriptions.update(sub.id, {"metadata": {"crm": "A-1", "tier": "smb"}})
    second = {"metadata": {"moved_by": "migration", "tier": "mid"}}
    two_phases(client, attach(client, sub), new=new, boundary=FEB_1_2027, second=second)
    before = client.v1.subscriptions.retrieve(sub.id).to_dict()["metadata"]
    assert before == {"crm": "A-1", "tier": "smb"}  # not before the phase starts
    emulator.clock.set(FEB_1_2027 + DAY)
    after = client.v1.subscriptions.retrieve(sub.id).to_dict()["metadata"]
    assert after == {"crm": "A-1", "moved_by": "migration", "tier": "mid"}


def test_the_first_phase_s_metadata_is_on_the_subscription_the_schedule_starts(
    emulator: Emulator, client: stripe.StripeClient
) -> None:
    price = monthly(client, 9900)
    customer = client.v1.customers.create({"email": "later@example.com"}).id
    schedule = client.v1.subscription_schedules.create(
        {
            "customer": customer,
            "start_date": FEB_1_2027,
            "phases": [{"items": [{"price": price}], "metadata": {"deal": "acme"}}],
        }
    )
    emulator.clock.set(FEB_1_2027 + DAY)
    started = client.v1.subscription_schedules.retrieve(schedule.id).subscription
    assert started is not None
    sub = client.v1.subscriptions.retrieve(str(started))
    assert sub.to_dict()["metadata"] == {"deal": "acme"}
