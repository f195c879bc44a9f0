"""Sending an invitation to another party (the other parent) through the government
notification service, by email or text message, with the link that accepts it.

The event makes the invitation (its `invite_party` Update); the API sends it afterwards,
here, because the citizen waits for the answer and a failed send must not lose the code: the
citizen can still copy it. The address is checked by the project's contact rules before the
invitation is made, goes only to the notification service, and the disclosure (that contact
detail, to that service, to invite) is written to the disclosure log like any other.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from temporalio.exceptions import ApplicationError

from adapters.notify import AGENCY, NotifyAdapter
from onceonly.disclosures import DisclosureEntry, DisclosureLog
from onceonly.domain.catalogue import LegalBasis
from onceonly.domain.contact import EMAIL_RULE, Email, e164_phone
from onceonly.domain.notices import Channel, Reminder
from onceonly.domain.people import intake_context
from onceonly.settings import Settings

SERVICE = "invitation"
"""The notification service's use, as the disclosure log names it."""
SERVICE_NAME = "Government notification service"
ACCEPT_PATH = "/invitations/accept"
"""Where the portal accepts an invitation: the link in the message opens it."""
# The citizen asked for the message: the contact detail is used for the purpose it was given.
LEGAL_BASIS = LegalBasis(
    kind="consent",
    reference="Privacy Act 2020, IPP 11(1)(a): given by the citizen to send this invitation",
)
# The citizen waits on the page for the send; the service answers in well under this.
SEND_TIMEOUT = httpx.Timeout(10.0)
_EMAILS: TypeAdapter[str] = TypeAdapter(Email)


class Delivery(BaseModel):
    """How sending the invitation went: the code is valid either way."""

    channel: Channel
    status: Literal["sent", "failed"]
    message_id: str | None = Field(description="The notification service's id for it.")
    problem: str | None = Field(description="Why it could not be sent, in plain words.")


def contact_address(channel: Channel, to: str, today: date) -> str:
    """The address in the form the service takes (E.164 for a phone, the ASCII form of an
    email address); ValueError with the rule it breaks."""
    if channel == "sms":
        return e164_phone(to)
    try:
        return _EMAILS.validate_python(to, context=intake_context(today))
    except ValidationError:
        raise ValueError(EMAIL_RULE) from None


def invitation_step(role: str) -> str:
    """The disclosure log's step id for inviting `role`, as in `invite_other_parent`."""
    return f"invite_{role}"


def invitation_purpose(step_id: str) -> str | None:
    """The purpose of an invitation's disclosure in words, or None for any other step."""
    if not step_id.startswith("invite_"):
        return None
    role = step_id.removeprefix("invite_").replace("_", " ")
    return f"To send the {role} the invitation to give their own consent"


def accept_link(settings: Settings, invitation: str) -> str:
    """The link that opens the invitation in the portal, signed in as the invited person."""
    return f"{settings.public_base_url}{ACCEPT_PATH}?{urlencode({'code': invitation})}"


async def send_invitation(
    settings: Settings,
    log: DisclosureLog,
    *,
    citizen_key: str,
    event_id: str,
    event_type: str,
    role: str,
    step_ids: tuple[str, ...],
    due_on: date | None,
    channel: Channel,
    to: str,
    invitation: str,
) -> Delivery:
    """Send the invitation's link to `to` and log the disclosure; a refusal or an outage of
    the service is a failed Delivery saying why (the invitation stands, to copy)."""
    key = f"{event_id}/invitation/{uuid.uuid4().hex}"
    reminder = Reminder(
        event_id=event_id,
        event_type=event_type,
        step_ids=step_ids,
        kind="invitation",
        due_on=due_on,
        channel=channel,
        to=to,
        idempotency_key=key,
    )
    api_key = settings.agency_api_keys.get(AGENCY, "")
    try:
        async with httpx.AsyncClient(timeout=SEND_TIMEOUT) as client:
            notify = NotifyAdapter(client, settings.agency_base_url, api_key)
            message_id = await notify.send(reminder, accept_link(settings, invitation))
    except ApplicationError as error:
        return Delivery(channel=channel, status="failed", message_id=None, problem=str(error))
    field = f"{role}.phone" if channel == "sms" else f"{role}.email"
    await log.record(
        DisclosureEntry(
            citizen_key=citizen_key,
            event_id=event_id,
            event_type=event_type,
            step_id=invitation_step(role),
            agency=AGENCY,
            service=SERVICE,
            fields=(field,),
            legal_basis=LEGAL_BASIS,
            receipt_id=None,
            agency_reference=message_id,
            disclosed_at=datetime.now(UTC),
            idempotency_key=key,
        )
    )
    return Delivery(channel=channel, status="sent", message_id=message_id, problem=None)
