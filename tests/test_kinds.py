"""The registry of kinds: every kind declared once, and its declaration true of the model."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import get_args

from catalogsync.catalog.build import BUILDERS
from catalogsync.catalog.schemas import bundled
from catalogsync.gateway.paths import collection_path
from catalogsync.kinds import (
    DOCUMENT_KINDS,
    DOCUMENT_SPECS,
    KINDS,
    SPECS,
    Kind,
    catalog_of,
    is_active,
    spec_of,
)
from catalogsync.model import (
    Catalog,
    Coupon,
    CustomerRef,
    Deal,
    Duration,
    Feature,
    Meter,
    Phase,
    Price,
    Product,
    Ramp,
    Resource,
)
from catalogsync.plan.compare import COMPARERS, comparers
from catalogsync.state import KindState, RemoteState


def test_every_kind_is_declared_exactly_once() -> None:
    assert sorted(s.kind for s in KINDS) == sorted(get_args(Kind))
    assert len({s.model for s in KINDS}) == len(KINDS)
    assert len({s.collection for s in KINDS}) == len(KINDS)


def test_identity_names_a_string_field_of_the_model() -> None:
    for spec in KINDS:
        types = {f.name: f.type for f in dataclasses.fields(spec.model)}
        assert types[spec.identity] == "str", spec.kind


def test_catalog_has_a_collection_per_kind_and_the_ramps() -> None:
    collections = {f.name for f in dataclasses.fields(Catalog)}
    assert collections == {s.collection for s in KINDS} | {"ramps"}
    for spec in KINDS:
        assert f"Mapping[str, {spec.model.__name__}]" in _field_type(Catalog, spec.collection)


def test_remote_state_holds_each_kind() -> None:
    for spec in KINDS:  # objects of their own in a KindState; others (deals) their own state
        held = _field_type(RemoteState, spec.collection)
        assert (held == f"KindState[{spec.model.__name__}]") == spec.objects, spec.kind


def test_remote_state_objects_in_registry_order() -> None:
    products: KindState[Product] = KindState()
    state = RemoteState("acct_1", False, products=products)
    objects = state.objects()
    assert list(objects) == [s.kind for s in KINDS if s.objects]
    assert objects["product"] is products
    assert "deal" not in objects


def test_documents_have_schemas_and_identity_fields() -> None:
    assert DOCUMENT_KINDS == (
        "Product",
        "Coupon",
        "PromotionCode",
        "Feature",
        "Meter",
        "Ramp",
        "Deal",
        "Migration",
    )
    for document, spec in DOCUMENT_SPECS.items():
        schema = bundled(document)
        assert spec.identity in schema["required"], document
    assert "Ramp" not in DOCUMENT_SPECS  # a shape, not a kind of its own
    assert SPECS["price"].document is None  # declared inside its product


def test_labels_and_metadata() -> None:
    assert SPECS["promotion_code"].label == "promotion code"
    # Meters carry none; a migration owns no Stripe object to carry it.
    assert [s.kind for s in KINDS if not s.has_metadata] == ["meter", "migration"]


def test_spec_of_and_key_of() -> None:
    price = Price("pro_month", "pro", "usd")
    assert spec_of(price) is SPECS["price"]
    assert SPECS["price"].key_of(price) == "pro_month"
    assert SPECS["price"].key_of(Price("", "pro", "usd")) == ""
    assert SPECS["meter"].key_of(Meter("api_calls", "API calls")) == "api_calls"


def test_is_active_archivable_kinds_by_their_flag_others_while_they_exist() -> None:
    assert is_active(Product("pro", "Pro"))
    assert not is_active(Product("pro", "Pro", active=False))
    assert not is_active(Feature("sso", "SSO", active=False))
    assert not is_active(Meter("calls", "Calls", active=False))
    assert is_active(Coupon("SAVE10", percent_off=Decimal(10)))
    assert is_active(Deal("acme", CustomerRef(id="cus_1"), date(2030, 1, 1)))


def test_catalog_of_groups_by_kind_keyed_by_identity_in_declaration_order() -> None:
    ramp = Ramp("ramp", (Phase(Duration("year"), ()),))
    resources: list[Resource] = [
        Product("b", "B"),
        Price("b_2", "b", "usd"),
        Price("b_1", "b", "usd"),
        ramp,
        Product("a", "A"),
        Coupon("X", percent_off=Decimal(5)),
    ]
    catalog = catalog_of(resources)
    assert list(catalog.products) == ["b", "a"]
    assert list(catalog.prices) == ["b_2", "b_1"]
    assert catalog.coupons == {"X": resources[5]}
    assert catalog.ramps == {"ramp": ramp}
    assert catalog.deals == {}
    assert catalog.meters == {}


def _field_type(cls: type, name: str) -> str:
    return str(next(f.type for f in dataclasses.fields(cls) if f.name == name))


def test_every_document_kind_has_a_builder() -> None:
    assert set(BUILDERS) == set(DOCUMENT_KINDS)


def test_comparers_run_in_dependency_order() -> None:
    level_of = {c: spec.level for spec in KINDS for c in comparers(spec.kind)}
    assert set(COMPARERS) == set(level_of)
    levels = [level_of[c] for c in COMPARERS]
    assert levels == sorted(levels)  # a kind's comparers see the operations of lower levels


def test_every_kind_has_an_api_collection() -> None:
    paths = {collection_path(spec.kind) for spec in KINDS}
    assert len(paths) == len(KINDS)
    assert all(p.startswith("/v1/") for p in paths)
