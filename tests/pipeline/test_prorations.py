"""The planned proration of every moved subscription is Stripe's, to the minor unit.

A property test: for every proration mode, a mix of quantities, currencies
(JPY, whose minor unit is the yen, among them) and moments into the
period, the proration the plan computes (`catalogsync.proration`) equals the
sum of the proration lines of `POST /v1/invoices/create_preview` for the same
swap at the same `proration_date`, which the emulator computes with its own
arithmetic (docs.stripe.com/api/invoices/create_preview; the proration lines
carry `parent.subscription_item_details.proration = true`,
docs.stripe.com/billing/subscriptions/prorations).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogsync import money
from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.pipeline.prorations import check_prorations, previewed
from catalogsync.plan.operations import MoveSubscription
from catalogsync.transport.ratelimit import TokenBucket
from tests.deal_support import apply
from tests.plan.migration_support import NOW, plan_for, price_id, subscribe

DAY = 86_400
CATALOG = """\
kind: Product
key: seats
name: Seats
prices:
  - {lookup_key: seat_old, currency: %(cur)s, unit_amount: "%(old)s", recurring: {interval: month}}
  - {lookup_key: seat_new, currency: %(cur)s, unit_amount: "%(new)s", recurring: {interval: month}}
"""
MIGRATION = """\
kind: Migration
key: move
at: now
proration_behavior: %(behavior)s
moves: [{from: seat_old, to: seat_new}]
"""


def _major(minor: int, currency: str) -> str:
    return f"{money.display_major(Decimal(minor), currency):f}"


@dataclass(frozen=True)
class Case:
    """Two prices in one currency, a proration mode, subscribers (quantity, when they joined)."""

    currency: str
    old: int
    new: int
    behavior: str
    subscribers: list[tuple[int, int]]
    into: int  # seconds after the last subscriber joined, when the plan reads


CASES = st.builds(
    Case,
    currency=st.sampled_from(["usd", "eur", "jpy"]),
    old=st.integers(1, 500_000),
    new=st.integers(1, 500_000),
    behavior=st.sampled_from(["create_prorations", "always_invoice", "none"]),
    subscribers=st.lists(
        st.tuples(st.integers(1, 40), st.integers(0, 10 * DAY)), min_size=1, max_size=3
    ),
    into=st.integers(1, 17 * DAY),
)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(case=CASES)
def test_planned_prorations_equal_the_previewed_ones(case: Case) -> None:
    currency, old, new, behavior = case.currency, case.old, case.new, case.behavior
    subscribers, into = case.subscribers, case.into
    # Each subscriber joined at its own moment; the plan reads `into` seconds after the
    # last one joined, inside every subscriber's first month.
    emulator = Emulator(":memory:")
    client = emulator.stripe_client()
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        amounts = {"cur": currency, "old": _major(old, currency), "new": _major(new, currency)}
        (root / "catalog.yaml").write_text(CATALOG % amounts)
        emulator.clock.set(NOW)
        apply(client, plan_for(client, root))
        seat_old = price_id(client, "seat_old")
        for quantity, joined in sorted(subscribers, key=lambda s: s[1]):
            emulator.clock.set(NOW + joined)
            subscribe(client, seat_old, quantity)
        emulator.clock.set(NOW + max(j for _, j in subscribers) + into)
        (root / "migration.yaml").write_text(MIGRATION % {"behavior": behavior})
        plan = plan_for(client, root)  # the plan's own cross-check runs on its sample
    moves = [op for op in plan.operations if isinstance(op, MoveSubscription)]
    assert len(moves) == len(subscribers)
    for op in moves:
        stripe_says = previewed(client, op, TokenBucket(10_000))
        if behavior == "none":
            assert op.proration is None
            assert stripe_says == 0  # no proration line at all
        else:
            assert op.proration == stripe_says, (op.target.stripe_id, op.swaps)
    emulator.close()


def test_a_proration_stripe_would_not_bill_stops_the_plan(tmp_path: Path) -> None:
    emulator = Emulator(":memory:")
    client = emulator.stripe_client()
    (tmp_path / "catalog.yaml").write_text(CATALOG % {"cur": "usd", "old": "85.00", "new": "99.00"})
    emulator.clock.set(NOW)
    apply(client, plan_for(client, tmp_path))
    subscribe(client, price_id(client, "seat_old"), quantity=3)
    emulator.clock.set(NOW + 9 * DAY)
    (tmp_path / "migration.yaml").write_text(MIGRATION % {"behavior": "create_prorations"})
    (move,) = [
        op for op in plan_for(client, tmp_path).operations if isinstance(op, MoveSubscription)
    ]
    limiter = TokenBucket(10_000)
    assert check_prorations(client, [move], limiter) == 1  # the plan's own: Stripe agrees
    off_by_one = replace(move, proration=(move.proration or Decimal(0)) + 1)
    with pytest.raises(PlanError, match="Stripe's invoice preview says"):
        check_prorations(client, [off_by_one], limiter)
    emulator.close()


def test_a_discounted_subscription_is_prorated_as_stripe_nets_it(tmp_path: Path) -> None:
    # Stripe nets the subscription's discounts into its proration lines
    # (docs.stripe.com/billing/subscriptions/prorations, "Prorations and discounts"):
    # the plan shows Stripe's previewed amount, not its own undiscounted one.
    emulator = Emulator(":memory:")
    client = emulator.stripe_client()
    (tmp_path / "catalog.yaml").write_text(CATALOG % {"cur": "usd", "old": "85.00", "new": "99.00"})
    emulator.clock.set(NOW)
    apply(client, plan_for(client, tmp_path))
    coupon = client.v1.coupons.create({"percent_off": 20, "duration": "forever"})
    old = price_id(client, "seat_old")
    subscribe(client, old, quantity=3, discounts=[{"coupon": coupon.id}])
    subscribe(client, old, quantity=3)
    emulator.clock.set(NOW + 9 * DAY)
    (tmp_path / "migration.yaml").write_text(MIGRATION % {"behavior": "create_prorations"})
    discounted, plain = sorted(
        (op for op in plan_for(client, tmp_path).operations if isinstance(op, MoveSubscription)),
        key=lambda op: not op.discounts,
    )
    assert discounted.discounts
    assert discounted.proration == previewed(client, discounted, TokenBucket(10_000))
    assert plain.proration is not None
    assert discounted.proration is not None
    assert discounted.proration < plain.proration  # 20 % off the same swap
    emulator.close()
