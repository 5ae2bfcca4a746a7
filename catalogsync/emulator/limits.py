"""Value limits Stripe enforces on money, time and counts, shared by the resources.

Sources are cited per rule; the contract tests (tests/emulator/test_refusals.py) exercise each.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogsync.currencies import is_supported
from catalogsync.emulator.errors import StripeError, invalid, required
from catalogsync.money import TOO_MANY_DIGITS
from catalogsync.stripe_limits import MAX_INTERVAL, MAX_REDEEM_BY_YEARS, latest_redeem_by


def currency_code(value: Any, param: str) -> str:
    """A supported currency code, lower-cased (400 "Invalid currency: eru" otherwise)."""
    if value is None:
        raise required(param)
    code = str(value).lower()
    if not is_supported(code):
        raise invalid(f"Invalid currency: {value}", param=param)
    return code


def check_amount(value: Any, param: str) -> None:
    """Refuse an amount (minor unit, possibly fractional) with more than 8 integer digits.

    docs.stripe.com/currencies: "The amount value supports up to eight digits";
    99,999,999.5 (a `unit_amount_decimal`) has eight, 100,000,000 has nine.
    """
    if value not in (None, "") and Decimal(str(value)) >= TOO_MANY_DIGITS:
        raise StripeError(
            400,
            "The specified amount is greater than the maximum amount allowed. "
            f"Use a lower amount ({param} must be below {TOO_MANY_DIGITS}) and try again.",
            code="amount_too_large",
            param=param,
        )


def check_positive(value: int | None, param: str) -> None:
    """Refuse 0 and negative integers where Stripe asks for "a positive integer"."""
    if value is not None and value < 1:
        raise invalid("This value must be greater than or equal to 1.", param=param)


def check_interval_count(interval: str, count: int, param: str) -> None:
    """Refuse a billing interval longer than 3 years (or a count below 1)."""
    check_positive(count, param)
    if count > MAX_INTERVAL[interval]:
        raise invalid(
            "The maximum billing interval is 3 years (3 years, 36 months or 156 weeks); "
            f"interval `{interval}` allows an interval_count of at most "
            f"{MAX_INTERVAL[interval]}.",
            param=param,
        )


def check_future(timestamp: int, now: int, param: str) -> None:
    """Refuse a timestamp that is not in the future."""
    if timestamp <= now:
        raise invalid(f"{param} must be in the future.", param=param)


def check_redeem_by(timestamp: int, now: int, param: str) -> None:
    """Refuse a ``redeem_by`` in the past or more than `MAX_REDEEM_BY_YEARS` ahead."""
    check_future(timestamp, now, param)
    if timestamp > latest_redeem_by(now):
        raise invalid(
            f"{param} cannot be set to more than {MAX_REDEEM_BY_YEARS} years in the future.",
            param=param,
        )
