"""SQLite storage: one table of JSON objects with indexed columns for the list filters.

Every object belongs to an account and a kind; `seq` (a per-account counter) orders lists
newest first even when `created` is equal, and seeds deterministic ids. One connection is
shared under a lock (requests are short); file databases use WAL so a second process (a test
and a subprocess `apply`) can share the file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    account TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL,
    created INTEGER NOT NULL, active INTEGER, ref TEXT, key TEXT, body TEXT NOT NULL,
    due INTEGER,
    PRIMARY KEY (account, id)
);
CREATE INDEX IF NOT EXISTS objects_list ON objects (account, kind, seq);
CREATE INDEX IF NOT EXISTS objects_ref ON objects (account, kind, ref, seq);
CREATE INDEX IF NOT EXISTS objects_key ON objects (account, kind, key);
-- Lookups by key are ordered by seq: without seq in an index, SQLite walked every object
-- of the kind (objects_list) to find one lookup key, making each price create O(n).
CREATE INDEX IF NOT EXISTS objects_key_seq ON objects (account, kind, key, seq);
-- When the clock next changes an object (a subscription's renewal, a schedule's start):
-- found by range, so advancing time never reads every subscription.
CREATE INDEX IF NOT EXISTS objects_due ON objects (account, kind, due);
CREATE TABLE IF NOT EXISTS counters (account TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    account TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL, body TEXT NOT NULL, created INTEGER NOT NULL,
    claimed_at REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (account, key)
);
"""

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
Json = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """A stored object: its body plus the columns lists filter on."""

    id: str
    seq: int
    body: Json


@dataclass(frozen=True)
class Remembered:
    """An idempotency key's request: its parameters' hash, then its response.

    ``status`` 0 means the request is still executing (its key is in flight)
    since ``claimed_at`` (wall-clock seconds; 0 once it has finished).
    """

    fingerprint: str
    status: int
    body: str
    created: int
    claimed_at: float


@dataclass(frozen=True)
class Page:
    """One page of a list, newest first."""

    rows: list[Row]
    has_more: bool


class Store:
    """Thread-safe SQLite object store (`:memory:` or a file path)."""

    def __init__(self, db: str | Path = ":memory:") -> None:
        self._lock = threading.RLock()
        path = str(db)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA busy_timeout = 10000")
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
        self._add_due()
        self._conn.executescript(_SCHEMA)
        self._add_claimed_at()

    def _add_due(self) -> None:
        """Give a file made before the clock-driven objects had a `due` column its column."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(objects)")}
        if columns and "due" not in columns:
            try:
                self._conn.execute("ALTER TABLE objects ADD COLUMN due INTEGER")
            except sqlite3.OperationalError as e:  # another process added it just now
                if "duplicate column" not in str(e):
                    raise

    def _add_claimed_at(self) -> None:
        """Give a file made before in-flight keys had a lease its column.

        Its old in-flight rows read as claimed at 0: long expired, so free.
        """
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(idempotency)")}
        if "claimed_at" not in columns:
            try:
                self._conn.execute(
                    "ALTER TABLE idempotency ADD COLUMN claimed_at REAL NOT NULL DEFAULT 0"
                )
            except sqlite3.OperationalError as e:  # another process added it just now
                if "duplicate column" not in str(e):
                    raise

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Run a block atomically: committed on success, rolled back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


class Tx:
    """Operations inside one transaction, scoped by account where relevant."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def next_id(self, account: str, kind: str, prefix: str) -> tuple[str, int]:
        """A deterministic id and sequence number: the n-th object of this account."""
        cur = self._conn.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT(account) DO UPDATE SET n = n + 1 "
            "RETURNING n",
            (account,),
        )
        seq = int(cur.fetchone()[0])
        digest = hashlib.sha256(f"{account}/{kind}/{seq}".encode()).digest()
        number = int.from_bytes(digest[:18], "big")
        chars = []
        for _ in range(24):
            number, rem = divmod(number, 62)
            chars.append(_ALPHABET[rem])
        return prefix + "".join(chars), seq

    def next_seq(self, account: str) -> int:
        """A sequence number for an object with a caller-chosen id."""
        cur = self._conn.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT(account) DO UPDATE SET n = n + 1 "
            "RETURNING n",
            (account,),
        )
        return int(cur.fetchone()[0])

    def put(
        self,
        account: str,
        kind: str,
        body: Json,
        *,
        seq: int | None = None,
        ref: str | None = None,
        key: str | None = None,
        active: bool | None = None,
        created: int | None = None,
        due: int | None = None,
    ) -> None:
        """Insert an object, or replace its body and columns (keeping its `seq` and `created`).

        `created` defaults to the body's own; kinds without one (features) pass it. `due` is
        when the clock next changes the object (None: never by itself).
        """
        text = json.dumps(body, separators=(",", ":"))
        flag = None if active is None else int(active)
        updated = self._conn.execute(
            "UPDATE objects SET body = ?, active = ?, ref = ?, key = ?, due = ? "
            "WHERE account = ? AND id = ? AND kind = ?",
            (text, flag, ref, key, due, account, body["id"], kind),
        )
        if updated.rowcount:
            return
        self._conn.execute(
            "INSERT INTO objects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account,
                kind,
                body["id"],
                seq if seq is not None else self.next_seq(account),
                int(created if created is not None else body.get("created") or 0),
                flag,
                ref,
                key,
                text,
                due,
            ),
        )

    def get(self, account: str, kind: str, object_id: str) -> Json | None:
        """One object, or None."""
        found = self._conn.execute(
            "SELECT body FROM objects WHERE account = ? AND kind = ? AND id = ?",
            (account, kind, object_id),
        ).fetchone()
        return json.loads(found[0]) if found else None

    def get_any(self, account: str, object_id: str) -> tuple[str, Json] | None:
        """An object of any kind by id (for expansion), with its kind."""
        found = self._conn.execute(
            "SELECT kind, body FROM objects WHERE account = ? AND id = ?", (account, object_id)
        ).fetchone()
        return (str(found[0]), json.loads(found[1])) if found else None

    def delete(self, account: str, kind: str, object_id: str) -> None:
        """Remove an object."""
        self._conn.execute(
            "DELETE FROM objects WHERE account = ? AND kind = ? AND id = ?",
            (account, kind, object_id),
        )

    def find(
        self, account: str, kind: str, where: Sequence[tuple[str, Any]] = (), limit: int = 1000
    ) -> list[Json]:
        """Objects matching SQL conditions over the indexed columns, newest first."""
        sql, args = _where(account, kind, where)
        rows = self._conn.execute(
            f"SELECT body FROM objects WHERE {sql} ORDER BY seq DESC LIMIT ?", (*args, limit)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def due(self, account: str, kind: str, now: int) -> list[tuple[int, Json]]:
        """Objects the clock has changed by ``now`` (their `due` has come), with their `due`."""
        rows = self._conn.execute(
            "SELECT due, body FROM objects WHERE account = ? AND kind = ? AND due <= ? "
            "ORDER BY due, seq",
            (account, kind, now),
        ).fetchall()
        return [(int(r[0]), json.loads(r[1])) for r in rows]

    def count(self, account: str, kind: str, where: Sequence[tuple[str, Any]] = ()) -> int:
        """How many objects match."""
        sql, args = _where(account, kind, where)
        return int(
            self._conn.execute(f"SELECT count(*) FROM objects WHERE {sql}", args).fetchone()[0]
        )

    def page(
        self,
        account: str,
        kind: str,
        where: Sequence[tuple[str, Any]],
        *,
        limit: int,
        starting_after: int | None = None,
        ending_before: int | None = None,
    ) -> Page:
        """A page newest first; the cursors are the `seq` of the boundary objects."""
        conditions = list(where)
        order = "DESC"
        if starting_after is not None:
            conditions.append(("seq < ?", starting_after))
        elif ending_before is not None:
            conditions.append(("seq > ?", ending_before))
            order = "ASC"
        sql, args = _where(account, kind, conditions)
        found = self._conn.execute(
            f"SELECT id, seq, body FROM objects WHERE {sql} ORDER BY seq {order} LIMIT ?",
            (*args, limit + 1),
        ).fetchall()
        rows = [Row(r[0], int(r[1]), json.loads(r[2])) for r in found[:limit]]
        if order == "ASC":
            rows.reverse()
        return Page(rows, len(found) > limit)

    def seq_of(self, account: str, kind: str, object_id: str) -> int | None:
        """The sequence number of an object (a list cursor)."""
        found = self._conn.execute(
            "SELECT seq FROM objects WHERE account = ? AND kind = ? AND id = ?",
            (account, kind, object_id),
        ).fetchone()
        return int(found[0]) if found else None

    def idempotent(self, account: str, key: str) -> Remembered | None:
        """What is stored for an idempotency key."""
        found = self._conn.execute(
            "SELECT fingerprint, status, body, created, claimed_at FROM idempotency "
            "WHERE account = ? AND key = ?",
            (account, key),
        ).fetchone()
        return (
            Remembered(str(found[0]), int(found[1]), str(found[2]), int(found[3]), float(found[4]))
            if found
            else None
        )

    def forget(self, account: str, key: str) -> None:
        """Drop an idempotency key (its request did not execute)."""
        self._conn.execute("DELETE FROM idempotency WHERE account = ? AND key = ?", (account, key))

    def remember(
        self,
        account: str,
        key: str,
        *,
        fingerprint: str,
        status: int,
        body: str,
        now: int,
        claimed_at: float = 0.0,
    ) -> None:
        """Store a response for replay, or (status 0) a request in flight since ``claimed_at``."""
        self._conn.execute(
            "INSERT OR REPLACE INTO idempotency "
            "(account, key, fingerprint, status, body, created, claimed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (account, key, fingerprint, status, body, now, claimed_at),
        )


def _where(account: str, kind: str, where: Sequence[tuple[str, Any]]) -> tuple[str, list[Any]]:
    sql = ["account = ?", "kind = ?"]
    args: list[Any] = [account, kind]
    for condition, value in where:
        sql.append(condition)
        if isinstance(value, tuple):
            args.extend(value)
        elif "?" in condition:
            args.append(value)
    return " AND ".join(sql), args
