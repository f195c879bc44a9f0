"""The consent checkpoints of a life event: the decisions of the citizen and of other parties
(with their receipts), the invitations of those parties, the wait at each checkpoint, the
expiry of those still open, and the reminders before it. The rules themselves are pure
(workflows/consent.py); this applies them to the event's state.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from onceonly.domain.catalogue import StepSpec
from onceonly.domain.life_event import (
    ConsentDecisions,
    PartyInvitation,
    PartyJoin,
    PartyUnavailable,
    StepState,
)
from onceonly.domain.notices import (
    Notifications,
    Reminder,
    contact_of,
    reminder_key,
    reminder_times,
)
from workflows import call_options
from workflows.consent import (
    DecisionNotApplicable,
    checkpoint_state,
    decide_all,
    receipt_decision,
    with_party_answer,
)
from workflows.event_state import EventState
from workflows.indexing import index_party_keys, record
from workflows.receipts import issue_receipt, issue_receipts


class Checkpoints:
    """The event's consent checkpoints, over its state."""

    def __init__(self, state: EventState) -> None:
        self.state = state

    # -- Decisions -------------------------------------------------------------------------

    async def decide(self, decisions: ConsentDecisions) -> None:
        """Apply the decisions of the citizen (or another party) at one or more checkpoints,
        each with its signed receipt."""
        state = self.state
        changes, citizen_answers = self._apply(decisions, strict=False)
        state.citizen_answers.update(citizen_answers)
        for step_id, new in changes.items():
            if decisions.party is None:
                record(state, step_id, new)
            else:
                parties = with_party_answer(
                    state.steps[step_id].parties,
                    decisions.party,
                    self._decision(decisions, step_id),
                )
                record(state, step_id, new, parties=parties)
        if state.consent_v2:
            principal = decisions.party_key or state.start.citizen_key
            answers = [
                (
                    decision.step_id,
                    receipt_decision(
                        decision.decision,
                        statutory=state.spec.step(decision.step_id).legal_basis.kind != "consent",
                    ),
                )
                for decision in decisions.decisions
            ]
            if state.lifecycle:
                await issue_receipts(state, answers, principal)
            else:
                await asyncio.gather(
                    *(issue_receipt(state, step_id, said, principal) for step_id, said in answers)
                )

    def validate(self, decisions: ConsentDecisions) -> None:
        """Reject, before anything is recorded, a decision that cannot apply."""
        try:
            self._apply(decisions, strict=self.state.consent_v2)
        except DecisionNotApplicable as reason:
            raise ApplicationError(str(reason), type="DecisionNotApplicable") from None

    def _apply(
        self, decisions: ConsentDecisions, *, strict: bool
    ) -> tuple[dict[str, StepState], dict[str, StepState]]:
        """The new state of every decided step, and the citizen's own answers at steps that
        wait for other parties too (pure: nothing is recorded here)."""
        if decisions.party is not None:
            return self._apply_party(decisions), {}
        state = self.state
        # A step the citizen answered that waits for others is, for the citizen, answered.
        states = {
            step_id: state.citizen_answers.get(step_id, step.state)
            for step_id, step in state.steps.items()
        }
        statutory = frozenset(s.id for s in state.spec.steps if s.legal_basis.kind != "consent")
        answers = decide_all(states, decisions, statutory=statutory, strict=strict)
        changes: dict[str, StepState] = {}
        citizen_answers: dict[str, StepState] = {}
        for step_id, answer in answers.items():
            parties = state.steps[step_id].parties
            if parties:
                citizen_answers[step_id] = answer
                changes[step_id] = checkpoint_state(answer, parties)
            else:
                changes[step_id] = answer
        return changes, citizen_answers

    @staticmethod
    def _decision(decisions: ConsentDecisions, step_id: str) -> str:
        return next(d.decision for d in decisions.decisions if d.step_id == step_id)

    def _apply_party(self, decisions: ConsentDecisions) -> dict[str, StepState]:
        state = self.state
        role = decisions.party or ""
        if state.party_keys.get(role) != decisions.party_key:
            raise DecisionNotApplicable(f"only the {role!r} who joined may answer as {role!r}")
        changes = {}
        for decision in decisions.decisions:
            step = state.steps.get(decision.step_id)
            if step is None or step.state is not StepState.AWAITING_CONSENT:
                found = "no such step" if step is None else f"is {step.state.value}"
                raise DecisionNotApplicable(f"step {decision.step_id!r}: {found}")
            try:
                parties = with_party_answer(step.parties, role, decision.decision)
            except DecisionNotApplicable as reason:
                raise DecisionNotApplicable(f"step {decision.step_id!r}: {reason}") from None
            changes[step.step_id] = checkpoint_state(
                state.citizen_answers.get(step.step_id), parties
            )
        return changes

    # -- Other parties ---------------------------------------------------------------------

    def invite(self, invitation: PartyInvitation) -> str:
        """The party's invitation code: made once, given again if asked again."""
        code = self.state.invitations.get(invitation.role) or workflow.uuid4().hex
        self.state.invitations[invitation.role] = code
        return code

    def validate_invitation(self, invitation: PartyInvitation) -> None:
        """Only a party some open checkpoint needs can be invited, once they have not joined."""
        if not self.state.awaiting_party(invitation.role):
            raise ApplicationError(
                f"role {invitation.role!r}: no open checkpoint needs this party",
                type="PartyNotApplicable",
            )
        if invitation.role in self.state.party_keys:
            raise ApplicationError(
                f"role {invitation.role!r}: has joined already", type="PartyNotApplicable"
            )

    def join(self, join: PartyJoin) -> None:
        """An invited party accepts, signed in as themselves."""
        self.state.party_keys[join.role] = join.party_key
        self.state.set_parties(join.role, joined=True)
        index_party_keys(self.state)

    def validate_join(self, join: PartyJoin) -> None:
        """The invitation must be the role's, unused, and not the citizen's own."""
        state = self.state
        if state.invitations.get(join.role) != join.code or join.role in state.party_keys:
            raise ApplicationError("invitation: not valid for this event", type="InvalidInvitation")
        if join.party_key == state.start.citizen_key:
            raise ApplicationError(
                "invitation: the citizen who started the event cannot join as another party",
                type="InvalidInvitation",
            )

    def mark_unavailable(self, unavailable: PartyUnavailable) -> None:
        """Record that a party cannot answer; the steps that need them go on with the
        citizen's answer alone."""
        state = self.state
        for step in state.spec.steps:
            if state.party_awaits(step, unavailable.role, unavailable.reason):
                parties = tuple(
                    p.model_copy(update={"state": "unavailable", "reason": unavailable.reason})
                    if p.role == unavailable.role
                    else p
                    for p in state.steps[step.id].parties
                )
                new = checkpoint_state(state.citizen_answers.get(step.id), parties)
                record(state, step.id, new, parties=parties)

    def validate_unavailable(self, unavailable: PartyUnavailable) -> None:
        """Only for a party an open checkpoint awaits, and a reason its catalogue entry allows."""
        if not any(
            self.state.party_awaits(step, unavailable.role, unavailable.reason)
            for step in self.state.spec.steps
        ):
            raise ApplicationError(
                f"role {unavailable.role!r}: no open checkpoint lets this party be "
                f"recorded as {unavailable.reason}",
                type="PartyNotApplicable",
            )

    # -- Waits -----------------------------------------------------------------------------

    async def passed(self, step: StepSpec) -> bool:
        """Wait for the citizen's decision, the expiry, or a needed step's dead end; whether
        the step was granted."""
        state = self.state
        if state.consent_v2:
            # One expiry for every checkpoint of the event (see expire): they all opened
            # together, and one timer is one history event instead of one per step.
            await workflow.wait_condition(
                lambda: (
                    state.steps[step.id].state is not StepState.AWAITING_CONSENT
                    or state.needs_dead_step(step)
                )
            )
            if state.steps[step.id].state is StepState.AWAITING_CONSENT:
                record(state, step.id, StepState.SKIPPED)
                return False
            return state.steps[step.id].state is StepState.GRANTED
        try:
            await workflow.wait_condition(
                lambda: (
                    state.steps[step.id].state is not StepState.AWAITING_CONSENT
                    or state.needs_dead_step(step)
                ),
                timeout=state.start.consent_expiry,
                timeout_summary=f"consent expiry for {step.id}",
            )
        except TimeoutError:
            record(state, step.id, StepState.EXPIRED)
            return False
        if state.steps[step.id].state is StepState.AWAITING_CONSENT:
            record(state, step.id, StepState.SKIPPED)
            return False
        return state.steps[step.id].state is StepState.GRANTED

    async def expire(self) -> None:
        """Expire every checkpoint still open when the consent period ends, with receipts."""
        state = self.state
        try:
            await workflow.wait_condition(
                lambda: not state.awaiting(),
                timeout=state.start.consent_expiry,
                timeout_summary="consent expiry",
            )
        except TimeoutError:
            expired = state.awaiting()
            for step_id in expired:
                record(state, step_id, StepState.EXPIRED)
            await asyncio.gather(
                *(issue_receipt(state, s, "expire", state.start.citizen_key) for s in expired)
            )

    async def remind(self) -> None:
        """Remind the citizen of open checkpoints at the configured times and before
        statutory deadlines, until none is open."""
        state = self.state
        contact = contact_of(state.spec, state.dossier)
        if contact is None:
            return
        channel, to = contact
        start = state.start
        times = sorted(
            {
                when
                for step in state.steps.values()
                if step.state is StepState.AWAITING_CONSENT
                for when in reminder_times(
                    decided=False,
                    started_at=state.header.started_at,
                    expiry=start.consent_expiry,
                    reminders_after=start.reminders_after,
                    due_on=step.due_on,
                    deadline_warning=start.deadline_warning,
                    timezone=start.timezone,
                )
            }
        )
        for number, when in enumerate(times, start=1):
            try:
                await workflow.wait_condition(
                    lambda: not state.awaiting(),
                    timeout=max(when - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=f"reminder {number}",
                )
                return  # nothing left to answer
            except TimeoutError:
                pass
            awaiting = state.awaiting()
            due = [d for d in (state.steps[s].due_on for s in awaiting) if d is not None]
            reminder = Reminder(
                event_id=state.event_id,
                event_type=state.spec.event_type,
                step_ids=tuple(awaiting),
                kind="reminder",
                due_on=min(due) if due else None,
                channel=channel,
                to=to,
                idempotency_key=reminder_key(state.event_id, "reminder", awaiting, number),
            )
            options = call_options.REMINDER
            await workflow.execute_activity_method(
                Notifications.send_reminder,
                reminder,
                start_to_close_timeout=options.start_to_close,
                schedule_to_close_timeout=options.schedule_to_close(start),
                retry_policy=options.retry_policy,
                summary=f"reminder {number}",
            )
