"""The pull-request comment: summary, money table, collapsible details, digest."""

from __future__ import annotations

from decimal import Decimal

from catalogsync.money import format_money, percent_change
from catalogsync.plan.plan import Plan
from catalogsync.render.deals import table_markdown
from catalogsync.render.describe import Entry, destructive_note, entries, money_rows, summary
from catalogsync.render.gantt import gantt_markdown
from catalogsync.render.money_table import PERCENT, MoneyRow


def render_markdown(plan: Plan) -> str:
    """The plan as a Markdown comment for a pull request."""
    mode = "live mode" if plan.livemode else "test mode"
    out = ["### catalogsync plan", "", f"**{summary(plan)}**", ""]
    if (note := destructive_note(plan)) is not None:
        out += [f"> [!WARNING]\n> {note}", ""]
    rows = list(money_rows(plan))
    if rows:
        out += ["#### Money changes", "", "| Resource | Currency | Before | After | Change |"]
        out += ["|---|---|---|---|---|", *(_money_row(r) for r in rows), ""]
    if plan.operations:
        out += ["#### Operations", ""]
        for entry in entries(plan):
            out += _details(entry)
    out.append(
        f"Account `{plan.account_id}` ({mode}) · catalog `{plan.catalog_digest[:12]}` · "
        f"plan digest `{plan.digest}`"
    )
    return "\n".join(out) + "\n"


def _money_row(row: MoneyRow) -> str:
    before, after = _money(row.before, row.currency), _money(row.after, row.currency)
    change = ""
    if row.before is not None and row.after is not None and row.before != row.after:
        if row.currency == PERCENT:  # percentages change by points, not by percent
            change = f"{(row.after - row.before).normalize():+f} points"
        else:
            change = percent_change(row.before, row.after) or ""
    if row.changed:
        change = f"**changed** {change}".strip()
    currency = "—" if row.currency == PERCENT else row.currency.upper()
    return f"| {_escape(row.resource)} | {currency} | {before} | {after} | {change} |"


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    if currency == PERCENT:
        return f"{amount.normalize():f}%"
    return format_money(amount, currency)


def _details(entry: Entry) -> list[str]:
    title = f"<code>{entry.symbol}</code> {_escape(entry.title)}"
    body = [
        f"- `{d.label}`: {_escape(d.text)}" if d.label else f"- {_escape(d.text)}"
        for d in entry.details
    ]
    if entry.source:
        body.append(f"- source: `{entry.source}`")
    if entry.chart is not None:
        body += ["", *gantt_markdown(entry.chart)]
    if entry.table is not None:
        body += ["", *table_markdown(entry.table)]
    if not body:
        return [f"- {title}", ""]
    return ["<details>", f"<summary>{title}</summary>", "", *body, "", "</details>", ""]


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
