"""Correct once: the Update that corrects fields of a life event's data after they were sent,
and amends every agency the disclosure log says received a corrected field (each with a
signed receipt), and the Query that shows each agency's progress.

A mixin of `LifeEventWorkflow` (workflows/steps.py), whose state it reads and writes. Steps
that have not sent anything yet simply send the corrected data when their turn comes.
"""

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from onceonly.domain.amendments import (
    AMENDMENT_NOT_OFFERED,
    AgencyAmendment,
    AgencyCorrections,
    CorrectionRecipient,
    RecipientSearch,
    correction_idempotency_key,
)
from onceonly.domain.catalogue import LifeEventSpec, StepSpec
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
from onceonly.domain.life_event import LifeEventProgress, LifeEventStart, StepProgress, StepState
from onceonly.domain.receipts import SignedReceipt
from onceonly.domain.step_graph import select_fields
from onceonly.domain.submission import agency_call_queue

# Reading the disclosure log is one indexed query on the worker's machine.
RECIPIENTS_TIMEOUT = timedelta(seconds=30)
# An amendment is one agency call, like a submission: quick, or retried.
AMEND_CALL_TIMEOUT = timedelta(seconds=30)
# As for submissions: an agency outage delays an amendment, a refusal ends it `failed`.
AMEND_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
# A step in one of these states has sent nothing the agency accepted: it will send the
# corrected data (a step being sent when the correction arrived is waited for first).
NOT_SENT_STATES = frozenset({StepState.AWAITING_CONSENT, StepState.GRANTED, StepState.SUBMITTING})
MANUAL_NOTE = "The agency takes no correction online: an operator must ask it to correct."


def receipt_note(paths: tuple[str, ...], by: str) -> str:
    """The receipt's words: which fields were corrected, at whose request; never the values."""
    whose = "your" if by == "citizen" else "an operator's"
    return f"Corrected at {whose} request: {', '.join(paths)}."


class CorrectionHandlers:
    """The correction Update and Query of every life-event workflow."""

    # What this mixin uses of LifeEventWorkflow.
    _spec: LifeEventSpec
    _start: LifeEventStart
    _header: LifeEventProgress
    _dossier: dict[str, Any]
    _data_model: type[BaseModel]
    _facts: dict[str, Any]
    _steps: dict[str, StepProgress]
    _receipts: list[SignedReceipt]
    _cancelled: bool
    _consent_v2: bool
    # Its own state, made on first use (events that never correct anything hold none).
    _corrections: list[CorrectionProgress]
    _correction_turn: asyncio.Lock

    if TYPE_CHECKING:

        async def _issue_receipt(
            self, step_id: str, decision: str, principal_key: str, note: str | None = None
        ) -> None: ...

        async def _preview(self, step: StepSpec) -> None: ...

    @workflow.query
    def corrections(self) -> tuple[CorrectionProgress, ...]:
        """Every correction of the event, oldest first, with each agency's progress."""
        return tuple(getattr(self, "_corrections", ()))

    @workflow.update
    async def correct_fields(self, order: CorrectionOrder) -> CorrectionProgress:
        """Correct fields of the event's data, then amend every agency that received one.

        Answers when every agency has answered; callers that cannot wait take the Update's
        acceptance and follow the `corrections` Query (the correction's id is the Update's).
        """
        self._dossier = self._corrected(order.request)
        paths = tuple(correction.path for correction in order.request.corrections)
        number = len(self._correction_log()) + 1
        update = workflow.current_update_info()
        self._correction_log().append(
            CorrectionProgress(
                correction_id=update.id if update else str(workflow.uuid4()),
                number=number,
                paths=paths,
                requested_at=workflow.now(),
                by=order.by,
                state="finding_agencies",
            )
        )
        if self._consent_v2:
            # Open checkpoints show what their step will send: the corrected data now.
            await asyncio.gather(*(self._preview(step) for step in self._open_steps_holding(paths)))
        # One correction at a time, in the order they came: an agency ends with the latest.
        async with self._turn():
            # A submission in flight when the data changed is in the log only once it ends.
            await workflow.wait_condition(lambda: not self._sending(paths))
            found = await workflow.execute_activity_method(
                AgencyCorrections.find_correction_recipients,
                RecipientSearch(
                    event_id=self._header.event_id,
                    citizen_key=self._start.citizen_key,
                    paths=paths,
                ),
                start_to_close_timeout=RECIPIENTS_TIMEOUT,
                retry_policy=RetryPolicy(maximum_interval=timedelta(seconds=30)),
                summary=f"correction {number}: find agencies",
            )
            agencies = [
                AgencyCorrection(
                    step_id=r.step_id, agency=r.agency, service=r.service, state="pending"
                )
                for r in found
            ] + self._not_sent_yet(paths, {r.step_id for r in found})
            self._change_correction(number, state="in_progress", agencies=tuple(agencies))
            await asyncio.gather(*(self._amend(number, recipient, order) for recipient in found))
            self._change_correction(number, state="done")
        return self._correction_log()[number - 1]

    @correct_fields.validator
    def validate_correction(self, order: CorrectionOrder) -> None:
        """Reject, before anything changes, a path or value the event's data does not take."""
        self._corrected(order.request)

    def _corrected(self, request: CorrectionRequest) -> dict[str, Any]:
        """The dossier with the request applied (pure); ApplicationError when it cannot be."""
        if self._cancelled:
            raise ApplicationError(
                "the life event was cancelled: it takes no correction",
                type=CORRECTION_NOT_APPLICABLE,
            )
        issued = {fact for step in self._spec.steps for fact in step.provides}
        today = local_today(workflow.now(), self._start.timezone)
        try:
            return apply_corrections(
                self._dossier, request.corrections, self._data_model, issued=issued, today=today
            )
        except CorrectionError as error:
            raise ApplicationError(
                str(error), error.field, error.rule, type=INVALID_CORRECTION, non_retryable=True
            ) from None

    async def _amend(
        self, number: int, recipient: CorrectionRecipient, order: CorrectionOrder
    ) -> None:
        """Send one agency the step's fields, corrected, with the correction's receipt."""
        step = self._spec.step(recipient.step_id)
        paths = tuple(correction.path for correction in order.request.corrections)
        await self._issue_receipt(
            step.id, "correct", self._start.citizen_key, receipt_note(paths, order.by)
        )
        # Corrections take turns, so the step's newest correction receipt is this one's.
        receipt = next(
            r for r in reversed(self._receipts) if r.step_id == step.id and r.decision == "correct"
        )
        self._change_agency(number, step.id, receipt_id=receipt.receipt_id)
        event_id = self._header.event_id
        amendment = AgencyAmendment(
            event_id=event_id,
            event_type=self._spec.event_type,
            citizen_key=self._start.citizen_key,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=recipient.reference,
            idempotency_key=correction_idempotency_key(event_id, step.id, number),
            disclosure=select_fields(self._dossier, self._facts, step.fields),
            receipt_id=receipt.receipt_id,
            receipt=receipt.jws,
        )
        try:
            answer = await workflow.execute_activity_method(
                AgencyCorrections.amend_at_agency,
                amendment,
                # Where its submissions go: a rate-limited agency's own queue, behind its limit.
                task_queue=agency_call_queue(
                    workflow.info().task_queue, step.agency, self._start.own_queue_agencies
                ),
                start_to_close_timeout=AMEND_CALL_TIMEOUT,
                schedule_to_close_timeout=self._start.agency_give_up_after,
                retry_policy=AMEND_RETRY_POLICY,
                summary=f"correction {number}: amend {step.agency} {step.service}",
            )
        except ActivityError as failure:
            cause = failure.cause
            if isinstance(cause, ApplicationError) and cause.type == AMENDMENT_NOT_OFFERED:
                self._change_agency(number, step.id, state="manual", note=MANUAL_NOTE)
            else:
                reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
                self._change_agency(number, step.id, state="failed", note=reason)
            return
        self._change_agency(
            number, step.id, state="sent", reference=answer.reference, note="Amended."
        )

    def _not_sent_yet(self, paths: tuple[str, ...], sent: set[str]) -> list[AgencyCorrection]:
        return [
            AgencyCorrection(
                step_id=step.id,
                agency=step.agency,
                service=step.service,
                state="not_sent_yet",
                note="Nothing sent yet: the step will send the corrected data.",
            )
            for step in self._spec.steps
            if step.id not in sent
            and self._steps[step.id].state in NOT_SENT_STATES
            and touches(step.fields, paths)
        ]

    def _open_steps_holding(self, paths: tuple[str, ...]) -> list[StepSpec]:
        return [
            step
            for step in self._spec.steps
            if self._steps[step.id].state is StepState.AWAITING_CONSENT
            and touches(step.fields, paths)
        ]

    def _sending(self, paths: tuple[str, ...]) -> bool:
        return any(
            self._steps[step.id].state is StepState.SUBMITTING and touches(step.fields, paths)
            for step in self._spec.steps
        )

    def _correction_log(self) -> list[CorrectionProgress]:
        if not hasattr(self, "_corrections"):
            self._corrections = []
        return self._corrections

    def _turn(self) -> asyncio.Lock:
        if not hasattr(self, "_correction_turn"):
            self._correction_turn = asyncio.Lock()
        return self._correction_turn

    def _change_correction(self, number: int, **changes: Any) -> None:
        log = self._correction_log()
        log[number - 1] = log[number - 1].model_copy(update=changes)

    def _change_agency(self, number: int, step_id: str, **changes: Any) -> None:
        correction = self._correction_log()[number - 1]
        agencies = tuple(
            agency.model_copy(update=changes) if agency.step_id == step_id else agency
            for agency in correction.agencies
        )
        self._change_correction(number, agencies=agencies)
