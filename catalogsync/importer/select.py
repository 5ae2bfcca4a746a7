"""Which objects of an account an import writes, and with which metadata.

Live objects are imported, managed or not; archived ones only with
``include_archived``, or when an imported object refers to them (a coupon's
``applies_to`` product, a product's feature, a price's meter): then they are
written with ``active: false`` so every reference in the catalog resolves.
Prices without a lookup key cannot be identified by a catalog and are left
out (``drift`` reports them); so are promotion codes whose coupon is gone.

Metadata: keys catalogsync set (``catalogsync_owned``) are always written.
Keys anyone else wrote are written only with ``adopt``, so that applying the
adoption makes catalogsync their owner too; without it they stay the other
writer's and catalogsync never touches them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from catalogsync.model import (
    Catalog,
    Coupon,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Remote,
)
from catalogsync.plan.state import KindState, RemoteState

R = TypeVar("R")


@dataclass(frozen=True)
class Selection:
    """The catalog an import writes and what it left out, in words."""

    catalog: Catalog
    unmanaged: tuple[str, ...]  # "product addon": objects the next plan adopts
    left_out: tuple[str, ...]


def select(state: RemoteState, *, include_archived: bool, adopt: bool) -> Selection:
    """Choose the resources to import from ``state``."""
    return _Selector(state, include_archived, adopt).run()


class _Selector:
    def __init__(self, state: RemoteState, include_archived: bool, adopt: bool) -> None:
        self.state = state
        self.include_archived = include_archived
        self.adopt = adopt
        self.unmanaged: list[str] = []
        self.left_out: list[str] = []

    def run(self) -> Selection:
        s = self.state
        coupons = _by_identity(s.coupons, lambda c: c.id)
        products = _by_identity(s.products, lambda p: p.key)
        needed_products = {k for c in coupons.values() for k in c.resource.applies_to or ()}
        chosen_products = self._choose(products, needed_products)
        prices = self._prices(chosen_products)
        meters = _by_identity(s.meters, lambda m: m.event_name)
        needed_meters = {p.recurring.meter for p in prices.values() if p.recurring}
        features = _by_identity(s.features, lambda f: f.lookup_key)
        needed_features = {f for p in chosen_products.values() for f in p.features or ()}
        codes = self._promotion_codes(coupons.keys())
        catalog = Catalog(
            products={k: self._default_price(p, prices) for k, p in chosen_products.items()},
            prices=prices,
            coupons=self._choose(coupons, set()),
            promotion_codes=self._choose(codes, set()),
            features=self._choose(features, needed_features),
            meters=self._choose(meters, {m for m in needed_meters if m}),
        )
        return Selection(catalog, tuple(sorted(self.unmanaged)), tuple(sorted(self.left_out)))

    def _choose(self, remotes: Mapping[str, Remote[R]], needed: set[str]) -> dict[str, R]:
        """Live objects, archived ones when asked or referenced; sorted by identity."""
        out: dict[str, R] = {}
        for key in sorted(remotes):
            remote = remotes[key]
            if _active(remote) or self.include_archived or key in needed:
                out[key] = self._keep(remote)
        return out

    def _keep(self, remote: Remote[R]) -> R:
        if not remote.managed and _has_marker(remote.resource):
            self.unmanaged.append(f"{_kind(remote.resource)} {_identity(remote.resource)}")
        return _with_metadata(remote, self.adopt)

    def _prices(self, products: Mapping[str, Product]) -> dict[str, Price]:
        s = self.state.prices
        keyed: dict[str, Remote[Price]] = {}
        for remote in sorted([*s.managed.values(), *s.unmanaged], key=_newest_active):
            price = remote.resource
            if not price.lookup_key:
                if price.active and price.product in products:
                    self.left_out.append(
                        f"price {remote.id} of product {price.product}: it has no lookup key"
                    )
                continue
            if price.product in products:
                keyed[price.lookup_key] = remote
        return self._choose(keyed, set())

    def _promotion_codes(self, coupons: Iterable[str]) -> dict[str, Remote[PromotionCode]]:
        known = set(coupons)
        out = {}
        for key, remote in _by_identity(self.state.promotion_codes, lambda c: c.code).items():
            if remote.resource.coupon in known:
                out[key] = remote
            elif _active(remote):
                self.left_out.append(f"promotion code {key}: its coupon no longer exists")
        return out

    @staticmethod
    def _default_price(product: Product, prices: Mapping[str, Price]) -> Product:
        # A default price left out (archived, no lookup key) cannot be named.
        if product.default_price is not None and product.default_price not in prices:
            return dataclasses.replace(product, default_price=None)
        return product


def _by_identity(kind: KindState[R], identity: Callable[[R], str | None]) -> dict[str, Remote[R]]:
    """Every object by identity; on a tie the active one, then the newest, wins."""
    out: dict[str, Remote[R]] = {}
    for remote in sorted([*kind.managed.values(), *kind.unmanaged], key=_newest_active):
        key = identity(remote.resource)
        if key:
            out[key] = remote
    return out


def _newest_active(remote: Remote[Any]) -> tuple[bool, int, str]:
    # Sorted ascending, so the last one written to a dict wins.
    return (_active(remote), remote.created, remote.id)


def _active(remote: Remote[Any]) -> bool:
    return bool(getattr(remote.resource, "active", True))


def _has_marker(resource: object) -> bool:
    # Meters carry no metadata: a meter is managed by being in the catalog.
    return not isinstance(resource, Meter)


def _with_metadata(remote: Remote[R], adopt: bool) -> R:
    resource = remote.resource
    metadata: Mapping[str, str] | None = getattr(resource, "metadata", None)
    if metadata is None or adopt:
        return resource
    owned = {k: v for k, v in metadata.items() if k in remote.owned_metadata}
    return dataclasses.replace(resource, metadata=owned)  # type: ignore[type-var]


_KINDS: Mapping[type, tuple[str, Callable[[Any], str]]] = {
    Product: ("product", lambda r: r.key),
    Price: ("price", lambda r: r.lookup_key),
    Coupon: ("coupon", lambda r: r.id),
    PromotionCode: ("promotion code", lambda r: r.code),
    Feature: ("feature", lambda r: r.lookup_key),
}


def _kind(resource: object) -> str:
    return _KINDS[type(resource)][0]


def _identity(resource: object) -> str:
    return _KINDS[type(resource)][1](resource)
