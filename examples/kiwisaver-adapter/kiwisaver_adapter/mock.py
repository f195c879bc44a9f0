"""A mock of the KiwiSaver provider's member death notification service, for development and
tests (entry point `onceonly.mocks`): served by onceonly's mock agencies' process behind the
same gates as its own mocks (faults, API key, idempotency, schema, consent receipt).

Its format: camelCase JSON, strict types, no unknown fields; the member's IRD number as nine
digits; ISO dates; relationship and capacity in capitals; the postal address as two to five
lines. The key comes as `Authorization: Bearer <key>`. Errors are
`{"errors": [{"field": "<path>", "rule": "<rule>"}]}`.
"""

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
)
from pydantic.alias_generators import to_camel

from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import NAME_PATTERN, NAME_RULE, IsoPastDate, matching
from mocks.kit.plugins import PluginMock
from mocks.kit.store import NextNumber

Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
Line = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class ProviderModel(BaseModel):
    """The provider's JSON: camelCase, strict, nothing it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )


class Member(ProviderModel):
    """The member who died, as the scheme knows them."""

    ird_number: Annotated[str, AfterValidator(matching(r"[0-9]{9}", "nine digits"))]
    surname: Name
    first_names: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    date_of_birth: IsoPastDate


class Death(ProviderModel):
    """When the member died, and the death's registration."""

    date: IsoPastDate
    registration_number: Annotated[
        str, AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn"))
    ]


class Contact(ProviderModel):
    """Who the scheme writes to about the member's savings."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    relationship: Literal[
        "SPOUSE_OR_PARTNER", "CHILD", "PARENT", "SIBLING", "GRANDCHILD", "OTHER_RELATIVE", "FRIEND"
    ]
    capacity: Literal["NEXT_OF_KIN", "EXECUTOR", "ADMINISTRATOR"]
    postal_address: list[Line] = Field(min_length=2, max_length=5)


class DeathNotification(ProviderModel):
    """A member death notification."""

    member: Member
    death: Death
    contact: Contact

    @field_validator("death")
    @classmethod
    def _after_birth(cls, death: Death, info: ValidationInfo) -> Death:
        member = info.data.get("member")
        if member is not None and death.date < member.date_of_birth:
            raise ValueError("must not be before member.dateOfBirth")
        return death


def read_api_key(request: Request) -> str | None:
    """The provider takes its key as a bearer token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme == "Bearer" and token else None


def open_case(notification: DeathNotification, next_number: NextNumber) -> dict[str, Any]:
    """Open a case for the estate's savings."""
    del notification  # every valid notification opens a case the same way
    return {"caseNumber": f"KS-{next_number('kiwisaver.case'):06d}", "status": "RECEIVED"}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """The provider's error shape: each problem's field (if any) and rule."""
    del status  # the provider says it all in the problems
    return {"errors": [{"field": p.field, "rule": p.message} for p in problems]}


AGENCY = MockAgency(
    name="kiwisaver",
    path="/v1/member-death-notifications",
    summary="Notify the scheme that a member has died",
    request_model=DeathNotification,
    read_api_key=read_api_key,
    issue=open_case,
    error_body=error_body,
)

MOCK = PluginMock(
    agency=AGENCY,
    receipt_coverage={
        "/v1/member-death-notifications": Coverage(
            "member-death-notification",
            {
                "member.irdNumber": "deceased.ird_number",
                "member.surname": "deceased.name",
                "member.firstNames": "deceased.name",
                "member.dateOfBirth": "deceased.date_of_birth",
                "death.date": "deceased.date_of_death",
                "death.registrationNumber": "deceased.death_registration_number",
                "contact.name": "notifier.name",
                "contact.relationship": "notifier.relationship",
                "contact.capacity": "notifier.authority",
                "contact.postalAddress": "notifier.postal_address",
            },
        )
    },
)
"""The entry point `kiwisaver` in `onceonly.mocks` loads this."""
