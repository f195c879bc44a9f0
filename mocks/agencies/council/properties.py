"""The council's properties: how the mock council knows a property, by its own id and by its
address, and the look-up that finds the id (`GET /council/v1/properties`).

The rating database is derived, not held: any NZ street address has a property, whose id is
a council prefix chosen by the postcode's region and a hash of the normalised address (the
same address typed with other spacing, case or macron encoding is the same property). PO
Boxes and other shapes have none. A submission carries the id and the address, and the id
must be the address's.
"""

import hashlib
import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, ValidationInfo, field_validator

from mocks.kit.formats import (
    STREET_LINE_PATTERN,
    STREET_LINE_RULE,
    CamelCaseJson,
    Postcode,
    RuralDelivery,
    Text,
    matching,
)
from mocks.kit.store import Store

# The council prefix of a property id, by the postcode's first digit: its region (Northland,
# Auckland, Waikato, the central North Island, Wellington, the top of the South Island,
# Canterbury, Otago and Southland).
_COUNCIL_BY_REGION = ("NTH", "AKL", "AKL", "WKO", "MWT", "WGN", "WGN", "NSN", "CHC", "DUD")
_STREET_LINE = re.compile(STREET_LINE_PATTERN)


class CouncilModel(CamelCaseJson):
    """The council's JSON: camelCase, strict types, and no field it does not know."""


class PropertyQuery(CouncilModel):
    """The property look-up's query: an address as the council writes it."""

    street: Text
    suburb: Text | None = None
    rural_delivery: RuralDelivery | None = None
    town: Text
    postcode: Postcode


class PropertyAddress(PropertyQuery):
    """A rateable property's address in a submission: a street line, never a PO Box."""

    street: Annotated[
        str,
        StringConstraints(max_length=100),
        AfterValidator(matching(STREET_LINE_PATTERN, STREET_LINE_RULE)),
    ]


def _normalised(text: str | None) -> str:
    # The same address typed with other spacing, case or macron encoding is the same property.
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def property_for(address: PropertyQuery) -> dict[str, str] | None:
    """The council's property at the address, or None when it is no street address."""
    if not _STREET_LINE.fullmatch(" ".join(address.street.split())):
        return None
    parts = (address.street, address.suburb, address.rural_delivery, address.town)
    key = "|".join(_normalised(part) for part in (*parts, address.postcode))
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    council = _COUNCIL_BY_REGION[int(address.postcode[0])]
    return {
        "propertyId": f"{council}-{digest % 10**8:08d}",
        # Valuation roll and assessment numbers, as on a rates notice: "17360/04211".
        "valuationNumber": f"{10_000 + digest // 10**8 % 90_000}/{digest // 10**13 % 10**5:05d}",
    }


async def find_property(query: PropertyQuery, store: Store) -> dict[str, str] | None:
    """The property look-up: every street address has a property; nothing else has."""
    del store  # the rating database is derived from addresses, not held
    return property_for(query)


class PropertySubmission(CouncilModel):
    """A submission about a property: its address, then its id, which must be the address's."""

    property: PropertyAddress
    property_id: Annotated[
        str, AfterValidator(matching(r"[A-Z]{3}-[0-9]{8}", "a property id such as WGN-01234567"))
    ]

    @field_validator("property_id")
    @classmethod
    def _belongs_to_the_address(cls, property_id: str, info: ValidationInfo) -> str:
        address = info.data.get("property")
        found = None if address is None else property_for(address)
        if address is not None and (found is None or found["propertyId"] != property_id):
            raise ValueError("must be the property id the look-up gives for the property")
        return property_id
