"""A compiled yes/no check for the subset of JSON Schema catalogsync's schemas use.

`jsonschema` gives precise, collected errors but costs ~0.15 ms per price,
too much for the 10,000-price target (load + validate + diff in 2 s). Almost
every document is valid, so `schemas.py` asks this compiled check first and
runs `jsonschema` only on documents it rejects, to explain why. A schema
using a keyword not handled here fails at compile time rather than being
silently half-checked; a test checks both agree on every test catalog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sized
from decimal import Decimal
from typing import Any, cast

Check = Callable[[Any], bool]

# Keywords that only annotate (no effect on validity).
_ANNOTATIONS = frozenset({"$schema", "$defs", "title", "description", "examples", "default"})

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float | Decimal) and not isinstance(v, bool),
}


def compile_schema(root: Mapping[str, Any]) -> Check:
    """Compile ``root`` (local `#/$defs/...` refs only) into a predicate."""
    cache: dict[str, Check] = {}

    def ref(target: str) -> Check:
        if target not in cache:
            assert target.startswith("#/$defs/"), f"unsupported $ref {target}"
            cache[target] = build(root["$defs"][target.removeprefix("#/$defs/")])
        return cache[target]

    def build(schema: Mapping[str, Any]) -> Check:
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            compiler = _KEYWORDS.get(keyword)
            if compiler is None:
                raise ValueError(f"fastcheck does not support the keyword {keyword!r}")
            checks.append(compiler(value, schema, build, ref))
        return _all_of(checks)

    return build(root)


Builder = Callable[[Mapping[str, Any]], Check]
RefResolver = Callable[[str], Check]
Compiler = Callable[[Any, Mapping[str, Any], Builder, RefResolver], Check]


def _all_of(checks: list[Check]) -> Check:
    # This runs ~1M times for a 10,000-price catalog: skip the wrapper when it can.
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(one(v) for one in checks)


def _equal(a: Any, b: Any) -> bool:
    # As in jsonschema: true is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _type(value: Any, *_: Any) -> Check:
    names = value if isinstance(value, list) else [value]
    tests = [_TYPES[name] for name in names]
    return lambda v: any(test(v) for test in tests)


def _properties(value: Any, _s: Any, build: Builder, _r: Any) -> Check:
    props = {name: build(sub) for name, sub in value.items()}

    def check(v: Any) -> bool:
        if isinstance(v, dict):
            for k, item in v.items():
                sub = props.get(k)
                if sub is not None and not sub(item):
                    return False
        return True

    return check


def _additional(value: Any, schema: Mapping[str, Any], build: Builder, _r: Any) -> Check:
    known = frozenset(schema.get("properties", {}))
    assert "patternProperties" not in schema, "patternProperties unsupported"
    if value is False:
        return lambda v: not isinstance(v, dict) or all(k in known for k in v)
    sub = build(value)
    return lambda v: (
        not isinstance(v, dict) or all(sub(item) for k, item in v.items() if k not in known)
    )


def _required(value: Any, *_: Any) -> Check:
    names = list(value)
    return lambda v: not isinstance(v, dict) or all(n in v for n in names)


def _enum(value: Any, *_: Any) -> Check:
    return lambda v: any(_equal(v, option) for option in value)


def _const(value: Any, *_: Any) -> Check:
    return lambda v: _equal(v, value)


def _pattern(value: Any, *_: Any) -> Check:
    regex = re.compile(value)
    return lambda v: not isinstance(v, str) or regex.search(v) is not None


def _numeric(test: Callable[[Any, Any], bool]) -> Compiler:
    def compiler(value: Any, *_: Any) -> Check:
        return lambda v: not _TYPES["number"](v) or test(v, value)

    return compiler


def _sized(kind: type, test: Callable[[int, int], bool]) -> Compiler:
    def compiler(value: Any, *_: Any) -> Check:
        return lambda v: not isinstance(v, kind) or test(len(cast(Sized, v)), value)

    return compiler


def _items(value: Any, _s: Any, build: Builder, _r: Any) -> Check:
    sub = build(value)

    def check(v: Any) -> bool:
        if isinstance(v, list):
            for item in v:
                if not sub(item):
                    return False
        return True

    return check


def _unique(value: Any, *_: Any) -> Check:
    def check(v: Any) -> bool:
        if not value or not isinstance(v, list):
            return True
        return all(not _equal(a, b) for i, a in enumerate(v) for b in v[i + 1 :])

    return check


def _property_names(value: Any, _s: Any, build: Builder, _r: Any) -> Check:
    sub = build(value)
    return lambda v: not isinstance(v, dict) or all(sub(k) for k in v)


def _ref(value: Any, _s: Any, _b: Any, ref: RefResolver) -> Check:
    return ref(value)


_KEYWORDS: dict[str, Compiler] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "minimum": _numeric(lambda v, limit: v >= limit),
    "maximum": _numeric(lambda v, limit: v <= limit),
    "exclusiveMinimum": _numeric(lambda v, limit: v > limit),
    "minLength": _sized(str, lambda n, limit: n >= limit),
    "maxLength": _sized(str, lambda n, limit: n <= limit),
    "minItems": _sized(list, lambda n, limit: n >= limit),
    "maxItems": _sized(list, lambda n, limit: n <= limit),
    "minProperties": _sized(dict, lambda n, limit: n >= limit),
    "maxProperties": _sized(dict, lambda n, limit: n <= limit),
    "items": _items,
    "uniqueItems": _unique,
    "propertyNames": _property_names,
    "$ref": _ref,
}
