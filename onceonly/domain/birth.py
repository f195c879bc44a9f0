"""What a parent tells government once when a baby is born (the canonical birth dossier)."""

from typing import Literal

from pydantic import Field

from onceonly.domain.life_event import LifeEventStart
from onceonly.domain.people import (
    Address,
    Canonical,
    Email,
    IrdNumber,
    PastDate,
    PersonName,
    Phone,
    Text,
)


class Child(Canonical):
    """The baby."""

    name: PersonName
    date_of_birth: PastDate
    sex: Literal["female", "male", "indeterminate"]
    place_of_birth: Text = Field(description="Hospital, birthing unit or home town.")


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


class BirthStart(LifeEventStart):
    """The birth workflow's input."""

    data: BirthData
