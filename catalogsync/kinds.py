"""The kinds catalogsync syncs, each declared once: the one registry.

A kind's declaration is what every layer agrees on: its name in plans
(`Kind`), its model class, the model field holding its catalog identity, its
collection in `Catalog` and `RemoteState`, the YAML document kinds it is
written in (each has a schema, ``<document>.schema.json``) and the
dependency level its operations run at. Everything that enumerates kinds
iterates `KINDS`.

What a concern does with a kind (build it from YAML, read it from Stripe,
compare it, write it, render it, import it) stays in that concern's layer,
in a handler chosen by a ``match`` over `Kind` ending in ``assert_never``:
adding a kind to `Kind` makes mypy name every concern that has no handler
for it yet (API path, lists read, comparers, create parameters, imported
files, drift's currency); tables keyed by YAML document kind (the builders
in `catalogsync.catalog.build`) are checked against `DOCUMENT_KINDS` by
tests/test_kinds.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from catalogsync.model import (
    Catalog,
    Coupon,
    Deal,
    Feature,
    Meter,
    Migration,
    Price,
    Product,
    PromotionCode,
    Ramp,
    Resource,
)

Kind = Literal[
    "feature", "meter", "product", "price", "coupon", "promotion_code", "deal", "migration"
]

# Dependency levels (the order of operations): an executor runs the
# levels in order and the operations within one level concurrently.
LEVEL_CATALOG_ROOTS = 0  # features, meters
LEVEL_PRODUCTS = 1
LEVEL_PRICES = 2  # and product feature attachments (need product and feature)
LEVEL_DEFAULT_PRICES = 3
LEVEL_COUPONS = 4
LEVEL_PROMOTION_CODES = 5
LEVEL_DEALS = 6  # and migrations: see `plan.operations.MoveSubscription`
LEVEL_REMOVALS = 7  # archives and deletes last
LEVELS = range(LEVEL_REMOVALS + 1)

# Kinds whose objects can be archived (``active: false``); the others (coupons,
# deals) are live while they exist and are deleted, cancelled or released instead.
Archivable = Product | Price | PromotionCode | Feature | Meter


@dataclass(frozen=True)
class KindSpec:
    """One kind's declaration.

    ``identity`` is the model field holding the catalog identity (a product's
    key, a price's lookup key, a meter's event name…); ``collection`` the
    attribute of `Catalog` and `RemoteState` holding the kind's objects;
    ``document`` the YAML document kind its catalog entries are written in
    (None for prices, declared inside their product), whose identity field
    has the model's name; ``shapes`` the catalog-only document kinds its
    entries may refer to (a deal's ramp), never synced themselves;
    ``objects`` whether Stripe holds the kind as objects of its own, read into
    a `KindState` (a deal is a subscription schedule, read with its customer).
    """

    kind: Kind
    model: type[Resource]
    identity: str
    collection: str
    document: str | None
    level: int
    shapes: tuple[str, ...] = ()
    objects: bool = True

    @property
    def label(self) -> str:
        """The kind in words: ``promotion code``."""
        return self.kind.replace("_", " ")

    @property
    def has_metadata(self) -> bool:
        """Whether its objects carry Stripe metadata (meters do not)."""
        return any(f.name == "metadata" for f in fields(self.model))

    def declared(self, catalog: Catalog) -> Mapping[str, Any]:
        """The catalog's objects of this kind, by identity."""
        found: Mapping[str, Any] = getattr(catalog, self.collection)
        return found

    def key_of(self, resource: object) -> str:
        """The catalog identity of one of this kind's objects (``""`` when it has none)."""
        value: str | None = getattr(resource, self.identity)
        return value or ""


KINDS: tuple[KindSpec, ...] = (
    KindSpec("product", Product, "key", "products", "Product", LEVEL_PRODUCTS),
    KindSpec("price", Price, "lookup_key", "prices", None, LEVEL_PRICES),
    KindSpec("coupon", Coupon, "id", "coupons", "Coupon", LEVEL_COUPONS),
    KindSpec(
        "promotion_code",
        PromotionCode,
        "code",
        "promotion_codes",
        "PromotionCode",
        LEVEL_PROMOTION_CODES,
    ),
    KindSpec("feature", Feature, "lookup_key", "features", "Feature", LEVEL_CATALOG_ROOTS),
    KindSpec("meter", Meter, "event_name", "meters", "Meter", LEVEL_CATALOG_ROOTS),
    KindSpec("deal", Deal, "key", "deals", "Deal", LEVEL_DEALS, shapes=("Ramp",), objects=False),
    # A migration owns no Stripe object: it moves subscriptions (read with its cohort).
    KindSpec("migration", Migration, "key", "migrations", "Migration", LEVEL_DEALS, objects=False),
)
SPECS: Mapping[Kind, KindSpec] = {spec.kind: spec for spec in KINDS}
_BY_MODEL: Mapping[type, KindSpec] = {spec.model: spec for spec in KINDS}
# YAML document kinds, in registry order (a shape before the kind using it):
# the order `catalogsync schema` lists them.
DOCUMENT_KINDS: tuple[str, ...] = tuple(
    d for spec in KINDS for d in (*spec.shapes, spec.document) if d is not None
)
DOCUMENT_SPECS: Mapping[str, KindSpec] = {s.document: s for s in KINDS if s.document is not None}


def spec_of(resource: object) -> KindSpec:
    """The declaration of the kind ``resource`` (a model object) belongs to."""
    return _BY_MODEL[type(resource)]


def is_active(resource: object) -> bool:
    """Whether the object is live: ``active`` where the kind can be archived, else True."""
    return resource.active if isinstance(resource, Archivable) else True


def catalog_of(resources: Iterable[Resource]) -> Catalog:
    """The catalog holding ``resources``, each kind keyed by identity in the order given."""
    collections: dict[str, dict[str, Any]] = {spec.collection: {} for spec in KINDS}
    ramps: dict[str, Ramp] = {}
    for resource in resources:
        if isinstance(resource, Ramp):  # a deal's reusable shape, never synced itself
            ramps[resource.key] = resource
        else:
            spec = spec_of(resource)
            collections[spec.collection][spec.key_of(resource)] = resource
    return Catalog(ramps=ramps, **collections)
