"""The whole stack, as `onceonly up` runs it, on ephemeral ports and a temporary state dir:
the real Temporal dev server, the mock agencies, the worker and the API on loopback; and the
helpers the real-stack tests share (a citizen's client, starting and granting events, waiting,
what each agency holds, the slow agencies' later decisions, fault knobs).
"""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.domain.catalogue import LifeEventSpec
from onceonly.domain.step_graph import applies
from onceonly.local_stack import LocalStack, running
from tests.conftest import TEST_PAYLOAD_KEYS
from tests.integration.agency_formats import sent_in_agency_format
from tests.mocks.samples import disclose

TEST_SECRETS = {
    "ONCEONLY_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
    "ONCEONLY_JWT_SECRET": "integration-jwt-secret-0123456789-0123",
    "ONCEONLY_CITIZEN_KEY_SECRET": "integration-citizen-key-secret",
    # Tests poll like a busy front end; the rate limit has its own tests (tests/abuse).
    "ONCEONLY_RATE_LIMIT_PER_MINUTE": "0",
}
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}


class Stack(LocalStack):
    """A local stack, with what tests read from it."""

    @property
    def api_url(self) -> str:
        return self.settings.api_url

    def agency_holdings(self, agency: str) -> dict[str, Any]:
        """What the mock agency holds: its records, withdrawals and amendments."""
        url = f"{self.settings.agency_base_url}/{agency}/_records"
        response = httpx.get(url, headers=self.settings.mocks_admin_headers)
        response.raise_for_status()
        return dict(response.json())

    def agency_records(self, agency: str) -> list[dict[str, Any]]:
        return list(self.agency_holdings(agency)["records"])

    def agency_amendments(self, agency: str) -> list[dict[str, Any]]:
        """The corrections the agency took, each apart from the record it amends."""
        return list(self.agency_holdings(agency)["amendments"])

    def agency_get(self, agency: str, path: str) -> dict[str, Any]:
        """An agency's answer to an authenticated GET, as onceonly's adapter would ask."""
        key = self.settings.agency_api_keys[agency]
        headers = {"Authorization": f"Bearer {key}", "X-Api-Key": key}
        response = httpx.get(f"{self.settings.agency_base_url}/{agency}{path}", headers=headers)
        response.raise_for_status()
        return dict(response.json())


def running_stack(state_dir: Path, **extra_env: str) -> Iterator[Stack]:
    """A stack for a module-scoped fixture to yield: started now, stopped after the module."""
    stack = Stack.on_free_ports(state_dir, {**TEST_SECRETS, **extra_env}, inherit=os.environ)
    with running(stack):
        yield stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("stack"))


def citizen(stack: Stack, citizen_id: str) -> httpx.Client:
    """The API as this citizen sees it."""
    token = mint_token(stack.settings, citizen_id)
    return httpx.Client(
        base_url=stack.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def today(stack: Stack) -> date:
    return datetime.now(ZoneInfo(stack.settings.timezone)).date()


def wait_for(
    api: httpx.Client, event_id: str, done: Callable[[dict[str, Any]], bool], seconds: float = 90
) -> dict[str, Any]:
    """The event's view once `done` holds for it; AssertionError with the last view if not."""
    deadline = time.monotonic() + seconds
    while True:
        event = api.get(f"/v1/life-events/{event_id}").json()
        if done(event):
            return event
        if time.monotonic() > deadline:
            raise AssertionError(f"{event_id} not as awaited within {seconds} s: {event}")
        time.sleep(0.1)


def wait_until_finished(api: httpx.Client, event_id: str, seconds: float = 90) -> dict[str, Any]:
    return wait_for(api, event_id, lambda event: event["status"] in FINISHED, seconds)


def step_of(event: dict[str, Any], step_id: str) -> dict[str, Any]:
    [step] = [step for step in event["steps"] if step["id"] == step_id]
    return step


def start_and_grant(api: httpx.Client, body: dict[str, Any]) -> str:
    """Start the event and grant every step asking; the event's id."""
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
    return str(event["id"])


def run_to_the_end(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    return wait_until_finished(api, start_and_grant(api, body))


def records_of(stack: Stack, agency: str, event_id: str) -> list[dict[str, Any]]:
    return [
        record
        for record in stack.agency_records(agency)
        if record["idempotency_key"].startswith(f"{event_id}/")
    ]


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON answer, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def check_each_agency_holds_exactly_its_step(
    stack: Stack, spec: LifeEventSpec, event: dict[str, Any], data: Any, facts: dict[str, str]
) -> None:
    """Per step: exactly one record at its agency, and that record is exactly the step's
    declared fields in the agency's own format (its mock's strict schema accepted it). A step
    that does not apply to the data (the Māori Land Court's, when the person owned no Māori
    land) is shown so and sent nowhere."""
    assert event["status"] == "completed", event
    steps = [step for step in spec.steps if applies(step, data.model_dump(mode="json"))]
    skipped = [step.id for step in spec.steps if step not in steps]
    assert all(step_of(event, step_id)["state"] == "not_applicable" for step_id in skipped)
    for step in steps:
        held = [
            record
            for record in records_of(stack, step.agency, event["id"])
            if record["idempotency_key"] == f"{event['id']}/{step.id}"
        ]
        assert len(held) == 1, (step.id, held)
        disclosure = disclose(step.id, data, spec, **facts)
        received = held[0]["received"]
        assert received == sent_in_agency_format(step, disclosure, received), step.id
    agencies = {step.agency for step in steps}
    total = sum(len(records_of(stack, agency, event["id"])) for agency in agencies)
    assert total == len(steps)  # nothing else reached any agency for this event


def issued_ird_number(stack: Stack, case_reference: str) -> str:
    """The IRD number IRD issued a newborn, later than its first answer, from its case."""
    case = stack.agency_get("ird", f"/gateway/v2/cases/{case_reference}")
    assert case["caseStatus"] == "COMPLETED", case
    return str(case["irdNumber"])


def registered_death(stack: Stack, reference: str) -> str:
    """The death registration number: the step's reference when BDM registered the death at
    once, else the number BDM gave after its review (the reference is the review's)."""
    if not reference.startswith("REV-"):
        return reference
    review = stack.agency_get("bdm", f"/v1/death-registration-reviews/{reference}")
    assert review["status"] == "registered", review
    return str(review["deathRegistrationNumber"])


@contextmanager
def agency_faults(stack: Stack, agency: str, **knobs: Any) -> Iterator[None]:
    """The agency's fault knobs turned for the block (the others as they were), then reset."""
    url = f"{stack.settings.agency_base_url}/{agency}/_faults"
    headers = stack.settings.mocks_admin_headers
    before = httpx.get(url, headers=headers).json()
    httpx.put(url, json={**before, **knobs}, headers=headers).raise_for_status()
    try:
        yield
    finally:
        httpx.put(url, json=before, headers=headers).raise_for_status()
