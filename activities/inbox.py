"""The inbox activities: open a task in an agency's staff inbox for what the agency cannot do
online (a correction, a withdrawal, a proof-of-effect check), and read what staff did with it.

A correction's task shows staff the corrected fields: a disclosure to the agency like an
amendment, so it is written to the disclosure log as the task opens, under the correction's
key, with the task's id as the agency's reference. The usage ledger already holds the manual
amendment or withdrawal (noted by the activity the agency could not answer online).
"""

from collections.abc import Mapping
from datetime import UTC, datetime

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.submissions import step_of_agency
from adapters.base import AgencyAdapter
from onceonly.disclosures import DisclosureEntry, DisclosureLog
from onceonly.domain import staff_tasks as contract
from onceonly.domain.amendments import correction_idempotency_key
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.inbox import InboxTask, TaskInbox
from onceonly.domain.staff_tasks import (
    DEFAULT_DUE_WORKING_DAYS,
    OpenedTask,
    TaskOutcome,
    TaskRequest,
    working_days_after,
)

log = structlog.get_logger(__name__)


def due_at(adapter: AgencyAdapter | None, opened_at: datetime) -> datetime:
    """When staff should have closed the task: the agency's policy, else a working week."""
    promised = adapter.policy.staff_task_due if adapter is not None else None
    if promised is not None:
        return opened_at + promised
    return working_days_after(opened_at, DEFAULT_DUE_WORKING_DAYS)


def inbox_task(
    request: TaskRequest, step: StepSpec, opened_at: datetime, due: datetime
) -> InboxTask:
    """The task as the store keeps it: the request, with the step's legal basis."""
    return InboxTask(
        task_id=request.task_id,
        kind=request.kind,
        agency=request.agency,
        service=request.service,
        event_id=request.event_id,
        event_type=request.event_type,
        step_id=request.step_id,
        citizen_key=request.citizen_key,
        disclosure=request.disclosure,
        legal_basis_kind=step.legal_basis.kind,
        legal_basis_reference=step.legal_basis.reference,
        receipt=request.receipt,
        receipt_id=request.receipt_id,
        agency_reference=request.agency_reference,
        opened_at=opened_at,
        due_at=due,
    )


def correction_entry(task: InboxTask, request: TaskRequest, step: StepSpec) -> DisclosureEntry:
    """The log's entry for a correction task: the corrected fields' paths (never their values)
    shown to the agency's staff, under the correction's key, the task as the reference."""
    return DisclosureEntry(
        citizen_key=task.citizen_key,
        event_id=task.event_id,
        event_type=task.event_type,
        step_id=task.step_id,
        agency=task.agency,
        service=task.service,
        fields=tuple(task.disclosure),
        legal_basis=step.legal_basis,
        receipt_id=task.receipt_id,
        agency_reference=task.task_id,
        disclosed_at=task.opened_at,
        idempotency_key=correction_idempotency_key(task.event_id, task.step_id, request.number),
    )


class InboxActivities(contract.StaffTaskActivities):
    """The inbox activities, bound to the store's inbox and disclosure log and the worker's
    adapters (for each agency's promised time to close a task)."""

    def __init__(
        self, inbox: TaskInbox, disclosures: DisclosureLog, adapters: Mapping[str, AgencyAdapter]
    ) -> None:
        self._inbox = inbox
        self._disclosures = disclosures
        self._adapters = adapters

    @activity.defn(name=contract.OPEN_INBOX_TASK)
    async def open_inbox_task(self, request: TaskRequest) -> OpenedTask:
        """Open the task, once under its id; a retry finds it open and answers the same."""
        info = activity.info()
        step = step_of_agency(request.event_type, request.step_id, request.agency)
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id, step=request.step_id, agency=request.agency
        ):
            now = datetime.now(UTC)
            fresh = inbox_task(request, step, now, due_at(self._adapters.get(request.agency), now))
            new = await self._inbox.open(fresh)
            task = fresh if new else await self._inbox.get(fresh.task_id)
            if task is None:  # opened and gone: the store lost it, so try again
                raise ApplicationError(f"task {fresh.task_id} not found after opening")
            if task.kind == "correction":
                # Logged after the task is kept: a failed write fails the activity, whose retry
                # finds the task and logs it (one entry per key).
                await self._disclosures.record(correction_entry(task, request, step))
            # Ids and field names only, never values.
            log.info(
                "inbox.opened",
                task_id=task.task_id,
                kind=task.kind,
                new=new,
                fields=sorted(task.disclosure),
            )
            return OpenedTask(task_id=task.task_id, due_at=task.due_at)

    @activity.defn(name=contract.READ_INBOX_TASK)
    async def read_inbox_task(self, task_id: str) -> TaskOutcome:
        """The task's state and what staff answered; not its disclosure."""
        task = await self._inbox.get(task_id)
        if task is None:
            raise ApplicationError(f"no inbox task {task_id}", type="TaskNotFound")
        log.info("inbox.read", task_id=task_id, state=task.state)
        return TaskOutcome(
            task_id=task.task_id,
            kind=task.kind,
            state=task.state,
            reference=task.outcome_reference,
            reason=task.reason,
            closed_at=task.closed_at,
        )
