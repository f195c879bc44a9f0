"""`onceonly replay`: do recorded histories still replay against the local workflow code?

A history comes from a JSON file (`onceonly ops history`, the Web UI, `temporal workflow show
--output json`) or is fetched by event id from the configured Temporal server. Each is replayed
with the project's data converter against `onceonly.temporal.WORKFLOWS` and reported as
compatible, or not with the SDK's account of the non-determinism. The exit code is 0 only when
every history is compatible, so the command can gate a deployment.
"""

import argparse
import asyncio
import re
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.json_format import ParseError
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Replayer

from onceonly.codec import data_converter
from onceonly.logs import configure_logging
from onceonly.settings import get_settings
from onceonly.temporal import WORKFLOWS, connect, sdk_runtime
from workflows.sandbox import workflow_runner

# The core wraps its reason in a Rust debug string: `Failure { message: "...", source: ...`.
_CORE_MESSAGE = re.compile(r'message: "(?P<message>(?:[^"\\]|\\.)*)"')
# ... and names the history event it could not match as `HistoryEvent(id: 5, TimerStarted)`.
_HISTORY_EVENT = re.compile(r"HistoryEvent\(id: (?P<id>\d+), (?P<type>\w+)")


class ReplayError(RuntimeError):
    """A history that cannot be loaded or fetched; the message says which and why."""


@dataclass(frozen=True)
class ReplayReport:
    """The verdict on one history: compatible, or the non-determinism that breaks it."""

    history: str
    """The history's name: its file, or the event id it was fetched by."""
    failure: str | None = None
    """The SDK's reason the replay failed; None when the history is compatible."""
    event_id: int | None = None
    """The history event the code no longer matches, when the SDK names it."""
    event_type: str | None = None
    """That event's type, as the SDK names it (`TimerStarted`, ...)."""

    @property
    def compatible(self) -> bool:
        """True when the current code replays the history to the same commands."""
        return self.failure is None

    def line(self) -> str:
        """One line for people: `NAME: compatible` or `NAME: NOT compatible: ...`."""
        if self.failure is None:
            return f"{self.history}: compatible"
        at = f" (at event {self.event_id}, {self.event_type})" if self.event_id else ""
        return f"{self.history}: NOT compatible{at}: {self.failure}"


def report_failure(history: str, failure: Exception) -> ReplayReport:
    """The report for a failed replay: the core's own message when it wraps one (the rest is
    Rust debug noise), and the history event it names, if any."""
    text = str(failure)
    found = _CORE_MESSAGE.search(text)
    reason = found.group("message").replace('\\"', '"') if found else text
    event = _HISTORY_EVENT.search(reason)
    if event is None:
        return ReplayReport(history, reason)
    return ReplayReport(history, reason, int(event.group("id")), event.group("type"))


def load_history(path: Path) -> WorkflowHistory:
    """A history from a JSON file, named by the file's stem (it stands in for the workflow id,
    which an exported history does not hold)."""
    try:
        return WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReplayError(f"{path}: cannot read: {error.strerror or error}") from None
    except (ValueError, ParseError) as error:
        raise ReplayError(f"{path}: not a workflow history in JSON: {error}") from None


async def replay(
    histories: dict[str, WorkflowHistory],
    converter: DataConverter,
    workflows: Sequence[type] | None = None,
    runtime: Runtime | None = None,
) -> list[ReplayReport]:
    """Replay each named history against the workflows (the project's, `WORKFLOWS`, unless
    given others), on the SDK's default runtime unless given one; one report per history, in
    the order given."""

    async def each() -> AsyncIterator[WorkflowHistory]:
        for history in histories.values():
            yield history

    replayer = Replayer(
        workflows=workflows or WORKFLOWS,
        data_converter=converter,
        runtime=runtime,
        workflow_runner=workflow_runner(),
    )
    results = await replayer.replay_workflows(each(), raise_on_replay_failure=False)
    # The SDK keys failures by run id; a history's name is ours.
    reports = []
    for name, history in histories.items():
        failure = results.replay_failures.get(history.run_id)
        reports.append(ReplayReport(name) if failure is None else report_failure(name, failure))
    return reports


async def _fetch(event_ids: Sequence[str]) -> dict[str, WorkflowHistory]:
    client = await connect(get_settings())
    histories = {}
    for event_id in event_ids:
        try:
            histories[event_id] = await client.get_workflow_handle(event_id).fetch_history()
        except RPCError as error:
            if error.status is RPCStatusCode.NOT_FOUND:
                raise ReplayError(f"{event_id}: no such event on this server") from None
            raise
    return histories


async def _run(files: Sequence[Path], event_ids: Sequence[str]) -> list[ReplayReport]:
    histories = {str(path): load_history(path) for path in files}
    histories.update(await _fetch(event_ids) if event_ids else {})
    # The core's own log lines, on a failed replay, come out as the project's JSON on stderr.
    converter = data_converter(get_settings().payload_keys)
    return await replay(histories, converter, runtime=sdk_runtime())


def run_replay(args: argparse.Namespace) -> int:
    """Entry point of `onceonly replay`: 0 when every history is compatible, 1 when one is
    not, 2 when a history cannot be had."""
    configure_logging()
    if not args.files and not args.event_ids:
        print("replay: give history files, --event-id, or both", file=sys.stderr)
        return 2
    try:
        reports = asyncio.run(_run(args.files, args.event_ids))
    except ReplayError as error:
        print(f"replay: {error}", file=sys.stderr)
        return 2
    for report in reports:
        print(report.line())
    return 0 if all(report.compatible for report in reports) else 1


def add_replay_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The `replay` command."""
    command = commands.add_parser(
        "replay",
        help="replay histories against the local workflow code (a deployment gate)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("files", nargs="*", type=Path, metavar="FILE", help="a history in JSON")
    command.add_argument(
        "--event-id",
        dest="event_ids",
        action="append",
        default=[],
        metavar="ID",
        help="fetch this event's history from TEMPORAL_ADDRESS (repeatable)",
    )
    command.set_defaults(run=run_replay)
