"""Entitlement features (`/v1/entitlements/features`): create/retrieve/update/list."""

from __future__ import annotations

from stripe.params.entitlements._feature_create_params import FeatureCreateParams
from stripe.params.entitlements._feature_list_params import FeatureListParams
from stripe.params.entitlements._feature_retrieve_params import FeatureRetrieveParams
from stripe.params.entitlements._feature_update_params import FeatureUpdateParams

from catalogsync.emulator.common import list_objects, merge_metadata, need, respond, retriever
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("entitlements.feature", "feat_test_", "feature")


def create(ctx: Ctx) -> Json:
    """POST /v1/entitlements/features."""
    params = ctx.params
    name, lookup_key = need(params, "name"), need(params, "lookup_key")
    if len(lookup_key) > 80:
        raise invalid("lookup_key must be at most 80 characters.", param="lookup_key")
    if ctx.tx.find(ctx.account, "entitlements.feature", [("key = ?", lookup_key)]):
        raise invalid(
            f"A feature with lookup_key `{lookup_key}` already exists.", param="lookup_key"
        )
    feature_id, seq = ctx.new_id("entitlements.feature")
    body: Json = {
        "id": feature_id,
        "object": "entitlements.feature",
        "active": True,
        "livemode": ctx.livemode,
        "lookup_key": lookup_key,
        "metadata": merge_metadata({}, params.get("metadata")),
        "name": name,
    }
    save(ctx, body, seq, ctx.now)
    return respond(ctx, "entitlements.feature", body)


def update(ctx: Ctx) -> Json:
    """POST /v1/entitlements/features/{id}: name, metadata, active."""
    body = ctx.load("entitlements.feature", ctx.args["id"])
    params = ctx.params
    if "name" in params:
        body["name"] = need(params, "name")
    if "active" in params:
        body["active"] = params["active"]
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    save(ctx, body)
    return respond(ctx, "entitlements.feature", body)


def list_features(ctx: Ctx) -> Json:
    """GET /v1/entitlements/features (filters: lookup_key, archived)."""
    params = ctx.params
    where: list[tuple[str, object]] = []
    if "archived" in params:
        where.append(("active = ?", int(not params["archived"])))
    if params.get("lookup_key"):
        where.append(("key = ?", params["lookup_key"]))
    return list_objects(ctx, "entitlements.feature", where, "/v1/entitlements/features")


def save(ctx: Ctx, body: Json, seq: int | None = None, created: int | None = None) -> None:
    """Store a feature (features have no `created` field; the row keeps one for filters)."""
    ctx.tx.put(
        ctx.account,
        "entitlements.feature",
        body,
        seq=seq,
        key=body["lookup_key"],
        active=body["active"],
        created=created,
    )


ROUTES = [
    Route("POST", "/v1/entitlements/features", create, FeatureCreateParams),
    Route("GET", "/v1/entitlements/features", list_features, FeatureListParams),
    Route(
        "GET",
        "/v1/entitlements/features/{id}",
        retriever("entitlements.feature"),
        FeatureRetrieveParams,
    ),
    Route("POST", "/v1/entitlements/features/{id}", update, FeatureUpdateParams),
]
