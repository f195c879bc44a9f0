"""What the API shows of a life event: its progress joined with the public catalogue."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from onceonly.domain.catalogue import LegalBasis, LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    EventStatus,
    LifeEventProgress,
    PartyConsent,
    PrefilledField,
    StepProgress,
    StepState,
)
from onceonly.domain.preview import Preview


class StepView(BaseModel):
    """One step: what it is (from the catalogue) and where it is."""

    id: str
    agency: str
    service: str
    purpose: str
    legal_basis: LegalBasis
    fields: list[str]
    depends_on: list[str]
    state: StepState
    reference: str | None
    error: str | None
    updated_at: datetime
    due_on: date | None = Field(description="The statutory deadline, where the law sets one.")
    deadline_rule: str | None = Field(description="That deadline's rule, in plain words.")
    checkpoint: Literal["consent", "acknowledgement"] = Field(
        description="A choice (grant or decline), or a step the law requires (acknowledge)."
    )
    answers: list[str] = Field(description="The answers this checkpoint takes.")
    note: str | None = Field(description="What happened, in plain words (a withdrawal, say).")
    kept_by_law: str | None = Field(description="Why the agency keeps its record regardless.")
    parties: list[PartyConsent] = Field(description="Others whose own consent the step needs.")
    preview: Preview | None = Field(
        description="Exactly what the agency will receive, in its own format, where known."
    )
    accepted_at: datetime | None = Field(
        description="When the agency acknowledged the request (gave its reference)."
    )
    completed_at: datetime | None = Field(
        description="When the agency reported the outcome (at once, or later for a slow one)."
    )
    outcome_due: datetime | None = Field(
        description="For a request the agency decides later: when its outcome is normally in."
    )
    overdue: bool = Field(description="The agency's outcome is late: operators are alerted.")
    effect: Literal["unchecked", "confirmed", "not_in_effect"] | None = Field(
        description="Proof of effect, for steps checked later: whether the change took effect."
    )
    confirmed_at: datetime | None = Field(
        description="When the agency confirmed that the change took effect."
    )


class LifeEventView(BaseModel):
    """A life event as its citizen sees it."""

    id: str
    event_type: str
    status: EventStatus
    started_at: datetime
    steps: list[StepView]
    prefilled: list[PrefilledField] = Field(
        description="What came from government registers, and whether the citizen kept it."
    )
    party_role: str | None = Field(
        default=None,
        description="The caller's part when they joined the event (as in `other_parent`); "
        "null for the citizen who started it.",
    )


class LifeEventSummary(BaseModel):
    """A line in the citizen's list of life events."""

    id: str
    event_type: str
    status: EventStatus
    started_at: datetime
    party_role: str | None = Field(
        default=None,
        description="The caller's part in an event they joined; null for one they started.",
    )


def life_event_view(
    spec: LifeEventSpec, progress: LifeEventProgress, previews: Sequence[Preview] = ()
) -> LifeEventView:
    """Join the workflow's progress with the catalogue entry that describes each step, and
    with the preview of what each step sends."""
    by_step = {preview.step_id: preview for preview in previews}
    return LifeEventView(
        id=progress.event_id,
        event_type=progress.event_type,
        status=progress.status,
        started_at=progress.started_at,
        steps=[
            step_view(spec.step(step.step_id), step, by_step.get(step.step_id))
            for step in progress.steps
        ],
        prefilled=list(progress.prefilled),
    )


def step_view(spec: StepSpec, step: StepProgress, preview: Preview | None = None) -> StepView:
    """One step's catalogue entry joined with its progress."""
    statutory = spec.legal_basis.kind != "consent"
    return StepView(
        id=step.step_id,
        agency=spec.agency,
        service=spec.service,
        purpose=spec.purpose,
        legal_basis=spec.legal_basis,
        fields=list(spec.fields),
        depends_on=list(spec.depends_on),
        state=step.state,
        reference=step.reference,
        error=step.error,
        updated_at=step.updated_at,
        due_on=step.due_on,
        deadline_rule=spec.deadline.rule if spec.deadline else None,
        checkpoint="acknowledgement" if statutory else "consent",
        answers=["acknowledge"] if statutory else ["grant", "decline"],
        note=step.note,
        kept_by_law=spec.kept_by_law,
        parties=list(step.parties),
        preview=preview,
        accepted_at=step.accepted_at,
        completed_at=step.completed_at,
        outcome_due=step.outcome_due,
        overdue=step.overdue,
        effect=step.effect,
        confirmed_at=step.confirmed_at,
    )
