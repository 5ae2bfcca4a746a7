"""Helpers for migration tests against the emulator: a catalog, its subscribers, the plan."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import stripe
from stripe.params import SubscriptionCreateParams

from catalogsync.catalog import load_catalog
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.plan import Plan
from tests.deal_support import apply

# The emulator's clock for these tests, and validate's "today" (a migration
# date must come after it): 2026-12-01T00:00:00Z.
NOW = 1_796_083_200
TODAY = datetime.fromtimestamp(NOW, UTC)

PRODUCT = """\
kind: Product
key: advanced
name: Advanced
prices:
  - lookup_key: advanced_seat
    currency: usd
    unit_amount: "%(usd)s"
    recurring: {interval: month}
    currency_options: {eur: {unit_amount: "%(eur)s"}}
"""


def write_catalog(root: Path, usd: str, eur: str, migration: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(PRODUCT % {"usd": usd, "eur": eur})
    (root / "migrations.yaml").write_text(migration)
    return root


def plan_for(client: stripe.StripeClient, catalog: Path) -> Plan:
    return make_plan(client, load_catalog(catalog, now=TODAY), livemode=False, impact=False)


def account_at_85(client: stripe.StripeClient, root: Path) -> tuple[Path, str]:
    """The catalog applied with advanced_seat at $85 (EUR 80): its directory and the price id."""
    catalog = write_catalog(root, "85.00", "80.00")
    apply(client, plan_for(client, catalog))
    return catalog, price_id(client, "advanced_seat")


def subscribe(
    client: stripe.StripeClient, price: str, quantity: int = 1, **params: Any
) -> stripe.Subscription:
    """A new customer subscribed to ``price``."""
    customer = client.v1.customers.create(params.pop("customer", {}))
    items = [{"price": price, "quantity": quantity}]
    return client.v1.subscriptions.create(
        cast("SubscriptionCreateParams", {"customer": customer.id, "items": items, **params})
    )


def price_id(client: stripe.StripeClient, lookup_key: str) -> str:
    (price,) = client.v1.prices.list({"lookup_keys": [lookup_key]}).data
    return price.id
