"""The fake GitHub a workflow test runs against: `gh` on PATH, its state, its call log."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.ci.runner import path_with
from tests.measured import coverage_env

REPO_NAME = "acme/billing-catalog"
PR_NUMBER = 7


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

    def add_comment(self, login: str, body: str) -> None:
        """A comment someone else wrote on the pull request (not through the token)."""
        data = self.data()
        data["next_id"] = data.get("next_id", 100) + 1
        comment = {"id": data["next_id"], "body": body, "user": {"login": login, "type": "User"}}
        data.setdefault("comments", {}).setdefault(str(PR_NUMBER), []).append(comment)
        self.state.write_text(json.dumps(data))


def install_fake_gh(root: Path) -> tuple[Path, GitHub]:
    """A ``bin`` directory under ``root`` holding the fake `gh`, and its GitHub."""
    bin_dir = root / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    script = Path(__file__).resolve().parent / "fake_gh.py"
    gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    gh.chmod(0o755)
    github = GitHub(root / "github.json", root / "gh-calls.jsonl")
    github.state.write_text("{}")
    return bin_dir, github


def pull_request_event(path: Path, head: str, *, head_repo: str | None = REPO_NAME) -> Path:
    """The ``pull_request`` event payload Actions puts at GITHUB_EVENT_PATH."""
    pull = {
        "number": PR_NUMBER,
        "head": {"sha": head, "repo": {"full_name": head_repo} if head_repo else None},
        "base": {"repo": {"full_name": REPO_NAME}},
    }
    path.write_text(json.dumps({"action": "synchronize", "pull_request": pull}))
    return path


def base_env(root: Path, bin_dir: Path, github: GitHub, python_bin: Path) -> dict[str, str]:
    """What every Actions job has: the repository name, the event; plus the fakes' files."""
    return {
        "PATH": path_with(bin_dir, python_bin),
        "HOME": str(root),
        "GITHUB_REPOSITORY": REPO_NAME,
        "GITHUB_EVENT_PATH": str(root / "event.json"),
        "FAKE_GH_STATE": str(github.state),
        "FAKE_GH_LOG": str(github.log),
        "NO_COLOR": "1",
        **coverage_env(),
    }
