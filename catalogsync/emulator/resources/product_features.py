"""Product features (`/v1/products/{id}/features`): attach, list, retrieve and detach features."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import need
from catalogsync.emulator.crud import Resource, never_refused
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Ctx, Kind
from catalogsync.emulator.store import Json


def _derive(ctx: Ctx, body: Json) -> Json:
    # The embedded feature is the feature as it is now (renames show through).
    feature = ctx.tx.get(ctx.account, "entitlements.feature", body["entitlement_feature"])
    return {**body, "entitlement_feature": feature}


KIND = Kind("product_feature", "prodft_", "product feature", derive=_derive)


def _attach(ctx: Ctx, params: dict[str, Any]) -> Json:
    product = ctx.load("product", ctx.args["product"], "product")
    feature_id = need(params, "entitlement_feature")
    ctx.load("entitlements.feature", feature_id, "entitlement_feature")
    for attached in ctx.tx.find(ctx.account, "product_feature", [("ref = ?", product["id"])]):
        if attached["entitlement_feature"] == feature_id:
            raise invalid(
                f"The feature `{feature_id}` is already attached to this product.",
                param="entitlement_feature",
            )
    attachment_id, seq = ctx.new_id("product_feature")
    body: Json = {
        "id": attachment_id,
        "object": "product_feature",
        "entitlement_feature": feature_id,
        "livemode": ctx.livemode,
    }
    # The product is only in the URL, not in the body: the row's `ref` keeps it (never
    # changed: an attachment is only created and deleted).
    ctx.tx.put(ctx.account, "product_feature", body, seq=seq, ref=product["id"], created=ctx.now)
    return body


ROUTES = Resource(
    KIND, "/v1/products/{product}/features", "ProductFeature", parent="product"
).routes(_attach, delete=never_refused)
