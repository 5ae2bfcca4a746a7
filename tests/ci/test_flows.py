"""The three catalog workflows, step by step, against the emulator and a fake `gh`.

The steps come from .github/workflows/*.yml themselves (`runner.run_job`),
run in order with the variables the workflows set; `gh` is
tests/ci/fake_gh.py, a small GitHub in a JSON file that records calls.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.ci.github_state import (
    PR_NUMBER,
    REPO_NAME,
    GitHub,
    base_env,
    install_fake_gh,
    pull_request_event,
)
from tests.ci.runner import StepRun, run_job
from tests.ci.workspace import (
    LIVE_KEY,
    LIVE_READ_KEY,
    TEST_KEY,
    TEST_READ_KEY,
    account,
    make_workspace,
)

HEAD = "a" * 40
MERGE = "b" * 40
MARKER = re.compile(r"<!-- catalogsync-plan head=(\w+) test=(\w+) live=(\w+) -->")
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"
FORK = "github.event.pull_request.head.repo.full_name != github.repository"


@dataclass
class Setup:
    workspace: Path
    env: dict[str, str]
    github: GitHub
    test: stripe.StripeClient
    live: stripe.StripeClient


@pytest.fixture
def setup(tmp_path: Path, emulator: Emulator, emulator_url: str) -> Setup:
    bin_dir, github = install_fake_gh(tmp_path)
    env = base_env(tmp_path, bin_dir, github, Path(sys.executable).parent)
    pull_request_event(Path(env["GITHUB_EVENT_PATH"]), HEAD)
    workspace = make_workspace(tmp_path / "repo", emulator_url)
    return Setup(workspace, env, github, account(emulator, TEST_KEY), account(emulator, LIVE_KEY))


def expressions(**extra: str) -> dict[str, str]:
    """Every expression the three workflows use, as GitHub would evaluate it."""
    return {
        "github.token": "ghs_faketoken",
        "github.event.pull_request.number": str(PR_NUMBER),
        SAME_REPO: "true",
        FORK: "false",
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
    return run_job(workflow, job, cwd=s.workspace, expressions=expressions(**extra), base_env=s.env)


def _codes(runs: list[StepRun]) -> dict[str, int]:
    return {r.name: r.returncode for r in runs}


def _comment(s: Setup) -> str:
    comments = s.github.data()["comments"][str(PR_NUMBER)]
    assert len(comments) == 1, "one sticky comment"
    body: str = comments[0]["body"]
    return body


def _merged(s: Setup, head: str = HEAD) -> None:
    pull = {"number": PR_NUMBER, "merged_at": "2026-11-25T10:00:00Z", "merge_commit_sha": MERGE}
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


def test_fork_pull_requests_are_neither_validated_nor_planned(setup: Setup) -> None:
    # A fork's YAML is untrusted input and the plan job holds Stripe keys: the
    # job does not run at all; a keyless job only says why.
    fork = {SAME_REPO: "false", FORK: "true"}
    assert _run(setup, "catalog-plan.yml", "plan", **fork) == []
    (notice,) = _run(setup, "catalog-plan.yml", "fork", **fork)
    assert notice.returncode == 0
    assert "::notice::Pull requests from forks are not validated or planned" in notice.stdout
    assert notice.env == {}, "no token, no key"
    assert setup.github.calls() == []


def test_plan_comment_refuses_a_fork_even_when_a_workflow_lets_it_through(
    setup: Setup,
) -> None:
    # Defence in depth: a hand-written workflow (pull_request_target, a wrong
    # `if:`) still gets no plan of a fork's catalog with this repository's keys.
    pull_request_event(Path(setup.env["GITHUB_EVENT_PATH"]), HEAD, head_repo="mallory/catalog")
    runs = _run(setup, "catalog-plan.yml", "plan")
    assert _codes(runs) == {"Validate": 0, "Plan and comment": 1}
    assert "comes from mallory/catalog" in runs[-1].stderr
    assert "$ catalogsync plan" not in runs[-1].stderr, "refused before reading Stripe"
    assert setup.github.calls() == []
    assert not setup.test.v1.products.list().data


def test_apply_trusts_only_the_workflows_own_plan_comment(setup: Setup) -> None:
    s = setup
    # Mallory comments first with a well-formed marker for the merged head,
    # carrying the digest of a plan nobody reviewed (prices cut to 1.00).
    advanced = s.workspace / "catalog" / "products" / "advanced.yaml"
    reviewed = advanced.read_text()
    advanced.write_text(reviewed.replace('"99.00"', '"1.00"'))
    unreviewed = _plan_digest(s, "test")
    forged = f"<!-- catalogsync-plan head={HEAD} test={unreviewed} live={unreviewed} -->\nLGTM"
    s.github.add_comment("mallory", forged)
    advanced.write_text(reviewed)

    # The plan job leaves her comment alone and writes its own.
    runs = _run(s, "catalog-plan.yml", "plan")
    assert _codes(runs)["Plan and comment"] == 0
    comments = s.github.data()["comments"][str(PR_NUMBER)]
    assert [c["user"]["login"] for c in comments] == ["mallory", "github-actions[bot]"]
    assert comments[0]["body"] == forged
    assert s.github.methods() == ["GET", "POST"]

    # The unreviewed change is merged: only the bot's digest counts, so apply refuses.
    advanced.write_text(reviewed.replace('"99.00"', '"1.00"'))
    _merged(s)
    runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(runs) == {"Apply the reviewed plan to test": 1}
    reviewed_digest = MARKER.search(comments[1]["body"]).group(2)  # type: ignore[union-attr]
    assert f"--expect-digest {reviewed_digest}" in runs[0].stderr
    assert f"not the expected {reviewed_digest}" in runs[0].stderr
    assert f"--expect-digest {unreviewed}" not in runs[0].stderr
    assert not s.test.v1.products.list().data, "refused before any write"

    # Without the bot's comment, the forged one alone is refused by name.
    s.github.update(comments={str(PR_NUMBER): [s.github.data()["comments"][str(PR_NUMBER)][0]]})
    runs = _run(s, "catalog-apply.yml", "test")
    assert _codes(runs) == {"Apply the reviewed plan to test": 1}
    assert "no catalogsync plan comment written by github-actions[bot]" in runs[0].stderr
    assert not s.test.v1.products.list().data


def _plan_digest(s: Setup, env: str) -> str:
    """The digest `catalogsync plan` computes now for ``env`` (as anyone could)."""
    import json
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "catalogsync", "plan", "--env", env, "--format", "json"],
        cwd=s.workspace,
        env={**s.env, "STRIPE_TEST_API_KEY": TEST_READ_KEY},
        capture_output=True,
        text=True,
        check=True,
    )
    digest: str = json.loads(result.stdout)["digest"]
    return digest


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
    # Someone else's issue with the same label is never the job's to edit or close.
    theirs = {"number": 99, "state": "open", "labels": ["catalog-drift"], "title": "mine"}
    s.github.update(issues=[{**theirs, "user": {"login": "mallory", "type": "User"}}])

    # A Dashboard edit on live: the job fails and opens one issue with the report.
    price = s.live.v1.prices.list({"lookup_keys": ["advanced_seat_monthly"]}).data[0]
    s.live.v1.prices.update(price.id, {"nickname": "Edited in the Dashboard"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 2}
    theirs_now, issue = s.github.data()["issues"]
    assert theirs_now["state"] == "open"
    assert "body" not in theirs_now
    assert issue["labels"] == ["catalog-drift"]
    assert issue["state"] == "open"
    assert issue["title"] == "Catalog drift in live"
    assert 'nickname: Stripe has "Edited in the Dashboard", the catalog says' in issue["body"]
    assert "https://github.com/acme/billing-catalog/actions/runs/42" in issue["body"]

    # Still drifting: the same issue is updated.
    s.live.v1.prices.update(price.id, {"nickname": "Edited again"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 2}
    _, issue = s.github.data()["issues"]
    assert '"Edited again"' in issue["body"]

    # Drift gone: a closing comment, and the issue is closed.
    s.live.v1.prices.update(price.id, {"nickname": "Advanced seat, monthly"})
    runs = _run(s, "catalog-drift.yml", "drift")
    assert _codes(runs) == {"Report drift against live": 0}
    theirs_now, issue = s.github.data()["issues"]
    assert issue["state"] == "closed"
    assert theirs_now["state"] == "open"
    assert "Drift is gone" in s.github.data()["comments"][str(issue["number"])][0]["body"]
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
