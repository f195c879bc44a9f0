"""The cancel route: the citizen who started a life event stops it. Steps not sent yet are
never sent; what agencies received stays with them (a withdrawal asks them to delete it, and
must come first: a cancelled event takes no more answers)."""

from typing import Annotated

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, Field
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.access import event_access, read_view
from onceonly.api.deps import CurrentCitizen, Temporal
from onceonly.api.problems import ProblemError
from onceonly.api.views import LifeEventView

router = APIRouter(tags=["life events"])
_REFUSAL = "Cancellation does not apply"
# The event's end states: nothing is left to stop.
_ENDED = {"completed", "partially_completed", "failed", "cancelled"}


class CancelRequest(BaseModel):
    """Why the citizen cancels, in a few words (kept in the event's history: no details of
    anyone)."""

    reason: str = Field(
        default="cancelled by the citizen", min_length=1, max_length=200, pattern=r"^[^<>]*$"
    )


@router.post("/v1/life-events/{event_id}/cancellation", status_code=status.HTTP_202_ACCEPTED)
async def cancel_life_event(
    event_id: str,
    citizen: CurrentCitizen,
    temporal: Temporal,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> LifeEventView:
    """Cancel a life event that has not ended: 202 once the event is asked to stop (its
    status turns `cancelled` within moments), 409 when it has ended already. Only the citizen
    who started it may; a party who joined gets 403."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    view = await read_view(access)
    if view.status in _ENDED:
        raise ProblemError(409, _REFUSAL, f"the life event is {view.status.value} already")
    reason = (body or CancelRequest()).reason
    try:
        await access.handle.cancel(reason=f"citizen: {reason}")
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise ProblemError(409, _REFUSAL, "the life event has ended") from None
        raise
    return view
