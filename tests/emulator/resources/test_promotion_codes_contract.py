"""Contract: a promotion code's `code` is unique among active codes (emulator and real Stripe).

Source: https://docs.stripe.com/api/promotion_codes/create#create_promotion_code-code:
"Regardless of case, this code must be unique across all active promotion codes for a
specific customer." (no `customer` here: unique across the account's active codes).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.emulator.test_contract import BACKENDS, make_client, uniq

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _code(client: stripe.StripeClient, code: str) -> stripe.PromotionCode:
    coupon = client.v1.coupons.create({"percent_off": 10, "duration": "once"})
    return client.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )


def test_a_code_is_reused_only_while_the_other_is_inactive(client: stripe.StripeClient) -> None:
    code = uniq("SAVE").upper().replace("_", "-")
    first = _code(client, code)
    with pytest.raises(stripe.InvalidRequestError):
        _code(client, code.lower())
    client.v1.promotion_codes.update(first.id, {"active": False})
    second = _code(client, code)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.promotion_codes.update(first.id, {"active": True})
    client.v1.promotion_codes.update(second.id, {"active": False})
    assert client.v1.promotion_codes.update(first.id, {"active": True}).active is True
