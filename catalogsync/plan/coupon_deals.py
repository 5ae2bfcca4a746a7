"""Deals whose schedule phases name a coupon that the plan replaces or deletes.

A phase names its coupons by id. Deleting a coupon "doesn't affect any
customers who have already applied the coupon"
(docs.stripe.com/api/coupons/delete), so a deal's current phase keeps the
discount it started with: the plan lists those deals on the coupon's
operation. Stripe's docs do not say what a phase that has not started gets
when its coupon was deleted (or deleted and recreated under the same id, as a
coupon replace does) before it starts, so the plan cannot state what that
phase will bill: it refuses, naming the deal, the phase and the coupon.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from catalogsync.deals import Schedule
from catalogsync.errors import PlanError
from catalogsync.periods import utc_day
from catalogsync.plan.operations import CancelDeal, Delete, Operation, ReleaseDeal, Replace
from catalogsync.plan.plan import operation_id
from catalogsync.state import RemoteState

KEEP_DISCOUNT = "deals keep the discount they already have in their current phase"


def coupon_deal_notes(operations: Sequence[Operation], state: RemoteState) -> dict[str, str]:
    """Operation id -> ``deals keep the discount … (1 deal): acme`` for each changed coupon."""
    out: dict[str, str] = {}
    for op, coupon in _changed_coupons(operations):
        keys = sorted({key for key, _, started in _uses(coupon, operations, state) if started})
        if keys:
            noun = "deal" if len(keys) == 1 else "deals"
            out[operation_id(op)] = f"{KEEP_DISCOUNT} ({len(keys)} {noun}): {', '.join(keys)}"
    return out


def check_coupon_deals(operations: Sequence[Operation], state: RemoteState) -> None:
    """Refuse a plan that replaces or deletes a coupon a deal's phase to come names."""
    errors = []
    for op, coupon in _changed_coupons(operations):
        action = "replaced (deleted and recreated)" if isinstance(op, Replace) else "deleted"
        for key, n, started in _uses(coupon, operations, state):
            phase = state.deals.schedules[key].resource.phases[n - 1]
            if not started:
                errors.append(
                    f"coupon {coupon} would be {action}, but phase {n} of deal {key} "
                    f"(from {utc_day(phase.start)}) names it and has not started: Stripe does "
                    "not document which terms that phase would get, so the plan cannot show "
                    f"what it bills. Give the changed coupon a new id (and name that id in "
                    f"deal {key} if the deal should get it), then plan again."
                )
    if errors:
        raise PlanError("\n".join(errors))


def _changed_coupons(operations: Sequence[Operation]) -> Iterator[tuple[Operation, str]]:
    for op in operations:
        if op.target.kind == "coupon" and isinstance(op, Replace | Delete):
            yield op, op.target.stripe_id or op.target.key


def _uses(
    coupon: str, operations: Sequence[Operation], state: RemoteState
) -> Iterator[tuple[str, int, bool]]:
    """(deal key, phase number from 1, whether it has started) for each phase naming ``coupon``.

    Deals this plan releases or cancels are left out: their phases to come
    will not bill, and their removal says so.
    """
    ending = {o.target.key for o in operations if isinstance(o, ReleaseDeal | CancelDeal)}
    for key, remote in sorted(state.deals.schedules.items()):
        schedule = remote.resource
        if not schedule.live() or key in ending:
            continue
        for n, phase in enumerate(schedule.phases, start=1):
            if coupon in phase.discounts and _in_force(schedule, phase.start):
                yield key, n, _started(schedule, phase.start)


def _started(schedule: Schedule, start: int) -> bool:
    return schedule.current_start is not None and start <= schedule.current_start


def _in_force(schedule: Schedule, start: int) -> bool:
    """The current phase or one to come (a past phase bills nothing more)."""
    return schedule.current_start is None or start >= schedule.current_start
