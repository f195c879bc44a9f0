"""Mock of the national address register, which onceonly looks up to prefill a life event.

It answers where a person lives and who lives with them, looked up by an opaque identity
(the citizen's identifier, never a name), in NZ Post's style: camelCase, the street number
apart from the unit and street, "RD n" for rural delivery, and given names as a list. It
takes its key in `X-Api-Key` and reports errors as
`{"success": false, "errors": [{"parameter", "detail"}]}`.

The register answers from the records it holds, put in with `PUT
/addresses/_residents/{identity}`. For an identity it holds no record of, it answers a
synthetic residence derived from a hash of the identity, so that any demo citizen has one and
the same identity always gets the same one: a valid NZ street address (a real suburb, town and
4-digit postcode from a small table, a made-up number on a common street name, sometimes a unit
(a flat, a unit, or an apartment on a level) or a rural delivery) and a household of zero to
three people with made-up names (their family names say "Synthetic"), dates of birth that fit
their relationship, and an `asAt` date in 2025. No real person's details are ever answered.
"""

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from mocks.kit.agency import MockLookup, Problem
from mocks.kit.formats import (
    CamelCaseJson,
    Identity,
    LevelNumber,
    LevelType,
    Name,
    Postcode,
    RuralDelivery,
    Text,
    UnitType,
    matching,
    not_after_today,
)
from mocks.kit.register import MockRegister
from mocks.kit.shapes import header_key
from mocks.kit.store import Store

Relationship = Literal[
    "partner", "son-or-daughter", "mother-or-father", "brother-or-sister", "boarder-or-flatmate",
    "other",
]  # fmt: skip


class RegisterModel(CamelCaseJson):
    """The register's JSON: camelCase, strict types, and no field it does not know."""


class ResidentQuery(RegisterModel):
    """A look-up: whose residence, by their opaque identity."""

    identity: Identity


StreetNumber = Annotated[
    str, AfterValidator(matching(r"[0-9]+[A-Za-z]?", "digits with an optional letter"))
]


class RegisteredAddress(RegisterModel):
    """A residential address as NZ Post writes it, in AS/NZS 4819's parts: the unit's type
    and identifier, the level, the building, the number or range, the street and locality."""

    unit_type: UnitType | None = None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    level_type: LevelType | None = None
    level_number: LevelNumber | None = None
    building_name: Text | None = None
    street_number: StreetNumber
    street_number_last: StreetNumber | None = None
    street: Text
    suburb: Text | None = None
    rural_delivery: RuralDelivery | None = None
    town: Text
    postcode: Postcode


class HouseholdMember(RegisterModel):
    """Someone registered at the same address, and how they are related to the person."""

    given_names: list[Name] = Field(min_length=1, max_length=10)
    family_name: Name
    date_of_birth: Annotated[date, AfterValidator(not_after_today)]
    relationship: Relationship


class ResidentRecord(RegisterModel):
    """What the register holds of one person: their address and household, as at a date."""

    address: RegisteredAddress
    household: list[HouseholdMember] = Field(default_factory=list, max_length=12)
    as_at: Annotated[date, AfterValidator(not_after_today)]


# Real suburbs, towns and postcodes (a rural delivery number where the place is rural).
_PLACES: tuple[tuple[str, str, str, int | None], ...] = (
    ("Ponsonby", "Auckland", "1011", None),
    ("Mount Eden", "Auckland", "1024", None),
    ("Papatoetoe", "Auckland", "2025", None),
    ("Kensington", "Whangārei", "0112", None),
    ("Kaiwaka", "Kaiwaka", "0573", 2),
    ("Hamilton East", "Hamilton", "3216", None),
    ("Mount Maunganui", "Tauranga", "3116", None),
    ("Hokowhitu", "Palmerston North", "4410", None),
    ("Te Aro", "Wellington", "6011", None),
    ("Newtown", "Wellington", "6021", None),
    ("Petone", "Lower Hutt", "5012", None),
    ("Stoke", "Nelson", "7011", None),
    ("Darfield", "Darfield", "7571", 1),
    ("Riccarton", "Christchurch", "8011", None),
    ("North East Valley", "Dunedin", "9010", None),
)
_STREETS = (
    "Queen Street", "Victoria Street", "Te Ara Tāwhaki", "Kōwhai Road", "Rimu Street",
    "Tōtara Avenue", "Pōhutukawa Drive", "Station Road", "Church Street", "Kauri Crescent",
)  # fmt: skip
_GIVEN_NAMES = (
    "Aroha", "Tama", "Mere", "Wiremu", "Hana", "Rāwiri", "Ngaio", "Sione", "Mei", "Priya",
    "Liam", "Olivia", "Ānahera", "Kiri", "Tāne", "Ruby",
)  # fmt: skip
_FAMILY_NAMES = ("Synthetic", "Tūhoe-Synthetic", "Synthetic-Smith", "Pōmare-Synthetic")
# Who else may share the person's home, and the years they may have been born in.
_BORN: dict[Relationship, tuple[int, int]] = {
    "son-or-daughter": (2005, 2022),
    "mother-or-father": (1935, 1960),
    "brother-or-sister": (1960, 2000),
    "boarder-or-flatmate": (1975, 2004),
}
_PARTNER_BORN = (1955, 1995)
T = TypeVar("T")


class _Draws:
    """Choices drawn from a hash of the identity: the same identity, the same choices."""

    def __init__(self, identity: str) -> None:
        # SHAKE-256 gives as many bytes as the choices need, and never changes between versions.
        self._bytes = hashlib.shake_256(identity.encode()).digest(128)
        self._at = 0

    def below(self, bound: int) -> int:
        """A number from 0 up to, not including, `bound`."""
        value = int.from_bytes(self._bytes[self._at : self._at + 3], "big")
        self._at += 3
        return value % bound

    def pick(self, options: Sequence[T]) -> T:
        """One of the options."""
        return options[self.below(len(options))]

    def born(self, first_year: int, last_year: int) -> date:
        """A date of birth in the years given."""
        start = date(first_year, 1, 1)
        return start + timedelta(days=self.below((date(last_year, 12, 31) - start).days + 1))


def _member(draws: _Draws, relationship: Relationship, family: str) -> dict[str, Any]:
    first, last = _PARTNER_BORN if relationship == "partner" else _BORN[relationship]
    return {
        "givenNames": [draws.pick(_GIVEN_NAMES) for _ in range(1 + draws.below(2))],
        # Kin share the family's name; a flatmate has a name of their own.
        "familyName": draws.pick(_FAMILY_NAMES)
        if relationship == "boarder-or-flatmate"
        else family,
        "dateOfBirth": draws.born(first, last),
        "relationship": relationship,
    }


def synthetic_residence(identity: str) -> dict[str, Any]:
    """The made-up residence the register answers for an identity it holds no record of."""
    draws = _Draws(identity)
    suburb, town, postcode, rural_delivery = draws.pick(_PLACES)
    # Rural addresses carry a distance-based number; urban ones sometimes a unit or letter.
    if rural_delivery is not None:
        number, unit = str(100 + draws.below(2900)), None
    else:
        number = f"{1 + draws.below(299)}{draws.pick(('', '', '', '', '', '', 'A', 'B'))}"
        unit = str(1 + draws.below(12)) if draws.below(4) == 0 else None
    family = draws.pick(_FAMILY_NAMES)
    size = draws.below(4)
    # At most one partner, and first; the others from the usual members of a household.
    relationships: list[Relationship] = ["partner"] if size and draws.below(2) else []
    relationships += [draws.pick(tuple(_BORN)) for _ in range(size - len(relationships))]
    household = [_member(draws, relationship, family) for relationship in relationships]
    record: dict[str, Any] = {
        "address": {
            "unit": unit,
            "streetNumber": number,
            "street": draws.pick(_STREETS),
            "suburb": suburb,
            "ruralDelivery": None if rural_delivery is None else f"RD {rural_delivery}",
            "town": town,
            "postcode": postcode,
        },
        "household": household,
        "asAt": date(2025, 1, 1) + timedelta(days=draws.below(365)),
    }
    if unit is not None:
        # Drawn last, so that every choice above stays what it was for each identity.
        address = record["address"]
        address["unitType"] = draws.pick(("Flat", "Unit", "Apartment", None))
        if address["unitType"] == "Apartment":
            address |= {"levelType": "Level", "levelNumber": str(1 + draws.below(9))}
    # Validated in the register's own format, so a synthetic answer is never malformed.
    return ResidentRecord.model_validate(record).model_dump(mode="json", by_alias=True)


async def residence(query: ResidentQuery, store: Store) -> dict[str, Any]:
    """The record the register holds for the identity, or its synthetic residence."""
    held = await store.held(REGISTER.name, query.identity)
    return held.answer if held is not None else synthetic_residence(query.identity)


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """The register's error shape: a failure flag and the parameter each problem concerns."""
    del status  # the HTTP status says it; the body does not repeat it
    return {
        "success": False,
        "errors": [{"parameter": p.field, "detail": p.message} for p in problems],
    }


REGISTER = MockRegister(
    name="addresses",
    read_api_key=header_key("X-Api-Key"),
    error_body=error_body,
    lookups=(
        MockLookup(
            path="/v1/residents/{identity}",
            summary="Where a person lives, and who lives with them",
            query_model=ResidentQuery,
            answer=residence,
        ),
    ),
    seed_path="/_residents/{identity}",
    key_model=ResidentQuery,
    record_model=ResidentRecord,
)
