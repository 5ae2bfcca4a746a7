"""Migrations in words: one section per migration, never a line per subscription.

A migration may move thousands of subscriptions, each its own operation
(the JSON plan lists every one). Text and Markdown show, per migration:
what moves to what, counts by status and currency, the recurring amount per
month (MRR) before and after, when they move, the proration an ``at: now``
move invoices, what the plan leaves alone and why, and the first
subscriptions by customer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from catalogsync.migrations import CohortReport
from catalogsync.model import BILLABLE_STATUSES, Source
from catalogsync.money import format_money, percent_change
from catalogsync.periods import utc_day
from catalogsync.plan.operations import ItemSwap, MoveSubscription
from catalogsync.plan.plan import Plan
from catalogsync.render.deals import Table

# Subscriptions listed by name in text and Markdown; the JSON plan has them all.
FIRST_ROWS = 10
_BEHAVIOR = {
    "create_prorations": "proration items wait for the next invoice",
    "always_invoice": "invoiced and charged at once",
}


@dataclass(frozen=True)
class MigrationView:
    """A migration as people read it: title, detail lines, its first subscriptions."""

    key: str
    title: str
    details: tuple[str, ...]
    table: Table | None
    moves: int
    source: Source | None


def migration_views(plan: Plan) -> list[MigrationView]:
    """One view per migration that moves or reports anything, in plan order."""
    moves = _by_key(plan)
    keys = [*moves, *(k for k in sorted(plan.migrations) if k not in moves)]
    return [
        _view(key, moves.get(key, []), plan.migrations.get(key, CohortReport())) for key in keys
    ]


def _view(key: str, ops: Sequence[MoveSubscription], report: CohortReport) -> MigrationView:
    details = [*_summary_lines(ops), *_report_lines(report)]
    when = f" {_at(ops[0])}" if ops else ""
    title = f"migration {key}: move {_count(len(ops))}{when}"
    source = ops[0].source if ops else None
    return MigrationView(key, title, tuple(details), _first_rows(ops), len(ops), source)


def _at(op: MoveSubscription) -> str:
    if op.at == "now":
        return "now"
    if op.at == "renewal":
        return "at renewal"
    return f"on {op.at}"


def _summary_lines(ops: Sequence[MoveSubscription]) -> Iterator[str]:
    if not ops:
        return
    paths: Counter[str] = Counter()
    for op in ops:
        paths.update({_path(swap) for swap in op.swaps})
    for path, n in sorted(paths.items()):
        yield f"{path}: {_count(n)}"
    statuses = Counter(op.status for op in ops)
    order = [*BILLABLE_STATUSES, *sorted(set(statuses) - set(BILLABLE_STATUSES))]
    yield "by status: " + ", ".join(
        f"{statuses[s]} {s.replace('_', ' ')}" for s in order if statuses[s]
    )
    currencies = Counter(op.currency for op in ops)
    yield "by currency: " + ", ".join(f"{n} {c.upper()}" for c, n in sorted(currencies.items()))
    for currency, _, before, after in _mrr_by_currency(ops):
        change = percent_change(before, after)
        yield (
            f"MRR {currency.upper()}: {format_money(before, currency)} → "
            f"{format_money(after, currency)}" + (f" ({change})" if change else "")
        )
    yield _when(ops)
    yield from _prorations(ops)
    interrupted = [op for op in ops if op.schedule]
    if interrupted:
        yield (
            f"{len(interrupted)} finish the schedule an interrupted apply left "
            f"({', '.join(op.schedule or '' for op in interrupted[:FIRST_ROWS])})"
        )


def _path(swap: ItemSwap) -> str:
    to = f"{swap.to_lookup_key} ({swap.to_price or 'the price this plan creates'})"
    old = f"{swap.from_lookup_key} ({swap.from_price})" if swap.from_lookup_key else swap.from_price
    return f"{old} → {to}"


def _count(n: int) -> str:
    return f"{n} subscription{'s' if n != 1 else ''}"


def _when(ops: Sequence[MoveSubscription]) -> str:
    op = ops[0]
    if op.at == "now":
        return f"moves now, at apply; prorated for {_moment(op.moves_at)} (the account's clock)"
    if op.at == "renewal":
        first, last = min(o.moves_at for o in ops), max(o.moves_at for o in ops)
        span = utc_day(first) if first == last else f"{utc_day(first)} to {utc_day(last)}"
        return f"moves at each subscription's renewal (end of its current period): {span}"
    return (
        f"moves on {op.at} (00:00 UTC) without proration: the period already invoiced "
        "keeps the old price; the new price bills from the next renewal"
    )


def _prorations(ops: Sequence[MoveSubscription]) -> Iterator[str]:
    behavior = ops[0].proration_behavior
    if ops[0].at != "now":
        return
    if behavior not in _BEHAVIOR:
        yield "no proration (proration_behavior: none): the new price bills from the next renewal"
        return
    totals: dict[str, Decimal] = defaultdict(Decimal)
    unknown = [op for op in ops if op.proration is None]
    for op in ops:
        if op.proration is not None:
            totals[op.currency] += op.proration
    net = ", ".join(_signed(totals[c], c) for c in sorted(totals)) or "none known"
    yield f"proration ({behavior}: {_BEHAVIOR[behavior or '']}): {net} net"
    if unknown:
        yield (
            f"{_count(len(unknown))} with discounts: proration not shown (Stripe nets the "
            "discounts into it, and the new price does not exist before apply to preview it)"
        )


def _report_lines(report: CohortReport) -> Iterator[str]:
    if report.scheduled:
        yield f"{len(report.scheduled)} already scheduled to move by this migration"
    if report.waiting:
        yield f"{len(report.waiting)} over the cohort's limit: they move in a later apply"
    for skipped in report.skipped[:FIRST_ROWS]:
        yield f"skipped {skipped.subscription} ({skipped.customer}): {skipped.reason}"
    if len(report.skipped) > FIRST_ROWS:
        rest = len(report.skipped) - FIRST_ROWS
        yield f"… and {rest} more skipped (the JSON plan lists every one)"


def _first_rows(ops: Sequence[MoveSubscription]) -> Table | None:
    if not ops:
        return None
    header = ("customer", "subscription", "status", "items", "MRR before", "MRR after", "moves")
    now = ops[0].at == "now" and ops[0].proration_behavior != "none"
    rows = []
    for op in sorted(ops, key=lambda o: (o.customer, o.target.stripe_id or ""))[:FIRST_ROWS]:
        items = ", ".join(f"{s.quantity} x {s.from_lookup_key or s.from_price}" for s in op.swaps)
        row = (
            op.customer,
            op.target.stripe_id or "",
            op.status.replace("_", " "),
            items,
            format_money(op.mrr_before, op.currency),
            format_money(op.mrr_after, op.currency),
            _moment(op.moves_at) if op.at == "now" else utc_day(op.moves_at),
        )
        proration = "—" if op.proration is None else _signed(op.proration, op.currency)
        rows.append((*row, proration) if now else row)
    if len(ops) > FIRST_ROWS:
        more = f"… {len(ops) - FIRST_ROWS} more"
        rows.append((more, *("" for _ in header[1:]), *(("",) if now else ())))
    return Table((*header, "proration") if now else header, tuple(rows))


def migration_money(plan: Plan) -> Iterator[tuple[str, str, Decimal, Decimal]]:
    """Per migration and currency: (resource, currency, MRR before, MRR after)."""
    for key, ops in _by_key(plan).items():
        for currency, mine, before, after in _mrr_by_currency(ops):
            yield f"migration {key}, MRR of {_count(len(mine))}", currency, before, after


def _mrr_by_currency(
    ops: Sequence[MoveSubscription],
) -> Iterator[tuple[str, list[MoveSubscription], Decimal, Decimal]]:
    for currency in sorted({op.currency for op in ops}):
        mine = [op for op in ops if op.currency == currency]
        before = sum((op.mrr_before for op in mine), Decimal(0))
        after = sum((op.mrr_after for op in mine), Decimal(0))
        yield currency, mine, before, after


def _by_key(plan: Plan) -> dict[str, list[MoveSubscription]]:
    out: dict[str, list[MoveSubscription]] = defaultdict(list)
    for op in plan.operations:
        if isinstance(op, MoveSubscription):
            out[op.target.key].append(op)
    return out


def _signed(amount: Decimal, currency: str) -> str:
    sign = "-" if amount < 0 else "+"
    return sign + format_money(abs(amount), currency)


def _moment(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
