"""Reminders to agencies about overdue tasks in their inbox, sent through the notification
service to each agency's inbox contact (`Settings.agency_inbox_contacts`).

Every worker process runs the loop (`OverdueReminders.run`): it asks the shared store for open
tasks past due and not reminded within `remind_every`, and claims each before sending
(`TaskInbox.claim_reminder`, one conditional write), so however many workers run, one sends
each reminder. A loop rather than a Temporal Schedule: the state it needs (when each task was
last reminded) is in the store already, the claim makes it safe on any number of machines, and
it survives restarts because nothing is kept in memory; a Schedule would add a workflow whose
histories must replay, for a query the store answers. The one loss: a send that fails after
its claim is tried again only at the next `remind_every`, and the failure is logged.
"""

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from adapters.notify import AGENCY as NOTIFY
from adapters.notify import NotifyAdapter
from onceonly.domain.inbox import InboxTask, TaskInbox
from onceonly.domain.overdue import OverdueReminder, reminder_key
from onceonly.settings import Settings

log = structlog.get_logger(__name__)
CHECK_EVERY = timedelta(minutes=1)
"""How often each worker looks for overdue tasks: a reminder is at most this late."""


def _now() -> datetime:
    return datetime.now(UTC)


class OverdueReminders:
    """Reminds agencies of overdue tasks in `inbox`, each at most once per `remind_every`."""

    def __init__(
        self,
        inbox: TaskInbox,
        notify: NotifyAdapter,
        contacts: Mapping[str, str],
        remind_every: timedelta,
        *,
        clock: Callable[[], datetime] = _now,
        check_every: timedelta = CHECK_EVERY,
    ) -> None:
        self._inbox = inbox
        self._notify = notify
        self._contacts = contacts
        self._remind_every = remind_every
        self._clock = clock
        self._check_every = check_every

    async def remind_once(self) -> list[str]:
        """One look: the ids of the tasks this process reminded an agency of now."""
        now = self._clock()
        due = await self._inbox.overdue(now, self._remind_every.total_seconds())
        sent = []
        for task in due:
            claimed = await self._inbox.claim_reminder(task.task_id, task.reminded_at, now)
            if claimed and await self._send(task, now):
                sent.append(task.task_id)
        return sent

    async def _send(self, task: InboxTask, now: datetime) -> bool:
        # Logs name the task, never the contact's address.
        bound = {"task_id": task.task_id, "agency": task.agency, "kind": task.kind}
        contact = self._contacts.get(task.agency)
        if contact is None:
            log.warning("inbox.overdue_without_contact", **bound)
            return False
        reminder = OverdueReminder(
            task_id=task.task_id,
            kind=task.kind,
            agency=task.agency,
            service=task.service,
            overdue_by=now - task.due_at,
            to=contact,
            idempotency_key=reminder_key(task.task_id, now),
        )
        try:
            message_id = await self._notify.send_overdue(reminder)
        except Exception as error:
            log.warning("inbox.reminder_failed", error=type(error).__name__, **bound)
            return False
        log.info("inbox.reminded", message_id=message_id, **bound)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Look now and then until `stop` is set; a failed look is logged and tried again."""
        while not stop.is_set():
            try:
                await self.remind_once()
            except Exception as error:
                log.warning("inbox.reminders_failed", error=type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._check_every.total_seconds())


def overdue_reminders(
    settings: Settings, http: httpx.AsyncClient, inbox: TaskInbox
) -> OverdueReminders:
    """The reminders of the deployment's agencies, through its notification service."""
    notify = NotifyAdapter(http, settings.agency_base_url, settings.agency_api_keys[NOTIFY])
    due = settings.inbox_due_seconds
    return OverdueReminders(
        inbox,
        notify,
        settings.agency_inbox_contacts,
        timedelta(seconds=settings.inbox_remind_every_seconds),
        # A deployment whose tasks are due within seconds (a demo) sees their reminders as soon.
        check_every=min(CHECK_EVERY, timedelta(seconds=due or CHECK_EVERY.total_seconds())),
    )
