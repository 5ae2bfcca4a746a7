"""`catalogsync apply` end to end over HTTP: refusals write nothing, keys never leak."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogsync.cli import main
from catalogsync.emulator import Emulator
from tests.apply.apply_support import example_catalog

CANARY = "sk_test_CANARY0123456789abcdef"
READ_ONLY_CANARY = "rk_test_CANARY0123456789abcdef"
LIVE_CANARY = "sk_live_CANARY0123456789abcdef"


@pytest.fixture
def served(emulator: Emulator) -> Iterator[str]:
    with emulator.serve() as url:
        yield url


def _catalog(tmp_path: Path, url: str, extra: str = "") -> Path:
    catalog = example_catalog(tmp_path / "catalog")
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\n"
        "environments:\n"
        f"  test: {{api_base: '{url}', api_key_env: CATALOGSYNC_TEST_KEY, rate_limit: 1000}}\n"
        + extra
    )
    return catalog


def _run_split(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; the exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    out = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out.out, out.err


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code, out, err = _run_split(capsys, *args)
    return code, out + err


def _apply_saved(
    capsys: pytest.CaptureFixture[str], catalog: Path, plan_file: Path
) -> tuple[int, str]:
    """`apply --plan plan_file --yes` against the test environment."""
    args = ("--catalog", str(catalog), "apply", "--env", "test", "--plan", str(plan_file))
    return _run(capsys, *args, "--yes")


def _writes(emulator: Emulator) -> int:
    return sum(n for (method, _), n in emulator.counters().items() if method != "GET")


@pytest.fixture
def canary(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", CANARY)
    return CANARY


def test_apply_then_plan_is_empty_and_the_key_never_shows(
    canary: str, served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = _catalog(tmp_path, served)
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "test", "--yes")
    assert code == 0, output
    assert re.search(r"Applied (\d+) of \1 operations", output)
    # One line per operation in logs, saying what each step did.
    assert re.search(r"\] attached feature workflows to product advanced\n", output)
    assert "] moved default price of product advanced to advanced_seat_monthly\n" in output
    plan_file = tmp_path / "plan.json"
    code, again = _run(
        capsys, "--catalog", str(catalog), "plan", "--env", "test", "--out", str(plan_file)
    )
    assert code == 0
    assert "No changes" in again
    for text in (output, again, plan_file.read_text()):
        assert "CANARY" not in text


def test_a_failing_apply_names_the_operation_and_never_the_key(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", READ_ONLY_CANARY)  # reads work, writes get 403
    catalog = _catalog(tmp_path, served)
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "test", "--yes")
    assert code == 1
    assert "failed: HTTP 403" in output
    assert "run `catalogsync plan`" in output
    assert "CANARY" not in output


def test_a_stale_plan_is_refused_with_what_changed_and_no_write(
    canary: str,
    served: str,
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = _catalog(tmp_path, served)
    plan_file = tmp_path / "plan.json"
    code, _ = _run(
        capsys, "--catalog", str(catalog), "plan", "--env", "test", "--out", str(plan_file)
    )
    assert code == 0
    # Someone creates one of the catalog's features in the Dashboard meanwhile.
    emulator.stripe_client(CANARY).v1.entitlements.features.create(
        {"lookup_key": "sla_rules", "name": "SLAs"}
    )
    emulator.reset_counters()
    code, output = _apply_saved(capsys, catalog, plan_file)
    assert code == 1
    assert "Stripe changed since the plan was made" in output
    assert "no longer planned: create feature sla_rules" in output
    assert "now also needed:   update feature sla_rules" in output
    assert _writes(emulator) == 0


def test_a_fresh_saved_plan_is_applied(
    canary: str, served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = _catalog(tmp_path, served)
    plan_file = tmp_path / "plan.json"
    _run(capsys, "--catalog", str(catalog), "plan", "--env", "test", "--out", str(plan_file))
    code, output = _apply_saved(capsys, catalog, plan_file)
    assert code == 0, output
    code, again = _run(capsys, "--catalog", str(catalog), "plan", "--env", "test")
    assert "No changes" in again


def test_a_digest_mismatch_is_refused_with_no_write(
    canary: str,
    served: str,
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    catalog = _catalog(tmp_path, served)
    emulator.reset_counters()
    args = [
        "--catalog",
        str(catalog),
        "apply",
        "--env",
        "test",
        "--yes",
        "--expect-digest",
        "0" * 64,
    ]
    code, output = _run(capsys, *args)
    assert code == 1
    assert f"not the expected {'0' * 64}" in output
    assert "create product advanced" in output
    assert _writes(emulator) == 0
    digest = re.search(r"has digest ([0-9a-f]{64})", output)
    assert digest is not None
    args[-1] = digest.group(1)
    code, output = _run(capsys, *args)
    assert code == 0, output


def test_a_protected_environment_must_be_named(
    canary: str,
    served: str,
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = (
        f"  live: {{api_base: '{served}', api_key_env: CATALOGSYNC_TEST_KEY, protected: true}}\n"
    )
    catalog = _catalog(tmp_path, served, extra + "default_environment: live\n")
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--yes")
    assert code == 1
    assert "--env live" in output
    assert _writes(emulator) == 0
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "live")
    assert code == 1  # no TTY to confirm on, no --yes
    assert _writes(emulator) == 0
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "live", "--yes")
    assert code == 0, output


def test_a_live_key_in_an_unprotected_environment_is_refused(
    served: str,
    emulator: Emulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", LIVE_CANARY)
    catalog = _catalog(tmp_path, served)
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "test", "--yes")
    assert code == 1
    assert "live-mode key" in output
    assert "CANARY" not in output
    assert sum(emulator.counters().values()) == 0


def test_dry_run_sends_nothing(
    canary: str, served: str, emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = _catalog(tmp_path, served)
    emulator.reset_counters()
    code, output = _run(capsys, "--catalog", str(catalog), "apply", "--env", "test", "--dry-run")
    assert code == 0
    assert "POST /v1/prices [op_" in output
    assert "<new meter fin_resolutions>" in output
    assert _writes(emulator) == 0


def test_format_json_reports_the_result_as_data(
    canary: str, served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = _catalog(tmp_path, served)
    args = ("--catalog", str(catalog), "apply", "--env", "test", "--yes", "--format", "json")
    code, out, err = _run_split(capsys, *args)
    assert code == 0, err
    result = json.loads(out)  # stdout holds the JSON alone; the plan went to stderr
    assert result["status"] == "applied"
    assert result["applied"] == result["operations"] > 0
    assert sum(result["counts"].values()) == result["operations"]
    assert result["requests"] >= result["operations"]
    assert result["failures"] == []
    assert "create product advanced" in err

    code, out, _ = _run_split(capsys, *args)
    assert code == 0
    again = json.loads(out)
    assert again["status"] == "no_changes"
    assert again["operations"] == 0


def test_format_json_names_a_failed_operation_and_never_the_key(
    served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", READ_ONLY_CANARY)  # reads work, writes get 403
    catalog = _catalog(tmp_path, served)
    args = ("--catalog", str(catalog), "apply", "--env", "test", "--yes", "--format", "json")
    code, out, err = _run_split(capsys, *args)
    assert code == 1
    result = json.loads(out)
    assert result["status"] == "failed"
    assert result["failures"]
    assert all("HTTP 403" in f["error"] for f in result["failures"])
    assert "CANARY" not in out + err
