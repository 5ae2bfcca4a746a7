"""Subscription schedules follow the emulator clock: status, current phase, subscription."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.emulator.schedule_time import add_interval
from tests.emulator.resources.test_subscriptions_update_contract import monthly, subscriber

JAN_31_2027 = 1801353600  # 2027-01-31T00:00:00Z
DAY = 86400


def test_month_arithmetic_is_anchored_on_the_start_day() -> None:
    feb = add_interval(JAN_31_2027, "month", 1, 31)
    mar = add_interval(JAN_31_2027, "month", 2, 31)
    assert feb == JAN_31_2027 + 28 * DAY  # 2027-02-28
    assert mar == JAN_31_2027 + 59 * DAY  # 2027-03-31, not the 28th


def _setup(
    emulator: Emulator, client: stripe.StripeClient, **extra: Any
) -> stripe.SubscriptionSchedule:
    emulator.clock.set(JAN_31_2027 - 10 * DAY)
    client.v1.products.create({"name": "Expert", "id": "expert"})
    price = client.v1.prices.create(
        {
            "product": "expert",
            "currency": "usd",
            "unit_amount": 100,
            "recurring": {"interval": "year"},
        }
    )
    customer = client.v1.customers.create({"email": "finance@acme.example"})
    return client.v1.subscription_schedules.create(
        {  # type: ignore[arg-type]  # **extra: parameters a caller adds
            "customer": customer.id,
            "start_date": JAN_31_2027,
            "phases": [
                {
                    "items": [{"price": price.id, "quantity": 50}],
                    "duration": {"interval": "year", "interval_count": 1},
                },
                {
                    "items": [{"price": price.id, "quantity": 100}],
                    "duration": {"interval": "year", "interval_count": 1},
                },
            ],
            **extra,
        }
    )


def test_status_follows_the_clock(emulator: Emulator, stripe_client: stripe.StripeClient) -> None:
    schedule = _setup(emulator, stripe_client)
    assert schedule.status == "not_started"
    assert schedule.current_phase is None
    emulator.clock.set(JAN_31_2027 + DAY)
    active = stripe_client.v1.subscription_schedules.retrieve(schedule.id)
    assert active.status == "active"
    assert active.current_phase is not None
    assert active.current_phase.start_date == JAN_31_2027
    assert active.subscription is not None
    emulator.clock.set(JAN_31_2027 + 800 * DAY)
    ended = stripe_client.v1.subscription_schedules.retrieve(schedule.id)
    assert ended.status == "released"
    assert ended.released_subscription == active.subscription


def test_started_schedule_has_an_active_subscription(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    schedule = _setup(emulator, stripe_client)
    price = schedule.phases[0].items[0].price
    assert stripe_client.v1.subscriptions.list({"price": str(price)}).data == []
    emulator.clock.set(JAN_31_2027 + 400 * DAY)
    subs = stripe_client.v1.subscriptions.list({"price": str(price), "status": "active"}).data
    assert len(subs) == 1
    assert subs[0]["items"].data[0].quantity == 100  # second phase


def test_cancel_end_behavior_completes_and_cancels(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    schedule = _setup(emulator, stripe_client, end_behavior="cancel")
    emulator.clock.set(JAN_31_2027 + 800 * DAY)
    ended = stripe_client.v1.subscription_schedules.retrieve(schedule.id)
    assert ended.status == "completed"
    assert ended.subscription is not None
    assert stripe_client.v1.subscriptions.retrieve(str(ended.subscription)).status == "canceled"


def test_changing_current_phase_start_is_refused(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    schedule = _setup(emulator, stripe_client)
    emulator.clock.set(JAN_31_2027 + DAY)
    price = str(schedule.phases[0].items[0].price)
    with pytest.raises(stripe.InvalidRequestError, match="start_date of the current phase"):
        stripe_client.v1.subscription_schedules.update(
            schedule.id,
            {"phases": [{"start_date": JAN_31_2027 + DAY, "items": [{"price": price}]}]},
        )


def test_changing_an_ended_phase_is_refused(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    schedule = _setup(emulator, stripe_client)
    emulator.clock.set(JAN_31_2027 + 400 * DAY)
    price = str(schedule.phases[0].items[0].price)
    second = schedule.phases[1].start_date
    with pytest.raises(stripe.InvalidRequestError, match="already ended"):
        stripe_client.v1.subscription_schedules.update(
            schedule.id,
            {
                "phases": [
                    {
                        "start_date": JAN_31_2027,
                        "items": [{"price": price, "quantity": 7}],
                        "duration": {"interval": "year"},
                    },
                    {"start_date": second, "items": [{"price": price, "quantity": 100}]},
                ]
            },
        )


def test_future_phases_can_change(emulator: Emulator, stripe_client: stripe.StripeClient) -> None:
    schedule = _setup(emulator, stripe_client)
    emulator.clock.set(JAN_31_2027 + DAY)
    price = str(schedule.phases[0].items[0].price)
    updated = stripe_client.v1.subscription_schedules.update(
        schedule.id,
        {
            "phases": [
                {
                    "start_date": JAN_31_2027,
                    "items": [{"price": price, "quantity": 50}],
                    "duration": {"interval": "year"},
                },
                {
                    "items": [{"price": price, "quantity": 150}],
                    "duration": {"interval": "month", "interval_count": 6},
                },
            ]
        },
    )
    assert [p.items[0].quantity for p in updated.phases] == [50, 150]
    assert updated.phases[1].end_date == add_interval(updated.phases[1].start_date, "month", 6, 31)


def test_release_keeps_the_subscription(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    schedule = _setup(emulator, stripe_client)
    emulator.clock.set(JAN_31_2027 + DAY)
    released = stripe_client.v1.subscription_schedules.release(schedule.id)
    assert released.status == "released"
    assert released.subscription is None
    sub = stripe_client.v1.subscriptions.retrieve(str(released.released_subscription))
    assert sub.status == "active"
    assert sub.schedule is None


def test_cli_serve_persists_across_restart(tmp_path: Path) -> None:
    db = tmp_path / "served.sqlite"
    for round_ in range(2):
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from catalogsync.cli import main; main()",
                "emulator",
                "serve",
                "--port",
                "0",
                "--db",
                str(db),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            client = stripe.StripeClient("sk_test_cli", base_addresses={"api": url})
            if round_ == 0:
                client.v1.products.create({"name": "Kept", "id": "kept"})
            else:
                assert client.v1.products.retrieve("kept").name == "Kept"
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout:
                process.stdout.close()


def test_a_canceled_subscription_cannot_be_attached(stripe_client: stripe.StripeClient) -> None:
    # from_subscription takes a subscription that is still billing; the status control
    # stands in for its cancellation.
    sub = subscriber(stripe_client, monthly(stripe_client, 9900))
    control = f"/_emulator/subscriptions/{sub.id}/status"
    stripe_client.raw_request("post", control, status="canceled")
    with pytest.raises(stripe.InvalidRequestError) as info:
        stripe_client.v1.subscription_schedules.create({"from_subscription": sub.id})
    assert info.value.param == "from_subscription"


def test_a_phase_discount_must_exist(stripe_client: stripe.StripeClient) -> None:
    sub = subscriber(stripe_client, monthly(stripe_client, 9900))
    schedule = stripe_client.v1.subscription_schedules.create({"from_subscription": sub.id})
    phase = schedule.phases[0]
    with pytest.raises(stripe.InvalidRequestError) as info:
        stripe_client.v1.subscription_schedules.update(
            schedule.id,
            {
                "phases": [
                    {
                        "start_date": phase.start_date,
                        "items": [{"price": str(phase.items[0].price)}],
                        "discounts": [{"discount": "di_missing"}],
                    }
                ]
            },
        )
    assert info.value.param == "phases[0][discounts][0][discount]"
