"""Canonical building blocks shared by every life event: names, addresses, contact details.

Text is kept exactly as given (macrons included); only surrounding spaces are trimmed.
"""

import re
import unicodedata
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import WithJsonSchema

from onceonly.domain.identifiers import (
    is_valid_driver_licence_number,
    is_valid_ird_number,
    is_valid_licence_version,
    is_valid_nhi_number,
    normalise_driver_licence_number,
    normalise_ird_number,
    normalise_nhi_number,
)


def _printable(value: str) -> str:
    # Control characters (newlines, NUL, escapes) have no place in a name or an address line,
    # and would corrupt the agencies' fixed-format records.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain control characters")
    return value


TEXT_MAX = 200
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode's control characters (category Cc)


# What pydantic trims as whitespace (Unicode's White_Space): Python's \s would take in the
# separators U+001C..U+001F too, which are control characters here.
_SPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def text_pattern(excluded: str = "") -> str:
    """Text as sent: whitespace around (trimmed), then 1 to 200 characters that start and end
    with something besides a space, none of them a control character or one of `excluded`."""
    inner = f"[^{excluded}{_CONTROL}]"
    edge = f"[^{_SPACE}{excluded}{_CONTROL}]"
    return f"^[{_SPACE}]*{edge}(?:{inner}{{0,{TEXT_MAX - 2}}}{edge})?[{_SPACE}]*$"


def formatted(name: str, **schema: object) -> WithJsonSchema:
    """How the OpenAPI document states a rule JSON Schema cannot (a check digit, a script): a
    string of a named format, which the document's formats list explains."""
    return WithJsonSchema({"type": "string", "format": name, **schema}, mode="validation")


def patterned(pattern: str, **schema: object) -> WithJsonSchema:
    """How the OpenAPI document states a rule checked on trimmed text: a pattern on the text as
    sent (spaces around allowed), so that the document and the validator agree both ways."""
    return WithJsonSchema({"type": "string", "pattern": pattern, **schema}, mode="validation")


Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TEXT_MAX),
    AfterValidator(_printable),
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
    if not re.fullmatch(r"[0-9]+[A-Za-z]?", value):
        raise ValueError("must be a street number with an optional letter suffix, as in 21A")
    return value


Postcode = Annotated[str, AfterValidator(_postcode), patterned(r"^[0-9]{4}$")]
StreetNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_street_number),
    patterned(r"^\s*[0-9]+[A-Za-z]?\s*$"),
]
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("must be a phone number of 6 to 20 digits, spaces, dashes or brackets")
    return value


Phone = Annotated[str, AfterValidator(_phone), patterned(_PHONE.pattern)]
# The dot-atom form of RFC 5322 that every mail system accepts; quoted local parts and
# markup are refused.
Email = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
        r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        max_length=254,
    ),
]


class Canonical(BaseModel):
    """Base of every canonical model: immutable, and unknown fields are an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _name_characters(value: str) -> str:
    # Letters and their marks (macrons, precomposed or combining) in any script, joined by
    # spaces, hyphens, apostrophes or full stops: invisible format characters (bidirectional
    # overrides, zero-width spaces) and markup have no place in a name agencies will print.
    for char in value:
        if not (unicodedata.category(char)[0] in "LM" or char in _NAME_JOINERS):
            raise ValueError("must be letters, with spaces, hyphens, apostrophes or full stops")
    return value


_NAME_JOINERS = frozenset(" -'.\u2019")
NameText = Annotated[
    Text,
    AfterValidator(_name_characters),
    formatted("person-name", minLength=1, maxLength=TEXT_MAX),
]


class PersonName(Canonical):
    """A person's name: given names in order (one may contain a space) and a family name."""

    given_names: list[NameText] = Field(min_length=1, max_length=10)
    family_name: NameText
    known_as: NameText | None = Field(default=None, description="The name the person prefers.")


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


def _no_comma(value: str) -> str:
    # Commas separate the parts of a written address: one inside a part would make the
    # address read back as different parts (see onceonly.domain.addresses).
    if "," in value:
        raise ValueError("must not contain a comma (commas separate the parts of an address)")
    return value


AddressText = Annotated[Text, AfterValidator(_no_comma), patterned(text_pattern(","))]
"""One part of an address (a street, suburb, town or lobby): text without commas."""


def _suburb_not_rural_delivery(value: str) -> str:
    if rural_delivery_number(value) is not None:
        raise ValueError("must be a suburb or locality; 'RD n' goes in rural_delivery")
    return value


def _unit(value: str) -> str:
    # AS/NZS 4819 unit identifiers are letters and digits; the unit type (Flat, Unit) is
    # not kept, and "/" or "," would read back as another part of the address.
    if not re.fullmatch(r"[0-9A-Za-z]+", value):
        raise ValueError("must be the unit's letters and digits, as in 2 or 3B, without 'Flat'")
    return value


UnitIdentifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=20),
    AfterValidator(_unit),
    patterned(r"^\s*[0-9A-Za-z]{1,20}\s*$"),
]


def whole_number(value: object) -> object:
    """A JSON number with no fraction (2.0) as the integer it is, as JSON Schema counts it; the
    integer field stays strict about anything else (text, true)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Address(Canonical):
    """A New Zealand street address, in the parts the NZ address standard (AS/NZS 4819) names.

    Urban addresses have a suburb; rural ones may have a locality (kept in `suburb`) and a
    rural delivery number ("RD 2"). A PO Box is a `PostBox`, never a street address.
    """

    unit: UnitIdentifier | None = None
    number: StreetNumber
    street: Annotated[AddressText, AfterValidator(_street_not_post_box)] = Field(
        description="The road name with its type, as in 'Smith Street'."
    )
    suburb: Annotated[AddressText, AfterValidator(_suburb_not_rural_delivery)] | None = Field(
        default=None, description="The suburb, or a rural locality."
    )
    rural_delivery: (
        Annotated[int, Field(ge=1, le=99, strict=True), BeforeValidator(whole_number)] | None
    ) = Field(default=None, description="The rural delivery number n of 'RD n'.")
    city: AddressText
    postcode: Postcode


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
    city: AddressText
    postcode: Postcode

    @model_validator(mode="after")
    def _box_number_unless_counter(self) -> "PostBox":
        if (self.kind == "Counter Delivery") != (self.box_number is None):
            raise ValueError("box_number: required for a PO Box or Private Bag, and only then")
        return self


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
