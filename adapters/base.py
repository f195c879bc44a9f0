"""The adapter interface every agency implements, and the errors it raises.

An adapter receives a *disclosure*: the canonical fields its step declares in the catalogue,
keyed by dotted path (`"child.name"`), with JSON values as the canonical models dump them
(`model_dump(mode="json")`). It maps them to the agency's format, calls the agency, and
answers with the agency's reference plus any canonical facts the agency issued (for example
`"child.birth_registration_number"`), which later steps may disclose in turn.

The Protocols here are the contract; an adapter for a JSON-over-HTTP agency is best made of
declared services (`adapters.services.JsonAgencyAdapter`), which keeps it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from temporalio.exceptions import ApplicationError

from onceonly.domain.amendments import AMENDMENT_NOT_OFFERED
from onceonly.domain.submission import (
    WITHDRAWAL_NOT_OFFERED,
    AgencyAnswer,
    AgencyStatus,
    AgencySubmission,
    AmendmentAnswer,
    WithdrawalAnswer,
)

# The answers are the activities' contract (workflows read them), re-exported for the adapters.
__all__ = [
    "AgencyAdapter",
    "AgencyAnswer",
    "AgencyPolicy",
    "AgencyRejected",
    "AgencyStatus",
    "AgencyUnavailable",
    "AmendingAdapter",
    "AmendmentAnswer",
    "AmendmentNotOffered",
    "Disclosure",
    "FilingAdapter",
    "ServiceNotOffered",
    "StatusAdapter",
    "WithdrawalAnswer",
    "WithdrawalNotOffered",
    "WithdrawingAdapter",
]

Disclosure = Mapping[str, Any]


class AgencyRejected(ApplicationError):
    """The agency refused the submission as invalid: retrying the same data cannot help."""

    def __init__(self, agency: str, message: str) -> None:
        super().__init__(f"{agency} rejected the submission: {message}", non_retryable=True)


class AgencyUnavailable(ApplicationError):
    """The agency could not answer now (timeout, 5xx, 429): Temporal retries with backoff,
    after `next_retry_delay` when the agency's policy sets the pace (see `paced`)."""

    def __init__(
        self, agency: str, message: str, next_retry_delay: timedelta | None = None
    ) -> None:
        super().__init__(f"{agency} is unavailable: {message}", next_retry_delay=next_retry_delay)
        self.agency = agency
        self.reason = message

    def paced(self, policy: "AgencyPolicy", attempt: int) -> "AgencyUnavailable":
        """The same error, retried after the wait the agency's policy gives this attempt."""
        return AgencyUnavailable(self.agency, self.reason, policy.retry_delay(attempt))


class ServiceNotOffered(AgencyRejected):
    """The agency offers no service by that name (`title`: how the agency is named in the
    message, "the council"): retrying cannot mend it."""

    def __init__(self, agency: str, service: str, *, title: str | None = None) -> None:
        super().__init__(agency, f"{title or agency} offers no service {service!r}")


class AmendmentNotOffered(AgencyRejected):
    """The agency takes no correction online for the service (or at all): the correction
    needs an operator, and retrying cannot help. Its type is the one the corrections workflow
    reads (`AMENDMENT_NOT_OFFERED`), whether the adapter refuses the service or has no
    `amend` at all."""

    def __init__(self, agency: str, service: str) -> None:
        # ApplicationError's own initialiser: AgencyRejected's would name no type.
        ApplicationError.__init__(
            self,
            f"{agency} takes no correction online for {service}",
            type=AMENDMENT_NOT_OFFERED,
            non_retryable=True,
        )


class WithdrawalNotOffered(ApplicationError):
    """The agency offers no online withdrawal for the service: the citizen must contact the
    agency, and retrying cannot help."""

    def __init__(self, agency: str, service: str) -> None:
        super().__init__(
            f"{agency} offers no online withdrawal for {service}",
            type=WITHDRAWAL_NOT_OFFERED,
            non_retryable=True,
        )


@dataclass(frozen=True)
class AgencyPolicy:
    """How onceonly treats one agency: how long a call may take, how retries back off, and how
    hard the agency may be pressed. Each adapter declares its own (`AgencyAdapter.policy`)."""

    call_timeout: timedelta = timedelta(seconds=30)
    """One HTTP call's limit; the submission activity's own limit is above it."""
    first_retry: timedelta = timedelta(seconds=1)
    """The wait before the second attempt after the agency was unavailable."""
    backoff: float = 2.0
    """Each further wait is this many times the one before..."""
    max_retry_interval: timedelta = timedelta(minutes=5)
    """...up to this."""
    rate_limit_per_second: float | None = None
    """Calls per second to the agency across every worker (its task queue's limit); None: no
    limit beyond `max_concurrent_calls`."""
    max_concurrent_calls: int = 20
    """Calls in flight at once from one worker."""
    poll_every: timedelta = timedelta(seconds=30)
    """For pending outcomes the agency does not call back with: the first wait between status
    checks, backing off by `backoff`..."""
    max_poll_interval: timedelta = timedelta(minutes=5)
    """...up to this (or `poll_every`, if longer). Apart from `max_retry_interval`: a decision
    that takes days may be asked about hourly, while a call the agency could not take when it
    was down is tried again within minutes of its coming back."""

    def retry_delay(self, attempt: int) -> timedelta:
        """The wait after failed attempt number `attempt` (1 for the first)."""
        seconds = self.first_retry.total_seconds() * self.backoff ** max(attempt - 1, 0)
        return min(timedelta(seconds=seconds), self.max_retry_interval)


class AgencyAdapter(Protocol):
    """One agency's side of every step that names it."""

    agency: str
    policy: AgencyPolicy

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Send the disclosure for `service`; the same idempotency key never makes two records."""
        ...

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The body `submit` would send for `service`, built by the same mapping, sending
        nothing: what the citizen is shown before deciding. AgencyRejected as `submit` would."""
        ...


@runtime_checkable
class WithdrawingAdapter(Protocol):
    """An agency adapter that can also undo a submission: the compensating call when consent
    is withdrawn after the step ran. Not every agency has one, so it is a capability apart."""

    agency: str

    async def withdraw(
        self, service: str, reference: str, idempotency_key: str
    ) -> WithdrawalAnswer:
        """Withdraw (or delete) what `service` recorded under the agency's `reference`; the same
        idempotency key never makes two withdrawals. A service the agency cannot withdraw
        online raises `WithdrawalNotOffered`."""
        ...


@runtime_checkable
class StatusAdapter(Protocol):
    """An agency adapter that can say where a request stands: the outcome of one the agency
    accepted for later (a slow agency), and whether a completed one has taken effect."""

    agency: str

    async def status(self, service: str, reference: str) -> AgencyStatus:
        """What the agency says now about the request it accepted under `reference`."""
        ...


@runtime_checkable
class AmendingAdapter(Protocol):
    """An agency adapter that can take a correction to what a step sent: the same service's
    fields, corrected, for the agency's record under `reference`."""

    agency: str

    async def amend(
        self, service: str, reference: str, disclosure: Disclosure, idempotency_key: str
    ) -> AmendmentAnswer:
        """Send the corrected disclosure for the record under `reference`; the same idempotency
        key never makes two amendments."""
        ...


@runtime_checkable
class FilingAdapter(Protocol):
    """An agency adapter that takes the whole step, not only its disclosure: an agency whose
    staff work through what onceonly sends (a task in their inbox) are shown the event, step,
    legal basis and consent receipt with it. The submission activity calls `file` in place of
    `submit` when the adapter has it."""

    agency: str

    async def file(self, submission: AgencySubmission) -> AgencyAnswer:
        """Hand the step's request to the agency; the same event and step never make two."""
        ...
