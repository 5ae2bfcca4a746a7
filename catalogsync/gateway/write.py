"""Sending writes to Stripe: one request per `Write`, rate-limited, retried, idempotent.

The SDK's own retries are switched off for writes (``max_network_retries=0``
on every request): `RetryPolicy` retries instead, with the SAME
``Idempotency-Key`` on every attempt, so a write whose response was lost is
answered from Stripe's idempotency cache instead of being done twice.

The key is the operation's id scoped by the writer's ``scope``
(``op_id/scope``). `apply` scopes keys by the plan's remote-state
fingerprint, so two applies of one plan (planned from the same account
state, e.g. on two machines at once) send the same keys and Stripe executes
each write once: a request while the other run's is in flight gets a 409
(retried), a later one the first one's response, marked
``Idempotent-Replayed``. `Sent.replayed` reports such a write, so apply can
say what another run did and check it still holds (`apply.replays`): Stripe
replays a key's first answer for 24 hours, and a state that returned to an
earlier fingerprint (the same drift fixed twice in a day) would otherwise
turn a needed write into a silent no-op.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import stripe

from catalogsync.errors import GatewayError
from catalogsync.gateway.failures import describe_error
from catalogsync.kinds import Kind
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import Failure, RetryPolicy

Json = dict[str, Any]
NOT_EXECUTED = frozenset({409, 429})  # statuses Stripe answers before executing a request


@dataclass(frozen=True)
class Write:
    """One write request.

    ``records`` names the catalog object whose Stripe id the response
    carries (a later level may refer to it); ``missing_ok`` makes a 404 a
    success (a delete that an earlier, interrupted run already did);
    ``path_id`` names an object created by an earlier write of the same
    operation, whose id goes into ``path`` at ``{id}``.
    """

    method: Literal["POST", "DELETE"]
    path: str
    params: Mapping[str, Any]
    idempotency_key: str
    records: tuple[Kind, str] | None = None
    missing_ok: bool = False
    path_id: tuple[Kind, str] | None = None  # fills ``{id}`` in path when the write is sent


def scoped_key(key: str, scope: str) -> str:
    """The ``Idempotency-Key`` a write is sent with: its key, scoped (module docstring)."""
    return f"{key}/{scope}"


@dataclass(frozen=True)
class Sent:
    """A write's response, and whether Stripe replayed another request's result.

    ``replayed``: the first attempt was answered ``Idempotent-Replayed``, or
    only attempts refused before executing (409 in flight, 429) preceded it:
    no request of this writer did the write, another one with its key did.
    """

    data: Json
    replayed: bool = False


@dataclass
class Stats:
    """Requests sent and retries made (thread-safe counters)."""

    requests: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def request(self) -> None:
        with self._lock:
            self.requests += 1

    def retry(self) -> None:
        with self._lock:
            self.retries += 1


class Writer:
    """Sends writes and the few reads the executor needs, through one limiter and policy."""

    def __init__(
        self,
        client: stripe.StripeClient,
        limiter: TokenBucket,
        policy: RetryPolicy,
        *,
        scope: str | None = None,
        stats: Stats | None = None,
    ) -> None:
        self.client = client
        self.limiter = limiter
        self.policy = policy
        self.scope = scope or secrets.token_hex(6)  # default: keys of this writer alone
        self.stats = stats or Stats()

    def scoped(self, scope: str) -> Writer:
        """The same writer (client, limiter, policy, counters) sending keys scoped by ``scope``."""
        return Writer(self.client, self.limiter, self.policy, scope=scope, stats=self.stats)

    def send(self, write: Write) -> Sent:
        """Send one write; the response object as a dict, and whether it was replayed."""
        params: dict[str, Any] = dict(write.params)
        params["idempotency_key"] = scoped_key(write.idempotency_key, self.scope)
        try:
            return self._request(write.method, write.path, params)
        except stripe.StripeError as e:
            if write.missing_ok and e.http_status == 404:
                return Sent({})
            raise GatewayError(describe_error(e)) from None

    def find_id(self, kind: Kind, key: str) -> str | None:
        """The id of the active object with catalog identity ``key`` (None when absent)."""
        if kind == "price":
            query = {"lookup_keys": [key], "active": "true", "limit": 1}
            found = self._read("/v1/prices", query)
        elif kind == "feature":
            found = self._read("/v1/entitlements/features", {"lookup_key": key, "limit": 1})
        elif kind == "meter":
            found = self._read("/v1/billing/meters", {"status": "active", "limit": 100})
            found = [m for m in found if m.get("event_name") == key]
        else:
            return key  # products and coupons: the catalog key is the Stripe id
        return str(found[0]["id"]) if found else None

    def read(self, path: str, query: Mapping[str, Any] | None = None) -> Json:
        """GET one object (through the limiter and the retry policy)."""
        try:
            return self._request("GET", path, dict(query or {})).data
        except stripe.StripeError as e:
            raise GatewayError(f"reading {path} failed: {describe_error(e)}") from None

    def _read(self, path: str, query: dict[str, Any]) -> list[Json]:
        data = self.read(path, query).get("data", [])
        assert isinstance(data, list)
        return data

    def _request(self, method: str, path: str, params: dict[str, Any]) -> Sent:
        params["max_network_retries"] = 0  # our policy owns retries (module docstring)
        executed = False  # whether an earlier attempt of ours may have done the write

        def attempt() -> Sent:
            self.limiter.acquire()
            self.stats.request()
            response = self.client.raw_request(method.lower(), path, **params)
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            replayed = headers.get("idempotent-replayed") == "true" and not executed
            return Sent(response.data, replayed)

        def on_retry(n: int, error: Exception) -> None:
            nonlocal executed
            failure = classify(error)
            # 409 (key in flight) and 429 are refused before anything executes.
            executed = executed or failure is None or failure.status not in NOT_EXECUTED
            self.stats.retry()

        return self.policy.run(attempt, classify, on_retry)


def classify(error: Exception) -> Failure | None:
    """A Stripe error as the retry policy sees it; None for anything else."""
    if isinstance(error, stripe.APIConnectionError):
        return Failure(None, error.headers or {}, bool(error.should_retry))
    if isinstance(error, stripe.StripeError):
        return Failure(error.http_status, error.headers or {})
    return None
