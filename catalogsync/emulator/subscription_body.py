"""A subscription's stored shape: its items, their billing periods, its trial and status.

Shared by the subscription endpoints, schedules (which create and change subscriptions when
their phases start) and the clock (`lifecycle`), so none of them imports another's handlers.

Since 2025-03-31.basil the billing period lives on each item, `items.data[].current_period_start`
and `current_period_end` (https://docs.stripe.com/changelog/basil/2025-03-31/deprecate-subscription-current-period-start-and-end).
Periods are counted from the subscription's `billing_cycle_anchor` in calendar steps of the
price's interval, keeping the anchor's day of the month
(https://docs.stripe.com/billing/subscriptions/billing-cycle); a trial is a first, shorter
period ending at the anchor (the trial end).
"""

from __future__ import annotations

from datetime import UTC, datetime

from catalogsync.emulator.errors import invalid
from catalogsync.emulator.render import render
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json
from catalogsync.periods import add_interval

Item = tuple[str, int, dict[str, str]]  # price id, quantity, metadata


def new_subscription(
    ctx: Ctx,
    customer: str,
    items: list[Item],
    *,
    schedule: str | None,
    start: int,
    trial_end: int | None = None,
    currency: str | None = None,
) -> Json:
    """A stored-shape subscription (also created by schedules when they start)."""
    sub_id, _ = ctx.new_id("subscription")
    body: Json = dict.fromkeys(_NULL_FIELDS)
    body.update(
        {
            "id": sub_id,
            "object": "subscription",
            "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
            "billing_cycle_anchor": trial_end if trial_end is not None else start,
            "billing_mode": {"type": "classic"},
            "cancel_at_period_end": False,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": ctx.now,
            "currency": currency,
            "customer": customer,
            "default_tax_rates": [],
            "discounts": [],
            "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
            "livemode": ctx.livemode,
            "metadata": {},
            "schedule": schedule,
            "start_date": start,
            "status": "active",
            "billing_schedules": [],
        }
    )
    set_trial(body, trial_end, ctx.now)
    set_items(ctx, body, items, start)
    return body


def set_trial(body: Json, trial_end: int | None, now: int) -> None:
    """Start (or end) a trial ending at ``trial_end``; the status follows."""
    if trial_end is not None:
        body.update(trial_start=body.get("trial_start") or body["start_date"], trial_end=trial_end)
    else:
        body.update(trial_start=None, trial_end=None)
    body["status"] = status_at(body, now)


def status_at(body: Json, now: int) -> str:
    """The subscription's status at ``now``: a trial ends by the clock, the rest by events."""
    if body["status"] not in ("trialing", "active"):
        return str(body["status"])
    trial_end = body.get("trial_end")
    return "trialing" if trial_end is not None and now < trial_end else "active"


def set_items(ctx: Ctx, body: Json, items: list[Item], at: int) -> None:
    """Replace a subscription's items by ``items``, in the period that contains ``at``.

    Ids derive from the subscription and the position, so a schedule's phase change keeps
    an item's id where a price takes another's place.
    """
    data = [
        item_body(
            ctx,
            body,
            f"si_{body['id'][4:]}{n}",
            price_id=price_id,
            quantity=quantity,
            metadata=metadata,
            at=at,
        )
        for n, (price_id, quantity, metadata) in enumerate(items)
    ]
    check_one_interval(data)
    if not body.get("currency"):
        body["currency"] = data[0]["price"]["currency"] if data else None
    body["items"] = {
        "object": "list",
        "data": data,
        "has_more": False,
        "url": f"/v1/subscription_items?subscription={body['id']}",
    }


def item_body(
    ctx: Ctx,
    body: Json,
    item_id: str,
    *,
    price_id: str,
    quantity: int,
    metadata: dict[str, str],
    at: int,
) -> Json:
    """One subscription item billing ``price_id``, in the billing period containing ``at``."""
    price = render(ctx, "price", ctx.load("price", price_id), [])
    start, end = period_at(body, price, at)
    return {
        "id": item_id,
        "object": "subscription_item",
        "billing_thresholds": None,
        "created": ctx.now,
        "current_period_end": end,
        "current_period_start": start,
        "discounts": [],
        "metadata": metadata,
        "plan": None,
        "price": price,
        "quantity": quantity,
        "subscription": body["id"],
        "tax_rates": [],
    }


def period_at(body: Json, price: Json, at: int) -> tuple[int, int]:
    """The billing period [start, end) of ``price`` on subscription ``body`` containing ``at``.

    Before the anchor (a trial) the period runs from the start to the anchor; after it,
    periods are whole intervals of the price from the anchor, on the anchor's day of month.
    """
    recurring = price.get("recurring")
    if not recurring:
        raise invalid(
            f"The price {price['id']} is not recurring; a subscription item needs a recurring "
            "price.",
            param="items",
        )
    anchor = int(body["billing_cycle_anchor"])
    if at < anchor:
        return int(body["start_date"]), anchor
    interval, count = recurring["interval"], int(recurring.get("interval_count") or 1)
    day = datetime.fromtimestamp(anchor, UTC).day
    start, steps = anchor, 1
    while (end := add_interval(anchor, interval, steps * count, day)) <= at:
        start, steps = end, steps + 1
    return start, end


def check_currency(currency: str, prices: list[Json], param: str) -> None:
    """Every price must have the subscription's currency: its own or a currency option.

    Stripe picks the price's currency option for the subscription's ``currency``
    (https://docs.stripe.com/payments/checkout/multi-currency-prices) and refuses a
    price that has none, with this message.
    """
    for price in prices:
        supported = {price["currency"], *(price.get("currency_options") or {})}
        if currency not in supported:
            raise invalid(
                f"The price specified only supports `{', '.join(sorted(supported))}`. "
                f"This doesn't match the expected currency: `{currency}`.",
                param=param,
            )


def check_one_interval(data: list[Json]) -> None:
    """Classic billing bills every item on one cycle: their prices share one interval."""
    intervals = {
        (i["price"]["recurring"]["interval"], i["price"]["recurring"]["interval_count"])
        for i in data
    }
    if len(intervals) > 1:
        raise invalid(
            "The price specified has a different billing interval than the other prices on "
            "this subscription; all of a subscription's prices must bill on the same interval.",
            param="items",
        )


# The statuses in which a subscription renews: Stripe stops invoicing a canceled, paused or
# never-started (incomplete) subscription, and the emulator does not draft the invoices of
# an `unpaid` one (https://docs.stripe.com/billing/subscriptions/overview#subscription-statuses).
RENEWING = ("active", "trialing", "past_due")


def save(ctx: Ctx, body: Json) -> None:
    """Store a subscription; `ref` is the customer, `key` the status, `due` its next event."""
    ctx.tx.put(
        ctx.account,
        "subscription",
        body,
        ref=body["customer"],
        key=body["status"],
        due=next_event(ctx, body, after=ctx.now),
    )


def next_event(ctx: Ctx, body: Json, *, after: int) -> int | None:
    """When the clock next changes the subscription: its renewal, or a phase boundary of its
    schedule after ``after`` (a phase starting, or the last one ending)."""
    items = body["items"]["data"]
    # A subscription stored before items had periods (an older emulator file) has no events.
    if body["status"] not in RENEWING or not items or items[0]["current_period_end"] is None:
        return None
    times = [int(items[0]["current_period_end"])]
    schedule = ctx.tx.get(ctx.account, "subscription_schedule", body["schedule"] or "")
    if schedule is not None and schedule["status"] not in ("canceled", "released"):
        phases = schedule["phases"]
        boundaries = [p["start_date"] for p in phases[1:]] + [phases[-1]["end_date"]]
        times += [t for t in boundaries if t > after]
    return min(times)


_NULL_FIELDS = (
    "application",
    "application_fee_percent",
    "billing_cycle_anchor_config",
    "billing_thresholds",
    "cancel_at",
    "canceled_at",
    "customer_account",
    "days_until_due",
    "default_payment_method",
    "default_source",
    "description",
    "ended_at",
    "latest_invoice",
    "managed_payments",
    "next_pending_invoice_item_invoice",
    "on_behalf_of",
    "pause_collection",
    "payment_settings",
    "pending_invoice_item_interval",
    "pending_setup_intent",
    "pending_update",
    "test_clock",
    "transfer_data",
    "trial_end",
    "trial_settings",
    "trial_start",
)
