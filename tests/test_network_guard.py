"""Every test runs with the network blocked except loopback (pytest-socket, pyproject addopts)."""

from __future__ import annotations

import re
import socket

import pytest
import stripe
from pytest_socket import SocketConnectBlockedError

# TEST-NET-1 (RFC 5737): reserved for documentation, never routed. Without the guard a
# connection attempt would time out (an OSError), not raise the guard's error.
UNROUTED = ("192.0.2.1", 443)
REFUSAL = 'A test tried to use socket.socket.connect() with host "192.0.2.1"'


def test_a_connection_off_the_machine_is_refused() -> None:
    with (
        pytest.warns(UserWarning, match=re.escape(REFUSAL)),
        pytest.raises(SocketConnectBlockedError),
    ):
        socket.create_connection(UNROUTED, timeout=2)


def test_the_sdk_cannot_reach_an_outside_host() -> None:
    client = stripe.StripeClient(
        "sk_test_network_guard", base_addresses={"api": "https://192.0.2.1"}, max_network_retries=0
    )
    with (
        pytest.warns(UserWarning, match=re.escape(REFUSAL)),
        pytest.raises(stripe.APIConnectionError) as info,
    ):
        client.v1.products.list()
    assert REFUSAL in str(info.value)  # the guard's refusal, not a timed-out attempt


def test_loopback_is_allowed(emulator_url: str) -> None:
    client = stripe.StripeClient("sk_test_network_guard", base_addresses={"api": emulator_url})
    assert client.v1.products.list().data == []
