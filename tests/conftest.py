"""Shared fixtures. Emulator fixtures: an in-memory emulator and SDK clients wired to it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.self_contained import install_guard

install_guard()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With STRIPE_TEST_API_KEY set, contract tests marked `stripe_live` may reach real Stripe.

    Every other test keeps pytest-socket's loopback-only rule (`--allow-hosts` in
    pyproject.toml).
    """
    if not os.environ.get("STRIPE_TEST_API_KEY"):
        return
    for item in items:
        if item.get_closest_marker("stripe_live"):
            item.add_marker(pytest.mark.enable_socket)


@pytest.fixture(autouse=True)
def private_tmpdir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A temporary directory of the test's own, for it and the processes it starts.

    `apply` keeps its lock files there (`catalogsync.apply.lock`): each test's
    accounts get their own, and none piles up in the shared /tmp.
    """
    tmpdir = tmp_path_factory.mktemp("tmpdir")  # beside the test's tmp_path, mode 0700
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    monkeypatch.setattr(tempfile, "tempdir", None)  # `gettempdir` reads TMPDIR again
    return tmpdir


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh in-memory Stripe emulator."""
    emu = Emulator(":memory:")
    yield emu
    emu.close()


@pytest.fixture
def stripe_client(emulator: Emulator) -> stripe.StripeClient:
    """A `StripeClient` reaching `emulator` in-process (no sockets)."""
    return emulator.stripe_client()


@pytest.fixture
def emulator_url(emulator: Emulator) -> Iterator[str]:
    """`emulator` served over HTTP on 127.0.0.1; yields its base URL."""
    with emulator.serve() as url:
        yield url


# --- plan fixtures (issue 4) ---


@dataclass(frozen=True)
class CliResult:
    """What one in-process run of the `catalogsync` command line produced."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``catalogsync ARGS…`` in-process through `cli.main` (its real exit-code mapping)."""
    from catalogsync.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 0
        else:  # pragma: no cover - main always exits
            code = 0
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@contextmanager
def emulator_process(*options: str) -> Iterator[str]:
    """`catalogsync emulator serve --port=0 OPTIONS…` in its own process; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "catalogsync", "emulator", "serve", "--port=0", *options],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=30)
