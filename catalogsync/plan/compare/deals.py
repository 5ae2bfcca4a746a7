"""Deals: create, update or end subscription schedules.

A deal's phases (resolved from its ramp, see `catalogsync.deals`) are
compared with the schedule's stored phases by content and dates, never
against a clock: which phases have started comes from Stripe's own
``status`` and ``current_phase``, so time passing never shows as a change.

- new deal, or one whose schedule ended early (released or cancelled
  before its last phase: the deal is live only while its schedule is
  ``not_started`` or ``active``): `CreateDeal` (the whole timeline), naming the
  customer's billable subscriptions (a second subscription is a warning);
- changed deal: `UpdateDeal` carrying the whole timeline before and after;
  only phases that have not started may differ (the executor resends the
  current phase with its start date unchanged). A difference in a started
  or ended phase is a `PlanError` naming the deal, the phase and its dates;
- deal naming a schedule made outside catalogsync (``schedule:``, written
  by ``import --deals``): `AdoptDeal` (the markers only), refused unless the
  deal says exactly what the schedule holds;
- deal removed from the catalog: `ReleaseDeal` (the subscription
  continues without the schedule) or `CancelDeal` (the subscription
  ends), by the schedule's ``end_behavior``, carrying the schedule's status
  and phases so the plan says which phases will not be billed.

Every phase value names where it came from (``ramp enterprise_3yr, phase
2``), so a ramp change shows on each deal it moves. Deals keep the price
they were signed at: an item whose schedule uses an earlier version of a
price (the lookup key has moved to a replacement, or moves in this plan)
keeps that price id, and its plan value carries that version's amounts
(``version: earlier version, archived``), so the timeline shows what the
schedule bills and apply sends the same id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from catalogsync import money
from catalogsync.changes import FieldChange
from catalogsync.deals import (
    CURRENT,
    ENDED,
    INVOICING_TERMS,
    OPEN_STATUSES,
    UPCOMING,
    DatedPhase,
    Schedule,
    resolve,
)
from catalogsync.errors import PlanError
from catalogsync.model import Catalog, Deal, PhaseItem, Price, Remote
from catalogsync.periods import utc_day
from catalogsync.plan.compare.common import metadata_changes
from catalogsync.plan.operations import (
    AdoptDeal,
    CancelDeal,
    CreateDeal,
    Operation,
    ReleaseDeal,
    Replace,
    Target,
    UpdateDeal,
)
from catalogsync.state import RemoteState
from catalogsync.values import Value


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Operations for every deal; all refused deals are reported together."""
    ops: list[Operation] = []
    errors: list[str] = []
    for _key, deal in sorted(desired.deals.items()):
        try:
            ops.extend(_deal(deal, desired, remote, earlier))
        except PlanError as e:
            errors.append(str(e))
    for key, have in sorted(remote.deals.schedules.items()):
        if key not in desired.deals and have.resource.live():
            ops.append(_removal(key, have, Pricing(desired, remote, earlier, have.resource)))
    if errors:
        raise PlanError("\n".join(errors))
    return ops


def _removal(key: str, have: Remote[Schedule], pricing: Pricing) -> Operation:
    """Release or cancel a live schedule, with what it would still have billed."""
    schedule = have.resource
    details: dict[str, Value] = {
        "status": schedule.status,
        "phases": phase_values(schedule.phases, schedule.started(), schedule, pricing),
    }
    target = Target("deal", key, have.id)
    if schedule.end_behavior == "release":
        return ReleaseDeal(target, details=details)
    return CancelDeal(target, details=details)


def _deal(
    deal: Deal, catalog: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterator[Operation]:
    customer = remote.deals.customers.get(deal.key)
    if customer is None:
        raise PlanError(f"deal {deal.key}: its customer was not resolved")
    want = resolve(deal, catalog.ramps)
    have = remote.deals.schedules.get(deal.key)
    if have is None and deal.schedule is not None:
        yield _adopt(deal, want, customer, remote)
        return
    if have is None or have.resource.ended_early():
        # A schedule released or cancelled early no longer bills the deal: a new one does.
        yield _create(deal, want, customer, Pricing(catalog, remote, earlier), remote, ended=have)
        return
    schedule = have.resource
    if schedule.customer != customer:
        raise PlanError(
            f"deal {deal.key}: the customer changed from {schedule.customer} to {customer}; "
            "a schedule's customer cannot change (give the deal a new key instead)"
        )
    started = schedule.started()
    want = _keep_started_prorations(want, schedule, started)
    _check_started(deal.key, want, schedule, started)
    pricing = Pricing(catalog, remote, earlier, schedule)
    changes = list(_changes(deal, want, schedule, started, pricing))
    changes.extend(metadata_changes(deal.metadata, have))
    if not changes:
        return
    if schedule.status not in OPEN_STATUSES:
        fields = ", ".join(c.field for c in changes)
        raise PlanError(
            f"deal {deal.key}: its schedule {have.id} is {schedule.status}; "
            f"{fields} can no longer change"
        )
    refs = _refs(want, customer, schedule.price_ids, remote)
    owned = tuple(sorted(deal.metadata))
    yield UpdateDeal(Target("deal", deal.key, have.id), tuple(changes), owned, refs, deal.source)


def _adopt(
    deal: Deal, want: tuple[DatedPhase, ...], customer: str, remote: RemoteState
) -> AdoptDeal:
    """Take over the schedule the deal names: its markers (and declared metadata) only.

    Adopting never changes what the schedule bills, so the deal must say
    exactly what the schedule holds (``import --deals`` writes it so); a
    change comes in a later plan, once catalogsync manages the schedule.
    """
    found = remote.deals.unmanaged.get(str(deal.schedule))
    where = f"deal {deal.key}: schedule {deal.schedule}"
    if found is None:
        raise PlanError(
            f"{where} is not an open (not_started or active) schedule outside catalogsync "
            "in this account; nothing to adopt"
        )
    have = found.resource
    if found.unmodelled:
        raise PlanError(
            f"{where} has settings a deal cannot express ({', '.join(found.unmodelled)}); "
            "adopting it would hide them from review, so it is left alone"
        )
    if have.customer != customer:
        raise PlanError(f"{where} belongs to customer {have.customer}, not {customer}")
    if differences := _adoption_differences(deal, want, have):
        raise PlanError(
            f"{where}: adopting only adds catalogsync's markers, and the deal differs from "
            f"the schedule: {'; '.join(differences)}. Make the deal match the schedule "
            "(`catalogsync import --deals` writes it), adopt, then change it"
        )
    changes = tuple(metadata_changes(deal.metadata, found))
    refs = _refs(want, customer, have.price_ids, remote)
    owned = tuple(sorted(deal.metadata))
    return AdoptDeal(Target("deal", deal.key, found.id), changes, owned, refs, deal.source)


def _adoption_differences(deal: Deal, want: tuple[DatedPhase, ...], have: Schedule) -> list[str]:
    """What the deal says that the schedule it would adopt does not (empty: they agree)."""
    differences = [
        f"phase {n + 1} ({utc_day(h.start)} → {utc_day(h.end)}): {_difference(w, h)}"
        for n, (w, h) in enumerate(zip(want, have.phases, strict=False))
        if w.content() != h.content()
    ]
    if len(want) != len(have.phases):
        differences.append(f"the deal has {len(want)} phases, the schedule {len(have.phases)}")
    if deal.end_behavior != have.end_behavior:
        differences.append(f"end_behavior would become {deal.end_behavior}")
    differences += [f"{name} would become {now}" for name, _, now in invoicing_terms(have, deal)]
    return differences


def _create(
    deal: Deal,
    want: tuple[DatedPhase, ...],
    customer: str,
    pricing: Pricing,
    remote: RemoteState,
    *,
    ended: Remote[Schedule] | None,
) -> CreateDeal:
    fields: dict[str, Value] = {
        "customer": deal.customer.email or deal.customer.id,
        "start_date": deal.start_date.isoformat(),
        "end_behavior": deal.end_behavior,
        "phases": phase_values(want, 0, None, pricing),
    }
    fields.update({name: after for name, _, after in invoicing_terms(None, deal)})
    if deal.proration_behavior != Deal.proration_behavior:
        fields["proration_behavior"] = deal.proration_behavior
    if deal.ramp is not None:
        fields["ramp"] = deal.ramp
    if deal.metadata:
        fields["metadata"] = dict(sorted(deal.metadata.items()))
    if ended is not None and ended.resource.ended_at is not None:
        fields["ended_schedule"] = {
            "id": ended.id,
            "status": ended.resource.status,
            "ended_at": ended.resource.ended_at,
        }
    others = remote.deals.subscriptions.get(deal.key)
    if others:
        fields["existing_subscriptions"] = others
    refs = _refs(want, customer, {}, remote)
    return CreateDeal(Target("deal", deal.key), fields, refs, deal.source)


def _keep_started_prorations(
    want: tuple[DatedPhase, ...], schedule: Schedule, started: int
) -> tuple[DatedPhase, ...]:
    """A started phase keeps the proration it was entered with: that transition is past."""
    return tuple(
        replace(p, proration_behavior=schedule.phases[n].proration_behavior)
        if n < min(started, len(schedule.phases))
        else p
        for n, p in enumerate(want)
    )


def _check_started(
    key: str, want: tuple[DatedPhase, ...], schedule: Schedule, started: int
) -> None:
    """Refuse any difference in a phase that has started or ended."""
    for n, have in enumerate(schedule.phases[:started]):
        if n < len(want) and want[n].content() == have.content():
            continue
        when = (
            "has ended"
            if n < started - 1 or schedule.status not in OPEN_STATUSES
            else ("is the current phase")
        )
        what = "would be removed" if n >= len(want) else _difference(want[n], have)
        raise PlanError(
            f"deal {key}: phase {n + 1} ({utc_day(have.start)} → {utc_day(have.end)}) {when}; "
            f"{what}. Started and ended phases cannot change: edit only phases that have "
            "not started, or add a phase after them"
        )
    if schedule.status not in OPEN_STATUSES and len(want) > len(schedule.phases):
        n = len(schedule.phases)
        raise PlanError(
            f"deal {key}: its schedule is {schedule.status}; phase {n + 1} "
            f"({utc_day(want[n].start)} → {utc_day(want[n].end)}) cannot be added to it"
        )


def _difference(want: DatedPhase, have: DatedPhase) -> str:
    """Which part of a phase the catalog changes, in words."""
    if (want.start, want.end) != (have.start, have.end):
        return f"its dates would become {utc_day(want.start)} → {utc_day(want.end)}"
    if want.content()[2] != have.content()[2]:
        return f"its items would change from {items_text(have)} to {items_text(want)}"
    if want.discounts != have.discounts:
        before, after = ", ".join(have.discounts) or "none", ", ".join(want.discounts) or "none"
        return f"its discounts would change from {before} to {after}"
    if want.trial != have.trial:
        return f"its trial would change from {have.trial} to {want.trial}".lower()
    if want.content()[-1] != have.content()[-1]:
        before = ", ".join(f"{i.quantity} {i.price}" for i in have.one_off) or "none"
        after = ", ".join(f"{i.quantity} {i.price}" for i in want.one_off) or "none"
        return f"its one-off would change from {before} to {after}"
    return (
        f"its proration_behavior would change from {have.proration_behavior} "
        f"to {want.proration_behavior}"
    )


def items_text(phase: DatedPhase) -> str:
    """``50 expert_seat_annual, 1 onboarding``."""
    return ", ".join(f"{i.quantity} {i.price}" for i in phase.items)


def _changes(
    deal: Deal,
    want: tuple[DatedPhase, ...],
    schedule: Schedule,
    started: int,
    pricing: Pricing,
) -> Iterator[FieldChange]:
    upcoming_want = [p.content() for p in want[started:]]
    upcoming_have = [p.content() for p in schedule.phases[started:]]
    if upcoming_want != upcoming_have:
        before = phase_values(schedule.phases, started, schedule, pricing)
        after = phase_values(want, started, schedule, pricing)
        yield FieldChange("phases", before, after)
    if deal.end_behavior != schedule.end_behavior:
        yield FieldChange("end_behavior", schedule.end_behavior, deal.end_behavior)
    for name, was, now in invoicing_terms(schedule, deal):
        yield FieldChange(name, was, now)


def invoicing_terms(have: Schedule | None, want: Deal) -> Iterator[tuple[str, Value, Value]]:
    """The invoicing terms that differ: how invoices are paid, and in how many days."""
    for name in INVOICING_TERMS:
        before = getattr(have, name) if have is not None else getattr(Deal, name)
        after = getattr(want, name)
        if before != after:
            yield name, before, after


class Pricing:
    """Which price each item of a deal bills: the amounts the plan shows for it.

    An item whose schedule already uses a price keeps that price id (apply
    sends it: `_refs`); when that id is not the version the lookup key holds
    after this plan (the key moved to a replacement, or moves in this plan),
    the item shows that earlier version's amounts. Every other item bills
    the catalog's price.
    """

    def __init__(
        self,
        catalog: Catalog,
        remote: RemoteState,
        earlier: Sequence[Operation],
        schedule: Schedule | None = None,
    ) -> None:
        self.catalog = catalog
        self._remote = remote
        self._pinned = schedule.price_ids if schedule is not None else {}
        self._replaced = {
            op.target.key for op in earlier if isinstance(op, Replace) and op.target.kind == "price"
        }

    def price(self, key: str) -> tuple[Price | None, str | None]:
        """The price an item with lookup key ``key`` bills, and its version note."""
        pinned = self._pinned.get(key)
        held = self._remote.deals.prices.get(pinned) if pinned else None
        listed = self.catalog.prices.get(key)
        if held is None:
            return listed, None
        current = self._remote.prices.managed.get(key)
        replaced = key in self._replaced
        if current is not None and current.id == pinned and not replaced:
            return listed or held.resource, None  # the version the catalog describes
        archived = replaced or not held.resource.active
        notes = [EARLIER_VERSION] if current is not None else []
        notes += ["archived"] if archived else []
        return held.resource, ", ".join(notes) or None


EARLIER_VERSION = "earlier version"


def phase_values(
    phases: Sequence[DatedPhase], started: int, schedule: Schedule | None, pricing: Pricing
) -> tuple[Value, ...]:
    """Phases as plan values, each marked ended, current or upcoming.

    Items carry the amounts of the price they bill (`Pricing`) and discounts
    the catalog's, for the timeline (display only: the schedule refers to
    prices and coupons by id).
    """
    current = schedule.current_start if schedule is not None else None
    out: list[Value] = []
    for n, phase in enumerate(phases):
        state = UPCOMING
        if n < started:
            state = CURRENT if phase.start == current else ENDED
        out.append(_phase_value(phase, state, pricing))
    return tuple(out)


def _phase_value(phase: DatedPhase, state: str, pricing: Pricing) -> Value:
    items = tuple(_item_value(i, pricing) for i in phase.items)
    currency = next((i["currency"] for i in items if "currency" in i), None)
    catalog = pricing.catalog
    value: dict[str, Value] = {
        "start_date": phase.start,
        "end_date": phase.end,
        "items": items,
        "discounts": tuple(_discount_value(c, currency, catalog) for c in phase.discounts),
        "trial": phase.trial,
        "state": state,
    }
    if phase.duration is not None:
        value["duration"] = {"interval": phase.duration[0], "count": phase.duration[1]}
    if phase.origin is not None:
        value["origin"] = phase.origin
    if phase.proration_behavior != DatedPhase.proration_behavior:
        value["proration_behavior"] = phase.proration_behavior
    if phase.one_off:
        value["one_off"] = tuple(_item_value(i, pricing) for i in phase.one_off)
    return value


def _item_value(item: PhaseItem, pricing: Pricing) -> dict[str, Value]:
    """The item's price and quantity, and the amounts it bills.

    A negotiated item bills an inline price: ``unit_amount`` is the deal's
    amount (minor units), ``list_unit_amount`` the catalog price's, and
    ``product`` the product the inline price is made for.
    """
    value: dict[str, Value] = {"price": item.price, "quantity": item.quantity}
    price, version = pricing.price(item.price)
    if item.unit_amount is not None:
        price, version = pricing.catalog.prices.get(item.price), None
    if version is not None:
        value["version"] = version
    if price is None:
        return value
    value["currency"] = price.currency
    if price.unit_amount is not None:
        value["unit_amount"] = price.unit_amount
    if price.recurring is not None:
        value["interval"] = price.recurring.interval
        value["interval_count"] = price.recurring.interval_count
    if item.unit_amount is not None:
        value["list_unit_amount"] = price.unit_amount
        value["unit_amount"] = money.to_minor(item.unit_amount, price.currency)
        value["product"] = price.product
    if item.discounts:
        catalog = pricing.catalog
        value["discounts"] = tuple(
            _discount_value(c, price.currency, catalog) for c in item.discounts
        )
    return value


def _discount_value(coupon_id: str, currency: Value, catalog: Catalog) -> Value:
    value: dict[str, Value] = {"coupon": coupon_id}
    coupon = catalog.coupons.get(coupon_id)
    if coupon is None:
        return value
    if coupon.percent_off is not None:
        value["percent_off"] = coupon.percent_off
    amount = _amount_off(coupon.amount_off, coupon.currency, coupon.currency_options, currency)
    if amount is not None:
        value["amount_off"] = amount
    return value


def _amount_off(
    amount: Decimal | None,
    currency: str | None,
    options: Mapping[str, Decimal] | None,
    wanted: Value,
) -> Decimal | None:
    """An amount-off coupon's amount in the phase's currency, if it has one."""
    if amount is not None and currency == wanted:
        return amount
    return (options or {}).get(str(wanted))


def _price_id(key: str, remote: RemoteState) -> str | None:
    existing = remote.prices.managed.get(key)
    if existing is not None:
        return existing.id
    # An unmanaged price the plan adopts keeps its id.
    return next((r.id for r in remote.prices.unmanaged if r.resource.lookup_key == key), None)


def _refs(
    want: tuple[DatedPhase, ...],
    customer: str,
    pinned: Mapping[str, str],
    remote: RemoteState,
) -> dict[str, str]:
    """The customer id and price ids known at plan time.

    ``pinned.<lookup key>``: a price the schedule already uses keeps its id
    (the contract's price, even if the lookup key has moved, or moves in
    this plan, to a replacement): apply sends exactly that id.
    ``price.<lookup key>``: the price holding the key now; one this plan
    creates or replaces is resolved by the executor.
    """
    refs = {"customer": customer}
    for key in sorted({i.price for p in want for i in (*p.items, *p.one_off)}):
        if key in pinned:
            refs[f"pinned.{key}"] = pinned[key]
            continue
        price_id = _price_id(key, remote)
        if price_id is not None:
            refs[f"price.{key}"] = price_id
    return refs
