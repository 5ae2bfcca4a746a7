"""`catalogsync apply --dry-run` shows the very requests `apply` then sends.

The emulator is served through a WSGI wrapper that records every request it
receives (method, path, ``Idempotency-Key`` header, form body), so the dry
run's JSON is compared with what went over the wire, not with catalogsync's
own idea of it.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.emulator.forms import parse_form
from catalogsync.emulator.server import serve
from tests.apply.apply_support import example_catalog
from tests.conftest import CliResult

KEY = "sk_test_dryrun0123456789abcdef"
PLACEHOLDER = re.compile(r"<new (\w+) ([^>]+)>")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    idempotency_key: str
    form: Any


class Recorder:
    """A WSGI app in front of the emulator's: it notes each write it passes on."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.writes: list[Request] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        if environ["REQUEST_METHOD"] != "GET":
            key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
            form = parse_form(body.decode())
            self.writes.append(Request(environ["REQUEST_METHOD"], environ["PATH_INFO"], key, form))
        return self.app(environ, start_response)


@pytest.fixture
def recorded(emulator: Emulator) -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder(emulator.app)
    with serve(recorder) as url:
        yield recorder, url


def _as_form(value: Any) -> Any:
    """A JSON value as Stripe's form encoding carries it: strings, lists indexed like maps.

    (The SDK leaves out None, writes booleans as true/false and lists as `k[0]`;
    stripe-python `_encode._api_encode`.)
    """
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        nested = {str(k): _as_form(v) for k, v in items if v is not None}
        return {k: v for k, v in nested.items() if v != {}}
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _real_ids(client: stripe.StripeClient) -> Callable[[re.Match[str]], str]:
    """What a dry run's ``<new KIND KEY>`` became once apply created it."""

    def real(match: re.Match[str]) -> str:
        kind, key = match.groups()
        if kind == "price":
            return str(client.v1.prices.list({"lookup_keys": [key]}).data[0].id)
        if kind == "meter":
            meters = client.v1.billing.meters.list({"limit": 100}).data
            return next(str(m.id) for m in meters if m.event_name == key)
        if kind == "feature":
            found = client.v1.entitlements.features.list({"lookup_key": key}).data
            return str(found[0].id)
        return key  # products and coupons: the catalog key is the Stripe id

    return real


def _dry_run_then_apply(
    run_cli: Callable[..., CliResult],
    recorder: Recorder,
    client: stripe.StripeClient,
    catalog: Path,
) -> tuple[list[Request], list[Request]]:
    """The writes the dry run showed (new objects' ids filled in) and the ones apply sent."""
    args = ("--catalog", str(catalog), "apply", "--env", "test")
    recorder.writes.clear()
    dry = run_cli(*args, "--dry-run", "--format", "json")
    assert dry.code == 0, dry.err
    assert recorder.writes == []
    shown = json.loads(dry.out)["writes"]
    applied = run_cli(*args, "--yes")
    assert applied.code == 0, applied.err
    real = _real_ids(client)
    expected = [
        Request(
            w["method"],
            PLACEHOLDER.sub(real, w["path"]),
            w["idempotency_key"],
            _as_form(json.loads(PLACEHOLDER.sub(real, json.dumps(w["params"])))),
        )
        for w in shown
    ]
    return _by_key(expected), _by_key(recorder.writes)


def _by_key(requests: list[Request]) -> list[Request]:
    return sorted(requests, key=lambda r: r.idempotency_key)


def test_the_dry_run_shows_the_very_requests_apply_sends(
    run_cli: Callable[..., CliResult],
    recorded: tuple[Recorder, str],
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, url = recorded
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", KEY)
    client = emulator.stripe_client(KEY)
    catalog = example_catalog(tmp_path / "catalog")
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n"
        f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY, rate_limit: 1000}}\n"
    )
    shown, sent = _dry_run_then_apply(run_cli, recorder, client, catalog)
    assert len(sent) > 20  # the example catalog: products, prices, meters, features, …
    assert shown == sent

    # Then changes to existing objects: an update by id, and a replace (a new
    # price, the product's default moved to it, the old one archived).
    addons = catalog / "products" / "addons.yaml"
    text = addons.read_text()
    text = text.replace("name: Fin AI Copilot add-on", "name: Fin AI Copilot")
    addons.write_text(text.replace('unit_amount: "35.00"', 'unit_amount: "36.00"', 1))
    shown, sent = _dry_run_then_apply(run_cli, recorder, client, catalog)
    assert {r.method for r in sent} == {"POST"}
    assert len(sent) >= 4
    assert shown == sent
