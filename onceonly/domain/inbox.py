"""The staff work queue: tasks an agency's staff work through in a web inbox, for agencies
that take no API call, and for what an agency with an API cannot do online (a correction, a
withdrawal that needs a person, a proof-of-effect check it cannot answer).

A task is opened by the worker (the work-queue adapter's `submit`, or the workflow's activity
for a correction, withdrawal or check left to a person), idempotently under a key derived from
its event, step, kind and number, so a retried activity opens it once. Staff of the task's
agency, and only they, list, view, complete (with the agency's reference) or reject (with a
reason) it; the first close wins, however many APIs take the request at once. Every view is
written to the citizen's disclosure log. The store keeps tasks (`onceonly.store`), shared by
every API and worker; the disclosure it holds is personal data, kept sealed at rest.
"""

import hashlib
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

TaskKind = Literal["submission", "correction", "withdrawal", "effect_check"]
"""What staff are asked to do: record a step's request (an agency without an API); amend
the agency's record with corrected fields; withdraw what a step made; confirm that a step's
change is in force."""
TaskState = Literal["open", "completed", "rejected"]
TASK_KINDS: tuple[TaskKind, ...] = ("submission", "correction", "withdrawal", "effect_check")


class TaskClosed(Exception):
    """The task is closed already (by someone else, or before): nothing changed."""


class TaskNotFound(LookupError):
    """No such task at this agency (staff of another agency are told the same)."""


def inbox_task_id(event_id: str, step_id: str, kind: TaskKind, number: int = 1) -> str:
    """The task's id: the same for every retry of the activity that opens it, and naming no
    one (a hash of ids), in the form staff read out on the phone: `T-3F9K2QH7XW4M`."""
    digest = hashlib.sha256(f"{event_id}/{step_id}/{kind}/{number}".encode()).hexdigest()
    return f"T-{digest[:12].upper()}"


class InboxTask(BaseModel):
    """One task in an agency's inbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str = Field(description="See `inbox_task_id`.")
    kind: TaskKind
    agency: str = Field(description="The agency whose staff may see and close it.")
    service: str
    event_id: str
    event_type: str
    step_id: str
    citizen_key: str = Field(description="Whose data it is: where staff views are logged.")
    disclosure: dict[str, Any] = Field(
        description="The step's fields by canonical path, as the step discloses them (for a "
        "correction, corrected); empty for a withdrawal or a check, which need only the "
        "reference. Personal data: the store keeps it sealed."
    )
    legal_basis_kind: str = Field(description="The step's legal basis: `consent` or `statute`.")
    legal_basis_reference: str | None = None
    receipt: str | None = Field(
        default=None, description="The consent receipt (compact JWS) that lets the task go."
    )
    receipt_id: str | None = None
    agency_reference: str | None = Field(
        default=None,
        description="The agency's reference of the record the task is about (for a "
        "correction, withdrawal or check); None for a submission.",
    )
    opened_at: AwareDatetime
    due_at: AwareDatetime = Field(description="When the agency promised to have closed it.")
    state: TaskState = "open"
    outcome_reference: str | None = Field(
        default=None, description="On `completed`: the agency's reference for what it did."
    )
    reason: str | None = Field(default=None, description="On `rejected`: why, in staff's words.")
    closed_by: str | None = Field(default=None, description="The staff member who closed it.")
    closed_at: AwareDatetime | None = None
    reminded_at: AwareDatetime | None = Field(
        default=None, description="When the agency was last reminded that it is overdue."
    )

    @field_validator("opened_at", "due_at", "closed_at", "reminded_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)

    def overdue(self, now: datetime) -> bool:
        """Still open after its due time."""
        return self.state == "open" and now >= self.due_at


class TaskInbox(Protocol):
    """Where tasks are kept: the worker opens them and reads their outcome, the API lists,
    shows and closes them for the agency's staff."""

    async def open(self, task: InboxTask) -> bool:
        """Keep `task` unless one with its id is kept already (then nothing changes); True
        when it was new."""
        ...

    async def get(self, task_id: str) -> InboxTask | None:
        """The task, whatever its agency or state; None when there is none."""
        ...

    async def for_agency(
        self, agency: str, state: TaskState | None = "open", limit: int = 100
    ) -> list[InboxTask]:
        """The agency's tasks in `state` (any when None): open ones by due time, earliest
        first; closed ones newest first; at most `limit`."""
        ...

    async def close(
        self,
        task_id: str,
        agency: str,
        outcome: Literal["completed", "rejected"],
        *,
        by: str,
        at: datetime,
        reference: str | None = None,
        reason: str | None = None,
    ) -> InboxTask:
        """Close the open task (completed with `reference`, or rejected with `reason`) in one
        conditional write: of any number of closes at once, one wins. TaskNotFound when the
        agency has no such task; TaskClosed when it is closed already."""
        ...

    async def overdue(
        self, now: datetime, remind_every: float, limit: int = 100
    ) -> list[InboxTask]:
        """Open tasks past their due time not reminded within `remind_every` seconds."""
        ...

    async def claim_reminder(self, task_id: str, previous: datetime | None, at: datetime) -> bool:
        """Mark the task reminded at `at` if its last reminder is still `previous`: True for
        the one process that may send this reminder."""
        ...


INBOX_TASK_CLOSED = "inbox_task_closed"
"""The life event's Update that staff closing a task (other than a submission's) sends; a
submission's task wakes its step as a slow agency's callback does (`agency_outcome_ready`,
the task id as the reference)."""


class InboxTaskClosed(BaseModel):
    """Staff closed a task the life event waits on: it reads the outcome from the inbox."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task_id: str
    step_id: str
    kind: TaskKind
