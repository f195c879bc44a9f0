"""Adapter for the national address register, looked up (with the citizen's consent) to
prefill where they live and who lives with them.

The register is looked up by an opaque identity, never by name, and answers in NZ Post's
style: camelCase, the street number apart from the unit and street, "RD n" for rural
delivery, given names as a list, and its own relationship codes. The adapter maps that back
to the canonical `Residence`. It submits nothing, so it is no `AgencyAdapter`: the prefill
activity calls `AddressRegister.residence`.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from adapters.base import AgencyRejected
from adapters.http import AgencyApi, AgencyClient, ApiKeyHeader, read_answer
from onceonly.domain.address_model import Address
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import Residence, Resident

AGENCY = "addresses"
# The register's relationship codes, each as the canonical relationship.
_RELATIONSHIPS = {
    "partner": "partner",
    "son-or-daughter": "child",
    "mother-or-father": "parent",
    "brother-or-sister": "sibling",
    "boarder-or-flatmate": "flatmate",
    "other": "other",
}


class _RegisterAnswer(BaseModel):
    """The register's JSON, read by its own (camelCase) names."""

    model_config = ConfigDict(alias_generator=to_camel)


class RegisteredAddress(_RegisterAnswer):
    """An address as the register writes it, in AS/NZS 4819's parts."""

    unit_type: str | None = None
    unit: str | None = None
    level_type: str | None = None
    level_number: str | None = None
    building_name: str | None = None
    street_number: str
    street_number_last: str | None = None
    street: str
    suburb: str | None = None
    rural_delivery: str | None = Field(default=None, pattern=r"^RD [0-9]{1,2}$")
    town: str
    postcode: str


class HouseholdMember(_RegisterAnswer):
    """Someone the register records at the same address."""

    given_names: list[str]
    family_name: str
    date_of_birth: str
    relationship: str


class ResidentRecord(_RegisterAnswer):
    """The register's answer to a look-up."""

    address: RegisteredAddress
    household: list[HouseholdMember] = Field(default_factory=list)
    as_at: str


def canonical_address(address: RegisteredAddress) -> dict[str, Any]:
    """The register's address in the canonical parts ("RD 2" becomes rural_delivery 2).

    Every part is given, None where the register has none, so that a looked-up address
    replaces the whole of an older one (no old "RD 2" or "Level 3" left behind).
    """
    rural = address.rural_delivery
    return {
        "unit_type": address.unit_type,
        "unit": address.unit,
        "level_type": address.level_type,
        "level_number": address.level_number,
        "building_name": address.building_name,
        "number": address.street_number,
        "number_last": address.street_number_last,
        "street": address.street,
        "suburb": address.suburb,
        "rural_delivery": None if rural is None else int(rural.removeprefix("RD ")),
        "city": address.town,
        "postcode": address.postcode,
    }


def residence_from(answer: Any) -> Residence:
    """The register's answer as the canonical Residence."""
    record = read_answer(AGENCY, answer, ResidentRecord)
    try:
        return Residence(
            address=Address.model_validate(canonical_address(record.address)),
            household=tuple(
                Resident(
                    name=PersonName(given_names=member.given_names, family_name=member.family_name),
                    date_of_birth=member.date_of_birth,
                    relationship=_RELATIONSHIPS.get(member.relationship, member.relationship),
                )
                for member in record.household
            ),
        )
    except ValidationError as error:
        # The messages would quote the answer, which is personal data; the places are enough.
        places = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        raise AgencyRejected(AGENCY, f"its answer is no canonical residence ({places})") from None


def register_error_message(body: Any) -> str | None:
    """The register's errors: `{"success": false, "errors": [{"parameter", "detail"}]}`."""
    return "; ".join(
        f"{e['parameter']}: {e['detail']}" if e.get("parameter") else e["detail"]
        for e in body["errors"]
    )


class AddressRegister(AgencyClient):
    """The national address register: where a person lives, and who lives with them."""

    agency = AGENCY
    api = AgencyApi("/addresses/v1", ApiKeyHeader("X-Api-Key"), register_error_message)

    async def residence(self, identity: str) -> Residence:
        """Where the person with this identity lives; AgencyUnavailable when the register
        cannot answer now, AgencyRejected when it refuses the look-up."""
        answer = await self._get("/residents/{reference}", reference=identity)
        return residence_from(answer)
