"""Mock of Births, Deaths and Marriages: birth and death registration, and its register of
deaths, which answers a look-up by death registration number.

Its traits: camelCase JSON, given names as one space-separated string, sex as a one-letter
code, the birth parent called `mother`, the person who tells BDM of a death called the
`informant` (with BDM's relationship codes), and the usual residence as a street line ("1/21A
Smith Street", "Vero Centre, Level 2, 48 Shortland Street") plus suburb, "RD n" for rural
delivery, city and postcode. It answers with a registration number per year and register
("2026/000123") and reports errors as `{"errors": [{"field", "message"}]}`. A death
registration may be reviewed before BDM registers it (see mocks/bdm_reviews.py).
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from mocks.agency import MockAgency, MockLookup, MockService, Problem
from mocks.bdm_reviews import (
    REVIEW_DEFERRAL,
    add_review_routes,
    death_registration_number,
    reviewed_registration,
)
from mocks.formats import (
    NAME_PATTERN,
    NAME_RULE,
    STREET_LINE_PATTERN,
    STREET_LINE_RULE,
    matching,
    not_after_today,
    nz_today,
)
from mocks.receipts import Coverage
from mocks.store import NextNumber, Store

Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
Place = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PastDate = Annotated[date, AfterValidator(not_after_today)]
MAX_PLURALITY = 9  # BDM's plurality field is one digit


class BdmModel(BaseModel):
    """BDM's JSON: camelCase, strict types, and no field it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )


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

    line1: Annotated[
        str,
        StringConstraints(max_length=100),
        AfterValidator(matching(STREET_LINE_PATTERN, STREET_LINE_RULE)),
    ]
    suburb: Place | None = None
    rural_delivery: (
        Annotated[str, AfterValidator(matching(r"RD [1-9][0-9]?", "'RD' and a number"))] | None
    ) = None
    city: Place
    postcode: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]


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

    @field_validator("date_of_death")
    @classmethod
    def _after_birth(cls, date_of_death: date, info: ValidationInfo) -> date:
        born = info.data.get("date_of_birth")
        if born is not None and date_of_death < born:
            raise ValueError("must not be before dateOfBirth")
        return date_of_death


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


def read_api_key(request: Request) -> str | None:
    """BDM takes its key in `X-Api-Key`."""
    return request.headers.get("X-Api-Key")


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
    return {"errors": [{"field": p.field, "message": p.message} for p in problems]}


AGENCY = MockAgency(
    name="bdm",
    path="/v1/birth-registrations",
    summary="Register a birth",
    request_model=BirthRegistration,
    read_api_key=read_api_key,
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
    routes=(add_review_routes,),
)

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
"""What each service's request is made from, by service path, for the consent receipt gate."""
