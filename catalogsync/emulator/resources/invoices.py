"""Invoices: list/retrieve what subscriptions billed, and preview the next one.

`POST /v1/invoices/create_preview` shows "the upcoming invoice for a subscription",
optionally with `subscription_details` changing it, "including a preview of any prorations"
(https://docs.stripe.com/api/invoices/create_preview); nothing is stored. A change that
invoices at once (`always_invoice`, a restarted billing cycle) previews that invoice; any
other previews the renewal at the end of the current period: the pending invoice items,
the change's prorations and the next period of the (changed) items. Since
2025-03-31.basil this replaces `GET /v1/invoices/upcoming`
(https://docs.stripe.com/changelog/basil/2025-03-31/invoice-preview-api-deprecations).
"""

from __future__ import annotations

from typing import Any

from stripe.params._invoice_create_preview_params import InvoiceCreatePreviewParams
from stripe.params._invoice_list_params import InvoiceListParams
from stripe.params._invoice_retrieve_params import InvoiceRetrieveParams

from catalogsync.emulator import billing
from catalogsync.emulator.common import list_objects, respond, retriever
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.lifecycle import on_time, phase_items
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.schedule_time import phase_at
from catalogsync.emulator.store import Json
from catalogsync.emulator.subscription_body import period_at
from catalogsync.emulator.subscription_changes import Change, plan_change

KIND = Kind("invoice", "in_", "invoice")
_STATUSES = ("draft", "open", "paid", "uncollectible", "void")
# What a preview can show here: a subscription, changed by these `subscription_details`.
_PREVIEW_PARAMS = frozenset({"subscription", "subscription_details", "customer", "expand"})
_PREVIEW_DETAILS = frozenset(
    {"items", "proration_behavior", "proration_date", "billing_cycle_anchor"}
)


@on_time
def list_invoices(ctx: Ctx) -> Json:
    """GET /v1/invoices (filters: customer, subscription, status, created), newest first."""
    params = ctx.params
    where: list[tuple[str, Any]] = []
    if params.get("customer"):
        where.append(("ref = ?", params["customer"]))
    if params.get("subscription"):
        where.append(("key = ?", params["subscription"]))
    if params.get("status"):
        if params["status"] not in _STATUSES:
            raise invalid(f"Invalid status: {params['status']}", param="status")
        where.append(("json_extract(body, '$.status') = ?", params["status"]))
    return list_objects(ctx, "invoice", where, "/v1/invoices")


@on_time
def create_preview(ctx: Ctx) -> Json:
    """POST /v1/invoices/create_preview for a subscription (see the module doc)."""
    params = ctx.params
    _refuse_unsupported(params, _PREVIEW_PARAMS, "")
    details = params.get("subscription_details") or {}
    _refuse_unsupported(details, _PREVIEW_DETAILS, "subscription_details")
    if not params.get("subscription"):
        raise required("subscription")
    stored = ctx.load("subscription", params["subscription"], "subscription")
    if params.get("customer") not in (None, stored["customer"]):
        raise invalid(
            f"The subscription {stored['id']} does not belong to the customer "
            f"{params['customer']}.",
            param="customer",
        )
    change = plan_change(ctx, stored, details, prefix="subscription_details")
    proration_date = change.at if details else None
    preview_id = f"upcoming_in_{stored['id'][4:]}"
    pending = billing.pending_items(ctx, stored["id"])
    sub = change.subscription
    if change.restarts_cycle or (change.behavior == "always_invoice" and change.prorations):
        charges = change.prorations
        if change.restarts_cycle:
            charges = charges + billing.period_charges(ctx, sub)
        body = billing.invoice_body(
            ctx,
            sub,
            preview_id,
            charges,
            pending,
            reason="subscription_update",
            period=(change.at, change.at),
            proration_date=proration_date,
        )
    else:
        body = billing.invoice_body(
            ctx,
            sub,
            preview_id,
            change.prorations + _next_period(ctx, change),
            pending,
            reason="subscription_cycle",
            period=_current_period(sub),
            proration_date=proration_date,
        )
    return respond(ctx, "invoice", body)


def _next_period(ctx: Ctx, change: Change) -> list[billing.Charge]:
    """What the (changed) items bill for the period after the current one.

    A schedule phase starting at the renewal bills its items instead.
    """
    sub = change.subscription
    renewal = _current_period(sub)[1]
    schedule = ctx.tx.get(ctx.account, "subscription_schedule", sub["schedule"] or "")
    phase = schedule and phase_at(schedule, renewal)
    open_schedule = schedule and schedule["status"] not in ("canceled", "released")
    if open_schedule and phase and phase["start_date"] == renewal:
        params = {**phase_items(sub, phase), "proration_behavior": "none"}
        sub = plan_change(ctx, sub, params).subscription
    charges = []
    for item in sub["items"]["data"]:
        price = ctx.load("price", item["price"]["id"])
        charges.append(billing.period_charge(ctx, sub, item, period_at(sub, price, renewal)))
    return charges


def _current_period(sub: Json) -> tuple[int, int]:
    item = sub["items"]["data"][0]
    return int(item["current_period_start"]), int(item["current_period_end"])


def _refuse_unsupported(params: Json, supported: frozenset[str], prefix: str) -> None:
    for name in sorted(params):
        if name not in supported:
            full = f"{prefix}[{name}]" if prefix else name
            raise invalid(f"The emulator does not preview `{full}`.", param=full)


ROUTES = [
    Route("GET", "/v1/invoices", list_invoices, InvoiceListParams),
    Route("POST", "/v1/invoices/create_preview", create_preview, InvoiceCreatePreviewParams),
    Route("GET", "/v1/invoices/{id}", on_time(retriever("invoice")), InvoiceRetrieveParams),
]
