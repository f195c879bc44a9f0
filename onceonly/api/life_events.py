"""Life-event routes: start one, list mine, read one, answer its consent checkpoints."""

import contextlib
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, status
from pydantic import BaseModel, Field, ValidationError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from onceonly import metrics
from onceonly.api import births
from onceonly.api.access import event_access, read_view, update, view_of
from onceonly.api.deps import AppSettings, Citizen, CurrentCitizen, SharedStore, Temporal
from onceonly.api.prefill import PREFILL_ID, read_prefill
from onceonly.api.problems import FieldError, ProblemError, from_validation_error, invalid_input
from onceonly.api.views import LifeEventSummary, LifeEventView, life_event_view
from onceonly.domain import search_attributes
from onceonly.domain.life_event import (
    ConsentDecision,
    ConsentDecisions,
    LifeEventProgress,
    LifeEventStart,
    PrefilledField,
)
from onceonly.domain.people import intake_context
from onceonly.domain.prefill import provenance
from onceonly.domain.progress import indexed_state, initial_progress
from onceonly.life_events import LIFE_EVENTS, LifeEventKind
from onceonly.settings import Settings
from workflows.steps import LifeEventWorkflow

router = APIRouter(prefix="/v1/life-events", tags=["life events"])

# Workflow ids are the event type and 128 random (or keyed-hash) bits: opaque, no personal data.
_EVENT_ID = re.compile(r"^[a-z_]+-[0-9a-f]{32}$")
# A query waits for a worker to answer; past this the citizen gets a 503 to retry.
QUERY_TIMEOUT = timedelta(seconds=10)
# A UUID, a ULID or any opaque token of the client's; never empty, no spaces or markup.
IDEMPOTENCY_KEY = r"^[A-Za-z0-9._:-]{1,200}$"
_NOT_FOUND = ProblemError(404, "Not found", "id: no such life event")


class StartLifeEvent(BaseModel):
    """A request to start a life event with everything it needs, given once."""

    event_type: str = Field(examples=["birth"])
    data: dict[str, Any] = Field(description="The event's data, as the catalogue describes it.")
    prefill_id: str | None = Field(
        default=None,
        pattern=PREFILL_ID,
        description="The prefill (POST /v1/prefill) this data was confirmed from.",
    )


class DecisionsRequest(BaseModel):
    """The citizen's answers at one or more checkpoints; all apply or none does."""

    decisions: list[ConsentDecision] = Field(min_length=1, max_length=50)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: births.DUPLICATE_RESPONSE},
)
async def start_life_event(
    body: StartLifeEvent,
    citizen: CurrentCitizen,
    settings: AppSettings,
    temporal: Temporal,
    *,
    store: SharedStore,
    idempotency_key: Annotated[str | None, Header(pattern=IDEMPOTENCY_KEY)] = None,
) -> LifeEventView:
    """Start a life event; the same Idempotency-Key always answers with the same event. A
    birth the caller told already, while its event is open, is answered 409 (see below)."""
    kind = _kind(body.event_type)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    unpaired = list(_unpaired_surrogates(body.data, "data"))
    if unpaired:
        raise invalid_input(unpaired)
    try:
        # Strict, as JSON: the data is exactly what the OpenAPI document describes (no 0 for
        # false, no 3 for "3"), so a body the document calls invalid is refused.
        data = kind.data_model.model_validate_json(
            json.dumps(body.data), strict=True, context=intake_context(today)
        )
    except ValidationError as error:
        raise from_validation_error(error, ("data",)) from None
    dossier = data.model_dump(mode="json")
    birth = kind.spec.event_type == "birth"
    sibling = await births.check_sibling(temporal, citizen, dossier) if birth else None
    prefilled = await _prefilled(temporal, citizen, kind, body.prefill_id, dossier)
    event_id = _new_event_id(settings, kind, citizen, idempotency_key)
    start = kind.start(settings, citizen.key, data, prefilled)
    progress = initial_progress(kind.spec, event_id, start, dossier, datetime.now(UTC))
    held = (
        births.birth_held(
            store, temporal, settings, citizen=citizen, dossier=dossier, event_id=event_id
        )
        if birth
        else contextlib.nullcontext()
    )
    async with held:
        view, started = await _start(
            temporal,
            settings,
            citizen,
            kind=kind,
            start=start,
            event_id=event_id,
            progress=progress,
            dossier=dossier,
        )
    if started and sibling is not None:
        await births.link_sibling(temporal, dossier, sibling, event_id)
    return view


async def _start(
    temporal: Temporal,
    settings: Settings,
    citizen: Citizen,
    *,
    kind: LifeEventKind,
    start: LifeEventStart,
    event_id: str,
    progress: LifeEventProgress,
    dossier: dict[str, Any],
) -> tuple[LifeEventView, bool]:
    """The event's view, and whether this request started it (not an Idempotency-Key
    repeat)."""
    try:
        await temporal.start_workflow(
            kind.run,
            start,
            id=event_id,
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            # An Idempotency-Key repeat after the event has ended must not start it again.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(search_attributes.EVENT_TYPE, kind.spec.event_type),
                    SearchAttributePair(search_attributes.CITIZEN_KEY, citizen.key),
                    SearchAttributePair(search_attributes.AGENCIES, kind.agencies(dossier)),
                    *search_attributes.state_pairs(
                        indexed_state(progress.status, progress.steps), progress.started_at
                    ),
                ]
            ),
        )
    except WorkflowAlreadyStartedError:
        # Only an Idempotency-Key repeat can collide: answer with the event it started.
        return await read_view(await event_access(temporal, citizen, event_id)), False
    metrics.record_event_started(kind.spec.event_type)
    return life_event_view(kind.spec, progress), True


@router.get("")
async def list_life_events(
    citizen: CurrentCitizen, store: SharedStore, temporal: Temporal
) -> list[LifeEventSummary]:
    """The caller's life events, newest first: those they started, and those they joined as
    another party (the other parent), each with `party_role` saying their part."""
    joined = {row.event_id: row.role for row in await store.parties.joined_by(citizen.key)}
    query = list_query(citizen.key, joined)
    summaries = []
    async for execution in temporal.list_workflows(query):
        attributes = execution.typed_search_attributes
        mine = attributes.get(search_attributes.CITIZEN_KEY) == citizen.key
        summaries.append(
            LifeEventSummary(
                id=execution.id,
                event_type=attributes.get(search_attributes.EVENT_TYPE) or execution.workflow_type,
                status=attributes.get(search_attributes.STATUS) or "awaiting_consent",
                started_at=execution.start_time,
                party_role=None if mine else joined.get(execution.id),
            )
        )
    return sorted(summaries, key=lambda summary: summary.started_at, reverse=True)


def list_query(citizen_key: str, joined: Iterable[str]) -> str:
    """The visibility query for the events a citizen started or joined. Keys and ids are
    hex and `[a-z_-]` only (checked here), so nothing in the query is the caller's text."""
    query = f"{search_attributes.CITIZEN_KEY.name} = '{citizen_key}'"
    ids = [event_id for event_id in joined if _EVENT_ID.match(event_id)]
    if ids:
        listed = ", ".join(f"'{event_id}'" for event_id in ids)
        query = f"({query}) OR WorkflowId IN ({listed})"
    return query


@router.get("/{event_id}")
async def read_life_event(
    event_id: str, citizen: CurrentCitizen, temporal: Temporal
) -> LifeEventView:
    """One of the caller's life events, with every step's state and what it will send."""
    return await read_view(await event_access(temporal, citizen, event_id))


@router.post("/{event_id}/consents")
async def decide_consents(
    event_id: str, body: DecisionsRequest, citizen: CurrentCitizen, temporal: Temporal
) -> LifeEventView:
    """Grant, decline or acknowledge at checkpoints, as the citizen or as a party who joined;
    409 with the reason when a decision does not apply."""
    access = await event_access(temporal, citizen, event_id)
    step_ids = [step.id for step in access.kind.spec.steps]
    unknown = [
        FieldError(field=f"decisions[{i}].step_id", rule=f"must be one of: {', '.join(step_ids)}")
        for i, decision in enumerate(body.decisions)
        if decision.step_id not in step_ids
    ]
    if unknown:
        raise invalid_input(unknown)
    decisions = ConsentDecisions(
        decisions=tuple(body.decisions),
        party=access.party,
        party_key=citizen.key if access.party else None,
    )
    snapshot = await update(
        access, LifeEventWorkflow.decide_consent, decisions, "Decision does not apply"
    )
    metrics.record_consent_decisions(access.kind.spec.event_type, body.decisions)
    return view_of(access, snapshot)


async def _prefilled(
    temporal: Temporal,
    citizen: Citizen,
    kind: LifeEventKind,
    prefill_id: str | None,
    dossier: dict[str, Any],
) -> tuple[PrefilledField, ...]:
    """Which parts of the data came from registers, and whether the citizen kept them."""
    if prefill_id is None:
        return ()
    prefill = await read_prefill(temporal, citizen, prefill_id)
    if prefill.event_type != kind.spec.event_type:
        rule = f"must be a prefill for a {kind.spec.event_type} event"
        raise invalid_input([FieldError(field="prefill_id", rule=rule)])
    return provenance(prefill, dossier)


def _unpaired_surrogates(value: Any, path: str) -> Iterator[FieldError]:
    """Each string holding half a UTF-16 pair, by its path: JSON may escape one, but it is no
    Unicode text, and the strict JSON validation below would refuse the whole document."""
    if isinstance(value, str) and any("\ud800" <= char <= "\udfff" for char in value):
        yield FieldError(field=path, rule="must be Unicode text (an unpaired surrogate is not)")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unpaired_surrogates(item, f"{path}.{key}" if key.isidentifier() else path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unpaired_surrogates(item, f"{path}[{index}]")


def _kind(event_type: str) -> LifeEventKind:
    kind = LIFE_EVENTS.get(event_type)
    if kind is None:
        rule = f"must be one of: {', '.join(LIFE_EVENTS)}"
        raise invalid_input([FieldError(field="event_type", rule=rule)])
    return kind


def _new_event_id(
    settings: Settings, kind: LifeEventKind, citizen: Citizen, idempotency_key: str | None
) -> str:
    if idempotency_key is None:
        return f"{kind.spec.event_type}-{uuid.uuid4().hex}"
    # Keyed by the citizen too, so two citizens' keys never collide or reveal each other.
    scoped = f"{citizen.key}:{idempotency_key}".encode()
    digest = hmac.new(settings.citizen_key_secret.encode(), scoped, hashlib.sha256)
    return f"{kind.spec.event_type}-{digest.hexdigest()[:32]}"
