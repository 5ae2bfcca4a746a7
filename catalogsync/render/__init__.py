"""Renderers: pure ``Plan -> str`` functions, chosen by name from one table."""

from __future__ import annotations

from collections.abc import Callable

from catalogsync.plan.plan import Plan
from catalogsync.render.json import render_json
from catalogsync.render.markdown import render_markdown
from catalogsync.render.text import render_text

FORMATS = ("text", "markdown", "json")


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    """Render ``plan`` in one of `FORMATS`; colour applies to text only."""
    renderers: dict[str, Callable[[Plan], str]] = {
        "text": lambda p: render_text(p, color=color),
        "markdown": render_markdown,
        "json": render_json,
    }
    return renderers[fmt](plan)
