"""Calendar arithmetic for subscription schedule phases, shared by the emulator and the planner.

Phase ends are computed like Stripe's billing periods: calendar months and years anchored
on the schedule's start day (Jan 31 + 1 month = Feb 28, + 2 months = Mar 31). The
emulator fixes a schedule's phase dates with this function and the planner predicts them
with it, so a deal's computed dates equal the stored ones and time passing never shows
as a difference.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime

_SECONDS = {"day": 86400, "week": 7 * 86400}


def add_interval(ts: int, interval: str, count: int, anchor_day: int) -> int:
    """`ts` plus `count` intervals; months and years keep `anchor_day` (clamped to month end)."""
    if interval in _SECONDS:
        return ts + _SECONDS[interval] * count
    start = datetime.fromtimestamp(ts, UTC)
    months = count * (12 if interval == "year" else 1)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(anchor_day, calendar.monthrange(year, month)[1])
    moved = start.replace(year=year, month=month, day=day)
    return int(moved.timestamp())


def day_start(day: date) -> int:
    """Unix seconds of ``day`` at 00:00 UTC (a deal's ``start_date``)."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def utc_day(ts: int) -> str:
    """``2027-01-01``: the UTC calendar day of ``ts``, for messages and timelines."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def utc_minute(ts: int) -> str:
    """``2027-01-01 09:30 UTC``: when something happens, for plans and reports."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def consecutive(start: int, durations: Sequence[tuple[str, int]]) -> list[tuple[int, int]]:
    """(start, end) of back-to-back phases of the given (interval, count) durations.

    Every phase is anchored on the first phase's start day, as the emulator does
    (`catalogsync.emulator.schedule_time.phase_dates`).
    """
    anchor_day = datetime.fromtimestamp(start, UTC).day
    out = []
    for interval, count in durations:
        end = add_interval(start, interval, count, anchor_day)
        out.append((start, end))
        start = end
    return out
