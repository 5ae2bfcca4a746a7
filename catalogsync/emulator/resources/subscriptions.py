"""Subscriptions: create/retrieve/list (filters `customer`, `price`, `status`)."""

from __future__ import annotations

from typing import Any

from stripe.params._subscription_create_params import SubscriptionCreateParams
from stripe.params._subscription_list_params import SubscriptionListParams
from stripe.params._subscription_retrieve_params import SubscriptionRetrieveParams

from catalogsync.emulator.common import as_int, list_objects, merge_metadata, need, respond
from catalogsync.emulator.errors import invalid
from catalogsync.emulator.render import render
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("subscription", "sub_", "subscription")
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
    """POST /v1/subscriptions (no payment: the subscription is active at once)."""
    params = ctx.params
    customer = need(params, "customer")
    ctx.load("customer", customer, "customer")
    given = need(params, "items")
    items: list[Item] = []
    for i, item in enumerate(given):
        price = item.get("price")
        if not price:
            raise invalid(f"Missing required param: items[{i}][price].", param=f"items[{i}][price]")
        ctx.load("price", price, f"items[{i}][price]")
        quantity = as_int(item.get("quantity", 1), f"items[{i}][quantity]")
        items.append((price, quantity, merge_metadata({}, item.get("metadata"))))
    body = new_subscription(ctx, customer, items, schedule=None, start=ctx.now)
    body["metadata"] = merge_metadata({}, params.get("metadata"))
    save(ctx, body)
    return respond(ctx, "subscription", body)


def new_subscription(
    ctx: Ctx, customer: str, items: list[Item], *, schedule: str | None, start: int
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
    set_items(ctx, body, items)
    return body


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
    body["currency"] = data[0]["price"]["currency"] if data else None
    body["items"] = {
        "object": "list",
        "data": data,
        "has_more": False,
        "url": f"/v1/subscription_items?subscription={body['id']}",
    }


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
