"""What a citizen tells government once when they move house (the canonical moving dossier).

The citizen is the `mover`; the people who move with them are the household. Each adult in
the household decides about their own data (see the consent checkpoints); here they are
modelled so that the event knows who moves.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from onceonly.domain.address_model import Address
from onceonly.domain.contact import Email, Phone
from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.people import (
    Canonical,
    DriverLicence,
    IrdNumber,
    MsdClientNumber,
    NhiNumber,
    PastDate,
    PersonName,
    Text,
    held_by,
    today_from,
)

# Agencies accept a move told up to a year ahead (a tenancy signed early) or after the fact;
# further out is almost always a typing slip in the year.
MOVE_DATE_WINDOW = timedelta(days=365)
# Electoral enrolment and health consent treat 18 and 16 differently; onceonly asks each
# person aged 16 or more for their own consent.
ADULT_AGE = 16


def _near_today(value: date, info: ValidationInfo) -> date:
    today = today_from(info)
    if today is not None and abs(value - today) > MOVE_DATE_WINDOW:
        raise ValueError("must be within a year of today")
    return value


MoveDate = Annotated[date, AfterValidator(_near_today)]


def is_adult(date_of_birth: date, on: date) -> bool:
    """True when a person born on `date_of_birth` is 16 or older on `on`: old enough to decide."""
    birthday_passed = (on.month, on.day) >= (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (0 if birthday_passed else 1) >= ADULT_AGE


class Mover(Canonical):
    """The citizen who tells government about the move, with the numbers agencies know them by."""

    name: PersonName
    date_of_birth: PastDate
    email: Email | None = None
    phone: Phone | None = None
    ird_number: IrdNumber | None = None
    nhi_number: NhiNumber | None = None
    msd_client_number: MsdClientNumber | None = None
    driver_licence: DriverLicence | None = None


class HouseholdMember(Canonical):
    """Someone who moves with the citizen."""

    name: PersonName
    date_of_birth: PastDate
    relationship: Literal["partner", "child", "parent", "sibling", "flatmate", "other"]
    email: Email | None = Field(
        default=None, description="Where an adult is asked for their own consent."
    )
    nhi_number: NhiNumber | None = None


class Dog(Canonical):
    """A dog whose registration moves to the new address."""

    name: Annotated[Text, held_by("the council", 50)]
    breed: Annotated[Text, held_by("the council", 60)]
    microchip: Annotated[str, Field(pattern=r"^[0-9]{15}$")] = Field(
        description="The 15-digit ISO 11784 microchip number every registered dog carries."
    )


class MoveData(Canonical):
    """Everything the moving-house life event needs, collected once at the start."""

    mover: Mover
    household: tuple[HouseholdMember, ...] = Field(default=(), max_length=12)
    previous_address: Address
    new_address: Address = Field(description="Where the household now lives (no PO Box).")
    move_date: MoveDate
    gp_practice: Text | None = Field(default=None, description="A new doctor, if changing.")
    dogs: tuple[Dog, ...] = Field(default=(), max_length=10)

    @field_validator("new_address")
    @classmethod
    def _a_real_move(cls, new_address: Address, info: ValidationInfo) -> Address:
        if new_address == info.data.get("previous_address"):
            raise ValueError("must differ from previous_address")
        return new_address


class MoveStart(LifeEventStart):
    """The moving-house workflow's input."""

    data: MoveData
