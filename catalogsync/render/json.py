"""The machine rendering: the plan file's content plus the summary line."""

from __future__ import annotations

import json

from catalogsync.plan.plan import Plan
from catalogsync.render.describe import summary


def render_json(plan: Plan) -> str:
    """The plan as JSON; `Plan.from_json` reads it back (extra keys are ignored)."""
    data = {"summary": summary(plan), **plan.to_data()}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
