"""Promotion codes: create (`promotion[type]=coupon`, `promotion[coupon]`), read, update, list."""

from __future__ import annotations

import re
from typing import Any

from catalogsync.emulator.common import Where, bool_filter, merge_metadata, optional_int
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.limits import check_amount, check_future, check_positive, currency_code
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.store import Json

# Codes are unique among active ones whatever their case: `key` is the lower-cased code.
KIND = Kind(
    "promotion_code",
    "promo_",
    "promotion code",
    columns=lambda body: Columns(
        ref=body["promotion"]["coupon"], key=body["code"].lower(), active=body["active"]
    ),
)
_CODE = re.compile(r"^[a-zA-Z0-9-]{1,500}$")


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    coupon = _coupon(ctx, params.get("promotion") or {})
    promo_id, seq = ctx.new_id("promotion_code")
    code = params.get("code") or promo_id[len("promo_") :][:8].upper()
    if not _CODE.match(code):
        raise invalid("Promotion codes may only contain a-z, A-Z, 0-9 and `-`.", param="code")
    active = params.get("active", True)
    if active:
        _unique(ctx, code, promo_id)
    body: Json = {
        "id": promo_id,
        "object": "promotion_code",
        "active": active,
        "code": code,
        "created": ctx.now,
        "customer": params.get("customer") or None,
        "customer_account": None,
        "expires_at": optional_int(params, "expires_at"),
        "livemode": ctx.livemode,
        "max_redemptions": optional_int(params, "max_redemptions"),
        "metadata": merge_metadata({}, params.get("metadata")),
        "promotion": {"coupon": coupon["id"], "type": "coupon"},
        "restrictions": _restrictions(params.get("restrictions") or {}),
        "times_redeemed": 0,
    }
    _within_coupon(ctx, body, coupon)
    ctx.save("promotion_code", body, seq)
    return body


def _coupon(ctx: Ctx, promotion: Json) -> Json:
    """The coupon `promotion` names (`promotion[type]=coupon`, `promotion[coupon]`)."""
    if not promotion:
        raise required("promotion")
    if promotion.get("type") != "coupon":
        raise invalid("promotion[type] must be `coupon`.", param="promotion[type]")
    coupon = promotion.get("coupon")
    if not coupon:
        raise required("promotion[coupon]")
    return ctx.load("coupon", coupon, "promotion[coupon]")


def _restrictions(given: Json) -> Json:
    restrictions: Json = {
        "first_time_transaction": bool(given.get("first_time_transaction", False)),
        "minimum_amount": _minimum(given, "restrictions"),
        "minimum_amount_currency": _minimum_currency(given),
    }
    if given.get("currency_options"):
        restrictions["currency_options"] = _minimums(given["currency_options"])
    return restrictions


def _minimum(given: Json, prefix: str) -> int | None:
    minimum = optional_int(given, "minimum_amount")
    check_amount(minimum, f"{prefix}[minimum_amount]")
    return minimum


def _minimum_currency(restrictions: Json) -> str | None:
    code = restrictions.get("minimum_amount_currency")
    return None if not code else currency_code(code, "restrictions[minimum_amount_currency]")


def _minimums(options: Json) -> Json:
    # params/_promotion_code_create_params.py, restrictions.currency_options: "Each key must
    # be a three-letter ISO currency code and a supported currency".
    prefix = "restrictions[currency_options]"
    return {
        currency_code(code, f"{prefix}[{code}]"): {
            "minimum_amount": _minimum(option, f"{prefix}[{code}]")
        }
        for code, option in options.items()
    }


def _within_coupon(ctx: Ctx, body: Json, coupon: Json) -> None:
    # stripe-python params/_promotion_code_create_params.py: expires_at "cannot be after the
    # coupon's redeems_by"; max_redemptions, a positive integer, "cannot be greater than the
    # coupon's max_redemptions".
    expires_at, most = body["expires_at"], body["max_redemptions"]
    check_positive(most, "max_redemptions")
    cap = coupon["max_redemptions"]
    if cap is not None and most is not None and most > cap:
        raise invalid(
            "The promotion code's max_redemptions cannot be greater than its coupon's "
            f"max_redemptions ({cap}).",
            param="max_redemptions",
        )
    if expires_at is None:
        return
    check_future(expires_at, ctx.now, "expires_at")
    if coupon["redeem_by"] is not None and expires_at > coupon["redeem_by"]:
        raise invalid(
            "The promotion code's expires_at cannot be after its coupon's redeem_by "
            f"({coupon['redeem_by']}).",
            param="expires_at",
        )


def _change(ctx: Ctx, body: Json) -> None:
    """Active, metadata and restrictions.currency_options."""
    params = ctx.params
    if "active" in params:
        if params["active"] and not body["active"]:
            _unique(ctx, body["code"], body["id"])
        body["active"] = params["active"]
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    options = (params.get("restrictions") or {}).get("currency_options")
    if options:
        body["restrictions"]["currency_options"] = _minimums(options)


def _filters(params: dict[str, Any]) -> Where:
    """Filters: active, code, coupon, customer (and `created`, as every list)."""
    where = bool_filter(params, "active")
    if params.get("code"):
        where.append(("key = ?", params["code"].lower()))
    if params.get("coupon"):
        where.append(("ref = ?", params["coupon"]))
    if params.get("customer"):
        where.append(("json_extract(body, '$.customer') = ?", params["customer"]))
    return where


def _unique(ctx: Ctx, code: str, own_id: str) -> None:
    for other in ctx.tx.find(
        ctx.account, "promotion_code", [("key = ?", code.lower()), ("active = ?", 1)]
    ):
        if other["id"] != own_id:
            raise invalid(
                f"An active promotion code with `code: {code}` already exists.", param="code"
            )


ROUTES = Resource(KIND, "/v1/promotion_codes", "PromotionCode").routes(
    _create, filters=_filters, change=_change
)
