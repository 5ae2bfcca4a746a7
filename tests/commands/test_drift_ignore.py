"""`drift: ignore:` in catalogsync.yaml: listed objects outside the catalog are not reported."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import stripe

from catalogsync.config import check_config
from catalogsync.emulator import Emulator
from tests.conftest import CliResult

LOCAL_KEY = "sk_test_catalogsync_local"  # the key `connect` sends to the embedded emulator
CONFIG = "version: 1\nenvironments:\n  local: {emulator: .catalogsync/local.sqlite}\n"


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "catalogsync.yaml").write_text(CONFIG)
    (catalog / "team.yaml").write_text(
        "kind: Product\nkey: team\nname: Team\nprices:\n"
        '  - {lookup_key: team_monthly, currency: usd, unit_amount: "12.00",'
        " recurring: {interval: month}}\n"
    )
    return catalog


@pytest.fixture
def account(catalog: Path, run_cli: Callable[..., CliResult]) -> Iterator[stripe.StripeClient]:
    """The catalog applied, then a legacy price added beside it in the Dashboard."""
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0
    emulator = Emulator(catalog / ".catalogsync" / "local.sqlite")
    yield emulator.stripe_client(LOCAL_KEY)
    emulator.close()


def _drift(run_cli: Callable[..., CliResult], catalog: Path) -> tuple[int, dict[str, object]]:
    result = run_cli("--catalog", str(catalog), "drift", "--format", "json", "--unmanaged")
    return result.code, json.loads(result.out)


def test_an_ignored_legacy_price_is_not_drift(
    catalog: Path, account: stripe.StripeClient, run_cli: Callable[..., CliResult]
) -> None:
    legacy = account.v1.prices.create({"product": "team", "currency": "usd", "unit_amount": 700})
    coupon = account.v1.coupons.create({"id": "OTHER_TEAM", "percent_off": 10})
    code, report = _drift(run_cli, catalog)
    assert code == 2
    found = {(f["category"], f["stripe_id"]) for f in report["findings"]}  # type: ignore[attr-defined]
    assert found == {("extra", legacy.id), ("unmanaged", coupon.id)}

    (catalog / "catalogsync.yaml").write_text(
        CONFIG
        + "drift:\n  ignore:\n"
        + f"    - {{kind: price, id: {legacy.id}, reason: kept for 2019 subscribers}}\n"
        + "    - {kind: coupon, id: OTHER_TEAM}\n"
    )
    code, report = _drift(run_cli, catalog)
    assert code == 0, report
    assert report["findings"] == []


def test_ignoring_never_hides_a_change_to_a_catalog_object(
    catalog: Path, account: stripe.StripeClient, run_cli: Callable[..., CliResult]
) -> None:
    (price,) = account.v1.prices.list({"lookup_keys": ["team_monthly"]}).data
    account.v1.prices.update(price.id, {"active": False})  # archived in the Dashboard
    (catalog / "catalogsync.yaml").write_text(
        CONFIG + f"drift:\n  ignore:\n    - {{kind: price, id: {price.id}}}\n"
    )
    code, report = _drift(run_cli, catalog)
    assert code == 2
    findings = report["findings"]
    assert isinstance(findings, list)
    (finding,) = findings
    assert finding["category"] == "changed"


def test_an_ignore_entry_needs_a_kind_catalogsync_knows(catalog: Path) -> None:
    (catalog / "catalogsync.yaml").write_text(
        CONFIG + "drift:\n  ignore:\n    - {kind: invoice, id: in_1}\n"
    )
    (problem,) = check_config(catalog)
    assert (problem.line, problem.code) == (6, "schema")
    assert problem.pointer == "/drift/ignore/0/kind"
