"""What the clock does to subscriptions: schedules start, change phase and end; trials end.

Run before subscriptions, schedules or invoices are read or changed, so every response
reflects the emulator's current time (`/_emulator/clock`).
"""

from __future__ import annotations

from catalogsync.emulator import billing, subscription_body
from catalogsync.emulator.routing import Ctx, Handler
from catalogsync.emulator.schedule_time import phase_at, status_at
from catalogsync.emulator.store import Json


def on_time(handler: Handler) -> Handler:
    """``handler``, run after the account is brought up to the clock (`advance`)."""

    def timely(ctx: Ctx) -> Json:
        advance(ctx)
        return handler(ctx)

    timely.__doc__ = handler.__doc__
    return timely


def advance(ctx: Ctx) -> None:
    """Bring every schedule and subscription of the account up to ``ctx.now``."""
    for body in ctx.tx.find(ctx.account, "subscription_schedule", [("key = ?", "open")], 100000):
        sync_schedule(ctx, body)
    # The stored status (the `status` list filter) must follow trials ending with the clock.
    for body in ctx.tx.find(ctx.account, "subscription", [("key = ?", "trialing")], 100000):
        if subscription_body.status_at(body, ctx.now) != "trialing":
            body["status"] = subscription_body.status_at(body, ctx.now)
            subscription_body.save(ctx, body)


def sync_schedule(ctx: Ctx, body: Json) -> Json:
    """Create/advance/end the schedule's subscription for the current time; returns the body."""
    status = status_at(body, ctx.now)
    if status == "not_started" or body["status"] in ("canceled", "released"):
        return body
    phase = phase_at(body, ctx.now) or body["phases"][-1]
    items = [(i["price"], i["quantity"], i["metadata"]) for i in phase["items"]]
    # A phase with `trial: true` puts the subscription in a trial until the phase ends.
    trial_end = phase.get("trial_end")
    if body["subscription"] is None:
        sub = subscription_body.new_subscription(
            ctx,
            body["customer"],
            items,
            schedule=body["id"],
            start=body["phases"][0]["start_date"],
            trial_end=trial_end,
        )
        body["subscription"] = sub["id"]
        billing.invoice_first_period(ctx, sub)
        save_schedule(ctx, body)
    else:
        sub = ctx.load("subscription", body["subscription"])
        if [(i["price"]["id"], i["quantity"]) for i in sub["items"]["data"]] != [
            (p, q) for p, q, _ in items
        ]:
            subscription_body.set_items(ctx, sub, items, min(ctx.now, phase["end_date"] - 1))
        if trial_end is not None and sub["trial_end"] != trial_end:
            subscription_body.set_trial(sub, trial_end, ctx.now)
    sub["status"] = subscription_body.status_at(sub, ctx.now)
    if status == "completed" and sub["status"] != "canceled":
        sub.update(status="canceled", ended_at=phase["end_date"], canceled_at=phase["end_date"])
    elif status == "released":
        sub["schedule"] = None
    subscription_body.save(ctx, sub)
    return body


def save_schedule(ctx: Ctx, body: Json, seq: int | None = None) -> None:
    """Store a schedule; `key` marks schedules whose subscription may still change with time."""
    key = "closed" if body["status"] in ("canceled", "released") else "open"
    ctx.tx.put(ctx.account, "subscription_schedule", body, seq=seq, ref=body["customer"], key=key)
