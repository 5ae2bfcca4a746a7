"""Renderers: pure Plan -> str, money formatted with its change in percent."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

from catalogsync.plan.plan import Plan
from catalogsync.render import render
from catalogsync.render.values import change
from tests.plan.sample_plan import sample_plan


def test_money_change_is_formatted_with_percent() -> None:
    assert change("unit_amount", Decimal(8500), Decimal(9900), "usd") == "$85.00 → $99.00 (+16.5%)"
    assert change("unit_amount", Decimal(9800), Decimal(10800), "jpy").startswith(
        "¥9,800 → ¥10,800"
    )
    option = change("currency_options.eur", {"unit_amount": Decimal(80)}, None, "usd")
    assert option == "€0.80 → (none)"


def test_text_shows_symbols_subscribers_summary_and_digest() -> None:
    plan = sample_plan()
    text = render(plan, "text")
    assert "± replace price seat (price_old)" in text
    assert "unit_amount: $85.00 → $99.00 (+16.5%)" in text
    assert (
        "existing subscribers stay on the old price, $85.00 (3 subscriptions: 2 active, 1 past due)"
        in text
    )
    assert "+ create price calls" in text
    assert "- archive product legacy (legacy)" in text
    assert "3 to create, 3 to update, 2 to replace, 4 to archive, 1 to delete." in text
    assert f"Plan digest: {plan.digest}" in text
    assert "\x1b[" not in text
    assert "\x1b[35m±\x1b[0m" in render(plan, "text", color=True)


def test_markdown_has_summary_money_table_details_and_digest() -> None:
    plan = sample_plan()
    md = render(plan, "markdown")
    assert "**3 to create, 3 to update, 2 to replace, 4 to archive, 1 to delete**" in md
    assert "| Seat (seat) | USD | $85.00 | $99.00 | +16.5% |" in md
    assert "| price seat_jpy | JPY | ¥9,800 | ¥10,800 | +10.2% |" in md
    assert md.count("<details>") == md.count("</details>") > 3
    assert f"plan digest `{plan.digest}`" in md


def test_json_reads_back_as_the_same_plan() -> None:
    plan = sample_plan()
    text = render(plan, "json")
    assert json.loads(text)["summary"].startswith("3 to create")
    assert Plan.from_json(text) == plan


def test_empty_plan_says_no_changes_in_every_format() -> None:
    empty = dataclasses.replace(sample_plan(), operations=(), impact={})
    assert "No changes" in render(empty, "text")
    assert "No changes" in render(empty, "markdown")
    assert json.loads(render(empty, "json"))["operations"] == []
