"""Drift: the plan read the other way round, plus what Stripe holds that nobody declared.

`report` takes the plan computed from a state (`catalogsync.pipeline.drift`
reads the account once and plans with the same compare as `plan`); each
operation becomes a `Finding` worded from Stripe's side ("Stripe has X, the
catalog says Y"). Two kinds of finding come from the state, not from operations:

- an active price catalogsync does not manage on a product it manages (a
  price added in the Dashboard: customers can buy it), always reported;
- with ``unmanaged``: every other active object catalogsync does not own,
  and metadata keys on managed objects that neither the catalog declares
  nor catalogsync set (`import --adopt` takes them over).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, assert_never

from catalogsync.changes import FieldChange
from catalogsync.kinds import SPECS, is_active
from catalogsync.model import Catalog, Price, Remote
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
from catalogsync.render.describe import describe
from catalogsync.render.values import show
from catalogsync.state import RemoteState


def report(plan: Plan, state: RemoteState, catalog: Catalog, *, unmanaged: bool) -> DriftReport:
    """The findings for a plan computed from ``state`` (pure)."""
    findings = [f for op in plan.operations if (f := finding(op, plan, catalog)) is not None]
    planned = {op.target.stripe_id for op in plan.operations}
    findings += _prices_beside_managed(state, catalog, planned)
    if unmanaged:
        findings += _unmanaged(state, catalog)
        findings += _foreign_metadata(state, catalog)
    return DriftReport(plan, tuple(findings), unmanaged)


def finding(op: Operation, plan: Plan, catalog: Catalog) -> Finding | None:
    """One plan operation in drift terms; None for steps another finding covers."""
    t = op.target
    name = _name(t)
    cur = _currency(t, catalog)
    match op:
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            entry = describe(op, plan)
            return _found("changed", t, f"{name} differs: {entry.title}")
        case Update():
            return _found("changed", t, f"{name}{_id(t)} differs", _said(op.changes, cur))
        case Adopt():
            details = (*_said(op.changes, cur), "apply adopts it (adds the catalogsync markers)")
            title = f"{name}{_id(t)} is in the catalog but not managed by catalogsync"
            return _found("unmanaged", t, title, details)
        case Replace():
            details = (*_said(op.changes, cur), "Stripe cannot change these in place")
            return _found("changed", t, f"{name}{_id(t)} differs", details)
        case Create():
            return _found("missing", t, f"{name} is in the catalog but not in Stripe")
        case Archive() if op.reason == "removed":
            return _found("extra", t, f"{name}{_id(t)} is active in Stripe, not in the catalog")
        case Delete():
            return _found("extra", t, f"{name}{_id(t)} is in Stripe, not in the catalog")
        case MoveDefaultPrice() if op.before != op.after:
            text = f"default price: Stripe has {op.before or '(none)'}, the catalog says "
            return _found("changed", t, f"{name} differs", (text + (op.after or "(none)"),))
        case AttachFeature():
            title = f"{name}: feature {op.feature} is in the catalog, not attached in Stripe"
            return _found("changed", t, title)
        case DetachFeature():
            title = f"{name}: feature {op.feature} is attached in Stripe, not in the catalog"
            return _found("changed", t, title)
        case Archive() | MoveDefaultPrice():
            return None  # the archive or default move completing a replacement
        case MoveSubscription():
            return None  # a migration moves subscribers the catalog already prices: not drift
        case _:
            assert_never(op)


def said(change: FieldChange, currency: str | None) -> str:
    """``nickname: Stripe has "A", the catalog says "B"`` (archived/active in words)."""
    if change.field == "active" and isinstance(change.before, bool):
        return (
            "archived in Stripe; the catalog has it active"
            if change.after
            else ("active in Stripe; the catalog archives it")
        )
    before = show(change.field, change.before, currency)
    after = show(change.field, change.after, currency)
    return f"{change.field}: Stripe has {before}, the catalog says {after}"


def _said(changes: tuple[FieldChange, ...], currency: str | None) -> tuple[str, ...]:
    return tuple(said(c, currency) for c in changes)


def _found(category: Category, t: Target, title: str, details: tuple[str, ...] = ()) -> Finding:
    return Finding(category, t.kind, t.key, t.stripe_id, title, details)


def _name(t: Target) -> str:
    return f"{t.kind.replace('_', ' ')} {t.key}"


def _id(t: Target) -> str:
    return f" ({t.stripe_id})" if t.stripe_id and t.stripe_id != t.key else ""


def _currency(t: Target, catalog: Catalog) -> str | None:
    if t.kind == "price" and (price := catalog.prices.get(t.key)):
        return price.currency
    if t.kind == "coupon" and (coupon := catalog.coupons.get(t.key)):
        return coupon.currency
    if t.kind == "promotion_code" and (code := catalog.promotion_codes.get(t.key)):
        return code.minimum_amount_currency
    return None


def _prices_beside_managed(
    state: RemoteState, catalog: Catalog, planned: set[str | None]
) -> Iterator[Finding]:
    """Active unmanaged prices on managed products (adoption candidates are plan ops)."""
    for remote in _sorted(state.prices.unmanaged):
        price = remote.resource
        if price.active and price.product in state.products.managed:
            if price.lookup_key in catalog.prices or remote.id in planned:
                continue
            yield Finding(
                "extra",
                "price",
                price.lookup_key or remote.id,
                remote.id,
                f"price {remote.id} on product {price.product} is in Stripe, not in the catalog",
                (_price_text(price),),
            )


def _price_text(price: Price) -> str:
    parts = [f"nickname {show('nickname', price.nickname, None)}"] if price.nickname else []
    if price.unit_amount is not None:
        parts.append(show("unit_amount", price.unit_amount, price.currency))
    if price.recurring is not None:
        parts.append(f"every {price.recurring.interval}")
    parts.append(f"lookup key {price.lookup_key}" if price.lookup_key else "no lookup key")
    return ", ".join(parts)


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
            title = f"{spec.label} {key or remote.id} is in Stripe, not managed by catalogsync"
            yield Finding("unmanaged", kind, key or remote.id, remote.id, title)


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
                yield Finding(
                    "unmanaged",
                    kind,
                    key,
                    remote.id,
                    f"{spec.label} {key}: metadata the catalog does not declare",
                    tuple(
                        f"metadata.{k}: Stripe has {show(k, metadata[k], None)}" for k in foreign
                    ),
                )


def _sorted(remotes: tuple[Remote[Any], ...]) -> list[Remote[Any]]:
    return sorted(remotes, key=lambda r: r.id)
