"""The usage ledger's entries, as the activities that know each fact make them (pure builders),
and the one way they write them: see `onceonly.usage`.

Each builder takes what the activity already holds (its input, the agency's answer, the
attempt) and keeps nothing personal: ids, codes and times.
"""

from datetime import datetime

from onceonly.domain.amendments import AgencyAmendment
from onceonly.domain.catalogue import StepSpec
from onceonly.domain.receipts import ReceiptRequest
from onceonly.domain.submission import (
    AgencyAnswer,
    AgencyStatus,
    AgencySubmission,
    AgencyWithdrawal,
    StatusCheck,
)
from onceonly.usage import UsageEntry, UsageKind, UsageLedger, usage_key


async def note(ledger: UsageLedger | None, entries: list[UsageEntry]) -> None:
    """Write `entries` (None: this activity was built without a ledger, as some tests do).
    A failed write fails the activity, whose retry writes again; the keys keep one of each."""
    if ledger is None:
        return
    for entry in entries:
        await ledger.record(entry)


def _event_type(event_id: str, given: str = "") -> str:
    # Event ids start with their type (as in `activities.submissions.event_type_of`).
    return given or event_id.split("-", 1)[0]


def _fact(
    source: AgencySubmission | StatusCheck | AgencyWithdrawal | AgencyAmendment,
    kind: UsageKind,
    key: str,
    at: datetime,
    **more: object,
) -> UsageEntry:
    given = getattr(source, "event_type", "")
    return UsageEntry.model_validate(
        {
            "key": key,
            "event_id": source.event_id,
            "event_type": _event_type(source.event_id, given),
            "step_id": source.step_id,
            "agency": source.agency,
            "service": source.service,
            "kind": kind,
            "at": at,
            **more,
        }
    )


def request_sent(
    submission: AgencySubmission, activity_id: str, attempt: int, at: datetime
) -> list[UsageEntry]:
    """One attempt at sending the step's request: each attempt of each activity (an operator's
    retry of a failed step schedules another) is a fact of its own."""
    fact = f"request/{activity_id}/{attempt}"
    key = usage_key(submission.event_id, submission.step_id, fact)
    return [_fact(submission, "request", key, at, attempt=attempt)]


def answered(
    submission: AgencySubmission, answer: AgencyAnswer, attempt: int, at: datetime
) -> list[UsageEntry]:
    """The agency accepted: and, unless it decides later, that is its outcome too."""
    event_id, step_id = submission.event_id, submission.step_id
    due = answer.outcome_due.total_seconds() if answer.pending and answer.outcome_due else None
    accepted = _fact(
        submission,
        "accepted",
        usage_key(event_id, step_id, "accepted"),
        at,
        attempt=attempt,
        due_seconds=due,
    )
    if answer.pending:
        return [accepted]
    outcome = usage_key(event_id, step_id, "outcome")
    return [accepted, _fact(submission, "completed", outcome, at, attempt=attempt)]


def rejected(
    submission: AgencySubmission, code: str, attempt: int, at: datetime
) -> list[UsageEntry]:
    """The agency refused the request; `code` is the error's type, never the agency's words
    (which may quote the citizen's data)."""
    key = usage_key(submission.event_id, submission.step_id, "rejected")
    return [_fact(submission, "rejected", key, at, attempt=attempt, detail=code)]


def outcome(
    check: StatusCheck, status: AgencyStatus, attempt: int, at: datetime
) -> list[UsageEntry]:
    """The agency's decision on a request it accepted; nothing while it is pending."""
    if status.state == "pending":
        return []
    kind: UsageKind = "completed" if status.state == "completed" else "failed"
    key = usage_key(check.event_id, check.step_id, "outcome")
    return [_fact(check, kind, key, at, attempt=attempt)]


def amendment(
    amendment: AgencyAmendment, online: bool, attempt: int, at: datetime
) -> list[UsageEntry]:
    """A correction sent to the agency online, or left for a person to make (`manual`)."""
    kind: UsageKind = "amended" if online else "amendment_manual"
    return [_fact(amendment, kind, amendment.idempotency_key, at, attempt=attempt)]


def withdrawal(
    withdrawal: AgencyWithdrawal, outcome: str | None, attempt: int, at: datetime
) -> list[UsageEntry]:
    """What the step sent withdrawn (`outcome`: withdrawn or deleted), or, with None, left
    for a person: the agency offers no withdrawal online."""
    kind: UsageKind = "withdrawn" if outcome else "withdrawal_manual"
    key = usage_key(withdrawal.event_id, withdrawal.step_id, "withdrawal")
    return [_fact(withdrawal, kind, key, at, attempt=attempt, detail=outcome)]


def consent_decision(request: ReceiptRequest, step: StepSpec) -> UsageEntry:
    """A decision at the step's checkpoint (grant, decline, withdraw, acknowledge, expire or
    correct), one per receipt; the decider's key stays out."""
    return UsageEntry(
        key=usage_key(request.event_id, request.step_id, f"consent/{request.receipt_id}"),
        event_id=request.event_id,
        event_type=request.event_type,
        step_id=request.step_id,
        agency=step.agency,
        service=step.service,
        kind="consent",
        detail=request.decision,
        at=request.decided_at,
    )
