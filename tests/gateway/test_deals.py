"""Reading deals costs the pagination floor, not a request per deal.

Counted with the emulator's request counter (never timed): a plan over twice
as many deals sends the same requests, route by route, as long as the lists
fit the same pages, and exactly one page per 100 objects when they do not.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
import stripe

from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.render import render
from tests.deal_support import acme_account, converge, plan_for, write_catalog

client = pytest.fixture(acme_account, name="client")

DEAL = """kind: Deal
key: deal_%(n)d
customer: %(customer)s
start_date: 2027-01-01
phases:
  - duration: {interval: year, count: 1}
    items: [{price: expert_seat_annual, quantity: %(seats)d}]
---
"""


def _email(n: int) -> str:
    return f"buyer{n}@deals.example"


def _deals(count: int, ids: list[str]) -> str:
    """`count` deals, the even ones naming their customer by email, the odd ones by id."""
    return "".join(
        DEAL
        % {
            "n": n,
            "customer": f"{{email: {_email(n)}}}" if n % 2 == 0 else f"{{id: {ids[n]}}}",
            "seats": 10 + n,
        }
        for n in range(count)
    )


def _customers(client: stripe.StripeClient, count: int) -> list[str]:
    return [str(client.v1.customers.create({"email": _email(n)}).id) for n in range(count)]


def _plan_requests(emulator: Emulator, client: stripe.StripeClient, catalog: Path) -> Counter[str]:
    emulator.reset_counters()
    plan_for(client, catalog)
    counts = emulator.counters()
    assert all(method == "GET" for method, _ in counts)
    return Counter({route: n for (_, route), n in counts.items()})


def _pages(objects: int) -> int:
    return max(1, math.ceil(objects / 100))


def test_plan_reads_stay_at_the_floor_for_twice_the_deals(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    ids = _customers(client, 120)
    customers = 121  # and the fixture's Acme
    catalog = tmp_path / "c"
    seen = {}
    for deals in (60, 120):
        write_catalog(catalog, _deals(deals, ids))
        new = _plan_requests(emulator, client, catalog)
        assert converge(client, catalog).operations == ()
        applied = _plan_requests(emulator, client, catalog)
        floor = {
            "/v1/account": 1,
            "/v1/products": 1,
            "/v1/prices": 2,  # active and archived
            "/v1/coupons": 1,
            "/v1/promotion_codes": 1,
            "/v1/entitlements/features": 1,
            "/v1/billing/meters": 1,
            "/v1/subscription_schedules": _pages(deals),
            # One list for every customer named by email or id; never one per deal.
            "/v1/customers": _pages(customers),
        }
        assert applied == floor
        # Before apply the same lists (schedules of the earlier, smaller catalog), and the
        # existing subscriptions of the new deals' customers: one list for them all.
        assert new == {
            **floor,
            "/v1/subscription_schedules": _pages(deals - 60),
            "/v1/subscriptions": 1,
        }
        seen[deals] = applied
    # 60 and 120 deals: every list still fits one page but the schedules.
    assert seen[120] - seen[60] == Counter({"/v1/subscription_schedules": 1})


def test_customers_by_id_only_cost_nothing_once_their_schedules_exist(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    ids = _customers(client, 10)
    deals = _deals(10, ids).replace("{email: ", "{id: ")
    for n in range(0, 10, 2):
        deals = deals.replace(f"{{id: {_email(n)}}}", f"{{id: {ids[n]}}}")
    catalog = write_catalog(tmp_path / "c", deals)
    before = _plan_requests(emulator, client, catalog)
    # Not proven yet: each id is retrieved (no customer list: no deal names an email).
    assert before["/v1/customers/{id}"] == 10
    assert "/v1/customers" not in before
    converge(client, catalog)
    after = _plan_requests(emulator, client, catalog)
    assert "/v1/customers/{id}" not in after
    assert "/v1/customers" not in after


def test_a_customer_list_longer_than_the_lookups_it_replaces_is_abandoned(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path
) -> None:
    _customers(client, 150)
    catalog = write_catalog(tmp_path / "c", _deals(1, []))
    # One deal by email: its lookup costs one request, so the 151-customer list (two
    # pages) stops after one and the email is looked up.
    assert _plan_requests(emulator, client, catalog)["/v1/customers"] == 2
    client.v1.customers.create({"email": _email(0)})
    with pytest.raises(PlanError, match=r"deal deal_0: 2 customers have the email buyer0@"):
        plan_for(client, catalog)


@pytest.mark.parametrize("extra", [0, 150], ids=["listed", "looked-up"])
def test_an_email_with_no_or_several_customers_is_an_error_naming_each_deal(
    client: stripe.StripeClient, tmp_path: Path, extra: int
) -> None:
    ids = _customers(client, 4 + extra)
    client.v1.customers.create({"email": _email(0)})
    deals = _deals(4, ids).replace(_email(2), "nobody@deals.example")
    catalog = write_catalog(tmp_path / "c", deals)
    with pytest.raises(PlanError) as raised:
        plan_for(client, catalog)
    message = str(raised.value)
    assert "deal deal_0: 2 customers have the email buyer0@deals.example" in message
    assert "deal deal_2: no customer has the email nobody@deals.example" in message


@pytest.mark.parametrize(
    ("others", "requests"), [(0, 1), (150, 2)], ids=["one-list", "per-customer"]
)
def test_a_new_deals_existing_subscription_is_found_in_one_list_or_per_customer(
    emulator: Emulator, client: stripe.StripeClient, tmp_path: Path, others: int, requests: int
) -> None:
    catalog = write_catalog(tmp_path / "c", "")
    converge(client, catalog)  # the catalog's prices, no deal yet
    (price,) = client.v1.prices.list({"lookup_keys": ["expert_seat_monthly"]}).data
    (buyer,) = _customers(client, 1)
    held = client.v1.subscriptions.create({"customer": buyer, "items": [{"price": price.id}]})
    for n in range(others):
        other = client.v1.customers.create({"email": f"other{n}@deals.example"})
        client.v1.subscriptions.create({"customer": other.id, "items": [{"price": price.id}]})
    write_catalog(catalog, _deals(1, [buyer]))
    emulator.reset_counters()
    plan = plan_for(client, catalog)
    # One new deal: the list of every subscription is read while it costs no more than the
    # deal's own list (one page); a longer one stops after that page and the customer's
    # subscriptions are listed instead.
    assert emulator.counters()[("GET", "/v1/subscriptions")] == requests
    assert held.id in render(plan, "text")
