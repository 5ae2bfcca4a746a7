"""Emulator-only endpoints under `/_emulator/`, for controlling a separately served process.

GET  /_emulator/requests          request counts by method and route template
POST /_emulator/requests/reset    forget them
GET  /_emulator/clock             {"now": ts, "frozen": bool}
POST /_emulator/clock             `now=TS` (freeze at TS), `advance=S`, or `real=true`
GET  /_emulator/faults            the fault settings
POST /_emulator/faults            `latency_ms=…&rate_limit=…&fail_rate=…&throttle_rate=…`
                                  `&drop_rate=…&seed=…`
POST /_emulator/subscriptions/{id}/payment_failed
                                  the subscription's latest payment failed: active -> past_due
                                  (the account is the one of the request's API key, as for /v1)
POST /_emulator/subscriptions/{id}/status
                                  `status=unpaid` (or paused, canceled, incomplete,
                                  incomplete_expired): where events the emulator does not
                                  simulate would take it (account as for payment_failed)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import parse_qsl

from catalogsync.emulator.auth import authenticate
from catalogsync.emulator.clock import Clock
from catalogsync.emulator.errors import StripeError
from catalogsync.emulator.faults import FaultInjector
from catalogsync.emulator.resources import KINDS, subscriptions
from catalogsync.emulator.response import Response
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Store


class Controlled(Protocol):
    """The parts of the running emulator (its WSGI app) that control requests reach."""

    store: Store
    clock: Clock
    faults: FaultInjector
    counters: Counter[tuple[str, str]]

    def reset_counters(self) -> None:
        """Forget the request counts."""


_SUBSCRIPTION_CONTROLS = {
    "payment_failed": subscriptions.payment_failed,
    "status": subscriptions.force_status,
}
_SUBSCRIPTION = re.compile(r"/_emulator/subscriptions/(?P<id>[^/]+)/(?P<control>\w+)")


def handle_control(
    app: Controlled, method: str, path: str, query: str, body: str, *, headers: dict[str, str]
) -> Response:
    """Serve one control request."""
    values: dict[str, Any] = dict(parse_qsl(body or query, keep_blank_values=True))
    if body.lstrip().startswith("{"):
        values = json.loads(body)
    try:
        if path == "/_emulator/requests" and method == "GET":
            counts = [
                {"method": m, "path": p, "count": n} for (m, p), n in sorted(app.counters.items())
            ]
            return Response(200, {"requests": counts, "total": sum(app.counters.values())})
        if path == "/_emulator/requests/reset" and method == "POST":
            app.reset_counters()
            return Response(200, {"reset": True})
        if path == "/_emulator/clock":
            if method == "POST":
                _set_clock(app, values)
            return Response(200, {"now": app.clock.now()})
        if path == "/_emulator/faults":
            if method == "POST":
                app.faults.faults.update(values)
            return Response(200, app.faults.faults.as_json())
        found = _SUBSCRIPTION.fullmatch(path)
        if method == "POST" and found and found["control"] in _SUBSCRIPTION_CONTROLS:
            action = _SUBSCRIPTION_CONTROLS[found["control"]]
            return Response(200, _on_subscription(app, found["id"], values, headers, action))
    except (ValueError, TypeError) as e:
        return Response(400, StripeError(400, str(e)).body())
    except StripeError as e:
        return Response(e.status, e.body())
    return Response(404, StripeError(404, f"Unrecognized emulator URL ({method}: {path})").body())


def _set_clock(app: Controlled, values: dict[str, Any]) -> None:
    if "now" in values:
        app.clock.set(int(values["now"]))
    if "advance" in values:
        app.clock.advance(int(values["advance"]))
    if str(values.get("real", "")).lower() == "true":
        app.clock.unfreeze()


def _on_subscription(
    app: Controlled,
    subscription: str,
    values: dict[str, Any],
    headers: dict[str, str],
    action: Callable[[Ctx], Any],
) -> Any:
    account, _ = authenticate(headers)
    with app.store.transaction() as tx:
        ctx = Ctx(tx, account, app.clock.now(), {"id": subscription}, values, KINDS)
        return action(ctx)
