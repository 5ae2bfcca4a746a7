"""Emulator requests per second over HTTP: a simple list and a create.

    .venv/bin/python -m benchmarks.emulator_http [--requests 2000] [--threads 1]

The emulator is served from its own process (`benchmarks.server.served`),
so the client's CPU is not the server's; the client reuses one keep-alive
connection per thread, as the stripe SDK's requests-based client does.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from benchmarks.server import served

KEY = {"Authorization": "Bearer sk_test_emulator_http"}


def rate(
    url: str, total: int, threads: int, send: Callable[[requests.Session, str, int], int]
) -> float:
    """Requests per second for ``total`` calls of ``send`` spread over ``threads``."""

    def worker(share: range) -> None:
        with requests.Session() as session:
            for n in share:
                status = send(session, url, n)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")

    shares = [range(t, total, threads) for t in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, shares))
    return total / (time.perf_counter() - started)


def _list(session: requests.Session, url: str, n: int) -> int:
    return session.get(f"{url}/v1/products", params={"limit": 10}, headers=KEY).status_code


def _create(session: requests.Session, url: str, n: int) -> int:
    data = {"name": f"Product {n}", "metadata[n]": str(n)}
    return session.post(f"{url}/v1/products", data=data, headers=KEY).status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp) / "http.sqlite") as control:
        creates = rate(control.url, args.requests, args.threads, _create)
        lists = rate(control.url, args.requests, args.threads, _list)
    result = {
        "requests": args.requests,
        "threads": args.threads,
        "create_per_s": round(creates, 1),
        "list_per_s": round(lists, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
