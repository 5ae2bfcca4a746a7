"""The exit-code contract shared by every command (`catalogsync.errors.exit_code`,
reported by `catalogsync.cli`), and what ``--debug`` changes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from catalogsync.errors import ConfigError
from tests.conftest import CliResult
from tests.paths import EXAMPLE

BASIC = """\
kind: Product
key: basic
name: Basic
prices:
  - {lookup_key: basic_monthly, currency: usd, unit_amount: "5.00", recurring: {interval: month}}
"""


@pytest.mark.parametrize(
    "args",
    [("plan", "--no-such-option"), ("drift", "--format", "bogus"), ("no-such-command",)],
)
def test_usage_errors_exit_one_never_the_changes_code(
    run_cli: Callable[..., CliResult], args: tuple[str, ...]
) -> None:
    # 2 means "changes" to `plan --detailed-exitcode` and "drift" to `drift`.
    result = run_cli("--catalog", str(EXAMPLE), *args)
    assert result.code == 1
    assert "Error" in result.err


def test_a_rejected_key_is_an_error_not_an_internal_error(
    run_cli: Callable[..., CliResult],
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  test: {api_base: 'URL', api_key_env: CATALOGSYNC_TEST_KEY}\n"
    )
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", "pk_test_notASecretKey123")
    with emulator.serve() as url:
        config = tmp_path / "catalogsync.yaml"
        config.write_text(config.read_text().replace("URL", url))
        result = run_cli("--catalog", str(tmp_path), "plan", "--env", "test")
    assert result.code == 1, result.err
    assert "reading from Stripe failed" in result.err
    assert "internal error" not in result.err


def test_ctrl_c_exits_130() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdout.readline().startswith("http://127.0.0.1:")
    server.send_signal(signal.SIGINT)
    _, err = server.communicate(timeout=20)
    assert server.returncode == 130
    assert "Interrupted." in err


@pytest.fixture
def unreadable_account(run_cli: Callable[..., CliResult], tmp_path: Path) -> Path:
    """A catalog whose local account holds a price Stripe would never send: no currency.

    Stripe always sends a price's `currency` (docs.stripe.com/api/prices/object), so
    catalogsync reading one without it is a case it does not expect, like any bug: the
    emulator's stored price is edited after `apply` created it, to stand for that answer.
    """
    (tmp_path / "products").mkdir()
    (tmp_path / "products" / "basic.yaml").write_text(BASIC)
    (tmp_path / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n  local: {emulator: account.sqlite}\n"
    )
    applied = run_cli("--catalog", str(tmp_path), "apply", "--yes")
    assert applied.code == 0, applied.err
    with sqlite3.connect(tmp_path / "account.sqlite") as db:
        edited = db.execute(
            "UPDATE objects SET body = json_remove(body, '$.currency') WHERE kind = 'price'"
        )
        assert edited.rowcount == 1
    return tmp_path


def test_an_unexpected_exception_is_an_internal_error_exit_3(
    run_cli: Callable[..., CliResult], unreadable_account: Path
) -> None:
    result = run_cli("--catalog", str(unreadable_account), "plan")
    assert result.code == 3
    assert result.err == "internal error: KeyError: 'currency' (rerun with --debug for details)\n"
    assert result.out == ""


def test_debug_raises_the_exception_itself(
    run_cli: Callable[..., CliResult], unreadable_account: Path
) -> None:
    with pytest.raises(KeyError, match="currency"):
        run_cli("--catalog", str(unreadable_account), "--debug", "plan")
    with pytest.raises(ConfigError, match="unknown environment 'nowhere'"):
        run_cli("--catalog", str(unreadable_account), "--debug", "plan", "--env", "nowhere")


def test_debug_shows_the_traceback_of_the_process(unreadable_account: Path) -> None:
    args = ["--catalog", str(unreadable_account), "--debug", "plan"]
    result = subprocess.run(
        [sys.executable, "-m", "catalogsync", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1  # Python's own exit code for an uncaught exception
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith("KeyError: 'currency'\n")


def test_debug_is_the_option_click_parsed_not_a_word_anywhere_in_argv(
    run_cli: Callable[..., CliResult],
) -> None:
    # Here "--debug" is the value of --env: an unknown environment, reported in one line.
    result = run_cli("--catalog", str(EXAMPLE), "plan", "--env", "--debug")
    assert result.code == 1
    assert result.err.startswith("error: unknown environment '--debug'")
