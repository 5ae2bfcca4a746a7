"""Currency exponents and major <-> minor units (https://docs.stripe.com/currencies)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogsync.money import (
    AmountError,
    AmountTooLarge,
    display_exponent,
    display_major,
    exponent,
    format_money,
    percent_change,
    to_major,
    to_minor,
)


@pytest.mark.parametrize(
    ("currency", "places", "shown"),
    [
        ("usd", 2, 2),
        ("EUR", 2, 2),  # codes are case-insensitive
        ("jpy", 0, 0),  # zero-decimal
        ("krw", 0, 0),
        ("kwd", 3, 3),  # three-decimal
        ("bhd", 3, 3),
        # ISK and UGX: zero-decimal to people, two-decimal on the wire
        # (https://docs.stripe.com/currencies#special-cases)
        ("isk", 2, 0),
        ("ugx", 2, 0),
    ],
)
def test_exponents(currency: str, places: int, shown: int) -> None:
    assert exponent(currency) == places
    assert display_exponent(currency) == shown


@pytest.mark.parametrize(
    ("major", "currency", "minor"),
    [
        ("99.00", "usd", 9900),
        ("0.5", "usd", 50),
        ("10800", "jpy", 10800),
        ("5.120", "kwd", 5120),
        ("1500", "isk", 150000),
        ("99999999", "jpy", 99999999),  # eight digits: the largest allowed
    ],
)
def test_to_minor_whole_amounts(major: str, currency: str, minor: int) -> None:
    result = to_minor(Decimal(major), currency)
    assert result == minor
    assert result.as_tuple().exponent == 0  # quantized: no stray ".00"


def test_a_fraction_of_the_minor_unit_only_where_decimal_amounts_are_allowed() -> None:
    with pytest.raises(AmountError, match=r"0\.001 is finer than the smallest unit of USD \(2"):
        to_minor(Decimal("0.001"), "usd")
    assert to_minor(Decimal("0.001"), "usd", fractional=True) == Decimal("0.1")


def test_at_most_twelve_decimal_places_of_the_minor_unit() -> None:
    twelve = Decimal("0.00000000000001")  # 1e-14 dollars = 1e-12 cents
    assert to_minor(twelve, "usd", fractional=True) == Decimal("1E-12")
    with pytest.raises(AmountError, match="has 13 decimal places of the minor unit"):
        to_minor(twelve / 10, "usd", fractional=True)


def test_three_decimal_whole_amounts_end_in_zero() -> None:
    with pytest.raises(AmountError, match=r"KWD amounts must end in 0 .* got 5\.124"):
        to_minor(Decimal("5.124"), "kwd")
    # A sub-fils usage price goes as unit_amount_decimal: the places rule applies instead.
    assert to_minor(Decimal("5.1245"), "kwd", fractional=True) == Decimal("5124.5")
    with pytest.raises(AmountError, match="must end in 0"):
        to_minor(Decimal("5.124"), "kwd", fractional=True)  # whole fils: still unit_amount


def test_isk_amounts_are_whole_units() -> None:
    with pytest.raises(AmountError, match=r"ISK amounts must be whole units, got 10\.5"):
        to_minor(Decimal("10.5"), "isk")


@pytest.mark.parametrize(
    ("major", "currency", "largest"),
    [
        ("1000000", "usd", "999999.99 USD"),
        ("100000000", "jpy", "99999999 JPY"),
        ("100000", "kwd", "99999.990 KWD"),  # the largest that ends in 0
        ("1000000", "isk", "999999 ISK"),  # whole units: ends in 00 on the wire
    ],
)
def test_more_than_eight_digits_is_too_large(major: str, currency: str, largest: str) -> None:
    with pytest.raises(AmountTooLarge, match=f"maximum of 8 digits .*\\({largest}\\)"):
        to_minor(Decimal(major), currency)


def test_a_sub_unit_price_with_eight_integer_digits_is_allowed() -> None:
    assert to_minor(Decimal("999999.995"), "usd", fractional=True) == Decimal("99999999.5")


def test_to_major_and_display_major() -> None:
    assert to_major(Decimal(9900), "usd") == Decimal("99")
    assert display_major(Decimal(9900), "usd") == Decimal("99.00")
    assert str(display_major(Decimal(9900), "usd")) == "99.00"
    assert str(display_major(Decimal(4), "usd")) == "0.04"
    assert str(display_major(Decimal("0.04"), "usd")) == "0.0004"  # sub-cent keeps its digits
    assert str(display_major(Decimal(150000), "isk")) == "1500"
    assert str(display_major(Decimal(5120), "kwd")) == "5.120"


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (9900, "usd", "$99.00"),
        (123456789, "usd", "$1,234,567.89"),
        (10800, "jpy", "¥10,800"),
        (5120, "kwd", "KWD 5.120"),
        (Decimal("0.04"), "usd", "$0.0004"),
        (1000, "EUR", "€10.00"),
        (150000, "isk", "ISK 1,500"),
    ],
)
def test_format_money(minor: int | Decimal, currency: str, text: str) -> None:
    assert format_money(Decimal(minor), currency) == text


def test_percent_change() -> None:
    assert percent_change(Decimal(1000), Decimal(1165)) == "+16.5%"
    assert percent_change(Decimal(1000), Decimal(900)) == "-10.0%"
    assert percent_change(Decimal(1000), Decimal(1000)) == "+0.0%"
    assert percent_change(Decimal(0), Decimal(100)) is None  # no percentage of nothing
