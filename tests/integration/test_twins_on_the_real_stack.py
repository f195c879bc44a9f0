"""A birth told twice, and twins, on the real stack (API -> Temporal dev server -> worker ->
mock BDM): a second birth of the same child while the first is open is answered 409 with
the open event's id; another child of the same birth starts linked to it, from the first
event's shared data, and BDM registers its plurality and birth order; a finished event
blocks nothing."""

import copy
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

import pytest

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from tests.integration.conftest import (
    Stack,
    citizen,
    records_of,
    start_and_grant,
    step_of,
    today,
    wait_for,
    wait_until_finished,
)

pytestmark = pytest.mark.integration
SIBLING = "data.multiple_birth.sibling_event_id"


def birth(stack: Stack) -> dict[str, Any]:
    return {"event_type": "birth", "data": birth_request_data(today(stack))}


def respelt(body: dict[str, Any]) -> dict[str, Any]:
    """The same birth again, the child's name put right and the parent's typed plainly."""
    again = copy.deepcopy(body)
    again["data"]["child"]["name"] = {"given_names": ["Arohanui"], "family_name": "Ngata"}
    again["data"]["birth_parent"]["name"] = {
        "given_names": ["HENI"],
        "family_name": "ngata synthetic",
    }
    return again


def second_twin(shared: dict[str, Any], sibling_id: str, **multiple: Any) -> dict[str, Any]:
    """The other child of the birth: its own details, the rest as the first event has it."""
    child = {
        "name": {"given_names": ["Mere"], "family_name": "Ngāta-Synthetic"},
        "date_of_birth": shared["date_of_birth"],
        "sex": "female",
        "place_of_birth": "Auckland City Hospital",
    }
    linked = {"plurality": 2, "birth_order": 2, "sibling_event_id": sibling_id, **multiple}
    data = {"child": child, **copy.deepcopy(shared["data"]), "multiple_birth": linked}
    return {"event_type": "birth", "data": data}


def linking_correction(api: Any, event_id: str, seconds: float = 30) -> dict[str, Any]:
    """The event's one correction once it has worked out which agencies it concerns (the
    workflow does that after accepting it, so a read straight away may find none yet)."""
    deadline = time.monotonic() + seconds
    while True:
        [correction] = api.get(f"/v1/life-events/{event_id}/corrections").json()
        if correction["agencies"] or time.monotonic() > deadline:
            return dict(correction)
        time.sleep(0.2)


def test_a_birth_told_twice_is_caught_and_a_twin_starts_linked(stack: Stack):
    with citizen(stack, "parent-of-twins") as api, citizen(stack, "someone-else") as other:
        first = api.post("/v1/life-events", json=birth(stack))
        assert first.status_code == 201, first.text
        first_id = first.json()["id"]

        again = api.post("/v1/life-events", json=respelt(birth(stack)))
        assert again.status_code == 409, again.text
        assert again.headers["content-type"] == "application/problem+json"
        problem = again.json()
        assert problem["existing_event_id"] == first_id
        assert first_id in problem["detail"] and SIBLING in problem["detail"]
        assert "Aroha" not in again.text and "Heni" not in again.text  # no personal data
        # Another citizen telling the same birth is another citizen's event.
        assert other.post("/v1/life-events", json=birth(stack)).status_code == 201

        shared = api.get(f"/v1/life-events/{first_id}/shared-birth-data").json()
        assert set(shared["data"]) == {"birth_parent", "address", "health"}
        assert shared["plurality"] is None
        assert other.get(f"/v1/life-events/{first_id}/shared-birth-data").status_code == 404

        twin = api.post("/v1/life-events", json=second_twin(shared, first_id))
        assert twin.status_code == 201, twin.text
        twin_event = twin.json()
        assert twin_event["id"] != first_id
        previewed = wait_for(api, twin_event["id"], lambda e: bool(registration_preview(e)))
        preview = registration_preview(previewed)["child"]
        assert (preview["plurality"], preview["birthOrder"]) == (2, 2)  # shown before consent

        # The same twin told twice is caught too, naming the twin's own event.
        twice = api.post("/v1/life-events", json=second_twin(shared, first_id))
        assert twice.status_code == 409, twice.text
        assert twice.json()["existing_event_id"] == twin_event["id"]

        # The first event, told as a single birth, now says it is the first of the twins.
        linked = linking_correction(api, first_id)
        assert linked["paths"] == ["multiple_birth"]
        assert {a["state"] for a in linked["agencies"]} == {"not_sent_yet"}
        first_previewed = wait_for(
            api, first_id, lambda e: "plurality" in registration_preview(e).get("child", {})
        )
        first_child = registration_preview(first_previewed)["child"]
        assert (first_child["plurality"], first_child["birthOrder"]) == (2, 1)

        acknowledge = {"decisions": [{"step_id": "register_birth", "decision": "acknowledge"}]}
        for event_id in (first_id, twin_event["id"]):
            decided = api.post(f"/v1/life-events/{event_id}/consents", json=acknowledge)
            assert decided.status_code == 200, decided.text
        registered = [wait_until_registered(api, e) for e in (first_id, twin_event["id"])]
    for (event_id, order), step in zip(
        ((first_id, 1), (twin_event["id"], 2)), registered, strict=True
    ):
        [record] = records_of(stack, "bdm", event_id)
        child = record["received"]["child"]
        assert (child["plurality"], child["birthOrder"]) == (2, order)
        assert step["reference"] == record["answer"]["registrationNumber"]


def registration_preview(event: dict[str, Any]) -> dict[str, Any]:
    """What BDM will receive, as the citizen is shown it at the checkpoint (once built)."""
    preview = step_of(event, "register_birth")["preview"]
    return dict(preview["body"]) if preview and preview["body"] else {}


def wait_until_registered(api: Any, event_id: str) -> dict[str, Any]:
    event = wait_for(api, event_id, lambda e: step_of(e, "register_birth")["state"] == "completed")
    return step_of(event, "register_birth")


def test_a_link_must_be_to_a_birth_of_the_callers_own_and_of_the_same_birth(stack: Stack):
    with citizen(stack, "parent-linking-wrongly") as api, citizen(stack, "stranger-3") as other:
        first_id = api.post("/v1/life-events", json=birth(stack)).json()["id"]
        theirs = other.post("/v1/life-events", json=birth(stack)).json()["id"]
        shared = api.get(f"/v1/life-events/{first_id}/shared-birth-data").json()
        moved = second_twin(shared, first_id)
        moved["data"]["address"]["street"] = "Jervois Road"
        another_day = second_twin(shared, first_id)
        day_before = date.fromisoformat(shared["date_of_birth"]) - timedelta(days=1)
        another_day["data"]["child"]["date_of_birth"] = day_before.isoformat()
        cases = [
            (second_twin(shared, theirs), SIBLING, "must be a birth event you started"),
            (second_twin(shared, f"birth-{'0' * 32}"), SIBLING, "must be a birth event you"),
            (moved, "data.address", "must be the sibling event's"),
            (another_day, "data.child.date_of_birth", "must be the sibling event's child's"),
            (
                second_twin(shared, first_id, birth_order=3),
                "data.multiple_birth.birth_order",
                "must be at most plurality",
            ),
            (
                second_twin(shared, first_id, plurality=3, birth_order=3),
                "data.multiple_birth.sibling_birth_order",
                "is required",
            ),
        ]
        for body, field, rule in cases:
            refused = api.post("/v1/life-events", json=body)
            assert refused.status_code == 422, (field, refused.text)
            assert any(
                e["field"] == field and rule in e["rule"] for e in refused.json()["errors"]
            ), (field, refused.json())
        listed = {event["id"] for event in api.get("/v1/life-events").json()}
    assert listed == {first_id}  # nothing refused started an event


def test_a_finished_event_does_not_block_telling_the_birth_again(stack: Stack):
    with citizen(stack, "parent-starting-over") as api:
        first_id = start_and_grant(api, birth(stack))
        assert wait_until_finished(api, first_id)["status"] == "completed"
        again = api.post("/v1/life-events", json=birth(stack))
        assert again.status_code == 201, again.text
        assert again.json()["id"] != first_id
        # The new event holds the birth now: a third telling is caught, naming it.
        third = api.post("/v1/life-events", json=birth(stack))
    assert third.status_code == 409
    assert third.json()["existing_event_id"] == again.json()["id"]


def test_a_cancelled_event_does_not_block_telling_the_birth_again(stack: Stack):
    operator = mint_token(stack.settings, "op-alice", role="operator")
    with citizen(stack, "parent-cancelled-by-an-operator") as api:
        first_id = api.post("/v1/life-events", json=birth(stack)).json()["id"]
        assert api.post("/v1/life-events", json=birth(stack)).status_code == 409
        cancel = [sys.executable, "-m", "onceonly", "ops", "--token", operator, "cancel"]
        cancelled = subprocess.run(
            [*cancel, first_id, "--reason", "told twice"],
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert cancelled.returncode == 0, cancelled.stderr
        assert wait_until_finished(api, first_id)["status"] == "cancelled"
        again = api.post("/v1/life-events", json=birth(stack))
    assert again.status_code == 201, again.text
