"""What a handler's result becomes on the wire: a status, a JSON body and extra headers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Response:
    """A status, a JSON-able body and extra headers."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        self.headers = dict(headers or {})
