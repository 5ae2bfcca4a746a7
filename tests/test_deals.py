"""A deal's phases: resolved from its ramp, dated with the emulator's own calendar."""

from __future__ import annotations

from datetime import date

import stripe

from catalogsync.deals import resolve
from catalogsync.emulator import Emulator
from catalogsync.model import CustomerRef, Deal, Duration, Phase, PhaseItem, PhaseOverride, Ramp
from catalogsync.periods import day_start, utc_day

RAMP = Ramp(
    "r",
    (
        Phase(Duration("month", 1), (PhaseItem("seat", 10),), ("Y1",)),
        Phase(Duration("month", 1), (PhaseItem("seat", 20), PhaseItem("addon", 1))),
        Phase(Duration("year", 1), (PhaseItem("seat", 30),)),
    ),
)


def _deal(**kw: object) -> Deal:
    base: dict[str, object] = {
        "key": "d",
        "customer": CustomerRef(email="a@b.example"),
        "start_date": date(2027, 1, 31),
        "ramp": "r",
    }
    return Deal(**(base | kw))  # type: ignore[arg-type]


def test_month_phases_keep_the_start_day_like_stripe() -> None:
    phases = resolve(_deal(), {"r": RAMP})
    days = [(utc_day(p.start), utc_day(p.end)) for p in phases]
    assert days == [
        ("2027-01-31", "2027-02-28"),
        ("2027-02-28", "2027-03-31"),  # anchored on the 31st, not on Feb 28
        ("2027-03-31", "2028-03-31"),
    ]


def test_overrides_change_only_the_named_phase_and_extra_phases_follow() -> None:
    extra = Phase(Duration("week", 2), (PhaseItem("seat", 40),), trial=True)
    deal = _deal(
        # Phases are numbered from 1, as the plan shows them.
        overrides=(PhaseOverride(2, {"seat": 25}, ("Y2",)), PhaseOverride(1, discounts=())),
        extra_phases=(extra,),
    )
    phases = resolve(deal, {"r": RAMP})
    assert [tuple((i.price, i.quantity) for i in p.items) for p in phases] == [
        (("seat", 10),),
        (("seat", 25), ("addon", 1)),
        (("seat", 30),),
        (("seat", 40),),
    ]
    assert [p.discounts for p in phases] == [(), ("Y2",), (), ()]
    assert phases[3].trial
    assert phases[3].end - phases[3].start == 14 * 86400
    assert phases[1].origin == "ramp r, phase 2 (overridden)"
    assert phases[3].origin == "extra phase 1"


def test_inline_phases() -> None:
    deal = _deal(ramp=None, phases=RAMP.phases[:1], start_date=date(2027, 5, 1))
    (phase,) = resolve(deal, {})
    assert (utc_day(phase.start), utc_day(phase.end)) == ("2027-05-01", "2027-06-01")
    assert phase.origin == "phase 1"


def test_dates_equal_what_the_emulator_stores(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    emulator.clock.set(day_start(date(2026, 12, 1)))
    stripe_client.v1.products.create({"id": "p", "name": "P"})
    price = stripe_client.v1.prices.create(
        {"product": "p", "currency": "usd", "unit_amount": 100, "recurring": {"interval": "month"}}
    )
    customer = stripe_client.v1.customers.create({"email": "a@b.example"})
    phases = resolve(_deal(), {"r": RAMP})
    created = stripe_client.v1.subscription_schedules.create(
        {
            "customer": customer.id,
            "start_date": day_start(date(2027, 1, 31)),
            "phases": [
                {
                    "items": [{"price": price.id}],
                    "duration": {"interval": p.duration[0], "interval_count": p.duration[1]},
                }
                for p in phases
                if p.duration is not None
            ],
        }
    )
    assert [(p.start_date, p.end_date) for p in created.phases] == [
        (p.start, p.end) for p in phases
    ]
