"""The disclosure log route: which agency received which of my fields, when, and why."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from temporalio.client import Client

from adapters.notify import AGENCY as NOTIFY
from onceonly.api.access import event_access, starter_key
from onceonly.api.deps import AppSettings, Citizen, CurrentCitizen, SharedStore
from onceonly.api.receipts import visible_receipts
from onceonly.disclosures import DisclosureEntry
from onceonly.domain.catalogue import CATALOGUE, LegalBasis
from onceonly.invitations import SERVICE_NAME, invitation_purpose, invitation_step
from onceonly.settings import Settings
from onceonly.store import Store

router = APIRouter(prefix="/v1/disclosures", tags=["disclosures"])

MAX_ENTRIES = 500  # a life's worth of events for most citizens; more by event, with event_id
_AGENCY_NAMES = {agency.id: agency.name for agency in CATALOGUE.agencies}
_OTHER_NAMES = {NOTIFY: SERVICE_NAME}  # services the citizen's data goes to outside the steps


class DisclosureView(BaseModel):
    """One disclosure as its citizen reads it: the catalogue's words for who and why."""

    event_id: str
    event_type: str
    step_id: str
    agency: str = Field(description="The agency's id in the catalogue.")
    agency_name: str
    service: str
    purpose: str | None = Field(
        description="What the agency does with the fields; None if the catalogue no longer "
        "has the step."
    )
    fields: list[str] = Field(description="Canonical dotted paths of the fields it received.")
    legal_basis: LegalBasis
    receipt_id: str | None = Field(description="The consent receipt that let it go, if any.")
    agency_reference: str = Field(description="The agency's reference for what it received.")
    disclosed_at: datetime = Field(description="When the agency accepted (or staff looked).")
    viewed_by: str | None = Field(
        default=None,
        description="None: the agency received the fields. Set: a member of the agency's "
        "staff (named as their sign-in names them) viewed these fields of your request in "
        "the agency's staff inbox, at `disclosed_at`.",
    )


def disclosure_view(entry: DisclosureEntry) -> DisclosureView:
    """An entry joined with the public catalogue's names and purposes."""
    try:
        purpose: str | None = CATALOGUE.event(entry.event_type).step(entry.step_id).purpose
    except KeyError:
        # An invitation sent for the citizen, or a step since taken out of the catalogue:
        # what was sent still shows.
        purpose = invitation_purpose(entry.step_id) if entry.agency == NOTIFY else None
    return DisclosureView(
        event_id=entry.event_id,
        event_type=entry.event_type,
        step_id=entry.step_id,
        agency=entry.agency,
        agency_name=_AGENCY_NAMES.get(entry.agency) or _OTHER_NAMES.get(entry.agency, entry.agency),
        service=entry.service,
        purpose=purpose,
        fields=list(entry.fields),
        legal_basis=entry.legal_basis,
        receipt_id=entry.receipt_id,
        agency_reference=entry.agency_reference,
        disclosed_at=entry.disclosed_at,
        viewed_by=entry.viewed_by,
    )


@router.get("")
async def list_disclosures(
    request: Request,
    citizen: CurrentCitizen,
    settings: AppSettings,
    store: SharedStore,
    event_id: Annotated[
        str | None, Query(max_length=100, description="Only this life event's disclosures.")
    ] = None,
) -> list[DisclosureView]:
    """Every agency that received the caller's data, across all their life events: what it
    received, when, and under which consent receipt or law; and each time a member of an
    agency's staff viewed it in the agency's inbox (`viewed_by`). Newest first, at most 500. With
    `event_id` of an event the caller joined as another party: what was sent for the steps
    they answered, and their invitation."""
    entries = await store.disclosures.for_citizen(citizen.key, MAX_ENTRIES, event_id=event_id)
    if event_id is not None and not entries:
        joined = await store.parties.joined_by(citizen.key)
        if any(row.event_id == event_id for row in joined):
            # Temporal only for a party (the log itself is the store's): who started the event.
            temporal: Client = request.app.state.temporal
            entries = await _as_party(citizen, settings, store, temporal, event_id)
    return [disclosure_view(entry) for entry in entries]


async def _as_party(
    citizen: Citizen, settings: Settings, store: Store, temporal: Client, event_id: str
) -> list[DisclosureEntry]:
    """The event's disclosures that concern a party: the steps whose receipts are theirs (the
    same receipts their receipts page shows), and the invitation sent to them."""
    access = await event_access(temporal, citizen, event_id)
    if access.party is None:
        return []
    theirs = await visible_receipts(event_id, citizen, settings, temporal)
    steps = {receipt.step_id for receipt in theirs} | {invitation_step(access.party)}
    starter = await starter_key(access)
    entries = await store.disclosures.for_citizen(starter, MAX_ENTRIES, event_id=event_id)
    return [entry for entry in entries if entry.step_id in steps]
