"""The refresh pattern of the official Terraform provider for Stripe, as a baseline.

`terraform plan` refreshes every managed resource with its own read: one
`GET /v1/<kind>/<id>` per resource in the state, at Terraform's default
`-parallelism=10`. This replays that pattern against the same emulator, over HTTP with
keep-alive (one session per worker, as Go's HTTP client pools connections).

stripe-go does not retry a rate-limit 429 (only lock timeouts), so a real refresh of a
catalog this size at 25 req/s would fail; to be able to time it to the end, the baseline
retries 429s (and 5xx) with stripe-go's backoff (0.5 s doubling, capped at 5 s, jittered)
and reports them separately from the successful reads.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

PARALLELISM = 10  # terraform plan -parallelism default
_EXPAND = {"/v1/prices": "?expand[]=currency_options&expand[]=tiers"}
_API_VERSION = "2026-10-28.endive"


@dataclass
class BaselineResult:
    """How the per-resource refresh went."""

    reads: int = 0  # successful GETs: one per managed resource
    throttled: int = 0  # 429 answers retried
    failed: int = 0  # 5xx answers retried
    wall_s: float = 0.0
    cpu_s: float = 0.0
    by_endpoint: Counter[str] = field(default_factory=Counter)


def refresh(
    url: str, api_key: str, ids: Mapping[str, Sequence[str]], parallelism: int = PARALLELISM
) -> BaselineResult:
    """GET every object in `ids` (by list path) once, `parallelism` at a time."""
    jobs = [(path, object_id) for path, group in ids.items() for object_id in group]
    result = BaselineResult()
    lock = threading.Lock()
    local = threading.local()
    headers = {"Authorization": f"Bearer {api_key}", "Stripe-Version": _API_VERSION}

    def read(job: tuple[str, str]) -> None:
        path, object_id = job
        session: requests.Session | None = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.headers.update(headers)
        rng = getattr(local, "rng", None) or random.Random(object_id)
        local.rng = rng
        attempt = 0
        while True:
            response = session.get(f"{url}{path}/{object_id}{_EXPAND.get(path, '')}", timeout=60)
            if response.status_code == 200:
                with lock:
                    result.reads += 1
                    result.by_endpoint[f"GET {path}/{{id}}"] += 1
                return
            if response.status_code != 429 and response.status_code < 500:
                raise RuntimeError(f"GET {path}/{object_id}: {response.status_code}")
            with lock:
                if response.status_code == 429:
                    result.throttled += 1
                else:
                    result.failed += 1
            attempt += 1
            delay = min(5.0, 0.5 * 2 ** (attempt - 1))
            time.sleep(delay * (0.5 + rng.random() / 2))

    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        for future in [pool.submit(read, job) for job in jobs]:
            future.result()
    result.wall_s = time.perf_counter() - wall
    result.cpu_s = time.process_time() - cpu
    return result
