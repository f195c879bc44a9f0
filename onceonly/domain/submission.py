"""The agency submission activity as workflows see it: its input, its answer and its name.

Workflow code imports this module, never `activities.submissions`, so the workflow sandbox
holds no HTTP client, logger or adapter; the worker registers the implementation there.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio import activity

# The activity type name in every history: renaming it would break replay.
SUBMIT_TO_AGENCY = "submit_to_agency"


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


class AgencyAnswer(BaseModel):
    """What an agency said to a submission it accepted."""

    model_config = ConfigDict(frozen=True)

    reference: str
    outputs: dict[str, str] = {}


def idempotency_key(event_id: str, step_id: str) -> str:
    """One key per (event, step): every retry of a step reuses it."""
    return f"{event_id}/{step_id}"


class AgencySubmissions:
    """The activity's contract, for `workflow.execute_activity_method`; the worker runs
    `activities.submissions.AgencySubmissions`, which implements it.
    """

    @activity.defn(name=SUBMIT_TO_AGENCY)
    async def submit_to_agency(self, submission: AgencySubmission) -> AgencyAnswer:
        """Send one step's disclosure to its agency and answer with what the agency said."""
        raise NotImplementedError("run by activities.submissions.AgencySubmissions")
