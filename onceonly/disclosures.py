"""The disclosure log: which agency received which of a citizen's fields, when, and under which
consent receipt or statute, for the citizen to read (as Estonia's Data Tracker shows its
citizens who looked at their data).

Complete by construction: the agency submission activity writes the entry after the agency
accepted and before it answers the workflow, in the same activity. If the write fails, the
activity fails and Temporal retries it; the agency answers the repeated idempotency key with
its first answer, and the log keeps one entry per idempotency key, so a retry adds nothing.
Entries name fields by their canonical paths, never their values.

`SqliteDisclosureLog` keeps the log in one SQLite file that the worker and the API on one
machine share, as `onceonly up` runs them. A cluster's workers and APIs on many machines need
one database they all reach: there a PostgreSQL implementation of the `DisclosureLog`
protocol (the same table, `INSERT ... ON CONFLICT (idempotency_key) DO NOTHING`) replaces
it. That implementation is not built yet.
"""

import asyncio
import fcntl
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from onceonly.domain.catalogue import LegalBasis
from onceonly.settings import Settings

# How long a writer waits for the other process's transaction (the worker and the API share
# the file) before giving up, in milliseconds.
_BUSY_TIMEOUT_MS = 5_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS disclosures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    citizen_key TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    step_id TEXT NOT NULL,
    agency TEXT NOT NULL,
    service TEXT NOT NULL,
    fields TEXT NOT NULL,
    legal_basis_kind TEXT NOT NULL,
    legal_basis_reference TEXT NOT NULL,
    receipt_id TEXT,
    agency_reference TEXT NOT NULL,
    disclosed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS disclosures_by_citizen ON disclosures (citizen_key, disclosed_at);
"""
_COLUMNS = (
    "idempotency_key, citizen_key, event_id, event_type, step_id, agency, service, fields,"
    " legal_basis_kind, legal_basis_reference, receipt_id, agency_reference, disclosed_at"
)
_PLACEHOLDERS = ", ".join("?" for _ in _COLUMNS.split(","))
# One statement, so atomic on its own: of two writers with the same key, one inserts and the
# other changes nothing. (Built from constants only, never from input.)
_INSERT = (
    f"INSERT INTO disclosures ({_COLUMNS}) VALUES ({_PLACEHOLDERS})"  # noqa: S608
    " ON CONFLICT (idempotency_key) DO NOTHING"
)
_SELECT = (
    f"SELECT {_COLUMNS} FROM disclosures"  # noqa: S608
    " WHERE citizen_key = ? AND (? IS NULL OR event_id = ?)"
    " ORDER BY disclosed_at DESC, id DESC LIMIT ?"
)


class DisclosureEntry(BaseModel):
    """One disclosure: the fields (never their values) one step sent one agency, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citizen_key: str = Field(description="Pseudonymous key of the citizen whose data it was.")
    event_id: str
    event_type: str
    step_id: str
    agency: str = Field(description="The agency's id in the catalogue.")
    service: str = Field(description="The agency's service the step used.")
    fields: tuple[str, ...] = Field(description="Canonical dotted paths of the fields sent.")
    legal_basis: LegalBasis
    receipt_id: str | None = Field(
        description="The consent receipt of the decision that let the step go, if it has one."
    )
    agency_reference: str = Field(description="The agency's own reference for what it received.")
    disclosed_at: AwareDatetime = Field(description="When the agency accepted, in UTC.")
    idempotency_key: str = Field(description="The step's key at its agency: one entry per key.")

    @field_validator("disclosed_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class DisclosureLog(Protocol):
    """Where disclosures are kept: the submission activity records, the citizen API reads."""

    async def record(self, entry: DisclosureEntry) -> bool:
        """Keep `entry`, unless one with its idempotency key is kept already (then nothing
        changes); True when it was new."""
        ...

    async def for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None = None
    ) -> list[DisclosureEntry]:
        """The citizen's entries, of one event when `event_id` is given: newest first, at most
        `limit`."""
        ...


class SqliteDisclosureLog:
    """The disclosure log in one SQLite file (WAL mode), created on the first write; safe for
    several threads and for the processes on one machine that share the file."""

    def __init__(self, path: Path) -> None:
        """A log kept at `path`; nothing is opened or created until it is used."""
        self._path = path
        self._lock = threading.Lock()
        self._created = False
        self._kept = threading.local()
        self._writing = threading.Lock()

    async def record(self, entry: DisclosureEntry) -> bool:
        """Keep `entry` unless its idempotency key has an entry already; True when it was new."""
        return await asyncio.to_thread(self._record, entry)

    async def for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None = None
    ) -> list[DisclosureEntry]:
        """The citizen's entries (of one event, if given), newest first, at most `limit`."""
        return await asyncio.to_thread(self._for_citizen, citizen_key, limit, event_id)

    def _record(self, entry: DisclosureEntry) -> bool:
        connection = self._connection()
        # One writer at a time in this process: two would meet on SQLite's write lock, and
        # its busy handler sleeps milliseconds where waiting here takes microseconds.
        with self._writing:
            return connection.execute(_INSERT, _row(entry)).rowcount == 1

    def _for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None
    ) -> list[DisclosureEntry]:
        if not self._path.exists():
            return []  # nothing was ever disclosed; reading creates nothing
        rows = self._connection().execute(_SELECT, (citizen_key, event_id, event_id, limit))
        return [_entry(row) for row in rows]

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use and kept: opening one costs more
        than the insert it is for, and asyncio.to_thread's threads live as long as the process.
        A connection never leaves its thread (sqlite3 checks that)."""
        connection: sqlite3.Connection | None = getattr(self._kept, "connection", None)
        if connection is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each statement is its own transaction.
            connection = sqlite3.connect(self._path, isolation_level=None)
            connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            # An entry the activity reported written must survive a power cut.
            connection.execute("PRAGMA synchronous=FULL")
            self._create_once(connection)
            self._kept.connection = connection
        return connection

    def _create_once(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            if self._created:
                return
            # Switching to WAL takes the file's exclusive lock and does not wait for it, so two
            # processes creating the file at once would see "database is locked": a lock file
            # beside the database lets one create while the other waits.
            with _held(self._path.with_name(self._path.name + ".lock")):
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
            self._created = True


@contextmanager
def _held(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_disclosure_log(settings: Settings) -> DisclosureLog:
    """The log at `settings.disclosure_log_file`, which the worker and the API share."""
    return SqliteDisclosureLog(settings.disclosure_log_file)


def _row(entry: DisclosureEntry) -> tuple[Any, ...]:
    return (
        entry.idempotency_key,
        entry.citizen_key,
        entry.event_id,
        entry.event_type,
        entry.step_id,
        entry.agency,
        entry.service,
        json.dumps(list(entry.fields)),
        entry.legal_basis.kind,
        entry.legal_basis.reference,
        entry.receipt_id,
        entry.agency_reference,
        # Fixed width (always microseconds, always +00:00), so text order is time order.
        entry.disclosed_at.isoformat(timespec="microseconds"),
    )


def _entry(row: tuple[Any, ...]) -> DisclosureEntry:
    (key, citizen, event_id, event_type, step_id, agency, service, fields, kind, reference,
     receipt_id, agency_reference, disclosed_at) = row  # fmt: skip
    return DisclosureEntry(
        idempotency_key=key,
        citizen_key=citizen,
        event_id=event_id,
        event_type=event_type,
        step_id=step_id,
        agency=agency,
        service=service,
        fields=tuple(json.loads(fields)),
        legal_basis=LegalBasis(kind=kind, reference=reference),
        receipt_id=receipt_id,
        agency_reference=agency_reference,
        disclosed_at=datetime.fromisoformat(disclosed_at),
    )
