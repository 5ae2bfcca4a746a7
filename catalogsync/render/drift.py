"""Drift reports: text for a terminal, Markdown for a GitHub issue body, JSON.

The fix is the plan: every format ends with what `apply` would do, and the
Markdown report embeds the plan's own Markdown rendering, collapsed. Each
finding is worded by `catalogsync.render.findings`; JSON carries it as data
too: the fields that differ (Stripe's value, the catalog's), the id of the
plan operation undoing it, the metadata keys nobody declared.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from catalogsync.plan.findings import CATEGORIES, DriftReport, Finding
from catalogsync.plan.operations import Adopt, Replace, Update
from catalogsync.plan.plan import Plan, operation_id
from catalogsync.render.describe import summary
from catalogsync.render.findings import details, title
from catalogsync.render.markdown import render_markdown
from catalogsync.values import encode

FORMATS = ("text", "markdown", "json")
_HEADINGS = {
    "changed": "Changed in Stripe",
    "missing": "Missing from Stripe",
    "extra": "In Stripe, not in the catalog",
    "unmanaged": "Not managed by catalogsync",
}
_LABELS = {
    "changed": "changed in Stripe",
    "missing": "missing from Stripe",
    "extra": "in Stripe, not in the catalog",
    "unmanaged": "not managed by catalogsync",
}


def render_drift(report: DriftReport, fmt: str) -> str:
    """Render ``report`` in one of `FORMATS`."""
    renderers: dict[str, Callable[[DriftReport], str]] = {
        "text": drift_text,
        "markdown": drift_markdown,
        "json": drift_json,
    }
    return renderers[fmt](report)


def headline(report: DriftReport) -> str:
    """``3 differences between Stripe and the catalog: 2 changed in Stripe, …``."""
    if not report.has_drift:
        return "No drift: Stripe matches the catalog."
    counts = Counter(f.category for f in report.findings)
    n = len(report.findings)
    parts = ", ".join(f"{counts[c]} {_LABELS[c]}" for c in CATEGORIES if counts[c])
    noun = "difference" if n == 1 else "differences"
    return f"{n} {noun} between Stripe and the catalog: {parts}."


def drift_text(report: DriftReport) -> str:
    plan = report.plan
    mode = "live mode" if plan.livemode else "test mode"
    lines = [f"catalogsync drift for {plan.account_id} ({mode})", ""]
    for f in report.findings:
        lines.append(f"  {f.category:<9} {title(f, plan)}")
        lines.extend(f"            {d}" for d in details(f))
    if report.findings:
        lines.append("")
    lines.append(headline(report))
    lines.extend(_fix(report))
    return "\n".join(lines) + "\n"


def drift_markdown(report: DriftReport) -> str:
    plan = report.plan
    mode = "live mode" if plan.livemode else "test mode"
    out = ["### catalogsync drift", "", f"**{headline(report)}**", ""]
    for category in CATEGORIES:
        found = [f for f in report.findings if f.category == category]
        if found:
            out += [f"#### {_HEADINGS[category]}", ""]
            out += [line for f in found for line in _markdown_finding(f, plan)]
            out.append("")
    if plan.has_changes:
        out += [
            f"`catalogsync apply` would bring Stripe back to the catalog: {summary(plan)}.",
            "",
            "<details>",
            "<summary>The plan</summary>",
            "",
            render_markdown(plan),
            "</details>",
            "",
        ]
    scope = "" if report.unmanaged_listed else " · objects catalogsync does not own not listed"
    out.append(
        f"Account `{plan.account_id}` ({mode}) · catalog `{plan.catalog_digest[:12]}` · "
        f"plan digest `{plan.digest}`{scope}"
    )
    return "\n".join(out) + "\n"


def drift_json(report: DriftReport) -> str:
    data = {
        "drift": report.has_drift,
        "summary": headline(report),
        "unmanaged_listed": report.unmanaged_listed,
        "findings": [_finding_data(f, report.plan) for f in report.findings],
        "plan": report.plan.to_data(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _fix(report: DriftReport) -> list[str]:
    plan = report.plan
    lines = []
    if plan.has_changes:
        lines.append(f"`catalogsync apply` would: {summary(plan)}.")
    lines.append(f"Plan digest: {plan.digest}")
    return lines


def _finding_data(f: Finding, plan: Plan) -> dict[str, Any]:
    """A finding as data (the fields that differ, the plan step undoing it), and in words."""
    op = f.operation
    changes = op.changes if isinstance(op, Update | Adopt | Replace) else ()
    return {
        "category": f.category,
        "kind": f.kind,
        "key": f.key,
        "stripe_id": f.stripe_id,
        "operation": operation_id(op) if op is not None else None,
        "changes": [
            {"field": c.field, "stripe": encode(c.before), "catalog": encode(c.after)}
            for c in changes
        ],
        "metadata": dict(f.foreign_metadata),
        "title": title(f, plan),
        "details": list(details(f)),
    }


def _markdown_finding(f: Finding, plan: Plan) -> list[str]:
    return [f"- {_escape(title(f, plan))}", *(f"  - {_escape(d)}" for d in details(f))]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
