"""The FHIR parts Health New Zealand's services share (see mocks/agencies/health/): the JSON
conventions, the FHIR R4 check every request passes first, `HumanName`s, NZ `Address`es,
references to organisations, and NHI numbers with their check characters.

Like a FHIR server, Health first checks that a request is a valid FHIR resource: the
`fhir.resources` models of FHIR R4B (R4's compatible point release; the package has no R4
models of pydantic v2) refuse an element FHIR does not have, a value of the wrong data type,
a malformed date. Then its own rules (its profile) check what it needs. Each refusal names
the element's FHIRPath (`Patient.contact[0].relationship[0]`), as a FHIR validator does.

NHI numbers come in two formats (HISO 10046): the old AAANNNC, whose check is a digit, and
the new AAANNAX, whose check is a letter. NHI letters leave out I and O.
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, Self

from fhir.resources.R4B.resource import Resource
from pydantic import AfterValidator, Field, StringConstraints, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from mocks.kit.formats import CamelCaseJson, Name, matching

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


Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class FhirModel(CamelCaseJson):
    """FHIR JSON: camelCase, strict types, and no element it does not know."""


def _fhir_rule(error: Any) -> str:
    """What a `fhir.resources` error says, as a rule, without the value it was given."""
    if error["type"] == "json_invalid" and not error["loc"]:
        return "the body must be valid JSON"
    if error["type"] == "json_invalid":
        # fhir.resources reads a string where FHIR wants a complex type (a CodeableConcept,
        # say) as JSON, and says only that it is not JSON.
        return "must be a FHIR complex-type object (such as a CodeableConcept), not a string"
    if error["type"] == "extra_forbidden":
        return "is not an element of this FHIR R4 resource"
    if error["type"] == "fhir-validation-wrong-resource-type":
        return f"must be {error['ctx']['expected_resource_type']}"
    return f"must be valid FHIR R4: {str(error['msg']).removeprefix('Value error, ')}"


def _located(error: ValidationError, resource_type: str, *, fhir: bool) -> ValidationError:
    """The errors again, each at its element's FHIRPath (`Patient.birthDate`)."""
    details: list[InitErrorDetails] = []
    for found in error.errors(include_url=False, include_input=False):
        # A tagged union's tag is a resource type (capitalised, as no FHIR element is): it
        # says which model checked the entry, and is no part of the element's path.
        loc = [
            "resourceType" if part == "resource_type" else part
            for part in found["loc"]
            if not (isinstance(part, str) and part[:1].isupper())
        ]
        rule = _fhir_rule(found) if fhir else found["msg"].removeprefix("Value error, ")
        details.append(
            InitErrorDetails(
                type=PydanticCustomError("fhir", "{rule}", {"rule": rule}),
                # A body that is no JSON is no resource: its refusal names no element.
                loc=(resource_type, *loc) if found["loc"] else (),
                input=None,
            )
        )
    return ValidationError.from_exception_data(resource_type, details)


class FhirResource(FhirModel):
    """A FHIR resource the mock takes: a valid FHIR R4 resource first (`fhir_model`), then one
    that keeps the mock's own rules; errors of both are named by FHIRPath."""

    fhir_model: ClassVar[type[Resource]]
    """The `fhir.resources` model of the resource type."""

    @classmethod
    def model_validate_json(cls, json_data: str | bytes | bytearray, **kwargs: Any) -> Self:
        """The request read from JSON, as the mock receives it: FHIR's check, then ours."""
        resource_type = cls.fhir_model.__name__
        try:
            cls.fhir_model.model_validate_json(json_data)
        except ValidationError as error:
            raise _located(error, resource_type, fhir=True) from None
        try:
            return super().model_validate_json(json_data, **kwargs)
        except ValidationError as error:
            raise _located(error, resource_type, fhir=False) from None


def valid_fhir(model: type[Resource], answer: dict[str, Any]) -> dict[str, Any]:
    """`answer`, after checking it is a valid FHIR R4 `model`: the mock answers nothing else."""
    model.model_validate(answer)
    return answer


def fhir_meta(version_id: str) -> dict[str, str]:
    """A resource's `meta` as the server stores it now: its version and when it was made."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return {"versionId": version_id, "lastUpdated": now}


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
    type: Literal["physical", "postal", "both"] | None = None
    line: list[Text] = Field(min_length=1, max_length=3)
    city: Text
    postal_code: Annotated[str, AfterValidator(matching(r"[0-9]{4}", "four digits"))]
    country: Literal["NZ"]


class OrganisationReference(FhirModel):
    """A FHIR Reference to an organisation by display name only (as the patient names it)."""

    type: Literal["Organization"]
    display: Text


class NhiIdentifier(FhirModel):
    """A FHIR Identifier holding a new-format NHI number, check letter and all."""

    use: Literal["official"] | None = None
    system: Literal["https://standards.digital.health.nz/ns/nhi-id"]
    value: Annotated[str, AfterValidator(new_format_nhi)]


class AnyNhiIdentifier(FhirModel):
    """A FHIR Identifier holding an NHI number in either format, check character and all."""

    use: Literal["official"] | None = None
    system: Literal["https://standards.digital.health.nz/ns/nhi-id"]
    value: Annotated[str, AfterValidator(any_format_nhi)]
