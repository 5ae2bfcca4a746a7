"""Guards against plans that destroy more than a reviewer expects.

- A catalog with no resources never plans archives or deletes: an empty
  directory or a wrong ``--catalog`` would otherwise plan archiving the
  whole account (`check_catalog_not_empty`).
- A plan never creates or replaces a coupon, promotion code or deal whose
  date has passed (`check_dated_creates`): `validate` only warns about the
  date, since the object may already exist in Stripe and keep working, but
  Stripe refuses to create it (a deal's schedule would be backdated).
- Some operations run only with ``apply --allow-destroy``: `destructive`
  asks every rule in `DESTROY_RULES` and maps each such operation's id to
  the reason, which the plan shows beside the operation. A rule is a pure
  function of the operations and the state they were computed from; a new
  kind of destruction (ending a deal early) is one more rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields

from catalogsync.catalog import LoadedCatalog
from catalogsync.deals import OPEN_STATUSES
from catalogsync.errors import PlanError
from catalogsync.kinds import is_active
from catalogsync.model import Catalog
from catalogsync.plan.operations import (
    Archive,
    CancelDeal,
    Create,
    CreateDeal,
    Delete,
    Operation,
    ReleaseDeal,
    Replace,
)
from catalogsync.plan.plan import operation_id
from catalogsync.state import RemoteState

EMPTY_CATALOG = "the catalog is empty — is --catalog right?"

DestroyRule = Callable[[Sequence[Operation], RemoteState], Mapping[str, str]]


def check_catalog_not_empty(catalog: Catalog, operations: Sequence[Operation]) -> None:
    """Refuse a plan that removes objects because the catalog has no resources at all."""
    removals = sum(1 for op in operations if is_removal(op))
    if removals and not any(getattr(catalog, f.name) for f in fields(catalog)):
        noun = "object" if removals == 1 else "objects"
        raise PlanError(
            f"{EMPTY_CATALOG} It has no resources, so planning it would archive or delete "
            f"{removals} managed {noun} of the account; nothing was planned."
        )


def check_dated_creates(loaded: LoadedCatalog, operations: Sequence[Operation]) -> None:
    """Refuse a plan that would create or replace an object whose date has passed.

    Each error names the file, line and field of the date; nothing is planned,
    so nothing is written.
    """
    errors = []
    for op in operations:
        if isinstance(op, Create | CreateDeal | Replace):
            verb = "replace" if isinstance(op, Replace) else "create"
            what = f"{op.target.kind.replace('_', ' ')} {op.target.key}"
            for found in loaded.refused_on_create.get((op.target.kind, op.target.key), ()):
                errors.append(
                    f"{found.file}:{found.line}:{found.column}: error[{found.code}] "
                    f"{found.pointer}: cannot {verb} {what}: {found.message}"
                )
    if errors:
        raise PlanError("\n".join(errors) + "\nNothing was planned.")


def is_removal(op: Operation) -> bool:
    """An archive or delete of an object that left the catalog (a replace's archive is not)."""
    removed = isinstance(op, Archive) and op.reason == "removed"
    return removed or isinstance(op, Delete | ReleaseDeal | CancelDeal)


def mass_removal(operations: Sequence[Operation], state: RemoteState) -> Mapping[str, str]:
    """Every removal, when the plan removes more than half of the account's managed objects."""
    removals = [op for op in operations if is_removal(op)]
    managed = managed_count(state)
    if not removals or len(removals) * 2 <= managed:
        return {}
    reason = f"archives or deletes {len(removals)} of the account's {managed} managed objects"
    return {operation_id(op): reason for op in removals}


def managed_count(state: RemoteState) -> int:
    """Managed objects a plan could archive or delete: live ones, and deals still open.

    Meters are left out: they are never removed because they left the catalog.
    """
    live = sum(
        1
        for kind, objects in state.objects().items()
        if kind != "meter"
        for r in objects.managed.values()
        if is_active(r.resource)
    )
    deals = state.deals.schedules.values()
    return live + sum(1 for s in deals if s.resource.status in OPEN_STATUSES)


def deal_ended_early(operations: Sequence[Operation], state: RemoteState) -> Mapping[str, str]:
    """Releasing or cancelling a deal's live schedule ends a signed contract early."""
    out = {}
    for op in operations:
        if isinstance(op, ReleaseDeal | CancelDeal):
            have = state.deals.schedules.get(op.target.key)
            if have is not None and have.resource.live():
                verb = "releases" if isinstance(op, ReleaseDeal) else "cancels"
                status = have.resource.status.replace("_", " ")
                out[operation_id(op)] = (
                    f"ends deal {op.target.key} early ({verb} its {status} schedule)"
                )
    return out


DESTROY_RULES: tuple[DestroyRule, ...] = (mass_removal, deal_ended_early)


def destructive(
    operations: Sequence[Operation],
    state: RemoteState,
    rules: Sequence[DestroyRule] = DESTROY_RULES,
) -> dict[str, str]:
    """Operation id -> why apply needs ``--allow-destroy`` for it (reasons joined)."""
    reasons: dict[str, list[str]] = {}
    for rule in rules:
        for op_id, reason in rule(operations, state).items():
            reasons.setdefault(op_id, []).append(reason)
    return {op_id: "; ".join(found) for op_id, found in sorted(reasons.items())}
