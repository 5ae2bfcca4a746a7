"""Values Stripe refuses, refused by the loader; the corpus (tests/invalid/) has one case each.

Sources of the limits: stripe-python's typed params (`stripe/params/_coupon_create_params.py`:
redeem_by "cannot be set to more than 5 years in the future"; `_promotion_code_create_params.py`:
expires_at "cannot be after the coupon's redeems_by", max_redemptions "cannot be greater than
the coupon's"; `_price_create_params.py`: "Maximum of three years interval allowed (3 years,
36 months, or 156 weeks)") and https://docs.stripe.com/currencies (supported currencies,
"up to eight digits" of the minor unit).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from catalogsync import currencies
from catalogsync.catalog import check_catalog, load_catalog
from catalogsync.emulator import limits as emulator_limits
from catalogsync.emulator.errors import StripeError
from catalogsync.stripe_limits import latest_redeem_by

COUPON = "kind: Coupon\nid: LAUNCH20\npercent_off: 20\nredeem_by: 2027-01-31T23:59:59Z\n"


def _write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


@pytest.mark.parametrize(
    ("now", "found"),
    [
        (datetime(2026, 12, 1, tzinfo=UTC), []),
        # passed: a warning (an existing coupon keeps working; plan refuses to create it)
        (datetime(2027, 2, 1, tzinfo=UTC), [("date-range", "warning")]),
        (datetime(2021, 1, 1, tzinfo=UTC), [("date-range", "error")]),  # more than 5 years ahead
    ],
)
def test_redeem_by_is_judged_against_the_injected_clock(
    tmp_path: Path, now: datetime, found: list[tuple[str, str]]
) -> None:
    _write(tmp_path, {"coupons.yaml": COUPON})
    assert [(d.code, d.severity) for d in check_catalog(tmp_path, now=now)] == found


@pytest.mark.parametrize(("past_latest", "codes"), [(0, []), (1, ["date-range"])])
def test_redeem_by_five_years_ahead_is_one_limit_in_validate_and_the_emulator(
    tmp_path: Path, past_latest: int, codes: list[str]
) -> None:
    # 2024-02-29 has no 2029 twin: the latest is 2029-02-28 at the same time of day.
    now = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    latest = latest_redeem_by(int(now.timestamp()))
    assert datetime.fromtimestamp(latest, UTC) == datetime(2029, 2, 28, 12, 0, tzinfo=UTC)
    redeem_by = latest + past_latest
    written = datetime.fromtimestamp(redeem_by, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _write(
        tmp_path, {"coupons.yaml": f"kind: Coupon\nid: C\npercent_off: 5\nredeem_by: {written}\n"}
    )
    assert [d.code for d in check_catalog(tmp_path, now=now)] == codes
    if codes:
        with pytest.raises(StripeError, match="more than 5 years"):
            emulator_limits.check_redeem_by(redeem_by, int(now.timestamp()), "redeem_by")
    else:
        emulator_limits.check_redeem_by(redeem_by, int(now.timestamp()), "redeem_by")


def test_upper_case_currencies_are_accepted_and_normalised(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "products.yaml": (
                "kind: Product\nkey: p\nname: P\nprices:\n"
                "  - {lookup_key: seat, currency: USD, unit_amount: '99.00',"
                " currency_options: {EUR: {unit_amount: '95.00'}, Gbp: {unit_amount: '79.00'}}}\n"
            ),
            "coupons.yaml": (
                "kind: Coupon\nid: TENOFF\namount_off: '10.00'\ncurrency: USD\n"
                "currency_options: {JPY: {amount_off: 1500}}\n"
            ),
            "codes.yaml": (
                "kind: PromotionCode\ncode: TENOFF\ncoupon: TENOFF\n"
                "minimum_amount: '50.00'\nminimum_amount_currency: EUR\n"
            ),
        },
    )
    catalog = load_catalog(tmp_path).catalog
    price = catalog.prices["seat"]
    assert price.currency == "usd"
    assert price.currency_options is not None
    assert sorted(price.currency_options) == ["eur", "gbp"]
    coupon = catalog.coupons["TENOFF"]
    assert (coupon.currency, coupon.currency_options) == ("usd", {"jpy": Decimal(1500)})
    assert catalog.promotion_codes["TENOFF"].minimum_amount_currency == "eur"


def test_every_zero_and_three_decimal_currency_is_supported() -> None:
    from catalogsync import money

    assert money.ZERO_DECIMAL | money.THREE_DECIMAL | {"usd", "eur", "gbp", "aud"} <= (
        currencies.SUPPORTED
    )
    assert currencies.is_supported("USD")
    assert not currencies.is_supported("eru")


@pytest.mark.parametrize(
    ("currency", "amount", "codes"),
    [
        ("usd", '"999999.99"', []),  # 99,999,999 cents: eight digits
        ("usd", '"1000000.00"', ["amount-max"]),
        ("jpy", "99999999", []),
        ("jpy", "100000000", ["amount-max"]),
        ("kwd", '"99999.990"', []),
        # eight integer digits of the minor unit: 99,999,999.5 cents (a usage price) is allowed
        ("usd", '"999999.995"', []),
        ("usd", '"999999.999999999999"', []),
        ("usd", '"1000000.000000000001"', ["amount-max"]),
        ("usd", '"999999999999999.99"', ["amount-max"]),
    ],
)
def test_amounts_have_at_most_eight_digits_of_the_minor_unit(
    tmp_path: Path, currency: str, amount: str, codes: list[str]
) -> None:
    text = (
        "kind: Product\nkey: p\nname: P\nprices:\n"
        f"  - {{lookup_key: seat, currency: {currency}, unit_amount: {amount},"
        " recurring: {interval: month, usage_type: metered, meter: m}}\n"
        "---\nkind: Meter\nevent_name: m\ndisplay_name: M\n"
    )
    _write(tmp_path, {"products.yaml": text})
    assert [d.code for d in check_catalog(tmp_path)] == codes


@pytest.mark.parametrize(
    ("interval", "count", "ok"),
    [
        ("month", 36, True),  # a monthly price every 36 months is allowed
        ("month", 37, False),
        ("week", 156, True),
        ("week", 157, False),
        ("year", 3, True),
        ("year", 4, False),
        ("day", 1095, True),
        ("day", 1096, False),
    ],
)
def test_billing_intervals_up_to_three_years(
    tmp_path: Path, interval: str, count: int, ok: bool
) -> None:
    text = (
        "kind: Product\nkey: p\nname: P\nprices:\n"
        f"  - {{lookup_key: seat, currency: usd, unit_amount: '9.00',"
        f" recurring: {{interval: {interval}, interval_count: {count}}}}}\n"
    )
    _write(tmp_path, {"products.yaml": text})
    assert [d.code for d in check_catalog(tmp_path)] == ([] if ok else ["interval"])


def test_a_promotion_code_may_end_with_its_coupon_and_redeem_as_often(tmp_path: Path) -> None:
    coupon = COUPON + "max_redemptions: 100\n"
    code = (
        "kind: PromotionCode\ncode: LAUNCH20\ncoupon: LAUNCH20\n"
        "expires_at: 2027-01-31T23:59:59Z\nmax_redemptions: 100\n"
    )
    _write(tmp_path, {"coupons.yaml": coupon, "codes.yaml": code})
    assert check_catalog(tmp_path, now=datetime(2026, 12, 1, tzinfo=UTC)) == []
    _write(tmp_path, {"codes.yaml": code.replace("23:59:59Z", "23:59:59-00:01")})
    assert [d.code for d in check_catalog(tmp_path, now=datetime(2026, 12, 1, tzinfo=UTC))] == [
        "coupon-limits"
    ]


def test_ten_deal_phases_are_allowed(tmp_path: Path) -> None:
    phase = "  - {duration: {interval: month}, items: [{price: seat}]}\n"
    _write(
        tmp_path,
        {
            "products.yaml": (
                "kind: Product\nkey: p\nname: P\nprices:\n"
                "  - {lookup_key: seat, currency: usd, unit_amount: '9.00',"
                " recurring: {interval: month}}\n"
            ),
            "ramps.yaml": "kind: Ramp\nkey: r\nphases:\n" + phase * 7,
            "deals.yaml": (
                "kind: Deal\nkey: d\ncustomer: {id: cus_1}\nstart_date: 2027-01-01\n"
                "ramp: r\nextra_phases:\n" + phase * 3
            ),
        },
    )
    assert check_catalog(tmp_path, now=datetime(2026, 12, 1, tzinfo=UTC)) == []
