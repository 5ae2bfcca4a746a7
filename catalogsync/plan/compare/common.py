"""What every kind's comparer shares: set arithmetic by identity, field diffs, metadata.

`compare_kind` walks the desired resources once and looks each one up in
dicts keyed by identity (O(n)): desired minus actual gives creates, actual
minus desired gives removals, the overlap goes to the field comparison. A
kind plugs in through a `KindRules` value saying which fields are mutable
and how to normalise values before comparing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from catalogsync.changes import KEPT_METADATA, OWNERSHIP_FIELD, FieldChange
from catalogsync.kinds import SPECS, Kind, is_active
from catalogsync.model import Remote, Source
from catalogsync.plan.operations import (
    Adopt,
    Archive,
    Create,
    Delete,
    Operation,
    Replace,
    Target,
    Update,
)
from catalogsync.state import KindState
from catalogsync.values import Value, declared_fields


class Resource(Protocol):
    """The field `compare_kind` reads from every model resource."""

    @property
    def source(self) -> Source | None: ...


R = TypeVar("R", bound=Resource)


@dataclass(frozen=True)
class Changes:
    """A resource's field changes, split by whether Stripe can change them in place."""

    mutable: tuple[FieldChange, ...] = ()
    immutable: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class KindRules(Generic[R]):
    """How one kind is compared.

    The kind's declaration (`catalogsync.kinds`) gives its identity and
    whether it carries metadata. ``skip`` fields are not
    compared field by field (identity, metadata, fields other comparers
    own); ``mutable`` fields update in place, every other declared field
    needs a replacement (or is refused by ``on_immutable``); ``normalize``
    maps a field's value to a comparable form (Stripe defaults, ordering);
    ``removal`` says what happens to a managed object that left the catalog;
    ``refs`` lists ids of existing objects the resource refers to;
    ``archive_replaced`` follows a `Replace` with an `Archive` of the old
    object as a last step (prices: after the default price moved off it);
    ``carry`` gives the fields a replacement copies from the old object.
    """

    kind: Kind
    mutable: frozenset[str]
    skip: frozenset[str] = frozenset()
    normalize: Callable[[str, Value], Value] = lambda name, value: value
    removal: Callable[[str, Remote[R]], Operation | None] = lambda key, remote: None
    refs: Callable[[R], Mapping[str, str]] = lambda resource: {}
    create_exclude: frozenset[str] = frozenset()
    archive_replaced: bool = False
    on_immutable: Callable[[R, tuple[FieldChange, ...]], None] | None = None
    extra: Callable[[R, Remote[R]], Changes] = lambda want, have: Changes()
    carry: Callable[[R, Remote[R]], Mapping[str, Value]] = lambda want, have: {}

    @property
    def identity(self) -> Callable[[R], str]:
        """The resource's catalog identity, as its kind declares it."""
        return SPECS[self.kind].key_of

    @property
    def has_metadata(self) -> bool:
        return SPECS[self.kind].has_metadata


def compare_kind(
    desired: Mapping[str, R], state: KindState[R], rules: KindRules[R]
) -> Iterator[Operation]:
    """Operations bringing one kind of objects from ``state`` to ``desired``."""
    adoptable = unmanaged_by_identity(state, rules.identity)
    for key, want in desired.items():
        have = state.managed.get(key)
        if have is not None:
            yield from _converge(key, want, have, rules)
        elif (candidate := adoptable.get(key)) is not None:
            yield from _converge(key, want, candidate, rules)
        else:
            yield Create(
                Target(rules.kind, key),
                _create_fields(want, rules),
                rules.refs(want),
                want.source,
            )
    for key, have in state.managed.items():
        if key not in desired and (op := rules.removal(key, have)) is not None:
            yield op
    for key, have in state.superseded:
        # Left over by an interrupted replace: finish it (never two active
        # managed objects with one identity).
        if is_active(have.resource):
            yield Archive(Target(rules.kind, key, have.id), "replaced")


def unmanaged_by_identity(
    state: KindState[R], identity: Callable[[R], str | None]
) -> dict[str, Remote[R]]:
    """Unmanaged objects that have an identity, the newest winning a tie."""
    out: dict[str, Remote[R]] = {}
    for remote in sorted(state.unmanaged, key=lambda r: r.created):
        key = identity(remote.resource)
        if key is not None:
            out[key] = remote
    return out


def _converge(key: str, want: R, have: Remote[R], rules: KindRules[R]) -> Iterator[Operation]:
    changes = diff(want, have, rules)
    target = Target(rules.kind, key, have.id)
    owned = tuple(sorted(metadata_of(want))) if rules.has_metadata else ()
    refs = rules.refs(want)
    if changes.immutable:
        if rules.on_immutable is not None:
            rules.on_immutable(want, changes.immutable)
        # The new object records ownership when it is created: no separate change.
        shown = [c for c in changes.immutable + changes.mutable if c.field != OWNERSHIP_FIELD]
        fields = {**rules.carry(want, have), **_create_fields(want, rules)}
        if rules.has_metadata and (kept := foreign_metadata(want, have)):
            fields[KEPT_METADATA] = kept
        yield Replace(
            target, tuple(sorted(shown, key=_by_field)), fields, refs, not have.managed, want.source
        )
        if rules.archive_replaced:
            yield Archive(target, "replaced")
    elif not have.managed:
        yield Adopt(target, changes.mutable, owned, refs, want.source)
    elif changes.mutable:
        yield Update(target, changes.mutable, owned, refs, want.source)


def _create_fields(want: R, rules: KindRules[R]) -> dict[str, Value]:
    fields = declared_fields(want)
    return {k: v for k, v in fields.items() if k not in rules.create_exclude}


def diff(want: R, have: Remote[R], rules: KindRules[R]) -> Changes:
    """Field changes from ``have`` to ``want``: declared fields only."""
    wanted = declared_fields(want)
    actual = declared_fields(have.resource)
    skip = rules.skip | {"metadata"}
    mutable: list[FieldChange] = []
    immutable: list[FieldChange] = []
    for name, value in wanted.items():
        if name in skip:
            continue
        before = actual.get(name)
        if rules.normalize(name, value) != rules.normalize(name, before):
            bucket = mutable if name in rules.mutable else immutable
            bucket.append(FieldChange(name, before, value))
    if rules.has_metadata:
        mutable.extend(metadata_changes(metadata_of(want), have))
    extra = rules.extra(want, have)
    return Changes(
        tuple(sorted([*mutable, *extra.mutable], key=_by_field)),
        tuple(sorted([*immutable, *extra.immutable], key=_by_field)),
    )


def metadata_changes(wanted: Mapping[str, str], have: Remote[R]) -> Iterator[FieldChange]:
    """kubectl-apply metadata: set declared keys, unset owned keys that left the YAML.

    Keys catalogsync never set (not in ``owned_metadata``) are left alone. Every
    metadata write records the declared keys as catalogsync's; when nothing else
    would write, a declared key not recorded yet (its value already matched) is
    recorded by its own change (`OWNERSHIP_FIELD`), so removing it later unsets it.
    """
    actual = metadata_of(have.resource)
    changes = [
        FieldChange(f"metadata.{k}", actual.get(k), v)
        for k, v in sorted(wanted.items())
        if actual.get(k) != v
    ]
    changes += [
        FieldChange(f"metadata.{k}", actual[k], None)
        for k in sorted(have.owned_metadata - wanted.keys())
        if k in actual
    ]
    if not changes and have.managed and not wanted.keys() <= have.owned_metadata:
        before = ",".join(sorted(have.owned_metadata)) or None
        changes.append(FieldChange(OWNERSHIP_FIELD, before, ",".join(sorted(wanted))))
    return iter(changes)


def foreign_metadata(want: object, have: Remote[Any]) -> dict[str, Value]:
    """Metadata keys other tools wrote on ``have`` (neither declared nor catalogsync's).

    A replace copies them to the new object: they are not catalogsync's to drop.
    """
    declared = metadata_of(want)
    return {
        k: v
        for k, v in sorted(metadata_of(have.resource).items())
        if k not in declared and k not in have.owned_metadata
    }


def archive_if_active(kind: Kind) -> Callable[[str, Remote[Any]], Operation | None]:
    """Removal rule: archive a managed object that is still active."""

    def removal(key: str, remote: Remote[Any]) -> Operation | None:
        return Archive(Target(kind, key, remote.id)) if is_active(remote.resource) else None

    return removal


def delete(kind: Kind) -> Callable[[str, Remote[Any]], Operation | None]:
    """Removal rule: delete a managed object."""

    def removal(key: str, remote: Remote[Any]) -> Operation:
        return Delete(Target(kind, key, remote.id))

    return removal


def metadata_of(resource: object) -> Mapping[str, str]:
    """A resource's user metadata (meters have none)."""
    metadata: Mapping[str, str] = getattr(resource, "metadata", {})
    return metadata


def _by_field(change: FieldChange) -> str:
    return change.field
