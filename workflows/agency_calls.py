"""The calls a life event makes to its agencies: submit a step, withdraw it (the compensating
call when consent is withdrawn after it ran), amend it with corrected data, ask where it
stands, and preview what a step will send. Their options are the one table in
workflows/call_options.py; each runs on the agency's task queue where it has one.
"""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from onceonly.domain.amendments import AgencyAmendment, AgencyCorrections
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.life_event import StepState
from onceonly.domain.preview import (
    PREVIEW_UNAVAILABLE,
    AgencyPreviews,
    Preview,
    PreviewRequest,
    placeholder_facts,
)
from onceonly.domain.step_graph import select_fields, value_at
from onceonly.domain.submission import (
    WITHDRAWAL_NOT_OFFERED,
    AgencyAnswer,
    AgencyStatus,
    AgencyStatusChecks,
    AgencySubmission,
    AgencySubmissions,
    AgencyWithdrawal,
    AmendmentAnswer,
    StatusCheck,
    agency_call_queue,
    agency_waits_queue,
    withdrawal_idempotency_key,
)
from workflows import call_options
from workflows.event_state import EventState
from workflows.indexing import record
from workflows.receipts import issue_receipt
from workflows.staff_tasks import StaffTasks


def failure_reason(failure: ActivityError) -> str:
    """The agency's own words: a rejection's message, or for a step given up on after
    retrying until its deadline, the last error before it."""
    cause = failure.cause
    reason = cause.message if isinstance(cause, ApplicationError) else str(cause or failure)
    if failure.retry_state is RetryState.TIMEOUT:
        return f"gave up after retrying: {reason}"
    return reason


class AgencyCalls:
    """The event's agency calls, over its state."""

    def __init__(self, state: EventState) -> None:
        self.state = state
        self.staff = StaffTasks(state)
        """What the agencies cannot do online, asked of their staff."""

    def queue(self, agency: str, *, in_every_run: bool = False) -> str | None:
        """The task queue of the agency's calls (None: the workflow's own). Runs from before
        agency queues (the lifecycle patch) call on the workflow's queue, except amendments,
        which always went to the agency's (`in_every_run`)."""
        if not (self.state.lifecycle or in_every_run):
            return None
        task_queue = workflow.info().task_queue
        return agency_call_queue(task_queue, agency, self.state.start.own_queue_agencies)

    async def submit(self, step: StepSpec) -> AgencyAnswer | None:
        """Send the step's disclosure with the receipt that allowed it; the agency's answer,
        or None when the step was withdrawn first or ended `failed`."""
        state = self.state
        receipt = None
        if state.consent_v2:
            # The decision's receipt is signed by the Update that granted the step.
            await workflow.wait_condition(lambda: state.grant_receipt(step.id) is not None)
            receipt = state.grant_receipt(step.id)
            if state.steps[step.id].state is StepState.WITHDRAWN:
                return None
        attempts = state.steps[step.id].attempts + 1
        record(state, step.id, StepState.SUBMITTING, attempts=attempts)
        submission = AgencySubmission(
            event_id=state.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            idempotency_key=state.submission_key(step.id),
            disclosure=select_fields(state.dossier, state.facts, step.fields),
            citizen_key=state.start.citizen_key,
            event_type=state.spec.event_type,
            receipt=receipt.jws if receipt else None,
            receipt_id=receipt.receipt_id if receipt else None,
        )
        options = call_options.SUBMIT
        try:
            return await workflow.execute_activity_method(
                AgencySubmissions.submit_to_agency,
                submission,
                task_queue=self.queue(step.agency),
                start_to_close_timeout=options.start_to_close,
                schedule_to_close_timeout=options.schedule_to_close(state.start),
                retry_policy=options.retry_policy,
                summary=f"{step.agency} {step.service}",
            )
        except ActivityError as failure:
            record(state, step.id, StepState.FAILED, error=failure_reason(failure))
            return None

    async def compensate(self, step: StepSpec) -> None:
        """Undo what the agency did, where it can; say why where the law keeps the record."""
        state = self.state
        state.compensating += 1
        try:
            progress = state.steps[step.id]
            if step.kept_by_law:
                note = f"Consent withdrawn. {step.kept_by_law}"
            elif progress.state is not StepState.COMPLETED:
                note = "Consent withdrawn; the agency had not accepted anything."
            else:
                note = await self._withdraw(step, progress.reference or "")
            record(state, step.id, StepState.WITHDRAWN, note=note)
            await issue_receipt(state, step.id, "withdraw", state.start.citizen_key, note)
        finally:
            state.compensating -= 1
            state.withdrawn_in_flight.discard(step.id)

    async def _withdraw(self, step: StepSpec, reference: str) -> str:
        event_id = self.state.event_id
        withdrawal = AgencyWithdrawal(
            event_id=event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=reference,
            idempotency_key=withdrawal_idempotency_key(event_id, step.id),
        )
        options = call_options.WITHDRAW
        try:
            answer = await workflow.execute_activity_method(
                AgencySubmissions.withdraw_from_agency,
                withdrawal,
                task_queue=self.queue(step.agency),
                start_to_close_timeout=options.start_to_close,
                schedule_to_close_timeout=options.schedule_to_close(self.state.start),
                retry_policy=options.retry_policy,
                summary=f"withdraw {step.agency} {step.service}",
            )
        except ActivityError as failure:
            cause = failure.cause
            not_offered = (
                isinstance(cause, ApplicationError) and cause.type == WITHDRAWAL_NOT_OFFERED
            )
            if not_offered and self.staff.offered():
                task_id = await self.staff.open(self.staff.request(step, "withdrawal", reference))
                self.staff.in_background(self._staff_withdrew(step, task_id))
                return (
                    "Consent withdrawn. The agency's staff were asked to withdraw it "
                    f"(task {task_id})."
                )
            return (
                "Consent withdrawn. The agency could not withdraw online "
                f"({failure_reason(failure)}); an operator will ask it to."
            )
        done = "withdrew" if answer.outcome == "withdrawn" else "deleted"
        return f"Consent withdrawn: the agency {done} the record ({answer.reference})."

    async def _staff_withdrew(self, step: StepSpec, task_id: str) -> None:
        """Once staff closed the withdrawal task, the step's note says what they did."""
        outcome = await self.staff.outcome(task_id)
        if outcome.state == "completed":
            note = (
                f"Consent withdrawn: the agency's staff withdrew the record ({outcome.reference})."
            )
        else:
            note = (
                "Consent withdrawn, but the agency's staff did not withdraw the record: "
                f"{outcome.reason}"
            )
        record(self.state, step.id, StepState.WITHDRAWN, note=note)

    async def amend(
        self, step: StepSpec, amendment: AgencyAmendment, number: int
    ) -> AmendmentAnswer:
        """Send the agency correction `number` of the step's fields; ActivityError when the
        agency refused it or takes none online."""
        options = call_options.AMEND
        return await workflow.execute_activity_method(
            AgencyCorrections.amend_at_agency,
            amendment,
            task_queue=self.queue(step.agency, in_every_run=True),
            start_to_close_timeout=options.start_to_close,
            schedule_to_close_timeout=options.schedule_to_close(self.state.start),
            retry_policy=options.retry_policy,
            summary=f"correction {number}: amend {step.agency} {step.service}",
        )

    async def ask_status(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        """Ask the agency once where the step's request stands."""
        options = call_options.STATUS
        return await workflow.execute_activity_method(
            AgencyStatusChecks.check_agency_status,
            check,
            task_queue=self.queue(step.agency),
            start_to_close_timeout=options.start_to_close,
            retry_policy=options.retry_policy,
            summary=f"status {step.agency} {step.service}",
        )

    def await_outcome(
        self, step: StepSpec, check: StatusCheck
    ) -> workflow.ActivityHandle[AgencyStatus]:
        """Start asking until the agency has decided: a heartbeating activity on the queue of
        waits, not the agency's, since a wait holds its slot for as long as the agency takes."""
        options = call_options.AWAIT_OUTCOME
        return workflow.start_activity_method(
            AgencyStatusChecks.await_agency_outcome,
            check,
            task_queue=agency_waits_queue(workflow.info().task_queue),
            start_to_close_timeout=options.start_to_close,
            heartbeat_timeout=options.heartbeat,
            retry_policy=options.retry_policy,
            summary=f"await {step.agency} {step.service}",
        )

    # -- Previews --------------------------------------------------------------------------

    async def preview(self, step: StepSpec) -> None:
        """What the step will send, as its agency will receive it, shown at its checkpoint."""
        options = call_options.PREVIEW
        try:
            preview = await workflow.execute_local_activity_method(
                AgencyPreviews.preview_disclosure,
                self._preview_request(step),
                start_to_close_timeout=options.start_to_close,
                retry_policy=options.retry_policy,
            )
        except ActivityError:
            preview = Preview(step_id=step.id, body=None, problem=PREVIEW_UNAVAILABLE)
        self.state.previews[step.id] = preview

    async def preview_all(self) -> None:
        """Every checkpoint's preview, built in one local activity: one history event."""
        state = self.state
        requests = [
            self._preview_request(step)
            for step in state.spec.steps
            if state.steps[step.id].state is not StepState.NOT_APPLICABLE
        ]
        if not requests:
            return
        options = call_options.PREVIEW
        try:
            previews = await workflow.execute_local_activity_method(
                AgencyPreviews.preview_disclosures,
                requests,
                start_to_close_timeout=options.start_to_close,
                retry_policy=options.retry_policy,
                summary=f"previews of {len(requests)} steps",
            )
        except ActivityError:
            previews = [
                Preview(step_id=r.step_id, body=None, problem=PREVIEW_UNAVAILABLE) for r in requests
            ]
        state.previews.update((preview.step_id, preview) for preview in previews)

    def _preview_request(self, step: StepSpec) -> PreviewRequest:
        state = self.state
        # Facts not issued yet (and not already in the citizen's data) show as placeholders.
        placeholders = {
            path: text
            for path, text in placeholder_facts(state.spec, step).items()
            if value_at(state.dossier, path) is None
        }
        disclosure = select_fields(state.dossier, {**placeholders, **state.facts}, step.fields)
        return PreviewRequest(
            event_id=state.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            disclosure=disclosure,
        )
