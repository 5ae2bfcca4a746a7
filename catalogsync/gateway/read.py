"""Read an account into a `RemoteState`, with as few requests as the API allows.

Phase 1 lists every kind concurrently, one list per kind (prices twice:
Stripe lists active prices unless asked for inactive ones, and archived
prices matter for ``active: false`` in YAML and for default prices).
Phase 2 reads product feature attachments, which Stripe only lists per
product: only for products that exist and whose catalog entry declares
``features`` (None = not managed by catalogsync), so an account pays for
them only where they are compared. Subscriber impact (`read_impact`) is a
separate, optional phase for the prices a plan replaces or archives.

Migrations (`migrations`) add one paged list of subscriptions per `from`
price, after the prices are read.

Request count for a catalog whose kinds each fit in one page: 8 lists
(products, active prices, inactive prices, coupons, promotion codes,
features, meters, subscription schedules) + 1 account + one per existing
product declaring features + one per replaced or archived price for impact
+ one list of customers when a deal names its customer by email, and none
per deal (`deals`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, assert_never

import stripe

from catalogsync.config import DEFAULT_CONCURRENCY
from catalogsync.gateway import convert
from catalogsync.gateway.deals import deal_lists, read_deals
from catalogsync.gateway.fetch import (
    Json,
    first_page,
    list_all,
    list_windows,
    paced,
    raw_lister,
    run_all,
)
from catalogsync.gateway.migrations import read_migrations
from catalogsync.gateway.paths import collection_path
from catalogsync.kinds import KINDS, SPECS, Kind, is_active
from catalogsync.model import BILLABLE_STATUSES, Catalog, Meter, Price, Remote
from catalogsync.state import KindState, RemoteState
from catalogsync.transport.ratelimit import TokenBucket, default_rate

R = TypeVar("R")


def read_state(
    client: stripe.StripeClient,
    catalog: Catalog,
    *,
    livemode: bool,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = None,
) -> RemoteState:
    """Everything the plan compares, read from the account ``client`` reaches.

    Every list shares one token bucket of ``rate`` requests a second
    (default: apply's default for the mode), so concurrent lists never run
    into the account's rate limit.
    """
    limiter = TokenBucket(rate or default_rate(livemode))
    raw = run_all(_list_tasks(client, catalog, limiter), concurrency)
    raw["prices"] = raw.pop("active_prices") + raw.pop("archived_prices")
    meters = _meters(raw["meters"], catalog)
    prices = _prices(raw["prices"], meters)
    attached = _product_features(client, catalog, raw["products"], concurrency, limiter)
    products = _products(raw["products"], prices, attached)
    return RemoteState(
        account_id=raw["account"],
        livemode=livemode,
        products=products,
        prices=prices,
        coupons=_simple(raw["coupons"], convert.coupon, "coupon"),
        promotion_codes=_simple(raw["promotion_codes"], convert.promotion_code, "promotion_code"),
        features=_simple(raw["features"], convert.feature, "feature"),
        meters=meters,
        default_prices=_default_prices(raw["products"]),
        product_features=attached,
        deals=read_deals(client, catalog, raw, prices, concurrency=concurrency, limiter=limiter),
        migrations=read_migrations(
            client,
            catalog,
            raw["prices"],
            raw["schedules"],
            concurrency=concurrency,
            limiter=limiter,
        ),
    )


def read_impact(
    client: stripe.StripeClient,
    price_ids: Iterable[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = None,
) -> dict[str, dict[str, int]]:
    """Subscriptions per price id, by billable status (`BILLABLE_STATUSES`).

    Without a ``status`` filter Stripe lists every subscription that is not
    canceled, so one list covers every billable status (incomplete ones are
    dropped here). Its first page comes first: when it holds them all (a
    test account, a young one), it answers for every price in one request.
    Otherwise one paginated list per price, which for a large account costs
    far less than listing every subscription.
    """
    wanted = sorted(set(price_ids))
    if not wanted:
        return {}
    limiter = TokenBucket(rate or default_rate(False))
    lister = raw_lister(client, "/v1/subscriptions")
    page = first_page(lister, {}, limiter=limiter)
    if not page["has_more"]:
        return _by_status(wanted, page["data"])
    tasks = {
        pid: (lambda pid=pid: list_all(lister, {"price": pid}, limiter=limiter)) for pid in wanted
    }
    listed = run_all(tasks, concurrency)
    return {pid: _by_status([pid], subscriptions)[pid] for pid, subscriptions in listed.items()}


def _by_status(wanted: Iterable[str], subscriptions: Iterable[Json]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {pid: Counter() for pid in wanted}
    for sub in subscriptions:
        status = sub.get("status")
        if status not in BILLABLE_STATUSES:
            continue
        items = (sub.get("items") or {}).get("data", [])
        for pid in {_price_id(item) for item in items}:
            if pid in counts:
                counts[pid][status] += 1
    return {pid: dict(found) for pid, found in counts.items()}


def _price_id(item: Json) -> str | None:
    price = item.get("price")
    return price.get("id") if isinstance(price, dict) else price


def _list_tasks(
    client: stripe.StripeClient, catalog: Catalog, limiter: TokenBucket
) -> dict[str, Callable[[], Any]]:
    tasks = {
        name: task
        for spec in KINDS
        for name, task in _listings(spec.kind, client, catalog, limiter).items()
    }
    # The longest lists first: they start before the pool is busy with the others
    # (the deals' are as long as the prices' in an account with many deals).
    longest = ("active_prices", "schedules", "customers")
    first = {name: tasks[name] for name in longest if name in tasks}
    account = {"account": lambda: paced(client.v1.accounts.retrieve_current, limiter).id}
    return account | first | tasks


def _listings(
    kind: Kind, client: stripe.StripeClient, catalog: Catalog, limiter: TokenBucket
) -> dict[str, Callable[[], Any]]:
    """The lists that read ``kind``, by the name `read_state` finds them under."""
    lister = raw_lister(client, collection_path(kind))
    collection = SPECS[kind].collection

    def listed(**params: Any) -> Callable[[], list[Json]]:
        return lambda: list_all(lister, params, limiter=limiter)

    match kind:
        case "price":  # Stripe lists active prices unless asked for archived ones
            active = {"active": True, "expand": _PRICE_EXPAND}
            return {
                "active_prices": lambda: list_windows(
                    lister, active, expected=len(catalog.prices), limiter=limiter
                ),
                "archived_prices": listed(active=False, expand=_PRICE_EXPAND),
            }
        case "coupon":
            return {collection: listed(expand=_COUPON_EXPAND)}
        case "product" | "promotion_code" | "feature" | "meter":
            return {collection: listed()}
        case "deal":
            return deal_lists(client, catalog, limiter)
        case "migration":  # its cohort is read after these lists, from their prices and schedules
            return {}
        case _:
            assert_never(kind)


_PRICE_EXPAND = ["data.currency_options", "data.tiers"]
_COUPON_EXPAND = ["data.applies_to", "data.currency_options"]


def _meters(objects: list[Json], catalog: Catalog) -> KindState[Meter]:
    # Meters carry no metadata: managed means the catalog names the event_name.
    managed: dict[str, Remote[Meter]] = {}
    unmanaged: list[Remote[Meter]] = []
    for obj in objects:
        m = convert.meter(obj)
        r = Remote(obj["id"], m, m.event_name in catalog.meters, created=obj.get("created", 0))
        if r.managed:
            managed[m.event_name] = _prefer(managed.get(m.event_name), r)
        else:
            unmanaged.append(r)
    return KindState(managed, tuple(unmanaged))


def _simple(objects: list[Json], build: Callable[[Json], R], kind: Kind) -> KindState[R]:
    return _index([convert.remote(o, build(o)) for o in objects], SPECS[kind].key_of, objects)


def _prices(objects: list[Json], meters: KindState[Meter]) -> KindState[Price]:
    meter_names = {r.id: r.resource.event_name for r in _all(meters)}
    remotes = [
        convert.remote(o, convert.price(o, meter_names), convert.unmodelled_price_fields(o))
        for o in objects
    ]
    return _index(remotes, SPECS["price"].key_of, objects)


def _index(
    remotes: list[Remote[R]], identity: Callable[[R], str | None], objects: list[Json]
) -> KindState[R]:
    """Managed objects by identity (active and newest first on a tie), the rest as read."""
    managed: dict[str, Remote[R]] = {}
    unmanaged: list[Remote[R]] = []
    superseded: list[tuple[str, Remote[R]]] = []
    for r, obj in zip(remotes, objects, strict=True):
        key = identity(r.resource) or (convert.identity_hint(obj) if _active(r) else None)
        if r.managed and key:
            current = managed.get(key)
            managed[key] = _prefer(current, r)
            if current is not None:
                superseded.append((key, r if managed[key] is current else current))
        elif not r.managed:
            unmanaged.append(r)
    return KindState(managed, tuple(unmanaged), tuple(superseded))


def _prefer(current: Remote[R] | None, new: Remote[R]) -> Remote[R]:
    if current is None:
        return new
    rank = (_active(new), new.created) > (_active(current), current.created)
    return new if rank else current


def _active(r: Remote[Any]) -> bool:
    return is_active(r.resource)


def _product_features(
    client: stripe.StripeClient,
    catalog: Catalog,
    products: list[Json],
    concurrency: int,
    limiter: TokenBucket | None = None,
) -> dict[str, dict[str, str]]:
    """Feature attachments of the existing products that declare ``features``.

    Stripe lists attachments only per product (no bulk list), so this is one
    request per such product, paced by the same token bucket as every list.
    """
    existing = {o["id"] for o in products}
    wanted = [k for k, p in catalog.products.items() if p.features is not None and k in existing]
    lister = client.v1.products.features.list
    tasks = {
        pid: (lambda pid=pid: list_all(lambda q: lister(pid, q), limiter=limiter)) for pid in wanted
    }
    return {
        pid: {o["entitlement_feature"]["lookup_key"]: o["id"] for o in attached}
        for pid, attached in run_all(tasks, concurrency).items()
    }


def _products(
    objects: list[Json], prices: KindState[Any], attached: Mapping[str, Mapping[str, str]]
) -> KindState[Any]:
    price_keys = {r.id: r.resource.lookup_key for r in _all(prices) if r.resource.lookup_key}

    def build(obj: Json) -> Any:
        features = attached.get(obj["id"])
        return convert.product(obj, price_keys, tuple(sorted(features)) if features else None)

    return _simple(objects, build, "product")


def _default_prices(objects: list[Json]) -> dict[str, str]:
    out = {}
    for obj in objects:
        default = obj.get("default_price")
        if default:
            out[obj["id"]] = default["id"] if isinstance(default, dict) else default
    return out


def _all(state: KindState[R]) -> list[Remote[R]]:
    return [*state.managed.values(), *state.unmanaged]
