"""How a life event's test reads with the test kit (`onceonly.testing`, loaded by pytest):
a fake agency activity, a worker on the project's sandbox, and a server from a fixture.
"""

from datetime import date, timedelta

import httpx
from temporalio import activity

from onceonly.auth import verify_token
from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    StepState,
)
from onceonly.domain.submission import SUBMIT_TO_AGENCY, AgencyAnswer, AgencySubmission
from onceonly.samples import birth_request_data
from onceonly.testing import TEST_TASK_QUEUE, workflow_worker
from workflows.birth import BirthWorkflow


@activity.defn(name=SUBMIT_TO_AGENCY)
async def every_agency_accepts(submission: AgencySubmission) -> AgencyAnswer:
    """A fake agency activity: every agency accepts, with a reference naming the step."""
    return AgencyAnswer(reference=f"REF-{submission.step_id}")


def birth(expiry: timedelta = timedelta(days=30)) -> BirthStart:
    data = BirthData.model_validate(birth_request_data(date.today()))
    return BirthStart(citizen_key="c" * 32, consent_expiry=expiry, data=data)


def register_only() -> ConsentDecisions:
    """Grant the first step, decline the rest (their dependants need facts it issues)."""
    return ConsentDecisions(
        decisions=tuple(
            ConsentDecision(
                step_id=s.id, decision="grant" if s.id == "register_birth" else "decline"
            )
            for s in BIRTH.steps
        )
    )


async def test_a_new_life_event_in_a_few_lines(time_skipping_env):
    async with workflow_worker(time_skipping_env, activities=[every_agency_accepts]):
        handle = await time_skipping_env.client.start_workflow(
            BirthWorkflow.run, birth(), id="birth-kit-example", task_queue=TEST_TASK_QUEUE
        )
        await handle.execute_update(BirthWorkflow.decide_consent, register_only())
        final = await handle.result()

    assert final.status is EventStatus.PARTIALLY_COMPLETED
    assert {s.step_id: s.reference for s in final.steps}["register_birth"] == "REF-register_birth"


async def test_an_unanswered_checkpoint_expires_on_a_real_dev_server(dev_server_env):
    async with workflow_worker(dev_server_env, activities=[every_agency_accepts]):
        handle = await dev_server_env.client.start_workflow(
            BirthWorkflow.run,
            birth(expiry=timedelta(seconds=1)),  # real time passes here
            id="birth-kit-dev-server",
            task_queue=TEST_TASK_QUEUE,
        )
        final = await handle.result()

    assert {step.state for step in final.steps} <= {StepState.EXPIRED, StepState.SKIPPED}


def test_the_mock_agencies_and_a_citizen_client(mock_agencies, citizen_client, settings):
    assert httpx.get(f"{mock_agencies}/healthz").status_code == 200
    client = citizen_client("citizen-aroha", settings=settings)
    token = client.headers["Authorization"].removeprefix("Bearer ")
    assert verify_token(settings, token).subject == "citizen-aroha"
    assert str(client.base_url).rstrip("/") == settings.api_url
