"""Helpers shared by resource handlers: lists, created filters, metadata, required params."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.errors import empty, exclusive, invalid, missing, not_integer, required
from catalogsync.emulator.render import render, render_all
from catalogsync.emulator.routing import Ctx, Handler
from catalogsync.emulator.store import Json

Where = list[tuple[str, Any]]
_RANGE_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def list_objects(ctx: Ctx, kind: str, where: Where, url: str) -> Json:
    """A Stripe list page of `kind` filtered by `where`, newest first."""
    params = ctx.params
    limit = page_limit(params)
    cursors: dict[str, int | None] = {"starting_after": None, "ending_before": None}
    _check_cursor_params(params)
    for name in cursors:
        object_id = params.get(name)
        if object_id:
            seq = ctx.tx.seq_of(ctx.account, kind, object_id)
            if seq is None:
                raise missing(ctx.kinds[kind].label, object_id, name, status=400)
            cursors[name] = seq
    page = ctx.tx.page(
        ctx.account,
        kind,
        where + created_filter(params.get("created")),
        limit=limit,
        starting_after=cursors["starting_after"],
        ending_before=cursors["ending_before"],
    )
    data = render_all(ctx, kind, [row.body for row in page.rows], expand_of(params))
    return {"object": "list", "data": data, "has_more": page.has_more, "url": url}


def page_limit(params: dict[str, Any]) -> int:
    """A list or search page's `limit`: 1 to 100, 10 when absent."""
    limit = _int(params.get("limit", 10), "limit")
    if not 1 <= limit <= 100:
        raise invalid(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            param="limit",
        )
    return limit


def _check_cursor_params(params: dict[str, Any]) -> None:
    # docs.stripe.com/api/pagination: a page is read forwards or backwards, not both; and
    # the product list's `ids` "cannot be used with starting_after or ending_before"
    # (stripe-python params/_product_list_params.py), the only emulated list taking `ids`.
    given = [name for name in ("starting_after", "ending_before") if params.get(name)]
    if len(given) == 2:
        raise exclusive(*given)
    if given and params.get("ids"):
        raise exclusive("ids", given[0])


def retriever(kind: str) -> Handler:
    """The handler of `GET /v1/<kind>/{id}`: the object with the request's `expand[]`."""

    def retrieve(ctx: Ctx) -> Json:
        return respond(ctx, kind, ctx.load(kind, ctx.args["id"]))

    retrieve.__doc__ = f"GET one {kind}."
    return retrieve


def created_filter(value: Any) -> Where:
    """SQL conditions for `created=ts` or `created[gt|gte|lt|lte]=ts`."""
    if value is None or value == "":
        return []
    if isinstance(value, str | int):
        return [("created = ?", _int(value, "created"))]
    conditions: Where = []
    for op, ts in value.items():
        if op not in _RANGE_OPS:
            raise invalid(f"Received unknown parameter: created[{op}]", param=f"created[{op}]")
        conditions.append((f"created {_RANGE_OPS[op]} ?", _int(ts, f"created[{op}]")))
    return conditions


def respond(ctx: Ctx, kind: str, body: Json) -> Json:
    """The response for one object with the request's `expand[]`."""
    return render(ctx, kind, body, expand_of(ctx.params))


def expand_of(params: dict[str, Any]) -> list[str]:
    """The `expand[]` paths of a request."""
    value = params.get("expand") or []
    return [value] if isinstance(value, str) else list(value)


def merge_metadata(current: dict[str, str], given: Any) -> dict[str, str]:
    """Stripe's metadata update: `""` for a key unsets it, `metadata=""` clears all."""
    if given is None:
        return current
    if given == "":
        return {}
    merged = dict(current)
    for key, value in given.items():
        if len(key) > 40 or "[" in key or "]" in key:
            raise invalid(
                f"Metadata keys must be at most 40 characters without brackets: {key}",
                param=f"metadata[{key}]",
            )
        if value == "":
            merged.pop(key, None)
        elif len(str(value)) > 500:
            raise invalid(
                "Metadata values can have up to 500 characters.", param=f"metadata[{key}]"
            )
        else:
            merged[key] = str(value)
    if len(merged) > 50:
        raise invalid("Metadata can have up to 50 keys.", param="metadata")
    return merged


def need(params: dict[str, Any], name: str) -> Any:
    """A required parameter's value.

    400 `parameter_missing` when absent, `parameter_invalid_empty` when `""` (Stripe's
    "unset", which a required value cannot take).
    """
    value = params.get(name)
    if value is None:
        raise required(name)
    if value == "":
        raise empty(name)
    return value


def bool_filter(params: dict[str, Any], name: str, column: str = "active") -> Where:
    """`active=true|false` as an SQL condition on an indexed boolean column."""
    value = params.get(name)
    return [] if value is None else [(f"{column} = ?", int(bool(value)))]


def _int(value: Any, param: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise not_integer(value, param) from None


def as_int(value: Any, param: str) -> int:
    """A form value as an integer (400 "Invalid integer" otherwise)."""
    return _int(value, param)


def optional_int(params: dict[str, Any], name: str) -> int | None:
    """An optional integer parameter (absent or `""` is None)."""
    value = params.get(name)
    return None if value in (None, "") else _int(value, name)
