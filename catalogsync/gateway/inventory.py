"""Read a whole account, for `import`: what `read_state` reads plus every product's features.

`read_state` lists entitlement features per product only for products the
catalog declares features for; an import has no catalog yet, so it asks for
every product's attachments (one paginated list per product).
"""

from __future__ import annotations

import dataclasses

import stripe

from catalogsync.config import DEFAULT_CONCURRENCY
from catalogsync.gateway.read import _product_features, read_state
from catalogsync.model import Catalog, Product, Remote
from catalogsync.state import KindState, RemoteState


def read_account(
    client: stripe.StripeClient, *, livemode: bool, concurrency: int = DEFAULT_CONCURRENCY
) -> RemoteState:
    """Every object of the kinds catalogsync manages, with product features filled in."""
    state = read_state(client, Catalog(), livemode=livemode, concurrency=concurrency)
    products = [*state.products.managed.values(), *state.products.unmanaged]
    # `_product_features` reads the attachments of the catalog products that
    # declare features: declare them (empty) for every product in the account.
    wanted = Catalog(products={r.id: Product(r.id, "", features=()) for r in products})
    attached = _product_features(client, wanted, [{"id": r.id} for r in products], concurrency)

    def with_features(remote: Remote[Product]) -> Remote[Product]:
        features = tuple(sorted(attached.get(remote.id, {}))) or None
        return dataclasses.replace(
            remote, resource=dataclasses.replace(remote.resource, features=features)
        )

    kind = KindState(
        {k: with_features(r) for k, r in state.products.managed.items()},
        tuple(with_features(r) for r in state.products.unmanaged),
    )
    return dataclasses.replace(state, products=kind, product_features=attached)
