"""Adapter for Kāinga Ora: tells it that a tenant has died, which ends the tenancy.

Kāinga Ora wants PascalCase behind its gateway's subscription key, ISO dates, every name as
"FAMILY NAME, Given Names" (capitals for the family name, macrons kept), the home's address
in parts (unit type, unit, level, building, number and a range's last number, street,
suburb, town, postcode) with null for a part it has not, and the contact's phone in digit groups.
"""

import contextlib
import re
from typing import Any

import phonenumbers
from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, Disclosure
from adapters.disclosure import DisclosedFields
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import DEATH
from onceonly.domain.people import PersonName

STEP = DEATH.step("end_tenancy")
_DIGIT_GROUPS = re.compile(r"[0-9]+")


def listed_name(name: PersonName) -> str:
    """A name as Kāinga Ora lists it: "NGĀTA, Aroha Mere" (the preferred name is not kept)."""
    return f"{name.family_name.upper()}, {' '.join(name.given_names)}"


def grouped_phone(phone: str) -> str:
    """A phone in digit groups: E.164 (as intake stores it) grouped as dialled internationally,
    "+64275550100" -> "+64 27 555 0100"; one stored before that as written, in its groups:
    "(09) 123-4567" -> "09 123 4567"."""
    written = phone
    if phone.startswith("+"):
        with contextlib.suppress(phonenumbers.NumberParseException):
            written = phonenumbers.format_number(
                phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
    prefix = "+" if written.lstrip().startswith("+") else ""
    return prefix + " ".join(_DIGIT_GROUPS.findall(written))


def tenancy_address(address: Address) -> dict[str, str | None]:
    """A home's address in Kāinga Ora's parts, each null when the home has none. Its homes
    are known by street address, so a rural delivery number (a postal route, not part of the
    home's address) is not sent."""
    return {
        "UnitType": address.unit_type,
        "Unit": address.unit or None,
        "LevelType": address.level_type,
        "LevelNumber": address.level_number,
        "BuildingName": address.building_name,
        "StreetNumber": address.number,
        "StreetNumberLast": address.number_last,
        "Street": address.street,
        "Suburb": address.suburb,
        "Town": address.city,
        "Postcode": address.postcode,
    }


def to_tenancy_end_notice(disclosure: Disclosure) -> dict[str, Any]:
    """The end_tenancy disclosure as Kāinga Ora's notice that a tenant has died."""
    fields = DisclosedFields(STEP, disclosure)
    return {
        "Tenant": {
            "Name": listed_name(fields.model("deceased.name", PersonName)),
            "DateOfBirth": fields.text("deceased.date_of_birth"),
            "DateOfDeath": fields.text("deceased.date_of_death"),
        },
        "TenancyAddress": tenancy_address(fields.model("deceased.last_address", Address)),
        "Contact": {
            "Name": listed_name(fields.model("notifier.name", PersonName)),
            "Phone": grouped_phone(fields.text("notifier.phone")),
        },
    }


class KoAccepted(BaseModel):
    """Kāinga Ora's answer: the notice's reference."""

    reference: str = Field(alias="TenancyEndReference")
    status: str = Field(alias="Status")


def ko_error_message(body: Any) -> str | None:
    """Kāinga Ora's errors: `{"Errors": [{"Property", "Message"}]}`."""
    return "; ".join(
        f"{e['Property']}: {e['Message']}" if e.get("Property") else e["Message"]
        for e in body["Errors"]
    )


def from_ko_answer(answer: Any) -> AgencyAnswer:
    """Kāinga Ora's answer as its reference; it issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(STEP.agency, answer, KoAccepted).reference)


class KaingaOraAdapter(JsonAgencyAdapter):
    """Kāinga Ora (Homes and Communities): ending a tenancy when the tenant has died."""

    agency = "kaingaora"
    title = "Kāinga Ora"
    api = AgencyApi(
        "/kaingaora/tenancies/v1", ApiKeyHeader("Ocp-Apim-Subscription-Key"), ko_error_message
    )
    services = (
        Service(STEP.service, "/deceased-tenant-notices", to_tenancy_end_notice, from_ko_answer),
    )


PLUGIN = AdapterPlugin(agency="kaingaora", build=KaingaOraAdapter)
"""The entry point `kaingaora` in `onceonly.adapters` (pyproject.toml) loads this."""
