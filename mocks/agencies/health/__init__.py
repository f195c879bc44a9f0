"""Mock of Health New Zealand: newborn enrolment (NHI, GP and Well Child), its National
Immunisation Register, and National Health Index record updates (a new address, a death).

It speaks FHIR R4 as a FHIR server does: each request is a FHIR resource, valid by the
`fhir.resources` models before the agency's own rules (fhir.py beside this one); each answer
is a FHIR resource; each refusal is an `OperationOutcome` naming the element's FHIRPath.
A person is a `Patient` with a list of `HumanName`s (`given` as a list), `gender` in FHIR's
codes, `birthDate`, identifiers with their naming systems (BDM's registration numbers, NHI
numbers with their check characters verified), and `address` lines.

A newborn is enrolled by a `transaction` Bundle: the child's Patient (with the GP practice as
`generalPractitioner`) and an `EpisodeOfCare` of Well Child care, managed by the provider
and referring to the Patient by the Bundle's `fullUrl`. Health answers a
`transaction-response` Bundle: the Patient with its new-format NHI number (in the Z range kept
for testing) as its id and identifier, and the EpisodeOfCare (the enrolment) with its id.
The register takes a FHIR `Patient` identified by its new-format NHI, with the parent's phone
as a `contact` (related as RoleCode's natural parent) for vaccination reminders, and answers
the Patient it created; a parent opts the child off with
`DELETE /health/fhir/immunisation-register/{id}`, which deletes the registration and answers
an informing OperationOutcome. Beside this module: the enrolment's request (enrolment.py), the
NHI record services (nhi.py) and the shared FHIR parts (fhir.py).
"""

from typing import Annotated, Any, Literal

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FhirPatient
from pydantic import AfterValidator, Field

from mocks.agencies.health.enrolment import ENROLMENT_COVERAGE, NewbornEnrolment
from mocks.agencies.health.fhir import (
    NHI_SYSTEM,
    FhirModel,
    FhirResource,
    HumanName,
    NhiIdentifier,
    Text,
    fhir_meta,
    nhi_check_character,
    valid_fhir,
)
from mocks.agencies.health.nhi import (
    ADDRESS_UPDATE_COVERAGE,
    DECEASED_COVERAGE,
    NhiAddressUpdate,
    NhiDeceasedNotification,
    record_death,
    update_address,
)
from mocks.kit.agency import Coverage, MockAgency, MockService, Problem
from mocks.kit.compensations import MockCompensation
from mocks.kit.formats import PastDate, matching
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber

# NHI letters leave out I and O. The range starting with Z is reserved for testing, so mock
# numbers never clash with real ones. After the Z: two letters, two digits, one letter, then
# the check letter.
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_NHI_CAPACITY = 24 * 24 * 100 * 24


def nhi_number_for(sequence: int) -> str:
    """The NHI the mock issues as its `sequence`-th (from 0) enrolment: Z, AA, NN, A, check."""
    if not 0 <= sequence < _NHI_CAPACITY:
        raise ValueError("the mock has issued every NHI number in its range")
    rest, fifth = divmod(sequence, 24)
    rest, digits = divmod(rest, 100)
    second, third = divmod(rest, 24)
    first6 = f"Z{_NHI_LETTERS[second]}{_NHI_LETTERS[third]}{digits:02d}{_NHI_LETTERS[fifth]}"
    return first6 + nhi_check_character(first6)


class ContactPoint(FhirModel):
    """A FHIR ContactPoint: a phone number, digits only."""

    system: Literal["phone"]
    value: Annotated[str, AfterValidator(matching(r"[0-9]{6,15}", "6 to 15 digits"))]


class RoleCoding(FhirModel):
    """A FHIR Coding of HL7 v3 RoleCode: the register reminds a child's natural parent."""

    system: Literal["http://terminology.hl7.org/CodeSystem/v3-RoleCode"]
    code: Literal["NPRN", "NMTH", "NFTH"]
    display: Text | None = None


class Relationship(FhirModel):
    """A FHIR CodeableConcept of the contact's relationship to the child."""

    coding: list[RoleCoding] = Field(min_length=1, max_length=1)
    text: Text | None = None


class PatientContact(FhirModel):
    """Who the register reminds about the child's vaccinations."""

    relationship: list[Relationship] = Field(min_length=1, max_length=1)
    telecom: list[ContactPoint] = Field(min_length=1, max_length=1)


class ImmunisationRegistration(FhirResource):
    """The enrolled child as a FHIR Patient, identified by NHI number, to put on the
    National Immunisation Register."""

    fhir_model = FhirPatient
    resource_type: Literal["Patient"]
    identifier: list[NhiIdentifier] = Field(min_length=1, max_length=1)
    name: list[HumanName] = Field(min_length=1, max_length=2)
    birth_date: PastDate
    contact: list[PatientContact] = Field(default_factory=list, max_length=1)


def _created(resource: dict[str, Any]) -> dict[str, Any]:
    """A transaction-response entry for a resource created at version 1."""
    location = f"{resource['resourceType']}/{resource['id']}/_history/1"
    meta = resource["meta"]
    return {
        "resource": resource,
        "response": {"status": "201 Created", "location": location, "etag": 'W/"1"'}
        | {"lastModified": meta["lastUpdated"]},
    }


def enrol(enrolment: NewbornEnrolment, next_number: NextNumber) -> dict[str, Any]:
    """Give the newborn an NHI number (their Patient's id) and record the enrolment (the
    EpisodeOfCare's id): the transaction's response Bundle."""
    del enrolment  # the mock enrols every valid request the same way
    # The counter starts at 1; NHI sequences start at 0 so the first is ZAA00A.
    nhi = nhi_number_for(next_number("health.nhi") - 1)
    enrolment_id = f"ENR-{next_number('health.enrolment'):06d}"
    patient = {
        "resourceType": "Patient",
        "id": nhi,
        "meta": fhir_meta("1"),
        "identifier": [{"use": "official", "system": NHI_SYSTEM, "value": nhi}],
    }
    episode = {
        "resourceType": "EpisodeOfCare",
        "id": enrolment_id,
        "meta": fhir_meta("1"),
        "status": "active",
        "patient": {"reference": f"Patient/{nhi}"},
    }
    return valid_fhir(
        Bundle,
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [_created(patient), _created(episode)],
        },
    )


def register_for_immunisation(
    registration: ImmunisationRegistration, next_number: NextNumber
) -> dict[str, Any]:
    """Put the child on the National Immunisation Register: the Patient it created, whose id
    is the registration's (its NHI stays its identifier)."""
    patient = {
        "resourceType": "Patient",
        "id": f"NIR-{next_number('health.immunisation'):06d}",
        "meta": fhir_meta("1"),
        "identifier": [registration.identifier[0].model_dump(by_alias=True, exclude_none=True)],
    }
    return valid_fhir(FhirPatient, patient)


def opt_off(registration_id: str, next_number: NextNumber) -> dict[str, Any]:
    """Opt the child off the register: the registration is deleted, not kept as history.
    As a FHIR server answers a delete, an OperationOutcome says so; its id is the deletion's."""
    outcome = {
        "resourceType": "OperationOutcome",
        "id": f"NIRD-{next_number('health.immunisation_deletion'):06d}",
        "issue": [
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": f"Patient/{registration_id} deleted from the register",
            }
        ],
    }
    return valid_fhir(OperationOutcome, outcome)


# FHIR's IssueType codes for each refusal.
_ISSUE_CODES = {
    400: "required", 401: "security", 403: "forbidden", 404: "not-found", 409: "conflict",
    422: "invalid", 503: "transient",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """Health's error shape: a FHIR OperationOutcome with an issue per problem."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": _ISSUE_CODES.get(status, "exception"),
                "diagnostics": f"{p.field}: {p.message}" if p.field else p.message,
                **({"expression": [p.field]} if p.field else {}),
            }
            for p in problems
        ],
    }


RECEIPT_COVERAGE = {
    "/fhir/newborn-enrolments": ENROLMENT_COVERAGE,
    "/fhir/immunisation-register": Coverage(
        "national-immunisation-register",
        {
            "resourceType": (),
            "identifier": "child.nhi_number",
            "name": "child.name",
            "birthDate": "child.date_of_birth",
            "contact": "birth_parent.phone",
        },
    ),
    "/fhir/nhi/address-updates": ADDRESS_UPDATE_COVERAGE,
    "/fhir/nhi/deceased-notifications": DECEASED_COVERAGE,
}


AGENCY = MockAgency(
    name="health",
    path="/fhir/newborn-enrolments",
    summary="Enrol a newborn: NHI number, GP and Well Child provider",
    request_model=NewbornEnrolment,
    # Its API gateway takes the key in a lower-case header.
    read_api_key=header_key("apikey"),
    issue=enrol,
    error_body=error_body,
    success_status=200,  # a FHIR transaction succeeds as a whole with 200 OK
    more_services=(
        MockService(
            path="/fhir/immunisation-register",
            summary="Put an enrolled child on the National Immunisation Register",
            request_model=ImmunisationRegistration,
            issue=register_for_immunisation,
        ),
        MockService(
            path="/fhir/nhi/address-updates",
            summary="Update the home address (and GP) on a patient's NHI record",
            request_model=NhiAddressUpdate,
            issue=update_address,
            success_status=200,  # an update of a record: 200 OK, as FHIR answers
        ),
        MockService(
            path="/fhir/nhi/deceased-notifications",
            summary="Record a patient's death on their NHI record",
            request_model=NhiDeceasedNotification,
            issue=record_death,
            success_status=200,  # an update of a record: 200 OK, as FHIR answers
        ),
    ),
    compensations=(
        MockCompensation(
            method="DELETE",
            path="/fhir/immunisation-register/{id}",
            summary="Opt a child off the National Immunisation Register (deletes the record)",
            reference_field="id",
            reference_pattern=r"NIR-[0-9]{6}",
            issue=opt_off,
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
