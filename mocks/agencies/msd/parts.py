"""The parts the Ministry of Social Development's requests are built of (see mocks/agencies/msd/):
its JSON conventions, field rules, a client, and addresses, a postal box being its own shape.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from mocks.agencies.ird.numbers import is_valid_ird_number
from mocks.kit.formats import (
    NAME_PATTERN,
    NAME_RULE,
    LevelNumber,
    LevelType,
    Name,
    PastDate,
    SnakeCaseJson,
    Text,
    UnitType,
    matching,
    not_before,
)
from mocks.kit.formats import Postcode as PostCode


def _ird_number(value: str) -> str:
    if not is_valid_ird_number(value):
        raise ValueError("must be 9 digits with a valid IRD check digit")
    return value


def _positive(amount: str) -> str:
    if Decimal(amount) <= 0:
        raise ValueError("must be more than zero")
    return amount


# Middle names may be empty: many people have none.
MiddleNames = Annotated[
    str,
    StringConstraints(max_length=200),
    AfterValidator(matching(rf"(?:{NAME_PATTERN})?", f"empty, or {NAME_RULE}")),
]
IrdNumber = Annotated[str, AfterValidator(_ird_number)]
Phone = Annotated[
    str, AfterValidator(matching(r"\+?[0-9]{7,15}", "7 to 15 digits, optionally after +"))
]
ClientNumber = Annotated[str, AfterValidator(matching(r"[0-9]{9}", "nine digits"))]
Amount = Annotated[
    str,
    AfterValidator(matching(r"[0-9]{1,6}\.[0-9]{2}", "dollars with two decimals, as in 8450.00")),
    AfterValidator(_positive),
]


class MsdModel(SnakeCaseJson):
    """MSD's JSON: snake_case, strict types, and no field it does not know."""


StreetNumber = Annotated[
    str, AfterValidator(matching(r"[0-9]+[A-Za-z]?", "digits with an optional letter"))
]


class Address(MsdModel):
    """Where someone lives, in MSD's address parts."""

    unit_type: UnitType | None = None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None
    level_type: LevelType | None = None
    level_number: LevelNumber | None = None
    building_name: Text | None = None
    street_number: StreetNumber
    street_number_last: StreetNumber | None = None
    street_name: Text
    suburb: Text | None = None
    rural_delivery: Annotated[int, Field(ge=1, le=99)] | None = None
    town: Text
    post_code: PostCode


class Client(MsdModel):
    """A client, as MSD matches one to its records: names and date of birth."""

    first_name: Name
    middle_names: MiddleNames
    last_name: Name
    date_of_birth: PastDate


class DeceasedClient(Client):
    """A client who has died."""

    date_of_death: PastDate

    _after_birth = not_before("date_of_death", "date_of_birth", "date_of_birth")


class StreetPostalAddress(Address):
    """Letters to a street address."""

    kind: Literal["street"]


class BoxPostalAddress(MsdModel):
    """Letters to a PO Box, Private Bag or counter delivery (which has no box number)."""

    kind: Literal["box"]
    box_type: Literal["po_box", "private_bag", "counter_delivery"]
    box_number: Annotated[str, AfterValidator(matching(r"[0-9]{1,6}", "1 to 6 digits"))] | None = (
        None
    )
    lobby: Text | None = None
    town: Text
    post_code: PostCode

    @model_validator(mode="after")
    def _box_number_unless_counter(self) -> "BoxPostalAddress":
        if (self.box_type == "counter_delivery") != (self.box_number is None):
            raise ValueError("box_number: required for a PO Box or Private Bag, and only then")
        return self


def _kind(value: Any) -> Any:
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


PostalAddress = Annotated[
    Annotated[StreetPostalAddress, Tag("street")] | Annotated[BoxPostalAddress, Tag("box")],
    # pydantic's own message for an unknown kind would quote it; the rule is enough.
    Discriminator(
        _kind,
        custom_error_type="postal_address_kind",
        custom_error_message="must have kind 'street' or 'box'",
    ),
]
"""Where MSD writes to someone: a street, or a box."""


def deceased_client_coverage(at: str) -> dict[str, str]:
    """What a `DeceasedClient` at the request path `at` is made from (see mocks.kit.receipts)."""
    names = dict.fromkeys(("first_name", "middle_names", "last_name"), "deceased.name")
    dates = {part: f"deceased.{part}" for part in ("date_of_birth", "date_of_death")}
    return {f"{at}.{part}": source for part, source in (names | dates).items()}


class WithdrawalRequest(MsdModel):
    """A request to withdraw an application or a change of circumstances, with MSD's code
    for why."""

    reason: Literal["client_request", "consent_withdrawn", "duplicate"]
