"""Coupons: create/retrieve/update/delete/list; custom ids; amount-off currency options."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from catalogsync.emulator.common import as_int, merge_metadata, optional_int
from catalogsync.emulator.crud import Resource, never_refused
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.limits import check_amount, check_positive, check_redeem_by, currency_code
from catalogsync.emulator.routing import Ctx, Kind
from catalogsync.emulator.store import Json

KIND = Kind("coupon", "", "coupon", includable=frozenset({"applies_to", "currency_options"}))


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    percent, amount, currency = _discount(params)
    duration, months = _duration(params)
    coupon_id, seq = _coupon_id(ctx, params.get("id"))
    products = (params.get("applies_to") or {}).get("products") or []
    for i, product in enumerate(products):
        ctx.load("product", product, f"applies_to[products][{i}]")
    body: Json = {
        "id": coupon_id,
        "object": "coupon",
        "amount_off": as_int(amount, "amount_off") if amount is not None else None,
        "applies_to": {"products": list(products)} if products else None,
        "created": ctx.now,
        "currency": currency,
        "currency_options": _currency_options(params.get("currency_options"), amount),
        "duration": duration,
        "duration_in_months": as_int(months, "duration_in_months") if months is not None else None,
        "livemode": ctx.livemode,
        "max_redemptions": optional_int(params, "max_redemptions"),
        "metadata": merge_metadata({}, params.get("metadata")),
        "name": params.get("name") or None,
        "percent_off": _percent(percent) if percent is not None else None,
        "redeem_by": optional_int(params, "redeem_by"),
        "times_redeemed": 0,
        "valid": True,
    }
    _check_limits(ctx, body)
    ctx.save("coupon", body, seq)
    return body


def _discount(params: dict[str, Any]) -> tuple[Any, Any, str | None]:
    """`percent_off` or `amount_off` (exactly one), and the currency an amount is in."""
    percent, amount = params.get("percent_off"), params.get("amount_off")
    if (percent is None) == (amount is None):
        raise invalid(
            "You must pass exactly one of `percent_off` or `amount_off`.", param="percent_off"
        )
    currency = params.get("currency") or None
    if amount is not None and currency is None:
        raise invalid("You must pass currency when passing amount_off.", param="currency")
    return percent, amount, None if currency is None else currency_code(currency, "currency")


def _duration(params: dict[str, Any]) -> tuple[str, Any]:
    """`duration` and, with `repeating` only, `duration_in_months`."""
    duration = params.get("duration") or "once"
    months = params.get("duration_in_months")
    if duration not in ("once", "repeating", "forever"):
        raise invalid(f"Invalid duration: {duration}", param="duration")
    if (duration == "repeating") != (months is not None):
        raise invalid(
            "duration_in_months is required with duration=repeating and only allowed with it.",
            param="duration_in_months",
        )
    return str(duration), months


def _check_limits(ctx: Ctx, body: Json) -> None:
    # stripe-python params/_coupon_create_params.py: amount_off, duration_in_months and
    # max_redemptions are positive integers; redeem_by "cannot be set to more than 5 years in
    # the future" (and a coupon redeemable only in the past is refused too).
    for name in ("amount_off", "duration_in_months", "max_redemptions"):
        check_positive(body[name], name)
    check_amount(body["amount_off"], "amount_off")
    if body["redeem_by"] is not None:
        check_redeem_by(body["redeem_by"], ctx.now, "redeem_by")


def _change(ctx: Ctx, body: Json) -> None:
    """Name, metadata and currency_options only (the typed params reject the rest)."""
    params = ctx.params
    if "name" in params:
        body["name"] = params["name"] or None
    if "currency_options" in params:
        if body["amount_off"] is None:
            raise invalid(
                "currency_options are only for amount_off coupons.", param="currency_options"
            )
        body["currency_options"] = {
            **(body["currency_options"] or {}),
            **(_currency_options(params["currency_options"], body["amount_off"]) or {}),
        }
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))


def _coupon_id(ctx: Ctx, custom: str | None) -> tuple[str, int]:
    if not custom:
        generated, seq = ctx.new_id("coupon")
        return generated[:8], seq
    if ctx.tx.get(ctx.account, "coupon", custom) is not None:
        raise invalid("Coupon already exists.", param="id", code="resource_already_exists")
    return custom, ctx.tx.next_seq(ctx.account)


def _currency_options(given: Any, amount: Any) -> Json | None:
    if not given:
        return None
    if amount is None:
        raise invalid("currency_options are only for amount_off coupons.", param="currency_options")
    options: Json = {}
    for code, option in given.items():
        name = f"currency_options[{code}]"
        off = as_int(option.get("amount_off"), f"{name}[amount_off]")
        check_positive(off, f"{name}[amount_off]")
        check_amount(off, f"{name}[amount_off]")
        options[currency_code(code, name)] = {"amount_off": off}
    return options


def _percent(value: Any) -> float | int:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise invalid(f"Invalid decimal: {value}", param="percent_off") from None
    if not 0 < number <= 100:
        raise invalid("percent_off must be greater than 0 and at most 100.", param="percent_off")
    return int(number) if number == number.to_integral_value() else float(number)


# A deleted coupon's id may be used again (UNCONFIRMED in FACTS).
ROUTES = Resource(KIND, "/v1/coupons", "Coupon").routes(
    _create, change=_change, delete=never_refused
)
