"""A name correction on the real stack (API -> Temporal dev server -> worker -> mock agencies,
the embedded store): every agency that cannot amend online gets a task in its staff inbox
showing the corrected name, and once staff have completed each (in the store, then the
`inbox_task_closed` Update, as the inbox API does) the correction is done."""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from onceonly.domain.catalogue import BIRTH
from onceonly.domain.corrections import touches
from onceonly.domain.inbox import INBOX_TASK_CLOSED, InboxTask, InboxTaskClosed
from onceonly.samples import birth_request_data
from onceonly.store import opened_store
from onceonly.temporal import connect
from tests.integration.conftest import Stack, citizen, run_to_the_end, today

pytestmark = pytest.mark.integration

# In its canonical form, as the event keeps it (and shows it to staff).
RIGHT_NAME = {"given_names": ["Aroha", "Mere"], "family_name": "Ngata-Synthetic", "known_as": None}
# Five agencies' answers and as many tasks: this bounds a broken run, not a normal one.
SETTLE_SECONDS = 60


def corrections_when(
    api: httpx.Client, event_id: str, done: Any, seconds: float = SETTLE_SECONDS
) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        [correction] = api.get(f"/v1/life-events/{event_id}/corrections").json()
        if done(correction):
            return dict(correction)
        assert time.monotonic() < deadline, correction
        time.sleep(0.2)


def answered(correction: dict[str, Any]) -> bool:
    """Every agency has answered, or been given a task: nothing is being sent any more."""
    return correction["state"] == "in_progress" and all(
        agency["state"] != "pending" for agency in correction["agencies"]
    )


async def close_tasks(stack: Stack, event_id: str, count: int) -> list[InboxTask]:
    """As the agencies' staff do through the inbox: complete each of the event's open tasks
    in the store, then tell the event (contract point 2)."""
    client = await connect(stack.settings)
    handle = client.get_workflow_handle(event_id)
    async with opened_store(stack.settings) as store:
        tasks = [
            task
            for agency in sorted({step.agency for step in BIRTH.steps})
            for task in await store.inbox.for_agency(agency)
            if task.event_id == event_id
        ]
        assert len(tasks) == count, tasks
        for task in tasks:
            await store.inbox.close(
                task.task_id,
                task.agency,
                "completed",
                by="jane",
                at=datetime.now(UTC),
                reference=f"STAFF-{task.step_id}",
            )
            closed = InboxTaskClosed(task_id=task.task_id, step_id=task.step_id, kind=task.kind)
            await handle.execute_update(INBOX_TASK_CLOSED, closed)
    return tasks


def test_a_name_correction_is_done_once_staff_complete_every_agencys_task(stack: Stack):
    api = citizen(stack, "citizen-staff-corrections")
    event = run_to_the_end(api, {"event_type": "birth", "data": birth_request_data(today(stack))})
    assert event["status"] == "completed", event
    fix = {"corrections": [{"path": "child.name", "value": RIGHT_NAME}], "reason": "misspelt"}
    asked = api.post(f"/v1/life-events/{event['id']}/corrections", json=fix)
    assert asked.status_code == 202, asked.text

    waiting = corrections_when(api, event["id"], answered)
    by_step = {agency["step_id"]: agency for agency in waiting["agencies"]}
    holders = {step.id for step in BIRTH.steps if touches(step.fields, ["child.name"])}
    assert set(by_step) == holders
    with_staff = {step_id for step_id, a in by_step.items() if a["state"] == "with_staff"}
    assert with_staff, "every birth agency amends online: nothing for staff to do"
    assert {a["state"] for a in by_step.values()} <= {"with_staff", "sent"}
    time.sleep(1)  # staff have not acted: the correction waits for them
    assert corrections_when(api, event["id"], lambda c: True)["state"] == "in_progress"

    tasks = asyncio.run(close_tasks(stack, event["id"], len(with_staff)))

    assert {task.step_id for task in tasks} == with_staff
    for task in tasks:
        step = BIRTH.step(task.step_id)
        assert (task.kind, task.agency) == ("correction", step.agency)
        assert task.disclosure == {"child.name": RIGHT_NAME}
        assert task.task_id in by_step[task.step_id]["note"]
    done = corrections_when(api, event["id"], lambda c: c["state"] == "done")
    for agency in done["agencies"]:
        if agency["step_id"] in with_staff:
            reference = f"STAFF-{agency['step_id']}"
            assert (agency["state"], agency["reference"]) == ("sent", reference)
            assert agency["note"] == f"Amended by the agency's staff ({reference})."
    # Each task shown to an agency's staff is in the citizen's disclosure log.
    log = api.get("/v1/disclosures", params={"event_id": event["id"]}).json()
    shown = {view["agency_reference"]: view for view in log}
    for task in tasks:
        assert shown[task.task_id]["fields"] == ["child.name"], shown[task.task_id]
