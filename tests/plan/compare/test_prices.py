"""`same_billing`: when a lookup-key change may be called a rename."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from catalogsync.model import CurrencyOption, Price, Recurring, TransformQuantity
from catalogsync.plan.compare.prices import same_billing

MONTH = Recurring("month")
EUR = {"eur": CurrencyOption(Decimal(8000))}
OLD = Price("pro_monthly", "pro", "usd", Decimal(8500), MONTH, "per_unit", currency_options=EUR)


def test_only_the_lookup_key_and_nickname_differ() -> None:
    new = Price(
        "pro_seat", "pro", "usd", Decimal(8500), MONTH, nickname="Pro", currency_options=EUR
    )
    assert same_billing(new, OLD)


def test_any_billing_difference_is_not_a_rename() -> None:
    new = Price("pro_seat", "pro", "usd", Decimal(8500), MONTH, currency_options=EUR)
    assert not same_billing(dataclasses.replace(new, unit_amount=Decimal(8600)), OLD)
    assert not same_billing(dataclasses.replace(new, recurring=Recurring("year")), OLD)
    assert not same_billing(dataclasses.replace(new, currency_options=None), OLD)
    per_10 = TransformQuantity(10, "up")
    assert not same_billing(dataclasses.replace(new, transform_quantity=per_10), OLD)
    options = {"eur": CurrencyOption(Decimal(8100))}
    assert not same_billing(dataclasses.replace(new, currency_options=options), OLD)
