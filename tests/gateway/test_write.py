"""Writes through the real SDK against the emulator: scoped idempotency keys, replays, 404s."""

from __future__ import annotations

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.errors import GatewayError
from catalogsync.gateway.write import Write, Writer, scoped_key
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy


def _writer(client: stripe.StripeClient, scope: str = "run1") -> Writer:
    policy = RetryPolicy(max_attempts=1, sleep=lambda s: None)
    return Writer(client, TokenBucket(10_000), policy, scope=scope)


def _create(key: str) -> Write:
    return Write("POST", "/v1/products", {"id": "pro", "name": "Pro"}, key)


def test_a_write_is_sent_once_per_scoped_key(stripe_client: stripe.StripeClient) -> None:
    writer = _writer(stripe_client)
    first = writer.send(_create("op_1"))
    assert (first.data["id"], first.replayed) == ("pro", False)
    # The same operation sent again by this run (a retry): Stripe replays its answer.
    again = writer.send(_create("op_1"))
    assert (again.data["id"], again.replayed) == ("pro", True)
    assert writer.stats.requests == 2
    assert scoped_key("op_1", "run1") == "op_1/run1"


def test_another_scope_is_another_request(stripe_client: stripe.StripeClient) -> None:
    _writer(stripe_client, "run1").send(_create("op_1"))
    with pytest.raises(GatewayError, match="already exists"):
        _writer(stripe_client, "run2").send(_create("op_1"))  # not a replay: executed, refused


def test_a_delete_already_done_is_a_success_only_when_missing_is_ok(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    writer = _writer(stripe_client)
    gone = Write("DELETE", "/v1/coupons/GONE", {}, "op_2", missing_ok=True)
    assert writer.send(gone).data == {}
    with pytest.raises(GatewayError, match="No such coupon"):
        writer.send(Write("DELETE", "/v1/coupons/GONE", {}, "op_3"))
