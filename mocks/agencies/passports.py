"""Mock of New Zealand Passports' (DIA) cancellation service for holders who have died.

Its traits: camelCase JSON, ISO dates, the holder as `{familyName, givenNames}` with the given
names as a list, the passport number as one or two letters and six digits, and the death by
its registration number and date. It answers with a cancellation reference ("PC-000001") and
reports errors as `{"code", "message", "fieldErrors": {"<field>": "<rule>"}}`.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import (
    CamelCaseJson,
    IsoPastDate,
    Name,
    RegistrationNumber,
    matching,
    not_before,
)
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber

PastDate = IsoPastDate


class PassportsModel(CamelCaseJson):
    """DIA's passport JSON: camelCase, strict types, and no field it does not know."""


class Holder(PassportsModel):
    """The passport holder's name as the passport prints it."""

    family_name: Name
    given_names: list[Name] = Field(min_length=1, max_length=10)


class DeceasedCancellation(PassportsModel):
    """A request to cancel the passport of a holder who has died."""

    passport_number: Annotated[
        str,
        AfterValidator(
            matching(r"[A-Z]{1,2}[0-9]{6}", "one or two capital letters and six digits")
        ),
    ]
    holder: Holder
    date_of_birth: PastDate
    date_of_death: PastDate
    death_registration_number: RegistrationNumber

    _after_birth = not_before("date_of_death", "date_of_birth", "dateOfBirth")


def cancel(cancellation: DeceasedCancellation, next_number: NextNumber) -> dict[str, Any]:
    """Cancel the passport."""
    del cancellation  # the mock cancels every valid request the same way
    return {
        "cancellationReference": f"PC-{next_number('passports.cancellation'):06d}",
        "passportStatus": "CANCELLED",
    }


_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 409: "IDEMPOTENCY_KEY_REUSED",
    422: "VALIDATION_FAILED", 503: "UNAVAILABLE",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """DIA's error shape: a code, a message, and each field's broken rule by field name."""
    field_errors: dict[str, str] = {}
    for p in problems:
        if p.field:
            # A field breaking two rules keeps both.
            field_errors[p.field] = "; ".join(filter(None, (field_errors.get(p.field), p.message)))
    return {
        "code": _CODES.get(status, "ERROR"),
        "message": "; ".join(p.message for p in problems if p.field is None) or "see fieldErrors",
        "fieldErrors": field_errors,
    }


RECEIPT_COVERAGE = {
    "/v1/passports/deceased-cancellations": Coverage(
        "passport-cancellation",
        {
            "passportNumber": "deceased.passport_number",
            "holder": "deceased.name",
            "dateOfBirth": "deceased.date_of_birth",
            "dateOfDeath": "deceased.date_of_death",
            "deathRegistrationNumber": "deceased.death_registration_number",
        },
    ),
}


AGENCY = MockAgency(
    name="passports",
    path="/v1/passports/deceased-cancellations",
    summary="Cancel the passport of a holder who has died",
    request_model=DeceasedCancellation,
    read_api_key=header_key("X-DIA-Api-Key"),
    issue=cancel,
    error_body=error_body,
    receipt_coverage=RECEIPT_COVERAGE,
)
