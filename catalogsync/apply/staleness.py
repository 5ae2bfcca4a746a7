"""Refusing a plan that is stale, is not the one reviewed, or destroys without leave."""

from __future__ import annotations

from collections.abc import Iterable

from catalogsync.apply.words import category_verb
from catalogsync.errors import PlanRefused
from catalogsync.plan.operations import Operation
from catalogsync.plan.plan import Plan, operation_id


def check_fresh(saved: Plan, current: Plan) -> None:
    """Refuse ``saved`` unless it was computed from the account state read now.

    ``current`` is the plan computed now; the message says how the
    operations would differ, so the reviewer knows what changed.
    """
    if saved.account_id != current.account_id or saved.livemode != current.livemode:
        raise PlanRefused(
            f"the plan was made for account {saved.account_id} "
            f"({_mode(saved.livemode)}), not {current.account_id} ({_mode(current.livemode)}); "
            "nothing was applied"
        )
    if saved.fingerprint == current.fingerprint:
        return
    lines = [
        "Stripe changed since the plan was made (remote fingerprint "
        f"{saved.fingerprint[:12]} -> {current.fingerprint[:12]}); nothing was applied."
    ]
    gone = _missing(saved.operations, current.operations)
    new = _missing(current.operations, saved.operations)
    lines += [f"  no longer planned: {_title(op)}" for op in gone]
    lines += [f"  now also needed:   {_title(op)}" for op in new]
    if not gone and not new:
        lines.append("  the operations are the same, but objects the plan read have changed")
    lines.append("Run `catalogsync plan` again and review the new plan.")
    raise PlanRefused("\n".join(lines))


def check_digest(plan: Plan, expected: str) -> None:
    """Refuse unless ``plan`` is the reviewed one (same digest)."""
    if plan.digest == expected:
        return
    lines = [
        f"the plan to apply has digest {plan.digest}, not the expected {expected}; "
        "nothing was applied. It now contains:"
    ]
    lines += [f"  {_title(op)}" for op in plan.operations] or ["  no changes"]
    lines.append("Review the plan again (`catalogsync plan`) and apply its digest.")
    raise PlanRefused("\n".join(lines))


def _missing(ops: Iterable[Operation], other: Iterable[Operation]) -> list[Operation]:
    ids = {operation_id(op) for op in other}
    return [op for op in ops if operation_id(op) not in ids]


def _title(op: Operation) -> str:
    return f"{category_verb(op)} {op.target.kind.replace('_', ' ')} {op.target.key}"


def _mode(livemode: bool) -> str:
    return "live mode" if livemode else "test mode"


def check_destroy(plan: Plan, allowed: bool) -> None:
    """Refuse a plan with destructive operations unless ``--allow-destroy`` was given."""
    if allowed or not plan.destructive:
        return
    marked = [op for op in plan.operations if operation_id(op) in plan.destructive]
    lines = [
        f"the plan has {len(marked)} destructive operation(s); nothing was applied:",
        *(f"  {_title(op)}: {plan.destructive[operation_id(op)]}" for op in marked),
        "Review them, then apply with --allow-destroy (or fix the catalog).",
    ]
    raise PlanRefused("\n".join(lines))
