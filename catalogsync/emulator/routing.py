"""Routes, object kinds and the per-request context handlers receive."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from catalogsync.emulator.errors import missing
from catalogsync.emulator.store import Json, Tx


@dataclass(frozen=True)
class Columns:
    """The indexed columns lists and lookups filter a stored object by (None: not indexed)."""

    ref: str | None = None
    key: str | None = None
    active: bool | None = None


def _no_columns(body: Json) -> Columns:
    return Columns()


@dataclass(frozen=True)
class Kind:
    """A stored object kind: its id prefix, its name in errors, its columns and rendering.

    `columns` derives the indexed columns from a body (a price's product in `ref`, its
    lookup key in `key`); `includable` fields are stored but only returned when expanded
    (a price's `currency_options` and `tiers`); `derive` computes fields that depend on
    the clock (a schedule's status) each time the object is read.
    """

    name: str
    prefix: str
    label: str
    columns: Callable[[Json], Columns] = _no_columns
    includable: frozenset[str] = frozenset()
    derive: Callable[[Ctx, Json], Json] | None = None


@dataclass
class Ctx:
    """What a handler sees: the transaction, the account, the time, path args and params."""

    tx: Tx
    account: str
    now: int
    args: dict[str, str]
    params: dict[str, Any]
    kinds: Mapping[str, Kind]
    livemode: bool = False

    def new_id(self, kind: str) -> tuple[str, int]:
        """A deterministic id for a new object of `kind` and its sequence number."""
        return self.tx.next_id(self.account, kind, self.kinds[kind].prefix)

    def load(self, kind: str, object_id: str, param: str = "id") -> Json:
        """An object, or `resource_missing` naming it like Stripe ("No such price: 'x'").

        Missing objects named by the URL are 404; those a body parameter refers to are 400
        with that parameter (a price on a missing product: 400, `param: product`).
        """
        body = self.tx.get(self.account, kind, object_id)
        if body is None:
            status = 404 if param in self.args else 400
            raise missing(self.kinds[kind].label, object_id, param, status=status)
        return body

    def save(self, kind: str, body: Json, seq: int | None = None) -> None:
        """Insert or replace an object with the columns its kind derives from the body.

        A new row is listed as created at the body's `created`, or now for kinds that
        have no such field (features).
        """
        columns = self.kinds[kind].columns(body)
        self.tx.put(
            self.account,
            kind,
            body,
            seq=seq,
            ref=columns.ref,
            key=columns.key,
            active=columns.active,
            created=body.get("created", self.now),
        )


Handler = Callable[[Ctx], Json]


@dataclass(frozen=True)
class Route:
    """One endpoint: method, path template (`/v1/prices/{id}`), handler and allowed params."""

    method: str
    template: str
    handler: Handler
    params: type | None
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(regex + "$"))

    @property
    def writes(self) -> bool:
        """Whether the route changes state (idempotency and drop faults apply)."""
        return self.method in ("POST", "DELETE")


def match(routes: list[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a request and its path arguments."""
    for route in routes:
        if route.method != method:
            continue
        found = route.pattern.match(path)
        if found:
            return route, found.groupdict()
    return None
