"""The words of an NZ address (AS/NZS 4819:2011) and its parts' rules: unit and level types,
how each is read, the premise line, and what each part may not be mistaken for.

The canonical model keeps each word in one spelling ("Apartment", "Level"); people write
abbreviations and other cases ("Apt. 2", "L3", "5th floor"), which `read_unit` and `read_level`
make canonical. The model's rules and the parser share these readers, so a building name can
be refused for reading as a unit exactly when the parser would read it as one.
"""

import re
from collections.abc import Mapping
from string import ascii_letters
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, StringConstraints

from onceonly.domain.text_rules import patterned

UnitType = Literal[
    "Apartment", "Flat", "Unit", "Shop", "Suite", "Villa", "Townhouse", "Room", "Studio",
    "Office", "Penthouse", "Kiosk", "Stall", "Site", "Warehouse", "Factory",
]  # fmt: skip
"""AS/NZS 4819's sub-premise types that NZ addresses use, as the standard spells them."""
LevelType = Literal[
    "Level", "Floor", "Basement", "Ground Floor", "Lower Ground Floor", "Upper Ground Floor",
    "Mezzanine", "Rooftop",
]  # fmt: skip
"""AS/NZS 4819's level types, as the standard spells them."""

# The abbreviations AS/NZS 4819 and NZ Post list, each read as its type's one spelling.
_UNIT_SPELLINGS: dict[str, UnitType] = {
    "apt": "Apartment", "flt": "Flat", "shp": "Shop", "ste": "Suite", "vlla": "Villa",
    "tnhs": "Townhouse", "rm": "Room", "stu": "Studio", "off": "Office", "ofc": "Office",
    "pent": "Penthouse", "ksk": "Kiosk", "stll": "Stall", "whse": "Warehouse", "fcty": "Factory",
    **{word.casefold(): word for word in get_args(UnitType)},
}  # fmt: skip
_LEVEL_SPELLINGS: dict[str, LevelType] = {
    "l": "Level", "lvl": "Level", "lev": "Level", "fl": "Floor", "flr": "Floor",
    "bsmt": "Basement", "ground": "Ground Floor", "ground level": "Ground Floor",
    "gf": "Ground Floor", "lower ground": "Lower Ground Floor", "lg": "Lower Ground Floor",
    "upper ground": "Upper Ground Floor", "ug": "Upper Ground Floor", "mezz": "Mezzanine",
    "roof": "Rooftop", **{word.casefold(): word for word in get_args(LevelType)},
}  # fmt: skip
# Level and Floor need a number; the ground floors have none; the others may have one.
NUMBERED_LEVELS = frozenset({"Level", "Floor"})
UNNUMBERED_LEVELS = frozenset({"Ground Floor", "Lower Ground Floor", "Upper Ground Floor"})
_OPTIONALLY_NUMBERED = frozenset(get_args(LevelType)) - NUMBERED_LEVELS - UNNUMBERED_LEVELS


def _words(spellings: Mapping[str, str]) -> str:
    # Longest first, so "lower ground floor" is read whole rather than as "l".
    longest_first = sorted(spellings, key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in longest_first)


UNIT_ID = r"[0-9A-Za-z]+"
LEVEL_NUMBER = r"[0-9]{1,3}[A-Za-z]?"
# A unit word and its identifier: a space between them, or none before a digit ("Flat2").
UNIT_WORD = rf"(?P<unit_type>(?i:{_words(_UNIT_SPELLINGS)}))\.?(?:\s+|(?=[0-9]))"
_UNIT_PART = re.compile(rf"{UNIT_WORD}(?P<unit>{UNIT_ID})")
_LEVEL_PART = re.compile(
    rf"(?P<type>(?i:{_words(_LEVEL_SPELLINGS)}))\.?(?:(?:\s+|(?=[0-9]))(?P<number>{LEVEL_NUMBER}))?"
    rf"|(?P<ordinal>[0-9]{{1,3}})(?i:st|nd|rd|th)\s+(?P<ordinal_type>(?i:floor|level))"
)


def unit_type_of(word: str) -> UnitType:
    """The canonical unit type of a spelling the unit word pattern matched ("apt." is Apartment)."""
    return _UNIT_SPELLINGS[" ".join(word.casefold().rstrip(".").split())]


def read_unit(text: str) -> tuple[UnitType, str] | None:
    """A unit written alone ("Flat 2", "apt 3B") as its type and identifier, or None."""
    found = _UNIT_PART.fullmatch(text.strip())
    return None if found is None else (unit_type_of(found["unit_type"]), found["unit"])


def read_level(text: str) -> tuple[LevelType, str | None] | None:
    """A level ("Level 3", "L3", "Ground Floor", "5th Floor") as its type and number, or None.

    A numbered level type without its number, or a ground floor with one, is no level.
    """
    found = _LEVEL_PART.fullmatch(text.strip())
    if found is None:
        return None
    if found["ordinal"]:
        return "Level" if found["ordinal_type"].casefold() == "level" else "Floor", found["ordinal"]
    kind: LevelType = _LEVEL_SPELLINGS[" ".join(found["type"].casefold().split())]
    number = found["number"]
    if (kind in NUMBERED_LEVELS) != (number is not None) and kind not in _OPTIONALLY_NUMBERED:
        return None
    return kind, number


def level_text(kind: str, number: str | None) -> str:
    """A level as written: "Level 3", "Basement 2", "Ground Floor"."""
    return kind if number is None else f"{kind} {number}"


# Agencies' address fields and lines hold 100 characters (BDM, ACC, NZTA, MSD, the council,
# the roll, Veterans' Affairs), and IRD's one-line address 200: intake refuses longer first.
# The premise (building, unit, level, street line) is one line where an agency has no fields
# for its parts, so it too must fit in 100.
MAX_ADDRESS_PART = 100
MAX_ADDRESS_LINE = 200


def premise_parts(
    *,
    building_name: str | None,
    unit_type: str | None,
    unit: str | None,
    level: tuple[str, str | None] | None,
    number: str,
    number_last: str | None,
    street: str,
) -> list[str]:
    """The premise as NZ Post writes it, part by part: ["Vero Centre", "Suite 4", "Level 2",
    "48-50 Shortland Street"]; an untyped unit goes before the number ("2/48")."""
    numbers = number if number_last is None else f"{number}-{number_last}"
    if unit and unit_type is None:
        numbers = f"{unit}/{numbers}"
    parts = [building_name] if building_name else []
    parts += [f"{unit_type} {unit}"] if unit_type else []
    parts += [level_text(*level)] if level else []
    return [*parts, f"{numbers} {street}"]


# A street line: a unit before the number ("Flat 2/21A", "Unit 3 45", "1/21A"), the number or
# a range ("12-14", an en dash read alike), then the road.
STREET_LINE = re.compile(
    rf"(?:{UNIT_WORD}(?P<word_unit>{UNIT_ID})\s*[/\s]\s*|(?P<unit>{UNIT_ID})\s*/\s*)?"
    r"(?P<number>[0-9]+[A-Za-z]?)(?:\s*[-\u2013]\s*(?P<number_last>[0-9]+[A-Za-z]?))?"
    r"\s+(?P<street>.+)",
    re.DOTALL,
)


_POST_BOX = re.compile(r"^\s*(p\.?\s*o\.?\s*box|private\s+bag|counter\s+delivery)\b", re.I)


def is_post_box_text(text: str) -> bool:
    """True when a street line is really a PO Box, Private Bag or counter delivery."""
    return bool(_POST_BOX.match(text))


def _street_not_post_box(value: str) -> str:
    if is_post_box_text(value):
        raise ValueError("must be a street, not a PO Box or Private Bag")
    return value


_RURAL_DELIVERY = re.compile(r"(?i:r\.?\s*d\.?)\s*([0-9]{1,2})")


def rural_delivery_number(text: str) -> int | None:
    """The n of a rural delivery line ("RD 2", "rd2", "R.D. 2"), or None when it is not one."""
    found = _RURAL_DELIVERY.fullmatch(text.strip())
    return None if found is None else int(found.group(1))


def check_locality(value: str) -> str:
    """A suburb or locality, which is never an RD line nor a PO Box."""
    if rural_delivery_number(value) is not None:
        raise ValueError("must be a suburb or locality; 'RD n' goes in rural_delivery")
    return check_town(value)


def check_town(value: str) -> str:
    """A place where people live: a street address's line that begins "PO Box" would be
    refused as a postal address where only a residence will do (the electoral roll)."""
    if is_post_box_text(value):
        raise ValueError("must be a place, not a PO Box or Private Bag")
    return value


def check_level_number(value: str) -> str:
    """A level's number: "3", "12A"."""
    if not re.fullmatch(LEVEL_NUMBER, value):
        raise ValueError("must be the level's number, as in 3 or 12A, without 'Level'")
    return value


def check_road(value: str) -> str:
    """A road's name with its type: "Smith Street", never a PO Box."""
    # A road's name begins with a letter or digit: a leading "/" or "-" would read back as
    # a unit or a number range ("2 /3 Road" as unit 2 at number 3).
    if not value[0].isalnum():
        raise ValueError("must begin with a letter or digit")
    return _street_not_post_box(value)


def check_building_name(value: str) -> str:
    """A building's name, which reads as no other part of an address."""
    # The building's line comes before the street line; a name that read as a unit, a level,
    # the street line, an RD or a PO Box would read back as that part instead.
    if read_unit(value) or read_level(value) or STREET_LINE.fullmatch(value):
        raise ValueError("must be a building's name, not a unit, level or number and street")
    if rural_delivery_number(value) is not None or is_post_box_text(value):
        raise ValueError("must be a building's name, not an RD or a PO Box")
    return value


def number_order(number: str) -> tuple[int, str]:
    """A street number's place in a range: "12A" is (12, "A")."""
    digits = number.rstrip(ascii_letters)
    return int(digits), number[len(digits) :].upper()


def check_no_comma(value: str) -> str:
    """A part of an address, which has no comma."""
    # Commas separate the parts of a written address: one inside a part would make the
    # address read back as different parts (see onceonly.domain.addresses).
    if "," in value:
        raise ValueError("must not contain a comma (commas separate the parts of an address)")
    return value


def _unit(value: str) -> str:
    # AS/NZS 4819 unit identifiers are letters and digits; the unit type (Flat, Unit) is
    # kept in unit_type, and "/" or "," would read back as another part of the address.
    if not re.fullmatch(r"[0-9A-Za-z]+", value):
        raise ValueError(
            "must be the unit's letters and digits, as in 2 or 3B; 'Flat' goes in unit_type"
        )
    return value


UnitIdentifier = Annotated[
    # NZTA's and MSD's unit fields hold 10 characters; AS/NZS 4819's identifiers are shorter.
    str,
    StringConstraints(strip_whitespace=True, max_length=10),
    AfterValidator(_unit),
    patterned(rf"^\s*{UNIT_ID[:-1]}{{1,10}}\s*$"),
]
