"""Migrations end to end: plan and apply through the SDK, then read back what Stripe bills.

Each test signs customers up to ``team_monthly`` at 10.00, raises the price to
12.00 (the price is replaced) and adds a Migration moving every earlier
version of the key (`migration_support`). After apply, and after the emulator
clock passes the boundary, every cohort subscription has one item on the new
price with its quantity and discounts, and its first invoice after the
boundary bills the new price exactly once.

Stripe sources: the in-place swap and ``proration_behavior``
(https://docs.stripe.com/billing/subscriptions/change-price,
https://docs.stripe.com/billing/subscriptions/prorations); schedules from a
subscription and their phases
(https://docs.stripe.com/billing/subscriptions/subscription-schedules).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalogsync.cli import main
from catalogsync.emulator import Emulator
from catalogsync.model import MIGRATION_KEY
from catalogsync.plan.operations import MoveSubscription
from catalogsync.render import render
from tests.apply.apply_support import apply_plan
from tests.apply.migration_support import (
    DAY,
    DAYS_IN,
    KEY,
    NEW_AMOUNT,
    START,
    Account,
    Line,
    Subscriber,
    bills,
    moves,
    pending_prorations,
    subscribed,
)

PERIOD_END = START + 31 * DAY  # January has 31 days: the first period ends 10 Feb
AFTER_RENEWAL = PERIOD_END + 5 * DAY
MIXED = [Subscriber(quantity=3), Subscriber(quantity=1, coupon=True), Subscriber(quantity=12)]


Before = dict[str, tuple[int, list[str], int]]


def _snapshot(account: Account) -> Before:
    """Quantity, discount ids and current period end of each subscription, before."""
    out = {}
    for sub_id in account.subscriptions:
        sub = account.subscription(sub_id)
        (item,) = sub["items"]["data"]
        out[sub_id] = (int(item["quantity"]), list(sub["discounts"]), item["current_period_end"])
    return out


def _assert_moved_once(account: Account, before: Before) -> None:
    """One item on the new price, quantity and discounts kept, the marker, billed once."""
    new = account.price_of_key()
    assert new != account.old_price
    for sub_id, (quantity, discounts, period_end) in before.items():
        sub = account.subscription(sub_id)
        items = [(i["price"]["id"], i["quantity"]) for i in sub["items"]["data"]]
        assert items == [(new, quantity)], sub_id
        assert sub["discounts"] == discounts, sub_id
        assert sub["metadata"][MIGRATION_KEY] == "team_2031", sub_id
        renewal = [line for line in bills(account.client, sub_id) if line.start >= period_end]
        assert [line for line in renewal if not line.proration] == [
            Line(new, quantity, quantity * NEW_AMOUNT, period_end, proration=False)
        ], sub_id


def _assert_billed_as_planned(op: MoveSubscription, billed: int) -> None:
    """The proration the plan showed is what was billed; a discounted subscription whose new
    price this plan creates has none to show (nothing to preview yet: the plan says so)."""
    assert billed != 0
    if op.discounts:
        assert op.proration in (None, billed)
    else:
        assert op.proration == billed


def _converged(account: Account) -> None:
    plan = account.plan()
    assert plan.operations == (), render(plan, "text")


@pytest.mark.parametrize("behavior", ["none", "create_prorations", "always_invoice"])
def test_at_now_swaps_every_subscription_in_place_with_the_planned_proration(
    emulator: Emulator, tmp_path: Path, behavior: str
) -> None:
    account = subscribed(emulator, tmp_path, MIXED)
    before = _snapshot(account)
    plan = account.migrate("now", f"proration_behavior: {behavior}\n")
    planned = {str(op.target.stripe_id): op for op in moves(plan)}
    assert sorted(planned) == sorted(account.subscriptions)
    writer = apply_plan(account.client, plan)
    # Reads aside: the price replace (create, default price, archive) and one write each.
    assert writer.stats.requests == 3 + len(account.subscriptions)
    for sub_id, op in planned.items():
        customer = op.customer
        invoiced = [
            line.amount
            for line in bills(account.client, sub_id)
            if line.proration and line.start == START + DAYS_IN * DAY
        ]
        pending = pending_prorations(account.client, customer)
        if behavior == "none":
            assert (invoiced, pending) == ([], [])
            assert op.proration is None
        elif behavior == "create_prorations":  # waiting for the next invoice
            assert invoiced == []
            assert len(pending) == 2  # a credit for the old price, a charge for the new
            _assert_billed_as_planned(op, sum(pending))
        else:  # always_invoice: on an invoice now
            assert pending == []
            _assert_billed_as_planned(op, sum(invoiced))
    _converged(account)
    emulator.clock.set(AFTER_RENEWAL)
    _assert_moved_once(account, before)
    _converged(account)


def test_at_renewal_schedules_each_subscription_and_moves_it_at_its_period_end(
    emulator: Emulator, tmp_path: Path
) -> None:
    account = subscribed(emulator, tmp_path, MIXED)
    before = _snapshot(account)
    plan = account.migrate("renewal")
    assert {op.moves_at for op in moves(plan)} == {PERIOD_END + n * 60 for n in range(len(MIXED))}
    writer = apply_plan(account.client, plan)
    assert writer.stats.requests == 3 + 2 * len(account.subscriptions)
    for sub_id in account.subscriptions:
        sub = account.subscription(sub_id)
        # Until the renewal the subscription bills the old price, under our schedule.
        assert [i["price"]["id"] for i in sub["items"]["data"]] == [account.old_price]
        schedule = account.client.v1.subscription_schedules.retrieve(sub["schedule"]).to_dict()
        assert schedule["metadata"] == {MIGRATION_KEY: "team_2031"}
        assert "catalogsync_managed" not in schedule["metadata"]  # not a deal
    _converged(account)
    emulator.clock.set(AFTER_RENEWAL)
    _assert_moved_once(account, before)
    for sub_id in account.subscriptions:
        # No proration at a period boundary: nothing but the renewal was billed.
        assert [line for line in bills(account.client, sub_id) if line.proration] == []
    _converged(account)


def test_on_a_date_moves_each_subscription_at_00_00_utc_that_day(
    emulator: Emulator, tmp_path: Path
) -> None:
    account = subscribed(emulator, tmp_path, MIXED)
    before = _snapshot(account)
    date = START + (DAYS_IN + 5) * DAY  # 26 Jan 2031, inside the current period
    day = START - START % DAY + (DAYS_IN + 5) * DAY
    plan = account.migrate("2031-01-26")
    assert {op.moves_at for op in moves(plan)} == {day}
    apply_plan(account.client, plan)
    emulator.clock.set(date + DAY)
    for sub_id in account.subscriptions:
        items = account.subscription(sub_id)["items"]["data"]
        assert [i["price"]["id"] for i in items] == [account.price_of_key()]
    _converged(account)
    emulator.clock.set(AFTER_RENEWAL)
    _assert_moved_once(account, before)


def test_a_foreign_schedule_is_left_alone_and_reported(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account = subscribed(emulator, tmp_path, [Subscriber(2), Subscriber(4)])
    foreign_sub = account.subscriptions[1]
    client = account.client
    created = client.v1.subscription_schedules.create({"from_subscription": foreign_sub})
    client.v1.subscription_schedules.update(created.id, {"metadata": {"owner": "sales-ops"}})
    foreign = client.v1.subscription_schedules.retrieve(created.id).to_dict()
    plan = account.migrate("renewal")
    assert [op.target.stripe_id for op in moves(plan)] == [account.subscriptions[0]]
    skipped = plan.to_data()["migrations"]["team_2031"]["skipped"]
    assert [(s["subscription"], "schedule" in s["reason"]) for s in skipped] == [
        (foreign_sub, True)
    ]
    apply_plan(client, plan)
    assert client.v1.subscription_schedules.retrieve(created.id).to_dict() == foreign
    emulator.clock.set(AFTER_RENEWAL)
    items = account.subscription(foreign_sub)["items"]["data"]
    assert [i["price"]["id"] for i in items] == [account.old_price]


@pytest.mark.parametrize(
    ("statuses", "moved"),
    [(None, [0, 1, 2]), ("[active]", [0]), ("[trialing, past_due]", [1, 2])],
)
def test_trialing_and_past_due_move_as_statuses_says(
    emulator: Emulator, tmp_path: Path, statuses: str | None, moved: list[int]
) -> None:
    account = subscribed(
        emulator,
        tmp_path,
        [Subscriber(2), Subscriber(3, trial_days=30), Subscriber(4, past_due=True)],
    )
    cohort = f"cohort: {{statuses: {statuses}}}\n" if statuses else ""
    plan = account.migrate("now", "proration_behavior: none\n" + cohort)
    wanted = [account.subscriptions[n] for n in moved]
    assert sorted(str(op.target.stripe_id) for op in moves(plan)) == sorted(wanted)
    assert {op.target.stripe_id: op.status for op in moves(plan)} == {
        s: ("active", "trialing", "past_due")[account.subscriptions.index(s)] for s in wanted
    }
    apply_plan(account.client, plan)
    new = account.price_of_key()
    for n, sub_id in enumerate(account.subscriptions):
        prices = [i["price"]["id"] for i in account.subscription(sub_id)["items"]["data"]]
        assert prices == [new if n in moved else account.old_price], sub_id


def test_limit_moves_the_oldest_subscriptions_first_and_the_rest_next_time(
    emulator: Emulator, tmp_path: Path
) -> None:
    account = subscribed(emulator, tmp_path, [Subscriber(n + 1) for n in range(5)])
    plan = account.migrate("now", "proration_behavior: none\ncohort: {limit: 2}\n")
    assert [op.target.stripe_id for op in moves(plan)] == account.subscriptions[:2]
    apply_plan(account.client, plan)
    second = account.plan()
    assert [op.target.stripe_id for op in moves(second)] == account.subscriptions[2:4]
    apply_plan(account.client, second)
    third = account.plan()
    assert [op.target.stripe_id for op in moves(third)] == account.subscriptions[4:]
    apply_plan(account.client, third)
    _converged(account)


def test_a_saved_plan_whose_cohort_changed_is_refused_with_zero_writes(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = subscribed(emulator, tmp_path, [Subscriber(2), Subscriber(3)])
    account.migrate("renewal")
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", KEY)
    with emulator.serve() as url:
        (account.catalog / "catalogsync.yaml").write_text(
            "version: 1\nenvironments:\n"
            f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY}}\n"
        )
        plan_file = tmp_path / "plan.json"
        base = ["--catalog", str(account.catalog)]
        code = _cli(capsys, *base, "plan", "--env", "test", "--out", str(plan_file))
        assert code in (0, 2)
        saved = json.loads(plan_file.read_text())
        assert sum(op["op"] == "MoveSubscription" for op in saved["operations"]) == 2
        # A third customer subscribes to the old price after review.
        customer = account.client.v1.customers.create({"email": "late@example.com"})
        account.client.v1.subscriptions.create(
            {"customer": customer.id, "items": [{"price": account.old_price}]}
        )
        emulator.reset_counters()
        code = _cli(capsys, *base, "apply", "--env", "test", "--plan", str(plan_file), "--yes")
    assert code == 1
    assert "Stripe changed since the plan was made" in capsys.readouterr().err
    assert {k: n for k, n in emulator.counters().items() if k[0] != "GET"} == {}


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    code = exit_info.value.code
    return code if isinstance(code, int) else 0


def test_the_report_says_who_is_scheduled_skipped_and_then_moved(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = subscribed(emulator, tmp_path, [Subscriber(n + 1) for n in range(4)])
    subs = account.subscriptions
    client = account.client
    foreign = client.v1.subscription_schedules.create({"from_subscription": subs[3]})
    client.v1.subscription_schedules.update(foreign.id, {"metadata": {"owner": "sales-ops"}})
    apply_plan(client, account.migrate("renewal", "cohort: {limit: 2}\n"))
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", KEY)

    def report() -> dict[str, list[str]]:
        with emulator.serve() as url:
            (account.catalog / "catalogsync.yaml").write_text(
                "version: 1\nenvironments:\n"
                f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY}}\n"
            )
            args = ["--catalog", str(account.catalog), "migrations", "report", "team_2031"]
            code = _cli(capsys, *args, "--env", "test", "--format", "json")
        out = capsys.readouterr().out
        assert code == 0, out
        rows = json.loads(out)["subscriptions"]
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["state"], []).append(row["subscription"])
        return found

    # The limit left the third for the next apply; the fourth has a schedule of its own.
    assert report() == {"scheduled": subs[:2], "to_move": [subs[2]], "skipped": [subs[3]]}
    emulator.clock.set(AFTER_RENEWAL)
    # The other schedule (one phase, from the subscription) ended with the period and
    # released its subscription: nothing keeps it from the migration any more.
    assert report() == {"moved": subs[:2], "to_move": subs[2:]}


def test_the_report_lists_subscriptions_over_the_limit_as_waiting(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = subscribed(emulator, tmp_path, [Subscriber(n + 1) for n in range(3)])
    account.migrate("renewal", "cohort: {limit: 1}\n")
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", KEY)
    with emulator.serve() as url:
        (account.catalog / "catalogsync.yaml").write_text(
            "version: 1\nenvironments:\n"
            f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY}}\n"
        )
        args = ["--catalog", str(account.catalog), "migrations", "report", "team_2031"]
        code = _cli(capsys, *args, "--env", "test")
    out = capsys.readouterr().out
    assert code == 0, out
    subs = account.subscriptions
    assert "0 moved, 0 scheduled, 1 to move, 2 waiting, 0 skipped" in out
    assert f"  {subs[0]}  " in out.split("To move")[1].split("Waiting")[0]
    waiting = out.split("Waiting")[1]
    assert f"  {subs[1]}  " in waiting
    assert f"  {subs[2]}  " in waiting
