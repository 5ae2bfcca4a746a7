"""Apply throughput: N creates against the emulator at a rate limit, as a fraction of it.

    .venv/bin/python -m benchmarks.apply_throughput [--count 1000] [--rate 25] [--latency-ms 0]

The emulator enforces the same limit as Stripe would (429 over it) and
catalogsync's token bucket is set to the same rate, so the result shows
how close apply gets to the limit without being throttled. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from catalogsync.apply.executor import StripeExecutor, run_plan
from catalogsync.catalog import load_catalog
from catalogsync.emulator import Emulator
from catalogsync.gateway.write import Writer
from catalogsync.pipeline.plan import make_plan
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy


def features_catalog(root: Path, count: int) -> Path:
    """A catalog of ``count`` entitlement features: ``count`` independent creates."""
    docs = [f"kind: Feature\nlookup_key: feature_{n:05d}\nname: Feature {n}" for n in range(count)]
    (root / "features.yaml").write_text("\n---\n".join(docs) + "\n")
    return root


def measure(count: int, rate: float, latency_ms: float, concurrency: int) -> dict[str, float]:
    """Apply ``count`` creates; returns the achieved rate and its fraction of ``rate``."""
    emulator = Emulator(":memory:")
    client = emulator.stripe_client()
    with tempfile.TemporaryDirectory() as tmp:
        plan = make_plan(client, load_catalog(features_catalog(Path(tmp), count)), livemode=False)
    emulator.faults.rate_limit, emulator.faults.latency_ms = rate, latency_ms
    time.sleep(1.0)  # let the emulator's bucket fill, as an idle account's would be
    writer = Writer(client, TokenBucket(rate), RetryPolicy())
    started = time.monotonic()
    report = run_plan(plan, StripeExecutor(writer), concurrency=concurrency)
    elapsed = time.monotonic() - started
    emulator.close()
    if report.failures:  # a rate from a run that stopped early would mean nothing
        raise RuntimeError(f"apply failed: {report.failures[0][1]}")
    achieved = len(report.done) / elapsed
    return {
        "creates": len(report.done),
        "rate_limit": rate,
        "elapsed_s": round(elapsed, 2),
        "requests": writer.stats.requests,
        "retries": writer.stats.retries,
        "achieved_rps": round(achieved, 2),
        "fraction_of_limit": round(achieved / rate, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    print(json.dumps(measure(args.count, args.rate, args.latency_ms, args.concurrency), indent=2))


if __name__ == "__main__":
    main()
