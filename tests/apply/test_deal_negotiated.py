"""Negotiated amounts, line-item discounts and one-offs, end to end through the SDK.

Each field: the plan shows it (list price vs deal price and the discount
between; the one-off; the money table), apply writes it, the schedule in the
emulator holds it (read back with the SDK), and a re-plan is empty. Stripe's
shapes (stripe-python `SubscriptionScheduleCreateParams`;
https://docs.stripe.com/api/subscription_schedules/create): a phase item's
inline `price_data` {product, currency, unit_amount, recurring} makes a new
price the item then refers to; `phases[].items[].discounts` are the item's
own; `phases[].add_invoice_items` are one-time prices added to the phase's
next invoice.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import stripe

from catalogsync.catalog import check_catalog
from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.periods import day_start
from catalogsync.plan.operations import UpdateDeal
from catalogsync.render import render
from catalogsync.render.deals import TIMES
from tests.deal_support import (
    PRODUCT,
    acme_account,
    apply,
    converge,
    only_schedule,
    plan_for,
    write_catalog,
)

client = pytest.fixture(acme_account, name="client")

EXTRA = """---
kind: Product
key: onboarding
name: Onboarding
prices:
  - lookup_key: onboarding_package
    currency: usd
    unit_amount: "5000.00"
  - lookup_key: onboarding_eur
    currency: eur
    unit_amount: "4500.00"
    recurring: {interval: year}
---
kind: Coupon
id: SEATS20
percent_off: 20
duration: forever
"""

RAMP = """kind: Ramp
key: enterprise_2yr
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 50}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 100}]
---
"""


def _catalog(root: Path, deal: str) -> Path:
    write_catalog(root, deal)
    (root / "catalog.yaml").write_text(PRODUCT + EXTRA)
    return root


def _deal(body: str) -> str:
    return "kind: Deal\nkey: globex\ncustomer: {email: finance@acme.example}\n" + (
        "start_date: 2027-03-01\n" + body
    )


INLINE = _deal(
    """phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 60, unit_amount: "%s"}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 80}]
"""
)


def test_negotiated_amount_bills_an_inline_price_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = _catalog(tmp_path / "c", INLINE % "1200.00")
    plan = plan_for(client, catalog)
    text = render(plan, "text")
    assert f"60 {TIMES} expert_seat_annual at $1,200.00 (list $1,584.00, 24.2% off)" in text
    assert "$72,000.00 / year" in text  # 60 x $1,200.00, not the list price
    assert "total contract value: $198,720.00" in text  # 72,000 + 80 x 1,584
    apply(client, plan)
    item = only_schedule(client).phases[0].items[0]
    assert item.metadata is not None
    assert item.metadata["catalogsync_price"] == "expert_seat_annual"
    price = client.v1.prices.retrieve(str(item.price))
    assert (price.unit_amount, price.currency, price.product) == (120000, "usd", "expert")
    assert price.recurring is not None
    assert (price.recurring.interval, price.recurring.interval_count) == ("year", 1)
    assert item.quantity == 60
    assert plan_for(client, catalog).operations == ()


def test_changed_negotiated_amount_shows_in_the_money_table(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    catalog = _catalog(tmp_path / "c", INLINE % "1200.00")
    converge(client, catalog)
    _catalog(catalog, INLINE % "1100.00")
    plan = plan_for(client, catalog)
    (op,) = plan.operations
    assert isinstance(op, UpdateDeal)
    markdown = render(plan, "markdown")
    assert "| deal globex, total contract value | USD | $198,720.00 | $192,720.00 | -3.0% |" in (
        markdown
    )
    apply(client, plan)
    price = client.v1.prices.retrieve(str(only_schedule(client).phases[0].items[0].price))
    assert price.unit_amount == 110000
    assert plan_for(client, catalog).operations == ()


def test_ramp_override_items_carry_the_negotiated_amount(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    deal = RAMP + _deal(
        """ramp: enterprise_2yr
overrides:
  - {phase: 1, items: [{price: expert_seat_annual, quantity: 60, unit_amount: "1200.00"}]}
"""
    )
    catalog = _catalog(tmp_path / "c", deal)
    assert converge(client, catalog).operations == ()
    first, second = only_schedule(client).phases
    assert first.items[0].quantity == 60
    assert client.v1.prices.retrieve(str(first.items[0].price)).unit_amount == 120000
    assert second.items[0].quantity == 100  # the ramp's, on the catalog price
    assert "catalogsync_price" not in (second.items[0].metadata or {})


def test_line_item_discount_is_on_the_item_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    deal = _deal(
        """phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 10, discounts: [SEATS20]}]
"""
    )
    catalog = _catalog(tmp_path / "c", deal)
    plan = plan_for(client, catalog)
    text = render(plan, "text")
    assert "SEATS20 (20% off) on expert_seat_annual" in text
    assert "$12,672.00 / year" in text  # 10 x $1,584.00 less 20%
    apply(client, plan)
    phase = only_schedule(client).phases[0]
    assert [d.coupon for d in phase.items[0].discounts] == ["SEATS20"]
    assert phase.discounts == []
    assert plan_for(client, catalog).operations == ()


def test_one_off_is_added_to_the_first_invoice_and_replans_to_zero(
    client: stripe.StripeClient, tmp_path: Path
) -> None:
    deal = _deal(
        """one_off: [{price: onboarding_package, quantity: 1}]
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 10}]
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 20}]
"""
    )
    catalog = _catalog(tmp_path / "c", deal)
    plan = plan_for(client, catalog)
    assert f"one-off, with the first invoice: 1 {TIMES} onboarding_package, $5,000.00" in render(
        plan, "text"
    )
    markdown = render(plan, "markdown")
    assert "| deal globex, one-off with the first invoice | USD | — | $5,000.00 |" in markdown
    apply(client, plan)
    first, second = only_schedule(client).phases
    (fee,) = first.add_invoice_items
    assert fee.quantity == 1
    fee_price = client.v1.prices.retrieve(str(fee.price))
    assert (fee_price.lookup_key, fee_price.unit_amount) == ("onboarding_package", 500000)
    assert second.add_invoice_items == []
    assert plan_for(client, catalog).operations == ()


def _codes(root: Path) -> list[tuple[str, str, str]]:
    return [(d.code, d.pointer, d.message) for d in check_catalog(root)]


def test_phase_items_in_two_currencies_are_refused(tmp_path: Path) -> None:
    deal = _deal(
        """phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual}, {price: onboarding_eur}]
"""
    )
    (found,) = [d for d in _codes(_catalog(tmp_path / "c", deal)) if d[0] == "deal-terms"]
    assert found[1] == "/phases/0/items"
    assert "expert_seat_annual (usd)" in found[2]
    assert "onboarding_eur (eur)" in found[2]


def test_one_off_must_be_a_one_time_price(tmp_path: Path) -> None:
    deal = _deal(
        """one_off: [{price: expert_seat_annual}]
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual}]
"""
    )
    found = _codes(_catalog(tmp_path / "c", deal))
    assert ("reference", "/one_off/0/price") in [(c, p) for c, p, _ in found]


def test_negotiated_amount_finer_than_a_cent_is_refused(tmp_path: Path) -> None:
    found = _codes(_catalog(tmp_path / "c", INLINE % "1200.001"))
    assert ("amount", "/phases/0/items/0/unit_amount") in [(c, p) for c, p, _ in found]


def test_one_off_of_a_started_first_phase_cannot_change(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    deal = _deal(
        """one_off: [{price: onboarding_package, quantity: %d}]
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: 10}]
"""
    )
    catalog = _catalog(tmp_path / "c", deal % 1)
    converge(client, catalog)
    emulator.clock.set(day_start(date(2027, 6, 1)))  # the first invoice is past
    _catalog(catalog, deal % 2)
    with pytest.raises(PlanError, match="its one-off would change from 1 onboarding_package to 2"):
        plan_for(client, catalog)
