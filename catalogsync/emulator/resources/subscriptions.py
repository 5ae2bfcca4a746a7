"""Subscriptions: create/retrieve/update/list (filters `customer`, `price`, `status`).

The status follows Stripe's lifecycle as far as the emulator has the facts
(https://docs.stripe.com/api/subscriptions/object#subscription_object-status):
a subscription in a trial (`trial_period_days`, `trial_end`, or a schedule
phase with `trial: true`) is `trialing` and becomes `active` when the clock
passes `trial_end`; the emulator takes no payments, so a failed payment is
reported through the control endpoint `payment_failed` (`control.py`), which
moves an active subscription to `past_due` as Stripe does when "payment is
required but cannot be paid".

Creating a subscription invoices its first period; updating it changes items in place or
adds them, with prorations (`subscription_changes`), and sets `discounts` (`discounts`).
"""

from __future__ import annotations

from typing import Any

from stripe.params._subscription_create_params import SubscriptionCreateParams
from stripe.params._subscription_list_params import SubscriptionListParams
from stripe.params._subscription_retrieve_params import SubscriptionRetrieveParams
from stripe.params._subscription_update_params import SubscriptionUpdateParams

from catalogsync.emulator import billing, discounts
from catalogsync.emulator.common import (
    as_int,
    list_objects,
    merge_metadata,
    need,
    respond,
    retriever,
)
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.lifecycle import on_time
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json
from catalogsync.emulator.subscription_body import (
    Item,
    check_currency,
    new_subscription,
    save,
    status_at,
)
from catalogsync.emulator.subscription_changes import bill_change, plan_change

KIND = Kind("subscription", "sub_", "subscription")
_DAY = 86_400
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
        check_currency(str(currency).lower(), prices, "currency")
    body = new_subscription(
        ctx,
        customer,
        items,
        schedule=None,
        start=ctx.now,
        trial_end=_trial_end(ctx, params),
        currency=str(currency).lower() if currency else None,
    )
    body["metadata"] = merge_metadata({}, params.get("metadata"))
    body["discounts"] = discounts.redeem(ctx, params.get("discounts") or [], body, "discounts")
    billing.invoice_first_period(ctx, body)
    save(ctx, body)
    return respond(ctx, "subscription", body)


# What an update may change here; other parameters of `SubscriptionUpdateParams` concern
# payments, taxes, cancellation or invoicing settings the emulator does not keep, and are
# refused rather than ignored (so a test cannot believe it changed them).
_UPDATABLE = frozenset(
    {
        "items",
        "proration_behavior",
        "proration_date",
        "billing_cycle_anchor",
        "discounts",
        "metadata",
        "description",
        "expand",
        # The emulator takes no payments, so every payment behavior succeeds alike.
        "payment_behavior",
        "off_session",
    }
)
_PAYMENT_BEHAVIORS = (
    "allow_incomplete",
    "default_incomplete",
    "error_if_incomplete",
    "pending_if_incomplete",
)


@on_time
def update(ctx: Ctx) -> Json:
    """POST /v1/subscriptions/{id}: change items (with prorations), discounts, metadata."""
    params = ctx.params
    unsupported = sorted(set(params) - _UPDATABLE)
    if unsupported:
        raise invalid(
            f"The emulator does not emulate `{unsupported[0]}` on a subscription update.",
            param=unsupported[0],
        )
    stored = ctx.load("subscription", ctx.args["id"])
    if stored["status"] in ("canceled", "incomplete_expired"):
        raise invalid(
            f"A {stored['status']} subscription can only update its cancellation_details "
            "and metadata.",
        )
    if params.get("payment_behavior", _PAYMENT_BEHAVIORS[0]) not in _PAYMENT_BEHAVIORS:
        raise invalid(
            f"Invalid payment_behavior: {params['payment_behavior']}", param="payment_behavior"
        )
    change = plan_change(ctx, stored, params)
    body = change.subscription
    body["discounts"] = discounts.updated(
        ctx, body["discounts"], params.get("discounts"), body, "discounts"
    )
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    if "description" in params:
        body["description"] = params["description"] or None
    bill_change(ctx, change)
    save(ctx, body)
    return respond(ctx, "subscription", body)


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


def payment_failed(ctx: Ctx) -> Json:
    """Control: the latest invoice's payment failed; an active subscription becomes past_due."""
    body = ctx.load("subscription", ctx.args["id"])
    status = status_at(body, ctx.now)
    if status != "active":
        raise invalid(f"Only an active subscription can fail a payment; this one is {status}.")
    body["status"] = "past_due"
    save(ctx, body)
    return respond(ctx, "subscription", body)


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


@on_time
def list_subscriptions(ctx: Ctx) -> Json:
    """GET /v1/subscriptions: not canceled by default; `status=all` lists every one."""
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


ROUTES = [
    Route("POST", "/v1/subscriptions", create, SubscriptionCreateParams),
    Route("GET", "/v1/subscriptions", list_subscriptions, SubscriptionListParams),
    Route(
        "GET",
        "/v1/subscriptions/{id}",
        on_time(retriever("subscription")),
        SubscriptionRetrieveParams,
    ),
    Route("POST", "/v1/subscriptions/{id}", update, SubscriptionUpdateParams),
]
