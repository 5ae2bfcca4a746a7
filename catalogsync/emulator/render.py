"""Turning stored objects into responses: derived fields, includable fields and `expand[]`."""

from __future__ import annotations

import copy
from typing import Any

from catalogsync.emulator.errors import invalid
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json


def render(ctx: Ctx, kind: str, body: Json, expand: list[str]) -> Json:
    """The response for one object, with the expansions asked for (paths relative to it)."""
    spec = ctx.kinds[kind]
    if spec.derive is not None:
        body = spec.derive(ctx, body)
    heads = {path.split(".", 1)[0] for path in expand}
    out = {k: v for k, v in body.items() if k not in spec.includable or k in heads}
    for path in sorted(expand, key=len):
        _expand(ctx, out, path.split("."), path)
    return out


def render_all(ctx: Ctx, kind: str, bodies: list[Json], expand: list[str]) -> list[Json]:
    """Render list items; `expand` holds list paths (`data.x`), as Stripe requires."""
    inner = []
    for path in expand:
        if not path.startswith("data."):
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
        inner.append(path[len("data.") :])
    return [render(ctx, kind, body, inner) for body in bodies]


def _expand(ctx: Ctx, node: Any, parts: list[str], path: str) -> None:
    if len(parts) > 4:
        raise invalid("You cannot expand more than 4 levels of a property.", param="expand")
    if isinstance(node, list):
        for item in node:
            _expand(ctx, item, parts, path)
        return
    if not isinstance(node, dict) or parts[0] not in node:
        raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    head, rest = parts[0], parts[1:]
    value = node[head]
    if isinstance(value, str):
        value = _expanded(ctx, value, path)
        node[head] = value
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        # A list of ids (a subscription's `discounts`): "expand each" of them.
        value = [_expanded(ctx, v, path) for v in value]
        node[head] = value
    elif isinstance(value, dict | list):
        value = copy.deepcopy(value)
        node[head] = value
    if rest and value is not None:
        _expand(ctx, value, rest, path)


def _expanded(ctx: Ctx, object_id: str, path: str) -> Json:
    found = ctx.tx.get_any(ctx.account, object_id)
    if found is None:
        raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    return render(ctx, found[0], found[1], [])
