"""Adapter for the Ministry of Social Development: applies for Best Start.

MSD wants snake_case, names split into first, middle and last, both IRD numbers, a
digits-only phone, and the address in parts with the unit apart from the street number.
"""

import re
from typing import Any

import httpx
from pydantic import BaseModel

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields
from adapters.http import post_json, read_answer
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.people import Address, PersonName

STEP = BIRTH.step("best_start")
# Canonical phones may hold spaces, dashes and brackets for readability; MSD takes digits.
_PHONE_PUNCTUATION = re.compile(r"[\s()-]")


def msd_names(name: PersonName) -> dict[str, str]:
    """A name as MSD's first, middle (space-joined, maybe empty) and last name."""
    first, *middle = name.given_names
    return {"first_name": first, "middle_names": " ".join(middle), "last_name": name.family_name}


def msd_phone(phone: str) -> str:
    """A phone number as MSD takes it: "(09) 123-4567" -> "091234567"."""
    return _PHONE_PUNCTUATION.sub("", phone)


def msd_address(address: Address) -> dict[str, str]:
    """An address in MSD's parts; unit and suburb only when the address has them."""
    parts = {"unit": address.unit, "street_number": address.number}
    parts |= {"street_name": address.street, "suburb": address.suburb}
    parts |= {"town": address.city, "post_code": address.postcode}
    return {key: value for key, value in parts.items() if value}


def to_msd_best_start(disclosure: Disclosure) -> dict[str, Any]:
    """The best_start disclosure as MSD's Best Start application."""
    fields = DisclosedFields(STEP, disclosure)
    applicant: dict[str, Any] = {
        **msd_names(fields.model("birth_parent.name", PersonName)),
        "ird_number": fields.text("birth_parent.ird_number"),
    }
    phone = fields.optional("birth_parent.phone")
    if phone is not None:
        applicant["phone"] = msd_phone(phone)
    return {
        "applicant": applicant,
        "child": {
            **msd_names(fields.model("child.name", PersonName)),
            "date_of_birth": fields.text("child.date_of_birth"),
            "ird_number": fields.text("child.ird_number"),
        },
        "address": msd_address(fields.model("address", Address)),
    }


class MsdReceived(BaseModel):
    """MSD's answer: the application's id."""

    application_id: str
    status: str


def msd_error_message(body: Any) -> str | None:
    """MSD's errors: `{"error": {"code", "message", "details"}}`."""
    error = body["error"]
    return f"{error['code']}: {error['message']}"


def from_msd_answer(answer: Any) -> AgencyAnswer:
    """MSD's answer as the application id; Best Start issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(STEP.agency, answer, MsdReceived).application_id)


class MsdAdapter:
    """Ministry of Social Development: the Best Start application service."""

    agency = "msd"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call MSD under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}/msd/api/best-start/applications"
        self._headers = {"X-MSD-Client-Key": api_key}

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Apply for Best Start; the same idempotency key returns the same application."""
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"MSD offers no service {service!r}")
        answer = await post_json(
            self._client,
            self.agency,
            self._url,
            to_msd_best_start(disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=msd_error_message,
        )
        return from_msd_answer(answer)
