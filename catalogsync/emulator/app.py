"""The WSGI application: auth, faults, counters, idempotency, routing, JSON responses.

The same callable serves the HTTP server and the in-process SDK client, so both paths run
identical code. Control endpoints under `/_emulator/` (counters, clock, faults) bypass
auth, faults and counters.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from catalogsync.emulator.auth import authenticate
from catalogsync.emulator.clock import Clock
from catalogsync.emulator.control import handle_control
from catalogsync.emulator.errors import DroppedConnection, StripeError
from catalogsync.emulator.faults import FaultInjector
from catalogsync.emulator.forms import parse_form
from catalogsync.emulator.idempotency import claim, fingerprint
from catalogsync.emulator.params import check
from catalogsync.emulator.resources import KINDS, ROUTES
from catalogsync.emulator.response import Response
from catalogsync.emulator.routing import Ctx, Route, match
from catalogsync.emulator.store import Store, Tx
from catalogsync.emulator.versions import check as check_version

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
API_VERSION = "2026-10-28.endive"
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


@dataclass(frozen=True)
class _Call:
    """An authenticated request to a route, its params checked: what executing it needs."""

    route: Route
    args: dict[str, str]
    params: dict[str, Any]
    account: str
    extra: dict[str, str]  # headers of the response

    def run(self, tx: Tx, now: int) -> Response:
        """The route's handler inside `tx` at time `now`."""
        ctx = Ctx(tx, self.account, now, self.args, self.params, KINDS)
        return Response(200, self.route.handler(ctx), self.extra)


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
        # Date on every response, as every origin server with a clock sends it
        # (RFC 9110 §6.6.1), from the emulator's clock: clients read "now" from it.
        extra = {
            "Request-Id": request_id,
            "Stripe-Version": API_VERSION,
            "Date": formatdate(self.clock.now(), usegmt=True),
        }
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
            call = _Call(route, args, params, account, extra)
            return self._execute(call, headers.get("idempotency-key"))
        except StripeError as e:
            # Only an authenticated request has a log entry in an account's Dashboard.
            log_url = None if account is None else _request_log_url(account, request_id)
            return Response(e.status, e.body(log_url), extra)

    def _execute(self, call: _Call, key: str | None) -> Response:
        """Run a request in one transaction; a keyed write runs once (`_execute_once`)."""
        if key is not None and call.route.writes:
            return self._execute_once(call, key)
        with self.store.transaction() as tx:
            response = call.run(tx, self.clock.now())
        return self._unless_dropped(call.route, response)

    def _execute_once(self, call: _Call, key: str) -> Response:
        """A keyed write: executed and its response stored in one transaction, or replayed."""
        request = fingerprint(call.route, call.args, call.params)
        now = self.clock.now()
        replay = claim(self.store, call.account, key, request=request, now=now, extra=call.extra)
        if replay is not None:
            return replay
        self.faults.delay()  # the request's execution time, while its key is in flight
        try:
            with self.store.transaction() as tx:
                now = self.clock.now()
                response = call.run(tx, now)
                tx.remember(
                    call.account,
                    key,
                    fingerprint=request,
                    status=response.status,
                    body=response.text,
                    now=now,
                )
        except BaseException:
            with self.store.transaction() as tx:
                tx.forget(call.account, key)  # nothing executed: the key may be used again
            raise
        return self._unless_dropped(call.route, response)

    def _unless_dropped(self, route: Route, response: Response) -> Response:
        """The response, unless the drop fault closes a write's connection after its commit."""
        if route.writes and self.faults.after_write() == "drop":
            raise DroppedConnection(f"{route.method} {route.template}")
        return response


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
