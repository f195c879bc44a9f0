"""Adapter for Health New Zealand: NHI number, GP and Well Child enrolment for a newborn, the
child's place on the National Immunisation Register, and National Health Index updates (a new
address and GP, a death).

Health speaks FHIR R4, and every request is a FHIR resource: a person as a `Patient` with
`HumanName`s, FHIR gender codes, the birth registration number or the NHI number as an
`identifier`, and the address as `line`s (street, then suburb and "RD n"). A newborn's
enrolment is a `transaction` Bundle: the child's Patient, with the GP practice as
`generalPractitioner`, and an `EpisodeOfCare` of Well Child care with the provider; Health
answers a `transaction-response` Bundle whose Patient carries the new NHI number. The register
takes the enrolled child as a `Patient` identified by NHI number, with the parent's phone
(digits only) as a `contact` for vaccination reminders, and answers the Patient it created.
The NHI record takes a new GP as a `generalPractitioner` by name, and a death as
`deceasedDateTime`, and answers the Patient with the update's `meta.versionId`. Only the
register can be undone online: opting the child off deletes the registration.
"""

import re
from typing import Any

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure, WithdrawalAnswer
from adapters.disclosure import DisclosedFields, premise_line
from adapters.health_fhir import (
    BIRTH_PARENT,
    BIRTH_REGISTRATION_SYSTEM,
    NHI_SYSTEM,
    WELL_CHILD,
    CreatedPatient,
    DeletionOutcome,
    EnrolmentResponse,
    UpdatedPatient,
    operation_outcome_message,
    organisation,
)
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import Service, Withdrawal, Withdrawing
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.people import PersonName

STEP = BIRTH.step("health_enrolment")
IMMUNISATION_STEP = BIRTH.step("immunisation_register")
ADDRESS_STEP = MOVE.step("update_health_address")
DECEASED_STEP = DEATH.step("notify_health")
# The transaction's own names for its Patient and EpisodeOfCare: a Bundle's `fullUrl`s need
# only be unique within it, and constant ones keep a retried request identical.
_NEWBORN = "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a01"
_WELL_CHILD_EPISODE = "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a02"
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
    """The health_enrolment disclosure as Health's newborn enrolment: a FHIR transaction
    creating the child's Patient (enrolled with the GP practice) and their Well Child care."""
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
        "generalPractitioner": [organisation(fields.text("health.gp_practice"))],
    }
    well_child = {
        "resourceType": "EpisodeOfCare",
        "status": "active",
        "type": [WELL_CHILD],
        "patient": {"reference": _NEWBORN},
        "managingOrganization": organisation(fields.text("health.well_child_provider")),
    }
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": kind}}
            for url, resource, kind in (
                (_NEWBORN, patient, "Patient"),
                (_WELL_CHILD_EPISODE, well_child, "EpisodeOfCare"),
            )
        ],
    }


def _nhi_patient(fields: DisclosedFields, person: str) -> dict[str, Any]:
    """A person as a FHIR Patient identified by NHI number, with their names and birth date."""
    return {
        "resourceType": "Patient",
        "identifier": [
            {"use": "official", "system": NHI_SYSTEM, "value": fields.text(f"{person}.nhi_number")}
        ],
        "name": fhir_names(fields.model(f"{person}.name", PersonName)),
        "birthDate": fields.text(f"{person}.date_of_birth"),
    }


def to_immunisation_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The immunisation_register disclosure as the register's request: the child as a FHIR
    Patient by NHI number, and the parent's phone for reminders when the parent gave one."""
    fields = DisclosedFields(IMMUNISATION_STEP, disclosure)
    patient = _nhi_patient(fields, "child")
    phone = fields.optional("birth_parent.phone")
    if phone:
        patient["contact"] = [
            {
                "relationship": [BIRTH_PARENT],
                "telecom": [{"system": "phone", "value": _NOT_DIGITS.sub("", phone)}],
            }
        ]
    return patient


def to_nhi_address_update(disclosure: Disclosure) -> dict[str, Any]:
    """The update_health_address disclosure as an NHI address update: the mover as a FHIR
    Patient by NHI number with their new address, and their new GP when they chose one."""
    fields = DisclosedFields(ADDRESS_STEP, disclosure)
    patient = _nhi_patient(fields, "mover")
    patient["address"] = [fhir_address(fields.model("new_address", Address))]
    gp_practice = fields.optional("gp_practice")
    if gp_practice:
        patient["generalPractitioner"] = [organisation(gp_practice)]
    return patient


def to_nhi_deceased(disclosure: Disclosure) -> dict[str, Any]:
    """The notify_health disclosure as a notification of death on the NHI record: the FHIR
    Patient with `deceasedDateTime` (a date is one, at a day's precision)."""
    fields = DisclosedFields(DECEASED_STEP, disclosure)
    patient = _nhi_patient(fields, "deceased")
    return patient | {"deceasedDateTime": fields.text("deceased.date_of_death")}


def from_health_answer(answer: Any) -> AgencyAnswer:
    """Health's transaction-response as the enrolment (the EpisodeOfCare's id) and the
    child's NHI number (the Patient's)."""
    enrolled = read_answer(STEP.agency, answer, EnrolmentResponse)
    return AgencyAnswer(reference=enrolled.enrolment_id, outputs={"child.nhi_number": enrolled.nhi})


def from_immunisation_answer(answer: Any) -> AgencyAnswer:
    """The register's answer, the Patient it created, as the registration id (its `id`)."""
    created = read_answer(IMMUNISATION_STEP.agency, answer, CreatedPatient)
    return AgencyAnswer(reference=created.id)


def from_nhi_update_answer(answer: Any) -> AgencyAnswer:
    """The NHI's answer, the updated Patient, as the update's id (its version id)."""
    updated = read_answer(ADDRESS_STEP.agency, answer, UpdatedPatient)
    return AgencyAnswer(reference=updated.meta.version_id)


def from_nhi_deceased_answer(answer: Any) -> AgencyAnswer:
    """The NHI's answer, the Patient recorded deceased, as the notification's id (its version
    id)."""
    recorded = read_answer(DECEASED_STEP.agency, answer, UpdatedPatient)
    return AgencyAnswer(reference=recorded.meta.version_id)


def from_immunisation_deletion(answer: Any) -> WithdrawalAnswer:
    """The register's answer to opting the child off, an informing OperationOutcome, as the
    deletion's id."""
    deleted = read_answer(IMMUNISATION_STEP.agency, answer, DeletionOutcome)
    return WithdrawalAnswer(reference=deleted.id, outcome="deleted")


_REGISTER = "/immunisation-register"


class HealthAdapter(Withdrawing):
    """Health New Zealand: newborn NHI, GP and Well Child enrolment, the National
    Immunisation Register, and National Health Index address and death updates. Only the
    register can be undone online (opting the child off deletes the registration)."""

    agency = "health"
    title = "Health"
    api = AgencyApi("/health/fhir", ApiKeyHeader("apikey"), operation_outcome_message)
    services = (
        Service(STEP.service, "/newborn-enrolments", to_health_enrolment, from_health_answer),
        Service(
            IMMUNISATION_STEP.service,
            _REGISTER,
            to_immunisation_registration,
            from_immunisation_answer,
            withdrawal=Withdrawal(f"{_REGISTER}/{{reference}}", from_immunisation_deletion),
        ),
        Service(
            ADDRESS_STEP.service,
            "/nhi/address-updates",
            to_nhi_address_update,
            from_nhi_update_answer,
        ),
        Service(
            DECEASED_STEP.service,
            "/nhi/deceased-notifications",
            to_nhi_deceased,
            from_nhi_deceased_answer,
        ),
    )


PLUGIN = AdapterPlugin(agency="health", build=HealthAdapter)
"""The entry point `health` in `onceonly.adapters` (pyproject.toml) loads this."""
