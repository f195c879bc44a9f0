"""Adapter for the local council: the rates notice and dog registration when someone moves in,
and notice that a ratepayer has died.

The council knows a property by its own property id, so the adapter first looks the address
up (`GET /council/v1/properties`), then submits the id together with the address, which the
council checks against each other. The council wants camelCase, ISO dates, each name as one
`fullName` ("Given Names Family"), phones in international form (+6421...), and the
notifier's correspondence address as NZ Post's lines (a PO Box will do). A dog registration
transfer can be cancelled by its request number. A preview shows the property id as
`PROPERTY_ID_WHEN_SENT`: the look-up would tell the council the address before the citizen
agreed to tell it anything, so only `submit` looks it up, for the very property the body names.
"""

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from adapters.base import AgencyAnswer, AgencyRejected, Disclosure, WithdrawalAnswer
from adapters.disclosure import DisclosedFields, full_name, premise_line
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import Service, Withdrawal, Withdrawing
from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import DEATH, MOVE
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


def to_rates_notice(
    disclosure: Disclosure, property_id: str = PROPERTY_ID_WHEN_SENT
) -> dict[str, Any]:
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


def to_dog_registration_transfer(
    disclosure: Disclosure, property_id: str = PROPERTY_ID_WHEN_SENT
) -> dict[str, Any]:
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


def to_deceased_ratepayer(
    disclosure: Disclosure, property_id: str = PROPERTY_ID_WHEN_SENT
) -> dict[str, Any]:
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


class CouncilCancelled(BaseModel):
    """The council's answer to a cancellation: its cancellation number."""

    cancellation_number: str = Field(alias="cancellationNumber")
    status: Literal["cancelled"]


def from_council_cancellation(answer: Any) -> WithdrawalAnswer:
    """The council's answer to a cancellation as its cancellation number."""
    cancelled = read_answer(DOGS_STEP.agency, answer, CouncilCancelled)
    return WithdrawalAnswer(reference=cancelled.cancellation_number, outcome="withdrawn")


_DOGS = "/v1/dog-registrations/address-changes"


class CouncilAdapter(Withdrawing):
    """The local council: rates notices, dog registration and deceased ratepayers. Only
    moving a dog's registration can be cancelled online."""

    agency = "council"
    title = "the council"
    api = AgencyApi("/council", ApiKeyHeader("X-Council-Key"), council_error_message)
    services = (
        Service(RATES_STEP.service, "/v1/rates-notices", to_rates_notice, from_council_answer),
        Service(
            DOGS_STEP.service,
            _DOGS,
            to_dog_registration_transfer,
            from_council_answer,
            withdrawal=Withdrawal(
                f"{_DOGS}/{{reference}}/cancellation",
                from_council_cancellation,
                # The council's reason code for a cancellation because the owner withdrew
                # consent.
                {"reasonCode": "CONSENT_WITHDRAWN"},
            ),
        ),
        Service(
            RATEPAYER_STEP.service,
            "/v1/deceased-ratepayers",
            to_deceased_ratepayer,
            from_council_answer,
        ),
    )

    async def find_property(self, address: Address) -> CouncilProperty:
        """The council's property at `address`; AgencyRejected when the council has none."""
        return await self._look_up(council_property(address))

    async def _look_up(self, written: dict[str, str]) -> CouncilProperty:
        answer = await self._get("/v1/properties", params=written)
        return read_answer(self.agency, answer, CouncilProperty)

    async def _completed(self, body: dict[str, Any]) -> dict[str, Any]:
        """The previewed body with the property id the council's look-up gives for the very
        property the body names, in place of `PROPERTY_ID_WHEN_SENT`."""
        found = await self._look_up(body["property"])
        return body | {"propertyId": found.property_id}


PLUGIN = AdapterPlugin(agency="council", build=CouncilAdapter)
"""The entry point `council` in `onceonly.adapters` (pyproject.toml) loads this."""
