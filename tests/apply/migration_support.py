"""An account with subscribers on a price, a price increase, and a migration moving them.

`subscribed` applies a one-product catalog (``team_monthly`` at 10.00 USD a
month, frozen emulator clock), signs customers up through the SDK as
`Subscriber` says (quantity, a coupon, a trial, a failed payment), then moves
the clock `DAYS_IN` days into their period and returns an `Account`.
`Account.migrate` raises the price to 12.00 (the price is replaced: the new
one takes the lookup key) and adds a Migration moving every earlier version
of ``team_monthly`` to the new one; what Stripe bills afterwards is read back
with `bills`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import stripe

from catalogsync.emulator import Emulator
from catalogsync.plan.operations import MoveSubscription
from catalogsync.plan.plan import Plan
from tests.apply.apply_support import apply_plan, plan_for

DAY = 86_400
# The account's key: the CLI tests reach the same emulator account with it over HTTP.
KEY = "sk_test_migrations"
START = int(datetime(2031, 1, 10, 9, 30, tzinfo=UTC).timestamp())  # subscriptions start here
DAYS_IN = 11  # the clock when the migration is planned: this many days into the period
OLD_AMOUNT, NEW_AMOUNT = 1000, 1200  # cents a seat a month

PRODUCT = """kind: Product
key: team
name: Team
default_price: team_monthly
prices:
  - lookup_key: team_monthly
    currency: usd
    unit_amount: "{amount}"
    recurring: {{interval: month}}
"""

COUPON = """kind: Coupon
id: loyal20
name: Loyal customer
percent_off: 20
duration: forever
"""

MIGRATION = """kind: Migration
key: team_2031
moves:
  - {{from: team_monthly, to: team_monthly}}
at: {at}
"""


@dataclass(frozen=True)
class Subscriber:
    """A customer to sign up: seats, a coupon, a trial in days, a failed payment."""

    quantity: int = 1
    coupon: bool = False
    trial_days: int = 0
    past_due: bool = False


@dataclass
class Account:
    emulator: Emulator
    client: stripe.StripeClient
    catalog: Path
    subscriptions: list[str]
    old_price: str
    new_price: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def migrate(self, at: str, extra_yaml: str = "") -> Plan:
        """Raise the price and add the migration; the plan (not applied)."""
        (self.catalog / "team.yaml").write_text(PRODUCT.format(amount="12.00"))
        text = MIGRATION.format(at=at) + extra_yaml
        (self.catalog / "migration.yaml").write_text(text)
        return self.plan()

    def plan(self) -> Plan:
        return plan_for(self.client, self.catalog, now=self.now())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.emulator.clock.now(), UTC)

    def subscription(self, sub_id: str) -> dict[str, Any]:
        return self.client.v1.subscriptions.retrieve(sub_id).to_dict()

    def price_of_key(self) -> str:
        found = self.client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data
        return str(found[0].id)


def subscribed(
    emulator: Emulator, root: Path, subscribers: list[Subscriber], *, key: str = KEY
) -> Account:
    """The catalog applied, then one customer and subscription per `Subscriber`, oldest first.

    ``key`` selects the emulator account (the one a CLI run with that key reaches).
    """
    client = emulator.stripe_client(key)
    emulator.clock.set(START - DAY)
    catalog = root / "catalog"
    catalog.mkdir(parents=True)
    (catalog / "team.yaml").write_text(PRODUCT.format(amount="10.00"))
    (catalog / "coupons.yaml").write_text(COUPON)
    apply_plan(client, plan_for(client, catalog, now=_at(emulator)))
    old = str(client.v1.prices.list({"lookup_keys": ["team_monthly"]}).data[0].id)
    subscriptions = []
    for n, who in enumerate(subscribers):
        emulator.clock.set(START + n * 60)  # one a minute: "oldest first" is well defined
        customer = client.v1.customers.create({"email": f"c{n}@example.com"})
        params: dict[str, Any] = {
            "customer": customer.id,
            "items": [{"price": old, "quantity": who.quantity}],
        }
        if who.coupon:
            params["discounts"] = [{"coupon": "loyal20"}]
        if who.trial_days:
            params["trial_period_days"] = who.trial_days
        sub = client.v1.subscriptions.create(params)  # type: ignore[arg-type]
        if who.past_due:
            client.raw_request("post", f"/_emulator/subscriptions/{sub.id}/payment_failed")
        subscriptions.append(str(sub.id))
    emulator.clock.set(START + DAYS_IN * DAY)
    return Account(emulator, client, catalog, subscriptions, old)


def _at(emulator: Emulator) -> datetime:
    return datetime.fromtimestamp(emulator.clock.now(), UTC)


def moves(plan: Plan) -> list[MoveSubscription]:
    return [op for op in plan.operations if isinstance(op, MoveSubscription)]


@dataclass(frozen=True)
class Line:
    """One invoice line: the price it bills, quantity, amount, period start, proration."""

    price: str
    quantity: int
    amount: int
    start: int
    proration: bool


def bills(client: stripe.StripeClient, sub_id: str) -> list[Line]:
    """Every line of every invoice of the subscription, oldest invoice first."""
    invoices = client.v1.invoices.list({"subscription": sub_id, "limit": 100}).data
    return [line for invoice in reversed(invoices) for line in _lines(invoice.to_dict())]


def _lines(invoice: dict[str, Any]) -> Iterator[Line]:
    for line in invoice["lines"]["data"]:
        details = line["parent"]["subscription_item_details"]
        yield Line(
            price=line["pricing"]["price_details"]["price"],
            quantity=line["quantity"],
            amount=line["amount"],
            start=line["period"]["start"],
            proration=bool(details["proration"]),
        )


def pending_prorations(client: stripe.StripeClient, customer: str) -> list[int]:
    """Amounts of the customer's proration invoice items not yet invoiced."""
    items = client.v1.invoice_items.list({"customer": customer, "pending": True}).data
    return [int(i.amount) for i in items if i.proration]
