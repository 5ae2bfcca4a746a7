"""The generic CRUD piece (`catalogsync/emulator/crud.py`): what it does for every resource.

Nested resources are looked up under the parent their URL names; an update stamps
`updated` on the objects that have the field; a nested list's `url` names its parent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import stripe

from catalogsync.emulator import Emulator
from tests.emulator.test_contract import BACKENDS, make_client, uniq

T0 = 1_900_000_000


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest) -> Iterator[stripe.StripeClient]:
    yield from make_client(request)


def _feature(client: stripe.StripeClient) -> stripe.entitlements.Feature:
    return client.v1.entitlements.features.create({"name": "SSO", "lookup_key": uniq("crud")})


@pytest.mark.stripe_live
def test_a_product_feature_is_found_only_under_its_product(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/product-feature/retrieve and /delete: `GET|DELETE
    # /v1/products/:product/features/:id` — an attachment belongs to the product in its URL.
    mine = client.v1.products.create({"name": "Mine"})
    other = client.v1.products.create({"name": "Other"})
    attached = client.v1.products.features.create(
        mine.id, {"entitlement_feature": _feature(client).id}
    )
    calls: list[Callable[[], object]] = [
        lambda: client.v1.products.features.retrieve(other.id, attached.id),
        lambda: client.v1.products.features.delete(other.id, attached.id),
    ]
    for call in calls:
        with pytest.raises(stripe.InvalidRequestError) as info:
            call()
        assert info.value.http_status == 404
        assert info.value.code == "resource_missing"
    assert client.v1.products.features.retrieve(mine.id, attached.id).id == attached.id


@pytest.mark.stripe_live
def test_a_nested_list_names_its_parent(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/product-feature/list: the list object's `url` is the list's path.
    product = client.v1.products.create({"name": "Listed"})
    page = client.v1.products.features.list(product.id)
    assert page.url == f"/v1/products/{product.id}/features"
    assert page.data == []


@pytest.mark.stripe_live
def test_a_nested_list_of_a_missing_parent_is_404(client: stripe.StripeClient) -> None:
    # docs.stripe.com/api/errors: an object the request names that does not exist is
    # `resource_missing`; the product is named by the URL, hence 404.
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.products.features.list("prod_missing_crud")
    assert info.value.http_status == 404
    assert info.value.param == "product"


def test_an_update_stamps_updated_where_the_object_has_it(
    emulator: Emulator, stripe_client: stripe.StripeClient
) -> None:
    # Emulator only: real Stripe's clock cannot be moved.
    # docs.stripe.com/api/products/object#product_object-updated and
    # docs.stripe.com/api/billing/meter/object#billing_meter_object-updated: "Time at which
    # the object was last updated"; entitlement features have no such field
    # (docs.stripe.com/api/entitlements/feature/object).
    emulator.clock.set(T0)
    client = stripe_client
    product = client.v1.products.create({"name": "Stamped"})
    meter = client.v1.billing.meters.create(
        {"display_name": "Calls", "event_name": "calls", "default_aggregation": {"formula": "sum"}}
    )
    feature = _feature(client)
    emulator.clock.advance(60)
    renamed = client.v1.products.update(product.id, {"name": "Restamped"})
    assert (renamed.created, renamed.updated) == (T0, T0 + 60)
    emulator.clock.advance(60)
    deactivated = client.v1.billing.meters.deactivate(meter.id)
    assert (deactivated.created, deactivated.updated) == (T0, T0 + 120)
    assert "updated" not in client.v1.entitlements.features.update(feature.id, {"name": "S"})
