"""The timeline's recurring amount: quantity times unit amount, less discounts in order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalogsync.render.deals import recurring_amount, table_markdown, table_text, timeline


def _phase(
    items: list[dict[str, Any]], discounts: list[dict[str, Any]], trial: bool = False
) -> Any:
    return {
        "start_date": 1798761600,
        "end_date": 1830297600,
        "items": items,
        "discounts": discounts,
        "trial": trial,
        "state": "upcoming",
    }


SEAT = {"price": "seat", "quantity": 3, "currency": "usd", "unit_amount": Decimal(10000)}
ADDON = {"price": "addon", "quantity": 1, "currency": "usd", "unit_amount": Decimal(5000)}


def test_percent_then_amount_discounts() -> None:
    percent = {"coupon": "P", "percent_off": Decimal(10)}
    amount = {"coupon": "A", "amount_off": Decimal(2000)}
    seat = SEAT | {"interval": "month", "interval_count": 3}
    # (3 * $100 + $50) * 0.9 - $20 = $295.00
    assert recurring_amount(_phase([seat, ADDON], [percent, amount])) == "$295.00 / 3 months"


def test_unknown_unit_amount_and_trial() -> None:
    tiered = {"price": "usage", "quantity": 1, "currency": "usd"}
    assert recurring_amount(_phase([tiered], [])) == "\u2014"
    assert recurring_amount(_phase([SEAT], [], trial=True)) == "$0.00 (trial; then $300.00)"


def test_tables_mark_changed_and_new_phases() -> None:
    before = [_phase([SEAT], [])]
    after = [_phase([SEAT | {"quantity": 4}], []), _phase([SEAT], [])]
    table = timeline(after, before)
    assert [row[0] for row in table.rows] == ["1 (changed)", "2 (new)"]
    assert table_markdown(table)[1] == "|---|---|---|---|---|"
    assert table_text(table)[1].startswith("1 (changed)  2027-01-01 → 2028-01-01  4 \u00d7 seat")
