"""Adapter for Births, Deaths and Marriages: registers a birth or a death, which issues its
registration number, and looks up a registered death (for prefill).

BDM wants camelCase, given names as one string, sex as F/M/X, the birth parent as `mother`,
the person telling it of a death as the `informant` with BDM's relationship codes, and the
usual residence as a street line plus suburb, "RD n", city and postcode (a building's name, a
unit's type and a level go first in the street line: "Level 3, 1 Willis Street").
"""

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from adapters.base import AgencyAnswer, AgencyPolicy, AgencyRejected, AgencyStatus, Disclosure
from adapters.disclosure import DisclosedFields, premise_line
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import BIRTH, DEATH
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import DeathRecord

STEP = BIRTH.step("register_birth")
DEATH_STEP = DEATH.step("register_death")
_SEX_CODES = {"female": "F", "male": "M", "indeterminate": "X"}
_SEXES = {code: sex for sex, code in _SEX_CODES.items()}
_RELATIONSHIP_CODES = {
    "spouse_or_partner": "SPOUSE_PARTNER",
    "child": "CHILD",
    "parent": "PARENT",
    "sibling": "SIBLING",
    "grandchild": "GRANDCHILD",
    "other_relative": "OTHER_RELATIVE",
    "friend": "FRIEND",
}
_REGISTRATION_NUMBER = re.compile(r"[0-9]{4}/[0-9]{6}")
DEATH_REVIEW_DUE = timedelta(days=3)
"""BDM's stated time to review a death registration it does not register at once."""


def _person(name: PersonName) -> dict[str, Any]:
    return {"givenNames": " ".join(name.given_names), "surname": name.family_name}


def _parent(fields: DisclosedFields, parent: str) -> dict[str, Any]:
    return {
        **_person(fields.model(f"{parent}.name", PersonName)),
        "dateOfBirth": fields.text(f"{parent}.date_of_birth"),
    }


def _usual_residence(address: Address) -> dict[str, Any]:
    residence: dict[str, Any] = {"line1": premise_line(address)}
    if address.suburb:
        residence["suburb"] = address.suburb
    if address.rural_delivery is not None:
        residence["ruralDelivery"] = f"RD {address.rural_delivery}"
    return {**residence, "city": address.city, "postcode": address.postcode}


def _code(codes: dict[str, str], fields: DisclosedFields, field: str) -> str:
    value = fields.text(field)
    if value not in codes:
        raise AgencyRejected(STEP.agency, f"{field} has no BDM code")
    return codes[value]


def to_bdm_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The register_birth disclosure as BDM's birth registration request."""
    fields = DisclosedFields(STEP, disclosure)
    child_name = fields.model("child.name", PersonName)
    child = {
        **_person(child_name),
        **({"preferredName": child_name.known_as} if child_name.known_as else {}),
        "dateOfBirth": fields.text("child.date_of_birth"),
        "sex": _code(_SEX_CODES, fields, "child.sex"),
        "placeOfBirth": fields.text("child.place_of_birth"),
    }
    # A child of twins or more: BDM records how many were born and which this one is.
    plurality = fields.optional("multiple_birth.plurality")
    birth_order = fields.optional("multiple_birth.birth_order")
    if plurality is not None:
        child |= {"plurality": plurality, "birthOrder": birth_order}
    registration = {"child": child, "mother": _parent(fields, "birth_parent")}
    # A birth may be registered with one parent; BDM then expects no otherParent at all.
    if fields.optional("other_parent.name") is not None:
        registration["otherParent"] = _parent(fields, "other_parent")
    registration["usualResidence"] = _usual_residence(fields.model("address", Address))
    return registration


def to_bdm_death_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The register_death disclosure as BDM's death registration request."""
    fields = DisclosedFields(DEATH_STEP, disclosure)
    name = fields.model("deceased.name", PersonName)
    deceased = {
        **_person(name),
        **({"preferredName": name.known_as} if name.known_as else {}),
        "dateOfBirth": fields.text("deceased.date_of_birth"),
        "dateOfDeath": fields.text("deceased.date_of_death"),
        "sex": _code(_SEX_CODES, fields, "deceased.sex"),
        "placeOfDeath": fields.text("deceased.place_of_death"),
    }
    informant = {
        **_person(fields.model("notifier.name", PersonName)),
        "relationship": _code(_RELATIONSHIP_CODES, fields, "notifier.relationship"),
    }
    return {
        "deceased": deceased,
        "usualResidence": _usual_residence(fields.model("deceased.last_address", Address)),
        "informant": informant,
    }


class BdmRegistered(BaseModel):
    """BDM's answer to a birth registration."""

    registration_number: str = Field(alias="registrationNumber")
    status: str


class BdmDeathRegistered(BaseModel):
    """BDM's answer to a death registration."""

    death_registration_number: str = Field(
        alias="deathRegistrationNumber", pattern=r"^[0-9]{4}/[0-9]{6}$"
    )
    status: str


class BdmDeceased(BaseModel):
    """The deceased as BDM's register of deaths answers a look-up."""

    model_config = ConfigDict(alias_generator=to_camel)

    given_names: str
    surname: str
    preferred_name: str | None = None
    date_of_birth: str
    date_of_death: str
    sex: Literal["F", "M", "X"]
    place_of_death: str


class BdmDeathRecord(BaseModel):
    """BDM's answer to a look-up of a registered death."""

    model_config = ConfigDict(alias_generator=to_camel)

    registration_number: str
    deceased: BdmDeceased


class BdmUnderReview(BaseModel):
    """BDM's answer when it reviews a death registration first: the review's reference."""

    review_reference: str = Field(alias="reviewReference")
    status: Literal["under_review"]


class BdmReview(BaseModel):
    """BDM's answer about a review: still under way, or its decision."""

    review_reference: str = Field(alias="reviewReference")
    status: Literal["under_review", "registered", "rejected"]
    death_registration_number: str | None = Field(
        default=None, alias="deathRegistrationNumber", pattern=r"^[0-9]{4}/[0-9]{6}$"
    )
    reason: str | None = None


def bdm_error_message(body: Any) -> str | None:
    """BDM's errors: `{"errors": [{"field", "message"}]}`."""
    return "; ".join(
        f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in body["errors"]
    )


def from_bdm_answer(answer: Any) -> AgencyAnswer:
    """BDM's answer as the registration number, which later steps disclose."""
    registered = read_answer(STEP.agency, answer, BdmRegistered)
    return AgencyAnswer(
        reference=registered.registration_number,
        outputs={"child.birth_registration_number": registered.registration_number},
    )


def from_bdm_death_answer(answer: Any) -> AgencyAnswer:
    """BDM's answer as the death registration number, which later steps disclose; or, when
    BDM reviews the registration first, as a pending review that onceonly polls."""
    if isinstance(answer, dict) and "deathRegistrationNumber" not in answer:
        review = read_answer(DEATH_STEP.agency, answer, BdmUnderReview)
        return AgencyAnswer(
            reference=review.review_reference,
            pending=True,
            follow_up="poll",
            outcome_due=DEATH_REVIEW_DUE,
        )
    number = read_answer(DEATH_STEP.agency, answer, BdmDeathRegistered).death_registration_number
    return AgencyAnswer(reference=number, outputs={"deceased.death_registration_number": number})


def from_bdm_review(answer: Any) -> AgencyStatus:
    """BDM's answer about a review as the registration's status."""
    review = read_answer(DEATH_STEP.agency, answer, BdmReview)
    if review.status == "under_review":
        return AgencyStatus(reference=review.review_reference, state="pending")
    if review.status == "rejected":
        return AgencyStatus(
            reference=review.review_reference, state="rejected", message=review.reason
        )
    number = review.death_registration_number
    if number is None:
        raise AgencyRejected(DEATH_STEP.agency, "its registered review holds no number")
    return AgencyStatus(
        reference=review.review_reference,
        state="completed",
        outputs={"deceased.death_registration_number": number},
        effect="in_effect",
    )


def from_bdm_death_record(answer: Any) -> DeathRecord:
    """BDM's registered death as the canonical record.

    BDM holds given names as one string, so they come back one word to a given name.
    """
    record = read_answer(DEATH_STEP.agency, answer, BdmDeathRecord)
    deceased = record.deceased
    try:
        return DeathRecord.model_validate(
            {
                "registration_number": record.registration_number,
                "name": {
                    "given_names": deceased.given_names.split(),
                    "family_name": deceased.surname,
                    "known_as": deceased.preferred_name,
                },
                "date_of_birth": deceased.date_of_birth,
                "date_of_death": deceased.date_of_death,
                "sex": _SEXES[deceased.sex],
                "place_of_death": deceased.place_of_death,
            }
        )
    except ValidationError as error:
        # Field names only: the values are the deceased's personal data.
        names = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise AgencyRejected(
            DEATH_STEP.agency, f"its answer does not match the canonical death record ({names})"
        ) from None


class BdmAdapter(JsonAgencyAdapter):
    """Births, Deaths and Marriages: birth and death registration, and the register of deaths."""

    agency = "bdm"
    title = "BDM"
    api = AgencyApi("/bdm/v1", ApiKeyHeader("X-Api-Key"), bdm_error_message)
    # BDM's registers are a small service, so poll gently: a review is decided in minutes or
    # days, so look again soon (a quick one is not left waiting) and back off to hourly.
    policy = AgencyPolicy(
        call_timeout=timedelta(seconds=15),
        rate_limit_per_second=5.0,
        max_concurrent_calls=5,
        poll_every=timedelta(seconds=2),
        max_poll_interval=timedelta(hours=1),
    )
    services = (
        Service(STEP.service, "/birth-registrations", to_bdm_registration, from_bdm_answer),
        Service(
            DEATH_STEP.service,
            "/death-registrations",
            to_bdm_death_registration,
            from_bdm_death_answer,
        ),
    )

    async def status(self, service: str, reference: str) -> AgencyStatus:
        """Where a death registration stands: its review's decision, or, for one registered at
        once (`reference` is its number), registered."""
        if service != DEATH_STEP.service:
            raise AgencyRejected(self.agency, f"BDM reports no status of {service}")
        if _REGISTRATION_NUMBER.fullmatch(reference):
            # Registered at once: the register of deaths holds it, or answers 404.
            await self.death_record(reference)
            return AgencyStatus(
                reference=reference,
                state="completed",
                outputs={"deceased.death_registration_number": reference},
                effect="in_effect",
            )
        answer = await self._get("/death-registration-reviews/{reference}", reference=reference)
        return from_bdm_review(answer)

    async def death_record(self, registration_number: str) -> DeathRecord:
        """The death BDM registered under this number; AgencyRejected when it holds none."""
        if not _REGISTRATION_NUMBER.fullmatch(registration_number):
            raise AgencyRejected(self.agency, "a death registration number is yyyy/nnnnnn")
        # The number's slash is BDM's path: /death-registrations/2026/000001.
        answer = await self._get(f"/death-registrations/{registration_number}")
        return from_bdm_death_record(answer)


PLUGIN = AdapterPlugin(agency="bdm", build=BdmAdapter)
"""The entry point `bdm` in `onceonly.adapters` (pyproject.toml) loads this."""
