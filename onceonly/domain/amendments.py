"""The correction activities as workflows see them: their names, inputs and answers, and the
keys that make a retried amendment land on one amendment at the agency.

Pure: workflow code imports this module, never `activities.corrections`, which reads the
disclosure log and calls the agencies' adapters.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity

from onceonly.domain.submission import AmendmentAnswer

# Activity type names in every history: renaming one would break replay.
FIND_CORRECTION_RECIPIENTS = "find_correction_recipients"
AMEND_AT_AGENCY = "amend_at_agency"
AMENDMENT_NOT_OFFERED = "AmendmentNotOffered"
"""The `ApplicationError` type when an agency takes no correction online: an operator must ask
it, and retrying cannot help."""


class Model(BaseModel):
    """Base of the messages here: immutable and strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class RecipientSearch(Model):
    """The disclosure-log question: which steps of the event sent any of these fields."""

    event_id: str
    citizen_key: str
    paths: tuple[str, ...]


class CorrectionRecipient(Model):
    """A step whose agency received a corrected field, and the agency's record of it."""

    step_id: str
    agency: str
    service: str
    reference: str = Field(description="The agency's reference of the submission to amend.")


class AgencyAmendment(Model):
    """One step's amendment: the step's fields, corrected, for the agency's record."""

    event_id: str
    event_type: str
    citizen_key: str
    step_id: str
    agency: str
    service: str
    reference: str
    idempotency_key: str = Field(description="One per (event, step, correction).")
    disclosure: dict[str, Any]
    receipt_id: str
    receipt: str = Field(description="The correction's signed receipt (compact JWS).")


def correction_idempotency_key(event_id: str, step_id: str, number: int) -> str:
    """One key per (event, step, correction), apart from the submission's and withdrawal's."""
    return f"{event_id}/{step_id}/correction-{number}"


def is_correction_key(key: str) -> bool:
    """Whether a disclosure-log key is an amendment's (see `correction_idempotency_key`)."""
    return "/correction-" in key


class AgencyCorrections:
    """The activities' contract, for `workflow.execute_activity_method`; the worker runs
    `activities.corrections.AgencyAmendments`, which implements it."""

    @activity.defn(name=FIND_CORRECTION_RECIPIENTS)
    async def find_correction_recipients(
        self, search: RecipientSearch
    ) -> tuple[CorrectionRecipient, ...]:
        """The event's steps whose agency received a corrected field, from the disclosure log."""
        raise NotImplementedError("run by activities.corrections.AgencyAmendments")

    @activity.defn(name=AMEND_AT_AGENCY)
    async def amend_at_agency(self, amendment: AgencyAmendment) -> AmendmentAnswer:
        """Send the corrected fields to the agency's record; fails with the type
        `AMENDMENT_NOT_OFFERED` (not retried) where the agency takes no correction online."""
        raise NotImplementedError("run by activities.corrections.AgencyAmendments")
