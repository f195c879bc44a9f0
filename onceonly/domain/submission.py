"""The agency submission activity as workflows see it: its input, its answer and its name.

Workflow code imports this module, never `activities.submissions`, so the workflow sandbox
holds no HTTP client, logger or adapter; the worker registers the implementation there.
"""

from collections.abc import Collection
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from temporalio import activity

# The activity type name in every history: renaming it would break replay.
SUBMIT_TO_AGENCY = "submit_to_agency"
# The compensating activity's type name, fixed for the same reason.
WITHDRAW_FROM_AGENCY = "withdraw_from_agency"
# The status activities' type names: asking once (a callback's wake-up, proof of effect), and
# asking with backoff until the agency decides (a slow agency without callbacks).
CHECK_AGENCY_STATUS = "check_agency_status"
AWAIT_AGENCY_OUTCOME = "await_agency_outcome"
WITHDRAWAL_NOT_OFFERED = "WithdrawalNotOffered"
"""The `ApplicationError` type when an agency offers no online withdrawal for a service:
retrying cannot help, only the citizen contacting the agency can."""
STATUS_NOT_OFFERED = "StatusNotOffered"
"""The `ApplicationError` type when an agency's adapter cannot say where a request stands (no
status endpoint): proof of effect then asks its staff."""


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
    # For the disclosure log. Defaults, so that submissions in histories from before the log
    # still decode; the activity fills the gaps it can (see activities.submissions).
    citizen_key: str = Field(default="", description="Whose data it is (pseudonymous key).")
    event_type: str = Field(default="", description="The life event's type, as in `birth`.")
    receipt_id: str | None = Field(
        default=None,
        description="The `consentReceiptID` of the decision that let the step go, if any.",
    )
    # A default, so that submissions in histories from before signed receipts still decode.
    receipt: str | None = Field(
        default=None,
        description="The signed consent receipt (compact JWS) of the decision that let the step"
        " go, which the agency receives as the `Consent-Receipt` header.",
    )


class AgencyAnswer(BaseModel):
    """What an agency said to a submission it accepted: done, or accepted for an outcome that
    comes later (a slow agency), by its signed callback or by asking its status."""

    model_config = ConfigDict(frozen=True)

    reference: str
    outputs: dict[str, str] = {}
    # Defaults, so that answers in histories from before slow agencies still decode.
    pending: bool = Field(
        default=False,
        description="The agency accepted the request but decides later; `outputs` come then.",
    )
    follow_up: Literal["callback", "poll"] | None = Field(
        default=None,
        description="How a pending outcome arrives: the agency calls back (signed), or onceonly"
        " asks its status endpoint with backoff.",
    )
    outcome_due: timedelta | None = Field(
        default=None,
        description="How long a pending outcome normally takes at most: after that operators"
        " are alerted, while the step keeps waiting.",
    )


class AgencyStatus(BaseModel):
    """What an agency says now about a request it accepted: still pending, completed (with the
    facts it issued) or rejected after review; and whether the change has taken effect."""

    model_config = ConfigDict(frozen=True)

    reference: str
    state: Literal["pending", "completed", "rejected"]
    outputs: dict[str, str] = {}
    effect: Literal["unknown", "in_effect", "not_in_effect"] = Field(
        default="unknown",
        description="Whether the change the request asked for is in force at the agency (the"
        " payments stopped, the address changed): what proof of effect checks.",
    )
    message: str | None = Field(default=None, description="The agency's words, if any.")


class AmendmentAnswer(BaseModel):
    """What an agency said when it took a correction to a submission it had accepted."""

    model_config = ConfigDict(frozen=True)

    reference: str = Field(description="The agency's reference of the amendment itself.")


class AgencyWithdrawal(BaseModel):
    """A step's compensating call: ask its agency to withdraw (or delete) what the step sent,
    by the reference the agency gave, under a key that makes a retry land on one withdrawal.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    step_id: str
    agency: str
    service: str
    reference: str = Field(description="The agency's reference in its answer to the submission.")
    idempotency_key: str = Field(
        description="One per (event, step): see `withdrawal_idempotency_key`."
    )


class WithdrawalAnswer(BaseModel):
    """What an agency said when it undid a submission it had accepted."""

    model_config = ConfigDict(frozen=True)

    reference: str = Field(description="The agency's reference of the withdrawal itself.")
    outcome: Literal["withdrawn", "deleted"] = Field(
        description="`withdrawn`: the application or request no longer stands (the agency may"
        " keep it as history); `deleted`: the agency erased the record."
    )


class StatusCheck(BaseModel):
    """A question to a step's agency about the request it accepted under `reference`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    step_id: str
    agency: str
    service: str
    reference: str
    follow_up: Literal["callback", "poll"] | None = Field(
        default=None,
        description="For a pending outcome, how it arrives: `poll`, asked at the agency's own"
        " pace by a waiting activity; `callback`, asked once the agency's callback says so (and"
        " hourly by the workflow, in case one is lost).",
    )


def agency_task_queue(task_queue: str, agency: str) -> str:
    """The task queue of one agency's calls: each agency has its own, so its outage or rate
    limit holds up only its own steps."""
    return f"{task_queue}.agency.{agency}"


def agency_call_queue(
    task_queue: str, agency: str, own_queue_agencies: Collection[str] | None
) -> str:
    """Where a workflow on `task_queue` sends the agency's calls. An agency named in
    `own_queue_agencies` has its own queue, behind its rate limit; any other (its limit
    lifted) shares the workflow's, where the worker that schedules a call is handed it at
    once (eager dispatch), with no trip through the server's matching. None, for events
    started before their starter named them: every agency has its own."""
    if own_queue_agencies is None or agency in own_queue_agencies:
        return agency_task_queue(task_queue, agency)
    return task_queue


def agency_waits_queue(task_queue: str) -> str:
    """The task queue of the long waits for slow agencies' outcomes: apart from the agencies'
    own, so that waiting for one decision never takes a slot a submission needs."""
    return f"{task_queue}.agency-waits"


def idempotency_key(event_id: str, step_id: str) -> str:
    """One key per (event, step): every retry of a step reuses it."""
    return f"{event_id}/{step_id}"


def withdrawal_idempotency_key(event_id: str, step_id: str) -> str:
    """One key per (event, step) for its withdrawal, apart from the submission's key: an agency
    may hold both under one key space, where reusing a key for another request is a conflict.
    """
    return f"{event_id}/{step_id}/withdrawal"


class AgencySubmissions:
    """The activity's contract, for `workflow.execute_activity_method`; the worker runs
    `activities.submissions.AgencySubmissions`, which implements it.
    """

    @activity.defn(name=SUBMIT_TO_AGENCY)
    async def submit_to_agency(self, submission: AgencySubmission) -> AgencyAnswer:
        """Send one step's disclosure to its agency and answer with what the agency said."""
        raise NotImplementedError("run by activities.submissions.AgencySubmissions")

    @activity.defn(name=WITHDRAW_FROM_AGENCY)
    async def withdraw_from_agency(self, withdrawal: AgencyWithdrawal) -> WithdrawalAnswer:
        """Ask the step's agency to withdraw what the step sent; fails with the type
        `WITHDRAWAL_NOT_OFFERED` (not retried) where the agency has no online withdrawal."""
        raise NotImplementedError("run by activities.submissions.AgencySubmissions")


class AgencyStatusChecks:
    """The status activities' contract; the worker runs `activities.status.AgencyStatusChecks`."""

    @activity.defn(name=CHECK_AGENCY_STATUS)
    async def check_agency_status(self, check: StatusCheck) -> AgencyStatus:
        """Ask the agency once where the request stands."""
        raise NotImplementedError("run by activities.status.AgencyStatusChecks")

    @activity.defn(name=AWAIT_AGENCY_OUTCOME)
    async def await_agency_outcome(self, check: StatusCheck) -> AgencyStatus:
        """Ask the agency with backoff, heartbeating, until it has decided."""
        raise NotImplementedError("run by activities.status.AgencyStatusChecks")
