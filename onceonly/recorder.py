"""What a recorded path plays with (`Recorder`: the citizen API, the mock agencies' fault
knobs, the workflow's own state) and what it must come to (`EventPath`), for
`onceonly dev record-histories` (onceonly/recording.py) and the paths of each life event
(onceonly/recording_birth.py, onceonly/recording_move_death.py).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from temporalio.client import Client, WorkflowExecutionStatus

from onceonly.auth import mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.inbox import INBOX_TASK_CLOSED, InboxTaskClosed
from onceonly.domain.life_event import LifeEventProgress, StepState
from onceonly.settings import Settings
from onceonly.store import opened_store
from workflows.steps import LifeEventWorkflow

# The dev server's first start (SQLite, namespace, search attributes) takes a few seconds.
# The slowest path (an expiry of the move's or death's checkpoints) closes in about 25 s.
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

    def today(self) -> date:
        """Today where the stack is (the sample data's dates are counted from it)."""
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    def start(self, api: httpx.Client, event_type: str, data: dict[str, Any]) -> str:
        """Start an event of the type with the data; the new event's id."""
        body = {"event_type": event_type, "data": data}
        return str(ok(api.post("/v1/life-events", json=body))["id"])

    def decide(
        self,
        api: httpx.Client,
        event_id: str,
        *,
        decline: Iterable[str] = (),
        leave: Iterable[str] = (),
    ) -> None:
        """Answer every open checkpoint in one request: decline those named, leave those named
        open, grant (or acknowledge) the rest."""
        declined, left = set(decline), set(leave)
        event = ok(api.get(f"/v1/life-events/{event_id}"))
        decisions = [
            {"step_id": step["id"], "decision": "decline" if step["id"] in declined else "grant"}
            for step in event["steps"]
            if step["state"] == StepState.AWAITING_CONSENT.value and step["id"] not in left
        ]
        if not decisions:
            states = {step["id"]: step["state"] for step in event["steps"]}
            raise RecordingFailed(f"{event_id}: no checkpoint to answer: {states}")
        ok(api.post(f"/v1/life-events/{event_id}/consents", json={"decisions": decisions}))

    def withdraw(self, api: httpx.Client, event_id: str, step_id: str) -> None:
        """Withdraw the consent given at the step."""
        ok(api.delete(f"/v1/life-events/{event_id}/consents/{step_id}"))

    def correct(
        self, api: httpx.Client, event_id: str, corrections: Mapping[str, object], reason: str
    ) -> None:
        """Correct fields (dotted path -> right value); see `wait_until_corrected`."""
        body = {
            "corrections": [{"path": path, "value": value} for path, value in corrections.items()],
            "reason": reason,
        }
        ok(api.post(f"/v1/life-events/{event_id}/corrections", json=body))

    async def wait_until_corrected(self, event_id: str) -> None:
        """Wait until every agency that holds a corrected field has answered, completing the
        tasks the correction opened in staff inboxes as their staff would."""
        handle = self.client.get_workflow_handle(event_id)
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            corrections = await handle.query(LifeEventWorkflow.corrections)
            if all(correction.state == "done" for correction in corrections):
                return
            await self.complete_staff_tasks(event_id)
            await asyncio.sleep(POLL_SECONDS)
        raise RecordingFailed(f"{event_id}: the correction was not done in {EVENT_SECONDS}s")

    async def complete_staff_tasks(self, event_id: str) -> None:
        """Complete the event's open tasks in the agencies' staff inboxes, as staff do through
        the inbox API: in the store, then the event's `inbox_task_closed` Update. Call it
        again for tasks opened since."""
        handle = self.client.get_workflow_handle(event_id)
        # Only tasks the event knows it opened (their id in a note): one in the store whose
        # opening the event has not recorded yet would refuse the Update.
        progress = await self.progress(event_id)
        told = [a for correction in progress.corrections for a in correction.agencies]
        notes = [step.note or "" for step in progress.steps] + [a.note or "" for a in told]
        agencies = sorted({step.agency for event in CATALOGUE.life_events for step in event.steps})
        async with opened_store(self.settings) as store:
            for agency in agencies:
                for task in await store.inbox.for_agency(agency):
                    if task.event_id != event_id or not any(task.task_id in n for n in notes):
                        continue
                    await store.inbox.close(
                        task.task_id,
                        agency,
                        "completed",
                        by=OPERATOR,
                        at=datetime.now(UTC),
                        reference=f"STAFF-{task.step_id}",
                    )
                    closed = InboxTaskClosed(
                        task_id=task.task_id, step_id=task.step_id, kind=task.kind
                    )
                    await handle.execute_update(INBOX_TASK_CLOSED, closed)

    def set_faults(self, agency: str, **knobs: object) -> None:
        """Turn some of a mock agency's fault knobs (see mocks/faults.py), keeping the rest."""
        url = f"{self.settings.agency_base_url}/{agency}/_faults"
        headers = self.settings.mocks_admin_headers
        current = ok(httpx.get(url, headers=headers))
        ok(httpx.put(url, json={**current, **knobs}, headers=headers))

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

    async def wait_until_done(self, event_id: str, step_ids: Iterable[str]) -> None:
        """Wait until each of the steps has completed."""
        for step_id in step_ids:
            await self.wait_for_state(event_id, step_id, StepState.COMPLETED)

    async def wait_until_idle(self, event_id: str, states: dict[str, StepState]) -> None:
        """Wait until the steps are in the states and the workflow has nothing to do but wait
        (no workflow task, no activity pending), so that its history ends where a long wait
        begins."""
        handle = self.client.get_workflow_handle(event_id)
        deadline = time.monotonic() + EVENT_SECONDS
        while time.monotonic() < deadline:
            steps = {step.step_id: step.state for step in (await self.progress(event_id)).steps}
            described = (await handle.describe()).raw_description
            if (
                steps == states
                and not described.pending_activities
                and not described.HasField("pending_workflow_task")
            ):
                return
            await asyncio.sleep(POLL_SECONDS)
        raise RecordingFailed(f"{event_id}: did not come to wait in {EVENT_SECONDS}s")

    async def wait_until_closed(self, event_id: str) -> None:
        """Wait until the workflow has closed, so that its history is whole."""
        handle = self.client.get_workflow_handle(event_id)
        deadline = time.monotonic() + EVENT_SECONDS
        while (await handle.describe()).status is WorkflowExecutionStatus.RUNNING:
            if time.monotonic() > deadline:
                raise RecordingFailed(f"{event_id}: did not close in {EVENT_SECONDS}s")
            await asyncio.sleep(POLL_SECONDS)


def ok(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON body; RecordingFailed naming the request when it is an error."""
    if response.is_error:
        raise RecordingFailed(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


@dataclass(frozen=True)
class EventPath:
    """One main path of a life event: how to play it, and how it must end."""

    folder: str
    """The folder of `tests/histories/` its history goes to (the event type, for new ones)."""
    name: str
    """The history's file name, without `.json`."""
    play: Callable[[Recorder], Awaitable[str]]
    """Plays the path on the stack; answers with the event id."""
    status: str
    """The event's final status."""
    states: dict[str, StepState]
    """Each step's final state."""
    closes: bool = True
    """False for an event that goes on waiting for weeks (proof of effect): its history is
    taken once it waits with the steps in `states`, then the event is terminated."""
