"""What happens at an agency after it accepted a step: a slow agency's outcome, awaited by its
signed callback or by polling its status, with operators alerted when it is late; and proof of
effect, a later question whether the change really took effect, reopening the step if not.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from onceonly.domain.catalogue import StepSpec
from onceonly.domain.life_event import AgencyOutcomeReady, StepState
from onceonly.domain.submission import AgencyAnswer, AgencyStatus, StatusCheck
from workflows.agency_calls import AgencyCalls, failure_reason
from workflows.event_state import EventState
from workflows.indexing import record, upsert

OVERDUE_METRIC = "onceonly_agency_outcomes_overdue"
REOPENED_METRIC = "onceonly_steps_reopened"
CALLBACK_SAFETY_POLL = timedelta(hours=1)
"""For an agency that calls back: how often to ask anyway, in case a callback is lost."""
NOT_IN_EFFECT = "The agency reports the change has not taken effect: an operator must act."


class AgencyOutcomes:
    """A request's life at its agency after it was accepted, over the event's state."""

    def __init__(self, state: EventState, calls: AgencyCalls) -> None:
        self.state = state
        self.calls = calls

    def validate_ready(self, ready: AgencyOutcomeReady) -> None:
        """Only a step waiting on this agency, under this reference, can be woken."""
        step = self.state.steps.get(ready.step_id)
        agencies = {spec.id: spec.agency for spec in self.state.spec.steps}
        if step is None or agencies.get(ready.step_id) != ready.agency:
            raise ApplicationError(
                f"step {ready.step_id!r}: no such step at {ready.agency}", type="NoSuchRequest"
            )
        if step.state is StepState.SUBMITTING:
            # The agency may call back before its answer to the submission is recorded (a
            # worker restarted between the two): the callback is early, not wrong.
            raise ApplicationError(
                f"step {ready.step_id!r}: its submission's answer is not recorded yet",
                type="OutcomeNotAwaitedYet",
            )
        if step.state is not StepState.SUBMITTED or step.reference != ready.reference:
            raise ApplicationError(
                f"step {ready.step_id!r}: is {step.state.value}, not waiting on {ready.reference}",
                type="NotAwaitingOutcome",
            )

    async def settle(self, step: StepSpec, answer: AgencyAnswer) -> None:
        """End the step with the agency's answer to its submission, or, where the agency
        decides later, with the outcome once it has."""
        state = self.state
        state.facts.update(answer.outputs)
        if answer.pending and state.lifecycle:
            await self._await_outcome(step, answer)
            return
        at = (
            {"accepted_at": workflow.now(), "completed_at": workflow.now()}
            if state.lifecycle
            else {}
        )
        record(state, step.id, StepState.COMPLETED, reference=answer.reference, **at)

    async def _await_outcome(self, step: StepSpec, answer: AgencyAnswer) -> None:
        """Wait for a pending request's outcome and end the step with it; past its due time
        the step is flagged for operators and goes on waiting."""
        state = self.state
        now = workflow.now()
        due = now + answer.outcome_due if answer.outcome_due else None
        record(state, step.id, StepState.SUBMITTED, reference=answer.reference, accepted_at=now,
               outcome_due=due)  # fmt: skip
        check = StatusCheck(
            event_id=state.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=answer.reference,
            follow_up=answer.follow_up,
        )
        try:
            status = await self._outcome(step, check)
        except ActivityError as failure:
            record(state, step.id, StepState.FAILED, error=failure_reason(failure))
            return
        if status.state == "rejected":
            record(
                state, step.id, StepState.FAILED, error=status.message or "the agency refused it"
            )
        else:
            state.facts.update(status.outputs)
            # The agency's reference for what it did: the request's own at an agency with an
            # API, the staff's at a work-queue agency (in place of the task's id).
            record(state, step.id, StepState.COMPLETED, reference=status.reference,
                   completed_at=workflow.now(), overdue=False)  # fmt: skip
        state.attention.discard(step.id)
        upsert(state)

    async def _outcome(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        if check.follow_up == "callback":
            return await self._outcome_by_callback(step, check)
        poll = self.calls.await_outcome(step, check)
        await self._wait_flagging_overdue(step, poll.done)
        return await poll

    async def _outcome_by_callback(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        """Ask the agency when its verified callback says so, and now and then anyway, in
        case a callback was lost; no activity waits meanwhile."""
        while True:
            self.state.outcome_ready.discard(step.id)
            await self._wait_flagging_overdue(
                step, lambda: step.id in self.state.outcome_ready, limit=CALLBACK_SAFETY_POLL
            )
            status = await self.calls.ask_status(step, check)
            if status.state != "pending":
                return status

    async def _wait_flagging_overdue(
        self, step: StepSpec, until: Callable[[], bool], limit: timedelta | None = None
    ) -> None:
        """Wait until `until` holds, or `limit` passed; flag the step overdue on the way when
        its outcome is later than the agency said."""
        give_up = workflow.now() + limit if limit else None
        while True:
            progress = self.state.steps[step.id]
            due = None if progress.overdue else progress.outcome_due
            wake = min((t for t in (due, give_up) if t is not None), default=None)
            try:
                await workflow.wait_condition(
                    until,
                    timeout=None if wake is None else max(wake - workflow.now(), timedelta(0)),
                    timeout_summary=f"outcome from {step.agency}",
                )
                return
            except TimeoutError:
                if due is None or workflow.now() < due:
                    return  # the limit passed
                self._flag(step, OVERDUE_METRIC, overdue=True)

    def _flag(self, step: StepSpec, metric: str, **details: Any) -> None:
        """Alert operators: the step's search attribute and a metric by agency."""
        self.state.attention.add(step.id)
        record(self.state, step.id, self.state.steps[step.id].state, **details)
        workflow.metric_meter().create_counter(
            metric, "Steps that need an operator, by agency."
        ).add(1, {"agency": step.agency})

    async def effect_missing(self, step: StepSpec) -> bool:
        """For a step checked later: wait, then ask the agency whether the change took effect.
        True when it did not, and the step is reopened for operators (failed, open to retry)."""
        state = self.state
        days = step.confirm_effect_after_days
        if not (state.lifecycle and days and state.steps[step.id].state is StepState.COMPLETED):
            return False
        record(state, step.id, StepState.COMPLETED, effect="unchecked")
        await workflow.sleep(timedelta(days=days), summary=f"proof of effect {step.id}")
        progress = state.steps[step.id]
        if progress.state is not StepState.COMPLETED:
            return False  # withdrawn meanwhile: nothing left to confirm
        check = StatusCheck(
            event_id=state.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=progress.reference or "",
        )
        try:
            status = await self.calls.ask_status(step, check)
            problem = None if status.effect == "in_effect" else status.message
        except ActivityError as failure:
            status, problem = None, failure_reason(failure)
        if status is not None and status.effect == "in_effect":
            record(
                state, step.id, StepState.COMPLETED, effect="confirmed", confirmed_at=workflow.now()
            )
            return False
        note = f"{NOT_IN_EFFECT} ({problem})" if problem else NOT_IN_EFFECT
        state.reopened[step.id] = state.reopened.get(step.id, 0) + 1
        record(state, step.id, StepState.FAILED, effect="not_in_effect", error=note)
        self._flag(step, REOPENED_METRIC)
        return True
