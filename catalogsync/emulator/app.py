"""The WSGI application: auth, faults, counters, idempotency, routing, JSON responses.

The same callable serves the HTTP server and the in-process SDK client, so both paths run
identical code. Control endpoints under `/_emulator/` (counters, clock, faults) bypass
auth, faults and counters.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from catalogsync.emulator.auth import authenticate
from catalogsync.emulator.clock import Clock
from catalogsync.emulator.control import handle_control
from catalogsync.emulator.errors import DroppedConnection, StripeError, invalid
from catalogsync.emulator.faults import FaultInjector
from catalogsync.emulator.forms import parse_form
from catalogsync.emulator.params import check
from catalogsync.emulator.resources import KINDS, ROUTES
from catalogsync.emulator.response import Response
from catalogsync.emulator.routing import Ctx, Route, match
from catalogsync.emulator.store import Store
from catalogsync.emulator.versions import check as check_version

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
API_VERSION = "2026-10-28.endive"
IDEMPOTENCY_TTL = 24 * 3600  # seconds a key's first response is replayed
# Wall-clock seconds after which a key still in flight counts as abandoned: its
# process died mid-request (kill -9 of an apply running the local emulator).
# A request executes and stores its response in one transaction, so an
# abandoned claim executed nothing and freeing its key cannot duplicate a write;
# the lease only has to outlast the longest request (the injected latency).
IN_FLIGHT_LEASE = 60.0
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


class App:
    """The emulator's WSGI application."""

    def __init__(self, store: Store, clock: Clock, faults: FaultInjector) -> None:
        self.store = store
        self.clock = clock
        self.faults = faults
        self.counters: Counter[tuple[str, str]] = Counter()
        self._counter_lock = threading.Lock()
        self._requests = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO") or "/")
        query = str(environ.get("QUERY_STRING") or "")
        body = _read_body(environ)
        if path.startswith("/_emulator/"):
            response = handle_control(self, method, path, query, body, headers=_headers(environ))
        else:
            response = self._api(method, path, query, body, _headers(environ))
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(response.text.encode()))),
        ]
        headers += list(response.headers.items())
        start_response(f"{response.status} {_REASONS.get(response.status, 'Error')}", headers)
        return [response.text.encode()]

    def reset_counters(self) -> None:
        """Forget the request counts."""
        with self._counter_lock:
            self.counters.clear()

    def _api(
        self, method: str, path: str, query: str, body: str, headers: dict[str, str]
    ) -> Response:
        found = match(ROUTES, method, path)
        with self._counter_lock:
            self.counters[(method, found[0].template if found else path)] += 1
            self._requests += 1
            request_id = f"req_{self._requests:014d}"
        extra = {"Request-Id": request_id, "Stripe-Version": API_VERSION}
        if "idempotency-key" in headers:
            extra["Idempotency-Key"] = headers["idempotency-key"]
        account: str | None = None
        try:
            account, read_only = authenticate(headers)
            extra["Stripe-Version"] = check_version(headers.get("stripe-version"), API_VERSION)
            # A keyed write spends its latency in flight (`_execute`), as Stripe executes it.
            keyed = found is not None and found[0].writes and "idempotency-key" in headers
            self.faults.before(delay=not keyed)
            if found is None:
                raise StripeError(
                    404,
                    f"Unrecognized request URL ({method}: {path}). "
                    "Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                )
            route, args = found
            if route.writes and read_only:
                raise StripeError(
                    403,
                    "The provided key does not have the required permissions for this endpoint "
                    f"on account '{account}'.",
                    code="secret_key_required",
                )
            params = check(parse_form(body if method == "POST" else query), route.params)
            return self._execute(route, args, params, account=account, headers=headers, extra=extra)
        except StripeError as e:
            # Only an authenticated request has a log entry in an account's Dashboard.
            log_url = None if account is None else _request_log_url(account, request_id)
            return Response(e.status, e.body(log_url), extra)

    def _execute(
        self,
        route: Route,
        args: dict[str, str],
        params: dict[str, Any],
        *,
        account: str,
        headers: dict[str, str],
        extra: dict[str, str],
    ) -> Response:
        key = headers.get("idempotency-key") if route.writes else None
        if key is None:
            with self.store.transaction() as tx:
                ctx = Ctx(tx, account, self.clock.now(), args, params, KINDS)
                response = Response(200, route.handler(ctx), extra)
        else:
            fingerprint = hashlib.sha256(
                json.dumps([route.method, route.template, args, params], sort_keys=True).encode()
            ).hexdigest()
            replay = self._claim(account, key, fingerprint, extra)
            if replay is not None:
                return replay
            self.faults.delay()  # the request's execution time, while its key is in flight
            try:
                with self.store.transaction() as tx:
                    ctx = Ctx(tx, account, self.clock.now(), args, params, KINDS)
                    response = Response(200, route.handler(ctx), extra)
                    tx.remember(
                        account,
                        key,
                        fingerprint=fingerprint,
                        status=response.status,
                        body=response.text,
                        now=ctx.now,
                    )
            except BaseException:
                with self.store.transaction() as tx:
                    tx.forget(account, key)  # nothing executed: the key may be used again
                raise
        if route.writes and self.faults.after_write() == "drop":
            raise DroppedConnection(f"{route.method} {route.template}")
        return response

    def _claim(
        self, account: str, key: str, fingerprint: str, extra: dict[str, str]
    ) -> Response | None:
        """Mark ``key`` in flight; or replay its finished request, or refuse it.

        Stripe (docs.stripe.com/api/idempotent_requests): the first request's
        status and body are replayed for 24 hours, then the key may be used
        for a new request; other parameters give `idempotency_error`; a request
        while another with the key is executing conflicts (409) and saves
        nothing, so it may be retried. A request whose process died leaves its
        key in flight; as in Stripe-style keys, where a request locked longer
        than a timeout counts as abandoned and its key may be retried
        (brandur.org/idempotency-keys, by a Stripe engineer), the key is free
        again once its claim is older than `IN_FLIGHT_LEASE`.
        """
        if len(key) > 255:
            raise invalid("Idempotency-Key must be at most 255 characters.")
        now = self.clock.now()
        wall = time.time()  # the lease is real time: the emulator's clock may be frozen
        with self.store.transaction() as tx:
            stored = tx.idempotent(account, key)
            if (
                stored is None
                or now - stored.created >= IDEMPOTENCY_TTL
                or (stored.status == 0 and wall - stored.claimed_at >= IN_FLIGHT_LEASE)
            ):
                tx.remember(
                    account,
                    key,
                    fingerprint=fingerprint,
                    status=0,
                    body="",
                    now=now,
                    claimed_at=wall,
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
        if stored.fingerprint != fingerprint:
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the same "
                "parameters they were first used with. Try using a key other than "
                f"'{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        return Response(stored.status, stored.body, {**extra, "Idempotent-Replayed": "true"})


def _request_log_url(account: str, request_id: str) -> str:
    """Where the Dashboard shows a request (the `request_log_url` of Stripe's error bodies)."""
    return f"https://dashboard.stripe.com/{account}/test/workbench/logs?object={request_id}"


def _headers(environ: Mapping[str, Any]) -> dict[str, str]:
    out = {
        k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = str(environ["CONTENT_TYPE"])
    return out


def _read_body(environ: Mapping[str, Any]) -> str:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ.get("wsgi.input")
    if length <= 0 or stream is None:
        return ""
    data: bytes = stream.read(length)
    return data.decode()
