"""Deals through the real pipeline: plan, apply, re-plan, with the emulator clock moving."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.periods import day_start
from catalogsync.plan.operations import UpdateDeal
from catalogsync.render import render
from tests.deal_support import acme_account, apply, converge, plan_for, write_catalog
from tests.paths import EXAMPLE

client = pytest.fixture(acme_account, name="client")

DAY = 86400

DEAL = """kind: Deal
key: acme
customer: {email: finance@acme.example}
start_date: 2027-01-01
end_behavior: %(end)s
phases:
  - duration: {interval: month, count: 1}
    items: [{price: expert_seat_monthly, quantity: 5}]
    trial: true
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 50}]
    discounts: [RAMP_Y1_30]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: %(q3)d}]
"""


def _deal(end: str = "release", q3: int = 100) -> str:
    return DEAL % {"end": end, "q3": q3}


def test_example_catalog_deal_applies_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog, ignore=shutil.ignore_patterns(".catalogsync"))
    after = converge(client, catalog)
    assert after.operations == (), render(after, "text")
    (schedule,) = client.v1.subscription_schedules.list().data
    assert schedule.metadata is not None
    assert schedule.metadata["catalogsync_key"] == "acme_2031"
    assert [p.items[0].quantity for p in schedule.phases] == [50, 100, 175]
    assert [d.coupon for d in schedule.phases[0].discounts] == ["RAMP_Y1_30"]
    assert schedule.default_settings.collection_method == "send_invoice"
    assert schedule.default_settings.invoice_settings.days_until_due == 30


def test_time_passing_phase_boundaries_causes_no_diff(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal())
    assert converge(client, catalog).operations == ()
    for when in (date(2027, 1, 15), date(2027, 2, 1), date(2028, 3, 1), date(2031, 1, 1)):
        emulator.clock.set(day_start(when))
        plan = plan_for(client, catalog)
        assert plan.operations == (), f"{when}: {render(plan, 'text')}"


def test_future_phase_change_is_applied_and_the_current_phase_kept(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal())
    converge(client, catalog)
    emulator.clock.set(day_start(date(2027, 3, 1)))  # phase 2 is current
    before = client.v1.subscription_schedules.list().data[0]
    write_catalog(catalog, _deal(q3=175))
    plan = plan_for(client, catalog)
    (op,) = plan.operations
    assert isinstance(op, UpdateDeal)
    apply(client, plan)
    assert plan_for(client, catalog).operations == ()
    after = client.v1.subscription_schedules.retrieve(before.id)
    assert [(p.start_date, p.end_date) for p in after.phases] == [
        (p.start_date, p.end_date) for p in before.phases
    ]
    assert after.phases[2].items[0].quantity == 175
    assert after.phases[0].trial_end == after.phases[0].end_date  # the trial survived


def test_change_to_a_started_phase_is_refused_naming_deal_phase_and_dates(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal())
    converge(client, catalog)
    emulator.clock.set(day_start(date(2029, 6, 1)))  # every phase has started
    write_catalog(catalog, _deal(q3=175))
    with pytest.raises(PlanError) as refused:
        plan_for(client, catalog)
    assert str(refused.value).startswith(
        "deal acme: phase 3 (2028-02-01 → 2029-02-01) has ended; its items would change"
    )


@pytest.mark.parametrize(("end", "status"), [("release", "released"), ("cancel", "canceled")])
def test_removed_deal_is_released_or_cancelled(
    client: stripe.StripeClient, tmp_path: Path, end: str, status: str
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal(end=end))
    converge(client, catalog)
    (catalog / "deals.yaml").write_text("")
    assert converge(client, catalog).operations == ()
    assert client.v1.subscription_schedules.list().data[0].status == status


def test_customer_email_must_match_exactly_one_customer(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal().replace("finance@", "nobody@"))
    with pytest.raises(PlanError, match="deal acme: no customer has the email nobody@acme"):
        plan_for(client, catalog)
    client.v1.customers.create({"email": "finance@acme.example"})
    write_catalog(catalog, _deal())
    with pytest.raises(PlanError, match="deal acme: 2 customers have the email finance@acme"):
        plan_for(client, catalog)
