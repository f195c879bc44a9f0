"""SQLite storage shared by the mock agencies: the records they hold, their reference counters,
and the work they promised to do later.

Every submission is keyed by (agency, idempotency key). A key seen before returns the answer
given the first time, so a client that retries after a lost answer never makes a second
record. Storage is a file, so the records survive a restart of the mocks, and so does the
later work a slow agency's answer promised (a decision, a callback): it is a row written in
the same transaction as the record, which any mocks process on the file may claim when due
(see mocks/kit/later.py).
"""

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from mocks.kit.promises import Promise, Promises, insert_promise

# How long a writer waits for another process's transaction before giving up (milliseconds).
_BUSY_TIMEOUT_MS = 5_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    received TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (agency, idempotency_key)
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS later (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    action TEXT NOT NULL,
    due REAL NOT NULL,
    callback_id TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'claimed', 'done')),
    claim TEXT,
    claimed_until REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    created REAL NOT NULL,
    UNIQUE (agency, idempotency_key, action)
);
CREATE INDEX IF NOT EXISTS later_due ON later (state, due);
"""

# A record by a top-level field of its answer, or of its request.
_FIND = (
    "SELECT idempotency_key, received, status, answer, recorded_at FROM records WHERE agency = ?"
)
_FIND_BY = {
    "answer": _FIND + " AND json_extract(answer, ?) = ? ORDER BY id LIMIT 1",
    "received": _FIND + " AND json_extract(received, ?) = ? ORDER BY id LIMIT 1",
}


NextNumber = Callable[[str], int]
"""Draws the next value (1, 2, 3 ...) of a named counter, inside the recording transaction."""

Issue = Callable[[NextNumber], tuple[int, dict[str, Any]]]
"""Makes the answer to a new submission: its HTTP status and body."""


@dataclass(frozen=True)
class Record:
    """One submission an agency holds, and the answer it gave."""

    idempotency_key: str
    received: dict[str, Any]
    status: int
    answer: dict[str, Any]
    recorded_at: str


class Store:
    """The agencies' records in one SQLite file (WAL mode), safe under concurrent requests."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the database file and its tables."""
        self._path = path
        # One writer at a time inside this process; BEGIN IMMEDIATE covers other processes.
        self.lock = threading.Lock()
        self._kept = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = self.connection()
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        self.promises = Promises(self.connection, self.lock)
        """The work the agencies' answers promised to do later."""

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use and kept: opening one costs more
        than the statement it is for, and asyncio.to_thread's threads live as long as the
        process. A connection never leaves its thread (sqlite3 checks that)."""
        connection: sqlite3.Connection | None = getattr(self._kept, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            # WAL with normal sync survives a crash of the mocks (as the drills make), though
            # not a power cut: a mock agency's records need no more, and no fsync per record.
            connection.execute("PRAGMA synchronous=NORMAL")
            self._kept.connection = connection
        return connection

    async def record_once(
        self,
        agency: str,
        idempotency_key: str,
        received: dict[str, Any],
        issue: Issue,
        promise: Promise | None = None,
    ) -> Record:
        """The record for this key: the one stored already, or a new one answered by `issue`,
        with the later work `promise` names for it, in the same transaction."""
        return await asyncio.to_thread(
            self._record_once, agency, idempotency_key, received, issue, promise
        )

    def _record_once(
        self,
        agency: str,
        idempotency_key: str,
        received: dict[str, Any],
        issue: Issue,
        promise: Promise | None,
    ) -> Record:
        with self.lock:
            connection = self.connection()
            # The look-up, the counters and the insert are one transaction, so two requests
            # with the same key can never both find nothing and both insert.
            connection.execute("BEGIN IMMEDIATE")
            try:
                existing = self._find(connection, agency, idempotency_key)
                if existing is not None:
                    connection.execute("COMMIT")
                    return existing
                status, answer = issue(lambda name: self._next_number(connection, name))
                recorded_at = datetime.now(UTC).isoformat()
                connection.execute(
                    "INSERT INTO records (agency, idempotency_key, received, status, answer,"
                    " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        agency,
                        idempotency_key,
                        _dumps(received),
                        status,
                        _dumps(answer),
                        recorded_at,
                    ),
                )
                later = promise(status, answer) if promise else None
                if later is not None:
                    insert_promise(connection, agency, idempotency_key, later)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return Record(idempotency_key, received, status, answer, recorded_at)

    @staticmethod
    def _find(connection: sqlite3.Connection, agency: str, idempotency_key: str) -> Record | None:
        row = connection.execute(
            "SELECT idempotency_key, received, status, answer, recorded_at FROM records"
            " WHERE agency = ? AND idempotency_key = ?",
            (agency, idempotency_key),
        ).fetchone()
        return None if row is None else _record(row)

    @staticmethod
    def _next_number(connection: sqlite3.Connection, name: str) -> int:
        row = connection.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1)"
            " ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            (name,),
        ).fetchone()
        return int(row[0])

    async def hold(self, agency: str, key: str, record: dict[str, Any]) -> Record:
        """Hold `record` under `key`, replacing what was held there: how a register is seeded.

        Unlike a submission, the same key with other data is an update, not a conflict.
        """
        return await asyncio.to_thread(self._hold, agency, key, record)

    def _hold(self, agency: str, key: str, record: dict[str, Any]) -> Record:
        recorded_at = datetime.now(UTC).isoformat()
        with self.lock:
            connection = self.connection()
            # One statement, so atomic without an explicit transaction.
            connection.execute(
                "INSERT INTO records (agency, idempotency_key, received, status, answer,"
                " recorded_at) VALUES (?, ?, ?, 200, ?, ?)"
                " ON CONFLICT (agency, idempotency_key) DO UPDATE SET received = excluded.received,"
                " answer = excluded.answer, recorded_at = excluded.recorded_at",
                (agency, key, _dumps(record), _dumps(record), recorded_at),
            )
        return Record(key, record, 200, record, recorded_at)

    async def held(self, agency: str, key: str) -> Record | None:
        """The record held under `key` (a submission's idempotency key, a register's key)."""
        return await asyncio.to_thread(self._held, agency, key)

    def _held(self, agency: str, key: str) -> Record | None:
        return self._find(self.connection(), agency, key)

    async def record_answered(self, agency: str, field: str, value: str) -> Record | None:
        """The agency's record whose answer gave `value` as its top-level `field` (the first,
        if several did), or None: how a register finds what it issued, such as a number."""
        return await asyncio.to_thread(self._record_with, agency, "answer", field, value)

    async def record_received(self, agency: str, field: str, value: str) -> Record | None:
        """The agency's record whose request held `value` as its top-level `field` (the first,
        if several did), or None: how a compensation finds an earlier call for a reference."""
        return await asyncio.to_thread(self._record_with, agency, "received", field, value)

    def _record_with(
        self, agency: str, column: Literal["answer", "received"], field: str, value: str
    ) -> Record | None:
        row = (
            self.connection()
            .execute(
                _FIND_BY[column],
                # A quoted JSON path member, so a field name is never read as path syntax.
                (agency, f'$."{field}"', value),
            )
            .fetchone()
        )
        return None if row is None else _record(row)

    async def records(self, agency: str) -> list[Record]:
        """Everything the agency holds, oldest first."""
        return await asyncio.to_thread(self._records, agency)

    def _records(self, agency: str) -> list[Record]:
        rows = (
            self.connection()
            .execute(
                "SELECT idempotency_key, received, status, answer, recorded_at FROM records"
                " WHERE agency = ? ORDER BY id",
                (agency,),
            )
            .fetchall()
        )
        return [_record(row) for row in rows]


def _dumps(value: dict[str, Any]) -> str:
    # Macrons are stored as themselves, not as \u escapes.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _record(row: tuple[Any, ...]) -> Record:
    key, received, status, answer, recorded_at = row
    return Record(key, json.loads(received), status, json.loads(answer), recorded_at)
