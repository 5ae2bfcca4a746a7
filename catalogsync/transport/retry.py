"""When and how long to wait before trying a Stripe request again.

catalogsync owns retries (the SDK is set to ``max_network_retries=0`` for
writes) so that every attempt of a write carries the SAME idempotency key and
a 429 is retried too, which the SDK does not do (stripe-python
``_http_client.py``; docs.stripe.com/rate-limits). Retried: 429, 409, 5xx, connection errors, and
whatever Stripe marks ``Stripe-Should-Retry: true``; never what it marks
``false``. Backoff is exponential with full jitter, capped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

RETRY_STATUSES = frozenset({409, 429})


@dataclass(frozen=True)
class Failure:
    """What a failed attempt tells the policy (the gateway fills it from a Stripe error)."""

    status: int | None  # None: no HTTP response (connection error)
    headers: Mapping[str, str] = field(default_factory=dict)
    connection_retryable: bool = True  # the SDK's verdict on a connection error


def should_retry(failure: Failure) -> bool:
    """Whether another attempt may succeed (and is safe, given the idempotency key)."""
    header = {k.lower(): v for k, v in failure.headers.items()}.get("stripe-should-retry")
    if header == "false":
        return False
    if header == "true":
        return True
    if failure.status is None:
        return failure.connection_retryable
    return failure.status in RETRY_STATUSES or failure.status >= 500


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits up to ``base * 2**(n-1)``, capped."""

    max_attempts: int = 8
    base: float = 0.25
    cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """The wait after the ``attempt``-th failure (1-based)."""
        ceiling = min(self.cap, self.base * 2.0 ** (attempt - 1))
        # Full jitter, but never less than a tenth of the ceiling: threads
        # that hit a 429 together must not all come back at once, nor at once at all.
        return ceiling * (0.1 + 0.9 * self.rng.random())

    def run(
        self,
        attempt: Callable[[], T],
        classify: Callable[[Exception], Failure | None],
        on_retry: Callable[[int, Exception], None] = lambda n, e: None,
    ) -> T:
        """Call ``attempt`` until it succeeds, a failure is final, or attempts run out.

        ``classify`` maps an exception to a `Failure`, or None for an exception
        that is not a request failure (re-raised at once).
        """
        n = 1
        while True:
            try:
                return attempt()
            except Exception as e:
                failure = classify(e)
                if failure is None or n >= self.max_attempts or not should_retry(failure):
                    raise
                on_retry(n, e)
                self.sleep(self.delay(n))
                n += 1
