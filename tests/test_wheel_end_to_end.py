"""A new user's path, end to end, from the built wheel and nothing else of this repository.

Build the sdist and, from it, the wheel (`python -m build`, checked by
`twine check --strict`); install the wheel into a fresh virtualenv outside
the source tree; `catalogsync init` in a new git repository; import a messy
account (keyless prices, one with a paying subscriber; an archived product;
a Dashboard coupon) from a served emulator; then run the three generated
workflows' steps with a recording `gh`, as tests/ci does: plan
comment, apply of the reviewed digests on merge, a green drift job.

The new virtualenv gets catalogsync only from the wheel. Its third-party
dependencies come from this test environment through a ``.pth`` line, so the
test needs no network and stays well under a minute; the build runs without
isolation for the same reason (setuptools is a dev dependency).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import stripe
import yaml

from catalogsync import __version__
from catalogsync.emulator import Emulator
from tests.ci.github_state import (
    PR_NUMBER,
    REPO_NAME,
    base_env,
    install_fake_gh,
    pull_request_event,
)
from tests.ci.runner import StepRun, run_job
from tests.ci.workspace import LIVE_KEY, LIVE_READ_KEY, TEST_KEY, TEST_READ_KEY
from tests.paths import REPO

HEAD, MERGE = "c" * 40, "d" * 40
MARKER = re.compile(r"<!-- catalogsync-plan head=(\w+) test=(\w+) live=(\w+) -->")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "A",
    "GIT_AUTHOR_EMAIL": "a@example.com",
    "GIT_COMMITTER_NAME": "A",
    "GIT_COMMITTER_EMAIL": "a@example.com",
}

pytestmark = pytest.mark.slow


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{cmd}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build(tmp: Path) -> tuple[Path, Path]:
    """sdist and wheel of a copy of the package sources; returns (wheel, sdist)."""
    src = tmp / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(
        REPO / "catalogsync", src / "catalogsync", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(src)], tmp)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    _run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)], tmp)
    return wheel, sdist


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A virtualenv holding catalogsync from ``wheel``; returns its bin directory."""
    venv = tmp / "venv"
    tmp.mkdir(parents=True)
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp
        ).strip()
    )
    # Dependencies (stripe, pyyaml, click, …) from this environment, after the venv's own
    # site-packages: the .pth files there (this checkout's editable install) are not run.
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    _run([*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)], tmp)
    return venv / "bin"


def _seed_messy(client: stripe.StripeClient) -> dict[str, str]:
    """A legacy account: what a Dashboard user leaves behind. Returns ids the test checks."""
    v1 = client.v1
    v1.products.create({"id": "team", "name": "Team"})
    keyless = v1.prices.create(
        {
            "product": "team",
            "currency": "usd",
            "unit_amount": 1500,
            "recurring": {"interval": "month"},
        }
    )
    v1.prices.create(
        {
            "product": "team",
            "currency": "eur",
            "unit_amount": 14000,
            "recurring": {"interval": "year"},
        }
    )
    v1.prices.create(
        {
            "product": "team",
            "currency": "usd",
            "unit_amount": 15000,
            "lookup_key": "team_yearly",
            "recurring": {"interval": "year"},
        }
    )
    v1.products.create({"id": "setup", "name": "Onboarding"})
    v1.prices.create({"product": "setup", "currency": "usd", "unit_amount": 50000})
    v1.products.update(v1.products.create({"id": "old", "name": "Old plan"}).id, {"active": False})
    v1.coupons.create({"id": "SPRING10", "percent_off": 10, "duration": "once"})
    customer = v1.customers.create({"email": "buyer@example.com"})
    subscription = v1.subscriptions.create(
        {"customer": customer.id, "items": [{"price": keyless.id}]}
    )
    return {"keyless": keyless.id, "subscription": subscription.id}


def test_from_the_wheel_to_applied_reviewed_plans(
    tmp_path: Path, emulator: Emulator, emulator_url: str
) -> None:
    wheel, sdist = _build(tmp_path / "build")
    assert wheel.name == f"catalogsync-{__version__}-py3-none-any.whl"
    assert sdist.name == f"catalogsync-{__version__}.tar.gz"
    venv_bin = _fresh_venv(tmp_path / "env", wheel)
    installed = _run(
        [str(venv_bin / "python"), "-c", "import catalogsync; print(catalogsync.__file__)"],
        tmp_path,
    )
    assert Path(installed.strip()).is_relative_to(venv_bin.parent), "catalogsync from the wheel"

    test, live = emulator.stripe_client(TEST_KEY), emulator.stripe_client(LIVE_KEY)
    seeded = _seed_messy(test)
    _seed_messy(live)

    # A new catalog repository: git, then `catalogsync init` from the installed wheel.
    repo = tmp_path / "acme-billing"
    gh_bin, github = install_fake_gh(tmp_path)
    env = base_env(tmp_path, gh_bin, github, venv_bin)
    assert env["PATH"].split(os.pathsep)[1] == str(venv_bin), "the wheel's catalogsync, first"
    pull_request_event(Path(env["GITHUB_EVENT_PATH"]), HEAD)
    _adopt_in_new_repository(repo, env, emulator_url)

    workflows = repo / ".github" / "workflows"
    lint = subprocess.run(
        [
            str(Path(sys.executable).parent / "actionlint"),
            *map(str, sorted(workflows.glob("*.yml"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr

    def job(workflow: str, name: str) -> list[StepRun]:
        return run_job(
            workflow,
            name,
            cwd=repo,
            expressions=_expressions(),
            base_env=env,
            workflows=workflows,
        )

    # The pull request: validate, then one plan comment with both digests.
    plan_runs = job("catalog-plan.yml", "plan")
    assert {r.name: r.returncode for r in plan_runs} == {"Validate": 0, "Plan and comment": 0}
    (comment,) = github.data()["comments"][str(PR_NUMBER)]
    assert comment["user"]["login"] == "github-actions[bot]"
    marker = MARKER.search(comment["body"])
    assert marker is not None
    assert marker.group(1) == HEAD
    assert "adopt price team_usd_month" in comment["body"]
    assert "sk_test" not in comment["body"]
    assert "rk_test" not in comment["body"]

    # The merge: test, then live, each at its reviewed digest.
    pull = {"number": PR_NUMBER, "merged_at": "2026-12-01T10:00:00Z", "merge_commit_sha": MERGE}
    github.update(pulls_by_commit={MERGE: [{**pull, "head": {"sha": HEAD}}]})
    for name, digest in (("test", marker.group(2)), ("live", marker.group(3))):
        (applied,) = job("catalog-apply.yml", name)
        assert applied.returncode == 0, applied.stderr
        assert f"--expect-digest {digest}" in applied.stderr
    price = test.v1.prices.retrieve(seeded["keyless"])
    assert price.lookup_key == "team_usd_month"
    assert price.metadata["catalogsync_managed"] == "true"
    subscription = test.v1.subscriptions.retrieve(seeded["subscription"])
    assert subscription["items"].data[0].price.id == seeded["keyless"], "subscriber stays put"
    assert live.v1.prices.list({"lookup_keys": ["team_usd_month"]}).data

    # The morning after: no drift, no issue.
    (drift,) = job("catalog-drift.yml", "drift")
    assert drift.returncode == 0, drift.stdout + drift.stderr
    assert "No drift" in drift.stdout
    assert github.data().get("issues", []) == []


def _adopt_in_new_repository(repo: Path, env: dict[str, str], emulator_url: str) -> None:
    """git init, `catalogsync init`, point test/live at the server, import test, commit."""
    repo.mkdir()
    _run(["git", "init", "--quiet", "--initial-branch", "main"], repo, {**env, **GIT_ENV})
    init = _run(["catalogsync", "init"], repo, env)
    assert "Wrote 18 file(s)" in init  # config, catalog, workflows, pre-commit, a schema per kind

    # Both accounts are behind a Stripe-compatible server: name it in the config.
    config_path = repo / "catalog" / "catalogsync.yaml"
    config = yaml.safe_load(config_path.read_text())
    for name in ("test", "live"):
        config["environments"][name]["api_base"] = emulator_url
    config_path.write_text(yaml.safe_dump(config))

    imported = _run(
        ["catalogsync", "import", "--env", "test"], repo, {**env, "STRIPE_TEST_API_KEY": TEST_KEY}
    )
    assert "generated lookup key for price" in imported
    team = (repo / "catalog" / "products" / "team.yaml").read_text()
    assert team.startswith("# yaml-language-server: $schema=../../schemas/product.schema.json\n")
    assert "lookup_key: team_usd_month" in team
    assert "lookup_key: team_eur_year" in team
    setup = (repo / "catalog" / "products" / "setup.yaml").read_text()
    assert "lookup_key: setup_usd_once" in setup
    assert not (repo / "catalog" / "products" / "old.yaml").exists()
    _run(["git", "add", "-A"], repo, {**env, **GIT_ENV})
    _run(["git", "commit", "--quiet", "-m", "Adopt catalogsync"], repo, {**env, **GIT_ENV})
    assert ".catalogsync" not in _run(["git", "ls-files"], repo, env)


def _expressions() -> dict[str, str]:
    return {
        "github.token": "ghs_faketoken",
        "github.event.pull_request.number": str(PR_NUMBER),
        "github.event.pull_request.head.repo.full_name == github.repository": "true",
        "github.event.pull_request.head.repo.full_name != github.repository": "false",
        "github.sha": MERGE,
        "github.server_url": "https://github.com",
        "github.repository": REPO_NAME,
        "github.run_id": "1",
        "secrets.STRIPE_TEST_READ_KEY": TEST_READ_KEY,
        "secrets.STRIPE_LIVE_READ_KEY": LIVE_READ_KEY,
        "secrets.STRIPE_TEST_API_KEY": TEST_KEY,
        "secrets.STRIPE_LIVE_API_KEY": LIVE_KEY,
    }
