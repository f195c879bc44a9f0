"""The birth workflow on the time-skipping test server, with the agency activity mocked."""

import asyncio
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowHistory,
    WorkflowUpdateFailedError,
)
from temporalio.common import TypedSearchAttributes
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from adapters.base import AgencyRejected, AgencyUnavailable
from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    StepRetry,
    StepState,
)
from onceonly.domain.patches import (
    AGENCY_LIFECYCLE,
    BATCHED_BOOKKEEPING,
    CONSENT_V2,
    LATEST_PATCH,
)
from onceonly.domain.progress import indexed_state, initial_progress
from onceonly.domain.search_attributes import state_pairs
from onceonly.domain.submission import AgencyAnswer, AgencySubmission, agency_task_queue
from onceonly.samples import birth_request_data
from onceonly.testing import LifeEventWorkers, workflow_worker
from tests.recorded import patch_ids, submission_queues
from workflows.birth import BirthWorkflow
from workflows.patches import PatchUnknown, started_with

TASK_QUEUE = "birth-test"
ANSWERS = {
    "bdm": AgencyAnswer(
        reference="2026/000001", outputs={"child.birth_registration_number": "2026/000001"}
    ),
    "ird": AgencyAnswer(reference="IRD-CASE-1", outputs={"child.ird_number": "136410132"}),
    "msd": AgencyAnswer(reference="BS-000001"),
    "health": AgencyAnswer(reference="ENR-1", outputs={"child.nhi_number": "ZZZ00AC"}),
}
# Health's second birth service answers with its own reference.
STEP_ANSWERS = {"immunisation_register": AgencyAnswer(reference="NIR-000001")}


class FakeAgencies:
    """Stands in for the agency activity: records each submission, answers from ANSWERS."""

    def __init__(self, rejecting: str | None = None) -> None:
        self.submissions: list[AgencySubmission] = []
        self.rejecting = rejecting

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        self.submissions.append(submission)
        if submission.agency == self.rejecting:
            raise AgencyRejected(submission.agency, "childSurname: must be at most 30 characters")
        return STEP_ANSWERS.get(submission.step_id) or ANSWERS[submission.agency]


@pytest.fixture
def env(time_skipping_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """The kit's time-skipping server (onceonly.testing), under this module's short name."""
    return time_skipping_env


async def start_birth(
    client: Client,
    expiry: timedelta = timedelta(days=30),
    withdrawal_window: timedelta = timedelta(days=30),
    started_with_patch: str | None = None,
    own_queue_agencies: tuple[str, ...] | None = None,
) -> WorkflowHandle:
    data = BirthData.model_validate(birth_request_data(date.today()))
    start = BirthStart(
        citizen_key="c" * 32,
        consent_expiry=expiry,
        withdrawal_window=withdrawal_window,
        data=data,
        started_with_patch=started_with_patch,
        own_queue_agencies=own_queue_agencies,
    )
    return await client.start_workflow(
        BirthWorkflow.run, start, id=f"birth-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )


def decisions(**by_step: str) -> ConsentDecisions:
    return ConsentDecisions(
        decisions=tuple(ConsentDecision(step_id=s, decision=d) for s, d in by_step.items())
    )


def states(progress: LifeEventProgress) -> dict[str, StepState]:
    return {step.step_id: step.state for step in progress.steps}


def worker(env: WorkflowEnvironment, agencies: FakeAgencies) -> LifeEventWorkers:
    return workflow_worker(
        env, workflows=[BirthWorkflow], activities=[agencies.submit], task_queue=TASK_QUEUE
    )


async def test_all_granted_completes_and_each_agency_gets_exactly_its_fields(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_birth(env.client)
        await handle.execute_update(
            BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
        )
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    assert set(states(final).values()) == {StepState.COMPLETED}
    assert {s.step_id: s.reference for s in final.steps}["best_start"] == "BS-000001"
    sent = {submission.step_id: submission for submission in agencies.submissions}
    assert set(sent) == {s.id for s in BIRTH.steps}
    for step in BIRTH.steps:
        assert tuple(sent[step.id].disclosure) == step.fields
        assert sent[step.id].idempotency_key == f"{handle.id}/{step.id}"
    # Facts issued by one agency are disclosed to the steps that need them.
    assert sent["child_ird_number"].disclosure["child.birth_registration_number"] == "2026/000001"
    assert sent["best_start"].disclosure["child.ird_number"] == "136410132"
    assert sent["register_birth"].disclosure["child.name"]["family_name"] == "Ngāta-Synthetic"


async def test_decline_skips_the_step_and_its_dependants(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_birth(env.client)
        await handle.execute_update(
            BirthWorkflow.decide_consent,
            decisions(
                register_birth="grant",
                child_ird_number="decline",
                health_enrolment="grant",
                immunisation_register="grant",
            ),
        )
        final = await handle.result()

    assert states(final) == {
        "register_birth": StepState.COMPLETED,
        "child_ird_number": StepState.DECLINED,
        "best_start": StepState.SKIPPED,
        "health_enrolment": StepState.COMPLETED,
        "immunisation_register": StepState.COMPLETED,
    }
    assert final.status is EventStatus.PARTIALLY_COMPLETED
    assert {s.agency for s in agencies.submissions} == {"bdm", "health"}


async def test_query_shows_every_checkpoint_awaiting_consent(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(env.client)
        progress = await handle.query(BirthWorkflow.progress)

    assert progress.status is EventStatus.AWAITING_CONSENT
    assert progress.event_id == handle.id
    assert set(states(progress).values()) == {StepState.AWAITING_CONSENT}


async def test_update_validator_rejects_unknown_and_already_decided_steps(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(env.client)
        with pytest.raises(WorkflowUpdateFailedError) as unknown:
            await handle.execute_update(
                BirthWorkflow.decide_consent, decisions(register_birth="grant", passport="grant")
            )
        assert isinstance(unknown.value.cause, ApplicationError)
        assert "'passport': no such step" in unknown.value.cause.message
        # The batch was rejected whole: the valid decision in it did not apply either.
        progress = await handle.query(BirthWorkflow.progress)
        assert states(progress)["register_birth"] is StepState.AWAITING_CONSENT

        await handle.execute_update(BirthWorkflow.decide_consent, decisions(best_start="decline"))
        with pytest.raises(WorkflowUpdateFailedError) as again:
            await handle.execute_update(BirthWorkflow.decide_consent, decisions(best_start="grant"))
        assert isinstance(again.value.cause, ApplicationError)
        assert "'best_start': is declined, not awaiting consent" in again.value.cause.message


async def test_an_unanswered_checkpoint_expires_and_skips_its_granted_dependants(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(env.client, expiry=timedelta(days=14))
        await handle.execute_update(
            BirthWorkflow.decide_consent,
            decisions(
                child_ird_number="grant",
                best_start="grant",
                health_enrolment="grant",
                immunisation_register="grant",
            ),
        )
        final = await handle.result()  # the test server skips the 14 days

    assert states(final) == {
        "register_birth": StepState.EXPIRED,
        "child_ird_number": StepState.SKIPPED,
        "best_start": StepState.SKIPPED,
        "health_enrolment": StepState.SKIPPED,
        "immunisation_register": StepState.SKIPPED,
    }
    assert final.status is EventStatus.PARTIALLY_COMPLETED


async def test_checkpoints_nobody_answers_all_expire(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(env.client, expiry=timedelta(days=30))
        final = await handle.result()

    # The register's checkpoint expires with enrolment's, or is skipped when enrolment does.
    assert {
        s: st for s, st in states(final).items() if s != "immunisation_register"
    } == dict.fromkeys(
        ("register_birth", "child_ird_number", "best_start", "health_enrolment"), StepState.EXPIRED
    )
    assert states(final)["immunisation_register"] in {StepState.EXPIRED, StepState.SKIPPED}


async def test_agency_rejection_fails_the_step_with_its_message(env):
    agencies = FakeAgencies(rejecting="ird")
    async with worker(env, agencies):
        handle = await start_birth(env.client)
        await handle.execute_update(
            BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
        )
        final = await handle.result()

    by_step = {s.step_id: s for s in final.steps}
    assert by_step["child_ird_number"].state is StepState.FAILED
    assert "must be at most 30 characters" in (by_step["child_ird_number"].error or "")
    assert by_step["best_start"].state is StepState.SKIPPED
    assert by_step["health_enrolment"].state is StepState.COMPLETED
    assert final.status is EventStatus.PARTIALLY_COMPLETED
    # A rejection is not retried.
    assert [s.agency for s in agencies.submissions].count("ird") == 1


class FlakyAgencies(FakeAgencies):
    """An agency that is down (AgencyUnavailable) until `fixed` is set."""

    def __init__(self, down: str) -> None:
        super().__init__()
        self.down = down
        self.fixed = False

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        if submission.agency == self.down and not self.fixed:
            raise AgencyUnavailable(submission.agency, "HTTP 503: down for maintenance")
        return await super().submit(submission)


async def test_a_step_given_up_on_waits_for_an_operator_retry_then_completes(env):
    agencies = FlakyAgencies(down="ird")
    async with worker(env, agencies):
        data = BirthData.model_validate(birth_request_data(date.today()))
        start = BirthStart(
            citizen_key="c" * 32,
            consent_expiry=timedelta(days=30),
            agency_give_up_after=timedelta(minutes=5),
            data=data,
        )
        handle = await env.client.start_workflow(
            BirthWorkflow.run, start, id=f"birth-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
        )
        await handle.execute_update(
            BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
        )
        with pytest.raises(WorkflowUpdateFailedError) as not_failed:
            await handle.execute_update(BirthWorkflow.retry_step, StepRetry(step_id="best_start"))
        assert isinstance(not_failed.value.cause, ApplicationError)
        assert "not a failed step open to retry" in not_failed.value.cause.message
        # Let the test server skip past the give-up deadline, then look.
        await env.sleep(timedelta(minutes=10))
        failed = await handle.query(BirthWorkflow.progress)
        by_step = {s.step_id: s for s in failed.steps}
        assert by_step["child_ird_number"].state is StepState.FAILED
        assert "gave up after retrying" in (by_step["child_ird_number"].error or "")
        assert "down for maintenance" in (by_step["child_ird_number"].error or "")
        assert by_step["best_start"].state is StepState.GRANTED  # held back, not skipped
        assert failed.status is EventStatus.IN_PROGRESS

        agencies.fixed = True
        await handle.execute_update(BirthWorkflow.retry_step, StepRetry(step_id="child_ird_number"))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    by_step = {s.step_id: s for s in final.steps}
    assert by_step["child_ird_number"].attempts == 2
    assert by_step["best_start"].state is StepState.COMPLETED


async def test_a_new_event_puts_the_baby_on_the_immunisation_register_after_enrolment(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_birth(env.client)
        waiting = await handle.query(BirthWorkflow.progress)
        assert "immunisation_register" in states(waiting)
        await handle.execute_update(
            BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
        )
        final = await handle.result()
        history = await handle.fetch_history()

    assert states(final)["immunisation_register"] is StepState.COMPLETED
    assert {s.step_id: s.reference for s in final.steps}["immunisation_register"] == "NIR-000001"
    order = [submission.step_id for submission in agencies.submissions]
    assert order.index("health_enrolment") < order.index("immunisation_register")
    sent = {submission.step_id: submission for submission in agencies.submissions}
    # The NHI number Health issued at enrolment is what the register receives.
    assert sent["immunisation_register"].disclosure["child.nhi_number"] == "ZZZ00AC"
    assert sent["immunisation_register"].idempotency_key == f"{handle.id}/immunisation_register"
    # A new event records that it took the latest patch, so its replays take it too, and
    # with it every built-in patch before it: one marker for them all.
    assert patch_ids(history) == [BATCHED_BOOKKEEPING]


def indexed_statuses(history: WorkflowHistory) -> list[str]:
    """The status each of the workflow's own upserts indexed, in order."""
    return [
        json.loads(
            event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields[
                "OnceonlyStatus"
            ].data
        )
        for event in history.events
        if event.HasField("upsert_workflow_search_attributes_event_attributes")
        # not the SDK's own upsert that comes with a patch marker
        and "OnceonlyStatus"
        in event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    ]


def local_activities(history: WorkflowHistory) -> list[str]:
    """The type of each local activity the history records, in order."""
    markers = [
        event.marker_recorded_event_attributes
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
        and event.marker_recorded_event_attributes.marker_name == "core_local_activity"
    ]
    return [json.loads(m.details["data"].payloads[0].data)["activity_type"] for m in markers]


async def grant_all_and_fetch_history(
    handle: WorkflowHandle,
) -> tuple[LifeEventProgress, WorkflowHistory]:
    await handle.execute_update(
        BirthWorkflow.decide_consent, decisions(**{s.id: "grant" for s in BIRTH.steps})
    )
    return await handle.result(), await handle.fetch_history()


async def test_a_granted_birth_keeps_its_bookkeeping_to_a_few_history_events(env):
    async with worker(env, FakeAgencies()):
        final, history = await grant_all_and_fetch_history(await start_birth(env.client))

    assert final.status is EventStatus.COMPLETED
    # Every checkpoint's preview in one local activity, every decision's receipt in another.
    # In either order: a grant may come in before the previews are recorded.
    assert sorted(local_activities(history)) == ["preview_disclosures", "sign_receipts"]
    # One upsert per change of what is indexed: five checkpoints granted at once are one. On a
    # busy machine the grant may reach the event's first workflow task, which then never
    # indexes it as awaiting consent.
    assert indexed_statuses(history) in (
        ["awaiting_consent", "in_progress", "completed"],
        ["in_progress", "completed"],
    )


async def test_an_event_started_with_its_state_indexed_upserts_only_its_changes(env):
    # As the API starts an event: with the state its workflow would index first.
    data = BirthData.model_validate(birth_request_data(date.today()))
    start = BirthStart(
        citizen_key="c" * 32,
        consent_expiry=timedelta(days=30),
        withdrawal_window=timedelta(0),
        data=data,
    )
    event_id = f"birth-{uuid.uuid4().hex}"
    dossier = data.model_dump(mode="json")
    progress = initial_progress(BIRTH, event_id, start, dossier, datetime.now(UTC))
    indexed = state_pairs(indexed_state(progress.status, progress.steps), progress.started_at)
    async with worker(env, FakeAgencies()):
        handle = await env.client.start_workflow(
            BirthWorkflow.run,
            start,
            id=event_id,
            task_queue=TASK_QUEUE,
            search_attributes=TypedSearchAttributes(indexed),
        )
        final, history = await grant_all_and_fetch_history(handle)

    assert final.status is EventStatus.COMPLETED
    assert indexed_statuses(history) == ["in_progress", "completed"]


def test_a_starter_that_names_a_patch_had_it_and_every_patch_before_it():
    assert not started_with(None, CONSENT_V2)  # named none: only a marker can tell
    assert started_with(LATEST_PATCH, CONSENT_V2)
    assert started_with(LATEST_PATCH, LATEST_PATCH)
    assert started_with(AGENCY_LIFECYCLE, CONSENT_V2)
    assert not started_with(AGENCY_LIFECYCLE, BATCHED_BOOKKEEPING)
    with pytest.raises(PatchUnknown, match="'from-a-newer-release'"):
        started_with("from-a-newer-release", CONSENT_V2)


async def test_an_event_whose_starter_names_the_latest_patch_takes_it_without_a_marker(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(
            env.client, withdrawal_window=timedelta(0), started_with_patch=LATEST_PATCH
        )
        final, history = await grant_all_and_fetch_history(handle)

    assert final.status is EventStatus.COMPLETED
    # Every patch taken: the added step, and the batched bookkeeping.
    assert states(final)["immunisation_register"] is StepState.COMPLETED
    # In either order: a grant may come in before the previews are recorded.
    assert sorted(local_activities(history)) == ["preview_disclosures", "sign_receipts"]
    # No marker, so no upsert of the SDK's own with it: every upsert is the event's state.
    assert patch_ids(history) == []
    upserts = [
        e
        for e in history.events
        if e.HasField("upsert_workflow_search_attributes_event_attributes")
    ]
    statuses = indexed_statuses(history)
    assert len(upserts) == len(statuses)
    # Awaiting consent first, unless the grant reached the event's first workflow task.
    assert statuses[-2:] == ["in_progress", "completed"]


async def agency_call_queues(env, own_queue_agencies: tuple[str, ...] | None) -> set[str]:
    """The task queues a granted birth's agency calls were scheduled on."""
    async with worker(env, FakeAgencies()):
        handle = await start_birth(
            env.client,
            withdrawal_window=timedelta(0),
            started_with_patch=LATEST_PATCH,
            own_queue_agencies=own_queue_agencies,
        )
        final, history = await grant_all_and_fetch_history(handle)
    assert final.status is EventStatus.COMPLETED
    return submission_queues(history)


async def test_only_the_agencies_the_starter_names_have_calls_on_a_queue_of_their_own(env):
    # The others' limits were lifted: their calls share the workflow's queue.
    assert await agency_call_queues(env, ("bdm", "ird")) == {
        TASK_QUEUE,
        agency_task_queue(TASK_QUEUE, "bdm"),
        agency_task_queue(TASK_QUEUE, "ird"),
    }
    # Every limit lifted: every call on the workflow's queue, where its worker takes it at once.
    assert await agency_call_queues(env, ()) == {TASK_QUEUE}
    # Named by no starter (events started before): every agency on its own queue.
    assert TASK_QUEUE not in await agency_call_queues(env, None)


async def test_an_event_started_by_newer_code_waits_for_a_worker_that_has_its_patch(env):
    async with worker(env, FakeAgencies()):
        handle = await start_birth(env.client, started_with_patch="from-a-newer-release")
        history = await handle.fetch_history()
        for _ in range(100):
            if any(e.HasField("workflow_task_failed_event_attributes") for e in history.events):
                break
            await asyncio.sleep(0.1)
            history = await handle.fetch_history()
        described = await handle.describe()
        await handle.terminate("test over")

    # The workflow task failed (and is retried); the event itself did not fail.
    [failed, *_] = [
        e.workflow_task_failed_event_attributes
        for e in history.events
        if e.HasField("workflow_task_failed_event_attributes")
    ]
    assert failed.failure.application_failure_info.type == "PatchUnknown"  # message encrypted
    assert described.status is WorkflowExecutionStatus.RUNNING
