"""Which objects of an account `import` writes, and with which metadata (hand-made states)."""

from __future__ import annotations

from decimal import Decimal

from catalogsync.importer.select import generated_lookup_key, select, unique_key
from catalogsync.model import (
    Coupon,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Recurring,
    Remote,
)
from catalogsync.state import KindState
from tests.plan.plan_builders import kind, managed, state, unmanaged

MONTH = Recurring("month")


def test_live_objects_are_imported_and_archived_ones_left_out() -> None:
    remote = state(
        products=kind(
            "key",
            managed("pro", Product("pro", "Pro")),
            managed("old", Product("old", "Old", active=False)),
        ),
        features=kind(
            "lookup_key",
            managed("feat_1", Feature("sso", "SSO")),
            managed("feat_2", Feature("gone", "Gone", active=False)),
        ),
    )
    chosen = select(remote, include_archived=False, adopt=False).catalog
    assert list(chosen.products) == ["pro"]
    assert list(chosen.features) == ["sso"]
    everything = select(remote, include_archived=True, adopt=False).catalog
    assert list(everything.products) == ["old", "pro"]  # sorted by identity
    assert everything.products["old"].active is False
    assert list(everything.features) == ["gone", "sso"]


def test_archived_objects_an_imported_one_refers_to_are_written_archived() -> None:
    calls = Recurring("month", usage_type="metered", meter="api_calls")
    remote = state(
        products=kind(
            "key",
            managed("pro", Product("pro", "Pro", features=("sso",))),
            managed("old", Product("old", "Old", active=False)),
        ),
        prices=kind("lookup_key", managed("price_1", Price("calls", "pro", "usd", None, calls))),
        coupons=kind(
            "id", managed("OLD10", Coupon("OLD10", percent_off=Decimal(10), applies_to=("old",)))
        ),
        features=kind("lookup_key", managed("feat_1", Feature("sso", "SSO", active=False))),
        meters=kind(
            "event_name",
            unmanaged("mtr_1", Meter("api_calls", "API calls", active=False)),
            unmanaged("mtr_2", Meter("unused", "Unused", active=False)),
        ),
    )
    chosen = select(remote, include_archived=False, adopt=False).catalog
    assert chosen.products["old"].active is False  # the coupon's applies_to
    assert chosen.features["sso"].active is False  # the product's feature
    assert list(chosen.meters) == ["api_calls"]  # the price's meter; the unused one is not
    assert chosen.meters["api_calls"].active is False


def test_metadata_other_writers_set_is_imported_only_when_adopting() -> None:
    remote = state(
        products=kind(
            "key",
            managed(
                "pro", Product("pro", "Pro", metadata={"tier": "2", "crm": "x"}), owned={"tier"}
            ),
            unmanaged("addon", Product("addon", "Add-on", metadata={"crm": "y"})),
        ),
    )
    kept = select(remote, include_archived=False, adopt=False).catalog
    assert kept.products["pro"].metadata == {"tier": "2"}  # only the keys catalogsync set
    assert kept.products["addon"].metadata == {}
    adopted = select(remote, include_archived=False, adopt=True).catalog
    assert adopted.products["pro"].metadata == {"tier": "2", "crm": "x"}
    assert adopted.products["addon"].metadata == {"crm": "y"}


def test_unmanaged_objects_are_named_for_the_next_plan_to_adopt_except_meters() -> None:
    remote = state(
        products=kind("key", unmanaged("addon", Product("addon", "Add-on"))),
        coupons=kind("id", unmanaged("SAVE", Coupon("SAVE", percent_off=Decimal(5)))),
        meters=kind("event_name", unmanaged("mtr_1", Meter("calls", "Calls"))),
    )
    selection = select(remote, include_archived=False, adopt=False)
    assert selection.unmanaged == ("coupon SAVE", "product addon")
    assert list(selection.catalog.meters) == ["calls"]  # imported, but carries no marker


def test_a_promotion_code_whose_coupon_is_gone_is_left_out_and_said_so_when_live() -> None:
    remote = state(
        coupons=kind("id", managed("SAVE", Coupon("SAVE", percent_off=Decimal(5)))),
        promotion_codes=kind(
            "code",
            managed("promo_1", PromotionCode("KEEP", "SAVE")),
            managed("promo_2", PromotionCode("ORPHAN", "DELETED")),
            managed("promo_3", PromotionCode("OLDORPHAN", "DELETED", active=False)),
        ),
    )
    selection = select(remote, include_archived=True, adopt=False)
    assert list(selection.catalog.promotion_codes) == ["KEEP"]
    assert selection.left_out == ("promotion code ORPHAN: its coupon no longer exists",)


def test_keyless_live_prices_get_generated_keys_archived_keyless_ones_are_dropped() -> None:
    remote = state(
        products=kind("key", managed("pro", Product("pro", "Pro"))),
        prices=kind(
            "lookup_key",
            managed("price_keyed", Price("pro_usd_month", "pro", "usd", Decimal(900), MONTH)),
            unmanaged("price_b", Price("", "pro", "usd", Decimal(1000), MONTH), created=2),
            unmanaged("price_a", Price("", "pro", "usd", Decimal(1100), MONTH), created=1),
            unmanaged("price_once", Price("", "pro", "eur", Decimal(500))),
            unmanaged("price_q", Price("", "pro", "usd", Decimal(2500), Recurring("month", 3))),
            unmanaged("price_dead", Price("", "pro", "usd", Decimal(1), MONTH, active=False)),
        ),
    )
    selection = select(remote, include_archived=True, adopt=False)
    amounts = {k: p.unit_amount for k, p in selection.catalog.prices.items()}
    assert amounts == {
        "pro_usd_month": Decimal(900),  # the key it had
        "pro_usd_month_2": Decimal(1100),  # oldest keyless first: deterministic
        "pro_usd_month_3": Decimal(1000),
        "pro_eur_once": Decimal(500),
        "pro_usd_3month": Decimal(2500),
    }
    assert selection.keys_generated == (
        "price price_once of product pro: pro_eur_once",
        "price price_q of product pro: pro_usd_3month",
        "price price_a of product pro: pro_usd_month_2",
        "price price_b of product pro: pro_usd_month_3",
    )


def test_prices_of_products_not_imported_are_not_imported() -> None:
    remote = state(
        products=kind("key", managed("old", Product("old", "Old", active=False))),
        prices=kind(
            "lookup_key", managed("price_1", Price("old_usd", "old", "usd", Decimal(1), MONTH))
        ),
    )
    assert select(remote, include_archived=False, adopt=False).catalog.prices == {}


def test_a_default_price_that_is_not_imported_is_dropped_from_its_product() -> None:
    remote = state(
        products=kind(
            "key",
            managed("pro", Product("pro", "Pro", default_price="gone")),
            managed("team", Product("team", "Team", default_price="team_usd")),
        ),
        prices=kind(
            "lookup_key",
            managed("price_1", Price("gone", "pro", "usd", Decimal(1), MONTH, active=False)),
            managed("price_2", Price("team_usd", "team", "usd", Decimal(2), MONTH)),
        ),
    )
    products = select(remote, include_archived=False, adopt=False).catalog.products
    assert products["pro"].default_price is None
    assert products["team"].default_price == "team_usd"


def test_on_an_identity_tie_the_active_object_wins_over_a_newer_archived_one() -> None:
    remote = state(
        features=kind(
            "lookup_key",
            unmanaged("feat_live", Feature("sso", "Live"), created=1),
            unmanaged("feat_new", Feature("sso", "Archived", active=False), created=9),
        ),
    )
    assert select(remote, include_archived=True, adopt=False).catalog.features["sso"].name == "Live"


def test_billing_the_format_cannot_express_is_reported() -> None:
    price = Price("pro_usd", "pro", "usd", Decimal(900), MONTH)
    products = kind("key", managed("pro", Product("pro", "Pro")))
    plain = state(products=products, prices=kind("lookup_key", managed("price_1", price)))
    trial = Remote("price_1", price, True, unmodelled=("recurring.trial_period_days",))
    with_trial = state(products=products, prices=KindState(managed={"pro_usd": trial}))
    assert select(plain, include_archived=False, adopt=False).unexpressible == ()
    assert select(with_trial, include_archived=False, adopt=False).unexpressible == (
        "price pro_usd (price_1): recurring.trial_period_days",
    )


def test_generated_lookup_keys() -> None:
    yearly = Price("", "pro", "usd", Decimal(1), Recurring("year"))
    assert generated_lookup_key(yearly, set()) == "pro_usd_year"
    assert generated_lookup_key(yearly, {"pro_usd_year", "pro_usd_year_2"}) == "pro_usd_year_3"
    weekly = Price("", "pro", "jpy", Decimal(1), Recurring("week", interval_count=2))
    assert generated_lookup_key(weekly, set()) == "pro_jpy_2week"


def test_unique_key() -> None:
    assert unique_key("k", set()) == "k"
    assert unique_key("k", {"k"}) == "k_2"
    assert unique_key("k", {"k", "k_2", "k_4"}) == "k_3"
