"""Property: applying a catalog changes no bill the plan did not show.

A random catalog A (products with prices, some with gbp/eur/usd currency
options, and always a deal of two or three yearly phases on one of the
prices, sometimes with phase discounts) is applied; customers subscribe to
A's prices (some in a currency option, some in a trial, some past due) and
the clock may move into the deal's first phase. Then one or two later
catalogs, each derived from the previous one (price amounts, currency
options, intervals and nicknames changed; the deal kept, edited in a phase
that has not started, or removed), are planned and applied in turn. After
every apply:

- every subscription item bills exactly what it billed before: same price
  id, quantity, currency, unit amount and interval. No supported change
  moves an existing subscriber, so nothing in a plan excuses a difference;
- every schedule phase that has started, and every phase of a schedule the
  plan did not name, is unchanged (price ids, amounts, intervals, coupons);
- a schedule the plan updated or created holds exactly the phases the plan
  showed: each item's currency, unit amount, interval and quantity, each
  phase's coupons, and the price id apply must send (the one the schedule
  already used for that lookup key, else the one holding the key);
- a schedule the plan released or cancelled is released or cancelled;
- every deal of the applied catalog has a live (`not_started` or `active`)
  schedule: a plan that says nothing about a deal means Stripe holds it.

No generated change touches a started phase, so a plan refusal fails too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import stripe
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st
from stripe.params import SubscriptionCreateParams

from catalogsync.emulator import Emulator
from catalogsync.periods import day_start
from catalogsync.plan.operations import CancelDeal, CreateDeal, Operation, ReleaseDeal, UpdateDeal
from catalogsync.plan.plan import Plan
from tests.apply.apply_support import apply_plan, plan_for
from tests.apply.test_property import write_files

START = day_start(date(2026, 11, 1))
TODAY = datetime(2026, 11, 1, tzinfo=UTC)  # validate's "today": the deals start 2027-01-01
IN_FIRST_PHASE = day_start(date(2027, 3, 1))
AMOUNTS = ("9.00", "10.00", "27.00", "29.70")
OTHER_CURRENCIES = {"usd": ("gbp", "eur"), "eur": ("gbp", "usd")}
COUPONS = "kind: Coupon\nid: TEN\npercent_off: 10\nduration: forever"


@dataclass(frozen=True)
class PriceSpec:
    currency: str
    amount: str
    interval: str
    options: tuple[tuple[str, str], ...] = ()  # (currency, amount), sorted
    nickname: str | None = None


@dataclass(frozen=True)
class DealSpec:
    price: str  # lookup key
    quantities: tuple[int, ...]
    discounted: tuple[bool, ...]  # per phase: the TEN coupon
    end: str


@dataclass(frozen=True)
class CatalogSpec:
    products: tuple[tuple[str, tuple[PriceSpec, ...]], ...]
    deal: DealSpec | None = None

    def files(self) -> dict[str, str]:
        files = {f"{key}.yaml": _product_yaml(key, prices) for key, prices in self.products}
        files["coupons.yaml"] = COUPONS
        if self.deal is not None:
            files["deals.yaml"] = _deal_yaml(self.deal)
        return files


def _product_yaml(key: str, prices: tuple[PriceSpec, ...]) -> str:
    lines = ["kind: Product", f"key: {key}", f"name: {key.title()}", "prices:"]
    for n, p in enumerate(prices):
        lines += [
            f"  - lookup_key: {key}_{n}",
            f"    currency: {p.currency}",
            f'    unit_amount: "{p.amount}"',
            f"    recurring: {{interval: {p.interval}}}",
        ]
        if p.options:
            options = ", ".join(f'{c}: {{unit_amount: "{a}"}}' for c, a in p.options)
            lines.append(f"    currency_options: {{{options}}}")
        if p.nickname:
            lines.append(f"    nickname: {p.nickname}")
    return "\n".join(lines)


def _deal_yaml(deal: DealSpec) -> str:
    phases = ""
    for quantity, discounted in zip(deal.quantities, deal.discounted, strict=True):
        phases += (
            "  - duration: {interval: year, count: 1}\n"
            f"    items: [{{price: {deal.price}, quantity: {quantity}}}]\n"
        )
        if discounted:
            phases += "    discounts: [TEN]\n"
    return (
        "kind: Deal\nkey: acme\ncustomer: {email: finance@acme.example}\n"
        f"start_date: 2027-01-01\nend_behavior: {deal.end}\nphases:\n{phases}"
    )


@st.composite
def price_spec(draw: st.DrawFn) -> PriceSpec:
    currency = draw(st.sampled_from(sorted(OTHER_CURRENCIES)))
    options = draw(st.lists(st.sampled_from(OTHER_CURRENCIES[currency]), unique=True))
    return PriceSpec(
        currency=currency,
        amount=draw(st.sampled_from(AMOUNTS)),
        interval=draw(st.sampled_from(["month", "year"])),
        options=tuple(sorted((c, draw(st.sampled_from(AMOUNTS))) for c in options)),
        nickname=draw(st.sampled_from([None, "Seat"])),
    )


@st.composite
def catalog_a(draw: st.DrawFn) -> CatalogSpec:
    keys = draw(st.lists(st.sampled_from(["alpha", "beta"]), unique=True, min_size=1))
    products = tuple(
        (key, tuple(draw(st.lists(price_spec(), min_size=1, max_size=2)))) for key in sorted(keys)
    )
    key, prices = draw(st.sampled_from(products))
    phases = draw(st.integers(2, 3))
    deal = DealSpec(
        price=f"{key}_{draw(st.integers(0, len(prices) - 1))}",
        quantities=tuple(draw(st.lists(st.integers(1, 3), min_size=phases, max_size=phases))),
        discounted=tuple(draw(st.lists(st.booleans(), min_size=phases, max_size=phases))),
        end=draw(st.sampled_from(["release", "cancel"])),
    )
    return CatalogSpec(products, deal)


@st.composite
def changed_price(draw: st.DrawFn, p: PriceSpec) -> PriceSpec:
    change = draw(st.sampled_from(["keep", "amount", "option", "option", "interval", "nickname"]))
    if change == "amount":
        return replace(p, amount=draw(st.sampled_from([a for a in AMOUNTS if a != p.amount])))
    if change == "option" and p.options:
        n = draw(st.integers(0, len(p.options) - 1))
        currency, amount = p.options[n]
        moved = draw(st.sampled_from([a for a in AMOUNTS if a != amount]))
        options = list(p.options)
        options[n] = (currency, moved)
        return replace(p, options=tuple(options))
    if change == "interval":
        return replace(p, interval="year" if p.interval == "month" else "month")
    if change == "nickname":
        return replace(p, nickname=None if p.nickname else "Seat v2")
    return p


@st.composite
def changed_deal(
    draw: st.DrawFn, deal: DealSpec | None, previous: DealSpec | None
) -> DealSpec | None:
    """The deal kept, edited after its first phase, removed, or (if removed) put back."""
    if deal is None:
        return draw(st.sampled_from([None, previous]))
    change = draw(st.sampled_from(["keep", "edit", "edit", "edit", "remove"]))
    if change == "remove":
        return None
    if change == "keep":
        return deal
    n = draw(st.integers(1, len(deal.quantities) - 1))  # phase 1 may have started
    quantities, discounted = list(deal.quantities), list(deal.discounted)
    what = draw(st.sampled_from(["quantity", "discount", "phase"]))
    if what == "quantity":
        quantities[n] = draw(st.sampled_from([q for q in (1, 2, 3) if q != quantities[n]]))
    elif what == "discount":
        discounted[n] = not discounted[n]
    else:
        quantities.append(draw(st.integers(1, 3)))
        discounted.append(draw(st.booleans()))
    return replace(deal, quantities=tuple(quantities), discounted=tuple(discounted))


@st.composite
def changed_catalog(draw: st.DrawFn, spec: CatalogSpec, original: CatalogSpec) -> CatalogSpec:
    products = tuple(
        (key, tuple(draw(changed_price(p)) for p in prices)) for key, prices in spec.products
    )
    return CatalogSpec(products, draw(changed_deal(spec.deal, original.deal)))


@st.composite
def scenario(draw: st.DrawFn) -> list[CatalogSpec]:
    """A, then one or two catalogs each derived from the one before."""
    catalogs = [draw(catalog_a())]
    for _ in range(draw(st.integers(1, 2))):
        catalogs.append(draw(changed_catalog(catalogs[-1], catalogs[0])))
    return catalogs


Subscription = tuple[int, int, int, bool, bool]  # price pick, quantity, currency pick, trial, due
SUBSCRIPTIONS = st.lists(
    st.tuples(
        st.integers(0, 9), st.integers(1, 5), st.integers(0, 2), st.booleans(), st.booleans()
    ),
    min_size=1,
    max_size=3,
)

SEAT = PriceSpec("usd", "600.00", "year", (("eur", "27.00"), ("gbp", "27.00")))
SEAT_660 = replace(SEAT, amount="660.00")
DEAL = DealSpec("alpha_0", (1, 2, 3), (False, False, True), "release")
DEAL_EDITED = replace(DEAL, quantities=(1, 5, 3), discounted=(False, True, True))
A = CatalogSpec((("alpha", (SEAT,)),), DEAL)
REPLACED = CatalogSpec((("alpha", (SEAT_660,)),), DEAL)
REPLACED_AND_EDITED = CatalogSpec((("alpha", (SEAT_660,)),), DEAL_EDITED)
EUR_MOVED = replace(SEAT, options=(("eur", "29.70"), ("gbp", "27.00")))


# A drawn example applies two or three catalogs and reads every bill back after each;
# a failure is reported as drawn, unshrunk: shrinking re-runs that work hundreds of
# times, and a drawn example is already small enough to read.
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(catalogs=scenario(), subscriptions=SUBSCRIPTIONS, into_deal=st.booleans())
# A price replace ($600 -> $660) and a later phase edit of the deal on it: same plan, then later.
@example(catalogs=[A, REPLACED_AND_EDITED], subscriptions=[(0, 1, 0, False, False)], into_deal=True)
@example(
    catalogs=[A, REPLACED, REPLACED_AND_EDITED],
    subscriptions=[(0, 2, 0, False, False)],
    into_deal=False,
)
# A deal removed before it starts, then put back.
@example(
    catalogs=[A, replace(A, deal=None), A], subscriptions=[(0, 1, 0, True, False)], into_deal=False
)
# An existing eur option (27 -> 29.70) of a price with an eur subscriber.
@example(
    catalogs=[A, CatalogSpec((("alpha", (EUR_MOVED,)),), DEAL)],
    subscriptions=[(0, 3, 1, False, True)],
    into_deal=True,
)
def test_no_bill_changes_unless_the_plan_shows_it(
    catalogs: list[CatalogSpec], subscriptions: list[Subscription], into_deal: bool
) -> None:
    emulator = Emulator(":memory:")
    emulator.clock.set(START)
    client = emulator.stripe_client()
    client.v1.customers.create({"email": "finance@acme.example"})
    with tempfile.TemporaryDirectory() as tmp:
        dirs = [write_files(Path(tmp) / str(n), c.files()) for n, c in enumerate(catalogs)]
        apply_plan(client, plan_for(client, dirs[0], now=TODAY))
        for sub in subscriptions:
            _subscribe(client, sub)
        now = START
        if into_deal:
            now = IN_FIRST_PHASE
            emulator.clock.set(now)
        keys: dict[str, str] = {}  # price id -> the lookup key it was created with
        before = _bills(client, keys)
        for spec, directory in zip(catalogs[1:], dirs[1:], strict=True):
            plan = plan_for(client, directory, now=TODAY)
            apply_plan(client, plan)
            after = _bills(client, keys)
            _events(plan, before, after)
            _check_subscriptions(before["subscriptions"], after["subscriptions"])
            _check_schedules(
                before["schedules"], after["schedules"], plan, client, now=now, keys=keys
            )
            _check_deals_live(spec, after["schedules"])
            before = after
    emulator.close()


def _events(plan: Plan, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    kinds = sorted({f"{type(op).__name__} {op.target.kind}" for op in plan.operations})
    for kind in kinds:
        event(kind)
    if before["schedules"] != after["schedules"]:
        event("a schedule changed")


def _subscribe(client: stripe.StripeClient, sub: Subscription) -> None:
    pick, quantity, currency_pick, trial, past_due = sub
    listed = client.v1.prices.list({"active": True, "expand": ["data.currency_options"]})
    prices = sorted(listed.to_dict()["data"], key=lambda p: str(p["lookup_key"]))
    price = prices[pick % len(prices)]
    currencies = [price["currency"], *sorted(price.get("currency_options") or {})]
    customer = client.v1.customers.create({"email": f"c{pick}@example.com"})
    params: SubscriptionCreateParams = {
        "customer": customer.id,
        "items": [{"price": price["id"], "quantity": quantity}],
        "currency": currencies[currency_pick % len(currencies)],
    }
    if trial:
        params["trial_period_days"] = 14
    created = client.v1.subscriptions.create(params)
    if past_due and not trial:
        client.raw_request("post", f"/_emulator/subscriptions/{created.id}/payment_failed")


Billed = tuple[str, str, Decimal | None, str | None, int | None, int]
# price id, currency, unit amount, interval, interval count, quantity


def _billed(
    client: stripe.StripeClient, price_id: str, currency: str, quantity: int, keys: dict[str, str]
) -> Billed:
    """What ``quantity`` of a price bills in ``currency`` (its own or a currency option).

    Notes in ``keys`` the lookup key the price first held (a replace moves the key on).
    """
    price = client.v1.prices.retrieve(price_id, {"expand": ["currency_options"]}).to_dict()
    if price.get("lookup_key"):
        keys.setdefault(price_id, price["lookup_key"])
    options = price.get("currency_options") or {}
    chosen = price if currency == price["currency"] else options.get(currency) or {}
    amount = chosen.get("unit_amount_decimal")
    recurring = price.get("recurring") or {}
    return (
        price_id,
        currency,
        None if amount is None else Decimal(str(amount)),
        recurring.get("interval"),
        recurring.get("interval_count"),
        quantity,
    )


def _bills(client: stripe.StripeClient, keys: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every subscription's items and every schedule's status and phases, as billed."""
    subs = {}
    for sub in client.v1.subscriptions.list({"status": "all", "limit": 100}).to_dict()["data"]:
        items = sorted(
            _billed(client, i["price"]["id"], sub["currency"], int(i["quantity"] or 1), keys)
            for i in sub["items"]["data"]
        )
        subs[sub["id"]] = (sub["currency"], items)
    schedules = {}
    for schedule in client.v1.subscription_schedules.list({"limit": 100}).to_dict()["data"]:
        phases = [
            (
                int(phase["start_date"]),
                sorted(
                    _billed(
                        client, _id(i["price"]), phase["currency"], int(i["quantity"] or 1), keys
                    )
                    for i in phase["items"]
                ),
                sorted(_id(d["coupon"]) for d in phase.get("discounts") or () if d.get("coupon")),
            )
            for phase in schedule["phases"]
        ]
        key = schedule["metadata"].get("catalogsync_key")
        schedules[schedule["id"]] = (schedule["status"], key, phases)
    return {"subscriptions": subs, "schedules": schedules}


def _id(value: Any) -> str:
    return str(value if isinstance(value, str) else value["id"])


def _check_subscriptions(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    for sub_id, billed in before.items():
        assert after[sub_id] == billed, f"{sub_id} went from {billed} to {after[sub_id]}"


def _check_schedules(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    plan: Plan,
    client: stripe.StripeClient,
    *,
    now: int,
    keys: Mapping[str, str],
) -> None:
    ops = {op.target.stripe_id or op.target.key: op for op in plan.operations}
    ops = {k: op for k, op in ops.items() if op.target.kind == "deal"}
    for schedule_id, (status, key, phases) in after.items():
        op = ops.get(schedule_id)
        if schedule_id not in before:
            created = ops.get(key)
            assert isinstance(created, CreateDeal), (
                f"{schedule_id} appeared without a planned create"
            )
            _check_shown(client, {}, phases, _shown_phases(created))
            continue
        was_status, _, was = before[schedule_id]
        if op is None:
            assert (status, phases) == (was_status, was), f"{schedule_id} changed unplanned"
        elif isinstance(op, ReleaseDeal):
            assert status == "released"
        elif isinstance(op, CancelDeal):
            assert status == "canceled"
        else:
            assert isinstance(op, UpdateDeal)
            started = [p for p in was if p[0] <= now]
            assert phases[: len(started)] == started, f"{schedule_id}: a started phase changed"
            shown = _shown_phases(op)
            if shown is None:  # only metadata changed: the phases stay as stored
                assert phases == was, f"{schedule_id}: phases changed, the plan showed none"
                continue
            pinned = {keys[i[0]]: i[0] for _, items, _ in was for i in items}
            _check_shown(client, pinned, phases, shown)


def _shown_phases(op: Operation) -> Any:
    if isinstance(op, CreateDeal):
        return op.fields["phases"]
    assert isinstance(op, UpdateDeal)
    return next((c.after for c in op.changes if c.field == "phases"), None)


def _check_shown(
    client: stripe.StripeClient, pinned: Mapping[str, str], phases: list[Any], shown: Any
) -> None:
    """Stripe holds the phases the plan showed, with the price ids apply must send."""
    assert len(phases) == len(shown), f"{len(phases)} phases, the plan showed {len(shown)}"
    for (_, items, coupons), value in zip(phases, shown, strict=True):
        expected = sorted(
            (
                pinned.get(i["price"]) or _holder(client, i["price"]),
                i.get("currency"),
                i.get("unit_amount"),
                i.get("interval"),
                i.get("interval_count"),
                int(i["quantity"]),
            )
            for i in value["items"]
        )
        assert items == expected
        assert coupons == sorted(d["coupon"] for d in value["discounts"])


def _holder(client: stripe.StripeClient, lookup_key: str) -> str:
    listed = client.v1.prices.list({"lookup_keys": [lookup_key], "active": True})
    return str(listed.data[0].id)


def _check_deals_live(spec: CatalogSpec, after: Mapping[str, Any]) -> None:
    if spec.deal is None:
        return
    statuses = [status for status, key, _ in after.values() if key == "acme"]
    assert any(s in ("not_started", "active") for s in statuses), (
        f"deal acme is in the catalog but its schedules are {statuses}"
    )
