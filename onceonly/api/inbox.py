"""The agencies' staff inbox: the tasks of an agency that takes no API call (and what an
agency with one cannot do online), for its staff to list, view, complete or reject
(onceonly.domain.inbox). Every route needs an agency staff token and sees only that agency's
tasks: another agency's task is answered 404, as a missing one is.

Viewing a task shows personal data, so each view is written to the citizen's disclosure log
(who, at which agency, which fields, when) before it is shown. Closing a task writes the
outcome to the shared store, which is the truth, then wakes the life event waiting on it.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Query
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

from onceonly.api.deps import AppSettings, CurrentStaff, SharedStore, Staff, Temporal
from onceonly.api.inbox_views import (
    ClosedTask,
    Completion,
    Rejection,
    StateFilter,
    TaskDetail,
    TaskList,
    basis,
    closed,
    detail,
    summary,
)
from onceonly.api.problems import ProblemError
from onceonly.disclosures import DisclosureEntry
from onceonly.domain.inbox import (
    INBOX_TASK_CLOSED,
    InboxTask,
    InboxTaskClosed,
    TaskClosed,
    TaskNotFound,
)
from onceonly.domain.life_event import AgencyOutcomeReady
from onceonly.receipts import public_jwks
from onceonly.store import Store
from onceonly.usage import UsageEntry, UsageKind, usage_key
from workflows.steps import LifeEventWorkflow

router = APIRouter(prefix="/v1/agency/tasks", tags=["agency staff"])
log = structlog.get_logger(__name__)

MAX_TASKS = 200  # a day's work for a busy desk; older closed tasks are the agency's records
# Waking the life event is a courtesy (it re-reads the inbox hourly): staff wait this long
# for it at most, then have their answer.
WAKE_TIMEOUT = timedelta(seconds=10)
_NO_TASK = "task_id: no such task at your agency"


@router.get("")
async def list_tasks(
    staff: CurrentStaff,
    store: SharedStore,
    state: Annotated[StateFilter, Query(description="Which tasks: `all` for any state.")] = "open",
) -> TaskList:
    """The caller's agency's tasks: open ones by due time, earliest first; closed ones newest
    first; at most 200. Summaries only: no field of any citizen's data."""
    tasks = await store.inbox.for_agency(staff.agency, None if state == "all" else state, MAX_TASKS)
    now = datetime.now(UTC)
    return TaskList(agency=staff.agency, tasks=[summary(task, now) for task in tasks])


@router.get("/{task_id}")
async def read_task(
    task_id: str, staff: CurrentStaff, store: SharedStore, settings: AppSettings
) -> TaskDetail:
    """The task with the fields its step discloses (labelled), its consent receipt checked
    against this deployment's receipt keys, its legal basis, due time and outcome. The view
    is written to the citizen's disclosure log (the fields shown, the caller's name and
    agency) before it is answered: no view goes unlogged."""
    task = await _task_of(store, staff, task_id)
    now = datetime.now(UTC)
    shown = detail(task, now, public_jwks(settings))
    await store.disclosures.record(_view(task, staff, [f.path for f in shown.fields], now))
    return shown


@router.post("/{task_id}/complete")
async def complete_task(
    task_id: str,
    completion: Completion,
    staff: CurrentStaff,
    store: SharedStore,
    temporal: Temporal,
) -> ClosedTask:
    """Staff did what the task asked, under the agency's `reference`: the task is closed as
    completed (409 when it was closed already, by anyone) and the life event is woken.

    The store's close is the truth. Waking the life event afterwards (a submission's step
    as a slow agency's callback does; any other task by the `inbox_task_closed` Update) may
    fail: the event has ended, no longer waits on the task, or Temporal or its workers are
    unreachable for a while. None of these undoes the close, and answering an error would
    only have staff retry into a 409: the answer is 200 with `woken` false, the failure is
    logged (ids only), and the event reads the outcome at its next hourly look at the inbox.
    """
    return await _close(
        store, temporal, staff, task_id, "completed", reference=completion.reference
    )


@router.post("/{task_id}/reject")
async def reject_task(
    task_id: str, rejection: Rejection, staff: CurrentStaff, store: SharedStore, temporal: Temporal
) -> ClosedTask:
    """Staff cannot do what the task asks, for `reason`: the task is closed as rejected (409
    when it was closed already) and the life event is woken, as for completing it (200 with
    `woken` false when it could not be woken now: the close stands)."""
    return await _close(store, temporal, staff, task_id, "rejected", reason=rejection.reason)


async def _task_of(store: Store, staff: Staff, task_id: str) -> InboxTask:
    task = await store.inbox.get(task_id)
    if task is None or task.agency != staff.agency:
        raise ProblemError(404, "Not found", _NO_TASK)
    return task


async def _close(
    store: Store,
    temporal: Client,
    staff: Staff,
    task_id: str,
    outcome: Literal["completed", "rejected"],
    *,
    reference: str | None = None,
    reason: str | None = None,
) -> ClosedTask:
    now = datetime.now(UTC)
    try:
        task = await store.inbox.close(
            task_id,
            staff.agency,
            outcome,
            by=staff.name,
            at=now,
            reference=reference,
            reason=reason,
        )
    except TaskNotFound:
        raise ProblemError(404, "Not found", _NO_TASK) from None
    except TaskClosed:
        raise ProblemError(409, "Task closed", "task_id: this task is closed already") from None
    log.info("inbox.task_closed", task_id=task.task_id, agency=task.agency, outcome=outcome)
    # Woken first: the step waiting on the task matters more than the ledger's line.
    woken = await _wake(temporal, task)
    await store.usage.record(_usage(task, now))
    return closed(task, datetime.now(UTC), woken)


async def _wake(temporal: Client, task: InboxTask) -> bool:
    """Tell the life event its task is closed: True when it took the news now. The Update's
    id is the task's, so a repeated wake-up is one Update."""
    handle = temporal.get_workflow_handle(task.event_id)
    update: Any
    if task.kind == "submission":
        update = LifeEventWorkflow.agency_outcome_ready
        news: Any = AgencyOutcomeReady(
            step_id=task.step_id, agency=task.agency, reference=task.task_id
        )
    else:
        update = INBOX_TASK_CLOSED
        news = InboxTaskClosed(task_id=task.task_id, step_id=task.step_id, kind=task.kind)
    try:
        await handle.execute_update(
            update, news, id=f"inbox-{task.task_id}", rpc_timeout=WAKE_TIMEOUT
        )
    except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as error:
        # The type only: an error's text can quote the workflow's data.
        log.warning(
            "inbox.wake_failed",
            task_id=task.task_id,
            event_id=task.event_id,
            step_id=task.step_id,
            error_type=type(error).__name__,
            status=getattr(getattr(error, "status", None), "name", None),
        )
        return False
    return True


def _view(task: InboxTask, staff: Staff, paths: list[str], now: datetime) -> DisclosureEntry:
    """The disclosure-log entry of one staff view: a key of its own, so every view is one."""
    return DisclosureEntry(
        citizen_key=task.citizen_key,
        event_id=task.event_id,
        event_type=task.event_type,
        step_id=task.step_id,
        agency=task.agency,
        service=task.service,
        fields=tuple(paths),
        legal_basis=basis(task),
        receipt_id=task.receipt_id,
        agency_reference=task.outcome_reference or task.agency_reference or task.task_id,
        disclosed_at=now,
        idempotency_key=f"view/{task.task_id}/{uuid.uuid4()}",
        viewed_by=staff.name,
    )


def _usage(task: InboxTask, at: datetime) -> UsageEntry:
    """The ledger's fact: a submission's outcome (as the step's own outcome check would write
    it, under the same key, so it is one fact), or another task closed by staff."""
    kind: UsageKind = "task_closed"
    key, detail_code = f"inbox/{task.task_id}", f"{task.kind}/{task.state}"
    if task.kind == "submission":
        kind = "completed" if task.state == "completed" else "failed"
        key, detail_code = "outcome", "inbox"
    return UsageEntry(
        key=usage_key(task.event_id, task.step_id, key),
        event_id=task.event_id,
        event_type=task.event_type,
        step_id=task.step_id,
        agency=task.agency,
        service=task.service,
        kind=kind,
        detail=detail_code,
        at=at,
    )
