"""The adapter interface every agency implements, and the errors it raises.

An adapter receives a *disclosure*: the canonical fields its step declares in the catalogue,
keyed by dotted path (`"child.name"`), with JSON values as the canonical models dump them
(`model_dump(mode="json")`). It maps them to the agency's format, calls the agency, and
answers with the agency's reference plus any canonical facts the agency issued (for example
`"child.birth_registration_number"`), which later steps may disclose in turn.
"""

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from temporalio.exceptions import ApplicationError

from onceonly.domain.submission import WITHDRAWAL_NOT_OFFERED, AgencyAnswer, WithdrawalAnswer

# The answers are the activities' contract (workflows read them), re-exported for the adapters.
__all__ = [
    "AgencyAdapter",
    "AgencyAnswer",
    "AgencyRejected",
    "AgencyUnavailable",
    "Disclosure",
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
    """The agency could not answer now (timeout, 5xx, 429): Temporal retries with backoff."""

    def __init__(self, agency: str, message: str) -> None:
        super().__init__(f"{agency} is unavailable: {message}")


class WithdrawalNotOffered(ApplicationError):
    """The agency offers no online withdrawal for the service: the citizen must contact the
    agency, and retrying cannot help."""

    def __init__(self, agency: str, service: str) -> None:
        super().__init__(
            f"{agency} offers no online withdrawal for {service}",
            type=WITHDRAWAL_NOT_OFFERED,
            non_retryable=True,
        )


class AgencyAdapter(Protocol):
    """One agency's side of every step that names it."""

    agency: str

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
