"""The disclosure log: which agency received which of a citizen's fields, when, and under which
consent receipt or statute, for the citizen to read (as Estonia's Data Tracker shows its
citizens who looked at their data).

Complete by construction: the agency submission activity writes the entry after the agency
accepted and before it answers the workflow, in the same activity. If the write fails, the
activity fails and Temporal retries it; the agency answers the repeated idempotency key with
its first answer, and the log keeps one entry per idempotency key, so a retry adds nothing.
Entries name fields by their canonical paths, never their values.

A member of an agency's staff viewing a task of its inbox (onceonly.domain.inbox) is logged
too, as an entry of its own with `viewed_by` naming them: the citizen reads who at which
agency looked at which fields, and when.

Where it is kept is the store's business (`onceonly.store`): the embedded SQLite file on one
machine, PostgreSQL when the workers and APIs run on several.
"""

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from onceonly.domain.catalogue import LegalBasis

FIRST_COLUMNS = (
    "idempotency_key, citizen_key, event_id, event_type, step_id, agency, service, fields,"
    " legal_basis_kind, legal_basis_reference, receipt_id, agency_reference, disclosed_at"
)
"""The columns the log had before staff views (what an older file holds)."""
COLUMNS = FIRST_COLUMNS.replace(", disclosed_at", ", viewed_by, disclosed_at")
"""The log's columns in the order `entry_row` gives and `row_entry` takes them (the time
last)."""


class DisclosureEntry(BaseModel):
    """One disclosure: the fields (never their values) one step sent one agency, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    citizen_key: str = Field(description="Pseudonymous key of the citizen whose data it was.")
    event_id: str
    event_type: str
    step_id: str
    agency: str = Field(description="The agency's id in the catalogue.")
    service: str = Field(description="The agency's service the step used.")
    fields: tuple[str, ...] = Field(description="Canonical dotted paths of the fields sent.")
    legal_basis: LegalBasis
    receipt_id: str | None = Field(
        description="The consent receipt of the decision that let the step go, if it has one."
    )
    agency_reference: str = Field(description="The agency's own reference for what it received.")
    disclosed_at: AwareDatetime = Field(description="When the agency accepted, in UTC.")
    idempotency_key: str = Field(
        description="The step's key at its agency: one entry per key (a staff view's key is "
        "its own, `view/<task id>/<uuid>`, so each view is one entry)."
    )
    viewed_by: str | None = Field(
        default=None,
        description="None: a disclosure to the agency. Set: a member of the agency's staff "
        "(their token's subject) viewed these fields in the agency's inbox.",
    )

    @field_validator("disclosed_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class DisclosureLog(Protocol):
    """Where disclosures are kept: the submission activity records, the citizen API reads."""

    async def record(self, entry: DisclosureEntry) -> bool:
        """Keep `entry`, unless one with its idempotency key is kept already (then nothing
        changes); True when it was new."""
        ...

    async def for_citizen(
        self, citizen_key: str, limit: int, event_id: str | None = None
    ) -> list[DisclosureEntry]:
        """The citizen's entries, of one event when `event_id` is given: newest first, at most
        `limit`."""
        ...


def entry_row(entry: DisclosureEntry) -> tuple[Any, ...]:
    """The entry as a row of COLUMNS (fields as a JSON list)."""
    return (
        entry.idempotency_key,
        entry.citizen_key,
        entry.event_id,
        entry.event_type,
        entry.step_id,
        entry.agency,
        entry.service,
        json.dumps(list(entry.fields)),
        entry.legal_basis.kind,
        entry.legal_basis.reference,
        entry.receipt_id,
        entry.agency_reference,
        entry.viewed_by,
        entry.disclosed_at,
    )


def row_entry(row: tuple[Any, ...]) -> DisclosureEntry:
    """The entry a row of COLUMNS holds."""
    (key, citizen, event_id, event_type, step_id, agency, service, fields, kind, reference,
     receipt_id, agency_reference, viewed_by, disclosed_at) = row  # fmt: skip
    return DisclosureEntry(
        idempotency_key=key,
        citizen_key=citizen,
        event_id=event_id,
        event_type=event_type,
        step_id=step_id,
        agency=agency,
        service=service,
        fields=tuple(json.loads(fields)),
        legal_basis=LegalBasis(kind=kind, reference=reference),
        receipt_id=receipt_id,
        agency_reference=agency_reference,
        viewed_by=viewed_by,
        disclosed_at=(
            disclosed_at
            if isinstance(disclosed_at, datetime)
            else datetime.fromisoformat(disclosed_at)
        ),
    )
