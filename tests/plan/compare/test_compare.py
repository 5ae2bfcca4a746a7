"""compare() on hand-made models: one test per row of the DESIGN table and then some."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalogsync.changes import FieldChange
from catalogsync.errors import PlanError
from catalogsync.model import (
    Catalog,
    Coupon,
    CurrencyOption,
    Feature,
    Meter,
    Price,
    Product,
    PromotionCode,
    Recurring,
    Tier,
)
from catalogsync.plan.compare import compare
from catalogsync.plan.operations import (
    Adopt,
    Archive,
    AttachFeature,
    Create,
    Delete,
    DetachFeature,
    MoveDefaultPrice,
    Replace,
    Target,
    Update,
    level,
)
from tests.plan.plan_builders import kind, managed, state, unmanaged

MONTH = Recurring("month")
SEAT = Price("seat", "pro", "usd", Decimal(8500), MONTH, nickname="Seat")
PRO = Product("pro", "Pro")


def test_create_everything_in_dependency_order() -> None:
    desired = Catalog(
        products={"pro": Product("pro", "Pro", default_price="seat", features=("sso",))},
        prices={"seat": SEAT},
        features={"sso": Feature("sso", "SSO")},
        coupons={"C": Coupon("C", percent_off=Decimal(10))},
        promotion_codes={"GO": PromotionCode("GO", "C")},
    )
    ops = compare(desired, state())
    assert [type(op).__name__ + ":" + op.target.key for op in ops] == [
        "Create:sso",
        "Create:pro",
        "Create:seat",
        "AttachFeature:pro",
        "MoveDefaultPrice:pro",
        "Create:C",
        "Create:GO",
    ]
    assert [level(op) for op in ops] == sorted(level(op) for op in ops)
    product = ops[1]
    assert isinstance(product, Create)
    assert product.fields == {"key": "pro", "name": "Pro", "active": True, "metadata": {}}


def test_no_op_when_declared_fields_match_and_stripe_has_more() -> None:
    remote_price = Price(
        "seat", "pro", "usd", Decimal(8500), MONTH, "per_unit", nickname="Seat",
        tax_behavior="unspecified", currency_options={"usd": CurrencyOption(Decimal(8500))},
    )  # fmt: skip
    remote = state(
        products=kind("key", managed("pro", Product("pro", "Pro", description="x"))),
        prices=kind("lookup_key", managed("price_1", remote_price)),
    )
    assert compare(Catalog(products={"pro": PRO}, prices={"seat": SEAT}), remote) == ()


def test_mutable_change_updates_in_place_with_before_and_after() -> None:
    remote = state(products=kind("key", managed("pro", Product("pro", "Pro v1"))))
    (op,) = compare(Catalog(products={"pro": PRO}), remote)
    assert op == Update(Target("product", "pro", "pro"), (FieldChange("name", "Pro v1", "Pro"),))


def test_metadata_sets_declared_unsets_owned_and_leaves_others() -> None:
    have = Product("pro", "Pro", metadata={"tier": "a", "old": "x", "theirs": "y"})
    remote = state(products=kind("key", managed("pro", have, owned={"tier", "old"})))
    want = Product("pro", "Pro", metadata={"tier": "b"})
    (op,) = compare(Catalog(products={"pro": want}), remote)
    assert isinstance(op, Update)
    assert op.changes == (
        FieldChange("metadata.old", "x", None),
        FieldChange("metadata.tier", "a", "b"),
    )
    assert op.owned == ("tier",)


def test_immutable_price_change_replaces_moves_default_and_archives_old() -> None:
    remote = state(
        products=kind("key", managed("pro", Product("pro", "Pro", default_price="seat"))),
        prices=kind("lookup_key", managed("price_old", SEAT)),
        default_prices={"pro": "price_old"},
    )
    new_seat = Price("seat", "pro", "usd", Decimal(9900), MONTH, nickname="Seat")
    want = Product("pro", "Pro", default_price="seat")
    ops = compare(Catalog(products={"pro": want}, prices={"seat": new_seat}), remote)
    replace, move, archive = ops
    assert isinstance(replace, Replace)
    assert replace.target == Target("price", "seat", "price_old")
    assert replace.changes == (FieldChange("unit_amount", Decimal(8500), Decimal(9900)),)
    assert replace.fields["unit_amount"] == Decimal(9900)
    assert move == MoveDefaultPrice(Target("product", "pro", "pro"), "seat", "seat", None)
    assert archive == Archive(Target("price", "seat", "price_old"), "replaced")


def test_tax_behavior_updates_from_unspecified_and_replaces_otherwise() -> None:
    def plan(before: str, after: str) -> type:
        have = Price("seat", "pro", "usd", Decimal(1), tax_behavior=before)  # type: ignore[arg-type]
        want = Price("seat", "pro", "usd", Decimal(1), tax_behavior=after)  # type: ignore[arg-type]
        remote = state(prices=kind("lookup_key", managed("p", have)))
        return type(compare(Catalog(prices={"seat": want}), remote)[0])

    assert plan("unspecified", "exclusive") is Update
    assert plan("inclusive", "exclusive") is Replace


def test_currency_options_compare_declared_subfields_added_in_place_changed_by_replace() -> None:
    have = Price(
        "seat", "pro", "usd", Decimal(8500),
        currency_options={
            "usd": CurrencyOption(Decimal(8500), tax_behavior="exclusive"),
            "eur": CurrencyOption(Decimal(8000), tax_behavior="exclusive"),
        },
    )  # fmt: skip
    remote = state(prices=kind("lookup_key", managed("p", have)))
    gbp = FieldChange("currency_options.gbp", None, {"unit_amount": Decimal(7000)})
    added = {"eur": CurrencyOption(Decimal(8000)), "gbp": CurrencyOption(Decimal(7000))}
    want = Price("seat", "pro", "usd", Decimal(8500), currency_options=added)
    (op,) = compare(Catalog(prices={"seat": want}), remote)
    assert isinstance(op, Update)
    assert op.changes == (gbp,)
    # An existing currency's amount changing would reprice its subscribers in place.
    changed = {"eur": CurrencyOption(Decimal(8100)), "gbp": CurrencyOption(Decimal(7000))}
    want = Price("seat", "pro", "usd", Decimal(8500), currency_options=changed)
    replace, archive = compare(Catalog(prices={"seat": want}), remote)
    assert isinstance(replace, Replace)
    assert isinstance(archive, Archive)
    eur = {"unit_amount": Decimal(8000)}, {"unit_amount": Decimal(8100)}
    assert replace.changes == (FieldChange("currency_options.eur", *eur), gbp)


def test_tiers_ignore_amounts_stripe_reports_as_null_or_zero() -> None:
    tiers = (Tier(1000, Decimal("99")), Tier(None, Decimal("79")))
    have_tiers = (Tier(1000, Decimal("99"), Decimal(0)), Tier(None, Decimal("79"), None))
    metered = Recurring("month", usage_type="metered", meter="calls")
    want = Price("calls", "pro", "usd", None, metered, "tiered", "graduated", tiers)
    have = Price("calls", "pro", "usd", None, metered, "tiered", "graduated", have_tiers)
    remote = state(prices=kind("lookup_key", managed("p", have)))
    assert compare(Catalog(prices={"calls": want}), remote) == ()
    cheaper = Price("calls", "pro", "usd", None, metered, "tiered", "graduated", tiers[:1])
    replace, archive = compare(Catalog(prices={"calls": cheaper}), remote)
    assert isinstance(replace, Replace)
    assert archive == Archive(Target("price", "calls", "p"), "replaced")


def test_removed_managed_objects_are_archived_or_deleted_and_default_cleared() -> None:
    remote = state(
        products=kind("key", managed("pro", Product("pro", "Pro", default_price="seat"))),
        prices=kind("lookup_key", managed("price_1", SEAT)),
        coupons=kind("id", managed("C", Coupon("C", percent_off=Decimal(5)))),
        promotion_codes=kind("code", managed("promo_1", PromotionCode("GO", "C"))),
        features=kind("lookup_key", managed("feat_1", Feature("sso", "SSO"))),
        meters=kind("event_name", managed("mtr_1", Meter("calls", "Calls"))),
        default_prices={"pro": "price_1"},
    )
    ops = compare(Catalog(), remote)
    assert ops == (
        MoveDefaultPrice(Target("product", "pro", "pro"), "seat", None, None),
        Delete(Target("coupon", "C", "C")),
        Archive(Target("feature", "sso", "feat_1")),
        Archive(Target("price", "seat", "price_1")),
        Archive(Target("product", "pro", "pro")),
        Archive(Target("promotion_code", "GO", "promo_1")),
    )


def test_already_archived_objects_stay_archived() -> None:
    remote = state(products=kind("key", managed("pro", Product("pro", "Pro", active=False))))
    assert compare(Catalog(), remote) == ()


def test_unmanaged_objects_are_never_touched() -> None:
    remote = state(
        products=kind("key", unmanaged("prod_x", Product("prod_x", "Legacy"))),
        prices=kind("lookup_key", unmanaged("price_x", SEAT)),
        coupons=kind("id", unmanaged("OLD", Coupon("OLD", percent_off=Decimal(5)))),
    )
    assert compare(Catalog(), remote) == ()


def test_unmanaged_object_with_matching_identity_is_adopted() -> None:
    remote = state(products=kind("key", unmanaged("pro", Product("pro", "Old name"))))
    (op,) = compare(Catalog(products={"pro": PRO}), remote)
    assert op == Adopt(Target("product", "pro", "pro"), (FieldChange("name", "Old name", "Pro"),))


def test_adopting_a_price_with_other_amount_replaces_it() -> None:
    have = Price("seat", "pro", "usd", Decimal(100))
    remote = state(prices=kind("lookup_key", unmanaged("price_x", have)))
    replace, archive = compare(Catalog(prices={"seat": SEAT}), remote)
    assert isinstance(replace, Replace)
    assert replace.adopt
    assert archive == Archive(Target("price", "seat", "price_x"), "replaced")


def test_coupon_immutable_change_replaces_and_name_updates() -> None:
    have = Coupon("C", "Ten", percent_off=Decimal("10"), applies_to=("b", "a"))
    remote = state(coupons=kind("id", managed("C", have)))
    renamed = Coupon("C", "Ten!", percent_off=Decimal("10.0"), applies_to=("a", "b"))
    (update,) = compare(Catalog(coupons={"C": renamed}), remote)
    assert isinstance(update, Update)
    assert update.changes == (FieldChange("name", "Ten", "Ten!"),)
    (replace,) = compare(Catalog(coupons={"C": Coupon("C", "Ten", Decimal(20))}), remote)
    assert isinstance(replace, Replace)


def test_meter_updates_display_name_and_refuses_immutable_fields() -> None:
    remote = state(meters=kind("event_name", managed("mtr_1", Meter("calls", "Calls"))))
    (op,) = compare(Catalog(meters={"calls": Meter("calls", "API calls")}), remote)
    assert op == Update(
        Target("meter", "calls", "mtr_1"), (FieldChange("display_name", "Calls", "API calls"),)
    )
    with pytest.raises(PlanError, match="aggregation"):
        compare(Catalog(meters={"calls": Meter("calls", "Calls", "count")}), remote)


def test_meter_left_the_catalog_is_not_deactivated() -> None:
    remote = state(meters=kind("event_name", managed("mtr_1", Meter("calls", "Calls"))))
    assert compare(Catalog(), remote) == ()


def test_product_features_attach_and_detach() -> None:
    remote = state(
        products=kind("key", managed("pro", PRO)),
        features=kind("lookup_key", managed("feat_a", Feature("a", "A"))),
        product_features={"pro": {"b": "prodft_b"}},
    )
    want = Product("pro", "Pro", features=("a",))
    ops = compare(Catalog(products={"pro": want}, features={"a": Feature("a", "A")}), remote)
    assert ops == (
        AttachFeature(Target("product", "pro", "pro"), "a", "feat_a"),
        DetachFeature(Target("product", "pro", "pro"), "b", "prodft_b"),
    )


def test_metered_price_create_carries_the_meter_id() -> None:
    metered = Price("calls", "pro", "usd", Decimal("0.04"), Recurring("month", 1, "metered", "c"))
    remote = state(meters=kind("event_name", managed("mtr_9", Meter("c", "C"))))
    (op,) = compare(Catalog(prices={"calls": metered}), remote)
    assert isinstance(op, Create)
    assert op.refs == {"meter:c": "mtr_9"}


def test_compare_plans_ten_thousand_prices() -> None:
    # How long it takes is measured by the benchmarks (benchmarks/run.py), never asserted here.
    prices = {
        f"p{i}": Price(f"p{i}", "pro", "usd", Decimal(i), MONTH, nickname=f"n{i}")
        for i in range(10_000)
    }
    existing = [Price(f"p{i}", "pro", "usd", Decimal(i), MONTH) for i in range(10_000)]
    remote = state(prices=kind("lookup_key", *(managed(p.lookup_key, p) for p in existing)))
    ops = compare(Catalog(prices=prices), remote)
    assert len(ops) == 10_000
