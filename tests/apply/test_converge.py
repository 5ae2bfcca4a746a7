"""Convergence: after apply, plan is empty (example catalog and every golden case)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from catalogsync.render import render
from tests.apply.apply_support import add_customer, converge, example_catalog, golden_cases
from tests.cases.golden_seed import run_seed
from tests.paths import CASES


def test_example_catalog_with_its_deal_converges(emulator: Emulator, tmp_path: Path) -> None:
    catalog = example_catalog(tmp_path / "catalog", deals=True)
    client = emulator.stripe_client()
    add_customer(client)
    after = converge(client, catalog)
    assert after.operations == (), render(after, "text")


def test_a_second_apply_writes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    catalog = example_catalog(tmp_path / "catalog")
    client = emulator.stripe_client()
    converge(client, catalog)
    emulator.reset_counters()
    converge(client, catalog)
    assert [k for k in emulator.counters() if k[0] != "GET"] == []


@pytest.mark.parametrize("name", golden_cases())
def test_golden_case_converges(name: str, emulator: Emulator) -> None:
    case = CASES / name
    client = emulator.stripe_client()
    run_seed(client, case / "seed.yaml")
    after = converge(client, case / "catalog")
    assert after.operations == (), render(after, "text")
