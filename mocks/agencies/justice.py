"""Mock of the Ministry of Justice's Collections unit (fines and reparation), which takes a
daily file of address updates rather than calls (see mocks/kit/batch.py).

Its traits: CSV with upper-case headers and every column present (an absent value empty),
the sender's reference first (`SUBMISSION_REF`, repeated in the acknowledgement), the surname
and the given names apart, dates as DD/MM/YYYY, the address as a street line, suburb, rural
delivery ("RD 2"), town or city and four-digit postcode. It accepts each valid record with a
Collections reference ("CR-000001") and rejects the rest with each broken field's rule.
"""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

from mocks.kit.batch import MockBatchAgency
from mocks.kit.formats import (
    LongName,
    Name,
    Postcode,
    StreetLine,
    Text,
    date_written,
    matching,
    not_after_today,
)
from mocks.kit.store import NextNumber

PastDayMonthYear = Annotated[
    date,
    BeforeValidator(date_written("%d/%m/%Y", "DD/MM/YYYY", r"[0-9]{2}/[0-9]{2}/[0-9]{4}")),
    AfterValidator(not_after_today),
]
MaybeText = Annotated[str, StringConstraints(max_length=100)]
MaybeRuralDelivery = Annotated[
    str, AfterValidator(matching(r"(RD [1-9][0-9]?)?", "empty, or 'RD' and a number"))
]


class AddressUpdate(BaseModel):
    """One line of Collections' address-update file."""

    model_config = ConfigDict(extra="forbid")

    SUBMISSION_REF: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    SURNAME: Name
    GIVEN_NAMES: LongName
    DATE_OF_BIRTH: PastDayMonthYear
    ADDRESS_LINE_1: StreetLine
    SUBURB: MaybeText
    RURAL_DELIVERY: MaybeRuralDelivery
    TOWN_CITY: Text
    POSTCODE: Postcode


def accept(update: BaseModel, next_number: NextNumber) -> str:
    """Collections keeps the new address: its reference for the change."""
    del update  # every valid update is kept the same way
    return f"CR-{next_number('justice.collections'):06d}"


AGENCY = MockBatchAgency(
    name="justice",
    record=AddressUpdate,
    reference="SUBMISSION_REF",
    accept=accept,
    ack_columns=("SUBMISSION_REF", "RESULT", "COLLECTIONS_REF", "REASON"),
    not_held="Collections holds no record matching this name and date of birth",
)
