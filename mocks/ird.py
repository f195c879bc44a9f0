"""Mock of Inland Revenue's newborn IRD number service, behind IRD's gateway.

Its traits: dates written dd/mm/yyyy, the child's names as two flat fields, the parent's IRD
number as nine bare digits checked by IRD's check-digit rule, and the postal address as one
line ("1/21A Smith Street, Ponsonby, Auckland 1011"). It issues the child a new IRD number
with a valid check digit, and reports errors as `{"faultCode", "faultString"}`.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel

from mocks.agency import (
    NAME_PATTERN,
    NAME_RULE,
    MockAgency,
    Problem,
    matching,
    not_after_today,
)
from mocks.store import NextNumber

# IRD's published check-digit weights; the second set is used only when the first gives 10.
_PRIMARY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_SECONDARY_WEIGHTS = (7, 4, 3, 2, 5, 2, 7, 6)
# IRD numbers are issued strictly between these bounds.
_LOWEST = 10_000_000
_HIGHEST = 150_000_000
# ASCII digits only: str.isdigit() and \d would also take other scripts' digits.
_NINE_DIGITS = re.compile(r"[0-9]{9}")
# The mock issues children numbers from 130-000-000 up, clear of the usual test numbers.
_FIRST_CHILD_BASE = 13_000_000


def _check_digit(base: str, weights: tuple[int, ...]) -> int:
    remainder = sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def check_digit(base8: str) -> int | None:
    """IRD's check digit for eight digits, or None when that base can carry no valid digit."""
    check = _check_digit(base8, _PRIMARY_WEIGHTS)
    if check == 10:
        check = _check_digit(base8, _SECONDARY_WEIGHTS)
    return None if check == 10 else check


def is_valid_ird_number(digits: str) -> bool:
    """True for nine digits in IRD's issued range whose check digit is right."""
    if not _NINE_DIGITS.fullmatch(digits) or not _LOWEST < int(digits) < _HIGHEST:
        return False
    return check_digit(digits[:8]) == int(digits[8])


def ird_number_for(sequence: int) -> str | None:
    """The IRD number the mock issues as its `sequence`-th child, or None if that base is unusable.

    The base is the sequence counted up from 13,000,000, plus its check digit.
    """
    base = _FIRST_CHILD_BASE + sequence
    if base * 10 >= _HIGHEST:
        raise ValueError("the mock has issued every IRD number in its range")
    base8 = f"{base:08d}"
    check = check_digit(base8)
    return None if check is None else f"{base8}{check}"


def issue_ird_number(next_number: NextNumber) -> str:
    """The next IRD number with a valid check digit, skipping bases that cannot carry one."""
    while True:
        number = ird_number_for(next_number("ird.number"))
        if number is not None:
            return number


def _ird_date(value: object) -> object:
    # IRD writes dates dd/mm/yyyy; anything else (ISO included) is refused, not guessed.
    if not isinstance(value, str):
        return value
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        raise ValueError("must be a date written dd/mm/yyyy") from None


def _parent_ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be 9 digits without dashes, with a valid IRD check digit")
    return value


IrdDate = Annotated[date, BeforeValidator(_ird_date), AfterValidator(not_after_today)]
Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]


class NewbornRegistration(BaseModel):
    """A request for a newborn's IRD number, linked to the birth registration."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )

    birth_registration_number: Annotated[
        str,
        AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn")),
    ]
    child_first_names: Name
    child_surname: Name
    child_date_of_birth: IrdDate
    parent_ird_number: Annotated[str, AfterValidator(_parent_ird_number)] | None = None
    postal_address: Annotated[
        str,
        StringConstraints(max_length=200),
        AfterValidator(
            matching(
                r"[^,]+(?:, [^,]+)*, [^,]+ [0-9]{4}",
                "one line of comma-separated parts ending with the town and a 4-digit postcode",
            )
        ),
    ]


def read_api_key(request: Request) -> str | None:
    """IRD's gateway takes its key as an OAuth-style bearer token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token if scheme.lower() == "bearer" else None


def register_newborn(registration: NewbornRegistration, next_number: NextNumber) -> dict[str, Any]:
    """Issue the child an IRD number, with a case reference for the parent's letters."""
    del registration  # every valid request gets a number the same way
    ird_number = issue_ird_number(next_number)
    return {"irdNumber": ird_number, "caseReference": f"NB-{next_number('ird.case'):08d}"}


# IRD's gateway names each refusal with a fault code rather than a field list.
_FAULT_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORISED",
    409: "IDEMPOTENCY_CONFLICT",
    422: "VALIDATION",
    503: "SERVICE_UNAVAILABLE",
}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """IRD's error shape: a fault code and one fault string joining every problem."""
    return {
        "faultCode": _FAULT_CODES.get(status, "ERROR"),
        "faultString": "; ".join(
            f"{p.field}: {p.message}" if p.field else p.message for p in problems
        ),
    }


AGENCY = MockAgency(
    name="ird",
    path="/gateway/v2/newborn-registrations",
    summary="Issue a newborn's IRD number",
    request_model=NewbornRegistration,
    read_api_key=read_api_key,
    issue=register_newborn,
    error_body=error_body,
    success_status=200,
)
