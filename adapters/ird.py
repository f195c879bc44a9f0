"""Adapter for Inland Revenue: issues a newborn's IRD number, changes a customer's address,
tells IRD of a customer's death, and looks up a customer's own IRD number (for prefill).

IRD wants dates as dd/mm/yyyy, names in flat fields, IRD numbers as nine bare digits (or
null), codes of its own for the notifier's relationship and capacity, and every address on
one line, as NZ Post writes it ("PO Box 1234, Whangārei 0140").
"""

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyStatus,
    AmendmentAnswer,
    Disclosure,
)
from adapters.disclosure import DisclosedFields
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import Amending, Amendment, ReportingStatus, Service, StatusCheck
from onceonly.domain.address_model import Address, PostalAddress
from onceonly.domain.addresses import format_address_line
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, StepSpec
from onceonly.domain.identifiers import is_valid_ird_number, normalise_ird_number
from onceonly.domain.people import PersonName

STEP = BIRTH.step("child_ird_number")
ADDRESS_STEP = MOVE.step("update_ird_address")
DECEASED_STEP = DEATH.step("notify_ird")
_RELATIONSHIP_CODES = {
    "spouse_or_partner": "SPOUSE",
    "child": "CHILD",
    "parent": "PARENT",
    "sibling": "SIBLING",
    "grandchild": "GRANDCHILD",
    "other_relative": "RELATIVE",
    "friend": "FRIEND",
}
NEWBORN_ISSUE_DUE = timedelta(days=5)
"""IRD's stated time to issue a newborn's IRD number when it does not answer at once."""
# IRD's case type for each service whose cases it reports on.
_CASE_TYPES = {
    STEP.service: "NEWBORN_REGISTRATION",
    ADDRESS_STEP.service: "ADDRESS_CHANGE",
    DECEASED_STEP.service: "DECEASED_NOTIFICATION",
}
_CAPACITY_CODES = {
    "next_of_kin": "NEXT_OF_KIN",
    "executor": "EXECUTOR",
    "administrator": "ADMINISTRATOR",
}


def ird_date(iso_date: str) -> str:
    """An ISO date written IRD's way: "2026-11-01" -> "01/11/2026"."""
    return date.fromisoformat(iso_date).strftime("%d/%m/%Y")


def postal_address(address: PostalAddress) -> str:
    """An address on one line: "1/21A Smith Street, Ponsonby, Auckland 1011", with "RD n"
    for rural delivery, or a box: "PO Box 1234, Whangārei 0140" (its lobby when named)."""
    return format_address_line(address)


def _date(fields: DisclosedFields, step: StepSpec, field: str) -> str:
    try:
        return ird_date(fields.text(field))
    except ValueError:
        raise AgencyRejected(step.agency, f"{field} is not an ISO date") from None


def _code(codes: dict[str, str], fields: DisclosedFields, field: str) -> str:
    value = fields.text(field)
    if value not in codes:
        raise AgencyRejected(DECEASED_STEP.agency, f"{field} has no IRD code")
    return codes[value]


def _names(name: PersonName, whose: str = "") -> dict[str, str]:
    # IRD's flat name fields: firstNames and surname, or notifierFirstNames and notifierSurname.
    first, last = (f"{whose}FirstNames", f"{whose}Surname") if whose else ("firstNames", "surname")
    return {first: " ".join(name.given_names), last: name.family_name}


def to_ird_newborn_registration(disclosure: Disclosure) -> dict[str, Any]:
    """The child_ird_number disclosure as IRD's newborn registration request."""
    fields = DisclosedFields(STEP, disclosure)
    child_name = fields.model("child.name", PersonName)
    return {
        "birthRegistrationNumber": fields.text("child.birth_registration_number"),
        "childFirstNames": " ".join(child_name.given_names),
        "childSurname": child_name.family_name,
        "childDateOfBirth": _date(fields, STEP, "child.date_of_birth"),
        # The canonical model keeps IRD numbers as nine bare digits already; null when none.
        "parentIrdNumber": fields.optional("birth_parent.ird_number"),
        "postalAddress": postal_address(fields.model("address", Address)),
    }


def to_ird_address_change(disclosure: Disclosure) -> dict[str, Any]:
    """The update_ird_address disclosure as IRD's address change request."""
    fields = DisclosedFields(ADDRESS_STEP, disclosure)
    return {
        "irdNumber": fields.text("mover.ird_number"),
        **_names(fields.model("mover.name", PersonName)),
        "residentialAddress": postal_address(fields.model("new_address", Address)),
        "effectiveDate": _date(fields, ADDRESS_STEP, "move_date"),
    }


def to_ird_deceased_notification(disclosure: Disclosure) -> dict[str, Any]:
    """The notify_ird disclosure as IRD's notification of a customer's death."""
    fields = DisclosedFields(DECEASED_STEP, disclosure)
    letters_to = fields.postal_address("notifier.postal_address")
    return {
        "irdNumber": fields.text("deceased.ird_number"),
        **_names(fields.model("deceased.name", PersonName)),
        "dateOfBirth": _date(fields, DECEASED_STEP, "deceased.date_of_birth"),
        "dateOfDeath": _date(fields, DECEASED_STEP, "deceased.date_of_death"),
        "deathRegistrationNumber": fields.text("deceased.death_registration_number"),
        **_names(fields.model("notifier.name", PersonName), whose="notifier"),
        "notifierRelationship": _code(_RELATIONSHIP_CODES, fields, "notifier.relationship"),
        "notifierCapacity": _code(_CAPACITY_CODES, fields, "notifier.authority"),
        "notifierPostalAddress": postal_address(letters_to),
    }


class IrdRegistered(BaseModel):
    """IRD's answer to a newborn registration: the child's new IRD number and a case reference."""

    ird_number: str = Field(alias="irdNumber", pattern=r"^[0-9]{9}$")
    case_reference: str = Field(alias="caseReference")


class IrdCase(BaseModel):
    """IRD's answer to an address change or a notification of death: the case it opened."""

    case_reference: str = Field(alias="caseReference")
    status: str


class IrdReceived(BaseModel):
    """IRD's answer when it issues the IRD number later: the case reference only."""

    case_reference: str = Field(alias="caseReference")
    status: Literal["received"]


class IrdCaseStatus(BaseModel):
    """IRD's answer about a case: its type, whether it is done, the IRD number it issued (a
    newborn's), and whether the change it made is in effect (an address change's)."""

    case_reference: str = Field(alias="caseReference")
    case_type: str = Field(alias="caseType")
    case_status: Literal["RECEIVED", "COMPLETED"] = Field(alias="caseStatus")
    ird_number: str | None = Field(default=None, alias="irdNumber", pattern=r"^[0-9]{9}$")
    change_in_effect: bool | None = Field(default=None, alias="changeInEffect")


class IrdAmended(BaseModel):
    """IRD's answer to a correction: the amendment's own reference."""

    amendment_reference: str = Field(alias="amendmentReference")


class IrdCustomer(BaseModel):
    """IRD's answer to a look-up of a customer's own IRD number."""

    ird_number: str = Field(alias="irdNumber", pattern=r"^[0-9]{9}$")


def ird_error_message(body: Any) -> str | None:
    """IRD's errors: `{"faultCode", "faultString"}`."""
    return f"{body['faultCode']}: {body['faultString']}"


def from_ird_answer(answer: Any) -> AgencyAnswer:
    """IRD's answer as its case reference and the child's IRD number, or, when IRD issues
    the number later (and calls back), as a pending case."""
    if isinstance(answer, dict) and "irdNumber" not in answer:
        received = read_answer(STEP.agency, answer, IrdReceived)
        return AgencyAnswer(
            reference=received.case_reference,
            pending=True,
            follow_up="callback",
            outcome_due=NEWBORN_ISSUE_DUE,
        )
    registered = read_answer(STEP.agency, answer, IrdRegistered)
    return AgencyAnswer(
        reference=registered.case_reference, outputs={"child.ird_number": registered.ird_number}
    )


def from_ird_case(answer: Any) -> AgencyAnswer:
    """IRD's answer as its case reference; the case issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(ADDRESS_STEP.agency, answer, IrdCase).case_reference)


def from_ird_case_status(service: str, answer: Any) -> AgencyStatus:
    """IRD's answer about a case of `service` as its status."""
    case = read_answer(STEP.agency, answer, IrdCaseStatus)
    if case.case_type != _CASE_TYPES[service]:
        raise AgencyRejected(STEP.agency, f"the case is not one of {service}")
    if case.case_status == "RECEIVED":
        return AgencyStatus(reference=case.case_reference, state="pending")
    outputs = {} if case.ird_number is None else {"child.ird_number": case.ird_number}
    if service == STEP.service and not outputs:
        raise AgencyRejected(STEP.agency, "its completed newborn case holds no IRD number")
    # A newborn's number, once issued, is the effect; a change says whether it took effect.
    in_effect = True if service == STEP.service else case.change_in_effect
    return AgencyStatus(
        reference=case.case_reference,
        state="completed",
        outputs=outputs,
        effect="unknown" if in_effect is None else "in_effect" if in_effect else "not_in_effect",
    )


def from_ird_amended(answer: Any) -> AmendmentAnswer:
    """IRD's answer to a correction as the amendment's reference."""
    return AmendmentAnswer(
        reference=read_answer(STEP.agency, answer, IrdAmended).amendment_reference
    )


# Every IRD case, whatever its service, is asked about at one address.
_CASE = StatusCheck("/cases/{reference}", from_ird_case_status)


class IrdAdapter(Amending, ReportingStatus):
    """Inland Revenue: newborn IRD numbers, address changes, notifications of death, and
    customers' own IRD numbers."""

    agency = "ird"
    title = "IRD"
    api = AgencyApi("/ird/gateway/v2", ApiKeyHeader("Authorization", "Bearer"), ird_error_message)
    # IRD's gateway allows partners a modest rate; a newborn's number may take days.
    policy = AgencyPolicy(
        call_timeout=timedelta(seconds=20),
        rate_limit_per_second=10.0,
        max_concurrent_calls=10,
        poll_every=timedelta(hours=1),
        max_retry_interval=timedelta(minutes=10),
        max_poll_interval=timedelta(hours=1),
    )
    services = (
        Service(
            STEP.service,
            "/newborn-registrations",
            to_ird_newborn_registration,
            from_ird_answer,
            status=_CASE,
        ),
        Service(
            ADDRESS_STEP.service,
            "/address-changes",
            to_ird_address_change,
            from_ird_case,
            # A correction replaces the change it corrects.
            amendment=Amendment("/address-changes/{reference}", from_ird_amended, "PUT"),
            status=_CASE,
        ),
        Service(
            DECEASED_STEP.service,
            "/deceased-notifications",
            to_ird_deceased_notification,
            from_ird_case,
            status=_CASE,
        ),
    )

    async def own_ird_number(self, identity: str) -> str:
        """The IRD number IRD holds for the citizen with this identity, checked by its digit."""
        answer = await self._get("/customers/{reference}/ird-number", reference=identity)
        number = read_answer(self.agency, answer, IrdCustomer).ird_number
        if not is_valid_ird_number(number):
            raise AgencyRejected(self.agency, "its answer holds no valid IRD number")
        return normalise_ird_number(number)


PLUGIN = AdapterPlugin(agency="ird", build=IrdAdapter)
"""The entry point `ird` in `onceonly.adapters` (pyproject.toml) loads this."""
