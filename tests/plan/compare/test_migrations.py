"""Migrations compared: the cohort, its moves, and what the plan leaves alone (and why)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalogsync.errors import PlanError
from catalogsync.migrations import CohortItem, CohortSubscription, ScheduleRef, Skipped
from catalogsync.model import Migration, Move, PriceRef, Recurring
from catalogsync.plan.compare import compare
from catalogsync.plan.compare.migrations import CohortPlan, plan_cohort
from catalogsync.plan.operations import ItemSwap, MoveSubscription, Replace, Target
from catalogsync.state import fingerprint
from tests.plan.migration_builders import (
    DAY,
    END,
    NEW,
    START,
    catalog,
    migration,
    remote,
    seat,
    sub,
)


def _moves(m: Migration, *subs: CohortSubscription, **kw: Any) -> CohortPlan:
    return plan_cohort(m, catalog(m), remote(m, *subs, **kw), ())


def test_renewal_moves_each_cohort_subscription_off_every_older_version() -> None:
    m = migration("renewal")
    extra = CohortItem("si_b2", "price_addon", 2, START, END)
    plan = _moves(
        m,
        sub("a", quantity=3),
        sub("b", extra=(extra,), discounts=("di_1",)),
        sub("c", price="price_new"),  # already on the price holding the key: stays
    )
    assert [op.target for op in plan.moves] == [
        Target("migration", "raise_2027", "sub_a"),
        Target("migration", "raise_2027", "sub_b"),
    ]
    a, b = plan.moves
    assert a.swaps == (
        ItemSwap("si_a", "price_old", "price_new", "advanced_seat", 3, "advanced_seat"),
    )
    assert (a.at, a.moves_at, a.period_start) == ("renewal", END, START)
    assert (a.proration_behavior, a.proration) == (None, None)
    assert (a.mrr_before, a.mrr_after) == (Decimal(3 * 8500), Decimal(3 * 9900))
    # The untouched item and the discounts are what a schedule's phases must repeat.
    assert (b.kept, b.discounts) == ((("price_addon", 2),), ("di_1",))
    assert plan.report.skipped == ()


def test_cohort_filters_status_currency_customer_and_metadata() -> None:
    m = migration(
        statuses=("active", "past_due"),
        currencies=("usd",),
        exclude_customers=("cus_vip",),
        customer_metadata={"segment": "smb"},
    )
    smb = {"segment": "smb"}
    plan = _moves(
        m,
        sub("in", customer_metadata=smb),
        sub("late", status="past_due", customer_metadata=smb),
        sub("trial", status="trialing", customer_metadata=smb),
        sub("euro", currency="eur", customer_metadata=smb),
        sub("vip", customer="cus_vip", customer_metadata=smb),
        sub("ent", customer_metadata={"segment": "enterprise"}),
    )
    assert [op.target.stripe_id for op in plan.moves] == ["sub_in", "sub_late"]


def test_limit_moves_the_oldest_first_and_reports_the_rest_as_waiting() -> None:
    m = migration(limit=2)
    plan = _moves(m, sub("new", created=30), sub("old", created=10), sub("mid", created=20))
    assert [op.target.stripe_id for op in plan.moves] == ["sub_old", "sub_mid"]
    assert plan.report.waiting == ("sub_new",)


def test_schedules_decide_between_scheduled_finished_and_skipped() -> None:
    m = migration("renewal")
    schedules = (
        ScheduleRef("sched_mine", "migration", "raise_2027"),
        ScheduleRef("sched_other", "migration", "other"),
        ScheduleRef("sched_deal", "deal", "acme"),
        ScheduleRef("sched_crash", "interrupted"),
        ScheduleRef("sched_theirs", "foreign"),
    )
    plan = _moves(
        m,
        *(sub(n, schedule=f"sched_{n}") for n in ("mine", "other", "deal", "crash", "theirs")),
        schedules=schedules,
    )
    assert [(op.target.stripe_id, op.schedule) for op in plan.moves] == [
        ("sub_crash", "sched_crash")
    ]
    assert plan.report.scheduled == ("sub_mine",)
    reasons = {s.subscription: s.reason for s in plan.report.skipped}
    assert reasons == {
        "sub_other": "scheduled to move by migration other (sched_other)",
        "sub_deal": "billed by deal acme's schedule sched_deal "
        "(deals keep the price they were signed at)",
        "sub_theirs": "has a schedule catalogsync does not manage (sched_theirs); "
        "it is never overwritten",
    }


def test_an_interrupted_looking_schedule_is_foreign_to_a_move_now() -> None:
    # `at: now` never creates a schedule, so no schedule can be its own half-done write.
    m = migration("now")
    plan = _moves(m, sub("x", schedule="s"), schedules=(ScheduleRef("s", "interrupted"),))
    assert plan.moves == ()
    assert plan.report.skipped[0].reason.startswith("has a schedule catalogsync does not manage")


def test_now_prorates_each_line_for_the_accounts_clock() -> None:
    m = migration("now")
    moment = START + 10 * DAY  # 21 of 31 days left
    plan = _moves(m, sub("a", quantity=2), sub("t", status="trialing"), read_at=moment)
    a, trial = plan.moves
    credit = -(Decimal(2 * 8500) * 21 / 31).quantize(Decimal(1))
    charge = (Decimal(2 * 9900) * 21 / 31).quantize(Decimal(1))
    assert (a.moves_at, a.proration_behavior, a.proration) == (
        moment,
        "create_prorations",
        credit + charge,
    )
    assert trial.proration == Decimal(0)  # nothing is billed during a trial


def test_now_without_prorations_plans_none() -> None:
    plan = _moves(migration("now", proration_behavior="none"), sub("a"))
    assert plan.moves[0].proration is None


def test_now_refuses_a_clock_outside_the_period() -> None:
    with pytest.raises(PlanError, match="outside the current period"):
        _moves(migration("now"), sub("a"), read_at=END)


def test_a_date_moves_at_its_midnight_without_proration() -> None:
    plan = _moves(migration("2027-03-01"), sub("a"))
    op = plan.moves[0]
    assert (op.at, op.moves_at, op.proration_behavior) == ("2027-03-01", 1_803_859_200, "none")


def test_a_currency_the_new_price_lacks_is_skipped_with_the_reason() -> None:
    m = migration()
    gbp_only_old = seat("advanced_seat", 8500)
    plan = plan_cohort(
        m,
        catalog(m, seat("advanced_seat", 9900)),
        remote(m, sub("a", currency="gbp"), prices={"price_old": gbp_only_old, "price_new": NEW}),
        (),
    )
    assert plan.moves == ()
    assert plan.report.skipped == (
        Skipped("sub_a", "cus_a", "price advanced_seat has no GBP amount"),
    )


def test_now_skips_a_price_by_id_billed_at_another_interval() -> None:
    m = migration("now", moves=(Move(PriceRef(id="price_yearly"), "advanced_seat"),))
    yearly = seat("", 90000, recurring=Recurring("year"))
    plan = plan_cohort(
        m,
        catalog(m),
        remote(
            m,
            sub("a", price="price_yearly"),
            sources=(("price_yearly",),),
            prices={"price_yearly": yearly},
        ),
        (),
    )
    assert plan.moves == ()
    assert "different intervals" in plan.report.skipped[0].reason


def test_a_price_the_same_plan_replaces_is_resolved_by_key_and_every_version_moves() -> None:
    m = migration("renewal")
    replace = Replace(Target("price", "advanced_seat", "price_new"), (), {})
    plan = plan_cohort(m, catalog(m), remote(m, sub("a"), sub("b", price="price_new")), (replace,))
    assert [op.target.stripe_id for op in plan.moves] == ["sub_a", "sub_b"]
    assert {s.to_price for op in plan.moves for s in op.swaps} == {None}


def test_compare_yields_the_moves_in_plan_order() -> None:
    m = migration()
    ops = compare(catalog(m), remote(m, sub("b", created=2), sub("a", created=1)))
    assert [op.target.stripe_id for op in ops if isinstance(op, MoveSubscription)] == [
        "sub_a",
        "sub_b",
    ]


def test_a_date_that_has_passed_is_refused_while_subscribers_remain() -> None:
    m = migration("2027-01-05")  # the account's clock says 2027-01-11
    with pytest.raises(PlanError, match="at 2027-01-05 has passed"):
        _moves(m, sub("a"))
    assert _moves(m).moves == ()  # an emptied cohort plans nothing, date or not


def test_the_fingerprint_covers_the_cohort_but_not_the_clock() -> None:
    m = migration()
    before = fingerprint(remote(m, sub("a")))
    assert fingerprint(remote(m, sub("a"), read_at=START + 20 * DAY)) == before
    assert fingerprint(remote(m, sub("a", quantity=2))) != before
    assert fingerprint(remote(m, sub("a"), sub("b"))) != before


def test_a_discounted_subscription_leaves_its_proration_to_stripes_preview() -> None:
    plan = _moves(migration("now"), sub("a", discounts=("di_1",)), sub("b"))
    discounted, plain = plan.moves
    assert (discounted.proration, discounted.discounts) == (None, ("di_1",))
    assert plain.proration is not None
