"""The batch file exchange: for agencies that take a daily file instead of a call.

A step's submission to such an agency is an *item* in the agency's queue (its record already
in the agency's format, made by the adapter). Once a period ends, the exchange collects the
agency's queued items into one file for that period, with a manifest and checksum, and drops
it where the agency picks it up; the agency answers with an acknowledgement file, which the
exchange reads back and applies to each item (accepted with the agency's reference, or
rejected with its reason), then wakes each item's step as a slow agency's callback does.

The queue is kept in the shared store (`onceonly.store`), so every worker and every run of
the exchange sees the same items, files and outcomes; the directory is only the interface to
the agency. Everything here is idempotent: an item is queued once per idempotency key, sent
in one file only, and an acknowledgement (known by its checksum) applied once, so either file
delivered again changes nothing.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

ItemState = Literal["queued", "sent", "accepted", "rejected"]
"""An item's life: waiting for its period's file, in a file sent to the agency, then decided."""

AGENCY_OUTCOME_READY = "agency_outcome_ready"
"""The life event's Update that tells a step waiting on an agency its outcome is ready (the
workflow's `agency_outcome_ready` handler, as a slow agency's verified callback sends it)."""
EXPORT_BATCH = "export_batch"
IMPORT_BATCH = "import_batch"
"""The exchange's activity type names: in the exchange workflow's histories, never renamed."""
BATCH_EXCHANGE_WORKFLOW = "batch_exchange"
"""The exchange workflow's type name, which each batch agency's schedule starts."""


def batch_item_id(idempotency_key: str) -> str:
    """The item's id, the step's reference while it waits: the same for every retry of the
    submission, and naming no one (a hash of ids): `B-7Q2M9XK4T3HA`."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"B-{digest[:12].upper()}"


def step_of_key(idempotency_key: str) -> tuple[str, str]:
    """The event id and step id a submission's idempotency key names (see
    `onceonly.domain.submission.idempotency_key`: `<event_id>/<step_id>`). ValueError for a
    key of another form, which no step's submission has."""
    event_id, slash, step_id = idempotency_key.rpartition("/")
    if not slash or not event_id or not step_id:
        raise ValueError(f"idempotency key {idempotency_key!r} is not <event_id>/<step_id>")
    return event_id, step_id


def period_start(moment: datetime, period: timedelta) -> datetime:
    """The start of the period `moment` falls in: periods are whole multiples of `period`
    from the Unix epoch in UTC (a day's period starts at midnight UTC)."""
    seconds = int(period.total_seconds())
    if seconds <= 0:
        raise ValueError(f"period must be positive, not {period}")
    epoch = int(moment.astimezone(UTC).timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def period_label(start: datetime, period: timedelta) -> str:
    """A period as file names carry it: `2026-12-07` for a day (or more), else its start to
    the second, `2026-12-07T120405Z` (no colons: file systems and SFTP servers differ)."""
    start = start.astimezone(UTC)
    if period >= timedelta(days=1) and start == start.replace(hour=0, minute=0, second=0):
        return start.strftime("%Y-%m-%d")
    return start.strftime("%Y-%m-%dT%H%M%SZ")


class BatchItem(BaseModel):
    """One submission waiting in, sent in, or decided through an agency's batch file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str = Field(description="See `batch_item_id`.")
    agency: str
    service: str
    idempotency_key: str = Field(description="The submission's key; the file's reference.")
    record: dict[str, str] = Field(
        description="The line of the file, in the agency's format (personal data: the store "
        "keeps it sealed)."
    )
    queued_at: AwareDatetime
    state: ItemState = "queued"
    file_name: str | None = Field(default=None, description="The file it was sent in.")
    agency_reference: str | None = Field(
        default=None, description="On `accepted`: the agency's reference for its record."
    )
    reason: str | None = Field(default=None, description="On `rejected`: the agency's reason.")
    decided_at: AwareDatetime | None = None

    @field_validator("queued_at", "decided_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC)


class BatchFile(BaseModel):
    """One file sent to an agency: its name, the period it holds, its checksum and count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    agency: str
    period: str = Field(description="See `period_label`.")
    sha256: str
    records: int = Field(ge=0)
    created_at: AwareDatetime


class ItemOutcome(BaseModel):
    """One line of an agency's acknowledgement: what it decided about one item."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    idempotency_key: str
    outcome: Literal["accepted", "rejected"]
    agency_reference: str | None = None
    reason: str | None = None


class BatchRun(BaseModel):
    """One run of an agency's exchange: read its acknowledgements, send its ended period's
    file. `at` is when the run was due (the period that ended before it is exported)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agency: str
    at: AwareDatetime | None = Field(
        default=None, description="When the run was due; the activity's clock when None."
    )


class BatchRunReport(BaseModel):
    """What one export or import did, for logs and the operator's command (ids only)."""

    model_config = ConfigDict(frozen=True)

    agency: str
    files: list[str] = []
    items: int = 0
    woken: int = 0
    refused: list[str] = Field(default=[], description="Files refused, each with why.")


class BatchQueue(Protocol):
    """Where the items, the files sent and the acknowledgements applied are kept: the batch
    adapter queues items and reads their outcome; the exchange sends and decides them."""

    async def queue(self, item: BatchItem) -> BatchItem:
        """Keep `item` unless one with its id is kept already: the kept one."""
        ...

    async def get(self, item_id: str) -> BatchItem | None:
        """The item, whatever its state; None when there is none."""
        ...

    async def take_for_file(self, agency: str, file_name: str, before: datetime) -> list[BatchItem]:
        """Mark the agency's queued items queued before `before` as sent in `file_name` (one
        conditional write: an item goes in one file only, however many runs at once), and
        answer every item in that file, in the order they were queued."""
        ...

    async def in_file(self, file_name: str) -> list[BatchItem]:
        """The items sent in `file_name`, in the order they were queued."""
        ...

    async def unrecorded_files(self, agency: str) -> list[str]:
        """Files items were taken for that were never recorded as written (a run that
        stopped between the two): the next run writes them."""
        ...

    async def record_file(self, file: BatchFile) -> BatchFile:
        """Keep `file` unless one of its name is kept already: the kept one."""
        ...

    async def file(self, name: str) -> BatchFile | None:
        """The file sent under `name`, if any."""
        ...

    async def claim_acknowledgement(
        self, agency: str, name: str, sha256: str, records: int, at: datetime
    ) -> bool:
        """Note the acknowledgement file (by its checksum) as applied: True for the one run
        that applies it, False when it was applied before (a re-delivery)."""
        ...

    async def release_acknowledgement(self, sha256: str) -> None:
        """Forget the claim, because applying it failed: the next run applies it."""
        ...

    async def decide(self, agency: str, outcome: ItemOutcome, at: datetime) -> BatchItem | None:
        """Apply the agency's decision to its item if the item is still `sent` (one
        conditional write): the decided item; None when there is no such sent item (decided
        before, never sent, or another agency's)."""
        ...


def row_of(values: dict[str, Any]) -> dict[str, str]:
    """A record as a file line holds it: text values only, an absent one empty."""
    return {name: "" if value is None else str(value) for name, value in values.items()}
