"""Drift: the plan read the other way round, plus what Stripe holds that nobody declared.

`report` takes the plan computed from a state (`catalogsync.pipeline.drift`
reads the account once and plans with the same compare as `plan`); each
operation becomes a `Finding` (data: `catalogsync.render.drift` words it from
Stripe's side, "Stripe has X, the catalog says Y"). Two kinds of finding come
from the state, not from operations:

- an active price catalogsync does not manage on a product it manages (a
  price added in the Dashboard: customers can buy it), always reported;
- with ``unmanaged``: every other active object catalogsync does not own,
  and metadata keys on managed objects that neither the catalog declares
  nor catalogsync set (`import --adopt` takes them over).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, assert_never

from catalogsync.kinds import SPECS, is_active
from catalogsync.model import Catalog, Remote
from catalogsync.plan.findings import Category, DriftReport, Finding
from catalogsync.plan.operations import (
    Adopt,
    AdoptDeal,
    Archive,
    AttachFeature,
    CancelDeal,
    Create,
    CreateDeal,
    Delete,
    DetachFeature,
    MoveDefaultPrice,
    MoveSubscription,
    Operation,
    ReleaseDeal,
    Replace,
    Target,
    Update,
    UpdateDeal,
)
from catalogsync.plan.plan import Plan
from catalogsync.state import RemoteState


def report(plan: Plan, state: RemoteState, catalog: Catalog, *, unmanaged: bool) -> DriftReport:
    """The findings for a plan computed from ``state`` (pure)."""
    findings = [f for op in plan.operations if (f := finding(op, catalog)) is not None]
    planned = {op.target.stripe_id for op in plan.operations}
    findings += _prices_beside_managed(state, catalog, planned)
    if unmanaged:
        findings += _unmanaged(state, catalog)
        findings += _foreign_metadata(state, catalog)
    return DriftReport(plan, tuple(findings), unmanaged)


def finding(op: Operation, catalog: Catalog) -> Finding | None:
    """One plan operation in drift terms; None for steps another finding covers."""
    match op:
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            return _found("changed", op, catalog)
        case Update() | Replace() | AttachFeature() | DetachFeature():
            return _found("changed", op, catalog)
        case MoveDefaultPrice() if op.before != op.after:
            return _found("changed", op, catalog)
        case Adopt():
            return _found("unmanaged", op, catalog)
        case Create():
            return _found("missing", op, catalog)
        case Archive() if op.reason == "removed":
            return _found("extra", op, catalog)
        case Delete():
            return _found("extra", op, catalog)
        case Archive() | MoveDefaultPrice():
            return None  # the archive or default move completing a replacement
        case MoveSubscription():
            return None  # a migration moves subscribers the catalog already prices: not drift
        case _:
            assert_never(op)


def _found(category: Category, op: Operation, catalog: Catalog) -> Finding:
    t = op.target
    return Finding(category, t.kind, t.key, t.stripe_id, op, currency=_currency(t, catalog))


def _currency(t: Target, catalog: Catalog) -> str | None:
    """The currency the catalog gives the object's amounts in."""
    match t.kind:
        case "price":
            price = catalog.prices.get(t.key)
            return price.currency if price else None
        case "coupon":
            coupon = catalog.coupons.get(t.key)
            return coupon.currency if coupon else None
        case "promotion_code":
            code = catalog.promotion_codes.get(t.key)
            return code.minimum_amount_currency if code else None
        case "product" | "feature" | "meter" | "deal" | "migration":
            return None
        case _:
            assert_never(t.kind)


def _prices_beside_managed(
    state: RemoteState, catalog: Catalog, planned: set[str | None]
) -> Iterator[Finding]:
    """Active unmanaged prices on managed products (adoption candidates are plan ops)."""
    for remote in _sorted(state.prices.unmanaged):
        price = remote.resource
        if price.active and price.product in state.products.managed:
            if price.lookup_key in catalog.prices or remote.id in planned:
                continue
            yield Finding("extra", "price", price.lookup_key or remote.id, remote.id, price=price)


def _unmanaged(state: RemoteState, catalog: Catalog) -> Iterator[Finding]:
    """Active objects catalogsync does not own and the catalog does not name."""
    for kind, objects in state.objects().items():
        spec = SPECS[kind]
        declared = spec.declared(catalog)
        for remote in _sorted(objects.unmanaged):
            key = spec.key_of(remote.resource)
            if not is_active(remote.resource) or key in declared:
                continue
            if kind == "price" and remote.resource.product in state.products.managed:
                continue  # reported by _prices_beside_managed
            yield Finding("unmanaged", kind, key or remote.id, remote.id)


def _foreign_metadata(state: RemoteState, catalog: Catalog) -> Iterator[Finding]:
    """Metadata keys on managed objects that neither catalogsync nor the catalog set."""
    for kind, objects in state.objects().items():
        spec = SPECS[kind]
        if not spec.has_metadata:
            continue
        declared = spec.declared(catalog)
        for key, remote in sorted(objects.managed.items()):
            want = declared.get(key)
            if want is None:
                continue
            metadata: Mapping[str, str] = remote.resource.metadata
            foreign = sorted(set(metadata) - remote.owned_metadata - set(want.metadata))
            if foreign:
                found = {k: metadata[k] for k in foreign}
                yield Finding("unmanaged", kind, key, remote.id, foreign_metadata=found)


def _sorted(remotes: tuple[Remote[Any], ...]) -> list[Remote[Any]]:
    return sorted(remotes, key=lambda r: r.id)
