"""Adapter for Health New Zealand: NHI number, GP and Well Child enrolment for a newborn, the
child's place on the National Immunisation Register, and National Health Index updates (a new
address and GP, a death).

Health speaks FHIR: a person as a `Patient` with `HumanName`s, FHIR gender codes, the birth
registration number or the NHI number as an `identifier`, and the address as `line`s (street,
then suburb and "RD n"). The register takes the enrolled child as a `Patient` identified by
NHI number, with the parent's phone (digits only) as a `contact` for vaccination reminders.
The NHI record takes a new GP as a `generalPractitioner` by name, and a death as
`deceasedDate`. Only the register can be undone online: opting the child off deletes the
registration.
"""

import re
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    Disclosure,
    WithdrawalAnswer,
    WithdrawalNotOffered,
)
from adapters.disclosure import DisclosedFields, premise_line
from adapters.http import delete_json, post_json, read_answer
from adapters.plugins import AdapterPlugin
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.people import Address, PersonName

STEP = BIRTH.step("health_enrolment")
IMMUNISATION_STEP = BIRTH.step("immunisation_register")
ADDRESS_STEP = MOVE.step("update_health_address")
DECEASED_STEP = DEATH.step("notify_health")
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
    """An address as a FHIR Address: the premise line (building, unit, level, number or range
    and street: "Level 3, 1 Willis Street"), then the suburb and "RD n" when it has them."""
    lines = [premise_line(address)] + ([address.suburb] if address.suburb else [])
    if address.rural_delivery is not None:
        lines.append(f"RD {address.rural_delivery}")
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


def _nhi_patient(fields: DisclosedFields, person: str) -> dict[str, Any]:
    """A person as a FHIR Patient identified by NHI number, with their names and birth date."""
    return {
        "resourceType": "Patient",
        "identifier": [{"system": NHI_SYSTEM, "value": fields.text(f"{person}.nhi_number")}],
        "name": fhir_names(fields.model(f"{person}.name", PersonName)),
        "birthDate": fields.text(f"{person}.date_of_birth"),
    }


def to_immunisation_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The immunisation_register disclosure as the register's request: the child by NHI
    number, and the parent's phone for reminders when the parent gave one."""
    fields = DisclosedFields(IMMUNISATION_STEP, disclosure)
    patient = _nhi_patient(fields, "child")
    phone = fields.optional("birth_parent.phone")
    if phone:
        patient["contact"] = [
            {
                "relationship": ["birth-parent"],
                "telecom": [{"system": "phone", "value": _NOT_DIGITS.sub("", phone)}],
            }
        ]
    return {"patient": patient}


def to_nhi_address_update(disclosure: Disclosure) -> dict[str, Any]:
    """The update_health_address disclosure as an NHI address update: the mover by NHI
    number with their new address, and their new GP when they chose one."""
    fields = DisclosedFields(ADDRESS_STEP, disclosure)
    patient = _nhi_patient(fields, "mover")
    patient["address"] = [fhir_address(fields.model("new_address", Address))]
    gp_practice = fields.optional("gp_practice")
    if gp_practice:
        patient["generalPractitioner"] = [{"display": gp_practice}]
    return {"patient": patient}


def to_nhi_deceased(disclosure: Disclosure) -> dict[str, Any]:
    """The notify_health disclosure as a notification of death on the NHI record."""
    fields = DisclosedFields(DECEASED_STEP, disclosure)
    patient = _nhi_patient(fields, "deceased")
    return {"patient": patient | {"deceasedDate": fields.text("deceased.date_of_death")}}


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


class NhiUpdated(BaseModel):
    """The NHI's answer to an address update: the update's id."""

    update_id: str = Field(alias="updateId")


class NhiDeathRecorded(BaseModel):
    """The NHI's answer to a notification of death: the notification's id."""

    notification_id: str = Field(alias="notificationId")


def from_nhi_update_answer(answer: Any) -> AgencyAnswer:
    """The NHI's answer as the update id."""
    return AgencyAnswer(reference=read_answer(ADDRESS_STEP.agency, answer, NhiUpdated).update_id)


def from_nhi_deceased_answer(answer: Any) -> AgencyAnswer:
    """The NHI's answer as the notification id."""
    recorded = read_answer(DECEASED_STEP.agency, answer, NhiDeathRecorded)
    return AgencyAnswer(reference=recorded.notification_id)


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
    ADDRESS_STEP.service: (
        "/health/fhir/nhi/address-updates",
        to_nhi_address_update,
        from_nhi_update_answer,
    ),
    DECEASED_STEP.service: (
        "/health/fhir/nhi/deceased-notifications",
        to_nhi_deceased,
        from_nhi_deceased_answer,
    ),
}


class ImmunisationDeleted(BaseModel):
    """The register's answer to an opt-off: the deletion's id."""

    deletion_id: str = Field(alias="deletionId")
    outcome: Literal["deleted"]


class HealthAdapter:
    """Health New Zealand: newborn NHI, GP and Well Child enrolment, the National
    Immunisation Register, and National Health Index address and death updates."""

    agency = "health"
    policy = AgencyPolicy()

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

    async def withdraw(
        self, service: str, reference: str, idempotency_key: str
    ) -> WithdrawalAnswer:
        """Opt the child off the National Immunisation Register, which deletes registration
        `reference`; no other Health service can be undone online (WithdrawalNotOffered)."""
        if service != IMMUNISATION_STEP.service:
            raise WithdrawalNotOffered(self.agency, service)
        answer = await delete_json(
            self._client,
            self.agency,
            f"{self._base_url}/health/fhir/immunisation-register/{quote(reference, safe='')}",
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=health_error_message,
        )
        deleted = read_answer(self.agency, answer, ImmunisationDeleted)
        return WithdrawalAnswer(reference=deleted.deletion_id, outcome="deleted")

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The request `submit` would send for `service`, by the same mapping; sends nothing."""
        if service not in _SERVICES:
            raise AgencyRejected(self.agency, f"Health offers no service {service!r}")
        _path, to_request, _from_answer = _SERVICES[service]
        return to_request(disclosure)


PLUGIN = AdapterPlugin(agency="health", build=HealthAdapter)
"""The entry point `health` in `onceonly.adapters` (pyproject.toml) loads this."""
