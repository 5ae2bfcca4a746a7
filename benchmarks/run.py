"""The benchmark harness: `python -m benchmarks.run [--prices N] [--latency-ms 50]
[--rate-limit 25] [--scaling]` (also `make bench`).

For each catalog size it generates the catalog, seeds an emulator database with it
(untimed), serves the emulator over HTTP from its own process with injected latency and a
rate limit, and measures, each in a fresh process:

- local work: load + validate, and diff (compare + fingerprint) of the whole catalog;
- `plan` on the fully applied catalog, and after 1 % of prices changed;
- the Terraform-provider refresh pattern (one GET per resource, 10 in parallel);
- `apply` of N price creates under injected 429s and 500s.

The pagination floor of a plan is one request per page of 100 objects of every list it
must read (an empty list still costs one request) plus the account; its time floor is
that many requests at the rate limit plus one round trip of latency. Results are written
to `benchmarks/results/*.json` and printed as Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from benchmarks import scenarios
from benchmarks.generate import Sizes, Variant, generate
from benchmarks.seed import seed
from benchmarks.server import served

PAGE = 100
RESULTS = Path(__file__).parent / "results"
SCALING_PRICES = (1_000, 10_000, 50_000)


def pages(objects: int) -> int:
    """Requests to list `objects` at 100 a page (an empty list still takes one)."""
    return max(1, math.ceil(objects / PAGE))


def plan_floor(sizes: Sizes, *, impact: bool) -> dict[str, int]:
    """Requests a plan cannot do without, by list, for a fully seeded catalog of `sizes`."""
    floor = {
        "GET /v1/account": 1,
        "GET /v1/products": pages(sizes.products),
        "GET /v1/prices (active)": pages(sizes.prices),
        "GET /v1/prices (archived)": pages(0),
        "GET /v1/coupons": pages(sizes.coupons),
        "GET /v1/promotion_codes": pages(sizes.promotion_codes),
        "GET /v1/entitlements/features": pages(sizes.features),
        "GET /v1/billing/meters": pages(sizes.meters),
        "GET /v1/subscription_schedules": pages(0),
    }
    if impact:
        floor["GET /v1/subscriptions"] = pages(0)
    return floor


def floor_seconds(requests: int, rate: float, latency_ms: float) -> float:
    """Time `requests` need at a sustained `rate`, plus one round trip of latency."""
    return requests / rate + latency_ms / 1000


def _in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def measure(
    sizes: Sizes,
    *,
    latency_ms: float,
    rate: float,
    creates: int,
    baseline_max: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every scenario for one catalog size."""
    prices = sizes.prices
    with tempfile.TemporaryDirectory(prefix="catalogsync-bench-") as tmp:
        work = Path(tmp)
        base = generate(work / "base", sizes)
        changed = generate(work / "changed", sizes, Variant(changed_every=100))
        extra = generate(work / "extra", sizes, Variant(extra_prices=creates))
        db = work / "emulator.sqlite"
        log(f"[{prices} prices] seeding the emulator (not timed)")
        started = time.perf_counter()
        seeded = _seed(base, db)
        seed_s = time.perf_counter() - started
        log(f"[{prices} prices] seeded {seeded.total} objects in {seed_s:.0f} s; local work")
        local = _in_child(scenarios.local_work, str(base), str(db))
        result: dict[str, Any] = {
            "sizes": sizes.__dict__,
            "objects": seeded.total,
            "latency_ms": latency_ms,
            "rate_limit": rate,
            "seed_s": seed_s,
            "local": local,
        }
        with served(db) as control:
            control.set_faults(latency_ms=latency_ms, rate_limit=rate)
            log(f"[{prices} prices] plan, fully applied")
            full = _in_child(scenarios.plan, str(base), control.url, rate)
            result["plan_full"] = _against_floor(
                full, plan_floor(sizes, impact=False), rate, latency_ms
            )
            log(f"[{prices} prices] plan, 1 % of prices changed")
            moved = _in_child(scenarios.plan, str(changed), control.url, rate)
            result["plan_changed"] = _against_floor(
                moved, plan_floor(sizes, impact=True), rate, latency_ms
            )
            if seeded.total <= baseline_max:
                log(f"[{prices} prices] Terraform-pattern refresh of {seeded.total} objects")
                tf = _in_child(scenarios.baseline, control.url, seeded.ids)
                tf["floor_s"] = floor_seconds(seeded.total, rate, latency_ms)
                result["baseline"] = tf
            else:
                result["baseline"] = {"skipped": True, "reads": seeded.total}
            log(f"[{prices} prices] apply of {creates} creates under 20 % 429s and 5 % 500s")
            faults = {"throttle_rate": 0.2, "fail_rate": 0.05, "seed": 8}
            applied = _in_child(scenarios.apply, str(extra), control.url, rate, faults, None)
            result["apply"] = _apply_rates(applied, rate)
    return result


def _seed(catalog_dir: Path, db: Path) -> Any:
    from catalogsync.catalog import load_catalog
    from catalogsync.emulator import Emulator

    emulator = Emulator(db)
    try:
        return seed(emulator, load_catalog(catalog_dir).catalog, end=int(time.time()))
    finally:
        emulator.close()


def _against_floor(
    result: dict[str, Any], floor: Mapping[str, int], rate: float, latency_ms: float
) -> dict[str, Any]:
    total = sum(result["requests"].values())
    floor_requests = sum(floor.values())
    floor_s = floor_seconds(floor_requests, rate, latency_ms)
    return {
        **result,
        "total_requests": total,
        "floor": dict(floor),
        "floor_requests": floor_requests,
        "floor_s": floor_s,
        "request_ratio": total / floor_requests,
        "wall_ratio": result["network_wall_s"] / floor_s,
    }


def _apply_rates(result: dict[str, Any], rate: float) -> dict[str, Any]:
    wall = result["wall_s"] or float("nan")
    sent = sum(result["requests"].values())
    return {
        **result,
        "total_requests": sent,
        "sent_per_s": sent / wall,
        "rate_fraction": sent / wall / rate,
        "ops_per_s": result["done"] / wall,
        "floor_s": floor_seconds(result["operations"], rate, 0),
    }


def markdown(result: Mapping[str, Any], command: str) -> str:
    """The README table for one size."""
    full, moved, tf = result["plan_full"], result["plan_changed"], result["baseline"]
    applied, local = result["apply"], result["local"]
    rows = [
        "| scenario | requests | floor | ratio | wall s | floor s | ratio | client CPU s "
        "| peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("plan, fully applied", full), ("plan, 1 % of prices changed", moved)):
        rows.append(
            f"| {name} | {r['total_requests']} | {r['floor_requests']} | "
            f"{r['request_ratio']:.2f} | {r['network_wall_s']:.2f} | {r['floor_s']:.2f} | "
            f"{r['wall_ratio']:.2f} | {r['plan_cpu_s']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    if not tf.get("skipped"):
        reads = tf["reads"]
        rows.append(
            f"| Terraform-pattern refresh (10 parallel GETs) | {reads} (+{tf['throttled']} "
            f"429s) | {full['floor_requests']} | {reads / full['floor_requests']:.1f} | "
            f"{tf['wall_s']:.1f} | {full['floor_s']:.2f} | {tf['wall_s'] / full['floor_s']:.1f} | "
            f"{tf['cpu_s']:.2f} | {tf['peak_rss_mb']:.0f} |"
        )
    rows.append(
        f"| apply, {applied['operations']} creates (20 % 429, 5 % 500) | "
        f"{applied['total_requests']} ({applied['retries']} retried) | {applied['operations']} | "
        f"{applied['total_requests'] / max(1, applied['operations']):.2f} | "
        f"{applied['wall_s']:.1f} | {applied['floor_s']:.1f} | "
        f"{applied['wall_s'] / applied['floor_s']:.2f} | {applied['cpu_s']:.2f} | "
        f"{applied['peak_rss_mb']:.0f} |"
    )
    sizes = result["sizes"]
    lines = [
        f"`{command}` — {sizes['products']} products, {sizes['prices']} prices "
        f"({sizes['currency_options']} currency options each), {sizes['coupons']} coupons, "
        f"{sizes['promotion_codes']} promotion codes; {result['latency_ms']:.0f} ms latency, "
        f"{result['rate_limit']:.0f} req/s rate limit.",
        "",
        *rows,
        "",
        f"- Local work (load + validate + diff, CPU): {local['local_cpu_s']:.2f} s "
        f"(load + validate {local['load_validate_cpu_s']:.2f} s, "
        f"diff {local['diff_cpu_s']:.2f} s); the plan's state fingerprint adds "
        f"{local.get('fingerprint_cpu_s', 0):.2f} s.",
        f"- Apply: {applied['sent_per_s']:.1f} requests/s sent = "
        f"{applied['rate_fraction'] * 100:.0f} % of the {result['rate_limit']:.0f} req/s limit; "
        f"{applied['done']}/{applied['operations']} operations done, {applied['failed']} failed; "
        f"plan afterwards: {applied['left_after']} operations left.",
    ]
    return "\n".join(lines) + "\n"


def scaling_markdown(results: Sequence[Mapping[str, Any]]) -> str:
    """The scaling table: the same figures at each size."""
    rows = [
        "| prices | objects | plan requests (floor) | plan wall s (floor) | "
        "local CPU s | Terraform GETs | Terraform wall s | apply req/s | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        full, tf, applied = r["plan_full"], r["baseline"], r["apply"]
        tf_wall = "not run" if tf.get("skipped") else f"{tf['wall_s']:.0f}"
        peak = max(full["peak_rss_mb"], r["local"]["peak_rss_mb"])
        rows.append(
            f"| {r['sizes']['prices']} | {r['objects']} | {full['total_requests']} "
            f"({full['floor_requests']}) | {full['network_wall_s']:.2f} ({full['floor_s']:.2f}) | "
            f"{r['local']['local_cpu_s']:.2f} | {tf['reads']} | {tf_wall} | "
            f"{applied['sent_per_s']:.1f} | {peak:.0f} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print Markdown; write JSON results."""
    parser = argparse.ArgumentParser(description="catalogsync benchmarks (see README)")
    parser.add_argument("--prices", type=int, default=10_000)
    parser.add_argument("--products", type=int, help="default: one per 10 prices")
    parser.add_argument("--coupons", type=int, default=Sizes.coupons)
    parser.add_argument("--promotion-codes", type=int, default=Sizes.promotion_codes)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rate-limit", type=float, default=25.0)
    parser.add_argument("--creates", type=int, default=1_000, help="prices the apply creates")
    parser.add_argument(
        "--baseline-max",
        type=int,
        default=20_000,
        help="skip the Terraform-pattern refresh above this many objects (it takes objects/rate s)",
    )
    parser.add_argument("--scaling", action="store_true", help="run at 1,000, 10,000, 50,000")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    sizes = SCALING_PRICES if args.scaling else (args.prices,)
    results = []
    for prices in sizes:
        products = args.products or max(1, prices // 10)
        size = Sizes(
            products=products,
            prices=prices,
            coupons=args.coupons,
            promotion_codes=args.promotion_codes,
            meters=min(Sizes.meters, max(1, prices // 20)),
            features=min(Sizes.features, products),
        )
        result = measure(
            size,
            latency_ms=args.latency_ms,
            rate=args.rate_limit,
            creates=args.creates,
            baseline_max=args.baseline_max,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        result["command"] = command.strip()
        results.append(result)
        print(markdown(result, command.strip()), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "scaling" if args.scaling else f"bench-{args.prices}"
    (args.out / f"{name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    if args.scaling:
        print(scaling_markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
