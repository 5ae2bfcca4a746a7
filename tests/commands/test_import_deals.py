"""`import --deals`: a schedule made outside catalogsync becomes a Deal the plan adopts.

Adopting writes only catalogsync's markers on the same schedule
(`POST /v1/subscription_schedules/{id}` with metadata, which Stripe accepts
without phases: https://docs.stripe.com/api/subscription_schedules/update);
no schedule is ever created for it. A schedule holding a setting the Deal
format cannot express is refused by name, and nothing is written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.errors import ImportRefused, PlanError
from catalogsync.gateway.convert import unmodelled_schedule_fields
from tests.commands.account import catalog_dir, client, run, seed_example

START = int(datetime(2030, 1, 1, tzinfo=UTC).timestamp())


def _schedule(sdk: stripe.StripeClient, **phase_extra: Any) -> tuple[str, str]:
    """A ramp created with the SDK, as a sales tool would: (schedule id, customer).

    Invoiced net 30 without prorations at phase changes (default_settings
    and phases[].proration_behavior: docs.stripe.com/api/subscription_schedules/create).
    """
    customer = sdk.v1.customers.create({"email": "buyer@globex.example"}).id
    price = sdk.v1.prices.list({"lookup_keys": ["expert_seat_annual"]}).data[0].id
    schedule = sdk.v1.subscription_schedules.create(
        {  # type: ignore[arg-type]  # **extra: parameters a caller adds
            "customer": customer,
            "start_date": START,
            "end_behavior": "cancel",
            "metadata": {"crm_opportunity": "0068Z00001Globex"},
            "default_settings": {
                "collection_method": "send_invoice",
                "invoice_settings": {"days_until_due": 30},
            },
            "phases": [
                {
                    "items": [{"price": price, "quantity": 40}],
                    "discounts": [{"coupon": "RAMP_Y1_30"}],
                    "duration": {"interval": "year", "interval_count": 1},
                    "proration_behavior": "none",
                    **phase_extra,
                },
                {
                    "items": [{"price": price, "quantity": 80}],
                    "duration": {"interval": "month", "interval_count": 18},
                    "proration_behavior": "none",
                },
            ],
        }
    )
    return schedule.id, customer


@pytest.fixture
def account(tmp_path: Path) -> Path:
    path = tmp_path / "account.sqlite"
    emulator, sdk = client(path)
    seed_example(sdk)
    emulator.close()
    return path


def _with_schedule(tmp_path: Path, account: Path, **phase_extra: Any) -> tuple[Path, str, str]:
    """A catalog directory for ``account`` after a schedule was made there with the SDK."""
    emulator, sdk = client(account)
    schedule_id, customer = _schedule(sdk, **phase_extra)
    emulator.close()
    return catalog_dir(tmp_path / "catalog", account), schedule_id, customer


def _operations(catalog: Path) -> list[dict[str, Any]]:
    result = run(catalog, "plan", "--format", "json", "--no-impact")
    assert result.exit_code == 0, result.output
    ops: list[dict[str, Any]] = json.loads(result.stdout)["operations"]
    return ops


def test_an_sdk_made_schedule_is_imported_and_adopted_in_place(
    tmp_path: Path, account: Path
) -> None:
    catalog, schedule_id, customer = _with_schedule(tmp_path, account)

    result = run(catalog, "import", "--deals", "--adopt")
    assert result.exit_code == 0, result.output
    assert "1 deals" in result.stdout
    key = f"{customer}_2030_01_01"
    deals = (catalog / "deals.yaml").read_text()
    assert f"key: {key}\ncustomer: {customer}\nschedule: {schedule_id}\n" in deals
    assert "end_behavior: cancel\ncollection_method: send_invoice\ndays_until_due: 30\n" in deals
    assert "proration_behavior: none\n" in deals
    assert "  - duration: {interval: year}\n" in deals
    assert "    items:\n      - {price: expert_seat_annual, quantity: 40}\n" in deals
    assert "    discounts: [RAMP_Y1_30]\n" in deals
    assert "  - duration: {interval: month, count: 18}\n" in deals
    assert "metadata: {crm_opportunity: 0068Z00001Globex}" in deals

    ops = [op for op in _operations(catalog) if op["target"]["kind"] == "deal"]
    assert [(op["op"], op["target"]["key"], op["target"]["stripe_id"]) for op in ops] == [
        ("Adopt", key, schedule_id)
    ]
    markdown = run(catalog, "plan", "--format", "markdown", "--no-impact").stdout
    assert f"adopt deal {key} ({schedule_id})" in markdown

    applied = run(catalog, "apply", "--yes")
    assert applied.exit_code == 0, applied.output

    emulator, sdk = client(account)
    try:
        schedules = sdk.v1.subscription_schedules.list({"limit": 100}).data
        assert [s.id for s in schedules] == [schedule_id]  # no new schedule
        held = sdk.v1.subscription_schedules.retrieve(schedule_id)
        assert held.metadata is not None
        assert held.metadata["catalogsync_managed"] == "true"
        assert held.metadata["catalogsync_key"] == key
        assert held.metadata["crm_opportunity"] == "0068Z00001Globex"
        assert [p.items[0].quantity for p in held.phases] == [40, 80]
        assert [p.proration_behavior for p in held.phases] == ["none", "none"]
        assert held.default_settings.collection_method == "send_invoice"
        assert held.default_settings.invoice_settings.days_until_due == 30
        assert held.phases[1].end_date == int(datetime(2032, 7, 1, tzinfo=UTC).timestamp())
    finally:
        emulator.close()
    assert _operations(catalog) == []  # re-plan: nothing left to do

    # A fresh import of the account now writes the managed deal by its key: no release planned.
    again = catalog_dir(tmp_path / "again", account)
    assert run(again, "import", "--deals").exit_code == 0
    fresh = (again / "deals.yaml").read_text()
    assert f"key: {key}\n" in fresh
    assert "schedule:" not in fresh
    assert fresh == deals.replace(f"schedule: {schedule_id}\n", "")
    assert _operations(again) == []


def test_a_schedule_with_settings_a_deal_cannot_express_is_refused(
    tmp_path: Path, account: Path
) -> None:
    catalog, schedule_id, _ = _with_schedule(tmp_path, account, metadata={"po_number": "PO-7"})
    with pytest.raises(ImportRefused) as refused:
        run(catalog, "import", "--deals")
    assert f"schedule {schedule_id} (customer cus_" in str(refused.value)
    assert str(refused.value).endswith("): phases[1].metadata")
    assert not (catalog / "deals.yaml").exists()
    assert [p.name for p in catalog.rglob("*.yaml")] == ["catalogsync.yaml"]  # nothing written


def test_without_deals_no_schedule_is_imported(tmp_path: Path, account: Path) -> None:
    catalog, _, _ = _with_schedule(tmp_path, account)
    assert run(catalog, "import").exit_code == 0
    assert not (catalog / "deals.yaml").exists()


def test_a_deal_that_differs_from_the_schedule_it_names_is_not_adopted(
    tmp_path: Path, account: Path
) -> None:
    catalog, schedule_id, _ = _with_schedule(tmp_path, account)
    assert run(catalog, "import", "--deals").exit_code == 0
    deals = catalog / "deals.yaml"
    deals.write_text(deals.read_text().replace("quantity: 80", "quantity: 90"))
    with pytest.raises(PlanError) as refused:
        run(catalog, "plan", "--no-impact")
    message = str(refused.value)
    assert f"schedule {schedule_id}: adopting only adds catalogsync's markers" in message
    assert "phase 2 (2031-01-01 → 2032-07-01): its items would change from 80" in message


def test_settings_other_than_stripes_defaults_are_named() -> None:
    """Field names and defaults from https://docs.stripe.com/api/subscription_schedules/object."""
    phase = {
        "start_date": START,
        "end_date": START + 86400 * 365,
        "currency": "usd",
        "items": [{"price": "price_1", "quantity": 2, "discounts": [], "metadata": {}}],
        "discounts": [{"coupon": "C", "discount": None, "promotion_code": None}],
        "proration_behavior": "create_prorations",
        "add_invoice_items": [],
        "trial_end": None,
        "automatic_tax": {"enabled": False, "liability": None},
    }
    plain = {
        "id": "sub_sched_1",
        "status": "active",
        "end_behavior": "release",
        "billing_mode": {"type": "classic"},
        "default_settings": {
            "billing_cycle_anchor": "automatic",
            "collection_method": "charge_automatically",
            "invoice_settings": {"days_until_due": None},
        },
        "phases": [phase],
    }
    assert unmodelled_schedule_fields(plain) == ()
    odd_phase = {
        **phase,
        "proration_behavior": "none",
        "add_invoice_items": [{"price": "price_2", "quantity": 1}],
        "trial_end": START + 86400,
        "discounts": [{"coupon": None, "discount": None, "promotion_code": "promo_1"}],
        "items": [{"price": "price_1", "quantity": 2, "discounts": [{"coupon": "LINE"}]}],
    }
    odd = {
        **plain,
        "end_behavior": "renew",
        "billing_mode": {"type": "flexible"},
        "default_settings": {
            "collection_method": "send_invoice",
            "description": "Globex MSA",
            "invoice_settings": {"days_until_due": 30, "account_tax_ids": ["txi_1"]},
        },
        "phases": [odd_phase],
    }
    assert unmodelled_schedule_fields(odd) == (
        "default_settings.description",
        "default_settings.invoice_settings.account_tax_ids",
        "billing_mode",
        "end_behavior",
        "phases[1].add_invoice_items",
        "phases[1].trial_end",
        "phases[1].discounts",
        "phases[1].items[1].discounts",
    )


def test_phases_prorating_differently_are_refused(tmp_path: Path, account: Path) -> None:
    """A Deal has one proration_behavior for every phase transition."""
    catalog, schedule_id, _ = _with_schedule(tmp_path, account, proration_behavior="always_invoice")
    with pytest.raises(ImportRefused) as refused:
        run(catalog, "import", "--deals")
    assert f"schedule {schedule_id} (customer cus_" in str(refused.value)
    assert "phases[].proration_behavior (differs between phases)" in str(refused.value)


def test_a_running_schedule_is_imported_backdated_and_adopted(
    tmp_path: Path, account: Path
) -> None:
    """A schedule that started on a past midnight is active; its deal says backdate: true."""
    emulator, sdk = client(account)
    customer = sdk.v1.customers.create({"email": "ops@initech.example"}).id
    price = sdk.v1.prices.list({"lookup_keys": ["expert_seat_annual"]}).data[0].id
    started = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    schedule_id = sdk.v1.subscription_schedules.create(
        {
            "customer": customer,
            "start_date": started,
            "phases": [
                {"items": [{"price": price, "quantity": 5}], "duration": {"interval": "year"}},
                {"items": [{"price": price, "quantity": 9}], "duration": {"interval": "year"}},
            ],
        }
    ).id
    assert sdk.v1.subscription_schedules.retrieve(schedule_id).status == "active"
    emulator.close()
    catalog = catalog_dir(tmp_path / "catalog", account)
    assert run(catalog, "import", "--deals").exit_code == 0
    deals = (catalog / "deals.yaml").read_text()
    assert "start_date: 2026-01-01\nbackdate: true\n" in deals
    ops = [op for op in _operations(catalog) if op["target"]["kind"] == "deal"]
    assert [(op["op"], op["target"]["stripe_id"]) for op in ops] == [("Adopt", schedule_id)]
