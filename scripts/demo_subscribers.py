"""Demo helper for `make demo`: subscribers in the local emulator account, and their renewal.

    python scripts/demo_subscribers.py CATALOG_DIR subscribe N
    python scripts/demo_subscribers.py CATALOG_DIR renew

``subscribe`` signs N customers up to Advanced monthly (``advanced_seat_monthly``,
2 to 6 seats, the second one with the ``LAUNCH20`` coupon), as a real account
would already have them. ``renew`` moves the emulator's clock past the renewal
of every subscription and prints what each one bills: its items, and the
lines of its latest invoice. Both reach the account of the catalog's `local`
environment the way `catalogsync` does (`connect`).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from catalogsync.config import load_config
from catalogsync.gateway.connect import Connection, connect
from catalogsync.money import format_money

DAY = 86_400


def subscribe(connection: Connection, count: int) -> None:
    client = connection.client
    price = client.v1.prices.list({"lookup_keys": ["advanced_seat_monthly"]}).data[0]
    for n in range(count):
        customer = client.v1.customers.create(
            {"email": f"team{n + 1}@example.com", "name": f"Team {n + 1}"}
        )
        params: dict[str, Any] = {
            "customer": customer.id,
            "items": [{"price": price.id, "quantity": 2 + n}],
        }
        if n == 1:
            params["discounts"] = [{"coupon": "LAUNCH20"}]
        sub = client.v1.subscriptions.create(params)  # type: ignore[arg-type]
        print(f"  {sub.id}  {customer.email}  {2 + n} x advanced_seat_monthly ({price.id})")


def renew(connection: Connection) -> None:
    assert connection.emulator is not None, "the demo runs on the local emulator"
    client = connection.client
    subscriptions = [s.to_dict() for s in client.v1.subscriptions.list({"limit": 100}).data]
    ends = [i["current_period_end"] for s in subscriptions for i in s["items"]["data"]]
    connection.emulator.clock.set(max(ends) + DAY)
    print("  the emulator's clock is now one day past every renewal")
    for sub in client.v1.subscriptions.list({"limit": 100}).data:
        data = sub.to_dict()
        items = ", ".join(
            f"{i['quantity']} x {i['price']['lookup_key'] or i['price']['id']} "
            f"({format_money(Decimal(i['price']['unit_amount']), i['price']['currency'])})"
            for i in data["items"]["data"]
        )
        marker = data["metadata"].get("catalogsync_migration", "-")
        print(f"  {data['id']}  {items}  migration: {marker}")
        invoice = client.v1.invoices.retrieve(str(data["latest_invoice"])).to_dict()
        for line in invoice["lines"]["data"]:
            amount = format_money(Decimal(line["amount"]), invoice["currency"])
            print(f"      latest invoice: {line['description']}: {amount}")


def main(argv: list[str]) -> int:
    catalog, command, *rest = argv
    env = load_config(Path(catalog)).environment(None)
    connection = connect(env)
    try:
        if command == "subscribe":
            subscribe(connection, int(rest[0]))
        else:
            renew(connection)
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
