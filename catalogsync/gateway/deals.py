"""Read deals: managed subscription schedules, and the customers deals name.

A deal is a schedule carrying ``catalogsync_managed``/``catalogsync_key``
metadata. Schedules are listed once (Stripe has no metadata filter); a
customer named by email is resolved with ``GET /v1/customers?email=``, and
zero or several matches is an error naming the deal. Item prices become
lookup keys (or, for a price whose key moved to its replacement, the key
catalogsync recorded on it) so phases compare with the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import stripe

from catalogsync.deals import OPEN_STATUSES, DatedPhase, DealState, Schedule
from catalogsync.errors import GatewayError, PlanError
from catalogsync.gateway import convert
from catalogsync.gateway.failures import describe_error
from catalogsync.gateway.fetch import Json, list_all, run_all
from catalogsync.model import Catalog, Deal, PhaseItem, Price, Remote
from catalogsync.plan.plan import BILLABLE_STATUSES
from catalogsync.plan.state import KindState


def list_schedules(client: stripe.StripeClient) -> list[Json]:
    """Every subscription schedule of the account (all statuses)."""
    return list_all(client.v1.subscription_schedules.list)


def read_deals(
    client: stripe.StripeClient,
    catalog: Catalog,
    schedules: list[Json],
    prices: KindState[Price],
    concurrency: int,
) -> DealState:
    """Managed schedules by deal key, and the customer each catalog deal names."""
    managed = [o for o in schedules if convert.remote(o, None).managed and convert.identity_hint(o)]
    used = _used_prices(client, prices, managed, concurrency)
    keys = {pid: r.resource.lookup_key for pid, r in used.items() if r.resource.lookup_key}
    by_key: dict[str, Remote[Schedule]] = {}
    for obj in managed:
        remote = convert.remote(obj, schedule(obj, keys))
        by_key[remote.resource.key] = _prefer(by_key.get(remote.resource.key), remote)
    customers = _customers(client, catalog.deals.values(), by_key, concurrency)
    new_deals = [k for k in catalog.deals if k not in by_key or by_key[k].resource.ended_early()]
    subscriptions = _subscriptions(client, {k: customers[k] for k in new_deals}, concurrency)
    return DealState(by_key, customers, used, subscriptions)


def _subscriptions(
    client: stripe.StripeClient, customers: Mapping[str, str], concurrency: int
) -> dict[str, tuple[str, ...]]:
    """The billable subscriptions of each deal's customer: one list per deal getting a schedule."""
    tasks: dict[str, Callable[[], Any]] = {
        key: partial(list_all, client.v1.subscriptions.list, {"customer": customer})
        for key, customer in customers.items()
    }
    found = run_all(tasks, concurrency)
    return {
        key: tuple(sorted(s["id"] for s in subs if s["status"] in BILLABLE_STATUSES))
        for key, subs in found.items()
        if any(s["status"] in BILLABLE_STATUSES for s in subs)
    }


def schedule(obj: Json, price_keys: Mapping[str, str]) -> Schedule:
    """A Stripe subscription schedule in the catalog's vocabulary."""
    used: dict[str, str] = {}
    phases = []
    for p in obj.get("phases") or []:
        items = []
        for item in p.get("items") or []:
            price_id = _id(item["price"])
            key = price_keys.get(price_id, price_id)
            used.setdefault(key, price_id)
            items.append(PhaseItem(key, int(item.get("quantity") or 1)))
        phases.append(
            DatedPhase(
                start=int(p["start_date"]),
                end=int(p["end_date"]),
                items=tuple(items),
                discounts=tuple(_id(d["coupon"]) for d in p.get("discounts") or [] if d["coupon"]),
                # A phase created with `trial: true` is a trial until its end.
                trial=p.get("trial_end") is not None and int(p["trial_end"]) >= int(p["end_date"]),
            )
        )
    current = obj.get("current_phase") or {}
    ended = obj.get("released_at") or obj.get("canceled_at") or obj.get("completed_at")
    return Schedule(
        key=convert.identity_hint(obj) or "",
        customer=_id(obj["customer"]),
        status=obj["status"],
        end_behavior=obj.get("end_behavior") or "release",
        phases=tuple(phases),
        current_start=current.get("start_date"),
        price_ids=used,
        metadata=convert.user_metadata(obj),
        ended_at=int(ended) if ended else None,
    )


def _used_prices(
    client: stripe.StripeClient, prices: KindState[Price], schedules: list[Json], concurrency: int
) -> dict[str, Remote[Price]]:
    """Every price the schedules use, by id; ``lookup_key`` is the key the deal knows it by.

    A replaced price lost its lookup key to the new price but keeps
    ``catalogsync_key``: it is read by id and stands for that key.
    """
    known = {r.id: r for r in (*prices.managed.values(), *prices.unmanaged)}
    used = {_id(i["price"]) for o in schedules for p in o["phases"] for i in p["items"]}
    out = {pid: known[pid] for pid in used if pid in known and known[pid].resource.lookup_key}
    tasks: dict[str, Callable[[], Any]] = {
        pid: partial(_retrieve_price, client, pid) for pid in sorted(used - out.keys())
    }
    for pid, obj in run_all(tasks, concurrency).items():
        key = obj.get("lookup_key") or convert.identity_hint(obj) or ""
        price = replace(convert.price(obj, {}), lookup_key=key)
        out[pid] = convert.remote(obj, price)
    return out


def _retrieve_price(client: stripe.StripeClient, price_id: str) -> Json:
    try:
        # Expanded like the price lists: the plan shows the currency options it bills.
        params: Any = {"expand": ["currency_options", "tiers"]}
        obj: Json = client.v1.prices.retrieve(price_id, params).to_dict()
    except stripe.StripeError as e:
        raise GatewayError(f"reading price {price_id} failed: {describe_error(e)}") from None
    return obj


def _customers(
    client: stripe.StripeClient,
    deals: Iterable[Deal],
    schedules: Mapping[str, Remote[Schedule]],
    concurrency: int,
) -> dict[str, str]:
    tasks: dict[str, Callable[[], Any]] = {}
    out: dict[str, str] = {}
    for deal in deals:
        existing = schedules.get(deal.key)
        if (
            deal.customer.id is not None
            and existing
            and existing.resource.customer == deal.customer.id
        ):
            out[deal.key] = deal.customer.id  # the schedule proves the customer exists
        else:
            tasks[deal.key] = partial(_find_customer, client, deal)
    errors = []
    for key, found in run_all(tasks, concurrency).items():
        if isinstance(found, _NotFound):
            errors.append(found.message)
        else:
            out[key] = found
    if errors:
        raise PlanError("\n".join(sorted(errors)))
    return out


@dataclass(frozen=True)
class _NotFound:
    message: str


def _find_customer(client: stripe.StripeClient, deal: Deal) -> str | _NotFound:
    """The id of the one customer the deal names."""
    ref = deal.customer
    if ref.id is not None:
        try:
            return str(client.v1.customers.retrieve(ref.id).id)
        except stripe.InvalidRequestError as e:
            if e.code != "resource_missing":
                raise GatewayError(
                    f"reading customer {ref.id} failed: {describe_error(e)}"
                ) from None
            return _NotFound(f"deal {deal.key}: no customer {ref.id} in this account")
        except stripe.StripeError as e:
            raise GatewayError(f"reading customer {ref.id} failed: {describe_error(e)}") from None
    found = list_all(client.v1.customers.list, {"email": ref.email})
    if len(found) == 1:
        return str(found[0]["id"])
    if not found:
        return _NotFound(f"deal {deal.key}: no customer has the email {ref.email}")
    ids = ", ".join(sorted(c["id"] for c in found))
    return _NotFound(
        f"deal {deal.key}: {len(found)} customers have the email {ref.email} ({ids}); "
        "name the customer by id instead (customer: {id: cus_…})"
    )


def _prefer(current: Remote[Schedule] | None, new: Remote[Schedule]) -> Remote[Schedule]:
    if current is None:
        return new
    rank = (new.resource.status in OPEN_STATUSES, new.created)
    return new if rank > (current.resource.status in OPEN_STATUSES, current.created) else current


def _id(value: Any) -> str:
    return str(value["id"] if isinstance(value, dict) else value)
