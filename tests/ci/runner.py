"""Run a workflow job's `run:` steps locally, as GitHub Actions would, against fakes.

Steps that `uses:` an action (checkout, setup-python) and the install step
are the runner's business and are skipped: the test already runs in an
environment with catalogsync installed. Every `${{ … }}` expression in the
job's `if:` and a step's `env:` and `if:` must be given a value by the test,
so a workflow that starts depending on something new fails here instead of
in CI. A job whose `if:` is false runs no step, as on GitHub.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.paths import REPO

WORKFLOWS = REPO / ".github" / "workflows"
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_INSTALL = "python -m pip install"


@dataclass(frozen=True)
class StepRun:
    name: str
    command: str
    env: Mapping[str, str]
    returncode: int
    stdout: str
    stderr: str


def load(name: str, workflows: Path = WORKFLOWS) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((workflows / name).read_text())
    return data


def run_job(
    workflow: str,
    job: str,
    *,
    cwd: Path,
    expressions: Mapping[str, str],
    base_env: Mapping[str, str],
    workflows: Path = WORKFLOWS,
) -> list[StepRun]:
    """Run the job's steps in order; stop at the first failing step, as Actions does."""
    definition = load(workflow, workflows)["jobs"][job]
    if "if" in definition and expressions[definition["if"]] != "true":
        return []
    runs = []
    for step in definition["steps"]:
        if "uses" in step or step["run"].startswith(_INSTALL):
            continue
        condition = step.get("if")
        if condition is not None and expressions[condition] != "true":
            continue
        env = {k: _substitute(str(v), expressions) for k, v in step.get("env", {}).items()}
        command = _substitute(step["run"], expressions)
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env={**base_env, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        runs.append(
            StepRun(step["name"], command, env, result.returncode, result.stdout, result.stderr)
        )
        if result.returncode != 0:
            break
    return runs


def _substitute(text: str, expressions: Mapping[str, str]) -> str:
    return _EXPR.sub(lambda m: expressions[m.group(1)], text)


def path_with(bin_dir: Path, python_bin: Path = Path(sys.executable).parent) -> str:
    """PATH with the fake `gh` first and the virtualenv holding `catalogsync` next."""
    return os.pathsep.join([str(bin_dir), str(python_bin), os.environ.get("PATH", "")])
