"""A consent receipt as an ISO/IEC TS 27560:2023 consent record, in JSON-LD with the W3C Data
Privacy Vocabulary (DPV), following the DPV community group's guide to implementing 27560
with DPV (https://w3id.org/dpv/guides/consent-27560).

Made from the receipt's verified claims only, so the record says exactly what the signed
receipt says. Pure; receipts issued before the claims held contact details still convert
(the fields they lack are left out).
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

DPV = "https://w3id.org/dpv#"
CONTEXT = {
    "dpv": DPV,
    "dct": "http://purl.org/dc/terms/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "loc": "https://w3id.org/dpv/loc#",
}
"""The record's JSON-LD context: DPV, Dublin Core terms, XML Schema and DPV's locations."""
CONFORMS_TO = "ISO/IEC TS 27560:2023"
RECORD_MEDIA_TYPE = "application/ld+json"

# DPV's consent statuses for the decisions a receipt records. A statutory step's
# acknowledgement is no consent: its record says so, with the law as its legal basis.
_STATUS = {
    "grant": "dpv:ConsentGiven",
    "decline": "dpv:ConsentRefused",
    "withdraw": "dpv:ConsentWithdrawn",
    "expire": "dpv:ConsentExpired",
}
_ACKNOWLEDGED = "urn:onceonly:consent-status:acknowledged"
_LEGAL_BASIS = {
    "consent": "dpv:Consent",
    "statute": "dpv:LegalObligation",
    "information_sharing_agreement": "dpv:OfficialAuthorityOfController",
}


def consent_status(decision: str, basis: str) -> dict[str, str]:
    """The DPV consent status a decision leaves (a correction leaves a consent as it was)."""
    if basis == "consent":
        status = _STATUS.get(decision, "dpv:ConsentGiven")
        return {"@id": status}
    if decision in {"grant", "acknowledge", "correct"}:
        return {
            "@id": _ACKNOWLEDGED,
            "@type": "dpv:ConsentStatus",
            "dct:description": "Acknowledged: the law, not consent, is the basis of this step.",
        }
    return {"@id": _STATUS.get(decision, "dpv:ConsentUnknown")}


def _controller(claims: Mapping[str, Any]) -> dict[str, Any]:
    controller: dict[str, Any] = {
        "@id": f"urn:onceonly:controller:{claims.get('controllerId', claims['piiController'])}",
        "@type": "dpv:DataController",
        "dpv:hasName": claims["piiController"],
    }
    if "address" in claims:
        controller["dpv:hasAddress"] = claims["address"]
    # Who to ask, and how: the contact's role, then mail and telephone as URIs.
    contact = [claims["contact"]] if "contact" in claims else []
    if "email" in claims:
        contact.append(f"mailto:{claims['email']}")
    if "phone" in claims:
        contact.append(f"tel:{claims['phone'].replace(' ', '')}")
    if contact:
        controller["dpv:hasContact"] = contact
    if "piiControllerUrl" in claims:
        controller["dct:source"] = {"@id": claims["piiControllerUrl"]}
    if claims.get("onBehalf"):
        controller["dct:description"] = "Collects the consent on the other controller's behalf."
    return controller


def _time(epoch: int) -> dict[str, str]:
    return {"@value": datetime.fromtimestamp(epoch, UTC).isoformat(), "@type": "xsd:dateTime"}


def consent_record(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The ISO/IEC TS 27560 consent record (DPV, JSON-LD) of a verified receipt's claims."""
    ours = claims["onceonly"]
    basis = ours["legal_basis"]
    [service] = claims["services"]
    [purpose] = service["purposes"]
    subject = {"@id": f"urn:onceonly:principal:{claims['piiPrincipalId']}"}
    personal_data: list[dict[str, Any]] = [
        {"@id": f"urn:onceonly:field:{field}", "@type": "dpv:PersonalData", "dct:identifier": field}
        for field in purpose["piiCategory"]
    ]
    personal_data += [
        {"@type": "dpv:SensitivePersonalData", "dct:description": category}
        for category in claims.get("spiCat", ())
    ]
    decided = _time(claims["consentTimestamp"])
    return {
        "@context": CONTEXT,
        "@id": f"urn:uuid:{claims['consentReceiptID']}",
        "@type": "dpv:ConsentRecord",
        "dct:identifier": claims["consentReceiptID"],
        "dct:conformsTo": CONFORMS_TO,
        "dct:created": decided,
        "dct:language": claims.get("language", "en"),
        "dct:source": f"Kantara consent receipt {claims['version']}, signed by {claims['iss']}",
        "dpv:hasDataSubject": {**subject, "@type": "dpv:DataSubject"},
        "dpv:hasDataController": [_controller(entry) for entry in claims["piiControllers"]],
        "dpv:hasJurisdiction": {"@id": f"loc:{claims['jurisdiction']}"},
        "dpv:hasNotice": {
            "@id": claims["policyUrl"],
            "@type": "dpv:PrivacyNotice",
            "dct:hasVersion": ours["notice_version"],
        },
        "dpv:hasConsentStatus": consent_status(ours["decision"], basis["kind"]),
        "dpv:isIndicatedAtTime": decided,
        "dpv:isIndicatedBy": subject,
        "dpv:hasIndicationMethod": claims["collectionMethod"],
        "dpv:hasLegalBasis": {
            "@id": _LEGAL_BASIS[basis["kind"]],
            "dct:description": basis["reference"],
        },
        "dpv:hasPurpose": {
            "@id": f"urn:onceonly:step:{ours['step_id']}",
            "@type": "dpv:Purpose",
            "dct:description": purpose["purpose"],
            "dct:identifier": ours["step_id"],
        },
        "dpv:hasPersonalData": personal_data,
        "dpv:hasProcessing": {"@id": "dpv:Disclose"},
        "dpv:hasRecipient": {"@id": f"urn:onceonly:controller:{ours['agency']}"},
        "dpv:hasDuration": {
            "@type": "dpv:UntilEventDuration",
            "dct:description": purpose["termination"],
        },
    }
