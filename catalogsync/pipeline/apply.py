"""The apply pipeline: hold the account, connect for writing, run a plan.

Writes go through the token bucket and catalogsync's own retry policy (the
SDK does not retry them: ``retries=0``), so every attempt of a write carries
the same idempotency key (`catalogsync.transport.retry`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from catalogsync.apply.executor import Progress
from catalogsync.apply.lock import apply_lock
from catalogsync.apply.replays import Applied, apply_shared
from catalogsync.catalog import LoadedCatalog
from catalogsync.config import Environment
from catalogsync.gateway.connect import account_id, connect
from catalogsync.gateway.write import Stats, Writer
from catalogsync.pipeline.plan import plan_environment
from catalogsync.plan.plan import Plan
from catalogsync.transport.ratelimit import TokenBucket, default_rate
from catalogsync.transport.retry import RetryPolicy


def hold_account(env: Environment) -> AbstractContextManager[None]:
    """The account's apply lock (raises `ApplyLocked` when another apply holds it)."""
    target = str(env.emulator.resolve()) if env.emulator else env.api_base or "api.stripe.com"
    return apply_lock(target, account_id(env))


def apply_environment(
    env: Environment,
    plan: Plan,
    loaded: LoadedCatalog,
    *,
    rate_limit: float | None,
    progress: Progress,
) -> tuple[Applied, Stats]:
    """Run ``plan`` against ``env``; what was done, including any failure (apply/replays.py).

    ``rate_limit`` (requests a second) overrides the environment's, which
    overrides the default for the plan's mode.
    """
    rate = rate_limit or env.rate_limit or default_rate(plan.livemode)
    connection = connect(env, retries=0)
    writer = Writer(connection.client, TokenBucket(rate), RetryPolicy())
    try:
        applied = apply_shared(
            plan,
            writer,
            lambda: plan_environment(env, loaded, impact=False),
            concurrency=env.concurrency,
            progress=progress,
        )
    finally:
        connection.close()
    return applied, writer.stats
