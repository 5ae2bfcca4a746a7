"""Notes the plan shows beside operations, derived from the operations and the state.

A note informs the reviewer; it is not part of the digest (the operations
are). `notes` maps an operation id to its note.
"""

from __future__ import annotations

from collections.abc import Sequence

from catalogsync.model import Catalog
from catalogsync.plan.compare.prices import same_billing
from catalogsync.plan.operations import Archive, Create, Operation
from catalogsync.plan.plan import operation_id
from catalogsync.plan.state import RemoteState

RENAME = "looks like a rename"


def notes(catalog: Catalog, operations: Sequence[Operation], state: RemoteState) -> dict[str, str]:
    """Operation id -> note: for now, lookup-key changes that look like renames."""
    return rename_hints(catalog, operations, state)


def rename_hints(
    catalog: Catalog, operations: Sequence[Operation], state: RemoteState
) -> dict[str, str]:
    """A new price and an archived one that bill the same: a lookup-key change.

    Nothing moves the old price's subscribers, so the plan says so on both.
    """
    created = [op for op in operations if isinstance(op, Create) and op.target.kind == "price"]
    archived = [
        op
        for op in operations
        if isinstance(op, Archive) and op.reason == "removed" and op.target.kind == "price"
    ]
    out: dict[str, str] = {}
    for archive in archived:
        old = state.prices.managed.get(archive.target.key)
        for create in created:
            new = catalog.prices.get(create.target.key)
            if old is None or new is None or operation_id(create) in out:
                continue
            if same_billing(new, old.resource):
                was, now = archive.target.key, create.target.key
                out[operation_id(create)] = (
                    f"{RENAME} of {was}: existing subscribers stay on the archived price"
                )
                out[operation_id(archive)] = f"{RENAME} to {now} (the same billing)"
                break
    return out
