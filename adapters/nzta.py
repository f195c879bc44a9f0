"""Adapter for NZ Transport Agency (Waka Kotahi): the driver licence address when someone
moves, and cancelling the licence of someone who has died.

NZTA wants camelCase, dates as YYYYMMDD, the name split into first name, middle names and
surname, the licence as number and version, and the address in its register's parts: the
unit apart from the street number, and the number's letter apart from its digits, with the
unit's type, the level, the building and a range's last number in fields of their own. Parts
a citizen does not have are sent as null.
"""

from datetime import date, timedelta
from string import ascii_letters
from typing import Any

from pydantic import BaseModel, Field

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyStatus,
    AmendmentAnswer,
    Disclosure,
)
from adapters.disclosure import DisclosedFields
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import Amending, Amendment, ReportingStatus, Service, StatusCheck
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import DEATH, MOVE, StepSpec
from onceonly.domain.people import DriverLicence, PersonName

MOVE_STEP = MOVE.step("update_driver_licence")
DEATH_STEP = DEATH.step("cancel_driver_licence")


def nzta_date(iso_date: str) -> str:
    """An ISO date written NZTA's way: "1988-05-20" -> "19880520"."""
    day = date.fromisoformat(iso_date)
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def nzta_names(name: PersonName) -> dict[str, str | None]:
    """A name as NZTA's first name, middle names (space-joined, or null) and surname."""
    first, *middle = name.given_names
    return {
        "firstName": first,
        "middleNames": " ".join(middle) or None,
        "surname": name.family_name,
    }


def nzta_address(address: Address) -> dict[str, str | None]:
    """An address in NZTA's parts: "3/45B Cuba Street" is unit 3, number 45, alpha B; a range
    "12-14B" is number 12 to number 14 alpha B; the unit's type, the level and the building
    have fields of their own.

    A canonical street number is digits and at most one letter ("21A"), checked at intake.
    """
    number, alpha = _split_number(address.number)
    last, last_alpha = _split_number(address.number_last)
    rural = address.rural_delivery
    return {
        "unitType": address.unit_type,
        "unitNumber": address.unit or None,
        "levelType": address.level_type,
        "levelNumber": address.level_number,
        "buildingName": address.building_name,
        "streetNumber": number,
        "streetAlpha": alpha,
        "streetNumberLast": last,
        "streetAlphaLast": last_alpha,
        "streetName": address.street,
        "suburb": address.suburb,
        "ruralDelivery": f"RD {rural}" if rural else None,
        "town": address.city,
        "postcode": address.postcode,
    }


def _split_number(number: str | None) -> tuple[str | None, str | None]:
    """A street number's digits and its letter, each None when it has none."""
    if number is None:
        return None, None
    digits = number.rstrip(ascii_letters)
    return digits, number[len(digits) :] or None


def _holder(fields: DisclosedFields, person: str, step: StepSpec) -> dict[str, Any]:
    """The licence holder's identity: licence, name and date of birth, as NZTA matches it."""
    licence = fields.model(f"{person}.driver_licence", DriverLicence)
    return {
        "licenceNumber": licence.number,
        "licenceVersion": licence.version,
        **nzta_names(fields.model(f"{person}.name", PersonName)),
        "dateOfBirth": _date(fields, f"{person}.date_of_birth", step),
    }


def _date(fields: DisclosedFields, field: str, step: StepSpec) -> str:
    try:
        return nzta_date(fields.text(field))
    except ValueError:
        raise AgencyRejected(step.agency, f"{field} is not an ISO date") from None


def to_nzta_address_change(disclosure: Disclosure) -> dict[str, Any]:
    """The update_driver_licence disclosure as NZTA's address change."""
    fields = DisclosedFields(MOVE_STEP, disclosure)
    return {
        **_holder(fields, "mover", MOVE_STEP),
        "residentialAddress": nzta_address(fields.model("new_address", Address)),
    }


def to_nzta_cancellation(disclosure: Disclosure) -> dict[str, Any]:
    """The cancel_driver_licence disclosure as NZTA's cancellation for a holder who died."""
    fields = DisclosedFields(DEATH_STEP, disclosure)
    return {
        **_holder(fields, "deceased", DEATH_STEP),
        "dateOfDeath": _date(fields, "deceased.date_of_death", DEATH_STEP),
        "deathRegistrationNumber": fields.text("deceased.death_registration_number"),
    }


class NztaTransaction(BaseModel):
    """NZTA's answer: the register transaction's id and what it did."""

    transaction_id: str = Field(alias="transactionId", pattern=r"^DL-[0-9]{6,}$")
    outcome: str


class NztaTransactionStatus(BaseModel):
    """NZTA's answer about a transaction: what it did and whether the register shows it."""

    transaction_id: str = Field(alias="transactionId")
    outcome: str
    register_updated: bool = Field(alias="registerUpdated")


class NztaCorrection(BaseModel):
    """NZTA's answer to a correction: the correcting transaction's id."""

    transaction_id: str = Field(alias="transactionId", pattern=r"^DL-[0-9]{6,}$")
    outcome: str


# The outcome NZTA reports for each service's transactions.
_OUTCOMES = {MOVE_STEP.service: "ADDRESS_UPDATED", DEATH_STEP.service: "LICENCE_CANCELLED"}


def from_nzta_status(service: str, answer: Any) -> AgencyStatus:
    """NZTA's answer about a transaction of `service` as its status and effect."""
    transaction = read_answer(MOVE_STEP.agency, answer, NztaTransactionStatus)
    if transaction.outcome != _OUTCOMES[service]:
        raise AgencyRejected(MOVE_STEP.agency, f"the transaction is not one of {service}")
    return AgencyStatus(
        reference=transaction.transaction_id,
        state="completed",
        effect="in_effect" if transaction.register_updated else "not_in_effect",
    )


def nzta_error_message(body: Any) -> str | None:
    """NZTA's errors: `{"errors": [{"code", "field", "message"}]}`."""
    return "; ".join(
        f"{e['code']} {e['field']}: {e['message']}"
        if e.get("field")
        else f"{e['code']} {e['message']}"
        for e in body["errors"]
    )


def from_nzta_answer(answer: Any) -> AgencyAnswer:
    """NZTA's answer as its transaction id; neither service issues a fact later steps need."""
    return AgencyAnswer(
        reference=read_answer(MOVE_STEP.agency, answer, NztaTransaction).transaction_id
    )


def from_nzta_correction(answer: Any) -> AmendmentAnswer:
    """NZTA's answer to a correction as the correcting transaction's id."""
    corrected = read_answer(MOVE_STEP.agency, answer, NztaCorrection)
    return AmendmentAnswer(reference=corrected.transaction_id)


# Every NZTA transaction, whatever its service, is asked about at one address.
_TRANSACTION = StatusCheck("/transactions/{reference}", from_nzta_status)


class NztaAdapter(Amending, ReportingStatus):
    """NZ Transport Agency: driver licence address changes and cancellations on death."""

    agency = "nzta"
    title = "NZTA"
    api = AgencyApi("/nzta/api/v1", ApiKeyHeader("X-NZTA-Api-Key"), nzta_error_message)
    # The licence register's partner API: quick calls, a published rate limit.
    policy = AgencyPolicy(
        call_timeout=timedelta(seconds=10), rate_limit_per_second=20.0, max_concurrent_calls=20
    )
    services = (
        Service(
            MOVE_STEP.service,
            "/licence-holders/address-changes",
            to_nzta_address_change,
            from_nzta_answer,
            amendment=Amendment("/transactions/{reference}/corrections", from_nzta_correction),
            status=_TRANSACTION,
        ),
        Service(
            DEATH_STEP.service,
            "/licences/deceased-cancellations",
            to_nzta_cancellation,
            from_nzta_answer,
            status=_TRANSACTION,
        ),
    )


PLUGIN = AdapterPlugin(agency="nzta", build=NztaAdapter)
"""The entry point `nzta` in `onceonly.adapters` (pyproject.toml) loads this."""
