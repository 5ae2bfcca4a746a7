"""The example catalog in catalog/ validates cleanly and uses every kind."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from catalogsync.catalog import check_catalog, load_catalog
from tests.paths import EXAMPLE

# A fixed clock: the example's dates (the deal starts 2031-01-01) are judged
# against this day, not the day the suite runs.
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_example_catalog_has_no_diagnostics() -> None:
    assert check_catalog(EXAMPLE, now=NOW) == []


def test_example_catalog_uses_every_kind_realistically() -> None:
    catalog = load_catalog(EXAMPLE, now=NOW).catalog
    assert {"essential", "advanced", "expert", "fin_ai_agent"} <= set(catalog.products)
    for tier in ("essential", "advanced", "expert"):
        for period in ("monthly", "annual"):
            price = catalog.prices[f"{tier}_seat_{period}"]
            assert price.currency == "usd"
            assert price.currency_options is not None
            assert set(price.currency_options) == {"eur", "gbp", "aud"}
    fin = catalog.prices["fin_resolutions"]
    assert fin.recurring is not None
    assert (fin.recurring.usage_type, fin.recurring.meter) == ("metered", "fin_resolutions")
    assert fin.tiers is not None
    assert fin.tiers[-1].up_to is None
    assert catalog.prices["messaging_api_calls"].unit_amount == Decimal("0.04")  # $0.0004
    assert catalog.prices["advanced_seat_monthly"].unit_amount == Decimal(9900)
    assert {"STARTUP90", "RAMP_Y1_30"} <= set(catalog.coupons)
    assert catalog.coupons["STARTUP90"].duration_in_months == 12
    assert catalog.promotion_codes
    assert catalog.features
    assert catalog.meters
    ramp = catalog.ramps["enterprise_3yr"]
    assert [p.items[0].quantity for p in ramp.phases] == [50, 100, 150]
    assert {i.price for p in ramp.phases for i in p.items} == {"expert_seat_annual"}
    deal = catalog.deals["acme_2031"]
    assert deal.customer.email == "finance@acme.example"
    assert str(deal.start_date) == "2031-01-01"
    assert deal.ramp == "enterprise_3yr"
