"""The activities that ask an agency where a request stands, through its adapter's `status`:
once (when a signed callback says the outcome is ready, now and then in case one was lost, or
for proof of effect), or again and again with backoff until a slow agency without callbacks
has decided.
"""

import asyncio
from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import usage
from activities.pacing import at_agency_pace
from adapters.base import AgencyAdapter, AgencyPolicy, AgencyUnavailable, StatusAdapter
from onceonly.domain import submission as contract
from onceonly.domain.submission import AgencyStatus, StatusCheck
from onceonly.usage import UsageLedger

log = structlog.get_logger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=10)
"""How often a waiting poll tells Temporal it is alive; its heartbeat timeout is above this."""


def poll_delay(policy: AgencyPolicy, polls: int) -> timedelta:
    """The wait before the next status question, after `polls` questions already asked: the
    agency's own pace, backing off to its maximum."""
    seconds = policy.poll_every.total_seconds() * policy.backoff ** max(polls - 1, 0)
    return min(timedelta(seconds=seconds), max(policy.max_poll_interval, policy.poll_every))


class AgencyStatusChecks(contract.AgencyStatusChecks):
    """The status activities, bound to the worker's adapters; they write each outcome they
    learn (once per step, however often asked) to the usage ledger, when given one."""

    def __init__(
        self, adapters: Mapping[str, AgencyAdapter], usage_ledger: UsageLedger | None = None
    ) -> None:
        self._adapters = adapters
        self._usage = usage_ledger

    @activity.defn(name=contract.CHECK_AGENCY_STATUS)
    async def check_agency_status(self, check: StatusCheck) -> AgencyStatus:
        """Ask once; AgencyUnavailable is retried by Temporal, AgencyRejected is not."""
        with _bound(check):
            adapter = self._adapter(check)
            async with at_agency_pace(check.agency, self._adapters[check.agency].policy):
                status = await adapter.status(check.service, check.reference)
            log.info("agency.status", state=status.state, effect=status.effect)
            await self._note_outcome(check, status)
            return status

    @activity.defn(name=contract.AWAIT_AGENCY_OUTCOME)
    async def await_agency_outcome(self, check: StatusCheck) -> AgencyStatus:
        """Ask until the agency has decided, backing off between questions and heartbeating
        while it waits; a retried attempt picks up the backoff where the last one stopped."""
        with _bound(check):
            adapter = self._adapter(check)
            details = activity.info().heartbeat_details
            polls = int(details[0]) if details else 0
            while True:
                try:
                    status = await adapter.status(check.service, check.reference)
                except AgencyUnavailable as error:
                    # The agency is down: the request still stands, so keep asking, later.
                    log.warning("agency.status_unavailable", error=str(error))
                else:
                    if status.state != "pending":
                        log.info("agency.outcome", state=status.state, polls=polls + 1)
                        await self._note_outcome(check, status)
                        return status
                polls += 1
                policy = self._adapters[check.agency].policy
                await _wait(poll_delay(policy, polls), polls)

    async def _note_outcome(self, check: StatusCheck, status: AgencyStatus) -> None:
        attempt = activity.info().attempt
        await usage.note(self._usage, usage.outcome(check, status, attempt, datetime.now(UTC)))

    def _adapter(self, check: StatusCheck) -> StatusAdapter:
        adapter = self._adapters.get(check.agency)
        if adapter is None:
            raise ApplicationError(f"no adapter for agency {check.agency!r}", non_retryable=True)
        if not isinstance(adapter, StatusAdapter):
            raise ApplicationError(
                f"{check.agency} has no status endpoint: its outcome cannot be asked",
                type=contract.STATUS_NOT_OFFERED,
                non_retryable=True,
            )
        return adapter


async def _wait(delay: timedelta, polls: int) -> None:
    # In slices, heartbeating each: a cancelled wait (a callback came) ends at the next slice.
    remaining = delay.total_seconds()
    while remaining > 0:
        activity.heartbeat(polls)
        step = min(remaining, HEARTBEAT_EVERY.total_seconds())
        if await _worker_stops_within(step):
            # Nothing is lost by stopping here: the retry, on whichever worker, goes on from
            # the last heartbeat's count. Waiting out the slice would only hold the shutdown.
            raise ApplicationError("the worker is shutting down: another goes on asking")
        remaining -= step
    activity.heartbeat(polls)


async def _worker_stops_within(seconds: float) -> bool:
    shutdown = asyncio.ensure_future(activity.wait_for_worker_shutdown())
    try:
        await asyncio.wait({shutdown}, timeout=seconds)
    finally:
        shutdown.cancel()
    return activity.is_worker_shutdown()


def _bound(check: StatusCheck) -> AbstractContextManager[None]:
    info = activity.info()
    return structlog.contextvars.bound_contextvars(
        workflow_id=info.workflow_id, step=check.step_id, agency=check.agency, attempt=info.attempt
    )
