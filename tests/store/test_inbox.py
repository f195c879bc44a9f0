"""What every store promises of the agencies' staff inbox (onceonly.domain.inbox.TaskInbox),
checked on SQLite and on PostgreSQL alike: a task opened once however often its activity is
retried, closed only by its own agency and only once however many APIs close it at once, an
overdue task reminded by one process of many, and its disclosure sealed at rest under the
payload key ring (a rotated ring still opens what the old key sealed)."""

import asyncio
import base64
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from onceonly.codec import KeyringError
from onceonly.domain.inbox import InboxTask, TaskClosed, TaskNotFound, inbox_task_id
from onceonly.settings import Settings
from onceonly.store import Store, embedded_store_file, opened_store

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
EVENT = f"move-{'a' * 32}"
# A value no other column holds: found in a raw row only if the disclosure leaked.
SECRET_NAME = "Aroha Te Whatu-Ngāti"


def task(step_id: str = "council_rates", number: int = 1, **changes) -> InboxTask:
    values = {
        "task_id": inbox_task_id(EVENT, step_id, "submission", number),
        "kind": "submission",
        "agency": "council",
        "service": "rates-notice-address",
        "event_id": EVENT,
        "event_type": "move",
        "step_id": step_id,
        "citizen_key": "c" * 32,
        "disclosure": {"mover.name": {"given_names": SECRET_NAME}, "move_date": "2026-12-01"},
        "legal_basis_kind": "consent",
        "legal_basis_reference": "Your consent, given at this checkpoint",
        "opened_at": T0,
        "due_at": T0 + timedelta(days=5),
    }
    return InboxTask(**{**values, **changes})


def raw_rows(settings: Settings) -> list[tuple[object, ...]]:
    """Every row of the inbox table as the database holds it, read past the store."""
    if settings.database_url is None:
        with closing(sqlite3.connect(embedded_store_file(settings))) as db:
            return db.execute("SELECT * FROM inbox_tasks").fetchall()
    with psycopg.connect(settings.database_url) as shared:
        return shared.execute("SELECT * FROM inbox_tasks").fetchall()


async def test_a_task_is_opened_once_however_often_its_opener_is_retried(
    store: Store, other_store: Store
):
    first = task()
    assert await store.inbox.open(first) is True
    retried = task(opened_at=T0 + timedelta(minutes=3), disclosure={"move_date": "2026-12-02"})
    assert await other_store.inbox.open(retried) is False
    assert await other_store.inbox.get(first.task_id) == first
    assert await store.inbox.get("T-000000000000") is None
    at_once = await asyncio.gather(
        *((store if n % 2 else other_store).inbox.open(task(number=2)) for n in range(10))
    )
    assert sorted(at_once) == [False] * 9 + [True]


async def test_an_agency_lists_only_its_own_tasks_in_order(store: Store):
    late = task(number=1, due_at=T0 + timedelta(days=9))
    soon = task(number=2, due_at=T0 + timedelta(days=1))
    theirs = task(number=3, agency="ird", service="ird-address")
    for each in (late, soon, theirs):
        await store.inbox.open(each)
    assert [t.task_id for t in await store.inbox.for_agency("council")] == [
        soon.task_id,
        late.task_id,
    ]
    assert await store.inbox.for_agency("council", limit=1) == [soon]
    await store.inbox.close(soon.task_id, "council", "completed", by="jane", at=T0, reference="R1")
    assert await store.inbox.for_agency("council") == [late]
    [done] = await store.inbox.for_agency("council", "completed")
    assert (done.state, done.outcome_reference, done.closed_by) == ("completed", "R1", "jane")
    assert await store.inbox.for_agency("council", "rejected") == []
    assert {t.task_id for t in await store.inbox.for_agency("council", None)} == {
        soon.task_id,
        late.task_id,
    }
    assert await store.inbox.for_agency("ird") == [theirs]


async def test_only_the_tasks_own_agency_closes_it(store: Store):
    opened = task()
    await store.inbox.open(opened)
    with pytest.raises(TaskNotFound):
        await store.inbox.close(opened.task_id, "ird", "completed", by="eve", at=T0, reference="X")
    with pytest.raises(TaskNotFound):
        await store.inbox.close("T-000000000000", "council", "rejected", by="jane", at=T0)
    assert await store.inbox.get(opened.task_id) == opened  # untouched
    rejected = await store.inbox.close(
        opened.task_id, "council", "rejected", by="jane", at=T0 + timedelta(hours=1), reason="No"
    )
    assert (rejected.state, rejected.reason, rejected.closed_at) == (
        "rejected",
        "No",
        T0 + timedelta(hours=1),
    )
    with pytest.raises(TaskClosed):
        await store.inbox.close(
            opened.task_id, "council", "completed", by="jo", at=T0, reference="Y"
        )
    assert await store.inbox.get(opened.task_id) == rejected  # the first close stands


async def test_of_two_closes_at_once_on_two_replicas_exactly_one_wins(
    store: Store, other_store: Store
):
    for number in range(1, 6):  # a few rounds: a race lost once proves little
        opened = task(number=number)
        await store.inbox.open(opened)
        answers = await asyncio.gather(
            store.inbox.close(
                opened.task_id, "council", "completed", by="jane", at=T0, reference=f"A-{number}"
            ),
            other_store.inbox.close(
                opened.task_id, "council", "rejected", by="hemi", at=T0, reason="Not ours"
            ),
            return_exceptions=True,
        )
        won = [answer for answer in answers if isinstance(answer, InboxTask)]
        lost = [answer for answer in answers if isinstance(answer, TaskClosed)]
        assert (len(won), len(lost)) == (1, 1), answers
        assert await other_store.inbox.get(opened.task_id) == won[0]


async def test_an_overdue_task_is_reminded_by_one_replica_of_many(store: Store, other_store: Store):
    overdue = task(number=1, due_at=T0)
    not_yet = task(number=2, due_at=T0 + timedelta(days=1))
    done = task(number=3, due_at=T0)
    for each in (overdue, not_yet, done):
        await store.inbox.open(each)
    await store.inbox.close(done.task_id, "council", "completed", by="jane", at=T0, reference="D")
    now = T0 + timedelta(hours=2)
    day = timedelta(days=1).total_seconds()
    assert await other_store.inbox.overdue(now, day) == [overdue]
    claims = await asyncio.gather(
        *((store if n % 2 else other_store).inbox.claim_reminder(overdue.task_id, None, now)
          for n in range(8))
    )  # fmt: skip
    assert claims.count(True) == 1
    assert await store.inbox.overdue(now + timedelta(hours=1), day) == []  # reminded lately
    a_day_on = await store.inbox.overdue(now + timedelta(days=1), day)  # reminded again
    assert [t.task_id for t in a_day_on] == [overdue.task_id, not_yet.task_id]
    assert a_day_on[0].reminded_at == now
    later = now + timedelta(days=1)
    assert not await other_store.inbox.claim_reminder(overdue.task_id, None, later)
    assert await other_store.inbox.claim_reminder(overdue.task_id, now, later)


async def test_the_disclosure_is_sealed_at_rest(store_settings: Settings, store: Store):
    opened = task()
    await store.inbox.open(opened)
    [row] = raw_rows(store_settings)
    assert SECRET_NAME not in repr(row)
    assert "move_date" not in repr(row)  # not even the fields' names
    assert opened.task_id in row  # ids and kinds stay readable for the queries


async def test_a_rotated_key_ring_still_opens_old_tasks(store_settings: Settings, store: Store):
    old = task(number=1)
    await store.inbox.open(old)
    new_key = f"k2:{base64.b64encode(os.urandom(32)).decode()}"
    rotated = store_settings.model_copy(
        update={"payload_keys": f"{new_key},{store_settings.payload_keys}"}
    )
    async with opened_store(rotated) as after:
        assert await after.inbox.get(old.task_id) == old
        new = task(number=2)
        await after.inbox.open(new)
    rows = raw_rows(store_settings)
    assert sum("'k2:" in repr(row) for row in rows) == 1  # the new task, under the new key
    forgotten = store_settings.model_copy(update={"payload_keys": new_key})
    async with opened_store(forgotten) as without_old:
        assert await without_old.inbox.get(new.task_id) == new
        with pytest.raises(KeyringError, match="unknown key id"):
            await without_old.inbox.get(old.task_id)
