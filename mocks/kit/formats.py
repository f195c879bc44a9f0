"""Field rules the mock agencies share, as their real systems would: New Zealand's today, names,
address parts (AS/NZS 4819 unit and level types, street lines, postcodes, rural delivery), ISO
dates, BDM's registration numbers, and the strict JSON conventions (camelCase, PascalCase,
snake_case) agencies' schemas are written in. Each agency's module keeps what is its own.
"""

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel, to_pascal


def _nz_zone() -> tzinfo:
    try:
        return ZoneInfo("Pacific/Auckland")
    except ZoneInfoNotFoundError:  # pragma: no cover - only on hosts without tz data
        # Standard time is close enough for "not after today" when no tz database exists.
        return timezone(timedelta(hours=12))


_NZ = _nz_zone()


def nz_today() -> date:
    """Today's date in New Zealand, where a baby born this morning was born "today"."""
    return datetime.now(_NZ).date()


def matching(pattern: str, rule: str) -> Callable[[str], str]:
    """A validator that accepts a string matching `pattern` and otherwise says `must be <rule>`.

    The message names the rule, never the value: submissions hold personal data.
    """
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"must be {rule}")
        return value

    return check


# The unit and level types of AS/NZS 4819 that NZ addresses use, as agencies' registers
# (fed from NZ Post's and LINZ's address data) spell them.
UNIT_TYPES = (
    "Apartment", "Flat", "Unit", "Shop", "Suite", "Villa", "Townhouse", "Room", "Studio",
    "Office", "Penthouse", "Kiosk", "Stall", "Site", "Warehouse", "Factory",
)  # fmt: skip
LEVEL_TYPES = (
    "Level", "Floor", "Basement", "Ground Floor", "Lower Ground Floor", "Upper Ground Floor",
    "Mezzanine", "Rooftop",
)  # fmt: skip
LEVEL_NUMBER_PATTERN = r"[0-9]{1,3}[A-Za-z]?"
STREET_LINE_PATTERN = (
    r"(?!(?i:p\.?\s*o\.?\s*box|private\s+bag|counter\s+delivery)\b)"
    r"(?:[^,]+, ){0,4}(?:[^/\s,]+/)?[0-9]+[A-Za-z]?(?:-[0-9]+[A-Za-z]?)? \S[^,]*"
)
"""A street line as NZ Post writes one: a building's name, a unit ("Flat 2") and a level
("Level 3"), each followed by ", ", then the number or range ("12-14"), with an untyped unit
before it and "/" ("1/21A"), and the street; never a PO Box or Private Bag."""
STREET_LINE_RULE = (
    "a street line: building, unit and level first if any, then the street number or range"
    " (an untyped unit before it with '/') and the street"
)
UnitType = Annotated[
    str, AfterValidator(matching("|".join(UNIT_TYPES), "a unit type, as in Flat or Suite"))
]
LevelType = Annotated[
    str, AfterValidator(matching("|".join(LEVEL_TYPES), "a level type, as in Level or Basement"))
]
LevelNumber = Annotated[
    str, AfterValidator(matching(LEVEL_NUMBER_PATTERN, "a level's number, as in 3 or 12A"))
]


# Letters of any script, macrons included, whether precomposed (ā) or combining (a + U+0304).
_LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])+"
NAME_PATTERN = rf"{_LETTERS}(?:[ '\u2019-]{_LETTERS})*"
"""A personal name: runs of letters joined by single spaces, hyphens or apostrophes."""
NAME_RULE = "letters, with single spaces, hyphens or apostrophes between them"


def not_after_today(value: date) -> date:
    """A validator for dates that must already have happened (New Zealand time)."""
    if value > nz_today():
        raise ValueError("must not be after today")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date_value(value: object) -> object:
    """A validator for agencies that write dates as ISO YYYY-MM-DD only: not the bare
    timestamps ("86400") that pydantic would also read as dates, nor any other format."""
    if not isinstance(value, str):
        return value
    if not _ISO_DATE.fullmatch(value):
        raise ValueError("must be an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO date YYYY-MM-DD") from None


def date_written(layout: str, rule: str, shape: str | None = None) -> Callable[[object], object]:
    """A validator for agencies that write dates their own way (`layout`, as strptime reads
    it; `shape`, a pattern the text must match first): anything else (ISO included) is refused
    as `must be a date written <rule>`, not guessed."""
    required = None if shape is None else re.compile(shape)

    def parse(value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            if required is not None and not required.fullmatch(value):
                raise ValueError
            return datetime.strptime(value, layout).date()
        except ValueError:
            raise ValueError(f"must be a date written {rule}") from None

    return parse


IsoPastDate = Annotated[date, BeforeValidator(iso_date_value), AfterValidator(not_after_today)]
"""An ISO date (and nothing else) that has already happened."""


class CamelCaseJson(BaseModel):
    """An agency's JSON in camelCase: strict types, and no field it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )


class PascalCaseJson(BaseModel):
    """An agency's JSON in PascalCase: strict types, and no field it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_pascal, validate_by_name=False
    )


class SnakeCaseJson(BaseModel):
    """An agency's JSON with Python's own snake_case names: strict, and no unknown field."""

    model_config = ConfigDict(extra="forbid", strict=True)


Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
"""A personal name (see `NAME_PATTERN`) of at most 100 characters, as most registers keep."""
LongName = Annotated[
    str, StringConstraints(max_length=200), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
"""Several personal names in one field (every given name, say): at most 200 characters."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=100)]
"""A free-text part (a suburb, a town, a street's name): 1 to 100 characters."""
PastDate = Annotated[date, AfterValidator(not_after_today)]
"""A date (in the agency's JSON type) that has already happened."""
Postcode = Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]
"""An NZ postcode."""
RuralDelivery = Annotated[str, AfterValidator(matching(r"RD [1-9][0-9]?", "'RD' and a number"))]
"""A rural delivery number as NZ Post writes it ("RD 2")."""
StreetLine = Annotated[
    str,
    StringConstraints(max_length=100),
    AfterValidator(matching(STREET_LINE_PATTERN, STREET_LINE_RULE)),
]
"""A street line as NZ Post writes one (see `STREET_LINE_PATTERN`)."""
RegistrationNumber = Annotated[
    str, AfterValidator(matching(r"[0-9]{4}/[0-9]{6}", "a registration number yyyy/nnnnnn"))
]
"""A BDM registration number (a birth's or a death's), as every agency quotes it."""

Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(matching(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an email address")),
]
"""An email address, checked no further than its shape (the agency writes to it, not us)."""

Identity = Annotated[
    str,
    AfterValidator(
        matching(r"[A-Za-z0-9._:-]{1,128}", "1 to 128 letters, digits, '.', '_', ':' or '-'")
    ),
]
"""The opaque identity a register looks a person up by (never a name): the rule every mock
register shares."""


def _ends_with_town_and_postcode(lines: list[str]) -> list[str]:
    if not re.fullmatch(r"\S.* [0-9]{4}", lines[-1]):
        raise ValueError("must end with a line of the town and a 4-digit postcode")
    return lines


PostalLines = Annotated[
    list[Text], Field(min_length=2, max_length=5), AfterValidator(_ends_with_town_and_postcode)
]
"""A postal address as 2 to 5 lines (a street address or a PO Box), the last one the town and
its postcode."""


def not_before(field: str, earlier: str, earlier_named: str) -> Any:
    """A model's validator for the date `field`, which must not come before the date field
    `earlier` (named `earlier_named` in the agency's JSON): a death before its birth, say."""

    def check(cls: type[BaseModel], value: date, info: ValidationInfo) -> date:
        del cls
        before = info.data.get(earlier)
        if before is not None and value < before:
            raise ValueError(f"must not be before {earlier_named}")
        return value

    return field_validator(field)(check)
