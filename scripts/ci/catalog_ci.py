#!/usr/bin/env python3
"""What the catalog workflows run: `catalogsync` commands and GitHub API calls through `gh`.

The workflows in .github/workflows call this script and nothing else, so a
test can run the same commands, in the same order, with the same variables
(tests/workflows). GitHub calls go through `gh api` with the job's
GITHUB_TOKEN (GH_TOKEN); Stripe keys reach `catalogsync` only through the
variables catalog/catalogsync.yaml names, and never appear in output.

  plan-comment   plan every environment in CATALOG_ENVS and create or update
                 the pull request's one plan comment (found by its marker)
  apply --env E  apply to E exactly the plan digest the merged pull
                 request's plan comment showed for E
  drift-issue --env E
                 run drift; open or update the one issue labelled
                 DRIFT_LABEL on drift, close it when drift is gone

Exit codes follow catalogsync's: 0 ok, 1 error or refused, 2 drift.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MARKER = "<!-- catalogsync-plan"
_MARKER_RE = re.compile(r"<!-- catalogsync-plan ([^>]*?) -->")
PLAN_DIR = Path(".catalogsync") / "ci"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="catalog_ci", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("plan-comment")
    for name in ("apply", "drift-issue"):
        sub.add_parser(name).add_argument("--env", required=True)
    args = parser.parse_args(argv)
    if args.command == "plan-comment":
        return plan_comment()
    if args.command == "apply":
        return apply_reviewed(args.env)
    return drift_issue(args.env)


# -- plan on pull requests ----------------------------------------------------


def plan_comment() -> int:
    """Plan each environment, then create or update the sticky PR comment."""
    pr, head = _env("PR_NUMBER"), _env("HEAD_SHA")
    sections, digests, failed = [], {}, False
    PLAN_DIR.mkdir(parents=True, exist_ok=True)
    for env in _env("CATALOG_ENVS").split():
        out = PLAN_DIR / f"plan-{env}.json"
        cmd = ["plan", "--env", env, "--format", "markdown", "--out", str(out)]
        result = catalogsync(cmd)
        if result.returncode == 0:
            digests[env] = json.loads(out.read_text("utf-8"))["digest"]
            sections.append(f"## `{env}`\n\n{result.stdout}")
        else:
            failed = True
            sections.append(f"## `{env}`: plan failed\n\n```\n{result.stderr.strip()}\n```\n")
    fields = " ".join([f"head={head}", *(f"{e}={d}" for e, d in digests.items())])
    body = "\n".join(
        [
            f"{MARKER} {fields} -->",
            f"# catalogsync plan for {head[:12]}",
            "",
            *sections,
            "Merging applies exactly these plans: the apply job runs "
            "`catalogsync apply --expect-digest` with the digest shown here for each "
            "environment and refuses anything else. Push a commit or re-run this job "
            "to refresh the plan.",
        ]
    )
    upsert_comment(pr, body)
    return 1 if failed else 0


def upsert_comment(pr: str, body: str) -> None:
    """Update the comment carrying the marker, or create it."""
    repo = _env("GITHUB_REPOSITORY")
    mine = [c for c in gh_list(f"repos/{repo}/issues/{pr}/comments") if MARKER in c["body"]]
    if mine:
        gh_send("PATCH", f"repos/{repo}/issues/comments/{mine[0]['id']}", {"body": body})
    else:
        gh_send("POST", f"repos/{repo}/issues/{pr}/comments", {"body": body})


# -- apply on merge -----------------------------------------------------------


def apply_reviewed(env: str) -> int:
    """Apply to ``env`` the digest the merged pull request's plan comment showed."""
    repo, sha = _env("GITHUB_REPOSITORY"), _env("COMMIT_SHA")
    pulls = gh_list(f"repos/{repo}/commits/{sha}/pulls")
    merged = [p for p in pulls if p.get("merged_at") and p.get("merge_commit_sha") == sha]
    if not merged:
        return _refuse(
            f"commit {sha} is not the merge of a pull request: catalog changes reach "
            "main only through a reviewed pull request"
        )
    pr = merged[0]
    fields = reviewed_plan(repo, pr["number"])
    if fields is None:
        return _refuse(f"pull request #{pr['number']} has no catalogsync plan comment")
    if fields.get("head") != pr["head"]["sha"]:
        return _refuse(
            f"the plan comment on #{pr['number']} was made for {fields.get('head')}, "
            f"not for the merged head {pr['head']['sha']}: the last plan was not reviewed"
        )
    digest = fields.get(env)
    if digest is None:
        return _refuse(f"the plan comment on #{pr['number']} has no plan for {env}")
    current = _current_plan(env)
    if current is None:
        return 1
    if current["digest"] != digest and not current["operations"]:
        # A re-run after a successful apply: nothing left to do is not a refusal.
        print(f"{env} already matches the catalog: nothing to apply")
        return 0
    print(f"Applying to {env} the plan reviewed on #{pr['number']}: digest {digest}")
    cmd = ["apply", "--env", env, "--yes", "--expect-digest", digest]
    return catalogsync(cmd, capture=False).returncode


def _current_plan(env: str) -> dict[str, Any] | None:
    result = catalogsync(["plan", "--env", env, "--format", "json", "--no-impact"])
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr, end="")
        return None
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def reviewed_plan(repo: str, pr: int) -> dict[str, str] | None:
    """The marker fields (head, and a digest per environment) of the plan comment."""
    for comment in gh_list(f"repos/{repo}/issues/{pr}/comments"):
        match = _MARKER_RE.search(comment["body"])
        if match:
            return dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
    return None


# -- scheduled drift ----------------------------------------------------------


def drift_issue(env: str) -> int:
    """Report drift in ``env`` as one open issue; close it when drift is gone."""
    repo, label = _env("GITHUB_REPOSITORY"), os.environ.get("DRIFT_LABEL", "catalog-drift")
    cmd = ["drift", "--env", env, "--format", "markdown"]
    if os.environ.get("DRIFT_UNMANAGED") == "1":
        cmd.append("--unmanaged")
    result = catalogsync(cmd)
    if result.returncode not in (0, 2):
        print(result.stderr, file=sys.stderr, end="")
        return 1
    print(result.stdout, end="")
    issues = [
        i
        for i in gh_list(f"repos/{repo}/issues?labels={label}&state=open")
        if "pull_request" not in i
    ]
    run = os.environ.get("RUN_URL")
    if result.returncode == 2:
        body = result.stdout + (f"\nFound by {run}\n" if run else "")
        if issues:
            gh_send("PATCH", f"repos/{repo}/issues/{issues[0]['number']}", {"body": body})
        else:
            issue = {"title": f"Catalog drift in {env}", "body": body, "labels": [label]}
            gh_send("POST", f"repos/{repo}/issues", issue)
        return 2
    for issue in issues:
        note = "Drift is gone: Stripe matches the catalog again" + (f" ({run})." if run else ".")
        gh_send("POST", f"repos/{repo}/issues/{issue['number']}/comments", {"body": note})
        gh_send("PATCH", f"repos/{repo}/issues/{issue['number']}", {"state": "closed"})
    return 0


# -- helpers ------------------------------------------------------------------


def catalogsync(args: list[str], *, capture: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``catalogsync`` (from PATH) in the repository; its output is already redacted."""
    print(f"$ catalogsync {' '.join(args)}", file=sys.stderr)
    return subprocess.run(["catalogsync", *args], capture_output=capture, text=True, check=False)


def gh_list(path: str) -> list[dict[str, Any]]:
    """Every item of a paginated GitHub list (``gh api --paginate`` prints page after page)."""
    text = _gh(["api", "--paginate", path])
    items: list[dict[str, Any]] = []
    decoder, pos = json.JSONDecoder(), 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        page, pos = decoder.raw_decode(text, pos)
        items.extend(page if isinstance(page, list) else [page])
    return items


def gh_send(method: str, path: str, data: dict[str, Any]) -> None:
    _gh(["api", "--method", method, path, "--input", "-"], json.dumps(data))


def _gh(args: list[str], stdin: str | None = None) -> str:
    result = subprocess.run(["gh", *args], input=stdin, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"gh {' '.join(args[:4])} failed: {result.stderr.strip()}")
    return result.stdout


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set (the workflow sets it)")
    return value


def _refuse(message: str) -> int:
    print(f"refused: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
