"""Catalog discovery: the nearest catalogsync.yaml upward, else ./catalog (as git finds .git)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogsync.config import discover_catalog
from tests.conftest import CliResult
from tests.paths import EXAMPLE


def _example_repo(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "catalog", ignore=shutil.ignore_patterns(".*"))
    return root


def test_every_directory_inside_the_catalog_finds_it(tmp_path: Path) -> None:
    repo = _example_repo(tmp_path)
    assert discover_catalog(repo / "catalog" / "products") == Path("..")
    assert discover_catalog(repo / "catalog" / "deals") == Path("..")
    assert discover_catalog(repo / "catalog") == Path(".")


def test_a_directory_above_any_config_falls_back_to_catalog(tmp_path: Path) -> None:
    # The repository's top: catalogsync.yaml lives in catalog/, not here or above.
    repo = _example_repo(tmp_path / "repo")
    assert discover_catalog(repo) == Path("catalog")


def test_a_config_at_the_top_makes_the_top_the_catalog(tmp_path: Path) -> None:
    (tmp_path / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  local: {emulator: x}\n"
    )
    (tmp_path / "products").mkdir()
    assert discover_catalog(tmp_path / "products") == Path("..")


def test_commands_run_inside_the_catalog_find_it(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _example_repo(tmp_path)
    monkeypatch.chdir(repo / "catalog" / "products")
    result = run_cli("validate")
    assert result.code == 0, result.err
    assert "catalog is valid" in result.out
    monkeypatch.chdir(repo)
    assert run_cli("validate").out == result.out


def test_no_catalog_anywhere_says_how_to_get_one(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("validate")
    assert result.code == 1
    assert "catalog directory not found: catalog" in result.err
    assert "catalogsync init" in result.err
