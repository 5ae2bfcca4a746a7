"""Migrations as read: the subscriptions on a migration's `from` prices, and their schedules.

The gateway reads each `from` price's subscriptions (one paged list per
price, `gateway/migrations.py`) into `CohortSubscription`s, and says what
each subscription's schedule is (`ScheduleRef`); the planner chooses the
cohort and plans a `MoveSubscription` for each subscription still to move.
What the plan does not move is reported as a `Skipped` with its reason, in
`CohortReport` (outside the digest, like subscriber counts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from catalogsync.model import BILLABLE_STATUSES, Price, Remote


@dataclass(frozen=True)
class CohortItem:
    """A subscription item: its price, quantity and current period ``[start, end)``."""

    id: str  # si_…
    price: str
    quantity: int
    period_start: int
    period_end: int


@dataclass(frozen=True)
class CohortSubscription:
    """A subscription on a `from` price, with what choosing and moving it needs.

    ``customer_metadata`` is read only when a migration filters on it.
    ``more_items``: Stripe returned only the first page of its items.
    """

    id: str
    customer: str
    status: str
    currency: str
    created: int
    items: tuple[CohortItem, ...]
    discounts: tuple[str, ...] = ()
    schedule: str | None = None
    migrated_by: str | None = None  # the subscription's `catalogsync_migration`
    customer_metadata: Mapping[str, str] | None = None
    more_items: bool = False


ScheduleOwner = Literal["migration", "deal", "interrupted", "foreign"]


@dataclass(frozen=True)
class ScheduleRef:
    """Whose a subscription's schedule is.

    ``migration``: a migration's (``key``) schedule moving it later.
    ``deal``: a managed deal's (``key``). ``interrupted``: a schedule with no
    metadata that only mirrors the subscription (one open phase with its
    items, ending with its period): what an apply interrupted between the
    ``from_subscription`` create and the phases update leaves. ``foreign``:
    anything else, never touched.
    """

    id: str
    owner: ScheduleOwner
    key: str | None = None


@dataclass(frozen=True)
class MigrationState:
    """What the gateway read for the catalog's migrations.

    ``sources``: migration key -> for each move, the ids of its `from`
    prices (every version of a lookup key). ``prices``: those prices by id,
    as read. ``subscriptions``: every listed subscription on any of them,
    by id. ``schedules``: the schedules of those subscriptions, by id.
    ``read_at``: the clock when they were read (an ``at: now`` move
    prorates for it); not part of the fingerprint.
    """

    sources: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    prices: Mapping[str, Remote[Price]] = field(default_factory=dict)
    subscriptions: Mapping[str, CohortSubscription] = field(default_factory=dict)
    schedules: Mapping[str, ScheduleRef] = field(default_factory=dict)
    read_at: int = 0

    def impact(self, price_ids: Iterable[str]) -> dict[str, dict[str, int]]:
        """Subscriptions by billable status, for the prices whose subscriptions were listed.

        Each `from` price's list holds every subscription on it that is not
        canceled, as subscriber counts need: a price replaced or archived by
        the plan that is also a `from` price is not listed twice.
        """
        listed = set(price_ids) & set(self.prices)
        counts: dict[str, Counter[str]] = {pid: Counter() for pid in listed}
        for sub in self.subscriptions.values():
            if sub.status in BILLABLE_STATUSES:
                for pid in {item.price for item in sub.items} & listed:
                    counts[pid][sub.status] += 1
        return {pid: dict(found) for pid, found in counts.items()}


@dataclass(frozen=True)
class Skipped:
    """A cohort subscription the plan does not move, and why."""

    subscription: str
    customer: str
    reason: str


@dataclass(frozen=True)
class CohortReport:
    """A migration's subscriptions the plan does not move (its moves are operations).

    ``scheduled``: already given a schedule by this migration, waiting for
    their date. ``waiting``: over the cohort's ``limit``, left for a later apply.
    """

    skipped: tuple[Skipped, ...] = ()
    scheduled: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()
