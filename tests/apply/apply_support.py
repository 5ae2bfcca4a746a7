"""Helpers shared by the apply tests: plan, apply and re-plan against an emulator."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import stripe

from catalogsync.apply.executor import Report, StripeExecutor, run_plan
from catalogsync.catalog import load_catalog
from catalogsync.gateway.write import Writer
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.plan import Plan
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy
from tests.paths import CASES, EXAMPLE


def plan_for(
    client: stripe.StripeClient, catalog_dir: Path, *, now: datetime | None = None
) -> Plan:
    """The plan for ``catalog_dir`` against the account ``client`` reaches.

    ``now`` is validate's "today" (default: the clock).
    """
    return make_plan(client, load_catalog(catalog_dir, now=now), livemode=False, impact=False)


def apply_plan(client: stripe.StripeClient, plan: Plan, *, attempts: int = 8) -> Writer:
    """Apply ``plan`` with a fast limiter and a retry policy that does not sleep."""
    writer = Writer(
        client, TokenBucket(10_000), RetryPolicy(max_attempts=attempts, sleep=lambda s: None)
    )
    report: Report = run_plan(plan, StripeExecutor(writer))
    assert len(report.done) == len(plan.operations)
    return writer


def converge(client: stripe.StripeClient, catalog_dir: Path) -> Plan:
    """Plan, apply, and return the plan computed afterwards (empty when converged)."""
    apply_plan(client, plan_for(client, catalog_dir))
    return plan_for(client, catalog_dir)


def example_catalog(dest: Path, *, deals: bool = False) -> Path:
    """A copy of the example catalog; its deal only with ``deals`` (it needs `add_customer`)."""
    ignored = (".catalogsync",) if deals else (".catalogsync", "deals")
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns(*ignored))
    return dest


def add_customer(client: stripe.StripeClient) -> None:
    """The example deal's customer, which a real account would already have."""
    client.v1.customers.create({"email": "finance@acme.example", "name": "Acme Corp"})


def golden_cases() -> list[str]:
    # A case with error.txt expects its plan to be refused: there is nothing to apply.
    return sorted(
        p.name
        for p in CASES.iterdir()
        if (p / "catalog").is_dir() and not (p / "error.txt").exists()
    )
