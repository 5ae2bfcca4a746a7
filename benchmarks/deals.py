"""Plan reads over many deals: requests and wall time against the pagination floor.

    python -m benchmarks.deals [--deals 1000 5000] [--latency-ms 50] [--rate-limit 25]

For each size, a catalog of one product (two prices) and N deals, half naming their
customer by email and half by id, is applied to a fresh emulator account by catalogsync's
own plan and apply, in-process and untimed, after creating one customer per deal;
`created` times are spread over a year, as in an account whose contracts accumulated. The
plan on that account must find nothing to do. The emulator is then served over HTTP from
its own process with the injected latency and rate limit, and `plan` runs in a fresh
process (`scenarios.plan`), reading at the same configured rate.

The pagination floor of this plan is one request per 100 objects of every list it must
read: the catalog's kinds (products, active and archived prices, coupons, promotion
codes, features, meters; one request each here), the subscription schedules (one per
deal), the customers (one per deal; read because deals name customers by email), plus
the account. Its time floor is that many requests at the rate limit plus one round trip
of latency. Results go to `benchmarks/results/deals.json` and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import scenarios
from benchmarks.run import _against_floor, _in_child, pages
from benchmarks.seed import BENCH_KEY, DAY
from benchmarks.server import served

RESULTS = Path(__file__).parent / "results"

PRODUCT = """kind: Product
key: expert
name: Expert
prices:
  - lookup_key: expert_seat_annual
    currency: usd
    unit_amount: "1584.00"
    recurring: {interval: year}
  - lookup_key: expert_seat_monthly
    currency: usd
    unit_amount: "139.00"
    recurring: {interval: month}
"""

DEAL = """---
kind: Deal
key: deal_{n}
customer: {customer}
start_date: 2027-06-01
phases:
  - duration: {{interval: month, count: 1}}
    items: [{{price: expert_seat_monthly, quantity: {trial}}}]
  - duration: {{interval: year, count: 1}}
    items: [{{price: expert_seat_annual, quantity: {seats}}}]
"""


def email(n: int) -> str:
    """The email of deal n's customer."""
    return f"buyer{n}@deals.example"


def write_catalog(root: Path, customer_ids: list[str]) -> Path:
    """The product and one deal per customer: even deals name it by email, odd ones by id."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(PRODUCT)
    deals = (
        DEAL.format(
            n=n,
            customer=f"{{email: {email(n)}}}" if n % 2 == 0 else f"{{id: {customer_id}}}",
            trial=5 + n % 7,
            seats=20 + n % 50,
        )
        for n, customer_id in enumerate(customer_ids)
    )
    (root / "deals.yaml").write_text("".join(deals))
    return root


def seed(db: Path, catalog_dir: Path, deals: int, *, end: int, span_days: int = 365) -> int:
    """Customers, then catalogsync's own apply of the catalog; returns the objects created."""
    from catalogsync.apply.executor import StripeExecutor, run_plan
    from catalogsync.catalog import load_catalog
    from catalogsync.emulator import Emulator
    from catalogsync.gateway.write import Writer
    from catalogsync.pipeline.plan import make_plan
    from catalogsync.plan.operations import Operation
    from catalogsync.transport.ratelimit import TokenBucket
    from catalogsync.transport.retry import RetryPolicy

    emulator = Emulator(db)
    try:
        client = emulator.stripe_client(BENCH_KEY)
        objects = 2 * deals + 3  # customers, schedules, the product and its two prices
        start = end - DAY - span_days * DAY
        times: Iterator[int] = iter(
            start + span_days * DAY * n // objects for n in range(objects + 1)
        )
        ids = []
        for n in range(deals):
            emulator.clock.set(next(times))
            ids.append(str(client.v1.customers.create({"email": email(n)}).id))
        loaded = load_catalog(write_catalog(catalog_dir, ids))
        writer = Writer(client, TokenBucket(1_000_000), RetryPolicy())

        class Dated(StripeExecutor):
            """Each operation at the next `created` time."""

            def execute(self, op: Operation) -> Any:
                emulator.clock.set(next(times))
                return super().execute(op)

        plan = make_plan(client, loaded, livemode=False, impact=False)
        run_plan(plan, Dated(writer), concurrency=1)
        emulator.clock.unfreeze()
        left = make_plan(client, loaded, livemode=False, impact=False).operations
        if left:
            raise RuntimeError(f"the seeded account still plans {len(left)} operations")
        return objects
    finally:
        emulator.close()


def plan_floor(deals: int) -> dict[str, int]:
    """Requests the plan cannot do without, by list."""
    return {
        "GET /v1/account": 1,
        "GET /v1/products": pages(1),
        "GET /v1/prices (active)": pages(2),
        "GET /v1/prices (archived)": pages(0),
        "GET /v1/coupons": pages(0),
        "GET /v1/promotion_codes": pages(0),
        "GET /v1/entitlements/features": pages(0),
        "GET /v1/billing/meters": pages(0),
        "GET /v1/subscription_schedules": pages(deals),
        "GET /v1/customers": pages(deals),
    }


def measure(
    deals: int, *, latency_ms: float, rate: float, log: Callable[[str], None]
) -> dict[str, Any]:
    """Seed `deals` deals, then time one plan over them."""
    with tempfile.TemporaryDirectory(prefix="catalogsync-deals-") as tmp:
        work = Path(tmp)
        db = work / "emulator.sqlite"
        log(f"[{deals} deals] seeding customers and applying the deals (not timed)")
        started = time.perf_counter()
        objects = _in_child(_seed_child, str(db), str(work / "catalog"), deals)["objects"]
        seed_s = time.perf_counter() - started
        log(f"[{deals} deals] seeded {objects} objects in {seed_s:.0f} s; plan")
        with served(db) as control:
            control.set_faults(latency_ms=latency_ms, rate_limit=rate)
            # The machine's 1-minute load average: wall time is only comparable between runs
            # on an equally busy machine (the emulator and the client share its cores).
            load = os.getloadavg()[0]
            planned = _in_child(scenarios.plan, str(work / "catalog"), control.url, rate)
    measured = _against_floor(planned, plan_floor(deals), rate, latency_ms)
    return {
        "deals": deals,
        "by_email": (deals + 1) // 2,
        "by_id": deals // 2,
        "objects": objects,
        "latency_ms": latency_ms,
        "rate_limit": rate,
        "seed_s": seed_s,
        "load_average": load,
        "plan": measured,
    }


def _seed_child(db: str, catalog_dir: str, deals: int) -> dict[str, Any]:
    return {"objects": seed(Path(db), Path(catalog_dir), deals, end=int(time.time()))}


def markdown(results: list[dict[str, Any]], command: str) -> str:
    """The README table."""
    rows = [
        f"`{command}` — half the deals name their customer by email, half by id; "
        f"{results[0]['latency_ms']:.0f} ms latency, {results[0]['rate_limit']:.0f} req/s "
        "rate limit.",
        "",
        "| deals | requests | floor | ratio | wall s | floor s | ratio | client CPU s "
        "| load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r["plan"]
        rows.append(
            f"| {r['deals']} | {p['total_requests']} | {p['floor_requests']} | "
            f"{p['request_ratio']:.2f} | {p['network_wall_s']:.2f} | "
            f"{p['floor_s']:.2f} | {p['wall_ratio']:.2f} | {p['plan_cpu_s']:.2f} | "
            f"{r['load_average']:.1f} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the floor and the Markdown table; write JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rate-limit", type=float, default=25.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "deals.json")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.deals " + " ".join(argv if argv is not None else sys.argv[1:])
    results = []
    for deals in args.deals:
        result = measure(
            deals,
            latency_ms=args.latency_ms,
            rate=args.rate_limit,
            log=lambda line: print(line, file=sys.stderr, flush=True),
        )
        result["command"] = command.strip()
        plan = result["plan"]
        print(
            f"[{deals} deals] floor: {plan['floor_requests']} requests "
            f"({', '.join(f'{k} {v}' for k, v in plan['floor'].items())}), "
            f"{plan['floor_s']:.2f} s; sent {plan['total_requests']} (429s and their retries "
            f"included) in {plan['network_wall_s']:.2f} s",
            flush=True,
        )
        results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(markdown(results, command.strip()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
