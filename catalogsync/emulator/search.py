"""Stripe's search endpoints (`GET /v1/<resource>/search`): the query language subset and pages.

Source: docs.stripe.com/search ("Search query language"). A query is clauses joined by `AND`
or by `OR` (not both in one query), each `field:value` (exact match) or `field~value`
(substring, at least 3 characters), with `-` in front to negate, and string values quoted in
single or double quotes; metadata is queried as `metadata['key']:'value'`; numeric fields
such as `created` take `:`, `>`, `<`, `>=`, `<=`. String matches ignore case. The response is
a `search_result` with `next_page` (a token for the `page` parameter) instead of cursors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from catalogsync.emulator.common import expand_of, page_limit
from catalogsync.emulator.errors import StripeError, invalid
from catalogsync.emulator.render import render_all
from catalogsync.emulator.routing import Ctx
from catalogsync.emulator.store import Json

_MAX_CLAUSES = 10
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<connective>AND|OR)(?=\s)
      | (?P<negate>-)?
        (?P<field>metadata\[(?P<q>['"])(?P<key>(?:\\.|(?!(?P=q)).)*)(?P=q)\]|[a-z_]+)
        (?P<op>:|~|>=|<=|>|<)
        (?:(?P<vq>['"])(?P<text>(?:\\.|(?!(?P=vq)).)*)(?P=vq)|(?P<number>-?\d+))
    )\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Clause:
    """One `field op value` condition of a query."""

    field: str
    metadata_key: str | None
    op: str
    value: str | int
    negate: bool

    def matches(self, body: Json) -> bool:
        """Whether an object satisfies the clause."""
        if self.metadata_key is not None:
            actual: Any = (body.get("metadata") or {}).get(self.metadata_key)
        else:
            actual = body.get(self.field)
        return _compare(actual, self.op, self.value) != self.negate


@dataclass(frozen=True)
class Query:
    """Parsed clauses and how they combine (`all` for AND, `any` for OR)."""

    clauses: tuple[Clause, ...]
    every: bool

    def matches(self, body: Json) -> bool:
        """Whether an object satisfies the query."""
        results = (c.matches(body) for c in self.clauses)
        return all(results) if self.every else any(results)


def parse(text: str, fields: dict[str, str]) -> Query:
    """Parse `text`; `fields` maps each searchable field to its type (`string`, `number`...)."""
    clauses: list[Clause] = []
    connectives: set[str] = set()
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise _bad(text, f"unexpected text at position {position}")
        position = found.end()
        if found["connective"]:
            connectives.add(found["connective"])
            continue
        clauses.append(_clause(found, fields, text))
    if not clauses:
        raise _bad(text, "no clause")
    if len(connectives) > 1:
        raise _bad(text, "AND and OR cannot be combined in one query")
    if len(clauses) > _MAX_CLAUSES:
        raise _bad(text, f"at most {_MAX_CLAUSES} clauses are allowed")
    return Query(tuple(clauses), every=connectives != {"OR"})


def search_objects(ctx: Ctx, kind: str, url: str, fields: dict[str, str]) -> Json:
    """A `search_result` page of `kind` objects matching `query`, newest first."""
    params = ctx.params
    query = parse(str(params["query"]), fields)  # required by the typed params
    limit = page_limit(params)
    after = _page_seq(params.get("page"))
    rows = ctx.tx.page(ctx.account, kind, [], limit=10**9, starting_after=after).rows
    hits = [row for row in rows if query.matches(row.body)]
    page, more = hits[:limit], len(hits) > limit
    return {
        "object": "search_result",
        "data": render_all(ctx, kind, [row.body for row in page], expand_of(params)),
        "has_more": more,
        "next_page": f"seq_{page[-1].seq}" if more else None,
        "url": url,
    }


def _clause(found: re.Match[str], fields: dict[str, str], text: str) -> Clause:
    key = found["key"]
    field = "metadata" if key is not None else found["field"]
    kind = fields.get(field)
    if kind is None:
        raise _bad(text, f"`{field}` is not a searchable field")
    op = found["op"]
    if found["number"] is not None:
        if kind != "number":
            raise _bad(text, f"`{field}` takes a quoted string value")
        value: str | int = int(found["number"])
    else:
        if kind == "number" or op not in (":", "~"):
            raise _bad(text, f"`{field}` cannot be compared with `{op}` to a string")
        value = _unescape(found["text"])
        if op == "~" and len(value) < 3:
            raise _bad(text, "a substring match (~) needs at least 3 characters")
    metadata_key = None if key is None else _unescape(key)
    return Clause(field, metadata_key, op, value, negate=bool(found["negate"]))


def _compare(actual: Any, op: str, value: str | int) -> bool:
    if actual is None:
        return False
    if isinstance(value, int):
        number = int(actual)
        return {
            ":": number == value,
            ">": number > value,
            "<": number < value,
            ">=": number >= value,
            "<=": number <= value,
        }[op]
    if op == "~":
        return value.lower() in str(actual).lower()
    return str(actual).lower() == value.lower()


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted)


def _page_seq(token: Any) -> int | None:
    if token in (None, ""):
        return None
    found = re.fullmatch(r"seq_(\d+)", str(token))
    if found is None:
        raise invalid(f"Invalid page: {token}", param="page")
    return int(found[1])


def _bad(text: str, why: str) -> StripeError:
    return invalid(f"Invalid search query `{text}`: {why}.", param="query")
