"""Populate an emulator account with a catalog, fast, as a finished `apply` would leave it.

Seeding is set-up, not measured: it goes through the real `stripe` SDK into the emulator
in-process (no sockets, no faults), writing each object the way catalogsync marks what it
manages (`catalogsync_managed`, `catalogsync_key`, `catalogsync_owned`). The harness checks
the result: `plan` on the seeded account must find nothing to do.

Objects get `created` times spread evenly over `span_days` before `end` (the emulator's
clock is set per object), as in an account whose catalog grew over a year, so lists can be
split by `created` window; the last object is created one day before `end`.

`seed_catalog` is the same creation without the clock, for any client: the tests'
"no spurious diff" checks build accounts with it, independently of catalogsync's own
executor, and expect `plan` to find nothing to do.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import stripe

from catalogsync.emulator import Emulator
from catalogsync.model import (
    IDENTITY_KEY,
    MANAGED_KEY,
    OWNED_KEYS_KEY,
    Catalog,
    Coupon,
    CurrencyOption,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Tier,
)

BENCH_KEY = "sk_test_catalogsync_bench"
DAY = 86_400


@dataclass
class Seeded:
    """What seeding created: Stripe ids by API path, in creation order (the Terraform state)."""

    ids: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, object_id: str) -> None:
        self.ids.setdefault(path, []).append(object_id)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.ids.values())


def seed(
    emulator: Emulator,
    catalog: Catalog,
    *,
    end: int,
    span_days: int = 365,
    api_key: str = BENCH_KEY,
) -> Seeded:
    """Create every resource of `catalog` in the account of `api_key`; returns the ids."""
    client = emulator.stripe_client(api_key)
    total = sum(
        len(group)
        for group in (
            catalog.meters,
            catalog.features,
            catalog.products,
            catalog.prices,
            catalog.coupons,
            catalog.promotion_codes,
        )
    )
    start = end - DAY - span_days * DAY
    times = iter(start + (span_days * DAY * n) // max(1, total) for n in range(total + 1))
    # The loaded catalog is a large, long-lived heap: without freezing it, every full
    # collection during seeding walks it again (50,000 prices took 13 minutes).
    gc.freeze()
    try:
        return seed_catalog(client, catalog, before_create=lambda: emulator.clock.set(next(times)))
    finally:
        emulator.clock.unfreeze()
        gc.unfreeze()


def seed_catalog(
    client: stripe.StripeClient,
    catalog: Catalog,
    *,
    before_create: Callable[[], None] = lambda: None,
) -> Seeded:
    """Create every catalog resource but deals with plain SDK calls; returns the ids.

    ``before_create`` runs before each object is created (`seed` moves the clock there).
    """
    v1 = client.v1
    seeded = Seeded()

    def create(path: str, service_create: Callable[[Any], Any], params: Any) -> str:
        before_create()
        object_id = str(service_create(params).id)
        seeded.add(path, object_id)
        return object_id

    meter_ids = {
        m.event_name: create("/v1/billing/meters", v1.billing.meters.create, _meter(m))
        for m in catalog.meters.values()
    }
    feature_ids = {
        f.lookup_key: create(
            "/v1/entitlements/features", v1.entitlements.features.create, _feature(f)
        )
        for f in catalog.features.values()
    }
    by_product: dict[str, list[Price]] = {}
    for price in catalog.prices.values():
        by_product.setdefault(price.product, []).append(price)
    price_ids: dict[str, str] = {}
    for product in catalog.products.values():
        create("/v1/products", v1.products.create, _product(product))
        for feature in product.features or ():
            v1.products.features.create(product.key, {"entitlement_feature": feature_ids[feature]})
        for price in by_product.get(product.key, []):
            price_ids[price.lookup_key] = create(
                "/v1/prices", v1.prices.create, _price(price, meter_ids)
            )
        if product.default_price:
            v1.products.update(product.key, {"default_price": price_ids[product.default_price]})
    for coupon in catalog.coupons.values():
        create("/v1/coupons", v1.coupons.create, _coupon(coupon))
    for code in catalog.promotion_codes.values():
        create("/v1/promotion_codes", v1.promotion_codes.create, _promotion_code(code))
    return seeded


def _marks(identity: str, metadata: Mapping[str, str]) -> dict[str, str]:
    """User metadata plus catalogsync's ownership record (see model.py)."""
    return {
        **metadata,
        MANAGED_KEY: "true",
        IDENTITY_KEY: identity,
        OWNED_KEYS_KEY: ",".join(sorted(metadata)),
    }


def _meter(meter: Meter) -> Any:
    params: dict[str, Any] = {
        "display_name": meter.display_name,
        "event_name": meter.event_name,
        "default_aggregation": {"formula": meter.aggregation},
    }
    if meter.customer_payload_key:
        params["customer_mapping"] = {
            "type": "by_id",
            "event_payload_key": meter.customer_payload_key,
        }
    if meter.value_payload_key:
        params["value_settings"] = {"event_payload_key": meter.value_payload_key}
    return params


def _feature(feature: Feature) -> Any:
    return {
        "lookup_key": feature.lookup_key,
        "name": feature.name,
        "metadata": _marks(feature.lookup_key, feature.metadata),
    }


def _product(product: Product) -> Any:
    params: dict[str, Any] = {
        "id": product.key,
        "name": product.name,
        "metadata": _marks(product.key, product.metadata),
    }
    for name in ("description", "tax_code", "unit_label", "url"):
        if getattr(product, name) is not None:
            params[name] = getattr(product, name)
    return params


def _price(price: Price, meter_ids: Mapping[str, str]) -> Any:
    params: dict[str, Any] = {
        "product": price.product,
        "currency": price.currency,
        "lookup_key": price.lookup_key,
        "metadata": _marks(price.lookup_key, price.metadata),
        **_amount("unit_amount", price.unit_amount),
    }
    for name in ("nickname", "tax_behavior", "billing_scheme", "tiers_mode"):
        if getattr(price, name) is not None:
            params[name] = getattr(price, name)
    if price.recurring is not None:
        recurring = price.recurring
        params["recurring"] = {
            "interval": recurring.interval,
            "interval_count": recurring.interval_count,
            "usage_type": recurring.usage_type,
        }
        if recurring.meter:
            params["recurring"]["meter"] = meter_ids[recurring.meter]
    if price.tiers is not None:
        params["tiers"] = _tiers(price.tiers)
    if price.currency_options:
        params["currency_options"] = {
            code: _option(option) for code, option in price.currency_options.items()
        }
    return params


def _option(option: CurrencyOption) -> dict[str, Any]:
    out: dict[str, Any] = _amount("unit_amount", option.unit_amount)
    if option.tiers is not None:
        out["tiers"] = _tiers(option.tiers)
    if option.tax_behavior is not None:
        out["tax_behavior"] = option.tax_behavior
    return out


def _tiers(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    return [
        {
            "up_to": "inf" if t.up_to is None else t.up_to,
            **_amount("unit_amount", t.unit_amount),
            **_amount("flat_amount", t.flat_amount),
        }
        for t in tiers
    ]


def _amount(name: str, minor: Decimal | None) -> dict[str, Any]:
    """Whole minor units as `name`, finer ones as `name_decimal` (exact text)."""
    if minor is None:
        return {}
    if minor == minor.to_integral_value():
        return {name: int(minor)}
    return {f"{name}_decimal": format(minor.normalize(), "f")}


def _coupon(coupon: Coupon) -> Any:
    params: dict[str, Any] = {
        "id": coupon.id,
        "duration": coupon.duration,
        "metadata": _marks(coupon.id, coupon.metadata),
    }
    if coupon.percent_off is not None:
        params["percent_off"] = str(coupon.percent_off)
    if coupon.amount_off is not None:
        params["amount_off"] = int(coupon.amount_off)
        params["currency"] = coupon.currency
    if coupon.currency_options:
        params["currency_options"] = {
            code: {"amount_off": int(amount)} for code, amount in coupon.currency_options.items()
        }
    for name in ("name", "duration_in_months", "max_redemptions", "redeem_by"):
        if getattr(coupon, name) is not None:
            params[name] = getattr(coupon, name)
    if coupon.applies_to is not None:
        params["applies_to"] = {"products": list(coupon.applies_to)}
    return params


def _promotion_code(code: PromotionCode) -> Any:
    params: dict[str, Any] = {
        "code": code.code,
        "promotion": {"type": "coupon", "coupon": code.coupon},
        "active": code.active,
        "metadata": _marks(code.code, code.metadata),
    }
    for name in ("max_redemptions", "expires_at"):
        if getattr(code, name) is not None:
            params[name] = getattr(code, name)
    restrictions: dict[str, Any] = {}
    if code.first_time_transaction is not None:
        restrictions["first_time_transaction"] = code.first_time_transaction
    if code.minimum_amount is not None:
        restrictions["minimum_amount"] = int(code.minimum_amount)
        restrictions["minimum_amount_currency"] = code.minimum_amount_currency
    if restrictions:
        params["restrictions"] = restrictions
    return params
