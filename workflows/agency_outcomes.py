"""What happens at an agency after it accepted a step: a slow agency's outcome, awaited by its
signed callback or by polling its status, with operators alerted when it is late; and proof of
effect, a later question whether the change really took effect, reopening the step if not.

A mixin of `LifeEventWorkflow` (workflows/steps.py), whose state it reads and writes.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    AgencyOutcomeReady,
    LifeEventProgress,
    LifeEventStart,
    StepProgress,
    StepState,
)
from onceonly.domain.submission import (
    AgencyAnswer,
    AgencyStatus,
    AgencyStatusChecks,
    StatusCheck,
    agency_call_queue,
    agency_waits_queue,
)

OVERDUE_METRIC = "onceonly_agency_outcomes_overdue"
REOPENED_METRIC = "onceonly_steps_reopened"
# A poll heartbeats every 10 s (activities.status); missing several means its worker is gone.
POLL_HEARTBEAT_TIMEOUT = timedelta(minutes=1)
# One attempt of a poll may run this long before Temporal starts a fresh one (which goes on
# from the last heartbeat's count): the outcome itself may take weeks.
POLL_ATTEMPT_TIMEOUT = timedelta(days=1)
STATUS_CALL_TIMEOUT = timedelta(seconds=30)
CALLBACK_SAFETY_POLL = timedelta(hours=1)
"""For an agency that calls back: how often to ask anyway, in case a callback is lost."""
STATUS_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=5)
)
NOT_IN_EFFECT = "The agency reports the change has not taken effect: an operator must act."


class AgencyOutcomes:
    """The handlers and steps of a request's life at its agency after it was accepted."""

    # From LifeEventWorkflow.
    _header: LifeEventProgress
    _spec: LifeEventSpec
    _start: LifeEventStart
    _steps: dict[str, StepProgress]
    _facts: dict[str, Any]
    _set: Callable[..., None]
    _upsert_search_attributes: Callable[[], None]

    def _init_outcomes(self, lifecycle: bool) -> None:
        # Whether this run has agency task queues, slow agencies and proof of effect (a patch).
        self._lifecycle = lifecycle
        self._outcome_ready: set[str] = set()  # steps woken by a verified callback
        self._attention: set[str] = set()  # steps overdue or reopened: operators are alerted
        self._reopened: dict[str, int] = {}  # step id -> times its change did not take effect

    # -- Update: an agency's callback ------------------------------------------------------

    @workflow.update
    async def agency_outcome_ready(self, ready: AgencyOutcomeReady) -> None:
        """A verified callback: the agency has decided on the step's request; ask it."""
        self._outcome_ready.add(ready.step_id)

    @agency_outcome_ready.validator
    def validate_outcome_ready(self, ready: AgencyOutcomeReady) -> None:
        """Only a step waiting on this agency, under this reference, can be woken."""
        step = self._steps.get(ready.step_id)
        agencies = {spec.id: spec.agency for spec in self._spec.steps}
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

    # -- The outcome of a slow agency --------------------------------------------------------

    def _agency_queue(self, agency: str) -> str | None:
        """The task queue of the agency's calls, in runs that have agency queues (None: the
        workflow's own)."""
        if not self._lifecycle:
            return None
        task_queue = workflow.info().task_queue
        return agency_call_queue(task_queue, agency, self._start.own_queue_agencies)

    async def _await_outcome(self, step: StepSpec, answer: AgencyAnswer) -> None:
        """Wait for a pending request's outcome and end the step with it; past its due time
        the step is flagged for operators and goes on waiting."""
        now = workflow.now()
        due = now + answer.outcome_due if answer.outcome_due else None
        self._set(step.id, StepState.SUBMITTED, reference=answer.reference, accepted_at=now,
                  outcome_due=due)  # fmt: skip
        check = StatusCheck(
            event_id=self._header.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=answer.reference,
            follow_up=answer.follow_up,
        )
        try:
            status = await self._outcome(step, check)
        except ActivityError as failure:
            self._set(step.id, StepState.FAILED, error=failure_reason(failure))
            return
        if status.state == "rejected":
            self._set(step.id, StepState.FAILED, error=status.message or "the agency refused it")
        else:
            self._facts.update(status.outputs)
            self._set(step.id, StepState.COMPLETED, completed_at=workflow.now(), overdue=False)
        self._attention.discard(step.id)
        self._upsert_search_attributes()

    async def _outcome(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        if check.follow_up == "callback":
            return await self._outcome_by_callback(step, check)
        # Asked with backoff by a heartbeating activity on the queue of waits, not the
        # agency's: a wait holds its slot for as long as the agency takes to decide.
        poll = workflow.start_activity_method(
            AgencyStatusChecks.await_agency_outcome,
            check,
            task_queue=agency_waits_queue(workflow.info().task_queue),
            start_to_close_timeout=POLL_ATTEMPT_TIMEOUT,
            heartbeat_timeout=POLL_HEARTBEAT_TIMEOUT,
            retry_policy=STATUS_RETRY_POLICY,
            summary=f"await {step.agency} {step.service}",
        )
        await self._wait_flagging_overdue(step, poll.done)
        return await poll

    async def _outcome_by_callback(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        """Ask the agency when its verified callback says so, and now and then anyway, in
        case a callback was lost; no activity waits meanwhile."""
        while True:
            self._outcome_ready.discard(step.id)
            await self._wait_flagging_overdue(
                step, lambda: step.id in self._outcome_ready, limit=CALLBACK_SAFETY_POLL
            )
            status = await self._ask_status(step, check)
            if status.state != "pending":
                return status

    async def _wait_flagging_overdue(
        self, step: StepSpec, until: Callable[[], bool], limit: timedelta | None = None
    ) -> None:
        """Wait until `until` holds, or `limit` passed; flag the step overdue on the way when
        its outcome is later than the agency said."""
        give_up = workflow.now() + limit if limit else None
        while True:
            due = None if self._steps[step.id].overdue else self._steps[step.id].outcome_due
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
        self._attention.add(step.id)
        self._set(step.id, self._steps[step.id].state, **details)
        workflow.metric_meter().create_counter(
            metric, "Steps that need an operator, by agency."
        ).add(1, {"agency": step.agency})

    async def _ask_status(self, step: StepSpec, check: StatusCheck) -> AgencyStatus:
        return await workflow.execute_activity_method(
            AgencyStatusChecks.check_agency_status,
            check,
            task_queue=self._agency_queue(step.agency),
            start_to_close_timeout=STATUS_CALL_TIMEOUT,
            retry_policy=STATUS_RETRY_POLICY,
            summary=f"status {step.agency} {step.service}",
        )

    # -- Proof of effect ---------------------------------------------------------------------

    async def _effect_missing(self, step: StepSpec) -> bool:
        """For a step checked later: wait, then ask the agency whether the change took effect.
        True when it did not, and the step is reopened for operators (failed, open to retry)."""
        days = step.confirm_effect_after_days
        if not (self._lifecycle and days and self._steps[step.id].state is StepState.COMPLETED):
            return False
        self._set(step.id, StepState.COMPLETED, effect="unchecked")
        await workflow.sleep(timedelta(days=days), summary=f"proof of effect {step.id}")
        progress = self._steps[step.id]
        if progress.state is not StepState.COMPLETED:
            return False  # withdrawn meanwhile: nothing left to confirm
        check = StatusCheck(
            event_id=self._header.event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            reference=progress.reference or "",
        )
        try:
            status = await self._ask_status(step, check)
            problem = None if status.effect == "in_effect" else status.message
        except ActivityError as failure:
            status, problem = None, failure_reason(failure)
        if status is not None and status.effect == "in_effect":
            self._set(step.id, StepState.COMPLETED, effect="confirmed", confirmed_at=workflow.now())
            return False
        note = f"{NOT_IN_EFFECT} ({problem})" if problem else NOT_IN_EFFECT
        self._reopened[step.id] = self._reopened.get(step.id, 0) + 1
        self._set(step.id, StepState.FAILED, effect="not_in_effect", error=note)
        self._flag(step, REOPENED_METRIC)
        return True


def failure_reason(failure: ActivityError) -> str:
    """The agency's own words: a rejection's message, or for a step given up on after
    retrying until its deadline, the last error before it."""
    cause = failure.cause
    reason = cause.message if isinstance(cause, ApplicationError) else str(cause or failure)
    if failure.retry_state is RetryState.TIMEOUT:
        return f"gave up after retrying: {reason}"
    return reason
