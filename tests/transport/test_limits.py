"""The token bucket and the retry policy, on an injected clock (no test waits)."""

from __future__ import annotations

import random

import pytest

from catalogsync.transport.ratelimit import TokenBucket, default_rate
from catalogsync.transport.retry import Failure, RetryPolicy, should_retry


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_bucket_paces_requests_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(20, clock=clock, sleep=clock.sleep)
    for _ in range(101):
        bucket.acquire()
    assert clock.now == pytest.approx(100 / 20)


def test_bucket_lets_an_idle_client_go_at_once_but_never_bursts_past_its_size() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, burst=3, clock=clock, sleep=clock.sleep)
    clock.now = 60.0
    for _ in range(3):
        assert bucket.acquire() == 0
    assert bucket.acquire() == pytest.approx(0.1)


def test_defaults_stay_below_stripe_limits() -> None:
    assert default_rate(livemode=False) < 25
    assert default_rate(livemode=True) < 100


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (Failure(429), True),
        (Failure(409), True),
        (Failure(500), True),
        (Failure(503), True),
        (Failure(400), False),
        (Failure(404), False),
        (Failure(None), True),
        (Failure(None, connection_retryable=False), False),
        (Failure(500, {"Stripe-Should-Retry": "false"}), False),
        (Failure(400, {"stripe-should-retry": "true"}), True),
    ],
)
def test_what_is_retried(failure: Failure, expected: bool) -> None:
    assert should_retry(failure) is expected


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base=0.5, cap=4.0, rng=random.Random(1))
    for attempt in range(1, 10):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        delays = {policy.delay(attempt) for _ in range(20)}
        assert all(ceiling * 0.1 <= d <= ceiling for d in delays)
        assert len(delays) > 1


class Flaky(Exception):
    def __init__(self, status: int) -> None:
        self.status = status


def test_run_retries_until_success_then_stops_on_a_final_error() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=5, sleep=clock.sleep, rng=random.Random(2))
    statuses = iter([429, 500, None])

    def attempt() -> str:
        status = next(statuses)
        if status is not None:
            raise Flaky(status)
        return "ok"

    retries: list[int] = []
    classify = lambda e: Failure(e.status) if isinstance(e, Flaky) else None  # noqa: E731
    assert policy.run(attempt, classify, lambda n, e: retries.append(n)) == "ok"
    assert retries == [1, 2]
    assert len(clock.slept) == 2

    def refused() -> str:
        raise Flaky(400)

    with pytest.raises(Flaky):
        policy.run(refused, classify)
    assert len(clock.slept) == 2


def test_run_gives_up_after_max_attempts() -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=3, sleep=clock.sleep)
    calls = []

    def always() -> None:
        calls.append(1)
        raise Flaky(503)

    with pytest.raises(Flaky):
        policy.run(always, lambda e: Failure(503))
    assert len(calls) == 3
