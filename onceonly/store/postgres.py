"""The shared store on PostgreSQL (psycopg 3, async, pooled): what the workers and APIs of a
cluster, on any number of machines, all read and write. Every write is one statement that
inserts or refuses on a unique key, so it is idempotent and race-free without locks held
across round trips.
"""

import time
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from onceonly.disclosures import COLUMNS, DisclosureEntry, entry_row, row_entry
from onceonly.parties import MAX_JOINED, JoinedParty
from onceonly.store.fingerprints import FingerprintClaim
from onceonly.store.migrations import CREATE_LEDGER, pending, require_current
from onceonly.usage import COLUMNS as USAGE_COLUMNS
from onceonly.usage import UsageEntry, UsageRecord, row_usage, usage_row

# Any fixed number: every process that migrates takes this one advisory lock, so two
# `onceonly setup` runs at once apply each migration once.
_MIGRATION_LOCK = 4_819_000_001
_PLACEHOLDERS = ", ".join("%s" for _ in COLUMNS.split(","))
_INSERT_DISCLOSURE = (
    f"INSERT INTO disclosures ({COLUMNS}) VALUES ({_PLACEHOLDERS})"  # noqa: S608
    " ON CONFLICT (idempotency_key) DO NOTHING"
)
# Inserts, or "updates" the row to itself (locking it) so that RETURNING answers with the
# claim standing: of many callers at once, one inserts and the rest read its claim.
_CLAIM_FINGERPRINT = (
    "INSERT INTO event_fingerprints VALUES (%s, %s, %s)"
    " ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = EXCLUDED.fingerprint"
    " RETURNING event_id, claimed_at"
)
_SELECT_DISCLOSURES = (
    f"SELECT {COLUMNS} FROM disclosures"  # noqa: S608
    " WHERE citizen_key = %s AND (%s::text IS NULL OR event_id = %s)"
    " ORDER BY disclosed_at DESC, id DESC LIMIT %s"
)
_INSERT_USAGE = (
    f"INSERT INTO agency_usage ({USAGE_COLUMNS})"  # noqa: S608
    f" VALUES ({', '.join('%s' for _ in USAGE_COLUMNS.split(','))})"
    " ON CONFLICT (key) DO NOTHING"
)
_SELECT_USAGE = (
    f"SELECT {USAGE_COLUMNS} FROM agency_usage WHERE (event_id, step_id) IN"  # noqa: S608
    " (SELECT event_id, step_id FROM agency_usage"
    "  WHERE at >= %s AND at < %s AND (%s::text IS NULL OR agency = %s))"
    " ORDER BY at, id"
)
# A token bucket refilled and spent in one statement, on the database's clock (so replicas
# whose clocks differ agree). SET sees the row as it was: `level` is repeated, not chained.
_LEVEL = "LEAST(%(burst)s, b.tokens + GREATEST(0, EXCLUDED.updated - b.updated) * %(rate)s)"
_SPEND = f"""
INSERT INTO rate_budgets AS b (caller, tokens, updated, allowed)
VALUES (%(caller)s, %(burst)s - 1, EXTRACT(EPOCH FROM clock_timestamp()), true)
ON CONFLICT (caller) DO UPDATE SET
    tokens = CASE WHEN {_LEVEL} >= 1 THEN {_LEVEL} - 1 ELSE {_LEVEL} END,
    allowed = {_LEVEL} >= 1,
    updated = GREATEST(b.updated, EXCLUDED.updated)
RETURNING allowed, tokens
"""  # noqa: S608
# A bucket untouched for as long as a full refill takes is full: the same as no row at all.
_FORGET_FULL = (
    "DELETE FROM rate_budgets"
    " WHERE updated < EXTRACT(EPOCH FROM clock_timestamp()) - %(burst)s / %(rate)s"
)
FORGET_EVERY_SECONDS = 60.0


class PostgresDatabase:
    """A pool of connections to the store's database, opened in the running event loop."""

    def __init__(self, url: str, max_size: int = 10) -> None:
        """A pool for `url` (not opened until `open`)."""
        self.pool = AsyncConnectionPool(
            url, min_size=1, max_size=max_size, open=False, kwargs={"autocommit": True}
        )

    async def open(self) -> None:
        """Open the pool and check the schema is the one this code needs."""
        await self.pool.open(wait=True, timeout=30)
        async with self.pool.connection() as connection:
            require_current(await _applied(connection))

    async def close(self) -> None:
        """Close every connection."""
        await self.pool.close()


async def migrate(url: str) -> list[int]:
    """Apply the migrations the database lacks, each in its own transaction, under an
    advisory lock; the versions applied now. What `onceonly setup` runs."""
    async with await AsyncConnection.connect(url, autocommit=True) as connection:
        await connection.execute(CREATE_LEDGER)
        done = []
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            for migration in pending(await _applied(connection)):
                await connection.execute(migration.postgres.encode())
                await connection.execute(
                    "INSERT INTO schema_migrations VALUES (%s, %s, %s)",
                    (migration.version, migration.name, datetime.now(UTC).isoformat()),
                )
                done.append(migration.version)
        return done


async def _applied(connection: AsyncConnection[Any]) -> set[int]:
    cursor = await connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
    ledger = await cursor.fetchone()
    if ledger is None or not ledger[0]:
        return set()  # a database nothing was ever applied to
    cursor = await connection.execute("SELECT version FROM schema_migrations")
    return {row[0] for row in await cursor.fetchall()}


class PostgresDisclosureLog:
    """The disclosure log in the shared database."""

    def __init__(self, database: PostgresDatabase) -> None:
        """The log in `database`."""
        self._pool = database.pool

    async def record(self, entry: DisclosureEntry) -> bool:
        """Keep `entry` unless its idempotency key has an entry already; True when it was new."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_INSERT_DISCLOSURE, entry_row(entry))
            return cursor.rowcount == 1

    async def for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None = None
    ) -> list[DisclosureEntry]:
        """The citizen's entries (of one event, if given), newest first, at most `limit`."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                _SELECT_DISCLOSURES, (citizen_key, event_id, event_id, limit)
            )
            return [row_entry(row) for row in await cursor.fetchall()]


class PostgresCallbackClaims:
    """The agency callbacks taken, in the shared database: one API of many takes each."""

    def __init__(self, database: PostgresDatabase) -> None:
        """The claims kept in `database`."""
        self._pool = database.pool

    async def claim(self, agency: str, callback_id: str, at: datetime) -> bool:
        """Take the callback: True for the one caller that takes it, False if already taken."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                "INSERT INTO callbacks_taken VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (agency, callback_id, at),
            )
            return cursor.rowcount == 1

    async def release(self, agency: str, callback_id: str) -> None:
        """Give a taken callback back (acting on it failed), so its next delivery is taken."""
        async with self._pool.connection() as connection:
            await connection.execute(
                "DELETE FROM callbacks_taken WHERE agency = %s AND callback_id = %s",
                (agency, callback_id),
            )


class PostgresUsageLedger:
    """The usage ledger in the shared database."""

    def __init__(self, database: PostgresDatabase) -> None:
        """The ledger kept in `database`."""
        self._pool = database.pool

    async def record(self, entry: UsageEntry) -> bool:
        """Keep `entry` unless its key has an entry already; True when it was new."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_INSERT_USAGE, usage_row(entry))
            return cursor.rowcount == 1

    async def of_steps_active_between(
        self, since: datetime, until: datetime, agency: str | None = None
    ) -> list[UsageRecord]:
        """Every entry of each step (of `agency`) with an entry in [since, until)."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_SELECT_USAGE, (since, until, agency, agency))
            return [row_usage(row) for row in await cursor.fetchall()]


class PostgresRateBudgets:
    """Each caller's token bucket in the shared database, so that every API replica spends
    from one budget: `per_minute` on average, `burst` at once."""

    def __init__(self, database: PostgresDatabase, per_minute: int, burst: int) -> None:
        """Budgets in `database`."""
        self._pool = database.pool
        self.per_minute = per_minute
        self.burst = burst
        self._forgot_at = 0.0

    async def wait(self, caller: str) -> float:
        """Spend one of `caller`'s requests: 0 when allowed now, else the seconds to wait."""
        rate = self.per_minute / 60
        values = {"caller": caller, "burst": float(self.burst), "rate": rate}
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_SPEND, values)
            row = await cursor.fetchone()
            assert row is not None  # INSERT ... RETURNING always returns the row
            if time.monotonic() - self._forgot_at > FORGET_EVERY_SECONDS:
                self._forgot_at = time.monotonic()
                await connection.execute(_FORGET_FULL, values)
        allowed, tokens = row
        return 0.0 if allowed else (1 - float(tokens)) / rate


class PostgresEventParties:
    """The events each party joined, in the shared database."""

    def __init__(self, database: PostgresDatabase) -> None:
        """The rows kept in `database`."""
        self._pool = database.pool

    async def record(self, joined: JoinedParty) -> bool:
        """Keep that the party joined the event; True when it was new."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                "INSERT INTO event_parties VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (joined.party_key, joined.event_id, joined.role, joined.joined_at),
            )
            return cursor.rowcount == 1

    async def joined_by(self, party_key: str, limit: int = MAX_JOINED) -> list[JoinedParty]:
        """The events the party joined, newest first, at most `limit`."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                "SELECT event_id, role, joined_at FROM event_parties WHERE party_key = %s"
                " ORDER BY joined_at DESC LIMIT %s",
                (party_key, limit),
            )
            rows = await cursor.fetchall()
        return [
            JoinedParty(party_key=party_key, event_id=event_id, role=role, joined_at=joined_at)
            for event_id, role, joined_at in rows
        ]


class PostgresEventFingerprints:
    """Which event holds each fingerprint, in the shared database: every API replica sees
    the claims of every other."""

    def __init__(self, database: PostgresDatabase) -> None:
        """The fingerprints kept in `database`."""
        self._pool = database.pool

    async def claim(self, fingerprint: str, event_id: str, at: datetime) -> FingerprintClaim:
        """Hold the fingerprint for `event_id` unless an event holds it: the standing claim."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_CLAIM_FINGERPRINT, (fingerprint, event_id, at))
            row = await cursor.fetchone()
        assert row is not None  # INSERT ... RETURNING always returns the row
        return FingerprintClaim(row[0], row[1])

    async def take_over(self, fingerprint: str, held_by: str, event_id: str, at: datetime) -> bool:
        """Move the fingerprint from `held_by` to `event_id`: True for the one that moves it."""
        async with self._pool.connection() as connection:
            cursor = await connection.execute(
                "UPDATE event_fingerprints SET event_id = %s, claimed_at = %s"
                " WHERE fingerprint = %s AND event_id = %s",
                (event_id, at, fingerprint, held_by),
            )
            return cursor.rowcount == 1

    async def release(self, fingerprint: str, event_id: str) -> None:
        """Let go of the fingerprint if `event_id` holds it."""
        async with self._pool.connection() as connection:
            await connection.execute(
                "DELETE FROM event_fingerprints WHERE fingerprint = %s AND event_id = %s",
                (fingerprint, event_id),
            )
