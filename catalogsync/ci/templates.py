"""The three catalog workflows as `init` writes them: pinned to one catalogsync version."""

from __future__ import annotations

from pathlib import Path

WORKFLOW_DIR = Path(__file__).resolve().parent / "workflows"
WORKFLOWS = ("catalog-plan.yml", "catalog-apply.yml", "catalog-drift.yml")
_VERSION = "__VERSION__"


def render_workflow(name: str, version: str) -> str:
    """Workflow ``name`` installing ``catalogsync==version`` from the package index."""
    return (WORKFLOW_DIR / name).read_text("utf-8").replace(_VERSION, version)


def install_requirement(version: str) -> str:
    """The quoted pip requirement the rendered workflows install."""
    return f'"catalogsync=={version}"'
