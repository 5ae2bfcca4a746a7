"""Helpers for the deal tests: plan and apply through the real pipeline against an emulator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import stripe

from benchmarks.deals import PRODUCT as EXPERT
from catalogsync.apply.executor import StripeExecutor, run_plan
from catalogsync.catalog import load_catalog
from catalogsync.emulator import Emulator
from catalogsync.gateway.write import Writer
from catalogsync.periods import day_start
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.plan import Plan
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy

# The deals benchmark's product (two seat prices), and two coupons.
PRODUCT = (
    EXPERT
    + """---
kind: Coupon
id: RAMP_Y1_30
percent_off: 30
duration: once
---
kind: Coupon
id: WELCOME100
amount_off: "100.00"
currency: usd
duration: once
"""
)


def acme_account(emulator: Emulator) -> stripe.StripeClient:
    """The deal tests' account (their `client` fixture): an emulator on 2026-11-01
    whose customer Acme the deals name."""
    emulator.clock.set(day_start(date(2026, 11, 1)))
    client = emulator.stripe_client()
    client.v1.customers.create({"email": "finance@acme.example"})
    return client


def write_catalog(root: Path, deals: str) -> Path:
    """A catalog with one product, two prices, two coupons and the given deal documents."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "catalog.yaml").write_text(PRODUCT)
    (root / "deals.yaml").write_text(deals)
    return root


# Validate's "today" for these catalogs (deals starting 2027-01-01 are not backdated),
# whatever the emulator clock says and whatever day the tests run.
TODAY = datetime(2026, 11, 1, tzinfo=UTC)


def plan_for(client: stripe.StripeClient, catalog: Path) -> Plan:
    return make_plan(client, load_catalog(catalog, now=TODAY), livemode=False, impact=False)


def apply(client: stripe.StripeClient, plan: Plan) -> None:
    writer = Writer(client, TokenBucket(10_000), RetryPolicy(max_attempts=3, sleep=lambda s: None))
    report = run_plan(plan, StripeExecutor(writer))
    assert len(report.done) == len(plan.operations)


def converge(client: stripe.StripeClient, catalog: Path) -> Plan:
    """Plan, apply, and the plan afterwards (empty when converged)."""
    apply(client, plan_for(client, catalog))
    return plan_for(client, catalog)


def only_schedule(client: stripe.StripeClient) -> stripe.SubscriptionSchedule:
    """The account's one subscription schedule."""
    (schedule,) = client.v1.subscription_schedules.list().data
    return schedule
