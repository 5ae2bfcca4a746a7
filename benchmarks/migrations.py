"""Moving many subscribers: plan reads against the floor, writes per subscription, apply rate.

    python -m benchmarks.migrations [--subscriptions 10000] [--at now renewal]
                                    [--latency-ms 50] [--rate-limit 25]

An emulator account gets one product with one monthly price (``team_monthly``,
10.00 USD), applied by catalogsync's own plan and apply, then N customers each
subscribed to it (1 to 4 seats), `created` spread over the 25 days before now, so
every subscription is inside its first period (set-up, untimed, in-process).
The catalog then raises the price to 12.00 (the price is replaced) and adds a
Migration of ``team_monthly`` to the new price, ``at: now`` (with
``create_prorations``) or ``at: renewal``.

The emulator is served over HTTP from its own process with the injected latency
and rate limit; catalogsync is configured with the same rate. Each scenario runs
in a fresh process:

- plan: requests and wall time against the pagination floor (`plan_floor`);
- apply under 20 % 429s and 5 % 500s (both answered before the request
  executes, on top of the rate limit): requests sent per second as a fraction
  of the rate limit, operations done and failed, and a plan afterwards (must be
  empty);
- then, from the emulator's own record of executed writes (its idempotency
  table holds one response per write it executed): writes per subscription
  (target 1 for ``now``, 2 for ``renewal``) and double moves (a subscription
  written more often than that: must be zero), and each subscription's items
  (one, on the new price at ``now``).

Results go to `benchmarks/results/migrations.json` and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import scenarios
from benchmarks.run import _against_floor, _apply_rates, _in_child, pages
from benchmarks.seed import BENCH_KEY, DAY
from benchmarks.server import served

RESULTS = Path(__file__).parent / "results"
WRITES_PER_MOVE = {"now": 1, "renewal": 2}
FAULTS = {"throttle_rate": 0.2, "fail_rate": 0.05, "seed": 16}

PRODUCT = """kind: Product
key: team
name: Team
default_price: team_monthly
prices:
  - lookup_key: team_monthly
    currency: usd
    unit_amount: "{amount}"
    recurring: {{interval: month}}
"""

MIGRATION = """kind: Migration
key: team_increase
moves:
  - {{from: team_monthly, to: team_monthly}}
at: {at}
"""


def write_catalog(root: Path, *, amount: str, at: str | None) -> Path:
    """The product at ``amount``; with ``at``, the migration too."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "team.yaml").write_text(PRODUCT.format(amount=amount))
    if at is not None:
        extra = "proration_behavior: create_prorations\n" if at == "now" else ""
        (root / "migration.yaml").write_text(MIGRATION.format(at=at) + extra)
    return root


def seed(db: Path, work: Path, subscriptions: int, *, end: int) -> None:
    """The product applied by catalogsync, then one customer and subscription each."""
    from catalogsync.apply.executor import StripeExecutor, run_plan
    from catalogsync.catalog import load_catalog
    from catalogsync.emulator import Emulator
    from catalogsync.gateway.write import Writer
    from catalogsync.pipeline.plan import make_plan
    from catalogsync.transport.ratelimit import TokenBucket
    from catalogsync.transport.retry import RetryPolicy

    emulator = Emulator(db)
    try:
        client = emulator.stripe_client(BENCH_KEY)
        start = end - 25 * DAY
        emulator.clock.set(start - DAY)
        loaded = load_catalog(write_catalog(work / "base", amount="10.00", at=None))
        writer = Writer(client, TokenBucket(1_000_000), RetryPolicy())
        run_plan(make_plan(client, loaded, livemode=False, impact=False), StripeExecutor(writer))
        price = client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data[0].id
        for n in range(subscriptions):
            emulator.clock.set(start + 24 * DAY * n // subscriptions)
            customer = client.v1.customers.create({"email": f"subscriber{n}@bench.example"})
            client.v1.subscriptions.create(
                {"customer": customer.id, "items": [{"price": price, "quantity": 1 + n % 4}]}
            )
    finally:
        emulator.close()


def plan_floor(subscriptions: int, at: str) -> dict[str, int]:
    """Requests the migration's plan cannot do without, by list."""
    floor = {
        "GET /v1/account": 1,
        "GET /v1/products": pages(1),
        "GET /v1/prices (active)": pages(1),
        "GET /v1/prices (archived)": pages(0),
        "GET /v1/coupons": pages(0),
        "GET /v1/promotion_codes": pages(0),
        "GET /v1/entitlements/features": pages(0),
        "GET /v1/billing/meters": pages(0),
        "GET /v1/subscription_schedules": pages(0),
        "GET /v1/subscriptions (the cohort, on the old price)": pages(subscriptions),
    }
    if at == "now":  # the cross-check of the planned proration against Stripe's preview
        floor["POST /v1/invoices/create_preview (a sample)"] = 1
    return floor


def executed_writes(db: Path, before: frozenset[str] = frozenset()) -> Counter[str]:
    """Writes the emulator executed per subscription, not counting the keys in ``before``.

    Its idempotency table holds one row per executed write (with the response);
    requests refused before executing (the injected 429s and 500s) leave none.
    """
    per_subscription: Counter[str] = Counter()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT key, body FROM idempotency WHERE status = 200")
        for key, body in rows:
            if key in before:
                continue
            obj = json.loads(body)
            if obj.get("object") == "subscription":
                per_subscription[obj["id"]] += 1
            elif obj.get("object") == "subscription_schedule":
                per_subscription[obj.get("subscription") or obj["released_subscription"]] += 1
    return per_subscription


def _keys(db: Path) -> frozenset[str]:
    with sqlite3.connect(db) as conn:
        return frozenset(key for (key,) in conn.execute("SELECT key FROM idempotency"))


def items_on(db: Path, at: str) -> Counter[str]:
    """How many subscriptions bill what: ``new`` (one item, the new price), ``old``, ``other``."""
    from catalogsync.emulator import Emulator

    emulator = Emulator(db)
    try:
        client = emulator.stripe_client(BENCH_KEY)
        new = client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data[0].id
        found: Counter[str] = Counter()
        for sub in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter():
            prices = [item["price"]["id"] for item in sub.to_dict()["items"]["data"]]
            on_schedule = at == "renewal" and sub.schedule is not None
            found["new" if prices == [new] else "scheduled" if on_schedule else "other"] += 1
        return found
    finally:
        emulator.close()


def measure(
    subscriptions: int,
    at: str,
    base_db: Path,
    work: Path,
    *,
    latency_ms: float,
    rate: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Plan, then apply under faults, one migration mode on a copy of the seeded account."""
    db = work / f"{at}.sqlite"
    shutil.copyfile(base_db, db)
    seeded = _keys(db)  # the seeding's own writes
    catalog = write_catalog(work / at, amount="12.00", at=at)
    with served(db) as control:
        control.set_faults(latency_ms=latency_ms, rate_limit=rate)
        load = os.getloadavg()[0]
        log(f"[{subscriptions} subscriptions, at {at}] plan")
        planned = _in_child(scenarios.plan, str(catalog), control.url, rate)
        log(f"[{subscriptions} subscriptions, at {at}] apply under 20 % 429s and 5 % 500s")
        faults = {**FAULTS, "latency_ms": latency_ms, "rate_limit": rate}
        applied = _in_child(scenarios.apply, str(catalog), control.url, rate, faults, None)
    writes = executed_writes(db, seeded)
    per_move = WRITES_PER_MOVE[at]
    return {
        "subscriptions": subscriptions,
        "at": at,
        "latency_ms": latency_ms,
        "rate_limit": rate,
        "load_average": load,
        "plan": _against_floor(planned, plan_floor(subscriptions, at), rate, latency_ms),
        "apply": _apply_rates(applied, rate),
        "moved_subscriptions": len(writes),
        "writes_per_subscription": sum(writes.values()) / max(1, len(writes)),
        "double_moves": sum(1 for n in writes.values() if n > per_move),
        "billing": dict(items_on(db, at)),
    }


def markdown(results: list[dict[str, Any]], command: str) -> str:
    """The README table."""
    first = results[0]
    rows = [
        f"`{command}` — {first['subscriptions']} subscriptions on one monthly price; "
        f"{first['latency_ms']:.0f} ms latency, {first['rate_limit']:.0f} req/s rate limit; "
        "apply under 20 % 429s and 5 % 500s.",
        "",
        "| at | plan requests | floor | ratio | plan wall s | floor s | writes / subscription "
        "| apply requests | apply req/s ÷ limit | done / failed | double moves | plan after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p, a = r["plan"], r["apply"]
        rows.append(
            f"| {r['at']} | {p['total_requests']} | {p['floor_requests']} | "
            f"{p['request_ratio']:.2f} | {p['network_wall_s']:.1f} | {p['floor_s']:.1f} | "
            f"{r['writes_per_subscription']:.2f} | {a['total_requests']} "
            f"({a['retries']} retried) | {a['rate_fraction']:.2f} | "
            f"{a['done']} / {a['failed']} | {r['double_moves']} | {a['left_after']} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the Markdown table; write JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument(
        "--at", nargs="+", choices=sorted(WRITES_PER_MOVE), default=["now", "renewal"]
    )
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rate-limit", type=float, default=25.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "migrations.json")
    args = parser.parse_args(argv)
    command = "python -m benchmarks.migrations " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = []
    with tempfile.TemporaryDirectory(prefix="catalogsync-migrations-") as tmp:
        work = Path(tmp)
        base = work / "base.sqlite"
        log(f"seeding {args.subscriptions} subscriptions (not timed)")
        started = time.perf_counter()
        _in_child(_seed_child, str(base), str(work), args.subscriptions)
        log(f"seeded in {time.perf_counter() - started:.0f} s")
        for at in args.at:
            result = measure(
                args.subscriptions,
                at,
                base,
                work,
                latency_ms=args.latency_ms,
                rate=args.rate_limit,
                log=log,
            )
            result["command"] = command.strip()
            results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(markdown(results, command.strip()), flush=True)
    return 0


def _seed_child(db: str, work: str, subscriptions: int) -> dict[str, Any]:
    seed(Path(db), Path(work), subscriptions, end=int(time.time()))
    return {}


if __name__ == "__main__":
    raise SystemExit(main())
