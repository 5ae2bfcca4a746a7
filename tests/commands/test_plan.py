"""`catalogsync plan` end to end: exit codes, formats, --out, and never writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from catalogsync.emulator import Emulator
from catalogsync.gateway.connect import LOCAL_API_KEY
from catalogsync.plan.plan import Plan, load_plan

PRODUCT = "kind: Product\nkey: pro\nname: Pro\n"
MANAGED = {"catalogsync_managed": "true", "catalogsync_key": "pro"}


def _catalog(tmp_path: Path, url: str, body: str = PRODUCT) -> Path:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "catalogsync.yaml").write_text(
        f"version: 1\nenvironments:\n  local: {{api_base: '{url}'}}\n"
        "  test: {api_key_env: CATALOGSYNC_TEST_KEY_FOR_PLAN}\n"
    )
    (catalog / "pro.yaml").write_text(body)
    return catalog


def test_detailed_exitcode_is_two_with_changes_and_zero_without(
    tmp_path: Path, emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    changes = run_cli("--catalog", str(catalog), "plan", "--detailed-exitcode")
    assert changes.code == 2
    assert "+ create product pro" in changes.out
    assert run_cli("--catalog", str(catalog), "plan").code == 0
    client = emulator.stripe_client(api_key=LOCAL_API_KEY)  # the key api_base servers get
    client.v1.products.create({"id": "pro", "name": "Pro", "metadata": MANAGED})
    same = run_cli("--catalog", str(catalog), "plan", "--detailed-exitcode")
    assert same.code == 0
    assert "No changes" in same.out


def test_plan_never_writes(
    tmp_path: Path, emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    emulator.reset_counters()
    assert run_cli("--catalog", str(catalog), "plan").code == 0
    methods = {method for method, _ in emulator.counters()}
    assert methods == {"GET"}


def test_invalid_catalog_exits_one_with_diagnostics_and_no_request(
    tmp_path: Path, emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url, "kind: Product\nkey: pro\nnme: Pro\n")
    emulator.reset_counters()
    result = run_cli("--catalog", str(catalog), "plan")
    assert result.code == 1
    assert "pro.yaml:" in result.err
    assert "error[" in result.err
    assert sum(emulator.counters().values()) == 0


def test_out_writes_the_plan_apply_reads_and_formats_render(
    tmp_path: Path, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    out = tmp_path / "plan.json"
    as_json = run_cli("--catalog", str(catalog), "plan", "--out", str(out), "--format", "json")
    saved = load_plan(out)
    assert saved == Plan.from_json(as_json.out)
    assert saved.operations[0].target.key == "pro"
    md = run_cli("--catalog", str(catalog), "plan", "--format", "markdown").out
    assert "**1 to create, 0 to update, 0 to replace, 0 to archive**" in md
    assert f"plan digest `{saved.digest}`" in md
    assert "\x1b[" not in run_cli("--catalog", str(catalog), "plan").out


def test_local_environment_uses_the_embedded_emulator_file(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  local: {emulator: .catalogsync/local.sqlite}\n"
    )
    (catalog / "pro.yaml").write_text(PRODUCT)
    result = run_cli("--catalog", str(catalog), "plan", "--detailed-exitcode")
    assert result.code == 2
    assert (catalog / ".catalogsync" / "local.sqlite").exists()


def test_missing_key_variable_is_an_error_naming_it(
    tmp_path: Path,
    emulator_url: str,
    run_cli: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CATALOGSYNC_TEST_KEY_FOR_PLAN", raising=False)
    catalog = _catalog(tmp_path, emulator_url)
    result = run_cli("--catalog", str(catalog), "plan", "--env", "test")
    assert result.code == 1
    assert "CATALOGSYNC_TEST_KEY_FOR_PLAN" in result.err
