"""What the API shows of a life event: its progress joined with the public catalogue."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from onceonly.domain.catalogue import LegalBasis, LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    EventStatus,
    LifeEventProgress,
    PrefilledField,
    StepProgress,
    StepState,
)


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


class LifeEventSummary(BaseModel):
    """A line in the citizen's list of life events."""

    id: str
    event_type: str
    status: EventStatus
    started_at: datetime


def life_event_view(spec: LifeEventSpec, progress: LifeEventProgress) -> LifeEventView:
    """Join the workflow's progress with the catalogue entry that describes each step."""
    return LifeEventView(
        id=progress.event_id,
        event_type=progress.event_type,
        status=progress.status,
        started_at=progress.started_at,
        steps=[step_view(spec.step(step.step_id), step) for step in progress.steps],
        prefilled=list(progress.prefilled),
    )


def step_view(spec: StepSpec, step: StepProgress) -> StepView:
    """One step's catalogue entry joined with its progress."""
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
    )
