"""Hand-made migration states: prices, cohort subscriptions and their schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from catalogsync.migrations import CohortItem, CohortSubscription, MigrationState, ScheduleRef
from catalogsync.model import (
    Catalog,
    Cohort,
    CurrencyOption,
    Migration,
    Move,
    Price,
    PriceRef,
    Recurring,
    Remote,
    Source,
)
from catalogsync.state import RemoteState
from tests.plan.plan_builders import kind, managed, state

DAY = 86_400
START = 1_798_761_600  # 2027-01-01T00:00:00Z
END = START + 31 * DAY  # one month later
MONTH = Recurring("month")


def seat(
    key: str, cents: int, eur: int | None = None, recurring: Recurring = MONTH, **fields: Any
) -> Price:
    options = {"eur": CurrencyOption(Decimal(eur))} if eur is not None else None
    return Price(
        key, "advanced", "usd", Decimal(cents), recurring, currency_options=options, **fields
    )


OLD = seat("advanced_seat", 8500, eur=8000)  # the version subscribers are on
NEW = seat("advanced_seat", 9900, eur=9500)  # the catalog's, holding the key now


def migration(
    at: Any = "renewal",
    moves: tuple[Move, ...] = (Move(PriceRef("advanced_seat"), "advanced_seat"),),
    **cohort: Any,
) -> Migration:
    behavior = cohort.pop("proration_behavior", "create_prorations" if at == "now" else None)
    return Migration(
        "raise_2027",
        moves,
        at if at in ("now", "renewal") else date.fromisoformat(at),
        behavior,
        Cohort(**cohort),
        Source("catalog/migrations.yaml", 1, 1),
    )


def sub(
    id: str,
    *,
    price: str = "price_old",
    quantity: int = 1,
    status: str = "active",
    currency: str = "usd",
    created: int = 1,
    customer: str | None = None,
    extra: tuple[CohortItem, ...] = (),
    **fields: Any,
) -> CohortSubscription:
    item = CohortItem(f"si_{id}", price, quantity, START, END)
    return CohortSubscription(
        id=f"sub_{id}",
        customer=customer or f"cus_{id}",
        status=status,
        currency=currency,
        created=created,
        items=(item, *extra),
        **fields,
    )


def catalog(m: Migration, *prices: Price) -> Catalog:
    return Catalog(prices={p.lookup_key: p for p in (prices or (NEW,))}, migrations={m.key: m})


def remote(
    m: Migration,
    *subscriptions: CohortSubscription,
    schedules: tuple[ScheduleRef, ...] = (),
    read_at: int = START + 10 * DAY,
    sources: tuple[tuple[str, ...], ...] = (("price_new", "price_old"),),
    prices: dict[str, Price] | None = None,
    current: tuple[Remote[Price], ...] = (managed("price_new", NEW),),
) -> RemoteState:
    """The account: ``price_new`` holds the key, ``price_old`` is the replaced version."""
    known = prices or {"price_old": OLD, "price_new": NEW}
    return state(
        prices=kind("lookup_key", *current),
        migrations=MigrationState(
            sources={m.key: sources},
            prices={pid: managed(pid, p) for pid, p in known.items()},
            subscriptions={s.id: s for s in subscriptions},
            schedules={s.id: s for s in schedules},
            read_at=read_at,
        ),
    )
