"""The activity that sends one step's disclosure to its agency through the agency's adapter."""

from collections.abc import Mapping
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.base import AgencyAdapter, AgencyAnswer

log = structlog.get_logger(__name__)


class AgencySubmission(BaseModel):
    """One step's request to its agency: exactly the declared fields, and the key that makes
    a retry of the same step land on the same agency record.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    step_id: str
    agency: str
    service: str
    idempotency_key: str
    disclosure: dict[str, Any]


def idempotency_key(event_id: str, step_id: str) -> str:
    """One key per (event, step): every retry of a step reuses it."""
    return f"{event_id}/{step_id}"


class AgencySubmissions:
    """Activities bound to the worker's adapters (one shared HTTP client)."""

    def __init__(self, adapters: Mapping[str, AgencyAdapter]) -> None:
        self._adapters = adapters

    @activity.defn(name="submit_to_agency")
    async def submit_to_agency(self, submission: AgencySubmission) -> AgencyAnswer:
        """Send the disclosure; adapter errors decide whether Temporal retries."""
        adapter = self._adapters.get(submission.agency)
        if adapter is None:
            raise ApplicationError(
                f"no adapter for agency {submission.agency!r}", non_retryable=True
            )
        # Logs carry ids and field names only, never values.
        log.info(
            "agency.submit",
            event_id=submission.event_id,
            step_id=submission.step_id,
            agency=submission.agency,
            attempt=activity.info().attempt,
            fields=sorted(submission.disclosure),
        )
        return await adapter.submit(
            submission.service, submission.disclosure, submission.idempotency_key
        )
