"""Receipts against the standards' own field lists: every Kantara Consent Receipt v1.1 field
in every receipt of every step and decision, and each receipt's ISO/IEC TS 27560 consent
record in W3C DPV terms, made from the signed receipt once it verifies with PyJWT."""

from datetime import UTC, datetime
from urllib.parse import urlparse

import jwt
import pytest
from pydantic import ValidationError

from onceonly.domain.catalogue import BIRTH, CATALOGUE, StepSpec
from onceonly.domain.consent_records import DPV, consent_record
from onceonly.domain.controllers import Controller
from onceonly.domain.receipts import ReceiptRequest, receipt_claims
from onceonly.receipts import public_jwks, receipt_issuer, sign_receipt
from onceonly.settings import Settings

# Kantara Initiative, Consent Receipt Specification v1.1.0 (2018), section 4 "Consent
# Receipt Fields": the fields each receipt MUST hold (publicKey and language MAY be left out).
KANTARA_RECEIPT = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
}
# The same section: each `piiControllers[]` entry (onBehalf and piiControllerUrl are optional).
KANTARA_CONTROLLER = {"piiController", "contact", "address", "email", "phone"}
KANTARA_SERVICE = {"service", "purposes"}
# Each `services[].purposes[]` entry; `thirdPartyName` is required when `thirdPartyDisclosure`
# is true, and primaryPurpose is optional.
KANTARA_PURPOSE = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "termination",
    "thirdPartyDisclosure",
}
# ISO/IEC TS 27560:2023 consent record information, as the W3C DPV community group's guide
# "Implementing ISO/IEC TS 27560:2023 Consent Records and Receipts using DPV"
# (https://w3id.org/dpv/guides/consent-27560) expresses it: record identity and schema,
# the PII principal, the controllers, the purpose, the PII, the legal basis, the jurisdiction,
# the notice, the consent status, when and how it was indicated, and the duration.
DPV_RECORD = {
    "@context",
    "@id",
    "@type",
    "dct:identifier",
    "dct:conformsTo",
    "dct:created",
    "dpv:hasDataSubject",
    "dpv:hasDataController",
    "dpv:hasPurpose",
    "dpv:hasPersonalData",
    "dpv:hasLegalBasis",
    "dpv:hasJurisdiction",
    "dpv:hasNotice",
    "dpv:hasConsentStatus",
    "dpv:isIndicatedAtTime",
    "dpv:isIndicatedBy",
    "dpv:hasIndicationMethod",
    "dpv:hasRecipient",
    "dpv:hasDuration",
}
DECISIONS = ["grant", "decline", "withdraw", "expire", "acknowledge", "correct"]
STEPS = [(event, step) for event in CATALOGUE.life_events for step in event.steps]
SETTINGS = Settings(public_url="https://onceonly.example/")


def request(event_type: str, step_id: str, decision: str) -> ReceiptRequest:
    return ReceiptRequest(
        event_type=event_type,
        event_id=f"{event_type}-{'a' * 32}",
        step_id=step_id,
        principal_key="b" * 64,
        decision=decision,
        decided_at=datetime(2026, 12, 1, tzinfo=UTC),
        receipt_id="5f0c6a0e-8f7e-4b8e-9c4b-2a1d3e4f5a6b",
    )


def agency_of(step: StepSpec):
    return next(agency for agency in CATALOGUE.agencies if agency.id == step.agency)


def signed_claims(event, step, decision: str, settings: Settings = SETTINGS) -> dict:
    """The claims of a signed receipt, as an independent verifier (PyJWT) reads them."""
    claims = receipt_claims(
        event,
        step,
        agency_of(step),
        request(event.event_type, step.id, decision),
        receipt_issuer(settings),
    )
    [jwk] = public_jwks(settings)["keys"]
    key = jwt.PyJWK(jwk, algorithm="EdDSA")
    verified = jwt.decode(
        sign_receipt(settings, claims), key, algorithms=["EdDSA"], options={"verify_iat": False}
    )
    assert verified == claims
    return verified


def absolute(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def kantara_gaps(claims: dict) -> list[str]:
    """Each Kantara v1.1 field missing or empty, by its path."""
    gaps = [name for name in KANTARA_RECEIPT if name not in claims]
    for i, controller in enumerate(claims.get("piiControllers") or [None]):
        gaps += [
            f"piiControllers[{i}].{n}" for n in KANTARA_CONTROLLER if not (controller or {}).get(n)
        ]
    for i, service in enumerate(claims.get("services") or [None]):
        gaps += [f"services[{i}].{n}" for n in KANTARA_SERVICE if not (service or {}).get(n)]
        for j, purpose in enumerate((service or {}).get("purposes", [])):
            where = f"services[{i}].purposes[{j}]"
            gaps += [f"{where}.{n}" for n in KANTARA_PURPOSE if n not in purpose]
            if purpose.get("thirdPartyDisclosure") and not purpose.get("thirdPartyName"):
                gaps.append(f"{where}.thirdPartyName")
    if claims.get("sensitive") and not claims.get("spiCat"):
        gaps.append("spiCat")
    return gaps


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize(("event", "step"), STEPS, ids=[s.id for _, s in STEPS])
def test_every_receipt_holds_every_kantara_field(event, step, decision):
    claims = signed_claims(event, step, decision)
    assert kantara_gaps(claims) == []
    assert claims["version"] == "KI-CR-v1.1.0"
    assert isinstance(claims["consentTimestamp"], int)
    assert claims["policyUrl"] == "https://onceonly.example/v1/catalogue"
    assert absolute(claims["policyUrl"])
    assert [c["controllerId"] for c in claims["piiControllers"]] == [step.agency, "onceonly"]
    assert [c["onBehalf"] for c in claims["piiControllers"]] == [False, True]
    [purpose] = claims["services"][0]["purposes"]
    assert purpose["consentType"] in {"EXPLICIT", "STATUTORY"}
    assert purpose["piiCategory"] == list(step.fields)
    assert isinstance(claims["sensitive"], bool) and isinstance(claims["spiCat"], list)


def test_the_kantara_check_finds_what_a_receipt_lacks():
    # The receipt shape before issue 17: a controller without contact details.
    claims = signed_claims(BIRTH, BIRTH.step("register_birth"), "acknowledge")
    claims["piiControllers"] = [{"piiController": "BDM", "controllerId": "bdm"}]
    claims["services"][0]["purposes"][0]["thirdPartyDisclosure"] = True
    del claims["spiCat"]
    assert sorted(kantara_gaps(claims)) == [
        "piiControllers[0].address",
        "piiControllers[0].contact",
        "piiControllers[0].email",
        "piiControllers[0].phone",
        "services[0].purposes[0].thirdPartyName",
        "spiCat",
    ]


def test_controller_details_come_from_the_settings():
    ird = Controller(
        name="Inland Revenue (Te Tari Taake)",
        contact="Privacy Officer",
        address="PO Box 39010, Lower Hutt 5045",
        email="privacy@ird.example",
        phone="0800 227 774",
        url="https://www.ird.govt.nz",
    )
    settings = Settings(agency_controllers={"ird": ird}, public_url="https://api.example/")
    step = BIRTH.step("child_ird_number")
    [agency, operator] = signed_claims(BIRTH, step, "grant", settings)["piiControllers"]
    assert agency == {
        "piiController": "Inland Revenue (Te Tari Taake)",
        "onBehalf": False,
        "contact": "Privacy Officer",
        "address": "PO Box 39010, Lower Hutt 5045",
        "email": "privacy@ird.example",
        "phone": "0800 227 774",
        "piiControllerUrl": "https://www.ird.govt.nz",
        "controllerId": "ird",
    }
    assert operator["email"] == settings.receipt_controller.email
    claims = signed_claims(BIRTH, step, "grant", settings)
    assert claims["policyUrl"] == "https://api.example/v1/catalogue"
    # Without public_url, the API's own address: still absolute.
    assert signed_claims(BIRTH, step, "grant", Settings())["policyUrl"] == (
        "http://127.0.0.1:8000/v1/catalogue"
    )


@pytest.mark.parametrize("url", ["/v1/catalogue", "onceonly.example", "ftp://x.example"])
def test_a_public_url_that_is_not_absolute_is_refused_naming_the_setting(url):
    with pytest.raises(ValidationError, match="public_url") as refused:
        Settings(public_url=url)
    assert "absolute http(s) URL" in str(refused.value)


def test_a_controller_without_contact_details_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match=r"receipt_controller\.email"):
        Settings(
            receipt_controller={
                "name": "x",
                "contact": "y",
                "address": "z",
                "phone": "0800 000 000",
            }
        )


def test_a_step_the_catalogue_marks_sensitive_carries_its_categories():
    step = BIRTH.step("health_enrolment")
    assert (step.sensitive, step.spi_categories) == (True, ("health",))  # as catalogue.toml says
    claims = signed_claims(BIRTH, step, "grant")
    assert (claims["sensitive"], claims["spiCat"]) == (True, ["health"])
    plain = signed_claims(BIRTH, BIRTH.step("register_birth"), "grant")
    assert (plain["sensitive"], plain["spiCat"]) == (False, [])
    assert kantara_gaps(claims) == []
    record = consent_record(claims)
    assert {"@type": "dpv:SensitivePersonalData", "dct:description": "health"} in record[
        "dpv:hasPersonalData"
    ]


# --- ISO/IEC TS 27560 with DPV ------------------------------------------------------------


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize(("event", "step"), STEPS, ids=[s.id for _, s in STEPS])
def test_every_receipt_is_a_27560_consent_record_in_dpv(event, step, decision):
    claims = signed_claims(event, step, decision)
    record = consent_record(claims)
    assert DPV_RECORD - record.keys() == set()
    assert record["@context"]["dpv"] == DPV == "https://w3id.org/dpv#"
    assert record["@type"] == "dpv:ConsentRecord"
    assert record["dct:identifier"] == claims["consentReceiptID"]
    assert record["dpv:hasDataSubject"]["@id"].endswith(claims["piiPrincipalId"])
    controllers = record["dpv:hasDataController"]
    assert [c["dpv:hasName"] for c in controllers] == [
        c["piiController"] for c in claims["piiControllers"]
    ]
    assert all(c["dpv:hasAddress"] and len(c["dpv:hasContact"]) == 3 for c in controllers)
    data = record["dpv:hasPersonalData"]
    assert [d["dct:identifier"] for d in data if "dct:identifier" in d] == list(step.fields)
    sensitive = [d["dct:description"] for d in data if d["@type"] == "dpv:SensitivePersonalData"]
    assert sensitive == list(step.spi_categories)
    assert record["dpv:hasPurpose"]["dct:description"] == step.purpose
    assert record["dpv:hasNotice"]["@id"] == claims["policyUrl"]
    assert record["dct:created"] == {"@value": "2026-12-01T00:00:00+00:00", "@type": "xsd:dateTime"}
    basis, status = record["dpv:hasLegalBasis"]["@id"], record["dpv:hasConsentStatus"]["@id"]
    if step.legal_basis.kind == "consent":
        assert basis == "dpv:Consent"
        assert (
            status
            == {
                "grant": "dpv:ConsentGiven",
                "decline": "dpv:ConsentRefused",
                "withdraw": "dpv:ConsentWithdrawn",
                "expire": "dpv:ConsentExpired",
                "acknowledge": "dpv:ConsentGiven",
                "correct": "dpv:ConsentGiven",
            }[decision]
        )
    else:
        assert basis in {"dpv:LegalObligation", "dpv:OfficialAuthorityOfController"}
        assert record["dpv:hasLegalBasis"]["dct:description"] == step.legal_basis.reference
        assert status != "dpv:ConsentGiven"


def test_a_receipt_issued_before_contact_details_still_makes_a_record():
    claims = signed_claims(BIRTH, BIRTH.step("register_birth"), "acknowledge")
    claims["piiControllers"] = [{"piiController": "BDM", "controllerId": "bdm"}]
    claims["policyUrl"] = "/v1/catalogue"
    [controller] = consent_record(claims)["dpv:hasDataController"]
    assert controller == {
        "@id": "urn:onceonly:controller:bdm",
        "@type": "dpv:DataController",
        "dpv:hasName": "BDM",
    }
