"""Prices: create/retrieve/update/list; lookup keys, tiers, currency options, archiving rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogsync.emulator.common import Where, as_int, bool_filter, merge_metadata
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.limits import check_amount, check_interval_count, currency_code
from catalogsync.emulator.resources.new_product import create_product
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.store import Json
from catalogsync.stripe_limits import MAX_INTERVAL

KIND = Kind(
    "price",
    "price_",
    "price",
    columns=lambda body: Columns(
        ref=body["product"], key=body["lookup_key"], active=body["active"]
    ),
    includable=frozenset({"currency_options", "tiers"}),
)
_TAX = ("exclusive", "inclusive", "unspecified")


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    """A price for `product`, or for a product made from `product_data`."""
    product = params.get("product")
    if product:
        ctx.load("product", product, "product")
    elif params.get("product_data"):
        product = create_product(ctx, {**params["product_data"], "active": True})["id"]
    else:
        raise invalid(
            "You must specify either `product` or `product_data` when creating a price.",
            param="product",
        )
    return create_price(ctx, params, product)


def create_price(ctx: Ctx, params: dict[str, Any], product: str) -> Json:
    """Validate and store a price for `product` (also used by `default_price_data`)."""
    currency = currency_code(params.get("currency"), "currency")
    scheme = _billing_scheme(params)
    price_id, seq = ctx.new_id("price")
    amounts = _amounts(params, scheme, "")
    recurring = _recurring(ctx, params.get("recurring"))
    tax_behavior = _tax_behavior(params.get("tax_behavior") or "unspecified")
    tiers = _price_tiers(params, scheme)
    own = {**_option_amounts(amounts), "tax_behavior": tax_behavior, "tiers": tiers}
    given = params.get("currency_options") or {}
    body: Json = {
        "id": price_id,
        "object": "price",
        "active": params.get("active", True),
        "billing_scheme": scheme,
        "created": ctx.now,
        "currency": currency,
        "currency_options": {currency: own, **_currency_options(given, scheme, tax_behavior)},
        "custom_unit_amount": amounts["custom_unit_amount"],
        "livemode": ctx.livemode,
        "lookup_key": None,
        "metadata": merge_metadata({}, params.get("metadata")),
        "nickname": params.get("nickname") or None,
        "product": product,
        "recurring": recurring,
        "tax_behavior": tax_behavior,
        "tiers": tiers,
        "tiers_mode": _tiers_mode(params.get("tiers_mode"), scheme),
        "transform_quantity": _transform_quantity(params.get("transform_quantity")),
        "type": "recurring" if recurring else "one_time",
        "unit_amount": amounts["unit_amount"],
        "unit_amount_decimal": amounts["unit_amount_decimal"],
    }
    _claim_lookup_key(ctx, body, params.get("lookup_key"), params.get("transfer_lookup_key"))
    ctx.save("price", body, seq)
    return body


def _billing_scheme(params: dict[str, Any]) -> str:
    scheme = params.get("billing_scheme") or "per_unit"
    if scheme not in ("per_unit", "tiered"):
        raise invalid(f"Invalid billing_scheme: {scheme}", param="billing_scheme")
    _tiers_need_tiered_scheme(params, scheme, "")
    return str(scheme)


def _price_tiers(params: dict[str, Any], scheme: str) -> list[Json] | None:
    """A tiered price's tiers (a price with tiers cannot also transform its quantity)."""
    if scheme != "tiered":
        return None
    tiers = _tiers(params.get("tiers"), "tiers")
    if params.get("transform_quantity"):
        raise invalid(
            "You cannot combine `transform_quantity` with tiers.", param="transform_quantity"
        )
    return tiers


def _change(ctx: Ctx, body: Json) -> None:
    """Only the mutable fields reach here (the typed params reject others)."""
    params = ctx.params
    if "active" in params:
        if not params["active"] and body["active"]:
            product = ctx.tx.get(ctx.account, "product", body["product"])
            if product is not None and product.get("default_price") == body["id"]:
                raise invalid(
                    "This price cannot be archived because it is the default price of its "
                    "product. Set a different default price on the product first.",
                    param="active",
                )
        body["active"] = params["active"]
    if "nickname" in params:
        body["nickname"] = params["nickname"] or None
    if "tax_behavior" in params:
        _change_tax_behavior(body, params["tax_behavior"])
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    if "currency_options" in params:
        _update_currency_options(body, params["currency_options"])
    if "lookup_key" in params:
        _claim_lookup_key(ctx, body, params["lookup_key"], params.get("transfer_lookup_key"))


def _filters(params: dict[str, Any]) -> Where:
    """Active prices only unless `active` or `lookup_keys` says otherwise."""
    where = bool_filter(params, "active")
    keys = params.get("lookup_keys")
    if keys:
        if len(keys) > 10:
            raise invalid("You may only specify up to 10 lookup keys.", param="lookup_keys")
        where.append((f"key IN ({','.join('?' * len(keys))})", tuple(keys)))
    elif "active" not in params:
        where.append(("active = ?", 1))
    if params.get("product"):
        where.append(("ref = ?", params["product"]))
    for name in ("currency", "type"):
        if params.get(name):
            where.append((f"json_extract(body, '$.{name}') = ?", params[name]))
    for name, value in (params.get("recurring") or {}).items():
        where.append((f"json_extract(body, '$.recurring.{name}') = ?", value))
    return where


def _claim_lookup_key(ctx: Ctx, body: Json, key: Any, transfer: Any) -> None:
    if not key:
        body["lookup_key"] = None
        return
    if len(key) > 200:
        raise invalid("lookup_key must be at most 200 characters.", param="lookup_key")
    for other in ctx.tx.find(ctx.account, "price", [("key = ?", key)]):
        if other["id"] == body["id"]:
            continue
        if not transfer:
            raise invalid(
                f"A price (`{other['id']}`) already uses that lookup key.", param="lookup_key"
            )
        other["lookup_key"] = None
        ctx.save("price", other)
    body["lookup_key"] = key


def _tax_behavior(value: str) -> str:
    if value not in _TAX:
        raise invalid(f"Invalid tax_behavior: {value}", param="tax_behavior")
    return value


def _change_tax_behavior(body: Json, value: str) -> None:
    _tax_behavior(value)
    if body["tax_behavior"] != "unspecified" and value != body["tax_behavior"]:
        raise invalid(
            "The tax_behavior of a price cannot be changed once it is `inclusive` or `exclusive`.",
            param="tax_behavior",
        )
    body["tax_behavior"] = value
    body["currency_options"][body["currency"]]["tax_behavior"] = value


def _update_currency_options(body: Json, given: Any) -> None:
    # Stripe's update parameters take an amount for any currency, one the price
    # already has included, so an existing option's amount changes in place and
    # the other options are kept (merge); `currency_options=""` clears them all.
    # Source: https://docs.stripe.com/api/prices/update#update_price-currency_options
    options = body["currency_options"]
    if given == "":
        body["currency_options"] = {body["currency"]: options[body["currency"]]}
        return
    for given_code, option in given.items():
        name = f"currency_options[{given_code}]"
        code = currency_code(given_code, name)
        if code == body["currency"]:
            raise invalid("The price's own currency cannot be set in currency_options.", param=name)
        options[code] = _currency_option(option, body["billing_scheme"], body["tax_behavior"], name)


def _currency_options(given: Json, scheme: str, tax_behavior: str) -> Json:
    """A new price's `currency_options` beside its own currency, by lower-cased code."""
    options: Json = {}
    for given_code, option in given.items():
        name = f"currency_options[{given_code}]"
        # Amounts before the code: a request wrong in both is refused for its amounts.
        priced = _currency_option(option, scheme, tax_behavior, name)
        options[currency_code(given_code, name)] = priced
    return options


def _currency_option(option: Json, scheme: str, tax_behavior: str, name: str) -> Json:
    """One `currency_options[code]` entry, priced like the price itself (`scheme`)."""
    _tiers_need_tiered_scheme(option, scheme, name)
    return {
        **_option_amounts(_amounts(option, scheme, name)),
        "tax_behavior": option.get("tax_behavior") or tax_behavior,
        "tiers": _tiers(option.get("tiers"), f"{name}[tiers]") if scheme == "tiered" else None,
    }


def _amounts(params: dict[str, Any], scheme: str, prefix: str) -> Json:
    def name(field: str) -> str:
        return f"{prefix}[{field}]" if prefix else field

    amount, decimal = params.get("unit_amount"), params.get("unit_amount_decimal")
    custom = params.get("custom_unit_amount")
    if scheme == "tiered":
        if amount is not None or decimal is not None:
            raise invalid("Tiered prices cannot have a unit_amount.", param=name("unit_amount"))
        return {"unit_amount": None, "unit_amount_decimal": None, "custom_unit_amount": None}
    if amount is not None and decimal is not None:
        raise invalid(
            "You may only specify one of these parameters: unit_amount, unit_amount_decimal.",
            param=name("unit_amount_decimal"),
        )
    for bound in ("maximum", "minimum", "preset"):
        check_amount((custom or {}).get(bound), f"{name('custom_unit_amount')}[{bound}]")
    if amount is None and decimal is None and not custom:
        raise required(name("unit_amount"))
    if amount is not None and int(amount) < 0:
        raise invalid("This value must be greater than or equal to 0.", param=name("unit_amount"))
    text = _decimal_text(decimal, name("unit_amount_decimal")) if decimal is not None else None
    if amount is not None:
        text = str(int(amount))
    check_amount(text, name("unit_amount" if amount is not None else "unit_amount_decimal"))
    whole = text is not None and Decimal(text) == Decimal(text).to_integral_value()
    return {
        "unit_amount": int(Decimal(text)) if text is not None and whole else None,
        "unit_amount_decimal": text,
        "custom_unit_amount": _custom_unit_amount(custom),
    }


def _custom_unit_amount(custom: Json | None) -> Json | None:
    if not custom:
        return None
    bounds = ("maximum", "minimum", "preset")
    return {k: (int(custom[k]) if custom.get(k) not in (None, "") else None) for k in bounds}


def _tiers_mode(mode: Any, scheme: str) -> str | None:
    if scheme != "tiered":
        return None
    if mode not in ("graduated", "volume"):
        raise required("tiers_mode")
    return str(mode)


def _transform_quantity(transform: Json | None) -> Json | None:
    if not transform:
        return None
    divide_by = as_int(transform["divide_by"], "transform_quantity[divide_by]")
    return {"divide_by": divide_by, "round": transform["round"]}


def _option_amounts(amounts: Json) -> Json:
    return {k: amounts[k] for k in ("custom_unit_amount", "unit_amount", "unit_amount_decimal")}


def _decimal_text(value: Any, param: str) -> str:
    number = Decimal(str(value))
    if number < 0:
        raise invalid("This value must be greater than or equal to 0.", param=param)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -12:
        raise invalid("Invalid decimal: at most 12 decimal places are allowed.", param=param)
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _tiers(given: Any, param: str) -> list[Json]:
    if not given:
        raise required(param)
    tiers: list[Json] = []
    previous = 0
    for i, tier in enumerate(given):
        up_to = tier["up_to"]  # required by the typed params
        name = f"{param}[{i}]"
        bound = None if up_to == "inf" else as_int(up_to, f"{name}[up_to]")
        last = i == len(given) - 1
        if (bound is None) != last or (bound is not None and bound <= previous):
            raise invalid(
                "Tiers must be in ascending order of up_to, and the last tier must have up_to=inf.",
                param=f"{name}[up_to]",
            )
        previous = bound or previous
        tiers.append({**_tier_amounts(tier, name), "up_to": bound})
    return tiers


def _tier_amounts(tier: Json, name: str) -> Json:
    out: Json = {}
    for field in ("flat_amount", "unit_amount"):
        whole, decimal = tier.get(field), tier.get(f"{field}_decimal")
        if whole is not None and decimal is not None:
            raise invalid(
                f"You may only specify one of these parameters: {field}, {field}_decimal.",
                param=f"{name}[{field}]",
            )
        text = (
            str(int(whole))
            if whole is not None
            else (
                _decimal_text(decimal, f"{name}[{field}_decimal]") if decimal is not None else None
            )
        )
        check_amount(text, f"{name}[{field}]")
        integral = text is not None and Decimal(text) == Decimal(text).to_integral_value()
        out[field] = int(Decimal(text)) if text is not None and integral else None
        out[f"{field}_decimal"] = text
    if out["flat_amount_decimal"] is None and out["unit_amount_decimal"] is None:
        # docs.stripe.com/api/prices/create (tiers): a tier is priced by its unit and/or flat
        # amount; Stripe refuses one with neither (0 is how a free tier is written).
        raise invalid(
            "Each tier needs one of unit_amount, unit_amount_decimal, flat_amount or "
            "flat_amount_decimal.",
            param=name,
        )
    return out


def _recurring(ctx: Ctx, given: Any) -> Json | None:
    if not given:
        return None
    interval = given.get("interval")
    if interval not in MAX_INTERVAL:
        raise invalid(
            f"Invalid recurring[interval]: must be one of {', '.join(MAX_INTERVAL)}",
            param="recurring[interval]",
        )
    count = as_int(given.get("interval_count", 1), "recurring[interval_count]")
    check_interval_count(interval, count, "recurring[interval_count]")
    usage = given.get("usage_type") or "licensed"
    meter = given.get("meter")
    if usage == "metered" and not meter:
        raise invalid(
            "Metered prices must be backed by a meter: set recurring[meter].",
            param="recurring[meter]",
        )
    if meter:
        ctx.load("billing.meter", meter, "recurring[meter]")
    return {
        "interval": interval,
        "interval_count": count,
        "meter": meter or None,
        "trial_period_days": given.get("trial_period_days"),
        "usage_type": usage,
    }


def _tiers_need_tiered_scheme(params: Json, scheme: str, prefix: str) -> None:
    # stripe-python params/_price_create_params.py, tiers: "This parameter requires
    # `billing_scheme` to be set to `tiered`."
    if scheme != "tiered" and params.get("tiers"):
        name = f"{prefix}[tiers]" if prefix else "tiers"
        raise invalid("You may only specify tiers when billing_scheme is `tiered`.", param=name)


ROUTES = Resource(KIND, "/v1/prices", "Price").routes(_create, filters=_filters, change=_change)
