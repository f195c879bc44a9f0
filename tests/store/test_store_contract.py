"""What every implementation of the store promises, checked on SQLite and on PostgreSQL
alike: one disclosure per idempotency key, one taker per callback, however many writers at
once and through however many opened stores (replicas)."""

import asyncio
import sqlite3
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from onceonly.disclosures import FIRST_COLUMNS, DisclosureEntry, entry_row
from onceonly.domain.catalogue import LegalBasis
from onceonly.domain.submission import idempotency_key
from onceonly.store import Store, embedded_store_file, migrate_store, opened_store
from onceonly.store.migrations import LATEST, MIGRATIONS, SchemaOutOfDate

T0 = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
CONSENT = LegalBasis(kind="consent", reference="Privacy Act 2020, IPP 11(1)(c)")


def entry(citizen: str = "c" * 32, step_id: str = "child_ird_number", **changes) -> DisclosureEntry:
    event_id = changes.pop("event_id", f"birth-{'a' * 32}")
    values = {
        "citizen_key": citizen,
        "event_id": event_id,
        "event_type": "birth",
        "step_id": step_id,
        "agency": "ird",
        "service": "child-ird-number",
        "fields": ("child.name", "child.date_of_birth", "māori.field"),
        "legal_basis": CONSENT,
        "receipt_id": str(uuid.uuid4()),
        "agency_reference": "IRD-000001",
        "disclosed_at": T0,
        "idempotency_key": idempotency_key(event_id, step_id),
    }
    return DisclosureEntry(**{**values, **changes})


async def test_a_disclosure_is_kept_once_per_idempotency_key(store: Store, other_store: Store):
    first = entry()
    assert await store.disclosures.record(first) is True
    retried = entry(receipt_id=first.receipt_id, disclosed_at=T0 + timedelta(minutes=5))
    assert await other_store.disclosures.record(retried) is False
    assert await other_store.disclosures.for_citizen(first.citizen_key, 500) == [first]


async def test_of_many_writers_of_one_key_at_once_exactly_one_writes(
    store: Store, other_store: Store
):
    copies = [entry(agency_reference=f"IRD-{n:06}") for n in range(16)]
    written = await asyncio.gather(
        *(
            (store if n % 2 else other_store).disclosures.record(copy)
            for n, copy in enumerate(copies)
        )
    )
    assert sorted(written) == [False] * 15 + [True]
    [kept] = await store.disclosures.for_citizen("c" * 32, 500)
    assert kept == copies[written.index(True)]


async def test_entries_come_newest_first_per_citizen_and_event_at_most_the_limit(store: Store):
    zone = datetime(2026, 11, 26, 9, 30, tzinfo=UTC).astimezone().tzinfo
    entries = [
        entry(step_id="register_birth", disclosed_at=T0),
        entry(step_id="best_start", disclosed_at=T0 + timedelta(seconds=1, microseconds=1)),
        entry(step_id="health_enrolment", disclosed_at=(T0 - timedelta(days=1)).astimezone(zone)),
        entry(
            step_id="register_birth",
            event_id=f"birth-{'b' * 32}",
            disclosed_at=T0 + timedelta(microseconds=1),
        ),
        entry(citizen="d" * 32, step_id="register_birth", event_id=f"birth-{'d' * 32}"),
    ]
    for each in reversed(entries):
        await store.disclosures.record(each)
    mine = await store.disclosures.for_citizen("c" * 32, 500)
    assert [(e.event_id[-1], e.step_id) for e in mine] == [
        ("a", "best_start"),
        ("b", "register_birth"),
        ("a", "register_birth"),
        ("a", "health_enrolment"),
    ]
    assert mine[3].disclosed_at == T0 - timedelta(days=1)  # read back in UTC, to the microsecond
    assert await store.disclosures.for_citizen("c" * 32, 2) == mine[:2]
    one_event = await store.disclosures.for_citizen("c" * 32, 500, event_id=f"birth-{'b' * 32}")
    assert one_event == [mine[1]]
    assert await store.disclosures.for_citizen("nobody", 500) == []


async def test_a_callback_is_taken_once_of_many_deliveries_at_once_across_replicas(
    store: Store, other_store: Store
):
    deliveries = [
        (store if n % 2 else other_store).callbacks.claim("ird", "cb-000001", T0) for n in range(20)
    ]
    taken = await asyncio.gather(*deliveries)
    assert taken.count(True) == 1
    assert not await store.callbacks.claim("ird", "cb-000001", T0 + timedelta(hours=1))
    assert await store.callbacks.claim("bdm", "cb-000001", T0)  # ids are each agency's own


async def test_a_callback_given_back_is_taken_by_its_next_delivery(
    store: Store, other_store: Store
):
    assert await store.callbacks.claim("ird", "cb-000002", T0)
    await store.callbacks.release("ird", "cb-000002")
    assert await other_store.callbacks.claim("ird", "cb-000002", T0)
    assert not await store.callbacks.claim("ird", "cb-000002", T0)


async def test_migrating_again_applies_nothing(store_settings):
    _, first = await migrate_store(store_settings)
    twice = await asyncio.gather(migrate_store(store_settings), migrate_store(store_settings))
    assert first == [m.version for m in MIGRATIONS]
    assert [applied for _, applied in twice] == [[], []]


async def test_a_store_whose_schema_is_newer_than_the_code_is_refused(store_settings, store):
    newer = LATEST + 1
    if store_settings.database_url is None:
        with closing(sqlite3.connect(embedded_store_file(store_settings))) as db, db:
            db.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', '')", (newer,))
    else:
        with psycopg.connect(store_settings.database_url, autocommit=True) as shared:
            future = "INSERT INTO schema_migrations VALUES (%s, 'from the future', '')"
            shared.execute(future, (newer,))
    with pytest.raises(SchemaOutOfDate, match=f"migrations \\[{newer}\\].*newer version"):
        await migrate_store(store_settings)


async def test_a_shared_database_not_set_up_is_refused_naming_the_command(settings, fresh_database):
    shared = settings.model_copy(update={"database_url": fresh_database})
    with pytest.raises(SchemaOutOfDate, match="run `onceonly setup` first"):
        async with opened_store(shared):
            pass
    await migrate_store(shared)
    async with opened_store(shared) as store:
        assert store.budgets is not None and store.where == "PostgreSQL"


async def test_the_embedded_store_takes_in_the_log_an_older_version_kept_apart(settings, tmp_path):
    # The file an older version wrote: the log's table alone, no ledger of migrations.
    kept = entry()
    row = (*entry_row(kept)[:-2], kept.disclosed_at.isoformat(timespec="microseconds"))
    with closing(sqlite3.connect(tmp_path / "disclosures.db")) as older, older:
        older.executescript(MIGRATIONS[0].sqlite)
        older.execute(
            f"INSERT INTO disclosures ({FIRST_COLUMNS}) VALUES ({', '.join('?' * 13)})", row
        )
    embedded = settings.model_copy(update={"state_dir": tmp_path})
    await migrate_store(embedded)
    await migrate_store(embedded)  # taken in once only
    async with opened_store(embedded) as store:
        assert await store.disclosures.for_citizen(kept.citizen_key, 500) == [kept]
