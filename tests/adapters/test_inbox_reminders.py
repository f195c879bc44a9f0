"""Reminders to an agency about overdue inbox tasks, against the real store and the notification
service's mock: none before a task is due, one per `remind_every` however many workers look,
none for a closed task, and no personal data in the message."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.notify import NotifyAdapter
from adapters.work_queue import WorkQueueAdapter, WorkQueuePolicy
from onceonly.domain.catalogue import DEATH
from onceonly.domain.inbox import TaskInbox
from onceonly.domain.overdue import overdue_words
from onceonly.domain.submission import AgencySubmission, idempotency_key
from onceonly.inbox_reminders import OverdueReminders
from onceonly.settings import Settings
from onceonly.store import migrate_store, opened_store
from tests.adapters.support import BASE_URL, KEYS
from tests.mocks.samples import disclose, sample_death

STEP = DEATH.step("notify_maori_land_court")
OPENED = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
DUE = timedelta(hours=2)
CONTACTS = {"maori_land_court": "tari@maorilandcourt.example.govt.nz"}
DAILY = timedelta(days=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"store_path": tmp_path / "store.db"})


@pytest.fixture
async def inboxes(store_settings: Settings) -> AsyncIterator[tuple[TaskInbox, TaskInbox]]:
    """The one store as two worker processes hold it."""
    await migrate_store(store_settings)
    async with opened_store(store_settings) as one, opened_store(store_settings) as two:
        yield one.inbox, two.inbox


async def open_task(inbox: TaskInbox, event_id: str) -> str:
    policy = WorkQueuePolicy(due=DUE)
    court = WorkQueueAdapter("maori_land_court", inbox, policy=policy, clock=Clock(OPENED))
    submission = AgencySubmission(
        event_id=event_id,
        step_id=STEP.id,
        agency=STEP.agency,
        service=STEP.service,
        idempotency_key=idempotency_key(event_id, STEP.id),
        disclosure=disclose(
            STEP.id, sample_death(), DEATH, deceased__death_registration_number="2026/000042"
        ),
        citizen_key="ck-1",
        event_type="death",
    )
    return (await court.file(submission)).reference


async def messages(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/notify/_records")
    response.raise_for_status()
    return list(response.json()["records"])


def reminders(
    inbox: TaskInbox, client: httpx.AsyncClient, clock: Clock, contacts: dict[str, str] = CONTACTS
) -> OverdueReminders:
    notify = NotifyAdapter(client, BASE_URL, KEYS["notify"])
    return OverdueReminders(inbox, notify, contacts, DAILY, clock=clock)


async def test_an_overdue_task_is_reminded_once_however_many_workers_look(
    inboxes: tuple[TaskInbox, TaskInbox], client: httpx.AsyncClient
):
    one, two = inboxes
    task_id = await open_task(one, "death-a1")
    clock = Clock(OPENED + DUE - timedelta(seconds=1))
    first, second = reminders(one, client, clock), reminders(two, client, clock)

    assert await first.remind_once() == [] and await second.remind_once() == []
    assert await messages(client) == []  # not yet due

    clock.now = OPENED + DUE + timedelta(hours=3)
    sent = [await first.remind_once(), await second.remind_once()]
    assert sorted(sent) == [[], [task_id]]
    [message] = await messages(client)
    received, content = message["received"], message["answer"]["content"]
    assert received["to"] == CONTACTS["maori_land_court"]
    assert content["subject"] == f"Overdue in your inbox: {task_id}"
    assert f"Task {task_id} " in content["body"]
    assert "overdue by 3 hours" in content["body"]
    assert "A request to record: succession-notice" in content["body"]
    assert "Māori Land Court (Te Kooti Whenua Māori)" in content["body"]
    dossier = sample_death()
    names = (dossier.deceased.name.family_name, dossier.notifier.name.family_name)
    for personal in (*names, "2026/000042"):
        assert personal not in str(message), personal

    # Within the day, no worker reminds again; a day on, one does.
    clock.now += timedelta(hours=23)
    assert await first.remind_once() == [] and await second.remind_once() == []
    clock.now += timedelta(hours=1, seconds=1)
    assert sorted([await second.remind_once(), await first.remind_once()]) == [[], [task_id]]
    assert len(await messages(client)) == 2


async def test_a_closed_task_is_not_reminded_and_one_without_a_contact_is_claimed_quietly(
    inboxes: tuple[TaskInbox, TaskInbox], client: httpx.AsyncClient
):
    inbox, _ = inboxes
    closed = await open_task(inbox, "death-b2")
    no_contact = await open_task(inbox, "death-c3")
    late = OPENED + DUE + timedelta(days=2)
    await inbox.close(closed, "maori_land_court", "completed", by="hemi", at=late, reference="A1")

    assert await reminders(inbox, client, Clock(late), contacts={}).remind_once() == []
    assert await messages(client) == []
    task = await inbox.get(no_contact)
    assert task is not None and task.reminded_at == late  # claimed: logged once a day


def test_how_overdue_is_said_in_the_largest_whole_unit():
    assert overdue_words(timedelta(days=3, hours=5)) == "3 days"
    assert overdue_words(timedelta(days=1)) == "1 day"
    assert overdue_words(timedelta(hours=1, minutes=59)) == "1 hour"
    assert overdue_words(timedelta(minutes=2)) == "2 minutes"
    assert overdue_words(timedelta(seconds=59)) == "under a minute"
