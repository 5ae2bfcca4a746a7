"""Idempotency keys: a keyed write executes once; its response is replayed afterwards.

Stripe (docs.stripe.com/api/idempotent_requests): the first request's status and body
are replayed for 24 hours, then the key may be used for a new request; other parameters
give `idempotency_error`; a request while another with the key is executing conflicts
(409) and saves nothing, so it may be retried.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from catalogsync.emulator.errors import StripeError, invalid
from catalogsync.emulator.response import Response
from catalogsync.emulator.routing import Route
from catalogsync.emulator.store import Remembered, Store

IDEMPOTENCY_TTL = 24 * 3600  # seconds a key's first response is replayed
# Wall-clock seconds after which a key still in flight counts as abandoned: its
# process died mid-request (kill -9 of an apply running the local emulator).
# A request executes and stores its response in one transaction, so an
# abandoned claim executed nothing and freeing its key cannot duplicate a write;
# the lease only has to outlast the longest request (the injected latency).
IN_FLIGHT_LEASE = 60.0


def fingerprint(route: Route, args: dict[str, str], params: dict[str, Any]) -> str:
    """What must match for a key's request to be the same request again."""
    request = [route.method, route.template, args, params]
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()


def claim(
    store: Store, account: str, key: str, *, request: str, now: int, extra: dict[str, str]
) -> Response | None:
    """Mark ``key`` in flight (None); or replay its finished request, or refuse it.

    `request` is the request's `fingerprint`.

    A request whose process died leaves its key in flight; as in Stripe-style keys,
    where a request locked longer than a timeout counts as abandoned and its key may be
    retried (brandur.org/idempotency-keys, by a Stripe engineer), the key is free again
    once its claim is older than `IN_FLIGHT_LEASE`.
    """
    if len(key) > 255:
        raise invalid("Idempotency-Key must be at most 255 characters.")
    wall = time.time()  # the lease is real time: the emulator's clock may be frozen
    with store.transaction() as tx:
        stored = tx.idempotent(account, key)
        if stored is None or _free(stored, now, wall):
            tx.remember(
                account, key, fingerprint=request, status=0, body="", now=now, claimed_at=wall
            )
            return None
    if stored.status == 0:
        raise StripeError(
            409,
            "There is currently another in-progress request using this Idempotent Key "
            "(that probably means you submitted twice, and the other request is still "
            f"going through): {key}. Please try again later.",
            type="idempotency_error",
        )
    if stored.fingerprint != request:
        raise StripeError(
            400,
            "Keys for idempotent requests can only be used with the same "
            "parameters they were first used with. Try using a key other than "
            f"'{key}' if you meant to execute a different request.",
            type="idempotency_error",
        )
    return Response(stored.status, stored.body, {**extra, "Idempotent-Replayed": "true"})


def _free(stored: Remembered, now: int, wall: float) -> bool:
    """Whether a stored key may be used for a new request: expired, or abandoned in flight."""
    expired = now - stored.created >= IDEMPOTENCY_TTL
    abandoned = stored.status == 0 and wall - stored.claimed_at >= IN_FLIGHT_LEASE
    return expired or abandoned
