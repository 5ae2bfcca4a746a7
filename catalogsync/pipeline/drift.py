"""The drift pipeline: read the account once, plan against it, report the differences.

Reading needs no write permission: a read-only restricted key is enough.
"""

from __future__ import annotations

import stripe

from catalogsync.catalog import LoadedCatalog
from catalogsync.config import DEFAULT_CONCURRENCY
from catalogsync.drift import report
from catalogsync.gateway.read import read_state
from catalogsync.pipeline.plan import plan_for_state
from catalogsync.plan.findings import DriftReport


def detect(
    client: stripe.StripeClient,
    loaded: LoadedCatalog,
    *,
    livemode: bool,
    unmanaged: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DriftReport:
    """Read the account and report how it differs from ``loaded``."""
    state = read_state(client, loaded.catalog, livemode=livemode, concurrency=concurrency)
    plan = plan_for_state(client, loaded, state, concurrency=concurrency)
    return report(plan, state, loaded.catalog, unmanaged=unmanaged)
