"""Each operation in words: the one description text and Markdown share.

`describe` dispatches on the operation type with ``match`` and
``assert_never``: a new operation without a description fails type checking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import assert_never

from catalogsync.changes import KEPT_METADATA, FieldChange
from catalogsync.model import BILLABLE_STATUSES, Source
from catalogsync.plan.operations import (
    Adopt,
    AdoptDeal,
    Archive,
    AttachFeature,
    CancelDeal,
    Create,
    CreateDeal,
    DealOperation,
    Delete,
    DetachFeature,
    MoveDefaultPrice,
    MoveSubscription,
    Operation,
    ReleaseDeal,
    Replace,
    Update,
    UpdateDeal,
)
from catalogsync.plan.plan import Plan, operation_id
from catalogsync.render.deals import Table, deal_money, describe_deal
from catalogsync.render.gantt import Gantt
from catalogsync.render.migrations import MigrationView, migration_money, migration_views
from catalogsync.render.money_table import MoneyRow, currency_of, resource_money
from catalogsync.render.values import amount_of, change, show
from catalogsync.values import Value

SYMBOLS = {
    "create": "+",
    "update": "~",
    "adopt": "~",
    "replace": "±",
    "archive": "-",
    "delete": "-",
}
SUMMARY_ORDER = ("create", "update", "replace", "archive")
_OPTIONAL = ("adopt", "delete", "release", "cancel", "move")
KEEP_OLD = "existing subscribers stay on the old price"
KEEP_ARCHIVED = "existing subscribers stay on the archived price"
DESTRUCTIVE = "needs --allow-destroy"


@dataclass(frozen=True)
class Detail:
    """One line under an operation: a field change or a note."""

    label: str | None
    text: str


@dataclass(frozen=True)
class Entry:
    """An operation as people read it.

    ``action`` is the summary bucket (create, update, replace, archive,
    adopt, delete, release, cancel); every operation counts in one, as in
    apply's summary, so the plan and the apply report add up the same.
    """

    action: str
    symbol: str
    title: str
    details: tuple[Detail, ...]
    source: Source | None = None
    table: Table | None = None  # a deal's timeline
    chart: Gantt | None = None  # the same timeline as a Mermaid gantt chart
    count: int = 1  # operations the entry stands for


def summary(plan: Plan) -> str:
    """``3 to create, 2 to update, 1 to replace, 1 to archive`` (or no changes)."""
    if not plan.operations:
        return "No changes: Stripe matches the catalog."
    counts: Counter[str] = Counter()
    for e in entries(plan):
        counts[e.action] += e.count
    parts = [f"{counts[a]} to {a}" for a in SUMMARY_ORDER]
    parts += [f"{counts[a]} to {a}" for a in _OPTIONAL if counts[a]]
    return ", ".join(parts)


def entries(plan: Plan) -> Iterator[Entry]:
    # Every step counts in its own bucket, as apply's summary counts it (a new
    # product's feature attachments and default price are updates). A
    # migration's subscriptions are one entry, where its first move is.
    views = {view.key: view for view in migration_views(plan)}
    for op in plan.operations:
        if not isinstance(op, MoveSubscription):
            yield describe(op, plan)
        elif (view := views.pop(op.target.key, None)) is not None:
            yield _migration(view)
    for view in views.values():  # nothing to move, but some left alone: say why
        yield _migration(view)


def _migration(view: MigrationView) -> Entry:
    details = tuple(Detail(None, line) for line in view.details)
    return Entry("move", "~", view.title, details, view.source, view.table, count=view.moves)


def describe(op: Operation, plan: Plan) -> Entry:
    """The words for one operation, with its note and ``--allow-destroy`` mark if any."""
    entry = _describe(op, plan)
    op_id = operation_id(op)
    note = plan.notes.get(op_id)
    reason = plan.destructive.get(op_id)
    details = (
        *([Detail(None, note)] if note else []),
        *entry.details,
        *([Detail(None, f"{DESTRUCTIVE}: {reason}")] if reason else []),
    )
    return replace(entry, details=details)


def destructive_note(plan: Plan) -> str | None:
    """The line under the summary when apply needs ``--allow-destroy``."""
    n = len(plan.destructive)
    if not n:
        return None
    return f"{n} destructive operation{'s' if n != 1 else ''}: apply needs --allow-destroy."


def _describe(op: Operation, plan: Plan) -> Entry:
    t = op.target
    name = f"{t.kind.replace('_', ' ')} {t.key}"
    match op:
        case Create():
            cur = currency_of(op.fields)
            created = tuple(Detail(k, show(k, v, cur)) for k, v in _created_fields(op))
            return Entry("create", "+", f"create {name}", created, op.source)
        case Update():
            return Entry("update", "~", f"update {name}", _changes(op.changes, None), op.source)
        case Adopt():
            adopted = (*_changes(op.changes, None), Detail(None, "add the catalogsync markers"))
            return Entry("adopt", "~", f"adopt {name} ({t.stripe_id})", adopted, op.source)
        case Replace():
            title = f"replace {name} ({t.stripe_id})"
            return Entry("replace", "±", title, _replace_lines(op, plan), op.source)
        case Archive():
            return _archive(op, name, plan)
        case Delete():
            return Entry("delete", "-", f"delete {name}", ())
        case MoveDefaultPrice():
            return Entry("update", "~", f"move default price of {name}", (_move(op),))
        case AttachFeature():
            return Entry("update", "~", f"attach feature {op.feature} to {name}", ())
        case DetachFeature():
            return Entry("update", "~", f"detach feature {op.feature} from {name}", ())
        case MoveSubscription():
            # One subscription alone (`entries` shows a migration's moves together).
            title = f"move subscription {t.stripe_id} ({name}) {op.at}"
            return Entry("move", "~", title, (), op.source)
        case CreateDeal() | UpdateDeal() | AdoptDeal() | ReleaseDeal() | CancelDeal():
            return _deal(op)
        case _:
            assert_never(op)


NONE_TEXT = "(none)"


def _deal(op: DealOperation) -> Entry:
    view = describe_deal(op)
    details = tuple(Detail(label, text) for label, text in view.details)
    source = op.source if isinstance(op, CreateDeal | UpdateDeal | AdoptDeal) else None
    return Entry(view.action, view.symbol, view.title, details, source, view.table, view.chart)


def _move(op: MoveDefaultPrice) -> Detail:
    text = f"{op.before or NONE_TEXT} → {op.after or NONE_TEXT}"
    if op.before == op.after:
        text += " (to the price that replaces it)"
    return Detail(None, text)


def money_rows(plan: Plan) -> Iterator[MoneyRow]:
    """Every amount the plan sets or changes, for the Markdown table."""
    for op in plan.operations:
        if isinstance(op, DealOperation):
            yield from (MoneyRow(*line) for line in deal_money(op))
            continue
        if isinstance(op, MoveSubscription):
            continue  # per migration, below
        key = f"{op.target.kind.replace('_', ' ')} {op.target.key}"
        nickname = op.fields.get("nickname") if isinstance(op, Create | Replace) else None
        if isinstance(nickname, str):
            key = f"{nickname} ({op.target.key})"
        yield from resource_money(op, key)
    yield from (MoneyRow(*row) for row in migration_money(plan))


def _created_fields(op: Create) -> Iterator[tuple[str, Value]]:
    for k, v in op.fields.items():
        if k == "metadata" and isinstance(v, Mapping):
            yield from ((f"metadata.{mk}", mv) for mk, mv in v.items())
        elif k not in ("active", "metadata") or v is False:
            yield k, v


def _changes(changes: tuple[FieldChange, ...], cur: str | None) -> tuple[Detail, ...]:
    return tuple(Detail(c.field, change(c.field, c.before, c.after, cur)) for c in changes)


def _replace_lines(op: Replace, plan: Plan) -> tuple[Detail, ...]:
    lines = [*_changes(op.changes, currency_of(op.fields)), *_carried_options(op)]
    kept = op.fields.get(KEPT_METADATA)
    if isinstance(kept, Mapping) and kept:
        keys = ", ".join(f"{k}={show(k, v, None)}" for k, v in kept.items())
        lines.append(Detail(None, f"keeps the metadata other tools wrote: {keys}"))
    if op.target.kind == "price":
        lines.append(Detail(None, "new price takes the lookup key; old price archived"))
        lines.append(Detail(None, _subscribers(_keep_old(op), op.target.stripe_id, plan)))
        lines.extend(_migrating(op.target.stripe_id, plan))
        lines.extend(_deals(_keep_old(op), op.target.stripe_id, plan))
    elif op.target.kind == "coupon":
        lines.append(
            Detail(None, "delete and recreate under the same id; existing discounts keep working")
        )
    else:
        lines.append(Detail(None, "deactivate the old code and create it again"))
    if op.adopt:
        lines.append(Detail(None, f"{op.target.stripe_id} was not managed by catalogsync"))
    return tuple(lines)


def _carried_options(op: Replace) -> Iterator[Detail]:
    """A price replace shows the billing it keeps: every currency option, the quantity unit."""
    if op.target.kind != "price":
        return
    changed = {c.field for c in op.changes}
    cur = currency_of(op.fields)
    options = op.fields.get("currency_options")
    kept = (
        [(f"currency_options.{c}", o) for c, o in options.items()]
        if isinstance(options, Mapping)
        else []
    )
    kept += [
        (k, op.fields[k]) for k in ("transform_quantity", "custom_unit_amount") if k in op.fields
    ]
    for name, value in kept:
        if name not in changed:
            yield Detail(name, f"{show(name, value, cur)} (unchanged, carried over)")


def _keep_old(op: Replace) -> str:
    """``existing subscribers stay on the old price, $85.00`` (every changed amount's old value)."""
    cur = currency_of(op.fields)
    old = [
        show(c.field, amount, cur)
        for c in op.changes
        if (amount := amount_of(c.field, c.before)) is not None and amount_of(c.field, c.after)
    ]
    return f"{KEEP_OLD}, {', '.join(old)}" if old and cur else KEEP_OLD


def _subscribers(note: str, price_id: str | None, plan: Plan) -> str:
    """``… (2 active subscriptions)``, ``… (3 subscriptions: 2 active, 1 past due)``.

    The note alone when subscribers were not counted (``--no-impact``).
    """
    counts = plan.impact.get(price_id or "")
    if counts is None:
        return note
    found = [(counts[s], s.replace("_", " ")) for s in BILLABLE_STATUSES if counts.get(s)]
    total = sum(n for n, _ in found)
    noun = "subscription" if total == 1 else "subscriptions"
    if not found:
        return f"{note} (no subscriptions)"
    if len(found) == 1:
        return f"{note} ({total} {found[0][1]} {noun})"
    return f"{note} ({total} {noun}: {', '.join(f'{n} {status}' for n, status in found)})"


def _migrating(price_id: str | None, plan: Plan) -> Iterator[Detail]:
    """``until migration k moves 4 of them (at renewal)``: the subscribers a migration moves."""
    moving = Counter(
        (op.target.key, op.at)
        for op in plan.operations
        if isinstance(op, MoveSubscription) and any(s.from_price == price_id for s in op.swaps)
    )
    for (key, at), n in sorted(moving.items()):
        when = "now" if at == "now" else "at renewal" if at == "renewal" else f"on {at}"
        yield Detail(None, f"until migration {key} moves {n} of them ({when})")


def _deals(note: str, price_id: str | None, plan: Plan) -> tuple[Detail, ...]:
    """``deals stay on the old price, $600.00 (1 deal): acme_2027`` — a replace never moves one."""
    keys = plan.deals.get(price_id or "")
    if not keys:
        return ()
    stay = "deals" + note.removeprefix("existing subscribers")
    noun = "deal" if len(keys) == 1 else "deals"
    return (Detail(None, f"{stay} ({len(keys)} {noun}): {', '.join(keys)}"),)


def _archive(op: Archive, name: str, plan: Plan) -> Entry:
    if op.reason == "replaced":
        # Counted as an archive, as apply's summary counts it: the line says why.
        title = f"archive old {name} ({op.target.stripe_id}): replaced"
        return Entry("archive", "-", title, ())
    lines: tuple[Detail, ...] = ()
    if op.target.kind == "price":
        lines = (
            Detail(None, _subscribers(KEEP_ARCHIVED, op.target.stripe_id, plan)),
            *_migrating(op.target.stripe_id, plan),
            *_deals(KEEP_ARCHIVED, op.target.stripe_id, plan),
        )
    return Entry("archive", "-", f"archive {name} ({op.target.stripe_id})", lines)
