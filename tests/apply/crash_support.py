"""A catalog change with every kind of write, and an emulator that kills its client mid-run.

`changed_catalog` starts from the example catalog (already applied) and
changes it so the plan replaces prices (create + default move + archive),
replaces a coupon (delete + create) and a promotion code (deactivate +
create), archives a product and its price, and creates a product with a
new meter, a metered price and a new feature to attach.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import stripe

from catalogsync.emulator.inprocess import WsgiApp
from tests.apply.apply_support import example_catalog

# The key `api_base` environments send when no api_key_env is set (gateway.connect).
PLACEHOLDER_KEY = "sk_test_catalogsync_local"

NEW_PRODUCT = """\
kind: Product
key: voice
name: Voice
features: [voice_calls]
default_price: voice_seat_monthly
prices:
  - lookup_key: voice_seat_monthly
    currency: usd
    unit_amount: "29.00"
    recurring: {interval: month}
  - lookup_key: voice_seat_annual
    currency: usd
    unit_amount: "290.00"
    recurring: {interval: year}
  - lookup_key: voice_minutes
    currency: usd
    recurring: {interval: month, usage_type: metered, meter: voice_minutes}
    unit_amount: "0.0125"
---
kind: Meter
event_name: voice_minutes
display_name: Voice minutes
aggregation: sum
---
kind: Feature
lookup_key: voice_calls
name: Voice calls
"""


def changed_catalog(dest: Path) -> Path:
    """The example catalog with the changes listed in the module docstring."""
    catalog = example_catalog(dest)
    _edit(catalog / "products/advanced.yaml", 'unit_amount: "99.00"', 'unit_amount: "109.00"')
    _edit(catalog / "products/advanced.yaml", 'unit_amount: "1020.00"', 'unit_amount: "1080.00"')
    _edit(catalog / "products/essential.yaml", 'unit_amount: "348.00"', 'unit_amount: "360.00"')
    _edit(catalog / "products/expert.yaml", "name: Expert", "name: Expert plan")
    _edit(catalog / "coupons.yaml", "percent_off: 90", "percent_off: 80")
    _edit(catalog / "promotion_codes.yaml", "max_redemptions: 500", "max_redemptions: 600")
    text = (catalog / "products/addons.yaml").read_text()
    (catalog / "products/addons.yaml").write_text(text.split("---")[0])
    (catalog / "products/voice.yaml").write_text(NEW_PRODUCT)
    return catalog


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def write_config(catalog: Path, url: str, *, concurrency: int = 1) -> None:
    (catalog / "catalogsync.yaml").write_text(
        "version: 1\n"
        "environments:\n"
        f"  crash: {{api_base: '{url}', concurrency: {concurrency}, rate_limit: 1000}}\n"
    )


class KillAfter:
    """WSGI middleware: after the k-th write has committed, SIGKILL the client process.

    The response of that write is never sent: the worst moment to die.
    """

    def __init__(self, app: WsgiApp, k: int) -> None:
        self.app = app
        self.k = k
        self.pid: int | None = None
        self.writes = 0
        self.killed = threading.Event()
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        write = environ["REQUEST_METHOD"] in ("POST", "DELETE") and environ["PATH_INFO"].startswith(
            "/v1/"
        )
        with self._lock:  # one request at a time: the k-th write is exactly the k-th
            body = list(self.app(environ, start_response))
            if write:
                self.writes += 1
                if self.writes == self.k and self.pid is not None:
                    os.kill(self.pid, signal.SIGKILL)
                    self.killed.set()
            return body


def active_duplicates(client: stripe.StripeClient) -> list[str]:
    """Identities held by more than one active managed object (should be none)."""
    found: Counter[str] = Counter()
    v1 = client.v1
    listings: dict[str, Any] = {
        "price": v1.prices.list,
        "product": v1.products.list,
        "promotion_code": v1.promotion_codes.list,
        "feature": v1.entitlements.features.list,
        "coupon": v1.coupons.list,
    }
    for kind, lister in listings.items():
        query: dict[str, Any] = {"limit": 100}
        if kind in ("price", "product", "promotion_code"):
            query["active"] = True
        for obj in lister(query).auto_paging_iter():
            data = obj.to_dict()
            metadata = data.get("metadata") or {}
            if metadata.get("catalogsync_managed") == "true" and data.get("active", True):
                found[f"{kind} {metadata.get('catalogsync_key')}"] += 1
    meters = [m.to_dict() for m in v1.billing.meters.list({"limit": 100}).auto_paging_iter()]
    for m in meters:
        if m["status"] == "active":
            found[f"meter {m['event_name']}"] += 1
    return sorted(k for k, n in found.items() if n > 1)
