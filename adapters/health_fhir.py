"""The FHIR R4 parts of the Health adapter (adapters/health.py): the naming systems and codes
it uses, and Health's answers as the FHIR resources a FHIR server gives back.

The adapter builds FHIR JSON itself and reads answers with small pydantic models of just the
elements it needs: the `fhir.resources` models that prove both valid (tests/unit) are not
needed at run time.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BIRTH_REGISTRATION_SYSTEM = "https://standards.digital.health.nz/ns/birth-registration-id"
"""The naming system of BDM registration numbers in NZ health identifiers."""
NHI_SYSTEM = "https://standards.digital.health.nz/ns/nhi-id"
"""The naming system of NHI numbers in NZ health identifiers."""
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
"""HL7 v3 RoleCode, whose personal relationship codes name a patient's contact."""
BIRTH_PARENT = {
    "coding": [{"system": ROLE_CODE_SYSTEM, "code": "NPRN", "display": "natural parent"}],
    "text": "birth parent",
}
"""`Patient.contact.relationship` of the parent who gave birth: RoleCode's natural parent."""
WELL_CHILD = {"text": "Well Child Tamariki Ora"}
"""`EpisodeOfCare.type` of Well Child care (no standard code system names the programme)."""
# An NHI (like any FHIR id) is a FHIR `id`: letters, digits, '-' and '.', 1 to 64 of them.
_FHIR_ID = r"^[A-Za-z0-9\-.]{1,64}$"
_NHI = r"^[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}$"


def organisation(display: str) -> dict[str, Any]:
    """A FHIR Reference to an organisation known to the citizen only by its name."""
    return {"type": "Organization", "display": display}


class _Answer(BaseModel):
    """FHIR JSON read leniently: a server may add elements the adapter does not need."""

    model_config = ConfigDict(extra="ignore")


class _Identifier(_Answer):
    system: str | None = None
    value: str | None = None


class _Meta(_Answer):
    version_id: str = Field(alias="versionId", pattern=_FHIR_ID)


class _Resource(_Answer):
    resource_type: str = Field(alias="resourceType")
    id: str = Field(pattern=_FHIR_ID)
    identifier: list[_Identifier] = []


class _Entry(_Answer):
    resource: _Resource


class EnrolmentResponse(_Answer):
    """Health's answer to the enrolment transaction: a FHIR `transaction-response` Bundle
    whose Patient carries the child's new NHI number and whose EpisodeOfCare is the enrolment."""

    resource_type: Literal["Bundle"] = Field(alias="resourceType")
    type: Literal["transaction-response"]
    entry: list[_Entry]
    nhi: str = Field(default="", pattern=_NHI)
    enrolment_id: str = ""

    @model_validator(mode="before")
    @classmethod
    def _find_nhi_and_enrolment(cls, answer: Any) -> Any:
        if not isinstance(answer, dict):
            return answer
        resources = [e.get("resource") or {} for e in answer.get("entry") or [] if e]
        patients = [r for r in resources if r.get("resourceType") == "Patient"]
        episodes = [r for r in resources if r.get("resourceType") == "EpisodeOfCare"]
        nhis = [
            i.get("value")
            for p in patients
            for i in p.get("identifier") or []
            if i.get("system") == NHI_SYSTEM
        ]
        # One of each, or the fields stay missing and the answer fails to match.
        found = {"nhi": nhis[0] if len(nhis) == 1 else None}
        found["enrolment_id"] = episodes[0].get("id") if len(episodes) == 1 else None
        return answer | found


class CreatedPatient(_Answer):
    """A FHIR server's answer to the create of a Patient: the Patient with its new `id`."""

    resource_type: Literal["Patient"] = Field(alias="resourceType")
    id: str = Field(pattern=_FHIR_ID)


class UpdatedPatient(_Answer):
    """The NHI's answer to an update of a Patient: the record with the update's version."""

    resource_type: Literal["Patient"] = Field(alias="resourceType")
    meta: _Meta


class _Issue(_Answer):
    severity: Literal["information"]


class DeletionOutcome(_Answer):
    """A FHIR server's answer to a delete: an OperationOutcome whose issues only inform
    (its id is the deletion's)."""

    resource_type: Literal["OperationOutcome"] = Field(alias="resourceType")
    id: str = Field(pattern=_FHIR_ID)
    issue: list[_Issue] = Field(min_length=1)


def operation_outcome_message(body: Any) -> str | None:
    """The message of a FHIR OperationOutcome: its issues' `diagnostics`, joined."""
    return "; ".join(issue["diagnostics"] for issue in body["issue"])
