"""What the agencies' staff inbox routes answer and take (onceonly.api.inbox): a task's
summary without personal data for the list, the task with its disclosure as labelled fields
and its consent receipt checked for the one staff member viewing it, and the rules of what
staff write when they close a task. Pure: the routes do the I/O.
"""

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from onceonly.domain.catalogue import CATALOGUE, LegalBasis
from onceonly.domain.inbox import InboxTask, TaskKind, TaskState
from onceonly.domain.text_rules import patterned
from onceonly.portal.text import field_words
from onceonly.receipts import InvalidReceipt, verify_receipt

AGENCY_NAMES = {agency.id: agency.name for agency in CATALOGUE.agencies}

REFERENCE_MAX = 64  # longer than any agency's record number we know, short enough to read out
REFERENCE_RULE = (
    f"1 to {REFERENCE_MAX} characters, each a letter (A-Z, a-z), a digit or one of - / ."
)
_REFERENCE = re.compile(rf"[A-Za-z0-9./-]{{1,{REFERENCE_MAX}}}")
REASON_MAX = 500  # a few sentences: the citizen may be told it, an operator reads it
REASON_RULE = (
    f"1 to {REASON_MAX} characters, not only spaces, no control characters (no line breaks)"
)
_CONTROL = r"\x00-\x1f\x7f-\x9f"  # Unicode's control characters (category Cc)
# Spaces that are not control characters, listed (Python's \s and JSON Schema's differ).
_SPACE = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_REASON_PATTERN = rf"^[^{_CONTROL}]*[^{_SPACE}{_CONTROL}][^{_CONTROL}]*$"


def _reference(value: str) -> str:
    if not _REFERENCE.fullmatch(value):
        raise ValueError(REFERENCE_RULE)
    return value


def _reason(value: str) -> str:
    if len(value) > REASON_MAX or not re.fullmatch(_REASON_PATTERN, value):
        raise ValueError(REASON_RULE)
    return value


AgencyReference = Annotated[
    str,
    AfterValidator(_reference),
    patterned(rf"^[A-Za-z0-9./-]{{1,{REFERENCE_MAX}}}$", description=REFERENCE_RULE),
]
StaffReason = Annotated[
    str,
    AfterValidator(_reason),
    patterned(_REASON_PATTERN, maxLength=REASON_MAX, description=REASON_RULE),
]


class Completion(BaseModel):
    """Staff did what the task asked: the agency's reference for it."""

    model_config = ConfigDict(extra="forbid")

    reference: AgencyReference = Field(description="The agency's own reference for what it did.")


class Rejection(BaseModel):
    """Staff cannot do what the task asks: why, in their words (the citizen may read it)."""

    model_config = ConfigDict(extra="forbid")

    reason: StaffReason


StateFilter = Literal["open", "completed", "rejected", "all"]


class TaskSummary(BaseModel):
    """A task as the agency's list shows it: ids, kinds and times, no personal data."""

    task_id: str
    kind: TaskKind
    service: str
    step_id: str
    event_type: str
    opened_at: datetime
    due_at: datetime
    overdue: bool = Field(description="Still open after its due time.")
    state: TaskState


class TaskList(BaseModel):
    """The calling staff member's agency's tasks."""

    agency: str
    tasks: list[TaskSummary]


class LabelledField(BaseModel):
    """One disclosed field: its canonical path, its label in words, and its value."""

    path: str
    label: str
    value: Any


class ReceiptVerification(BaseModel):
    """Whether the task's consent receipt is genuine: signed by this deployment's receipt key
    (the one published at /.well-known/jwks.json) and the receipt the task names."""

    verified: bool
    receipt_id: str | None = Field(description="The verified receipt's `consentReceiptID`.")
    problem: str | None = Field(description="Why it does not verify; None when it does.")


class TaskOutcome(TaskSummary):
    """A task with its outcome (all None while it is open)."""

    outcome_reference: str | None = Field(description="On `completed`: the agency's reference.")
    reason: str | None = Field(description="On `rejected`: why, in staff's words.")
    closed_by: str | None = Field(description="The staff member who closed it.")
    closed_at: AwareDatetime | None


class ClosedTask(TaskOutcome):
    """The task just closed, as closing it answers."""

    woken: bool = Field(
        description="Whether the life event took the news now. False: the close stands all "
        "the same, and the event reads the outcome at its next hourly look at the inbox."
    )


class TaskDetail(TaskOutcome):
    """The task for the staff member viewing it: what the step discloses, in labelled fields,
    and the consent receipt that let it go. Each view is written to the citizen's log."""

    agency: str
    agency_name: str
    event_id: str
    fields: list[LabelledField]
    legal_basis: LegalBasis
    receipt: str | None = Field(description="The consent receipt (compact JWS), if any.")
    receipt_verification: ReceiptVerification
    agency_reference: str | None = Field(
        description="The agency's reference of the record the task is about (a correction, "
        "withdrawal or check); None for a submission."
    )


def summary(task: InboxTask, now: datetime) -> TaskSummary:
    """The task without its disclosure."""
    return TaskSummary(**_summary_values(task, now))


def closed(task: InboxTask, now: datetime, woken: bool) -> ClosedTask:
    """The task with its outcome, without its disclosure."""
    return ClosedTask(**_summary_values(task, now), **_outcome_values(task), woken=woken)


def labelled_fields(task: InboxTask) -> list[LabelledField]:
    """The disclosure in the step's order of fields (any others after, by path), each with
    the words citizens read for it."""
    try:
        order = CATALOGUE.event(task.event_type).step(task.step_id).fields
    except KeyError:
        order = ()
    paths = [path for path in order if path in task.disclosure]
    paths += sorted(path for path in task.disclosure if path not in paths)
    return [
        LabelledField(path=path, label=field_words(path), value=task.disclosure[path])
        for path in paths
    ]


def verification(task: InboxTask, jwks: dict[str, Any]) -> ReceiptVerification:
    """The task's receipt checked against the deployment's public keys."""
    if task.receipt is None:
        problem = f"no consent receipt: the step's legal basis is {task.legal_basis_kind}"
        return ReceiptVerification(verified=False, receipt_id=None, problem=problem)
    try:
        claims = verify_receipt(task.receipt, jwks)
    except InvalidReceipt as invalid:
        return ReceiptVerification(verified=False, receipt_id=None, problem=str(invalid))
    receipt_id = claims.get("consentReceiptID")
    if task.receipt_id is not None and receipt_id != task.receipt_id:
        problem = "another receipt: its consentReceiptID is not the one the task names"
        return ReceiptVerification(verified=False, receipt_id=receipt_id, problem=problem)
    return ReceiptVerification(verified=True, receipt_id=receipt_id, problem=None)


def detail(task: InboxTask, now: datetime, jwks: dict[str, Any]) -> TaskDetail:
    """The whole task for a staff member of its agency."""
    return TaskDetail(
        **_summary_values(task, now),
        **_outcome_values(task),
        agency=task.agency,
        agency_name=AGENCY_NAMES.get(task.agency, task.agency),
        event_id=task.event_id,
        fields=labelled_fields(task),
        legal_basis=basis(task),
        receipt=task.receipt,
        receipt_verification=verification(task, jwks),
        agency_reference=task.agency_reference,
    )


def basis(task: InboxTask) -> LegalBasis:
    """The step's legal basis as the catalogue states one."""
    return LegalBasis.model_validate(
        {"kind": task.legal_basis_kind, "reference": task.legal_basis_reference or ""}
    )


def _summary_values(task: InboxTask, now: datetime) -> dict[str, Any]:
    return {
        "task_id": task.task_id,
        "kind": task.kind,
        "service": task.service,
        "step_id": task.step_id,
        "event_type": task.event_type,
        "opened_at": task.opened_at,
        "due_at": task.due_at,
        "overdue": task.overdue(now),
        "state": task.state,
    }


def _outcome_values(task: InboxTask) -> dict[str, Any]:
    return {
        "outcome_reference": task.outcome_reference,
        "reason": task.reason,
        "closed_by": task.closed_by,
        "closed_at": task.closed_at,
    }
