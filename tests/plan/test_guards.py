"""Guards: an empty catalog plans no removals; a mass archive needs `apply --allow-destroy`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from catalogsync.emulator import Emulator
from tests.apply.apply_support import example_catalog


def _catalog(tmp_path: Path, url: str) -> Path:
    catalog = example_catalog(tmp_path / "catalog")
    (catalog / "catalogsync.yaml").write_text(
        f"version: 1\nenvironments:\n  local: {{api_base: '{url}', rate_limit: 1000}}\n"
    )
    return catalog


def _writes(emulator: Emulator) -> int:
    return sum(n for (method, _), n in emulator.counters().items() if method != "GET")


def test_mass_archive_is_marked_and_applied_only_with_allow_destroy(
    tmp_path: Path, emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0
    # Every product, price, coupon and promotion code leaves; features and meters stay.
    shutil.rmtree(catalog / "products")
    for name in ("coupons.yaml", "promotion_codes.yaml", "ramps.yaml", "migrations.yaml"):
        (catalog / name).unlink()

    plan = run_cli("--catalog", str(catalog), "plan")
    assert plan.code == 0
    assert "destructive operations: apply needs --allow-destroy." in plan.out
    assert "needs --allow-destroy: archives or deletes" in plan.out

    emulator.reset_counters()
    refused = run_cli("--catalog", str(catalog), "apply", "--yes")
    assert refused.code == 1
    assert "destructive operation(s); nothing was applied" in refused.err
    assert "apply with --allow-destroy" in refused.err
    assert _writes(emulator) == 0

    allowed = run_cli("--catalog", str(catalog), "apply", "--yes", "--allow-destroy")
    assert allowed.code == 0, allowed.err
    assert "No changes" in run_cli("--catalog", str(catalog), "plan").out


def test_removing_less_than_half_needs_no_flag(
    tmp_path: Path, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0
    (catalog / "promotion_codes.yaml").unlink()
    plan = run_cli("--catalog", str(catalog), "plan").out
    assert "- archive promotion code" in plan
    assert "--allow-destroy" not in plan
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0


def test_empty_catalog_plans_no_archives_even_with_allow_destroy(
    tmp_path: Path, emulator: Emulator, emulator_url: str, run_cli: Callable[..., Any]
) -> None:
    catalog = _catalog(tmp_path, emulator_url)
    assert run_cli("--catalog", str(catalog), "apply", "--yes").code == 0
    for path in catalog.iterdir():
        if path.name != "catalogsync.yaml":
            shutil.rmtree(path) if path.is_dir() else path.unlink()

    plan = run_cli("--catalog", str(catalog), "plan")
    assert plan.code == 1
    assert "the catalog is empty — is --catalog right?" in plan.err
    emulator.reset_counters()
    applied = run_cli("--catalog", str(catalog), "apply", "--yes", "--allow-destroy")
    assert applied.code == 1
    assert "the catalog is empty — is --catalog right?" in applied.err
    assert _writes(emulator) == 0
