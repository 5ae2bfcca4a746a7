"""From the model's field values to Stripe request parameters (pure functions).

Amounts in the model are `Decimal` minor units: a whole amount goes out as
``unit_amount`` (an int), a finer one as ``unit_amount_decimal`` (a string,
never a float); tiers end with ``up_to: "inf"``. Metadata carries the
ownership markers (`catalogsync.model`): ``catalogsync_managed``,
``catalogsync_key`` and ``catalogsync_owned`` (the user keys catalogsync set,
comma-separated); a key that left the YAML is unset with ``""``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from catalogsync.changes import KEPT_METADATA, OWNERSHIP_FIELD, FieldChange
from catalogsync.model import IDENTITY_KEY, MANAGED_KEY, OWNED_KEYS_KEY
from catalogsync.values import Value

Params = dict[str, Any]

# Product fields Stripe clears with "" (a declared field cannot become None,
# but an update may still carry one when a field is dropped from YAML).
_PRODUCT_FIELDS = (
    "name",
    "description",
    "tax_code",
    "statement_descriptor",
    "unit_label",
    "url",
    "active",
)


def decimal_text(amount: Decimal) -> str:
    """A Decimal as plain digits (no exponent), trailing zeros dropped."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def whole(amount: Value, name: str) -> int:
    """An amount that must be whole minor units (coupon ``amount_off``, minimums)."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"{name}: not an amount: {amount!r}")
    if amount != int(amount):
        raise ValueError(f"{name} must be a whole number of minor units, got {amount}")
    return int(amount)


def amount(params: Params, name: str, value: Value) -> None:
    """Set ``name`` (int) or ``name_decimal`` (string) from a minor-unit amount."""
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise TypeError(f"{name}: not an amount: {value!r}")
    if value == int(value):
        params[name] = int(value)
    else:
        params[f"{name}_decimal"] = decimal_text(Decimal(value))


def tiers(values: Value) -> list[Params]:
    """Tiers for Stripe: the last one (``up_to`` undeclared in the model) is ``"inf"``."""
    assert isinstance(values, tuple)
    out = []
    for tier in values:
        assert isinstance(tier, Mapping)
        up_to = tier.get("up_to")
        params: Params = {"up_to": "inf" if up_to is None else up_to}
        for name in ("unit_amount", "flat_amount"):
            if tier.get(name) is not None:
                amount(params, name, tier[name])
        out.append(params)
    return out


def custom_unit_amount(value: Value) -> Params:
    """``custom_unit_amount``: enabled, with its bounds in whole minor units."""
    assert isinstance(value, Mapping)
    params: Params = {"enabled": True}
    for name in ("minimum", "maximum", "preset"):
        if value.get(name) is not None:
            params[name] = whole(value[name], f"custom_unit_amount.{name}")
    return params


def price_option(option: Value) -> Params:
    """One ``currency_options[cur]`` entry of a price."""
    assert isinstance(option, Mapping)
    params: Params = {}
    if option.get("unit_amount") is not None:
        amount(params, "unit_amount", option["unit_amount"])
    if option.get("tiers") is not None:
        params["tiers"] = tiers(option["tiers"])
    if option.get("tax_behavior") is not None:
        params["tax_behavior"] = option["tax_behavior"]
    return params


def metadata(
    key: str, values: Mapping[str, Value], owned: Iterable[str], *, unset: Iterable[str] = ()
) -> Params:
    """User metadata plus the ownership markers; ``unset`` keys are sent as ``""``."""
    out: Params = dict.fromkeys(unset, "")
    out.update({k: str(v) for k, v in values.items()})
    out[MANAGED_KEY] = "true"
    out[IDENTITY_KEY] = key
    out[OWNED_KEYS_KEY] = ",".join(sorted(owned))
    return out


def create_metadata(key: str, fields: Mapping[str, Value]) -> Params:
    """A new object's metadata: the declared keys, owned, and the kept ones, not owned.

    Kept keys (`KEPT_METADATA`) are those other tools wrote on the object it replaces.
    """
    user = fields.get("metadata") or {}
    kept = fields.get(KEPT_METADATA) or {}
    assert isinstance(user, Mapping)
    assert isinstance(kept, Mapping)
    return metadata(key, {**kept, **user}, user)


def product_create(key: str, fields: Mapping[str, Value]) -> Params:
    """POST /v1/products: the product id is the catalog key."""
    params: Params = {"id": key}
    params.update({k: fields[k] for k in _PRODUCT_FIELDS if k in fields})
    params["metadata"] = create_metadata(key, fields)
    return params


def price_create(key: str, fields: Mapping[str, Value], meter_id: str | None) -> Params:
    """POST /v1/prices, taking the lookup key over from any price that holds it."""
    params: Params = {
        "product": fields["product"],
        "currency": fields["currency"],
        "lookup_key": key,
        "transfer_lookup_key": True,
    }
    if fields.get("unit_amount") is not None:
        amount(params, "unit_amount", fields["unit_amount"])
    for name in ("billing_scheme", "tiers_mode", "nickname", "tax_behavior", "active"):
        if name in fields:
            params[name] = fields[name]
    if fields.get("tiers") is not None:
        params["tiers"] = tiers(fields["tiers"])
    if fields.get("transform_quantity") is not None:
        params["transform_quantity"] = fields["transform_quantity"]
    if fields.get("custom_unit_amount") is not None:
        params["custom_unit_amount"] = custom_unit_amount(fields["custom_unit_amount"])
    recurring = fields.get("recurring")
    if recurring is not None:
        assert isinstance(recurring, Mapping)
        params["recurring"] = {k: v for k, v in recurring.items() if k != "meter"}
        if recurring.get("meter") is not None:
            params["recurring"]["meter"] = meter_id
    options = fields.get("currency_options")
    if options:
        assert isinstance(options, Mapping)
        params["currency_options"] = {cur: price_option(o) for cur, o in options.items()}
    params["metadata"] = create_metadata(key, fields)
    return params


def coupon_create(key: str, fields: Mapping[str, Value]) -> Params:
    """POST /v1/coupons under the catalog's coupon id."""
    params: Params = {"id": key}
    for name in ("name", "currency", "duration", "duration_in_months"):
        if name in fields:
            params[name] = fields[name]
    for name in ("max_redemptions", "redeem_by"):
        if name in fields:
            params[name] = fields[name]
    if fields.get("percent_off") is not None:
        percent = fields["percent_off"]
        assert isinstance(percent, Decimal | int)
        params["percent_off"] = decimal_text(Decimal(percent))
    if fields.get("amount_off") is not None:
        params["amount_off"] = whole(fields["amount_off"], "amount_off")
    if fields.get("currency_options"):
        params["currency_options"] = coupon_options(fields["currency_options"])
    if fields.get("applies_to") is not None:
        products = fields["applies_to"]
        assert isinstance(products, tuple)
        params["applies_to"] = {"products": list(products)}
    params["metadata"] = create_metadata(key, fields)
    return params


def coupon_options(options: Value) -> Params:
    """A coupon's ``currency_options``: amount_off per currency, whole minor units."""
    assert isinstance(options, Mapping)
    return {cur: {"amount_off": whole(v, f"currency_options.{cur}")} for cur, v in options.items()}


def promotion_code_create(key: str, fields: Mapping[str, Value]) -> Params:
    """POST /v1/promotion_codes (``promotion[type]=coupon`` since 2025-09-30.clover)."""
    params: Params = {"code": key, "promotion": {"type": "coupon", "coupon": fields["coupon"]}}
    for name in ("active", "max_redemptions", "expires_at"):
        if name in fields:
            params[name] = fields[name]
    restrictions: Params = {}
    if fields.get("first_time_transaction") is not None:
        restrictions["first_time_transaction"] = fields["first_time_transaction"]
    if fields.get("minimum_amount") is not None:
        restrictions["minimum_amount"] = whole(fields["minimum_amount"], "minimum_amount")
    if fields.get("minimum_amount_currency") is not None:
        restrictions["minimum_amount_currency"] = fields["minimum_amount_currency"]
    if restrictions:
        params["restrictions"] = restrictions
    params["metadata"] = create_metadata(key, fields)
    return params


def feature_create(key: str, fields: Mapping[str, Value]) -> Params:
    """POST /v1/entitlements/features (``active`` is not a create parameter)."""
    return {"lookup_key": key, "name": fields["name"], "metadata": create_metadata(key, fields)}


def meter_create(key: str, fields: Mapping[str, Value]) -> Params:
    """POST /v1/billing/meters (meters carry no metadata: the event name is the identity)."""
    params: Params = {
        "event_name": key,
        "display_name": fields["display_name"],
        "default_aggregation": {"formula": fields.get("aggregation", "sum")},
    }
    if fields.get("customer_payload_key") is not None:
        params["customer_mapping"] = {
            "event_payload_key": fields["customer_payload_key"],
            "type": "by_id",
        }
    if fields.get("value_payload_key") is not None:
        params["value_settings"] = {"event_payload_key": fields["value_payload_key"]}
    return params


def update(
    key: str,
    changes: Iterable[FieldChange],
    owned: Iterable[str],
    *,
    markers: bool = False,
) -> Params:
    """POST /v1/<kind>/{id} for plain field changes and ``metadata.*`` changes.

    Whenever metadata is written the markers are written with it (``markers``
    forces them, for adoption). ``currency_options.*`` changes are the
    caller's (their shape differs between prices and coupons).
    """
    params: Params = {}
    values: dict[str, Value] = {}
    unset: list[str] = []
    record = False  # the ownership record changes: write the markers
    for change in changes:
        if change.field == OWNERSHIP_FIELD:
            record = True
        elif change.field.startswith("metadata."):
            name = change.field.removeprefix("metadata.")
            if change.after is None:
                unset.append(name)
            else:
                values[name] = change.after
        elif change.field == "currency_options" or change.field.startswith("currency_options."):
            continue
        else:
            params[change.field] = "" if change.after is None else change.after
    if values or unset or markers or record:
        params["metadata"] = metadata(key, values, owned, unset=unset)
    return params
