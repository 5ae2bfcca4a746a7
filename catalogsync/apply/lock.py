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

import contextlib
import fcntl
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from catalogsync.errors import ApplyLocked, UnsafeLockDirectory


@contextlib.contextmanager
def apply_lock(target: str, account_id: str) -> Iterator[None]:
    """Hold the account for this process, or raise `ApplyLocked` at once (never waits).

    ``target`` says where the account lives (the emulator file, the API base);
    with the account id it names the lock, so two local emulators never
    share one.
    """
    directory = _lock_directory()
    name = hashlib.sha256(f"{target}\0{account_id}".encode()).hexdigest()[:24]
    path = directory / f"apply-{name}.lock"
    # O_NOFOLLOW: a symlink planted at the lock's name is refused, not followed
    # (and truncated); the file is this user's alone.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise UnsafeLockDirectory(
            f"cannot open the apply lock {path} ({e.strerror}); it may be a symlink "
            "someone else placed there. Nothing was applied."
        ) from None
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = handle.read().strip() or "another process"
            raise ApplyLocked(
                f"another `catalogsync apply` ({holder}) is applying to account {account_id} "
                "from this machine; nothing was applied. When it has finished, run "
                "`catalogsync plan` to see what is left."
            ) from None
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


def _lock_directory() -> Path:
    """This user's lock directory under the system's temporary directory, checked.

    The temporary directory is shared, so its name is predictable: another
    user could create it first (and read or swap the locks) or make it a
    symlink. It is used only if it is a real directory (not a symlink) owned
    by this user with no permission for group or others.
    """
    directory = Path(tempfile.gettempdir()) / f"catalogsync-{os.getuid()}"
    with contextlib.suppress(FileExistsError):  # checked below, whoever made it
        directory.mkdir(mode=0o700)
    found = directory.lstat()
    if (
        not stat.S_ISDIR(found.st_mode)
        or found.st_uid != os.getuid()
        or stat.S_IMODE(found.st_mode) & 0o077
    ):
        raise UnsafeLockDirectory(
            f"refusing the apply lock directory {directory}: it must be a directory (not a "
            f"symlink) owned by you (uid {os.getuid()}) with mode 0700, and it is "
            f"{_described(found)}. Remove it (or set TMPDIR elsewhere); nothing was applied."
        )
    return directory


def _described(found: os.stat_result) -> str:
    kind = "a directory" if stat.S_ISDIR(found.st_mode) else "not a directory"
    return f"{kind} owned by uid {found.st_uid} with mode {stat.S_IMODE(found.st_mode):04o}"
