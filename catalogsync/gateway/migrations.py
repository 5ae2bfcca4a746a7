"""Read migrations: the subscriptions on each `from` price, and what their schedules are.

Reads stay at the pagination floor however large the cohort: one paged
list of subscriptions per `from` price (``GET /v1/subscriptions?price=…``,
100 a page), read concurrently through the plan's token bucket, and never
a request per subscription. Without a ``status`` filter Stripe lists every
subscription that is not canceled (docs.stripe.com/api/subscriptions/list),
so one list covers every status a cohort can name. Customers are expanded
into the list (``expand[]=data.customer``) only when a cohort filters on
customer metadata. The schedules come from the schedule list the deals
reader already made; the prices from the price lists (active and archived).

A `from` lookup key stands for every price that ever held it: the price
holding it now, and replaced versions, which lost the key to their
successor but keep ``catalogsync_key``.

The plan's clock is Stripe's: the ``Date`` header of the subscription lists
(every origin server sends one, RFC 9110 §6.6.1), so an ``at: now``
proration is computed for the moment the account was read, on the
account's clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

import stripe

from catalogsync.deals import OPEN_STATUSES
from catalogsync.errors import PlanError
from catalogsync.gateway import convert
from catalogsync.gateway.fetch import Json, list_all, run_all
from catalogsync.migrations import (
    CohortItem,
    CohortSubscription,
    MigrationState,
    ScheduleRef,
)
from catalogsync.model import MANAGED_KEY, MIGRATION_KEY, Catalog, Migration, Price, Remote
from catalogsync.transport.ratelimit import TokenBucket


def read_migrations(
    client: stripe.StripeClient,
    catalog: Catalog,
    prices: Sequence[Json],
    schedules: Sequence[Json],
    *,
    concurrency: int,
    limiter: TokenBucket,
) -> MigrationState:
    """The subscriptions on the `from` prices of the catalog's migrations.

    ``prices`` and ``schedules`` are the account's price and schedule lists, as read.
    """
    if not catalog.migrations:
        return MigrationState()
    by_id = {o["id"]: o for o in prices}
    sources = {
        key: _sources(migration, by_id, _versions(prices), catalog.prices.keys())
        for key, migration in sorted(catalog.migrations.items())
    }
    wanted = sorted({pid for moves in sources.values() for ids in moves for pid in ids})
    expand = any(m.cohort.customer_metadata for m in catalog.migrations.values())
    clock = _Clock(client)
    extra = {"expand": ["data.customer"]} if expand else {}
    tasks = {
        pid: partial(list_all, clock.lister, {"price": pid, **extra}, limiter=limiter)
        for pid in wanted
    }
    subscriptions: dict[str, CohortSubscription] = {}
    for listed in run_all(tasks, concurrency).values():
        for obj in listed:
            subscriptions[obj["id"]] = subscription(obj)
    return MigrationState(
        sources=sources,
        prices={pid: _price(by_id[pid]) for pid in wanted},
        subscriptions=subscriptions,
        schedules=_schedules(schedules, subscriptions),
        read_at=clock.now,
    )


def _versions(prices: Iterable[Json]) -> dict[str, list[str]]:
    """Lookup key -> the ids of every price that held it: its holder and managed predecessors."""
    out: dict[str, list[str]] = {}
    for obj in prices:
        key = obj.get("lookup_key") or (
            convert.identity_hint(obj) if convert.remote(obj, None).managed else None
        )
        if key:
            out.setdefault(key, []).append(obj["id"])
    return out


def _sources(
    migration: Migration,
    by_id: Mapping[str, Json],
    versions: Mapping[str, list[str]],
    declared: Collection[str],
) -> tuple[tuple[str, ...], ...]:
    """The ids of each move's `from` prices.

    A lookup key the catalog declares but no price holds yet (the plan creates
    it) has no subscribers: no ids, an empty cohort.
    """
    out = []
    for move in migration.moves:
        ref = move.from_price
        if ref.id is not None and ref.id not in by_id:
            raise PlanError(
                f"migration {migration.key}: there is no price {ref.id} in this account"
            )
        ids = [ref.id] if ref.id is not None else versions.get(ref.lookup_key or "", [])
        if not ids and ref.lookup_key not in declared:
            raise PlanError(
                f"migration {migration.key}: no price in this account holds or held the "
                f"lookup key {ref.lookup_key}"
            )
        out.append(tuple(sorted(ids)))
    return tuple(out)


def _price(obj: Json) -> Remote[Price]:
    """A `from` price; a replaced version stands for the key catalogsync recorded on it."""
    key = obj.get("lookup_key") or convert.identity_hint(obj) or ""
    return convert.remote(obj, replace(convert.price(obj, {}), lookup_key=key))


class _Clock:
    """A subscriptions lister that keeps the latest ``Date`` Stripe answered with."""

    def __init__(self, client: stripe.StripeClient) -> None:
        self._client = client
        self.now = 0

    def lister(self, query: dict[str, Any]) -> Any:
        response = self._client.raw_request("get", "/v1/subscriptions", **query)
        date = response.headers.get("Date")
        if date:
            self.now = max(self.now, int(parsedate_to_datetime(date).timestamp()))
        return response.data


def subscription(obj: Json) -> CohortSubscription:
    """A listed subscription in the cohort's terms."""
    items = obj.get("items") or {}
    customer = obj["customer"]
    metadata = obj.get("metadata") or {}
    return CohortSubscription(
        id=obj["id"],
        customer=_id(customer),
        status=obj["status"],
        currency=obj["currency"],
        created=int(obj["created"]),
        items=tuple(
            CohortItem(
                id=i["id"],
                price=_id(i["price"]),
                quantity=int(i.get("quantity") or 1),
                period_start=int(i["current_period_start"]),
                period_end=int(i["current_period_end"]),
            )
            for i in items.get("data", [])
        ),
        discounts=tuple(_id(d) for d in obj.get("discounts") or []),
        schedule=_id(obj["schedule"]) if obj.get("schedule") else None,
        migrated_by=metadata.get(MIGRATION_KEY),
        customer_metadata=dict(customer.get("metadata") or {})
        if isinstance(customer, dict)
        else None,
        more_items=bool(items.get("has_more")),
    )


def _schedules(
    schedules: Iterable[Json], subscriptions: Mapping[str, CohortSubscription]
) -> dict[str, ScheduleRef]:
    wanted = {s.schedule: s for s in subscriptions.values() if s.schedule}
    return {o["id"]: schedule_ref(o, wanted[o["id"]]) for o in schedules if o["id"] in wanted}


def schedule_ref(obj: Json, sub: CohortSubscription) -> ScheduleRef:
    """Whose ``sub``'s schedule ``obj`` is (see `ScheduleRef`)."""
    metadata = obj.get("metadata") or {}
    if metadata.get(MIGRATION_KEY):
        return ScheduleRef(obj["id"], "migration", metadata[MIGRATION_KEY])
    deal = convert.identity_hint(obj)
    if metadata.get(MANAGED_KEY) == "true" and deal:
        return ScheduleRef(obj["id"], "deal", deal)
    if not metadata and obj["status"] in OPEN_STATUSES and _mirrors(obj, sub):
        return ScheduleRef(obj["id"], "interrupted")
    return ScheduleRef(obj["id"], "foreign")


def _mirrors(obj: Json, sub: CohortSubscription) -> bool:
    """What ``from_subscription`` makes of an existing subscription, untouched since.

    One phase with the subscription's items (price, quantity), ending with
    its period, created no earlier than the subscription. A schedule of
    someone else's that looks exactly so bills exactly what the subscription
    bills and releases it at the period end: finishing it as a migration's
    changes nothing it would have done (and the plan names it).
    """
    phases = obj.get("phases") or []
    if len(phases) != 1 or not sub.items or int(obj.get("created") or 0) < sub.created:
        return False
    items = sorted((_id(i["price"]), int(i.get("quantity") or 1)) for i in phases[0]["items"])
    own = sorted((i.price, i.quantity) for i in sub.items)
    return items == own and int(phases[0]["end_date"]) == sub.items[0].period_end


def _id(value: Any) -> str:
    return str(value["id"] if isinstance(value, dict) else value)
