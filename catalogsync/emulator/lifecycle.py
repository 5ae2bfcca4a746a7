"""What the clock does: schedules start and change phase, subscriptions renew, trials end.

Run before subscriptions, schedules or invoices are read or changed (`on_time`), so every
response reflects the emulator's current time (`/_emulator/clock`). Each object stores when
the clock next changes it (`due`); advancing reads only those whose time has come, and
replays their events in order, each at its own time:

- a schedule's first phase starting creates its subscription, billed from that moment;
- a later phase starting changes the subscription's items (with the phase's
  `proration_behavior`; at a period end there is nothing to prorate) and its discounts:
  "phase discounts not given inherit only the customer's discount", so a phase without
  discounts leaves the subscription without them
  (https://docs.stripe.com/api/subscription_schedules/update#update_subscription_schedule-phases-discounts);
- the last phase ending releases the subscription (`end_behavior: release`, it continues
  on its items) or cancels it (`cancel`);
- a period ending renews the subscription: an invoice for the next period in advance, with
  the pending invoice items (prorations); a trial ends at the anchor, where the first paid
  period begins (https://docs.stripe.com/billing/subscriptions/billing-cycle).
"""

from __future__ import annotations

from dataclasses import replace

from catalogsync.emulator import billing, discounts, subscription_body
from catalogsync.emulator.common import merge_metadata
from catalogsync.emulator.routing import Ctx, Handler
from catalogsync.emulator.schedule_time import phase_at
from catalogsync.emulator.store import Json
from catalogsync.emulator.subscription_changes import bill_change, plan_change


def on_time(handler: Handler) -> Handler:
    """``handler``, run after the account is brought up to the clock (`advance`)."""

    def timely(ctx: Ctx) -> Json:
        advance(ctx)
        return handler(ctx)

    timely.__doc__ = handler.__doc__
    return timely


def advance(ctx: Ctx) -> None:
    """Replay every event of the account's schedules and subscriptions up to ``ctx.now``."""
    for due, schedule in ctx.tx.due(ctx.account, "subscription_schedule", ctx.now):
        sub = _start(replace(ctx, now=due), schedule)
        _advance_subscription(ctx, sub, subscription_body.next_event(ctx, sub, after=due))
    for due, sub in ctx.tx.due(ctx.account, "subscription", ctx.now):
        _advance_subscription(ctx, sub, due)


def _start(ctx: Ctx, schedule: Json) -> Json:
    """The schedule's first phase begins now: its subscription starts, invoiced from now."""
    phase = schedule["phases"][0]
    items = [(i["price"], i["quantity"], i["metadata"]) for i in phase["items"]]
    sub = subscription_body.new_subscription(
        ctx,
        schedule["customer"],
        items,
        schedule=schedule["id"],
        start=phase["start_date"],
        trial_end=phase.get("trial_end"),
    )
    sub["discounts"] = discounts.redeem(ctx, phase["discounts"], sub, "phases[0][discounts]")
    sub["metadata"] = merge_metadata(sub["metadata"], phase["metadata"])
    billing.invoice_first_period(ctx, sub)
    schedule["subscription"] = sub["id"]
    save_schedule(ctx, schedule)
    return sub


def _advance_subscription(ctx: Ctx, sub: Json, due: int | None) -> None:
    while due is not None and due <= ctx.now:
        at = replace(ctx, now=due)
        sub = _phase_boundary(at, sub)
        period_end = sub["items"]["data"][0]["current_period_end"]
        if sub["status"] in subscription_body.RENEWING and period_end == due:
            _renew(at, sub)
        due = subscription_body.next_event(ctx, sub, after=due)
    subscription_body.save(ctx, sub)


def _phase_boundary(ctx: Ctx, sub: Json) -> Json:
    """Apply what the subscription's schedule does at ``ctx.now``, if anything."""
    schedule = ctx.tx.get(ctx.account, "subscription_schedule", sub["schedule"] or "")
    if schedule is None or schedule["status"] in ("canceled", "released"):
        return sub
    phases = schedule["phases"]
    if ctx.now == phases[-1]["end_date"]:
        if schedule["end_behavior"] == "cancel":
            sub.update(status="canceled", canceled_at=ctx.now, ended_at=ctx.now)
        else:
            sub["schedule"] = None
        return sub
    n, phase = next(((n, p) for n, p in enumerate(phases) if p["start_date"] == ctx.now), (0, None))
    if phase is None or n == 0:
        return sub
    change = plan_change(ctx, sub, phase_items(sub, phase))
    bill_change(ctx, change)
    sub = change.subscription
    sub["discounts"] = discounts.redeem(ctx, phase["discounts"], sub, f"phases[{n}][discounts]")
    # "Metadata on a schedule's phase will update the underlying subscription's metadata when
    # the phase is entered" (stripe-python params/_subscription_schedule_update_params.py).
    sub["metadata"] = merge_metadata(sub["metadata"], phase["metadata"])
    if phase.get("trial_end") is not None:
        subscription_body.set_trial(sub, phase["trial_end"], ctx.now)
    return sub


def phase_items(sub: Json, phase: Json) -> Json:
    """Update parameters putting the phase's items in place of the subscription's, by position."""
    current, wanted = sub["items"]["data"], phase["items"]
    items: list[Json] = [
        {"id": old["id"], "price": new["price"], "quantity": new["quantity"]}
        | {"metadata": new["metadata"]}
        for old, new in zip(current, wanted, strict=False)
    ]
    items += [{"id": old["id"], "deleted": True} for old in current[len(wanted) :]]
    items += [
        {"price": new["price"], "quantity": new["quantity"], "metadata": new["metadata"]}
        for new in wanted[len(current) :]
    ]
    return {"items": items, "proration_behavior": phase["proration_behavior"]}


def _renew(ctx: Ctx, sub: Json) -> None:
    """The period ended at ``ctx.now``: the next one begins, invoiced in advance."""
    ended = (sub["items"]["data"][0]["current_period_start"], ctx.now)
    for item in sub["items"]["data"]:
        price = ctx.load("price", item["price"]["id"])
        start, end = subscription_body.period_at(sub, price, ctx.now)
        item.update(current_period_start=start, current_period_end=end)
    sub["status"] = subscription_body.status_at(sub, ctx.now)
    billing.issue(
        ctx, sub, billing.period_charges(ctx, sub), reason="subscription_cycle", period=ended
    )


def apply_current_phase(ctx: Ctx, schedule: Json, proration_behavior: str | None) -> None:
    """An update changed the current phase: its subscription takes the phase's items now.

    stripe-python `params/_subscription_schedule_update_params.py` (`proration_behavior`):
    "If the update changes the billing configuration (item price, quantity, etc.) of the
    current phase, indicates how prorations from this change should be handled. The default
    value is `create_prorations`."
    """
    phase = phase_at(schedule, ctx.now)
    if phase is None or schedule["subscription"] is None:
        return
    sub = ctx.load("subscription", schedule["subscription"])
    if _bills(sub["items"]["data"]) == [(i["price"], i["quantity"]) for i in phase["items"]]:
        return
    params = {**phase_items(sub, phase), "proration_behavior": proration_behavior}
    change = plan_change(ctx, sub, params)
    bill_change(ctx, change)
    subscription_body.save(ctx, change.subscription)


def _bills(items: list[Json]) -> list[tuple[str, int]]:
    return [(i["price"]["id"], i["quantity"]) for i in items]


def save_schedule(ctx: Ctx, body: Json, seq: int | None = None) -> None:
    """Store a schedule; it is `due` at its start until it has a subscription (then that is)."""
    waiting = body["subscription"] is None and body["status"] not in ("canceled", "released")
    due = body["phases"][0]["start_date"] if waiting else None
    key = "closed" if body["status"] in ("canceled", "released") else "open"
    ctx.tx.put(
        ctx.account,
        "subscription_schedule",
        body,
        seq=seq,
        ref=body["customer"],
        key=key,
        due=due,
    )
