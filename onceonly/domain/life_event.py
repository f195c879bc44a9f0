"""The state of a life event and its steps, as the workflow keeps it and the API shows it."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from onceonly.domain.catalogue import STEP_ID
from onceonly.domain.corrections import CorrectionProgress
from onceonly.domain.preview import Preview


class StepState(StrEnum):
    """Where one step is: its consent checkpoint, then its submission to the agency."""

    AWAITING_CONSENT = "awaiting_consent"
    NOT_APPLICABLE = "not_applicable"
    GRANTED = "granted"
    DECLINED = "declined"
    EXPIRED = "expired"
    SKIPPED = "skipped"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    COMPLETED = "completed"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


# A step in one of these states will never run: steps that depend on it are skipped.
DEAD_END_STATES = frozenset(
    {
        StepState.DECLINED,
        StepState.EXPIRED,
        StepState.SKIPPED,
        StepState.FAILED,
        StepState.WITHDRAWN,
    }
)
# A step in one of these states has done what later steps need (a step that does not apply
# to this citizen, such as registering a death already registered, needs nothing doing).
SATISFIED_STATES = frozenset({StepState.COMPLETED, StepState.NOT_APPLICABLE})
# The step has been granted and is on its way to the agency (or waiting for the steps it needs).
ACTIVE_STATES = frozenset({StepState.GRANTED, StepState.SUBMITTING, StepState.SUBMITTED})


class EventStatus(StrEnum):
    """Where a whole life event is."""

    AWAITING_CONSENT = "awaiting_consent"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PARTIALLY_COMPLETED = "partially_completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


def event_status(states: Iterable[StepState]) -> EventStatus:
    """The event's status from its steps' states (cancellation is decided by the workflow)."""
    states = [state for state in states if state is not StepState.NOT_APPLICABLE]
    if any(state in ACTIVE_STATES for state in states):
        return EventStatus.IN_PROGRESS
    if StepState.AWAITING_CONSENT in states:
        return EventStatus.AWAITING_CONSENT
    if all(state is StepState.COMPLETED for state in states):
        return EventStatus.COMPLETED
    if StepState.COMPLETED in states:
        return EventStatus.PARTIALLY_COMPLETED
    if StepState.FAILED in states:
        return EventStatus.FAILED
    # Nothing completed and nothing failed: every step was declined, expired or skipped.
    return EventStatus.PARTIALLY_COMPLETED


class Model(BaseModel):
    """Base of the messages that cross Temporal boundaries: immutable and strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PartyConsent(Model):
    """Another person's own answer at a step that needs it (the other parent, say)."""

    role: str
    state: Literal["awaiting", "granted", "declined", "unavailable"] = "awaiting"
    joined: bool = Field(default=False, description="They accepted the invitation.")
    reason: str | None = Field(default=None, description="Why they are unavailable.")


class StepProgress(Model):
    """One step's state, with the agency's reference or error once there is one."""

    step_id: str
    state: StepState
    reference: str | None = None
    error: str | None = None
    attempts: int = Field(default=0, description="Times the step was sent (operator retries add).")
    updated_at: datetime
    due_on: date | None = Field(default=None, description="The statutory deadline, if any.")
    note: str | None = Field(default=None, description="What happened, in plain words.")
    parties: tuple[PartyConsent, ...] = Field(
        default=(), description="Others whose own consent this step needs."
    )
    accepted_at: datetime | None = Field(
        default=None, description="When the agency acknowledged the request (gave a reference)."
    )
    completed_at: datetime | None = Field(
        default=None, description="When the agency reported the outcome (at once, or later)."
    )
    outcome_due: datetime | None = Field(
        default=None, description="A slow agency's outcome is normally in by then."
    )
    overdue: bool = Field(
        default=False,
        description="The agency's outcome is later than it should be: operators are alerted.",
    )
    effect: Literal["unchecked", "confirmed", "not_in_effect"] | None = Field(
        default=None,
        description="Proof of effect, for steps checked later: whether the change took effect.",
    )
    confirmed_at: datetime | None = Field(
        default=None, description="When the agency confirmed that the change took effect."
    )


class PrefilledField(Model):
    """A part of the data that came from a government register, and what the citizen did."""

    path: str = Field(description="The dotted path of the prefilled part, as in `address`.")
    source: str = Field(description="The register it came from, as in `addresses`.")
    confirmed: bool = Field(description="True if the citizen kept it, False if they changed it.")


class LifeEventProgress(Model):
    """A life event's state as its workflow knows it (the Query's answer)."""

    event_id: str
    event_type: str
    citizen_key: str
    status: EventStatus
    started_at: datetime
    steps: tuple[StepProgress, ...]
    prefilled: tuple[PrefilledField, ...] = ()
    corrections: tuple[CorrectionProgress, ...] = Field(
        default=(),
        description="Fields corrected after they were sent, with each agency's progress.",
    )


class LifeEventSnapshot(Model):
    """The event as its citizen's view is built from it: its progress, and what each step
    sends. The Query a read makes, and what a citizen's Update answers with, so that the API
    never asks the workflow twice for one answer."""

    progress: LifeEventProgress
    previews: tuple[Preview, ...]


class ConsentDecision(Model):
    """An answer at one step's checkpoint: grant or decline consent, or acknowledge a step the
    law (or an information-sharing agreement) requires."""

    step_id: str = Field(pattern=STEP_ID, description="A step of the event, by its id.")
    decision: Literal["grant", "decline", "acknowledge"]


class ConsentDecisions(Model):
    """One or more decisions taken together: all apply, or none does."""

    decisions: tuple[ConsentDecision, ...] = Field(min_length=1, max_length=50)
    party: str | None = Field(
        default=None, description="The party role answering; None for the citizen who started."
    )
    party_key: str | None = Field(default=None, description="That party's pseudonymous key.")


class StepWithdrawal(Model):
    """The citizen withdraws the consent they gave at a step."""

    step_id: str


class PartyInvitation(Model):
    """The citizen invites another party to give their own consent."""

    role: str


class PartyJoin(Model):
    """An invited party accepts, signed in as themselves."""

    role: str
    code: str
    party_key: str


class PartyUnavailable(Model):
    """The citizen records that a party cannot answer, for a reason the catalogue allows."""

    role: str
    reason: Literal["deceased", "unsafe", "unknown"]


class LifeEventStart(Model):
    """What every life-event workflow is started with, beside its event-specific data."""

    citizen_key: str = Field(description="Pseudonymous key of the citizen (a keyed hash).")
    consent_expiry: timedelta = Field(description="How long each checkpoint waits for an answer.")
    agency_give_up_after: timedelta = Field(
        default=timedelta(days=1),
        description="How long an unavailable agency is retried before the step fails.",
    )
    retry_window: timedelta = Field(
        default=timedelta(days=7),
        description="How long a failed step waits for an operator's retry before it is final.",
    )
    prefilled: tuple[PrefilledField, ...] = Field(
        default=(), description="The parts of the data that came from registers."
    )
    reminders_after: tuple[timedelta, ...] = Field(
        default=(), description="When unanswered checkpoints get reminders, after the start."
    )
    deadline_warning: timedelta = Field(
        default=timedelta(days=7), description="A reminder this long before a statutory deadline."
    )
    timezone: str = Field(
        default="Pacific/Auckland", description="Where a statutory due date's midnight is."
    )
    withdrawal_window: timedelta = Field(
        default=timedelta(days=30),
        description="How long after its steps end an event still takes withdrawals.",
    )
    started_with_patch: str | None = Field(
        default=None,
        description="The latest built-in workflow patch of the code that started the event: "
        "the event takes it, and every patch before it, without a marker in its history. "
        "None for events started before starters named it.",
    )
    own_queue_agencies: tuple[str, ...] | None = Field(
        default=None,
        description="The agencies whose calls go on a task queue of their own: all but those "
        "whose rate limit the deployment had lifted when the event started, whose calls share "
        "the workflow's queue. None for events started before starters named them: every "
        "agency on its own queue.",
    )


class StepRetry(Model):
    """An operator's request to send a failed step again (after the agency is fixed)."""

    step_id: str


class AgencyOutcomeReady(Model):
    """A slow agency said, by a verified callback, that the outcome of a step's request is
    ready: the step asks the agency for it."""

    step_id: str
    agency: str
    reference: str
