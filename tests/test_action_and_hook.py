"""action.yml and .pre-commit-hooks.yaml run the commands they document, as they are written."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.measured import coverage_env
from tests.paths import REPO

EXAMPLE = REPO / "catalog"


def _repo_with_example(root: Path) -> Path:
    shutil.copytree(EXAMPLE, root / "catalog", ignore=shutil.ignore_patterns(".*"))
    return root


def _break(root: Path) -> None:
    coupons = root / "catalog" / "coupons.yaml"
    coupons.write_text(coupons.read_text().replace("percent_off: 90", "percent_off: 190"))


def _path() -> str:
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])


def _action() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((REPO / "action.yml").read_text())
    return data


def _run_action_command(root: Path, command: str) -> subprocess.CompletedProcess[str]:
    """The action's last step, with its input passed through the environment as the action does."""
    runs = _action()["runs"]
    assert isinstance(runs, dict)
    step = runs["steps"][-1]
    assert step["env"] == {"CATALOGSYNC_ARGS": "${{ inputs.command }}"}
    return subprocess.run(
        [step["shell"], "-c", step["run"]],
        cwd=root,
        env={"PATH": _path(), "CATALOGSYNC_ARGS": command, "NO_COLOR": "1", **coverage_env()},
        capture_output=True,
        text=True,
        check=False,
    )


def test_action_is_composite_pinning_the_version_it_installs() -> None:
    action = _action()
    inputs = action["inputs"]
    assert isinstance(inputs, dict)
    assert inputs["version"]["required"] is True
    runs = action["runs"]
    assert isinstance(runs, dict)
    assert runs["using"] == "composite"
    install = runs["steps"][1]
    assert install["env"] == {"CATALOGSYNC_VERSION": "${{ inputs.version }}"}
    assert install["run"] == 'python -m pip install --quiet "catalogsync==${CATALOGSYNC_VERSION}"'


def test_action_runs_the_command_it_is_given(tmp_path: Path) -> None:
    root = _repo_with_example(tmp_path)
    ok = _run_action_command(root, "validate --format github")
    assert ok.returncode == 0, ok.stderr
    _break(root)
    failed = _run_action_command(root, "validate --format github")
    assert failed.returncode == 1
    assert "::error file=catalog/coupons.yaml" in failed.stdout


def test_action_input_is_never_run_as_shell_text(tmp_path: Path) -> None:
    # An input is data: `;`, `$(…)` and globs reach catalogsync as plain words.
    root = _repo_with_example(tmp_path)
    result = _run_action_command(root, "validate $(touch pwned) ; touch pwned2 *")
    assert result.returncode == 1
    assert not (root / "pwned").exists()
    assert not (root / "pwned2").exists()
    assert "Got unexpected extra arguments ($(touch pwned) ; touch pwned2 *)" in result.stderr


def test_pre_commit_hook_runs_validate_on_the_discovered_catalog(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "catalogsync-validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    root = _repo_with_example(tmp_path)
    # pre-commit runs the entry from the repository's top directory.
    entry = shlex.split(hook["entry"])
    env = {"PATH": _path(), "NO_COLOR": "1", **coverage_env()}
    ok = subprocess.run(entry, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    _break(root)
    bad = subprocess.run(entry, cwd=root, env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "catalog/coupons.yaml" in bad.stdout


def test_init_pre_commit_config_runs_the_same_hook(tmp_path: Path) -> None:
    from catalogsync.scaffold import PRE_COMMIT_CONFIG

    (repo,) = yaml.safe_load(PRE_COMMIT_CONFIG)["repos"]
    (hook,) = repo["hooks"]
    (offered,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == offered["id"]
    assert hook["entry"] == offered["entry"]
    assert hook["pass_filenames"] is False
