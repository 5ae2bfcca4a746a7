"""A threaded HTTP/1.1 server for the WSGI app on 127.0.0.1 (keep-alive, dropped connections)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from catalogsync.emulator.errors import DroppedConnection
from catalogsync.emulator.inprocess import WsgiApp, make_environ


def make_server(app: WsgiApp, port: int = 0) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1:port (0 picks a free port); call `serve_forever`."""

    class Handler(_Handler):
        wsgi_app = staticmethod(app)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


@contextmanager
def serve(app: WsgiApp, port: int = 0) -> Iterator[str]:
    """Serve in a background thread; yields the base URL."""
    server = make_server(app, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wsgi_app: staticmethod[..., Iterable[bytes]]

    def setup(self) -> None:
        """Disable Nagle: headers and body are separate writes, and delayed ACKs cost 40 ms."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._run()

    def do_POST(self) -> None:
        self._run()

    def do_DELETE(self) -> None:
        self._run()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: request logs would drown test output."""

    def _run(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        environ = make_environ(self.command, path, query, data, self.headers.items())
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            captured["status"], captured["headers"] = status, headers

        try:
            body = b"".join(self.wsgi_app(environ, start_response))
        except DroppedConnection:
            # The write is committed; the client never hears back.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        code, _, reason = captured["status"].partition(" ")
        # The app dates its API responses by the emulator's clock; `send_response`
        # would add a second Date by the wall clock.
        self.send_response_only(int(code), reason)
        if not any(key.lower() == "date" for key, _ in captured["headers"]):
            self.send_header("Date", self.date_time_string())
        for key, value in captured["headers"]:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
