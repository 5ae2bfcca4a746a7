"""Products: create/retrieve/update/delete/list, default prices, custom ids."""

from __future__ import annotations

from typing import Any

from stripe.params._product_create_params import ProductCreateParams
from stripe.params._product_delete_params import ProductDeleteParams
from stripe.params._product_list_params import ProductListParams
from stripe.params._product_retrieve_params import ProductRetrieveParams
from stripe.params._product_update_params import ProductUpdateParams

from catalogsync.emulator.common import (
    bool_filter,
    list_objects,
    merge_metadata,
    need,
    respond,
    retriever,
)
from catalogsync.emulator.errors import empty, invalid
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("product", "prod_", "product")
# Fields that take `""` to clear on update.
_CLEARABLE = ("description", "statement_descriptor", "tax_code", "unit_label", "url")


def create(ctx: Ctx) -> Json:
    """POST /v1/products."""
    return respond(ctx, "product", create_product(ctx, ctx.params))


def create_product(ctx: Ctx, params: dict[str, Any]) -> Json:
    """Validate and store a product (also used by a price's `product_data`)."""
    name = need(params, "name")
    custom = params.get("id")
    if custom:
        if ctx.tx.get_any(ctx.account, custom) is not None:
            raise invalid("Product already exists.", param="id", code="resource_already_exists")
        product_id, seq = custom, ctx.tx.next_seq(ctx.account)
    else:
        product_id, seq = ctx.new_id("product")
    body: Json = {
        "id": product_id,
        "object": "product",
        "active": params.get("active", True),
        "created": ctx.now,
        "default_price": None,
        "description": params.get("description") or None,
        "images": list(params.get("images") or []),
        "livemode": ctx.livemode,
        "marketing_features": [
            {"name": f.get("name")} for f in params.get("marketing_features") or []
        ],
        "metadata": merge_metadata({}, params.get("metadata")),
        "name": name,
        "package_dimensions": params.get("package_dimensions") or None,
        "shippable": params.get("shippable"),
        "statement_descriptor": params.get("statement_descriptor") or None,
        "tax_code": params.get("tax_code") or None,
        "type": params.get("type") or "service",
        "unit_label": params.get("unit_label") or None,
        "updated": ctx.now,
        "url": params.get("url") or None,
    }
    save(ctx, body, seq)
    if params.get("default_price_data"):
        from catalogsync.emulator.resources.prices import create_price

        price = create_price(ctx, params["default_price_data"], product_id)
        body["default_price"] = price["id"]
        save(ctx, body)
    return body


def update(ctx: Ctx) -> Json:
    """POST /v1/products/{id}."""
    body = ctx.load("product", ctx.args["id"])
    params = ctx.params
    for field in ("active", "name", "shippable"):
        if field in params:
            if field == "name" and params[field] == "":
                raise empty("name")
            body[field] = params[field]
    for field in _CLEARABLE:
        if field in params:
            body[field] = params[field] or None
    if "images" in params:
        body["images"] = list(params["images"] or [])
    if "marketing_features" in params:
        body["marketing_features"] = [
            {"name": f.get("name")} for f in params["marketing_features"] or []
        ]
    if "package_dimensions" in params:
        body["package_dimensions"] = params["package_dimensions"] or None
    if "default_price" in params:
        body["default_price"] = _default_price(ctx, body, params["default_price"])
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    body["updated"] = ctx.now
    save(ctx, body)
    return respond(ctx, "product", body)


def delete(ctx: Ctx) -> Json:
    """DELETE /v1/products/{id}: refused while the product has prices."""
    body = ctx.load("product", ctx.args["id"])
    if ctx.tx.count(ctx.account, "price", [("ref = ?", body["id"])]):
        raise invalid(
            "This product cannot be deleted because it has one or more user-created prices."
        )
    ctx.tx.delete(ctx.account, "product", body["id"])
    return {"id": body["id"], "object": "product", "deleted": True}


def list_products(ctx: Ctx) -> Json:
    """GET /v1/products (filters: active, ids[], shippable, url, created)."""
    params = ctx.params
    where = bool_filter(params, "active")
    ids = params.get("ids")
    if ids:
        where.append((f"id IN ({','.join('?' * len(ids))})", tuple(ids)))
    if "shippable" in params:
        where.append(("json_extract(body, '$.shippable') = ?", int(bool(params["shippable"]))))
    if params.get("url"):
        where.append(("json_extract(body, '$.url') = ?", params["url"]))
    return list_objects(ctx, "product", where, "/v1/products")


def save(ctx: Ctx, body: Json, seq: int | None = None) -> None:
    """Store a product with its indexed columns."""
    ctx.tx.put(ctx.account, "product", body, seq=seq, active=body["active"])


def _default_price(ctx: Ctx, product: Json, price_id: str) -> str | None:
    if not price_id:
        return None
    price = ctx.load("price", price_id, "default_price")
    if price["product"] != product["id"]:
        raise invalid(
            f"The price `{price_id}` does not belong to product `{product['id']}`.",
            param="default_price",
        )
    if not price["active"]:
        raise invalid("The default price of a product must be active.", param="default_price")
    return price_id


ROUTES = [
    Route("POST", "/v1/products", create, ProductCreateParams),
    Route("GET", "/v1/products", list_products, ProductListParams),
    Route("GET", "/v1/products/{id}", retriever("product"), ProductRetrieveParams),
    Route("POST", "/v1/products/{id}", update, ProductUpdateParams),
    Route("DELETE", "/v1/products/{id}", delete, ProductDeleteParams),
]
