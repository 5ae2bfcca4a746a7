"""Contract: behaviours of the Stripe API the catalog relies on, checked through the SDK.

Runs against the emulator always and against real Stripe test mode when STRIPE_TEST_API_KEY
is set, so the emulator's fidelity can be verified against the real service.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import stripe
from stripe.params import PromotionCodeCreateParamsPromotion

from catalogsync.emulator import Emulator

pytestmark = pytest.mark.stripe_live

BACKENDS = ["emulator", "stripe"]


def make_client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    """A client for the requested backend; the real-Stripe one needs STRIPE_TEST_API_KEY."""
    if request.param == "stripe":
        key = os.environ.get("STRIPE_TEST_API_KEY")
        if not key:
            pytest.skip("STRIPE_TEST_API_KEY is not set: contract not checked against real Stripe")
        yield stripe.StripeClient(key)
        return
    emu = Emulator(":memory:")
    yield emu.stripe_client()
    emu.close()


def uniq(prefix: str) -> str:
    """A unique id/lookup key, so runs against a real account do not collide."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _product(client: stripe.StripeClient, **extra: Any) -> stripe.Product:
    return client.v1.products.create({"name": "Advanced", "id": uniq("prod_t"), **extra})  # type: ignore[typeddict-item]  # **extra: parameters a caller adds


def _price(client: stripe.StripeClient, product: str, **extra: Any) -> stripe.Price:
    params: dict[str, Any] = {
        "product": product,
        "currency": "usd",
        "unit_amount": 9900,
        "recurring": {"interval": "month"},
        **extra,
    }
    return client.v1.prices.create(params)  # type: ignore[arg-type]


def _error(call: Any) -> stripe.StripeError:
    with pytest.raises(stripe.StripeError) as info:
        call()
    return info.value


# --- products -------------------------------------------------------------------------------


def test_product_custom_id_is_kept(client: stripe.StripeClient) -> None:
    product_id = uniq("advanced")
    assert client.v1.products.create({"name": "A", "id": product_id}).id == product_id


def test_product_duplicate_id_is_refused(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(lambda: client.v1.products.create({"name": "B", "id": product.id}))
    assert err.http_status == 400
    assert err.code == "resource_already_exists"


def test_product_name_is_required(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.products.create({}))  # type: ignore[typeddict-item]
    assert err.http_status == 400
    assert err.error is not None
    assert err.error.param == "name"


def test_product_missing_is_404(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.products.retrieve("prod_nope_x"))
    assert err.http_status == 404
    assert err.code == "resource_missing"


def test_product_update_changes_name(client: stripe.StripeClient) -> None:
    product = _product(client)
    assert client.v1.products.update(product.id, {"name": "Renamed"}).name == "Renamed"


def test_product_description_cleared_with_empty_string(client: stripe.StripeClient) -> None:
    product = _product(client, description="text")
    assert client.v1.products.update(product.id, {"description": ""}).description is None


def test_product_active_is_boolean(client: stripe.StripeClient) -> None:
    product = _product(client)
    assert client.v1.products.update(product.id, {"active": False}).active is False


def test_product_with_prices_cannot_be_deleted(client: stripe.StripeClient) -> None:
    product = _product(client)
    _price(client, product.id)
    err = _error(lambda: client.v1.products.delete(product.id))
    assert err.http_status == 400


def test_product_without_prices_is_deleted(client: stripe.StripeClient) -> None:
    product = _product(client)
    assert client.v1.products.delete(product.id).deleted is True
    assert _error(lambda: client.v1.products.retrieve(product.id)).http_status == 404


def test_product_list_ids_filter(client: stripe.StripeClient) -> None:
    a, _b = _product(client), _product(client)
    assert [p.id for p in client.v1.products.list({"ids": [a.id]}).data] == [a.id]


def test_product_list_active_filter(client: stripe.StripeClient) -> None:
    a, b = _product(client), _product(client, active=False)
    listed = {p.id for p in client.v1.products.list({"active": False, "limit": 100}).data}
    assert b.id in listed
    assert a.id not in listed


def test_default_price_data_creates_the_default_price(client: stripe.StripeClient) -> None:
    product = _product(client, default_price_data={"currency": "usd", "unit_amount": 500})
    assert isinstance(product.default_price, str)
    assert client.v1.prices.retrieve(product.default_price).product == product.id


def test_default_price_must_belong_to_product(client: stripe.StripeClient) -> None:
    a, b = _product(client), _product(client)
    price = _price(client, b.id)
    err = _error(lambda: client.v1.products.update(a.id, {"default_price": price.id}))
    assert err.http_status == 400


# --- prices ---------------------------------------------------------------------------------


def test_price_amount_decimal_is_string(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id)
    assert price.unit_amount == 9900
    assert str(price.unit_amount_decimal) == "9900"


def test_price_fractional_decimal_amount(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id, unit_amount=None, unit_amount_decimal="0.04")
    assert price.unit_amount is None
    assert str(price.unit_amount_decimal) == "0.04"


def test_price_both_amounts_refused(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(lambda: _price(client, product.id, unit_amount_decimal="5"))
    assert err.http_status == 400


def test_price_currency_required(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(
        lambda: client.v1.prices.create({"product": product.id, "unit_amount": 1})  # type: ignore[typeddict-item]
    )
    assert err.error is not None
    assert err.error.param == "currency"


def test_price_type_follows_recurring(client: stripe.StripeClient) -> None:
    product = _product(client)
    assert _price(client, product.id).type == "recurring"
    assert _price(client, product.id, recurring=None).type == "one_time"


def test_price_update_of_amount_is_unknown_parameter(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id)
    err = _error(lambda: client.v1.prices.update(price.id, {"unit_amount": 5}))  # type: ignore[arg-type]
    assert err.http_status == 400
    assert err.error is not None
    assert err.error.param == "unit_amount"
    assert "Received unknown parameter: unit_amount" in str(err.user_message)


def test_price_update_of_currency_is_refused(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id)
    err = _error(lambda: client.v1.prices.update(price.id, {"currency": "eur"}))  # type: ignore[arg-type]
    assert err.error is not None
    assert err.error.param == "currency"


def test_nested_unknown_parameter_named_with_brackets(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(lambda: _price(client, product.id, recurring={"interval": "month", "bogus": 1}))
    assert err.error is not None
    assert err.error.param == "recurring[bogus]"


def test_price_lookup_key_unique(client: stripe.StripeClient) -> None:
    product = _product(client)
    key = uniq("lk")
    _price(client, product.id, lookup_key=key)
    err = _error(lambda: _price(client, product.id, lookup_key=key))
    assert err.error is not None
    assert err.error.param == "lookup_key"


def test_transfer_lookup_key_moves_the_key(client: stripe.StripeClient) -> None:
    product = _product(client)
    key = uniq("lk")
    old = _price(client, product.id, lookup_key=key)
    new = _price(client, product.id, unit_amount=10900, lookup_key=key, transfer_lookup_key=True)
    assert new.lookup_key == key
    assert client.v1.prices.retrieve(old.id).lookup_key is None


def test_lookup_keys_filter_includes_archived(client: stripe.StripeClient) -> None:
    product = _product(client)
    key = uniq("lk")
    price = _price(client, product.id, lookup_key=key)
    client.v1.prices.update(price.id, {"active": False})
    assert [p.id for p in client.v1.prices.list({"lookup_keys": [key]}).data] == [price.id]


def test_default_price_listing_is_active_only(client: stripe.StripeClient) -> None:
    product = _product(client)
    live, archived = _price(client, product.id), _price(client, product.id)
    client.v1.prices.update(archived.id, {"active": False})
    assert [p.id for p in client.v1.prices.list({"product": product.id}).data] == [live.id]
    inactive = client.v1.prices.list({"product": product.id, "active": False}).data
    assert [p.id for p in inactive] == [archived.id]


def test_default_price_cannot_be_archived(client: stripe.StripeClient) -> None:
    product = _product(client, default_price_data={"currency": "usd", "unit_amount": 500})
    assert isinstance(product.default_price, str)
    err = _error(lambda: client.v1.prices.update(str(product.default_price), {"active": False}))
    assert err.http_status == 400


def test_currency_options_only_when_expanded(client: stripe.StripeClient) -> None:
    product = _product(client)
    price = _price(client, product.id, currency_options={"eur": {"unit_amount": 9500}})
    assert "currency_options" not in price
    expanded = client.v1.prices.retrieve(price.id, {"expand": ["currency_options"]})
    assert expanded.currency_options is not None
    assert expanded.currency_options["eur"].unit_amount == 9500


def test_list_expand_data_currency_options(client: stripe.StripeClient) -> None:
    product = _product(client)
    _price(client, product.id, currency_options={"gbp": {"unit_amount": 7900}})
    listed = client.v1.prices.list({"product": product.id, "expand": ["data.currency_options"]})
    assert listed.data[0].currency_options is not None
    assert listed.data[0].currency_options["gbp"].unit_amount == 7900
    plain = client.v1.prices.list({"product": product.id})
    assert "currency_options" not in plain.data[0]


def _tiered(client: stripe.StripeClient, product: str) -> stripe.Price:
    return client.v1.prices.create(
        {
            "product": product,
            "currency": "usd",
            "billing_scheme": "tiered",
            "tiers_mode": "graduated",
            "tiers": [
                {"up_to": 1000, "unit_amount_decimal": Decimal("99")},
                {"up_to": "inf", "unit_amount": 79},
            ],
        }
    )


def test_tiers_only_when_expanded_and_inf_is_null(client: stripe.StripeClient) -> None:
    price = _tiered(client, _product(client).id)
    assert "tiers" not in price
    tiers = client.v1.prices.retrieve(price.id, {"expand": ["tiers"]}).tiers
    assert tiers is not None
    assert [t.up_to for t in tiers] == [1000, None]


def test_list_expand_data_tiers(client: stripe.StripeClient) -> None:
    product = _product(client)
    _tiered(client, product.id)
    listed = client.v1.prices.list({"product": product.id, "expand": ["data.tiers"]})
    assert listed.data[0].tiers is not None
    assert len(listed.data[0].tiers) == 2


def test_tiers_must_end_with_inf(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(
        lambda: client.v1.prices.create(
            {
                "product": product.id,
                "currency": "usd",
                "billing_scheme": "tiered",
                "tiers_mode": "volume",
                "tiers": [{"up_to": 10, "unit_amount": 5}],
            }
        )
    )
    assert err.http_status == 400


def test_metered_price_needs_meter(client: stripe.StripeClient) -> None:
    product = _product(client)
    err = _error(
        lambda: _price(client, product.id, recurring={"interval": "month", "usage_type": "metered"})
    )
    assert err.http_status == 400


def test_tax_behavior_cannot_change_once_set(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id, tax_behavior="exclusive")
    err = _error(lambda: client.v1.prices.update(price.id, {"tax_behavior": "inclusive"}))
    assert err.error is not None
    assert err.error.param == "tax_behavior"


def test_nickname_update(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id)
    assert client.v1.prices.update(price.id, {"nickname": "Seat"}).nickname == "Seat"


def test_price_list_filters_currency_and_type(client: stripe.StripeClient) -> None:
    product = _product(client)
    eur = _price(client, product.id, currency="eur")
    once = _price(client, product.id, recurring=None)
    by_currency = client.v1.prices.list({"product": product.id, "currency": "eur"}).data
    by_type = client.v1.prices.list({"product": product.id, "type": "one_time"}).data
    assert [p.id for p in by_currency] == [eur.id]
    assert [p.id for p in by_type] == [once.id]


def test_price_list_recurring_interval_filter(client: stripe.StripeClient) -> None:
    product = _product(client)
    yearly = _price(client, product.id, recurring={"interval": "year"})
    _price(client, product.id)
    listed = client.v1.prices.list({"product": product.id, "recurring": {"interval": "year"}}).data
    assert [p.id for p in listed] == [yearly.id]


# --- metadata -------------------------------------------------------------------------------


def test_metadata_empty_value_unsets_a_key(client: stripe.StripeClient) -> None:
    product = _product(client, metadata={"a": "1", "b": "2"})
    updated = client.v1.products.update(product.id, {"metadata": {"a": ""}})
    assert updated.metadata.to_dict() == {"b": "2"}


def test_metadata_empty_string_clears_all(client: stripe.StripeClient) -> None:
    product = _product(client, metadata={"a": "1", "b": "2"})
    assert client.v1.products.update(product.id, {"metadata": ""}).metadata.to_dict() == {}


def test_metadata_merges_keys(client: stripe.StripeClient) -> None:
    product = _product(client, metadata={"a": "1"})
    updated = client.v1.products.update(product.id, {"metadata": {"b": "2"}})
    assert updated.metadata.to_dict() == {"a": "1", "b": "2"}


# --- lists ----------------------------------------------------------------------------------


def test_lists_are_newest_first_with_pagination(client: stripe.StripeClient) -> None:
    product = _product(client)
    prices = [_price(client, product.id) for _ in range(5)]
    first = client.v1.prices.list({"product": product.id, "limit": 2})
    assert [p.id for p in first.data] == [prices[4].id, prices[3].id]
    assert first.has_more
    second = client.v1.prices.list(
        {"product": product.id, "limit": 2, "starting_after": first.data[-1].id}
    )
    assert [p.id for p in second.data] == [prices[2].id, prices[1].id]
    back = client.v1.prices.list(
        {"product": product.id, "limit": 2, "ending_before": second.data[0].id}
    )
    assert [p.id for p in back.data] == [prices[4].id, prices[3].id]
    last = client.v1.prices.list(
        {"product": product.id, "limit": 2, "starting_after": second.data[-1].id}
    )
    assert [p.id for p in last.data] == [prices[0].id]
    assert not last.has_more


def test_limit_above_100_is_refused(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.prices.list({"limit": 101}))
    assert err.error is not None
    assert err.error.param == "limit"


def test_limit_zero_is_refused(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.prices.list({"limit": 0}))
    assert err.error is not None
    assert err.error.param == "limit"


def test_list_expand_without_data_prefix_is_refused(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.prices.list({"expand": ["currency_options"]}))
    assert err.http_status == 400


def test_created_filter(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10, "id": uniq("C")})
    after = client.v1.coupons.list({"created": {"gt": coupon.created}, "limit": 100}).data
    since = client.v1.coupons.list({"created": {"gte": coupon.created}, "limit": 100}).data
    assert coupon.id not in {c.id for c in after}
    assert coupon.id in {c.id for c in since}


def test_auto_paging_walks_every_page(client: stripe.StripeClient) -> None:
    product = _product(client)
    made = {_price(client, product.id).id for _ in range(5)}
    seen = {
        p.id for p in client.v1.prices.list({"product": product.id, "limit": 2}).auto_paging_iter()
    }
    assert seen == made


# --- coupons and promotion codes ------------------------------------------------------------


def test_coupon_custom_id_and_fields(client: stripe.StripeClient) -> None:
    coupon_id = uniq("STARTUP")
    coupon = client.v1.coupons.create(
        {"id": coupon_id, "percent_off": 90, "duration": "repeating", "duration_in_months": 12}
    )
    assert (coupon.id, coupon.percent_off, coupon.duration_in_months) == (coupon_id, 90, 12)


def test_coupon_needs_exactly_one_discount(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.coupons.create({"duration": "once"}))
    assert err.http_status == 400


def test_coupon_amount_off_needs_currency(client: stripe.StripeClient) -> None:
    err = _error(lambda: client.v1.coupons.create({"amount_off": 500}))
    assert err.http_status == 400


def test_coupon_duration_in_months_only_with_repeating(client: stripe.StripeClient) -> None:
    err = _error(
        lambda: client.v1.coupons.create(
            {"percent_off": 5, "duration": "once", "duration_in_months": 3}
        )
    )
    assert err.http_status == 400


def test_coupon_percent_off_is_immutable(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10})
    err = _error(lambda: client.v1.coupons.update(coupon.id, {"percent_off": 20}))  # type: ignore[arg-type]
    assert err.error is not None
    assert err.error.param == "percent_off"


def test_coupon_name_update_and_delete(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 10})
    assert client.v1.coupons.update(coupon.id, {"name": "Ten"}).name == "Ten"
    assert client.v1.coupons.delete(coupon.id).deleted is True
    assert _error(lambda: client.v1.coupons.retrieve(coupon.id)).http_status == 404


def test_deleted_coupon_id_can_be_reused(client: stripe.StripeClient) -> None:
    # FACTS marks this UNCONFIRMED; coupon replacement relies on it.
    coupon_id = uniq("REUSE")
    client.v1.coupons.create({"id": coupon_id, "percent_off": 10})
    client.v1.coupons.delete(coupon_id)
    assert client.v1.coupons.create({"id": coupon_id, "percent_off": 20}).percent_off == 20


def test_promotion_code_created_with_promotion_coupon(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 20})
    code = uniq("LAUNCH").upper().replace("_", "-")
    promo = client.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )
    assert promo.code == code
    assert promo.promotion.coupon == coupon.id
    assert promo.active is True


def test_promotion_code_top_level_coupon_is_unknown(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 20})
    err = _error(lambda: client.v1.promotion_codes.create({"coupon": coupon.id}))  # type: ignore[typeddict-item,typeddict-unknown-key]
    assert err.error is not None
    assert err.error.param == "coupon"


def test_promotion_code_active_code_unique(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 20})
    code = uniq("DUP").upper().replace("_", "-")
    promo: PromotionCodeCreateParamsPromotion = {"type": "coupon", "coupon": coupon.id}
    client.v1.promotion_codes.create({"promotion": promo, "code": code})
    err = _error(
        lambda: client.v1.promotion_codes.create({"promotion": promo, "code": code.lower()})
    )
    assert err.http_status == 400


def test_promotion_code_deactivate_and_filter(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 20})
    promo = client.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}})
    client.v1.promotion_codes.update(promo.id, {"active": False})
    listed = client.v1.promotion_codes.list({"coupon": coupon.id, "active": False}).data
    assert [p.id for p in listed] == [promo.id]
    assert client.v1.promotion_codes.list({"coupon": coupon.id, "active": True}).data == []


def test_promotion_code_list_by_code(client: stripe.StripeClient) -> None:
    coupon = client.v1.coupons.create({"percent_off": 20})
    code = uniq("FIND").upper().replace("_", "-")
    promo = client.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )
    assert [p.id for p in client.v1.promotion_codes.list({"code": code}).data] == [promo.id]


# --- features and meters --------------------------------------------------------------------


def test_feature_create_update_and_lookup(client: stripe.StripeClient) -> None:
    key = uniq("fin_copilot")
    feature = client.v1.entitlements.features.create({"name": "Copilot", "lookup_key": key})
    assert client.v1.entitlements.features.update(feature.id, {"name": "Fin"}).name == "Fin"
    assert [f.id for f in client.v1.entitlements.features.list({"lookup_key": key}).data] == [
        feature.id
    ]


def test_feature_archive_filter(client: stripe.StripeClient) -> None:
    feature = client.v1.entitlements.features.create({"name": "X", "lookup_key": uniq("f")})
    client.v1.entitlements.features.update(feature.id, {"active": False})
    archived = client.v1.entitlements.features.list({"archived": True, "limit": 100}).data
    assert feature.id in {f.id for f in archived}


def test_feature_lookup_key_is_immutable(client: stripe.StripeClient) -> None:
    feature = client.v1.entitlements.features.create({"name": "X", "lookup_key": uniq("f")})
    err = _error(lambda: client.v1.entitlements.features.update(feature.id, {"lookup_key": "y"}))  # type: ignore[arg-type]
    assert err.error is not None
    assert err.error.param == "lookup_key"


def test_product_features_attach_list_detach(client: stripe.StripeClient) -> None:
    product = _product(client)
    feature = client.v1.entitlements.features.create({"name": "X", "lookup_key": uniq("f")})
    attached = client.v1.products.features.create(product.id, {"entitlement_feature": feature.id})
    assert attached.entitlement_feature.id == feature.id
    assert [a.id for a in client.v1.products.features.list(product.id).data] == [attached.id]
    assert client.v1.products.features.delete(product.id, attached.id).deleted is True
    assert client.v1.products.features.list(product.id).data == []


def test_meter_lifecycle(client: stripe.StripeClient) -> None:
    meter = client.v1.billing.meters.create(
        {
            "display_name": "Resolutions",
            "event_name": uniq("res"),
            "default_aggregation": {"formula": "sum"},
        }
    )
    assert client.v1.billing.meters.update(meter.id, {"display_name": "R"}).display_name == "R"
    assert client.v1.billing.meters.deactivate(meter.id).status == "inactive"
    inactive = client.v1.billing.meters.list({"status": "inactive", "limit": 100}).data
    assert meter.id in {m.id for m in inactive}
    assert client.v1.billing.meters.reactivate(meter.id).status == "active"


def test_meter_event_name_is_immutable(client: stripe.StripeClient) -> None:
    meter = client.v1.billing.meters.create(
        {"display_name": "R", "event_name": uniq("ev"), "default_aggregation": {"formula": "sum"}}
    )
    err = _error(lambda: client.v1.billing.meters.update(meter.id, {"event_name": "x"}))  # type: ignore[arg-type]
    assert err.error is not None
    assert err.error.param == "event_name"


def test_metered_price_on_a_meter(client: stripe.StripeClient) -> None:
    meter = client.v1.billing.meters.create(
        {"display_name": "R", "event_name": uniq("ev"), "default_aggregation": {"formula": "sum"}}
    )
    price = _price(
        client,
        _product(client).id,
        unit_amount=None,
        unit_amount_decimal="0.99",
        recurring={"interval": "month", "usage_type": "metered", "meter": meter.id},
    )
    assert price.recurring is not None
    assert price.recurring.meter == meter.id


# --- customers, subscriptions, schedules -----------------------------------------------------


def test_customer_list_by_email(client: stripe.StripeClient) -> None:
    email = f"{uniq('finance')}@acme.example"
    customer = client.v1.customers.create({"email": email})
    assert [c.id for c in client.v1.customers.list({"email": email}).data] == [customer.id]


def test_schedule_phase_dates_follow_durations(client: stripe.StripeClient) -> None:
    product = _product(client)
    price = _price(client, product.id, recurring={"interval": "year"})
    customer = client.v1.customers.create({"email": "x@example.com"})
    start = 4102444800  # 2100-01-01T00:00:00Z
    schedule = client.v1.subscription_schedules.create(
        {
            "customer": customer.id,
            "start_date": start,
            "end_behavior": "release",
            "phases": [
                {
                    "items": [{"price": price.id, "quantity": 50}],
                    "duration": {"interval": "year", "interval_count": 1},
                },
                {
                    "items": [{"price": price.id, "quantity": 100}],
                    "duration": {"interval": "month", "interval_count": 6},
                },
            ],
        }
    )
    dates = [(p.start_date, p.end_date) for p in schedule.phases]
    assert dates == [(start, 4133980800), (4133980800, 4149619200)]  # 2101-01-01, 2101-07-01
    assert schedule.status == "not_started"
    assert schedule.subscription is None


def test_schedule_release_and_cancel_only_when_open(client: stripe.StripeClient) -> None:
    price = _price(client, _product(client).id)
    customer = client.v1.customers.create({"email": "y@example.com"})
    phases = [{"items": [{"price": price.id}], "duration": {"interval": "month"}}]
    schedule = client.v1.subscription_schedules.create(
        {"customer": customer.id, "start_date": 4102444800, "phases": phases}  # type: ignore[arg-type]
    )
    assert client.v1.subscription_schedules.cancel(schedule.id).status == "canceled"
    err = _error(lambda: client.v1.subscription_schedules.release(schedule.id))
    assert err.http_status == 400


def test_one_key_sent_twice_at_once_executes_once(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/idempotent_requests: the first request with a key is
    # executed and its response replayed for later ones (`Idempotent-Replayed`);
    # a request that "conflicts with another that's executing concurrently"
    # saves nothing and may be retried (stripe-python `_should_retry` retries
    # 409, "Retry on conflict errors"). Either way, one object.
    key = uniq("concurrent")
    barrier = threading.Barrier(2)

    def create() -> str | stripe.StripeError:
        barrier.wait()
        try:
            options: Any = {"idempotency_key": key, "max_network_retries": 0}
            return client.v1.coupons.create({"percent_off": 7}, options).id
        except stripe.StripeError as e:
            return e

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: create(), range(2)))
    created = {r for r in results if isinstance(r, str)}
    refused = [r for r in results if isinstance(r, stripe.StripeError)]
    assert len(created) == 1
    for error in refused:  # stripe-python maps a v1 409 to a plain APIError
        assert error.http_status == 409
        assert isinstance(error.json_body, dict)
        assert error.json_body["error"]["type"] == "idempotency_error"
    later = client.v1.coupons.create({"percent_off": 7}, {"idempotency_key": key})
    assert later.id in created
    assert later.last_response is not None
    assert later.last_response.headers["Idempotent-Replayed"] == "true"
