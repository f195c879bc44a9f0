"""Health New Zealand's National Health Index record services (see mocks/health.py): a
patient's new home address (and new GP), and a patient's death.

Both take a FHIR `Patient` identified by an NHI number in either format, its check character
verified, with the official name and date of birth to match the record. The address is a
FHIR `Address`; a new GP is a `generalPractitioner` reference by display name; the death is
`deceasedDate`.
"""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from mocks.health_fhir import Address, AnyNhiIdentifier, FhirModel, OfficialNames, PastDate, Text
from mocks.receipts import Coverage
from mocks.store import NextNumber

OneNhi = Annotated[list[AnyNhiIdentifier], Field(min_length=1, max_length=1)]


class Reference(FhirModel):
    """A FHIR Reference by display name only (the practice as the patient names it)."""

    display: Text


class AddressedPatient(FhirModel):
    """A patient with their new home address, and their new GP when they chose one."""

    resource_type: Literal["Patient"]
    identifier: OneNhi
    name: OfficialNames
    birth_date: PastDate
    address: list[Address] = Field(min_length=1, max_length=1)
    general_practitioner: list[Reference] = Field(default_factory=list, max_length=1)


class NhiAddressUpdate(FhirModel):
    """A request to update the address on a patient's NHI record."""

    patient: AddressedPatient


class DeceasedPatient(FhirModel):
    """A patient who has died."""

    resource_type: Literal["Patient"]
    identifier: OneNhi
    name: OfficialNames
    birth_date: PastDate
    deceased_date: PastDate

    @field_validator("deceased_date")
    @classmethod
    def _after_birth(cls, deceased_date: date, info: ValidationInfo) -> date:
        born = info.data.get("birth_date")
        if born is not None and deceased_date < born:
            raise ValueError("must not be before birthDate")
        return deceased_date


class NhiDeceasedNotification(FhirModel):
    """A request to record a patient's death on their NHI record."""

    patient: DeceasedPatient


def update_address(update: NhiAddressUpdate, next_number: NextNumber) -> dict[str, Any]:
    """Record the patient's new address (and GP)."""
    del update  # the mock records every valid update the same way
    return {"updateId": f"NHA-{next_number('health.nhi_update'):06d}"}


def record_death(notification: NhiDeceasedNotification, next_number: NextNumber) -> dict[str, Any]:
    """Record the patient's death, which stops appointment and screening letters."""
    del notification  # the mock records every valid death the same way
    return {"notificationId": f"NHD-{next_number('health.nhi_deceased'):06d}"}


ADDRESS_UPDATE_COVERAGE = Coverage(
    "nhi-address-update",
    {
        "patient.resourceType": (),
        "patient.identifier": "mover.nhi_number",
        "patient.name": "mover.name",
        "patient.birthDate": "mover.date_of_birth",
        "patient.address": "new_address",
        "patient.generalPractitioner": "gp_practice",
    },
)
"""What an NHI address update is made from, for the consent receipt gate."""
DECEASED_COVERAGE = Coverage(
    "nhi-deceased",
    {
        "patient.resourceType": (),
        "patient.identifier": "deceased.nhi_number",
        "patient.name": "deceased.name",
        "patient.birthDate": "deceased.date_of_birth",
        "patient.deceasedDate": "deceased.date_of_death",
    },
)
"""What a notification of death on the NHI is made from, for the consent receipt gate."""
