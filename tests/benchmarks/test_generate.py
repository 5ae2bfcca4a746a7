"""Smoke tests for the benchmarks: the generator's catalog loads, seeds to an empty plan,
and the harness runs end to end at a tiny size (no timing assertions: figures vary)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks import run
from benchmarks.generate import Sizes, Variant, generate, price_key
from benchmarks.seed import BENCH_KEY, seed
from catalogsync.catalog import check_catalog, load_catalog
from catalogsync.emulator import Emulator
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.operations import Create, Replace, Update

TINY = Sizes(products=4, prices=40, meters=2, features=2, coupons=6, promotion_codes=6)


def test_tiny_catalog_loads_without_diagnostics(tmp_path: Path) -> None:
    generate(tmp_path / "catalog", TINY)
    assert check_catalog(tmp_path / "catalog") == []
    loaded = load_catalog(tmp_path / "catalog")
    catalog = loaded.catalog
    assert (len(catalog.products), len(catalog.prices)) == (4, 40)
    assert (len(catalog.coupons), len(catalog.promotion_codes)) == (6, 6)
    assert all(len(p.currency_options or {}) == 3 for p in catalog.prices.values())
    tiered = [p for p in catalog.prices.values() if p.billing_scheme == "tiered"]
    metered = [p for p in tiered if p.recurring and p.recurring.usage_type == "metered"]
    assert len(tiered) == 6  # every 10th price is tiered, plus every 20th metered
    assert len(metered) == 2
    assert all(p.recurring and p.recurring.meter in catalog.meters for p in metered)


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first, second = generate(tmp_path / "a", TINY), generate(tmp_path / "b", TINY)
    files = sorted(p.relative_to(first) for p in first.rglob("*.yaml"))
    assert files == sorted(p.relative_to(second) for p in second.rglob("*.yaml"))
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_seeded_account_plans_to_nothing_and_variants_plan_their_changes(tmp_path: Path) -> None:
    base = load_catalog(generate(tmp_path / "base", TINY))
    emulator = Emulator()
    seeded = seed(emulator, base.catalog, end=int(time.time()))
    assert seeded.total == 4 + 40 + 2 + 2 + 6 + 6
    client = emulator.stripe_client(BENCH_KEY)
    assert make_plan(client, base, livemode=False).operations == ()

    changed = load_catalog(generate(tmp_path / "changed", TINY, Variant(changed_every=10)))
    ops = make_plan(client, changed, livemode=False, impact=False).operations
    # Every 10th price (global index 3, 13, 23, 33) changes: amount, nickname, alternately.
    replaced = {op.target.key for op in ops if isinstance(op, Replace)}
    assert replaced == {price_key(0, 3), price_key(2, 3)}
    assert {op.target.key for op in ops if isinstance(op, Update)} == {
        price_key(1, 3),
        price_key(3, 3),
    }

    extra = load_catalog(generate(tmp_path / "extra", TINY, Variant(extra_prices=5)))
    ops = make_plan(client, extra, livemode=False, impact=False).operations
    assert len(ops) == 5
    assert all(isinstance(op, Create) and op.target.kind == "price" for op in ops)


def test_harness_runs_end_to_end_at_a_tiny_size(tmp_path: Path) -> None:
    sizes = ["--prices", "40", "--products", "4", "--coupons", "6", "--promotion-codes", "6"]
    faults = ["--latency-ms", "0", "--rate-limit", "500", "--creates", "5"]
    assert run.main([*sizes, *faults, "--out", str(tmp_path)]) == 0
    (result,) = json.loads((tmp_path / "bench-40.json").read_text())
    assert result["plan_full"]["operations"] == 0
    assert result["plan_changed"]["operations"] > 0
    assert result["plan_full"]["total_requests"] >= result["plan_full"]["floor_requests"]
    assert result["baseline"]["reads"] == result["objects"]
    assert result["apply"]["done"] == 5
    assert result["apply"]["left_after"] == 0
