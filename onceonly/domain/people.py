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
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from onceonly.domain.address_words import (
    LEVEL_NUMBER,
    MAX_ADDRESS_LINE,
    MAX_ADDRESS_PART,
    NUMBERED_LEVELS,
    UNNUMBERED_LEVELS,
    LevelType,
    UnitIdentifier,
    UnitType,
    check_building_name,
    check_level_number,
    check_locality,
    check_no_comma,
    check_road,
    check_town,
    number_order,
    premise_parts,
)
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


def _postcode(value: str) -> str:
    if not re.fullmatch(r"[0-9]{4}", value):
        raise ValueError("must be a New Zealand postcode of 4 digits")
    return value


def _street_number(value: str) -> str:
    # Six digits at most: NZTA's register holds six (rural numbers reach five).
    if not re.fullmatch(r"[0-9]{1,6}[A-Za-z]?", value):
        raise ValueError(
            "must be a street number of 1 to 6 digits and an optional letter, as in 21A"
        )
    return value


Postcode = Annotated[str, AfterValidator(_postcode), patterned(r"^[0-9]{4}$")]
StreetNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_street_number),
    patterned(r"^\s*[0-9]{1,6}[A-Za-z]?\s*$"),
]


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


AddressText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ADDRESS_PART),
    AfterValidator(printable),
    AfterValidator(check_no_comma),
    patterned(text_pattern(",", MAX_ADDRESS_PART)),
]
"""One part of an address (a street, suburb, town or lobby): text without commas."""
TownText = Annotated[
    str,
    # The town's line, with a space and the postcode, must fit the same 100.
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ADDRESS_PART - 5),
    AfterValidator(printable),
    AfterValidator(check_no_comma),
    patterned(text_pattern(",", MAX_ADDRESS_PART - 5)),
]
"""A town or city: its line, with a space and the postcode, fits in an agency's 100."""


def whole_number(value: object) -> object:
    """A JSON number with no fraction (2.0) as the integer it is, as JSON Schema counts it; the
    integer field stays strict about anything else (text, true)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Address(Canonical):
    """A New Zealand street address, in the parts the NZ address standard (AS/NZS 4819) names.

    A unit may have its type ("Flat 2", "Shop 5"; without one it is written "2/14"), a level
    ("Level 3"), a building name, and a number range ("12-14"). Urban addresses have a suburb;
    rural ones may have a locality (kept in `suburb`) and a rural delivery number ("RD 2").
    A PO Box is a `PostBox`, never a street address.
    """

    unit_type: UnitType | None = Field(
        default=None,
        description="The unit's type, as in Flat, Apartment, Shop or Suite; only with `unit`.",
    )
    unit: UnitIdentifier | None = Field(default=None, description="The unit's identifier, as in 2.")
    level_type: LevelType | None = Field(
        default=None,
        description="As in Level or Ground Floor: Level and Floor need `level_number`, the "
        "others take none.",
    )
    level_number: (
        Annotated[str, AfterValidator(check_level_number), patterned(f"^{LEVEL_NUMBER}$")] | None
    ) = Field(default=None, description="The level's number, as in 3: only with `level_type`.")
    building_name: (
        Annotated[AddressText, AfterValidator(check_building_name), formatted("nz-building-name")]
        | None
    ) = Field(
        default=None,
        description="The building's name; with the unit, level, number and street it must fit "
        f"one line of {MAX_ADDRESS_PART} characters.",
    )
    number: StreetNumber = Field(description="The street number, or a range's first number.")
    number_last: StreetNumber | None = Field(
        default=None,
        description="A range's last number, above `number`: 14 of 12-14 Victoria Street.",
    )
    street: Annotated[AddressText, AfterValidator(check_road), formatted("nz-road-name")] = Field(
        description="The road name with its type, as in 'Smith Street'."
    )
    suburb: (
        Annotated[AddressText, AfterValidator(check_locality), formatted("nz-locality")] | None
    ) = Field(default=None, description="The suburb, or a rural locality.")
    rural_delivery: (
        Annotated[int, Field(ge=1, le=99, strict=True), BeforeValidator(whole_number)] | None
    ) = Field(default=None, description="The rural delivery number n of 'RD n'.")
    city: Annotated[TownText, AfterValidator(check_town), formatted("nz-locality")]
    postcode: Postcode

    @model_validator(mode="after")
    def _parts_agree(self) -> "Address":
        if self.unit_type is not None and self.unit is None:
            raise ValueError("unit: required with unit_type (the Flat of 'Flat 2' needs its 2)")
        if self.level_number is not None and self.level_type is None:
            raise ValueError("level_type: required with level_number, as in Level 3")
        if self.level_type in NUMBERED_LEVELS and self.level_number is None:
            raise ValueError(f"level_number: required for a {self.level_type}")
        if self.level_type in UNNUMBERED_LEVELS and self.level_number is not None:
            raise ValueError(f"level_number: a {self.level_type} has no number")
        if self.number_last is not None and number_order(self.number_last) <= number_order(
            self.number
        ):
            raise ValueError("number_last: must be above number (a range runs low to high)")
        if len(", ".join(self.premise_parts())) > MAX_ADDRESS_PART:
            raise ValueError(
                f"street: with the building, unit, level and number, must fit on one line of"
                f" {MAX_ADDRESS_PART} characters (agencies' address lines hold {MAX_ADDRESS_PART})"
            )
        return _fits_one_line(self)

    def lines(self) -> list[str]:
        """NZ Post's lines: the building's name, the street line ("Suite 4, Level 2, 55 Queen
        Street"), the suburb or locality, "RD n", then the town or city and postcode."""
        premise = self.premise_parts()
        # The building's name has a line of its own; a unit and a level join the street line.
        lines = [premise.pop(0)] if self.building_name else []
        lines += [", ".join(premise), *([self.suburb] if self.suburb else [])]
        lines += [] if self.rural_delivery is None else [f"RD {self.rural_delivery}"]
        return [*lines, f"{self.city} {self.postcode}"]

    def premise_parts(self) -> list[str]:
        """The building, unit, level and street line as NZ Post writes them, part by part."""
        level = None if self.level_type is None else (self.level_type, self.level_number)
        return premise_parts(
            building_name=self.building_name,
            unit_type=self.unit_type,
            unit=self.unit,
            level=level,
            number=self.number,
            number_last=self.number_last,
            street=self.street,
        )


# The rule of `PostBox._box_number_unless_counter`, for the OpenAPI document.
_BOX_NUMBER_UNLESS_COUNTER: JsonDict = {
    "if": {"properties": {"kind": {"const": "Counter Delivery"}}, "required": ["kind"]},
    "then": {"properties": {"box_number": {"type": "null"}}},
    "else": {"properties": {"box_number": {"type": "string"}}, "required": ["box_number"]},
}


class PostBox(Canonical):
    """A PO Box, Private Bag or counter delivery: where letters go, never where anyone lives."""

    model_config = ConfigDict(json_schema_extra=_BOX_NUMBER_UNLESS_COUNTER)

    kind: Literal["PO Box", "Private Bag", "Counter Delivery"] = "PO Box"
    box_number: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,6}$")] | None = None
    lobby: AddressText | None = Field(default=None, description="The post shop or lobby, if named.")
    city: TownText
    postcode: Postcode

    @model_validator(mode="after")
    def _box_number_unless_counter(self) -> "PostBox":
        if (self.kind == "Counter Delivery") != (self.box_number is None):
            raise ValueError("box_number: required for a PO Box or Private Bag, and only then")
        return _fits_one_line(self)

    def lines(self) -> list[str]:
        """NZ Post's lines: "PO Box 123" (or "Counter Delivery"), the lobby, the town and
        postcode."""
        box = self.kind if self.box_number is None else f"{self.kind} {self.box_number}"
        return [box, *([self.lobby] if self.lobby else []), f"{self.city} {self.postcode}"]


_AddressT = TypeVar("_AddressT", Address, PostBox)


def _fits_one_line(address: _AddressT) -> _AddressT:
    if len(", ".join(address.lines())) > MAX_ADDRESS_LINE:
        raise ValueError(
            f"address: must fit on one line of {MAX_ADDRESS_LINE} characters"
            f" (IRD's one-line address holds {MAX_ADDRESS_LINE})"
        )
    return address


PostalAddress = Address | PostBox
"""Where letters go: a street address or a PO Box."""


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
