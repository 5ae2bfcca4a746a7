"""The writes that move one subscription to a migration's new prices (issue 16).

`steps.steps` hands every `MoveSubscription` to `migration_steps`:

- ``at: now``: one ``POST /v1/subscriptions/{id}`` swapping each item's price
  in place (``items[n][id]`` + ``items[n][price]``; without the id Stripe would
  add an item) with its ``quantity`` (Stripe resets it to 1 when the price
  changes and none is sent), the migration's ``proration_behavior``, the
  plan's time as ``proration_date`` (Stripe then prorates exactly as the plan
  computed, https://docs.stripe.com/billing/subscriptions/prorations) and the
  ``catalogsync_migration`` marker. ``discounts`` is not sent: omitted, Stripe
  keeps the subscription's discounts
  (https://docs.stripe.com/api/subscriptions/update#update_subscription-discounts).
- ``at: renewal`` or a date: ``POST /v1/subscription_schedules`` with
  ``from_subscription`` (Stripe allows no other parameter in that call), then
  ``POST /v1/subscription_schedules/{id}`` with two phases: the current items
  from the current phase's start (unchanged: Stripe refuses to move it) until
  the move, then every item on its new price. A phase without ``discounts``
  would only inherit the customer's discount, so the subscription's discounts
  go into both (https://docs.stripe.com/billing/subscriptions/subscription-schedules).
  The schedule and the second phase carry the marker (Stripe copies a
  phase's metadata onto the subscription when the phase starts); the schedule
  is released after the second phase, so the subscription continues on the
  new prices with no schedule left. The second phase takes the operation's
  ``proration_behavior``, if any (the plan's choice for a date inside the
  period: Stripe would otherwise prorate at the switch). Never ``catalogsync_managed``: that marks
  a deal's schedule, and a deal missing from the catalog is released.
- The crash window between those two writes: the plan then names the
  unconfigured schedule the interrupted run created (``op.schedule``) and only
  the second write is sent, to it. Nothing is created twice: Stripe refuses a
  second schedule on a subscription that has one.
"""

from __future__ import annotations

from typing import Any

from catalogsync.apply.keys import key_for
from catalogsync.apply.refs import Refs
from catalogsync.gateway.write import Write
from catalogsync.model import MIGRATION_KEY
from catalogsync.plan.operations import ItemSwap, MoveSubscription

SCHEDULES = "/v1/subscription_schedules"
Params = dict[str, Any]


def migration_steps(op: MoveSubscription, refs: Refs) -> tuple[Write, ...]:
    """The writes that move ``op``'s subscription: a swap now, or a schedule for later."""
    subscription = _subscription(op)
    if op.at == "now":
        return (Write("POST", f"/v1/subscriptions/{subscription}", _swap(op, refs), key_for(op)),)
    phases = Write(
        "POST",
        f"{SCHEDULES}/{op.schedule or '{id}'}",
        _schedule(op, refs),
        key_for(op, "phases"),
        path_id=None if op.schedule else ("migration", subscription),
    )
    if op.schedule:  # an interrupted run created it: only the phases are left to set
        return (phases,)
    attach = Write(
        "POST",
        SCHEDULES,
        {"from_subscription": subscription},
        key_for(op, "schedule"),
        records=("migration", subscription),
    )
    return (attach, phases)


def _subscription(op: MoveSubscription) -> str:
    assert op.target.stripe_id, f"migration {op.target.key}: a move without its subscription"
    return op.target.stripe_id


def _swap(op: MoveSubscription, refs: Refs) -> Params:
    params: Params = {
        "items": [
            {"id": swap.item, "price": _new_price(swap, refs), "quantity": swap.quantity}
            for swap in op.swaps
        ],
        "metadata": {MIGRATION_KEY: op.target.key},
    }
    if op.proration_behavior is not None:
        params["proration_behavior"] = op.proration_behavior
    if op.proration_behavior != "none":
        # Prorated as of the plan's clock: what the plan showed, even if apply runs later.
        params["proration_date"] = op.moves_at
    return params


def _schedule(op: MoveSubscription, refs: Refs) -> Params:
    discounts = [{"discount": d} for d in op.discounts]
    # A phase replaces the subscription's items: the ones not moved stay in both.
    kept = [{"price": price, "quantity": quantity} for price, quantity in op.kept]
    current: Params = {
        "items": [{"price": s.from_price, "quantity": s.quantity} for s in op.swaps] + kept,
        "start_date": op.period_start,
        "end_date": op.moves_at,
    }
    moved: Params = {
        "items": [{"price": _new_price(s, refs), "quantity": s.quantity} for s in op.swaps] + kept,
        "metadata": {MIGRATION_KEY: op.target.key},
    }
    if op.proration_behavior is not None:  # a date inside the period: at the switch
        moved["proration_behavior"] = op.proration_behavior
    if discounts:
        current["discounts"] = moved["discounts"] = discounts
    return {
        "end_behavior": "release",
        "metadata": {MIGRATION_KEY: op.target.key},
        "phases": [current, moved],
    }


def _new_price(swap: ItemSwap, refs: Refs) -> str:
    # A price the same plan creates (or replaces) is resolved by its lookup key.
    return refs.resolve("price", swap.to_lookup_key, swap.to_price)
