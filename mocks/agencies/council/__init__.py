"""Mock of a local council's online services: the rates notice address, moving a dog's
registration, and notice that a ratepayer has died.

Its traits: camelCase JSON, ISO dates, each person's name as one `fullName` ("Given Names
Family"), phones in international form (+6421...), and a property identified twice: by the
council's own property id and by its address. The id comes from the council's property
look-up (`GET /council/v1/properties?street=3/45 Cuba Street&suburb=Te Aro&town=Wellington
&postcode=6011`, with `ruralDelivery=RD 2` for rural addresses), which any NZ street address
has; PO Boxes and other shapes have none (404). A submission whose id is not its address's
is refused on `propertyId`, so a wrong look-up fails loudly. It answers with a request number
and reports errors as `{"message", "errors": {"<field>": ["<rule>"]}}`. A dog registration
transfer can be cancelled (`POST .../address-changes/{requestNumber}/cancellation` with a
`reasonCode`, answered with a cancellation number "CAN-000001").
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
)

from mocks.agencies.council.properties import (
    CouncilModel,
    PropertyQuery,
    PropertySubmission,
    find_property,
)
from mocks.kit.agency import Coverage, MockAgency, MockLookup, MockService, Problem
from mocks.kit.compensations import MockCompensation
from mocks.kit.formats import (
    LongName,
    PostalLines,
    matching,
    not_after_today,
    nz_today,
)
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber

# An occupier may tell the council of a move up to a year either side of it.
_MOVE_WINDOW = timedelta(days=366)

FullName = LongName


def _near_today(value: date) -> date:
    if abs(value - nz_today()) > _MOVE_WINDOW:
        raise ValueError("must be within a year of today")
    return value


class Occupier(CouncilModel):
    """Who now lives at the property, for the rates notice."""

    full_name: FullName
    email: (
        Annotated[
            str,
            StringConstraints(max_length=254),
            AfterValidator(matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")),
        ]
        | None
    ) = None


class RatesNotice(PropertySubmission):
    """A change of occupier for the property's rates notice."""

    occupier: Occupier
    occupation_date: Annotated[date, AfterValidator(_near_today)]


class DogOwner(CouncilModel):
    """The owner of the dogs whose registration moves."""

    full_name: FullName
    phone: (
        Annotated[
            str, AfterValidator(matching(r"\+[1-9][0-9]{6,14}", "international form, as +6421..."))
        ]
        | None
    ) = None


class Dog(CouncilModel):
    """A registered dog."""

    dog_name: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    breed: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    microchip_number: Annotated[str, AfterValidator(matching(r"[0-9]{15}", "15 digits"))]


class DogRegistrationTransfer(PropertySubmission):
    """Moving dogs' registration to the property."""

    owner: DogOwner
    occupation_date: Annotated[date, AfterValidator(_near_today)]
    dogs: list[Dog] = Field(min_length=1, max_length=10)


class Deceased(CouncilModel):
    """The ratepayer who died."""

    full_name: FullName
    date_of_death: Annotated[date, AfterValidator(not_after_today)]


class Notifier(CouncilModel):
    """Who told the council, and where it writes to them now (a PO Box will do)."""

    full_name: FullName
    correspondence_address: PostalLines


class Cancellation(CouncilModel):
    """A request to cancel a lodged request, with the council's code for why."""

    reason_code: Literal["CONSENT_WITHDRAWN", "LODGED_IN_ERROR", "OWNER_REQUEST"]


class DeceasedRatepayer(PropertySubmission):
    """Notice that a ratepayer of the property has died."""

    deceased: Deceased
    notifier: Notifier


def _lodge(prefix: str) -> Callable[[PropertySubmission, NextNumber], dict[str, Any]]:
    """Lodging a request: a request number in the service's own sequence ("DOG-000001")."""

    def lodge(submission: PropertySubmission, next_number: NextNumber) -> dict[str, Any]:
        del submission  # the mock lodges every valid request the same way
        number = next_number(f"council.{prefix.lower()}")
        return {"requestNumber": f"{prefix}-{number:06d}", "status": "lodged"}

    return lodge


def cancel(request_number: str, next_number: NextNumber) -> dict[str, Any]:
    """Cancel the lodged request: a cancellation number in its own sequence."""
    number = f"CAN-{next_number('council.cancellation'):06d}"
    return {"cancellationNumber": number, "requestNumber": request_number, "status": "cancelled"}


# For refusals whose every problem names a field (those without one give the message).
_MESSAGES = {
    400: "The request is incomplete.",
    409: "The request conflicts with an earlier one.",
    422: "The given data was invalid.",
}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """The council's error shape: a message, and each field's broken rules."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(problem.message)
    general = "; ".join(p.message for p in problems if not p.field)
    return {"message": general or _MESSAGES.get(status, "The request failed."), "errors": errors}


RECEIPT_COVERAGE = {
    "/v1/rates-notices": Coverage(
        "rates-notice-address",
        {
            # The property id is the council's for the address: it is made from the address.
            "property": "new_address",
            "propertyId": "new_address",
            "occupier.fullName": "mover.name",
            "occupier.email": "mover.email",
            "occupationDate": "move_date",
        },
    ),
    "/v1/dog-registrations/address-changes": Coverage(
        "dog-registration-transfer",
        {
            "property": "new_address",
            "propertyId": "new_address",
            "owner.fullName": "mover.name",
            "owner.phone": "mover.phone",
            "occupationDate": "move_date",
            "dogs": "dogs",
        },
    ),
    "/v1/deceased-ratepayers": Coverage(
        "deceased-ratepayer",
        {
            "property": "deceased.last_address",
            "propertyId": "deceased.last_address",
            "deceased.fullName": "deceased.name",
            "deceased.dateOfDeath": "deceased.date_of_death",
            "notifier.fullName": "notifier.name",
            "notifier.correspondenceAddress": "notifier.postal_address",
        },
    ),
}


AGENCY = MockAgency(
    name="council",
    path="/v1/rates-notices",
    summary="Change the occupier on a property's rates notice",
    request_model=RatesNotice,
    read_api_key=header_key("X-Council-Key"),
    issue=_lodge("RATES"),
    error_body=error_body,
    more_services=(
        MockService(
            path="/v1/dog-registrations/address-changes",
            summary="Move dogs' registration to a property",
            request_model=DogRegistrationTransfer,
            issue=_lodge("DOG"),
        ),
        MockService(
            path="/v1/deceased-ratepayers",
            summary="Tell the council that a ratepayer has died",
            request_model=DeceasedRatepayer,
            issue=_lodge("DCD"),
        ),
    ),
    lookups=(
        MockLookup(
            path="/v1/properties",
            summary="Find the property at an address",
            query_model=PropertyQuery,
            answer=find_property,
        ),
    ),
    compensations=(
        MockCompensation(
            method="POST",
            path="/v1/dog-registrations/address-changes/{requestNumber}/cancellation",
            summary="Cancel moving dogs' registration",
            reference_field="requestNumber",
            reference_pattern=r"DOG-[0-9]{6}",
            issue=cancel,
            request_model=Cancellation,
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
