"""Currency exponents and the conversion between major and minor units.

All amounts inside catalogsync are `Decimal`s in the currency's *minor* unit
(cents, yen, fils), the unit Stripe's `unit_amount` uses. They may carry a
fraction of the minor unit only where Stripe accepts `*_decimal` fields.
Source: docs.stripe.com/currencies.
"""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())
# Stripe sends ISK and UGX as two-decimal amounts that must end in 00: whole
# major units only, multiplied by 100 on the wire.
WHOLE_UNITS_TWO_DECIMAL = frozenset({"isk", "ugx"})

# Stripe accepts `unit_amount_decimal` with at most 12 decimal places.
MAX_DECIMAL_PLACES = 12
# "The amount value supports up to eight digits" of the minor unit (99999999
# for a USD charge of $999,999.99): https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
# The limit is on integer digits: a sub-unit usage price (`unit_amount_decimal`)
# of 99,999,999.5 has eight and is allowed; 100,000,000 has nine.
MAX_MINOR_DIGITS = 8
MAX_MINOR = Decimal(10**MAX_MINOR_DIGITS - 1)
# The smallest amount (minor unit) with more integer digits than Stripe allows.
TOO_MANY_DIGITS = Decimal(10**MAX_MINOR_DIGITS)


class AmountError(ValueError):
    """An amount its currency cannot represent."""


class AmountTooLarge(AmountError):
    """An amount above Stripe's maximum of eight integer digits of the minor unit."""


def exponent(currency: str) -> int:
    """Decimal places between the major unit and the unit Stripe counts in."""
    c = currency.lower()
    if c in WHOLE_UNITS_TWO_DECIMAL:
        return 2
    if c in ZERO_DECIMAL:
        return 0
    if c in THREE_DECIMAL:
        return 3
    return 2


def display_exponent(currency: str) -> int:
    """Decimal places people write for this currency (ISK and UGX: none)."""
    c = currency.lower()
    return 0 if c in WHOLE_UNITS_TWO_DECIMAL else exponent(c)


def to_minor(amount: Decimal, currency: str, *, fractional: bool = False) -> Decimal:
    """Convert a major-unit amount to minor units.

    With ``fractional`` (price amounts, sent as ``*_decimal``), up to twelve
    decimal places of the minor unit are allowed; otherwise the result must be
    a whole number of minor units. Raises `AmountError` with a message fit for
    a diagnostic.
    """
    c = currency.lower()
    if c in WHOLE_UNITS_TWO_DECIMAL and amount != amount.to_integral_value():
        raise AmountError(f"{c.upper()} amounts must be whole units, got {amount:f}")
    minor = amount.scaleb(exponent(c))
    if minor >= TOO_MANY_DIGITS:
        # The largest amount the currency can write: KWD ends in 0, ISK in 00.
        step = 100 if c in WHOLE_UNITS_TWO_DECIMAL else 10 if c in THREE_DECIMAL else 1
        largest = display_major(MAX_MINOR + 1 - step, c)
        raise AmountTooLarge(
            f"{amount:f} {c.upper()} is above Stripe's maximum of {MAX_MINOR_DIGITS} digits "
            f"in the smallest unit ({largest:f} {c.upper()})"
        )
    # Stripe sends whole three-decimal amounts as `unit_amount`, which must end
    # in 0 (5.124 KWD is refused; 5.120 is fine). A sub-fils usage price goes
    # as `unit_amount_decimal` and is checked by the places rule below.
    if c in THREE_DECIMAL and (not fractional or is_whole(minor)) and minor % 10 != 0:
        raise AmountError(
            f"{c.upper()} amounts must end in 0 in the third decimal place, got {amount:f}"
        )
    if is_whole(minor):
        return minor.quantize(Decimal(1))
    if not fractional:
        raise AmountError(
            f"{amount:f} is finer than the smallest unit of {c.upper()} "
            f"({display_exponent(c)} decimal places)"
        )
    places = -minor.normalize().as_tuple().exponent  # type: ignore[operator]
    if places > MAX_DECIMAL_PLACES:
        raise AmountError(
            f"{amount:f} {c.upper()} has {places} decimal places of the minor unit; "
            f"Stripe accepts at most {MAX_DECIMAL_PLACES}"
        )
    return minor.normalize()


def to_major(minor: Decimal, currency: str) -> Decimal:
    """Convert minor units back to the major unit people write."""
    return minor.scaleb(-exponent(currency)).normalize()


def is_whole(amount: Decimal) -> bool:
    return amount == amount.to_integral_value()


def display_major(minor: Decimal, currency: str) -> Decimal:
    """Major units with the places people write: 9900 USD -> 99.00, 4 (0.04¢) -> 0.0004.

    Sub-minor usage prices keep every digit they have; exact, never float.
    """
    major = to_major(minor, currency)
    quantum = Decimal(1).scaleb(-display_exponent(currency))
    return major if major != major.quantize(quantum) else major.quantize(quantum)


def format_money(minor: Decimal, currency: str) -> str:
    """`$99.00`, `¥10,800`, `KWD 5.120`, `$0.0004`: for plans and reports."""
    c = currency.lower()
    text = f"{display_major(minor, c):,f}"
    symbol = _SYMBOLS.get(c)
    return f"{symbol}{text}" if symbol else f"{c.upper()} {text}"


def percent_change(before: Decimal, after: Decimal) -> str | None:
    """`+16.5%` from before to after, or None when before is zero."""
    if before == 0:
        return None
    change = (after - before) / before * 100
    return f"{change:+.1f}%"


_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "aud": "A$", "cad": "CA$"}
