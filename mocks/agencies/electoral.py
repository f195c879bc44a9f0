"""Mock of the Electoral Commission's enrolment services: updating an elector's enrolment when
they move, and removing an elector who has died from the roll.

Its traits: snake_case JSON, ISO dates, the elector as `{surname, given_names}` with every
given name in one string, and addresses as they are written on an envelope: up to four free
`address_lines`, the last one the town and postcode, with the postcode repeated in its own
`postcode` field (which must agree). It answers with an elector reference ("EL00000001") and
reports errors as `{"error": {"message", "details": [{"field", "issue"}]}}`.
"""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, ValidationInfo, field_validator

from mocks.kit.agency import Coverage, MockAgency, MockService, Problem
from mocks.kit.amendments import MockAmendment, amendment_routes
from mocks.kit.formats import (
    Email,
    IsoPastDate,
    LongName,
    Postcode,
    RegistrationNumber,
    SnakeCaseJson,
    matching,
    not_before,
)
from mocks.kit.shapes import authorization_key
from mocks.kit.store import NextNumber

# The last line of an address: the town, a space, then the 4-digit postcode.
_TOWN_LINE = re.compile(r"\S.* ([0-9]{4})")
# Where letters go is not where anyone is enrolled: the roll takes residential addresses only.
_POST_BOX = re.compile(r"\s*(p\.?\s*o\.?\s*box|private\s+bag|counter\s+delivery)\b", re.I)

Name = LongName
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(matching(r"[^\x00-\x1f\x7f]+", "one line of printable text")),
]


PastDate = IsoPastDate


class ElectoralModel(SnakeCaseJson):
    """The Commission's JSON: snake_case, strict types, and no field it does not know."""


class Elector(ElectoralModel):
    """An elector's name as the roll prints it."""

    surname: Name
    given_names: Name


class ResidentialAddress(ElectoralModel):
    """A residential address as envelope lines, with its postcode again on its own."""

    address_lines: list[Line] = Field(min_length=2, max_length=4)
    postcode: Postcode

    @field_validator("address_lines")
    @classmethod
    def _residential_lines(cls, lines: list[str]) -> list[str]:
        if any(_POST_BOX.match(line) for line in lines):
            raise ValueError("must be a residential address, not a PO Box or Private Bag")
        if not _TOWN_LINE.fullmatch(lines[-1]):
            raise ValueError("must end with a line of the town and its 4-digit postcode")
        return lines

    @field_validator("postcode")
    @classmethod
    def _same_as_last_line(cls, postcode: str, info: ValidationInfo) -> str:
        lines = info.data.get("address_lines")
        last = _TOWN_LINE.fullmatch(lines[-1]) if lines else None
        if last is not None and last.group(1) != postcode:
            raise ValueError("must match the postcode on the last address line")
        return postcode


class EnrolmentUpdate(ElectoralModel):
    """An elector's change of residential address."""

    elector: Elector
    date_of_birth: PastDate
    previous_address: ResidentialAddress
    residential_address: ResidentialAddress
    email: Email | None = None


class DeceasedRemoval(ElectoralModel):
    """A request to remove an elector who has died from the roll."""

    elector: Elector
    date_of_birth: PastDate
    residential_address: ResidentialAddress
    date_of_death: PastDate
    death_registration_number: RegistrationNumber

    _after_birth = not_before("date_of_death", "date_of_birth", "date_of_birth")


def _reference(status: str, next_number: NextNumber) -> dict[str, Any]:
    # One sequence for every change to the roll, as the Commission's transaction log keeps.
    return {"reference": f"EL{next_number('electoral.reference'):08d}", "status": status}


def update_enrolment(update: EnrolmentUpdate, next_number: NextNumber) -> dict[str, Any]:
    """Move the elector's enrolment to the new address."""
    del update  # the mock updates every valid request the same way
    return _reference("enrolment_updated", next_number)


def remove_deceased(removal: DeceasedRemoval, next_number: NextNumber) -> dict[str, Any]:
    """Remove the elector who has died from the roll."""
    del removal  # the mock removes every valid request the same way
    return _reference("removed_from_roll", next_number)


def correct_enrolment(reference: str, next_number: NextNumber) -> dict[str, Any]:
    """Correct the enrolment update: a change of its own in the roll's transaction log."""
    return _reference("enrolment_corrected", next_number) | {"corrects": reference}


# The summary when every problem belongs to a field (the details then say which).
_SUMMARIES = {
    400: "a required header is missing or invalid",
    409: "the request conflicts with an earlier one",
    422: "the request has invalid fields",
}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """The Commission's error shape: a summary message, and an issue per field."""
    return {
        "error": {
            "message": "; ".join(p.message for p in problems if p.field is None)
            or _SUMMARIES.get(status, "the request was refused"),
            "details": [{"field": p.field, "issue": p.message} for p in problems if p.field],
        }
    }


RECEIPT_COVERAGE = {
    "/api/enrolments/address-updates": Coverage(
        "enrolment-update",
        {
            "elector": "mover.name",
            "date_of_birth": "mover.date_of_birth",
            "previous_address": "previous_address",
            "residential_address": "new_address",
            "email": "mover.email",
        },
    ),
    "/api/enrolments/deceased-removals": Coverage(
        "deceased-removal",
        {
            "elector": "deceased.name",
            "date_of_birth": "deceased.date_of_birth",
            "residential_address": "deceased.last_address",
            "date_of_death": "deceased.date_of_death",
            "death_registration_number": "deceased.death_registration_number",
        },
    ),
}


AGENCY = MockAgency(
    name="electoral",
    path="/api/enrolments/address-updates",
    summary="Update an elector's residential address",
    request_model=EnrolmentUpdate,
    read_api_key=authorization_key("ApiKey"),
    issue=update_enrolment,
    error_body=error_body,
    more_services=(
        MockService(
            path="/api/enrolments/deceased-removals",
            summary="Remove an elector who has died from the roll",
            request_model=DeceasedRemoval,
            issue=remove_deceased,
        ),
    ),
    routes=(
        amendment_routes(
            MockAmendment(
                method="PUT",
                path="/api/enrolments/address-updates/{reference}",
                summary="Correct an elector's address update",
                service_path="/api/enrolments/address-updates",
                request_model=EnrolmentUpdate,
                reference_field="reference",
                reference_pattern=r"EL[0-9]{8}",
                issue=correct_enrolment,
            ),
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
