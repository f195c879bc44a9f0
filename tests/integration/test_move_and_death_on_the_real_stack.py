"""Moving house and a death end to end on the real stack: API -> Temporal dev server ->
worker -> adapters -> mock agencies; prefill from the registers; bad input refused whole.
"""

import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.domain.catalogue import DEATH, MOVE, LifeEventSpec
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.people import intake_context
from onceonly.samples import death_request_data, move_request_data
from tests.integration.agency_formats import sent_in_agency_format
from tests.integration.conftest import Stack
from tests.mocks.samples import disclose

pytestmark = pytest.mark.integration
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}


def citizen(stack: Stack, citizen_id: str) -> httpx.Client:
    token = mint_token(stack.settings, citizen_id)
    return httpx.Client(
        base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def today(stack: Stack) -> date:
    return datetime.now(ZoneInfo(stack.settings.timezone)).date()


def wait_until_finished(api: httpx.Client, event_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        event = api.get(f"/v1/life-events/{event_id}").json()
        if event["status"] in FINISHED:
            return event
        time.sleep(0.25)
    raise AssertionError(f"{event_id} did not finish: {event}")


def run_to_the_end(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    started = api.post("/v1/life-events", json=body)
    assert started.status_code == 201, started.text
    event = started.json()
    decisions = [
        {"step_id": step["id"], "decision": "grant"}
        for step in event["steps"]
        if step["state"] == "awaiting_consent"
    ]
    decided = api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})
    assert decided.status_code == 200, decided.text
    return wait_until_finished(api, event["id"])


def records_of(stack: Stack, agency: str, event_id: str) -> list[dict[str, Any]]:
    return [
        record
        for record in stack.agency_records(agency)
        if record["idempotency_key"].startswith(f"{event_id}/")
    ]


def check_each_agency_holds_exactly_its_step(
    stack: Stack, spec: LifeEventSpec, event: dict[str, Any], data: Any, facts: dict[str, str]
) -> None:
    """Per step: exactly one record at its agency, and that record is exactly the step's
    declared fields in the agency's own format (its mock's strict schema accepted it)."""
    assert event["status"] == "completed", event
    for step in spec.steps:
        held = [
            record
            for record in records_of(stack, step.agency, event["id"])
            if record["idempotency_key"] == f"{event['id']}/{step.id}"
        ]
        assert len(held) == 1, (step.id, held)
        disclosure = disclose(step.id, data, spec, **facts)
        received = held[0]["received"]
        assert received == sent_in_agency_format(step, disclosure, received), step.id
    agencies = {step.agency for step in spec.steps}
    total = sum(len(records_of(stack, agency, event["id"])) for agency in agencies)
    assert total == len(spec.steps)  # nothing else reached any agency for this event


def test_a_move_reaches_seven_agencies_once_each_in_their_own_formats(stack: Stack):
    raw = move_request_data(today(stack))
    with citizen(stack, "mover-1") as api:
        event = run_to_the_end(api, {"event_type": "move", "data": raw})
    data = MoveData.model_validate(raw, context=intake_context(today(stack)))
    check_each_agency_holds_exactly_its_step(stack, MOVE, event, data, {})
    assert {step["agency"] for step in event["steps"]} == {
        "nzta", "electoral", "ird", "msd", "health", "council", "acc"
    }  # fmt: skip
    electoral = {step["id"]: step for step in event["steps"]}["update_electoral_roll"]
    assert electoral["due_on"] == (date.fromisoformat(raw["move_date"]) + timedelta(60)).isoformat()


def test_a_death_is_registered_then_told_to_every_agency_that_knew_the_person(stack: Stack):
    raw = death_request_data(today(stack))
    with citizen(stack, "executor-1") as api:
        event = run_to_the_end(api, {"event_type": "death", "data": raw})
    data = DeathData.model_validate(raw, context=intake_context(today(stack)))
    registration = {step["id"]: step for step in event["steps"]}["register_death"]["reference"]
    facts = {"deceased__death_registration_number": registration}
    check_each_agency_holds_exactly_its_step(stack, DEATH, event, data, facts)
    assert len({step["agency"] for step in event["steps"]}) == 10


def test_a_move_prefilled_from_the_registers_shows_what_came_from_where(stack: Stack):
    with citizen(stack, "mover-prefilled") as api:
        asked = {"event_type": "move", "sources": ["addresses", "ird"]}
        draft = api.post("/v1/prefill", json=asked)
        assert draft.status_code == 200, draft.text
        prefill = draft.json()
        assert prefill["unavailable"] == []
        assert {part["path"] for part in prefill["filled"]} >= {
            "previous_address",
            "mover.ird_number",
        }
        raw = move_request_data(today(stack))
        raw["previous_address"] = prefill["data"]["previous_address"]  # confirmed as given
        # The citizen corrects the IRD number the register gave.
        body = {"event_type": "move", "data": raw, "prefill_id": prefill["id"]}
        started = api.post("/v1/life-events", json=body)
        assert started.status_code == 201, started.text
        shown = {part["path"]: part for part in started.json()["prefilled"]}
        assert shown["previous_address"] == {
            "path": "previous_address",
            "source": "addresses",
            "confirmed": True,
        }
        assert shown["mover.ird_number"]["confirmed"] is (
            prefill["data"]["mover"]["ird_number"] == "049091850"
        )
        again = api.get(f"/v1/life-events/{started.json()['id']}").json()
        assert again["prefilled"] == started.json()["prefilled"]
    with citizen(stack, "someone-else") as other:
        stolen = other.post("/v1/life-events", json={**body, "prefill_id": prefill["id"]})
        assert stolen.status_code == 422
        assert stolen.json()["errors"][0]["field"] == "prefill_id"


def test_a_death_registered_by_the_funeral_director_is_prefilled_from_bdm(stack: Stack):
    raw = death_request_data(today(stack))
    with citizen(stack, "executor-2") as api:
        first = run_to_the_end(api, {"event_type": "death", "data": raw})
        number = {step["id"]: step for step in first["steps"]}["register_death"]["reference"]
        asked = {"event_type": "death", "sources": ["bdm"], "death_registration_number": number}
        prefill = api.post("/v1/prefill", json=asked).json()
        assert prefill["data"]["deceased"]["death_registration_number"] == number
        # BDM keeps given names as one line: the draft splits them at spaces.
        name = prefill["data"]["deceased"]["name"]
        assert name["family_name"] == raw["deceased"]["name"]["family_name"]
        assert " ".join(name["given_names"]) == " ".join(raw["deceased"]["name"]["given_names"])
        deceased = {**raw["deceased"], **prefill["data"]["deceased"]}
        body = {
            "event_type": "death",
            "data": {**raw, "deceased": deceased},
            "prefill_id": prefill["id"],
        }
        started = api.post("/v1/life-events", json=body).json()
        steps = {step["id"]: step for step in started["steps"]}
        assert steps["register_death"]["state"] == "not_applicable"
        assert all(part["confirmed"] for part in started["prefilled"])
        missing = api.post("/v1/prefill", json={"event_type": "death", "sources": ["bdm"]})
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "death_registration_number"


def _set(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    target = raw
    for part in parents:
        target = target[part]
    target[last] = value
    return raw


@pytest.mark.parametrize(
    ("event_type", "path", "value", "rule"),
    [
        ("death", "deceased.date_of_death", "1930-01-01", "must not be before date_of_birth"),
        ("move", "move_date", "2099-01-01", "must be within a year of today"),
        ("move", "new_address.street", "PO Box 4411", "not a PO Box"),
        ("death", "deceased.ird_number", "136410133", "check digit"),
        ("move", "mover.ird_number", "49-091-851", "check digit"),
        ("death", "notifier.name.family_name", "N" * 1000, "at most 200 characters"),
        ("move", "mover.name.given_names.0", "Mere\u0007", "control characters"),
        ("death", "deceased.last_address.postcode", "573", "4 digits"),
        ("death", "notifier.authority", "neighbour", "next_of_kin"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_starts_nothing(
    stack: Stack, event_type, path, value, rule
):
    samples = {"move": move_request_data, "death": death_request_data}
    raw = samples[event_type](today(stack))
    if path == "mover.name.given_names.0":
        raw["mover"]["name"]["given_names"][0] = value
    else:
        _set(raw, path, value)
    with citizen(stack, f"typo-{event_type}-{path}") as api:
        response = api.post("/v1/life-events", json={"event_type": event_type, "data": raw})
        assert response.status_code == 422, response.text
        problem = response.json()
        field = f"data.{path}".replace(".0", "[0]")
        assert any(e["field"] == field and rule in e["rule"] for e in problem["errors"]), problem
        assert "Synthetic" not in response.text
        assert api.get("/v1/life-events").json() == []


@pytest.mark.parametrize("event_type", ["move", "death"])
def test_the_demo_plays_each_event_and_prints_its_timeline(stack: Stack, event_type: str):
    demo = subprocess.run(
        [sys.executable, "-m", "onceonly", "demo", event_type],
        env=stack.env,
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert demo.returncode == 0, demo.stderr
    assert ": partially_completed" in demo.stdout
    lines = {line.split()[0]: line for line in demo.stdout.splitlines() if line.strip()}
    declined = "update_acc_address" if event_type == "move" else "end_tenancy"
    assert "declined" in lines[declined]
    if event_type == "move":
        assert "prefilled previous_address from addresses" in demo.stdout
    else:
        assert "completed" in lines["register_death"]
