"""Discounts redeemed on subscriptions (`catalogsync.emulator.discounts`).

Sources: stripe-python 16 `params/_subscription_update_params.py`
(`SubscriptionUpdateParamsDiscount`: one of `coupon`, `promotion_code`, or `discount`, "ID of
an existing discount on the object (or one of its ancestors) to reuse"), the discount object
https://docs.stripe.com/api/discounts/object (`source.coupon`, `promotion_code`, `end`: "if the
coupon has a duration of repeating, the date that this discount will end"), and the coupon
object https://docs.stripe.com/api/coupons/object (`redeem_by`: the last time it can be
redeemed) and promotion code object (`active`: "whether the promotion code is currently
active"). Emulator-only (the clock is set).
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe
from stripe.params import SubscriptionUpdateParamsDiscount

from catalogsync.emulator import Emulator
from tests.emulator.conftest import JAN_1_2027
from tests.emulator.resources.test_subscriptions_update_contract import monthly, subscriber

DAY = 86_400


def discount_of(client: stripe.StripeClient, sub: stripe.Subscription) -> stripe.Discount:
    expanded = client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]})
    (discount,) = expanded.discounts
    assert isinstance(discount, stripe.Discount)
    return discount


def refused_param(call: Any) -> str | None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    param: str | None = info.value.param
    return param


def test_a_promotion_code_redeems_its_coupon(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create({"percent_off": 25, "duration": "forever"}).id
    code = jan_1_2027.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon}, "code": "SPRING"}
    ).id
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 9900), discounts=[{"promotion_code": code}])
    discount = discount_of(jan_1_2027, sub)
    assert (discount.source.coupon, discount.promotion_code) == (coupon, code)
    assert (discount.start, discount.end) == (JAN_1_2027, None)


def test_a_repeating_coupon_ends_after_its_months(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create(
        {"percent_off": 25, "duration": "repeating", "duration_in_months": 3}
    ).id
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 9900), discounts=[{"coupon": coupon}])
    assert discount_of(jan_1_2027, sub).end == JAN_1_2027 + (31 + 28 + 31) * DAY  # 2027-04-01


def test_an_inactive_promotion_code_is_refused(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create({"percent_off": 25, "duration": "forever"}).id
    code = jan_1_2027.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon}, "code": "OLD", "active": False}
    ).id
    price = monthly(jan_1_2027, 9900)
    param = refused_param(
        lambda: subscriber(jan_1_2027, price, discounts=[{"promotion_code": code}])
    )
    assert param == "discounts[0][promotion_code]"


def test_a_coupon_past_its_redeem_by_is_refused(
    emulator: Emulator, jan_1_2027: stripe.StripeClient
) -> None:
    coupon = jan_1_2027.v1.coupons.create(
        {"percent_off": 25, "duration": "forever", "redeem_by": JAN_1_2027 + 10 * DAY}
    ).id
    price = monthly(jan_1_2027, 9900)
    emulator.clock.set(JAN_1_2027 + 10 * DAY)
    param = refused_param(lambda: subscriber(jan_1_2027, price, discounts=[{"coupon": coupon}]))
    assert param == "discounts[0][coupon]"


def test_each_discount_names_exactly_one_source(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create({"percent_off": 25, "duration": "forever"}).id
    given = [{"coupon": coupon, "discount": "di_other"}]
    price = monthly(jan_1_2027, 9900)
    assert refused_param(lambda: subscriber(jan_1_2027, price, discounts=given)) == ("discounts[0]")


def test_a_discount_cannot_be_applied_twice(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create({"percent_off": 25, "duration": "forever"}).id
    sub = subscriber(jan_1_2027, monthly(jan_1_2027, 9900), discounts=[{"coupon": coupon}])
    again: list[SubscriptionUpdateParamsDiscount] = [
        {"discount": str(d)} for d in sub.discounts * 2
    ]
    param = refused_param(lambda: jan_1_2027.v1.subscriptions.update(sub.id, {"discounts": again}))
    assert param == "discounts"


def test_another_customers_discount_cannot_be_reused(jan_1_2027: stripe.StripeClient) -> None:
    coupon = jan_1_2027.v1.coupons.create({"percent_off": 25, "duration": "forever"}).id
    price = monthly(jan_1_2027, 9900)
    theirs = subscriber(jan_1_2027, price, discounts=[{"coupon": coupon}])
    mine = subscriber(jan_1_2027, price)
    reuse: list[SubscriptionUpdateParamsDiscount] = [{"discount": str(theirs.discounts[0])}]
    param = refused_param(lambda: jan_1_2027.v1.subscriptions.update(mine.id, {"discounts": reuse}))
    assert param == "discounts[0][discount]"
