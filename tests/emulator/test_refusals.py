"""Contract: what Stripe refuses (and allows) at the edges, and the shape of its refusals.

Each test names its source: a docs.stripe.com page or the `stripe` package's typed params
(paths relative to `site-packages/stripe/`). Like test_contract.py, every test runs against
the emulator and, when STRIPE_TEST_API_KEY is set, against real Stripe test mode.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import stripe

from tests.emulator.test_contract import make_client, uniq

pytestmark = pytest.mark.stripe_live

DAY = 86_400
YEAR = 365 * DAY


@pytest.fixture(params=["emulator", "stripe"])
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _refusal(call: Any) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as info:
        call()
    return info.value


def _body(err: stripe.StripeError) -> dict[str, Any]:
    assert isinstance(err.json_body, dict)
    error: dict[str, Any] = err.json_body["error"]
    return error


def _refused(
    call: Any, *, param: str | None = None, code: str | None = None, status: int = 400
) -> dict[str, Any]:
    """Run `call`, check Stripe's refusal and return its error body."""
    err = _refusal(call)
    assert err.http_status == status, _body(err)
    body = _body(err)
    assert body["type"] == "invalid_request_error"
    if param is not None:
        assert body.get("param") == param, body
    if code is not None:
        assert body.get("code") == code, body
    return body


def _product(client: stripe.StripeClient) -> str:
    return client.v1.products.create({"name": "Seat", "id": uniq("prod_r")}).id


def _price(client: stripe.StripeClient, **extra: Any) -> stripe.Price:
    params: dict[str, Any] = {"product": _product(client), "currency": "usd", "unit_amount": 900}
    return client.v1.prices.create({**params, **extra})  # type: ignore[typeddict-item]


def _coupon(client: stripe.StripeClient, **extra: Any) -> stripe.Coupon:
    return client.v1.coupons.create({"percent_off": 10, **extra})  # type: ignore[arg-type]


def _promotion(client: stripe.StripeClient, coupon: str, **extra: Any) -> stripe.PromotionCode:
    return client.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon}, **extra}  # type: ignore[typeddict-item]
    )


# --- the error body -------------------------------------------------------------------------------


def test_error_body_has_code_doc_url_and_request_log_url(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/errors: type, code, message, param, doc_url; request_log_url names
    # the request whose id the Request-Id header carries.
    err = _refusal(lambda: client.v1.products.create({}))  # type: ignore[typeddict-item]
    body = _body(err)
    assert body["code"] == "parameter_missing"
    assert body["param"] == "name"
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/parameter-missing"
    assert body["message"]
    assert err.request_id
    assert err.request_id in body["request_log_url"]
    assert body["request_log_url"].startswith("https://dashboard.stripe.com/")


def test_unknown_parameter_code(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#parameter-unknown
    body = _refused(
        lambda: client.v1.products.create({"name": "A", "colour": "red"}),  # type: ignore[typeddict-unknown-key]
        param="colour",
        code="parameter_unknown",
    )
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/parameter-unknown"


def test_invalid_integer_code(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#parameter-invalid-integer
    product = _product(client)
    _refused(
        lambda: client.v1.prices.create(
            {"product": product, "currency": "usd", "unit_amount": "ten"}  # type: ignore[typeddict-item]
        ),
        param="unit_amount",
        code="parameter_invalid_integer",
    )


def test_empty_string_for_a_required_value(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#parameter-invalid-empty: "" is Stripe's unset, refused for
    # a value that cannot be unset.
    _refused(
        lambda: client.v1.products.create({"name": ""}),
        param="name",
        code="parameter_invalid_empty",
    )


def test_nested_required_parameter_is_named_with_brackets(client: stripe.StripeClient) -> None:
    # params/_price_create_params.py: recurring.interval is required (not NotRequired).
    product = _product(client)
    recurring = {"interval_count": 2}
    _refused(
        lambda: client.v1.prices.create(
            {"product": product, "currency": "usd", "unit_amount": 1, "recurring": recurring}  # type: ignore[typeddict-item]
        ),
        param="recurring[interval]",
        code="parameter_missing",
    )


def test_price_on_missing_product_is_400_naming_product(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#resource-missing: an id in the body that does not exist is
    # a 400 naming that parameter; 404 is for the object of the URL.
    body = _refused(
        lambda: client.v1.prices.create(
            {"product": uniq("prod_missing"), "currency": "usd", "unit_amount": 1}
        ),
        param="product",
        code="resource_missing",
    )
    assert body["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"


def test_missing_url_object_is_404_naming_id(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#resource-missing
    _refused(
        lambda: client.v1.coupons.retrieve(uniq("NOPE")),
        param="id",
        code="resource_missing",
        status=404,
    )


def test_idempotency_key_reused_with_other_params(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/idempotent_requests: same key, different parameters -> an
    # `idempotency_error`.
    key = uniq("idem")
    client.v1.coupons.create({"percent_off": 5}, {"idempotency_key": key})
    err = _refusal(lambda: client.v1.coupons.create({"percent_off": 6}, {"idempotency_key": key}))
    assert isinstance(err, stripe.IdempotencyError)
    assert err.http_status == 400
    assert _body(err)["type"] == "idempotency_error"


# --- API versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2099-01-01", "banana", "2026-10-28.acacia"])
def test_invalid_stripe_version_is_refused(client: stripe.StripeClient, version: str) -> None:
    # docs.stripe.com/api/versioning: a version Stripe never released (a future date, not a
    # date, or a date under another major release's name) is "Invalid Stripe API version".
    body = _refused(lambda: client.v1.products.list(options={"stripe_version": version}))
    assert f"Invalid Stripe API version: {version}" in body["message"]


def test_an_older_released_version_is_accepted(client: stripe.StripeClient) -> None:
    # docs.stripe.com/changelog/basil: 2025-03-31.basil is a released version; the response
    # says which version answered.
    listed = client.v1.products.list({"limit": 1}, {"stripe_version": "2025-03-31.basil"})
    assert listed.last_response is not None
    assert listed.last_response.headers["Stripe-Version"] == "2025-03-31.basil"


def test_a_dated_version_before_2024_is_accepted(client: stripe.StripeClient) -> None:
    # docs.stripe.com/upgrades#2023-10-16: versions before the named major releases are dates.
    listed = client.v1.products.list({"limit": 1}, {"stripe_version": "2023-10-16"})
    assert listed.last_response is not None
    assert listed.last_response.headers["Stripe-Version"] == "2023-10-16"


# --- currencies and amounts -----------------------------------------------------------------------


def test_unsupported_currency_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies: "eru" is no presentment currency.
    body = _refused(lambda: _price(client, currency="eru"), param="currency")
    assert "Invalid currency: eru" in body["message"]


def test_unsupported_currency_option_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies; params/_price_create_params.py currency_options keys are
    # currencies.
    body = _refused(lambda: _price(client, currency_options={"xxx": {"unit_amount": 100}}))
    assert "xxx" in body["message"]


def test_upper_case_currency_is_accepted_and_lower_cased(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/prices/object#price_object-currency: "Three-letter ISO currency code,
    # in lowercase"; the API normalises the code it is sent.
    assert _price(client, currency="USD").currency == "usd"


def test_coupon_in_unsupported_currency_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies; params/_coupon_create_params.py currency.
    _refused(
        lambda: client.v1.coupons.create({"amount_off": 500, "currency": "eru"}),
        param="currency",
    )


def test_amount_of_eight_integer_digits_is_accepted(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies (maximum amounts): 99,999,999 in the minor unit is the top.
    assert _price(client, unit_amount=99_999_999).unit_amount == 99_999_999


def test_amount_above_eight_integer_digits_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies (maximum amounts): at most 8 integer digits.
    _refused(lambda: _price(client, unit_amount=100_000_000), param="unit_amount")


def test_fractional_amount_of_eight_integer_digits_is_accepted(
    client: stripe.StripeClient,
) -> None:
    # docs.stripe.com/currencies (maximum amounts): "up to eight digits" of the minor unit;
    # 99999999.5 has eight integer digits (params/_price_create_params.py: unit_amount_decimal
    # takes at most 12 decimal places).
    price = _price(client, unit_amount=None, unit_amount_decimal="99999999.5")
    assert price.unit_amount_decimal == Decimal("99999999.5")


def test_decimal_amount_of_nine_integer_digits_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies (maximum amounts): at most 8 integer digits.
    _refused(
        lambda: _price(client, unit_amount=None, unit_amount_decimal="100000000"),
        param="unit_amount_decimal",
    )


def test_decimal_amount_above_the_maximum_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies (maximum amounts) apply to unit_amount_decimal too.
    _refused(
        lambda: _price(client, unit_amount=None, unit_amount_decimal="999999999999999.99"),
        param="unit_amount_decimal",
    )


def test_custom_unit_amount_above_the_maximum_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/currencies (maximum amounts); params/_price_create_params.py,
    # custom_unit_amount.maximum is an amount like unit_amount.
    custom = {"enabled": True, "maximum": 100_000_000}
    _refused(lambda: _price(client, unit_amount=None, custom_unit_amount=custom))


def test_tiers_in_a_currency_option_need_the_tiered_scheme(client: stripe.StripeClient) -> None:
    # params/_price_create_params.py, currency_options[].tiers: "This parameter requires
    # `billing_scheme` to be set to `tiered`."
    tiers = [{"up_to": "inf", "unit_amount": 4}]
    options = {"eur": {"unit_amount": 800, "tiers": tiers}}
    _refused(lambda: _price(client, currency_options=options))


# --- billing intervals ----------------------------------------------------------------------------


@pytest.mark.parametrize(("interval", "count"), [("month", 36), ("week", 156), ("year", 3)])
def test_three_year_interval_is_allowed(
    client: stripe.StripeClient, interval: str, count: int
) -> None:
    # params/_price_create_params.py, recurring.interval_count: "Maximum of three years
    # interval allowed (3 years, 36 months, or 156 weeks)".
    price = _price(client, recurring={"interval": interval, "interval_count": count})
    assert price.recurring is not None
    assert (price.recurring.interval, price.recurring.interval_count) == (interval, count)


@pytest.mark.parametrize(("interval", "count"), [("month", 37), ("week", 157), ("year", 4)])
def test_interval_over_three_years_is_refused(
    client: stripe.StripeClient, interval: str, count: int
) -> None:
    # params/_price_create_params.py, recurring.interval_count (as above).
    _refused(lambda: _price(client, recurring={"interval": interval, "interval_count": count}))


# --- coupons --------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount_off", [0, -500])
def test_coupon_amount_off_must_be_positive(client: stripe.StripeClient, amount_off: int) -> None:
    # params/_coupon_create_params.py, amount_off: "A positive integer".
    _refused(
        lambda: client.v1.coupons.create({"amount_off": amount_off, "currency": "usd"}),
        param="amount_off",
    )


def test_coupon_duration_in_months_must_be_positive(client: stripe.StripeClient) -> None:
    # params/_coupon_create_params.py, duration_in_months: "must be a positive integer".
    _refused(
        lambda: _coupon(client, duration="repeating", duration_in_months=0),
        param="duration_in_months",
    )


def test_coupon_percent_off_must_be_above_zero(client: stripe.StripeClient) -> None:
    # params/_coupon_create_params.py, percent_off: "A positive float larger than 0".
    _refused(lambda: client.v1.coupons.create({"percent_off": 0}), param="percent_off")


def test_coupon_redeem_by_in_the_past_is_refused(client: stripe.StripeClient) -> None:
    # params/_coupon_create_params.py, redeem_by: the last time the coupon can be redeemed; a
    # time already past cannot be one.
    _refused(lambda: _coupon(client, redeem_by=int(time.time()) - DAY), param="redeem_by")


def test_coupon_redeem_by_six_years_ahead_is_refused(client: stripe.StripeClient) -> None:
    # params/_coupon_create_params.py, redeem_by: "cannot be set to more than 5 years in the
    # future".
    _refused(lambda: _coupon(client, redeem_by=int(time.time()) + 6 * YEAR), param="redeem_by")


def test_coupon_redeem_by_four_years_ahead_is_accepted(client: stripe.StripeClient) -> None:
    # params/_coupon_create_params.py, redeem_by (as above).
    redeem_by = int(time.time()) + 4 * YEAR
    assert _coupon(client, redeem_by=redeem_by).redeem_by == redeem_by


# --- promotion codes ------------------------------------------------------------------------------


def test_promotion_code_cannot_outlive_its_coupon(client: stripe.StripeClient) -> None:
    # params/_promotion_code_create_params.py, expires_at: "cannot be after the coupon's
    # redeems_by".
    redeem_by = int(time.time()) + 30 * DAY
    coupon = _coupon(client, redeem_by=redeem_by)
    _refused(lambda: _promotion(client, coupon.id, expires_at=redeem_by + DAY), param="expires_at")


def test_promotion_code_may_expire_with_its_coupon(client: stripe.StripeClient) -> None:
    # params/_promotion_code_create_params.py, expires_at (as above): equal is not after.
    redeem_by = int(time.time()) + 30 * DAY
    coupon = _coupon(client, redeem_by=redeem_by)
    assert _promotion(client, coupon.id, expires_at=redeem_by).expires_at == redeem_by


def test_promotion_code_cannot_out_redeem_its_coupon(client: stripe.StripeClient) -> None:
    # params/_promotion_code_create_params.py, max_redemptions: "cannot be greater than the
    # coupon's max_redemptions".
    coupon = _coupon(client, max_redemptions=5)
    _refused(lambda: _promotion(client, coupon.id, max_redemptions=6), param="max_redemptions")


def test_promotion_code_expiring_in_the_past_is_refused(client: stripe.StripeClient) -> None:
    # params/_promotion_code_create_params.py, expires_at: "The timestamp at which this
    # promotion code will expire", a time still to come.
    coupon = _coupon(client)
    _refused(
        lambda: _promotion(client, coupon.id, expires_at=int(time.time()) - DAY),
        param="expires_at",
    )


def test_promotion_code_minimum_in_unsupported_currency_is_refused(
    client: stripe.StripeClient,
) -> None:
    # params/_promotion_code_create_params.py, restrictions.minimum_amount_currency: an ISO
    # code of a supported currency (docs.stripe.com/currencies).
    coupon = _coupon(client)
    restrictions = {"minimum_amount": 1000, "minimum_amount_currency": "eru"}
    body = _refused(lambda: _promotion(client, coupon.id, restrictions=restrictions))
    assert "Invalid currency: eru" in body["message"]


# --- tiers ----------------------------------------------------------------------------------------


def test_tiers_need_the_tiered_billing_scheme(client: stripe.StripeClient) -> None:
    # params/_price_create_params.py, tiers: "This parameter requires `billing_scheme` to be
    # set to `tiered`."
    tiers = [{"up_to": 10, "unit_amount": 5}, {"up_to": "inf", "unit_amount": 4}]
    _refused(lambda: _price(client, billing_scheme="per_unit", tiers=tiers, tiers_mode="volume"))


def test_a_tier_needs_an_amount(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/prices/create (tiers): each tier is priced by unit_amount and/or
    # flat_amount.
    tiers = [{"up_to": 10}, {"up_to": "inf", "unit_amount": 4}]
    _refused(
        lambda: _price(
            client, unit_amount=None, billing_scheme="tiered", tiers_mode="graduated", tiers=tiers
        )
    )


def test_tiered_price_needs_tiers_mode(client: stripe.StripeClient) -> None:
    # params/_price_create_params.py, tiers_mode: required when billing_scheme is tiered.
    tiers = [{"up_to": "inf", "unit_amount": 4}]
    _refused(
        lambda: _price(client, unit_amount=None, billing_scheme="tiered", tiers=tiers),
        param="tiers_mode",
        code="parameter_missing",
    )


# --- schedules ------------------------------------------------------------------------------------


def _phases(price: str, count: int) -> list[dict[str, Any]]:
    return [
        {"items": [{"price": price}], "duration": {"interval": "month", "interval_count": 1}}
        for _ in range(count)
    ]


def test_schedule_with_ten_phases_is_accepted(client: stripe.StripeClient) -> None:
    # docs.stripe.com/billing/subscriptions/subscription-schedules: up to 10 phases.
    price = _price(client, recurring={"interval": "month"})
    customer = client.v1.customers.create({"email": f"{uniq('ten')}@example.com"})
    schedule = client.v1.subscription_schedules.create(
        {"customer": customer.id, "start_date": 4102444800, "phases": _phases(price.id, 10)}  # type: ignore[arg-type]
    )
    assert len(schedule.phases) == 10


def test_schedule_with_eleven_phases_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/billing/subscriptions/subscription-schedules: up to 10 phases.
    price = _price(client, recurring={"interval": "month"})
    customer = client.v1.customers.create({"email": f"{uniq('eleven')}@example.com"})
    _refused(
        lambda: client.v1.subscription_schedules.create(
            {"customer": customer.id, "start_date": 4102444800, "phases": _phases(price.id, 11)}  # type: ignore[arg-type]
        ),
        param="phases",
    )


# --- lists ----------------------------------------------------------------------------------------


def test_starting_after_with_ending_before_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/pagination: a page is read from one cursor, forwards or backwards.
    a, b = _price(client), _price(client)
    _refused(lambda: client.v1.prices.list({"starting_after": a.id, "ending_before": b.id}))


def test_product_ids_with_starting_after_is_refused(client: stripe.StripeClient) -> None:
    # params/_product_list_params.py, ids: "Cannot be used with starting_after or
    # ending_before" (the only list of these resources with `ids`).
    a, b = _product(client), _product(client)
    _refused(lambda: client.v1.products.list({"ids": [a, b], "starting_after": a}))


def test_unknown_cursor_is_400_naming_it(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#resource-missing: an id sent as a parameter.
    _refused(
        lambda: client.v1.prices.list({"starting_after": "price_doesnotexist000"}),
        param="starting_after",
        code="resource_missing",
    )


# --- metadata -------------------------------------------------------------------------------------


def test_metadata_key_with_brackets_is_refused_not_renamed(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/metadata: keys "can't use square brackets ([ and ])". The SDK sends
    # key "a[b]" as `metadata[a[b]]`, which nests; Stripe refuses it and stores nothing.
    product_id = uniq("prod_meta")
    _refused(
        lambda: client.v1.products.create(
            {"name": "A", "id": product_id, "metadata": {"a[b]": "v"}}
        ),
        param="metadata",
    )
    _refused(lambda: client.v1.products.retrieve(product_id), status=404)


def test_metadata_key_over_40_characters_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/metadata: "key names up to 40 characters long".
    err = _refusal(lambda: client.v1.products.create({"name": "A", "metadata": {"k" * 41: "v"}}))
    assert err.http_status == 400


def test_metadata_value_over_500_characters_is_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/metadata: "values up to 500 characters long".
    err = _refusal(lambda: client.v1.products.create({"name": "A", "metadata": {"k": "v" * 501}}))
    assert err.http_status == 400


def test_more_than_50_metadata_keys_are_refused(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/metadata: "up to 50 keys".
    metadata = {f"k{i}": "v" for i in range(51)}
    err = _refusal(lambda: client.v1.products.create({"name": "A", "metadata": metadata}))
    assert err.http_status == 400
