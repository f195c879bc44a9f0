"""`onceonly dev record-histories`: record the committed replay histories from a real stack.

The command starts its own `onceonly up` (free loopback ports, a temporary state dir, short
timings), plays each main path of a birth, a move and a death through the citizen API, the
mock agencies' fault knobs and the operators' functions, waits for each event to close, checks
it ended the way the path means, and writes its history to `<out>/<event>/<path>.json`.
Payloads are encrypted with the development key, so CI replays them without secrets; the data
is `onceonly.samples` only. The paths are in onceonly/recording_birth.py,
onceonly/recording_move.py and onceonly/recording_death.py; what they play with, in
onceonly/recorder.py.

A committed history is never overwritten: it stands for events of its time that may still be
running (the first five births predate the `birth-immunisation-register` patch), so only paths
with no history yet are recorded. After a workflow change, add a path; see CONTRIBUTING.md.
"""

import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from onceonly.codec import data_converter
from onceonly.local_stack import LocalStack, StackFailed, running
from onceonly.recorder import EventPath, Recorder, RecordingFailed
from onceonly.recording_birth import BIRTH_PATHS
from onceonly.recording_death import DEATH_PATHS
from onceonly.recording_move import MOVE_PATHS
from onceonly.replay import replay
from onceonly.settings import DEV_PAYLOAD_KEY, Settings
from onceonly.temporal import connect

# Short enough that the whole recording takes a few minutes, long enough that the API
# answers well inside each window on a slow CI machine.
RECORDING_TIMINGS = {
    # Some paths answer a checkpoint only once the steps granted first are done (to withdraw
    # or correct them): it stays open that long.
    "ONCEONLY_CONSENT_EXPIRY": "PT20S",
    "ONCEONLY_WITHDRAWAL_WINDOW": "PT1S",
    "ONCEONLY_AGENCY_GIVE_UP_AFTER": "PT3S",
    "ONCEONLY_FAILED_STEP_RETRY_WINDOW": "PT30S",
}
# One path at a time, in this order: a fault knob is a whole mock agency's, not one event's.
PATHS = (*BIRTH_PATHS, *MOVE_PATHS, *DEATH_PATHS)


def recording_stack(state_dir: Path) -> LocalStack:
    """The stack to record on: none of the caller's onceonly or Temporal settings (a recording
    must not depend on who runs it), the development payload key so that CI replays the
    histories, throwaway secrets, short timings, Health's rate limit lifted, and no worker
    metrics port."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ONCEONLY_", "TEMPORAL_"))
    }
    overrides = {
        "ONCEONLY_WORKER_METRICS_PORT": "0",
        "ONCEONLY_PAYLOAD_KEYS": DEV_PAYLOAD_KEY,
        "ONCEONLY_JWT_SECRET": secrets.token_urlsafe(32),
        "ONCEONLY_CITIZEN_KEY_SECRET": secrets.token_urlsafe(32),
        # Health's limit lifted: its calls share the workflow's queue, the others' have their
        # own, so the histories hold both kinds of call.
        "ONCEONLY_AGENCY_RATE_LIMITS": json.dumps({"health": 0}),
        **RECORDING_TIMINGS,
    }
    return LocalStack.on_free_ports(state_dir, overrides, inherit=inherited)


async def record_path(recorder: Recorder, path: EventPath, out: Path) -> tuple[Path, int]:
    """Play the path, check how it ended, and write its history (only if it replays); the
    file and its number of events."""
    event_id = await path.play(recorder)
    if path.closes:
        await recorder.wait_until_closed(event_id)
    else:
        await recorder.wait_until_idle(event_id, path.states)
    progress = await recorder.progress(event_id)
    states = {step.step_id: step.state for step in progress.steps}
    if progress.status.value != path.status or states != path.states:
        raise RecordingFailed(
            f"{path.folder}/{path.name}: ended {progress.status.value} with "
            f"{ {step: state.value for step, state in states.items()} }"
        )
    handle = recorder.client.get_workflow_handle(event_id)
    history = await handle.fetch_history()
    if not path.closes:
        await handle.terminate(reason="history recorded")
    [report] = await replay(
        {f"{path.folder}/{path.name}": history}, data_converter(DEV_PAYLOAD_KEY)
    )
    if not report.compatible:
        raise RecordingFailed(report.line())
    target = history_file(out, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(history.to_json(), encoding="utf-8")
    return target, len(history.events)


def history_file(out: Path, path: EventPath) -> Path:
    """Where the path's history goes."""
    return out / path.folder / f"{path.name}.json"


async def record_histories(settings: Settings, out: Path) -> list[tuple[Path, int]]:
    """Record every path that has no history yet on the running stack; each file written and
    its number of events."""
    recorder = Recorder(settings, await connect(settings))
    written = []
    for path in PATHS:
        if not history_file(out, path).exists():
            written.append(await record_path(recorder, path, out))
    return written


def run_record_histories(out: Path) -> int:
    """Entry point of `onceonly dev record-histories`."""
    started = time.monotonic()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="onceonly-recording-") as state_dir,
            running(recording_stack(Path(state_dir))) as stack,
        ):
            written = asyncio.run(record_histories(stack.settings, out))
    except (RecordingFailed, StackFailed) as failure:
        print(f"record-histories: {failure}", file=sys.stderr)
        return 1
    for target, events in written:
        print(f"{target}  ({events} events)")
    print(f"{len(written)} histories recorded in {time.monotonic() - started:.0f}s")
    return 0
