"""Receipt routes: the event's signed consent receipts (Kantara CR v1.1, as compact JWS), one
receipt, and one receipt as an ISO/IEC TS 27560 consent record (W3C DPV, JSON-LD)."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from onceonly.api.access import event_access, query
from onceonly.api.deps import AppSettings, Citizen, CurrentCitizen, Temporal
from onceonly.api.problems import ProblemError
from onceonly.domain.consent_records import CONTEXT, RECORD_MEDIA_TYPE, consent_record
from onceonly.domain.receipts import SignedReceipt
from onceonly.receipts import public_jwks, verify_receipt
from onceonly.settings import Settings
from workflows.steps import LifeEventWorkflow

router = APIRouter(prefix="/v1/life-events/{event_id}/receipts", tags=["consent"])
_NO_RECEIPT = ProblemError(404, "Not found", "receipt_id: no such receipt of this event")
_RECORD_EXAMPLE = {
    "@context": CONTEXT,
    "@type": "dpv:ConsentRecord",
    "dct:conformsTo": "ISO/IEC TS 27560:2023",
    "dpv:hasConsentStatus": {"@id": "dpv:ConsentGiven"},
    "dpv:hasLegalBasis": {"@id": "dpv:Consent"},
}


class LinkedDataResponse(JSONResponse):
    """JSON-LD: JSON whose terms are linked to a vocabulary by its `@context`."""

    media_type = RECORD_MEDIA_TYPE


@router.get("")
async def read_receipts(
    event_id: str, citizen: CurrentCitizen, settings: AppSettings, temporal: Temporal
) -> list[SignedReceipt]:
    """Every consent receipt of the event: each a JWS anyone can verify with the key at
    /.well-known/jwks.json. A party who joined the event sees the receipts of their own
    answers only (the others' are the other citizen's records)."""
    return await visible_receipts(event_id, citizen, settings, temporal)


async def visible_receipts(
    event_id: str, citizen: Citizen, settings: Settings, temporal: Temporal
) -> list[SignedReceipt]:
    """The event's receipts the caller may read: all for its starter, a party's own for them."""
    access = await event_access(temporal, citizen, event_id)
    receipts: list[SignedReceipt] = list(await query(access.handle, LifeEventWorkflow.receipts))
    if access.party is None:
        return receipts
    keys = public_jwks(settings)
    return [r for r in receipts if verify_receipt(r.jws, keys).get("piiPrincipalId") == citizen.key]


async def _receipt(
    event_id: str, receipt_id: str, citizen: CurrentCitizen, settings: Settings, temporal: Temporal
) -> SignedReceipt:
    receipts = await visible_receipts(event_id, citizen, settings, temporal)
    found = next((r for r in receipts if r.receipt_id == receipt_id), None)
    if found is None:
        raise _NO_RECEIPT
    return found


@router.get("/{receipt_id}")
async def read_receipt(
    event_id: str,
    receipt_id: str,
    citizen: CurrentCitizen,
    settings: AppSettings,
    temporal: Temporal,
) -> SignedReceipt:
    """One consent receipt of the event, by its `consentReceiptID`."""
    return await _receipt(event_id, receipt_id, citizen, settings, temporal)


@router.get(
    "/{receipt_id}/record",
    response_class=LinkedDataResponse,
    responses={
        200: {
            "description": "The consent record (ISO/IEC TS 27560, W3C DPV) in JSON-LD",
            "content": {
                RECORD_MEDIA_TYPE: {
                    "schema": {"type": "object", "required": ["@context", "@id", "@type"]},
                    "example": _RECORD_EXAMPLE,
                }
            },
        }
    },
)
async def read_consent_record(
    event_id: str,
    receipt_id: str,
    citizen: CurrentCitizen,
    settings: AppSettings,
    temporal: Temporal,
) -> dict[str, Any]:
    """The receipt as an ISO/IEC TS 27560 consent record using the W3C Data Privacy
    Vocabulary, made from the signed receipt's claims once they verify: it says no more and
    no less than the receipt."""
    receipt = await _receipt(event_id, receipt_id, citizen, settings, temporal)
    claims = verify_receipt(receipt.jws, public_jwks(settings))
    return consent_record(claims)
