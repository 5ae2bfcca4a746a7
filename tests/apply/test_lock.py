"""The apply lock trusts only a private directory and never follows a planted symlink.

Its directory's name under the shared temporary directory is predictable
(`catalogsync-<uid>`), so another user could create it first or plant a
symlink where the lock file goes; `apply_lock` refuses both before writing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogsync.apply.lock import apply_lock
from catalogsync.emulator import Emulator
from catalogsync.errors import UnsafeLockDirectory
from tests.apply.apply_support import example_catalog
from tests.apply.crash_support import PLACEHOLDER_KEY
from tests.conftest import CliResult


def _directory(tmpdir: Path) -> Path:
    return tmpdir / f"catalogsync-{os.getuid()}"


def test_a_lock_directory_others_may_enter_is_refused(private_tmpdir: Path) -> None:
    directory = _directory(private_tmpdir)
    directory.mkdir()
    directory.chmod(0o755)
    with pytest.raises(UnsafeLockDirectory) as refused, apply_lock("target", "acct_1"):
        pass
    assert f"refusing the apply lock directory {directory}" in str(refused.value)
    assert "with mode 0755" in str(refused.value)
    assert "nothing was applied" in str(refused.value)
    assert list(directory.iterdir()) == []


def test_a_symlinked_lock_directory_is_refused(private_tmpdir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    _directory(private_tmpdir).symlink_to(elsewhere)
    with pytest.raises(UnsafeLockDirectory) as refused, apply_lock("target", "acct_1"):
        pass
    assert "not a directory" in str(refused.value)
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_planted_at_the_lock_file_is_not_followed(
    private_tmpdir: Path, tmp_path: Path
) -> None:
    with apply_lock("target", "acct_1"):
        pass
    (lock,) = _directory(private_tmpdir).iterdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    lock.unlink()
    lock.symlink_to(victim)
    with pytest.raises(UnsafeLockDirectory) as refused, apply_lock("target", "acct_1"):
        pass
    assert f"cannot open the apply lock {lock}" in str(refused.value)
    assert victim.read_text() == "precious"


def test_the_lock_directory_and_file_are_private(private_tmpdir: Path) -> None:
    with apply_lock("target", "acct_1"):
        (lock,) = _directory(private_tmpdir).iterdir()
        assert lock.read_text().startswith(f"pid {os.getpid()}, started ")
    assert _directory(private_tmpdir).stat().st_mode & 0o777 == 0o700
    assert lock.stat().st_mode & 0o777 == 0o600


def test_apply_with_an_unsafe_lock_directory_writes_nothing(
    private_tmpdir: Path, tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    catalog = example_catalog(tmp_path / "catalog")
    directory = _directory(private_tmpdir)
    directory.mkdir()
    directory.chmod(0o777)
    result = run_cli("--catalog", str(catalog), "apply", "--yes")
    assert result.code == 1, result.out + result.err
    assert "refusing the apply lock directory" in result.err
    emulator = Emulator(catalog / ".catalogsync" / "local.sqlite")
    products = emulator.stripe_client(PLACEHOLDER_KEY).v1.products.list().data
    emulator.close()
    assert products == []
