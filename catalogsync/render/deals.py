"""Deals in words: each deal's timeline as a table (and a gantt chart), its changes by phase.

The timeline has one row per phase: its dates (start → end), items and
quantities, discounts, and the recurring amount the phase bills in the
price's currency (quantity times unit amount, less percent or amount
discounts, in order). Amounts come from the values the planner put on each
phase: the price the schedule really bills (an item on an earlier version
of a price says so, with that version's amount); a price without a unit
amount (tiered) shows ``—``. A contract's value is each phase's recurring
amount times the billing periods the phase lasts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, assert_never

from catalogsync.money import format_money
from catalogsync.periods import add_interval, utc_day
from catalogsync.plan.operations import (
    AdoptDeal,
    CancelDeal,
    CreateDeal,
    DealOperation,
    ReleaseDeal,
    UpdateDeal,
)
from catalogsync.render.gantt import Gantt, Section, Task
from catalogsync.values import Value

TIMES = "\u00d7"
DASH = "\u2014"
HEADER = ("Phase", "Dates", "Items", "Discounts", "Recurring amount")


@dataclass(frozen=True)
class Table:
    """A small table both renderers can draw (aligned text, Markdown)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DealView:
    """A deal operation as people read it: title, detail lines, timeline."""

    action: str
    symbol: str
    title: str
    details: tuple[tuple[str | None, str], ...]
    table: Table | None = None
    chart: Gantt | None = None  # the same timeline as a picture


def describe_deal(op: DealOperation) -> DealView:
    """The words for an operation on a deal."""
    t = op.target
    match op:
        case CreateDeal():
            return _create(op)
        case AdoptDeal():
            title = f"adopt deal {t.key} ({t.stripe_id})"
            note = "the schedule already bills as the deal says: catalogsync's markers only"
            lines = [
                (None, note),
                *((c.field, f"{_plain(c.before)} → {_plain(c.after)}") for c in op.changes),
            ]
            return DealView("adopt", "~", title, tuple(lines))
        case UpdateDeal():
            return _update(op)
        case ReleaseDeal():
            note = "the subscription continues on its current items without the schedule"
            title = f"release deal {t.key} ({t.stripe_id})"
            return _removal("release", t.key, title, note, op.details)
        case CancelDeal():
            note = "the schedule and its subscription end now"
            title = f"cancel deal {t.key} ({t.stripe_id})"
            return _removal("cancel", t.key, title, note, op.details)
        case _:
            assert_never(op)


def _removal(
    action: str, key: str, title: str, note: str, details: Mapping[str, Value]
) -> DealView:
    """A released or cancelled deal: which of its phases will not be billed."""
    phases = _phase_list(details.get("phases"))
    if not phases:
        return DealView(action, "-", title, ((None, note),))
    lines: list[tuple[str | None, str]] = []
    kept = released_phase(action, details, phases)
    if details.get("status") == "not_started":
        lines.append((None, "the contract has not started and will never bill"))
        lost = phases
    else:
        lost = [p for p in phases if p["state"] == "upcoming"]
        current = [n for n, p in enumerate(phases) if p["state"] == "current"]
        if kept is not None:
            note += f": phase {current[0] + 1}'s items, {_still_billed(kept)}, with no end date"
        lines.append((None, note))
        if action == "cancel" and current:
            lines.append((None, f"the rest of phase {current[0] + 1} will not be billed"))
    # After a release the subscription goes on billing, so the upcoming phases
    # are not billed *as scheduled* rather than not billed at all.
    as_scheduled = " as scheduled" if kept is not None else ""
    for phase in lost:
        n = phases.index(phase) + 1
        lines.append(
            (
                f"phase {n} ({_dates(phase)})",
                f"{recurring_amount(phase)} will not be billed{as_scheduled}",
            )
        )
    value = contract_value(lost)
    if value is not None and lost:
        lines.append((None, f"contract value not billed{as_scheduled}: {format_money(*value)}"))
    return DealView(action, "-", title, tuple(lines), timeline(phases), chart(key, phases))


def _create(op: CreateDeal) -> DealView:
    fields = op.fields
    phases = _phase_list(fields.get("phases"))
    title = f"create deal {op.target.key} for {fields.get('customer')}" + _ramp_note(phases)
    details: list[tuple[str | None, str]] = [
        ("start_date", str(fields.get("start_date"))),
        ("end_behavior", str(fields.get("end_behavior"))),
    ]
    if "collection_method" in fields:
        details.append(("invoicing", _invoicing(fields)))
    if "proration_behavior" in fields:
        details.append(("proration at phase transitions", str(fields["proration_behavior"])))
    if phases and phases[0].get("one_off"):
        details.append(("one-off, with the first invoice", _one_off_text(phases[0])))
    metadata = fields.get("metadata")
    if isinstance(metadata, Mapping):
        details += [(f"metadata.{k}", str(v)) for k, v in sorted(metadata.items())]
    value = contract_value(phases)
    if value is not None:
        details.append(("total contract value", format_money(*value)))
    ended = fields.get("ended_schedule")
    if isinstance(ended, Mapping) and isinstance(ended.get("ended_at"), int):
        ended_at = int(str(ended["ended_at"]))
        details.append(
            (
                None,
                f"its schedule {ended['id']} was {ended['status']} on {utc_day(ended_at)}, "
                "before its end: a new schedule bills the deal",
            )
        )
        if phases and int(phases[0]["start_date"]) < ended_at:
            details.append(
                (
                    None,
                    f"warning: the new schedule starts on {utc_day(phases[0]['start_date'])}, "
                    "in the past: Stripe backdates it and bills from that date",
                )
            )
    others = fields.get("existing_subscriptions")
    if isinstance(others, tuple) and others:
        noun = "subscription" if len(others) == 1 else "subscriptions"
        details.append(
            (
                None,
                f"warning: the customer already has the {noun} {', '.join(map(str, others))}; "
                "this deal adds another one",
            )
        )
    return DealView(
        "create", "+", title, tuple(details), timeline(phases), chart(op.target.key, phases)
    )


def _update(op: UpdateDeal) -> DealView:
    t = op.target
    details: list[tuple[str | None, str]] = []
    table = None
    picture = None
    ramp = ""
    for change in op.changes:
        if change.field == "phases":
            before, after = _phase_list(change.before), _phase_list(change.after)
            details += phase_changes(before, after)
            table = timeline(after, before)
            picture = chart(t.key, after, before)
            ramp = _ramp_note(after).replace(" (", ", ").rstrip(")")
        else:
            details.append((change.field, f"{_plain(change.before)} → {_plain(change.after)}"))
    title = f"update deal {t.key} ({t.stripe_id}{ramp})"
    return DealView("update", "~", title, tuple(details), table, picture)


def _invoicing(fields: Mapping[str, Value]) -> str:
    """``send_invoice, due 30 days after each invoice`` (payment terms with sent invoices)."""
    text = str(fields["collection_method"])
    days = fields.get("days_until_due")
    return text + (f", due {days} days after each invoice" if days is not None else "")


MoneyLine = tuple[str, str, Decimal | None, Decimal | None]  # resource, currency, before, after


def deal_money(op: DealOperation) -> Iterator[MoneyLine]:
    """The money table's rows for a deal: each phase's recurring amount, the contract value."""
    key = op.target.key
    match op:
        case CreateDeal():
            yield from _timeline_money(key, [], _phase_list(op.fields.get("phases")))
        case UpdateDeal():
            for change in op.changes:
                if change.field == "phases":
                    before, after = _phase_list(change.before), _phase_list(change.after)
                    yield from _timeline_money(key, before, after)
        case AdoptDeal():
            return  # the schedule already bills as the deal says
        case ReleaseDeal():
            yield from _removal_money(key, "release", op.details)
        case CancelDeal():
            yield from _removal_money(key, "cancel", op.details)
        case _:
            assert_never(op)


def _removal_money(key: str, action: str, details: Mapping[str, Value]) -> Iterator[MoneyLine]:
    """What a released or cancelled deal no longer bills, and what a release keeps billing."""
    phases = _phase_list(details.get("phases"))
    lost = [p for p in phases if details.get("status") == "not_started" or _upcoming(p)]
    kept = released_phase(action, details, phases)
    value = contract_value(lost)
    if value is not None and lost:
        label = "contract value not billed" + (" as scheduled" if kept is not None else "")
        yield f"deal {key}, {label}", value[1], value[0], None
    amount = list_amount(kept) if kept is not None else None
    if kept is not None and amount is not None:
        n = phases.index(kept) + 1
        label = f"deal {key}, after release: phase {n}'s items{_per(kept['items'][0])}"
        yield f"{label}, no end date", amount[1], None, amount[0]


def _timeline_money(
    key: str, before: list[Mapping[str, Any]], after: list[Mapping[str, Any]]
) -> Iterator[MoneyLine]:
    """Each phase whose amount changes, the one-off and the contract value, before → after."""
    for n, phase in enumerate(after):
        old = before[n] if n < len(before) else None
        if old is not None and _content(old) == _content(phase):
            continue
        was, now = _amount(old), _amount(phase)
        currency = now[1] if now else (was[1] if was else None)
        if currency is not None:
            label = f"deal {key}, phase {n + 1} ({_dates(phase)}){_per(phase['items'][0])}"
            yield label, currency, was[0] if was else None, now[0] if now else None
    was_once = one_off_amount(before[0]) if before else None
    now_once = one_off_amount(after[0]) if after else None
    if now_once != was_once:
        currency = (now_once or was_once or (None, ""))[1]
        yield (
            f"deal {key}, one-off with the first invoice",
            currency,
            was_once[0] if was_once else None,
            now_once[0] if now_once else None,
        )
    total_before, total_after = contract_value(before), contract_value(after)
    if total_after is not None and total_before != total_after:
        was_total = total_before[0] if total_before else None
        yield f"deal {key}, total contract value", total_after[1], was_total, total_after[0]


def _amount(phase: Mapping[str, Any] | None) -> tuple[Decimal, str] | None:
    if phase is None:
        return None
    if phase["trial"]:
        amount = period_amount(phase)
        return (Decimal(0), amount[1]) if amount else None
    return period_amount(phase)


def released_phase(
    action: str, details: Mapping[str, Value], phases: list[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The phase whose items a released, running subscription keeps billing (else None).

    Releasing leaves the subscription in place on its current items with no end
    (docs.stripe.com/api/subscription_schedules/release); a schedule that has
    not started has no subscription to keep.
    """
    if action != "release" or details.get("status") == "not_started":
        return None
    return next((p for p in phases if p["state"] == "current"), None)


def list_amount(phase: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """One billing period of the phase's items at their prices, before any discount."""
    return period_amount({**phase, "discounts": []})


def _still_billed(phase: Mapping[str, Any]) -> str:
    """``$79,200.00 / year`` (before discounts, when the phase had some): what goes on billing."""
    amount = list_amount(phase)
    if amount is None:
        return "at amounts not known to the plan"
    text = format_money(*amount) + _per(phase["items"][0])
    return text + (" before discounts" if phase["discounts"] else "")


def _upcoming(phase: Mapping[str, Any]) -> bool:
    return bool(phase["state"] == "upcoming")


def timeline(
    phases: list[Mapping[str, Any]], before: list[Mapping[str, Any]] | None = None
) -> Table:
    """One row per phase; with ``before``, changed and new phases are marked."""
    rows = []
    for n, phase in enumerate(phases):
        rows.append(
            (
                _label(n, phases, before),
                _dates(phase),
                _items(phase),
                _discounts(phase),
                recurring_amount(phase),
            )
        )
    return Table(HEADER, tuple(rows))


def chart(
    key: str, phases: list[Mapping[str, Any]], before: list[Mapping[str, Any]] | None = None
) -> Gantt | None:
    """The timeline as a gantt chart: a section per phase (labelled as in the table), a bar
    per item; an ended phase is drawn done, the current one active. None without phases."""
    if not phases:
        return None
    sections = []
    for n, phase in enumerate(phases):
        tag = {"ended": "done", "current": "active"}.get(str(phase["state"]))
        start, end = utc_day(phase["start_date"]), utc_day(phase["end_date"])
        tasks = tuple(Task(_item(i), start, end, tag) for i in phase["items"])
        sections.append(Section(f"Phase {_label(n, phases, before)}", tasks))
    return Gantt(f"deal {key}", tuple(sections))


def _label(n: int, phases: list[Mapping[str, Any]], before: list[Mapping[str, Any]] | None) -> str:
    """``2 (current, changed)``: the phase's 1-based number, its state unless upcoming, and
    against ``before``, whether it is new or changed."""
    phase = phases[n]
    marks = [str(phase["state"])] if phase["state"] != "upcoming" else []
    if before is not None:
        if n >= len(before):
            marks.append("new")
        elif _content(before[n]) != _content(phase):
            marks.append("changed")
    return f"{n + 1} ({', '.join(marks)})" if marks else str(n + 1)


def phase_changes(
    before: list[Mapping[str, Any]], after: list[Mapping[str, Any]]
) -> Iterator[tuple[str | None, str]]:
    """``phase 3 (2029-01-01 → 2030-01-01)``: what changes in each phase."""
    for n in range(max(len(before), len(after))):
        old = before[n] if n < len(before) else None
        new = after[n] if n < len(after) else None
        if new is None:
            assert old is not None
            yield f"phase {n + 1} ({_dates(old)})", f"removed: {_items(old)}"
        elif old is None:
            yield f"phase {n + 1} ({_dates(new)})", f"added: {_items(new)}"
        elif _content(old) != _content(new):
            yield from _aspects(n, old, new)


def _aspects(n: int, old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    label = f"phase {n + 1} ({_dates(new)})"
    if _dates(old) != _dates(new):
        yield label, f"dates: {_dates(old)} → {_dates(new)}"
    if _items(old) != _items(new):
        yield label, f"items: {_items(old)} → {_items(new)}"
    if _discounts(old) != _discounts(new):
        yield label, f"discounts: {_discounts(old)} → {_discounts(new)}"
    if bool(old["trial"]) != bool(new["trial"]):
        yield label, f"trial: {_plain(old['trial'])} → {_plain(new['trial'])}"
    if _proration(old) != _proration(new):
        yield label, f"proration on entering it: {_proration(old)} → {_proration(new)}"
    if old.get("one_off") or new.get("one_off"):
        once_old, once_new = _one_off_or_none(old), _one_off_or_none(new)
        if once_old != once_new:
            yield label, f"one-off: {once_old} → {once_new}"
    amount_old, amount_new = recurring_amount(old), recurring_amount(new)
    if amount_old != amount_new:
        yield label, f"recurring amount: {amount_old} → {amount_new}"


def recurring_amount(phase: Mapping[str, Any]) -> str:
    """``$55,440.00 / year``: quantity times unit amount, less discounts; ``—`` if unknown."""
    amount = period_amount(phase)
    if amount is None:
        return DASH
    total, currency = amount
    text = format_money(total, currency)
    if phase["trial"]:
        return f"{format_money(Decimal(0), currency)} (trial; then {text})"
    return text + _per(phase["items"][0])


def period_amount(phase: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """What one billing period of the phase bills (a trial aside), or ``None`` if unknown.

    Each item is quantity times its amount (the negotiated one, if any) less
    its own discounts; the phase's discounts then apply to the sum.
    """
    items = phase["items"]
    if not items or any("unit_amount" not in i or "currency" not in i for i in items):
        return None
    currency = str(items[0]["currency"])
    lines = (_discounted(Decimal(i["quantity"]) * i["unit_amount"], i) for i in items)
    total = _discounted(sum(lines, Decimal(0)), phase)
    return total.quantize(Decimal(1), ROUND_HALF_UP), currency


def _discounted(amount: Decimal, holder: Mapping[str, Any]) -> Decimal:
    """``amount`` less the holder's (a phase's or an item's) discounts, in order."""
    for discount in holder.get("discounts") or ():
        if "percent_off" in discount:
            amount = amount * (100 - discount["percent_off"]) / 100
        elif "amount_off" in discount:
            amount = max(Decimal(0), amount - discount["amount_off"])
    return amount


def one_off_amount(phase: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """What the phase's one-offs bill once, or ``None`` if there are none or one is unknown."""
    items = phase.get("one_off") or ()
    if not items or any("unit_amount" not in i or "currency" not in i for i in items):
        return None
    total = sum((Decimal(i["quantity"]) * i["unit_amount"] for i in items), Decimal(0))
    return total, str(items[0]["currency"])


def _one_off_or_none(phase: Mapping[str, Any]) -> str:
    return _one_off_text(phase) if phase.get("one_off") else "none"


def _one_off_text(phase: Mapping[str, Any]) -> str:
    """The one-offs and what they bill once (``1 x onboarding_package, $5,000.00``)."""
    text = ", ".join(_item(i) for i in phase["one_off"])
    amount = one_off_amount(phase)
    return text + (f", {format_money(*amount)}" if amount is not None else "")


def phase_value(phase: Mapping[str, Any]) -> tuple[Decimal, str] | None:
    """What the whole phase bills: its recurring amount times its billing periods.

    ``None`` when the amount is unknown or the phase is not a whole number
    of the price's billing periods. A trial phase bills nothing.
    """
    amount = period_amount(phase)
    item = phase["items"][0] if phase["items"] else {}
    if amount is None or item.get("interval") is None:
        return None
    if phase["trial"]:
        return Decimal(0), amount[1]
    periods = _periods(phase["start_date"], phase["end_date"], item)
    return (amount[0] * periods, amount[1]) if periods is not None else None


def contract_value(phases: list[Mapping[str, Any]]) -> tuple[Decimal, str] | None:
    """The sum of the phases' values in their one currency, or ``None`` if any is unknown."""
    values = [phase_value(p) for p in phases]
    known = [v for v in values if v is not None]
    if not values or len(known) != len(values) or len({c for _, c in known}) != 1:
        return None
    return sum((v for v, _ in known), Decimal(0)), known[0][1]


def _periods(start: int, end: int, item: Mapping[str, Any]) -> int | None:
    """How many billing periods of ``item``'s price fit exactly between ``start`` and ``end``."""
    anchor = datetime.fromtimestamp(start, UTC).day
    count, at = 0, start
    while at < end:
        count += 1
        at = add_interval(start, str(item["interval"]), count * int(item["interval_count"]), anchor)
    return count if at == end else None


def _per(item: Mapping[str, Any]) -> str:
    interval, count = item.get("interval"), item.get("interval_count", 1)
    if interval is None:
        return ""
    return f" / {interval}" if count == 1 else f" / {count} {interval}s"


def _dates(phase: Mapping[str, Any]) -> str:
    return f"{utc_day(phase['start_date'])} → {utc_day(phase['end_date'])}"


def _items(phase: Mapping[str, Any]) -> str:
    return ", ".join(_item(i) for i in phase["items"]) or DASH


def _item(item: Mapping[str, Any]) -> str:
    """Quantity and price; for an earlier version of a price, its amount and the note.

    (``50 x expert_seat_annual, $600.00 - earlier version, archived``, with the
    multiplication sign and the dash.)
    """
    text = f"{item['quantity']} {TIMES} {item['price']}"
    if "list_unit_amount" in item:
        return text + _negotiated(item)
    if "version" not in item:
        return text
    if "unit_amount" in item and "currency" in item:
        text += f", {format_money(item['unit_amount'], str(item['currency']))}"
    return f"{text} {DASH} {item['version']}"


def _negotiated(item: Mapping[str, Any]) -> str:
    """`` at $120.00 (list $150.00, 20.0% off)``: the deal price, the list price, the discount."""
    currency = str(item["currency"])
    deal, listed = Decimal(item["unit_amount"]), item["list_unit_amount"]
    text = f" at {format_money(deal, currency)}"
    if listed is None:
        return text
    listed = Decimal(listed)
    off = f", {(listed - deal) / listed * 100:.1f}% off" if listed > deal else ""
    return text + f" (list {format_money(listed, currency)}{off})"


def _discounts(phase: Mapping[str, Any]) -> str:
    parts = [
        f"{text} on {item['price']}"
        for item in phase["items"]
        for text in _coupon_texts(item.get("discounts") or (), phase)
    ]
    parts[:0] = _coupon_texts(phase["discounts"], phase)
    if phase["trial"]:
        parts.append("trial")
    return ", ".join(parts) or DASH


def _coupon_texts(discounts: Any, phase: Mapping[str, Any]) -> list[str]:
    parts = []
    for d in discounts:
        if "percent_off" in d:
            parts.append(f"{d['coupon']} ({d['percent_off'].normalize():f}% off)")
        elif "amount_off" in d and phase["items"] and "currency" in phase["items"][0]:
            off = format_money(d["amount_off"], phase["items"][0]["currency"])
            parts.append(f"{d['coupon']} ({off} off)")
        else:
            parts.append(str(d["coupon"]))
    return parts


def _content(phase: Mapping[str, Any]) -> tuple[object, ...]:
    items = sorted(
        (
            i["price"],
            i["quantity"],
            i.get("version", ""),
            _item(i),
            tuple(d["coupon"] for d in i.get("discounts") or ()),
        )
        for i in phase["items"]
    )
    one_off = sorted(_item(i) for i in phase.get("one_off") or ())
    coupons = tuple(d["coupon"] for d in phase["discounts"])
    return (
        phase["start_date"],
        phase["end_date"],
        items,
        coupons,
        bool(phase["trial"]),
        _proration(phase),
        tuple(one_off),
    )


def _proration(phase: Mapping[str, Any]) -> str:
    """The phase's proration behaviour; the planner leaves Stripe's default out of the value."""
    return str(phase.get("proration_behavior", "create_prorations"))


def _ramp_note(phases: list[Mapping[str, Any]]) -> str:
    """`` (ramp enterprise_3yr)`` when the phases come from a ramp."""
    for phase in phases:
        origin = str(phase.get("origin") or "")
        if origin.startswith("ramp "):
            return f" (ramp {origin.removeprefix('ramp ').split(',')[0]})"
    return ""


def _phase_list(value: Value) -> list[Mapping[str, Any]]:
    if not isinstance(value, tuple):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _plain(value: Value) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_text(table: Table) -> list[str]:
    """The table as aligned columns."""
    widths = [max(len(r[c]) for r in (table.header, *table.rows)) for c in range(len(table.header))]
    lines = []
    for row in (table.header, *table.rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return lines


def table_markdown(table: Table) -> list[str]:
    """The table as a Markdown pipe table."""

    def row(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [row(table.header), "|" + "---|" * len(table.header), *(row(r) for r in table.rows)]
