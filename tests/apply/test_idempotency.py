"""Idempotency keys: retried within a run, shared by runs of one plan, never a stale replay."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import stripe

from catalogsync.apply.executor import NoProgress
from catalogsync.apply.replays import Applied, apply_shared
from catalogsync.catalog import load_catalog
from catalogsync.commands.apply import summary
from catalogsync.emulator import Emulator
from catalogsync.gateway.write import Stats, Writer
from catalogsync.plan.plan import Plan
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy
from tests.apply.apply_support import apply_plan, converge, example_catalog, plan_for
from tests.apply.crash_support import active_duplicates
from tests.conftest import CliResult


def _dashboard_rename(client: stripe.StripeClient, lookup_key: str) -> None:
    price = client.v1.prices.list({"lookup_keys": [lookup_key]}).data[0]
    client.v1.prices.update(price.id, {"nickname": "Edited in the Dashboard"})


def test_an_operation_repeated_in_a_later_run_is_executed_not_replayed(tmp_path: Path) -> None:
    # Stripe replays a key's first answer for 24 hours. The same drift fixed
    # twice in one day plans the same operation (same id) both times; the
    # second apply must still change Stripe.
    client = Emulator().stripe_client()
    catalog = example_catalog(tmp_path / "catalog")
    assert converge(client, catalog).operations == ()

    for _ in range(2):
        _dashboard_rename(client, "advanced_seat_monthly")
        plan = plan_for(client, catalog)
        assert [op.target.key for op in plan.operations] == ["advanced_seat_monthly"]
        apply_plan(client, plan)
        assert plan_for(client, catalog).operations == ()


def _shared(
    client: stripe.StripeClient, catalog: Path, plan: Plan, policy: RetryPolicy | None = None
) -> Applied:
    """`apply`'s path: keys scoped by the plan's fingerprint, replays checked."""
    return apply_shared(
        plan,
        Writer(client, TokenBucket(10_000), policy or RetryPolicy(sleep=lambda s: None)),
        lambda: plan_for(client, catalog),
        concurrency=4,
        progress=NoProgress(),
    )


def test_keys_shared_by_a_plan_never_replay_a_result_that_no_longer_holds(
    tmp_path: Path,
) -> None:
    # Keys scoped by the remote-state fingerprint repeat when the state comes
    # back: the second rename plans from the very state the first did. Stripe
    # replays the first answer; apply must notice and apply it again.
    client = Emulator().stripe_client()
    catalog = example_catalog(tmp_path / "catalog")
    assert converge(client, catalog).operations == ()
    fingerprints = []
    for round_ in range(2):
        _dashboard_rename(client, "advanced_seat_monthly")
        plan = plan_for(client, catalog)
        fingerprints.append(plan.fingerprint)
        applied = _shared(client, catalog, plan)
        assert plan_for(client, catalog).operations == ()
        assert applied.elsewhere == 0
        if round_ == 0:
            assert applied.redone is None
        else:
            assert applied.redone is not None
            assert [o.op for o in applied.redone.done] == list(plan.operations)
    assert fingerprints[0] == fingerprints[1]  # the same keys were sent both times


def test_two_runs_of_one_plan_at_once_do_each_write_once(tmp_path: Path) -> None:
    # Two applies of one plan (say, on two machines) started together share
    # every key: Stripe executes each write once, answers the other run's
    # request 409 while it is in flight (retried) and then replays it.
    emulator = Emulator()
    client = emulator.stripe_client()
    catalog = example_catalog(tmp_path / "catalog")
    plan = plan_for(client, catalog)  # both runs apply this plan, made before either writes
    emulator.faults.latency_ms = 20  # spent while each key is in flight: the runs overlap
    barrier = threading.Barrier(2)

    def run(_: int) -> Applied:
        barrier.wait()
        # Real waits, shorter than apply's: a 409 is retried until the key is free.
        return _shared(client, catalog, plan, RetryPolicy(base=0.02))

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(run, range(2)))
    emulator.faults.latency_ms = 0
    assert active_duplicates(client) == []
    products = client.v1.products.list({"limit": 100}).data
    prices = [
        p
        for active in (True, False)
        for p in client.v1.prices.list({"limit": 100, "active": active}).data
    ]
    coupons = client.v1.coupons.list({"limit": 100}).data
    wanted = load_catalog(catalog).catalog
    assert (len(products), len(prices), len(coupons)) == (
        len(wanted.products),
        len(wanted.prices),
        len(wanted.coupons),
    )
    assert plan_for(client, catalog).operations == ()
    for applied in runs:
        assert applied.redone is None
        assert len(applied.report.done) == len(plan.operations)
    # Each operation was done by one run; the other says it was done elsewhere.
    assert sum(applied.elsewhere for applied in runs) > 0
    assert sum(applied.elsewhere for applied in runs) <= len(plan.operations)
    for applied in runs:
        said = summary(applied, Stats())
        assert (f"{applied.elsewhere} of them had already been done" in said) == bool(
            applied.elsewhere
        )


def test_apply_says_when_it_applied_a_replayed_operation_again(
    tmp_path: Path,
    emulator: Emulator,
    run_cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = "sk_test_replayed_again"
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", key)
    client = emulator.stripe_client(key)
    catalog = example_catalog(tmp_path / "catalog")
    with emulator.serve() as url:
        (catalog / "catalogsync.yaml").write_text(
            "version: 1\nenvironments:\n"
            f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY}}\n"
        )
        apply = ("--catalog", str(catalog), "apply", "--env", "test", "--yes")
        assert run_cli(*apply).code == 0
        outputs = []
        for _ in range(2):
            _dashboard_rename(client, "advanced_seat_monthly")
            result = run_cli(*apply)
            assert result.code == 0, result.err
            outputs.append(result.out)
    assert plan_for(client, catalog).operations == ()
    assert "applied again" not in outputs[0]
    assert (
        "1 operation was answered with the result of an earlier apply of the same changes "
        "(Stripe replays a key's result for 24 hours) although Stripe no longer matched it; "
        "applied again: 1 of 1."
    ) in outputs[1]
