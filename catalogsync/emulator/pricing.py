"""What one billing period of a price costs for a quantity, in one of its currencies.

The emulator's own reading of Stripe's pricing models
(https://docs.stripe.com/products-prices/pricing-models), independent of the planner's:

- per unit: the unit amount (`unit_amount_decimal` when given) times the quantity;
- package pricing, `transform_quantity`: the quantity divided by `divide_by`, rounded `up`
  or `down` to whole packages, times the unit amount
  (https://docs.stripe.com/products-prices/pricing-models#package-pricing);
- volume tiers: every unit at the price of the tier the whole quantity falls in, plus that
  tier's flat amount; graduated tiers: each unit at the price of the tier it falls in, plus
  the flat amount of every tier reached
  (https://docs.stripe.com/products-prices/pricing-models#tiered-pricing).

The amount is exact (minor units, possibly fractional); invoices round each line.
"""

from __future__ import annotations

from decimal import Decimal

from catalogsync.emulator.errors import invalid
from catalogsync.emulator.store import Json


def period_amount(price: Json, currency: str, quantity: int) -> Decimal:
    """What one period of ``price`` costs for ``quantity`` in ``currency`` (exact)."""
    terms = _terms(price, currency)
    if price.get("billing_scheme") == "tiered":
        return _tiered(terms["tiers"] or [], price["tiers_mode"], quantity)
    unit = unit_amount(price, currency)
    if unit is None:
        raise invalid(f"The price {price['id']} has no unit amount to bill.", param="items")
    return unit * _packages(price, quantity)


def unit_amount(price: Json, currency: str) -> Decimal | None:
    """The unit amount in ``currency`` (None for tiered prices, which have none)."""
    terms = _terms(price, currency)
    return None if price.get("billing_scheme") == "tiered" else _decimal(terms, "unit_amount")


def _terms(price: Json, currency: str) -> Json:
    """The price's amounts in ``currency``: its own, or its currency option for it."""
    options = price.get("currency_options") or {}
    terms = price if price["currency"] == currency else options.get(currency)
    if terms is None:
        raise invalid(f"The price {price['id']} has no amount in {currency}.", param="currency")
    return dict(terms)


def _packages(price: Json, quantity: int) -> int:
    transform = price.get("transform_quantity")
    if not transform:
        return quantity
    whole, rest = divmod(quantity, int(transform["divide_by"]))
    return whole + (1 if rest and transform["round"] == "up" else 0)


def _tiered(tiers: list[Json], mode: str, quantity: int) -> Decimal:
    if mode == "volume":
        tier = next(t for t in tiers if t["up_to"] is None or quantity <= t["up_to"])
        return _tier_cost(tier, quantity)
    total, floor = Decimal(0), 0
    for tier in tiers:
        if quantity <= floor:
            break
        ceiling = quantity if tier["up_to"] is None else min(quantity, tier["up_to"])
        total += _tier_cost(tier, ceiling - floor)
        floor = ceiling
    return total


def _tier_cost(tier: Json, units: int) -> Decimal:
    unit = _decimal(tier, "unit_amount") or Decimal(0)
    return unit * units + (_decimal(tier, "flat_amount") or Decimal(0))


def _decimal(terms: Json, field: str) -> Decimal | None:
    text, whole = terms.get(f"{field}_decimal"), terms.get(field)
    if text is not None:
        return Decimal(text)
    return None if whole is None else Decimal(whole)
