"""The measured scenarios, each run in a fresh process (clean CPU time and peak memory).

Each function takes plain arguments and returns a JSON-ready dict, so the harness can run
it in a spawned child. They drive catalogsync's own public functions: `load_catalog`,
`connect`, `make_plan`, and apply's `Writer` / `StripeExecutor` / `run_plan`.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.seed import BENCH_KEY
from benchmarks.server import Control

KEY_ENV = "CATALOGSYNC_BENCH_KEY"


def _environment(url: str, concurrency: int | None = None, rate: float | None = None) -> Any:
    from catalogsync.config import DEFAULT_CONCURRENCY, Environment

    os.environ[KEY_ENV] = BENCH_KEY
    return Environment(
        name="bench",
        api_base=url,
        api_key_env=KEY_ENV,
        concurrency=concurrency or DEFAULT_CONCURRENCY,
        rate_limit=rate,
    )


def _peak_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def local_work(catalog_dir: str, db: str) -> dict[str, Any]:
    """CPU for load + validate, then for diff (compare) and the plan's fingerprint against a
    state read in-process from the seeded database (the read is the network's part, untimed)."""
    from catalogsync.catalog import load_catalog
    from catalogsync.emulator import Emulator
    from catalogsync.gateway.read import read_state
    from catalogsync.gcpause import paused_gc
    from catalogsync.plan.compare import compare
    from catalogsync.state import fingerprint

    cpu, wall = time.process_time(), time.perf_counter()
    loaded = load_catalog(Path(catalog_dir))
    load_cpu, load_wall = time.process_time() - cpu, time.perf_counter() - wall
    emulator = Emulator(db)
    try:
        state = read_state(emulator.stripe_client(BENCH_KEY), loaded.catalog, livemode=False)
    finally:
        emulator.close()
    with paused_gc():  # as `make_plan` runs them
        cpu, wall = time.process_time(), time.perf_counter()
        operations = compare(loaded.catalog, state)
        diff_cpu, diff_wall = time.process_time() - cpu, time.perf_counter() - wall
        cpu = time.process_time()
        fingerprint(state)
        fingerprint_cpu = time.process_time() - cpu
    return {
        "load_validate_cpu_s": load_cpu,
        "load_validate_wall_s": load_wall,
        "diff_cpu_s": diff_cpu,
        "diff_wall_s": diff_wall,
        "fingerprint_cpu_s": fingerprint_cpu,
        "local_cpu_s": load_cpu + diff_cpu,
        "operations": len(operations),
        "peak_rss_mb": _peak_mb(),
    }


def plan(catalog_dir: str, url: str, rate: float | None = None) -> dict[str, Any]:
    """`plan` as the command computes it (`plan_environment`): wall, CPU, requests, operations.

    `rate` is the environment's configured rate limit (what reads are paced at)."""
    from catalogsync.catalog import load_catalog
    from catalogsync.pipeline.plan import plan_environment

    control = Control(url)
    env = _environment(url, rate=rate)
    cpu, wall = time.process_time(), time.perf_counter()
    loaded = load_catalog(Path(catalog_dir))
    load_cpu = time.process_time() - cpu
    control.reset_counters()
    read_cpu, read_wall = time.process_time(), time.perf_counter()
    computed = plan_environment(env, loaded)
    end_wall, end_cpu = time.perf_counter(), time.process_time()
    return {
        "wall_s": end_wall - wall,
        "network_wall_s": end_wall - read_wall,
        "cpu_s": end_cpu - cpu,
        "load_validate_cpu_s": load_cpu,
        "plan_cpu_s": end_cpu - read_cpu,
        "requests": control.counters(),
        "operations": len(computed.operations),
        "peak_rss_mb": _peak_mb(),
    }


def apply(
    catalog_dir: str, url: str, rate: float, faults: dict[str, float], concurrency: int | None
) -> dict[str, Any]:
    """Plan without faults, then apply under `faults`; then re-plan to prove convergence."""
    from catalogsync.apply.executor import StripeExecutor, run_plan
    from catalogsync.catalog import load_catalog
    from catalogsync.gateway.connect import connect
    from catalogsync.gateway.write import Writer
    from catalogsync.pipeline.plan import plan_environment
    from catalogsync.transport.ratelimit import TokenBucket
    from catalogsync.transport.retry import RetryPolicy

    control = Control(url)
    env = _environment(url, concurrency, rate)
    loaded = load_catalog(Path(catalog_dir))
    planned = plan_environment(env, loaded, impact=False)
    control.reset_counters()
    control.set_faults(**faults)
    connection = connect(env, retries=0)
    writer = Writer(connection.client, TokenBucket(rate), RetryPolicy())
    cpu = time.process_time()
    try:
        report = run_plan(planned, StripeExecutor(writer), concurrency=env.concurrency)
    finally:
        connection.close()
    failures = [message for _, message in report.failures]
    cpu = time.process_time() - cpu
    counters = control.counters()
    control.set_faults(fail_rate=0.0, throttle_rate=0.0)
    after = plan_environment(env, loaded, impact=False)
    return {
        "operations": len(planned.operations),
        "done": len(report.done),
        "failed": len(failures),
        "failures": failures[:5],
        "wall_s": report.elapsed,
        "cpu_s": cpu,
        "requests": counters,
        "attempts": writer.stats.requests,
        "retries": writer.stats.retries,
        "left_after": len(after.operations),
        "peak_rss_mb": _peak_mb(),
    }


def baseline(url: str, ids: dict[str, list[str]]) -> dict[str, Any]:
    """The Terraform-pattern refresh of every seeded object."""
    from benchmarks.terraform_baseline import refresh

    control = Control(url)
    control.reset_counters()
    result = refresh(url, BENCH_KEY, ids)
    return {
        "reads": result.reads,
        "throttled": result.throttled,
        "server_errors": result.failed,
        "wall_s": result.wall_s,
        "cpu_s": result.cpu_s,
        "requests": control.counters(),
        "peak_rss_mb": _peak_mb(),
    }
