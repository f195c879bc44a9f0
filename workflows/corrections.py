"""Correct once: correct fields of a life event's data after they were sent, and amend every
agency the disclosure log says received a corrected field, each with a signed receipt; the
corrections' log shows each agency's progress.

The Update and the Query are `LifeEventWorkflow`'s (workflows/steps.py). Steps that have not
sent anything yet simply send the corrected data when their turn comes.
"""

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from onceonly.domain.amendments import (
    AMENDMENT_NOT_OFFERED,
    AgencyAmendment,
    AgencyCorrections,
    CorrectionRecipient,
    RecipientSearch,
    correction_idempotency_key,
)
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.corrections import (
    CORRECTION_NOT_APPLICABLE,
    INVALID_CORRECTION,
    AgencyCorrection,
    CorrectionError,
    CorrectionOrder,
    CorrectionProgress,
    CorrectionRequest,
    apply_corrections,
    local_today,
    touches,
)
from onceonly.domain.life_event import StepState
from onceonly.domain.receipts import SignedReceipt
from onceonly.domain.staff_tasks import TaskOutcome
from onceonly.domain.step_graph import select_fields
from workflows import call_options
from workflows.agency_calls import AgencyCalls
from workflows.event_state import EventState
from workflows.receipts import issue_receipt

# A step in one of these states has sent nothing the agency accepted: it will send the
# corrected data (a step being sent when the correction arrived is waited for first).
NOT_SENT_STATES = frozenset({StepState.AWAITING_CONSENT, StepState.GRANTED, StepState.SUBMITTING})
MANUAL_NOTE = "The agency takes no correction online: an operator must ask it to correct."


def with_staff_note(task_id: str) -> str:
    """The agency's entry while its staff have the correction to make."""
    return f"The agency takes no correction online: its staff were asked to amend it ({task_id})."


def staff_answer_note(outcome: TaskOutcome) -> str:
    """The agency's entry once its staff closed the correction's task."""
    if outcome.state == "completed":
        return f"Amended by the agency's staff ({outcome.reference})."
    return f"The agency's staff did not amend it: {outcome.reason}"


def receipt_note(paths: tuple[str, ...], by: str) -> str:
    """The receipt's words: which fields were corrected, at whose request; never the values."""
    whose = "your" if by == "citizen" else "an operator's"
    return f"Corrected at {whose} request: {', '.join(paths)}."


class Corrections:
    """The event's corrections, over its state."""

    def __init__(self, state: EventState, calls: AgencyCalls) -> None:
        self.state = state
        self.calls = calls
        # One correction at a time, in the order they came: an agency ends with the latest.
        self._turn = asyncio.Lock()

    async def correct(self, order: CorrectionOrder) -> CorrectionProgress:
        """Correct the fields, then amend every agency that received one; the correction's
        progress once every agency has answered."""
        state = self.state
        state.dossier = self.corrected(order.request)
        paths = tuple(correction.path for correction in order.request.corrections)
        number = len(state.corrections) + 1
        update = workflow.current_update_info()
        state.corrections.append(
            CorrectionProgress(
                correction_id=update.id if update else str(workflow.uuid4()),
                number=number,
                paths=paths,
                requested_at=workflow.now(),
                by=order.by,
                state="finding_agencies",
            )
        )
        if state.consent_v2:
            # Open checkpoints show what their step will send: the corrected data now.
            await asyncio.gather(*(self.calls.preview(s) for s in self._open_steps_holding(paths)))
        async with self._turn:
            # A submission in flight when the data changed is in the log only once it ends.
            await workflow.wait_condition(lambda: not self._sending(paths))
            options = call_options.CORRECTION_RECIPIENTS
            found = await workflow.execute_activity_method(
                AgencyCorrections.find_correction_recipients,
                RecipientSearch(
                    event_id=state.event_id, citizen_key=state.start.citizen_key, paths=paths
                ),
                start_to_close_timeout=options.start_to_close,
                retry_policy=options.retry_policy,
                summary=f"correction {number}: find agencies",
            )
            agencies = [
                AgencyCorrection(
                    step_id=r.step_id, agency=r.agency, service=r.service, state="pending"
                )
                for r in found
            ] + self._not_sent_yet(paths, {r.step_id for r in found})
            self._change_correction(number, state="in_progress", agencies=tuple(agencies))
            asked = await asyncio.gather(
                *(self._amend(number, recipient, order) for recipient in found)
            )
        # Out of turn: the next correction need not wait for staff to make this one.
        waits = [(r.step_id, task) for r, task in zip(found, asked, strict=True) if task]
        if waits:
            await asyncio.gather(*(self._staff_amended(number, *wait) for wait in waits))
        self._change_correction(number, state="done")
        return state.corrections[number - 1]

    def corrected(self, request: CorrectionRequest) -> dict[str, Any]:
        """The dossier with the request applied (pure); ApplicationError when it cannot be."""
        state = self.state
        if state.cancelled:
            raise ApplicationError(
                "the life event was cancelled: it takes no correction",
                type=CORRECTION_NOT_APPLICABLE,
            )
        issued = {fact for step in state.spec.steps for fact in step.provides}
        today = local_today(workflow.now(), state.start.timezone)
        try:
            return apply_corrections(
                state.dossier, request.corrections, state.data_model, issued=issued, today=today
            )
        except CorrectionError as error:
            raise ApplicationError(
                str(error), error.field, error.rule, type=INVALID_CORRECTION, non_retryable=True
            ) from None

    async def _amend(
        self, number: int, recipient: CorrectionRecipient, order: CorrectionOrder
    ) -> str | None:
        """Send one agency the step's fields, corrected, with the correction's receipt; where it
        takes no correction online, ask its staff: the task's id, then."""
        state = self.state
        step = state.spec.step(recipient.step_id)
        paths = tuple(correction.path for correction in order.request.corrections)
        await issue_receipt(
            state, step.id, "correct", state.start.citizen_key, receipt_note(paths, order.by)
        )
        # Corrections take turns, so the step's newest correction receipt is this one's.
        receipt = next(
            r for r in reversed(state.receipts) if r.step_id == step.id and r.decision == "correct"
        )
        self._change_agency(number, step.id, receipt_id=receipt.receipt_id)
        amendment = AgencyAmendment(
            event_id=state.event_id,
            event_type=state.spec.event_type,
            citizen_key=state.start.citizen_key,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=recipient.reference,
            idempotency_key=correction_idempotency_key(state.event_id, step.id, number),
            disclosure=select_fields(state.dossier, state.facts, step.fields),
            receipt_id=receipt.receipt_id,
            receipt=receipt.jws,
        )
        try:
            answer = await self.calls.amend(step, amendment, number)
        except ActivityError as failure:
            cause = failure.cause
            if isinstance(cause, ApplicationError) and cause.type == AMENDMENT_NOT_OFFERED:
                if self.calls.staff.offered():
                    return await self._ask_staff(number, step, amendment, paths, receipt)
                self._change_agency(number, step.id, state="manual", note=MANUAL_NOTE)
            else:
                reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
                self._change_agency(number, step.id, state="failed", note=reason)
            return None
        self._change_agency(
            number, step.id, state="sent", reference=answer.reference, note="Amended."
        )
        return None

    async def _ask_staff(
        self,
        number: int,
        step: StepSpec,
        amendment: AgencyAmendment,
        paths: tuple[str, ...],
        receipt: SignedReceipt,
    ) -> str:
        """Open a correction task at the agency: its staff see the corrected fields only."""
        corrected = {
            path: value for path, value in amendment.disclosure.items() if touches([path], paths)
        }
        staff = self.calls.staff
        request = staff.request(
            step,
            "correction",
            amendment.reference,
            number=number,
            disclosure=corrected,
            receipt=receipt,
        )
        task_id = await staff.open(request)
        self._change_agency(number, step.id, state="with_staff", note=with_staff_note(task_id))
        return task_id

    async def _staff_amended(self, number: int, step_id: str, task_id: str) -> None:
        outcome = await self.calls.staff.outcome(task_id)
        if outcome.state == "completed":
            changes = {"state": "sent", "reference": outcome.reference}
        else:
            changes = {"state": "failed"}
        self._change_agency(number, step_id, note=staff_answer_note(outcome), **changes)

    def _not_sent_yet(self, paths: tuple[str, ...], sent: set[str]) -> list[AgencyCorrection]:
        return [
            AgencyCorrection(
                step_id=step.id,
                agency=step.agency,
                service=step.service,
                state="not_sent_yet",
                note="Nothing sent yet: the step will send the corrected data.",
            )
            for step in self.state.spec.steps
            if step.id not in sent
            and self.state.steps[step.id].state in NOT_SENT_STATES
            and touches(step.fields, paths)
        ]

    def _open_steps_holding(self, paths: tuple[str, ...]) -> list[StepSpec]:
        return [
            step
            for step in self.state.spec.steps
            if self.state.steps[step.id].state is StepState.AWAITING_CONSENT
            and touches(step.fields, paths)
        ]

    def _sending(self, paths: tuple[str, ...]) -> bool:
        return any(
            self.state.steps[step.id].state is StepState.SUBMITTING and touches(step.fields, paths)
            for step in self.state.spec.steps
        )

    def _change_correction(self, number: int, **changes: Any) -> None:
        log = self.state.corrections
        log[number - 1] = log[number - 1].model_copy(update=changes)

    def _change_agency(self, number: int, step_id: str, **changes: Any) -> None:
        correction = self.state.corrections[number - 1]
        agencies = tuple(
            agency.model_copy(update=changes) if agency.step_id == step_id else agency
            for agency in correction.agencies
        )
        self._change_correction(number, agencies=agencies)
