"""What a price bills per period for a quantity (`catalogsync.emulator.pricing`), worked by hand.

Sources: https://docs.stripe.com/products-prices/pricing-models (per-unit, package pricing
with `transform_quantity` rounded up or down, volume and graduated tiers with flat amounts)
and https://docs.stripe.com/billing/subscriptions/decimal-amounts (`unit_amount_decimal`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalogsync.emulator.errors import StripeError
from catalogsync.emulator.pricing import period_amount, unit_amount


def price(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "price_x",
        "currency": "usd",
        "billing_scheme": "per_unit",
        "unit_amount": 500,
        "unit_amount_decimal": "500",
        "transform_quantity": None,
        "tiers": None,
        "tiers_mode": None,
        "currency_options": {},
    }
    return {**base, **fields}


TIERS = [
    {"up_to": 10, "unit_amount_decimal": "1000", "flat_amount_decimal": "500"},
    {"up_to": None, "unit_amount_decimal": "800", "flat_amount_decimal": "300"},
]


def test_per_unit_and_decimal_amounts() -> None:
    assert period_amount(price(), "usd", 3) == 1500
    assert period_amount(price(unit_amount=None, unit_amount_decimal="0.05"), "usd", 30) == Decimal(
        "1.50"
    )


@pytest.mark.parametrize(("rounding", "packages"), [("up", 3), ("down", 2)])
def test_packages_round_up_or_down(rounding: str, packages: int) -> None:
    packaged = price(transform_quantity={"divide_by": 10, "round": rounding})
    assert period_amount(packaged, "usd", 25) == 500 * packages
    assert period_amount(packaged, "usd", 20) == 500 * 2


def test_volume_tiers_price_every_unit_at_the_reached_tier() -> None:
    volume = price(billing_scheme="tiered", tiers_mode="volume", tiers=TIERS)
    assert period_amount(volume, "usd", 10) == 10 * 1000 + 500
    assert period_amount(volume, "usd", 15) == 15 * 800 + 300
    assert period_amount(volume, "usd", 0) == 500  # the first tier's flat amount


def test_graduated_tiers_price_each_unit_at_its_tier() -> None:
    graduated = price(billing_scheme="tiered", tiers_mode="graduated", tiers=TIERS)
    assert period_amount(graduated, "usd", 15) == 10 * 1000 + 500 + 5 * 800 + 300
    assert period_amount(graduated, "usd", 4) == 4 * 1000 + 500
    assert period_amount(graduated, "usd", 0) == 0


def test_a_currency_option_prices_its_currency() -> None:
    options = {"eur": {"unit_amount": 450, "unit_amount_decimal": None, "tiers": None}}
    assert period_amount(price(currency_options=options), "eur", 2) == 900
    with pytest.raises(StripeError, match="no amount in gbp"):
        period_amount(price(currency_options=options), "gbp", 2)


def test_a_tiered_price_has_no_unit_amount() -> None:
    tiered = price(billing_scheme="tiered", tiers=TIERS, unit_amount=None, unit_amount_decimal=None)
    assert unit_amount(tiered, "usd") is None
    with pytest.raises(StripeError, match="no unit amount"):
        period_amount(price(unit_amount=None, unit_amount_decimal=None), "usd", 1)
