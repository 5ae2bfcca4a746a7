"""Promotion codes: active and metadata change in place, anything else replaces.

A replaced code is deactivated and created again with the same code (codes
are unique only among active codes:
docs.stripe.com/api/promotion_codes/create#create_promotion_code-code).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalogsync.model import Catalog, PromotionCode
from catalogsync.plan.compare.common import KindRules, archive_if_active, compare_kind
from catalogsync.plan.operations import Operation
from catalogsync.state import RemoteState

RULES: KindRules[PromotionCode] = KindRules(
    kind="promotion_code",
    mutable=frozenset({"active"}),
    skip=frozenset({"code"}),
    removal=archive_if_active("promotion_code"),
)


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create, update, adopt, replace or archive promotion codes."""
    return compare_kind(desired.promotion_codes, remote.promotion_codes, RULES)
