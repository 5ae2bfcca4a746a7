"""A token bucket shared by every thread writing to one Stripe account.

Stripe allows 25 requests/s in test mode and 100/s in live mode
(docs.stripe.com/rate-limits); catalogsync stays below that by default so a 429 is the
exception, not the pacing mechanism. The clock and sleep are injected so
tests never wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Defaults below Stripe's limits, leaving room for the Dashboard and other clients.
DEFAULT_TEST_RATE = 20.0
DEFAULT_LIVE_RATE = 80.0


def default_rate(livemode: bool) -> float:
    """The requests-per-second limit used when neither config nor option sets one."""
    return DEFAULT_LIVE_RATE if livemode else DEFAULT_TEST_RATE


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` saved up; `acquire` blocks for one.

    The bucket starts with a single token: a run begins at the steady rate
    instead of with a burst that the server's own bucket may not allow.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = 1.0
        self._last = clock()

    def acquire(self) -> float:
        """Take one token, sleeping until it is there; returns the time waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            # Reserve the token now (the balance may go negative) so that
            # concurrent callers queue up instead of all waking at once.
            self._tokens -= 1.0
            wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        if wait > 0:
            self._sleep(wait)
        return wait
