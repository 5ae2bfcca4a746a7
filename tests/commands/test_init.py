"""`catalogsync init`: a repository that validates, plans, lints and refers only to itself."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from catalogsync import __version__
from catalogsync.emulator import Emulator
from catalogsync.scaffold import scaffold
from tests.conftest import CliResult

LOCAL_KEY = "sk_test_catalogsync_local"  # the key `connect` sends to the embedded emulator
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def _init(run_cli: Callable[..., CliResult], root: Path, *args: str) -> CliResult:
    return run_cli("init", str(root), *args)


def test_init_writes_a_repository_that_validates_and_plans(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _init(run_cli, tmp_path)
    assert result.code == 0, result.err
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert written == set(scaffold())
    assert {
        "catalog/catalogsync.yaml",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".vscode/settings.json",
        "schemas/product.schema.json",
        "schemas/common.schema.json",
        ".github/workflows/catalog-plan.yml",
        ".github/workflows/catalog-apply.yml",
        ".github/workflows/catalog-drift.yml",
    } <= written
    config = yaml.safe_load((tmp_path / "catalog" / "catalogsync.yaml").read_text())
    assert config["environments"]["live"] == {
        "api_key_env": "STRIPE_LIVE_API_KEY",
        "protected": True,
    }
    assert ".catalogsync/" in (tmp_path / ".gitignore").read_text().splitlines()
    monkeypatch.chdir(tmp_path)
    assert run_cli("validate").code == 0
    plan = run_cli("plan", "--detailed-exitcode")  # the local emulator, empty catalog
    assert plan.code == 0, plan.err
    assert "No changes" in plan.out


def test_workflows_are_pinned_to_this_version_and_pass_actionlint(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    _init(run_cli, tmp_path)
    workflows = sorted((tmp_path / ".github" / "workflows").glob("*.yml"))
    for path in workflows:
        text = path.read_text()
        assert f'python -m pip install --quiet "catalogsync=={__version__}"' in text
        assert "catalogsync ci " in text
        assert "pip install --quiet ." not in text
    actionlint = Path(sys.executable).parent / "actionlint"
    lint = subprocess.run(
        [str(actionlint), *map(str, workflows)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_every_schema_reference_resolves_inside_the_repository(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    _init(run_cli, tmp_path)
    config = tmp_path / "catalog" / "catalogsync.yaml"
    (target,) = MODELINE.findall(config.read_text())
    assert (config.parent / target).resolve() == tmp_path / "schemas" / "config.schema.json"
    settings = json.loads((tmp_path / ".vscode" / "settings.json").read_text())
    for schema in settings["yaml.schemas"]:
        assert (tmp_path / schema).resolve().is_file()
        assert (tmp_path / schema).resolve().is_relative_to(tmp_path)
    for schema in (tmp_path / "schemas").glob("*.json"):
        for ref in re.findall(r'"\$ref":\s*"([^"#]+)', schema.read_text()):
            assert (schema.parent / ref).is_file(), (schema.name, ref)


def test_init_refuses_to_overwrite_and_writes_nothing(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    result = _init(run_cli, tmp_path)
    assert result.code == 1
    assert "init writes nothing over existing files" in result.err
    assert ".gitignore" in result.err
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"
    assert [p.name for p in tmp_path.iterdir()] == [".gitignore"]


def test_init_from_env_imports_with_modelines_into_the_repository(
    tmp_path: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An account already in the `local` environment's emulator file.
    db = tmp_path / "catalog" / ".catalogsync" / "local.sqlite"
    db.parent.mkdir(parents=True)
    emulator = Emulator(db)
    sdk = emulator.stripe_client(LOCAL_KEY)
    sdk.v1.products.create({"id": "team", "name": "Team"})
    sdk.v1.prices.create(
        {
            "product": "team",
            "currency": "usd",
            "unit_amount": 1200,
            "lookup_key": "team_monthly",
            "recurring": {"interval": "month"},
        }
    )
    emulator.close()
    result = _init(run_cli, tmp_path, "--from-env", "local")
    assert result.code == 0, result.err
    product = tmp_path / "catalog" / "products" / "team.yaml"
    (target,) = MODELINE.findall(product.read_text())
    assert target == "../../schemas/product.schema.json"
    assert (product.parent / target).resolve() == tmp_path / "schemas" / "product.schema.json"
    monkeypatch.chdir(tmp_path / "catalog" / "products")
    plan = run_cli("plan", "--format", "json", "--no-impact")
    assert plan.code == 0, plan.err
    ops = json.loads(plan.out)["operations"]
    assert {(o["op"], o["target"]["key"]) for o in ops} == {
        ("Adopt", "team"),
        ("Adopt", "team_monthly"),
    }


def test_import_without_a_config_refuses_instead_of_importing_nothing(
    tmp_path: Path, run_cli: Callable[..., CliResult]
) -> None:
    (tmp_path / "catalog").mkdir()
    result = run_cli("--catalog", str(tmp_path / "catalog"), "import")
    assert result.code == 1
    assert "no catalogsync.yaml in" in result.err
    assert "catalogsync init" in result.err
    assert list((tmp_path / "catalog").iterdir()) == []
