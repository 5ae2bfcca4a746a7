"""Contract: coupon ids, products and currency options (emulator and real Stripe).

Sources: https://docs.stripe.com/api/coupons/create and /api/coupons/update
(``currency_options``: "Coupons defined in each available currency option (only supported
if the coupon is amount-based)"), https://docs.stripe.com/error-codes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import stripe

from tests.emulator.test_contract import BACKENDS, make_client, uniq

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _refusal(call: Callable[[], object]) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    return info.value


def test_a_coupon_id_in_use_is_refused(client: stripe.StripeClient) -> None:
    # error-codes#resource-already-exists: "A resource with a user-specified ID (e.g.,
    # plan or coupon) already exists."
    coupon = client.v1.coupons.create({"id": uniq("C"), "percent_off": 10, "duration": "once"})
    again = {"id": coupon.id, "percent_off": 20, "duration": "once"}
    err = _refusal(lambda: client.v1.coupons.create(again))  # type: ignore[arg-type]
    assert err.code == "resource_already_exists"


def test_a_coupon_for_a_missing_product_is_refused(client: stripe.StripeClient) -> None:
    params = {"percent_off": 10, "applies_to": {"products": [uniq("prod_missing")]}}
    err = _refusal(lambda: client.v1.coupons.create(params))  # type: ignore[arg-type]
    assert err.code == "resource_missing"


def test_an_unknown_duration_is_refused(client: stripe.StripeClient) -> None:
    # The create params' `duration` is one of "forever", "once", "repeating".
    params = {"percent_off": 10, "duration": "weekly"}
    err = _refusal(lambda: client.v1.coupons.create(params))  # type: ignore[arg-type]
    assert err.http_status == 400


def test_an_update_adds_currency_options_to_an_amount_off_coupon(
    client: stripe.StripeClient,
) -> None:
    coupon = client.v1.coupons.create(
        {
            "amount_off": 500,
            "currency": "usd",
            "duration": "once",
            "currency_options": {"eur": {"amount_off": 450}},
        }
    )
    client.v1.coupons.update(coupon.id, {"currency_options": {"gbp": {"amount_off": 400}}})
    options = client.v1.coupons.retrieve(coupon.id, {"expand": ["currency_options"]})
    amounts = {code: o["amount_off"] for code, o in options.to_dict()["currency_options"].items()}
    # Whether the coupon's own currency is listed too is not documented: only the two asked.
    assert (amounts["eur"], amounts["gbp"]) == (450, 400)


def test_a_percent_off_coupon_takes_no_currency_options(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10, "duration": "once"})
    update = {"currency_options": {"eur": {"amount_off": 100}}}
    err = _refusal(lambda: client.v1.coupons.update(coupon.id, update))  # type: ignore[arg-type]
    assert err.http_status == 400
