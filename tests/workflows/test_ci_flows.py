"""The three catalog workflows, step by step, against the emulator and a fake `gh`.

The steps come from .github/workflows/*.yml themselves (`runner.run_job`),
run in order with the variables the workflows set; `gh` is
tests/workflows/fake_gh.py, a small GitHub in a JSON file that records calls.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

from catalogsync.emulator import Emulator
from workflows.runner import StepRun, path_with, run_job
from workflows.workspace import (
    LIVE_KEY,
    LIVE_READ_KEY,
    TEST_KEY,
    TEST_READ_KEY,
    account,
    make_workspace,
)

REPO_NAME = "acme/billing-catalog"
HEAD = "a" * 40
MERGE = "b" * 40
MARKER = re.compile(r"<!-- catalogsync-plan head=(\w+) test=(\w+) live=(\w+) -->")


@dataclass
class GitHub:
    """The fake GitHub's state file and call log."""

    state: Path
    log: Path

    def data(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.state.read_text())
        return result

    def update(self, **changes: Any) -> None:
        self.state.write_text(json.dumps({**self.data(), **changes}))

    def calls(self) -> list[list[str]]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [json.loads(line)["argv"] for line in lines]

    def methods(self) -> list[str]:
        return [c[c.index("--method") + 1] if "--method" in c else "GET" for c in self.calls()]


@dataclass
class Setup:
    workspace: Path
    env: dict[str, str]
    github: GitHub
    test: stripe.StripeClient
    live: stripe.StripeClient


@pytest.fixture
def setup(tmp_path: Path, emulator: Emulator, emulator_url: str) -> Iterator[Setup]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).parent / "fake_gh.py"}" "$@"\n'
    )
    gh.chmod(0o755)
    github = GitHub(tmp_path / "github.json", tmp_path / "gh-calls.jsonl")
    github.state.write_text("{}")
    env = {
        "PATH": path_with(bin_dir),
        "HOME": str(tmp_path),
        "GITHUB_REPOSITORY": REPO_NAME,  # set by Actions in every job
        "FAKE_GH_STATE": str(github.state),
        "FAKE_GH_LOG": str(github.log),
        "NO_COLOR": "1",
    }
    workspace = make_workspace(tmp_path / "repo", emulator_url)
    return Setup(workspace, env, github, account(emulator, TEST_KEY), account(emulator, LIVE_KEY))


def _expressions(**extra: str) -> dict[str, str]:
    return {
        "github.token": "ghs_faketoken",
        "github.event.pull_request.number": "7",
        "github.event.pull_request.head.sha": HEAD,
        "github.event.pull_request.head.repo.full_name == github.repository": "true",
        "github.sha": MERGE,
        "github.server_url": "https://github.com",
        "github.repository": REPO_NAME,
        "github.run_id": "42",
        "secrets.STRIPE_TEST_READ_KEY": TEST_READ_KEY,
        "secrets.STRIPE_LIVE_READ_KEY": LIVE_READ_KEY,
        "secrets.STRIPE_TEST_API_KEY": TEST_KEY,
        "secrets.STRIPE_LIVE_API_KEY": LIVE_KEY,
        **extra,
    }


def _run(s: Setup, workflow: str, job: str, **extra: str) -> list[StepRun]:
    return run_job(
        workflow, job, cwd=s.workspace, expressions=_expressions(**extra), base_env=s.env
    )


def _codes(runs: list[StepRun]) -> dict[str, int]:
    return {r.name: r.returncode for r in runs}


def _comment(s: Setup) -> str:
    comments = s.github.data()["comments"]["7"]
    assert len(comments) == 1, "one sticky comment"
    body: str = comments[0]["body"]
    return body


def _merged(s: Setup, head: str = HEAD) -> None:
    pull = {"number": 7, "merged_at": "2026-11-25T10:00:00Z", "merge_commit_sha": MERGE}
    s.github.update(pulls_by_commit={MERGE: [{**pull, "head": {"sha": head}}]})


def test_pull_request_plan_then_merge_applies_the_reviewed_digests(setup: Setup) -> None:
    s = setup
    runs = _run(s, "catalog-plan.yml", "plan")
    assert _codes(runs) == {"Validate": 0, "Plan and comment": 0}
    body = _comment(s)
    head, test_digest, live_digest = MARKER.search(body).groups()  # type: ignore[union-attr]
    assert head == HEAD
    # Each environment's section is the plan's Markdown, ending with its digest.
    sections = body.split("## `")
    assert sections[1].startswith("test`")
    assert f"plan digest `{test_digest}`" in sections[1]
    assert sections[2].startswith("live`")
    assert f"plan digest `{live_digest}`" in sections[2]
    assert "to create" in sections[1]
    assert "create product advanced" in sections[1]
    assert "--expect-digest" in body
    assert "sk_test" not in body
    assert "rk_test" not in body
    assert s.github.methods() == ["GET", "POST"]

    # A second push updates the same comment instead of adding one.
    runs = _run(s, "catalog-plan.yml", "plan")
    assert _codes(runs)["Plan and comment"] == 0
    assert _comment(s) == body
    assert s.github.methods()[2:] == ["GET", "PATCH"]

    _merged(s)
    test_runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(test_runs) == {"Apply the reviewed plan to test": 0}
    assert f"--expect-digest {test_digest}" in test_runs[0].stderr
    assert s.test.v1.products.retrieve("advanced").metadata["catalogsync_managed"] == "true"
    with pytest.raises(stripe.InvalidRequestError):  # live waits for its own job
        s.live.v1.products.retrieve("advanced")
    live_runs = _run(s, "catalog-apply.yml", "live")
    assert _codes(live_runs) == {"Apply the reviewed plan to live": 0}
    assert s.live.v1.products.retrieve("advanced").name == "Advanced"

    # Re-running the job after success has nothing to do.
    again = _run(s, "catalog-apply.yml", "test")
    assert _codes(again) == {"Apply the reviewed plan to test": 0}
    assert "already matches the catalog" in again[0].stdout


def test_apply_refuses_what_was_not_reviewed(setup: Setup) -> None:
    s = setup
    _run(s, "catalog-plan.yml", "plan")
    # Someone changes the catalog after review without a new plan: digest differs.
    advanced = s.workspace / "catalog" / "products" / "advanced.yaml"
    advanced.write_text(advanced.read_text().replace('"99.00"', '"109.00"'))
    _merged(s)
    runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(runs) == {"Apply the reviewed plan to test": 1}
    assert "digest" in runs[0].stderr
    assert not s.test.v1.products.list().data, "refused before any write"

    # The comment was made for another head than the one merged.
    _merged(s, head="c" * 40)
    runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(runs) == {"Apply the reviewed plan to test": 1}
    assert "not for the merged head" in runs[0].stderr

    # A push to main that did not come from a pull request.
    s.github.update(pulls_by_commit={})
    runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(runs) == {"Apply the reviewed plan to test": 1}
    assert "not the merge of a pull request" in runs[0].stderr


def test_fork_pull_requests_are_validated_but_not_planned(setup: Setup) -> None:
    fork = "github.event.pull_request.head.repo.full_name == github.repository"
    runs = _run(setup, "catalog-plan.yml", "plan", **{fork: "false"})
    assert _codes(runs) == {"Validate": 0}
    assert setup.github.calls() == []


def test_scheduled_drift_opens_updates_and_closes_one_issue(setup: Setup) -> None:
    s = setup
    _run(s, "catalog-plan.yml", "plan")
    _merged(s)
    _run(s, "catalog-apply.yml", "test")
    _run(s, "catalog-apply.yml", "live")
    log_start = len(s.github.calls())

    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 0}
    assert s.github.data()["issues"] == []

    # A Dashboard edit on live: the job fails and opens one issue with the report.
    price = s.live.v1.prices.list({"lookup_keys": ["advanced_seat_monthly"]}).data[0]
    s.live.v1.prices.update(price.id, {"nickname": "Edited in the Dashboard"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 2}
    (issue,) = s.github.data()["issues"]
    assert issue["labels"] == ["catalog-drift"]
    assert issue["state"] == "open"
    assert issue["title"] == "Catalog drift in live"
    assert 'nickname: Stripe has "Edited in the Dashboard", the catalog says' in issue["body"]
    assert "https://github.com/acme/billing-catalog/actions/runs/42" in issue["body"]

    # Still drifting: the same issue is updated.
    s.live.v1.prices.update(price.id, {"nickname": "Edited again"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 2}
    (issue,) = s.github.data()["issues"]
    assert '"Edited again"' in issue["body"]

    # Drift gone: a closing comment, and the issue is closed.
    s.live.v1.prices.update(price.id, {"nickname": "Advanced seat, monthly"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 0}
    (issue,) = s.github.data()["issues"]
    assert issue["state"] == "closed"
    assert "Drift is gone" in s.github.data()["comments"]["1"][0]["body"]
    assert s.github.methods()[log_start:] == [
        "GET",
        "GET",
        "POST",
        "GET",
        "PATCH",
        "GET",
        "POST",
        "PATCH",
    ]
