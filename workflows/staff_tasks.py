"""Tasks in an agency's staff inbox: what the agency cannot do online (amend a record, withdraw
what a step made, confirm a change is in force) is asked of its staff, and the event waits
durably for them to close the task.

Staff closing a task send the `inbox_task_closed` Update (workflows/steps.py), which wakes the
wait; the store's close is what counts, so the wait reads the task then, and hourly anyway in
case that Update was lost. Events started before the STAFF_INBOX_TASKS patch leave all this to
an operator, as they did: the patch is asked where such a path is first taken.
"""

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from onceonly.domain.catalogue import StepSpec
from onceonly.domain.inbox import InboxTaskClosed
from onceonly.domain.patches import STAFF_INBOX_TASKS
from onceonly.domain.receipts import SignedReceipt
from onceonly.domain.staff_tasks import (
    NO_SUCH_INBOX_TASK,
    StaffKind,
    StaffTaskActivities,
    TaskOutcome,
    TaskRequest,
)
from workflows import call_options
from workflows.event_state import EventState

SAFETY_READ = timedelta(hours=1)
"""How often to read an open task anyway, in case the Update saying staff closed it was lost."""


class StaffTasks:
    """The event's tasks in agencies' staff inboxes, over its state."""

    def __init__(self, state: EventState) -> None:
        self.state = state
        # Waits that belong to no step or Update (a withdrawal's): kept so they are not lost.
        self._background: set[asyncio.Task[None]] = set()

    def offered(self) -> bool:
        """Whether the event asks staff where an agency cannot act online: known from its start
        input, else asked here, where its path first differs from an older event's."""
        return self.state.staff_inbox or workflow.patched(STAFF_INBOX_TASKS)

    def request(
        self,
        step: StepSpec,
        kind: StaffKind,
        reference: str | None,
        *,
        number: int = 1,
        disclosure: dict[str, Any] | None = None,
        receipt: SignedReceipt | None = None,
    ) -> TaskRequest:
        """The task for `step`'s agency about its record `reference`."""
        state = self.state
        return TaskRequest(
            kind=kind,
            number=number,
            event_id=state.event_id,
            event_type=state.spec.event_type,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            citizen_key=state.start.citizen_key,
            disclosure=disclosure or {},
            agency_reference=reference,
            receipt_id=receipt.receipt_id if receipt else None,
            receipt=receipt.jws if receipt else None,
        )

    async def open(self, request: TaskRequest) -> str:
        """Open the task (once, whatever the retries); its id, which the event now awaits."""
        options = call_options.INBOX_TASK
        opened = await workflow.execute_activity_method(
            StaffTaskActivities.open_inbox_task,
            request,
            start_to_close_timeout=options.start_to_close,
            retry_policy=options.retry_policy,
            summary=f"{request.kind} task at {request.agency}",
        )
        self.state.inbox_tasks[opened.task_id] = InboxTaskClosed(
            task_id=opened.task_id, step_id=request.step_id, kind=request.kind
        )
        return opened.task_id

    def validate_closed(self, closed: InboxTaskClosed) -> None:
        """Only a task the event opened, for that step and kind, can wake it."""
        if self.state.inbox_tasks.get(closed.task_id) != closed:
            raise ApplicationError(
                f"task {closed.task_id!r}: the event opened no {closed.kind} task by that id "
                f"for step {closed.step_id!r}",
                type=NO_SUCH_INBOX_TASK,
            )

    def wake(self, closed: InboxTaskClosed) -> None:
        """Staff closed the task: its wait reads the outcome (a repeat changes nothing)."""
        self.state.inbox_woken.add(closed.task_id)

    async def outcome(self, task_id: str) -> TaskOutcome:
        """Wait until staff have closed the task, and what they did."""
        state = self.state
        while True:
            # Past the hour, read anyway: the Update may have been lost.
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: task_id in state.inbox_woken,
                    timeout=SAFETY_READ,
                    timeout_summary=f"staff task {task_id}",
                )
            # Before reading: an Update that comes during the read wakes the next wait at once.
            state.inbox_woken.discard(task_id)
            options = call_options.INBOX_TASK
            outcome = await workflow.execute_activity_method(
                StaffTaskActivities.read_inbox_task,
                task_id,
                start_to_close_timeout=options.start_to_close,
                retry_policy=options.retry_policy,
                summary=f"read task {task_id}",
            )
            if outcome.state != "open":
                return outcome

    def in_background(self, wait: Coroutine[Any, Any, None]) -> None:
        """Run `wait` beside the event's steps and Updates; the event ends only after it."""
        state = self.state
        state.staff_waits += 1

        async def run() -> None:
            try:
                await wait
            finally:
                state.staff_waits -= 1

        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)
