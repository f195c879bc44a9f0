"""The event state the workflow and its collaborators share: pure, so its rules are tested
here without a Temporal server (steps, statuses, dead ends, receipts, parties, keys, and the
upserts it asks for only when the index changes)."""

from datetime import UTC, datetime, timedelta

import pytest

from onceonly.domain.birth import BirthStart
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.corrections import CorrectionProgress
from onceonly.domain.life_event import EventStatus, StepState
from onceonly.domain.receipts import SignedReceipt
from onceonly.domain.search_attributes import IndexedState
from onceonly.domain.submission import idempotency_key
from tests.mocks.samples import sample_birth
from workflows.event_state import EventState

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
EVENT_ID = f"birth-{'b' * 32}"
STEPS = ("register_birth", "child_ird_number", "best_start", "health_enrolment")


def birth_state(*, consent_v2: bool = True, **data_changes: object) -> EventState:
    data = sample_birth(**data_changes)
    start = BirthStart(citizen_key="c" * 32, consent_expiry=timedelta(days=30), data=data)
    return EventState.begin(
        BIRTH,
        start,
        data,
        EVENT_ID,
        T0,
        consent_v2=consent_v2,
        lifecycle=True,
        batched=True,
        indexed=None,
    )


def receipt(step_id: str, decision: str, number: int = 1) -> SignedReceipt:
    return SignedReceipt(
        receipt_id=f"r{number}",
        event_id=EVENT_ID,
        step_id=step_id,
        decision=decision,
        decided_at=T0,
        jws="h.p.s",
    )


def test_a_new_event_awaits_consent_at_every_step_that_applies():
    state = birth_state()
    assert state.event_id == EVENT_ID
    assert set(STEPS) <= set(state.steps)
    assert state.awaiting() == list(state.steps)
    assert state.status() is EventStatus.AWAITING_CONSENT
    assert state.data_model is type(sample_birth())
    assert state.facts == {} and state.receipts == [] and state.corrections == []


def test_parties_are_known_only_to_runs_that_have_them():
    assert [p.role for p in birth_state().steps["register_birth"].parties] == ["other_parent"]
    assert birth_state(consent_v2=False).steps["register_birth"].parties == ()


def test_a_change_moves_one_step_with_its_time_and_details():
    state = birth_state()
    later = T0 + timedelta(hours=1)
    state.change("register_birth", StepState.FAILED, later, error="BDM refused it")
    step = state.steps["register_birth"]
    assert (step.state, step.updated_at, step.error) == (StepState.FAILED, later, "BDM refused it")
    assert state.step_ids_in(StepState.FAILED) == ["register_birth"]
    assert "register_birth" not in state.awaiting()


def test_a_step_needing_a_dead_step_is_held_while_an_operator_may_retry_it():
    state = birth_state()
    ird = BIRTH.step("child_ird_number")
    assert not state.needs_dead_step(ird)
    state.change("register_birth", StepState.FAILED, T0)
    assert state.needs_dead_step(ird)
    state.retryable.add("register_birth")
    assert not state.needs_dead_step(ird)
    # Nor does a step with nothing to wait for ever need a dead one.
    assert not state.needs_dead_step(BIRTH.step("register_birth"))


def test_the_status_is_cancelled_or_in_progress_before_the_steps_say():
    state = birth_state()
    for step_id in state.steps:
        state.change(step_id, StepState.COMPLETED, T0)
    assert state.status() is EventStatus.COMPLETED
    state.retryable.add("best_start")
    assert state.status() is EventStatus.IN_PROGRESS
    state.cancelled = True
    assert state.status() is EventStatus.CANCELLED
    assert state.progress().status is EventStatus.CANCELLED


def test_progress_carries_the_steps_and_corrections_as_they_are_now():
    state = birth_state()
    state.change("best_start", StepState.DECLINED, T0)
    correction = CorrectionProgress(
        correction_id="u1",
        number=1,
        paths=("address.street",),
        requested_at=T0,
        by="citizen",
        state="done",
    )
    state.corrections.append(correction)
    progress = state.progress()
    assert progress.event_id == EVENT_ID
    assert {s.step_id: s.state for s in progress.steps}["best_start"] is StepState.DECLINED
    assert progress.corrections == (correction,)
    assert state.header.steps != progress.steps  # the first progress is kept as it was


def test_the_grant_receipt_is_the_latest_grant_or_acknowledgement_of_the_step():
    state = birth_state()
    assert state.grant_receipt("register_birth") is None
    state.receipts += [
        receipt("register_birth", "acknowledge", 1),
        receipt("child_ird_number", "grant", 2),
        receipt("register_birth", "correct", 3),
    ]
    assert state.grant_receipt("register_birth") == state.receipts[0]
    assert state.grant_receipt("child_ird_number") == state.receipts[1]
    state.receipts.append(receipt("child_ird_number", "withdraw", 4))
    assert state.grant_receipt("child_ird_number") == state.receipts[1]
    assert state.grant_receipt("best_start") is None


def test_a_reopened_step_is_submitted_under_a_new_key():
    state = birth_state()
    key = idempotency_key(EVENT_ID, "child_ird_number")
    assert state.submission_key("child_ird_number") == key
    state.reopened["child_ird_number"] = 2
    assert state.submission_key("child_ird_number") == f"{key}/resubmission-2"
    assert state.submission_key("best_start") == idempotency_key(EVENT_ID, "best_start")


def test_a_party_is_awaited_only_at_open_checkpoints_and_for_reasons_the_catalogue_allows():
    state = birth_state()
    register = BIRTH.step("register_birth")
    assert state.awaiting_party("other_parent")
    assert not state.awaiting_party("grandparent")
    assert state.party_awaits(register, "other_parent", "deceased")
    assert not state.party_awaits(register, "other_parent", "busy")
    assert not state.party_awaits(BIRTH.step("child_ird_number"), "other_parent", "deceased")
    state.change("register_birth", StepState.DECLINED, T0)
    assert not state.awaiting_party("other_parent")
    assert not state.party_awaits(register, "other_parent", "deceased")


def test_a_joined_party_is_marked_at_every_step_that_needs_them_without_moving_it():
    state = birth_state()
    before = state.steps["register_birth"]
    state.set_parties("other_parent", joined=True)
    after = state.steps["register_birth"]
    assert [p.joined for p in after.parties] == [True]
    assert (after.state, after.updated_at) == (before.state, before.updated_at)
    assert state.steps["child_ird_number"] == birth_state().steps["child_ird_number"]


def test_the_index_changes_only_when_what_it_shows_changes():
    state = birth_state()
    first = state.index_change()
    assert first == IndexedState(
        status="awaiting_consent",
        awaiting_consent=list(state.steps),
        failed_steps=[],
        needs_attention=False,
    )
    assert state.index_change() is None  # nothing new: no upsert, no history event
    state.change("best_start", StepState.DECLINED, T0)
    declined = state.index_change()
    assert declined is not None
    assert declined.awaiting_consent == [s for s in state.steps if s != "best_start"]
    state.attention.add("register_birth")
    flagged = state.index_change()
    assert flagged is not None and flagged.needs_attention is True
    assert state.index_change() is None


@pytest.mark.parametrize("indexed_by_starter", [True, False])
def test_a_starter_that_indexed_the_first_state_spares_the_first_upsert(indexed_by_starter):
    fresh = birth_state()
    shown = fresh.index_change()
    state = birth_state()
    state.indexed = shown if indexed_by_starter else None
    assert (state.index_change() is None) is indexed_by_starter
