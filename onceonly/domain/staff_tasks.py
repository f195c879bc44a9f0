"""The inbox activities as workflows see them: what a life event asks an agency's staff to do
when the agency cannot do it online (amend a record with corrected fields, withdraw what a step
made, confirm that a change is in force), and what staff answered.

Pure: workflow code imports this module, never `activities.inbox`, which writes the task to
the store (`onceonly.domain.inbox.TaskInbox`) and the disclosure log.
"""

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from temporalio import activity

from onceonly.domain.inbox import TaskKind, TaskState, inbox_task_id

# Activity type names in every history: renaming one would break replay.
OPEN_INBOX_TASK = "open_inbox_task"
READ_INBOX_TASK = "read_inbox_task"
NO_SUCH_INBOX_TASK = "NoSuchInboxTask"
"""The `inbox_task_closed` Update's refusal: the event opened no such task (or not for that
step and kind)."""
DEFAULT_DUE_WORKING_DAYS = 5
"""How long staff have to close a task when the agency's policy says nothing: a working week."""

StaffKind = Literal["correction", "withdrawal", "effect_check"]
"""The tasks a life event opens itself (a `submission` task is its work-queue adapter's)."""


class Model(BaseModel):
    """Base of the messages here: immutable and strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TaskRequest(Model):
    """A task for the agency's staff, as the workflow asks for it; the activity adds the step's
    legal basis (from the catalogue) and the due time (from the agency's policy)."""

    kind: StaffKind
    number: int = Field(
        default=1, ge=1, description="Which of the step's tasks of this kind (a correction's)."
    )
    event_id: str
    event_type: str
    step_id: str
    agency: str
    service: str
    citizen_key: str
    disclosure: dict[str, Any] = Field(
        default_factory=dict,
        description="For a correction: the corrected fields the step holds, by canonical path; "
        "empty for a withdrawal or a check.",
    )
    agency_reference: str | None = Field(
        default=None, description="The agency's reference of the record the task is about."
    )
    receipt_id: str | None = None
    receipt: str | None = Field(default=None, description="The signed receipt (compact JWS).")

    @property
    def task_id(self) -> str:
        """The task's id: one per (event, step, kind, number), however often it is opened."""
        return inbox_task_id(self.event_id, self.step_id, self.kind, self.number)


class OpenedTask(Model):
    """The task the activity opened (or found open already, for a retried activity)."""

    task_id: str
    due_at: AwareDatetime


class TaskOutcome(Model):
    """What staff did with a task: still open, completed with the agency's reference, or
    rejected with their reason. Never the task's disclosure."""

    task_id: str
    kind: TaskKind
    state: TaskState
    reference: str | None = None
    reason: str | None = None
    closed_at: AwareDatetime | None = None


def working_days_after(start: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `start`, at the same time of day."""
    due = start
    left = days
    while left > 0:
        due += timedelta(days=1)
        if due.weekday() < 5:
            left -= 1
    return due


class StaffTaskActivities:
    """The activities' contract, for `workflow.execute_activity_method`; the worker runs
    `activities.inbox.InboxActivities`, which implements it."""

    @activity.defn(name=OPEN_INBOX_TASK)
    async def open_inbox_task(self, request: TaskRequest) -> OpenedTask:
        """Open the task in the agency's inbox, once however often asked."""
        raise NotImplementedError("run by activities.inbox.InboxActivities")

    @activity.defn(name=READ_INBOX_TASK)
    async def read_inbox_task(self, task_id: str) -> TaskOutcome:
        """The task's state and outcome."""
        raise NotImplementedError("run by activities.inbox.InboxActivities")
