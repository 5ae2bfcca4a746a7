"""Reads at the pagination floor: created windows, pacing with 429 retries, impact reads."""

from __future__ import annotations

import pytest

from catalogsync.emulator import Emulator
from catalogsync.gateway.fetch import (
    PAGE_SIZE,
    PAGES_PER_WINDOW,
    Split,
    list_all,
    list_windows,
    list_within,
    raw_lister,
)
from catalogsync.gateway.read import read_impact
from catalogsync.transport.ratelimit import TokenBucket

# Enough coupons that `list_windows` splits the rest of the list into three windows.
COUNT = PAGE_SIZE + 2 * PAGE_SIZE * PAGES_PER_WINDOW + 150


def _coupons(emulator: Emulator, spread: int) -> list[str]:
    """COUNT coupons created `spread` seconds apart (0: all in the same second)."""
    client = emulator.stripe_client()
    ids = []
    for n in range(COUNT):
        emulator.clock.set(1_700_000_000 + n * spread)
        ids.append(client.v1.coupons.create({"percent_off": 10, "id": f"C{n:05d}"}).id)
    return ids[::-1]  # lists are newest first


@pytest.mark.parametrize("spread", [7, 0])
def test_windows_read_every_object_once_newest_first(spread: int) -> None:
    emulator = Emulator()
    expected = _coupons(emulator, spread)
    emulator.reset_counters()
    lister = raw_lister(emulator.stripe_client(), "/v1/coupons")
    found = list_windows(lister, expected=COUNT)
    assert [c["id"] for c in found] == expected
    pages = emulator.counters()[("GET", "/v1/coupons")]
    floor = -(-COUNT // PAGE_SIZE)
    # A split costs at most one partial page per extra window.
    assert floor <= pages <= floor + 2


def test_windows_are_used_only_for_long_lists() -> None:
    emulator = Emulator()
    client = emulator.stripe_client()
    for n in range(150):
        client.v1.coupons.create({"percent_off": 10, "id": f"S{n:03d}"})
    emulator.reset_counters()
    found = list_windows(raw_lister(client, "/v1/coupons"), expected=150)
    assert len(found) == 150
    assert emulator.counters()[("GET", "/v1/coupons")] == 2


def test_a_list_within_a_budget_reads_in_windows_and_stops_at_the_budget() -> None:
    emulator = Emulator()
    expected = _coupons(emulator, 7)
    lister = raw_lister(emulator.stripe_client(), "/v1/coupons")
    split = Split(pages_per_window=5, max_windows=4)
    floor = -(-COUNT // PAGE_SIZE)
    emulator.reset_counters()
    found = list_within(lister, max_pages=floor + 3, expected=COUNT, split=split)
    assert found is not None
    assert [c["id"] for c in found] == expected
    # Four windows: at most one partial page each beyond the first.
    assert floor <= emulator.counters()[("GET", "/v1/coupons")] <= floor + 3
    emulator.reset_counters()
    assert list_within(lister, max_pages=5, expected=COUNT, split=split) is None
    # The windows share the budget: the list is abandoned after five pages.
    assert emulator.counters()[("GET", "/v1/coupons")] == 5


def test_throttled_reads_are_retried_until_complete() -> None:
    emulator = Emulator()
    client = emulator.stripe_client()
    for n in range(250):
        client.v1.coupons.create({"percent_off": 10, "id": f"T{n:03d}"})
    emulator.faults.throttle_rate = 0.5
    emulator.faults.seed = 3
    emulator.reset_counters()
    found = list_all(raw_lister(client, "/v1/coupons"), limiter=TokenBucket(1000))
    assert len({c["id"] for c in found}) == 250
    assert emulator.counters()[("GET", "/v1/coupons")] > 3  # some pages were answered 429


def _subscribe(emulator: Emulator, price: str, customers: int) -> None:
    client = emulator.stripe_client()
    for n in range(customers):
        customer = client.v1.customers.create({"email": f"c{n}@example.com"})
        client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price}]})


def _price(emulator: Emulator) -> str:
    client = emulator.stripe_client()
    product = client.v1.products.create({"name": "Seat"})
    price = client.v1.prices.create(
        {
            "product": product.id,
            "currency": "usd",
            "unit_amount": 900,
            "recurring": {"interval": "month"},
        }
    )
    return price.id


def test_impact_of_a_small_account_takes_one_request() -> None:
    emulator = Emulator()
    busy, idle = _price(emulator), _price(emulator)
    _subscribe(emulator, busy, 3)
    emulator.reset_counters()
    assert read_impact(emulator.stripe_client(), [busy, idle]) == {busy: {"active": 3}, idle: {}}
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 1


def test_impact_of_a_large_account_lists_per_price() -> None:
    emulator = Emulator()
    busy, idle = _price(emulator), _price(emulator)
    _subscribe(emulator, busy, PAGE_SIZE + 1)
    emulator.reset_counters()
    assert read_impact(emulator.stripe_client(), [busy, idle]) == {
        busy: {"active": PAGE_SIZE + 1},
        idle: {},
    }
    # The first page, then two pages for the busy price and one for the idle one.
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 4


def test_impact_counts_every_billable_status_in_one_request() -> None:
    emulator = Emulator()
    client = emulator.stripe_client()
    price = _price(emulator)
    statuses = ["active", "trialing", "past_due", "unpaid", "paused", "canceled", "incomplete"]
    for status in statuses:
        customer = client.v1.customers.create({"email": f"{status}@example.com"})
        trial = {"trial_period_days": 14} if status == "trialing" else {}
        params = {"customer": customer.id, "items": [{"price": price}], **trial}
        sub = client.v1.subscriptions.create(params)  # type: ignore[arg-type]
        control = f"/_emulator/subscriptions/{sub.id}"
        if status == "past_due":
            client.raw_request("post", f"{control}/payment_failed")
        elif status not in ("active", "trialing"):  # after events the emulator does not simulate
            client.raw_request("post", f"{control}/status", status=status)
    emulator.reset_counters()
    counts = read_impact(client, [price])
    # Stripe bills these statuses again; canceled and incomplete ones are not counted.
    billable = {"active": 1, "trialing": 1, "past_due": 1, "unpaid": 1, "paused": 1}
    assert counts == {price: billable}
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 1
