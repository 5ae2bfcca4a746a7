"""The three CI steps: plan comment, apply the reviewed plan on merge, drift issue.

Each step runs `catalogsync` commands in a child process of this same
installation (``python -m catalogsync``) and talks to GitHub through `gh`.
Exit codes follow catalogsync's (`errors.ExitCode`): 0 ok, 1 error or refused, 2 drift.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from catalogsync.ci.github import (
    event,
    gh_list,
    gh_send,
    own_author,
    required_env,
    written_by,
)
from catalogsync.ci.marker import marker_fields, marker_line, own_plan_comment
from catalogsync.errors import CiError, CiRefused, ExitCode

PLAN_DIR = Path(".catalogsync") / "ci"


def plan_comment(catalog: Path, envs: list[str]) -> int:
    """Plan each environment, then create or update the pull request's one plan comment."""
    pull = _same_repository_pull_request()
    pr, head = str(pull["number"]), str(pull["head"]["sha"])
    sections, digests, failed = [], {}, False
    PLAN_DIR.mkdir(parents=True, exist_ok=True)
    for env in envs:
        out = PLAN_DIR / f"plan-{env}.json"
        result = _catalogsync(
            catalog, ["plan", "--env", env, "--format", "markdown", "--out", str(out)]
        )
        if result.returncode == 0:
            digests[env] = json.loads(out.read_text("utf-8"))["digest"]
            sections.append(f"## `{env}`\n\n{result.stdout}")
        else:
            failed = True
            sections.append(f"## `{env}`: plan failed\n\n```\n{result.stderr.strip()}\n```\n")
    body = "\n".join(
        [
            marker_line(head, digests),
            f"# catalogsync plan for {head[:12]}",
            "",
            *sections,
            "Merging applies exactly these plans: the apply job runs "
            "`catalogsync apply --expect-digest` with the digest shown here for each "
            "environment and refuses anything else. Push a commit or re-run this job "
            "to refresh the plan.",
        ]
    )
    _upsert_comment(pr, body)
    return ExitCode.ERROR if failed else ExitCode.OK


def _same_repository_pull_request() -> dict[str, Any]:
    """The event's pull request, refused when its head lives in another repository.

    A fork's pull request runs code and YAML nobody in this repository has
    reviewed; planning it would hand the workflow's Stripe keys to that
    input (the risk `pull_request_target` workflows have). Only branches of
    this repository are planned; a maintainer brings a fork's change into one.
    """
    pull: dict[str, Any] | None = event().get("pull_request")
    if pull is None:
        raise CiError("plan-comment runs on pull_request events (no pull request in the event)")
    here = required_env("GITHUB_REPOSITORY")
    source = (pull.get("head", {}).get("repo") or {}).get("full_name")
    if source != here:
        raise CiRefused(
            f"pull request #{pull['number']} comes from {source or 'a deleted fork'}, not "
            f"{here}: a fork's catalog is not planned with this repository's Stripe keys; "
            "push its branch to this repository to get a plan"
        )
    return pull


def _upsert_comment(pr: str, body: str) -> None:
    """Update this workflow's plan comment, or create it; other authors' are left alone."""
    repo = required_env("GITHUB_REPOSITORY")
    mine = own_plan_comment(gh_list(f"repos/{repo}/issues/{pr}/comments"), own_author())
    if mine is not None:
        gh_send("PATCH", f"repos/{repo}/issues/comments/{mine['id']}", {"body": body})
    else:
        gh_send("POST", f"repos/{repo}/issues/{pr}/comments", {"body": body})


def apply_reviewed(catalog: Path, env: str) -> int:
    """Apply to ``env`` the digest the merged pull request's plan comment showed."""
    repo, sha = required_env("GITHUB_REPOSITORY"), required_env("COMMIT_SHA")
    pulls = gh_list(f"repos/{repo}/commits/{sha}/pulls")
    merged = [p for p in pulls if p.get("merged_at") and p.get("merge_commit_sha") == sha]
    if not merged:
        raise CiRefused(
            f"commit {sha} is not the merge of a pull request: catalog changes reach "
            "main only through a reviewed pull request"
        )
    pr = merged[0]
    author = own_author()
    comment = own_plan_comment(gh_list(f"repos/{repo}/issues/{pr['number']}/comments"), author)
    if comment is None:
        raise CiRefused(
            f"pull request #{pr['number']} has no catalogsync plan comment written by "
            f"{author}; comments by anyone else are never applied"
        )
    fields = marker_fields(comment["body"])
    if fields.get("head") != pr["head"]["sha"]:
        raise CiRefused(
            f"the plan comment on #{pr['number']} was made for {fields.get('head')}, "
            f"not for the merged head {pr['head']['sha']}: the last plan was not reviewed"
        )
    digest = fields.get(env)
    if digest is None:
        raise CiRefused(f"the plan comment on #{pr['number']} has no plan for {env}")
    current = _current_plan(catalog, env)
    if current["digest"] != digest and not current["operations"]:
        # A re-run after a successful apply: nothing left to do is not a refusal.
        click.echo(f"{env} already matches the catalog: nothing to apply")
        return ExitCode.OK
    click.echo(f"Applying to {env} the plan reviewed on #{pr['number']}: digest {digest}")
    command = ["apply", "--env", env, "--yes", "--expect-digest", digest]
    return _catalogsync(catalog, command, capture=False).returncode


def _current_plan(catalog: Path, env: str) -> dict[str, Any]:
    result = _catalogsync(catalog, ["plan", "--env", env, "--format", "json", "--no-impact"])
    if result.returncode != 0:
        raise CiError(f"plan for {env} failed:\n{result.stderr.strip()}")
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def drift_issue(catalog: Path, env: str, *, label: str, unmanaged: bool) -> int:
    """Report drift in ``env`` as one open issue; close it when drift is gone."""
    repo = required_env("GITHUB_REPOSITORY")
    command = ["drift", "--env", env, "--format", "markdown"]
    result = _catalogsync(catalog, [*command, "--unmanaged"] if unmanaged else command)
    if result.returncode not in (0, ExitCode.DRIFT):
        raise CiError(f"drift for {env} failed:\n{result.stderr.strip()}")
    click.echo(result.stdout, nl=False)
    author = own_author()
    issues = [
        i
        for i in gh_list(f"repos/{repo}/issues?labels={label}&state=open")
        if "pull_request" not in i and written_by(i, author)
    ]
    run = os.environ.get("RUN_URL")
    if result.returncode == ExitCode.DRIFT:
        body = result.stdout + (f"\nFound by {run}\n" if run else "")
        if issues:
            gh_send("PATCH", f"repos/{repo}/issues/{issues[0]['number']}", {"body": body})
        else:
            issue = {"title": f"Catalog drift in {env}", "body": body, "labels": [label]}
            gh_send("POST", f"repos/{repo}/issues", issue)
        return ExitCode.DRIFT
    for issue in issues:
        note = "Drift is gone: Stripe matches the catalog again" + (f" ({run})." if run else ".")
        gh_send("POST", f"repos/{repo}/issues/{issue['number']}/comments", {"body": note})
        gh_send("PATCH", f"repos/{repo}/issues/{issue['number']}", {"state": "closed"})
    return ExitCode.OK


def _catalogsync(
    catalog: Path, args: list[str], *, capture: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run this installation's ``catalogsync`` on ``catalog``; its output is already redacted."""
    click.echo(f"$ catalogsync {' '.join(args)}", err=True)
    command = [sys.executable, "-m", "catalogsync", "--catalog", str(catalog), *args]
    return subprocess.run(command, capture_output=capture, text=True, check=False)
