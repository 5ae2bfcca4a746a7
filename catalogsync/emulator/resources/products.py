"""Products: create/retrieve/update/delete/list, default prices, custom ids."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import Where, bool_filter, merge_metadata
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.errors import empty, invalid
from catalogsync.emulator.resources.new_product import create_product, marketing_features
from catalogsync.emulator.resources.prices import create_price
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.store import Json

KIND = Kind("product", "prod_", "product", columns=lambda body: Columns(active=body["active"]))
# Fields that take `""` to clear on update.
_CLEARABLE = ("description", "statement_descriptor", "tax_code", "unit_label", "url")


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    """The product, and its default price when `default_price_data` asks for one."""
    body = create_product(ctx, params)
    if params.get("default_price_data"):
        price = create_price(ctx, params["default_price_data"], body["id"])
        body["default_price"] = price["id"]
        ctx.save("product", body)
    return body


def _change(ctx: Ctx, body: Json) -> None:
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
        body["marketing_features"] = marketing_features(params["marketing_features"])
    if "package_dimensions" in params:
        body["package_dimensions"] = params["package_dimensions"] or None
    if "default_price" in params:
        body["default_price"] = _default_price(ctx, body, params["default_price"])
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))


def _refuse_while_priced(ctx: Ctx, body: Json) -> None:
    if ctx.tx.count(ctx.account, "price", [("ref = ?", body["id"])]):
        raise invalid(
            "This product cannot be deleted because it has one or more user-created prices."
        )


def _filters(params: dict[str, Any]) -> Where:
    """Filters: active, ids[], shippable, url (and `created`, as every list)."""
    where = bool_filter(params, "active")
    ids = params.get("ids")
    if ids:
        where.append((f"id IN ({','.join('?' * len(ids))})", tuple(ids)))
    if "shippable" in params:
        where.append(("json_extract(body, '$.shippable') = ?", int(bool(params["shippable"]))))
    if params.get("url"):
        where.append(("json_extract(body, '$.url') = ?", params["url"]))
    return where


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


ROUTES = Resource(KIND, "/v1/products", "Product").routes(
    _create, filters=_filters, change=_change, delete=_refuse_while_priced
)
