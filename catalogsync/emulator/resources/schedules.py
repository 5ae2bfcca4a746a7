"""Subscription schedules: create/retrieve/update/list/cancel/release, following the clock.

Phase dates are fixed when phases are written (`schedule_time.phase_dates`); status and
`current_phase` are derived from the clock each time a schedule is read, and what the
schedule does to its subscription over time is replayed by `lifecycle` first.

`from_subscription` puts an existing subscription under a new schedule whose one phase is
the subscription's current period and items (discounts included); "when using this
parameter, other parameters (such as phase values) cannot be set"
(https://docs.stripe.com/api/subscription_schedules/create#create_subscription_schedule-from_subscription,
https://docs.stripe.com/billing/subscriptions/subscription-schedules/use-cases#existing-subscription).
"""

from __future__ import annotations

from typing import Any

from stripe.params._subscription_schedule_cancel_params import SubscriptionScheduleCancelParams
from stripe.params._subscription_schedule_create_params import SubscriptionScheduleCreateParams
from stripe.params._subscription_schedule_list_params import SubscriptionScheduleListParams
from stripe.params._subscription_schedule_release_params import SubscriptionScheduleReleaseParams
from stripe.params._subscription_schedule_retrieve_params import (
    SubscriptionScheduleRetrieveParams,
)
from stripe.params._subscription_schedule_update_params import SubscriptionScheduleUpdateParams

from catalogsync.emulator import subscription_body
from catalogsync.emulator.common import (
    as_int,
    list_objects,
    merge_metadata,
    need,
    respond,
    retriever,
)
from catalogsync.emulator.errors import invalid, required
from catalogsync.emulator.lifecycle import advance, apply_current_phase, on_time, save_schedule
from catalogsync.emulator.resources.prices import create_price
from catalogsync.emulator.routing import Ctx, Kind, Route
from catalogsync.emulator.schedule_time import current_phase, phase_at, phase_dates, status_at
from catalogsync.emulator.store import Json
from catalogsync.stripe_limits import MAX_SCHEDULE_PHASES

_OPEN = ("not_started", "active")
_DEFAULT_SETTINGS: Json = {
    "billing_cycle_anchor": "automatic",
    "collection_method": "charge_automatically",
    "invoice_settings": {"days_until_due": None},
}
_PRORATION_BEHAVIORS = ("always_invoice", "create_prorations", "none")


def derive(ctx: Ctx, body: Json) -> Json:
    """The schedule as of now: its status and current phase."""
    status = status_at(body, ctx.now)
    out = {**body, "status": status, "current_phase": None}
    if status == "active":
        out["current_phase"] = current_phase(body, ctx.now)
    end = body["phases"][-1]["end_date"]
    if status == "completed":
        out["completed_at"] = end
    if status == "released" and body["released_at"] is None:
        out.update(released_at=end, released_subscription=body["subscription"], subscription=None)
    return out


KIND = Kind("subscription_schedule", "sub_sched_", "subscription schedule", derive=derive)


@on_time
def create(ctx: Ctx) -> Json:
    """POST /v1/subscription_schedules (with `phases`, or `from_subscription`)."""
    params = ctx.params
    if "from_subscription" in params:
        return _from_subscription(ctx)
    customer = need(params, "customer")
    ctx.load("customer", customer, "customer")
    start = params.get("start_date", "now")
    start = ctx.now if start == "now" else as_int(start, "start_date")
    schedule_id, seq = ctx.new_id("subscription_schedule")
    body = _schedule_body(
        ctx,
        schedule_id,
        customer=customer,
        phases=_phases(ctx, need(params, "phases"), start, 0),
        settings={
            "default_settings": _default_settings(
                _DEFAULT_SETTINGS, params.get("default_settings")
            ),
            "end_behavior": _end_behavior(params.get("end_behavior", "release")),
            "metadata": merge_metadata({}, params.get("metadata")),
            "status": "not_started",
        },
    )
    save_schedule(ctx, body, seq)
    advance(ctx)  # a schedule starting now has its subscription at once
    return respond(ctx, "subscription_schedule", ctx.load("subscription_schedule", schedule_id))


def _from_subscription(ctx: Ctx) -> Json:
    others = sorted(set(ctx.params) - {"from_subscription", "expand"})
    if others:
        raise invalid(
            f"You cannot set `{others[0]}` when `from_subscription` is set.", param=others[0]
        )
    sub = ctx.load("subscription", need(ctx.params, "from_subscription"), "from_subscription")
    if sub["schedule"]:
        raise invalid(
            "You cannot migrate a subscription that is already attached to a schedule: "
            f"`{sub['schedule']}`.",
            param="from_subscription",
        )
    if sub["status"] not in subscription_body.RENEWING:
        raise invalid(
            f"A {sub['status']} subscription cannot be attached to a schedule.",
            param="from_subscription",
        )
    first = sub["items"]["data"][0]
    schedule_id, seq = ctx.new_id("subscription_schedule")
    phase = _phase_body(
        ctx,
        {"discounts": [{"discount": d} for d in sub["discounts"]]},
        [
            _item(ctx, {"price": i["price"]["id"], "quantity": i["quantity"]}, "items")
            for i in sub["items"]["data"]
        ],
        sub["currency"],
        0,
    )
    phase.update(start_date=first["current_period_start"], end_date=first["current_period_end"])
    body = _schedule_body(
        ctx,
        schedule_id,
        customer=sub["customer"],
        phases=[phase],
        settings={
            "default_settings": _default_settings(_DEFAULT_SETTINGS, None),
            "end_behavior": "release",
            "metadata": {},
            "status": "active",
            "subscription": sub["id"],
        },
    )
    save_schedule(ctx, body, seq)
    sub["schedule"] = schedule_id
    subscription_body.save(ctx, sub)
    return respond(ctx, "subscription_schedule", body)


def _schedule_body(
    ctx: Ctx, schedule_id: str, *, customer: str, phases: list[Json], settings: Json
) -> Json:
    """A stored-shape schedule: its identity, customer and phases, plus ``settings``."""
    body: Json = dict.fromkeys(_NULL_FIELDS)
    body.update(
        {
            "id": schedule_id,
            "object": "subscription_schedule",
            "billing_mode": {"type": "classic"},
            "created": ctx.now,
            "customer": customer,
            "livemode": ctx.livemode,
            "phases": phases,
            **settings,
        }
    )
    return body


@on_time
def update(ctx: Ctx) -> Json:
    """POST /v1/subscription_schedules/{id}: ended phases and the current start are immutable."""
    body = ctx.load("subscription_schedule", ctx.args["id"])
    status = _require_open(body, ctx.now, "update")
    params = ctx.params
    if "phases" in params:
        body["phases"] = _replace_phases(ctx, body, params["phases"] or [], status)
    if "end_behavior" in params:
        body["end_behavior"] = _end_behavior(params["end_behavior"])
    if "default_settings" in params:
        body["default_settings"] = _default_settings(
            body["default_settings"], params["default_settings"]
        )
    body["metadata"] = merge_metadata(body["metadata"], params.get("metadata"))
    save_schedule(ctx, body)
    if body["subscription"]:
        if "phases" in params and status == "active":
            apply_current_phase(ctx, body, params.get("proration_behavior"))
        # Its phase boundaries changed: so did when the clock next changes the subscription.
        subscription_body.save(ctx, ctx.load("subscription", body["subscription"]))
    advance(ctx)  # a not-started schedule moved to start now has its subscription at once
    return respond(ctx, "subscription_schedule", ctx.load("subscription_schedule", body["id"]))


@on_time
def cancel(ctx: Ctx) -> Json:
    """POST /v1/subscription_schedules/{id}/cancel: the schedule and its subscription end now."""
    body = ctx.load("subscription_schedule", ctx.args["id"])
    _require_open(body, ctx.now, "cancel")
    body.update(status="canceled", canceled_at=ctx.now)
    if body["subscription"]:
        sub = ctx.load("subscription", body["subscription"])
        sub.update(status="canceled", canceled_at=ctx.now, ended_at=ctx.now)
        subscription_body.save(ctx, sub)
    save_schedule(ctx, body)
    return respond(ctx, "subscription_schedule", body)


@on_time
def release(ctx: Ctx) -> Json:
    """POST /v1/subscription_schedules/{id}/release: the subscription stays, unscheduled."""
    body = ctx.load("subscription_schedule", ctx.args["id"])
    _require_open(body, ctx.now, "release")
    if body["subscription"]:
        sub = ctx.load("subscription", body["subscription"])
        sub["schedule"] = None
        subscription_body.save(ctx, sub)
    body.update(
        status="released",
        released_at=ctx.now,
        released_subscription=body["subscription"],
        subscription=None,
    )
    save_schedule(ctx, body)
    return respond(ctx, "subscription_schedule", body)


@on_time
def list_schedules(ctx: Ctx) -> Json:
    """GET /v1/subscription_schedules (filters: customer, created)."""
    customer = ctx.params.get("customer")
    where = [("ref = ?", customer)] if customer else []
    return list_objects(ctx, "subscription_schedule", where, "/v1/subscription_schedules")


def _replace_phases(ctx: Ctx, body: Json, given: list[Json], status: str) -> list[Json]:
    if not given:
        raise required("phases")
    if status == "not_started":
        start = given[0].get("start_date", body["phases"][0]["start_date"])
        start = ctx.now if start == "now" else as_int(start, "phases[0][start_date]")
        return _phases(ctx, given, start, 0)
    current = phase_at(body, ctx.now)
    assert current is not None
    ended = [p for p in body["phases"] if p["end_date"] <= ctx.now]
    offset = 0
    for offset, phase in enumerate(given):
        start = phase.get("start_date")
        if start is None or as_int(start, f"phases[{offset}][start_date]") >= current["start_date"]:
            break
        if offset >= len(ended) or not _same_phase(ctx, phase, ended[offset]):
            raise invalid(
                "You can not modify phases that have already ended.",
                param=f"phases[{offset}]",
            )
    start = given[offset].get("start_date")
    if start is not None and as_int(start, "start_date") != current["start_date"]:
        raise invalid(
            "You can not change the start_date of the current phase.",
            param=f"phases[{offset}][start_date]",
        )
    return ended + _phases(ctx, given[offset:], current["start_date"], offset)


def _same_phase(ctx: Ctx, given: Json, stored: Json) -> bool:
    (rebuilt,) = _phases(ctx, [given], stored["start_date"], 0)
    keys = ("start_date", "end_date", "items")
    return all(rebuilt[k] == stored[k] for k in keys)


def _phases(ctx: Ctx, given: list[Json], start: int, offset: int) -> list[Json]:
    if offset + len(given) > MAX_SCHEDULE_PHASES:
        raise invalid(
            f"A subscription schedule can have at most {MAX_SCHEDULE_PHASES} phases.",
            param="phases",
        )
    phases, lengths = [], []
    for n, phase in enumerate(given, start=offset):
        items = [
            _item(ctx, item, f"phases[{n}][items][{i}]")
            for i, item in enumerate(phase.get("items") or [])
        ]
        if not items:
            raise required(f"phases[{n}][items]")
        first_price = ctx.load("price", items[0]["price"])
        recurring = first_price["recurring"] or {}
        if not (phase.get("duration") or phase.get("end_date") or recurring):
            raise invalid(
                f"Phase {n} needs a duration or an end_date.", param=f"phases[{n}][duration]"
            )
        lengths.append((recurring.get("interval", "month"), recurring.get("interval_count", 1)))
        phases.append(_phase_body(ctx, phase, items, first_price["currency"], n))
    for phase, spec, (phase_start, phase_end) in zip(
        phases, given, phase_dates(start, given, lengths), strict=True
    ):
        if phase_end <= phase_start:
            raise invalid("Phase end_date must be after its start.", param="phases")
        phase.update(start_date=phase_start, end_date=phase_end)
        if spec.get("trial") in (True, "true"):
            # `trial: true` makes the whole phase a trial: Stripe reports it as trial_end.
            phase["trial_end"] = phase_end
    return phases


def _default_settings(current: Json, given: Json | None) -> Json:
    """Schedule-wide invoicing: `collection_method` and `invoice_settings.days_until_due`.

    Payment terms only mean something when Stripe sends the invoice, so
    `days_until_due` is refused with `charge_automatically` (and cleared when
    the schedule goes back to charging automatically).
    """
    given = given or {}
    out = {**current, "invoice_settings": dict(current["invoice_settings"])}
    if "collection_method" in given:
        method = given["collection_method"]
        if method not in ("charge_automatically", "send_invoice"):
            raise invalid(
                f"Invalid collection_method: {method}",
                param="default_settings[collection_method]",
            )
        out["collection_method"] = method
    days = (given.get("invoice_settings") or {}).get("days_until_due")
    if days is not None:
        out["invoice_settings"]["days_until_due"] = as_int(
            days, "default_settings[invoice_settings][days_until_due]"
        )
    if out["collection_method"] == "charge_automatically":
        if days is not None:
            raise invalid(
                "days_until_due can only be set when collection_method is send_invoice.",
                param="default_settings[invoice_settings][days_until_due]",
            )
        out["invoice_settings"]["days_until_due"] = None
    return out


def _phase_body(ctx: Ctx, phase: Json, items: list[Json], currency: str, n: int) -> Json:
    return {
        "add_invoice_items": [
            _invoice_item(ctx, item, f"phases[{n}][add_invoice_items][{i}]")
            for i, item in enumerate(phase.get("add_invoice_items") or [])
        ],
        "application_fee_percent": None,
        "billing_cycle_anchor": None,
        "billing_thresholds": None,
        "collection_method": None,
        "currency": currency,
        "default_payment_method": None,
        "default_tax_rates": [],
        "description": phase.get("description") or None,
        "discounts": [
            _discount(ctx, d, f"phases[{n}][discounts][{i}]")
            for i, d in enumerate(phase.get("discounts") or [])
        ],
        "end_date": None,
        "invoice_settings": None,
        "items": items,
        "metadata": merge_metadata({}, phase.get("metadata")),
        "on_behalf_of": None,
        "proration_behavior": _proration_behavior(phase.get("proration_behavior"), n),
        "start_date": None,
        "transfer_data": None,
        "trial_end": phase.get("trial_end"),
    }


def _proration_behavior(value: Any, n: int) -> str:
    if value is None:
        return "create_prorations"
    if value not in _PRORATION_BEHAVIORS:
        raise invalid(
            f"Invalid proration_behavior: {value}", param=f"phases[{n}][proration_behavior]"
        )
    return str(value)


def _price_of(ctx: Ctx, item: Json, name: str) -> str:
    """The item's price id: `price`, or a new price made from inline `price_data`."""
    price, data = item.get("price"), item.get("price_data")
    if price and data:
        raise invalid(
            "You may only specify one of these parameters: price, price_data.", param=name
        )
    if data:
        # The typed params require product and currency (and recurring on a phase item).
        product = data["product"]
        ctx.load("product", product, f"{name}[price_data][product]")
        made = create_price(ctx, {**data, "active": False}, product)
        return str(made["id"])
    if not price:
        raise required(f"{name}[price]")
    ctx.load("price", price, f"{name}[price]")
    return str(price)


def _invoice_item(ctx: Ctx, item: Json, name: str) -> Json:
    """One of a phase's `add_invoice_items`: a one-time price on the phase's next invoice."""
    price = _price_of(ctx, item, name)
    if ctx.load("price", price)["recurring"] is not None:
        raise invalid(
            f"The price {price} is recurring; add_invoice_items takes one-time prices only.",
            param=f"{name}[price]",
        )
    return {
        "discounts": [
            _discount(ctx, d, f"{name}[discounts][{i}]")
            for i, d in enumerate(item.get("discounts") or [])
        ],
        "metadata": merge_metadata({}, item.get("metadata")),
        "period": item.get("period")
        or {"end": {"type": "min_item_period_end"}, "start": {"type": "max_item_period_start"}},
        "price": price,
        "quantity": as_int(item.get("quantity", 1), f"{name}[quantity]"),
        "tax_rates": [],
    }


def _item(ctx: Ctx, item: Json, name: str) -> Json:
    price = _price_of(ctx, item, name)
    return {
        "billing_thresholds": None,
        "discounts": [
            _discount(ctx, d, f"{name}[discounts][{i}]")
            for i, d in enumerate(item.get("discounts") or [])
        ],
        "metadata": merge_metadata({}, item.get("metadata")),
        "plan": price,
        "price": price,
        "quantity": as_int(item.get("quantity", 1), f"{name}[quantity]"),
        "tax_rates": [],
    }


def _discount(ctx: Ctx, given: Json, name: str) -> Json:
    if given.get("coupon"):
        ctx.load("coupon", given["coupon"], f"{name}[coupon]")
    if given.get("promotion_code"):
        ctx.load("promotion_code", given["promotion_code"], f"{name}[promotion_code]")
    if given.get("discount"):
        ctx.load("discount", given["discount"], f"{name}[discount]")
    return {
        "coupon": given.get("coupon"),
        "discount": given.get("discount"),
        "promotion_code": given.get("promotion_code"),
    }


def _require_open(body: Json, now: int, verb: str) -> str:
    status = status_at(body, now)
    if status not in _OPEN:
        raise invalid(
            f"You cannot {verb} a subscription schedule that is currently in the `{status}` status."
        )
    return status


def _end_behavior(value: Any) -> str:
    if value not in ("release", "cancel"):
        raise invalid(f"Invalid end_behavior: {value}", param="end_behavior")
    return str(value)


_NULL_FIELDS = (
    "application",
    "canceled_at",
    "completed_at",
    "current_phase",
    "customer_account",
    "released_at",
    "released_subscription",
    "subscription",
    "test_clock",
)

ROUTES = [
    Route("POST", "/v1/subscription_schedules", create, SubscriptionScheduleCreateParams),
    Route("GET", "/v1/subscription_schedules", list_schedules, SubscriptionScheduleListParams),
    Route(
        "GET",
        "/v1/subscription_schedules/{id}",
        on_time(retriever("subscription_schedule")),
        SubscriptionScheduleRetrieveParams,
    ),
    Route("POST", "/v1/subscription_schedules/{id}", update, SubscriptionScheduleUpdateParams),
    Route(
        "POST", "/v1/subscription_schedules/{id}/cancel", cancel, SubscriptionScheduleCancelParams
    ),
    Route(
        "POST",
        "/v1/subscription_schedules/{id}/release",
        release,
        SubscriptionScheduleReleaseParams,
    ),
]
