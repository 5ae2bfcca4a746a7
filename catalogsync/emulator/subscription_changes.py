"""A change to a subscription's items, worked out before it is applied or previewed.

`POST /v1/subscriptions/{id}` applies it; `POST /v1/invoices/create_preview` with
`subscription_details` only shows what it would bill, so both go through `plan_change`.
Sources (stripe-python `params/_subscription_update_params.py` and
https://docs.stripe.com/billing/subscriptions/change-price):

- `items[][id]` names the item to change; "if you omit `id`, the API adds a new subscription
  item rather than updating the existing one"; `items[][deleted]` removes it.
- "When changing a subscription item's price, `quantity` is set to 1 unless a `quantity`
  parameter is provided."
- `proration_behavior`: `create_prorations` (the default), `none`, `always_invoice`;
  `proration_date` computes the prorations "as though the subscription was updated at the
  given time", which must lie in the current period.
- `billing_cycle_anchor[type]`: `now` restarts the billing cycle, `unchanged` keeps it. "The
  billing date stays unless the interval changes" (a change of interval restarts the cycle
  too), and a restarted cycle is invoiced at once, crediting the unused time of the old
  items (https://docs.stripe.com/billing/subscriptions/billing-cycle).
- "The billing date stays unless the interval changes, or a price goes free <-> paid"
  (https://docs.stripe.com/billing/subscriptions/change-price): both restart the cycle.
- A trial bills nothing, so a change during a trial prorates nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator import billing
from catalogsync.emulator.billing import Charge, proration_charges
from catalogsync.emulator.common import as_int, merge_metadata
from catalogsync.emulator.errors import invalid, missing, required
from catalogsync.emulator.pricing import period_amount
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json
from catalogsync.emulator.subscription_body import check_currency, check_one_interval, item_body

PRORATION_BEHAVIORS = ("create_prorations", "none", "always_invoice")
# What an item change may say here (`price_data` is refused with its own message);
# `clear_usage` deletes recorded usage, which the emulator does not keep.
_ITEM_FIELDS = frozenset(
    {"id", "price", "plan", "quantity", "deleted", "metadata", "price_data", "clear_usage"}
)


@dataclass(frozen=True)
class Change:
    """The subscription after a change, and what the change bills."""

    subscription: Json  # a changed copy; the stored one is untouched
    prorations: list[Charge]
    at: int  # when the change counts as made (`proration_date`, else now)
    behavior: str
    restarts_cycle: bool


def plan_change(ctx: Ctx, stored: Json, params: Json, prefix: str = "") -> Change:
    """The change ``params`` (items, proration and anchor settings) make to ``stored``.

    ``prefix`` names the parameters in errors (`subscription_details` for a preview).
    """
    sub = copy.deepcopy(stored)
    behavior = _behavior(params.get("proration_behavior"), prefix)
    at = _proration_date(ctx, sub, params, behavior, prefix)
    anchor = (params.get("billing_cycle_anchor") or {}).get("type", "unchanged")
    if anchor not in ("now", "unchanged"):
        raise invalid(
            f"Invalid billing_cycle_anchor[type]: {anchor}",
            param=_name(prefix, "billing_cycle_anchor[type]"),
        )
    old = {item["id"]: item for item in sub["items"]["data"]}
    # Changed and added items bill on the current period: "the billing date stays".
    period_time = int(sub["items"]["data"][0]["current_period_start"])
    items = _new_items(ctx, sub, params.get("items") or [], period_time, prefix)
    restarts = (
        anchor == "now"
        or _interval(items) != _interval(list(old.values()))
        or _free(ctx, sub, items) != _free(ctx, sub, list(old.values()))
    )
    if restarts:
        # "now" is the current time, even when prorations are computed at a past
        # `proration_date`.
        sub["billing_cycle_anchor"] = ctx.now
        items = [
            item_body(
                ctx,
                sub,
                i["id"],
                price_id=i["price"]["id"],
                quantity=i["quantity"],
                metadata=i["metadata"],
                at=ctx.now,
            )
            for i in items
        ]
    sub["items"]["data"] = items
    prorations: list[Charge] = []
    if behavior != "none" and sub["status"] != "trialing":
        prorations = _prorations(ctx, sub, old, items, at=at, restarts=restarts)
    return Change(sub, prorations, at, behavior, restarts)


def bill_change(ctx: Ctx, change: Change) -> None:
    """Store what an applied change bills: pending prorations, or an invoice now.

    `always_invoice` invoices the prorations (and anything else pending) at once; a restarted
    cycle invoices its first period at once.
    """
    sub = change.subscription
    for charge in change.prorations:
        billing.add_pending(ctx, sub, charge)
    if change.restarts_cycle:
        billing.issue(
            ctx,
            sub,
            billing.period_charges(ctx, sub),
            reason="subscription_update",
            period=(ctx.now, ctx.now),
            proration_date=change.at,
        )
    elif change.behavior == "always_invoice" and change.prorations:
        billing.issue(
            ctx,
            sub,
            [],
            reason="subscription_update",
            period=(change.at, change.at),
            proration_date=change.at,
        )


def _prorations(
    ctx: Ctx, sub: Json, old: dict[str, Json], items: list[Json], *, at: int, restarts: bool
) -> list[Charge]:
    new = {item["id"]: item for item in items}
    charges = []
    for item_id in [*old, *(i for i in new if i not in old)]:
        before, after = old.get(item_id), new.get(item_id)
        if restarts:
            after = None  # the new cycle is invoiced whole, not prorated
        elif before is not None and after is not None and _bills(before) == _bills(after):
            continue
        charges += proration_charges(ctx, sub, before, after, at)
    return charges


def _new_items(ctx: Ctx, sub: Json, given: list[Json], at: int, prefix: str) -> list[Json]:
    items = list(sub["items"]["data"])
    next_index = 1 + max((_index(sub, i["id"]) for i in items), default=-1)
    for n, spec in enumerate(given):
        name = _name(prefix, f"items[{n}]")
        unsupported = sorted(set(spec) - _ITEM_FIELDS)
        if unsupported:
            raise invalid(
                f"The emulator does not emulate `{unsupported[0]}` on subscription items.",
                param=f"{name}[{unsupported[0]}]",
            )
        if spec.get("price_data"):
            raise invalid(
                "The emulator does not create prices inline on subscription items; "
                "create the price and pass its id.",
                param=f"{name}[price_data]",
            )
        price = spec.get("price") or spec.get("plan")
        if price:
            stored = ctx.load("price", price, f"{name}[price]")
            check_currency(sub["currency"], [stored], f"{name}[price]")
        quantity = spec.get("quantity")
        if quantity is not None and as_int(quantity, f"{name}[quantity]") < 0:
            raise invalid("Quantity must be non-negative.", param=f"{name}[quantity]")
        item_id = spec.get("id")
        if not item_id:
            if not price:
                raise required(f"{name}[price]")
            item_id, next_index = f"si_{sub['id'][4:]}{next_index}", next_index + 1
            metadata = merge_metadata({}, spec.get("metadata"))
            items.append(
                item_body(
                    ctx,
                    sub,
                    item_id,
                    price_id=price,
                    quantity=int(quantity or 1),
                    metadata=metadata,
                    at=at,
                )
            )
            continue
        position = next((k for k, i in enumerate(items) if i["id"] == item_id), None)
        if position is None:
            raise missing("subscription item", item_id, f"{name}[id]", status=400)
        if spec.get("deleted"):
            del items[position]
            continue
        current = items[position]
        swapped = bool(price) and price != current["price"]["id"]
        if quantity is None:
            quantity = 1 if swapped else current["quantity"]
        metadata = merge_metadata(current["metadata"], spec.get("metadata"))
        changed = item_body(
            ctx,
            sub,
            item_id,
            price_id=price or current["price"]["id"],
            quantity=int(quantity),
            metadata=metadata,
            at=at,
        )
        changed["created"] = current["created"]
        items[position] = changed
    if not items:
        raise invalid("A subscription needs at least one item.", param=_name(prefix, "items"))
    check_one_interval(items)
    return items


def _index(sub: Json, item_id: str) -> int:
    """The position number in an item id made by `subscription_body.set_items`."""
    suffix = item_id.removeprefix(f"si_{sub['id'][4:]}")
    return int(suffix) if suffix.isdigit() else -1


def _free(ctx: Ctx, sub: Json, items: list[Json]) -> bool:
    """Whether every item's price is free: a swap between free and paid restarts the cycle."""
    return all(
        period_amount(ctx.load("price", i["price"]["id"]), sub["currency"], 1) == 0 for i in items
    )


def _bills(item: Json) -> tuple[str, int]:
    return item["price"]["id"], item["quantity"]


def _interval(items: list[Json]) -> set[tuple[str, int]]:
    return {
        (i["price"]["recurring"]["interval"], i["price"]["recurring"]["interval_count"])
        for i in items
    }


def _behavior(value: Any, prefix: str) -> str:
    if value is None:
        return "create_prorations"
    if value not in PRORATION_BEHAVIORS:
        raise invalid(
            f"Invalid proration_behavior: {value}", param=_name(prefix, "proration_behavior")
        )
    return str(value)


def _proration_date(ctx: Ctx, sub: Json, params: Json, behavior: str, prefix: str) -> int:
    given = params.get("proration_date")
    if given is None:
        return ctx.now
    name = _name(prefix, "proration_date")
    at = as_int(given, name)
    if prefix and behavior == "none":
        # create_preview: "`subscription_details.proration_behavior` cannot be set to 'none'".
        raise invalid("proration_date cannot be used with proration_behavior=none.", param=name)
    item = sub["items"]["data"][0]
    if not item["current_period_start"] <= at <= item["current_period_end"]:
        raise invalid(
            "The proration_date must be within the subscription's current billing period.",
            param=name,
        )
    return at


def _name(prefix: str, param: str) -> str:
    if not prefix:
        return param
    head, bracket, rest = param.partition("[")
    return f"{prefix}[{head}]{bracket}{rest}"
