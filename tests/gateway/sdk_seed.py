"""Create a catalog in an account with plain SDK calls, the way a person would.

Independent of catalogsync's own executor: the "no spurious diff" tests
build the account with this and expect `plan` to find nothing to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import stripe

from catalogsync.model import (
    Catalog,
    Coupon,
    CurrencyOption,
    Price,
    PromotionCode,
    Tier,
)


def markers(key: str, metadata: Mapping[str, str]) -> dict[str, str]:
    out = {**metadata, "catalogsync_managed": "true", "catalogsync_key": key}
    if metadata:
        out["catalogsync_owned"] = ",".join(sorted(metadata))
    return out


def seed_catalog(client: stripe.StripeClient, catalog: Catalog) -> None:
    v1 = client.v1
    features = {
        f.lookup_key: v1.entitlements.features.create(
            {
                "lookup_key": f.lookup_key,
                "name": f.name,
                "metadata": markers(f.lookup_key, f.metadata),
            }
        ).id
        for f in catalog.features.values()
    }
    meters = {m.event_name: v1.billing.meters.create(_meter(m)).id for m in catalog.meters.values()}
    for p in catalog.products.values():
        params = {"id": p.key, "name": p.name, "metadata": markers(p.key, p.metadata)}
        for name in ("description", "tax_code", "unit_label", "url"):
            if getattr(p, name) is not None:
                params[name] = getattr(p, name)
        v1.products.create(params)  # type: ignore[arg-type]
        for feature in p.features or ():
            v1.products.features.create(p.key, {"entitlement_feature": features[feature]})
    prices = {k: v1.prices.create(_price(p, meters)).id for k, p in catalog.prices.items()}
    for p in catalog.products.values():
        if p.default_price:
            v1.products.update(p.key, {"default_price": prices[p.default_price]})
    for c in catalog.coupons.values():
        v1.coupons.create(_coupon(c))
    for code in catalog.promotion_codes.values():
        v1.promotion_codes.create(_promotion_code(code))


def _meter(m: Any) -> Any:
    params: dict[str, Any] = {
        "event_name": m.event_name,
        "display_name": m.display_name,
        "default_aggregation": {"formula": m.aggregation},
    }
    if m.customer_payload_key:
        params["customer_mapping"] = {"type": "by_id", "event_payload_key": m.customer_payload_key}
    if m.value_payload_key:
        params["value_settings"] = {"event_payload_key": m.value_payload_key}
    return params


def _price(p: Price, meters: Mapping[str, str]) -> Any:
    params: dict[str, Any] = {
        "product": p.product,
        "currency": p.currency,
        "lookup_key": p.lookup_key,
        "metadata": markers(p.lookup_key, p.metadata),
    }
    for name in ("nickname", "tax_behavior", "billing_scheme", "tiers_mode"):
        if getattr(p, name) is not None:
            params[name] = getattr(p, name)
    if p.unit_amount is not None:
        params["unit_amount_decimal"] = _text(p.unit_amount)
    if p.tiers:
        params["tiers"] = _tiers(p.tiers)
    if p.recurring:
        r = p.recurring
        params["recurring"] = {"interval": r.interval, "interval_count": r.interval_count}
        params["recurring"]["usage_type"] = r.usage_type
        if r.meter:
            params["recurring"]["meter"] = meters[r.meter]
    if p.currency_options:
        params["currency_options"] = {c: _option(o) for c, o in p.currency_options.items()}
    return params


def _option(o: CurrencyOption) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if o.unit_amount is not None:
        out["unit_amount_decimal"] = _text(o.unit_amount)
    if o.tiers:
        out["tiers"] = _tiers(o.tiers)
    if o.tax_behavior:
        out["tax_behavior"] = o.tax_behavior
    return out


def _tiers(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    out = []
    for t in tiers:
        tier: dict[str, Any] = {"up_to": "inf" if t.up_to is None else t.up_to}
        if t.unit_amount is not None:
            tier["unit_amount_decimal"] = _text(t.unit_amount)
        if t.flat_amount is not None:
            tier["flat_amount_decimal"] = _text(t.flat_amount)
        out.append(tier)
    return out


def _coupon(c: Coupon) -> Any:
    params: dict[str, Any] = {
        "id": c.id,
        "duration": c.duration,
        "metadata": markers(c.id, c.metadata),
    }
    for name in ("name", "currency", "duration_in_months", "max_redemptions", "redeem_by"):
        if getattr(c, name) is not None:
            params[name] = getattr(c, name)
    if c.percent_off is not None:
        params["percent_off"] = _text(c.percent_off)
    if c.amount_off is not None:
        params["amount_off"] = int(c.amount_off)
    if c.currency_options:
        params["currency_options"] = {
            k: {"amount_off": int(v)} for k, v in c.currency_options.items()
        }
    if c.applies_to:
        params["applies_to"] = {"products": list(c.applies_to)}
    return params


def _promotion_code(code: PromotionCode) -> Any:
    params: dict[str, Any] = {
        "code": code.code,
        "promotion": {"type": "coupon", "coupon": code.coupon},
        "active": code.active,
        "metadata": markers(code.code, code.metadata),
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


def _text(amount: Decimal) -> str:
    return f"{amount.normalize():f}"
