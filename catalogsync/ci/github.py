"""GitHub through the `gh` CLI, and the facts of the running workflow.

`gh api` authenticates with ``GH_TOKEN`` (the job's ``GITHUB_TOKEN``) and
pages with ``--paginate``. Comments written with that token are authored by
``github-actions[bot]``; a workflow that posts with another token (a GitHub
App's, a bot user's) names that author in ``CATALOGSYNC_CI_AUTHOR`` so the
plan and apply jobs agree on whose comments count.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from catalogsync.errors import CiError

# The author of comments made with a workflow's GITHUB_TOKEN (docs.github.com/en/actions/
# security-for-github-actions/security-guides/automatic-token-authentication).
ACTIONS_BOT = "github-actions[bot]"


def own_author() -> str:
    """The login whose comments this workflow writes, and the only one it trusts."""
    return os.environ.get("CATALOGSYNC_CI_AUTHOR") or ACTIONS_BOT


def written_by(item: dict[str, Any], login: str) -> bool:
    """True when the comment or issue ``item`` was written by ``login``."""
    user = item.get("user") or {}
    return bool(user.get("login") == login)


def required_env(name: str) -> str:
    """The variable ``name``, which the workflow sets."""
    value = os.environ.get(name)
    if not value:
        raise CiError(f"{name} is not set (the workflow sets it)")
    return value


def event() -> dict[str, Any]:
    """The payload of the event that started the workflow (``GITHUB_EVENT_PATH``)."""
    data: dict[str, Any] = json.loads(Path(required_env("GITHUB_EVENT_PATH")).read_text("utf-8"))
    return data


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
    """``gh api --method METHOD PATH`` with ``data`` as the JSON body."""
    _gh(["api", "--method", method, path, "--input", "-"], json.dumps(data))


def _gh(args: list[str], stdin: str | None = None) -> str:
    try:
        result = subprocess.run(
            ["gh", *args], input=stdin, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise CiError("the GitHub CLI `gh` is not on PATH (GitHub's runners have it)") from None
    if result.returncode != 0:
        raise CiError(f"gh {' '.join(args[:4])} failed: {result.stderr.strip()}")
    return result.stdout
