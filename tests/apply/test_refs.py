"""References by catalog identity while a plan runs: this run's writes, then the plan, then
Stripe (through the real SDK against the emulator)."""

from __future__ import annotations

import pytest
import stripe

from catalogsync.apply.refs import LiveRefs, PlaceholderRefs, Recorded
from catalogsync.emulator import Emulator
from catalogsync.errors import UnresolvedReference
from catalogsync.gateway.write import Writer
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import RetryPolicy


def _writer(client: stripe.StripeClient) -> Writer:
    return Writer(client, TokenBucket(10_000), RetryPolicy(max_attempts=1, sleep=lambda s: None))


def _gets(emulator: Emulator) -> int:
    return sum(n for (method, _), n in emulator.counters().items() if method == "GET")


def test_an_id_recorded_by_this_run_wins_and_is_not_read(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    refs = LiveRefs(_writer(stripe_client))
    refs.record("price", "pro_usd", "price_new")
    assert refs.resolve("price", "pro_usd", known="price_old") == "price_new"
    assert _gets(emulator) == 0


def test_the_id_the_plan_knew_comes_next(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    refs = LiveRefs(_writer(stripe_client))
    assert refs.resolve("price", "pro_usd", known="price_known") == "price_known"
    assert refs.get("price", "pro_usd") == "price_known"  # remembered for later operations
    assert _gets(emulator) == 0


def test_otherwise_stripe_is_asked_for_the_active_object(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    # An interrupted run created the price; this run did not record it.
    stripe_client.v1.products.create({"id": "pro", "name": "Pro"})
    params = {"product": "pro", "currency": "usd", "unit_amount": 900, "lookup_key": "pro_usd"}
    price = stripe_client.v1.prices.create(params)  # type: ignore[arg-type]
    refs = LiveRefs(_writer(stripe_client))
    assert refs.resolve("price", "pro_usd") == price.id
    assert _gets(emulator) == 1
    assert refs.resolve("price", "pro_usd") == price.id  # recorded: not read again
    assert _gets(emulator) == 1


def test_features_and_meters_are_found_by_their_identity(
    stripe_client: stripe.StripeClient,
) -> None:
    feature = stripe_client.v1.entitlements.features.create({"name": "SSO", "lookup_key": "sso"})
    for event in ("other_calls", "api_calls"):
        stripe_client.v1.billing.meters.create(
            {"display_name": event, "event_name": event, "default_aggregation": {"formula": "sum"}}
        )
    wanted = stripe_client.v1.billing.meters.list().data[0]  # newest first: api_calls
    assert wanted.event_name == "api_calls"
    refs = LiveRefs(_writer(stripe_client))
    assert refs.resolve("feature", "sso") == feature.id
    assert refs.resolve("meter", "api_calls") == wanted.id
    with pytest.raises(UnresolvedReference, match="meter 'gone_calls'"):
        refs.resolve("meter", "gone_calls")


def test_products_and_coupons_are_their_own_ids_and_not_read(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    refs = LiveRefs(_writer(stripe_client))
    assert refs.resolve("product", "pro") == "pro"
    assert refs.resolve("coupon", "WELCOME") == "WELCOME"
    assert _gets(emulator) == 0


def test_an_object_neither_created_nor_in_stripe_is_an_error(
    stripe_client: stripe.StripeClient,
) -> None:
    refs = LiveRefs(_writer(stripe_client))
    with pytest.raises(UnresolvedReference, match="price 'missing' is neither created by this"):
        refs.resolve("price", "missing")


def test_a_dry_run_shows_objects_not_created_yet_and_reads_nothing() -> None:
    refs = PlaceholderRefs()
    assert refs.resolve("meter", "api_calls") == "<new meter api_calls>"
    assert refs.resolve("meter", "api_calls", known="mtr_1") == "mtr_1"
    refs.record("meter", "api_calls", "mtr_2")
    assert refs.resolve("meter", "api_calls", known="mtr_1") == "mtr_2"


def test_recorded_ids_are_kept_per_kind_and_key() -> None:
    recorded = Recorded()
    recorded.record("price", "k", "price_1")
    recorded.record("product", "k", "k")
    recorded.record("price", "k", "price_2")  # a later write of the run replaces it
    assert recorded.get("price", "k") == "price_2"
    assert recorded.get("product", "k") == "k"
    assert recorded.get("feature", "k") is None
