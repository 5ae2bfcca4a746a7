"""Deals bill what the plan shows: their signed price, and only while their schedule lives.

End to end through the real SDK against the emulator: plan, apply, then read
what Stripe holds (which price id each schedule phase uses) and compare it
with the amounts the reviewed plan showed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.gateway.connect import LOCAL_API_KEY
from catalogsync.periods import day_start
from catalogsync.plan.operations import CreateDeal, ReleaseDeal, Replace, UpdateDeal
from catalogsync.plan.plan import Plan
from catalogsync.render import render
from catalogsync.values import Value
from tests.deal_support import acme_account, apply, converge, plan_for, write_catalog

client = pytest.fixture(acme_account, name="client")

DEAL = """kind: Deal
key: acme
customer: {email: finance@acme.example}
start_date: 2027-01-01
end_behavior: release
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 50}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: %(q2)d}]
"""
OLD_AMOUNT, NEW_AMOUNT = Decimal(158400), Decimal(174240)  # $1,584.00 -> $1,742.40


def _raise_price(catalog: Path) -> None:
    path = catalog / "catalog.yaml"
    path.write_text(path.read_text().replace('unit_amount: "1584.00"', 'unit_amount: "1742.40"'))


def _set_quantity(catalog: Path, q2: int) -> None:
    (catalog / "deals.yaml").write_text(DEAL % {"q2": q2})


def _schedule(client: stripe.StripeClient) -> Any:
    (schedule,) = [
        s
        for s in client.v1.subscription_schedules.list().data
        if s.status in ("not_started", "active")
    ]
    return schedule


def _billed(client: stripe.StripeClient, schedule: Any) -> list[list[tuple[int, Decimal]]]:
    """Per phase: (quantity, unit amount of the price id the phase really uses)."""
    out = []
    for phase in schedule.phases:
        items = []
        for item in phase["items"]:
            price_id = item["price"] if isinstance(item["price"], str) else item["price"]["id"]
            price = client.v1.prices.retrieve(price_id)
            assert price.unit_amount is not None
            items.append((int(item["quantity"]), Decimal(price.unit_amount)))
        out.append(items)
    return out


def _shown(plan: Plan) -> list[list[tuple[int, Decimal]]]:
    """Per phase: (quantity, unit amount) as the plan's deal timeline shows them."""
    (op,) = [o for o in plan.operations if o.target.kind == "deal"]
    if isinstance(op, CreateDeal):
        phases = op.fields["phases"]
    else:
        assert isinstance(op, UpdateDeal)
        (change,) = [c for c in op.changes if c.field == "phases"]
        phases = change.after
    assert isinstance(phases, tuple)
    out = []
    for phase in phases:
        assert isinstance(phase, Mapping)
        items = phase["items"]
        assert isinstance(items, tuple)
        out.append([_quantity_and_amount(i) for i in items])
    return out


def _quantity_and_amount(item: Value) -> tuple[int, Decimal]:
    assert isinstance(item, Mapping)
    quantity, amount = item["quantity"], item["unit_amount"]
    assert isinstance(quantity, int)
    assert isinstance(amount, Decimal | int)
    return quantity, Decimal(amount)


def test_a_later_phase_edit_bills_the_signed_price_the_plan_shows(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    assert converge(client, catalog).operations == ()
    signed_price = _schedule(client).phases[0]["items"][0]["price"]
    _raise_price(catalog)
    replaced = plan_for(client, catalog)
    assert any(isinstance(op, Replace) for op in replaced.operations)
    assert "deals stay on the old price, $1,584.00 (1 deal): acme" in render(replaced, "text")
    apply(client, replaced)

    _set_quantity(catalog, 120)
    edit = plan_for(client, catalog)
    text = render(edit, "text")
    assert "120 \u00d7 expert_seat_annual, $1,584.00 \u2014 earlier version, archived" in text
    assert "$190,080.00 / year" in text  # 120 x $1,584.00, not 120 x $1,742.40
    apply(client, edit)

    schedule = _schedule(client)
    assert {i["price"] for p in schedule.phases for i in p["items"]} == {signed_price}
    assert _billed(client, schedule) == _shown(edit) == [[(50, OLD_AMOUNT)], [(120, OLD_AMOUNT)]]
    assert plan_for(client, catalog).operations == ()


def test_a_replace_and_a_deal_edit_in_one_plan_keep_the_deal_on_its_price(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    converge(client, catalog)
    signed_price = _schedule(client).phases[0]["items"][0]["price"]
    _raise_price(catalog)
    _set_quantity(catalog, 120)
    plan = plan_for(client, catalog)
    assert {type(op) for op in plan.operations} >= {Replace, UpdateDeal}
    apply(client, plan)
    schedule = _schedule(client)
    # The new price holds the lookup key; the schedule stays on the signed one.
    (current,) = client.v1.prices.list({"lookup_keys": ["expert_seat_annual"]}).data
    assert current.id != signed_price
    assert current.unit_amount is not None
    assert Decimal(current.unit_amount) == NEW_AMOUNT
    assert {i["price"] for p in schedule.phases for i in p["items"]} == {signed_price}
    assert _billed(client, schedule) == _shown(plan) == [[(50, OLD_AMOUNT)], [(120, OLD_AMOUNT)]]


def test_a_schedule_on_two_versions_of_a_price_is_refused_by_name(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    converge(client, catalog)
    signed = _schedule(client)
    _raise_price(catalog)
    apply(client, plan_for(client, catalog))  # the deal stays on the signed price
    (current,) = client.v1.prices.list({"lookup_keys": ["expert_seat_annual"]}).data
    first, second = signed.phases
    # Someone moves phase 2 to the new version in the Dashboard; phase 1 keeps the old one.
    client.v1.subscription_schedules.update(
        signed.id,
        {
            "phases": [
                {
                    "items": [{"price": first["items"][0]["price"], "quantity": 50}],
                    "start_date": first["start_date"],
                    "end_date": first["end_date"],
                },
                {
                    "items": [{"price": current.id, "quantity": 100}],
                    "end_date": second["end_date"],
                },
            ]
        },
    )
    # One price id for the whole deal would show phase 2 at the old amount and
    # move it back on the next edit: the plan refuses, naming deal, phases and ids.
    with pytest.raises(PlanError) as refused:
        plan_for(client, catalog)
    assert str(refused.value) == (
        f"deal acme (schedule {signed.id}) uses two versions of price expert_seat_annual: "
        f"{first['items'][0]['price']} in phase 1 and {current.id} in phase 2; a deal names "
        "one version per price, so its plan could not show what each phase bills. Move the "
        "phases to one version in Stripe, or remove the deal from the catalog, then plan again."
    )


def test_a_new_deal_after_a_replace_bills_the_new_price(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", "")
    converge(client, catalog)
    _raise_price(catalog)
    _set_quantity(catalog, 100)
    plan = plan_for(client, catalog)  # the replace and the new deal in one plan
    apply(client, plan)
    assert _billed(client, _schedule(client)) == _shown(plan)
    assert _shown(plan) == [[(50, NEW_AMOUNT)], [(100, NEW_AMOUNT)]]


def test_a_re_added_deal_creates_a_new_not_started_schedule(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    converge(client, catalog)
    first = _schedule(client)
    (catalog / "deals.yaml").write_text("")
    removal = plan_for(client, catalog)
    (op,) = removal.operations
    assert isinstance(op, ReleaseDeal)
    assert "the contract has not started and will never bill" in render(removal, "text")
    apply(client, removal)
    assert client.v1.subscription_schedules.retrieve(first.id).status == "released"

    _set_quantity(catalog, 100)
    readded = plan_for(client, catalog)
    (create,) = readded.operations
    assert isinstance(create, CreateDeal)
    assert f"its schedule {first.id} was released on 2026-11-01" in render(readded, "text")
    apply(client, readded)
    second = _schedule(client)
    assert second.id != first.id
    assert second.status == "not_started"
    assert second.metadata["catalogsync_key"] == "acme"
    assert plan_for(client, catalog).operations == ()


def test_removing_an_active_deal_says_which_phases_will_not_be_billed(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    converge(client, catalog)
    emulator.clock.set(day_start(date(2027, 6, 1)))
    (catalog / "deals.yaml").write_text("")
    text = render(plan_for(client, catalog), "text")
    assert "phase 2 (2028-01-01 → 2029-01-01): $158,400.00 / year will not be billed" in text
    assert "phase 1 (2027-01-01" not in text.split("Phase")[0]  # the current phase still bills


def test_ending_a_deal_early_is_applied_only_with_allow_destroy(
    emulator: Emulator,
    emulator_url: str,
    run_cli: Callable[..., Any],
    tmp_path: Path,
) -> None:
    emulator.clock.set(day_start(date(2026, 11, 1)))
    client = emulator.stripe_client(LOCAL_API_KEY)  # the account the CLI reaches
    client.v1.customers.create({"email": "finance@acme.example"})
    catalog = write_catalog(tmp_path / "c", DEAL % {"q2": 100})
    (catalog / "catalogsync.yaml").write_text(
        f"version: 1\nenvironments:\n  local: {{api_base: '{emulator_url}', rate_limit: 1000}}\n"
    )
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0
    schedule = _schedule(client)
    (catalog / "deals.yaml").write_text("")
    plan = run_cli("--catalog", str(catalog), "plan").out
    assert "needs --allow-destroy: ends deal acme early (releases its not started schedule)" in plan

    emulator.reset_counters()
    refused = run_cli("--catalog", str(catalog), "apply", "--yes")
    assert refused.code == 1
    assert "destructive operation(s); nothing was applied" in refused.err
    assert [k for k in emulator.counters() if k[0] == "POST"] == []
    assert client.v1.subscription_schedules.retrieve(schedule.id).status == "not_started"

    allowed = run_cli("--catalog", str(catalog), "apply", "--yes", "--allow-destroy")
    assert allowed.code == 0, allowed.err
    assert client.v1.subscription_schedules.retrieve(schedule.id).status == "released"


RAMPED = """kind: Ramp
key: enterprise_3yr
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 50}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 100}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 150}]
---
kind: Deal
key: acme
customer: {email: finance@acme.example}
ramp: enterprise_3yr
start_date: 2027-01-01
end_behavior: release
overrides:
  - {phase: 2, quantities: {expert_seat_annual: 120}, discounts: [RAMP_Y1_30]}
"""


def test_an_override_of_phase_2_changes_stripes_second_phase(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    # Overrides number phases from 1, as the plan shows them: `phase: 2` is
    # schedule.phases[1] in Stripe, and only that phase changes.
    catalog = write_catalog(tmp_path / "c", RAMPED)
    assert converge(client, catalog).operations == ()
    phases = _schedule(client).phases
    assert [[int(i["quantity"]) for i in p["items"]] for p in phases] == [[50], [120], [150]]
    coupons = [[d["coupon"] for d in p["discounts"]] for p in phases]
    assert coupons == [[], ["RAMP_Y1_30"], []]


BACKDATED = """kind: Deal
key: acme
customer: {email: finance@acme.example}
start_date: 2026-06-01
%(backdate)send_behavior: release
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 50}]
"""


def test_a_deal_starting_in_the_past_needs_backdate_and_then_creates_its_schedule(
    emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    emulator.clock.set(day_start(date(2026, 11, 1)))
    client = emulator.stripe_client(LOCAL_API_KEY)  # the account the CLI reaches
    client.v1.customers.create({"email": "finance@acme.example"})
    catalog = write_catalog(tmp_path / "c", BACKDATED % {"backdate": ""})
    (catalog / "catalogsync.yaml").write_text(
        f"version: 1\nenvironments:\n  local: {{api_base: '{emulator_url}', rate_limit: 1000}}\n"
    )
    emulator.reset_counters()
    refused = run_cli("--catalog", str(catalog), "apply", "--yes")
    assert refused.code != 0
    assert "backdate: true" in refused.out + refused.err
    assert [k for k in emulator.counters() if k[0] in ("POST", "DELETE")] == []
    assert client.v1.subscription_schedules.list().data == []

    (catalog / "deals.yaml").write_text(BACKDATED % {"backdate": "backdate: true\n"})
    applied = run_cli("--catalog", str(catalog), "apply", "--yes")
    assert applied.code == 0, applied.err
    (schedule,) = client.v1.subscription_schedules.list().data
    assert schedule.metadata is not None
    assert schedule.metadata["catalogsync_key"] == "acme"
    assert schedule.phases[0]["start_date"] == day_start(date(2026, 6, 1))
    assert schedule.status == "active"  # Stripe backdates it: running since June
