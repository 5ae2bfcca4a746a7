"""Hand-made remote states for compare and render tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalogsync.model import Remote
from catalogsync.state import KindState, RemoteState


def managed(id: str, resource: Any, owned: Iterable[str] = (), created: int = 0) -> Remote[Any]:
    return Remote(id, resource, True, frozenset(owned), created)


def unmanaged(id: str, resource: Any, created: int = 0) -> Remote[Any]:
    return Remote(id, resource, False, frozenset(), created)


def kind(identity: str, *remotes: Remote[Any]) -> KindState[Any]:
    return KindState(
        managed={getattr(r.resource, identity): r for r in remotes if r.managed},
        unmanaged=tuple(r for r in remotes if not r.managed),
    )


def state(**kinds: Any) -> RemoteState:
    return RemoteState(account_id="acct_test", livemode=False, **kinds)
