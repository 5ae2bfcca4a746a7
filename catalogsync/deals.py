"""Deals as concrete schedules: phases resolved from a ramp, dated from the start date.

A deal names a ramp (plus per-deal overrides and extra phases) or gives its
phases inline. `resolve` turns either form into the phases the deal's
subscription schedule must have, each dated with the same calendar the
emulator uses (`catalogsync.periods`), and `Schedule` is the same shape as
read from Stripe, so the planner compares like with like: content and
dates, never "now".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from catalogsync.model import (
    CollectionMethod,
    Deal,
    Phase,
    PhaseItem,
    PhaseOverride,
    Price,
    ProrationBehavior,
    Ramp,
    Remote,
    Source,
)
from catalogsync.periods import consecutive, day_start

# Metadata on a schedule phase item billed at a negotiated amount: the lookup
# key of the catalog price the inline price stands for (the inline price has none).
INLINE_PRICE_KEY = "catalogsync_price"

ScheduleStatus = Literal["not_started", "active", "completed", "released", "canceled"]
OPEN_STATUSES = frozenset({"not_started", "active"})
# Where a phase stands against the schedule's current phase (the plan and apply
# leave ended phases alone: Stripe keeps them as they were).
ENDED, CURRENT, UPCOMING = "ended", "current", "upcoming"
# The schedule fields that set how a deal's invoices are paid.
INVOICING_TERMS = ("collection_method", "days_until_due")


@dataclass(frozen=True)
class DatedPhase:
    """One phase of a schedule, from ``start`` to ``end`` (unix seconds, end excluded).

    ``origin`` says where a desired phase came from (``ramp enterprise_3yr,
    phase 2``); it is ``None`` for phases read from Stripe.
    """

    start: int
    end: int
    items: tuple[PhaseItem, ...]
    discounts: tuple[str, ...] = ()
    trial: bool = False
    duration: tuple[str, int] | None = None  # (interval, count) of a desired phase
    origin: str | None = None
    proration_behavior: ProrationBehavior = "create_prorations"  # on entering this phase
    one_off: tuple[PhaseItem, ...] = ()  # one-time prices on the phase's first invoice

    def content(self) -> tuple[object, ...]:
        """What must match between catalog and Stripe: dates, items (any order), discounts."""
        items = tuple(sorted(_item_terms(i) for i in self.items))
        one_off = tuple(sorted((i.price, i.quantity) for i in self.one_off))
        terms = (self.discounts, self.trial, self.proration_behavior, one_off)
        return (self.start, self.end, items, *terms)


def _item_terms(item: PhaseItem) -> tuple[object, ...]:
    """An item's price, quantity, negotiated amount (if any) and line-item discounts."""
    negotiated = item.unit_amount is not None
    return (item.price, item.quantity, negotiated, item.unit_amount or 0, item.discounts)


@dataclass(frozen=True)
class Schedule:
    """A managed subscription schedule as read, in the catalog's vocabulary.

    Item prices are lookup keys; ``price_ids`` keeps the Stripe price each
    key stands for in this schedule, so unchanged phases stay on the price
    the contract was signed at. ``current_start`` is the current phase's
    start (``None`` unless the schedule is active).
    """

    key: str
    customer: str
    status: ScheduleStatus
    end_behavior: Literal["release", "cancel"]
    phases: tuple[DatedPhase, ...]
    current_start: int | None = None
    price_ids: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: Source | None = field(default=None, compare=False)  # never in YAML
    ended_at: int | None = None  # when it was released or cancelled (or completed)
    collection_method: CollectionMethod = "charge_automatically"
    days_until_due: int | None = None

    def live(self) -> bool:
        """Whether the schedule still bills the deal: ``not_started`` or ``active``."""
        return self.status in OPEN_STATUSES

    def ended_early(self) -> bool:
        """Released or cancelled before its last phase ended: the contract was cut short.

        A schedule that ran to the end of its last phase (``completed``, or
        ``released`` at its end by ``end_behavior``) still stands for its deal.
        """
        if self.live():
            return False
        end = self.phases[-1].end if self.phases else 0
        return self.ended_at is not None and self.ended_at < end

    def started(self) -> int:
        """How many phases have started (the current one included): those are immutable."""
        if self.status == "not_started":
            return 0
        if self.status == "active" and self.current_start is not None:
            return sum(p.start <= self.current_start for p in self.phases)
        return len(self.phases)


@dataclass(frozen=True)
class DealState:
    """What the gateway read for deals.

    ``schedules``: managed schedules by deal key (an open one preferred, then
    the newest). ``customers``: deal key -> the customer id its reference
    resolved to (deals in the catalog only). ``prices``: every price the
    schedules use, by id, as read (an archived earlier version included), so
    the plan shows the amount a schedule really bills. ``subscriptions``:
    deal key -> the billable subscriptions its customer already has, read
    only for deals that will get a new schedule.
    """

    schedules: Mapping[str, Remote[Schedule]] = field(default_factory=dict)
    customers: Mapping[str, str] = field(default_factory=dict)
    prices: Mapping[str, Remote[Price]] = field(default_factory=dict)
    subscriptions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Open schedules made outside catalogsync, by id (``unmodelled``: settings a Deal lacks).
    unmanaged: Mapping[str, Remote[Schedule]] = field(default_factory=dict)


def resolve(deal: Deal, ramps: Mapping[str, Ramp]) -> tuple[DatedPhase, ...]:
    """The deal's phases, dated from its start date.

    Ramp phases with the deal's overrides applied, then its extra phases; or
    its inline phases. The catalog validator has checked that the ramp exists
    and that override indexes are in range.
    """
    phases = [*_base_phases(deal, ramps), *_labelled(deal.extra_phases, "extra phase")]
    durations = [(p.duration.interval, p.duration.count) for p, _ in phases]
    dates = consecutive(day_start(deal.start_date), durations)
    return tuple(
        DatedPhase(
            start=start,
            end=end,
            items=phase.items,
            discounts=phase.discounts,
            trial=phase.trial,
            duration=(phase.duration.interval, phase.duration.count),
            origin=origin,
            proration_behavior=deal.proration_behavior,
            one_off=deal.one_off if n == 0 else (),  # billed with the first invoice
        )
        for n, ((phase, origin), (start, end)) in enumerate(zip(phases, dates, strict=True))
    )


def _base_phases(deal: Deal, ramps: Mapping[str, Ramp]) -> list[tuple[Phase, str]]:
    if deal.ramp is None:
        return _labelled(deal.phases or (), "phase")
    phases = list(ramps[deal.ramp].phases)
    overridden: set[int] = set()
    for override in deal.overrides:
        n = override.phase - 1  # overrides number phases from 1, as the plan does
        phase = phases[n]
        items = tuple(_overridden(i, override) for i in phase.items)
        discounts = phase.discounts if override.discounts is None else override.discounts
        phases[n] = replace(phase, items=items, discounts=discounts)
        overridden.add(n)
    return [
        (p, f"ramp {deal.ramp}, phase {n + 1}" + (" (overridden)" if n in overridden else ""))
        for n, p in enumerate(phases)
    ]


def _overridden(item: PhaseItem, override: PhaseOverride) -> PhaseItem:
    """A ramp item with the deal's quantity, and its negotiated amount and line-item discounts."""
    item = replace(item, quantity=override.quantities.get(item.price, item.quantity))
    for terms in override.items:
        if terms.price == item.price:
            return replace(item, unit_amount=terms.unit_amount, discounts=terms.discounts)
    return item


def _labelled(phases: tuple[Phase, ...], label: str) -> list[tuple[Phase, str]]:
    return [(p, f"{label} {n + 1}") for n, p in enumerate(phases)]
