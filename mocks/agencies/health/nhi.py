"""Health New Zealand's National Health Index record services (see mocks/agencies/health/): a
patient's new home address (and new GP), and a patient's death.

Both take a FHIR `Patient` identified by an NHI number in either format, its check character
verified, with the official name and date of birth to match the record. The address is a
FHIR `Address`; a new GP is a `generalPractitioner` reference to an organisation by display
name; the death is `deceasedDateTime` (a date). Both answer the updated Patient (its id the
NHI number, as on Health's NHI FHIR API), whose `meta.versionId` is the update's id.
"""

from typing import Annotated, Any, Literal

from fhir.resources.R4B.patient import Patient
from pydantic import Field

from mocks.agencies.health.fhir import (
    NHI_SYSTEM,
    Address,
    AnyNhiIdentifier,
    FhirResource,
    OfficialNames,
    OrganisationReference,
    fhir_meta,
    valid_fhir,
)
from mocks.kit.agency import Coverage
from mocks.kit.formats import PastDate, not_before
from mocks.kit.store import NextNumber

OneNhi = Annotated[list[AnyNhiIdentifier], Field(min_length=1, max_length=1)]


class NhiAddressUpdate(FhirResource):
    """A patient (a FHIR Patient) with their new home address, and their new GP when they
    chose one, to update their NHI record."""

    fhir_model = Patient
    resource_type: Literal["Patient"]
    identifier: OneNhi
    name: OfficialNames
    birth_date: PastDate
    address: list[Address] = Field(min_length=1, max_length=1)
    general_practitioner: list[OrganisationReference] = Field(default_factory=list, max_length=1)


class NhiDeceasedNotification(FhirResource):
    """A patient who has died (a FHIR Patient with the date as `deceasedDateTime`), to
    record on their NHI record."""

    fhir_model = Patient
    resource_type: Literal["Patient"]
    identifier: OneNhi
    name: OfficialNames
    birth_date: PastDate
    deceased_date_time: PastDate

    _after_birth = not_before("deceased_date_time", "birth_date", "birthDate")


def _updated(nhi: str, version_id: str) -> dict[str, Any]:
    """The NHI record as updated: the Patient (its id the NHI) at its new version."""
    return valid_fhir(
        Patient,
        {
            "resourceType": "Patient",
            "id": nhi,
            "meta": fhir_meta(version_id),
            "identifier": [{"use": "official", "system": NHI_SYSTEM, "value": nhi}],
        },
    )


def update_address(update: NhiAddressUpdate, next_number: NextNumber) -> dict[str, Any]:
    """Record the patient's new address (and GP)."""
    nhi = update.identifier[0].value
    return _updated(nhi, f"NHA-{next_number('health.nhi_update'):06d}")


def record_death(notification: NhiDeceasedNotification, next_number: NextNumber) -> dict[str, Any]:
    """Record the patient's death, which stops appointment and screening letters."""
    nhi = notification.identifier[0].value
    return _updated(nhi, f"NHD-{next_number('health.nhi_deceased'):06d}")


ADDRESS_UPDATE_COVERAGE = Coverage(
    "nhi-address-update",
    {
        "resourceType": (),
        "identifier": "mover.nhi_number",
        "name": "mover.name",
        "birthDate": "mover.date_of_birth",
        "address": "new_address",
        "generalPractitioner": "gp_practice",
    },
)
"""What an NHI address update is made from, for the consent receipt gate."""
DECEASED_COVERAGE = Coverage(
    "nhi-deceased",
    {
        "resourceType": (),
        "identifier": "deceased.nhi_number",
        "name": "deceased.name",
        "birthDate": "deceased.date_of_birth",
        "deceasedDateTime": "deceased.date_of_death",
    },
)
"""What a notification of death on the NHI is made from, for the consent receipt gate."""
