"""Reminders to an agency about tasks in its inbox that are past due: what one says and the
key that makes it one message however often it is sent.

A reminder names the task, what staff are asked, the service and how overdue it is: never
whose data it is, nor any of it (the inbox shows that to the agency's signed-in staff).
"""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from onceonly.domain.inbox import TaskKind

MAX_KEY_LENGTH = 255  # the longest idempotency key the notification service takes

TASK_WORDS: dict[TaskKind, str] = {
    "submission": "A request to record",
    "correction": "A correction to make",
    "withdrawal": "A withdrawal to make",
    "effect_check": "A change to confirm",
}
"""What staff are asked to do, by the task's kind, as the reminder words it."""


class OverdueReminder(BaseModel):
    """One message to an agency's inbox contact about one overdue task."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str
    kind: TaskKind
    agency: str
    service: str
    overdue_by: timedelta = Field(description="How long past its due time the task is.")
    to: str = Field(description="The agency's inbox contact (an email address).")
    idempotency_key: str = Field(max_length=MAX_KEY_LENGTH)


def overdue_words(overdue_by: timedelta) -> str:
    """How overdue, in the largest whole unit: "3 days", "1 hour", "under a minute"."""
    seconds = int(overdue_by.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        count = seconds // size
        if count:
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "under a minute"


def reminder_key(task_id: str, claimed_at: datetime) -> str:
    """One key per reminder claimed: a retry of its send is the same message."""
    return f"{task_id}/overdue/{claimed_at.isoformat(timespec='seconds')}"
