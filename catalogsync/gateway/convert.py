"""Stripe objects (dicts) to the model the loader produces, wrapped in `Remote`.

Amounts come from the ``*_decimal`` fields when present (exact, and finer
than the minor unit for usage prices). catalogsync's own metadata keys are
parsed into ``Remote.managed`` / ``owned_metadata`` and removed from the
resource's metadata. References by Stripe id are turned into catalog
identities: a price's meter id into its event name, a product's default
price id into that price's lookup key.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from catalogsync.model import (
    IDENTITY_KEY,
    MANAGED_KEY,
    OWNED_KEYS_KEY,
    RESERVED_METADATA,
    Coupon,
    CurrencyOption,
    CustomUnitAmount,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Recurring,
    Remote,
    Tier,
    TransformQuantity,
)

Json = dict[str, Any]


def remote(obj: Json, resource: Any, unmodelled: tuple[str, ...] = ()) -> Remote[Any]:
    """Wrap a converted resource with what only Stripe knows (id, markers, created)."""
    metadata = obj.get("metadata") or {}
    owned = metadata.get(OWNED_KEYS_KEY, "")
    return Remote(
        id=obj["id"],
        resource=resource,
        managed=metadata.get(MANAGED_KEY) == "true",
        owned_metadata=frozenset(k for k in owned.split(",") if k),
        created=int(obj.get("created") or 0),
        unmodelled=unmodelled,
    )


def unmodelled_price_fields(obj: Json) -> tuple[str, ...]:
    """The billing fields of a Stripe price that the catalog format cannot express.

    A price's trial days (``recurring.trial_period_days``, legacy) and a
    customer-chosen amount in another currency (``currency_options.X.custom_unit_amount``)
    change what subscribers pay, yet have no place in the YAML.
    """
    found = []
    if (obj.get("recurring") or {}).get("trial_period_days") is not None:
        found.append("recurring.trial_period_days")
    for currency, option in sorted((obj.get("currency_options") or {}).items()):
        if currency != obj.get("currency") and option.get("custom_unit_amount"):
            found.append(f"currency_options.{currency}.custom_unit_amount")
    return tuple(found)


def identity_hint(obj: Json) -> str | None:
    """The identity catalogsync recorded on the object (``catalogsync_key``)."""
    value = (obj.get("metadata") or {}).get(IDENTITY_KEY)
    return value if isinstance(value, str) else None


def user_metadata(obj: Json) -> dict[str, str]:
    return {k: str(v) for k, v in (obj.get("metadata") or {}).items() if k not in RESERVED_METADATA}


def product(obj: Json, price_keys: Mapping[str, str], features: tuple[str, ...] | None) -> Product:
    default = obj.get("default_price")
    default_id = default.get("id") if isinstance(default, dict) else default
    return Product(
        key=obj["id"],
        name=obj.get("name") or "",
        description=obj.get("description"),
        tax_code=_id(obj.get("tax_code")),
        statement_descriptor=obj.get("statement_descriptor"),
        unit_label=obj.get("unit_label"),
        url=obj.get("url"),
        default_price=price_keys.get(default_id) if default_id else None,
        features=features,
        active=bool(obj.get("active", True)),
        metadata=user_metadata(obj),
    )


def price(obj: Json, meter_names: Mapping[str, str]) -> Price:
    return Price(
        lookup_key=obj.get("lookup_key") or "",
        product=_id(obj.get("product")) or "",
        currency=obj["currency"],
        unit_amount=amount(obj, "unit_amount"),
        recurring=_recurring(obj.get("recurring"), meter_names),
        billing_scheme=obj.get("billing_scheme"),
        tiers_mode=obj.get("tiers_mode"),
        tiers=_tiers(obj.get("tiers")),
        transform_quantity=_transform(obj.get("transform_quantity")),
        custom_unit_amount=_custom(obj.get("custom_unit_amount")),
        nickname=obj.get("nickname"),
        tax_behavior=obj.get("tax_behavior"),
        currency_options=_currency_options(obj.get("currency_options")),
        active=bool(obj.get("active", True)),
        metadata=user_metadata(obj),
    )


def coupon(obj: Json) -> Coupon:
    applies = obj.get("applies_to")
    options = obj.get("currency_options")
    return Coupon(
        id=obj["id"],
        name=obj.get("name"),
        percent_off=_decimal(obj.get("percent_off")),
        amount_off=_decimal(obj.get("amount_off")),
        currency=obj.get("currency"),
        currency_options=(
            {c: Decimal(o["amount_off"]) for c, o in options.items()} if options else None
        ),
        duration=obj.get("duration") or "once",
        duration_in_months=obj.get("duration_in_months"),
        max_redemptions=obj.get("max_redemptions"),
        redeem_by=obj.get("redeem_by"),
        applies_to=tuple(applies["products"]) if applies else None,
        metadata=user_metadata(obj),
    )


def promotion_code(obj: Json) -> PromotionCode:
    restrictions = obj.get("restrictions") or {}
    promotion = obj.get("promotion") or {}
    return PromotionCode(
        code=obj["code"],
        coupon=_id(promotion.get("coupon") or obj.get("coupon")) or "",
        active=bool(obj.get("active", True)),
        max_redemptions=obj.get("max_redemptions"),
        expires_at=obj.get("expires_at"),
        first_time_transaction=restrictions.get("first_time_transaction"),
        minimum_amount=_decimal(restrictions.get("minimum_amount")),
        minimum_amount_currency=restrictions.get("minimum_amount_currency"),
        metadata=user_metadata(obj),
    )


def feature(obj: Json) -> Feature:
    return Feature(
        lookup_key=obj["lookup_key"],
        name=obj.get("name") or "",
        active=bool(obj.get("active", True)),
        metadata=user_metadata(obj),
    )


def meter(obj: Json) -> Meter:
    return Meter(
        event_name=obj["event_name"],
        display_name=obj.get("display_name") or "",
        aggregation=(obj.get("default_aggregation") or {}).get("formula", "sum"),
        customer_payload_key=(obj.get("customer_mapping") or {}).get("event_payload_key"),
        value_payload_key=(obj.get("value_settings") or {}).get("event_payload_key"),
        active=obj.get("status", "active") == "active",
    )


def amount(obj: Mapping[str, Any], name: str) -> Decimal | None:
    """``name``'s amount in minor units, from ``name_decimal`` when Stripe sends it."""
    return _decimal(obj.get(f"{name}_decimal")) or _decimal(obj.get(name))


def _decimal(value: Any) -> Decimal | None:
    # str() first: Stripe sends percent_off as a JSON number; never via float math.
    return None if value is None else Decimal(str(value))


def _id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value


def _recurring(obj: Json | None, meter_names: Mapping[str, str]) -> Recurring | None:
    if not obj:
        return None
    meter_id = obj.get("meter")
    return Recurring(
        interval=obj["interval"],
        interval_count=int(obj.get("interval_count") or 1),
        usage_type=obj.get("usage_type") or "licensed",
        meter=meter_names.get(meter_id, meter_id) if meter_id else None,
    )


def _transform(obj: Json | None) -> TransformQuantity | None:
    if not obj:
        return None
    return TransformQuantity(divide_by=int(obj["divide_by"]), round=obj["round"])


def _custom(obj: Json | None) -> CustomUnitAmount | None:
    if not obj:
        return None
    return CustomUnitAmount(
        minimum=_decimal(obj.get("minimum")),
        maximum=_decimal(obj.get("maximum")),
        preset=_decimal(obj.get("preset")),
    )


def _tiers(tiers: list[Json] | None) -> tuple[Tier, ...] | None:
    if not tiers:
        return None
    return tuple(
        Tier(t.get("up_to"), amount(t, "unit_amount"), amount(t, "flat_amount")) for t in tiers
    )


def _currency_options(options: Mapping[str, Json] | None) -> dict[str, CurrencyOption] | None:
    if not options:
        return None
    return {
        currency: CurrencyOption(
            unit_amount=amount(o, "unit_amount"),
            tiers=_tiers(o.get("tiers")),
            tax_behavior=o.get("tax_behavior"),
        )
        for currency, o in options.items()
    }
