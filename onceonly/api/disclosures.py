"""The disclosure log route: which agency received which of my fields, when, and why."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from onceonly.api.deps import CurrentCitizen, SharedStore
from onceonly.disclosures import DisclosureEntry
from onceonly.domain.catalogue import CATALOGUE, LegalBasis

router = APIRouter(prefix="/v1/disclosures", tags=["disclosures"])

MAX_ENTRIES = 500  # a life's worth of events for most citizens; more by event, with event_id
_AGENCY_NAMES = {agency.id: agency.name for agency in CATALOGUE.agencies}


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
    disclosed_at: datetime


def disclosure_view(entry: DisclosureEntry) -> DisclosureView:
    """An entry joined with the public catalogue's names and purposes."""
    try:
        purpose: str | None = CATALOGUE.event(entry.event_type).step(entry.step_id).purpose
    except KeyError:
        purpose = None  # a step since taken out of the catalogue: what was sent still shows
    return DisclosureView(
        event_id=entry.event_id,
        event_type=entry.event_type,
        step_id=entry.step_id,
        agency=entry.agency,
        agency_name=_AGENCY_NAMES.get(entry.agency, entry.agency),
        service=entry.service,
        purpose=purpose,
        fields=list(entry.fields),
        legal_basis=entry.legal_basis,
        receipt_id=entry.receipt_id,
        agency_reference=entry.agency_reference,
        disclosed_at=entry.disclosed_at,
    )


@router.get("")
async def list_disclosures(
    citizen: CurrentCitizen,
    store: SharedStore,
    event_id: Annotated[
        str | None, Query(max_length=100, description="Only this life event's disclosures.")
    ] = None,
) -> list[DisclosureView]:
    """Every agency that received the caller's data, across all their life events: what it
    received, when, and under which consent receipt or law. Newest first, at most 500."""
    entries = await store.disclosures.for_citizen(citizen.key, MAX_ENTRIES, event_id=event_id)
    return [disclosure_view(entry) for entry in entries]
