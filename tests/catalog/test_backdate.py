"""A deal starting before today needs `backdate: true` (Stripe would backdate its schedule).

Source: stripe-python `params/_subscription_schedule_create_params.py`, `start_date`:
"You can also use a Unix timestamp to backdate the subscription so that it starts
on a past date" -- Stripe accepts it and bills from that date at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalogsync.catalog import check_catalog

CATALOG = """kind: Product
key: expert
name: Expert
prices:
  - {lookup_key: seat, currency: usd, unit_amount: "600.00", recurring: {interval: year}}
---
kind: Deal
key: acme
customer: {email: finance@acme.example}
start_date: 2027-01-01
%sphases:
  - duration: {interval: year, count: 1}
    items: [{price: seat, quantity: 5}]
"""


@pytest.mark.parametrize(
    ("today", "backdate", "codes"),
    [
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "", []),
        (datetime(2027, 1, 1, 23, 59, tzinfo=UTC), "", []),  # starting today is not backdating
        (datetime(2027, 1, 2, 0, 0, tzinfo=UTC), "", ["backdate"]),
        (datetime(2027, 1, 2, 0, 0, tzinfo=UTC), "backdate: true\n", []),
        (datetime(2027, 1, 2, 0, 0, tzinfo=UTC), "backdate: false\n", ["backdate"]),
    ],
)
def test_start_date_before_today(
    tmp_path: Path, today: datetime, backdate: str, codes: list[str]
) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG % backdate)
    found = check_catalog(tmp_path, now=today)
    assert [d.code for d in found] == codes
    if codes:
        (diagnostic,) = found
        assert (diagnostic.pointer, diagnostic.line) == ("/start_date", 10)
        assert "set `backdate: true`" in diagnostic.message
