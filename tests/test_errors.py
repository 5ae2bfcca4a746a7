"""The exception tree and the one map from exceptions to exit codes (`catalogsync.errors`)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import catalogsync
from catalogsync import errors
from catalogsync.errors import ExitCode, exit_code


def _every_module() -> None:
    """Import every catalogsync module, so that every exception class it declares exists."""
    for module in pkgutil.walk_packages(catalogsync.__path__, "catalogsync."):
        if not module.name.endswith(".__main__"):  # running it would start the CLI
            importlib.import_module(module.name)


def _subclasses(cls: type[BaseException]) -> set[type[BaseException]]:
    found = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_expected_error_is_declared_in_errors() -> None:
    _every_module()
    declared = {cls.__qualname__: cls.__module__ for cls in _subclasses(errors.CatalogsyncError)}
    assert "ApplyFailed" in declared  # the walk did find the tree
    assert {name: module for name, module in declared.items() if module != errors.__name__} == {}


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ConfigError("no such environment"), ExitCode.ERROR),
        (errors.GatewayError("Stripe said no"), ExitCode.ERROR),
        (errors.ApplyFailed("an operation failed"), ExitCode.ERROR),
        (errors.CiRefused("not reviewed"), ExitCode.ERROR),
        (errors.ApplyInterrupted("Ctrl-C"), ExitCode.INTERRUPTED),
        (KeyError("currency"), ExitCode.INTERNAL),
        (TypeError("a bug"), ExitCode.INTERNAL),
    ],
)
def test_exit_code_of_each_kind_of_error(error: Exception, code: ExitCode) -> None:
    assert exit_code(error) is code


def test_the_exit_codes_scripts_rely_on() -> None:
    # README "Exit codes and `--debug`": CI jobs compare these numbers; they must not move.
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 130]
    assert ExitCode["DRIFT"] is ExitCode["CHANGES"]  # one code, two names
