"""The plan comment's hidden marker: the reviewed head commit and a digest per environment.

``<!-- catalogsync-plan head=SHA test=DIGEST live=DIGEST -->`` opens the one
plan comment of a pull request. Only a comment written by the workflow's own
identity counts: anyone can comment on a pull request, and a marker in their
comment must never choose what the apply job applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from catalogsync.ci.github import written_by

MARKER = "<!-- catalogsync-plan"
_MARKER_RE = re.compile(r"<!-- catalogsync-plan ([^>]*?) -->")


def marker_line(head: str, digests: Mapping[str, str]) -> str:
    """The marker for a plan of ``head`` with ``digests`` by environment."""
    fields = " ".join([f"head={head}", *(f"{env}={d}" for env, d in digests.items())])
    return f"{MARKER} {fields} -->"


def own_plan_comment(comments: Iterable[dict[str, Any]], author: str) -> dict[str, Any] | None:
    """The first comment carrying the marker that ``author`` wrote (others' are ignored)."""
    for comment in comments:
        if written_by(comment, author) and _MARKER_RE.search(comment.get("body") or ""):
            return comment
    return None


def marker_fields(body: str) -> dict[str, str]:
    """The marker's fields (``head`` and one digest per environment) in ``body``."""
    match = _MARKER_RE.search(body)
    if match is None:
        return {}
    return dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
