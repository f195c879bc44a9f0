"""Mock of NZ Transport Agency (Waka Kotahi)'s driver licence register: address changes, and
cancelling the licence of a holder who has died.

Its traits: camelCase JSON, dates written compactly as YYYYMMDD, the holder's name split into
`firstName`, `middleNames` and `surname`, the licence as `licenceNumber` and
`licenceVersion`, and the address in the register's own parts: the unit apart from the street
number, and the street number's letter apart from its digits (`streetAlpha`), with the unit's
type, the level, the building and a range's last number in fields of their own. It answers with
a transaction id ("DL-000001") and reports errors as `{"errors": [{"code", "field",
"message"}]}`.
"""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator

from mocks.agencies.nzta.transactions import (
    TRANSACTION_STATUS,
    correct_address,
    new_transaction_id,
)
from mocks.kit.agency import Coverage, MockAgency, MockService, Problem
from mocks.kit.amendments import MockAmendment, amendment_routes
from mocks.kit.formats import (
    CamelCaseJson,
    LevelNumber,
    LevelType,
    LongName,
    Name,
    Postcode,
    RegistrationNumber,
    RuralDelivery,
    Text,
    UnitType,
    date_written,
    matching,
    not_after_today,
    not_before,
)
from mocks.kit.shapes import header_key
from mocks.kit.store import NextNumber

# NZTA's dates are YYYYMMDD, of ASCII digits only (strptime would take other scripts' digits).
nzta_date_value = date_written("%Y%m%d", "YYYYMMDD", r"[0-9]{8}")


NztaDate = Annotated[date, BeforeValidator(nzta_date_value), AfterValidator(not_after_today)]


class NztaModel(CamelCaseJson):
    """NZTA's JSON: camelCase, strict types, and no field it does not know."""


class LicenceHolder(NztaModel):
    """Who the licence belongs to, as the register identifies them."""

    licence_number: Annotated[
        str, AfterValidator(matching(r"[A-Z]{2}[0-9]{6}", "two capital letters and six digits"))
    ]
    licence_version: Annotated[str, AfterValidator(matching(r"[0-9]{3}", "three digits"))]
    first_name: Name
    # Middle names are several names joined by spaces, which the name rule already allows.
    middle_names: LongName | None = None
    surname: Name
    date_of_birth: NztaDate


StreetNumber = Annotated[
    str, AfterValidator(matching(r"[0-9]{1,6}", "1 to 6 digits, without unit or letter"))
]
StreetAlpha = Annotated[str, AfterValidator(matching(r"[A-Za-z]", "one letter"))]


class ResidentialAddress(NztaModel):
    """An address in the register's parts: "3/45B Cuba Street" is unit 3, number 45, alpha B."""

    unit_type: UnitType | None = None
    unit_number: (
        Annotated[str, AfterValidator(matching(r"[A-Za-z0-9]{1,10}", "1 to 10 letters or digits"))]
        | None
    ) = None
    level_type: LevelType | None = None
    level_number: LevelNumber | None = None
    building_name: Text | None = None
    street_number: StreetNumber
    street_alpha: StreetAlpha | None = None
    # The last number of a range ("14" of "12-14 Victoria Street"), split alike.
    street_number_last: StreetNumber | None = None
    street_alpha_last: StreetAlpha | None = None
    street_name: Text
    suburb: Text | None = None
    rural_delivery: RuralDelivery | None = None
    town: Text
    postcode: Postcode


class AddressChange(LicenceHolder):
    """A licence holder's new residential address."""

    residential_address: ResidentialAddress


class DeceasedCancellation(LicenceHolder):
    """A request to cancel the licence of a holder who has died."""

    date_of_death: NztaDate
    death_registration_number: RegistrationNumber

    _after_birth = not_before("date_of_death", "date_of_birth", "dateOfBirth")


def _transaction(
    outcome: Literal["ADDRESS_UPDATED", "LICENCE_CANCELLED"], next_number: NextNumber
) -> dict[str, Any]:
    # Both services write to the one register, so they share one transaction sequence.
    return {"transactionId": new_transaction_id(next_number), "outcome": outcome}


def change_address(change: AddressChange, next_number: NextNumber) -> dict[str, Any]:
    """Record the holder's new address."""
    del change  # the mock records every valid change the same way
    return _transaction("ADDRESS_UPDATED", next_number)


def cancel_licence(cancellation: DeceasedCancellation, next_number: NextNumber) -> dict[str, Any]:
    """Cancel the licence of a holder who has died."""
    del cancellation  # the mock cancels every valid request the same way
    return _transaction("LICENCE_CANCELLED", next_number)


_CODES = {
    400: "MISSING_HEADER", 401: "NOT_AUTHENTICATED", 403: "FORBIDDEN", 409: "DUPLICATE_REQUEST",
    422: "INVALID_FIELD", 503: "SERVICE_UNAVAILABLE",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """NZTA's error shape: a code, the field (or null) and a message per problem."""
    code = _CODES.get(status, "ERROR")
    return {"errors": [{"code": code, "field": p.field, "message": p.message} for p in problems]}


def _holder_coverage(person: str) -> dict[str, str]:
    """What a `LicenceHolder`'s own fields are made from: the person's licence, name and
    date of birth (see mocks.kit.receipts)."""
    licence = dict.fromkeys(("licenceNumber", "licenceVersion"), f"{person}.driver_licence")
    names = dict.fromkeys(("firstName", "middleNames", "surname"), f"{person}.name")
    return licence | names | {"dateOfBirth": f"{person}.date_of_birth"}


RECEIPT_COVERAGE = {
    "/api/v1/licence-holders/address-changes": Coverage(
        "driver-licence-address",
        {**_holder_coverage("mover"), "residentialAddress": "new_address"},
    ),
    "/api/v1/licences/deceased-cancellations": Coverage(
        "licence-cancellation-deceased",
        {
            **_holder_coverage("deceased"),
            "dateOfDeath": "deceased.date_of_death",
            "deathRegistrationNumber": "deceased.death_registration_number",
        },
    ),
}


AGENCY = MockAgency(
    name="nzta",
    path="/api/v1/licence-holders/address-changes",
    summary="Change a driver licence holder's address",
    request_model=AddressChange,
    read_api_key=header_key("X-NZTA-Api-Key"),
    issue=change_address,
    error_body=error_body,
    more_services=(
        MockService(
            path="/api/v1/licences/deceased-cancellations",
            summary="Cancel the driver licence of a holder who has died",
            request_model=DeceasedCancellation,
            issue=cancel_licence,
        ),
    ),
    routes=(
        TRANSACTION_STATUS,
        amendment_routes(
            MockAmendment(
                method="POST",
                path="/api/v1/transactions/{transactionId}/corrections",
                summary="Correct a licence holder's address change",
                service_path="/api/v1/licence-holders/address-changes",
                request_model=AddressChange,
                reference_field="transactionId",
                reference_pattern=r"DL-[0-9]{6}",
                issue=correct_address,
                success_status=201,
            ),
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
