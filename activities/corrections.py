"""The correction activities: find in the disclosure log the steps whose agency received a
corrected field, and send one agency its amendment through its adapter, logging what was
sent (an amendment is a disclosure too) before answering.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import usage
from activities.pacing import at_agency_pace
from activities.submissions import step_of_agency
from adapters.base import AgencyAdapter, AmendingAdapter, AmendmentNotOffered
from adapters.http import CONSENT_RECEIPT
from onceonly.disclosures import DisclosureEntry, DisclosureLog
from onceonly.domain import amendments as contract
from onceonly.domain.amendments import (
    AgencyAmendment,
    CorrectionRecipient,
    RecipientSearch,
)
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.corrections import recipients
from onceonly.domain.submission import AmendmentAnswer
from onceonly.usage import UsageLedger

log = structlog.get_logger(__name__)

# An event's log holds one entry per step and per amendment: a few dozen at most.
MAX_ENTRIES_PER_EVENT = 1_000


def amendment_entry(
    amendment: AgencyAmendment, step: StepSpec, answer: AmendmentAnswer, accepted_at: datetime
) -> DisclosureEntry:
    """The log's entry for an amendment the agency took: the field paths it was sent (never
    their values), the step's legal basis, the correction's receipt and the agency's reference
    of the amendment."""
    return DisclosureEntry(
        citizen_key=amendment.citizen_key,
        event_id=amendment.event_id,
        event_type=amendment.event_type,
        step_id=amendment.step_id,
        agency=amendment.agency,
        service=amendment.service,
        fields=tuple(amendment.disclosure),
        legal_basis=step.legal_basis,
        receipt_id=amendment.receipt_id,
        agency_reference=answer.reference,
        disclosed_at=accepted_at,
        idempotency_key=amendment.idempotency_key,
    )


class AgencyAmendments(contract.AgencyCorrections):
    """The correction activities, bound to the worker's adapters and the disclosure log, and
    to the usage ledger (amended online, or left to a person), when given one."""

    def __init__(
        self,
        adapters: Mapping[str, AgencyAdapter],
        disclosures: DisclosureLog,
        usage_ledger: UsageLedger | None = None,
    ) -> None:
        self._adapters = adapters
        self._disclosures = disclosures
        self._usage = usage_ledger

    @activity.defn(name=contract.FIND_CORRECTION_RECIPIENTS)
    async def find_correction_recipients(
        self, search: RecipientSearch
    ) -> tuple[CorrectionRecipient, ...]:
        """The event's steps whose agency received a corrected field, by the disclosure log."""
        entries = await self._disclosures.for_citizen(
            search.citizen_key, MAX_ENTRIES_PER_EVENT, event_id=search.event_id
        )
        found = recipients(entries, search.paths)
        log.info(
            "correction.recipients", event_id=search.event_id, steps=[r.step_id for r in found]
        )
        return found

    @activity.defn(name=contract.AMEND_AT_AGENCY)
    async def amend_at_agency(self, amendment: AgencyAmendment) -> AmendmentAnswer:
        """Send the corrected fields to the agency's record with the correction's receipt, and
        log the disclosure before answering. Adapter errors decide whether Temporal retries; an
        agency without online amendments fails at once with `AmendmentNotOffered`."""
        info = activity.info()
        with structlog.contextvars.bound_contextvars(
            workflow_id=info.workflow_id,
            step=amendment.step_id,
            agency=amendment.agency,
            attempt=info.attempt,
        ):
            adapter = self._adapters.get(amendment.agency)
            if adapter is None:
                raise ApplicationError(
                    f"no adapter for agency {amendment.agency!r}", non_retryable=True
                )
            if not isinstance(adapter, AmendingAdapter):
                await self._note_manual(amendment, info.attempt)
                raise AmendmentNotOffered(amendment.agency, amendment.service)
            step = step_of_agency(amendment.event_type, amendment.step_id, amendment.agency)
            # Logs carry ids and field names only, never values.
            log.info("agency.amend", fields=sorted(amendment.disclosure))
            receipt = CONSENT_RECEIPT.set(amendment.receipt)
            try:
                async with at_agency_pace(amendment.agency, adapter.policy):
                    answer = await adapter.amend(
                        amendment.service,
                        amendment.reference,
                        amendment.disclosure,
                        amendment.idempotency_key,
                    )
            except Exception as error:
                log.warning("agency.amendment_failed", error=type(error).__name__)
                # Some agencies amend some services online and not others.
                if isinstance(error, AmendmentNotOffered):
                    await self._note_manual(amendment, info.attempt)
                raise
            finally:
                CONSENT_RECEIPT.reset(receipt)
            # As for submissions: a failed write fails the activity, the agency answers the
            # retry's repeated key with its first answer, and the log keeps one entry per key.
            entry = amendment_entry(amendment, step, answer, datetime.now(UTC))
            new = await self._disclosures.record(entry)
            amended = usage.amendment(amendment, True, info.attempt, entry.disclosed_at)
            await usage.note(self._usage, amended)
            log.info("agency.amended", new=new)
            return answer

    async def _note_manual(self, amendment: AgencyAmendment, attempt: int) -> None:
        manual = usage.amendment(amendment, False, attempt, datetime.now(UTC))
        await usage.note(self._usage, manual)
