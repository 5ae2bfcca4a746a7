"""Where each kind lives in Stripe's API: the collection its objects are listed and created in.

An object is at ``<collection>/<id>``; a kind added to `catalogsync.kinds.Kind`
without a path here fails type checking (``assert_never``).
"""

from __future__ import annotations

from typing import assert_never

from catalogsync.kinds import Kind


def collection_path(kind: Kind) -> str:
    """``/v1/products``: the API collection holding ``kind``'s objects."""
    match kind:
        case "product":
            return "/v1/products"
        case "price":
            return "/v1/prices"
        case "coupon":
            return "/v1/coupons"
        case "promotion_code":
            return "/v1/promotion_codes"
        case "feature":
            return "/v1/entitlements/features"
        case "meter":
            return "/v1/billing/meters"
        case "deal":  # a deal is a subscription schedule
            return "/v1/subscription_schedules"
        case "migration":  # a migration moves subscriptions
            return "/v1/subscriptions"
        case _:
            assert_never(kind)
