"""The emulator's billing arithmetic (`catalogsync.emulator.proration`), on numbers worked by hand.

Stripe prorates "down to the second" (https://docs.stripe.com/billing/scripts/prorations) and
rounds each line to the minor unit, a half up ("0.05 * 30 = 1.5, which is then rounded up to
2 cents", https://docs.stripe.com/billing/subscriptions/decimal-amounts#rounding).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogsync.emulator.proration import line_amount, prorated

JAN_1_2027 = 1_798_761_600
FEB_1_2027 = JAN_1_2027 + 31 * 86_400


def test_sixteen_of_thirty_one_days() -> None:
    # 2 x $99.00 for Jan 16 → Feb 1: 19,800 x 16 / 31 = 10,219.35… → 10,219 cents.
    assert prorated(Decimal(19800), JAN_1_2027, FEB_1_2027, JAN_1_2027 + 15 * 86_400) == 10219


def test_a_half_rounds_up() -> None:
    # 3 cents for half a day: 1.5 → 2; 5 cents: 2.5 → 3.
    day = 86_400
    assert prorated(Decimal(3), 0, day, day // 2) == 2
    assert prorated(Decimal(5), 0, day, day // 2) == 3
    assert line_amount(Decimal("0.05") * 30) == 2


def test_to_the_second() -> None:
    # One second less than the whole period: 100,000 x 86,399 / 86,400 = 99,998.84… → 99,999.
    assert prorated(Decimal(100_000), 0, 86_400, 1) == 99_999


def test_an_exact_half_is_rounded_exactly() -> None:
    # 3 x 5/6 = 2.5 exactly -> 3; dividing first (0.8333... x 3 = 2.4999...) would give 2.
    assert prorated(Decimal(3), 0, 6, 1) == 3


def test_the_ends_of_the_period() -> None:
    assert prorated(Decimal(9900), JAN_1_2027, FEB_1_2027, JAN_1_2027) == 9900
    assert prorated(Decimal(9900), JAN_1_2027, FEB_1_2027, FEB_1_2027) == 0


def test_zero_decimal_currency_amounts_are_whole_units() -> None:
    # ¥1,500 x 16 / 31 = 774.19… → ¥774 (JPY has no minor unit: the yen is the unit).
    assert prorated(Decimal(1500), JAN_1_2027, FEB_1_2027, JAN_1_2027 + 15 * 86_400) == 774


def test_a_time_outside_the_period_is_an_error() -> None:
    with pytest.raises(ValueError, match="outside the period"):
        prorated(Decimal(1), JAN_1_2027, FEB_1_2027, FEB_1_2027 + 1)
    with pytest.raises(ValueError, match="outside the period"):
        prorated(Decimal(1), FEB_1_2027, FEB_1_2027, FEB_1_2027)
