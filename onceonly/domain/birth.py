"""What a parent tells government once when a baby is born (the canonical birth dossier).

A birth told here is a new baby's: at intake its date is within a year, and a birth past
BDM's deadline for registering it (the catalogue's, two months) is registered only when the
parent says it is late (`late_registration`), never silently as an on-time one.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.contact import Email, Phone
from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.multiple_birth import MultipleBirth
from onceonly.domain.people import (
    Canonical,
    IrdNumber,
    PastDate,
    PersonName,
    Text,
    held_by,
    today_from,
)

NEW_BABY_WINDOW = timedelta(days=365)
"""How old a birth told here may be: Best Start and Well Child are for the first year, and an
older birth is registered with BDM itself (a date further back is almost always a slip)."""


def registration_deadline_days() -> int:
    """Days after the birth within which BDM registers it on time (the catalogue's deadline)."""
    deadline = BIRTH.step("register_birth").deadline
    assert deadline is not None  # the catalogue's test pins it
    return deadline.within_days


def _a_new_babys(value: date, info: ValidationInfo) -> date:
    today = today_from(info)
    if today is not None and today - value > NEW_BABY_WINDOW:
        raise ValueError(
            "must be within a year of today: a birth told here is a new baby's (an older "
            "birth is registered with BDM directly)"
        )
    return value


class Child(Canonical):
    """The baby."""

    name: PersonName
    date_of_birth: Annotated[PastDate, AfterValidator(_a_new_babys)]
    sex: Literal["female", "male", "indeterminate"]
    place_of_birth: Annotated[Text, held_by("BDM", 100)] = Field(
        description="Hospital, birthing unit or home town."
    )
    late_registration: bool = Field(
        default=False,
        description="The parent registers the birth after BDM's deadline (two months).",
    )

    @model_validator(mode="after")
    def _late_only_when_said(self, info: ValidationInfo) -> "Child":
        today = today_from(info)
        days = registration_deadline_days()
        late = today is not None and today - self.date_of_birth > timedelta(days=days)
        if late and not self.late_registration:
            raise ValueError(
                f"date_of_birth: more than {days} days ago, past BDM's deadline for "
                "registering a birth: set late_registration to true to register it late"
            )
        return self


class Parent(Canonical):
    """A parent of the baby."""

    name: PersonName
    date_of_birth: PastDate
    ird_number: IrdNumber | None = None
    email: Email | None = None
    phone: Phone | None = None


class HealthChoices(Canonical):
    """The parent's choice of doctor and Well Child Tamariki Ora provider for the baby."""

    gp_practice: Text
    well_child_provider: Text


class BirthData(Canonical):
    """Everything the birth life event needs, collected once at the start."""

    child: Child
    birth_parent: Parent
    other_parent: Parent | None = None
    address: Address
    health: HealthChoices
    multiple_birth: MultipleBirth | None = Field(
        default=None,
        description="Set for each child of twins, triplets or more: one event per child.",
    )


class BirthStart(LifeEventStart):
    """The birth workflow's input."""

    data: BirthData
