"""Pure functions of an event's progress that the API also needs: its first progress (before
the workflow has run), what it indexes for search, each step's parties, the steps in force.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from onceonly.domain import search_attributes
from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    EventStatus,
    LifeEventProgress,
    LifeEventStart,
    PartyConsent,
    StepProgress,
    StepState,
    event_status,
)
from onceonly.domain.step_graph import applies, due_on, value_at


def initial_progress(
    spec: LifeEventSpec,
    event_id: str,
    start: LifeEventStart,
    dossier: Mapping[str, Any],
    started_at: datetime,
    *,
    with_parties: bool = True,
) -> LifeEventProgress:
    """A new life event: every step that applies at its checkpoint, awaiting consent, with
    the other parties each step needs (those whose details the citizen gave)."""
    steps = tuple(
        StepProgress(
            step_id=step.id,
            state=StepState.AWAITING_CONSENT
            if applies(step, dossier)
            else StepState.NOT_APPLICABLE,
            updated_at=started_at,
            due_on=due_on(step, dossier),
            parties=parties_of(step, dossier) if with_parties else (),
        )
        for step in spec.steps
    )
    return LifeEventProgress(
        event_id=event_id,
        event_type=spec.event_type,
        citizen_key=start.citizen_key,
        status=event_status(step.state for step in steps),
        started_at=started_at,
        steps=steps,
        prefilled=start.prefilled,
    )


def indexed_state(
    status: EventStatus, steps: Iterable[StepProgress], *, needs_attention: bool = False
) -> search_attributes.IndexedState:
    """What an event indexes of its state: its status, open checkpoints and failed steps."""
    steps = tuple(steps)
    return search_attributes.IndexedState(
        status=status.value,
        awaiting_consent=[s.step_id for s in steps if s.state is StepState.AWAITING_CONSENT],
        failed_steps=[s.step_id for s in steps if s.state is StepState.FAILED],
        needs_attention=needs_attention,
    )


def parties_of(step: StepSpec, dossier: Mapping[str, Any]) -> tuple[PartyConsent, ...]:
    """The parties whose own answer the step needs: those the dossier names."""
    return tuple(
        PartyConsent(role=party.role)
        for party in step.parties
        if value_at(dossier, party.person) is not None
    )


def steps_in_force(
    spec: LifeEventSpec, added_steps: Mapping[str, str], patched: Callable[[str], bool]
) -> LifeEventSpec:
    """The life event as this run has it: a step added to the catalogue after events were
    already running (`added_steps`: step id -> patch id) is left out when `patched` says the
    event predates its patch, so that event goes on exactly as it started."""
    # One patched() call per patch, in a fixed order, so every replay asks the same questions.
    left_out = {step_id for step_id, patch_id in added_steps.items() if not patched(patch_id)}
    steps = tuple(step for step in spec.steps if step.id not in left_out)
    for step in steps:
        needed = left_out.intersection(step.depends_on)
        if needed:
            raise ValueError(f"{step.id} needs {sorted(needed)}, added later behind a patch")
    return spec.model_copy(update={"steps": steps})
