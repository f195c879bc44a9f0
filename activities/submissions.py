"""The activity that sends one step's disclosure to its agency through the agency's adapter."""

import asyncio
import time
from collections.abc import Mapping
from datetime import timedelta

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError

from adapters.base import AgencyAdapter, AgencyRejected, AgencyUnavailable
from onceonly.domain import submission as contract
from onceonly.domain.submission import AgencyAnswer, AgencySubmission

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


class AgencySubmissions(contract.AgencySubmissions):
    """The agency submission activity, bound to the worker's adapters (one shared HTTP client)."""

    def __init__(self, adapters: Mapping[str, AgencyAdapter]) -> None:
        self._adapters = adapters

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
        # Logs carry ids and field names only, never values.
        log.info("agency.submit", fields=sorted(submission.disclosure))
        answer = await adapter.submit(
            submission.service, submission.disclosure, submission.idempotency_key
        )
        log.info("agency.accepted")
        return answer


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
