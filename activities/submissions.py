"""The activity that sends one step's disclosure to its agency through the agency's adapter,
and writes what the agency accepted to the disclosure log before it answers.
"""

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError

from activities import usage
from activities.pacing import at_agency_pace
from adapters.base import (
    AgencyAdapter,
    AgencyRejected,
    AgencyUnavailable,
    FilingAdapter,
    WithdrawalNotOffered,
    WithdrawingAdapter,
)
from adapters.http import CONSENT_RECEIPT
from onceonly.disclosures import DisclosureEntry, DisclosureLog
from onceonly.domain import submission as contract
from onceonly.domain.catalogue import CATALOGUE, StepSpec
from onceonly.domain.search_attributes import CITIZEN_KEY
from onceonly.domain.submission import (
    AgencyAnswer,
    AgencySubmission,
    AgencyWithdrawal,
    WithdrawalAnswer,
)
from onceonly.usage import UsageLedger

log = structlog.get_logger(__name__)

# Metric names as the worker's /metrics shows them: no `temporal_` prefix, which the SDK puts
# on its own metrics only, and no `_total`, like the SDK's counters.
SUBMISSIONS_METRIC = "onceonly_agency_submissions"
ERRORS_METRIC = "onceonly_agency_errors"
LATENCY_METRIC = "onceonly_agency_submission_latency"


def submission_outcome(error: BaseException | None) -> str:
    """How one attempt at an agency ended, as a metric label: `accepted`, `rejected` (the
    agency refused the data), `unavailable` (Temporal retries), `cancelled` or `failed`.
    """
    if error is None:
        return "accepted"
    if isinstance(error, AgencyRejected):
        return "rejected"
    if isinstance(error, AgencyUnavailable):
        return "unavailable"
    if isinstance(error, CancelledError | asyncio.CancelledError):
        return "cancelled"
    return "failed"


def event_type_of(submission: AgencySubmission) -> str:
    """The submission's life-event type; event ids start with it, for submissions from before
    they carried it."""
    return submission.event_type or submission.event_id.split("-", 1)[0]


def catalogue_step(submission: AgencySubmission) -> StepSpec:
    """The catalogue's entry for the submission's step, whose legal basis the log records
    (see `step_of_agency`)."""
    return step_of_agency(event_type_of(submission), submission.step_id, submission.agency)


def step_of_agency(event_type: str, step_id: str, agency: str) -> StepSpec:
    """The catalogue's entry for a step of `agency`.

    Raises a non-retryable ApplicationError when the catalogue has no such step for the
    agency: a disclosure without a legal basis is never sent.
    """
    try:
        step = CATALOGUE.event(event_type).step(step_id)
    except KeyError:
        step = None
    if step is None or step.agency != agency:
        raise ApplicationError(
            f"the catalogue has no step {step_id!r} of {event_type!r} for agency {agency!r}",
            non_retryable=True,
        )
    return step


def disclosure_entry(
    submission: AgencySubmission,
    step: StepSpec,
    answer: AgencyAnswer,
    citizen_key: str,
    accepted_at: datetime,
) -> DisclosureEntry:
    """The log's entry for a submission the agency accepted: the field paths it was sent
    (never their values), the step's legal basis, the receipt and the agency's reference."""
    return DisclosureEntry(
        citizen_key=citizen_key,
        event_id=submission.event_id,
        event_type=event_type_of(submission),
        step_id=submission.step_id,
        agency=submission.agency,
        service=submission.service,
        fields=tuple(submission.disclosure),
        legal_basis=step.legal_basis,
        receipt_id=submission.receipt_id,
        agency_reference=answer.reference,
        disclosed_at=accepted_at,
        idempotency_key=submission.idempotency_key,
    )


class AgencySubmissions(contract.AgencySubmissions):
    """The agency submission activity, bound to the worker's adapters (one shared HTTP client)
    and to the disclosure log, which it writes for every submission an agency accepts, and
    to the usage ledger (requests, answers, withdrawals), when given one.
    """

    def __init__(
        self,
        adapters: Mapping[str, AgencyAdapter],
        disclosures: DisclosureLog,
        usage_ledger: UsageLedger | None = None,
    ) -> None:
        self._adapters = adapters
        self._disclosures = disclosures
        self._usage = usage_ledger

    @activity.defn(name=contract.SUBMIT_TO_AGENCY)
    async def submit_to_agency(self, submission: AgencySubmission) -> AgencyAnswer:
        """Send the disclosure; adapter errors decide whether Temporal retries.

        Every log line inside carries the workflow, run, step and agency; every attempt is
        counted and timed on the worker's metrics endpoint by agency and outcome.
        """
        info = activity.info()
        # Bound for this activity's task only: each activity runs in its own asyncio task,
        # and so with its own copy of the context.
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id,
            run_id=info.workflow_run_id,
            step=submission.step_id,
            agency=submission.agency,
            attempt=info.attempt,
        ):
            started = time.monotonic()
            error: BaseException | None = None
            try:
                return await self._submit(submission)
            except BaseException as raised:
                error = raised
                raise
            finally:
                _record_attempt(submission.agency, error, time.monotonic() - started)

    async def _submit(self, submission: AgencySubmission) -> AgencyAnswer:
        adapter = self._adapters.get(submission.agency)
        if adapter is None:
            raise ApplicationError(
                f"no adapter for agency {submission.agency!r}", non_retryable=True
            )
        # Resolved before anything is sent, so that nothing is sent that cannot be logged.
        step = catalogue_step(submission)
        citizen_key = submission.citizen_key or await _indexed_citizen_key()
        # Logs carry ids and field names only, never values. One line per call at info: its
        # outcome (accepted below, or agency.error), with the fields it disclosed.
        fields = sorted(submission.disclosure)
        log.debug("agency.submit", fields=fields)
        info = activity.info()
        attempt = info.attempt
        sent = usage.request_sent(submission, info.activity_id, attempt, datetime.now(UTC))
        await usage.note(self._usage, sent)
        # The adapter's POST carries the receipt for this submission only (see adapters.http).
        receipt = CONSENT_RECEIPT.set(submission.receipt)
        try:
            # Retried at the agency's own pace, as its adapter's policy declares.
            async with at_agency_pace(submission.agency, adapter.policy):
                if isinstance(adapter, FilingAdapter):
                    # The whole step, with what the activity filled in (a task shows it).
                    filled = {"citizen_key": citizen_key, "event_type": event_type_of(submission)}
                    answer = await adapter.file(submission.model_copy(update=filled))
                else:
                    answer = await adapter.submit(
                        submission.service, submission.disclosure, submission.idempotency_key
                    )
        except AgencyRejected as refused:
            code = refused.type or type(refused).__name__
            now = datetime.now(UTC)
            await usage.note(self._usage, usage.rejected(submission, code, attempt, now))
            raise
        finally:
            CONSENT_RECEIPT.reset(receipt)
        # Before the workflow hears of it: if the write fails, the activity fails and is
        # retried; the agency answers the same key with its first answer, and the log keeps
        # one entry per key.
        entry = disclosure_entry(submission, step, answer, citizen_key, datetime.now(UTC))
        new = await self._disclosures.record(entry)
        await usage.note(
            self._usage, usage.answered(submission, answer, attempt, entry.disclosed_at)
        )
        log.info("agency.accepted", fields=fields, disclosure_recorded=new)
        return answer

    @activity.defn(name=contract.WITHDRAW_FROM_AGENCY)
    async def withdraw_from_agency(self, withdrawal: AgencyWithdrawal) -> WithdrawalAnswer:
        """Ask the agency to withdraw (or delete) what the step sent it. Adapter errors decide
        whether Temporal retries; an agency or service without an online withdrawal fails at
        once with `WithdrawalNotOffered`, which is not retried."""
        info = activity.info()
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id,
            run_id=info.workflow_run_id,
            step=withdrawal.step_id,
            agency=withdrawal.agency,
            attempt=info.attempt,
        ):
            adapter = self._adapters.get(withdrawal.agency)
            if adapter is None:
                raise ApplicationError(
                    f"no adapter for agency {withdrawal.agency!r}", non_retryable=True
                )
            if not isinstance(adapter, WithdrawingAdapter):
                await self._note_manual(withdrawal, info.attempt)
                raise WithdrawalNotOffered(withdrawal.agency, withdrawal.service)
            log.info("agency.withdraw", service=withdrawal.service)
            try:
                async with at_agency_pace(withdrawal.agency, adapter.policy):
                    answer = await adapter.withdraw(
                        withdrawal.service, withdrawal.reference, withdrawal.idempotency_key
                    )
            except Exception as error:
                log.warning("agency.withdrawal_failed", error=type(error).__name__)
                # Some agencies withdraw some services online and not others.
                if isinstance(error, WithdrawalNotOffered):
                    await self._note_manual(withdrawal, info.attempt)
                raise
            done = usage.withdrawal(withdrawal, answer.outcome, info.attempt, datetime.now(UTC))
            await usage.note(self._usage, done)
            log.info("agency.withdrawn", outcome=answer.outcome)
            return answer

    async def _note_manual(self, withdrawal: AgencyWithdrawal, attempt: int) -> None:
        manual = usage.withdrawal(withdrawal, None, attempt, datetime.now(UTC))
        await usage.note(self._usage, manual)


async def _indexed_citizen_key() -> str:
    """The citizen key the running workflow is indexed under: for submissions scheduled before
    they carried it, whose retries still arrive with the old input."""
    workflow_id = activity.info().workflow_id
    if workflow_id is None:
        return ""  # not run by a workflow: no event to find the citizen by
    description = await activity.client().get_workflow_handle(workflow_id).describe()
    return description.typed_search_attributes.get(CITIZEN_KEY) or ""


def _record_attempt(agency: str, error: BaseException | None, seconds: float) -> None:
    outcome = submission_outcome(error)
    attributes = {"agency": agency, "outcome": outcome}
    # The activity's meter already carries namespace, task queue and activity type, and
    # writes to the SDK runtime's exporter: the worker's one /metrics endpoint.
    meter = activity.metric_meter()
    meter.create_counter(
        SUBMISSIONS_METRIC, "Attempts to submit a step to its agency, by agency and outcome."
    ).add(1, attributes)
    if error is not None:
        meter.create_counter(
            ERRORS_METRIC, "Submission attempts that did not succeed, by agency and outcome."
        ).add(1, attributes)
        log.warning("agency.error", outcome=outcome, error=type(error).__name__)
    meter.create_histogram_timedelta(
        LATENCY_METRIC, "Time an attempt at an agency took, by agency and outcome.", "ms"
    ).record(timedelta(seconds=seconds), attributes)
