"""The import contracts in pyproject.toml: kept by the package, broken by each kind of violation.

Each case runs `lint-imports` on a copy of the package with one import added,
so the contracts are shown to fail for the reason they exist (a lower layer
importing a higher one, a function-local import, a cycle between siblings, the
planner reaching Stripe, a command connecting by itself, the emulator reaching
into catalogsync) and to pass on the package as it is.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.paths import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(
        REPO / "catalogsync", root / "catalogsync", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH first: the copy, not the installed package, is analysed.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _append(root: Path, module: str, code: str) -> None:
    path = root / "catalogsync" / module
    path.write_text(path.read_text() + "\n" + code + "\n")


def test_the_package_keeps_every_contract(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "code", "broken"),
    [
        pytest.param(
            "model.py",
            "from catalogsync.plan import operations as _upwards",
            "catalogsync.model is not allowed to import catalogsync.plan",
            id="model-imports-plan",
        ),
        pytest.param(
            "gateway/read.py",
            "def _hidden() -> None:\n    from catalogsync.apply import executor  # noqa: F401",
            "catalogsync.gateway is not allowed to import catalogsync.apply",
            id="function-local-import-upwards",
        ),
        pytest.param(
            "plan/guards.py",
            "import stripe as _sdk",
            "catalogsync.plan is not allowed to import stripe",
            id="planner-imports-the-sdk",
        ),
        pytest.param(
            "commands/plan.py",
            "from catalogsync.gateway.connect import connect as _connect",
            "catalogsync.commands.plan -> catalogsync.gateway.connect",
            id="command-connects-outside-the-pipeline",
        ),
        pytest.param(
            "catalog/files.py",
            "from catalogsync.catalog import loader as _cycle",
            "No cycles are allowed in catalogsync.catalog",
            id="cycle-between-siblings",
        ),
        pytest.param(
            "emulator/clock.py",
            "from catalogsync.plan import plan as _plan",
            "catalogsync.emulator is not allowed to import catalogsync.plan",
            id="emulator-imports-plan",
        ),
        pytest.param(
            "emulator/store.py",
            "from catalogsync.emulator import crud as _upwards",
            "catalogsync.emulator.store is not allowed to import catalogsync.emulator.crud",
            id="emulator-store-imports-crud",
        ),
        pytest.param(
            "render/text.py",
            "from catalogsync.emulator import core as _core",
            "catalogsync.render.text -> catalogsync.emulator.core",
            id="emulator-imported-outside-its-gates",
        ),
        pytest.param(
            "commands/init.py",
            "from catalogsync.commands import import_ as _sibling",
            "catalogsync.commands.init is not allowed to import catalogsync.commands.import_",
            id="command-imports-command",
        ),
    ],
)
def test_a_violation_breaks_the_contract(
    tmp_path: Path, module: str, code: str, broken: str
) -> None:
    root = _copy(tmp_path)
    _append(root, module, code)
    result = _lint(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert broken in result.stdout, result.stdout


@pytest.mark.parametrize("contract_id", ["layers", "emulator-layers"])
def test_the_package_docstring_names_every_layer_in_contract_order(contract_id: str) -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = (c for c in contracts if c["id"] == contract_id)
    declared = [name.strip() for layer in contract["layers"] for name in re.split(r"[|:]", layer)]
    (container,) = contract["containers"]
    doc = importlib.import_module(container).__doc__ or ""
    at, above = 0, "the top"
    for name in declared:  # each one after the one above it
        at = doc.find(f"``{name}``", at)
        assert at >= 0, f"{container}'s docstring does not name {name!r} below {above!r}"
        above = name
