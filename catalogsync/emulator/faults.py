"""Fault injection: latency, a token-bucket rate limit, random 500s and dropped connections."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from catalogsync.emulator.errors import StripeError, invalid

RATE_LIMIT_MESSAGE = (
    "Too many requests hit the API too quickly. "
    "We recommend an exponential backoff of your requests."
)


@dataclass
class Faults:
    """Mutable fault settings, read on every request.

    latency_ms: added to every API request (outside the store lock, so parallel clients overlap).
    rate_limit: requests per second allowed by a token bucket (burst of one second); None = off.
    fail_rate: probability of a 500 `api_error` before the request executes.
    throttle_rate: probability of a 429 `rate_limit` error before the request executes, on top
        of `rate_limit` (benchmarks inject 20 % 429s to test retrying at full speed).
    drop_rate: probability of dropping the connection after a write has committed.
    seed: seeds the random draws so a run can be repeated.
    """

    latency_ms: float = 0.0
    rate_limit: float | None = None
    fail_rate: float = 0.0
    throttle_rate: float = 0.0
    drop_rate: float = 0.0
    seed: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The settings as JSON (`GET /_emulator/faults`)."""
        return asdict(self)

    def update(self, values: Mapping[str, Any]) -> None:
        """Change settings from strings or numbers ("" or "none" turns a setting off)."""
        names = {f.name for f in fields(self)}
        for name, value in values.items():
            if name not in names:
                raise invalid(f"Received unknown parameter: {name}", param=name)
            if value in ("", "none", None):
                converted: Any = None if name in ("rate_limit", "seed") else 0.0
            elif name == "seed":
                converted = int(value)
            else:
                converted = float(value)
            setattr(self, name, converted)


Verdict = Literal["ok", "drop"]


class FaultInjector:
    """Applies a `Faults` value to requests; thread-safe."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self._lock = threading.Lock()
        self._rng = random.Random(faults.seed)
        self._seed = faults.seed
        self._tokens = 0.0
        self._rate: float | None = None
        self._last = time.monotonic()

    def before(self, *, delay: bool = True) -> None:
        """Sleep for the latency (unless the caller does it later), then maybe a 429 or 500."""
        if delay:
            self.delay()
        with self._lock:
            if not self._take_token() or self._draw(self.faults.throttle_rate):
                raise StripeError(429, RATE_LIMIT_MESSAGE, code="rate_limit")
            if self._draw(self.faults.fail_rate):
                raise StripeError(500, "An unknown error occurred", type="api_error")

    def delay(self) -> None:
        """Sleep for the configured latency."""
        if self.faults.latency_ms > 0:
            time.sleep(self.faults.latency_ms / 1000)

    def after_write(self) -> Verdict:
        """Whether to drop the connection of a write that has just committed."""
        with self._lock:
            return "drop" if self._draw(self.faults.drop_rate) else "ok"

    def _draw(self, probability: float) -> bool:
        if probability <= 0:
            return False
        if self.faults.seed != self._seed:
            self._seed = self.faults.seed
            self._rng = random.Random(self._seed)
        return self._rng.random() < probability

    def _take_token(self) -> bool:
        rate = self.faults.rate_limit
        now = time.monotonic()
        if rate is None or rate <= 0:
            self._rate = None
            return True
        if rate != self._rate:
            # A new limit starts with a full bucket (one second of burst).
            self._rate, self._tokens, self._last = rate, max(rate, 1.0), now
        self._tokens = min(max(rate, 1.0), self._tokens + (now - self._last) * rate)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
