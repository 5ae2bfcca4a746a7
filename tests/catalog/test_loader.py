"""load_catalog: the model built from YAML, money per currency, digest, file discovery."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogsync import money
from catalogsync.catalog import check_catalog, load_catalog
from catalogsync.errors import CatalogInvalid, ConfigError

PRODUCT = """\
kind: Product
key: p
name: P
prices:
  - lookup_key: price
    currency: {currency}
    unit_amount: {amount}
    recurring: {{interval: month, usage_type: metered, meter: m}}
---
kind: Meter
event_name: m
display_name: M
"""


def _catalog(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def _price_amount(directory: Path, currency: str, amount: str) -> Decimal | None:
    _catalog(directory, {"p.yaml": PRODUCT.format(currency=currency, amount=amount)})
    return load_catalog(directory).catalog.prices["price"].unit_amount


@pytest.mark.parametrize(
    ("currency", "amount", "minor"),
    [
        ("usd", '"99.00"', Decimal(9900)),
        ("usd", "0.1", Decimal(10)),
        ("usd", '"0.0004"', Decimal("0.04")),
        ("usd", '"0.000000000000010"', Decimal("1E-12")),  # 12 places of the cent
        ("jpy", "1500", Decimal(1500)),
        ("jpy", '"0.5"', Decimal("0.5")),  # metered: a fraction of a yen is allowed
        ("kwd", '"5.120"', Decimal(5120)),
        ("kwd", '"0.0015"', Decimal("1.5")),
        ("isk", "990", Decimal(99000)),  # sent as two-decimal, ending in 00
    ],
)
def test_price_amounts_in_minor_units(
    tmp_path: Path, currency: str, amount: str, minor: Decimal
) -> None:
    assert _price_amount(tmp_path, currency, amount) == minor


@pytest.mark.parametrize(
    ("currency", "amount", "message"),
    [
        ("usd", '"0.0000000000000001"', "Stripe accepts at most 12"),
        ("isk", '"990.5"', "ISK amounts must be whole units"),
    ],
)
def test_unrepresentable_price_amounts(
    tmp_path: Path, currency: str, amount: str, message: str
) -> None:
    _catalog(tmp_path, {"p.yaml": PRODUCT.format(currency=currency, amount=amount)})
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(tmp_path)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.code, diagnostic.pointer) == ("amount", "/prices/0/unit_amount")
    assert message in diagnostic.message


@pytest.mark.parametrize(
    ("currency", "amount_off", "ok"),
    [
        ("usd", '"9.99"', True),
        ("usd", '"9.999"', False),
        ("jpy", '"100"', True),
        ("jpy", '"100.5"', False),
        ("kwd", '"5.120"', True),
        ("kwd", '"5.124"', False),
    ],
)
def test_coupon_amounts_must_be_whole_minor_units(
    tmp_path: Path, currency: str, amount_off: str, ok: bool
) -> None:
    text = f"kind: Coupon\nid: C\namount_off: {amount_off}\ncurrency: {currency}\n"
    _catalog(tmp_path, {"c.yaml": text})
    codes = [d.code for d in check_catalog(tmp_path)]
    assert codes == ([] if ok else ["amount"])


CURRENCIES = sorted(
    {"usd", "eur", "gbp", "aud"} | money.ZERO_DECIMAL | money.THREE_DECIMAL | {"isk"}
)


@settings(max_examples=60, deadline=None)
@given(
    currency=st.sampled_from(CURRENCIES),
    # Positive (Stripe refuses amount_off 0) and within Stripe's eight digits of
    # the minor unit in every currency (99,999.99 KWD is 99,999,990 fils).
    amount=st.decimals(min_value=1, max_value=99_999, places=2, allow_nan=False),
)
def test_major_minor_major_round_trip_through_yaml(currency: str, amount: Decimal) -> None:
    # Quantise to what the currency can hold, write it as YAML text, load it back.
    places = money.display_exponent(currency)
    major = amount.quantize(Decimal(1).scaleb(-places))
    if currency in money.THREE_DECIMAL:
        major = major.quantize(Decimal("0.01"))  # the last of three digits must be 0
    with tempfile.TemporaryDirectory() as directory:
        text = f"kind: Coupon\nid: C\namount_off: {major}\ncurrency: {currency}\n"
        _catalog(Path(directory), {"c.yaml": text})
        coupon = load_catalog(Path(directory)).catalog.coupons["C"]
    assert coupon.amount_off is not None
    assert money.to_major(coupon.amount_off, currency) == major


def test_point_one_plus_point_two_stays_exact(tmp_path: Path) -> None:
    # As floats 0.1 + 0.2 != 0.3; parsed from the text as Decimal they are exact.
    text = """\
kind: Product
key: p
name: P
prices:
  - {lookup_key: a, currency: usd, unit_amount: 0.1}
  - {lookup_key: b, currency: usd, unit_amount: 0.2}
  - {lookup_key: c, currency: usd, unit_amount: 0.3}
"""
    _catalog(tmp_path, {"p.yaml": text})
    prices = load_catalog(tmp_path).catalog.prices
    a, b, c = (prices[k].unit_amount for k in "abc")
    assert a is not None
    assert b is not None
    assert a + b == c == Decimal(30)


def test_licensed_sub_cent_price_is_a_warning_not_an_error(tmp_path: Path) -> None:
    text = (
        "kind: Product\nkey: p\nname: P\n"
        "prices: [{lookup_key: a, currency: usd, unit_amount: 9.995}]\n"
    )
    _catalog(tmp_path, {"p.yaml": text})
    loaded = load_catalog(tmp_path)
    assert loaded.catalog.prices["a"].unit_amount == Decimal("999.5")
    assert [(w.code, w.severity) for w in loaded.warnings] == [("fractional-amount", "warning")]


def test_the_model_carries_every_declared_field(tmp_path: Path) -> None:
    _catalog(
        tmp_path,
        {
            "coupons.yaml": (
                "kind: Coupon\nid: C\npercent_off: 12.5\nduration: repeating\n"
                "duration_in_months: 3\nredeem_by: 2027-01-31T01:00:00+01:00\n"
            ),
            "codes.yaml": (
                "kind: PromotionCode\ncode: SAVE\ncoupon: C\nexpires_at: 2027-01-31T00:00:00Z\n"
            ),
            "deal.yaml": (
                "kind: Deal\nkey: d\ncustomer: {id: cus_1}\nstart_date: 2027-01-01\n"
                "phases: [{duration: {interval: year}, items: [{price: s, quantity: 5}]}]\n"
            ),
            "p.yaml": (
                "kind: Product\nkey: p\nname: P\n"
                "prices: [{lookup_key: s, currency: usd, unit_amount: 1,"
                " recurring: {interval: year}}]\n"
            ),
        },
    )
    catalog = load_catalog(tmp_path, now=datetime(2026, 1, 1, tzinfo=UTC)).catalog
    coupon = catalog.coupons["C"]
    assert coupon.percent_off == Decimal("12.5")
    midnight = int(datetime(2027, 1, 31, tzinfo=UTC).timestamp())
    assert coupon.redeem_by == midnight  # 01:00 at +01:00: the offset is applied
    assert catalog.promotion_codes["SAVE"].expires_at == midnight
    deal = catalog.deals["d"]
    assert deal.start_date == date(2027, 1, 1)
    assert deal.phases is not None
    assert deal.phases[0].items[0].quantity == 5
    assert deal.phases[0].duration.count == 1
    price = catalog.prices["s"]
    assert price.product == "p"
    assert price.source is not None
    assert (price.source.line, price.source.column) == (4, 10)


def test_files_found_recursively_skipping_config_and_dot_dirs(tmp_path: Path) -> None:
    _catalog(
        tmp_path,
        {
            "catalogsync.yaml": "version: 1\nenvironments: {local: {emulator: x}}\n",
            ".catalogsync/junk.yaml": "not: [valid\n",
            "a/b/f.yml": "kind: Feature\nlookup_key: f\nname: F\n",
            "g.yaml": "kind: Feature\nlookup_key: g\nname: G\n",
            "readme.txt": "kind: nonsense",
        },
    )
    loaded = load_catalog(tmp_path)
    assert sorted(loaded.catalog.features) == ["f", "g"]
    assert [Path(f).relative_to(tmp_path).as_posix() for f in loaded.files] == [
        "a/b/f.yml",
        "g.yaml",
    ]


def test_digest_is_stable_and_ignores_comments_and_layout(tmp_path: Path) -> None:
    one = _catalog(tmp_path / "one", {"all.yaml": "kind: Feature\nlookup_key: f\nname: F\n"})
    two = _catalog(
        tmp_path / "two", {"x/f.yaml": "# a comment\nname: F\nkind: Feature\nlookup_key: f\n"}
    )
    three = _catalog(tmp_path / "three", {"f.yaml": "kind: Feature\nlookup_key: f\nname: G\n"})
    assert load_catalog(one).digest == load_catalog(one).digest
    assert load_catalog(one).digest == load_catalog(two).digest
    assert load_catalog(one).digest != load_catalog(three).digest


def test_errors_raise_catalog_invalid_with_every_diagnostic(tmp_path: Path) -> None:
    _catalog(
        tmp_path,
        {
            "a.yaml": "kind: Feature\nlookup_key: f\n",
            "b.yaml": "kind: PromotionCode\ncode: X\ncoupon: NOPE\n",
        },
    )
    with pytest.raises(CatalogInvalid) as raised:
        load_catalog(tmp_path)
    assert [(Path(d.file).name, d.code) for d in raised.value.diagnostics] == [
        ("a.yaml", "schema"),
        ("b.yaml", "reference"),
    ]


def test_missing_catalog_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="catalog directory not found"):
        load_catalog(tmp_path / "nope")
