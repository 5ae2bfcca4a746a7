"""The deal timeline's Mermaid gantt chart is well formed (a structural check of the syntax).

Grammar: https://mermaid.js.org/syntax/gantt.html and Mermaid's gantt lexer
(``section[^\\n#:;]+``, a task name ``[^:\\n]+`` then ``:`` and its data up
to ``#``, ``;`` or the line end; ``%%`` starts a comment). Every chart in the
golden Markdown plans is read back line by line: the header, sections, and
task lines whose dates are real days, start before end, and which match the
phase table beside them.
"""

from __future__ import annotations

import re
from datetime import date

from catalogsync.render.deals import chart
from catalogsync.render.gantt import gantt_markdown, text
from tests.paths import CASES

HEADER = ["gantt", "    title ", "    dateFormat YYYY-MM-DD", "    axisFormat %Y-%m-%d"]
SECTION = re.compile(r"^    section (?P<name>[^\n#:;%]+)$")
TASK = re.compile(
    r"^    (?P<name>[^\n#:;%]+) : (?:(?P<tag>done|active), )?"
    r"(?P<start>\d{4}-\d{2}-\d{2}), (?P<end>\d{4}-\d{2}-\d{2})$"
)
FENCE = re.compile(r"```mermaid\n(.*?)```\n\n(\| Phase .*?)\n\n", re.S)


def _check(block: str, table: str) -> int:
    """Asserts ``block`` is a well-formed gantt chart matching ``table``; returns its tasks."""
    lines = block.rstrip("\n").split("\n")
    assert lines[0] == HEADER[0]
    assert lines[1].startswith(HEADER[1])
    assert lines[2:4] == HEADER[2:]
    rows = [r.split(" | ")[0].removeprefix("| ") for r in table.split("\n")[2:]]
    sections: list[str] = []
    tasks = 0
    for line in lines[4:]:
        if match := SECTION.match(line):
            sections.append(match["name"])
            continue
        match = TASK.match(line)
        assert match is not None, f"not a gantt task line: {line!r}"
        assert sections, "a task before any section"
        start, end = date.fromisoformat(match["start"]), date.fromisoformat(match["end"])
        assert start < end
        tasks += 1
    assert sections == [f"Phase {r}" for r in rows]
    return tasks


def test_every_golden_chart_is_well_formed_and_matches_its_table() -> None:
    checked = 0
    for plan in sorted(CASES.glob("*/plan.md")):
        markdown = plan.read_text(encoding="utf-8")
        pairs = FENCE.findall(markdown)
        assert len(pairs) == markdown.count("```mermaid"), plan
        for block, table in pairs:
            assert _check(block, table) > 0
            checked += 1
    assert checked >= 10  # the deal cases: new, changed, released, cancelled


def test_a_chart_with_text_the_grammar_would_misread() -> None:
    phase = {
        "start_date": 1798761600,  # 2027-01-01
        "end_date": 1830297600,  # 2028-01-01
        "items": [{"price": "seat: gold; #1", "quantity": 3}],
        "discounts": [],
        "trial": False,
        "state": "current",
    }
    drawn = chart("acme:2027 %% not a comment", [phase])
    assert drawn is not None
    lines = gantt_markdown(drawn)
    assert lines[0] == "```mermaid"
    assert lines[-1] == "```"
    assert lines[2] == "    title deal acme 2027 not a comment"
    assert lines[6] == "    3 \u00d7 seat gold 1 : active, 2027-01-01, 2028-01-01"
    assert _check("\n".join(lines[1:-1]), "| Phase |\n|---|\n| 1 (current) | x |") == 1


def test_text_keeps_ordinary_words() -> None:
    assert text("50 \u00d7 expert_seat_annual (v2)") == "50 \u00d7 expert_seat_annual (v2)"
    assert text("a:\nb") == "a b"


def test_no_chart_without_phases() -> None:
    assert chart("acme", []) is None
