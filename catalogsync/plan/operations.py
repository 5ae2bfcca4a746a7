"""The operations a plan is made of: a closed union of frozen dataclasses.

Each operation carries everything an executor needs without reading Stripe
again: the Stripe id of the object it changes (``Target.stripe_id``), the
declared fields of the desired resource or the field-level changes, and the
ids of referenced objects known at plan time (``refs``). References to
objects the same plan creates (a new meter, a new price that becomes a
default price) are by identity; the executor runs dependency levels in order
and resolves them from what earlier levels created.

Field-level changes are `catalogsync.changes.FieldChange` (model vocabulary:
the gateway turns them into request parameters).

Renderers and executors dispatch with ``match`` and ``assert_never``, so
mypy flags an operation nobody handles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, assert_never, get_args

from catalogsync.changes import FieldChange
from catalogsync.kinds import (
    LEVEL_DEALS,
    LEVEL_DEFAULT_PRICES,
    LEVEL_PRICES,
    LEVEL_REMOVALS,
    SPECS,
    Kind,
)
from catalogsync.model import ProrationBehavior, Source
from catalogsync.values import Value


@dataclass(frozen=True)
class Target:
    """The object an operation is about: its kind, identity and Stripe id.

    ``key`` is the catalog identity (product key, price lookup key, coupon id,
    promotion code, feature lookup key, meter event name, deal key);
    ``stripe_id`` is the existing object's id, ``None`` for one not yet created.
    """

    kind: Kind
    key: str
    stripe_id: str | None = None


@dataclass(frozen=True)
class Create:
    """Create a resource with the fields the catalog declares (``+``).

    Prices are created with ``transfer_lookup_key`` so a key left on an
    archived price does not block them.
    """

    target: Target
    fields: Mapping[str, Value]
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class Update:
    """Change mutable fields in place (``~``).

    ``owned`` is the metadata keys the catalog declares, recorded in
    ``catalogsync_owned`` whenever metadata is written.
    """

    target: Target
    changes: tuple[FieldChange, ...]
    owned: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class Adopt:
    """Take over an unmanaged object whose identity matches the catalog.

    Writes the ownership markers plus ``changes`` (mutable fields only).
    """

    target: Target
    changes: tuple[FieldChange, ...]
    owned: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class Replace:
    """An immutable field changed: a new object replaces the old one (``±``).

    Price: create ``fields`` with ``transfer_lookup_key``; a `MoveDefaultPrice`
    and an `Archive` (reason ``replaced``) of ``target.stripe_id`` follow as
    their own steps. Coupon: delete and recreate under the same id.
    Promotion code: deactivate the old code, then create the new one.
    ``adopt`` is set when the old object was not managed by catalogsync.
    """

    target: Target
    changes: tuple[FieldChange, ...]
    fields: Mapping[str, Value]
    refs: Mapping[str, str] = field(default_factory=dict)
    adopt: bool = False
    source: Source | None = None


@dataclass(frozen=True)
class Archive:
    """Deactivate a managed object (``active: false``): removed or replaced (``-``)."""

    target: Target
    reason: Literal["removed", "replaced"] = "removed"


@dataclass(frozen=True)
class Delete:
    """Delete a managed coupon that left the catalog (``-``)."""

    target: Target


@dataclass(frozen=True)
class MoveDefaultPrice:
    """Point a product's ``default_price`` at another price, or clear it (``after=None``).

    ``after`` is a price lookup key; ``after_price_id`` is its id when the
    price already exists and keeps it (a price created or replaced by the
    same plan is resolved by the executor).
    """

    target: Target
    before: str | None
    after: str | None
    after_price_id: str | None = None


@dataclass(frozen=True)
class AttachFeature:
    """Attach an entitlement feature to a product (``feature_id`` if it exists)."""

    target: Target
    feature: str
    feature_id: str | None = None


@dataclass(frozen=True)
class DetachFeature:
    """Detach an entitlement feature from a product (``attachment_id``: product_feature id)."""

    target: Target
    feature: str
    attachment_id: str


@dataclass(frozen=True)
class ItemSwap:
    """One subscription item moving to a new price, its quantity kept.

    ``to_price`` is ``None`` when the same plan creates or replaces the price
    holding ``to_lookup_key``: the executor resolves it by that key.
    """

    item: str  # si_…
    from_price: str
    to_price: str | None
    to_lookup_key: str
    quantity: int
    from_lookup_key: str = ""  # the key the old price holds or held ("" for none)


@dataclass(frozen=True)
class MoveSubscription:
    """Move one subscription of a migration's cohort off its `from` prices.

    ``target`` is ``Target("migration", <migration key>, <sub_…>)``. ``at`` is
    ``now``, ``renewal`` or a date (YYYY-MM-DD); ``moves_at`` is when, in unix
    seconds: for ``now`` the plan's clock (the ``proration_date`` Stripe is
    asked to prorate for, so the proration billed is the one shown), for
    ``renewal`` the swapped items' period end, for a date its 00:00 UTC.
    ``proration`` is the planned net proration in minor units of
    ``currency`` (``at: now`` with prorations only). ``period_start`` is the
    swapped items' current period start (a schedule's first phase keeps it);
    ``kept`` the (price id, quantity) of every item not swapped, which a
    schedule's phases must repeat. ``mrr_before`` and
    ``mrr_after`` are the swapped items' recurring amount per month, in
    minor units. ``discounts`` are the subscription's discounts, which a
    schedule must repeat in every phase. ``schedule`` is set when an
    interrupted apply left the subscription an unconfigured schedule
    (created ``from_subscription``, phases not yet written): apply finishes
    it instead of creating another.

    Migrations run at the deals' level: both need the prices and coupons of
    the levels before and must run before the old prices are archived, and
    they write to different subscriptions. (A level of their own would
    renumber the removals' level in every saved plan.)
    """

    target: Target
    customer: str
    swaps: tuple[ItemSwap, ...]
    at: str
    moves_at: int
    period_start: int
    proration_behavior: ProrationBehavior | None
    proration: Decimal | None
    currency: str
    status: str
    mrr_before: Decimal
    mrr_after: Decimal
    discounts: tuple[str, ...] = ()
    kept: tuple[tuple[str, int], ...] = ()
    schedule: str | None = None
    source: Source | None = None


# Deals: a subscription schedule per deal (`catalogsync.plan.compare.deals`).


@dataclass(frozen=True)
class CreateDeal:
    """Create a deal's schedule (``+``): ``fields`` hold the customer and every dated phase."""

    target: Target
    fields: Mapping[str, Value]
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class UpdateDeal:
    """Change a deal's schedule (``~``); a ``phases`` change carries the whole timeline."""

    target: Target
    changes: tuple[FieldChange, ...]
    owned: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class AdoptDeal:
    """Take over a schedule made outside catalogsync that already bills as the deal says (``~``).

    Writes the ownership markers plus ``changes`` (metadata only): the phases stay.
    """

    target: Target
    changes: tuple[FieldChange, ...]
    owned: tuple[str, ...] = ()
    refs: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = None


@dataclass(frozen=True)
class ReleaseDeal:
    """Release the schedule of a deal that left the catalog: the subscription goes on (``-``).

    ``details`` hold the schedule's status and phases (what it would still have
    billed). ``reason`` is always ``removed``: it keeps the operation's id (its
    idempotency key) what it was when deals used the generic `Archive`.
    """

    target: Target
    reason: Literal["removed"] = "removed"
    details: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class CancelDeal:
    """Cancel the schedule of a deal that left the catalog: the subscription ends (``-``).

    ``details`` as for `ReleaseDeal`.
    """

    target: Target
    details: Mapping[str, Value] = field(default_factory=dict)


DealOperation = CreateDeal | UpdateDeal | AdoptDeal | ReleaseDeal | CancelDeal

Operation = (
    Create
    | Update
    | Adopt
    | Replace
    | Archive
    | Delete
    | MoveDefaultPrice
    | AttachFeature
    | DetachFeature
    | MoveSubscription
    | CreateDeal
    | UpdateDeal
    | AdoptDeal
    | ReleaseDeal
    | CancelDeal
)

OPERATION_TYPES: tuple[type[Operation], ...] = get_args(Operation)
# The name an operation goes by in plan files and in its id. Deal operations
# keep the generic names they had before they were types of their own, so plans
# saved earlier load and their ids (idempotency keys) stay the same.
DEAL_NAMES: Mapping[type[Operation], str] = {
    CreateDeal: "Create",
    UpdateDeal: "Update",
    AdoptDeal: "Adopt",
    ReleaseDeal: "Archive",
    CancelDeal: "Delete",
}


def name_of(op_type: type[Operation]) -> str:
    """An operation type's name in plan files and operation ids."""
    return DEAL_NAMES.get(op_type, op_type.__name__)


def level(op: Operation) -> int:
    """The dependency level an operation runs at."""
    match op:
        case Create() | Update() | Adopt() | Replace() | MoveSubscription():
            return SPECS[op.target.kind].level
        case AttachFeature() | DetachFeature():
            return LEVEL_PRICES
        case MoveDefaultPrice():
            return LEVEL_DEFAULT_PRICES
        case CreateDeal() | UpdateDeal() | AdoptDeal():
            return LEVEL_DEALS
        case Archive() | Delete() | ReleaseDeal() | CancelDeal():
            return LEVEL_REMOVALS
        case _:
            assert_never(op)


def sort_key(op: Operation) -> tuple[int, str, str, str]:
    """Plan order: level, then kind, identity and operation type (deterministic)."""
    return (level(op), op.target.kind, op.target.key, name_of(type(op)))
