"""Mock of Births, Deaths and Marriages: birth and death registration, and its register of
deaths, which answers a look-up by death registration number.

Its traits: camelCase JSON, given names as one space-separated string, sex as a one-letter
code, the birth parent called `mother`, the person who tells BDM of a death called the
`informant` (with BDM's relationship codes), and the usual residence as a street line ("1/21A
Smith Street", "Vero Centre, Level 2, 48 Shortland Street") plus suburb, "RD n" for rural
delivery, city and postcode. It answers with a registration number per year and register
("2026/000123") and reports errors as `{"errors": [{"field", "message"}]}`. A death
registration may be reviewed before BDM registers it (see mocks/agencies/bdm/reviews.py).
"""

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from mocks.agencies.bdm.reviews import (
    REVIEW_DEFERRAL,
    REVIEW_STATUS,
    death_registration_number,
    reviewed_registration,
)
from mocks.kit.agency import Coverage, MockAgency, MockLookup, MockService, Problem
from mocks.kit.formats import (
    CamelCaseJson,
    Name,
    PastDate,
    Postcode,
    RuralDelivery,
    StreetLine,
    matching,
    not_before,
    nz_today,
)
from mocks.kit.shapes import header_key, listed
from mocks.kit.store import NextNumber, Store

Place = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class BdmModel(CamelCaseJson):
    """BDM's JSON: camelCase, strict types, and no field it does not know."""


MAX_PLURALITY = 9  # BDM's plurality field is one digit


class Child(BdmModel):
    """The child being registered."""

    given_names: Name
    surname: Name
    preferred_name: Name | None = None
    date_of_birth: PastDate
    sex: Literal["F", "M", "X"]
    place_of_birth: Place
    plurality: Annotated[int, Field(ge=2, le=MAX_PLURALITY)] | None = None
    birth_order: Annotated[int, Field(ge=1, le=MAX_PLURALITY)] | None = None

    @model_validator(mode="after")
    def _plurality_with_birth_order(self) -> "Child":
        # A multiple birth's child is recorded with both, a single birth's with neither.
        if (self.plurality is None) != (self.birth_order is None):
            raise ValueError("plurality and birthOrder: give both (a multiple birth) or neither")
        if self.plurality and self.birth_order and self.birth_order > self.plurality:
            raise ValueError("birthOrder: must be at most plurality")
        return self


class Parent(BdmModel):
    """A parent as BDM records one."""

    given_names: Name
    surname: Name
    date_of_birth: PastDate


class UsualResidence(BdmModel):
    """Where the child will usually live."""

    line1: StreetLine
    suburb: Place | None = None
    rural_delivery: RuralDelivery | None = None
    city: Place
    postcode: Postcode


class BirthRegistration(BdmModel):
    """A request to register a birth."""

    child: Child
    mother: Parent
    other_parent: Parent | None = None
    usual_residence: UsualResidence


class Deceased(BdmModel):
    """The person whose death is registered."""

    given_names: Name
    surname: Name
    preferred_name: Name | None = None
    date_of_birth: PastDate
    date_of_death: PastDate
    sex: Literal["F", "M", "X"]
    place_of_death: Place

    _after_birth = not_before("date_of_death", "date_of_birth", "dateOfBirth")


class Informant(BdmModel):
    """Who tells BDM of the death, and how they were related to the deceased."""

    given_names: Name
    surname: Name
    relationship: Literal[
        "SPOUSE_PARTNER", "CHILD", "PARENT", "SIBLING", "GRANDCHILD", "OTHER_RELATIVE", "FRIEND"
    ]


class DeathRegistration(BdmModel):
    """A request to register a death."""

    deceased: Deceased
    usual_residence: UsualResidence
    informant: Informant


class DeathRegistrationQuery(BdmModel):
    """A look-up in the register of deaths: the registration number's year and sequence."""

    year: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]
    number: Annotated[str, AfterValidator(matching(r"[0-9]{6}", "six digits"))]


def register(registration: BirthRegistration, next_number: NextNumber) -> dict[str, Any]:
    """Register the birth: a registration number of this year and a yearly-looking sequence."""
    del registration  # the mock registers every valid request the same way
    return {
        "registrationNumber": f"{nz_today().year}/{next_number('bdm.registration'):06d}",
        "status": "registered",
    }


def register_death(registration: DeathRegistration, next_number: NextNumber) -> dict[str, Any]:
    """Register the death: a number of this year in the register of deaths' own sequence."""
    del registration  # the mock registers every valid request the same way
    number = death_registration_number(next_number)
    # Named apart from a birth's registrationNumber: the two registers count separately.
    return {"deathRegistrationNumber": number, "status": "registered"}


async def registered_death(query: DeathRegistrationQuery, store: Store) -> dict[str, Any] | None:
    """The death registered under the number, as BDM recorded the deceased (None if none)."""
    number = f"{query.year}/{query.number}"
    record = await store.record_answered(AGENCY.name, "deathRegistrationNumber", number)
    record = record or await reviewed_registration(store, AGENCY.name, number)
    if record is None:
        return None
    return {"registrationNumber": number, "deceased": record.received["deceased"]}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """BDM's error shape: a list of field and message pairs."""
    del status  # BDM's body does not repeat the status
    return {"errors": listed(problems, "field", "message")}


RECEIPT_COVERAGE = {
    "/v1/birth-registrations": Coverage(
        "birth-registration",
        {
            "child.givenNames": "child.name",
            "child.surname": "child.name",
            "child.preferredName": "child.name",
            "child.dateOfBirth": "child.date_of_birth",
            "child.sex": "child.sex",
            "child.placeOfBirth": "child.place_of_birth",
            "child.plurality": "multiple_birth.plurality",
            "child.birthOrder": "multiple_birth.birth_order",
            "mother.givenNames": "birth_parent.name",
            "mother.surname": "birth_parent.name",
            "mother.dateOfBirth": "birth_parent.date_of_birth",
            "otherParent.givenNames": "other_parent.name",
            "otherParent.surname": "other_parent.name",
            "otherParent.dateOfBirth": "other_parent.date_of_birth",
            "usualResidence": "address",
        },
    ),
    "/v1/death-registrations": Coverage(
        "death-registration",
        {
            "deceased.givenNames": "deceased.name",
            "deceased.surname": "deceased.name",
            "deceased.preferredName": "deceased.name",
            "deceased.dateOfBirth": "deceased.date_of_birth",
            "deceased.dateOfDeath": "deceased.date_of_death",
            "deceased.sex": "deceased.sex",
            "deceased.placeOfDeath": "deceased.place_of_death",
            "usualResidence": "deceased.last_address",
            "informant.givenNames": "notifier.name",
            "informant.surname": "notifier.name",
            "informant.relationship": "notifier.relationship",
        },
    ),
}


AGENCY = MockAgency(
    name="bdm",
    path="/v1/birth-registrations",
    summary="Register a birth",
    request_model=BirthRegistration,
    read_api_key=header_key("X-Api-Key"),
    issue=register,
    error_body=error_body,
    more_services=(
        MockService(
            path="/v1/death-registrations",
            summary="Register a death",
            request_model=DeathRegistration,
            issue=register_death,
        ),
    ),
    lookups=(
        MockLookup(
            path="/v1/death-registrations/{year}/{number}",
            summary="Look up a registered death by its registration number",
            query_model=DeathRegistrationQuery,
            answer=registered_death,
        ),
    ),
    deferrals={"/v1/death-registrations": REVIEW_DEFERRAL},
    routes=(REVIEW_STATUS,),
    receipt_coverage=RECEIPT_COVERAGE,
)
