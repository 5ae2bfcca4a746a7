"""Discounts: a coupon or promotion code redeemed on a subscription.

A subscription's `discounts` are Discount ids (`di_…`, expandable); the create and update
params take `[{coupon | promotion_code | discount}]`, where `discount` reuses "an existing
discount on the object (or one of its ancestors)" (stripe-python
`params/_subscription_update_params.py`, `SubscriptionUpdateParamsDiscount`). On update
"a populated array overwrites the existing discounts on the subscription. If not specified
or empty array, it leaves the subscription's discounts unchanged. If empty string, it clears
the subscription's discounts" (same file, `discounts`). The object's shape follows
https://docs.stripe.com/api/discounts/object (`source.coupon` since 2025-09-30.clover).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogsync.emulator.billing import new_billing_id
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json
from catalogsync.periods import add_interval

KIND = Kind("discount", "di_", "discount")
ROUTES: list[Route] = []


def updated(ctx: Ctx, current: list[str], given: Any, subscription: Json, param: str) -> list[str]:
    """The subscription's discount ids after an update's `discounts` (see the module doc)."""
    if given is None or given == []:
        return current
    if given == "":
        return []
    return redeem(ctx, given, subscription, param)


def redeem(ctx: Ctx, given: list[Json], subscription: Json, param: str) -> list[str]:
    """Discount ids for `[{coupon | promotion_code | discount}]` on ``subscription``."""
    ids = []
    for n, spec in enumerate(given):
        name = f"{param}[{n}]"
        chosen = [k for k in ("coupon", "promotion_code", "discount") if spec.get(k)]
        if len(chosen) != 1:
            raise invalid(
                "Each discount needs exactly one of coupon, promotion_code or discount.",
                param=name,
            )
        if chosen[0] == "discount":
            ids.append(_reused(ctx, spec["discount"], subscription, f"{name}[discount]"))
        else:
            ids.append(_new(ctx, spec, subscription, name)["id"])
    if len(set(ids)) != len(ids):
        raise invalid("The same discount cannot be applied twice.", param=param)
    return ids


def _reused(ctx: Ctx, discount_id: str, subscription: Json, param: str) -> str:
    found = ctx.load("discount", discount_id, param)
    if (
        found["subscription"] not in (None, subscription["id"])
        or found["customer"] != (subscription["customer"])
    ):
        raise invalid(
            f"The discount {discount_id} does not belong to this subscription or its customer.",
            param=param,
        )
    return str(found["id"])


def _new(ctx: Ctx, spec: Json, subscription: Json, name: str) -> Json:
    promotion_code = None
    if spec.get("promotion_code"):
        code = ctx.load("promotion_code", spec["promotion_code"], f"{name}[promotion_code]")
        if not code["active"]:
            raise invalid(
                f"This promotion code is inactive: {code['id']}", param=f"{name}[promotion_code]"
            )
        promotion_code = code["id"]
        coupon_id = code["promotion"]["coupon"]
    else:
        coupon_id = spec["coupon"]
    coupon = ctx.load("coupon", coupon_id, f"{name}[coupon]")
    if coupon["redeem_by"] is not None and coupon["redeem_by"] <= ctx.now:
        # A coupon is redeemable until its `redeem_by` (https://docs.stripe.com/api/coupons/object).
        raise invalid(f"Coupon expired: {coupon_id}", param=f"{name}[coupon]")
    discount_id, seq = new_billing_id(ctx, "discount")
    end = None
    if coupon["duration"] == "repeating":
        day = datetime.fromtimestamp(ctx.now, UTC).day
        end = add_interval(ctx.now, "month", int(coupon["duration_in_months"]), day)
    body = {
        "id": discount_id,
        "object": "discount",
        "checkout_session": None,
        "customer": subscription["customer"],
        "customer_account": None,
        "end": end,
        "invoice": None,
        "invoice_item": None,
        "promotion_code": promotion_code,
        "source": {"coupon": coupon_id, "type": "coupon"},
        "start": ctx.now,
        "subscription": subscription["id"],
        "subscription_item": None,
    }
    ctx.tx.put(ctx.account, "discount", body, seq=seq, ref=subscription["customer"])
    return body
