"""The embedded store: one SQLite file (WAL mode) in the state dir, which the worker and the
API that `onceonly up` runs on one machine share. It applies its own migrations when first
opened; it is for one machine only (a cluster sets ONCEONLY_DATABASE_URL instead).
"""

import asyncio
import fcntl
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onceonly.disclosures import COLUMNS, FIRST_COLUMNS, DisclosureEntry, entry_row, row_entry
from onceonly.parties import MAX_JOINED, JoinedParty
from onceonly.store.fingerprints import FingerprintClaim
from onceonly.store.migrations import CREATE_LEDGER, pending
from onceonly.usage import COLUMNS as USAGE_COLUMNS
from onceonly.usage import UsageEntry, UsageRecord, row_usage, usage_row

# How long a writer waits for another process's transaction (the worker and the API share
# the file) before giving up, in milliseconds.
_BUSY_TIMEOUT_MS = 5_000
_PLACEHOLDERS = ", ".join("?" for _ in COLUMNS.split(","))
# One statement, so atomic on its own: of two writers with the same key, one inserts and the
# other changes nothing. (Built from constants only, never from input.)
_INSERT_DISCLOSURE = (
    f"INSERT INTO disclosures ({COLUMNS}) VALUES ({_PLACEHOLDERS})"  # noqa: S608
    " ON CONFLICT (idempotency_key) DO NOTHING"
)
# Inserts, or "updates" the row to itself so that RETURNING answers with the claim standing.
_CLAIM_FINGERPRINT = (
    "INSERT INTO event_fingerprints VALUES (?, ?, ?)"
    " ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = excluded.fingerprint"
    " RETURNING event_id, claimed_at"
)
_SELECT_DISCLOSURES = (
    f"SELECT {COLUMNS} FROM disclosures"  # noqa: S608
    " WHERE citizen_key = ? AND (? IS NULL OR event_id = ?)"
    " ORDER BY disclosed_at DESC, id DESC LIMIT ?"
)
_INSERT_USAGE = (
    f"INSERT INTO agency_usage ({USAGE_COLUMNS})"  # noqa: S608
    f" VALUES ({', '.join('?' for _ in USAGE_COLUMNS.split(','))})"
    " ON CONFLICT (key) DO NOTHING"
)
# Row values: every entry of each step that has one in the period (and at the agency).
_SELECT_USAGE = (
    f"SELECT {USAGE_COLUMNS} FROM agency_usage WHERE (event_id, step_id) IN"  # noqa: S608
    " (SELECT event_id, step_id FROM agency_usage"
    "  WHERE at >= ? AND at < ? AND (? IS NULL OR agency = ?))"
    " ORDER BY at, id"
)


class SqliteDatabase:
    """One SQLite file, a connection per thread, its schema brought up to date on first use."""

    def __init__(self, path: Path) -> None:
        """The database at `path`; nothing is opened or created until it is used."""
        self.path = path
        self._migrated = False
        self._migrating = threading.Lock()
        self._kept = threading.local()
        # One writer at a time in this process: two would meet on SQLite's write lock, and
        # its busy handler sleeps milliseconds where waiting here takes microseconds.
        self.writing = threading.Lock()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use and kept: opening one costs more
        than the statement it is for, and asyncio.to_thread's threads live as long as the
        process. A connection never leaves its thread (sqlite3 checks that)."""
        connection: sqlite3.Connection | None = getattr(self._kept, "connection", None)
        if connection is None:
            connection = self._open()
            with self._migrating:
                if not self._migrated:
                    self._apply(connection)
            self._kept.connection = connection
        return connection

    def migrate(self) -> list[int]:
        """Apply the migrations the file lacks (`onceonly up` and `setup` do, first); the
        versions applied now."""
        with closing(self._open()) as connection, self._migrating:
            return self._apply(connection)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each statement is its own transaction unless BEGIN says otherwise.
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        # An entry the activity reported written must survive a power cut.
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    def _apply(self, connection: sqlite3.Connection) -> list[int]:
        # Switching to WAL takes the file's exclusive lock and does not wait for it, so two
        # processes creating the file at once would see "database is locked": a lock file
        # beside the database lets one migrate while the other waits.
        with _held(self.path.with_name(self.path.name + ".lock")):
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(CREATE_LEDGER)
            applied = {
                row[0] for row in connection.execute("SELECT version FROM schema_migrations")
            }
            done = []
            for migration in pending(applied):
                connection.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(migration.sqlite):
                        connection.execute(statement)
                    connection.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        (migration.version, migration.name, datetime.now(UTC).isoformat()),
                    )
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                done.append(migration.version)
        self._migrated = True
        return done

    def adopt_disclosures(self, older: Path) -> int:
        """Copy in the disclosure log an older version kept in a file of its own (the same
        table, without the later staff views' column), so upgrading loses no citizen's log;
        entries already here are kept. The number of entries copied."""
        with closing(self._open()) as connection:
            connection.execute("ATTACH DATABASE ? AS older", (str(older),))
            try:
                return connection.execute(
                    f"INSERT INTO disclosures ({FIRST_COLUMNS}) SELECT {FIRST_COLUMNS}"  # noqa: S608
                    " FROM older.disclosures ORDER BY id ON CONFLICT DO NOTHING"
                ).rowcount
            finally:
                connection.execute("DETACH DATABASE older")

    async def run(self, work: Any, *args: Any) -> Any:
        """`work(connection, *args)` in a worker thread, with that thread's connection."""
        return await asyncio.to_thread(lambda: work(self.connection(), *args))


def _statements(script: str) -> list[str]:
    """A migration's statements, one by one (executescript would commit our transaction)."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


@contextmanager
def _held(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SqliteDisclosureLog:
    """The disclosure log in the embedded store; safe for several threads and for the
    processes on one machine that share the file."""

    def __init__(self, database: SqliteDatabase | Path) -> None:
        """The log in `database` (or in a database of its own at a path)."""
        self._database = (
            database if isinstance(database, SqliteDatabase) else SqliteDatabase(database)
        )

    async def record(self, entry: DisclosureEntry) -> bool:
        """Keep `entry` unless its idempotency key has an entry already; True when it was new."""
        return bool(await self._database.run(self._record, entry))

    async def for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None = None
    ) -> list[DisclosureEntry]:
        """The citizen's entries (of one event, if given), newest first, at most `limit`."""
        if not self._database.path.exists():
            return []  # nothing was ever disclosed; reading creates nothing
        rows = await self._database.run(self._select, citizen_key, limit, event_id)
        return [row_entry(row) for row in rows]

    def _record(self, connection: sqlite3.Connection, entry: DisclosureEntry) -> bool:
        row = entry_row(entry)
        # Fixed width (always microseconds, always +00:00), so text order is time order.
        row = (*row[:-1], entry.disclosed_at.isoformat(timespec="microseconds"))
        with self._database.writing:
            return connection.execute(_INSERT_DISCLOSURE, row).rowcount == 1

    @staticmethod
    def _select(
        connection: sqlite3.Connection, citizen_key: str, limit: int, event_id: str | None
    ) -> list[tuple[Any, ...]]:
        return connection.execute(
            _SELECT_DISCLOSURES, (citizen_key, event_id, event_id, limit)
        ).fetchall()


class SqliteCallbackClaims:
    """The agency callbacks taken, in the embedded store."""

    def __init__(self, database: SqliteDatabase) -> None:
        """The claims kept in `database`."""
        self._database = database

    async def claim(self, agency: str, callback_id: str, at: datetime) -> bool:
        """Take the callback: True for the one caller that takes it, False if already taken."""
        return bool(await self._database.run(self._claim, agency, callback_id, at))

    async def release(self, agency: str, callback_id: str) -> None:
        """Give a taken callback back (acting on it failed), so its next delivery is taken."""
        await self._database.run(self._release, agency, callback_id)

    def _claim(
        self, connection: sqlite3.Connection, agency: str, callback_id: str, at: datetime
    ) -> bool:
        with self._database.writing:
            cursor = connection.execute(
                "INSERT INTO callbacks_taken VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (agency, callback_id, at.astimezone(UTC).isoformat(timespec="microseconds")),
            )
        return cursor.rowcount == 1

    def _release(self, connection: sqlite3.Connection, agency: str, callback_id: str) -> None:
        with self._database.writing:
            connection.execute(
                "DELETE FROM callbacks_taken WHERE agency = ? AND callback_id = ?",
                (agency, callback_id),
            )


class SqliteEventParties:
    """The events each party joined, in the embedded store."""

    def __init__(self, database: SqliteDatabase) -> None:
        """The rows kept in `database`."""
        self._database = database

    async def record(self, joined: JoinedParty) -> bool:
        """Keep that the party joined the event; True when it was new."""
        return bool(await self._database.run(self._record, joined))

    async def joined_by(self, party_key: str, limit: int = MAX_JOINED) -> list[JoinedParty]:
        """The events the party joined, newest first, at most `limit`."""
        if not self._database.path.exists():
            return []  # nobody ever joined anything; reading creates nothing
        rows = await self._database.run(self._select, party_key, limit)
        return [
            JoinedParty(party_key=party_key, event_id=event_id, role=role, joined_at=joined_at)
            for event_id, role, joined_at in rows
        ]

    def _record(self, connection: sqlite3.Connection, joined: JoinedParty) -> bool:
        at = joined.joined_at.isoformat(timespec="microseconds")
        with self._database.writing:
            cursor = connection.execute(
                "INSERT INTO event_parties VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (joined.party_key, joined.event_id, joined.role, at),
            )
        return cursor.rowcount == 1

    @staticmethod
    def _select(
        connection: sqlite3.Connection, party_key: str, limit: int
    ) -> list[tuple[Any, ...]]:
        return connection.execute(
            "SELECT event_id, role, joined_at FROM event_parties WHERE party_key = ?"
            " ORDER BY joined_at DESC LIMIT ?",
            (party_key, limit),
        ).fetchall()


class SqliteEventFingerprints:
    """Which event holds each fingerprint, in the embedded store."""

    def __init__(self, database: SqliteDatabase) -> None:
        """The fingerprints kept in `database`."""
        self._database = database

    async def claim(self, fingerprint: str, event_id: str, at: datetime) -> FingerprintClaim:
        """Hold the fingerprint for `event_id` unless an event holds it: the standing claim."""
        row = await self._database.run(self._claim, fingerprint, event_id, utc_text(at))
        return FingerprintClaim(row[0], datetime.fromisoformat(row[1]))

    async def take_over(self, fingerprint: str, held_by: str, event_id: str, at: datetime) -> bool:
        """Move the fingerprint from `held_by` to `event_id`: True for the one that moves it."""
        statement = (
            "UPDATE event_fingerprints SET event_id = ?, claimed_at = ?"
            " WHERE fingerprint = ? AND event_id = ?"
        )
        arguments = (event_id, utc_text(at), fingerprint, held_by)
        return bool(await self._database.run(self._changed, statement, arguments))

    async def release(self, fingerprint: str, event_id: str) -> None:
        """Let go of the fingerprint if `event_id` holds it."""
        statement = "DELETE FROM event_fingerprints WHERE fingerprint = ? AND event_id = ?"
        await self._database.run(self._changed, statement, (fingerprint, event_id))

    def _claim(
        self, connection: sqlite3.Connection, fingerprint: str, event_id: str, at: str
    ) -> tuple[str, str]:
        with self._database.writing:
            # All rows fetched: a statement left unfinished would hold the write lock.
            [row] = connection.execute(_CLAIM_FINGERPRINT, (fingerprint, event_id, at)).fetchall()
        return (str(row[0]), str(row[1]))

    def _changed(
        self, connection: sqlite3.Connection, statement: str, arguments: tuple[str, ...]
    ) -> bool:
        with self._database.writing:
            return connection.execute(statement, arguments).rowcount == 1


def utc_text(moment: datetime | None) -> str | None:
    """A time as the embedded store keeps it: fixed width (always microseconds, always +00:00),
    so text order is time order."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


class SqliteUsageLedger:
    """The usage ledger in the embedded store."""

    def __init__(self, database: SqliteDatabase) -> None:
        """The ledger kept in `database`."""
        self._database = database

    async def record(self, entry: UsageEntry) -> bool:
        """Keep `entry` unless its key has an entry already; True when it was new."""
        return bool(await self._database.run(self._record, entry))

    async def of_steps_active_between(
        self, since: datetime, until: datetime, agency: str | None = None
    ) -> list[UsageRecord]:
        """Every entry of each step (of `agency`) with an entry in [since, until)."""
        if not self._database.path.exists():
            return []  # nothing was ever recorded; reading creates nothing
        rows = await self._database.run(self._select, since, until, agency)
        return [row_usage(row) for row in rows]

    def _record(self, connection: sqlite3.Connection, entry: UsageEntry) -> bool:
        row = (*usage_row(entry)[:-1], utc_text(entry.at))
        with self._database.writing:
            return connection.execute(_INSERT_USAGE, row).rowcount == 1

    @staticmethod
    def _select(
        connection: sqlite3.Connection, since: datetime, until: datetime, agency: str | None
    ) -> list[tuple[Any, ...]]:
        return connection.execute(
            _SELECT_USAGE, (utc_text(since), utc_text(until), agency, agency)
        ).fetchall()
