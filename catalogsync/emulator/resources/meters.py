"""Billing meters (`/v1/billing/meters`): create/retrieve/update/list, deactivate/reactivate."""

from __future__ import annotations

from typing import Any

from catalogsync.emulator.common import Where, need
from catalogsync.emulator.crud import Resource
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.routing import Columns, Ctx, Kind
from catalogsync.emulator.store import Json

# `active` mirrors `status`; `key` is the event name.
KIND = Kind(
    "billing.meter",
    "mtr_",
    "billing meter",
    columns=lambda body: Columns(key=body["event_name"], active=body["status"] == "active"),
)
_FORMULAS = ("sum", "count", "last")


def _create(ctx: Ctx, params: dict[str, Any]) -> Json:
    display_name, event_name = need(params, "display_name"), need(params, "event_name")
    formula = _formula(params)
    # UNCONFIRMED whether event names must be unique; refusing a second active meter is the
    # conservative choice (catalogsync identifies meters by event_name).
    _refuse_active_twin(ctx, event_name, param="event_name")
    meter_id, seq = ctx.new_id("billing.meter")
    mapping = params.get("customer_mapping") or {}
    value_key = (params.get("value_settings") or {}).get("event_payload_key", "value")
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
        "event_time_window": params.get("event_time_window") or None,
        "livemode": ctx.livemode,
        "status": "active",
        "status_transitions": {"deactivated_at": None},
        "updated": ctx.now,
        "value_settings": {"event_payload_key": value_key},
    }
    ctx.save("billing.meter", body, seq)
    return body


def _formula(params: dict[str, Any]) -> str:
    formula = (params.get("default_aggregation") or {}).get("formula")
    if not formula:
        raise required("default_aggregation[formula]")
    if formula not in _FORMULAS:
        raise invalid(
            f"Invalid default_aggregation[formula]: {formula}", param="default_aggregation[formula]"
        )
    return str(formula)


def _refuse_active_twin(ctx: Ctx, event_name: str, param: str | None = None) -> None:
    if ctx.tx.find(ctx.account, "billing.meter", [("key = ?", event_name), ("active = ?", 1)]):
        raise invalid(f"An active meter with event_name `{event_name}` already exists.", param)


def _change(ctx: Ctx, body: Json) -> None:
    """Display name only."""
    if "display_name" in ctx.params:
        body["display_name"] = need(ctx.params, "display_name")


def _deactivate(ctx: Ctx, body: Json) -> None:
    _set_status(ctx, body, "inactive")


def _reactivate(ctx: Ctx, body: Json) -> None:
    _set_status(ctx, body, "active")


def _set_status(ctx: Ctx, body: Json, status: str) -> None:
    if body["status"] == status:
        raise invalid(f"This meter is already {status}.")
    if status == "active":
        _refuse_active_twin(ctx, body["event_name"])
    body["status"] = status
    body["status_transitions"] = {"deactivated_at": ctx.now if status == "inactive" else None}


def _filters(params: dict[str, Any]) -> Where:
    """Filter: status."""
    status = params.get("status")
    return [("active = ?", int(status == "active"))] if status else []


ROUTES = Resource(KIND, "/v1/billing/meters", "billing.Meter").routes(
    _create,
    filters=_filters,
    change=_change,
    actions={"deactivate": _deactivate, "reactivate": _reactivate},
)
