"""Crash sweep: `apply` of a 30-subscription migration killed (SIGKILL) after every k-th write.

The account has 30 subscribers on ``team_monthly`` and the catalog raises the
price and migrates them (`migration_support`). `apply` runs as a subprocess
against the emulator served over HTTP; the server kills it right after the
k-th write committed, before the response (`crash_support.KillAfter`). Then
`apply` runs again and must finish (k: every write of the renewal migration,
every third of the one moving now): every subscription moved exactly once
(one schedule, or one swap with its one pair of proration items), one item
each, and the plan empty. At renewal the kill between a schedule's two
writes leaves a schedule with no phases set yet: the rerun must finish that
schedule, neither skip the subscription as foreign nor attach a second one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from catalogsync.emulator.server import serve
from catalogsync.model import MIGRATION_KEY
from catalogsync.render import render
from tests.apply.apply_support import apply_plan, plan_for
from tests.apply.crash_support import PLACEHOLDER_KEY, KillAfter, write_config
from tests.apply.migration_support import (
    DAY,
    START,
    Subscriber,
    moves,
    pending_prorations,
    subscribed,
)

CLI = str(Path(sys.executable).parent / "catalogsync")
SUBSCRIBERS = 30
AFTER_RENEWAL = START + 40 * DAY
# Writes of an uninterrupted apply: the price replace (create, default price, archive),
# then per subscription one swap (now) or a schedule and its phases (renewal).
RENEWAL_WRITES = 3 + 2 * SUBSCRIBERS
NOW_WRITES = 3 + SUBSCRIBERS
pytestmark = pytest.mark.slow

Base = tuple[Path, Path, int]  # account database, catalog, writes of an uninterrupted apply


def _base(root: Path, at: str) -> Base:
    db = root / "base.sqlite"
    emulator = Emulator(db)
    subscribers = [Subscriber(quantity=1 + n % 4, coupon=n % 3 == 0) for n in range(SUBSCRIBERS)]
    account = subscribed(emulator, root, subscribers, key=PLACEHOLDER_KEY)
    proration = "proration_behavior: create_prorations\n" if at == "now" else ""
    plan = account.migrate(at, proration)
    assert len(moves(plan)) == SUBSCRIBERS
    clock = emulator.clock.now()
    emulator.close()
    (root / "clock").write_text(str(clock))
    copy = Emulator(_copy(db, root / "count.sqlite"))
    copy.clock.set(clock)
    client = copy.stripe_client(PLACEHOLDER_KEY)
    apply_plan(client, plan_for(client, account.catalog, now=account.now()))
    writes = sum(n for (method, _), n in copy.counters().items() if method != "GET")
    copy.close()
    return db, account.catalog, writes


@pytest.fixture(scope="module")
def renewal(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return _base(tmp_path_factory.mktemp("renewal"), "renewal")


@pytest.fixture(scope="module")
def now(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return _base(tmp_path_factory.mktemp("now"), "now")


def _copy(db: Path, dest: Path) -> Path:
    shutil.copyfile(db, dest)
    return dest


def _crash_then_finish(base: Base, work: Path, k: int) -> Emulator:
    """Kill apply after write k, apply again in-process; the emulator (caller closes it)."""
    db, catalog, _ = base
    work.mkdir()
    emulator = Emulator(_copy(db, work / "account.sqlite"))
    emulator.clock.set(int((db.parent / "clock").read_text()))
    killer = KillAfter(emulator.app, k)
    mine = work / "catalog"
    shutil.copytree(catalog, mine)
    with serve(killer, 0) as url:
        write_config(mine, url, concurrency=4)
        proc = subprocess.Popen(
            [CLI, "--catalog", str(mine), "apply", "--env", "crash", "--yes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        killer.pid = proc.pid
        output, _ = proc.communicate(timeout=120)
    assert killer.killed.is_set(), f"apply finished before write {k}:\n{output}"
    assert proc.returncode == -9
    client = emulator.stripe_client(PLACEHOLDER_KEY)
    when = _now(emulator)
    apply_plan(client, plan_for(client, catalog, now=when))
    after = plan_for(client, catalog, now=when)
    assert after.operations == (), f"after a kill at write {k}:\n{render(after, 'text')}"
    return emulator


def _now(emulator: Emulator) -> datetime:
    return datetime.fromtimestamp(emulator.clock.now(), UTC)


def test_the_renewal_migration_needs_two_writes_per_subscription(renewal: Base) -> None:
    assert renewal[2] == RENEWAL_WRITES


# One test per k, so the sweep spreads over the test workers.
@pytest.mark.parametrize("k", range(1, RENEWAL_WRITES + 1))
def test_killed_after_write_k_of_a_renewal_migration_each_moves_once(
    renewal: Base, tmp_path: Path, k: int
) -> None:
    emulator = _crash_then_finish(renewal, tmp_path / str(k), k)
    try:
        _assert_scheduled_once(emulator, k)
    finally:
        emulator.close()


def _assert_scheduled_once(emulator: Emulator, k: int) -> None:
    client = emulator.stripe_client(PLACEHOLDER_KEY)
    schedules = [
        s.to_dict()
        for s in client.v1.subscription_schedules.list({"limit": 100}).auto_paging_iter()
    ]
    per_subscription = Counter(s["subscription"] for s in schedules)
    assert len(per_subscription) == SUBSCRIBERS, k
    assert set(per_subscription.values()) == {1}, k
    assert all(s["metadata"] == {MIGRATION_KEY: "team_2031"} for s in schedules), k
    assert all(len(s["phases"]) == 2 for s in schedules), k
    emulator.clock.set(AFTER_RENEWAL)
    new = str(client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data[0].id)
    subs = client.v1.subscriptions.list({"limit": 100}).data
    assert len(subs) == SUBSCRIBERS
    for sub in subs:
        assert [i["price"]["id"] for i in sub.to_dict()["items"]["data"]] == [new], (k, sub.id)


def test_the_migration_now_needs_one_write_per_subscription(now: Base) -> None:
    assert now[2] == NOW_WRITES


# Every third write (a move now is one write: no window inside an operation to probe;
# the renewal sweep above takes every write, both of each subscription's two).
@pytest.mark.parametrize("k", range(1, NOW_WRITES + 1, 3))
def test_killed_after_write_k_of_a_migration_now_each_moves_once(
    now: Base, tmp_path: Path, k: int
) -> None:
    emulator = _crash_then_finish(now, tmp_path / str(k), k)
    try:
        client = emulator.stripe_client(PLACEHOLDER_KEY)
        new = str(client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data[0].id)
        subs = client.v1.subscriptions.list({"limit": 100}).data
        assert len(subs) == SUBSCRIBERS
        for sub in subs:
            items = sub.to_dict()["items"]["data"]
            assert [i["price"]["id"] for i in items] == [new], (k, sub.id)
            # One swap: one credit for the old price and one charge for the new.
            assert len(pending_prorations(client, str(sub.customer))) == 2, (k, sub.id)
    finally:
        emulator.close()
