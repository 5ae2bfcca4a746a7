"""Rough edges of the command line: each failure says the whole thing, plainly.

Every case goes through `cli.main` (or a real subprocess) and the real SDK
against the emulator; nothing of catalogsync is patched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from catalogsync.emulator import Emulator
from tests.conftest import CliResult, emulator_process
from tests.paths import EXAMPLE

LIVE_CANARY = "sk_live_CANARY0123456789abcdef"
READ_ONLY = "rk_test_catalogsync_messages"


def _config(tmp_path: Path, api_base: str) -> Path:
    """The example catalog (without its deal) whose `test` environment is ``api_base``."""
    catalog = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, catalog, ignore=shutil.ignore_patterns(".catalogsync", "deals"))
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\nenvironments:\n"
        f"  test: {{api_base: '{api_base}', api_key_env: CATALOGSYNC_TEST_KEY, rate_limit: 1000}}\n"
    )
    return catalog


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port nothing listens on (bound without listening, so no one else takes it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_connection_error_is_reported_as_whole_sentences(
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", "sk_test_messages")
    catalog = _config(tmp_path, f"http://127.0.0.1:{closed_port}")
    result = run_cli("--catalog", str(catalog), "plan", "--env", "test")
    assert result.code == 1
    (line,) = [x for x in result.err.splitlines() if x.startswith("error:")]
    # The SDK's sentence used to end at "If this problem persists," on its own line.
    assert "If this problem persists, let us know at support@stripe.com." in line
    assert "Connection refused" in line  # the network error: the one useful part
    assert "internal error" not in result.err


def test_a_port_in_use_is_named_not_an_internal_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
    assert "--port" in done.stderr
    assert "internal error" not in done.stderr


def test_an_empty_key_variable_is_called_empty_not_unset(
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    emulator_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog = _config(tmp_path, emulator_url)
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", "")
    result = run_cli("--catalog", str(catalog), "plan", "--env", "test")
    assert result.code == 1
    assert "$CATALOGSYNC_TEST_KEY, which is set but empty" in result.err
    monkeypatch.delenv("CATALOGSYNC_TEST_KEY")
    result = run_cli("--catalog", str(catalog), "plan", "--env", "test")
    assert result.code == 1
    assert "$CATALOGSYNC_TEST_KEY, which is not set" in result.err


@pytest.mark.parametrize("command", [("plan",), ("drift",), ("import", "--out", "imported")])
def test_a_live_key_in_an_unprotected_environment_is_refused_before_any_request(
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", LIVE_CANARY)
    with emulator.serve() as url:
        catalog = _config(tmp_path, url)
        result = run_cli("--catalog", str(catalog), command[0], "--env", "test", *command[1:])
    assert result.code == 1
    assert "holds a live-mode key but is not marked `protected: true`" in result.err
    assert "nothing was sent" in result.err
    assert "CANARY" not in result.out + result.err
    assert sum(emulator.counters().values()) == 0


def test_a_failed_operation_reads_failed_to_create(
    run_cli: Callable[..., CliResult],
    tmp_path: Path,
    emulator_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A restricted key reads (so the plan is made) but the emulator refuses its
    # writes with 403, as Stripe refuses a key without write permissions.
    catalog = _config(tmp_path, emulator_url)
    monkeypatch.setenv("CATALOGSYNC_TEST_KEY", READ_ONLY)
    result = run_cli("--catalog", str(catalog), "apply", "--env", "test", "--yes")
    assert result.code == 1
    output = result.out + result.err
    failed = [line for line in output.splitlines() if "failed to create " in line]
    assert failed, output
    assert failed[0].startswith("[")  # a progress line: `[1/63] failed to create feature …`
    assert "HTTP 403" in failed[0]
    assert "FAILED" not in output
    assert re.search(r"^0 of \d+ operations were applied, \d+ failed", output, re.M), output


def test_ctrl_c_mid_apply_says_what_was_applied_and_exits_130(tmp_path: Path) -> None:
    # A served emulator with latency keeps the apply running long enough to
    # interrupt it after its first operation, as a person would with Ctrl-C.
    with emulator_process("--latency=150") as url:
        catalog = _config(tmp_path, url)
        env = {**os.environ, "CATALOGSYNC_TEST_KEY": "sk_test_messages"}
        base = [sys.executable, "-m", "catalogsync", "--catalog", str(catalog)]
        apply = subprocess.Popen(
            [*base, "apply", "--env", "test", "--yes"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert apply.stdout is not None
        for line in apply.stdout:
            if line.startswith("[1/"):
                break
        apply.send_signal(signal.SIGINT)
        _, err = apply.communicate(timeout=60)
        assert apply.returncode == 130, err
        said = r"apply interrupted \(Ctrl-C\): (\d+) of (\d+) operations were applied \((.*?)\)"
        found = re.search(said, err)
        assert found, err
        applied, total = int(found[1]), int(found[2])
        assert 1 <= applied < total
        assert "0 failed" in err
        listed = re.findall(r"^  op_[0-9a-f]+: (?:created|updated) ", err, re.M)
        assert len(listed) == min(applied, 20)
        assert "operations in flight were finished before stopping" in err
        assert "all-or-nothing" not in err  # untrue of a replace, which is several writes
        assert "`catalogsync apply` to finish" in err
        # What it says was applied is what Stripe holds: the rest is still planned.
        plan = subprocess.run(
            [*base, "plan", "--env", "test", "--format", "json", "--no-impact"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        assert len(json.loads(plan.stdout)["operations"]) == total - applied
