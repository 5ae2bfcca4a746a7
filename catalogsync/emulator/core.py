"""The `Emulator`: store, clock, faults and WSGI app, reachable in-process or over HTTP."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import stripe

from catalogsync.emulator.app import App
from catalogsync.emulator.clock import Clock
from catalogsync.emulator.faults import FaultInjector, Faults
from catalogsync.emulator.inprocess import InProcessHTTPClient
from catalogsync.emulator.server import serve as serve_in_thread
from catalogsync.emulator.store import Store

LOCAL_BASE = "http://emulator.invalid"


class Emulator:
    """A local, faithful Stripe API for the catalog resources (README "The local Stripe emulator").

    `db` is ":memory:" or a SQLite file path (WAL, shareable between processes).
    """

    def __init__(self, db: str | Path = ":memory:", *, faults: Faults | None = None) -> None:
        self.store = Store(db)
        self.clock = Clock()
        self.faults = faults or Faults()
        self.app = App(self.store, self.clock, FaultInjector(self.faults))

    def http_client(self) -> InProcessHTTPClient:
        """A `stripe.HTTPClient` that calls this emulator in-process."""
        return InProcessHTTPClient(self.app)

    def stripe_client(
        self,
        api_key: str = "sk_test_emulator",
        *,
        stripe_account: str | None = None,
        max_network_retries: int = 0,
    ) -> stripe.StripeClient:
        """A `StripeClient` wired to this emulator through the in-process HTTP client."""
        return stripe.StripeClient(
            api_key,
            stripe_account=stripe_account,
            base_addresses={"api": LOCAL_BASE},
            http_client=self.http_client(),
            max_network_retries=max_network_retries,
        )

    def counters(self) -> Counter[tuple[str, str]]:
        """Requests so far by (method, route template), faulted ones included."""
        return Counter(self.app.counters)

    def reset_counters(self) -> None:
        """Forget the request counts."""
        self.app.reset_counters()

    @contextmanager
    def serve(self, port: int = 0) -> Iterator[str]:
        """Serve over HTTP on 127.0.0.1 in a background thread; yields the base URL."""
        with serve_in_thread(self.app, port) as url:
            yield url

    def close(self) -> None:
        """Close the database."""
        self.store.close()
