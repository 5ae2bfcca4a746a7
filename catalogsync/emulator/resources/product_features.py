"""Product features (`/v1/products/{id}/features`): attach, list, retrieve and detach features."""

from __future__ import annotations

from stripe.params._product_feature_create_params import ProductFeatureCreateParams
from stripe.params._product_feature_delete_params import ProductFeatureDeleteParams
from stripe.params._product_feature_list_params import ProductFeatureListParams
from stripe.params._product_feature_retrieve_params import ProductFeatureRetrieveParams

from catalogsync.emulator.common import list_objects, need, respond
from catalogsync.emulator.errors import invalid, missing
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json


def _derive(ctx: Ctx, body: Json) -> Json:
    # The embedded feature is the feature as it is now (renames show through).
    feature = ctx.tx.get(ctx.account, "entitlements.feature", body["entitlement_feature"])
    return {**body, "entitlement_feature": feature}


KIND = Kind("product_feature", "prodft_", "product feature", derive=_derive)


def create(ctx: Ctx) -> Json:
    """POST /v1/products/{id}/features."""
    product = ctx.load("product", ctx.args["product"], "product")
    feature_id = need(ctx.params, "entitlement_feature")
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
    ctx.tx.put(ctx.account, "product_feature", body, seq=seq, ref=product["id"], created=ctx.now)
    return respond(ctx, "product_feature", body)


def list_attached(ctx: Ctx) -> Json:
    """GET /v1/products/{id}/features."""
    product = ctx.load("product", ctx.args["product"], "product")
    url = f"/v1/products/{product['id']}/features"
    return list_objects(ctx, "product_feature", [("ref = ?", product["id"])], url)


def retrieve(ctx: Ctx) -> Json:
    """GET /v1/products/{product}/features/{id}."""
    return respond(ctx, "product_feature", _attached(ctx))


def delete(ctx: Ctx) -> Json:
    """DELETE /v1/products/{product}/features/{id}."""
    body = _attached(ctx)
    ctx.tx.delete(ctx.account, "product_feature", body["id"])
    return {"id": body["id"], "object": "product_feature", "deleted": True}


def _attached(ctx: Ctx) -> Json:
    product = ctx.load("product", ctx.args["product"], "product")
    body = ctx.load("product_feature", ctx.args["id"])
    if not ctx.tx.find(
        ctx.account, "product_feature", [("ref = ?", product["id"]), ("id = ?", body["id"])]
    ):
        raise missing("product feature", body["id"])
    return body


ROUTES = [
    Route("POST", "/v1/products/{product}/features", create, ProductFeatureCreateParams),
    Route("GET", "/v1/products/{product}/features", list_attached, ProductFeatureListParams),
    Route("GET", "/v1/products/{product}/features/{id}", retrieve, ProductFeatureRetrieveParams),
    Route("DELETE", "/v1/products/{product}/features/{id}", delete, ProductFeatureDeleteParams),
]
