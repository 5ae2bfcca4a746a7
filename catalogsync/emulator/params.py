"""Allowed parameters, derived from the `stripe` package's typed params (never a hand-kept list).

Each `stripe.params...*Params` TypedDict is turned into a `Shape` tree; `check` walks a parsed
form against it, rejecting unknown parameters exactly like the API ("Received unknown
parameter: recurring[foo]", `parameter_unknown`), absent required ones ("Missing required
param: recurring[interval].", `parameter_missing`; required is what the TypedDict does not mark
`NotRequired`) and coercing booleans and integers from their form strings.
"""

from __future__ import annotations

import json
import sys
import typing
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, ForwardRef, Literal, NotRequired, Required, Union, get_args, get_origin

from stripe._request_options import RequestOptions
from typing_extensions import is_typeddict

from catalogsync.emulator.errors import invalid, not_integer, required, unknown
from catalogsync.emulator.forms import index_list


@dataclass(frozen=True)
class Leaf:
    """A scalar parameter; `kinds` are the scalar types it accepts."""

    kinds: frozenset[str]


@dataclass(frozen=True)
class ListOf:
    """An array parameter (`items[0][price]`)."""

    item: Node


@dataclass(frozen=True)
class MapOf:
    """A free-keyed map (`metadata[k]`, `currency_options[eur]`)."""

    value: Node


@dataclass(frozen=True)
class Shape:
    """An object parameter with a fixed set of keys."""

    name: str
    fields: dict[str, Node] = field(default_factory=dict, compare=False)
    required: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class AnyOf:
    """A parameter accepting several forms (an object or `""`, an id or an object...)."""

    options: tuple[Node, ...]


Node = Leaf | ListOf | MapOf | Shape | AnyOf

_REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)
_SCALARS: dict[Any, str] = {
    bool: "bool",
    int: "int",
    float: "decimal",
    Decimal: "decimal",
    str: "str",
}


@cache
def shape_of(params_class: type) -> Shape:
    """The `Shape` of a stripe TypedDict params class (request-option keys excluded)."""
    declared: frozenset[str] = getattr(params_class, "__required_keys__", frozenset())
    shape = Shape(params_class.__name__, required=declared - _REQUEST_OPTION_KEYS)
    module = vars(sys.modules[params_class.__module__])
    for key, annotation in params_class.__annotations__.items():
        if key in _REQUEST_OPTION_KEYS and issubclass(params_class, dict):
            continue
        shape.fields[key] = _node(annotation, module)
    return shape


def _node(annotation: Any, module: dict[str, Any]) -> Node:
    if isinstance(annotation, str):
        annotation = eval(annotation, module)  # the stripe package's own annotation text
    if isinstance(annotation, ForwardRef):
        return _node(annotation.__forward_arg__, module)
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (NotRequired, Required, typing.NotRequired, typing.Required):
        return _node(args[0], module)
    if origin is Union or type(annotation).__name__ == "UnionType":
        return _union([_node(a, module) for a in args])
    if origin is Literal:
        return Leaf(frozenset({"str"}))
    if origin in (list, typing.List):  # noqa: UP006 - matching stripe's spelling
        return ListOf(_node(args[0], module))
    if origin in (dict, typing.Dict) or (origin is not None and args and "Object" in str(origin)):  # noqa: UP006
        return MapOf(_node(args[-1], module))
    if is_typeddict(annotation):
        return shape_of(annotation)
    if annotation in _SCALARS:
        return Leaf(frozenset({_SCALARS[annotation]}))
    return Leaf(frozenset({"any"}))


def _union(nodes: list[Node]) -> Node:
    leaves = frozenset().union(*(n.kinds for n in nodes if isinstance(n, Leaf)))
    others = tuple(n for n in nodes if not isinstance(n, Leaf))
    if not others:
        return Leaf(leaves)
    if len(others) == 1 and not leaves:
        return others[0]
    return AnyOf(((Leaf(leaves),) if leaves else ()) + others)


def check(params: dict[str, Any], params_class: type | None) -> dict[str, Any]:
    """Validate a parsed form against a params class; return it with coerced values."""
    if params_class is None:
        if params:
            raise unknown(sorted(params)[0])
        return params
    return _check_shape(params, shape_of(params_class), "")


def _check_shape(value: dict[str, Any], shape: Shape, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}[{key}]" if prefix else key
        node = shape.fields.get(key)
        if node is None:
            raise unknown(name)
        out[key] = _check(item, node, name)
    absent = sorted(shape.required - value.keys())
    if absent:
        raise required(f"{prefix}[{absent[0]}]" if prefix else absent[0])
    return out


def _check(value: Any, node: Node, name: str) -> Any:
    if isinstance(node, AnyOf):
        return _check_any(value, node, name)
    if isinstance(node, Leaf):
        return _scalar(value, node, name)
    if isinstance(value, str):
        if value == "":
            return ""  # Stripe's "unset" for objects, lists and maps
        raise invalid(f"Invalid {_label(node)}", param=name)
    if isinstance(node, ListOf):
        items = value if isinstance(value, list) else index_list(value)
        if items is None:
            raise invalid("Invalid array", param=name)
        return [_check(v, node.item, f"{name}[{i}]") for i, v in enumerate(items)]
    if not isinstance(value, dict):
        raise invalid(f"Invalid {_label(node)}", param=name)
    if isinstance(node, MapOf):
        return {k: _map_value(v, node.value, name, k) for k, v in value.items()}
    return _check_shape(value, node, name)


def _map_value(value: Any, node: Node, map_name: str, key: str) -> Any:
    # A bracket inside a map key (`metadata[a[b]]=v`, the SDK's encoding of key "a[b]") nests
    # the form value, and Stripe then refuses the map: "Invalid value type: {...} must be a
    # string", param `metadata` (docs.stripe.com/api/metadata: keys cannot contain `[` `]`).
    if isinstance(node, Leaf) and not isinstance(value, str):
        raise invalid(f"Invalid value type: {json.dumps(value)} must be a string", param=map_name)
    return _check(value, node, f"{map_name}[{key}]")


def _check_any(value: Any, node: AnyOf, name: str) -> Any:
    leaf = next((o for o in node.options if isinstance(o, Leaf)), None)
    if isinstance(value, str):
        return (
            _scalar(value, leaf, name) if leaf is not None else _check(value, node.options[0], name)
        )
    structured = [o for o in node.options if not isinstance(o, Leaf)]
    if isinstance(value, list) or (isinstance(value, dict) and index_list(value) is not None):
        lists = [o for o in structured if isinstance(o, ListOf)]
        if lists:
            return _check(value, lists[0], name)
    dicts = [o for o in structured if not isinstance(o, ListOf)]
    return _check(value, (dicts or structured)[0], name)


def _scalar(value: Any, node: Leaf | None, name: str) -> Any:
    if not isinstance(value, str):
        raise invalid(f"Invalid value for {name}: expected a scalar", param=name)
    kinds = node.kinds if node is not None else frozenset({"str"})
    if "str" in kinds or "any" in kinds or value == "":
        return value
    if "bool" in kinds:
        if value in ("true", "false"):
            return value == "true"
        raise invalid(f"Invalid boolean: {value}", param=name)
    if "int" in kinds and value.lstrip("-").isdigit():
        return int(value)
    if "decimal" in kinds:
        try:
            Decimal(value)
        except InvalidOperation:
            raise invalid(f"Invalid decimal: {value}", param=name) from None
        return value
    raise not_integer(value, name)


def _label(node: Node) -> str:
    return "array" if isinstance(node, ListOf) else "object"
