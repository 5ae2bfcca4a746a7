"""Model resources as YAML documents: only non-default fields, exact major-unit amounts.

The inverse of `catalog.build`: amounts go from Decimal minor units back to
major units written with the places people use (``"99.00"``, ``"10800"``
JPY, ``"5.120"`` KWD, ``"0.0004"``), timestamps to ISO 8601 in UTC. A field
is written only when it differs from what the loader assumes when it is
missing, so an imported file reads like a hand-written one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalogsync.model import (
    Coupon,
    CurrencyOption,
    CustomUnitAmount,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Recurring,
    Tier,
)
from catalogsync.money import display_major

Document = dict[str, Any]

# Stripe's defaults for a meter's payload keys (billing.meter docs).
_CUSTOMER_PAYLOAD_KEY = "stripe_customer_id"
_VALUE_PAYLOAD_KEY = "value"


class Amount(str):
    """An amount in major units, written as a double-quoted decimal string."""


class Number(str):
    """A number written as plain YAML (``90``, ``12.5``); the loader reads it as Decimal."""


class Inline(dict[str, Any]):
    """A small mapping written on one line: ``{interval: month}``."""


class InlineList(list[Any]):
    """A list of scalars written on one line: ``[advanced, expert]``."""


def product(p: Product, prices: Iterable[Price]) -> Document:
    doc: Document = {"kind": "Product", "key": p.key, "name": p.name}
    _put(doc, "description", p.description)
    _put(doc, "tax_code", p.tax_code)
    _put(doc, "statement_descriptor", p.statement_descriptor)
    _put(doc, "unit_label", p.unit_label)
    _put(doc, "url", p.url)
    if p.features:
        doc["features"] = InlineList(sorted(p.features))
    _put(doc, "default_price", p.default_price)
    _inactive(doc, p.active)
    _metadata(doc, p.metadata)
    written = [price(x) for x in sorted(prices, key=lambda x: x.lookup_key)]
    if written:
        doc["prices"] = written
    return doc


def price(p: Price) -> Document:
    doc: Document = {"lookup_key": p.lookup_key}
    _put(doc, "nickname", p.nickname)
    doc["currency"] = p.currency
    if p.unit_amount is not None and not p.tiers:
        doc["unit_amount"] = amount(p.unit_amount, p.currency)
    if p.custom_unit_amount is not None:
        doc["custom_unit_amount"] = _custom(p.custom_unit_amount, p.currency)
    if p.recurring is not None:
        doc["recurring"] = _recurring(p.recurring)
    if p.billing_scheme == "tiered":
        doc["billing_scheme"] = "tiered"
        _put(doc, "tiers_mode", p.tiers_mode)
    if p.tax_behavior not in (None, "unspecified"):
        doc["tax_behavior"] = p.tax_behavior
    if p.tiers:
        doc["tiers"] = _tiers(p.tiers, p.currency)
    if p.transform_quantity is not None:
        t = p.transform_quantity
        doc["transform_quantity"] = Inline(divide_by=t.divide_by, round=t.round)
    options = {
        c: _option(o, c, p.tax_behavior)
        for c, o in sorted((p.currency_options or {}).items())
        if c != p.currency  # Stripe lists the price's own currency among its options
    }
    if options:
        doc["currency_options"] = options
    _inactive(doc, p.active)
    _metadata(doc, p.metadata)
    return doc


def coupon(c: Coupon) -> Document:
    doc: Document = {"kind": "Coupon", "id": c.id}
    _put(doc, "name", c.name)
    if c.percent_off is not None:
        doc["percent_off"] = Number(_plain(c.percent_off))
    if c.amount_off is not None and c.currency is not None:
        doc["amount_off"] = amount(c.amount_off, c.currency)
        doc["currency"] = c.currency
    if c.currency_options:
        doc["currency_options"] = {
            cur: Inline(amount_off=amount(v, cur)) for cur, v in sorted(c.currency_options.items())
        }
    if c.duration != "once":
        doc["duration"] = c.duration
    _put(doc, "duration_in_months", c.duration_in_months)
    _put(doc, "max_redemptions", c.max_redemptions)
    if c.redeem_by is not None:
        doc["redeem_by"] = timestamp(c.redeem_by)
    if c.applies_to:
        doc["applies_to"] = InlineList(sorted(c.applies_to))
    _metadata(doc, c.metadata)
    return doc


def promotion_code(p: PromotionCode) -> Document:
    doc: Document = {"kind": "PromotionCode", "code": p.code, "coupon": p.coupon}
    _put(doc, "max_redemptions", p.max_redemptions)
    if p.expires_at is not None:
        doc["expires_at"] = timestamp(p.expires_at)
    if p.first_time_transaction:
        doc["first_time_transaction"] = True
    if p.minimum_amount is not None and p.minimum_amount_currency is not None:
        doc["minimum_amount"] = amount(p.minimum_amount, p.minimum_amount_currency)
        doc["minimum_amount_currency"] = p.minimum_amount_currency
    _inactive(doc, p.active)
    _metadata(doc, p.metadata)
    return doc


def feature(f: Feature) -> Document:
    doc: Document = {"kind": "Feature", "lookup_key": f.lookup_key, "name": f.name}
    _inactive(doc, f.active)
    _metadata(doc, f.metadata)
    return doc


def meter(m: Meter) -> Document:
    doc: Document = {"kind": "Meter", "event_name": m.event_name, "display_name": m.display_name}
    if m.aggregation != "sum":
        doc["aggregation"] = m.aggregation
    if m.customer_payload_key not in (None, _CUSTOMER_PAYLOAD_KEY):
        doc["customer_payload_key"] = m.customer_payload_key
    if m.value_payload_key not in (None, _VALUE_PAYLOAD_KEY):
        doc["value_payload_key"] = m.value_payload_key
    _inactive(doc, m.active)
    return doc


def amount(minor: Decimal, currency: str) -> Amount:
    """Minor units as the exact major-unit text the loader reads back to the same value."""
    return Amount(f"{display_major(minor, currency):f}")


def timestamp(seconds: int) -> str:
    """Unix seconds as ISO 8601 in UTC: ``2027-01-31T00:00:00Z``."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _put(doc: Document, name: str, value: object) -> None:
    if value is not None:
        doc[name] = value


def _inactive(doc: Document, active: bool) -> None:
    if not active:
        doc["active"] = False


def _metadata(doc: Document, metadata: Mapping[str, str]) -> None:
    if metadata:
        doc["metadata"] = Inline(sorted(metadata.items()))


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _recurring(r: Recurring) -> Document:
    doc: Document = Inline(interval=r.interval)
    if r.interval_count != 1:
        doc["interval_count"] = r.interval_count
    if r.usage_type != "licensed":
        doc["usage_type"] = r.usage_type
    _put(doc, "meter", r.meter)
    return doc


def _custom(c: CustomUnitAmount, currency: str) -> Document:
    bounds = {"minimum": c.minimum, "maximum": c.maximum, "preset": c.preset}
    return Inline({k: amount(v, currency) for k, v in bounds.items() if v is not None})


def _tiers(tiers: tuple[Tier, ...], currency: str) -> list[Document]:
    out = []
    for t in tiers:
        tier: Document = Inline(up_to="inf" if t.up_to is None else t.up_to)
        for name in ("unit_amount", "flat_amount"):
            value = getattr(t, name)
            # Stripe reports an amount a tier does not charge as 0 or null.
            if value:
                tier[name] = amount(value, currency)
        if len(tier) == 1:  # a free tier still needs an amount to read well
            tier["unit_amount"] = amount(Decimal(0), currency)
        out.append(tier)
    return out


def _option(o: CurrencyOption, currency: str, price_tax_behavior: str | None) -> Document:
    doc: Document = Inline()
    if o.tiers:
        doc = {"tiers": _tiers(o.tiers, currency)}  # block style: tiers are long
    elif o.unit_amount is not None:
        doc["unit_amount"] = amount(o.unit_amount, currency)
    if o.tax_behavior not in (None, "unspecified", price_tax_behavior):
        doc["tax_behavior"] = o.tax_behavior
    return doc
