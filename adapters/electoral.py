"""Adapter for the Electoral Commission: updates an elector's enrolment when they move, and
removes an elector who has died from the roll.

The Commission wants snake_case, ISO dates, the elector's given names in one string, and
addresses as envelope lines ending with the town and postcode, the postcode repeated on its
own.
"""

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field

from adapters.base import AgencyAnswer, AgencyPolicy, AmendmentAnswer, Disclosure
from adapters.disclosure import DisclosedFields, premise_line
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import Amending, Amendment, Service
from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.people import PersonName

MOVE_STEP = MOVE.step("update_electoral_roll")
DEATH_STEP = DEATH.step("remove_from_electoral_roll")
# The Commission prints at most four address lines on an elector's papers.
MAX_ADDRESS_LINES = 4


def elector(name: PersonName) -> dict[str, str]:
    """A name as the roll prints it: the surname, and every given name in one string."""
    return {"surname": name.family_name, "given_names": " ".join(name.given_names)}


def address_lines(address: Address) -> list[str]:
    """An address as envelope lines, NZ Post's: ["Flat 3, 45 Cuba Street", "Te Aro",
    "Wellington 6011"], with a building's name on a line of its own above the street line.

    A rural address carries its RD line before the town ("RD 2", "Kaiwaka 0573"). When the
    lines would be more than four, the building's name joins the street line ("Vero Centre,
    Level 2, 48 Shortland Street"), which leaves at most four.
    """
    lines = format_address(address)
    if len(lines) <= MAX_ADDRESS_LINES:
        return lines
    return [premise_line(address), *lines[2:]]


def residential_address(address: Address) -> dict[str, Any]:
    """An address as the Commission takes it: its lines, and the postcode again on its own."""
    return {"address_lines": address_lines(address), "postcode": address.postcode}


def to_electoral_enrolment_update(disclosure: Disclosure) -> dict[str, Any]:
    """The update_electoral_roll disclosure as the Commission's enrolment update."""
    fields = DisclosedFields(MOVE_STEP, disclosure)
    update: dict[str, Any] = {
        "elector": elector(fields.model("mover.name", PersonName)),
        "date_of_birth": fields.text("mover.date_of_birth"),
        "previous_address": residential_address(fields.model("previous_address", Address)),
        "residential_address": residential_address(fields.model("new_address", Address)),
    }
    email = fields.optional("mover.email")
    if email is not None:
        update["email"] = email
    return update


def to_electoral_deceased_removal(disclosure: Disclosure) -> dict[str, Any]:
    """The remove_from_electoral_roll disclosure as the Commission's removal request."""
    fields = DisclosedFields(DEATH_STEP, disclosure)
    return {
        "elector": elector(fields.model("deceased.name", PersonName)),
        "date_of_birth": fields.text("deceased.date_of_birth"),
        "residential_address": residential_address(fields.model("deceased.last_address", Address)),
        "date_of_death": fields.text("deceased.date_of_death"),
        "death_registration_number": fields.text("deceased.death_registration_number"),
    }


class ElectoralChanged(BaseModel):
    """The Commission's answer: the change's reference on the roll."""

    reference: str = Field(pattern=r"^EL[0-9]{8}$")
    status: str


def electoral_error_message(body: Any) -> str | None:
    """The Commission's errors: `{"error": {"message", "details": [{"field", "issue"}]}}`."""
    error = body["error"]
    details = "; ".join(f"{d['field']}: {d['issue']}" for d in error["details"])
    return f"{error['message']} ({details})" if details else error["message"]


def from_electoral_answer(answer: Any) -> AgencyAnswer:
    """The Commission's answer as its reference; neither service issues a fact."""
    return AgencyAnswer(reference=read_answer(MOVE_STEP.agency, answer, ElectoralChanged).reference)


def from_electoral_correction(answer: Any) -> AmendmentAnswer:
    """The Commission's answer to a correction as the change's reference."""
    corrected = read_answer(MOVE_STEP.agency, answer, ElectoralChanged)
    return AmendmentAnswer(reference=corrected.reference)


_UPDATES = "/enrolments/address-updates"


class ElectoralAdapter(Amending):
    """The Electoral Commission: enrolment updates, and removing electors who have died."""

    agency = "electoral"
    title = "the Electoral Commission"
    api = AgencyApi(
        "/electoral/api", ApiKeyHeader("Authorization", "ApiKey"), electoral_error_message
    )
    # A small API that peaks before elections: a low rate limit, generous retries.
    policy = AgencyPolicy(
        call_timeout=timedelta(seconds=15),
        rate_limit_per_second=5.0,
        max_concurrent_calls=5,
        max_retry_interval=timedelta(minutes=15),
        max_poll_interval=timedelta(minutes=15),
    )
    services = (
        Service(
            MOVE_STEP.service,
            _UPDATES,
            to_electoral_enrolment_update,
            from_electoral_answer,
            # A correction replaces the update in place.
            amendment=Amendment(f"{_UPDATES}/{{reference}}", from_electoral_correction, "PUT"),
        ),
        Service(
            DEATH_STEP.service,
            "/enrolments/deceased-removals",
            to_electoral_deceased_removal,
            from_electoral_answer,
        ),
    )


PLUGIN = AdapterPlugin(agency="electoral", build=ElectoralAdapter)
"""The entry point `electoral` in `onceonly.adapters` (pyproject.toml) loads this."""
