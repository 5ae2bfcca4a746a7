"""Contract: a meter needs a known aggregation formula (emulator and real Stripe).

Source: https://docs.stripe.com/api/billing/meter/create#create_billing_meter-default_aggregation
(required; `formula` one of `count`, `last`, `sum`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.emulator.test_contract import BACKENDS, make_client, uniq

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


@pytest.mark.parametrize(
    ("aggregation", "param"),
    [
        ({}, "default_aggregation"),  # nothing to encode: the parameter is absent
        ({"formula": ""}, "default_aggregation[formula]"),
        ({"formula": "median"}, "default_aggregation[formula]"),
    ],
    ids=["absent", "empty", "unknown"],
)
def test_a_meter_needs_a_known_formula(
    client: stripe.StripeClient, aggregation: dict[str, Any], param: str
) -> None:
    params = {"display_name": "API calls", "event_name": uniq("calls")}
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.billing.meters.create({**params, "default_aggregation": aggregation})  # type: ignore[typeddict-item]
    assert info.value.param == param
