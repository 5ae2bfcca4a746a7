"""`Faults.throttle_rate`: injected 429s that a client retries like a real rate limit."""

from __future__ import annotations

import pytest
import stripe

from catalogsync.emulator import Emulator


def test_throttle_rate_answers_429_rate_limit_before_executing() -> None:
    emulator = Emulator()
    client = emulator.stripe_client()
    emulator.faults.throttle_rate = 1.0
    with pytest.raises(stripe.RateLimitError) as raised:
        client.v1.products.create({"name": "Throttled"})
    assert raised.value.http_status == 429
    assert raised.value.error is not None
    assert raised.value.error.code == "rate_limit"
    emulator.faults.throttle_rate = 0.0
    assert client.v1.products.list().data == []


def test_throttle_rate_fires_about_as_often_as_asked() -> None:
    emulator = Emulator()
    emulator.faults.throttle_rate = 0.2
    emulator.faults.seed = 7
    client = emulator.stripe_client()
    throttled = 0
    for _ in range(500):
        try:
            client.v1.products.list()
        except stripe.RateLimitError:
            throttled += 1
    assert 60 <= throttled <= 140
