"""Value limits Stripe enforces on money, time and counts, shared by the resources.

Sources are cited per rule; the contract tests (tests/emulator/test_refusals.py) exercise each.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalogsync.currencies import is_supported
from catalogsync.emulator.errors import StripeError, invalid, required
from catalogsync.money import MAX_MINOR
from catalogsync.stripe_limits import MAX_INTERVAL


def currency(value: Any, param: str) -> str:
    """A supported currency code, lower-cased (400 "Invalid currency: eru" otherwise)."""
    if value is None:
        raise required(param)
    code = str(value).lower()
    if not is_supported(code):
        raise invalid(f"Invalid currency: {value}", param=param)
    return code


def amount(value: Any, param: str) -> None:
    """Refuse an amount (minor unit, possibly fractional) above 99,999,999.

    docs.stripe.com/currencies: "The amount value supports up to eight digits".
    """
    if value not in (None, "") and Decimal(str(value)) > MAX_MINOR:
        raise StripeError(
            400,
            "The specified amount is greater than the maximum amount allowed. "
            f"Use a lower amount ({param} must be at most {MAX_MINOR}) and try again.",
            code="amount_too_large",
            param=param,
        )


def positive(value: int | None, param: str) -> None:
    """Refuse 0 and negative integers where Stripe asks for "a positive integer"."""
    if value is not None and value < 1:
        raise invalid("This value must be greater than or equal to 1.", param=param)


def interval_count(interval: str, count: int, param: str) -> None:
    """Refuse a billing interval longer than 3 years (or a count below 1)."""
    positive(count, param)
    if count > MAX_INTERVAL[interval]:
        raise invalid(
            "The maximum billing interval is 3 years (3 years, 36 months or 156 weeks); "
            f"interval `{interval}` allows an interval_count of at most "
            f"{MAX_INTERVAL[interval]}.",
            param=param,
        )


def future(timestamp: int, now: int, param: str, *, within_years: int | None = None) -> None:
    """Refuse a timestamp that is not in the future, or more than `within_years` ahead."""
    if timestamp <= now:
        raise invalid(f"{param} must be in the future.", param=param)
    if within_years is not None and timestamp > years_after(now, within_years):
        raise invalid(
            f"{param} cannot be set to more than {within_years} years in the future.",
            param=param,
        )


def years_after(now: int, years: int) -> int:
    """The same calendar instant `years` later (29 February falls back to the 28th)."""
    start = datetime.fromtimestamp(now, UTC)
    try:
        later = start.replace(year=start.year + years)
    except ValueError:
        later = start.replace(year=start.year + years, day=28)
    return int(later.timestamp())
