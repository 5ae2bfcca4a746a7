"""Cross-check planned prorations with Stripe's invoice preview before showing them.

For a sample of ``at: now`` moves, the proration the plan computed
(`catalogsync.proration`) is compared with the sum of the proration lines
Stripe previews for the same swap at the same moment
(`catalogsync.gateway.preview`). A difference stops the plan: what the
plan shows must be what Stripe bills.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

import stripe

from catalogsync.errors import PlanError
from catalogsync.gateway.preview import previewed_proration
from catalogsync.money import format_money
from catalogsync.plan.operations import MoveSubscription, Operation
from catalogsync.transport.ratelimit import TokenBucket

# Moves previewed per plan: each costs one request.
SAMPLE = 3


def sample(moves: Iterable[MoveSubscription]) -> list[MoveSubscription]:
    """The first prorated ``at: now`` moves whose new prices exist already (plan order)."""
    found = [
        op
        for op in moves
        if op.at == "now"
        and op.proration is not None
        and all(swap.to_price is not None for swap in op.swaps)
    ]
    return found[:SAMPLE]


def previewed(
    client: stripe.StripeClient, op: MoveSubscription, limiter: TokenBucket
) -> Decimal | None:
    """What Stripe previews as the proration of ``op``'s swap (None: not on one page)."""
    swaps = [(s.item, s.to_price or "", s.quantity) for s in op.swaps]
    behavior = op.proration_behavior or "create_prorations"
    return previewed_proration(
        client,
        op.target.stripe_id or "",
        swaps,
        behavior=behavior,
        moment=op.moves_at,
        limiter=limiter,
    )


def discounted(
    client: stripe.StripeClient, operations: Sequence[Operation], limiter: TokenBucket
) -> tuple[Operation, ...]:
    """The operations, a discounted ``at: now`` move's proration taken from Stripe's preview.

    Stripe nets a subscription's discounts into its proration lines
    (docs.stripe.com/billing/subscriptions/prorations, "Prorations and
    discounts"): one preview per discounted subscription gives the amount
    Stripe will bill. A move to a price this plan creates cannot be
    previewed before apply: its proration stays unknown (None) and the plan
    says so. The proration is outside the operation's id: the digest is unchanged.
    """
    return tuple(
        replace(op, proration=previewed(client, op, limiter))
        if isinstance(op, MoveSubscription) and _needs_preview(op)
        else op
        for op in operations
    )


def _needs_preview(op: MoveSubscription) -> bool:
    return (
        op.at == "now"
        and op.proration_behavior != "none"
        and op.status != "trialing"
        and bool(op.discounts)
        and all(swap.to_price is not None for swap in op.swaps)
    )


def check_prorations(
    client: stripe.StripeClient, moves: Iterable[MoveSubscription], limiter: TokenBucket
) -> int:
    """Preview the sample; raise `PlanError` on a difference. Returns how many were checked."""
    checked = 0
    for op in sample(moves):
        stripe_says = previewed(client, op, limiter)
        if stripe_says is None:
            continue  # more lines than one page: another sample says it
        if stripe_says != op.proration:
            raise PlanError(
                f"migration {op.target.key}: the planned proration of subscription "
                f"{op.target.stripe_id} is {_money(op.proration, op.currency)}, Stripe's "
                f"invoice preview says {_money(stripe_says, op.currency)}; the plan stops "
                "rather than show an amount Stripe would not bill"
            )
        checked += 1
    return checked


def _money(amount: Decimal | None, currency: str) -> str:
    return "none" if amount is None else format_money(amount, currency)
