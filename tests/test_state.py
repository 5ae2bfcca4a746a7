"""The remote state's fingerprint as kinds are added to the registry."""

from __future__ import annotations

from typing import Any

from catalogsync.kinds import Kind
from catalogsync.state import KindState, RemoteState, fingerprint


class _WithAnotherKind(RemoteState):
    """A state read by a version that knows one more kind, which the account does not use."""

    def objects(self) -> dict[Kind, KindState[Any]]:
        return {**super().objects(), "not_yet_a_kind": KindState()}  # type: ignore[dict-item]


def test_a_new_kind_with_nothing_read_leaves_the_fingerprint_as_it_was() -> None:
    # Saved plans stay valid across an upgrade that only declares a kind.
    assert fingerprint(_WithAnotherKind("acct_1", False)) == fingerprint(
        RemoteState("acct_1", False)
    )
