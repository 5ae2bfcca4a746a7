"""Subscriptions: create/retrieve/list (filters `customer`, `price`, `status`).

The status follows Stripe's lifecycle as far as the emulator has the facts
(https://docs.stripe.com/api/subscriptions/object#subscription_object-status):
a subscription in a trial (`trial_period_days`, `trial_end`, or a schedule
phase with `trial: true`) is `trialing` and becomes `active` when the clock
passes `trial_end`; the emulator takes no payments, so a failed payment is
reported through the control endpoint `payment_failed` (`control.py`), which
moves an active subscription to `past_due` as Stripe does when "payment is
required but cannot be paid".
"""

from __future__ import annotations

from typing import Any

from stripe.params._subscription_create_params import SubscriptionCreateParams
from stripe.params._subscription_list_params import SubscriptionListParams
from stripe.params._subscription_retrieve_params import SubscriptionRetrieveParams

from catalogsync.emulator.common import as_int, list_objects, merge_metadata, need, respond
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.render import render
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("subscription", "sub_", "subscription")
_DAY = 86_400
Item = tuple[str, int, dict[str, str]]  # price id, quantity, metadata
_STATUSES = (
    "active",
    "past_due",
    "unpaid",
    "canceled",
    "incomplete",
    "incomplete_expired",
    "trialing",
    "paused",
    "all",
    "ended",
)


def create(ctx: Ctx) -> Json:
    """POST /v1/subscriptions (no payment: active at once, or trialing with a trial)."""
    params = ctx.params
    customer = need(params, "customer")
    ctx.load("customer", customer, "customer")
    given = need(params, "items")
    items: list[Item] = []
    prices: list[Json] = []
    for i, item in enumerate(given):
        price = item.get("price")
        if not price:
            raise required(f"items[{i}][price]")
        prices.append(ctx.load("price", price, f"items[{i}][price]"))
        quantity = as_int(item.get("quantity", 1), f"items[{i}][quantity]")
        items.append((price, quantity, merge_metadata({}, item.get("metadata"))))
    currency = params.get("currency")
    if currency:
        _check_currency(str(currency).lower(), prices)
    body = new_subscription(
        ctx, customer, items, schedule=None, start=ctx.now, trial_end=_trial_end(ctx, params)
    )
    if currency:
        body["currency"] = str(currency).lower()
    body["metadata"] = merge_metadata({}, params.get("metadata"))
    save(ctx, body)
    return respond(ctx, "subscription", body)


def _check_currency(currency: str, prices: list[Json]) -> None:
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
                param="currency",
            )


def _trial_end(ctx: Ctx, params: Json) -> int | None:
    """When the trial ends: `trial_end` (a timestamp, or `now` for none) or `trial_period_days`."""
    end = params.get("trial_end")
    days = params.get("trial_period_days")
    if end is not None and days is not None:
        raise invalid(
            "You may only specify one of these parameters: trial_end, trial_period_days.",
            param="trial_end",
        )
    if end == "now":
        return None
    if end is not None:
        ts = as_int(end, "trial_end")
        if ts <= ctx.now:
            raise invalid(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                param="trial_end",
            )
        return ts
    if days is not None:
        count = as_int(days, "trial_period_days")
        return ctx.now + count * _DAY if count > 0 else None
    return None


def status_at(body: Json, now: int) -> str:
    """The subscription's status at ``now``: a trial ends by the clock, the rest by events."""
    if body["status"] not in ("trialing", "active"):
        return str(body["status"])
    trial_end = body.get("trial_end")
    return "trialing" if trial_end is not None and now < trial_end else "active"


def payment_failed(ctx: Ctx) -> Json:
    """Control: the latest invoice's payment failed; an active subscription becomes past_due."""
    body = ctx.load("subscription", ctx.args["id"])
    status = status_at(body, ctx.now)
    if status != "active":
        raise invalid(f"Only an active subscription can fail a payment; this one is {status}.")
    body["status"] = "past_due"
    save(ctx, body)
    return respond(ctx, "subscription", body)


def new_subscription(
    ctx: Ctx,
    customer: str,
    items: list[Item],
    *,
    schedule: str | None,
    start: int,
    trial_end: int | None = None,
) -> Json:
    """A stored-shape subscription (also created by schedules when they start)."""
    sub_id, _ = ctx.new_id("subscription")
    body: Json = dict.fromkeys(_NULL_FIELDS)
    body.update(
        {
            "id": sub_id,
            "object": "subscription",
            "automatic_tax": {"enabled": False, "liability": None, "disabled_reason": None},
            "billing_cycle_anchor": start,
            "billing_mode": {"type": "classic"},
            "cancel_at_period_end": False,
            "cancellation_details": {"comment": None, "feedback": None, "reason": None},
            "collection_method": "charge_automatically",
            "created": ctx.now,
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
    set_items(ctx, body, items)
    return body


def set_trial(body: Json, trial_end: int | None, now: int) -> None:
    """Start (or end) a trial ending at ``trial_end``; the status follows."""
    if trial_end is not None:
        body.update(trial_start=body.get("trial_start") or body["start_date"], trial_end=trial_end)
    else:
        body.update(trial_start=None, trial_end=None)
    body["status"] = status_at(body, now)


def set_items(ctx: Ctx, body: Json, items: list[Item]) -> None:
    """Replace a subscription's items (ids derive from the subscription and position)."""
    data = []
    for n, (price_id, quantity, metadata) in enumerate(items):
        price = render(ctx, "price", ctx.load("price", price_id), [])
        data.append(
            {
                "id": f"si_{body['id'][4:]}{n}",
                "object": "subscription_item",
                "billing_thresholds": None,
                "created": body["created"],
                "current_period_end": None,
                "current_period_start": body["start_date"],
                "discounts": [],
                "metadata": metadata,
                "plan": None,
                "price": price,
                "quantity": quantity,
                "subscription": body["id"],
                "tax_rates": [],
            }
        )
    if not body.get("currency"):
        body["currency"] = data[0]["price"]["currency"] if data else None
    body["items"] = {
        "object": "list",
        "data": data,
        "has_more": False,
        "url": f"/v1/subscription_items?subscription={body['id']}",
    }


# Statuses Stripe reaches through events the emulator does not simulate: retries
# of a failed payment exhausted (unpaid), a trial ending without a payment method
# (paused), a cancellation, a first payment never made (incomplete, expired)
# (https://docs.stripe.com/api/subscriptions/object#subscription_object-status).
# The `status` control sets them; trials and `payment_failed` reach the others.
FORCED_STATUSES = ("unpaid", "paused", "canceled", "incomplete", "incomplete_expired")


def force_status(ctx: Ctx) -> Json:
    """Control: put a subscription in one of `FORCED_STATUSES` (``status`` param)."""
    status = ctx.params.get("status")
    if status not in FORCED_STATUSES:
        raise invalid(
            f"Invalid status: {status}; the control sets {', '.join(FORCED_STATUSES)}",
            param="status",
        )
    body = ctx.load("subscription", ctx.args["id"])
    body["status"] = status
    save(ctx, body)
    return respond(ctx, "subscription", body)


def retrieve(ctx: Ctx) -> Json:
    """GET /v1/subscriptions/{id}."""
    _sync(ctx)
    return respond(ctx, "subscription", ctx.load("subscription", ctx.args["id"]))


def list_subscriptions(ctx: Ctx) -> Json:
    """GET /v1/subscriptions: not canceled by default; `status=all` lists every one."""
    _sync(ctx)
    params = ctx.params
    status = params.get("status")
    where: list[tuple[str, Any]] = []
    if status and status not in _STATUSES:
        raise invalid(f"Invalid status: {status}", param="status")
    if status in (None, ""):
        where.append(("key NOT IN ('canceled', 'incomplete_expired')", None))
    elif status == "ended":
        where.append(("key IN ('canceled', 'incomplete_expired')", None))
    elif status != "all":
        where.append(("key = ?", status))
    if params.get("customer"):
        where.append(("ref = ?", params["customer"]))
    if params.get("price"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(body, '$.items.data') "
                "WHERE json_extract(value, '$.price.id') = ?)",
                params["price"],
            )
        )
    return list_objects(ctx, "subscription", where, "/v1/subscriptions")


def save(ctx: Ctx, body: Json) -> None:
    """Store a subscription; `ref` is the customer and `key` the status."""
    ctx.tx.put(ctx.account, "subscription", body, ref=body["customer"], key=body["status"])


def _sync(ctx: Ctx) -> None:
    # Schedules start and end with the clock: bring their subscriptions up to date first.
    from catalogsync.emulator.resources.schedules import sync_all

    sync_all(ctx)
    # Trials end with the clock too: the stored status (the `status` filter) must follow.
    for body in ctx.tx.find(ctx.account, "subscription", [("key = ?", "trialing")], 100000):
        if status_at(body, ctx.now) != "trialing":
            body["status"] = status_at(body, ctx.now)
            save(ctx, body)


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

ROUTES = [
    Route("POST", "/v1/subscriptions", create, SubscriptionCreateParams),
    Route("GET", "/v1/subscriptions", list_subscriptions, SubscriptionListParams),
    Route("GET", "/v1/subscriptions/{id}", retrieve, SubscriptionRetrieveParams),
]
