"""Entitlement features (`/v1/entitlements/features`): create/retrieve/update/list."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import Where, merge_metadata, need
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.store import Json

# Features have no `created` field; their row is listed as created when they were stored.
KIND = Kind(
    "entitlements.feature",
    "feat_test_",
    "feature",
    columns=lambda body: Columns(key=body["lookup_key"], active=body["active"]),
)


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
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
    ctx.save("entitlements.feature", body, seq)
    return body


def _change(ctx: Ctx, body: Json) -> None:
    """Name, metadata, active (the lookup key is immutable)."""
    params = ctx.params
    if "name" in params:
        body["name"] = need(params, "name")
    if "active" in params:
        body["active"] = params["active"]
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))


def _filters(params: dict[str, Any]) -> Where:
    """Filters: lookup_key, archived."""
    where: Where = []
    if "archived" in params:
        where.append(("active = ?", int(not params["archived"])))
    if params.get("lookup_key"):
        where.append(("key = ?", params["lookup_key"]))
    return where


ROUTES = Resource(KIND, "/v1/entitlements/features", "entitlements.Feature").routes(
    _create, filters=_filters, change=_change
)
