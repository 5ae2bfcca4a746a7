"""Stripe JSON to the model (`catalogsync.gateway.convert`): amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalogsync.gateway.convert import amount


# docs.stripe.com/api/prices/object: `unit_amount_decimal` is "the unit amount in cents
# ... represented as a decimal string with at most 12 decimal places", `unit_amount` the
# same "as a whole integer if possible" (null otherwise); tiers carry `unit_amount` /
# `flat_amount` with their `_decimal` twins likewise.
@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param({"unit_amount": 1200, "unit_amount_decimal": "1200"}, "1200", id="both"),
        pytest.param({"unit_amount": None, "unit_amount_decimal": "0.5"}, "0.5", id="sub-cent"),
        pytest.param({"unit_amount": 7}, "7", id="integer-only"),
        # The exact field decides even when it is zero: reading it as "missing" (the
        # `x_decimal or x` this replaced) gave None here, and a free tier lost its price.
        pytest.param({"unit_amount_decimal": "0"}, "0", id="exact-zero-alone"),
        pytest.param({"unit_amount": 0, "unit_amount_decimal": "0.000"}, "0.000", id="exact-zero"),
    ],
)
def test_the_exact_decimal_field_decides_when_stripe_sends_it(
    obj: dict[str, Any], expected: str
) -> None:
    found = amount(obj, "unit_amount")
    assert found is not None
    assert found.as_tuple() == Decimal(expected).as_tuple()  # the value and its digits


def test_no_amount_is_none() -> None:
    assert amount({"unit_amount": None, "unit_amount_decimal": None}, "unit_amount") is None
    assert amount({}, "flat_amount") is None
