"""`migrations report` rendering: rows grouped by state in text, every row in JSON."""

from __future__ import annotations

import json

from catalogsync.render.migration_report import MigrationReport, ReportRow, render_report

FEB_10 = 1_928_473_200  # 2031-02-10 07:00 UTC

REPORT = MigrationReport(
    "team_2031",
    "acct_1",
    (
        ReportRow("moved", "sub_1", "cus_1", "active", "bills price_new"),
        ReportRow("scheduled", "sub_2", "cus_2", "active", "schedule sub_sched_2", FEB_10),
        ReportRow("skipped", "sub_3", "cus_3", "past_due", "foreign schedule sub_sched_9"),
        ReportRow("moved", "sub_4", "cus_4", "trialing", "bills price_new"),
    ),
)


def test_text_groups_rows_by_state_under_a_summary() -> None:
    assert render_report(REPORT, "text") == (
        "Migration team_2031 (account acct_1): 2 moved, 1 scheduled, 0 to move, 0 waiting, "
        "1 skipped\n"
        "\n"
        "Moved (2)\n"
        "  sub_1  cus_1  active  bills price_new\n"
        "  sub_4  cus_4  trialing  bills price_new\n"
        "\n"
        "Scheduled (1)\n"
        "  sub_2  cus_2  active  2031-02-10 07:00 UTC  schedule sub_sched_2\n"
        "\n"
        "Skipped (1)\n"
        "  sub_3  cus_3  past_due  foreign schedule sub_sched_9\n"
    )


def test_an_empty_report_says_so() -> None:
    text = render_report(MigrationReport("k", "acct_1", ()), "text")
    assert text.splitlines()[0].endswith("0 moved, 0 scheduled, 0 to move, 0 waiting, 0 skipped")
    assert "No subscription" in text


def test_json_holds_every_row_with_its_state_and_counts() -> None:
    data = json.loads(render_report(REPORT, "json"))
    assert data["counts"] == {"moved": 2, "scheduled": 1, "to_move": 0, "waiting": 0, "skipped": 1}
    assert [(r["state"], r["subscription"]) for r in data["subscriptions"]] == [
        ("moved", "sub_1"),
        ("scheduled", "sub_2"),
        ("skipped", "sub_3"),
        ("moved", "sub_4"),
    ]
    assert data["subscriptions"][1]["when"] == FEB_10
    assert data["subscriptions"][1]["when_utc"] == "2031-02-10 07:00 UTC"
    assert data["subscriptions"][0]["when_utc"] is None
