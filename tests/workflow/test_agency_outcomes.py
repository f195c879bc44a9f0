"""After an agency accepted a step: a slow agency's outcome, by polling or by its callback,
with operators alerted when it is late; and proof of effect, which reopens a step whose change
did not take effect. On the time-skipping server, with the agency activities faked."""

import asyncio
import uuid
from datetime import date, timedelta
from typing import Any, Literal

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from onceonly.domain import search_attributes
from onceonly.domain.life_event import (
    AgencyOutcomeReady,
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    StepProgress,
    StepRetry,
    StepState,
)
from onceonly.domain.move import MoveData, MoveStart
from onceonly.domain.submission import AgencyAnswer, AgencyStatus, AgencySubmission, StatusCheck
from onceonly.samples import move_request_data
from onceonly.testing import LifeEventWorkers, workflow_worker
from tests.workflow.test_birth_workflow import ANSWERS, STEP_ANSWERS, start_birth
from workflows.birth import BirthWorkflow
from workflows.move import MoveWorkflow

TASK_QUEUE = "birth-test"  # start_birth's queue
IRD_NUMBER = "136410132"
CASE = "IR-CASE-000001"


class SlowIrd:
    """The agency activities, where IRD answers the newborn registration later: by telling
    a poll (`poll`), or by a callback while the poll waits (`callback`)."""

    def __init__(
        self,
        follow_up: Literal["poll", "callback"],
        outcome: Literal["completed", "rejected"] = "completed",
    ) -> None:
        self.follow_up = follow_up
        self.outcome = outcome
        self.submissions: list[AgencySubmission] = []
        self.polls: list[StatusCheck] = []
        self.asked: list[StatusCheck] = []
        self.decided = follow_up == "poll"  # one that calls back decides when a test says

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        self.submissions.append(submission)
        if submission.step_id == "child_ird_number":
            return AgencyAnswer(
                reference=CASE,
                pending=True,
                follow_up=self.follow_up,
                outcome_due=timedelta(days=5),
            )
        return STEP_ANSWERS.get(submission.step_id) or ANSWERS[submission.agency]

    @activity.defn(name="await_agency_outcome")
    async def await_outcome(self, check: StatusCheck) -> AgencyStatus:
        self.polls.append(check)
        return self._decided(check)

    @activity.defn(name="check_agency_status")
    async def status(self, check: StatusCheck) -> AgencyStatus:
        self.asked.append(check)
        if not self.decided:
            return AgencyStatus(reference=check.reference, state="pending")
        return self._decided(check)

    def _decided(self, check: StatusCheck) -> AgencyStatus:
        if self.outcome == "rejected":
            return AgencyStatus(
                reference=check.reference, state="rejected", message="no such birth registered"
            )
        return AgencyStatus(
            reference=check.reference, state="completed", outputs={"child.ird_number": IRD_NUMBER}
        )

    def sent(self) -> dict[str, AgencySubmission]:
        return {submission.step_id: submission for submission in self.submissions}


@pytest.fixture
def env(time_skipping_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping_env


def workers(env: WorkflowEnvironment, fake: Any, task_queue: str = TASK_QUEUE) -> LifeEventWorkers:
    return workflow_worker(
        env,
        activities=[fake.submit, fake.await_outcome, fake.status],
        task_queue=task_queue,
    )


def grant_all(progress: LifeEventProgress) -> ConsentDecisions:
    return ConsentDecisions(
        decisions=tuple(
            ConsentDecision(step_id=step.step_id, decision="grant")
            for step in progress.steps
            if step.state is StepState.AWAITING_CONSENT
        )
    )


def step_of(progress: LifeEventProgress, step_id: str) -> StepProgress:
    return {step.step_id: step for step in progress.steps}[step_id]


async def granted_birth(client: Client) -> WorkflowHandle[Any, Any]:
    handle = await start_birth(client, withdrawal_window=timedelta(0))
    waiting = await handle.query(BirthWorkflow.progress)
    # "grant" at a statutory step (register_birth) is taken as its acknowledgement.
    await handle.execute_update(BirthWorkflow.decide_consent, grant_all(waiting))
    return handle


async def until_submitted(handle: WorkflowHandle[Any, Any], step_id: str) -> StepProgress:
    for _ in range(200):
        step = step_of(await handle.query(BirthWorkflow.progress), step_id)
        if step.state is StepState.SUBMITTED:
            return step
        await asyncio.sleep(0.05)
    raise AssertionError(f"{step_id} never reached submitted")


async def needs_attention(handle: WorkflowHandle[Any, Any]) -> bool | None:
    described = await handle.describe()
    return described.typed_search_attributes.get(search_attributes.NEEDS_ATTENTION)


async def test_a_pending_outcome_is_polled_and_its_facts_reach_the_dependent_step(env):
    ird = SlowIrd("poll")
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    step = step_of(final, "child_ird_number")
    assert (step.reference, step.overdue) == (CASE, False)
    assert step.accepted_at is not None and step.completed_at is not None
    assert step.outcome_due == step.accepted_at + timedelta(days=5)
    assert [(p.reference, p.follow_up, p.agency) for p in ird.polls] == [(CASE, "poll", "ird")]
    # The number IRD issued later is what Best Start received.
    assert ird.sent()["best_start"].disclosure["child.ird_number"] == IRD_NUMBER
    assert ird.asked == []


class RenamingIrd(SlowIrd):
    """IRD as a work queue answers: its task's id first, staff's own reference once decided."""

    def _decided(self, check: StatusCheck) -> AgencyStatus:
        decided = super()._decided(check)
        return decided.model_copy(update={"reference": "IR-STAFF-42"})


async def test_the_step_keeps_the_reference_the_agency_gives_with_its_outcome(env):
    ird = RenamingIrd("poll")
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        final = await handle.result()

    assert [p.reference for p in ird.polls] == [CASE]  # asked under the first reference
    assert step_of(final, "child_ird_number").reference == "IR-STAFF-42"


async def test_a_callback_wakes_the_step_which_asks_the_agency_for_the_outcome(env):
    ird = SlowIrd("callback")
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        waiting = await until_submitted(handle, "child_ird_number")
        assert waiting.reference == CASE
        assert "best_start" not in ird.sent()  # it needs the number IRD has not issued yet
        # Only the agency's own request, under its reference, can be woken.
        for wrong in (
            AgencyOutcomeReady(step_id="child_ird_number", agency="ird", reference="IR-OTHER"),
            AgencyOutcomeReady(step_id="child_ird_number", agency="msd", reference=CASE),
            AgencyOutcomeReady(step_id="best_start", agency="msd", reference=CASE),
        ):
            with pytest.raises(WorkflowUpdateFailedError):
                await handle.execute_update(BirthWorkflow.agency_outcome_ready, wrong)
        ird.decided = True
        ready = AgencyOutcomeReady(step_id="child_ird_number", agency="ird", reference=CASE)
        await handle.execute_update(BirthWorkflow.agency_outcome_ready, ready)
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    assert [check.reference for check in ird.asked] == [CASE]
    assert ird.polls == []  # nothing waits at IRD for a callback
    assert ird.sent()["best_start"].disclosure["child.ird_number"] == IRD_NUMBER


class HeldIrd(SlowIrd):
    """IRD calls back while its answer to the submission is still on its way to onceonly (a
    worker restarting between the two): the submission is held until the test lets it go."""

    def __init__(self) -> None:
        super().__init__("callback")
        self.answer = asyncio.Event()

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        if submission.step_id == "child_ird_number":
            await self.answer.wait()
        return await super().submit(submission)


async def test_a_callback_before_the_submission_is_recorded_is_early_not_wrong(env):
    ird = HeldIrd()
    ready = AgencyOutcomeReady(step_id="child_ird_number", agency="ird", reference=CASE)
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        for _ in range(200):
            step = step_of(await handle.query(BirthWorkflow.progress), "child_ird_number")
            if step.state is StepState.SUBMITTING:
                break
            await asyncio.sleep(0.05)
        with pytest.raises(WorkflowUpdateFailedError) as early:
            await handle.execute_update(BirthWorkflow.agency_outcome_ready, ready)
        # The API answers this one 425, and the agency calls again.
        cause = early.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == "OutcomeNotAwaitedYet"
        ird.answer.set()
        await until_submitted(handle, "child_ird_number")
        ird.decided = True
        await handle.execute_update(BirthWorkflow.agency_outcome_ready, ready)
        final = await handle.result()
    assert final.status is EventStatus.COMPLETED
    assert [check.reference for check in ird.asked] == [CASE]


async def test_a_late_outcome_alerts_operators_and_the_step_keeps_waiting(env):
    ird = SlowIrd("callback")
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        await until_submitted(handle, "child_ird_number")
        assert await needs_attention(handle) is False
        await env.sleep(timedelta(days=6))  # past the 5 days IRD gave
        late = step_of(await handle.query(BirthWorkflow.progress), "child_ird_number")
        assert (late.state, late.overdue) == (StepState.SUBMITTED, True)
        assert await needs_attention(handle) is True
        # Meanwhile IRD was asked now and then, in case a callback was lost.
        assert len(ird.asked) >= 6 * 24 - 1
        ird.decided = True
        ready = AgencyOutcomeReady(step_id="child_ird_number", agency="ird", reference=CASE)
        await handle.execute_update(BirthWorkflow.agency_outcome_ready, ready)
        final = await handle.result()

    done = step_of(final, "child_ird_number")
    assert (done.state, done.overdue) == (StepState.COMPLETED, False)
    assert final.status is EventStatus.COMPLETED
    assert await needs_attention(handle) is False


async def test_an_agency_that_refuses_after_review_fails_the_step_and_skips_its_dependants(env):
    ird = SlowIrd("poll", outcome="rejected")
    async with workers(env, ird):
        handle = await granted_birth(env.client)
        final = await handle.result()

    step = step_of(final, "child_ird_number")
    assert (step.state, step.error) == (StepState.FAILED, "no such birth registered")
    assert step_of(final, "best_start").state is StepState.SKIPPED
    assert "best_start" not in ird.sent()


class LettersToTheDead:
    """The agency activities for a move, where IRD's address change has not taken effect the
    first time it is checked, and has after the operator sends it again."""

    def __init__(self) -> None:
        self.submissions: list[AgencySubmission] = []
        self.checks: list[StatusCheck] = []

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        self.submissions.append(submission)
        return AgencyAnswer(reference=f"{submission.agency}-{len(self.submissions)}")

    @activity.defn(name="await_agency_outcome")
    async def await_outcome(self, check: StatusCheck) -> AgencyStatus:
        raise AssertionError("no step of a move answers later")

    @activity.defn(name="check_agency_status")
    async def status(self, check: StatusCheck) -> AgencyStatus:
        self.checks.append(check)
        effect = "not_in_effect" if len(self.checks) == 1 else "in_effect"
        return AgencyStatus(reference=check.reference, state="completed", effect=effect)


async def test_a_change_that_did_not_take_effect_reopens_the_step_for_operators(env):
    agencies = LettersToTheDead()
    today = date.today()
    data = MoveData.model_validate(move_request_data(today))
    start = MoveStart(
        citizen_key="m" * 32,
        consent_expiry=timedelta(days=30),
        withdrawal_window=timedelta(0),
        retry_window=timedelta(days=7),
        data=data,
    )
    async with workers(env, agencies, task_queue="move-test"):
        handle = await env.client.start_workflow(
            MoveWorkflow.run, start, id=f"move-{uuid.uuid4().hex}", task_queue="move-test"
        )
        waiting = await handle.query(MoveWorkflow.progress)
        await handle.execute_update(MoveWorkflow.decide_consent, grant_all(waiting))
        # A fortnight on, IRD says the address has not changed: the step is reopened.
        for _ in range(200):
            reopened = step_of(await handle.query(MoveWorkflow.progress), "update_ird_address")
            if reopened.state is StepState.FAILED:
                break
            await env.sleep(timedelta(days=1))
        assert (reopened.state, reopened.effect) == (StepState.FAILED, "not_in_effect")
        assert reopened.error is not None and "not taken effect" in reopened.error
        assert await needs_attention(handle) is True
        await handle.execute_update(
            MoveWorkflow.retry_step, StepRetry(step_id="update_ird_address")
        )
        final = await handle.result()

    done = step_of(final, "update_ird_address")
    assert (done.state, done.effect) == (StepState.COMPLETED, "confirmed")
    assert done.confirmed_at is not None
    # Sent again as a new request, under a key of its own; the first stays on record.
    keys = [s.idempotency_key for s in agencies.submissions if s.step_id == "update_ird_address"]
    assert keys == [
        f"{handle.id}/update_ird_address",
        f"{handle.id}/update_ird_address/resubmission-1",
    ]
    assert reopened.reference != done.reference
    assert [c.reference for c in agencies.checks] == [reopened.reference, done.reference]
