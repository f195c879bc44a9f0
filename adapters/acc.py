"""Adapter for ACC: updates the address and contact details ACC holds for a client who moves.

ACC wants camelCase, dates as dd-Mon-yyyy ("05-Nov-2026"), every given name in `firstName`,
the address as a street line ("3/45 Cuba Street"; a building's name, a unit's type and a level,
which ACC has no fields for, go first in that line: "Vero Centre, Level 2, 48 Shortland
Street"), suburb, RD, city and postcode, and the phone as digits only (a leading + kept).
"""

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure
from adapters.disclosure import DisclosedFields, premise_line
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import MOVE
from onceonly.domain.people import PersonName

STEP = MOVE.step("update_acc_address")
# English abbreviations whatever the locale: strftime's %b would follow the server's.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Canonical phones may hold spaces, dashes and brackets for readability; ACC takes digits.
_PHONE_PUNCTUATION = re.compile(r"[\s()-]")


def acc_date(iso_date: str) -> str:
    """An ISO date written ACC's way: "2026-11-05" -> "05-Nov-2026"."""
    day = date.fromisoformat(iso_date)
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year:04d}"


def acc_phone(phone: str) -> str:
    """A phone number as ACC takes it: "+64 (21) 555-0142" -> "+64215550142"."""
    return _PHONE_PUNCTUATION.sub("", phone)


def acc_client(name: PersonName) -> dict[str, str | None]:
    """A name as ACC's client: every given name as `firstName`, and the preferred name."""
    return {
        "firstName": " ".join(name.given_names),
        "lastName": name.family_name,
        "preferredName": name.known_as,
    }


def acc_address(address: Address) -> dict[str, str | None]:
    """An address in ACC's lines: the premise (building, unit, level, number or range and
    street) as line 1, suburb (or null), RD (or null), city, postcode."""
    rural = address.rural_delivery
    return {
        "addressLine1": premise_line(address),
        "addressLine2": address.suburb,
        "ruralDelivery": f"RD {rural}" if rural else None,
        "city": address.city,
        "postCode": address.postcode,
    }


def to_acc_address_update(disclosure: Disclosure) -> dict[str, Any]:
    """The update_acc_address disclosure as ACC's client address update."""
    fields = DisclosedFields(STEP, disclosure)
    try:
        date_of_birth = acc_date(fields.text("mover.date_of_birth"))
    except ValueError:
        raise AgencyRejected(STEP.agency, "mover.date_of_birth is not an ISO date") from None
    update: dict[str, Any] = {
        "client": acc_client(fields.model("mover.name", PersonName)),
        "dateOfBirth": date_of_birth,
        "address": acc_address(fields.model("new_address", Address)),
    }
    email = fields.optional("mover.email")
    if email is not None:
        update["email"] = email
    phone = fields.optional("mover.phone")
    if phone is not None:
        update["phone"] = acc_phone(phone)
    return update


class AccUpdated(BaseModel):
    """ACC's answer: the update request's id."""

    request_id: str = Field(alias="requestId", pattern=r"^ACC-[0-9]{7}$")
    status: str


def acc_error_message(body: Any) -> str | None:
    """ACC's errors, RFC 7807-style: a title, a detail, and the invalid parameters."""
    params = "; ".join(f"{p['name']}: {p['reason']}" for p in body["invalid_params"])
    return " ".join(filter(None, (body["title"], body.get("detail"), params)))


def from_acc_answer(answer: Any) -> AgencyAnswer:
    """ACC's answer as the request id; the update issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(STEP.agency, answer, AccUpdated).request_id)


class AccAdapter(JsonAgencyAdapter):
    """ACC: the client address update service."""

    agency = "acc"
    title = "ACC"
    api = AgencyApi("/acc/api/v2", ApiKeyHeader("x-acc-apikey"), acc_error_message)
    services = (
        Service(STEP.service, "/clients/address-updates", to_acc_address_update, from_acc_answer),
    )


PLUGIN = AdapterPlugin(agency="acc", build=AccAdapter)
"""The entry point `acc` in `onceonly.adapters` (pyproject.toml) loads this."""
