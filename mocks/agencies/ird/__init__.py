"""Mock of Inland Revenue's gateway: the newborn IRD number service, customers' address
changes, notifications of a customer's death, and a look-up of a customer's own IRD number.

Its traits: dates written dd/mm/yyyy, names as flat fields (`childFirstNames`,
`notifierSurname`), IRD numbers as nine bare digits checked by IRD's check-digit rule, and
addresses on one line ("1/21A Smith Street, Ponsonby, Auckland 1011", "PO Box 1234, Whangārei
0140"). It issues a newborn a new IRD number, answers every submission with a case reference,
and reports errors as `{"faultCode", "faultString"}`. How the mock knows a customer's number
is in `mocks.agencies.ird.numbers`; its cases that end later, and their status, in
`mocks.agencies.ird.cases`.
"""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from mocks.agencies.ird.cases import NEWBORN_DEFERRAL, add_case_routes, case_reference
from mocks.agencies.ird.numbers import customer_ird_number

# `x as x` re-exports (PEP 484) the number rules that lived here before ird/numbers.py.
from mocks.agencies.ird.numbers import ird_number_for as ird_number_for
from mocks.agencies.ird.numbers import is_valid_ird_number as is_valid_ird_number
from mocks.agencies.ird.numbers import issue_ird_number as issue_ird_number
from mocks.kit.agency import Coverage, MockAgency, MockLookup, MockService, Problem
from mocks.kit.amendments import MockAmendment, amendment_routes
from mocks.kit.formats import (
    CamelCaseJson,
    Identity,
    Name,
    RegistrationNumber,
    date_written,
    matching,
    not_after_today,
    not_before,
)
from mocks.kit.shapes import authorization_key, joined
from mocks.kit.store import NextNumber, Store

_ird_date = date_written("%d/%m/%Y", "dd/mm/yyyy")


def _bare_ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be 9 digits without dashes, with a valid IRD check digit")
    return value


IrdDate = Annotated[date, BeforeValidator(_ird_date), AfterValidator(not_after_today)]
# A date that may lie ahead, such as the day a customer will move.
AnyIrdDate = Annotated[date, BeforeValidator(_ird_date)]
IrdNumber = Annotated[str, AfterValidator(_bare_ird_number)]
OneLineAddress = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(
        matching(
            r"[^,]+(?:, [^,]+)*, [^,]+ [0-9]{4}",
            "one line of comma-separated parts ending with the town and a 4-digit postcode",
        )
    ),
]


class IrdModel(CamelCaseJson):
    """IRD's JSON: camelCase, strict types, and no field it does not know."""


class NewbornRegistration(IrdModel):
    """A request for a newborn's IRD number, linked to the birth registration."""

    birth_registration_number: RegistrationNumber
    child_first_names: Name
    child_surname: Name
    child_date_of_birth: IrdDate
    parent_ird_number: IrdNumber | None = None
    postal_address: OneLineAddress


class AddressChange(IrdModel):
    """A customer's new residential address, from the day they move (which may lie ahead)."""

    ird_number: IrdNumber
    first_names: Name
    surname: Name
    residential_address: OneLineAddress
    effective_date: AnyIrdDate


class DeceasedNotification(IrdModel):
    """Notice that a customer has died, from the person who will deal with IRD for the estate."""

    ird_number: IrdNumber
    first_names: Name
    surname: Name
    date_of_birth: IrdDate
    date_of_death: IrdDate
    death_registration_number: RegistrationNumber
    notifier_first_names: Name
    notifier_surname: Name
    notifier_relationship: Literal[
        "SPOUSE", "CHILD", "PARENT", "SIBLING", "GRANDCHILD", "RELATIVE", "FRIEND"
    ]
    notifier_capacity: Literal["NEXT_OF_KIN", "EXECUTOR", "ADMINISTRATOR"]
    notifier_postal_address: OneLineAddress

    _after_birth = not_before("date_of_death", "date_of_birth", "dateOfBirth")


class CustomerQuery(IrdModel):
    """A look-up of a customer's own IRD number by the identity they signed in with."""

    identity: Identity


def register_newborn(registration: NewbornRegistration, next_number: NextNumber) -> dict[str, Any]:
    """Issue the child an IRD number, with a case reference for the parent's letters."""
    del registration  # every valid request gets a number the same way
    ird_number = issue_ird_number(next_number)
    return {"irdNumber": ird_number, "caseReference": case_reference("NB", next_number)}


def change_address(change: AddressChange, next_number: NextNumber) -> dict[str, Any]:
    """Record the customer's new address."""
    del change  # the mock records every valid change the same way
    return {"caseReference": case_reference("AC", next_number), "status": "ADDRESS_UPDATED"}


def open_estate_case(notice: DeceasedNotification, next_number: NextNumber) -> dict[str, Any]:
    """Record the death and open a case for the estate's tax affairs."""
    del notice  # the mock opens every valid case the same way
    return {"caseReference": case_reference("DC", next_number), "status": "ESTATE_CASE_OPENED"}


def correct_address(case: str, next_number: NextNumber) -> dict[str, Any]:
    """Correct the address change of the case: an amendment in IRD's case sequence."""
    amendment = case_reference("AM", next_number)
    return {"caseReference": case, "amendmentReference": amendment, "status": "ADDRESS_CORRECTED"}


async def customers_ird_number(query: CustomerQuery, store: Store) -> dict[str, Any]:
    """The customer's IRD number: every identity is a customer (see ird/numbers.py)."""
    del store  # derived, not stored
    return {"irdNumber": customer_ird_number(query.identity)}


# IRD's gateway names each refusal with a fault code rather than a field list.
_FAULT_CODES = {
    400: "BAD_REQUEST", 401: "UNAUTHORISED", 403: "FORBIDDEN", 404: "NOT_FOUND",
    409: "IDEMPOTENCY_CONFLICT", 422: "VALIDATION", 503: "SERVICE_UNAVAILABLE",
}  # fmt: skip


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """IRD's error shape: a fault code and one fault string joining every problem."""
    return {
        "faultCode": _FAULT_CODES.get(status, "ERROR"),
        "faultString": joined(problems),
    }


RECEIPT_COVERAGE = {
    "/gateway/v2/newborn-registrations": Coverage(
        "newborn-ird-number",
        {
            "birthRegistrationNumber": "child.birth_registration_number",
            "childFirstNames": "child.name",
            "childSurname": "child.name",
            "childDateOfBirth": "child.date_of_birth",
            "parentIrdNumber": "birth_parent.ird_number",
            "postalAddress": "address",
        },
    ),
    "/gateway/v2/address-changes": Coverage(
        "address-change",
        {
            "irdNumber": "mover.ird_number",
            "firstNames": "mover.name",
            "surname": "mover.name",
            "residentialAddress": "new_address",
            "effectiveDate": "move_date",
        },
    ),
    "/gateway/v2/deceased-notifications": Coverage(
        "deceased-notification",
        {
            "irdNumber": "deceased.ird_number",
            "firstNames": "deceased.name",
            "surname": "deceased.name",
            "dateOfBirth": "deceased.date_of_birth",
            "dateOfDeath": "deceased.date_of_death",
            "deathRegistrationNumber": "deceased.death_registration_number",
            "notifierFirstNames": "notifier.name",
            "notifierSurname": "notifier.name",
            "notifierRelationship": "notifier.relationship",
            "notifierCapacity": "notifier.authority",
            "notifierPostalAddress": "notifier.postal_address",
        },
    ),
}


AGENCY = MockAgency(
    name="ird",
    path="/gateway/v2/newborn-registrations",
    summary="Issue a newborn's IRD number",
    request_model=NewbornRegistration,
    # IRD's gateway takes its key as an OAuth-style bearer token.
    read_api_key=authorization_key("Bearer", any_case=True),
    issue=register_newborn,
    error_body=error_body,
    success_status=200,
    more_services=(
        MockService(
            path="/gateway/v2/address-changes",
            summary="Change a customer's residential address",
            request_model=AddressChange,
            issue=change_address,
            success_status=200,
        ),
        MockService(
            path="/gateway/v2/deceased-notifications",
            summary="Notify IRD that a customer has died",
            request_model=DeceasedNotification,
            issue=open_estate_case,
            success_status=200,
        ),
    ),
    lookups=(
        MockLookup(
            path="/gateway/v2/customers/{identity}/ird-number",
            summary="Look up a customer's own IRD number",
            query_model=CustomerQuery,
            answer=customers_ird_number,
        ),
    ),
    deferrals={"/gateway/v2/newborn-registrations": NEWBORN_DEFERRAL},
    routes=(
        add_case_routes,
        amendment_routes(
            MockAmendment(
                method="PUT",
                path="/gateway/v2/address-changes/{caseReference}",
                summary="Correct an address change",
                service_path="/gateway/v2/address-changes",
                request_model=AddressChange,
                reference_field="caseReference",
                reference_pattern=r"AC-[0-9]{8}",
                issue=correct_address,
            ),
        ),
    ),
    receipt_coverage=RECEIPT_COVERAGE,
)
