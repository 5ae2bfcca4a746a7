"""A deal's invoicing terms, proration and plain-string customer, end to end through the SDK.

Each field: the plan shows it, apply writes it, the schedule in the emulator
holds it (read back with the SDK), and a re-plan is empty. Stripe's shapes:
`default_settings.collection_method` and
`default_settings.invoice_settings.days_until_due` on the schedule, and
`phases[].proration_behavior`
(https://docs.stripe.com/api/subscription_schedules/object; stripe-python's
`SubscriptionScheduleCreateParams`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import stripe

from catalogsync.catalog import check_catalog
from catalogsync.emulator import Emulator
from catalogsync.periods import day_start
from catalogsync.plan.operations import CreateDeal, UpdateDeal
from catalogsync.render import render
from tests.deal_support import acme_account, apply, converge, only_schedule, plan_for, write_catalog

client = pytest.fixture(acme_account, name="client")

DEAL = """kind: Deal
key: globex
customer: %(customer)s
start_date: 2027-03-01
%(terms)sphases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 60}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 80}]
"""

NET_30 = "collection_method: send_invoice\ndays_until_due: 30\n"


def _customer(client: stripe.StripeClient) -> str:
    return str(client.v1.customers.list().data[0].id)


def _deal(customer: str, terms: str = "") -> str:
    return DEAL % {"customer": customer, "terms": terms}


def test_plain_string_customer_names_the_customer_by_id(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    customer = _customer(client)
    catalog = write_catalog(tmp_path / "c", _deal(customer))
    assert converge(client, catalog).operations == ()
    assert only_schedule(client).customer == customer


def test_net_30_invoicing_is_written_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = write_catalog(tmp_path / "c", _deal(_customer(client), NET_30))
    plan = plan_for(client, catalog)
    deal = next(op for op in plan.operations if op.target.kind == "deal")
    assert isinstance(deal, CreateDeal)
    assert "invoicing: send_invoice, due 30 days after each invoice" in render(plan, "text")
    apply(client, plan)
    settings = only_schedule(client).default_settings
    assert settings.collection_method == "send_invoice"
    assert settings.invoice_settings.days_until_due == 30
    assert plan_for(client, catalog).operations == ()


def test_changed_payment_terms_update_the_live_schedule(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    customer = _customer(client)
    catalog = write_catalog(tmp_path / "c", _deal(customer, NET_30))
    converge(client, catalog)
    emulator.clock.set(day_start(date(2027, 6, 1)))  # phase 1 is current
    write_catalog(catalog, _deal(customer, NET_30.replace("30", "45")))
    plan = plan_for(client, catalog)
    (op,) = plan.operations
    assert isinstance(op, UpdateDeal)
    assert "days_until_due: 30 → 45" in render(plan, "text")
    apply(client, plan)
    assert only_schedule(client).default_settings.invoice_settings.days_until_due == 45
    write_catalog(catalog, _deal(customer))  # back to charging automatically
    apply(client, plan_for(client, catalog))
    settings = only_schedule(client).default_settings
    assert settings.collection_method == "charge_automatically"
    assert settings.invoice_settings.days_until_due is None
    assert plan_for(client, catalog).operations == ()


def test_proration_behavior_reaches_every_phase_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    customer = _customer(client)
    catalog = write_catalog(tmp_path / "c", _deal(customer, "proration_behavior: none\n"))
    plan = plan_for(client, catalog)
    assert "proration at phase transitions: none" in render(plan, "text")
    apply(client, plan)
    assert [p.proration_behavior for p in only_schedule(client).phases] == ["none", "none"]
    assert plan_for(client, catalog).operations == ()


def test_proration_change_spares_the_started_phase(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    customer = _customer(client)
    catalog = write_catalog(tmp_path / "c", _deal(customer))
    converge(client, catalog)
    emulator.clock.set(day_start(date(2027, 6, 1)))  # phase 1 is current: its transition is past
    write_catalog(catalog, _deal(customer, "proration_behavior: always_invoice\n"))
    plan = plan_for(client, catalog)
    text = render(plan, "text")
    assert "phase 2 (2028-03-01 → 2029-03-01): proration on entering it" in text
    assert "phase 1 (" not in text
    apply(client, plan)
    phases = only_schedule(client).phases
    assert [p.proration_behavior for p in phases] == ["create_prorations", "always_invoice"]
    assert plan_for(client, catalog).operations == ()


def test_payment_terms_without_send_invoice_are_refused(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", _deal("cus_Globex42", "days_until_due: 30\n"))
    (diagnostic,) = [d for d in check_catalog(catalog) if d.code == "deal-terms"]
    assert diagnostic.pointer == "/days_until_due"
    assert (Path(diagnostic.file).name, diagnostic.line) == ("deals.yaml", 5)


@pytest.mark.parametrize("customer", ["cus_", "finance@acme.example", "{id: cus_A, email: x@y.z}"])
def test_malformed_customer_is_a_schema_error(customer: str, tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path / "c", _deal(customer))
    assert any(d.pointer.startswith("/customer") for d in check_catalog(catalog))
