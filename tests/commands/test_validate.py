"""`catalogsync validate` and `catalogsync schema` through the real CLI entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from catalogsync.kinds import DOCUMENT_KINDS
from tests.paths import REPO

INVALID = REPO / "tests" / "invalid"


def _run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from catalogsync.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_valid_example_catalog_exits_0_with_a_count() -> None:
    result = _run("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("catalog is valid: 41 resources in 12 files")


def test_invalid_catalog_text_lines_relative_to_cwd_and_summary(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    shutil.copytree(INVALID / "several_errors_several_files" / "catalog", catalog)
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = (INVALID / "several_errors_several_files" / "expected.txt").read_text()
    assert lines[:-1] == expected.splitlines()
    assert lines[-1] == "5 errors in 3 files"
    assert "Traceback" not in result.stderr


def test_warnings_only_exit_0(tmp_path: Path) -> None:
    case = INVALID / "fractional_licensed_price_warning" / "catalog"
    result = _run("--catalog", str(case), "validate", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == (
        "catalog is valid: 3 resources in 1 file (2 warnings)"
    )


def test_json_format_is_a_list_of_diagnostics() -> None:
    case = INVALID / "coupon_duration" / "catalog"
    result = _run("--catalog", str(case.relative_to(REPO)), "validate", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "file": "tests/invalid/coupon_duration/catalog/coupons.yaml",
            "line": 4,
            "column": 11,
            "pointer": "/duration",
            "code": "duration",
            "severity": "error",
            "message": "duration repeating needs duration_in_months",
        },
        {
            "file": "tests/invalid/coupon_duration/catalog/coupons.yaml",
            "line": 9,
            "column": 21,
            "pointer": "/duration_in_months",
            "code": "duration",
            "severity": "error",
            "message": "duration_in_months needs duration: repeating",
        },
    ]


def test_json_format_of_a_valid_catalog_is_an_empty_list() -> None:
    result = _run("validate", "--format", "json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_github_format_emits_annotations() -> None:
    case = INVALID / "reference_meter" / "catalog"
    result = _run("--catalog", str(case), "validate", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=tests/invalid/reference_meter/catalog/products.yaml,line=8,col=62,"
        "title=catalogsync reference::/prices/0/recurring/meter: "
        "no meter 'fin_resolution' in the catalog",
        "1 error in 1 file",
    ]


@pytest.mark.parametrize("case", ["yaml_tab", "yaml_unclosed_quote", "yaml_bad_indentation"])
def test_malformed_yaml_names_file_and_line_without_traceback(case: str) -> None:
    result = _run("--catalog", str(INVALID / case / "catalog"), "validate")
    assert result.returncode == 1
    assert "error[yaml-syntax]" in result.stdout
    assert f"tests/invalid/{case}/catalog/" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_missing_catalog_directory_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = _run("--catalog", str(tmp_path / "nope"), "validate")
    assert result.returncode == 1
    assert "catalog directory not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_prints_every_kind_or_one() -> None:
    everything = _run("schema")
    assert everything.returncode == 0
    assert set(json.loads(everything.stdout)) == {*DOCUMENT_KINDS, "config"}
    one = _run("schema", "promotioncode")
    assert one.returncode == 0
    schema = json.loads(one.stdout)
    assert schema["title"] == "catalogsync PromotionCode"
    # Bundled: the shared definitions are inlined, no reference leaves the document.
    assert "common.schema.json" not in one.stdout
    assert "metadata" in schema["$defs"]


def test_schema_of_an_unknown_kind_is_a_usage_error() -> None:
    result = _run("schema", "Plan")
    assert result.returncode == 1  # usage errors exit 1: 2 means changes or drift
    assert "unknown kind 'Plan'" in result.stderr


def test_validate_checks_the_configuration_file_too(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "features.yaml").write_text("kind: Feature\nlookup_key: f\nname: F\n")
    (catalog / "catalogsync.yaml").write_text("environments:\n  live: {protected: true}\n")
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "catalog/catalogsync.yaml:2:9: error[config] /environments/live: "
        "needs emulator, api_key_env or api_base",
        "1 error in 1 file",
    ]
