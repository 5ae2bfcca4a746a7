"""Property: applying catalog B over A changes no bill the plan did not show.

Random catalogs A and B (the strategy of `test_property`, plus a deal on one
of the catalog's prices); after A is applied, subscriptions are created on A's
prices (some in a trial, some in a currency option, some past due) and the
clock may move into the deal's first phase. After B is applied:

- every subscription item keeps its price id, quantity and amount, unless the
  plan showed a change of that price's amount in the subscription's currency;
- every schedule phase bills what it billed before (price id, quantity,
  amount), unless the plan showed an operation on that deal: then Stripe holds
  exactly the phases the plan showed (quantity and unit amount of each item),
  or the schedule was released or cancelled as the plan said.

A plan refused with a `PlanError` (a started phase would change) writes
nothing, which the invariant also checks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import stripe
from apply_support import apply_plan, plan_for
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from test_property import catalog, write_files

from catalogsync.emulator import Emulator
from catalogsync.errors import PlanError
from catalogsync.periods import day_start
from catalogsync.plan.operations import Archive, Create, Delete, Operation, Update
from catalogsync.plan.plan import Plan

Item = tuple[str, int, Decimal | None]  # price id, quantity, amount in the billed currency
START = day_start(date(2026, 11, 1))
TODAY = datetime(2026, 11, 1, tzinfo=UTC)  # validate's "today": the deals start 2027-01-01
IN_FIRST_PHASE = day_start(date(2027, 3, 1))


@st.composite
def deal(draw: st.DrawFn, files: dict[str, str]) -> str:
    """A deal on the first price of one of the catalog's products."""
    product = draw(
        st.sampled_from(sorted(n.removesuffix(".yaml") for n in files if n != "other.yaml"))
    )
    quantities = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    phases = "".join(
        f"  - duration: {{interval: year, count: 1}}\n"
        f"    items: [{{price: {product}_0, quantity: {q}}}]\n"
        for q in quantities
    )
    end = draw(st.sampled_from(["release", "cancel"]))
    return (
        "kind: Deal\nkey: acme\ncustomer: {email: finance@acme.example}\n"
        f"start_date: 2027-01-01\nend_behavior: {end}\nphases:\n{phases}"
    )


@st.composite
def catalog_with_deal(draw: st.DrawFn) -> dict[str, str]:
    files = draw(catalog())
    if draw(st.booleans()):
        files["deals.yaml"] = draw(deal(files))
    return files


Subscription = tuple[int, int, bool, bool, bool]  # price pick, quantity, gbp, trial, past due
SUBSCRIPTIONS = st.lists(
    st.tuples(st.integers(0, 9), st.integers(1, 5), st.booleans(), st.booleans(), st.booleans()),
    max_size=3,
)


# 25 examples take about 25 s on the emulator (each one applies two catalogs and reads
# every bill back); a failure is reported as drawn, unshrunk: shrinking re-runs that
# work hundreds of times, and a drawn example is already small enough to read.
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    a=catalog_with_deal(),
    b=catalog_with_deal(),
    subscriptions=SUBSCRIPTIONS,
    into_deal=st.booleans(),
)
def test_no_bill_changes_unless_the_plan_shows_it(
    a: dict[str, str], b: dict[str, str], subscriptions: list[Subscription], into_deal: bool
) -> None:
    emulator = Emulator(":memory:")
    emulator.clock.set(START)
    client = emulator.stripe_client()
    client.v1.customers.create({"email": "finance@acme.example"})
    with tempfile.TemporaryDirectory() as tmp:
        first, second = write_files(Path(tmp) / "a", a), write_files(Path(tmp) / "b", b)
        apply_plan(client, plan_for(client, first, now=TODAY))
        for sub in subscriptions:
            _subscribe(client, sub)
        if into_deal:
            emulator.clock.set(IN_FIRST_PHASE)
        before = _bills(client)
        try:
            plan: Plan | None = plan_for(client, second, now=TODAY)
        except PlanError:
            plan = None  # refused: nothing may change
            event("plan refused")
        if plan is not None:
            apply_plan(client, plan)
        after = _bills(client)
    for name, snapshot in (("before", before), ("after", after)):
        event(f"schedules {name}: {len(snapshot['schedules'])}")
    event(f"subscriptions: {len(before['subscriptions'])}")
    if before["schedules"] and before["schedules"] != after["schedules"]:
        event("a schedule changed")
    emulator.close()
    _check_subscriptions(before["subscriptions"], after["subscriptions"], plan)
    _check_schedules(before["schedules"], after["schedules"], plan)


def _subscribe(client: stripe.StripeClient, sub: Subscription) -> None:
    pick, quantity, gbp, trial, past_due = sub
    listed = client.v1.prices.list({"active": True, "expand": ["data.currency_options"]})
    prices = listed.to_dict()["data"]
    price = prices[pick % len(prices)]
    customer = client.v1.customers.create({"email": f"c{pick}@example.com"})
    params: dict[str, Any] = {
        "customer": customer.id,
        "items": [{"price": price["id"], "quantity": quantity}],
    }
    if gbp and "gbp" in (price.get("currency_options") or {}):
        params["currency"] = "gbp"
    if trial:
        params["trial_period_days"] = 14
    created = client.v1.subscriptions.create(params)
    if past_due and not trial:
        client.raw_request("post", f"/_emulator/subscriptions/{created.id}/payment_failed")


def _amount(client: stripe.StripeClient, price_id: str, currency: str) -> Decimal | None:
    """What the price bills per unit in ``currency`` (its own or a currency option)."""
    price = client.v1.prices.retrieve(price_id, {"expand": ["currency_options"]}).to_dict()
    options = price.get("currency_options") or {}
    chosen = price if currency == price["currency"] else options.get(currency)
    if chosen is None or chosen.get("unit_amount_decimal") is None:
        return None
    return Decimal(str(chosen["unit_amount_decimal"]))


def _bills(client: stripe.StripeClient) -> dict[str, dict[str, Any]]:
    """Every subscription's items and every schedule's status and phases, with amounts."""
    subs = {}
    for sub in client.v1.subscriptions.list({"status": "all", "limit": 100}).to_dict()["data"]:
        items = sorted(
            (
                i["price"]["id"],
                int(i["quantity"] or 1),
                _amount(client, i["price"]["id"], sub["currency"]),
            )
            for i in sub["items"]["data"]
        )
        subs[sub["id"]] = (sub["currency"], items)
    schedules = {}
    for schedule in client.v1.subscription_schedules.list({"limit": 100}).to_dict()["data"]:
        phases = [
            sorted(
                (
                    _id(i["price"]),
                    int(i["quantity"] or 1),
                    _amount(client, _id(i["price"]), phase["currency"]),
                )
                for i in phase["items"]
            )
            for phase in schedule["phases"]
        ]
        key = schedule["metadata"].get("catalogsync_key")
        schedules[schedule["id"]] = (schedule["status"], key, phases)
    return {"subscriptions": subs, "schedules": schedules}


def _id(value: Any) -> str:
    return str(value if isinstance(value, str) else value["id"])


def _check_subscriptions(
    before: Mapping[str, Any], after: Mapping[str, Any], plan: Plan | None
) -> None:
    for sub_id, (currency, items) in before.items():
        now_currency, now_items = after[sub_id]
        assert now_currency == currency
        assert [(p, q) for p, q, _ in now_items] == [(p, q) for p, q, _ in items], sub_id
        for (price_id, _, was), (_, _, now) in zip(items, now_items, strict=True):
            shown = plan is not None and _shows_amount_change(plan, price_id, currency)
            assert was == now or shown, (
                f"{sub_id}: {price_id} went from {was} to {now} in {currency} "
                "without the plan showing it"
            )


def _shows_amount_change(plan: Plan, price_id: str, currency: str) -> bool:
    fields = {"unit_amount", f"currency_options.{currency}"}
    return any(
        isinstance(op, Update)
        and op.target.stripe_id == price_id
        and any(c.field in fields for c in op.changes)
        for op in plan.operations
    )


def _check_schedules(
    before: Mapping[str, Any], after: Mapping[str, Any], plan: Plan | None
) -> None:
    ops = {op.target.stripe_id or op.target.key: op for op in (plan.operations if plan else ())}
    ops = {k: op for k, op in ops.items() if op.target.kind == "deal"}
    for schedule_id, state in after.items():
        op = ops.get(schedule_id)
        if schedule_id not in before:
            _, key, phases = state
            created = ops.get(key)
            assert isinstance(created, Create), f"{schedule_id} appeared without a planned create"
            assert _quantities_and_amounts(phases) == _shown(created)
        elif state != before[schedule_id]:
            assert op is not None, f"{schedule_id} changed without the plan showing it"
            _check_shown(op, state)


def _check_shown(op: Operation, state: tuple[str, str, list[list[Item]]]) -> None:
    status, _, phases = state
    if isinstance(op, Archive):
        assert status == "released"
    elif isinstance(op, Delete):
        assert status == "canceled"
    else:
        assert isinstance(op, Update)
        assert _quantities_and_amounts(phases) == _shown(op)


def _quantities_and_amounts(phases: list[list[Item]]) -> list[list[tuple[int, Decimal | None]]]:
    return [sorted((q, amount) for _, q, amount in items) for items in phases]


def _shown(op: Operation) -> list[list[tuple[int, Decimal | None]]]:
    """Each phase's items as the plan showed them: quantity and unit amount."""
    phases: Any
    if isinstance(op, Create):
        phases = op.fields["phases"]
    else:
        assert isinstance(op, Update)
        phases = next((c.after for c in op.changes if c.field == "phases"), None)
        assert phases is not None, "a schedule's phases changed but the plan showed no phases"
    return [
        sorted((int(i["quantity"]), i.get("unit_amount")) for i in phase["items"])
        for phase in phases
    ]
