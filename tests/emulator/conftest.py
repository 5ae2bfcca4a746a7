"""Emulator test fixtures: a client whose emulator clock stands at a known date."""

from __future__ import annotations

import pytest
import stripe

from catalogsync.emulator import Emulator

JAN_1_2027 = 1_798_761_600  # 2027-01-01T00:00:00Z; January has 31 days


@pytest.fixture
def jan_1_2027(emulator: Emulator, stripe_client: stripe.StripeClient) -> stripe.StripeClient:
    """A client of an emulator whose clock stands at 2027-01-01T00:00:00Z."""
    emulator.clock.set(JAN_1_2027)
    return stripe_client
