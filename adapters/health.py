"""Adapter for Health New Zealand: NHI number, GP and Well Child enrolment for a newborn, and
the child's place on the National Immunisation Register.

Health speaks FHIR: the child as a `Patient` with `HumanName`s, FHIR gender codes, the birth
registration number as an `identifier`, and the address as `line`s (street, then suburb). The
register takes the enrolled child as a `Patient` identified by NHI number, with the parent's
phone (digits only) as a `contact` for vaccination reminders.
"""

import re
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, street_line
from adapters.http import post_json, read_answer
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.people import Address, PersonName

STEP = BIRTH.step("health_enrolment")
IMMUNISATION_STEP = BIRTH.step("immunisation_register")
BIRTH_REGISTRATION_SYSTEM = "https://standards.digital.health.nz/ns/birth-registration-id"
"""The naming system of BDM registration numbers in NZ health identifiers."""
NHI_SYSTEM = "https://standards.digital.health.nz/ns/nhi-id"
"""The naming system of NHI numbers in NZ health identifiers."""
# Canonical phones may hold spaces, dashes and brackets for readability; FHIR here takes digits.
_NOT_DIGITS = re.compile(r"[^0-9]")
# FHIR's AdministrativeGender has no "indeterminate"; "other" is its code for it.
_FHIR_GENDERS = {"female": "female", "male": "male", "indeterminate": "other"}


def fhir_names(name: PersonName) -> list[dict[str, Any]]:
    """A name as FHIR HumanNames: the official one, and the usual one when the child has it."""
    names: list[dict[str, Any]] = [
        {"use": "official", "family": name.family_name, "given": list(name.given_names)}
    ]
    if name.known_as:
        names.append({"use": "usual", "family": name.family_name, "given": [name.known_as]})
    return names


def fhir_address(address: Address) -> dict[str, Any]:
    """An address as a FHIR Address: the street line, then the suburb when there is one."""
    lines = [street_line(address)] + ([address.suburb] if address.suburb else [])
    return {
        "use": "home",
        "line": lines,
        "city": address.city,
        "postalCode": address.postcode,
        "country": "NZ",
    }


def to_health_enrolment(disclosure: Disclosure) -> dict[str, Any]:
    """The health_enrolment disclosure as Health's newborn enrolment request."""
    fields = DisclosedFields(STEP, disclosure)
    sex = fields.text("child.sex")
    if sex not in _FHIR_GENDERS:
        raise AgencyRejected(STEP.agency, "child.sex has no FHIR gender code")
    patient = {
        "resourceType": "Patient",
        "name": fhir_names(fields.model("child.name", PersonName)),
        "gender": _FHIR_GENDERS[sex],
        "birthDate": fields.text("child.date_of_birth"),
        "identifier": [
            {
                "system": BIRTH_REGISTRATION_SYSTEM,
                "value": fields.text("child.birth_registration_number"),
            }
        ],
        "address": [fhir_address(fields.model("address", Address))],
    }
    return {
        "patient": patient,
        "generalPractice": fields.text("health.gp_practice"),
        "wellChildProvider": fields.text("health.well_child_provider"),
    }


def to_immunisation_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The immunisation_register disclosure as the register's request: the child by NHI
    number, and the parent's phone for reminders when the parent gave one."""
    fields = DisclosedFields(IMMUNISATION_STEP, disclosure)
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": [{"system": NHI_SYSTEM, "value": fields.text("child.nhi_number")}],
        "name": fhir_names(fields.model("child.name", PersonName)),
        "birthDate": fields.text("child.date_of_birth"),
    }
    phone = fields.optional("birth_parent.phone")
    if phone:
        patient["contact"] = [
            {
                "relationship": ["birth-parent"],
                "telecom": [{"system": "phone", "value": _NOT_DIGITS.sub("", phone)}],
            }
        ]
    return {"patient": patient}


class HealthEnrolled(BaseModel):
    """Health's answer: the child's NHI number and the enrolment's id."""

    nhi: str = Field(pattern=r"^[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}$")
    enrolment_id: str = Field(alias="enrolmentId")


def health_error_message(body: Any) -> str | None:
    """Health's errors: a FHIR OperationOutcome, whose issues carry `diagnostics`."""
    return "; ".join(issue["diagnostics"] for issue in body["issue"])


def from_health_answer(answer: Any) -> AgencyAnswer:
    """Health's answer as the enrolment id and the child's NHI number."""
    enrolled = read_answer(STEP.agency, answer, HealthEnrolled)
    return AgencyAnswer(reference=enrolled.enrolment_id, outputs={"child.nhi_number": enrolled.nhi})


class ImmunisationRegistered(BaseModel):
    """The register's answer: the registration's id."""

    registration_id: str = Field(alias="registrationId")


def from_immunisation_answer(answer: Any) -> AgencyAnswer:
    """The register's answer as the registration id."""
    registered = read_answer(IMMUNISATION_STEP.agency, answer, ImmunisationRegistered)
    return AgencyAnswer(reference=registered.registration_id)


# Each Health service: its path, the request mapping and the answer reading.
_SERVICES: dict[
    str, tuple[str, Callable[[Disclosure], dict[str, Any]], Callable[[Any], AgencyAnswer]]
] = {
    STEP.service: ("/health/fhir/newborn-enrolments", to_health_enrolment, from_health_answer),
    IMMUNISATION_STEP.service: (
        "/health/fhir/immunisation-register",
        to_immunisation_registration,
        from_immunisation_answer,
    ),
}


class HealthAdapter:
    """Health New Zealand: newborn NHI, GP and Well Child enrolment, and the National
    Immunisation Register."""

    agency = "health"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call Health under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._base_url = base_url.rstrip("/")
        self._headers = {"apikey": api_key}

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Call the service; the same idempotency key returns the same answer (NHI number)."""
        if service not in _SERVICES:
            raise AgencyRejected(self.agency, f"Health offers no service {service!r}")
        path, to_request, from_answer = _SERVICES[service]
        answer = await post_json(
            self._client,
            self.agency,
            f"{self._base_url}{path}",
            to_request(disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=health_error_message,
        )
        return from_answer(answer)
