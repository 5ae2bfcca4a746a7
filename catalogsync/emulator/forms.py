"""Parsing Stripe's form encoding (`metadata[k]=v`, `items[0][price]=p`, `expand[]=x`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

# Each `[` opens a segment that runs to the next bracket, so `metadata[a[b]]` (the SDK's
# encoding of metadata key "a[b]") is metadata -> a -> b, as Stripe reads it: a bracket in a
# metadata key nests the value (github.com/WordPress/wordcamp.org/issues/1270), which the
# metadata check then refuses; it is never stored as the key "b".
_SEGMENT = re.compile(r"\[([^\[\]]*)")


def parse_form(text: str) -> dict[str, Any]:
    """Nested dicts from a form body or query string; `[]` appends to a list.

    Indexed segments (`[0]`) stay dict keys here: whether they form a list is decided by
    the parameter's declared type (see `params.check`), as `metadata[0]` is a valid map key.
    """
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(text, keep_blank_values=True):
        head, _, rest = raw_key.partition("[")
        path = [head, *_SEGMENT.findall("[" + rest)] if rest else [head]
        _put(root, path, value)
    return root


def _put(node: dict[str, Any], path: list[str], value: str) -> None:
    key, rest = path[0], path[1:]
    if not rest:
        node[key] = value
        return
    if rest == [""]:
        existing = node.get(key)
        if isinstance(existing, list):
            existing.append(value)
        else:
            node[key] = [value]
        return
    child = node.get(key)
    if not isinstance(child, dict):
        child = {}
        node[key] = child
    _put(child, rest, value)


def index_list(value: dict[str, Any]) -> list[Any] | None:
    """The list an all-digit-keyed dict stands for, or None when it is not one."""
    if not value or not all(k.isdigit() for k in value):
        return None
    return [value[k] for k in sorted(value, key=int)]
