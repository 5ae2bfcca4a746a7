"""Raw reads: every page of a Stripe list, several lists at once.

Lists ask for 100 objects a page (Stripe's maximum) and page with
``starting_after``, so reading a kind costs ⌈objects/100⌉ requests (one when
it fits a page). Objects come back as plain dicts (`to_dict`), which the
converters turn into the model.

Reads share a token bucket (the account's rate limit is shared by every
concurrent list) and retry a 429 with backoff; the SDK retries 5xx and
connection errors itself but never a 429 (stripe-python ``_http_client.py``). A long list is read as
several ``created`` windows at once (`list_windows`), so its pages are not
one serial chain of round trips.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import stripe

from catalogsync.errors import GatewayError
from catalogsync.gateway.failures import describe_error
from catalogsync.transport.ratelimit import TokenBucket
from catalogsync.transport.retry import Failure, RetryPolicy

PAGE_SIZE = 100
# A window of a split list should hold about this many pages: enough that a
# window's partial last page (the split's only extra request) is cheap.
PAGES_PER_WINDOW = 20
MAX_WINDOWS = 8

# A list method of a stripe service, or `raw_lister`: called with the params
# dict, returns a ListObject or the page as plain JSON.
Lister = Callable[..., Any]
Json = dict[str, Any]
T = TypeVar("T")


def raw_lister(client: stripe.StripeClient, path: str) -> Lister:
    """A lister for ``path`` answering plain JSON pages, through the SDK's request path.

    Building StripeObjects (and `to_dict` back) costs about five times the
    JSON parse for a page of expanded prices: most of a large plan's CPU.
    """

    def lister(query: dict[str, Any]) -> Any:
        return client.raw_request("get", path, **query).data

    return lister


def _page_data(page: Any) -> tuple[list[Json], bool]:
    if isinstance(page, dict):
        return list(page["data"]), bool(page["has_more"])
    return [obj.to_dict() for obj in page.data], bool(page.has_more)


def list_all(
    lister: Lister,
    params: Mapping[str, Any] | None = None,
    *,
    limiter: TokenBucket | None = None,
) -> list[Json]:
    """Every object of a list, page by page."""
    query: dict[str, Any] = {"limit": PAGE_SIZE, **(params or {})}
    return _rest(lister, query, [], limiter)


def _rest(
    lister: Lister,
    query: dict[str, Any],
    out: list[Json],
    limiter: TokenBucket | None,
    budget: _Budget | None = None,
) -> list[Json]:
    """Append the pages from ``query`` on (its cursor included) to ``out``."""
    while True:
        data, has_more = _page_data(_call(lister, query, limiter, budget))
        out.extend(data)
        if not has_more or not data:
            return out
        query = {**query, "starting_after": data[-1]["id"]}


@dataclass(frozen=True)
class Split:
    """How a long list is split into ``created`` windows (`list_windows`).

    A window holds about ``pages_per_window`` pages, at most ``max_windows``
    are read at once; each window may cost one partial page more than the
    list's pagination floor.
    """

    pages_per_window: int = PAGES_PER_WINDOW
    max_windows: int = MAX_WINDOWS


class _OverBudget(Exception):
    """A list read within a budget of pages (`list_within`) turned out longer."""


class _Budget:
    """Pages a list may still read, shared by its windows."""

    def __init__(self, pages: int) -> None:
        self._left = pages
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            if self._left <= 0:
                raise _OverBudget
            self._left -= 1


def list_within(
    lister: Lister,
    params: Mapping[str, Any] | None = None,
    *,
    max_pages: int,
    expected: int,
    limiter: TokenBucket | None = None,
    split: Split = Split(),
) -> list[Json] | None:
    """Every object of a list when it takes at most ``max_pages`` requests, else None.

    For a list read only to save other requests: ``max_pages`` is what those
    requests would cost, so reading a list that turns out longer costs at
    most about twice the cheaper way. Read like `list_windows`.
    """
    query: dict[str, Any] = {"limit": PAGE_SIZE, **(params or {})}
    try:
        return _windows(lister, query, expected, limiter, split=split, budget=_Budget(max_pages))
    except _OverBudget:
        return None


def list_windows(
    lister: Lister,
    params: Mapping[str, Any] | None = None,
    *,
    expected: int,
    limiter: TokenBucket | None = None,
    split: Split = Split(),
) -> list[Json]:
    """Every object of a list expected to hold about ``expected`` objects, newest first.

    The first page is read as usual. When more remain and ``expected`` says
    they fill many pages, the rest is split into ``created`` windows read
    concurrently: the newest continues from the first page's cursor, the
    oldest is open-ended, so every object falls in exactly one window
    whatever the guess. The window bounds assume the rest is spread in time
    like the first page; when it is not, the split only costs a few
    requests (at most one partial page per window) and reads no slower than
    one serial list.
    """
    query: dict[str, Any] = {"limit": PAGE_SIZE, **(params or {})}
    return _windows(lister, query, expected, limiter, split=split, budget=None)


def _windows(
    lister: Lister,
    query: dict[str, Any],
    expected: int,
    limiter: TokenBucket | None,
    *,
    split: Split,
    budget: _Budget | None,
) -> list[Json]:
    first, has_more = _page_data(_call(lister, query, limiter, budget))
    remaining = expected - len(first)
    windows = min(split.max_windows, math.ceil(remaining / (PAGE_SIZE * split.pages_per_window)))
    if not has_more or not first:
        return first
    cursor = {**query, "starting_after": first[-1]["id"]}
    newest, top = int(first[0]["created"]), int(first[-1]["created"])
    if windows <= 1 or newest <= top:
        return _rest(lister, cursor, first, limiter, budget)
    # Seconds the rest spans if it is as dense as the first page.
    span = (newest - top + 1) * remaining / len(first)
    bounds = [top - math.ceil(span * i / windows) for i in range(windows)]
    queries = [{**cursor, "created": {"gte": bounds[1]}}]
    for i in range(1, windows - 1):
        queries.append({**query, "created": {"gte": bounds[i + 1], "lt": bounds[i]}})
    queries.append({**query, "created": {"lt": bounds[-1]}})
    tasks = {
        str(i): (lambda q=q: _rest(lister, q, [], limiter, budget)) for i, q in enumerate(queries)
    }
    parts = run_all(tasks, len(tasks))
    return first + [obj for i in range(len(queries)) for obj in parts[str(i)]]


def first_page(
    lister: Lister, params: Mapping[str, Any], *, limiter: TokenBucket | None = None
) -> Any:
    """The first page of a list (a stripe ListObject: ``data``, ``has_more``)."""
    return _call(lister, {"limit": PAGE_SIZE, **params}, limiter)


def run_all(tasks: Mapping[str, Callable[[], Any]], concurrency: int) -> dict[str, Any]:
    """Run named reads concurrently; the first failure is raised."""
    if not tasks:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tasks)))) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        try:
            return {name: future.result() for name, future in futures.items()}
        except stripe.StripeError as e:
            # Reads outside `_call` (the account, single objects) fail the same way.
            raise GatewayError(f"reading from Stripe failed: {describe_error(e)}") from None


def paced(read: Callable[[], T], limiter: TokenBucket | None) -> T:
    """One read taking a token from ``limiter`` per attempt, a 429 retried with backoff.

    Any other Stripe error is raised as is, for the caller to word.
    """

    def attempt() -> T:
        if limiter is not None:
            limiter.acquire()
        return read()

    return RetryPolicy().run(attempt, _rate_limited)


def _call(
    lister: Lister,
    query: dict[str, Any],
    limiter: TokenBucket | None = None,
    budget: _Budget | None = None,
) -> Any:
    if budget is not None:
        budget.spend()
    try:
        return paced(lambda: lister(query), limiter)
    except stripe.StripeError as e:
        raise GatewayError(f"reading from Stripe failed: {describe_error(e)}") from None


def _rate_limited(error: Exception) -> Failure | None:
    """Only 429s are retried here: the SDK already retried everything else it could."""
    if isinstance(error, stripe.RateLimitError):
        return Failure(429, error.headers or {})
    return None
