"""The shared store: everything outside Temporal that one process writes and another reads.

One protocol per concern: the disclosure log (`onceonly.disclosures.DisclosureLog`), the
agency callbacks taken (`CallbackClaims`), the citizens' rate budgets (`RateBudgets`), the
events each party joined (`onceonly.parties.EventParties`), the events holding keyed
fingerprints (`onceonly.store.fingerprints.EventFingerprints`), the usage ledger
(`onceonly.usage.UsageLedger`), the agencies' staff inbox (`onceonly.domain.inbox.TaskInbox`)
and the batch file exchange's queue (`onceonly.domain.batch.BatchQueue`).
Two implementations of each: the embedded SQLite file in the state dir that `onceonly up`
uses on one machine, and PostgreSQL whenever `ONCEONLY_DATABASE_URL` is set, which every
worker and API of a cluster shares. No process keeps shared state in its own memory or disk.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from onceonly.disclosures import DisclosureLog
from onceonly.domain.batch import BatchQueue
from onceonly.domain.inbox import TaskInbox
from onceonly.parties import EventParties
from onceonly.settings import Settings
from onceonly.store.fingerprints import EventFingerprints
from onceonly.store.sealing import Sealer
from onceonly.store.sqlite import (
    SqliteCallbackClaims,
    SqliteDatabase,
    SqliteDisclosureLog,
    SqliteEventFingerprints,
    SqliteEventParties,
    SqliteUsageLedger,
)
from onceonly.store.sqlite_batch import SqliteBatchQueue
from onceonly.store.sqlite_inbox import SqliteTaskInbox
from onceonly.usage import UsageLedger


class CallbackClaims(Protocol):
    """Which agency callbacks were taken: each is acted on by exactly one API request."""

    async def claim(self, agency: str, callback_id: str, at: datetime) -> bool:
        """Take the callback (insert-or-refuse on its id): True for the one caller that takes
        it, however many deliveries of it arrive at once on however many APIs."""
        ...

    async def release(self, agency: str, callback_id: str) -> None:
        """Give it back, because acting on it failed: the agency's next delivery is taken."""
        ...


class RateBudgets(Protocol):
    """Each caller's request budget."""

    per_minute: int
    burst: int

    async def wait(self, caller: str) -> float:
        """Spend one of `caller`'s requests: 0 when allowed now, else the seconds to wait."""
        ...


@dataclass(frozen=True)
class Store:
    """The store's concerns, as one process uses them. `budgets` is None where the API keeps
    budgets in its own memory (the embedded store: one API on one machine)."""

    disclosures: DisclosureLog
    callbacks: CallbackClaims
    budgets: RateBudgets | None
    where: str
    parties: EventParties
    """The events each party joined (the other parent), for their list of life events."""
    fingerprints: EventFingerprints
    usage: UsageLedger
    inbox: TaskInbox
    """The agencies' staff work queues (their disclosures sealed with the payload keys)."""
    batch: BatchQueue
    """The batch file agencies' queued items, files and acknowledgements (records sealed)."""


def embedded_store_file(settings: Settings) -> Path:
    """The embedded store's SQLite file."""
    return settings.store_path or settings.state_dir / "store.db"


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The store `settings` names, open for the block: PostgreSQL when `database_url` is set
    (its schema must be current: `onceonly setup`), else the embedded SQLite file."""
    if settings.database_url is None:
        database = SqliteDatabase(embedded_store_file(settings))
        yield Store(
            disclosures=SqliteDisclosureLog(database),
            callbacks=SqliteCallbackClaims(database),
            budgets=None,
            where=f"SQLite at {database.path}",
            parties=SqliteEventParties(database),
            fingerprints=SqliteEventFingerprints(database),
            usage=SqliteUsageLedger(database),
            inbox=SqliteTaskInbox(database, Sealer(settings.payload_keys)),
            batch=SqliteBatchQueue(database, Sealer(settings.payload_keys)),
        )
        return
    # Imported here: a process on the embedded store never loads the driver.
    from onceonly.store import postgres  # noqa: PLC0415
    from onceonly.store.postgres_batch import PostgresBatchQueue  # noqa: PLC0415
    from onceonly.store.postgres_inbox import PostgresTaskInbox  # noqa: PLC0415

    shared = postgres.PostgresDatabase(settings.database_url, settings.database_pool_size)
    await shared.open()
    try:
        yield Store(
            disclosures=postgres.PostgresDisclosureLog(shared),
            callbacks=postgres.PostgresCallbackClaims(shared),
            budgets=postgres.PostgresRateBudgets(
                shared, settings.rate_limit_per_minute, settings.rate_limit_burst
            ),
            where="PostgreSQL",
            parties=postgres.PostgresEventParties(shared),
            fingerprints=postgres.PostgresEventFingerprints(shared),
            usage=postgres.PostgresUsageLedger(shared),
            inbox=PostgresTaskInbox(shared, Sealer(settings.payload_keys)),
            batch=PostgresBatchQueue(shared, Sealer(settings.payload_keys)),
        )
    finally:
        await shared.close()


async def migrate_store(settings: Settings) -> tuple[str, list[int]]:
    """Bring the configured store's schema up to date: where it is, and the versions applied
    now (none when it was current). Idempotent; safe to run from several places at once."""
    if settings.database_url is None:
        database = SqliteDatabase(embedded_store_file(settings))
        applied = database.migrate()
        # Before the store, the disclosure log had a file of its own: taken in once, with the
        # log's first migration.
        older = settings.state_dir / "disclosures.db"
        if 1 in applied and older.exists():
            database.adopt_disclosures(older)
        return f"SQLite at {database.path}", applied
    from onceonly.store import postgres  # noqa: PLC0415

    return "PostgreSQL", await postgres.migrate(settings.database_url)
