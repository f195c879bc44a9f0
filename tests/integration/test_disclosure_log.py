"""The disclosure log on the real stack: after a birth with every step allowed, the log holds
exactly one entry for each record an agency holds, field for field, and only its citizen
reads it.
"""

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from onceonly.auth import citizen_key
from onceonly.disclosures import DisclosureEntry
from onceonly.domain.catalogue import BIRTH
from onceonly.samples import birth_request_data
from onceonly.store import embedded_store_file
from onceonly.store.sqlite import SqliteDisclosureLog
from tests.integration.conftest import Stack, citizen, strings_in, today

pytestmark = pytest.mark.integration
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}
PARENT = "parent-with-a-disclosure-log"


def answer_for(step: dict[str, Any]) -> str:
    """Grant, or acknowledge where the view says the checkpoint takes only that (a statute)."""
    hint = step.get("answers") or step.get("decisions") or []
    return "acknowledge" if "acknowledge" in hint and "grant" not in hint else "grant"


def wait_until_finished(api: httpx.Client, event_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        event = api.get(f"/v1/life-events/{event_id}").json()
        if event["status"] in FINISHED:
            return event
        time.sleep(0.25)
    raise AssertionError(f"{event_id} did not finish: {event}")


@pytest.fixture(scope="module")
def birth(stack: Stack) -> dict[str, Any]:
    """A birth whose every step was allowed, run to the end."""
    with citizen(stack, PARENT) as api:
        started = api.post(
            "/v1/life-events",
            json={"event_type": "birth", "data": birth_request_data(today(stack))},
        )
        assert started.status_code == 201, started.text
        event = started.json()
        waiting = [step for step in event["steps"] if step["state"] == "awaiting_consent"]
        assert not [
            step["id"]
            for step in waiting
            for party in step.get("parties", [])
            if party["state"] == "awaiting"
        ], "the sample birth should need no other party's consent"
        decisions = [{"step_id": step["id"], "decision": answer_for(step)} for step in waiting]
        decided = api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})
        assert decided.status_code == 200, decided.text
        finished = wait_until_finished(api, event["id"])
    assert finished["status"] == "completed", finished
    return finished


def logged(stack: Stack, event_id: str) -> list[DisclosureEntry]:
    """What the worker wrote to the log file the stack shares, for the parent's event."""
    log = SqliteDisclosureLog(embedded_store_file(stack.settings))
    key = citizen_key(stack.settings, PARENT)
    return asyncio.run(log.for_citizen(key, 500, event_id=event_id))


def test_the_log_holds_one_entry_per_agency_record_field_for_field(stack: Stack, birth):
    event_id = birth["id"]
    entries = logged(stack, event_id)
    references = {step["id"]: step["reference"] for step in birth["steps"]}
    held_in_all = 0
    for agency in {step.agency for step in BIRTH.steps}:
        for record in stack.agency_records(agency):
            if not record["idempotency_key"].startswith(f"{event_id}/"):
                continue
            held_in_all += 1
            step = BIRTH.step(record["idempotency_key"].split("/", 1)[1])
            [entry] = [e for e in entries if e.idempotency_key == record["idempotency_key"]]
            assert (entry.event_id, entry.event_type, entry.step_id) == (event_id, "birth", step.id)
            assert step.agency == agency
            assert (entry.agency, entry.service) == (agency, step.service)
            assert entry.fields == step.fields
            assert entry.legal_basis == step.legal_basis
            # The agency's reference, as the agency answered it and the event shows it.
            assert entry.agency_reference in set(strings_in(record["answer"])), step.id
            assert entry.agency_reference == references[step.id]
            assert entry.citizen_key == citizen_key(stack.settings, PARENT)
    assert held_in_all == len(entries) == len(BIRTH.steps)


def test_each_entry_carries_the_receipt_of_the_decision_that_let_it_go(stack: Stack, birth):
    with citizen(stack, PARENT) as api:
        answer = api.get(f"/v1/life-events/{birth['id']}/receipts")
    assert answer.status_code == 200, answer.text
    allowing = {
        receipt["step_id"]: receipt["receipt_id"]
        for receipt in answer.json()
        if receipt["decision"] in ("grant", "acknowledge")
    }
    assert {e.step_id: e.receipt_id for e in logged(stack, birth["id"])} == allowing


def test_the_parent_reads_the_log_and_no_one_else_does(stack: Stack, birth):
    event_id = birth["id"]
    entries = {e.step_id: e for e in logged(stack, event_id)}
    names = {
        agency["id"]: agency["name"]
        for agency in httpx.get(f"{stack.api_url}/v1/catalogue").json()["agencies"]
    }
    with citizen(stack, PARENT) as api:
        everything = api.get("/v1/disclosures").json()
        shown = api.get("/v1/disclosures", params={"event_id": event_id}).json()
    assert [view for view in everything if view["event_id"] == event_id] == shown
    times = [datetime.fromisoformat(view["disclosed_at"]) for view in shown]
    assert times == sorted(times, reverse=True)
    assert all(
        datetime.fromisoformat(birth["started_at"]) <= at <= datetime.now(UTC) for at in times
    )
    assert {view["step_id"] for view in shown} == set(entries)
    for view in shown:
        step, entry = BIRTH.step(view["step_id"]), entries[view["step_id"]]
        assert view["agency_name"] == names[step.agency]
        assert view["purpose"] == step.purpose
        assert view["fields"] == list(step.fields)
        assert view["legal_basis"] == step.legal_basis.model_dump()
        assert view["receipt_id"] == entry.receipt_id
        assert view["agency_reference"] == entry.agency_reference
    with citizen(stack, "someone-else") as other:
        assert [v for v in other.get("/v1/disclosures").json() if v["event_id"] == event_id] == []
        assert other.get("/v1/disclosures", params={"event_id": event_id}).json() == []
