"""Canonical building blocks shared by every life event: names, addresses, contact details.

Text is kept exactly as given (macrons included); only surrounding spaces are trimmed.
"""

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from onceonly.domain.identifiers import (
    is_valid_ird_number,
    is_valid_nhi_number,
    normalise_ird_number,
    normalise_nhi_number,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be an IRD number with a valid check digit (8 or 9 digits)")
    return normalise_ird_number(value)


def _nhi_number(value: str) -> str:
    if not is_valid_nhi_number(value):
        raise ValueError("must be an NHI number (AAANNNN or AAANNAA) with a valid check character")
    return normalise_nhi_number(value)


IrdNumber = Annotated[str, AfterValidator(_ird_number)]
NhiNumber = Annotated[str, AfterValidator(_nhi_number)]


def _postcode(value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}", value):
        raise ValueError("must be a New Zealand postcode of 4 digits")
    return value


def _street_number(value: str) -> str:
    if not re.fullmatch(r"[0-9]+[A-Za-z]?", value):
        raise ValueError("must be a street number with an optional letter suffix, as in 21A")
    return value


Postcode = Annotated[str, AfterValidator(_postcode)]
StreetNumber = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_street_number)
]
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("must be a phone number of 6 to 20 digits, spaces, dashes or brackets")
    return value


Phone = Annotated[str, AfterValidator(_phone)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Canonical(BaseModel):
    """Base of every canonical model: immutable, and unknown fields are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonName(Canonical):
    """A person's name: given names in order (one may contain a space) and a family name."""

    given_names: list[Text] = Field(min_length=1, max_length=10)
    family_name: Text
    known_as: Text | None = Field(default=None, description="The name the person prefers.")


class Address(Canonical):
    """A New Zealand street address, in the parts the NZ address standard names."""

    unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    number: StreetNumber
    street: Text
    suburb: Text | None = None
    city: Text
    postcode: Postcode


def not_in_future(value: date, today: date) -> date:
    """The rule shared by every date of birth and event: it has happened already."""
    if value > today:
        raise ValueError("must not be in the future")
    return value


def intake_context(today: date) -> dict[str, date]:
    """The validation context for data entering the system: rules that need today's date use it."""
    return {"today": today}
