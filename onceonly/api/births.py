"""A birth told twice, and twins: the API's side of `onceonly.domain.multiple_birth`.

A second birth with the same identity (the child's date of birth and the birth parent, told
by the same citizen) while the first event is open is answered 409 naming the open event,
unless the request links it to that event as another child of the same multiple birth
(`data.multiple_birth.sibling_event_id`). The check holds across API replicas: the birth's
keyed fingerprint is claimed in the shared store (one insert-or-read statement) before the
event starts, so of two requests at once exactly one starts; whether the holder is still
open is asked of Temporal, so a finished or cancelled event does not block.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from fastapi import APIRouter
from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.access import NOT_FOUND, UNAVAILABLE, event_access
from onceonly.api.corrections import start_correction
from onceonly.api.deps import Citizen, CurrentCitizen, Temporal
from onceonly.api.problems import (
    PROBLEM_JSON,
    FieldError,
    Problem,
    ProblemError,
    invalid_input,
)
from onceonly.domain import search_attributes
from onceonly.domain.birth import BirthStart
from onceonly.domain.corrections import CorrectionOrder, CorrectionRequest, FieldCorrection
from onceonly.domain.multiple_birth import (
    MAX_PLURALITY,
    SHARED_PARTS,
    birth_fingerprint,
    shared_part_refusals,
    sibling_link,
    sibling_refusals,
)
from onceonly.settings import Settings
from onceonly.store import Store

router = APIRouter(prefix="/v1/life-events", tags=["life events"])
log = structlog.get_logger(__name__)

# A claim whose event Temporal does not know yet may be another replica's start under way;
# one older than this is a start that failed without letting go, and is taken over.
START_GRACE = timedelta(seconds=30)
# An event in these states may still send what a duplicate would send again.
OPEN_STATUSES = frozenset({"awaiting_consent", "in_progress"})
# Each attempt reads a holder and tries to take it over; a holder changing every time means
# another request is racing for the same birth, so the caller is told to try again.
_ATTEMPTS = 3
_SIBLING = "data.multiple_birth.sibling_event_id"


DUPLICATE = (
    "A birth with the same child's date of birth and birth parent, told by you, is open "
    "already (`existing_event_id`). The same child: continue that event. Another child of "
    "the same birth (twins or more): start this one again with "
    "data.multiple_birth.sibling_event_id set to that event's id."
)


class DuplicateProblem(Problem):
    """409: a birth with the same identity is open already, as `existing_event_id`."""

    existing_event_id: str = Field(
        description="The open event of the same birth: continue it (the same child), or start "
        "this one again linked to it (another child) by data.multiple_birth.sibling_event_id."
    )


DUPLICATE_RESPONSE: dict[str, Any] = {
    "model": DuplicateProblem,
    "description": DUPLICATE,
    "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/DuplicateProblem"}}},
}
"""The 409 as the OpenAPI document states it: a problem document, as every error is."""


def duplicate_birth(existing_event_id: str) -> ProblemError:
    """The 409 naming the open event and the two ways on."""
    detail = (
        f"a birth with this child's date of birth and birth parent is open already as "
        f"{existing_event_id}: if it is the same child, continue that event (GET "
        f"/v1/life-events/{existing_event_id}); if it is another child of the same birth "
        f"(twins or more), start this one with {_SIBLING} set to {existing_event_id}"
    )
    error = ProblemError(409, "Duplicate life event", detail)
    error.problem = DuplicateProblem(
        **error.problem.model_dump(), existing_event_id=existing_event_id
    )
    return error


class SharedBirthData(BaseModel):
    """What the children of one birth share, from a birth event the citizen started: another
    child's event starts with these, unchanged, beside its own child's details."""

    event_id: str
    date_of_birth: str = Field(description="The child's date of birth: the same for each.")
    plurality: int | None = Field(default=None, ge=2, le=MAX_PLURALITY)
    birth_order: int | None = Field(default=None, ge=1, le=MAX_PLURALITY)
    data: dict[str, Any] = Field(
        description="The birth data's shared parts (birth_parent, other_parent if any, "
        "address, health), in the birth data's own schema: send them as they are."
    )


@router.get("/{event_id}/shared-birth-data")
async def read_shared_birth_data(
    event_id: str, citizen: CurrentCitizen, temporal: Temporal
) -> SharedBirthData:
    """The parents, address and health choices of a birth event the caller started, as they
    gave them: another child of the same birth (twins) starts from these, never re-typed."""
    dossier = await sibling_dossier(temporal, citizen, event_id, refusal=NOT_FOUND)
    multiple = dossier.get("multiple_birth") or {}
    return SharedBirthData(
        event_id=event_id,
        date_of_birth=dossier["child"]["date_of_birth"],
        plurality=multiple.get("plurality"),
        birth_order=multiple.get("birth_order"),
        data={part: dossier[part] for part in SHARED_PARTS if dossier.get(part) is not None},
    )


_NOT_A_SIBLING = invalid_input(
    [FieldError(field=_SIBLING, rule="must be a birth event you started")]
)


async def sibling_dossier(
    temporal: Client, citizen: Citizen, event_id: str, refusal: ProblemError = _NOT_A_SIBLING
) -> dict[str, Any]:
    """The data a birth event of the caller's started with (its start input, read back from
    Temporal through the codec); `refusal` unless the caller started that birth (an event
    of another citizen's is not told apart from none)."""
    try:
        access = await event_access(temporal, citizen, event_id)
    except ProblemError as problem:
        if problem.problem.status == 404:
            raise refusal from None
        raise
    if access.party is not None or access.kind.spec.event_type != "birth":
        raise refusal
    async for event in access.handle.fetch_history_events(page_size=1):
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        [start] = await temporal.data_converter.decode(list(payloads), [BirthStart])
        return dict(start.data.model_dump(mode="json"))
    raise UNAVAILABLE


async def check_sibling(
    temporal: Client, citizen: Citizen, dossier: dict[str, Any]
) -> dict[str, Any] | None:
    """For a birth linked to a sibling event: the sibling's data, or 422 naming each field
    that breaks a rule of one multiple birth (a birth of the caller's, the same day, the same
    shared parts, plurality and birth order consistent). None for a birth not linked."""
    multiple = dossier.get("multiple_birth") or {}
    sibling_id = multiple.get("sibling_event_id")
    if sibling_id is None:
        return None
    sibling = await sibling_dossier(temporal, citizen, sibling_id)
    refusals = shared_part_refusals(dossier, sibling) + sibling_refusals(dossier, sibling)
    if refusals:
        raise invalid_input([FieldError(field=field, rule=rule) for field, rule in refusals])
    return sibling


async def link_sibling(
    temporal: Client, dossier: dict[str, Any], sibling: dict[str, Any], event_id: str
) -> None:
    """Correct a sibling event started as a single birth to say it is one of this multiple
    birth (plurality, its birth order, linked to `event_id`), through the event's own
    correction, so that BDM registers it so too. The new event stands whatever the sibling
    answers (it may have ended): a refusal is logged, by event ids only."""
    block = sibling_link(dossier, sibling, event_id)
    if block is None:
        return
    sibling_id = dossier["multiple_birth"]["sibling_event_id"]
    request = CorrectionRequest(
        corrections=(FieldCorrection(path="multiple_birth", value=block),),
        reason="another baby of the same birth was told",
    )
    try:
        await start_correction(
            temporal.get_workflow_handle(sibling_id), CorrectionOrder(request=request)
        )
    except (ProblemError, RPCError) as refused:
        log.warning(
            "api.sibling_not_linked",
            event_id=event_id,
            sibling_event_id=sibling_id,
            error_type=type(refused).__name__,
        )


async def held_open(temporal: Client, event_id: str, claimed_at: datetime) -> bool:
    """Whether the event holding a fingerprint is open, as Temporal describes it: running
    and still awaiting consent or in progress (an event in its withdrawal window after it
    completed is finished); a claim not started yet counts as open for START_GRACE."""
    try:
        description = await temporal.get_workflow_handle(event_id).describe()
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return datetime.now(UTC) - claimed_at < START_GRACE
        raise
    if description.status is not WorkflowExecutionStatus.RUNNING:
        return False
    status = description.typed_search_attributes.get(search_attributes.STATUS)
    return status is None or status in OPEN_STATUSES


@asynccontextmanager
async def birth_held(
    store: Store,
    temporal: Client,
    settings: Settings,
    *,
    citizen: Citizen,
    dossier: dict[str, Any],
    event_id: str,
) -> AsyncIterator[None]:
    """Hold the birth's fingerprint for `event_id` while the block starts it; 409 naming the
    open event that holds it. The claim is let go if the block fails (no event started)."""
    fingerprint = birth_fingerprint(settings.citizen_key_secret, citizen.key, dossier)
    for _ in range(_ATTEMPTS):
        now = datetime.now(UTC)
        claim = await store.fingerprints.claim(fingerprint, event_id, now)
        if claim.event_id == event_id:
            break
        if await held_open(temporal, claim.event_id, claim.claimed_at):
            raise duplicate_birth(claim.event_id)
        if await store.fingerprints.take_over(fingerprint, claim.event_id, event_id, now):
            break
    else:
        raise UNAVAILABLE
    try:
        yield
    except BaseException:
        await store.fingerprints.release(fingerprint, event_id)
        raise
