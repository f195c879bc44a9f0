"""Adapter for New Zealand Passports (DIA): cancels the passport of someone who has died.

Passports wants camelCase, ISO dates, the holder as a family name and a list of given names,
and the death by its registration number and date.
"""

from typing import Any

import httpx
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyPolicy, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields
from adapters.http import post_json, read_answer
from adapters.plugins import AdapterPlugin
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


class PassportsAdapter:
    """New Zealand Passports: cancelling the passport of a holder who has died."""

    agency = "passports"
    policy = AgencyPolicy()

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call Passports under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}/passports/v1/passports/deceased-cancellations"
        self._headers = {"X-DIA-Api-Key": api_key}

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Cancel the passport; the same idempotency key returns the same cancellation."""
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"Passports offers no service {service!r}")
        answer = await post_json(
            self._client,
            self.agency,
            self._url,
            to_passport_cancellation(disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=passports_error_message,
        )
        return from_passports_answer(answer)

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The request `submit` would send for `service`, by the same mapping; sends nothing."""
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"Passports offers no service {service!r}")
        return to_passport_cancellation(disclosure)


PLUGIN = AdapterPlugin(agency="passports", build=PassportsAdapter)
"""The entry point `passports` in `onceonly.adapters` (pyproject.toml) loads this."""
