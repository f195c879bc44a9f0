"""Mock of Health New Zealand: newborn enrolment (NHI, GP and Well Child), its National
Immunisation Register, and National Health Index record updates (a new address, a death).

Its traits are FHIR's: a person as a `Patient` resource with a list of `HumanName`s (`given`
as a list), `gender` in FHIR's codes, `birthDate`, identifiers with their naming systems
(BDM's registration numbers, NHI numbers with their check characters verified), and
`address` lines. It issues a new-format NHI number (in the Z range kept for testing) and
reports errors as a FHIR `OperationOutcome`. The register takes a FHIR `Patient` identified
by its new-format NHI, with the parent's phone as a `contact` for vaccination reminders; a
parent opts the child off with `DELETE /health/fhir/immunisation-register/{id}`, which
deletes the registration. The NHI record services are in mocks/health_nhi.py, the shared
FHIR parts in mocks/health_fhir.py.
"""

from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import AfterValidator, Field

from mocks.agency import MockAgency, MockService, Problem, matching
from mocks.compensations import MockCompensation
from mocks.health_fhir import (
    Address,
    FhirModel,
    HumanName,
    NhiIdentifier,
    OfficialNames,
    PastDate,
    Text,
    nhi_check_character,
)
from mocks.health_nhi import (
    ADDRESS_UPDATE_COVERAGE,
    DECEASED_COVERAGE,
    NhiAddressUpdate,
    NhiDeceasedNotification,
    record_death,
    update_address,
)
from mocks.receipts import Coverage
from mocks.store import NextNumber

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


class Identifier(FhirModel):
    """A FHIR Identifier: a value in a naming system (here only BDM's registration numbers)."""

    system: Literal["https://standards.digital.health.nz/ns/birth-registration-id"]
    value: Annotated[
        str,
        AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn")),
    ]


class Patient(FhirModel):
    """The newborn as a FHIR Patient resource."""

    resource_type: Literal["Patient"]
    name: OfficialNames
    gender: Literal["female", "male", "other", "unknown"]
    birth_date: PastDate
    identifier: list[Identifier] = Field(min_length=1, max_length=1)
    address: list[Address] = Field(min_length=1, max_length=1)


class NewbornEnrolment(FhirModel):
    """A request to give a newborn an NHI and enrol them with a GP and Well Child provider."""

    patient: Patient
    general_practice: Text
    well_child_provider: Text


class ContactPoint(FhirModel):
    """A FHIR ContactPoint: a phone number, digits only."""

    system: Literal["phone"]
    value: Annotated[str, AfterValidator(matching(r"[0-9]{6,15}", "6 to 15 digits"))]


class PatientContact(FhirModel):
    """Who the register reminds about the child's vaccinations."""

    relationship: list[Literal["birth-parent"]] = Field(min_length=1, max_length=1)
    telecom: list[ContactPoint] = Field(min_length=1, max_length=1)


class RegisteredPatient(FhirModel):
    """The enrolled child as a FHIR Patient, identified by NHI number."""

    resource_type: Literal["Patient"]
    identifier: list[NhiIdentifier] = Field(min_length=1, max_length=1)
    name: list[HumanName] = Field(min_length=1, max_length=2)
    birth_date: PastDate
    contact: list[PatientContact] = Field(default_factory=list, max_length=1)


class ImmunisationRegistration(FhirModel):
    """A request to put a child on the National Immunisation Register."""

    patient: RegisteredPatient


def read_api_key(request: Request) -> str | None:
    """Health's API gateway takes its key in a lower-case `apikey` header."""
    return request.headers.get("apikey")


def enrol(enrolment: NewbornEnrolment, next_number: NextNumber) -> dict[str, Any]:
    """Give the newborn an NHI number and record the enrolment."""
    del enrolment  # the mock enrols every valid request the same way
    return {
        # The counter starts at 1; NHI sequences start at 0 so the first is ZAA00A.
        "nhi": nhi_number_for(next_number("health.nhi") - 1),
        "enrolmentId": f"ENR-{next_number('health.enrolment'):06d}",
    }


def register_for_immunisation(
    registration: ImmunisationRegistration, next_number: NextNumber
) -> dict[str, Any]:
    """Put the child on the National Immunisation Register."""
    del registration  # the mock registers every valid request the same way
    return {"registrationId": f"NIR-{next_number('health.immunisation'):06d}"}


def opt_off(registration_id: str, next_number: NextNumber) -> dict[str, Any]:
    """Opt the child off the register: the registration is deleted, not kept as history."""
    deletion_id = f"NIRD-{next_number('health.immunisation_deletion'):06d}"
    return {"deletionId": deletion_id, "registrationId": registration_id, "outcome": "deleted"}


# FHIR's IssueType codes for each refusal.
_ISSUE_CODES = {
    400: "required",
    401: "security",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    422: "invalid",
    503: "transient",
}


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


AGENCY = MockAgency(
    name="health",
    path="/fhir/newborn-enrolments",
    summary="Enrol a newborn: NHI number, GP and Well Child provider",
    request_model=NewbornEnrolment,
    read_api_key=read_api_key,
    issue=enrol,
    error_body=error_body,
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
        ),
        MockService(
            path="/fhir/nhi/deceased-notifications",
            summary="Record a patient's death on their NHI record",
            request_model=NhiDeceasedNotification,
            issue=record_death,
        ),
    ),
    compensations=(
        MockCompensation(
            method="DELETE",
            path="/fhir/immunisation-register/{id}",
            summary="Opt a child off the National Immunisation Register (deletes the record)",
            reference_field="registrationId",
            reference_pattern=r"NIR-[0-9]{6}",
            issue=opt_off,
        ),
    ),
)

RECEIPT_COVERAGE = {
    "/fhir/newborn-enrolments": Coverage(
        "nhi-gp-well-child-enrolment",
        {
            "patient.resourceType": (),
            "patient.name": "child.name",
            "patient.gender": "child.sex",
            "patient.birthDate": "child.date_of_birth",
            "patient.identifier": "child.birth_registration_number",
            "patient.address": "address",
            "generalPractice": "health.gp_practice",
            "wellChildProvider": "health.well_child_provider",
        },
    ),
    "/fhir/immunisation-register": Coverage(
        "national-immunisation-register",
        {
            "patient.resourceType": (),
            "patient.identifier": "child.nhi_number",
            "patient.name": "child.name",
            "patient.birthDate": "child.date_of_birth",
            "patient.contact": "birth_parent.phone",
        },
    ),
    "/fhir/nhi/address-updates": ADDRESS_UPDATE_COVERAGE,
    "/fhir/nhi/deceased-notifications": DECEASED_COVERAGE,
}
"""What each service's request is made from, by service path, for the consent receipt gate."""
