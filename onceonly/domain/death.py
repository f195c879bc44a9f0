"""What the next of kin or executor tells government once when someone dies.

The person who died (`deceased`) and the person telling government (`notifier`) are modelled
apart: the notifier's relationship and authority are part of what agencies receive.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.json_schema import WithJsonSchema

from onceonly.domain.address_model import Address, PostalAddress
from onceonly.domain.contact import Email, Phone
from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.people import (
    Canonical,
    DriverLicence,
    IrdNumber,
    MsdClientNumber,
    NhiNumber,
    PassportNumber,
    PastDate,
    PersonName,
    RegistrationNumber,
    Text,
    held_by,
)
from onceonly.domain.text_rules import patterned

ServiceNumber = Annotated[
    str,
    # pydantic checks the pattern before it upper-cases: the pattern takes either case.
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]?[0-9]{4,8}$"),
    patterned(r"^\s*[A-Za-z]?[0-9]{4,8}\s*$"),
]
"""An NZ Defence Force service number: digits, with a letter in front for some services."""


# Dollars and cents above 0 and at most 100 000, with no leading zero: the rule as a pattern, so
# that the OpenAPI document holds it exactly.
_DOLLARS = r"^(?:0\.(?:0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,4}(?:\.[0-9]{1,2})?|100000(?:\.00?)?)$"


def _dollars(value: object) -> object:
    # A JSON number is a binary fraction: an amount of money travels as text, exactly.
    if isinstance(value, int | float):
        raise ValueError('must be text of dollars and cents, as in "8450.00"')
    if isinstance(value, str) and not re.fullmatch(_DOLLARS, value):
        raise ValueError("must be dollars and cents above 0 and at most 100000, as in 8450.00")
    return Decimal(value) if isinstance(value, str) else value


Dollars = Annotated[
    Decimal,
    BeforeValidator(_dollars),
    WithJsonSchema({"type": "string", "pattern": _DOLLARS, "examples": ["8450.00"]}, "validation"),
]
"""An amount of money in New Zealand dollars, as text ("8450.00")."""


class Deceased(Canonical):
    """The person who died, with the numbers agencies know them by."""

    name: PersonName
    date_of_birth: PastDate
    date_of_death: PastDate
    sex: Literal["female", "male", "indeterminate"]
    place_of_death: Annotated[Text, held_by("BDM", 100)]
    last_address: Address = Field(description="Where they lived.")
    death_registration_number: RegistrationNumber | None = Field(
        default=None,
        description="BDM's number when the funeral director has registered the death already.",
    )
    ird_number: IrdNumber | None = None
    nhi_number: NhiNumber | None = None
    msd_client_number: MsdClientNumber | None = None
    driver_licence: DriverLicence | None = None
    passport_number: PassportNumber | None = None
    veteran_service_number: ServiceNumber | None = Field(
        default=None, description="Their NZ Defence Force service number, if they served."
    )
    kainga_ora_tenant: bool = Field(default=False, description="They rented from Kāinga Ora.")
    maori_land_interests: bool = Field(
        default=False, description="They owned interests (shares) in Māori land."
    )

    @field_validator("date_of_death")
    @classmethod
    def _died_after_birth(cls, date_of_death: date, info: ValidationInfo) -> date:
        born = info.data.get("date_of_birth")
        if born is not None and date_of_death < born:
            raise ValueError("must not be before date_of_birth")
        return date_of_death


class Notifier(Canonical):
    """The person telling government: their relationship to the deceased and their authority."""

    name: PersonName
    relationship: Literal[
        "spouse_or_partner", "child", "parent", "sibling", "grandchild", "other_relative", "friend"
    ]
    authority: Literal["next_of_kin", "executor", "administrator"] = Field(
        description="Why they may act: next of kin, executor of the will, or court-appointed."
    )
    phone: Phone
    email: Email | None = None
    postal_address: PostalAddress = Field(description="Where agencies send letters.")


class FuneralGrant(Canonical):
    """An application for Work and Income's funeral grant, paid towards the funeral's cost."""

    funeral_director: Annotated[Text, held_by("MSD", 100)]
    funeral_cost: Dollars = Field(description="The funeral's cost, up to $100,000.")
    paid_by_notifier: bool = Field(description="The notifier pays the funeral director.")


class DeathData(Canonical):
    """Everything the death life event needs, collected once at the start."""

    deceased: Deceased
    notifier: Notifier
    funeral_grant: FuneralGrant | None = None


class DeathStart(LifeEventStart):
    """The death workflow's input."""

    data: DeathData
