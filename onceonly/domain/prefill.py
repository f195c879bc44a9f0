"""What government already holds, as registers answer it: the canonical shapes of prefill.

Registers are looked up only with the citizen's consent, when an event starts; the citizen
confirms or changes what comes back. Each look-up answers in one of these models.
"""

from typing import Literal

from pydantic import Field

from onceonly.domain.people import Address, Canonical, PastDate, PersonName, RegistrationNumber


class Resident(Canonical):
    """Someone the address register records at the citizen's address."""

    name: PersonName
    date_of_birth: PastDate
    relationship: Literal["partner", "child", "parent", "sibling", "flatmate", "other"]


class Residence(Canonical):
    """The address register's answer: where the citizen lives, and who lives with them."""

    address: Address
    household: tuple[Resident, ...] = Field(default=(), max_length=12)


class DeathRecord(Canonical):
    """BDM's registered death, as its register answers a look-up by registration number."""

    registration_number: RegistrationNumber
    name: PersonName
    date_of_birth: PastDate
    date_of_death: PastDate
    sex: Literal["female", "male", "indeterminate"]
    place_of_death: str
