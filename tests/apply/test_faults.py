"""Faults: with 20 % 429s, 5 % 500s and dropped connections, apply reaches the same state."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import stripe

from catalogsync.catalog import load_catalog
from catalogsync.emulator import Emulator
from catalogsync.emulator.core import LOCAL_BASE
from catalogsync.emulator.faults import RATE_LIMIT_MESSAGE
from catalogsync.emulator.inprocess import InProcessHTTPClient, WsgiApp
from catalogsync.gateway.read import read_state
from catalogsync.state import KindState
from catalogsync.values import Value, to_value
from tests.apply.apply_support import apply_plan, example_catalog, plan_for


class TooManyRequests:
    """Answers a share of API requests with Stripe's 429 before they reach the emulator."""

    def __init__(self, app: WsgiApp, rate: float, seed: int) -> None:
        self.app, self.rate, self.rng = app, rate, random.Random(seed)
        self.sent = 0

    def __call__(self, environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
        if self.rng.random() < self.rate:
            self.sent += 1
            error = {"type": "invalid_request_error", "code": "rate_limit"}
            body = json.dumps({"error": {**error, "message": RATE_LIMIT_MESSAGE}})
            start("429 Too Many Requests", [("Content-Type", "application/json")])
            return [body.encode()]
        return self.app(environ, start)


def _final_state(client: stripe.StripeClient, catalog: Path) -> dict[str, Value]:
    """Every managed object by identity, without ids or timestamps."""
    state = read_state(client, load_catalog(catalog).catalog, livemode=False)
    kinds: dict[str, KindState[Any]] = {
        "products": state.products,
        "prices": state.prices,
        "coupons": state.coupons,
        "promotion_codes": state.promotion_codes,
        "features": state.features,
        "meters": state.meters,
    }
    out = {
        name: {key: to_value(r.resource) for key, r in kind.managed.items()}
        for name, kind in kinds.items()
    }
    out["product_features"] = {
        p: tuple(sorted(features)) for p, features in state.product_features.items()
    }
    return to_value(out)  # type: ignore[return-value]


def test_apply_under_faults_reaches_the_same_state(tmp_path: Path) -> None:
    catalog = example_catalog(tmp_path / "catalog")
    clean = Emulator(":memory:")
    apply_plan(clean.stripe_client(), plan_for(clean.stripe_client(), catalog))
    expected = _final_state(clean.stripe_client(), catalog)

    faulty = Emulator(":memory:")
    gate = TooManyRequests(faulty.app, 0.20, seed=7)
    client = stripe.StripeClient(
        "sk_test_emulator",
        base_addresses={"api": LOCAL_BASE},
        http_client=InProcessHTTPClient(gate),
        max_network_retries=0,
    )
    plan = plan_for(faulty.stripe_client(), catalog)
    faulty.faults.fail_rate, faulty.faults.drop_rate, faulty.faults.seed = 0.05, 0.05, 11
    writer = apply_plan(client, plan, attempts=12)
    faulty.faults.fail_rate, faulty.faults.drop_rate = 0.0, 0.0

    assert gate.sent > 0
    assert writer.stats.retries >= gate.sent
    assert plan_for(faulty.stripe_client(), catalog).operations == ()
    assert _final_state(faulty.stripe_client(), catalog) == expected
