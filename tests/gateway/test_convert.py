"""Stripe JSON to the model (`catalogsync.gateway.convert`): amounts, markers, references.

Shapes follow the API reference: https://docs.stripe.com/api/products/object,
https://docs.stripe.com/api/prices/object, https://docs.stripe.com/api/coupons/object,
https://docs.stripe.com/api/promotion_codes/object, https://docs.stripe.com/api/billing/meter/object.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalogsync.gateway import convert
from catalogsync.model import CurrencyOption, Recurring, Tier, TransformQuantity

MARKERS = {"catalogsync_managed": "true", "catalogsync_key": "pro", "catalogsync_owned": "tier,crm"}


def test_remote_parses_the_markers_out_of_the_metadata() -> None:
    obj = {"id": "prod_1", "created": 1700000000, "metadata": {**MARKERS, "tier": "2", "x": "y"}}
    wrapped = convert.remote(obj, "resource", ("recurring.trial_period_days",))
    assert wrapped.id == "prod_1"
    assert wrapped.resource == "resource"
    assert wrapped.managed is True
    assert wrapped.owned_metadata == frozenset({"tier", "crm"})
    assert wrapped.created == 1700000000
    assert wrapped.unmodelled == ("recurring.trial_period_days",)
    assert convert.user_metadata(obj) == {"tier": "2", "x": "y"}
    assert convert.identity_hint(obj) == "pro"


def test_an_object_without_markers_is_unmanaged() -> None:
    wrapped = convert.remote({"id": "prod_2", "metadata": {"catalogsync_owned": ""}}, None)
    assert (wrapped.managed, wrapped.owned_metadata, wrapped.created) == (False, frozenset(), 0)
    assert convert.identity_hint({"id": "prod_2", "metadata": None}) is None


def test_product_default_price_becomes_its_lookup_key() -> None:
    obj = {
        "id": "pro",
        "name": "Pro",
        "active": True,
        "default_price": "price_1",
        "tax_code": {"id": "txcd_10000000", "object": "tax_code"},  # expanded
        "metadata": {**MARKERS, "tier": "2"},
    }
    product = convert.product(obj, {"price_1": "pro_usd"}, ("sso",))
    assert product.default_price == "pro_usd"
    assert product.tax_code == "txcd_10000000"
    assert product.features == ("sso",)
    assert product.metadata == {"tier": "2"}
    expanded = convert.product({**obj, "default_price": {"id": "price_1"}}, {"price_1": "k"}, None)
    assert expanded.default_price == "k"
    keyless = convert.product(obj, {}, None)  # a default price without a lookup key
    assert keyless.default_price is None
    archived = convert.product({"id": "old", "active": False, "default_price": None}, {}, None)
    assert (archived.active, archived.default_price, archived.name) == (False, None, "")


def _price(**fields: Any) -> dict[str, Any]:
    return {
        "id": "price_1",
        "object": "price",
        "product": "pro",
        "currency": "usd",
        "lookup_key": "pro_usd",
        "active": True,
        "billing_scheme": "per_unit",
        "metadata": {},
        **fields,
    }


def test_price_recurring_names_its_meter_by_event_name() -> None:
    recurring = {
        "interval": "month",
        "interval_count": 3,
        "usage_type": "metered",
        "meter": "mtr_1",
    }
    price = convert.price(_price(recurring=recurring), {"mtr_1": "api_calls"})
    assert price.recurring == Recurring("month", 3, "metered", "api_calls")
    unknown = convert.price(_price(recurring=recurring), {})
    assert unknown.recurring is not None
    assert unknown.recurring.meter == "mtr_1"
    licensed = convert.price(_price(recurring={"interval": "year", "interval_count": None}), {})
    assert licensed.recurring == Recurring("year")


def test_price_tiers_transform_custom_amount_and_currency_options() -> None:
    obj = _price(
        billing_scheme="tiered",
        tiers_mode="graduated",
        tiers=[
            {
                "up_to": 1000,
                "unit_amount": None,
                "unit_amount_decimal": "0.5",
                "flat_amount": 0,
                "flat_amount_decimal": "0",
            },
            {
                "up_to": None,
                "unit_amount": 1,
                "unit_amount_decimal": "1",
                "flat_amount": None,
                "flat_amount_decimal": None,
            },
        ],
        transform_quantity={"divide_by": 1000, "round": "up"},
        currency_options={
            "usd": {
                "unit_amount": 9900,
                "unit_amount_decimal": "9900",
                "tax_behavior": "exclusive",
            },
            "eur": {"unit_amount": 9500, "unit_amount_decimal": "9500", "tax_behavior": None},
        },
    )
    price = convert.price(obj, {})
    assert price.tiers == (Tier(1000, Decimal("0.5"), Decimal(0)), Tier(None, Decimal(1), None))
    assert price.transform_quantity == TransformQuantity(1000, "up")
    assert price.currency_options == {
        "usd": CurrencyOption(Decimal(9900), None, "exclusive"),
        "eur": CurrencyOption(Decimal(9500)),
    }
    custom = convert.price(
        _price(custom_unit_amount={"minimum": 500, "maximum": None, "preset": 1000}), {}
    )
    assert custom.custom_unit_amount is not None
    assert (custom.custom_unit_amount.minimum, custom.custom_unit_amount.maximum) == (
        Decimal(500),
        None,
    )
    assert custom.custom_unit_amount.preset == Decimal(1000)


def test_unmodelled_price_fields() -> None:
    assert convert.unmodelled_price_fields(_price(recurring={"interval": "month"})) == ()
    trial = _price(recurring={"interval": "month", "trial_period_days": 14})
    assert convert.unmodelled_price_fields(trial) == ("recurring.trial_period_days",)
    options = {
        "usd": {"custom_unit_amount": {"minimum": 1}},  # the price's own currency: modelled
        "eur": {"custom_unit_amount": {"minimum": 1}},
        "gbp": {"custom_unit_amount": None},
    }
    assert convert.unmodelled_price_fields(_price(currency_options=options)) == (
        "currency_options.eur.custom_unit_amount",
    )


def test_coupon_amounts_are_exact() -> None:
    obj = {
        "id": "WELCOME",
        "percent_off": 12.5,  # a JSON number: never through float arithmetic
        "amount_off": None,
        "duration": "repeating",
        "duration_in_months": 3,
        "applies_to": {"products": ["pro", "team"]},
        "metadata": {},
    }
    coupon = convert.coupon(obj)
    assert coupon.percent_off == Decimal("12.5")
    assert (coupon.duration, coupon.duration_in_months) == ("repeating", 3)
    assert coupon.applies_to == ("pro", "team")
    fixed = convert.coupon(
        {
            "id": "TEN",
            "amount_off": 1000,
            "currency": "usd",
            "duration": None,
            "currency_options": {"eur": {"amount_off": 900}},
        }
    )
    assert (fixed.amount_off, fixed.currency, fixed.duration) == (Decimal(1000), "usd", "once")
    assert fixed.currency_options == {"eur": Decimal(900)}
    assert fixed.applies_to is None
    assert fixed.percent_off is None


def test_promotion_code_coupon_from_the_promotion_or_the_older_field() -> None:
    # Since API version 2025-09-30.clover the coupon is under `promotion`.
    new = convert.promotion_code(
        {
            "code": "GO",
            "promotion": {"type": "coupon", "coupon": "SAVE"},
            "active": False,
            "restrictions": {
                "minimum_amount": 5000,
                "minimum_amount_currency": "usd",
                "first_time_transaction": True,
            },
        }
    )
    assert (new.code, new.coupon, new.active) == ("GO", "SAVE", False)
    assert (new.minimum_amount, new.minimum_amount_currency) == (Decimal(5000), "usd")
    assert new.first_time_transaction is True
    old = convert.promotion_code({"code": "GO", "coupon": {"id": "SAVE", "object": "coupon"}})
    assert old.coupon == "SAVE"
    assert old.minimum_amount is None


def test_feature_and_meter() -> None:
    feature = convert.feature(
        {"lookup_key": "sso", "name": "SSO", "active": False, "metadata": MARKERS}
    )
    assert (feature.lookup_key, feature.name, feature.active, feature.metadata) == (
        "sso",
        "SSO",
        False,
        {},
    )
    meter = convert.meter(
        {
            "event_name": "api_calls",
            "display_name": "API calls",
            "status": "inactive",
            "default_aggregation": {"formula": "count"},
            "customer_mapping": {"event_payload_key": "customer", "type": "by_id"},
            "value_settings": {"event_payload_key": "n"},
        }
    )
    assert (meter.aggregation, meter.active) == ("count", False)
    assert (meter.customer_payload_key, meter.value_payload_key) == ("customer", "n")
    plain = convert.meter({"event_name": "e"})
    assert (plain.aggregation, plain.active, plain.display_name) == ("sum", True, "")


def test_unmodelled_schedule_fields() -> None:
    phase = {
        "start_date": 1,
        "end_date": 100,
        "items": [{"price": "price_1", "quantity": 2}],
        "discounts": [{"coupon": "SAVE"}],
        "proration_behavior": "create_prorations",
        "metadata": {},
        "trial_end": None,
    }
    schedule = {
        "id": "sub_sched_1",
        "customer": "cus_1",
        "end_behavior": "release",
        "default_settings": {
            "collection_method": "send_invoice",
            "invoice_settings": {"days_until_due": 30},
        },
        "phases": [phase],
    }
    assert convert.unmodelled_schedule_fields(schedule) == ()
    odd = {
        **schedule,
        "end_behavior": "renew",
        "default_settings": {"invoice_settings": {"footer": "x"}},
        "phases": [
            {
                **phase,
                "metadata": {"a": "b"},
                "trial_end": 50,
                "discounts": [{"promotion_code": "promo_1"}],
                "items": [{"price": "price_1", "tax_rates": ["txr_1"]}],
            }
        ],
    }
    assert convert.unmodelled_schedule_fields(odd) == (
        "default_settings.invoice_settings.footer",
        "end_behavior",
        "phases[1].metadata",
        "phases[1].trial_end",
        "phases[1].discounts",
        "phases[1].items[1].tax_rates",
    )


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
    found = convert.amount(obj, "unit_amount")
    assert found is not None
    assert found.as_tuple() == Decimal(expected).as_tuple()  # the value and its digits


def test_no_amount_is_none() -> None:
    assert convert.amount({"unit_amount": None, "unit_amount_decimal": None}, "unit_amount") is None
    assert convert.amount({}, "flat_amount") is None
