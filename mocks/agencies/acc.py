"""Mock of ACC's client address update service.

Its traits: camelCase JSON, dates written dd-Mon-yyyy with English month abbreviations
("05-Nov-2026"), the client as `{firstName, lastName, preferredName}` where `firstName` holds
every given name, the address as `addressLine1` ("3/45 Cuba Street", "Level 3, 1 Willis
Street": a building, unit and level come first in it), `addressLine2` (the suburb),
`ruralDelivery`, `city` and `postCode`, and the phone as digits only (a leading + allowed). It
answers with a request id ("ACC-0000001") and reports errors RFC 7807-style as `{"status",
"title", "detail", "invalid_params": [{"name", "reason"}]}`.
"""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import (
    CamelCaseJson,
    Email,
    LongName,
    Postcode,
    RuralDelivery,
    StreetLine,
    Text,
    matching,
    not_after_today,
)
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""ACC's month abbreviations, in English whatever the server's locale."""
_ACC_DATE = re.compile(rf"([0-9]{{2}})-({'|'.join(MONTHS)})-([0-9]{{4}})")


def acc_date_value(value: object) -> object:
    """ACC's dates are dd-Mon-yyyy; anything else (ISO included) is refused, not guessed."""
    if not isinstance(value, str):
        return value
    parsed = _ACC_DATE.fullmatch(value)
    try:
        if parsed is None:
            raise ValueError
        day, month, year = parsed.groups()
        return date(int(year), MONTHS.index(month) + 1, int(day))
    except ValueError:
        raise ValueError("must be a date written dd-Mon-yyyy, as in 05-Nov-2026") from None


Name = LongName


class AccModel(CamelCaseJson):
    """ACC's JSON: camelCase, strict types, and no field it does not know."""


class Client(AccModel):
    """The client's name: every given name in `firstName`, and the name they go by."""

    first_name: Name
    last_name: Name
    preferred_name: Name | None = None


class ClientAddress(AccModel):
    """An address in ACC's lines: the street line, then the suburb, then RD, city, postcode."""

    address_line1: StreetLine
    address_line2: Text | None = None
    rural_delivery: RuralDelivery | None = None
    city: Text
    post_code: Postcode


class AddressUpdate(AccModel):
    """A client's new address and contact details."""

    client: Client
    date_of_birth: Annotated[date, BeforeValidator(acc_date_value), AfterValidator(not_after_today)]
    address: ClientAddress
    email: Email | None = None
    phone: (
        Annotated[
            str,
            AfterValidator(matching(r"\+?[0-9]{6,15}", "6 to 15 digits, optionally after +")),
        ]
        | None
    ) = None


def update_address(update: AddressUpdate, next_number: NextNumber) -> dict[str, Any]:
    """Record the client's new address."""
    del update  # the mock records every valid update the same way
    return {"requestId": f"ACC-{next_number('acc.request'):07d}", "status": "Completed"}


_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 409: "Conflict",
    422: "Your request parameters didn't validate.", 503: "Service Unavailable",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """ACC's error shape: an RFC 7807 problem with the invalid parameters listed."""
    return {
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "detail": "; ".join(p.message for p in problems if p.field is None) or None,
        "invalid_params": [{"name": p.field, "reason": p.message} for p in problems if p.field],
    }


RECEIPT_COVERAGE = {
    "/api/v2/clients/address-updates": Coverage(
        "client-address-update",
        {
            "client": "mover.name",
            "dateOfBirth": "mover.date_of_birth",
            "address": "new_address",
            "email": "mover.email",
            "phone": "mover.phone",
        },
    ),
}


AGENCY = MockAgency(
    name="acc",
    path="/api/v2/clients/address-updates",
    summary="Update a client's address and contact details",
    request_model=AddressUpdate,
    # ACC's gateway takes its key in a lower-case header.
    read_api_key=header_key("x-acc-apikey"),
    issue=update_address,
    error_body=error_body,
    receipt_coverage=RECEIPT_COVERAGE,
)
