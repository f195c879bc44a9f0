"""Mock of Births, Deaths and Marriages' birth registration service.

Its traits: camelCase JSON, given names as one space-separated string, sex as a one-letter
code, the birth parent called `mother`, and the usual residence as a street line
("1/21A Smith Street") plus suburb, city and postcode. It answers with a registration number
per year ("2026/000123") and reports errors as `{"errors": [{"field", "message"}]}`.
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from mocks.agency import (
    NAME_PATTERN,
    NAME_RULE,
    MockAgency,
    Problem,
    matching,
    not_after_today,
    nz_today,
)
from mocks.store import NextNumber

Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
Place = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PastDate = Annotated[date, AfterValidator(not_after_today)]


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
        AfterValidator(
            matching(
                r"(?:[^/\s]+/)?[0-9]+[A-Za-z]? \S.*",
                "a street line: optional unit and '/', the street number, then the street",
            )
        ),
    ]
    suburb: Place | None = None
    city: Place
    postcode: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]


class BirthRegistration(BdmModel):
    """A request to register a birth."""

    child: Child
    mother: Parent
    other_parent: Parent | None = None
    usual_residence: UsualResidence


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
)
