"""Refusing a saved plan that is stale, not the reviewed one, or destructive without leave."""

from __future__ import annotations

import dataclasses

import pytest

from catalogsync.apply.staleness import check_destroy, check_digest, check_fresh
from catalogsync.errors import PlanRefused
from catalogsync.plan.plan import Plan, operation_id
from tests.plan.sample_plan import sample_plan


def _refusal(call: object) -> str:
    assert callable(call)
    with pytest.raises(PlanRefused) as info:
        call()
    return str(info.value)


def test_the_plan_computed_now_from_the_same_state_is_fresh() -> None:
    plan = sample_plan()
    check_fresh(plan, sample_plan())  # no refusal


def test_a_plan_for_another_account_is_refused() -> None:
    saved = sample_plan()
    other = dataclasses.replace(saved, account_id="acct_2")
    message = _refusal(lambda: check_fresh(saved, other))
    assert message == (
        "the plan was made for account acct_1 (test mode), not acct_2 (test mode); "
        "nothing was applied"
    )


def test_a_test_mode_plan_is_refused_in_live_mode_even_with_the_same_fingerprint() -> None:
    saved = sample_plan()
    live = dataclasses.replace(saved, livemode=True)
    assert "(test mode), not acct_1 (live mode)" in _refusal(lambda: check_fresh(saved, live))


def test_a_changed_account_with_the_same_operations_says_so() -> None:
    saved = sample_plan()
    now = dataclasses.replace(saved, fingerprint="f" * 64)
    lines = _refusal(lambda: check_fresh(saved, now)).splitlines()
    assert lines[0] == (
        f"Stripe changed since the plan was made (remote fingerprint {saved.fingerprint[:12]} "
        "-> ffffffffffff); nothing was applied."
    )
    assert lines[1:] == [
        "  the operations are the same, but objects the plan read have changed",
        "Run `catalogsync plan` again and review the new plan.",
    ]


def test_a_changed_account_lists_the_operations_gone_and_the_new_ones() -> None:
    saved = sample_plan()
    first, *rest = saved.operations
    now = dataclasses.replace(saved, fingerprint="f" * 64, operations=tuple(rest))
    lines = _refusal(lambda: check_fresh(saved, now)).splitlines()
    assert lines[1:] == [
        "  no longer planned: create feature sso",
        "Run `catalogsync plan` again and review the new plan.",
    ]
    # The other way round: the account now needs an operation the saved plan lacks.
    lines = _refusal(lambda: check_fresh(now, saved)).splitlines()
    assert "  now also needed:   create feature sso" in lines
    assert first not in now.operations


def test_the_reviewed_digest_is_accepted_and_any_other_refused() -> None:
    plan = sample_plan()
    check_digest(plan, plan.digest)  # no refusal
    lines = _refusal(lambda: check_digest(plan, "0" * 64)).splitlines()
    assert lines[0] == (
        f"the plan to apply has digest {plan.digest}, not the expected {'0' * 64}; "
        "nothing was applied. It now contains:"
    )
    assert lines[1:3] == ["  create feature sso", "  create price calls"]
    assert len(lines) == 1 + len(plan.operations) + 1
    assert lines[-1] == "Review the plan again (`catalogsync plan`) and apply its digest."


def test_an_empty_plan_with_the_wrong_digest_says_it_has_no_changes() -> None:
    empty = dataclasses.replace(sample_plan(), operations=())
    assert _refusal(lambda: check_digest(empty, "0" * 64)).splitlines()[1] == "  no changes"


def _destructive(plan: Plan) -> Plan:
    first = plan.operations[0]  # create feature sso
    coupon = next(op for op in plan.operations if op.target.key == "GONE")  # delete coupon GONE
    return dataclasses.replace(
        plan,
        destructive={
            operation_id(first): "a first reason",
            operation_id(coupon): "3 promotion codes use it",
        },
    )


def test_destructive_operations_need_leave() -> None:
    plan = _destructive(sample_plan())
    lines = _refusal(lambda: check_destroy(plan, allowed=False)).splitlines()
    assert lines == [
        "the plan has 2 destructive operation(s); nothing was applied:",
        "  create feature sso: a first reason",
        "  delete coupon GONE: 3 promotion codes use it",
        "Review them, then apply with --allow-destroy (or fix the catalog).",
    ]
    check_destroy(plan, allowed=True)  # --allow-destroy: no refusal


def test_a_plan_without_destructive_operations_needs_no_leave() -> None:
    check_destroy(sample_plan(), allowed=False)  # no refusal
