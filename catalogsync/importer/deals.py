"""Existing contracts as Deals: one per open (``not_started``/``active``) schedule.

``import --deals`` writes a Deal with inline phases for each open schedule:
one catalogsync manages keeps its key (so a fresh import plans no release),
and one made elsewhere gets ``schedule:`` naming it and a generated key, so
the next plan adopts that schedule (markers only) instead of creating
another. Invoicing terms (collection method, days until due) and the
phases' one proration behavior are written too. The deal must bill exactly
as the schedule does, so a schedule is
refused, naming it and the field, when the format cannot say what it holds:
a setting other than Stripe's default (`convert.unmodelled_schedule_fields`),
a price or coupon the imported catalog does not hold as the schedule uses
it, or phase dates that are not whole days, weeks, months or years from a
midnight (UTC) start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from catalogsync.deals import DatedPhase, Schedule
from catalogsync.importer.documents import Document, Inline, InlineList
from catalogsync.importer.select import unique_key
from catalogsync.model import Catalog, Deal, Price, Remote
from catalogsync.periods import add_interval, utc_day
from catalogsync.state import RemoteState

# The longest of each interval a phase is tried against (Stripe: at most 3 years).
_COUNTS = {"year": 3, "month": 36, "week": 156, "day": 1095}


@dataclass(frozen=True)
class ImportedDeals:
    documents: tuple[Document, ...]
    unexpressible: tuple[str, ...]  # "schedule sub_sched_… (customer cus_…): phases[1].metadata"


def import_deals(
    state: RemoteState, catalog: Catalog, *, adopt: bool, today: date
) -> ImportedDeals:
    """A Deal document per open schedule outside catalogsync, or why it cannot be one."""
    documents: list[Document] = []
    refused: list[str] = []
    managed = {k: r for k, r in state.deals.schedules.items() if r.resource.live()}
    taken: set[str] = set(managed)
    price_ids = {r.id: r.resource.lookup_key for r in _prices(state)}
    foreign = sorted(state.deals.unmanaged.values(), key=lambda r: (r.created, r.id))
    for remote in [*(managed[k] for k in sorted(managed)), *foreign]:
        # A managed schedule may stay on an earlier version of a price (the plan pins it).
        known = None if remote.managed else price_ids
        problems = [*remote.unmodelled, *_unknown(remote.resource, catalog, known)]
        durations = _durations(remote.resource.phases)
        if len({p.proration_behavior for p in remote.resource.phases}) > 1:
            problems.append("phases[].proration_behavior (differs between phases)")
        if durations is None:
            problems.append("phases (dates not whole days, weeks, months or years from 00:00 UTC)")
        if problems:
            who = f"schedule {remote.id} (customer {remote.resource.customer})"
            refused.append(f"{who}: {', '.join(problems)}")
            continue
        assert durations is not None
        key = remote.resource.key if remote.managed else _key(remote.resource, taken)
        taken.add(key)
        documents.append(_document(key, remote, durations, adopt, today))
    return ImportedDeals(tuple(documents), tuple(refused))


def _prices(state: RemoteState) -> Iterator[Remote[Price]]:
    yield from state.prices.managed.values()
    yield from state.prices.unmanaged


def _unknown(
    schedule: Schedule, catalog: Catalog, price_ids: Mapping[str, str | None] | None
) -> list[str]:
    """Items whose price, and coupons, the imported catalog does not name as the schedule does.

    With ``price_ids`` (price id -> lookup key), the price holding the key
    must be the very price the schedule bills.
    """
    out = []
    for n, phase in enumerate(schedule.phases, start=1):
        for i, item in enumerate(phase.items, start=1):
            price_id = schedule.price_ids.get(item.price, item.price)
            exact = price_ids is None or price_ids.get(price_id) == item.price
            if item.price not in catalog.prices or not exact:
                out.append(f"phases[{n}].items[{i}].price ({price_id}: no imported lookup key)")
        out += [
            f"phases[{n}].discounts ({coupon} is not imported)"
            for coupon in phase.discounts
            if coupon not in catalog.coupons
        ]
    return out


def _durations(phases: tuple[DatedPhase, ...]) -> list[tuple[str, int]] | None:
    """Each phase's (interval, count) as the catalog dates them, or None if one has none.

    Phases are dated from the first phase's start day (`periods.consecutive`).
    """
    if not phases or phases[0].start % 86400:
        return None
    anchor = datetime.fromtimestamp(phases[0].start, UTC).day
    out = []
    for phase in phases:
        found = next(
            (
                (interval, count)
                for interval, most in _COUNTS.items()
                for count in range(1, most + 1)
                if add_interval(phase.start, interval, count, anchor) == phase.end
            ),
            None,
        )
        if found is None:
            return None
        out.append(found)
    return out


def _key(schedule: Schedule, taken: set[str]) -> str:
    """``cus_Globex42_2027_03_01``: the customer and the start day, unique among ``taken``."""
    day = utc_day(schedule.phases[0].start).replace("-", "_")
    return unique_key(f"{schedule.customer}_{day}", taken)


def _document(
    key: str,
    remote: Remote[Schedule],
    durations: list[tuple[str, int]],
    adopt: bool,
    today: date,
) -> Document:
    schedule = remote.resource
    start = datetime.fromtimestamp(schedule.phases[0].start, UTC).date()
    doc: Document = {"kind": "Deal", "key": key, "customer": schedule.customer}
    if not remote.managed:
        doc["schedule"] = remote.id
    doc["start_date"] = start
    if start < today:
        doc["backdate"] = True  # the schedule already runs: adopting it creates nothing
    doc["end_behavior"] = schedule.end_behavior
    if schedule.collection_method != Deal.collection_method:
        doc["collection_method"] = schedule.collection_method
    if schedule.days_until_due is not None:
        doc["days_until_due"] = schedule.days_until_due
    prorations = schedule.phases[0].proration_behavior
    if prorations != Deal.proration_behavior:
        doc["proration_behavior"] = prorations
    doc["phases"] = [_phase(p, d) for p, d in zip(schedule.phases, durations, strict=True)]
    # Keys others wrote stay theirs unless --adopt, as for every imported object.
    metadata = {k: v for k, v in schedule.metadata.items() if adopt or k in remote.owned_metadata}
    if metadata:
        doc["metadata"] = Inline(sorted(metadata.items()))
    return doc


def _phase(phase: DatedPhase, duration: tuple[str, int]) -> Document:
    interval, count = duration
    out: Document = {
        "duration": Inline(interval=interval, **({"count": count} if count > 1 else {})),
        "items": [
            Inline(price=i.price, **({"quantity": i.quantity} if i.quantity != 1 else {}))
            for i in phase.items
        ],
    }
    if phase.discounts:
        out["discounts"] = InlineList(phase.discounts)
    if phase.trial:
        out["trial"] = True
    return out
