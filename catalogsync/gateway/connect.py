"""Turn a configured environment into a `stripe.StripeClient`.

``local`` is the embedded emulator in a SQLite file, reached in-process;
``api_base`` points at any Stripe-compatible server; otherwise the real
API. Keys come only from the variable named by ``api_key_env``. The API
version is pinned to the one catalogsync was tested against and sent on
every request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import stripe

from catalogsync.config import Environment
from catalogsync.emulator import Emulator
from catalogsync.emulator.core import LOCAL_BASE
from catalogsync.errors import ConfigError

# stripe 16.1.0 pins this version (its ``_api_version.py``); sent explicitly so an
# account's default version never changes what we read or write.
API_VERSION = "2026-10-28.endive"
# Keyless servers (the embedded emulator, `emulator serve`) still want a test key.
LOCAL_API_KEY = "sk_test_catalogsync_local"
_LIVE_PREFIXES = ("sk_live_", "rk_live_")
# Reads are safe to retry: the SDK retries 409, 5xx and connection errors.
READ_RETRIES = 2


@dataclass
class Connection:
    """A client for one environment, and the embedded emulator when there is one."""

    client: stripe.StripeClient
    livemode: bool
    emulator: Emulator | None = None

    def close(self) -> None:
        if self.emulator is not None:
            self.emulator.close()


def connect(env: Environment, *, retries: int = READ_RETRIES) -> Connection:
    """A connection for ``env``; raises `ConfigError` for a missing key."""
    if env.emulator is not None:
        return _local(env, retries)
    key = _key(env)
    client = stripe.StripeClient(
        key,
        stripe_version=API_VERSION,
        base_addresses={"api": env.api_base} if env.api_base else {},
        max_network_retries=retries,
    )
    return Connection(client, key.startswith(_LIVE_PREFIXES))


def _local(env: Environment, retries: int) -> Connection:
    assert env.emulator is not None
    env.emulator.parent.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(env.emulator)
    client = stripe.StripeClient(
        LOCAL_API_KEY,
        stripe_version=API_VERSION,
        base_addresses={"api": LOCAL_BASE},
        http_client=emulator.http_client(),
        max_network_retries=retries,
    )
    return Connection(client, False, emulator)


def _key(env: Environment) -> str:
    if env.api_key_env is None:
        if env.api_base is None:
            raise ConfigError(
                f"environment {env.name!r} names no api_key_env, emulator or api_base"
            )
        return LOCAL_API_KEY
    key = os.environ.get(env.api_key_env, "")
    if not key:
        raise ConfigError(
            f"environment {env.name!r} reads its API key from ${env.api_key_env}, which is not set"
        )
    return key
