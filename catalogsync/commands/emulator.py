"""`catalogsync emulator serve`: the local Stripe-compatible server on 127.0.0.1."""

from __future__ import annotations

import errno
from http.server import ThreadingHTTPServer
from pathlib import Path

import click

from catalogsync.emulator import Emulator, Faults
from catalogsync.emulator.server import make_server
from catalogsync.errors import ConfigError


@click.group("emulator")
def emulator() -> None:
    """The embedded Stripe emulator."""


@emulator.command("serve")
@click.option("--port", type=int, default=12111, show_default=True, help="0 picks a free port.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file (default: in memory, lost on exit).",
)
@click.option("--latency", type=float, default=0.0, help="Added latency per request, in ms.")
@click.option("--rate-limit", type=float, default=None, help="Requests per second before 429s.")
@click.option("--fail-rate", type=float, default=0.0, help="Probability of a 500 response.")
@click.option(
    "--drop-rate",
    type=float,
    default=0.0,
    help="Probability of dropping the connection after a write committed.",
)
@click.option("--seed", type=int, default=None, help="Seed for the fault draws.")
def serve(
    *,
    port: int,
    db: Path | None,
    latency: float,
    rate_limit: float | None,
    fail_rate: float,
    drop_rate: float,
    seed: int | None,
) -> None:
    """Serve the emulator until Ctrl-C; prints the base URL first."""
    faults = Faults(
        latency_ms=latency,
        rate_limit=rate_limit,
        fail_rate=fail_rate,
        drop_rate=drop_rate,
        seed=seed,
    )
    emu = Emulator(db if db is not None else ":memory:", faults=faults)
    try:
        server = _bind(emu, port)
    except BaseException:
        emu.close()
        raise
    click.echo(f"http://127.0.0.1:{server.server_address[1]}", nl=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        emu.close()


def _bind(emu: Emulator, port: int) -> ThreadingHTTPServer:
    """The server on 127.0.0.1:port, or a `ConfigError` saying why the port cannot be used."""
    try:
        return make_server(emu.app, port)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            reason = "is already in use (another emulator or server is listening there)"
        elif e.errno == errno.EACCES:
            reason = "needs privileges this user does not have"
        else:
            reason = f"cannot be used: {e.strerror or e}"
        raise ConfigError(
            f"port {port} on 127.0.0.1 {reason}; choose another with --port (0 picks a free port)"
        ) from None
