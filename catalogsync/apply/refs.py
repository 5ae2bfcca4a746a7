"""Resolving references to objects by catalog identity while a plan runs.

An operation may name an object the same plan creates (a new meter for a
new metered price, a new price that becomes a default price, a new feature
to attach). Its id is taken, in order, from what earlier writes of this run
returned, from the id the plan already knew, and finally from Stripe itself:
after an interrupted run the object may exist although this run did not
create it.
"""

from __future__ import annotations

import threading
from typing import Protocol

from catalogsync.errors import UnresolvedReference
from catalogsync.gateway.write import Writer
from catalogsync.kinds import Kind


class Refs(Protocol):
    """Ids of objects named by catalog identity."""

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        """The Stripe id of ``kind`` ``key`` (``known`` is the plan's, if it had one)."""
        ...


class Recorded:
    """Ids recorded from responses, shared by the threads of one run."""

    def __init__(self) -> None:
        self._ids: dict[tuple[Kind, str], str] = {}
        self._lock = threading.Lock()

    def record(self, kind: Kind, key: str, stripe_id: str) -> None:
        with self._lock:
            self._ids[(kind, key)] = stripe_id

    def get(self, kind: Kind, key: str) -> str | None:
        with self._lock:
            return self._ids.get((kind, key))


class LiveRefs(Recorded):
    """References resolved from this run, the plan, then Stripe."""

    def __init__(self, writer: Writer) -> None:
        super().__init__()
        self._writer = writer

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        found = self.get(kind, key) or known or self._writer.find_id(kind, key)
        if found is None:
            raise UnresolvedReference(
                f"{kind} {key!r} is neither created by this plan nor found in Stripe; "
                "run `catalogsync plan` again"
            )
        self.record(kind, key, found)
        return found


class PlaceholderRefs(Recorded):
    """For a dry run: an object not known yet is shown as ``<new kind key>``; nothing is read."""

    def resolve(self, kind: Kind, key: str, known: str | None = None) -> str:
        return self.get(kind, key) or known or f"<new {kind} {key}>"
