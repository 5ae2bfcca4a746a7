"""The JSON Schemas shipped in `catalogsync/schemas/`, and schema errors as diagnostics.

The files on disk use relative `$ref`s into `common.schema.json` so editors
can resolve them next to each other; `bundled` inlines those definitions so
each kind's schema stands alone (for `catalogsync schema` and validation).
Validators are compiled once per process.
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from catalogsync.catalog.fastcheck import Check, compile_schema
from catalogsync.catalog.sourcemap import Document, pointer
from catalogsync.errors import Diagnostic
from catalogsync.kinds import DOCUMENT_KINDS

CONFIG = "config"
_COMMON_REF = "common.schema.json#/$defs/"


def schema_file(name: str) -> str:
    """File name of a kind's schema: Product -> product.schema.json."""
    return f"{name.lower()}.schema.json"


@functools.cache
def _read(file: str) -> dict[str, Any]:
    text = resources.files("catalogsync").joinpath("schemas", file).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def bundled(name: str) -> Mapping[str, Any]:
    """A kind's (or ``config``'s) schema with the shared definitions inlined."""
    schema = copy.deepcopy(_read(schema_file(name)))
    common = _read("common.schema.json")["$defs"]
    defs = schema.setdefault("$defs", {})
    for def_name, definition in common.items():
        assert def_name not in defs, f"{def_name} defined twice"
        defs[def_name] = copy.deepcopy(definition)
    _rewrite_refs(schema)
    return schema


def _rewrite_refs(node: Any) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_COMMON_REF):
            node["$ref"] = "#/$defs/" + ref.removeprefix(_COMMON_REF)
        for value in node.values():
            _rewrite_refs(value)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value)


def all_schemas() -> dict[str, Mapping[str, Any]]:
    """Every kind's schema plus the config file's, by name."""
    return {name: bundled(name) for name in (*DOCUMENT_KINDS, CONFIG)}


def resolve_name(name: str) -> str | None:
    """The canonical kind name for ``name`` (case-insensitive), or None."""
    for known in (*DOCUMENT_KINDS, CONFIG):
        if known.lower() == name.lower().replace("_", "").replace("-", ""):
            return known
    return None


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = bundled(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(dict(schema))
    return cls(schema)


@functools.cache
def _fast_check(name: str) -> Check:
    return compile_schema(bundled(name))


def is_valid(data: Any, name: str) -> bool:
    """Whether ``data`` satisfies the ``name`` schema (the fast compiled check)."""
    return _fast_check(name)(data)


def schema_errors(document: Document, name: str) -> list[Diagnostic]:
    """Every schema violation of ``document`` against the ``name`` schema."""
    if is_valid(document.data, name):
        return []
    out: list[Diagnostic] = []
    for error in _validator(name).iter_errors(document.data):
        out.extend(_diagnostics(document, error))
    return out


def _diagnostics(document: Document, error: ValidationError) -> Iterator[Diagnostic]:
    if error.context:  # anyOf/oneOf: report the branch that came closest
        error = best_match(error.context)
    ptr = pointer(*error.absolute_path)
    schema: Any = error.schema
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(schema.get("properties", {}))
        for extra in _extras(error.instance, known, schema):
            hint = difflib.get_close_matches(extra, known, n=1)
            suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
            yield document.diagnostic(
                ptr + pointer(extra), "schema", f"unknown field '{extra}'{suffix}", key=True
            )
        return
    if "propertyNames" in error.absolute_schema_path:
        # The offending name is the instance; point at its key.
        yield document.diagnostic(
            ptr + pointer(str(error.instance)), "schema", _message(error), key=True
        )
        return
    yield document.diagnostic(ptr, "schema", _message(error))


def _extras(instance: dict[str, Any], known: list[str], schema: Mapping[str, Any]) -> list[str]:
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    return [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]


_DECIMAL = re.compile(r"Decimal\('([^']*)'\)")
_REQUIRED = re.compile(r"^('.*') is a required property$")


def _message(error: ValidationError) -> str:
    validator = error.validator
    instance: Any = error.instance
    value: Any = error.validator_value
    if validator == "required":
        # jsonschema reports each missing property as its own error.
        return _REQUIRED.sub(r"missing required field \1", error.message)
    if validator == "type":
        expected = " or ".join(value) if isinstance(value, list) else value
        return f"expected {expected}, got {_show(instance)}"
    if validator == "enum":
        return f"{_show(instance)} is not one of: {', '.join(map(str, value))}"
    if validator == "const":
        return f"expected {_show(value)}, got {_show(instance)}"
    schema = error.schema if isinstance(error.schema, dict) else {}
    title = schema.get("title")
    # A titled integer (a phase number) says what its minimum means.
    if title and (
        validator == "pattern" or (validator == "minimum" and schema.get("type") == "integer")
    ):
        return f"{_show(instance)} is not {title}"
    if validator == "pattern":
        return f"{_show(instance)} does not match {value}"
    return _DECIMAL.sub(r"\1", error.message)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)
