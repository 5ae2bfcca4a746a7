"""A guard that makes the test run itself prove the repository stands alone.

A project must pass its own tests from a clone with nothing beside it. Reading
a file from a sibling of the repository (a checkout next to it, a shared data
folder) passes on the machine that has the sibling and fails on every other
one, so the test processes refuse such reads outright: an audit hook on
``open`` raises before the file is touched. Temporary directories and the
Python installation stay readable wherever they are.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class ReadOutsideRepository(PermissionError):
    """A test (or the code under test) opened a file beside the repository."""


def _allowed_roots() -> tuple[str, ...]:
    roots = {Path(tempfile.gettempdir()).resolve()}
    roots |= {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    # A root that holds the repository (a clone made under the temporary
    # directory) would allow everything beside it: only the repository itself
    # and roots elsewhere stay readable.
    roots = {root for root in roots if not REPO.is_relative_to(root)}
    return tuple(str(root) for root in roots | {REPO})


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def forbidden(path: str, beside: str, allowed: tuple[str, ...]) -> bool:
    """True when `path` (absolute, normalised) lies beside the repository."""
    return _inside(path, beside) and not any(_inside(path, root) for root in allowed)


def install_guard() -> None:
    """Refuse, for the rest of this process, every open() of a file beside the repository.

    With the repository at the filesystem root there is nothing "beside" it
    that is not the whole system, so no guard is installed.
    """
    beside = str(REPO.parent)
    if REPO.parent == Path(REPO.anchor):
        return
    allowed = _allowed_roots()

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not isinstance(args[0], str | bytes | os.PathLike):
            return
        path = os.path.normpath(os.path.abspath(os.fsdecode(args[0])))
        if forbidden(path, beside, allowed):
            raise ReadOutsideRepository(f"read outside the repository: {path}")

    sys.addaudithook(hook)
