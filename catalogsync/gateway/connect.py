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
from stripe.params import CustomerCreateParams

from catalogsync.config import Environment
from catalogsync.emulator import Emulator
from catalogsync.emulator.core import LOCAL_BASE
from catalogsync.errors import ConfigError, GatewayError
from catalogsync.gateway.failures import describe_error

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
    """A connection for ``env``; raises `ConfigError` for a missing or empty key.

    Every command reaches Stripe through here, so this is where a live key in
    an environment not marked ``protected`` is refused: before any request,
    for `plan`, `drift` and `import` as for `apply`.
    """
    if env.emulator is not None:
        return _local(env, retries)
    key = _key(env)
    if key.startswith(_LIVE_PREFIXES) and not env.protected:
        raise ConfigError(
            f"environment {env.name!r} holds a live-mode key but is not marked "
            "`protected: true` in catalogsync.yaml; refusing to use it (nothing was sent)"
        )
    client = stripe.StripeClient(
        key,
        stripe_version=API_VERSION,
        base_addresses={"api": env.api_base} if env.api_base else {},
        max_network_retries=retries,
    )
    return Connection(client, key.startswith(_LIVE_PREFIXES))


def account_id(env: Environment) -> str:
    """The id of the account ``env`` reaches (one request)."""
    connection = connect(env)
    try:
        return str(connection.client.v1.accounts.retrieve_current().id)
    except stripe.StripeError as e:
        raise GatewayError(f"reading the account failed: {describe_error(e)}") from None
    finally:
        connection.close()


def _local(env: Environment, retries: int) -> Connection:
    assert env.emulator is not None
    env.emulator.parent.mkdir(parents=True, exist_ok=True)
    fresh = not env.emulator.exists()
    emulator = Emulator(env.emulator)
    client = stripe.StripeClient(
        LOCAL_API_KEY,
        stripe_version=API_VERSION,
        base_addresses={"api": LOCAL_BASE},
        http_client=emulator.http_client(),
        max_network_retries=retries,
    )
    if fresh:
        # A new account starts with the customers the environment declares, as a
        # real account already has its customers; created through the SDK.
        for customer in env.customers:
            params: CustomerCreateParams = {"email": customer.email}
            if customer.name:
                params["name"] = customer.name
            client.v1.customers.create(params)
    return Connection(client, False, emulator)


def _key(env: Environment) -> str:
    if env.api_key_env is None:
        if env.api_base is None:
            raise ConfigError(
                f"environment {env.name!r} names no api_key_env, emulator or api_base"
            )
        return LOCAL_API_KEY
    key = os.environ.get(env.api_key_env)
    if key is None:
        raise ConfigError(
            f"environment {env.name!r} reads its API key from ${env.api_key_env}, which is not set"
        )
    if not key.strip():
        raise ConfigError(
            f"environment {env.name!r} reads its API key from ${env.api_key_env}, which is set "
            "but empty"
        )
    return key
