"""Consent routes beyond the decision itself: withdrawing a grant (as easy as giving it),
inviting another party, and recording that a party cannot answer (receipts: api/receipts)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from onceonly.api.access import (
    EventAccess,
    event_access,
    event_kind,
    update,
    view_of,
)
from onceonly.api.deps import CurrentCitizen, Temporal
from onceonly.api.problems import ProblemError
from onceonly.api.views import LifeEventView
from onceonly.domain.catalogue import STEP_ID, LifeEventSpec
from onceonly.domain.life_event import PartyInvitation, PartyJoin, PartyUnavailable, StepWithdrawal
from workflows.steps import LifeEventWorkflow

router = APIRouter(tags=["consent"])
_INVALID_INVITATION = ProblemError(404, "Not found", "invitation: no such invitation")


class InvitationRequest(BaseModel):
    """Whom to invite: a party role the event's steps name (as in `other_parent`)."""

    role: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")


class Invitation(BaseModel):
    """An invitation to hand to the other party, who accepts it signed in as themselves."""

    invitation: str = Field(description="Opaque; give it to the invited person only.")
    role: str


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
    event_id: str, body: InvitationRequest, citizen: CurrentCitizen, temporal: Temporal
) -> Invitation:
    """Invite another party (the other parent) to give their own consent."""
    access = await event_access(temporal, citizen, event_id)
    access.require_citizen()
    invitation = PartyInvitation(role=body.role)
    code = await update(access, LifeEventWorkflow.invite_party, invitation, "Cannot invite")
    return Invitation(invitation=f"{event_id}.{body.role}.{code}", role=body.role)


@router.post("/v1/invitations")
async def accept_invitation(
    body: AcceptInvitation, citizen: CurrentCitizen, temporal: Temporal
) -> LifeEventView:
    """Join an event as the invited party, signed in as yourself."""
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
        # A wrong or used code, alike: nothing confirms that the event exists.
        raise _INVALID_INVITATION from refused
    return view_of(access, snapshot)


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
