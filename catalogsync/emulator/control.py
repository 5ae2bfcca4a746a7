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
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from catalogsync.emulator.errors import StripeError
from catalogsync.emulator.resources import KINDS, subscriptions
from catalogsync.emulator.routing import Ctx

if TYPE_CHECKING:
    from catalogsync.emulator.app import App, Response


_PAYMENT_FAILED = re.compile(r"/_emulator/subscriptions/(?P<id>[^/]+)/payment_failed")


def handle(
    app: App, method: str, path: str, query: str, body: str, *, headers: dict[str, str]
) -> Response:
    """Serve one control request."""
    from catalogsync.emulator.app import Response, faults_dict, set_faults

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
                set_faults(app, values)
            return Response(200, faults_dict(app))
        if method == "POST" and (found := _PAYMENT_FAILED.fullmatch(path)):
            return Response(200, _payment_failed(app, found["id"], headers))
    except (ValueError, TypeError) as e:
        return Response(400, StripeError(400, str(e)).body())
    except StripeError as e:
        return Response(e.status, e.body())
    return Response(404, StripeError(404, f"Unrecognized emulator URL ({method}: {path})").body())


def _set_clock(app: App, values: dict[str, Any]) -> None:
    if "now" in values:
        app.clock.set(int(values["now"]))
    if "advance" in values:
        app.clock.advance(int(values["advance"]))
    if str(values.get("real", "")).lower() == "true":
        app.clock.unfreeze()


def _payment_failed(app: App, subscription: str, headers: dict[str, str]) -> Any:
    from catalogsync.emulator.app import authenticate

    account, _ = authenticate(headers)
    with app.store.transaction() as tx:
        ctx = Ctx(tx, account, app.clock.now(), {"id": subscription}, {}, KINDS)
        return subscriptions.payment_failed(ctx)
