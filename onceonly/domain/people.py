"""Canonical building blocks shared by every life event: names, addresses, contact details.

Text is kept exactly as given (macrons included); only surrounding spaces are trimmed.

Data entering the system (validated with `intake_context`) meets every agency's format
first, so that no step fails at an agency for a format reason after the citizen consented
(names here, phone numbers and email addresses in onceonly.domain.contact). A dossier stored
under earlier rules (a workflow's input, decoded again on replay) is read as it was written.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from onceonly.domain.identifiers import (
    is_valid_driver_licence_number,
    is_valid_ird_number,
    is_valid_licence_version,
    is_valid_nhi_number,
    normalise_driver_licence_number,
    normalise_ird_number,
    normalise_nhi_number,
)
from onceonly.domain.text_rules import (
    TEXT_MAX,
    formatted,
    patterned,
    printable,
    text_pattern,
)

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(printable),
    patterned(text_pattern()),
]


def _ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be an IRD number with a valid check digit (8 or 9 digits)")
    return normalise_ird_number(value)


def _nhi_number(value: str) -> str:
    if not is_valid_nhi_number(value):
        raise ValueError("must be an NHI number (AAANNNN or AAANNAA) with a valid check character")
    return normalise_nhi_number(value)


IrdNumber = Annotated[str, AfterValidator(_ird_number), formatted("nz-ird-number")]
NhiNumber = Annotated[str, AfterValidator(_nhi_number), formatted("nz-nhi-number")]


class Canonical(BaseModel):
    """Base of every canonical model: immutable, and unknown fields are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class held_by:  # noqa: N801 (used as a rule, like pydantic's own annotations)
    """An intake rule for a text an agency holds in `characters`: longer is refused at intake,
    naming the agency, rather than by the agency after consent; the OpenAPI document's pattern
    says the same length."""

    agency: str
    characters: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self._fits, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": text_pattern(maximum=self.characters)}

    def _fits(self, value: str, info: ValidationInfo) -> str:
        if is_intake(info) and len(value) > self.characters:
            raise ValueError(
                f"must be at most {self.characters} characters, as {self.agency} holds it"
            )
        return value


def _name_characters(value: str) -> str:
    # Letters and their marks (macrons, precomposed or combining) in any script, joined by
    # spaces, hyphens, apostrophes or full stops: invisible format characters (bidirectional
    # overrides, zero-width spaces) and markup have no place in a name agencies will print.
    for char in value:
        if not (unicodedata.category(char)[0] in "LM" or char in _NAME_JOINERS):
            raise ValueError("must be letters, with spaces, hyphens, apostrophes or full stops")
    return value


_NAME_JOINERS = frozenset(" -'.\u2019")
# The agencies' own name rule: runs of letters (any script; of the combining marks, only the
# accents U+0300-U+036F, such as the macron) joined by one space, hyphen or apostrophe.
_NAME_LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])+"
AGENCY_NAME_PATTERN = rf"{_NAME_LETTERS}(?:[ '\u2019-]{_NAME_LETTERS})*"
"""The agencies' name rule as a Python pattern (for a document describing the intake)."""
_AGENCY_NAME = re.compile(AGENCY_NAME_PATTERN)
AGENCY_NAME_RULE = (
    "must be letters (accents such as macrons included), with single spaces, hyphens or "
    "apostrophes between them: the agencies' rule for names (BDM, IRD, MSD, Health, NZTA)"
)
NAME_PART_MAX = 100
"""The longest name part agencies hold (BDM, IRD, MSD, Health, NZTA, Passports)."""
GIVEN_NAMES_MAX = 100
"""BDM and IRD hold every given name in one field of 100 characters."""
LISTED_NAME_MAX = 200
"""Kāinga Ora lists a person as "FAMILY NAME, Given Names" in 200 characters."""


def _agency_name(value: str, info: ValidationInfo) -> str:
    if is_intake(info):
        if not _AGENCY_NAME.fullmatch(value):
            raise ValueError(AGENCY_NAME_RULE)
        if len(value) > NAME_PART_MAX:
            raise ValueError(f"must be at most {NAME_PART_MAX} characters, as agencies hold names")
    return value


NameText = Annotated[
    Text,
    AfterValidator(_name_characters),
    AfterValidator(_agency_name),
    formatted("person-name", minLength=1, maxLength=NAME_PART_MAX),
]


class PersonName(Canonical):
    """A person's name: given names in order (one may contain a space) and a family name."""

    given_names: list[NameText] = Field(min_length=1, max_length=10)
    family_name: NameText
    known_as: NameText | None = Field(default=None, description="The name the person prefers.")

    @model_validator(mode="after")
    def _fits_agency_fields(self, info: ValidationInfo) -> "PersonName":
        if not is_intake(info):
            return self
        given = " ".join(self.given_names)
        if len(given) > GIVEN_NAMES_MAX:
            raise ValueError(
                f"given_names: together at most {GIVEN_NAMES_MAX} characters, as BDM and IRD "
                "hold them in one field"
            )
        if len(self.family_name.upper()) + 2 + len(given) > LISTED_NAME_MAX:
            raise ValueError(
                f"the name in full ('FAMILY NAME, Given Names') must be at most "
                f"{LISTED_NAME_MAX} characters, as agencies hold a full name"
            )
        return self


def _driver_licence_number(value: str) -> str:
    if not is_valid_driver_licence_number(value):
        raise ValueError("must be a driver licence number of two letters and six digits")
    return normalise_driver_licence_number(value)


def _licence_version(value: str) -> str:
    if not is_valid_licence_version(value):
        raise ValueError("must be the licence version of three digits, as in 101")
    return value


class DriverLicence(Canonical):
    """A New Zealand driver licence: its number (AB123456) and its three-digit version."""

    number: Annotated[
        str, AfterValidator(_driver_licence_number), formatted("nz-driver-licence-number")
    ]
    version: Annotated[str, AfterValidator(_licence_version), patterned(r"^[0-9]{3}$")]


def _passport_number(value: str) -> str:
    number = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,2}[0-9]{6}", number):
        raise ValueError("must be a passport number of one or two letters and six digits")
    return number


PassportNumber = Annotated[
    str, AfterValidator(_passport_number), patterned(r"^\s*[A-Za-z]{1,2}[0-9]{6}\s*$")
]
MsdClientNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{9}$"),
    patterned(r"^\s*[0-9]{9}\s*$"),
]
RegistrationNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{4}/[0-9]{6}$"),
    patterned(r"^\s*[0-9]{4}/[0-9]{6}\s*$"),
]
"""A BDM registration number, as in 2026/000123."""


def not_in_future(value: date, today: date) -> date:
    """The rule shared by every date of birth and event: it has happened already."""
    if value > today:
        raise ValueError("must not be in the future")
    return value


def intake_context(today: date) -> dict[str, date]:
    """The validation context for data entering the system: rules that need today's date use it."""
    return {"today": today}


def is_intake(info: ValidationInfo) -> bool:
    """True while data enters the system (validated with `intake_context`): the agencies'
    formats apply then. Without it a stored dossier decodes as it was written, so events
    started under earlier rules still replay."""
    return today_from(info) is not None


def today_from(info: ValidationInfo) -> date | None:
    """Today's date from the validation context, or None when the caller gave none.

    "Today" comes from the caller (see intake_context): workflow code also decodes these
    models, and must never read the wall clock.
    """
    today = (info.context or {}).get("today")
    return today if isinstance(today, date) else None


def _in_the_past(value: date, info: ValidationInfo) -> date:
    today = today_from(info)
    return value if today is None else not_in_future(value, today)


PastDate = Annotated[date, AfterValidator(_in_the_past)]
"""A date that has happened already (checked at intake)."""
