"""Each drift finding in words, from Stripe's side: "Stripe has X, the catalog says Y".

`catalogsync.drift` finds the differences as data (`Finding`); every drift
format (`catalogsync.render.drift`) shows a finding as its `title` and `details`.
"""

from __future__ import annotations

from typing import assert_never

from catalogsync.changes import FieldChange
from catalogsync.kinds import SPECS
from catalogsync.model import Price
from catalogsync.plan.findings import Finding
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
from catalogsync.render.describe import NONE_TEXT, describe
from catalogsync.render.values import show


def title(f: Finding, plan: Plan) -> str:
    """The finding in one line."""
    if f.operation is not None:
        return _operation_title(f.operation, plan)
    label = SPECS[f.kind].label
    if f.price is not None:
        return f"price {f.stripe_id} on product {f.price.product} is in Stripe, not in the catalog"
    if f.foreign_metadata:
        return f"{label} {f.key}: metadata the catalog does not declare"
    return f"{label} {f.key} is in Stripe, not managed by catalogsync"


def details(f: Finding) -> tuple[str, ...]:
    """The lines under the title: each field that differs, and what apply would do about it."""
    op = f.operation
    if op is None:
        if f.price is not None:
            return (_price_text(f.price),)
        return tuple(
            f"metadata.{k}: Stripe has {show(k, v, None)}" for k, v in f.foreign_metadata.items()
        )
    match op:
        case Update():
            return _said(op.changes, f.currency)
        case Adopt():
            return (
                *_said(op.changes, f.currency),
                "apply adopts it (adds the catalogsync markers)",
            )
        case Replace():
            return (*_said(op.changes, f.currency), "Stripe cannot change these in place")
        case MoveDefaultPrice():
            before, after = op.before or NONE_TEXT, op.after or NONE_TEXT
            return (f"default price: Stripe has {before}, the catalog says {after}",)
        case Create() | Archive() | Delete() | AttachFeature() | DetachFeature():
            return ()
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            return ()
        case MoveSubscription():
            return ()
        case _:
            assert_never(op)


def _said_one(change: FieldChange, currency: str | None) -> str:
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


def _operation_title(op: Operation, plan: Plan) -> str:
    t = op.target
    name = f"{SPECS[t.kind].label} {t.key}"
    match op:
        case Update() | Replace():
            return f"{name}{_id(t)} differs"
        case Adopt():
            return f"{name}{_id(t)} is in the catalog but not managed by catalogsync"
        case Create():
            return f"{name} is in the catalog but not in Stripe"
        case Archive():
            return f"{name}{_id(t)} is active in Stripe, not in the catalog"
        case Delete():
            return f"{name}{_id(t)} is in Stripe, not in the catalog"
        case MoveDefaultPrice():
            return f"{name} differs"
        case AttachFeature():
            return f"{name}: feature {op.feature} is in the catalog, not attached in Stripe"
        case DetachFeature():
            return f"{name}: feature {op.feature} is attached in Stripe, not in the catalog"
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            return f"{name} differs: {describe(op, plan).title}"
        case MoveSubscription():
            return f"{name}: {describe(op, plan).title}"
        case _:
            assert_never(op)


def _said(changes: tuple[FieldChange, ...], currency: str | None) -> tuple[str, ...]:
    return tuple(_said_one(c, currency) for c in changes)


def _id(t: Target) -> str:
    return f" ({t.stripe_id})" if t.stripe_id and t.stripe_id != t.key else ""


def _price_text(price: Price) -> str:
    parts = [f"nickname {show('nickname', price.nickname, None)}"] if price.nickname else []
    if price.unit_amount is not None:
        parts.append(show("unit_amount", price.unit_amount, price.currency))
    if price.recurring is not None:
        parts.append(f"every {price.recurring.interval}")
    parts.append(f"lookup key {price.lookup_key}" if price.lookup_key else "no lookup key")
    return ", ".join(parts)
