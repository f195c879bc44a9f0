"""Moving house and a death end to end on the real stack: API -> Temporal dev server ->
worker -> adapters -> mock agencies; prefill from the registers; bad input refused whole.
"""

import subprocess
import sys
from datetime import date, timedelta
from typing import Any

import pytest

from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.people import intake_context
from onceonly.samples import death_request_data, move_request_data
from tests.integration.conftest import (
    Stack,
    check_each_agency_holds_exactly_its_step,
    citizen,
    registered_death,
    run_to_the_end,
    today,
)

pytestmark = pytest.mark.integration


def test_a_move_reaches_eight_agencies_once_each_in_their_own_formats(stack: Stack):
    raw = move_request_data(today(stack))
    with citizen(stack, "mover-1") as api:
        event = run_to_the_end(api, {"event_type": "move", "data": raw})
    data = MoveData.model_validate(raw, context=intake_context(today(stack)))
    check_each_agency_holds_exactly_its_step(stack, MOVE, event, data, {})
    assert {step["agency"] for step in event["steps"]} == {
        "nzta", "electoral", "ird", "msd", "health", "council", "acc", "justice"
    }  # fmt: skip
    electoral = {step["id"]: step for step in event["steps"]}["update_electoral_roll"]
    assert electoral["due_on"] == (date.fromisoformat(raw["move_date"]) + timedelta(60)).isoformat()


def test_a_death_is_registered_then_told_to_every_agency_that_knew_the_person(stack: Stack):
    raw = death_request_data(today(stack))
    with citizen(stack, "executor-1") as api:
        event = run_to_the_end(api, {"event_type": "death", "data": raw})
    data = DeathData.model_validate(raw, context=intake_context(today(stack)))
    # BDM reviews the registration first (as the local stack's BDM does): the step's reference
    # is the review's, and the number comes with the decision.
    reference = {step["id"]: step for step in event["steps"]}["register_death"]["reference"]
    registration = registered_death(stack, reference)
    facts = {"deceased__death_registration_number": registration}
    check_each_agency_holds_exactly_its_step(stack, DEATH, event, data, facts)
    told = {step["agency"] for step in event["steps"] if step["state"] != "not_applicable"}
    assert len(told) == 10


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
        assert stolen.status_code == 404
        assert stolen.json()["errors"][0]["field"] == "prefill_id"


def test_a_death_registered_by_the_funeral_director_is_prefilled_from_bdm(stack: Stack):
    raw = death_request_data(today(stack))
    with citizen(stack, "executor-2") as api:
        first = run_to_the_end(api, {"event_type": "death", "data": raw})
        reference = {step["id"]: step for step in first["steps"]}["register_death"]["reference"]
        number = registered_death(stack, reference)
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
