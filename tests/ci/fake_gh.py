"""A stand-in for the `gh` CLI: a tiny GitHub in a JSON file, every call recorded.

Installed as `gh` on PATH by the workflow tests. It answers the `gh api`
calls `catalogsync ci` makes (issue comments, the pull requests of a
commit, issues by label) from $FAKE_GH_STATE and appends each call, with
its stdin, to $FAKE_GH_LOG (one JSON object a line). Anything else fails
loudly, so a new call in the package needs a deliberate answer here. What the
token writes is authored by github-actions[bot], as with a workflow's
GITHUB_TOKEN; a test adds other people's comments to the state directly.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def main(argv: list[str]) -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_path.read_text())
    stdin = sys.stdin.read() if "--input" in argv else None
    with open(os.environ["FAKE_GH_LOG"], "a") as log:
        log.write(json.dumps({"argv": argv, "stdin": stdin}) + "\n")
    if not os.environ.get("GH_TOKEN"):
        print("gh: GH_TOKEN is not set", file=sys.stderr)
        return 4
    if argv[:1] != ["api"]:
        print(f"fake gh: unsupported {argv}", file=sys.stderr)
        return 2
    method = argv[argv.index("--method") + 1] if "--method" in argv else "GET"
    path = next(a for a in argv[1:] if a.startswith("repos/"))
    body = json.loads(stdin) if stdin else {}
    result = answer(state, method, path, body)
    state_path.write_text(json.dumps(state, indent=1))
    print(json.dumps(result))
    return 0


TOKEN_AUTHOR = {"login": "github-actions[bot]", "type": "Bot"}


def answer(state: dict[str, Any], method: str, path: str, body: dict[str, Any]) -> Any:
    url = urlsplit(path)
    parts = url.path.split("/")[3:]  # after repos/OWNER/NAME
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    comments: dict[str, list[dict[str, Any]]] = state.setdefault("comments", {})
    issues: list[dict[str, Any]] = state.setdefault("issues", [])
    match method, parts:
        case "GET", ["issues", number, "comments"]:
            return comments.get(number, [])
        case "POST", ["issues", number, "comments"]:
            state["next_id"] = state.get("next_id", 100) + 1
            comment = {"id": state["next_id"], "body": body["body"], "user": TOKEN_AUTHOR}
            comments.setdefault(number, []).append(comment)
            return comment
        case "PATCH", ["issues", "comments", comment_id]:
            for comment in (c for cs in comments.values() for c in cs):
                if str(comment["id"]) == comment_id:
                    if comment["user"] != TOKEN_AUTHOR:  # GitHub: only the author edits
                        raise SystemExit("fake gh: HTTP 403 editing someone else's comment")
                    comment["body"] = body["body"]
                    return comment
        case "GET", ["commits", sha, "pulls"]:
            return state.get("pulls_by_commit", {}).get(sha, [])
        case "GET", ["issues"]:
            return [
                i
                for i in issues
                if i["state"] == query.get("state", "open")
                and query.get("labels", "") in i["labels"]
            ]
        case "POST", ["issues"]:
            issue = {"number": len(issues) + 1, "state": "open", "user": TOKEN_AUTHOR, **body}
            issues.append(issue)
            return issue
        case "PATCH", ["issues", number]:
            issue = next(i for i in issues if str(i["number"]) == number)
            issue.update(body)
            return issue
    raise SystemExit(f"fake gh: no answer for {method} {path}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
