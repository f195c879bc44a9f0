"""Correction routes: correct fields of a life event after they were sent, and follow each
agency's progress with the correction. Operators correct through `onceonly ops correct`,
which starts corrections the same way (`start_correction`).
"""

import uuid
from typing import Any

from fastapi import APIRouter, status
from pydantic import ValidationError, model_validator
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.access import QUERY_TIMEOUT, UNAVAILABLE, event_access, query
from onceonly.api.deps import CurrentCitizen, Temporal
from onceonly.api.problems import FieldError, ProblemError, from_validation_error, invalid_input
from onceonly.domain.corrections import (
    INVALID_CORRECTION,
    CorrectionOrder,
    CorrectionProgress,
    CorrectionRequest,
)
from workflows.steps import LifeEventWorkflow

router = APIRouter(tags=["corrections"])
_REFUSAL = "Correction does not apply"


class CorrectionBody(CorrectionRequest):
    """A correction request as sent: the rule between its paths is checked once the event is
    found (a request to no event is a 404, whatever it holds)."""

    @model_validator(mode="after")
    def _distinct_paths(self) -> "CorrectionBody":
        return self


@router.post("/v1/life-events/{event_id}/corrections", status_code=status.HTTP_202_ACCEPTED)
async def correct_fields(
    event_id: str, body: CorrectionBody, citizen: CurrentCitizen, temporal: Temporal
) -> CorrectionProgress:
    """Correct fields sent wrongly (a misspelt name, a wrong unit number): every agency that
    received one is sent its correction, with a receipt, or an operator is asked to correct
    it where the agency takes no correction online. Answers once the correction is recorded;
    GET the corrections to follow each agency."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    try:
        request = CorrectionRequest.model_validate(body.model_dump())
    except ValidationError as error:
        raise from_validation_error(error, ()) from None
    return await start_correction(access.handle, CorrectionOrder(request=request, by="citizen"))


@router.get("/v1/life-events/{event_id}/corrections")
async def read_corrections(
    event_id: str, citizen: CurrentCitizen, temporal: Temporal
) -> list[CorrectionProgress]:
    """Every correction of the event, oldest first, with each agency's progress."""
    access = await event_access(temporal, citizen, event_id)
    return list(await query(access.handle, LifeEventWorkflow.corrections))


async def start_correction(
    handle: WorkflowHandle[Any, Any], order: CorrectionOrder
) -> CorrectionProgress:
    """Start the correction and answer with its progress once the event has recorded it:
    422 naming the field and rule for a path or value the event's data does not take, 409
    when the event takes no correction (cancelled or ended)."""
    correction_id = str(uuid.uuid4())  # the Update's id, which the correction takes as its own
    try:
        started = await handle.start_update(
            LifeEventWorkflow.correct_fields,
            order,
            id=correction_id,
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
        )
        recorded = await _recorded(handle, correction_id)
        if recorded is None:
            # Not recorded, so refused: the refusal is the Update's outcome, known already.
            await started.result(rpc_timeout=QUERY_TIMEOUT)
            recorded = await _recorded(handle, correction_id)
    except WorkflowUpdateFailedError as failure:
        raise refusal(failure.cause) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise ProblemError(409, _REFUSAL, "the life event has ended") from None
        raise
    if recorded is None:
        raise UNAVAILABLE
    return recorded


async def _recorded(
    handle: WorkflowHandle[Any, Any], correction_id: str
) -> CorrectionProgress | None:
    corrections: tuple[CorrectionProgress, ...] = await query(handle, LifeEventWorkflow.corrections)
    return next((c for c in corrections if c.correction_id == correction_id), None)


def refusal(cause: BaseException | None) -> ProblemError:
    """The problem for an Update the event refused: 422 for invalid data, 409 otherwise."""
    if not isinstance(cause, ApplicationError):
        return ProblemError(409, _REFUSAL, "the life event refused the correction")
    if cause.type == INVALID_CORRECTION and len(cause.details) == 2:
        field, rule = (str(detail) for detail in cause.details)
        return invalid_input([FieldError(field=field, rule=rule)])
    return ProblemError(409, _REFUSAL, cause.message)
