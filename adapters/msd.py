"""Adapter for the Ministry of Social Development (Work and Income): applies for Best Start,
tells MSD a client's new address, stops a dead client's payments, and applies for a funeral
grant.

MSD wants snake_case, names split into first, middle and last, the client number, a
digits-only phone, amounts as strings with two decimals, its own relationship codes, and
addresses in parts with the unit (and its type) apart from the street number, a level, a
building and a range's last number in fields of their own; a postal address is a street
(`"kind": "street"`) or a box (`"kind": "box"`) in its own shape. An application or change of
circumstances can be withdrawn; stopped payments cannot be restarted online.
"""

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyStatus,
    AmendmentAnswer,
    Disclosure,
    WithdrawalAnswer,
)
from adapters.disclosure import DisclosedFields
from adapters.http import AgencyApi, ApiKeyHeader, read_answer
from adapters.plugins import AdapterPlugin
from adapters.services import (
    Amending,
    Amendment,
    ReportingStatus,
    Service,
    StatusCheck,
    Withdrawal,
    Withdrawing,
)
from onceonly.domain.address_model import Address, PostalAddress, PostBox
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.death import FuneralGrant
from onceonly.domain.people import PersonName

STEP = BIRTH.step("best_start")
MOVE_STEP = MOVE.step("update_msd_address")
STOP_STEP = DEATH.step("stop_msd_payments")
FUNERAL_STEP = DEATH.step("funeral_grant")
# Canonical phones may hold spaces, dashes and brackets for readability; MSD takes digits.
_PHONE_PUNCTUATION = re.compile(r"[\s()-]")
_RELATIONSHIP_CODES = {
    "spouse_or_partner": "partner",
    "child": "child",
    "parent": "parent",
    "sibling": "sibling",
    "grandchild": "grandchild",
    "other_relative": "other_family",
    "friend": "friend",
}
_BOX_TYPES = {
    "PO Box": "po_box",
    "Private Bag": "private_bag",
    "Counter Delivery": "counter_delivery",
}


def msd_names(name: PersonName) -> dict[str, str]:
    """A name as MSD's first, middle (space-joined, maybe empty) and last name."""
    first, *middle = name.given_names
    return {"first_name": first, "middle_names": " ".join(middle), "last_name": name.family_name}


def msd_phone(phone: str) -> str:
    """A phone number as MSD takes it: "(09) 123-4567" -> "091234567"."""
    return _PHONE_PUNCTUATION.sub("", phone)


def msd_address(address: Address) -> dict[str, Any]:
    """An address in MSD's parts (AS/NZS 4819's: unit type and unit, level, building, number
    or range); each part only when the address has it."""
    parts: dict[str, Any] = {"unit_type": address.unit_type, "unit": address.unit}
    parts |= {"level_type": address.level_type, "level_number": address.level_number}
    parts |= {"building_name": address.building_name, "street_number": address.number}
    parts |= {"street_number_last": address.number_last}
    parts |= {"street_name": address.street, "suburb": address.suburb}
    parts |= {"rural_delivery": address.rural_delivery}
    parts |= {"town": address.city, "post_code": address.postcode}
    return {key: value for key, value in parts.items() if value}


def msd_postal_address(address: PostalAddress) -> dict[str, Any]:
    """Where MSD writes: a street address, or a box in MSD's box shape."""
    if not isinstance(address, PostBox):
        return {"kind": "street", **msd_address(address)}
    parts: dict[str, Any] = {"kind": "box", "box_type": _BOX_TYPES[address.kind]}
    parts |= {"box_number": address.box_number, "lobby": address.lobby}
    parts |= {"town": address.city, "post_code": address.postcode}
    return {key: value for key, value in parts.items() if value}


def _client(fields: DisclosedFields, person: str) -> dict[str, Any]:
    return {
        **msd_names(fields.model(f"{person}.name", PersonName)),
        "date_of_birth": fields.text(f"{person}.date_of_birth"),
    }


def _deceased(fields: DisclosedFields) -> dict[str, Any]:
    return {**_client(fields, "deceased"), "date_of_death": fields.text("deceased.date_of_death")}


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


def to_msd_change_of_circumstances(disclosure: Disclosure) -> dict[str, Any]:
    """The update_msd_address disclosure as MSD's change of circumstances."""
    fields = DisclosedFields(MOVE_STEP, disclosure)
    change: dict[str, Any] = {
        "client_number": fields.text("mover.msd_client_number"),
        "client": _client(fields, "mover"),
        "new_address": msd_address(fields.model("new_address", Address)),
        "effective_date": fields.text("move_date"),
    }
    phone = fields.optional("mover.phone")
    if phone is not None:
        change["phone"] = msd_phone(phone)
    return change


def to_msd_stop_payments(disclosure: Disclosure) -> dict[str, Any]:
    """The stop_msd_payments disclosure as MSD's request to stop a dead client's payments."""
    fields = DisclosedFields(STOP_STEP, disclosure)
    return {
        "client_number": fields.text("deceased.msd_client_number"),
        "client": _deceased(fields),
        "death_registration_number": fields.text("deceased.death_registration_number"),
    }


def to_msd_funeral_grant(disclosure: Disclosure) -> dict[str, Any]:
    """The funeral_grant disclosure as MSD's funeral grant application."""
    fields = DisclosedFields(FUNERAL_STEP, disclosure)
    relationship = fields.text("notifier.relationship")
    if relationship not in _RELATIONSHIP_CODES:
        raise AgencyRejected(FUNERAL_STEP.agency, "notifier.relationship has no MSD code")
    letters_to = fields.postal_address("notifier.postal_address")
    grant = fields.model("funeral_grant", FuneralGrant)
    return {
        "deceased": _deceased(fields),
        "death_registration_number": fields.text("deceased.death_registration_number"),
        "applicant": {
            **msd_names(fields.model("notifier.name", PersonName)),
            "relationship": _RELATIONSHIP_CODES[relationship],
            "phone": msd_phone(fields.text("notifier.phone")),
            "postal_address": msd_postal_address(letters_to),
        },
        "funeral": {
            "funeral_director": grant.funeral_director,
            # The canonical cost has at most two decimals; MSD wants exactly two.
            "cost": f"{grant.funeral_cost:.2f}",
            "paid_by_applicant": grant.paid_by_notifier,
        },
    }


class MsdReceived(BaseModel):
    """MSD's answer to an application: the application's id."""

    application_id: str
    status: str


class MsdCase(BaseModel):
    """MSD's answer to a change of circumstances or a stop: the case's id."""

    case_id: str
    status: str


def msd_error_message(body: Any) -> str | None:
    """MSD's errors: `{"error": {"code", "message", "details"}}`."""
    error = body["error"]
    return f"{error['code']}: {error['message']}"


def from_msd_answer(answer: Any) -> AgencyAnswer:
    """MSD's answer as the application id; an application issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(STEP.agency, answer, MsdReceived).application_id)


def from_msd_case(answer: Any) -> AgencyAnswer:
    """MSD's answer as the case id; a case issues no fact later steps need."""
    return AgencyAnswer(reference=read_answer(MOVE_STEP.agency, answer, MsdCase).case_id)


class MsdWithdrawn(BaseModel):
    """MSD's answer to a withdrawal: the withdrawal's id."""

    withdrawal_id: str
    status: Literal["withdrawn"]


class MsdCaseStatus(BaseModel):
    """MSD's answer about a client's case: its type and whether the change is in force."""

    case_id: str
    case_type: Literal["change_of_circumstances", "payment_stop"]
    status: str
    in_force: bool


class MsdAmended(BaseModel):
    """MSD's answer to an amendment: the amendment's id."""

    amendment_id: str
    status: Literal["amended"]


# The case type MSD reports for each service with a case.
_CASE_TYPES = {MOVE_STEP.service: "change_of_circumstances", STOP_STEP.service: "payment_stop"}


def from_msd_case_status(service: str, answer: Any) -> AgencyStatus:
    """MSD's answer about a case of `service` as its status: done, in force or not (for a
    stop, payments that went on are the "letters to the dead" proof of effect looks for)."""
    case = read_answer(STEP.agency, answer, MsdCaseStatus)
    if case.case_type != _CASE_TYPES[service]:
        raise AgencyRejected(STEP.agency, f"the case is not one of {service}")
    return AgencyStatus(
        reference=case.case_id,
        state="completed",
        effect="in_effect" if case.in_force else "not_in_effect",
        message=case.status,
    )


def from_msd_withdrawn(answer: Any) -> WithdrawalAnswer:
    """MSD's answer to a withdrawal as the withdrawal's id."""
    withdrawn = read_answer(STEP.agency, answer, MsdWithdrawn)
    return WithdrawalAnswer(reference=withdrawn.withdrawal_id, outcome="withdrawn")


def from_msd_amended(answer: Any) -> AmendmentAnswer:
    """MSD's answer to an amendment as the amendment's id."""
    return AmendmentAnswer(reference=read_answer(STEP.agency, answer, MsdAmended).amendment_id)


# MSD's reason code for a withdrawal because the client withdrew their consent.
_WITHDRAWAL_REASON = {"reason": "consent_withdrawn"}
# Every MSD case, whatever its service, is asked about at one address.
_CASE = StatusCheck("/api/clients/cases/{reference}", from_msd_case_status)
_CHANGES = "/api/clients/changes-of-circumstances"


class MsdAdapter(Amending, Withdrawing, ReportingStatus):
    """Ministry of Social Development: Best Start, changes of circumstances, stopping
    payments, and funeral grants. Stopped payments cannot be restarted online, so that
    service has no withdrawal."""

    agency = "msd"
    title = "MSD"
    api = AgencyApi("/msd", ApiKeyHeader("X-MSD-Client-Key"), msd_error_message)
    # MSD's partner gateway is shared with its own channels: a firm rate limit.
    policy = AgencyPolicy(
        call_timeout=timedelta(seconds=20), rate_limit_per_second=5.0, max_concurrent_calls=10
    )
    services = (
        Service(
            STEP.service,
            "/api/best-start/applications",
            to_msd_best_start,
            from_msd_answer,
            withdrawal=Withdrawal(
                "/api/best-start/applications/{reference}/withdrawal",
                from_msd_withdrawn,
                _WITHDRAWAL_REASON,
            ),
        ),
        Service(
            MOVE_STEP.service,
            _CHANGES,
            to_msd_change_of_circumstances,
            from_msd_case,
            amendment=Amendment(f"{_CHANGES}/{{reference}}/amendments", from_msd_amended),
            withdrawal=Withdrawal(
                f"{_CHANGES}/{{reference}}/withdrawal", from_msd_withdrawn, _WITHDRAWAL_REASON
            ),
            status=_CASE,
        ),
        Service(
            STOP_STEP.service,
            "/api/clients/payment-stops",
            to_msd_stop_payments,
            from_msd_case,
            status=_CASE,
        ),
        Service(
            FUNERAL_STEP.service,
            "/api/funeral-grant/applications",
            to_msd_funeral_grant,
            from_msd_answer,
            withdrawal=Withdrawal(
                "/api/funeral-grant/applications/{reference}/withdrawal",
                from_msd_withdrawn,
                _WITHDRAWAL_REASON,
            ),
        ),
    )


PLUGIN = AdapterPlugin(agency="msd", build=MsdAdapter)
"""The entry point `msd` in `onceonly.adapters` (pyproject.toml) loads this."""
