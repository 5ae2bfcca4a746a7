"""Deals: create, update or end subscription schedules.

A deal's phases (resolved from its ramp, see `catalogsync.deals`) are
compared with the schedule's stored phases by content and dates, never
against a clock: which phases have started comes from Stripe's own
``status`` and ``current_phase``, so time passing never shows as a change.

- new deal: `Create` (the whole timeline);
- changed deal: `Update` carrying the whole timeline before and after;
  only phases that have not started may differ (the executor resends the
  current phase with its start date unchanged). A difference in a started
  or ended phase is a `PlanError` naming the deal, the phase and its dates;
- deal removed from the catalog: `Archive` (release: the subscription
  continues without the schedule) or `Delete` (cancel: the subscription
  ends), by the schedule's ``end_behavior``.

Every phase value names where it came from (``ramp enterprise_3yr, phase
2``), so a ramp change shows on each deal it moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from catalogsync.deals import OPEN_STATUSES, DatedPhase, Schedule, resolve
from catalogsync.errors import PlanError
from catalogsync.model import Catalog, Deal, Remote
from catalogsync.periods import utc_day
from catalogsync.plan.compare.common import metadata_changes
from catalogsync.plan.operations import (
    Archive,
    Create,
    Delete,
    FieldChange,
    Operation,
    Target,
    Update,
)
from catalogsync.plan.state import RemoteState
from catalogsync.plan.values import Value

ENDED, CURRENT, UPCOMING = "ended", "current", "upcoming"


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Operations for every deal; all refused deals are reported together."""
    ops: list[Operation] = []
    errors: list[str] = []
    for _key, deal in sorted(desired.deals.items()):
        try:
            ops.extend(_deal(deal, desired, remote))
        except PlanError as e:
            errors.append(str(e))
    for key, have in sorted(remote.deals.schedules.items()):
        if key not in desired.deals and have.resource.status in OPEN_STATUSES:
            ops.append(_removal(key, have))
    if errors:
        raise PlanError("\n".join(errors))
    return ops


def _removal(key: str, have: Remote[Schedule]) -> Operation:
    target = Target("deal", key, have.id)
    return Archive(target) if have.resource.end_behavior == "release" else Delete(target)


def _deal(deal: Deal, catalog: Catalog, remote: RemoteState) -> Iterator[Operation]:
    customer = remote.deals.customers.get(deal.key)
    if customer is None:
        raise PlanError(f"deal {deal.key}: its customer was not resolved")
    want = resolve(deal, catalog.ramps)
    have = remote.deals.schedules.get(deal.key)
    if have is None:
        yield _create(deal, want, customer, catalog, remote)
        return
    schedule = have.resource
    if schedule.customer != customer:
        raise PlanError(
            f"deal {deal.key}: the customer changed from {schedule.customer} to {customer}; "
            "a schedule's customer cannot change (give the deal a new key instead)"
        )
    started = schedule.started()
    _check_started(deal.key, want, schedule, started)
    changes = list(_changes(deal, want, schedule, started, catalog))
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
    yield Update(Target("deal", deal.key, have.id), tuple(changes), owned, refs, deal.source)


def _create(
    deal: Deal,
    want: tuple[DatedPhase, ...],
    customer: str,
    catalog: Catalog,
    remote: RemoteState,
) -> Create:
    fields: dict[str, Value] = {
        "customer": deal.customer.email or deal.customer.id,
        "start_date": deal.start_date.isoformat(),
        "end_behavior": deal.end_behavior,
        "phases": phase_values(want, 0, None, catalog),
    }
    if deal.ramp is not None:
        fields["ramp"] = deal.ramp
    if deal.metadata:
        fields["metadata"] = dict(sorted(deal.metadata.items()))
    refs = _refs(want, customer, {}, remote)
    return Create(Target("deal", deal.key), fields, refs, deal.source)


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
    return f"its trial would change from {have.trial} to {want.trial}".lower()


def items_text(phase: DatedPhase) -> str:
    """``50 expert_seat_annual, 1 onboarding``."""
    return ", ".join(f"{i.quantity} {i.price}" for i in phase.items)


def _changes(
    deal: Deal,
    want: tuple[DatedPhase, ...],
    schedule: Schedule,
    started: int,
    catalog: Catalog,
) -> Iterator[FieldChange]:
    upcoming_want = [p.content() for p in want[started:]]
    upcoming_have = [p.content() for p in schedule.phases[started:]]
    if upcoming_want != upcoming_have:
        before = phase_values(schedule.phases, started, schedule, catalog)
        after = phase_values(want, started, schedule, catalog)
        yield FieldChange("phases", before, after)
    if deal.end_behavior != schedule.end_behavior:
        yield FieldChange("end_behavior", schedule.end_behavior, deal.end_behavior)


def phase_values(
    phases: Sequence[DatedPhase], started: int, schedule: Schedule | None, catalog: Catalog
) -> tuple[Value, ...]:
    """Phases as plan values, each marked ended, current or upcoming.

    Items and discounts carry the catalog's amounts for the timeline
    (display only: the schedule refers to prices and coupons by id).
    """
    current = schedule.current_start if schedule is not None else None
    out: list[Value] = []
    for n, phase in enumerate(phases):
        state = UPCOMING
        if n < started:
            state = CURRENT if phase.start == current else ENDED
        out.append(_phase_value(phase, state, catalog))
    return tuple(out)


def _phase_value(phase: DatedPhase, state: str, catalog: Catalog) -> Value:
    items = tuple(_item_value(i.price, i.quantity, catalog) for i in phase.items)
    currency = next((i["currency"] for i in items if "currency" in i), None)
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
    return value


def _item_value(key: str, quantity: int, catalog: Catalog) -> dict[str, Value]:
    value: dict[str, Value] = {"price": key, "quantity": quantity}
    price = catalog.prices.get(key)
    if price is not None:
        value["currency"] = price.currency
        if price.unit_amount is not None:
            value["unit_amount"] = price.unit_amount
        if price.recurring is not None:
            value["interval"] = price.recurring.interval
            value["interval_count"] = price.recurring.interval_count
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
    """The customer id and price ids known at plan time (``price.<lookup key>``).

    A price the schedule already uses keeps its id (the contract's price,
    even if the lookup key has since moved to a replacement); a price this
    plan creates is resolved by the executor.
    """
    refs = {"customer": customer}
    for key in sorted({i.price for p in want for i in p.items}):
        price_id = pinned.get(key) or _price_id(key, remote)
        if price_id is not None:
            refs[f"price.{key}"] = price_id
    return refs
