"""The shared store's schema, as numbered migrations applied in order and recorded.

Each migration is written twice, once per dialect, because the two differ where it matters
(SQLite's AUTOINCREMENT and text times; PostgreSQL's identity columns and timestamptz). A
migration is never edited once released: a change is a new migration with the next number.
`onceonly setup` applies them to PostgreSQL (every process refuses to start on a schema older
than its code); the embedded SQLite store applies them itself when it is opened, as `onceonly
up` does first.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its number, what it adds, and its SQL per dialect."""

    version: int
    name: str
    sqlite: str
    postgres: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the disclosure log",
        sqlite="""
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
        CREATE INDEX IF NOT EXISTS disclosures_by_citizen
            ON disclosures (citizen_key, disclosed_at);
        """,
        postgres="""
        CREATE TABLE disclosures (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
            disclosed_at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX disclosures_by_citizen ON disclosures (citizen_key, disclosed_at);
        """,
    ),
    Migration(
        2,
        "agency callbacks taken, one row per callback id",
        sqlite="""
        CREATE TABLE IF NOT EXISTS callbacks_taken (
            agency TEXT NOT NULL,
            callback_id TEXT NOT NULL,
            taken_at TEXT NOT NULL,
            PRIMARY KEY (agency, callback_id)
        );
        """,
        postgres="""
        CREATE TABLE callbacks_taken (
            agency TEXT NOT NULL,
            callback_id TEXT NOT NULL,
            taken_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (agency, callback_id)
        );
        """,
    ),
    Migration(
        3,
        "each caller's rate budget, shared by every API replica",
        # The embedded store serves one API process, which keeps budgets in memory.
        sqlite="",
        postgres="""
        CREATE TABLE rate_budgets (
            caller TEXT PRIMARY KEY,
            tokens DOUBLE PRECISION NOT NULL,
            updated DOUBLE PRECISION NOT NULL,
            allowed BOOLEAN NOT NULL
        );
        CREATE INDEX rate_budgets_by_age ON rate_budgets (updated);
        """,
    ),
    Migration(
        4,
        "the events each party joined (the other parent), by the party's key",
        sqlite="""
        CREATE TABLE IF NOT EXISTS event_parties (
            party_key TEXT NOT NULL,
            event_id TEXT NOT NULL,
            role TEXT NOT NULL,
            joined_at TEXT NOT NULL,
            PRIMARY KEY (party_key, event_id)
        );
        """,
        postgres="""
        CREATE TABLE event_parties (
            party_key TEXT NOT NULL,
            event_id TEXT NOT NULL,
            role TEXT NOT NULL,
            joined_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (party_key, event_id)
        );
        """,
    ),
    Migration(
        5,
        "which event holds each birth's keyed fingerprint, to catch a duplicate birth",
        sqlite="""
        CREATE TABLE IF NOT EXISTS event_fingerprints (
            fingerprint TEXT PRIMARY KEY,
            event_id TEXT NOT NULL,
            claimed_at TEXT NOT NULL
        );
        """,
        postgres="""
        CREATE TABLE event_fingerprints (
            fingerprint TEXT PRIMARY KEY,
            event_id TEXT NOT NULL,
            claimed_at TIMESTAMPTZ NOT NULL
        );
        """,
    ),
    Migration(
        6,
        "the usage ledger: what happened at each agency, one row per fact, no personal data",
        sqlite="""
        CREATE TABLE IF NOT EXISTS agency_usage (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            step_id TEXT NOT NULL,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT,
            attempt INTEGER NOT NULL,
            due_seconds REAL,
            at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS agency_usage_by_time ON agency_usage (at, agency);
        CREATE INDEX IF NOT EXISTS agency_usage_by_step ON agency_usage (event_id, step_id);
        """,
        postgres="""
        CREATE TABLE agency_usage (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            step_id TEXT NOT NULL,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT,
            attempt INTEGER NOT NULL,
            due_seconds DOUBLE PRECISION,
            at TIMESTAMPTZ NOT NULL
        );
        CREATE INDEX agency_usage_by_time ON agency_usage (at, agency);
        CREATE INDEX agency_usage_by_step ON agency_usage (event_id, step_id);
        """,
    ),
    Migration(
        7,
        "the agencies' staff inbox, and staff views in the disclosure log",
        sqlite="""
        CREATE TABLE IF NOT EXISTS inbox_tasks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            task_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            step_id TEXT NOT NULL,
            citizen_key TEXT NOT NULL,
            sealed_disclosure TEXT NOT NULL,
            legal_basis_kind TEXT NOT NULL,
            legal_basis_reference TEXT,
            receipt TEXT,
            receipt_id TEXT,
            agency_reference TEXT,
            opened_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL,
            outcome_reference TEXT,
            reason TEXT,
            closed_by TEXT,
            closed_at TEXT,
            reminded_at TEXT
        );
        CREATE INDEX IF NOT EXISTS inbox_tasks_by_agency ON inbox_tasks (agency, state, due_at);
        CREATE INDEX IF NOT EXISTS inbox_tasks_overdue ON inbox_tasks (state, due_at);
        ALTER TABLE disclosures ADD COLUMN viewed_by TEXT
        """,
        postgres="""
        CREATE TABLE inbox_tasks (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            task_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            step_id TEXT NOT NULL,
            citizen_key TEXT NOT NULL,
            sealed_disclosure TEXT NOT NULL,
            legal_basis_kind TEXT NOT NULL,
            legal_basis_reference TEXT,
            receipt TEXT,
            receipt_id TEXT,
            agency_reference TEXT,
            opened_at TIMESTAMPTZ NOT NULL,
            due_at TIMESTAMPTZ NOT NULL,
            state TEXT NOT NULL,
            outcome_reference TEXT,
            reason TEXT,
            closed_by TEXT,
            closed_at TIMESTAMPTZ,
            reminded_at TIMESTAMPTZ
        );
        CREATE INDEX inbox_tasks_by_agency ON inbox_tasks (agency, state, due_at);
        CREATE INDEX inbox_tasks_overdue ON inbox_tasks (state, due_at);
        ALTER TABLE disclosures ADD COLUMN viewed_by TEXT
        """,
    ),
    Migration(
        8,
        "the batch file exchange: items queued per agency, files sent, acknowledgements applied",
        sqlite="""
        CREATE TABLE IF NOT EXISTS batch_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id TEXT NOT NULL UNIQUE,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            sealed_record TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            state TEXT NOT NULL,
            file_name TEXT,
            agency_reference TEXT,
            reason TEXT,
            decided_at TEXT
        );
        CREATE INDEX IF NOT EXISTS batch_items_queued ON batch_items (agency, state, queued_at);
        CREATE INDEX IF NOT EXISTS batch_items_by_file ON batch_items (file_name);
        CREATE TABLE IF NOT EXISTS batch_files (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            agency TEXT NOT NULL,
            period TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            records INTEGER NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS batch_acknowledgements (
            sha256 TEXT PRIMARY KEY,
            agency TEXT NOT NULL,
            name TEXT NOT NULL,
            records INTEGER NOT NULL,
            applied_at TEXT NOT NULL
        )
        """,
        postgres="""
        CREATE TABLE batch_items (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            item_id TEXT NOT NULL UNIQUE,
            agency TEXT NOT NULL,
            service TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            sealed_record TEXT NOT NULL,
            queued_at TIMESTAMPTZ NOT NULL,
            state TEXT NOT NULL,
            file_name TEXT,
            agency_reference TEXT,
            reason TEXT,
            decided_at TIMESTAMPTZ
        );
        CREATE INDEX batch_items_queued ON batch_items (agency, state, queued_at);
        CREATE INDEX batch_items_by_file ON batch_items (file_name);
        CREATE TABLE batch_files (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            agency TEXT NOT NULL,
            period TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            records INTEGER NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE batch_acknowledgements (
            sha256 TEXT PRIMARY KEY,
            agency TEXT NOT NULL,
            name TEXT NOT NULL,
            records INTEGER NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL
        )
        """,
    ),
)

LATEST = MIGRATIONS[-1].version
"""The schema version this code needs."""

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""
"""Which migrations a database has: the same table in both dialects."""


class SchemaOutOfDate(RuntimeError):
    """The database's schema is older (or newer) than this code."""


def pending(applied: set[int]) -> list[Migration]:
    """The migrations not applied yet, in order; refuses a database that has a migration this
    code does not know (it was set up by newer code, which a rollback must not write to)."""
    unknown = sorted(applied - {migration.version for migration in MIGRATIONS})
    if unknown:
        raise SchemaOutOfDate(
            f"the store has schema migrations {unknown} that this version of onceonly does "
            f"not know (it knows 1 to {LATEST}): run the newer version"
        )
    return [migration for migration in MIGRATIONS if migration.version not in applied]


def require_current(applied: set[int]) -> None:
    """Refuse to run against a schema this code cannot use, saying what to do."""
    missing = pending(applied)
    if missing:
        raise SchemaOutOfDate(
            f"the store's schema lacks migrations {[m.version for m in missing]} "
            f"(this version needs 1 to {LATEST}): run `onceonly setup` first"
        )
