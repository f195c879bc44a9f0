"""A life event's state as its workflow keeps it: steps, facts, receipts, previews, parties,
corrections, and what its search attributes show. Pure: no Temporal call; times come in as
arguments.

The workflow and its collaborators (checkpoints, agency calls, agency outcomes, corrections)
share this one object, so that every piece of the event's state has one owner and one name;
no collaborator reaches into another's attributes.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.corrections import CorrectionProgress
from onceonly.domain.inbox import InboxTaskClosed
from onceonly.domain.life_event import (
    DEAD_END_STATES,
    EventStatus,
    LifeEventProgress,
    LifeEventStart,
    StepProgress,
    StepState,
    event_status,
)
from onceonly.domain.preview import Preview
from onceonly.domain.progress import indexed_state, initial_progress
from onceonly.domain.receipts import SignedReceipt
from onceonly.domain.search_attributes import IndexedState
from onceonly.domain.submission import idempotency_key


@dataclass
class EventState:
    """Everything one life event's workflow knows, changed only by the workflow's own code."""

    spec: LifeEventSpec
    """The event's steps as this run has them (steps added behind a patch it predates left out)."""
    start: LifeEventStart
    header: LifeEventProgress
    """The event's first progress: its id, type, citizen and start time."""
    data_model: type[BaseModel]
    """What a correction to the dossier must still be."""
    dossier: dict[str, Any]
    steps: dict[str, StepProgress]
    consent_v2: bool
    """Receipts, previews, reminders, parties and withdrawal (the CONSENT_V2 patch)."""
    lifecycle: bool
    """Agency task queues, slow agencies' outcomes, proof of effect (AGENCY_LIFECYCLE)."""
    batched: bool
    """Previews built together, one upsert per batch of changes (BATCHED_BOOKKEEPING)."""
    indexed: IndexedState | None
    """What the search attributes show now (None: not known, the first upsert is made)."""
    upsert_due: bool = False
    """An upsert is scheduled for the changes being made together (batched runs)."""
    facts: dict[str, Any] = field(default_factory=dict)
    """What agencies issued (a registration number) that later steps may disclose."""
    receipts: list[SignedReceipt] = field(default_factory=list)
    previews: dict[str, Preview] = field(default_factory=dict)
    citizen_answers: dict[str, StepState] = field(default_factory=dict)
    """For steps that need other parties: the citizen's own answer, until all have answered."""
    invitations: dict[str, str] = field(default_factory=dict)
    """role -> invitation code."""
    party_keys: dict[str, str] = field(default_factory=dict)
    """role -> the joined party's pseudonymous key."""
    withdrawn_in_flight: set[str] = field(default_factory=set)
    """Steps withdrawn while their agency call ran: compensated when it ends."""
    compensating: int = 0
    """Compensating calls under way; a cancelled event waits for them."""
    cancelled: bool = False
    retryable: set[str] = field(default_factory=set)
    """Failed steps an operator may still retry: until their window closes they hold their
    dependants back instead of skipping them."""
    outcome_ready: set[str] = field(default_factory=set)
    """Steps woken by a verified callback from their agency."""
    attention: set[str] = field(default_factory=set)
    """Steps overdue or reopened: operators are alerted."""
    reopened: dict[str, int] = field(default_factory=dict)
    """step id -> times its change did not take effect at the agency."""
    corrections: list[CorrectionProgress] = field(default_factory=list)
    staff_inbox: bool = False
    """Known from the start input to take STAFF_INBOX_TASKS (else asked where it matters)."""
    inbox_tasks: dict[str, InboxTaskClosed] = field(default_factory=dict)
    """task id -> the step and kind of each task the event opened in a staff inbox."""
    inbox_woken: set[str] = field(default_factory=set)
    """Tasks staff closed (the `inbox_task_closed` Update): their outcome is to be read."""
    staff_waits: int = 0
    """Waits for staff under way outside any step or Update (a withdrawal's): the event ends
    after them."""

    @classmethod
    def begin(
        cls,
        spec: LifeEventSpec,
        start: LifeEventStart,
        data: BaseModel,
        event_id: str,
        now: datetime,
        *,
        consent_v2: bool,
        lifecycle: bool,
        batched: bool,
        indexed: IndexedState | None,
        staff_inbox: bool = False,
    ) -> "EventState":
        """A new event's state: every step that applies awaiting consent."""
        dossier = data.model_dump(mode="json")
        progress = initial_progress(spec, event_id, start, dossier, now, with_parties=consent_v2)
        return cls(
            spec=spec,
            start=start,
            header=progress,
            data_model=type(data),
            dossier=dossier,
            steps={step.step_id: step for step in progress.steps},
            consent_v2=consent_v2,
            lifecycle=lifecycle,
            batched=batched,
            indexed=indexed,
            staff_inbox=staff_inbox,
        )

    @property
    def event_id(self) -> str:
        """The event's id (its workflow id)."""
        return self.header.event_id

    def change(self, step_id: str, state: StepState, at: datetime, **details: Any) -> None:
        """Move a step to `state` at `at`, with other fields of its progress."""
        self.steps[step_id] = self.steps[step_id].model_copy(
            update={"state": state, "updated_at": at, **details}
        )

    def status(self) -> EventStatus:
        """The event's status from its steps, its cancellation and the retries still open."""
        if self.cancelled:
            return EventStatus.CANCELLED
        if self.retryable:
            return EventStatus.IN_PROGRESS  # not over while an operator may still retry
        return event_status(step.state for step in self.steps.values())

    def progress(self) -> LifeEventProgress:
        """The event's progress as the API and operators see it."""
        return self.header.model_copy(
            update={
                "status": self.status(),
                "steps": tuple(self.steps.values()),
                "corrections": tuple(self.corrections),
            }
        )

    def step_ids_in(self, state: StepState) -> list[str]:
        """The steps in `state`, in catalogue order."""
        return [step.step_id for step in self.steps.values() if step.state is state]

    def awaiting(self) -> list[str]:
        """The open checkpoints."""
        return self.step_ids_in(StepState.AWAITING_CONSENT)

    def needs_dead_step(self, step: StepSpec) -> bool:
        """Whether a step it needs will never complete (and no operator may retry it)."""
        return any(
            self.steps[needed].state in DEAD_END_STATES and needed not in self.retryable
            for needed in step.depends_on
        )

    def grant_receipt(self, step_id: str) -> SignedReceipt | None:
        """The receipt of the decision that let the step go to its agency, if signed yet."""
        for receipt in reversed(self.receipts):
            if receipt.step_id == step_id and receipt.decision in ("grant", "acknowledge"):
                return receipt
        return None

    def submission_key(self, step_id: str) -> str:
        """The idempotency key of the step's submission."""
        key = idempotency_key(self.event_id, step_id)
        # A step reopened because its change did not take effect is a new request.
        reopened = self.reopened.get(step_id, 0)
        return f"{key}/resubmission-{reopened}" if reopened else key

    def awaiting_party(self, role: str) -> bool:
        """Whether an open checkpoint needs the party `role`."""
        return any(
            party.role == role
            for step in self.steps.values()
            if step.state is StepState.AWAITING_CONSENT
            for party in step.parties
        )

    def party_awaits(self, step: StepSpec, role: str, reason: str) -> bool:
        """Whether the step's open checkpoint awaits `role`, whom the catalogue lets be
        recorded as unavailable for `reason`."""
        allowed = any(p.role == role and reason in p.unavailable_reasons for p in step.parties)
        progress = self.steps[step.id]
        return (
            allowed
            and progress.state is StepState.AWAITING_CONSENT
            and any(p.role == role and p.state == "awaiting" for p in progress.parties)
        )

    def set_parties(self, role: str, **changes: Any) -> None:
        """Change the party `role` at every step that needs them (not the steps' state)."""
        for step_id, step in self.steps.items():
            if any(party.role == role for party in step.parties):
                parties = tuple(
                    party.model_copy(update=changes) if party.role == role else party
                    for party in step.parties
                )
                self.steps[step_id] = step.model_copy(update={"parties": parties})

    def index_change(self) -> IndexedState | None:
        """What the search attributes must show now, if it differs from what they show (and
        is then taken as shown); None when no upsert is needed (each is a history event)."""
        state = indexed_state(
            self.status(), self.steps.values(), needs_attention=bool(self.attention)
        )
        if self.indexed == state:
            return None
        self.indexed = state
        return state
