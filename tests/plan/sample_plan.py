"""One hand-made plan with every operation type, for plan and render tests."""

from __future__ import annotations

from decimal import Decimal

from catalogsync.model import (
    Catalog,
    Coupon,
    CurrencyOption,
    Feature,
    Price,
    Product,
    PromotionCode,
    Recurring,
    Source,
    Tier,
)
from catalogsync.plan.compare import compare
from catalogsync.plan.plan import Plan
from catalogsync.state import RemoteState, fingerprint
from tests.plan.plan_builders import kind, managed, state

MONTH = Recurring("month")
_SRC = Source("catalog/products/pro.yaml", 12, 5)


def remote() -> RemoteState:
    seat = Price("seat", "pro", "usd", Decimal(8500), MONTH, nickname="Seat")
    yen = Price("seat_jpy", "pro", "jpy", Decimal(9800), MONTH, metadata={"a": "1"})
    return state(
        products=kind(
            "key",
            managed("pro", Product("pro", "Pro", default_price="seat"), owned={"old"}),
            managed("legacy", Product("legacy", "Legacy")),
        ),
        prices=kind("lookup_key", managed("price_old", seat), managed("price_y", yen, owned={"a"})),
        coupons=kind("id", managed("GONE", Coupon("GONE", percent_off=Decimal(5)))),
        promotion_codes=kind("code", managed("promo_1", PromotionCode("GO", "GONE"))),
        default_prices={"pro": "price_old"},
        product_features={"pro": {"old_feature": "prodft_1"}},
    )


def desired() -> Catalog:
    tiers = (Tier(1000, Decimal("0.99")), Tier(None, Decimal("0.04"), Decimal(1000)))
    metered = Recurring("month", usage_type="metered", meter="calls")
    return Catalog(
        products={"pro": Product("pro", "Pro", default_price="seat", features=("sso",))},
        prices={
            "seat": Price(
                "seat",
                "pro",
                "usd",
                Decimal(9900),
                MONTH,
                nickname="Seat",
                currency_options={"eur": CurrencyOption(Decimal(9500))},
                source=_SRC,
            ),
            "seat_jpy": Price("seat_jpy", "pro", "jpy", Decimal(10800), MONTH),
            "calls": Price("calls", "pro", "usd", None, metered, "tiered", "graduated", tiers),
        },
        features={"sso": Feature("sso", "Single sign-on", metadata={"plan": "pro"})},
        coupons={"W": Coupon("W", "Welcome", amount_off=Decimal(10000), currency="usd")},
    )


def sample_plan() -> Plan:
    r = remote()
    return Plan(
        "c" * 64,
        "acct_1",
        False,
        fingerprint(r),
        compare(desired(), r),
        {"price_old": {"active": 2, "past_due": 1}},
    )
