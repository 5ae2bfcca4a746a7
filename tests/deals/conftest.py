"""The deal tests' account: an emulator on 2026-11-01 whose customer Acme the deals name."""

from __future__ import annotations

from datetime import date

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.periods import day_start


@pytest.fixture
def client(emulator: Emulator) -> stripe.StripeClient:
    emulator.clock.set(day_start(date(2026, 11, 1)))
    client = emulator.stripe_client()
    client.v1.customers.create({"email": "finance@acme.example"})
    return client
