"""Consent routes beyond the decision itself: withdrawing a grant (as easy as giving it),
inviting another party, and recording that a party cannot answer (receipts: api/receipts)."""

from datetime import UTC, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from onceonly.api.access import (
    EventAccess,
    event_access,
    event_kind,
    read_view,
    update,
    view_of,
)
from onceonly.api.deps import AppSettings, Citizen, CurrentCitizen, SharedStore, Temporal
from onceonly.api.problems import FieldError, ProblemError, invalid_input
from onceonly.api.views import LifeEventView
from onceonly.domain.catalogue import STEP_ID, LifeEventSpec
from onceonly.domain.life_event import PartyInvitation, PartyJoin, PartyUnavailable, StepWithdrawal
from onceonly.invitations import Delivery, accept_link, contact_address, send_invitation
from onceonly.parties import JoinedParty
from workflows.steps import LifeEventWorkflow

router = APIRouter(tags=["consent"])
_INVALID_INVITATION = ProblemError(404, "Not found", "invitation: no such invitation")


class InvitationRequest(BaseModel):
    """Whom to invite: a party role the event's steps name (as in `other_parent`), and where
    the notification service sends them the invitation, if it should."""

    role: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    channel: Literal["email", "sms"] | None = Field(
        default=None, description="Send it by email or text message; with `to`."
    )
    to: str | None = Field(
        default=None,
        max_length=254,
        description="Their email address, or their mobile number (New Zealand or international).",
    )


class Invitation(BaseModel):
    """An invitation to hand to the other party, who accepts it signed in as themselves."""

    invitation: str = Field(description="Opaque; give it to the invited person only.")
    role: str
    link: str = Field(description="The link that opens the invitation to accept it.")
    delivery: Delivery | None = Field(
        default=None, description="How sending it went, when it was to be sent."
    )


class AcceptInvitation(BaseModel):
    """The invitation a party was given."""

    invitation: str = Field(max_length=200)


class UnavailableRequest(BaseModel):
    """Why a party cannot answer (the step's catalogue entry says which reasons it allows)."""

    reason: Literal["deceased", "unsafe", "unknown"]


@router.delete("/v1/life-events/{event_id}/consents/{step_id}")
async def withdraw_consent(
    event_id: str,
    step_id: Annotated[str, Path(pattern=STEP_ID)],
    citizen: CurrentCitizen,
    temporal: Temporal,
) -> LifeEventView:
    """Withdraw the consent given at a step: before it is sent it stops; after, the agency is
    asked to withdraw or delete. A step the law requires was acknowledged, not consented to:
    409, saying what the law keeps (a correction is the way to change such a record)."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    refusal = statutory_refusal(access.kind.spec, step_id)
    if refusal is not None:
        raise ProblemError(409, "Withdrawal does not apply", refusal)
    withdrawal = StepWithdrawal(step_id=step_id)
    snapshot = await update(
        access, LifeEventWorkflow.withdraw_consent, withdrawal, "Withdrawal does not apply"
    )
    return view_of(access, snapshot)


def statutory_refusal(spec: LifeEventSpec, step_id: str) -> str | None:
    """Why the step cannot be withdrawn, when its legal basis is not the citizen's consent:
    withdrawing it would undo nothing the law lets the agency undo (the register keeps it)."""
    try:
        step = spec.step(step_id)
    except KeyError:
        return None  # the workflow names an unknown step
    if step.legal_basis.kind == "consent":
        return None
    kept = f" {step.kept_by_law}" if step.kept_by_law else ""
    return (
        f"step_id: {step_id} is required by law ({step.legal_basis.reference}), not given by "
        f"consent, so it cannot be withdrawn.{kept} Apply to the agency for a correction instead."
    )


@router.post("/v1/life-events/{event_id}/invitations", status_code=status.HTTP_201_CREATED)
async def invite_party(
    event_id: str,
    body: InvitationRequest,
    *,
    citizen: CurrentCitizen,
    settings: AppSettings,
    store: SharedStore,
    temporal: Temporal,
) -> Invitation:
    """Invite another party (the other parent) to give their own consent; with `channel` and
    `to`, the notification service sends them the link to accept it. A failed send still
    answers with the invitation (to copy), its `delivery` saying why."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    to = _contact(body, settings.timezone)
    invitation = PartyInvitation(role=body.role)
    code = await update(access, LifeEventWorkflow.invite_party, invitation, "Cannot invite")
    opaque = f"{event_id}.{body.role}.{code}"
    answer = Invitation(invitation=opaque, role=body.role, link=accept_link(settings, opaque))
    if body.channel is None or to is None:
        return answer
    view = await read_view(access)
    needed = [s for s in view.steps if any(p.role == body.role for p in s.parties)]
    due = [step.due_on for step in needed if step.due_on]
    delivery = await send_invitation(
        settings,
        store.disclosures,
        citizen_key=citizen.key,
        event_id=event_id,
        event_type=view.event_type,
        role=body.role,
        step_ids=tuple(step.id for step in needed),
        due_on=min(due) if due else None,
        channel=body.channel,
        to=to,
        invitation=opaque,
    )
    return answer.model_copy(update={"delivery": delivery})


def _contact(body: InvitationRequest, timezone: str) -> str | None:
    """The address to send to, checked by the contact rules: 422 naming the field and rule."""
    if body.channel is None and body.to is None:
        return None
    if body.channel is None:
        raise invalid_input([FieldError(field="channel", rule="must be email or sms with to")])
    if not body.to:
        rule = "must be an email address" if body.channel == "email" else "must be a mobile number"
        raise invalid_input([FieldError(field="to", rule=f"{rule} to send the invitation to")])
    try:
        return contact_address(body.channel, body.to, datetime.now(ZoneInfo(timezone)).date())
    except ValueError as broken:
        raise invalid_input([FieldError(field="to", rule=str(broken))]) from None


@router.post("/v1/invitations")
async def accept_invitation(
    body: AcceptInvitation, citizen: CurrentCitizen, store: SharedStore, temporal: Temporal
) -> LifeEventView:
    """Join an event as the invited party, signed in as yourself. Opening an invitation you
    accepted already answers with the event, as joining did."""
    event_id, _, rest = body.invitation.partition(".")
    role, _, code = rest.partition(".")
    try:
        access = EventAccess(temporal.get_workflow_handle(event_id), event_kind(event_id), None)
    except ProblemError:
        raise _INVALID_INVITATION from None
    join = PartyJoin(role=role, code=code, party_key=citizen.key)
    try:
        snapshot = await update(access, LifeEventWorkflow.join_party, join, "Invitation not valid")
    except ProblemError as refused:
        joined = await _joined_already(temporal, citizen, event_id, role)
        if joined is None:
            # A wrong or used code, alike: nothing confirms that the event exists.
            raise _INVALID_INVITATION from refused
        access, view = joined
    else:
        access = EventAccess(access.handle, access.kind, role)
        view = view_of(access, snapshot)
    # Where the party's list of life events finds the event (again, if a crash lost it).
    joined_at = datetime.now(UTC)
    await store.parties.record(
        JoinedParty(party_key=citizen.key, event_id=event_id, role=role, joined_at=joined_at)
    )
    return view


async def _joined_already(
    temporal: Temporal, citizen: Citizen, event_id: str, role: str
) -> tuple[EventAccess, LifeEventView] | None:
    """The event and its view when the caller joined it as `role` before, else None."""
    try:
        access = await event_access(temporal, citizen, event_id)
    except ProblemError:
        return None
    if access.party != role:
        return None
    return access, await read_view(access)


@router.post("/v1/life-events/{event_id}/parties/{role}/unavailable")
async def party_unavailable(
    event_id: str, role: str, body: UnavailableRequest, citizen: CurrentCitizen, temporal: Temporal
) -> LifeEventView:
    """Record that a party cannot answer, so the steps that need them can go ahead."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    unavailable = PartyUnavailable(role=role, reason=body.reason)
    snapshot = await update(
        access, LifeEventWorkflow.mark_party_unavailable, unavailable, "Cannot record that"
    )
    return view_of(access, snapshot)
