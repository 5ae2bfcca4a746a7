"""Promotion codes: create (`promotion[type]=coupon`, `promotion[coupon]`), read, update, list."""

from __future__ import annotations

import re

from stripe.params._promotion_code_create_params import PromotionCodeCreateParams
from stripe.params._promotion_code_list_params import PromotionCodeListParams
from stripe.params._promotion_code_retrieve_params import PromotionCodeRetrieveParams
from stripe.params._promotion_code_update_params import PromotionCodeUpdateParams

from catalogsync.emulator.common import (
    bool_filter,
    list_objects,
    merge_metadata,
    optional_int,
    respond,
    retriever,
)
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.limits import check_amount, check_future, check_positive, currency_code
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("promotion_code", "promo_", "promotion code")
_CODE = re.compile(r"^[a-zA-Z0-9-]{1,500}$")


def create(ctx: Ctx) -> Json:
    """POST /v1/promotion_codes."""
    params = ctx.params
    promotion = params.get("promotion") or {}
    if not promotion:
        raise required("promotion")
    if promotion.get("type") != "coupon":
        raise invalid("promotion[type] must be `coupon`.", param="promotion[type]")
    coupon = promotion.get("coupon")
    if not coupon:
        raise required("promotion[coupon]")
    coupon_body = ctx.load("coupon", coupon, "promotion[coupon]")
    promo_id, seq = ctx.new_id("promotion_code")
    code = params.get("code") or promo_id[len("promo_") :][:8].upper()
    if not _CODE.match(code):
        raise invalid("Promotion codes may only contain a-z, A-Z, 0-9 and `-`.", param="code")
    active = params.get("active", True)
    if active:
        _unique(ctx, code, promo_id)
    restrictions = params.get("restrictions") or {}
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
        "promotion": {"coupon": coupon, "type": "coupon"},
        "restrictions": {
            "first_time_transaction": bool(restrictions.get("first_time_transaction", False)),
            "minimum_amount": _minimum(restrictions, "restrictions"),
            "minimum_amount_currency": _minimum_currency(restrictions),
        },
        "times_redeemed": 0,
    }
    if restrictions.get("currency_options"):
        body["restrictions"]["currency_options"] = _minimums(restrictions["currency_options"])
    _within_coupon(ctx, body, coupon_body)
    save(ctx, body, seq)
    return respond(ctx, "promotion_code", body)


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


def update(ctx: Ctx) -> Json:
    """POST /v1/promotion_codes/{id}: active, metadata, restrictions.currency_options."""
    body = ctx.load("promotion_code", ctx.args["id"])
    params = ctx.params
    if "active" in params:
        if params["active"] and not body["active"]:
            _unique(ctx, body["code"], body["id"])
        body["active"] = params["active"]
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    options = (params.get("restrictions") or {}).get("currency_options")
    if options:
        body["restrictions"]["currency_options"] = _minimums(options)
    save(ctx, body)
    return respond(ctx, "promotion_code", body)


def list_codes(ctx: Ctx) -> Json:
    """GET /v1/promotion_codes (filters: active, code, coupon, customer, created)."""
    params = ctx.params
    where = bool_filter(params, "active")
    if params.get("code"):
        where.append(("key = ?", params["code"].lower()))
    if params.get("coupon"):
        where.append(("ref = ?", params["coupon"]))
    if params.get("customer"):
        where.append(("json_extract(body, '$.customer') = ?", params["customer"]))
    return list_objects(ctx, "promotion_code", where, "/v1/promotion_codes")


def save(ctx: Ctx, body: Json, seq: int | None = None) -> None:
    """Store a promotion code; `key` is the lower-cased code (uniqueness ignores case)."""
    ctx.tx.put(
        ctx.account,
        "promotion_code",
        body,
        seq=seq,
        ref=body["promotion"]["coupon"],
        key=body["code"].lower(),
        active=body["active"],
    )


def _unique(ctx: Ctx, code: str, own_id: str) -> None:
    for other in ctx.tx.find(
        ctx.account, "promotion_code", [("key = ?", code.lower()), ("active = ?", 1)]
    ):
        if other["id"] != own_id:
            raise invalid(
                f"An active promotion code with `code: {code}` already exists.", param="code"
            )


ROUTES = [
    Route("POST", "/v1/promotion_codes", create, PromotionCodeCreateParams),
    Route("GET", "/v1/promotion_codes", list_codes, PromotionCodeListParams),
    Route(
        "GET", "/v1/promotion_codes/{id}", retriever("promotion_code"), PromotionCodeRetrieveParams
    ),
    Route("POST", "/v1/promotion_codes/{id}", update, PromotionCodeUpdateParams),
]
