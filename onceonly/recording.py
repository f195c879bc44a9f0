"""`onceonly dev record-histories`: record the committed replay histories from a real stack.

The command starts its own `onceonly up` (free loopback ports, a temporary state dir, short
timings), plays each main path of a birth through the citizen API, the mock agencies' fault
knob and the operators' functions, waits for each event to close, checks it ended the way the
path means, and writes its history to `<out>/birth/<path>.json`. Payloads are encrypted with
the development key, so CI replays them without secrets; the data is `onceonly.samples` only.

A committed history is never overwritten: it stands for events of its time that may still be
running (the first five predate the `birth-immunisation-register` patch), so only paths with
no history yet are recorded. After a workflow change, add a path; see CONTRIBUTING.md.
"""

import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from temporalio.client import Client, WorkflowExecutionStatus

from onceonly.auth import mint_token
from onceonly.codec import data_converter
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import LifeEventProgress, StepState
from onceonly.local_stack import LocalStack, StackFailed, running
from onceonly.ops import cancel_event, retry_step
from onceonly.replay import replay
from onceonly.samples import birth_request_data
from onceonly.settings import DEV_PAYLOAD_KEY, Settings
from onceonly.temporal import connect
from workflows.steps import LifeEventWorkflow

# Short enough that the whole recording takes about a minute, long enough that the API
# answers well inside each window on a slow CI machine.
RECORDING_TIMINGS = {
    "ONCEONLY_CONSENT_EXPIRY": "PT5S",
    "ONCEONLY_WITHDRAWAL_WINDOW": "PT1S",
    "ONCEONLY_AGENCY_GIVE_UP_AFTER": "PT3S",
    "ONCEONLY_FAILED_STEP_RETRY_WINDOW": "PT30S",
}
# The dev server's first start (SQLite, namespace, search attributes) takes a few seconds.
# The slowest path (a step given up on, then retried) closes in about 10 s.
EVENT_SECONDS = 60
POLL_SECONDS = 0.25
OPERATOR = "history-recorder"


class RecordingFailed(RuntimeError):
    """The stack did not start, or an event did not end the way its path means."""


@dataclass(frozen=True)
class Recorder:
    """What a path plays with: the stack's settings and a Temporal client on it."""

    settings: Settings
    client: Client

    @contextmanager
    def citizen(self, citizen_id: str) -> Iterator[httpx.Client]:
        """The citizen API, as the given citizen."""
        token = mint_token(self.settings, citizen_id)
        with httpx.Client(
            base_url=self.settings.api_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ) as api:
            yield api

    def start_birth(self, api: httpx.Client) -> str:
        """Start the sample birth; the new event's id."""
        today = datetime.now(ZoneInfo(self.settings.timezone)).date()
        body = {"event_type": "birth", "data": birth_request_data(today)}
        return str(_ok(api.post("/v1/life-events", json=body))["id"])

    def set_ird_error_rate(self, error_rate: float) -> None:
        """Turn the mock IRD's fault knob: the share of submissions answered 503."""
        url = f"{self.settings.agency_base_url}/ird/_faults"
        knobs = {"error_rate": error_rate, "latency_ms": 0}
        _ok(httpx.put(url, json=knobs, headers=self.settings.mocks_admin_headers))

    async def progress(self, event_id: str) -> LifeEventProgress:
        """The event's state, from the workflow itself."""
        handle = self.client.get_workflow_handle(event_id)
        result: LifeEventProgress = await handle.query(LifeEventWorkflow.progress)
        return result

    async def wait_for_state(self, event_id: str, step_id: str, state: StepState) -> None:
        """Wait until the step reaches the state."""
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            steps = {step.step_id: step.state for step in (await self.progress(event_id)).steps}
            if steps[step_id] is state:
                return
            await asyncio.sleep(POLL_SECONDS)
        raise RecordingFailed(f"{event_id}: {step_id} did not become {state.value}")

    async def wait_until_closed(self, event_id: str) -> None:
        """Wait until the workflow has closed, so that its history is whole."""
        handle = self.client.get_workflow_handle(event_id)
        deadline = time.monotonic() + EVENT_SECONDS
        while (await handle.describe()).status is WorkflowExecutionStatus.RUNNING:
            if time.monotonic() > deadline:
                raise RecordingFailed(f"{event_id}: did not close in {EVENT_SECONDS}s")
            await asyncio.sleep(POLL_SECONDS)


def _ok(response: httpx.Response) -> dict[str, object]:
    if response.is_error:
        raise RecordingFailed(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text}"
        )
    body: dict[str, object] = response.json()
    return body


def _decisions(**decisions: str) -> dict[str, object]:
    """A consent body: the named decisions, and a grant for every other birth step."""
    return {
        "decisions": [
            {"step_id": step.id, "decision": decisions.get(step.id, "grant")}
            for step in BIRTH.steps
        ]
    }


async def _all_granted(recorder: Recorder) -> str:
    with recorder.citizen("recorded-all-granted") as api:
        event_id = recorder.start_birth(api)
        _ok(api.post(f"/v1/life-events/{event_id}/consents", json=_decisions()))
    return event_id


async def _decline_skips_dependant(recorder: Recorder) -> str:
    with recorder.citizen("recorded-decline") as api:
        event_id = recorder.start_birth(api)
        body = _decisions(child_ird_number="decline")
        _ok(api.post(f"/v1/life-events/{event_id}/consents", json=body))
    return event_id


async def _expiry(recorder: Recorder) -> str:
    # Every step but the first is granted: they wait for it, and are skipped when it expires.
    with recorder.citizen("recorded-expiry") as api:
        event_id = recorder.start_birth(api)
        body = {
            "decisions": [
                {"step_id": step.id, "decision": "grant"}
                for step in BIRTH.steps
                if step.id != "register_birth"
            ]
        }
        _ok(api.post(f"/v1/life-events/{event_id}/consents", json=body))
    return event_id


async def _failed_step_retried_by_operator(recorder: Recorder) -> str:
    recorder.set_ird_error_rate(1.0)
    try:
        with recorder.citizen("recorded-failed-step") as api:
            event_id = recorder.start_birth(api)
            _ok(api.post(f"/v1/life-events/{event_id}/consents", json=_decisions()))
        await recorder.wait_for_state(event_id, "child_ird_number", StepState.FAILED)
    finally:
        recorder.set_ird_error_rate(0.0)
    await retry_step(recorder.client, event_id, "child_ird_number")
    return event_id


async def _cancelled(recorder: Recorder) -> str:
    with recorder.citizen("recorded-cancelled") as api:
        event_id = recorder.start_birth(api)
    await cancel_event(recorder.client, event_id, OPERATOR, "duplicate of another event")
    return event_id


@dataclass(frozen=True)
class BirthPath:
    """One main path of a birth: how to play it, and how it must end."""

    name: str
    """The history's file name, without `.json`."""
    play: Callable[[Recorder], Awaitable[str]]
    """Plays the path on the stack; answers with the event id."""
    status: str
    """The event's final status."""
    states: dict[str, StepState]
    """Each step's final state."""


_STEPS = tuple(step.id for step in BIRTH.steps)
_DONE = StepState.COMPLETED
PATHS = (
    BirthPath(
        "all-granted",
        _all_granted,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
    ),
    BirthPath(
        "decline-skips-dependant",
        _decline_skips_dependant,
        "partially_completed",
        {
            "register_birth": _DONE,
            "child_ird_number": StepState.DECLINED,
            "best_start": StepState.SKIPPED,
            "health_enrolment": _DONE,
            "immunisation_register": _DONE,
        },
    ),
    BirthPath(
        "expiry",
        _expiry,
        "partially_completed",
        {
            "register_birth": StepState.EXPIRED,
            "child_ird_number": StepState.SKIPPED,
            "best_start": StepState.SKIPPED,
            "health_enrolment": StepState.SKIPPED,
            "immunisation_register": StepState.SKIPPED,
        },
    ),
    BirthPath(
        "failed-step-retried-by-operator",
        _failed_step_retried_by_operator,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
    ),
    BirthPath(
        "cancelled",
        _cancelled,
        "cancelled",
        dict.fromkeys(_STEPS, StepState.AWAITING_CONSENT),
    ),
    # Recorded after the immunisation register joined the birth behind its patch.
    BirthPath(
        "all-granted-with-immunisation",
        _all_granted,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
    ),
)


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


async def record_path(recorder: Recorder, path: BirthPath, out: Path) -> tuple[Path, int]:
    """Play the path, check how it ended, and write its history (only if it replays); the
    file and its number of events."""
    event_id = await path.play(recorder)
    await recorder.wait_until_closed(event_id)
    progress = await recorder.progress(event_id)
    states = {step.step_id: step.state for step in progress.steps}
    if progress.status.value != path.status or states != path.states:
        raise RecordingFailed(
            f"{path.name}: ended {progress.status.value} with "
            f"{ {step: state.value for step, state in states.items()} }"
        )
    history = await recorder.client.get_workflow_handle(event_id).fetch_history()
    [report] = await replay({path.name: history}, data_converter(DEV_PAYLOAD_KEY))
    if not report.compatible:
        raise RecordingFailed(report.line())
    target = history_file(out, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(history.to_json(), encoding="utf-8")
    return target, len(history.events)


def history_file(out: Path, path: BirthPath) -> Path:
    """Where the path's history goes."""
    return out / "birth" / f"{path.name}.json"


async def record_histories(settings: Settings, out: Path) -> list[tuple[Path, int]]:
    """Record every path that has no history yet on the running stack; each file written and
    its number of events."""
    recorder = Recorder(settings, await connect(settings))
    written = []
    # One path at a time: the fault knob is the whole mock IRD's, not one event's.
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
