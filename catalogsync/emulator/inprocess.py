"""A `stripe.HTTPClient` that hands requests to the emulator's WSGI app: no sockets.

The SDK keeps its whole path (parameter encoding, headers, idempotency keys, retries,
error parsing); only the transport is replaced.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

import stripe

from catalogsync.emulator.errors import DroppedConnection

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Headers(dict[str, str]):
    """Case-insensitive response headers, as the SDK expects from `requests`."""

    def __init__(self, items: list[tuple[str, str]]) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


def make_environ(
    method: str, path: str, query: str, data: bytes, headers: Iterable[tuple[str, str]]
) -> dict[str, Any]:
    """A WSGI environ for one request (shared by this client and the HTTP server)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method.upper(),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(data)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
    }
    for key, value in headers:
        environ["HTTP_" + key.upper().replace("-", "_")] = value
    return environ


class InProcessHTTPClient(stripe.HTTPClient):
    """Calls a WSGI application directly; a dropped connection becomes `APIConnectionError`."""

    name = "catalogsync-emulator"

    def __init__(self, app: WsgiApp) -> None:
        super().__init__()
        self._app = app

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        """Run one request through the app."""
        parts = urlsplit(url)
        data = post_data.encode() if isinstance(post_data, str) else (post_data or b"")
        environ = make_environ(method, parts.path, parts.query, data, (headers or {}).items())
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            captured["status"] = int(status.split(maxsplit=1)[0])
            captured["headers"] = response_headers

        try:
            body = b"".join(self._app(environ, start_response))
        except DroppedConnection as e:
            # What the requests-based client raises when the server closes the socket.
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                "Unexpected error communicating with Stripe.\n\n"
                f"(Network error: ConnectionError: connection dropped after {e})",
                should_retry=True,
            ) from e
        return body.decode(), captured["status"], _Headers(captured["headers"])

    def request_stream(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[Any, int, Mapping[str, str]]:
        """Streaming is not used by the catalog endpoints; answer with a byte stream anyway."""
        body, status, response_headers = self.request(method, url, headers, post_data)
        return io.BytesIO(body.encode()), status, response_headers

    def close(self) -> None:
        """Nothing to close."""
