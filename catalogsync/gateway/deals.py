"""Read deals: managed subscription schedules, and the customers deals name.

A deal is a schedule carrying ``catalogsync_managed``/``catalogsync_key``
metadata; open schedules without them are read too, by id, for a deal to
adopt (``schedule:``) and for ``import --deals``. Reads stay at the
pagination floor however many deals there are, every one through the plan's
token bucket:

- schedules are listed once (Stripe has no metadata filter), split into
  ``created`` windows when there are many (`list_windows`);
- a customer named by id is proved by its schedule, without a request;
- customers named by email come from one paged list of customers, read
  alongside the catalog's lists, as long as that list is no longer than the
  per-email lookups (``GET /v1/customers?email=``) it replaces; a longer one
  is abandoned at that budget and the emails are looked up one by one. The
  search API (``/v1/customers/search``) is not used: it is eventually
  consistent (a customer created a moment ago may not be found yet,
  docs.stripe.com/search#data-freshness) and costs a request per ten emails
  where the list costs one per hundred customers;
- zero or several customers for an email is an error naming the deal.

Item prices become lookup keys (or, for a price whose key moved to its
replacement, the key catalogsync recorded on it) so phases compare with the
catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import Any

import stripe

from catalogsync import money
from catalogsync.deals import INLINE_PRICE_KEY, OPEN_STATUSES, DatedPhase, DealState, Schedule
from catalogsync.errors import GatewayError, PlanError
from catalogsync.gateway import convert
from catalogsync.gateway.failures import describe_error
from catalogsync.gateway.fetch import (
    Json,
    Split,
    list_all,
    list_windows,
    list_within,
    paced,
    raw_lister,
    run_all,
)
from catalogsync.gateway.paths import collection_path
from catalogsync.model import (
    BILLABLE_STATUSES,
    MIGRATION_KEY,
    Catalog,
    CustomerRef,
    Deal,
    PhaseItem,
    Price,
    Remote,
)
from catalogsync.state import KindState
from catalogsync.transport.ratelimit import TokenBucket


def deal_lists(
    client: stripe.StripeClient, catalog: Catalog, limiter: TokenBucket
) -> dict[str, Callable[[], Any]]:
    """The lists deals need, to be read alongside the catalog's kinds.

    ``schedules``: every subscription schedule of the account (all statuses).
    ``customers`` (only when a deal names its customer by email): every
    customer, or None when the list is longer than one page per distinct email.
    """
    # One schedule, and at least one customer, per deal.
    expected = len(catalog.deals)
    tasks: dict[str, Callable[[], Any]] = {
        "schedules": lambda: list_windows(
            raw_lister(client, collection_path("deal")),
            expected=expected,
            limiter=limiter,
            split=_SPLIT,
        )
    }
    emails = {d.customer.email for d in catalog.deals.values() if d.customer.email is not None}
    if emails:
        tasks["customers"] = lambda: list_within(
            raw_lister(client, "/v1/customers"),
            max_pages=len(emails),
            expected=expected,
            limiter=limiter,
            split=_SPLIT,
        )
    return tasks


# Schedules and customers are the long lists of an account with many deals, and
# their pages are read one after another: split from 10 pages on, into at most 4
# windows, so a list's chain of round trips keeps up with the rate limit while
# the windows' partial pages stay within a few percent of the floor.
_SPLIT = Split(pages_per_window=5, max_windows=4)


def read_deals(
    client: stripe.StripeClient,
    catalog: Catalog,
    listed: Mapping[str, Any],
    prices: KindState[Price],
    *,
    concurrency: int,
    limiter: TokenBucket,
) -> DealState:
    """Managed schedules by deal key, and the customer each catalog deal names.

    ``listed`` holds what `deal_lists` read.
    """
    schedules: list[Json] = listed["schedules"]
    managed = [o for o in schedules if convert.remote(o, None).managed and convert.identity_hint(o)]
    # By id, not `o not in managed`: comparing whole schedules against the list is quadratic.
    managed_ids = {o["id"] for o in managed}
    # A migration's schedule (moving one subscription later) is neither a deal nor
    # foreign to catalogsync: `import --deals` must not turn it into a Deal.
    foreign = [
        o
        for o in schedules
        if o["id"] not in managed_ids
        and o["status"] in OPEN_STATUSES
        and not (o.get("metadata") or {}).get(MIGRATION_KEY)
    ]
    used = _used_prices(client, prices, managed + foreign, concurrency, limiter)
    keys = {pid: r.resource.lookup_key for pid, r in used.items() if r.resource.lookup_key}
    amounts = {pid: _major(r.resource) for pid, r in used.items()}
    by_key: dict[str, Remote[Schedule]] = {}
    for obj in managed:
        remote = convert.remote(
            obj, schedule(obj, keys, amounts), convert.unmodelled_schedule_fields(obj)
        )
        by_key[remote.resource.key] = _prefer(by_key.get(remote.resource.key), remote)
    unmanaged = {
        o["id"]: convert.remote(
            o, schedule(o, keys, amounts), convert.unmodelled_schedule_fields(o)
        )
        for o in foreign
    }
    customers = _customers(
        client,
        catalog.deals.values(),
        by_key,
        listed.get("customers"),
        concurrency=concurrency,
        limiter=limiter,
    )
    new_deals = [
        k
        for k, deal in catalog.deals.items()
        if (k not in by_key and deal.schedule not in unmanaged)
        or (k in by_key and by_key[k].resource.ended_early())
    ]
    subscriptions = _subscriptions(
        client, {k: customers[k] for k in new_deals}, concurrency, limiter
    )
    return DealState(by_key, customers, used, subscriptions, unmanaged)


def _subscriptions(
    client: stripe.StripeClient,
    customers: Mapping[str, str],
    concurrency: int,
    limiter: TokenBucket,
) -> dict[str, tuple[str, ...]]:
    """The billable subscriptions of each deal's customer, for the deals getting a schedule.

    Without a ``status`` filter Stripe lists every subscription that is not
    canceled (docs.stripe.com/api/subscriptions/list). One list of them all
    answers for every customer when it is no longer than a list per
    customer; otherwise one list per customer.
    """
    wanted = sorted(set(customers.values()))
    if not wanted:
        return {}
    lister = raw_lister(client, "/v1/subscriptions")
    everyone = list_within(
        lister, max_pages=len(wanted), expected=len(wanted), limiter=limiter, split=_SPLIT
    )
    if everyone is None:
        tasks: dict[str, Callable[[], Any]] = {
            c: partial(list_all, lister, {"customer": c}, limiter=limiter) for c in wanted
        }
        by_customer: Mapping[str, list[Json]] = run_all(tasks, concurrency)
    else:
        by_customer = {c: [s for s in everyone if s["customer"] == c] for c in wanted}
    billable = {
        c: tuple(sorted(s["id"] for s in subs if s["status"] in BILLABLE_STATUSES))
        for c, subs in by_customer.items()
    }
    return {key: billable[c] for key, c in customers.items() if billable[c]}


def schedule(
    obj: Json, price_keys: Mapping[str, str], amounts: Mapping[str, Decimal | None] | None = None
) -> Schedule:
    """A Stripe subscription schedule in the catalog's vocabulary.

    An item on an inline price (a negotiated amount) names its catalog price
    in its metadata and bills ``amounts[price id]`` (major units); it pins
    no price id. ``add_invoice_items`` are the phase's one-offs.
    """
    used: dict[str, str] = {}
    first_phase: dict[str, int] = {}
    phases = []
    for n, p in enumerate(obj.get("phases") or [], start=1):
        items = []
        for item in p.get("items") or []:
            price_id = _id(item["price"])
            inline = (item.get("metadata") or {}).get(INLINE_PRICE_KEY)
            key = inline or price_keys.get(price_id, price_id)
            if not inline:
                if used.setdefault(key, price_id) != price_id and obj["status"] in OPEN_STATUSES:
                    raise PlanError(
                        _two_versions(obj, key, (first_phase[key], used[key]), (n, price_id))
                    )
                first_phase.setdefault(key, n)
            negotiated = (amounts or {}).get(price_id) if inline else None
            coupons = _coupons(item)
            items.append(PhaseItem(key, int(item.get("quantity") or 1), negotiated, coupons))
        one_off = tuple(
            PhaseItem(price_keys.get(_id(i["price"]), _id(i["price"])), int(i.get("quantity") or 1))
            for i in p.get("add_invoice_items") or []
        )
        phases.append(
            DatedPhase(
                start=int(p["start_date"]),
                end=int(p["end_date"]),
                items=tuple(items),
                discounts=_coupons(p),
                one_off=one_off,
                # A phase created with `trial: true` is a trial until its end.
                trial=p.get("trial_end") is not None and int(p["trial_end"]) >= int(p["end_date"]),
                proration_behavior=p.get("proration_behavior") or "create_prorations",
            )
        )
    current = obj.get("current_phase") or {}
    ended = obj.get("released_at") or obj.get("canceled_at") or obj.get("completed_at")
    settings = obj.get("default_settings") or {}
    days = (settings.get("invoice_settings") or {}).get("days_until_due")
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
        collection_method=settings.get("collection_method") or "charge_automatically",
        days_until_due=int(days) if days is not None else None,
    )


def _coupons(obj: Json) -> tuple[str, ...]:
    """The coupon ids of a phase's or an item's discounts."""
    return tuple(_id(d["coupon"]) for d in obj.get("discounts") or [] if d.get("coupon"))


def _major(price: Price) -> Decimal | None:
    """A price's unit amount in the currency's major unit, as a negotiated amount is written."""
    if price.unit_amount is None:
        return None
    return money.to_major(price.unit_amount, price.currency)


def _two_versions(obj: Json, key: str, first: tuple[int, str], later: tuple[int, str]) -> str:
    """Why a live schedule using two versions of one price cannot be planned.

    A deal names each price by key, once for the whole schedule: the plan would
    show one version's amount for every phase, and the next edit would move
    the other phases to it without a line in the plan.
    """
    deal = convert.identity_hint(obj) or obj["id"]
    return (
        f"deal {deal} (schedule {obj['id']}) uses two versions of price {key}: "
        f"{first[1]} in phase {first[0]} and {later[1]} in phase {later[0]}; "
        "a deal names one version per price, so its plan could not show what each phase "
        "bills. Move the phases to one version in Stripe, or remove the deal from the "
        "catalog, then plan again."
    )


def _used_prices(
    client: stripe.StripeClient,
    prices: KindState[Price],
    schedules: list[Json],
    concurrency: int,
    limiter: TokenBucket,
) -> dict[str, Remote[Price]]:
    """Every price the schedules use, by id; ``lookup_key`` is the key the deal knows it by.

    A replaced price lost its lookup key to the new price but keeps
    ``catalogsync_key``: it is read by id and stands for that key. Prices
    the lists did not return are read by id.
    """
    known = {r.id: r for r in (*prices.managed.values(), *prices.unmanaged)}
    items = [
        i
        for o in schedules
        for p in o["phases"]
        for i in (*p["items"], *(p.get("add_invoice_items") or []))
    ]
    used = {_id(i["price"]) for i in items}
    # An inline price (a negotiated amount) needs only its amount: the item names its key.
    inline = {_id(i["price"]) for i in items if (i.get("metadata") or {}).get(INLINE_PRICE_KEY)}
    out = {
        pid: known[pid]
        for pid in used
        if pid in known and (known[pid].resource.lookup_key or pid in inline)
    }
    tasks: dict[str, Callable[[], Any]] = {
        pid: partial(_retrieve_price, client, pid, limiter) for pid in sorted(used - out.keys())
    }
    for pid, obj in run_all(tasks, concurrency).items():
        key = obj.get("lookup_key") or convert.identity_hint(obj) or ""
        price = replace(convert.price(obj, {}), lookup_key=key)
        out[pid] = convert.remote(obj, price)
    return out


def _retrieve_price(client: stripe.StripeClient, price_id: str, limiter: TokenBucket) -> Json:
    # Expanded like the price lists: the plan shows the currency options it bills.
    params: Any = {"expand": ["currency_options", "tiers"]}
    try:
        obj: Json = paced(lambda: client.v1.prices.retrieve(price_id, params), limiter).to_dict()
    except stripe.StripeError as e:
        raise GatewayError(f"reading price {price_id} failed: {describe_error(e)}") from None
    return obj


def _customers(
    client: stripe.StripeClient,
    deals: Iterable[Deal],
    schedules: Mapping[str, Remote[Schedule]],
    listed: list[Json] | None,
    *,
    concurrency: int,
    limiter: TokenBucket,
) -> dict[str, str]:
    """Deal key -> the id of the one customer its reference names.

    ``listed``: every customer of the account, or None when it was not read.
    """
    out: dict[str, str] = {}
    pending: list[Deal] = []
    for deal in deals:
        existing = schedules.get(deal.key)
        if (
            deal.customer.id is not None
            and existing
            and existing.resource.customer == deal.customer.id
        ):
            out[deal.key] = deal.customer.id  # the schedule proves the customer exists
        else:
            pending.append(deal)
    refs = {_name(d.customer): d.customer for d in pending}
    if listed is None:
        tasks = {name: partial(_look_up, client, ref, limiter) for name, ref in refs.items()}
        matches: Mapping[str, list[str]] = run_all(tasks, concurrency)
    else:
        matches = _match_listed(refs, listed)
    errors = []
    for deal in pending:
        found = matches[_name(deal.customer)]
        if len(found) == 1:
            out[deal.key] = found[0]
        else:
            errors.append(_not_one(deal, found))
    if errors:
        raise PlanError("\n".join(sorted(errors)))
    return out


def _name(ref: CustomerRef) -> str:
    return f"id {ref.id}" if ref.id is not None else f"email {ref.email}"


def _match_listed(refs: Mapping[str, CustomerRef], customers: list[Json]) -> dict[str, list[str]]:
    """The ids of the listed customers each named reference names (emails compared
    exactly, as Stripe's ``email`` filter does:
    docs.stripe.com/api/customers/list#list_customers-email)."""
    by_email: dict[str, list[str]] = {}
    for c in customers:
        if c.get("email"):
            by_email.setdefault(c["email"], []).append(c["id"])
    ids = {c["id"] for c in customers}
    return {
        name: ([ref.id] if ref.id in ids else [])
        if ref.id is not None
        else sorted(by_email.get(ref.email or "", []))
        for name, ref in refs.items()
    }


def _look_up(client: stripe.StripeClient, ref: CustomerRef, limiter: TokenBucket) -> list[str]:
    """The ids of the customers one reference names, asked of Stripe."""
    if ref.email is not None:
        found = list_all(raw_lister(client, "/v1/customers"), {"email": ref.email}, limiter=limiter)
        return sorted(c["id"] for c in found)
    customer_id = ref.id or ""
    try:
        customer = paced(lambda: client.v1.customers.retrieve(customer_id), limiter)
    except stripe.InvalidRequestError as e:
        if e.code != "resource_missing":
            raise GatewayError(
                f"reading customer {customer_id} failed: {describe_error(e)}"
            ) from None
        return []
    except stripe.StripeError as e:
        raise GatewayError(f"reading customer {customer_id} failed: {describe_error(e)}") from None
    # A deleted customer is still retrievable, marked deleted; the list leaves it out.
    return [] if getattr(customer, "deleted", False) else [customer_id]


def _not_one(deal: Deal, found: list[str]) -> str:
    """The error for a reference naming no customer, or several."""
    ref = deal.customer
    if ref.id is not None:
        return f"deal {deal.key}: no customer {ref.id} in this account"
    if not found:
        return f"deal {deal.key}: no customer has the email {ref.email}"
    return (
        f"deal {deal.key}: {len(found)} customers have the email {ref.email} "
        f"({', '.join(found)}); name the customer by id instead (customer: {{id: cus_…}})"
    )


def _prefer(current: Remote[Schedule] | None, new: Remote[Schedule]) -> Remote[Schedule]:
    if current is None:
        return new
    rank = (new.resource.status in OPEN_STATUSES, new.created)
    return new if rank > (current.resource.status in OPEN_STATUSES, current.created) else current


def _id(value: Any) -> str:
    return str(value["id"] if isinstance(value, dict) else value)
