"""What a price bills per period, per month, and for the rest of a period.

The planner's side of a migration's money, in minor units (`money.py`):

- `period_amount`: what one period of a licensed price bills for a
  quantity, in one of its currencies (its own or a currency option): per
  unit, per bundle (``transform_quantity``), or by tiers, graduated or
  volume (docs.stripe.com/products-prices/pricing-models).
- `monthly`: that amount normalised to a month, for MRR.
- `proration_lines`: what Stripe invoices when an item's price is swapped
  at ``moment`` inside the item's period ``[start, end)``: a credit for the
  unused time of the old price and a charge for the remaining time of the
  new one, each ``amount * (end - moment) / (end - start)`` to the second,
  and each line rounded to the minor unit
  (docs.stripe.com/billing/subscriptions/prorations: "Unused time on
  original … (credit)", "Remaining time on new … (debit)"; "Stripe
  calculates proration down to the second",
  docs.stripe.com/billing/scripts/prorations). Stripe does not document its
  rounding; half away from zero (``ROUND_HALF_UP``) is what the emulator's
  independent arithmetic is checked against through ``create_preview``.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from catalogsync.model import Price, Recurring, Tier

# Intervals per month as a fraction (numerator, denominator), to normalise a
# recurring amount to a month (MRR): 1/12 of a year, 52/12 weeks, 365/12 days.
_PER_MONTH = {"month": (1, 1), "year": (1, 12), "week": (52, 12), "day": (365, 12)}


class NotBillable(ValueError):
    """A price that has no fixed amount for a quantity in a currency."""


def period_amount(price: Price, currency: str, quantity: int) -> Decimal:
    """What one period of ``price`` bills for ``quantity`` in ``currency`` (minor units, exact).

    Raises `NotBillable` for a currency the price does not have, or a
    price with no amount (a customer-chosen amount).
    """
    unit, tiers = _terms(price, currency)
    units = _bundles(price, quantity)
    if tiers is not None:
        return _tiered(tiers, price.tiers_mode or "volume", units)
    if unit is None:
        raise NotBillable(f"price {price.lookup_key or '?'} has no unit amount")
    return unit * units


def _terms(price: Price, currency: str) -> tuple[Decimal | None, tuple[Tier, ...] | None]:
    if currency == price.currency:
        return price.unit_amount, price.tiers
    option = (price.currency_options or {}).get(currency)
    if option is None:
        raise NotBillable(f"price {price.lookup_key or '?'} has no {currency.upper()} amount")
    return option.unit_amount, option.tiers


def _bundles(price: Price, quantity: int) -> int:
    """The quantity billed: divided into bundles when the price sells bundles."""
    transform = price.transform_quantity
    if transform is None:
        return quantity
    rounding = math.ceil if transform.round == "up" else math.floor
    return int(rounding(Decimal(quantity) / Decimal(transform.divide_by)))


def _tiered(tiers: tuple[Tier, ...], mode: str, units: int) -> Decimal:
    """Volume: every unit at the tier the quantity falls in; graduated: each unit at its tier."""
    total = Decimal(0)
    below = 0  # units covered by earlier tiers
    for tier in tiers:
        top = units if tier.up_to is None else tier.up_to
        in_tier = max(0, min(units, top) - below)
        if mode == "volume":
            if units <= top:
                return _tier_cost(tier, units)
        elif in_tier > 0:
            total += _tier_cost(tier, in_tier)
        below = max(below, top)
    return total


def _tier_cost(tier: Tier, units: int) -> Decimal:
    unit = tier.unit_amount or Decimal(0)
    return unit * units + (tier.flat_amount or Decimal(0))


def monthly(amount: Decimal, recurring: Recurring) -> Decimal:
    """A per-period amount as a recurring amount per month, rounded to the minor unit."""
    times, months = _PER_MONTH[recurring.interval]
    return _round(amount * times / (months * recurring.interval_count))


def proration_lines(
    old: Decimal, new: Decimal, period: tuple[int, int], moment: int
) -> tuple[Decimal, Decimal]:
    """The credit (≤ 0) for the old per-period amount and the charge for the new one.

    ``period`` is the item's ``[start, end)`` in unix seconds and ``moment``
    the proration date, inside it.
    """
    start, end = period
    if not start <= moment < end:
        raise ValueError(f"proration date {moment} is outside the period [{start}, {end})")
    remaining = Decimal(end - moment) / Decimal(end - start)
    return -_round(old * remaining), _round(new * remaining)


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), ROUND_HALF_UP)
