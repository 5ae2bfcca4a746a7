"""The drift pipeline: read the account once, plan against it, report the differences.

Reading needs no write permission: a read-only restricted key is enough.
"""

from __future__ import annotations

from contextlib import closing

from catalogsync.catalog import LoadedCatalog
from catalogsync.config import Environment
from catalogsync.drift import report
from catalogsync.gateway.connect import connect
from catalogsync.gateway.read import read_state
from catalogsync.pipeline.plan import plan_for_state
from catalogsync.plan.findings import DriftReport


def drift_environment(env: Environment, loaded: LoadedCatalog, *, unmanaged: bool) -> DriftReport:
    """Connect to ``env``, read the account and report how it differs from ``loaded``."""
    with closing(connect(env)) as connection:
        client, concurrency = connection.client, env.concurrency
        state = read_state(
            client, loaded.catalog, livemode=connection.livemode, concurrency=concurrency
        )
        plan = plan_for_state(client, loaded, state, concurrency=concurrency)
    return report(plan, state, loaded.catalog, unmanaged=unmanaged)
