"""Stripe objects (dicts) to the model the loader produces, wrapped in `Remote`.

Amounts come from the ``*_decimal`` fields when present (exact, and finer
than the minor unit for usage prices). catalogsync's own metadata keys are
parsed into ``Remote.managed`` / ``owned_metadata`` and removed from the
resource's metadata. References by Stripe id are turned into catalog
identities: a price's meter id into its event name, a product's default
price id into that price's lookup key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


# What a Deal expresses of a schedule; every other field must hold Stripe's default.
_SCHEDULE_MODELLED = frozenset({"id", "object", "customer", "status", "phases", "metadata"})
_SCHEDULE_MODELLED |= {"created", "livemode", "current_phase", "subscription", "end_behavior"}
_SCHEDULE_MODELLED |= {"released_at", "canceled_at", "completed_at", "released_subscription"}
_SCHEDULE_MODELLED |= {"application", "test_clock"}
_PHASE_MODELLED = frozenset({"start_date", "end_date", "items", "discounts", "trial_end"})
_PHASE_MODELLED |= {"currency", "proration_behavior"}
_SETTINGS_MODELLED = frozenset({"collection_method"})  # and invoice_settings.days_until_due
_ITEM_MODELLED = frozenset({"id", "object", "price", "plan", "quantity"})
_DEFAULTS: Mapping[str, object] = {
    "billing_cycle_anchor": "automatic",
    "collection_method": "charge_automatically",
    "proration_behavior": "create_prorations",
    "type": "classic",  # billing_mode
}


def unmodelled_schedule_fields(obj: Json) -> tuple[str, ...]:
    """The settings of a subscription schedule a Deal cannot express (``phases[1].metadata``).

    A Deal holds a schedule's customer, end behavior, invoicing terms
    (collection method, days until due), and per phase its dates, item prices
    and quantities, coupons, proration behavior and a whole-phase trial. Anything
    else that differs from Stripe's default (invoicing terms, phase metadata,
    item discounts, invoice items, a trial ending inside a phase, a promotion
    code as a discount...) would be lost or billed differently by a deal that
    leaves it out: see https://docs.stripe.com/api/subscription_schedules/object.
    """
    settings = dict(obj.get("default_settings") or {})
    invoice = dict(settings.pop("invoice_settings", None) or {})
    found = [f"default_settings.{k}" for k in _set(settings, _SETTINGS_MODELLED)]
    found += [f"default_settings.invoice_settings.{k}" for k in _set(invoice, {"days_until_due"})]
    found += [k for k in _set(obj, _SCHEDULE_MODELLED) if k != "default_settings"]
    if obj.get("end_behavior") not in ("release", "cancel"):
        found.append("end_behavior")
    for n, phase in enumerate(obj.get("phases") or [], start=1):
        found += [f"phases[{n}].{k}" for k in _set(phase, _PHASE_MODELLED)]
        if phase.get("trial_end") is not None and phase["trial_end"] < phase["end_date"]:
            found.append(f"phases[{n}].trial_end")  # a trial ending inside the phase
        for d in phase.get("discounts") or []:
            if not d.get("coupon") or d.get("promotion_code") or d.get("discount"):
                found.append(f"phases[{n}].discounts")
        for i, item in enumerate(phase.get("items") or [], start=1):
            found += [f"phases[{n}].items[{i}].{k}" for k in _set(item, _ITEM_MODELLED)]
    return tuple(dict.fromkeys(found))


def _set(obj: Json, modelled: Iterable[str]) -> list[str]:
    """The keys of ``obj`` outside ``modelled`` whose value is not Stripe's default."""
    return sorted(k for k, v in obj.items() if k not in modelled and not _default(k, v))


def _default(key: str, value: object) -> bool:
    if isinstance(value, dict):
        return all(_default(k, v) for k, v in value.items())
    return value in (None, False, "", [], {}) or _DEFAULTS.get(key) == value


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
    """``name``'s amount in minor units, from ``name_decimal`` whenever Stripe sends it.

    The decimal field is the exact amount, zero included (a free tier's "0"
    is an amount, not a missing one); the integer field is only its rounding.
    """
    exact = obj.get(f"{name}_decimal")
    return _decimal(exact if exact is not None else obj.get(name))


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
