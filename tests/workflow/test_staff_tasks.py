"""What an agency cannot do online becomes a task in its staff inbox, and the event waits for
staff to close it: a correction, a withdrawal, a proof-of-effect check. On the time-skipping
server with the real mock agencies on loopback and a real SQLite store (tests/workflow/
test_corrections.py has the stack); staff close each task as the inbox API does, in the store
and then by the `inbox_task_closed` Update."""

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError

from activities.status import AgencyStatusChecks
from adapters.base import AgencyAdapter, Disclosure
from onceonly.domain.corrections import CorrectionProgress
from onceonly.domain.inbox import INBOX_TASK_CLOSED, InboxTaskClosed, inbox_task_id
from onceonly.domain.life_event import StepProgress, StepState, StepWithdrawal
from onceonly.domain.staff_tasks import NO_SUCH_INBOX_TASK, working_days_after
from tests.workflow.test_corrections import (
    CITIZEN,
    NEW_PHONE,
    NEW_PHONE_STORED,
    SETTLE_SECONDS,
    Stack,
    by_step,
    grant_all,
    order,
    settled,
    stack,
    start_move,
)
from workflows.corrections import with_staff_note
from workflows.move import MoveWorkflow as Move
from workflows.staff_tasks import SAFETY_READ

__all__ = ["stack"]  # the fixture, shared with the corrections' tests

COUNCIL_STEP = "council_dog_registration"  # holds `mover.phone`; the council amends nothing online
ACC_STEP = "update_acc_address"  # holds it too; ACC amends nothing online either


async def correcting_phone(stack: Stack, handle: WorkflowHandle[Any, Any]) -> Any:
    """A move sent everywhere, then its phone corrected: the Update, accepted."""
    await grant_all(handle)
    await settled(stack, handle)
    return await handle.start_update(
        Move.correct_fields,
        order(("mover.phone", NEW_PHONE)),
        wait_for_stage=WorkflowUpdateStage.ACCEPTED,
    )


async def phone_tasks(stack: Stack, handle: WorkflowHandle[Any, Any]) -> dict[str, Any]:
    """The correction's tasks, by step: the council's and ACC's."""
    tasks = {task.step_id: task for task in await stack.open_tasks(handle.id, 2)}
    assert set(tasks) == {COUNCIL_STEP, ACC_STEP}
    return tasks


async def correction_when(
    handle: WorkflowHandle[Any, Any], state: str, within: float = SETTLE_SECONDS
) -> CorrectionProgress:
    deadline = time.monotonic() + within
    while (correction := (await handle.query(Move.corrections))[0]).state != state:
        assert time.monotonic() < deadline, correction
        await asyncio.sleep(0.1)
    return correction


async def step_when(handle: WorkflowHandle[Any, Any], step_id: str, check: Any) -> StepProgress:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        step = {s.step_id: s for s in (await handle.query(Move.progress)).steps}[step_id]
        if check(step):
            return step
        assert time.monotonic() < deadline, step
        await asyncio.sleep(0.1)


async def test_a_correction_waits_for_the_staff_of_an_agency_that_cannot_amend_online(stack):
    async with stack.worker():
        handle = await start_move(stack)
        correcting = await correcting_phone(stack, handle)
        tasks = await phone_tasks(stack, handle)
        task = tasks[COUNCIL_STEP]
        waiting = await correction_when(handle, "in_progress")
        await stack.close(handle, tasks[ACC_STEP])
        await asyncio.sleep(0.5)  # however long the council's staff take, it is not done
        assert (await handle.query(Move.corrections))[0].state == "in_progress"
        await stack.close(handle, task)
        correction = await correcting.result()
        progress = {s.step_id: s for s in (await handle.query(Move.progress)).steps}

    # The task: the council's, about its record of the step, showing the corrected field only.
    assert (task.kind, task.agency, task.step_id) == ("correction", "council", COUNCIL_STEP)
    assert task.task_id == inbox_task_id(handle.id, COUNCIL_STEP, "correction", 1)
    assert task.disclosure == {"mover.phone": NEW_PHONE_STORED}
    assert task.citizen_key == CITIZEN
    assert task.agency_reference == progress[COUNCIL_STEP].reference
    assert task.legal_basis_kind == "statute"
    assert task.receipt_id == by_step(correction)[COUNCIL_STEP].receipt_id
    assert task.receipt is not None and NEW_PHONE not in task.receipt
    assert task.due_at == working_days_after(task.opened_at, 5)
    council = by_step(waiting)[COUNCIL_STEP]
    assert (council.state, council.note) == ("with_staff", with_staff_note(task.task_id))
    assert correction.state == "done"
    done = by_step(correction)[COUNCIL_STEP]
    assert (done.state, done.reference) == ("sent", "STAFF-council-1")
    assert done.note == "Amended by the agency's staff (STAFF-council-1)."


async def test_staff_who_cannot_amend_fail_that_agencys_correction_with_their_reason(stack):
    async with stack.worker():
        handle = await start_move(stack)
        correcting = await correcting_phone(stack, handle)
        tasks = await phone_tasks(stack, handle)
        await stack.close(handle, tasks[ACC_STEP])
        await stack.close(handle, tasks[COUNCIL_STEP], "rejected")
        correction = await correcting.result()

    assert correction.state == "done"
    council = by_step(correction)[COUNCIL_STEP]
    assert council.state == "failed"
    assert council.note == "The agency's staff did not amend it: no such record here"
    assert {a.state for s, a in by_step(correction).items() if s != COUNCIL_STEP} == {"sent"}


async def test_a_lost_wake_up_is_made_good_by_reading_the_task_hourly(stack):
    async with stack.worker():
        handle = await start_move(stack)
        correcting = await correcting_phone(stack, handle)
        for task in (await phone_tasks(stack, handle)).values():
            await stack.close(handle, task, wake=False)  # the Update never arrives
        await asyncio.sleep(0.5)
        assert (await handle.query(Move.corrections))[0].state == "in_progress"
        await stack.env.sleep(SAFETY_READ + timedelta(minutes=1))
        correction = await correcting.result()

    assert correction.state == "done"
    assert by_step(correction)[COUNCIL_STEP].reference == "STAFF-council-1"
    assert by_step(correction)[ACC_STEP].reference == "STAFF-acc-1"


async def test_the_update_wakes_only_a_task_the_event_opened(stack):
    async with stack.worker():
        handle = await start_move(stack)
        correcting = await correcting_phone(stack, handle)
        tasks = await phone_tasks(stack, handle)
        task = tasks[COUNCIL_STEP]
        wrong = [
            InboxTaskClosed(task_id="T-000000000000", step_id=COUNCIL_STEP, kind="correction"),
            InboxTaskClosed(task_id=task.task_id, step_id="council_rates", kind="correction"),
            InboxTaskClosed(task_id=task.task_id, step_id=COUNCIL_STEP, kind="withdrawal"),
        ]
        for closed in wrong:
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(INBOX_TASK_CLOSED, closed)
            cause = refused.value.cause
            assert isinstance(cause, ApplicationError)
            assert cause.type == NO_SUCH_INBOX_TASK
            assert closed.task_id in cause.message
        for each in tasks.values():
            await stack.close(handle, each)
        await correcting.result()
        # Told twice (two APIs, a retry): the second changes nothing.
        again = InboxTaskClosed(task_id=task.task_id, step_id=COUNCIL_STEP, kind="correction")
        await handle.execute_update(INBOX_TASK_CLOSED, again)
        assert (await handle.query(Move.corrections))[0].state == "done"


@pytest.mark.parametrize("outcome", ["completed", "rejected"])
async def test_a_withdrawal_the_agency_takes_only_from_a_person_is_a_staff_task(stack, outcome):
    step_id = ACC_STEP  # ACC withdraws nothing online
    async with stack.worker():
        handle = await start_move(stack)
        await grant_all(handle)
        references = await settled(stack, handle)
        snapshot = await handle.execute_update(
            Move.withdraw_consent, StepWithdrawal(step_id=step_id)
        )
        asked = {s.step_id: s for s in snapshot.progress.steps}[step_id]
        [task] = await stack.open_tasks(handle.id, 1)
        await stack.close(handle, task, outcome)
        done = await step_when(handle, step_id, lambda s: s.note != asked.note)

    assert (task.kind, task.agency, task.disclosure) == ("withdrawal", "acc", {})
    assert task.agency_reference == references[step_id]
    assert asked.state is StepState.WITHDRAWN
    assert asked.note == (
        f"Consent withdrawn. The agency's staff were asked to withdraw it (task {task.task_id})."
    )
    assert done.state is StepState.WITHDRAWN
    if outcome == "completed":
        assert (
            done.note == "Consent withdrawn: the agency's staff withdrew the record (STAFF-acc-1)."
        )
    else:
        assert done.note == (
            "Consent withdrawn, but the agency's staff did not withdraw the record: "
            "no such record here"
        )


class WithoutStatus:
    """IRD's adapter, unable to say where a request stands (as an agency without an API)."""

    def __init__(self, adapter: AgencyAdapter) -> None:
        self._adapter = adapter
        self.agency = adapter.agency
        self.policy = adapter.policy

    async def submit(self, service: str, disclosure: Disclosure, idempotency_key: str) -> Any:
        return await self._adapter.submit(service, disclosure, idempotency_key)

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        return await self._adapter.preview(service, disclosure)


@pytest.mark.parametrize("outcome", ["completed", "rejected"])
async def test_proof_of_effect_an_agency_cannot_give_by_api_is_asked_of_its_staff(stack, outcome):
    step_id = "update_ird_address"  # checked a fortnight on
    stack.adapters["ird"] = WithoutStatus(stack.adapters["ird"])
    statuses = AgencyStatusChecks(stack.adapters)
    async with stack.worker(statuses.check_agency_status):
        handle = await start_move(stack)
        await grant_all(handle)
        references = await settled(stack, handle)
        await stack.env.sleep(timedelta(days=15))
        [task] = await stack.open_tasks(handle.id, 1)
        unchecked = await step_when(handle, step_id, lambda s: True)
        await stack.close(handle, task, outcome)
        done = await step_when(handle, step_id, lambda s: s.effect != "unchecked")

    assert (task.kind, task.agency, task.disclosure) == ("effect_check", "ird", {})
    assert task.agency_reference == references[step_id]
    assert (unchecked.state, unchecked.effect) == (StepState.COMPLETED, "unchecked")
    if outcome == "completed":
        assert (done.state, done.effect) == (StepState.COMPLETED, "confirmed")
        assert done.confirmed_at is not None
    else:  # reopened for an operator, as when the agency says so itself
        assert (done.state, done.effect) == (StepState.FAILED, "not_in_effect")
        assert done.error is not None
        assert done.error.endswith("(the agency's staff: no such record here)")
