"""Shared fixtures. Emulator fixtures: an in-memory emulator and SDK clients wired to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from catalogsync.emulator import Emulator


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh in-memory Stripe emulator."""
    emu = Emulator(":memory:")
    yield emu
    emu.close()


@pytest.fixture
def stripe_client(emulator: Emulator) -> stripe.StripeClient:
    """A `StripeClient` reaching `emulator` in-process (no sockets)."""
    return emulator.stripe_client()


@pytest.fixture
def emulator_url(emulator: Emulator) -> Iterator[str]:
    """`emulator` served over HTTP on 127.0.0.1; yields its base URL."""
    with emulator.serve() as url:
        yield url
