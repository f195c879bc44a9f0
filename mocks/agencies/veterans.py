"""Mock of Veterans' Affairs' notification that a veteran has died.

Its traits: snake_case JSON, dates written dd.mm.yyyy, HTTP Basic authentication (user
`onceonly`, the key as password), the veteran by NZ Defence Force service number with one
`full_name` and a preferred name (null when none), the death's date and BDM registration
number, and the next of kin with Veterans' Affairs' relationship codes, a phone of digits
(optionally after +) and a postal address as lines (a street address or a PO Box). It answers
with a case number and reports errors as
`{"error_code", "error_description", "invalid_fields": [...]}`.
"""

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import (
    AfterValidator,
    BeforeValidator,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import (
    LongName,
    PostalLines,
    RegistrationNumber,
    SnakeCaseJson,
    date_written,
    matching,
    not_after_today,
    nz_today,
)
from mocks.kit.shapes import joined
from mocks.kit.store import NextNumber

USER = "onceonly"
"""The user name Veterans' Affairs issued onceonly; the API key is its password."""


VaDate = Annotated[
    date,
    BeforeValidator(date_written("%d.%m.%Y", "dd.mm.yyyy")),
    AfterValidator(not_after_today),
]
FullName = LongName
Line = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class VaModel(SnakeCaseJson):
    """Veterans' Affairs' JSON: snake_case, strict types, and no field it does not know."""


class Veteran(VaModel):
    """The veteran who died, as the service record knows them."""

    service_number: Annotated[
        str,
        AfterValidator(
            matching(r"[A-Z]?[0-9]{4,8}", "a service number: an optional letter, 4 to 8 digits")
        ),
    ]
    full_name: FullName
    preferred_name: FullName | None
    date_of_birth: VaDate


class Death(VaModel):
    """When the veteran died, and BDM's registration of the death."""

    date_of_death: VaDate
    registration_number: RegistrationNumber


class NextOfKin(VaModel):
    """Who Veterans' Affairs contacts about the estate and support for the family."""

    full_name: FullName
    relationship: Literal["SPOUSE", "CHILD", "PARENT", "SIBLING", "OTHER"]
    phone: Annotated[
        str, AfterValidator(matching(r"\+?[0-9]{7,15}", "7 to 15 digits, optionally after +"))
    ]
    postal_address_lines: PostalLines


class DeceasedVeteranNotification(VaModel):
    """Notice that a veteran has died."""

    veteran: Veteran
    death: Death
    next_of_kin: NextOfKin

    @field_validator("death")
    @classmethod
    def _after_birth(cls, death: Death, info: ValidationInfo) -> Death:
        veteran = info.data.get("veteran")
        if veteran is not None and death.date_of_death < veteran.date_of_birth:
            raise ValueError("date_of_death must not be before the veteran's date_of_birth")
        return death


def read_api_key(request: Request) -> str | None:
    """Veterans' Affairs takes HTTP Basic credentials: user `onceonly`, the key as password."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, colon, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if colon and user == USER else None


def open_case(notification: DeceasedVeteranNotification, next_number: NextNumber) -> dict[str, Any]:
    """Open a case for the family: the pension stops and a case officer gets in touch."""
    del notification  # every valid notification opens a case the same way
    number = next_number("veterans.case")
    return {"case_number": f"VA-{nz_today().year}-{number:06d}", "status": "RECEIVED"}


_CODES = {
    400: "MISSING_HEADER", 401: "NOT_AUTHENTICATED", 403: "FORBIDDEN", 409: "DUPLICATE_REQUEST",
    422: "INVALID_FIELDS", 503: "SERVICE_UNAVAILABLE",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """Veterans' Affairs' error shape: a code, a description, and the fields in error."""
    return {
        "error_code": _CODES.get(status, "ERROR"),
        "error_description": joined(problems),
        "invalid_fields": [p.field for p in problems if p.field],
    }


RECEIPT_COVERAGE = {
    "/api/v1/deceased-veterans": Coverage(
        "deceased-veteran",
        {
            "veteran.service_number": "deceased.veteran_service_number",
            "veteran.full_name": "deceased.name",
            "veteran.preferred_name": "deceased.name",
            "veteran.date_of_birth": "deceased.date_of_birth",
            "death.date_of_death": "deceased.date_of_death",
            "death.registration_number": "deceased.death_registration_number",
            "next_of_kin.full_name": "notifier.name",
            "next_of_kin.relationship": "notifier.relationship",
            "next_of_kin.phone": "notifier.phone",
            "next_of_kin.postal_address_lines": "notifier.postal_address",
        },
    ),
}


AGENCY = MockAgency(
    name="veterans",
    path="/api/v1/deceased-veterans",
    summary="Tell Veterans' Affairs that a veteran has died",
    request_model=DeceasedVeteranNotification,
    read_api_key=read_api_key,
    issue=open_case,
    error_body=error_body,
    receipt_coverage=RECEIPT_COVERAGE,
)
