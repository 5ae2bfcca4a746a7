"""A guard that makes the test run itself prove the repository stands alone.

A project must pass its own tests from a clone with nothing beside it. Reading
a file from a sibling of the repository (a checkout next to it, a shared data
folder) passes on the machine that has the sibling and fails on every other
one, so the test processes refuse such reads outright: ``open`` (the builtin,
``io.open`` that pathlib calls, and ``os.open``) raises before the file is touched.

Not an audit hook: CPython 3.11 calls audit hooks from inside
``sys.settrace`` while it holds a process-wide "being installed" flag, so a
Python hook lets another thread run at that moment, and coverage's per-thread
``settrace`` then fails at random with "Cannot install a trace function while
another trace function is being installed" (python/cpython#98257).

"Beside" means inside an entry of the repository's parent directory that
existed when the guard was installed (other than the repository itself and
pytest's own temporary root): what tests create later (temporary
directories, even when the clone itself sits in /tmp) stays readable, and so
does the Python installation wherever it is.
"""

from __future__ import annotations

import builtins
import functools
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tests.paths import REPO

# The repositories the guards of this process protect.
GUARDED: set[Path] = set()


class ReadOutsideRepository(PermissionError):
    """A test (or the code under test) opened a file beside the repository."""


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def install_guard(repo: Path = REPO) -> None:
    """Refuse, for the rest of this process, every open() of a file beside ``repo``.

    With the repository at the filesystem root there is nothing "beside" it
    that is not the whole system, so no guard is installed.
    """
    parent = repo.parent
    if parent == Path(repo.anchor):
        return
    beside = str(parent) + os.sep
    siblings = frozenset(
        name
        for name in os.listdir(parent)
        if name != repo.name and not name.startswith("pytest-of-")
    )
    python = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})

    def check(path_like: Any) -> None:
        if not isinstance(path_like, str | bytes | os.PathLike):
            return  # a file descriptor
        path = os.path.normpath(os.path.abspath(os.fsdecode(path_like)))
        if not path.startswith(beside):
            return
        if path[len(beside) :].split(os.sep, 1)[0] in siblings and not any(
            _inside(path, root) for root in python
        ):
            raise ReadOutsideRepository(f"read outside the repository: {path}")

    guarded_open = _checked(builtins.open, check)
    builtins.open = guarded_open
    io.open = guarded_open
    os.open = _checked(os.open, check)
    GUARDED.add(repo)


F = TypeVar("F", bound=Callable[..., Any])


def _checked(opener: F, check: Callable[[Any], None]) -> F:
    """``opener`` that first refuses a path beside the repository."""

    @functools.wraps(opener)
    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        check(file)
        return opener(file, *args, **kwargs)

    return guarded  # type: ignore[return-value]
