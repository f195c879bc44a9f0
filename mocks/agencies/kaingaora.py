"""Mock of Kāinga Ora's notice that a tenant has died, which ends the tenancy.

Its traits: PascalCase JSON behind an API gateway's `Ocp-Apim-Subscription-Key`, ISO dates,
every person's name as one string "FAMILY NAME, Given Names" (the family name in capitals,
macrons kept: "NGĀTA, Aroha Mere"), the tenancy address in parts with every key present (null
for no unit type, unit, level, building, range end or suburb), and the contact's phone in digit
groups ("027 555 0100"). It accepts the notice for processing (202) with a reference, and
reports errors as `{"Errors": [{"Property", "Message"}]}`.
"""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from mocks.kit.agency import Coverage, MockAgency, Problem
from mocks.kit.formats import (
    NAME_PATTERN,
    LevelNumber,
    LevelType,
    PascalCaseJson,
    PastDate,
    Postcode,
    Text,
    UnitType,
    matching,
    not_before,
)
from mocks.kit.shapes import header_key, listed
from mocks.kit.store import NextNumber

_LISTED_NAME = re.compile(rf"(?P<family>{NAME_PATTERN}), (?P<given>{NAME_PATTERN})")


def _listed_name(value: str) -> str:
    match = _LISTED_NAME.fullmatch(value)
    if match is None or match["family"] != match["family"].upper():
        raise ValueError("must be 'FAMILY NAME, Given Names' with the family name in capitals")
    return value


ListedName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_listed_name)]


class KoModel(PascalCaseJson):
    """Kāinga Ora's JSON: PascalCase, strict types, and no field it does not know."""


class Tenant(KoModel):
    """The tenant who died."""

    name: ListedName
    date_of_birth: PastDate
    date_of_death: PastDate

    _after_birth = not_before("date_of_death", "date_of_birth", "DateOfBirth")


StreetNumber = Annotated[
    str, AfterValidator(matching(r"[0-9]+[A-Za-z]?", "digits with an optional letter"))
]


class TenancyAddress(KoModel):
    """The Kāinga Ora home, in parts; each part (Unit, Level, Suburb...) is null when the home
    has none."""

    unit_type: UnitType | None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None
    level_type: LevelType | None
    level_number: LevelNumber | None
    building_name: Text | None
    street_number: StreetNumber
    street_number_last: StreetNumber | None
    street: Text
    suburb: Text | None
    town: Text
    postcode: Postcode


class Contact(KoModel):
    """Who Kāinga Ora contacts about the home and the tenant's belongings."""

    name: ListedName
    phone: Annotated[
        str,
        StringConstraints(max_length=20),
        AfterValidator(
            matching(
                r"\+?[0-9]+(?: [0-9]+)*", "digits in groups of single spaces, optionally after +"
            )
        ),
    ]


class TenancyEndNotice(KoModel):
    """Notice that a tenant has died, so that the tenancy ends."""

    tenant: Tenant
    tenancy_address: TenancyAddress
    contact: Contact


def accept(notice: TenancyEndNotice, next_number: NextNumber) -> dict[str, Any]:
    """Accept the notice for a tenancy manager to act on."""
    del notice  # the mock accepts every valid notice the same way
    return {
        "TenancyEndReference": f"KO-TE-{next_number('kaingaora.notice'):06d}",
        "Status": "Accepted",
    }


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    """Kāinga Ora's error shape: a list of errors, each naming the property it concerns."""
    del status  # the HTTP status says it; the body does not repeat it
    return {"Errors": listed(problems, "Property", "Message")}


RECEIPT_COVERAGE = {
    "/tenancies/v1/deceased-tenant-notices": Coverage(
        "tenancy-end-deceased",
        {
            "Tenant.Name": "deceased.name",
            "Tenant.DateOfBirth": "deceased.date_of_birth",
            "Tenant.DateOfDeath": "deceased.date_of_death",
            "TenancyAddress": "deceased.last_address",
            "Contact.Name": "notifier.name",
            "Contact.Phone": "notifier.phone",
        },
    ),
}


AGENCY = MockAgency(
    name="kaingaora",
    path="/tenancies/v1/deceased-tenant-notices",
    summary="Tell Kāinga Ora that a tenant has died, ending the tenancy",
    request_model=TenancyEndNotice,
    # Its API gateway's (Azure API Management's) subscription key.
    read_api_key=header_key("Ocp-Apim-Subscription-Key"),
    issue=accept,
    error_body=error_body,
    success_status=202,
    receipt_coverage=RECEIPT_COVERAGE,
)
