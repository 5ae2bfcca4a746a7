"""Drift reports: text for a terminal, Markdown for a GitHub issue body, JSON.

The fix is the plan: every format ends with what `apply` would do, and the
Markdown report embeds the plan's own Markdown rendering, collapsed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from catalogsync.plan.findings import CATEGORIES, DriftReport, Finding
from catalogsync.render.describe import summary
from catalogsync.render.markdown import render_markdown

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
        lines.append(f"  {f.category:<9} {f.title}")
        lines.extend(f"            {d}" for d in f.details)
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
            out += [line for f in found for line in _markdown_finding(f)]
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
        "findings": [
            {
                "category": f.category,
                "kind": f.kind,
                "key": f.key,
                "stripe_id": f.stripe_id,
                "title": f.title,
                "details": list(f.details),
            }
            for f in report.findings
        ],
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


def _markdown_finding(f: Finding) -> list[str]:
    return [f"- {_escape(f.title)}", *(f"  - {_escape(d)}" for d in f.details)]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
