"""One apply at a time per Stripe account on this machine: an advisory file lock.

Two applies of the same catalog started together both plan from the same
account state, and both would create every new price (Stripe prices have
generated ids, so nothing refuses the second). The lock makes the second run
stop before it reads or writes anything and say who holds the account. It is
`flock(2)`: the kernel releases it when the holder exits, even on `kill -9`,
so an interrupted apply never leaves a stale lock behind.

It covers one machine. Applies of one plan on different machines share
their idempotency keys instead (`apply.replays`); CI runs one apply at a
time through its workflow's concurrency group.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from catalogsync.errors import CatalogsyncError


class ApplyLocked(CatalogsyncError):
    """Another apply on this machine holds the account."""


def lock_directory() -> Path:
    """Where lock files live: a per-user directory under the system's temporary directory."""
    return Path(tempfile.gettempdir()) / f"catalogsync-{os.getuid()}"


@contextmanager
def apply_lock(target: str, account_id: str, *, directory: Path | None = None) -> Iterator[None]:
    """Hold the account for this process, or raise `ApplyLocked` at once (never waits).

    ``target`` says where the account lives (the emulator file, the API base);
    with the account id it names the lock, so two local emulators never
    share one.
    """
    directory = directory or lock_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = hashlib.sha256(f"{target}\0{account_id}".encode()).hexdigest()[:24]
    path = directory / f"apply-{name}.lock"
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ApplyLocked(
                f"another `catalogsync apply` ({holder}) is applying to account {account_id} "
                "from this machine; nothing was applied. When it has finished, run "
                "`catalogsync plan` to see what is left."
            ) from None
        handle.seek(0)
        handle.truncate()
        started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        handle.write(f"pid {os.getpid()}, started {started}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
