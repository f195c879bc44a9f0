"""The council as a work-queue agency on the real stack (as `onceonly up` runs it): a move's
council steps become tasks in the council's inbox and wait, the council is reminded of them
once they are overdue, and when staff close them (the store's close, then the Update the staff
API sends) the steps end with the staff's own reference, or staff's reason.
"""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import pytest

from onceonly.domain.inbox import InboxTask, inbox_task_id
from onceonly.domain.life_event import AgencyOutcomeReady
from onceonly.samples import death_request_data, move_request_data
from onceonly.store import opened_store
from onceonly.temporal import connect
from tests.integration.conftest import (
    Stack,
    citizen,
    records_of,
    registered_death,
    running_stack,
    start_and_grant,
    step_of,
    today,
    wait_for,
    wait_until_finished,
)
from workflows.steps import LifeEventWorkflow

pytestmark = pytest.mark.integration
COUNCIL_STEPS = ("council_rates", "council_dog_registration")
CONTACT = "inbox@council.example.govt.nz"
COURT, COURT_STEP = "maori_land_court", "notify_maori_land_court"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The council on the work queue, its tasks due within seconds so a reminder is seen."""
    yield from running_stack(
        tmp_path_factory.mktemp("work-queue"),
        ONCEONLY_WORK_QUEUE_AGENCIES="council",
        ONCEONLY_INBOX_DUE_SECONDS="2",
        ONCEONLY_AGENCY_INBOX_CONTACTS=f"council:{CONTACT}",
    )


def task(stack: Stack, task_id: str) -> InboxTask | None:
    async def get() -> InboxTask | None:
        async with opened_store(stack.settings) as store:
            return await store.inbox.get(task_id)

    return asyncio.run(get())


def close_as_staff(
    stack: Stack,
    event_id: str,
    step_id: str,
    outcome: Literal["completed", "rejected"],
    agency: str = "council",
    **said: str,
) -> None:
    """What the staff API does: close the task in the store, then wake the waiting step."""
    task_id = inbox_task_id(event_id, step_id, "submission")

    async def close() -> None:
        async with opened_store(stack.settings) as store:
            await store.inbox.close(
                task_id, agency, outcome, by="jane", at=datetime.now(UTC), **said
            )
        client = await connect(stack.settings)
        ready = AgencyOutcomeReady(step_id=step_id, agency=agency, reference=task_id)
        await client.get_workflow_handle(event_id).execute_update(
            LifeEventWorkflow.agency_outcome_ready, ready
        )

    asyncio.run(close())


def reminders_to_the_council(stack: Stack) -> list[dict[str, Any]]:
    return [r for r in stack.agency_records("notify") if r["received"]["to"] == CONTACT]


def test_a_moves_council_steps_wait_as_tasks_until_staff_close_them(stack: Stack):
    body = {"event_type": "move", "data": move_request_data(today(stack))}
    with citizen(stack, "mover-to-a-work-queue-council") as api:
        event_id = start_and_grant(api, body)
        waiting = wait_for(
            api,
            event_id,
            lambda e: all(step_of(e, s)["state"] == "submitted" for s in COUNCIL_STEPS),
            60,
        )
        tasks = {s: task(stack, inbox_task_id(event_id, s, "submission")) for s in COUNCIL_STEPS}
        for step_id, opened in tasks.items():
            assert opened is not None and opened.state == "open", step_id
            assert step_of(waiting, step_id)["reference"] == opened.task_id
            assert (opened.agency, opened.event_id) == ("council", event_id)
        dogs = tasks["council_dog_registration"]
        assert dogs is not None and dogs.disclosure["dogs"][0]["name"] == "Pātiki"
        assert dogs.receipt is not None and dogs.legal_basis_kind == "statute"
        assert records_of(stack, "council", event_id) == []  # nothing went to the council's API

        # The citizen's log shows each task as the council's disclosure.
        logged = api.get("/v1/disclosures", params={"event_id": event_id}).json()
        council = {e["step_id"]: e for e in logged if e["agency"] == "council"}
        assert set(council) == set(COUNCIL_STEPS)
        for step_id, opened in tasks.items():
            assert opened is not None and council[step_id]["agency_reference"] == opened.task_id

        # Due within seconds: every worker looks, and the council is reminded once per task.
        deadline = time.monotonic() + 30
        while len(reminded := reminders_to_the_council(stack)) < len(COUNCIL_STEPS):
            assert time.monotonic() < deadline, reminded
            time.sleep(0.2)
        named = sorted(r["received"]["personalisation"]["task"] for r in reminded)
        assert named == sorted(t.task_id for t in tasks.values() if t is not None)

        close_as_staff(stack, event_id, "council_rates", "completed", reference="RAT-2026-0042")
        close_as_staff(
            stack, event_id, "council_dog_registration", "rejected", reason="Dogs moved already."
        )
        # The rejected step stays open to an operator's retry, so the event is not finished.
        event = wait_for(
            api,
            event_id,
            lambda e: all(step_of(e, s)["state"] in {"completed", "failed"} for s in COUNCIL_STEPS),
            60,
        )

    rates, dogs_step = step_of(event, "council_rates"), step_of(event, "council_dog_registration")
    assert (rates["state"], rates["reference"]) == ("completed", "RAT-2026-0042")
    assert dogs_step["state"] == "failed" and "Dogs moved already." in dogs_step["error"]
    others = [s for s in event["steps"] if s["id"] not in COUNCIL_STEPS]
    assert all(s["state"] in {"completed", "not_applicable"} for s in others), others


def test_a_death_with_maori_land_is_a_task_for_the_maori_land_court(stack: Stack):
    raw = death_request_data(today(stack))
    raw["deceased"]["maori_land_interests"] = True
    with citizen(stack, "whanau-with-maori-land") as api:
        event_id = start_and_grant(api, {"event_type": "death", "data": raw})
        waiting = wait_for(api, event_id, is_waiting_on_the_court, 60)
        task_id = inbox_task_id(event_id, COURT_STEP, "submission")
        opened = task(stack, task_id)
        assert opened is not None and opened.agency == "maori_land_court"
        assert step_of(waiting, COURT_STEP)["reference"] == task_id
        # BDM registered the death first: the court's task holds the number BDM gave.
        review = step_of(waiting, "register_death")["reference"]
        number = registered_death(stack, review)
        assert opened.disclosure["deceased.death_registration_number"] == number

        close_as_staff(stack, event_id, COURT_STEP, "completed", COURT, reference="A20260981")
        # The council, on the work queue in this stack, is told of its ratepayer by a task too.
        close_as_staff(stack, event_id, "notify_council", "completed", reference="DR-77")
        event = wait_until_finished(api, event_id, 60)

    assert event["status"] == "completed", event
    assert step_of(event, COURT_STEP)["reference"] == "A20260981"
    assert step_of(event, "notify_council")["reference"] == "DR-77"


def is_waiting_on_the_court(event: dict[str, Any]) -> bool:
    """The court's step and the council's wait on their tasks."""
    return all(step_of(event, s)["state"] == "submitted" for s in (COURT_STEP, "notify_council"))


def test_the_demo_ends_when_only_the_councils_staff_have_work_left(stack: Stack):
    demo = subprocess.run(
        [sys.executable, "-m", "onceonly", "demo", "move"],
        env=stack.env,
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert demo.returncode == 0, demo.stderr
    assert ": in_progress" in demo.stdout
    waiting = "waiting on agency staff (tasks in their inbox, /inbox): "
    assert f"{waiting}{', '.join(COUNCIL_STEPS)}" in demo.stdout
    lines = {line.split()[0]: line for line in demo.stdout.splitlines() if line.strip()}
    assert "submitted" in lines["council_rates"] and " T-" in lines["council_rates"]
    assert "completed" in lines["update_driver_licence"]
