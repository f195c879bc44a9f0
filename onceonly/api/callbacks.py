"""Slow agencies call back here when a request they accepted has an outcome.

The agency signs each callback (see onceonly.callbacks); a forged or stale one is refused with
401 and a replayed one with 409, and none of them reaches the life event. A good one wakes the
step waiting on that request, which then asks the agency for the outcome itself. One that comes
before the step's submission is recorded (425), or while the event cannot answer (503), is
refused for now: the agency calls again.
"""

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from pydantic import ValidationError
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.deps import AppSettings, SharedStore, Temporal
from onceonly.api.problems import FieldError, ProblemError, invalid_input
from onceonly.callbacks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AgencyCallback,
    CallbackRefused,
    verify_callback,
)
from onceonly.domain.life_event import AgencyOutcomeReady
from workflows.steps import LifeEventWorkflow

router = APIRouter(tags=["agencies"])
RETRY_SOON = {"Retry-After": "1"}


@router.post("/v1/agency-callbacks/{agency}", status_code=status.HTTP_202_ACCEPTED)
async def agency_callback(
    agency: str,
    request: Request,
    *,
    settings: AppSettings,
    temporal: Temporal,
    store: SharedStore,
    timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER)] = None,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER)] = None,
) -> dict[str, str]:
    """An agency's signed word that a request it accepted has an outcome (the body is the
    callback envelope; see docs/agencies.md, "Slow agencies")."""
    secret = settings.agency_callback_secrets.get(agency)
    if secret is None:
        raise ProblemError(404, "Not found", f"agency: {agency!r} does not call back")
    body = await request.body()
    try:
        verify_callback(secret.encode(), timestamp, signature, body, time.time())
    except CallbackRefused as refused:
        raise ProblemError(401, "Callback refused", str(refused)) from None
    try:
        callback = AgencyCallback.model_validate_json(body)
    except ValidationError as error:
        raise invalid_input(
            [
                FieldError(field=".".join(map(str, e["loc"])) or "body", rule=e["msg"])
                for e in error.errors(include_input=False)
            ]
        ) from None
    # Taken before acting, in one insert-or-refuse: of any number of deliveries at once, on any
    # number of APIs, one goes on. It is given back if waking the step fails, so the agency's
    # retry is taken then.
    if not await store.callbacks.claim(agency, callback.callback_id, datetime.now(UTC)):
        raise ProblemError(409, "Callback replayed", "callback_id: this callback was received")
    try:
        await _wake(temporal, agency, callback)
    except BaseException:
        await store.callbacks.release(agency, callback.callback_id)
        raise
    return {"status": "accepted"}


async def _wake(temporal: Client, agency: str, callback: AgencyCallback) -> None:
    """Tell the step waiting on the request that its outcome is ready."""
    ready = AgencyOutcomeReady(
        step_id=callback.step_id, agency=agency, reference=callback.reference
    )
    handle = temporal.get_workflow_handle(callback.event_id)
    try:
        await handle.execute_update(LifeEventWorkflow.agency_outcome_ready, ready)
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
        if isinstance(cause, ApplicationError) and cause.type == "OutcomeNotAwaitedYet":
            raise ProblemError(425, "Too early", reason, headers=RETRY_SOON) from None
        raise ProblemError(409, "No request waiting", reason) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        # No worker took the update in time (one restarting): nothing was done, so no replay.
        raise ProblemError(
            503, "Try again", "the life event did not answer in time", headers=RETRY_SOON
        ) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise ProblemError(404, "Not found", "idempotency_key: no such request") from None
        raise
