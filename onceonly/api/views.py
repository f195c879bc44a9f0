"""What the API shows of a life event: its progress joined with the public catalogue."""

from datetime import datetime

from pydantic import BaseModel

from onceonly.domain.catalogue import LegalBasis, LifeEventSpec
from onceonly.domain.life_event import EventStatus, LifeEventProgress, StepState


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


class LifeEventView(BaseModel):
    """A life event as its citizen sees it."""

    id: str
    event_type: str
    status: EventStatus
    started_at: datetime
    steps: list[StepView]


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
        steps=[
            StepView(
                id=step.step_id,
                agency=spec.step(step.step_id).agency,
                service=spec.step(step.step_id).service,
                purpose=spec.step(step.step_id).purpose,
                legal_basis=spec.step(step.step_id).legal_basis,
                fields=list(spec.step(step.step_id).fields),
                depends_on=list(spec.step(step.step_id).depends_on),
                state=step.state,
                reference=step.reference,
                error=step.error,
                updated_at=step.updated_at,
            )
            for step in progress.steps
        ],
    )
