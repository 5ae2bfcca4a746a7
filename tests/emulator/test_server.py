"""Issue 3's acceptance path: `catalogsync emulator serve` in its own process,
the stripe SDK in this one, talking HTTP: every catalog kind is created and
listed with pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import stripe

from tests.conftest import emulator_process


@pytest.fixture(scope="module")
def served_client() -> Iterator[stripe.StripeClient]:
    with emulator_process() as url:
        yield stripe.StripeClient("sk_test_served", base_addresses={"api": url})


def _create_two(create: Callable[[int], Any]) -> list[str]:
    return [create(n).id for n in range(2)]


def _paged_ids(list_page: Callable[..., Any]) -> list[str]:
    """Walk a list one object a page, as a client paginates."""
    ids: list[str] = []
    params: dict[str, Any] = {"limit": 1}
    while True:
        page = list_page(params)
        ids += [o.id for o in page.data]
        if not page.has_more:
            return ids
        params = {"limit": 1, "starting_after": page.data[-1].id}


def test_every_catalog_kind_over_http(served_client: stripe.StripeClient) -> None:
    v1 = served_client.v1
    product = v1.products.create({"id": "served_product", "name": "Served"})
    meters = _create_two(
        lambda n: v1.billing.meters.create(
            {
                "display_name": f"Calls {n}",
                "event_name": f"served_calls_{n}",
                "default_aggregation": {"formula": "sum"},
            }
        )
    )
    prices = [
        v1.prices.create(
            {
                "product": product.id,
                "currency": "usd",
                "unit_amount": 9900,
                "recurring": {"interval": "month"},
                "lookup_key": "served_seat",
                "currency_options": {"eur": {"unit_amount": 9500}},
            }
        ).id,
        v1.prices.create(
            {
                "product": product.id,
                "currency": "usd",
                "billing_scheme": "tiered",
                "tiers_mode": "graduated",
                "tiers": [
                    {"up_to": 1000, "unit_amount_decimal": Decimal("0.5")},
                    {"up_to": "inf", "unit_amount": 0},
                ],
                "recurring": {"interval": "month", "usage_type": "metered", "meter": meters[0]},
            }
        ).id,
    ]
    coupons = _create_two(lambda n: v1.coupons.create({"id": f"SERVED{n}", "percent_off": 10}))
    codes = _create_two(
        lambda n: v1.promotion_codes.create(
            {"code": f"SERVED-{n}", "promotion": {"type": "coupon", "coupon": coupons[n]}}
        )
    )
    features = _create_two(
        lambda n: v1.entitlements.features.create({"lookup_key": f"served_{n}", "name": "F"})
    )
    customers = _create_two(lambda n: v1.customers.create({"email": f"c{n}@served.example"}))
    subscriptions = [
        v1.subscriptions.create({"customer": c, "items": [{"price": prices[0]}]}).id
        for c in customers
    ]
    schedules = _create_two(
        lambda n: v1.subscription_schedules.create(
            {
                "customer": customers[n],
                "start_date": 1893456000,  # 2030-01-01
                "end_behavior": "release",
                "phases": [
                    {
                        "items": [{"price": prices[0], "quantity": 5}],
                        "duration": {"interval": "year", "interval_count": 1},
                    }
                ],
            }
        )
    )

    expanded = v1.prices.retrieve(prices[0], {"expand": ["currency_options"]})
    assert expanded.currency_options is not None
    assert expanded.currency_options["eur"].unit_amount == 9500
    tiered = v1.prices.list({"expand": ["data.tiers"], "limit": 100}).data
    tiers = next(p for p in tiered if p.id == prices[1]).tiers
    assert tiers is not None
    assert [t.up_to for t in tiers] == [1000, None]

    def newest_first(ids: list[str]) -> list[str]:
        return list(reversed(ids))

    listed = {
        "products": (_paged_ids(v1.products.list), [product.id]),
        "prices": (_paged_ids(v1.prices.list), newest_first(prices)),
        "coupons": (_paged_ids(v1.coupons.list), newest_first(coupons)),
        "promotion codes": (_paged_ids(v1.promotion_codes.list), newest_first(codes)),
        "features": (_paged_ids(v1.entitlements.features.list), newest_first(features)),
        "meters": (_paged_ids(v1.billing.meters.list), newest_first(meters)),
        "customers": (_paged_ids(v1.customers.list), newest_first(customers)),
        "subscriptions": (_paged_ids(v1.subscriptions.list), newest_first(subscriptions)),
        "schedules": (_paged_ids(v1.subscription_schedules.list), newest_first(schedules)),
    }
    for kind, (got, want) in listed.items():
        assert got == want, kind
