"""The canonical postal address: a New Zealand street address in the parts AS/NZS 4819 names,
or a PO Box, each checked part by part and as a whole (its parts agree; it fits the lines
agencies give it). Reading and writing them as text is `onceonly.domain.addresses`.
"""

import re
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.config import JsonDict

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
from onceonly.domain.people import Canonical
from onceonly.domain.text_rules import formatted, patterned, printable, text_pattern


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
