"""The usage ledger: one entry per thing that happened at an agency (a request sent, accepted
or rejected, an outcome, an amendment, a withdrawal, a consent decision about its step), so
that an operator can say what each agency's services were used for and what they cost, and the
open statistics can count decisions per service (`onceonly ops report`, `/v1/statistics`).

Written by the activities and routes that already know the fact, idempotently: every entry has
a key, and a retried activity or a callback delivered twice writes nothing new. No personal
data: ids of events and steps, agencies, services, kinds, attempt numbers and times, never a
citizen's key or a field's value.

Where it is kept is the store's business (`onceonly.store`), as for the disclosure log.
"""

from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

UsageKind = Literal[
    "request",
    "accepted",
    "rejected",
    "completed",
    "failed",
    "amended",
    "amendment_manual",
    "withdrawn",
    "withdrawal_manual",
    "consent",
    "task_closed",
]
"""What happened: a request sent (one per attempt), accepted or rejected by the agency; its
outcome, completed or failed; a correction amended online or left to a person (`manual`); a
withdrawal done online or left to a person; a consent decision about the step; a task of the
agency's staff inbox other than a submission's closed by its staff (detail `<kind>/<state>`,
as `correction/completed`; a submission's task closed is the step's outcome)."""

COLUMNS = (
    "key, event_id, event_type, step_id, agency, service, kind, detail, attempt, due_seconds, at"
)
"""The ledger's columns in the order `usage_row` gives and `row_usage` takes them."""


class UsageEntry(BaseModel):
    """One thing that happened at an agency, for one step of one life event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="What makes it one fact: a second write with it is ignored.")
    event_id: str
    event_type: str
    step_id: str
    agency: str
    service: str
    kind: UsageKind
    detail: str | None = Field(
        default=None,
        description="A code, never free text: the rejection's type, the consent decision, the"
        " withdrawal's outcome.",
    )
    attempt: int = Field(default=1, ge=1, description="The activity's attempt that did it.")
    due_seconds: float | None = Field(
        default=None,
        description="On `accepted` when the outcome comes later: the time the agency's policy"
        " promises it within.",
    )
    at: AwareDatetime = Field(description="When it happened, in UTC.")

    @field_validator("at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class UsageLedger(Protocol):
    """Where usage is kept: activities and routes record, the report and statistics read."""

    async def record(self, entry: UsageEntry) -> bool:
        """Keep `entry` unless one with its key is kept already; True when it was new."""
        ...

    async def of_steps_active_between(
        self, since: datetime, until: datetime, agency: str | None = None
    ) -> list["UsageRecord"]:
        """Every entry of each step (of `agency`, if given) that has an entry at or after
        `since` and before `until`: the whole story of those steps, so that a duration that
        began before the period is still measured from its start."""
        ...


def usage_key(event_id: str, step_id: str, fact: str) -> str:
    """The key of one fact about a step: `request/3`, `accepted`, `outcome`, `withdrawal`."""
    return f"{event_id}/{step_id}/{fact}"


def usage_row(entry: UsageEntry) -> tuple[Any, ...]:
    """The entry as a row of COLUMNS."""
    return (
        entry.key,
        entry.event_id,
        entry.event_type,
        entry.step_id,
        entry.agency,
        entry.service,
        entry.kind,
        entry.detail,
        entry.attempt,
        entry.due_seconds,
        entry.at,
    )


class UsageRecord(NamedTuple):
    """An entry as the store gives it back: `UsageEntry`'s fields, not validated again (the
    store wrote it from a validated entry, and a report reads hundreds of thousands: a model
    each would take most of its time)."""

    key: str
    event_id: str
    event_type: str
    step_id: str
    agency: str
    service: str
    kind: UsageKind
    detail: str | None
    attempt: int
    due_seconds: float | None
    at: datetime


UsageFact = UsageEntry | UsageRecord
"""What the report and the statistics read: an entry, as written or as read back."""


def row_usage(row: tuple[Any, ...]) -> UsageRecord:
    """The record a row of COLUMNS holds (times as aware datetimes)."""
    at = row[-1]
    if isinstance(at, datetime):
        return UsageRecord._make(row)
    return UsageRecord._make((*row[:-1], datetime.fromisoformat(at)))


def recorded(entry: UsageEntry) -> UsageRecord:
    """The record the store gives back for `entry`."""
    return row_usage(usage_row(entry))
