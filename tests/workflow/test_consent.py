"""Consent a citizen and an agency can both rely on, on the time-skipping server: receipts for
every decision, reminders then expiry, withdrawal before and after submission (with and
without the agency's compensating call), a second party, and compensation that survives a
cancellation."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.inbox import InboxActivities
from onceonly.domain.birth import BirthData, BirthStart
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    PartyInvitation,
    PartyJoin,
    PartyUnavailable,
    StepState,
    StepWithdrawal,
)
from onceonly.domain.people import intake_context
from onceonly.domain.submission import (
    WITHDRAWAL_NOT_OFFERED,
    AgencyAnswer,
    AgencySubmission,
    AgencyWithdrawal,
    WithdrawalAnswer,
)
from onceonly.receipts import public_jwks, verify_receipt
from onceonly.samples import birth_request_data, with_other_parent
from onceonly.settings import Settings
from onceonly.store import opened_store
from onceonly.testing import TEST_PAYLOAD_KEYS, ConsentServices, workflow_worker
from workflows.birth import BirthWorkflow

TASK_QUEUE = "consent-test"
TODAY = date.today()
ANSWERS = {
    "bdm": AgencyAnswer(
        reference="2026/000001", outputs={"child.birth_registration_number": "2026/000001"}
    ),
    "ird": AgencyAnswer(reference="IRD-CASE-1", outputs={"child.ird_number": "136410132"}),
    "msd": AgencyAnswer(reference="BS-000001"),
    "health": AgencyAnswer(reference="ENR-1", outputs={"child.nhi_number": "ZZZ00AC"}),
}


class FakeAgencies:
    """Stand in for the agencies: record submissions and withdrawals. MSD withdraws; IRD
    offers no online withdrawal; `hold_withdrawals` keeps a withdrawal in flight."""

    def __init__(self, hold_withdrawals: bool = False) -> None:
        self.submissions: list[AgencySubmission] = []
        self.withdrawals: list[AgencyWithdrawal] = []
        self.withdrawal_started = asyncio.Event()
        self.release = asyncio.Event()
        if not hold_withdrawals:
            self.release.set()

    @activity.defn(name="submit_to_agency")
    async def submit(self, submission: AgencySubmission) -> AgencyAnswer:
        self.submissions.append(submission)
        return ANSWERS[submission.agency]

    @activity.defn(name="withdraw_from_agency")
    async def withdraw(self, withdrawal: AgencyWithdrawal) -> WithdrawalAnswer:
        self.withdrawal_started.set()
        await self.release.wait()
        if withdrawal.agency != "msd":
            raise ApplicationError(
                f"{withdrawal.agency} offers no online withdrawal for {withdrawal.service}",
                type=WITHDRAWAL_NOT_OFFERED,
                non_retryable=True,
            )
        self.withdrawals.append(withdrawal)
        return WithdrawalAnswer(reference="WD-1", outcome="withdrawn")

    def sent(self) -> set[str]:
        return {submission.step_id for submission in self.submissions}


@pytest.fixture
def env(time_skipping_env: WorkflowEnvironment) -> WorkflowEnvironment:
    return time_skipping_env


def worker(
    env: WorkflowEnvironment,
    agencies: FakeAgencies,
    consent: ConsentServices,
    *more: Callable[..., Any],
) -> Any:
    return workflow_worker(
        env,
        workflows=[BirthWorkflow],
        activities=[agencies.submit, agencies.withdraw, *more],
        task_queue=TASK_QUEUE,
        consent=consent,
    )


async def start_birth(
    client: Client, *, other_parent: bool = False, **timings: Any
) -> WorkflowHandle[Any, Any]:
    raw = birth_request_data(TODAY)
    raw = with_other_parent(raw) if other_parent else raw
    data = BirthData.model_validate(raw, context=intake_context(TODAY))
    start = BirthStart(
        citizen_key="c" * 32,
        consent_expiry=timings.pop("consent_expiry", timedelta(days=30)),
        data=data,
        **timings,
    )
    return await client.start_workflow(
        BirthWorkflow.run, start, id=f"birth-{uuid.uuid4().hex}", task_queue=TASK_QUEUE
    )


def answers(**by_step: str) -> ConsentDecisions:
    return ConsentDecisions(
        decisions=tuple(ConsentDecision(step_id=s, decision=d) for s, d in by_step.items())
    )


EVERYTHING = {
    "register_birth": "acknowledge",
    "child_ird_number": "grant",
    "best_start": "grant",
    "health_enrolment": "grant",
    "immunisation_register": "grant",
}


def states(progress: LifeEventProgress) -> dict[str, StepState]:
    return {step.step_id: step.state for step in progress.steps}


def notes(progress: LifeEventProgress) -> dict[str, str | None]:
    return {step.step_id: step.note for step in progress.steps}


async def test_every_decision_has_a_receipt_that_verifies_with_the_published_key(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client)
        await handle.execute_update(
            BirthWorkflow.decide_consent, answers(**{**EVERYTHING, "best_start": "decline"})
        )
        await handle.result()
        receipts = await handle.query(BirthWorkflow.receipts)

    jwks = public_jwks(Settings(payload_keys=TEST_PAYLOAD_KEYS))
    decided = {receipt.step_id: receipt.decision for receipt in receipts}
    assert decided == {**EVERYTHING, "best_start": "decline"}
    for receipt in receipts:
        claims = verify_receipt(receipt.jws, jwks)
        assert claims["consentReceiptID"] == receipt.receipt_id
        assert claims["onceonly"]["step_id"] == receipt.step_id
        assert claims["piiPrincipalId"] == "c" * 32
    register = next(r for r in receipts if r.step_id == "register_birth")
    claims = verify_receipt(register.jws, jwks)
    assert claims["services"][0]["purposes"][0]["consentType"] == "STATUTORY"
    # Each submission carried the receipt of the decision that let it go.
    for submission in agencies.submissions:
        grant = next(r for r in receipts if r.step_id == submission.step_id)
        assert submission.receipt == grant.jws
        assert submission.receipt_id == grant.receipt_id


async def test_an_unanswered_checkpoint_is_reminded_then_expires_with_receipts(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(
            env.client,
            consent_expiry=timedelta(days=30),
            reminders_after=(timedelta(days=7), timedelta(days=21)),
        )
        final = await handle.result()
        receipts = await handle.query(BirthWorkflow.receipts)

    assert set(states(final).values()) == {StepState.EXPIRED}
    assert agencies.submissions == []
    assert [r.kind for r in consent.reminders] == ["reminder", "reminder"]
    assert consent.reminders[0].to == "heni@example.org"
    assert set(consent.reminders[0].step_ids) == set(EVERYTHING)
    assert len({r.idempotency_key for r in consent.reminders}) == 2
    assert {r.decision for r in receipts} == {"expire"}
    assert len(receipts) == len(EVERYTHING)


async def test_a_step_answered_in_time_gets_no_more_reminders(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client, reminders_after=(timedelta(days=7),))
        await handle.execute_update(BirthWorkflow.decide_consent, answers(**EVERYTHING))
        await handle.result()
    assert consent.reminders == []


async def test_a_statutory_step_is_acknowledged_and_cannot_be_declined(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                BirthWorkflow.decide_consent, answers(register_birth="decline")
            )
        assert "cannot be declined" in str(refused.value.cause)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                BirthWorkflow.decide_consent, answers(child_ird_number="acknowledge")
            )
        assert "grant or decline" in str(refused.value.cause)
        await handle.cancel()


async def test_withdrawing_before_submission_stops_the_step_and_its_dependants(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client)
        # IRD is granted but waits for the registration, which is not acknowledged yet.
        await handle.execute_update(BirthWorkflow.decide_consent, answers(child_ird_number="grant"))
        await handle.execute_update(
            BirthWorkflow.withdraw_consent, StepWithdrawal(step_id="child_ird_number")
        )
        await handle.execute_update(
            BirthWorkflow.decide_consent,
            answers(
                **{
                    k: v
                    for k, v in EVERYTHING.items()
                    if k not in ("child_ird_number", "best_start")
                }
            ),
        )
        final = await handle.result()
        receipts = await handle.query(BirthWorkflow.receipts)

    assert states(final)["child_ird_number"] is StepState.WITHDRAWN
    assert notes(final)["child_ird_number"] == "Stopped before anything was sent."
    # Best Start needed the IRD number: skipped at once, before it was even asked.
    assert states(final)["best_start"] is StepState.SKIPPED
    assert "child_ird_number" not in agencies.sent()
    assert [r.decision for r in receipts if r.step_id == "child_ird_number"] == [
        "grant",
        "withdraw",
    ]


async def test_withdrawing_after_submission_runs_the_agencys_compensating_call(env, tmp_path):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client)
        await handle.execute_update(BirthWorkflow.decide_consent, answers(**EVERYTHING))
        await handle.result()
        # The event is over, but a withdrawal is an Update on a finished workflow: refused.
    assert agencies.withdrawals == []

    agencies, consent = FakeAgencies(), ConsentServices()
    # IRD offers no online withdrawal: its staff are asked, through a task in the store.
    settings = Settings(payload_keys=TEST_PAYLOAD_KEYS, store_path=tmp_path / "store.db")
    async with opened_store(settings) as store:
        inbox = InboxActivities(store.inbox, store.disclosures, {})
        async with worker(env, agencies, consent, inbox.open_inbox_task, inbox.read_inbox_task):
            handle = await start_birth(env.client)
            decisions = {k: v for k, v in EVERYTHING.items() if k != "immunisation_register"}
            await handle.execute_update(BirthWorkflow.decide_consent, answers(**decisions))
            await _until(handle, lambda p: states(p)["best_start"] is StepState.COMPLETED)
            await withdraw_three(handle)
            progress = await handle.query(BirthWorkflow.progress)
            receipts = await handle.query(BirthWorkflow.receipts)
            await handle.cancel()
        [task] = await store.inbox.for_agency("ird")

    assert [w.step_id for w in agencies.withdrawals] == ["best_start"]
    assert agencies.withdrawals[0].reference == "BS-000001"
    assert states(progress)["best_start"] is StepState.WITHDRAWN
    assert (
        notes(progress)["best_start"] == "Consent withdrawn: the agency withdrew the record (WD-1)."
    )
    assert (task.kind, task.step_id, task.agency_reference) == (
        "withdrawal", "child_ird_number", ANSWERS["ird"].reference
    )  # fmt: skip
    assert notes(progress)["child_ird_number"] == (
        f"Consent withdrawn. The agency's staff were asked to withdraw it (task {task.task_id})."
    )
    kept = notes(progress)["register_birth"] or ""
    assert "birth register is permanent" in kept
    withdrawal_receipts = [r.step_id for r in receipts if r.decision == "withdraw"]
    assert sorted(withdrawal_receipts) == ["best_start", "child_ird_number", "register_birth"]


async def withdraw_three(handle: WorkflowHandle[Any, Any]) -> None:
    """Withdraw Best Start (MSD withdraws online), the IRD number (IRD does not) and the
    registration (kept by law)."""
    for step_id in ("best_start", "child_ird_number", "register_birth"):
        await handle.execute_update(BirthWorkflow.withdraw_consent, StepWithdrawal(step_id=step_id))


async def test_a_cancellation_during_compensation_still_compensates(env):
    agencies, consent = FakeAgencies(hold_withdrawals=True), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client)
        decisions = {k: v for k, v in EVERYTHING.items() if k != "immunisation_register"}
        await handle.execute_update(BirthWorkflow.decide_consent, answers(**decisions))
        await _until(handle, lambda p: states(p)["best_start"] is StepState.COMPLETED)
        withdrawing = asyncio.create_task(
            handle.execute_update(
                BirthWorkflow.withdraw_consent, StepWithdrawal(step_id="best_start")
            )
        )
        await asyncio.wait_for(agencies.withdrawal_started.wait(), timeout=30)
        await handle.cancel()
        agencies.release.set()
        progress = (await withdrawing).progress
        with pytest.raises(WorkflowFailureError):
            await handle.result()
        final = await handle.query(BirthWorkflow.progress)

    assert [w.step_id for w in agencies.withdrawals] == ["best_start"]
    assert states(progress)["best_start"] is StepState.WITHDRAWN
    assert final.status is EventStatus.CANCELLED


async def test_a_two_party_step_waits_for_the_second_party(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client, other_parent=True)
        await handle.execute_update(BirthWorkflow.decide_consent, answers(**EVERYTHING))
        waiting = await handle.query(BirthWorkflow.progress)
        assert states(waiting)["register_birth"] is StepState.AWAITING_CONSENT
        assert [p.role for p in waiting.steps[0].parties] == ["other_parent"]
        assert agencies.submissions == []
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(
                BirthWorkflow.decide_consent, answers(register_birth="acknowledge")
            )
        assert "not awaiting consent" in str(refused.value.cause)

        code = await handle.execute_update(
            BirthWorkflow.invite_party, PartyInvitation(role="other_parent")
        )
        with pytest.raises(WorkflowUpdateFailedError):  # the citizen cannot answer for them
            await handle.execute_update(
                BirthWorkflow.join_party,
                PartyJoin(role="other_parent", code=code, party_key="c" * 32),
            )
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(
                BirthWorkflow.join_party,
                PartyJoin(role="other_parent", code="0" * 32, party_key="p" * 32),
            )
        await handle.execute_update(
            BirthWorkflow.join_party, PartyJoin(role="other_parent", code=code, party_key="p" * 32)
        )
        impostor = ConsentDecisions(
            decisions=(ConsentDecision(step_id="register_birth", decision="grant"),),
            party="other_parent",
            party_key="x" * 32,
        )
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(BirthWorkflow.decide_consent, impostor)
        second = impostor.model_copy(update={"party_key": "p" * 32})
        await handle.execute_update(BirthWorkflow.decide_consent, second)
        final = await handle.result()
        receipts = await handle.query(BirthWorkflow.receipts)

    assert final.status is EventStatus.COMPLETED
    assert "register_birth" in agencies.sent()
    jwks = public_jwks(Settings(payload_keys=TEST_PAYLOAD_KEYS))
    principals = {
        verify_receipt(r.jws, jwks)["piiPrincipalId"]
        for r in receipts
        if r.step_id == "register_birth"
    }
    assert principals == {"c" * 32, "p" * 32}


async def test_a_party_who_cannot_answer_is_recorded_and_the_step_goes_on(env):
    agencies, consent = FakeAgencies(), ConsentServices()
    async with worker(env, agencies, consent):
        handle = await start_birth(env.client, other_parent=True)
        await handle.execute_update(BirthWorkflow.decide_consent, answers(**EVERYTHING))
        await handle.execute_update(
            BirthWorkflow.mark_party_unavailable,
            PartyUnavailable(role="other_parent", reason="deceased"),
        )
        final = await handle.result()
    assert final.status is EventStatus.COMPLETED
    party = final.steps[0].parties[0]
    assert (party.state, party.reason) == ("unavailable", "deceased")


async def _until(handle: WorkflowHandle[Any, Any], done: Any) -> LifeEventProgress:
    for _ in range(200):
        progress: LifeEventProgress = await handle.query(BirthWorkflow.progress)
        if done(progress):
            return progress
        await asyncio.sleep(0.05)
    raise AssertionError("the event did not get there")
