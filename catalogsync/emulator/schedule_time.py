"""Calendar arithmetic and lifecycle for subscription schedules, derived from the clock.

Phase ends are computed like Stripe's billing periods: calendar months and years anchored on
the schedule's start day (Jan 31 + 1 month = Feb 28, + 2 months = Mar 31).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

# One calendar for the emulator and the planner (a deal's predicted dates must match).
from catalogsync.periods import add_interval

__all__ = ["add_interval", "current_phase", "phase_at", "phase_dates", "status_at", "utc_day"]


def phase_dates(
    start: int, phases: list[dict[str, Any]], default_lengths: list[tuple[str, int]]
) -> list[tuple[int, int]]:
    """(start, end) of each phase: ends from `end_date` or `duration`, else one billing period."""
    anchor_day = datetime.fromtimestamp(start, UTC).day
    dates = []
    for phase, fallback in zip(phases, default_lengths, strict=True):
        end_date = phase.get("end_date")
        if end_date is not None:
            end = int(end_date)
        else:
            duration = phase.get("duration") or {}
            interval = duration.get("interval") or fallback[0]
            count = int(duration.get("interval_count") or (1 if duration else fallback[1]))
            end = add_interval(start, interval, count, anchor_day)
        dates.append((start, end))
        start = end
    return dates


def status_at(schedule: dict[str, Any], now: int) -> str:
    """not_started / active / completed / released / canceled at time `now`."""
    if schedule.get("status") in ("canceled", "released"):
        return str(schedule["status"])  # ended by a request, not by time
    phases = schedule["phases"]
    if now < phases[0]["start_date"]:
        return "not_started"
    if now < phases[-1]["end_date"]:
        return "active"
    return "released" if schedule["end_behavior"] == "release" else "completed"


def phase_at(schedule: dict[str, Any], now: int) -> dict[str, Any] | None:
    """The stored phase containing `now`, if any."""
    return next((p for p in schedule["phases"] if p["start_date"] <= now < p["end_date"]), None)


def current_phase(schedule: dict[str, Any], now: int) -> dict[str, int] | None:
    """The phase containing `now`, as Stripe's `current_phase` value."""
    for phase in schedule["phases"]:
        if phase["start_date"] <= now < phase["end_date"]:
            return {"end_date": phase["end_date"], "start_date": phase["start_date"]}
    return None


def utc_day(ts: int) -> str:
    """A readable date for error messages."""
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=ts)).strftime("%Y-%m-%d")
