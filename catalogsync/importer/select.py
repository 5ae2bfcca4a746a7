"""Which objects of an account an import writes, and with which metadata.

Live objects are imported, managed or not; archived ones only with
``include_archived``, or when an imported object refers to them (a coupon's
``applies_to`` product, a product's feature, a price's meter): then they are
written with ``active: false`` so every reference in the catalog resolves.
A live price without a lookup key (common in a legacy account) gets a
generated one, unique in the account (`generated_lookup_key`); the next plan
adopts that Stripe price and sets the key. Promotion codes whose coupon is
gone are left out.

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

from catalogsync.kinds import is_active, spec_of
from catalogsync.model import (
    Catalog,
    Meter,
    Price,
    Product,
    PromotionCode,
    Remote,
)
from catalogsync.state import KindState, RemoteState

R = TypeVar("R")


@dataclass(frozen=True)
class Selection:
    """The catalog an import writes and what it left out, in words."""

    catalog: Catalog
    unmanaged: tuple[str, ...]  # "product addon": objects the next plan adopts
    left_out: tuple[str, ...]
    keys_generated: tuple[str, ...] = ()  # "price price_1… of product p: p_usd_month"
    # "price seat (price_1…): recurring.trial_period_days": billing the format cannot express
    unexpressible: tuple[str, ...] = ()


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
        self.keys_generated: list[str] = []
        self.unexpressible: list[str] = []

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
        return Selection(
            catalog,
            tuple(sorted(self.unmanaged)),
            tuple(sorted(self.left_out)),
            tuple(self.keys_generated),
            tuple(self.unexpressible),
        )

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
            spec = spec_of(remote.resource)
            self.unmanaged.append(f"{spec.label} {spec.key_of(remote.resource)}")
        return _with_metadata(remote, self.adopt)

    def _prices(self, products: Mapping[str, Product]) -> dict[str, Price]:
        s = self.state.prices
        keyed: dict[str, Remote[Price]] = {}
        keyless: list[Remote[Price]] = []
        everything = sorted([*s.managed.values(), *s.unmanaged], key=_newest_active)
        for remote in everything:
            price = remote.resource
            if price.product not in products:
                continue
            if price.lookup_key:
                keyed[price.lookup_key] = remote
            elif price.active:
                keyless.append(remote)
        taken = {r.resource.lookup_key for r in everything if r.resource.lookup_key}
        for remote in sorted(keyless, key=lambda r: (r.created, r.id)):
            key = generated_lookup_key(remote.resource, taken)
            taken.add(key)
            keyed[key] = dataclasses.replace(
                remote, resource=dataclasses.replace(remote.resource, lookup_key=key)
            )
            product = remote.resource.product
            self.keys_generated.append(f"price {remote.id} of product {product}: {key}")
        chosen = self._choose(keyed, set())
        self.unexpressible += [
            f"price {key} ({remote.id}): {', '.join(remote.unmodelled)}"
            for key, remote in sorted(keyed.items())
            if key in chosen and remote.unmodelled
        ]
        return chosen

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


def generated_lookup_key(price: Price, taken: set[str]) -> str:
    """A readable lookup key for a keyless price, unique among ``taken``.

    ``<product>_<currency>_<interval>`` (``_once`` for one-time prices,
    ``_3month`` for every third month), then ``_2``, ``_3``… on a clash.
    Deterministic: the same account imports to the same keys.
    """
    if price.recurring is None:
        cadence = "once"
    else:
        count = price.recurring.interval_count or 1
        cadence = f"{count if count > 1 else ''}{price.recurring.interval}"
    return unique_key(f"{price.product}_{price.currency}_{cadence}", taken)


def unique_key(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``… whichever ``taken`` does not hold yet."""
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


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
    return is_active(remote.resource)


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
