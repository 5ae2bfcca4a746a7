"""The in-process client and the HTTP server run the same app."""

from __future__ import annotations

import stripe

from catalogsync.emulator import Emulator


def test_in_process_round_trip(stripe_client: stripe.StripeClient) -> None:
    product = stripe_client.v1.products.create({"name": "Advanced", "id": "advanced"})
    assert stripe_client.v1.products.retrieve("advanced").name == product.name


def test_http_round_trip(emulator: Emulator, emulator_url: str) -> None:
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": emulator_url})
    created = client.v1.products.create({"name": "Essential"})
    assert [p.id for p in client.v1.products.list().data] == [created.id]
    assert emulator.counters()[("POST", "/v1/products")] == 1
