"""A migration in the plan: one section per migration in text and Markdown, every move in JSON."""

from __future__ import annotations

from catalogsync.migrations import CohortReport, ScheduleRef, Skipped
from catalogsync.plan.compare.migrations import plan_cohort
from catalogsync.plan.plan import Plan
from catalogsync.render.describe import describe
from catalogsync.render.json import render_json
from catalogsync.render.markdown import render_markdown
from catalogsync.render.migrations import FIRST_ROWS
from catalogsync.render.text import render_text
from tests.plan.migration_builders import catalog, migration, remote, sub


def _plan(at: str, *subs, report: CohortReport | None = None, **kw) -> Plan:  # type: ignore[no-untyped-def]
    m = migration(at, **kw)
    cohort = plan_cohort(m, catalog(m), remote(m, *subs), ())
    reports = {m.key: report or cohort.report}
    return Plan("d" * 64, "acct_1", False, "fp", cohort.moves, migrations=reports)


def test_text_counts_by_status_and_currency_with_mrr_and_proration() -> None:
    plan = _plan("now", sub("a", quantity=2), sub("b", currency="eur"), sub("t", status="trialing"))
    text = render_text(plan)
    assert "~ migration raise_2027: move 3 subscriptions now  (catalog/migrations.yaml:1:1)" in text
    assert "advanced_seat (price_old) → advanced_seat (price_new): 3 subscriptions" in text
    assert "by status: 2 active, 1 trialing" in text
    assert "by currency: 1 EUR, 2 USD" in text
    assert "MRR USD: $255.00 → $297.00 (+16.5%)" in text
    assert "MRR EUR: €80.00 → €95.00 (+18.8%)" in text
    # 21 of 31 days left, each line rounded: sub_a -round(170.00 x 21/31) + round(198.00 x 21/31)
    # = -115.16 + 134.13; sub_b -54.19 + 64.35 EUR; the trial prorates nothing.
    assert "proration (create_prorations: proration items wait for the next invoice): " in text
    assert "+€10.16, +$18.97 net" in text
    assert text.count(" to move") == 1
    assert "3 to move." in text


def test_the_first_rows_by_customer_and_a_count_of_the_rest() -> None:
    subs = [sub(f"{n:02d}", created=n) for n in range(FIRST_ROWS + 5)]
    text = render_text(_plan("renewal", *reversed(subs)))
    assert "cus_00" in text
    assert f"cus_{FIRST_ROWS - 1:02d}" in text
    assert f"cus_{FIRST_ROWS:02d}" not in text
    assert "… 5 more" in text


def test_renewal_and_date_say_when_and_that_nothing_is_prorated() -> None:
    renewal = render_text(_plan("renewal", sub("a")))
    assert "moves at each subscription's renewal (end of its current period): 2027-02-01" in renewal
    dated = render_text(_plan("2027-03-01", sub("a")))
    assert "moves on 2027-03-01 (00:00 UTC) without proration" in dated
    none = render_text(_plan("now", sub("a"), proration_behavior="none"))
    assert "no proration (proration_behavior: none)" in none


def test_what_the_plan_leaves_alone_is_said_with_reasons() -> None:
    skipped = tuple(Skipped(f"sub_{n}", f"cus_{n}", "a reason") for n in range(FIRST_ROWS + 2))
    report = CohortReport(skipped, scheduled=("sub_s",), waiting=("sub_w1", "sub_w2"))
    text = render_text(_plan("renewal", report=report))
    assert "~ migration raise_2027: move 0 subscriptions" in text
    assert "1 already scheduled to move by this migration" in text
    assert "2 over the cohort's limit: they move in a later apply" in text
    assert "skipped sub_0 (cus_0): a reason" in text
    assert "… and 2 more skipped (the JSON plan lists every one)" in text
    assert text.endswith("No changes: Stripe matches the catalog.\nPlan digest: " + _digest(text))


def _digest(text: str) -> str:
    return text.rsplit("Plan digest: ", 1)[1]


def test_an_interrupted_schedule_is_finished_and_said() -> None:
    m = migration("renewal")
    state = remote(m, sub("a", schedule="s"), schedules=(ScheduleRef("s", "interrupted"),))
    cohort = plan_cohort(m, catalog(m), state, ())
    plan = Plan("d" * 64, "acct_1", False, "fp", cohort.moves)
    assert "1 finish the schedule an interrupted apply left (s)" in render_text(plan)


def test_markdown_has_the_money_row_and_a_table_and_json_every_move() -> None:
    plan = _plan("now", *(sub(f"{n:02d}", created=n) for n in range(FIRST_ROWS + 1)))
    markdown = render_markdown(plan)
    assert (
        "| migration raise_2027, MRR of 11 subscriptions | USD | $935.00 | $1,089.00 | +16.5% |"
        in markdown
    )
    assert (
        "| customer | subscription | status | items | MRR before | MRR after | moves | proration |"
        in markdown
    )
    data = render_json(plan)
    assert data.count('"op": "MoveSubscription"') == FIRST_ROWS + 1
    assert Plan.from_json(data) == plan


def test_one_move_alone_is_described_by_its_subscription() -> None:
    plan = _plan("renewal", sub("a"))
    entry = describe(plan.operations[0], plan)
    assert (entry.action, entry.title) == (
        "move",
        "move subscription sub_a (migration raise_2027) renewal",
    )


def test_a_proration_not_known_before_apply_is_said_not_guessed() -> None:
    text = render_text(_plan("now", sub("a", discounts=("di_1",)), sub("b")))
    assert "1 subscription with discounts: proration not shown" in text
    assert "+$9.48 net" in text  # sub_b alone: -round(85.00 x 21/31) + round(99.00 x 21/31)
    assert "—" in text  # sub_a's row
