"""The FHIR parts Health New Zealand's services share (see mocks/health.py): the JSON
conventions, `HumanName`s, NZ `Address`es, and NHI numbers with their check characters.

NHI numbers come in two formats (HISO 10046): the old AAANNNC, whose check is a digit, and
the new AAANNAX, whose check is a letter. NHI letters leave out I and O.
"""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

from mocks.agency import NAME_PATTERN, NAME_RULE, matching, not_after_today

# NHI letters leave out I and O, so A=1 ... Z=24.
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_NHI_WEIGHTS = (7, 6, 5, 4, 3, 2)
_NEW_FORMAT = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}")
_OLD_FORMAT = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{4}")

NHI_SYSTEM = "https://standards.digital.health.nz/ns/nhi-id"
"""The naming system of NHI numbers in NZ health identifiers."""


def _nhi_weighted_sum(first6: str) -> int:
    def value(char: str) -> int:
        return int(char) if char.isdigit() else _NHI_LETTERS.index(char) + 1

    return sum(value(c) * w for c, w in zip(first6, _NHI_WEIGHTS, strict=True))


def nhi_check_character(first6: str) -> str:
    """The new-format (AAANNAA) NHI check letter for the six characters before it."""
    # HISO 10046:2023: 23 - (total % 23) is 1..23 (A..Y), so every base has a check letter.
    return _NHI_LETTERS[23 - _nhi_weighted_sum(first6) % 23 - 1]


def new_format_nhi(value: str) -> str:
    """A validator for new-format NHI numbers (AAANNAA) with their right check letter."""
    if not _NEW_FORMAT.fullmatch(value):
        raise ValueError("must be a new-format NHI number AAANNAA")
    if nhi_check_character(value[:6]) != value[6]:
        raise ValueError("must end in the NHI number's check letter")
    return value


def any_format_nhi(value: str) -> str:
    """A validator for NHI numbers in either format, with their right check character."""
    if _NEW_FORMAT.fullmatch(value):
        return new_format_nhi(value)
    if not _OLD_FORMAT.fullmatch(value):
        raise ValueError("must be an NHI number AAANNNN or AAANNAA (no I or O)")
    remainder = _nhi_weighted_sum(value[:6]) % 11
    # A base whose sum is 0 mod 11 has no check digit; 10 is written 0.
    if remainder == 0 or (11 - remainder) % 10 != int(value[6]):
        raise ValueError("must end in the NHI number's check digit")
    return value


def _one_official_name(names: list["HumanName"]) -> list["HumanName"]:
    if [n.use for n in names].count("official") != 1:
        raise ValueError("must hold exactly one name with use 'official'")
    return names


Name = Annotated[
    str, StringConstraints(max_length=100), AfterValidator(matching(NAME_PATTERN, NAME_RULE))
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
PastDate = Annotated[date, AfterValidator(not_after_today)]


class FhirModel(BaseModel):
    """FHIR JSON: camelCase, strict types, and no element it does not know."""

    model_config = ConfigDict(
        extra="forbid", strict=True, alias_generator=to_camel, validate_by_name=False
    )


class HumanName(FhirModel):
    """A FHIR HumanName: the official name, or the name the person usually goes by."""

    use: Literal["official", "usual"]
    family: Name
    given: list[Name] = Field(min_length=1, max_length=10)


OfficialNames = Annotated[
    list[HumanName], Field(min_length=1, max_length=2), AfterValidator(_one_official_name)
]
"""A patient's names: exactly one official, and perhaps the one they usually go by."""


class Address(FhirModel):
    """A FHIR Address in New Zealand: the street line, then the suburb and "RD n" (when the
    address has them) in `line`, then the city."""

    use: Literal["home"]
    line: list[Text] = Field(min_length=1, max_length=3)
    city: Text
    postal_code: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]
    country: Literal["NZ"]


class NhiIdentifier(FhirModel):
    """A FHIR Identifier holding a new-format NHI number, check letter and all."""

    system: Literal["https://standards.digital.health.nz/ns/nhi-id"]
    value: Annotated[str, AfterValidator(new_format_nhi)]


class AnyNhiIdentifier(FhirModel):
    """A FHIR Identifier holding an NHI number in either format, check character and all."""

    system: Literal["https://standards.digital.health.nz/ns/nhi-id"]
    value: Annotated[str, AfterValidator(any_format_nhi)]
