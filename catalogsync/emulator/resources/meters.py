"""Billing meters (`/v1/billing/meters`): create/retrieve/update/list, deactivate/reactivate."""

from __future__ import annotations

from stripe.params.billing._meter_create_params import MeterCreateParams
from stripe.params.billing._meter_deactivate_params import MeterDeactivateParams
from stripe.params.billing._meter_list_params import MeterListParams
from stripe.params.billing._meter_reactivate_params import MeterReactivateParams
from stripe.params.billing._meter_retrieve_params import MeterRetrieveParams
from stripe.params.billing._meter_update_params import MeterUpdateParams

from catalogsync.emulator.common import list_objects, need, respond, retriever
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.store import Json

KIND = Kind("billing.meter", "mtr_", "billing meter")
_FORMULAS = ("sum", "count", "last")


def create(ctx: Ctx) -> Json:
    """POST /v1/billing/meters."""
    params = ctx.params
    display_name, event_name = need(params, "display_name"), need(params, "event_name")
    formula = (params.get("default_aggregation") or {}).get("formula")
    if not formula:
        raise required("default_aggregation[formula]")
    if formula not in _FORMULAS:
        raise invalid(
            f"Invalid default_aggregation[formula]: {formula}", param="default_aggregation[formula]"
        )
    # UNCONFIRMED whether event names must be unique; refusing a second active meter is the
    # conservative choice (catalogsync identifies meters by event_name).
    if ctx.tx.find(ctx.account, "billing.meter", [("key = ?", event_name), ("active = ?", 1)]):
        raise invalid(
            f"An active meter with event_name `{event_name}` already exists.", param="event_name"
        )
    meter_id, seq = ctx.new_id("billing.meter")
    mapping = params.get("customer_mapping") or {}
    window = params.get("event_time_window")
    body: Json = {
        "id": meter_id,
        "object": "billing.meter",
        "created": ctx.now,
        "customer_mapping": {
            "event_payload_key": mapping.get("event_payload_key", "stripe_customer_id"),
            "type": mapping.get("type", "by_id"),
        },
        "default_aggregation": {"formula": formula},
        "display_name": display_name,
        "event_name": event_name,
        "event_time_window": window or None,
        "livemode": ctx.livemode,
        "status": "active",
        "status_transitions": {"deactivated_at": None},
        "updated": ctx.now,
        "value_settings": {
            "event_payload_key": (params.get("value_settings") or {}).get(
                "event_payload_key", "value"
            )
        },
    }
    save(ctx, body, seq)
    return respond(ctx, "billing.meter", body)


def update(ctx: Ctx) -> Json:
    """POST /v1/billing/meters/{id}: display_name only."""
    body = ctx.load("billing.meter", ctx.args["id"])
    if "display_name" in ctx.params:
        body["display_name"] = need(ctx.params, "display_name")
    body["updated"] = ctx.now
    save(ctx, body)
    return respond(ctx, "billing.meter", body)


def deactivate(ctx: Ctx) -> Json:
    """POST /v1/billing/meters/{id}/deactivate."""
    return _set_status(ctx, "inactive")


def reactivate(ctx: Ctx) -> Json:
    """POST /v1/billing/meters/{id}/reactivate."""
    return _set_status(ctx, "active")


def list_meters(ctx: Ctx) -> Json:
    """GET /v1/billing/meters (filter: status)."""
    status = ctx.params.get("status")
    where = [("active = ?", int(status == "active"))] if status else []
    return list_objects(ctx, "billing.meter", where, "/v1/billing/meters")


def save(ctx: Ctx, body: Json, seq: int | None = None) -> None:
    """Store a meter; `active` mirrors `status`, `key` is the event name."""
    ctx.tx.put(
        ctx.account,
        "billing.meter",
        body,
        seq=seq,
        key=body["event_name"],
        active=body["status"] == "active",
    )


def _set_status(ctx: Ctx, status: str) -> Json:
    body = ctx.load("billing.meter", ctx.args["id"])
    if body["status"] == status:
        raise invalid(f"This meter is already {status}.")
    if status == "active" and ctx.tx.find(
        ctx.account, "billing.meter", [("key = ?", body["event_name"]), ("active = ?", 1)]
    ):
        raise invalid(f"An active meter with event_name `{body['event_name']}` already exists.")
    body["status"] = status
    body["status_transitions"] = {"deactivated_at": ctx.now if status == "inactive" else None}
    body["updated"] = ctx.now
    save(ctx, body)
    return respond(ctx, "billing.meter", body)


ROUTES = [
    Route("POST", "/v1/billing/meters", create, MeterCreateParams),
    Route("GET", "/v1/billing/meters", list_meters, MeterListParams),
    Route("GET", "/v1/billing/meters/{id}", retriever("billing.meter"), MeterRetrieveParams),
    Route("POST", "/v1/billing/meters/{id}", update, MeterUpdateParams),
    Route("POST", "/v1/billing/meters/{id}/deactivate", deactivate, MeterDeactivateParams),
    Route("POST", "/v1/billing/meters/{id}/reactivate", reactivate, MeterReactivateParams),
]
