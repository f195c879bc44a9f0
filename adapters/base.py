"""The adapter interface every agency implements, and the errors it raises.

An adapter receives a *disclosure*: the canonical fields its step declares in the catalogue,
keyed by dotted path (`"child.name"`), with JSON values as the canonical models dump them
(`model_dump(mode="json")`). It maps them to the agency's format, calls the agency, and
answers with the agency's reference plus any canonical facts the agency issued (for example
`"child.birth_registration_number"`), which later steps may disclose in turn.
"""

from collections.abc import Mapping
from typing import Any, Protocol

from temporalio.exceptions import ApplicationError

from onceonly.domain.submission import AgencyAnswer

# AgencyAnswer is the activity's contract (workflows read it), re-exported for the adapters.
__all__ = ["AgencyAdapter", "AgencyAnswer", "AgencyRejected", "AgencyUnavailable", "Disclosure"]

Disclosure = Mapping[str, Any]


class AgencyRejected(ApplicationError):
    """The agency refused the submission as invalid: retrying the same data cannot help."""

    def __init__(self, agency: str, message: str) -> None:
        super().__init__(f"{agency} rejected the submission: {message}", non_retryable=True)


class AgencyUnavailable(ApplicationError):
    """The agency could not answer now (timeout, 5xx, 429): Temporal retries with backoff."""

    def __init__(self, agency: str, message: str) -> None:
        super().__init__(f"{agency} is unavailable: {message}")


class AgencyAdapter(Protocol):
    """One agency's side of every step that names it."""

    agency: str

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Send the disclosure for `service`; the same idempotency key never makes two records."""
        ...
