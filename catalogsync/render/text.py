"""The terminal rendering: one line per operation, details indented, colour on request."""

from __future__ import annotations

from catalogsync.plan.plan import Plan
from catalogsync.render.deals import table_text
from catalogsync.render.describe import Entry, destructive_note, entries, summary

_COLOURS = {"+": "32", "~": "33", "±": "35", "-": "31"}


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The plan for a terminal; ``color`` adds ANSI colours (the command decides)."""
    mode = "live mode" if plan.livemode else "test mode"
    lines = [f"catalogsync plan for {plan.account_id} ({mode})", ""]
    for entry in entries(plan):
        lines.extend(_entry(entry, color))
    if plan.operations:
        lines.append("")
    lines.append(summary(plan) + ("." if plan.operations else ""))
    if (note := destructive_note(plan)) is not None:
        lines.append(note)
    lines.append(f"Plan digest: {plan.digest}")
    return "\n".join(lines) + "\n"


def _entry(entry: Entry, color: bool) -> list[str]:
    symbol = entry.symbol
    if color:
        symbol = f"\x1b[{_COLOURS[symbol]}m{symbol}\x1b[0m"
    where = f"  ({entry.source})" if entry.source else ""
    lines = [f"  {symbol} {entry.title}{where}"]
    for d in entry.details:
        lines.append(f"      {d.label}: {d.text}" if d.label else f"      {d.text}")
    if entry.table is not None:
        lines.extend(f"      {row}" for row in table_text(entry.table))
    return lines
