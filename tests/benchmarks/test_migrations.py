"""The migrations benchmark's own bookkeeping, on a small account without faults or latency.

The numbers the README quotes come from `python -m benchmarks.migrations`; this
checks that the harness measures what it says: one executed write per
subscription at ``now``, two at ``renewal``, no double move, nothing failed,
and the plan empty afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import migrations

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("at", "writes"), [("now", 1), ("renewal", 2)])
def test_a_small_run_counts_writes_per_subscription_and_no_double_move(
    tmp_path: Path, at: str, writes: int
) -> None:
    base = tmp_path / "base.sqlite"
    migrations._seed_child(str(base), str(tmp_path), 6)
    result = migrations.measure(6, at, base, tmp_path, latency_ms=0, rate=500, log=print)
    assert result["moved_subscriptions"] == 6
    assert result["writes_per_subscription"] == writes
    assert result["double_moves"] == 0
    assert (result["apply"]["done"], result["apply"]["failed"]) == (6 + 3, 0)
    assert result["apply"]["left_after"] == 0
    assert result["billing"] == ({"new": 6} if at == "now" else {"scheduled": 6})
