"""How a subscription's discounts reduce its invoices.

Sources: the coupon object, https://docs.stripe.com/api/coupons/object (`percent_off`:
"percent that will be taken off the subtotal of any invoices"; `amount_off` in `currency`,
or in another currency through `currency_options`; `applies_to.products`; `duration`: `once`,
`repeating` for `duration_in_months`, `forever`), the discount object's `end`
(https://docs.stripe.com/api/discounts/object), and the invoice object's
`total_discount_amounts` and lines' `discount_amounts`
(https://docs.stripe.com/api/invoices/object). Proration lines are not discountable ("All
invoice items that are prorations are set to discountable=false",
https://docs.stripe.com/billing/subscriptions/prorations).

- A `once` discount reduces the first invoice made after it starts, a `repeating` one the
  invoices made before its `end`, a `forever` one every invoice.
- Several discounts apply in their order, each to what the ones before left; a percentage
  is rounded to the minor unit (half up) and each discount is shared among the lines it
  applies to in proportion to their amounts, the rounding remainder to the first lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json


def proration_factor(ctx: Ctx, sub: Json, product: str) -> Decimal:
    """What is left of a proration of ``product`` after the subscription's percentage discounts.

    "Any adjustments from discounts are reflected in the proration invoice item's amount"
    (https://docs.stripe.com/billing/subscriptions/prorations, "Prorations and discounts";
    https://docs.stripe.com/changelog/clover/2025-09-30/itemize-proration-discount-amounts):
    a proration line is net of the discounts, and the invoice does not discount it again.
    Stripe does not document how an amount-off coupon is spread over prorations, so the
    emulator nets percentages only; the net amount is rounded once, as a whole line.
    """
    factor = Decimal(1)
    for _, coupon in _active(ctx, sub, invoice_id=None):
        products = (coupon.get("applies_to") or {}).get("products")
        if coupon.get("percent_off") is not None and (not products or product in products):
            factor *= 1 - Decimal(str(coupon["percent_off"])) / 100
    return factor


def _active(ctx: Ctx, sub: Json, invoice_id: str | None) -> list[tuple[str, Json]]:
    """The subscription's discounts that apply now, with their coupons, in order."""
    active = []
    for discount_id in sub["discounts"]:
        discount = ctx.tx.get(ctx.account, "discount", discount_id)
        coupon = discount and ctx.tx.get(ctx.account, "coupon", discount["source"]["coupon"])
        if discount and coupon and _applies_now(ctx, sub, discount, coupon, invoice_id):
            active.append((discount_id, coupon))
    return active


def apply_discounts(ctx: Ctx, sub: Json, invoice_id: str, lines: list[Json]) -> list[Json]:
    """Reduce ``lines`` by the subscription's discounts; the invoice's `total_discount_amounts`."""
    left = {n: line["amount"] for n, line in enumerate(lines) if line["discountable"]}
    totals = []
    for discount_id, coupon in _active(ctx, sub, invoice_id):
        products = (coupon.get("applies_to") or {}).get("products")
        eligible = {
            n: amount
            for n, amount in left.items()
            if amount > 0 and (not products or _product(lines[n]) in products)
        }
        amount = _amount_off(coupon, sub["currency"], sum(eligible.values()))
        if amount <= 0:
            continue
        for n, share in _shares(amount, eligible).items():
            lines[n]["discount_amounts"].append({"amount": share, "discount": discount_id})
            left[n] -= share
        totals.append({"amount": amount, "discount": discount_id})
    return totals


def _applies_now(ctx: Ctx, sub: Json, discount: Json, coupon: Json, invoice_id: str | None) -> bool:
    if coupon["duration"] == "once":
        earlier = ctx.tx.find(ctx.account, "invoice", [("key = ?", sub["id"])], 100000)
        return not any(
            discount["id"] in invoice["discounts"]
            for invoice in earlier
            if invoice["id"] != invoice_id
        )
    return discount["end"] is None or ctx.now < discount["end"]


def _amount_off(coupon: Json, currency: str, base: int) -> int:
    if coupon.get("percent_off") is not None:
        exact = Decimal(base) * Decimal(str(coupon["percent_off"])) / 100
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if coupon.get("currency") == currency:
        off = coupon["amount_off"]
    else:
        off = ((coupon.get("currency_options") or {}).get(currency) or {}).get("amount_off")
    return 0 if off is None else min(int(off), base)


def _shares(amount: int, eligible: dict[int, int]) -> dict[int, int]:
    base = sum(eligible.values())
    shares = {n: amount * value // base for n, value in eligible.items()}
    for n in list(eligible)[: amount - sum(shares.values())]:
        shares[n] += 1
    return shares


def _product(line: Json) -> str | None:
    details = (line.get("pricing") or {}).get("price_details") or {}
    return details.get("product")
