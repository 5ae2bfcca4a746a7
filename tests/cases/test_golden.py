"""Golden plan cases: tests/cases/<name>/{catalog/, seed.yaml, plan.txt, plan.md, plan.json}.

A case whose plan must be refused has ``error.txt`` (the PlanError's text) instead.

The seed builds the account through the SDK against an in-process emulator
with a fixed clock; the plan is computed by the real pipeline and compared
with the expected renderings. ``UPDATE_GOLDEN=1`` rewrites them (then read
them and check by hand). Planning must never write: no POST or DELETE (but the
invoice previews that check a migration's prorations, which create nothing).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.catalog import load_catalog
from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.plan import Plan
from catalogsync.render import render
from tests.cases.golden_seed import run_seed

CASES = Path(__file__).parent
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "catalog").is_dir())
FIXED_TIME = 1_790_000_000  # 2026-09-21
TODAY = datetime.fromtimestamp(FIXED_TIME, UTC)  # validate's "today": the account's clock
RENDERINGS = {"plan.txt": "text", "plan.md": "markdown", "plan.json": "json"}


def test_there_are_at_least_twenty_cases() -> None:
    assert len(NAMES) >= 20


@pytest.mark.parametrize("name", NAMES)
def test_golden_plan(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES / name
    monkeypatch.chdir(case)  # sources print as catalog/…, the same on every machine
    emulator = Emulator(":memory:")
    try:
        emulator.clock.set(FIXED_TIME)
        client = emulator.stripe_client()
        run_seed(client, case / "seed.yaml")
        emulator.reset_counters()
        error: PlanError | None = None
        try:
            plan = make_plan(client, load_catalog(Path("catalog"), now=TODAY), livemode=False)
        except PlanError as e:
            error = e  # expected only where the case has an error.txt
        writes = [k for k in emulator.counters() if k[0] in ("POST", "DELETE")]
        # A migration's proration is checked against Stripe's invoice preview: a POST
        # that creates nothing (docs.stripe.com/api/invoices/create_preview).
        writes = [k for k in writes if k != ("POST", "/v1/invoices/create_preview")]
    finally:
        emulator.close()
    assert writes == []
    if error is not None or (case / "error.txt").exists():
        _check(case / "error.txt", f"{error}\n")
        return
    saved = Plan.from_json(plan.to_json())
    assert saved == plan
    for filename, fmt in RENDERINGS.items():
        _check(case / filename, render(plan, fmt))
        # `apply --plan` shows the saved plan: it must read exactly as reviewed.
        assert render(saved, fmt) == render(plan, fmt)


def _check(path: Path, actual: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 and review it"
    assert actual == path.read_text(encoding="utf-8")
