"""Reading an account: no spurious diffs, the pagination floor, read-only."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from benchmarks.seed import seed_catalog
from catalogsync.catalog import LoadedCatalog, load_catalog
from catalogsync.emulator import Emulator
from catalogsync.gateway.read import read_state
from catalogsync.kinds import SPECS
from catalogsync.model import Catalog, Product
from catalogsync.pipeline.plan import make_plan
from catalogsync.plan.compare import compare
from tests.paths import EXAMPLE

ONE_PAGE_LISTS = {
    "/v1/account",
    "/v1/products",
    "/v1/coupons",
    "/v1/promotion_codes",
    "/v1/entitlements/features",
    "/v1/billing/meters",
}


def _example() -> LoadedCatalog:
    # Deals are synced to subscription schedules by their own comparer (issue 7), and
    # migrations read their cohort's subscriptions (tests/gateway/test_migrations.py);
    # here the catalog kinds that map one-to-one onto Stripe objects.
    loaded = load_catalog(EXAMPLE)
    catalog = dataclasses.replace(loaded.catalog, deals={}, migrations={})
    return dataclasses.replace(loaded, catalog=catalog)


def test_example_catalog_created_through_the_sdk_plans_to_nothing(emulator: Emulator) -> None:
    loaded = _example()
    client = emulator.stripe_client()
    seed_catalog(client, loaded.catalog)
    emulator.reset_counters()
    plan = make_plan(client, loaded, livemode=False)
    assert plan.operations == ()
    counts = emulator.counters()
    assert all(method == "GET" for method, _ in counts)
    with_features = sum(p.features is not None for p in loaded.catalog.products.values())
    # The pagination floor: one request per list (two for prices: active and
    # archived), one feature list per product declaring features, and no impact
    # reads since nothing is replaced or archived.
    assert counts.pop(("GET", "/v1/products/{product}/features")) == with_features
    assert counts.pop(("GET", "/v1/prices")) == 2
    assert {route for _, route in counts} >= ONE_PAGE_LISTS
    assert set(counts.values()) == {1}


def test_impact_reads_only_for_replaced_prices_and_can_be_skipped(emulator: Emulator) -> None:
    loaded = _example()
    client = emulator.stripe_client()
    seed_catalog(client, loaded.catalog)
    seat = loaded.catalog.prices["advanced_seat_monthly"]
    assert seat.unit_amount is not None
    raised = dataclasses.replace(seat, unit_amount=seat.unit_amount + 100)
    changed = dataclasses.replace(
        loaded,
        catalog=dataclasses.replace(
            loaded.catalog, prices={**loaded.catalog.prices, seat.lookup_key: raised}
        ),
    )
    emulator.reset_counters()
    plan = make_plan(client, changed, livemode=False)
    assert [type(op).__name__ for op in plan.operations] == [
        "Replace",
        "MoveDefaultPrice",
        "Archive",
    ]
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 1
    assert list(plan.impact.values()) == [{}]
    emulator.reset_counters()
    skipped = make_plan(client, changed, livemode=False, impact=False)
    assert emulator.counters()[("GET", "/v1/subscriptions")] == 0
    assert skipped.impact == {}
    assert skipped.digest == plan.digest


def test_lists_page_through_more_than_one_hundred_objects(emulator: Emulator) -> None:
    client = emulator.stripe_client()
    for i in range(230):
        client.v1.products.create({"id": f"p{i:03}", "name": f"P{i}"})
    emulator.reset_counters()
    state = read_state(client, Catalog(), livemode=False)
    assert len(state.products.unmanaged) == 230
    assert emulator.counters()[("GET", "/v1/products")] == 3


def test_remote_objects_convert_to_the_loader_model(emulator: Emulator) -> None:
    client = emulator.stripe_client()
    client.v1.products.create(
        {
            "id": "pro",
            "name": "Pro",
            "metadata": {"catalogsync_managed": "true", "catalogsync_owned": "a,b", "a": "1"},
        }
    )
    client.v1.coupons.create({"id": "C", "percent_off": 25.5, "duration": "once"})
    desired = Catalog(products={"pro": Product("pro", "Pro", features=(), metadata={"a": "1"})})
    state = read_state(client, desired, livemode=False)
    pro = state.products.managed["pro"]
    assert pro.resource == Product("pro", "Pro", features=None, metadata={"a": "1"})
    assert pro.owned_metadata == {"a", "b"}
    assert state.product_features == {"pro": {}}
    (coupon,) = state.coupons.unmanaged
    assert coupon.resource.percent_off == Decimal("25.5")
    assert compare(desired, state) == ()


def test_fingerprint_is_stable_and_changes_when_stripe_changes(emulator: Emulator) -> None:
    loaded = _example()
    client = emulator.stripe_client()
    seed_catalog(client, loaded.catalog)
    first = make_plan(client, loaded, livemode=False)
    assert make_plan(client, loaded, livemode=False).fingerprint == first.fingerprint
    client.v1.products.update("advanced", {"metadata": {"owner": "dashboard"}})
    after = make_plan(client, loaded, livemode=False)
    assert after.fingerprint != first.fingerprint
    assert after.operations == ()  # a key catalogsync does not own: no diff, still noticed


def test_every_kind_stripe_holds_as_objects_is_read(emulator: Emulator) -> None:
    # The registry's kinds, each read by its own lists: an account holding every
    # kind reads back every one of them as managed.
    loaded = _example()
    client = emulator.stripe_client()
    seed_catalog(client, loaded.catalog)
    state = read_state(client, loaded.catalog, livemode=False)
    for kind, objects in state.objects().items():
        declared = SPECS[kind].declared(loaded.catalog)
        assert declared, f"the example catalog has no {kind}"
        assert set(objects.managed) == set(declared), kind
