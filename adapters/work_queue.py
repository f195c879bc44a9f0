"""The work-queue agency kind: an agency without an API, whose staff work through a task
inbox. A step's "submission" opens a task in the agency's inbox (`onceonly.domain.inbox`),
and the step waits, as it does for a slow agency, until staff close it: completed with the
agency's own reference, or rejected with a reason.

The task shows staff more than a disclosure: the event, the step, its legal basis and the
consent receipt, and whose data it is (where their views are logged). `submit(service,
disclosure, key)` carries none of that, so this adapter implements `FilingAdapter.file`, which
takes the whole `AgencySubmission`, and the submission activity calls it in place of `submit`.
An explicit capability, rather than a context variable the activity sets (as it does for the
HTTP adapters' `Consent-Receipt`): the task's context is its substance, not a header, and a
typed argument cannot be forgotten. `submit` without that context refuses.

The task's id is `inbox_task_id(event, step, "submission")`, so a retried activity finds the
task it opened and answers as the first attempt did. The answer is pending, its outcome
arriving by "callback": staff closing the task wake the step (`agency_outcome_ready`, the
task id as reference), and the workflow asks `status`, which reads the task.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyStatus,
    Disclosure,
    ServiceNotOffered,
)
from onceonly.domain.catalogue import CATALOGUE, StepSpec
from onceonly.domain.inbox import InboxTask, TaskInbox, inbox_task_id
from onceonly.domain.submission import AgencySubmission

WORKING_WEEK_ZONE = ZoneInfo("Pacific/Auckland")
"""Where the agencies' working days are counted (a Friday evening in Wellington is Friday)."""
SATURDAY = 5  # date.weekday(): Monday is 0


def working_days_after(start: datetime, days: int) -> datetime:
    """The same time of day `days` working days (Monday to Friday, in New Zealand) after
    `start`; public holidays count as working days (they differ by region)."""
    local = start.astimezone(WORKING_WEEK_ZONE)
    day = local.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < SATURDAY:
            left -= 1
    moved = datetime.combine(day, local.timetz().replace(tzinfo=None), WORKING_WEEK_ZONE)
    return moved.astimezone(UTC)


@dataclass(frozen=True)
class WorkQueuePolicy(AgencyPolicy):
    """How onceonly treats an agency whose staff work through an inbox: when a task is due."""

    due_working_days: int = 5
    """A week's work: what a council or court counter promises for paperwork."""
    due: timedelta | None = None
    """A fixed time in place of working days: a deployment's setting (the local stack's short
    one lets a reminder be seen)."""

    def due_at(self, opened_at: datetime) -> datetime:
        """When a task opened at `opened_at` should be closed."""
        if self.due is not None:
            return opened_at + self.due
        return working_days_after(opened_at, self.due_working_days)


WORK_QUEUE_POLICY = WorkQueuePolicy()


def staff_fields(step: StepSpec, disclosure: Disclosure) -> dict[str, Any]:
    """What staff are shown: the step's disclosed fields by path, in the catalogue's order.
    A field the step does not declare is refused: staff never see more than the step sends."""
    undeclared = sorted(set(disclosure) - set(step.fields))
    if undeclared:
        raise AgencyRejected(step.agency, f"{step.id} does not disclose {undeclared[0]}")
    return {path: disclosure[path] for path in step.fields if path in disclosure}


def _now() -> datetime:
    return datetime.now(UTC)


class WorkQueueAdapter:
    """An agency's side of its steps as tasks in its staff's inbox."""

    def __init__(
        self,
        agency: str,
        inbox: TaskInbox,
        *,
        policy: WorkQueuePolicy = WORK_QUEUE_POLICY,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        """Open `agency`'s tasks in `inbox`, due as `policy` says, timed by `clock`."""
        self.agency = agency
        self.policy: AgencyPolicy = policy
        self.work_queue_policy = policy
        self._inbox = inbox
        self._clock = clock

    def _step(self, service: str) -> StepSpec:
        try:
            return CATALOGUE.step_for(self.agency, service)
        except KeyError:
            raise ServiceNotOffered(self.agency, service) from None

    async def file(self, submission: AgencySubmission) -> AgencyAnswer:
        """Open the step's task (once, however often asked) and answer pending on it."""
        step = self._step(submission.service)
        event_type = submission.event_type or submission.event_id.split("-", 1)[0]
        if step.id != submission.step_id:
            raise AgencyRejected(
                self.agency, f"{submission.service} is step {step.id}, not {submission.step_id}"
            )
        opened_at = self._clock()
        task = InboxTask(
            task_id=inbox_task_id(submission.event_id, submission.step_id, "submission"),
            kind="submission",
            agency=self.agency,
            service=submission.service,
            event_id=submission.event_id,
            event_type=event_type,
            step_id=submission.step_id,
            citizen_key=submission.citizen_key,
            disclosure=staff_fields(step, submission.disclosure),
            legal_basis_kind=step.legal_basis.kind,
            legal_basis_reference=step.legal_basis.reference,
            receipt=submission.receipt,
            receipt_id=submission.receipt_id,
            opened_at=opened_at,
            due_at=self.work_queue_policy.due_at(opened_at),
        )
        if not await self._inbox.open(task):
            # A retry: the task the first attempt opened stands, with its own due time.
            task = await self._task(task.task_id, submission.service)
        return AgencyAnswer(
            reference=task.task_id,
            pending=True,
            follow_up="callback",
            outcome_due=task.due_at - task.opened_at,
        )

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Refused: a task needs the step's context, which only `file` is given."""
        raise AgencyRejected(
            self.agency,
            f"{service} is a task in the staff inbox, opened with its step's context by `file`",
        )

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The task as staff will see it: the inbox, what they are asked, and the fields."""
        step = self._step(service)
        return {
            "inbox": self.agency,
            "task": "submission",
            "service": service,
            "fields": staff_fields(step, disclosure),
        }

    async def status(self, service: str, reference: str) -> AgencyStatus:
        """Where the task stands: open (pending), completed with the agency's reference, or
        rejected with staff's reason."""
        task = await self._task(reference, service)
        if task.state == "open":
            return AgencyStatus(reference=task.task_id, state="pending")
        if task.state == "completed":
            done = task.outcome_reference or task.task_id
            return AgencyStatus(reference=done, state="completed")
        return AgencyStatus(reference=task.task_id, state="rejected", message=task.reason)

    async def _task(self, task_id: str, service: str) -> InboxTask:
        task = await self._inbox.get(task_id)
        if task is None or task.agency != self.agency or task.service != service:
            raise AgencyRejected(self.agency, f"its inbox holds no {service} task {task_id}")
        return task


InboxFactory = Callable[[TaskInbox, timedelta | None], WorkQueueAdapter]
"""Builds a work-queue adapter from the store's inbox and the deployment's due time (None:
the agency's own policy)."""


def work_queue_factory(agency: str, policy: WorkQueuePolicy = WORK_QUEUE_POLICY) -> InboxFactory:
    """The factory of `agency`'s work-queue adapter, due as `policy` says unless the
    deployment sets a due time."""

    def build(inbox: TaskInbox, due: timedelta | None) -> WorkQueueAdapter:
        chosen = policy if due is None else replace(policy, due=due)
        return WorkQueueAdapter(agency, inbox, policy=chosen)

    return build
