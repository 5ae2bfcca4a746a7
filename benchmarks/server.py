"""The emulator served over HTTP from its own process, and a client for its control endpoints.

A separate process keeps the server's CPU out of the measured client's CPU time and GIL.
"""

from __future__ import annotations

import json
import multiprocessing
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode


def _serve(db: str, conn: Connection) -> None:
    from catalogsync.emulator import Emulator

    emulator = Emulator(db)
    try:
        with emulator.serve() as url:
            conn.send(url)
            conn.recv()  # any message (or the parent closing the pipe) stops the server
    except EOFError:
        pass
    finally:
        emulator.close()


@contextmanager
def served(db: Path) -> Iterator[Control]:
    """Serve the emulator database `db` from a child process; yields its control client."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(str(db), child), daemon=True)
    process.start()
    try:
        if not parent.poll(60):
            raise RuntimeError("the emulator process did not start")
        yield Control(str(parent.recv()))
    finally:
        parent.send("stop")
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join()


class Control:
    """The `/_emulator/` endpoints of a served emulator: faults and request counts."""

    def __init__(self, url: str) -> None:
        self.url = url

    def set_faults(self, **values: float | None) -> None:
        """Set fault values (None turns a setting off)."""
        body = {k: "none" if v is None else str(v) for k, v in values.items()}
        self._call("POST", "/_emulator/faults", body)

    def counters(self) -> dict[str, int]:
        """Requests since the last reset, by "METHOD /route/template"."""
        data = self._call("GET", "/_emulator/requests")
        return {f"{r['method']} {r['path']}": int(r["count"]) for r in data["requests"]}

    def reset_counters(self) -> None:
        """Forget the request counts."""
        self._call("POST", "/_emulator/requests/reset")

    def _call(self, method: str, path: str, body: Mapping[str, str] | None = None) -> Any:
        data = urlencode(body).encode() if body is not None else b"" if method == "POST" else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
