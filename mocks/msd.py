"""Mock of the Ministry of Social Development's Best Start application service.

Its traits: snake_case JSON, names split into first, middle and last, IRD numbers required
for both the applicant and the child, a digits-only phone, and the address in parts with the
unit separate from the street number. It answers with an application id ("BS-000001") and
reports errors as `{"error": {"code", "message", "details": [{"path", "issue"}]}}`.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from mocks.agency import (
    NAME_PATTERN,
    NAME_RULE,
    MockAgency,
    Problem,
    matching,
    not_after_today,
)
from mocks.ird import is_valid_ird_number
from mocks.store import NextNumber


def _ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be 9 digits with a valid IRD check digit")
    return value


Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
# Middle names may be empty: many people have none.
MiddleNames = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(matching(rf"(?:{NAME_PATTERN})?", f"empty, or {NAME_RULE}")),
]
IrdNumber = Annotated[str, AfterValidator(_ird_number)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class MsdModel(BaseModel):
    """MSD's JSON: snake_case, strict types, and no field it does not know."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Applicant(MsdModel):
    """The parent applying for Best Start."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    ird_number: IrdNumber
    phone: (
        Annotated[
            str, AfterValidator(matching(r"\+?[0-9]{7,15}", "7 to 15 digits, optionally after +"))
        ]
        | None
    ) = None


class Child(MsdModel):
    """The child Best Start is for."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    date_of_birth: Annotated[date, AfterValidator(not_after_today)]
    ird_number: IrdNumber


class Address(MsdModel):
    """Where the family lives, in MSD's address parts."""

    unit: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None
    street_number: Annotated[
        str, AfterValidator(matching(r"[0-9]+[A-Za-z]?", "digits with an optional letter"))
    ]
    street_name: Text
    suburb: Text | None = None
    town: Text
    post_code: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]


class BestStartApplication(MsdModel):
    """An application for the Best Start payment."""

    applicant: Applicant
    child: Child
    address: Address


def read_api_key(request: Request) -> str | None:
    """MSD takes its key in its own `X-MSD-Client-Key` header."""
    return request.headers.get("X-MSD-Client-Key")


def receive(application: BestStartApplication, next_number: NextNumber) -> dict[str, Any]:
    """Receive the application for assessment."""
    del application  # the mock receives every valid application the same way
    return {"application_id": f"BS-{next_number('msd.application'):06d}", "status": "received"}


_CODES = {
    400: "bad_request",
    401: "unauthorised",
    409: "conflict",
    422: "invalid_application",
    503: "unavailable",
}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """MSD's error shape: a code, a summary message, and a detail per problem."""
    return {
        "error": {
            "code": _CODES.get(status, "error"),
            "message": "; ".join(
                f"{p.field}: {p.message}" if p.field else p.message for p in problems
            ),
            "details": [{"path": p.field, "issue": p.message} for p in problems],
        }
    }


AGENCY = MockAgency(
    name="msd",
    path="/api/best-start/applications",
    summary="Apply for Best Start",
    request_model=BestStartApplication,
    read_api_key=read_api_key,
    issue=receive,
    error_body=error_body,
)
