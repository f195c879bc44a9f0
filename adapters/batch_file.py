"""The adapter kind for agencies that take a daily file instead of a call (see
onceonly.domain.batch): `submit` queues the step's record, in the agency's format, for the
period's file and answers pending; `status` reads the item's outcome once the agency's
acknowledgement was applied; `preview` is the record as the file will hold it.

Why `follow_up="callback"`: the exchange that applies an acknowledgement wakes each decided
step at once (the same Update a slow agency's signed callback sends), so no activity sits
polling for a day per step; the workflow still asks hourly in case a wake-up was lost.

An adapter of this kind is built like any other (`AdapterPlugin.build`, the shared HTTP
client, base URL and key, none of which it uses), then bound to the store's queue by
`on_queue`: the registry does so for every plugin of kind `batch_file` (adapters.registry).
Built without a queue (describing, previewing) it refuses to submit, naming why.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self

import httpx
from temporalio.exceptions import ApplicationError

from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyStatus,
    Disclosure,
    ServiceNotOffered,
)
from onceonly.domain.batch import BatchItem, BatchQueue, batch_item_id
from onceonly.domain.batch_files import BatchFormat

RecordMapping = Callable[[Disclosure], dict[str, str]]
"""A step's disclosure as one record of the agency's file (text values, by column)."""


class BatchFileAdapter:
    """An agency reached by a file per period: declare `agency`, `title`, `batch_format` and
    `services` (service name -> record mapping); `outcome_due` is when the agency promises
    its acknowledgement."""

    agency: str
    title: str
    batch_format: ClassVar[BatchFormat]
    services: ClassVar[Mapping[str, RecordMapping]]
    outcome_due: ClassVar[timedelta] = timedelta(days=2)
    # Queueing is a write to our own store: quick, and never paced for the agency's sake.
    policy = AgencyPolicy(call_timeout=timedelta(seconds=10), max_concurrent_calls=50)

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        base_url: str = "",
        api_key: str = "",
        queue: BatchQueue | None = None,
    ) -> None:
        """The `AdapterPlugin.build` signature (nothing of it is used), and the queue."""
        del http, base_url, api_key
        self._queue = queue

    def on_queue(self, queue: BatchQueue) -> Self:
        """The same adapter, queueing into `queue` (the store's)."""
        return type(self)(queue=queue)

    def record(self, service: str, disclosure: Disclosure) -> dict[str, str]:
        """The service's record of the disclosure (without our reference column)."""
        mapping = self.services.get(service)
        if mapping is None:
            raise ServiceNotOffered(self.agency, service, title=self.title)
        return mapping(disclosure)

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        """The record as the file will hold it; the file adds our reference as its first
        column (`batch_format.reference`)."""
        return dict(self.record(service, disclosure))

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        """Queue the record for the period's file (once per key) and answer pending, with
        the item's id as the step's reference."""
        queue = self._bound()
        row = {self.batch_format.reference: idempotency_key, **self.record(service, disclosure)}
        item = await queue.queue(
            BatchItem(
                item_id=batch_item_id(idempotency_key),
                agency=self.agency,
                service=service,
                idempotency_key=idempotency_key,
                record=row,
                queued_at=datetime.now(UTC),
            )
        )
        return AgencyAnswer(
            reference=item.item_id,
            pending=True,
            follow_up="callback",
            outcome_due=self.outcome_due,
        )

    async def status(self, service: str, reference: str) -> AgencyStatus:
        """Where the item stands: pending until the agency's acknowledgement was applied,
        then completed (under the agency's own reference, as the work-queue kind answers
        with staff's) or rejected (with the agency's reason)."""
        item = await self._bound().get(reference)
        if item is None or item.agency != self.agency or item.service != service:
            raise ApplicationError(
                f"{self.agency} has no batch item {reference!r} for {service}", non_retryable=True
            )
        if item.state == "accepted":
            return AgencyStatus(
                reference=item.agency_reference or reference,
                state="completed",
                message=f"{self.title} reference {item.agency_reference}",
            )
        if item.state == "rejected":
            return AgencyStatus(reference=reference, state="rejected", message=item.reason)
        return AgencyStatus(reference=reference, state="pending")

    def _bound(self) -> BatchQueue:
        if self._queue is None:
            raise ApplicationError(
                f"{self.agency} takes a batch file, and this adapter was built without the "
                "store's batch queue (adapters.registry.build_adapters(batch_queue=...))",
                non_retryable=True,
            )
        return self._queue
