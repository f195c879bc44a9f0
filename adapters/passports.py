"""Adapter for New Zealand Passports (DIA): cancels the passport of someone who has died.

Passports wants camelCase, ISO dates, the holder as a family name and a list of given names,
and the death by its registration number and date.
"""

from typing import Any

from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, Disclosure
from adapters.disclosure import DisclosedFields
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.catalogue import DEATH
from onceonly.domain.people import PersonName

STEP = DEATH.step("cancel_passport")


def passport_holder(name: PersonName) -> dict[str, Any]:
    """A name as the passport prints it: the family name and the given names, in order."""
    return {"familyName": name.family_name, "givenNames": list(name.given_names)}


def to_passport_cancellation(disclosure: Disclosure) -> dict[str, Any]:
    """The cancel_passport disclosure as Passports' cancellation for a holder who died."""
    fields = DisclosedFields(STEP, disclosure)
    return {
        # The canonical model keeps passport numbers upper-case without spaces already.
        "passportNumber": fields.text("deceased.passport_number"),
        "holder": passport_holder(fields.model("deceased.name", PersonName)),
        "dateOfBirth": fields.text("deceased.date_of_birth"),
        "dateOfDeath": fields.text("deceased.date_of_death"),
        "deathRegistrationNumber": fields.text("deceased.death_registration_number"),
    }


class PassportCancelled(BaseModel):
    """Passports' answer: the cancellation's reference and the passport's new status."""

    cancellation_reference: str = Field(alias="cancellationReference", pattern=r"^PC-[0-9]{6,}$")
    passport_status: str = Field(alias="passportStatus")


def passports_error_message(body: Any) -> str | None:
    """Passports' errors: `{"code", "message", "fieldErrors": {field: rule}}`."""
    fields = "; ".join(f"{field}: {rule}" for field, rule in body["fieldErrors"].items())
    return f"{body['code']}: {body['message']}" + (f" ({fields})" if fields else "")


def from_passports_answer(answer: Any) -> AgencyAnswer:
    """Passports' answer as the cancellation reference; it issues no fact later steps need."""
    cancelled = read_answer(STEP.agency, answer, PassportCancelled)
    return AgencyAnswer(reference=cancelled.cancellation_reference)


class PassportsAdapter(JsonAgencyAdapter):
    """New Zealand Passports: cancelling the passport of a holder who has died."""

    agency = "passports"
    title = "Passports"
    api = AgencyApi("/passports/v1", ApiKeyHeader("X-DIA-Api-Key"), passports_error_message)
    services = (
        Service(
            STEP.service,
            "/passports/deceased-cancellations",
            to_passport_cancellation,
            from_passports_answer,
        ),
    )


PLUGIN = AdapterPlugin(agency="passports", build=PassportsAdapter)
"""The entry point `passports` in `onceonly.adapters` (pyproject.toml) loads this."""
