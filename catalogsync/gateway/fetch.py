"""Raw reads: every page of a Stripe list, several lists at once.

Lists ask for 100 objects a page (Stripe's maximum) and page with
``starting_after``, so reading a kind costs ⌈objects/100⌉ requests (one when
it fits a page). Objects come back as plain dicts (`to_dict`), which the
converters turn into the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import stripe

from catalogsync.errors import GatewayError

PAGE_SIZE = 100

# A list method of a stripe service: called with the params dict, returns a ListObject.
Lister = Callable[..., Any]
Json = dict[str, Any]


def list_all(lister: Lister, params: Mapping[str, Any] | None = None) -> list[Json]:
    """Every object of a list, page by page."""
    out: list[Json] = []
    query: dict[str, Any] = {"limit": PAGE_SIZE, **(params or {})}
    while True:
        page = _call(lister, query)
        data = [obj.to_dict() for obj in page.data]
        out.extend(data)
        if not page.has_more or not data:
            return out
        query = {**query, "starting_after": data[-1]["id"]}


def count_all(lister: Lister, params: Mapping[str, Any]) -> int:
    """How many objects a list holds (pages through it; ids only matter)."""
    return len(list_all(lister, params))


def run_all(tasks: Mapping[str, Callable[[], Any]], concurrency: int) -> dict[str, Any]:
    """Run named reads concurrently; the first failure is raised."""
    if not tasks:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(tasks)))) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}


def _call(lister: Lister, query: dict[str, Any]) -> Any:
    try:
        return lister(query)
    except stripe.StripeError as e:
        raise GatewayError(f"reading from Stripe failed: {e.user_message or e}") from None
