"""Billing meters: only display_name and active can change; they are never archived.

Meters carry no metadata, so a meter is managed when the catalog names its
event_name, and leaving the catalog does not deactivate it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from catalogsync.changes import FieldChange
from catalogsync.errors import PlanError
from catalogsync.model import Catalog, Meter
from catalogsync.plan.compare.common import KindRules, compare_kind
from catalogsync.plan.operations import Operation
from catalogsync.state import RemoteState


def _refuse(meter: Meter, changes: tuple[FieldChange, ...]) -> None:
    fields = ", ".join(c.field for c in changes)
    raise PlanError(
        f"meter {meter.event_name!r}: {fields} cannot change in Stripe and a meter "
        "cannot be replaced under the same event_name; declare a new meter with a "
        "new event_name and point the prices at it" + (f" ({meter.source})" if meter.source else "")
    )


RULES: KindRules[Meter] = KindRules(
    kind="meter",
    mutable=frozenset({"display_name", "active"}),
    skip=frozenset({"event_name"}),
    on_immutable=_refuse,
)


def compare(
    desired: Catalog, remote: RemoteState, earlier: Sequence[Operation]
) -> Iterable[Operation]:
    """Create or update meters named by the catalog."""
    return compare_kind(desired.meters, remote.meters, RULES)
