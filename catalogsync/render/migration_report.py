"""`migrations report KEY`: where each subscription of a migration stands, for support teams.

A subscription is ``moved`` (it carries the migration's marker: it bills the
new price), ``scheduled`` (the migration's schedule moves it at a known time),
``to_move`` (the next apply moves it: the plan has its operation),
``waiting`` (over the cohort's ``limit``: a later apply moves it) or
``skipped`` (the plan leaves it alone, with the reason). Text lists them by
state; JSON holds every row, for scripts and spreadsheets.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Literal, get_args

from catalogsync.periods import utc_minute

State = Literal["moved", "scheduled", "to_move", "waiting", "skipped"]
STATES: tuple[State, ...] = get_args(State)
_HEADINGS: dict[State, str] = {
    "moved": "Moved",
    "scheduled": "Scheduled",
    "to_move": "To move (the next `catalogsync apply` moves them)",
    "waiting": "Waiting (over the cohort's limit: a later apply moves them)",
    "skipped": "Skipped",
}


@dataclass(frozen=True)
class ReportRow:
    """One subscription: its state, and what support needs to answer a customer.

    ``detail`` is the price it bills (moved), the schedule (scheduled), how it
    will move (to_move) or why it is left alone (skipped); ``when`` is when it
    moves (scheduled, to_move), in unix seconds, if known.
    """

    state: State
    subscription: str
    customer: str
    status: str
    detail: str
    when: int | None = None


@dataclass(frozen=True)
class MigrationReport:
    key: str
    account: str
    rows: tuple[ReportRow, ...]

    def counts(self) -> dict[State, int]:
        found = Counter(row.state for row in self.rows)
        return {state: found[state] for state in STATES}


def render_report(report: MigrationReport, fmt: Literal["text", "json"]) -> str:
    """The report as text (grouped by state) or JSON (every row)."""
    if fmt == "json":
        return _json(report)
    return _text(report)


def _summary(report: MigrationReport) -> str:
    counts = report.counts()
    parts = ", ".join(f"{counts[s]} {s.replace('_', ' ')}" for s in STATES)
    return f"Migration {report.key} (account {report.account}): {parts}"


def _text(report: MigrationReport) -> str:
    lines = [_summary(report)]
    for state in STATES:
        rows = [row for row in report.rows if row.state == state]
        if not rows:
            continue
        lines += ["", f"{_HEADINGS[state]} ({len(rows)})"]
        lines += [_row(row) for row in rows]
    if not report.rows:
        lines += ["", "No subscription has moved, is scheduled, left to move or skipped."]
    return "\n".join(lines) + "\n"


def _row(row: ReportRow) -> str:
    when = f"  {utc_minute(row.when)}" if row.when is not None else ""
    return f"  {row.subscription}  {row.customer}  {row.status}{when}  {row.detail}"


def _json(report: MigrationReport) -> str:
    data = {
        "migration": report.key,
        "account": report.account,
        "counts": report.counts(),
        "subscriptions": [
            asdict(row) | {"when_utc": utc_minute(row.when) if row.when is not None else None}
            for row in report.rows
        ],
    }
    return json.dumps(data, indent=2) + "\n"
