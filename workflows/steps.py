"""The shared step runner: every life-event workflow is this runner over a catalogue entry.

Each step waits at its consent checkpoint (a durable timer raced against the citizen's
decision, with reminders), then for the steps it needs, then goes to its agency with the
signed receipt of the decision that allowed it. Independent steps run in parallel; a step
whose needed step will never complete is skipped. A withdrawal after submission runs the
agency's compensating call, even when the event is cancelled meanwhile.

This module holds the workflow's Queries, Updates and run loop; the work is its
collaborators', which share the event's one state (workflows/event_state.py): checkpoints,
agency calls, agency outcomes and corrections. Events started before receipts, previews,
reminders, parties and withdrawal existed replay as they ran: all of that is behind the
`CONSENT_V2` patch (workflows/patches.py).
"""

import asyncio
from collections.abc import Mapping

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from onceonly.domain import search_attributes
from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.corrections import CorrectionOrder, CorrectionProgress
from onceonly.domain.inbox import INBOX_TASK_CLOSED, InboxTaskClosed
from onceonly.domain.life_event import (
    SATISFIED_STATES,
    AgencyOutcomeReady,
    ConsentDecisions,
    LifeEventProgress,
    LifeEventSnapshot,
    LifeEventStart,
    PartyInvitation,
    PartyJoin,
    PartyUnavailable,
    StepRetry,
    StepState,
    StepWithdrawal,
)
from onceonly.domain.patches import (
    AGENCY_LIFECYCLE,
    BATCHED_BOOKKEEPING,
    CONSENT_V2,
    STAFF_INBOX_TASKS,
)
from onceonly.domain.progress import steps_in_force
from onceonly.domain.receipts import SignedReceipt
from workflows.agency_calls import AgencyCalls
from workflows.agency_outcomes import AgencyOutcomes
from workflows.checkpoints import Checkpoints
from workflows.corrections import Corrections
from workflows.event_state import EventState
from workflows.indexing import record, upsert
from workflows.patches import patches_taken, started_with
from workflows.receipts import issue_receipt

# A grant can be withdrawn until the step is over; afterwards only what the agency did can be.
WITHDRAWABLE_STATES = frozenset(
    {StepState.GRANTED, StepState.SUBMITTING, StepState.COMPLETED, StepState.FAILED}
)


class LifeEventWorkflow:
    """Base of every life-event workflow: the checkpoints (Updates), the state (Queries), and
    the runner. Subclasses name their catalogue entry and input type.
    """

    def __init__(
        self,
        spec: LifeEventSpec,
        start: LifeEventStart,
        data: BaseModel,
        added_steps: Mapping[str, str] | None = None,
    ) -> None:
        """Set up the event's steps; `added_steps` (step id -> patch id) are the steps added
        behind a `workflow.patched` guard, which events started before the patch do not have.
        """
        info = workflow.info()
        # Decided here, before the run's first command, so that an event's steps (and so its
        # progress, timers and upserts) are fixed for its whole life, on every replay.
        # Plugins' steps carry their own patch ids (onceonly/domain/catalogue.py).
        batched = started_with(start.started_with_patch, BATCHED_BOOKKEEPING) or workflow.patched(
            BATCHED_BOOKKEEPING
        )
        taken = patches_taken(
            batched, {CONSENT_V2, AGENCY_LIFECYCLE, *(added_steps or {}).values()}
        )
        added = {step.id: step.patch for step in spec.steps if step.patch}
        spec = steps_in_force(spec, {**added, **(added_steps or {})}, taken)
        consent_v2 = taken(CONSENT_V2)
        lifecycle = taken(AGENCY_LIFECYCLE)
        self._state = EventState.begin(
            spec,
            start,
            data,
            info.workflow_id,
            workflow.now(),
            consent_v2=consent_v2,
            lifecycle=lifecycle,
            batched=batched,
            # What the starter indexed already (the API indexes a new event's state as it
            # starts it): the first upsert is made only if the event's own state differs.
            indexed=search_attributes.state_of(info.typed_search_attributes) if batched else None,
            # Asked with `patched` only where an event first takes such a path (StaffTasks).
            staff_inbox=started_with(start.started_with_patch, STAFF_INBOX_TASKS),
        )
        self._calls = AgencyCalls(self._state)
        self._outcomes = AgencyOutcomes(self._state, self._calls)
        self._checkpoints = Checkpoints(self._state)
        self._corrections = Corrections(self._state, self._calls)

    # -- Queries ----------------------------------------------------------------------------

    @workflow.query
    def progress(self) -> LifeEventProgress:
        """The event's state, for the API and operators."""
        return self._state.progress()

    @workflow.query
    def receipts(self) -> tuple[SignedReceipt, ...]:
        """Every consent receipt the event has issued, oldest first."""
        return tuple(self._state.receipts)

    @workflow.query
    def snapshot(self) -> LifeEventSnapshot:
        """The event's state with what each step will send its agency, as the agency will
        receive it: everything the citizen's view shows."""
        previews = tuple(self._state.previews.values())
        return LifeEventSnapshot(progress=self.progress(), previews=previews)

    @workflow.query
    def party_roles(self) -> dict[str, str]:
        """The parties who joined, by pseudonymous key: key -> role."""
        return {key: role for role, key in self._state.party_keys.items()}

    @workflow.query
    def corrections(self) -> tuple[CorrectionProgress, ...]:
        """Every correction of the event, oldest first, with each agency's progress."""
        return tuple(self._state.corrections)

    # -- Updates: consent and parties -------------------------------------------------------

    @workflow.update
    async def decide_consent(self, decisions: ConsentDecisions) -> LifeEventSnapshot:
        """Apply the decisions of the citizen (or another party) at one or more checkpoints,
        each with its signed receipt."""
        await self._checkpoints.decide(decisions)
        return self.snapshot()

    @decide_consent.validator
    def validate_decisions(self, decisions: ConsentDecisions) -> None:
        """Reject, before anything is recorded, a decision that cannot apply."""
        self._checkpoints.validate(decisions)

    @workflow.update
    async def invite_party(self, invitation: PartyInvitation) -> str:
        """Invite another party to answer for themselves; answers with the invitation code."""
        return self._checkpoints.invite(invitation)

    @invite_party.validator
    def validate_invitation(self, invitation: PartyInvitation) -> None:
        """Only a party some open checkpoint needs can be invited, once they have not joined."""
        self._checkpoints.validate_invitation(invitation)

    @workflow.update
    async def join_party(self, join: PartyJoin) -> LifeEventSnapshot:
        """An invited party accepts, signed in as themselves."""
        self._checkpoints.join(join)
        return self.snapshot()

    @join_party.validator
    def validate_join(self, join: PartyJoin) -> None:
        """The invitation must be the role's, unused, and not the citizen's own."""
        self._checkpoints.validate_join(join)

    @workflow.update
    async def mark_party_unavailable(self, unavailable: PartyUnavailable) -> LifeEventSnapshot:
        """Record that a party cannot answer (the catalogue says for which reasons); the steps
        that need them go on with the citizen's answer alone."""
        self._checkpoints.mark_unavailable(unavailable)
        return self.snapshot()

    @mark_party_unavailable.validator
    def validate_unavailable(self, unavailable: PartyUnavailable) -> None:
        """Only for a party an open checkpoint awaits, and a reason its catalogue entry allows."""
        self._checkpoints.validate_unavailable(unavailable)

    @workflow.update
    async def withdraw_consent(self, withdrawal: StepWithdrawal) -> LifeEventSnapshot:
        """Withdraw a grant: before submission the step simply stops; after it, the agency's
        compensating call runs where it has one, and the law's reason is given where the
        agency must keep the record."""
        state = self._state
        step_id = withdrawal.step_id
        if state.steps[step_id].state is StepState.COMPLETED:
            await self._calls.compensate(state.spec.step(step_id))
        elif state.steps[step_id].state is StepState.SUBMITTING:
            # The agency call is in flight: compensate when it ends (see _run_step).
            state.withdrawn_in_flight.add(step_id)
        else:
            record(state, step_id, StepState.WITHDRAWN, note="Stopped before anything was sent.")
            await issue_receipt(state, step_id, "withdraw", state.start.citizen_key)
        return self.snapshot()

    @withdraw_consent.validator
    def validate_withdrawal(self, withdrawal: StepWithdrawal) -> None:
        """Only a step the citizen granted (and not already withdrawn) can be withdrawn."""
        step = self._state.steps.get(withdrawal.step_id)
        if step is None:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: no such step", type="WithdrawalNotApplicable"
            )
        if not self._state.consent_v2 or step.state not in WITHDRAWABLE_STATES:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: is {step.state.value}, not a granted step",
                type="WithdrawalNotApplicable",
            )
        if withdrawal.step_id in self._state.withdrawn_in_flight:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: is being withdrawn already",
                type="WithdrawalNotApplicable",
            )

    # -- Updates: agencies, corrections and operators ---------------------------------------

    @workflow.update
    async def agency_outcome_ready(self, ready: AgencyOutcomeReady) -> None:
        """A verified callback: the agency has decided on the step's request; ask it."""
        self._state.outcome_ready.add(ready.step_id)

    @agency_outcome_ready.validator
    def validate_outcome_ready(self, ready: AgencyOutcomeReady) -> None:
        """Only a step waiting on this agency, under this reference, can be woken."""
        self._outcomes.validate_ready(ready)

    @workflow.update(name=INBOX_TASK_CLOSED)
    async def inbox_task_closed(self, closed: InboxTaskClosed) -> None:
        """Staff closed a task the event waits on (sent by the API that closed it): the event
        reads what they did from the inbox."""
        self._calls.staff.wake(closed)

    @inbox_task_closed.validator
    def validate_inbox_task_closed(self, closed: InboxTaskClosed) -> None:
        """Only a task the event opened, for that step and kind."""
        self._calls.staff.validate_closed(closed)

    @workflow.update
    async def correct_fields(self, order: CorrectionOrder) -> CorrectionProgress:
        """Correct fields of the event's data, then amend every agency that received one.

        Answers when every agency has answered; callers that cannot wait take the Update's
        acceptance and follow the `corrections` Query (the correction's id is the Update's).
        """
        return await self._corrections.correct(order)

    @correct_fields.validator
    def validate_correction(self, order: CorrectionOrder) -> None:
        """Reject, before anything changes, a path or value the event's data does not take."""
        self._corrections.corrected(order.request)

    @workflow.update
    async def retry_step(self, retry: StepRetry) -> LifeEventProgress:
        """Send a failed step to its agency again (an operator's action)."""
        record(self._state, retry.step_id, StepState.GRANTED, error=None)
        return self.progress()

    @retry_step.validator
    def validate_retry(self, retry: StepRetry) -> None:
        """Only a failed step whose retry window is still open can be retried."""
        step = self._state.steps.get(retry.step_id)
        if step is None:
            raise ApplicationError(
                f"step {retry.step_id!r}: no such step", type="RetryNotApplicable"
            )
        if retry.step_id not in self._state.retryable:
            raise ApplicationError(
                f"step {retry.step_id!r}: is {step.state.value}, not a failed step open to retry",
                type="RetryNotApplicable",
            )

    # -- The runner -------------------------------------------------------------------------

    async def run_steps(self) -> LifeEventProgress:
        """Run every step to an end state and answer with the final progress."""
        state = self._state
        upsert(state)
        checkpoints = self._checkpoints
        waits = [checkpoints.expire(), checkpoints.remind()] if state.consent_v2 else []
        try:
            if state.batched:
                await self._calls.preview_all()
            await asyncio.gather(*(self._run_step(step) for step in state.spec.steps), *waits)
            window = state.start.withdrawal_window
            if state.consent_v2 and window and state.step_ids_in(StepState.COMPLETED):
                # Withdrawing is as easy as granting, after the agencies acted too: the event
                # stays open to it for a while (its status already says how it ended).
                await workflow.sleep(window, summary="withdrawal window")
        except asyncio.CancelledError:
            state.cancelled = True
            upsert(state)
            # A withdrawal's compensating call goes on to its end: the citizen asked for it.
            await workflow.wait_condition(lambda: state.compensating == 0)
            raise
        # Staff asked to withdraw a record have answered too (none before STAFF_INBOX_TASKS).
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and state.staff_waits == 0
        )
        if state.batched:  # an upsert still due would follow the run's end
            upsert(state)
        return self.progress()

    async def _run_step(self, step: StepSpec) -> None:
        state = self._state
        if state.steps[step.id].state is StepState.NOT_APPLICABLE:
            return
        if state.consent_v2 and not state.batched:
            await self._calls.preview(step)
        if not await self._checkpoints.passed(step):
            return
        await workflow.wait_condition(
            lambda: (
                all(state.steps[needed].state in SATISFIED_STATES for needed in step.depends_on)
                or state.needs_dead_step(step)
                or state.steps[step.id].state is StepState.WITHDRAWN
            )
        )
        if state.steps[step.id].state is StepState.WITHDRAWN:
            return
        if state.needs_dead_step(step):
            record(state, step.id, StepState.SKIPPED)
            return
        await self._submit(step)
        while True:
            while state.steps[step.id].state is StepState.FAILED and await self._retried(step):
                await self._submit(step)
            if not await self._outcomes.effect_missing(step):
                break
        if step.id in state.withdrawn_in_flight:
            await self._calls.compensate(step)

    async def _submit(self, step: StepSpec) -> None:
        answer = await self._calls.submit(step)
        if answer is not None:
            await self._outcomes.settle(step, answer)

    async def _retried(self, step: StepSpec) -> bool:
        """Hold a failed step open for an operator's retry; False once the window closes."""
        state = self._state
        state.retryable.add(step.id)
        upsert(state)
        try:
            await workflow.wait_condition(
                lambda: state.steps[step.id].state in (StepState.GRANTED, StepState.WITHDRAWN),
                timeout=state.start.retry_window,
                timeout_summary=f"retry window for {step.id}",
            )
        except TimeoutError:
            return False
        finally:
            state.retryable.discard(step.id)
            upsert(state)
        return state.steps[step.id].state is StepState.GRANTED
