"""The batch file exchange's two halves, as activities (see onceonly.domain.batch): export a
batch-file agency's ended period into one file in its format, and import its acknowledgements,
applying each line to its item and waking the item's step.

Directory layout, per agency, under the exchange's directory (an SFTP drop in production):
`<agency>/to-agency/` holds the files we send, each with `<file>.manifest.json`;
`<agency>/from-agency/` is where the agency puts its acknowledgements (each with a manifest),
which we move to `from-agency/done/` once applied, or to `from-agency/refused/` (beside a
`<file>.reason.txt`) when they cannot be. Every file is written to a hidden temporary name and
renamed, the manifest last, so a reader that waits for the manifest never reads half a file.

What makes it safe to run twice, or on two workers at once: the store, never the directory.
An item is taken into one file by one conditional write; a file's bytes come from its items
alone, so writing it again (a re-delivery) gives the same bytes; an acknowledgement is claimed
by its checksum before it is applied, and each item is decided only while it is `sent`.
Waking a step is best effort: the step also asks hourly (a lost wake-up costs an hour).
"""

import os
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from adapters.base import AgencyAdapter
from adapters.batch_file import BatchFileAdapter
from onceonly.domain.batch import (
    AGENCY_OUTCOME_READY,
    EXPORT_BATCH,
    IMPORT_BATCH,
    BatchFile,
    BatchItem,
    BatchQueue,
    BatchRun,
    BatchRunReport,
    ItemOutcome,
    period_label,
    period_start,
    step_of_key,
)
from onceonly.domain.batch_files import (
    MANIFEST_SUFFIX,
    BatchFileRefused,
    BatchFormat,
    Manifest,
    check_against,
    checksum,
    file_name,
    parse_manifest,
    read_acknowledgement,
    render,
)
from onceonly.domain.life_event import AgencyOutcomeReady

log = structlog.get_logger(__name__)
Wake = Callable[[BatchItem], Awaitable[bool]]
"""Tells a decided item's step that its outcome is ready; False when it could not."""


def batch_formats(adapters: Mapping[str, AgencyAdapter]) -> dict[str, BatchFormat]:
    """The batch-file agencies among `adapters`, with their files' formats."""
    return {
        agency: adapter.batch_format
        for agency, adapter in adapters.items()
        if isinstance(adapter, BatchFileAdapter)
    }


def write_atomically(path: Path, content: bytes) -> None:
    """`content` at `path`, whole or not at all: written to a hidden name, synced, renamed."""
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)


def _moved(path: Path, folder: Path) -> None:
    """Move `path` (if still there) into `folder`, replacing a file of its name there."""
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.replace(folder / path.name)


def waker(client: Client) -> Wake:
    """Wakes a decided item's step through `client`, as a slow agency's callback does."""

    async def wake(item: BatchItem) -> bool:
        event_id, step_id = step_of_key(item.idempotency_key)
        ready = AgencyOutcomeReady(step_id=step_id, agency=item.agency, reference=item.item_id)
        try:
            await client.get_workflow_handle(event_id).execute_update(AGENCY_OUTCOME_READY, ready)
        except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError) as e:
            # The step asks again within the hour; an ended event no longer waits at all.
            log.warning(
                "batch.wake_failed", event_id=event_id, step=step_id, error=type(e).__name__
            )
            return False
        return True

    return wake


class BatchExchange:
    """The exchange for the batch-file agencies whose formats it is given, over the store's
    queue and the exchange's directory, one file per `period`."""

    def __init__(
        self,
        formats: Mapping[str, BatchFormat],
        queue: BatchQueue,
        directory: Path,
        period: timedelta,
    ) -> None:
        self._formats = formats
        self._queue = queue
        self._directory = directory
        self._period = period

    @property
    def agencies(self) -> list[str]:
        """The batch-file agencies this exchange serves."""
        return sorted(self._formats)

    def to_agency(self, agency: str) -> Path:
        """Where the agency picks up our files."""
        return self._directory / agency / "to-agency"

    def from_agency(self, agency: str) -> Path:
        """Where the agency drops its acknowledgements."""
        return self._directory / agency / "from-agency"

    async def export(self, agency: str, at: datetime) -> BatchRunReport:
        """Send the agency's items queued before the period that `at` falls in, in that
        period's predecessor's file (with any file a stopped run left unwritten). A file
        already sent is not written again here: that is `redeliver`."""
        form = self._format(agency)
        written = [
            await self._write(agency, name) for name in await self._queue.unrecorded_files(agency)
        ]
        ends = period_start(at, self._period)
        name = file_name(agency, period_label(ends - self._period, self._period), form.kind)
        # A file once written is closed: an item queued late for its period (a slow write on
        # another worker) goes in the next period's file, never changing one sent.
        closed = await self._queue.file(name) is not None
        if not closed and await self._queue.take_for_file(agency, name, before=ends):
            written.append(await self._write(agency, name))
        for sent in written:
            log.info("batch.exported", agency=agency, file=sent.name, records=sent.records)
        return BatchRunReport(
            agency=agency, files=[f.name for f in written], items=sum(f.records for f in written)
        )

    async def redeliver(self, agency: str, name: str) -> BatchRunReport:
        """Write a file sent before again, byte for byte (the agency lost it)."""
        sent = await self._queue.file(name)
        if sent is None or sent.agency != agency:
            raise ApplicationError(f"{agency} was sent no file {name!r}", non_retryable=True)
        again = await self._write(agency, name)
        log.info("batch.redelivered", agency=agency, file=name, records=again.records)
        return BatchRunReport(agency=agency, files=[name], items=again.records)

    async def _write(self, agency: str, name: str) -> BatchFile:
        form = self._format(agency)
        items = await self._queue.in_file(name)
        content = render([item.record for item in items], form)
        sent = await self._queue.file(name)
        if sent is not None and sent.sha256 != checksum(content):
            raise ApplicationError(f"{name}: would differ from the file sent", non_retryable=True)
        period = name.removeprefix(f"{agency}-").removesuffix(f".{form.kind}")
        file = sent or BatchFile(
            name=name,
            agency=agency,
            period=period,
            sha256=checksum(content),
            records=len(items),
            created_at=datetime.now(UTC),
        )
        manifest = Manifest(
            agency=agency,
            file=name,
            format=form.kind,
            records=file.records,
            sha256=file.sha256,
            created_at=file.created_at,
            period=period,
        )
        folder = self.to_agency(agency)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / name, content)
        # Last: the manifest says the file is whole.
        write_atomically(folder / f"{name}{MANIFEST_SUFFIX}", manifest.model_dump_json().encode())
        return await self._queue.record_file(file)

    async def acknowledge(self, agency: str, wake: Wake) -> BatchRunReport:
        """Apply every acknowledgement the agency dropped (with its manifest), and wake each
        step decided; one seen before changes nothing, a damaged one is refused whole."""
        form = self._format(agency)
        inbox = self.from_agency(agency)
        files, refused, decided = [], [], []
        for manifest_path in sorted(inbox.glob(f"*{MANIFEST_SUFFIX}")):
            name = manifest_path.name.removesuffix(MANIFEST_SUFFIX)
            try:
                manifest, outcomes = self._read(agency, form, inbox / name, manifest_path)
            except BatchFileRefused as refusal:
                log.warning("batch.acknowledgement_refused", agency=agency, reason=str(refusal))
                self._refuse(inbox, name, str(refusal))
                refused.append(str(refusal))
                continue
            now = datetime.now(UTC)
            claimed = await self._queue.claim_acknowledgement(
                agency, name, manifest.sha256, manifest.records, now
            )
            if claimed:
                try:
                    for outcome in outcomes:
                        item = await self._queue.decide(agency, outcome, now)
                        decided += [item] if item else []
                except BaseException:
                    await self._queue.release_acknowledgement(manifest.sha256)
                    raise
                files.append(name)
            log.info("batch.acknowledgement", agency=agency, file=name, applied=claimed,
                     lines=len(outcomes))  # fmt: skip
            for path in (inbox / name, manifest_path):
                _moved(path, inbox / "done")
        woken = [await wake(item) for item in decided]
        return BatchRunReport(
            agency=agency, files=files, items=len(decided), woken=sum(woken), refused=refused
        )

    @staticmethod
    def _read(
        agency: str, form: BatchFormat, path: Path, manifest_path: Path
    ) -> tuple[Manifest, list[ItemOutcome]]:
        manifest = parse_manifest(manifest_path.read_bytes(), manifest_path.name)
        if manifest.file != path.name:
            raise BatchFileRefused(f"{manifest_path.name}: names file {manifest.file!r}")
        if not path.exists():
            raise BatchFileRefused(f"{path.name}: its manifest is here, the file is not")
        content = path.read_bytes()
        check_against(content, manifest, agency, form.kind)
        return manifest, read_acknowledgement(content, manifest, form)

    @staticmethod
    def _refuse(inbox: Path, name: str, reason: str) -> None:
        folder = inbox / "refused"
        for path in (inbox / name, inbox / f"{name}{MANIFEST_SUFFIX}"):
            _moved(path, folder)
        write_atomically(folder / f"{name}.reason.txt", f"{reason}\n".encode())

    def _format(self, agency: str) -> BatchFormat:
        form = self._formats.get(agency)
        if form is None:
            raise ApplicationError(f"{agency!r} is no batch-file agency", non_retryable=True)
        return form


class BatchExchangeActivities:
    """The exchange's activities, for the schedule's workflow on any worker."""

    def __init__(self, exchange: BatchExchange) -> None:
        self._exchange = exchange

    @activity.defn(name=EXPORT_BATCH)
    async def export_batch(self, run: BatchRun) -> BatchRunReport:
        """Send the agency's ended period's file."""
        return await self._exchange.export(run.agency, run.at or datetime.now(UTC))

    @activity.defn(name=IMPORT_BATCH)
    async def import_batch(self, run: BatchRun) -> BatchRunReport:
        """Apply the agency's acknowledgements and wake the steps decided."""
        return await self._exchange.acknowledge(run.agency, waker(activity.client()))
