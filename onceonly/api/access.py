"""Who may see and act on a life event: the citizen who started it, or a party who joined it
(the other parent). Everyone else gets the same 404 as for an event that does not exist.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowQueryFailedError, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.deps import Citizen, Temporal
from onceonly.api.problems import ProblemError
from onceonly.api.views import LifeEventView, life_event_view
from onceonly.domain import search_attributes
from onceonly.domain.life_event import LifeEventSnapshot
from onceonly.life_events import LifeEventKind, kind_of
from workflows.steps import LifeEventWorkflow

# Workflow ids are the event type and 128 random (or keyed-hash) bits: opaque, no personal data.
EVENT_ID = re.compile(r"^[a-z_]+-[0-9a-f]{32}$")
# A query waits for a worker to answer; past this the citizen gets a 503 to retry.
QUERY_TIMEOUT = timedelta(seconds=10)
NOT_FOUND = ProblemError(404, "Not found", "id: no such life event")
UNAVAILABLE = ProblemError(
    503, "Unavailable", "the life event's state cannot be read now; try again shortly"
)


@dataclass(frozen=True)
class EventAccess:
    """An event the caller may see: its handle, its kind, and the caller's part in it."""

    handle: WorkflowHandle[Any, Any]
    kind: LifeEventKind
    party: str | None
    """None for the citizen who started the event; the party's role for anyone who joined."""

    def require_citizen(self) -> None:
        """Only the citizen who started the event may do this (403 for a party)."""
        if self.party is not None:
            raise ProblemError(403, "Forbidden", "only the citizen who started the event may")


def event_kind(event_id: str) -> LifeEventKind:
    """The kind an event id names; 404 for an id no event of ours could have."""
    kind = kind_of(event_id) if EVENT_ID.match(event_id) else None
    if kind is None:
        raise NOT_FOUND
    return kind


async def event_access(temporal: Temporal, citizen: Citizen, event_id: str) -> EventAccess:
    """The event, if the caller started it or joined it; 404 alike otherwise, so ids of other
    citizens' events are not confirmed."""
    kind = event_kind(event_id)
    handle = temporal.get_workflow_handle(event_id)
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise NOT_FOUND from None
        raise
    attributes = description.typed_search_attributes
    if attributes.get(search_attributes.CITIZEN_KEY) == citizen.key:
        return EventAccess(handle, kind, None)
    if citizen.key in (attributes.get(search_attributes.PARTY_KEYS) or "").split():
        roles = await query(handle, LifeEventWorkflow.party_roles)
        if citizen.key in roles:
            return EventAccess(handle, kind, roles[citizen.key])
    raise NOT_FOUND


async def query(handle: WorkflowHandle[Any, Any], method: Any) -> Any:
    """A Query's answer; 503 when the event's worker does not answer now."""
    try:
        return await handle.query(method, rpc_timeout=QUERY_TIMEOUT)
    except (RPCError, WorkflowQueryFailedError):
        # The event is safe in Temporal; only its worker is not answering right now.
        raise UNAVAILABLE from None


async def update(access: EventAccess, method: Any, argument: Any, refusal: str) -> Any:
    """An Update's answer; 409 `refusal` with the workflow's reason when it does not apply."""
    try:
        return await access.handle.execute_update(method, argument)
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
        raise ProblemError(409, refusal, reason) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise ProblemError(409, refusal, "the life event has ended") from None
        raise


async def read_view(access: EventAccess) -> LifeEventView:
    """The event as the citizen sees it: progress, previews and notes per step."""
    return view_of(access, await query(access.handle, LifeEventWorkflow.snapshot))


def view_of(access: EventAccess, snapshot: LifeEventSnapshot) -> LifeEventView:
    """The citizen's view of the event from its snapshot (a Query's or an Update's answer)."""
    view = life_event_view(access.kind.spec, snapshot.progress, snapshot.previews)
    return view.model_copy(update={"party_role": access.party})


async def starter_key(access: EventAccess) -> str:
    """The pseudonymous key of the citizen who started the event (entries in the disclosure
    log are kept under it)."""
    description = await access.handle.describe()
    return description.typed_search_attributes.get(search_attributes.CITIZEN_KEY) or ""
