"""The planner's proration and MRR arithmetic (catalogsync/proration.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogsync.model import CurrencyOption, Price, Recurring, Tier, TransformQuantity
from catalogsync.proration import NotBillable, monthly, period_amount, proration_lines

MONTH = Recurring("month")
DAY = 86_400


def _price(**fields: Any) -> Price:
    return Price("seat", "p", "usd", recurring=MONTH, **fields)


def test_stripes_example_upgrade_halfway_credits_half_and_charges_half() -> None:
    # docs.stripe.com/billing/subscriptions/prorations: 10 USD -> 20 USD halfway through the
    # period: "-5 USD" unused time on the original plan, "+10 USD" remaining time on the new.
    start, end = 0, 30 * DAY
    assert proration_lines(Decimal(1000), Decimal(2000), (start, end), 15 * DAY) == (
        Decimal(-500),
        Decimal(1000),
    )


def test_each_line_is_rounded_half_away_from_zero_to_the_second() -> None:
    # One third of the period left: 85.00 -> 28.333… (28.33), 99.00 -> 33.00.
    assert proration_lines(Decimal(8500), Decimal(9900), (0, 3), 2) == (
        Decimal(-2833),
        Decimal(3300),
    )
    # Exactly half a yen rounds away from zero on both lines.
    assert proration_lines(Decimal(1), Decimal(3), (0, 2), 1) == (Decimal(-1), Decimal(2))


def test_a_moment_outside_the_period_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the period"):
        proration_lines(Decimal(1), Decimal(2), (10, 20), 20)
    with pytest.raises(ValueError, match="outside the period"):
        proration_lines(Decimal(1), Decimal(2), (10, 20), 9)


@given(
    old=st.integers(0, 10**8),
    new=st.integers(0, 10**8),
    length=st.integers(1, 400 * DAY),
    data=st.data(),
)
def test_lines_never_exceed_a_whole_period_and_the_start_moves_it_all(
    old: int, new: int, length: int, data: st.DataObject
) -> None:
    moment = data.draw(st.integers(0, length - 1))
    credit, charge = proration_lines(Decimal(old), Decimal(new), (0, length), moment)
    assert -old <= credit <= 0 <= charge <= new
    assert proration_lines(Decimal(old), Decimal(new), (0, length), 0) == (
        -Decimal(old),
        Decimal(new),
    )


def test_per_unit_amount_times_quantity_in_the_price_currency_or_an_option() -> None:
    price = _price(
        unit_amount=Decimal(9900), currency_options={"eur": CurrencyOption(Decimal(9500))}
    )
    assert period_amount(price, "usd", 3) == Decimal(29700)
    assert period_amount(price, "eur", 2) == Decimal(19000)
    with pytest.raises(NotBillable, match="no GBP amount"):
        period_amount(price, "gbp", 1)


def test_a_price_without_an_amount_is_not_billable() -> None:
    with pytest.raises(NotBillable, match="no unit amount"):
        period_amount(_price(), "usd", 1)


def test_bundles_round_up_or_down_before_pricing() -> None:
    # docs.stripe.com/products-prices/pricing-models#transforming-quantities
    up = _price(unit_amount=Decimal(1000), transform_quantity=TransformQuantity(5, "up"))
    down = _price(unit_amount=Decimal(1000), transform_quantity=TransformQuantity(5, "down"))
    assert period_amount(up, "usd", 11) == Decimal(3000)
    assert period_amount(down, "usd", 11) == Decimal(2000)


TIERS = (
    Tier(up_to=10, unit_amount=Decimal(500), flat_amount=Decimal(1000)),
    Tier(up_to=None, unit_amount=Decimal(400)),
)


def test_graduated_tiers_price_each_unit_at_its_tier_with_each_reached_flat_fee() -> None:
    price = _price(billing_scheme="tiered", tiers_mode="graduated", tiers=TIERS)
    assert period_amount(price, "usd", 4) == Decimal(4 * 500 + 1000)
    assert period_amount(price, "usd", 15) == Decimal(10 * 500 + 1000 + 5 * 400)


def test_volume_tiers_price_every_unit_at_the_tier_the_quantity_reaches() -> None:
    price = _price(billing_scheme="tiered", tiers_mode="volume", tiers=TIERS)
    assert period_amount(price, "usd", 10) == Decimal(10 * 500 + 1000)
    assert period_amount(price, "usd", 15) == Decimal(15 * 400)


def test_tiers_of_a_currency_option() -> None:
    price = _price(
        billing_scheme="tiered",
        tiers_mode="volume",
        tiers=TIERS,
        currency_options={"jpy": CurrencyOption(tiers=(Tier(None, Decimal(700)),))},
    )
    assert period_amount(price, "jpy", 3) == Decimal(2100)


@pytest.mark.parametrize(
    ("recurring", "amount", "per_month"),
    [
        (Recurring("month"), 9900, 9900),
        (Recurring("month", 3), 30000, 10000),
        (Recurring("year"), 99000, 8250),
        (Recurring("year"), 6, 1),  # 0.5 rounds up: exact fractions, not 1/12 as a decimal
        (Recurring("week"), 1200, 5200),
        (Recurring("day"), 100, 3042),  # 365/12 days: 3041.67
    ],
)
def test_monthly_normalises_every_interval(
    recurring: Recurring, amount: int, per_month: int
) -> None:
    assert monthly(Decimal(amount), recurring) == Decimal(per_month)
