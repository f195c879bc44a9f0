"""Adapter for Veterans' Affairs: tells it that a veteran has died.

Veterans' Affairs wants HTTP Basic credentials, snake_case, dates as dd.mm.yyyy, the
veteran's names as one `full_name` plus the preferred name (null when none), and the next of
kin with its own relationship codes, a phone of digits (optionally after +) and the postal
address as NZ Post's lines (a street address or a PO Box).
"""

import re
from datetime import date
from typing import Any

from pydantic import BaseModel

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, full_name
from adapters.http import AgencyApi, BasicAuth, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import DEATH
from onceonly.domain.people import PersonName

STEP = DEATH.step("notify_veterans_affairs")
USER = "onceonly"
"""The user name Veterans' Affairs issued onceonly; the API key is its password."""
# Veterans' Affairs has five codes; the relatives it has no code for are OTHER.
_RELATIONSHIPS = {
    "spouse_or_partner": "SPOUSE",
    "child": "CHILD",
    "parent": "PARENT",
    "sibling": "SIBLING",
    "grandchild": "OTHER",
    "other_relative": "OTHER",
    "friend": "OTHER",
}
# Canonical phones may hold spaces, dashes and brackets for readability.
_PHONE_PUNCTUATION = re.compile(r"[\s()-]")


def va_date(iso_date: str) -> str:
    """An ISO date written Veterans' Affairs' way: "2026-11-21" -> "21.11.2026"."""
    return date.fromisoformat(iso_date).strftime("%d.%m.%Y")


def va_phone(phone: str) -> str:
    """A phone as Veterans' Affairs takes it: "027 555 0100" -> "0275550100"."""
    return _PHONE_PUNCTUATION.sub("", phone)


def _va_date(fields: DisclosedFields, field: str) -> str:
    try:
        return va_date(fields.text(field))
    except ValueError:
        raise AgencyRejected(STEP.agency, f"{field} is not an ISO date") from None


def to_deceased_veteran(disclosure: Disclosure) -> dict[str, Any]:
    """The notify_veterans_affairs disclosure as Veterans' Affairs' notification."""
    fields = DisclosedFields(STEP, disclosure)
    name = fields.model("deceased.name", PersonName)
    relationship = fields.text("notifier.relationship")
    if relationship not in _RELATIONSHIPS:
        raise AgencyRejected(STEP.agency, "notifier.relationship has no Veterans' Affairs code")
    return {
        "veteran": {
            "service_number": fields.text("deceased.veteran_service_number"),
            "full_name": full_name(name),
            "preferred_name": name.known_as,
            "date_of_birth": _va_date(fields, "deceased.date_of_birth"),
        },
        "death": {
            "date_of_death": _va_date(fields, "deceased.date_of_death"),
            "registration_number": fields.text("deceased.death_registration_number"),
        },
        "next_of_kin": {
            "full_name": full_name(fields.model("notifier.name", PersonName)),
            "relationship": _RELATIONSHIPS[relationship],
            "phone": va_phone(fields.text("notifier.phone")),
            "postal_address_lines": format_address(
                fields.postal_address("notifier.postal_address")
            ),
        },
    }


class VaCaseOpened(BaseModel):
    """Veterans' Affairs' answer: the case it opened for the family."""

    case_number: str
    status: str


def va_error_message(body: Any) -> str | None:
    """Veterans' Affairs' errors: `{"error_code", "error_description", "invalid_fields"}`."""
    return f"{body['error_code']}: {body['error_description']}"


def from_va_answer(answer: Any) -> AgencyAnswer:
    """Veterans' Affairs' answer as its case number; it issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(STEP.agency, answer, VaCaseOpened).case_number)


class VeteransAdapter(JsonAgencyAdapter):
    """Veterans' Affairs: notification that a veteran has died."""

    agency = "veterans"
    title = "Veterans' Affairs"
    api = AgencyApi("/veterans/api/v1", BasicAuth(USER), va_error_message)
    services = (Service(STEP.service, "/deceased-veterans", to_deceased_veteran, from_va_answer),)


PLUGIN = AdapterPlugin(agency="veterans", build=VeteransAdapter)
"""The entry point `veterans` in `onceonly.adapters` (pyproject.toml) loads this."""
