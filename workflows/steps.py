"""The shared step runner: every life-event workflow is this runner over a catalogue entry.

Each step waits at its consent checkpoint (a durable timer raced against the citizen's
decision, with reminders), then for the steps it needs, then goes to its agency with the
signed receipt of the decision that allowed it. Independent steps run in parallel; a step
whose needed step will never complete is skipped. A withdrawal after submission runs the
agency's compensating call, even when the event is cancelled meanwhile.

Events started before receipts, previews, reminders, parties and withdrawal existed replay as
they ran: all of that is behind the `CONSENT_V2` patch.
"""

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    DEAD_END_STATES,
    SATISFIED_STATES,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    LifeEventSnapshot,
    LifeEventStart,
    PartyInvitation,
    PartyJoin,
    PartyUnavailable,
    StepRetry,
    StepState,
    StepWithdrawal,
    event_status,
)
from onceonly.domain.notices import (
    Notifications,
    Reminder,
    contact_of,
    reminder_key,
    reminder_times,
)
from onceonly.domain.preview import (
    PREVIEW_UNAVAILABLE,
    AgencyPreviews,
    Preview,
    PreviewRequest,
    placeholder_facts,
)
from onceonly.domain.receipts import ReceiptRequest, ReceiptSigning, SignedReceipt
from onceonly.domain.step_graph import select_fields, value_at
from onceonly.domain.submission import (
    AgencySubmission,
    AgencySubmissions,
    AgencyWithdrawal,
    idempotency_key,
    withdrawal_idempotency_key,
)
from workflows import search_attributes
from workflows.agency_outcomes import AgencyOutcomes, failure_reason
from workflows.consent import (
    DecisionNotApplicable,
    checkpoint_state,
    decide_all,
    receipt_decision,
    with_party_answer,
)
from workflows.corrections import CorrectionHandlers
from workflows.patches import (
    AGENCY_LIFECYCLE,
    BATCHED_BOOKKEEPING,
    CONSENT_V2,
    patches_taken,
    started_with,
)
from workflows.progress import indexed_state, initial_progress, steps_in_force

# Signing is a local computation on the worker: quick, or something is wrong.
RECEIPT_TIMEOUT = timedelta(seconds=10)
PREVIEW_TIMEOUT = timedelta(seconds=10)
# A grant can be withdrawn until the step is over; afterwards only what the agency did can be.
WITHDRAWABLE_STATES = frozenset(
    {StepState.GRANTED, StepState.SUBMITTING, StepState.COMPLETED, StepState.FAILED}
)

# Agencies' own calls are quick; a slow answer is retried rather than waited on.
AGENCY_CALL_TIMEOUT = timedelta(seconds=30)
# Transient agency failures retry with backoff, for as long as it takes: an agency outage must
# delay a step, never lose it. Rejections are non-retryable and end the step `failed`.
AGENCY_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


class LifeEventWorkflow(AgencyOutcomes, CorrectionHandlers):
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
        self._batched = started_with(
            start.started_with_patch, BATCHED_BOOKKEEPING
        ) or workflow.patched(BATCHED_BOOKKEEPING)
        taken = patches_taken(
            self._batched, {CONSENT_V2, AGENCY_LIFECYCLE, *(added_steps or {}).values()}
        )
        added = {step.id: step.patch for step in spec.steps if step.patch}
        spec = steps_in_force(spec, {**added, **(added_steps or {})}, taken)
        self._consent_v2 = taken(CONSENT_V2)
        self._init_outcomes(lifecycle=taken(AGENCY_LIFECYCLE))
        self._upsert_due = False
        self._spec = spec
        self._start = start
        self._data_model = type(data)  # what a correction to the dossier must still be
        self._dossier: dict[str, Any] = data.model_dump(mode="json")
        self._facts: dict[str, Any] = {}
        self._cancelled = False
        # Failed steps an operator may still retry: until their window closes they hold
        # their dependants back instead of skipping them.
        self._retryable: set[str] = set()
        # What the starter indexed already (the API indexes a new event's state as it starts
        # it): the first upsert is made only if the event's own state differs.
        self._indexed = (
            search_attributes.state_of(info.typed_search_attributes) if self._batched else None
        )
        progress = initial_progress(
            spec,
            info.workflow_id,
            start,
            self._dossier,
            workflow.now(),
            with_parties=self._consent_v2,
        )
        self._header = progress
        self._steps = {step.step_id: step for step in progress.steps}
        self._receipts: list[SignedReceipt] = []
        self._previews: dict[str, Preview] = {}
        # For steps that need other parties: the citizen's own answer, until all have answered.
        self._citizen_answers: dict[str, StepState] = {}
        self._invitations: dict[str, str] = {}  # role -> invitation code
        self._party_keys: dict[str, str] = {}  # role -> the party's pseudonymous key
        self._withdrawn_in_flight: set[str] = set()
        self._compensating = 0

    # -- Queries ----------------------------------------------------------------------------

    @workflow.query
    def progress(self) -> LifeEventProgress:
        """The event's state, for the API and operators."""
        return self._header.model_copy(
            update={
                "status": self._status(),
                "steps": tuple(self._steps.values()),
                "corrections": self.corrections(),
            }
        )

    @workflow.query
    def receipts(self) -> tuple[SignedReceipt, ...]:
        """Every consent receipt the event has issued, oldest first."""
        return tuple(self._receipts)

    @workflow.query
    def snapshot(self) -> LifeEventSnapshot:
        """The event's state with what each step will send its agency, as the agency will
        receive it: everything the citizen's view shows."""
        return LifeEventSnapshot(progress=self.progress(), previews=tuple(self._previews.values()))

    @workflow.query
    def party_roles(self) -> dict[str, str]:
        """The parties who joined, by pseudonymous key: key -> role."""
        return {key: role for role, key in self._party_keys.items()}

    # -- Updates: consent -------------------------------------------------------------------

    @workflow.update
    async def decide_consent(self, decisions: ConsentDecisions) -> LifeEventSnapshot:
        """Apply the decisions of the citizen (or another party) at one or more checkpoints,
        each with its signed receipt."""
        changes, citizen_answers = self._apply(decisions, strict=False)
        self._citizen_answers.update(citizen_answers)
        for step_id, state in changes.items():
            if decisions.party is None:
                self._set(step_id, state)
            else:
                parties = with_party_answer(
                    self._steps[step_id].parties,
                    decisions.party,
                    self._decision(decisions, step_id),
                )
                self._set(step_id, state, parties=parties)
        if self._consent_v2:
            principal = decisions.party_key or self._start.citizen_key
            answers = [
                (
                    decision.step_id,
                    receipt_decision(
                        decision.decision,
                        statutory=self._spec.step(decision.step_id).legal_basis.kind != "consent",
                    ),
                )
                for decision in decisions.decisions
            ]
            if self._lifecycle:
                await self._issue_receipts(answers, principal)
            else:
                await asyncio.gather(
                    *(self._issue_receipt(step_id, said, principal) for step_id, said in answers)
                )
        return self.snapshot()

    @decide_consent.validator
    def validate_decisions(self, decisions: ConsentDecisions) -> None:
        """Reject, before anything is recorded, a decision that cannot apply."""
        try:
            self._apply(decisions, strict=self._consent_v2)
        except DecisionNotApplicable as reason:
            raise ApplicationError(str(reason), type="DecisionNotApplicable") from None

    def _apply(
        self, decisions: ConsentDecisions, *, strict: bool
    ) -> tuple[dict[str, StepState], dict[str, StepState]]:
        """The new state of every decided step, and the citizen's own answers at steps that
        wait for other parties too (pure: nothing is recorded here)."""
        if decisions.party is not None:
            return self._apply_party(decisions), {}
        # A step the citizen answered that waits for others is, for the citizen, answered.
        states = {
            step_id: self._citizen_answers.get(step_id, step.state)
            for step_id, step in self._steps.items()
        }
        statutory = frozenset(s.id for s in self._spec.steps if s.legal_basis.kind != "consent")
        answers = decide_all(states, decisions, statutory=statutory, strict=strict)
        changes: dict[str, StepState] = {}
        citizen_answers: dict[str, StepState] = {}
        for step_id, answer in answers.items():
            parties = self._steps[step_id].parties
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
        role = decisions.party or ""
        if self._party_keys.get(role) != decisions.party_key:
            raise DecisionNotApplicable(f"only the {role!r} who joined may answer as {role!r}")
        changes = {}
        for decision in decisions.decisions:
            step = self._steps.get(decision.step_id)
            if step is None or step.state is not StepState.AWAITING_CONSENT:
                state = "no such step" if step is None else f"is {step.state.value}"
                raise DecisionNotApplicable(f"step {decision.step_id!r}: {state}")
            try:
                parties = with_party_answer(step.parties, role, decision.decision)
            except DecisionNotApplicable as reason:
                raise DecisionNotApplicable(f"step {decision.step_id!r}: {reason}") from None
            changes[step.step_id] = checkpoint_state(
                self._citizen_answers.get(step.step_id), parties
            )
        return changes

    @workflow.update
    async def invite_party(self, invitation: PartyInvitation) -> str:
        """Invite another party to answer for themselves; answers with the invitation code."""
        code = self._invitations.get(invitation.role) or workflow.uuid4().hex
        self._invitations[invitation.role] = code
        return code

    @invite_party.validator
    def validate_invitation(self, invitation: PartyInvitation) -> None:
        """Only a party some open checkpoint needs can be invited, once they have not joined."""
        if not self._awaiting_party(invitation.role):
            raise ApplicationError(
                f"role {invitation.role!r}: no open checkpoint needs this party",
                type="PartyNotApplicable",
            )
        if invitation.role in self._party_keys:
            raise ApplicationError(
                f"role {invitation.role!r}: has joined already", type="PartyNotApplicable"
            )

    @workflow.update
    async def join_party(self, join: PartyJoin) -> LifeEventSnapshot:
        """An invited party accepts, signed in as themselves."""
        self._party_keys[join.role] = join.party_key
        self._set_parties(join.role, joined=True)
        workflow.upsert_search_attributes(
            [search_attributes.PARTY_KEYS.value_set(" ".join(sorted(self._party_keys.values())))]
        )
        return self.snapshot()

    @join_party.validator
    def validate_join(self, join: PartyJoin) -> None:
        """The invitation must be the role's, unused, and not the citizen's own."""
        if self._invitations.get(join.role) != join.code or join.role in self._party_keys:
            raise ApplicationError("invitation: not valid for this event", type="InvalidInvitation")
        if join.party_key == self._start.citizen_key:
            raise ApplicationError(
                "invitation: the citizen who started the event cannot join as another party",
                type="InvalidInvitation",
            )

    @workflow.update
    async def mark_party_unavailable(self, unavailable: PartyUnavailable) -> LifeEventSnapshot:
        """Record that a party cannot answer (the catalogue says for which reasons); the steps
        that need them go on with the citizen's answer alone."""
        for step in self._spec.steps:
            if self._party_awaits(step, unavailable.role, unavailable.reason):
                parties = tuple(
                    p.model_copy(update={"state": "unavailable", "reason": unavailable.reason})
                    if p.role == unavailable.role
                    else p
                    for p in self._steps[step.id].parties
                )
                state = checkpoint_state(self._citizen_answers.get(step.id), parties)
                self._set(step.id, state, parties=parties)
        return self.snapshot()

    @mark_party_unavailable.validator
    def validate_unavailable(self, unavailable: PartyUnavailable) -> None:
        """Only for a party an open checkpoint awaits, and a reason its catalogue entry allows."""
        if not any(
            self._party_awaits(step, unavailable.role, unavailable.reason)
            for step in self._spec.steps
        ):
            raise ApplicationError(
                f"role {unavailable.role!r}: no open checkpoint lets this party be "
                f"recorded as {unavailable.reason}",
                type="PartyNotApplicable",
            )

    @workflow.update
    async def withdraw_consent(self, withdrawal: StepWithdrawal) -> LifeEventSnapshot:
        """Withdraw a grant: before submission the step simply stops; after it, the agency's
        compensating call runs where it has one, and the law's reason is given where the
        agency must keep the record."""
        step_id = withdrawal.step_id
        state = self._steps[step_id].state
        if state is StepState.COMPLETED:
            await self._compensate(self._spec.step(step_id))
        elif state is StepState.SUBMITTING:
            # The agency call is in flight: compensate when it ends (see _run_step).
            self._withdrawn_in_flight.add(step_id)
        else:
            self._set(step_id, StepState.WITHDRAWN, note="Stopped before anything was sent.")
            await self._issue_receipt(step_id, "withdraw", self._start.citizen_key)
        return self.snapshot()

    @withdraw_consent.validator
    def validate_withdrawal(self, withdrawal: StepWithdrawal) -> None:
        """Only a step the citizen granted (and not already withdrawn) can be withdrawn."""
        step = self._steps.get(withdrawal.step_id)
        if step is None:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: no such step", type="WithdrawalNotApplicable"
            )
        if not self._consent_v2 or step.state not in WITHDRAWABLE_STATES:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: is {step.state.value}, not a granted step",
                type="WithdrawalNotApplicable",
            )
        if withdrawal.step_id in self._withdrawn_in_flight:
            raise ApplicationError(
                f"step {withdrawal.step_id!r}: is being withdrawn already",
                type="WithdrawalNotApplicable",
            )

    # -- Updates: operators -----------------------------------------------------------------

    @workflow.update
    async def retry_step(self, retry: StepRetry) -> LifeEventProgress:
        """Send a failed step to its agency again (an operator's action)."""
        self._set(retry.step_id, StepState.GRANTED, error=None)
        return self.progress()

    @retry_step.validator
    def validate_retry(self, retry: StepRetry) -> None:
        """Only a failed step whose retry window is still open can be retried."""
        step = self._steps.get(retry.step_id)
        if step is None:
            raise ApplicationError(
                f"step {retry.step_id!r}: no such step", type="RetryNotApplicable"
            )
        if retry.step_id not in self._retryable:
            raise ApplicationError(
                f"step {retry.step_id!r}: is {step.state.value}, not a failed step open to retry",
                type="RetryNotApplicable",
            )

    # -- The runner -------------------------------------------------------------------------

    async def run_steps(self) -> LifeEventProgress:
        """Run every step to an end state and answer with the final progress."""
        self._upsert_search_attributes()
        checkpoints = [self._expire(), self._remind()] if self._consent_v2 else []
        try:
            if self._batched:
                await self._preview_all()
            await asyncio.gather(*(self._run_step(step) for step in self._spec.steps), *checkpoints)
            window = self._start.withdrawal_window
            if self._consent_v2 and window and self._step_ids_in(StepState.COMPLETED):
                # Withdrawing is as easy as granting, after the agencies acted too: the event
                # stays open to it for a while (its status already says how it ended).
                await workflow.sleep(window, summary="withdrawal window")
        except asyncio.CancelledError:
            self._cancelled = True
            self._upsert_search_attributes()
            # A withdrawal's compensating call goes on to its end: the citizen asked for it.
            await workflow.wait_condition(lambda: self._compensating == 0)
            raise
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._batched:  # an upsert still due would follow the run's end
            self._upsert_search_attributes()
        return self.progress()

    async def _run_step(self, step: StepSpec) -> None:
        if self._steps[step.id].state is StepState.NOT_APPLICABLE:
            return
        if self._consent_v2 and not self._batched:
            await self._preview(step)
        if not await self._passed_checkpoint(step):
            return
        await workflow.wait_condition(
            lambda: (
                all(self._steps[needed].state in SATISFIED_STATES for needed in step.depends_on)
                or self._needs_dead_step(step)
                or self._steps[step.id].state is StepState.WITHDRAWN
            )
        )
        if self._steps[step.id].state is StepState.WITHDRAWN:
            return
        if self._needs_dead_step(step):
            self._set(step.id, StepState.SKIPPED)
            return
        await self._submit(step)
        while True:
            while self._steps[step.id].state is StepState.FAILED and await self._retried(step):
                await self._submit(step)
            if not await self._effect_missing(step):
                break
        if step.id in self._withdrawn_in_flight:
            await self._compensate(step)

    async def _retried(self, step: StepSpec) -> bool:
        """Hold a failed step open for an operator's retry; False once the window closes."""
        self._retryable.add(step.id)
        self._upsert_search_attributes()
        try:
            await workflow.wait_condition(
                lambda: self._steps[step.id].state in (StepState.GRANTED, StepState.WITHDRAWN),
                timeout=self._start.retry_window,
                timeout_summary=f"retry window for {step.id}",
            )
        except TimeoutError:
            return False
        finally:
            self._retryable.discard(step.id)
            self._upsert_search_attributes()
        return self._steps[step.id].state is StepState.GRANTED

    async def _passed_checkpoint(self, step: StepSpec) -> bool:
        """Wait for the citizen's decision, the expiry, or a needed step's dead end."""
        if self._consent_v2:
            # One expiry for every checkpoint of the event (see _expire): they all opened
            # together, and one timer is one history event instead of one per step.
            await workflow.wait_condition(
                lambda: (
                    self._steps[step.id].state is not StepState.AWAITING_CONSENT
                    or self._needs_dead_step(step)
                )
            )
            if self._steps[step.id].state is StepState.AWAITING_CONSENT:
                self._set(step.id, StepState.SKIPPED)
                return False
            return self._steps[step.id].state is StepState.GRANTED
        try:
            await workflow.wait_condition(
                lambda: (
                    self._steps[step.id].state is not StepState.AWAITING_CONSENT
                    or self._needs_dead_step(step)
                ),
                timeout=self._start.consent_expiry,
                timeout_summary=f"consent expiry for {step.id}",
            )
        except TimeoutError:
            self._set(step.id, StepState.EXPIRED)
            if self._consent_v2:
                await self._issue_receipt(step.id, "expire", self._start.citizen_key)
            return False
        if self._steps[step.id].state is StepState.AWAITING_CONSENT:
            self._set(step.id, StepState.SKIPPED)
            return False
        return self._steps[step.id].state is StepState.GRANTED

    def _needs_dead_step(self, step: StepSpec) -> bool:
        return any(
            self._steps[needed].state in DEAD_END_STATES and needed not in self._retryable
            for needed in step.depends_on
        )

    async def _submit(self, step: StepSpec) -> None:
        receipt = None
        if self._consent_v2:
            # The decision's receipt is signed by the Update that granted the step.
            await workflow.wait_condition(lambda: self._grant_receipt(step.id) is not None)
            receipt = self._grant_receipt(step.id)
            if self._steps[step.id].state is StepState.WITHDRAWN:
                return
        attempts = self._steps[step.id].attempts + 1
        self._set(step.id, StepState.SUBMITTING, attempts=attempts)
        event_id = self._header.event_id
        submission = AgencySubmission(
            event_id=event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            idempotency_key=self._submission_key(step.id),
            disclosure=select_fields(self._dossier, self._facts, step.fields),
            citizen_key=self._start.citizen_key,
            event_type=self._spec.event_type,
            receipt=receipt.jws if receipt else None,
            receipt_id=receipt.receipt_id if receipt else None,
        )
        try:
            answer = await workflow.execute_activity_method(
                AgencySubmissions.submit_to_agency,
                submission,
                task_queue=self._agency_queue(step.agency),
                start_to_close_timeout=AGENCY_CALL_TIMEOUT,
                schedule_to_close_timeout=self._start.agency_give_up_after,
                retry_policy=AGENCY_RETRY_POLICY,
                summary=f"{step.agency} {step.service}",
            )
        except ActivityError as failure:
            self._set(step.id, StepState.FAILED, error=failure_reason(failure))
            return
        self._facts.update(answer.outputs)
        if answer.pending and self._lifecycle:
            await self._await_outcome(step, answer)
            return
        at = (
            {"accepted_at": workflow.now(), "completed_at": workflow.now()}
            if self._lifecycle
            else {}
        )
        self._set(step.id, StepState.COMPLETED, reference=answer.reference, **at)

    def _submission_key(self, step_id: str) -> str:
        key = idempotency_key(self._header.event_id, step_id)
        # A step reopened because its change did not take effect is a new request.
        reopened = self._reopened.get(step_id, 0)
        return f"{key}/resubmission-{reopened}" if reopened else key

    def _grant_receipt(self, step_id: str) -> SignedReceipt | None:
        for receipt in reversed(self._receipts):
            if receipt.step_id == step_id and receipt.decision in ("grant", "acknowledge"):
                return receipt
        return None

    def _receipt_request(
        self, step_id: str, decision: str, principal_key: str, note: str | None = None
    ) -> ReceiptRequest:
        return ReceiptRequest(
            event_type=self._spec.event_type,
            event_id=self._header.event_id,
            step_id=step_id,
            principal_key=principal_key,
            decision=decision,
            decided_at=workflow.now(),
            receipt_id=str(workflow.uuid4()),
            note=note,
        )

    async def _issue_receipts(self, answers: list[tuple[str, str]], principal_key: str) -> None:
        """The receipts of decisions taken together: signed in one local activity (signing is
        quick work on the worker), one history event for the whole batch."""
        requests = [
            self._receipt_request(step_id, said, principal_key) for step_id, said in answers
        ]
        signed = await workflow.execute_local_activity_method(
            ReceiptSigning.sign_receipts,
            requests,
            start_to_close_timeout=RECEIPT_TIMEOUT,
            summary=f"receipts of {len(requests)} decisions",
        )
        self._receipts.extend(signed)

    async def _issue_receipt(
        self, step_id: str, decision: str, principal_key: str, note: str | None = None
    ) -> None:
        request = self._receipt_request(step_id, decision, principal_key, note)
        receipt = await workflow.execute_activity_method(
            ReceiptSigning.sign_receipt,
            request,
            start_to_close_timeout=RECEIPT_TIMEOUT,
            retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
            summary=f"receipt {decision} {step_id}",
        )
        self._receipts.append(receipt)

    async def _compensate(self, step: StepSpec) -> None:
        """Undo what the agency did, where it can; say why where the law keeps the record."""
        self._compensating += 1
        try:
            progress = self._steps[step.id]
            if step.kept_by_law:
                note = f"Consent withdrawn. {step.kept_by_law}"
            elif progress.state is not StepState.COMPLETED:
                note = "Consent withdrawn; the agency had not accepted anything."
            else:
                note = await self._withdraw_at_agency(step, progress.reference or "")
            self._set(step.id, StepState.WITHDRAWN, note=note)
            await self._issue_receipt(step.id, "withdraw", self._start.citizen_key, note)
        finally:
            self._compensating -= 1
            self._withdrawn_in_flight.discard(step.id)

    async def _withdraw_at_agency(self, step: StepSpec, reference: str) -> str:
        event_id = self._header.event_id
        withdrawal = AgencyWithdrawal(
            event_id=event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=reference,
            idempotency_key=withdrawal_idempotency_key(event_id, step.id),
        )
        try:
            answer = await workflow.execute_activity_method(
                AgencySubmissions.withdraw_from_agency,
                withdrawal,
                task_queue=self._agency_queue(step.agency),
                start_to_close_timeout=AGENCY_CALL_TIMEOUT,
                schedule_to_close_timeout=self._start.agency_give_up_after,
                retry_policy=AGENCY_RETRY_POLICY,
                summary=f"withdraw {step.agency} {step.service}",
            )
        except ActivityError as failure:
            return (
                "Consent withdrawn. The agency could not withdraw online "
                f"({failure_reason(failure)}); an operator will ask it to."
            )
        done = "withdrew" if answer.outcome == "withdrawn" else "deleted"
        return f"Consent withdrawn: the agency {done} the record ({answer.reference})."

    async def _preview(self, step: StepSpec) -> None:
        """What the step will send, as its agency will receive it, shown at its checkpoint."""
        try:
            preview = await workflow.execute_local_activity_method(
                AgencyPreviews.preview_disclosure,
                self._preview_request(step),
                start_to_close_timeout=PREVIEW_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=2),
            )
        except ActivityError:
            preview = Preview(step_id=step.id, body=None, problem=PREVIEW_UNAVAILABLE)
        self._previews[step.id] = preview

    async def _preview_all(self) -> None:
        """Every checkpoint's preview, built in one local activity: one history event."""
        requests = [
            self._preview_request(step)
            for step in self._spec.steps
            if self._steps[step.id].state is not StepState.NOT_APPLICABLE
        ]
        if not requests:
            return
        try:
            previews = await workflow.execute_local_activity_method(
                AgencyPreviews.preview_disclosures,
                requests,
                start_to_close_timeout=PREVIEW_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=2),
                summary=f"previews of {len(requests)} steps",
            )
        except ActivityError:
            previews = [
                Preview(step_id=r.step_id, body=None, problem=PREVIEW_UNAVAILABLE) for r in requests
            ]
        self._previews.update((preview.step_id, preview) for preview in previews)

    def _preview_request(self, step: StepSpec) -> PreviewRequest:
        # Facts not issued yet (and not already in the citizen's data) show as placeholders.
        placeholders = {
            path: text
            for path, text in placeholder_facts(self._spec, step).items()
            if value_at(self._dossier, path) is None
        }
        disclosure = select_fields(self._dossier, {**placeholders, **self._facts}, step.fields)
        return PreviewRequest(
            event_id=self._header.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            disclosure=disclosure,
        )

    async def _expire(self) -> None:
        """Expire every checkpoint still open when the consent period ends, with receipts."""
        try:
            await workflow.wait_condition(
                lambda: not self._awaiting(),
                timeout=self._start.consent_expiry,
                timeout_summary="consent expiry",
            )
        except TimeoutError:
            expired = self._awaiting()
            for step_id in expired:
                self._set(step_id, StepState.EXPIRED)
            await asyncio.gather(
                *(self._issue_receipt(s, "expire", self._start.citizen_key) for s in expired)
            )

    async def _remind(self) -> None:
        """Remind the citizen of open checkpoints at the configured times and before
        statutory deadlines, until none is open."""
        contact = contact_of(self._spec, self._dossier)
        if contact is None:
            return
        channel, to = contact
        started = self._header.started_at
        times = sorted(
            {
                when
                for step in self._steps.values()
                if step.state is StepState.AWAITING_CONSENT
                for when in reminder_times(
                    decided=False,
                    started_at=started,
                    expiry=self._start.consent_expiry,
                    reminders_after=self._start.reminders_after,
                    due_on=step.due_on,
                    deadline_warning=self._start.deadline_warning,
                    timezone=self._start.timezone,
                )
            }
        )
        for number, when in enumerate(times, start=1):
            try:
                await workflow.wait_condition(
                    lambda: not self._awaiting(),
                    timeout=max(when - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=f"reminder {number}",
                )
                return  # nothing left to answer
            except TimeoutError:
                pass
            awaiting = self._awaiting()
            due = [d for d in (self._steps[s].due_on for s in awaiting) if d is not None]
            reminder = Reminder(
                event_id=self._header.event_id,
                event_type=self._spec.event_type,
                step_ids=tuple(awaiting),
                kind="reminder",
                due_on=min(due) if due else None,
                channel=channel,
                to=to,
                idempotency_key=reminder_key(self._header.event_id, "reminder", awaiting, number),
            )
            await workflow.execute_activity_method(
                Notifications.send_reminder,
                reminder,
                start_to_close_timeout=AGENCY_CALL_TIMEOUT,
                schedule_to_close_timeout=timedelta(hours=12),
                retry_policy=AGENCY_RETRY_POLICY,
                summary=f"reminder {number}",
            )

    def _awaiting(self) -> list[str]:
        return self._step_ids_in(StepState.AWAITING_CONSENT)

    def _awaiting_party(self, role: str) -> bool:
        return any(
            party.role == role
            for step in self._steps.values()
            if step.state is StepState.AWAITING_CONSENT
            for party in step.parties
        )

    def _party_awaits(self, step: StepSpec, role: str, reason: str) -> bool:
        allowed = any(p.role == role and reason in p.unavailable_reasons for p in step.parties)
        progress = self._steps[step.id]
        return (
            allowed
            and progress.state is StepState.AWAITING_CONSENT
            and any(p.role == role and p.state == "awaiting" for p in progress.parties)
        )

    def _set_parties(self, role: str, **changes: Any) -> None:
        for step_id, step in self._steps.items():
            if any(party.role == role for party in step.parties):
                parties = tuple(
                    party.model_copy(update=changes) if party.role == role else party
                    for party in step.parties
                )
                self._steps[step_id] = step.model_copy(update={"parties": parties})

    def _set(self, step_id: str, state: StepState, **details: Any) -> None:
        self._steps[step_id] = self._steps[step_id].model_copy(
            update={"state": state, "updated_at": workflow.now(), **details}
        )
        if not self._batched:
            self._upsert_search_attributes()
        elif not self._upsert_due:
            # Once the changes made together with this one are made (the rest of a batch of
            # decisions, say): one upsert, one history event, for them all.
            self._upsert_due = True
            asyncio.get_running_loop().call_soon(self._upsert_when_due)

    def _upsert_when_due(self) -> None:
        self._upsert_due = False
        self._upsert_search_attributes()

    def _status(self) -> EventStatus:
        if self._cancelled:
            return EventStatus.CANCELLED
        if self._retryable:
            return EventStatus.IN_PROGRESS  # not over while an operator may still retry
        return event_status(step.state for step in self._steps.values())

    def _upsert_search_attributes(self) -> None:
        """Index the status, open checkpoints and failed steps, only when they change (each
        upsert is a history event)."""
        state = indexed_state(
            self._status(), self._steps.values(), needs_attention=bool(self._attention)
        )
        if self._indexed == state:
            return
        self._indexed = state
        updates: list[SearchAttributeUpdate[Any]] = [
            search_attributes.STATUS.value_set(state.status),
            search_attributes.AWAITING_CONSENT.value_set(state.awaiting_consent),
            search_attributes.FAILED_STEPS.value_set(state.failed_steps),
            search_attributes.UPDATED_AT.value_set(workflow.now()),
        ]
        if self._lifecycle:  # runs from before it upsert as they did
            updates.append(search_attributes.NEEDS_ATTENTION.value_set(state.needs_attention))
        workflow.upsert_search_attributes(updates)

    def _step_ids_in(self, state: StepState) -> list[str]:
        return [step.step_id for step in self._steps.values() if step.state is state]
