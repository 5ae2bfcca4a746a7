"""What a subscription bills: period charges, proration invoice items, and invoices.

- A subscription item bills its price times its quantity for each billing period, in the
  subscription's currency (a price's currency option for it), nothing during a trial.
- A change inside a period (price or quantity) with prorations creates two invoice items for
  the time left: a credit for the unused time of the old price and a charge for the remaining
  time of the new one (https://docs.stripe.com/billing/subscriptions/prorations). They wait,
  pending, for the next invoice (`create_prorations`), or are invoiced at once
  (`always_invoice`). Prorations are "created only for licensed (per-seat) subscriptions";
  a metered price is billed for usage, which the emulator does not record, so it bills 0.
- An invoice holds its subscription lines and every pending invoice item of the
  subscription. The emulator takes no payments: a charged invoice is `paid` at once; a
  credit larger than the charges leaves `amount_due` 0 (Stripe credits the customer's
  balance, which the emulator does not keep).

Invoice items carry `proration` and `parent.subscription_details`; invoice lines carry
`parent.subscription_item_details.proration` (stripe-python `_invoice_item.py`,
`_invoice_line_item.py`; https://docs.stripe.com/api/invoices/create_preview: "consider line
items where `parent.subscription_item_details.proration` is `true`").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from catalogsync.emulator.invoice_discounts import apply_discounts, proration_factor
from catalogsync.emulator.pricing import period_amount, unit_amount
from catalogsync.emulator.proration import line_amount, prorated
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json

# Stripe writes a line "2 <multiplication sign> Advanced" (its invoice line descriptions).
_TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Charge:
    """One line a subscription item bills: a whole period, or a proration of one."""

    item: str
    price: str
    product: str
    quantity: int
    unit_amount: str | None  # None for tiered prices
    amount: int
    period: tuple[int, int]
    proration: bool
    description: str


def period_charge(ctx: Ctx, sub: Json, item: Json, period: tuple[int, int]) -> Charge:
    """An item's charge for a whole billing ``period`` (0 during a trial or for metered use)."""
    price = ctx.load("price", item["price"]["id"])
    name = _product_name(ctx, price)
    trial_end = sub.get("trial_end")
    in_trial = trial_end is not None and period[0] < trial_end
    billable = not (in_trial or _metered(price))
    whole = period_amount(price, sub["currency"], item["quantity"]) if billable else Decimal(0)
    amount = line_amount(whole)
    unit = unit_amount(price, sub["currency"])
    return Charge(
        item=item["id"],
        price=price["id"],
        product=price["product"],
        quantity=item["quantity"],
        unit_amount=None if unit is None else str(unit),
        amount=amount,
        period=period,
        proration=False,
        description=(
            f"Trial period for {name}" if in_trial else f"{item['quantity']} {_TIMES} {name}"
        ),
    )


def proration_charges(
    ctx: Ctx, sub: Json, old: Json | None, new: Json | None, at: int
) -> list[Charge]:
    """Credit the unused time of ``old`` and charge the remaining time of ``new`` from ``at``.

    Either may be None (an item added or deleted). The period is the item's current one.
    """
    charges = []
    for item, sign, wording in ((old, -1, "Unused time"), (new, 1, "Remaining time")):
        if item is None:
            continue
        price = ctx.load("price", item["price"]["id"])
        if _metered(price):
            continue
        start, end = item["current_period_start"], item["current_period_end"]
        whole = period_amount(price, sub["currency"], item["quantity"])
        unit = unit_amount(price, sub["currency"])
        net = whole * proration_factor(ctx, sub, price["product"])
        amount = prorated(net, start, end, at)
        if amount == 0:
            continue  # no time left (a change at the period end), or a free price
        charges.append(
            Charge(
                item=item["id"],
                price=price["id"],
                product=price["product"],
                quantity=item["quantity"],
                unit_amount=None if unit is None else str(unit),
                amount=sign * amount,
                period=(at, end),
                proration=True,
                description=(
                    f"{wording} on {item['quantity']} {_TIMES} {_product_name(ctx, price)} after "
                    f"{datetime.fromtimestamp(at, UTC):%d %b %Y}"
                ),
            )
        )
    return charges


def new_billing_id(ctx: Ctx, kind: str) -> tuple[str, int]:
    """An id and list position for an invoice, invoice item or discount.

    They are numbered apart from the account's other objects, so the deterministic ids of
    prices, schedules and subscriptions created after a subscription is billed are the same
    whether or not the emulator bills (golden plans show those ids).
    """
    return ctx.tx.next_id(f"{ctx.account}/billing", kind, ctx.kinds[kind].prefix)


def invoice_first_period(ctx: Ctx, sub: Json) -> Json:
    """The invoice a new subscription starts with: its first period, in advance."""
    start = int(sub["start_date"])
    charges = period_charges(ctx, sub)
    return issue(ctx, sub, charges, reason="subscription_create", period=(start, start))


def period_charges(ctx: Ctx, sub: Json) -> list[Charge]:
    """What each of the subscription's items bills for its current period."""
    return [
        period_charge(ctx, sub, item, (item["current_period_start"], item["current_period_end"]))
        for item in sub["items"]["data"]
    ]


def add_pending(ctx: Ctx, sub: Json, charge: Charge) -> Json:
    """Store ``charge`` as a pending invoice item of ``sub`` (billed by its next invoice)."""
    item_id, seq = new_billing_id(ctx, "invoiceitem")
    body = {
        "id": item_id,
        "object": "invoiceitem",
        "amount": charge.amount,
        "currency": sub["currency"],
        "customer": sub["customer"],
        "customer_account": None,
        "date": ctx.now,
        "description": charge.description,
        # "All invoice items that are prorations are set to discountable=false" (prorations guide).
        "discountable": not charge.proration,
        "discounts": [],
        "invoice": None,
        "livemode": ctx.livemode,
        "metadata": {},
        "net_amount": charge.amount,
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": sub["id"], "subscription_item": charge.item},
        },
        "period": {"start": charge.period[0], "end": charge.period[1]},
        "pricing": _pricing(charge),
        "proration": charge.proration,
        "proration_details": {"credited_items": None, "discount_amounts": []},
        "quantity": charge.quantity,
        "quantity_decimal": str(charge.quantity),
        "tax_rates": [],
        "test_clock": None,
    }
    save_invoice_item(ctx, body, sub["id"], seq)
    return body


def save_invoice_item(ctx: Ctx, body: Json, subscription: str, seq: int | None = None) -> None:
    """Store an invoice item: `ref` is its subscription, `key` its invoice (None: pending)."""
    ctx.tx.put(ctx.account, "invoiceitem", body, seq=seq, ref=subscription, key=body["invoice"])


def pending_items(ctx: Ctx, subscription: str) -> list[Json]:
    """The subscription's invoice items not yet on an invoice, oldest first."""
    found = ctx.tx.find(
        ctx.account, "invoiceitem", [("ref = ?", subscription), ("key IS NULL", None)], 100000
    )
    return list(reversed(found))


def invoice_body(
    ctx: Ctx,
    sub: Json,
    invoice_id: str,
    charges: list[Charge],
    pending: list[Json],
    *,
    reason: str,
    period: tuple[int, int],
    proration_date: int | None = None,
) -> Json:
    """An invoice of ``sub``: its ``charges`` and its ``pending`` invoice items as lines."""
    lines = [_line_of_item(invoice_id, item) for item in pending]
    lines += [_line_of_charge(ctx, sub, invoice_id, charge) for charge in charges]
    for n, line in enumerate(lines):
        line["id"] = f"il_{invoice_id.split('_', 1)[1]}{n}"
    discounted = apply_discounts(ctx, sub, invoice_id, lines)
    subtotal = sum(line["amount"] for line in lines)
    total = subtotal - sum(d["amount"] for d in discounted)
    due = max(total, 0)
    return {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": due,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_remaining": due,
        "amount_shipping": 0,
        "attempt_count": 0,
        "attempted": False,
        "billing_reason": reason,
        "collection_method": sub["collection_method"],
        "created": ctx.now,
        "currency": sub["currency"],
        "customer": sub["customer"],
        "customer_account": None,
        "default_tax_rates": [],
        "description": None,
        "discounts": [d["discount"] for d in discounted],
        "due_date": None,
        "ending_balance": None,
        "issuer": {"type": "self"},
        "lines": {
            "object": "list",
            "data": lines,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        "livemode": ctx.livemode,
        "metadata": {},
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(sub["metadata"]),
                "subscription": sub["id"],
                "subscription_proration_date": proration_date,
            },
        },
        "period_end": period[1],
        "period_start": period[0],
        "starting_balance": 0,
        "status": "draft",
        "status_transitions": {
            "finalized_at": None,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal,
        "total": total,
        "total_discount_amounts": discounted,
        "total_excluding_tax": total,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
    }


def issue(
    ctx: Ctx,
    sub: Json,
    charges: list[Charge],
    *,
    reason: str,
    period: tuple[int, int],
    proration_date: int | None = None,
) -> Json:
    """Create and finalize an invoice; its pending items join it.

    The emulator takes no payments: the invoice is paid at once, unless the subscription is
    `past_due` (its payment failed, `/_emulator/subscriptions/{id}/payment_failed`): then it
    stays `open`, as Stripe leaves an invoice whose charge failed.
    """
    invoice_id, seq = new_billing_id(ctx, "invoice")
    pending = pending_items(ctx, sub["id"])
    body = invoice_body(
        ctx,
        sub,
        invoice_id,
        charges,
        pending,
        reason=reason,
        period=period,
        proration_date=proration_date,
    )
    paid = sub["status"] != "past_due"
    body.update(
        status="paid" if paid else "open",
        amount_paid=body["amount_due"] if paid else 0,
        amount_remaining=0 if paid else body["amount_due"],
        attempted=True,
        attempt_count=1 if body["amount_due"] else 0,
        ending_balance=min(body["total"], 0),
        effective_at=ctx.now,
    )
    body["status_transitions"].update(finalized_at=ctx.now, paid_at=ctx.now if paid else None)
    for item in pending:
        item["invoice"] = invoice_id
        save_invoice_item(ctx, item, sub["id"])
    ctx.tx.put(ctx.account, "invoice", body, seq=seq, ref=sub["customer"], key=sub["id"])
    sub["latest_invoice"] = invoice_id
    return body


def _line_of_item(invoice_id: str, item: Json) -> Json:
    details = item["parent"]["subscription_details"]
    return _line(
        invoice_id,
        item,
        subscription=details["subscription"],
        subscription_item=details["subscription_item"],
        invoice_item=item["id"],
    )


def _line_of_charge(ctx: Ctx, sub: Json, invoice_id: str, charge: Charge) -> Json:
    fields = {
        "amount": charge.amount,
        "currency": sub["currency"],
        "description": charge.description,
        "discountable": not charge.proration,
        "metadata": {},
        "period": {"start": charge.period[0], "end": charge.period[1]},
        "pricing": _pricing(charge),
        "proration": charge.proration,
        "quantity": charge.quantity,
        "livemode": ctx.livemode,
    }
    return _line(
        invoice_id, fields, subscription=sub["id"], subscription_item=charge.item, invoice_item=None
    )


def _line(
    invoice_id: str,
    source: Json,
    *,
    subscription: str,
    subscription_item: str | None,
    invoice_item: str | None,
) -> Json:
    return {
        "id": "",
        "object": "line_item",
        "amount": source["amount"],
        "currency": source["currency"],
        "description": source["description"],
        "discount_amounts": [],
        "discountable": source["discountable"],
        "discounts": [],
        "invoice": invoice_id,
        "livemode": source["livemode"],
        "metadata": dict(source["metadata"]),
        "parent": {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": invoice_item,
                "proration": source["proration"],
                "proration_details": {"credited_items": None},
                "subscription": subscription,
                "subscription_item": subscription_item,
            },
        },
        "period": dict(source["period"]),
        "pretax_credit_amounts": [],
        "pricing": source["pricing"],
        "quantity": source["quantity"],
        "subtotal": source["amount"],
        "taxes": [],
    }


def _pricing(charge: Charge) -> Json:
    return {
        "type": "price_details",
        "price_details": {"price": charge.price, "product": charge.product},
        "unit_amount_decimal": charge.unit_amount,
    }


def _metered(price: Json) -> bool:
    return bool((price.get("recurring") or {}).get("usage_type") == "metered")


def _product_name(ctx: Ctx, price: Json) -> str:
    product = ctx.tx.get(ctx.account, "product", price["product"])
    return str(product["name"]) if product else str(price["product"])
