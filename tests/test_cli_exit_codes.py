"""The exit-code contract shared by every command (the mapping in `catalogsync.cli.main`)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from tests.conftest import CliResult
from tests.paths import EXAMPLE


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
