"""Model values to Stripe request parameters (https://docs.stripe.com/api/prices/create and
the other create endpoints): amounts as int or exact decimal string, tiers ending in "inf",
ownership markers in the metadata."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogsync.changes import KEPT_METADATA, OWNERSHIP_FIELD, FieldChange
from catalogsync.gateway import params
from catalogsync.values import Value

MARKERS = {"catalogsync_managed": "true", "catalogsync_key": "k", "catalogsync_owned": ""}


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("9900"), "9900"),
        (Decimal("0.0400"), "0.04"),
        (Decimal("1E+3"), "1000"),  # never an exponent
        (Decimal("1E-12"), "0.000000000001"),
        (Decimal("10.50"), "10.5"),
    ],
)
def test_decimal_text(amount: Decimal, text: str) -> None:
    assert params.decimal_text(amount) == text


def test_whole_amounts_are_ints_and_fractions_are_refused() -> None:
    assert params.whole(Decimal("1000"), "amount_off") == 1000
    assert isinstance(params.whole(Decimal("1000.0"), "amount_off"), int)
    with pytest.raises(ValueError, match=r"amount_off must be a whole number .* got 10\.5"):
        params.whole(Decimal("10.5"), "amount_off")
    with pytest.raises(TypeError, match="minimum: not an amount: True"):
        params.whole(True, "minimum")
    with pytest.raises(TypeError, match="not an amount: '5'"):
        params.whole("5", "minimum")


def test_an_amount_goes_as_int_or_as_its_decimal_field() -> None:
    sent: params.Params = {}
    params.amount(sent, "unit_amount", Decimal(9900))
    params.amount(sent, "flat_amount", Decimal("0.25"))
    assert sent == {"unit_amount": 9900, "flat_amount_decimal": "0.25"}
    assert isinstance(sent["unit_amount"], int)  # not a Decimal: the SDK form-encodes it as is
    with pytest.raises(TypeError):
        params.amount(sent, "unit_amount", None)


def test_tiers_end_with_inf() -> None:
    tiers: Value = (
        {"up_to": 1000, "unit_amount": Decimal("0.5"), "flat_amount": None},
        {"up_to": None, "unit_amount": Decimal(1), "flat_amount": Decimal(100)},
    )
    assert params.tiers(tiers) == [
        {"up_to": 1000, "unit_amount_decimal": "0.5"},
        {"up_to": "inf", "unit_amount": 1, "flat_amount": 100},
    ]


def test_metadata_carries_the_markers_and_unsets_with_empty_strings() -> None:
    sent = params.metadata("pro", {"tier": 2}, ["tier", "crm"], unset=["old"])
    assert sent == {
        "old": "",
        "tier": "2",
        "catalogsync_managed": "true",
        "catalogsync_key": "pro",
        "catalogsync_owned": "crm,tier",  # sorted: the same set always writes the same text
    }


def test_a_new_object_keeps_other_tools_metadata_without_owning_it() -> None:
    fields: dict[str, Value] = {
        "metadata": {"tier": "2"},
        KEPT_METADATA: {"crm": "x", "tier": "old"},
    }
    assert params.create_metadata("pro", fields) == {
        "crm": "x",
        "tier": "2",  # the catalog's value wins
        "catalogsync_managed": "true",
        "catalogsync_key": "pro",
        "catalogsync_owned": "tier",
    }


def test_product_create() -> None:
    fields: dict[str, Value] = {
        "name": "Pro",
        "active": True,
        "default_price": "ignored",
        "features": (),
    }
    assert params.product_create("pro", fields) == {
        "id": "pro",
        "name": "Pro",
        "active": True,
        "metadata": {**MARKERS, "catalogsync_key": "pro"},
    }


def test_price_create_takes_the_lookup_key_over_and_maps_the_meter() -> None:
    fields: dict[str, Value] = {
        "product": "pro",
        "currency": "usd",
        "unit_amount": None,
        "billing_scheme": "tiered",
        "tiers_mode": "volume",
        "tiers": ({"up_to": None, "unit_amount": Decimal("0.04")},),
        "recurring": {"interval": "month", "usage_type": "metered", "meter": "api_calls"},
        "transform_quantity": {"divide_by": 10, "round": "up"},
        "currency_options": {"eur": {"unit_amount": Decimal(95), "tax_behavior": "exclusive"}},
        "metadata": {},
    }
    assert params.price_create("calls", fields, "mtr_1") == {
        "product": "pro",
        "currency": "usd",
        "lookup_key": "calls",
        "transfer_lookup_key": True,
        "billing_scheme": "tiered",
        "tiers_mode": "volume",
        "tiers": [{"up_to": "inf", "unit_amount_decimal": "0.04"}],
        "transform_quantity": {"divide_by": 10, "round": "up"},
        "recurring": {"interval": "month", "usage_type": "metered", "meter": "mtr_1"},
        "currency_options": {"eur": {"unit_amount": 95, "tax_behavior": "exclusive"}},
        "metadata": {**MARKERS, "catalogsync_key": "calls"},
    }


def test_price_create_custom_unit_amount_in_whole_minor_units() -> None:
    fields: dict[str, Value] = {
        "product": "pro",
        "currency": "usd",
        "custom_unit_amount": {"minimum": Decimal(500), "maximum": None, "preset": Decimal(1000)},
        "recurring": {"interval": "month", "meter": None},
    }
    sent = params.price_create("tip", fields, None)
    assert sent["custom_unit_amount"] == {"enabled": True, "minimum": 500, "preset": 1000}
    assert sent["recurring"] == {"interval": "month"}
    with pytest.raises(ValueError, match=r"custom_unit_amount\.minimum must be a whole number"):
        params.price_create(
            "tip", {**fields, "custom_unit_amount": {"minimum": Decimal("1.5")}}, None
        )


def test_coupon_create() -> None:
    fields: dict[str, Value] = {
        "name": "Welcome",
        "duration": "repeating",
        "duration_in_months": 3,
        "percent_off": Decimal("12.50"),
        "applies_to": ("pro",),
        "redeem_by": 1800000000,
    }
    assert params.coupon_create("W", fields) == {
        "id": "W",
        "name": "Welcome",
        "duration": "repeating",
        "duration_in_months": 3,
        "redeem_by": 1800000000,
        "percent_off": "12.5",
        "applies_to": {"products": ["pro"]},
        "metadata": {**MARKERS, "catalogsync_key": "W"},
    }
    fixed = params.coupon_create(
        "TEN",
        {"currency": "usd", "amount_off": Decimal(1000), "currency_options": {"eur": Decimal(900)}},
    )
    assert fixed["amount_off"] == 1000
    assert fixed["currency_options"] == {"eur": {"amount_off": 900}}
    with pytest.raises(ValueError, match=r"currency_options\.eur must be a whole number"):
        params.coupon_options({"eur": Decimal("9.5")})


def test_promotion_code_create() -> None:
    fields: dict[str, Value] = {
        "coupon": "SAVE",
        "active": True,
        "first_time_transaction": True,
        "minimum_amount": Decimal(5000),
        "minimum_amount_currency": "usd",
    }
    assert params.promotion_code_create("GO", fields) == {
        "code": "GO",
        "promotion": {"type": "coupon", "coupon": "SAVE"},
        "active": True,
        "restrictions": {
            "first_time_transaction": True,
            "minimum_amount": 5000,
            "minimum_amount_currency": "usd",
        },
        "metadata": {**MARKERS, "catalogsync_key": "GO"},
    }
    assert "restrictions" not in params.promotion_code_create("GO", {"coupon": "SAVE"})


def test_feature_and_meter_create() -> None:
    assert params.feature_create("sso", {"name": "SSO", "active": True}) == {
        "lookup_key": "sso",
        "name": "SSO",
        "metadata": {**MARKERS, "catalogsync_key": "sso"},
    }
    assert params.meter_create("calls", {"display_name": "Calls"}) == {
        "event_name": "calls",
        "display_name": "Calls",
        "default_aggregation": {"formula": "sum"},
    }
    full = params.meter_create(
        "calls",
        {
            "display_name": "Calls",
            "aggregation": "count",
            "customer_payload_key": "customer",
            "value_payload_key": "n",
        },
    )
    assert full["customer_mapping"] == {"event_payload_key": "customer", "type": "by_id"}
    assert full["value_settings"] == {"event_payload_key": "n"}
    assert full["default_aggregation"] == {"formula": "count"}


def test_update_sends_plain_fields_and_clears_dropped_ones() -> None:
    changes = [
        FieldChange("name", "Old", "New"),
        FieldChange("url", "https://example.com", None),
        FieldChange("currency_options.eur", None, {"unit_amount": Decimal(1)}),
    ]
    assert params.update("pro", changes, ["tier"]) == {"name": "New", "url": ""}


def test_update_writes_metadata_with_the_markers() -> None:
    changes = [FieldChange("metadata.tier", "1", "2"), FieldChange("metadata.gone", "x", None)]
    assert params.update("pro", changes, ["tier"]) == {
        "metadata": {
            "gone": "",
            "tier": "2",
            "catalogsync_managed": "true",
            "catalogsync_key": "pro",
            "catalogsync_owned": "tier",
        }
    }


def test_update_writes_the_markers_when_ownership_changes_or_when_asked() -> None:
    owned = [FieldChange(OWNERSHIP_FIELD, "a", "a,b")]
    assert params.update("pro", owned, ["a", "b"])["metadata"]["catalogsync_owned"] == "a,b"
    adopted = params.update("pro", [], [], markers=True)
    assert adopted == {"metadata": {**MARKERS, "catalogsync_key": "pro"}}
    assert params.update("pro", [], []) == {}
