"""The activities that preview steps' disclosures in their agencies' formats, sending nothing:
one step's, or every step's of an event at once."""

import asyncio
from collections.abc import Mapping
from typing import Any

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.base import AgencyAdapter, AgencyRejected
from onceonly.domain import preview as contract
from onceonly.domain.preview import PREVIEW_UNAVAILABLE, Preview, PreviewRequest, pending_fields

log = structlog.get_logger(__name__)


def refused_preview(
    step_id: str,
    pending: tuple[str, ...],
    refusal: AgencyRejected,
    disclosed: Mapping[str, Any] | None = None,
) -> Preview:
    """The preview of a disclosure the agency's mapping refused.

    With facts pending, the refusal is put down to them: a rule that checks an issued fact (an
    IRD number's check digit, say) cannot pass its placeholder, and the real fact is checked
    when the step is sent. Without, the agency would refuse the disclosure as it stands.
    """
    if pending:
        return Preview(step_id=step_id, body=None, pending=pending, disclosed=disclosed)
    # Adapters word refusals by field and rule, never by value: safe to show and to record.
    return Preview(step_id=step_id, body=None, problem=refusal.message, disclosed=disclosed)


class AgencyPreviews(contract.AgencyPreviews):
    """The preview activity, bound to the worker's adapters (the same ones that submit)."""

    def __init__(self, adapters: Mapping[str, AgencyAdapter]) -> None:
        self._adapters = adapters

    @activity.defn(name=contract.PREVIEW_DISCLOSURE)
    async def preview_disclosure(self, request: PreviewRequest) -> Preview:
        """The body the step's adapter would send, by the mapping its submission uses; facts
        still to be issued are listed as pending, and a refused mapping is an answer, not an
        error, so that the checkpoint can always show the citizen something.
        """
        adapter = self._adapters.get(request.agency)
        if adapter is None:
            raise ApplicationError(f"no adapter for agency {request.agency!r}", non_retryable=True)
        pending = pending_fields(request.disclosure)
        # Logs carry ids and field names only, never values. Debug: every event previews
        # every step as it starts, and nothing is sent.
        log.debug(
            "agency.preview",
            event_id=request.event_id,
            step=request.step_id,
            agency=request.agency,
            pending=list(pending),
        )
        try:
            body = await adapter.preview(request.service, request.disclosure)
        except AgencyRejected as refusal:
            log.info("agency.preview_refused", step=request.step_id, pending=bool(pending))
            return refused_preview(request.step_id, pending, refusal, request.disclosure)
        return Preview(
            step_id=request.step_id, body=body, pending=pending, disclosed=request.disclosure
        )

    @activity.defn(name=contract.PREVIEW_DISCLOSURES)
    async def preview_disclosures(self, requests: list[PreviewRequest]) -> list[Preview]:
        """Every step's preview of one event, in the requests' order: one local activity (one
        history event) for them all. A preview that cannot be built says so, and the others
        still show."""
        return list(await asyncio.gather(*(self._preview_or_unavailable(r) for r in requests)))

    async def _preview_or_unavailable(self, request: PreviewRequest) -> Preview:
        try:
            return await self.preview_disclosure(request)
        except Exception as error:
            # The error's type only: a message (a pydantic one, say) can quote the data.
            log.warning(
                "agency.preview_failed",
                event_id=request.event_id,
                step=request.step_id,
                error=type(error).__name__,
            )
            return Preview(step_id=request.step_id, body=None, problem=PREVIEW_UNAVAILABLE)
