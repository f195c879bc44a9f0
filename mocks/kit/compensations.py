"""Compensating calls of the mock agencies: withdrawing (or deleting) what a submission made.

When a citizen withdraws consent after a step ran, onceonly asks the agency to undo what it
recorded, by the reference the agency issued in its answer. Each agency words the call its
own way (MSD a `POST .../withdrawal`, Health a FHIR-style `DELETE`, the council a
`POST .../cancellation`); the shared pipeline (mocks/kit/routes.py) runs it behind the same
faults, API key and `Idempotency-Key` gates as a submission, then the rules here: the
reference must be one the service issued (else 404), a record is withdrawn once (another key
for it is a 409), and a repeated key answers its first answer. Withdrawals are kept apart
from the submissions, so the original record stays as the agency received it and `_records`
lists both.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from mocks.kit.store import NextNumber, Record, Store

_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class MockCompensation:
    """One compensating call of a mock agency, undoing the records of one of its services."""

    method: Literal["POST", "DELETE"]
    path: str
    """The route; its one path parameter is the reference ("/x/{application_id}/withdrawal")."""
    summary: str
    reference_field: str
    """The field of the service's answer that holds the reference (`application_id`)."""
    reference_pattern: str
    """The references the service issues ("BS-[0-9]{6}"): another service's are not found."""
    issue: Callable[[str, NextNumber], dict[str, Any]]
    """The answer to a new withdrawal of the reference, in the agency's own shape (a later
    call finds that the record was withdrawn by the reference in the call itself)."""
    request_model: type[BaseModel] | None = None
    """The body the call takes, in the agency's format; None for a call that takes none."""
    success_status: int = 200

    @property
    def parameter(self) -> str:
        """The name of the path parameter that holds the reference."""
        (name,) = _PARAMETER.findall(self.path)
        return str(name)


@dataclass(frozen=True)
class Refused:
    """Why the agency will not withdraw: an HTTP status, the field at fault (if any) and the
    rule, never the reference."""

    status: int
    message: str
    field: str | None = None


def withdrawals_of(agency: str) -> str:
    """Where the store keeps the agency's withdrawals, apart from its submissions (so a
    withdrawal's idempotency key never meets a submission's)."""
    return f"{agency}.withdrawals"


async def withdraw(
    compensation: MockCompensation,
    store: Store,
    agency: str,
    *,
    reference: str,
    idempotency_key: str,
    received: dict[str, Any],
) -> Record | Refused:
    """Withdraw the record the service issued `reference` for, once per idempotency key.

    `received` is the call as the agency received it (the reference, under the path
    parameter's name, and any body): an earlier withdrawal is found by it, and a
    repeat of the key must match, as a repeated submission must.
    """
    issued = re.fullmatch(compensation.reference_pattern, reference) is not None
    found = issued and await store.record_answered(agency, compensation.reference_field, reference)
    if not found:
        return Refused(404, "the agency holds no record with that reference")
    withdrawals = withdrawals_of(agency)
    earlier = await store.record_received(withdrawals, compensation.parameter, reference)
    # Checked before recording, not in one transaction with it: two withdrawals of one record
    # under two keys at the same instant would both pass, which a mock can live with.
    if earlier is not None and earlier.idempotency_key != idempotency_key:
        return Refused(409, "the record was already withdrawn")
    record = await record_call(
        store,
        withdrawals,
        idempotency_key,
        received,
        call=compensation,
        reference=reference,
    )
    if record is None:
        return Refused(
            409, "the key was already used for a different withdrawal", "Idempotency-Key"
        )
    return record


class ReferenceCall(Protocol):
    """A call about the record a service issued a reference for: a withdrawal
    (`MockCompensation`) or an amendment (`mocks.kit.amendments.MockAmendment`)."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def success_status(self) -> int: ...
    @property
    def parameter(self) -> str: ...
    @property
    def issue(self) -> Callable[[str, NextNumber], dict[str, Any]]: ...


async def record_call(
    store: Store,
    kind: str,
    idempotency_key: str,
    received: dict[str, Any],
    *,
    call: ReferenceCall,
    reference: str,
) -> Record | None:
    """The `call` about `reference`, kept under `kind` once per idempotency key: the new
    record, the first one again for a repeat, or None when the key comes back with a
    different call."""
    record = await store.record_once(
        kind,
        idempotency_key,
        received,
        lambda next_number: (call.success_status, call.issue(reference, next_number)),
    )
    return record if record.received == received else None
