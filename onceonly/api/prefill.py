"""Prefill route: with the citizen's consent, look up what registers hold for a life event
they are about to start, and answer with a draft for them to confirm or change."""

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, ValidationError
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.deps import AppSettings, Citizen, CurrentCitizen, Temporal
from onceonly.api.problems import FieldError, ProblemError, from_validation_error, invalid_input
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.prefill import Prefill, PrefilledPath, PrefillRequest
from workflows.prefill import PrefillWorkflow

router = APIRouter(prefix="/v1/prefill", tags=["prefill"])

# Look-ups give up after GIVE_UP_AFTER in the workflow; this bounds the whole request.
PREFILL_TIMEOUT = timedelta(seconds=30)
PREFILL_ID_PREFIX = "prefill-"
PREFILL_ID = rf"^{PREFILL_ID_PREFIX}[0-9a-f]{{32}}$"
"""What every prefill id looks like (the prefix and 128 random bits, as hex)."""


class PrefillStart(BaseModel):
    """Which registers the citizen agrees to have looked up, for which life event."""

    event_type: str = Field(examples=["move"])
    sources: list[str] = Field(
        min_length=1, max_length=10, description="The registers agreed to (catalogue `prefill`)."
    )
    death_registration_number: str | None = Field(
        default=None, description="For a death the funeral director has registered already."
    )


class PrefillView(BaseModel):
    """The draft: start the life event with `prefill_id` set to `id` and the confirmed data."""

    id: str
    event_type: str
    data: dict[str, Any]
    filled: list[PrefilledPath]
    unavailable: list[str]


@router.post("")
async def prefill(
    body: PrefillStart, citizen: CurrentCitizen, settings: AppSettings, temporal: Temporal
) -> PrefillView:
    """Look up the agreed registers now; nothing is kept beyond the draft."""
    request = _request(body, citizen)
    prefill_id = f"{PREFILL_ID_PREFIX}{uuid.uuid4().hex}"
    try:
        result = await temporal.execute_workflow(
            PrefillWorkflow.run,
            request,
            id=prefill_id,
            task_queue=settings.task_queue,
            execution_timeout=PREFILL_TIMEOUT,
        )
    except WorkflowFailureError:
        raise ProblemError(
            503, "Unavailable", "the registers cannot be looked up now; try again or type it in"
        ) from None
    return PrefillView(
        id=prefill_id,
        event_type=result.event_type,
        data=result.data,
        filled=list(result.filled),
        unavailable=list(result.unavailable),
    )


def _request(body: PrefillStart, citizen: Citizen) -> PrefillRequest:
    try:
        spec = CATALOGUE.event(body.event_type)
    except KeyError:
        events = ", ".join(event.event_type for event in CATALOGUE.life_events)
        rule = f"must be one of: {events}"
        raise invalid_input([FieldError(field="event_type", rule=rule)]) from None
    offered = [prefill.source for prefill in spec.prefill]
    errors = [
        FieldError(field=f"sources[{i}]", rule=f"must be one of: {', '.join(offered) or 'none'}")
        for i, source in enumerate(body.sources)
        if source not in offered
    ]
    if len(set(body.sources)) != len(body.sources):
        errors.append(FieldError(field="sources", rule="must not name a register twice"))
    for source in body.sources:
        needs = spec.prefill_from(source).needs if source in offered else None
        if needs and getattr(body, needs) is None:
            errors.append(FieldError(field=needs, rule=f"is needed to look up {source}"))
    if errors:
        raise invalid_input(errors)
    try:
        return PrefillRequest(
            citizen_key=citizen.key,
            event_type=body.event_type,
            identity=citizen.id,
            sources=tuple(body.sources),
            death_registration_number=body.death_registration_number,
        )
    except ValidationError as error:
        raise from_validation_error(error, ()) from None


async def read_prefill(temporal: Temporal, citizen: Citizen, prefill_id: str) -> Prefill:
    """The caller's finished prefill; a 404 on `prefill_id` for any other, alike, so that
    other citizens' prefills are not confirmed (a well-formed id that names no prefill of
    the caller's is a missing resource, not a malformed request)."""
    rule = "must be a prefill of yours"
    unknown = ProblemError(
        404, "Not found", f"prefill_id: {rule}", [FieldError(field="prefill_id", rule=rule)]
    )
    if not prefill_id.startswith(PREFILL_ID_PREFIX) or len(prefill_id) > 64:
        raise unknown
    try:
        result: Prefill = await temporal.get_workflow_handle_for(
            PrefillWorkflow.run, prefill_id
        ).result()
    except WorkflowFailureError:
        raise unknown from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise unknown from None
        raise
    if result.citizen_key != citizen.key:
        raise unknown
    return result
