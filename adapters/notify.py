"""Adapter for the government notification service: sends a reminder as an email or a text
message made from the service's template for its kind and channel.

The service holds the templates' text; onceonly sends the template's id and its
`personalisation`: the life event's title, the steps' purposes from the catalogue, the
statutory deadline in words and the event's reference, which the citizen opens to answer.
Nothing else about the citizen goes into a message: the address it is sent to is the only
personal data. Phone numbers go as the service dials them (digits, with an optional +).
"""

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from temporalio.exceptions import ApplicationError

from adapters.http import AgencyApi, AgencyClient, ApiKeyHeader, read_answer
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.notices import Channel, NoticeKind, Reminder
from onceonly.domain.overdue import TASK_WORDS, OverdueReminder, overdue_words

AGENCY = "notify"
TEMPLATE_IDS: dict[tuple[NoticeKind, Channel], str] = {
    ("reminder", "email"): "0b6c3f52-8a1e-4c57-9d0e-5f7a2b913c01",
    ("reminder", "sms"): "0b6c3f52-8a1e-4c57-9d0e-5f7a2b913c02",
    ("expired", "email"): "5d2e8f14-6b3a-4f09-a1c7-2e4d6b8f0a11",
    ("expired", "sms"): "5d2e8f14-6b3a-4f09-a1c7-2e4d6b8f0a12",
    ("invitation", "email"): "9a4b7c21-3e5f-4d68-b0a9-8c1d3e5f7b21",
    ("invitation", "sms"): "9a4b7c21-3e5f-4d68-b0a9-8c1d3e5f7b22",
}
"""The service's template for each kind of message on each channel, as its administrators
gave them to onceonly."""
TASK_OVERDUE_TEMPLATE_ID = "3e7a9c15-2b4d-4f86-8a0c-6d1e3f5b7a31"
"""The template (email) that reminds an agency of an overdue task in its inbox."""
# A text message holds at most 918 characters (six fragments); the templates' own words, the
# title, deadline and reference take under 440 of them, so the purposes get the rest.
SMS_PURPOSES_BUDGET = 450
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def written_date(day: date) -> str:
    """A date as New Zealanders write it in a letter: "3 January 2027"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def deadline_sentence(due_on: date | None) -> str:
    """The statutory deadline in plain words, or that the law sets none."""
    if due_on is None:
        return "The law sets no deadline for these."
    return f"The law sets a deadline: {written_date(due_on)}."


def sms_purposes(purposes: list[str], budget: int = SMS_PURPOSES_BUDGET) -> list[str]:
    """As many purposes as fit a text message's `budget` of characters, in order, then how
    many more there are (the email names them all)."""
    kept: list[str] = []
    used = 0
    for purpose in purposes:
        # Each is shown as a line "* purpose".
        if used + len(purpose) + 3 > budget:
            break
        kept.append(purpose)
        used += len(purpose) + 3
    left = len(purposes) - len(kept)
    if left:
        kept.append(f"and {left} more (see onceonly)")
    return kept


def dialled(phone: str) -> str:
    """A phone number as the service dials it: "(021) 123-4567" -> "0211234567"."""
    return re.sub(r"[ ()-]", "", phone)


def to_notify_message(reminder: Reminder, reference: str | None = None) -> dict[str, Any]:
    """The reminder as the service's message request; `reference` is what the reader opens
    (the event's id unless given: an invitation gives its link to accept)."""
    try:
        event = CATALOGUE.event(reminder.event_type)
        purposes = [event.step(step_id).purpose for step_id in reminder.step_ids]
    except KeyError as unknown:
        # A reminder about what the catalogue does not hold is a bug, not an outage.
        raise ApplicationError(f"reminder names unknown {unknown}", non_retryable=True) from None
    sms = reminder.channel == "sms"
    return {
        "channel": reminder.channel,
        "to": dialled(reminder.to) if sms else reminder.to,
        "template_id": TEMPLATE_IDS[(reminder.kind, reminder.channel)],
        "personalisation": {
            "event": event.title,
            "purposes": sms_purposes(purposes) if sms else purposes,
            "deadline": deadline_sentence(reminder.due_on),
            "reference": reference or reminder.event_id,
        },
    }


def to_overdue_message(reminder: OverdueReminder) -> dict[str, Any]:
    """The reminder to an agency as the service's message request: the task, what is asked,
    the service and how overdue, and nothing about the person the task concerns."""
    try:
        agency = next(a.name for a in CATALOGUE.agencies if a.id == reminder.agency)
    except StopIteration:
        raise ApplicationError(
            f"reminder names unknown agency {reminder.agency!r}", non_retryable=True
        ) from None
    return {
        "channel": "email",
        "to": reminder.to,
        "template_id": TASK_OVERDUE_TEMPLATE_ID,
        "personalisation": {
            "agency": agency,
            "task": reminder.task_id,
            "asked": TASK_WORDS[reminder.kind],
            "service": reminder.service,
            "overdue": overdue_words(reminder.overdue_by),
        },
    }


class _Accepted(BaseModel):
    """The part of the service's answer onceonly reads."""

    id: str = Field(min_length=1)
    status: Literal["accepted"]


def _error_message(body: Any) -> str | None:
    return "; ".join(error["message"] for error in body["errors"]) or None


class NotifyAdapter(AgencyClient):
    """Sends reminders through the notification service."""

    agency = AGENCY
    api = AgencyApi("/notify/v1", ApiKeyHeader("Authorization", "ApiKey-v1"), _error_message)

    async def send(self, reminder: Reminder, reference: str | None = None) -> str:
        """Send the reminder once (its idempotency key makes a retry land on the same
        message) and answer with the service's message id; `reference` as in
        `to_notify_message`."""
        message = to_notify_message(reminder, reference)
        answer = await self._send("POST", "/messages", message, reminder.idempotency_key)
        return read_answer(AGENCY, answer, _Accepted).id

    async def send_overdue(self, reminder: OverdueReminder) -> str:
        """Remind an agency of an overdue task, once per idempotency key; the message id."""
        message = to_overdue_message(reminder)
        answer = await self._send("POST", "/messages", message, reminder.idempotency_key)
        return read_answer(AGENCY, answer, _Accepted).id
