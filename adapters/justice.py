"""Adapter for the Ministry of Justice's Collections unit (fines and reparation): tells it a
mover's new address, by its daily file (see adapters.batch_file).

Collections' file is CSV with upper-case headers: our reference first (`SUBMISSION_REF`, the
submission's idempotency key, which its acknowledgement quotes back), the surname and the
given names apart, the date of birth as DD/MM/YYYY, the address as a premise line (building,
unit, level, number and street), suburb, RD ("RD 2"), town or city and postcode. Its
acknowledgement says, per reference, ACCEPTED with its Collections reference or REJECTED with
a reason.
"""

from datetime import date, timedelta

from adapters.base import Disclosure
from adapters.batch_file import BatchFileAdapter
from adapters.disclosure import DisclosedFields, premise_line
from adapters.plugins import AdapterPlugin
from onceonly.domain.address_model import Address
from onceonly.domain.batch_files import BatchFormat
from onceonly.domain.catalogue import MOVE
from onceonly.domain.people import PersonName

STEP = MOVE.step("update_fines_address")
JUSTICE_FORMAT = BatchFormat(
    kind="csv",
    columns=(
        "SUBMISSION_REF",
        "SURNAME",
        "GIVEN_NAMES",
        "DATE_OF_BIRTH",
        "ADDRESS_LINE_1",
        "SUBURB",
        "RURAL_DELIVERY",
        "TOWN_CITY",
        "POSTCODE",
    ),
    ack_result="RESULT",
    accepted="ACCEPTED",
    rejected="REJECTED",
    ack_reference="COLLECTIONS_REF",
    ack_reason="REASON",
)
"""Collections' daily address-update file and its acknowledgement."""


def justice_date(iso_date: str) -> str:
    """An ISO date as Collections writes dates: "1984-03-09" -> "09/03/1984"."""
    day = date.fromisoformat(iso_date)
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def to_justice_address_update(disclosure: Disclosure) -> dict[str, str]:
    """The update_fines_address disclosure as one line of Collections' file (without our
    reference, which the file adds first)."""
    fields = DisclosedFields(STEP, disclosure)
    name = fields.model("mover.name", PersonName)
    address = fields.model("new_address", Address)
    rural = address.rural_delivery
    return {
        "SURNAME": name.family_name,
        "GIVEN_NAMES": " ".join(name.given_names),
        "DATE_OF_BIRTH": justice_date(fields.text("mover.date_of_birth")),
        "ADDRESS_LINE_1": premise_line(address),
        "SUBURB": address.suburb or "",
        "RURAL_DELIVERY": f"RD {rural}" if rural else "",
        "TOWN_CITY": address.city,
        "POSTCODE": address.postcode,
    }


class JusticeAdapter(BatchFileAdapter):
    """Ministry of Justice, Collections: a mover's address for fines and reparation notices."""

    agency = "justice"
    title = "Collections"
    batch_format = JUSTICE_FORMAT
    services = {STEP.service: to_justice_address_update}
    # Collections works its file the next working day: three days cover a long weekend.
    outcome_due = timedelta(days=3)


PLUGIN = AdapterPlugin(agency="justice", build=JusticeAdapter, kind="batch_file")
