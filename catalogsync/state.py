"""What the gateway read from Stripe, in the model's vocabulary, and its fingerprint."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from catalogsync.deals import DealState
from catalogsync.kinds import KINDS, SPECS, Kind
from catalogsync.migrations import MigrationState
from catalogsync.model import Coupon, Feature, Meter, Price, Product, PromotionCode, Remote
from catalogsync.values import Value, declared_fields, digest, encode, to_value

R = TypeVar("R")


@dataclass(frozen=True)
class KindState(Generic[R]):
    """One kind's objects: managed ones by catalog identity, the rest as read.

    An unmanaged object whose identity matches a catalog resource is a
    candidate for adoption; the others are never touched.
    """

    managed: Mapping[str, Remote[R]] = field(default_factory=dict)
    unmanaged: tuple[Remote[R], ...] = ()
    # Managed objects whose identity a newer or active managed object holds,
    # by identity: what an interrupted replace leaves behind (the new price
    # took the lookup key, the old one was not archived yet).
    superseded: tuple[tuple[str, Remote[R]], ...] = ()


@dataclass(frozen=True)
class RemoteState:
    """Everything a plan read from one Stripe account.

    ``default_prices`` maps product id to its default price id (the
    product's ``default_price`` field holds the lookup key, when the price
    has one). ``product_features`` maps product id to its attached features
    (feature lookup key -> product_feature id); only products whose features
    were read appear. ``deals``: managed schedules and resolved customers.
    ``migrations``: the subscriptions on the migrations' `from` prices.
    """

    account_id: str
    livemode: bool
    products: KindState[Product] = field(default_factory=KindState)
    prices: KindState[Price] = field(default_factory=KindState)
    coupons: KindState[Coupon] = field(default_factory=KindState)
    promotion_codes: KindState[PromotionCode] = field(default_factory=KindState)
    features: KindState[Feature] = field(default_factory=KindState)
    meters: KindState[Meter] = field(default_factory=KindState)
    default_prices: Mapping[str, str] = field(default_factory=dict)
    product_features: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    deals: DealState = field(default_factory=DealState)
    migrations: MigrationState = field(default_factory=MigrationState)

    def objects(self) -> dict[Kind, KindState[Any]]:
        """What was read of each kind Stripe holds as objects of its own (all but deals)."""
        return {spec.kind: getattr(self, spec.collection) for spec in KINDS if spec.objects}


# The kinds whose lists were fingerprinted even when empty before kinds had a
# registry. Any other kind counts only once it holds objects, so declaring a new
# kind leaves every existing fingerprint (and the plans saved with it) as it was.
_FINGERPRINTED_EMPTY: frozenset[Kind] = frozenset(
    {"product", "price", "coupon", "promotion_code", "feature", "meter"}
)


def fingerprint(state: RemoteState) -> str:
    """A hash over the normalized remote state: changes when anything read changes."""
    data: dict[str, Value] = {
        "account": state.account_id,
        "livemode": state.livemode,
        "kinds": {
            SPECS[k].collection: _kind_value(v)
            for k, v in state.objects().items()
            if k in _FINGERPRINTED_EMPTY or v != KindState()
        },
        "default_prices": to_value(state.default_prices),
        "product_features": to_value(state.product_features),
    }
    if state.deals != DealState():
        # Schedules with their status and current phase: a phase starting
        # between plan and apply makes a saved plan stale.
        deals = declared_fields(state.deals)
        if not state.deals.unmanaged:  # only then: other states' fingerprints stay as they were
            del deals["unmanaged"]
        data["deals"] = deals
    if state.migrations != MigrationState():
        # Every cohort subscription as read (items, periods, status, schedule): a
        # saved plan whose cohort changed is stale. The clock is not: it always moves.
        migrations = declared_fields(state.migrations)
        del migrations["read_at"]
        data["migrations"] = migrations
    # Every part of ``data`` is already a Value: encoding it directly (instead of
    # converting the whole tree again) halves the cost for a large account.
    return digest(encode(data, canonical=True))


def _kind_value(kind: KindState[R]) -> Value:
    objects = [*kind.managed.values(), *kind.unmanaged, *(r for _, r in kind.superseded)]
    return tuple(_remote_value(r) for r in sorted(objects, key=lambda r: r.id))


def _remote_value(remote: Remote[R]) -> Value:
    value: dict[str, Value] = {
        "id": remote.id,
        "managed": remote.managed,
        "owned": tuple(sorted(remote.owned_metadata)),
        "resource": to_value(remote.resource),
    }
    if remote.unmodelled:  # only then: fingerprints of other states stay as they were
        value["unmodelled"] = remote.unmodelled
    return value
