"""A deal's timeline as a Mermaid ``gantt`` chart, which GitHub renders in Markdown.

Syntax: https://mermaid.js.org/syntax/gantt.html. Dates are whole UTC days
(``dateFormat YYYY-MM-DD``); a task runs from its start date up to, not
including, its end date, as a schedule phase does. Mermaid's gantt grammar
reads ``:`` as the end of a task's name, ``;`` and ``#`` as the end of a
statement or the start of a comment, and a line break as the end of a line,
so text drops them (``text``). One section per phase, one task per item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNSAFE = re.compile(r"[:;#%\n\r]+")


@dataclass(frozen=True)
class Task:
    """One bar: a name, its first day and the day it ends (``YYYY-MM-DD``), a Mermaid tag."""

    name: str
    start: str
    end: str
    tag: str | None = None  # done (an ended phase) or active (the current one)


@dataclass(frozen=True)
class Section:
    name: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Gantt:
    title: str
    sections: tuple[Section, ...]


def text(value: str) -> str:
    """``value`` with the characters the gantt grammar reads as syntax replaced by a space."""
    return " ".join(_UNSAFE.sub(" ", value).split())


def gantt_markdown(chart: Gantt) -> list[str]:
    """The chart as a fenced ``mermaid`` block."""
    lines = ["```mermaid", "gantt", f"    title {text(chart.title)}", "    dateFormat YYYY-MM-DD"]
    lines.append("    axisFormat %Y-%m-%d")
    for section in chart.sections:
        lines.append(f"    section {text(section.name)}")
        for task in section.tasks:
            data = ", ".join(x for x in (task.tag, task.start, task.end) if x)
            lines.append(f"    {text(task.name)} : {data}")
    lines.append("```")
    return lines
