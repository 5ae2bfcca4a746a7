"""Contract: what a price update does to its currency options (emulator and real Stripe).

Source: the `currency_options` parameter of https://docs.stripe.com/api/prices/update
(``PriceUpdateParams.CurrencyOptions`` in stripe-python: ``unit_amount``,
``unit_amount_decimal``, ``tiers``, ``tax_behavior``, ``custom_unit_amount`` for any
currency key) takes an amount for a currency the price already has as well as for a
new one. catalogsync therefore plans a changed or removed option as a replace: done
in place, it would reprice that currency's existing subscribers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.emulator.test_contract import BACKENDS, _price, _product, make_client

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _options(client: stripe.StripeClient, price_id: str) -> dict[str, int | None]:
    price = client.v1.prices.retrieve(price_id, {"expand": ["currency_options"]}).to_dict()
    return {cur: option["unit_amount"] for cur, option in price["currency_options"].items()}


def test_adding_a_currency_option_keeps_the_price_and_its_other_options(
    client: stripe.StripeClient,
) -> None:
    price = _price(client, _product(client).id, currency_options={"eur": {"unit_amount": 2700}})
    client.v1.prices.update(price.id, {"currency_options": {"gbp": {"unit_amount": 2300}}})
    assert _options(client, price.id) == {"usd": 9900, "eur": 2700, "gbp": 2300}


def test_an_existing_currency_options_amount_changes_in_place(
    client: stripe.StripeClient,
) -> None:
    price = _price(client, _product(client).id, currency_options={"eur": {"unit_amount": 2700}})
    updated = client.v1.prices.update(
        price.id, {"currency_options": {"eur": {"unit_amount": 2970}}}
    )
    assert updated.id == price.id  # the same price: its EUR subscribers would pay the new amount
    assert _options(client, price.id) == {"usd": 9900, "eur": 2970}
