"""The emulator's own billing arithmetic: a line's amount and a proration's share of a period.

Written here, independently of the planner's proration (`catalogsync` predicts what Stripe
will bill; the emulator plays Stripe), so comparing the two means something:

- Stripe "calculates proration down to the second based on the starting timestamp of the
  billing period and the timestamp of the proration's triggering event"
  (https://docs.stripe.com/billing/scripts/prorations): a line for the time from ``at`` to
  the period end costs ``unit amount x quantity x (end - at) / (end - start)``.
- "Rounding occurs on the line item level of your invoices": the exact amount is rounded to
  the nearest whole minor unit, a half rounded up (1.5 -> 2)
  (https://docs.stripe.com/billing/subscriptions/decimal-amounts#rounding). A credit is the
  negative of the rounded charge for the same time, so the unused time of a price and the
  remaining time of the same price cancel exactly.
- Amounts are in the currency's minor unit, which for zero-decimal currencies (JPY) is the
  unit itself (https://docs.stripe.com/currencies#zero-decimal): the arithmetic is the same.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def line_amount(amount: Decimal) -> int:
    """A whole period's line (`pricing.period_amount`), rounded to the minor unit."""
    return _round(amount)


def prorated(amount: Decimal, start: int, end: int, at: int) -> int:
    """The share of a period's ``amount`` for [at, end) of [start, end), rounded per line.

    The product comes first, so an exact half stays exact before it is rounded.
    """
    if not start <= at <= end or end <= start:
        raise ValueError(f"proration time {at} is outside the period [{start}, {end})")
    return _round(amount * (end - at) / Decimal(end - start))


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
