"""A `local` environment's declared customers: the example deal plans on a fresh clone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogsync.config import LocalCustomer, check_config, load_config
from catalogsync.emulator import Emulator
from tests.conftest import CliResult
from tests.paths import EXAMPLE

LOCAL_KEY = "sk_test_catalogsync_local"  # the key `connect` sends to the embedded emulator


def test_the_example_local_account_starts_with_the_deals_customer() -> None:
    local = load_config(EXAMPLE).environment("local")
    assert local.customers == (LocalCustomer("finance@acme.example", "Acme Corp"),)


def test_the_example_deal_plans_and_applies_on_a_fresh_clone(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clone has no .catalogsync/: the local account is created on first use.
    shutil.copytree(EXAMPLE, tmp_path / "catalog", ignore=shutil.ignore_patterns(".*"))
    monkeypatch.chdir(tmp_path)
    plan = run_cli("plan", "--format", "json")
    assert plan.code == 0, plan.err
    ops = json.loads(plan.out)["operations"]
    assert ("Create", "deal", "acme_2031") in {
        (o["op"], o["target"]["kind"], o["target"]["key"]) for o in ops
    }
    assert run_cli("apply", "--yes").code == 0
    emulator = Emulator(tmp_path / "catalog" / ".catalogsync" / "local.sqlite")
    client = emulator.stripe_client(LOCAL_KEY)
    (customer,) = client.v1.customers.list({"email": "finance@acme.example"}).data
    assert customer.name == "Acme Corp"
    assert len(client.v1.subscription_schedules.list({"customer": customer.id}).data) == 1
    emulator.close()
    # Only a fresh account is seeded: planning again creates no second customer.
    assert run_cli("plan", "--detailed-exitcode").code == 0
    emulator = Emulator(tmp_path / "catalog" / ".catalogsync" / "local.sqlite")
    customers = emulator.stripe_client(LOCAL_KEY).v1.customers.list().data
    emulator.close()
    assert len(customers) == 1


def test_only_an_emulator_environment_declares_customers(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  test: {api_key_env: K, customers: [{email: a@example.com}]}\n"
    )
    (problem,) = check_config(tmp_path)
    assert (problem.line, problem.pointer, problem.code) == (
        3,
        "/environments/test/customers",
        "config",
    )
    assert "only an emulator environment starts with customers" in problem.message
