"""Field-level changes: one field's value in Stripe and in the catalog.

Field names are the model's (`catalogsync.model`), dotted for nested values
(``metadata.tier``, ``currency_options.eur``). A `FieldChange` whose
``after`` is ``None`` on a ``metadata.*`` field unsets that key (Stripe: ``""``).
Model vocabulary: the planner produces changes, the gateway turns them into
request parameters, renderers show them.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogsync.model import OWNED_KEYS_KEY
from catalogsync.values import Value

# The change that records which metadata keys catalogsync owns, when a declared
# key is not recorded yet (the write sets it from the operation's ``owned``).
OWNERSHIP_FIELD = f"metadata.{OWNED_KEYS_KEY}"
# The `Replace` field holding the metadata other tools wrote on the old object:
# the new object gets it too, without catalogsync owning it.
KEPT_METADATA = "kept_metadata"


@dataclass(frozen=True)
class FieldChange:
    """One field's value in Stripe (``before``) and in the catalog (``after``)."""

    field: str
    before: Value
    after: Value
