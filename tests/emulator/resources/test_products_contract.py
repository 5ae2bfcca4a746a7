"""Contract: product updates and list filters the catalog relies on (emulator and real Stripe).

Sources: https://docs.stripe.com/api/products/update and /api/products/list, and
stripe-python's ``params/_product_update_params.py`` (``images``, ``marketing_features``
and ``package_dimensions`` take ``""`` to unset).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from tests.emulator.test_contract import BACKENDS, _product, make_client, uniq

pytestmark = pytest.mark.stripe_live


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def test_an_update_replaces_lists_and_an_empty_string_unsets_them(
    client: stripe.StripeClient,
) -> None:
    product = _product(
        client,
        images=["https://example.com/a.png"],
        marketing_features=[{"name": "A"}],
        package_dimensions={"height": 1, "length": 2, "weight": 3, "width": 4},
    )
    replaced = client.v1.products.update(
        product.id,
        {"images": ["https://example.com/b.png"], "marketing_features": [{"name": "B"}]},
    )
    assert replaced.images == ["https://example.com/b.png"]
    assert [f.name for f in replaced.marketing_features] == ["B"]
    unset = client.v1.products.update(
        product.id, {"images": "", "marketing_features": "", "package_dimensions": ""}
    )
    assert (unset.images, unset.marketing_features, unset.package_dimensions) == ([], [], None)


def test_a_product_name_cannot_be_emptied(client: stripe.StripeClient) -> None:
    # docs.stripe.com/error-codes#parameter-invalid-empty: "" for a value that is required.
    product = _product(client)
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.products.update(product.id, {"name": ""})
    assert info.value.code == "parameter_invalid_empty"
    assert info.value.param == "name"


def test_the_list_filters_by_url_and_shippable(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/products/list: `url` "Only return products with the given url";
    # `shippable` "Only return products that can be shipped".
    url = f"https://example.com/{uniq('u')}"
    boxed = _product(client, shippable=True, url=url)
    served = _product(client, shippable=False)
    assert [p.id for p in client.v1.products.list({"url": url}).data] == [boxed.id]
    both = [boxed.id, served.id]
    shipped = client.v1.products.list({"ids": both, "shippable": True}).data
    assert [p.id for p in shipped] == [boxed.id]
    not_shipped = client.v1.products.list({"ids": both, "shippable": False}).data
    assert [p.id for p in not_shipped] == [served.id]
