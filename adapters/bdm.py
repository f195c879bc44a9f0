"""Adapter for Births, Deaths and Marriages: registers a birth, which issues its number.

BDM wants camelCase, given names as one string, sex as F/M/X, the birth parent as `mother`,
and the usual residence as a street line plus suburb, city and postcode.
"""

from typing import Any

import httpx
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, street_line
from adapters.http import post_json, read_answer
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.people import Address, PersonName

STEP = BIRTH.step("register_birth")
_SEX_CODES = {"female": "F", "male": "M", "indeterminate": "X"}


def _person(name: PersonName) -> dict[str, Any]:
    return {"givenNames": " ".join(name.given_names), "surname": name.family_name}


def _parent(fields: DisclosedFields, parent: str) -> dict[str, Any]:
    return {
        **_person(fields.model(f"{parent}.name", PersonName)),
        "dateOfBirth": fields.text(f"{parent}.date_of_birth"),
    }


def _usual_residence(address: Address) -> dict[str, Any]:
    residence: dict[str, Any] = {"line1": street_line(address)}
    if address.suburb:
        residence["suburb"] = address.suburb
    return {**residence, "city": address.city, "postcode": address.postcode}


def to_bdm_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The register_birth disclosure as BDM's birth registration request."""
    fields = DisclosedFields(STEP, disclosure)
    child_name = fields.model("child.name", PersonName)
    sex = fields.text("child.sex")
    if sex not in _SEX_CODES:
        raise AgencyRejected(STEP.agency, "child.sex has no BDM code")
    child = {
        **_person(child_name),
        **({"preferredName": child_name.known_as} if child_name.known_as else {}),
        "dateOfBirth": fields.text("child.date_of_birth"),
        "sex": _SEX_CODES[sex],
        "placeOfBirth": fields.text("child.place_of_birth"),
    }
    registration = {"child": child, "mother": _parent(fields, "birth_parent")}
    # A birth may be registered with one parent; BDM then expects no otherParent at all.
    if fields.optional("other_parent.name") is not None:
        registration["otherParent"] = _parent(fields, "other_parent")
    registration["usualResidence"] = _usual_residence(fields.model("address", Address))
    return registration


class BdmRegistered(BaseModel):
    """BDM's answer to a registration."""

    registration_number: str = Field(alias="registrationNumber")
    status: str


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


class BdmAdapter:
    """Births, Deaths and Marriages: the birth registration service."""

    agency = "bdm"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call BDM at `base_url` (the agencies' root) with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}/bdm/v1/birth-registrations"
        self._headers = {"X-Api-Key": api_key}

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Register the birth; the same idempotency key returns the same registration."""
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"BDM offers no service {service!r}")
        answer = await post_json(
            self._client,
            self.agency,
            self._url,
            to_bdm_registration(disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=bdm_error_message,
        )
        return from_bdm_answer(answer)
