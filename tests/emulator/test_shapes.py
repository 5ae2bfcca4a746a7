"""Every resource's top-level JSON keys equal Stripe's own example in fixtures3.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator

# Stripe's own examples, copied from github.com/stripe/openapi (see data/NOTICE.md).
FIXTURES = Path(__file__).resolve().parent / "data" / "stripe-fixtures3.json"


def _examples() -> dict[str, Any]:
    resources: dict[str, Any] = json.loads(FIXTURES.read_text())["resources"]
    return resources


def _objects(client: stripe.StripeClient) -> dict[str, dict[str, Any]]:
    meter = client.v1.billing.meters.create(
        {"display_name": "R", "event_name": "r", "default_aggregation": {"formula": "sum"}}
    )
    product = client.v1.products.create({"name": "P", "id": "p1"})
    price = client.v1.prices.create(
        {"product": "p1", "currency": "usd", "unit_amount": 5, "recurring": {"interval": "month"}}
    )
    coupon = client.v1.coupons.create({"percent_off": 5})
    promo = client.v1.promotion_codes.create({"promotion": {"type": "coupon", "coupon": coupon.id}})
    feature = client.v1.entitlements.features.create({"name": "F", "lookup_key": "f"})
    attached = client.v1.products.features.create("p1", {"entitlement_feature": feature.id})
    customer = client.v1.customers.create({"email": "a@example.com"})
    sub = client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    schedule = client.v1.subscription_schedules.create(
        {"customer": customer.id, "phases": [{"items": [{"price": price.id}]}]}
    )
    return {
        "account": client.v1.accounts.retrieve_current().to_dict(),
        "product": product.to_dict(),
        "price": price.to_dict(),
        "coupon": coupon.to_dict(),
        "promotion_code": promo.to_dict(),
        "entitlements.feature": feature.to_dict(),
        "product_feature": attached.to_dict(),
        "billing.meter": meter.to_dict(),
        "customer": customer.to_dict(),
        "subscription": sub.to_dict(),
        "subscription_schedule": schedule.to_dict(),
        "deleted_product": client.v1.products.delete(
            client.v1.products.create({"name": "D"}).id
        ).to_dict(),
        "deleted_coupon": client.v1.coupons.delete(coupon.id).to_dict(),
        "deleted_product_feature": client.v1.products.features.delete("p1", attached.id).to_dict(),
    }


@pytest.fixture(scope="module")
def objects() -> dict[str, dict[str, Any]]:
    return _objects(Emulator().stripe_client())


@pytest.mark.parametrize(
    "resource",
    [
        "account",
        "product",
        "price",
        "coupon",
        "promotion_code",
        "entitlements.feature",
        "product_feature",
        "billing.meter",
        "customer",
        "subscription",
        "subscription_schedule",
        "deleted_product",
        "deleted_coupon",
        "deleted_product_feature",
    ],
)
def test_top_level_keys_match_stripe_example(resource: str, objects: dict[str, Any]) -> None:
    assert sorted(objects[resource]) == sorted(_examples()[resource])
