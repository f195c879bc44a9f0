"""The work-queue agency kind against a real store: a step's submission opens one task in the
agency's inbox (however often the activity retries), the task shows staff the step's fields
and context, and the task's state is the step's status."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.base import AgencyRejected, FilingAdapter, StatusAdapter
from adapters.plugins import capabilities
from adapters.work_queue import WorkQueueAdapter, WorkQueuePolicy, working_days_after
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.inbox import TaskInbox, inbox_task_id
from onceonly.domain.submission import AgencySubmission, idempotency_key
from onceonly.settings import Settings
from onceonly.store import migrate_store, opened_store
from tests.mocks.samples import disclose, sample_death, sample_move

EVENT = "death-0f3c2a"
STEP = DEATH.step("notify_maori_land_court")
REGISTRATION = "2026/000042"
# Friday 4 December 2026, 10 a.m. in Wellington (NZDT, UTC+13): the day before is Thursday.
FRIDAY_MORNING = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)


@pytest.fixture
async def inbox(settings: Settings, tmp_path: Path) -> AsyncIterator[TaskInbox]:
    """The inbox of a fresh embedded store, migrated as `onceonly setup` does."""
    on_disk = settings.model_copy(update={"store_path": tmp_path / "store.db"})
    await migrate_store(on_disk)
    async with opened_store(on_disk) as store:
        yield store.inbox


class Clock:
    """The adapter's clock, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def court_submission() -> AgencySubmission:
    disclosure = disclose(
        STEP.id, sample_death(), DEATH, deceased__death_registration_number=REGISTRATION
    )
    return AgencySubmission(
        event_id=EVENT,
        step_id=STEP.id,
        agency=STEP.agency,
        service=STEP.service,
        idempotency_key=idempotency_key(EVENT, STEP.id),
        disclosure=disclosure,
        citizen_key="ck-123",
        event_type="death",
        receipt_id="rcpt-1",
        receipt="eyJhbGciOiJFZERTQSJ9.e30.c2ln",
    )


def court(inbox: TaskInbox, clock: Clock) -> WorkQueueAdapter:
    return WorkQueueAdapter("maori_land_court", inbox, clock=clock)


async def test_filing_opens_one_task_with_the_steps_fields_and_context(inbox: TaskInbox):
    clock = Clock(FRIDAY_MORNING)
    submission = court_submission()

    answer = await court(inbox, clock).file(submission)

    task_id = inbox_task_id(EVENT, STEP.id, "submission")
    assert answer.reference == task_id and answer.pending and answer.follow_up == "callback"
    task = await inbox.get(task_id)
    assert task is not None
    assert (task.agency, task.kind, task.service, task.step_id) == (
        "maori_land_court",
        "submission",
        "succession-notice",
        STEP.id,
    )
    assert task.disclosure == submission.disclosure
    assert set(task.disclosure) == set(STEP.fields)
    assert task.disclosure["deceased.death_registration_number"] == REGISTRATION
    assert (task.citizen_key, task.event_type, task.event_id) == ("ck-123", "death", EVENT)
    assert (task.legal_basis_kind, task.legal_basis_reference) == (
        "consent",
        STEP.legal_basis.reference,
    )
    assert (task.receipt, task.receipt_id) == (submission.receipt, "rcpt-1")
    # Five working days from a Friday: the next Friday, same time of day.
    assert task.opened_at == FRIDAY_MORNING
    assert task.due_at == FRIDAY_MORNING + timedelta(days=7)
    assert answer.outcome_due == timedelta(days=7)
    assert task.state == "open"


async def test_a_retried_filing_finds_the_first_task_and_answers_the_same(inbox: TaskInbox):
    clock = Clock(FRIDAY_MORNING)
    adapter = court(inbox, clock)
    first = await adapter.file(court_submission())
    clock.now = FRIDAY_MORNING + timedelta(hours=3)  # Temporal retried after a lost answer

    again = await adapter.file(court_submission())

    assert again == first
    tasks = await inbox.for_agency("maori_land_court", state=None)
    assert [task.task_id for task in tasks] == [first.reference]
    assert tasks[0].opened_at == FRIDAY_MORNING  # the first attempt's task stands


async def test_the_tasks_state_is_the_steps_status(inbox: TaskInbox):
    adapter = court(inbox, Clock(FRIDAY_MORNING))
    task_id = (await adapter.file(court_submission())).reference

    open_status = await adapter.status(STEP.service, task_id)
    assert (open_status.state, open_status.reference) == ("pending", task_id)

    closed_at = FRIDAY_MORNING + timedelta(days=2)
    await inbox.close(
        task_id, "maori_land_court", "completed", by="hemi", at=closed_at, reference="A20260417"
    )
    done = await adapter.status(STEP.service, task_id)
    assert (done.state, done.reference) == ("completed", "A20260417")


async def test_a_rejected_task_is_a_rejected_request_with_staffs_reason(inbox: TaskInbox):
    adapter = court(inbox, Clock(FRIDAY_MORNING))
    task_id = (await adapter.file(court_submission())).reference
    reason = "No Māori land interests are recorded for this person."
    await inbox.close(
        task_id, "maori_land_court", "rejected", by="hemi", at=FRIDAY_MORNING, reason=reason
    )

    status = await adapter.status(STEP.service, task_id)

    assert (status.state, status.message, status.reference) == ("rejected", reason, task_id)


async def test_a_task_the_agency_does_not_hold_is_refused_not_waited_on(inbox: TaskInbox):
    court_adapter = court(inbox, Clock(FRIDAY_MORNING))
    task_id = (await court_adapter.file(court_submission())).reference
    council = WorkQueueAdapter("council", inbox)

    with pytest.raises(AgencyRejected, match="no deceased-ratepayer task T-"):
        await council.status("deceased-ratepayer", task_id)  # the court's task
    with pytest.raises(AgencyRejected, match="no succession-notice task T-NOSUCHTASK"):
        await court_adapter.status(STEP.service, "T-NOSUCHTASK")


async def test_the_preview_is_what_staff_will_see(inbox: TaskInbox):
    adapter = court(inbox, Clock(FRIDAY_MORNING))
    submission = court_submission()

    preview = await adapter.preview(STEP.service, submission.disclosure)
    await adapter.file(submission)

    task = await inbox.get(inbox_task_id(EVENT, STEP.id, "submission"))
    assert task is not None
    assert preview == {
        "inbox": "maori_land_court",
        "task": "submission",
        "service": STEP.service,
        "fields": task.disclosure,
    }


async def test_a_field_the_step_does_not_disclose_or_a_service_not_offered_is_refused(
    inbox: TaskInbox,
):
    adapter = court(inbox, Clock(FRIDAY_MORNING))
    more = {**court_submission().disclosure, "deceased.ird_number": "136410132"}
    with pytest.raises(AgencyRejected, match="notify_maori_land_court does not disclose "):
        await adapter.preview(STEP.service, more)
    with pytest.raises(AgencyRejected, match="offers no service 'land-sale'"):
        await adapter.preview("land-sale", {})
    wrong_step = court_submission().model_copy(update={"step_id": "notify_council"})
    with pytest.raises(AgencyRejected, match="is step notify_maori_land_court, not notify_"):
        await adapter.file(wrong_step)
    assert await inbox.for_agency("maori_land_court") == []


async def test_submit_without_the_steps_context_opens_nothing(inbox: TaskInbox):
    adapter = court(inbox, Clock(FRIDAY_MORNING))
    disclosure = court_submission().disclosure
    with pytest.raises(AgencyRejected, match="opened with its step's context by `file`"):
        await adapter.submit(STEP.service, disclosure, idempotency_key(EVENT, STEP.id))
    assert await inbox.for_agency("maori_land_court") == []


async def test_any_catalogue_agency_can_be_a_work_queue_with_a_deployments_due_time(
    inbox: TaskInbox,
):
    rates = MOVE.step("council_rates")
    policy = WorkQueuePolicy(due=timedelta(minutes=5))
    council = WorkQueueAdapter("council", inbox, policy=policy, clock=Clock(FRIDAY_MORNING))
    submission = AgencySubmission(
        event_id="move-1",
        step_id=rates.id,
        agency="council",
        service=rates.service,
        idempotency_key=idempotency_key("move-1", rates.id),
        disclosure=disclose(rates.id, sample_move(), MOVE),
        citizen_key="ck-9",
        event_type="move",
    )

    answer = await council.file(submission)

    assert answer.outcome_due == timedelta(minutes=5)
    assert isinstance(council, FilingAdapter) and isinstance(council, StatusAdapter)
    assert capabilities(council) == {"submit", "preview", "status"}


def test_working_days_skip_the_weekend_in_new_zealand():
    # Wednesday 2 December 2026, 2 p.m. NZDT: five working days on is Wednesday the 9th.
    wednesday = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert working_days_after(wednesday, 5) == wednesday + timedelta(days=7)
    # Friday 4 December, 4 p.m. NZDT: one working day on is Monday the 7th.
    friday = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    assert working_days_after(friday, 1) == friday + timedelta(days=3)
    # Saturday 5 December, 9 a.m. NZDT (still Friday in UTC): Monday the 7th.
    saturday = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    assert working_days_after(saturday, 1) == saturday + timedelta(days=2)
