"""Reminders for unanswered consent checkpoints: when they are due, where they go, and the
notification activity as workflows see it.

The rules are pure functions the workflow calls (no clock, no I/O); the activity's
implementation is `activities.notifications.Notifications`, registered by the worker.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity

from onceonly.domain.catalogue import LifeEventSpec
from onceonly.domain.step_graph import select_fields

# The activity type name in every history: renaming it would break replay.
SEND_REMINDER = "send_reminder"
# The longest idempotency key an agency (the notification service included) accepts.
MAX_IDEMPOTENCY_KEY_LENGTH = 255

Channel = Literal["email", "sms"]
"""How a message reaches its reader: an email, or a text message to a phone."""
NoticeKind = Literal["reminder", "expired", "invitation"]
"""Why a message is sent: an answer is still awaited, a checkpoint expired unanswered, or
someone else (the other parent, say) is asked for their own consent."""


class Reminder(BaseModel):
    """One message about checkpoints of a life event: which steps, why, and where it goes.

    It carries no personal data but the address it is sent to; the message names the steps'
    purposes from the catalogue and the statutory due date.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    event_type: str
    step_ids: tuple[str, ...] = Field(min_length=1)
    kind: NoticeKind
    due_on: date | None = Field(default=None, description="The statutory deadline, if any.")
    channel: Channel
    to: str = Field(description="The email address or phone number the message goes to.")
    idempotency_key: str = Field(
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        description="The same key for every retry of one message (see `reminder_key`).",
    )


def reminder_key(event_id: str, kind: NoticeKind, step_ids: Iterable[str], n: int) -> str:
    """One key per message: the `n`th message of this kind about these steps of the event.

    Every retry of that message reuses the key, so the citizen gets it once. A key that
    would be too long (an event with very many steps) names the steps by a digest instead.
    """
    steps = ",".join(step_ids)
    key = f"{event_id}/{kind}/{steps}/{n}"
    if len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH:
        return key
    digest = hashlib.sha256(steps.encode()).hexdigest()
    return f"{event_id}/{kind}/{digest}/{n}"


def reminder_times(
    decided: bool,
    started_at: datetime,
    *,
    expiry: timedelta,
    reminders_after: tuple[timedelta, ...],
    due_on: date | None,
    deadline_warning: timedelta,
    timezone: str,
) -> list[datetime]:
    """When reminders are due for one checkpoint that opened at `started_at` and expires
    `expiry` later: each of `reminders_after` after it opened, and one `deadline_warning`
    before the statutory due date (midnight at the start of `due_on` in `timezone`, an IANA
    name such as "Pacific/Auckland"). Only times strictly after the opening and strictly
    before the expiry count (a reminder at the expiry would come too late to act on, and a
    deadline already past gives none); sorted, each time once. A decided checkpoint needs
    none.
    """
    if started_at.tzinfo is None:
        raise ValueError("started_at must be timezone-aware, as workflow.now() is")
    if decided:
        return []
    times = {started_at + offset for offset in reminders_after}
    if due_on is not None:
        due_at = datetime.combine(due_on, time.min, tzinfo=ZoneInfo(timezone))
        times.add(due_at - deadline_warning)
    expires_at = started_at + expiry
    return sorted(moment for moment in times if started_at < moment < expires_at)


def contact_of(spec: LifeEventSpec, dossier: Mapping[str, Any]) -> tuple[Channel, str] | None:
    """Where the event's reminders go, from the catalogue's `contact` paths into the dossier
    (JSON, as `model_dump(mode="json")` gives it): the email address when there is one, else
    a text message to the phone, else None (no reminders can be sent).
    """
    choices: tuple[tuple[Channel, str | None], ...] = (
        ("email", spec.contact.email),
        ("sms", spec.contact.phone),
    )
    for channel, path in choices:
        if path is None:
            continue
        value = select_fields(dossier, {}, (path,))[path]
        if isinstance(value, str) and value.strip():
            return channel, value
    return None


class Notifications:
    """The activity's contract, for `workflow.execute_activity_method`; the worker runs
    `activities.notifications.Notifications`, which implements it.
    """

    @activity.defn(name=SEND_REMINDER)
    async def send_reminder(self, reminder: Reminder) -> str:
        """Send one message through the notification service; answers with the message id."""
        raise NotImplementedError("run by activities.notifications.Notifications")
