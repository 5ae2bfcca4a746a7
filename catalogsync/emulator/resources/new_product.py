"""A new product from create params, stored: `POST /v1/products` and a price's `product_data`.

Below both `products` (whose `default_price_data` makes a price) and `prices` (whose
`product_data` makes a product), so neither imports the other back.
"""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import merge_metadata, need
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json


def create_product(ctx: Ctx, params: dict[str, Any]) -> Json:
    """Validate and store a product (without a default price)."""
    name = need(params, "name")
    product_id, seq = _product_id(ctx, params.get("id"))
    body: Json = {
        "id": product_id,
        "object": "product",
        "active": params.get("active", True),
        "created": ctx.now,
        "default_price": None,
        "description": params.get("description") or None,
        "images": list(params.get("images") or []),
        "livemode": ctx.livemode,
        "marketing_features": marketing_features(params.get("marketing_features")),
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
    ctx.save("product", body, seq)
    return body


def marketing_features(given: Any) -> list[Json]:
    """The `marketing_features` field from its params (`""` or absent: none)."""
    return [{"name": feature.get("name")} for feature in given or []]


def _product_id(ctx: Ctx, custom: str | None) -> tuple[str, int]:
    """A generated id, or the caller's own one if no object has it yet."""
    if not custom:
        return ctx.new_id("product")
    if ctx.tx.get_any(ctx.account, custom) is not None:
        raise invalid("Product already exists.", param="id", code="resource_already_exists")
    return custom, ctx.tx.next_seq(ctx.account)
