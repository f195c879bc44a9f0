"""Adapter for Inland Revenue: issues the newborn's IRD number.

IRD wants dates as dd/mm/yyyy, the child's names in two flat fields, the parent's IRD
number as nine bare digits (or null), and the postal address on one line.
"""

from datetime import date
from typing import Any

import httpx
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, street_line
from adapters.http import post_json, read_answer
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.people import Address, PersonName

STEP = BIRTH.step("child_ird_number")


def ird_date(iso_date: str) -> str:
    """An ISO date written IRD's way: "2026-11-01" -> "01/11/2026"."""
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


def postal_address(address: Address) -> str:
    """An address on one line: "1/21A Smith Street, Ponsonby, Auckland 1011"."""
    parts = [street_line(address), address.suburb, f"{address.city} {address.postcode}"]
    return ", ".join(part for part in parts if part)


def to_ird_newborn_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The child_ird_number disclosure as IRD's newborn registration request."""
    fields = DisclosedFields(STEP, disclosure)
    child_name = fields.model("child.name", PersonName)
    try:
        date_of_birth = ird_date(fields.text("child.date_of_birth"))
    except ValueError:
        raise AgencyRejected(STEP.agency, "child.date_of_birth is not an ISO date") from None
    return {
        "birthRegistrationNumber": fields.text("child.birth_registration_number"),
        "childFirstNames": " ".join(child_name.given_names),
        "childSurname": child_name.family_name,
        "childDateOfBirth": date_of_birth,
        # The canonical model keeps IRD numbers as nine bare digits already; null when none.
        "parentIrdNumber": fields.optional("birth_parent.ird_number"),
        "postalAddress": postal_address(fields.model("address", Address)),
    }


class IrdRegistered(BaseModel):
    """IRD's answer: the child's new IRD number and a case reference."""

    ird_number: str = Field(alias="irdNumber", pattern=r"^[0-9]{9}$")
    case_reference: str = Field(alias="caseReference")


def ird_error_message(body: Any) -> str | None:
    """IRD's errors: `{"faultCode", "faultString"}`."""
    return f"{body['faultCode']}: {body['faultString']}"


def from_ird_answer(answer: Any) -> AgencyAnswer:
    """IRD's answer as its case reference and the child's IRD number."""
    registered = read_answer(STEP.agency, answer, IrdRegistered)
    return AgencyAnswer(
        reference=registered.case_reference, outputs={"child.ird_number": registered.ird_number}
    )


class IrdAdapter:
    """Inland Revenue: the newborn IRD number service."""

    agency = "ird"

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call IRD's gateway under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}/ird/gateway/v2/newborn-registrations"
        self._headers = {"Authorization": f"Bearer {api_key}"}

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Ask for the child's IRD number; the same idempotency key returns the same number."""
        if service != STEP.service:
            raise AgencyRejected(self.agency, f"IRD offers no service {service!r}")
        answer = await post_json(
            self._client,
            self.agency,
            self._url,
            to_ird_newborn_registration(disclosure),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=ird_error_message,
        )
        return from_ird_answer(answer)
