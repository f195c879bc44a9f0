"""Health New Zealand's newborn enrolment (see mocks/agencies/health/): a FHIR `transaction` Bundle
that creates the child's `Patient`, enrolled with a GP practice as its `generalPractitioner`,
and an `EpisodeOfCare` of Well Child care managed by the provider, which refers to the Patient
by the Bundle's `fullUrl` for it (a `urn:uuid`). Each entry creates (POSTs) its resource.
"""

from typing import Annotated, Any, Literal

from fhir.resources.R4B.bundle import Bundle
from pydantic import AfterValidator, Discriminator, Field, Tag, model_validator

from mocks.agencies.health.fhir import (
    Address,
    FhirModel,
    FhirResource,
    OfficialNames,
    OrganisationReference,
    Text,
)
from mocks.kit.agency import Coverage
from mocks.kit.formats import PastDate, matching

Urn = Annotated[str, AfterValidator(matching(r"urn:uuid:[0-9a-f-]{36}", "a urn:uuid"))]


class Identifier(FhirModel):
    """A FHIR Identifier: a value in a naming system (here only BDM's registration numbers)."""

    use: Literal["official"] | None = None
    system: Literal["https://standards.digital.health.nz/ns/birth-registration-id"]
    value: Annotated[
        str,
        AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn")),
    ]


class Patient(FhirModel):
    """The newborn as a FHIR Patient resource, enrolled with a GP practice."""

    resource_type: Literal["Patient"]
    name: OfficialNames
    gender: Literal["female", "male", "other", "unknown"]
    birth_date: PastDate
    identifier: list[Identifier] = Field(min_length=1, max_length=1)
    address: list[Address] = Field(min_length=1, max_length=1)
    general_practitioner: list[OrganisationReference] = Field(min_length=1, max_length=1)


class CodeableText(FhirModel):
    """A FHIR CodeableConcept given by its text alone."""

    text: Text


class LocalReference(FhirModel):
    """A FHIR Reference to another entry of the same Bundle, by its `fullUrl`."""

    reference: Urn


class WellChildEpisode(FhirModel):
    """The newborn's Well Child care as a FHIR EpisodeOfCare, managed by the provider."""

    resource_type: Literal["EpisodeOfCare"]
    status: Literal["active"]
    type: list[CodeableText] = Field(min_length=1, max_length=1)
    patient: LocalReference
    managing_organization: OrganisationReference


class CreateRequest(FhirModel):
    """A Bundle entry's request: create (POST) a resource of `url`'s type."""

    method: Literal["POST"]
    url: Literal["Patient", "EpisodeOfCare"]


class PatientEntry(FhirModel):
    """The Bundle entry creating the newborn's Patient."""

    full_url: Urn
    resource: Patient
    request: CreateRequest


class EpisodeEntry(FhirModel):
    """The Bundle entry creating the newborn's Well Child EpisodeOfCare."""

    full_url: Urn
    resource: WellChildEpisode
    request: CreateRequest


def _entry_type(entry: Any) -> str | None:
    """Which entry this is, by its resource's type (None: neither, which the Bundle refuses)."""
    resource = entry.get("resource") if isinstance(entry, dict) else None
    return resource.get("resourceType") if isinstance(resource, dict) else None


EnrolmentEntry = Annotated[
    Annotated[PatientEntry, Tag("Patient")] | Annotated[EpisodeEntry, Tag("EpisodeOfCare")],
    Discriminator(_entry_type),
]


class NewbornEnrolment(FhirResource):
    """A FHIR transaction giving a newborn an NHI and enrolling them with a GP practice and
    a Well Child provider: one Patient, one EpisodeOfCare referring to it."""

    fhir_model = Bundle
    resource_type: Literal["Bundle"]
    type: Literal["transaction"]
    entry: list[EnrolmentEntry] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _one_patient_and_its_episode(self) -> "NewbornEnrolment":
        patients = [e for e in self.entry if isinstance(e, PatientEntry)]
        episodes = [e for e in self.entry if isinstance(e, EpisodeEntry)]
        if len(patients) != 1 or len(episodes) != 1:
            raise ValueError("must hold one Patient and one EpisodeOfCare entry")
        if any(e.request.url != e.resource.resource_type for e in self.entry):
            raise ValueError("each entry's request.url must be its resource's type")
        if episodes[0].resource.patient.reference != patients[0].full_url:
            raise ValueError("the EpisodeOfCare's patient must be the Patient entry's fullUrl")
        return self


ENROLMENT_COVERAGE = Coverage(
    "nhi-gp-well-child-enrolment",
    {
        "resourceType": (),
        "type": (),
        # The gate reads no further into a list: the entries are made from all of these.
        "entry": (
            "child.name",
            "child.sex",
            "child.date_of_birth",
            "child.birth_registration_number",
            "address",
            "health.gp_practice",
            "health.well_child_provider",
        ),
    },
)
"""What a newborn enrolment is made from, for the consent receipt gate."""
