"""Product entitlement features: attach what the catalog declares, detach the rest.

Compared only for products that declare ``features`` (None = undeclared)
and that catalogsync manages or is about to create or adopt.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from catalogsync.model import Catalog
from catalogsync.plan.operations import AttachFeature, DetachFeature, Operation, Target
from catalogsync.state import RemoteState


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterator[Operation]:
    """Attach and detach features per product."""
    feature_ids = {
        r.resource.lookup_key: r.id
        for r in [*remote.features.unmanaged, *remote.features.managed.values()]
    }
    for key, product in desired.products.items():
        if product.features is None:
            continue
        existing = remote.product_features.get(key, {})
        target = Target("product", key, key)
        for feature in sorted(set(product.features) - existing.keys()):
            yield AttachFeature(target, feature, feature_ids.get(feature))
        for feature in sorted(existing.keys() - set(product.features)):
            yield DetachFeature(target, feature, existing[feature])
