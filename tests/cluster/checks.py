"""What the cluster test compares: the disclosure log one API shows against the records the
agencies hold, a correction's reach against the agencies that hold the field, and one
citizen's rate budget across APIs."""

import time
from collections.abc import Iterable
from itertools import cycle
from typing import Any

import httpx

from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.corrections import related
from tests.adapters.built_in import BATCH_FILE_AGENCIES
from tests.integration.conftest import Stack, complete_staff_tasks, records_of, strings_in

CORRECTED = {"sent"}  # amended, online or by the agency's staff
BY_STAFF = "Amended by the agency's staff"
CORRECTION_SECONDS = 60


def disclosures_equal_records(
    stack: Stack, shown: list[dict[str, Any]], events: Iterable[dict[str, Any]]
) -> int:
    """Assert that the disclosure log `shown` holds, for each event, one entry per record an
    agency holds for it and nothing else, field for field (agency, service, event, step,
    fields, the agency's reference); the number of records compared."""
    compared = 0
    for event in events:
        spec = CATALOGUE.event(event["event_type"])
        held = {
            record["idempotency_key"]: (agency, record)
            for agency in {step.agency for step in spec.steps}
            for record in records_of(stack, agency, event["id"])
        }
        logged = {
            f"{view['event_id']}/{view['step_id']}": view
            for view in shown
            if view["event_id"] == event["id"]
        }
        assert len(logged) == len([v for v in shown if v["event_id"] == event["id"]]), event["id"]
        assert sorted(logged) == sorted(held), event["id"]
        references = {step["id"]: step["reference"] for step in event["steps"]}
        for key, (agency, record) in held.items():
            view, step = logged[key], spec.step(logged[key]["step_id"])
            assert (view["agency"], view["service"]) == (agency, step.service), key
            assert (view["event_type"], step.agency) == (event["event_type"], agency), key
            assert view["fields"] == list(step.fields), key
            if agency in BATCH_FILE_AGENCIES:
                # Logged when queued for the day's file, under the item's id; the step then
                # shows the agency's own reference, from its acknowledgement.
                assert view["agency_reference"].startswith("B-"), key
                assert references[step.id] in set(strings_in(record["answer"])), key
                continue
            assert view["agency_reference"] == references[step.id], key
            assert view["agency_reference"] in set(strings_in(record["answer"])), key
            compared += 1
    return compared


def holders(shown: list[dict[str, Any]], event_id: str, path: str) -> dict[str, str]:
    """The event's steps whose disclosures hold `path` (or a field within it), by step id:
    their agencies."""
    return {
        view["step_id"]: view["agency"]
        for view in shown
        if view["event_id"] == event_id and any(related(path, f) for f in view["fields"])
    }


def corrected(
    stack: Stack, api: httpx.Client, event_id: str, path: str, value: Any
) -> dict[str, Any]:
    """Correct `path` through `api`; the correction's progress once it is done, the tasks it
    opened in agencies' staff inboxes completed as their staff do."""
    body = {"corrections": [{"path": path, "value": value}], "reason": "misspelt"}
    answer = api.post(f"/v1/life-events/{event_id}/corrections", json=body)
    assert answer.status_code == 202, answer.text
    correction_id = answer.json()["correction_id"]
    deadline = time.monotonic() + CORRECTION_SECONDS
    while True:
        listed = api.get(f"/v1/life-events/{event_id}/corrections").json()
        [progress] = [c for c in listed if c["correction_id"] == correction_id]
        if progress["state"] == "done":
            return dict(progress)
        if progress["state"] == "in_progress" and all(
            agency["state"] != "pending" for agency in progress["agencies"]
        ):
            complete_staff_tasks(stack, event_id)
        assert time.monotonic() < deadline, f"correction not done: {progress}"
        time.sleep(0.2)


def reach(stack: Stack, event_id: str, held: dict[str, str], progress: dict[str, Any]) -> int:
    """Assert that the correction reached every holder and only them: amended at the agency
    (which holds the amendment under the correction's reference) or by its staff; how many
    were amended online."""
    states = {agency["step_id"]: agency for agency in progress["agencies"]}
    assert sorted(states) == sorted(held), (held, progress)
    assert {agency["state"] for agency in states.values()} <= CORRECTED, progress
    amended = 0
    for step_id, agency in states.items():
        if agency["state"] != "sent" or (agency["note"] or "").startswith(BY_STAFF):
            continue
        prefix = f"{event_id}/{step_id}/"
        taken = [
            amendment
            for amendment in stack.agency_amendments(held[step_id])
            if amendment["idempotency_key"].startswith(prefix)
        ]
        assert len(taken) == 1, (step_id, taken)
        assert agency["reference"] in set(strings_in(taken[0]["answer"])), (step_id, taken)
        amended += 1
    return amended


def spend_budget(apis: list[httpx.Client], requests: int) -> list[int]:
    """The statuses of `requests` GETs by one citizen, sent in turn to each API, at once."""
    return [api.get("/v1/disclosures").status_code for api, _ in zip(cycle(apis), range(requests))]
