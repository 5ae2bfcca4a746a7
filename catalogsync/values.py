"""Field values as plain data: what operations carry, hash and serialise.

A `Value` is JSON-shaped data with `Decimal` for amounts. Model dataclasses
become values through `declared_fields`, which drops undeclared (``None``)
fields so that only what the YAML says is compared or sent. In JSON a
`Decimal` is a string tagged ``{"$decimal": "9900"}``: exact, never a float,
and distinguishable from a string on the way back.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

Value = None | bool | int | str | Decimal | tuple["Value", ...] | Mapping[str, "Value"]

_DECIMAL_TAG = "$decimal"
# Fields that are bookkeeping, not content: never compared, sent or hashed
# (``Remote.unmodelled`` is hashed into the fingerprint where it is set, `catalogsync.state`).
_NOT_CONTENT = frozenset({"source", "unmodelled"})


# Exact types checked first with one set lookup: `isinstance` against unions
# and ABCs was the largest cost of fingerprinting a large account.
_SCALARS = frozenset({type(None), bool, int, str, Decimal})
_PLAIN = frozenset({type(None), bool, int, str})


def to_value(obj: object) -> Value:
    """Convert a model object (dataclass, mapping, tuple, scalar) to a `Value`."""
    if type(obj) in _SCALARS:
        return cast(Value, obj)
    if isinstance(obj, bool | int | str | Decimal):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return declared_fields(obj)
    if isinstance(obj, Mapping):
        return {str(k): to_value(v) for k, v in sorted(obj.items())}
    if isinstance(obj, tuple | list | frozenset | set):
        items = sorted(obj) if isinstance(obj, frozenset | set) else obj
        return tuple(to_value(v) for v in items)
    raise TypeError(f"not a plan value: {type(obj).__name__}")


def declared_fields(obj: object) -> dict[str, Value]:
    """The fields of a model dataclass that are declared (not ``None``), as values."""
    assert dataclasses.is_dataclass(obj)
    assert not isinstance(obj, type)
    out: dict[str, Value] = {}
    for name in _content_fields(type(obj)):
        value = getattr(obj, name)
        if value is not None:
            out[name] = to_value(value)
    return out


@functools.cache
def _content_fields(cls: type) -> tuple[str, ...]:
    # dataclasses.fields() per object was a tenth of a large plan's CPU.
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in _NOT_CONTENT)


def encode(value: Value, *, canonical: bool = False) -> Any:
    """A `Value` as JSON-ready data (Decimals tagged).

    ``canonical`` writes equal Decimals alike (``9900`` and ``9900.0``) and
    sorts mapping keys, for hashing; otherwise mappings keep their order, so a
    plan read back from its file renders its fields as the live plan did.
    """
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}" if canonical else str(value)
        return {_DECIMAL_TAG: text}
    if isinstance(value, tuple):
        return [encode(v, canonical=canonical) for v in value]
    if isinstance(value, Mapping):
        items = sorted(value.items()) if canonical else value.items()
        return {k: encode(v, canonical=canonical) for k, v in items}
    return value


def decode(data: Any) -> Value:
    """The inverse of `encode`: lists become tuples, tagged strings Decimals."""
    if isinstance(data, dict):
        if set(data) == {_DECIMAL_TAG}:
            return Decimal(data[_DECIMAL_TAG])
        return {str(k): decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    if data is None or isinstance(data, bool | int | str):
        return data
    raise ValueError(f"not a plan value: {data!r}")


def canonical_json(data: Any) -> str:
    """Deterministic JSON text: sorted keys, no whitespace, non-ASCII kept."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data: Any) -> str:
    """SHA-256 hex digest of the canonical JSON of ``data``."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()
