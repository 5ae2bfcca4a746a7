"""Build a remote state from a case's seed.yaml through the real stripe SDK.

Each step is ``{call: prices.create, params: {...}}``, run as
``client.v1.prices.create(params)``; ``id: X`` passes X first (``products.update``);
``as: name`` remembers the created object so a later string ``${name}`` means its id.
``{emulator: /_emulator/…, params: {...}}`` posts to an emulator control through the
same SDK (to put a subscription in ``past_due`` as failed payments would).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import stripe
import yaml

_REF = re.compile(r"\$\{(\w+)\}")


def run_seed(client: stripe.StripeClient, path: Path) -> None:
    steps = yaml.safe_load(path.read_text()) if path.exists() else None
    saved: dict[str, str] = {}
    for step in steps or []:
        if "emulator" in step:
            target = _resolve(step["emulator"], saved)
            client.raw_request("post", target, **_resolve(step.get("params", {}), saved))
            continue
        method: Any = client.v1
        for name in step["call"].split("."):
            method = getattr(method, name)
        args = [_resolve(step["id"], saved)] if "id" in step else []
        result = method(*args, _resolve(step.get("params", {}), saved))
        if "as" in step:
            saved[step["as"]] = result.id


def _resolve(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str) and (ref := _REF.fullmatch(value)):
        return saved[ref.group(1)]
    if isinstance(value, str):
        return _REF.sub(lambda m: saved[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _resolve(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, saved) for v in value]
    return value
