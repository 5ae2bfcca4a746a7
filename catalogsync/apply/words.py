"""How operations are named for people: summary buckets and progress phrases."""

from __future__ import annotations

from typing import Literal, assert_never

from catalogsync.periods import utc_minute
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
    Update,
    UpdateDeal,
)

Category = Literal["created", "updated", "replaced", "archived", "deleted", "moved", "scheduled"]
CATEGORIES: tuple[Category, ...] = (
    "created",
    "updated",
    "replaced",
    "archived",
    "deleted",
    "moved",
    "scheduled",  # to move later (at renewal or on a date)
)


def category(op: Operation) -> Category:
    """How an operation counts in the summary."""
    match op:
        case Create() | CreateDeal():
            return "created"
        case Update() | Adopt() | MoveDefaultPrice() | AttachFeature() | DetachFeature():
            return "updated"
        case UpdateDeal() | AdoptDeal():
            return "updated"
        case Replace():
            return "replaced"
        case Archive() | ReleaseDeal():  # a released deal counts as archived
            return "archived"
        case Delete() | CancelDeal():  # a cancelled deal counts as deleted
            return "deleted"
        case MoveSubscription():
            return "moved" if op.at == "now" else "scheduled"
        case _:
            assert_never(op)


def category_verb(op: Operation) -> str:
    """`create`, `update`, … for messages."""
    return {
        "created": "create",
        "updated": "update",
        "replaced": "replace",
        "archived": "archive",
        "deleted": "delete",
        "moved": "move",
        "scheduled": "schedule",
    }[category(op)]


def describe(op: Operation) -> str:
    """What was done: `created price advanced_seat_monthly`, `attached feature sso to product x`."""
    verb, rest = _phrase(op)
    return f"{verb}{'d' if verb.endswith('e') else 'ed'} {rest}"


def intent(op: Operation) -> str:
    """What was to be done, for failures: `create price advanced_seat_monthly`."""
    verb, rest = _phrase(op)
    return f"{verb} {rest}"


def _phrase(op: Operation) -> tuple[str, str]:
    """The verb (infinitive) and the rest of a phrase about ``op``."""
    name = f"{op.target.kind.replace('_', ' ')} {op.target.key}"
    match op:
        case MoveDefaultPrice():
            return "move", f"default price of {name} to {op.after or '(none)'}"
        case AttachFeature():
            return "attach", f"feature {op.feature} to {name}"
        case DetachFeature():
            return "detach", f"feature {op.feature} from {name}"
        case MoveSubscription():
            return _move_phrase(op)
        case _:
            return category_verb(op), name


def _move_phrase(op: MoveSubscription) -> tuple[str, str]:
    """`move subscription sub_1 (cus_1, migration k) to price_2 now` / `… at 2027-04-01`."""
    prices = ", ".join(s.to_price or s.to_lookup_key for s in op.swaps)
    when = "now" if op.at == "now" else f"at {utc_minute(op.moves_at)}"
    who = f"subscription {op.target.stripe_id} ({op.customer}, migration {op.target.key})"
    verb = "move" if op.at == "now" else "schedule"
    return verb, f"{who} to {prices} {when}"
