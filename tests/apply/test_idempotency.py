"""Idempotency keys: retried within a run, never a stale replay across runs."""

from __future__ import annotations

from pathlib import Path

import stripe
from apply_support import apply_plan, converge, example_catalog, plan_for

from catalogsync.emulator import Emulator


def _dashboard_rename(client: stripe.StripeClient, lookup_key: str) -> None:
    price = client.v1.prices.list({"lookup_keys": [lookup_key]}).data[0]
    client.v1.prices.update(price.id, {"nickname": "Edited in the Dashboard"})


def test_an_operation_repeated_in_a_later_run_is_executed_not_replayed(tmp_path: Path) -> None:
    # Stripe replays a key's first answer for 24 hours. The same drift fixed
    # twice in one day plans the same operation (same id) both times; the
    # second apply must still change Stripe.
    client = Emulator().stripe_client()
    catalog = example_catalog(tmp_path / "catalog")
    assert converge(client, catalog).operations == ()

    for _ in range(2):
        _dashboard_rename(client, "advanced_seat_monthly")
        plan = plan_for(client, catalog)
        assert [op.target.key for op in plan.operations] == ["advanced_seat_monthly"]
        apply_plan(client, plan)
        assert plan_for(client, catalog).operations == ()
