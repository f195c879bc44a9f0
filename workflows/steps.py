"""The shared step runner: every life-event workflow is this runner over a catalogue entry.

Each step waits at its consent checkpoint (a durable timer raced against the citizen's
decision), then for the steps it needs, then goes to its agency. Independent steps run in
parallel; a step whose needed step will never complete is skipped.
"""

import asyncio
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from onceonly.domain.catalogue import LifeEventSpec, StepSpec
from onceonly.domain.life_event import (
    DEAD_END_STATES,
    SATISFIED_STATES,
    ConsentDecisions,
    EventStatus,
    LifeEventProgress,
    LifeEventStart,
    StepProgress,
    StepRetry,
    StepState,
    event_status,
)
from onceonly.domain.step_graph import applies, due_on, select_fields
from onceonly.domain.submission import AgencySubmission, AgencySubmissions, idempotency_key
from workflows import search_attributes
from workflows.consent import DecisionNotApplicable, decide_all

# Agencies' own calls are quick; a slow answer is retried rather than waited on.
AGENCY_CALL_TIMEOUT = timedelta(seconds=30)
# Transient agency failures retry with backoff, for as long as it takes: an agency outage must
# delay a step, never lose it. Rejections are non-retryable and end the step `failed`.
AGENCY_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)


def failure_reason(failure: ActivityError) -> str:
    """The agency's own words: a rejection's message, or for a step given up on after
    retrying until its deadline, the last error before it."""
    cause = failure.cause
    reason = cause.message if isinstance(cause, ApplicationError) else str(cause or failure)
    if failure.retry_state is RetryState.TIMEOUT:
        return f"gave up after retrying: {reason}"
    return reason


def initial_progress(
    spec: LifeEventSpec,
    event_id: str,
    start: LifeEventStart,
    dossier: Mapping[str, Any],
    started_at: datetime,
) -> LifeEventProgress:
    """A new life event: every step that applies at its checkpoint, awaiting consent."""
    steps = tuple(
        StepProgress(
            step_id=step.id,
            state=StepState.AWAITING_CONSENT
            if applies(step, dossier)
            else StepState.NOT_APPLICABLE,
            updated_at=started_at,
            due_on=due_on(step, dossier),
        )
        for step in spec.steps
    )
    return LifeEventProgress(
        event_id=event_id,
        event_type=spec.event_type,
        citizen_key=start.citizen_key,
        status=event_status(step.state for step in steps),
        started_at=started_at,
        steps=steps,
        prefilled=start.prefilled,
    )


def steps_in_force(
    spec: LifeEventSpec, added_steps: Mapping[str, str], patched: Callable[[str], bool]
) -> LifeEventSpec:
    """The life event as this run has it: a step added to the catalogue after events were
    already running (`added_steps`: step id -> patch id) is left out when `patched` says the
    event predates its patch, so that event goes on exactly as it started."""
    # One patched() call per patch, in a fixed order, so every replay asks the same questions.
    left_out = {step_id for step_id, patch_id in added_steps.items() if not patched(patch_id)}
    steps = tuple(step for step in spec.steps if step.id not in left_out)
    for step in steps:
        needed = left_out.intersection(step.depends_on)
        if needed:
            raise ValueError(f"{step.id} needs {sorted(needed)}, added later behind a patch")
    return spec.model_copy(update={"steps": steps})


class LifeEventWorkflow:
    """Base of every life-event workflow: the checkpoints (Update), the state (Query), and
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
        spec = steps_in_force(spec, added_steps or {}, workflow.patched)
        self._spec = spec
        self._start = start
        self._dossier: dict[str, Any] = data.model_dump(mode="json")
        self._facts: dict[str, Any] = {}
        self._cancelled = False
        # Failed steps an operator may still retry: until their window closes they hold
        # their dependants back instead of skipping them.
        self._retryable: set[str] = set()
        self._indexed: tuple[str, list[str], list[str]] | None = None
        progress = initial_progress(spec, info.workflow_id, start, self._dossier, workflow.now())
        self._header = progress
        self._steps = {step.step_id: step for step in progress.steps}

    @workflow.query
    def progress(self) -> LifeEventProgress:
        """The event's state, for the API and operators."""
        return self._header.model_copy(
            update={"status": self._status(), "steps": tuple(self._steps.values())}
        )

    @workflow.update
    async def decide_consent(self, decisions: ConsentDecisions) -> LifeEventProgress:
        """Apply the citizen's decisions at one or more checkpoints."""
        states = {step_id: step.state for step_id, step in self._steps.items()}
        for step_id, state in decide_all(states, decisions).items():
            self._set(step_id, state)
        return self.progress()

    @decide_consent.validator
    def validate_decisions(self, decisions: ConsentDecisions) -> None:
        """Reject, before anything is recorded, a decision that cannot apply."""
        states = {step_id: step.state for step_id, step in self._steps.items()}
        try:
            decide_all(states, decisions)
        except DecisionNotApplicable as reason:
            raise ApplicationError(str(reason), type="DecisionNotApplicable") from None

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

    async def run_steps(self) -> LifeEventProgress:
        """Run every step to an end state and answer with the final progress."""
        self._upsert_search_attributes()
        try:
            await asyncio.gather(*(self._run_step(step) for step in self._spec.steps))
        except asyncio.CancelledError:
            self._cancelled = True
            self._upsert_search_attributes()
            raise
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.progress()

    async def _run_step(self, step: StepSpec) -> None:
        if self._steps[step.id].state is StepState.NOT_APPLICABLE:
            return
        if not await self._passed_checkpoint(step):
            return
        await workflow.wait_condition(
            lambda: (
                all(self._steps[needed].state in SATISFIED_STATES for needed in step.depends_on)
                or self._needs_dead_step(step)
            )
        )
        if self._needs_dead_step(step):
            self._set(step.id, StepState.SKIPPED)
            return
        await self._submit(step)
        while self._steps[step.id].state is StepState.FAILED and await self._retried(step):
            await self._submit(step)

    async def _retried(self, step: StepSpec) -> bool:
        """Hold a failed step open for an operator's retry; False once the window closes."""
        self._retryable.add(step.id)
        self._upsert_search_attributes()
        try:
            await workflow.wait_condition(
                lambda: self._steps[step.id].state is StepState.GRANTED,
                timeout=self._start.retry_window,
                timeout_summary=f"retry window for {step.id}",
            )
        except TimeoutError:
            return False
        finally:
            self._retryable.discard(step.id)
            self._upsert_search_attributes()
        return True

    async def _passed_checkpoint(self, step: StepSpec) -> bool:
        """Wait for the citizen's decision, the expiry, or a needed step's dead end."""
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
        attempts = self._steps[step.id].attempts + 1
        self._set(step.id, StepState.SUBMITTING, attempts=attempts)
        event_id = self._header.event_id
        submission = AgencySubmission(
            event_id=event_id,
            step_id=step.id,
            agency=step.agency,
            service=step.service,
            idempotency_key=idempotency_key(event_id, step.id),
            disclosure=select_fields(self._dossier, self._facts, step.fields),
        )
        try:
            answer = await workflow.execute_activity_method(
                AgencySubmissions.submit_to_agency,
                submission,
                start_to_close_timeout=AGENCY_CALL_TIMEOUT,
                schedule_to_close_timeout=self._start.agency_give_up_after,
                retry_policy=AGENCY_RETRY_POLICY,
                summary=f"{step.agency} {step.service}",
            )
        except ActivityError as failure:
            self._set(step.id, StepState.FAILED, error=failure_reason(failure))
            return
        self._facts.update(answer.outputs)
        self._set(step.id, StepState.COMPLETED, reference=answer.reference)

    def _set(self, step_id: str, state: StepState, **details: str | int | None) -> None:
        self._steps[step_id] = self._steps[step_id].model_copy(
            update={"state": state, "updated_at": workflow.now(), **details}
        )
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
        status = self._status().value
        awaiting = self._step_ids_in(StepState.AWAITING_CONSENT)
        failed = self._step_ids_in(StepState.FAILED)
        if self._indexed == (status, awaiting, failed):
            return
        self._indexed = (status, awaiting, failed)
        workflow.upsert_search_attributes(
            [
                search_attributes.STATUS.value_set(status),
                search_attributes.AWAITING_CONSENT.value_set(awaiting),
                search_attributes.FAILED_STEPS.value_set(failed),
                search_attributes.UPDATED_AT.value_set(workflow.now()),
            ]
        )

    def _step_ids_in(self, state: StepState) -> list[str]:
        return [step.step_id for step in self._steps.values() if step.state is state]
