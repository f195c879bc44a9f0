"""Mock of Health New Zealand's newborn enrolment service (NHI, GP and Well Child), and of
its National Immunisation Register, which takes the enrolled newborn by NHI number.

Its traits are FHIR's: the child as a `Patient` resource with a list of `HumanName`s
(`given` as a list), `gender` in FHIR's codes, `birthDate`, the birth registration number as
an `identifier` with its naming system, and `address` lines. It issues a new-format NHI
number (in the Z range kept for testing) and reports errors as a FHIR `OperationOutcome`.
The register takes a FHIR `Patient` identified by its NHI (whose check letter it verifies),
with the parent's phone as a `contact` for vaccination reminders.
"""

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.alias_generators import to_camel

from mocks.agency import (
    NAME_PATTERN,
    NAME_RULE,
    MockAgency,
    MockService,
    Problem,
    matching,
    not_after_today,
)
from mocks.store import NextNumber

# NHI letters leave out I and O, so A=1 ... Z=24.
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_NHI_WEIGHTS = (7, 6, 5, 4, 3, 2)
# The NHI range starting with Z is reserved for testing, so mock numbers never clash with
# real ones. After the Z: two letters, two digits, one letter, then the check letter.
_NHI_CAPACITY = 24 * 24 * 100 * 24


def _nhi_value(char: str) -> int:
    return int(char) if char.isdigit() else _NHI_LETTERS.index(char) + 1


def nhi_check_character(first6: str) -> str:
    """The new-format (AAANNAA) NHI check letter for the six characters before it."""
    total = sum(_nhi_value(c) * w for c, w in zip(first6, _NHI_WEIGHTS, strict=True))
    # 24 - (total % 24) is 1..24, so every base has a check letter.
    return _NHI_LETTERS[24 - total % 24 - 1]


def nhi_number_for(sequence: int) -> str:
    """The NHI the mock issues as its `sequence`-th (from 0) enrolment: Z, AA, NN, A, check."""
    if not 0 <= sequence < _NHI_CAPACITY:
        raise ValueError("the mock has issued every NHI number in its range")
    rest, fifth = divmod(sequence, 24)
    rest, digits = divmod(rest, 100)
    second, third = divmod(rest, 24)
    first6 = f"Z{_NHI_LETTERS[second]}{_NHI_LETTERS[third]}{digits:02d}{_NHI_LETTERS[fifth]}"
    return first6 + nhi_check_character(first6)


Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class FhirModel(BaseModel):
    """FHIR JSON: camelCase, strict types, and no element it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )


class HumanName(FhirModel):
    """A FHIR HumanName: the official name, or the name the child usually goes by."""

    use: Literal["official", "usual"]
    family: Name
    given: list[Name] = Field(min_length=1, max_length=10)


class Identifier(FhirModel):
    """A FHIR Identifier: a value in a naming system (here only BDM's registration numbers)."""

    system: Literal["https://standards.digital.health.nz/ns/birth-registration-id"]
    value: Annotated[
        str,
        AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn")),
    ]


class Address(FhirModel):
    """A FHIR Address in New Zealand: street line then suburb in `line`, then the city."""

    use: Literal["home"]
    line: list[Text] = Field(min_length=1, max_length=2)
    city: Text
    postal_code: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]
    country: Literal["NZ"]


class Patient(FhirModel):
    """The newborn as a FHIR Patient resource."""

    resource_type: Literal["Patient"]
    name: list[HumanName] = Field(min_length=1, max_length=2)
    gender: Literal["female", "male", "other", "unknown"]
    birth_date: Annotated[date, AfterValidator(not_after_today)]
    identifier: list[Identifier] = Field(min_length=1, max_length=1)
    address: list[Address] = Field(min_length=1, max_length=1)

    @field_validator("name")
    @classmethod
    def _one_official_name(cls, names: list[HumanName]) -> list[HumanName]:
        if [n.use for n in names].count("official") != 1:
            raise ValueError("must hold exactly one name with use 'official'")
        return names


class NewbornEnrolment(FhirModel):
    """A request to give a newborn an NHI and enrol them with a GP and Well Child provider."""

    patient: Patient
    general_practice: Text
    well_child_provider: Text


NHI_SYSTEM = "https://standards.digital.health.nz/ns/nhi-id"
"""The naming system of NHI numbers in NZ health identifiers."""


def _valid_nhi(value: str) -> str:
    if not re.fullmatch(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}", value):
        raise ValueError("must be a new-format NHI number AAANNAA")
    if nhi_check_character(value[:6]) != value[6]:
        raise ValueError("must end in the NHI number's check letter")
    return value


class NhiIdentifier(FhirModel):
    """A FHIR Identifier holding an NHI number, check letter and all."""

    system: Literal["https://standards.digital.health.nz/ns/nhi-id"]
    value: Annotated[str, AfterValidator(_valid_nhi)]


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
    birth_date: Annotated[date, AfterValidator(not_after_today)]
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


# FHIR's IssueType codes for each refusal.
_ISSUE_CODES = {400: "required", 401: "security", 409: "conflict", 422: "invalid", 503: "transient"}


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
    ),
)
