"""Crash safety: kill `catalogsync apply` (SIGKILL) after its k-th write, for every k.

The account starts with the example catalog applied; the plan to apply
changes it with every kind of write (`crash_support.changed_catalog`).
`apply` runs as a subprocess against a file-backed emulator served over
HTTP; the server kills it right after the k-th write committed, before the
response. `apply` run again must finish; afterwards no identity is held
by two active managed objects and `plan` is empty. The same with dropped
connections after commit (the client retries with the same idempotency key).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from catalogsync.emulator.server import serve
from catalogsync.render import render
from tests.apply.apply_support import apply_plan, example_catalog, plan_for
from tests.apply.crash_support import (
    PLACEHOLDER_KEY,
    KillAfter,
    active_duplicates,
    changed_catalog,
    write_config,
)

CLI = str(Path(sys.executable).parent / "catalogsync")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, int]]:
    """(account db with the example catalog applied, changed catalog, writes of a full run)."""
    root = tmp_path_factory.mktemp("crash")
    db = root / "base.sqlite"
    emu = Emulator(db)
    client = emu.stripe_client(PLACEHOLDER_KEY)
    apply_plan(client, plan_for(client, example_catalog(root / "example")))
    catalog = changed_catalog(root / "changed")
    plan = plan_for(client, catalog)
    emu.close()
    writes = _count_writes(db, catalog, root)
    yield db, catalog, writes
    assert len(plan.operations) >= 20


def _count_writes(db: Path, catalog: Path, root: Path) -> int:
    copy = _copy(db, root / "count.sqlite")
    emu = Emulator(copy)
    client = emu.stripe_client(PLACEHOLDER_KEY)
    apply_plan(client, plan_for(client, catalog))
    writes = sum(n for (method, _), n in emu.counters().items() if method != "GET")
    emu.close()
    return writes


def _copy(db: Path, dest: Path) -> Path:
    shutil.copyfile(db, dest)
    return dest


def test_the_change_needs_at_least_25_writes(base: tuple[Path, Path, int]) -> None:
    assert base[2] >= 25


def _crash_then_finish(base: tuple[Path, Path, int], tmp_path: Path, k: int, drop: float) -> None:
    db, catalog, _ = base
    tmp_path.mkdir()
    emu = Emulator(_copy(db, tmp_path / "account.sqlite"))
    emu.faults.drop_rate, emu.faults.seed = drop, k
    killer = KillAfter(emu.app, k)
    work = tmp_path / "catalog"
    shutil.copytree(catalog, work)
    with serve(killer, 0) as url:
        write_config(work, url)
        proc = subprocess.Popen(
            [CLI, "--catalog", str(work), "apply", "--env", "crash", "--yes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        killer.pid = proc.pid
        output, _ = proc.communicate(timeout=60)
    assert killer.killed.is_set(), f"apply finished before write {k}:\n{output}"
    assert proc.returncode == -9
    client = emu.stripe_client(PLACEHOLDER_KEY)
    apply_plan(client, plan_for(client, catalog))
    after = plan_for(client, catalog)
    duplicates = active_duplicates(client)
    emu.close()
    assert duplicates == []
    assert after.operations == (), render(after, "text")


def test_killed_after_every_write_apply_again_converges(
    base: tuple[Path, Path, int], tmp_path: Path
) -> None:
    for k in range(1, base[2] + 1):
        _crash_then_finish(base, tmp_path / str(k), k, drop=0.0)


def test_killed_with_dropped_connections_apply_again_converges(
    base: tuple[Path, Path, int], tmp_path: Path
) -> None:
    for k in range(1, base[2] + 1, 3):
        _crash_then_finish(base, tmp_path / str(k), k, drop=0.3)


# Every write's response is stored by an INSERT into `idempotency` (status
# 200) inside the write's own transaction; this trigger makes that INSERT
# spin, so the write stays in flight (its key claimed, nothing committed)
# until the test kills the process. A trigger body cannot sleep, so it counts.
_STALL = """
CREATE TABLE stall (n INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO stall SELECT i FROM n;
CREATE TRIGGER stall_finished_writes BEFORE INSERT ON idempotency WHEN NEW.status != 0
BEGIN SELECT count(*) FROM stall a, stall b, stall c; END;
"""


def test_killed_mid_write_on_the_local_emulator_apply_again_converges(tmp_path: Path) -> None:
    # The default `local` environment runs the emulator inside `apply`: kill -9
    # during a write leaves that write's idempotency key in flight in the file.
    # Nothing changed in Stripe, so the rerun plans the same operations and
    # sends the same keys; it must not be refused for the key's 24 hours.
    catalog = example_catalog(tmp_path / "catalog")
    db = catalog / ".catalogsync" / "local.sqlite"
    db.parent.mkdir()
    Emulator(db).close()
    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.executescript(_STALL)
    apply = [CLI, "--catalog", str(catalog), "apply", "--yes"]
    proc = subprocess.Popen(apply, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        in_flight = _wait_for_keys_in_flight(db)
    finally:
        proc.kill()
        output, _ = proc.communicate(timeout=60)
    assert proc.returncode == -9, output
    with sqlite3.connect(db, isolation_level=None) as conn:
        conn.executescript("DROP TRIGGER stall_finished_writes; DROP TABLE stall;")
        # A minute passes: the killed request's claim outlives its lease.
        conn.execute("UPDATE idempotency SET claimed_at = claimed_at - 61 WHERE status = 0")

    again = subprocess.run(apply, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    with sqlite3.connect(db) as conn:
        finished = conn.execute(
            f"SELECT count(*) FROM idempotency WHERE status = 200 AND key IN "
            f"({', '.join('?' * len(in_flight))})",
            in_flight,
        ).fetchone()[0]
    assert finished == len(in_flight)  # the rerun sent the killed run's keys, and they ran
    emu = Emulator(db)
    client = emu.stripe_client(PLACEHOLDER_KEY)
    after = plan_for(client, catalog)
    duplicates = active_duplicates(client)
    emu.close()
    assert duplicates == []
    assert after.operations == (), render(after, "text")


def _wait_for_keys_in_flight(db: Path) -> list[str]:
    deadline = time.monotonic() + 60
    with sqlite3.connect(db) as conn:
        while time.monotonic() < deadline:
            keys = [k for (k,) in conn.execute("SELECT key FROM idempotency WHERE status = 0")]
            if keys:
                return keys
            time.sleep(0.05)
    raise AssertionError("apply never started a write")
