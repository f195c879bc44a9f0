"""The moving-house and death workflows on the time-skipping server, with the agency activity
standing in for the agencies: the same runner as the birth, driven by the catalogue."""

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from onceonly.domain import catalogue
from onceonly.domain.catalogue import CATALOGUE_FILE, DEATH, MOVE, LifeEventSpec, load_catalogue
from onceonly.domain.death import DeathData, DeathStart
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    StepState,
)
from onceonly.domain.move import MoveData, MoveStart
from onceonly.domain.people import intake_context
from onceonly.domain.submission import AgencyAnswer, AgencyStatus, AgencySubmission, StatusCheck
from onceonly.samples import death_request_data, move_request_data
from onceonly.testing import workflow_worker
from workflows.death import DeathWorkflow
from workflows.move import MoveWorkflow

TASK_QUEUE = "move-death-test"
TODAY = date.today()
REGISTRATION = "2026/000042"
EXPIRY = timedelta(days=30)


class FakeAgencies:
    """Stands in for the agency activity: records each submission; BDM issues a number."""

    def __init__(self) -> None:
        self.submissions: list[AgencySubmission] = []
        self.checks: list[StatusCheck] = []

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        self.submissions.append(submission)
        if submission.step_id == "register_death":
            return AgencyAnswer(
                reference=REGISTRATION, outputs={"deceased.death_registration_number": REGISTRATION}
            )
        return AgencyAnswer(reference=f"{submission.agency}-{len(self.submissions)}")

    @activity.defn(name="check_agency_status")
    async def status(self, check: StatusCheck) -> AgencyStatus:
        """Proof of effect: every change the fake agencies made took effect."""
        self.checks.append(check)
        return AgencyStatus(reference=check.reference, state="completed", effect="in_effect")

    def sent(self) -> dict[str, AgencySubmission]:
        return {submission.step_id: submission for submission in self.submissions}


@pytest.fixture
def env(time_skipping_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping_env


def grant_all(progress: LifeEventProgress, **except_: str) -> ConsentDecisions:
    return ConsentDecisions(
        decisions=tuple(
            ConsentDecision(step_id=step.step_id, decision=except_.get(step.step_id, "grant"))
            for step in progress.steps
            if step.state is StepState.AWAITING_CONSENT
        )
    )


def states(progress: LifeEventProgress) -> dict[str, StepState]:
    return {step.step_id: step.state for step in progress.steps}


async def start_move(client: Client, **changes: Any) -> WorkflowHandle[Any, Any]:
    raw = {**move_request_data(TODAY), **changes}
    data = MoveData.model_validate(raw, context=intake_context(TODAY))
    start = MoveStart(citizen_key="m" * 32, consent_expiry=EXPIRY, data=data)
    return await client.start_workflow(
        MoveWorkflow.run, start, id=f"move-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )


async def start_death(client: Client, **deceased_changes: Any) -> WorkflowHandle[Any, Any]:
    raw = death_request_data(TODAY)
    raw["deceased"] = {**raw["deceased"], **deceased_changes}
    data = DeathData.model_validate(raw, context=intake_context(TODAY))
    start = DeathStart(citizen_key="d" * 32, consent_expiry=EXPIRY, data=data)
    return await client.start_workflow(
        DeathWorkflow.run, start, id=f"death-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )


def worker(env: WorkflowEnvironment, agencies: FakeAgencies) -> Any:
    return workflow_worker(
        env,
        workflows=[MoveWorkflow, DeathWorkflow],
        activities=[agencies.submit, agencies.status],
        task_queue=TASK_QUEUE,
    )


async def test_a_full_move_reaches_every_agency_with_exactly_its_fields(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_move(env.client)
        waiting = await handle.query(MoveWorkflow.progress)
        await handle.execute_update(MoveWorkflow.decide_consent, grant_all(waiting))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    sent = agencies.sent()
    assert set(sent) == {step.id for step in MOVE.steps}
    # IRD's address change is checked for effect later (a fortnight on); the others are not.
    assert [check.step_id for check in agencies.checks] == ["update_ird_address"]
    effects = {step.step_id: step.effect for step in final.steps}
    assert effects.pop("update_ird_address") == "confirmed"
    assert set(effects.values()) == {None}
    for step in MOVE.steps:
        assert tuple(sent[step.id].disclosure) == step.fields
        assert sent[step.id].agency == step.agency
    assert {s.agency for s in MOVE.steps} == {
        "nzta", "electoral", "ird", "msd", "health", "council", "acc", "justice"
    }  # fmt: skip
    # The electoral roll's statutory deadline runs from the move date.
    electoral = {step.step_id: step for step in final.steps}["update_electoral_roll"]
    assert electoral.due_on is not None
    assert (electoral.due_on - date.fromisoformat(move_request_data(TODAY)["move_date"])).days == 60


async def test_steps_that_do_not_apply_are_shown_and_never_sent_or_decided(env):
    agencies = FakeAgencies()
    mover = {**move_request_data(TODAY)["mover"], "driver_licence": None, "nhi_number": None}
    async with worker(env, agencies):
        handle = await start_move(env.client, mover=mover, dogs=[])
        waiting = await handle.query(MoveWorkflow.progress)
        not_applicable = {
            "update_driver_licence",
            "update_health_address",
            "council_dog_registration",
        }
        assert {s for s, state in states(waiting).items() if state is StepState.NOT_APPLICABLE} == (
            not_applicable
        )
        refused = ConsentDecisions(
            decisions=(ConsentDecision(step_id="council_dog_registration", decision="grant"),)
        )
        with pytest.raises(WorkflowUpdateFailedError) as refusal:
            await handle.execute_update(MoveWorkflow.decide_consent, refused)
        assert "is not_applicable, not awaiting consent" in str(refusal.value.cause)
        await handle.execute_update(MoveWorkflow.decide_consent, grant_all(waiting))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    assert not_applicable.isdisjoint(agencies.sent())
    assert states(final)["council_dog_registration"] is StepState.NOT_APPLICABLE


async def test_a_death_is_registered_first_and_its_number_reaches_every_agency(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        # Every step applies: the person owned Māori land too (the Māori Land Court's step).
        handle = await start_death(env.client, maori_land_interests=True)
        waiting = await handle.query(DeathWorkflow.progress)
        await handle.execute_update(DeathWorkflow.decide_consent, grant_all(waiting))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    sent = agencies.sent()
    assert set(sent) == {step.id for step in DEATH.steps}
    assert agencies.submissions[0].step_id == "register_death"
    for step in DEATH.steps:
        assert tuple(sent[step.id].disclosure) == step.fields
        if "deceased.death_registration_number" in step.fields:
            assert sent[step.id].disclosure["deceased.death_registration_number"] == REGISTRATION
    assert len({s.agency for s in DEATH.steps}) == 11


async def test_a_death_already_registered_is_not_registered_again(env):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_death(env.client, death_registration_number="2026/000777")
        waiting = await handle.query(DeathWorkflow.progress)
        assert states(waiting)["register_death"] is StepState.NOT_APPLICABLE
        await handle.execute_update(DeathWorkflow.decide_consent, grant_all(waiting))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    sent = agencies.sent()
    assert "register_death" not in sent
    assert sent["notify_ird"].disclosure["deceased.death_registration_number"] == "2026/000777"


async def test_the_registration_is_acknowledged_not_declined_and_a_decline_skips_only_its_step(
    env,
):
    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_death(env.client)
        waiting = await handle.query(DeathWorkflow.progress)
        refused = ConsentDecisions(
            decisions=(ConsentDecision(step_id="register_death", decision="decline"),)
        )
        with pytest.raises(WorkflowUpdateFailedError) as refusal:
            await handle.execute_update(DeathWorkflow.decide_consent, refused)
        assert "cannot be declined" in str(refusal.value.cause)
        decisions = grant_all(waiting, register_death="acknowledge", notify_ird="decline")
        await handle.execute_update(DeathWorkflow.decide_consent, decisions)
        final = await handle.result()
        receipts = await handle.query(DeathWorkflow.receipts)

    assert "notify_ird" not in agencies.sent()
    assert states(final)["notify_ird"] is StepState.DECLINED
    assert final.status is EventStatus.PARTIALLY_COMPLETED
    by_step = {receipt.step_id: receipt.decision for receipt in receipts}
    assert by_step["register_death"] == "acknowledge"
    assert by_step["notify_ird"] == "decline"


async def test_a_new_step_in_the_catalogue_runs_with_no_workflow_code(
    env, tmp_path: Path, monkeypatch
):
    """A step added to the catalogue's data (a new service for an agency already there) is
    checkpointed, submitted with exactly its fields and shown, by the unchanged workflow."""
    added = """
[[life_events.steps]]
id = "kiwisaver_address"
agency = "ird"
service = "kiwisaver-address"
purpose = "Update the address your KiwiSaver scheme provider holds."
legal_basis = { kind = "consent", reference = "Your consent, given at this checkpoint" }
fields = ["mover.ird_number", "new_address"]
applies_if = { path = "mover.ird_number" }
"""
    # The moving event is the second entry: insert the step before the death entry begins.
    text = CATALOGUE_FILE.read_text(encoding="utf-8")
    death_starts = text.index('[[life_events]]\nevent_type = "death"')
    changed = tmp_path / "catalogue.toml"
    changed.write_text(text[:death_starts] + added + "\n" + text[death_starts:], encoding="utf-8")
    new_catalogue = load_catalogue(changed)
    new_move: LifeEventSpec = new_catalogue.event("move")
    monkeypatch.setattr(catalogue, "CATALOGUE", new_catalogue)
    monkeypatch.setattr(catalogue, "MOVE", new_move)

    agencies = FakeAgencies()
    async with worker(env, agencies):
        handle = await start_move(env.client)
        waiting = await handle.query(MoveWorkflow.progress)
        assert states(waiting)["kiwisaver_address"] is StepState.AWAITING_CONSENT
        await handle.execute_update(MoveWorkflow.decide_consent, grant_all(waiting))
        final = await handle.result()

    assert final.status is EventStatus.COMPLETED
    sent = agencies.sent()["kiwisaver_address"]
    assert (sent.agency, sent.service) == ("ird", "kiwisaver-address")
    assert tuple(sent.disclosure) == ("mover.ird_number", "new_address")
