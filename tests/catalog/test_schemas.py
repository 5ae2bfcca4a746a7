"""The shipped JSON Schemas: well-formed, documented, and the fast check agrees with jsonschema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogsync.catalog.fastcheck import compile_schema
from catalogsync.catalog.files import Reader
from catalogsync.catalog.schemas import CONFIG, bundled, is_valid, resolve_name
from catalogsync.catalog.sourcemap import parse_yaml
from catalogsync.errors import Diagnostic
from catalogsync.kinds import DOCUMENT_KINDS
from tests.paths import REPO

NAMES = (*DOCUMENT_KINDS, CONFIG)


def _jsonschema_valid(data: Any, name: str) -> bool:
    schema = bundled(name)
    return bool(jsonschema.validators.validator_for(schema)(schema).is_valid(data))


@pytest.mark.parametrize("name", NAMES)
def test_each_schema_is_valid_2020_12_with_descriptions_and_examples(name: str) -> None:
    schema = bundled(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["description"]
    assert schema["additionalProperties"] is False
    for field, sub in schema["properties"].items():
        if "$ref" not in sub and field not in ("kind",):
            assert sub.get("description"), f"{name}.{field} has no description"


@pytest.mark.parametrize("name", DOCUMENT_KINDS)
def test_kind_examples_validate_against_their_schema(name: str) -> None:
    schema = bundled(name)
    assert schema["examples"]
    for example in schema["examples"]:
        assert _jsonschema_valid(example, name)


def test_top_level_schemas_is_the_package_directory() -> None:
    # The schemas live in schemas/ at the top of the repository; the package ships the same files.
    assert (REPO / "schemas").resolve() == (REPO / "catalogsync" / "schemas").resolve()
    files = {p.name for p in (REPO / "schemas").glob("*.schema.json")}
    assert {f"{n.lower()}.schema.json" for n in NAMES} <= files
    for path in (REPO / "schemas").glob("*.json"):
        json.loads(path.read_text())


def test_catalog_dispatch_schema_refers_to_every_kind() -> None:
    dispatch = json.loads((REPO / "schemas" / "catalog.schema.json").read_text())
    refs = {rule["then"]["$ref"] for rule in dispatch["allOf"]}
    assert refs == {f"{k.lower()}.schema.json" for k in DOCUMENT_KINDS}


def test_every_example_catalog_file_names_its_schema_for_editors() -> None:
    for path in sorted((REPO / "catalog").rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: {target} does not exist"


def test_kind_names_resolve_case_insensitively() -> None:
    assert resolve_name("promotion_code") == "PromotionCode"
    assert resolve_name("PRODUCT") == "Product"
    assert resolve_name("Config") == "config"
    assert resolve_name("plan") is None


def test_fast_check_rejects_keywords_it_does_not_implement() -> None:
    with pytest.raises(ValueError, match="oneOf"):
        compile_schema({"oneOf": [{"type": "string"}]})


def _corpus_documents() -> list[tuple[str, Any]]:
    out = []
    for path in sorted((REPO / "tests" / "invalid").rglob("*.y*ml")) + sorted(
        (REPO / "catalog").rglob("*.yaml")
    ):
        text = Reader().read(path)
        if isinstance(text, Diagnostic):
            continue  # the loader's own cases: a dangling symlink, a Latin-1 file
        for document in parse_yaml(text, str(path)).documents:
            data = document.data
            if isinstance(data, dict) and (
                data.get("kind") in DOCUMENT_KINDS or "environments" in data
            ):
                out.append((path.name, data))
    return out


def test_fast_check_agrees_with_jsonschema_on_every_test_document() -> None:
    documents = _corpus_documents()
    assert len(documents) > 100
    verdicts = set()
    for _, data in documents:
        name = data.get("kind", CONFIG)
        verdict = is_valid(data, name)
        assert verdict == _jsonschema_valid(data, name), data
        verdicts.add(verdict)
    assert verdicts == {True, False}


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10, max_value=10),
    st.sampled_from(["usd", "USD", "9.99", "inf", "month", "x", "", "txcd_1", "cus_1"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["lookup_key", "currency", "unit_amount", "up_to", "interval", "tiers", "x"]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    base=st.sampled_from(_corpus_documents()),
    field=st.sampled_from(["key", "name", "prices", "metadata", "currency", "phases", "x"]),
    value=_VALUES,
)
def test_fast_check_agrees_with_jsonschema_on_mutated_documents(
    base: tuple[str, Any], field: str, value: Any
) -> None:
    data = {**base[1], field: value}
    name = data.get("kind", CONFIG)
    if name not in NAMES:
        name = CONFIG
    assert is_valid(data, name) == _jsonschema_valid(data, name)
