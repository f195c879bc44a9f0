"""Adapter for the local council: the rates notice and dog registration when someone moves in,
and notice that a ratepayer has died.

The council knows a property by its own property id, so the adapter first looks the address
up (`GET /council/v1/properties`), then submits the id together with the address, which the
council checks against each other. The council wants camelCase, ISO dates, each name as one
`fullName` ("Given Names Family"), phones in international form (+6421...), and the
notifier's correspondence address as NZ Post's lines (a PO Box will do). A dog registration
transfer can be cancelled by its request number.
"""

import re
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, RootModel

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    Disclosure,
    WithdrawalAnswer,
    WithdrawalNotOffered,
)
from adapters.disclosure import DisclosedFields, full_name, premise_line
from adapters.http import get_json, post_json, read_answer
from adapters.plugins import AdapterPlugin
from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import DEATH, MOVE, StepSpec
from onceonly.domain.move import Dog
from onceonly.domain.people import PersonName

RATES_STEP = MOVE.step("council_rates")
DOGS_STEP = MOVE.step("council_dog_registration")
RATEPAYER_STEP = DEATH.step("notify_council")
PROPERTY_ID_WHEN_SENT = "(looked up from the address when sent)"
"""The property id as a preview shows it: looking it up would tell the council the address
before the citizen has agreed to tell the council anything."""
_NOT_DIGITS = re.compile(r"[^0-9]")
# New Zealand's country calling code, which replaces a national number's leading 0.
_NZ_CALLING_CODE = "64"
# ITU-T E.164: a country code (never starting with 0), at most 15 digits in all.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class Dogs(RootModel[tuple[Dog, ...]]):
    """The disclosed dogs read back as canonical dogs."""


def international_phone(phone: str) -> str | None:
    """A phone in international form ("021 555 0142" -> "+64215550142"), or None when the
    number has no area code or country code to place it by."""
    digits = _NOT_DIGITS.sub("", phone)
    if phone.lstrip().startswith("+"):
        international = f"+{digits}"
    elif digits.startswith("00"):
        international = f"+{digits[2:]}"
    elif digits.startswith("0"):
        international = f"+{_NZ_CALLING_CODE}{digits[1:]}"
    else:
        return None
    return international if _E164.fullmatch(international) else None


def council_property(address: Address) -> dict[str, str]:
    """An address as the council writes a property, and as its look-up takes it: the building,
    unit and level go first in the street line ("Shop 5, 100 Main Street")."""
    rural_delivery = f"RD {address.rural_delivery}" if address.rural_delivery else None
    parts = {"street": premise_line(address), "suburb": address.suburb}
    parts |= {"ruralDelivery": rural_delivery, "town": address.city}
    return {key: value for key, value in parts.items() if value} | {"postcode": address.postcode}


def _property(fields: DisclosedFields, field: str, property_id: str) -> dict[str, Any]:
    return {"propertyId": property_id, "property": council_property(fields.model(field, Address))}


def to_rates_notice(disclosure: Disclosure, property_id: str) -> dict[str, Any]:
    """The council_rates disclosure as the council's change of occupier, for `property_id`."""
    fields = DisclosedFields(RATES_STEP, disclosure)
    occupier = {"fullName": full_name(fields.model("mover.name", PersonName))}
    email = fields.optional("mover.email")
    if email is not None:
        occupier["email"] = email
    return {
        **_property(fields, "new_address", property_id),
        "occupier": occupier,
        "occupationDate": fields.text("move_date"),
    }


def to_dog_registration_transfer(disclosure: Disclosure, property_id: str) -> dict[str, Any]:
    """The council_dog_registration disclosure as the council's move of dogs' registration."""
    fields = DisclosedFields(DOGS_STEP, disclosure)
    owner = {"fullName": full_name(fields.model("mover.name", PersonName))}
    phone = fields.optional("mover.phone")
    if phone is not None:
        international = international_phone(phone)
        if international is None:
            raise AgencyRejected(
                DOGS_STEP.agency, "mover.phone cannot be written in international form"
            )
        owner["phone"] = international
    dogs = fields.model("dogs", Dogs).root
    return {
        **_property(fields, "new_address", property_id),
        "owner": owner,
        "occupationDate": fields.text("move_date"),
        "dogs": [
            {"dogName": dog.name, "breed": dog.breed, "microchipNumber": dog.microchip}
            for dog in dogs
        ],
    }


def to_deceased_ratepayer(disclosure: Disclosure, property_id: str) -> dict[str, Any]:
    """The notify_council disclosure as the council's notice of a ratepayer's death."""
    fields = DisclosedFields(RATEPAYER_STEP, disclosure)
    return {
        **_property(fields, "deceased.last_address", property_id),
        "deceased": {
            "fullName": full_name(fields.model("deceased.name", PersonName)),
            "dateOfDeath": fields.text("deceased.date_of_death"),
        },
        "notifier": {
            "fullName": full_name(fields.model("notifier.name", PersonName)),
            "correspondenceAddress": format_address(
                fields.postal_address("notifier.postal_address")
            ),
        },
    }


class CouncilProperty(BaseModel):
    """The council's answer to a property look-up."""

    property_id: str = Field(alias="propertyId", pattern=r"^[A-Z]{3}-[0-9]{8}$")
    valuation_number: str = Field(alias="valuationNumber")


class CouncilLodged(BaseModel):
    """The council's answer to a submission: its request number."""

    request_number: str = Field(alias="requestNumber")
    status: str


def council_error_message(body: Any) -> str | None:
    """The council's errors: `{"message", "errors": {"<field>": ["<rule>"]}}`."""
    rules = [f"{field}: {rule}" for field, found in body["errors"].items() for rule in found]
    return "; ".join(rules) or body["message"]


def from_council_answer(answer: Any) -> AgencyAnswer:
    """The council's answer as its request number; the council issues no fact steps need."""
    return AgencyAnswer(reference=read_answer("council", answer, CouncilLodged).request_number)


# Each council service: its step, where its property's address is, its path and its mapping.
_SERVICES: dict[str, tuple[StepSpec, str, str, Callable[[Disclosure, str], dict[str, Any]]]] = {
    RATES_STEP.service: (RATES_STEP, "new_address", "/v1/rates-notices", to_rates_notice),
    DOGS_STEP.service: (
        DOGS_STEP,
        "new_address",
        "/v1/dog-registrations/address-changes",
        to_dog_registration_transfer,
    ),
    RATEPAYER_STEP.service: (
        RATEPAYER_STEP,
        "deceased.last_address",
        "/v1/deceased-ratepayers",
        to_deceased_ratepayer,
    ),
}


# Where each service's cancellation goes, by the request number; the rates notice and a
# deceased ratepayer's notice have none online.
_CANCELLATIONS = {
    DOGS_STEP.service: "/v1/dog-registrations/address-changes/{reference}/cancellation",
}
# The council's reason code for a cancellation because the owner withdrew consent.
_CANCELLATION_REASON = "CONSENT_WITHDRAWN"


class CouncilCancelled(BaseModel):
    """The council's answer to a cancellation: its cancellation number."""

    cancellation_number: str = Field(alias="cancellationNumber")
    status: Literal["cancelled"]


class CouncilAdapter:
    """The local council: rates notices, dog registration and deceased ratepayers."""

    agency = "council"
    policy = AgencyPolicy()

    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        """Call the council under `base_url` with `client`, authenticated by `api_key`."""
        self._client = client
        self._url = f"{base_url.rstrip('/')}/council"
        self._headers = {"X-Council-Key": api_key}

    async def find_property(self, address: Address) -> CouncilProperty:
        """The council's property at `address`; AgencyRejected when the council has none."""
        answer = await get_json(
            self._client,
            self.agency,
            f"{self._url}/v1/properties",
            params=council_property(address),
            headers=self._headers,
            error_message=council_error_message,
        )
        return read_answer(self.agency, answer, CouncilProperty)

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Look the property up, then submit; the same idempotency key returns the same answer."""
        if service not in _SERVICES:
            raise AgencyRejected(self.agency, f"the council offers no service {service!r}")
        step, address_field, path, to_request = _SERVICES[service]
        address = DisclosedFields(step, disclosure).model(address_field, Address)
        found = await self.find_property(address)
        answer = await post_json(
            self._client,
            self.agency,
            f"{self._url}{path}",
            to_request(disclosure, found.property_id),
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=council_error_message,
        )
        return from_council_answer(answer)

    async def withdraw(
        self, service: str, reference: str, idempotency_key: str
    ) -> WithdrawalAnswer:
        """Cancel the request the council numbered `reference`; only moving a dog's
        registration can be cancelled online (others: WithdrawalNotOffered)."""
        if service not in _CANCELLATIONS:
            raise WithdrawalNotOffered(self.agency, service)
        path = _CANCELLATIONS[service].format(reference=quote(reference, safe=""))
        answer = await post_json(
            self._client,
            self.agency,
            f"{self._url}{path}",
            {"reasonCode": _CANCELLATION_REASON},
            headers=self._headers,
            idempotency_key=idempotency_key,
            error_message=council_error_message,
        )
        cancelled = read_answer(self.agency, answer, CouncilCancelled)
        return WithdrawalAnswer(reference=cancelled.cancellation_number, outcome="withdrawn")

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The request `submit` would send for `service`, by the same mapping; sends nothing,
        not even the property look-up, so the id shows as `PROPERTY_ID_WHEN_SENT`."""
        if service not in _SERVICES:
            raise AgencyRejected(self.agency, f"the council offers no service {service!r}")
        _step, _address_field, _path, to_request = _SERVICES[service]
        return to_request(disclosure, PROPERTY_ID_WHEN_SENT)


PLUGIN = AdapterPlugin(agency="council", build=CouncilAdapter)
"""The entry point `council` in `onceonly.adapters` (pyproject.toml) loads this."""
